#!/usr/bin/env node
// Generation speed of `inputsmith progs` (issue 6 asks for >= 1,000 programs/s of typical size). Prints
// programs/s with the default grammar (tree + exact evaluation + printing), the share of printing, the
// average size, and side by side the baseline this speed is measured against: compiling one such
// program with clang-19 -O0 (the checker's unit of work), as a ratio. Not a test: no assertion.
// Needs a build (`npm run build`, or INPUTSMITH_DIST=/path/to/dist). Usage:
//   node bench/progs-bench.mjs [--count 3000] [--compile 20]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = resolve(process.env.INPUTSMITH_DIST ?? join(root, 'dist'));
const { loadGrammar, generate, printProgram } = await import(join(dist, 'progs', 'index.js'));

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const count = opt('count', 3000);
const compileCount = opt('compile', 20);
const TARGET = 1000;

const grammar = loadGrammar();
for (let s = 0; s < 200; s++) generate(grammar, 1_000_000 + s); // warm up the JIT

let lines = 0;
let bytes = 0;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const programs = [];
for (let s = 0; s < count; s++) {
  const g = generate(grammar, s);
  lines += g.text.split('\n').length;
  bytes += g.text.length;
  if (s < compileCount) programs.push(g);
}
const genMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
const t1 = performance.now();
for (let s = 0; s < Math.min(count, 500); s++)
  printProgram(programs[s % programs.length]?.program ?? generate(grammar, s).program);
const printMs = ((performance.now() - t1) / Math.min(count, 500)) * count;

const rate = (count / genMs) * 1000;
console.log(`progs generation: ${count} programs in ${genMs.toFixed(0)} ms = ${rate.toFixed(0)} programs/s`);
// On a shared machine wall time includes waiting for a core; CPU time does not.
console.log(
  `  per CPU second: ${((count / cpuMs) * 1000).toFixed(0)} programs/s (${cpuMs.toFixed(0)} ms CPU)`,
);
console.log(
  `  average ${(lines / count).toFixed(0)} lines, ${(bytes / count / 1024).toFixed(1)} KiB per program`,
);
console.log(`  printing is about ${((printMs / genMs) * 100).toFixed(0)}% of the time`);
const cpuRate = (count / cpuMs) * 1000;
console.log(
  `  vs the 1,000 programs/s target: ${(rate / TARGET).toFixed(2)}x (wall), ${(cpuRate / TARGET).toFixed(2)}x (CPU)`,
);

if (compileCount > 0) {
  const tmp = mkdtempSync(join(tmpdir(), 'progs-bench-'));
  try {
    const t2 = performance.now();
    for (const g of programs) {
      const f = join(tmp, g.name);
      writeFileSync(f, g.text);
      execFileSync('clang-19', ['-O0', '-w', '-c', f, '-o', join(tmp, 'p.o')]);
    }
    const perCompile = (performance.now() - t2) / programs.length;
    const perGen = genMs / count;
    console.log(
      `baseline clang-19 -O0 -c: ${perCompile.toFixed(1)} ms per program; generation ${perGen.toFixed(2)} ms` +
        ` per program (${(perCompile / perGen).toFixed(0)}x faster than compiling it)`,
    );
  } catch (e) {
    console.log(`baseline skipped: ${e.message.split('\n')[0]}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
