/**
 * @fileoverview Stage: engine (runtime helpers). The helper functions generated code calls by name (the `RT.h`
 * table destructured by the prelude in link.ts): i64 and fp80 arithmetic, conversions, bit operations, rounding,
 * boxing at the external boundary, and wide loads/stores.
 *
 * Consumes: JS numbers/bigints in the engine's representation (values.ts). Produces: the same. All helpers are
 * small and monomorphic so TurboFan can inline them. Most are pure (one module-level table shared by all
 * engines); the loads and stores of wide and boxed leaves close over one engine's DataView.
 */
import * as fp80 from './fp80.js';
import * as i64 from './i64.js';
import { fmodX86, mulAddF32X86, mulAddX86, nanOf } from './fpnan.js';
import { Trap } from './outcome.js';
import { type ExtValue } from './externals.js';

const H = i64.H;

/** Thrown by longjmp; caught by the frame that called setjmp (dispatcher-mode functions). */
export class LongJump extends Error {
  constructor(
    readonly frame: number,
    readonly state: number,
    readonly value: number,
    readonly sp: number,
  ) {
    super('longjmp');
  }
}

function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
function bswap32(x: number): number {
  return ((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24);
}
function brev32(x: number): number {
  x = ((x >>> 1) & 0x55555555) | ((x & 0x55555555) << 1);
  x = ((x >>> 2) & 0x33333333) | ((x & 0x33333333) << 2);
  x = ((x >>> 4) & 0x0f0f0f0f) | ((x & 0x0f0f0f0f) << 4);
  return bswap32(x);
}
function bigBitOp(name: string, x: bigint, w: number): bigint {
  const s = x.toString(2).padStart(w, '0');
  switch (name) {
    case 'ctpop':
      return BigInt([...s].filter((c) => c === '1').length);
    case 'ctlz':
      return BigInt(x === 0n ? w : w - x.toString(2).length);
    case 'cttz': {
      const i = s.lastIndexOf('1');
      return BigInt(i < 0 ? w : w - 1 - i);
    }
    case 'bitreverse':
      return BigInt('0b' + [...s].reverse().join(''));
    case 'bswap': {
      let r = 0n;
      for (let k = 0; k < w / 8; k++) r = (r << 8n) | ((x >> BigInt(8 * k)) & 0xffn);
      return r;
    }
  }
  throw new Trap('unsupported-feature', `bit operation ${name}`);
}
function fsh64(left: boolean, al: number, ah: number, bl: number, bh: number, c: number): number {
  let s = c & 63;
  if (s === 0) {
    H[0] = left ? ah : bh;
    return left ? al : bl;
  }
  // fshl(a, b, s) is fshr(a, b, 64 - s): the low 64 bits of the 128-bit a:b shifted right.
  if (left) s = 64 - s;
  return fshr64Words(ah, al, bh, bl, s);
}

/** Low 64 bits of the 128-bit value ah:al:bh:bl shifted right by s (1..63); high half in H[0]. */
function fshr64Words(ah: number, al: number, bh: number, bl: number, s: number): number {
  if (s < 32) {
    H[0] = (bh >>> s) | (al << (32 - s));
    return (bl >>> s) | (bh << (32 - s));
  }
  if (s === 32) {
    H[0] = al;
    return bh;
  }
  const t = s - 32;
  H[0] = (al >>> t) | (ah << (32 - t));
  return (bh >>> t) | (al << (32 - t));
}

function rint(x: number): number {
  if (!(Math.abs(x) < 4503599627370496)) return x;
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
function round(x: number): number {
  if (!(Math.abs(x) < 4503599627370496)) return x;
  const r = Math.round(Math.abs(x));
  return x < 0 || Object.is(x, -0) ? -r : r;
}
function copysign(a: number, b: number): number {
  const neg = b < 0 || Object.is(b, -0);
  return neg ? -Math.abs(a) : Math.abs(a);
}
function minnum(a: number, b: number): number {
  if (a !== a) return b;
  if (b !== b) return a;
  return Math.min(a, b);
}
function maxnum(a: number, b: number): number {
  if (a !== a) return b;
  if (b !== b) return a;
  return Math.max(a, b);
}
/** compiler-rt's __powidf2. */
function powi(a: number, b: number): number {
  const recip = b < 0;
  let r = 1;
  for (;;) {
    if (b & 1) r *= a;
    b = (b / 2) | 0;
    if (b === 0) break;
    a *= a;
  }
  return recip ? 1 / r : r;
}
/** Fused multiply-add of doubles, correctly rounded (exact BigInt arithmetic, one rounding). */
function fma(a: number, b: number, c: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b) || !Number.isFinite(c)) return a * b + c;
  const ea = exact(a);
  const eb = exact(b);
  const ec = exact(c);
  const pm = ea.m * eb.m;
  const pe = ea.e + eb.e;
  const e = Math.min(pe, ec.e);
  const sum = (pm << BigInt(pe - e)) + (ec.m << BigInt(ec.e - e));
  if (sum === 0n) return a * b + c;
  return Number(sum) === Infinity || Number(sum) === -Infinity ? a * b + c : ratToDouble(sum, e);
}
function exact(x: number): { m: bigint; e: number } {
  if (x === 0) return { m: 0n, e: 0 };
  let e = Math.floor(Math.log2(Math.abs(x))) - 52;
  if (e < -1074) e = -1074;
  let m = x / 2 ** e;
  while (!Number.isInteger(m)) {
    e -= 1;
    m = x / 2 ** e;
  }
  return { m: BigInt(m), e };
}
function ratToDouble(m: bigint, e: number): number {
  const neg = m < 0n;
  let a = neg ? -m : m;
  const bits = a.toString(2).length;
  let shift = bits - 53;
  if (e + shift < -1074) shift = -1074 - e;
  if (shift > 0) {
    const sh = BigInt(shift);
    const rem = a & ((1n << sh) - 1n);
    const half = 1n << (sh - 1n);
    a >>= sh;
    e += shift;
    if (rem > half || (rem === half && (a & 1n) === 1n)) a += 1n;
  }
  const v = Number(a) * 2 ** e;
  return neg ? -v : v;
}

/** llvm.is.fpclass: 1 when x is in one of the classes of `mask` (bit 0 sNaN .. bit 9 +inf). */
function fpclass(x: number, mask: number, minNormal: number): number {
  let bit: number;
  if (x !== x) bit = 1;
  else if (x === -Infinity) bit = 2;
  else if (x === Infinity) bit = 9;
  else if (x === 0) bit = Object.is(x, -0) ? 5 : 6;
  else if (Math.abs(x) < minNormal) bit = x < 0 ? 4 : 7;
  else bit = x < 0 ? 3 : 8;
  return (mask >> bit) & 1;
}
/** llvm.ptrmask: pointer & 64-bit mask (lo, hi). */
function ptrmask(p: number, ml: number, mh: number): number {
  if (p >= 0 && p < 2147483648 && (mh === -1 || mh === 0)) return (p & ml) >>> 0;
  return Number(BigInt.asIntN(64, BigInt(p) & i64.toBig(ml, mh)));
}

/** double -> integer of `bits` as BigInt (x86 semantics for out-of-range: the "integer indefinite"). */
function f2b(d: number, bits: number, signed: boolean): bigint {
  if (!Number.isFinite(d)) return signed ? -(1n << BigInt(bits - 1)) : 0n;
  return BigInt(Math.trunc(d));
}

/** Box an i64 (lo, hi) as a signed bigint. */
function toBig(lo: number, hi: number): bigint {
  return i64.toBig(lo, hi);
}
/** Unbox a handler result for an i1..i32 slot. */
function uni32(r: ExtValue | undefined): number {
  if (typeof r === 'number') return r | 0;
  if (typeof r === 'bigint') return Number(BigInt.asIntN(32, r));
  return 0;
}
/** Unbox a handler result for an i64 slot: returns lo, sets H[0]. */
function unl(r: ExtValue | undefined): number {
  if (typeof r === 'bigint') return i64.fromBig(r);
  if (typeof r === 'number') {
    if (Number.isSafeInteger(r)) {
      H[0] = Math.floor(r / 4294967296) | 0;
      return r | 0;
    }
    return i64.fromBig(BigInt(Math.trunc(r) || 0));
  }
  H[0] = 0;
  return 0;
}

/**
 * The helpers that depend on no engine state: i64 and fp80 arithmetic, conversions, bit operations,
 * rounding, boxing at the external boundary, and the longjmp and trap classes.
 */
const PURE_HELPERS: Readonly<Record<string, unknown>> = {
  MUL64: i64.mul64,
  MULO64: i64.mulOverflows64,
  UDIV64: i64.udiv64,
  SDIV64: i64.sdiv64,
  UREM64: i64.urem64,
  SREM64: i64.srem64,
  SHL64: i64.shl64,
  LSHR64: i64.lshr64,
  ASHR64: i64.ashr64,
  S64F64: i64.s64ToF64,
  U64F64: i64.u64ToF64,
  S64F32: i64.s64ToF32,
  U64F32: i64.u64ToF32,
  F2S64: i64.f64ToS64,
  F2U64: i64.f64ToU64,
  F2S32: i64.f64ToS32,
  F2U32: i64.f64ToU32,
  PAIR2P: i64.pairToPtr,
  P2H: i64.ptrHi,
  BIG2F32: i64.bigToF32,
  F2B: f2b,
  TOBIG: toBig,
  UNI32: uni32,
  UNL: unl,
  POP32: popcnt32,
  BSWAP32: bswap32,
  BREV32: brev32,
  BIGBITOP: bigBitOp,
  FSH64: fsh64,
  RINT: rint,
  ROUND: round,
  COPYSIGN: copysign,
  FMA: fma,
  MINNUM: minnum,
  MAXNUM: maxnum,
  POWI: powi,
  XADD: fp80.f80Add,
  XSUB: fp80.f80Sub,
  XMUL: fp80.f80Mul,
  XDIV: fp80.f80Div,
  XREM: fp80.f80Rem,
  FREM: fmodX86,
  FNAN: nanOf,
  MADD: mulAddX86,
  MADDF: mulAddF32X86,
  XNEG: fp80.f80Neg,
  XCMP: fp80.f80Cmp,
  XFROMN: fp80.f80FromNumber,
  XTON: fp80.f80ToNumber,
  XTOF: fp80.f80ToF32,
  XFROMB: fp80.f80FromBigInt,
  XTOB: fp80.f80ToBigInt,
  XABS: fp80.f80Abs,
  XSQRT: fp80.f80Sqrt,
  XFLOOR: (x: bigint) => fp80.f80RoundInt(x, 'floor'),
  XCEIL: (x: bigint) => fp80.f80RoundInt(x, 'ceil'),
  XTRUNC: (x: bigint) => fp80.f80RoundInt(x, 'trunc'),
  XRINT: (x: bigint) => fp80.f80RoundInt(x, 'even'),
  XROUND: (x: bigint) => fp80.f80RoundInt(x, 'round'),
  XCOPYSIGN: (a: bigint, b: bigint) => (a & ~(1n << 79n)) | (b & (1n << 79n)),
  FPCLASS: fpclass,
  PTRMASK: ptrmask,
  LJ: LongJump,
  Trap,
};

/** Loads and stores of the leaves inline code does not access itself (fp80, wide integers, boxed leaves). */
function memoryHelpers(dv: DataView): Record<string, unknown> {
  const ld80 = (p: number): bigint => (BigInt(dv.getUint16(p + 8, true)) << 64n) | dv.getBigUint64(p, true);
  const st80 = (p: number, v: bigint): void => {
    dv.setBigUint64(p, BigInt.asUintN(64, v), true);
    dv.setUint16(p + 8, Number((v >> 64n) & 0xffffn), true);
  };
  const ldb = (p: number, n: number, bits: number): bigint => {
    let x = 0n;
    for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(dv.getUint8(p + i));
    return BigInt.asUintN(bits, x);
  };
  const stb = (p: number, n: number, v: bigint): void => {
    for (let i = 0; i < n; i++) dv.setUint8(p + i, Number((v >> BigInt(8 * i)) & 0xffn));
  };
  const ldleaf = (k: string, bits: number, p: number): number | bigint => {
    switch (k) {
      case 'i':
        return bits <= 8
          ? dv.getUint8(p) & (2 ** bits - 1)
          : bits <= 16
            ? dv.getUint16(p, true) & (2 ** bits - 1)
            : bits === 32
              ? dv.getInt32(p, true)
              : dv.getUint32(p, true) & (2 ** bits - 1);
      case 'p':
        return dv.getUint32(p, true) + dv.getInt32(p + 4, true) * 4294967296;
      case 'f':
        return dv.getFloat32(p, true);
      case 'd':
        return dv.getFloat64(p, true);
      case 'x':
        return ld80(p);
      default:
        return ldb(p, Math.ceil(bits / 8), bits);
    }
  };
  const stleaf = (k: string, bits: number, p: number, v: number | bigint): void => {
    switch (k) {
      case 'i':
        if (bits <= 8) dv.setUint8(p, v as number);
        else if (bits <= 16) dv.setUint16(p, v as number, true);
        else dv.setInt32(p, v as number, true);
        return;
      case 'p':
        dv.setInt32(p, (v as number) | 0, true);
        dv.setInt32(p + 4, i64.ptrHi(v as number), true);
        return;
      case 'f':
        dv.setFloat32(p, v as number, true);
        return;
      case 'd':
        dv.setFloat64(p, v as number, true);
        return;
      case 'x':
        st80(p, v as bigint);
        return;
      default:
        stb(p, Math.ceil(bits / 8), v as bigint);
    }
  };
  return { LD80: ld80, ST80: st80, LDB: ldb, STB: stb, LDLEAF: ldleaf, STLEAF: stleaf };
}

/** The `RT.h` table of one engine: the pure helpers, and the memory helpers over its DataView. */
export function makeHelpers(dv: DataView): Record<string, unknown> {
  return { ...PURE_HELPERS, ...memoryHelpers(dv) };
}
