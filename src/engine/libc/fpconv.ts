/**
 * @fileoverview Stage: engine (libc models). Exact conversions between binary floating-point values and
 * decimal digits, the arithmetic core of printf's %f/%e/%g/%a and of strtod/strtof/strtold.
 *
 * Consumes: doubles (JS numbers), floats, and x86_fp80 long doubles as their raw 80-bit pattern (bigint).
 * Produces: decoded values (`BinFloat`: sign and m * 2^e with a bigint m), correctly rounded decimal digit
 * strings (round-half-even on exact ties, as glibc does in the default rounding mode), and correctly rounded
 * binary values from decimal or hexadecimal digit strings. Everything is exact (BigInt arithmetic); fast
 * paths through the JS number formatter are used only where they are provably identical.
 */

/** A decoded binary floating value: `(-1)^neg * m * 2^e` for finite values. */
export interface BinFloat {
  readonly neg: boolean;
  readonly cls: 'zero' | 'finite' | 'inf' | 'nan';
  /** The integer significand (>= 1 for finite values). */
  readonly m: bigint;
  readonly e: number;
}

const f64buf = new DataView(new ArrayBuffer(8));

/** Raw IEEE bits of a double. */
export function doubleBits(x: number): bigint {
  f64buf.setFloat64(0, x, true);
  return f64buf.getBigUint64(0, true);
}

/** The double with the given raw IEEE bits. */
export function doubleFromBits(b: bigint): number {
  f64buf.setBigUint64(0, BigInt.asUintN(64, b), true);
  return f64buf.getFloat64(0, true);
}

/**
 * A decoded double whose significand is made (a BigInt) only when read: printf's fast paths for doubles
 * need the class, sign and exponent alone, and printf runs in loops.
 */
class DecodedDouble implements BinFloat {
  private big: bigint | undefined;
  constructor(
    readonly neg: boolean,
    readonly cls: 'zero' | 'finite' | 'inf' | 'nan',
    readonly e: number,
    /** The significand's high 21 bits (the implicit bit included) and low 32 bits. */
    private readonly hi: number,
    private readonly lo: number,
  ) {}
  get m(): bigint {
    this.big ??= this.cls === 'finite' ? (BigInt(this.hi) << 32n) | BigInt(this.lo) : 0n;
    return this.big;
  }
}

/** Decode a double (floats are exactly representable as doubles, so they decode through here too). */
export function decodeDouble(x: number): BinFloat {
  f64buf.setFloat64(0, x, true);
  const hi = f64buf.getUint32(4, true);
  const lo = f64buf.getUint32(0, true);
  const neg = hi >>> 31 === 1;
  const ex = (hi >>> 20) & 0x7ff;
  const fracHi = hi & 0xfffff;
  if (ex === 0x7ff) return new DecodedDouble(neg, fracHi === 0 && lo === 0 ? 'inf' : 'nan', 0, 0, 0);
  if (ex === 0) {
    if (fracHi === 0 && lo === 0) return new DecodedDouble(neg, 'zero', 0, 0, 0);
    return new DecodedDouble(neg, 'finite', -1074, fracHi, lo);
  }
  return new DecodedDouble(neg, 'finite', ex - 1075, fracHi | 0x100000, lo);
}

/**
 * Decode an x86_fp80 given as its raw 80-bit pattern (bits 0..63 the explicit significand, 64..78 the
 * exponent, 79 the sign). Invalid encodings (pseudo-NaN, pseudo-infinity, unnormals) decode as NaN, as glibc
 * prints them since 2.29; pseudo-denormals decode by their value.
 */
export function decodeFp80(bits: bigint): BinFloat {
  const m = bits & 0xffffffffffffffffn;
  const se = Number((bits >> 64n) & 0xffffn);
  const neg = se >> 15 === 1;
  const ex = se & 0x7fff;
  const intBit = m >> 63n === 1n;
  if (ex === 0x7fff) {
    if (!intBit) return { neg, cls: 'nan', m: 0n, e: 0 };
    return { neg, cls: (m & 0x7fffffffffffffffn) === 0n ? 'inf' : 'nan', m: 0n, e: 0 };
  }
  if (ex === 0) {
    if (m === 0n) return { neg, cls: 'zero', m: 0n, e: 0 };
    return { neg, cls: 'finite', m, e: 1 - 16383 - 63 };
  }
  if (!intBit) return { neg, cls: 'nan', m: 0n, e: 0 };
  return { neg, cls: 'finite', m, e: ex - 16383 - 63 };
}

const pow10Cache: bigint[] = [1n];
/** 10^k as a bigint (cached for small k). */
export function pow10(k: number): bigint {
  if (k < 512) {
    while (pow10Cache.length <= k) pow10Cache.push(pow10Cache[pow10Cache.length - 1] * 10n);
    return pow10Cache[k];
  }
  return 10n ** BigInt(k);
}

/** round(num / den) with ties to even; num >= 0, den > 0. */
function divRoundEven(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r2 = (num - q * den) * 2n;
  if (r2 > den || (r2 === den && (q & 1n) === 1n)) return q + 1n;
  return q;
}

/** Number of bits of a positive bigint. */
export function bitLength(x: bigint): number {
  // toString(16) is linear and fast; refine the top digit.
  const s = x.toString(16);
  const top = parseInt(s[0], 16);
  return (s.length - 1) * 4 + (32 - Math.clz32(top));
}

/**
 * The decimal digits of round(|v| * 10^prec), v = m * 2^e (m >= 0), ties to even: the digits of %.<prec>f
 * without the decimal point. Returns at least one digit.
 */
export function fixedDigits(m: bigint, e: number, prec: number): string {
  if (m === 0n) return '0';
  let num = m * pow10(prec);
  if (e >= 0) return (num << BigInt(e)).toString();
  const sh = BigInt(-e);
  const q = num >> sh;
  const rem = num - (q << sh);
  const half = 1n << (sh - 1n);
  num = q;
  if (rem > half || (rem === half && (q & 1n) === 1n)) num = q + 1n;
  return num.toString();
}

/**
 * `prec + 1` significant decimal digits of v = m * 2^e (m > 0), correctly rounded (ties to even), and the
 * decimal exponent of the first digit: v ~= d.ddd * 10^exp10.
 */
export function sciDigits(m: bigint, e: number, prec: number): { digits: string; exp10: number } {
  const lg = bitLength(m) - 1 + e; // floor(log2 v)
  let x = Math.floor(lg * 0.3010299956639812);
  for (;;) {
    const k = x - prec; // digits = round(v / 10^k)
    let num = m;
    let den = 1n;
    if (e >= 0) num <<= BigInt(e);
    else den <<= BigInt(-e);
    if (k >= 0) den *= pow10(k);
    else num *= pow10(-k);
    const d = divRoundEven(num, den);
    if (d >= pow10(prec + 1)) {
      x++;
      continue;
    }
    if (d < pow10(prec)) {
      x--;
      continue;
    }
    return { digits: d.toString(), exp10: x };
  }
}

// ---------------------------------------------------------------------------------------------------
// Decimal / hexadecimal to binary

/** A binary format: significand bits (including the leading bit) and exponent range. */
export interface BinFormat {
  /** Significand precision in bits, including the leading (possibly implicit) bit. */
  readonly p: number;
  /** Exponent of the smallest normal number (as 2^emin). */
  readonly emin: number;
  /** Exponent of the largest finite number's leading bit. */
  readonly emax: number;
}
export const F32: BinFormat = { p: 24, emin: -126, emax: 127 };
export const F64: BinFormat = { p: 53, emin: -1022, emax: 1023 };
export const F80: BinFormat = { p: 64, emin: -16382, emax: 16383 };

/** A correctly rounded result: `m * 2^e` with m < 2^p, or infinity; flags for errno. */
export interface Rounded {
  readonly inf: boolean;
  readonly m: bigint;
  readonly e: number;
  /** The result is inexact and tiny (subnormal or zero) or overflowed: strtod sets ERANGE. */
  readonly range: boolean;
}

/**
 * Round `num / den * 2^shift` (num >= 0, den > 0) to the format, ties to even. `num` may be 0.
 */
export function roundRatio(num: bigint, den: bigint, shift: number, fmt: BinFormat): Rounded {
  if (num === 0n) return { inf: false, m: 0n, e: 0, range: false };
  // floor(log2(num/den)) is lb or lb-1.
  let lb = bitLength(num) - bitLength(den);
  if (lb >= 0 ? num < den << BigInt(lb) : num << BigInt(-lb) < den) lb--;
  // Exponent of the leading bit of the value.
  const lead = lb + shift;
  if (lead > fmt.emax) return { inf: true, m: 0n, e: 0, range: true };
  // The exponent of the lowest significand bit: normal -> lead - p + 1; subnormal -> emin - p + 1.
  const lowExp = Math.max(lead, fmt.emin) - fmt.p + 1;
  // q = round(num/den * 2^(shift - lowExp))
  const s = shift - lowExp;
  let n = num;
  let d = den;
  if (s >= 0) n <<= BigInt(s);
  else d <<= BigInt(-s);
  const q0 = n / d;
  const r = n - q0 * d;
  let q = q0;
  const r2 = r * 2n;
  if (r2 > d || (r2 === d && (q0 & 1n) === 1n)) q++;
  let e = lowExp;
  if (q >> BigInt(fmt.p) !== 0n) {
    q >>= 1n;
    e++;
    if (e + fmt.p - 1 > fmt.emax) return { inf: true, m: 0n, e: 0, range: true };
  }
  // Tininess is detected after rounding (as on x86): a value just below the smallest normal that rounds
  // to it at full precision is not tiny.
  let tiny = lead < fmt.emin;
  if (tiny && lead === fmt.emin - 1) {
    const s2 = shift - (lead - fmt.p + 1);
    const n2 = s2 >= 0 ? num << BigInt(s2) : num;
    const d2 = s2 >= 0 ? den : den << BigInt(-s2);
    if (divRoundEven(n2, d2) >> BigInt(fmt.p) !== 0n) tiny = false;
  }
  // glibc sets ERANGE for a tiny inexact result (and for a result that rounded to zero).
  const range = tiny && r !== 0n;
  return { inf: false, m: q, e, range };
}

/**
 * Correctly round the decimal value `digits * 10^exp10` (digits: a string of decimal digits, may be long,
 * may have leading zeros) to the format.
 */
export function decimalToBinary(digits: string, exp10: number, fmt: BinFormat): Rounded {
  let i = 0;
  while (i < digits.length && digits.charCodeAt(i) === 48) i++;
  let ds = digits.slice(i);
  let j = ds.length;
  while (j > 0 && ds.charCodeAt(j - 1) === 48) j--;
  exp10 += ds.length - j;
  ds = ds.slice(0, j);
  if (ds.length === 0) return { inf: false, m: 0n, e: 0, range: false };
  // Magnitude guard: value ~ 10^(exp10 + len - 1).
  const mag = exp10 + ds.length;
  if (mag > 5000) return { inf: true, m: 0n, e: 0, range: true };
  if (mag < -5000) return { inf: false, m: 0n, e: 0, range: true };
  // Truncating extremely long inputs is not exact; keep all digits up to a generous bound and fold the
  // rest into a sticky digit (exact for rounding purposes, since only the position of the first nonzero
  // discarded digit matters and the bound exceeds the ~11,500 digits any halfway case can need for fp80).
  const LIMIT = 12000;
  if (ds.length > LIMIT) {
    exp10 += ds.length - LIMIT - 1;
    ds = ds.slice(0, LIMIT) + '1';
  }
  const m = BigInt(ds);
  if (exp10 >= 0) return roundRatio(m * pow10(exp10), 1n, 0, fmt);
  return roundRatio(m, pow10(-exp10), 0, fmt);
}

/** Fast exact path for doubles: few digits and a small exponent (Clinger). Returns undefined if not taken. */
export function fastDecimalToDouble(digits: string, exp10: number): number | undefined {
  if (digits.length > 15 || exp10 > 22 || exp10 < -22) return undefined;
  const v = Number(digits);
  if (v >= 2 ** 53) return undefined;
  return exp10 >= 0 ? v * 10 ** exp10 : v / 10 ** -exp10;
}

/** Assemble a double from a rounded result. */
export function roundedToDouble(r: Rounded, neg: boolean): number {
  let v: number;
  if (r.inf) v = Infinity;
  else if (r.m === 0n) v = 0;
  else v = Number(r.m) * 2 ** r.e; // m < 2^53 and -1074 <= e <= 971: both factors and the product are exact
  return neg ? -v : v;
}

/** Assemble the raw 80-bit pattern of an x86_fp80 from a rounded result. */
export function roundedToFp80(r: Rounded, neg: boolean): bigint {
  const sign = neg ? 1n << 79n : 0n;
  if (r.inf) return sign | (0x7fffn << 64n) | (1n << 63n);
  if (r.m === 0n) return sign;
  // Normalise: the significand has the leading bit at position 63 for normals.
  let m = r.m;
  let e = r.e;
  const bl = bitLength(m);
  m <<= BigInt(64 - bl);
  e -= 64 - bl;
  // value = m * 2^e with bit 63 set; biased exponent = e + 63 + 16383.
  let be = e + 63 + 16383;
  if (be <= 0) {
    // Subnormal: biased exponent 0 means 2^(1-16383-63) scaling.
    m >>= BigInt(1 - be);
    be = 0;
  }
  return sign | (BigInt(be) << 64n) | m;
}

/** Decode an fp80 to the nearest double (for math functions on long double computed in double). */
export function fp80ToDouble(bits: bigint): number {
  const d = decodeFp80(bits);
  if (d.cls === 'nan') return d.neg ? -NaN : NaN;
  if (d.cls === 'inf') return d.neg ? -Infinity : Infinity;
  if (d.cls === 'zero') return d.neg ? -0 : 0;
  const r = roundRatio(d.m, 1n, d.e, F64);
  return roundedToDouble(r, d.neg);
}

/** The exact fp80 pattern of a double. */
export function doubleToFp80(x: number): bigint {
  const d = decodeDouble(x);
  const sign = d.neg ? 1n << 79n : 0n;
  if (d.cls === 'nan') return sign | (0x7fffn << 64n) | (3n << 62n);
  if (d.cls === 'inf') return sign | (0x7fffn << 64n) | (1n << 63n);
  if (d.cls === 'zero') return sign;
  return roundedToFp80({ inf: false, m: d.m, e: d.e, range: false }, d.neg);
}
