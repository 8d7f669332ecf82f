/**
 * Values a load promises (`!range` with `!noundef`: clang's `bool` loads from -O1 on, src/ir/ranges.ts).
 * Generation draws such input bytes inside the range (a `bool` field is 0 or 1, as every caller's object
 * must hold); a mutated plan holding another value there is repaired and run again; a run of a plan or
 * record that still holds one ends as undefined behaviour (`invalid-value`), which is what it is in C and
 * C++ and what builds other than the one gen ran disagree about (issue 13: tests at clang -O2 and gcc).
 * Likewise a parameter the caller must not pass null (`nonnull`, a C++ reference) is never mutated to null.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Plan } from '../src/gen/plan.js';
import { unb64, type InputRecord } from '../src/gen/record.js';
import type { GenSession } from '../src/gen/runtime.js';
import { DEFAULT_SEARCH, mutate, searchFunction } from '../src/guide/search.js';
import { replayInEngine } from '../src/replay/engine.js';
import { inRange, loadRange, rangeSize, rangeValue } from '../src/ir/ranges.js';
import { parseModule } from '../src/ir/parser.js';
import { Rng } from '../src/util/rng.js';
import { genFixture } from './gen-fixture.js';

const SOURCE = String.raw`
#include <stdbool.h>
struct opts { bool verbose; int level; bool strict; char name[8]; };
bool global_flag;

int classify(const struct opts *o) {
  int r = o->level & 7;
  if (o->verbose) r += 10;
  if (o->strict) r += 100;
  if (global_flag) r += 1000;
  return r;
}

/* A pointer the caller must not pass null (a C++ reference is such a parameter too). */
int __attribute__((nonnull(1))) deref_sum(const int *p, const int *q) { return q ? *p + *q : *p; }

/* A walk over an array of bools (an array walk, generated ahead). */
int count_on(const bool *v, int n) {
  int c = 0;
  for (int i = 0; i < (n & 63); i++) c += v[i];
  return c;
}
`;

let dir: string;
let session: GenSession;

beforeAll(async () => {
  const fx = await genFixture('range', SOURCE);
  dir = fx.dir;
  session = fx.session;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bytes of object `id` of a record at offsets `offs` (relative to the base). */
function objectBytes(r: InputRecord, id: number, offs: readonly number[]): number[] {
  const o = r.objects.find((x) => x.id === id)!;
  const data = unb64(o.data);
  return offs.map((off) => data[off - o.lo]!);
}

describe('ranges of loads', () => {
  it('reads the `!range` of a bool load with `!noundef`', () => {
    const m = parseModule(
      'define i1 @f(ptr %p) {\n  %v = load i8, ptr %p, !range !0, !noundef !1\n  %b = trunc i8 %v to i1\n  ret i1 %b\n}\n!0 = !{i8 0, i8 2}\n!1 = !{}\n',
      'r.ll',
    );
    const load = m.symbols.get('f')!;
    if (load.kind !== 'function') throw new Error('no function');
    const md = load.blocks[0]!.instrs[0]!.md;
    const r = loadRange(m, md, 8)!;
    expect(r).toEqual([{ lo: 0, hi: 2 }]);
    expect([0, 1, 2, 255].map((v) => inRange(r, v))).toEqual([true, true, false, false]);
    // Without !noundef the value is poison, not undefined behaviour: nothing promised.
    expect(loadRange(m, md!.replace(/, !noundef !1/, ''), 8)).toBeUndefined();
    // Wrapping intervals (rustc's non-zero values: [1, 0)).
    const nz = [{ lo: 1, hi: 0 }];
    expect(rangeSize(nz, 8)).toBe(255);
    expect([0, 1, 255].map((v) => inRange(nz, v))).toEqual([false, true, true]);
    expect(rangeValue(nz, 8, 254)).toBe(255);
  });

  it('generates bool fields, bool globals and bool arrays as 0 or 1', () => {
    for (const fn of ['classify', 'count_on']) {
      const res = searchFunction(session, fn, { ...DEFAULT_SEARCH, seed: 7, maxRuns: 300 });
      expect(res.records.length, fn).toBeGreaterThan(0);
      expect(res.covered, fn).toBe(res.blocks);
      for (const r of res.records) {
        expect(r.outcome.kind, `${fn}: ${JSON.stringify(r.outcome)}`).not.toBe('invalid-value');
        if (fn === 'classify') {
          if (r.args[0]!.t !== 'ptr') continue;
          // verbose at 0, strict at 8 (after level at 4)
          for (const b of objectBytes(r, r.args[0]!.obj, [0, 8]))
            expect(b === 0 || b === 1, `byte ${b}`).toBe(true);
          const g = r.globals.find((x) => x.name === 'global_flag');
          if (g !== undefined)
            for (const rg of g.ranges) for (const b of unb64(rg.data)) expect(b).toBeLessThan(2);
        } else {
          if (r.args[0]!.t !== 'ptr') continue;
          const o = r.objects.find((x) => x.id === (r.args[0] as { obj: number }).obj)!;
          for (const [a, b] of o.input)
            for (const byte of objectBytes(
              r,
              o.id,
              Array.from({ length: b - a }, (_, k) => a + k),
            ))
              expect(byte, 'bool array element').toBeLessThan(2);
        }
      }
    }
  });

  it('never passes null to a `nonnull` parameter, while other pointers are mutated to null', () => {
    const res = searchFunction(session, 'deref_sum', { ...DEFAULT_SEARCH, seed: 5 });
    const rec = res.records.find((r) => r.args[0]!.t === 'ptr' && r.args[1]!.t === 'ptr')!;
    expect(rec).toBeDefined();
    const rng = new Rng(9);
    let nulls = 0;
    for (let k = 0; k < 500; k++) {
      const plan = Plan.fromRecord(rec).clone();
      mutate(plan, rng, session, 'deref_sum');
      expect(plan.args[0]?.t ?? 'ptr').toBe('ptr');
      if (plan.args[1]?.t === 'null') nulls++;
    }
    expect(nulls).toBeGreaterThan(0);
  });

  it('repairs a plan holding another value in a bool field, and replay of such a record is undefined behaviour', () => {
    // The first record, with its verbose field set to 0x37 by hand (as a byte mutation may).
    const res = searchFunction(session, 'classify', { ...DEFAULT_SEARCH, seed: 3, maxRuns: 100 });
    const rec = res.records.find((r) => r.args[0]!.t === 'ptr' && r.outcome.kind === 'returned')!;
    expect(rec).toBeDefined();
    const plan = Plan.fromRecord(rec);
    plan.derived = true;
    const id = (rec.args[0] as { obj: number }).obj;
    plan.objects[id]!.bytes.set(0, 0x37);
    const again = session.run('classify', plan, 'gen', new Rng(1), { seed: 3, index: 0 });
    expect(again.outcome).toBe('returned');
    expect(objectBytes(again.record, id, [0])).toEqual([1]);

    // The same bytes as a record: replay does not repair, the load is undefined behaviour.
    const bad = structuredClone(rec) as InputRecord & { objects: { id: number; lo: number; data: string }[] };
    const o = bad.objects.find((x) => x.id === id)!;
    const data = unb64(o.data);
    data[0 - o.lo] = 0x37;
    o.data = Buffer.from(data).toString('base64');
    const v = replayInEngine(session, bad);
    expect(v.status).toBe('mismatch');
    const replayed = session.run('classify', Plan.fromRecord(bad), 'replay', new Rng(0), {
      seed: 3,
      index: 0,
    });
    expect(replayed.outcome).toBe('invalid-value');
  });
});
