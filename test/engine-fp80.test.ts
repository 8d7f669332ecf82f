/**
 * x86_fp80 conversions of the engine (src/engine/fp80.ts) at the edges of double's range: subnormal doubles
 * widen exactly to long double (a generated input once made this conversion loop forever).
 */
import { describe, expect, it } from 'vitest';
import { f80FromNumber, f80ToNumber } from '../src/engine/fp80.js';

describe('f80FromNumber', () => {
  it('widens the smallest subnormal double to 2^-1074 exactly', () => {
    // Biased exponent 16383 - 1074 = 0x3bcd, explicit integer bit set.
    expect(f80FromNumber(Number.MIN_VALUE)).toBe((0x3bcdn << 64n) | 0x8000000000000000n);
    expect(f80FromNumber(-Number.MIN_VALUE)).toBe((0xbbcdn << 64n) | 0x8000000000000000n);
  });

  it('round-trips subnormal, boundary and ordinary doubles', () => {
    const values = [
      1e-310,
      -3e-320,
      2.2250738585072014e-308,
      2.225073858507201e-308,
      1.5,
      -0.1,
      1e300,
      2 ** -1022,
    ];
    for (const d of values) expect(f80ToNumber(f80FromNumber(d))).toBe(d);
  });
});
