/**
 * Input objects bigger than a slot (issue 12): a compressor's work memory (LZO's 999 compressors want
 * 448 KiB to 1.5 MiB), a struct with big arrays inside, accessed at constant offsets past its neighbours'
 * slots. Such an object moves to a big slot (4 MiB) and the run starts again; the record says which slot,
 * and engine and native replay place it there.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Plan } from '../src/gen/plan.js';
import { BIG_SLOTS, INPUT_SLOT, decodeRecord, type InputRecord } from '../src/gen/record.js';
import { GenSession } from '../src/gen/runtime.js';
import { DEFAULT_SEARCH, searchFunction, type FunctionResult } from '../src/guide/search.js';
import { replayInEngine } from '../src/replay/engine.js';
import { replayNativeText } from '../src/replay/native.js';
import { Rng } from '../src/util/rng.js';
import { genFixture } from './gen-fixture.js';

const SOURCE = String.raw`
#include <string.h>

/* Work memory the caller provides, as LZO's compressors take it: 448 KiB, cleared in bulk. */
int clear_work(unsigned char *wrkmem, int n) {
  memset(wrkmem, 0, 14 * 16384 * 2);
  wrkmem[n & 1023] = 1;
  return wrkmem[5] + 2;
}

/* A struct with arrays inside (LZO's lzo_swd_t): fields at offsets far past one slot. */
struct window { long pos; unsigned short head[200000]; long tail; };
long window_tail(struct window *w, struct window *other) {
  memset(w->head, 0, sizeof w->head);
  w->head[199999] = 7;
  return w->tail + w->head[199999] + (other ? other->pos : 0);
}

/* A wild index (a generated value) is not a big object: it stays out of bounds, as natively. */
int wild(int *t, unsigned i) { return t[i & 0x3ffff]; }

/* Small objects stay in their small slots. */
int small(int *p) { return p[3] + 1; }
`;

let dir: string;
let text: string;
let file: string;
let session: GenSession;
const byFn = new Map<string, FunctionResult>();

beforeAll(async () => {
  ({ dir, file, text, session } = await genFixture('big', SOURCE));
  for (const fn of ['clear_work', 'window_tail', 'small', 'wild'])
    byFn.set(fn, searchFunction(session, fn, DEFAULT_SEARCH));
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bigObjects = (r: InputRecord) => r.objects.filter((o) => o.big !== undefined);

describe('objects bigger than a slot', () => {
  it('move to a big slot, and the function gets a valid input', () => {
    for (const fn of ['clear_work', 'window_tail']) {
      const recs = byFn.get(fn)!.records;
      const ok = recs.find((r) => r.outcome.kind === 'returned');
      expect({ fn, ok: ok !== undefined }).toEqual({ fn, ok: true });
      const big = bigObjects(ok!);
      expect(big.length).toBeGreaterThan(0);
      // The object really is bigger than a small slot.
      expect(Math.max(...big.map((o) => o.lo + o.size))).toBeGreaterThan(INPUT_SLOT / 2);
      for (const o of big) expect(o.big! >= 0 && o.big! < BIG_SLOTS).toBe(true);
    }
  });

  it('a struct reaching past its neighbours is one object: the neighbour does not take its bytes', () => {
    const r = session.run('window_tail', new Plan(), 'gen', new Rng(3), { seed: '3', index: 0 });
    expect(r.outcome).toBe('returned');
    const w = r.record.objects.find((o) => o.id === 0)!;
    expect(w.big).toBeDefined();
    // head is cleared from offset 8 to 400008, tail read after it: all of it is the struct's.
    expect([w.lo, w.lo + w.size >= 400016]).toEqual([8, true]);
    // The neighbour (other) holds its own 8 bytes only. It may have moved to a big slot too: the access
    // past both is first given to the nearest object below it (the neighbour), then to the struct.
    const other = r.record.objects.find((o) => o.id === 1)!;
    expect([other.lo, other.size]).toEqual([0, 8]);
  });

  it('is deterministic: the same seed gives the same record', () => {
    const a = session.run('clear_work', new Plan(), 'gen', new Rng(9), { seed: '9', index: 0 });
    const b = session.run('clear_work', new Plan(), 'gen', new Rng(9), { seed: '9', index: 0 });
    expect(JSON.stringify(a.record)).toBe(JSON.stringify(b.record));
  });

  it('small objects and wild indexes stay small', () => {
    for (const fn of ['small', 'wild'])
      for (const r of byFn.get(fn)!.records) expect(bigObjects(r)).toEqual([]);
    // Some run of wild read far past the slot, and ended out of bounds.
    let far = false;
    for (let seed = 0; seed < 64 && !far; seed++) {
      const r = session.run('wild', new Plan(), 'gen', new Rng(seed), { seed: String(seed), index: 0 });
      far = r.outcome === 'out-of-bounds-read';
      expect(bigObjects(r.record)).toEqual([]);
    }
    expect(far).toBe(true);
  });

  it('records say which big slot; a bad one is refused', () => {
    const r = byFn.get('clear_work')!.records.find((x) => bigObjects(x).length > 0)!;
    const text2 = JSON.stringify({
      ...r,
      objects: r.objects.map((o) => (o.big !== undefined ? { ...o, big: BIG_SLOTS } : o)),
    });
    expect(() => decodeRecord(text2, 'bad.json')).toThrow(/bad "big" slot/);
    expect(decodeRecord(JSON.stringify(r), 'ok.json').objects).toEqual(r.objects);
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
    expect(res.filter((x) => x.status === 'ok').length).toBeGreaterThanOrEqual(3);
  }, 120_000);
});
