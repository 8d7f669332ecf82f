#!/usr/bin/env node
// Behaviour check for refactorings: `inputsmith gen` over the corpus, compared byte for byte with a
// reference run. A change that claims to preserve behaviour (issue 11's restructuring, a speed-up) must
// leave every output file identical except timings.jsonl (wall-clock times, the one file that differs
// between runs by design, docs/architecture.md).
//
// Usage:
//   node bench/gen-identical.mjs DIR [lib...]          # run gen per library into DIR/<lib>
//   node bench/gen-identical.mjs DIR --ref REF [lib...] # ... then compare DIR/<lib> with REF/<lib>
// Run the reference from a checkout of the previous version (git worktree add /tmp/base HEAD; build it)
// with the same corpus cache. Environment: INPUTSMITH_BENCH_OPT (default O1), INPUTSMITH_BENCH_JOBS
// (default: all cores). Exits 1 when any library differs or fails.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = process.argv.slice(2);
const dir = args.shift();
let ref;
const refAt = args.indexOf('--ref');
if (refAt >= 0) [, ref] = args.splice(refAt, 2);
if (dir === undefined || (refAt >= 0 && ref === undefined)) {
  process.stderr.write('usage: node bench/gen-identical.mjs DIR [--ref REF] [lib...]\n');
  process.exit(2);
}
const { CORPUS, corpusIR, fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const opt = process.env.INPUTSMITH_BENCH_OPT ?? 'O1';
const jobs = process.env.INPUTSMITH_BENCH_JOBS ?? String(availableParallelism());
// Default: the development corpus (the fresh set is measured by gen-bench, not used as a reference).
const libs = args.length > 0 ? args : CORPUS.filter((c) => c.set === 'dev').map((c) => c.name);
const bin = join(root, 'bin', 'inputsmith.js');

/** Every file under `d`, as paths relative to it, sorted; timings.jsonl left out. */
function files(d) {
  const out = [];
  const walk = (p) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const q = join(p, e.name);
      if (e.isDirectory()) walk(q);
      else if (e.name !== 'timings.jsonl') out.push(relative(d, q));
    }
  };
  walk(d);
  return out.sort();
}

let bad = 0;
for (const name of libs) {
  const out = join(dir, name);
  rmSync(out, { recursive: true, force: true });
  let ir;
  try {
    ir = await corpusIR(await fetchCorpus(name, {}), opt);
  } catch (e) {
    bad++;
    process.stdout.write(`${name}: could not fetch or compile: ${String(e?.message ?? e).split('\n')[0]}\n`);
    continue;
  }
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [bin, 'gen', ...ir, '-o', out, '--jobs', jobs], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  if (r.status !== 0) {
    bad++;
    process.stdout.write(
      `${name}: gen failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').pop()}\n`,
    );
    continue;
  }
  if (ref === undefined) {
    process.stdout.write(`${name}: ${files(out).length} files in ${secs} s\n`);
    continue;
  }
  const refDir = join(ref, name);
  if (!existsSync(refDir) || !statSync(refDir).isDirectory()) {
    bad++;
    process.stdout.write(`${name}: no reference ${refDir}\n`);
    continue;
  }
  const a = files(out);
  const b = files(refDir);
  const diffs = [];
  const all = new Set([...a, ...b]);
  for (const f of [...all].sort()) {
    if (!a.includes(f) || !b.includes(f)) diffs.push(`${f} (only in ${a.includes(f) ? 'new' : 'reference'})`);
    else if (!readFileSync(join(out, f)).equals(readFileSync(join(refDir, f)))) diffs.push(f);
  }
  if (diffs.length > 0) bad++;
  process.stdout.write(
    `${name}: ${diffs.length === 0 ? 'identical' : `${diffs.length} file(s) differ: ${diffs.slice(0, 5).join(', ')}`}` +
      ` (${all.size} files, ${secs} s)\n`,
  );
}
process.exitCode = bad > 0 ? 1 : 0;
