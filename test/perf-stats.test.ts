/**
 * @fileoverview Unit tests of tune/stats.ts (median, quantiles, MAD, the two-level bootstrap interval of a
 * ratio of medians with a fixed seed, Spearman's rank correlation with ties) and of variant specs.
 */
import { describe, expect, it } from 'vitest';
import {
  bootstrapRatio,
  geomean,
  mad,
  median,
  quantile,
  ranks,
  relativeSpread,
  sideOfOne,
  spearman,
  trimmedMean,
} from '../src/tune/stats.js';
import { parseVariant, parseVariants } from '../src/tune/variants.js';
import { Rng } from '../src/util/rng.js';

describe('stats', () => {
  it('median, quantiles and MAD', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(Number.isNaN(median([]))).toBe(true);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([10, 20], 0.75)).toBe(17.5);
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(relativeSpread([10, 10, 10])).toBe(0);
    expect(geomean([1, 4])).toBeCloseTo(2, 12);
    // 20% trimmed: one sample cut from each end of five.
    expect(trimmedMean([100, 2, 1, 4, 3])).toBe(3);
    // A coarse clock: samples of 1 or 2 ticks, 30% of them 2: the median says 1, the trimmed mean 1.25.
    expect(median([1, 1, 1, 1, 1, 1, 1, 2, 2, 2])).toBe(1);
    expect(trimmedMean([1, 1, 1, 1, 1, 1, 1, 2, 2, 2])).toBeCloseTo(1.1667, 3);
    expect(sideOfOne({ estimate: 1, lo: 1 + 1e-15, hi: 1 + 1e-15 })).toBeUndefined();
    expect(sideOfOne({ estimate: 1.2, lo: 1.1, hi: 1.3 })).toBe('slower');
  });

  it('ranks with ties and Spearman', () => {
    expect(ranks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Monotone but not linear: still 1.
    expect(spearman([1, 2, 3, 4, 5], [1, 8, 27, 64, 1000])).toBeCloseTo(1, 12);
    // A known value: ranks (1,2,3,4,5) against (2,1,4,3,5): 1 - 6*4/(5*24) = 0.8.
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
    expect(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]))).toBe(true);
  });

  it('bootstrap interval: deterministic with a seed, covers the true ratio, excludes 1 for a real difference', () => {
    const rng = new Rng(7);
    const noisy = (m: number, n: number): number[] =>
      Array.from({ length: n }, () => m * (1 + (rng.u32() / 2 ** 32 - 0.5) * 0.1));
    const a = [[noisy(200, 50), noisy(200, 50)]];
    const b = [[noisy(100, 50), noisy(100, 50)]];
    const i1 = bootstrapRatio(a, b, 42, 500);
    const i2 = bootstrapRatio(a, b, 42, 500);
    expect(i1).toEqual(i2);
    expect(i1.lo).toBeGreaterThan(1.8);
    expect(i1.hi).toBeLessThan(2.2);
    expect(i1.lo).toBeLessThanOrEqual(i1.estimate);
    expect(i1.hi).toBeGreaterThanOrEqual(i1.estimate);
    // Same distribution: the interval includes 1 in most of 40 independent cases (nominal 95%).
    let covered = 0;
    for (let k = 0; k < 40; k++) {
      const x = [[noisy(100, 30), noisy(100, 30)]];
      const y = [[noisy(100, 30), noisy(100, 30)]];
      const ci = bootstrapRatio(x, y, k, 300);
      if (ci.lo <= 1 && ci.hi >= 1) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(34);
  });

  it('variant specs: compiler resolved, missing compiler named, build-breaking flags refused', () => {
    const v = parseVariant('clang-19   -O2 -fno-vectorize');
    expect(v.label).toBe('clang-19 -O2 -fno-vectorize');
    expect(v.flags).toEqual(['-O2', '-fno-vectorize']);
    expect(v.family).toBe('clang');
    expect(() => parseVariant('no-such-cc-42 -O2')).toThrow(/compiler no-such-cc-42 not found/);
    expect(() => parseVariant('clang-19 -O2 -o x')).toThrow(/flag -o cannot be used/);
    const two = parseVariants(['clang-19 -O2', 'clang-19 -O2']);
    expect(two.map((x) => x.label)).toEqual(['clang-19 -O2', 'clang-19 -O2 #2']);
  });
});
