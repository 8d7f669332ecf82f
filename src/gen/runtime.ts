/**
 * @fileoverview Stage: gen. The generation runtime (and the engine side of replay): runs one function of a
 * module on a `Plan`, creating inputs lazily as the function reads them, and records the run.
 *
 * Consumes: a parsed `Module` (one engine per module, compiled once in generation mode with block
 * coverage), plans. Produces: `RunRecord`s: the finished `InputRecord` of a run and its coverage.
 *
 * `GenSession` owns the engine and the run and wires the parts, each with one job:
 * - inputs.ts: the current run's plan, mode and policy, and the input objects in the engine's memory;
 * - faults.ts: lazy input memory: faults generate the bytes the faulting instruction reads (typed), array
 *   walks are prefetched, writable globals are inputs, input objects given to free/realloc;
 * - calls.ts: external calls, the environment and OS inputs (by the externals registry's attributes),
 *   stdin, and pointers that turn out to be functions or streams (the run restarts on a rewritten plan);
 * - compare-log.ts: comparison feedback (string/memory comparisons, integer comparison operands);
 * - recorder.ts: the record of a finished run; values.ts: generated values and their conversions.
 * In replay mode the same code runs with nothing generated: the record's objects are laid out whole, and
 * any access outside them, an extra external call or stdin read is `input-divergence`.
 */
import type { AttrList, Func, Module } from '../ir/model.js';
import type { CompileOptions } from '../engine/codegen.js';
import { Engine, taggedArray } from '../engine/engine.js';
import type { ExtValue } from '../engine/externals.js';
import { Trap, type IrLocation, type OutcomeKind } from '../engine/outcome.js';
import type { Rng } from '../util/rng.js';
import { ExternalCalls } from './calls.js';
import { CompareLog, type CmpEntry, type IntCmp } from './compare-log.js';
import { LazyMemory } from './faults.js';
import { GUARD, INPUT_REGION, Inputs, type Mode } from './inputs.js';
import type { Plan } from './plan.js';
import { Policy, buildDictionary, type Dictionary } from './policy.js';
import { INPUT_REGION_BASE, VA_EXTRA, intRec, type InputRecord, type PtrTarget } from './record.js';
import { inRange, paramRange, rangeSize, rangeValue } from '../ir/ranges.js';
import { Recorder } from './recorder.js';
import { stubDeclarations, withStubs } from './stubs.js';
import { genValue, toExt } from './values.js';
import type { Deadline } from '../util/cputime.js';
import { DEFAULTS } from '../util/defaults.js';

export { MAX_OBJECTS } from './inputs.js';
export type { CmpEntry, IntCmp } from './compare-log.js';

const MAX_RESTARTS = 8;

/**
 * Attributes that make a null pointer argument undefined behaviour of the caller (`nonnull`, a C++
 * reference's `dereferenceable`, `byval`, `sret`): such arguments are never generated null, nor mutated to
 * null (src/guide/search.ts).
 */
export function pointsSomewhere(attrs: AttrList): boolean {
  return attrs.attrs.some(
    (a) => a.name === 'nonnull' || a.name === 'dereferenceable' || a.name === 'byval' || a.name === 'sret',
  );
}
/**
 * The longest slice (`&[T]`, `&str`) an argument pair describes: a slice's length must fit its object, and
 * an input object grows as the function reads it only up to a big slot (src/gen/inputs.ts), so a length
 * beyond that is an invalid slice rather than a finding (2^16 elements of up to 8 bytes fit).
 */
const MAX_SLICE_LENGTH = 1n << 16n;

/**
 * Whether parameter `i` is the length of a Rust slice passed as two scalars: rustc names the pair
 * `%x.0` (the pointer) and `%x.1` (the length, an integer of pointer width).
 */
function isSliceLength(f: Func, i: number): boolean {
  const len = f.params[i];
  const data = f.params[i - 1];
  const name = len?.local.name;
  if (data === undefined || name === undefined || !name.endsWith('.1')) return false;
  return (
    data.type.kind === 'ptr' &&
    len!.type.kind === 'int' &&
    len!.type.bits === 64 &&
    data.local.name === name.slice(0, -2) + '.0'
  );
}

/** Reruns of one run with a dereferenced generated null pointed at a new object (see runIf). */
const MAX_NULL_REPAIRS = 24;

export interface RunLimits {
  /** Steps (function entries and loop iterations) per run. */
  readonly stepLimit: number;
  /** Wall-clock safety net per run, in ms (a run that hits it is the time-limit outcome). */
  readonly timeLimitMs: number;
  /** Heap budget per run, bytes. */
  readonly memLimitBytes: number;
  /** Input bytes per run (the extents of its input objects together); more is the memory-limit outcome. */
  readonly inputLimitBytes: number;
}

export const DEFAULT_LIMITS: RunLimits = DEFAULTS.limits;

/** What any run tells: its plan (completed), coverage, outcome and comparison feedback. */
export interface RunFacts {
  readonly plan: Plan;
  /** Block indices of the function that ran (ascending). */
  readonly blocks: readonly number[];
  /** Edge-hit table indices the run touched (ascending; edges of callees included). */
  readonly edges: readonly number[];
  readonly outcome: OutcomeKind;
  /** Where a run that did not end normally stopped (the faulting instruction or external call), if known. */
  readonly location?: IrLocation;
  readonly steps: number;
  /** Comparisons of input memory with other bytes the run made (strcmp and friends). */
  readonly cmps: readonly CmpEntry[];
  /** Operands of integer comparisons the run made (distinct pairs, the first MAX_CMPS). */
  readonly intCmps: readonly IntCmp[];
}

/** A run kept as an input: its facts and its record. */
export interface RunRecord extends RunFacts {
  readonly record: InputRecord;
}

export interface SessionOptions {
  /** Path of the module as the user gave it (recorded in each input). */
  readonly modulePath: string;
  /** sha256 of the module text. */
  readonly moduleHash: string;
  readonly limits?: Partial<RunLimits>;
  /** Compact generated code (the engine's default, true); false inlines checks, for tests. */
  readonly compact?: boolean;
  /** Outlined loops (the engine's `outline` option; default on), for tests. */
  readonly outline?: CompileOptions['outline'];
  /** Record the order of executed blocks, the first this many, in `engine.trace` (export dataset). */
  readonly traceBlocks?: number;
  /** Record executed source locations and `#dbg_value` values, this many events (`engine.trace.ev`). */
  readonly traceLines?: number;
}

/** What identifies a run (recorded in its record), and its own step budget. */
export interface RunMeta {
  readonly seed: string;
  readonly index: number;
  /**
   * A step budget lower than the session's `limits.stepLimit` (the search's calibration, guide/search.ts
   * `RunBudget`; a record's own `stepLimit` in replay); undefined: the session's.
   */
  readonly stepLimit?: number | undefined;
}

/** One module compiled for generation and replay; runs any of its functions on plans. */
export class GenSession {
  readonly engine: Engine;
  readonly limits: RunLimits;
  private readonly inputs: Inputs;
  private readonly lazy: LazyMemory;
  private readonly calls: ExternalCalls;
  private readonly cmpLog: CompareLog;
  private readonly recorder: Recorder;
  private readonly dicts = new Map<string, Dictionary>();
  /**
   * A deadline for every run from now on, besides `limits.timeLimitMs`: a run still going when it passes
   * ends with `time-limit`. The guide's per-function guard sets it around a function's search and replays
   * (src/guide/search.ts `searchAndReplay`); undefined when unguarded.
   */
  deadline: Deadline | undefined = undefined;

  constructor(
    readonly m: Module,
    readonly opts: SessionOptions,
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    // The engine links the module's externals with handlers of `calls`, which therefore comes first and
    // gets the run's state once the engine (whose memory holds it) is built.
    const calls = (this.calls = new ExternalCalls(m));
    // The engine runs the module with its indirect calls' stubs declared (stubs.ts), linked as stubs.
    const engine = (this.engine = new Engine(withStubs(m, stubDeclarations(m)), {
      mode: 'gen',
      coverage: true,
      inputSize: INPUT_REGION,
      compact: opts.compact,
      outline: opts.outline,
      traceBlocks: opts.traceBlocks,
      traceLines: opts.traceLines,
      stubExternal: (name, type) => calls.stub(name, type),
      wrapExternal: (name, model, type) => calls.wrap(name, model, type),
    }));
    if (engine.mem.inputBase !== INPUT_REGION_BASE)
      throw new Error(`input region at 0x${engine.mem.inputBase.toString(16)}, not at INPUT_REGION_BASE`);
    const inputs = (this.inputs = new Inputs(engine, this.limits.inputLimitBytes));
    const cmpLog = (this.cmpLog = new CompareLog(inputs));
    calls.attach(inputs, cmpLog);
    const lazy = (this.lazy = new LazyMemory(inputs));
    this.recorder = new Recorder(inputs, lazy.writableByName);
    engine.mem.onInputFault = (p, n, w) => lazy.fault(p, n, w);
    engine.mem.onInputFree = (p) => lazy.freeInput(p);
    engine.mem.inputBlockSize = (p) => lazy.inputBlockSize(p);
    engine.onBadCall = (p) => calls.badCall(p);
    engine.onBadValue = (p, n, v) => lazy.badValue(p, n, v);
    engine.rt.unknownStream = (a, fn) => calls.badStream(a, fn);
  }

  /** The symbolic target of an address after a run (export dataset's line traces), if it has one. */
  pointerTarget(addr: number): PtrTarget | null | undefined {
    return this.inputs.resolve(addr);
  }

  /** The plan of the current (or last) run. */
  get plan(): Plan {
    return this.inputs.plan;
  }
  get mode(): Mode {
    return this.inputs.mode;
  }
  get policy(): Policy {
    return this.inputs.policy;
  }
  /** Faults on input objects handled so far (a diagnostic: array walks should cost few). */
  get faults(): number {
    return this.lazy.faults;
  }

  /** Names of the module's defined functions, in module order. */
  functions(): string[] {
    return this.m.globals
      .filter((g): g is Func => g.kind === 'function' && g.blocks.length > 0)
      .map((f) => f.name);
  }

  func(name: string): Func {
    const f = this.m.symbols.get(name);
    if (f === undefined || f.kind !== 'function' || f.blocks.length === 0)
      throw new Error(`no defined function @${name}`);
    return f;
  }

  dictionary(name: string): Dictionary {
    let d = this.dicts.get(name);
    if (d === undefined) this.dicts.set(name, (d = buildDictionary(this.m, this.func(name))));
    return d;
  }

  /**
   * Run `fn` on `plan` (which the run completes in generation mode), drawing new values from `rng`.
   * Returns the finished record.
   */
  run(fn: string, plan: Plan, mode: Mode, rng: Rng, meta: RunMeta): RunRecord {
    return this.runIf(fn, plan, mode, rng, meta, () => true) as RunRecord;
  }

  /**
   * `run`, building the record (the costly part: bytes, memory afterwards) only when `keep` says so after
   * seeing the covered blocks; otherwise returns the run's facts without a record. With `repairNulls`, a
   * run that dereferences a null pointer it generated itself is run again with that pointer pointing at a
   * new object (up to MAX_NULL_REPAIRS times).
   */
  runIf(
    fn: string,
    plan: Plan,
    mode: Mode,
    rng: Rng,
    meta: RunMeta,
    keep: (blocks: readonly number[], outcome: OutcomeKind, edges: readonly number[]) => boolean,
    repairNulls = true,
  ): RunRecord | RunFacts {
    const f = this.func(fn);
    const inp = this.inputs;
    inp.mode = mode;
    inp.plan = plan;
    inp.policy = new Policy(rng, this.dictionary(fn));
    this.engine.cmp.on = mode === 'gen' ? 1 : 0;
    let steps = 0;
    let repairs = 0;
    // Nulls generated by the earlier attempts of this run and not repaired, oldest first.
    let nulls: (() => void)[] = [];
    for (let attempt = 0; ; attempt++) {
      inp.restart = false;
      const limits = this.runLimits(meta.stepLimit);
      const r = this.engine.callFunction(fn, () => this.setUp(f), limits);
      steps += r.steps;
      nulls = [...nulls, ...inp.freshNulls];
      // A run a time limit stopped is not run again: the deadline has passed.
      if (inp.restart && attempt < MAX_RESTARTS && r.outcome !== 'time-limit') continue;
      // A null pointer this run generated was dereferenced: the function needs it to point somewhere (a
      // precondition, not a finding). Point the latest one not repaired yet at a new object and run again
      // (the one dereferenced may be older: a null function pointer loaded before a null argument of the
      // call). Nulls that come from the plan (a mutation chose them) stay: those runs explore what null does.
      if (
        repairNulls &&
        r.outcome === 'null-deref' &&
        inp.mode === 'gen' &&
        nulls.length > 0 &&
        repairs < MAX_NULL_REPAIRS
      ) {
        repairs++;
        attempt--;
        nulls.pop()!();
        continue;
      }
      const blocks = this.coveredBlocks(f);
      const edges = this.coveredEdges();
      const facts = {
        plan,
        blocks,
        edges,
        outcome: r.outcome,
        ...(r.location === undefined ? {} : { location: r.location }),
        steps,
        cmps: this.cmpLog.cmps,
        intCmps: this.cmpLog.intCmps,
      };
      if (!keep(blocks, r.outcome, edges)) return facts;
      const lowered = r.outcome === 'step-limit' ? this.lowered(meta.stepLimit) : undefined;
      const where = {
        modulePath: this.opts.modulePath,
        moduleHash: this.opts.moduleHash,
        seed: meta.seed,
        index: meta.index,
        ...(lowered !== undefined ? { stepLimit: lowered } : {}),
      };
      return { ...facts, record: this.recorder.build(f, r, where, blocks, this.calls.callIdx) };
    }
  }

  /** A run's own step budget when it is below the session's, else undefined. */
  private lowered(stepLimit: number | undefined): number | undefined {
    return stepLimit !== undefined && stepLimit < this.limits.stepLimit ? stepLimit : undefined;
  }

  /** The limits of a run: the session's, with the deadline and a lowered step budget when there are. */
  private runLimits(stepLimit: number | undefined): RunLimits & { readonly deadline?: Deadline } {
    const steps = this.lowered(stepLimit);
    if (this.deadline === undefined && steps === undefined) return this.limits;
    return {
      ...this.limits,
      ...(this.deadline !== undefined ? { deadline: this.deadline } : {}),
      ...(steps !== undefined ? { stepLimit: steps } : {}),
    };
  }

  /** Indices of the edge-hit table the run touched. */
  private coveredEdges(): number[] {
    return Array.from(this.engine.edgeList.subarray(0, this.engine.edgeCount()));
  }

  private coveredBlocks(f: Func): number[] {
    const covBase = this.engine.linked.covBase.get(f) ?? 0;
    const cov = this.engine.cov;
    const blocks: number[] = [];
    for (let i = 0; i < f.blocks.length; i++) if (cov[covBase + i]! > 0) blocks.push(i);
    return blocks;
  }

  /**
   * Done with this module: clear the input region and hand the engine's memory to the next session of
   * this thread (a fresh 1 GiB memory costs a full garbage collection). The session must not run after.
   */
  dispose(): void {
    this.inputs.clear();
    this.engine.dispose();
  }

  /** An engine address as a symbolic target; undefined when it points nowhere. */
  resolve(a: number): PtrTarget | null | undefined {
    return this.inputs.resolve(a);
  }

  // ----------------------------------------------------------------------------------------------
  // Setting up a run

  private setUp(f: Func): ExtValue[] {
    this.inputs.clear();
    this.calls.reset();
    this.cmpLog.reset();
    // Writable globals: inputs in generation mode (first read decides), initial values in replay.
    this.lazy.reset();
    this.inputs.layOutObjects();
    this.lazy.layOutGlobals();
    return this.args(f);
  }

  /** The arguments of a run: the plan's, or generated (a variadic function gets VA_EXTRA more, as i64). */
  private args(f: Func): ExtValue[] {
    const inp = this.inputs;
    const plan = inp.plan;
    // A tagged array (never one of doubles, which keeps a NaN's bits only as V8's tier pleases).
    const fixed = taggedArray() as ExtValue[];
    f.params.forEach((p, i) => {
      let v = plan.args[i];
      if (v === undefined) {
        if (inp.mode === 'replay') throw new Trap('input-divergence', `argument ${i} is not in the record`);
        v = genValue(inp, p.type, 0, pointsSomewhere(p.attrs));
        plan.args[i] = v;
        if (v.t === 'null')
          inp.freshNulls.push(() => (plan.args[i] = { t: 'ptr', obj: plan.newObject(1).id, off: 0 }));
      }
      // An integer the parameter's `range` excludes is no valid argument (rustc: an enum's discriminant,
      // a `char`): generated or mutated, it is moved into the range as a load's bytes are (faults.ts).
      if (v.t === 'int' && inp.mode === 'gen') {
        const r = paramRange(p.attrs.attrs, v.bits);
        const n = Number(v.v);
        if (r !== undefined && !inRange(r, n))
          v = plan.args[i] = intRec(v.bits, BigInt(rangeValue(r, v.bits, n % rangeSize(r, v.bits))));
      }
      // A struct passed by value: generated as that struct now (the callee's copy reads it untyped).
      const byval = p.attrs.attrs.find((a) => a.name === 'byval')?.type;
      if (byval !== undefined && inp.mode === 'gen' && v.t === 'ptr' && 'obj' in v) {
        const o = plan.objects[v.obj];
        const size = this.engine.linked.dl.typeSize(byval);
        if (o !== undefined && o.dead !== true && v.off >= 0 && v.off + size <= inp.half(o.id) - GUARD) {
          inp.extend(o.id, v.off, v.off + size);
          this.lazy.generate(o, inp.base(o.id), v.off, size, byval);
        }
      }
      if (v.t === 'int' && inp.mode === 'gen' && isSliceLength(f, i) && BigInt(v.v) > MAX_SLICE_LENGTH)
        v = plan.args[i] = intRec(v.bits, BigInt(v.v) % (MAX_SLICE_LENGTH + 1n));
      fixed.push(toExt(inp, v, p.type) as ExtValue);
    });
    if (!f.funcType.varargs) return fixed;
    const i64 = this.m.types.int(64);
    for (let k = 0; k < VA_EXTRA; k++) {
      const i = f.params.length + k;
      let v = plan.args[i];
      if (v === undefined) {
        if (inp.mode === 'replay') throw new Trap('input-divergence', `argument ${i} is not in the record`);
        v = plan.args[i] = genValue(inp, i64, 0);
      }
      fixed.push(toExt(inp, v, i64) as ExtValue);
    }
    return fixed;
  }
}
