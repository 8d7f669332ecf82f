/**
 * @fileoverview Stage: guide. The worker thread of a generation campaign or a batch replay (started by
 * ./workers.ts, never imported).
 *
 * Consumes: `WorkerRequest`s, one at a time. Produces: `WorkerReply`s: a module's defined functions
 * (`listed`) or why it cannot be used (`module-failed`); per function searched, its result with the kept
 * records encoded and replayed once in the engine, both under the function's time guard
 * (`function`); engine verdicts of records (`verdicts`); then `done`.
 *
 * The worker holds one module at a time: parsed and compiled once (one `GenSession`) and reused for every
 * task about it. A function whose search throws is reported as failed with the error's first line, and
 * the session is rebuilt before the next function, so no function's result depends on another's failure.
 * A function the guard stops is reported with its inputs so far and `guard` set; the worker goes on.
 */
import { parentPort, threadId } from 'node:worker_threads';
import { decodeRecord, encodeRecord } from '../gen/record.js';
import { GenSession } from '../gen/runtime.js';
import { parseModule } from '../ir/parser.js';
import type { Module } from '../ir/model.js';
import { replayInEngine, type EngineVerdict } from '../replay/engine.js';
import { threadCpuMs } from '../util/cputime.js';
import { errorLine } from '../util/errors.js';
import { DEFAULTS } from '../util/defaults.js';
import type { GenReply, ModuleRef, WorkerReply, WorkerRequest } from './workers.js';
import { searchAndReplay, searchAndReplaySolving, type GuardedResult } from './search.js';
import type { SolveStats } from './solve.js';
import { Solver } from './sym/z3.js';

interface Held {
  readonly ref: ModuleRef;
  readonly text: string;
  module?: Module;
  session?: GenSession;
  /** Why the module cannot be parsed or compiled (kept: it will not change). */
  failed?: StageError;
}

let held: Held | undefined;

// ---------------------------------------------------------------------------------------------------
// Environment: the one place this file reads it. Documented in docs/cli.md (gen, "For tests").

/**
 * Fault injection for tests: `INPUTSMITH_FAULT=throw:<fn>` makes the search of @fn throw,
 * `crash:<fn>` ends the worker thread in the middle of it, `hang:<fn>` loops forever (the pool's watchdog).
 * Read once, when the worker thread starts.
 */
const FAULT = /^(throw|crash|hang):(.*)$/.exec(process.env.INPUTSMITH_FAULT ?? '');

// ---------------------------------------------------------------------------------------------------

function post(r: WorkerReply): void {
  parentPort!.postMessage(r);
}

/** The held module for `ref`, taking `text` when given. */
function hold(ref: ModuleRef, text: string | undefined): Held {
  if (held !== undefined && held.ref.key === ref.key && held.ref.hash === ref.hash && text === undefined)
    return held;
  if (text === undefined) throw new Error(`worker: no IR text for module ${ref.path}`);
  // The next module reuses this one's memory (a session that threw was disposed by reset already).
  held?.session?.dispose();
  held = { ref, text };
  return held;
}

/** Parse and compile the held module (once); failures are thrown tagged with their stage. */
function session(h: Held): GenSession {
  if (h.session !== undefined) return h.session;
  if (h.failed !== undefined) throw h.failed;
  if (h.module === undefined) {
    try {
      h.module = parseModule(h.text, h.ref.file);
    } catch (e) {
      throw (h.failed = new StageError('parse', errorLine(e)));
    }
  }
  try {
    h.session = new GenSession(h.module, {
      modulePath: h.ref.path,
      moduleHash: h.ref.hash,
      limits: h.ref.limits,
    });
  } catch (e) {
    throw (h.failed = new StageError('engine', errorLine(e)));
  }
  return h.session;
}

/**
 * Forget the session (and the parsed module, which the engine may have annotated) after a throw. Its
 * memory is disposed first, so the next session reuses the two 1 GiB buffers: fresh ones cost a full
 * garbage collection and a page fault for every page touched again. A throw out of a search or a replay
 * comes between runs (a throw inside a run is the run's outcome), where the session knows everything it
 * wrote; a session that cannot even be disposed is dropped and its buffers are left to the collector.
 */
function reset(h: Held): void {
  try {
    h.session?.dispose();
  } catch {
    // Dropped below; the next session allocates fresh buffers.
  }
  h.session = undefined;
  h.module = undefined;
}

class StageError extends Error {
  constructor(
    readonly stage: 'parse' | 'engine',
    message: string,
  ) {
    super(message);
  }
}

function list(h: Held): void {
  try {
    const s = session(h);
    post({
      kind: 'listed',
      functions: s.functions().map((name) => ({ name, blocks: s.func(name).blocks.length })),
    });
  } catch (e) {
    if (!(e instanceof StageError)) throw e;
    post({ kind: 'module-failed', stage: e.stage, reason: e.message });
  }
}

/** The thread's solver (`gen --solve`), opened the first time a search asks for it. */
let solver: Promise<Solver> | undefined;

async function genOne(h: Held, fn: string, req: Extract<WorkerRequest, { kind: 'gen' }>): Promise<GenReply> {
  const t0 = performance.now();
  const timeMs = (): number => Math.round(performance.now() - t0);
  let s: GenSession;
  try {
    s = session(h);
  } catch (e) {
    return {
      function: fn,
      ok: false,
      blocks: 0,
      reason: `${(e as StageError).stage}: ${errorLine(e)}`,
      timeMs: timeMs(),
    };
  }
  let blocks = 0;
  try {
    blocks = s.func(fn).blocks.length;
    if (FAULT !== null && FAULT[2] === fn) {
      if (FAULT[1] === 'crash') process.exit(3);
      if (FAULT[1] === 'hang') for (;;);
      throw new RangeError(`injected fault in @${fn}\nsecond line`);
    }
    // A replay that threw leaves the session suspect: it is reset (disposed) once the search is done
    // with it, never while it still runs (its buffers must not reach the next session before that).
    let threw = false;
    const onThrow = (): void => void (threw = true);
    const solving = (req.search.solve ?? 0) > 0;
    let r: GuardedResult & { readonly solve?: SolveStats };
    if (!solving) r = searchAndReplay(s, fn, req.search, req.functionTimeoutMs, onThrow);
    else {
      solver ??= Solver.open(DEFAULTS.solverRlimit);
      r = await searchAndReplaySolving(s, fn, req.search, req.functionTimeoutMs, await solver, onThrow);
    }
    if (threw) reset(h);
    return {
      function: fn,
      ok: true,
      blocks: r.blocks,
      coveredFirst: r.coveredFirst,
      covered: r.covered,
      runs: r.runs,
      records: r.records.map(encodeRecord),
      sample: r.sample.map(encodeRecord),
      outcomes: r.records.map((rec) => rec.outcome.kind),
      engine: r.engine,
      ...(r.guard === undefined ? {} : { guard: r.guard }),
      steps: r.steps,
      ...(r.solve === undefined ? {} : { solve: r.solve }),
      timeMs: timeMs(),
    };
  } catch (e) {
    // The session may be left in any state: the next function starts from a fresh one.
    reset(h);
    return { function: fn, ok: false, blocks, reason: errorLine(e), timeMs: timeMs() };
  }
}

function replay(h: Held, records: readonly string[]): void {
  const verdicts = records.map((text): EngineVerdict => {
    let s: GenSession;
    try {
      s = session(h);
    } catch (e) {
      return {
        status: 'mismatch',
        reason: `module ${h.ref.path}: ${(e as StageError).stage}: ${errorLine(e)}`,
      };
    }
    try {
      return replayInEngine(s, decodeRecord(text, h.ref.path));
    } catch (e) {
      reset(h);
      return { status: 'mismatch', reason: `replay threw: ${errorLine(e)}` };
    }
  });
  post({ kind: 'verdicts', verdicts });
}

// Requests are handled one after the other (a search with the solver awaits z3).
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (req: WorkerRequest) => {
  queue = queue.then(() => handle(req));
});

async function handle(req: WorkerRequest): Promise<void> {
  const h = hold(req.module, req.text);
  switch (req.kind) {
    case 'list':
      list(h);
      break;
    case 'gen':
      for (const fn of req.functions) {
        const cpu0 = threadCpuMs();
        const result = await genOne(h, fn, req);
        const cpu1 = threadCpuMs();
        const cpuMs = cpu0 === undefined || cpu1 === undefined ? null : cpu1 - cpu0;
        post({ kind: 'function', result, worker: threadId, cpuMs });
      }
      break;
    case 'replay':
      replay(h, req.records);
      break;
  }
  post({ kind: 'done' });
}
