#!/usr/bin/env node
// Engine speed benchmark (issues 3 and 19): CPU-bound C programs in bench/engine/*.c, run side by side as
//   native   clang-19 -O2 binary (process start included)
//   engine   inputsmith's engine on the -O2 IR: run time of main in a fresh process, JIT warm-up included;
//            parse + link + codegen reported separately
//   baseline (--baseline ROOT) the engine of another checkout (the previous version: `git worktree add`),
//            bundled from its sources the same way, on the same IR
//   lli      lli-19 -force-interpreter (LLVM's interpreter). It cannot run -O2 IR (no support for intrinsics
//            such as llvm.smax, nor for calls of variadic externals such as snprintf), so it runs the
//            `-O0 -ffp-contract=off` IR, next to the engine on that same IR; it is run at fewer repetitions
//            (--lli-reps, default 1 of 10) and scaled linearly to the same work
// Each of native, engine and baseline runs --runs times (default 5), interleaved round by round so that
// the machine's drift affects all alike; the table gives medians. Prints a Markdown table with the ratios,
// the medians and the programs over issue 19's 8x. Usage:
//   node bench/engine-bench.mjs [--reps N] [--runs N] [--baseline ROOT] [--lli-reps N] [--only NAME] [--no-lli]
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
const runs = Number(opt('--runs', '5'));
const baselineRoot = opt('--baseline', undefined);
const work = join(tmpdir(), 'inputsmith-engine-bench');
mkdirSync(work, { recursive: true });

// Bundle the engine (TypeScript sources) once with esbuild, so the benchmark needs no build step; the
// baseline's from its own checkout.
const esbuild = await import('esbuild');
async function runnerFor(from, tag) {
  const bundle = join(work, `engine-bundle-${tag}.mjs`);
  await esbuild.build({
    stdin: {
      contents: `export { parseModule } from './src/ir/parser.ts'; export { Engine } from './src/engine/engine.ts';`,
      resolveDir: from,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile: bundle,
    logLevel: 'error',
  });
  const runner = join(work, `runner-${tag}.mjs`);
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
  return runner;
}
const runner = await runnerFor(root, 'this');
const baseRunner = baselineRoot === undefined ? undefined : await runnerFor(baselineRoot, 'baseline');

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
  // Rounds of native, engine (and baseline), each a fresh process (the engine compiles and JIT-warms from
  // scratch every time); medians over the rounds.
  const nat = [];
  const eng = [];
  const base = [];
  let nativeOut = '';
  let er;
  let baseOk = true;
  for (let k = 0; k < runs; k++) {
    const n = timeIt(exe, [String(reps)]);
    nat.push(n.ms);
    nativeOut = n.out;
    const r = JSON.parse(timeIt(process.execPath, [runner, ll, String(reps)]).out);
    eng.push(r.runMs);
    if (er === undefined || r.outcome !== 'returned' || r.out !== n.out) er = r;
    if (baseRunner !== undefined) {
      const b = JSON.parse(timeIt(process.execPath, [baseRunner, ll, String(reps)]).out);
      base.push(b.runMs);
      baseOk &&= b.outcome === 'returned' && b.out === n.out;
    }
  }
  const native = median(nat);
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
  const engine = median(eng);
  const baseline = median(base);
  rows.push({ name, native, engine, baseline, baseOk, compile: er.compileMs, engine0, lli, ok });
  process.stderr.write(
    `${name}: native ${native.toFixed(1)} ms, engine ${engine.toFixed(1)} ms${ok ? '' : ' (OUTPUT DIFFERS)'}${baseRunner === undefined ? '' : `, baseline ${baseline.toFixed(1)} ms${baseOk ? '' : ' (OUTPUT DIFFERS)'}`}, engine -O0 ${engine0.toFixed(0)} ms, lli -O0 ${lli.toFixed(0)} ms\n`,
  );
}

const fmt = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : '-');
const withBase = baseRunner !== undefined;
const lines = [
  `| program | native -O2 (ms) | engine -O2 (ms) | engine / native |${withBase ? ' baseline (ms) | engine / baseline |' : ''} engine compile (ms) | engine -O0 (ms) | lli -O0 (ms, scaled from ${lliReps}/${reps} reps) | lli / engine (-O0) | output |`,
  `|---|---:|---:|---:|${withBase ? '---:|---:|' : ''}---:|---:|---:|---:|---|`,
];
for (const r of rows)
  lines.push(
    `| ${r.name} | ${fmt(r.native)} | ${fmt(r.engine)} | ${fmt(r.engine / r.native)}x |${withBase ? ` ${fmt(r.baseline)} | ${fmt(r.engine / r.baseline)}${r.baseOk ? '' : ' (baseline output differs)'} |` : ''} ${fmt(r.compile)} | ${fmt(r.engine0)} | ${fmt(r.lli)} | ${fmt(r.lli / r.engine0)}x | ${r.ok ? 'same' : 'DIFFERENT'} |`,
  );
const medEN = median(rows.map((r) => r.engine / r.native));
const medLE = median(rows.map((r) => r.lli / r.engine0).filter((x) => Number.isFinite(x)));
const over = rows.filter((r) => r.engine / r.native > 8).map((r) => `${r.name} ${fmt(r.engine / r.native)}x`);
lines.push('');
lines.push(
  `median of ${runs} runs each, interleaved; median engine/native over the programs: ${fmt(medEN)}x; over 8x (issue 19: none): ${over.length === 0 ? 'none' : over.join(', ')}; median lli/engine (-O0 IR, programs lli can run): ${fmt(medLE)}x (target >= 20x)`,
);
if (withBase)
  lines.push(
    `median engine/baseline (${baselineRoot}): ${fmt(median(rows.map((r) => r.engine / r.baseline)))}`,
  );
console.log(lines.join('\n'));
