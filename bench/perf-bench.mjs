#!/usr/bin/env node
// perf and diff on the development corpus (issue 15): for each library, `inputsmith gen --compile-commands`
// over its C files (so OUT/sources.json keeps each module's source and flags), then one `perf` run over all
// the libraries' modules with five variants (baseline clang -O2, clang -O0, clang -O2 without the loop and
// SLP vectorisers, gcc -O2, and clang -O2 again: the identical twin) and `diff` across clang and gcc at
// -O0..-O3. Prints the issue's figures as Markdown:
//   - stability: Spearman rank correlation of per-function medians, even rounds against odd rounds, for the
//     (function, variant) points above the noise floor (target >= 0.9) and for all;
//   - share of functions with a kept input that are above the noise floor under the baseline (target >= 1/2);
//   - -O0 against -O2: functions above the floor whose slowdown interval excludes 1;
//   - vectorisation: functions whose -O2 body has a packed SIMD arithmetic instruction inside a loop
//     (objdump -d of the baseline build: a backward branch in the function whose range holds one), and
//     among those above the floor, the share whose slowdown under the no-vectoriser variant has an
//     interval excluding 1 on the slow side (target >= 90%);
//   - identical variants: share of functions above the floor whose interval excludes 1 (stated rate 5%);
//   - diff: records compared, differences per class (every one classified).
// Usage: node bench/perf-bench.mjs [--minutes N] [--budget MS] [--grow STEPS] [--out DIR] [--plots DIR] [--no-diff] [--run OUT]... [lib...]
//   --grow: gen's workload inputs (default 20000 steps; 0: the search's inputs only);
//   default libraries: cjson lz4 zlib bzip2 (the dev corpus' small C libraries); --no-diff: perf only; --run OUT:
//   an existing gen output (of C sources) instead of a library;
//   --out keeps the gen outputs
//   (reused when present) and the perf report; --plots copies the SVGs there (docs/perf/).
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = (p) => import(join(root, 'dist', p));
const { fetchCorpus } = await dist('toolchain/corpus.js');
const { readTuneModules } = await dist('cli/tune-input.js');
const { runPerf } = await dist('tune/perf.js');
const { timingParams } = await dist('tune/timing.js');
const { runDiff, diffMarkdown, DIFF_CLASSES } = await dist('tune/diff.js');
const { writePerfReport, perfMarkdown } = await dist('tune/perf-report.js');
const { parseVariants } = await dist('tune/variants.js');
const { buildVariant } = await dist('tune/variant-build.js');
const { DEFAULTS } = await dist('util/defaults.js');
const { coreCount } = await dist('util/concurrency.js');
const { which } = await dist('util/proc.js');
const { sideOfOne } = await dist('tune/stats.js');

const args = process.argv.slice(2);
const opt = {
  minutes: Infinity,
  budget: 5,
  grow: 20000,
  out: undefined,
  plots: undefined,
  diff: true,
  runs: [],
  libs: [],
};
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--minutes') opt.minutes = Number(args[++i]);
  else if (args[i] === '--budget') opt.budget = Number(args[++i]);
  else if (args[i] === '--grow') opt.grow = Number(args[++i]);
  else if (args[i] === '--out') opt.out = args[++i];
  else if (args[i] === '--plots') opt.plots = args[++i];
  else if (args[i] === '--no-diff') opt.diff = false;
  else if (args[i] === '--run') opt.runs.push(args[++i]);
  else opt.libs.push(args[i]);
}
if (opt.libs.length === 0 && opt.runs.length === 0) opt.libs = ['cjson', 'lz4', 'zlib', 'bzip2'];
const out = opt.out ?? mkdtempSync(join(tmpdir(), 'inputsmith-perf-bench-'));
const t0 = Date.now();
const log = (s) => process.stderr.write(`perf-bench: ${s} (${((Date.now() - t0) / 1000).toFixed(0)} s)\n`);
const clang = which('clang-19') ? 'clang-19' : 'clang';
process.on('exit', (code) => log(`exit ${code}`));
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'])
  process.on(sig, () => {
    log(`killed by ${sig}`);
    process.exit(1);
  });

// ---- gen per library (kept outputs reused)
const genDirs = [...opt.runs];
for (const name of opt.libs) {
  const lib = await fetchCorpus(name);
  const dir = join(out, 'gen', name);
  if (!existsSync(join(dir, 'summary.json'))) {
    mkdirSync(join(out, 'gen'), { recursive: true });
    const cc = join(out, 'gen', `${name}.cc.json`);
    writeFileSync(
      cc,
      JSON.stringify(
        lib.files.map((f) => ({ directory: lib.root, file: f, arguments: ['clang', ...lib.flags, '-c', f] })),
      ),
    );
    const r = spawnSync(
      process.execPath,
      [
        join(root, 'bin/inputsmith.js'),
        'gen',
        '--compile-commands',
        cc,
        '-o',
        dir,
        '--inputs',
        '3',
        '--grow',
        String(opt.grow),
        '--jobs',
        String(coreCount()),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (r.status !== 0) {
      log(`${name}: gen failed (${r.status})`);
      continue;
    }
  }
  genDirs.push(dir);
  log(`${name}: gen output ready`);
}

const mods = [];
const texts = new Map();
for (const d of genDirs) {
  const { mods: ms, textOf } = await readTuneModules(d, {});
  for (const m of ms) {
    mods.push(m);
    texts.set(m, textOf);
  }
}
const textOf = (m) => texts.get(m)(m);

// ---- perf
const V = [
  `${clang} -O2`,
  `${clang} -O0`,
  `${clang} -O2 -fno-vectorize -fno-slp-vectorize`,
  'gcc -O2',
  `${clang} -O2`,
];
const variants = parseVariants(V);
const workDir = join(out, 'work');
const P = DEFAULTS.perf;
const rep = await runPerf(mods, textOf, {
  variants,
  workDir,
  seed: 1,
  jobs: coreCount(),
  rounds: P.rounds,
  margin: P.margin,
  resamples: P.resamples,
  timing: timingParams(opt.budget, P.recordTimeoutMs),
  progress: (s) => log(s),
});
log('perf summarised');
const files = writePerfReport(rep, join(out, 'perf'));
writeFileSync(join(out, 'perf', 'report.json'), JSON.stringify(rep));
if (opt.plots !== undefined) {
  mkdirSync(opt.plots, { recursive: true });
  for (const f of files.filter((x) => x.endsWith('.svg')))
    copyFileSync(f, join(opt.plots, f.replace(/^.*\//, '')));
}

// ---- vectorisation: functions whose -O2 build has packed SIMD arithmetic inside a loop
// Packed arithmetic (not the bit operations scalar code uses for fabs or zeroing, nor moves).
const PACKED =
  /^v?(p(add|sub|mull|mulh|mulu|madd|max|min|cmp|sll|srl|sra|shuf|unpck|sad|avg|abs|sign|blend|minpos)\w*|(add|sub|mul|div|max|min|sqrt|hadd|fmadd\w*|cmp\w*)p[sd])$/;
function simdLoopFunctions(exe) {
  const r = spawnSync('objdump', ['-d', '--no-show-raw-insn', exe], { encoding: 'utf8', maxBuffer: 1 << 30 });
  /** Function name -> its start address and the addresses of its packed instructions inside loops. */
  const found = new Map();
  let name;
  let insns = [];
  const flush = () => {
    if (name === undefined || insns.length === 0) return;
    const addrs = new Set();
    for (const j of insns) {
      if (!/^j/.test(j.op) || j.target === undefined || j.target > j.addr) continue;
      for (const i of insns)
        if (i.addr >= j.target && i.addr <= j.addr && PACKED.test(i.op)) addrs.add(i.addr);
    }
    if (addrs.size > 0) found.set(name, { start: insns[0].addr, addrs: [...addrs] });
  };
  for (const line of (r.stdout ?? '').split('\n')) {
    const h = /^[0-9a-f]+ <([^>]+)>:$/.exec(line);
    if (h) {
      flush();
      name = h[1];
      insns = [];
      continue;
    }
    const m = /^\s+([0-9a-f]+):\s+(\S+)\s*(.*)$/.exec(line);
    if (m && name !== undefined) {
      const t = /^([0-9a-f]+) </.exec(m[3]);
      insns.push({ addr: parseInt(m[1], 16), op: m[2], target: t ? parseInt(t[1], 16) : undefined });
    }
  }
  flush();
  return found;
}
/**
 * How many times the most executed of `fn`'s packed loop instructions ran on record `r` (callgrind's per
 * instruction counts of the baseline build replaying it; the function's entry locates it at run time).
 */
const { encodeImage } = await dist('replay/native-image.js');
const valgrind = which('valgrind');
const haveValgrind = valgrind !== undefined;
function simdExecutions(plan, fn, info, r, dir) {
  const entry = plan.entries.get(r.function);
  if (!haveValgrind || entry === undefined || entry.index < 0) return undefined;
  const img = join(dir, 'image');
  writeFileSync(img, encodeImage(plan, entry, r).bytes);
  const cg = join(dir, 'callgrind.out');
  spawnSync(
    valgrind,
    [
      '--tool=callgrind',
      '--dump-instr=yes',
      `--callgrind-out-file=${cg}`,
      plan.exe,
      img,
      join(dir, 'result'),
      '0',
      '20',
    ],
    {
      cwd: dir,
      stdio: 'ignore',
      timeout: 60000,
      env: {},
    },
  );
  let text;
  try {
    text = readFileSync(cg, 'utf8');
  } catch {
    return undefined;
  }
  // Per instruction address of `fn`, its execution count (Ir); cost lines after `calls=` are inclusive: skipped.
  const counts = new Map();
  const names = new Map();
  let inFn = false;
  let addr = 0;
  let skip = false;
  for (const line of text.split('\n')) {
    // Names are given once per id, in whichever of fn= and cfn= comes first.
    const cf = /^cfn=\((\d+)\) (.*)$/.exec(line);
    if (cf) names.set(cf[1], cf[2]);
    const f = /^fn=\((\d+)\)(?: (.*))?$/.exec(line);
    if (f) {
      if (f[2] !== undefined) names.set(f[1], f[2]);
      inFn = names.get(f[1]) === fn;
      continue;
    }
    if (line.startsWith('calls=')) {
      skip = true;
      continue;
    }
    // `positions: instr line`: the instruction address, the source line, then the Ir count.
    const c = /^(0x[0-9a-f]+|[+-]\d+|\*)\s+(?:[+-]?\d+|\*)\s+(\d+)/.exec(line);
    if (!c) continue;
    if (c[1] === '*') addr += 0;
    else if (c[1].startsWith('0x')) addr = parseInt(c[1], 16);
    else addr += Number(c[1]);
    if (skip) {
      skip = false;
      continue;
    }
    if (inFn) counts.set(addr, (counts.get(addr) ?? 0) + Number(c[2]));
  }
  if (counts.size === 0) return 0;
  const offset = Math.min(...counts.keys()) - info.start;
  return Math.max(0, ...info.addrs.map((a) => counts.get(a + offset) ?? 0));
}

/** Function key -> the largest execution count of a packed loop instruction over its timed inputs. */
const simd = new Map();
const cgDir = mkdtempSync(join(tmpdir(), 'inputsmith-perf-bench-cg-'));
for (const m of mods) {
  let plan;
  try {
    plan = await buildVariant(m, await textOf(m), variants[0], workDir);
  } catch {
    continue; // build failures are in the perf report
  }
  for (const [fn, info] of simdLoopFunctions(plan.exe)) {
    const timed = rep.functions.find((f) => f.module === m.path && f.function === fn);
    if (timed === undefined) continue;
    const rs = m.records.filter(
      (r) =>
        r.function === fn &&
        rep.rows.some(
          (x) => x.module === m.path && x.function === fn && x.input === r.index && x.status === 'ok',
        ),
    );
    let most = 0;
    for (const r of rs) most = Math.max(most, simdExecutions(plan, fn, info, r, cgDir) ?? 0);
    simd.set(`${m.path}\0${fn}`, haveValgrind ? most : Infinity);
  }
}
rmSync(cgDir, { recursive: true, force: true });

// ---- figures
const fnKey = (f) => `${f.module}\0${f.function}`;
const base = rep.functions.filter((f) => f.variant === rep.baseline);
const withInput = new Set(mods.flatMap((m) => m.records.map((r) => `${m.path}\0${r.function}`)));
const aboveBase = base.filter((f) => f.aboveFloor);
const pct = (a, b) => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)}%`);
const excl = (f) => sideOfOne(f.ratio, rep.margin) !== undefined;
const slower = (f) => sideOfOne(f.ratio, rep.margin) === 'slower';
const excl0 = (f) => sideOfOne(f.ratio) !== undefined;
const o0 = rep.functions.filter((f) => f.variant === variants[1].label && f.aboveFloor && f.ratio);
const novec = rep.functions.filter((f) => f.variant === variants[2].label && f.ratio);
const novecSimd = novec.filter((f) => simd.has(fnKey(f)));
const novecSimd64 = novecSimd.filter((f) => simd.get(fnKey(f)) >= 64);
const novecSimd64Above = novecSimd64.filter((f) => f.aboveFloor);
const novecSimdAbove = novecSimd.filter((f) => f.aboveFloor);
const twin = rep.functions.filter((f) => f.variant === variants[4].label && f.aboveFloor && f.ratio);
const lines = [];
lines.push(
  `## perf (${opt.libs.join(', ')}; ${mods.length} modules; budget ${opt.budget} ms per input, variant and round; ${P.rounds} rounds)`,
  '',
);
lines.push('| figure | target | measured |', '| --- | --- | --- |');
lines.push(
  `| stability: Spearman of per-function medians, points above the floor | >= 0.9 | ${rep.stability.spearmanAboveFloor.toFixed(3)} (${rep.stability.pointsAboveFloor} points; all points: ${rep.stability.spearmanAll.toFixed(3)} over ${rep.stability.points}) |`,
);
for (const pv of rep.stability.perVariant)
  lines.push(
    `| stability, \`${pv.variant}\` | >= 0.9 | ${Number.isFinite(pv.spearmanAboveFloor) ? pv.spearmanAboveFloor.toFixed(3) : '-'} (${pv.points}) |`,
  );
lines.push(
  `| functions with a kept input above the noise floor (baseline) | >= 50% | ${aboveBase.length} of ${withInput.size} (${pct(aboveBase.length, withInput.size)}); timed: ${base.length} |`,
);
lines.push(
  `| -O0 vs -O2: slowdown interval above 1 + margin (above floor) | known difference detected | ${o0.filter(slower).length} of ${o0.length} slower, ${o0.filter((f) => sideOfOne(f.ratio, rep.margin) === 'faster').length} faster |`,
);
lines.push(
  `| vectorisation: packed SIMD in a loop at -O2 (objdump) | | ${novecSimd.length} timed functions (${novecSimdAbove.length} above the floor) |`,
);
lines.push(
  `| ... no-vectoriser slowdown interval above 1 + margin (above floor) | >= 90% | ${novecSimdAbove.filter(slower).length} of ${novecSimdAbove.length} (${pct(novecSimdAbove.filter(slower).length, novecSimdAbove.length)}) |`,
);
const slow = (fs) => fs.filter(slower).length;
lines.push(
  `| ... of those, packed loop instructions run >= 64 times on an input (callgrind) | | ${novecSimd64.length} (${novecSimd64Above.length} above the floor) |`,
);
lines.push(
  `| ... no-vectoriser slowdown interval above 1 + margin, SIMD >= 64 times, above floor | >= 90% | ${slow(novecSimd64Above)} of ${novecSimd64Above.length} (${pct(slow(novecSimd64Above), novecSimd64Above.length)}) |`,
);
lines.push(
  `| ... no-vectoriser interval outside the margin on either side, SIMD >= 64 times, above floor | >= 90% (a difference detected) | ${novecSimd64Above.filter(excl).length} of ${novecSimd64Above.length} (${pct(novecSimd64Above.filter(excl).length, novecSimd64Above.length)}) |`,
);
lines.push(
  `| identical variants: a difference reported (interval outside the ${rep.margin} margin; above floor) | <= 5% (stated rate) | ${twin.filter(excl).length} of ${twin.length} (${pct(twin.filter(excl).length, twin.length)}); interval excluding 1 itself: ${twin.filter(excl0).length} (${pct(twin.filter(excl0).length, twin.length)}) |`,
);
lines.push(
  `| noise floor, single call / batched (ns, baseline) | reported | ${rep.floor[0].singleNs.toFixed(1)} / ${rep.floor[0].batchNs.toFixed(2)} |`,
);
lines.push(`| build failures (module, variant) | | ${rep.buildFailures.length} |`);
lines.push(
  '',
  '| function with packed SIMD in a loop | module | SIMD executions | -O2 ns/call | no-vectoriser ratio [95% CI] | above floor |',
  '| --- | --- | ---: | ---: | --- | --- |',
);
for (const f of novecSimd.sort((a, b) => simd.get(fnKey(b)) - simd.get(fnKey(a)))) {
  const b = base.find((g) => fnKey(g) === fnKey(f));
  lines.push(
    `| ${f.function} | ${f.module.replace(/^.*\//, '')} | ${simd.get(fnKey(f))} | ${b ? b.medianNs.toFixed(1) : '-'} | ${f.ratio.estimate.toFixed(2)} [${f.ratio.lo.toFixed(2)}, ${f.ratio.hi.toFixed(2)}] | ${f.aboveFloor ? 'yes' : ''} |`,
  );
}
lines.push('');
process.stdout.write(lines.join('\n') + '\n');
process.stdout.write(perfMarkdown(rep).replace(/^# perf/, '### perf report'));
log('perf done');

// ---- a natural workload, as information: zlib compressing and decompressing a file (the corpus' own sources)
const ZWORK = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "zlib.h"
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
  size_t n = 0, cap = 1 << 20;
  unsigned char *in = malloc(cap);
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) continue;
    for (;;) {
      if (n == cap) in = realloc(in, cap *= 2);
      size_t k = fread(in + n, 1, cap - n, f);
      if (k == 0) break;
      n += k;
    }
    fclose(f);
  }
  uLongf zn = compressBound(n), back = n;
  unsigned char *z = malloc(zn), *out = malloc(n);
  double best = 1e9;
  for (int rep = 0; rep < 7; rep++) {
    double t0 = now();
    zn = compressBound(n);
    if (compress2(z, &zn, in, n, 6) != Z_OK) return 1;
    back = n;
    if (uncompress(out, &back, z, zn) != Z_OK || back != n || memcmp(in, out, n)) return 2;
    double t = now() - t0;
    if (t < best) best = t;
  }
  printf("%zu %lu %.0f\\n", n, (unsigned long)zn, best * 1e9);
  return 0;
}
`;
const workload = [];
if (opt.libs.includes('zlib')) {
  const lib = await fetchCorpus('zlib');
  const dir = mkdtempSync(join(tmpdir(), 'inputsmith-perf-bench-zlib-'));
  writeFileSync(join(dir, 'zwork.c'), ZWORK);
  const data = lib.files.concat(mods.map((m) => m.source?.file).filter((f) => f !== undefined));
  for (const v of variants.slice(0, 4)) {
    const exe = join(dir, 'zwork');
    const c = spawnSync(
      v.compilerPath,
      [...v.flags, ...lib.flags, '-w', join(dir, 'zwork.c'), ...lib.files, '-o', exe],
      { cwd: lib.root, encoding: 'utf8' },
    );
    if (c.status !== 0) {
      workload.push({ variant: v.label, why: (c.stderr ?? '').split('\n')[0] });
      continue;
    }
    const r = spawnSync('taskset', ['-c', String(coreCount() - 1), exe, ...data], { encoding: 'utf8' });
    const w = (r.stdout ?? '').trim().split(' ');
    workload.push(
      r.status === 0
        ? { variant: v.label, bytes: Number(w[0]), ns: Number(w[2]) }
        : { variant: v.label, why: `exit ${r.status}` },
    );
  }
  rmSync(dir, { recursive: true, force: true });
  const zb = workload.find((w) => w.variant === variants[0].label && w.ns !== undefined);
  const zlibMods = new Set(mods.filter((m) => m.path.includes('/zlib-')).map((m) => m.path));
  const zl = [
    '',
    `### zlib: whole-module figures against a workload (compress2 level 6 and uncompress of ${zb?.bytes ?? '?'} bytes of C source, best of 7, pinned)`,
    '',
    '| variant | workload ratio | perf: total time ratio over zlib functions | perf: geomean of zlib function ratios (above floor) |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const w of workload) {
    if (w.variant === variants[0].label) continue;
    const fs = rep.functions.filter((f) => zlibMods.has(f.module) && f.variant === w.variant && f.ratio);
    const baseNs = (f) => base.find((g) => fnKey(g) === fnKey(f))?.medianNs ?? NaN;
    const total = fs.reduce((a, f) => a + f.medianNs, 0) / fs.reduce((a, f) => a + baseNs(f), 0);
    const gm = Math.exp(
      fs.filter((f) => f.aboveFloor).reduce((a, f) => a + Math.log(f.ratio.estimate), 0) /
        Math.max(1, fs.filter((f) => f.aboveFloor).length),
    );
    zl.push(
      `| \`${w.variant}\` | ${w.ns !== undefined && zb ? (w.ns / zb.ns).toFixed(2) : w.why} | ${total.toFixed(2)} | ${gm.toFixed(2)} |`,
    );
  }
  process.stdout.write(zl.join('\n') + '\n\n');
}

// ---- diff across clang and gcc at -O0..-O3
if (opt.diff && (Date.now() - t0) / 60000 < opt.minutes) {
  const DV = ['O0', 'O1', 'O2', 'O3'].flatMap((o) => [`${clang} -${o}`, `gcc -${o}`]);
  const drep = await runDiff(mods, textOf, {
    variants: parseVariants(DV),
    workDir,
    recordTimeoutMs: 5000,
    memLimitMb: DEFAULTS.native.memLimitMb,
    jobs: coreCount(),
    progress: (s) => log(s),
  });
  writeFileSync(join(out, 'diff.json'), JSON.stringify(drep, null, 1));
  const classified = drep.differences.filter((d) => DIFF_CLASSES.includes(d.class)).length;
  process.stdout.write(
    `\n## diff (clang and gcc at -O0..-O3)\n\n${drep.records} records; ${drep.differences.length} differences, ${classified} classified: ${DIFF_CLASSES.map((c) => `${c} ${drep.byClass[c]}`).join(', ')}\n\n`,
  );
  process.stdout.write(diffMarkdown(drep, 30).replace(/^# diff/, '### diff report'));
}
log('done');
