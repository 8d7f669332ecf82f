/**
 * @fileoverview Stage: replay (native). Builds the one native replay executable of a module.
 *
 * Consumes: the module's IR text, its parsed `Module`, the input records to replay. Produces: a
 * `NativePlan`: the executable (the module's IR with appended entry stubs, symbol tables and external
 * stubs, compiled by clang together with the fixed driver of native-driver.ts) and the tables the image
 * writer and the result checker need (entry index per function, global and function table indices,
 * stubbed externals with their ids, argument slot offsets).
 *
 * The module text is edited, not re-printed: a definition of `main` is renamed (the driver has its own),
 * declarations of stubbed externals are replaced by definitions, and new IR is appended. Everything added
 * is named `__inputsmith_*`. Entry stubs live in the module, so `internal` (static) functions can be
 * called, and they call with the function's exact IR signature, parameter attributes and calling
 * convention, so the ABI is exactly clang's.
 *
 * Which externals are stubbed: every function a record's `calls` names (the engine did not model it and
 * returned a recorded value), plus any declared symbol the link cannot resolve (found from the linker's
 * errors, then linked again); those stubs diverge when called. Generated stubs (gen/stubs.ts) that the
 * records name are declared in a view of the module and stubbed the same way. Everything else links
 * against the real libc and libm.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataLayout } from '../ir/datalayout.js';
import {
  hasAttribute,
  type Attr,
  type AttrList,
  type Func,
  type GlobalVar,
  type Module,
} from '../ir/model.js';
import { printName, printType } from '../ir/printer.js';
import type { FuncType, Type } from '../ir/types.js';
import { RDTSC_VALUE } from '../engine/asm.js';
import { CPUID_LEAVES, cpuidRegisters } from '../engine/cpuid.js';
import { externalAttrs } from '../engine/externals.js';
import '../engine/libc/index.js'; // registers the externals' attributes read here
import { UNSIZED_DECLARATION_BYTES } from '../engine/link.js';
import { VA_EXTRA, type InputRecord, type PtrTarget, type ValueRec } from '../gen/record.js';
import { isStubName, stubDeclarations, withStubs } from '../gen/stubs.js';
import { findToolchain } from '../toolchain/find.js';
import { UserError } from '../util/errors.js';
import { hashParts } from '../util/fsx.js';
import { run } from '../util/proc.js';
import { DRIVER_C } from './native-driver.js';
import { replayDialectText } from './native-dialect.js';

/** Where each argument of an entry lives in the argument buffer. */
export interface EntryInfo {
  readonly index: number;
  readonly func: Func;
  /** Byte offset of each parameter's slot. */
  readonly slots: readonly number[];
  /** Size of the argument buffer. */
  readonly argsSize: number;
  /** Why the function cannot be replayed natively, if it cannot (then it has no entry stub). */
  readonly unsupported?: string;
}

export interface NativePlan {
  readonly module: Module;
  readonly dl: DataLayout;
  /** Absolute path of the executable. */
  readonly exe: string;
  readonly entries: ReadonlyMap<string, EntryInfo>;
  /** `__inputsmith_globals` table: global variables by index, and index by name. */
  readonly globals: readonly GlobalVar[];
  readonly globalIndex: ReadonlyMap<string, number>;
  /** `__inputsmith_funcs` table. */
  readonly funcs: readonly Func[];
  readonly funcIndex: ReadonlyMap<string, number>;
  /** Stubbed external functions by name: the id `__inputsmith_next_call` receives. */
  readonly stubs: ReadonlyMap<string, number>;
  /** The module calls a libm function (results of which may differ by 1 ulp). */
  readonly callsLibm: boolean;
}

/** Math library functions whose results are allowed to differ by 1 ulp natively. */
const LIBM = new Set(
  (
    'sin cos tan asin acos atan atan2 sinh cosh tanh asinh acosh atanh exp exp2 expm1 log log2 log10 log1p ' +
    'pow cbrt hypot erf erfc tgamma lgamma j0 j1 y0 y1 sincos exp10'
  )
    .split(' ')
    .flatMap((n) => [n, n + 'f', n + 'l']),
);

const RENAMED_MAIN = '__inputsmith_orig_main';

/** `@name` as IR writes it (numbered globals bare, others quoted when needed). */
export function globalRef(name: string): string {
  return '@' + (/^[0-9]+$/.test(name) ? name : printName(name));
}

/** The name the combined module uses for a function of the original module. */
function renamed(m: Module, name: string): string {
  return name === 'main' && isDefinedFunc(m, 'main') ? RENAMED_MAIN : name;
}

function isDefinedFunc(m: Module, name: string): boolean {
  const g = m.symbols.get(name);
  return g !== undefined && g.kind === 'function' && g.blocks.length > 0;
}

/**
 * Replace every reference `@from` outside string literals by `@to` (`@from` followed by a character that
 * cannot continue a name).
 */
function renameGlobal(text: string, from: string, to: string): string {
  const needle = globalRef(from);
  const out: string[] = [];
  let i = 0;
  let last = 0;
  let inString = false;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      inString = !inString;
      i++;
      continue;
    }
    if (c === 10) inString = false;
    if (!inString && c === 64 /* @ */ && text.startsWith(needle, i)) {
      const next = text[i + needle.length] ?? '';
      if (!/[-a-zA-Z$._0-9]/.test(next)) {
        out.push(text.slice(last, i), globalRef(to));
        i += needle.length;
        last = i;
        continue;
      }
    }
    i++;
  }
  out.push(text.slice(last));
  return out.join('');
}

// ---------------------------------------------------------------------------------------------------
// Attributes that change how a call is lowered (the rest are assumptions and may be dropped)

const ABI_PARAM_ATTRS = new Set([
  'zeroext',
  'signext',
  'noext',
  'inreg',
  'byval',
  'sret',
  'nest',
  'swiftself',
  'swiftasync',
  'swifterror',
  'byref',
]);
const UNSUPPORTED_PARAM_ATTRS = new Set(['inalloca', 'preallocated', 'swifterror']);

export function printAbiAttrs(l: AttrList, withAlign: boolean): string {
  const parts: string[] = [];
  for (const a of l.attrs) {
    if (ABI_PARAM_ATTRS.has(a.name))
      parts.push(a.type !== undefined ? `${a.name}(${printType(a.type)})` : a.name);
    else if (a.name === 'align' && withAlign && a.value !== undefined) {
      parts.push(`align ${a.value.replace(/[()=\s]/g, '')}`);
    }
  }
  return parts.length === 0 ? '' : ' ' + parts.join(' ');
}

function hasAttr(l: AttrList, name: string): Attr | undefined {
  return l.attrs.find((a) => a.name === name);
}

/** Slot layout of a function's arguments: each 16-aligned, alloc-size long. */
export function argSlots(f: Func, dl: DataLayout): { slots: number[]; size: number } {
  const slots: number[] = [];
  let off = 0;
  for (const p of f.params) {
    slots.push(off);
    off += Math.ceil(Math.max(dl.allocSize(p.type), 1) / 16) * 16;
  }
  if (f.funcType.varargs)
    for (let k = 0; k < VA_EXTRA; k++) {
      slots.push(off);
      off += 16;
    }
  return { slots, size: Math.max(off, 16) };
}

export function unsupportedSignature(f: Func, dl: DataLayout): string | undefined {
  for (const [i, p] of f.params.entries()) {
    if (!dl.isSized(p.type)) return `parameter ${i} has an unsized type`;
    for (const a of p.attrs.attrs) {
      if (UNSUPPORTED_PARAM_ATTRS.has(a.name)) return `parameter ${i} is ${a.name}`;
    }
    if (p.type.kind === 'vector' && p.type.scalable) return `parameter ${i} is a scalable vector`;
  }
  const ret = f.funcType.ret;
  if (ret.kind === 'vector' && ret.scalable) return 'returns a scalable vector';
  if (ret.kind !== 'void' && !dl.isSized(ret)) return 'returns an unsized type';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Symbols the records name

function visitTargets(r: InputRecord, fn: (t: PtrTarget) => void): void {
  const value = (v: ValueRec | undefined): void => {
    if (v === undefined) return;
    if (v.t === 'ptr') fn(v);
    else if (v.t === 'agg') v.elems.forEach(value);
  };
  r.args.forEach(value);
  for (const o of r.objects) for (const rl of o.relocs) if (rl.to !== null) fn(rl.to);
  for (const g of r.globals) for (const rl of g.relocs) if (rl.to !== null) fn(rl.to);
  for (const c of r.calls) value(c.ret);
  value(r.outcome.ret);
  for (const o of r.outcome.memory.objects) for (const rl of o.relocs) if (rl.to !== null) fn(rl.to);
  for (const g of r.outcome.memory.globals) for (const rl of g.relocs) if (rl.to !== null) fn(rl.to);
}

/**
 * The module with declarations of the generated stubs the records name (gen/stubs.ts), which `emit` defines
 * like stubbed externals: each returns the record's next call result.
 */
export function withRecordStubs(m: Module, records: readonly InputRecord[]): Module {
  const named = new Set<string>();
  for (const r of records) {
    visitTargets(r, (t) => {
      if ('fn' in t && isStubName(t.fn)) named.add(t.fn);
    });
    for (const c of r.calls) if (isStubName(c.fn)) named.add(c.fn);
  }
  return named.size === 0
    ? m
    : withStubs(
        m,
        stubDeclarations(m).filter((f) => named.has(f.name)),
      );
}

// ---------------------------------------------------------------------------------------------------
// Emission

interface Emitted {
  text: string;
  plan: Omit<NativePlan, 'exe'>;
}

/** Build the combined IR text. `extraStubs`: unresolved declarations found by a previous link attempt. */
function emit(
  text: string,
  m: Module,
  records: readonly InputRecord[],
  extraStubs: ReadonlySet<string>,
): Emitted {
  const dl = DataLayout.parse(m.dataLayout);
  const wanted = wantedSymbols(records);
  const { stubs, stubGlobals } = chooseStubs(m, wanted.calledStubs, extraStubs);
  const { globals, funcs } = symbolTables(m, dl, wanted, stubs);
  const edited = editModuleText(text, m, dl, stubs, stubGlobals);

  const out: string[] = [edited.body, '', '; ---- appended by inputsmith native replay ----'];
  out.push('declare ptr @__inputsmith_next_call(i32)');
  out.push('declare void @__inputsmith_noreturn()');
  out.push(...edited.cpuidDefs);
  if (
    (edited.zeroed || edited.cpuidDefs.length > 0) &&
    !/^declare [^\n]*@llvm\.memset\.p0\.i64\(/m.test(edited.body)
  )
    out.push('declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)');
  const { entries, entryRefs } = emitEntries(out, m, dl, records);
  emitSleeps(out, edited.sleeps);
  emitExternalStubs(out, m, stubs);
  emitStubGlobals(out, dl, stubGlobals);
  emitTables(out, m, globals, funcs, entryRefs);
  out.push('');

  const callsLibm = m.globals.some((g) => g.kind === 'function' && g.blocks.length === 0 && LIBM.has(g.name));
  const globalIndex = new Map(globals.map((g, i) => [g.name, i]));
  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  return {
    text: out.join('\n'),
    plan: { module: m, dl, entries, globals, globalIndex, funcs, funcIndex, stubs, callsLibm },
  };
}

export interface WantedSymbols {
  /** Functions and globals the records point to (or give values to). */
  readonly fns: ReadonlySet<string>;
  readonly globals: ReadonlySet<string>;
  /** Externals the records' `calls` name. */
  readonly calledStubs: ReadonlySet<string>;
}

export function wantedSymbols(records: readonly InputRecord[]): WantedSymbols {
  const fns = new Set<string>();
  const globals = new Set<string>();
  const calledStubs = new Set<string>();
  for (const r of records) {
    visitTargets(r, (t) => {
      if ('fn' in t) fns.add(t.fn);
      else if ('global' in t) globals.add(t.global);
    });
    for (const g of r.globals) globals.add(g.name);
    for (const g of r.outcome.memory.globals) globals.add(g.name);
    for (const c of r.calls) calledStubs.add(c.fn);
  }
  return { fns, globals, calledStubs };
}

/**
 * Stubbed functions (declared, not defined, that the records call or that do not link, and the generated
 * stubs the records name), with their ids.
 */
export function chooseStubs(
  m: Module,
  calledStubs: ReadonlySet<string>,
  extraStubs: ReadonlySet<string>,
): { stubs: Map<string, number>; stubGlobals: GlobalVar[] } {
  const stubs = new Map<string, number>();
  const stubGlobals: GlobalVar[] = [];
  for (const g of m.globals) {
    if (g.kind === 'function' && g.blocks.length === 0 && !g.name.startsWith('llvm.')) {
      if (calledStubs.has(g.name) || extraStubs.has(g.name) || isStubName(g.name))
        stubs.set(g.name, stubs.size);
    } else if (g.kind === 'gvar' && g.init === undefined && extraStubs.has(g.name)) {
      stubGlobals.push(g);
    }
  }
  return { stubs, stubGlobals };
}

/** The `__inputsmith_globals` and `__inputsmith_funcs` tables' members, in module order. */
export function symbolTables(
  m: Module,
  dl: DataLayout,
  wanted: WantedSymbols,
  stubs: ReadonlyMap<string, number>,
): { globals: GlobalVar[]; funcs: Func[] } {
  const globals: GlobalVar[] = [];
  const funcs: Func[] = [];
  for (const g of m.globals) {
    if (g.name.startsWith('llvm.') || g.addrSpace !== 0) continue;
    // available_externally bodies are not emitted: such a symbol only links if something else defines it.
    const emitted = g.linkage !== 'available_externally';
    if (g.kind === 'gvar' && dl.isSized(g.valueType)) {
      if ((g.init !== undefined && emitted) || wanted.globals.has(g.name)) globals.push(g);
    }
    if (g.kind === 'function') {
      if ((g.blocks.length > 0 && emitted) || wanted.fns.has(g.name) || stubs.has(g.name)) funcs.push(g);
    }
  }
  return { globals, funcs };
}

/**
 * Edit the original text: rename main, drop the declarations we define (stubs, sleeps) and the stubbed
 * global declarations, zero locals, rewrite cpuid.
 */
function editModuleText(
  text: string,
  m: Module,
  dl: DataLayout,
  stubs: ReadonlyMap<string, number>,
  stubGlobals: readonly GlobalVar[],
): { body: string; sleeps: Func[]; zeroed: boolean; cpuidDefs: string[] } {
  let body = text;
  if (isDefinedFunc(m, 'main')) body = renameGlobal(body, 'main', RENAMED_MAIN);
  const drop = new Set<string>();
  for (const name of stubs.keys()) drop.add(`declare-fn ${globalRef(name)}(`);
  // Sleeping takes no time in the engine (its models return at once): natively too.
  const sleeps = m.globals.filter(
    (g): g is Func =>
      g.kind === 'function' && g.blocks.length === 0 && NO_WAIT.has(g.name) && !stubs.has(g.name),
  );
  for (const f of sleeps) drop.add(`declare-fn ${globalRef(f.name)}(`);
  const lines = body.split('\n');
  const stubGlobalRefs = new Set(stubGlobals.map((g) => globalRef(g.name) + ' '));
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('declare ')) {
      const at = line.indexOf(' @');
      if (at < 0) continue;
      const paren = line.indexOf('(', at);
      if (paren > 0 && drop.has(`declare-fn ${line.slice(at + 1, paren + 1)}`)) lines[i] = '';
    } else if (line.startsWith('@')) {
      const sp = line.indexOf(' ');
      if (sp > 0 && stubGlobalRefs.has(line.slice(0, sp + 1))) lines[i] = '';
    }
  }
  const zeroed = zeroLocals(m, dl, lines);
  const cpuidDefs = rewriteCpuid(m, lines);
  rewriteRdtsc(lines);
  return { body: lines.join('\n'), sleeps, zeroed, cpuidDefs };
}

/** One entry stub per function the records run (unless its signature cannot be called natively). */
function emitEntries(
  out: string[],
  m: Module,
  dl: DataLayout,
  records: readonly InputRecord[],
): { entries: Map<string, EntryInfo>; entryRefs: string[] } {
  const entries = new Map<string, EntryInfo>();
  const entryRefs: string[] = [];
  const fnNames = [...new Set(records.map((r) => r.function))];
  for (const name of fnNames) {
    const g = m.symbols.get(name);
    if (g === undefined || g.kind !== 'function' || g.blocks.length === 0) continue;
    const why = unsupportedSignature(g, dl);
    const { slots, size } = why === undefined ? argSlots(g, dl) : { slots: [], size: 16 };
    if (why !== undefined) {
      entries.set(name, { index: -1, func: g, slots, argsSize: size, unsupported: why });
      continue;
    }
    const index = entryRefs.length;
    const sym = `@__inputsmith_entry_${index}`;
    entryRefs.push(`ptr ${sym}`);
    entries.set(name, { index, func: g, slots, argsSize: size });
    emitEntryStub(out, m, g, sym, slots);
  }
  return { entries, entryRefs };
}

/** `define void @sym(ptr %args, ptr %ret)`: load each argument from its slot, call `g` with its ABI, store. */
function emitEntryStub(out: string[], m: Module, g: Func, sym: string, slots: readonly number[]): void {
  out.push(`define void ${sym}(ptr %args, ptr %ret) {`);
  const callArgs: string[] = [];
  for (const [i, p] of g.params.entries()) {
    const ty = printType(p.type);
    out.push(`  %p${i} = getelementptr inbounds i8, ptr %args, i64 ${slots[i]}`);
    out.push(`  %a${i} = load ${ty}, ptr %p${i}, align 1`);
    const byval = hasAttr(p.attrs, 'byval') !== undefined || hasAttr(p.attrs, 'byref') !== undefined;
    callArgs.push(`${ty}${printAbiAttrs(p.attrs, byval)} %a${i}`);
  }
  if (g.funcType.varargs)
    for (let k = 0; k < VA_EXTRA; k++) {
      const i = g.params.length + k;
      out.push(`  %p${i} = getelementptr inbounds i8, ptr %args, i64 ${slots[i]}`);
      out.push(`  %a${i} = load i64, ptr %p${i}, align 1`);
      callArgs.push(`i64 %a${i}`);
    }
  const ret = g.funcType.ret;
  const cc = g.callingConv !== undefined ? g.callingConv + ' ' : '';
  const retAttrs = printAbiAttrs(g.retAttrs, false);
  const callee = globalRef(renamed(m, g.name));
  const fty = g.funcType.varargs ? printType(g.funcType) : printType(ret);
  const call = `call ${cc}${retAttrs.trimStart()}${retAttrs === '' ? '' : ' '}${fty} ${callee}(${callArgs.join(', ')})`;
  if (ret.kind === 'void') out.push(`  ${call}`);
  else {
    out.push(`  %r = ${call}`);
    out.push(`  store ${printType(ret)} %r, ptr %ret, align 1`);
  }
  out.push('  ret void', '}');
}

/** Sleep functions defined to return 0 at once. */
function emitSleeps(out: string[], sleeps: readonly Func[]): void {
  for (const f of sleeps) {
    const params = f.funcType.params.map((t, i) => `${printType(t)} %a${i}`);
    out.push(`define ${printType(f.funcType.ret)} ${globalRef(f.name)}(${params.join(', ')}) {`);
    out.push(f.funcType.ret.kind === 'void' ? '  ret void' : `  ret ${printType(f.funcType.ret)} 0`, '}');
  }
}

/** External stubs: each returns the record's next call result (the driver checks the call's order). */
export function emitExternalStubs(out: string[], m: Module, stubs: ReadonlyMap<string, number>): void {
  for (const [name, id] of stubs) {
    const f = m.symbols.get(name) as Func;
    const ret = f.funcType.ret;
    const params = f.funcType.params.map((t, i) => `${printType(t)} %a${i}`);
    if (f.funcType.varargs) params.push('...');
    const cc = f.callingConv !== undefined ? f.callingConv + ' ' : '';
    const retAttrs = printAbiAttrs(f.retAttrs, false);
    const storesAt = externalAttrs(name)?.storesResultAt;
    out.push(
      `define ${cc}${retAttrs.trimStart()}${retAttrs === '' ? '' : ' '}${printType(ret)} ${globalRef(name)}(${params.join(', ')}) {`,
    );
    out.push(`  %v = call ptr @__inputsmith_next_call(i32 ${id})`);
    // A noreturn function's stub ends the run where the engine's did (the noreturn-call outcome).
    if (hasAttribute(m, f.fnAttrs, 'noreturn'))
      out.push('  call void @__inputsmith_noreturn()', '  unreachable');
    else if (storesAt !== undefined && ret.kind === 'int' && storesAt < params.length)
      // time(&t) stores the recorded time too (the engine records time() like a stub's result).
      out.push(
        `  %r = load ${printType(ret)}, ptr %v, align 1`,
        `  %nz = icmp ne ptr %a${storesAt}, null`,
        '  br i1 %nz, label %store, label %done',
        'store:',
        `  store ${printType(ret)} %r, ptr %a${storesAt}, align 1`,
        '  br label %done',
        'done:',
        `  ret ${printType(ret)} %r`,
      );
    else if (ret.kind === 'void') out.push('  ret void');
    else out.push(`  %r = load ${printType(ret)}, ptr %v, align 1`, `  ret ${printType(ret)} %r`);
    out.push('}');
  }
}

/** Definitions of declared globals that do not link, zeroed. */
function emitStubGlobals(out: string[], dl: DataLayout, stubGlobals: readonly GlobalVar[]): void {
  for (const g of stubGlobals) {
    // As large as the engine made it (a declaration of unknown size gets UNSIZED_DECLARATION_BYTES).
    const size = declaredSize(dl, g);
    const t =
      dl.isSized(g.valueType) && dl.allocSize(g.valueType) === size
        ? printType(g.valueType)
        : `[${size} x i8]`;
    out.push(`${globalRef(g.name)} = global ${t} zeroinitializer, align ${Math.max(g.align, 16)}`);
  }
}

/** The driver's tables: globals, functions and entries by index, each with its length. */
function emitTables(
  out: string[],
  m: Module,
  globals: readonly GlobalVar[],
  funcs: readonly Func[],
  entryRefs: readonly string[],
): void {
  const table = (name: string, refs: readonly string[], kind = 'constant'): void => {
    out.push(`@${name} = ${kind} [${refs.length} x ptr] [${refs.join(', ')}]`);
    out.push(`@__inputsmith_n${name.slice('__inputsmith_'.length)} = constant i64 ${refs.length}`);
  };
  // A thread-local global's address is not a link-time constant: its slot is null in the table and
  // `__inputsmith_tls_init`, which the driver calls first, stores the main thread's address there.
  table(
    '__inputsmith_globals',
    globals.map((g) => (g.threadLocal === undefined ? `ptr ${globalRef(g.name)}` : 'ptr null')),
    'global',
  );
  out.push('define void @__inputsmith_tls_init() {');
  globals.forEach((g, i) => {
    if (g.threadLocal === undefined) return;
    out.push(
      `  %s${i} = getelementptr inbounds [${globals.length} x ptr], ptr @__inputsmith_globals, i64 0, i64 ${i}`,
    );
    out.push(`  store ptr ${globalRef(g.name)}, ptr %s${i}, align 8`);
  });
  out.push('  ret void', '}');
  table(
    '__inputsmith_funcs',
    funcs.map((f) => `ptr ${globalRef(renamed(m, f.name))}`),
  );
  table('__inputsmith_entries', entryRefs);
}

/** Undefined symbols named in a link error (GNU ld and lld spellings). */
export function undefinedSymbols(output: string): string[] {
  const names = new Set<string>();
  for (const mm of output.matchAll(/undefined reference to `([^']+)'/g)) names.add(mm[1] as string);
  for (const mm of output.matchAll(/undefined symbol: (\S+)/g)) names.add(mm[1] as string);
  return [...names];
}

let buildCounter = 0;

/**
 * Build (or reuse from `workDir`) the replay executable for `records` of module `m` whose IR text is
 * `text`. Throws `UserError` when clang cannot compile or link it.
 */
export async function buildNativeReplayer(
  text: string,
  m: Module,
  records: readonly InputRecord[],
  workDir: string,
  opts: { clang?: string } = {},
): Promise<NativePlan> {
  const tc = findToolchain({ clang: opts.clang });
  // IR of a newer LLVM (rustc's) in the dialect of this clang; clang's own modules unchanged.
  text = replayDialectText(text, m, tc.version);
  mkdirSync(workDir, { recursive: true });
  // C++ modules get the C++ runtime (exceptions, operator new), which the engine models too.
  const libs = CXX_RUNTIME.test(text) ? ['-lstdc++', '-lm'] : ['-lm'];
  const extra = new Set<string>();
  const ms = withRecordStubs(m, records);
  for (let attempt = 0; ; attempt++) {
    const e = emit(text, ms, records, extra);
    const key = hashParts(['native-replay-v1', tc.clang, String(tc.version), DRIVER_C, e.text]).slice(0, 24);
    const exe = join(workDir, `replay-${key}`);
    if (existsSync(exe)) return { ...e.plan, exe };
    // Unique names: several builds of the same module may run at once (processes or calls).
    const unique = `${process.pid}-${buildCounter++}`;
    const ll = join(workDir, `replay-${key}-${unique}.ll`);
    const c = join(workDir, `driver-${key}-${unique}.c`);
    writeFileSync(ll, e.text);
    writeFileSync(c, DRIVER_C);
    const tmp = `${exe}.tmp-${unique}`;
    // The linker names undefined C++ symbols mangled (`undefinedSymbols` looks them up in the module).
    const r = await run(tc.clang, [
      '-O0',
      '-w',
      '-x',
      'ir',
      ll,
      '-x',
      'c',
      c,
      '-o',
      tmp,
      ...libs,
      '-Wl,--no-demangle',
    ]);
    if (r.code === 0) {
      renameSync(tmp, exe);
      rmSync(ll, { force: true });
      rmSync(c, { force: true });
      return { ...e.plan, exe };
    }
    rmSync(tmp, { force: true });
    const missing = undefinedSymbols(r.stderr + r.stdout).filter((n) => {
      const g = ms.symbols.get(n);
      return g !== undefined && !extra.has(n) && (g.kind === 'function' || g.kind === 'gvar');
    });
    rmSync(c, { force: true });
    if (missing.length === 0 || attempt >= 2) {
      const first = (r.stderr + r.stdout).split('\n').find((l) => /error/.test(l)) ?? 'clang failed';
      throw new UserError(`native replay build failed: ${first.trim()} (IR kept in ${ll})`);
    }
    for (const n of missing) extra.add(n);
  }
}

/**
 * Zero every fixed-size local (alloca of the entry block) right after its alloca, editing `lines` in place;
 * true when it inserted anything. The engine's stack reads zeros where the run has not written (an
 * uninitialised local, an out-parameter a stubbed external does not write); natively such a slot holds
 * whatever the stack or a register held (clang's code may allocate an 8-byte slot with `push %rax`).
 */
function zeroLocals(m: Module, dl: DataLayout, lines: string[]): boolean {
  // Sizes of the entry block's allocas in order (undefined: not zeroed), matched to the text's alloca lines
  // of the same block by position (numbered locals have no name in the model).
  const sizes = new Map<string, (number | undefined)[]>();
  for (const g of m.globals) {
    if (g.kind !== 'function' || g.blocks.length === 0) continue;
    const list: (number | undefined)[] = [];
    for (const ins of g.blocks[0]?.instrs ?? []) {
      if (ins.op !== 'alloca') continue;
      const c = ins.count;
      const n = c === undefined ? 1 : c.kind === 'int' ? Number(c.value) : 0;
      const size = ins.addrSpace === 0 && dl.isSized(ins.allocType) ? dl.allocSize(ins.allocType) * n : 0;
      list.push(size > 0 && size <= 1 << 20 && !ins.inalloca ? size : undefined);
    }
    if (list.some((x) => x !== undefined)) sizes.set(g.name, list);
  }
  let fn: (number | undefined)[] | undefined;
  let k = 0;
  let any = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('define ')) {
      const name = /@([-\w.$]+|"[^"]*")\(/.exec(line)?.[1];
      fn = name === undefined ? undefined : sizes.get(name.replace(/^"(.*)"$/, '$1'));
      k = 0;
      continue;
    }
    if (fn === undefined) continue;
    // The entry block ends at the first label (or the function's end).
    if (line.startsWith('}') || /^[-\w.$"]+:/.test(line)) {
      fn = undefined;
      continue;
    }
    const a = /^\s+(%[-\w.$]+) = alloca /.exec(line);
    if (a === null) continue;
    const size = fn[k++];
    if (size === undefined) continue;
    lines[i] = `${line}\n  call void @llvm.memset.p0.i64(ptr ${a[1]}, i8 0, i64 ${size}, i1 false)`;
    any = true;
  }
  return any;
}

/** The IR type a stubbed external returns (for encoding its recorded results). */
export function stubReturnType(plan: NativePlan, name: string): Type | undefined {
  const f = plan.module.symbols.get(name);
  return f !== undefined && f.kind === 'function' ? f.funcType.ret : undefined;
}

/** libc functions that wait (sleep, usleep, nanosleep): the engine's models return 0 at once. */
/** References to the C++ ABI (libstdc++/libsupc++) in a module's IR. */
export const CXX_RUNTIME =
  /@(__gxx_personality_v0|__cxa_[a-z_]+|_Zn[wa]m\w*|_Zd[la]Pv\w*|_ZTI\w+|_ZSt9terminatev)\b/;

export const NO_WAIT: ReadonlySet<string> = new Set(['sleep', 'usleep', 'nanosleep']);

/** A global's size as the engine lays it out (a declaration of unknown size gets room, see link.ts). */
export function declaredSize(dl: DataLayout, g: GlobalVar): number {
  const size = dl.isSized(g.valueType) ? dl.allocSize(g.valueType) : 0;
  return size === 0 && g.init === undefined ? UNSIZED_DECLARATION_BYTES : size;
}

/** An AT&T inline asm template (the string after `asm`), not Intel syntax. */
const ATT_ASM = /\basm (sideeffect )?(alignstack )?(unwind )?"([^"]*)"/g;
/** `rdtsc` as one instruction of a template: between the start, `;`, an escaped newline/tab or blanks. */
const RDTSC = /(^|;|\\[0-9A-Fa-f]{2}|\s)rdtsc(?=$|;|\\[0-9A-Fa-f]{2}|\s)/g;

/**
 * Replace the `rdtsc` instruction of inline asm by what the engine reads (asm.ts: eax = RDTSC_VALUE, edx =
 * 0), as two `movl`s, which leave the flags alone as rdtsc does; the asm's constraints already name eax and
 * edx. Natively the real counter would differ at every run.
 */
function rewriteRdtsc(lines: string[]): void {
  const by = `$1movl $$$$${RDTSC_VALUE}, %eax; movl $$$$0, %edx`;
  for (let i = 0; i < lines.length; i++)
    if (lines[i]!.includes('rdtsc'))
      lines[i] = lines[i]!.replace(
        ATT_ASM,
        (all, ...g: string[]) => all.slice(0, all.length - g[3]!.length - 1) + g[3]!.replace(RDTSC, by) + '"',
      );
}

/**
 * Replace every inline `cpuid` by a call to a function answering from the engine's table (cpuid.ts), one
 * per constraint string, editing `lines` in place; returns the definitions to append. Natively the real
 * instruction would describe this machine, and code that dispatches on CPU features (zstd's BMI2 paths)
 * would then run, and store, differently from the engine.
 */
function rewriteCpuid(m: Module, lines: string[]): string[] {
  const kinds = new Map<string, { k: number; type: FuncType }>();
  for (const g of m.globals)
    if (g.kind === 'function')
      for (const b of g.blocks)
        for (const ins of b.instrs)
          if (
            (ins.op === 'call' || ins.op === 'invoke') &&
            ins.callee.kind === 'asm' &&
            ins.callee.asm.trim() === 'cpuid' &&
            !kinds.has(ins.callee.constraints) &&
            cpuidRegisters(ins.callee.constraints) !== undefined
          )
            kinds.set(ins.callee.constraints, { k: kinds.size, type: ins.funcType });
  if (kinds.size === 0) return [];
  const asmRef = /asm (?:sideeffect )?(?:alignstack )?(?:inteldialect )?(?:unwind )?"cpuid", "([^"]*)"/g;
  for (let i = 0; i < lines.length; i++)
    if (lines[i]!.includes('"cpuid"'))
      lines[i] = lines[i]!.replace(asmRef, (all, c: string) => {
        const kind = kinds.get(c);
        return kind === undefined ? all : `@__inputsmith_cpuid_${kind.k}`;
      });
  const out = [
    'define internal void @__inputsmith_cpuid(i32 %leaf, ptr %r) {',
    '  call void @llvm.memset.p0.i64(ptr %r, i8 0, i64 16, i1 false)',
    `  switch i32 %leaf, label %done [${Object.keys(CPUID_LEAVES)
      .map((l) => ` i32 ${l}, label %l${l}`)
      .join('')} ]`,
  ];
  for (const [l, vals] of Object.entries(CPUID_LEAVES)) {
    out.push(`l${l}:`);
    vals.forEach((v, j) => {
      out.push(`  %p${l}_${j} = getelementptr inbounds i32, ptr %r, i64 ${j}`);
      out.push(`  store i32 ${v | 0}, ptr %p${l}_${j}, align 4`);
    });
    out.push('  br label %done');
  }
  out.push('done:', '  ret void', '}');
  for (const [c, { k, type }] of kinds) {
    const regs = cpuidRegisters(c)!;
    const params = type.params.map((t, j) => `${printType(t)} %a${j}`);
    const leafArg = regs.ins.indexOf('a');
    const leaf = leafArg < 0 ? 'i32 0' : `i32 %a${leafArg}`;
    const ret = printType(type.ret);
    out.push(`define internal ${ret} @__inputsmith_cpuid_${k}(${params.join(', ')}) {`);
    out.push('  %r = alloca [4 x i32], align 4', `  call void @__inputsmith_cpuid(${leaf}, ptr %r)`);
    regs.outs.forEach((reg, j) => {
      out.push(`  %g${j} = getelementptr inbounds i32, ptr %r, i64 ${'abcd'.indexOf(reg)}`);
      out.push(`  %o${j} = load i32, ptr %g${j}, align 4`);
    });
    if (regs.outs.length === 1) out.push('  ret i32 %o0');
    else {
      let prev = 'poison';
      regs.outs.forEach((_, j) => {
        out.push(`  %s${j} = insertvalue ${ret} ${prev}, i32 %o${j}, ${j}`);
        prev = `%s${j}`;
      });
      out.push(`  ret ${ret} ${prev}`);
    }
    out.push('}');
  }
  return out;
}
