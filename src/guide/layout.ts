/**
 * @fileoverview Stage: guide. The output directory of a generation campaign: where everything goes, the
 * names used on disk, and the files that make a run resumable.
 *
 * Consumes: module paths, function names, results. Produces: the layout below, every file written
 * atomically (temporary name + rename) and as stable JSON (fixed key order, no timings), so the same
 * options give the same bytes with any number of workers, and an interrupted run continues where it
 * stopped:
 *
 *   OUT/run.json                              what the results depend on (`RunSpec`); a rerun must match
 *   OUT/inputs/<module-key>/<fn-key>/<k>.json the kept inputs (docs/input-format.md)
 *   OUT/sample/<module-key>/<fn-key>/<k>.json with --sample N: up to N runs that ended normally, drawn
 *                                             before selection (same format), written before the result
 *   OUT/results/<module-key>/module.json      the module's selected functions (written once listed)
 *   OUT/results/<module-key>/<fn-key>.json    one function's result (`FunctionRow`): written last, so it
 *                                             marks the function done
 *   OUT/native/<module-key>.json              native replay verdicts of the module's inputs (--native)
 *   OUT/functions.jsonl                       every function's row, native verdicts merged in
 *   OUT/summary.json                          totals and per-module figures (docs/summary-json.md)
 *   OUT/timings.jsonl                         time and steps per function searched, appended as they
 *                                             finish (the only file that differs between runs)
 *   OUT/shard.json                            gen --shard i/N only: the modules of the share (./shard.ts)
 *
 * `OutDir.prepare` and `OutDir.checkRun` decide whether a directory may take a run: an empty or new one,
 * or one holding the same run (same `RunSpec`), which the run continues; anything else only with --force.
 *
 * Keys are file-system safe (letters, digits, `._+-~`), unique within their directory even on a
 * case-insensitive file system; a name that had to change gets a hash of the original appended.
 */
import type { SolveStats } from './solve.js';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import { errorLine, UserError } from '../util/errors.js';
import { TEMP_SIBLING, walkFiles, writeFileAtomic } from '../util/fsx.js';

export const RUN_FORMAT = 'inputsmith-run';
export const RUN_VERSION = 1;

/** Options and inputs that determine a campaign's results (`jobs` does not; it is not here). */
export interface RunSpec {
  readonly format: typeof RUN_FORMAT;
  readonly version: number;
  /** inputsmith's version. */
  readonly inputsmith: string;
  readonly seed: string;
  readonly inputs: number;
  readonly maxRuns: number;
  readonly plateau: number;
  /** Steps of all runs of a function at most. */
  readonly maxSteps: number;
  /** A run's calibrated step budget (guide/search.ts `RunBudget`); factor 0: every run gets `limits.stepLimit`. */
  readonly runStepFactor: number;
  readonly runStepFloor: number;
  /** The time guard of one function, ms (which functions fail `guard-timeout` depends on it). */
  readonly functionTimeoutMs: number;
  /** `--functions` regular expression, or null for all functions. */
  readonly functions: string | null;
  readonly native: boolean;
  /** `--sample`: records per function of the pre-selection sample; absent when 0. */
  readonly sample?: number;
  /** `--grow`: target steps of the workload inputs; absent when 0. */
  readonly grow?: number;
  /** `--solve`: z3 queries per function; absent when 0. */
  readonly solve?: number;
  /** `--solve-off`: solver heuristics turned off; absent when none. */
  readonly solveOff?: readonly string[];
  readonly limits: {
    readonly stepLimit: number;
    readonly timeLimitMs: number;
    readonly memLimitBytes: number;
    readonly inputLimitBytes: number;
  };
  readonly compile: {
    readonly opt: string;
    readonly includes: readonly string[];
    readonly defines: readonly string[];
    readonly debug: boolean;
  };
  /**
   * `gen --shard i/N` (./shard.ts): this directory holds share `index` of `count`; absent in a whole run
   * (and in the merge of its shards).
   */
  readonly shard?: {
    readonly index: number;
    readonly count: number;
    readonly costs?: string;
    /** A queue job's share (./queue.ts): consecutive functions. */
    readonly contiguous?: true;
  };
  /** Modules in campaign order; `hash` is null for a module that could not be loaded. */
  readonly modules: readonly { readonly path: string; readonly key: string; readonly hash: string | null }[];
}

/**
 * Every way a function can fail (its row's `failure.kind`), with a stable id: summary.json counts them
 * (`failedByKind`), docs/summary-json.md describes them.
 */
export const FAILURES = {
  'internal-error': { description: 'the search threw: a bug in inputsmith' },
  'worker-crash': {
    description:
      'the worker thread died while searching the function (out of memory), or the watchdog stopped it',
  },
  'guard-timeout': {
    description:
      'the time guard (--function-timeout) stopped its search or engine replay; the inputs found before are kept',
  },
  'job-failed': {
    description:
      'queue: the job holding the function failed for good (it threw, or lost its worker, more often than submit --attempts allows: a poison job)',
  },
} as const satisfies { readonly [id: string]: { readonly description: string } };

export type FailureKind = keyof typeof FAILURES;

export const FAILURE_KINDS: readonly FailureKind[] = Object.keys(FAILURES) as FailureKind[];

/** One input of a function, as its result row lists it. */
export interface InputRow {
  readonly index: number;
  /** Outcome kind of the run (src/engine/outcome.ts). */
  readonly outcome: string;
  /** Engine replay right after generation (`not-run`: the guard stopped the function first). */
  readonly engine: 'ok' | 'mismatch' | 'not-run';
  readonly engineReason?: string;
  /** Native replay (only in functions.jsonl, with --native). */
  readonly native?: string;
  readonly nativeReason?: string;
  /** Why it did not replay natively (`NATIVE_CAUSES`, src/replay/native-check.ts). */
  readonly nativeCause?: string;
}

/** One function's result. */
export interface FunctionRow {
  readonly module: string;
  readonly function: string;
  /** Directory name of its inputs under inputs/<module-key>/. */
  readonly key: string;
  readonly status: 'ok' | 'failed';
  readonly failure?: { readonly kind: FailureKind; readonly reason: string };
  readonly blocks: number;
  readonly coveredFirst: number;
  readonly covered: number;
  readonly runs: number;
  readonly inputs: readonly InputRow[];
}

/** A module's selected functions, in module order. */
export interface ModuleIndex {
  readonly module: string;
  readonly key: string;
  readonly hash: string;
  readonly functions: readonly { readonly name: string; readonly key: string; readonly blocks: number }[];
}

/** A line of timings.jsonl: how long one function's search took (informative, machine-dependent). */
export interface TimingRow {
  readonly module: string;
  readonly function: string;
  /** Search plus engine replay of the kept inputs, in the worker, milliseconds. */
  readonly timeMs: number;
  readonly runs: number;
  /** Engine steps of all runs (0 when the search failed). */
  readonly steps: number;
  /**
   * CPU time of the worker thread for it, ms, at 10 ms resolution (what the time guard counts; below
   * `timeMs` when the machine is loaded); null where there is no per-thread clock.
   */
  readonly cpuMs: number | null;
  /** Thread id of the worker that searched it (a worker the watchdog replaced has a new one). */
  readonly worker: number;
  /** What the solver did (`--solve`): paths, queries and their answers, solutions kept, concretisations. */
  readonly solve?: SolveStats;
}

export interface NativeRow {
  readonly function: string;
  readonly index: number;
  readonly status: string;
  readonly reason: string;
  /** Absent when ok. */
  readonly cause?: string;
}

// ---------------------------------------------------------------------------------------------------
// Names on disk

const SAFE = /^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$/;
const MAX_KEY = 96;

const shortHash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 8);

/** A file-system safe name for `raw` (unchanged when already safe and short). */
export function safeName(raw: string): string {
  if (SAFE.test(raw) && raw.length <= MAX_KEY) return raw;
  let s = raw.replace(/[^A-Za-z0-9._+-]/g, '_');
  if (s.startsWith('.') || s === '') s = `_${s}`;
  return `${s.slice(0, MAX_KEY - 9)}-${shortHash(raw)}`;
}

/** Unique safe keys for `names` (in order; the same list always gives the same keys). */
export function assignKeys(names: readonly string[], toRaw: (name: string) => string = (n) => n): string[] {
  const taken = new Set<string>();
  return names.map((name) => {
    const raw = toRaw(name);
    let key = safeName(raw);
    for (let i = 2; taken.has(key.toLowerCase()) || key.toLowerCase() === 'module'; i++)
      key = `${safeName(raw)}~${i}`;
    taken.add(key.toLowerCase());
    return key;
  });
}

/** The raw key of a module path: its segments joined by `_` (`..` becomes `up`, a leading `/` is dropped). */
export function moduleRawKey(path: string): string {
  const segs = normalize(path)
    .split(/[/\\]+/)
    .filter((s) => s !== '' && s !== '.')
    .map((s) => (s === '..' ? 'up' : s));
  return segs.join('_');
}

// ---------------------------------------------------------------------------------------------------
// Paths and files

export class OutDir {
  constructor(readonly root: string) {}

  get runFile(): string {
    return join(this.root, 'run.json');
  }
  get summaryFile(): string {
    return join(this.root, 'summary.json');
  }
  get functionsFile(): string {
    return join(this.root, 'functions.jsonl');
  }
  /** Wall-clock time and engine steps per function searched (the one file that differs between runs). */
  get timingsFile(): string {
    return join(this.root, 'timings.jsonl');
  }
  /** `gen --shard`: the shard's record (./shard.ts), written when the shard's run ends. */
  get shardFile(): string {
    return join(this.root, 'shard.json');
  }
  inputsDir(mkey: string, fkey?: string): string {
    return fkey === undefined ? join(this.root, 'inputs', mkey) : join(this.root, 'inputs', mkey, fkey);
  }
  inputFile(mkey: string, fkey: string, index: number): string {
    return join(this.root, 'inputs', mkey, fkey, `${index}.json`);
  }
  /** The pre-selection sample of a function (`--sample`). */
  sampleDir(mkey: string, fkey: string): string {
    return join(this.root, 'sample', mkey, fkey);
  }
  sampleFile(mkey: string, fkey: string, index: number): string {
    return join(this.root, 'sample', mkey, fkey, `${index}.json`);
  }
  moduleIndexFile(mkey: string): string {
    return join(this.root, 'results', mkey, 'module.json');
  }
  resultFile(mkey: string, fkey: string): string {
    return join(this.root, 'results', mkey, `${fkey}.json`);
  }
  nativeFile(mkey: string): string {
    return join(this.root, 'native', `${mkey}.json`);
  }

  /** Everything a campaign writes (for --force). */
  ownEntries(): string[] {
    return [
      'run.json',
      'summary.json',
      'functions.jsonl',
      'timings.jsonl',
      'inputs',
      'results',
      'native',
      'sample',
      'shard.json',
    ].map((e) => join(this.root, e));
  }

  /**
   * Make sure the directory can be written: created when missing; a non-empty directory that holds no
   * run (no run.json) is refused unless forced. Throws `UserError`.
   */
  prepare(force: boolean): void {
    try {
      makeDirs(this.root);
    } catch (e) {
      throw new UserError(`cannot create the output directory: ${errnoOrLine(e)}`, { file: this.root });
    }
    if (!statSync(this.root).isDirectory()) throw new UserError('is not a directory', { file: this.root });
    const entries = readdirSync(this.root);
    if (entries.length > 0 && !entries.includes('run.json') && !force) {
      throw new UserError('is not empty and holds no inputsmith run (use --force to write into it anyway)', {
        file: this.root,
      });
    }
    const probe = join(this.root, '.write-test');
    try {
      writeFileAtomic(probe, '');
    } catch (e) {
      throw new UserError(`cannot write to the output directory: ${errnoOrLine(e)}`, { file: this.root });
    }
    rmSync(probe, { force: true });
  }

  /**
   * Compare `spec` with the run the directory holds: a different run is refused (`UserError` naming the
   * first difference) unless forced, then everything of it is removed. Writes run.json.
   */
  checkRun(spec: RunSpec, force: boolean): void {
    const want = stableJson(spec);
    let have: string | undefined;
    try {
      have = readFileSync(this.runFile, 'utf8');
    } catch {
      have = undefined;
    }
    if (have !== undefined && have !== want) {
      if (!force) {
        throw new UserError(
          `holds a run with different options or inputs (${runDifference(have, spec)}); use --force to start over`,
          { file: this.root },
        );
      }
      this.clear();
    }
    if (have !== want) writeFileAtomic(this.runFile, want);
  }

  clear(): void {
    for (const p of this.ownEntries()) rmSync(p, { recursive: true, force: true });
  }

  /** Remove temporary files an interrupted run left behind. */
  sweepTemporaries(): void {
    const filter = (p: string): boolean => TEMP_SIBLING.test(p);
    for (const p of this.ownEntries())
      if (isDir(p))
        for (const f of walkFiles(p, { ignoreUnreadable: true, filter })) rmSync(f, { force: true });
    for (const e of safeReaddir(this.root))
      if (TEMP_SIBLING.test(e)) rmSync(join(this.root, e), { force: true });
  }

  /** Write one function's inputs and its sample, then its result (which marks it done). */
  writeFunction(
    mkey: string,
    row: FunctionRow,
    records: readonly string[],
    sample: readonly string[] = [],
  ): void {
    rmSync(this.inputsDir(mkey, row.key), { recursive: true, force: true });
    records.forEach((text, i) => writeFileAtomic(this.inputFile(mkey, row.key, i), text));
    rmSync(this.sampleDir(mkey, row.key), { recursive: true, force: true });
    sample.forEach((text, i) => writeFileAtomic(this.sampleFile(mkey, row.key, i), text));
    writeFileAtomic(this.resultFile(mkey, row.key), stableJson(row));
  }

  /** Append one function's timing (not atomic with its result: a lost line costs nothing but a figure). */
  appendTiming(t: TimingRow): void {
    appendFileSync(this.timingsFile, `${JSON.stringify(t)}\n`);
  }

  readFunction(mkey: string, fkey: string): FunctionRow | undefined {
    return readJson<FunctionRow>(this.resultFile(mkey, fkey));
  }

  writeModuleIndex(ix: ModuleIndex): void {
    writeFileAtomic(this.moduleIndexFile(ix.key), stableJson(ix));
  }

  readModuleIndex(mkey: string): ModuleIndex | undefined {
    return readJson<ModuleIndex>(this.moduleIndexFile(mkey));
  }

  writeNative(mkey: string, rows: readonly NativeRow[]): void {
    writeFileAtomic(this.nativeFile(mkey), stableJson(rows));
  }

  readNative(mkey: string): NativeRow[] | undefined {
    return readJson<NativeRow[]>(this.nativeFile(mkey));
  }
}

/** JSON with two-space indentation and a final newline (key order is the objects' own). */
export function stableJson(v: unknown): string {
  return `${JSON.stringify(v, null, 2)}\n`;
}

function readJson<T>(path: string): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined; // a damaged file counts as missing: its work is redone
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function safeReaddir(d: string): string[] {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

/** Create `dir` (and parents). */
export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

function errnoOrLine(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? errorLine(e);
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
