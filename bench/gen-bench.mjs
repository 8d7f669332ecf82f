#!/usr/bin/env node
// Input generation on the real-world corpus (issues 5 and 12): for each library of docs/toolchain.md at -O1,
// `inputsmith gen --jobs <cores> --sample K` over all its modules, then `inputsmith replay --native` of the
// kept inputs and of the pre-selection sample (OUT/sample: K runs per function that ended normally, drawn
// before the search chose what to keep; K per set in SAMPLE so that each set gives >= 2,000), and the figures
// people compare, for the development corpus (`set: 'dev'`, tuned on) and the fresh set (`set: 'fresh'`,
// nobody tunes on it) in separate tables, each with a totals row:
//   - quality: functions, search ok, valid input, engine and native replay of the kept inputs, native
//     replay of the pre-selection sample, mean block coverage with the first input and with all (up to 5)
//     inputs; the records that did not replay natively by cause (NATIVE_CAUSES), kept and sample;
//   - cost: functions per second (search and engine replay, wall clock of `gen`; native replay is timed
//     apart), per-function time p50 / p99 / max and the share of all function time spent in the slowest 1%
//     of functions (from OUT/timings.jsonl: each function's search and engine replay in its worker), the
//     `gen` process's user time, system time, system time as a share of user time (target < 15%) and peak
//     RSS, and failed functions by kind from summary.json (worker crashes, internal errors, guard hits).
// Prints Markdown on stdout (bench/run-all.mjs collects it; bench/readme-report.mjs copies it to README.md).
//
// Resource use of `gen`: it runs as `/usr/bin/time -f '%U %S %M' timeout -k 10 <left> node inputsmith gen`
// (timeout: SIGTERM at the bound, SIGKILL 10 s later). GNU time reports the rusage that wait4 returns for
// its child, which covers `timeout` and the `gen` process it waited for: user and system seconds and the
// larger peak RSS (`gen`'s workers are threads of that process). Without /usr/bin/time (Debian package
// `time`), user and system time come from the children's times in /proc/self/stat around the run
// (cutime/cstime) and peak RSS is not reported.
//
// Usage: node bench/gen-bench.mjs [--set dev|fresh|all] [--minutes N] [lib...]
//   --set      which set to run (default all: both, dev first); naming libraries overrides it
//   --minutes  bound on the whole run: a library is started only while time is left, and its `gen` and
//              replay are killed when the bound is reached (its row then shows the partial timings)
// Environment: INPUTSMITH_BENCH_OPT=O2 etc.; INPUTSMITH_BENCH_KEEP=DIR keeps each library's output
// directory as DIR/<lib> for a closer look.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { CORPUS, corpusIR, fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const { isNormalOutcome } = await import(join(root, 'dist/engine/outcome.js'));
const { DEFAULTS } = await import(join(root, 'dist/util/defaults.js'));
const opt = process.env.INPUTSMITH_BENCH_OPT ?? 'O1';
const jobs = availableParallelism();
const bin = join(root, 'bin', 'inputsmith.js');
const watchdogMs = Number(process.env.INPUTSMITH_WATCHDOG_SECONDS ?? DEFAULTS.watchdogSeconds) * 1000;
const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);
const rusageDir = mkdtempSync(join(tmpdir(), 'inputsmith-bench-rusage-'));
const rusageFile = join(rusageDir, 'rusage');
/** Pre-selection sample records per function (`gen --sample`): >= 2,000 per set (dev ~4,900 functions). */
const SAMPLE = { dev: 1, fresh: 2 };

// ---------------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const a = { set: 'all', minutes: Infinity, libs: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--set') a.set = argv[++i];
    else if (argv[i] === '--minutes') a.minutes = Number(argv[++i]);
    else a.libs.push(argv[i]);
  }
  if (!['dev', 'fresh', 'all'].includes(a.set)) throw new Error(`--set dev|fresh|all, not ${a.set}`);
  if (!(a.minutes > 0)) throw new Error('--minutes takes a positive number');
  return a;
}

// ---------------------------------------------------------------------------------------------------------
// Figures

const pct = (x) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const secs = (ms) =>
  ms === undefined
    ? 'n/a'
    : ms < 1000
      ? `${Math.round(ms)} ms`
      : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
const cpu = (s) => (s === undefined || Number.isNaN(s) ? 'n/a' : `${s.toFixed(s < 10 ? 1 : 0)} s`);
const mib = (kb) => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(0)} MiB`);

/** Nearest-rank quantile of ascending `xs`. */
const quantile = (xs, q) => (xs.length === 0 ? undefined : xs[Math.max(0, Math.ceil(q * xs.length) - 1)]);

/** p50, p99, max and the share of the total in the slowest 1% (at least one function) of `times` (ms). */
function timeStats(times) {
  const xs = [...times].sort((a, b) => a - b);
  const total = xs.reduce((a, b) => a + b, 0);
  const k = Math.max(1, Math.ceil(xs.length / 100));
  const slow = xs.slice(xs.length - k).reduce((a, b) => a + b, 0);
  return {
    n: xs.length,
    total,
    p50: quantile(xs, 0.5),
    p99: quantile(xs, 0.99),
    max: xs.at(-1),
    slowShare: total > 0 ? slow / total : undefined,
  };
}

function readJsonl(path) {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

/** The children's user and system seconds so far (Linux /proc/self/stat fields 16 and 17, in ticks of 1/100 s). */
function childTimes() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[13]) / 100, sys: Number(f[14]) / 100 };
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------
// One library

/** Run `args` of inputsmith, bounded by `ms`, measuring user/system time and peak RSS of the process. */
function runMeasured(args, ms) {
  rmSync(rusageFile, { force: true });
  const secsLeft = Math.max(1, Math.floor(ms / 1000));
  const inner = ['timeout', '-k', '10', String(secsLeft), process.execPath, bin, ...args];
  const cmd = haveTime ? [TIME, '-f', '%U %S %M', '-o', rusageFile, ...inner] : inner;
  const before = childTimes();
  const t0 = Date.now();
  const r = spawnSync(cmd[0], cmd.slice(1), {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    timeout: ms + 60_000,
  });
  const wallMs = Date.now() - t0;
  let usage;
  if (haveTime) {
    const m = existsSync(rusageFile)
      ? /([\d.]+) ([\d.]+) (\d+)\s*$/.exec(readFileSync(rusageFile, 'utf8'))
      : null;
    if (m) usage = { user: +m[1], sys: +m[2], rssKb: +m[3] };
  } else {
    const after = childTimes();
    if (before && after) usage = { user: after.user - before.user, sys: after.sys - before.sys };
  }
  // timeout(1) stops the command with SIGTERM (SIGKILL 10 s later) and exits 124 (137), which GNU time
  // passes on; it waits for the command first, so the command's rusage is still counted.
  const killed = r.status === 124 || r.status === 137 || r.signal !== null || wallMs >= ms;
  return { r, wallMs, usage, killed };
}

/**
 * Failed functions by kind (summary.json's per-module failures), e.g. { 'worker-crash': 1 }: any kind,
 * `guard-timeout` (the per-function time guard) included.
 */
function failureKinds(s) {
  const kinds = {};
  for (const m of s?.modules ?? [])
    for (const f of m.failures ?? []) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
  return kinds;
}

/** Per-function times: timings.jsonl, plus crashed functions (no timing row) at the watchdog, a lower bound. */
function functionTimes(out, fnRows) {
  const timings = readJsonl(join(out, 'timings.jsonl'));
  const timed = new Set(timings.map((t) => `${t.module}\0${t.function}`));
  const times = timings.map((t) => ({ ...t, status: 'timed' }));
  for (const row of fnRows) {
    if (row.failure?.kind === 'worker-crash' && !timed.has(`${row.module}\0${row.function}`))
      times.push({
        module: row.module,
        function: row.function,
        timeMs: watchdogMs,
        runs: 0,
        steps: 0,
        crash: true,
      });
  }
  return times;
}

/** `replay --native` figures from its output: counts by status and the records not ok by cause. */
function nativeFigures(r) {
  const text = r.stdout + r.stderr;
  const nm = /native (\d+) ok, (\d+) mismatch, (\d+) failed, (\d+) not run/.exec(text);
  const nat = nm ? { ok: +nm[1], mismatch: +nm[2], failed: +nm[3], notRun: +nm[4] } : {};
  // The grouped block: "  <cause>: <n> (<n> <status>, ...): <description>".
  const causes = {};
  for (const m of text.matchAll(/^ {2}([a-z-]+): (\d+) \(/gm)) causes[m[1]] = +m[2];
  return { nat, causes };
}

async function benchLibrary(name, set, deadline) {
  let files;
  try {
    files = await corpusIR(await fetchCorpus(name, {}), opt);
  } catch (e) {
    const why = String(e.message)
      .split('\n')[0]
      .replace(/`(\S+)[^`]*`/g, '`$1 ...`');
    return { name, short: 'not measured', error: `failed to fetch or compile: ${why}` };
  }
  const keep = process.env.INPUTSMITH_BENCH_KEEP;
  const out = keep ? join(keep, name) : mkdtempSync(join(tmpdir(), `inputsmith-bench-${name}-`));
  if (keep) rmSync(out, { recursive: true, force: true });
  try {
    const gen = runMeasured(
      ['gen', ...files, '-o', out, '--jobs', String(jobs), '--sample', String(SAMPLE[set])],
      Math.min(40 * 60_000, deadline - Date.now()),
      rusageFile,
    );
    const fnRows = readJsonl(join(out, 'functions.jsonl'));
    const times = functionTimes(out, fnRows);
    const base = { name, genMs: gen.wallMs, usage: gen.usage, times };
    let s;
    try {
      s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    } catch {
      const why = gen.killed
        ? `stopped by the time bound after ${secs(gen.wallMs)} (${times.length} functions timed)`
        : `gen failed (exit ${gen.r.status}): ${(gen.r.stderr || gen.r.error?.message || '').trim().split('\n').pop()}`;
      return {
        ...base,
        short: gen.killed ? 'stopped by the time bound' : 'gen failed',
        error: why,
        partial: true,
      };
    }
    // Native replay of every kept input, timed apart from generation.
    const nr = runMeasured(
      ['replay', out, '--native', '--jobs', String(jobs)],
      Math.max(1000, Math.min(40 * 60_000, deadline - Date.now())),
      rusageFile,
    );
    const { nat, causes } = nativeFigures(nr.r);
    // Native replay of the pre-selection sample (no sample: a library without a normal run).
    const sampleDir = join(out, 'sample');
    const sr = existsSync(sampleDir)
      ? runMeasured(
          ['replay', sampleDir, '--native', '--jobs', String(jobs)],
          Math.max(1000, Math.min(40 * 60_000, deadline - Date.now())),
          rusageFile,
        )
      : undefined;
    const sample = sr === undefined ? { nat: {}, causes: {} } : nativeFigures(sr.r);
    // Functions with a valid input: at least one kept input that ran to its end (returned or exit()); a
    // failed function (e.g. one the time guard stopped, which keeps its inputs so far) has none.
    const valid = fnRows.filter(
      (row) => row.status === 'ok' && (row.inputs ?? []).some((i) => isNormalOutcome(i.outcome)),
    ).length;
    return {
      ...base,
      s,
      nat,
      causes,
      sample,
      nativeMs: nr.wallMs,
      nativeKilled: nr.killed,
      valid,
      // Functions whose kept input reached inline asm the engine cannot run (issue 12: < 0.5%).
      asm: fnRows.filter((row) => (row.inputs ?? []).some((i) => i.outcome === 'unsupported-asm')).length,
      failures: failureKinds(s),
    };
  } finally {
    if (!keep) rmSync(out, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tables

const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);

/** Native replay ok as a share of all records replayed, and how many that is. */
function natCell(nat) {
  const total = sum(nat);
  return total === 0 ? 'n/a' : `${pct((nat.ok ?? 0) / total)} (${nat.ok ?? 0} of ${total})`;
}

/** Counts by cause, most frequent first: `budget 10, os-call 2`, or `none`. */
function causeCell(causes) {
  const e = Object.entries(causes).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return e.length === 0 ? 'none' : e.map(([k, n]) => `${k} ${n}`).join(', ');
}

function addCauses(into, causes) {
  for (const [k, n] of Object.entries(causes)) into[k] = (into[k] ?? 0) + n;
}

function qualityRow(x) {
  if (x.s === undefined)
    return `| ${x.name} | ${x.short}${x.partial ? ` (${x.times.length} timed)` : ''} |||||||||`;
  const t = x.s.totals ?? x.s;
  const fns = t.functions ?? 0;
  const ok = t.succeeded ?? fns - (t.failed ?? 0);
  const eng = t.engineReplay ?? {};
  const engTotal = (eng.ok ?? 0) + (eng.mismatch ?? 0);
  return `| ${x.name} | ${fns} | ${pct(ok / fns)} | ${pct(x.valid / fns)} | ${pct(engTotal ? (eng.ok ?? 0) / engTotal : undefined)} | ${natCell(x.nat)} | ${natCell(x.sample.nat)} | ${pct(t.meanCoverageFirst)} | ${pct(t.meanCoverage)} | ${x.nativeKilled ? 'stopped at ' : ''}${secs(x.nativeMs)} |`;
}

function costCells(fns, genMs, st, usage, failures) {
  const kinds = Object.entries(failures ?? {})
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  const u = usage ?? {};
  return `${fns !== undefined && genMs ? (fns / (genMs / 1000)).toFixed(1) : 'n/a'} | ${secs(st.p50)} | ${secs(st.p99)} | ${secs(st.max)} | ${pct(st.slowShare)} | ${cpu(u.user)} | ${cpu(u.sys)} | ${u.user ? pct(u.sys / u.user) : 'n/a'} | ${mib(u.rssKb)} | ${kinds || 'none'} |`;
}

function costRow(x) {
  if (x.times === undefined) return `| ${x.name} | ${x.short} ||||||||||`;
  const fns = x.s ? (x.s.totals ?? x.s).functions : x.times.length;
  const name = x.partial ? `${x.name} (partial)` : x.name;
  return `| ${name} | ${costCells(fns, x.genMs, timeStats(x.times.map((t) => t.timeMs)), x.usage, x.failures)}`;
}

function setTotals(results) {
  const done = results.filter((x) => x.s !== undefined);
  const a = {
    fns: 0,
    ok: 0,
    valid: 0,
    first: 0,
    all: 0,
    natOk: 0,
    natAll: 0,
    sampleOk: 0,
    sampleAll: 0,
    causes: {},
    sampleCauses: {},
    genMs: 0,
    user: 0,
    sys: 0,
    rss: 0,
    failures: {},
  };
  for (const x of done) {
    const t = x.s.totals ?? x.s;
    const ok = t.succeeded ?? t.functions - (t.failed ?? 0);
    a.fns += t.functions;
    a.ok += ok;
    a.valid += x.valid;
    a.first += (t.meanCoverageFirst ?? 0) * ok;
    a.all += (t.meanCoverage ?? 0) * ok;
    a.natOk += x.nat.ok ?? 0;
    a.natAll += sum(x.nat);
    a.sampleOk += x.sample.nat.ok ?? 0;
    a.sampleAll += sum(x.sample.nat);
    addCauses(a.causes, x.causes);
    addCauses(a.sampleCauses, x.sample.causes);
    a.genMs += x.genMs;
    a.user += x.usage?.user ?? NaN;
    a.sys += x.usage?.sys ?? NaN;
    a.rss = Math.max(a.rss, x.usage?.rssKb ?? NaN);
    for (const [k, n] of Object.entries(x.failures)) a.failures[k] = (a.failures[k] ?? 0) + n;
  }
  const st = timeStats(done.flatMap((x) => x.times.map((t) => t.timeMs)));
  return { done, a, st };
}

function printSet(title, results) {
  const { done, a, st } = setTotals(results);
  console.log(
    `**${title}** (${results.length} libraries${done.length < results.length ? `, ${done.length} measured` : ''})\n`,
  );
  console.log(
    '| library | functions | search ok | valid input | engine replay ok | native replay ok (kept) | native replay ok (pre-selection sample) | coverage @1 | coverage @5 | native replay time (kept) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const x of results) console.log(qualityRow(x));
  if (a.ok > 0)
    console.log(
      `| **all** | ${a.fns} | ${pct(a.ok / a.fns)} | ${pct(a.valid / a.fns)} | | ${pct(a.natOk / a.natAll)} (${a.natOk} of ${a.natAll}) | ${pct(a.sampleOk / a.sampleAll)} (${a.sampleOk} of ${a.sampleAll}) | **${pct(a.first / a.ok)}** | **${pct(a.all / a.ok)}** | |`,
    );
  console.log(
    '\n| library | kept inputs not replayed natively, by cause | pre-selection sample not replayed, by cause |',
  );
  console.log('|---|---|---|');
  for (const x of done) console.log(`| ${x.name} | ${causeCell(x.causes)} | ${causeCell(x.sample.causes)} |`);
  if (done.length > 0) console.log(`| **all** | ${causeCell(a.causes)} | ${causeCell(a.sampleCauses)} |`);
  console.log(
    '\n| library | functions/s (gen + engine replay) | p50 | p99 | max | time in slowest 1% | user | system | system / user | peak RSS | failed functions by kind |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const x of results) console.log(costRow(x));
  if (done.length > 0) {
    const usage = { user: a.user, sys: a.sys, rssKb: Number.isNaN(a.rss) ? undefined : a.rss };
    console.log(`| **all** | ${costCells(a.fns, a.genMs, st, usage, a.failures)}`);
  }
  if (done.length > 0) {
    const asm = done.reduce((n, x) => n + x.asm, 0);
    const fns = done.reduce((n, x) => n + (x.s.totals ?? x.s).functions, 0);
    const per = done.filter((x) => x.asm > 0).map((x) => `${x.name} ${x.asm}`);
    console.log(
      `\nInline asm the engine cannot run (\`unsupported-asm\` in a kept input): ${asm} of ${fns} functions (${pct(asm / fns)})${per.length > 0 ? `: ${per.join(', ')}` : ''}.`,
    );
  }
  const notes = results.filter((x) => x.error !== undefined).map((x) => `${x.name}: ${x.error}`);
  if (notes.length > 0) console.log(`\nNot (fully) measured: ${notes.join('; ')}.`);
  const slowest = results
    .flatMap((x) => (x.times ?? []).map((t) => ({ ...t, lib: x.name })))
    .sort((p, q) => q.timeMs - p.timeMs)
    .slice(0, 5);
  if (slowest.length > 0)
    console.log(
      `\nSlowest functions: ${slowest.map((t) => `${t.lib} \`${t.function}\` ${t.crash ? '>= ' : ''}${secs(t.timeMs)}${t.crash ? ' (worker crash)' : ` (${t.runs} runs, ${t.steps} steps)`}`).join('; ')}.`,
    );
  console.log('');
}

// ---------------------------------------------------------------------------------------------------------
// Main

const args = parseArgs(process.argv.slice(2));
const deadline = Date.now() + args.minutes * 60_000;
const picked =
  args.libs.length > 0
    ? CORPUS.filter((c) => args.libs.includes(c.name))
    : CORPUS.filter((c) => args.set === 'all' || c.set === args.set);
for (const l of args.libs)
  if (!CORPUS.some((c) => c.name === l)) throw new Error(`unknown corpus library ${l}`);
const results = { dev: [], fresh: [] };
for (const spec of picked) {
  if (Date.now() >= deadline) {
    results[spec.set].push({
      name: spec.name,
      short: 'not run',
      error: 'not run: the time bound was reached',
    });
    continue;
  }
  process.stderr.write(`gen-bench: ${spec.name}\n`);
  results[spec.set].push(await benchLibrary(spec.name, spec.set, deadline));
}

console.log(
  `Corpus at -${opt}: \`inputsmith gen --jobs ${jobs} --sample K\` (seed 1, 5 inputs per function, every kept input replayed in the engine; K = ${SAMPLE.dev} on the development corpus, ${SAMPLE.fresh} on the fresh set), then \`inputsmith replay --native\` of the kept inputs and of the pre-selection sample (K runs per function that ended normally, drawn before the search chose what to keep, so selection cannot hide engine/native differences; causes are NATIVE_CAUSES of src/replay/native-check.ts). A valid input ran to its end (returned, exit, or a call to an external declared noreturn, e.g. an error routine); native replay counts ok among all kept inputs (not-run ones, e.g. step-limit records, count as not ok). Per-function time is the worker's search and engine replay of one function (timings.jsonl; wall clock, so it grows when the machine is shared); a function whose worker crashed has no timing and counts at the watchdog (${watchdogMs / 1000} s, a lower bound). User and system time and peak RSS are those of the \`gen\` process (${haveTime ? '/usr/bin/time' : '/proc/self/stat; peak RSS needs /usr/bin/time'}).\n`,
);
if (results.dev.length > 0) printSet('Development corpus', results.dev);
if (results.fresh.length > 0) printSet('Fresh set (nobody tunes on it)', results.fresh);
rmSync(rusageDir, { recursive: true, force: true });
console.log(
  'Anchors: Input-Gen 37% (1 input) and 45% (5 guided inputs) mean block coverage, ~90% of modules replayed; UnitTestBot 500 functions in 52 s with 10 processes. Targets (issue 12, on each set): >= 50 functions/s on 2 cores, no function over 10 s, zero guard hits and worker crashes, system time < 15% of user time, valid inputs >= 98.5%, native replay >= 99.5% of kept inputs and >= 99% of the pre-selection sample, coverage >= 76.1% / 85.9% on the development corpus.',
);
