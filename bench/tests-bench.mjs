#!/usr/bin/env node
// The unit-test export on the corpus (issue 13): for each library, a compile_commands.json of its sources
// and flags (written here, directory = the library's root), `inputsmith gen --native -g -O1
// --compile-commands` on it (so OUT/sources.json keeps each source's flags), then `inputsmith export
// tests`, then the real cmake/ctest with clang-19 and gcc at -O0 and -O2 (the test units get the
// library's flags from the run: no CMAKE_C_FLAGS). Figures against the targets of issue 13: the share of
// natively replayable kept inputs that become tests that pass (>= 95%), the share of test files that
// compile (100%), the inputs left out (<= 3%) by reason. Then the honesty check of the LCOV export: the
// project built with gcov (gcc -O0, -DISX_COVERAGE=ON, src/export/coverage-check.ts), the line coverage
// gcov measures on the library's sources against `export lcov` of all kept inputs (with and without
// --through-calls) and of the inputs that became tests, over each side's own lines and over the lines
// both found (target: within 2 points). Prints Markdown on stdout.
//
// Usage: node bench/tests-bench.mjs [lib...]   (default: cjson zlib)
// Environment: INPUTSMITH_BENCH_KEEP=DIR keeps each library's directory as DIR/<lib>;
// INPUTSMITH_BENCH_REUSE=DIR takes gen's output from DIR/<lib>/out (a kept directory) instead of running gen
// (an output without sources.json, of gen on .ll files, gets the library's flags as CMAKE_C_FLAGS);
// INPUTSMITH_BENCH_GCOV_ONLY=1 skips the four builds (only the gcov check); INPUTSMITH_BENCH_NO_GCOV=1
// skips the gcov check; INPUTSMITH_BENCH_NO_DIFF=1 skips classifying the tests that pass at some builds
// and fail at others with `inputsmith diff` (crossBuildDifferences). C++ libraries (the `cxx` corpus set: `node bench/tests-bench.mjs tinyxml2
// double-conversion`) get GoogleTest units, built with clang++-19 and g++ beside clang-19 and gcc.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const cov = await import(join(root, 'dist/export/coverage-check.js'));
const tune = await import(join(root, 'dist/tune/diff.js'));
const { lcovOfRun } = await import(join(root, 'dist/export/lcov.js'));
const { readRunDir } = await import(join(root, 'dist/export/run-dir.js'));
const BIN = join(root, 'bin', 'inputsmith.js');
const libs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['cjson', 'zlib'];
const BUILDS = [
  ['clang-19', '-O0'],
  ['clang-19', '-O2'],
  ['gcc', '-O0'],
  ['gcc', '-O2'],
];
const jobs = String(availableParallelism());
/** The C++ compiler of each C compiler (C++ sources' tests are GoogleTest units, issue 13). */
const CXX = { 'clang-19': 'clang++-19', gcc: 'g++' };

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}` };
}

/** The library's flags as CMAKE_C_FLAGS (CMake splits it as a command line: quotes are escaped). */
function cflagsOf(lib) {
  const flags = lib.flags.map((f) =>
    f.startsWith('-I') && !isAbsolute(f.slice(2)) ? `-I${join(lib.root, f.slice(2))}` : f,
  );
  return flags.map((f) => f.replace(/"/g, '\\"')).join(' ');
}

/** Build and run one configuration: files compiled, tests passed / failed / not run. */
function build(work, lib, cc, opt) {
  const b = join(work, `build-${cc}${opt}`);
  const cflags = existsSync(join(work, 'out', 'sources.json')) ? undefined : cflagsOf(lib);
  const c = run(
    'cmake',
    [
      '-S',
      'proj',
      '-B',
      b,
      `-DCMAKE_C_COMPILER=${cc}`,
      `-DCMAKE_CXX_COMPILER=${CXX[cc]}`,
      `-DISX_OPT=${opt}`,
      ...(cflags === undefined ? [] : [`-DCMAKE_C_FLAGS=${cflags}`]),
    ],
    work,
  );
  if (c.code !== 0) return { error: c.out.slice(-2000) };
  run('cmake', ['--build', b, '-j', jobs, '--', '-k'], work);
  const units = readdirSync(join(work, 'proj', 'tests'))
    .filter((f) => !f.endsWith('_gtest.cpp'))
    .map((f) => f.replace(/\.(c|cpp)$/, ''));
  const compiled = units.filter((u) => existsSync(join(b, u))).length;
  const t = run('ctest', ['--test-dir', b, '-j', jobs, '--timeout', '20'], work);
  const failed = [
    ...t.out.matchAll(/^\s*\d+ - (\S+) \((Failed|Not Run|Timeout|SEGFAULT|Subprocess aborted|Exception)\)/gm),
  ].map((m) => `${m[1]} (${m[2]})`);
  const total = Number(/out of (\d+)/.exec(t.out)?.[1] ?? 0);
  return { units: units.length, compiled, total, passed: total - failed.length, failed };
}

/**
 * Tests that pass at some builds and fail at others (issue 13: cross-build differences, reported rather
 * than hidden), each with the class `inputsmith diff` gives its input over the same four builds
 * (docs/perf.md: undefined-behaviour, fp-contraction, implementation-defined, engine-gap, unexplained),
 * or why diff has none: its input ended in undefined behaviour (diff compares UB-free inputs only), or
 * diff's replay agrees with every build (the difference is the test harness's, e.g. its malloc limit).
 * C sources only (diff does not build C++). INPUTSMITH_BENCH_NO_DIFF=1 skips it.
 */
function crossBuildDifferences(work, db, report, builds) {
  const ok = builds.filter((b) => b.failed !== undefined);
  if (ok.length < 2) return [];
  const failing = new Map();
  for (const b of ok)
    for (const f of b.failed) {
      const test = f.replace(/ \(.*$/, '');
      failing.set(test, [...(failing.get(test) ?? []), `${b.cc} ${b.opt}`]);
    }
  const cross = [...failing].filter(([, at]) => at.length < ok.length);
  if (cross.length === 0) return [];
  const isC = !report.modules.some((m) => /\.cpp$/.test(m.testFile ?? ''));
  let diff;
  if (isC && !process.env.INPUTSMITH_BENCH_NO_DIFF) {
    const variants = BUILDS.map(([cc, opt]) => `${cc} ${opt}`);
    const d = run(
      'node',
      [
        BIN,
        'diff',
        'out',
        '--variants',
        ...variants,
        '--compile-commands',
        db,
        '--json',
        '-o',
        join(work, 'diff'),
      ],
      work,
    );
    try {
      diff = JSON.parse(d.out.slice(d.out.indexOf('{'), d.out.lastIndexOf('}') + 1));
    } catch {
      diff = undefined;
    }
  }
  // Where gen put each module's inputs (its key in run.json).
  const keys = new Map(
    JSON.parse(readFileSync(join(work, 'out', 'run.json'), 'utf8')).modules.map((x) => [x.path, x.key]),
  );
  return cross.map(([test, at]) => {
    const [stem, name] = [test.slice(0, test.indexOf('.')), test.slice(test.indexOf('.') + 1)];
    const m = report.modules.find((x) => (x.testFile ?? '').endsWith(`test_${stem}.c`));
    const f = m?.functions.find((x) => x.tests.includes(name));
    const index = Number(/_(\d+)$/.exec(name)?.[1]);
    let cls = isC ? 'not classified (diff failed)' : 'not classified (C++: diff builds C only)';
    if (diff !== undefined && m !== undefined && f !== undefined) {
      const hit = diff.differences.find(
        (x) => x.module === m.module && x.function === f.function && x.index === index,
      );
      const rec = JSON.parse(
        readFileSync(join(work, 'out', 'inputs', keys.get(m.module), f.function, `${index}.json`), 'utf8'),
      );
      cls =
        hit !== undefined
          ? `diff: ${hit.class}`
          : tune.diffRecords([rec]).length > 0
            ? 'diff: no difference (the test harness differs)'
            : `not compared by diff (its input ends in ${rec.outcome.kind})`;
    }
    return { test, at, cls };
  });
}

/** The gcov build of the project against `export lcov` of all kept inputs and of the tests' inputs. */
async function gcovCheck(work, lib, report) {
  try {
    const m = await cov.measureTestCoverage(join(work, 'proj'), join(work, 'build-gcov'), {
      cflags: existsSync(join(work, 'out', 'sources.json')) ? undefined : cflagsOf(lib),
      jobs: Number(jobs),
    });
    const runDir = await readRunDir(join(work, 'out'));
    const tests = cov.lcovOfTests(runDir, report);
    const sources = cov.testedSources(report);
    const cmp = (r, through) =>
      cov.compareLineCoverage(lcovOfRun(r, () => {}, through).text, m.text, sources);
    const all = cmp(runDir, false);
    const allThrough = cmp(runDir, true);
    const same = cmp(tests, true);
    // Without the tests of inputs that ended in undefined behaviour (natively they run on past the point
    // where the engine stopped), on both sides.
    const ub = cov.undefinedTests(runDir, report);
    const m2 = await cov.measureTestCoverage(join(work, 'proj'), join(work, 'build-gcov'), {
      cflags: existsSync(join(work, 'out', 'sources.json')) ? undefined : cflagsOf(lib),
      jobs: Number(jobs),
      exclude: ub,
    });
    const defined = cov.compareLineCoverage(
      lcovOfRun(
        cov.lcovOfTests(runDir, report, (r) => !cov.isUndefinedRecord(r)),
        () => {},
        true,
      ).text,
      m2.text,
      sources,
    );
    return { all, allThrough, same, defined, ub: ub.length, ctest: m.ctest };
  } catch (e) {
    return { error: String(e?.message ?? e) };
  }
}

const rows = [];
for (const name of libs) {
  const lib = await fetchCorpus(name, {});
  const work = mkdtempSync(join(tmpdir(), `isx-tests-bench-${name}-`));
  const db = join(work, 'compile_commands.json');
  const entries = lib.files.map((f) => ({
    directory: lib.root,
    file: f,
    arguments: [/\.(cc|cpp|cxx)$/.test(f) ? 'clang++' : 'clang', ...lib.flags, '-c', f],
  }));
  writeFileSync(db, JSON.stringify(entries, null, 2));
  const reuse = process.env.INPUTSMITH_BENCH_REUSE && join(process.env.INPUTSMITH_BENCH_REUSE, name, 'out');
  const genArgs = ['gen', '--native', '-g', '-O1', '--jobs', jobs, '--compile-commands', db];
  const g =
    reuse && existsSync(join(reuse, 'run.json'))
      ? run('cp', ['-r', reuse, join(work, 'out')], work)
      : run('node', [BIN, ...genArgs, '-o', join(work, 'out')], work);
  if (!existsSync(join(work, 'out', 'run.json'))) {
    rows.push({ name, error: g.out.slice(-1000) });
    continue;
  }
  const e = run('node', [BIN, 'export', 'tests', 'out', '-o', 'proj'], work);
  const report = JSON.parse(readFileSync(join(work, 'proj', 'report.json'), 'utf8'));
  const reasons = new Map();
  for (const m of report.modules)
    for (const f of m.functions)
      for (const l of f.leftOut) {
        const k = l.reason.replace(/\d+/g, 'N').slice(0, 90);
        reasons.set(k, (reasons.get(k) ?? 0) + 1);
      }
  const builds = (process.env.INPUTSMITH_BENCH_GCOV_ONLY ? [] : BUILDS).map(([cc, opt]) => ({
    cc,
    opt,
    ...build(work, lib, cc, opt),
  }));
  const gcov = process.env.INPUTSMITH_BENCH_NO_GCOV
    ? { error: 'not measured' }
    : await gcovCheck(work, lib, report);
  const crossBuild = crossBuildDifferences(work, db, report, builds);
  rows.push({
    name,
    totals: report.totals,
    reasons,
    builds,
    gcov,
    crossBuild,
    exportLine: e.out.trim().split('\n').at(-1),
  });
  if (process.env.INPUTSMITH_BENCH_KEEP) {
    mkdirSync(process.env.INPUTSMITH_BENCH_KEEP, { recursive: true });
    run('cp', ['-r', work, join(process.env.INPUTSMITH_BENCH_KEEP, name)], root);
  }
  rmSync(work, { recursive: true, force: true });
}

console.log(
  '| library | replayable kept inputs | tests (error tests) | left out | build | files compiled | tests passed |',
);
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const r of rows) {
  if (r.error) {
    console.log(`| ${r.name} | gen failed | | | | | |`);
    continue;
  }
  const t = r.totals;
  const replayable = t.tests + t.leftOut;
  for (const b of r.builds) {
    const left = `${t.leftOut} (${((100 * t.leftOut) / Math.max(1, replayable)).toFixed(1)}%)`;
    const pass = b.error
      ? 'cmake failed'
      : `${b.passed}/${replayable} (${((100 * b.passed) / Math.max(1, replayable)).toFixed(1)}%)`;
    console.log(
      `| ${r.name} | ${replayable} | ${t.tests} (${t.errorTests}) | ${left} | ${b.cc} ${b.opt} | ${b.compiled ?? '-'}/${b.units ?? '-'} | ${pass} |`,
    );
  }
}
for (const r of rows) {
  if (r.error) continue;
  console.log(`\n${r.name}: left out by reason:`);
  for (const [k, n] of [...r.reasons].sort((a, b) => b[1] - a[1])) console.log(`- ${n} ${k}`);
  for (const b of r.builds)
    if (b.failed?.length)
      console.log(
        `- ${b.cc} ${b.opt} failing: ${b.failed.slice(0, 12).join(', ')}${b.failed.length > 12 ? ', ...' : ''}`,
      );
  if (r.crossBuild.length > 0) {
    console.log(`\n${r.name}: cross-build differences (tests passing at some builds, failing at others):`);
    for (const c of r.crossBuild) console.log(`- ${c.test}: fails at ${c.at.join(', ')}; ${c.cls}`);
  }
}

const f1 = (x) => x.toFixed(1);
const sign = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
console.log(
  '\nLine coverage of the library sources: gcov on the tests (gcc -O0) against export lcov (own: each input credits its own function; calls: --through-calls); the last columns leave out the tests of inputs that ended in undefined behaviour on both sides.\n',
);
console.log(
  "| library | gcov | export lcov, all kept inputs, own | difference | same, calls | difference | the tests' inputs, calls | difference | lines both found | gcov / the tests' inputs, calls, on them | difference | claimed, not hit | hit, not claimed | UB tests | without them: gcov / export on lines both found | difference | hit, not claimed |",
);
console.log(
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
);
for (const r of rows) {
  const g = r.gcov;
  if (!g || g.error) {
    console.log(`| ${r.name} | ${g?.error ?? 'gen failed'} | | | | | | | | | | | | | | | |`);
    continue;
  }
  const { all, allThrough, same, defined } = g;
  const dh = defined.files.reduce((n, f) => n + f.hitNotClaimed.length, 0);
  const cnh = same.files.reduce((n, f) => n + f.claimedNotHit.length, 0);
  const hnc = same.files.reduce((n, f) => n + f.hitNotClaimed.length, 0);
  console.log(
    `| ${r.name} | ${f1(all.measuredPct)}% (${all.measured.hit}/${all.measured.found}) | ${f1(all.claimedPct)}% (${all.claimed.hit}/${all.claimed.found}) | ${sign(all.difference)} | ${f1(allThrough.claimedPct)}% | ${sign(allThrough.difference)} | ${f1(same.claimedPct)}% | ${sign(same.difference)} | ${same.common.found} | ${f1(same.common.measuredPct)}% / ${f1(same.common.claimedPct)}% | ${sign(same.common.difference)} | ${cnh} | ${hnc} | ${g.ub} | ${f1(defined.common.measuredPct)}% / ${f1(defined.common.claimedPct)}% | ${sign(defined.common.difference)} | ${dh} |`,
  );
}
for (const r of rows) {
  const g = r.gcov;
  if (!g || g.error) continue;
  console.log(
    `\n${r.name}: gcov build: ${g.ctest}; per file, against the tests' inputs with --through-calls:`,
  );
  for (const f of g.same.files)
    console.log(
      `- ${basename(f.file)}: gcov ${f.measured.hit}/${f.measured.found}${f.measured.data ? '' : ' (no data)'}, export ${f.claimed.hit}/${f.claimed.found}; only gcov has code on ${f.onlyMeasured.found} (${f.onlyMeasured.hit} hit), only the export on ${f.onlyClaimed.found} (${f.onlyClaimed.hit} hit); claimed not hit: ${f.claimedNotHit.slice(0, 8).join(' ')}${f.claimedNotHit.length > 8 ? ' ...' : ''}; hit not claimed: ${f.hitNotClaimed.slice(0, 8).join(' ')}${f.hitNotClaimed.length > 8 ? ' ...' : ''}`,
    );
}
