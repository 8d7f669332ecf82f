/**
 * @fileoverview Stage: gen. Builds the `InputRecord` of a finished run: the input (arguments, objects at
 * their touched extents, globals, external-call results, stdin) and the outcome with the memory of input
 * objects and globals afterwards, pointers as symbolic relocations.
 *
 * Consumes: the current run's `Inputs` (plan, extents, freed objects), the engine's memory after the run,
 * the module's writable globals (faults.ts) and the engine's result. Produces: the `InputRecord` (format
 * in record.ts and docs/input-format.md).
 */
import type { Engine } from '../engine/engine.js';
import type { Func } from '../ir/model.js';
import type { WritableGlobal } from './faults.js';
import type { Inputs } from './inputs.js';
import type { Holder } from './plan.js';
import {
  RECORD_FORMAT,
  RECORD_VERSION,
  b64,
  mergeRanges,
  type InputRecord,
  type ObjectRec,
  type Reloc,
} from './record.js';
import { fromExt } from './values.js';

/** The engine's result of a run. */
export type RunResult = ReturnType<Engine['callFunction']>;

/** Where the record says it comes from. */
export interface RecordMeta {
  /** Path of the module as the user gave it, and the sha256 of its text. */
  readonly modulePath: string;
  readonly moduleHash: string;
  readonly seed: string;
  readonly index: number;
  /** The run's step budget when it was lower than the session's and the run ran out of it. */
  readonly stepLimit?: number;
}

/** Memory of an object or global after the run. */
interface Snapshot {
  readonly data: string;
  readonly relocs: Reloc[];
}

/** Turns finished runs into records. */
export class Recorder {
  constructor(
    private readonly inp: Inputs,
    private readonly writableByName: ReadonlyMap<string, WritableGlobal>,
  ) {}

  /** The record of the run of `f` that ended with `r`, having made `calls` external calls. */
  build(f: Func, r: RunResult, meta: RecordMeta, blocks: number[], calls: number): InputRecord {
    const plan = this.inp.plan;
    const { objects, memObjects } = this.objects();
    const globals = this.globals();
    const memGlobals = globals.map((g) => {
      const w = this.writableByName.get(g.name)!;
      return { name: g.name, ...this.snapshot(w.address, w.size, 0, plan.global(g.name)) };
    });
    const ok = r.outcome === 'returned';
    const record: InputRecord = {
      format: RECORD_FORMAT,
      version: RECORD_VERSION,
      module: meta.modulePath,
      moduleHash: meta.moduleHash,
      function: f.name,
      seed: meta.seed,
      index: meta.index,
      args: plan.args.map((a) => a ?? { t: 'void' }),
      objects,
      globals,
      calls: plan.calls.slice(0, calls),
      streams: { stdin: b64(Uint8Array.from(plan.stdin)), files: [] },
      outcome: {
        kind: r.outcome,
        ...(r.message !== undefined ? { message: r.message } : {}),
        ...(r.outcome === 'exit' ? { exitCode: r.exitCode } : {}),
        ...(ok ? { ret: fromExt(this.inp, r.returnValue, f.funcType.ret) } : {}),
        stdout: b64(r.stdout),
        stderr: b64(r.stderr),
        memory: { objects: memObjects, globals: memGlobals },
        blocks,
        steps: r.steps,
      },
      ...(meta.stepLimit !== undefined ? { stepLimit: meta.stepLimit } : {}),
    };
    return record;
  }

  /** The live objects at their touched extents, and their memory after the run. */
  private objects(): { objects: ObjectRec[]; memObjects: ({ id: number } & Snapshot)[] } {
    const inp = this.inp;
    const objects: ObjectRec[] = [];
    const memObjects: ({ id: number } & Snapshot)[] = [];
    for (const o of inp.plan.objects) {
      if (o.dead === true) continue;
      let lo = inp.extLo[o.id] ?? 0;
      let hi = inp.extHi[o.id] ?? 0;
      if (hi <= lo) {
        lo = 0;
        hi = 0;
      }
      // A heap object starts at its base (natively it comes from malloc).
      const heap = o.heap === true && lo >= 0;
      if (heap) lo = 0;
      const data = new Uint8Array(hi - lo);
      o.bytes.copyInto(data, lo);
      // Loops, not `map` with destructuring: V8 deoptimised this function at those over and over.
      const ranges = o.bytes.ranges();
      const input: [number, number][] = [];
      for (let i = 0; i < ranges.length; i++) input.push([ranges[i]![0], ranges[i]![1]]);
      const relocs: Reloc[] = [];
      for (const e of o.relocs) relocs.push({ at: e[0], to: e[1] });
      relocs.sort((a, b) => a.at - b.at);
      for (let i = 0; i < relocs.length; i++) input.push([relocs[i]!.at, relocs[i]!.at + 8]);
      objects.push({
        id: o.id,
        lo,
        size: hi - lo,
        baseMod: 0,
        data: b64(data),
        input: mergeRanges(input),
        relocs,
        ...(heap ? { heap: true } : {}),
        ...(o.big !== undefined ? { big: o.big } : {}),
      });
      // A freed object has no memory afterwards.
      if (!inp.freed.has(o.id))
        memObjects.push({ id: o.id, ...this.snapshot(inp.base(o.id) + lo, hi - lo, lo, o) });
    }
    return { objects, memObjects };
  }

  /** The input bytes and pointers of globals, by name. */
  private globals(): InputRecord['globals'] {
    return [...this.inp.plan.globals]
      .filter(([, h]) => h.bytes.size > 0 || h.relocs.size > 0)
      .map(([name, h]) => {
        const ranges: { off: number; data: string }[] = [];
        for (const [a, b] of h.bytes.ranges())
          ranges.push({
            off: a,
            data: b64(Uint8Array.from({ length: b - a }, (_, k) => h.bytes.get(a + k)!)),
          });
        const relocs = [...h.relocs].sort((a, b) => a[0] - b[0]).map(([at, to]) => ({ at, to }));
        return { name, ranges, relocs };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Bytes of [p, p+n) after the run, pointers as relocations: the slots that held input pointers, and
   * any aligned word that holds an address of the engine's memory (input object, function, global, stack
   * or heap; stack and heap addresses compare as "other").
   */
  private snapshot(p: number, n: number, lo: number, h: Holder): Snapshot {
    const mem = this.inp.engine.mem;
    const data = mem.u8.slice(p, p + n);
    const relocs: Reloc[] = [];
    const first = Math.ceil(lo / 8) * 8;
    for (let off = first; off + 8 <= lo + n; off += 8) {
      const q = p + (off - lo);
      const v = mem.dv.getUint32(q, true) + mem.dv.getInt32(q + 4, true) * 4294967296;
      const isSlot = h.relocs.has(off);
      const ptrLike =
        (v >= mem.codeBase && v < mem.globalsEnd) ||
        (v >= mem.stackBase && v < mem.heapLimit) ||
        (v >= mem.inputBase && v < mem.size);
      if (!isSlot && !ptrLike) continue;
      if (isSlot && v !== 0 && !(v >= mem.codeBase && v < mem.size)) continue;
      const t = this.inp.resolve(v);
      if (t === undefined) continue;
      relocs.push({ at: off, to: t });
      data.fill(0, off - lo, off - lo + 8);
    }
    return { data: b64(data), relocs };
  }
}
