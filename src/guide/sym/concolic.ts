/**
 * @fileoverview Stage: guide (solver). The concolic interpreter: runs one function of a module on a
 * finished plan again, in the IR, computing every value concretely and, for values derived from input
 * bytes, symbolically; it returns the path: the condition of every branch on a symbolic value it took,
 * with the conditions of the ways it did not take.
 *
 * Consumes: a `GenSession` (its module, and the engine's placement of globals and functions, so that
 * addresses are the engine's) and the completed `Plan` of a run the search made. Produces: a `Path`.
 *
 * Symbolic inputs: integer arguments (`a3`), the input bytes of the plan's objects (`o2_16`: object 2,
 * offset 16) and of writable globals (`g5_0`). Pointers stay concrete: lazy initialisation decides the
 * shape of the input, the solver its contents. Concretisation: a value the interpreter cannot follow
 * symbolically (floats, bit counts, symbolic addresses) keeps its concrete value and loses its
 * expression, so a solution may miss; the search runs every solution in the engine, which decides. A call
 * to an external the interpreter does not know, or an instruction it does not handle, ends the path
 * there (`stopped`): the branches before it are still valid. The interpreter is not the engine: it
 * follows the engine's semantics only where a path's branch conditions depend on them, and a run of a
 * solution is always the engine's.
 */
import type { BinaryInstr, Block, Constant, Func, Instr, Value } from '../../ir/model.js';
import type { Type } from '../../ir/types.js';
import type { Linked } from '../../engine/link.js';
import { evalConst, type CVal } from '../../engine/constants.js';
import { externalAttrs, lookupExternal } from '../../engine/externals.js';
import type { GenSession } from '../../gen/runtime.js';
import type { Holder, Plan, PlanObject } from '../../gen/plan.js';
import {
  BIG_SLOT,
  INPUT_REGION_BASE,
  INPUT_SLOT,
  SMALL_SLOTS,
  slotBaseOffset,
  type PtrTarget,
} from '../../gen/record.js';
import * as X from './expr.js';
import type { Sym } from './expr.js';
import { SymMemory, type Cell } from './memory.js';
import {
  CASTS,
  SMT_BIN,
  Stop,
  bitCount,
  fcmp,
  floatBinary,
  floatWidth,
  funnel,
  icmp,
  insert,
  intBinary,
  intV,
  resetDropped,
  setBounds,
  type IntV,
  saturating,
  sym,
  withOverflow,
  type V,
} from './values.js';

/**
 * The name of an input variable at offset `off` of a holder: `o2_16` (byte 16 of object 2), `o2_m4`
 * (4 bytes below its base), `g5_0` (a writable global's byte), `p2_8` (object 2's pointer slot at 8).
 */
function inputName(kind: 'o' | 'g' | 'p' | 'q', holder: number, off: number): string {
  return `${kind}${holder}_${off < 0 ? `m${-off}` : off}`;
}

/** An input byte's holder (`o2`, `g5`) and offset, read back from its name; undefined for other inputs. */
export function inputByte(name: string): { readonly holder: string; readonly off: number } | undefined {
  const m = /^([og]\d+)_(m?)(\d+)$/.exec(name);
  return m === null ? undefined : { holder: m[1]!, off: (m[2] === 'm' ? -1 : 1) * Number(m[3]) };
}

/** A way a branch did not go: the condition that takes it, and its target block. */
export interface Alternative {
  readonly cond: Sym;
  readonly func: Func;
  readonly block: number;
}

/** A branch on a symbolic value: the condition that held, and the alternatives. */
export interface Branch {
  readonly cond: Sym;
  readonly alts: readonly Alternative[];
}

/** Where a symbolic variable lives in the plan. */
export type VarPlace =
  | { readonly t: 'arg'; readonly index: number; readonly bits: number; readonly float?: 'float' | 'double' }
  | { readonly t: 'obj'; readonly id: number; readonly off: number }
  | { readonly t: 'global'; readonly name: string; readonly off: number }
  /** A pointer argument, or the pointer slot at `off` of an object or writable global (a relocation). */
  | { readonly t: 'ptr-arg'; readonly index: number }
  | {
      readonly t: 'reloc';
      readonly holder: { readonly obj: number } | { readonly global: string };
      readonly off: number;
    }
  /** The result of the plan's `index`-th recorded external call (an unmodelled function's). */
  | { readonly t: 'call'; readonly index: number; readonly fn: string; readonly bits: number };

export interface Path {
  readonly branches: Branch[];
  readonly vars: Map<string, VarPlace>;
  /** Why the path ends before the function returned, if it does. */
  stopped: string | undefined;
  /** Instructions interpreted. */
  instrs: number;
  /** Expressions dropped for their size or mixing (`MAX_MIX`, `MAX_EXPR`). */
  concretised: number;
  /** Each variable's value in the plan the path ran on. */
  readonly values: Map<string, bigint>;
  /** What an address is in the plan's terms (a solved pointer's new target), if anything. */
  readonly target: (addr: bigint) => PtrTarget | null | undefined;
}

export interface ConcolicLimits {
  /** Instructions per path. */
  readonly maxInstrs: number;
  /** Symbolic branches per path. */
  readonly maxBranches: number;
  /** Call depth. */
  readonly maxDepth: number;
  /** Input variables an expression may mix, and its size as a tree, before it is concretised. */
  readonly maxMix: number;
  readonly maxExpr: number;
}

const HEAP_BASE = 0x7000_0000;
/** Bytes a memory function (memcpy, memset, realloc's copy) may touch on a path. */
const MAX_BYTES = 1 << 16;
/** Bytes a copy may move (each read may make an input byte a variable). */
const MAX_COPY = 1 << 12;
/** Longest string whose strlen is followed symbolically. */
const MAX_SYMBOLIC_STRLEN = 256;
/** Cases of a switch up to which its default's condition is built. */
const MAX_SWITCH_NONE = 16;
const STACK_BASE = 0x6000_0000;
const IGNORED =
  /^llvm\.(lifetime|dbg|assume|experimental\.noalias|invariant|var\.annotation|prefetch|donothing|sideeffect)/;

export class Concolic {
  private readonly linked: Linked;
  private readonly mem = new SymMemory((a) => this.initial(a));
  private readonly path: Path;
  private heapTop = HEAP_BASE;
  private stackTop = STACK_BASE;
  private depth = 0;
  /** Pointer expressions already pinned (`pinned`). */
  private readonly pins = new Set<number>();
  /** One node per input variable (a pointer's 8 bytes read one by one are one variable). */
  private readonly inputs = new Map<string, Sym>();
  /** Recorded external calls consumed so far (the plan's `calls`, in call order). */
  private callIdx = 0;
  /** Globals sorted by address (for the initial bytes of an address). */
  private readonly globals: { addr: number; size: number; name: string; writable: boolean }[];

  constructor(
    private readonly session: GenSession,
    private readonly plan: Plan,
    private readonly limits: ConcolicLimits,
    /** Whether a block may be a query's target (the alternatives of other blocks are not built). */
    private readonly aims: (f: Func, block: number) => boolean = () => true,
  ) {
    this.linked = session.engine.linked;
    this.path = {
      branches: [],
      vars: new Map(),
      stopped: undefined,
      instrs: 0,
      concretised: 0,
      values: new Map(),
      target: (a) => this.targetOf(a),
    };
    this.globals = this.linked.globals
      .map((p) => ({ addr: p.address, size: p.size, name: p.g.name, writable: !p.g.isConstant }))
      .sort((a, b) => a.addr - b.addr);
  }

  /** Interprets `fn` on the plan's arguments. */
  run(fn: string): Path {
    const f = this.session.func(fn);
    resetDropped();
    setBounds(this.limits.maxMix, this.limits.maxExpr);
    try {
      const args = f.params.map((p, i) => this.argument(p.type, i));
      this.call(f, args);
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      this.path.stopped = e.message;
    }
    this.path.concretised = resetDropped();
    return this.path;
  }

  // ----------------------------------------------------------------------------------------------
  // Inputs

  /** A symbolic input: its variable, where it lives in the plan, and its value there. */
  private input(name: string, w: number, place: VarPlace, value: bigint): Sym {
    let v = this.inputs.get(name);
    if (v !== undefined) return v;
    this.path.vars.set(name, place);
    this.path.values.set(name, value);
    this.inputs.set(name, (v = X.variable(name, w)));
    return v;
  }

  /** The plan's terms for an address: null, an input object or global at an offset, a function. */
  private targetOf(a: bigint): PtrTarget | null | undefined {
    if (a === 0n) return null;
    const n = Number(a);
    const mem = this.session.engine.mem;
    if (n >= INPUT_REGION_BASE && n < mem.size) {
      const o = this.objectAt(n - INPUT_REGION_BASE);
      if (o === undefined || o.dead === true) return undefined;
      return { obj: o.id, off: n - (INPUT_REGION_BASE + slotBaseOffset(o.id, o.big)) };
    }
    const g = this.globalAt(n);
    if (g !== undefined) return { global: g.name, off: n - g.addr };
    const f = this.linked.slots.find((x) => x.address === n);
    return f === undefined ? undefined : { fn: f.func.name };
  }

  private argument(t: Type, i: number): V {
    const r = this.plan.args[i];
    if (r === undefined) throw new Stop(`argument ${i} undecided`);
    if (t.kind === 'int' && r.t === 'int') {
      const c = BigInt(r.v);
      return intV(t.bits, c, this.input(`a${i}`, t.bits, { t: 'arg', index: i, bits: t.bits }, c));
    }
    if (t.kind === 'ptr') {
      if (r.t === 'rawptr') return intV(64, BigInt(r.addr));
      const c = r.t === 'null' ? 0n : r.t === 'ptr' ? BigInt(this.targetAddress(r)) : undefined;
      if (c !== undefined) return intV(64, c, this.input(`a${i}`, 64, { t: 'ptr-arg', index: i }, c));
    }
    if (t.kind === 'float' && r.t === 'float' && (t.fk === 'float' || t.fk === 'double')) {
      const w = t.fk === 'float' ? 32 : 64;
      const bits = BigInt('0x' + r.hex);
      const v = this.input(`a${i}`, w, { t: 'arg', index: i, bits: w, float: t.fk }, bits);
      return { k: 'f', w, c: X.fpValue(-w, bits), s: X.fpOp('fp.bits2f', -w, [v]) };
    }
    throw new Stop(`argument ${i} of type ${t.kind}`);
  }

  private targetAddress(t: PtrTarget): number {
    if ('obj' in t) return INPUT_REGION_BASE + slotBaseOffset(t.obj, this.plan.objects[t.obj]?.big) + t.off;
    if ('global' in t) {
      const g = this.linked.m.symbols.get(t.global);
      if (g === undefined) throw new Stop(`pointer to unknown @${t.global}`);
      return this.linked.addressOf(g) + t.off;
    }
    if ('fn' in t) {
      const g = this.linked.m.symbols.get(t.fn);
      if (g === undefined) throw new Stop(`pointer to unknown @${t.fn}`);
      return this.linked.addressOf(g);
    }
    throw new Stop('pointer to a stream');
  }

  /** A byte of a holder: a pointer's byte, an input byte (symbolic), or undefined. */
  private holderByte(
    h: Holder,
    off: number,
    /** The variable's name at an offset: a byte's, or (`pointer`) a pointer slot's. */
    name: (off: number, pointer: boolean) => string,
    place: VarPlace,
    holder: { readonly obj: number } | { readonly global: string },
  ): Cell | undefined {
    for (let k = 0; k < 8; k++) {
      if (!h.relocs.has(off - k)) continue;
      const at = off - k;
      const to = h.relocs.get(at);
      const a = to == null ? 0n : BigInt(this.targetAddress(to));
      // The pointer slot is an input too: which object (or null) it points to is the solver's to choose.
      const v = this.input(name(at, true), 64, { t: 'reloc', holder, off: at }, a);
      return { c: Number((a >> BigInt(8 * k)) & 0xffn), s: X.extract(8 * k + 7, 8 * k, v) };
    }
    const b = h.bytes.get(off);
    if (b === undefined) return undefined;
    return { c: b, s: this.input(name(off, false), 8, place, BigInt(b)) };
  }

  /** The byte at `a` before the run wrote anything. */
  private initial(a: number): Cell {
    const mem = this.session.engine.mem;
    if (a >= INPUT_REGION_BASE && a < mem.size) {
      const o = this.objectAt(a - INPUT_REGION_BASE);
      if (o !== undefined && o.dead !== true) {
        const off = a - (INPUT_REGION_BASE + slotBaseOffset(o.id, o.big));
        const name = (at: number, p: boolean): string => inputName(p ? 'p' : 'o', o.id, at);
        const cell = this.holderByte(o, off, name, { t: 'obj', id: o.id, off }, { obj: o.id });
        if (cell !== undefined) return cell;
      }
      return { c: 0, s: undefined };
    }
    if (a >= mem.globalsBase && a < mem.globalsEnd) {
      const g = this.globalAt(a);
      if (g !== undefined && g.writable) {
        const h = this.plan.globals.get(g.name);
        const gi = this.globals.indexOf(g);
        if (h !== undefined) {
          const off = a - g.addr;
          const place: VarPlace = { t: 'global', name: g.name, off };
          const name = (at: number, p: boolean): string => inputName(p ? 'q' : 'g', gi, at);
          const cell = this.holderByte(h, off, name, place, { global: g.name });
          if (cell !== undefined) return cell;
        }
      }
      return { c: this.linked.globalsImage[a - mem.globalsBase] ?? 0, s: undefined };
    }
    return { c: 0, s: undefined };
  }

  /** The plan object whose slot holds offset `off` of the input region (record.ts's slot layout). */
  private objectAt(off: number): PlanObject | undefined {
    const small = SMALL_SLOTS * INPUT_SLOT;
    if (off < small) {
      const o = this.plan.objects[Math.floor(off / INPUT_SLOT)];
      return o?.big === undefined ? o : undefined;
    }
    const big = Math.floor((off - small) / BIG_SLOT);
    return this.plan.objects.find((o) => o.big === big);
  }

  private globalAt(a: number): (typeof this.globals)[number] | undefined {
    let lo = 0;
    let hi = this.globals.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const g = this.globals[mid]!;
      if (a < g.addr) hi = mid - 1;
      else if (a >= g.addr + g.size) lo = mid + 1;
      else return g;
    }
    return undefined;
  }

  private byte(a: number): Cell {
    return this.mem.get(a);
  }

  // ----------------------------------------------------------------------------------------------
  // Memory

  private load(t: Type, a: number): V {
    if (t.kind === 'int' || t.kind === 'ptr') {
      const w = t.kind === 'int' ? t.bits : 64;
      const n = (w + 7) >> 3;
      let c = 0n;
      let sym = false;
      const cells: Cell[] = [];
      for (let i = 0; i < n; i++) {
        const b = this.byte(a + i);
        cells.push(b);
        c |= BigInt(b.c) << BigInt(8 * i);
        if (b.s !== undefined) sym = true;
      }
      if (!sym) return intV(w, c);
      let s: Sym = cells[0]!.s ?? X.constant(8, BigInt(cells[0]!.c));
      for (let i = 1; i < n; i++) s = X.concat(cells[i]!.s ?? X.constant(8, BigInt(cells[i]!.c)), s);
      return intV(w, c, n * 8 === w ? s : X.extract(w - 1, 0, s));
    }
    if (t.kind === 'float' && (t.fk === 'float' || t.fk === 'double')) {
      const w = t.fk === 'float' ? 32 : 64;
      const bits = this.load({ kind: 'int', id: -1, bits: w }, a) as Extract<V, { k: 'i' }>;
      const s = bits.s === undefined ? undefined : X.fpOp('fp.bits2f', -w, [bits.s]);
      return { k: 'f', w, c: X.fpValue(-w, bits.c), s };
    }
    if (t.kind === 'struct' || t.kind === 'array') {
      const dl = this.linked.dl;
      const e: V[] = [];
      if (t.kind === 'array')
        for (let i = 0; i < t.len; i++) e.push(this.load(t.elem, a + i * dl.allocSize(t.elem)));
      else t.fields.forEach((ft, i) => e.push(this.load(ft, a + dl.elementOffset(t, i))));
      return { k: 'a', e };
    }
    throw new Stop(`load of ${t.kind}`);
  }

  private store(t: Type, a: number, v: V): void {
    if (v.k === 'i') {
      const n = (v.w + 7) >> 3;
      for (let i = 0; i < n; i++) {
        const c = Number((v.c >> BigInt(8 * i)) & 0xffn);
        let s: Sym | undefined;
        if (v.s !== undefined) {
          const hi = Math.min(8 * i + 7, v.w - 1);
          s = X.extract(hi, 8 * i, v.s);
          if (s.w < 8) s = X.zext(s, 8);
        }
        this.mem.set(a + i, c, s);
      }
      return;
    }
    if (v.k === 'f') {
      const s = v.s === undefined ? undefined : X.fpOp('fp.f2bits', v.w, [v.s]);
      this.store(t, a, intV(v.w, X.fpBits(-v.w, v.c), s));
      return;
    }
    const dl = this.linked.dl;
    if (t.kind === 'array') v.e.forEach((e, i) => this.store(t.elem, a + i * dl.allocSize(t.elem), e));
    else if (t.kind === 'struct')
      v.e.forEach((e, i) => this.store(t.fields[i]!, a + dl.elementOffset(t, i), e));
    else throw new Stop(`store of ${t.kind}`);
  }

  // ----------------------------------------------------------------------------------------------
  // Functions and blocks

  private call(f: Func, args: V[]): V | undefined {
    if (++this.depth > this.limits.maxDepth) throw new Stop('call depth');
    const env = new Map<number, V>();
    f.params.forEach((p, i) => env.set(p.local.id, args[i]!));
    const stackMark = this.stackTop;
    let prev: Block | undefined;
    let b: Block = f.blocks[0]!;
    try {
      for (;;) {
        const next = this.block(f, b, prev, env);
        if (next === undefined || 'ret' in next) return next?.ret;
        prev = b;
        b = next.to;
      }
    } finally {
      this.stackTop = stackMark;
      this.depth--;
    }
  }

  /** Runs one block; returns its successor, or the function's result. */
  private block(
    f: Func,
    b: Block,
    prev: Block | undefined,
    env: Map<number, V>,
  ): { to: Block } | { ret: V | undefined } | undefined {
    // Phis read their incoming values all at once.
    const phis: [number, V][] = [];
    for (const i of b.instrs) {
      if (i.op !== 'phi') break;
      const inc = i.incoming.find((x) => x.block === prev);
      if (inc === undefined) throw new Stop('phi without its predecessor');
      phis.push([i.result!.id, this.value(inc.value, env)]);
    }
    for (const [id, v] of phis) env.set(id, v);
    for (const i of b.instrs) {
      if (i.op === 'phi') continue;
      if (++this.path.instrs > this.limits.maxInstrs) throw new Stop('instruction budget');
      if ((this.path.instrs & 4095) === 0 && this.session.deadline?.passed() === true)
        throw new Stop('time guard');
      const r = this.instr(f, b, i, env);
      if (r !== undefined) return r;
    }
    throw new Stop('block without terminator');
  }

  private instr(
    f: Func,
    b: Block,
    i: Instr,
    env: Map<number, V>,
  ): { to: Block } | { ret: V | undefined } | undefined {
    const set = (v: V): void => void env.set(i.result!.id, v);
    switch (i.op) {
      case 'ret':
        return { ret: i.value === undefined ? undefined : this.value(i.value, env) };
      case 'br': {
        if (i.cond === undefined) return { to: i.ifTrue };
        const c = this.int(i.cond, env);
        const taken = c.c !== 0n;
        if (c.s !== undefined) {
          const cond = X.toBool(c.s);
          const other = taken ? i.ifFalse! : i.ifTrue;
          const alt = { cond: taken ? X.not(cond) : cond, func: f, block: other.index };
          this.branch(taken ? cond : X.not(cond), this.aims(f, other.index) ? [alt] : []);
        }
        return { to: taken ? i.ifTrue : i.ifFalse! };
      }
      case 'switch':
        return { to: this.switchTo(f, i.value, i.cases, i.defaultBlock, env) };
      case 'unreachable':
        throw new Stop('unreachable');
      case 'call':
      case 'invoke': {
        const r = this.callInstr(i, env);
        if (i.result !== undefined && r !== undefined) set(r);
        return i.op === 'invoke' ? { to: i.normal } : undefined;
      }
      case 'alloca': {
        const n = i.count === undefined ? 1n : this.int(i.count, env).c;
        const size = Number(n) * this.linked.dl.allocSize(i.allocType);
        this.stackTop = (this.stackTop - Math.max(size, 1)) & ~(Math.max(i.align, 16) - 1);
        this.mem.fill(this.stackTop, size, 0, undefined);
        set(intV(64, BigInt(this.stackTop)));
        return undefined;
      }
      case 'load':
        set(this.load(i.type, this.addr(i.ptr, env)));
        return undefined;
      case 'store':
        this.store(i.value.type, this.addr(i.ptr, env), this.value(i.value, env));
        return undefined;
      case 'getelementptr':
        set(this.gep(i.srcType, i.ptr, i.indices, env));
        return undefined;
      default:
        set(this.compute(i, env));
        return undefined;
    }
  }

  private branch(cond: Sym, alts: Alternative[]): void {
    if (this.path.branches.length >= this.limits.maxBranches) throw new Stop('branch budget');
    this.path.branches.push({ cond, alts });
  }

  private switchTo(
    f: Func,
    value: Value,
    cases: readonly { value: { value: bigint }; block: Block }[],
    dflt: Block,
    env: Map<number, V>,
  ): Block {
    const v = this.int(value, env);
    const hit = cases.find((c) => BigInt.asUintN(v.w, c.value.value) === v.c);
    if (v.s !== undefined) {
      const s = v.s;
      const eq = (k: bigint): Sym => X.compare('=', s, X.constant(v.w, k));
      // Alternatives only toward blocks a query may aim at (a switch over an interpreter's opcodes has
      // hundreds of cases, and every execution of it would build them all).
      const alts: Alternative[] = [];
      const seen = new Set<number>([(hit?.block ?? dflt).index]);
      for (const c of cases)
        if (!seen.has(c.block.index)) {
          seen.add(c.block.index);
          if (this.aims(f, c.block.index))
            alts.push({ cond: eq(c.value.value), func: f, block: c.block.index });
        }
      // The default's condition (no case matched) only for switches of a few cases; over more, the
      // path does not constrain the value there (concretisation).
      const few = cases.length <= MAX_SWITCH_NONE;
      let none: Sym = X.constant(0, 1n);
      if (few) for (const c of cases) none = X.and(none, X.not(eq(c.value.value)));
      if (few && hit !== undefined && !seen.has(dflt.index) && cases.length > 0 && this.aims(f, dflt.index))
        alts.push({ cond: none, func: f, block: dflt.index });
      this.branch(hit !== undefined ? eq(hit.value.value) : none, alts);
    }
    return hit?.block ?? dflt;
  }

  // ----------------------------------------------------------------------------------------------
  // Values

  private value(x: Value, env: Map<number, V>): V {
    if (x.kind === 'local') {
      const v = env.get(x.id);
      if (v === undefined) throw new Stop('use of an undefined value');
      return v;
    }
    if (x.kind === 'metadata' || x.kind === 'asm') throw new Stop(`${x.kind} operand`);
    return this.fromConst(x.type, evalConst(x as Constant, this.linked.env));
  }

  private fromConst(t: Type, c: CVal): V {
    if (t.kind === 'int') return intV(t.bits, BigInt(c as bigint));
    if (t.kind === 'ptr') return intV(64, BigInt(c as bigint | number));
    if (t.kind === 'float' && (t.fk === 'float' || t.fk === 'double'))
      return { k: 'f', w: t.fk === 'float' ? 32 : 64, c: Number(c) };
    if (t.kind === 'struct')
      return { k: 'a', e: t.fields.map((ft, i) => this.fromConst(ft, (c as CVal[])[i]!)) };
    if (t.kind === 'array') return { k: 'a', e: (c as CVal[]).map((e) => this.fromConst(t.elem, e)) };
    throw new Stop(`constant of type ${t.kind}`);
  }

  private int(x: Value, env: Map<number, V>): Extract<V, { k: 'i' }> {
    const v = this.value(x, env);
    if (v.k !== 'i') throw new Stop('integer expected');
    return v;
  }

  /** An address the path uses (concrete); a symbolic pointer is pinned to its value there. */
  private addr(x: Value, env: Map<number, V>): number {
    return Number(BigInt.asIntN(64, this.pinned(this.int(x, env))));
  }

  /**
   * The value of a pointer the path dereferences or indexes. The path read and wrote memory through it,
   * so it holds only with the pointer as it was: a constraint without alternatives (a query may still
   * make another pointer equal to it: `s->self == s`).
   */
  private pinned(v: Extract<V, { k: 'i' }>): bigint {
    if (v.s !== undefined && !this.pins.has(v.s.id)) {
      this.pins.add(v.s.id);
      this.branch(X.compare('=', v.s, X.constant(v.w, v.c)), []);
    }
    return v.c;
  }

  private gep(src: Type, ptr: Value, indices: readonly Value[], env: Map<number, V>): V {
    const dl = this.linked.dl;
    let a = BigInt.asIntN(64, this.pinned(this.int(ptr, env)));
    let t = src;
    indices.forEach((ix, n) => {
      const x = this.int(ix, env);
      const k = BigInt.asIntN(64, BigInt.asIntN(x.w, x.c));
      if (n === 0) a += k * BigInt(dl.allocSize(t));
      else if (t.kind === 'struct') {
        a += BigInt(dl.elementOffset(t, Number(k)));
        t = t.fields[Number(k)]!;
      } else if (t.kind === 'array' || t.kind === 'vector') {
        t = t.elem;
        a += k * BigInt(dl.allocSize(t));
      } else throw new Stop(`gep into ${t.kind}`);
    });
    return intV(64, a);
  }

  private compute(i: Instr, env: Map<number, V>): V {
    if (SMT_BIN[i.op] !== undefined) {
      const b = i as BinaryInstr;
      return intBinary(b.op, this.int(b.lhs, env), this.int(b.rhs, env));
    }
    switch (i.op) {
      case 'fadd':
      case 'fsub':
      case 'fmul':
      case 'fdiv':
      case 'frem':
        return floatBinary(i.op, this.value(i.lhs, env), this.value(i.rhs, env));
      case 'fneg': {
        const v = this.value(i.operand, env);
        if (v.k !== 'f') throw new Stop('fneg of a non-float');
        return { k: 'f', w: v.w, c: -v.c, s: v.s === undefined ? undefined : X.fpOp('fp.neg', -v.w, [v.s]) };
      }
      case 'icmp':
        return icmp(i.pred, this.int(i.lhs, env), this.int(i.rhs, env));
      case 'fcmp':
        return fcmp(i.pred, this.value(i.lhs, env), this.value(i.rhs, env));
      case 'select': {
        const c = this.int(i.cond, env);
        const t = this.value(i.ifTrue, env);
        const e = this.value(i.ifFalse, env);
        const pick = c.c !== 0n ? t : e;
        if (c.s === undefined || t.k !== 'i' || e.k !== 'i') return pick;
        const ts = t.s ?? X.constant(t.w, t.c);
        const es = e.s ?? X.constant(e.w, e.c);
        return intV(t.w, pick.k === 'i' ? pick.c : 0n, X.ite(X.toBool(c.s), ts, es));
      }
      case 'freeze':
        return this.value(i.operand, env);
      case 'extractvalue': {
        let v = this.value(i.aggregate, env);
        for (const k of i.indices) {
          if (v.k !== 'a') throw new Stop('extractvalue of a scalar');
          v = v.e[k]!;
        }
        return v;
      }
      case 'insertvalue':
        return insert(this.value(i.aggregate, env), i.indices, this.value(i.element, env));
      default:
        if (i.op in CASTS) return this.cast(i as Extract<Instr, { op: 'zext' }>, env);
        throw new Stop(`instruction ${i.op}`);
    }
  }

  private cast(i: { op: string; operand: Value; type: Type }, env: Map<number, V>): V {
    const v = this.value(i.operand, env);
    const t = i.type;
    const w = t.kind === 'int' ? t.bits : t.kind === 'ptr' ? 64 : 0;
    if (v.k === 'i') {
      switch (i.op) {
        case 'zext':
        case 'ptrtoint':
        case 'inttoptr':
        case 'trunc':
        case 'bitcast':
          if (t.kind === 'float') break;
          if (w <= v.w)
            return intV(w, v.c, v.s === undefined ? undefined : X.extract(w - 1, 0, X.toBit(v.s)));
          return intV(w, v.c, v.s === undefined ? undefined : X.zext(v.s, w));
        case 'sext':
          return intV(w, BigInt.asIntN(v.w, v.c), v.s === undefined ? undefined : X.sext(v.s, w));
        case 'sitofp':
        case 'uitofp': {
          const fw = floatWidth(t);
          const x = Number(i.op === 'sitofp' ? BigInt.asIntN(v.w, v.c) : v.c);
          const s = v.s === undefined ? undefined : X.fpOp(`fp.${i.op}`, -fw, [X.toBit(v.s)]);
          return { k: 'f', w: fw, c: fw === 32 ? Math.fround(x) : x, s };
        }
      }
      if (i.op === 'bitcast' && t.kind === 'float') {
        const fw = floatWidth(t);
        const s = v.s === undefined ? undefined : X.fpOp('fp.bits2f', -fw, [v.s]);
        return { k: 'f', w: fw, c: X.fpValue(-fw, v.c), s };
      }
    }
    if (v.k === 'f') {
      switch (i.op) {
        case 'fptosi':
        case 'fptoui': {
          if (!Number.isFinite(v.c)) throw new Stop('fptoi of a non-finite value');
          const op = i.op === 'fptosi' ? 'fp.tosi' : 'fp.toui';
          return intV(w, BigInt(Math.trunc(v.c)), v.s === undefined ? undefined : X.fpOp(op, w, [v.s]));
        }
        case 'fpext':
          return { k: 'f', w: 64, c: v.c, s: v.s === undefined ? undefined : X.fpOp('fp.ext', -64, [v.s]) };
        case 'fptrunc': {
          const s = v.s === undefined ? undefined : X.fpOp('fp.trunc', -32, [v.s]);
          return { k: 'f', w: 32, c: Math.fround(v.c), s };
        }
        case 'bitcast':
          return intV(w, X.fpBits(-v.w, v.c), v.s === undefined ? undefined : X.fpOp('fp.f2bits', w, [v.s]));
      }
    }
    throw new Stop(`cast ${i.op}`);
  }

  // ----------------------------------------------------------------------------------------------
  // Calls

  private callInstr(i: Extract<Instr, { op: 'call' | 'invoke' }>, env: Map<number, V>): V | undefined {
    const callee = i.callee;
    let f: Func | undefined;
    if (callee.kind === 'function') f = callee;
    else if (callee.kind === 'local') {
      const a = Number(this.int(callee, env).c);
      f = this.linked.slots.find((s) => s.address === a)?.func;
    } else if (callee.kind === 'asm') throw new Stop('inline assembly');
    if (f === undefined) throw new Stop('indirect call to an unknown target');
    const args = i.args.map((x) => this.value(x.value, env));
    if (f.blocks.length > 0) return this.call(f, args);
    return this.external(f.name, args, i.funcType.ret);
  }

  private external(name: string, args: V[], ret: Type): V | undefined {
    if (IGNORED.test(name)) return undefined;
    const ci = (k: number): Extract<V, { k: 'i' }> => {
      const v = args[k];
      if (v?.k !== 'i') throw new Stop(`${name}: integer argument expected`);
      return v;
    };
    const n = (k: number): number => Number(BigInt.asIntN(64, ci(k).c));
    const base = name.replace(/\.(p0|i\d+|f\d+)(\.|$).*/, '');
    switch (base) {
      case 'llvm.memcpy':
      case 'llvm.memmove':
      case 'memcpy':
      case 'memmove': {
        const [dst, src, len] = [n(0), n(1), this.length(n(2), base, MAX_COPY)];
        const cells: Cell[] = [];
        for (let k = 0; k < len; k++) cells.push(this.byte(src + k));
        for (let k = 0; k < len; k++) this.mem.set(dst + k, cells[k]!.c, cells[k]!.s);
        return base.startsWith('llvm') ? undefined : args[0];
      }
      case 'llvm.memset':
      case 'memset': {
        const v = ci(1);
        const cell = { c: Number(v.c & 0xffn), s: v.s === undefined ? undefined : X.extract(7, 0, v.s) };
        const [dst, len] = [n(0), this.length(n(2), base)];
        this.mem.fill(dst, len, cell.c, cell.s);
        return base.startsWith('llvm') ? undefined : args[0];
      }
      case 'malloc':
      case 'calloc':
      case 'realloc': {
        // Heap memory reads as zeros where nothing was written (`initial`): only realloc copies.
        const size = base === 'calloc' ? n(0) * n(1) : base === 'realloc' ? n(1) : n(0);
        if (size < 0 || size > 1 << 30) throw new Stop(`${base} of ${size} bytes`);
        const a = this.heapTop;
        this.heapTop += (size + 31) & ~15;
        const old = base === 'realloc' ? n(0) : 0;
        if (old !== 0)
          for (let k = 0, len = this.length(size, base, MAX_COPY); k < len; k++) {
            const b = this.byte(old + k);
            this.mem.set(a + k, b.c, b.s);
          }
        return intV(64, BigInt(a));
      }
      case 'free':
        return undefined;
      case 'strlen':
        return this.strlen(n(0));
      case 'memcmp':
      case 'strcmp':
      case 'strncmp':
      case 'bcmp':
        return this.compareBytes(base, n(0), n(1), args.length > 2 ? n(2) : Infinity, ret);
    }
    const r = intrinsic(base, args);
    if (r !== null) return r;
    if (base.startsWith('llvm.')) throw new Stop(`intrinsic ${name}`);
    if (
      name.startsWith('stub ') ||
      lookupExternal(name) === undefined ||
      externalAttrs(name)?.osInput === true
    )
      return this.recordedCall(name, ret);
    throw new Stop(`external @${name}`);
  }

  /** A byte count a memory function works on: bounded (it costs its bytes), charged as instructions. */
  private length(n: number, fn: string, max = MAX_BYTES): number {
    if (n < 0 || n > max) throw new Stop(`${fn} of ${n} bytes`);
    this.path.instrs += n >> 4;
    return n;
  }

  /**
   * strlen: the concrete length L and, when a byte up to the NUL is symbolic, the length as a chain
   * `b0 == 0 ? 0 : b1 == 0 ? 1 : ... : L + 1` over the bytes read (longer strings: concrete).
   */
  private strlen(p: number): V {
    const cells: Cell[] = [];
    for (let k = 0; ; k++) {
      if (k > 1 << 20) throw new Stop('strlen runs away');
      const b = this.byte(p + k);
      cells.push(b);
      if (b.c === 0) break;
    }
    const len = cells.length - 1;
    if (len > MAX_SYMBOLIC_STRLEN || cells.every((c) => c.s === undefined)) return intV(64, BigInt(len));
    let e: Sym = X.constant(64, BigInt(len + 1));
    for (let k = len; k >= 0; k--) {
      const b = cells[k]!;
      const zero =
        b.s === undefined ? X.constant(0, b.c === 0 ? 1n : 0n) : X.compare('=', b.s, X.constant(8, 0n));
      e = X.ite(zero, X.constant(64, BigInt(k)), e);
    }
    return intV(64, BigInt(len), e);
  }

  /** The next recorded call's result (generation stubs unmodelled functions: their results are inputs). */
  private recordedCall(name: string, ret: Type): V | undefined {
    const k = this.callIdx++;
    const rec = this.plan.calls[k];
    if (rec === undefined || rec.fn !== name) throw new Stop(`external @${name} not recorded`);
    const r = rec.ret;
    if (ret.kind === 'void') return undefined;
    if (ret.kind === 'int' && r.t === 'int') {
      const c = BigInt(r.v);
      return intV(
        ret.bits,
        c,
        this.input(`c${k}`, ret.bits, { t: 'call', index: k, fn: name, bits: ret.bits }, c),
      );
    }
    if (ret.kind === 'ptr') {
      if (r.t === 'null') return intV(64, 0n);
      if (r.t === 'ptr') return intV(64, BigInt(this.targetAddress(r)));
    }
    throw new Stop(`external @${name} returning ${ret.kind}`);
  }

  /** memcmp/strcmp/strncmp: the concrete result; symbolic as "equal or not" when a byte is symbolic. */
  private compareBytes(fn: string, a: number, b: number, max: number, ret: Type): V {
    const w = ret.kind === 'int' ? ret.bits : 32;
    let eq: Sym = X.constant(0, 1n);
    let sym = false;
    let c = 0;
    const str = fn.startsWith('str');
    for (let k = 0; k < max; k++) {
      if (k > 1 << 16) throw new Stop(`${fn} runs away`);
      const x = this.byte(a + k);
      const y = this.byte(b + k);
      if (x.s !== undefined || y.s !== undefined) sym = true;
      eq = X.and(eq, X.compare('=', x.s ?? X.constant(8, BigInt(x.c)), y.s ?? X.constant(8, BigInt(y.c))));
      if (x.c !== y.c) {
        c = x.c - y.c;
        break;
      }
      if (str && x.c === 0) break;
    }
    const cv = BigInt(c);
    if (!sym) return intV(w, cv);
    return intV(w, cv, X.ite(eq, X.constant(w, 0n), X.constant(w, cv === 0n ? 1n : cv)));
  }
}

/** The intrinsics computed from their operands alone; null for any other name. */
function intrinsic(base: string, args: readonly V[]): V | null {
  const ci = (k: number): IntV => {
    const v = args[k];
    if (v?.k !== 'i') throw new Stop(`${base}: integer argument expected`);
    return v;
  };
  switch (base) {
    case 'llvm.expect':
      return args[0];
    case 'llvm.umin':
    case 'llvm.umax':
    case 'llvm.smin':
    case 'llvm.smax': {
      const a = ci(0);
      const b = ci(1);
      const pred = { 'llvm.umin': 'ult', 'llvm.umax': 'ugt', 'llvm.smin': 'slt', 'llvm.smax': 'sgt' }[base]!;
      const c = icmp(pred, a, b);
      return c.c !== 0n
        ? intV(a.w, a.c, c.s === undefined ? a.s : X.ite(c.s, sym(a), sym(b)))
        : intV(a.w, b.c, c.s === undefined ? b.s : X.ite(c.s, sym(a), sym(b)));
    }
    case 'llvm.abs': {
      const a = ci(0);
      const neg = BigInt.asIntN(a.w, a.c) < 0n;
      const c = neg ? -BigInt.asIntN(a.w, a.c) : a.c;
      if (a.s === undefined) return intV(a.w, c);
      const s = X.ite(
        X.compare('bvslt', a.s, X.constant(a.w, 0n)),
        X.binary('bvsub', X.constant(a.w, 0n), a.s),
        a.s,
      );
      return intV(a.w, c, s);
    }
    case 'llvm.ctpop':
    case 'llvm.ctlz':
    case 'llvm.cttz':
      return bitCount(base, ci(0));
    case 'llvm.uadd.sat':
    case 'llvm.usub.sat':
    case 'llvm.sadd.sat':
    case 'llvm.ssub.sat':
      return saturating(base, ci(0), ci(1));
    case 'llvm.fshl':
    case 'llvm.fshr':
      return funnel(base === 'llvm.fshl', ci(0), ci(1), ci(2));
    case 'llvm.fmuladd':
    case 'llvm.fma': {
      // x86-64 without FMA rounds the product, then the sum (as the engine does for fmuladd).
      if (base === 'llvm.fma') throw new Stop('llvm.fma');
      return floatBinary('fadd', floatBinary('fmul', args[0]!, args[1]!), args[2]!);
    }
    case 'llvm.fabs':
    case 'llvm.sqrt': {
      const v = args[0]!;
      if (v.k !== 'f') throw new Stop(`${base} of a non-float`);
      const c =
        base === 'llvm.fabs' ? Math.abs(v.c) : v.w === 32 ? Math.fround(Math.sqrt(v.c)) : Math.sqrt(v.c);
      const op = base === 'llvm.fabs' ? 'fp.abs' : 'fp.sqrt';
      return { k: 'f', w: v.w, c, s: v.s === undefined ? undefined : X.fpOp(op, -v.w, [v.s]) };
    }
    case 'llvm.is.constant':
      return intV(1, 0n);
    case 'llvm.bswap': {
      const a = ci(0);
      let c = 0n;
      for (let k = 0; k < a.w / 8; k++) c |= ((a.c >> BigInt(8 * k)) & 0xffn) << BigInt(a.w - 8 - 8 * k);
      let s: Sym | undefined;
      if (a.s !== undefined) {
        s = X.extract(7, 0, a.s);
        for (let k = 1; k < a.w / 8; k++) s = X.concat(s, X.extract(8 * k + 7, 8 * k, a.s));
      }
      return intV(a.w, c, s);
    }
    case 'llvm.uadd.with.overflow':
    case 'llvm.sadd.with.overflow':
    case 'llvm.usub.with.overflow':
    case 'llvm.ssub.with.overflow':
    case 'llvm.umul.with.overflow':
    case 'llvm.smul.with.overflow':
      return withOverflow(base, ci(0), ci(1));
  }
  return null;
}
