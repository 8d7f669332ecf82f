#!/usr/bin/env node
// Campaign for issue 6's engine criterion: generate N programs with fixed seeds (default 1..2000), run
// each natively (clang-19 -O0) and in our engine on clang-19's IR at -O0 and -O2 (runners engine-O0,
// engine-O2), and count mismatches: a failed check, a non-zero exit, an engine outcome other than
// return/exit, or stdout different from the expected checksum or between runners. Whole-run figures, not a
// timed test (test/progs-engine.test.ts runs a fixed 40-program subset).
//
// Bounded: stops after --max-minutes (default 60). Runs in chunks; the report (bench/results/progs-engine.md
// and .json) is rewritten after each chunk. Failing programs are kept in bench/results/progs-engine/failed/.
// Prints the Markdown report on stdout at the end. Needs a build: `npm run build` (or
// INPUTSMITH_DIST=/path/to/dist). Usage:
//   node bench/progs-engine.mjs [--count 2000] [--first-seed 1] [--engine O0,O2] [--native O0] [--jobs J]
//   (--native '' runs the engine alone, against the expected checksums)
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = resolve(process.env.INPUTSMITH_DIST ?? join(root, 'dist'));
const { loadGrammar, generate } = await import(join(dist, 'progs', 'index.js'));
const { NativeRunner, checkPrograms, compilerAvailable } = await import(join(dist, 'progs', 'check.js'));
const { EngineRunner } = await import(join(dist, 'progs', 'engine-runner.js'));

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const levels = (s) => s.split(',').filter((x) => x !== '');
const count = Number(arg('count', 2000));
const firstSeed = Number(arg('first-seed', 1));
const jobs = Number(arg('jobs', availableParallelism()));
const maxMinutes = Number(arg('max-minutes', 60));
const chunk = Number(arg('chunk', 250));
const engineLevels = levels(arg('engine', 'O0,O2'));
const nativeLevels = levels(arg('native', 'O0'));

const outDir = join(root, 'bench', 'results');
const work = join(outDir, 'progs-engine');
const progDir = join(work, 'progs');
const failDir = join(work, 'failed');
rmSync(work, { recursive: true, force: true });
mkdirSync(progDir, { recursive: true });
mkdirSync(failDir, { recursive: true });

/** Wraps a runner to add up the wall time of its runs. */
function timed(r) {
  const t = { runner: r, ms: 0, runs: 0 };
  return {
    name: r.name,
    strict: r.strict,
    command: (f) => r.command(f),
    run: async (f) => {
      const t0 = performance.now();
      try {
        return await r.run(f);
      } finally {
        t.ms += performance.now() - t0;
        t.runs++;
      }
    },
    t,
  };
}

const raw = [];
if (nativeLevels.length > 0) {
  if (!(await compilerAvailable('clang-19'))) throw new Error('clang-19 not found');
  for (const o of nativeLevels) raw.push(new NativeRunner('clang-19', o));
}
for (const o of engineLevels) raw.push(new EngineRunner(o));
const runners = raw.map(timed);

const grammar = loadGrammar();
const started = Date.now();
const report = {
  started: new Date(started).toISOString(),
  finished: null,
  status: 'running',
  seeds: [firstSeed, firstSeed + count - 1],
  runners: runners.map((r) => r.name),
  jobs,
  checked: 0,
  runs: 0,
  failedPrograms: 0,
  failures: [],
  runnerSeconds: {},
  elapsedMinutes: 0,
};

function save() {
  report.elapsedMinutes = Number(((Date.now() - started) / 60000).toFixed(1));
  for (const r of runners) {
    report.runnerSeconds[r.name] = Number((r.t.ms / 1000).toFixed(1));
  }
  writeFileSync(join(outDir, 'progs-engine.json'), `${JSON.stringify(report, null, 2)}\n`);
  const perRun = runners.map(
    (r) => `${r.name} ${r.t.runs > 0 ? (r.t.ms / r.t.runs).toFixed(0) : '-'} ms/run`,
  );
  const lines = [
    '# progs in the engine (issue 6)',
    '',
    `Status: ${report.status}; ${report.elapsedMinutes} min wall, ${jobs} jobs; seeds ${report.seeds[0]}..${report.seeds[1]}.`,
    '',
    `- checked ${report.checked} programs x ${report.runners.join(', ')}: ${report.runs} runs, ${report.failedPrograms} failing programs`,
    `- time per run (compile + run, wall, under ${jobs} parallel jobs): ${perRun.join(', ')}`,
    '',
    ...report.failures
      .slice(0, 50)
      .map((f) => `- FAIL seed ${f.seed} ${f.runner}: ${f.reason}\n  ${f.reproduce}`),
    '',
  ];
  const md = lines.join('\n');
  writeFileSync(join(outDir, 'progs-engine.md'), md);
  return md;
}

let stoppedEarly = false;
for (let base = 0; base < count; base += chunk) {
  if (Date.now() - started > maxMinutes * 60000) {
    stoppedEarly = true;
    break;
  }
  const files = [];
  for (let i = base; i < Math.min(count, base + chunk); i++) {
    const g = generate(grammar, firstSeed + i);
    const file = join(progDir, g.name);
    writeFileSync(file, g.text);
    files.push(file);
  }
  const s = await checkPrograms(files, { runners, jobs });
  report.checked += s.programs;
  report.runs += s.runs;
  report.failedPrograms += s.failedPrograms;
  for (const f of s.failures) {
    const name = f.file.split('/').pop();
    report.failures.push({ ...f, file: name });
    copyFileSync(f.file, join(failDir, name));
  }
  for (const f of files) rmSync(f, { force: true });
  save();
  process.stderr.write(
    `progs-engine: ${report.checked}/${count} checked, ${report.failedPrograms} failing; ${report.elapsedMinutes} min\n`,
  );
}
for (const r of raw) r.dispose();
report.status = stoppedEarly ? `stopped after ${maxMinutes} min` : 'done';
report.finished = new Date().toISOString();
process.stdout.write(save());
process.exitCode = report.failedPrograms > 0 ? 1 : 0;
