/**
 * @fileoverview Stage: tune. Builds one module's native replay executable for one build variant (a compiler
 * and its flags) from the module's C source, with the tables native replay's image writer and checker use.
 *
 * Consumes: a module of a `gen` output (its parsed IR, the C source it was compiled from and that source's
 * flags), its input records, a `Variant`. Produces: a `VariantPlan`, a `NativePlan` (same tables, same
 * indices as native replay's, so `encodeImage`, `checkRun` and the driver's image format work unchanged)
 * whose executable is linked from four objects:
 *
 * - `wrapper.o`: the variant's compiler and flags on a C file that `#include`s the source (so static
 *   functions and globals can be named, as `export tests` does; `main` renamed) and defines
 *   `__isx_fill(globals, funcs)`, which stores the address of every table member C can name;
 * - `glue.o`: IR compiled by clang -O0: the tables, `__inputsmith_tls_init` (calls `__isx_fill`), one entry
 *   stub per replayed function that calls it through the funcs table with its C ABI (parameter attributes
 *   from the source compiled at -O0, the "reference" IR), the stubs of the externals the records' calls
 *   name, and an empty function whose cost is the noise floor;
 * - the driver (tune/timing-driver.ts: native replay's driver plus the timing mode), clang -O2;
 * - libm (and libstdc++ never: C sources only).
 *
 * What C cannot reach is left out with a reason, per function and per record: a function whose IR signature
 * the optimiser changed (a static function's dead argument dropped) or whose name is not a C identifier,
 * a global that is a function's static local (`@f.x`) when a record names it (constant ones without
 * references, `.str` literals, are copied into the glue instead). Undefined symbols at link time (other
 * files of the library) are stubbed as in native replay, their kinds and types taken from the reference IR.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataLayout } from '../ir/datalayout.js';
import type { Func, GlobalVar, Module } from '../ir/model.js';
import { parseModule } from '../ir/parser.js';
import { printType } from '../ir/printer.js';
import type { InputRecord } from '../gen/record.js';
import {
  argSlots,
  chooseStubs,
  CXX_RUNTIME,
  declaredSize,
  emitExternalStubs,
  globalRef,
  NO_WAIT,
  printAbiAttrs,
  symbolTables,
  undefinedSymbols,
  unsupportedSignature,
  wantedSymbols,
  withRecordStubs,
  type EntryInfo,
  type NativePlan,
} from '../replay/native-build.js';
import { findToolchain } from '../toolchain/find.js';
import { UserError } from '../util/errors.js';
import { run } from '../util/proc.js';
import { TIMING_DRIVER_C } from './timing-driver.js';
import type { Variant } from './variants.js';

/** Where a module's code comes from: its C source, the directory it compiles in and its flags. */
export interface TuneSource {
  readonly file: string;
  readonly directory: string;
  /** Flags without -O/-g/-o/-c (a compile_commands.json entry as `readCompileCommands` keeps it). */
  readonly args: readonly string[];
}

/** One module of a gen output, as tune reads it. */
export interface TuneModule {
  /** The module path as gen was given it (records' `module`). */
  readonly path: string;
  readonly m: Module;
  readonly hash: string;
  readonly source?: TuneSource;
  /** Kept inputs of its functions, in module order. */
  readonly records: readonly InputRecord[];
}

export interface VariantPlan extends NativePlan {
  readonly variant: Variant;
  /** Entry index of the empty function (noise floor). */
  readonly emptyEntry: number;
  /** Table indices C cannot fill in this build (records naming them do not fit). */
  readonly missingGlobals: ReadonlySet<number>;
  /**
   * Names of the constants the glue copies (string literals and other unnamed constants): the build's own
   * copy has another address, so a pointer to one cannot be compared.
   */
  readonly copiedGlobals: ReadonlySet<string>;
  readonly missingFuncs: ReadonlySet<number>;
}

/** The module's source as a C translation unit with `main` renamed (the driver has its own). */
function wrapperHead(src: TuneSource): string {
  return `#define main __inputsmith_orig_main\n#include "${src.file.replace(/["\\]/g, '\\$&')}"\n#undef main\n`;
}

const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The source compiled at -O0 by the gen toolchain's clang: the C ABI of every function (parameter
 * attributes, unoptimised signatures) and what C can name. One per module, shared by its variants.
 */
export interface Reference {
  readonly ref: Module;
}

const refCache = new Map<string, Promise<Reference>>();

export function referenceOf(mod: TuneModule, workDir: string, clang?: string): Promise<Reference> {
  const src = mod.source;
  if (src === undefined)
    throw new UserError(`${mod.path}: no C source known (run gen on C sources, or with --compile-commands)`);
  const key = `${src.file}\0${src.args.join('\0')}\0${clang ?? ''}`;
  let p = refCache.get(key);
  if (p === undefined) {
    p = (async () => {
      const tc = findToolchain({ clang });
      mkdirSync(workDir, { recursive: true });
      const h = hashParts([key, mtimeOf(src.file)]);
      const c = join(workDir, `ref-${h}.c`);
      const ll = join(workDir, `ref-${h}.ll`);
      if (!existsSync(ll)) {
        writeFileSync(c, wrapperHead(src));
        const r = await run(tc.clang, ['-O0', '-S', '-emit-llvm', '-w', ...src.args, c, '-o', ll + '.tmp'], {
          cwd: src.directory,
        });
        if (r.code !== 0)
          throw new UserError(`${src.file}: reference compile failed: ${firstError(r.stderr)}`);
        renameSync(ll + '.tmp', ll);
      }
      return { ref: parseModule(readFileSync(ll, 'utf8'), ll) };
    })();
    refCache.set(key, p);
    p.catch(() => refCache.delete(key));
  }
  return p;
}

function mtimeOf(f: string): string {
  try {
    const s = statSync(f);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

function hashParts(parts: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex').slice(0, 24);
}

function firstError(out: string): string {
  return (out.split('\n').find((l) => /error/.test(l)) ?? out.split('\n')[0] ?? 'failed').trim();
}

const isDefined = (g: GlobalVar | Func | undefined): boolean =>
  g !== undefined && (g.kind === 'function' ? g.blocks.length > 0 : g.init !== undefined);

/** The C name of a gen-IR symbol in the wrapper (main is renamed), if C can name it there. */
function cName(ref: Module, name: string, kind: 'function' | 'gvar'): string | undefined {
  if (!C_IDENT.test(name)) return undefined;
  const refName = name === 'main' && kind === 'function' ? '__inputsmith_orig_main' : name;
  const g = ref.symbols.get(refName);
  if (g === undefined || g.kind !== kind || !isDefined(g)) return undefined;
  return refName;
}

/** `@x = ... constant T init` of the gen text when it names no other symbol: a copy the glue can define. */
export function constantCopy(text: string, g: GlobalVar, as: string): string | undefined {
  if (!g.isConstant) return undefined;
  const head = globalRef(g.name) + ' = ';
  const at = text.startsWith(head) ? 0 : text.indexOf('\n' + head);
  if (at < 0) return undefined;
  const start = at === 0 ? 0 : at + 1;
  const end = text.indexOf('\n', start);
  const line = text.slice(start, end < 0 ? undefined : end);
  const body = line.slice(head.length).replace(/c"[^"]*"/g, 'c""');
  if (body.includes('@') || /comdat|section/.test(body)) return undefined;
  const mm = /\bconstant\b(.*)$/.exec(line.slice(head.length));
  if (mm === null) return undefined;
  // Without its metadata attachments (`!dbg !470` of -g IR: the glue has no metadata) and alignment.
  const init = (mm[1] as string).replace(/(,\s*![\w.]+\s+!\d+)+\s*$/, '').replace(/,\s*align\s+\d+\s*$/, '');
  return `@${as} = internal constant${init}, align 16`;
}

interface Tables {
  entries: Map<string, EntryInfo>;
  entryLines: string[];
  entryRefs: string[];
  fill: string[];
  glueStores: string[];
  glueDecls: string[];
  missingGlobals: Set<number>;
  copiedGlobals: Set<string>;
  missingFuncs: Set<number>;
}

/** The glue's entries and the fill function's lines, with what C cannot reach. */
function buildTables(
  text: string,
  m: Module,
  ref: Module,
  records: readonly InputRecord[],
  globals: readonly GlobalVar[],
  funcs: readonly Func[],
  stubs: ReadonlyMap<string, number>,
): Tables {
  const dl = DataLayout.parse(m.dataLayout);
  const t: Tables = {
    entries: new Map(),
    entryLines: [],
    entryRefs: [],
    fill: [],
    glueStores: [],
    glueDecls: [],
    missingGlobals: new Set(),
    copiedGlobals: new Set(),
    missingFuncs: new Set(),
  };
  const ng = globals.length;
  globals.forEach((g, i) => {
    const slot = `getelementptr inbounds ([${ng} x ptr], ptr @__inputsmith_globals, i64 0, i64 ${i})`;
    if (!isDefined(g)) {
      t.glueDecls.push(`${globalRef(g.name)} = external global i8`);
      t.glueStores.push(`store ptr ${globalRef(g.name)}, ptr ${slot}, align 8`);
      return;
    }
    const c = cName(ref, g.name, 'gvar');
    if (c !== undefined) {
      t.fill.push(`  g[${i}] = (void *)&${c};`);
      return;
    }
    const copy = constantCopy(text, g, `__isx_copy_${i}`);
    if (copy !== undefined) {
      t.glueDecls.push(copy);
      t.glueStores.push(`store ptr @__isx_copy_${i}, ptr ${slot}, align 8`);
      t.copiedGlobals.add(g.name);
    } else t.missingGlobals.add(i);
  });
  const nf = funcs.length;
  const funcIndex = new Map(funcs.map((f, i) => [f.name, i]));
  funcs.forEach((f, i) => {
    const slot = `getelementptr inbounds ([${nf} x ptr], ptr @__inputsmith_funcs, i64 0, i64 ${i})`;
    if (f.blocks.length === 0) {
      if (!stubs.has(f.name)) t.glueDecls.push(`declare void ${globalRef(f.name)}()`);
      t.glueStores.push(`store ptr ${globalRef(f.name)}, ptr ${slot}, align 8`);
      return;
    }
    const c = cName(ref, f.name, 'function');
    if (c !== undefined) t.fill.push(`  f[${i}] = (void *)&${c};`);
    else t.missingFuncs.add(i);
  });
  for (const name of new Set(records.map((r) => r.function))) {
    const g = m.symbols.get(name);
    if (g === undefined || g.kind !== 'function' || g.blocks.length === 0) continue;
    const fi = funcIndex.get(name);
    const refName = name === 'main' ? '__inputsmith_orig_main' : name;
    const rf = ref.symbols.get(refName);
    let why = unsupportedSignature(g, dl);
    if (why === undefined && (fi === undefined || t.missingFuncs.has(fi)))
      why = 'C cannot name it (not a function of the source, or not an identifier)';
    if (why === undefined && (rf === undefined || rf.kind !== 'function'))
      why = 'not in the source compiled at -O0';
    if (why === undefined && printType((rf as Func).funcType) !== printType(g.funcType))
      why = `the optimiser changed its signature (${printType(g.funcType)}, source ${printType((rf as Func).funcType)})`;
    const { slots, size } = argSlots(g, dl);
    if (why !== undefined) {
      t.entries.set(name, { index: -1, func: g, slots: [], argsSize: 16, unsupported: why });
      continue;
    }
    const index = t.entryRefs.length;
    const sym = `@__inputsmith_entry_${index}`;
    t.entryRefs.push(`ptr ${sym}`);
    t.entries.set(name, { index, func: g, slots, argsSize: size });
    emitIndirectEntry(t.entryLines, rf as Func, sym, slots, fi as number, nf);
  }
  return t;
}

/** An entry stub calling the function through the funcs table with the C ABI of the reference IR. */
function emitIndirectEntry(
  out: string[],
  rf: Func,
  sym: string,
  slots: readonly number[],
  fi: number,
  nf: number,
): void {
  out.push(`define void ${sym}(ptr %args, ptr %ret) {`);
  out.push(`  %fpp = getelementptr inbounds [${nf} x ptr], ptr @__inputsmith_funcs, i64 0, i64 ${fi}`);
  out.push('  %fp = load ptr, ptr %fpp, align 8');
  const callArgs: string[] = [];
  for (const [i, p] of rf.params.entries()) {
    const ty = printType(p.type);
    out.push(`  %p${i} = getelementptr inbounds i8, ptr %args, i64 ${slots[i]}`);
    out.push(`  %a${i} = load ${ty}, ptr %p${i}, align 1`);
    const byval = p.attrs.attrs.some((a) => a.name === 'byval' || a.name === 'byref');
    callArgs.push(`${ty}${printAbiAttrs(p.attrs, byval)} %a${i}`);
  }
  if (rf.funcType.varargs)
    for (let k = rf.params.length; k < slots.length; k++) {
      out.push(`  %p${k} = getelementptr inbounds i8, ptr %args, i64 ${slots[k]}`);
      out.push(`  %a${k} = load i64, ptr %p${k}, align 1`);
      callArgs.push(`i64 %a${k}`);
    }
  const ret = rf.funcType.ret;
  const retAttrs = printAbiAttrs(rf.retAttrs, false).trimStart();
  const fty = printType(rf.funcType);
  const call = `call ${retAttrs}${retAttrs === '' ? '' : ' '}${fty} %fp(${callArgs.join(', ')})`;
  if (ret.kind === 'void') out.push(`  ${call}`);
  else out.push(`  %r = ${call}`, `  store ${printType(ret)} %r, ptr %ret, align 1`);
  out.push('  ret void', '}');
}

/** Stubs of symbols the link found undefined (other files of the library), typed from the reference IR. */
function linkStubs(ref: Module, names: ReadonlySet<string>, taken: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const n of names) {
    if (taken.has(n)) continue;
    const g = ref.symbols.get(n);
    if (g !== undefined && g.kind === 'gvar') {
      const dl = DataLayout.parse(ref.dataLayout);
      const size = Math.max(declaredSize(dl, g), 8);
      out.push(`${globalRef(n)} = global [${size} x i8] zeroinitializer, align 16`);
    } else {
      // Calling it diverges: the record has no such call (the id matches no stub).
      out.push(
        `define void ${globalRef(n)}() {`,
        '  %v = call ptr @__inputsmith_next_call(i32 -1)',
        '  unreachable',
        '}',
      );
    }
  }
  return out;
}

function glueText(
  m: Module,
  text: string,
  t: Tables,
  stubs: ReadonlyMap<string, number>,
  extra: string[],
  ng: number,
  nf: number,
  sleeps: readonly Func[],
): string {
  const out: string[] = [];
  if (m.dataLayout !== undefined) out.push(`target datalayout = "${m.dataLayout}"`);
  if (m.triple !== undefined) out.push(`target triple = "${m.triple}"`);
  for (const line of text.split('\n')) if (/^%[-\w.$"]+ = type /.test(line)) out.push(line);
  out.push('declare ptr @__inputsmith_next_call(i32)', 'declare void @__inputsmith_noreturn()');
  out.push('declare void @__isx_fill(ptr, ptr)');
  // A declared global or function the link found undefined is defined by its link stub instead.
  const stubbed = new Set(
    extra.map((l) => /^(?:define [^@]*)?(@[^ (]+)/.exec(l)?.[1]).filter((x) => x !== undefined),
  );
  out.push(...t.glueDecls.filter((l) => !stubbed.has(/(@[^ (]+)/.exec(l)?.[1] ?? '')));
  out.push(`@__inputsmith_globals = global [${ng} x ptr] zeroinitializer, align 8`);
  out.push(`@__inputsmith_nglobals = constant i64 ${ng}`);
  out.push(`@__inputsmith_funcs = global [${nf} x ptr] zeroinitializer, align 8`);
  out.push(`@__inputsmith_nfuncs = constant i64 ${nf}`);
  const refs = [...t.entryRefs, 'ptr @__isx_empty'];
  out.push(`@__inputsmith_entries = constant [${refs.length} x ptr] [${refs.join(', ')}]`);
  out.push(`@__inputsmith_nentries = constant i64 ${refs.length}`);
  out.push('define void @__inputsmith_tls_init() {');
  out.push('  call void @__isx_fill(ptr @__inputsmith_globals, ptr @__inputsmith_funcs)');
  for (const s of t.glueStores) out.push('  ' + s);
  out.push('  ret void', '}');
  // The noise floor: an entry that calls an empty function through a pointer, as the real entries do.
  out.push('define void @__isx_nothing() noinline {', '  ret void', '}');
  out.push('@__isx_nothing_ptr = global ptr @__isx_nothing');
  out.push(
    'define void @__isx_empty(ptr %args, ptr %ret) {',
    '  %fp = load volatile ptr, ptr @__isx_nothing_ptr, align 8',
  );
  out.push('  call void %fp()', '  ret void', '}');
  out.push(...t.entryLines);
  for (const f of sleeps) {
    const params = f.funcType.params.map((ty, i) => `${printType(ty)} %a${i}`);
    out.push(`define ${printType(f.funcType.ret)} ${globalRef(f.name)}(${params.join(', ')}) {`);
    out.push(f.funcType.ret.kind === 'void' ? '  ret void' : `  ret ${printType(f.funcType.ret)} 0`, '}');
  }
  emitExternalStubs(out, m, stubs);
  out.push(...extra, '');
  return out.join('\n');
}

let buildCounter = 0;

const driverObjs = new Map<string, Promise<string>>();

/** The driver compiled once per work directory and clang (-O2: its own code is not what is measured). */
function driverObject(workDir: string, clang: string): Promise<string> {
  const key = hashParts(['driver', clang, TIMING_DRIVER_C]);
  let p = driverObjs.get(key);
  if (p === undefined) {
    p = (async () => {
      const o = join(workDir, `driver-${key}.o`);
      if (existsSync(o)) return o;
      const c = join(workDir, `driver-${key}.c`);
      writeFileSync(c, TIMING_DRIVER_C);
      const r = await run(clang, ['-O2', '-w', '-c', c, '-o', o + '.tmp']);
      if (r.code !== 0) throw new UserError(`timing driver build failed: ${firstError(r.stderr)}`);
      renameSync(o + '.tmp', o);
      return o;
    })();
    driverObjs.set(key, p);
    p.catch(() => driverObjs.delete(key));
  }
  return p;
}

/**
 * Build (or reuse from `workDir`) the executable of `mod` for `variant`. Throws `UserError` when the source
 * does not compile with the variant or the link fails after stubbing what it found undefined.
 */
export async function buildVariant(
  mod: TuneModule,
  text: string,
  variant: Variant,
  workDir: string,
  opts: { clang?: string } = {},
): Promise<VariantPlan> {
  const src = mod.source;
  if (src === undefined) throw new UserError(`${mod.path}: no C source known`);
  if (CXX_RUNTIME.test(text)) throw new UserError(`${mod.path}: C++ modules are not supported by perf/diff`);
  const tc = findToolchain({ clang: opts.clang });
  mkdirSync(workDir, { recursive: true });
  const { ref } = await referenceOf(mod, workDir, opts.clang);
  const ms = withRecordStubs(mod.m, mod.records);
  const dl = DataLayout.parse(ms.dataLayout);
  const wanted = wantedSymbols(mod.records);
  const { stubs } = chooseStubs(ms, wanted.calledStubs, new Set());
  const { globals, funcs } = symbolTables(ms, dl, wanted, stubs);
  const t = buildTables(text, ms, ref, mod.records, globals, funcs, stubs);
  const sleeps = ms.globals.filter(
    (g): g is Func =>
      g.kind === 'function' && g.blocks.length === 0 && NO_WAIT.has(g.name) && !stubs.has(g.name),
  );
  const wrapper =
    wrapperHead(src) +
    `void __isx_fill(void **g, void **f) {\n  (void)g; (void)f;\n${t.fill.join('\n')}\n}\n`;
  const driverO = await driverObject(workDir, tc.clang);
  const defined = new Set([...stubs.keys(), ...sleeps.map((f) => f.name)]);
  const undef = new Set<string>();
  for (let attempt = 0; ; attempt++) {
    const glue = glueText(
      ms,
      text,
      t,
      stubs,
      linkStubs(ref, undef, defined),
      globals.length,
      funcs.length,
      sleeps,
    );
    const key = hashParts([
      'tune-v1',
      TIMING_DRIVER_C,
      variant.compilerPath,
      ...variant.flags,
      ...src.args,
      mtimeOf(src.file),
      wrapper,
      glue,
      tc.clang,
    ]);
    const exe = join(workDir, `variant-${key}`);
    const plan: VariantPlan = {
      module: ms,
      dl,
      exe,
      entries: t.entries,
      globals,
      globalIndex: new Map(globals.map((g, i) => [g.name, i])),
      funcs,
      funcIndex: new Map(funcs.map((f, i) => [f.name, i])),
      stubs,
      callsLibm: ms.globals.some(
        (g) =>
          g.kind === 'function' &&
          g.blocks.length === 0 &&
          /^(sin|cos|tan|exp|log|pow|sqrt|atan|cbrt|hypot|erf)/.test(g.name),
      ),
      variant,
      emptyEntry: t.entryRefs.length,
      missingGlobals: t.missingGlobals,
      copiedGlobals: t.copiedGlobals,
      missingFuncs: t.missingFuncs,
    };
    if (existsSync(exe)) return plan;
    const unique = `${process.pid}-${buildCounter++}`;
    const wc = join(workDir, `wrapper-${key}-${unique}.c`);
    const wo = join(workDir, `wrapper-${key}-${unique}.o`);
    const gl = join(workDir, `glue-${key}-${unique}.ll`);
    const go = join(workDir, `glue-${key}-${unique}.o`);
    writeFileSync(wc, wrapper);
    writeFileSync(gl, glue);
    const clean = (): void => [wc, wo, gl, go].forEach((f) => rmSync(f, { force: true }));
    const cw = await run(variant.compilerPath, [...src.args, ...variant.flags, '-w', '-c', wc, '-o', wo], {
      cwd: src.directory,
    });
    if (cw.code !== 0) {
      clean();
      throw new UserError(`${variant.label}: ${src.file} does not compile: ${firstError(cw.stderr)}`);
    }
    const cg = await run(tc.clang, ['-O0', '-w', '-c', '-x', 'ir', gl, '-o', go]);
    if (cg.code !== 0) {
      rmSync(wc, { force: true });
      throw new UserError(
        `${variant.label}: glue does not compile: ${firstError(cg.stderr)} (kept in ${gl})`,
      );
    }
    const tmp = `${exe}.tmp-${unique}`;
    const link = await run(tc.clang, [wo, go, driverO, '-o', tmp, '-lm']);
    if (link.code === 0) {
      renameSync(tmp, exe);
      clean();
      return plan;
    }
    clean();
    rmSync(tmp, { force: true });
    const missing = undefinedSymbols(link.stderr + link.stdout).filter(
      (n) => !undef.has(n) && !defined.has(n),
    );
    if (missing.length === 0 || attempt >= 3)
      throw new UserError(
        `${variant.label}: ${mod.path}: link failed: ${firstError(link.stderr + link.stdout)}`,
      );
    for (const n of missing) undef.add(n);
  }
}

/** Why record `r` cannot run in this build (it names what C cannot reach), or undefined. */
export function recordUnfit(plan: VariantPlan, r: InputRecord): string | undefined {
  const e = plan.entries.get(r.function);
  if (e === undefined) return `@${r.function} is not defined in the module`;
  if (e.unsupported !== undefined) return `@${r.function}: ${e.unsupported}`;
  const w = wantedSymbols([r]);
  for (const g of w.globals) {
    const i = plan.globalIndex.get(g);
    if (i !== undefined && plan.missingGlobals.has(i)) return `global @${g} cannot be named from C`;
  }
  for (const f of w.fns) {
    const i = plan.funcIndex.get(f);
    if (i !== undefined && plan.missingFuncs.has(i)) return `function @${f} cannot be named from C`;
  }
  return undefined;
}
