/**
 * @fileoverview Stage: engine. An engine instance: one module linked into one address space, with its runtime.
 *
 * Consumes: a parsed `Module` and options. Produces: `Engine`, which runs the module's functions
 * (`runMain`, `callFunction`) any number of times, resetting memory, streams and model state between runs,
 * and reports each run as a `RunResult` with one outcome from outcome.ts. The generated code is compiled
 * once per engine.
 */
import { constants as osConstants } from 'node:os';
import { debugLocation } from '../ir/debuginfo.js';
import type { Func, Instr, Module } from '../ir/model.js';
import './core-externals.js';
import './libc/index.js';
import {
  ExitSignal,
  InputStream,
  OutputStream,
  Trap,
  VaList,
  type ExtValue,
  scalarFormOf,
  type Runtime,
} from './externals.js';
import { CxxThrow } from './eh.js';
import { LongJump, makeHelpers } from './helpers.js';
import { H } from './i64.js';
import { link, type LinkOptions, type Linked } from './link.js';
import { EDGE_MASK } from './codegen.js';
import { Memory, SCRATCH, hex, type MemoryOptions } from './memory.js';
import { outcomeSignals, Trap as TrapClass, type IrLocation, type OutcomeKind } from './outcome.js';
import { slotCount, type Leaf } from './values.js';
import type { Deadline } from '../util/cputime.js';

export interface EngineOptions extends LinkOptions, MemoryOptions {
  /**
   * Generation and replay modes: budget of the host call stack, in estimated bytes of JS frames; running
   * out is a deterministic stack-overflow outcome (V8's own limit depends on JIT tiers). Default 500 KB,
   * safe on Node's default stack; worker threads with a larger stack can allow more.
   */
  readonly callStackBytes?: number;
}

export interface RunOptions {
  /** argv[1..] (argv[0] is the module name). */
  readonly args?: readonly string[];
  readonly argv0?: string;
  readonly stdin?: Uint8Array;
  readonly env?: Readonly<Record<string, string>>;
  /** Entry function (default main). */
  readonly entry?: string;
  /** Maximum steps (function entries + loop iterations); default 2^40 (practically unlimited). */
  readonly stepLimit?: number;
  /** Wall-clock budget in milliseconds (default none). */
  readonly timeLimitMs?: number;
  /**
   * A deadline the caller sets for more than this run, e.g. the guard of a function's whole search (in
   * the thread's CPU time, util/cputime.ts): the run stops with `time-limit` when it has passed or at
   * `timeLimitMs`, whichever comes first. Checked where the step budget is (every `CHUNK` steps, compiled
   * or charged by models).
   */
  readonly deadline?: Deadline;
  /** Heap budget in bytes (default: the heap region). */
  readonly memLimitBytes?: number;
}

export interface RunResult {
  readonly outcome: OutcomeKind;
  /** exit()'s or main's status (& 255) for normal outcomes; the native-like 128+signal otherwise. */
  readonly exitCode: number;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** The entry function's return value (boxed like external arguments), when it returned. */
  readonly returnValue?: ExtValue | ExtValue[];
  readonly steps: number;
  /** One-line description of a non-normal outcome. */
  readonly message?: string;
  readonly location?: IrLocation;
  /** For unsupported-external: the function's name. */
  readonly subject?: string;
}

/**
 * Steps between two calls of `budget` from compiled code (`STEP()` at a function entry or loop header).
 * Small on purpose: V8's optimising compiler turns a call site that never ran into a deoptimisation, so a
 * loop whose step check had not yet called out when it was compiled deoptimised (and was recompiled, tens
 * of milliseconds for a big function) the first time it did. Every 2^10 steps, a hot loop's check has
 * called out before V8 optimises it (bench/engine float: 540 -> 400 ms); the call costs under 1%.
 */
const CHUNK = 1 << 10;

interface Controls {
  FT: ((...a: unknown[]) => unknown)[];
  getC(): number;
  setC(v: number): void;
  getCS(): number;
  setCS(v: number): void;
  setD(v: number): void;
  getEN(): number;
  setEN(v: number): void;
}

class RuntimeImpl implements Runtime {
  stdout = new OutputStream();
  stderr = new OutputStream();
  stdin = new InputStream();
  args: string[] = [];
  env = new Map<string, string>();
  exitHooks: (() => void)[] = [];
  states = new Map<string, unknown>();
  unknownStream: ((addr: number, fn: string) => void) | undefined = undefined;
  constructor(private readonly engine: Engine) {}
  get mem(): Memory {
    return this.engine.mem;
  }
  call(fnPtr: number, args: readonly ExtValue[]): ExtValue | undefined {
    const outer = this.engine.inExternal;
    const site = this.engine.currentSite();
    this.engine.inExternal = undefined;
    try {
      const r = this.engine.callAddress(fnPtr, args);
      // Back in the model: what it traps on next is at its own call's site, not the callback's last.
      this.engine.restoreSite(site);
      return Array.isArray(r) ? r[0] : r;
    } finally {
      this.engine.inExternal = outer;
    }
  }
  intCallback(fnPtr: number, pointers: 2 | 3): ((a: number, b: number, c?: number) => number) | undefined {
    return this.engine.intCallback(fnPtr, pointers);
  }
  functionName(fnPtr: number): string | undefined {
    return this.engine.slotAt(fnPtr)?.func.name;
  }
  symbolAddress(name: string): number | undefined {
    return this.engine.symbolAddress(name);
  }
  exit(code: number): never {
    this.runExitHooks();
    throw new ExitSignal(code);
  }
  trap(kind: OutcomeKind, message: string): never {
    throw new Trap(kind, message);
  }
  onExit(hook: () => void): void {
    this.exitHooks.push(hook);
  }
  runExitHooks(): void {
    while (this.exitHooks.length > 0) this.exitHooks.pop()!();
  }
  state<T>(key: string, init: () => T): T {
    let s = this.states.get(key) as T | undefined;
    if (s === undefined) {
      s = init();
      this.states.set(key, s);
    }
    return s;
  }
  peekState<T>(key: string): T | undefined {
    return this.states.get(key) as T | undefined;
  }
  steps(): number {
    return this.engine.steps();
  }
  charge(units: number): void {
    this.engine.charge(units);
  }
}

export class Engine {
  readonly mem: Memory;
  readonly linked: Linked;
  readonly rt: RuntimeImpl;
  private readonly ctl: Controls;
  private consumed = 0;
  private chunk = 0;
  private stepLimit = 2 ** 40;
  /** When to look at the time limits next (a `Date.now()` value): the earlier of the two below. */
  private deadline = Infinity;
  /** The run's own time limit (`RunOptions.timeLimitMs`), and the caller's deadline. */
  private ownDeadline = Infinity;
  private callersDeadline: Deadline | undefined = undefined;
  private readonly bySlotAddr = new Map<number, number>();
  /** Further result slots of multi-slot returns (RS[1..]), shared with the generated code. */
  private readonly RS: unknown[] = [0, 0, 0, 0, 0, 0, 0, 0];
  /** Block execution counters when compiled with coverage. */
  readonly cov: Uint32Array;
  /**
   * With `traceBlocks`: the coverage ids of the blocks the run executed, in order (the first `ids.length`,
   * `n` of them so far), and how many more ran after the buffer was full (`cut`). Cleared by `reset`.
   */
  readonly trace: {
    ids: Int32Array;
    n: number;
    cut: number;
    /** With `traceLines`: events as pairs, `-1, dbg` (a location) or `variable, value`; `en` of them. */
    ev: unknown[];
    en: number;
    emax: number;
    ecut: number;
  };
  /** Edge hits when compiled with coverage: (previous block, block) hashed into a table. */
  readonly ecov = new Uint32Array(EDGE_MASK + 1);
  /** The table entries hit in this run, in order of first hit (`edgeCount` of them). */
  readonly edgeList = new Int32Array(EDGE_MASK + 1);

  /** Number of distinct edge-table entries hit in this run. */
  edgeCount(): number {
    return this.ctl.getEN();
  }

  private clearEdges(): void {
    const n = this.ctl.getEN();
    for (let k = 0; k < n; k++) this.ecov[this.edgeList[k]!] = 0;
    this.ctl.setEN(0);
  }
  /**
   * Hook of the generation runtime: a call through p, which is not a function address. Return the code
   * slot to call instead, or undefined (or throw) to end the run with the invalid-pointer outcome.
   */
  onBadCall: ((p: number) => number | undefined) | undefined = undefined;
  /**
   * Hook of the generation runtime: a load that promises its range (`!range`, `!noundef`: a C++ `bool`)
   * read `v` outside it from [p, p+n). It may repair the input and restart the run (by throwing);
   * returning ends the run with the invalid-value outcome.
   */
  onBadValue: ((p: number, n: number, v: number) => void) | undefined = undefined;
  /**
   * Comparison logging of generation mode: when `on` is 1, every integer comparison of the code calls
   * `log(a, b, bits)` (or `log64(alo, ahi, blo, bhi)`) with its operands.
   */
  readonly cmp: {
    on: number;
    log: (a: number, b: number, bits: number) => void;
    log64: (al: number, ah: number, bl: number, bh: number) => void;
  } = { on: 0, log: () => undefined, log64: () => undefined };
  /** Name of the external function (model or stub) running now, for the generation runtime's typing. */
  inExternal: string | undefined = undefined;
  private readonly siteInstrs = new Map<number, Instr | null>();
  /** The ranges of globals `reset` restores: the mutable ones, less those a runtime owns (`ownGlobals`). */
  private restored: readonly (readonly [number, number])[];

  constructor(
    readonly m: Module,
    readonly opts: EngineOptions = {},
  ) {
    this.mem = new Memory(opts);
    this.linked = link(m, this.mem, opts);
    this.rt = new RuntimeImpl(this);
    this.mem.meter = (units) => this.charge(units);
    this.restored = this.linked.mutableRanges;
    this.cov = new Uint32Array(Math.max(this.linked.covCount, 1));
    this.trace = {
      ids: new Int32Array(opts.traceBlocks ?? 0),
      n: 0,
      cut: 0,
      ev: [],
      en: 0,
      emax: opts.traceLines ?? 0,
      ecut: 0,
    };
    this.linked.slots.forEach((s) => this.bySlotAddr.set(s.address, s.index));
    const RT = {
      mem: this.mem,
      H,
      RS: this.RS,
      SCR: SCRATCH,
      cov: this.cov,
      trace: this.trace,
      cmp: this.cmp,
      ecov: this.ecov,
      elist: this.edgeList,
      maxDepth: opts.callStackBytes ?? 500_000,
      templates: this.linked.templates,
      eh: this.linked.eh,
      h: makeHelpers(this.mem.dv),
      budget: (c: number) => this.budget(c),
      ext: (k: number, args: ExtValue[], va: number | undefined) => this.ext(k, args, va),
      scalar: (k: number) => this.scalar(k),
      badCall: (p: number) => {
        const k = this.onBadCall?.(p);
        if (k !== undefined) return this.ctl.FT[k];
        throw new Trap(
          p > -65536 && p < 65536 ? 'null-deref' : 'invalid-pointer',
          `call through ${hex(p)}, which is not a function address`,
        );
      },
      badValue: (p: number, n: number, v: number) => {
        this.onBadValue?.(p, n, v);
        throw new Trap('invalid-value', `load of ${v} from ${hex(p)}, outside the values its type allows`);
      },
      vaArg: (ap: number, kind: number) => this.vaArg(ap, kind),
      setjmp: (buf: number, frame: number, state: number) => {
        this.mem.check(buf, 24, true);
        this.mem.dv.setInt32(buf, frame, true);
        this.mem.dv.setInt32(buf + 4, state, true);
        this.mem.dv.setFloat64(buf + 8, this.mem.sp, true);
        this.mem.dv.setInt32(buf + 16, 0x5e7a11, true);
      },
    };
    const factory = new Function('RT', this.linked.source) as (rt: unknown) => Controls;
    this.ctl = factory(RT);
  }

  // ------------------------------------------------------------------------------------------------
  // Runs

  /**
   * Give the memory's buffers back for the next Engine of this thread (see `Memory.dispose`). The engine
   * must not run afterwards.
   */
  dispose(): void {
    this.mem.dispose();
  }

  /**
   * From now on `reset` leaves the globals in `ranges` (sorted, disjoint) alone: the caller restores
   * them itself, only where a run touched them (the generation runtime sees every byte a run touches of
   * the globals it treats as inputs, which start non-addressable). A reset then costs what the run
   * touched, not the size of the module's writable data.
   */
  ownGlobals(ranges: readonly (readonly [number, number])[]): void {
    this.restored = subtractRanges(this.linked.mutableRanges, ranges);
  }

  /**
   * Restore the initial state: globals, heap, stack, streams, model state. The heap and the stack are
   * cleared as far as the run used them (`Memory.resetDynamic`), the globals a runtime owns not at all.
   */
  reset(): void {
    const mem = this.mem;
    mem.resetDynamic();
    const L = this.linked;
    for (const [s, e] of this.restored) {
      mem.u8.set(L.globalsImage.subarray(s - mem.globalsBase, e - mem.globalsBase), s);
      mem.shadow.set(L.globalsShadow.subarray(s - mem.globalsBase, e - mem.globalsBase), s);
    }
    this.rt.stdout.clear();
    this.rt.stderr.clear();
    this.rt.exitHooks = [];
    this.rt.states.clear();
    this.linked.eh.reset();
    this.cov.fill(0);
    this.trace.n = this.trace.cut = this.trace.en = this.trace.ecut = 0;
    this.trace.ev.length = 0;
    this.clearEdges();
    for (const p of this.linked.globals)
      if (p.external?.init !== undefined) p.external.init(this.rt, p.address);
  }

  private begin(o: RunOptions): void {
    // The budget first: the reset's model initialisation may allocate, which charges (cost.ts).
    this.stepLimit = o.stepLimit ?? 2 ** 40;
    this.ownDeadline = o.timeLimitMs !== undefined ? Date.now() + o.timeLimitMs : Infinity;
    this.callersDeadline = o.deadline;
    this.deadline = Math.min(this.ownDeadline, o.deadline?.at ?? Infinity);
    this.consumed = 0;
    this.chunk = Math.min(CHUNK, this.stepLimit);
    this.ctl.setC(this.chunk);
    this.reset();
    this.rt.stdin = new InputStream(o.stdin ?? new Uint8Array(0));
    this.rt.env = new Map(Object.entries(o.env ?? {}));
    this.mem.setHeapBudget(o.memLimitBytes);
    this.ctl.setCS(-1);
    this.ctl.setD(0);
  }

  /** Steps executed in the current run. */
  steps(): number {
    return this.consumed + (this.chunk - this.ctl.getC());
  }

  /**
   * Add `units` steps of work outside compiled code (cost.ts) to the run: the same counter and the same
   * step-limit trap as compiled code's steps, so `steps()` stays exact.
   */
  charge(units: number): void {
    const c = this.ctl.getC() - units;
    this.ctl.setC(c < 0 ? this.budget(c) : c);
  }

  private budget(c: number): number {
    // Everything counted so far is in `consumed` from here on, whether the run goes on or ends here (a
    // trap leaves `steps()` exact, not one chunk more).
    this.consumed += this.chunk - c;
    this.chunk = 0;
    this.ctl.setC(0);
    if (this.consumed >= this.stepLimit)
      throw new Trap('step-limit', `step budget of ${this.stepLimit} exhausted`);
    if (this.deadline !== Infinity && Date.now() > this.deadline) this.checkTime();
    this.chunk = Math.min(CHUNK, this.stepLimit - this.consumed);
    return this.chunk;
  }

  /** The wall clock passed `deadline`: end the run if a time limit has passed, else look again later. */
  private checkTime(): void {
    if (Date.now() > this.ownDeadline)
      throw new Trap('time-limit', `time budget exhausted after ${this.consumed} steps`);
    const d = this.callersDeadline;
    if (d?.passed() === true) throw new Trap('time-limit', `deadline passed after ${this.consumed} steps`);
    this.deadline = Math.min(this.ownDeadline, d?.at ?? Infinity);
  }

  /** Run `main` (or `opts.entry`) like lli: argv from opts.args, then exit hooks. */
  runMain(o: RunOptions = {}): RunResult {
    this.begin(o);
    const name = o.entry ?? 'main';
    const f = this.findFunc(name);
    const argv0 = o.argv0 ?? this.m.sourceFilename ?? 'a.out';
    this.rt.args = [argv0, ...(o.args ?? [])];
    return this.finish(() => {
      const args = this.mainArgs(f, this.rt.args);
      const r = this.invoke(f, args);
      this.rt.runExitHooks();
      return r;
    }, true);
  }

  /**
   * Call any function with boxed arguments (see externals.ts for the boxing). `args` may be a function:
   * it runs after the reset, inside the run (the generation runtime builds memory there), and a trap it
   * throws is the run's outcome.
   */
  callFunction(
    name: string,
    args: readonly ExtValue[] | (() => readonly ExtValue[]),
    o: RunOptions = {},
  ): RunResult {
    this.begin(o);
    const f = this.findFunc(name);
    return this.finish(() => this.invoke(f, typeof args === 'function' ? args() : args), false);
  }

  private findFunc(name: string): Func {
    const g = this.m.symbols.get(name);
    if (g === undefined || g.kind !== 'function' || g.blocks.length === 0)
      throw new TrapClass('unsupported-feature', `no defined function @${name}`);
    return g;
  }

  private finish(body: () => ExtValue | ExtValue[] | undefined, isMain: boolean): RunResult {
    let outcome: OutcomeKind = 'returned';
    let exitCode = 0;
    let returnValue: ExtValue | ExtValue[] | undefined;
    let message: string | undefined;
    let location: IrLocation | undefined;
    let subject: string | undefined;
    try {
      returnValue = body();
      if (isMain) exitCode = typeof returnValue === 'number' ? returnValue & 255 : 0;
    } catch (e0) {
      let e = e0;
      if (e instanceof RangeError && /call stack/i.test(e.message))
        e = new Trap('stack-overflow', 'host call stack exhausted (recursion too deep)');
      if (e instanceof LongJump)
        e = new Trap('invalid-pointer', 'longjmp to a function that already returned');
      // Not reached from main (a throw nothing catches terminates); a callee run directly may throw.
      if (e instanceof CxxThrow) e = new Trap('abort', 'C++ exception not caught (std::terminate)');
      if (e instanceof ExitSignal) {
        outcome = 'exit';
        exitCode = e.code & 255;
      } else if (e instanceof TrapClass) {
        outcome = e.kind;
        if (e.loc === undefined) e.loc = this.siteLocation(this.ctl.getCS());
        message = e.message;
        location = e.loc;
        subject = e.subject;
        exitCode = 128 + osConstants.signals[outcomeSignals(outcome)[0] ?? 'SIGABRT'];
        if (outcome === 'returned' || outcome === 'exit') exitCode = 0;
      } else {
        outcome = 'internal-error';
        message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        exitCode = 70;
      }
    }
    return {
      outcome,
      exitCode,
      stdout: this.rt.stdout.bytes(),
      stderr: this.rt.stderr.bytes(),
      returnValue,
      steps: this.steps(),
      message,
      location,
      subject,
    };
  }

  /** Id of the site (instruction) that ran the last memory check, call or trap; -1 when none. */
  currentSite(): number {
    return this.ctl.getCS();
  }
  /** Make `site` the current site again (a model back from a callback). */
  restoreSite(site: number): void {
    this.ctl.setCS(site);
  }

  /** The instruction of a site, or undefined. */
  siteInstr(id: number): Instr | undefined {
    let i = this.siteInstrs.get(id);
    if (i === undefined) {
      const s = this.linked.sites[id];
      const g = s === undefined ? undefined : this.m.symbols.get(s.func);
      const b =
        g?.kind === 'function' ? g.blocks.find((x) => (x.name ?? String(x.index)) === s!.block) : undefined;
      i = b?.instrs[s!.instr] ?? null;
      this.siteInstrs.set(id, i);
    }
    return i ?? undefined;
  }

  siteLocation(id: number): IrLocation | undefined {
    const s = this.linked.sites[id];
    if (s === undefined) return undefined;
    const d = s.dbg >= 0 ? debugLocation(this.m, s.dbg) : undefined;
    return {
      func: s.func,
      block: s.block,
      instr: s.instr,
      source: d ? `${d.file}:${d.line}:${d.col}` : undefined,
    };
  }

  /** argc/argv/envp in memory at the top of the stack, as the kernel places them. */
  private mainArgs(f: Func, args: readonly string[]): ExtValue[] {
    const n = f.params.length;
    if (n === 0) return [];
    const mem = this.mem;
    const ptrs: number[] = [];
    for (const a of args) {
      const b = Buffer.from(a + '\0', 'utf8');
      const p = mem.stackAlloc(b.length, 1);
      mem.u8.set(b, p);
      ptrs.push(p);
    }
    const envs: number[] = [];
    for (const [k, v] of this.rt.env) {
      const b = Buffer.from(`${k}=${v}\0`, 'utf8');
      const p = mem.stackAlloc(b.length, 1);
      mem.u8.set(b, p);
      envs.push(p);
    }
    const argv = mem.stackAlloc(8 * (ptrs.length + 1 + envs.length + 1), 16);
    ptrs.forEach((p, i) => mem.writePtr(argv + 8 * i, p));
    mem.writePtr(argv + 8 * ptrs.length, 0);
    const envp = argv + 8 * (ptrs.length + 1);
    envs.forEach((p, i) => mem.writePtr(envp + 8 * i, p));
    mem.writePtr(envp + 8 * envs.length, 0);
    const out: ExtValue[] = [args.length, argv, envp];
    return out
      .slice(0, n)
      .map((v, i) =>
        f.params[i]!.type.kind === 'int' && (f.params[i]!.type as { bits: number }).bits === 64
          ? BigInt(v)
          : v,
      );
  }

  // ------------------------------------------------------------------------------------------------
  // Calls across the boxed boundary

  /** The function and block index of a block's coverage id (`trace.ids`), or undefined. */
  coverageBlock(id: number): { readonly func: Func; readonly block: number } | undefined {
    if (this.covFuncs === undefined) {
      this.covFuncs = [...this.linked.covBase].sort((a, b) => a[1] - b[1]);
    }
    const fs = this.covFuncs;
    let lo = 0;
    let hi = fs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [f, base] = fs[mid]!;
      if (id < base) hi = mid - 1;
      else if (id >= base + f.blocks.length) lo = mid + 1;
      else return { func: f, block: id - base };
    }
    return undefined;
  }
  private covFuncs: [Func, number][] | undefined = undefined;

  slotAt(p: number): Linked['slots'][number] | undefined {
    const k = this.bySlotAddr.get(p);
    return k === undefined ? undefined : this.linked.slots[k];
  }

  symbolAddress(name: string): number | undefined {
    const g = this.m.symbols.get(name);
    if (g === undefined) return undefined;
    try {
      return this.linked.addressOf(g);
    } catch {
      return undefined;
    }
  }

  callAddress(p: number, args: readonly ExtValue[]): ExtValue | ExtValue[] | undefined {
    const s = this.slotAt(p);
    if (s === undefined)
      throw new Trap(
        p === 0 ? 'null-deref' : 'invalid-pointer',
        `call through ${hex(p)}, which is not a function address`,
      );
    return this.invoke(s.func, args);
  }

  /**
   * The function at `p` as a JS function of `pointers` pointer arguments returning its i32 result, when
   * its IR type is exactly that (`Runtime.intCallback`): the generated function itself, called with the
   * engine's external state as `callAddress` leaves it, without boxing or allocation per call.
   */
  intCallback(p: number, pointers: 2 | 3): ((a: number, b: number, c?: number) => number) | undefined {
    const s = this.slotAt(p);
    if (s === undefined) return undefined;
    const t = s.func.funcType;
    const lc = this.linked.lc;
    const leafIs = (ty: Func['funcType']['ret'], k: string, bits?: number): boolean => {
      if (ty.kind === 'void') return false;
      const ls = lc.leaves(ty);
      return ls.length === 1 && ls[0]!.k === k && (bits === undefined || ls[0]!.bits === bits);
    };
    if (t.varargs || t.params.length !== pointers || !leafIs(t.ret, 'i', 32)) return undefined;
    if (!t.params.every((x) => leafIs(x, 'p'))) return undefined;
    const fn = this.ctl.FT[s.index]! as (a: number, b: number, c?: number) => number;
    const ctl = this.ctl;
    // After the call the current site is the model's own call again (as `Runtime.call` leaves it). A
    // function of two parameters ignores the third argument.
    return (a: number, b: number, c?: number): number => {
      const outer = this.inExternal;
      const site = ctl.getCS();
      this.inExternal = undefined;
      try {
        const r = fn(a, b, c) | 0;
        ctl.setCS(site);
        return r;
      } finally {
        this.inExternal = outer;
      }
    };
  }

  /** Call an IR function (or external thunk) with boxed args; returns the boxed result. */
  invoke(f: Func, args: readonly ExtValue[]): ExtValue | ExtValue[] | undefined {
    const s = this.linked.slotOf.get(f)!;
    const slots = taggedArray();
    const types = f.funcType.params;
    types.forEach((t, i) => {
      const ls = this.linked.lc.leaves(t);
      const v = args[i];
      // A lone value is not wrapped in an array: an array of doubles keeps a NaN's bits only as V8's tier
      // pleases. An aggregate's parts come as an array (a value without parts fills the first leaf).
      const parts = ls.length > 1 && Array.isArray(v) ? (v as ExtValue[]) : undefined;
      for (let j = 0; j < ls.length; j++)
        pushLeaf(slots, ls[j]!, (parts !== undefined ? parts[j] : j === 0 ? v : 0) ?? 0);
    });
    if (f.funcType.varargs) {
      // Extra arguments: ints/pointers as 8-byte slots, numbers as doubles.
      const extra = args.slice(types.length);
      const spv = this.mem.sp;
      const va = this.mem.stackAlloc(Math.max(8, extra.length * 8), 16);
      extra.forEach((v, k) => {
        if (typeof v === 'bigint') this.mem.dv.setBigInt64(va + 8 * k, BigInt.asIntN(64, v), true);
        else if (Number.isInteger(v)) this.mem.dv.setBigInt64(va + 8 * k, BigInt(v), true);
        else this.mem.dv.setFloat64(va + 8 * k, v, true);
      });
      slots.push(va);
      try {
        return this.boxResult(f, this.ctl.FT[s.index]!(...slots));
      } finally {
        this.mem.stackRestore(spv);
      }
    }
    return this.boxResult(f, this.ctl.FT[s.index]!(...slots));
  }

  private boxResult(f: Func, r: unknown): ExtValue | ExtValue[] | undefined {
    const t = f.funcType.ret;
    if (t.kind === 'void') return undefined;
    const ls = this.linked.lc.leaves(t);
    if (ls.length === 1) return boxLeaf(ls[0]!, r, H[0]!);
    const out: ExtValue[] = [];
    // Multi-leaf results: slot 0 returned, the rest in RS[1..].
    let k = 0;
    for (const l of ls) {
      const a = k === 0 ? r : this.RS[k];
      const b = slotCount(l.k) === 2 ? this.RS[k + 1] : 0;
      out.push(boxLeaf(l, a, b as number));
      k += slotCount(l.k);
    }
    return out;
  }

  /** The generated code's call of external `k`'s unboxed form (link.ts thunks of libm models). */
  private scalar(k: number): (a: number, b: number, c: number) => number | undefined {
    const s = this.linked.slots[k]!;
    const form = scalarFormOf(s.handler!)!;
    const name = s.func.name;
    const rt = this.rt;
    return (a: number, b: number, c: number): number | undefined => {
      const outer = this.inExternal;
      this.inExternal = name;
      try {
        return form(rt, a, b, c);
      } finally {
        this.inExternal = outer;
      }
    };
  }

  private ext(k: number, args: ExtValue[], va: number | undefined): ExtValue | ExtValue[] | undefined {
    const s = this.linked.slots[k]!;
    const outer = this.inExternal;
    this.inExternal = s.func.name;
    try {
      const r = s.handler!(this.rt, args, va === undefined ? undefined : VaList.fromArea(this.mem, va));
      return r === null ? undefined : (r as ExtValue | undefined);
    } finally {
      this.inExternal = outer;
    }
  }

  private vaArg(ap: number, kind: number): number {
    const va = VaList.fromVaList(this.mem, ap);
    switch (kind) {
      case 1: {
        const v = va.long();
        H[0] = Number(BigInt.asIntN(32, v >> 32n));
        return Number(BigInt.asIntN(32, v));
      }
      case 2:
        return va.ptr();
      case 3:
        return va.double();
      default:
        return va.int();
    }
  }
}

/**
 * An empty array whose elements V8 keeps tagged. A plain `[]` switches to unboxed doubles at the first
 * number that is not a small integer (a double argument, 2^31 - 1), and spreading such an array hands the
 * callee every element as a heap number, small integers too: the generated code then indexes memory
 * with heap numbers, which V8's optimised code checks to be small integers, deoptimising over and over
 * (lzo2: about a third of all generated-code deoptimisations).
 */
export function taggedArray(): unknown[] {
  const a: unknown[] = [undefined];
  a.pop();
  return a;
}

/**
 * x as a small integer (a V8 Smi) when it is one in value: a pointer computed from a field V8 keeps as a
 * double (the input region's base) is a heap number, and the generated code indexes memory with it.
 */
function smallInt(x: number): number {
  return x >= -0x40000000 && x < 0x40000000 && Number.isInteger(x) ? x | 0 : x;
}

/**
 * Push leaf `l` of value v onto `slots` as the generated code takes it (one or two slots). Never through an
 * array of its own: an array of doubles keeps a NaN's bits only as V8's tier pleases.
 */
function pushLeaf(slots: unknown[], l: Leaf, v: ExtValue): void {
  switch (l.k) {
    case 'i': {
      const n = typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v | 0;
      slots.push(l.bits === 32 ? n : n & (2 ** l.bits - 1));
      return;
    }
    case 'l': {
      const b = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
      slots.push(Number(BigInt.asIntN(32, b)), Number(BigInt.asIntN(32, b >> 32n)));
      return;
    }
    case 'b':
      slots.push(BigInt.asUintN(l.bits, typeof v === 'bigint' ? v : BigInt(Math.trunc(v))));
      return;
    case 'p':
      slots.push(smallInt(Number(v)));
      return;
    case 'f':
      slots.push(Math.fround(Number(v)));
      return;
    case 'd':
      slots.push(Number(v));
      return;
    case 'x':
      slots.push(typeof v === 'bigint' ? v : 0n);
      return;
  }
}

function boxLeaf(l: Leaf, a: unknown, hi: number): ExtValue {
  switch (l.k) {
    case 'i':
      return l.bits === 32 ? (a as number) | 0 : (a as number);
    case 'l':
      return (BigInt(hi) << 32n) | BigInt((a as number) >>> 0);
    default:
      return a as ExtValue;
  }
}

/** The parts of sorted, disjoint ranges `from` outside the sorted, disjoint ranges `minus`. */
function subtractRanges(
  from: readonly (readonly [number, number])[],
  minus: readonly (readonly [number, number])[],
): [number, number][] {
  const out: [number, number][] = [];
  let k = 0;
  for (const [s0, e] of from) {
    let s = s0;
    while (k < minus.length && minus[k]![1] <= s) k++;
    for (let j = k; s < e && j < minus.length && minus[j]![0] < e; j++) {
      if (minus[j]![0] > s) out.push([s, minus[j]![0]]);
      s = Math.max(s, minus[j]![1]);
    }
    if (s < e) out.push([s, e]);
  }
  return out;
}
