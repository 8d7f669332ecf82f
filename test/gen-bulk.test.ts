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
});
