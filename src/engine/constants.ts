/**
 * @fileoverview Stage: engine (link). Evaluation of IR constants, including constant expressions.
 *
 * Consumes: `Constant`s of the model, the address of every global/function (from the linker) and the
 * DataLayout. Produces: `CVal` trees (bigint for integers and pointers, number for float/double, the raw
 * 80-bit pattern for x86_fp80), their bytes in memory (global initialisers) and JS literals for generated
 * code. Everything about addresses is known at link time, so every constant folds to a literal.
 */
import type { DataLayout } from '../ir/datalayout.js';
import type { Constant, ConstExpr, GlobalValue } from '../ir/model.js';
import type { Type } from '../ir/types.js';
import { f80FromNumber, f80ToNumber } from './fp80.js';
import { UnsupportedError, bigLit, numLit, type Leaf, type LeafCache } from './values.js';

/** An evaluated constant: scalar (bigint: int/ptr/fp80 bits, number: float/double) or aggregate. */
export type CVal = bigint | number | CVal[];

export interface ConstEnv {
  readonly dl: DataLayout;
  /** Address of a global variable or function. */
  addressOf(g: GlobalValue): number;
  /** Value of `blockaddress(@f, %bb)`. */
  blockAddress(f: GlobalValue, blockIndex: number): number;
}

const f64 = new Float64Array(1);
const f32 = new Float32Array(1);
const u64 = new BigUint64Array(f64.buffer);
const u32 = new Uint32Array(f32.buffer);

export function floatFromBits(t: Type, bits: bigint): CVal {
  if (t.kind !== 'float') throw new UnsupportedError('float constant of non-float type');
  switch (t.fk) {
    case 'float':
      u32[0] = Number(bits & 0xffffffffn);
      return f32[0]!;
    case 'double':
      u64[0] = bits;
      return f64[0]!;
    case 'x86_fp80':
      return bits;
    default:
      throw new UnsupportedError(`constants of type ${t.fk}`);
  }
}

/** Bit pattern of a scalar CVal of type t (for bitcasts). */
function scalarBits(t: Type, v: CVal): bigint {
  if (t.kind === 'float') {
    if (t.fk === 'float') {
      f32[0] = v as number;
      return BigInt(u32[0]!);
    }
    if (t.fk === 'double') {
      f64[0] = v as number;
      return u64[0]!;
    }
    return v as bigint;
  }
  return v as bigint;
}

function bitsOf(t: Type, dl: DataLayout): number {
  if (t.kind === 'int') return t.bits;
  if (t.kind === 'ptr') return 64;
  return dl.typeSizeInBits(t);
}

export function zeroOf(t: Type): CVal {
  switch (t.kind) {
    case 'int':
    case 'ptr':
      return 0n;
    case 'float':
      return t.fk === 'x86_fp80' ? 0n : 0;
    case 'vector':
    case 'array':
      return Array.from({ length: t.len }, () => zeroOf(t.elem));
    case 'struct':
      return t.fields.map(zeroOf);
    default:
      return 0n;
  }
}

export function evalConst(c: Constant, env: ConstEnv): CVal {
  switch (c.kind) {
    case 'int':
      if (c.type.kind === 'vector') return Array.from({ length: c.type.len }, () => c.value);
      return c.value;
    case 'float':
      if (c.type.kind === 'vector') {
        const e = floatFromBits(c.type.elem, c.bits);
        return Array.from({ length: c.type.len }, () => e);
      }
      return floatFromBits(c.type, c.bits);
    case 'null':
    case 'undef':
    case 'poison':
    case 'zero':
    case 'none':
      return zeroOf(c.type);
    case 'array':
    case 'struct':
    case 'vector':
      return c.elems.map((e) => evalConst(e, env));
    case 'string':
      return Array.from(c.bytes, (b) => BigInt(b));
    case 'splat': {
      const e = evalConst(c.elem, env);
      const n = c.type.kind === 'vector' ? c.type.len : 1;
      return Array.from({ length: n }, () => e);
    }
    case 'gvar':
    case 'function':
      return BigInt(env.addressOf(c));
    case 'alias':
      return evalConst(c.aliasee, env);
    case 'ifunc':
      throw new UnsupportedError('ifunc');
    case 'blockaddress':
      if (c.block === undefined) throw new UnsupportedError('unresolved blockaddress');
      return BigInt(env.blockAddress(c.func, c.block.index));
    case 'dso_local_equivalent':
    case 'no_cfi':
      return evalConst(c.func, env);
    case 'expr':
      return evalExpr(c, env);
  }
}

function asU(bits: number, v: bigint): bigint {
  return BigInt.asUintN(bits, v);
}
function asS(bits: number, v: bigint): bigint {
  return BigInt.asIntN(bits, v);
}

function evalExpr(c: ConstExpr, env: ConstEnv): CVal {
  const dl = env.dl;
  const ops = c.operands.map((o) => evalConst(o, env));
  const a = ops[0]!;
  const b = ops[1];
  const opT = c.operands[0]!.type;
  if (c.type.kind === 'vector' && c.op !== 'getelementptr' && c.op !== 'bitcast') {
    // Lane-wise: rebuild scalar expressions per lane.
    throw new UnsupportedError(`vector constant expression ${c.op}`);
  }
  const w = c.type.kind === 'int' ? c.type.bits : 64;
  switch (c.op) {
    case 'getelementptr': {
      let addr = a as bigint;
      let t = c.srcType!;
      c.operands.slice(1).forEach((_, i) => {
        const idxT = c.operands[i + 1]!.type;
        const raw = ops[i + 1]! as bigint;
        const iv = asS(idxT.kind === 'int' ? idxT.bits : 64, raw);
        if (i === 0) {
          addr += iv * BigInt(dl.allocSize(t));
        } else if (t.kind === 'struct') {
          addr += BigInt(dl.structLayout(t).offsets[Number(iv)]!);
          t = t.fields[Number(iv)]!;
        } else if (t.kind === 'array' || t.kind === 'vector') {
          t = t.elem;
          addr += iv * BigInt(dl.allocSize(t));
        } else throw new UnsupportedError('bad constant getelementptr');
      });
      return asU(64, addr);
    }
    case 'bitcast':
    case 'addrspacecast': {
      const to = c.type;
      if (to.kind === 'vector' || opT.kind === 'vector') return bitcastViaBytes(a, opT, to, dl);
      if (to.kind === 'float') return floatFromBits(to, scalarBits(opT, a));
      return scalarBits(opT, a);
    }
    case 'ptrtoint':
    case 'trunc':
    case 'zext':
      return asU(w, a as bigint);
    case 'inttoptr':
      return asU(64, a as bigint);
    case 'sext':
      return asU(w, asS(bitsOf(opT, dl), a as bigint));
    case 'add':
      return asU(w, (a as bigint) + (b as bigint));
    case 'sub':
      return asU(w, (a as bigint) - (b as bigint));
    case 'mul':
      return asU(w, (a as bigint) * (b as bigint));
    case 'and':
      return (a as bigint) & (b as bigint);
    case 'or':
      return (a as bigint) | (b as bigint);
    case 'xor':
      return (a as bigint) ^ (b as bigint);
    case 'shl':
      return asU(w, (a as bigint) << (b as bigint));
    case 'lshr':
      return (a as bigint) >> (b as bigint);
    case 'ashr':
      return asU(w, asS(w, a as bigint) >> (b as bigint));
    case 'icmp': {
      const bw = bitsOf(opT, dl);
      const x = a as bigint;
      const y = b as bigint;
      const sx = asS(bw, x);
      const sy = asS(bw, y);
      const r: Record<string, boolean> = {
        eq: x === y,
        ne: x !== y,
        ugt: x > y,
        uge: x >= y,
        ult: x < y,
        ule: x <= y,
        sgt: sx > sy,
        sge: sx >= sy,
        slt: sx < sy,
        sle: sx <= sy,
      };
      return r[c.pred!] ? 1n : 0n;
    }
    default:
      throw new UnsupportedError(`constant expression ${c.op}`);
  }
}

function bitcastViaBytes(v: CVal, from: Type, to: Type, dl: DataLayout): CVal {
  const n = dl.typeSize(from);
  const buf = new DataView(new ArrayBuffer(Math.max(n, 16) + 16));
  writeCVal(buf, 0, from, v, dl);
  return readCVal(buf, 0, to, dl);
}

/** Write a CVal of type t at byte offset `at` of a DataView (little endian). */
export function writeCVal(dv: DataView, at: number, t: Type, v: CVal, dl: DataLayout): void {
  switch (t.kind) {
    case 'int': {
      const bytes = Math.ceil(t.bits / 8);
      let x = BigInt.asUintN(bytes * 8, v as bigint);
      for (let i = 0; i < bytes; i++) {
        dv.setUint8(at + i, Number(x & 0xffn));
        x >>= 8n;
      }
      return;
    }
    case 'ptr':
      dv.setBigUint64(at, BigInt.asUintN(64, v as bigint), true);
      return;
    case 'float':
      if (t.fk === 'float') dv.setFloat32(at, v as number, true);
      else if (t.fk === 'double') dv.setFloat64(at, v as number, true);
      else if (t.fk === 'x86_fp80') {
        const bits = v as bigint;
        dv.setBigUint64(at, BigInt.asUintN(64, bits), true);
        dv.setUint16(at + 8, Number((bits >> 64n) & 0xffffn), true);
      } else throw new UnsupportedError(`constants of type ${t.fk}`);
      return;
    case 'vector': {
      const arr = v as CVal[];
      if (t.elem.kind === 'int' && t.elem.bits === 1) {
        for (let i = 0; i < t.len; i++) {
          const byte = at + (i >> 3);
          dv.setUint8(byte, dv.getUint8(byte) | (Number(arr[i]) << (i & 7)));
        }
        return;
      }
      const es = dl.allocSize(t.elem);
      for (let i = 0; i < t.len; i++) writeCVal(dv, at + i * es, t.elem, arr[i]!, dl);
      return;
    }
    case 'array': {
      const arr = v as CVal[];
      const es = dl.allocSize(t.elem);
      for (let i = 0; i < t.len; i++) writeCVal(dv, at + i * es, t.elem, arr[i]!, dl);
      return;
    }
    case 'struct': {
      const arr = v as CVal[];
      const sl = dl.structLayout(t);
      t.fields.forEach((f, i) => writeCVal(dv, at + sl.offsets[i]!, f, arr[i]!, dl));
      return;
    }
    default:
      throw new UnsupportedError(`constant of type ${t.kind}`);
  }
}

export function readCVal(dv: DataView, at: number, t: Type, dl: DataLayout): CVal {
  switch (t.kind) {
    case 'int': {
      const bytes = Math.ceil(t.bits / 8);
      let x = 0n;
      for (let i = bytes - 1; i >= 0; i--) x = (x << 8n) | BigInt(dv.getUint8(at + i));
      return BigInt.asUintN(t.bits, x);
    }
    case 'ptr':
      return dv.getBigUint64(at, true);
    case 'float':
      if (t.fk === 'float') return dv.getFloat32(at, true);
      if (t.fk === 'double') return dv.getFloat64(at, true);
      if (t.fk === 'x86_fp80') return (BigInt(dv.getUint16(at + 8, true)) << 64n) | dv.getBigUint64(at, true);
      throw new UnsupportedError(`constants of type ${t.fk}`);
    case 'vector': {
      if (t.elem.kind === 'int' && t.elem.bits === 1)
        return Array.from({ length: t.len }, (_, i) => BigInt((dv.getUint8(at + (i >> 3)) >> (i & 7)) & 1));
      const es = dl.allocSize(t.elem);
      return Array.from({ length: t.len }, (_, i) => readCVal(dv, at + i * es, t.elem, dl));
    }
    case 'array': {
      const es = dl.allocSize(t.elem);
      return Array.from({ length: t.len }, (_, i) => readCVal(dv, at + i * es, t.elem, dl));
    }
    case 'struct': {
      const sl = dl.structLayout(t);
      return t.fields.map((f, i) => readCVal(dv, at + sl.offsets[i]!, f, dl));
    }
    default:
      throw new UnsupportedError(`constant of type ${t.kind}`);
  }
}

/** Flatten a CVal of type t into scalar values in leaf order. */
export function flattenCVal(v: CVal, t: Type, out: CVal[] = []): CVal[] {
  if (t.kind === 'vector' || t.kind === 'array') {
    const arr = v as CVal[];
    for (let i = 0; i < t.len; i++) flattenCVal(arr[i]!, t.elem, out);
  } else if (t.kind === 'struct') {
    const arr = v as CVal[];
    t.fields.forEach((f, i) => flattenCVal(arr[i]!, f, out));
  } else out.push(v);
  return out;
}

/** JS literals of one scalar leaf value (two for i64). */
export function leafLiterals(leaf: Leaf, v: CVal): string[] {
  switch (leaf.k) {
    case 'i': {
      const x = BigInt.asUintN(leaf.bits, v as bigint);
      return [numLit(leaf.bits === 32 ? Number(BigInt.asIntN(32, x)) : Number(x))];
    }
    case 'l': {
      const x = v as bigint;
      return [numLit(Number(BigInt.asIntN(32, x))), numLit(Number(BigInt.asIntN(32, x >> 32n)))];
    }
    case 'b':
      return [bigLit(BigInt.asUintN(leaf.bits, v as bigint))];
    case 'p':
      return [numLit(Number(BigInt.asIntN(64, v as bigint)))];
    case 'f':
    case 'd':
      return [numLit(v as number)];
    case 'x':
      return [bigLit(v as bigint)];
  }
}

/** Literals of every leaf of a constant of type t. */
export function constLiterals(c: Constant, env: ConstEnv, lc: LeafCache): string[][] {
  const leaves = lc.leaves(c.type);
  const flat = flattenCVal(evalConst(c, env), c.type);
  return leaves.map((l, i) => leafLiterals(l, flat[i]!));
}

export { f80FromNumber, f80ToNumber };
