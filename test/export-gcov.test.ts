/**
 * @fileoverview The honesty check of the LCOV export (issue 13): the exported unit tests of a small C file
 * built with gcov instrumentation (`-DISX_COVERAGE=ON`, gcc -O0) and run; the line coverage gcov measures
 * on the source must be within 2 points of what `export lcov` claims for the same inputs, the lines only
 * an error test's child runs (before its abort) must count, and tests that do not run what the export
 * claims must fail the check.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareLineCoverage,
  lcovOfTests,
  measureTestCoverage,
  parseLcovLines,
  testedSources,
  undefinedTests,
  type CoverageComparison,
} from '../src/export/coverage-check.js';
import { lcovOfRun } from '../src/export/lcov.js';
import { readRunDir, type RunDir } from '../src/export/run-dir.js';
import type { TestsReport } from '../src/export/tests.js';
import { cli } from './export-exec.js';

const have = (cmd: string, arg = '--version'): boolean =>
  spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;
const ready =
  have('cmake') &&
  have('gcc') &&
  have('lcov') &&
  have('clang-19') &&
  spawnSync('test', ['-f', '/usr/include/cmocka.h']).status === 0;

// Branches, a loop, a callee that is not inlined (its lines run through its callers too), a string
// walk, an out-of-bounds read (an undefined-behaviour test), and a crash whose line before abort() only
// the forked child of an error test runs.
const SOURCE = `#include <stdlib.h>
#include <string.h>

int crashes;

__attribute__((noinline)) int clamp(int x, int lo, int hi) {
  if (x < lo)
    return lo;
  if (x > hi)
    return hi;
  return x;
}

int sum_clamped(const int *a, int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    s += clamp(a[i], -10, 10);
  return s;
}

int classify(const char *s) {
  size_t n = strlen(s);
  if (n == 0)
    return 0;
  if (s[0] == '#')
    return 1;
  if (n > 8)
    return 2;
  return 3;
}

int table[4];

int peek(int i) {
  if (i > 10)
    return table[i];
  return -1;
}

int checked(int x) {
  if (x == 12345) {
    crashes++;
    abort();
  }
  return x * 2;
}
`;

interface Project {
  dir: string;
  report: TestsReport;
  runDir: RunDir;
}

/** gen -g -O<opt> --native, export tests, and the run read back (where gen ran, as the CLI does). */
async function project(root: string, opt: string): Promise<Project> {
  const g = await cli(['gen', '-g', `-O${opt}`, '--native', 'lib.c', '-o', `out${opt}`], root);
  expect(g.code, g.stderr).toBe(0);
  const e = await cli(['export', 'tests', `out${opt}`, '-o', `proj${opt}`], root);
  expect(e.code, e.stderr).toBe(0);
  const report = JSON.parse(readFileSync(join(root, `proj${opt}`, 'report.json'), 'utf8')) as TestsReport;
  // The module is compiled again as gen compiled it: in its directory (clang records it in the IR).
  const prev = process.cwd();
  process.chdir(root);
  try {
    const runDir = await readRunDir(`out${opt}`);
    expect(runDir.modules).toHaveLength(1);
    return { dir: join(root, `proj${opt}`), report, runDir };
  } finally {
    process.chdir(prev);
  }
}

const compare = (p: Project, measured: string, r: RunDir, throughCalls: boolean): CoverageComparison =>
  compareLineCoverage(lcovOfRun(r, () => {}, throughCalls).text, measured, testedSources(p.report));

describe.runIf(ready)('gcov against export lcov', () => {
  let root: string;
  let source: string;
  let o1: Project;
  let o0: Project;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'isx-gcov-'));
    source = join(root, 'lib.c');
    writeFileSync(source, SOURCE);
    o1 = await project(root, '1');
    o0 = await project(root, '0');
  }, 180_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('at -O1, agrees within 2 points on the lines both have code on, error tests counted', async () => {
    expect(testedSources(o1.report)).toEqual([source]);
    expect(o1.report.totals.errorTests).toBeGreaterThanOrEqual(1);
    const m = await measureTestCoverage(o1.dir, join(root, 'build-gcov1'), { jobs: 2 });
    expect(m.ctest).toContain(`0 tests failed out of ${o1.report.totals.tests}`);
    const all = compare(o1, m.text, o1.runDir, false);
    const same = compare(o1, m.text, lcovOfTests(o1.runDir, o1.report), true);
    for (const c of [all, same]) {
      expect(c.files[0]!.measured.data).toBe(true);
      expect(c.common.found).toBeGreaterThan(10);
      expect(Math.abs(c.common.difference), JSON.stringify(c.files[0])).toBeLessThanOrEqual(2);
    }
    expect(same.files[0]!.claimedNotHit).toEqual([]);
    expect(same.files[0]!.hitNotClaimed).toEqual([]);
    // \`crashes++;\` runs only in the child of the abort test, which dies of SIGABRT: its counts are kept.
    const line = SOURCE.split('\n').indexOf('    crashes++;') + 1;
    let counts: Map<number, number> | undefined;
    for (const [f, lines] of parseLcovLines(m.text)) if (f.endsWith(source)) counts = lines;
    expect(counts?.get(line)).toBeGreaterThan(0);
    expect(parseLcovLines(lcovOfRun(o1.runDir).text).get(source)?.get(line)).toBeGreaterThan(0);
  }, 180_000);

  it('at -O0 (the line table gcov uses), agrees within 2 points on all lines', async () => {
    const m = await measureTestCoverage(o0.dir, join(root, 'build-gcov0'), { jobs: 2 });
    expect(m.ctest).toContain(`0 tests failed out of ${o0.report.totals.tests}`);
    const c = compare(o0, m.text, o0.runDir, false);
    expect(c.measured.found).toBeGreaterThan(20);
    expect(Math.abs(c.difference), JSON.stringify(c.files[0])).toBeLessThanOrEqual(2);
    expect(Math.abs(c.common.difference), JSON.stringify(c.files[0])).toBeLessThanOrEqual(2);
  }, 180_000);

  it('leaves out the tests of inputs that ended in undefined behaviour when asked', async () => {
    const ub = undefinedTests(o1.runDir, o1.report);
    expect(ub.length).toBeGreaterThanOrEqual(1);
    const lists = readFileSync(join(o1.dir, 'CMakeLists.txt'), 'utf8');
    for (const t of ub) expect(lists).toContain(`add_test(NAME ${t} `);
    const m = await measureTestCoverage(o1.dir, join(root, 'build-gcov1'), { jobs: 2, exclude: ub });
    expect(m.ctest).toContain(`0 tests failed out of ${o1.report.totals.tests - ub.length}`);
  }, 180_000);

  it('fails when the tests do not run what the export claims', async () => {
    // Keep only one test per function: gcov measures less than the export claims for all inputs.
    const file = join(o0.dir, 'CMakeLists.txt');
    const seen = new Set<string>();
    const lists = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => {
        const t = /^add_test\(NAME \S+\.(\w+)_(\d+) /.exec(l);
        if (t === null) return true;
        if (seen.has(t[1]!)) return false;
        seen.add(t[1]!);
        return true;
      });
    writeFileSync(file, lists.join('\n'));
    const m = await measureTestCoverage(o0.dir, join(root, 'build-gcov-few'), { jobs: 2 });
    const c = compare(o0, m.text, o0.runDir, false);
    expect(c.difference).toBeLessThan(-2);
    expect(c.files[0]!.claimedNotHit.length).toBeGreaterThan(0);
  }, 180_000);
});

describe('lcovOfTests', () => {
  it('keeps the inputs that became tests, C++ tests named after class and method too', () => {
    const rec = (index: number): unknown => ({ index });
    const run = {
      modules: [
        {
          path: 'm.cpp',
          functions: [
            { name: '_ZN3geo7Counter3addEi', records: [rec(0), rec(1), rec(2)], files: ['a', 'b', 'c'] },
            { name: 'clampi', records: [rec(0), rec(1)], files: ['d', 'e'] },
          ],
        },
      ],
    } as unknown as RunDir;
    const report = {
      modules: [
        {
          module: 'm.cpp',
          functions: [
            { function: '_ZN3geo7Counter3addEi', tests: ['Counter_add_0', 'Counter_add_2'] },
            { function: 'clampi', tests: ['clampi_1'] },
          ],
        },
      ],
    } as unknown as TestsReport;
    const kept = lcovOfTests(run, report).modules[0]!.functions;
    expect(kept.map((f) => f.records.map((r) => r.index))).toEqual([[0, 2], [1]]);
    expect(kept.map((f) => f.files)).toEqual([['a', 'c'], ['e']]);
  });
});
