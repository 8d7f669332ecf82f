/**
 * @fileoverview Stage: engine (codegen analysis). Finds the i64 values of a function that provably fit in
 * a signed 32-bit integer, so generated code can compute them as one int32 instead of a (lo, hi) pair.
 *
 * Consumes: a `Func`. Produces: the set of narrow i64 local ids and their value ranges. An interval
 * analysis over i64 SSA values: constants, sext/zext of narrower integers (zext nneg i32 is [0, 2^31)),
 * add/sub/mul/shl/and/ashr/lshr/rem with constants, select, min/max, and phis; loop-header phis that an
 * induction step `add nsw/nuw %p, k` (k > 0) feeds are bounded by the latch's exit compare (as in
 * `for (i = 0; i < n; i++)` with a sign-extended or non-negative n). Everything else is unbounded.
 * Soundness rests on the IR's no-wrap flags: a run that would overflow them is undefined behaviour.
 */
import type { Block, Func, Instr, Local, Value } from '../ir/model.js';
import { analyze, type Cfg } from './cfg.js';

type Range = readonly [number, number];

const FULL: Range = [-(2 ** 63), 2 ** 63];
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

function isI64(v: { type: { kind: string; bits?: number } }): boolean {
  return v.type.kind === 'int' && (v.type as { bits: number }).bits === 64;
}

function clamp(r: Range): Range {
  if (!(r[0] >= FULL[0]) || !(r[1] <= FULL[1]) || r[0] > r[1]) return FULL;
  return r;
}

function union(a: Range | undefined, b: Range): Range {
  return a === undefined ? b : [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

export class NarrowAnalysis {
  readonly ranges = new Map<number, Range>();
  readonly narrow = new Set<number>();
  private readonly cfg: Cfg;
  private readonly blockOf = new Map<number, Block>();
  private readonly def = new Map<number, Instr>();

  constructor(readonly f: Func) {
    this.cfg = analyze(f);
    for (const b of f.blocks)
      for (const i of b.instrs)
        if (i.result !== undefined) {
          this.def.set(i.result.id, i);
          this.blockOf.set(i.result.id, b);
        }
    this.run();
    for (const [id, r] of this.ranges) if (r[0] >= I32_MIN && r[1] <= I32_MAX) this.narrow.add(id);
  }

  /** Range of an integer value (any width up to 64: the signed interpretation). */
  range(v: Value): Range {
    if (v.kind === 'int' && v.type.kind === 'int') {
      const x = Number(BigInt.asIntN(v.type.bits, v.value));
      return [x, x];
    }
    if (v.kind === 'local') {
      const r = this.ranges.get(v.id);
      if (r !== undefined) return r;
      if (v.type.kind === 'int' && v.type.bits <= 32) {
        const b = v.type.bits;
        return b === 1 ? [0, 1] : [-(2 ** (b - 1)), 2 ** (b - 1) - 1];
      }
      return FULL;
    }
    return FULL;
  }

  /** Phis widened to a fixed range (their induction bound, or FULL). */
  private readonly fixed = new Map<number, Range>();

  private run(): void {
    const order: Instr[] = [];
    for (const b of this.cfg.rpo)
      for (const i of b.instrs) if (i.result !== undefined && isI64(i.result)) order.push(i);
    if (order.length === 0) return;
    for (let attempt = 0; attempt < 4; attempt++) {
      if (!this.fixpoint(order)) break;
      // An induction bound read other ranges before they were final: check it against the final ones.
      let ok = true;
      for (const [id, r] of this.fixed) {
        if (r === FULL) continue;
        const b = this.inductionBound(this.def.get(id) as Extract<Instr, { op: 'phi' }>);
        if (b === undefined || b[0] < r[0] || b[1] > r[1]) {
          this.fixed.set(id, FULL);
          ok = false;
        }
      }
      if (ok) return;
      this.ranges.clear();
      for (const [id, r] of this.fixed) if (r === FULL) this.ranges.set(id, FULL);
    }
    this.ranges.clear();
  }

  /** Iterate to a fixpoint; false if it did not converge. */
  private fixpoint(order: Instr[]): boolean {
    const updates = new Map<number, number>();
    for (let round = 0; round < 50; round++) {
      let changed = false;
      for (const i of order) {
        const id = i.result!.id;
        const f = this.fixed.get(id);
        if (f !== undefined) {
          if (this.ranges.get(id) !== f) {
            this.ranges.set(id, f);
            changed = true;
          }
          continue;
        }
        let r = clamp(this.transfer(i));
        const old = this.ranges.get(id);
        if (old !== undefined) {
          r = union(old, r);
          if (r[0] === old[0] && r[1] === old[1]) continue;
          if (i.op === 'phi') {
            const n = (updates.get(id) ?? 0) + 1;
            updates.set(id, n);
            if (n > 2) {
              r = this.inductionBound(i) ?? FULL;
              r = union(old, r);
              this.fixed.set(id, r);
            }
          }
        }
        this.ranges.set(id, r);
        changed = true;
      }
      if (!changed) return true;
    }
    return false;
  }

  private transfer(i: Instr): Range {
    switch (i.op) {
      case 'sext': {
        const t = i.operand.type;
        if (t.kind !== 'int') return FULL;
        if (t.bits <= 32) {
          const r = this.range(i.operand);
          return r;
        }
        return this.range(i.operand);
      }
      case 'zext': {
        const t = i.operand.type;
        if (t.kind !== 'int') return FULL;
        if (t.bits < 32) return [0, 2 ** t.bits - 1];
        if (t.bits === 32) {
          const r = this.range(i.operand);
          if (i.flags.includes('nneg') || r[0] >= 0)
            return [Math.max(0, r[0]), Math.min(I32_MAX, Math.max(r[1], 0))];
          return [0, 2 ** 32 - 1];
        }
        return this.range(i.operand);
      }
      case 'add':
      case 'sub':
      case 'mul': {
        const a = this.range(i.lhs);
        const b = this.range(i.rhs);
        if (i.op === 'add') return [a[0] + b[0], a[1] + b[1]];
        if (i.op === 'sub') return [a[0] - b[1], a[1] - b[0]];
        const c = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]];
        return [Math.min(...c), Math.max(...c)];
      }
      case 'and': {
        const a = this.range(i.lhs);
        const b = this.range(i.rhs);
        if (a[0] >= 0 && b[0] >= 0) return [0, Math.min(a[1], b[1])];
        if (a[0] >= 0) return [0, a[1]];
        if (b[0] >= 0) return [0, b[1]];
        return FULL;
      }
      case 'or':
      case 'xor': {
        const a = this.range(i.lhs);
        const b = this.range(i.rhs);
        if (a[0] >= 0 && b[0] >= 0 && a[1] < 2 ** 52 && b[1] < 2 ** 52) {
          const m = 2 ** Math.ceil(Math.log2(Math.max(a[1], b[1]) + 1)) - 1;
          return [0, m];
        }
        return FULL;
      }
      case 'shl': {
        const a = this.range(i.lhs);
        const k = this.constOf(i.rhs);
        if (k === undefined || k < 0 || k > 62) return FULL;
        return [a[0] * 2 ** k, a[1] * 2 ** k];
      }
      case 'ashr':
      case 'lshr': {
        const a = this.range(i.lhs);
        const k = this.constOf(i.rhs);
        if (k === undefined || k < 0 || k > 63) return FULL;
        if (i.op === 'lshr' && a[0] < 0) return k >= 1 ? [0, 2 ** (64 - k) - 1] : FULL;
        return [Math.floor(a[0] / 2 ** k), Math.floor(a[1] / 2 ** k)];
      }
      case 'srem':
      case 'urem': {
        const b = this.range(i.rhs);
        const a = this.range(i.lhs);
        const m = Math.max(Math.abs(b[0]), Math.abs(b[1]));
        if (i.op === 'urem')
          return b[0] > 0 && a[0] >= 0 ? [0, Math.min(a[1], b[1] - 1)] : b[0] > 0 ? [0, b[1] - 1] : FULL;
        return [a[0] >= 0 ? 0 : -(m - 1), a[1] <= 0 ? 0 : m - 1];
      }
      case 'sdiv':
      case 'udiv': {
        const a = this.range(i.lhs);
        const b = this.range(i.rhs);
        if (b[0] >= 1 && (i.op === 'sdiv' || a[0] >= 0)) return [Math.min(a[0], 0), Math.max(a[1], 0)];
        return FULL;
      }
      case 'select':
        return union(this.range(i.ifTrue), this.range(i.ifFalse));
      case 'freeze':
        return this.range(i.operand);
      case 'phi': {
        let r: Range | undefined;
        for (const e of i.incoming) {
          if (e.value.kind === 'local' && !this.ranges.has(e.value.id) && isI64(e.value)) continue;
          r = union(r, this.range(e.value));
        }
        return r ?? FULL;
      }
      case 'call': {
        const c = i.callee;
        if (c.kind !== 'function') return FULL;
        const a = i.args[0] !== undefined ? this.range(i.args[0].value) : FULL;
        const b = i.args[1] !== undefined ? this.range(i.args[1].value) : FULL;
        if (c.name.startsWith('llvm.smax.')) return [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
        if (c.name.startsWith('llvm.smin.')) return [Math.min(a[0], b[0]), Math.min(a[1], b[1])];
        if (c.name.startsWith('llvm.umin.') && a[0] >= 0 && b[0] >= 0) return [0, Math.min(a[1], b[1])];
        if (c.name.startsWith('llvm.umin.') && a[0] >= 0) return [0, a[1]];
        if (c.name.startsWith('llvm.umin.') && b[0] >= 0) return [0, b[1]];
        if (c.name.startsWith('llvm.umax.') && a[0] >= 0 && b[0] >= 0)
          return [Math.max(a[0], b[0]), Math.max(a[1], b[1])];
        if (c.name.startsWith('llvm.abs.') && a[0] > -(2 ** 63))
          return [0, Math.max(Math.abs(a[0]), Math.abs(a[1]))];
        return FULL;
      }
      default:
        return FULL;
    }
  }

  private constOf(v: Value): number | undefined {
    if (v.kind === 'int' && v.type.kind === 'int') return Number(BigInt.asIntN(v.type.bits, v.value));
    return undefined;
  }

  /**
   * Bound of an induction variable: `p = phi [init, outside], [next, latch]` with `next = add nsw|nuw p, k`
   * (k > 0) and the latch ending in `br (icmp pred x, bound)` that loops back only while x has not
   * passed bound (x is p or next).
   */
  private inductionBound(phi: Extract<Instr, { op: 'phi' }>): Range | undefined {
    const pid = phi.result!.id;
    const header = this.blockOf.get(pid)!;
    const hnum = this.cfg.rpoNum[header.index]!;
    let initR: Range | undefined;
    let next: Local | undefined;
    let latch: Block | undefined;
    for (const e of phi.incoming) {
      const back = this.cfg.rpoNum[e.block.index]! >= hnum;
      if (back) {
        if (e.value.kind !== 'local' || next !== undefined) return undefined;
        next = e.value;
        latch = e.block;
      } else initR = union(initR, this.range(e.value));
    }
    if (next === undefined || latch === undefined || initR === undefined) return undefined;
    const step = this.def.get(next.id);
    if (step === undefined || step.op !== 'add') return undefined;
    if (!step.flags.includes('nsw') && !step.flags.includes('nuw')) return undefined;
    const other =
      step.lhs.kind === 'local' && step.lhs.id === pid
        ? step.rhs
        : step.rhs.kind === 'local' && step.rhs.id === pid
          ? step.lhs
          : undefined;
    const k = other !== undefined ? this.constOf(other) : undefined;
    if (k === undefined || k <= 0) return undefined;
    // The exit test: a conditional branch on the dominator chain from the latch up to the header, with
    // one target inside the loop body and the other outside (every iteration passes it).
    const body = this.loopBody(header, latch);
    let term: Instr | undefined;
    let contOnTrue = false;
    for (let b: number = latch.index; ; b = this.cfg.idom[b]!) {
      const t = this.f.blocks[b]!.instrs[this.f.blocks[b]!.instrs.length - 1]!;
      if (t.op === 'br' && t.cond !== undefined && t.ifFalse !== undefined) {
        const inT = body.has(t.ifTrue.index);
        const inF = body.has(t.ifFalse.index);
        if (inT !== inF) {
          term = t;
          contOnTrue = inT;
          break;
        }
      }
      if (b === header.index || b === 0) break;
    }
    if (term === undefined || term.op !== 'br' || term.cond === undefined || term.cond.kind !== 'local')
      return undefined;
    const cmp = this.def.get(term.cond.id);
    if (cmp === undefined || cmp.op !== 'icmp') return undefined;
    let pred = cmp.pred;
    let x = cmp.lhs;
    let bound = cmp.rhs;
    const isX = (v: Value): boolean => v.kind === 'local' && (v.id === pid || v.id === next!.id);
    if (!isX(x)) {
      if (!isX(bound)) return undefined;
      [x, bound] = [bound, x];
      pred =
        {
          eq: 'eq',
          ne: 'ne',
          slt: 'sgt',
          sgt: 'slt',
          sle: 'sge',
          sge: 'sle',
          ult: 'ugt',
          ugt: 'ult',
          ule: 'uge',
          uge: 'ule',
        }[pred] ?? pred;
    }
    // The continue condition, normalised.
    const cont = contOnTrue
      ? pred
      : ({
          eq: 'ne',
          ne: 'eq',
          slt: 'sge',
          sge: 'slt',
          sle: 'sgt',
          sgt: 'sle',
          ult: 'uge',
          uge: 'ult',
          ule: 'ugt',
          ugt: 'ule',
        }[pred] ?? '');
    const br = this.range(bound);
    if (br === FULL || br[1] > 2 ** 53) return undefined;
    let xUpper: number;
    if (cont === 'ne') {
      // Exits exactly at bound: only sound when x hits bound (step 1, or bound a multiple of k from 0).
      if (k !== 1 && !(initR[0] === 0 && initR[1] === 0 && this.multipleOf(bound, k))) return undefined;
      xUpper = br[1];
    } else if (cont === 'slt' || cont === 'ult') xUpper = br[1] + k - 1;
    else if (cont === 'sle' || cont === 'ule') xUpper = br[1] + k;
    else return undefined;
    const xIsNext = x.kind === 'local' && x.id === next.id;
    const pUpper = Math.max(initR[1], xIsNext ? xUpper - k : xUpper);
    return [Math.min(initR[0], 0) === 0 && initR[0] >= 0 ? initR[0] : initR[0], pUpper];
  }

  /** Blocks of the natural loop of the back edge latch -> header. */
  private loopBody(header: Block, latch: Block): Set<number> {
    const preds = new Map<number, number[]>();
    this.cfg.succ.forEach((ss, b) =>
      ss.forEach((t) => preds.set(t.index, [...(preds.get(t.index) ?? []), b])),
    );
    const body = new Set<number>([header.index]);
    const work = [latch.index];
    while (work.length > 0) {
      const b = work.pop()!;
      if (body.has(b)) continue;
      body.add(b);
      for (const p of preds.get(b) ?? []) if (this.cfg.rpoNum[p]! >= 0) work.push(p);
    }
    return body;
  }

  private multipleOf(v: Value, k: number): boolean {
    const c = this.constOf(v);
    if (c !== undefined) return c % k === 0;
    if (v.kind !== 'local') return false;
    const d = this.def.get(v.id);
    if (d === undefined) return false;
    if (d.op === 'and') {
      const m = this.constOf(d.rhs) ?? this.constOf(d.lhs);
      return m !== undefined && m % k === 0;
    }
    if (d.op === 'shl') {
      const s = this.constOf(d.rhs);
      return s !== undefined && 2 ** s % k === 0;
    }
    if (d.op === 'mul') {
      const m = this.constOf(d.rhs) ?? this.constOf(d.lhs);
      return m !== undefined && m % k === 0;
    }
    if (d.op === 'sub') {
      // n - (n urem k) and friends.
      const r = d.rhs.kind === 'local' ? this.def.get(d.rhs.id) : undefined;
      return (
        r !== undefined &&
        (r.op === 'urem' || r.op === 'and') &&
        d.lhs.kind === 'local' &&
        this.remOf(r, d.lhs, k)
      );
    }
    return false;
  }

  private remOf(r: Instr, n: Value, k: number): boolean {
    if (r.op === 'urem') return r.lhs === n && this.constOf(r.rhs) === k;
    if (r.op === 'and') return r.lhs === n && this.constOf(r.rhs) === k - 1 && (k & (k - 1)) === 0;
    return false;
  }
}
