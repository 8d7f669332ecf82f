/**
 * @fileoverview Stage: guide (solver). Symbolic expressions over fixed-width bit vectors and booleans, and
 * their SMT-LIB 2 text.
 *
 * Consumes: operations of the concolic interpreter (concolic.ts) on values derived from input bytes.
 * Produces: expression DAGs (`Sym`), each knowing the input variables it depends on (for KLEE's
 * independent-constraint slicing), and the text of a query over them for z3 (`smtQuery`).
 *
 * A `Sym` of width 0 is a boolean (an `icmp`'s result, a branch condition); every other width is a bit
 * vector. Builders fold what can be folded cheaply (constants, extracts of concatenations, concatenations
 * of adjacent extracts: a value stored and loaded again byte by byte comes back as itself), so that the
 * queries a loop produces stay small.
 */

import { FCMP_PREDICATES } from '../../ir/model.js';

/** One node of an expression DAG. */
export interface Sym {
  /** SMT-LIB operator (`bvadd`, `=`, `ite`...), or `var` / `const`. */
  readonly op: string;
  /** Bit width; 0 for a boolean. */
  readonly w: number;
  readonly args: readonly Sym[];
  /** A constant's value (unsigned), or an indexed operator's parameters packed as [hi, lo] / [n]. */
  readonly k: bigint;
  readonly idx: readonly number[];
  /** A variable's name. */
  readonly name: string;
  /** Names of the variables the node depends on. */
  readonly vars: ReadonlySet<string>;
  /** Unique per node (printing and caching). */
  readonly id: number;
  /**
   * The node or one below it is floating point (`fp.*`: w -32 or -64 for a float or double value). Such
   * expressions are solved by search (avm.ts), not by z3: bit-blasting a double multiplication in z3's
   * WebAssembly build took seconds.
   */
  readonly fp: boolean;
  /** Nodes below it counted as a tree (shared nodes once per use), saturating: a cost feature. */
  readonly size: number;
}

let nextId = 0;
const NO_VARS: ReadonlySet<string> = new Set();

function node(op: string, w: number, args: readonly Sym[], k = 0n, idx: readonly number[] = []): Sym {
  let vars = NO_VARS;
  let fp = op.startsWith('fp.');
  let size = 1;
  for (const a of args) {
    if (a.fp) fp = true;
    size = Math.min(size + a.size, 1 << 30);
    if (a.vars.size === 0 || a.vars === vars) continue;
    if (vars.size === 0) vars = a.vars;
    else {
      const u = new Set(vars);
      for (const v of a.vars) u.add(v);
      vars = u;
    }
  }
  return { op, w, args, k, idx, name: '', vars, id: nextId++, fp, size };
}

/** A floating-point operation (`fp.add`...; w -32 / -64 for its float result, 0 for a comparison). */
export function fpOp(op: string, w: number, args: readonly Sym[], k = 0n): Sym {
  return node(op, w, args, k);
}

export function variable(name: string, w: number): Sym {
  return {
    op: 'var',
    w,
    args: [],
    k: 0n,
    idx: [],
    name,
    vars: new Set([name]),
    id: nextId++,
    fp: false,
    size: 1,
  };
}

export function constant(w: number, k: bigint): Sym {
  return node('const', w, [], w === 0 ? (k === 0n ? 0n : 1n) : BigInt.asUintN(w, k));
}

const isConst = (s: Sym): boolean => s.op === 'const';

/** A binary bit-vector operation of width `w` (`bvadd`, `bvmul`, `bvshl`...). */
export function binary(op: string, a: Sym, b: Sym): Sym {
  if (op === 'bvand' || op === 'bvor') {
    if (isConst(b) && b.k === (op === 'bvand' ? mask(a.w) : 0n)) return a;
    if (isConst(a) && a.k === (op === 'bvand' ? mask(a.w) : 0n)) return b;
  }
  if ((op === 'bvadd' || op === 'bvsub' || op === 'bvxor' || op === 'bvshl' || op === 'bvlshr') && isConst(b))
    if (b.k === 0n) return a;
  return node(op, a.w, [a, b]);
}

/** A comparison (a boolean): `=`, `bvult`, `bvslt`, ... */
export function compare(op: string, a: Sym, b: Sym): Sym {
  if (isConst(a) && isConst(b) && op === '=') return constant(0, a.k === b.k ? 1n : 0n);
  return node(op, 0, [a, b]);
}

export function not(b: Sym): Sym {
  if (isConst(b)) return constant(0, b.k === 0n ? 1n : 0n);
  if (b.op === 'not') return b.args[0]!;
  return node('not', 0, [b]);
}

export function and(a: Sym, b: Sym): Sym {
  if (isConst(a)) return a.k !== 0n ? b : a;
  if (isConst(b)) return b.k !== 0n ? a : b;
  return node('and', 0, [a, b]);
}

export function or(a: Sym, b: Sym): Sym {
  if (isConst(a)) return a.k !== 0n ? a : b;
  if (isConst(b)) return b.k !== 0n ? b : a;
  return node('or', 0, [a, b]);
}

export function ite(c: Sym, t: Sym, e: Sym): Sym {
  if (isConst(c)) return c.k !== 0n ? t : e;
  // Both ways of one sort: a 1-bit value may be a boolean on one side and a bit on the other.
  if (t.w === 0 && e.w !== 0) t = toBit(t);
  if (e.w === 0 && t.w !== 0) e = toBit(e);
  // `select c, i1 x, false` is c && x, `select c, true, i1 x` is c || x: kept as booleans, so that a
  // condition stays a tree of comparisons (the search's branch distance looks into it).
  if (t.w === 1 && e.w === 1 && c.w === 0 && !(isConst(t) && isConst(e))) {
    const tb = bitBool(t);
    const eb = bitBool(e);
    if (tb !== undefined && isConst(e) && e.k === 0n) return toBit(and(c, tb));
    if (eb !== undefined && isConst(t) && t.k === 1n) return toBit(or(c, eb));
    if (tb !== undefined && eb !== undefined && !isConst(t) && !isConst(e))
      return toBit(or(and(c, tb), and(not(c), eb)));
  }
  return node('ite', t.w, [c, t, e]);
}

/** The boolean a 1-bit value `ite(b, 1, 0)` or a constant stands for, if it is one. */
function bitBool(s: Sym): Sym | undefined {
  if (isConst(s)) return constant(0, s.k);
  if (
    s.op === 'ite' &&
    isConst(s.args[1]!) &&
    isConst(s.args[2]!) &&
    s.args[1]!.k === 1n &&
    s.args[2]!.k === 0n
  )
    return s.args[0]!;
  return undefined;
}

/** A boolean as a 1-bit vector, and back. */
export function toBit(s: Sym): Sym {
  return s.w === 0 ? ite(s, constant(1, 1n), constant(1, 0n)) : s;
}
export function toBool(s: Sym): Sym {
  if (s.w === 0) return s;
  if (s.op === 'ite' && isConst(s.args[1]!) && isConst(s.args[2]!)) {
    const [c, t, e] = s.args as [Sym, Sym, Sym];
    if (t.k === 1n && e.k === 0n) return c;
    if (t.k === 0n && e.k === 1n) return not(c);
  }
  return compare('=', s, constant(s.w, 1n));
}

export function extract(hi: number, lo: number, s: Sym): Sym {
  if (lo === 0 && hi === s.w - 1) return s;
  if (isConst(s)) return constant(hi - lo + 1, s.k >> BigInt(lo));
  if (s.op === 'extract') return extract(hi + s.idx[1]!, lo + s.idx[1]!, s.args[0]!);
  if (s.op === 'concat') {
    const [h, l] = s.args as [Sym, Sym];
    if (hi < l.w) return extract(hi, lo, l);
    if (lo >= l.w) return extract(hi - l.w, lo - l.w, h);
  }
  if (s.op === 'zero_extend' && lo >= s.args[0]!.w) return constant(hi - lo + 1, 0n);
  if ((s.op === 'zero_extend' || s.op === 'sign_extend') && hi < s.args[0]!.w)
    return extract(hi, lo, s.args[0]!);
  return node('extract', hi - lo + 1, [s], 0n, [hi, lo]);
}

/** `hi` in the high bits, `lo` in the low bits. */
export function concat(hi: Sym, lo: Sym): Sym {
  if (isConst(hi) && isConst(lo)) return constant(hi.w + lo.w, (hi.k << BigInt(lo.w)) | lo.k);
  if (hi.op === 'extract' && lo.op === 'extract' && hi.args[0] === lo.args[0] && hi.idx[1] === lo.idx[0]! + 1)
    return extract(hi.idx[0]!, lo.idx[1]!, hi.args[0]!);
  // Right-nested: concat(extract(a), concat(extract(b), rest)) with a and b adjacent.
  if (hi.op === 'extract' && lo.op === 'concat' && lo.args[0]!.op === 'extract') {
    const m = concat(hi, lo.args[0]!);
    if (m.op === 'extract') return concat(m, lo.args[1]!);
  }
  return node('concat', hi.w + lo.w, [hi, lo]);
}

export function zext(s: Sym, w: number): Sym {
  if (s.w === 0) s = toBit(s);
  if (w === s.w) return s;
  if (isConst(s)) return constant(w, s.k);
  return node('zero_extend', w, [s], 0n, [w - s.w]);
}

export function sext(s: Sym, w: number): Sym {
  if (s.w === 0) s = toBit(s);
  if (w === s.w) return s;
  if (isConst(s)) return constant(w, BigInt.asIntN(s.w, s.k));
  return node('sign_extend', w, [s], 0n, [w - s.w]);
}

export function mask(w: number): bigint {
  return (1n << BigInt(w)) - 1n;
}

// ------------------------------------------------------------------------------------------------
// SMT-LIB text

function sort(w: number): string {
  return w === 0 ? 'Bool' : `(_ BitVec ${w})`;
}

function literal(s: Sym): string {
  if (s.w === 0) return s.k !== 0n ? 'true' : 'false';
  if (s.w % 4 === 0) return '#x' + s.k.toString(16).padStart(s.w / 4, '0');
  return '#b' + s.k.toString(2).padStart(s.w, '0');
}

/**
 * The text of one satisfiability query: the variables' declarations, every shared inner node as a
 * definition (so the text stays linear in the DAG's size), the assertions (z3.ts checks them and reads
 * the model).
 */
export function smtQuery(assertions: readonly Sym[]): string {
  const out: string[] = [];
  const names = new Map<number, string>();
  let defs = 0;
  const uses = new Map<number, number>();
  const count = (s: Sym): void => {
    const n = (uses.get(s.id) ?? 0) + 1;
    uses.set(s.id, n);
    if (n === 1) for (const a of s.args) count(a);
  };
  for (const a of assertions) count(a);
  const text = (s: Sym): string => {
    const known = names.get(s.id);
    if (known !== undefined) return known;
    let t: string;
    if (s.op === 'var') {
      out.push(`(declare-const ${s.name} ${sort(s.w)})`);
      t = s.name;
    } else if (s.op === 'const') t = literal(s);
    else {
      const args = s.args.map(text).join(' ');
      const op = s.idx.length > 0 ? `(_ ${s.op} ${s.idx.join(' ')})` : s.op;
      t = `(${op} ${args})`;
      if ((uses.get(s.id) ?? 0) > 1) {
        const n = `t${defs++}`;
        out.push(`(define-fun ${n} () ${sort(s.w)} ${t})`);
        t = n;
      }
    }
    names.set(s.id, t);
    return t;
  };
  const asserted = assertions.map(text);
  for (const a of asserted) out.push(`(assert ${a})`);
  return out.join('\n');
}

/** Distinct nodes below `roots`, counted up to `max` + 1 (a query's size, a cost feature). */
export function dagSize(roots: readonly Sym[], max = Infinity): number {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0 && seen.size <= max) {
    const s = stack.pop()!;
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    for (const a of s.args) stack.push(a);
  }
  return seen.size;
}

// ------------------------------------------------------------------------------------------------
// Evaluation

const CMP: Record<string, (a: bigint, b: bigint, w: number) => boolean> = {
  '=': (a, b) => a === b,
  bvult: (a, b) => a < b,
  bvule: (a, b) => a <= b,
  bvugt: (a, b) => a > b,
  bvuge: (a, b) => a >= b,
  bvslt: (a, b, w) => BigInt.asIntN(w, a) < BigInt.asIntN(w, b),
  bvsle: (a, b, w) => BigInt.asIntN(w, a) <= BigInt.asIntN(w, b),
  bvsgt: (a, b, w) => BigInt.asIntN(w, a) > BigInt.asIntN(w, b),
  bvsge: (a, b, w) => BigInt.asIntN(w, a) >= BigInt.asIntN(w, b),
};

/** SMT-LIB's bit-vector division and remainder (by zero: all ones, and the dividend). */
function divide(op: string, a: bigint, b: bigint, w: number): bigint {
  if (op === 'bvudiv') return b === 0n ? mask(w) : a / b;
  if (op === 'bvurem') return b === 0n ? a : a % b;
  const sa = BigInt.asIntN(w, a);
  const sb = BigInt.asIntN(w, b);
  if (op === 'bvsdiv') return b === 0n ? (sa < 0n ? 1n : mask(w)) : sa / sb;
  return b === 0n ? a : sa % sb;
}

const F64 = new Float64Array(1);
const B64 = new BigUint64Array(F64.buffer);
const F32 = new Float32Array(1);
const B32 = new Uint32Array(F32.buffer);

/** A float or double (w -32 / -64) from its bits, and back. */
export function fpValue(w: number, bits: bigint): number {
  if (w === -64) {
    B64[0] = bits;
    return F64[0]!;
  }
  B32[0] = Number(bits & 0xffffffffn);
  return F32[0]!;
}
export function fpBits(w: number, x: number): bigint {
  if (w === -64) {
    F64[0] = x;
    return B64[0]!;
  }
  F32[0] = x;
  return BigInt(B32[0]!);
}

const FCMP: Record<string, (x: number, y: number) => boolean> = {
  eq: (x, y) => x === y,
  ne: (x, y) => x !== y,
  lt: (x, y) => x < y,
  le: (x, y) => x <= y,
  gt: (x, y) => x > y,
  ge: (x, y) => x >= y,
};

/** An `fcmp` predicate on two values (ordered and unordered forms, `ord`, `uno`, `true`, `false`). */
export function fcmpHolds(pred: string, x: number, y: number): boolean {
  const uno = Number.isNaN(x) || Number.isNaN(y);
  if (pred === 'true' || pred === 'false') return pred === 'true';
  if (pred === 'ord' || pred === 'uno') return (pred === 'uno') === uno;
  const r = FCMP[pred.slice(1)]!(x, y);
  return pred[0] === 'o' ? !uno && r : uno || r;
}

function applyFp(s: Sym, x: readonly bigint[]): bigint {
  const w = s.w;
  const a = s.args[0];
  const f = (i: number): number => fpValue(s.args[i]!.w, x[i]!);
  const out = (v: number): bigint => fpBits(w, w === -32 ? Math.fround(v) : v);
  switch (s.op) {
    case 'fp.bits2f':
      return x[0]!;
    case 'fp.f2bits':
      return x[0]!;
    case 'fp.add':
      return out(f(0) + f(1));
    case 'fp.sub':
      return out(f(0) - f(1));
    case 'fp.mul':
      return out(f(0) * f(1));
    case 'fp.div':
      return out(f(0) / f(1));
    case 'fp.neg':
      return x[0]! ^ (1n << BigInt(-w - 1));
    case 'fp.abs':
      return x[0]! & ~(1n << BigInt(-w - 1));
    case 'fp.sqrt':
      return out(Math.sqrt(f(0)));
    case 'fp.sitofp':
      return out(Number(BigInt.asIntN(a!.w, x[0]!)));
    case 'fp.uitofp':
      return out(Number(x[0]!));
    case 'fp.ext':
    case 'fp.trunc':
      return out(f(0));
    case 'fp.tosi':
    case 'fp.toui': {
      const v = f(0);
      return Number.isFinite(v) ? BigInt.asUintN(w, BigInt(Math.trunc(v))) : 0n;
    }
    case 'fp.cmp':
      return fcmpHolds(FCMP_PREDS[Number(s.k)]!, f(0), f(1)) ? 1n : 0n;
  }
  throw new Error(`cannot evaluate ${s.op}`);
}

/** `fcmp` predicates by number (an `fp.cmp` node's `k`): LangRef's order, as the IR model lists them. */
export const FCMP_PREDS: readonly string[] = FCMP_PREDICATES;

function apply(s: Sym, x: readonly bigint[]): bigint {
  if (s.op.startsWith('fp.')) return applyFp(s, x);
  const w = s.w;
  const [a = 0n, b = 0n, c = 0n] = x;
  switch (s.op) {
    case 'bvadd':
      return BigInt.asUintN(w, a + b);
    case 'bvsub':
      return BigInt.asUintN(w, a - b);
    case 'bvmul':
      return BigInt.asUintN(w, a * b);
    case 'bvand':
      return a & b;
    case 'bvor':
      return a | b;
    case 'bvxor':
      return a ^ b;
    case 'bvshl':
      return b >= BigInt(w) ? 0n : BigInt.asUintN(w, a << b);
    case 'bvlshr':
      return b >= BigInt(w) ? 0n : a >> b;
    case 'bvashr':
      return BigInt.asUintN(w, BigInt.asIntN(w, a) >> (b >= BigInt(w) ? BigInt(w - 1) : b));
    case 'bvudiv':
    case 'bvurem':
    case 'bvsdiv':
    case 'bvsrem':
      return BigInt.asUintN(w, divide(s.op, a, b, w));
    case 'concat':
      return (a << BigInt(s.args[1]!.w)) | b;
    case 'extract':
      return BigInt.asUintN(w, a >> BigInt(s.idx[1]!));
    case 'zero_extend':
      return a;
    case 'sign_extend':
      return BigInt.asUintN(w, BigInt.asIntN(s.args[0]!.w, a));
    case 'ite':
      return a !== 0n ? b : c;
    case 'not':
      return a === 0n ? 1n : 0n;
    case 'and':
      return a !== 0n && b !== 0n ? 1n : 0n;
    case 'or':
      return a !== 0n || b !== 0n ? 1n : 0n;
  }
  const cmp = CMP[s.op];
  if (cmp === undefined) throw new Error(`cannot evaluate ${s.op}`);
  return cmp(a, b, s.args[0]!.w) ? 1n : 0n;
}

/**
 * The values of `roots` (booleans as 0 / 1) with the variables given by `env` (absent ones 0): the
 * solver's fast path tries candidate models this way before asking z3.
 */
export function evaluate(roots: readonly Sym[], env: ReadonlyMap<string, bigint>): bigint[] {
  return roots.map(evaluator(env));
}

/** A function giving any node's value under `env`, each node computed once. */
export function evaluator(env: ReadonlyMap<string, bigint>): (s: Sym) => bigint {
  const memo = new Map<number, bigint>();
  const ev = (s: Sym): bigint => {
    const m = memo.get(s.id);
    if (m !== undefined) return m;
    let v: bigint;
    if (s.op === 'const') v = s.k;
    else if (s.op === 'var') v = BigInt.asUintN(s.w, env.get(s.name) ?? 0n);
    else v = apply(s, s.args.map(ev));
    memo.set(s.id, v);
    return v;
  };
  return ev;
}
