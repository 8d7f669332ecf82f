/**
 * The generation runtime's bulk paths draw and store exactly what their byte-by-byte definitions do:
 * `Policy.bytes` against n calls of `Policy.byte` (same bytes, same random stream after), and
 * `ByteStore.setRange` against `set` per byte (same bytes, ranges and count, shared copies unchanged).
 */
import { describe, expect, it } from 'vitest';
import { ByteStore } from '../src/gen/bytestore.js';
import { Policy, type Dictionary } from '../src/gen/policy.js';
import { Rng } from '../src/util/rng.js';

/** Every present byte of a store, in offset order. */
function bytesOf(s: ByteStore): number[] {
  const out: number[] = [];
  for (const [lo, hi] of s.ranges()) for (let o = lo; o < hi; o++) out.push(s.get(o)!);
  return out;
}

const DICTS: Dictionary[] = [
  { ints: [], bytes: [], strings: [], floats: [] },
  { ints: [7n], bytes: [0x41, 0x7f, 0xff], strings: [], floats: [] },
];

describe('bulk byte generation', () => {
  for (const [k, dict] of DICTS.entries())
    it(`Policy.bytes equals repeated Policy.byte (dictionary ${k})`, () => {
      for (const n of [1, 7, 4096]) {
        const one = new Policy(new Rng(99 + n), dict);
        const bulk = new Policy(new Rng(99 + n), dict);
        const want = Array.from({ length: n }, () => one.byte());
        const got = new Uint8Array(n);
        bulk.bytes(got, n);
        expect([...got]).toEqual(want);
        // The streams are in the same state afterwards.
        expect(bulk.rng.u32()).toBe(one.rng.u32());
      }
      // The distribution is the policy's: NULs, printable text and (with a dictionary) its bytes.
      const p = new Policy(new Rng(5), dict);
      const big = new Uint8Array(20000);
      p.bytes(big, big.length);
      const zeros = big.filter((b) => b === 0).length / big.length;
      expect(zeros).toBeGreaterThan(0.08);
      expect(zeros).toBeLessThan(0.16);
      if (dict.bytes.length > 0) expect(big.filter((b) => b === 0xff).length).toBeGreaterThan(1000);
    });

  it('ByteStore.setRange equals set per byte', () => {
    const rng = new Rng(3);
    const a = new ByteStore();
    const b = new ByteStore();
    for (let step = 0; step < 200; step++) {
      const off = rng.below(600) - 300;
      const n = 1 + rng.below(step % 7 === 0 ? 300 : 40);
      const src = Uint8Array.from({ length: n }, () => rng.below(256));
      const snapA = a.clone();
      const snapB = b.clone();
      const beforeA = snapA.ranges();
      for (let i = 0; i < n; i++) a.set(off + i, src[i]!);
      b.setRange(off, src);
      expect(b.size).toBe(a.size);
      expect(b.ranges()).toEqual(a.ranges());
      expect(bytesOf(b)).toEqual(bytesOf(a));
      // The same window: pick draws over it, so its size and position are observable.
      for (let seed = 0; seed < 20; seed++) {
        const ra = new Rng(seed);
        const rb = new Rng(seed);
        expect(b.pick((k) => rb.below(k))).toBe(a.pick((k) => ra.below(k)));
      }
      // Copy on write: the clones taken before still hold what they held.
      expect(snapB.ranges()).toEqual(beforeA);
      expect(bytesOf(snapB)).toEqual(bytesOf(snapA));
      if (step % 50 === 49) {
        a.deleteFrom(off);
        b.deleteFrom(off);
      }
    }
  });

  it('ByteStore queries (ranges, find, pick, deleteFrom) equal a byte-map reference', () => {
    const rng = new Rng(11);
    const store = new ByteStore();
    const ref = new Map<number, number>();
    const refRanges = (): [number, number][] => {
      const offs = [...ref.keys()].sort((x, y) => x - y);
      const out: [number, number][] = [];
      for (const o of offs) {
        const last = out.at(-1);
        if (last !== undefined && last[1] === o) last[1] = o + 1;
        else out.push([o, o + 1]);
      }
      return out;
    };
    for (let step = 0; step < 400; step++) {
      const op = rng.below(10);
      const off = rng.below(3000) - 1000;
      if (op < 4) {
        // Long runs of few values, so that patterns occur (and partly over absent bytes).
        const src = Uint8Array.from({ length: 1 + rng.below(step % 9 === 0 ? 900 : 30) }, () => rng.below(3));
        store.setRange(off, src);
        src.forEach((b, i) => ref.set(off + i, b));
      } else if (op < 7) {
        store.set(off, op);
        ref.set(off, op);
      } else if (op < 9) {
        store.delete(off);
        ref.delete(off);
      } else if (step % 4 === 0) {
        store.deleteFrom(off);
        for (const k of [...ref.keys()]) if (k >= off) ref.delete(k);
      }
      const snap = store.clone();
      expect(store.size).toBe(ref.size);
      expect(store.ranges()).toEqual(refRanges());
      for (const pat of [[0], [1, 2], [0, 0, 0, 0], [2, 1, 0, 1]]) {
        const want: number[] = [];
        for (const o of [...ref.keys()].sort((x, y) => x - y))
          if (want.length < 16 && pat.every((b, i) => ref.get(o + i) === b)) want.push(o);
        expect(store.find(pat, 16)).toEqual(want);
      }
      // pick: a present offset; the window's first draw gives the lowest, and results rise with the
      // draw until they wrap around to the lowest again.
      if (ref.size > 0) {
        let n = 0;
        store.pick((k) => ((n = k), 0));
        const lowest = Math.min(...ref.keys());
        let prev = -Infinity;
        let wrapped = false;
        for (let x = 0; x < n; x += 1 + Math.floor(n / 50)) {
          const got = store.pick(() => x)!;
          expect(ref.has(got)).toBe(true);
          if (x === 0) expect(got).toBe(lowest);
          if (got < prev) {
            expect(wrapped).toBe(false);
            expect(got).toBe(lowest);
            wrapped = true;
          }
          prev = got;
        }
      } else expect(store.pick(() => 0)).toBeUndefined();
      // The clone is unaffected by what the store does next.
      store.set(off + 1, 77);
      expect(snap.size).toBe(ref.size);
      ref.set(off + 1, 77);
    }
  });
});
