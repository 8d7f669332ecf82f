/**
 * @fileoverview Stage: mathlib. The measures of one implementation on one chunk, and their merge.
 *
 * Consumes: an implementation's results, the reference (src/mathlib/reference.ts) and the chunk's inputs.
 * Produces: `Tally`, plain JSON (cached per chunk on disk, merged in chunk order, so a resumed run gives the
 * same figures): the count of correctly rounded results, the largest error in ulps with its argument,
 * histograms of the error (real ulps, and whole ulps away from the correctly rounded result), the error by
 * argument (bins), and for binary32 the decimal study: whether the shortest decimal printing of a result
 * that is not correctly rounded differs from the correctly rounded value's only in its last digit.
 *
 * Definitions (as Zimmermann et al.'s tables): the error of y at x is |y - f(x)| / ulp(f(x)), ulp(z) =
 * 2^(max(e, emin) - p + 1) for 2^e <= |z| < 2^(e+1) (p = 24 or 53; emin = -126 or -1022), an infinite
 * result counting as 2^128 or 2^1024. Correctly rounded means equal in value to MPFR's round-to-nearest
 * result (a zero of the wrong sign and NaNs of other payloads count as correctly rounded; bit identity,
 * for the engine check, is `compareBits`). A NaN where a number is due, or the reverse, is a `special`
 * error, counted apart and not in the maximum.
 */
import type { RefChunk } from './reference.js';

/** Upper edges of the real-valued error histogram (the first bucket holds errors <= 0.5). */
export const ERR_EDGES = [0.5, 0.5001, 0.501, 0.51, 0.6, 0.75, 1, 1.5, 2, 4, 8, 16, 256, Infinity] as const;
/** Upper edges of the whole-ulp distance histogram (results not correctly rounded, 1 ulp away first). */
export const ULP_EDGES = [1, 2, 4, 8, 16, 256, 65536, Infinity] as const;

export interface Tally {
  n: number;
  cr: number;
  special: number;
  maxErr: number;
  /** Argument(s) of the largest error: bit patterns in hex, and the shortest decimal. */
  maxAt: string[];
  /** The result there and the correctly rounded one, hex bits. */
  maxGot: string;
  maxWant: string;
  errHist: number[];
  ulpHist: number[];
  /** Error by argument: bin -> [inputs, not correctly rounded, max error]. */
  bins: Record<string, [number, number, number]>;
  /** binary32: results whose shortest decimal differs from the correct one's only in the last digit / more. */
  decimalLast: number;
  decimalMore: number;
}

export function emptyTally(): Tally {
  return {
    n: 0,
    cr: 0,
    special: 0,
    maxErr: 0,
    maxAt: [],
    maxGot: '',
    maxWant: '',
    errHist: ERR_EDGES.map(() => 0),
    ulpHist: ULP_EDGES.map(() => 0),
    bins: {},
    decimalLast: 0,
    decimalMore: 0,
  };
}

/** Add `b` to `a` (the earlier chunk keeps a tied maximum: merge in chunk order). */
export function mergeTally(a: Tally, b: Tally): Tally {
  a.n += b.n;
  a.cr += b.cr;
  a.special += b.special;
  if (b.maxErr > a.maxErr) {
    a.maxErr = b.maxErr;
    a.maxAt = b.maxAt;
    a.maxGot = b.maxGot;
    a.maxWant = b.maxWant;
  }
  b.errHist.forEach((v, i) => (a.errHist[i] = (a.errHist[i] ?? 0) + v));
  b.ulpHist.forEach((v, i) => (a.ulpHist[i] = (a.ulpHist[i] ?? 0) + v));
  for (const [k, [n, bad, m]] of Object.entries(b.bins)) {
    const c = a.bins[k] ?? [0, 0, 0];
    a.bins[k] = [c[0] + n, c[1] + bad, Math.max(c[2], m)];
  }
  a.decimalLast += b.decimalLast;
  a.decimalMore += b.decimalMore;
  return a;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

export function hex32(x: number): string {
  F32[0] = x;
  return '0x' + (U32[0] as number).toString(16).padStart(8, '0');
}
export function hex64(x: number): string {
  F64[0] = x;
  return '0x' + (U64[0] as bigint).toString(16).padStart(16, '0');
}

/** floor(log2 |a|) for a finite non-zero a, exactly. */
function exponent(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

export function ulpOf(z: number, float: boolean): number {
  const a = Math.abs(z);
  const [p, emin, emax] = float ? [24, -126, 127] : [53, -1022, 1023];
  if (a === 0) return 2 ** (emin - p + 1);
  if (!Number.isFinite(a)) return 2 ** (emax - p + 1);
  return 2 ** (Math.min(Math.max(exponent(a), emin), emax) - p + 1);
}

/**
 * Error in ulps of y against the exact value: binary32, `hi` (a double within 2^-29 ulp of it, `lo` 0);
 * binary64, `hi` + `lo` ulps of hi (src/mathlib/reference.ts).
 */
export function ulpError(y: number, hi: number, lo: number, float: boolean): number {
  if (Number.isNaN(y) || Number.isNaN(hi)) return Infinity;
  if (!Number.isFinite(hi)) return y === hi ? 0 : Infinity;
  const u = ulpOf(hi, float);
  if (float) {
    const yy = Number.isFinite(y) ? y : Math.sign(y) * 2 ** 128;
    return Math.abs(yy - hi) / u;
  }
  // 2^1024 is not a double: an infinite y is measured at half scale.
  const d = Number.isFinite(y) ? (y - hi) / u : (Math.sign(y) * 2 ** 1023 - hi / 2) / (u / 2);
  return Math.abs(d - lo);
}

function bucket(edges: readonly number[], v: number): number {
  let k = 0;
  while (k < edges.length - 1 && v > (edges[k] as number)) k++;
  return k;
}

/** Whole ulps between two finite numbers of the format (0 when equal). */
function ulpDistance(y: number, c: number, float: boolean): number {
  if (float) {
    const o = (v: number): number => {
      F32[0] = v;
      const b = U32[0] as number;
      return b >= 0x80000000 ? -(b & 0x7fffffff) : b;
    };
    return Math.abs(o(y) - o(c));
  }
  const o = (v: number): bigint => {
    F64[0] = v;
    const b = U64[0] as bigint;
    return b >= 1n << 63n ? -(b & ((1n << 63n) - 1n)) : b;
  };
  const d = o(y) - o(c);
  return Number(d < 0n ? -d : d);
}

/** The shortest decimal that reads back as the binary32 `x`, as [digits, exponent]. */
export function shortestFloat(x: number): [string, number] {
  for (let p = 1; p <= 9; p++) {
    const s = x.toExponential(p - 1);
    if (Math.fround(Number(s)) === x) {
      const [m, e] = s.split('e') as [string, string];
      return [m.replace(/[-.]/g, ''), Number(e)];
    }
  }
  const [m, e] = x.toExponential(8).split('e') as [string, string];
  return [m.replace(/[-.]/g, ''), Number(e)];
}

/** True when the shortest decimals of a and b differ only in their last digit. */
export function lastDigitOnly(a: number, b: number): boolean {
  if (Math.sign(a) !== Math.sign(b) || !Number.isFinite(a) || !Number.isFinite(b)) return false;
  const [da, ea] = shortestFloat(a);
  const [db, eb] = shortestFloat(b);
  return ea === eb && da.length === db.length && da.slice(0, -1) === db.slice(0, -1);
}

/**
 * Inputs per bin. For monotone binnings (exhaustive chunks: bins are runs of consecutive inputs) the run
 * boundaries are found by bisection instead of binning every input.
 */
function binCounts(view: ChunkView): Map<number, number> {
  const m = new Map<number, number>();
  if (view.monotone === true) {
    let i = 0;
    while (i < view.n) {
      const b = view.bin(i);
      let lo = i;
      let hi = view.n - 1;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (view.bin(mid) === b) lo = mid;
        else hi = mid - 1;
      }
      m.set(b, (m.get(b) ?? 0) + lo - i + 1);
      i = lo + 1;
    }
    return m;
  }
  for (let i = 0; i < view.n; i++) {
    const b = view.bin(i);
    m.set(b, (m.get(b) ?? 0) + 1);
  }
  return m;
}

/** What a chunk's measurement needs besides the results. */
export interface ChunkView {
  readonly float: boolean;
  readonly n: number;
  /** The arguments of input i, for the report. */
  args(i: number): number[];
  /** Its bin of the error-by-argument plot. */
  bin(i: number): number;
  /** bin(i) never decreases with i. */
  readonly monotone?: boolean;
}

/** Measure `y` (an implementation's results) against the reference on one chunk. */
export function measure(y: Float32Array | Float64Array, ref: RefChunk, view: ChunkView): Tally {
  const t = emptyTally();
  const float = view.float;
  const cr = float
    ? new Float32Array((ref.cr as Uint32Array).buffer, ref.cr.byteOffset, view.n)
    : new Float64Array((ref.cr as BigUint64Array).buffer, ref.cr.byteOffset, view.n);
  const yBits = float
    ? new Uint32Array(y.buffer, y.byteOffset, view.n)
    : new BigUint64Array(y.buffer, y.byteOffset, view.n);
  const crBits = ref.cr;
  t.n = view.n;
  for (const [b, n] of binCounts(view)) t.bins[b] = [n, 0, 0];
  for (let i = 0; i < view.n; i++) {
    if (yBits[i] === crBits[i]) continue;
    const yv = y[i] as number;
    const cv = cr[i] as number;
    if (yv === cv || (yv !== yv && cv !== cv)) continue;
    const binEntry = t.bins[view.bin(i)] as [number, number, number];
    binEntry[1]++;
    if (yv !== yv || cv !== cv) {
      t.special++;
      continue;
    }
    const err = ulpError(yv, ref.approx[i] as number, ref.lo?.[i] ?? 0, float);
    (t.errHist as number[])[bucket(ERR_EDGES, err)]++;
    const dist = Number.isFinite(yv) && Number.isFinite(cv) ? ulpDistance(yv, cv, float) : Infinity;
    (t.ulpHist as number[])[bucket(ULP_EDGES, dist)]++;
    if (err > binEntry[2]) binEntry[2] = err;
    if (err > t.maxErr) {
      t.maxErr = err;
      const hex = float ? hex32 : hex64;
      t.maxAt = view.args(i).map((a) => `${hex(a)} (${float ? shortestDecimal32(a) : String(a)})`);
      t.maxGot = hex(yv);
      t.maxWant = hex(cv);
    }
    if (float) {
      if (lastDigitOnly(yv, cv)) t.decimalLast++;
      else t.decimalMore++;
    }
  }
  t.cr = t.n - Object.values(t.bins).reduce((s, e) => s + e[1], 0);
  return t;
}

function shortestDecimal32(x: number): string {
  if (!Number.isFinite(x) || x === 0) return String(x);
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return x.toPrecision(9);
}

/** One difference of bit identity: arguments, the engine's and glibc's results (hex bits). */
export type BitDiff = [args: string[], engine: string, glibc: string];

/**
 * Inputs where `a` and `b` differ in bits (NaNs equal to NaNs: JavaScript does not keep payloads): the
 * count, the first `cap` as hex, and all of them as raw little-endian records (the arguments' bits, then
 * a's and b's result bits; 4 or 8 bytes each).
 */
export function compareBits(
  a: Float32Array | Float64Array,
  b: Float32Array | Float64Array,
  view: ChunkView,
  cap: number,
): { count: number; diffs: BitDiff[]; raw: Uint8Array } {
  const ab = view.float
    ? new Uint32Array(a.buffer, a.byteOffset, view.n)
    : new BigUint64Array(a.buffer, a.byteOffset, view.n);
  const bb = view.float
    ? new Uint32Array(b.buffer, b.byteOffset, view.n)
    : new BigUint64Array(b.buffer, b.byteOffset, view.n);
  const hex = view.float ? hex32 : hex64;
  const diffs: BitDiff[] = [];
  const idx: number[] = [];
  for (let i = 0; i < view.n; i++) {
    if (ab[i] === bb[i]) continue;
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== x && y !== y) continue;
    idx.push(i);
    if (diffs.length < cap) diffs.push([view.args(i).map(hex), hex(x), hex(y)]);
  }
  const arity = idx.length > 0 ? view.args(idx[0] as number).length : 1;
  const vals = view.float
    ? new Float32Array(idx.length * (arity + 2))
    : new Float64Array(idx.length * (arity + 2));
  idx.forEach((i, k) => {
    const base = k * (arity + 2);
    view.args(i).forEach((v, j) => (vals[base + j] = v));
    vals[base + arity] = a[i] as number;
    vals[base + arity + 1] = b[i] as number;
  });
  return { count: idx.length, diffs, raw: new Uint8Array(vals.buffer) };
}
