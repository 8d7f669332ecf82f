/**
 * @fileoverview Stage: guide. A generation campaign on a job queue (issue 17): BullMQ on Redis balances
 * the work over any number of worker processes on any number of machines and retries what a lost worker
 * left; the result is the directory one `gen` run writes (docs/distributed.md).
 *
 * Consumes: gen's options, a Redis server, a shared directory DIR (./queue-jobs.ts has its layout).
 * Produces: `submitCampaign` (loads the modules, splits the functions into N jobs, writes DIR/queue.json
 * and adds the jobs), `workQueue` (runs jobs until the queue is empty: job i is `gen --shard i/N` with
 * contiguous shares into an attempt directory of its own), `queueStatus`, and `finishCampaign` (the
 * merge, ./queue-jobs.ts `finishJobs`).
 *
 * Semantics, and who provides them:
 * - A job is a share of the functions (shard.ts `ShardPlan` with `contiguous`: consecutive functions of
 *   about equal estimated cost), so that workers take small pieces as they free up (dynamic balancing)
 *   and a job touches few modules. Job ids are `<campaign id>-<i>`: a second submit adds nothing.
 * - A lost worker (killed, its machine gone) stops renewing its job's lock; after `stallSeconds` BullMQ's
 *   stalled-job check, which every live worker runs, puts the job back in the queue and another worker
 *   runs it again from the start, in a directory of its own.
 * - A job run twice (a lock lost by a slow worker that then finishes anyway) is harmless: each attempt
 *   writes its own directory, the results are deterministic, and the finish takes one.
 * - A job may start `attempts` times: one that threw is retried by BullMQ (`attempts`), one whose worker
 *   was lost comes back through the stalled check, and a job starting more often than that (a poison
 *   job, which kills its workers) fails for good (BullMQ's `UnrecoverableError`) without running. The
 *   finish gives its functions failed rows of kind `job-failed`, so none is lost.
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { loadIRText } from '../toolchain/compile.js';
import { coreCount, mapLimit } from '../util/concurrency.js';
import { DEFAULTS } from '../util/defaults.js';
import { errorLine, UserError } from '../util/errors.js';
import { discoverModules, ModuleCache, runCampaign, type CampaignOptions } from './campaign.js';
import { assignKeys, moduleRawKey, stableJson } from './layout.js';
import {
  attemptDir,
  seedAttempt,
  finishedAttempt,
  finishJobs,
  jobFunctions,
  QUEUE_FORMAT,
  readCampaign,
  writeCampaign,
  type JobEnd,
  type JobOptions,
  type QueueCampaign,
} from './queue-jobs.js';
import type { MergeResult } from './shard.js';
import { watchdogFor, WorkerPool } from './workers.js';
import { functionSizes, ShardPlan } from './shard.js';

/** Where the queue is. */
export interface QueueConnection {
  /** `redis://host:port[/db]`. */
  readonly redis: string;
  /** The queue's name (one Redis server holds many). */
  readonly queue?: string;
}

/** What a job carries; the rest is in DIR/queue.json. */
interface JobData {
  readonly dir: string;
  readonly campaign: string;
  readonly index: number;
  readonly count: number;
}

/** Connect once with no retries, so that an unreachable Redis is a one-line error, not a hang. */
async function checkRedis(url: string): Promise<void> {
  const probe = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 5000,
  });
  // The socket's error (ECONNREFUSED, ENOTFOUND) says more than the rejection ("Connection is closed").
  let cause: unknown;
  probe.on('error', (e) => (cause ??= e));
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    throw new UserError(`cannot reach Redis at ${url}: ${errorLine(cause ?? e)}`);
  } finally {
    probe.disconnect();
  }
}

function openQueue(c: QueueConnection): Queue<JobData> {
  const q = new Queue<JobData>(c.queue ?? DEFAULTS.queue.name, {
    connection: { url: c.redis, maxRetriesPerRequest: null },
  });
  q.on('error', () => {});
  return q;
}

export interface SubmitOptions extends QueueConnection {
  /** Jobs to split the campaign into (default: one per `DEFAULTS.queue.functionsPerJob` functions). */
  readonly count?: number;
  readonly attempts?: number;
  /** `--shard-costs`: balance the jobs by an earlier run's timings.jsonl. */
  readonly costs?: string;
  readonly force?: boolean;
}

export interface SubmitResult {
  readonly campaign: QueueCampaign;
  readonly functions: number;
  /** Jobs added now (0 when the same campaign was submitted before). */
  readonly added: number;
}

/** Load the modules, plan the jobs, write DIR/queue.json and add the jobs to the queue. */
export async function submitCampaign(o: CampaignOptions, s: SubmitOptions): Promise<SubmitResult> {
  const paths = discoverModules(o.inputs);
  await checkRedis(s.redis);
  const texts = await mapLimit(paths, coreCount(), async (path) => {
    try {
      return (await loadIRText(path, o.compile ?? {})).text;
    } catch {
      return undefined; // the jobs record the failure, as gen does
    }
  });
  const modules = paths.map((path, i) => ({ path, text: texts[i] }));
  const names = modules.map((m) => [...functionSizes(m.text).keys()]);
  const units = names.reduce((a, n) => a + Math.max(1, n.length), 0);
  const count = Math.max(1, Math.min(units, s.count ?? Math.ceil(units / DEFAULTS.queue.functionsPerJob)));
  const plan = ShardPlan.make(modules, { index: 1, count, costs: s.costs, contiguous: true });
  const keys = assignKeys(paths, moduleRawKey);
  const { out, jobs: _j, force: _f, shard: _s, pool: _p, moduleCache: _m, ...options } = o;
  const body = {
    format: QUEUE_FORMAT as typeof QUEUE_FORMAT,
    version: 1 as const,
    dir: out,
    queue: s.queue ?? DEFAULTS.queue.name,
    count,
    attempts: s.attempts ?? DEFAULTS.queue.attempts,
    options: options satisfies JobOptions,
    ...(s.costs === undefined ? {} : { costs: s.costs }),
    modules: paths.map((path, i) => ({
      path,
      key: keys[i]!,
      owner: plan.moduleShare(i) + 1,
      functions: names[i]!,
      jobs: names[i]!.map((f) => plan.functionShare(i, f) + 1),
    })),
  };
  const id = createHash('sha256').update(stableJson(body)).digest('hex').slice(0, 12);
  const campaign: QueueCampaign = { ...body, id };
  writeCampaign(campaign, s.force === true);
  const queue = openQueue(s);
  try {
    const have = new Set<string>();
    for (let i = 1; i <= count; i++)
      if ((await queue.getJob(jobId(campaign, i))) !== undefined) have.add(`${i}`);
    const add = [];
    for (let i = 1; i <= count; i++)
      if (!have.has(`${i}`))
        add.push({
          name: `job ${i}/${count}`,
          data: { dir: out, campaign: id, index: i, count },
          opts: { jobId: jobId(campaign, i), attempts: campaign.attempts },
        });
    await queue.addBulk(add);
    return { campaign, functions: names.reduce((a, n) => a + n.length, 0), added: add.length };
  } finally {
    await queue.close();
  }
}

function jobId(c: QueueCampaign, index: number): string {
  return `${c.id}-${index}`;
}

/** Progress of a worker process. */
export interface QueueWorkReporter {
  /** `resumed`: functions found done in an earlier, lost attempt of the job (`seedAttempt`). */
  onJobStart?(e: { index: number; count: number; attempt: number; dir: string; resumed: number }): void;
  onJobDone?(e: { index: number; count: number; functions: number; elapsedMs: number }): void;
  onJobFailed?(e: { index: number; count: number; reason: string; final: boolean }): void;
  /** Trouble with the queue itself (a lost connection): BullMQ retries. */
  onError?(message: string): void;
}

export interface WorkOptions extends QueueConnection {
  /** Worker threads per job (default: all cores). */
  readonly jobs?: number;
  /** Seconds without a lock renewal after which a job counts as lost. */
  readonly stallSeconds?: number;
  /** Keep waiting for jobs when the queue is empty (default: return once it is). */
  readonly wait?: boolean;
}

export interface WorkResult {
  readonly done: number;
  readonly failed: number;
}

/**
 * Run jobs, one at a time, until the queue has none waiting, delayed or running (or, with `wait`, until
 * the process is stopped). A job that throws is retried by another start; a `UserError` of the campaign
 * itself (DIR unreadable, inputs missing on this machine) fails the same way.
 */
export async function workQueue(o: WorkOptions, rep: QueueWorkReporter = {}): Promise<WorkResult> {
  await checkRedis(o.redis);
  const stallMs = Math.round((o.stallSeconds ?? DEFAULTS.queue.stallSeconds) * 1000);
  let done = 0;
  let failed = 0;
  let busy = false;
  // One pool per campaign, kept from job to job (its threads keep their module compiled, their code warm).
  const pools = new PoolCache(Math.max(1, o.jobs ?? coreCount()));
  const worker = new Worker<JobData>(
    o.queue ?? DEFAULTS.queue.name,
    async (job, token) => {
      busy = true;
      try {
        return await runJob(job, token ?? 'none', pools, rep);
      } finally {
        busy = false;
      }
    },
    {
      connection: { url: o.redis, maxRetriesPerRequest: null },
      concurrency: 1,
      lockDuration: stallMs,
      stalledInterval: stallMs,
      // Bounded by the campaign's attempts in `runJob`, with a reason that says what happened.
      maxStalledCount: Number.MAX_SAFE_INTEGER,
    },
  );
  worker.on('completed', () => done++);
  worker.on('failed', (job, err) => {
    failed++;
    if (job === undefined) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    rep.onJobFailed?.({ index: job.data.index, count: job.data.count, reason: err.message, final });
  });
  worker.on('error', (e) => rep.onError?.(errorLine(e)));
  const queue = openQueue(o);
  try {
    await worker.waitUntilReady();
    for (;;) {
      // Looked at after each job and every half second (one Redis command), so an idle worker exits soon
      // after the last job ends anywhere.
      await nextEvent(worker, Math.min(stallMs, 500));
      if (o.wait === true || busy) continue;
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(c).every((n) => n === 0)) break;
    }
  } finally {
    await worker.close();
    await queue.close();
    await pools.close();
  }
  return { done, failed };
}

/**
 * The worker threads and the loaded modules of the campaign a queue worker is on; a job of another
 * campaign gets fresh ones.
 */
class PoolCache {
  private current: { id: string; pool: WorkerPool; modules: ModuleCache } | undefined;
  constructor(private readonly size: number) {}

  async for(
    id: string,
    functionTimeoutMs: number | undefined,
  ): Promise<{ pool: WorkerPool; modules: ModuleCache }> {
    if (this.current?.id === id) return this.current;
    await this.close();
    const timeout = functionTimeoutMs ?? DEFAULTS.functionTimeoutSeconds * 1000;
    this.current = { id, pool: new WorkerPool(this.size, watchdogFor(timeout)), modules: new ModuleCache() };
    return this.current;
  }

  async close(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    await c?.pool.close();
  }
}

/** Resolve at the worker's next job end, or after `ms` (the queue is looked at again then). */
function nextEvent(worker: Worker<JobData>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const end = (): void => {
      clearTimeout(timer);
      worker.off('completed', end);
      worker.off('failed', end);
      resolve();
    };
    const timer = setTimeout(end, ms);
    worker.on('completed', end);
    worker.on('failed', end);
  });
}

/** One start of one job: refused when it started too often, else `gen --shard i/N` into a fresh attempt. */
async function runJob(
  job: Job<JobData>,
  token: string,
  pools: PoolCache,
  rep: QueueWorkReporter,
): Promise<{ dir: string; functions: number }> {
  const { dir, index, count } = job.data;
  const c = readCampaign(dir);
  if (c.id !== job.data.campaign)
    throw new UnrecoverableError(
      `${dir} holds another campaign than this job's (submitted again with --force?)`,
    );
  const started = job.attemptsStarted;
  if (started > c.attempts) {
    const lost = started - 1 - job.attemptsMade;
    throw new UnrecoverableError(
      `poison job: started ${started} times, more than --attempts ${c.attempts}; ${lost} of its workers were lost (killed or out of memory) and ${job.attemptsMade} runs threw`,
    );
  }
  const out = attemptDir(dir, index, started, token);
  // A job started again (its worker was lost) continues from what its furthest earlier attempt did.
  const resumed = started > 1 ? seedAttempt(dir, index, out) : 0;
  rep.onJobStart?.({ index, count, attempt: started, dir: out, resumed });
  const t0 = performance.now();
  const { pool, modules } = await pools.for(c.id, c.options.functionTimeoutMs);
  const r = await runCampaign({
    ...c.options,
    out,
    pool,
    moduleCache: modules,
    shard: { index, count, contiguous: true, ...(c.costs === undefined ? {} : { costs: c.costs }) },
  });
  const functions = r.summary.totals.functions;
  rep.onJobDone?.({ index, count, functions, elapsedMs: performance.now() - t0 });
  return { dir: out, functions };
}

export interface QueueStatus {
  readonly campaign: QueueCampaign;
  /** Jobs by state: finished (a finished attempt on disk), failed for good, running, waiting. */
  readonly finished: number;
  readonly running: number;
  readonly waiting: number;
  readonly failed: readonly { readonly index: number; readonly functions: number; readonly reason: string }[];
  /** Functions (by the scan) of finished jobs, of all jobs. */
  readonly functionsDone: number;
  readonly functions: number;
}

/** Where each job of the campaign in DIR stands: the disk for finished ones, the queue for the rest. */
export async function queueStatus(dir: string, conn: QueueConnection): Promise<QueueStatus> {
  const c = readCampaign(dir);
  const ends = await jobEnds(c, conn);
  let running = 0;
  let waiting = 0;
  let functionsDone = 0;
  const failed: { index: number; functions: number; reason: string }[] = [];
  ends.forEach((e, k) => {
    const n = jobFunctions(c, k + 1);
    if ('dir' in e) functionsDone += n;
    else if ('failed' in e) failed.push({ index: k + 1, functions: n, reason: e.failed });
    else if (e.state === 'active') running++;
    else waiting++;
  });
  const functions = c.modules.reduce((a, m) => a + m.functions.length, 0);
  const finished = ends.filter((e) => 'dir' in e).length;
  return { campaign: c, finished, running, waiting, failed, functionsDone, functions };
}

/** Each job's end, or its state in the queue when it has none yet (Redis asked only then). */
async function jobEnds(c: QueueCampaign, conn: QueueConnection): Promise<(JobEnd | { state: string })[]> {
  const ends: (JobEnd | { state: string })[] = [];
  let queue: Queue<JobData> | undefined;
  try {
    for (let i = 1; i <= c.count; i++) {
      const dir = finishedAttempt(c.dir, i);
      if (dir !== undefined) {
        ends.push({ dir });
        continue;
      }
      if (queue === undefined) {
        await checkRedis(conn.redis);
        queue = openQueue({ redis: conn.redis, queue: c.queue });
      }
      const job = await queue.getJob(jobId(c, i));
      const state = job === undefined ? 'missing' : await job.getState();
      ends.push(state === 'failed' ? { failed: job!.failedReason } : { state });
    }
  } finally {
    await queue?.close();
  }
  return ends;
}

/**
 * Merge the finished campaign in DIR into OUT (exactly one `gen` run's directory when no job failed).
 * Throws `UserError` while a job is still waiting or running.
 */
export async function finishCampaign(
  dir: string,
  out: string,
  force: boolean,
  conn: QueueConnection,
): Promise<MergeResult & { readonly failedJobs: number }> {
  const c = readCampaign(dir);
  const ends = await jobEnds(c, conn);
  const open = ends.flatMap((e, k) => ('state' in e ? [`job ${k + 1} ${e.state}`] : []));
  if (open.length > 0)
    throw new UserError(
      `${open.length} of ${c.count} jobs have not finished (${open.slice(0, 3).join(', ')}${open.length > 3 ? ', ...' : ''}): run inputsmith queue work`,
      { file: dir },
    );
  const r = finishJobs(c, ends as JobEnd[], out, force);
  return { ...r, failedJobs: ends.filter((e) => 'failed' in e).length };
}
