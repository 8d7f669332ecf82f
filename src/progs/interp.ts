/**
 * @fileoverview Stage: progs. Interpreter of generated programs with exact C semantics, which removes
 * undefined behaviour by rewriting the offending node in place (YARPGen style) instead of computing it.
 *
 * Consumes: program trees (ast.ts) and a store (globals plus one frame per active function). Produces:
 * values and store updates, and node rewrites: `a + b` that overflows becomes `a - b`, `a / 0` becomes
 * `a * 0`, an out-of-range shift amount is masked, `x << n` of a negative value becomes `x >> n`, an
 * out-of-bounds index is wrapped with `% N`, a call whose (frozen) callee would hit UB gets the
 * arguments the callee was generated for. Each node only moves forward through its rewrites, so a loop
 * re-run after a rewrite always settles. In frozen mode (inside an already generated function) nothing
 * may change and `FROZEN_UB` is thrown instead.
 */

import type { Expr, Func, Place, Stmt, Var } from './ast.js';
import { type CType, T_INT, T_UINT, convert, promote } from './ctypes.js';
import type { AssignOp } from './grammar.js';
import {
  type ArithOp,
  type BinOp,
  binaryType,
  evalBinary,
  evalUnary,
  isArith,
  isShift,
} from './semantics.js';

/** Thrown (as this exact object) when a frozen function body would hit undefined behaviour. */
export const FROZEN_UB = { frozenUB: true } as const;

/** Frame: one storage array per variable slot. */
export type Frame = bigint[][];

const OP_BIT: Record<string, number> = { '+': 1, '-': 2, '*': 4, '/': 8, '%': 16, '^': 32 };
const FALLBACKS: Record<string, ArithOp[]> = {
  '+': ['-', '^'],
  '-': ['+', '^'],
  '*': ['/', '-', '+', '^'],
  '/': ['*', '-', '+', '^'],
  '%': ['*', '-', '+', '^'],
};

export function placeType(p: Place): CType {
  return p.k === 'member' ? (p.v.struct?.fields[p.field] as CType) : p.v.type;
}

export function constant(type: CType, value: bigint): Expr {
  return { k: 'const', type, value };
}

/** `e & (bits - 1)`: a shift amount that is always in range. */
function maskShift(e: Expr, bits: number): Expr {
  const m = constant(T_INT, BigInt(bits - 1));
  return { k: 'binary', type: binaryType('&', e.type, T_INT), op: '&', a: e, b: m };
}

/** `(unsigned int)(e) % N`: an index that is always in bounds. */
function wrapIndex(e: Expr, n: number): Expr {
  const c: Expr = { k: 'cast', type: T_UINT, e };
  return { k: 'binary', type: T_UINT, op: '%', a: c, b: constant(T_UINT, BigInt(n)) };
}

export class Machine {
  globals: Frame = [];
  /** Number of rewrites done so far; loops compare it before and after a run to know whether to re-run. */
  rewrites = 0;
  /** Inside a frozen function: rewrites are not allowed. */
  frozen = false;
  /** Nodes evaluated, to bound the work of pathological grammars. */
  steps = 0;
  stepLimit = 20_000_000;

  cells(v: Var, frame: Frame): bigint[] {
    return (v.global ? this.globals[v.slot] : frame[v.slot]) as bigint[];
  }

  /** The storage array and index a place denotes, fixing an out-of-bounds index. */
  private locate(p: Place, frame: Frame): [bigint[], number] {
    switch (p.k) {
      case 'var':
        return [this.cells(p.v, frame), 0];
      case 'member':
        return [this.cells(p.v, frame), p.field];
      case 'deref':
        return this.locate(p.v.target as Place, frame);
      case 'elem': {
        let i = this.eval(p.index, frame);
        if (i < 0n || i >= BigInt(p.v.length)) {
          this.rewrite();
          p.index = wrapIndex(p.index, p.v.length);
          i = this.eval(p.index, frame);
        }
        return [this.cells(p.v, frame), Number(i)];
      }
    }
  }

  read(p: Place, frame: Frame): bigint {
    if (p.k === 'var') return (this.cells(p.v, frame) as bigint[])[0] as bigint;
    const [c, i] = this.locate(p, frame);
    return c[i] as bigint;
  }

  private rewrite(): void {
    if (this.frozen) throw FROZEN_UB;
    this.rewrites++;
  }

  eval(e: Expr, frame: Frame): bigint {
    if (++this.steps > this.stepLimit) throw new Error('progs: evaluation step limit exceeded');
    switch (e.k) {
      case 'const':
        return e.value;
      case 'read':
        return this.read(e.place, frame);
      case 'paren':
        return this.eval(e.e, frame);
      case 'cast':
        return convert(this.eval(e.e, frame), e.type);
      case 'unary': {
        const v = this.eval(e.e, frame);
        let r = evalUnary(e.op, v, e.e.type);
        if (r === null) {
          this.rewrite();
          e.op = '~'; // only unary minus of the most negative value is undefined
          r = evalUnary(e.op, v, e.e.type) as bigint;
        }
        return r;
      }
      case 'binary': {
        const a = this.eval(e.a, frame);
        if (e.op === '&&' && a === 0n) return 0n;
        if (e.op === '||' && a !== 0n) return 1n;
        const b = this.eval(e.b, frame);
        const r = evalBinary(e.op, a, e.a.type, b, e.b.type);
        return r !== null ? r : this.fixBinary(e, a, b, frame);
      }
      case 'cond': {
        const c = this.eval(e.c, frame);
        return convert(this.eval(c !== 0n ? e.a : e.b, frame), e.type);
      }
      case 'call': {
        const args = e.args.map((a, i) => convert(this.eval(a, frame), (e.fn.params[i] as Var).type));
        try {
          return this.call(e.fn, args);
        } catch (x) {
          if (x !== FROZEN_UB) throw x;
          this.rewrite();
          e.args = e.fn.refArgs.map((v, i) => constant((e.fn.params[i] as Var).type, v));
          return this.call(e.fn, e.fn.refArgs);
        }
      }
    }
  }

  /** Rewrites `e` (whose operands evaluated to a and b) until it is defined; returns its value. */
  private fixBinary(e: Expr & { k: 'binary' }, a: bigint, b: bigint, frame: Frame): bigint {
    this.rewrite();
    if (isShift(e.op)) {
      const bits = promote(e.a.type).bits;
      if (b < 0n || b >= BigInt(bits)) {
        e.b = maskShift(e.b, bits);
        b = this.eval(e.b, frame);
      }
      let r = evalBinary(e.op, a, e.a.type, b, e.b.type);
      if (r === null) {
        e.op = '>>';
        r = evalBinary(e.op, a, e.a.type, b, e.b.type);
      }
      return r as bigint;
    }
    const op = this.nextOp(e, e.op, a, e.a.type, b, e.b.type);
    e.op = op;
    return evalBinary(op, a, e.a.type, b, e.b.type) as bigint;
  }

  /** The first fallback operator not tried before on this node that is defined for these operands. */
  private nextOp(node: { tried?: number }, op: BinOp, a: bigint, ta: CType, b: bigint, tb: CType): ArithOp {
    if (!isArith(op)) throw new Error(`progs: operator ${op} cannot be undefined`);
    let tried = (node.tried ?? 0) | (OP_BIT[op] ?? 0);
    for (const alt of FALLBACKS[op] ?? ['^']) {
      const bit = OP_BIT[alt] as number;
      if (tried & bit && alt !== '^') continue;
      tried |= bit;
      if (evalBinary(alt, a, ta, b, tb) !== null) {
        node.tried = tried;
        return alt;
      }
    }
    node.tried = tried;
    return '^';
  }

  /** Runs a function body in frozen mode with already converted arguments; returns its result. */
  call(fn: Func, args: bigint[]): bigint {
    const frame: Frame = fn.vars.map((v) => v.init.slice());
    for (let i = 0; i < args.length; i++) (frame[i] as bigint[])[0] = args[i] as bigint;
    const was = this.frozen;
    this.frozen = true;
    try {
      this.exec(fn.body, frame);
      return convert(this.eval(fn.result as Expr, frame), fn.ret);
    } finally {
      this.frozen = was;
    }
  }

  exec(body: Stmt[], frame: Frame): void {
    for (const s of body) this.step(s, frame);
  }

  step(s: Stmt, frame: Frame): void {
    switch (s.k) {
      case 'assign':
        this.assign(s, frame);
        return;
      case 'incdec':
        this.incdec(s, frame);
        return;
      case 'if':
        if (this.eval(s.c, frame) !== 0n) this.exec(s.then, frame);
        else if (s.else) this.exec(s.else, frame);
        return;
      case 'for': {
        const cell = frame[s.counter.slot] as bigint[];
        for (let j = 0; j < s.trips; j++) {
          cell[0] = BigInt(s.start + j * s.step);
          this.exec(s.body, frame);
        }
        return;
      }
      case 'block':
        this.exec(s.body, frame);
        return;
      case 'check': {
        const v = this.read(s.place, frame);
        if (BigInt.asUintN(64, v) !== s.expected) {
          throw new Error(`progs: internal error: check expects ${s.expected}, interpreter computed ${v}`);
        }
        return;
      }
    }
  }

  assign(s: Stmt & { k: 'assign' }, frame: Frame): void {
    const t = placeType(s.place);
    const [cells, i] = this.locate(s.place, frame);
    let v = this.eval(s.e, frame);
    if (s.op !== '=') {
      const old = cells[i] as bigint;
      let op = s.op.slice(0, -1) as BinOp;
      let r = evalBinary(op, old, t, v, s.e.type);
      if (r === null) {
        this.rewrite();
        if (isShift(op)) {
          const bits = promote(t).bits;
          if (v < 0n || v >= BigInt(bits)) {
            s.e = maskShift(s.e, bits);
            v = this.eval(s.e, frame);
          }
          r = evalBinary(op, old, t, v, s.e.type);
          if (r === null) {
            op = '>>';
            r = evalBinary(op, old, t, v, s.e.type);
          }
        } else {
          op = this.nextOp(s, op, old, t, v, s.e.type);
          r = evalBinary(op, old, t, v, s.e.type);
        }
        s.op = `${op}=` as AssignOp;
      }
      v = r as bigint;
    }
    cells[i] = convert(v, t);
  }

  incdec(s: Stmt & { k: 'incdec' }, frame: Frame): void {
    const t = placeType(s.place);
    const [cells, i] = this.locate(s.place, frame);
    const old = cells[i] as bigint;
    let r = evalBinary(s.op === '++' ? '+' : '-', old, t, 1n, T_INT);
    if (r === null) {
      this.rewrite();
      // x++ at the maximum becomes x-- (and the reverse); a second overflow there becomes x ^= 1.
      if (s.tried) {
        Object.assign(s, { k: 'assign', op: '^=', e: constant(T_INT, 1n) });
        r = old ^ 1n;
      } else {
        s.tried = 1;
        s.op = s.op === '++' ? '--' : '++';
        r = evalBinary(s.op === '++' ? '+' : '-', old, t, 1n, T_INT) as bigint;
      }
    }
    cells[i] = convert(r, t);
  }

  /** Deep copy of globals and a frame, to re-run a loop from its start. */
  snapshot(frame: Frame): [Frame, Frame] {
    return [this.globals.map((c) => c.slice()), frame.map((c) => c.slice())];
  }

  /** Restores a snapshot; variables created after it get their initial values back. */
  restore(snap: [Frame, Frame], frame: Frame, frameVars: readonly Var[], globalVars: readonly Var[]): void {
    const [g, f] = snap;
    for (let i = 0; i < this.globals.length; i++) {
      this.globals[i] = i < g.length ? (g[i] as bigint[]).slice() : (globalVars[i] as Var).init.slice();
    }
    for (let i = 0; i < frame.length; i++) {
      frame[i] = i < f.length ? (f[i] as bigint[]).slice() : (frameVars[i] as Var).init.slice();
    }
  }
}
