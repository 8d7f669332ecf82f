/**
 * @fileoverview Stage: ir (printer). The lexical layer of the IR printer: names, strings, types, literal
 * constants, attribute spelling helpers and the byte buffer function bodies are written into.
 *
 * Consumes: names, types (./types) and constant bits. Produces: their IR spelling (`printName`,
 * `printType`, `printFloatBits`, `printIntValue`, ...). `printType` is the one type printer of the
 * project: the parser's error messages use it too. Re-exported by ./printer, the printer's entry point.
 */
import type { FloatKind, Type } from './types.js';

// ---------------------------------------------------------------------------------------------------
// Names and strings

const SIMPLE_NAME = /^[-a-zA-Z$._][-a-zA-Z$._0-9]*$/;
export const DIGITS = /^[0-9]+$/;
const HEX = '0123456789ABCDEF';

/** Escapes bytes the way LLVM's `printEscapedString` does: printable ASCII except `"` and `\` stay. */
export function escapeBytes(bytes: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) parts.push('\\' + HEX[c >> 4] + HEX[c & 15]);
    else parts.push(String.fromCharCode(c));
  }
  return parts.join('');
}

/** Escapes a string (given as text, written as its UTF-8 bytes) for use inside `"..."`. */
export function escapeString(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f"\\\u007f-\uffff]/.test(s)) return s;
  return escapeBytes(Buffer.from(s, 'utf8'));
}

/** A name as it follows its sigil (`%`, `@`, `$`): bare when LLVM allows it, quoted and escaped otherwise. */
export function printName(name: string): string {
  return SIMPLE_NAME.test(name) ? name : `"${escapeString(name)}"`;
}

/** True for a source name the printer keeps; undefined, empty and all-digit names are numbered instead. */
export function isNamed(name: string | undefined): name is string {
  return name !== undefined && name !== '' && !DIGITS.test(name);
}

// ---------------------------------------------------------------------------------------------------
// Types

/** The IR spelling of a type (`i32`, `ptr addrspace(1)`, `{ i8, [4 x i16] }`, `%struct.S`). */
export function printType(t: Type): string {
  return typeText(t, printType);
}

/**
 * The IR spelling of a type whose component types are spelled by `show`: `printType` itself, or the
 * printer's per-module cache. The one definition of how each kind of type is written.
 */
export function typeText(t: Type, show: (t: Type) => string): string {
  switch (t.kind) {
    case 'void':
    case 'label':
    case 'metadata':
    case 'token':
    case 'x86_mmx':
    case 'x86_amx':
      return t.kind;
    case 'int':
      return `i${t.bits}`;
    case 'float':
      return t.fk;
    case 'ptr':
      return t.addrSpace === 0 ? 'ptr' : `ptr addrspace(${t.addrSpace})`;
    case 'array':
      return `[${t.len} x ${show(t.elem)}]`;
    case 'vector':
      return t.scalable ? `<vscale x ${t.len} x ${show(t.elem)}>` : `<${t.len} x ${show(t.elem)}>`;
    case 'struct':
      if (t.name !== undefined) return '%' + (DIGITS.test(t.name) ? t.name : printName(t.name));
      return structBody(t.fields, t.packed, show);
    case 'func': {
      const ps = t.params.map((p) => show(p));
      if (t.varargs) ps.push('...');
      return `${show(t.ret)} (${ps.join(', ')})`;
    }
    case 'target': {
      const ps = [
        `"${escapeString(t.name)}"`,
        ...t.typeParams.map((p) => show(p)),
        ...t.intParams.map(String),
      ];
      return `target(${ps.join(', ')})`;
    }
  }
}

export function structBody(fields: readonly Type[], packed: boolean, show: (t: Type) => string): string {
  const body = fields.length === 0 ? '{}' : `{ ${fields.map(show).join(', ')} }`;
  return packed ? `<${body}>` : body;
}

// ---------------------------------------------------------------------------------------------------
// Simple constants

const MASK64 = (1n << 64n) - 1n;

function hexDigits(v: bigint, digits: number): string {
  return v.toString(16).toUpperCase().padStart(digits, '0');
}

/** Widens an IEEE single bit pattern to the double with the same value (NaN payloads kept, not quieted). */
export function floatBitsToDoubleBits(b: number): bigint {
  const sign = BigInt((b >>> 31) & 1) << 63n;
  const exp = (b >>> 23) & 0xff;
  let man = b & 0x7fffff;
  if (exp === 0xff) return sign | (0x7ffn << 52n) | (BigInt(man) << 29n);
  if (exp === 0) {
    if (man === 0) return sign;
    let e = -126;
    while ((man & 0x800000) === 0) {
      man <<= 1;
      e--;
    }
    man &= 0x7fffff;
    return sign | (BigInt(e + 1023) << 52n) | (BigInt(man) << 29n);
  }
  return sign | (BigInt(exp - 127 + 1023) << 52n) | (BigInt(man) << 29n);
}

/** A floating-point constant as LLVM's exact hexadecimal form (LangRef, "Simple Constants"). */
export function printFloatBits(fk: FloatKind, bits: bigint): string {
  switch (fk) {
    case 'double':
      return '0x' + hexDigits(bits & MASK64, 16);
    case 'float':
      return '0x' + hexDigits(floatBitsToDoubleBits(Number(bits & 0xffffffffn)), 16);
    case 'half':
      return '0xH' + hexDigits(bits & 0xffffn, 4);
    case 'bfloat':
      return '0xR' + hexDigits(bits & 0xffffn, 4);
    case 'x86_fp80':
      return '0xK' + hexDigits(bits & ((1n << 80n) - 1n), 20);
    case 'fp128':
      return '0xL' + hexDigits(bits & MASK64, 16) + hexDigits((bits >> 64n) & MASK64, 16);
    case 'ppc_fp128':
      return '0xM' + hexDigits(bits & MASK64, 16) + hexDigits((bits >> 64n) & MASK64, 16);
  }
}

/** An integer constant as LLVM prints it: signed decimal, `true`/`false` for i1. */
export function printIntValue(bits: number, value: bigint): string {
  if (bits === 1) return (value & 1n) === 1n ? 'true' : 'false';
  // Fast paths without BigInt arithmetic where the value fits a double exactly.
  if (value >= 0n) {
    if (bits <= 53) {
      const n = Number(value);
      if (n < 2 ** (bits - 1)) return String(n);
      if (n < 2 ** bits) return String(n - 2 ** bits);
    } else if (value < 0x20000000000000n) return String(Number(value));
  }
  const b = BigInt(bits);
  const v = BigInt.asUintN(bits, value);
  return (v >> (b - 1n) === 1n ? v - (1n << b) : v).toString();
}

// ---------------------------------------------------------------------------------------------------
// Attributes

/** Keyword attributes: plain lowercase words. Anything else is a string attribute (`"key"="value"`). */
export const KEYWORD_ATTR = /^[a-z_][a-z0-9_]*$/;

export function quoted(s: string): string {
  return s.startsWith('"') ? s : `"${escapeString(s)}"`;
}

export function flagStr(flags: readonly string[]): string {
  return flags.length === 0 ? '' : flags.length === 1 ? ' ' + flags[0] : ' ' + flags.join(' ');
}

export function stripParens(v: string): string {
  return v.startsWith('(') && v.endsWith(')') ? v.slice(1, -1) : v;
}

// ---------------------------------------------------------------------------------------------------
// Output buffer

/**
 * Text written as bytes into a growing buffer: copying cached strings char by char allocates nothing, where
 * concatenating them would create millions of short-lived rope strings. Everything the printer produces is
 * ASCII except raw metadata text, which may hold other characters; those are encoded as UTF-8.
 */
export class ByteOut {
  private buf = new Uint8Array(1 << 16);
  private pos = 0;
  private ascii = true;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  /** Writes one string. */
  s(str: string): void {
    const n = str.length;
    this.reserve(n * 3);
    const b = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) {
      const c = str.charCodeAt(k);
      if (c >= 0x80) {
        p += UTF8.encodeInto(str.slice(k), b.subarray(p)).written;
        this.ascii = false;
        break;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** Writes up to eight strings (fixed parameters rather than rest: no array per call). */
  w(a: string, b?: string, c?: string, d?: string, e?: string, f?: string, g?: string, h?: string): void {
    this.s(a);
    if (b === undefined) return;
    this.s(b);
    if (c === undefined) return;
    this.s(c);
    if (d === undefined) return;
    this.s(d);
    if (e === undefined) return;
    this.s(e);
    if (f === undefined) return;
    this.s(f);
    if (g === undefined) return;
    this.s(g);
    if (h !== undefined) this.s(h);
  }

  /** The text written so far; the buffer is then emptied for reuse. */
  take(): string {
    const b = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos);
    const text = this.ascii ? b.toString('latin1') : b.toString('utf8');
    this.pos = 0;
    this.ascii = true;
    return text;
  }
}

const UTF8 = new TextEncoder();
