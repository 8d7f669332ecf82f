/**
 * @fileoverview Stage: ir. The module summary behind `inputsmith inspect`: what a user wants to know about a
 * module before generating inputs for it.
 *
 * Consumes: a parsed `Module`. Produces: a `ModuleSummary` (plain JSON data, the `inspect --json` format,
 * documented field by field in docs/inspect-json.md; `formatVersion` changes whenever a field changes
 * meaning or disappears) and its human-readable rendering (`formatSummary`).
 *
 * Everything here is a static reading of the IR: call counts are call sites, not executions, and memory
 * effects are those of the function's own instructions (callees are not followed).
 */
import { blockSuccessors } from './cfg.js';
import { DataLayout } from './datalayout.js';
import { debugLocation } from './debuginfo.js';
import type { Attr, AttrList, Block, Func, GlobalVar, Module, Value } from './model.js';
import { printType } from './printer.js';
import type { Type } from './types.js';

export const SUMMARY_FORMAT_VERSION = 1;

export interface CallCount {
  readonly name: string;
  readonly count: number;
}

export interface ParamSummary {
  /** IR type text (`ptr`, `i32`, `%struct.S`). */
  readonly type: string;
  /** Parameter attributes as written in the IR (`noundef`, `byval(%struct.S)`, `align 8`). */
  readonly attrs: readonly string[];
}

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

export interface FunctionSummary {
  readonly name: string;
  /** IR linkage keyword; `external` when none is written. */
  readonly linkage: string;
  /** IR function type text without the name: `i32 (ptr, i64)`. */
  readonly signature: string;
  /** A C-like spelling reconstructed from IR types and attributes: `int f(void *, long)`. */
  readonly cSignature: string;
  readonly returnType: string;
  readonly returnAttrs: readonly string[];
  readonly params: readonly ParamSummary[];
  readonly varargs: boolean;
  readonly blocks: number;
  readonly instructions: number;
  /** Direct calls (call, invoke, callbr) to named functions other than intrinsics, by callee name. */
  readonly callees: readonly CallCount[];
  /** Calls through a pointer. */
  readonly indirectCalls: number;
  /** Calls of inline assembly. */
  readonly asmCalls: number;
  /** Calls of `llvm.*` intrinsics, by name. */
  readonly intrinsics: readonly CallCount[];
  /** Number of CFG back edges (depth-first from the entry block); 0 means the function has no loops. */
  readonly backEdges: number;
  readonly hasLoops: boolean;
  /** Loads (or other reads) through addresses not derived from this function's own allocas. */
  readonly readsMemory: boolean;
  /** Stores, atomics or memset/memcpy destinations not derived from this function's own allocas. */
  readonly writesMemory: boolean;
  /** Source location of the definition from debug info, or null without debug info. */
  readonly source: SourceLocation | null;
}

export interface ExternalSummary {
  readonly name: string;
  readonly signature: string;
  /** Call sites in defined functions. */
  readonly callSites: number;
  /** Defined functions with at least one call site, sorted by name. */
  readonly callers: readonly string[];
  /** Whether the engine models this function (its libc models); null while unknown. */
  readonly modelled: boolean | null;
}

export interface GlobalSummary {
  readonly name: string;
  readonly linkage: string;
  /** IR value type text. */
  readonly type: string;
  /** Alloc size in bytes under the module's data layout, or null for unsized (opaque) types. */
  readonly size: number | null;
  readonly constant: boolean;
  /** False for declarations (`external global`): the value comes from another module. */
  readonly defined: boolean;
  readonly threadLocal: boolean;
}

export interface ModuleSummary {
  readonly formatVersion: 1;
  /** The file the module was read from, or null. */
  readonly file: string | null;
  readonly sourceFilename: string | null;
  readonly triple: string | null;
  readonly dataLayout: string | null;
  readonly pointerSize: number;
  readonly bigEndian: boolean;
  readonly counts: {
    /** Functions with a body. */
    readonly functions: number;
    /** Declared-only functions other than intrinsics (the `externals`). */
    readonly externals: number;
    readonly intrinsics: number;
    readonly globals: number;
    readonly aliases: number;
    readonly ifuncs: number;
    readonly blocks: number;
    readonly instructions: number;
    /** Direct call sites (of anything but intrinsics), in defined functions. */
    readonly directCalls: number;
    readonly indirectCalls: number;
  };
  readonly functions: readonly FunctionSummary[];
  readonly externals: readonly ExternalSummary[];
  readonly globals: readonly GlobalSummary[];
}

/** Summarizes a module. Throws `UserError` only for an invalid datalayout string. */
export function summarizeModule(m: Module): ModuleSummary {
  const dl = DataLayout.parse(m.dataLayout, { file: m.file });
  const functions: FunctionSummary[] = [];
  const externalCalls = new Map<string, { sites: number; callers: Set<string> }>();
  let blocks = 0;
  let instructions = 0;
  let directCalls = 0;
  let indirectCalls = 0;
  let externals = 0;
  let intrinsics = 0;
  let globals = 0;
  let aliases = 0;
  let ifuncs = 0;

  for (const g of m.globals) {
    if (g.kind === 'gvar') globals++;
    else if (g.kind === 'alias') aliases++;
    else if (g.kind === 'ifunc') ifuncs++;
    else if (g.blocks.length === 0) {
      if (isIntrinsic(g.name)) intrinsics++;
      else externals++;
    }
  }

  for (const g of m.globals) {
    if (g.kind !== 'function' || g.blocks.length === 0) continue;
    const fs = summarizeFunction(m, g, dl);
    functions.push(fs);
    blocks += fs.blocks;
    instructions += fs.instructions;
    indirectCalls += fs.indirectCalls;
    for (const c of fs.callees) {
      directCalls += c.count;
      let e = externalCalls.get(c.name);
      if (e === undefined) externalCalls.set(c.name, (e = { sites: 0, callers: new Set() }));
      e.sites += c.count;
      e.callers.add(fs.name);
    }
  }

  const externalList: ExternalSummary[] = [];
  for (const g of m.globals) {
    if (g.kind !== 'function' || g.blocks.length > 0 || isIntrinsic(g.name)) continue;
    const e = externalCalls.get(g.name);
    externalList.push({
      name: g.name,
      signature: printType(g.funcType),
      callSites: e?.sites ?? 0,
      callers: e !== undefined ? [...e.callers].sort() : [],
      modelled: null,
    });
  }

  const globalList: GlobalSummary[] = [];
  for (const g of m.globals) {
    if (g.kind === 'gvar') globalList.push(summarizeGlobal(g, dl));
  }

  return {
    formatVersion: SUMMARY_FORMAT_VERSION,
    file: m.file ?? null,
    sourceFilename: m.sourceFilename ?? null,
    triple: m.triple ?? null,
    dataLayout: m.dataLayout ?? null,
    pointerSize: dl.pointerSize(),
    bigEndian: dl.bigEndian,
    counts: {
      functions: functions.length,
      externals,
      intrinsics,
      globals,
      aliases,
      ifuncs,
      blocks,
      instructions,
      directCalls,
      indirectCalls,
    },
    functions,
    externals: externalList,
    globals: globalList,
  };
}

function isIntrinsic(name: string): boolean {
  return name.startsWith('llvm.');
}

function summarizeGlobal(g: GlobalVar, dl: DataLayout): GlobalSummary {
  return {
    name: g.name,
    linkage: g.linkage ?? 'external',
    type: printType(g.valueType),
    size: dl.isSized(g.valueType) ? dl.allocSize(g.valueType) : null,
    constant: g.isConstant,
    defined: g.init !== undefined,
    threadLocal: g.threadLocal !== undefined,
  };
}

function summarizeFunction(m: Module, f: Func, dl: DataLayout): FunctionSummary {
  const callees = new Map<string, number>();
  const intrinsicCalls = new Map<string, number>();
  let indirect = 0;
  let asm = 0;
  let instructions = 0;
  const local = stackAddresses(f);
  let reads = false;
  let writes = false;
  const nonLocal = (v: Value): boolean => !(v.kind === 'local' && local.has(v.id));

  for (const b of f.blocks) {
    for (const i of b.instrs) {
      instructions++;
      switch (i.op) {
        case 'load':
        case 'va_arg':
          if (nonLocal(i.op === 'load' ? i.ptr : i.list)) reads = true;
          break;
        case 'store':
          if (nonLocal(i.ptr)) writes = true;
          break;
        case 'atomicrmw':
        case 'cmpxchg':
          if (nonLocal(i.ptr)) reads = writes = true;
          break;
        case 'call':
        case 'invoke':
        case 'callbr': {
          const c = i.callee;
          if (c.kind === 'asm') asm++;
          else if (c.kind === 'function' || c.kind === 'alias' || c.kind === 'ifunc') {
            if (isIntrinsic(c.name)) {
              intrinsicCalls.set(c.name, (intrinsicCalls.get(c.name) ?? 0) + 1);
              const eff = memIntrinsicEffect(c.name);
              if (eff !== undefined) {
                if (eff.writes && i.args.length > 0 && nonLocal(i.args[0].value)) writes = true;
                if (eff.readsArg1 && i.args.length > 1 && nonLocal(i.args[1].value)) reads = true;
              }
            } else callees.set(c.name, (callees.get(c.name) ?? 0) + 1);
          } else indirect++;
          break;
        }
        default:
          break;
      }
    }
  }

  const backEdges = countBackEdges(f);
  const params = f.params.map((p) => ({ type: printType(p.type), attrs: attrStrings(p.attrs) }));
  const loc = debugLocation(m, f.dbg);
  return {
    name: f.name,
    linkage: f.linkage ?? 'external',
    signature: printType(f.funcType),
    cSignature: cSignature(f, dl),
    returnType: printType(f.funcType.ret),
    returnAttrs: attrStrings(f.retAttrs),
    params,
    varargs: f.funcType.varargs,
    blocks: f.blocks.length,
    instructions,
    callees: sortedCounts(callees),
    indirectCalls: indirect,
    asmCalls: asm,
    intrinsics: sortedCounts(intrinsicCalls),
    backEdges,
    hasLoops: backEdges > 0,
    readsMemory: reads,
    writesMemory: writes,
    source: loc !== undefined ? { file: loc.file, line: loc.line } : null,
  };
}

function sortedCounts(m: Map<string, number>): CallCount[] {
  return [...m.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, count]) => ({ name, count }));
}

/** Memory effects of the llvm.mem* intrinsics on their pointer arguments. */
function memIntrinsicEffect(name: string): { writes: boolean; readsArg1: boolean } | undefined {
  if (name.startsWith('llvm.memset.')) return { writes: true, readsArg1: false };
  if (name.startsWith('llvm.memcpy.') || name.startsWith('llvm.memmove.')) {
    return { writes: true, readsArg1: true };
  }
  return undefined;
}

/**
 * Ids of locals that are addresses in the function's own stack frame: alloca results and getelementptrs
 * of them (to a fixed point, in block order; phis and selects of them are not followed).
 */
function stackAddresses(f: Func): Set<number> {
  const s = new Set<number>();
  for (const b of f.blocks) {
    for (const i of b.instrs) {
      if (i.result === undefined) continue;
      if (i.op === 'alloca') s.add(i.result.id);
      else if (i.op === 'getelementptr' && i.ptr.kind === 'local' && s.has(i.ptr.id)) s.add(i.result.id);
    }
  }
  return s;
}

/** Edges to a block on the current depth-first path from the entry block (iterative DFS). */
function countBackEdges(f: Func): number {
  const n = f.blocks.length;
  if (n === 0) return 0;
  const state = new Uint8Array(n); // 0 new, 1 on path, 2 done
  const succs: Block[][] = f.blocks.map(blockSuccessors);
  let back = 0;
  const stack: { b: number; next: number }[] = [{ b: 0, next: 0 }];
  state[0] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const ss = succs[top.b];
    if (top.next < ss.length) {
      const s = ss[top.next++].index;
      if (state[s] === 1) back++;
      else if (state[s] === 0) {
        state[s] = 1;
        stack.push({ b: s, next: 0 });
      }
    } else {
      state[top.b] = 2;
      stack.pop();
    }
  }
  return back;
}

/** An attribute as the IR writes it. */
export function attrString(a: Attr): string {
  if (a.type !== undefined) return `${a.name}(${printType(a.type)})`;
  if (a.value === undefined) return a.name;
  if (a.name.startsWith('"')) return `${a.name}="${a.value}"`;
  if (a.name === 'align') return `align ${a.value.replace(/^\(\s*|\s*\)$/g, '')}`;
  return a.value.startsWith('(') ? `${a.name}${a.value}` : `${a.name}(${a.value})`;
}

function attrStrings(l: AttrList): string[] {
  return l.attrs.map(attrString);
}

// ---------------------------------------------------------------------------------------------------
// C-like spelling

function hasAttr(l: AttrList, name: string): Attr | undefined {
  return l.attrs.find((a) => a.name === name);
}

const C_FLOATS: Readonly<Record<string, string>> = {
  x86_fp80: 'long double',
  fp128: '__float128',
  half: '_Float16',
  bfloat: '__bf16',
};

/** A C spelling of an IR type, guided by signext/zeroext; `long` is 64-bit only under 64-bit pointers. */
function cType(t: Type, attrs: AttrList, longBits: number): string {
  const byval = hasAttr(attrs, 'byval') ?? hasAttr(attrs, 'byref');
  if (byval?.type !== undefined) return cType(byval.type, { attrs: [], groups: [] }, longBits);
  const sign =
    hasAttr(attrs, 'zeroext') !== undefined ? 'unsigned ' : hasAttr(attrs, 'signext') ? 'signed ' : '';
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'ptr':
      return 'void *';
    case 'int':
      if (t.bits === 1) return '_Bool';
      if (t.bits === 8) return `${sign}char`;
      if (t.bits === 16) return sign === 'unsigned ' ? 'unsigned short' : 'short';
      if (t.bits === 32) return sign === 'unsigned ' ? 'unsigned int' : 'int';
      if (t.bits === 64) return longBits === 64 ? 'long' : 'long long';
      if (t.bits === 128) return '__int128';
      return `_BitInt(${t.bits})`;
    case 'float':
      return C_FLOATS[t.fk] ?? t.fk;
    case 'struct':
      if (t.name !== undefined) {
        const m = /^(struct|union|class)\.(.+)$/.exec(t.name);
        if (m !== null) return `${m[1]} ${m[2]}`;
      }
      return printType(t);
    default:
      return printType(t);
  }
}

function cSignature(f: Func, dl: DataLayout): string {
  const longBits = dl.pointerSize() === 8 ? 64 : 32;
  const sret = f.params.length > 0 ? hasAttr(f.params[0].attrs, 'sret') : undefined;
  const ret =
    sret?.type !== undefined
      ? cType(sret.type, { attrs: [], groups: [] }, longBits)
      : cType(f.funcType.ret, f.retAttrs, longBits);
  const ps = (sret !== undefined ? f.params.slice(1) : f.params).map((p) => cType(p.type, p.attrs, longBits));
  if (f.funcType.varargs) ps.push('...');
  const args = ps.length === 0 ? 'void' : ps.join(', ');
  return `${ret}${ret.endsWith('*') ? '' : ' '}${f.name}(${args})`;
}

// ---------------------------------------------------------------------------------------------------
// Human-readable rendering

/** Renders rows as columns separated by two spaces; columns listed in `right` are right-aligned. */
function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number>,
): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, c) => (right.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 3)}...`;
}

/** The human-readable report of `inputsmith inspect`: module facts, then functions, externals, globals. */
export function formatSummary(s: ModuleSummary): string {
  const out: string[] = [];
  const c = s.counts;
  out.push(`module      ${s.file ?? s.sourceFilename ?? '(unnamed)'}`);
  out.push(`triple      ${s.triple ?? '(none)'}`);
  out.push(`datalayout  ${s.dataLayout ?? '(none: LLVM defaults)'}`);
  out.push(
    `counts      ${c.functions} functions, ${c.externals} externals, ${c.globals} globals, ` +
      `${c.blocks} blocks, ${c.instructions} instructions, ${c.directCalls} direct calls, ` +
      `${c.indirectCalls} indirect calls`,
  );

  out.push('', `functions (${s.functions.length})`);
  if (s.functions.length > 0) {
    const rows = s.functions.map((f) => [
      f.name,
      f.linkage,
      clip(f.signature, 40),
      String(f.blocks),
      String(f.instructions),
      f.hasLoops ? 'yes' : 'no',
      (f.readsMemory ? 'r' : '-') + (f.writesMemory ? 'w' : '-'),
      f.source !== null ? `${f.source.file}:${f.source.line}` : '-',
      [
        ...f.callees.map((x) => (x.count > 1 ? `${x.name} x${x.count}` : x.name)),
        ...(f.indirectCalls > 0 ? [`(indirect) x${f.indirectCalls}`] : []),
      ].join(', '),
    ]);
    out.push(
      table(
        ['name', 'linkage', 'signature', 'blocks', 'instrs', 'loops', 'mem', 'source', 'calls'],
        rows,
        new Set([3, 4]),
      ),
    );
  }

  out.push('', `externals (${s.externals.length})`);
  if (s.externals.length > 0) {
    const rows = s.externals.map((e) => [
      e.name,
      clip(e.signature, 40),
      String(e.callSites),
      clip(e.callers.join(', '), 50),
      e.modelled === null ? '?' : e.modelled ? 'yes' : 'no',
    ]);
    out.push(table(['name', 'signature', 'calls', 'callers', 'modelled'], rows, new Set([2])));
  }

  out.push('', `globals (${s.globals.length})`);
  if (s.globals.length > 0) {
    const rows = s.globals.map((g) => [
      g.name,
      g.size === null ? '?' : String(g.size),
      g.constant ? 'constant' : 'writable',
      g.defined ? g.linkage : 'declared',
      clip(g.type, 50),
    ]);
    out.push(table(['name', 'size', 'kind', 'linkage', 'type'], rows, new Set([1])));
  }
  return out.join('\n') + '\n';
}
