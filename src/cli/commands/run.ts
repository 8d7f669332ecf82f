/**
 * @fileoverview Stage: cli. `inputsmith run <file> [--entry NAME] [--stdin FILE] [-- args...]`: runs a
 * program's main (or another entry) in the engine, like `lli`.
 *
 * Consumes: a .ll, .bc or C/C++ file (compiled on the fly, cached) and the program's arguments. Produces:
 * the program's stdout and stderr on ours, and its exit status as our exit code. When the run ends with an
 * outcome other than return/exit (undefined behaviour, a budget, an unsupported external), one line
 * `inputsmith: run: <outcome>: <message> in @func %block #instr (file:line:col)` on stderr and exit code
 * 125 (`EXIT_FINDING`). The work is `runFile`, callable without the CLI.
 */

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Engine, type RunResult } from '../../engine/engine.js';
import { formatLocation } from '../../engine/outcome.js';
import type { CompileOptions } from '../../toolchain/compile.js';
import { UserError } from '../../util/errors.js';
import { addCommandOptions, checkOptions, compileOptions, type OptionsOf } from '../options.js';
import { loadModule } from './inspect.js';

/** Exit code when the run ends with a finding or an exhausted budget instead of return/exit. */
export const EXIT_FINDING = 125;

export interface RunFileOptions {
  readonly entry?: string;
  readonly args?: readonly string[];
  readonly stdin?: Uint8Array;
  readonly stepLimit?: number;
  readonly timeLimitMs?: number;
  readonly memLimitBytes?: number;
}

/** Load (compiling if needed), link and run `path`. */
export async function runFile(
  path: string,
  o: RunFileOptions = {},
  copts: CompileOptions = {},
): Promise<RunResult> {
  const m = await loadModule(path, copts);
  const engine = new Engine(m);
  const f = m.symbols.get(o.entry ?? 'main');
  if (f === undefined || f.kind !== 'function' || f.blocks.length === 0)
    throw new UserError(`${path}: no function @${o.entry ?? 'main'} with a body to run`);
  return engine.runMain({ ...o, argv0: path });
}

/** The one-line report of a non-normal outcome. */
export function describeOutcome(r: RunResult): string {
  return `${r.outcome}: ${r.message ?? ''}${formatLocation(r.location)}`;
}

export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description("run a program's main (or --entry) in the engine, like lli; undefined behaviour is reported")
    .argument('<file>', '.ll, .bc, .c, .cc, .cpp or .cxx file')
    .argument('[args...]', 'arguments for the program (put them after --)');
  addCommandOptions(cmd, 'run');
  cmd.action(async (file: string, args: string[], o: OptionsOf<'run'>) => {
    checkOptions('run', o);
    let stdin: Uint8Array | undefined;
    if (o.stdin !== undefined) {
      try {
        stdin = readFileSync(o.stdin);
      } catch (e) {
        throw new UserError(`cannot read --stdin file ${o.stdin}: ${(e as Error).message}`, undefined, 2);
      }
    }
    const r = await runFile(
      file,
      {
        entry: o.entry,
        args,
        stdin,
        stepLimit: o.stepLimit,
        timeLimitMs: o.timeLimit,
        memLimitBytes: o.memLimit,
      },
      compileOptions(o),
    );
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    if (r.outcome === 'returned' || r.outcome === 'exit') {
      process.exitCode = r.exitCode;
      return;
    }
    process.stderr.write(`inputsmith: run: ${describeOutcome(r).replace(/\s*\n\s*/g, ' ')}\n`);
    process.exitCode = r.outcome === 'internal-error' ? 70 : EXIT_FINDING;
  });
}
