/**
 * @fileoverview Stage: cli. The `inputsmith` command line: builds the commander program, runs it, and turns
 * every failure into one line on stderr and an exit code.
 *
 * Consumes: argv (without node and the script). Produces: an exit code: 0 ok; a `UserError`'s own code
 * (1, or 2 for usage errors) with `inputsmith: <file:line:col: message>`, also for the machine's failures
 * a user can fix (`environmentError`: memory too small, a missing build); 2 for commander usage errors;
 * 70 with `inputsmith: internal error: ...` for anything else (a bug; set INPUTSMITH_DEBUG=1 for the stack).
 * Commands live in ./commands/<name>.ts and each exports `register(program)`.
 */

import { Command, CommanderError } from 'commander';
import { environmentError, oneLine } from '../util/errors.js';
import { packageVersion } from '../util/version.js';
import { register as registerCompile } from './commands/compile.js';
import { register as registerDemo } from './commands/demo.js';
import { register as registerDiff } from './commands/diff.js';
import { register as registerExport } from './commands/export.js';
import { register as registerGen } from './commands/gen.js';
import { register as registerInspect } from './commands/inspect.js';
import { register as registerMathlib } from './commands/mathlib.js';
import { register as registerMerge } from './commands/merge.js';
import { register as registerPerf } from './commands/perf.js';
import { register as registerProgs } from './commands/progs.js';
import { register as registerQueue } from './commands/queue.js';
import { register as registerReplay } from './commands/replay.js';
import { register as registerRun } from './commands/run.js';

const COMMANDS: readonly ((program: Command) => void)[] = [
  registerCompile,
  registerInspect,
  registerDemo,
  registerProgs,
  registerRun,
  registerGen,
  registerReplay,
  registerMerge,
  registerQueue,
  registerExport,
  registerPerf,
  registerDiff,
  registerMathlib,
];

/** Exit code for usage errors (bad flags, missing arguments). */
export const EXIT_USAGE = 2;
/** Exit code for internal errors (sysexits' EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** The program with all commands registered; errors are thrown, never `process.exit`ed. */
export function buildProgram(): Command {
  const program = new Command('inputsmith')
    .description(
      'Generate stateful inputs for every function of a compiled C/C++/Rust program, and replay them',
    )
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => process.stdout.write(s),
      writeErr: (s) => process.stderr.write(s),
      // Errors are printed by `main`, as one line.
      outputError: () => {},
    });
  for (const reg of COMMANDS) reg(program);
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(program.configureOutput());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length === 0) {
    process.stderr.write(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    // A command may set its own status (`inputsmith run` exits with the program's exit code).
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    const sub = program.commands.find((c) => c.name() === argv[0]);
    return reportError(e, sub === undefined ? 'inputsmith --help' : `inputsmith ${sub.name()} --help`);
  }
}

/** Print `e` as one stderr line and return the exit code for it. */
export function reportError(e: unknown, helpHint = 'inputsmith --help'): number {
  const say = (msg: string): void => {
    process.stderr.write(`inputsmith: ${msg}\n`);
  };
  const user = environmentError(e);
  if (user !== undefined) {
    say(user.format());
    return user.exitCode;
  }
  if (e instanceof CommanderError) {
    if (e.exitCode === 0) return 0; // --help, --version
    if (e.code === 'commander.help') return EXIT_USAGE; // help already printed (missing subcommand)
    say(`${oneLine(e.message.replace(/^error: /, ''))} (see ${helpHint})`);
    return EXIT_USAGE;
  }
  const msg = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  say(`internal error: ${oneLine(msg)}`);
  if (process.env.INPUTSMITH_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return EXIT_INTERNAL;
}
