/**
 * @fileoverview Stage: engine (codegen). Emission of arithmetic: binary operators (integer of every width,
 * i64 as two int32 halves, BigInt for wider, float, x86 long double), fneg, and integer / float compares.
 *
 * Consumes: binary, fneg and compare instructions and the `FuncEmitter` services. Produces: JS statements
 * assigning the result's slot variables (see values.ts for the representation); vectors are scalarised lane
 * by lane. The lane emitters `binaryLeaf` and `cmpExpr` also serve the intrinsics and the atomics
 * (intrinsics.ts, codegen-mem.ts). Imports only the leaf, codegen-emit.ts.
 */
import type { BinaryInstr, CmpInstr, FNegInstr } from '../ir/model.js';
import { isLit, isZeroLit, sx, type FuncEmitter } from './codegen-emit.js';
import { UnsupportedError, mask, type Leaf } from './values.js';

/** fneg, lane by lane. */
export function emitFneg(g: FuncEmitter, i: FNegInstr): void {
  const ls = g.leaves(i.type);
  ls.forEach((l, j) => {
    const a = g.opnd(i.operand, j)[0]!;
    g.out(`${g.leafSlots(i.result!, j)[0]} = ${l.k === 'x' ? `XNEG(${a})` : `-${a}`};`);
  });
}

export function emitBinary(g: FuncEmitter, i: BinaryInstr): void {
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
export function binaryLeaf(g: FuncEmitter, op: string, l: Leaf, a: string[], b: string[], d: string[]): void {
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

function intBinary(g: FuncEmitter, op: string, w: number, a: string, b: string, d: string): void {
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
  g: FuncEmitter,
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
    case 'mul': {
      // By a small constant (hashes: h * 33, h * 31; index scaling): the low half's product is exact in a
      // double, so the high half is the other product plus its carry, without a call.
      const c = isLit(bl) && isLit(bh) ? Number(bl.replace(/[()]/g, '')) : NaN;
      if (Number(bh.replace(/[()]/g, '')) === 0 && Number.isInteger(c) && c >= 0 && c < 2 ** 21) {
        const t = g.tmp();
        g.out(
          `const ${t} = (${al} >>> 0) * ${c}; ${dh} = (Math.imul(${ah}, ${c}) + Math.floor(${t} / 4294967296)) | 0; ${dl} = ${t} | 0;`,
        );
        return;
      }
      g.out(`${dl} = MUL64(${al}, ${ah}, ${bl}, ${bh}); ${dh} = H[0];`);
      return;
    }
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

function bigBinary(g: FuncEmitter, op: string, w: number, a: string, b: string, d: string): void {
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

function floatBinary(g: FuncEmitter, op: string, k: 'f' | 'd', a: string, b: string, d: string): void {
  // frem through FREM: JS's `%` gives a NaN's bits by V8's tier; a NaN result of the others gets x86's
  // bits from its operands in the IR's order (FNAN), whichever order V8 computed them in (fpnan.ts).
  const o = { fadd: '+', fsub: '-', fmul: '*', fdiv: '/' }[op];
  const e = op === 'frem' ? `FREM(${a}, ${b})` : o === undefined ? undefined : `${a} ${o} ${b}`;
  if (e === undefined) throw new UnsupportedError(`${op} on floating point`);
  g.out(k === 'f' ? `${d} = Math.fround(${e});` : `${d} = ${e};`);
  if (op !== 'frem')
    g.out(`if (${d} !== ${d}) ${d} = ${k === 'f' ? `Math.fround(FNAN(${a}, ${b}))` : `FNAN(${a}, ${b})`};`);
}

// ---------------------------------------------------------------------------------------------------
// Compares

/** The JS boolean expression of an icmp/fcmp on one lane. */
export function cmpExpr(
  g: FuncEmitter,
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

function fcmpExpr(g: FuncEmitter, pred: string, l: Leaf, x: string, y: string): string {
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
function emitCmpLog(g: FuncEmitter, i: CmpInstr, ls: readonly Leaf[]): void {
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

export function emitCmp(g: FuncEmitter, i: CmpInstr): void {
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
