/**
 * @fileoverview Stage: engine (codegen). Emission of memory instructions: load, store, getelementptr,
 * alloca, cmpxchg, atomicrmw, fence, va_arg.
 *
 * Consumes: instructions and `FuncEmitter` services. Produces: JS statements. Every access is preceded by an
 * inline shadow check of its first and last byte (`FL` is the slow path that classifies the fault or lets
 * the generation runtime materialise input bytes), except accesses the compiler proves valid: a constant
 * offset into a static alloca of the current frame, or into a global (plain mode). Imports the leaf
 * (codegen-emit.ts) and the compares of codegen-arith.ts (cmpxchg, atomicrmw min/max).
 */
import type {
  AllocaInstr,
  AtomicRMWInstr,
  CmpXchgInstr,
  GepInstr,
  Instr,
  LoadInstr,
  StoreInstr,
  Value,
} from '../ir/model.js';
import type { Type } from '../ir/types.js';
import { loadRange } from '../ir/ranges.js';
import { cmpExpr } from './codegen-arith.js';
import { isLit, rawLoad, rawStore, sx, type FuncEmitter, type KnownObject } from './codegen-emit.js';
import { UnsupportedError, numLit, type Leaf } from './values.js';

export function emitMemInstr(g: FuncEmitter, i: Instr): void {
  switch (i.op) {
    case 'load':
      return emitLoad(g, i);
    case 'store':
      return emitStore(g, i);
    case 'getelementptr':
      return emitGep(g, i);
    case 'alloca':
      return emitAlloca(g, i);
    case 'fence':
      return;
    case 'cmpxchg':
      return emitCmpXchg(g, i);
    case 'atomicrmw':
      return emitAtomicRmw(g, i);
    case 'va_arg': {
      const l = g.leaves(i.type)[0]!;
      const ap = g.op1(i.list);
      const d = g.slots(i.result!);
      if (l.k === 'l') g.out(`${d[0]} = VAARG(${ap}, 1); ${d[1]} = H[0];`);
      else g.out(`${d[0]} = VAARG(${ap}, ${{ i: 0, p: 2, d: 3, f: 3 }[l.k as 'i'] ?? 0});`);
      return;
    }
    default:
      throw new UnsupportedError(`instruction ${i.op}`);
  }
}

/** Bytes an access of type t touches. */
export function accessSize(g: FuncEmitter, t: Type): number {
  if (t.kind === 'vector' && t.elem.kind === 'int' && t.elem.bits === 1) return Math.ceil(t.len / 8);
  return g.dl.typeSize(t);
}

/** What a pointer value is known to point into, if anything. */
export function knownObject(g: FuncEmitter, ptr: Value): KnownObject | undefined {
  if (ptr.kind === 'local') {
    const k = g.known.get(ptr.id);
    if (k !== undefined) return k;
    if (!g.frameOffsets.has(ptr.id)) return undefined;
    const size = findStaticAlloca(g, ptr.id);
    return size === undefined ? undefined : { size, off: 0, readOnly: false, global: false };
  }
  if (ptr.kind === 'gvar' && ptr.init !== undefined && g.dl.isSized(ptr.valueType))
    return { size: g.dl.allocSize(ptr.valueType), off: 0, readOnly: ptr.isConstant, global: true };
  return undefined;
}

/** True when [p, p+n) is provably addressable (static frame slot, or a global in plain mode). */
function provablyValid(g: FuncEmitter, ptr: Value, n: number, write: boolean): boolean {
  const k = knownObject(g, ptr);
  if (k === undefined) return false;
  if (k.global && (g.ctx.opts.mode ?? 'plain') !== 'plain') return false;
  if (write && k.readOnly) return false;
  return k.off >= 0 && k.off + n <= k.size;
}

function findStaticAlloca(g: FuncEmitter, id: number): number | undefined {
  for (const i of g.f.blocks[0]!.instrs)
    if (i.op === 'alloca' && i.result?.id === id) {
      const n = i.count === undefined ? 1 : i.count.kind === 'int' ? Number(i.count.value) : 0;
      return g.dl.allocSize(i.allocType) * n;
    }
  return undefined;
}

/**
 * Check coalescing within a block: an access covered by an earlier checked range of the same base pointer
 * expression (a GEP's base and variable terms, plus a constant offset) needs no check. The ranges are
 * forgotten at block entry and after calls (which may free memory).
 */
function alreadyChecked(g: FuncEmitter, ptr: Value, p: string, n: number, write: boolean): boolean {
  const k = ptr.kind === 'local' ? g.gepKey.get(ptr.id) : undefined;
  const key = k?.key ?? `${p}|`;
  const off = k?.off ?? 0;
  let list = g.checked.get(key);
  if (list !== undefined) {
    for (const r of list) if (r.lo <= off && off + n <= r.hi && (r.write || !write)) return true;
  } else g.checked.set(key, (list = []));
  list.push({ lo: off, hi: off + n, write });
  return false;
}

/**
 * Emit the shadow check of an n-byte access at pointer expression p (a variable or a literal), whose IR
 * alignment is `align`.
 */
export function emitCheck(g: FuncEmitter, p: string, n: number, write: boolean, align = 1): void {
  if (n <= 0) return;
  const bit = write ? 2 : 1;
  const w = write ? 1 : 0;
  if (n === 1) g.out(`if ((S[${p}] & ${bit}) === 0) FL(${p}, 1, ${w}, ${g.site()});`);
  else if (n > 2 && (g.ctx.opts.mode ?? 'plain') !== 'plain') {
    // Generation and replay modes check every byte: an input object may have gaps (bytes neither written
    // nor generated yet) between addressable bytes. A write into a gap must mark it, and a read over a
    // gap must generate it now, or a later access would make the run differ from its replay.
    if ((n === 4 || n === 8) && align >= n) {
      // Aligned words: the shadow read as 32-bit words (one or two loads instead of four or eight); the
      // IR's alignment is a promise, not a fact, so a misaligned address takes the exact path, CHK.
      g.out(
        `if (${wordCheckFails(p, n, `0x0${bit}0${bit}0${bit}0${bit}`)}) CHK(${p}, ${n}, ${w}, ${g.site()});`,
      );
    } else if (n <= 8) {
      const all = Array.from({ length: n }, (_, k) => `S[${at(p, k)}]`).join(' & ');
      g.out(`if ((${all} & ${bit}) === 0) FL(${p}, ${n}, ${w}, ${g.site()});`);
    } else g.out(`CHK(${p}, ${n}, ${w}, ${g.site()});`);
  } else if (n <= 16)
    g.out(`if ((S[${p}] & S[${p} + ${n - 1}] & ${bit}) === 0) FL(${p}, ${n}, ${w}, ${g.site()});`);
  else g.out(`CHK(${p}, ${n}, ${w}, ${g.site()});`);
}

/**
 * The fast shadow check of an aligned 4- or 8-byte access at p, as a JS condition that is true when the
 * exact check (CHK) must decide: `m` has the wanted shadow bit in each byte (0x01010101 read, 0x02020202
 * write). Misaligned, negative (the shift and the bitwise ops see p modulo 2^32, which may be a valid
 * address) or near-the-end addresses, or any byte without the bit. Inline code and the compact code's
 * prelude helpers (link.ts) share it.
 */
export function wordCheckFails(p: string, n: 4 | 8, m: string): string {
  const q = `((${p}) >> 2)`;
  const words = n === 4 ? `S32[${q}]` : `S32[${q}] & S32[${q} + 1]`;
  return `((((${p}) & ${n - 1}) | ((${p}) < 0) | ((${p}) > SZ - ${n}) | ((${words} & ${m}) ^ ${m})) !== 0)`;
}

function at(p: string, off: number): string {
  return off === 0 ? p : `${p} + ${off}`;
}

/** A pointer operand as a simple expression (var or literal); complex ones go through a temp. */
function ptrOperand(g: FuncEmitter, v: Value): string {
  return g.op1(v);
}

/**
 * The prelude helper doing a checked access of one scalar leaf in compact code (generation and replay
 * modes, see link.ts): R8..RD for loads, W8..WD for stores; undefined when the leaf has no helper.
 */
function compactAccess(g: FuncEmitter, ls: readonly Leaf[], n: number, write: boolean): string | undefined {
  if (!g.compact || ls.length !== 1) return undefined;
  const l = ls[0]!;
  const name =
    l.k === 'i' && l.bits === n * 8 && n !== 3
      ? String(l.bits)
      : l.k === 'l'
        ? '64'
        : l.k === 'p'
          ? 'P'
          : l.k === 'f'
            ? 'F'
            : l.k === 'd'
              ? 'D'
              : undefined;
  return name === undefined ? undefined : `${write ? 'W' : 'R'}${name}`;
}

function emitLoad(g: FuncEmitter, i: LoadInstr): void {
  const ls = g.leaves(i.type);
  const p = ptrOperand(g, i.ptr);
  const n = accessSize(g, i.type);
  const checked = !provablyValid(g, i.ptr, n, false) && !alreadyChecked(g, i.ptr, p, n, false);
  const helper = checked ? compactAccess(g, ls, n, false) : undefined;
  if (helper !== undefined) {
    const d = g.leafSlots(i.result!, 0);
    g.out(`${d[0]} = ${helper}(${p}, ${g.site()});${ls[0]!.k === 'l' ? ` ${d[1]} = H[0];` : ''}`);
  } else {
    if (checked) emitCheck(g, p, n, false, i.align);
    if (i.type.kind === 'vector' && i.type.elem.kind === 'int' && i.type.elem.bits === 1) {
      ls.forEach((_, j) =>
        g.out(`${g.leafSlots(i.result!, j)[0]} = (U8[${at(p, j >> 3)}] >>> ${j & 7}) & 1;`),
      );
      return;
    }
    ls.forEach((l, j) => g.out(rawLoad(l, at(p, l.off), g.leafSlots(i.result!, j))));
  }
  emitRangeCheck(g, i, p, n);
}

/**
 * A load that promises its value's range (`!range` with `!noundef`: clang's `bool` loads) checks it: a
 * value outside is undefined behaviour (`invalid-value`, reported by the runtime's `badValue`, which the
 * generation runtime may answer by repairing the input and running again). Integer loads of up to 32 bits
 * only; their slot holds the value unsigned below 32 bits and signed at 32.
 */
function emitRangeCheck(g: FuncEmitter, i: LoadInstr, p: string, n: number): void {
  if (i.type.kind !== 'int') return;
  const bits = i.type.bits;
  const r = loadRange(g.ctx.m, i.md, bits);
  if (r === undefined) return;
  const d = g.leafSlots(i.result!, 0)[0]!;
  const v = bits === 32 ? `(${d} >>> 0)` : d;
  const ok = r
    .map(({ lo, hi }) =>
      lo < hi
        ? lo === 0
          ? `${v} < ${hi}`
          : `(${v} >= ${lo} && ${v} < ${hi})`
        : `(${v} >= ${lo} || ${v} < ${hi})`,
    )
    .join(' || ');
  g.out(`if (!(${ok})) BADV(${p}, ${n}, ${v}, ${g.site()});`);
}

function emitStore(g: FuncEmitter, i: StoreInstr): void {
  const t = i.value.type;
  const ls = g.leaves(t);
  const p = ptrOperand(g, i.ptr);
  const n = accessSize(g, t);
  const checked = !provablyValid(g, i.ptr, n, true) && !alreadyChecked(g, i.ptr, p, n, true);
  const helper = checked ? compactAccess(g, ls, n, true) : undefined;
  if (helper !== undefined) {
    g.out(`${helper}(${p}, ${g.opnd(i.value, 0).join(', ')}, ${g.site()});`);
    return;
  }
  if (checked) emitCheck(g, p, n, true, i.align);
  if (t.kind === 'vector' && t.elem.kind === 'int' && t.elem.bits === 1) {
    for (let b = 0; b < n; b++) {
      const bits = ls
        .slice(b * 8, b * 8 + 8)
        .map((_, k) => `(${g.opnd(i.value, b * 8 + k)[0]} << ${k})`)
        .join(' | ');
      g.out(`U8[${at(p, b)}] = ${bits};`);
    }
    return;
  }
  ls.forEach((l, j) => g.out(rawStore(l, at(p, l.off), g.opnd(i.value, j))));
}

/** Expression of a GEP index as a JS number (signed), or a number when constant. */
function indexExpr(g: FuncEmitter, v: Value, lane: number): string | number {
  if (v.kind === 'int' && v.type.kind === 'int') return Number(BigInt.asIntN(v.type.bits, v.value));
  const t = v.type.kind === 'vector' ? v.type.elem : v.type;
  const l: Leaf = g.leaves(t)[0]!;
  const a = g.opnd(v, v.type.kind === 'vector' ? lane : 0);
  switch (l.k) {
    case 'i':
      return sx(a[0]!, l.bits);
    case 'l':
      if (v.kind === 'local' && g.isNarrow(v)) return a[0]!;
      if (isLit(a[0]!) && isLit(a[1]!)) {
        const lo = Number(a[0]!.replace(/[()]/g, ''));
        const hi = Number(a[1]!.replace(/[()]/g, ''));
        return hi * 4294967296 + (lo >>> 0);
      }
      return `(${a[1]} === (${a[0]} >> 31) ? ${a[0]} : PAIR2P(${a[0]}, ${a[1]}))`;
    case 'b':
      return `Number(BigInt.asIntN(${l.bits}, ${a[0]}))`;
    default:
      throw new UnsupportedError('getelementptr index of a non-integer type');
  }
}

function emitGep(g: FuncEmitter, i: GepInstr): void {
  const lanes = i.type.kind === 'vector' ? i.type.len : 1;
  for (let lane = 0; lane < lanes; lane++) {
    const base = g.opnd(i.ptr, i.ptr.type.kind === 'vector' ? lane : 0)[0]!;
    let c = 0;
    const terms: string[] = [];
    let t: Type = i.srcType;
    i.indices.forEach((ix, k) => {
      let scale: number;
      if (k === 0) scale = g.dl.allocSize(t);
      else if (t.kind === 'struct') {
        const fi =
          ix.kind === 'int'
            ? Number(ix.value)
            : Number((ix as { elems?: { value: bigint }[] }).elems?.[0]?.value);
        c += g.dl.structLayout(t).offsets[fi]!;
        t = t.fields[fi]!;
        return;
      } else if (t.kind === 'array' || t.kind === 'vector') {
        t = t.elem;
        scale = g.dl.allocSize(t);
      } else throw new UnsupportedError('getelementptr into a non-aggregate');
      const e = indexExpr(g, ix, lane);
      if (typeof e === 'number') c += e * scale;
      else terms.push(scale === 1 ? e : `${e} * ${scale}`);
    });
    if (lanes === 1 && terms.length === 0) {
      const k = knownObject(g, i.ptr);
      if (k !== undefined) g.known.set(i.result!.id, { ...k, off: k.off + c });
    }
    let expr = base;
    if (c !== 0) expr += ` + ${numLit(c)}`;
    for (const term of terms) expr += ` + ${term}`;
    if (lanes === 1) g.gepKey.set(i.result!.id, { key: `${base}|${terms.join('+')}`, off: c });
    g.out(`${g.leafSlots(i.result!, lane)[0]} = ${expr};`);
  }
}

function emitAlloca(g: FuncEmitter, i: AllocaInstr): void {
  if (g.frameOffsets.has(i.result!.id)) return;
  const size = g.dl.allocSize(i.allocType);
  let count = '1';
  if (i.count !== undefined) {
    const e = indexExpr(g, i.count, 0);
    count = typeof e === 'number' ? String(e) : e;
  }
  g.out(`${g.slots(i.result!)[0]} = DALLOC(${count} * ${size}, ${Math.max(i.align, 16)}, ${g.site()});`);
}

function emitCmpXchg(g: FuncEmitter, i: CmpXchgInstr): void {
  const t = i.cmp.type;
  const l = g.leaves(t)[0]!;
  const p = g.op1(i.ptr);
  const n = accessSize(g, t);
  emitCheck(g, p, n, true);
  const old = g.leafSlots(i.result!, 0);
  const ok = g.leafSlots(i.result!, 1)[0]!;
  g.out(rawLoad(l, p, old));
  const eq = cmpExpr(g, 'icmp', 'eq', l, old, g.opnd(i.cmp, 0));
  g.out(`${ok} = ${eq} ? 1 : 0;`);
  g.out(`if (${ok}) { ${rawStore(l, p, g.opnd(i.newValue, 0))} }`);
}

function emitAtomicRmw(g: FuncEmitter, i: AtomicRMWInstr): void {
  const t = i.value.type;
  const l = g.leaves(t)[0]!;
  const p = g.op1(i.ptr);
  emitCheck(g, p, accessSize(g, t), true);
  const old = g.slots(i.result!);
  g.out(rawLoad(l, p, old));
  const v = g.opnd(i.value, 0);
  const nv: string[] = old.map(() => g.tmp());
  const decl = (e: string[]): void => nv.forEach((n, k) => g.out(`const ${n} = ${e[k]};`));
  const op = i.rmwOp;
  if (op === 'xchg') decl(v);
  else if (l.k === 'i') {
    const w = l.bits;
    const m = w === 32 ? '| 0' : `& ${2 ** w - 1}`;
    const a = old[0]!;
    const b = v[0]!;
    const e: Record<string, string> = {
      add: `(${a} + ${b}) ${m}`,
      sub: `(${a} - ${b}) ${m}`,
      and: `${a} & ${b}`,
      or: `${a} | ${b}`,
      xor: `${a} ^ ${b}`,
      nand: `(~(${a} & ${b})) ${m}`,
      max: `${cmpExpr(g, 'icmp', 'sgt', l, [a], [b])} ? ${a} : ${b}`,
      min: `${cmpExpr(g, 'icmp', 'slt', l, [a], [b])} ? ${a} : ${b}`,
      umax: `${cmpExpr(g, 'icmp', 'ugt', l, [a], [b])} ? ${a} : ${b}`,
      umin: `${cmpExpr(g, 'icmp', 'ult', l, [a], [b])} ? ${a} : ${b}`,
    };
    if (e[op] === undefined) throw new UnsupportedError(`atomicrmw ${op}`);
    decl([e[op]]);
  } else if (l.k === 'l') {
    const [al, ah] = old as [string, string];
    const [bl, bh] = v as [string, string];
    if (op === 'add')
      decl([
        `(${al} + ${bl}) | 0`,
        `(${ah} + ${bh} + ((((${al} + ${bl}) | 0) >>> 0) < (${al} >>> 0) ? 1 : 0)) | 0`,
      ]);
    else if (op === 'sub')
      decl([`(${al} - ${bl}) | 0`, `(${ah} - ${bh} - ((${al} >>> 0) < (${bl} >>> 0) ? 1 : 0)) | 0`]);
    else if (op === 'and' || op === 'or' || op === 'xor') {
      const o = op === 'and' ? '&' : op === 'or' ? '|' : '^';
      decl([`${al} ${o} ${bl}`, `${ah} ${o} ${bh}`]);
    } else if (op === 'max' || op === 'min' || op === 'umax' || op === 'umin') {
      const pred = { max: 'sgt', min: 'slt', umax: 'ugt', umin: 'ult' }[op];
      const c = cmpExpr(g, 'icmp', pred, l, [al, ah], [bl, bh]);
      decl([`${c} ? ${al} : ${bl}`, `${c} ? ${ah} : ${bh}`]);
    } else throw new UnsupportedError(`atomicrmw ${op} on i64`);
  } else if (l.k === 'f' || l.k === 'd') {
    const a = old[0]!;
    const b = v[0]!;
    const e: Record<string, string> = {
      fadd: `${a} + ${b}`,
      fsub: `${a} - ${b}`,
      fmax: `Math.max(${a}, ${b})`,
      fmin: `Math.min(${a}, ${b})`,
    };
    if (e[op] === undefined) throw new UnsupportedError(`atomicrmw ${op}`);
    decl([l.k === 'f' ? `Math.fround(${e[op]})` : e[op]]);
  } else throw new UnsupportedError(`atomicrmw ${op} on ${l.k}`);
  g.out(rawStore(l, p, nv));
}
