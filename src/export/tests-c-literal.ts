/**
 * @fileoverview Stage: export. C literals for the test export (`export tests`): byte arrays, string
 * literals, integers of any IR width, floats exactly (C99 hex literals with a decimal comment), and IR
 * values encoded into bytes with the pointers they hold.
 *
 * Consumes: record values (src/gen/record.ts), IR types and the module's data layout.
 * Produces: C source text; `LeaveOut` errors for what cannot be written exactly.
 */
import type { PtrTarget, ValueRec } from '../gen/record.js';
import type { DataLayout } from '../ir/datalayout.js';
import type { Type } from '../ir/types.js';

const C_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Whether `s` is a C identifier. */
export const isCIdent = (s: string): boolean => C_IDENT.test(s);

/** Why an input cannot become a test; the exporter reports it and writes no test. */
export class LeaveOut extends Error {}

export const unb64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** `{ 0x01, 0x02, ... }`, 12 bytes a line, indented; trailing zeros dropped unless `full`. */
export function byteArray(bytes: Uint8Array, indent: string, full = false): string {
  let n = bytes.length;
  if (!full) while (n > 0 && bytes[n - 1] === 0) n--;
  if (n === 0) return '{ 0 }';
  const lines: string[] = [];
  for (let i = 0; i < n; i += 12) {
    const part: string[] = [];
    for (let j = i; j < Math.min(n, i + 12); j++) part.push(`0x${bytes[j]!.toString(16).padStart(2, '0')}`);
    lines.push(indent + '  ' + part.join(', ') + ',');
  }
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** A C string literal of exactly these bytes (octal escapes, so no escape runs into the next byte). */
export function stringLiteral(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes) {
    if (b === 0x5c) s += '\\\\';
    else if (b === 0x22) s += '\\"';
    else if (b === 0x0a) s += '\\n';
    else if (b === 0x09) s += '\\t';
    else if (b >= 0x20 && b < 0x7f && b !== 0x3f) s += String.fromCharCode(b);
    else s += '\\' + b.toString(8).padStart(3, '0');
  }
  return s + '"';
}

/** An integer of `bits` bits (unsigned pattern `v`) as a C expression, signed or unsigned. */
export function intLiteral(bits: number, v: bigint, signed: boolean): string {
  const u = BigInt.asUintN(bits, v);
  if (bits > 64) {
    const hi = u >> 64n;
    const lo = u & 0xffffffffffffffffn;
    return `(((unsigned __int128)0x${hi.toString(16)}ull << 64) | 0x${lo.toString(16)}ull)`;
  }
  if (bits === 1) return u === 0n ? '0' : '1';
  if (!signed) return bits > 32 ? `${u}ull` : bits === 32 ? `${u}u` : `${u}`;
  const s = BigInt.asIntN(bits, u);
  if (bits === 64 && s === -(1n << 63n)) return '(-9223372036854775807ll - 1)';
  if (bits === 32 && s === -(1n << 31n)) return '(-2147483647 - 1)';
  return bits > 32 ? `${s}ll` : `${s}`;
}

/** C99 hex float literal of a binary64 or binary32 bit pattern; undefined for NaN and infinities. */
export function hexFloat(bits: bigint, kind: 'float' | 'double'): string | undefined {
  const [eb, mb] = kind === 'double' ? [11, 52] : [8, 23];
  const sign = (bits >> BigInt(eb + mb)) & 1n ? '-' : '';
  const e = Number((bits >> BigInt(mb)) & ((1n << BigInt(eb)) - 1n));
  let m = bits & ((1n << BigInt(mb)) - 1n);
  const bias = (1 << (eb - 1)) - 1;
  if (e === (1 << eb) - 1) return undefined;
  const suffix = kind === 'float' ? 'f' : '';
  if (e === 0 && m === 0n) return `${sign}0x0p+0${suffix}`;
  // Mantissa digits in hex: pad to a whole number of nibbles, drop trailing zeros.
  const pad = (4 - (mb % 4)) % 4;
  m <<= BigInt(pad);
  let digits = m
    .toString(16)
    .padStart((mb + pad) / 4, '0')
    .replace(/0+$/, '');
  const lead = e === 0 ? '0' : '1';
  const exp = e === 0 ? 1 - bias : e - bias;
  if (digits !== '') digits = '.' + digits;
  return `${sign}0x${lead}${digits}p${exp >= 0 ? '+' : ''}${exp}${suffix}`;
}

/** The decimal value of a float pattern, for comments (shortest round trip of a JS number). */
export function floatDecimal(bits: bigint, kind: 'float' | 'double'): string {
  const b = Buffer.alloc(8);
  if (kind === 'double') {
    b.writeBigUInt64LE(bits);
    return String(b.readDoubleLE(0));
  }
  b.writeUInt32LE(Number(bits));
  const v = b.readFloatLE(0);
  return String(Number(v.toPrecision(9)) === v ? Number(v.toPrecision(9)) : v);
}

/** A float value as a C expression of its type: an exact literal with a decimal comment. */
export function floatExpr(kind: string, hex: string): string {
  const bits = BigInt('0x' + hex);
  if (kind === 'double' || kind === 'float') {
    const lit = hexFloat(bits, kind);
    if (lit !== undefined) return `${lit} /* ${floatDecimal(bits, kind)} */`;
    return kind === 'double' ? `isx_f64(0x${hex}ull)` : `isx_f32(0x${hex}u)`;
  }
  if (kind === 'x86_fp80') {
    const b = new Uint8Array(10);
    for (let i = 0; i < 10; i++) b[i] = Number((bits >> BigInt(8 * i)) & 0xffn);
    return `isx_f80(${stringLiteral(b)})`;
  }
  throw new LeaveOut(`${kind} values are not written by the test export`);
}

const FLOAT_BYTES: Record<string, number> = { half: 2, float: 4, double: 8, x86_fp80: 10, fp128: 16 };

/** A pointer a value holds, at byte `off` of its encoding. */
export interface PtrSlot {
  readonly off: number;
  readonly to: PtrTarget;
}

/** The bytes of IR value `v` of type `t` (memory layout), with the pointer slots left zero and listed. */
export function encodeValue(dl: DataLayout, t: Type, v: ValueRec): { bytes: Uint8Array; ptrs: PtrSlot[] } {
  const bytes = new Uint8Array(t.kind === 'void' ? 0 : dl.allocSize(t));
  const ptrs: PtrSlot[] = [];
  encodeInto(dl, t, v, bytes, 0, ptrs);
  return { bytes, ptrs };
}

function writeUint(buf: Uint8Array, off: number, n: number, v: bigint): void {
  for (let i = 0; i < n; i++) buf[off + i] = Number((v >> BigInt(8 * i)) & 0xffn);
}

function encodeInto(
  dl: DataLayout,
  t: Type,
  v: ValueRec,
  buf: Uint8Array,
  off: number,
  ptrs: PtrSlot[],
): void {
  const bad = (): never => {
    throw new LeaveOut(`a "${v.t}" value for IR type ${t.kind}`);
  };
  switch (t.kind) {
    case 'int':
      if (v.t !== 'int') return bad();
      return writeUint(buf, off, Math.ceil(t.bits / 8), BigInt.asUintN(t.bits, BigInt(v.v)));
    case 'float':
      if (v.t !== 'float') return bad();
      return writeUint(buf, off, FLOAT_BYTES[t.fk] ?? 8, BigInt('0x' + v.hex));
    case 'ptr':
      if (v.t === 'null') return;
      if (v.t === 'rawptr') return writeUint(buf, off, 8, BigInt.asUintN(64, BigInt(v.addr)));
      if (v.t !== 'ptr') return bad();
      ptrs.push({ off, to: v });
      return;
    case 'struct': {
      if (v.t !== 'agg' || v.elems.length !== t.fields.length) return bad();
      const sl = dl.structLayout(t);
      t.fields.forEach((ft, i) => encodeInto(dl, ft, v.elems[i]!, buf, off + (sl.offsets[i] ?? 0), ptrs));
      return;
    }
    case 'array':
    case 'vector': {
      if (v.t !== 'agg' || v.elems.length !== t.len) return bad();
      if (t.kind === 'vector' && t.elem.kind === 'int' && t.elem.bits % 8 !== 0)
        throw new LeaveOut(`a vector of i${t.elem.bits}`);
      const stride = t.kind === 'array' ? dl.allocSize(t.elem) : dl.typeSize(t.elem);
      for (let i = 0; i < t.len; i++) encodeInto(dl, t.elem, v.elems[i]!, buf, off + i * stride, ptrs);
      return;
    }
    case 'void':
      return;
    default:
      throw new LeaveOut(`values of IR type ${t.kind}`);
  }
}
