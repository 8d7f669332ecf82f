/**
 * @fileoverview Stage: gen. The plan of one input: what has been decided about it so far.
 *
 * Consumes: decisions of the generation runtime as it makes them, or a finished `InputRecord`. Produces: a
 * `Plan` the runtime runs. A plan is a partial input: everything the function read so far (argument
 * values, input bytes and pointers of each object and global, external-call results in call order, stdin
 * bytes). Running a plan in generation mode fills in what is missing; in replay mode a missing piece is a
 * divergence. Mutation (src/guide) edits plans; because decisions are kept by position, a mutated plan
 * replays everything the mutation did not touch.
 */
import type { CallRec, InputRecord, PtrTarget, Reloc, ValueRec } from './record.js';
import { unb64 } from './record.js';
import { ByteStore } from './bytestore.js';

/** Input bytes and pointers of one object or global, by offset from its base. */
export interface Holder {
  readonly bytes: ByteStore;
  /** 8-byte pointer slots by offset (null: a null pointer). */
  readonly relocs: Map<number, PtrTarget | null>;
  /** Nesting depth (arguments' objects are 1): deeper pointers are more often null. */
  readonly depth: number;
  /** A dictionary string laid out from offset 0 while generating (not part of the record). */
  template: Uint8Array | undefined;
}

export interface PlanObject extends Holder {
  readonly id: number;
  /** Replaced by a function (the pointer to it was called): not part of the input any more. */
  dead: boolean | undefined;
  /** The function frees (or reallocates) it: natively it must come from malloc. */
  heap: boolean | undefined;
  /** Big slot the object lives in (it grew past its small slot: inputs.ts `promote`). */
  big: number | undefined;
  /** Extent [lo, hi) the record gave (replay only; generation grows objects as they are touched). */
  lo: number | undefined;
  hi: number | undefined;
}

/**
 * A fresh holder or plan object. Every one has every field (absent ones `undefined`), so that the runtime's
 * code sees one hidden class each: objects with different sets of optional fields made V8 deoptimise and
 * recompile the functions that read them again and again (records, layout, mutation: on sqlite3 about a
 * fifth of all compile time went to recompiling them).
 */
function holder(depth: number): Holder {
  return { bytes: new ByteStore(), relocs: new Map(), depth, template: undefined };
}

function planObject(id: number, depth: number): PlanObject {
  return {
    id,
    bytes: new ByteStore(),
    relocs: new Map(),
    depth,
    template: undefined,
    dead: undefined,
    heap: undefined,
    big: undefined,
    lo: undefined,
    hi: undefined,
  };
}

/** A copy of a plan object for a cloned plan: bytes copied on write, pointers copied. */
function copyObject(o: PlanObject): PlanObject {
  return {
    id: o.id,
    bytes: o.bytes.clone(),
    relocs: new Map(o.relocs),
    depth: o.depth,
    template: o.template,
    dead: o.dead,
    heap: o.heap,
    big: o.big,
    lo: o.lo,
    hi: o.hi,
  };
}

function copyHolder(g: Holder): Holder {
  return { bytes: g.bytes.clone(), relocs: new Map(g.relocs), depth: g.depth, template: g.template };
}

/**
 * A record's pointers into a holder (their bytes are pointers, not input bytes). Indexed loops here and in
 * `fromRecord`: `for...of` and destructuring over the records' arrays, whose element kinds vary, made V8
 * deoptimise `fromRecord` over and over.
 */
function setRelocs(h: Holder, relocs: readonly Reloc[]): void {
  for (let i = 0; i < relocs.length; i++) {
    const x = relocs[i]!;
    h.relocs.set(x.at, x.to);
    for (let k = 0; k < 8; k++) h.bytes.delete(x.at + k);
  }
}

export class Plan {
  args: (ValueRec | undefined)[] = [];
  objects: PlanObject[] = [];
  globals = new Map<string, Holder>();
  calls: CallRec[] = [];
  stdin: number[] = [];
  stdinEof = false;
  /**
   * Made from another input (a clone for mutation, or a record) rather than fresh. A fresh plan starts every
   * defined writable global from its initializer; in a derived one, global bytes the plan does not decide
   * (never read, cut by a mutation, or initial values that a run leaves undecided: see faults.ts) may also
   * be generated: mutation explores other initial states.
   */
  derived = false;

  newObject(depth: number): PlanObject {
    const o = planObject(this.objects.length, depth);
    this.objects.push(o);
    return o;
  }

  global(name: string): Holder {
    let g = this.globals.get(name);
    if (g === undefined) this.globals.set(name, (g = holder(1)));
    return g;
  }

  /** A deep copy (mutation works on copies). */
  clone(): Plan {
    const p = new Plan();
    p.args = [...this.args];
    p.objects = this.objects.map(copyObject);
    for (const [k, g] of this.globals) p.globals.set(k, copyHolder(g));
    p.calls = [...this.calls];
    p.stdin = [...this.stdin];
    p.stdinEof = this.stdinEof;
    p.derived = true;
    return p;
  }

  /** Replace every pointer to object `id` at offset 0 by `to` (a function, a standard stream). */
  retarget(id: number, to: PtrTarget): void {
    const hit = (t: PtrTarget | null | undefined): boolean =>
      t != null && 'obj' in t && t.obj === id && t.off === 0;
    this.args = this.args.map((a) => (a?.t === 'ptr' && hit(a) ? { t: 'ptr', ...to } : a));
    const fix = (h: Holder): void => {
      for (const [off, t] of h.relocs) if (hit(t)) h.relocs.set(off, to);
    };
    this.objects.forEach(fix);
    this.globals.forEach(fix);
    this.calls = this.calls.map((c) =>
      c.ret.t === 'ptr' && hit(c.ret) ? { fn: c.fn, ret: { t: 'ptr', ...to } } : c,
    );
    this.objects[id]!.dead = true;
  }

  /** The plan that reproduces a record exactly (replay, or the start of a mutation). */
  static fromRecord(r: InputRecord): Plan {
    const p = new Plan();
    p.args = [...r.args];
    for (const o of r.objects) {
      while (p.objects.length < o.id) p.newObject(1).dead = true;
      const data = unb64(o.data);
      const obj = planObject(o.id, 1);
      if (o.heap === true) obj.heap = true;
      if (o.big !== undefined) obj.big = o.big;
      obj.lo = o.lo;
      obj.hi = o.lo + o.size;
      for (let i = 0; i < o.input.length; i++) {
        const range = o.input[i]!;
        const a = range[0];
        const b = range[1];
        if (a >= o.lo && b <= o.lo + data.length) obj.bytes.setRange(a, data.subarray(a - o.lo, b - o.lo));
        else for (let off = a; off < b; off++) obj.bytes.set(off, data[off - o.lo] ?? 0);
      }
      setRelocs(obj, o.relocs);
      p.objects.push(obj);
    }
    for (let i = 0; i < r.globals.length; i++) {
      const g = r.globals[i]!;
      const h = p.global(g.name);
      for (let j = 0; j < g.ranges.length; j++) {
        const rg = g.ranges[j]!;
        h.bytes.setRange(rg.off, unb64(rg.data));
      }
      setRelocs(h, g.relocs);
    }
    p.calls = [...r.calls];
    p.stdin = [...unb64(r.streams.stdin)];
    p.stdinEof = true;
    p.derived = true;
    return p;
  }
}
