/**
 * Real initial state (issue 12, item 4): writable globals start from their initializers, so a table of
 * allocator hooks ({calloc, realloc, free}) holds its functions in the first input of every function that
 * calls through it; generation mutates it from there. Function pointers in inputs only ever point at
 * functions of the call's type whose address the module takes (in initializers, stored, passed), or at the
 * generated stub of that type (a function of another unit, test/gen-stubs.test.ts).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressTaken } from '../src/gen/calls.js';
import { Plan } from '../src/gen/plan.js';
import { GenSession } from '../src/gen/runtime.js';
import { DEFAULT_SEARCH, searchFunction, type FunctionResult } from '../src/guide/search.js';
import { replayInEngine } from '../src/replay/engine.js';
import { replayNativeText } from '../src/replay/native.js';
import { Rng } from '../src/util/rng.js';
import { fnTargets, genFixture } from './gen-fixture.js';

const SOURCE = String.raw`
#include <stdlib.h>
#include <string.h>

/* A library's allocator hooks, writable so that a user may replace them (cJSON, cmark). */
struct mem {
  void *(*calloc)(size_t, size_t);
  void *(*realloc)(void *, size_t);
  void (*free)(void *);
};
static void *xcalloc(size_t n, size_t size) { void *p = calloc(n, size); if (!p) abort(); return p; }
struct mem DEFAULT_MEM = { xcalloc, realloc, free };

/* A counter starting at zero: zeroinitializer is real initial state too. */
int created;

char *buf_dup(const char *s, size_t n) {
  if (n > 64) n = 64;
  char *p = DEFAULT_MEM.calloc(1, n + 1);
  memcpy(p, s, n);
  created++;
  return p;
}
int buf_grow(size_t n) {
  char *p = DEFAULT_MEM.calloc(1, 8);
  char *q = DEFAULT_MEM.realloc(p, (n & 63) + 16);
  q[15] = 'x';
  if (created == 5) { DEFAULT_MEM.free(q); return 2; }
  DEFAULT_MEM.free(q);
  return 1;
}
/* The hooks given as an argument: generated, pointing at address-taken functions of their types. */
int buf_with(struct mem *m, size_t n) {
  char *p = m->calloc(1, (n & 31) + 1);
  if (!p) return -1;
  p[0] = 'y';
  m->free(p);
  return 1;
}

/* Same type, but only one has its address taken. */
static int inc(int x) { return x + 1; }
int dec(int x) { return x - 1; }
int (*const steps[1])(int) = { inc };
int apply(int (*f)(int), int x) { return f(x) > 0 ? dec(x) : 0; }
`;

const SEARCH = { ...DEFAULT_SEARCH, plateau: 60 };

let dir: string;
let text: string;
let file: string;
let session: GenSession;
const byFn = new Map<string, FunctionResult>();

beforeAll(async () => {
  ({ dir, file, text, session } = await genFixture('state', SOURCE));
  for (const fn of ['buf_dup', 'buf_grow', 'buf_with', 'apply'])
    byFn.set(fn, searchFunction(session, fn, SEARCH));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('initial state of writable globals', () => {
  it('is the initializer in every fresh input: calls through the hooks reach their functions', () => {
    for (const fn of ['buf_dup', 'buf_grow']) {
      for (let seed = 0; seed < 24; seed++) {
        const r = session.run(fn, new Plan(), 'gen', new Rng(seed), { seed: String(seed), index: 0 });
        expect({ fn, seed, outcome: r.outcome }).toEqual({ fn, seed, outcome: 'returned' });
      }
    }
  });

  it('records the bytes read (not the hooks), so replay and mutation start from them', () => {
    const r = session.run('buf_grow', new Plan(), 'gen', new Rng(1), { seed: '1', index: 0 });
    const created = r.record.globals.find((g) => g.name === 'created');
    expect(created?.ranges).toEqual([{ off: 0, data: Buffer.alloc(4).toString('base64') }]);
    // The hooks keep the initializer's pointers: natively the initializer has its own.
    expect(r.record.globals.find((g) => g.name === 'DEFAULT_MEM')).toBeUndefined();
  });

  it('keeps initial bytes in a derived plan, now and then generating others there', () => {
    const r = session.run('buf_grow', new Plan(), 'gen', new Rng(2), { seed: '2', index: 0 });
    expect(r.plan.globals.get('created')!.bytes.size).toBe(4);
    const child = r.plan.clone();
    expect(child.derived).toBe(true);
    expect(child.globals.get('created')!.bytes.size).toBe(4);
    // Over derived runs, most keep the count at 0 and some generate another one.
    const seen = new Map<string, number>();
    for (let seed = 0; seed < 64; seed++) {
      const c = session.run('buf_grow', r.plan.clone(), 'gen', new Rng(seed), {
        seed: String(seed),
        index: 0,
      });
      const v = c.record.globals.find((g) => g.name === 'created')!.ranges[0]!.data;
      seen.set(v, (seen.get(v) ?? 0) + 1);
    }
    expect(seen.get(Buffer.alloc(4).toString('base64'))).toBeGreaterThan(32);
    expect(seen.size).toBeGreaterThan(1);
  });

  it('gives each function a valid input, and mutation still reaches the other branch', () => {
    for (const fn of ['buf_dup', 'buf_grow', 'buf_with'])
      expect({ fn, ok: byFn.get(fn)!.records.some((r) => r.outcome.kind === 'returned') }).toEqual({
        fn,
        ok: true,
      });
    const grow = byFn.get('buf_grow')!;
    expect(grow.covered).toBe(grow.blocks);
  });

  it('replays every kept input in the engine and natively', async () => {
    const all = [...byFn.values()].flatMap((r) => r.records);
    for (const rec of all) expect(replayInEngine(session, rec)).toEqual({ status: 'ok', reason: '' });
    const res = await replayNativeText(text, file, all, {
      timeoutMs: 10_000,
      memLimitMb: 512,
      workDir: join(dir, 'native'),
    });
    expect(res.filter((x) => x.status !== 'ok' && x.status !== 'not-run')).toEqual([]);
  }, 120_000);
});

describe('function pointers in inputs', () => {
  it('are the functions whose address the module takes', () => {
    const m = session.m;
    expect(
      addressTaken(m)
        .map((f) => f.name)
        .sort(),
    ).toEqual(['free', 'inc', 'realloc', 'xcalloc']);
  });

  it('never target a function whose address the module never takes', () => {
    const targets = new Set([...byFn.values()].flatMap((r) => r.records.flatMap(fnTargets)));
    expect(targets.has('dec')).toBe(false);
    // Address-taken functions of the call's type, or a generated stub of that type (a function of another unit).
    expect(
      [...targets].every((t) => ['free', 'inc', 'realloc', 'xcalloc'].includes(t) || t.startsWith('stub ')),
    ).toBe(true);
    // apply's pointer becomes inc or the stub of its type, in about half of the fresh runs each; buf_with's
    // hooks become xcalloc (the only address-taken function of calloc's type) or a stub, and free.
    const seen = new Map<string, number>();
    for (let seed = 0; seed < 32; seed++)
      for (const t of fnTargets(
        session.run('apply', new Plan(), 'gen', new Rng(seed), { seed: String(seed), index: 0 }).record,
      ))
        seen.set(t, (seen.get(t) ?? 0) + 1);
    expect([...seen.keys()].sort()).toEqual(['inc', 'stub i32 (i32)']);
    expect(Math.min(...seen.values())).toBeGreaterThanOrEqual(6);
    const hooks = new Set<string>();
    for (let seed = 0; seed < 32; seed++) {
      const r = session.run('buf_with', new Plan(), 'gen', new Rng(seed), { seed: String(seed), index: 0 });
      if (r.outcome === 'returned')
        for (const t of fnTargets(r.record)) hooks.add(t.startsWith('stub ') ? 'stub' : t);
    }
    expect([...hooks].sort()).toEqual(['free', 'stub', 'xcalloc']);
  });
});
