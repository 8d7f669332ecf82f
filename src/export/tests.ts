/**
 * @fileoverview Stage: export. `inputsmith export tests OUT -o DIR`: a cmocka test project from a `gen`
 * run, one test per kept input that replays natively, built and run with standard tools alone
 * (`cmake -S DIR -B build && cmake --build build && ctest --test-dir build`). docs/tests.md.
 *
 * Consumes: OUT through `readRunDir` (run.json with the compile options, each module reloaded, the kept
 * inputs and, when gen ran with --native, the native verdicts `native/<module-key>.json`).
 * Produces (in DIR, every file rewritten, the same bytes for the same OUT):
 *   CMakeLists.txt                 one executable per source file, one ctest test per input (each in its
 *                                  own process: globals and statics start as in a fresh program)
 *   support/isx_support.{h,c}      the fixed helpers (tests-support.ts)
 *   support/isx_coverage.c         linked only in the gcov build, -DISX_COVERAGE=ON (tests-coverage.ts)
 *   tests/test_<stem>.c            the source file #included (static functions are reachable), then the tests
 *   stubs/stubs_<stem>.{c,h}       recorded results of functions of other units and generated stubs
 *   report.json                    per module and function: tests written, inputs left out with the reason
 * Which inputs: those of functions whose search succeeded; with native verdicts only those native replay
 * found `ok` (the others are counted as not replayable natively, with their cause), else every record of
 * a replayable outcome class. An input whose test cannot be written exactly is left out with its reason.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { isOutcomeKind, isReplayableOutcome, outcomeClass } from '../engine/outcome.js';
import { Plan } from '../gen/plan.js';
import type { InputRecord } from '../gen/record.js';
import { GenSession } from '../gen/runtime.js';
import { OutDir } from '../guide/layout.js';
import { DataLayout } from '../ir/datalayout.js';
import { debugInfo, debugLocation, type DebugInfo } from '../ir/debuginfo.js';
import type { GlobalVar, Module } from '../ir/model.js';
import type { CompileCommand } from '../toolchain/compile.js';
import { declaredSize } from '../replay/native-build.js';
import { Rng } from '../util/rng.js';
import { readRunDir, type ExportOptions, type RunDir, type RunModule } from './run-dir.js';
import { hasDebugInfo } from './source-map.js';
import { LeaveOut } from './tests-c-literal.js';
import { emitTest, testFunc, type TestContext } from './tests-c.js';
import { isCIdent } from './tests-c-literal.js';
import { planStubs } from './tests-stubs.js';
import { COVERAGE_C, COVERAGE_CMAKE } from './tests-coverage.js';
import { commandFlags } from './tests-flags.js';
import { SUPPORT_C, SUPPORT_H } from './tests-support.js';
import { GTEST_CC, GTEST_H, gtestSupportC } from './tests-support-gtest.js';
import { bindableLinkage, cxxCallee, cxxDisplayName, cxxTestBase, SymbolAliases } from './tests-cxx.js';
import { compileCheck } from './tests-compile-check.js';
import { findToolchain } from '../toolchain/find.js';
import { cxxTestUnit, gtestCmake, gtestWrapperUnit } from './tests-gtest.js';

/** The test framework of C sources' units (C++ sources always get GoogleTest). */
export type TestFramework = 'cmocka' | 'gtest';

export interface TestsExportOptions extends ExportOptions {
  /** Directory to write (created). */
  readonly dir: string;
  /** Framework of the C sources' tests (default cmocka); C++ sources' tests are GoogleTest's. */
  readonly framework?: TestFramework;
}

export interface FunctionReport {
  readonly function: string;
  readonly tests: string[];
  readonly leftOut: { index: number; reason: string }[];
  readonly notReplayable: { index: number; cause: string }[];
}

export interface ModuleReport {
  readonly module: string;
  readonly source: string | null;
  readonly testFile: string | null;
  readonly reason?: string;
  readonly functions: FunctionReport[];
}

export interface TestsReport {
  readonly format: 'inputsmith-tests-report';
  readonly version: 1;
  readonly modules: ModuleReport[];
  readonly totals: {
    tests: number;
    errorTests: number;
    leftOut: number;
    notReplayable: number;
    files: number;
  };
}

/** Write the test project of gen run `outDir` into `o.dir`; returns the report (also DIR/report.json). */
export async function exportTests(outDir: string, o: TestsExportOptions): Promise<TestsReport> {
  const run = await readRunDir(outDir, o);
  return writeTestProject(run, o.dir, o);
}

/**
 * The project of an already read run. C++ units are compile-checked with the toolchain's clang++ (a test
 * that does not compile is left out with the compiler's message); `compileCheck: false` skips that.
 */
export function writeTestProject(
  run: RunDir,
  dir: string,
  o: { framework?: TestFramework; clang?: string; compileCheck?: boolean } = {},
): TestsReport {
  const anyCxx = run.modules.some((m) => CXX_SOURCE.test(sourceOf(m) ?? ''));
  const clangxx =
    o.compileCheck !== false && anyCxx
      ? findToolchain(o.clang !== undefined ? { clang: o.clang } : {}).clangxx
      : undefined;
  mkdirSync(join(dir, 'tests'), { recursive: true });
  mkdirSync(join(dir, 'stubs'), { recursive: true });
  mkdirSync(join(dir, 'support'), { recursive: true });
  writeFileSync(join(dir, 'support', 'isx_support.h'), SUPPORT_H);
  writeFileSync(join(dir, 'support', 'isx_support.c'), SUPPORT_C);
  writeFileSync(join(dir, 'support', 'isx_coverage.c'), COVERAGE_C);
  if (anyCxx || o.framework === 'gtest') {
    writeFileSync(join(dir, 'support', 'isx_support_gtest.c'), gtestSupportC());
    writeFileSync(join(dir, 'support', 'isx_gtest.h'), GTEST_H);
    writeFileSync(join(dir, 'support', 'isx_gtest.cc'), GTEST_CC);
  }
  const out = new OutDir(run.root);
  const modules: ModuleReport[] = [];
  const units: Unit[] = [];
  const stems = new Set<string>();
  let errorTests = 0;
  for (const mod of run.modules) {
    const rep = moduleProject(run, out, mod, dir, stems, o.framework ?? 'cmocka', clangxx);
    modules.push(rep.report);
    errorTests += rep.errorTests;
    if (rep.stem !== undefined && rep.tests.length > 0)
      units.push({ stem: rep.stem, tests: rep.tests, command: mod.command, kind: rep.kind });
  }
  writeFileSync(join(dir, 'CMakeLists.txt'), cmakeLists(run, dir, units));
  const all = modules.flatMap((m) => m.functions);
  const report: TestsReport = {
    format: 'inputsmith-tests-report',
    version: 1,
    modules,
    totals: {
      tests: all.reduce((n, f) => n + f.tests.length, 0),
      errorTests,
      leftOut: all.reduce((n, f) => n + f.leftOut.length, 0),
      notReplayable: all.reduce((n, f) => n + f.notReplayable.length, 0),
      files: units.length,
    },
  };
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  return report;
}

/** C++ source file names (as the compile stage tells languages apart). */
const CXX_SOURCE = /\.(cc|cpp|cxx|c\+\+|C)$/;
const SOURCE = /\.(c|cc|cpp|cxx|c\+\+|C)$/;

/** The source file a module was compiled from: the module itself, or its compile unit's file. */
function sourceOf(mod: RunModule): string | undefined {
  if (mod.command !== undefined) return mod.command.file;
  if (SOURCE.test(mod.path)) return resolve(mod.path);
  if (!hasDebugInfo(mod.m)) return undefined;
  const di = debugInfo(mod.m);
  for (const cu of di.compileUnits()) {
    const f = di.fileOf(cu.file);
    if (f === undefined) continue;
    const p = isAbsolute(f.filename) ? f.filename : join(f.directory, f.filename);
    if (SOURCE.test(p) && existsSync(p)) return p;
  }
  return undefined;
}

function stemOf(source: string, stems: Set<string>): string {
  const base = basename(source)
    .replace(SOURCE, '')
    .replace(/[^A-Za-z0-9_]/g, '_');
  let s = base;
  for (let i = 2; stems.has(s); i++) s = `${base}_${i}`;
  stems.add(s);
  return s;
}

/** How a unit's tests are written: cmocka in C, C test bodies run by GoogleTest, or GoogleTest in C++. */
type UnitKind = 'cmocka' | 'gtest-c' | 'gtest-cxx';

interface ModuleResult {
  report: ModuleReport;
  stem: string | undefined;
  tests: string[];
  errorTests: number;
  kind: UnitKind;
}

function moduleProject(
  run: RunDir,
  out: OutDir,
  mod: RunModule,
  dir: string,
  stems: Set<string>,
  framework: TestFramework,
  clangxx: string | undefined,
): ModuleResult {
  const source = sourceOf(mod);
  const cxx = source !== undefined && CXX_SOURCE.test(source);
  const kind: UnitKind = cxx ? 'gtest-cxx' : framework === 'gtest' ? 'gtest-c' : 'cmocka';
  const { reports, selected } = selectInputs(out, mod);
  if (source === undefined) {
    const reason = 'the source file is unknown (gen on a .c file, or IR compiled with -g)';
    for (const s of selected) s.rep.leftOut.push({ index: s.r.index, reason });
    return {
      report: { module: mod.path, source: null, testFile: null, reason, functions: reports },
      stem: undefined,
      tests: [],
      errorTests: 0,
      kind,
    };
  }
  const stem = stemOf(source, stems);
  const dl = DataLayout.parse(mod.m.dataLayout);
  const stubs = planStubs(
    mod.m,
    dl,
    selected.map((s) => s.r),
    stem,
  );
  const di = hasDebugInfo(mod.m) ? debugInfo(mod.m) : undefined;
  const aliases = new SymbolAliases();
  const ctx = testContext(mod.m, dl, di, stubs, cxx ? aliases : undefined);
  const bases = new Map<string, string>();
  const places = faultPlaces(
    run,
    mod,
    selected.map((s) => s.r),
  );
  const entries: Entry[] = [];
  for (const { fn, r, rep } of selected) {
    const f = mod.m.symbols.get(fn);
    let name = `${fn}_${r.index}`;
    try {
      if (cxx) {
        const fi = f?.kind === 'function' ? di?.function(f) : undefined;
        name = `${cxxTestBase(di !== undefined && fi !== undefined ? cxxCallee(di, fi) : undefined, fn, bases)}_${r.index}`;
      }
      if (f === undefined || f.kind !== 'function') throw new LeaveOut('not a function of the module');
      for (const c of r.calls)
        if (stubs.refused.has(c.fn)) throw new LeaveOut(`calls ${c.fn}, which ${stubs.refused.get(c.fn)}`);
      const shown = cxx && di !== undefined ? cxxDisplayName(di, fn) : fn;
      const note = `${shown} #${r.index}: ${r.outcome.kind}${places.get(r) ?? ''} (${relative(run.root, out.inputFile(mod.key, fnKey(mod, fn), r.index))})`;
      const text = emitTest(ctx, f, r, name, note);
      const redo = (): string => emitTest({ ...ctx, untyped: true }, f, r, name, note);
      entries.push({ name, text, rep, index: r.index, error: r.outcome.kind !== 'returned', redo });
    } catch (e) {
      if (!(e instanceof LeaveOut)) throw e;
      rep.leftOut.push({ index: r.index, reason: e.message });
    }
  }
  const testFile = join('tests', `test_${stem}.${cxx ? 'cpp' : 'c'}`);
  const writeStubs = (): void => {
    const declared = new Set([...stubs.names.keys(), ...stubs.globals.keys()]);
    const defs = aliases.definitions(declared);
    writeFileSync(
      join(dir, 'stubs', `stubs_${stem}.c`),
      stubs.source + '\n' + (defs.length > 0 ? '\n' + defs.join('\n') : ''),
    );
    writeFileSync(join(dir, 'stubs', `stubs_${stem}.h`), stubs.header);
  };
  if (entries.length > 0) writeStubs();
  const inc = posix(relative(join(resolve(dir), 'tests'), source));
  if (kind === 'gtest-cxx' && entries.length > 0 && clangxx !== undefined)
    dropUncompilable(
      entries,
      clangxx,
      unitFlags(run, dir, mod.command),
      join(resolve(dir), testFile),
      (kept) => cxxTestUnit(run.spec.seed, source, inc, stem, kept, aliases.declarations()),
    );
  const texts = entries.map((e) => e.text);
  const names = entries.map((e) => e.name);
  for (const e of entries) e.rep.tests.push(e.name);
  const errorTests = entries.filter((e) => e.error).length;
  if (names.length > 0) {
    writeStubs();
    if (kind === 'gtest-cxx')
      writeFileSync(
        join(dir, testFile),
        cxxTestUnit(run.spec.seed, source, inc, stem, texts, aliases.declarations()),
      );
    else writeFileSync(join(dir, testFile), testUnit(run, source, dir, stem, stubs.weak, texts, names, kind));
    if (kind === 'gtest-c')
      writeFileSync(
        join(dir, 'tests', `test_${stem}_gtest.cpp`),
        gtestWrapperUnit(
          source,
          names.map((n) => [n, testFunc(n)]),
        ),
      );
  }
  return {
    report: { module: mod.path, source, testFile: names.length > 0 ? testFile : null, functions: reports },
    stem,
    tests: names,
    errorTests,
    kind,
  };
}

/**
 * The inputs of a module that become tests: those of functions whose search succeeded that native replay
 * found `ok` (or, without native verdicts, of a replayable outcome); the others are counted.
 */
function selectInputs(
  out: OutDir,
  mod: RunModule,
): { reports: FunctionReport[]; selected: { fn: string; r: InputRecord; rep: FunctionReport }[] } {
  const fns = mod.functions.filter((f) => f.row?.status === 'ok');
  const verdicts = new Map((out.readNative(mod.key) ?? []).map((v) => [`${v.function}#${v.index}`, v]));
  const haveVerdicts = verdicts.size > 0;
  const reports: FunctionReport[] = [];
  const selected: { fn: string; r: InputRecord; rep: FunctionReport }[] = [];
  for (const fn of fns) {
    const rep: FunctionReport = { function: fn.name, tests: [], leftOut: [], notReplayable: [] };
    reports.push(rep);
    for (const r of fn.records) {
      const k = r.outcome.kind;
      const v = verdicts.get(`${r.function}#${r.index}`);
      if (haveVerdicts && v?.status !== 'ok')
        rep.notReplayable.push({ index: r.index, cause: v?.cause ?? 'no verdict' });
      else if (!haveVerdicts && !(isOutcomeKind(k) && isReplayableOutcome(k)))
        rep.notReplayable.push({ index: r.index, cause: k });
      else selected.push({ fn: fn.name, r, rep });
    }
  }
  return { reports, selected };
}

/** A test written for one input, before the compile check. */
interface Entry {
  name: string;
  text: string;
  rep: FunctionReport;
  index: number;
  error: boolean;
  /** The test written again without C types (its objects as bytes); throws `LeaveOut`. */
  redo: () => string;
}

/**
 * A C++ test that does not compile is written again without C types (a field the test cannot reach:
 * members of a `class` before any access label are private, which the unit's `#define private public`
 * does not change); one that still does not compile is left out with the compiler's message
 * (tests-compile-check.ts).
 */
function dropUncompilable(
  entries: Entry[],
  compiler: string,
  flags: string[],
  file: string,
  write: (kept: readonly string[]) => string,
): void {
  const check = (): Map<number, string> =>
    compileCheck(
      compiler,
      flags,
      file,
      entries.map((e) => e.text),
      write,
    );
  let bad = check();
  let again = false;
  for (const k of bad.keys()) {
    try {
      const text = entries[k]!.redo();
      if (text !== entries[k]!.text) again = true;
      entries[k]!.text = text;
    } catch (e) {
      if (!(e instanceof LeaveOut)) throw e;
    }
  }
  if (again) bad = check();
  for (const [k, reason] of [...bad].sort((a, b) => a[0] - b[0])) {
    const e = entries[k]!;
    e.rep.leftOut.push({ index: e.index, reason });
    e.rep.leftOut.sort((a, b) => a.index - b.index);
  }
  entries.splice(0, entries.length, ...entries.filter((_, k) => !bad.has(k)));
}

function fnKey(mod: RunModule, fn: string): string {
  return mod.functions.find((f) => f.name === fn)?.key ?? fn;
}

function testContext(
  m: Module,
  dl: DataLayout,
  di: DebugInfo | undefined,
  stubs: ReturnType<typeof planStubs>,
  aliases: SymbolAliases | undefined,
): TestContext {
  const cxx = aliases !== undefined;
  const localFunction = (name: string): string | undefined => {
    const fi = di?.function(name);
    if (di === undefined || fi === undefined || fi.params[0]?.name === 'this') return undefined;
    const shown = cxxDisplayName(di, name);
    return shown === name ? undefined : `&${shown}`;
  };
  // A C++ symbol the test cannot name (mangled): bound by an asm label when it can be (tests-cxx.ts).
  const alias = (name: string, kind: 'function' | 'gvar'): string | undefined => {
    const g = m.symbols.get(name);
    if (aliases === undefined || g === undefined || g.kind !== kind || !bindableLinkage(g.linkage))
      return undefined;
    return kind === 'function' ? aliases.fn(name) : aliases.variable(name);
  };
  return {
    m,
    dl,
    di,
    hasStubs: stubs.names.size > 0,
    ...(cxx ? { cxx } : {}),
    globalName: (name) => {
      const g = m.symbols.get(name);
      if (g === undefined || g.kind !== 'gvar' || (g.isConstant && g.init !== undefined)) return undefined;
      const a = globalAddress(m, di, name, cxx);
      const v = a !== undefined || !cxx ? a : alias(name, 'gvar');
      const r = typeof v === 'string' ? { addr: `(unsigned char *)${v}`, label: v } : v;
      // Declared const (an `external constant`, defined in another unit): the test writes it through
      // `isx_launder`.
      return r === undefined ? undefined : g.isConstant ? { ...r, constant: true } : r;
    },
    globalTarget: (name) => {
      const g = m.symbols.get(name);
      if (g === undefined || g.kind !== 'gvar') return undefined;
      const a = globalAddress(m, di, name, cxx);
      if (a !== undefined) return a;
      const v = cxx && name.startsWith('_Z') ? alias(name, 'gvar') : undefined;
      if (v !== undefined) return { addr: `(unsigned char *)${v}` };
      if (g.isConstant && g.init?.kind === 'string') return { bytes: g.init.bytes };
      // An empty C++ string constant (`""` is `zeroinitializer` in the IR).
      if (cxx && g.isConstant && g.init?.kind === 'zero' && g.init.type.kind === 'array')
        return { bytes: new Uint8Array(declaredSize(dl, g as GlobalVar)) };
      return undefined;
    },
    globalSize: (name) => {
      const g = m.symbols.get(name);
      return g !== undefined && g.kind === 'gvar' ? declaredSize(dl, g as GlobalVar) : 0;
    },
    funcName: (name) => {
      // A C++ function by its symbol when it has external linkage, else (a static or anonymous-namespace
      // function, visible in the unit) by its name, when it is no member.
      if (cxx && name.startsWith('_Z')) return alias(name, 'function') ?? localFunction(name);
      if (stubs.names.has(name)) return stubs.names.get(name);
      const g = m.symbols.get(name);
      if (g === undefined || g.kind !== 'function' || !isCIdent(name)) return undefined;
      // A C++ function is named by its mangled symbol only in the stubs (a C file); the test cannot.
      if (cxx && name.startsWith('_Z')) return undefined;
      return name === 'main' ? 'isx_orig_main' : name;
    },
    stubReturn: (name) => stubs.returns.get(name),
  };
}

/**
 * The address of a global as C: its own name, or, for a piece of a file-scope C variable that the
 * optimiser split (`@global_error.0`, `.1`), the variable's name and the piece's offset from its
 * `DIGlobalVariableExpression` (`DW_OP_LLVM_fragment`). Static locals (a subprogram's scope) and globals
 * without debug information under a name C cannot write are unreachable: undefined.
 */
function globalAddress(
  m: Module,
  di: DebugInfo | undefined,
  name: string,
  cxx = false,
): { addr: string; label: string } | undefined {
  if (isCIdent(name) && !(cxx && name.startsWith('_Z')))
    return { addr: `(unsigned char *)&${name}`, label: name };
  const g = m.symbols.get(name);
  const id = g?.kind === 'gvar' ? /!dbg !(\d+)/.exec(g.md ?? '')?.[1] : undefined;
  if (di === undefined || id === undefined) return undefined;
  const gve = di.node(Number(id));
  if (gve?.kind !== 'DIGlobalVariableExpression') return undefined;
  const v = di.node(gve.var ?? -1);
  if (v?.kind !== 'DIGlobalVariable' || !isCIdent(v.name)) return undefined;
  const scope = cxx ? cxxScope(di, v.scope) : undefined;
  // A mangled name at file scope is a static data member defined outside its class: reached by symbol.
  if (scope === '' && name.startsWith('_Z')) return undefined;
  if (scope === undefined && di.node(v.scope ?? -1)?.kind !== 'DICompileUnit') return undefined;
  if (scope !== undefined && scope !== '') {
    const frag0 = /DW_OP_LLVM_fragment/.test(gve.expr);
    if (frag0) return undefined;
    return {
      addr: `(unsigned char *)&${scope}::${v.name}`,
      label: `${scope.replace(/\W+/g, '_')}_${v.name}`,
    };
  }
  const frag = /DW_OP_LLVM_fragment,\s*(\d+),\s*(\d+)/.exec(gve.expr);
  const bits = frag !== null ? Number(frag[1]) : 0;
  if (bits % 8 !== 0) return undefined;
  const off = bits / 8;
  return {
    addr: off === 0 ? `(unsigned char *)&${v.name}` : `((unsigned char *)&${v.name} + ${off})`,
    label: `${v.name}_${off}`,
  };
}

/**
 * The C++ scope of a global (namespaces and classes, `a::b`; '' at file scope, anonymous namespaces left
 * out as their names are visible in the test unit), or undefined inside a function (a static local).
 */
function cxxScope(di: DebugInfo, scope: number | null): string | undefined {
  const out: string[] = [];
  let s = scope;
  for (let hops = 0; s !== null && hops < 64; hops++) {
    const n = di.node(s);
    if (n?.kind === 'DICompileUnit' || n?.kind === 'DIFile') break;
    if (
      (n?.kind !== 'DINamespace' && n?.kind !== 'DICompositeType') ||
      (n.kind === 'DICompositeType' && n.name === '')
    )
      return undefined;
    if (n.name !== '') out.push(n.name);
    s = n.scope;
  }
  return out.reverse().join('::');
}

/** ` at file:line` of each crash or undefined-behaviour record, from a replay in the engine. */
function faultPlaces(run: RunDir, mod: RunModule, records: readonly InputRecord[]): Map<InputRecord, string> {
  const places = new Map<InputRecord, string>();
  const todo = records.filter((r) => {
    const k = r.outcome.kind;
    return isOutcomeKind(k) && (outcomeClass(k) === 'crash' || outcomeClass(k) === 'undefined');
  });
  if (todo.length === 0 || !hasDebugInfo(mod.m)) return places;
  const session = new GenSession(mod.m, {
    modulePath: mod.path,
    moduleHash: mod.hash,
    limits: run.spec.limits,
  });
  try {
    for (const r of todo) {
      const facts = session.run(r.function, Plan.fromRecord(r), 'replay', new Rng(0), {
        seed: r.seed,
        index: r.index,
      });
      const loc = facts.location;
      if (facts.outcome !== r.outcome.kind || loc === undefined) continue;
      const f = mod.m.symbols.get(loc.func);
      const b =
        f?.kind === 'function' ? f.blocks.find((x) => (x.name ?? String(x.index)) === loc.block) : undefined;
      const i = b?.instrs[loc.instr];
      const d = i !== undefined && i.dbg >= 0 ? debugLocation(mod.m, i.dbg) : undefined;
      const di = loc.func.startsWith('_Z') ? debugInfo(mod.m) : undefined;
      const where = di !== undefined ? cxxDisplayName(di, loc.func) : loc.func;
      if (d !== undefined && d.line > 0) places.set(r, ` at ${d.file}:${d.line} in ${where}`);
    }
  } finally {
    session.dispose();
  }
  return places;
}

const posix = (p: string): string => p.split('\\').join('/');

function testUnit(
  run: RunDir,
  source: string,
  dir: string,
  stem: string,
  weak: readonly string[],
  texts: string[],
  names: string[],
  kind: UnitKind = 'cmocka',
): string {
  const inc = posix(relative(join(resolve(dir), 'tests'), source));
  if (kind === 'gtest-c') {
    // C test bodies as for cmocka, with cmocka's assertions from isx_gtest.h; GoogleTest runs them
    // through the entry points below (test_<stem>_gtest.cpp).
    const c = testUnit(run, source, dir, stem, weak, texts, names).replace(
      '#include <cmocka.h>\n',
      '#include "isx_gtest.h"\n',
    );
    const at = c.indexOf('int main(int argc, char **argv) {');
    return [
      c
        .slice(0, at)
        .replace(
          ' * One test per kept input',
          ' * Run by GoogleTest (test_' + stem + '_gtest.cpp). One test per kept input',
        ),
      '/* Entry points of the tests for GoogleTest. */',
      ...names.map((n) => `void ${testFunc(n)}_run(void) { ${testFunc(n)}(NULL); }`),
      'void isx_unused_helpers(void) { (void)isx_bits64; (void)isx_bits32; }',
      '',
    ].join('\n');
  }
  const lines = [
    `/* Tests of ${basename(source)}: generated by inputsmith export tests from a gen run (seed ${run.spec.seed}), do not edit.`,
    ' * One test per kept input: construct input, call, check. The source file is included so that its',
    ' * static functions are reachable; functions of other units are stubbed (../stubs). */',
    ...(weak.length > 0
      ? ['/* Declared by the source, never called by the tests: they need not be defined anywhere. */']
      : []),
    ...weak.map((w) => `#pragma weak ${w}`),
    '#define main isx_orig_main',
    `#include "${inc}"`,
    '#undef main',
    '',
    '#include <math.h>',
    '#include <setjmp.h>',
    '#include <signal.h>',
    '#include <stdarg.h>',
    '#include <stddef.h>',
    '#include <stdint.h>',
    '#include <stdio.h>',
    '#include <string.h>',
    '#include <sys/types.h>',
    '#include <cmocka.h>',
    '#include "isx_support.h"',
    `#include "stubs_${stem}.h"`,
    '',
    'static uint64_t isx_bits64(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }',
    'static uint32_t isx_bits32(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }',
    '',
    texts.join('\n'),
    'int main(int argc, char **argv) {',
    '  static const struct CMUnitTest tests[] = {',
    ...names.map((n) => `    { "${n}", ${testFunc(n)}, NULL, isx_teardown, NULL },`),
    '  };',
    '  (void)isx_bits64;',
    '  (void)isx_bits32;',
    '  return isx_main(argc, argv, tests, sizeof tests / sizeof tests[0]);',
    '}',
    '',
  ];
  return lines.join('\n');
}

interface Unit {
  kind: UnitKind;
  stem: string;
  tests: string[];
  /** The source's compile_commands.json entry (gen --compile-commands): its flags build the test unit. */
  command: CompileCommand | undefined;
}

/** The flags a unit is compiled with (as CMakeLists.txt gives them), for the compile check. */
function unitFlags(run: RunDir, dir: string, command: CompileCommand | undefined): string[] {
  const c = run.spec.compile;
  return [
    `-I${join(resolve(dir), 'support')}`,
    `-I${join(resolve(dir), 'stubs')}`,
    ...c.includes.map((i) => `-I${resolve(i)}`),
    ...c.defines.map((d) => `-D${d}`),
    ...(command !== undefined && command.args.length > 0 ? commandFlags(command) : []),
  ];
}

function cmakeLists(run: RunDir, dir: string, units: readonly Unit[]): string {
  const c = run.spec.compile;
  const rel = (p: string): string => {
    const r = posix(relative(resolve(dir), resolve(p)));
    return `\${CMAKE_CURRENT_SOURCE_DIR}/${r}`;
  };
  const gtest = units.some((u) => u.kind !== 'cmocka');
  const cmocka = !gtest || units.some((u) => u.kind === 'cmocka');
  const lines = [
    '# Generated by inputsmith export tests, do not edit.',
    '# cmake -S . -B build && cmake --build build && ctest --test-dir build',
    'cmake_minimum_required(VERSION 3.13)',
    gtest ? 'project(inputsmith_tests C CXX)' : 'project(inputsmith_tests C)',
    `set(ISX_OPT "-O${c.opt.replace(/^-?O/, '')}" CACHE STRING "optimisation level of the sources under test (gen ran at this one)")`,
    ...(cmocka
      ? [
          'find_path(CMOCKA_INCLUDE_DIR cmocka.h)',
          'find_library(CMOCKA_LIBRARY cmocka)',
          'if(NOT CMOCKA_INCLUDE_DIR OR NOT CMOCKA_LIBRARY)',
          '  message(FATAL_ERROR "cmocka not found (Debian: apt-get install libcmocka-dev)")',
          'endif()',
        ]
      : []),
    ...(gtest ? gtestCmake.find : []),
    'enable_testing()',
    ...(cmocka
      ? [
          'add_library(isx_support STATIC support/isx_support.c)',
          'target_include_directories(isx_support PUBLIC support ${CMOCKA_INCLUDE_DIR})',
        ]
      : []),
    ...(gtest ? gtestCmake.support : []),
    ...COVERAGE_CMAKE,
    '',
  ];
  for (const u of units) {
    const t = `test_${u.stem}`;
    const files =
      u.kind === 'gtest-cxx'
        ? `tests/${t}.cpp`
        : u.kind === 'gtest-c'
          ? `tests/${t}.c tests/${t}_gtest.cpp`
          : `tests/${t}.c`;
    lines.push(`add_executable(${t} ${files} stubs/stubs_${u.stem}.c)`);
    lines.push(
      `target_compile_options(${t} PRIVATE \${ISX_OPT} -g${u.kind === 'cmocka' ? '' : ' -fexceptions'})`,
    );
    lines.push(
      `target_include_directories(${t} PRIVATE stubs${c.includes.map((i) => ' ' + rel(i)).join('')})`,
    );
    if (c.defines.length > 0) lines.push(`target_compile_definitions(${t} PRIVATE ${c.defines.join(' ')})`);
    if (u.command !== undefined && u.command.args.length > 0)
      lines.push(`target_compile_options(${t} PRIVATE ${commandFlags(u.command).join(' ')})`);
    if (u.kind === 'cmocka')
      lines.push(`target_link_libraries(${t} PRIVATE isx_support \${CMOCKA_LIBRARY} m \${CMAKE_DL_LIBS})`);
    else
      lines.push(
        `target_link_libraries(${t} PRIVATE isx_support_gtest GTest::gtest_main m \${CMAKE_DL_LIBS})`,
      );
    // Functions of other units that the source calls on paths the optimised IR proved dead (pcre2: a UTF
    // check behind an option the configuration rules out) are referenced at -O0 but never declared in the
    // IR, so no stub or weak declaration names them: left unresolved, as the weak ones are (no test
    // reaches them; the engine never did).
    lines.push(`target_link_options(${t} PRIVATE -no-pie -Wl,--unresolved-symbols=ignore-in-object-files)`);
    lines.push(`isx_instrument(${t})`);
    for (const n of u.tests)
      lines.push(
        u.kind === 'cmocka'
          ? `add_test(NAME ${u.stem}.${n} COMMAND ${t} ${n})`
          : `add_test(NAME ${u.stem}.${n} COMMAND ${t} --gtest_filter=regression.${n})`,
      );
    lines.push('');
  }
  void dirname;
  return lines.join('\n');
}
