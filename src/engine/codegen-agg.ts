/**
 * @fileoverview Stage: engine (codegen). Emission of the instructions that move values between slots:
 * select, freeze, extractvalue / insertvalue (aggregates), extractelement / insertelement / shufflevector
 * (vectors).
 *
 * Consumes: these instructions and the `FuncEmitter` services. Produces: JS assignments between slot
 * variables (values.ts: an aggregate or vector is its leaves' slots, so these are copies, and a variable
 * vector index is a switch or a chain of conditionals). Imports only the leaf, codegen-emit.ts.
 */
import type {
  ExtractElementInstr,
  ExtractValueInstr,
  FreezeInstr,
  InsertElementInstr,
  InsertValueInstr,
  SelectInstr,
  ShuffleVectorInstr,
} from '../ir/model.js';
import { copyAll, type FuncEmitter } from './codegen-emit.js';

export function emitSelect(g: FuncEmitter, i: SelectInstr): void {
  const ls = g.leaves(i.result!.type);
  const vecCond = i.cond.type.kind === 'vector';
  ls.forEach((_, j) => {
    const c = g.opnd(i.cond, vecCond ? j : 0)[0]!;
    const a = g.opnd(i.ifTrue, j);
    const b = g.opnd(i.ifFalse, j);
    g.leafSlots(i.result!, j).forEach((d, k) => g.out(`${d} = ${c} ? ${a[k]} : ${b[k]};`));
  });
}

export function emitFreeze(g: FuncEmitter, i: FreezeInstr): void {
  copyAll(g, g.opndAll(i.operand), g.slots(i.result!));
}

export function emitExtractValue(g: FuncEmitter, i: ExtractValueInstr): void {
  const { first } = g.ctx.lc.subLeaves(i.aggregate.type, i.indices);
  const n = g.leaves(i.type).length;
  for (let j = 0; j < n; j++) copyAll(g, g.opnd(i.aggregate, first + j), g.leafSlots(i.result!, j));
}

export function emitInsertValue(g: FuncEmitter, i: InsertValueInstr): void {
  const { first, type } = g.ctx.lc.subLeaves(i.aggregate.type, i.indices);
  const n = g.leaves(type).length;
  const total = g.leaves(i.aggregate.type).length;
  for (let j = 0; j < total; j++) {
    const src = j >= first && j < first + n ? g.opnd(i.element, j - first) : g.opnd(i.aggregate, j);
    copyAll(g, src, g.leafSlots(i.result!, j));
  }
}

export function emitExtractElement(g: FuncEmitter, i: ExtractElementInstr): void {
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
}

export function emitInsertElement(g: FuncEmitter, i: InsertElementInstr): void {
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
}

export function emitShuffle(g: FuncEmitter, i: ShuffleVectorInstr): void {
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
