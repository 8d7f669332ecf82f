/**
 * @fileoverview Stage: gen. Comparison feedback of a run: what input bytes were compared with (strcmp and
 * friends) and the operands of integer comparisons (CmpLog, logged by the code the engine compiles for
 * every `icmp` in `gen` mode).
 *
 * Consumes: the engine's `cmp` hooks (set here), calls of the comparison functions the externals
 * registry marks with `compares` (via calls.ts), the current run's `Inputs`. Produces: the run's
 * `CmpEntry` and `IntCmp` lists, which the search (guide/search.ts) turns into candidate values.
 */
import type { Inputs } from './inputs.js';

/** An integer comparison: operands as unsigned `bits`-bit values. */
export interface IntCmp {
  readonly a: bigint;
  readonly b: bigint;
  readonly bits: number;
}

/** Input bytes at (obj, off) were compared with `bytes`: a candidate value for them. */
export interface CmpEntry {
  readonly obj: number;
  readonly off: number;
  readonly bytes: Uint8Array;
}

/** Entries of each kind kept per run at most. */
export const MAX_CMPS = 64;
/** Comparisons logged per run at most (loops repeat theirs): logging stops after this many. */
const MAX_CMP_CALLS = 4096;

/** The comparison log of the current run. */
export class CompareLog {
  cmps: CmpEntry[] = [];
  intCmps: IntCmp[] = [];
  private readonly intCmpSeen = new Set<number>();
  private cmpCalls = 0;

  /** Logs the integer comparisons of the code the engine compiles in `gen` mode. */
  constructor(private readonly inp: Inputs) {
    const cmp = inp.engine.cmp;
    cmp.log = (a, b, bits) => {
      if (a === b) return;
      if (++this.cmpCalls > MAX_CMP_CALLS) cmp.on = 0;
      // Cheap de-duplication first (collisions only drop a pair).
      const key = (a >>> 0) * 65599 + (b >>> 0) + bits;
      if (this.intCmpSeen.has(key)) return;
      this.intCmpSeen.add(key);
      this.logInt(BigInt(a), BigInt(b), bits);
    };
    cmp.log64 = (al, ah, bl, bh) => {
      if (al === bl && ah === bh) return;
      if (++this.cmpCalls > MAX_CMP_CALLS) cmp.on = 0;
      const key = ((al >>> 0) * 65599 + (bl >>> 0)) * 31 + ah * 7 + bh;
      if (this.intCmpSeen.has(key)) return;
      this.intCmpSeen.add(key);
      this.logInt((BigInt(ah) << 32n) | BigInt(al >>> 0), (BigInt(bh) << 32n) | BigInt(bl >>> 0), 64);
    };
  }

  /** Start of a run: an empty log, logging on in generation mode. */
  reset(): void {
    this.cmps = [];
    this.intCmps = [];
    this.intCmpSeen.clear();
    this.cmpCalls = 0;
    this.inp.engine.cmp.on = this.inp.mode === 'gen' ? 1 : 0;
  }

  /**
   * A call of a comparison function with operands at a and b (`n` bytes at most; `str`: up to a NUL):
   * when one side is input memory, log the other side's bytes as what that input should have been.
   */
  compared(a: number, b: number, n: number, str: boolean): void {
    if (this.inp.mode !== 'gen' || this.cmps.length >= MAX_CMPS) return;
    this.logBytes(a, b, n, str);
    this.logBytes(b, a, n, str);
  }

  private logInt(a: bigint, b: bigint, bits: number): void {
    if (this.intCmps.length >= MAX_CMPS) {
      this.inp.engine.cmp.on = 0;
      return;
    }
    this.intCmps.push({ a: BigInt.asUintN(bits, a), b: BigInt.asUintN(bits, b), bits });
  }

  private logBytes(input: number, other: number, n: number, str: boolean): void {
    const inp = this.inp;
    const mem = inp.engine.mem;
    if (!(input >= mem.inputBase && input < mem.size) || !(n > 0)) return;
    const id = inp.slotOf(input);
    if (inp.plan.objects[id] === undefined) return;
    const bytes: number[] = [];
    for (let q = other; bytes.length < Math.min(n, 256); q++) {
      if (!(q >= 0 && q < mem.size) || (mem.shadow[q]! & 1) === 0) return;
      const c = mem.u8[q]!;
      bytes.push(c);
      if (str && c === 0) break;
    }
    this.cmps.push({ obj: id, off: input - inp.base(id), bytes: Uint8Array.from(bytes) });
  }
}
