#!/usr/bin/env node
// Engine speed benchmark (issue 3): CPU-bound C programs in bench/engine/*.c, run side by side as
//   native   clang-19 -O2 binary (best of 3 runs, process start included)
//   engine   inputsmith's engine on the -O2 IR: run time of main in a fresh process, JIT warm-up included
//            (best of 3 processes); parse + link + codegen reported separately
//   lli      lli-19 -force-interpreter (LLVM's interpreter). It cannot run -O2 IR (no support for intrinsics
//            such as llvm.smax, nor for calls of variadic externals such as snprintf), so it runs the
//            `-O0 -ffp-contract=off` IR, next to the engine on that same IR; it is run at fewer repetitions
//            (--lli-reps, default 1 of 10) and scaled linearly to the same work
// Prints a Markdown table with the ratios and the medians. Usage:
//   node bench/engine-bench.mjs [--reps N] [--lli-reps N] [--only NAME] [--no-lli]
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : def;
};
const reps = Number(opt('--reps', '10'));
const lliReps = Number(opt('--lli-reps', '1'));
const only = opt('--only', undefined);
const noLli = args.includes('--no-lli');
const work = join(tmpdir(), 'inputsmith-engine-bench');
mkdirSync(work, { recursive: true });

// Bundle the engine (TypeScript sources) once with esbuild, so the benchmark needs no build step.
const bundle = join(work, 'engine-bundle.mjs');
const esbuild = await import('esbuild');
await esbuild.build({
  stdin: {
    contents: `export { parseModule } from './src/ir/parser.ts'; export { Engine } from './src/engine/engine.ts';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: bundle,
  logLevel: 'error',
});
const runner = join(work, 'runner.mjs');
writeFileSync(
  runner,
  `import { readFileSync } from 'node:fs';
import { parseModule, Engine } from ${JSON.stringify(bundle)};
const [file, reps] = process.argv.slice(2);
const t0 = performance.now();
const m = parseModule(readFileSync(file, 'utf8'), file);
const e = new Engine(m);
const t1 = performance.now();
const r = e.runMain({ args: [reps] });
const t2 = performance.now();
process.stdout.write(JSON.stringify({ out: Buffer.from(r.stdout).toString('latin1'), outcome: r.outcome, compileMs: t1 - t0, runMs: t2 - t1 }));
`,
);

function timeIt(cmd, argv, input) {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'latin1', maxBuffer: 256 << 20, input });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr}`);
  return { ms, out: r.stdout };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

const dir = join(root, 'bench', 'engine');
const progs = readdirSync(dir)
  .filter((f) => f.endsWith('.c') && (only === undefined || f.startsWith(only)))
  .sort();
const rows = [];
for (const f of progs) {
  const name = basename(f, '.c');
  const src = join(dir, f);
  const exe = join(work, name);
  const ll = join(work, `${name}.ll`);
  execFileSync('clang-19', ['-O2', '-w', src, '-o', exe, '-lm']);
  execFileSync('clang-19', ['-O2', '-w', '-S', '-emit-llvm', src, '-o', ll]);
  const ll0 = join(work, `${name}.O0.ll`);
  execFileSync('clang-19', ['-O0', '-ffp-contract=off', '-w', '-S', '-emit-llvm', src, '-o', ll0]);
  // Native: best of 3 (process start included; these run for tens of milliseconds at least).
  let native = Infinity;
  let nativeOut = '';
  for (let k = 0; k < 3; k++) {
    const r = timeIt(exe, [String(reps)]);
    native = Math.min(native, r.ms);
    nativeOut = r.out;
  }
  // Engine: best of 3 fresh processes (each one compiles and JIT-warms from scratch).
  let er;
  for (let k = 0; k < 3; k++) {
    const r = JSON.parse(timeIt(process.execPath, [runner, ll, String(reps)]).out);
    if (er === undefined || r.runMs < er.runMs) er = r;
  }
  const ok = er.outcome === 'returned' && er.out === nativeOut;
  let lli = NaN;
  let engine0 = NaN;
  if (!noLli) {
    for (let k = 0; k < 2; k++) {
      const r = JSON.parse(timeIt(process.execPath, [runner, ll0, String(reps)]).out);
      if (!(r.runMs >= engine0)) engine0 = r.runMs;
    }
    try {
      const r = timeIt('lli-19', ['-force-interpreter', ll0, String(lliReps)]);
      lli = (r.ms * reps) / lliReps;
    } catch (e) {
      process.stderr.write(
        `${name}: lli cannot run it: ${
          String(e.message)
            .split('\n')
            .find((l) => l.includes('ERROR')) ?? e.message
        }\n`,
      );
    }
  }
  rows.push({ name, native, engine: er.runMs, compile: er.compileMs, engine0, lli, ok });
  process.stderr.write(
    `${name}: native ${native.toFixed(1)} ms, engine ${er.runMs.toFixed(1)} ms${ok ? '' : ' (OUTPUT DIFFERS)'}, engine -O0 ${engine0.toFixed(0)} ms, lli -O0 ${lli.toFixed(0)} ms\n`,
  );
}

const fmt = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '-');
const lines = [
  `| program | native -O2 (ms) | engine -O2 (ms) | engine / native | engine compile (ms) | engine -O0 (ms) | lli -O0 (ms, scaled from ${lliReps}/${reps} reps) | lli / engine (-O0) | output |`,
  '|---|---:|---:|---:|---:|---:|---:|---:|---|',
];
for (const r of rows)
  lines.push(
    `| ${r.name} | ${fmt(r.native)} | ${fmt(r.engine)} | ${fmt(r.engine / r.native)}x | ${fmt(r.compile)} | ${fmt(r.engine0)} | ${fmt(r.lli)} | ${fmt(r.lli / r.engine0)}x | ${r.ok ? 'same' : 'DIFFERENT'} |`,
  );
const medEN = median(rows.map((r) => r.engine / r.native));
const medLE = median(rows.map((r) => r.lli / r.engine0).filter((x) => Number.isFinite(x)));
lines.push('');
lines.push(
  `median engine/native: ${fmt(medEN)}x (target <= 10x); median lli/engine (-O0 IR, programs lli can run): ${fmt(medLE)}x (target >= 20x)`,
);
console.log(lines.join('\n'));
