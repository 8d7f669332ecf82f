/**
 * @fileoverview Stage: engine (libc models). ctype.h in glibc's "C" locale: the classification table behind
 * `__ctype_b_loc` and the case tables behind `__ctype_tolower_loc` / `__ctype_toupper_loc`, byte-identical to
 * glibc's, plus the function forms (isalpha, toupper, ...).
 *
 * Consumes: nothing. Produces: the tables as typed arrays covering indexes -128..255 (element 0 is index
 * -128; the pointer glibc hands out points at index 0, i.e. 128 elements in), pure classification
 * functions, and the registered handlers (the tables live in read-only libc objects in engine memory).
 */
import { registerExternals, type Runtime } from '../externals.js';
import { defineStatic, int } from './common.js';

/** glibc's bit numbering on little-endian: `_ISbit(bit) = bit < 8 ? (1 << bit) << 8 : (1 << bit) >> 8`. */
function isbit(bit: number): number {
  return bit < 8 ? (1 << bit) << 8 : (1 << bit) >> 8;
}
export const IS_UPPER = isbit(0);
export const IS_LOWER = isbit(1);
export const IS_ALPHA = isbit(2);
export const IS_DIGIT = isbit(3);
export const IS_XDIGIT = isbit(4);
export const IS_SPACE = isbit(5);
export const IS_PRINT = isbit(6);
export const IS_GRAPH = isbit(7);
export const IS_BLANK = isbit(8);
export const IS_CNTRL = isbit(9);
export const IS_PUNCT = isbit(10);
export const IS_ALNUM = isbit(11);

/** Classification flags of a character 0..255 in the C locale (0 for 128..255). */
function classify(c: number): number {
  if (c >= 128) return 0;
  let f = 0;
  const upper = c >= 65 && c <= 90;
  const lower = c >= 97 && c <= 122;
  const digit = c >= 48 && c <= 57;
  if (upper) f |= IS_UPPER;
  if (lower) f |= IS_LOWER;
  if (upper || lower) f |= IS_ALPHA | IS_ALNUM;
  if (digit) f |= IS_DIGIT | IS_ALNUM;
  if (digit || (c >= 65 && c <= 70) || (c >= 97 && c <= 102)) f |= IS_XDIGIT;
  if (c === 32 || (c >= 9 && c <= 13)) f |= IS_SPACE;
  if (c >= 32 && c < 127) f |= IS_PRINT;
  if (c > 32 && c < 127) f |= IS_GRAPH;
  if (c === 32 || c === 9) f |= IS_BLANK;
  if (c < 32 || c === 127) f |= IS_CNTRL;
  if (c > 32 && c < 127 && !upper && !lower && !digit) f |= IS_PUNCT;
  return f;
}

/** `unsigned short[384]`: flags for indexes -128..255 (index -1, EOF, is 0; -128..-2 are 0 too). */
export const CTYPE_B: Uint16Array = (() => {
  const t = new Uint16Array(384);
  for (let c = 0; c < 256; c++) t[c + 128] = classify(c);
  return t;
})();

/** `int32_t[384]` for indexes -128..255: tolower. Negative indexes other than -1 map to c + 256, as glibc's. */
export const CTYPE_TOLOWER: Int32Array = caseTable((c) => (c >= 65 && c <= 90 ? c + 32 : c));
/** `int32_t[384]`: toupper. */
export const CTYPE_TOUPPER: Int32Array = caseTable((c) => (c >= 97 && c <= 122 ? c - 32 : c));

function caseTable(f: (c: number) => number): Int32Array {
  const t = new Int32Array(384);
  for (let i = -128; i < 256; i++) t[i + 128] = i === -1 ? -1 : i < 0 ? i + 256 : f(i);
  return t;
}

/** The flags of `c` as glibc's macros read them; 0 outside -128..255 (glibc reads out of bounds there). */
export function ctypeFlags(c: number): number {
  return c >= -128 && c < 256 ? CTYPE_B[c + 128] : 0;
}

export function toLower(c: number): number {
  return c >= -128 && c < 256 ? CTYPE_TOLOWER[c + 128] : c;
}
export function toUpper(c: number): number {
  return c >= -128 && c < 256 ? CTYPE_TOUPPER[c + 128] : c;
}

/** The function forms of the classification macros, by name, to their flag masks. */
export const CTYPE_PREDICATES: Readonly<Record<string, number>> = {
  isalnum: IS_ALNUM,
  isalpha: IS_ALPHA,
  isblank: IS_BLANK,
  iscntrl: IS_CNTRL,
  isdigit: IS_DIGIT,
  isgraph: IS_GRAPH,
  islower: IS_LOWER,
  isprint: IS_PRINT,
  ispunct: IS_PUNCT,
  isspace: IS_SPACE,
  isupper: IS_UPPER,
  isxdigit: IS_XDIGIT,
};

// Handlers ---------------------------------------------------------------------------------------------

function bytesLE(t: Uint16Array | Int32Array): Uint8Array {
  return new Uint8Array(t.buffer.slice(t.byteOffset, t.byteOffset + t.byteLength));
}

/** A table plus the pointer cell `*__ctype_*_loc()` returns: [cell: 8 bytes][pad 8][table]. */
function tableObject(name: string, t: Uint16Array | Int32Array) {
  const bytes = bytesLE(t);
  const elem = t.BYTES_PER_ELEMENT;
  return defineStatic(
    name,
    16 + bytes.length,
    (rt: Runtime, a: number) => {
      rt.mem.u8.set(bytes, a + 16);
      rt.mem.dv.setBigUint64(a, BigInt(a + 16 + 128 * elem), true);
    },
    true,
  );
}

const B = tableObject('__libc_ctype_b', CTYPE_B);
const LOWER = tableObject('__libc_ctype_tolower', CTYPE_TOLOWER);
const UPPER = tableObject('__libc_ctype_toupper', CTYPE_TOUPPER);

registerExternals({
  __ctype_b_loc: (rt) => B.addr(rt),
  __ctype_tolower_loc: (rt) => LOWER.addr(rt),
  __ctype_toupper_loc: (rt) => UPPER.addr(rt),
  tolower: (_rt, [c]) => toLower(int(c)),
  toupper: (_rt, [c]) => toUpper(int(c)),
  _tolower: (_rt, [c]) => int(c) + 32,
  _toupper: (_rt, [c]) => int(c) - 32,
  isascii: (_rt, [c]) => ((int(c) & ~0x7f) === 0 ? 1 : 0),
  toascii: (_rt, [c]) => int(c) & 0x7f,
  ...Object.fromEntries(
    Object.entries(CTYPE_PREDICATES).map(([name, mask]) => [
      name,
      (_rt: Runtime, [c]: (number | bigint)[]) => ctypeFlags(int(c)) & mask,
    ]),
  ),
});
