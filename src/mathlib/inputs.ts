/**
 * @fileoverview Stage: mathlib. Input sets: which arguments a run evaluates, split into chunks.
 *
 * Consumes: a function, an optional `--range a:b` and `--samples N`, a seed. Produces: `InputSet` and its
 * `Chunk`s. A binary32 function of one argument without `--samples` is run exhaustively: every bit pattern
 * (all 2^32, NaNs and infinities included) or every float of the range, as intervals of bit patterns that
 * the C programs enumerate themselves (no input file). Anything else is sampled: N inputs per argument
 * from its domain (the range, else the function's default), half uniform in value and half uniform over
 * the representable numbers (so every binade is visited), drawn from the seeded `Rng` chunk by chunk
 * (a chunk's inputs depend only on seed, function and chunk index); binary64 functions add the known hard
 * cases (src/mathlib/hard-cases.ts) as a last chunk.
 */
import { Rng } from '../util/rng.js';
import { UserError } from '../util/errors.js';
import { hashParts } from '../util/fsx.js';
import { HARD_CASES } from './hard-cases.js';
import type { Domain, MathFunction } from './functions.js';

/** Exhaustive chunks hold 2^24 inputs (64 MiB of results per implementation), sampled ones 2^18. */
export const BITS_CHUNK = 1 << 24;
export const SAMPLE_CHUNK = 1 << 18;

export type InputSet =
  | { readonly kind: 'bits'; readonly intervals: readonly (readonly [number, number])[] }
  | {
      readonly kind: 'samples';
      readonly count: number;
      readonly seed: number;
      readonly domains: readonly Domain[];
      readonly hard: boolean;
    };

export type Chunk =
  | { readonly index: number; readonly kind: 'bits'; readonly lo: number; readonly hi: number }
  | { readonly index: number; readonly kind: 'samples'; readonly start: number; readonly count: number }
  | { readonly index: number; readonly kind: 'hard'; readonly count: number };

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

export function f32Bits(x: number): number {
  F32[0] = x;
  return U32[0] as number;
}
export function f32FromBits(b: number): number {
  U32[0] = b >>> 0;
  return F32[0] as number;
}
export function f64Bits(x: number): bigint {
  F64[0] = x;
  return U64[0] as bigint;
}
export function f64FromBits(b: bigint): number {
  U64[0] = BigInt.asUintN(64, b);
  return F64[0] as number;
}

/** `a:b` of `--range` (numbers JavaScript reads: 0.1, -1e3, 0x10). */
export function parseRange(raw: string): Domain {
  const m = /^([^:]+):([^:]+)$/.exec(raw.trim());
  const a = m ? Number(m[1]) : NaN;
  const b = m ? Number(m[2]) : NaN;
  if (!m || Number.isNaN(a) || Number.isNaN(b) || !(a < b))
    throw new UserError(`mathlib: --range expects a:b with a < b, not '${raw}'`);
  return [a, b];
}

/** The bit intervals of the binary32 numbers x with a <= x < b. */
export function floatIntervals([a, b]: Domain): [number, number][] {
  const out: [number, number][] = [];
  const ceil = (v: number): number => {
    const f = Math.fround(v);
    return f >= v ? f : nextUp(f);
  };
  const below = (v: number): number => {
    const f = Math.fround(v);
    return f < v ? f : nextDown(f);
  };
  if (a < 0) {
    // Negative x in [a, min(b, 0)): magnitudes in (|min(b, 0)|, |a|].
    const c = -Math.min(b, 0);
    const fc = Math.fround(c);
    const mLo = c === 0 ? f32FromBits(1) : fc > c ? fc : nextUp(fc);
    const fa = Math.fround(-a);
    const mHi = Math.min(fa > -a ? nextDown(fa) : fa, 3.4028234663852886e38);
    if (mLo <= mHi) out.push([(f32Bits(mLo) | 0x80000000) >>> 0, ((f32Bits(mHi) | 0x80000000) >>> 0) + 1]);
  }
  if (b > 0) {
    const lo = ceil(Math.max(a, 0));
    const hi = Math.min(below(b), 3.4028234663852886e38);
    if (lo <= hi) out.push([f32Bits(lo), f32Bits(hi) + 1]);
  }
  return out;
}

function nextUp(f: number): number {
  if (f === 0) return f32FromBits(1);
  return f32FromBits(f > 0 ? f32Bits(f) + 1 : f32Bits(f) - 1);
}
function nextDown(f: number): number {
  return -nextUp(-f);
}

export interface InputOptions {
  readonly range?: Domain;
  readonly samples?: number;
  readonly seed: number;
}

/** The input set of `fn` for these options. */
export function inputSet(fn: MathFunction, o: InputOptions): InputSet {
  if (fn.float && fn.arity === 1 && o.samples === undefined) {
    if (o.range === undefined) return { kind: 'bits', intervals: [[0, 2 ** 32]] };
    const intervals = floatIntervals(o.range);
    if (intervals.length === 0)
      throw new UserError(`mathlib: --range ${o.range.join(':')} holds no binary32 number`);
    return { kind: 'bits', intervals };
  }
  const domains = o.range !== undefined ? fn.domains.map(() => o.range as Domain) : fn.domains;
  return {
    kind: 'samples',
    count: o.samples ?? 1_000_000,
    seed: o.seed,
    domains,
    hard: !fn.float && o.range === undefined && (HARD_CASES[fn.base]?.length ?? 0) > 0,
  };
}

/** A stable key of an input set (names the cache directory of its chunks). */
export function inputKey(set: InputSet): string {
  return hashParts([JSON.stringify(set)]).slice(0, 12);
}

export function chunksOf(set: InputSet): Chunk[] {
  const out: Chunk[] = [];
  if (set.kind === 'bits') {
    for (const [lo, hi] of set.intervals)
      for (let s = lo; s < hi; s += BITS_CHUNK)
        out.push({ index: out.length, kind: 'bits', lo: s, hi: Math.min(hi, s + BITS_CHUNK) });
    return out;
  }
  for (let s = 0; s < set.count; s += SAMPLE_CHUNK)
    out.push({ index: out.length, kind: 'samples', start: s, count: Math.min(SAMPLE_CHUNK, set.count - s) });
  if (set.hard) out.push({ index: out.length, kind: 'hard', count: 0 });
  return out;
}

/** The number of inputs of a set. */
export function inputCount(set: InputSet, fn: MathFunction): number {
  if (set.kind === 'bits') return set.intervals.reduce((n, [lo, hi]) => n + hi - lo, 0);
  return set.count + (set.hard ? (HARD_CASES[fn.base]?.length ?? 0) : 0);
}

/** Parse a C99 hexadecimal floating literal (`-0x1.8p-3`). */
export function parseHexFloat(s: string): number {
  const m = /^([+-]?)0x([0-9a-f]*)(?:\.([0-9a-f]*))?p([+-]?\d+)$/i.exec(s.trim());
  if (!m) throw new Error(`bad hexadecimal float ${s}`);
  const frac = m[3] ?? '';
  const mant = BigInt('0x' + ((m[2] ?? '') + frac || '0'));
  const e = Number(m[4]) - 4 * frac.length;
  // Exact: the mantissa has at most 53 significant bits for the literals we read; scale in two steps.
  let v = Number(mant);
  v = e < -1000 ? v * 2 ** (e + 600) * 2 ** -600 : v * 2 ** e;
  return m[1] === '-' ? -v : v;
}

/**
 * The inputs of a sampled chunk, `arity` values per input interleaved, as the harness reads them
 * (Float32Array for binary32, Float64Array for binary64).
 */
export function chunkInputs(fn: MathFunction, set: InputSet, chunk: Chunk): Float32Array | Float64Array {
  if (set.kind !== 'samples' || chunk.kind === 'bits') throw new Error('chunkInputs: not a sampled chunk');
  if (chunk.kind === 'hard') {
    const cases = HARD_CASES[fn.base] ?? [];
    const out = new Float64Array(cases.length * fn.arity);
    cases.forEach((c, i) => c.forEach((s, j) => (out[i * fn.arity + j] = parseHexFloat(s))));
    return out;
  }
  const n = chunk.count;
  const out = fn.float ? new Float32Array(n * fn.arity) : new Float64Array(n * fn.arity);
  const rng = new Rng(
    (set.seed * 1000003 + fn.index * 7919 + (fn.float ? 1 : 0) * 104729 + chunk.index) >>> 0,
  );
  for (let i = 0; i < n; i++)
    for (let j = 0; j < fn.arity; j++) out[i * fn.arity + j] = draw(rng, set.domains[j] as Domain, fn.float);
  return out;
}

/** One argument from [a, b]: uniform in value or uniform over the representable numbers. */
function draw(rng: Rng, [a, b]: Domain, float: boolean): number {
  if (rng.u32() & 1) {
    const u = (rng.u32() * 2 ** 21 + (rng.u32() >>> 11)) / 2 ** 53;
    const v = a + (b - a) * u;
    return float ? Math.fround(Math.min(b, Math.max(a, v))) : Math.min(b, Math.max(a, v));
  }
  if (float) {
    const oa = ord32(Math.fround(a) < a ? nextUp(Math.fround(a)) : Math.fround(a));
    const ob = ord32(Math.fround(b) > b ? nextDown(Math.fround(b)) : Math.fround(b));
    const o = oa + Math.floor((rng.u32() / 2 ** 32) * (ob - oa + 1));
    return o < 0 ? -f32FromBits(-o) : f32FromBits(o);
  }
  const oa = ord64(a);
  const ob = ord64(b);
  const r = ((BigInt(rng.u32()) << 32n) | BigInt(rng.u32())) % (ob - oa + 1n);
  const o = oa + r;
  return o < 0n ? -f64FromBits(-o) : f64FromBits(o);
}

function ord32(x: number): number {
  return x < 0 || Object.is(x, -0) ? -f32Bits(-x) : f32Bits(x);
}
function ord64(x: number): bigint {
  return x < 0 ? -f64Bits(-x) : f64Bits(x);
}
