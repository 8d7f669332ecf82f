/**
 * @fileoverview Stage: ir. Floating-point literals of the IR text turned into raw bit patterns.
 *
 * Consumes: the text of a float token (`1.000000e+00`, `0x3FF0000000000000`, `0xK4000C000000000000000`,
 * `0xH3C00`, `0xR3F80`, `0xL...`, `0xM...`) and the float kind it is used as. Produces: the bit pattern of
 * the value in that format as a bigint (`ConstFloat.bits`), or undefined when the literal does not fit the
 * kind (the parser turns that into a positioned error).
 */
import type { FloatKind } from './types.js';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function doubleBits(d: number): bigint {
  f64[0] = d;
  return u64[0];
}
function bitsDouble(b: bigint): number {
  u64[0] = b;
  return f64[0];
}

/** Bits of `d` rounded to IEEE single precision. */
function toFloat32Bits(d: number): number {
  f32[0] = d;
  return u32[0];
}

/** IEEE half from a double (round to nearest even, via single precision). */
function toHalfBits(d: number): number {
  const x = toFloat32Bits(d);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 | (mant >>> 13) : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1) !== 0)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1) !== 0)) h++;
  return sign | h;
}

/** bfloat16 from a double (round to nearest even, via single precision). */
function toBFloatBits(d: number): number {
  const x = toFloat32Bits(d);
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return (x >>> 16) | 0x40;
  const lower = x & 0xffff;
  let up = x >>> 16;
  if (lower > 0x8000 || (lower === 0x8000 && (up & 1) !== 0)) up++;
  return up & 0xffff;
}

/** A double widened to a format with a 15-bit exponent (x86_fp80 with explicit integer bit, fp128). */
function toWide(d: number, fracBits: number, explicitInt: boolean): bigint {
  const b = doubleBits(d);
  const sign = b >> 63n;
  const exp = Number((b >> 52n) & 0x7ffn);
  let frac = b & 0xfffffffffffffn;
  const expBits = 15n;
  const totalFrac = BigInt(fracBits);
  let e: bigint;
  let intBit = 1n;
  if (exp === 0x7ff) {
    e = 0x7fffn;
  } else if (exp === 0) {
    if (frac === 0n) {
      e = 0n;
      intBit = 0n;
    } else {
      // Normalise the subnormal double.
      let ee = -1022;
      while ((frac & (1n << 52n)) === 0n) {
        frac <<= 1n;
        ee--;
      }
      frac &= 0xfffffffffffffn;
      e = BigInt(ee + 16383);
    }
  } else {
    e = BigInt(exp - 1023 + 16383);
  }
  const shifted = frac << (totalFrac - 52n);
  const signPos = totalFrac + (explicitInt ? 1n : 0n) + expBits;
  let out = (sign << signPos) | (e << (signPos - expBits)) | shifted;
  if (explicitInt) out |= intBit << totalFrac;
  return out;
}

/**
 * A NaN narrowed to a format with `expBits` exponent bits and `fracBits` fraction bits, keeping the sign,
 * the quiet/signalling bit and the top of the payload (JS conversions would quieten it).
 */
function narrowNaN(b: bigint, expBits: number, fracBits: number): bigint {
  const sign = b >> 63n;
  let frac = (b & 0xfffffffffffffn) >> BigInt(52 - fracBits);
  if (frac === 0n) frac = 1n << BigInt(fracBits - 1);
  return (sign << BigInt(expBits + fracBits)) | (((1n << BigInt(expBits)) - 1n) << BigInt(fracBits)) | frac;
}

/** The double with bit pattern `b` in format `fk` (NaN payloads kept from the bits, not from a JS number). */
function fromDoubleBits(b: bigint, fk: FloatKind): bigint {
  const isNaN = (b & 0x7ff0000000000000n) === 0x7ff0000000000000n && (b & 0xfffffffffffffn) !== 0n;
  if (isNaN) {
    if (fk === 'float') return narrowNaN(b, 8, 23);
    if (fk === 'half') return narrowNaN(b, 5, 10);
    if (fk === 'bfloat') return narrowNaN(b, 8, 7);
    if (fk === 'ppc_fp128' || fk === 'double') return b;
    // Wide formats: the payload moves up unchanged.
    const sign = b >> 63n;
    const frac = b & 0xfffffffffffffn;
    if (fk === 'fp128') return (sign << 127n) | (0x7fffn << 112n) | (frac << 60n);
    return (sign << 79n) | (0x7fffn << 64n) | (1n << 63n) | (frac << 11n);
  }
  return fromDouble(bitsDouble(b), fk);
}

function fromDouble(d: number, fk: FloatKind): bigint {
  switch (fk) {
    case 'double':
      return doubleBits(d);
    case 'float':
      return BigInt(toFloat32Bits(d));
    case 'half':
      return BigInt(toHalfBits(d));
    case 'bfloat':
      return BigInt(toBFloatBits(d));
    case 'x86_fp80':
      return toWide(d, 63, true);
    case 'fp128':
      return toWide(d, 112, false);
    case 'ppc_fp128':
      return doubleBits(d);
  }
}

const HEX_DIGITS: Record<string, number> = { K: 20, L: 32, M: 32, H: 4, R: 4 };
const HEX_KIND: Record<string, FloatKind> = {
  K: 'x86_fp80',
  L: 'fp128',
  M: 'ppc_fp128',
  H: 'half',
  R: 'bfloat',
};

/**
 * The bit pattern of a float literal used as kind `fk`, or a string describing why it does not fit.
 */
export function floatLiteralBits(text: string, fk: FloatKind): bigint | string {
  if (text.length > 2 && text.charCodeAt(0) === 48 && text.charCodeAt(1) === 120) {
    const k = text[2];
    const digits = HEX_DIGITS[k];
    if (digits !== undefined) {
      const hex = text.slice(3);
      if (hex.length > digits) return `hexadecimal literal too long for ${HEX_KIND[k]}`;
      if (HEX_KIND[k] !== fk) return `a 0x${k} literal is ${HEX_KIND[k]}, not ${fk}`;
      if (k === 'L' || k === 'M') {
        // LLVM writes the low 64 bits first, then the high 64 bits.
        const lo = BigInt('0x' + hex.slice(0, 16));
        const hi = hex.length > 16 ? BigInt('0x' + hex.slice(16)) : 0n;
        return (hi << 64n) | lo;
      }
      return BigInt('0x' + hex);
    }
    const hex = text.slice(2);
    if (hex.length > 16) return 'hexadecimal double literal longer than 16 digits';
    const bits = BigInt('0x' + hex);
    return fk === 'double' ? bits : fromDoubleBits(bits, fk);
  }
  const d = Number(text);
  if (Number.isNaN(d)) return `malformed floating-point literal '${text}'`;
  return fromDouble(d, fk);
}
