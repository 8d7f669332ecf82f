/**
 * @fileoverview Stage: engine (runtime helpers). Soft-float x86_fp80 (long double) arithmetic.
 *
 * Consumes and produces raw 80-bit patterns as BigInt (sign:1, exponent:15, explicit-integer-bit mantissa:64),
 * the representation generated code uses for x86_fp80 values. Every operation computes the exact result
 * with BigInt and rounds once (round to nearest, ties to even), as the x87 FPU does at 64-bit precision.
 * long double is rare in hot code, so clarity wins over speed here.
 */

const M64 = (1n << 64n) - 1n;
const EXP_MAX = 0x7fff;
const BIAS = 16383;
/** The x87 "real indefinite" quiet NaN produced by invalid operations. */
export const F80_NAN = (0xffffn << 64n) | 0xc000000000000000n;
const F80_INF = 0x7fffn << 64n;

interface Dec {
  /** 0 finite, 1 infinity, 2 NaN */
  cls: 0 | 1 | 2;
  neg: boolean;
  /** value = m * 2^e (m >= 0) */
  m: bigint;
  e: number;
}

function decode(x: bigint): Dec {
  const neg = (x >> 79n) & 1n ? true : false;
  const E = Number((x >> 64n) & 0x7fffn);
  const m = x & M64;
  if (E === EXP_MAX) return { cls: (m & ((1n << 63n) - 1n)) === 0n ? 1 : 2, neg, m, e: 0 };
  if (E === 0) return { cls: 0, neg, m, e: -16382 - 63 };
  return { cls: 0, neg, m, e: E - BIAS - 63 };
}

function bitlen(m: bigint): number {
  return m === 0n ? 0 : m.toString(2).length;
}

/** Round m * 2^e (+ sticky) to p bits with LSB exponent >= eminLsb; returns [m, e] or null on overflow. */
function roundTo(
  m: bigint,
  e: number,
  sticky: boolean,
  p: number,
  eminLsb: number,
  emax: number,
): [bigint, number] | null {
  if (m === 0n) return [0n, eminLsb];
  let shift = bitlen(m) - p;
  if (e + shift < eminLsb) shift = eminLsb - e;
  if (shift > 0) {
    const sh = BigInt(shift);
    const rem = m & ((1n << sh) - 1n);
    const half = 1n << (sh - 1n);
    m >>= sh;
    e += shift;
    if (rem > half || (rem === half && (sticky || (m & 1n) === 1n))) {
      m += 1n;
      if (bitlen(m) > p) {
        m >>= 1n;
        e += 1;
      }
    }
  } else if (shift < 0) {
    m <<= BigInt(-shift);
    e += shift;
  }
  if (m !== 0n && e + bitlen(m) - 1 > emax) return null;
  return [m, e];
}

function encode(neg: boolean, m: bigint, e: number, sticky = false): bigint {
  const s = neg ? 1n << 79n : 0n;
  const r = roundTo(m, e, sticky, 64, -16445, 16383);
  if (r === null) return s | F80_INF;
  const [rm, re] = r;
  if (rm === 0n) return s;
  if (bitlen(rm) < 64) return s | rm; // subnormal (re === -16445)
  return s | (BigInt(re + 63 + BIAS) << 64n) | rm;
}

function quiet(x: bigint): bigint {
  return x | (0xc000000000000000n & M64) | (0x7fffn << 64n);
}

export function f80FromNumber(d: number): bigint {
  if (Number.isNaN(d)) return F80_NAN;
  const neg = d < 0 || Object.is(d, -0);
  const a = Math.abs(d);
  if (a === Infinity) return (neg ? 1n << 79n : 0n) | F80_INF;
  if (a === 0) return neg ? 1n << 79n : 0n;
  // a = m * 2^e exactly with m < 2^53. Every double is a multiple of 2^-1074, so e never goes below it
  // (for subnormals 2^(e-1) would underflow to 0 and the loop would never end).
  let e = Math.max(Math.floor(Math.log2(a)) - 52, -1074);
  let m = a / 2 ** e;
  while (!Number.isInteger(m) && e > -1074) {
    e -= 1;
    m = a / 2 ** e;
  }
  return encode(neg, BigInt(m), e);
}

function toBinary(x: bigint, p: number, eminLsb: number, emax: number): number {
  const d = decode(x);
  if (d.cls === 2) return NaN;
  if (d.cls === 1) return d.neg ? -Infinity : Infinity;
  const r = roundTo(d.m, d.e, false, p, eminLsb, emax);
  if (r === null) return d.neg ? -Infinity : Infinity;
  const v = Number(r[0]) * 2 ** r[1];
  return d.neg ? -v : v;
}
export function f80ToNumber(x: bigint): number {
  return toBinary(x, 53, -1074, 1023);
}
export function f80ToF32(x: bigint): number {
  return Math.fround(toBinary(x, 24, -149, 127));
}

export function f80FromBigInt(v: bigint): bigint {
  const neg = v < 0n;
  return encode(neg, neg ? -v : v, 0);
}
/** Truncating conversion to an integer; out of range and NaN give `fail` (the x87 integer indefinite). */
export function f80ToBigInt(x: bigint, bits: number, signed: boolean): bigint {
  const d = decode(x);
  const fail = signed ? -(1n << BigInt(bits - 1)) : 0n;
  if (d.cls !== 0) return fail;
  let v = d.e >= 0 ? d.m << BigInt(d.e) : d.m >> BigInt(-d.e);
  if (d.neg) v = -v;
  const lo = signed ? -(1n << BigInt(bits - 1)) : d.neg ? -(1n << BigInt(bits)) : 0n;
  const hi = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
  if (v < lo || v > hi) return fail;
  return v;
}

function addSub(a: bigint, b: bigint, sub: boolean): bigint {
  const x = decode(a);
  const y = decode(b);
  const yneg = sub ? !y.neg : y.neg;
  if (x.cls === 2) return quiet(a);
  if (y.cls === 2) return quiet(b);
  if (x.cls === 1 || y.cls === 1) {
    if (x.cls === 1 && y.cls === 1 && x.neg !== yneg) return F80_NAN;
    return x.cls === 1 ? a : (yneg ? 1n << 79n : 0n) | F80_INF;
  }
  if (x.m === 0n && y.m === 0n) return x.neg && yneg ? 1n << 79n : 0n;
  if (x.m === 0n) return encode(yneg, y.m, y.e);
  if (y.m === 0n) return a;
  // Far apart: the smaller only matters as a sticky bit.
  const hiX = x.e + bitlen(x.m);
  const hiY = y.e + bitlen(y.m);
  let xm = x.m;
  let xe = x.e;
  let ym = y.m;
  let ye = y.e;
  if (hiX - hiY > 140) {
    ym = 1n;
    ye = hiX - 140;
  } else if (hiY - hiX > 140) {
    xm = 1n;
    xe = hiY - 140;
  }
  const e = Math.min(xe, ye);
  const sx = (x.neg ? -xm : xm) << BigInt(xe - e);
  const sy = (yneg ? -ym : ym) << BigInt(ye - e);
  const s = sx + sy;
  if (s === 0n) return 0n;
  return encode(s < 0n, s < 0n ? -s : s, e);
}
export function f80Add(a: bigint, b: bigint): bigint {
  return addSub(a, b, false);
}
export function f80Sub(a: bigint, b: bigint): bigint {
  return addSub(a, b, true);
}
export function f80Mul(a: bigint, b: bigint): bigint {
  const x = decode(a);
  const y = decode(b);
  if (x.cls === 2) return quiet(a);
  if (y.cls === 2) return quiet(b);
  const neg = x.neg !== y.neg;
  if (x.cls === 1 || y.cls === 1) {
    if ((x.cls === 0 && x.m === 0n) || (y.cls === 0 && y.m === 0n)) return F80_NAN;
    return (neg ? 1n << 79n : 0n) | F80_INF;
  }
  if (x.m === 0n || y.m === 0n) return neg ? 1n << 79n : 0n;
  return encode(neg, x.m * y.m, x.e + y.e);
}
export function f80Div(a: bigint, b: bigint): bigint {
  const x = decode(a);
  const y = decode(b);
  if (x.cls === 2) return quiet(a);
  if (y.cls === 2) return quiet(b);
  const neg = x.neg !== y.neg;
  const s = neg ? 1n << 79n : 0n;
  if (x.cls === 1) return y.cls === 1 ? F80_NAN : s | F80_INF;
  if (y.cls === 1) return s;
  if (y.m === 0n) return x.m === 0n ? F80_NAN : s | F80_INF;
  if (x.m === 0n) return s;
  const k = 70 + bitlen(y.m) - bitlen(x.m);
  const num = k > 0 ? x.m << BigInt(k) : x.m;
  const q = num / y.m;
  const r = num % y.m;
  return encode(neg, q, x.e - y.e - Math.max(k, 0), r !== 0n);
}
/** fmod semantics (LLVM frem): exact. */
export function f80Rem(a: bigint, b: bigint): bigint {
  const x = decode(a);
  const y = decode(b);
  if (x.cls === 2) return quiet(a);
  if (y.cls === 2) return quiet(b);
  if (x.cls === 1 || (y.cls === 0 && y.m === 0n)) return F80_NAN;
  if (y.cls === 1 || x.m === 0n) return a;
  let r: bigint;
  let e: number;
  if (x.e >= y.e) {
    r = (x.m << BigInt(x.e - y.e)) % y.m;
    e = y.e;
  } else {
    r = x.m % (y.m << BigInt(y.e - x.e));
    e = x.e;
  }
  if (r === 0n) return x.neg ? 1n << 79n : 0n;
  return encode(x.neg, r, e);
}
export function f80Neg(a: bigint): bigint {
  return a ^ (1n << 79n);
}
export function f80Abs(a: bigint): bigint {
  return a & ~(1n << 79n);
}
export function f80Sqrt(a: bigint): bigint {
  const x = decode(a);
  if (x.cls === 2) return quiet(a);
  if (x.m === 0n) return a;
  if (x.neg) return F80_NAN;
  if (x.cls === 1) return a;
  // sqrt(m * 2^e): make e even and m large, integer sqrt with sticky.
  let m = x.m;
  let e = x.e;
  const extra = 140 - bitlen(m);
  let sh = extra > 0 ? extra : 0;
  if ((e - sh) % 2 !== 0) sh += 1;
  m <<= BigInt(sh);
  e -= sh;
  let r = BigInt(Math.floor(Math.sqrt(Number(m))));
  // Newton refinement to the exact integer square root.
  for (;;) {
    const n = (r + m / r) >> 1n;
    if (n >= r && n * n <= m) {
      r = n;
      break;
    }
    if (n === r) break;
    r = n;
  }
  while (r * r > m) r -= 1n;
  while ((r + 1n) * (r + 1n) <= m) r += 1n;
  return encode(false, r, e / 2, r * r !== m);
}

/** Compare: -1, 0, 1, or 2 when unordered. */
export function f80Cmp(a: bigint, b: bigint): number {
  const x = decode(a);
  const y = decode(b);
  if (x.cls === 2 || y.cls === 2) return 2;
  const key = (d: Dec): [number, bigint, number] => {
    if (d.cls === 1) return [d.neg ? -1 : 1, 1n, 1 << 30];
    if (d.m === 0n) return [0, 0n, 0];
    return [d.neg ? -1 : 1, d.m, d.e];
  };
  const [sx, mx, ex] = key(x);
  const [sy, my, ey] = key(y);
  if (sx !== sy) return sx < sy ? -1 : 1;
  if (sx === 0) return 0;
  let c: number;
  if (ex === 1 << 30 || ey === 1 << 30) c = ex === ey ? 0 : ex < ey ? -1 : 1;
  else {
    const e = Math.min(ex, ey);
    const vx = mx << BigInt(ex - e);
    const vy = my << BigInt(ey - e);
    c = vx === vy ? 0 : vx < vy ? -1 : 1;
  }
  return sx < 0 ? -c : c;
}

/** Round to an integer in the given mode: 'trunc' | 'floor' | 'ceil' | 'round' (half away) | 'even'. */
export function f80RoundInt(a: bigint, mode: 'trunc' | 'floor' | 'ceil' | 'round' | 'even'): bigint {
  const x = decode(a);
  if (x.cls !== 0 || x.m === 0n || x.e >= 0) return x.cls === 2 ? quiet(a) : a;
  const sh = BigInt(-x.e);
  let q = x.m >> sh;
  const rem = x.m - (q << sh);
  const half = 1n << (sh - 1n);
  if (rem !== 0n) {
    const up =
      mode === 'ceil'
        ? !x.neg
        : mode === 'floor'
          ? x.neg
          : mode === 'round'
            ? rem >= half
            : mode === 'even'
              ? rem > half || (rem === half && (q & 1n) === 1n)
              : false;
    if (up) q += 1n;
  }
  if (q === 0n) return x.neg ? 1n << 79n : 0n;
  return encode(x.neg, q, 0);
}

export function f80IsNaN(a: bigint): boolean {
  return decode(a).cls === 2;
}
