/**
 * @fileoverview Stage: replay (native). Replays input records natively: the proof that the inputs are real.
 *
 * Consumes: a module file (.ll, .bc, or a C/C++ source, loaded as `gen` loads it) and input records of its
 * functions. Produces: one `NativeReplayResult` per record (`ok`, `mismatch`, `failed` or `not-run`, with
 * a one-line reason).
 *
 * How: native-build.ts compiles ONE executable per module (clang runs once) that can replay every record
 * of every function; each record then runs in a process of its own (so a crash or hang costs only that
 * record), with its image file (native-image.ts), stdin from the recorded bytes, files the function opens
 * created in a private directory, an address-space limit, a CPU limit and a wall-clock time-out.
 * native-check.ts compares the result with the record. See docs/native-replay.md.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, resolve } from 'node:path';
import type { InputRecord } from '../gen/record.js';
import { unb64 } from '../gen/record.js';
import type { Module } from '../ir/model.js';
import { parseModule } from '../ir/parser.js';
import { cacheDir } from '../toolchain/cache.js';
import { loadIRText } from '../toolchain/compile.js';
import { UserError } from '../util/errors.js';
import { coreCount, mapLimit } from '../util/concurrency.js';
import { buildNativeReplayer, type NativePlan } from './native-build.js';
import {
  checkRun,
  notOk,
  notReplayable,
  type NativeCause,
  type NativeStatus,
  type ProcessEnd,
  type Verdict,
} from './native-check.js';
import { decodeResult, encodeImage, ImageError } from './native-image.js';
import { DEFAULTS } from '../util/defaults.js';

export type { NativeCause, NativeStatus } from './native-check.js';
export { NATIVE_CAUSE_IDS, NATIVE_CAUSES } from './native-check.js';

export interface NativeReplayOptions {
  /** Wall-clock limit per record (the process is killed after it). */
  readonly timeoutMs: number;
  /** Address space the function may map beyond the driver's own (RLIMIT_AS), in MiB. */
  readonly memLimitMb: number;
  /** Directory for the executable (kept and reused while module and records' needs are the same) and run files. */
  readonly workDir: string;
  /** Records run at the same time (default: number of cores). */
  readonly jobs?: number;
  /** clang to use (the `--clang` flag). */
  readonly clang?: string;
  /** Bytes of stdout + stderr after which a run is killed (default 64 MiB). */
  readonly outputLimit?: number;
}

/** Defaults of the limits (one place; campaigns and batch replays take them when not given). */
export const NATIVE_REPLAY_DEFAULTS = DEFAULTS.native;

/** Where native replays keep their executables and run files: the cache's `native` directory. */
export function nativeWorkDir(): string {
  return join(cacheDir(), 'native');
}

export interface NativeReplayResult {
  readonly function: string;
  /** The record's `index`. */
  readonly index: number;
  readonly status: NativeStatus;
  /** Empty when ok without remarks; otherwise the first difference or why it could not run. */
  readonly reason: string;
  /** Why it is not ok (src/replay/native-check.ts, `NATIVE_CAUSES`); absent when ok. */
  readonly cause?: NativeCause;
  /** Wall time of the native process (0 when it did not run). */
  readonly timeMs: number;
}

/** sha256 of a module's IR text, as records' `moduleHash`. */
export function moduleHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Replay `records` (all of module `moduleFile`) natively. Never throws for a bad record or a failing
 * build: each record gets its status. Throws `UserError` only when the module cannot be read.
 */
export async function replayNative(
  moduleFile: string,
  records: readonly InputRecord[],
  opts: NativeReplayOptions,
): Promise<NativeReplayResult[]> {
  const { text, file } = await loadIRText(moduleFile, { clang: opts.clang });
  return replayNativeText(text, file, records, opts);
}

/** `replayNative` for IR text already loaded (`file` names it in messages). */
export async function replayNativeText(
  text: string,
  file: string,
  records: readonly InputRecord[],
  opts: NativeReplayOptions,
): Promise<NativeReplayResult[]> {
  const hash = moduleHash(text);
  const verdict = (r: InputRecord, v: Verdict): NativeReplayResult => resultOf(r, v, 0);
  const early = new Map<InputRecord, NativeReplayResult>();
  for (const r of records) {
    if (r.moduleHash !== hash)
      early.set(
        r,
        verdict(r, notOk('failed', 'stale-record', 'the record is for another module (moduleHash differs)')),
      );
    else {
      const why = notReplayable(r);
      if (why !== undefined) early.set(r, verdict(r, why));
    }
  }
  const runnable = records.filter((r) => !early.has(r));
  if (runnable.length === 0) return records.map((r) => early.get(r) as NativeReplayResult);

  const workDir = resolve(opts.workDir);
  let plan: NativePlan;
  try {
    const m: Module = parseModule(text, file);
    plan = await buildNativeReplayer(text, m, runnable, workDir, { clang: opts.clang });
  } catch (e) {
    const why = e instanceof UserError ? e.format() : `internal error: ${(e as Error).message}`;
    return records.map((r) => early.get(r) ?? verdict(r, notOk('failed', 'build-failed', why)));
  }

  mkdirSync(workDir, { recursive: true });
  // Run as nobody when we are root (see SANDBOX): in a directory nobody can reach, with a copy of the
  // executable nobody can run (the work directory may be under /root).
  const runDir =
    SANDBOX === undefined
      ? mkdtempSync(join(workDir, 'run-'))
      : mkdtempSync(join(tmpdir(), 'inputsmith-run-'));
  if (SANDBOX !== undefined) {
    chmodSync(runDir, 0o711);
    const exe = join(runDir, 'replay');
    copyFileSync(plan.exe, exe);
    chmodSync(exe, 0o755);
    plan = { ...plan, exe };
  }
  try {
    const results = await mapLimit(records, opts.jobs ?? coreCount(), async (r, i) => {
      const pre = early.get(r);
      if (pre !== undefined) return pre;
      try {
        return await replayOne(plan, r, join(runDir, String(i)), opts);
      } catch (e) {
        if (e instanceof ImageError)
          return verdict(r, notOk('failed', 'record-unfit', `record does not fit the module: ${e.message}`));
        if (e instanceof UserError) return verdict(r, notOk('failed', 'driver-failed', e.format()));
        throw e;
      }
    });
    return results;
  } finally {
    rmSync(runDir, { recursive: true, force: true });
  }
}

/**
 * The user native replays run as: nobody (uid/gid 65534) when inputsmith runs as root, so that the module's
 * code, running on generated arguments with real system calls, cannot change what only root may change
 * (docs/native-replay.md, Safety). INPUTSMITH_NATIVE_AS_ROOT=1 keeps root.
 */
export const SANDBOX: { uid: number; gid: number } | undefined =
  process.getuid?.() === 0 && process.env.INPUTSMITH_NATIVE_AS_ROOT !== '1'
    ? { uid: 65534, gid: 65534 }
    : undefined;

/** The result of record `r` with verdict `v`. */
function resultOf(r: InputRecord, v: Verdict, timeMs: number): NativeReplayResult {
  return {
    function: r.function,
    index: r.index,
    status: v.status,
    reason: v.reason,
    ...(v.cause !== undefined ? { cause: v.cause } : {}),
    timeMs,
  };
}

export async function replayOne(
  plan: NativePlan,
  r: InputRecord,
  dir: string,
  opts: NativeReplayOptions,
): Promise<NativeReplayResult> {
  const entry = plan.entries.get(r.function);
  if (entry === undefined)
    return resultOf(
      r,
      notOk('failed', 'record-unfit', `@${r.function} is not a function defined in the module`),
      0,
    );
  if (entry.unsupported !== undefined)
    return resultOf(r, notOk('not-run', 'driver-unsupported', `@${r.function}: ${entry.unsupported}`), 0);
  const image = encodeImage(plan, entry, r);
  mkdirSync(dir, { recursive: true });
  // The replay writes its result here and may create files in cwd, as nobody under SANDBOX.
  if (SANDBOX !== undefined) chmodSync(dir, 0o777);
  const imgPath = join(dir, 'image');
  const resPath = join(dir, 'result');
  writeFileSync(imgPath, image.bytes);
  const stdinPath = join(dir, 'stdin');
  writeFileSync(stdinPath, unb64(r.streams.stdin));
  const cwd = join(dir, 'cwd');
  mkdirSync(cwd);
  if (SANDBOX !== undefined) chmodSync(cwd, 0o777);
  for (const f of r.streams.files) {
    const rel = normalize(f.path);
    if (isAbsolute(rel) || rel.startsWith('..')) {
      const why = `file ${f.path}: only relative paths can be replayed`;
      return resultOf(r, notOk('not-run', 'driver-unsupported', why), 0);
    }
    mkdirSync(dirname(join(cwd, rel)), { recursive: true });
    writeFileSync(join(cwd, rel), unb64(f.data));
    if (SANDBOX !== undefined) chmodSync(join(cwd, rel), 0o666);
  }

  const cpuSeconds = Math.ceil(opts.timeoutMs / 1000) + 1;
  const t0 = performance.now();
  const end = await runProcess(
    plan.exe,
    [imgPath, resPath, String(opts.memLimitMb), String(cpuSeconds)],
    stdinPath,
    cwd,
    opts.timeoutMs,
    opts.outputLimit ?? DEFAULTS.native.outputLimit,
  );
  const timeMs = performance.now() - t0;
  let resBytes: Uint8Array | undefined;
  try {
    resBytes = readFileSync(resPath);
  } catch {
    resBytes = undefined;
  }
  const res = resBytes === undefined || resBytes.length === 0 ? undefined : decodeResult(resBytes, image);
  return resultOf(r, checkRun(plan, entry, r, image, res, end), timeMs);
}

function runProcess(
  exe: string,
  args: readonly string[],
  stdinPath: string,
  cwd: string,
  timeoutMs: number,
  outputLimit: number,
): Promise<ProcessEnd> {
  return new Promise((resolveEnd, reject) => {
    const stdinFd = openSync(stdinPath, 'r');
    const child = spawn(exe, args, {
      cwd,
      ...(SANDBOX ?? {}),
      stdio: [stdinFd, 'pipe', 'pipe'],
      // An empty environment, as the engine's runs have (getenv finds nothing; the locale is "C").
      env: {},
    });
    closeSync(stdinFd);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let total = 0;
    let killedFor: string | undefined;
    const kill = (why: string): void => {
      if (killedFor === undefined) killedFor = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(`time limit of ${timeoutMs} ms exceeded`), timeoutMs);
    const collect = (into: Buffer[]) => (b: Buffer) => {
      total += b.length;
      if (total > outputLimit) kill(`output limit of ${outputLimit} bytes exceeded`);
      else into.push(b);
    };
    child.stdout?.on('data', collect(out));
    child.stderr?.on('data', collect(err));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new UserError(`cannot run the native replay executable: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveEnd({
        code,
        signal,
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        ...(killedFor !== undefined ? { killedFor, timedOut: killedFor.startsWith('time limit') } : {}),
      });
    });
  });
}
