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

/** The share of samples cut from each end by `trimmedMean`. */
export const TRIM = 0.2;

/**
 * Mean of the samples left after cutting `trim` of them from each end (0.2: the middle 60%). perf's location
 * statistic: robust to outliers like the median, but it averages a coarse clock's steps (a sample is a
 * whole number of ticks; the median jumps between ticks, a mean of many dithered samples does not).
 */
export function trimmedMean(xs: readonly number[], trim = TRIM): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const cut = Math.floor(s.length * trim);
  let sum = 0;
  for (let i = cut; i < s.length - cut; i++) sum += s[i] as number;
  return sum / (s.length - 2 * cut);
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

/**
 * A group prepared for resampling: all its samples sorted once, and for each round the rank of each of its
 * samples in that order. The median of a resample is then found by counting ranks (linear), not by sorting
 * the resample: the bootstrap of a report runs thousands of times over up to a few hundred samples.
 */
interface Prepared {
  readonly sorted: Float64Array;
  readonly ranks: readonly Uint32Array[];
  readonly counts: Uint32Array;
}

function prepare(g: Passes): Prepared {
  const all: [number, number, number][] = [];
  g.forEach((round, r) => round.forEach((x, i) => all.push([x, r, i])));
  all.sort((p, q) => p[0] - q[0]);
  const ranks = g.map((round) => new Uint32Array(round.length));
  const sorted = new Float64Array(all.length);
  all.forEach(([x, r, i], k) => {
    sorted[k] = x;
    ranks[r]![i] = k;
  });
  return { sorted, ranks, counts: new Uint32Array(all.length) };
}

/** Uniform 30-bit integers (mulberry32), seeded: the bootstrap's inner loop draws millions. */
type Draw = () => number;
function mulberry32(seed: number): Draw {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    // 30 bits: a small integer to V8, so `%` stays an integer operation.
    return (t ^ (t >>> 14)) & 0x3fffffff;
  };
}

/** The trimmed mean of one two-level resample of `p`: rounds with replacement, then each drawn round's samples. */
function resampledLocation(p: Prepared, next: Draw): number {
  const { counts, ranks, sorted } = p;
  counts.fill(0);
  let n = 0;
  for (let k = 0; k < ranks.length; k++) {
    const rk = ranks[next() % ranks.length] as Uint32Array;
    for (let j = 0; j < rk.length; j++) counts[rk[next() % rk.length] as number]!++;
    n += rk.length;
  }
  if (n === 0) return NaN;
  // The trimmed mean of the resample: positions [cut, n - cut) of its sorted order, found by counting.
  const cut = Math.floor(n * TRIM);
  let pos = 0;
  let sum = 0;
  for (let i = 0; i < counts.length && pos < n - cut; i++) {
    const c = counts[i] as number;
    if (c === 0) continue;
    const from = Math.max(pos, cut);
    const to = Math.min(pos + c, n - cut);
    if (to > from) sum += (to - from) * (sorted[i] as number);
    pos += c;
  }
  return sum / (n - 2 * cut);
}

/**
 * Percentile bootstrap interval of sum(trimmedMean(a_i)) / sum(trimmedMean(b_i)) over groups (a function's
 * inputs; one group for one input). Each group holds its samples per round (or process); a resample draws the rounds
 * with replacement and then each drawn round's samples (a two-level bootstrap), independently for a and b,
 * so the interval covers the variation between rounds, not only within one. `level` is the coverage (0.95).
 */
export function bootstrapRatio(
  a: readonly Passes[],
  b: readonly Passes[],
  seed: number,
  resamples = 1000,
  level = 0.95,
): Interval {
  const sum = (gs: readonly Passes[]): number => gs.reduce((s, g) => s + trimmedMean(g.flat()), 0);
  const estimate = sum(a) / sum(b);
  const next = mulberry32(new Rng(seed).u32());
  const pa = a.map(prepare);
  const pb = b.map(prepare);
  const rs: number[] = [];
  for (let i = 0; i < resamples; i++) {
    let x = 0;
    for (const p of pa) x += resampledLocation(p, next);
    let y = 0;
    for (const p of pb) y += resampledLocation(p, next);
    rs.push(x / y);
  }
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

/**
 * Where an interval lies against 1 ('slower': wholly above 1 + margin, 'faster': wholly below 1 / (1 + margin)),
 * else undefined (no difference shown). The margin is the smallest difference perf reports (docs/perf.md).
 */
export function sideOfOne(i: Interval | undefined, margin = 0): 'slower' | 'faster' | undefined {
  if (i === undefined) return undefined;
  if (i.lo > (1 + margin) * (1 + 1e-9)) return 'slower';
  if (i.hi < (1 / (1 + margin)) * (1 - 1e-9)) return 'faster';
  return undefined;
}
