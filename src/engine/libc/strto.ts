/**
 * @fileoverview Stage: engine (libc models). glibc-exact number parsing: strtol/strtoul/strtoll/strtoull
 * (bases 0 and 2..36, saturation with ERANGE) and strtod/strtof/strtold (correctly rounded decimal and
 * hexadecimal floats, inf/infinity/nan(...), ERANGE on overflow and on tiny inexact results).
 *
 * Consumes: the bytes of a C string (without its NUL) and a start index. Produces: the value, the index
 * where parsing stopped (endptr) and the errno to set (0 for none). Pure: no memory access.
 */
import {
  decimalToBinary,
  doubleFromBits,
  F32,
  F64,
  F80,
  fastDecimalToDouble,
  roundedToDouble,
  roundedToFp80,
  roundRatio,
  type BinFormat,
  type Rounded,
} from './fpconv.js';

export const ERANGE = 34;
const U64_WRAP = 1n << 64n;
const U32_WRAP = 1n << 32n;
export const EINVAL = 22;

/** C-locale isspace: space, \t \n \v \f \r. */
export function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Value of c as a digit in base 36, or 99. */
function digitVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 122) return c - 87;
  if (c >= 65 && c <= 90) return c - 55;
  return 99;
}

export interface IntParse {
  /** The result as the C function returns it (two's complement in 64 bits for unsigned). */
  readonly value: bigint;
  /** Index after the last character used; the start index when no conversion was performed. */
  readonly end: number;
  readonly errno: number;
  /** endptr must not be written (invalid base). */
  readonly noEnd?: boolean;
}

/**
 * strtol family: `signed` selects strtol/strtoll (saturate to [-2^63, 2^63)) versus strtoul/strtoull
 * (saturate to 2^64-1, negation of the magnitude for a leading '-'). `bits` is 64 on x86-64 for all of them
 * (32 only for internal callers wanting int ranges).
 */
export function parseInteger(
  s: Uint8Array,
  start: number,
  base: number,
  signed: boolean,
  bits = 64,
): IntParse {
  if (base < 0 || base === 1 || base > 36) return { value: 0n, end: start, errno: EINVAL, noEnd: true };
  let i = start;
  while (i < s.length && isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === 45) {
    neg = true;
    i++;
  } else if (s[i] === 43) i++;
  if ((base === 0 || base === 16) && s[i] === 48 && (s[i + 1] | 0x20) === 120) {
    // "0x": only a prefix when a hex digit follows; otherwise the "0" alone is the number.
    if (digitVal(s[i + 2] ?? 0) < 16) {
      i += 2;
      base = 16;
    } else {
      return { value: 0n, end: i + 1, errno: 0 };
    }
  } else if (base === 0) base = s[i] === 48 ? 8 : 10;
  const digitsStart = i;
  let mag = 0n;
  let small = 0; // fast accumulation while it stays exact
  let useBig = false;
  const b = BigInt(base);
  for (; i < s.length; i++) {
    const d = digitVal(s[i]);
    if (d >= base) break;
    if (!useBig) {
      small = small * base + d;
      if (small >= 2 ** 47) {
        useBig = true;
        mag = BigInt(small);
      }
    } else mag = mag * b + BigInt(d);
  }
  if (i === digitsStart) return { value: 0n, end: start, errno: 0 };
  // Below 2^47 nothing saturates (bits is 32 or 64): one BigInt, not the range arithmetic below.
  if (!useBig && (bits === 64 || small < 2 ** 31)) {
    if (signed || !neg || small === 0) return { value: BigInt(neg ? -small : small), end: i, errno: 0 };
    return { value: (bits === 64 ? U64_WRAP : U32_WRAP) - BigInt(small), end: i, errno: 0 };
  }
  if (!useBig) mag = BigInt(small);
  const umax = (1n << BigInt(bits)) - 1n;
  if (signed) {
    const max = (1n << BigInt(bits - 1)) - 1n;
    if (!neg && mag > max) return { value: max, end: i, errno: ERANGE };
    if (neg && mag > max + 1n) return { value: -max - 1n, end: i, errno: ERANGE };
    return { value: neg ? -mag : mag, end: i, errno: 0 };
  }
  if (mag > umax) return { value: umax, end: i, errno: ERANGE };
  return { value: neg ? (umax + 1n - mag) & umax : mag, end: i, errno: 0 };
}

// ---------------------------------------------------------------------------------------------------
// Floating point

/** The syntactic result of scanning a floating-point number. */
export interface FloatScan {
  readonly neg: boolean;
  readonly kind: 'dec' | 'hex' | 'inf' | 'nan' | 'none';
  /** dec: significant digits (may have leading zeros); hex: hex digits. */
  readonly digits: string;
  /** dec: power of 10; hex: power of 2 applied to the digit string read as an integer. */
  readonly exp: number;
  readonly end: number;
  /** nan: the payload from `nan(n-char-sequence)` (strtoull base 0 of the sequence, 0 if not a number). */
  readonly payload?: bigint;
}

function lower(c: number | undefined): number {
  return c === undefined ? -1 : c | 0x20;
}

function matchWord(s: Uint8Array, i: number, w: string): boolean {
  for (let k = 0; k < w.length; k++) if (lower(s[i + k]) !== w.charCodeAt(k)) return false;
  return true;
}

/** Scan a number in strtod syntax from s[start..] (after optional whitespace). */
export function scanFloat(s: Uint8Array, start: number): FloatScan {
  let i = start;
  while (i < s.length && isSpace(s[i])) i++;
  let neg = false;
  if (s[i] === 45) {
    neg = true;
    i++;
  } else if (s[i] === 43) i++;
  const none: FloatScan = { neg: false, kind: 'none', digits: '', exp: 0, end: start };
  if (matchWord(s, i, 'inf')) {
    const end = matchWord(s, i, 'infinity') ? i + 8 : i + 3;
    return { neg, kind: 'inf', digits: '', exp: 0, end };
  }
  if (matchWord(s, i, 'nan')) {
    let end = i + 3;
    let payload = 0n;
    if (s[end] === 40) {
      let k = end + 1;
      while (k < s.length && (digitVal(s[k]) < 36 || s[k] === 95)) k++;
      if (s[k] === 41) {
        const inner = s.subarray(end + 1, k);
        const r = parseInteger(inner, 0, 0, false);
        if (r.end === inner.length) payload = r.value;
        end = k + 1;
      }
    }
    return { neg, kind: 'nan', digits: '', exp: 0, end, payload };
  }
  if (s[i] === 48 && lower(s[i + 1]) === 120) {
    // Hexadecimal: 0x h* [. h*] [p [+-] d+], at least one hex digit.
    let k = i + 2;
    let digits = '';
    let exp = 0;
    while (k < s.length && digitVal(s[k]) < 16) digits += String.fromCharCode(s[k++]);
    if (s[k] === 46) {
      k++;
      while (k < s.length && digitVal(s[k]) < 16) {
        digits += String.fromCharCode(s[k++]);
        exp -= 4;
      }
    }
    if (digits.length === 0) {
      // Just "0": the x is not part of the number.
      return { neg, kind: 'dec', digits: '0', exp: 0, end: i + 1 };
    }
    if (lower(s[k]) === 112) {
      const [e, after] = scanExponent(s, k + 1);
      if (after > 0) {
        exp += e;
        k = after;
      }
    }
    return { neg, kind: 'hex', digits, exp, end: k };
  }
  let k = i;
  let digits = '';
  let exp = 0;
  while (k < s.length && s[k] >= 48 && s[k] <= 57) digits += String.fromCharCode(s[k++]);
  if (s[k] === 46) {
    const dot = k;
    k++;
    while (k < s.length && s[k] >= 48 && s[k] <= 57) {
      digits += String.fromCharCode(s[k++]);
      exp--;
    }
    if (digits.length === 0) return none;
    if (k === dot + 1 && digits.length === 0) return none;
  }
  if (digits.length === 0) return none;
  if (lower(s[k]) === 101) {
    const [e, after] = scanExponent(s, k + 1);
    if (after > 0) {
      exp += e;
      k = after;
    }
  }
  return { neg, kind: 'dec', digits, exp, end: k };
}

/** `[+-] digits` at s[i..]: returns [value (saturated), end] or [0, -1] when there are no digits. */
function scanExponent(s: Uint8Array, i: number): [number, number] {
  let neg = false;
  if (s[i] === 45) {
    neg = true;
    i++;
  } else if (s[i] === 43) i++;
  if (!(s[i] >= 48 && s[i] <= 57)) return [0, -1];
  let v = 0;
  while (i < s.length && s[i] >= 48 && s[i] <= 57) {
    if (v < 1e9) v = v * 10 + (s[i] - 48);
    i++;
  }
  return [neg ? -v : v, i];
}

/** Round a scanned finite number to a format. */
function roundScan(sc: FloatScan, fmt: BinFormat): Rounded {
  if (sc.kind === 'hex') {
    const m = BigInt('0x' + sc.digits);
    if (m === 0n) return { inf: false, m: 0n, e: 0, range: false };
    // Clamp absurd exponents (the result is 0 or inf either way).
    const e = Math.max(-100000, Math.min(100000, sc.exp));
    return roundRatio(m, 1n, e, fmt);
  }
  return decimalToBinary(sc.digits, sc.exp, fmt);
}

export interface FloatParse<T> {
  readonly value: T;
  readonly end: number;
  readonly errno: number;
}

const QNAN_BITS = 0x7ff8000000000000n;

/**
 * A quiet NaN with the payload of `nan(...)` in its low mantissa bits. For strtof (`fracBits` 23) the payload
 * sits in the float's mantissa; the double returned is that float's exact widening, so the float payload
 * bits land at bit 29 upwards of the double.
 */
function nanDouble(sc: FloatScan, fracBits: number): number {
  const pl = (sc.payload ?? 0n) & ((1n << BigInt(fracBits - 1)) - 1n);
  const bits = (sc.neg ? 1n << 63n : 0n) | QNAN_BITS | (pl << BigInt(52 - fracBits));
  return doubleFromBits(bits);
}

/** strtod. */
export function parseDouble(s: Uint8Array, start: number): FloatParse<number> {
  const sc = scanFloat(s, start);
  if (sc.kind === 'none') return { value: 0, end: start, errno: 0 };
  if (sc.kind === 'inf') return { value: sc.neg ? -Infinity : Infinity, end: sc.end, errno: 0 };
  if (sc.kind === 'nan') return { value: nanDouble(sc, 52), end: sc.end, errno: 0 };
  if (sc.kind === 'dec') {
    const fast = fastDecimalToDouble(sc.digits, sc.exp);
    if (fast !== undefined) return { value: sc.neg ? -fast : fast, end: sc.end, errno: 0 };
  }
  const r = roundScan(sc, F64);
  return { value: roundedToDouble(r, sc.neg), end: sc.end, errno: r.range ? ERANGE : 0 };
}

/** strtof (rounded once, directly to float). */
export function parseFloat32(s: Uint8Array, start: number): FloatParse<number> {
  const sc = scanFloat(s, start);
  if (sc.kind === 'none') return { value: 0, end: start, errno: 0 };
  if (sc.kind === 'inf') return { value: sc.neg ? -Infinity : Infinity, end: sc.end, errno: 0 };
  if (sc.kind === 'nan') return { value: nanDouble(sc, 23), end: sc.end, errno: 0 };
  const r = roundScan(sc, F32);
  return { value: roundedToDouble(r, sc.neg), end: sc.end, errno: r.range ? ERANGE : 0 };
}

/** strtold: the raw 80-bit pattern. */
export function parseFp80(s: Uint8Array, start: number): FloatParse<bigint> {
  const sc = scanFloat(s, start);
  const sign = sc.neg ? 1n << 79n : 0n;
  if (sc.kind === 'none') return { value: 0n, end: start, errno: 0 };
  if (sc.kind === 'inf') return { value: sign | (0x7fffn << 64n) | (1n << 63n), end: sc.end, errno: 0 };
  if (sc.kind === 'nan') {
    const pl = (sc.payload ?? 0n) & ((1n << 62n) - 1n);
    return { value: sign | (0x7fffn << 64n) | (3n << 62n) | pl, end: sc.end, errno: 0 };
  }
  const r = roundScan(sc, F80);
  return { value: roundedToFp80(r, sc.neg), end: sc.end, errno: r.range ? ERANGE : 0 };
}
