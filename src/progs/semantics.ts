/**
 * @fileoverview Stage: progs. Exact C semantics of the integer operators on x86-64, with undefined
 * behaviour detected instead of computed.
 *
 * Consumes: operand values (BigInt, already in range of their types) and their C types. Produces: the
 * result value and type, or `UB` when the C standard leaves the operation undefined (signed overflow,
 * division by zero, INT_MIN / -1, shifts by a negative or too large amount, left shifts of negative
 * values or into/past the sign bit). Implementation-defined cases follow GCC and Clang: conversion to a
 * signed type wraps, `>>` of a negative value is arithmetic.
 */

import { type CType, T_INT, commonType, convert, promote } from './ctypes.js';

export type ArithOp = '+' | '-' | '*' | '/' | '%' | '&' | '|' | '^';
export type ShiftOp = '<<' | '>>';
export type CompareOp = '<' | '>' | '<=' | '>=' | '==' | '!=';
export type LogicOp = '&&' | '||';
export type BinOp = ArithOp | ShiftOp | CompareOp | LogicOp;
export type UnOp = '-' | '~' | '!' | '+';

export const BIN_OPS: readonly BinOp[] = [
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '<<',
  '>>',
  '<',
  '>',
  '<=',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
];
export const UN_OPS: readonly UnOp[] = ['-', '~', '!', '+'];

/** Marker for an undefined result. */
export const UB = null;

export function isArith(op: BinOp): op is ArithOp {
  return op.length === 1 && op !== '<' && op !== '>';
}
export function isShift(op: BinOp): op is ShiftOp {
  return op === '<<' || op === '>>';
}

/** Result type of `a op b` (C11 6.5.5-6.5.14). */
export function binaryType(op: BinOp, a: CType, b: CType): CType {
  if (isShift(op)) return promote(a);
  if (isArith(op)) return commonType(a, b);
  return T_INT;
}

/** Result type of `op a`. */
export function unaryType(op: UnOp, a: CType): CType {
  return op === '!' ? T_INT : promote(a);
}

/** Value of `a op b` with `a: ta`, `b: tb`, or UB. Logical operators here see both values (no short-circuit). */
export function evalBinary(op: BinOp, a: bigint, ta: CType, b: bigint, tb: CType): bigint | null {
  if (isShift(op)) {
    const l = promote(ta);
    if (b < 0n || b >= BigInt(l.bits)) return UB;
    if (op === '>>') return a >> b; // arithmetic for negative signed values (implementation-defined)
    if (!l.signed) return BigInt.asUintN(l.bits, a << b);
    if (a < 0n) return UB;
    const r = a << b;
    return r > l.max ? UB : r;
  }
  if (op === '&&') return a !== 0n && b !== 0n ? 1n : 0n;
  if (op === '||') return a !== 0n || b !== 0n ? 1n : 0n;
  const c = commonType(ta, tb);
  const x = convert(a, c);
  const y = convert(b, c);
  let r: bigint;
  switch (op) {
    case '<':
      return x < y ? 1n : 0n;
    case '>':
      return x > y ? 1n : 0n;
    case '<=':
      return x <= y ? 1n : 0n;
    case '>=':
      return x >= y ? 1n : 0n;
    case '==':
      return x === y ? 1n : 0n;
    case '!=':
      return x !== y ? 1n : 0n;
    case '&':
      return convert(x & y, c);
    case '|':
      return convert(x | y, c);
    case '^':
      return convert(x ^ y, c);
    case '+':
      r = x + y;
      break;
    case '-':
      r = x - y;
      break;
    case '*':
      r = x * y;
      break;
    case '/':
    case '%':
      if (y === 0n) return UB;
      if (c.signed && x === c.min && y === -1n) return UB; // C11 6.5.5p6: INT_MIN % -1 is undefined too
      r = op === '/' ? x / y : x % y; // BigInt truncates toward zero, like C
      break;
  }
  if (!c.signed) return convert(r, c);
  return r < c.min || r > c.max ? UB : r;
}

/** Value of `op a` with `a: ta`, or UB (negating the most negative value). */
export function evalUnary(op: UnOp, a: bigint, ta: CType): bigint | null {
  if (op === '!') return a === 0n ? 1n : 0n;
  const t = promote(ta);
  if (op === '+') return a;
  if (op === '~') return convert(~a, t);
  if (!t.signed) return BigInt.asUintN(t.bits, -a);
  return a === t.min ? UB : -a;
}
