/**
 * @fileoverview Stage: gen. Values of the generation runtime: generated values of IR types, and the
 * conversion between recorded values (`ValueRec`) and the engine's boxed values (`ExtValue`).
 *
 * Consumes: the current run's `Inputs` (plan, policy, addresses) and IR types. Produces: `ValueRec`s for
 * arguments and stub results, `LeafPlan`s (the scalars of a type, which faults.ts generates), and the
 * boxed values the engine takes and gives.
 */
import type { ExtValue } from '../engine/externals.js';
import { f80FromNumber } from '../engine/fp80.js';
import type { Linked } from '../engine/link.js';
import { Trap } from '../engine/outcome.js';
import type { Leaf } from '../engine/values.js';
import type { ValueInterval } from '../ir/ranges.js';
import type { Type } from '../ir/types.js';
import type { Inputs } from './inputs.js';
import { intRec, type ValueRec } from './record.js';

/** How to generate a value of one type: its scalar leaves with their sizes. */
export interface LeafPlan {
  readonly size: number;
  readonly leaves: readonly { readonly leaf: Leaf; readonly size: number }[];
  /** Bytes the leaves cover (less than size: padding, generated as plain bytes). */
  readonly covered: number;
  /** A leaf is a pointer (such values are not prefetched: pointers stay lazy). */
  readonly pointers: boolean;
  /**
   * The values a load of this (integer) type promises (`!range` with `!noundef`, src/ir/ranges.ts):
   * generated inside them. Set per load site, never by `leafPlan`.
   */
  readonly range?: { readonly r: readonly ValueInterval[]; readonly bits: number };
}

export function leafPlan(l: Linked, t: Type): LeafPlan {
  const leaves = l.lc.leaves(t).map((leaf) => ({ leaf, size: l.dl.typeSize(leaf.type) }));
  return {
    size: l.dl.typeSize(t),
    leaves,
    covered: leaves.reduce((a, x) => a + x.size, 0),
    pointers: leaves.some((x) => x.leaf.k === 'p'),
  };
}

/** A generated value of type t (depth 0 for arguments). */
export function genValue(inp: Inputs, t: Type, depth: number, nonNull = false): ValueRec {
  const pol = inp.policy;
  switch (t.kind) {
    case 'int':
      return intRec(t.bits, pol.int(t.bits));
    case 'ptr': {
      const target = inp.genPointer(depth, nonNull);
      return target === null ? { t: 'null' } : { t: 'ptr', ...target };
    }
    case 'float':
      return floatRec(t.fk, pol.double());
    case 'struct':
      return { t: 'agg', elems: t.fields.map((e) => genValue(inp, e, depth)) };
    case 'array':
    case 'vector':
      return { t: 'agg', elems: Array.from({ length: t.len }, () => genValue(inp, t.elem, depth)) };
    case 'void':
      return { t: 'void' };
    default:
      throw new Trap('unsupported-feature', `cannot generate a value of type ${t.kind}`);
  }
}

/** The boxed engine value of a recorded value. */
export function toExt(inp: Inputs, v: ValueRec, t: Type): ExtValue | ExtValue[] | undefined {
  switch (v.t) {
    case 'int': {
      const bits = t.kind === 'int' ? t.bits : v.bits;
      const u = BigInt(v.v);
      if (bits < 32) return Number(u);
      if (bits === 32) return Number(BigInt.asIntN(32, u));
      if (bits === 64) return BigInt.asIntN(64, u);
      return u;
    }
    case 'float': {
      const bits = BigInt('0x' + v.hex);
      if (v.kind === 'float') return new Float32Array(new Uint32Array([Number(bits)]).buffer)[0]!;
      if (v.kind === 'double') return new Float64Array(new BigUint64Array([bits]).buffer)[0]!;
      return bits;
    }
    case 'null':
      return 0;
    case 'ptr':
      return inp.addrOf(v);
    case 'rawptr':
      return Number(BigInt.asIntN(64, BigInt(v.addr)));
    case 'agg': {
      const elems =
        t.kind === 'struct'
          ? t.fields
          : t.kind === 'array' || t.kind === 'vector'
            ? v.elems.map(() => t.elem)
            : [];
      return v.elems.map((e, i) => toExt(inp, e, elems[i]!) as ExtValue);
    }
    case 'void':
      return undefined;
  }
}

/** A boxed engine value as a record value (pointers resolved symbolically). */
export function fromExt(inp: Inputs, x: ExtValue | ExtValue[] | undefined, t: Type): ValueRec {
  if (x === undefined || t.kind === 'void') return { t: 'void' };
  if (Array.isArray(x)) {
    const ls = inp.engine.linked.lc.leaves(t);
    return { t: 'agg', elems: x.map((e, i) => fromExt(inp, e, ls[i]!.type)) };
  }
  switch (t.kind) {
    case 'int':
      return intRec(t.bits, BigInt(x));
    case 'ptr': {
      const target = inp.resolve(Number(x));
      if (target === null) return { t: 'null' };
      if (target === undefined) return { t: 'rawptr', addr: BigInt.asUintN(64, BigInt(x)).toString() };
      return { t: 'ptr', ...target };
    }
    case 'float':
      return floatRecRaw(t.fk, x);
    default:
      return { t: 'void' };
  }
}

function floatRec(kind: string, d: number): ValueRec {
  switch (kind) {
    case 'float': {
      const b = new Uint32Array(new Float32Array([d]).buffer)[0]!;
      return { t: 'float', kind: 'float', hex: b.toString(16).padStart(8, '0') };
    }
    case 'x86_fp80':
      return { t: 'float', kind: 'x86_fp80', hex: f80FromNumber(d).toString(16).padStart(20, '0') };
    default: {
      const b = new BigUint64Array(new Float64Array([d]).buffer)[0]!;
      return { t: 'float', kind: 'double', hex: b.toString(16).padStart(16, '0') };
    }
  }
}

function floatRecRaw(kind: string, x: ExtValue): ValueRec {
  if (kind === 'x86_fp80')
    return { t: 'float', kind: 'x86_fp80', hex: BigInt(x).toString(16).padStart(20, '0') };
  return floatRec(kind, Number(x));
}
