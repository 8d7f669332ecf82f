/**
 * @fileoverview Stage: gen. `ByteStore`: the input bytes of one object or global, by offset (negative
 * offsets allowed), in a dense window that grows both ways. A Map per byte was the generation runtime's
 * main cost on functions that read large arrays; copies (every mutation copies a plan) are memcpy here.
 *
 * Every run lays out every object of its plan (`ranges`), and every mutation copies a plan, but a run
 * changes few stores: the ranges are cached until a byte is added or removed, and a copy shares its
 * buffers with the original until either writes (copy on write).
 */
const EMPTY = new Uint8Array(0);

/** How many of k[from, to) are 1 (k holds 0s and 1s): runs found by native searches. */
function ones(k: Uint8Array, from: number, to: number): number {
  let n = 0;
  if (to - from <= 64) {
    for (let i = from; i < to; i++) n += k[i]!;
    return n;
  }
  const v = k.subarray(from, to);
  for (let i = v.indexOf(1); i >= 0;) {
    let j = v.indexOf(0, i);
    if (j < 0) j = v.length;
    n += j - i;
    i = j < v.length ? v.indexOf(1, j) : -1;
  }
  return n;
}

export class ByteStore {
  /** Offset of data[0]. */
  private lo = 0;
  private data = EMPTY;
  /** 1 where a byte is present. */
  private known = EMPTY;
  private count = 0;
  /** `data` and `known` are shared with a copy: copy them before writing. */
  private shared = false;
  private cachedRanges: readonly (readonly [number, number])[] | undefined = undefined;

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
    if (this.known[i] === 0) {
      if (this.shared) this.unshare();
      this.count++;
      this.known[i] = 1;
      this.cachedRanges = undefined;
    } else if (this.data[i] === b) return;
    else if (this.shared) this.unshare();
    this.data[i] = b;
  }

  /**
   * `set(off + i, src[i])` for every i in order, with one copy-on-write check. The window grows exactly as
   * it would byte by byte (its size is observable: `pick` draws over it).
   */
  setRange(off: number, src: Uint8Array): void {
    const n = src.length;
    if (n === 0) return;
    for (let i = 0; i < n;) {
      this.ensure(off + i);
      i = Math.max(i + 1, this.lo + this.known.length - off);
    }
    if (this.shared) this.unshare();
    const i0 = off - this.lo;
    const added = n - ones(this.known, i0, i0 + n);
    if (added > 0) {
      this.known.fill(1, i0, i0 + n);
      this.count += added;
      this.cachedRanges = undefined;
    }
    this.data.set(src, i0);
  }

  delete(off: number): void {
    if (!this.has(off)) return;
    if (this.shared) this.unshare();
    this.known[off - this.lo] = 0;
    this.count--;
    this.cachedRanges = undefined;
  }

  /** Forget every byte at an offset >= cut. */
  deleteFrom(cut: number): void {
    const first = this.known.indexOf(1, Math.max(0, cut - this.lo));
    if (first < 0) return;
    if (this.shared) this.unshare();
    this.count -= ones(this.known, first, this.known.length);
    this.known.fill(0, first);
    this.cachedRanges = undefined;
  }

  /** Maximal runs [start, end) of present bytes, ascending (shared: do not modify). */
  ranges(): readonly (readonly [number, number])[] {
    if (this.cachedRanges !== undefined) return this.cachedRanges;
    const out: [number, number][] = [];
    const k = this.known;
    for (let i = k.indexOf(1); i >= 0;) {
      let j = k.indexOf(0, i);
      if (j < 0) j = k.length;
      out.push([i + this.lo, j + this.lo]);
      i = j < k.length ? k.indexOf(1, j) : -1;
    }
    return (this.cachedRanges = out);
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
    let j = k.indexOf(1, start);
    if (j < 0) j = k.indexOf(1);
    return j < 0 ? undefined : j + this.lo;
  }

  /** Offsets (at most `max`) where the bytes `pat` are all present in order. */
  find(pat: readonly number[], max: number): number[] {
    const out: number[] = [];
    const n = pat.length;
    if (n === 0 || this.data.length === 0) return out;
    // Where the data matches (a native search), then whether those bytes are all present.
    const d = Buffer.from(this.data.buffer, this.data.byteOffset, this.data.length);
    const needle = Buffer.from(pat);
    const k = this.known;
    for (let i = d.indexOf(needle); i >= 0 && out.length < max; i = d.indexOf(needle, i + 1))
      if (ones(k, i, i + n) === n) out.push(i + this.lo);
    return out;
  }

  clone(): ByteStore {
    const c = new ByteStore();
    c.lo = this.lo;
    c.data = this.data;
    c.known = this.known;
    c.count = this.count;
    c.cachedRanges = this.cachedRanges;
    if (this.data !== EMPTY) this.shared = c.shared = true;
    return c;
  }

  private unshare(): void {
    this.data = this.data.slice();
    this.known = this.known.slice();
    this.shared = false;
  }

  private ensure(off: number): void {
    const len = this.known.length;
    if (len === 0) {
      this.lo = off;
      this.shared = false;
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
    this.shared = false;
  }
}
