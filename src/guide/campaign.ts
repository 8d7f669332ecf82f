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
 * what is on disk.
 *
 * Failures stay where they happen: a module that cannot be loaded, parsed or compiled is a failed module;
 * a function whose search throws (or whose worker dies) is a failed function; the rest goes on. Only
 * problems with the command itself (no inputs, an output directory that cannot be used) are thrown, as
 * `UserError`s.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeRecord, type InputRecord } from '../gen/record.js';
import { DEFAULT_LIMITS, type RunLimits } from '../gen/runtime.js';
import { moduleHash, replayNativeText } from '../replay/native.js';
import { cacheDir } from '../toolchain/cache.js';
import { loadIRText, sourceLanguage, type CompileOptions } from '../toolchain/compile.js';
import { errorLine, UserError } from '../util/errors.js';
import { statInput, writeFileAtomic } from '../util/fsx.js';
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
} from './layout.js';
import { WorkerCrash, WorkerPool, type GenReply, type ModuleRef, type WorkerReply } from './workers.js';
import { DEFAULT_SEARCH, type SearchOptions } from './search.js';
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
  const out: string[] = [];
  const walk = (d: string): void => {
    const entries = readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && isModuleFile(p)) out.push(p);
    }
  };
  walk(dir);
  return out;
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
    if (st.isDirectory()) {
      const found = findModules(input);
      if (found.length === 0)
        throw new UserError('no .ll, .bc, .c, .cc, .cpp or .cxx files found', { file: input });
      found.forEach(add);
    } else if (isModuleFile(input)) add(input);
    else
      throw new UserError(
        'unsupported input; expected a .ll, .bc, .c, .cc, .cpp or .cxx file or a directory',
        { file: input },
      );
  }
  if (out.length === 0) throw new UserError('no input files given', undefined, 2);
  return out;
}

/** Names of defined functions in IR text, by a quick scan (for the progress total before parsing). */
export function estimateFunctions(text: string, filter: RegExp | undefined): number {
  let n = 0;
  for (const m of text.matchAll(/^define\b[^\n]*?@("(?:[^"\\]|\\.)*"|[-\w$.]+)\s*\(/gm)) {
    const raw = m[1]!;
    const name = raw.startsWith('"') ? raw.slice(1, -1) : raw;
    if (filter === undefined || filter.test(name)) n++;
  }
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

const ORDER_STRIDE = 1_000_000;

export async function runCampaign(o: CampaignOptions, rep: CampaignReporter = {}): Promise<CampaignResult> {
  const t0 = performance.now();
  const jobs = Math.max(1, o.jobs ?? coreCount());
  const filter = functionFilter(o.functions);
  const search: SearchOptions = {
    seed: o.seed ?? DEFAULT_SEARCH.seed,
    maxInputs: o.maxInputs ?? DEFAULT_SEARCH.maxInputs,
    maxRuns: o.maxRuns ?? DEFAULT_SEARCH.maxRuns,
    plateau: o.plateau ?? DEFAULT_SEARCH.plateau,
    maxSteps: o.maxSteps ?? DEFAULT_SEARCH.maxSteps,
  };
  const limits: RunLimits = { ...DEFAULT_LIMITS, ...o.limits };
  const native = o.native === true;
  const copts = o.compile ?? {};
  const paths = discoverModules(o.inputs);
  const out = new OutDir(o.out);
  prepareOut(out, o.force === true);

  // 1. Load every module (sources compile in parallel through the cache).
  const keys = assignKeys(paths, moduleRawKey);
  const modules: LoadedModule[] = await mapLimit(paths, coreCount(), async (path, index) => {
    const key = keys[index]!;
    try {
      const { text, file } = await loadIRText(path, copts);
      const ref: ModuleRef = { key, path, file, hash: moduleHash(text), limits };
      return { index, path, key, ref, text };
    } catch (e) {
      return { index, path, key, failure: { stage: 'load', reason: errorLine(e) } };
    }
  });

  // 2. What the results depend on: a rerun continues only the same run.
  const spec: RunSpec = {
    format: RUN_FORMAT,
    version: RUN_VERSION,
    inputsmith: packageVersion(),
    seed: search.seed,
    inputs: search.maxInputs,
    maxRuns: search.maxRuns,
    plateau: search.plateau,
    maxSteps: search.maxSteps ?? Infinity,
    functions: o.functions ?? null,
    native,
    limits: {
      stepLimit: limits.stepLimit,
      timeLimitMs: limits.timeLimitMs,
      memLimitBytes: limits.memLimitBytes,
    },
    compile: {
      opt: copts.opt ?? 'O1',
      includes: [...(copts.includes ?? [])],
      defines: [...(copts.defines ?? [])],
      debug: copts.debug === true,
    },
    modules: modules.map((m) => ({ path: m.path, key: m.key, hash: m.ref?.hash ?? null })),
  };
  checkRun(out, spec, o.force === true);
  out.sweepTemporaries();

  let fresh = 0;
  let reused = 0;
  const estimates = modules.map((m) => (m.text === undefined ? 0 : estimateFunctions(m.text, filter)));
  rep.onStart?.({ modules: modules.length, functions: estimates.reduce((a, b) => a + b, 0), jobs });

  const pool = new WorkerPool(jobs);
  const nativeGate = new Semaphore(1);
  const results: ModuleResult[] = new Array<ModuleResult>(modules.length);

  const finish = (m: LoadedModule, r: ModuleResult): void => {
    results[m.index] = r;
    m.text = undefined;
    rep.onModuleDone?.(buildSummary(search.seed, native, [r]).modules[0]!);
  };

  /** Search `fns` of module `m` on the pool; a crashed worker costs one function, the rest is requeued. */
  const runFunctions = async (
    m: LoadedModule,
    fns: ModuleIndex['functions'],
    order: number,
  ): Promise<void> => {
    let left = [...fns];
    while (left.length > 0) {
      const answered = new Set<string>();
      const onReply = (r: WorkerReply): void => {
        if (r.kind !== 'function') return;
        const f = left.find((x) => x.name === r.result.function)!;
        answered.add(f.name);
        const row = functionRow(m, f.key, f.blocks, r.result);
        out.writeFunction(m.key, row, r.result.ok ? r.result.records : []);
        out.appendTiming({
          module: m.path,
          function: f.name,
          timeMs: r.result.timeMs,
          runs: row.runs,
          steps: r.result.ok ? r.result.steps : 0,
        });
        fresh++;
        rep.onFunction?.(row, true);
      };
      try {
        await pool.submit(
          order,
          { kind: 'gen', module: m.ref!, functions: left.map((f) => f.name), search },
          m.text!,
          onReply,
        );
        left = left.filter((f) => !answered.has(f.name));
        if (left.length > 0) throw new Error(`worker did not answer for @${left[0]!.name}`);
      } catch (e) {
        if (!(e instanceof WorkerCrash)) throw e;
        left = left.filter((f) => !answered.has(f.name));
        const f = left.shift();
        if (f === undefined) break;
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
        out.writeFunction(m.key, row, []);
        fresh++;
        rep.onFunction?.(row, true);
      }
    }
  };

  const processModule = async (m: LoadedModule): Promise<void> => {
    if (m.failure !== undefined || m.ref === undefined) {
      rep.onModuleListed?.({ module: m.path, functions: 0, estimate: estimates[m.index]! });
      finish(m, { module: m.path, key: m.key, failure: m.failure, rows: [] });
      return;
    }
    const base = m.index * ORDER_STRIDE;
    let ix = out.readModuleIndex(m.key);
    if (ix === undefined || ix.hash !== m.ref.hash) {
      let listed: { name: string; blocks: number }[] | undefined;
      let failure: { stage: string; reason: string } | undefined;
      try {
        await pool.submit(base, { kind: 'list', module: m.ref }, m.text!, (r) => {
          if (r.kind === 'listed') listed = [...r.functions];
          else if (r.kind === 'module-failed') failure = { stage: r.stage, reason: r.reason };
        });
      } catch (e) {
        if (!(e instanceof WorkerCrash)) throw e;
        failure = { stage: 'worker-crash', reason: e.message };
      }
      if (listed === undefined) {
        rep.onModuleListed?.({ module: m.path, functions: 0, estimate: estimates[m.index]! });
        finish(m, {
          module: m.path,
          key: m.key,
          failure: failure ?? { stage: 'parse', reason: 'no answer' },
          rows: [],
        });
        return;
      }
      const selected = listed.filter((f) => filter === undefined || filter.test(f.name));
      const fkeys = assignKeys(selected.map((f) => f.name));
      ix = {
        module: m.path,
        key: m.key,
        hash: m.ref.hash,
        functions: selected.map((f, i) => ({ name: f.name, key: fkeys[i]!, blocks: f.blocks })),
      };
      out.writeModuleIndex(ix);
    }
    rep.onModuleListed?.({ module: m.path, functions: ix.functions.length, estimate: estimates[m.index]! });

    // Functions done by an earlier run (result and inputs on disk) are not searched again.
    const pending: ModuleIndex['functions'][number][] = [];
    for (const f of ix.functions) {
      const row = out.readFunction(m.key, f.key);
      if (row !== undefined && row.function === f.name && inputsPresent(out, m.key, row)) {
        reused++;
        rep.onFunction?.(row, false);
      } else pending.push(f);
    }
    const size = chunkSize(pending.length, jobs);
    const chunks: (typeof pending)[] = [];
    for (let i = 0; i < pending.length; i += size) chunks.push(pending.slice(i, i + size));
    await Promise.all(chunks.map((c, i) => runFunctions(m, c, base + 1 + i)));

    const rows = ix.functions.map((f) => out.readFunction(m.key, f.key)!);
    let nativeRows: NativeRow[] | undefined;
    if (native) {
      nativeRows = out.readNative(m.key);
      if (nativeRows === undefined) {
        const text = m.text!;
        nativeRows = await nativeGate.use(() => replayModuleNatively(out, m, text, rows, o, jobs, rep));
        out.writeNative(m.key, nativeRows);
      }
    }
    finish(m, { module: m.path, key: m.key, rows, native: nativeRows });
  };

  try {
    await Promise.all(modules.map(processModule));
  } finally {
    await pool.close();
  }

  const summary = buildSummary(search.seed, native, results);
  writeFileAtomic(out.functionsFile, functionsJsonl(results));
  writeFileAtomic(out.summaryFile, stableJson(summary));
  return { summary, out: o.out, fresh, reused, elapsedMs: performance.now() - t0, jobs };
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
    status: 'ok',
    blocks: r.blocks,
    coveredFirst: r.coveredFirst,
    covered: r.covered,
    runs: r.runs,
    inputs: r.outcomes.map((outcome, index) => {
      const v = r.engine[index]!;
      return v.status === 'ok'
        ? { index, outcome, engine: 'ok' as const }
        : { index, outcome, engine: 'mismatch' as const, engineReason: v.reason };
    }),
  };
}

function inputsPresent(out: OutDir, mkey: string, row: FunctionRow): boolean {
  return row.inputs.every((i) => existsSync(out.inputFile(mkey, row.key, i.index)));
}

async function replayModuleNatively(
  out: OutDir,
  m: LoadedModule,
  text: string,
  rows: readonly FunctionRow[],
  o: CampaignOptions,
  jobs: number,
  rep: CampaignReporter,
): Promise<NativeRow[]> {
  const records: InputRecord[] = [];
  for (const row of rows)
    for (const i of row.inputs) {
      const file = out.inputFile(m.key, row.key, i.index);
      records.push(decodeRecord(readFileSync(file, 'utf8'), file));
    }
  if (records.length === 0) return [];
  rep.onNativeStart?.(m.path, records.length);
  try {
    const res = await replayNativeText(text, m.ref!.file, records, {
      timeoutMs: o.nativeTimeoutMs ?? 5000,
      memLimitMb: o.nativeMemLimitMb ?? 512,
      workDir: join(cacheDir(), 'native'),
      jobs,
      clang: o.compile?.clang,
    });
    return res.map((r) => ({ function: r.function, index: r.index, status: r.status, reason: r.reason }));
  } catch (e) {
    const reason = errorLine(e);
    return records.map((r) => ({ function: r.function, index: r.index, status: 'failed', reason }));
  }
}

/** Make sure OUT can be written; refuse a non-empty directory that is not a campaign's unless forced. */
function prepareOut(out: OutDir, force: boolean): void {
  try {
    makeDirs(out.root);
  } catch (e) {
    throw new UserError(
      `cannot create the output directory: ${(e as NodeJS.ErrnoException).code ?? errorLine(e)}`,
      {
        file: out.root,
      },
    );
  }
  if (!statSync(out.root).isDirectory()) throw new UserError('is not a directory', { file: out.root });
  const entries = readdirSync(out.root);
  if (entries.length > 0 && !entries.includes('run.json') && !force) {
    throw new UserError('is not empty and holds no inputsmith run (use --force to write into it anyway)', {
      file: out.root,
    });
  }
  try {
    writeFileAtomic(join(out.root, '.write-test'), '');
  } catch (e) {
    throw new UserError(
      `cannot write to the output directory: ${(e as NodeJS.ErrnoException).code ?? errorLine(e)}`,
      {
        file: out.root,
      },
    );
  }
  rmSync(join(out.root, '.write-test'), { force: true });
}

/**
 * `mkdir -p`, one level at a time: Node's recursive mkdir never returns for some paths on special file
 * systems (e.g. under /proc).
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

/** Compare with the run OUT holds; start over when forced. Writes run.json. */
function checkRun(out: OutDir, spec: RunSpec, force: boolean): void {
  const want = stableJson(spec);
  let have: string | undefined;
  try {
    have = readFileSync(out.runFile, 'utf8');
  } catch {
    have = undefined;
  }
  if (have !== undefined && have !== want) {
    if (!force) {
      throw new UserError(
        `holds a run with different options or inputs (${runDifference(have, spec)}); use --force to start over`,
        {
          file: out.root,
        },
      );
    }
    out.clear();
  }
  if (have !== want) writeFileAtomic(out.runFile, want);
}

/** The first option or input that differs, for the refusal message. */
function runDifference(haveText: string, spec: RunSpec): string {
  let have: Partial<RunSpec>;
  try {
    have = JSON.parse(haveText) as Partial<RunSpec>;
  } catch {
    return 'run.json is damaged';
  }
  const show = (v: unknown): string => JSON.stringify(v) ?? 'none';
  for (const k of Object.keys(spec) as (keyof RunSpec)[]) {
    if (k === 'modules') continue;
    if (show(have[k]) !== show(spec[k])) return `${k}: ${show(have[k])} before, ${show(spec[k])} now`;
  }
  const before = have.modules ?? [];
  for (const m of spec.modules) {
    const b = before.find((x) => x.path === m.path);
    if (b === undefined) return `module ${m.path} is new`;
    if (b.hash !== m.hash) return `module ${m.path} changed`;
  }
  const gone = before.find((b) => !spec.modules.some((m) => m.path === b.path));
  if (gone !== undefined) return `module ${gone.path} is no longer given`;
  return 'module order differs';
}
