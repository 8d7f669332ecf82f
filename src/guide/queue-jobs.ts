/**
 * @fileoverview Stage: guide. The disk side of a campaign on the job queue (./queue.ts): the campaign
 * record, the jobs' directories, and the finish that turns them into the directory one `gen` run writes.
 *
 * Consumes: a queue campaign's shared directory DIR. Produces: the layout below and `finishJobs`, which
 * merges one finished directory per job with `mergeShards` (./shard.ts) into OUT:
 *
 *   DIR/queue.json                   the campaign (`QueueCampaign`): gen's options, the number of jobs, the
 *                                    attempts a job may make, and which job runs each function (the
 *                                    contiguous `ShardPlan` every job computes again)
 *   DIR/jobs/<i>/<a>-<token>/        one attempt of job i: the output directory of `gen --shard i/N` with
 *                                    contiguous shares (`a`: the job's start count, `token`: its lock), done
 *                                    when its shard.json exists
 *   DIR/jobs/<i>/failed/             written by the finish for a job that failed for good: its functions as
 *                                    failed rows of kind `job-failed`, in a shard directory the merge takes
 *
 * Every attempt writes a directory of its own, so a worker wrongly thought lost (a stalled lock) and the
 * worker that took its job over never write the same files; two finished attempts of a job hold the same
 * bytes (the run is deterministic), so the finish takes the first by name.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { TEMP_SIBLING, writeFileAtomic } from '../util/fsx.js';
import type { CampaignOptions } from './campaign.js';
import {
  assignKeys,
  OutDir,
  stableJson,
  type FunctionRow,
  type ModuleIndex,
  type RunSpec,
} from './layout.js';
import { mergeShards, SHARD_FORMAT, type MergeResult, type ShardModule, type ShardRecord } from './shard.js';

export const QUEUE_FORMAT = 'inputsmith-queue';

/** What a job runs: the campaign's options without its output directory, threads and --force. */
export type JobOptions = Omit<CampaignOptions, 'out' | 'jobs' | 'force' | 'shard' | 'pool' | 'moduleCache'>;

/** DIR/queue.json. */
export interface QueueCampaign {
  readonly format: typeof QUEUE_FORMAT;
  readonly version: 1;
  /** A hash of everything below: job ids are `<id>-<i>`, so submitting the same campaign again adds none. */
  readonly id: string;
  /** The shared directory, as submit was given it (workers find it at the same path). */
  readonly dir: string;
  readonly queue: string;
  /** Jobs, numbered 1..count: share i of count of the contiguous `ShardPlan`. */
  readonly count: number;
  /** Starts a job may make before it fails for good. */
  readonly attempts: number;
  readonly options: JobOptions;
  /** `--shard-costs`: the timings.jsonl the plan was balanced by. */
  readonly costs?: string;
  /** Per module in campaign order: the job that owns it and the job of each function the scan found. */
  readonly modules: readonly QueueModule[];
}

export interface QueueModule {
  readonly path: string;
  readonly key: string;
  /** The job (1-based) that records the module's failure and runs functions the scan did not see. */
  readonly owner: number;
  /** Defined functions by a scan of the IR text (shard.ts `functionSizes`), and the job of each. */
  readonly functions: readonly string[];
  readonly jobs: readonly number[];
}

export function campaignFile(dir: string): string {
  return join(dir, 'queue.json');
}

export function readCampaign(dir: string): QueueCampaign {
  let text: string;
  try {
    text = readFileSync(campaignFile(dir), 'utf8');
  } catch {
    throw new UserError('holds no queue campaign (no queue.json; inputsmith queue submit writes it)', {
      file: dir,
    });
  }
  let c: QueueCampaign;
  try {
    c = JSON.parse(text) as QueueCampaign;
  } catch {
    throw new UserError('queue.json is damaged', { file: dir });
  }
  if (c.format !== QUEUE_FORMAT) throw new UserError('queue.json is not a queue campaign', { file: dir });
  return c;
}

/**
 * Write the campaign record into DIR. DIR must be new, empty, or hold this very campaign (a second submit
 * of it changes nothing); another campaign's directory only with `force`, which clears its jobs.
 */
export function writeCampaign(c: QueueCampaign, force: boolean): void {
  const file = campaignFile(c.dir);
  mkdirSync(c.dir, { recursive: true });
  const want = stableJson(c);
  const have = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (have === want) return;
  const entries = readdirSync(c.dir);
  if (entries.length > 0 && !force)
    throw new UserError(
      have === undefined
        ? 'is not empty and holds no queue campaign (use --force to write into it anyway)'
        : 'holds another queue campaign (other options or inputs); use --force to start over',
      { file: c.dir },
    );
  rmSync(join(c.dir, 'jobs'), { recursive: true, force: true });
  writeFileAtomic(file, want);
}

/** The directory of one attempt of job `index`. */
export function attemptDir(dir: string, index: number, started: number, token: string): string {
  return join(dir, 'jobs', String(index), `${started}-${token.replace(/[^\w-]/g, '').slice(0, 12)}`);
}

/** A finished attempt of job `index` (its shard.json written), the first by name; undefined if none. */
export function finishedAttempt(dir: string, index: number): string | undefined {
  const jobDir = join(dir, 'jobs', String(index));
  if (!existsSync(jobDir)) return undefined;
  const names = readdirSync(jobDir)
    .filter((n) => n !== 'failed')
    .sort();
  for (const n of names) if (existsSync(new OutDir(join(jobDir, n)).shardFile)) return join(jobDir, n);
  return undefined;
}

/**
 * Seed attempt `out` of job `index` with the work of the unfinished attempt that got furthest (a lost
 * worker's): its functions' results and inputs, so the new attempt searches only the rest (a campaign
 * continues a directory holding the same run, ./layout.ts). Results are written atomically, inputs before
 * the result that marks a function done, and the run is deterministic, so what is copied is exactly what
 * the new attempt would write; a file the lost worker is still writing is a temporary name, left behind.
 * Returns the number of functions found done (0: nothing to continue).
 */
export function seedAttempt(dir: string, index: number, out: string): number {
  const jobDir = join(dir, 'jobs', String(index));
  if (!existsSync(jobDir)) return 0;
  let best: string | undefined;
  let bestDone = 0;
  for (const n of readdirSync(jobDir).sort()) {
    const d = join(jobDir, n);
    if (n === 'failed' || d === out || existsSync(new OutDir(d).shardFile)) continue;
    const done = functionsDone(d);
    if (done > bestDone) {
      best = d;
      bestDone = done;
    }
  }
  if (best === undefined) return 0;
  cpSync(best, out, { recursive: true, filter: (src) => !TEMP_SIBLING.test(src) });
  return bestDone;
}

/** Functions whose result an output directory holds (results/<module>/<fn>.json). */
function functionsDone(d: string): number {
  const results = join(d, 'results');
  if (!existsSync(results)) return 0;
  let n = 0;
  for (const m of readdirSync(results))
    for (const f of readdirSync(join(results, m))) if (f.endsWith('.json') && f !== 'module.json') n++;
  return n;
}

/** Functions (by the scan) that job `index` runs. */
export function jobFunctions(c: QueueCampaign, index: number): number {
  return c.modules.reduce((a, m) => a + m.jobs.filter((j) => j === index).length, 0);
}

/** How a job ended, as the finish needs it: a finished attempt's directory, or the reason it failed. */
export type JobEnd = { readonly dir: string } | { readonly failed: string };

/**
 * Merge the jobs into OUT: each job's finished attempt, or for a job that failed for good a directory
 * of its functions as failed (`job-failed`), so that none is lost. Throws `UserError` when no job finished.
 */
export function finishJobs(
  c: QueueCampaign,
  ends: readonly JobEnd[],
  out: string,
  force: boolean,
): MergeResult {
  const done = ends.flatMap((e) => ('dir' in e ? [e.dir] : []));
  if (done.length === 0)
    throw new UserError('no job of the campaign finished: nothing to merge (see inputsmith queue status)', {
      file: c.dir,
    });
  const spec = JSON.parse(readFileSync(new OutDir(done[0]!).runFile, 'utf8')) as RunSpec;
  const dirs = ends.map((e, k) => ('dir' in e ? e.dir : writeFailedJob(c, k + 1, e.failed, spec, done)));
  return mergeShards(dirs, out, force);
}

/**
 * DIR/jobs/<index>/failed: a shard directory that gives every function of the job a failed row of kind
 * `job-failed` with the job's reason. A module's function list comes from a finished job that listed it;
 * when none did, from the campaign's scan (in text order, as a listing gives them); a module without
 * any is a failed module (stage `job-failed`).
 */
function writeFailedJob(
  c: QueueCampaign,
  index: number,
  reason: string,
  spec: RunSpec,
  done: readonly string[],
): string {
  const dir = join(c.dir, 'jobs', String(index), 'failed');
  rmSync(dir, { recursive: true, force: true });
  const out = new OutDir(dir);
  out.prepare(false);
  writeFileAtomic(out.runFile, stableJson({ ...spec, shard: { ...spec.shard!, index } }));
  const filter = c.options.functions === undefined ? undefined : new RegExp(c.options.functions);
  const modules: ShardModule[] = [];
  c.modules.forEach((m, i) => {
    const owner = m.owner === index;
    if (!owner && !m.jobs.includes(index)) return;
    let ix = done.map((d) => new OutDir(d).readModuleIndex(m.key)).find((x) => x !== undefined);
    if (ix === undefined) {
      const names = m.functions.filter((f) => filter === undefined || filter.test(f));
      if (names.length === 0) {
        if (owner)
          modules.push({ key: m.key, owner, functions: [], failure: { stage: 'job-failed', reason } });
        return;
      }
      const keys = assignKeys(names);
      const hash = spec.modules[i]?.hash ?? '';
      ix = {
        module: m.path,
        key: m.key,
        hash,
        functions: names.map((name, k) => ({ name, key: keys[k]!, blocks: 0 })),
      };
    }
    if (owner) out.writeModuleIndex(ix);
    const jobOf = new Map(m.functions.map((f, k) => [f, m.jobs[k]!]));
    const mine = ix.functions.filter((f) => (jobOf.get(f.name) ?? m.owner) === index);
    for (const f of mine) out.writeFunction(m.key, failedRow(m.path, f, reason), []);
    if (spec.native) out.writeNative(m.key, []);
    modules.push({ key: m.key, owner, functions: mine.map((f) => f.name) });
  });
  const record: ShardRecord = { format: SHARD_FORMAT, version: 1, index, count: c.count, modules };
  writeFileAtomic(out.shardFile, stableJson(record));
  return dir;
}

function failedRow(module: string, f: ModuleIndex['functions'][number], reason: string): FunctionRow {
  return {
    module,
    function: f.name,
    key: f.key,
    status: 'failed',
    failure: { kind: 'job-failed', reason },
    blocks: f.blocks,
    coveredFirst: 0,
    covered: 0,
    runs: 0,
    inputs: [],
  };
}
