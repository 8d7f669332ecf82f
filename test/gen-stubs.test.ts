/**
 * Generated stubs (issue 12, item 4): a call through a generated pointer reaches an address-taken function
 * of the module of the call's type or the stub of that type (the only candidate when there is no such
 * function), a function of another unit whose results are recorded inputs (src/gen/stubs.ts). Gen finds valid inputs through such callbacks (an allocator in a
 * struct, as Lua's `lua_State` holds `frealloc`), and the engine and the native driver replay them.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Plan } from '../src/gen/plan.js';
import { decodeRecord, encodeRecord } from '../src/gen/record.js';
import { GenSession } from '../src/gen/runtime.js';
import { stubDeclarations } from '../src/gen/stubs.js';
import { DEFAULT_SEARCH, searchFunction, type FunctionResult } from '../src/guide/search.js';
import { replayInEngine } from '../src/replay/engine.js';
import { replayNativeText } from '../src/replay/native.js';
import { Rng } from '../src/util/rng.js';
import { fnTargets, genFixture } from './gen-fixture.js';

const SOURCE = String.raw`
#include <stddef.h>
#include <string.h>

/* Callbacks a user of the library gives it: none of this file has their types. */
typedef void *(*alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);
typedef int (*hook_fn)(void *arg, int event, const char *what);
typedef double (*scale_fn)(double);

struct state {
  alloc_fn frealloc;
  void *ud;
  hook_fn hook;
  void *hook_arg;
  size_t used;
};

char *st_strdup(struct state *L, const char *s, size_t n) {
  if (n > 32) n = 32;
  char *p = L->frealloc(L->ud, NULL, 0, n + 1);
  if (p == NULL) return NULL;
  memcpy(p, s, n);
  p[n] = 0;
  L->used += n + 1;
  return p;
}

/* The allocator's result used unchecked: a null result is repaired like a null argument. */
size_t st_push(struct state *L, int v) {
  int *slot = L->frealloc(L->ud, NULL, 0, sizeof(int));
  *slot = v;
  return L->used += sizeof(int);
}

int st_event(struct state *L, int ev) {
  if (L->hook == NULL) return -1;
  int r = L->hook(L->hook_arg, ev, "event");
  if (r > 10) {
    L->used = strlen((const char *)L->ud);
    return 2;
  }
  if (r == 3) {
    memset(L->hook_arg, 0, 4);
    return 1;
  }
  return 0;
}

/* A callback called twice; its results are the input, in call order. */
int st_scaled(scale_fn f, double x) {
  double a = f(x), b = f(a);
  return b > a ? 1 : b < a ? -1 : 0;
}

/* A type with an address-taken function: a pointer of that type is that function, never a stub. */
static int twice(int x) { return 2 * x; }
int (*const ops[1])(int) = { twice };
int st_apply(int (*f)(int), int x) { return f(x) > 4 ? 1 : 0; }
`;

const FUNCS = ['st_strdup', 'st_push', 'st_event', 'st_scaled', 'st_apply'];
const ALLOC = 'stub ptr (ptr, ptr, i64, i64)';
const HOOK = 'stub i32 (ptr, i32, ptr)';
const SCALE = 'stub double (double)';

let dir: string;
let text: string;
let file: string;
let session: GenSession;
const byFn = new Map<string, FunctionResult>();

beforeAll(async () => {
  ({ dir, file, text, session } = await genFixture('stubs', SOURCE));
  for (const fn of FUNCS) byFn.set(fn, searchFunction(session, fn, { ...DEFAULT_SEARCH, plateau: 60 }));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('generated stubs', () => {
  it('exist for each function type of an indirect call, named by the type', () => {
    expect(
      stubDeclarations(session.m)
        .map((f) => f.name)
        .sort(),
    ).toEqual([ALLOC, SCALE, HOOK, 'stub i32 (i32)'].sort());
  });

  it('stand for a callback no function of the module can be: the first input is valid', () => {
    for (const fn of ['st_strdup', 'st_event']) {
      const r = session.run(fn, new Plan(), 'gen', new Rng(3), { seed: '3', index: 0 });
      expect({ fn, outcome: r.outcome }).toEqual({ fn, outcome: 'returned' });
    }
    const r = session.run('st_strdup', new Plan(), 'gen', new Rng(3), { seed: '3', index: 0 });
    expect(fnTargets(r.record)).toContain(ALLOC);
    // The allocator's result is a recorded input: a generated buffer the function writes its copy into.
    const call = r.record.calls.find((c) => c.fn === ALLOC);
    expect(call?.ret.t).toBe('ptr');
  });

  it('return generated pointers, null ones repaired until the function has a valid input', () => {
    let nulls = 0;
    for (let seed = 0; seed < 24; seed++) {
      const r = session.run('st_push', new Plan(), 'gen', new Rng(seed), { seed: String(seed), index: 0 });
      expect({ seed, outcome: r.outcome }).toEqual({ seed, outcome: 'returned' });
      const ret = r.record.calls.find((c) => c.fn === ALLOC)!.ret;
      expect(ret.t).toBe('ptr');
      // Without repair, a stub's pointer result (one level down) is null about a quarter of the time.
      const meta = { seed: String(seed), index: 0 };
      const raw = session.runIf('st_push', new Plan(), 'gen', new Rng(seed), meta, () => false, false);
      if (raw.outcome === 'null-deref') nulls++;
    }
    expect(nulls).toBeGreaterThan(0);
  });

  it('give every function a valid input, and their results are explored like external results', () => {
    for (const fn of FUNCS)
      expect({ fn, ok: byFn.get(fn)!.records.some((r) => r.outcome.kind === 'returned') }).toEqual({
        fn,
        ok: true,
      });
    // The hook's result decides st_event's branches; null (-1) comes from mutating the pointer.
    const ev = byFn.get('st_event')!;
    expect(ev.blocks).toBeGreaterThan(4);
    expect(ev.covered).toBe(ev.blocks);
    // Two calls of one stub: two results, in call order.
    const sc = byFn.get('st_scaled')!.records;
    expect(sc.some((r) => r.calls.filter((c) => c.fn === SCALE).length === 2)).toBe(true);
  });

  it('are one more candidate beside the address-taken functions of the call type, never another function', () => {
    const targets = new Set<string>();
    for (let seed = 0; seed < 32; seed++)
      for (const t of fnTargets(
        session.run('st_apply', new Plan(), 'gen', new Rng(seed), { seed: String(seed), index: 0 }).record,
      ))
        targets.add(t);
    expect([...targets].sort()).toEqual(['stub i32 (i32)', 'twice']);
  });

  it('replay in the engine and natively', async () => {
    const all = [...byFn.values()].flatMap((r) => r.records);
    expect(all.filter((r) => fnTargets(r).some((t) => t.startsWith('stub '))).length).toBeGreaterThanOrEqual(
      4,
    );
    for (const rec of all) {
      // Through the record's text, as `replay` reads it.
      const back = decodeRecord(encodeRecord(rec), 'rec.json');
      expect(replayInEngine(session, back)).toEqual({ status: 'ok', reason: '' });
    }
    const res = await replayNativeText(text, file, all, {
      timeoutMs: 10_000,
      memLimitMb: 512,
      workDir: join(dir, 'native'),
    });
    expect(res.filter((x) => x.status !== 'ok')).toEqual([]);
  }, 120_000);

  it('are version 2 of the record; version 1 records are still read, others are refused in one line', () => {
    const rec = byFn.get('st_event')!.records[0]!;
    expect(rec.version).toBe(2);
    const v1 = decodeRecord(encodeRecord({ ...rec, version: 1 }), 'old.json');
    expect(v1.version).toBe(1);
    expect(() => decodeRecord(encodeRecord({ ...rec, version: 3 }), 'new.json')).toThrow(
      /^input record version 3 is not supported \(this is 2; it reads 1 and 2\)$/,
    );
  });
});
