/**
 * @fileoverview Stage: tune. The statistics of perf: median, spread, bootstrap confidence intervals of a
 * ratio of medians, Spearman's rank correlation.
 *
 * Consumes: samples (numbers) and a seed. Produces: plain numbers. Every random choice comes from the
 * seeded `Rng` (util/rng.ts), so the same samples and seed give the same interval.
 */
import { Rng } from '../util/rng.js';

/** The q-quantile (0..1) by linear interpolation between order statistics; NaN for no samples. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  // A typed array sorts numerically without a comparator call per pair (the bootstrap sorts a lot).
  const s = Float64Array.from(xs).sort();
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Median absolute deviation from the median (unscaled). */
export function mad(xs: readonly number[]): number {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
}

/** Spread as a share of the median: MAD / median (robust coefficient of variation). */
export function relativeSpread(xs: readonly number[]): number {
  const m = median(xs);
  return m > 0 ? mad(xs) / m : NaN;
}

export interface Interval {
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
}

/** A group's samples, one array per pass (process): the unit of resampling at the top level. */
export type Passes = readonly (readonly number[])[];

/** The median of `buf[0..n)` (sorts that part in place). */
function medianOf(buf: Float64Array, n: number): number {
  const s = buf.subarray(0, n).sort();
  const pos = (n - 1) / 2;
  const lo = Math.floor(pos);
  return (s[lo] as number) + ((s[Math.ceil(pos)] as number) - (s[lo] as number)) * (pos - lo);
}

/**
 * Percentile bootstrap interval of sum(median(a_i)) / sum(median(b_i)) over groups (a function's inputs; one
 * group for one input). Each group holds its samples per pass (process); a resample draws the passes with
 * replacement and then each drawn pass's samples (a two-level bootstrap), independently for a and b, so the
 * interval covers the variation between processes (layout, frequency, drift), not only within one.
 * `level` is the coverage (0.95).
 */
export function bootstrapRatio(
  a: readonly Passes[],
  b: readonly Passes[],
  seed: number,
  resamples = 1000,
  level = 0.95,
): Interval {
  const sum = (gs: readonly Passes[]): number => gs.reduce((s, g) => s + median(g.flat()), 0);
  const estimate = sum(a) / sum(b);
  const rng = new Rng(seed);
  const longest = Math.max(1, ...[...a, ...b].map((g) => g.length * Math.max(0, ...g.map((p) => p.length))));
  const buf = new Float64Array(longest);
  const typed = (gs: readonly Passes[]): Float64Array[][] =>
    gs.map((g) => g.map((p) => Float64Array.from(p)));
  const ta = typed(a);
  const tb = typed(b);
  const resampledSum = (gs: readonly Float64Array[][]): number => {
    let total = 0;
    for (const g of gs) {
      let n = 0;
      for (let k = 0; k < g.length; k++) {
        const p = g[rng.u32() % g.length] as Float64Array;
        for (let i = 0; i < p.length; i++) buf[n++] = p[rng.u32() % p.length] as number;
      }
      total += medianOf(buf, n);
    }
    return total;
  };
  const rs = new Float64Array(resamples);
  for (let i = 0; i < resamples; i++) {
    const x = resampledSum(ta);
    rs[i] = x / resampledSum(tb);
  }
  const tail = (1 - level) / 2;
  return { estimate, lo: quantile(Array.from(rs), tail), hi: quantile(Array.from(rs), 1 - tail) };
}

/** Ranks from 1, ties get their average rank. */
export function ranks(xs: readonly number[]): number[] {
  const idx = xs.map((x, i) => [x, i] as const).sort((p, q) => p[0] - q[0]);
  const r = new Array<number>(xs.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1]![0] === idx[i]![0]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]![1]] = avg;
    i = j + 1;
  }
  return r;
}

/** Pearson correlation; NaN when either side is constant or fewer than 2 pairs. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  if (n < 2 || y.length !== n) return NaN;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (x[i] as number) - mx;
    const dy = (y[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rank correlation (Pearson on average ranks). */
export function spearman(x: readonly number[], y: readonly number[]): number {
  return pearson(ranks(x), ranks(y));
}

/** Geometric mean of positive numbers (NaN for none). */
export function geomean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  return Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);
}
