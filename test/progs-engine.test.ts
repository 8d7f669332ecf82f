// The engine runs generated programs (src/progs) exactly like native clang: a fixed-seed subset of the
// issue 6 campaign, natively at -O0 and in the engine on clang's -O0 and -O2 IR (bench/progs-engine.mjs
// runs the big campaign).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../src/cli/commands/progs.js';
import {
  NativeRunner,
  type RunResult,
  type Runner,
  checkPrograms,
  readProgramInfo,
} from '../src/progs/check.js';
import { EngineRunner } from '../src/progs/engine-runner.js';
import { generate, loadGrammar, writePrograms } from '../src/progs/index.js';
import { findToolchain } from '../src/toolchain/find.js';

/** The toolchain's clang (a path). */
const CLANG = findToolchain().clang;

const FIRST_SEED = 60_001;
const COUNT = 40;
/** Seeds whose programs once showed an engine bug (see the issue 6 campaign in docs/progs.md). */
const REGRESSION_SEEDS = [5355, 6402];

const dir = mkdtempSync(join(tmpdir(), 'progs-engine-test-'));
const disposables: { dispose(): void }[] = [];
afterAll(() => {
  for (const r of disposables) r.dispose();
  rmSync(dir, { recursive: true, force: true });
});
function keep<T extends { dispose(): void }>(r: T): T {
  disposables.push(r);
  return r;
}

/** Wraps a runner to record every result by file. */
function recording(r: Runner): Runner & { results: Map<string, RunResult> } {
  const results = new Map<string, RunResult>();
  return {
    name: r.name,
    results,
    command: r.command?.bind(r),
    run: async (file: string) => {
      const res = await r.run(file);
      results.set(file, res);
      return res;
    },
  };
}

describe('progs: the engine runs generated programs like native clang', () => {
  const files = [
    ...writePrograms({ seed: FIRST_SEED, count: COUNT, dir: join(dir, 'p') }),
    ...REGRESSION_SEEDS.flatMap((seed) => writePrograms({ seed, count: 1, dir: join(dir, 'p') })),
  ].map((n) => join(dir, 'p', n));

  it(`${COUNT} programs (seeds ${FIRST_SEED}.. and ${REGRESSION_SEEDS.join(', ')}): clang -O0 natively, engine on -O0 and -O2 IR`, async () => {
    const runners = [
      recording(keep(new NativeRunner(CLANG, 'O0'))),
      recording(keep(new EngineRunner('O0'))),
      recording(keep(new EngineRunner('O2'))),
    ];
    expect(runners.map((r) => r.name)).toEqual([`${CLANG} -O0`, 'engine-O0', 'engine-O2']);
    const s = await checkPrograms(files, { runners, jobs: 2 });
    expect(s.failures).toEqual([]);
    expect(s.failedPrograms).toBe(0);
    expect(s.runs).toBe(files.length * runners.length);
    for (const file of files) {
      const expected = readProgramInfo(file).expectedStdout;
      expect(expected).toMatch(/^checksum [0-9a-f]{16}\n$/);
      for (const r of runners) {
        const res = r.results.get(file);
        expect(res, `${r.name} ${file}`).toBeDefined();
        // Each program's own checks passed (no FAIL line, exit 0) and it printed the expected checksum.
        expect(res?.error, `${r.name} ${file}`).toBeUndefined();
        expect(res?.exitCode, `${r.name} ${file}`).toBe(0);
        expect(res?.stdout, `${r.name} ${file}`).toBe(expected);
      }
    }
  });
});

describe('progs: engine bugs found by the campaign', () => {
  it('i64 shifts by 32..63 of values computed as int32 (seeds 5355, 6402)', async () => {
    const file = join(dir, 'shift64.c');
    writeFileSync(
      file,
      `#include <stdio.h>
#include <stdint.h>
uint16_t u = 5;
int16_t s = -7;
volatile int k = 40;
int main(void) {
  uint16_t *p = &u;
  int16_t *q = &s;
  unsigned long a = (905931391UL ^ *p) >> 54;
  long b = ((long)*q * 1000) >> 40;
  unsigned long c = ((unsigned long)*p << 40) >> 40;
  unsigned long d = (905931391UL ^ *p) >> (k + 14);
  long e = ((long)*q * 1000) >> (k + 3);
  unsigned long f = ((unsigned long)*p << (k - 8)) & 0xffff;
  printf("%lu %ld %lu %lu %ld %lu\\n", a, b, c, d, e, f);
  return 0;
}
`,
    );
    for (const opt of ['O0', 'O1', 'O2'] as const) {
      const r = await keep(new EngineRunner(opt)).run(file);
      expect(r, opt).toEqual({ stdout: '0 -1 5 0 -1 0\n', exitCode: 0, stderr: '' });
    }
  });
});

describe('progs: the engine runner reports failures', () => {
  it('a wrong expected value: FAIL line and exit 1 in the engine, reported with a reproduce command', async () => {
    const g = generate(loadGrammar(), 61);
    const bad = g.text.replace(/chk_result\(chk_sum, \d+ULL/, 'chk_result(chk_sum, 12345ULL');
    expect(bad).not.toBe(g.text);
    const file = join(dir, 'prog-61.c');
    writeFileSync(file, bad);
    const engine = keep(new EngineRunner('O2'));
    const r = await engine.run(file);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toMatch(/^FAIL line \d+: got \d+, expected 12345$/m);
    expect(r.stdout).toContain(g.expectedStdout.trim());
    const s = await checkPrograms([file], { runners: [engine], jobs: 1 });
    expect(s.failedPrograms).toBe(1);
    expect(s.failures[0]?.runner).toBe('engine-O2');
    expect(s.failures[0]?.reproduce).toBe(
      'inputsmith progs gen --seed 61 --count 1 -o repro && inputsmith run -O 2 repro/prog-61.c',
    );
  });

  it('undefined behaviour, budgets and compile errors are errors of the run', async () => {
    const engine = keep(new EngineRunner('O0', { stepLimit: 100_000 }));
    const ub = join(dir, 'ub.c');
    writeFileSync(ub, 'int main(void) { int *volatile p = 0; return *p; }\n');
    const r1 = await engine.run(ub);
    expect(r1.error).toMatch(/^engine: null-deref: .* in @main /);
    expect(r1.exitCode).toBe(139);
    const loop = join(dir, 'loop.c');
    writeFileSync(loop, 'int main(void) { for (volatile int i = 0; i >= 0; i = 1) {} return 0; }\n');
    expect((await engine.run(loop)).error).toMatch(/^engine: step-limit: /);
    const broken = join(dir, 'broken.c');
    writeFileSync(broken, 'int main(void) { return x; }\n');
    expect((await engine.run(broken)).error).toMatch(/^compile to IR failed: .*undeclared/);
  });
});

describe('progs: CLI check with the engine', () => {
  it('progs check runs the engine runners by default and reports none failing', async () => {
    const out = join(dir, 'cli');
    writePrograms({ seed: FIRST_SEED, count: 2, dir: out });
    const writes: string[] = [];
    const check = async (...args: string[]): Promise<void> => {
      const program = new Command().exitOverride();
      register(program);
      await program.parseAsync(['progs', 'check', out, ...args], { from: 'user' });
    };
    const outs: string[] = [];
    const orig = process.stderr.write.bind(process.stderr);
    const origOut = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((s: string) => (writes.push(String(s)), true)) as typeof process.stderr.write;
    process.stdout.write = ((s: string) => (outs.push(String(s)), true)) as typeof process.stdout.write;
    try {
      await check('--compilers', CLANG, '--opt-levels', 'O0', '-j', '2');
      await check('--compilers', '', '--engine', 'O1');
      await check('--compilers', CLANG, '--no-engine');
    } finally {
      process.stderr.write = orig;
      process.stdout.write = origOut;
    }
    expect(outs).toEqual([
      'progs: 2 programs, 6 runs, 0 failing program(s)\n',
      'progs: 2 programs, 2 runs, 0 failing program(s)\n',
      'progs: 2 programs, 4 runs, 0 failing program(s)\n',
    ]);
    const heads = writes.filter((w) => w.startsWith('progs: 2 programs x'));
    expect(heads).toEqual([
      `progs: 2 programs x ${CLANG} -O0, engine-O0, engine-O2\n`,
      'progs: 2 programs x engine-O1\n',
      `progs: 2 programs x ${CLANG} -O0, ${CLANG} -O2\n`,
    ]);
  });
});
