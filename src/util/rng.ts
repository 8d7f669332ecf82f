/**
 * @fileoverview Shared. The seeded pseudo-random number generator (program generator, generation runtime).
 *
 * Consumes: a numeric seed. Produces: a deterministic stream (xoshiro128** seeded by splitmix32), so
 * the same seed gives the same program byte for byte on every platform. Never uses Math.random.
 */

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 over the seed (low and high 32 bits mixed in) to fill the state.
    let s = (seed >>> 0) ^ Math.floor(seed / 4294967296);
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Next 32-bit unsigned value (xoshiro128**). */
  u32(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform integer in [0, n), n <= 2^32. */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)] as T;
  }

  /** Index chosen with probability proportional to weights[i] (total must be > 0). */
  weighted(weights: readonly number[], total: number): number {
    let x = (this.u32() / 4294967296) * total;
    for (let i = 0; i < weights.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return i;
    }
    return weights.length - 1;
  }

  /**
   * n bytes into out[0, n) from a mixture, drawing exactly what these calls one by one would: `x =
   * below(100)`; x < zeroPct: 0 (no second draw); else the first table with x < its `until` and at least
   * one value: `pick(values)`; else `below(256)`. The state lives in locals for the loop (bulk input
   * generation draws millions of bytes a function: issue 12).
   */
  fillBytes(out: Uint8Array, n: number, zeroPct: number, tables: readonly ByteTable[]): void {
    let a = this.a;
    let b = this.b;
    let c = this.c;
    let d = this.d;
    const t0 = tables[0];
    const t1 = tables[1];
    const u0 = t0 !== undefined && t0.values.length > 0 ? t0.until : -1;
    const u1 = t1 !== undefined && t1.values.length > 0 ? t1.until : -1;
    const v0 = t0?.values ?? EMPTY;
    const v1 = t1?.values ?? EMPTY;
    if (tables.length > 2) throw new Error('Rng.fillBytes: at most two tables');
    for (let i = 0; i < n; i++) {
      let r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      let t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      const x = Math.floor((r / 4294967296) * 100);
      if (x < zeroPct) {
        out[i] = 0;
        continue;
      }
      r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
      t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = rotl(d, 11);
      const u = r / 4294967296;
      out[i] =
        x < u0
          ? v0[Math.floor(u * v0.length)]!
          : x < u1
            ? v1[Math.floor(u * v1.length)]!
            : Math.floor(u * 256);
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }

  /** Uniform 64-bit unsigned BigInt. */
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

/** A table of `Rng.fillBytes`: its values are picked when the first draw is below `until`. */
export interface ByteTable {
  readonly until: number;
  readonly values: Uint8Array;
}

const EMPTY = new Uint8Array(0);

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
