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
  const s = [...xs].sort((a, b) => a - b);
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

/** A resample with replacement. */
function resample(xs: readonly number[], rng: Rng): number[] {
  const out = new Array<number>(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[rng.u32() % xs.length] as number;
  return out;
}

export interface Interval {
  readonly estimate: number;
  readonly lo: number;
  readonly hi: number;
}

/** A group's samples, one array per pass (process): the unit of resampling at the top level. */
export type Passes = readonly (readonly number[])[];

/** A hierarchical resample: passes drawn with replacement, then each drawn pass's samples. */
function resamplePasses(g: Passes, rng: Rng): number[] {
  const out: number[] = [];
  for (let i = 0; i < g.length; i++) out.push(...resample(g[rng.u32() % g.length] as number[], rng));
  return out;
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
  const stat = (xa: readonly (readonly number[])[], xb: readonly (readonly number[])[]): number =>
    xa.reduce((s, x) => s + median(x), 0) / xb.reduce((s, x) => s + median(x), 0);
  const estimate = stat(
    a.map((g) => g.flat()),
    b.map((g) => g.flat()),
  );
  const rng = new Rng(seed);
  const rs: number[] = [];
  for (let i = 0; i < resamples; i++)
    rs.push(
      stat(
        a.map((g) => resamplePasses(g, rng)),
        b.map((g) => resamplePasses(g, rng)),
      ),
    );
  const tail = (1 - level) / 2;
  return { estimate, lo: quantile(rs, tail), hi: quantile(rs, 1 - tail) };
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
