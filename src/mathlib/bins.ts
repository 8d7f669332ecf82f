/**
 * @fileoverview Stage: mathlib. The bins of the error-by-argument plots.
 *
 * Consumes: an input set and its function. Produces: `BinSpec` and the bin of an input: exhaustive sets
 * are cut into equal runs of consecutive bit patterns (for the whole binary32 range, bin k is the inputs
 * whose top 8 bits are k: sign and the high exponent bits, positives first); sampled sets into equal
 * ranges of the first argument's order (bits of the magnitude with the sign, the top 32 bits for
 * binary64), so that each binade gets its share of the axis.
 */
import type { MathFunction } from './functions.js';
import { f32Bits, f32FromBits, f64Bits, f64FromBits, type InputSet } from './inputs.js';

export type BinSpec =
  | {
      readonly kind: 'bits';
      readonly intervals: readonly (readonly [number, number])[];
      readonly total: number;
      readonly count: number;
    }
  | {
      readonly kind: 'ord';
      readonly float: boolean;
      readonly lo: number;
      readonly hi: number;
      readonly count: number;
    };

export const BIN_COUNT = 256;

export function binSpec(fn: MathFunction, set: InputSet): BinSpec {
  if (set.kind === 'bits') {
    const total = set.intervals.reduce((n, [a, b]) => n + b - a, 0);
    return { kind: 'bits', intervals: set.intervals, total, count: Math.min(BIN_COUNT, total) };
  }
  const [a, b] = set.domains[0] as readonly [number, number];
  return {
    kind: 'ord',
    float: fn.float,
    lo: ordOf(a, fn.float),
    hi: ordOf(b, fn.float),
    count: BIN_COUNT / 4,
  };
}

/** A monotone integer image of x: binary32 bits, or binary64's top 32 bits, signed by x's sign. */
function ordOf(x: number, float: boolean): number {
  const m = Math.abs(x);
  const o = float ? f32Bits(Math.fround(m)) : Number(f64Bits(m) >> 32n);
  return x < 0 ? -o : o;
}

export function binOfBits(spec: BinSpec, bits: number): number {
  if (spec.kind !== 'bits') return 0;
  let pos = 0;
  for (const [a, b] of spec.intervals) {
    if (bits >= a && bits < b) {
      pos += bits - a;
      break;
    }
    pos += b - a;
  }
  return Math.min(spec.count - 1, Math.floor((pos / spec.total) * spec.count));
}

export function binOfArg(spec: BinSpec, x: number): number {
  if (spec.kind !== 'ord') return 0;
  const k = Math.floor(((ordOf(x, spec.float) - spec.lo) / (spec.hi - spec.lo + 1)) * spec.count);
  return Math.max(0, Math.min(spec.count - 1, k));
}

/** The first input of bin k (the left edge of its bar). */
export function binStart(spec: BinSpec, k: number): number {
  if (spec.kind === 'bits') {
    let pos = Math.ceil((k * spec.total) / spec.count);
    for (const [a, b] of spec.intervals) {
      if (pos < b - a) return f32FromBits(a + pos);
      pos -= b - a;
    }
    return NaN;
  }
  const o = spec.lo + Math.ceil((k * (spec.hi - spec.lo + 1)) / spec.count);
  const v = spec.float ? f32FromBits(Math.abs(o)) : f64FromBits(BigInt(Math.abs(o)) << 32n);
  return o < 0 ? -v : v;
}
