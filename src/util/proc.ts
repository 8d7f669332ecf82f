/**
 * @fileoverview Stage: shared. Running external tools (clang, llvm-dis, apt-get, tar, make).
 *
 * Consumes: a command, its arguments and options. Produces: the exit code and captured output, or, when
 * asked, the output appended to a log file. Never throws for a non-zero exit; throws a `UserError` only
 * when the command itself cannot be started (for example, it is not installed).
 */

import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { UserError } from './errors.js';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Append stdout and stderr to this file instead of capturing them. */
  logFile?: string;
  /** Bytes written to the child's stdin. */
  input?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `cmd args` to completion. Output is captured (or appended to `opts.logFile`). */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let logFd: number | undefined;
    if (opts.logFile !== undefined) logFd = openSync(opts.logFile, 'a');
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', logFd ?? 'pipe', logFd ?? 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const done = (): void => {
      if (logFd !== undefined) closeSync(logFd);
      logFd = undefined;
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      done();
      if (e.code === 'ENOENT') reject(new UserError(`${cmd}: command not found`));
      else reject(new UserError(`${cmd}: cannot run: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      done();
      resolve({
        code: code ?? (signal !== null ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Synchronous variant returning stdout, or undefined when the tool is missing or exits non-zero. */
export function runQuiet(cmd: string, args: readonly string[]): string | undefined {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return r.stdout + r.stderr;
}

/** Resolve a command name on PATH (or check an explicit path); undefined when not an executable file. */
export function which(cmd: string, path = process.env.PATH ?? ''): string | undefined {
  const isExe = (p: string): boolean => {
    try {
      const st = statSync(p);
      return st.isFile() && (st.mode & 0o111) !== 0;
    } catch {
      return false;
    }
  };
  if (cmd.includes('/')) return isExe(cmd) ? cmd : undefined;
  for (const dir of path.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const p = join(dir, cmd);
    if (existsSync(p) && isExe(p)) return p;
  }
  return undefined;
}

/** The first line of tool output that reports an error (`error:` / `fatal error:`), else the first line. */
export function firstErrorLine(output: string): string {
  const lines = output.split('\n').map((l) => l.trim());
  return lines.find((l) => /\berror:/.test(l)) ?? lines.find((l) => l !== '') ?? '';
}
