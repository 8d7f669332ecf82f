#!/usr/bin/env node
// Static sharding on the corpus (issue 17, docs/distributed.md): per library, one `inputsmith gen` run and
// N shard runs (`gen --shard i/N`, one after the other on this machine, each with all cores), then
// `inputsmith merge`; checks the merged directory equals the single run byte for byte (timings.jsonl
// aside) and reports the balance: the busiest shard's CPU time (sum of its functions' cpuMs) against the
// mean, by instruction counts and, with `--shard-costs` taken from the single run's timings.jsonl, by
// measured costs. Prints Markdown on stdout; exits 1 when a merge differs.
//
// Usage: node bench/shard-bench.mjs [--shards N] [lib...]   (default: 4 shards; zlib lz4 bzip2)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { corpusIR, fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const { tree, same } = await import(join(root, 'bench/run-tree.mjs'));
const BIN = join(root, 'bin', 'inputsmith.js');
const args = process.argv.slice(2);
const at = args.indexOf('--shards');
const N = at >= 0 ? Number(args.splice(at, 2)[1]) : 4;
const libs = args.length > 0 ? args : ['zlib', 'lz4', 'bzip2'];

function gen(files, out, extra = []) {
  const r = spawnSync(process.execPath, [BIN, 'gen', ...files, '-o', out, ...extra], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gen ${extra.join(' ')}: ${r.stderr.trim().split('\n').pop()}`);
}

/** Busiest shard's CPU time against the mean (sum of cpuMs of each shard's timings.jsonl). */
function balance(dirs) {
  const load = dirs.map((d) =>
    readFileSync(join(d, 'timings.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .reduce((s, l) => s + JSON.parse(l).cpuMs, 0),
  );
  const mean = load.reduce((a, b) => a + b, 0) / load.length;
  return mean > 0 ? Math.max(...load) / mean : 1;
}

const work = mkdtempSync(join(tmpdir(), 'inputsmith-shard-bench-'));
const rows = [];
let failed = false;
try {
  for (const name of libs) {
    const files = await corpusIR(await fetchCorpus(name, {}), 'O1');
    const whole = join(work, name, 'whole');
    gen(files, whole);
    const want = tree(whole);
    const result = {
      name,
      functions: JSON.parse(readFileSync(join(whole, 'summary.json'))).totals.functions,
    };
    for (const [label, extra] of [
      ['instructions', []],
      ['measured costs', ['--shard-costs', join(whole, 'timings.jsonl')]],
    ]) {
      const dirs = [];
      for (let i = 1; i <= N; i++) {
        const d = join(work, name, `${label.replace(' ', '-')}-${i}`);
        gen(files, d, ['--shard', `${i}/${N}`, ...extra]);
        dirs.push(d);
      }
      const merged = join(work, name, `${label.replace(' ', '-')}-merged`);
      const m = spawnSync(process.execPath, [BIN, 'merge', ...dirs, '-o', merged], { encoding: 'utf8' });
      const diff = m.status !== 0 ? m.stderr.trim() : same(want, tree(merged));
      if (diff !== undefined) failed = true;
      result[label] = { balance: balance(dirs), diff };
    }
    rows.push(result);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const fmt = (x) => `${x.balance.toFixed(2)}x, ${x.diff === undefined ? 'identical' : `DIFFERS: ${x.diff}`}`;
process.stdout.write(
  `| library | functions | ${N} shards by instructions: busiest/mean, merge | by measured costs: busiest/mean, merge |\n|---|---:|---|---|\n`,
);
for (const r of rows)
  process.stdout.write(
    `| ${r.name} | ${r.functions} | ${fmt(r.instructions)} | ${fmt(r['measured costs'])} |\n`,
  );
process.exit(failed ? 1 : 0);
