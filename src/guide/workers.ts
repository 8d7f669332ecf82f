/**
 * @fileoverview Stage: guide. The pool of worker threads that generation campaigns and batch replays run
 * on, and the messages between it and a worker (./worker.ts).
 *
 * Consumes: tasks, each about one module: list its functions, search inputs for some of them, or replay
 * records in the engine. Produces: the worker's replies, handed to the task's callback as they arrive, and
 * a promise per task that settles when the worker is done with it (rejected with `WorkerCrash` when the
 * thread died; the pool then starts a fresh one).
 *
 * A worker keeps the last module it was given parsed and compiled (one `GenSession`), so the pool hands
 * an idle worker, in this order: a task of the module it holds; the first task of a module no other
 * worker holds; the first task. Tasks are taken in the order of their `order` key, so a campaign works
 * through its modules in turn and both cores share a large module once nothing else is left. The module's
 * IR text travels to a worker only when the worker does not hold that module yet.
 */
import type { SolveStats } from './solve.js';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunLimits } from '../gen/runtime.js';
import type { EngineVerdict } from '../replay/engine.js';
import type { ReplayVerdict, SearchOptions } from './search.js';
import { DEFAULTS } from '../util/defaults.js';
import { UserError } from '../util/errors.js';

// ---------------------------------------------------------------------------------------------------
// Environment: the one place this file reads it. Documented in docs/cli.md (gen) and
// docs/summary-json.md (`worker-crash`).

/**
 * A worker that has not answered for this long is stopped and its task fails with `WorkerCrash`: the
 * step budgets and the per-function time guard stop generated code and the libc models, but a worker
 * stuck where neither reaches (native code, a bug in JavaScript helper code) must not hang a whole
 * campaign. `INPUTSMITH_WATCHDOG_SECONDS` overrides the default (`DEFAULTS.watchdogSeconds`).
 */
const WATCHDOG_OVERRIDE = process.env.INPUTSMITH_WATCHDOG_SECONDS;

// ---------------------------------------------------------------------------------------------------

/**
 * Order keys of a module's tasks: module i submits its tasks with keys in [i * ORDER_STRIDE,
 * (i + 1) * ORDER_STRIDE), so the pool works through modules in turn (see `WorkerPool.submit`).
 */
export const ORDER_STRIDE = 1_000_000;

/**
 * The watchdog of a pool whose functions are guarded at `functionTimeoutMs`: the override when set,
 * else the default, raised to 4 x the guard so that the guard, not the watchdog, stops a slow function.
 */
export function watchdogFor(functionTimeoutMs = 0): number {
  if (WATCHDOG_OVERRIDE !== undefined) return Number(WATCHDOG_OVERRIDE) * 1000;
  return Math.max(DEFAULTS.watchdogSeconds * 1000, 4 * functionTimeoutMs);
}

/** A module as workers know it. */
export interface ModuleRef {
  /** Unique key of the module in this pool's life (a campaign's module key). */
  readonly key: string;
  /** Path as the user gave it: recorded in every input, and part of every function's seed. */
  readonly path: string;
  /** File the IR text came from, for messages. */
  readonly file: string;
  /** sha256 of the IR text. */
  readonly hash: string;
  readonly limits?: Partial<RunLimits>;
}

export type WorkerRequest =
  | { readonly kind: 'list'; readonly module: ModuleRef; readonly text?: string }
  | {
      readonly kind: 'gen';
      readonly module: ModuleRef;
      readonly text?: string;
      readonly functions: readonly string[];
      readonly search: SearchOptions;
      /** The time guard of each function's search and engine replay, ms. */
      readonly functionTimeoutMs: number;
    }
  | {
      readonly kind: 'replay';
      readonly module: ModuleRef;
      readonly text?: string;
      readonly records: readonly string[];
    };

/** One function's generation, as a worker reports it. */
export type GenReply =
  | {
      readonly function: string;
      readonly ok: true;
      readonly blocks: number;
      readonly coveredFirst: number;
      readonly covered: number;
      readonly runs: number;
      /** The kept records, encoded (`encodeRecord`), in index order. */
      readonly records: readonly string[];
      /** The pre-selection sample (`--sample`), encoded, in index order. */
      readonly sample: readonly string[];
      readonly outcomes: readonly string[];
      /** Engine replay of each record right after generation (`not-run` once the guard stopped it). */
      readonly engine: readonly ReplayVerdict[];
      /** Set when the time guard stopped the function (it is then a failed function). */
      readonly guard?: string;
      /** Engine steps of the search (timings.jsonl only). */
      readonly steps: number;
      /** What the solver did (`--solve`; timings.jsonl only). */
      readonly solve?: SolveStats;
      /** Search and engine replay, wall clock (timings.jsonl only: never part of the results). */
      readonly timeMs: number;
    }
  | {
      readonly function: string;
      readonly ok: false;
      readonly blocks: number;
      readonly reason: string;
      readonly timeMs: number;
    };

export type WorkerReply =
  | {
      readonly kind: 'listed';
      readonly functions: readonly { readonly name: string; readonly blocks: number }[];
    }
  | { readonly kind: 'module-failed'; readonly stage: 'parse' | 'engine'; readonly reason: string }
  | {
      readonly kind: 'function';
      readonly result: GenReply;
      /** The worker's thread id (timings.jsonl: which worker searched it). */
      readonly worker: number;
      /** CPU time of the worker thread for it, ms (null where there is no per-thread clock). */
      readonly cpuMs: number | null;
    }
  | { readonly kind: 'verdicts'; readonly verdicts: readonly EngineVerdict[] }
  | { readonly kind: 'done' };

/** The worker thread running a task died (out of memory, a crash in the runtime). */
export class WorkerCrash extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerCrash';
  }
}

interface Task {
  readonly order: number;
  readonly request: WorkerRequest;
  readonly text: string;
  readonly onReply: (r: WorkerReply) => void;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
  /** The caller's callback threw: replies are ignored until `done`, then the task is rejected. */
  error?: Error;
}

interface Slot {
  worker: Worker;
  /** Module (key and hash) the worker holds. */
  holds?: string;
  task?: Task;
  /** When the worker last answered (or got its task), for the watchdog. */
  heard: number;
  /** Why the watchdog stopped it, if it did. */
  killed?: string;
}

/** The worker entry: next to this file when running compiled; the compiled one when running from sources. */
export function workerEntry(): URL {
  const own = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  if (own.pathname.endsWith('.js')) return own;
  // Sources run by a TypeScript-aware runner (vitest): worker threads need JavaScript, use dist/.
  const built = new URL('../../dist/guide/worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(built)))
    throw new UserError('worker threads need the compiled sources: run `npm run build` first');
  return built;
}

const holdKey = (m: ModuleRef): string => `${m.key}\0${m.hash}`;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private closed = false;
  private watchdog: NodeJS.Timeout | undefined;

  /** `watchdogMs`: how long a worker may go without answering (see `watchdogFor`). */
  constructor(
    readonly size: number,
    private readonly watchdogMs = watchdogFor(),
  ) {}

  private watch(): void {
    if (this.watchdog !== undefined) return;
    this.watchdog = setInterval(
      () => {
        const now = Date.now();
        for (const s of this.slots)
          if (s.task !== undefined && now - s.heard > this.watchdogMs && s.killed === undefined) {
            s.killed = `no answer for ${Math.round((now - s.heard) / 1000)} s (a function ran away); worker stopped`;
            void s.worker.terminate();
          }
      },
      Math.min(5000, this.watchdogMs),
    );
    this.watchdog.unref();
  }

  /**
   * Queue a request (`text` is the module's IR, sent only when needed). Resolves when the worker has
   * finished it; rejects with `WorkerCrash` when the worker died on it.
   */
  submit(
    order: number,
    request: WorkerRequest,
    text: string,
    onReply: (r: WorkerReply) => void,
  ): Promise<void> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<void>((resolve, reject) => {
      const task: Task = { order, request, text, onReply, resolve, reject };
      let i = this.queue.length;
      while (i > 0 && this.queue[i - 1]!.order > order) i--;
      this.queue.splice(i, 0, task);
      this.pump();
    });
  }

  /** Stop all workers (queued tasks are dropped). */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let slot = this.slots.find((s) => s.task === undefined);
      if (slot === undefined && this.slots.length < this.size) slot = this.spawn();
      if (slot === undefined) return;
      const task = this.take(slot);
      this.start(slot, task);
    }
  }

  private take(slot: Slot): Task {
    const q = this.queue;
    let i = slot.holds === undefined ? -1 : q.findIndex((t) => holdKey(t.request.module) === slot.holds);
    if (i < 0) {
      const held = new Set(this.slots.filter((s) => s !== slot && s.holds !== undefined).map((s) => s.holds));
      i = q.findIndex((t) => !held.has(holdKey(t.request.module)));
    }
    if (i < 0) i = 0;
    return q.splice(i, 1)[0]!;
  }

  private start(slot: Slot, task: Task): void {
    slot.task = task;
    const key = holdKey(task.request.module);
    const request = slot.holds === key ? task.request : { ...task.request, text: task.text };
    slot.holds = key;
    slot.heard = Date.now();
    this.watch();
    slot.worker.postMessage(request);
  }

  private spawn(): Slot {
    // A large thread stack: deep recursion must end at the engine's deterministic call-stack budget, not
    // at V8's own limit, whose depth depends on how far the JIT optimised each frame (nondeterministic).
    const worker = new Worker(workerEntry(), { resourceLimits: { stackSizeMb: 64 } });
    const slot: Slot = { worker, heard: Date.now() };
    this.slots.push(slot);
    worker.on('message', (r: WorkerReply) => {
      slot.heard = Date.now();
      const task = slot.task;
      if (task === undefined) return;
      if (r.kind === 'done') {
        slot.task = undefined;
        if (task.error !== undefined) task.reject(task.error);
        else task.resolve();
        // Let the caller's continuation queue follow-up tasks first (a module's searches after its
        // listing), so this worker, which holds the module compiled, gets them.
        setImmediate(() => this.pump());
        return;
      }
      if (task.error !== undefined) return;
      try {
        task.onReply(r);
      } catch (e) {
        // The caller failed handling a reply (e.g. a disk write): the task fails when the worker is done.
        task.error = e as Error;
      }
    });
    const died = (why: string): void => {
      const i = this.slots.indexOf(slot);
      if (i < 0) return;
      this.slots.splice(i, 1);
      const task = slot.task;
      slot.task = undefined;
      void worker.terminate();
      if (task !== undefined) task.reject(new WorkerCrash(why));
      if (!this.closed) this.pump();
    };
    worker.on('error', (e: Error) => died(`worker thread crashed: ${e.message}`));
    worker.on('exit', (code) => died(slot.killed ?? `worker thread exited with code ${code}`));
    return slot;
  }
}
