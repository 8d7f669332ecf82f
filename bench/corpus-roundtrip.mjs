#!/usr/bin/env node
// Acceptance bench (issue 2): the real-world corpus round trip.
//
// For every source file of cjson, zlib, lz4, libzstd, lua5.4 and sqlite3 compiled at -O0..-O3:
//   ours:     parse (dist/ir/parser.js) -> print (dist/ir/printer.js) -> llvm-as -> llvm-dis
//   baseline: clang's own .ll           -> llvm-as -> llvm-dis
// and compares, function by function, the number of blocks and instructions. Both sides are counted by
// `countFunctions` below, a line-based counter over llvm-dis output: our parser never counts either side.
// Also reported: files whose two disassemblies are identical line for line (stronger than counts), and
// whether the printer is a fixed point (print(parse(print(parse(x)))) === print(parse(x))).
// At the end: parse and print time of the sqlite3 amalgamation (printing must be a small fraction).
//
// Usage: npm run build && node bench/corpus-roundtrip.mjs [--libs cjson,zlib] [--opts O0,O2] [--jobs 2]
//        [--no-amalgamation] [--show 5]
// Exits 1 on any parse error, assembly error, count mismatch or fixed-point failure.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const LIBS = ['cjson', 'zlib', 'lz4', 'libzstd', 'lua5.4', 'sqlite3'];
const OPTS = ['O0', 'O1', 'O2', 'O3'];
const dist = new URL('../dist/', import.meta.url);

// The round trip and the per-function counts are the toolchain's (src/toolchain/roundtrip.ts, which
// test/ir-roundtrip.test.ts uses too): llvm-as/llvm-dis of the toolchain the finder picks.
const { countFunctions, compareCounts, llvmRoundTrip, firstDiff } = await import(
  new URL('toolchain/roundtrip.js', dist).href
);

// ---------------------------------------------------------------------------------------------------
// One file

async function checkFile(task, api) {
  const { parseModule, printModule } = api;
  const r = { ...task, functions: 0, ok: 0, mismatches: [], parseError: '', asmError: '', identical: false };
  const text = readFileSync(task.file, 'utf8');
  const base = llvmRoundTrip(text);
  if (base.error !== undefined) {
    r.asmError = `baseline: ${base.error}`;
    return r;
  }
  const want = countFunctions(base.dis);
  r.functions = want.size;
  let m;
  let t0 = performance.now();
  try {
    m = parseModule(text, task.file);
  } catch (e) {
    r.parseError = e instanceof Error ? e.message.split('\n')[0] : String(e);
    return r;
  }
  r.parseMs = performance.now() - t0;
  t0 = performance.now();
  let printed;
  try {
    printed = printModule(m);
  } catch (e) {
    r.asmError = `printer threw: ${e instanceof Error ? e.message : String(e)}`;
    return r;
  }
  r.printMs = performance.now() - t0;
  const ours = llvmRoundTrip(printed);
  if (ours.error !== undefined) {
    r.asmError = ours.error;
    return r;
  }
  const got = countFunctions(ours.dis);
  r.mismatches = compareCounts(want, got);
  r.ok = [...want.keys()].filter((fn) => !r.mismatches.some((d) => d.startsWith(fn + ':'))).length;
  r.identical = base.dis === ours.dis;
  if (!r.identical) r.diff = firstDiff(base.dis, ours.dis);
  try {
    r.fixpoint = printModule(parseModule(printed, task.file + ' (printed)')) === printed;
  } catch (e) {
    r.fixpoint = false;
    r.fixpointError = e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
  return r;
}

async function loadApi() {
  const { parseModule } = await import(new URL('ir/parser.js', dist).href);
  const { printModule } = await import(new URL('ir/printer.js', dist).href);
  return { parseModule, printModule };
}

// ---------------------------------------------------------------------------------------------------
// Worker and main

if (!isMainThread && workerData?.roundTripWorker) {
  const api = await loadApi();
  parentPort.on('message', async (task) => {
    let r;
    try {
      r = await checkFile(task, api);
    } catch (e) {
      r = {
        ...task,
        functions: 0,
        ok: 0,
        mismatches: [],
        parseError: `internal: ${e?.stack ?? e}`,
        asmError: '',
      };
    }
    parentPort.postMessage(r);
  });
}

function arg(name, def) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : def;
}

function pad(s, n) {
  s = String(s);
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}

async function main() {
  const libs = arg('--libs', LIBS.join(',')).split(',');
  const opts = arg('--opts', OPTS.join(',')).split(',');
  const jobs = Number(arg('--jobs', String(Math.min(2, availableParallelism()))));
  const show = Number(arg('--show', '5'));
  const { fetchCorpus, corpusIR, sqliteAmalgamationIR } = await import(
    new URL('toolchain/corpus.js', dist).href
  );

  const tasks = [];
  for (const name of libs) {
    const lib = await fetchCorpus(name);
    for (const opt of opts) for (const file of await corpusIR(lib, opt)) tasks.push({ lib: name, opt, file });
  }
  process.stderr.write(`corpus-roundtrip: ${tasks.length} files, ${jobs} workers\n`);

  const t0 = performance.now();
  const results = [];
  await new Promise((resolve, reject) => {
    let next = 0;
    let live = 0;
    const feed = (w) => {
      if (next < tasks.length) {
        w.postMessage(tasks[next++]);
        return true;
      }
      w.terminate();
      live--;
      if (live === 0) resolve();
      return false;
    };
    for (let k = 0; k < Math.max(1, jobs); k++) {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { roundTripWorker: true } });
      live++;
      w.on('error', reject);
      w.on('message', (r) => {
        results.push(r);
        if (results.length % 25 === 0) process.stderr.write(`  ${results.length}/${tasks.length}\n`);
        feed(w);
      });
      feed(w);
    }
  });
  const wall = performance.now() - t0;

  const head =
    'library  opt  files  functions       ok  mismatch  parse-err  asm-err  identical  fixpoint  parse-ms  print-ms';
  console.log(head);
  let failed = 0;
  for (const name of libs) {
    for (const opt of opts) {
      const rs = results.filter((r) => r.lib === name && r.opt === opt);
      const sum = (f) => rs.reduce((s, r) => s + f(r), 0);
      const row = {
        files: rs.length,
        functions: sum((r) => r.functions),
        ok: sum((r) => r.ok),
        mismatch: sum((r) => r.mismatches.length),
        parseErr: sum((r) => (r.parseError ? 1 : 0)),
        asmErr: sum((r) => (r.asmError ? 1 : 0)),
        identical: sum((r) => (r.identical ? 1 : 0)),
        fixpoint: sum((r) => (r.fixpoint ? 1 : 0)),
        parseMs: sum((r) => r.parseMs ?? 0),
        printMs: sum((r) => r.printMs ?? 0),
      };
      const bad =
        row.mismatch + row.parseErr + row.asmErr + (row.files - row.parseErr - row.asmErr - row.fixpoint);
      failed += bad;
      console.log(
        [
          name.padEnd(8),
          opt.padEnd(3),
          pad(row.files, 6),
          pad(row.functions, 10),
          pad(row.ok, 8),
          pad(row.mismatch, 9),
          pad(row.parseErr, 10),
          pad(row.asmErr, 8),
          pad(row.identical, 10),
          pad(row.fixpoint, 9),
          pad(row.parseMs.toFixed(0), 9),
          pad(row.printMs.toFixed(0), 9),
        ].join(' '),
      );
    }
  }

  const problems = results.filter(
    (r) => r.parseError || r.asmError || r.mismatches.length > 0 || r.fixpoint === false,
  );
  for (const r of problems.slice(0, show > 0 ? show * 4 : 0)) {
    const where = `${r.lib} ${r.opt} ${basename(r.file)}`;
    if (r.parseError) console.log(`PARSE ERROR ${where}: ${r.parseError}`);
    else if (r.asmError) console.log(`ASSEMBLY ERROR ${where}: ${r.asmError}`);
    else if (r.mismatches.length > 0)
      console.log(`MISMATCH ${where}: ${r.mismatches.slice(0, 3).join('; ')}`);
    else console.log(`NOT A FIXED POINT ${where}${r.fixpointError ? `: ${r.fixpointError}` : ''}`);
  }
  const differing = results.filter((r) => r.diff !== undefined);
  for (const r of differing.slice(0, show))
    console.log(`DIS DIFFERS ${r.lib} ${r.opt} ${basename(r.file)}: ${r.diff}`);
  console.log(`${results.length} files in ${(wall / 1000).toFixed(1)} s wall`);

  if (!process.argv.includes('--no-amalgamation')) {
    const ll = await sqliteAmalgamationIR('O2');
    const text = readFileSync(ll, 'utf8');
    const { parseModule, printModule } = await loadApi();
    const best = { parse: Infinity, print: Infinity };
    for (let k = 0; k < 3; k++) {
      let t = performance.now();
      const m = parseModule(text, ll);
      best.parse = Math.min(best.parse, performance.now() - t);
      t = performance.now();
      printModule(m);
      best.print = Math.min(best.print, performance.now() - t);
    }
    const mb = (text.length / 1e6).toFixed(1);
    console.log(
      `sqlite3 amalgamation -O2 (${mb} MB): parse ${best.parse.toFixed(0)} ms, print ${best.print.toFixed(0)} ms ` +
        `(print/parse = ${(best.print / best.parse).toFixed(2)}), best of 3`,
    );
  }
  if (failed > 0) {
    console.log(`FAILED: ${failed} problems`);
    process.exit(1);
  }
  console.log('OK');
}

if (
  isMainThread &&
  process.argv[1] !== undefined &&
  import.meta.url === pathToFileURL(process.argv[1]).href
) {
  await main();
}
