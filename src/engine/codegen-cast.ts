/**
 * @fileoverview Stage: engine (codegen). Emission of casts: trunc, zext, sext, fp conversions, int <-> fp,
 * ptrtoint / inttoptr, bitcast (slot copies, bit packing of i1 vectors, or a trip through scratch memory).
 *
 * Consumes: cast instructions and the `FuncEmitter` services. Produces: JS statements assigning the
 * result's slot variables (values.ts); vectors lane by lane. Imports only the leaf, codegen-emit.ts.
 */
import type { CastInstr } from '../ir/model.js';
import { copyAll, rawLoad, rawStore, sx, type FuncEmitter } from './codegen-emit.js';
import { UnsupportedError, mask, type Leaf } from './values.js';

export function emitCast(g: FuncEmitter, i: CastInstr): void {
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

/** The engine's scratch memory (`SCR`, an address in the runtime prelude). */
const SCRATCH_EXPR = 'SCR';

/** Bitcast through engine scratch memory: store the source leaves, load the destination leaves. */
function emitBitcastViaMemory(g: FuncEmitter, i: CastInstr): void {
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
function bigToInt(g: FuncEmitter, t: Leaf, e: string, d: string[]): void {
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

function scalarCast(g: FuncEmitter, op: string, f: Leaf, t: Leaf, a: string[], d: string[]): void {
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
