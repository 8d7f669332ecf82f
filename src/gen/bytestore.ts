/**
 * @fileoverview Stage: gen. `ByteStore`: the input bytes of one object or global, by offset (negative
 * offsets allowed), in a dense window that grows both ways. A Map per byte was the generation runtime's
 * main cost on functions that read large arrays; copies (every mutation copies a plan) are memcpy here.
 */
const EMPTY = new Uint8Array(0);

export class ByteStore {
  /** Offset of data[0]. */
  private lo = 0;
  private data = EMPTY;
  /** 1 where a byte is present. */
  private known = EMPTY;
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(off: number): boolean {
    const i = off - this.lo;
    return i >= 0 && i < this.known.length && this.known[i] === 1;
  }

  get(off: number): number | undefined {
    return this.has(off) ? this.data[off - this.lo] : undefined;
  }

  set(off: number, b: number): void {
    this.ensure(off);
    const i = off - this.lo;
    if (this.known[i] === 0) this.count++;
    this.known[i] = 1;
    this.data[i] = b;
  }

  delete(off: number): void {
    if (!this.has(off)) return;
    this.known[off - this.lo] = 0;
    this.count--;
  }

  /** Forget every byte at an offset >= cut. */
  deleteFrom(cut: number): void {
    for (let i = Math.max(0, cut - this.lo); i < this.known.length; i++)
      if (this.known[i] === 1) {
        this.known[i] = 0;
        this.count--;
      }
  }

  /** Maximal runs [start, end) of present bytes, ascending. */
  ranges(): [number, number][] {
    const out: [number, number][] = [];
    const k = this.known;
    for (let i = 0; i < k.length; i++) {
      if (k[i] !== 1) continue;
      let j = i;
      while (j < k.length && k[j] === 1) j++;
      out.push([i + this.lo, j + this.lo]);
      i = j;
    }
    return out;
  }

  /** Copy the present bytes of [start, end) into `dst` at dst[off - dstLo]. */
  copyInto(dst: Uint8Array, dstLo: number): void {
    for (const [a, b] of this.ranges()) dst.set(this.data.subarray(a - this.lo, b - this.lo), a - dstLo);
  }

  /** Copy bytes [a, b) (all present) to dst at base + a. */
  copyTo(dst: Uint8Array, base: number, a: number, b: number): void {
    dst.set(this.data.subarray(a - this.lo, b - this.lo), base + a);
  }

  /** A present offset chosen with `below(n)` (uniform over the window, then the next present one). */
  pick(below: (n: number) => number): number | undefined {
    const k = this.known;
    if (this.count === 0) return undefined;
    const start = below(k.length);
    for (let i = 0; i < k.length; i++) {
      const j = (start + i) % k.length;
      if (k[j] === 1) return j + this.lo;
    }
    return undefined;
  }

  /** Offsets (at most `max`) where the bytes `pat` are all present in order. */
  find(pat: readonly number[], max: number): number[] {
    const out: number[] = [];
    const d = this.data;
    const k = this.known;
    const n = pat.length;
    const p0 = pat[0]!;
    for (let i = 0; i + n <= k.length && out.length < max; i++) {
      if (d[i] !== p0 || k[i] !== 1) continue;
      let j = 1;
      while (j < n && d[i + j] === pat[j] && k[i + j] === 1) j++;
      if (j === n) out.push(i + this.lo);
    }
    return out;
  }

  clone(): ByteStore {
    const c = new ByteStore();
    c.lo = this.lo;
    c.data = this.data.slice();
    c.known = this.known.slice();
    c.count = this.count;
    return c;
  }

  private ensure(off: number): void {
    const len = this.known.length;
    if (len === 0) {
      this.lo = off;
      this.data = new Uint8Array(16);
      this.known = new Uint8Array(16);
      return;
    }
    if (off >= this.lo && off < this.lo + len) return;
    const newLo = Math.min(this.lo, off);
    const newHi = Math.max(this.lo + len, off + 1);
    // Grow geometrically toward the side that needs room.
    const want = Math.max(newHi - newLo, len * 2);
    const lo = off < this.lo ? newHi - want : newLo;
    const data = new Uint8Array(want);
    const known = new Uint8Array(want);
    data.set(this.data, this.lo - lo);
    known.set(this.known, this.lo - lo);
    this.lo = lo;
    this.data = data;
    this.known = known;
  }
}
