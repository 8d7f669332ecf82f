#!/usr/bin/env node
// Parser speed: our parse of a large module (the sqlite3 amalgamation compiled by clang-19) against
// `llvm-as-19 FILE -o /dev/null` on the same file, side by side. llvm-as parses, verifies and writes
// bitcode; our target is at most 2x its time.
//
// For each module: llvm-as-19 is run 3 times (median); our parser is timed once cold (the first parse in a
// fresh Node process, after reading the file) and then in-process after warm-up (median of --runs runs).
// Prints a Markdown section (bench/run-all.mjs collects it).
//
// Usage: npm run build && node bench/parse-bench.mjs [--file X.ll ...] [--opts O0,O2] [--runs 5]
// Without --file, the sqlite3 amalgamation is fetched and compiled through src/toolchain/corpus.ts; if that
// is not possible (no network), a generated C file with thousands of functions is compiled instead.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const dist = new URL('../dist/', import.meta.url);
const parserUrl = new URL('ir/parser.js', dist).href;

function arg(name, dflt) {
  const i = process.argv.indexOf(name);
  if (i < 0) return dflt;
  const vals = [];
  for (let j = i + 1; j < process.argv.length && !process.argv[j].startsWith('--'); j++)
    vals.push(process.argv[j]);
  return vals;
}
const runs = Number((arg('--runs', ['5']) ?? ['5'])[0]);
const opts = (arg('--opts', ['O0,O2']) ?? ['O0,O2'])[0].split(',');

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const ms = (x) => `${x.toFixed(0)} ms`;

/** A large generated C file: thousands of functions with loops, switches, structs and calls. */
function generatedModule() {
  const dir = mkdtempSync(join(tmpdir(), 'parse-bench-'));
  const parts = ['#include <stdio.h>\n#include <string.h>\nstruct P { int a; double b; char s[16]; };\n'];
  for (let i = 0; i < 4000; i++) {
    parts.push(`int f${i}(int x, struct P *p) {
  int acc = ${i};
  for (int k = 0; k < x; k++) { acc += k * ${(i % 7) + 1}; if (acc > 1000) acc -= p->a; }
  switch (x & 3) { case 0: acc ^= 5; break; case 1: acc += (int)p->b; break; default: acc -= strlen(p->s); }
  ${i > 0 ? `return acc + f${i - 1}(x - 1, p);` : 'return acc;'}
}\n`);
  }
  const c = join(dir, 'gen.c');
  writeFileSync(c, parts.join(''));
  const out = [];
  for (const o of opts) {
    const ll = join(dir, `gen.${o}.ll`);
    execFileSync('clang-19', [`-${o}`, '-S', '-emit-llvm', '-w', c, '-o', ll]);
    out.push({ label: `generated (4000 functions) -${o}`, file: ll });
  }
  return out;
}

async function modules() {
  const files = arg('--file', undefined);
  if (files !== undefined) return files.map((f) => ({ label: f, file: f }));
  try {
    const corpus = await import(new URL('toolchain/corpus.js', dist).href);
    const out = [];
    for (const o of opts)
      out.push({ label: `sqlite3 amalgamation -${o}`, file: await corpus.sqliteAmalgamationIR(o) });
    return out;
  } catch (e) {
    process.stderr.write(
      `parse-bench: sqlite3 amalgamation unavailable (${e.message}); using a generated file\n`,
    );
    return generatedModule();
  }
}

function timeLlvmAs(file) {
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('llvm-as-19', [file, '-o', '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const t1 = process.hrtime.bigint();
    if (r.status !== 0) throw new Error(`llvm-as-19 failed on ${file}: ${r.stderr}`);
    times.push(Number(t1 - t0) / 1e6);
  }
  return median(times);
}

/** The first parse in a fresh process (module loading excluded, file reading excluded). */
function timeCold(file) {
  const code = `
    import { readFileSync } from 'node:fs';
    const { parseModule } = await import(${JSON.stringify(parserUrl)});
    const text = readFileSync(${JSON.stringify(file)}, 'utf8');
    const t0 = performance.now();
    const m = parseModule(text, ${JSON.stringify(file)});
    const t = performance.now() - t0;
    let n = 0;
    for (const g of m.globals) if (g.kind === 'function') for (const b of g.blocks) n += b.instrs.length;
    console.log(JSON.stringify({ t, n, rss: process.memoryUsage().rss }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`cold parse failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

async function main() {
  const { parseModule } = await import(parserUrl);
  const rows = [];
  for (const { label, file } of await modules()) {
    const text = readFileSync(file, 'utf8');
    const size = statSync(file).size;
    const lines = text.split('\n').length;
    const llvm = timeLlvmAs(file);
    const cold = timeCold(file);
    for (let i = 0; i < 2; i++) parseModule(text, file); // warm-up
    const warm = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      parseModule(text, file);
      warm.push(performance.now() - t0);
    }
    const w = median(warm);
    rows.push({ label, size, lines, instrs: cold.n, llvm, cold: cold.t, warm: w, rss: cold.rss });
    process.stderr.write(
      `parse-bench: ${label}: llvm-as ${ms(llvm)}, ours cold ${ms(cold.t)}, warm ${ms(w)}\n`,
    );
  }
  const out = [];
  out.push(
    'Our `parseModule` (in-process; cold = first parse in a fresh process) against `llvm-as-19 FILE -o /dev/null`',
  );
  out.push('(parse + verify + write bitcode; median of 3). Target: ratio <= 2.\n');
  out.push(
    '| module | size | lines | instructions | llvm-as-19 | ours cold | ours warm | cold / llvm-as | warm / llvm-as | RSS after cold parse |',
  );
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    out.push(
      `| ${r.label} | ${(r.size / 1e6).toFixed(1)} MB | ${r.lines} | ${r.instrs} | ${ms(r.llvm)} | ${ms(r.cold)} | ${ms(r.warm)} | ` +
        `${(r.cold / r.llvm).toFixed(2)}x | ${(r.warm / r.llvm).toFixed(2)}x | ${(r.rss / 1e6).toFixed(0)} MB |`,
    );
  }
  const worst = Math.max(...rows.map((r) => r.cold / r.llvm));
  out.push(`\nWorst cold ratio: ${worst.toFixed(2)}x (${worst <= 2 ? 'within' : 'OVER'} the 2x target).`);
  console.log(out.join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    process.stderr.write(`parse-bench: ${e.stack ?? e}\n`);
    process.exit(1);
  });
}
