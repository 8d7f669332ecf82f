/**
 * @fileoverview Stage: engine (codegen). The shared emission layer of the code generator: what every
 * instruction emitter uses, and nothing that dispatches.
 *
 * Consumes: one IR function and the link context. Produces: JS text, through `FuncEmitter` (the output
 * lines with their indentation, temporaries, trap sites, and the JS names and operand expressions of IR
 * values: see values.ts for the slot representation) and small formatters (sign extension, unchecked
 * loads and stores of one leaf). This module is the leaf of the code generator's files: it imports none of
 * them. Above it: codegen-arith.ts, codegen-cast.ts and codegen-agg.ts (value instructions), codegen-mem.ts
 * and intrinsics.ts (which may use the arithmetic's compares and lane operations), codegen-call.ts, the
 * dispatcher codegen-ops.ts, and codegen.ts (`FuncGen`: frame and control flow), each importing only
 * files below it.
 */
import type { DataLayout } from '../ir/datalayout.js';
import type {
  Block,
  Constant,
  Func,
  GlobalValue,
  Instr,
  LandingPadInstr,
  Local,
  Module,
  Value,
} from '../ir/model.js';
import type { Type } from '../ir/types.js';
import { NarrowAnalysis } from './narrow.js';
import { constLiterals, type ConstEnv } from './constants.js';
import { UnsupportedError, mask, slotCount, type Leaf, type LeafCache } from './values.js';

export type Mode = 'plain' | 'gen' | 'replay';

export interface CompileOptions {
  /** Which runtime the code serves (hooks differ per mode; default plain). */
  readonly mode?: Mode;
  /** Count block executions in `RT.cov` (coverage for generation/guidance). */
  readonly coverage?: boolean;
  /**
   * Generation and replay modes: compact code, where checked scalar accesses and block counters are calls
   * of prelude helpers (default true; false inlines them, for tests). See docs/engine.md.
   */
  readonly compact?: boolean;
  /**
   * Compact code with coverage: also record the order of the blocks a run executes, the first
   * `traceBlocks` of them, in `Engine.trace` (export dataset's `--trace blocks`). Absent or 0: the
   * generated code is the same as without the option, so tracing costs nothing when off.
   */
  readonly traceBlocks?: number;
  /**
   * Compact code: also record the source locations (`!dbg` ids) of the instructions a run executes and the
   * values `#dbg_value` records give variables, the first `traceLines` events, in `Engine.trace.ev`
   * (export dataset's `--trace lines`). Absent or 0: the generated code is unchanged.
   */
  readonly traceLines?: number;
  /**
   * Emit the big loops of big functions as JS functions of their own (codegen.ts, "Outlined regions"), so
   * that V8 optimises, deoptimises and recompiles them apart from the rest of the function. Default: on in
   * compact code (generation and replay), off otherwise; a policy gives the sizes (tests outline every
   * loop with zeros). The results are the same either way.
   */
  readonly outline?: boolean | OutlinePolicy;
}

/** Which loops `outline` emits as functions of their own, by instruction counts. */
export interface OutlinePolicy {
  /** Functions with fewer instructions are emitted whole. */
  readonly minFunction: number;
  /** A loop is outlined when its region, less the regions outlined inside it, has this many instructions. */
  readonly minRegion: number;
  /**
   * A block whose region, less the regions outlined inside it, has more instructions than this gets its
   * biggest dominator-tree children's regions outlined too (loops or not) until it has no more.
   */
  readonly maxRegion: number;
}

/** The default outlining policy (measured: docs/engine.md, "Recompilation during a search"). */
export const OUTLINE_DEFAULT: OutlinePolicy = { minFunction: 100, minRegion: 15, maxRegion: 50 };

/** A trap site: the IR location of an instruction that may trap. */
export interface Site {
  readonly func: string;
  readonly block: string;
  readonly instr: number;
  readonly dbg: number;
}

/** What a function compiler needs from the linker. */
export interface LinkCtx {
  readonly m: Module;
  readonly dl: DataLayout;
  readonly lc: LeafCache;
  readonly env: ConstEnv;
  readonly opts: CompileOptions;
  /** JS name of the function in the generated module (`f12`). */
  jsName(g: GlobalValue): string;
  addSite(s: Site): number;
  /** Register a shadow template for a stack frame; returns its JS name. */
  addTemplate(t: Uint8Array): string;
  /** Index of the first coverage counter of a function (block i is at base + i). */
  coverageBase(f: Func): number;
  /** Id of a landing pad in the exception tables (eh.ts). */
  landingPad(lp: LandingPadInstr): number;
}

/** A pointer known to be a constant offset into a static frame slot or a defined global. */
export interface KnownObject {
  readonly size: number;
  readonly off: number;
  readonly readOnly: boolean;
  /** Globals are only provably addressable in plain mode (the generation runtime materialises them). */
  readonly global: boolean;
}

const MAX_NESTING = 400;

/** Thrown by `open` when structured code nests too deep; `FuncGen` then emits the dispatcher form. */
export class NestingError extends Error {}

/**
 * The emission state of one function, and the naming and operand services every instruction emitter
 * uses. `FuncGen` (codegen.ts) extends it with the stack frame and control flow.
 */
export class FuncEmitter {
  readonly lines: string[] = [];
  private indent = 1;
  private tmpCounter = 0;
  private depth = 0;
  /** Structured control flow (else the `for(;;) switch(B)` dispatcher); decided by `FuncGen`. */
  structured = true;
  /** Current instruction's block and index, for sites. */
  curBlock: Block | undefined;
  curIndex = 0;
  /** Static allocas: local id -> frame offset. */
  readonly frameOffsets = new Map<number, number>();
  /** setjmp call sites: instruction -> resume state number (dispatcher mode only). */
  readonly setjmpStates = new Map<Instr, number>();
  readonly varargs: boolean;
  private readonly constCache = new Map<Constant, string[][]>();
  /** Pointers known to point at a constant offset into a frame slot or global (see codegen-mem.ts). */
  readonly known = new Map<number, KnownObject>();
  /** i64 values that provably fit in int32: computed as one int32 (the hi slot is never read). */
  readonly narrow: NarrowAnalysis;
  /** GEP results: a key naming base and variable terms, and the constant offset (check coalescing). */
  readonly gepKey = new Map<number, { key: string; off: number }>();
  /** Ranges checked so far in the current block, per pointer key. */
  readonly checked = new Map<string, { lo: number; hi: number; write: boolean }[]>();

  constructor(
    readonly ctx: LinkCtx,
    readonly f: Func,
    /** Compact code: checked accesses and coverage counters as calls of prelude helpers. */
    readonly compact = false,
  ) {
    this.varargs = f.funcType.varargs;
    this.narrow = new NarrowAnalysis(f);
  }

  /** True for an i64 local computed as one int32, or an i64 constant that fits in int32. */
  isNarrow(v: Value): boolean {
    if (v.kind === 'local') return this.narrow.narrow.has(v.id);
    if (v.kind === 'int' && v.type.kind === 'int' && v.type.bits === 64) {
      const x = BigInt.asIntN(64, v.value);
      return x >= -2147483648n && x <= 2147483647n;
    }
    return false;
  }
  /** A narrow i64 value known to be non-negative. */
  isNarrowNonNeg(v: Value): boolean {
    return this.isNarrow(v) && this.narrow.range(v)[0] >= 0;
  }

  get dl(): DataLayout {
    return this.ctx.dl;
  }
  leaves(t: Type): Leaf[] {
    return this.ctx.lc.leaves(t);
  }

  // ------------------------------------------------------------------------------------------------
  // Output

  out(s: string): void {
    this.lines.push('  '.repeat(this.indent) + s);
  }
  open(s: string): void {
    this.out(s);
    this.indent++;
    if (++this.depth > MAX_NESTING && this.structured) throw new NestingError();
  }
  close(s = '}'): void {
    this.indent--;
    this.depth--;
    this.out(s);
  }
  /** Forget the output, to emit the function again (after a `NestingError`). */
  protected rewind(): void {
    this.lines.length = 0;
    this.indent = 1;
    this.depth = 0;
  }
  /** Start emitting into an empty buffer (an outlined function's body); `endSection` returns to the old one. */
  protected beginSection(): { lines: string[]; indent: number } {
    const saved = { lines: this.lines.splice(0), indent: this.indent };
    this.indent = 1;
    return saved;
  }
  /** The lines emitted since `beginSection`; output goes on where it was. */
  protected endSection(saved: { lines: string[]; indent: number }): string[] {
    const section = this.lines.splice(0);
    for (const l of saved.lines) this.lines.push(l);
    this.indent = saved.indent;
    return section;
  }
  tmp(): string {
    return `t${this.tmpCounter++}`;
  }

  /** Site id of the current instruction. */
  site(): number {
    const b = this.curBlock!;
    return this.ctx.addSite({
      func: this.f.name,
      block: b.name ?? String(b.index),
      instr: this.curIndex,
      dbg: b.instrs[this.curIndex]?.dbg ?? -1,
    });
  }

  // ------------------------------------------------------------------------------------------------
  // Names and operands

  /** JS variable names of all slots of a local. */
  slots(l: Local): string[] {
    const n = this.leaves(l.type).reduce((s, x) => s + slotCount(x.k), 0);
    const out: string[] = [];
    for (let k = 0; k < n; k++) out.push(k === 0 ? `v${l.id}` : `v${l.id}_${k}`);
    return out;
  }
  /** Slot names of leaf j of a local. */
  leafSlots(l: Local, j: number): string[] {
    const ls = this.leaves(l.type);
    let k = 0;
    for (let i = 0; i < j; i++) k += slotCount(ls[i]!.k);
    const name = (s: number): string => (s === 0 ? `v${l.id}` : `v${l.id}_${s}`);
    return slotCount(ls[j]!.k) === 2 ? [name(k), name(k + 1)] : [name(k)];
  }
  /** Expressions for the slots of leaf j of a value. */
  opnd(v: Value, j: number): string[] {
    if (v.kind === 'local') {
      if (this.narrow.narrow.has(v.id)) return [`v${v.id}`, `(v${v.id} >> 31)`];
      return this.leafSlots(v, j);
    }
    if (v.kind === 'metadata' || v.kind === 'asm') throw new UnsupportedError(`${v.kind} operand`);
    let lits = this.constCache.get(v);
    if (lits === undefined) {
      lits = constLiterals(v, this.ctx.env, this.ctx.lc);
      this.constCache.set(v, lits);
    }
    return lits[j]!;
  }
  /** All slot expressions of a value, flattened. */
  opndAll(v: Value): string[] {
    const n = this.leaves(v.type).length;
    const out: string[] = [];
    for (let j = 0; j < n; j++) out.push(...this.opnd(v, j));
    return out;
  }
  /** A single-slot scalar operand. */
  op1(v: Value): string {
    return this.opnd(v, 0)[0]!;
  }
}

// ---------------------------------------------------------------------------------------------------
// Formatters

/** Sign-extend a zero-extended small integer expression of width w to int32. */
export function sx(a: string, w: number): string {
  if (w >= 32) return a;
  return `(${a} << ${32 - w} >> ${32 - w})`;
}

/** An operand expression that is the literal zero. */
export function isZeroLit(s: string): boolean {
  return s === '0' || s === '0n';
}
/** An operand expression that is a numeric literal (possibly parenthesised and negative). */
export function isLit(s: string): boolean {
  return /^\(?-?\d/.test(s);
}

/** Slot-wise assignment `dst[k] = src[k]`. */
export function copyAll(g: FuncEmitter, src: string[], dst: string[]): void {
  dst.forEach((d, k) => g.out(`${d} = ${src[k]};`));
}

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
