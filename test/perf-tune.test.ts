/**
 * @fileoverview Tests of `perf` and `diff` with real compilers (src/tune): a small C file with planted
 * behaviour, gen'd by the CLI, then timed and compared under clang-19 and gcc variants.
 *
 * - perf: a loop-heavy function is slower at -O0 than at -O2 with the interval excluding 1; two identical
 *   variants report no difference for it; every row is typed; the report's files are written.
 * - diff: argument evaluation order (gcc vs clang: implementation-defined, unspecified order), a fused
 *   multiply-add (`-mfma`: fp-contraction, when the CPU has FMA) and an uninitialised local that the
 *   engine's IR reads as undef folded to 1 (undefined-behaviour) are found and classified.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTuneModules } from '../src/cli/tune-input.js';
import { runDiff } from '../src/tune/diff.js';
import { runPerf } from '../src/tune/perf.js';
import { writePerfReport } from '../src/tune/perf-report.js';
import { parseVariants } from '../src/tune/variants.js';
import { constantCopy } from '../src/tune/variant-build.js';
import { parseModule } from '../src/ir/parser.js';
import type { GlobalVar } from '../src/ir/model.js';
import { which } from '../src/util/proc.js';

const BIN = join(__dirname, '..', 'bin', 'inputsmith.js');
const SOURCE = `static int st;
static int nxt(void) { return ++st; }
int pair(int a, int b) { return a * 10 + b; }
int order(int x) { st = x; return pair(nxt(), nxt()); }
double residual(double x) { double t = x + 0.1; double y = t * 0.7; return t * 0.7 - y; }
int uninit(int c) { int v; if (c > 1000) v = 1; return v + c; }
int loop(int x) {
  unsigned s = (unsigned)x;
  for (int i = 0; i < 20000; i++) s = s * 1103515245u + (unsigned)i;
  return (int)s;
}
`;
const CLANG = which('clang-19') !== undefined ? 'clang-19' : 'clang';
const HAVE_GCC = which('gcc') !== undefined;
const HAVE_FMA = existsSync('/proc/cpuinfo') && /\bfma\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));

let dir: string;
let out: string;
let work: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-perf-test-'));
  writeFileSync(join(dir, 'planted.c'), SOURCE);
  writeFileSync(
    join(dir, 'cc.json'),
    JSON.stringify([
      { directory: dir, file: join(dir, 'planted.c'), arguments: ['clang', '-c', 'planted.c'] },
    ]),
  );
  out = join(dir, 'out');
  work = join(dir, 'work');
  const r = spawnSync(
    process.execPath,
    [BIN, 'gen', '--compile-commands', join(dir, 'cc.json'), '-o', out, '--jobs', '1', '--inputs', '2'],
    {
      cwd: dir,
      encoding: 'utf8',
    },
  );
  expect(r.status, r.stderr).toBe(0);
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const timing = {
  warmupNs: 1e6,
  targetNs: 2e4,
  maxSamples: 60,
  minSamples: 15,
  budgetNs: 4e6,
  recordTimeoutMs: 5000,
  cpu: 0,
};

describe('perf', () => {
  it('finds -O0 slower than -O2 on a loop, and no difference between identical variants', async () => {
    const { mods, textOf } = await readTuneModules(out, {});
    const vs = parseVariants([`${CLANG} -O2`, `${CLANG} -O0`, `${CLANG} -O2`]);
    const rep = await runPerf(mods, textOf, {
      variants: vs,
      workDir: work,
      timing,
      passes: 2,
      resamples: 400,
    });
    expect(rep.buildFailures).toEqual([]);
    const loopO0 = rep.functions.find((f) => f.function === 'loop' && f.variant === `${CLANG} -O0`)!;
    expect(loopO0.aboveFloor).toBe(true);
    expect(loopO0.ratio!.lo).toBeGreaterThan(1.2);
    const same = rep.functions.filter((f) => f.variant === `${CLANG} -O2 #2` && f.aboveFloor);
    const loopSame = same.find((f) => f.function === 'loop')!;
    expect(loopSame.ratio!.lo).toBeLessThanOrEqual(1.05);
    expect(loopSame.ratio!.hi).toBeGreaterThanOrEqual(0.95);
    // Identical builds: at most one function's interval excludes 1 (the stated rate is 5%).
    expect(same.filter((f) => f.ratio!.lo > 1 || f.ratio!.hi < 1).length).toBeLessThanOrEqual(1);
    // Every (input, variant) has a typed row; the floor was measured.
    expect(rep.rows.every((r) => r.status === 'ok' || (r.why ?? '') !== '')).toBe(true);
    expect(rep.floor.every((f) => f.singleNs > 0 && f.batchNs > 0)).toBe(true);
    expect(Number.isFinite(rep.stability.spearmanAll)).toBe(true);
    const files = writePerfReport(rep, join(dir, 'report'));
    expect(files.map((f) => f.replace(/^.*\//, ''))).toEqual([
      'perf.jsonl',
      'perf.md',
      'speedup.svg',
      'extremes-1.svg',
      'extremes-2.svg',
    ]);
    expect(readFileSync(join(dir, 'report', 'speedup.svg'), 'utf8')).toMatch(/^<svg [^]*<\/svg>\n$/);
  }, 120_000);

  it('a missing compiler is a one-line error naming it', () => {
    const r = spawnSync(
      process.execPath,
      [BIN, 'perf', out, '--variants', 'clang-19 -O2', 'no-such-cc -O2'],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/no-such-cc not found/);
  });
});

describe('diff', () => {
  it.skipIf(!HAVE_GCC)(
    'finds and classifies planted differences',
    async () => {
      const { mods, textOf } = await readTuneModules(out, {});
      const specs = [
        `${CLANG} -O0`,
        `${CLANG} -O2`,
        'gcc -O0',
        'gcc -O2',
        ...(HAVE_FMA ? [`${CLANG} -O2 -mfma`] : []),
      ];
      const rep = await runDiff(mods, textOf, {
        variants: parseVariants(specs),
        workDir: work,
        recordTimeoutMs: 5000,
        memLimitMb: 512,
      });
      const cls = (fn: string): string | undefined => rep.differences.find((d) => d.function === fn)?.class;
      expect(cls('order')).toBe('implementation-defined');
      expect(cls('uninit')).toBe('undefined-behaviour');
      if (HAVE_FMA) expect(cls('residual')).toBe('fp-contraction');
      // The loop and pair agree everywhere; the reference column (gen's IR) replays every record.
      expect(cls('loop')).toBeUndefined();
      expect(cls('pair')).toBeUndefined();
      expect(rep.perVariant.at(-1)!.ok).toBe(rep.records);
      expect(rep.differences.every((d) => d.classes.length > 0)).toBe(true);
    },
    120_000,
  );
});

describe('variant glue', () => {
  it('copies a constant of -g IR without its metadata attachment (the glue has no metadata)', () => {
    const text =
      '@.str = private unnamed_addr constant [5 x i8] c"UTF)\\00", align 1, !dbg !470\n' +
      'define ptr @f() {\n  ret ptr @.str\n}\n!470 = !{}\n';
    const g = parseModule(text, 'g.ll').symbols.get('.str') as GlobalVar;
    expect(constantCopy(text, g, '__isx_copy_1')).toBe(
      '@__isx_copy_1 = internal constant [5 x i8] c"UTF)\\00", align 16',
    );
  });
});
