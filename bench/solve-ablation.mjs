#!/usr/bin/env node
// Ablation of the solver's heuristics (issue 16, docs/solve.md) on hash- and checksum-heavy code: the
// xxhash units of lz4 and libzstd with lz4hc and zstd's entropy (FSE) code, zlib's adler32/crc32/deflate,
// and sqlite3's util/func/date units. Each
// configuration is one `inputsmith gen` over those modules (seed 1, 5 inputs, --jobs 2): mutation only,
// the solver with every heuristic, and the solver with each heuristic off (`--solve-off NAME`). Reported
// per configuration: wall time of gen, the functions' summed search time (timings.jsonl), mean block
// coverage, z3 queries and their answers, expressions concretised. Coverage and queries are deterministic;
// times are wall clock on a shared machine: compare within one run of this script.
//
//   node bench/solve-ablation.mjs [--solve N] [--only mix,size,...] [--json FILE]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { corpusIR, fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const { SOLVE_HEURISTICS } = await import(join(root, 'dist/guide/solve.js'));
const bin = join(root, 'bin', 'inputsmith.js');

/** Modules by library: the hash and checksum code the ablation is about. */
const MODULES = {
  lz4: /\/(xxhash|lz4hc)\.ll$/,
  libzstd: /\/(common\/(xxhash|entropy_common|fse_decompress)|legacy\/zstd_v05)\.ll$/,
  zlib: /\/(adler32|crc32|deflate)\.ll$/,
  sqlite3: /\/(util|func|date)\.ll$/,
};

function parseArgs(argv) {
  const a = { solve: 30, only: Object.keys(SOLVE_HEURISTICS), json: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--solve') a.solve = Number(argv[++i]);
    else if (argv[i] === '--only') a.only = argv[++i].split(',');
    else if (argv[i] === '--json') a.json = argv[++i];
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return a;
}

function readJsonl(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

function run(files, extra) {
  const out = mkdtempSync(join(tmpdir(), 'inputsmith-ablation-'));
  try {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [bin, 'gen', ...files, '-o', out, '--jobs', '2', ...extra], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const wallMs = performance.now() - t0;
    if (r.status !== 0)
      throw new Error(`gen ${extra.join(' ')} failed (${r.status}): ${r.stderr.slice(-400)}`);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const rows = readJsonl(join(out, 'timings.jsonl'));
    const solve = {};
    for (const row of rows)
      for (const [k, v] of Object.entries(row.solve ?? {}))
        if (typeof v === 'number') solve[k] = (solve[k] ?? 0) + v;
    return {
      wallMs,
      searchMs: rows.reduce((s, x) => s + x.timeMs, 0),
      coverage: summary.totals.meanCoverage,
      functions: summary.totals.functions,
      solve,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const args = parseArgs(process.argv.slice(2));
const files = [];
for (const [lib, re] of Object.entries(MODULES))
  files.push(...(await corpusIR(await fetchCorpus(lib, {}), 'O1')).filter((f) => re.test(f)));
const configs = [
  ['mutation only', []],
  ['solver, all heuristics', ['--solve', String(args.solve)]],
  ...args.only.map((h) => [`solver without ${h}`, ['--solve', String(args.solve), '--solve-off', h]]),
];
const results = [];
for (const [name, extra] of configs) {
  const r = run(files, extra);
  results.push({ name, ...r });
  console.error(
    `solve-ablation: ${name}: ${(r.wallMs / 1000).toFixed(1)} s, coverage ${(100 * r.coverage).toFixed(1)}%`,
  );
}
const pct = (x) => `${(100 * x).toFixed(1)}%`;
console.log(
  `Solver ablation on ${files.length} modules (${results[0].functions} functions), --solve ${args.solve}\n`,
);
console.log(
  '| configuration | gen wall s | search s (sum) | mean coverage | z3 queries | sat / unsat / unknown | searched (solved) | concretised |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of results) {
  const s = r.solve;
  console.log(
    `| ${r.name} | ${(r.wallMs / 1000).toFixed(1)} | ${(r.searchMs / 1000).toFixed(1)} | ${pct(r.coverage)} | ${s.queries ?? '-'} | ${s.sat ?? '-'} / ${s.unsat ?? '-'} / ${s.unknown ?? '-'} | ${s.searched ?? '-'} (${s.searchSat ?? '-'}) | ${s.concretised ?? '-'} |`,
  );
}
if (args.json !== undefined)
  writeFileSync(args.json, JSON.stringify({ solve: args.solve, files, results }, null, 2));
