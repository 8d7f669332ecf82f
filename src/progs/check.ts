/**
 * @fileoverview Stage: progs. The checker: runs generated programs with several "runners" (a native
 * compiler at an optimisation level, or any other executor such as our engine) in parallel and reports
 * every program whose own checks fail or whose output differs from the expected one.
 *
 * Consumes: paths of generated C files (their header holds the seed, the reproduce command and the
 * expected stdout) and a list of `Runner`s. Produces: a `CheckSummary` listing each failure with the
 * runner, the reason, and the commands that reproduce it.
 */

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** What one run of a program produced. */
export interface RunResult {
  readonly stdout: string;
  readonly exitCode: number;
  /** Diagnostics (compiler errors, sanitizer reports); a non-empty value counts as a failure when `strict`. */
  readonly stderr?: string;
  /** Set when the program could not be built or run at all (compile error, timeout). */
  readonly error?: string;
}

/**
 * Something that runs a C program and reports its stdout and exit code. Native compilers implement it
 * below; the engine plugs in the same way (a Runner whose run() compiles the file to IR and runs main).
 */
export interface Runner {
  readonly name: string;
  run(cFile: string): Promise<RunResult>;
  /** A shell command that reproduces the run by hand, if there is one. */
  command?(cFile: string): string;
  /** Any output on stderr is a failure (sanitizer runners). */
  readonly strict?: boolean;
}

interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
  timedOut: boolean;
  spawnError?: string;
}

function run(cmd: string, args: string[], timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { timeout: timeoutMs, maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, code: 0, timedOut: false });
        const e = err as NodeJS.ErrnoException & {
          code?: number | string;
          killed?: boolean;
          signal?: string;
        };
        if (typeof e.code === 'string') {
          return resolve({ stdout, stderr, code: -1, timedOut: false, spawnError: `${cmd}: ${e.code}` });
        }
        const sig = e.signal ? (constants.signals as Record<string, number>)[e.signal] : undefined;
        const code = typeof e.code === 'number' ? e.code : 128 + (sig ?? 0);
        resolve({ stdout, stderr, code, timedOut: Boolean(e.killed), spawnError: undefined });
      },
    );
  });
}

export interface NativeRunnerOptions {
  /** Extra compiler flags, e.g. ['-fsanitize=undefined,address', '-fno-sanitize-recover=all']. */
  readonly flags?: readonly string[];
  /** Suffix for the runner name (e.g. 'ubsan'). */
  readonly label?: string;
  readonly compileTimeoutMs?: number;
  readonly runTimeoutMs?: number;
}

/** Compiles with `compiler -O<opt>` into a private temporary directory and runs the binary. */
export class NativeRunner implements Runner {
  readonly name: string;
  readonly strict: boolean;
  private readonly flags: readonly string[];
  private tmp: string | undefined;
  private serial = 0;

  constructor(
    readonly compiler: string,
    readonly opt: string,
    private readonly o: NativeRunnerOptions = {},
  ) {
    this.flags = o.flags ?? [];
    this.name = `${compiler} -${opt}${o.label ? ` ${o.label}` : ''}`;
    this.strict = this.flags.some((f) => f.startsWith('-fsanitize'));
  }

  private args(cFile: string, exe: string): string[] {
    return [`-${this.opt}`, '-w', ...this.flags, cFile, '-o', exe];
  }

  command(cFile: string): string {
    return `${this.compiler} ${this.args(cFile, 'prog').join(' ')} && ./prog`;
  }

  async run(cFile: string): Promise<RunResult> {
    this.tmp ??= mkdtempSync(join(tmpdir(), 'inputsmith-progs-'));
    const exe = join(this.tmp, `p${++this.serial}`);
    try {
      const c = await run(this.compiler, this.args(cFile, exe), this.o.compileTimeoutMs ?? 120_000);
      if (c.spawnError) return { stdout: '', exitCode: -1, error: c.spawnError };
      if (c.code !== 0 || c.timedOut) {
        const why = c.timedOut ? 'compile timed out' : `compile failed: ${c.stderr.split('\n')[0] ?? ''}`;
        return { stdout: '', exitCode: -1, stderr: c.stderr, error: why };
      }
      const r = await run(exe, [], this.o.runTimeoutMs ?? 20_000);
      if (r.timedOut) return { stdout: r.stdout, exitCode: r.code, stderr: r.stderr, error: 'run timed out' };
      return { stdout: r.stdout, exitCode: r.code, stderr: r.stderr };
    } finally {
      rmSync(exe, { force: true });
    }
  }

  /** Removes the temporary directory. */
  dispose(): void {
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    this.tmp = undefined;
  }
}

/** True when `compiler --version` runs. */
export async function compilerAvailable(compiler: string): Promise<boolean> {
  const r = await run(compiler, ['--version'], 20_000);
  return !r.spawnError && r.code === 0;
}

/** The flags of the sanitizer runners (UBSan and ASan, aborting at the first report). */
export const SANITIZE_FLAGS: readonly string[] = [
  '-fsanitize=undefined,address',
  '-fno-sanitize-recover=all',
];

/** What the header of a generated file says about it. */
export interface ProgramInfo {
  readonly file: string;
  readonly seed: number | undefined;
  readonly expectedStdout: string | undefined;
  readonly reproduce: string | undefined;
}

export function readProgramInfo(file: string): ProgramInfo {
  const head = readFileSync(file, 'utf8').slice(0, 2000);
  const seed = /\bseed (\d+)/.exec(head)?.[1];
  const exp = /expected-stdout: (.*)/.exec(head)?.[1];
  const rep = /Reproduce: (.*)/.exec(head)?.[1];
  return {
    file,
    seed: seed !== undefined ? Number(seed) : undefined,
    expectedStdout: exp !== undefined ? `${exp}\n` : undefined,
    reproduce: rep?.trim(),
  };
}

export interface Failure {
  readonly file: string;
  readonly seed: number | undefined;
  readonly runner: string;
  /** One line: what went wrong. */
  readonly reason: string;
  /** Commands that regenerate the program and reproduce the run. */
  readonly reproduce: string;
}

export interface CheckSummary {
  readonly programs: number;
  readonly runs: number;
  /** Programs with at least one failure. */
  readonly failedPrograms: number;
  readonly failures: Failure[];
}

export interface CheckOptions {
  readonly runners: readonly Runner[];
  readonly jobs: number;
  /** Called after each program has been run by every runner. */
  readonly onProgram?: (info: ProgramInfo, failures: Failure[], done: number, total: number) => void;
}

function describe(r: RunResult, expected: string | undefined, strict: boolean): string | undefined {
  if (r.error) return r.error;
  const fail = r.stdout.split('\n').find((l) => l.startsWith('FAIL'));
  if (fail) return `${fail} (exit ${r.exitCode})`;
  if (r.exitCode !== 0) return `exit code ${r.exitCode}${r.stderr ? `: ${firstLine(r.stderr)}` : ''}`;
  if (expected !== undefined && r.stdout !== expected) {
    return `stdout ${JSON.stringify(r.stdout.slice(0, 80))}, expected ${JSON.stringify(expected)}`;
  }
  if (strict && r.stderr && r.stderr.trim() !== '') return `stderr: ${firstLine(r.stderr)}`;
  return undefined;
}

function firstLine(s: string): string {
  return (s.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}

/** Runs every file with every runner, `jobs` runs at a time; reports failures and output differences. */
export async function checkPrograms(files: readonly string[], opts: CheckOptions): Promise<CheckSummary> {
  const failures: Failure[] = [];
  let failedPrograms = 0;
  let runs = 0;
  let done = 0;
  const perProgram = files.map(() => ({ left: opts.runners.length, results: [] as [Runner, RunResult][] }));
  const tasks: [number, Runner][] = [];
  files.forEach((_, i) => opts.runners.forEach((r) => tasks.push([i, r])));
  let next = 0;
  const finish = (i: number): void => {
    const file = files[i] as string;
    const info = readProgramInfo(file);
    const mine: Failure[] = [];
    const results = perProgram[i]?.results ?? [];
    const outputs = new Set<string>();
    for (const [runner, res] of results) {
      outputs.add(res.stdout);
      const why = describe(res, info.expectedStdout, runner.strict === true);
      if (why !== undefined) mine.push(failure(info, runner, why));
    }
    if (mine.length === 0 && outputs.size > 1) {
      const names = results.map(([r, res]) => `${r.name}: ${JSON.stringify(res.stdout.slice(0, 40))}`);
      mine.push(
        failure(info, results[0]?.[0] as Runner, `outputs differ between runners (${names.join('; ')})`),
      );
    }
    if (mine.length > 0) failedPrograms++;
    failures.push(...mine);
    done++;
    opts.onProgram?.(info, mine, done, files.length);
  };
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const [i, runner] = tasks[next++] as [number, Runner];
      let res: RunResult;
      try {
        res = await runner.run(files[i] as string);
      } catch (e) {
        res = { stdout: '', exitCode: -1, error: `runner error: ${(e as Error).message}` };
      }
      runs++;
      const slot = perProgram[i] as { left: number; results: [Runner, RunResult][] };
      slot.results.push([runner, res]);
      if (--slot.left === 0) finish(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.jobs) }, worker));
  return { programs: files.length, runs, failedPrograms, failures };
}

function failure(info: ProgramInfo, runner: Runner, reason: string): Failure {
  const regen = info.reproduce?.replace(/-o DIR$/, '-o repro') ?? `(seed ${info.seed ?? '?'})`;
  const cmd = runner.command?.(join('repro', basename(info.file))) ?? `run with ${runner.name}`;
  return { file: info.file, seed: info.seed, runner: runner.name, reason, reproduce: `${regen} && ${cmd}` };
}
