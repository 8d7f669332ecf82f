/**
 * @fileoverview Stage: gen. Lazy input memory: the engine's input faults, answered by generating the bytes
 * the faulting instruction reads (the Input-Gen idea, done in the engine rather than by an LLVM pass).
 *
 * Consumes: the engine's `Memory.onInputFault`, `onInputFree` and `inputBlockSize` hooks (wired by
 * `GenSession`), the current run's `Inputs`. Produces: input bytes and pointers, written into the engine's
 * memory and recorded in the plan's holders; the extents of touched objects; the module's writable globals.
 *
 * - Nothing in an input slot is addressable at first; the first access to a byte faults into `fault()`,
 *   which generates the bytes typed by the instruction that faulted (a load of an i32, a pointer, a
 *   double...; bytes for libc models and memcpy) and records them in the plan. A write just makes the
 *   bytes addressable: they are not inputs.
 * - A generated pointer is null, a new object, or an alias of an existing object (policy.ts).
 * - Writable globals start non-addressable too. In a fresh plan a defined one starts from its initializer
 *   (zeroes for a `zeroinitializer`), the state the C program starts in; the bytes a run reads are
 *   recorded (all but those of pointers to functions and globals), so mutation explores other values from
 *   there. A plan derived by mutation sometimes leaves a global's initial-valued bytes undecided
 *   (`layOutGlobals`): those and the other bytes it does not decide keep their initial value (70%, and
 *   always for an initial pointer to a function or global) or are generated. A global the module only
 *   declares has no initial state here: every byte read is generated (recorded).
 * - An array walk (one instruction faulting on successive elements) gets elements ahead generated at once
 *   (`prefetch`).
 * This is the hottest code of generation: no allocation per fault beyond the values it records.
 */
import type { Engine } from '../engine/engine.js';
import { f80FromNumber } from '../engine/fp80.js';
import { SH_RW, hex } from '../engine/memory.js';
import { Trap } from '../engine/outcome.js';
import type { Leaf } from '../engine/values.js';
import { inRange, loadRange, rangeSize, rangeValue, type ValueInterval } from '../ir/ranges.js';
import type { Type } from '../ir/types.js';
import { GUARD, type Inputs } from './inputs.js';
import type { Holder, PlanObject } from './plan.js';
import type { Policy } from './policy.js';
import { leafPlan, type LeafPlan } from './values.js';

/** Elements generated ahead in an array walk. */
const PREFETCH = 32;
/** Largest distance between the elements of an array walk that `prefetch` follows. */
const MAX_STRIDE = 1024;
/** Chance that a derived plan leaves a global's initial-valued bytes undecided (see `layOutGlobals`). */
const REROLL_INITIAL = 0.3;

/** A writable global of the module: an input. */
export interface WritableGlobal {
  readonly name: string;
  readonly address: number;
  readonly size: number;
  /** Declared only: no initial value to keep, every byte read is generated. */
  readonly declared: boolean;
  /** Position in address order. */
  readonly index: number;
}

/** Where one instruction last faulted in an input object: an array walk when the stride repeats. */
interface Walk {
  obj: number;
  /** Offset of the last fault. */
  at: number;
  /** Distance between the last two faults (0: none yet); `next` is where the walk goes on. */
  stride: number;
  next: number;
  streak: number;
}

/** Input memory generated on first access. */
export class LazyMemory {
  private readonly engine: Engine;
  /** Writable globals by address, and by name. */
  private readonly writable: WritableGlobal[];
  readonly writableByName: ReadonlyMap<string, WritableGlobal>;
  /** Faults on input objects handled so far (a diagnostic: array walks should cost few, see `prefetch`). */
  faults = 0;
  /** The last fault of each instruction in an input object, to recognise array walks (see `prefetch`). */
  private readonly walks = new Map<number, Walk>();
  /** What the load at each site reads, by leaf (see `siteLeaves`). */
  private readonly leafPlans = new Map<number, LeafPlan | null>();
  /** Indices (in `writable`) of the globals the current run touched, and the extent it touched of each. */
  private touched: number[] = [];
  private readonly touchedLo: Int32Array;
  private readonly touchedHi: Int32Array;

  constructor(private readonly inp: Inputs) {
    this.engine = inp.engine;
    // Inputs: writable globals, and globals the module only declares (defined in another file, unknown
    // here: natively replay defines a stand-in holding the recorded bytes).
    this.writable = this.engine.linked.globals
      .filter((g) => g.external === undefined && g.size > 0 && (g.g.init === undefined || !g.g.isConstant))
      .sort((a, b) => a.address - b.address)
      .map((g, index) => ({
        name: g.g.name,
        address: g.address,
        size: g.size,
        declared: g.g.init === undefined,
        index,
      }));
    this.writableByName = new Map(this.writable.map((w) => [w.name, w]));
    this.touchedLo = new Int32Array(this.writable.length);
    this.touchedHi = new Int32Array(this.writable.length);
    // Writable globals are ours to reset: they start non-addressable (holding their initial bytes), so
    // every byte a run touches faults here first, in generation and replay alike, and a reset restores
    // just those bytes (`reset`).
    this.engine.ownGlobals(this.writable.map((g) => [g.address, g.address + g.size] as const));
    for (const g of this.writable) this.engine.mem.shadow.fill(0, g.address, g.address + g.size);
  }

  /**
   * Start of a run: forget array walks; the bytes of writable globals the last run touched get their
   * initial values back and are non-addressable again (inputs in generation mode, the record's or the
   * initial values in replay).
   */
  reset(): void {
    this.walks.clear();
    const { u8, shadow, globalsBase } = this.engine.mem;
    const image = this.engine.linked.globalsImage;
    for (const i of this.touched) {
      const a = this.writable[i]!.address + this.touchedLo[i]!;
      const b = this.writable[i]!.address + this.touchedHi[i]!;
      u8.set(image.subarray(a - globalsBase, b - globalsBase), a);
      shadow.fill(0, a, b);
      this.touchedLo[i] = this.touchedHi[i] = 0;
    }
    this.touched = [];
  }

  /** The run touches [lo, hi) of writable global `g` (offsets; it will be restored at the next reset). */
  private touch(g: WritableGlobal, lo: number, hi: number): void {
    const i = g.index;
    if (this.touchedHi[i]! <= this.touchedLo[i]!) {
      this.touched.push(i);
      this.touchedLo[i] = lo;
      this.touchedHi[i] = hi;
    } else {
      this.touchedLo[i] = Math.min(this.touchedLo[i]!, lo);
      this.touchedHi[i] = Math.max(this.touchedHi[i]!, hi);
    }
  }

  /**
   * Lay out the plan's global bytes. In a derived plan (generation mode) a global whose bytes hold its
   * initial values is left undecided there now and then (REROLL_INITIAL), so the run may keep them or
   * generate others (`globalFault`); bytes a mutation changed stay.
   */
  layOutGlobals(): void {
    const inp = this.inp;
    const reroll = inp.mode === 'gen' && inp.plan.derived;
    const u8 = this.engine.mem.u8;
    for (const [name, h] of inp.plan.globals) {
      const g = this.writableByName.get(name);
      if (g === undefined) continue;
      if (reroll && !g.declared && !isGuardVariable(name) && inp.policy.rng.chance(REROLL_INITIAL))
        for (const [a, b] of h.bytes.ranges())
          for (let off = a; off < b; off++) if (h.bytes.get(off) === u8[g.address + off]) h.bytes.delete(off);
      inp.layOut(h, g.address, (lo, hi) => this.touch(g, lo, hi));
    }
  }

  /** The engine's input fault: make [p, p+n) addressable, generating it for a read. */
  fault(p: number, n: number, write: boolean): boolean {
    const inp = this.inp;
    const mem = this.engine.mem;
    if (p >= mem.inputBase) {
      const id = inp.slotOf(p);
      const o = inp.plan.objects[id];
      if (o === undefined || o.dead === true || inp.freed.has(id)) {
        // No object here: perhaps one below reaching past its slot, which a big slot can hold.
        const below = inp.mode === 'gen' ? inp.ownerBelow(p) : -1;
        if (below >= 0 && inp.promote(below, p - inp.base(below), n)) inp.restartRun();
        return false;
      }
      const base = inp.base(id);
      const off = p - base;
      const half = inp.half(id);
      if (off < -half + GUARD || off + n > half - GUARD) {
        // Past its small slot: in generation, the object moves to a big slot and the run starts again.
        if (inp.mode === 'gen' && inp.promote(id, off, n)) inp.restartRun();
        return false;
      }
      if (inp.mode === 'replay') {
        // Generation stopped here when the access took the run past its input budget (the record's
        // extents are at least what generation had touched then, so the same check holds).
        if (inp.overBudget(id, off, off + n)) throw inp.budgetTrap(id, off, off + n);
        throw new Trap(
          'input-divergence',
          `${write ? 'write' : 'read'} of ${n} bytes at offset ${off} of input object ${id}, outside the record`,
        );
      }
      this.faults++;
      inp.extend(id, off, off + n);
      if (write) this.markMissing(p, n);
      else this.generate(o, base, off, n);
      this.prefetch(o, base, off, n, write);
      return true;
    }
    return this.globalFault(p, n, write);
  }

  /**
   * A fault in a writable global: the first access of the run to these bytes. Replay makes them
   * addressable as they are (the record's bytes, laid out already, or the initial ones); generation
   * decides what a read sees.
   */
  private globalFault(p: number, n: number, write: boolean): boolean {
    const g = this.findWritable(p);
    if (g === undefined || p + n > g.address + g.size) return false;
    this.touch(g, p - g.address, p - g.address + n);
    if (write || this.inp.mode === 'replay') {
      this.markMissing(p, n);
      return true;
    }
    // A defined global starts from its initializer in a fresh plan (a table of allocator hooks must hold
    // its functions); the kept bytes are recorded too, so that mutation can change them later. In a derived
    // plan an undecided byte may be generated instead (the module's wiring, pointers to its functions and
    // globals, is kept).
    const inp = this.inp;
    const h = inp.plan.global(g.name);
    if (
      !g.declared &&
      (!inp.plan.derived ||
        isGuardVariable(g.name) ||
        this.initialPointerAt(g, p) ||
        inp.policy.rng.chance(0.7))
    ) {
      const mem = this.engine.mem;
      const u8 = mem.u8;
      const s = mem.shadow;
      for (let q = p; q < p + n; q++)
        if (s[q] === 0) {
          s[q] = SH_RW;
          // Bytes of an initial pointer value stay unrecorded (natively the initializer has its own).
          if (!this.initialPointerAt(g, q)) h.bytes.set(q - g.address, u8[q]!);
        }
    } else this.generate(h, g.address, p - g.address, n);
    return true;
  }

  /**
   * An array walk (an instruction faulting on the next element of the same object, at the same
   * stride: forward or backward, contiguous or every `stride` bytes, e.g. one field of an array of
   * structs) gets the next elements done at once: loads generate them typed like this one (scalar,
   * non-pointer elements only: pointers stay lazy), stores mark them written. One fault per PREFETCH
   * elements instead of one per element, and more per fault as the walk goes on (up to 8x). Elements
   * marked written but not written after all read as zeros, in generation, replay and natively alike
   * (they are inside the recorded extent).
   */
  private prefetch(o: PlanObject, base: number, off: number, n: number, write: boolean): void {
    if (this.engine.inExternal !== undefined) return;
    const site = this.engine.currentSite();
    let last = this.walks.get(site);
    if (last === undefined) this.walks.set(site, (last = { obj: -1, at: 0, stride: 0, next: 0, streak: 0 }));
    const same = last.obj === o.id;
    const gap = Math.abs(off - last.at);
    let stride = 0;
    if (same && last.stride !== 0 && off === last.next) {
      stride = last.stride;
      last.streak++;
    } else if (same && gap >= n && gap <= MAX_STRIDE) {
      stride = off - last.at;
      last.streak = 1;
    } else last.streak = 0;
    last.obj = o.id;
    last.at = off;
    last.stride = stride;
    last.next = off + stride;
    // Contiguous walks are followed from their second element, strided ones once the stride repeats
    // (two faults of a probing loop at the same site are a stride by chance).
    if (stride === 0 || (Math.abs(stride) !== n && last.streak < 2)) return;
    const lp = write ? null : this.siteLeaves(site);
    if (!write && (lp === null || lp.pointers || lp.size !== n)) return;
    // Within the slot, and within what is left of the run's input budget (elements ahead are a guess:
    // the access that needs more than the budget is the one that ends the run).
    const inp = this.inp;
    const half = inp.half(o.id);
    const room = stride > 0 ? half - GUARD - (off + n) : off - (-half + GUARD);
    const left = inp.bytesLeft();
    const reach = stride > 0 ? inp.extHi[o.id]! + left - (off + n) : off - (inp.extLo[o.id]! - left);
    const count = Math.min(
      PREFETCH << Math.min(last.streak - 1, 3),
      Math.floor(room / Math.abs(stride)),
      Math.floor(reach / Math.abs(stride)),
    );
    const end = off + count * stride;
    inp.extend(o.id, Math.min(off, end), Math.max(off, end) + n);
    if (!write && stride === 1 && isByteLeaf(lp!)) {
      // A forward walk over bytes: the elements' bytes in one bulk generation, which draws exactly what
      // generating them one by one in this order draws (`generateBytes`).
      if (count > 0) this.generateBytes(o, base, off + 1, count);
      last.next = end + stride;
      return;
    }
    if (write && Math.abs(stride) === n) {
      // A contiguous write walk: its elements are one range.
      if (count > 0) this.markMissing(base + (stride > 0 ? off + n : end), count * n);
    } else
      for (let k = 1; k <= count; k++) {
        const at = off + k * stride;
        if (write) this.markMissing(base + at, n);
        else this.generateTyped(o, base, at, lp!);
      }
    last.next = end + stride;
  }

  /** The leaves of what the load at `site` reads (cached per site); null for anything but a load. */
  private siteLeaves(site: number): LeafPlan | null {
    let lp = this.leafPlans.get(site);
    if (lp === undefined) {
      const ins = this.engine.siteInstr(site);
      lp = null;
      if (ins?.op === 'load') {
        lp = leafPlan(this.engine.linked, ins.type);
        const range = this.loadRange(site);
        if (range !== undefined) lp = { ...lp, range };
      }
      this.leafPlans.set(site, lp);
    }
    return lp;
  }

  /** The values the load at `site` allows (`!range` with `!noundef`: a C++ `bool`), if it says. */
  private loadRange(
    site: number,
  ): { readonly r: readonly ValueInterval[]; readonly bits: number } | undefined {
    const ins = this.engine.siteInstr(site);
    if (ins?.op !== 'load' || ins.type.kind !== 'int') return undefined;
    const r = loadRange(this.engine.linked.m, ins.md, ins.type.bits);
    return r === undefined ? undefined : { r, bits: ins.type.bits };
  }

  /**
   * The engine's `onBadValue`: a load that promises its range read a value outside it. When those bytes
   * are the plan's input bytes as generated or mutated (the run did not write them), the plan gets an
   * allowed value there instead (a C++ `bool` field of 237 becomes 1: the caller of a C++ function cannot
   * pass such an object without undefined behaviour of its own) and the run starts again. Anything else
   * (bytes the function wrote or copied) stays an `invalid-value` finding.
   */
  badValue(p: number, n: number, v: number): void {
    const inp = this.inp;
    if (inp.mode !== 'gen') return;
    const range = this.loadRange(this.engine.currentSite());
    if (range === undefined) return;
    let h: Holder | undefined;
    let off: number;
    if (p >= this.engine.mem.inputBase) {
      const id = inp.slotOf(p);
      const o = inp.plan.objects[id];
      if (o === undefined || o.dead === true || inp.freed.has(id)) return;
      h = o;
      off = p - inp.base(id);
    } else {
      const g = this.findWritable(p);
      if (g === undefined) return;
      h = inp.plan.globals.get(g.name);
      off = p - g.address;
    }
    const u8 = this.engine.mem.u8;
    for (let i = 0; i < n; i++) if (h?.bytes.get(off + i) !== u8[p + i]) return;
    const w = rangeValue(range.r, range.bits, v % rangeSize(range.r, range.bits));
    for (let i = 0; i < n; i++) h!.bytes.set(off + i, (w >>> (8 * i)) & 0xff);
    inp.restartRun();
  }

  /** The input object whose base is p, if it can be a heap block (nothing below its base). */
  private heapCandidate(p: number): PlanObject | undefined {
    const inp = this.inp;
    const id = inp.slotOf(p);
    const o = inp.plan.objects[id];
    if (o === undefined || o.dead === true || p !== inp.base(id)) return undefined;
    if ((inp.extHi[id] ?? 0) > (inp.extLo[id] ?? 0) && (inp.extLo[id] ?? 0) < 0) return undefined;
    if (inp.mode === 'replay' && o.heap !== true) return undefined;
    return o;
  }

  /** realloc() of an input object: it is a heap object (natively from malloc) even if realloc fails. */
  inputBlockSize(p: number): number | undefined {
    const o = this.heapCandidate(p);
    if (o === undefined || this.inp.freed.has(o.id)) return undefined;
    o.heap = true;
    return Math.max(0, this.inp.extHi[o.id] ?? 0);
  }

  /** free() of an input object: it becomes a heap object of the input; later accesses fault. */
  freeInput(p: number): boolean {
    const inp = this.inp;
    const o = this.heapCandidate(p);
    if (o === undefined) return false;
    if (inp.freed.has(o.id))
      throw new Trap('double-free', `free(${hex(p)}): input object ${o.id} already freed`);
    o.heap = true;
    inp.freed.add(o.id);
    const lo = inp.extLo[o.id] ?? 0;
    const hi = inp.extHi[o.id] ?? 0;
    if (hi > lo) this.engine.mem.shadow.fill(0, p + lo, p + hi);
    return true;
  }

  /** The aligned word of global `g` holding address q holds a pointer to a function or a global. */
  private initialPointerAt(g: WritableGlobal, q: number): boolean {
    const mem = this.engine.mem;
    const w = g.address + ((q - g.address) & ~7);
    if (w + 8 > g.address + g.size) return false;
    const v = mem.dv.getUint32(w, true) + mem.dv.getInt32(w + 4, true) * 4294967296;
    return v >= mem.codeBase && v < mem.globalsEnd;
  }

  private findWritable(p: number): WritableGlobal | undefined {
    const w = this.writable;
    let lo = 0;
    let hi = w.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const g = w[mid]!;
      if (p < g.address) hi = mid - 1;
      else if (p >= g.address + g.size) lo = mid + 1;
      else return g;
    }
    return undefined;
  }

  private markMissing(p: number, n: number): void {
    const s = this.engine.mem.shadow;
    for (let i = p; i < p + n; i++) if (s[i] === 0) s[i] = SH_RW;
  }

  /** Generate the missing bytes of [base+off, base+off+n), typed by the faulting instruction (or `type`). */
  generate(h: Holder, base: number, off: number, n: number, type?: Type): void {
    const eng = this.engine;
    const lp =
      type !== undefined
        ? leafPlan(eng.linked, type)
        : eng.inExternal !== undefined
          ? null
          : this.siteLeaves(eng.currentSite());
    if (lp !== null && lp.size === n) this.generateTyped(h, base, off, lp);
    else this.generateBytes(h, base, off, n);
  }

  private generateTyped(h: Holder, base: number, off: number, lp: LeafPlan): void {
    if (lp.range !== undefined) return this.generateInRange(h, base, off, lp.size, lp.range);
    for (const { leaf, size } of lp.leaves) this.generateLeaf(h, base, off + leaf.off, size, leaf);
    if (lp.covered < lp.size) this.generateBytes(h, base, off, lp.size);
  }

  private generateLeaf(h: Holder, base: number, off: number, size: number, l: Leaf): void {
    const inp = this.inp;
    const mem = this.engine.mem;
    const s = mem.shadow;
    let missing = 0;
    for (let i = 0; i < size; i++) if (s[base + off + i] === 0) missing++;
    if (missing === 0) return;
    if (l.k === 'p' && missing === 8) {
      const target = inp.genPointer(h.depth);
      h.relocs.set(off, target);
      if (target === null)
        inp.freshNulls.push(() => h.relocs.set(off, { obj: inp.plan.newObject(h.depth + 1).id, off: 0 }));
      inp.writePtr(base + off, inp.addrOf(target));
      s.fill(SH_RW, base + off, base + off + 8);
      return;
    }
    if (l.k === 'i' && l.bits === 8) return this.generateBytes(h, base, off, 1);
    const bytes = leafBytes(l, size, inp.policy);
    for (let i = 0; i < size; i++) {
      if (s[base + off + i] !== 0) continue;
      const b = bytes[i] ?? 0;
      mem.u8[base + off + i] = b;
      s[base + off + i] = SH_RW;
      h.bytes.set(off + i, b);
    }
  }

  /**
   * An integer of a load that promises its range: the policy's value when allowed, else the allowed value
   * it picks (by its remainder), so a C++ `bool` is 0 or 1 and other ranges keep the policy's small values.
   */
  private generateInRange(
    h: Holder,
    base: number,
    off: number,
    size: number,
    range: { readonly r: readonly ValueInterval[]; readonly bits: number },
  ): void {
    const mem = this.engine.mem;
    const s = mem.shadow;
    let missing = false;
    for (let i = 0; i < size; i++) if (s[base + off + i] === 0) missing = true;
    if (!missing) return;
    let v = this.inp.policy.int32(range.bits) >>> 0;
    if (!inRange(range.r, v)) v = rangeValue(range.r, range.bits, v % rangeSize(range.r, range.bits));
    for (let i = 0; i < size; i++) {
      if (s[base + off + i] !== 0) continue;
      const b = (v >>> (8 * i)) & 0xff;
      mem.u8[base + off + i] = b;
      s[base + off + i] = SH_RW;
      h.bytes.set(off + i, b);
    }
  }

  /**
   * Generate the missing bytes of [base+off, base+off+n), untyped: the object's template (a dictionary
   * string chosen when offset 0 is first generated) where it reaches, `Policy.byte` elsewhere. Runs of
   * missing bytes without template bytes are generated in bulk, drawing exactly what the byte-by-byte
   * order draws.
   */
  private generateBytes(h: Holder, base: number, off: number, n: number): void {
    const mem = this.engine.mem;
    const s = mem.shadow;
    const pol = this.inp.policy;
    for (let i = 0; i < n;) {
      const q = base + off + i;
      if (s[q] !== 0) {
        i++;
        continue;
      }
      const o = off + i;
      if (o === 0 && h.template === undefined && !h.bytes.has(0)) h.template = pol.template();
      const tpl = h.template;
      if (tpl !== undefined && o >= 0 && o < tpl.length) {
        const b = tpl[o]!;
        mem.u8[q] = b;
        s[q] = SH_RW;
        h.bytes.set(o, b);
        i++;
        continue;
      }
      // A run of missing bytes that stops before offset 0 (where the template is decided) or a present byte.
      const stop = o < 0 ? Math.min(n, -off) : n;
      let j = i + 1;
      while (j < stop && s[base + off + j] === 0) j++;
      const out = scratch(j - i);
      pol.bytes(out, j - i);
      mem.u8.set(out, q);
      s.fill(SH_RW, q, q + (j - i));
      h.bytes.setRange(o, out);
      i = j;
    }
  }
}

let SCRATCH = new Uint8Array(4096);

/**
 * A C++ guard variable (`_ZGV...`: whether a function's static local is initialised yet). It keeps its
 * initial value (not yet) in every plan, and mutation leaves it alone (guide/search.ts): a generated
 * "initialised" would pair with a static local holding bytes its initializer never computes, a state no
 * program reaches, and the test of such an input cannot set either (no C++ name reaches them).
 */
export function isGuardVariable(name: string): boolean {
  return name.startsWith('_ZGV');
}

/** A plan of one 8-bit integer leaf (an element `generateTyped` generates as one untyped byte). */
function isByteLeaf(lp: LeafPlan): boolean {
  const l = lp.leaves[0]?.leaf;
  return lp.range === undefined && lp.size === 1 && lp.leaves.length === 1 && l?.k === 'i' && l.bits === 8;
}

/** A view of the first n bytes of a shared scratch buffer (grown as needed). */
function scratch(n: number): Uint8Array {
  if (SCRATCH.length < n) SCRATCH = new Uint8Array(Math.max(n, 2 * SCRATCH.length));
  return SCRATCH.subarray(0, n);
}

const LEAF = new Uint8Array(16);
const LEAF_DV = new DataView(LEAF.buffer);
const HALVES = new Uint32Array(2);

/**
 * A generated value of a scalar leaf, as bytes: the first `size` bytes of a shared scratch buffer (no view
 * is made: this runs for every generated field).
 */
function leafBytes(l: Leaf, size: number, pol: Policy): Uint8Array {
  const out = LEAF;
  const dv = LEAF_DV;
  out.fill(0);
  switch (l.k) {
    case 'i':
    case 'l':
    case 'b':
    case 'p': {
      const bits = l.k === 'p' ? 64 : l.bits;
      if (bits <= 32) {
        const v = pol.int32(bits);
        for (let i = 0; i < size && i < 4; i++) out[i] = (v >>> (8 * i)) & 0xff;
      } else if (bits <= 64) {
        pol.int64(bits, HALVES);
        dv.setUint32(0, HALVES[0]!, true);
        dv.setUint32(4, HALVES[1]!, true);
      } else {
        let v = pol.int(bits);
        for (let i = 0; i < size; i++, v >>= 8n) out[i] = Number(v & 0xffn);
      }
      break;
    }
    case 'f':
      dv.setFloat32(0, pol.double(), true);
      break;
    case 'd':
      dv.setFloat64(0, pol.double(), true);
      break;
    case 'x': {
      const bits = f80FromNumber(pol.double());
      dv.setBigUint64(0, BigInt.asUintN(64, bits), true);
      dv.setUint16(8, Number(bits >> 64n) & 0xffff, true);
      break;
    }
  }
  return out;
}
