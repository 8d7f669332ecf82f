/**
 * @fileoverview Stage: ir. Rewrites a module written by a newer LLVM (rustc 1.9x writes LLVM 21/22 IR)
 * into the dialect of an older one, so that the clang which builds the native replay (clang-19) accepts
 * it. Printing the rewritten model with `printModule` gives that text.
 *
 * Consumes: a freshly parsed `Module` (it is changed in place: parse the text again for this) and the
 * target LLVM major version. Produces: the same module, with every construct the target's `.ll` reader
 * does not know dropped or rewritten, and a `DowngradeReport` of what was changed.
 *
 * Everything dropped is an assumption the optimiser may use, never a meaning, so the module still runs the
 * same way (the replay builds it at -O0):
 * - attributes newer than the target (`ATTR_SINCE`): `captures(none)` becomes `nocapture` (its LLVM 20
 *   spelling), any other `captures(...)` is dropped (the LLVM 20 default is "may capture"), `initializes`,
 *   `dead_on_return`, `noext`, ... are dropped; a `memory(...)` naming a location the target lacks
 *   (`errnomem`, LLVM 21; `target_mem0/1`, LLVM 22) is dropped whole, since removing one location would
 *   claim that memory untouched;
 * - instruction flags newer than the target (`samesign` on icmp, LLVM 20);
 * - calls of `llvm.lifetime.start/end` with the LLVM 22 signature (no size): lifetime markers are
 *   hints, and the target's verifier rejects the new signature; the declarations go too;
 * - debug information (the `!dbg` attachments, debug records, `llvm.dbg.*` named metadata and every
 *   metadata node only they reach): LLVM 21/22 debug nodes carry fields the target's reader refuses
 *   (`keyInstructions:`, `atomGroup:`), and the replay needs no line tables.
 *
 * A module from the target's own LLVM or an older one is left as it is (`needsDowngrade` says whether a
 * module's producer is newer; a clang module of the same version never is, so the C/C++ path is
 * byte-identical).
 */
import type { Attr, AttrList, Func, Instr, Module } from './model.js';

/** The first LLVM major version whose `.ll` reader knows the attribute. Older versions get it dropped. */
const ATTR_SINCE: Readonly<Record<string, number>> = {
  captures: 21,
  initializes: 20,
  dead_on_return: 21,
  noext: 20,
  nodivergencesource: 20,
  sanitize_type: 20,
  sanitize_realtime: 20,
  sanitize_realtime_blocking: 20,
  coro_elide_safe: 20,
  nocreateundeforpoison: 22,
  sanitize_alloc_token: 22,
  denormal_fpenv: 22,
  no_sanitize_bounds: 22,
};

/** `memory(...)` locations by the version that introduced them. */
const MEMORY_LOCATION_SINCE: Readonly<Record<string, number>> = {
  errnomem: 21,
  target_mem0: 22,
  target_mem1: 22,
};

/** Instruction flags by the version that introduced them. */
const FLAG_SINCE: Readonly<Record<string, number>> = { samesign: 20 };

/** What a downgrade changed, by kind (for messages and tests). */
export interface DowngradeReport {
  /** Attributes dropped or rewritten, by name. */
  readonly attrs: Map<string, number>;
  /** Instruction flags dropped, by name. */
  readonly flags: Map<string, number>;
  /** Calls and declarations of intrinsics removed (lifetime markers). */
  removedCalls: number;
  /** Whether debug information was removed. */
  debugInfo: boolean;
}

/**
 * The LLVM major version that wrote a module, from its `llvm.ident` (`clang version 19.1.7`) or, for
 * rustc (`rustc version 1.95.0`), undefined: rustc's ident names no LLVM version.
 */
export function producerLLVMMajor(m: Module): number | undefined {
  const ident = m.metadata.get('llvm.ident');
  if (ident === undefined) return undefined;
  const ids = [...ident.matchAll(/!(\d+)/g)].map((r) => m.metadata.get(r[1]!) ?? '');
  const c = /clang version (\d+)\./.exec(ids.join(' '));
  return c === null ? undefined : Number(c[1]);
}

/**
 * Whether the module must be downgraded for clang `major`: written by a newer clang, or by a producer that
 * is not clang at all (rustc; its LLVM is newer than 19 from rustc 1.87 on). A module without `llvm.ident`
 * (hand-written, or from `llvm-dis`) is taken as the target's own.
 */
export function needsDowngrade(m: Module, major: number): boolean {
  const ident = m.metadata.get('llvm.ident');
  if (ident === undefined) return false;
  const v = producerLLVMMajor(m);
  return v === undefined ? true : v > major;
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** The attribute as the target writes it, or undefined to drop it. */
function downgradeAttr(a: Attr, major: number, rep: DowngradeReport): Attr | undefined {
  if (a.name === 'captures' && major < 21) {
    count(rep.attrs, 'captures');
    const v = (a.value ?? '').replace(/[()\s]/g, '');
    return v === 'none' ? { name: 'nocapture' } : undefined;
  }
  const since = ATTR_SINCE[a.name];
  if (since !== undefined && since > major) {
    count(rep.attrs, a.name);
    return undefined;
  }
  if (a.name === 'memory' && a.value !== undefined) {
    for (const r of a.value.matchAll(/([a-z_0-9]+)\s*:/g)) {
      const s = MEMORY_LOCATION_SINCE[r[1]!];
      if (s !== undefined && s > major) {
        count(rep.attrs, `memory(${r[1]!})`);
        return undefined;
      }
    }
  }
  return a;
}

function downgradeAttrs(attrs: readonly Attr[], major: number, rep: DowngradeReport): Attr[] | undefined {
  let out: Attr[] | undefined;
  for (const [k, a] of attrs.entries()) {
    const b = downgradeAttr(a, major, rep);
    if (b !== a && out === undefined) out = attrs.slice(0, k);
    if (out !== undefined && b !== undefined) out.push(b);
  }
  return out;
}

function downgradeList(l: AttrList, major: number, rep: DowngradeReport): AttrList {
  const attrs = downgradeAttrs(l.attrs, major, rep);
  return attrs === undefined ? l : { attrs, groups: l.groups };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function isNewLifetime(f: Func): boolean {
  return /^llvm\.lifetime\.(start|end)\b/.test(f.name) && f.params.length === 1;
}

function downgradeInstr(i: Instr, major: number, rep: DowngradeReport): void {
  const w = i as Mutable<Instr> & { flags?: readonly string[] };
  if (w.flags !== undefined && w.flags.some((f) => (FLAG_SINCE[f] ?? 0) > major)) {
    for (const f of w.flags) if ((FLAG_SINCE[f] ?? 0) > major) count(rep.flags, f);
    w.flags = w.flags.filter((f) => (FLAG_SINCE[f] ?? 0) <= major);
  }
  if (i.op === 'call' || i.op === 'invoke' || i.op === 'callbr') {
    const c = i as Mutable<typeof i>;
    c.retAttrs = downgradeList(c.retAttrs, major, rep);
    c.fnAttrs = downgradeList(c.fnAttrs, major, rep);
    if (c.args.some((x) => x.attrs.attrs.length > 0))
      c.args = c.args.map((x) => ({ value: x.value, attrs: downgradeList(x.attrs, major, rep) }));
  }
}

function downgradeFunc(f: Func, major: number, rep: DowngradeReport): void {
  const w = f as Mutable<Func>;
  w.retAttrs = downgradeList(f.retAttrs, major, rep);
  w.fnAttrs = downgradeList(f.fnAttrs, major, rep);
  w.params = f.params.map((p) => ({ ...p, attrs: downgradeList(p.attrs, major, rep) }));
  for (const b of f.blocks) {
    const kept = b.instrs.filter((i) => {
      if (i.op !== 'call' || i.callee.kind !== 'function' || !isNewLifetime(i.callee)) return true;
      rep.removedCalls++;
      return false;
    });
    if (kept.length !== b.instrs.length) (b as { instrs: Instr[] }).instrs = kept;
    for (const i of b.instrs) downgradeInstr(i, major, rep);
  }
}

/** Remove debug information: attachments, records, `llvm.dbg.*`, and metadata nodes nothing else reaches. */
function stripDebugInfo(m: Module, rep: DowngradeReport): void {
  const roots: string[] = [];
  const dropDbg = (md: string | undefined): string | undefined => {
    if (md === undefined) return undefined;
    const t = md.replace(/,?\s*!dbg\s+!\d+/g, '');
    if (t.trim() === '' || t.trim() === ',') return undefined;
    roots.push(t);
    return t;
  };
  for (const g of m.globals) {
    const w = g as { md?: string | undefined; dbg?: number };
    if (g.kind === 'function') {
      w.md = dropDbg(g.md);
      w.dbg = -1;
      for (const b of g.blocks)
        for (const i of b.instrs) {
          i.dbg = -1;
          i.dbgRecords = undefined;
          i.md = dropDbg(i.md);
          if (i.op === 'call' || i.op === 'invoke')
            for (const a of i.args) if (a.value.kind === 'metadata') roots.push(a.value.text);
        }
    } else if (g.kind === 'gvar') {
      w.md = g.md === undefined ? undefined : dropDbg(g.md.replace(/!dbg\s+!\d+/g, ''));
    }
  }
  for (const k of [...m.metadata.keys()]) {
    if (k.startsWith('llvm.dbg.') || k.startsWith('!llvm.dbg.')) m.metadata.delete(k);
    else if (!/^\d+$/.test(k)) roots.push(m.metadata.get(k) as string);
  }
  // Keep the numbered nodes the roots reach; module flags (`Debug Info Version`) are kept as they are.
  const keep = new Set<string>();
  const work = roots.flatMap((t) => [...t.matchAll(/!(\d+)/g)].map((r) => r[1]!));
  while (work.length > 0) {
    const n = work.pop() as string;
    if (keep.has(n)) continue;
    keep.add(n);
    const t = m.metadata.get(n);
    if (t !== undefined) for (const r of t.matchAll(/!(\d+)/g)) work.push(r[1]!);
  }
  for (const k of [...m.metadata.keys()]) if (/^\d+$/.test(k) && !keep.has(k)) m.metadata.delete(k);
  rep.debugInfo = true;
}

/**
 * Rewrite `m` in place into the `.ll` dialect of LLVM `major` (see the file header). Use on a module of
 * its own (parse the text again): the rewrite is not undone.
 */
export function downgradeModule(m: Module, major: number): DowngradeReport {
  const rep: DowngradeReport = { attrs: new Map(), flags: new Map(), removedCalls: 0, debugInfo: false };
  for (const [n, as] of m.attrGroups) {
    const d = downgradeAttrs(as, major, rep);
    if (d !== undefined) m.attrGroups.set(n, d);
  }
  for (const g of m.globals) if (g.kind === 'function') downgradeFunc(g, major, rep);
  const dead = m.globals.filter((g) => g.kind === 'function' && g.blocks.length === 0 && isNewLifetime(g));
  for (const g of dead) {
    m.globals.splice(m.globals.indexOf(g), 1);
    m.symbols.delete(g.name);
    rep.removedCalls++;
  }
  stripDebugInfo(m, rep);
  return rep;
}
