/**
 * @fileoverview Test helper of the export tests: run a command, or the inputsmith CLI, to completion and
 * collect its exit code and output (never throws: the caller asserts the code).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `inputsmith ARGS` in `cwd`, with this checkout's bin/inputsmith.js. */
export const cli = (args: string[], cwd: string): Promise<Run> =>
  run(process.execPath, [join(root, 'bin', 'inputsmith.js'), ...args], cwd);
