#!/usr/bin/env node
// Campaign for issue 6's "done when": generate N programs with fixed seeds (default 1..10000), check each
// with clang-19 and gcc at -O0 and -O2 (every check passes, outputs equal the expected checksum), and
// run a sample (default every 20th seed: 500 programs) compiled with -fsanitize=undefined,address (gcc)
// and trapping UBSan (clang-19, whose sanitizer runtime may be absent): any report is a failure.
//
// Bounded: stops after --max-minutes (default 150) and reports what it did. Runs in chunks, so the
// report (bench/results/progs-campaign.json and .md) is rewritten after each chunk and can be watched.
// Failing programs are kept in bench/results/progs-campaign/failed/. Needs a build: `npm run build`
// (or INPUTSMITH_DIST=/path/to/dist). Usage:
//   nohup node bench/progs-campaign.mjs [--count 10000] [--first-seed 1] [--sample-every 20] [--jobs J] &
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = resolve(process.env.INPUTSMITH_DIST ?? join(root, 'dist'));
const { loadGrammar, generate, verifyProgram } = await import(join(dist, 'progs', 'index.js'));
const { NativeRunner, SANITIZE_FLAGS, checkPrograms, compilerAvailable } = await import(
  join(dist, 'progs', 'check.js')
);

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const count = opt('count', 10000);
const firstSeed = opt('first-seed', 1);
const sampleEvery = opt('sample-every', 20);
const jobs = opt('jobs', availableParallelism());
const maxMinutes = opt('max-minutes', 150);
const chunk = opt('chunk', 250);

const outDir = join(root, 'bench', 'results');
const work = join(outDir, 'progs-campaign');
const progDir = join(work, 'progs');
const failDir = join(work, 'failed');
rmSync(work, { recursive: true, force: true });
mkdirSync(progDir, { recursive: true });
mkdirSync(failDir, { recursive: true });

const compilers = [];
for (const c of ['clang-19', 'gcc']) if (await compilerAvailable(c)) compilers.push(c);
const runners = [];
for (const c of compilers) for (const o of ['O0', 'O2']) runners.push(new NativeRunner(c, o));
const sanRunners = [];
if (compilers.includes('gcc')) {
  sanRunners.push(new NativeRunner('gcc', 'O0', { flags: SANITIZE_FLAGS, label: 'ubsan+asan' }));
  sanRunners.push(new NativeRunner('gcc', 'O2', { flags: SANITIZE_FLAGS, label: 'ubsan+asan' }));
}
if (compilers.includes('clang-19')) {
  const trap = ['-fsanitize=undefined', '-fsanitize-trap=undefined'];
  sanRunners.push(new NativeRunner('clang-19', 'O1', { flags: trap, label: 'ubsan-trap' }));
}

const grammar = loadGrammar();
const started = Date.now();
const report = {
  started: new Date(started).toISOString(),
  finished: null,
  status: 'running',
  seeds: [firstSeed, firstSeed + count - 1],
  runners: runners.map((r) => r.name),
  sanitizerRunners: sanRunners.map((r) => r.name),
  generated: 0,
  generationMs: 0,
  selfVerified: 0,
  checked: 0,
  runs: 0,
  failedPrograms: 0,
  failures: [],
  sanitizerSample: { every: sampleEvery, checked: 0, runs: 0, failedPrograms: 0, failures: [] },
  elapsedMinutes: 0,
};

function save() {
  report.elapsedMinutes = Number(((Date.now() - started) / 60000).toFixed(1));
  writeFileSync(join(outDir, 'progs-campaign.json'), `${JSON.stringify(report, null, 2)}\n`);
  const s = report.sanitizerSample;
  const rate = report.generationMs > 0 ? ((report.generated / report.generationMs) * 1000).toFixed(0) : '?';
  const lines = [
    '# progs campaign (issue 6)',
    '',
    `Status: ${report.status}; ${report.elapsedMinutes} min; seeds ${report.seeds[0]}..${report.seeds[1]}.`,
    '',
    `- generated ${report.generated} programs (${rate} programs/s generating and writing; ${report.selfVerified} re-verified by the interpreter)`,
    `- checked ${report.checked} programs x ${report.runners.join(', ')}: ${report.runs} runs, ${report.failedPrograms} failing programs`,
    `- sanitizer sample (every ${s.every}th seed) x ${report.sanitizerRunners.join(', ')}: ${s.checked} programs, ${s.runs} runs, ${s.failedPrograms} failing programs`,
    '',
    ...[...report.failures, ...s.failures]
      .slice(0, 50)
      .map((f) => `- FAIL seed ${f.seed} ${f.runner}: ${f.reason}\n  ${f.reproduce}`),
    '',
  ];
  writeFileSync(join(outDir, 'progs-campaign.md'), lines.join('\n'));
}

function keep(failures) {
  for (const f of failures) {
    try {
      copyFileSync(f.file, join(failDir, f.file.split('/').pop()));
    } catch {
      // already copied
    }
  }
}

let stoppedEarly = false;
for (let base = 0; base < count; base += chunk) {
  if (Date.now() - started > maxMinutes * 60000) {
    stoppedEarly = true;
    break;
  }
  const files = [];
  const sample = [];
  const t0 = performance.now();
  for (let i = base; i < Math.min(count, base + chunk); i++) {
    const seed = firstSeed + i;
    const g = generate(grammar, seed);
    const file = join(progDir, g.name);
    writeFileSync(file, g.text);
    files.push(file);
    if (seed % sampleEvery === 0) sample.push(file);
  }
  report.generationMs += performance.now() - t0;
  report.generated += files.length;
  for (const f of files) {
    verifyProgram(generate(grammar, Number(/prog-(\d+)/.exec(f)[1])).program);
    report.selfVerified++;
  }
  const main = await checkPrograms(files, { runners, jobs });
  report.checked += main.programs;
  report.runs += main.runs;
  report.failedPrograms += main.failedPrograms;
  report.failures.push(
    ...main.failures.map(({ file, ...rest }) => ({ file: file.split('/').pop(), ...rest })),
  );
  keep(main.failures);
  if (sample.length > 0 && sanRunners.length > 0) {
    const san = await checkPrograms(sample, { runners: sanRunners, jobs });
    const s = report.sanitizerSample;
    s.checked += san.programs;
    s.runs += san.runs;
    s.failedPrograms += san.failedPrograms;
    s.failures.push(...san.failures.map(({ file, ...rest }) => ({ file: file.split('/').pop(), ...rest })));
    keep(san.failures);
  }
  for (const f of files) rmSync(f, { force: true });
  save();
  process.stderr.write(
    `progs-campaign: ${report.checked}/${count} checked, ${report.failedPrograms} failing; sample ${report.sanitizerSample.checked}, ${report.sanitizerSample.failedPrograms} failing; ${report.elapsedMinutes} min\n`,
  );
}
for (const r of [...runners, ...sanRunners]) r.dispose();
report.status = stoppedEarly ? `stopped after ${maxMinutes} min` : 'done';
report.finished = new Date().toISOString();
save();
process.stderr.write(`progs-campaign: ${report.status}; report in bench/results/progs-campaign.md\n`);
process.exitCode = report.failedPrograms + report.sanitizerSample.failedPrograms > 0 ? 1 : 0;
