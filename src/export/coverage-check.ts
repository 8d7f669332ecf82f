/**
 * @fileoverview Stage: export. The honesty check of the LCOV export (issue 13): the line coverage gcov
 * measures when the exported unit tests run, against the line coverage `export lcov` claims.
 *
 * Consumes: an exported test project (`export tests`, ./tests.ts) and the LCOV text of the run
 * (./lcov.ts). Produces: `measureTestCoverage`, which builds the project with gcov instrumentation
 * (`-DISX_COVERAGE=ON`, gcc, `-O0`: tests-coverage.ts), runs ctest and collects the counts with `lcov
 * --capture`; `lcovOfTests`, the run restricted to the inputs that became tests (the same inputs on both
 * sides), and `undefinedTests`, the tests of inputs that ended in undefined behaviour (which natively run
 * on past the point where the engine stopped); and `compareLineCoverage`, the comparison per source file and in total. docs/tests.md, "Coverage
 * of the tests", explains which comparison is fair and why the two never agree line for line.
 *
 * The comparison covers the library's source files only (the modules' sources, report.json), not the
 * tests, stubs, support files or headers. A measured file matches a source when its path is the source's
 * or ends with it: gcc folds the `..` of the test unit's relative `#include`, so a source above the project
 * is named `<build dir>/<absolute path>`. Each side's percentage is over its own lines found (gcov: lines
 * with code at -O0 as gcc sees them; the export: lines of the -O1 IR's `!dbg` locations); per file the
 * lines both sides found are compared: claimed hit but not hit by the tests (`claimedNotHit`), and hit by
 * the tests but not claimed (`hitNotClaimed`). A source gcov has no data for (no test of it was written,
 * or its unit did not build) counts with the export's lines found and nothing hit.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run as runTool } from '../util/proc.js';
import { UserError } from '../util/errors.js';
import { isOutcomeKind, isUndefinedOutcome } from '../engine/outcome.js';
import type { InputRecord } from '../gen/record.js';
import type { RunDir } from './run-dir.js';
import type { TestsReport } from './tests.js';

/** Per source file, line -> count. Records of one file are merged (counts added). */
export type LineCounts = Map<string, Map<number, number>>;

/** The `DA` lines of an LCOV tracefile. */
export function parseLcovLines(text: string): LineCounts {
  const files: LineCounts = new Map();
  let cur: Map<number, number> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('SF:')) {
      const f = resolve(line.slice(3).trim());
      cur = files.get(f);
      if (cur === undefined) files.set(f, (cur = new Map()));
    } else if (line.startsWith('DA:') && cur !== undefined) {
      const [l, n] = line.slice(3).split(',');
      const k = Number(l);
      cur.set(k, (cur.get(k) ?? 0) + Number(n));
    } else if (line.startsWith('end_of_record')) cur = undefined;
  }
  return files;
}

export interface Side {
  readonly found: number;
  readonly hit: number;
}

export interface Common {
  readonly found: number;
  readonly claimedHit: number;
  readonly measuredHit: number;
}

export interface FileComparison {
  readonly file: string;
  /** `export lcov`: lines found and hit. */
  readonly claimed: Side;
  /** gcov: lines found and hit; `data` false when gcov had no data for the file. */
  readonly measured: Side & { readonly data: boolean };
  /** Lines both found, and of them hit on each side. */
  readonly common: Common;
  /** Lines both found: claimed hit, not hit by the tests. */
  readonly claimedNotHit: readonly number[];
  /** Lines both found: hit by the tests, not claimed. */
  readonly hitNotClaimed: readonly number[];
  /** Lines only one side has code on (of them, hit on that side). */
  readonly onlyClaimed: Side;
  readonly onlyMeasured: Side;
}

export interface CoverageComparison {
  readonly files: readonly FileComparison[];
  readonly claimed: Side;
  readonly measured: Side;
  /** Line coverage in percent on each side, and measured minus claimed in points. */
  readonly claimedPct: number;
  readonly measuredPct: number;
  readonly difference: number;
  /** The same over the lines both sides found (each side's own lines found differ: see the header). */
  readonly common: Common & {
    readonly claimedPct: number;
    readonly measuredPct: number;
    readonly difference: number;
  };
}

const pct = (s: Side): number => (s.found === 0 ? 0 : (100 * s.hit) / s.found);
const sideOf = (m: ReadonlyMap<number, number>): Side => ({
  found: m.size,
  hit: [...m.values()].filter((n) => n > 0).length,
});

/** The measured file of `source`: the same path, or one that ends with it (see the header). */
function measuredFile(measured: LineCounts, source: string): Map<number, number> | undefined {
  const exact = measured.get(source);
  if (exact !== undefined) return exact;
  for (const [f, lines] of measured) if (f.endsWith(source)) return lines;
  return undefined;
}

/** Compare the claimed (`export lcov`) and measured (gcov) line coverage of `sources` (absolute paths). */
export function compareLineCoverage(
  claimedText: string,
  measuredText: string,
  sources: readonly string[],
): CoverageComparison {
  const claimed = parseLcovLines(claimedText);
  const measured = parseLcovLines(measuredText);
  const files: FileComparison[] = [];
  for (const source of [...new Set(sources.map((s) => resolve(s)))].sort()) {
    const c = claimed.get(source) ?? new Map<number, number>();
    const m = measuredFile(measured, source);
    const both = [...c.keys()].filter((l) => m?.has(l) === true).sort((a, b) => a - b);
    const only = (a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number> | undefined): Side => {
      const ls = [...a.keys()].filter((l) => b?.has(l) !== true);
      return { found: ls.length, hit: ls.filter((l) => a.get(l)! > 0).length };
    };
    files.push({
      file: source,
      claimed: sideOf(c),
      measured: m === undefined ? { found: c.size, hit: 0, data: false } : { ...sideOf(m), data: true },
      common: {
        found: both.length,
        claimedHit: both.filter((l) => c.get(l)! > 0).length,
        measuredHit: both.filter((l) => m!.get(l)! > 0).length,
      },
      claimedNotHit: both.filter((l) => c.get(l)! > 0 && m!.get(l) === 0),
      hitNotClaimed: both.filter((l) => c.get(l) === 0 && m!.get(l)! > 0),
      onlyClaimed: only(c, m),
      onlyMeasured: m === undefined ? { found: 0, hit: 0 } : only(m, c),
    });
  }
  const sum = (pick: (f: FileComparison) => Side): Side => ({
    found: files.reduce((n, f) => n + pick(f).found, 0),
    hit: files.reduce((n, f) => n + pick(f).hit, 0),
  });
  const cs = sum((f) => f.claimed);
  const ms = sum((f) => f.measured);
  const found = files.reduce((n, f) => n + f.common.found, 0);
  const ch = files.reduce((n, f) => n + f.common.claimedHit, 0);
  const mh = files.reduce((n, f) => n + f.common.measuredHit, 0);
  const cp = pct({ found, hit: ch });
  const mp = pct({ found, hit: mh });
  return {
    files,
    claimed: cs,
    measured: ms,
    claimedPct: pct(cs),
    measuredPct: pct(ms),
    difference: pct(ms) - pct(cs),
    common: { found, claimedHit: ch, measuredHit: mh, claimedPct: cp, measuredPct: mp, difference: mp - cp },
  };
}

/** The library's source files of an exported project (report.json's modules with a source). */
export function testedSources(report: TestsReport): string[] {
  return report.modules.flatMap((m) => (m.source === null ? [] : [m.source]));
}

/**
 * The run with only the kept inputs that became tests (report.json), so that `lcovOfRun` of it claims
 * the coverage of exactly the inputs the tests replay; `keep` drops more (see `isUndefinedRecord`).
 */
export function lcovOfTests(
  run: RunDir,
  report: TestsReport,
  keep: (r: InputRecord) => boolean = () => true,
): RunDir {
  // A test is named `<function>_<index>` in C and `<Class>_<method>_<index>` in C++: the input is the
  // report's function (its IR name) and the name's trailing index.
  const tests = new Set<string>();
  for (const m of report.modules)
    for (const f of m.functions)
      for (const t of f.tests) tests.add(`${m.module}\0${f.function}_${/_(\d+)$/.exec(t)?.[1] ?? ''}`);
  return {
    ...run,
    modules: run.modules.map((mod) => ({
      ...mod,
      functions: mod.functions.map((fn) => {
        const ok = fn.records.map((r) => keep(r) && tests.has(`${mod.path}\0${fn.name}_${r.index}`));
        return {
          ...fn,
          records: fn.records.filter((_, i) => ok[i]),
          files: fn.files.filter((_, i) => ok[i]),
        };
      }),
    })),
  };
}

/**
 * Whether a kept input ended in undefined behaviour (out of bounds, use after free, ...). The engine
 * stops there; natively its test's call may go on (the test asserts only that it ends), running code the
 * engine never ran, which gcov counts.
 */
export function isUndefinedRecord(r: InputRecord): boolean {
  const k = r.outcome.kind;
  return isOutcomeKind(k) && isUndefinedOutcome(k);
}

/** The ctest names (`<stem>.<test>`) of the tests of inputs that ended in undefined behaviour. */
export function undefinedTests(run: RunDir, report: TestsReport): string[] {
  const names: string[] = [];
  for (const m of report.modules) {
    const stem = /test_(.+)\.c$/.exec(m.testFile ?? '')?.[1];
    const mod = run.modules.find((x) => x.path === m.module);
    if (stem === undefined || mod === undefined) continue;
    const tests = new Set(m.functions.flatMap((f) => f.tests));
    for (const fn of mod.functions)
      for (const r of fn.records)
        if (isUndefinedRecord(r) && tests.has(`${fn.name}_${r.index}`))
          names.push(`${stem}.${fn.name}_${r.index}`);
  }
  return names;
}

export interface MeasureOptions {
  /** C compiler (default gcc: its gcov matches the Debian lcov). */
  readonly cc?: string;
  /** Extra CMAKE_C_FLAGS (the library's -I/-D when gen ran on .ll files). */
  readonly cflags?: string;
  /** Parallel build and ctest jobs. */
  readonly jobs?: number;
  /** ctest's timeout per test, seconds (default 20). */
  readonly timeoutS?: number;
  /** ctest names of tests not to run (`undefinedTests`). */
  readonly exclude?: readonly string[];
}

export interface MeasuredCoverage {
  /** The tracefile `lcov --capture` wrote (every file of the build; compare restricts it). */
  readonly text: string;
  readonly file: string;
  /** ctest's count line (`... tests failed out of N`), or its last line. */
  readonly ctest: string;
}

/**
 * Build the test project `projectDir` in `buildDir` with gcov instrumentation at -O0, run every test (but
 * `exclude`d ones) from zeroed counters and capture the counts (`lcov --capture --directory buildDir`). A failing configure, build or capture is a
 * `UserError` with the tool's last lines; failing tests are not (they still ran, and count).
 */
export async function measureTestCoverage(
  projectDir: string,
  buildDir: string,
  o: MeasureOptions = {},
): Promise<MeasuredCoverage> {
  mkdirSync(buildDir, { recursive: true });
  const j = String(o.jobs ?? 1);
  const step = async (what: string, cmd: string, args: string[], must = true): Promise<string> => {
    const r = await runTool(cmd, args);
    const out = `${r.stdout}\n${r.stderr}`;
    if (must && r.code !== 0)
      throw new UserError(`${what} failed: ${out.trim().split('\n').slice(-5).join(' / ')}`, {
        file: projectDir,
      });
    return out;
  };
  await step('cmake', 'cmake', [
    '-S',
    projectDir,
    '-B',
    buildDir,
    `-DCMAKE_C_COMPILER=${o.cc ?? 'gcc'}`,
    '-DISX_OPT=-O0',
    '-DISX_COVERAGE=ON',
    ...(o.cflags !== undefined ? [`-DCMAKE_C_FLAGS=${o.cflags}`] : []),
  ]);
  await step('the build', 'cmake', ['--build', buildDir, '-j', j]);
  // Counts of an earlier run of the same build would add up: start from zero.
  await step('lcov --zerocounters', 'lcov', ['--quiet', '--zerocounters', '--directory', buildDir]);
  const esc = (n: string): string => n.replace(/[.^$*+?()[\]{}|\\]/g, '\\$&');
  const exclude =
    o.exclude !== undefined && o.exclude.length > 0 ? ['-E', `^(${o.exclude.map(esc).join('|')})$`] : [];
  const t = await step(
    'ctest',
    'ctest',
    ['--test-dir', buildDir, '-j', j, '--timeout', String(o.timeoutS ?? 20), ...exclude],
    false,
  );
  const file = join(buildDir, 'gcov.info');
  await step('lcov --capture', 'lcov', ['--quiet', '--capture', '--directory', buildDir, '-o', file]);
  const lines = t.trim().split('\n');
  const ctest = lines.find((l) => /tests failed out of/.test(l)) ?? lines.at(-1) ?? '';
  return { text: readFileSync(file, 'utf8'), file, ctest: ctest.trim() };
}
