/**
 * @fileoverview Stage: tune. Runs the timing mode of a module's variant executables, interleaved: one process
 * per variant, all alive at once and pinned to the same CPU, each record's rounds handed to the variants in
 * turn.
 *
 * Consumes: the `VariantPlan`s of one module (undefined for a variant whose build failed) and the records to
 * time. Produces: per variant its noise floor samples and TSC calibration, and per record a `Timing`
 * (nanoseconds per call of each sample, per round; the batch size) or the reason it has none. The spec file
 * format and the protocol are described in tune/timing-driver.ts. A record that ends its process (a crash,
 * `exit`, a divergence) or outlasts its time-out is reported failed for that variant, whose process starts
 * again after it; the other variants go on. Processes start one after the other, so each measures its noise
 * floor alone. Runs as `nobody` when inputsmith runs as root, like native replay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { InputRecord } from '../gen/record.js';
import { coreCount } from '../util/concurrency.js';
import { DEFAULTS } from '../util/defaults.js';
import { encodeImage, ImageError } from '../replay/native-image.js';
import { SANDBOX } from '../replay/native.js';
import type { VariantPlan } from './variant-build.js';
import { recordUnfit } from './variant-build.js';

export interface TimingParams {
  /** Warm-up per record (ns of calls, at least 3 calls). */
  readonly warmupNs: number;
  /** A batched sample lasts at least this long (ns). */
  readonly targetNs: number;
  readonly maxSamples: number;
  readonly minSamples: number;
  /** Sampling of a round stops after this much measured time once minSamples are taken (ns). */
  readonly budgetNs: number;
  /** Wall-clock time-out of one step of one record (loading and warm-up, or one round), ms. */
  readonly recordTimeoutMs: number;
  /** CPU to pin to (undefined: none). */
  readonly cpu?: number;
}

/**
 * The timing parameters of a perf run: the defaults (util/defaults.ts `perf`) with the run's budget per
 * round (ms) and time-out per record step (ms), pinned to the last CPU.
 */
export function timingParams(budgetMs: number, recordTimeoutMs: number): TimingParams {
  const P = DEFAULTS.perf;
  return {
    warmupNs: P.warmupMs * 1e6,
    targetNs: P.batchTargetUs * 1e3,
    maxSamples: P.maxSamples,
    minSamples: P.minSamples,
    budgetNs: budgetMs * 1e6,
    recordTimeoutMs,
    cpu: coreCount() - 1,
  };
}

export type Timing =
  | { readonly ok: true; readonly batch: number; readonly roundsNs: readonly (readonly number[])[] }
  | { readonly ok: false; readonly why: string };

export interface VariantTimings {
  /** Noise floor: ns per call of single calls and of batches. */
  readonly floorSingle: readonly number[];
  readonly floorBatch: readonly number[];
  /** TSC cycles per ns. */
  readonly cyclesPerNs: number;
  readonly timings: ReadonlyMap<InputRecord, Timing>;
}

const u64 = (v: bigint | number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(v));
  return b;
};
const padded = (b: Uint8Array): Buffer => Buffer.concat([b, Buffer.alloc((8 - (b.length % 8)) % 8)]);

interface Job {
  readonly id: number;
  readonly r: InputRecord;
  readonly image: Uint8Array;
  readonly stdin?: string;
}

function specBytes(p: TimingParams, empty: number, rounds: number, jobs: readonly Job[]): Buffer {
  const parts: Buffer[] = [Buffer.from('ISTM0001')];
  parts.push(u64(p.cpu === undefined ? 0xffffffffffffffffn : p.cpu));
  for (const v of [
    p.warmupNs,
    p.targetNs,
    p.maxSamples,
    p.minSamples,
    p.budgetNs,
    empty,
    rounds,
    jobs.length,
  ])
    parts.push(u64(Math.round(v)));
  for (const j of jobs) {
    parts.push(u64(j.id));
    const s = Buffer.from(j.stdin ?? '');
    parts.push(u64(s.length), padded(s));
    parts.push(u64(j.image.length), padded(j.image));
  }
  return Buffer.concat(parts);
}

/** One timing process: its output lines as they come, and the go pipe. */
class Child {
  private lines: string[] = [];
  private buf = '';
  private waiter: (() => void) | undefined;
  private ended: string | undefined;
  private err = '';
  private readonly proc: ChildProcess;

  constructor(exe: string, spec: string, cwd: string) {
    this.proc = spawn(exe, ['--time', spec], {
      cwd,
      ...(SANDBOX ?? {}),
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      env: {},
    });
    this.proc.stderr?.on('data', (b: Buffer) => {
      if (this.err.length < 4096) this.err += b.toString();
    });
    (this.proc.stdio[3] as NodeJS.ReadableStream).on('data', (b: Buffer) => {
      this.buf += b.toString();
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
      }
      this.wake();
    });
    (this.proc.stdio[4] as Writable).on('error', () => undefined);
    this.proc.on('error', (e) => this.end(`cannot run: ${e.message}`));
    this.proc.on('close', (code, signal) =>
      this.end(
        signal !== null
          ? `native ${signal}`
          : code === 125
            ? `driver: ${this.err.trim().split('\n')[0] ?? ''}`
            : `exited with ${code} while timing`,
      ),
    );
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  private end(why: string): void {
    this.ended ??= why;
    this.wake();
  }

  /** The next line starting with one of `tags` (others are kept), or the reason the process ended. */
  async next(tags: string, timeoutMs: number): Promise<{ line: string } | { why: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.lines.findIndex((l) => tags.includes(l[0] ?? ''));
      if (i >= 0) return { line: this.lines.splice(i, 1)[0]! };
      if (this.ended !== undefined) return { why: this.ended };
      const left = deadline - Date.now();
      if (left <= 0) {
        this.kill();
        return { why: `time-out (${timeoutMs} ms)` };
      }
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiter = () => {
          clearTimeout(t);
          res();
        };
      });
    }
  }

  /** Lines of a kind received so far, removed. */
  take(tag: string): string[] {
    const out = this.lines.filter((l) => l[0] === tag);
    this.lines = this.lines.filter((l) => l[0] !== tag);
    return out;
  }

  /** Let the process go on: load the next record, or run a round with batch size `k`. */
  go(k = 0): void {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(k));
    (this.proc.stdio[4] as Writable).write(b);
  }

  kill(): void {
    this.proc.kill('SIGKILL');
  }
}

interface Lane {
  readonly plan: VariantPlan;
  readonly exe: string;
  readonly jobs: readonly Job[];
  child?: Child;
  /** Index in `jobs` of the first record the current process was given. */
  from: number;
  cyclesPerNs: number;
  floorSingle: number[];
  floorBatch: number[];
  readonly timings: Map<InputRecord, Timing>;
  readonly rounds: Map<InputRecord, number[][]>;
  readonly batch: Map<InputRecord, number>;
}

/** The records of `plan` that can be timed, as image jobs (ids: indices in `records`), and the others' reasons. */
function jobsOf(
  plan: VariantPlan,
  records: readonly InputRecord[],
  dir: string,
  timings: Map<InputRecord, Timing>,
): Job[] {
  const jobs: Job[] = [];
  records.forEach((r, id) => {
    const unfit = recordUnfit(plan, r);
    if (unfit !== undefined) return timings.set(r, { ok: false, why: unfit });
    if (r.streams.files.length > 0) return timings.set(r, { ok: false, why: 'opens files (not timed)' });
    try {
      const image = encodeImage(plan, plan.entries.get(r.function)!, r).bytes;
      let stdin: string | undefined;
      if (r.streams.stdin !== '') {
        stdin = join(dir, `stdin-${id}`);
        writeFileSync(stdin, Buffer.from(r.streams.stdin, 'base64'));
        chmodSync(stdin, 0o644);
      }
      jobs.push({ id, r, image, ...(stdin !== undefined ? { stdin } : {}) });
    } catch (e) {
      if (e instanceof ImageError) timings.set(r, { ok: false, why: `record does not fit: ${e.message}` });
      else throw e;
    }
    return undefined;
  });
  return jobs;
}

/** Start (or restart) a lane's process at job `from`; waits for its calibration and noise floor. */
async function start(
  lane: Lane,
  from: number,
  dir: string,
  p: TimingParams,
  rounds: number,
  k: number,
): Promise<void> {
  lane.from = from;
  lane.child = undefined;
  if (from >= lane.jobs.length) return;
  const spec = join(dir, `spec-${k}`);
  writeFileSync(spec, specBytes(p, lane.plan.emptyEntry, rounds, lane.jobs.slice(from)));
  chmodSync(spec, 0o644);
  const c = new Child(lane.exe, spec, dir);
  lane.child = c;
  // Calibration (20 ms) and both noise floors (single calls, then batches), before it waits for a go.
  const floors: string[] = [];
  let why: string | undefined;
  for (let i = 0; i < 2 && why === undefined; i++) {
    const f = await c.next('F', p.recordTimeoutMs + 5000);
    if ('why' in f) why = f.why;
    else floors.push(f.line);
  }
  for (const line of c.take('C')) {
    const w = line.split(' ');
    lane.cyclesPerNs = Number(w[1]) / Number(w[2]);
  }
  floors.forEach((line, i) => {
    const w = line.split(' ');
    const kk = Number(w[1]);
    (i === 0 ? lane.floorSingle : lane.floorBatch).push(
      ...w.slice(2).map((x) => Number(x) / lane.cyclesPerNs / kk),
    );
  });
  if (why !== undefined) {
    for (const j of lane.jobs.slice(from))
      if (!lane.timings.has(j.r)) lane.timings.set(j.r, { ok: false, why });
    lane.child = undefined;
  }
}

/**
 * Time `records` under every plan of one module, interleaved (see the file header): for each record, `rounds`
 * rounds, each giving every variant one measurement in turn (the order rotates from round to round).
 */
export async function timeModule(
  plans: readonly (VariantPlan | undefined)[],
  records: readonly InputRecord[],
  p: TimingParams,
  rounds: number,
): Promise<(VariantTimings | undefined)[]> {
  const dir = mkdtempSync(join(tmpdir(), 'inputsmith-perf-'));
  const lanes: (Lane | undefined)[] = [];
  let specs = 0;
  try {
    chmodSync(dir, 0o777);
    for (const [vi, plan] of plans.entries()) {
      if (plan === undefined) {
        lanes.push(undefined);
        continue;
      }
      const exe = join(dir, `replay-${vi}`);
      copyFileSync(plan.exe, exe);
      chmodSync(exe, 0o755);
      const timings = new Map<InputRecord, Timing>();
      const jobs = jobsOf(plan, records, dir, timings);
      const lane: Lane = {
        plan,
        exe,
        jobs,
        from: 0,
        cyclesPerNs: 0,
        floorSingle: [],
        floorBatch: [],
        timings,
        rounds: new Map(),
        batch: new Map(),
      };
      lanes.push(lane);
      await start(lane, 0, dir, p, rounds, specs++);
    }
    const live = lanes.filter((l): l is Lane => l !== undefined);
    // The position of each lane's next job; a record's id is its index in `records`.
    const pos = new Map<Lane, number>(live.map((l) => [l, 0]));
    const fail = async (lane: Lane, j: Job, why: string): Promise<void> => {
      lane.timings.set(j.r, { ok: false, why });
      lane.child?.kill();
      const at = lane.jobs.indexOf(j);
      pos.set(lane, at + 1);
      await start(lane, at + 1, dir, p, rounds, specs++);
    };
    for (let id = 0; id < records.length; id++) {
      const r = records[id]!;
      // Each lane with this record: wait until it is loaded and warm (`S id K`).
      const ready: { lane: Lane; job: Job }[] = [];
      for (const lane of live) {
        const at = pos.get(lane)!;
        const job = lane.jobs[at];
        if (job === undefined || job.id !== id) continue;
        if (lane.child === undefined) continue;
        lane.child.go();
        const s = await lane.child.next('S', p.recordTimeoutMs);
        if ('why' in s) {
          await fail(lane, job, s.why);
          continue;
        }
        lane.batch.set(r, Number(s.line.split(' ')[2]));
        lane.rounds.set(r, []);
        ready.push({ lane, job });
      }
      // One batch size for all builds of the record: the smallest (1 when any build's call changes its state).
      const common = Math.min(...ready.map(({ lane }) => lane.batch.get(r)!));
      for (const { lane } of ready) lane.batch.set(r, common);
      for (let round = 0; round < rounds; round++) {
        const order = ready.map((_, i) => ready[(i + round) % ready.length]!);
        for (const { lane, job } of order) {
          if (lane.timings.has(r) || lane.child === undefined) continue;
          lane.child.go(common);
          const t = await lane.child.next('T', p.recordTimeoutMs);
          if ('why' in t) {
            await fail(lane, job, t.why);
            continue;
          }
          const w = t.line.split(' ');
          const k = Number(w[3]);
          lane.rounds.get(r)!.push(w.slice(4).map((c) => Number(c) / lane.cyclesPerNs / k));
        }
      }
      for (const { lane, job } of ready) {
        if (!lane.timings.has(r))
          lane.timings.set(r, { ok: true, batch: lane.batch.get(r)!, roundsNs: lane.rounds.get(r)! });
        if (pos.get(lane) === lane.jobs.indexOf(job)) pos.set(lane, lane.jobs.indexOf(job) + 1);
      }
    }
    return lanes.map((lane) => {
      if (lane === undefined) return undefined;
      lane.child?.kill();
      for (const j of lane.jobs)
        if (!lane.timings.has(j.r)) lane.timings.set(j.r, { ok: false, why: 'not timed' });
      return {
        floorSingle: lane.floorSingle,
        floorBatch: lane.floorBatch,
        cyclesPerNs: lane.cyclesPerNs,
        timings: lane.timings,
      };
    });
  } finally {
    for (const lane of lanes) lane?.child?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
