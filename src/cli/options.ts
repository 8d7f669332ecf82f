/**
 * @fileoverview Stage: cli. The one table of command-line options shared by the commands.
 *
 * Consumes: nothing (a table). Produces: commander `Option`s for a command (`addOptions`), the typed
 * `CliOptions` commander parses them into, their conversion to the library's `CompileOptions`, and the
 * checks between options (`checkOptions`), all in one place. Each entry: flag, description, default,
 * value parser. A command picks the entries it accepts; the same flag means the same thing everywhere.
 */

import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_OPT, type CompileOptions, type OptLevel } from '../toolchain/compile.js';
import { UserError } from '../util/errors.js';

/** Options as commander hands them to an action (keys are the camelCase long flags). */
export interface CliOptions {
  output?: string;
  opt: OptLevel;
  include: string[];
  define: string[];
  compileCommands?: string;
  clang?: string;
  debug: boolean;
  json: boolean;
  print: boolean;
  jobs?: number;
  native: boolean;
}

export interface OptionDef<K extends keyof CliOptions = keyof CliOptions> {
  /** commander flag syntax: `-O, --opt <level>`. */
  readonly flags: string;
  readonly description: string;
  /** Shown in help and used when the flag is absent (arrays are copied, never shared). */
  readonly default?: CliOptions[K];
  /** Text for the default in help, when it differs from the value. */
  readonly defaultText?: string;
  /** Converts one occurrence; `previous` is the value so far (for repeatable flags). */
  readonly parse?: (raw: string, previous: CliOptions[K]) => CliOptions[K];
}

function parseOpt(raw: string): OptLevel {
  const m = /^O?([0-3sz])$/.exec(raw);
  if (!m) throw new InvalidArgumentError('expected 0, 1, 2, 3, s or z');
  return `O${m[1]}` as OptLevel;
}

const collect = (raw: string, previous: string[]): string[] => [...previous, raw];

/** Value parser for flags taking a positive integer. */
export function positiveInt(raw: string): number {
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export const OPTIONS: { readonly [K in keyof CliOptions]: OptionDef<K> } = {
  output: { flags: '-o, --output <dir>', description: 'directory to write results to' },
  opt: {
    flags: '-O, --opt <level>',
    description: 'optimization level for C/C++ inputs: 0, 1, 2, 3, s or z',
    default: DEFAULT_OPT,
    defaultText: DEFAULT_OPT.slice(1),
    parse: parseOpt,
  },
  include: {
    flags: '-I, --include <dir>',
    description: 'add an include directory (repeatable)',
    default: [],
    parse: collect,
  },
  define: {
    flags: '-D, --define <name[=value]>',
    description: 'define a preprocessor macro (repeatable)',
    default: [],
    parse: collect,
  },
  compileCommands: {
    flags: '--compile-commands <file>',
    description: 'take sources and their flags from a compile_commands.json',
  },
  clang: {
    flags: '--clang <path>',
    description: 'clang to use (default: $INPUTSMITH_CLANG, else clang-19 .. clang-15, else clang)',
  },
  debug: {
    flags: '-g, --debug',
    description: 'keep debug info (source locations) in the IR',
    default: false,
  },
  json: { flags: '--json', description: 'print JSON instead of text', default: false },
  print: { flags: '--print', description: 'print the parsed module back as LLVM IR', default: false },
  jobs: {
    flags: '-j, --jobs <n>',
    description: 'worker threads (and native replays) at once (default: all cores)',
    parse: (raw) => positiveInt(raw),
  },
  native: {
    flags: '--native',
    description: 'also replay every input natively (built with clang)',
    default: false,
  },
};

export type OptionKey = keyof CliOptions;

/** Add the named options from the table to `cmd`; `required` ones must be given. */
export function addOptions(
  cmd: Command,
  keys: readonly OptionKey[],
  opts: { required?: readonly OptionKey[] } = {},
): Command {
  for (const key of keys) {
    const def = OPTIONS[key] as OptionDef;
    const o = new Option(def.flags, def.description);
    if (def.parse !== undefined) {
      const parse = def.parse;
      o.argParser((raw: string, prev: unknown) => parse(raw, prev as never));
    }
    if (def.default !== undefined) {
      const d = def.default;
      o.default(Array.isArray(d) ? [] : d, def.defaultText ?? (Array.isArray(d) ? undefined : String(d)));
    }
    if (opts.required?.includes(key) === true) o.makeOptionMandatory();
    cmd.addOption(o);
  }
  return cmd;
}

/** The checks between options, in one place. Throws a usage `UserError` (exit 2). */
export function checkOptions(command: string, o: Partial<CliOptions>): void {
  if (o.json === true && o.print === true) {
    throw new UserError(`${command}: --json and --print cannot be combined`, undefined, 2);
  }
}

/** The toolchain's compile options from parsed CLI options. */
export function compileOptions(o: Partial<CliOptions>): CompileOptions {
  return {
    opt: o.opt ?? DEFAULT_OPT,
    includes: o.include ?? [],
    defines: o.define ?? [],
    debug: o.debug === true,
    clang: o.clang,
  };
}
