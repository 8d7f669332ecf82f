#!/usr/bin/env node
// The dataset export (issue 14) on corpus libraries: for each library, `inputsmith gen` over its C sources
// compiled with -g (the library's own -I/-D flags, through gen's IR cache, so rows get source text and
// typed states), then `inputsmith export dataset` of that run in both formats: without traces, with
// block traces and with line traces. Reports per library and export: rows, rows/s, bytes per row of the
// Parquet and of the JSONL files, the export's wall time and peak RSS (GNU time's %M of the export
// process), how many rows have source text and how many traced replays differ from their record. It
// prints Markdown on stdout, in the style of the other benches.
//
// Usage: node bench/dataset-bench.mjs [lib...]   (default: cjson zlib)
// Environment: INPUTSMITH_BENCH_OPT (default O1), INPUTSMITH_BENCH_KEEP=DIR keeps each library's gen run
// and datasets as DIR/<lib>.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const opt = process.env.INPUTSMITH_BENCH_OPT ?? 'O1';
const libs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['cjson', 'zlib'];
const bin = join(root, 'bin', 'inputsmith.js');
const TIME = '/usr/bin/time';
const keep = process.env.INPUTSMITH_BENCH_KEEP;
const work = keep ?? mkdtempSync(join(tmpdir(), 'inputsmith-dataset-bench-'));

/** Run inputsmith in `cwd` under GNU time: wall seconds and peak RSS (KiB), or exit on failure. */
function timed(args, cwd) {
  const rusage = join(work, 'rusage');
  const cmd = existsSync(TIME)
    ? [TIME, '-f', '%e %M', '-o', rusage, process.execPath, bin, ...args]
    : [process.execPath, bin, ...args];
  const t0 = Date.now();
  const r = spawnSync(cmd[0], cmd.slice(1), { cwd, encoding: 'utf8', maxBuffer: 256 << 20 });
  const wall = (Date.now() - t0) / 1000;
  if (r.status !== 0) {
    process.stderr.write(`inputsmith ${args.join(' ')} failed (${r.status}):\n${r.stderr}\n`);
    process.exit(1);
  }
  const m = existsSync(rusage) ? /([\d.]+) (\d+)\s*$/.exec(readFileSync(rusage, 'utf8')) : null;
  return { wall, rssMiB: m ? Number(m[2]) / 1024 : NaN, stdout: r.stdout };
}

const sizeOf = (dir, re) =>
  readdirSync(dir)
    .filter((f) => re.test(f))
    .reduce((s, f) => s + statSync(join(dir, f)).size, 0);

const rows = [];
for (const name of libs) {
  const lib = await fetchCorpus(name);
  const files = lib.files.map((f) => relative(lib.root, f));
  const out = join(work, name, 'out');
  rmSync(join(work, name), { recursive: true, force: true });
  const gen = timed(['gen', ...files, '-g', `-${opt}`, ...lib.flags, '-o', out], lib.root);
  for (const trace of ['none', 'blocks', 'lines']) {
    const ds = join(work, name, `ds-${trace}`);
    const r = timed(['export', 'dataset', out, '-o', ds, '--format', 'both', '--trace', trace], lib.root);
    const jsonl = readFileSync(join(ds, 'data.jsonl'), 'utf8').trim().split('\n');
    const n = jsonl.length;
    const withSource = jsonl.filter((l) => JSON.parse(l).source !== '').length;
    const mism = trace !== 'none' ? jsonl.filter((l) => JSON.parse(l).replay !== 'ok').length : 0;
    rows.push({
      lib: name,
      trace,
      genSeconds: gen.wall,
      rows: n,
      withSource,
      seconds: r.wall,
      parquet: sizeOf(ds, /\.parquet$/) / n,
      jsonl: sizeOf(ds, /\.jsonl$/) / n,
      rss: r.rssMiB,
      mism,
    });
  }
}

const f1 = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const f0 = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-');
console.log(`## Dataset export (${opt}, sources compiled with -g)\n`);
console.log(
  '| library | trace | gen s | rows | with source | export s | rows/s | Parquet B/row | JSONL B/row | peak RSS MiB | replay mismatches |',
);
console.log('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows)
  console.log(
    `| ${r.lib} | ${r.trace} | ${f1(r.genSeconds)} | ${r.rows} | ${r.withSource} | ${f1(r.seconds)} | ${f0(r.rows / r.seconds)} | ${f0(r.parquet)} | ${f0(r.jsonl)} | ${f1(r.rss)} | ${r.mism} |`,
  );
console.log(
  '\nExport time includes node start-up and loading each module again (a hit in the IR cache); `gen s` is the run exported, for scale.',
);
if (keep === undefined) rmSync(work, { recursive: true, force: true });
