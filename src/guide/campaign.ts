/**
 * @fileoverview Stage: guide. A generation campaign: inputs for every function of many modules, on all
 * cores, into an output directory that a rerun continues.
 *
 * Consumes: files and directories (`.ll`, `.bc`, C/C++ sources compiled through the IR cache; directories
 * searched recursively), search options, an output directory. Produces: the output directory (layout in
 * ./layout.ts, figures in ./summary.ts) and a `CampaignResult`; progress goes to a `CampaignReporter`.
 *
 * Steps: load every module (compiling sources) and fix what the run depends on (run.json); then, per
 * module, a worker lists its functions (parse + compile once), the functions not done yet are split into
 * chunks that workers search (each chunk's worker reuses its compiled module), every kept record is
 * replayed in the engine right away, and each function's result is written as it arrives; with --native a
 * module's records are then replayed natively. Last, functions.jsonl and summary.json are rebuilt from
 * what is on disk. These steps are the methods of `Campaign`, called in order from `Campaign.run`; the
 * output directory's own checks (may it take this run?) are `OutDir.prepare` and `OutDir.checkRun`.
 *
 * Failures stay where they happen: a module that cannot be loaded, parsed or compiled is a failed module;
 * a function whose search throws, whose worker dies, or that the time guard stops is a failed
 * function (the guard's keeps its inputs so far, written like any others); the rest goes on. A rerun keeps
 * failed functions as they are on disk, whatever the kind, like finished ones. Only
 * problems with the command itself (no inputs, an output directory that cannot be used) are thrown, as
 * `UserError`s.
 */
import type { SolveHeuristic } from './solve.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeRecord, type InputRecord } from '../gen/record.js';
import { DEFAULT_LIMITS, type RunLimits } from '../gen/runtime.js';
import { moduleHash, NATIVE_REPLAY_DEFAULTS, nativeWorkDir, replayNativeText } from '../replay/native.js';
import { loadIRText, sourceLanguage, type CompileOptions } from '../toolchain/compile.js';
import { isRustInput } from '../toolchain/rust.js';
import { errorLine, UserError } from '../util/errors.js';
import { statInput, walkFiles, writeFileAtomic } from '../util/fsx.js';
import { coreCount, mapLimit, Semaphore } from '../util/concurrency.js';
import { packageVersion } from '../util/version.js';
import {
  assignKeys,
  moduleRawKey,
  OutDir,
  RUN_FORMAT,
  RUN_VERSION,
  stableJson,
  type FunctionRow,
  type ModuleIndex,
  type NativeRow,
  type RunSpec,
  type TimingRow,
} from './layout.js';
import {
  ORDER_STRIDE,
  WorkerCrash,
  WorkerPool,
  watchdogFor,
  type GenReply,
  type ModuleRef,
  type WorkerReply,
  type WorkerRequest,
} from './workers.js';
import { DEFAULT_SEARCH, type SearchOptions } from './search.js';
import { functionSizes, ShardPlan, shardOfSpec, shardRecord, type ShardSpec } from './shard.js';
import { DEFAULTS } from '../util/defaults.js';
import {
  buildSummary,
  functionsJsonl,
  type CampaignSummary,
  type ModuleResult,
  type ModuleSummary,
} from './summary.js';

export interface CampaignOptions {
  /** Files and directories, as the user gave them (module paths in records are these, or below them). */
  readonly inputs: readonly string[];
  readonly out: string;
  readonly seed?: string;
  /** Inputs kept per function. */
  readonly maxInputs?: number;
  readonly maxRuns?: number;
  readonly plateau?: number;
  /** Steps of all runs of a function at most. */
  readonly maxSteps?: number;
  /** The calibrated step budget of a run (guide/search.ts `RunBudget`); factor 0: off. */
  readonly runStepFactor?: number;
  readonly runStepFloor?: number;
  /**
   * Time guard of one function's search and engine replay, ms (default
   * `DEFAULTS.functionTimeoutSeconds`): a function it stops fails with `guard-timeout`.
   */
  readonly functionTimeoutMs?: number;
  /** Records per function of the pre-selection sample (OUT/sample/), 0 for none. */
  readonly sample?: number;
  /** Workload inputs: target steps of grown copies of the kept inputs (`gen --grow`), 0 for none. */
  readonly grow?: number;
  /** Solver-guided search: z3 queries per function (`gen --solve`), 0 for none. */
  readonly solve?: number;
  /** Solver heuristics turned off (`gen --solve-off`). */
  readonly solveOff?: readonly SolveHeuristic[];
  /** Worker threads (default: all cores). */
  readonly jobs?: number;
  /** Also replay every record natively. */
  readonly native?: boolean;
  /** Only functions whose name matches (unanchored JavaScript regular expression). */
  readonly functions?: string;
  readonly compile?: CompileOptions;
  readonly limits?: Partial<RunLimits>;
  /** Start over when OUT holds a run with other options. */
  readonly force?: boolean;
  /** Native replay: wall-clock limit per record (ms) and address-space limit (MiB). */
  readonly nativeTimeoutMs?: number;
  readonly nativeMemLimitMb?: number;
  /** Run only share `index` of `count` of the functions (./shard.ts; `inputsmith merge` joins the shares). */
  readonly shard?: ShardSpec;
  /**
   * Worker threads the caller owns (and closes), of `jobs` threads: `queue work` runs a campaign's jobs
   * one after the other on one pool, so that its threads keep their compiled module and warm code.
   */
  readonly pool?: WorkerPool;
  /**
   * Modules the caller keeps from run to run (`queue work`: every job of a campaign reads the same
   * modules, and reading, hashing and scanning 36 MB of IR cost a job about half a second).
   */
  readonly moduleCache?: ModuleCache;
}

/**
 * What runs of one campaign in one process share: each module's IR text and hash (read again only when
 * the file's size or modification time changed) and its functions' sizes for the shard plan.
 */
export class ModuleCache {
  private readonly texts = new Map<string, { stamp: string; text: string; file: string; hash: string }>();
  private readonly sizes = new Map<string, Map<string, number>>();

  /** The module at `path` (read through `load` unless cached and unchanged). */
  async load(
    path: string,
    load: () => Promise<{ text: string; file: string }>,
  ): Promise<{ text: string; file: string; hash: string }> {
    let stamp: string;
    try {
      const st = statSync(path);
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      stamp = '';
    }
    const have = this.texts.get(path);
    if (have !== undefined && have.stamp === stamp && stamp !== '') return have;
    const { text, file } = await load();
    const entry = { stamp, text, file, hash: moduleHash(text) };
    this.texts.set(path, entry);
    return entry;
  }

  /** `functionSizes` of a module's text, by its hash. */
  functionSizes(hash: string | undefined, text: string | undefined): Map<string, number> {
    if (hash === undefined) return functionSizes(text);
    let s = this.sizes.get(hash);
    if (s === undefined) this.sizes.set(hash, (s = functionSizes(text)));
    return s;
  }
}

/** Lifecycle hooks for progress display. */
export interface CampaignReporter {
  /** Modules found and loaded; `functions` is an estimate until every module has been listed. */
  onStart?(e: { readonly modules: number; readonly functions: number; readonly jobs: number }): void;
  /** A module's functions are known: `functions` replaces `estimate` in the total. */
  onModuleListed?(e: {
    readonly module: string;
    readonly functions: number;
    readonly estimate: number;
  }): void;
  /** A function is done: generated now (`fresh`) or found done on disk. */
  onFunction?(row: FunctionRow, fresh: boolean): void;
  onNativeStart?(module: string, records: number): void;
  onModuleDone?(m: ModuleSummary): void;
}

export interface CampaignResult {
  readonly summary: CampaignSummary;
  readonly out: string;
  /** Functions searched in this run, and found done on disk. */
  readonly fresh: number;
  readonly reused: number;
  readonly elapsedMs: number;
  readonly jobs: number;
}

const MODULE_EXTENSIONS = new Set(['.ll', '.bc']);

function isModuleFile(p: string): boolean {
  return MODULE_EXTENSIONS.has(extname(p).toLowerCase()) || sourceLanguage(p) !== undefined;
}

/** Module files under `dir`, recursively (hidden directories and node_modules skipped), sorted. */
export function findModules(dir: string): string[] {
  return walkFiles(dir, { skipHidden: true, skipNames: ['node_modules'], filter: isModuleFile });
}

/** The modules named by the inputs, in order, each once. Throws `UserError` for a missing or odd input. */
export function discoverModules(inputs: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => {
    const abs = resolve(p);
    if (seen.has(abs)) return;
    seen.add(abs);
    out.push(p);
  };
  for (const input of inputs) {
    const st = statInput(input);
    if (isRustInput(input))
      add(input); // a .rs file, or a Cargo crate directory: one module
    else if (st.isDirectory()) {
      const found = findModules(input);
      if (found.length === 0)
        throw new UserError('no .ll, .bc, .c, .cc, .cpp or .cxx files found', { file: input });
      found.forEach(add);
    } else if (isModuleFile(input)) add(input);
    else
      throw new UserError(
        'unsupported input; expected a .ll, .bc, .c, .cc, .cpp, .cxx or .rs file, a Cargo crate or a directory',
        { file: input },
      );
  }
  if (out.length === 0) throw new UserError('no input files given', undefined, 2);
  return out;
}

/** Names of defined functions in IR text, by a quick scan (for the progress total before parsing). */
export function estimateFunctions(
  text: string,
  filter: RegExp | undefined,
  sizes: ReadonlyMap<string, number> = functionSizes(text),
): number {
  let n = 0;
  for (const name of sizes.keys()) if (filter === undefined || filter.test(name)) n++;
  return n;
}

/** The `--functions` pattern, compiled; a bad one is a usage error. */
export function functionFilter(source: string | undefined): RegExp | undefined {
  if (source === undefined) return undefined;
  try {
    return new RegExp(source);
  } catch (e) {
    throw new UserError(`--functions: ${(e as Error).message}`, undefined, 2);
  }
}

interface LoadedModule {
  readonly index: number;
  readonly path: string;
  readonly key: string;
  ref?: ModuleRef;
  text?: string;
  readonly failure?: { readonly stage: string; readonly reason: string };
}

/** Functions per chunk: small enough that every worker gets a share of a large module. */
export function chunkSize(pending: number, jobs: number): number {
  return Math.max(1, Math.min(16, Math.ceil(pending / (2 * jobs))));
}

export async function runCampaign(o: CampaignOptions, rep: CampaignReporter = {}): Promise<CampaignResult> {
  return new Campaign(o, rep).run();
}

type FunctionEntry = ModuleIndex['functions'][number];

/**
 * One campaign run. `run` reads as the steps in order; the counters and tables the steps share are
 * fields. Modules go through `processModule` concurrently (the pool orders their tasks).
 */
class Campaign {
  private readonly t0 = performance.now();
  private readonly jobs: number;
  private readonly filter: RegExp | undefined;
  private readonly search: SearchOptions;
  private readonly functionTimeoutMs: number;
  private readonly limits: RunLimits;
  private readonly native: boolean;
  private readonly copts: CompileOptions;
  private readonly out: OutDir;
  private modules: LoadedModule[] = [];
  /** The modules this run processes: all of them, or its shard's share. */
  private owned: LoadedModule[] = [];
  /** With --shard: which functions (and module failures) are this share's. */
  private plan: ShardPlan | undefined;
  /** Estimated functions per module (by module index), until it is listed. */
  private estimates: number[] = [];
  /** Per module (by index), what is known at its end. */
  private readonly results: ModuleResult[] = [];
  /** Functions searched in this run, and found done on disk. */
  private fresh = 0;
  private reused = 0;
  private readonly pool: WorkerPool;
  /** One module's native replay at a time (it runs `jobs` processes itself). */
  private readonly nativeGate = new Semaphore(1);

  constructor(
    private readonly o: CampaignOptions,
    private readonly rep: CampaignReporter,
  ) {
    this.jobs = o.pool?.size ?? Math.max(1, o.jobs ?? coreCount());
    this.filter = functionFilter(o.functions);
    this.search = {
      seed: o.seed ?? DEFAULT_SEARCH.seed,
      maxInputs: o.maxInputs ?? DEFAULT_SEARCH.maxInputs,
      maxRuns: o.maxRuns ?? DEFAULT_SEARCH.maxRuns,
      plateau: o.plateau ?? DEFAULT_SEARCH.plateau,
      maxSteps: o.maxSteps ?? DEFAULT_SEARCH.maxSteps,
      runStepFactor: o.runStepFactor ?? DEFAULT_SEARCH.runStepFactor,
      runStepFloor: o.runStepFloor ?? DEFAULT_SEARCH.runStepFloor,
      sample: o.sample ?? 0,
      grow: o.grow ?? 0,
      solve: o.solve ?? 0,
      solveOff: o.solveOff ?? [],
    };
    this.functionTimeoutMs = o.functionTimeoutMs ?? DEFAULTS.functionTimeoutSeconds * 1000;
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    this.native = o.native === true;
    this.copts = o.compile ?? {};
    this.out = new OutDir(o.out);
    this.pool = o.pool ?? new WorkerPool(this.jobs, watchdogFor(this.functionTimeoutMs));
  }

  async run(): Promise<CampaignResult> {
    const paths = discoverModules(this.o.inputs);
    this.out.prepare(this.o.force === true);
    this.modules = await this.loadModules(paths);
    this.owned = this.ownModules();
    this.out.checkRun(this.runSpec(), this.o.force === true);
    this.out.sweepTemporaries();
    this.start();
    try {
      await Promise.all(this.owned.map((m) => this.processModule(m)));
    } finally {
      if (this.o.pool === undefined) await this.pool.close();
    }
    return this.writeSummary();
  }

  /** All modules, or those the shard's share touches (./shard.ts `ShardPlan`, the same in every shard). */
  private ownModules(): LoadedModule[] {
    const sh = this.o.shard;
    if (sh === undefined) return this.modules;
    const cache = this.o.moduleCache;
    const plan = (this.plan = ShardPlan.make(
      this.modules,
      sh,
      cache === undefined ? undefined : (m) => cache.functionSizes(m.ref?.hash, m.text),
    ));
    return this.modules.filter((m) => plan.touches(m.index));
  }

  /** The module's listed functions this run searches: all, or the shard's. */
  private mine(m: LoadedModule, ix: ModuleIndex): FunctionEntry[] {
    const plan = this.plan;
    return plan === undefined
      ? [...ix.functions]
      : ix.functions.filter((f) => plan.ownsFunction(m.index, f.name));
  }

  /** Load every module (sources compile in parallel through the cache); a failure stays with its module. */
  private loadModules(paths: readonly string[]): Promise<LoadedModule[]> {
    const keys = assignKeys(paths, moduleRawKey);
    return mapLimit(paths, coreCount(), async (path, index) => {
      const key = keys[index]!;
      try {
        const cache = this.o.moduleCache;
        const { text, file, hash } =
          cache === undefined
            ? await loadIRText(path, this.copts).then((r) => ({ ...r, hash: moduleHash(r.text) }))
            : await cache.load(path, () => loadIRText(path, this.copts));
        const ref: ModuleRef = { key, path, file, hash, limits: this.limits };
        return { index, path, key, ref, text };
      } catch (e) {
        return { index, path, key, failure: { stage: 'load', reason: errorLine(e) } };
      }
    });
  }

  /** What the results depend on (run.json): a rerun continues only the same run. */
  private runSpec(): RunSpec {
    const { search, limits, copts } = this;
    return {
      format: RUN_FORMAT,
      version: RUN_VERSION,
      inputsmith: packageVersion(),
      seed: search.seed,
      inputs: search.maxInputs,
      maxRuns: search.maxRuns,
      plateau: search.plateau,
      maxSteps: search.maxSteps ?? Infinity,
      runStepFactor: search.runStepFactor ?? 0,
      runStepFloor: search.runStepFloor ?? 0,
      functionTimeoutMs: this.functionTimeoutMs,
      functions: this.o.functions ?? null,
      native: this.native,
      // Only when asked for, so that run.json without --sample stays as it was.
      ...(search.sample !== undefined && search.sample > 0 ? { sample: search.sample } : {}),
      ...(search.grow !== undefined && search.grow > 0 ? { grow: search.grow } : {}),
      ...(search.solve !== undefined && search.solve > 0 ? { solve: search.solve } : {}),
      ...(search.solveOff !== undefined && search.solveOff.length > 0 ? { solveOff: search.solveOff } : {}),
      ...(this.o.shard === undefined ? {} : { shard: shardOfSpec(this.o.shard) }),
      limits: {
        stepLimit: limits.stepLimit,
        timeLimitMs: limits.timeLimitMs,
        memLimitBytes: limits.memLimitBytes,
        inputLimitBytes: limits.inputLimitBytes,
      },
      compile: {
        opt: copts.opt ?? 'O1',
        includes: [...(copts.includes ?? [])],
        defines: [...(copts.defines ?? [])],
        debug: copts.debug === true,
      },
      modules: this.modules.map((m) => ({ path: m.path, key: m.key, hash: m.ref?.hash ?? null })),
    };
  }

  private start(): void {
    // Only the modules this run processes (a queue job's share is a few of them).
    this.estimates = this.modules.map(() => 0);
    const cache = this.o.moduleCache;
    for (const m of this.owned)
      if (m.text !== undefined)
        this.estimates[m.index] = estimateFunctions(
          m.text,
          this.filter,
          cache?.functionSizes(m.ref?.hash, m.text),
        );
    const functions = this.owned.reduce((a, m) => a + this.estimates[m.index]!, 0);
    this.rep.onStart?.({ modules: this.owned.length, functions, jobs: this.jobs });
  }

  /** List, search, (natively) replay one module; its tasks are ordered after earlier modules'. */
  private async processModule(m: LoadedModule): Promise<void> {
    if (m.failure !== undefined || m.ref === undefined) {
      this.moduleFailed(m, m.failure);
      return;
    }
    const known = this.out.readModuleIndex(m.key);
    const ix = known !== undefined && known.hash === m.ref.hash ? known : await this.listFunctions(m);
    if (ix === undefined) return;
    const mine = this.mine(m, ix);
    this.listed(m, mine.length);
    const pending = this.pendingFunctions(m, mine);
    await this.generate(m, pending);
    const rows = mine.map((f) => this.out.readFunction(m.key, f.key)!);
    const native = this.native ? await this.nativeRows(m, rows) : undefined;
    this.finish(m, { module: m.path, key: m.key, rows, native });
  }

  private listed(m: LoadedModule, functions: number): void {
    this.rep.onModuleListed?.({ module: m.path, functions, estimate: this.estimates[m.index]! });
  }

  private moduleFailed(m: LoadedModule, failure: ModuleResult['failure']): void {
    this.listed(m, 0);
    this.finish(m, { module: m.path, key: m.key, failure, rows: [] });
  }

  private finish(m: LoadedModule, r: ModuleResult): void {
    this.results[m.index] = r;
    m.text = undefined;
    this.rep.onModuleDone?.(buildSummary(this.search.seed, this.native, [r]).modules[0]!);
  }

  /**
   * The module's selected functions, listed by a worker (parse + compile) and written (a module listed
   * before with the same hash is read from disk instead). Undefined when the module failed (then it is
   * finished).
   */
  private async listFunctions(m: LoadedModule): Promise<ModuleIndex | undefined> {
    const ref = m.ref!;
    let listed: { name: string; blocks: number }[] | undefined;
    let failure: { stage: string; reason: string } | undefined;
    try {
      await this.pool.submit(m.index * ORDER_STRIDE, { kind: 'list', module: ref }, m.text!, (r) => {
        if (r.kind === 'listed') listed = [...r.functions];
        else if (r.kind === 'module-failed') failure = { stage: r.stage, reason: r.reason };
      });
    } catch (e) {
      if (!(e instanceof WorkerCrash)) throw e;
      failure = { stage: 'worker-crash', reason: e.message };
    }
    if (listed === undefined) {
      this.moduleFailed(m, failure ?? { stage: 'parse', reason: 'no answer' });
      return undefined;
    }
    const selected = listed.filter((f) => this.filter === undefined || this.filter.test(f.name));
    const fkeys = assignKeys(selected.map((f) => f.name));
    const ix: ModuleIndex = {
      module: m.path,
      key: m.key,
      hash: ref.hash,
      functions: selected.map((f, i) => ({ name: f.name, key: fkeys[i]!, blocks: f.blocks })),
    };
    this.out.writeModuleIndex(ix);
    return ix;
  }

  /** Functions done by an earlier run (result and inputs on disk) are not searched again. */
  private pendingFunctions(m: LoadedModule, fns: readonly FunctionEntry[]): FunctionEntry[] {
    const pending: FunctionEntry[] = [];
    for (const f of fns) {
      const row = this.out.readFunction(m.key, f.key);
      if (row !== undefined && row.function === f.name && inputsPresent(this.out, m.key, row)) {
        this.reused++;
        this.rep.onFunction?.(row, false);
      } else pending.push(f);
    }
    return pending;
  }

  /** Split the pending functions into chunks that workers search, in the module's order range. */
  private async generate(m: LoadedModule, pending: readonly FunctionEntry[]): Promise<void> {
    const size = chunkSize(pending.length, this.jobs);
    const chunks: FunctionEntry[][] = [];
    for (let i = 0; i < pending.length; i += size) chunks.push(pending.slice(i, i + size));
    const base = m.index * ORDER_STRIDE;
    await Promise.all(chunks.map((c, i) => this.runFunctions(m, c, base + 1 + i)));
  }

  /** Search `fns` of module `m` on the pool; a crashed worker costs one function, the rest is requeued. */
  private async runFunctions(m: LoadedModule, fns: readonly FunctionEntry[], order: number): Promise<void> {
    let left = [...fns];
    while (left.length > 0) {
      const answered = new Set<string>();
      const onReply = (r: WorkerReply): void => {
        if (r.kind !== 'function') return;
        const f = left.find((x) => x.name === r.result.function)!;
        answered.add(f.name);
        this.recordResult(m, f, r.result, { worker: r.worker, cpuMs: r.cpuMs });
      };
      try {
        const functions = left.map((f) => f.name);
        const request: WorkerRequest = {
          kind: 'gen',
          module: m.ref!,
          functions,
          search: this.search,
          functionTimeoutMs: this.functionTimeoutMs,
        };
        await this.pool.submit(order, request, m.text!, onReply);
        left = left.filter((f) => !answered.has(f.name));
        if (left.length > 0) throw new Error(`worker did not answer for @${left[0]!.name}`);
      } catch (e) {
        if (!(e instanceof WorkerCrash)) throw e;
        left = left.filter((f) => !answered.has(f.name));
        const f = left.shift();
        if (f === undefined) break;
        this.recordCrash(m, f, e);
      }
    }
  }

  /** Write one function's result and inputs (marking it done) and its timing. */
  private recordResult(
    m: LoadedModule,
    f: FunctionEntry,
    r: GenReply,
    where: Pick<TimingRow, 'worker' | 'cpuMs'>,
  ): void {
    const row = functionRow(m, f.key, f.blocks, r);
    this.out.writeFunction(m.key, row, r.ok ? r.records : [], r.ok ? r.sample : []);
    this.out.appendTiming({
      module: m.path,
      function: f.name,
      timeMs: r.timeMs,
      runs: row.runs,
      steps: r.ok ? r.steps : 0,
      cpuMs: where.cpuMs,
      worker: where.worker,
      ...(r.ok && r.solve !== undefined ? { solve: r.solve } : {}),
    });
    this.fresh++;
    this.rep.onFunction?.(row, true);
  }

  /** The function whose worker died is a failed function. */
  private recordCrash(m: LoadedModule, f: FunctionEntry, e: WorkerCrash): void {
    const row: FunctionRow = {
      module: m.path,
      function: f.name,
      key: f.key,
      status: 'failed',
      failure: { kind: 'worker-crash', reason: e.message },
      blocks: f.blocks,
      coveredFirst: 0,
      covered: 0,
      runs: 0,
      inputs: [],
    };
    this.out.writeFunction(m.key, row, []);
    this.fresh++;
    this.rep.onFunction?.(row, true);
  }

  /** The module's native verdicts: from disk when replayed before, else replayed now and written. */
  private async nativeRows(m: LoadedModule, rows: readonly FunctionRow[]): Promise<NativeRow[]> {
    const done = this.out.readNative(m.key);
    if (done !== undefined) return done;
    const text = m.text!;
    const fresh = await this.nativeGate.use(() => this.replayNatively(m, text, rows));
    this.out.writeNative(m.key, fresh);
    return fresh;
  }

  /** Replay the module's kept records natively; a failure of the whole replay fails each record. */
  private async replayNatively(
    m: LoadedModule,
    text: string,
    rows: readonly FunctionRow[],
  ): Promise<NativeRow[]> {
    const records: InputRecord[] = [];
    for (const row of rows)
      for (const i of row.inputs) {
        const file = this.out.inputFile(m.key, row.key, i.index);
        records.push(decodeRecord(readFileSync(file, 'utf8'), file));
      }
    if (records.length === 0) return [];
    this.rep.onNativeStart?.(m.path, records.length);
    const o = this.o;
    try {
      const res = await replayNativeText(text, m.ref!.file, records, {
        timeoutMs: o.nativeTimeoutMs ?? NATIVE_REPLAY_DEFAULTS.timeoutMs,
        memLimitMb: o.nativeMemLimitMb ?? NATIVE_REPLAY_DEFAULTS.memLimitMb,
        workDir: nativeWorkDir(),
        jobs: this.jobs,
        clang: o.compile?.clang,
      });
      return res.map((r) => ({
        function: r.function,
        index: r.index,
        status: r.status,
        reason: r.reason,
        ...(r.cause === undefined ? {} : { cause: r.cause }),
      }));
    } catch (e) {
      const reason = errorLine(e);
      const cause = 'replay-error';
      return records.map((r) => ({ function: r.function, index: r.index, status: 'failed', reason, cause }));
    }
  }

  /** functions.jsonl and summary.json, rebuilt from what is on disk; a shard's record last. */
  private writeSummary(): CampaignResult {
    // A shard reports a module's failure only if it is the module's owner (every share touching it saw it).
    const plan = this.plan;
    const results = this.owned
      .filter(
        (m) => plan === undefined || this.results[m.index]!.failure === undefined || plan.ownsModule(m.index),
      )
      .map((m) => this.results[m.index]!);
    const summary = buildSummary(this.search.seed, this.native, results);
    writeFileAtomic(this.out.functionsFile, functionsJsonl(results));
    writeFileAtomic(this.out.summaryFile, stableJson(summary));
    if (this.o.shard !== undefined && plan !== undefined) {
      const parts = this.owned.map((m) => ({ index: m.index, result: this.results[m.index]! }));
      writeFileAtomic(this.out.shardFile, stableJson(shardRecord(this.o.shard, plan, parts)));
    }
    const elapsedMs = performance.now() - this.t0;
    return { summary, out: this.o.out, fresh: this.fresh, reused: this.reused, elapsedMs, jobs: this.jobs };
  }
}

function functionRow(m: LoadedModule, key: string, blocks: number, r: GenReply): FunctionRow {
  if (!r.ok) {
    return {
      module: m.path,
      function: r.function,
      key,
      status: 'failed',
      failure: { kind: 'internal-error', reason: r.reason },
      blocks,
      coveredFirst: 0,
      covered: 0,
      runs: 0,
      inputs: [],
    };
  }
  return {
    module: m.path,
    function: r.function,
    key,
    // Stopped by the guard: failed, with what it found so far (for inspection; summaries skip it).
    ...(r.guard === undefined
      ? { status: 'ok' as const }
      : { status: 'failed' as const, failure: { kind: 'guard-timeout' as const, reason: r.guard } }),
    blocks: r.blocks,
    coveredFirst: r.coveredFirst,
    covered: r.covered,
    runs: r.runs,
    inputs: r.outcomes.map((outcome, index) => {
      const v = r.engine[index]!;
      return v.status === 'ok'
        ? { index, outcome, engine: 'ok' as const }
        : { index, outcome, engine: v.status, engineReason: v.reason };
    }),
  };
}

function inputsPresent(out: OutDir, mkey: string, row: FunctionRow): boolean {
  return row.inputs.every((i) => existsSync(out.inputFile(mkey, row.key, i.index)));
}
