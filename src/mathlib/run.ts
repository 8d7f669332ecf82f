/**
 * @fileoverview Stage: mathlib. A mathlib run: every requested function, over its input set, for every
 * implementation, against the MPFR reference; the entry point of the library (`runMathlib`).
 *
 * Consumes: `MathlibOptions`. Produces: `MathlibResult` (merged tallies, engine-vs-glibc differences, run
 * times), and the work directory's cache: WORK/bin/ (harness executables by source hash) and
 * WORK/runs/FUNC/INPUTKEY/cNNNNN.*.json (one chunk's figures per implementation, src/mathlib/chunk.ts).
 *
 * Scheduling: chunks are independent; `jobs` worker threads take them in order (each chunk runs its C
 * programs as child processes and evaluates the JavaScript implementations in large typed arrays), so a
 * 2-core machine keeps both cores busy with `jobs` 2. With `jobs` 1 the chunks run in the calling thread
 * (no compiled sources needed: the tests). Merging reads the chunk files in chunk order, so the figures do
 * not depend on `jobs` or on how often the run was resumed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { UserError } from '../util/errors.js';
import { binSpec, binStart, type BinSpec } from './bins.js';
import { chunkFile, missing, runChunk, type ChunkTask, type FidelityChunk, type ImplChunk } from './chunk.js';
import { mathFunction, type MathFunction } from './functions.js';
import { fileImpl, glibcImpl, muslImpl, type ImplFileSpec, type NativeImpl } from './harness.js';
import { JS_IMPLS, type JsImplName } from './impls.js';
import { chunksOf, inputCount, inputKey, inputSet, type InputSet } from './inputs.js';
import { emptyTally, mergeTally, type BitDiff, type Tally } from './measure.js';
import { referenceExe } from './reference.js';
import type { Domain } from './functions.js';

export const BUILTIN_IMPLS = ['glibc', 'musl', 'engine', 'js'] as const;

export interface MathlibOptions {
  readonly functions: readonly string[];
  /** Built-in implementations (glibc, musl, engine, js). */
  readonly impls: readonly string[];
  readonly implFiles?: readonly ImplFileSpec[];
  readonly range?: Domain;
  readonly samples?: number;
  readonly seed?: number;
  readonly jobs?: number;
  readonly work: string;
  /** Differences listed per chunk at most (the count is always exact). */
  readonly diffCap?: number;
  /** Compute nothing: report the chunks already in the work directory (a partial run says so). */
  readonly cachedOnly?: boolean;
  readonly reporter?: MathlibReporter;
}

/** Progress of a run (the CLI draws it; tests pass nothing). */
export interface MathlibReporter {
  onFunctionStart?(fn: string, chunks: number, cached: number, inputs: number): void;
  onChunk?(fn: string, done: number, total: number): void;
  onFunctionEnd?(fn: string, seconds: number): void;
}

export interface ImplResult {
  readonly tally: Tally;
  /** Seconds of evaluation summed over chunks (CPU of one thread or process each). */
  readonly seconds: number;
  /** Functions an --impl-file does not define are skipped. */
  readonly skipped?: boolean;
}

export interface FunctionResult {
  readonly name: string;
  readonly float: boolean;
  readonly arity: number;
  readonly inputs: number;
  readonly exhaustive: boolean;
  readonly set: InputSet;
  readonly impls: Record<string, ImplResult>;
  readonly reference: { readonly seconds: number; readonly fallbacks: number };
  /** Engine against glibc, bit for bit (when both ran). */
  readonly fidelity?: { readonly count: number; readonly diffs: BitDiff[] };
  /** Left edges of the error-by-argument bins. */
  readonly binStarts: number[];
  /** Wall seconds of this run for the function (0 when everything came from the cache). */
  readonly wallSeconds: number;
  /** The chunk files (cNNNNN.fidelity.bin hold every difference). */
  readonly cacheDir: string;
  readonly chunks: number;
  /** Chunks not measured (only with `cachedOnly`): the figures cover the others. */
  readonly chunksMissing: number;
}

export interface MathlibResult {
  readonly functions: FunctionResult[];
  readonly impls: string[];
  readonly versions: Record<string, string>;
  readonly wallSeconds: number;
}

function tempRoot(): string {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = join(base, `inputsmith-mathlib-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The worker entry: compiled next to this file, or dist/ when running from sources (vitest). */
function workerEntry(): URL {
  const own = new URL('./worker.js', import.meta.url);
  if (import.meta.url.endsWith('.js')) return own;
  const built = new URL('../../dist/mathlib/worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(built)))
    throw new UserError('mathlib: worker threads need the compiled sources: run `npm run build` first');
  return built;
}

/** Run tasks on `jobs` worker threads (or here, for 1), calling `done` after each. */
async function runTasks(tasks: ChunkTask[], jobs: number, done: () => void): Promise<void> {
  if (jobs <= 1) {
    for (const t of tasks) {
      runChunk(t);
      done();
      await new Promise((r) => setImmediate(r));
    }
    return;
  }
  const entry = workerEntry();
  let next = 0;
  let failed = false;
  await Promise.all(
    Array.from({ length: Math.min(jobs, tasks.length) }, async () => {
      const w = new Worker(entry);
      try {
        while (next < tasks.length && !failed) {
          const task = tasks[next++] as ChunkTask;
          const answer = await new Promise<{ error?: string }>((resolve, reject) => {
            w.once('message', resolve);
            w.once('error', reject);
            w.postMessage(task);
          });
          w.removeAllListeners('error');
          if (answer.error !== undefined) {
            failed = true;
            throw new UserError(answer.error);
          }
          done();
        }
      } finally {
        await w.terminate();
      }
    }),
  );
}

/** Tasks ordered by the bit reversal of their chunk index (0, n/2, n/4, 3n/4, ...). */
function spread(tasks: ChunkTask[]): ChunkTask[] {
  const top = Math.max(1, ...tasks.map((t) => t.chunk.index));
  const bits = Math.max(1, Math.ceil(Math.log2(top + 1)));
  const rev = (i: number): number => {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    return r;
  };
  return [...tasks].sort((a, b) => rev(a.chunk.index) - rev(b.chunk.index));
}

function nativeImpls(o: MathlibOptions): NativeImpl[] {
  const out: NativeImpl[] = [];
  if (o.impls.includes('glibc')) out.push(glibcImpl(o.work));
  if (o.impls.includes('musl')) out.push(muslImpl(o.work));
  for (const spec of o.implFiles ?? []) out.push(fileImpl(o.work, spec));
  return out;
}

/** Run the measures; cached chunks are read back, missing ones computed. */
export async function runMathlib(o: MathlibOptions): Promise<MathlibResult> {
  const start = Date.now();
  for (const i of o.impls)
    if (!(BUILTIN_IMPLS as readonly string[]).includes(i))
      throw new UserError(
        `mathlib: unknown implementation '${i}' (known: ${BUILTIN_IMPLS.join(', ')}; others with --impl-file NAME=PATH)`,
      );
  const fns: MathFunction[] = o.functions.map(mathFunction);
  const natives = nativeImpls(o);
  const refExe = referenceExe(o.work);
  const js = JS_IMPLS.filter((j) => o.impls.includes(j)) as JsImplName[];
  const implNames = [...natives.map((n) => n.name), ...js];
  const tmp = tempRoot();
  const results: FunctionResult[] = [];
  // The temporary directory may be in tmpfs (memory): removed on SIGINT/SIGTERM too, then the usual exit.
  const onSignal = (sig: NodeJS.Signals): void => {
    rmSync(tmp, { recursive: true, force: true });
    process.kill(process.pid, sig);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const fn of fns) results.push(await runFunction(fn, o, natives, js, refExe, tmp));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    rmSync(tmp, { recursive: true, force: true });
  }
  return {
    functions: results,
    impls: implNames,
    versions: versions(),
    wallSeconds: (Date.now() - start) / 1000,
  };
}

async function runFunction(
  fn: MathFunction,
  o: MathlibOptions,
  natives: NativeImpl[],
  js: JsImplName[],
  refExe: string,
  tmp: string,
): Promise<FunctionResult> {
  const set = inputSet(fn, {
    ...(o.range ? { range: o.range } : {}),
    ...(o.samples !== undefined ? { samples: o.samples } : {}),
    seed: o.seed ?? 1,
  });
  const dir = join(o.work, 'runs', fn.name, inputKey(set));
  mkdirSync(dir, { recursive: true });
  const bins: BinSpec = binSpec(fn, set);
  const own = natives.filter((n) => n.provides.has(fn.name));
  const fidelity = own.some((n) => n.kind === 'glibc') && js.includes('engine');
  const tasks: ChunkTask[] = chunksOf(set).map((chunk) => ({
    fn: fn.name,
    set,
    chunk,
    natives: own.map((n) => ({ name: n.name, exe: n.exe })),
    js,
    refExe,
    dir,
    tmp,
    fidelity,
    diffCap: o.diffCap ?? 1000,
    bins,
  }));
  // Pending chunks in bit-reversed order: any prefix of an interrupted run covers the whole range evenly.
  const pending = spread(tasks.filter((t) => missing(t).length > 0));
  o.reporter?.onFunctionStart?.(fn.name, tasks.length, tasks.length - pending.length, inputCount(set, fn));
  const t0 = Date.now();
  let done = tasks.length - pending.length;
  if (!o.cachedOnly)
    await runTasks(pending, o.jobs ?? 1, () => o.reporter?.onChunk?.(fn.name, ++done, tasks.length));
  const wall = pending.length === 0 || o.cachedOnly ? 0 : (Date.now() - t0) / 1000;
  o.reporter?.onFunctionEnd?.(fn.name, wall);
  const complete = o.cachedOnly ? tasks.filter((t) => missing(t).length === 0) : tasks;
  return merge(fn, set, complete, natives, js, bins, wall, tasks.length);
}

function merge(
  fn: MathFunction,
  set: InputSet,
  tasks: ChunkTask[],
  natives: NativeImpl[],
  js: JsImplName[],
  bins: BinSpec,
  wall: number,
  all: number,
): FunctionResult {
  const read = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
  const impls: Record<string, ImplResult> = {};
  for (const n of natives)
    if (!n.provides.has(fn.name)) impls[n.name] = { tally: emptyTally(), seconds: 0, skipped: true };
  const names = [...natives.filter((n) => n.provides.has(fn.name)).map((n) => n.name), ...js];
  for (const name of names) {
    const tally = emptyTally();
    let seconds = 0;
    for (const t of tasks) {
      const c = read<ImplChunk>(chunkFile(t.dir, t.chunk.index, name));
      mergeTally(tally, c.tally);
      seconds += c.seconds;
    }
    impls[name] = { tally, seconds };
  }
  let refSeconds = 0;
  let fallbacks = 0;
  for (const t of tasks) {
    const r = read<{ seconds: number; fallbacks: number }>(chunkFile(t.dir, t.chunk.index, 'reference'));
    refSeconds += r.seconds;
    fallbacks += r.fallbacks;
  }
  let fidelity: FunctionResult['fidelity'];
  if (tasks[0]?.fidelity) {
    let count = 0;
    const diffs: BitDiff[] = [];
    for (const t of tasks) {
      const f = read<FidelityChunk>(chunkFile(t.dir, t.chunk.index, 'fidelity'));
      count += f.count;
      diffs.push(...f.diffs);
    }
    fidelity = { count, diffs };
  }
  return {
    name: fn.name,
    float: fn.float,
    arity: fn.arity,
    inputs:
      tasks.length === all
        ? inputCount(set, fn)
        : (Object.values(impls).find((x) => !x.skipped)?.tally.n ?? 0),
    exhaustive: set.kind === 'bits',
    set,
    impls,
    reference: { seconds: refSeconds, fallbacks },
    ...(fidelity !== undefined ? { fidelity } : {}),
    binStarts: Array.from({ length: bins.count }, (_, k) => binStart(bins, k)),
    wallSeconds: wall,
    cacheDir: tasks[0]?.dir ?? '',
    chunks: tasks.length,
    chunksMissing: all - tasks.length,
  };
}

/** Versions of what was measured, for the report. */
function versions(): Record<string, string> {
  return { node: process.versions.node, v8: process.versions.v8, ...libraryVersions() };
}

let cachedVersions: Record<string, string> | undefined;
function libraryVersions(): Record<string, string> {
  if (cachedVersions !== undefined) return cachedVersions;
  const q = (cmd: string, args: string[]): string => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : 'unknown';
  };
  cachedVersions = {
    glibc: q('getconf', ['GNU_LIBC_VERSION']).replace(/^glibc /, ''),
    musl: q('dpkg-query', ['-W', '-f', '${Version}', 'musl']),
    mpfr: q('dpkg-query', ['-W', '-f', '${Version}', 'libmpfr6']),
    cpu: (/model name\s*:\s*(.*)/.exec(safeRead('/proc/cpuinfo'))?.[1] ?? 'unknown').trim(),
    fma: /\bfma\b/.test(safeRead('/proc/cpuinfo')) ? 'yes' : 'no',
  };
  return cachedVersions;
}

function safeRead(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
