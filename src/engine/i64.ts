/**
 * @fileoverview Stage: engine (runtime helpers). 64-bit integer arithmetic on pairs of int32 (lo, hi), the
 * representation generated code uses for i64 (Emscripten/wasm2js style legalisation).
 *
 * Consumes: int32 halves. Produces: the low half as the return value and the high half in `H[0]`. Generated
 * code calls these for the operations it does not inline (mul, div, rem, variable shifts, conversions);
 * they are small and monomorphic so TurboFan inlines them.
 */

/** The "hi register": high half of the last i64 result of a helper or of a generated function. */
export const H = new Int32Array(1);

const TWO32 = 4294967296;

export function toBig(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}
/** Split a bigint (any value; taken modulo 2^64) into lo (returned) and H[0]. */
export function fromBig(v: bigint): number {
  H[0] = Number(BigInt.asIntN(32, v >> 32n));
  return Number(BigInt.asIntN(32, v));
}

/** Upper 32 bits of the unsigned product of two uint32. */
function mulhu(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

export function mul64(alo: number, ahi: number, blo: number, bhi: number): number {
  H[0] = (Math.imul(alo, bhi) + Math.imul(ahi, blo) + mulhu(alo, blo)) | 0;
  return Math.imul(alo, blo);
}

/**
 * Whether the 64-bit product overflows (signed or unsigned): exact, BigInt only when neither operand fits
 * in 32 bits. The product itself is `mul64`'s.
 */
export function mulOverflows64(alo: number, ahi: number, blo: number, bhi: number, signed: boolean): number {
  if (signed) {
    // Both operands are sign-extended int32: |product| <= 2^62.
    if (ahi === alo >> 31 && bhi === blo >> 31) return 0;
    const p = toBig(alo, ahi) * toBig(blo, bhi);
    return p === BigInt.asIntN(64, p) ? 0 : 1;
  }
  if ((ahi | bhi) === 0) return 0;
  if (ahi !== 0 && bhi !== 0) return 1; // both >= 2^32
  const p = BigInt.asUintN(64, toBig(alo, ahi)) * BigInt.asUintN(64, toBig(blo, bhi));
  return p === BigInt.asUintN(64, p) ? 0 : 1;
}

/** Unsigned value as a double when below 2^52, else -1. */
function u52(lo: number, hi: number): number {
  return hi >>> 0 < 0x100000 ? (hi >>> 0) * TWO32 + (lo >>> 0) : -1;
}
/** Signed value as a double when |v| < 2^52, else NaN. */
function s52(lo: number, hi: number): number {
  return hi >= -0x100000 && hi < 0x100000 ? hi * TWO32 + (lo >>> 0) : NaN;
}
function splitNum(v: number): number {
  H[0] = Math.floor(v / TWO32) | 0;
  return v | 0;
}

/** Quotient of non-negative integers below 2^52, exact. */
function qdiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  const r = a - q * b;
  if (r < 0) q--;
  else if (r >= b) q++;
  return q;
}

// Division by zero is checked by the generated code before these are called.
export function udiv64(alo: number, ahi: number, blo: number, bhi: number): number {
  if ((ahi | bhi) === 0) {
    H[0] = 0;
    return ((alo >>> 0) / (blo >>> 0)) | 0;
  }
  const a = u52(alo, ahi);
  const b = u52(blo, bhi);
  if (a >= 0 && b >= 0) return splitNum(qdiv(a, b));
  return fromBig(BigInt.asUintN(64, toBig(alo, ahi)) / BigInt.asUintN(64, toBig(blo, bhi)));
}
export function urem64(alo: number, ahi: number, blo: number, bhi: number): number {
  if ((ahi | bhi) === 0) {
    H[0] = 0;
    return ((alo >>> 0) % (blo >>> 0)) | 0;
  }
  const a = u52(alo, ahi);
  const b = u52(blo, bhi);
  if (a >= 0 && b >= 0) return splitNum(a - qdiv(a, b) * b);
  return fromBig(BigInt.asUintN(64, toBig(alo, ahi)) % BigInt.asUintN(64, toBig(blo, bhi)));
}
/** Signed division truncating toward zero. INT64_MIN / -1 is checked by the caller. */
export function sdiv64(alo: number, ahi: number, blo: number, bhi: number): number {
  const a = s52(alo, ahi);
  const b = s52(blo, bhi);
  if (a === a && b === b) {
    const q = qdiv(Math.abs(a), Math.abs(b));
    return splitNum(a < 0 !== b < 0 ? -q : q);
  }
  return fromBig(toBig(alo, ahi) / toBig(blo, bhi));
}
export function srem64(alo: number, ahi: number, blo: number, bhi: number): number {
  const a = s52(alo, ahi);
  const b = s52(blo, bhi);
  if (a === a && b === b) {
    const r = Math.abs(a) - qdiv(Math.abs(a), Math.abs(b)) * Math.abs(b);
    return splitNum(a < 0 ? -r : r);
  }
  return fromBig(toBig(alo, ahi) % toBig(blo, bhi));
}

export function shl64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    H[0] = hi;
    return lo;
  }
  if (n < 32) {
    H[0] = (hi << n) | (lo >>> (32 - n));
    return lo << n;
  }
  H[0] = lo << (n - 32);
  return 0;
}
export function lshr64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    H[0] = hi;
    return lo;
  }
  if (n < 32) {
    H[0] = (hi >>> n) | 0;
    return (lo >>> n) | (hi << (32 - n));
  }
  H[0] = 0;
  return (hi >>> (n - 32)) | 0;
}
export function ashr64(lo: number, hi: number, n: number): number {
  n &= 63;
  if (n === 0) {
    H[0] = hi;
    return lo;
  }
  if (n < 32) {
    H[0] = hi >> n;
    return (lo >>> n) | (hi << (32 - n));
  }
  H[0] = hi >> 31;
  return hi >> (n - 32);
}

/** Signed i64 to double, correctly rounded. */
export function s64ToF64(lo: number, hi: number): number {
  if (hi >= -0x200000 && hi < 0x200000) return hi * TWO32 + (lo >>> 0);
  return Number(toBig(lo, hi));
}
/** Unsigned i64 to double, correctly rounded. */
export function u64ToF64(lo: number, hi: number): number {
  if (hi >>> 0 < 0x200000) return (hi >>> 0) * TWO32 + (lo >>> 0);
  return Number(BigInt.asUintN(64, toBig(lo, hi)));
}
/** An integer (bigint) to float, correctly rounded (no double rounding through double). */
export function bigToF32(v: bigint): number {
  const neg = v < 0n;
  let a = neg ? -v : v;
  const bits = a.toString(2).length;
  if (bits > 24) {
    const sh = BigInt(bits - 24);
    const rem = a & ((1n << sh) - 1n);
    const half = 1n << (sh - 1n);
    a >>= sh;
    if (rem > half || (rem === half && (a & 1n) === 1n)) a += 1n;
    a <<= sh;
  }
  const f = Math.fround(Number(a));
  return neg ? -f : f;
}
export function s64ToF32(lo: number, hi: number): number {
  if (hi >= -0x200000 && hi < 0x200000) return Math.fround(hi * TWO32 + (lo >>> 0));
  return bigToF32(toBig(lo, hi));
}
export function u64ToF32(lo: number, hi: number): number {
  if (hi >>> 0 < 0x200000) return Math.fround((hi >>> 0) * TWO32 + (lo >>> 0));
  return bigToF32(BigInt.asUintN(64, toBig(lo, hi)));
}

/** fptosi double -> i64 as x86 cvttsd2si: out of range and NaN give INT64_MIN. */
export function f64ToS64(d: number): number {
  if (!(d > -9223372036854777856 && d < 9223372036854775808)) {
    H[0] = -2147483648;
    return 0;
  }
  const t = Math.trunc(d);
  H[0] = Math.floor(t / TWO32) | 0;
  return t | 0;
}
/** fptoui double -> i64 as clang lowers it on x86-64. */
export function f64ToU64(d: number): number {
  if (d >= 9223372036854775808) {
    const lo = f64ToS64(d - 9223372036854775808);
    H[0] ^= -2147483648;
    return lo;
  }
  return f64ToS64(d);
}
/** fptosi double -> i32 as cvttsd2si: out of range and NaN give INT32_MIN. */
export function f64ToS32(d: number): number {
  return d > -2147483649 && d < 2147483648 ? d | 0 : -2147483648;
}
/** fptoui double -> i32 (clang: 64-bit cvttsd2si, low half). */
export function f64ToU32(d: number): number {
  return f64ToS64(d);
}

/** A pointer value from an (lo, hi) pair: the signed 64-bit value as a double. */
export function pairToPtr(lo: number, hi: number): number {
  return hi * TWO32 + (lo >>> 0);
}
/** High half of a pointer value (for ptrtoint and pointer stores). */
export function ptrHi(p: number): number {
  return Math.floor(p / TWO32) | 0;
}
