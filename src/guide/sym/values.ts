/**
 * @fileoverview Stage: guide (solver). The concolic interpreter's values and the operations on them that
 * need no interpreter state: integer and float arithmetic, comparisons, casts' table, aggregates, the
 * intrinsics computed from their operands (bit counts, saturating, funnel shifts, overflow), each giving
 * the concrete result and, when an operand is symbolic, its expression.
 *
 * Consumes: values of concolic.ts. Produces: values. `Stop` ends a path (concolic.ts catches it).
 */
import type { Type } from '../../ir/types.js';
import * as X from './expr.js';
import type { Sym } from './expr.js';

/** Ends the current path: an instruction, call or value the interpreter does not follow. */
export class Stop extends Error {}

/** An integer or pointer value. */
export type IntV = Extract<V, { k: 'i' }>;

/** An integer or pointer (`c` unsigned), a float, or an aggregate. */
export type V =
  | { readonly k: 'i'; readonly w: number; readonly c: bigint; readonly s: Sym | undefined }
  | { readonly k: 'f'; readonly w: 32 | 64; readonly c: number; readonly s?: Sym | undefined }
  | { readonly k: 'a'; readonly e: readonly V[] };

/**
 * Expressions that mix more input variables than this, or are bigger than `MAX_EXPR` as a tree, are
 * concretised where they are made (the static cost features: hash and checksum rounds mix every
 * byte of their input and make every query on them slow, and building them is slow too).
 */
export const MAX_MIX = 64;
export const MAX_EXPR = 1 << 14;
let maxMix = MAX_MIX;
let maxExpr = MAX_EXPR;
/** Expressions concretised by `MAX_MIX` / `MAX_EXPR` in the current run (reset by `Concolic.run`). */
let dropped = 0;

/** The bounds of the next run (`Infinity` turns a heuristic off). */
export function setBounds(mix: number, expr: number): void {
  maxMix = mix;
  maxExpr = expr;
}

/** The count of expressions dropped since the last call, and a fresh count. */
export function resetDropped(): number {
  const n = dropped;
  dropped = 0;
  return n;
}

export function bounded(s: Sym | undefined): Sym | undefined {
  if (s === undefined || (s.vars.size <= maxMix && s.size <= maxExpr)) return s;
  dropped++;
  return undefined;
}

export function intV(w: number, c: bigint, s?: Sym): Extract<V, { k: 'i' }> {
  return { k: 'i', w, c: BigInt.asUintN(w, c), s: bounded(s) };
}

export const CASTS: Record<string, true> = {
  trunc: true,
  zext: true,
  sext: true,
  fptrunc: true,
  fpext: true,
  fptoui: true,
  fptosi: true,
  uitofp: true,
  sitofp: true,
  ptrtoint: true,
  inttoptr: true,
  bitcast: true,
  addrspacecast: true,
};

export function floatWidth(t: Type): 32 | 64 {
  if (t.kind === 'float' && t.fk === 'float') return 32;
  if (t.kind === 'float' && t.fk === 'double') return 64;
  throw new Stop(`float type ${t.kind}`);
}

export function sym(v: Extract<V, { k: 'i' }>): Sym {
  return v.s ?? X.constant(v.w, v.c);
}

export const SMT_BIN: Record<string, string> = {
  add: 'bvadd',
  sub: 'bvsub',
  mul: 'bvmul',
  udiv: 'bvudiv',
  sdiv: 'bvsdiv',
  urem: 'bvurem',
  srem: 'bvsrem',
  shl: 'bvshl',
  lshr: 'bvlshr',
  ashr: 'bvashr',
  and: 'bvand',
  or: 'bvor',
  xor: 'bvxor',
};

export function intBinary(op: string, a: Extract<V, { k: 'i' }>, b: Extract<V, { k: 'i' }>): V {
  const w = a.w;
  const sa = BigInt.asIntN(w, a.c);
  const sb = BigInt.asIntN(w, b.c);
  const sh = b.c;
  let c: bigint;
  switch (op) {
    case 'add':
      c = a.c + b.c;
      break;
    case 'sub':
      c = a.c - b.c;
      break;
    case 'mul':
      c = a.c * b.c;
      break;
    case 'udiv':
    case 'urem':
    case 'sdiv':
    case 'srem':
      if (b.c === 0n) throw new Stop('division by zero');
      c = op === 'udiv' ? a.c / b.c : op === 'urem' ? a.c % b.c : op === 'sdiv' ? sa / sb : sa % sb;
      break;
    case 'shl':
      c = sh >= BigInt(w) ? 0n : a.c << sh;
      break;
    case 'lshr':
      c = sh >= BigInt(w) ? 0n : a.c >> sh;
      break;
    case 'ashr':
      c = sa >> (sh >= BigInt(w) ? BigInt(w - 1) : sh);
      break;
    case 'and':
      c = a.c & b.c;
      break;
    case 'or':
      c = a.c | b.c;
      break;
    default:
      c = a.c ^ b.c;
  }
  if (a.s === undefined && b.s === undefined) return intV(w, c);
  if (w === 1 && (op === 'and' || op === 'or' || op === 'xor')) {
    const x = X.toBool(sym(a));
    const y = X.toBool(sym(b));
    const s = op === 'and' ? X.and(x, y) : op === 'or' ? X.or(x, y) : X.not(X.compare('=', x, y));
    return intV(1, c, s);
  }
  return intV(w, c, X.binary(SMT_BIN[op]!, X.toBit(sym(a)), X.toBit(sym(b))));
}

const ICMP: Record<string, string> = {
  eq: '=',
  ne: '=',
  ult: 'bvult',
  ule: 'bvule',
  ugt: 'bvugt',
  uge: 'bvuge',
  slt: 'bvslt',
  sle: 'bvsle',
  sgt: 'bvsgt',
  sge: 'bvsge',
};

export function icmp(
  pred: string,
  a: Extract<V, { k: 'i' }>,
  b: Extract<V, { k: 'i' }>,
): Extract<V, { k: 'i' }> {
  const w = a.w;
  const ua = a.c;
  const ub = b.c;
  const sa = BigInt.asIntN(w, ua);
  const sb = BigInt.asIntN(w, ub);
  const r = {
    eq: ua === ub,
    ne: ua !== ub,
    ult: ua < ub,
    ule: ua <= ub,
    ugt: ua > ub,
    uge: ua >= ub,
    slt: sa < sb,
    sle: sa <= sb,
    sgt: sa > sb,
    sge: sa >= sb,
  }[pred];
  if (r === undefined) throw new Stop(`icmp ${pred}`);
  if (a.s === undefined && b.s === undefined) return intV(1, r ? 1n : 0n);
  const s = X.compare(ICMP[pred]!, X.toBit(sym(a)), X.toBit(sym(b)));
  return intV(1, r ? 1n : 0n, pred === 'ne' ? X.not(s) : s);
}

/** A float operand's expression: its own, or its value as a constant. */
export function fsym(v: Extract<V, { k: 'f' }>): Sym {
  return v.s ?? X.fpOp('fp.bits2f', -v.w, [X.constant(v.w, X.fpBits(-v.w, v.c))]);
}

export function fcmp(pred: string, a: V, b: V): V {
  if (a.k !== 'f' || b.k !== 'f') throw new Stop('fcmp of non-floats');
  const r = X.fcmpHolds(pred, a.c, b.c);
  if (a.s === undefined && b.s === undefined) return intV(1, r ? 1n : 0n);
  const k = BigInt(X.FCMP_PREDS.indexOf(pred));
  return intV(1, r ? 1n : 0n, X.fpOp('fp.cmp', 0, [fsym(a), fsym(b)], k));
}

export function floatBinary(op: string, a: V, b: V): V {
  if (a.k !== 'f' || b.k !== 'f') throw new Stop(`${op} of non-floats`);
  const x = a.c;
  const y = b.c;
  let c =
    op === 'fadd' ? x + y : op === 'fsub' ? x - y : op === 'fmul' ? x * y : op === 'fdiv' ? x / y : x % y;
  if (a.w === 32) c = Math.fround(c);
  if ((a.s === undefined && b.s === undefined) || op === 'frem') return { k: 'f', w: a.w, c };
  return { k: 'f', w: a.w, c, s: bounded(X.fpOp(`fp.${op.slice(1)}`, -a.w, [fsym(a), fsym(b)])) };
}

export function insert(agg: V, indices: readonly number[], el: V): V {
  if (indices.length === 0) return el;
  if (agg.k !== 'a') throw new Stop('insertvalue into a scalar');
  const e = [...agg.e];
  e[indices[0]!] = insert(e[indices[0]!]!, indices.slice(1), el);
  return { k: 'a', e };
}

/** ctpop, ctlz, cttz: concrete (the count's expression is dropped: concretisation). */
export function bitCount(name: string, a: Extract<V, { k: 'i' }>): V {
  const bits = a.c.toString(2).padStart(a.w, '0');
  let c: number;
  if (name === 'llvm.ctpop') c = [...bits].filter((b) => b === '1').length;
  else {
    const at = name === 'llvm.ctlz' ? bits.indexOf('1') : [...bits].reverse().indexOf('1');
    c = at < 0 ? a.w : at;
  }
  if (a.s === undefined || a.w > 64) return intV(a.w, BigInt(c));
  const x = a.s;
  const bit = (i: number): Sym => X.extract(i, i, x);
  let e: Sym;
  if (name === 'llvm.ctpop') {
    e = X.zext(bit(0), a.w);
    for (let i = 1; i < a.w; i++) e = X.binary('bvadd', e, X.zext(bit(i), a.w));
  } else {
    // The first set bit from the top (ctlz) or the bottom (cttz), as a chain of tests.
    e = X.constant(a.w, BigInt(a.w));
    for (let k = a.w - 1; k >= 0; k--) {
      const i = name === 'llvm.ctlz' ? a.w - 1 - k : k;
      e = X.ite(X.compare('=', bit(i), X.constant(1, 1n)), X.constant(a.w, BigInt(k)), e);
    }
  }
  return intV(a.w, BigInt(c), e);
}

/** `llvm.{u,s}{add,sub}.sat`: the exact result clamped to the type's range. */
export function saturating(name: string, a: Extract<V, { k: 'i' }>, b: Extract<V, { k: 'i' }>): V {
  const w = a.w;
  const signed = name.includes('.s');
  const add = name.includes('add');
  const lo = signed ? -(1n << BigInt(w - 1)) : 0n;
  const hi = signed ? (1n << BigInt(w - 1)) - 1n : X.mask(w);
  const ext = (v: Extract<V, { k: 'i' }>): bigint => (signed ? BigInt.asIntN(w, v.c) : v.c);
  const exact = add ? ext(a) + ext(b) : ext(a) - ext(b);
  const c = exact < lo ? lo : exact > hi ? hi : exact;
  if (a.s === undefined && b.s === undefined) return intV(w, c);
  const wx = (v: Extract<V, { k: 'i' }>): Sym => (signed ? X.sext(sym(v), w + 1) : X.zext(sym(v), w + 1));
  const wide = X.binary(add ? 'bvadd' : 'bvsub', wx(a), wx(b));
  const lt = signed ? 'bvslt' : 'bvult';
  const gt = signed ? 'bvsgt' : 'bvugt';
  const clamp = X.ite(
    X.compare(lt, wide, X.constant(w + 1, lo)),
    X.constant(w, lo),
    X.ite(X.compare(gt, wide, X.constant(w + 1, hi)), X.constant(w, hi), X.extract(w - 1, 0, wide)),
  );
  return intV(
    w,
    c,
    signed || add
      ? clamp
      : X.ite(X.compare('bvult', sym(a), sym(b)), X.constant(w, 0n), X.binary('bvsub', sym(a), sym(b))),
  );
}

/** `llvm.fshl`/`fshr` (rotates when both operands are the same): symbolic when the shift is concrete. */
export function funnel(
  left: boolean,
  a: Extract<V, { k: 'i' }>,
  b: Extract<V, { k: 'i' }>,
  n: Extract<V, { k: 'i' }>,
): V {
  const w = a.w;
  const k = Number(n.c % BigInt(w));
  const joined = (a.c << BigInt(w)) | b.c;
  const c = left ? (joined << BigInt(k)) >> BigInt(w) : joined >> BigInt(k);
  if ((a.s === undefined && b.s === undefined) || n.s !== undefined) return intV(w, c);
  if (k === 0) return left ? a : b;
  const cat = X.concat(sym(a), sym(b));
  return intV(w, c, left ? X.extract(2 * w - 1 - k, w - k, cat) : X.extract(w - 1 + k, k, cat));
}

/** `llvm.{u,s}{add,sub,mul}.with.overflow`: the result and whether it overflowed, through 2w bits. */
export function withOverflow(name: string, a: Extract<V, { k: 'i' }>, b: Extract<V, { k: 'i' }>): V {
  const w = a.w;
  const signed = name.includes('.s');
  const op = name.includes('add') ? 'add' : name.includes('sub') ? 'sub' : 'mul';
  const ext = (v: Extract<V, { k: 'i' }>): bigint => (signed ? BigInt.asIntN(w, v.c) : v.c);
  const exact = op === 'add' ? ext(a) + ext(b) : op === 'sub' ? ext(a) - ext(b) : ext(a) * ext(b);
  const res = BigInt.asUintN(w, exact);
  const back = signed ? BigInt.asIntN(w, res) : res;
  const ovf = back !== exact;
  if (a.s === undefined && b.s === undefined) return { k: 'a', e: [intV(w, res), intV(1, ovf ? 1n : 0n)] };
  const wx = (v: Extract<V, { k: 'i' }>): Sym => (signed ? X.sext(sym(v), 2 * w) : X.zext(sym(v), 2 * w));
  const wide = X.binary(SMT_BIN[op]!, wx(a), wx(b));
  const r = X.extract(w - 1, 0, wide);
  const o = X.not(X.compare('=', wide, signed ? X.sext(r, 2 * w) : X.zext(r, 2 * w)));
  return { k: 'a', e: [intV(w, res, r), intV(1, ovf ? 1n : 0n, o)] };
}
