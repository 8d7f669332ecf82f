/**
 * @fileoverview Stage: progs (random C program generator). The C integer types of x86-64 Linux (LP64:
 * char 8 signed, short 16, int 32, long 64, long long 64) and the conversions between them.
 *
 * Consumes: type names as written in C. Produces: `CType` descriptors, the integer promotions, the usual
 * arithmetic conversions and value conversion (`convert`), all exact on BigInt values.
 */

/** One C integer type. `name` is how it is spelled in generated code; `rank` is the C conversion rank. */
export interface CType {
  readonly name: string;
  readonly bits: 8 | 16 | 32 | 64;
  readonly signed: boolean;
  /** 1 char, 2 short, 3 int, 4 long, 5 long long (C11 6.3.1.1). */
  readonly rank: number;
  readonly min: bigint;
  readonly max: bigint;
  /** Literal suffix when the type has literals of its own ('' for int); undefined for types narrower than int. */
  readonly suffix: string | undefined;
  /** Dense index of the descriptor (for lookup tables). */
  readonly id: number;
}

const ALL: CType[] = [];

function mk(name: string, bits: 8 | 16 | 32 | 64, signed: boolean, rank: number, suffix?: string): CType {
  const b = BigInt(bits);
  const min = signed ? -(1n << (b - 1n)) : 0n;
  const max = signed ? (1n << (b - 1n)) - 1n : (1n << b) - 1n;
  const t: CType = { name, bits, signed, rank, min, max, suffix, id: ALL.length };
  ALL.push(t);
  return t;
}

export const T_CHAR = mk('char', 8, true, 1);
export const T_SCHAR = mk('signed char', 8, true, 1);
export const T_UCHAR = mk('unsigned char', 8, false, 1);
export const T_SHORT = mk('short', 16, true, 2);
export const T_USHORT = mk('unsigned short', 16, false, 2);
export const T_INT = mk('int', 32, true, 3, '');
export const T_UINT = mk('unsigned int', 32, false, 3, 'U');
export const T_LONG = mk('long', 64, true, 4, 'L');
export const T_ULONG = mk('unsigned long', 64, false, 4, 'UL');
export const T_LLONG = mk('long long', 64, true, 5, 'LL');
export const T_ULLONG = mk('unsigned long long', 64, false, 5, 'ULL');
// <stdint.h> on x86-64 glibc: int8_t is signed char, int64_t is long.
export const T_INT8 = mk('int8_t', 8, true, 1);
export const T_UINT8 = mk('uint8_t', 8, false, 1);
export const T_INT16 = mk('int16_t', 16, true, 2);
export const T_UINT16 = mk('uint16_t', 16, false, 2);
export const T_INT32 = mk('int32_t', 32, true, 3, '');
export const T_UINT32 = mk('uint32_t', 32, false, 3, 'U');
export const T_INT64 = mk('int64_t', 64, true, 4, 'L');
export const T_UINT64 = mk('uint64_t', 64, false, 4, 'UL');

/** Every spelling the grammar accepts for a type (words joined by one space), to its descriptor. */
const BY_NAME = new Map<string, CType>();
function alias(t: CType, ...names: string[]): void {
  BY_NAME.set(t.name, t);
  for (const n of names) BY_NAME.set(n, t);
}
alias(T_CHAR);
alias(T_SCHAR);
alias(T_UCHAR);
alias(T_SHORT, 'short int', 'signed short', 'signed short int');
alias(T_USHORT, 'unsigned short int');
alias(T_INT, 'signed', 'signed int');
alias(T_UINT, 'unsigned');
alias(T_LONG, 'long int', 'signed long', 'signed long int');
alias(T_ULONG, 'unsigned long int');
alias(T_LLONG, 'long long int', 'signed long long', 'signed long long int');
alias(T_ULLONG, 'unsigned long long int');
for (const t of [T_INT8, T_UINT8, T_INT16, T_UINT16, T_INT32, T_UINT32, T_INT64, T_UINT64]) alias(t);

/** The type spelled `words` (e.g. `unsigned long`), or undefined. */
export function typeByName(words: string): CType | undefined {
  return BY_NAME.get(words);
}

/** Canonical type of each (rank, signedness) after promotion, for the usual arithmetic conversions. */
function canonical(rank: number, signed: boolean): CType {
  switch (rank) {
    case 3:
      return signed ? T_INT : T_UINT;
    case 4:
      return signed ? T_LONG : T_ULONG;
    case 5:
      return signed ? T_LLONG : T_ULLONG;
  }
  throw new Error(`no canonical type of rank ${rank}`);
}

/** Integer promotions (C11 6.3.1.1p2): types of rank below int become int (all their values fit in int). */
export function promote(t: CType): CType {
  return t.rank < 3 ? T_INT : t;
}

/** Usual arithmetic conversions (C11 6.3.1.8) of two types; the result is always a promoted type. */
export function commonType(a: CType, b: CType): CType {
  return COMMON[a.id * ALL.length + b.id] as CType;
}

function computeCommonType(a: CType, b: CType): CType {
  const pa = promote(a);
  const pb = promote(b);
  if (pa.rank === pb.rank && pa.signed === pb.signed) return canonical(pa.rank, pa.signed);
  if (pa.signed === pb.signed) return canonical(Math.max(pa.rank, pb.rank), pa.signed);
  const u = pa.signed ? pb : pa;
  const s = pa.signed ? pa : pb;
  if (u.rank >= s.rank) return canonical(u.rank, false);
  if (s.bits > u.bits) return canonical(s.rank, true);
  return canonical(s.rank, false);
}

/** Converts an integer value to type `t` (C11 6.3.1.3; out-of-range to signed wraps, as GCC and Clang do). */
export function convert(v: bigint, t: CType): bigint {
  if (v >= t.min && v <= t.max) return v;
  return t.signed ? BigInt.asIntN(t.bits, v) : BigInt.asUintN(t.bits, v);
}

const COMMON: CType[] = [];
for (const a of ALL) for (const b of ALL) COMMON.push(computeCommonType(a, b));
