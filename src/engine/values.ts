/**
 * @fileoverview Stage: engine (codegen). How IR values are represented in generated JavaScript.
 *
 * Consumes: IR types and the module's DataLayout. Produces: the *leaves* of a type (the scalars an SSA
 * value of that type is flattened into, with their byte offsets in memory) and JS literal spellings.
 *
 * Representation (the engine's central speed decision):
 *   'i'  integers of 1..32 bits: one JS int32 number. Widths < 32 are kept zero-extended (0..2^N-1);
 *        i32 is kept signed (`x | 0`).
 *   'l'  i64: two int32 JS variables (lo, hi); helpers return lo and leave hi in H[0].
 *   'b'  other integer widths > 32 (i128, i48 bitfields...): one unsigned BigInt in [0, 2^N).
 *   'f'  float: a number that is exactly a float (Math.fround'ed).
 *   'd'  double: a number.
 *   'x'  x86_fp80: the raw 80-bit pattern as a BigInt; arithmetic in fp80.ts.
 *   'p'  pointer: one number, the signed 64-bit value (valid addresses are < 2^31).
 * Vectors, structs and arrays are flattened into their scalar leaves; each leaf has one JS variable
 * (two for 'l').
 */
import type { DataLayout } from '../ir/datalayout.js';
import type { Type } from '../ir/types.js';

export type LeafKind = 'i' | 'l' | 'b' | 'f' | 'd' | 'x' | 'p';

export interface Leaf {
  readonly k: LeafKind;
  /** Integer width (0 for non-integers). */
  readonly bits: number;
  /** Byte offset in the in-memory layout of the whole type. */
  readonly off: number;
  /** The scalar IR type of the leaf. */
  readonly type: Type;
}

export class UnsupportedError extends Error {}

export function scalarKind(t: Type): LeafKind {
  switch (t.kind) {
    case 'int':
      return t.bits <= 32 ? 'i' : t.bits === 64 ? 'l' : 'b';
    case 'ptr':
      return 'p';
    case 'float':
      if (t.fk === 'float') return 'f';
      if (t.fk === 'double') return 'd';
      if (t.fk === 'x86_fp80') return 'x';
      throw new UnsupportedError(`floating-point type ${t.fk}`);
    default:
      throw new UnsupportedError(`type ${t.kind} as a scalar`);
  }
}

/** Number of JS variables of a leaf. */
export function slotCount(k: LeafKind): number {
  return k === 'l' ? 2 : 1;
}

const MAX_LEAVES = 512;

export class LeafCache {
  private readonly cache = new Map<number, Leaf[]>();
  constructor(readonly dl: DataLayout) {}

  leaves(t: Type): Leaf[] {
    let r = this.cache.get(t.id);
    if (r === undefined) {
      r = [];
      this.collect(t, 0, r);
      this.cache.set(t.id, r);
    }
    return r;
  }

  private collect(t: Type, off: number, out: Leaf[]): void {
    if (out.length > MAX_LEAVES) throw new UnsupportedError(`SSA value with more than ${MAX_LEAVES} scalars`);
    switch (t.kind) {
      case 'int':
      case 'ptr':
      case 'float':
        out.push({ k: scalarKind(t), bits: t.kind === 'int' ? t.bits : 0, off, type: t });
        return;
      case 'vector': {
        if (t.scalable) throw new UnsupportedError('scalable vectors');
        const es = t.elem.kind === 'int' && t.elem.bits === 1 ? 0 : this.dl.allocSize(t.elem);
        for (let i = 0; i < t.len; i++) this.collect(t.elem, off + i * es, out);
        return;
      }
      case 'array': {
        const es = this.dl.allocSize(t.elem);
        for (let i = 0; i < t.len; i++) this.collect(t.elem, off + i * es, out);
        return;
      }
      case 'struct': {
        if (t.opaque) throw new UnsupportedError(`opaque struct %${t.name ?? ''} as a value`);
        const sl = this.dl.structLayout(t);
        t.fields.forEach((f, i) => this.collect(f, off + sl.offsets[i]!, out));
        return;
      }
      case 'void':
        return;
      default:
        throw new UnsupportedError(`values of type ${t.kind}`);
    }
  }

  /** Index of the first leaf of the sub-value at `indices` (extractvalue/insertvalue), and its type. */
  subLeaves(t: Type, indices: readonly number[]): { first: number; type: Type } {
    let first = 0;
    let cur = t;
    for (const ix of indices) {
      if (cur.kind === 'struct') {
        for (let i = 0; i < ix; i++) first += this.leaves(cur.fields[i]!).length;
        cur = cur.fields[ix]!;
      } else if (cur.kind === 'array' || cur.kind === 'vector') {
        first += ix * this.leaves(cur.elem).length;
        cur = cur.elem;
      } else throw new UnsupportedError('bad aggregate index');
    }
    return { first, type: cur };
  }
}

/** A JS literal for a number (parenthesised when negative so it can follow any operator). */
export function numLit(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '(-Infinity)';
  if (Object.is(n, -0)) return '(-0)';
  return n < 0 ? `(${n})` : String(n);
}
export function bigLit(n: bigint): string {
  return n < 0n ? `(${n}n)` : `${n}n`;
}

export function mask(bits: number): number {
  return bits >= 32 ? -1 : 2 ** bits - 1;
}
