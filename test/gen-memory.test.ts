/**
 * @fileoverview Memory per run (issue 12, item 2): a run costs what it touches and leaves nothing behind.
 * A byte one run writes (in a writable global, the heap or an input object) is gone in the next run, which
 * sees the initial, zero or generated value instead; a run makes addressable only the bytes of a writable
 * global it touches (so the reset restores only those); and a run that walks its input past the input
 * budget ends with the `memory-limit` outcome, the same on every run of the same seed and in replay.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import { Plan } from '../src/gen/plan.js';
import { unb64, type InputRecord, type ValueRec } from '../src/gen/record.js';
import { GenSession } from '../src/gen/runtime.js';
import { DEFAULT_SEARCH, searchFunction } from '../src/guide/search.js';
import { replayInEngine } from '../src/replay/engine.js';
import { compileToIR } from '../src/toolchain/compile.js';
import { Rng } from '../src/util/rng.js';

const SOURCE = String.raw`
#include <stdlib.h>
#define BIG (4 << 20)
/* A big writable global: a run pays for the bytes it touches of it, not for its size. */
char big[BIG];
int counter = 5;
int poke(long i, int v) { int old = big[i & (BIG - 1)]; big[i & (BIG - 1)] = (char)v; return old; }
int bump(void) { return counter++; }
int heap_poke(int v) { volatile char *p = malloc(64); int old = p[10]; p[10] = (char)v; free((void *)p); return old; }
int input_poke(char *p, int v) { int old = p[3]; p[3] = (char)v; return old; }
long walk(const unsigned char *p, long n) { long s = 0; for (long i = 0; i < n; i++) s += p[i]; return s; }
`;

/** The input budget of the capped session: a third of what `walk` reads. */
const CAP = 1 << 15;

let dir: string;
let session: GenSession;
let capped: GenSession;

const int = (bits: number, v: number): ValueRec => ({ t: 'int', bits, v: String(v) });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-gen-memory-'));
  const src = join(dir, 'memory.c');
  const file = join(dir, 'memory.ll');
  writeFileSync(src, SOURCE);
  await compileToIR(src, file, { opt: 'O1' });
  session = new GenSession(parseModule(readFileSync(file, 'utf8'), file), {
    modulePath: 'memory.ll',
    moduleHash: 'h',
  });
  capped = new GenSession(parseModule(readFileSync(file, 'utf8'), file), {
    modulePath: 'memory.ll',
    moduleHash: 'h',
    limits: { inputLimitBytes: CAP },
  });
}, 120_000);

afterAll(() => {
  session?.dispose();
  capped?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Run `fn` of `s` on a fresh plan with `args` (a function of the plan, for objects). */
function run(s: GenSession, fn: string, args: (p: Plan) => ValueRec[], seed = 1): InputRecord {
  const plan = new Plan();
  plan.args = args(plan);
  return s.run(fn, plan, 'gen', new Rng(seed), { seed: String(seed), index: 0 }).record;
}

const ret = (r: InputRecord): string => {
  expect(r.outcome.kind).toBe('returned');
  return (r.outcome.ret as { v: string }).v;
};

describe('reuse across runs', () => {
  it('a byte written to a writable global is back at its initial value in the next run', () => {
    const first = run(session, 'poke', () => [int(64, 5), int(32, 42)]);
    expect(ret(first)).toBe('0');
    const second = run(session, 'poke', () => [int(64, 5), int(32, 7)]);
    expect(ret(second)).toBe('0');
    // Replay after a run that wrote 7 there: the record's run, not the last one.
    expect(replayInEngine(session, first).status).toBe('ok');
    expect(ret(run(session, 'bump', () => []))).toBe('5');
    expect(ret(run(session, 'bump', () => []))).toBe('5');
  });

  it('a run makes addressable only the bytes of a writable global it touches', () => {
    run(session, 'poke', () => [int(64, 1000), int(32, 1)]);
    const mem = session.engine.mem;
    const big = session.engine.symbolAddress('big')!;
    const size = 4 << 20;
    let addressable = 0;
    for (let q = big; q < big + size; q++) if (mem.shadow[q] !== 0) addressable++;
    expect(addressable).toBe(1);
    expect(mem.shadow[big + 1000]).not.toBe(0);
    expect(mem.u8[big + 1000]).toBe(1);
    // The next run restores that byte (and leaves the one it touches).
    run(session, 'poke', () => [int(64, 2000), int(32, 2)]);
    expect(mem.shadow[big + 1000]).toBe(0);
    expect(mem.u8[big + 1000]).toBe(0);
    expect(mem.u8[big + 2000]).toBe(2);
  });

  it('a byte written to the heap reads as zero in the next run', () => {
    expect(ret(run(session, 'heap_poke', () => [int(32, 77)]))).toBe('0');
    expect(ret(run(session, 'heap_poke', () => [int(32, 78)]))).toBe('0');
  });

  it('a byte written to an input object reads as generated in the next run', () => {
    const obj = (p: Plan): ValueRec => ({ t: 'ptr', obj: p.newObject(1).id, off: 0 });
    for (const seed of [1, 2, 3]) {
      const r = run(session, 'input_poke', (p) => [obj(p), int(32, 99)], seed);
      const o = r.objects[0]!;
      // The byte the function read is an input byte of this run's record, and the value it returned.
      const generated = (unb64(o.data)[3 - o.lo]! << 24) >> 24;
      expect(o.input.some(([a, b]) => a <= 3 && 3 < b)).toBe(true);
      expect(ret(r)).toBe(String(generated >>> 0));
    }
  });
});

describe('input budget', () => {
  const walk = (s: GenSession, seed: number): InputRecord =>
    run(s, 'walk', (p) => [{ t: 'ptr', obj: p.newObject(1).id, off: 0 }, int(64, 3 * CAP)], seed);

  it('a run that walks its input past the budget ends memory-limit, the same every time', () => {
    const r = walk(capped, 1);
    expect(r.outcome.kind).toBe('memory-limit');
    expect(r.outcome.message).toMatch(new RegExp(`input budget of ${CAP} bytes exhausted`));
    expect(r.objects[0]!.size).toBeLessThanOrEqual(CAP);
    expect(JSON.stringify(walk(capped, 1))).toBe(JSON.stringify(r));
    // Replay stops at the same access with the same outcome (not input-divergence).
    expect(replayInEngine(capped, r)).toEqual({ status: 'ok', reason: '' });
    // Under the default budget the same walk returns.
    expect(walk(session, 1).outcome.kind).toBe('returned');
  });

  it('a search over such a function keeps budget outcomes as outcomes, deterministically', () => {
    const a = searchFunction(capped, 'walk', { ...DEFAULT_SEARCH, seed: '3', maxRuns: 40 });
    const b = searchFunction(capped, 'walk', { ...DEFAULT_SEARCH, seed: '3', maxRuns: 40 });
    expect(a.records.length).toBeGreaterThan(0);
    expect(JSON.stringify(b.records)).toBe(JSON.stringify(a.records));
    for (const r of a.records) {
      expect(r.outcome.kind).not.toBe('internal-error');
      const o = r.objects.find((x) => x.id === 0);
      if (o !== undefined) expect(o.size).toBeLessThanOrEqual(CAP);
      expect(replayInEngine(capped, r).status).toBe('ok');
    }
  });
});
