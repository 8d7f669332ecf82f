/**
 * @fileoverview Stage: gen. The inputs of the current run as the engine sees them: the plan being run, its
 * mode and value policy, and where each input object lives in the engine's input region.
 *
 * Consumes: the engine of a `GenSession` and the plan of each run. Produces: the state every part of the
 * generation runtime shares (faults.ts, calls.ts, compare-log.ts, recorder.ts): input slots and their
 * touched extents, objects the function freed, the undo of generated nulls, and the mapping between
 * symbolic pointer targets (`PtrTarget`) and engine addresses in both directions.
 *
 * Each input object lives in its own slot of the input region, its base in the middle, so it can grow
 * both ways: it may span [-SLOT/2 + GUARD, SLOT/2 - GUARD) around its base.
 */
import type { Engine } from '../engine/engine.js';
import { existingStreamAddress, standardStreamAddress } from '../engine/libc/stdio.js';
import { SH_RW } from '../engine/memory.js';
import { Trap } from '../engine/outcome.js';
import { Rng } from '../util/rng.js';
import { Plan, type Holder } from './plan.js';
import { Policy } from './policy.js';
import { isStubName } from './stubs.js';
import {
  BIG_SLOT,
  BIG_SLOTS,
  INPUT_SLOT,
  INPUT_SLOTS,
  SMALL_SLOTS,
  STD_STREAMS,
  slotBaseOffset,
  slotHalf,
  type PtrTarget,
} from './record.js';

/** Size of an input object's slot. */
export const SLOT = INPUT_SLOT;
/** Bytes at either end of a slot no object may reach. */
export const GUARD = 64;
export const INPUT_REGION = INPUT_SLOTS * SLOT;
/** At most this many input objects per input (the small slots of the input region). */
export const MAX_OBJECTS = SMALL_SLOTS;
/** Only an access of at least this many bytes past an object's slot moves it to a big slot. */
const BULK = 1024;
/** Where the big slots start in the input region. */
const BIG_AREA = SMALL_SLOTS * SLOT;

/** Ends a run whose plan was rewritten (a pointer became a function or stream, an object moved). */
export class Restart extends Trap {
  constructor() {
    super('internal-error', 'restart');
  }
}

/** Generation completes the plan; replay runs it as it is (anything missing is `input-divergence`). */
export type Mode = 'gen' | 'replay';

/** The current run's plan and input objects in the engine's memory. */
export class Inputs {
  plan = new Plan();
  mode: Mode = 'gen';
  policy = new Policy(new Rng(0), { ints: [], bytes: [], strings: [], floats: [] });
  /** Extent [lo, hi) of each object touched in the current run, by id. */
  extLo: number[] = [];
  extHi: number[] = [];
  /** Base address of each object touched in the current run, by id (what `clear` clears is there). */
  private extBase: number[] = [];
  /** Owner (object id) of each big slot in the current plan, -1 when free. */
  private bigOwner: number[] = new Array<number>(BIG_SLOTS).fill(-1);
  /** The run rewrote its plan (`restartRun`) and must start again. */
  restart = false;
  /** Input objects the function freed in the current run. */
  readonly freed = new Set<number>();
  /** Undo of each null pointer generated in the current run (pointing it at a new object), in order. */
  freshNulls: (() => void)[] = [];
  /** Bytes of the current run's object extents together (what `clear` will zero), at most `limitBytes`. */
  private touched = 0;

  /** `limitBytes`: the input budget of a run (`RunLimits.inputLimitBytes`). */
  constructor(
    readonly engine: Engine,
    readonly limitBytes = Infinity,
  ) {}

  /** Address of input object `id`'s base. */
  base(id: number): number {
    return this.engine.mem.inputBase + slotBaseOffset(id, this.plan.objects[id]?.big);
  }

  /** How far object `id` may reach from its base either way (half its slot). */
  half(id: number): number {
    return slotHalf(this.plan.objects[id]?.big);
  }

  /**
   * Id of the object whose slot holds address p (p in the input region): the id of a small slot (whether
   * or not the plan has that object yet), the owner of a big slot; -1 for a free big slot or a small slot
   * whose object moved to a big one.
   */
  slotOf(p: number): number {
    const off = p - this.engine.mem.inputBase;
    if (off >= BIG_AREA) return this.bigOwner[Math.floor((off - BIG_AREA) / BIG_SLOT)] ?? -1;
    const id = Math.floor(off / SLOT);
    return this.plan.objects[id]?.big === undefined ? id : -1;
  }

  /**
   * The object an access at p with no object of its own belongs to, if any (generation): the nearest live
   * object in a small slot below p. A struct bigger than a slot, accessed at a constant offset, reaches
   * past its neighbours' slots; natively it is one object.
   */
  ownerBelow(p: number): number {
    const off = p - this.engine.mem.inputBase;
    if (off >= BIG_AREA) return -1;
    for (let id = Math.min(Math.floor(off / SLOT), this.plan.objects.length) - 1; id >= 0; id--) {
      const o = this.plan.objects[id]!;
      if (o.dead !== true && o.big === undefined && !this.freed.has(id)) return id;
    }
    return -1;
  }

  /**
   * Object `id` (generation) needs [off, off + n) from its base, beyond its small slot: move it to a free
   * big slot, for the run to start again (the plan places it there from now on). False when it is big
   * already, the range does not fit a big slot either, none is free, or the access is not a bulk one.
   */
  promote(id: number, off: number, n: number): boolean {
    const o = this.plan.objects[id];
    const bigHalf = BIG_SLOT / 2;
    if (o === undefined || o.big !== undefined || off < -bigHalf + GUARD || off + n > bigHalf - GUARD)
      return false;
    // Only for a bulk access (memset of a table, memcpy of a buffer, a libc model's): evidence that the
    // object is that big. A lone access far away is mostly a wild index (table[generated value]), and a
    // walk past the slot mostly a loop bound that is a generated count: both stay out of bounds, as
    // before; moving their object lets such runs go 16 times further into garbage before they end.
    if (n < BULK) return false;
    // `bigOwner` is the plan's at the start of the run, and a promotion ends the run at once.
    const k = this.bigOwner.indexOf(-1);
    if (k < 0) return false;
    o.big = k;
    return true;
  }

  /** The plan was rewritten so that it holds from the start: end the run, to be run again (`Restart`). */
  restartRun(): never {
    this.restart = true;
    throw new Restart();
  }

  /**
   * Reset the per-run state and clear what the last run touched of the input region: its objects'
   * extents, never whole slots, so a run costs what it touched.
   */
  clear(): void {
    const mem = this.engine.mem;
    for (let id = 0; id < this.extLo.length; id++) {
      const lo = this.extLo[id]!;
      const hi = this.extHi[id]!;
      const b = this.extBase[id]!;
      if (hi > lo) {
        mem.shadow.fill(0, b + lo, b + hi);
        mem.u8.fill(0, b + lo, b + hi);
      }
    }
    this.extLo = [];
    this.extHi = [];
    this.extBase = [];
    this.touched = 0;
    this.bigOwner.fill(-1);
    this.plan.objects.forEach((o) => {
      if (o.big !== undefined) this.bigOwner[o.big] = o.id;
    });
    this.freed.clear();
    this.freshNulls = [];
  }

  /** Lay out the plan's live objects in their slots (whole recorded extents in replay). */
  layOutObjects(): void {
    const mem = this.engine.mem;
    this.plan.objects.forEach((o) => {
      if (o.dead === true) return;
      this.extLo[o.id] = 0;
      this.extHi[o.id] = 0;
      const b = this.base(o.id);
      this.extBase[o.id] = b;
      if (this.mode === 'replay' && o.lo !== undefined && o.hi !== undefined) {
        mem.shadow.fill(SH_RW, b + o.lo, b + o.hi);
        this.extend(o.id, o.lo, o.hi);
      }
      this.layOut(o, b, (lo, hi) => this.extend(o.id, lo, hi));
    });
  }

  /** Write a holder's input bytes and pointers at base; report each extent. */
  layOut(h: Holder, base: number, extent?: (lo: number, hi: number) => void): void {
    const mem = this.engine.mem;
    for (const [a, b] of h.bytes.ranges()) {
      h.bytes.copyTo(mem.u8, base, a, b);
      mem.shadow.fill(SH_RW, base + a, base + b);
      extent?.(a, b);
    }
    for (const [off, t] of h.relocs) {
      this.writePtr(base + off, this.addrOf(t));
      mem.shadow.fill(SH_RW, base + off, base + off + 8);
      extent?.(off, off + 8);
    }
  }

  /**
   * Object `id` was touched at [lo, hi) (lo < hi). In generation mode an extent that would take the run
   * past its input budget is the `memory-limit` outcome instead (nothing is extended); replay lays out
   * whole recorded extents unchecked and asks `overBudget` where it faults.
   */
  extend(id: number, lo: number, hi: number): void {
    const l0 = this.extLo[id];
    const h0 = this.extHi[id];
    const empty = h0 === undefined || h0 <= l0!;
    const grow = this.growth(id, lo, hi);
    if (grow > 0 && this.touched + grow > this.limitBytes && this.mode === 'gen')
      throw this.budgetTrap(id, lo, hi);
    this.touched += grow;
    this.extLo[id] = empty ? lo : Math.min(l0!, lo);
    this.extHi[id] = empty ? hi : Math.max(h0, hi);
  }

  /** Bytes object `id`'s extent grows by when [lo, hi) is added to it. */
  private growth(id: number, lo: number, hi: number): number {
    const l0 = this.extLo[id];
    const h0 = this.extHi[id];
    return h0 === undefined || h0 <= l0! ? hi - lo : Math.max(h0, hi) - Math.min(l0!, lo) - (h0 - l0!);
  }

  /** Bytes the run's object extents may still grow by. */
  bytesLeft(): number {
    return this.limitBytes - this.touched;
  }

  /** Extending object `id` by [lo, hi) would take the run past its input budget. */
  overBudget(id: number, lo: number, hi: number): boolean {
    return this.touched + this.growth(id, lo, hi) > this.limitBytes;
  }

  /** The outcome of an access that would take the run past its input budget (the same in replay). */
  budgetTrap(id: number, lo: number, hi: number): Trap {
    return new Trap(
      'memory-limit',
      `input budget of ${this.limitBytes} bytes exhausted by offsets ${lo}..${hi} of input object ${id}`,
    );
  }

  writePtr(p: number, v: number): void {
    const dv = this.engine.mem.dv;
    dv.setInt32(p, v | 0, true);
    dv.setInt32(p + 4, Math.floor(v / 4294967296) | 0, true);
  }

  /** The engine address of a symbolic pointer target. */
  addrOf(t: PtrTarget | null): number {
    if (t === null) return 0;
    if ('obj' in t) return this.base(t.obj) + t.off;
    if ('fn' in t) return this.engine.symbolAddress(t.fn) ?? 0;
    if ('global' in t) return (this.engine.symbolAddress(t.global) ?? 0) + t.off;
    if ('stream' in t) return standardStreamAddress(this.engine.rt, STD_STREAMS.indexOf(t.stream));
    throw new Trap('input-divergence', `a pointer to ${t.other} memory cannot be an input`);
  }

  /** An engine address as a symbolic target; undefined when it points nowhere. */
  resolve(a: number): PtrTarget | null | undefined {
    const mem = this.engine.mem;
    if (a === 0) return null;
    if (a >= mem.inputBase && a < mem.size) {
      const id = this.slotOf(a);
      const o = this.plan.objects[id];
      if (o === undefined || o.dead === true) return undefined;
      return { obj: id, off: a - this.base(id) };
    }
    if (a >= mem.codeBase && a < mem.codeEnd) {
      const f = this.engine.slotAt(a)?.func;
      if (f === undefined) return undefined;
      // A library function (malloc in a table of hooks): natively it lives outside the module. A generated
      // stub is a function of the input (stubs.ts).
      return f.blocks.length > 0 || isStubName(f.name)
        ? { fn: f.name }
        : { other: 'library function', off: 0 };
    }
    for (let fd = 0; fd < 3; fd++)
      if (a === existingStreamAddress(this.engine.rt, fd)) return { stream: STD_STREAMS[fd]! };
    if (a >= mem.globalsBase && a < mem.globalsEnd) {
      for (const g of this.engine.linked.globals)
        if (a >= g.address && a <= g.address + g.size) return { global: g.g.name, off: a - g.address };
      return undefined;
    }
    if (a >= mem.heapBase && a < mem.heapLimit) return { other: 'heap', off: 0 };
    if (a >= mem.stackBase && a < mem.stackTop) return { other: 'stack', off: 0 };
    return undefined;
  }

  /**
   * A pointer stored at nesting `depth`: null, a new object one level deeper, or an alias of an existing
   * object at least that deep. Aliases never point to a shallower object (an ancestor), so generated
   * structures are DAGs: lists and trees end instead of cycling until a budget runs out.
   */
  genPointer(depth: number, nonNull = false): PtrTarget | null {
    const plan = this.plan;
    const n = plan.objects.length;
    let d = this.policy.pointer(depth, n > 0);
    if (nonNull && d === 'null') d = 'new';
    if (d === 'new' && n >= MAX_OBJECTS) d = nonNull ? 'alias' : 'null';
    if (d === 'null') return null;
    if (d === 'alias') {
      // A few tries at a random live object deep enough; otherwise a new one.
      for (let k = 0; k < 4 && n > 0; k++) {
        const o = plan.objects[this.policy.rng.below(n)]!;
        if (o.dead !== true && o.depth > depth) return { obj: o.id, off: 0 };
      }
      if (n >= MAX_OBJECTS) return null;
    }
    const o = plan.newObject(depth + 1);
    this.extLo[o.id] = 0;
    this.extHi[o.id] = 0;
    this.extBase[o.id] = this.base(o.id);
    return { obj: o.id, off: 0 };
  }
}
