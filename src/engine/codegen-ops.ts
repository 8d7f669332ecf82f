/**
 * @fileoverview Stage: engine (codegen). Emission of arithmetic, compares, casts, select and vector /
 * aggregate value instructions.
 *
 * Consumes: instructions and the `FuncGen` naming/operand services. Produces: JS statements assigning the
 * result's slot variables (see values.ts for the representation). Vectors are scalarised lane by lane with
 * the same scalar emitters. Memory instructions are in codegen-mem.ts, calls in codegen-call.ts.
 */
import type { BinaryInstr, CastInstr, CmpInstr, Instr, ShuffleVectorInstr } from '../ir/model.js';
import type { FuncGen } from './codegen.js';
import { emitCall } from './codegen-call.js';
import { emitMemInstr } from './codegen-mem.js';
import { UnsupportedError, mask, numLit, type Leaf } from './values.js';

export function emitInstr(g: FuncGen, i: Instr): void {
  switch (i.op) {
    case 'add':
    case 'sub':
    case 'mul':
    case 'udiv':
    case 'sdiv':
    case 'urem':
    case 'srem':
    case 'shl':
    case 'lshr':
    case 'ashr':
    case 'and':
    case 'or':
    case 'xor':
    case 'fadd':
    case 'fsub':
    case 'fmul':
    case 'fdiv':
    case 'frem':
      return emitBinary(g, i);
    case 'fneg': {
      const ls = g.leaves(i.type);
      ls.forEach((l, j) => {
        const a = g.opnd(i.operand, j)[0]!;
        g.out(`${g.leafSlots(i.result!, j)[0]} = ${l.k === 'x' ? `XNEG(${a})` : `-${a}`};`);
      });
      return;
    }
    case 'icmp':
    case 'fcmp':
      return emitCmp(g, i);
    case 'select': {
      const ls = g.leaves(i.result!.type);
      const vecCond = i.cond.type.kind === 'vector';
      ls.forEach((_, j) => {
        const c = g.opnd(i.cond, vecCond ? j : 0)[0]!;
        const a = g.opnd(i.ifTrue, j);
        const b = g.opnd(i.ifFalse, j);
        g.leafSlots(i.result!, j).forEach((d, k) => g.out(`${d} = ${c} ? ${a[k]} : ${b[k]};`));
      });
      return;
    }
    case 'freeze':
      copyAll(g, g.opndAll(i.operand), g.slots(i.result!));
      return;
    case 'trunc':
    case 'zext':
    case 'sext':
    case 'fptrunc':
    case 'fpext':
    case 'fptoui':
    case 'fptosi':
    case 'uitofp':
    case 'sitofp':
    case 'ptrtoint':
    case 'inttoptr':
    case 'bitcast':
    case 'addrspacecast':
      return emitCast(g, i);
    case 'extractvalue': {
      const { first } = g.ctx.lc.subLeaves(i.aggregate.type, i.indices);
      const n = g.leaves(i.type).length;
      for (let j = 0; j < n; j++) copyAll(g, g.opnd(i.aggregate, first + j), g.leafSlots(i.result!, j));
      return;
    }
    case 'insertvalue': {
      const { first, type } = g.ctx.lc.subLeaves(i.aggregate.type, i.indices);
      const n = g.leaves(type).length;
      const total = g.leaves(i.aggregate.type).length;
      for (let j = 0; j < total; j++) {
        const src = j >= first && j < first + n ? g.opnd(i.element, j - first) : g.opnd(i.aggregate, j);
        copyAll(g, src, g.leafSlots(i.result!, j));
      }
      return;
    }
    case 'extractelement': {
      const n = g.leaves(i.vector.type).length;
      const idx = i.index;
      if (idx.kind === 'int') {
        const k = Number(idx.value);
        if (k < n) copyAll(g, g.opnd(i.vector, k), g.slots(i.result!));
        return;
      }
      const ix = g.op1(idx);
      const dst = g.slots(i.result!);
      g.open(`switch (${ix}) {`);
      for (let k = 0; k < n; k++) {
        const src = g.opnd(i.vector, k);
        g.out(`case ${k}: ${dst.map((d, s) => `${d} = ${src[s]};`).join(' ')} break;`);
      }
      g.close();
      return;
    }
    case 'insertelement': {
      const n = g.leaves(i.vector.type).length;
      const idx = i.index;
      if (idx.kind === 'int') {
        const k = Number(idx.value);
        for (let j = 0; j < n; j++)
          copyAll(g, j === k ? g.opnd(i.element, 0) : g.opnd(i.vector, j), g.leafSlots(i.result!, j));
        return;
      }
      const ix = g.op1(idx);
      const e = g.opnd(i.element, 0);
      for (let j = 0; j < n; j++) {
        const src = g.opnd(i.vector, j);
        g.leafSlots(i.result!, j).forEach((d, s) => g.out(`${d} = ${ix} === ${j} ? ${e[s]} : ${src[s]};`));
      }
      return;
    }
    case 'shufflevector':
      return emitShuffle(g, i);
    case 'call':
      return emitCall(g, i);
    default:
      return emitMemInstr(g, i);
  }
}

export function emitTerminatorValue(g: FuncGen, t: Instr): void {
  throw new UnsupportedError(`terminator ${t.op}`);
}

function copyAll(g: FuncGen, src: string[], dst: string[]): void {
  dst.forEach((d, k) => g.out(`${d} = ${src[k]};`));
}

function emitShuffle(g: FuncGen, i: ShuffleVectorInstr): void {
  const n = g.leaves(i.a.type).length;
  const elemLeaf = g.leaves(i.a.type)[0]!;
  i.mask.forEach((m, j) => {
    const dst = g.leafSlots(i.result!, j);
    if (m < 0) {
      const z = elemLeaf.k === 'b' || elemLeaf.k === 'x' ? '0n' : '0';
      dst.forEach((d) => g.out(`${d} = ${z};`));
      return;
    }
    const src = m < n ? g.opnd(i.a, m) : g.opnd(i.b, m - n);
    copyAll(g, src, dst);
  });
}

/** Sign-extend a zero-extended small integer expression of width w to int32. */
export function sx(a: string, w: number): string {
  if (w >= 32) return a;
  return `(${a} << ${32 - w} >> ${32 - w})`;
}

function isZeroLit(s: string): boolean {
  return s === '0' || s === '0n';
}
function isLit(s: string): boolean {
  return /^\(?-?\d/.test(s);
}

function emitBinary(g: FuncGen, i: BinaryInstr): void {
  const ls = g.leaves(i.type);
  if (ls.length === 1 && ls[0]!.k === 'l' && g.isNarrow(i.result!)) {
    // The result fits in int32: low-half arithmetic is exact for these ops whatever the operands' high
    // halves; shifts right and divisions need narrow operands too.
    const lowOnly = ['add', 'sub', 'mul', 'and', 'or', 'xor', 'shl'].includes(i.op);
    const signed = ['ashr', 'sdiv', 'srem'].includes(i.op) && g.isNarrow(i.lhs) && g.isNarrow(i.rhs);
    const unsigned =
      ['lshr', 'udiv', 'urem'].includes(i.op) && g.isNarrowNonNeg(i.lhs) && g.isNarrowNonNeg(i.rhs);
    if (lowOnly || signed || unsigned) {
      const a = g.opnd(i.lhs, 0)[0]!;
      const b = g.opnd(i.rhs, 0)[0]!;
      const d = g.leafSlots(i.result!, 0)[0]!;
      if (i.op === 'shl' || i.op === 'lshr' || i.op === 'ashr') {
        // An i64 shift by 32..63 (JS shifts count mod 32): the low half is 0, or the sign for ashr.
        const big = i.op === 'ashr' ? `${a} >> 31` : '0';
        if (isLit(b) && (Number(b.replace(/[()]/g, '')) & 63) >= 32) {
          g.out(`${d} = ${big};`);
          return;
        }
        if (!isLit(b)) {
          intBinary(g, i.op, 32, a, `(${b} > 31 ? 0 : ${b})`, d);
          g.out(`if (${b} > 31) ${d} = ${big};`);
          return;
        }
      }
      intBinary(g, i.op, 32, a, b, d);
      return;
    }
  }
  ls.forEach((l, j) => binaryLeaf(g, i.op, l, g.opnd(i.lhs, j), g.opnd(i.rhs, j), g.leafSlots(i.result!, j)));
}

/** One lane of a binary operation: d = a op b. */
export function binaryLeaf(g: FuncGen, op: string, l: Leaf, a: string[], b: string[], d: string[]): void {
  {
    switch (l.k) {
      case 'i':
        return intBinary(g, op, l.bits, a[0]!, b[0]!, d[0]!);
      case 'l':
        return longBinary(g, op, a as [string, string], b as [string, string], d as [string, string]);
      case 'b':
        return bigBinary(g, op, l.bits, a[0]!, b[0]!, d[0]!);
      case 'f':
      case 'd':
        return floatBinary(g, op, l.k, a[0]!, b[0]!, d[0]!);
      case 'x':
        return g.out(
          `${d[0]} = ${{ fadd: 'XADD', fsub: 'XSUB', fmul: 'XMUL', fdiv: 'XDIV', frem: 'XREM' }[op as 'fadd']}(${a[0]}, ${b[0]});`,
        );
      default:
        throw new UnsupportedError(`${op} on pointers`);
    }
  }
}

function intBinary(g: FuncGen, op: string, w: number, a: string, b: string, d: string): void {
  const m = mask(w);
  const full = w === 32;
  const wrap = (e: string): string => (full ? `(${e}) | 0` : `(${e}) & ${m}`);
  let e: string;
  switch (op) {
    case 'add':
      e = wrap(`${a} + ${b}`);
      break;
    case 'sub':
      e = wrap(`${a} - ${b}`);
      break;
    case 'mul':
      e = full ? `Math.imul(${a}, ${b})` : `Math.imul(${a}, ${b}) & ${m}`;
      break;
    case 'and':
      e = `${a} & ${b}`;
      break;
    case 'or':
      e = `${a} | ${b}`;
      break;
    case 'xor':
      e = `${a} ^ ${b}`;
      break;
    case 'shl':
      e = full ? `${a} << ${b}` : `(${a} << ${b}) & ${m}`;
      break;
    case 'lshr':
      e = full ? `(${a} >>> ${b}) | 0` : `${a} >>> ${b}`;
      break;
    case 'ashr':
      e = full ? `${a} >> ${b}` : `(${sx(a, w)} >> ${b}) & ${m}`;
      break;
    case 'udiv':
    case 'urem':
    case 'sdiv':
    case 'srem': {
      if (!isLit(b) || isZeroLit(b)) g.out(`if (${b} === 0) DZ(${g.site()});`);
      const signed = op[0] === 's';
      if (signed && full && (!isLit(b) || b === '(-1)'))
        g.out(`if (${a} === -2147483648 && ${b} === -1) OVF(${g.site()});`);
      const div = op.endsWith('div');
      if (full) {
        if (signed) e = div ? `(${a} / ${b}) | 0` : `(${a} % ${b}) | 0`;
        else e = div ? `((${a} >>> 0) / (${b} >>> 0)) | 0` : `((${a} >>> 0) % (${b} >>> 0)) | 0`;
      } else if (signed)
        e = div ? `((${sx(a, w)} / ${sx(b, w)}) | 0) & ${m}` : `(${sx(a, w)} % ${sx(b, w)}) & ${m}`;
      else e = div ? `(${a} / ${b}) | 0` : `${a} % ${b}`;
      break;
    }
    default:
      throw new UnsupportedError(`${op} on i${w}`);
  }
  g.out(`${d} = ${e};`);
}

function longBinary(
  g: FuncGen,
  op: string,
  a: [string, string],
  b: [string, string],
  d: [string, string],
): void {
  const [al, ah] = a;
  const [bl, bh] = b;
  const [dl, dh] = d;
  switch (op) {
    case 'add':
      g.out(
        `${dl} = (${al} + ${bl}) | 0; ${dh} = (${ah} + ${bh} + ((${dl} >>> 0) < (${al} >>> 0) ? 1 : 0)) | 0;`,
      );
      return;
    case 'sub':
      g.out(
        `${dl} = (${al} - ${bl}) | 0; ${dh} = (${ah} - ${bh} - ((${al} >>> 0) < (${bl} >>> 0) ? 1 : 0)) | 0;`,
      );
      return;
    case 'and':
    case 'or':
    case 'xor': {
      const o = op === 'and' ? '&' : op === 'or' ? '|' : '^';
      g.out(`${dl} = ${al} ${o} ${bl}; ${dh} = ${ah} ${o} ${bh};`);
      return;
    }
    case 'mul':
      g.out(`${dl} = MUL64(${al}, ${ah}, ${bl}, ${bh}); ${dh} = H[0];`);
      return;
    case 'shl':
    case 'lshr':
    case 'ashr': {
      if (isLit(bl)) {
        const n = Number(bl.replace(/[()]/g, '')) & 63;
        g.out(constShift64(op, n, al, ah, dl, dh));
        return;
      }
      const f = op === 'shl' ? 'SHL64' : op === 'lshr' ? 'LSHR64' : 'ASHR64';
      g.out(`${dl} = ${f}(${al}, ${ah}, ${bl}); ${dh} = H[0];`);
      return;
    }
    case 'udiv':
    case 'urem':
    case 'sdiv':
    case 'srem': {
      g.out(`if ((${bl} | ${bh}) === 0) DZ(${g.site()});`);
      if (op[0] === 's')
        g.out(`if (${al} === 0 && ${ah} === -2147483648 && ${bl} === -1 && ${bh} === -1) OVF(${g.site()});`);
      const f = op.toUpperCase() + '64';
      g.out(`${dl} = ${f}(${al}, ${ah}, ${bl}, ${bh}); ${dh} = H[0];`);
      return;
    }
    default:
      throw new UnsupportedError(`${op} on i64`);
  }
}

function constShift64(op: string, n: number, al: string, ah: string, dl: string, dh: string): string {
  if (n === 0) return `${dl} = ${al}; ${dh} = ${ah};`;
  if (op === 'shl') {
    if (n < 32) return `${dh} = (${ah} << ${n}) | (${al} >>> ${32 - n}); ${dl} = ${al} << ${n};`;
    return `${dh} = ${al} << ${n - 32}; ${dl} = 0;`;
  }
  if (op === 'lshr') {
    if (n < 32) return `${dl} = (${al} >>> ${n}) | (${ah} << ${32 - n}); ${dh} = (${ah} >>> ${n}) | 0;`;
    return `${dl} = (${ah} >>> ${n - 32}) | 0; ${dh} = 0;`;
  }
  if (n < 32) return `${dl} = (${al} >>> ${n}) | (${ah} << ${32 - n}); ${dh} = ${ah} >> ${n};`;
  return `${dl} = ${ah} >> ${n - 32}; ${dh} = ${ah} >> 31;`;
}

function bigBinary(g: FuncGen, op: string, w: number, a: string, b: string, d: string): void {
  const U = (e: string): string => `BigInt.asUintN(${w}, ${e})`;
  const S = (e: string): string => `BigInt.asIntN(${w}, ${e})`;
  let e: string;
  switch (op) {
    case 'add':
      e = U(`${a} + ${b}`);
      break;
    case 'sub':
      e = U(`${a} - ${b}`);
      break;
    case 'mul':
      e = U(`${a} * ${b}`);
      break;
    case 'and':
      e = `${a} & ${b}`;
      break;
    case 'or':
      e = `${a} | ${b}`;
      break;
    case 'xor':
      e = `${a} ^ ${b}`;
      break;
    case 'shl':
      e = U(`${a} << (${b} % ${w}n)`);
      break;
    case 'lshr':
      e = `${a} >> (${b} % ${w}n)`;
      break;
    case 'ashr':
      e = U(`${S(a)} >> (${b} % ${w}n)`);
      break;
    case 'udiv':
    case 'urem':
    case 'sdiv':
    case 'srem': {
      g.out(`if (${b} === 0n) DZ(${g.site()});`);
      const o = op.endsWith('div') ? '/' : '%';
      e = op[0] === 's' ? U(`${S(a)} ${o} ${S(b)}`) : `${a} ${o} ${b}`;
      break;
    }
    default:
      throw new UnsupportedError(`${op} on i${w}`);
  }
  g.out(`${d} = ${e};`);
}

function floatBinary(g: FuncGen, op: string, k: 'f' | 'd', a: string, b: string, d: string): void {
  const o = { fadd: '+', fsub: '-', fmul: '*', fdiv: '/', frem: '%' }[op];
  if (o === undefined) throw new UnsupportedError(`${op} on floating point`);
  g.out(k === 'f' ? `${d} = Math.fround(${a} ${o} ${b});` : `${d} = ${a} ${o} ${b};`);
}

// ---------------------------------------------------------------------------------------------------
// Compares

/** The JS boolean expression of an icmp/fcmp on one lane. */
export function cmpExpr(
  g: FuncGen,
  op: 'icmp' | 'fcmp',
  pred: string,
  l: Leaf,
  a: string[],
  b: string[],
): string {
  if (op === 'fcmp') return fcmpExpr(g, pred, l, a[0]!, b[0]!);
  switch (l.k) {
    case 'i': {
      const x = a[0]!;
      const y = b[0]!;
      const w = l.bits;
      if (pred === 'eq') return `${x} === ${y}`;
      if (pred === 'ne') return `${x} !== ${y}`;
      const rel = { gt: '>', ge: '>=', lt: '<', le: '<=' }[pred.slice(1)]!;
      if (pred[0] === 'u') return w === 32 ? `(${x} >>> 0) ${rel} (${y} >>> 0)` : `${x} ${rel} ${y}`;
      return w === 32 ? `${x} ${rel} ${y}` : `${sx(x, w)} ${rel} ${sx(y, w)}`;
    }
    case 'l': {
      const [xl, xh] = a;
      const [yl, yh] = b;
      if (pred === 'eq') return `(${xl} === ${yl} && ${xh} === ${yh})`;
      if (pred === 'ne') return `(${xl} !== ${yl} || ${xh} !== ${yh})`;
      const strict = { gt: '>', ge: '>', lt: '<', le: '<' }[pred.slice(1)]!;
      const low = { gt: '>', ge: '>=', lt: '<', le: '<=' }[pred.slice(1)]!;
      const hx = pred[0] === 'u' ? `(${xh} >>> 0)` : xh;
      const hy = pred[0] === 'u' ? `(${yh} >>> 0)` : yh;
      return `(${hx} ${strict} ${hy} || (${xh} === ${yh} && (${xl} >>> 0) ${low} (${yl} >>> 0)))`;
    }
    case 'p': {
      const x = a[0]!;
      const y = b[0]!;
      if (pred === 'eq') return `${x} === ${y}`;
      if (pred === 'ne') return `${x} !== ${y}`;
      const rel = { gt: '>', ge: '>=', lt: '<', le: '<=' }[pred.slice(1)]!;
      if (pred[0] === 's') return `${x} ${rel} ${y}`;
      return `((${x} < 0) === (${y} < 0) ? ${x} ${rel} ${y} : ${pred[1] === 'g' ? x : y} < 0)`;
    }
    case 'b': {
      const x = a[0]!;
      const y = b[0]!;
      if (pred === 'eq') return `${x} === ${y}`;
      if (pred === 'ne') return `${x} !== ${y}`;
      const rel = { gt: '>', ge: '>=', lt: '<', le: '<=' }[pred.slice(1)]!;
      if (pred[0] === 'u') return `${x} ${rel} ${y}`;
      return `BigInt.asIntN(${l.bits}, ${x}) ${rel} BigInt.asIntN(${l.bits}, ${y})`;
    }
    default:
      throw new UnsupportedError(`icmp on ${l.k}`);
  }
}

function fcmpExpr(g: FuncGen, pred: string, l: Leaf, x: string, y: string): string {
  if (l.k === 'x') {
    const c = `XCMP(${x}, ${y})`;
    const m: Record<string, string> = {
      false: 'false',
      true: 'true',
      oeq: `${c} === 0`,
      ogt: `${c} === 1`,
      oge: `(XC = ${c}, XC === 0 || XC === 1)`,
      olt: `${c} === -1`,
      ole: `(XC = ${c}, XC === 0 || XC === -1)`,
      one: `(XC = ${c}, XC === 1 || XC === -1)`,
      ord: `${c} !== 2`,
      ueq: `(XC = ${c}, XC === 0 || XC === 2)`,
      ugt: `(XC = ${c}, XC === 1 || XC === 2)`,
      uge: `${c} !== -1`,
      ult: `(XC = ${c}, XC === -1 || XC === 2)`,
      ule: `${c} !== 1`,
      une: `${c} !== 0`,
      uno: `${c} === 2`,
    };
    return m[pred]!;
  }
  const m: Record<string, string> = {
    false: 'false',
    true: 'true',
    oeq: `${x} === ${y}`,
    ogt: `${x} > ${y}`,
    oge: `${x} >= ${y}`,
    olt: `${x} < ${y}`,
    ole: `${x} <= ${y}`,
    one: `(${x} < ${y} || ${x} > ${y})`,
    ord: `(${x} === ${x} && ${y} === ${y})`,
    ueq: `!(${x} < ${y} || ${x} > ${y})`,
    ugt: `!(${x} <= ${y})`,
    uge: `!(${x} < ${y})`,
    ult: `!(${x} >= ${y})`,
    ule: `!(${x} > ${y})`,
    une: `${x} !== ${y}`,
    uno: `(${x} !== ${x} || ${y} !== ${y})`,
  };
  const e = m[pred];
  if (e === undefined) throw new UnsupportedError(`fcmp ${pred}`);
  void g;
  return e;
}

/**
 * Generation mode: log the operands of integer comparisons (CmpLog / RedQueen input-to-state feedback),
 * when the runtime switched logging on. Comparisons with two constants, and i1, are not logged.
 */
function emitCmpLog(g: FuncGen, i: CmpInstr, ls: readonly Leaf[]): void {
  if (g.ctx.opts.mode !== 'gen' || i.op !== 'icmp' || ls.length !== 1 || i.opType.kind !== 'int') return;
  const l = ls[0]!;
  if (l.bits < 8 || l.bits > 64 || (i.lhs.kind !== 'local' && i.rhs.kind !== 'local')) return;
  const a = g.opnd(i.lhs, 0);
  const b = g.opnd(i.rhs, 0);
  if (l.k === 'i') g.out(`if (CMP.on) CMP.log(${a[0]}, ${b[0]}, ${l.bits});`);
  else if (l.k === 'l') {
    if (g.isNarrow(i.lhs) && g.isNarrow(i.rhs)) g.out(`if (CMP.on) CMP.log(${a[0]}, ${b[0]}, 64);`);
    else g.out(`if (CMP.on) CMP.log64(${a[0]}, ${a[1]}, ${b[0]}, ${b[1]});`);
  }
}

function emitCmp(g: FuncGen, i: CmpInstr): void {
  const ls = g.leaves(i.opType);
  emitCmpLog(g, i, ls);
  if (i.op === 'icmp' && ls.length === 1 && ls[0]!.k === 'l' && g.isNarrow(i.lhs) && g.isNarrow(i.rhs)) {
    // Sign-extended 32-bit values compare like their low halves (unsigned: as uint32).
    const l32: Leaf = { k: 'i', bits: 32, off: 0, type: ls[0]!.type };
    const e = cmpExpr(g, 'icmp', i.pred, l32, [g.opnd(i.lhs, 0)[0]!], [g.opnd(i.rhs, 0)[0]!]);
    g.out(`${g.leafSlots(i.result!, 0)[0]} = ${e} ? 1 : 0;`);
    return;
  }
  ls.forEach((l, j) => {
    const e = cmpExpr(g, i.op, i.pred, l, g.opnd(i.lhs, j), g.opnd(i.rhs, j));
    g.out(`${g.leafSlots(i.result!, j)[0]} = ${e} ? 1 : 0;`);
  });
}

// ---------------------------------------------------------------------------------------------------
// Casts

function emitCast(g: FuncGen, i: CastInstr): void {
  const from = g.leaves(i.operand.type);
  const to = g.leaves(i.type);
  if (i.op === 'bitcast' || i.op === 'addrspacecast') {
    if (from.length === to.length && from.every((l, k) => l.k === to[k]!.k && l.bits === to[k]!.bits)) {
      copyAll(g, g.opndAll(i.operand), g.slots(i.result!));
      return;
    }
    return emitBitcastViaMemory(g, i);
  }
  if (from.length !== to.length) throw new UnsupportedError(`${i.op} between vectors of different lengths`);
  if (
    (i.op === 'sitofp' || i.op === 'uitofp') &&
    from[0]!.k === 'l' &&
    from.length === 1 &&
    to[0]!.k !== 'x'
  ) {
    if (i.op === 'sitofp' ? g.isNarrow(i.operand) : g.isNarrowNonNeg(i.operand)) {
      const a = g.opnd(i.operand, 0)[0]!;
      g.out(`${g.leafSlots(i.result!, 0)[0]} = ${to[0]!.k === 'f' ? `Math.fround(${a})` : a};`);
      return;
    }
  }
  to.forEach((t, j) => scalarCast(g, i.op, from[j]!, t, g.opnd(i.operand, j), g.leafSlots(i.result!, j)));
}

/** Bitcast through engine scratch memory: store the source leaves, load the destination leaves. */
function emitBitcastViaMemory(g: FuncGen, i: CastInstr): void {
  const from = g.leaves(i.operand.type);
  const to = g.leaves(i.type);
  const fromBits =
    i.operand.type.kind === 'vector' && i.operand.type.elem.kind === 'int' && i.operand.type.elem.bits === 1;
  const toBits = i.type.kind === 'vector' && i.type.elem.kind === 'int' && i.type.elem.bits === 1;
  if (fromBits || toBits) {
    // <N x i1> <-> iN: pack/unpack bits.
    if (fromBits && to.length === 1 && to[0]!.k === 'i') {
      const e = from.map((_, k) => `(${g.opnd(i.operand, k)[0]} << ${k})`).join(' | ');
      g.out(`${g.slots(i.result!)[0]} = (${e})${to[0]!.bits === 32 ? ' | 0' : ''};`);
      return;
    }
    if (toBits && from.length === 1 && from[0]!.k === 'i') {
      const a = g.opnd(i.operand, 0)[0]!;
      to.forEach((_, k) => g.out(`${g.leafSlots(i.result!, k)[0]} = (${a} >>> ${k}) & 1;`));
      return;
    }
    if (fromBits && to.length === 1 && to[0]!.k === 'l') {
      const lo = from
        .slice(0, 32)
        .map((_, k) => `(${g.opnd(i.operand, k)[0]} << ${k})`)
        .join(' | ');
      const hi =
        from
          .slice(32)
          .map((_, k) => `(${g.opnd(i.operand, k + 32)[0]} << ${k})`)
          .join(' | ') || '0';
      const [dl, dh] = g.slots(i.result!);
      g.out(`${dl} = (${lo}) | 0; ${dh} = (${hi}) | 0;`);
      return;
    }
    throw new UnsupportedError('bitcast of an i1 vector');
  }
  from.forEach((l, j) => g.out(rawStore(l, `${SCRATCH_EXPR} + ${l.off}`, g.opnd(i.operand, j))));
  to.forEach((l, j) => g.out(rawLoad(l, `${SCRATCH_EXPR} + ${l.off}`, g.leafSlots(i.result!, j))));
}

const SCRATCH_EXPR = 'SCR';

/** An unchecked store of one leaf (used after a shadow check, or for scratch). */
export function rawStore(l: Leaf, p: string, v: string[]): string {
  switch (l.k) {
    case 'i':
      if (l.bits <= 8) return `U8[${p}] = ${v[0]};`;
      if (l.bits <= 16) return `DV.setUint16(${p}, ${v[0]}, true);`;
      if (l.bits <= 24) return `DV.setUint16(${p}, ${v[0]}, true); U8[${p} + 2] = ${v[0]} >>> 16;`;
      return `DV.setInt32(${p}, ${v[0]}, true);`;
    case 'l':
      return `DV.setInt32(${p}, ${v[0]}, true); DV.setInt32(${p} + 4, ${v[1]}, true);`;
    case 'p':
      return `DV.setInt32(${p}, ${v[0]} | 0, true); DV.setInt32(${p} + 4, ${v[0]} >= 0 && ${v[0]} < 4294967296 ? 0 : P2H(${v[0]}), true);`;
    case 'f':
      return `DV.setFloat32(${p}, ${v[0]}, true);`;
    case 'd':
      return `DV.setFloat64(${p}, ${v[0]}, true);`;
    case 'x':
      return `ST80(${p}, ${v[0]});`;
    case 'b':
      return `STB(${p}, ${Math.ceil(l.bits / 8)}, ${v[0]});`;
  }
}

/** An unchecked load of one leaf into its slot variables. */
export function rawLoad(l: Leaf, p: string, d: string[]): string {
  switch (l.k) {
    case 'i': {
      const m = mask(l.bits);
      if (l.bits === 1) return `${d[0]} = U8[${p}] & 1;`;
      if (l.bits <= 8) return `${d[0]} = U8[${p}]${l.bits < 8 ? ` & ${m}` : ''};`;
      if (l.bits <= 16) return `${d[0]} = DV.getUint16(${p}, true)${l.bits < 16 ? ` & ${m}` : ''};`;
      if (l.bits <= 24)
        return `${d[0]} = (DV.getUint16(${p}, true) | (U8[${p} + 2] << 16))${l.bits < 24 ? ` & ${m}` : ''};`;
      return `${d[0]} = DV.getInt32(${p}, true)${l.bits < 32 ? ` & ${m}` : ''};`;
    }
    case 'l':
      return `${d[0]} = DV.getInt32(${p}, true); ${d[1]} = DV.getInt32(${p} + 4, true);`;
    case 'p':
      return `${d[0]} = DV.getInt32(${p}, true); if ((DV.getInt32(${p} + 4, true) | (${d[0]} >> 31)) !== 0) ${d[0]} = LDP(${p});`;
    case 'f':
      return `${d[0]} = DV.getFloat32(${p}, true);`;
    case 'd':
      return `${d[0]} = DV.getFloat64(${p}, true);`;
    case 'x':
      return `${d[0]} = LD80(${p});`;
    case 'b':
      return `${d[0]} = LDB(${p}, ${Math.ceil(l.bits / 8)}, ${l.bits});`;
  }
}

/** Expression converting an integer leaf to a BigInt (signed or unsigned interpretation). */
function intToBig(l: Leaf, a: string[], signed: boolean): string {
  switch (l.k) {
    case 'i':
      if (signed) return `BigInt(${sx(a[0]!, l.bits)})`;
      return l.bits === 32 ? `BigInt(${a[0]} >>> 0)` : `BigInt(${a[0]})`;
    case 'l':
      return signed
        ? `((BigInt(${a[1]}) << 32n) | BigInt(${a[0]} >>> 0))`
        : `((BigInt(${a[1]} >>> 0) << 32n) | BigInt(${a[0]} >>> 0))`;
    case 'b':
      return signed ? `BigInt.asIntN(${l.bits}, ${a[0]})` : a[0]!;
    case 'p':
      return `BigInt(${a[0]})`;
    default:
      throw new UnsupportedError('integer conversion of a non-integer');
  }
}

/** Statements storing a BigInt expression (any value; wrapped) into an integer leaf. */
function bigToInt(g: FuncGen, t: Leaf, e: string, d: string[]): void {
  switch (t.k) {
    case 'i':
      g.out(`${d[0]} = Number(BigInt.as${t.bits === 32 ? 'Int' : 'Uint'}N(${t.bits}, ${e}));`);
      return;
    case 'l': {
      const tmp = g.tmp();
      g.out(
        `const ${tmp} = ${e}; ${d[0]} = Number(BigInt.asIntN(32, ${tmp})); ${d[1]} = Number(BigInt.asIntN(32, ${tmp} >> 32n));`,
      );
      return;
    }
    case 'b':
      g.out(`${d[0]} = BigInt.asUintN(${t.bits}, ${e});`);
      return;
    case 'p':
      g.out(`${d[0]} = Number(BigInt.asIntN(64, ${e}));`);
      return;
    default:
      throw new UnsupportedError('integer conversion to a non-integer');
  }
}

function scalarCast(g: FuncGen, op: string, f: Leaf, t: Leaf, a: string[], d: string[]): void {
  const out = (e: string): void => g.out(`${d[0]} = ${e};`);
  switch (op) {
    case 'trunc':
      if (t.k === 'i' && (f.k === 'i' || f.k === 'l'))
        return out(t.bits === 32 ? a[0]! : `${a[0]} & ${mask(t.bits)}`);
      if (t.k === 'l' && f.k === 'l') return g.out(`${d[0]} = ${a[0]}; ${d[1]} = ${a[1]};`);
      return bigToInt(g, t, intToBig(f, a, false), d);
    case 'zext':
      if (f.k === 'i' && t.k === 'i') return out(a[0]!);
      if (f.k === 'i' && t.k === 'l') return g.out(`${d[0]} = ${a[0]}; ${d[1]} = 0;`);
      if (f.k === 'l' && t.k === 'l') return g.out(`${d[0]} = ${a[0]}; ${d[1]} = ${a[1]};`);
      return bigToInt(g, t, intToBig(f, a, false), d);
    case 'sext':
      if (f.k === 'i' && t.k === 'i')
        return out(t.bits === 32 ? sx(a[0]!, f.bits) : `${sx(a[0]!, f.bits)} & ${mask(t.bits)}`);
      if (f.k === 'i' && t.k === 'l')
        return g.out(`${d[0]} = ${sx(a[0]!, f.bits)}; ${d[1]} = ${d[0]} >> 31;`);
      if (f.k === 'l' && t.k === 'l') return g.out(`${d[0]} = ${a[0]}; ${d[1]} = ${a[1]};`);
      return bigToInt(g, t, intToBig(f, a, true), d);
    case 'ptrtoint':
      if (t.k === 'l')
        return g.out(
          `${d[0]} = ${a[0]} | 0; ${d[1]} = ${a[0]} >= 0 && ${a[0]} < 4294967296 ? 0 : P2H(${a[0]});`,
        );
      if (t.k === 'i') return out(t.bits === 32 ? `${a[0]} | 0` : `${a[0]} & ${mask(t.bits)}`);
      return bigToInt(g, t, `BigInt(${a[0]})`, d);
    case 'inttoptr':
      if (f.k === 'l') return out(`${a[1]} === 0 && ${a[0]} >= 0 ? ${a[0]} : PAIR2P(${a[0]}, ${a[1]})`);
      if (f.k === 'i') return out(f.bits === 32 ? `${a[0]} >>> 0` : a[0]!);
      return out(`Number(BigInt.asIntN(64, ${a[0]}))`);
    case 'fpext':
    case 'fptrunc':
      if (t.k === 'x') return out(f.k === 'x' ? a[0]! : `XFROMN(${a[0]})`);
      if (f.k === 'x') return out(t.k === 'f' ? `XTOF(${a[0]})` : `XTON(${a[0]})`);
      return out(t.k === 'f' ? `Math.fround(${a[0]})` : a[0]!);
    case 'fptosi':
    case 'fptoui': {
      const signed = op === 'fptosi';
      if (f.k === 'x')
        return bigToInt(g, t, `XTOB(${a[0]}, ${t.k === 'l' ? 64 : t.bits || 64}, ${signed})`, d);
      if (t.k === 'i') {
        if (t.bits === 32) return out(signed ? `F2S32(${a[0]})` : `F2U32(${a[0]})`);
        return out(`F2S32(${a[0]}) & ${mask(t.bits)}`);
      }
      if (t.k === 'l') return g.out(`${d[0]} = ${signed ? 'F2S64' : 'F2U64'}(${a[0]}); ${d[1]} = H[0];`);
      return bigToInt(g, t, `F2B(${a[0]}, ${t.bits}, ${signed})`, d);
    }
    case 'sitofp':
    case 'uitofp': {
      const signed = op === 'sitofp';
      if (t.k === 'x') return out(`XFROMB(${intToBig(f, a, signed)})`);
      let e: string;
      if (f.k === 'i') {
        e = signed ? sx(a[0]!, f.bits) : f.bits === 32 ? `(${a[0]} >>> 0)` : a[0]!;
        return out(t.k === 'f' ? `Math.fround(${e})` : e);
      }
      if (f.k === 'l') {
        const fn = (signed ? 'S64' : 'U64') + (t.k === 'f' ? 'F32' : 'F64');
        return out(`${fn}(${a[0]}, ${a[1]})`);
      }
      e = intToBig(f, a, signed);
      return out(t.k === 'f' ? `BIG2F32(${e})` : `Number(${e})`);
    }
    default:
      throw new UnsupportedError(`cast ${op}`);
  }
}

export { numLit };
