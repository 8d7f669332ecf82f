#!/usr/bin/env node
// The dataset export (issue 14) on corpus libraries: for each library, `inputsmith gen` over its C sources
// compiled with -g (the library's own -I/-D flags, through gen's IR cache, so rows get source text and
// typed states), then `inputsmith export dataset` of that run in both formats, once per trace kind
// (default: none and lines). Reports per library and export: rows, duplicate functions dropped, rows/s,
// bytes per row of the Parquet and of the JSONL files, the export's wall time and peak RSS (GNU time's
// %M of the export process), traced replays that differ from their record; then that DuckDB loads every
// Parquet file (rows equal to the JSONL's, every column chunk zstd) and that a sample of rows, replayed
// from their own `input` column, reproduce their `output`, `covered_blocks` and `steps`
// (bench/dataset-replay.mjs). With several libraries, one more export per trace kind makes the corpus's
// dataset from all their runs at once (`export dataset OUT...`: copies dropped across libraries, one split).
// It prints Markdown on stdout, in the style of the other benches. Sources are given to gen by absolute
// path (rows' `module`) with the library's flags as a compile_commands.json (kept in OUT/sources.json), so
// that export compiles every run's modules as gen did from one directory.
//
// Usage: node bench/dataset-bench.mjs [lib... | dev]   (default: cjson zlib; dev: the development corpus)
// Environment: INPUTSMITH_BENCH_OPT (default O1); INPUTSMITH_BENCH_KEEP=DIR keeps each library's gen run
// and datasets as DIR/<lib>, and reuses a gen run found there (gen once, export many times);
// INPUTSMITH_BENCH_TRACES (default "none lines"); INPUTSMITH_BENCH_SAMPLE rows replayed per library (50).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { fetchCorpus, corpusSet } = await import(join(root, 'dist/toolchain/corpus.js'));
const opt = process.env.INPUTSMITH_BENCH_OPT ?? 'O1';
const args = process.argv.slice(2);
const libs =
  args.length === 0 ? ['cjson', 'zlib'] : args[0] === 'dev' ? corpusSet('dev').map((s) => s.name) : args;
const traces = (process.env.INPUTSMITH_BENCH_TRACES ?? 'none lines').split(/\s+/).filter(Boolean);
const sample = Number(process.env.INPUTSMITH_BENCH_SAMPLE ?? 50);
const bin = join(root, 'bin', 'inputsmith.js');
const TIME = '/usr/bin/time';
const keep = process.env.INPUTSMITH_BENCH_KEEP;
const work = keep ?? mkdtempSync(join(tmpdir(), 'inputsmith-dataset-bench-'));

/** Run a node script in `cwd` under GNU time: wall seconds and peak RSS (KiB), or exit on failure. */
function timed(script, args, cwd) {
  const rusage = join(work, 'rusage');
  const cmd = existsSync(TIME)
    ? [TIME, '-f', '%e %M', '-o', rusage, process.execPath, script, ...args]
    : [process.execPath, script, ...args];
  const t0 = Date.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  const wall = (Date.now() - t0) / 1000;
  if (r.status !== 0) {
    process.stderr.write(`${script} ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n`);
    process.exit(1);
  }
  const m = existsSync(rusage) ? /([\d.]+) (\d+)\s*$/.exec(readFileSync(rusage, 'utf8')) : null;
  return { wall, rssMiB: m ? Number(m[2]) / 1024 : NaN, stdout: r.stdout };
}

const sizeOf = (dir, re) =>
  readdirSync(dir)
    .filter((f) => re.test(f))
    .reduce((s, f) => s + statSync(join(dir, f)).size, 0);

/** DuckDB over the Parquet files of `ds`: rows, and the codecs of their column chunks. */
async function duckdb(ds) {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  const glob = join(ds, 'data-*.parquet');
  const n = (await c.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${glob}')`)).getRowObjectsJson();
  const codecs = (
    await c.runAndReadAll(`SELECT DISTINCT compression AS k FROM parquet_metadata('${glob}')`)
  ).getRowObjectsJson();
  c.closeSync();
  return { rows: Number(n[0].n), codecs: codecs.map((x) => x.k).join(',') };
}

const rows = [];
const replays = [];
for (const name of libs) {
  const lib = await fetchCorpus(name);
  // Absolute paths, so that one export reads every library's run (the corpus dataset below) from anywhere.
  const files = lib.files;
  const out = join(work, name, 'out');
  let genSeconds = NaN;
  if (keep === undefined || !existsSync(join(out, 'summary.json'))) {
    rmSync(join(work, name), { recursive: true, force: true });
    // The library's flags as a compilation database: OUT/sources.json then keeps each module's directory
    // and flags, so every export compiles the modules as gen did from any directory (the corpus export).
    mkdirSync(join(work, name), { recursive: true });
    const cc = join(work, name, 'compile_commands.json');
    writeFileSync(
      cc,
      JSON.stringify(
        files.map((file) => ({ directory: lib.root, file, arguments: ['cc', ...lib.flags, '-c', file] })),
      ),
    );
    genSeconds = timed(
      bin,
      ['gen', ...files, '--compile-commands', cc, '-g', `-${opt}`, '-o', out],
      lib.root,
    ).wall;
  }
  for (const trace of traces) {
    const ds = join(work, name, `ds-${trace}`);
    const r = timed(
      bin,
      ['export', 'dataset', out, '-o', ds, '--format', 'both', '--trace', trace],
      lib.root,
    );
    const jsonl = readFileSync(join(ds, 'data.jsonl'), 'utf8').trim().split('\n');
    const n = jsonl.length;
    const withSource = jsonl.filter((l) => JSON.parse(l).source !== '').length;
    const mism = trace !== 'none' ? jsonl.filter((l) => JSON.parse(l).replay !== 'ok').length : 0;
    const dropped = /dropped (\d+) rows of (\d+) duplicate/.exec(r.stdout);
    const db = await duckdb(ds);
    rows.push({
      lib: name,
      trace,
      genSeconds,
      rows: n,
      dropped: dropped ? `${dropped[2]} (${dropped[1]} rows)` : '0',
      withSource,
      seconds: r.wall,
      parquet: sizeOf(ds, /\.parquet$/) / n,
      jsonl: sizeOf(ds, /\.jsonl$/) / n,
      rss: r.rssMiB,
      mism,
      duck: db.rows === n ? `${db.rows} rows, ${db.codecs}` : `MISMATCH ${db.rows} of ${n}`,
    });
    if (trace === traces[0]) {
      const rr = timed(join(root, 'bench', 'dataset-replay.mjs'), [out, ds, String(sample)], lib.root);
      replays.push({ lib: name, ...JSON.parse(rr.stdout) });
    }
  }
}

// The corpus dataset: one export of every library's run (copies dropped across libraries, one split).
const corpus = [];
if (libs.length > 1)
  for (const trace of traces) {
    const ds = join(work, `corpus-ds-${trace}`);
    const outs = libs.map((name) => join(work, name, 'out'));
    const r = timed(
      bin,
      ['export', 'dataset', ...outs, '-o', ds, '--format', 'both', '--trace', trace],
      work,
    );
    const n = readFileSync(join(ds, 'data.jsonl'), 'utf8').trim().split('\n').length;
    const dropped = /dropped (\d+) rows of (\d+) duplicate/.exec(r.stdout);
    const db = await duckdb(ds);
    corpus.push({
      lib: `**corpus, one export of ${libs.length} runs**`,
      trace,
      genSeconds: NaN,
      rows: n,
      dropped: dropped ? `${dropped[2]} (${dropped[1]} rows)` : '0',
      withSource: NaN,
      seconds: r.wall,
      parquet: sizeOf(ds, /\.parquet$/) / n,
      jsonl: sizeOf(ds, /\.jsonl$/) / n,
      rss: r.rssMiB,
      mism: '-',
      duck: db.rows === n ? `${db.rows} rows, ${db.codecs}` : `MISMATCH ${db.rows} of ${n}`,
    });
  }

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
console.log(`## Dataset export (${opt}, sources compiled with -g)\n`);
console.log(
  '| library | trace | gen s | rows | duplicates dropped | with source | export s | rows/s | Parquet B/row | JSONL B/row | peak RSS MiB | traced replays differing | DuckDB |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
const line = (r) =>
  console.log(
    `| ${r.lib} | ${r.trace} | ${f1(r.genSeconds)} | ${f0(r.rows)} | ${r.dropped} | ${f0(r.withSource)} | ${f1(r.seconds)} | ${f0(r.rows / r.seconds)} | ${f0(r.parquet)} | ${f0(r.jsonl)} | ${f1(r.rss)} | ${r.mism} | ${r.duck} |`,
  );
for (const r of rows) line(r);
for (const trace of traces) {
  const mine = rows.filter((r) => r.trace === trace);
  const n = mine.reduce((s, r) => s + r.rows, 0);
  const sec = mine.reduce((s, r) => s + r.seconds, 0);
  line({
    lib: `**all ${mine.length}**`,
    trace,
    genSeconds: NaN,
    rows: n,
    dropped: '',
    withSource: mine.reduce((s, r) => s + r.withSource, 0),
    seconds: sec,
    parquet: mine.reduce((s, r) => s + r.parquet * r.rows, 0) / n,
    jsonl: mine.reduce((s, r) => s + r.jsonl * r.rows, 0) / n,
    rss: Math.max(...mine.map((r) => r.rss)),
    mism: mine.reduce((s, r) => s + r.mism, 0),
    duck: mine.every((r) => !r.duck.startsWith('MISMATCH')) ? 'all loaded' : 'MISMATCH',
  });
}
for (const r of corpus) line(r);
console.log('\n| library | rows replayed from `input` | reproduced `output` exactly | first differences |');
console.log('| --- | ---: | ---: | --- |');
for (const r of replays)
  console.log(
    `| ${r.lib} | ${r.checked} | ${r.ok} | ${r.differ
      .slice(0, 3)
      .map((d) => `${d.id}: ${d.why}`)
      .join('; ')} |`,
  );
console.log(
  '\nExport time includes node start-up and loading each module twice (the deduplication pass and the rows; a hit in the IR cache); `gen s` is the run exported, for scale (`-` when reused).',
);
if (keep === undefined) rmSync(work, { recursive: true, force: true });
