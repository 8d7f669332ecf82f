#!/usr/bin/env node
// Rust corpus bench (issue 20): `gen --native` over small real crates that Debian ships as sources in its
// librust-*-dev packages (/usr/share/cargo/registry), built offline with the user's rustc (or Debian's
// rustc-web, src/toolchain/rust.ts). Missing crate packages are installed with apt-get when root.
//
// Per crate: functions searched, functions with a valid input (returned normally: not a panic, no crash,
// no undefined behaviour), mean block coverage of the first input and of at most 5 inputs, engine replay
// and native replay of the kept inputs, the outcomes and the native causes of what does not replay.
//
// Usage: npm run build && nice -n 19 node bench/rust-bench.mjs [--crates hex,md5] [--jobs 2] [--json F]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dist = new URL('../dist/', import.meta.url);
const { runCampaign } = await import(new URL('guide/campaign.js', dist).href);
const { findRust, DEBIAN_CARGO_REGISTRY } = await import(new URL('toolchain/rust.js', dist).href);

/** Crate (package name without librust-/-dev) and what kind of code it is. */
const CRATES = [
  ['adler', 'checksum'],
  ['crc32fast', 'checksum'],
  ['md5', 'hashing'],
  ['siphasher', 'hashing'],
  ['fnv', 'hashing'],
  ['hex', 'encoding'],
  ['base64', 'encoding'],
  ['percent-encoding', 'encoding'],
  ['itoa', 'formatting'],
  ['ryu', 'formatting'],
  ['strsim', 'text'],
  ['heck', 'text'],
  ['unicode-width', 'text'],
  ['memchr', 'search'],
  ['semver', 'parsing'],
  ['byteorder', 'encoding'],
];

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const only = opt('--crates')?.split(',');
const jobs = Number(opt('--jobs') ?? 2);
const crates = CRATES.filter(([c]) => only === undefined || only.includes(c));

function crateDir(name) {
  if (!existsSync(DEBIAN_CARGO_REGISTRY)) return undefined;
  const found = readdirSync(DEBIAN_CARGO_REGISTRY)
    .filter((d) => d.startsWith(`${name}-`) && /^\d/.test(d.slice(name.length + 1)))
    .sort();
  return found.length === 0 ? undefined : join(DEBIAN_CARGO_REGISTRY, found[found.length - 1]);
}

// Install the crates' source packages when root (one apt-get call for all that are missing).
const missing = crates.filter(([c]) => crateDir(c) === undefined).map(([c]) => `librust-${c}-dev`);
if (missing.length > 0 && process.getuid?.() === 0) {
  process.stderr.write(`rust-bench: installing ${missing.join(' ')}\n`);
  spawnSync('apt-get', ['install', '-y', '-qq', ...missing], {
    stdio: 'ignore',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}
const tc = await findRust();
process.stderr.write(`rust-bench: ${tc.version} (LLVM ${tc.llvmMajor}), ${crates.length} crates\n`);

const pct = (a, b) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
const rows = [];
const work = mkdtempSync(join(tmpdir(), 'isx-rust-bench-'));
for (const [name, kind] of crates) {
  const dir = crateDir(name);
  if (dir === undefined) {
    rows.push({ name, kind, error: 'not installed' });
    continue;
  }
  const out = join(work, name);
  const t0 = Date.now();
  let summary;
  try {
    ({ summary } = await runCampaign({ inputs: [dir], out, jobs, seed: '1', native: true, maxInputs: 5 }));
  } catch (e) {
    rows.push({ name, kind, error: String(e.message ?? e).split('\n')[0] });
    continue;
  }
  const fns = readFileSync(join(out, 'functions.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
  const t = summary.totals;
  const causes = {};
  for (const f of fns)
    for (const i of f.inputs ?? [])
      if (i.nativeCause !== undefined) causes[i.nativeCause] = (causes[i.nativeCause] ?? 0) + 1;
  rows.push({
    name,
    kind,
    crate: dir.split('/').pop(),
    functions: t.functions,
    failed: t.failed,
    valid: fns.filter((f) => (f.inputs ?? []).some((i) => i.outcome === 'returned')).length,
    panicOnly: fns.filter((f) => (f.inputs ?? []).length > 0 && f.inputs.every((i) => i.outcome === 'panic'))
      .length,
    cov1: t.meanCoverageFirst,
    cov5: t.meanCoverage,
    inputs: t.inputs,
    engineOk: t.engineReplay.ok,
    nativeOk: t.nativeReplay.ok,
    nativeNotRun: t.nativeReplay['not-run'],
    outcomes: t.outcomes,
    causes,
    seconds: (Date.now() - t0) / 1000,
  });
}
rmSync(work, { recursive: true, force: true });

const head = ['crate', 'kind', 'fns', 'valid', 'cov@1', 'cov@5', 'inputs', 'engine', 'native', 'panics', 's'];
const lines = [head];
const sum = { functions: 0, valid: 0, cov1: 0, cov5: 0, inputs: 0, engineOk: 0, nativeOk: 0, n: 0, panic: 0 };
for (const r of rows) {
  if (r.error !== undefined) {
    lines.push([r.name, r.kind, `error: ${r.error}`]);
    continue;
  }
  const panics = r.outcomes.panic ?? 0;
  lines.push([
    r.crate,
    r.kind,
    String(r.functions),
    pct(r.valid, r.functions),
    r.functions === 0 ? '-' : pct(r.cov1, 1),
    r.functions === 0 ? '-' : pct(r.cov5, 1),
    String(r.inputs),
    pct(r.engineOk, r.inputs),
    pct(r.nativeOk, r.inputs),
    String(panics),
    r.seconds.toFixed(1),
  ]);
  sum.functions += r.functions;
  sum.valid += r.valid;
  sum.cov1 += r.cov1 * r.functions;
  sum.cov5 += r.cov5 * r.functions;
  sum.inputs += r.inputs;
  sum.engineOk += r.engineOk;
  sum.nativeOk += r.nativeOk;
  sum.panic += panics;
}
lines.push([
  'total',
  '',
  String(sum.functions),
  pct(sum.valid, sum.functions),
  pct(sum.cov1, sum.functions),
  pct(sum.cov5, sum.functions),
  String(sum.inputs),
  pct(sum.engineOk, sum.inputs),
  pct(sum.nativeOk, sum.inputs),
  String(sum.panic),
  '',
]);
// A Markdown table (bench/run-all.mjs collects each bench's stdout into docs/benchmarks.md).
const widths = head.map((_, k) => Math.max(...lines.map((l) => (l[k] ?? '').length)));
const row = (l) => `| ${head.map((_, k) => (l[k] ?? '').padEnd(widths[k])).join(' | ')} |`;
console.log(row(lines[0]));
console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
for (const l of lines.slice(1)) console.log(row(l));
console.log('');
const causes = {};
const outcomes = {};
for (const r of rows) {
  for (const [k, v] of Object.entries(r.causes ?? {})) causes[k] = (causes[k] ?? 0) + v;
  for (const [k, v] of Object.entries(r.outcomes ?? {})) outcomes[k] = (outcomes[k] ?? 0) + v;
}
console.log(
  `Outcomes of kept inputs: \`${JSON.stringify(outcomes)}\`; native causes: \`${JSON.stringify(causes)}\` (${tc.version}).`,
);
const json = opt('--json');
if (json !== undefined) writeFileSync(json, JSON.stringify({ rustc: tc.version, rows }, null, 1) + '\n');
// A crate that could not be built or searched fails the bench (run-all reports it).
if (rows.some((r) => r.error !== undefined)) process.exitCode = 1;
