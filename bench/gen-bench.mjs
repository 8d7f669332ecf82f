#!/usr/bin/env node
// Input generation on the real-world corpus (issue 5): for each library of ../shared/corpus.md at -O1,
// `inputsmith gen --jobs <cores> --native` over all its modules, then the figures people compare: functions,
// success share, engine and native replay shares, mean block coverage with the first input and with all
// (up to 5) inputs, and functions per second (engine replay included; native replay timed separately by the
// CLI and not part of the figure). Prints a Markdown section on stdout (bench/run-all.mjs collects it).
//
// Usage: node bench/gen-bench.mjs [lib...]   (default: every corpus library; INPUTSMITH_BENCH_OPT=O2 etc.;
// INPUTSMITH_BENCH_KEEP=DIR keeps each library's output directory as DIR/<lib> for a closer look)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { CORPUS, corpusIR, fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const { isNormalOutcome } = await import(join(root, 'dist/engine/outcome.js'));
const opt = process.env.INPUTSMITH_BENCH_OPT ?? 'O1';
const libs = process.argv.length > 2 ? process.argv.slice(2) : CORPUS.map((c) => c.name);
const jobs = availableParallelism();
const bin = join(root, 'bin', 'inputsmith.js');

const pct = (x) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const rows = [];
let allF = 0;
let sumFirst = 0;
let sumAll = 0;
let genSecs = 0;
let allValid = 0;
let natOk = 0;
let natAll = 0;
for (const name of libs) {
  let files;
  try {
    files = await corpusIR(await fetchCorpus(name, {}), opt);
  } catch (e) {
    rows.push(`| ${name} | failed to fetch or compile: ${String(e.message).split('\n')[0]} ||||||||`);
    continue;
  }
  const keep = process.env.INPUTSMITH_BENCH_KEEP;
  const out = keep ? join(keep, name) : mkdtempSync(join(tmpdir(), `inputsmith-bench-${name}-`));
  if (keep) rmSync(out, { recursive: true, force: true });
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, 'gen', ...files, '-o', out, '--jobs', String(jobs)], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 40 * 60_000,
  });
  const secs = (Date.now() - t0) / 1000;
  // Native replay of every kept input, timed apart from generation.
  const t1 = Date.now();
  const nr = spawnSync(process.execPath, [bin, 'replay', out, '--native', '--jobs', String(jobs)], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: 40 * 60_000,
  });
  const nativeSecs = (Date.now() - t1) / 1000;
  const nm = /native (\d+) ok, (\d+) mismatch, (\d+) failed, (\d+) not run/.exec(nr.stdout + nr.stderr);
  const nat = nm ? { ok: +nm[1], mismatch: +nm[2], failed: +nm[3], notRun: +nm[4] } : {};
  let s;
  try {
    s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  } catch {
    const why = (r.stderr || r.error?.message || '').trim().split('\n').pop();
    rows.push(`| ${name} | gen failed (exit ${r.status}): ${why} ||||||||`);
    if (!keep) rmSync(out, { recursive: true, force: true });
    continue;
  }
  // Functions with a valid input: at least one kept input that ran to its end (returned or exit()).
  let valid = 0;
  try {
    for (const line of readFileSync(join(out, 'functions.jsonl'), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line);
      if ((row.inputs ?? []).some((i) => isNormalOutcome(i.outcome))) valid++;
    }
  } catch {
    valid = NaN;
  }
  if (!keep) rmSync(out, { recursive: true, force: true });
  const t = s.totals ?? s;
  const fns = t.functions ?? 0;
  const ok = t.succeeded ?? fns - (t.failed ?? 0);
  const eng = t.engineReplay ?? {};
  const engTotal = (eng.ok ?? 0) + (eng.mismatch ?? 0);
  const natTotal = Object.values(nat).reduce((a, b) => a + b, 0);
  genSecs += secs;
  allF += ok;
  allValid += valid;
  natOk += nat.ok ?? 0;
  natAll += natTotal;
  sumFirst += (t.meanCoverageFirst ?? 0) * ok;
  sumAll += (t.meanCoverage ?? 0) * ok;
  rows.push(
    `| ${name} | ${fns} | ${pct(ok / fns)} | ${pct(valid / fns)} | ${pct(engTotal ? (eng.ok ?? 0) / engTotal : undefined)} | ${pct(natTotal ? (nat.ok ?? 0) / natTotal : undefined)} | ${pct(t.meanCoverageFirst)} | ${pct(t.meanCoverage)} | ${(fns / secs).toFixed(1)} | ${nativeSecs.toFixed(0)} s |`,
  );
}

console.log(
  `Corpus at -${opt}: \`inputsmith gen --jobs ${jobs}\` (seed 1, 5 inputs per function, every kept input replayed in the engine), then \`inputsmith replay --native\`. A valid input ran to its end (returned, exit, or a call to an external declared noreturn, e.g. an error routine); native replay counts ok among all kept inputs (not-run ones, e.g. step-limit records, count as not ok).\n`,
);
console.log(
  '| library | functions | search ok | valid input | engine replay ok | native replay ok | coverage @1 | coverage @5 | functions/s (gen + engine replay) | native replay time |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
if (allF > 0)
  console.log(
    `| **all** | ${allF} | | ${pct(allValid / allF)} | | ${pct(natOk / natAll)} (${natOk} of ${natAll}) | **${pct(sumFirst / allF)}** | **${pct(sumAll / allF)}** | ${(allF / genSecs).toFixed(1)} | |\n\nAnchors: Input-Gen 37% (1 input) and 45% (5 guided inputs) mean block coverage, ~90% of modules replayed; UnitTestBot 500 functions in 52 s with 10 processes. Targets: >= 50% and >= 75%, >= 50 functions/s on 2 cores.`,
  );
