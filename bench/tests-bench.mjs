#!/usr/bin/env node
// The unit-test export on the corpus (issue 13): for each library at -O1 compiled with -g (corpusIR with
// `-g` added to the library's flags, its own IR cache directory), `inputsmith gen --native`, then
// `inputsmith export tests`, then the real cmake/ctest with clang-19 and gcc at -O0 and -O2 (the library's
// -I/-D flags passed as CMAKE_C_FLAGS, since gen ran on .ll files). Figures against the targets of issue
// 13: the share of natively replayable kept inputs that become tests that pass (>= 95%), the share of test
// files that compile (100%), the inputs left out (<= 3%) by reason. Prints Markdown on stdout.
//
// Usage: node bench/tests-bench.mjs [lib...]   (default: cjson zlib)
// Environment: INPUTSMITH_BENCH_KEEP=DIR keeps each library's directory as DIR/<lib>;
// INPUTSMITH_BENCH_REUSE=DIR takes gen's output from DIR/<lib>/out (a kept directory) instead of running gen.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { corpusIR, fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const BIN = join(root, 'bin', 'inputsmith.js');
const libs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['cjson', 'zlib'];
const BUILDS = [
  ['clang-19', '-O0'],
  ['clang-19', '-O2'],
  ['gcc', '-O0'],
  ['gcc', '-O2'],
];
const jobs = String(availableParallelism());

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}\n${r.stderr ?? ''}` };
}

/** Build and run one configuration: files compiled, tests passed / failed / not run. */
function build(work, lib, cc, opt) {
  const b = join(work, `build-${cc}${opt}`);
  const flags = lib.flags.map((f) =>
    f.startsWith('-I') && !isAbsolute(f.slice(2)) ? `-I${join(lib.root, f.slice(2))}` : f,
  );
  // CMake splits CMAKE_C_FLAGS as a command line: quotes inside a definition must be escaped.
  const cflags = flags.map((f) => f.replace(/"/g, '\\"')).join(' ');
  const c = run(
    'cmake',
    ['-S', 'proj', '-B', b, `-DCMAKE_C_COMPILER=${cc}`, `-DISX_OPT=${opt}`, `-DCMAKE_C_FLAGS=${cflags}`],
    work,
  );
  if (c.code !== 0) return { error: c.out.slice(-2000) };
  run('cmake', ['--build', b, '-j', jobs, '--', '-k'], work);
  const units = readdirSync(join(work, 'proj', 'tests')).map((f) => f.replace(/\.c$/, ''));
  const compiled = units.filter((u) => existsSync(join(b, u))).length;
  const t = run('ctest', ['--test-dir', b, '-j', jobs, '--timeout', '20'], work);
  const failed = [
    ...t.out.matchAll(/^\s*\d+ - (\S+) \((Failed|Not Run|Timeout|SEGFAULT|Subprocess aborted|Exception)\)/gm),
  ].map((m) => `${m[1]} (${m[2]})`);
  const total = Number(/out of (\d+)/.exec(t.out)?.[1] ?? 0);
  return { units: units.length, compiled, total, passed: total - failed.length, failed };
}

const rows = [];
for (const name of libs) {
  const lib = await fetchCorpus(name, {});
  const files = await corpusIR({ ...lib, flags: [...lib.flags, '-g'] }, 'O1');
  const work = mkdtempSync(join(tmpdir(), `isx-tests-bench-${name}-`));
  const reuse = process.env.INPUTSMITH_BENCH_REUSE && join(process.env.INPUTSMITH_BENCH_REUSE, name, 'out');
  const g =
    reuse && existsSync(join(reuse, 'run.json'))
      ? run('cp', ['-r', reuse, join(work, 'out')], work)
      : run('node', [BIN, 'gen', '--native', '--jobs', jobs, ...files, '-o', join(work, 'out')], work);
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
  const builds = BUILDS.map(([cc, opt]) => ({ cc, opt, ...build(work, lib, cc, opt) }));
  rows.push({ name, totals: report.totals, reasons, builds, exportLine: e.out.trim().split('\n').at(-1) });
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
}
