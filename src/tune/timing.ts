/**
 * @fileoverview Stage: tune. Runs the timing mode of a variant's executable over many records in one process.
 *
 * Consumes: a `VariantPlan` (tune/variant-build.ts) and the records to time. Produces: per record a
 * `Timing` (nanoseconds per call of each sample, the batch size) or the reason it has none, plus the
 * process's noise floor samples and TSC calibration. The spec file format and the output lines are
 * described in tune/timing-driver.ts. A record that ends the process (a crash, `exit`, a divergence) or
 * outlasts its time-out is reported failed and the process is started again after it, so one record never
 * costs another its figures. Runs as `nobody` when inputsmith runs as root, like native replay.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InputRecord } from '../gen/record.js';
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
  /** Sampling stops after this much measured time per record once minSamples are taken (ns). */
  readonly budgetNs: number;
  /** Wall-clock time-out of one record (ms), warm-up and samples together. */
  readonly recordTimeoutMs: number;
  /** CPU to pin to (undefined: none). */
  readonly cpu?: number;
}

export type Timing =
  | { readonly ok: true; readonly batch: number; readonly samplesNs: readonly number[] }
  | { readonly ok: false; readonly why: string };

export interface ProcessTimings {
  /** Noise floor: ns per call of single calls and of batches. */
  readonly floorSingle: readonly number[];
  readonly floorBatch: readonly number[];
  readonly floorBatchSize: number;
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

function specBytes(p: TimingParams, empty: number, jobs: readonly Job[]): Buffer {
  const parts: Buffer[] = [Buffer.from('ISTM0001')];
  parts.push(u64(p.cpu === undefined ? 0xffffffffffffffffn : p.cpu));
  for (const v of [p.warmupNs, p.targetNs, p.maxSamples, p.minSamples, p.budgetNs, empty, jobs.length])
    parts.push(u64(Math.round(v)));
  for (const j of jobs) {
    parts.push(u64(j.id));
    const s = Buffer.from(j.stdin ?? '');
    parts.push(u64(s.length), padded(s));
    parts.push(u64(j.image.length), padded(j.image));
  }
  return Buffer.concat(parts);
}

interface RunEnd {
  lines: string[];
  why: string;
  /** Record id running when the process ended early. */
  last?: number;
  done: boolean;
}

function runOnce(
  exe: string,
  spec: string,
  cwd: string,
  timeoutMs: number,
  firstMs: number,
): Promise<RunEnd> {
  return new Promise((resolveEnd) => {
    const child = spawn(exe, ['--time', spec], {
      cwd,
      ...(SANDBOX ?? {}),
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: {},
    });
    const lines: string[] = [];
    let buf = '';
    let err = '';
    let last: number | undefined;
    let killed: string | undefined;
    let timer = setTimeout(() => kill('set-up time-out'), firstMs);
    const kill = (why: string): void => {
      killed ??= why;
      child.kill('SIGKILL');
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => kill(`time-out (${timeoutMs} ms)`), timeoutMs);
    };
    child.stderr?.on('data', (b: Buffer) => {
      if (err.length < 4096) err += b.toString();
    });
    const out = child.stdio[3] as NodeJS.ReadableStream;
    out.on('data', (b: Buffer) => {
      buf += b.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        lines.push(line);
        if (line.startsWith('S ')) {
          last = Number(line.slice(2));
          arm();
        } else if (line.startsWith('T ')) last = undefined;
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      resolveEnd({ lines, why: `cannot run: ${e.message}`, done: false });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const done = lines.at(-1) === 'D';
      const why =
        killed ??
        (signal !== null
          ? `native ${signal}`
          : code === 125
            ? `driver: ${err.trim().split('\n')[0] ?? ''}`
            : `exited with ${code} while timing`);
      resolveEnd({ lines, why, done, ...(last !== undefined ? { last } : {}) });
    });
  });
}

/**
 * Time `records` with `plan`'s executable, one process (restarted after a record that ends it). Records
 * that do not fit the build, or cannot be timed (files opened, outcome not a normal return), get a reason.
 */
export async function timeRecords(
  plan: VariantPlan,
  records: readonly InputRecord[],
  p: TimingParams,
): Promise<ProcessTimings> {
  const timings = new Map<InputRecord, Timing>();
  const jobs: Job[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'inputsmith-perf-'));
  try {
    chmodSync(dir, 0o777);
    for (const r of records) {
      const unfit = recordUnfit(plan, r);
      if (unfit !== undefined) {
        timings.set(r, { ok: false, why: unfit });
        continue;
      }
      if (r.streams.files.length > 0) {
        timings.set(r, { ok: false, why: 'opens files (not timed)' });
        continue;
      }
      try {
        const image = encodeImage(plan, plan.entries.get(r.function)!, r).bytes;
        const id = jobs.length;
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
    }
    const exe = join(dir, 'replay');
    copyFileSync(plan.exe, exe);
    chmodSync(exe, 0o755);
    let floor: { single: number[]; batch: number[]; k: number } | undefined;
    let cyclesPerNs = 0;
    let pending = jobs;
    while (pending.length > 0) {
      const spec = join(dir, 'spec');
      writeFileSync(spec, specBytes(p, plan.emptyEntry, pending));
      chmodSync(spec, 0o644);
      const end = await runOnce(exe, spec, dir, p.recordTimeoutMs, p.recordTimeoutMs + 5000);
      const byId = new Map(pending.map((j) => [j.id, j]));
      for (const line of end.lines) {
        const w = line.split(' ');
        if (w[0] === 'C') cyclesPerNs = Number(w[1]) / Number(w[2]);
        else if (w[0] === 'F' && cyclesPerNs > 0) {
          const k = Number(w[1]);
          const ns = w.slice(2).map((c) => Number(c) / cyclesPerNs / k);
          floor ??= { single: [], batch: [], k: 1 };
          if (k === 1 && floor.single.length === 0) floor.single = ns;
          else Object.assign(floor, { batch: ns, k });
        } else if (w[0] === 'T' && cyclesPerNs > 0) {
          const j = byId.get(Number(w[1]));
          const k = Number(w[2]);
          if (j !== undefined)
            timings.set(j.r, {
              ok: true,
              batch: k,
              samplesNs: w.slice(3).map((c) => Number(c) / cyclesPerNs / k),
            });
        }
      }
      if (end.done) break;
      const at = end.last === undefined ? -1 : pending.findIndex((j) => j.id === end.last);
      if (at < 0) {
        // Died before or between records: every record not timed yet fails with the reason.
        for (const j of pending) if (!timings.has(j.r)) timings.set(j.r, { ok: false, why: end.why });
        break;
      }
      timings.set(pending[at]!.r, { ok: false, why: end.why });
      pending = pending.slice(at + 1).filter((j) => !timings.has(j.r));
    }
    for (const j of jobs) if (!timings.has(j.r)) timings.set(j.r, { ok: false, why: 'not timed' });
    return {
      floorSingle: floor?.single ?? [],
      floorBatch: floor?.batch ?? [],
      floorBatchSize: floor?.k ?? 1,
      cyclesPerNs,
      timings,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
