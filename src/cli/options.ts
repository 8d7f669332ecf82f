/**
 * @fileoverview Stage: cli. The one table of command-line options, for every command.
 *
 * Consumes: the defaults (src/util/defaults.ts). Produces: `OPTIONS`, every flag of every command with its
 * description, default and value parser; `COMMAND_OPTIONS`, the keys each command accepts (and the ones it
 * requires); `addCommandOptions`, which adds a command's options to its commander `Command`; the typed
 * options an action receives (`OptionsOf<'gen'>`); the checks between options (`checkOptions`); and their
 * conversion to the library's `CompileOptions`, all in one place. A flag means the same thing in every
 * command that accepts it; a command that needs something else gets another flag (`progs check
 * --opt-levels`, a list, beside the shared `--opt`, one level).
 */

import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  DEFAULT_OPT,
  readCompileCommands,
  type CompileOptions,
  type OptLevel,
} from '../toolchain/compile.js';
import { parseSplit } from '../export/dataset-hygiene.js';
import { parseShard, type ShardSpec } from '../guide/shard.js';
import { SOLVE_HEURISTICS, type SolveHeuristic } from '../guide/solve.js';
import { DEFAULTS } from '../util/defaults.js';
import { UserError } from '../util/errors.js';

/** Options as commander hands them to an action (keys are the camelCase long flags). */
export interface CliOptions {
  // Compiling sources.
  output?: string;
  opt: OptLevel;
  include: string[];
  define: string[];
  compileCommands?: string;
  clang?: string;
  debug: boolean;
  // Output format (inspect).
  json: boolean;
  print: boolean;
  extract?: string;
  // Work.
  jobs?: number;
  native: boolean;
  verbose: boolean;
  // Search (gen; `seed` also progs gen, checked there to be a number).
  seed: string;
  inputs: number;
  maxRuns: number;
  plateau: number;
  maxSteps: number;
  runStepFactor: number;
  runStepFloor: number;
  functionTimeout: number;
  sample: number;
  grow: number;
  solve: number;
  solveOff: SolveHeuristic[];
  functions?: string;
  force: boolean;
  shard?: ShardSpec;
  shardCosts?: string;
  // Job queue (queue submit|work|status|finish).
  redis: string;
  queue: string;
  attempts: number;
  queueJobs?: number;
  stallTimeout: number;
  wait: boolean;
  // One run (run).
  entry?: string;
  stdin?: string;
  stepLimit?: number;
  timeLimit?: number;
  memLimit?: number;
  // Random programs (progs).
  count: number;
  grammar?: string;
  compilers: string[];
  optLevels: string[];
  sanitize: boolean;
  limit?: number;
  /** Engine levels, or false for `--no-engine`. */
  engine: string[] | false;
  // Dataset export (export dataset; gen --dataset).
  dataset?: string;
  format: string;
  trace: string;
  traceLimit: number;
  split: string;
  // Coverage export (export lcov).
  throughCalls: boolean;
  // Tests export (export tests).
  framework: string;
  // Build variants (perf, diff).
  variants: string[];
  variantsFile?: string;
  baseline?: string;
  budget: number;
  recordTimeout: number;
  rounds: number;
  margin: number;
  classify: boolean;
  // Maths library accuracy (mathlib).
  impl: string[];
  implFile: string[];
  range?: string;
  samples?: number;
  jsonFile?: string;
  work?: string;
  cached: boolean;
}

export type OptionKey = keyof CliOptions;

export interface OptionDef<K extends OptionKey = OptionKey> {
  /** commander flag syntax: `-O, --opt <level>`. */
  readonly flags: string;
  readonly description: string;
  /** Shown in help and used when the flag is absent (arrays are copied, never shared). */
  readonly default?: CliOptions[K] | readonly string[];
  /** Text for the default in help, when it differs from the value. */
  readonly defaultText?: string;
  /** Converts one occurrence; `previous` is the value so far (for repeatable flags). */
  readonly parse?: (raw: string, previous: CliOptions[K]) => CliOptions[K];
  /** A second flag that sets the option to false (`--no-engine`), with its description. */
  readonly negate?: { readonly flags: string; readonly description: string };
}

function parseOpt(raw: string): OptLevel {
  const m = /^O?([0-3sz])$/.exec(raw);
  if (!m) throw new InvalidArgumentError('expected 0, 1, 2, 3, s or z');
  return `O${m[1]}` as OptLevel;
}

const collect = (raw: string, previous: string[]): string[] => [...previous, raw];

/** A whole number of decimal digits, at least `min`; else `message`. */
function wholeNumber(raw: string, min: number, message: string): number {
  const n = Number(raw);
  if (!/^\s*\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min)
    throw new InvalidArgumentError(message);
  return n;
}

/** Value parser for flags taking a positive integer. */
export function positiveInt(raw: string): number {
  return wholeNumber(raw, 1, 'expected a positive integer');
}

/** Value parser for flags taking an integer >= 0. */
export function nonNegativeInt(raw: string): number {
  return wholeNumber(raw, 0, 'expected an integer >= 0');
}

/** Value parser for flags taking a positive number (decimals allowed). */
export function positiveNumber(raw: string): number {
  const n = Number(raw);
  if (!/^\s*(\d+\.?\d*|\.\d+)\s*$/.test(raw) || !Number.isFinite(n) || n <= 0)
    throw new InvalidArgumentError('expected a positive number');
  return n;
}

/** Value parser for flags taking a non-negative integer. */
export function nonNegInt(raw: string): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
    throw new InvalidArgumentError('expected a non-negative integer');
  return Number(raw);
}

function solveHeuristics(raw: string): SolveHeuristic[] {
  const names = list(raw);
  for (const n of names)
    if (!(n in SOLVE_HEURISTICS))
      throw new InvalidArgumentError(
        `unknown heuristic '${n}' (${Object.keys(SOLVE_HEURISTICS).join(', ')})`,
      );
  return names as SolveHeuristic[];
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** A comma-separated list of optimisation levels for native compilers (`O1,O3`; `-O2`, `fast` too). */
function optLevels(raw: string): string[] {
  return list(raw).map((o) => {
    const m = /^-?O?([0-3sz]|fast)$/.exec(o);
    if (!m) throw new InvalidArgumentError(`bad optimisation level '${o}' (expected O0, O1, O2, O3, Os, Oz)`);
    return `O${m[1]}`;
  });
}

/** Levels the engine runs clang's IR at (no Ofast). */
function engineLevels(raw: string): string[] {
  const levels = optLevels(raw);
  if (levels.includes('Ofast')) throw new InvalidArgumentError('the engine runs O0, O1, O2, O3, Os or Oz');
  return levels;
}

const S = DEFAULTS.search;
const P = DEFAULTS.progs;

export const OPTIONS: { readonly [K in OptionKey]: OptionDef<K> } = {
  output: {
    flags: '-o, --output <path>',
    description: 'where to write results: a directory (a file for export)',
  },
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
    description:
      'take sources and their flags from a compile_commands.json (gen: every C/C++ entry when no inputs are given; replay, export: the flags of the modules gen compiled from it)',
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
  extract: {
    flags: '--extract <functions>',
    description:
      'print the self-contained module of a function (it and all it reaches) as LLVM IR; more names after commas are kept too',
  },
  jobs: {
    flags: '-j, --jobs <n>',
    description: 'jobs at once: worker threads, native replays, programs checked (default: all cores)',
    parse: (raw) => positiveInt(raw),
  },
  native: {
    flags: '--native',
    description: 'also replay every input natively (built with clang)',
    default: false,
  },
  verbose: {
    flags: '--verbose',
    description: 'list every record that did not replay natively (default: a few per cause)',
    default: false,
  },
  seed: { flags: '--seed <seed>', description: 'seed of every random choice', default: S.seed },
  inputs: {
    flags: '--inputs <n>',
    description: 'inputs kept per function',
    default: S.maxInputs,
    parse: (raw) => positiveInt(raw),
  },
  maxRuns: {
    flags: '--max-runs <n>',
    description: 'runs per function at most',
    default: S.maxRuns,
    parse: (raw) => positiveInt(raw),
  },
  plateau: {
    flags: '--plateau <n>',
    description: 'stop a function after n runs without new coverage',
    default: S.plateau,
    parse: (raw) => positiveInt(raw),
  },
  maxSteps: {
    flags: '--max-steps <n>',
    description: 'steps of all runs of a function at most (big functions get fewer runs)',
    default: S.maxSteps,
    parse: (raw) => positiveInt(raw),
  },
  runStepFactor: {
    flags: '--run-step-factor <n>',
    description:
      "a run's step budget: n times the longest run of the function so far that ended by itself (at least --run-step-floor, at most --step-limit); 0: every run gets --step-limit",
    default: S.runStepFactor,
    parse: (raw) => nonNegativeInt(raw),
  },
  runStepFloor: {
    flags: '--run-step-floor <n>',
    description: "a run's calibrated step budget at least (see --run-step-factor)",
    default: S.runStepFloor,
    parse: (raw) => positiveInt(raw),
  },
  functionTimeout: {
    flags: '--function-timeout <seconds>',
    description:
      "time guard of one function's search and engine replay, in CPU seconds of its worker: a last resort behind the step budgets; a function it stops fails (guard-timeout)",
    default: DEFAULTS.functionTimeoutSeconds,
    parse: (raw) => positiveNumber(raw),
  },
  sample: {
    flags: '--sample <n>',
    description:
      'also write n runs per function that ended normally, drawn before selection, to OUT/sample/ (native replay without selection bias)',
    default: S.sample,
    parse: (raw) => nonNegInt(raw),
  },
  grow: {
    flags: '--grow <steps>',
    description:
      'also keep a grown copy of each kept input that returned: its sizes (integer arguments, then also strings and count-like fields) doubled while it still returns, toward this many steps (workload inputs for perf); 0: none',
    default: S.grow,
    parse: (raw) => nonNegInt(raw),
  },
  solve: {
    flags: '--solve <queries>',
    description:
      'solver-guided search: where mutation stops finding blocks, negate the branch conditions of kept inputs (run again concolically) and solve them with z3, at most this many queries per function; 0: mutation only',
    default: S.solve,
    parse: (raw) => nonNegInt(raw),
  },
  solveOff: {
    flags: '--solve-off <heuristics>',
    description: `turn solver heuristics off, comma-separated, to measure them: ${Object.keys(SOLVE_HEURISTICS).join(', ')}`,
    default: [],
    parse: (raw) => solveHeuristics(raw),
  },
  functions: {
    flags: '--functions <regex>',
    description: 'only functions whose name matches (JavaScript regular expression)',
  },
  force: {
    flags: '--force',
    description: 'start over when OUT holds a run with other options, or is not a run at all',
    default: false,
  },
  shard: {
    flags: '--shard <i/N>',
    description:
      'run only share i of N of the functions (balanced by estimated cost), for cluster job arrays; join the N output directories with inputsmith merge',
    parse: (raw) => {
      try {
        return parseShard(raw);
      } catch (e) {
        throw new InvalidArgumentError((e as Error).message.replace(/^--shard: /, ''));
      }
    },
  },
  shardCosts: {
    flags: '--shard-costs <timings.jsonl>',
    description:
      "with --shard: balance the shares by an earlier run's CPU time per function (its timings.jsonl) instead of the instruction count; give every share the same file",
  },
  redis: {
    flags: '--redis <url>',
    description: 'the Redis server of the job queue ($INPUTSMITH_REDIS, when set, is the default)',
    // The one place INPUTSMITH_REDIS is read.
    default: process.env.INPUTSMITH_REDIS ?? DEFAULTS.queue.redis,
    defaultText: process.env.INPUTSMITH_REDIS === undefined ? undefined : '$INPUTSMITH_REDIS',
  },
  queue: {
    flags: '--queue <name>',
    description: 'the name of the job queue on the Redis server',
    default: DEFAULTS.queue.name,
  },
  attempts: {
    flags: '--attempts <n>',
    description:
      'starts a queue job may make (after it threw, or lost its worker) before it fails for good, its functions failed (job-failed)',
    default: DEFAULTS.queue.attempts,
    parse: (raw) => positiveInt(raw),
  },
  queueJobs: {
    flags: '--queue-jobs <n>',
    description: `jobs to split the campaign into, of about equal estimated cost (default: one per ${DEFAULTS.queue.functionsPerJob} functions)`,
    parse: (raw) => positiveInt(raw),
  },
  stallTimeout: {
    flags: '--stall-timeout <seconds>',
    description:
      "a worker that has not renewed its job's lock for this long is lost, and its job goes back to the queue",
    default: DEFAULTS.queue.stallSeconds,
    parse: (raw) => positiveNumber(raw),
  },
  wait: {
    flags: '--wait',
    description:
      'keep waiting for jobs when the queue is empty, rather than exit once no job is waiting or running',
    default: false,
  },
  entry: { flags: '-e, --entry <name>', description: 'function to run instead of main' },
  stdin: { flags: '--stdin <file>', description: 'file to feed to the program as stdin (default: empty)' },
  stepLimit: {
    flags: '--step-limit <n>',
    description: `stop a run after n steps (function entries and loop iterations; gen: default ${DEFAULTS.limits.stepLimit})`,
    parse: (raw) => positiveInt(raw),
  },
  timeLimit: {
    flags: '--time-limit <ms>',
    description: 'stop after ms milliseconds',
    parse: (raw) => positiveInt(raw),
  },
  memLimit: {
    flags: '--mem-limit <bytes>',
    description: 'heap budget in bytes',
    parse: (raw) => positiveInt(raw),
  },
  count: {
    flags: '--count <n>',
    description: 'number of programs',
    default: P.count,
    parse: (raw) => nonNegInt(raw),
  },
  grammar: {
    flags: '--grammar <file>',
    description: 'grammar file to use instead of the default (see docs/progs.md)',
  },
  compilers: {
    flags: '--compilers <list>',
    description: "comma-separated compilers (missing ones are skipped; '' for none)",
    default: P.compilers,
    parse: list,
  },
  optLevels: {
    flags: '--opt-levels <list>',
    description: 'comma-separated optimisation levels of the compilers',
    default: P.optLevels,
    parse: optLevels,
  },
  sanitize: {
    flags: '--sanitize',
    description: 'compile with -fsanitize=undefined,address (any report is a failure)',
    default: false,
  },
  limit: {
    flags: '--limit <n>',
    description: 'check only the first n programs',
    parse: (raw) => nonNegInt(raw),
  },
  engine: {
    flags: '--engine <list>',
    description: 'also run in our engine, on clang IR at these levels (runners engine-O0, engine-O2)',
    default: P.engineLevels,
    parse: engineLevels,
    negate: { flags: '--no-engine', description: 'check natively only' },
  },
  dataset: {
    flags: '--dataset <dir>',
    description: 'after generating, also write the dataset of the run to <dir> (as export dataset does)',
  },
  format: {
    flags: '--format <format>',
    description: 'dataset files to write: parquet, jsonl or both',
    default: DEFAULTS.datasetFormat,
    parse: oneOf(['parquet', 'jsonl', 'both']),
  },
  trace: {
    flags: '--trace <kind>',
    description:
      'add a trace of each input: none, blocks (the basic blocks it ran, in order) or lines (source lines with variable values)',
    default: 'none',
    parse: oneOf(['none', 'blocks', 'lines']),
  },
  traceLimit: {
    flags: '--trace-limit <n>',
    description: 'blocks (line events) kept per trace (the rest is counted as cut)',
    default: DEFAULTS.traceLimit,
    parse: positiveInt,
  },
  split: {
    flags: '--split <ratio>',
    description:
      'train:validation:test ratio of packages: each package (Debian source package, else module directory) is in one split',
    default: DEFAULTS.datasetSplit,
    parse: splitRatio,
  },
  throughCalls: {
    flags: '--through-calls',
    description:
      'credit the lines an input ran in the functions it called too (each kept input replayed once in the engine): the coverage of the kept inputs run as a test suite',
    default: false,
  },
  variants: {
    flags: '--variants <spec...>',
    description:
      "build variants, each a compiler and its flags as one argument ('clang-19 -O2', 'gcc -O2 -fno-tree-vectorize'); the first is the baseline unless --baseline",
    default: [],
    defaultText: 'none',
  },
  variantsFile: {
    flags: '--variants-file <file>',
    description: 'more build variants, one spec a line (# comments)',
  },
  baseline: {
    flags: '--baseline <spec>',
    description: 'the variant the others are compared with (its spec or 1-based position; default the first)',
  },
  budget: {
    flags: '--budget <ms>',
    description: 'measured time per input, variant and round, once the minimum samples are taken',
    default: DEFAULTS.perf.budgetMs,
    parse: positiveNumber,
  },
  recordTimeout: {
    flags: '--record-timeout <ms>',
    description: 'wall-clock limit of one input (timing, or one native run of diff)',
    default: DEFAULTS.perf.recordTimeoutMs,
    parse: positiveInt,
  },
  rounds: {
    flags: '--rounds <n>',
    description:
      'measurement rounds per input, each timing every variant once in turn; the stability check compares even and odd rounds',
    default: DEFAULTS.perf.rounds,
    parse: positiveInt,
  },
  margin: {
    flags: '--margin <ratio>',
    description:
      'smallest difference perf reports: an interval within [1/(1+m), 1+m] of the ratio is no difference',
    default: DEFAULTS.perf.margin,
    parse: (raw) => {
      const n = Number(raw);
      if (!/^\s*\d*\.?\d+\s*$/.test(raw) || !(n >= 0 && n < 1))
        throw new InvalidArgumentError('expected a number in [0, 1)');
      return n;
    },
  },
  classify: {
    flags: '--no-classify',
    description: 'report differences without the rebuilds that classify them',
    default: true,
  },
  framework: {
    flags: '--framework <name>',
    description: 'test framework of C sources: cmocka or gtest (C++ sources always get GoogleTest)',
    default: 'cmocka',
    parse: oneOf(['cmocka', 'gtest']),
  },
  impl: {
    flags: '--impl <list>',
    description: 'implementations to measure: glibc, musl, engine, js (comma-separated)',
    default: ['glibc', 'musl', 'engine', 'js'],
    parse: (raw) => list(raw),
  },
  implFile: {
    flags: '--impl-file <name=path>',
    description:
      'another implementation: a C file or shared object defining some of the C names (repeatable)',
    default: [],
    parse: collect,
  },
  range: {
    flags: '--range <a:b>',
    description:
      'inputs x with a <= x < b (binary32: every one; otherwise the sampling domain of each argument)',
  },
  samples: {
    flags: '--samples <n>',
    description:
      'random inputs per function (default: exhaustive for binary32 functions of one argument, else 1000000)',
    parse: (raw) => positiveInt(raw),
  },
  jsonFile: {
    // Not `--json`: that is a switch (inspect, perf); one flag, one meaning.
    flags: '--json-file <file>',
    description: 'write every figure as JSON to this file',
  },
  work: {
    flags: '--work <dir>',
    description:
      'work directory: harness builds and per-chunk results, reused by later runs (default: the cache directory)',
  },
  cached: {
    flags: '--cached',
    description: 'compute nothing: report the chunks already in the work directory (partial runs say so)',
    default: false,
  },
};

/** Value parser of `--split`: checked by the export's own parser, passed on as given. */
function splitRatio(raw: string): string {
  try {
    parseSplit(raw);
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message.replace(/^--split \S+: /, '') : String(e));
  }
  return raw;
}

/** Value parser for flags taking one of a few words. */
function oneOf(words: readonly string[]): (raw: string) => string {
  return (raw) => {
    if (!words.includes(raw)) throw new InvalidArgumentError(`expected ${words.join(', ')}`);
    return raw;
  };
}

/** The search's options, shared by `gen` and `queue submit` (a queued campaign is a gen run). */
const SEARCH = [
  'seed',
  'inputs',
  'maxRuns',
  'plateau',
  'maxSteps',
  'runStepFactor',
  'runStepFloor',
  'stepLimit',
  'functionTimeout',
  'sample',
  'grow',
  'solve',
  'solveOff',
  'functions',
  'force',
] as const;
const COMPILE: readonly ['opt', 'include', 'define', 'clang', 'debug'] = [
  'opt',
  'include',
  'define',
  'clang',
  'debug',
];

/** The options each command accepts, in the order its help lists them. */
export const COMMAND_OPTIONS = {
  compile: ['output', 'opt', 'include', 'define', 'compileCommands', 'clang', 'debug'],
  inspect: ['json', 'print', 'extract', ...COMPILE],
  demo: ['opt', 'clang', 'jobs'],
  run: ['entry', 'stdin', 'stepLimit', 'timeLimit', 'memLimit', ...COMPILE],
  gen: [
    ...SEARCH,
    'shard',
    'shardCosts',
    'output',
    'jobs',
    'native',
    'dataset',
    'compileCommands',
    ...COMPILE,
  ],
  replay: ['jobs', 'native', 'verbose', 'compileCommands', ...COMPILE],
  merge: ['output', 'force'],
  'queue submit': [
    ...SEARCH,
    'shardCosts',
    'output',
    'native',
    'compileCommands',
    'redis',
    'queue',
    'attempts',
    'queueJobs',
    ...COMPILE,
  ],
  'queue work': ['redis', 'queue', 'jobs', 'stallTimeout', 'wait'],
  'queue status': ['redis'],
  'queue finish': ['output', 'force', 'redis'],
  'export lcov': ['output', 'throughCalls', 'compileCommands', 'clang'],
  'export sarif': ['output', 'compileCommands', 'clang'],
  'export dataset': ['output', 'format', 'trace', 'traceLimit', 'split', 'compileCommands', 'clang'],
  'export tests': ['output', 'framework', 'compileCommands', 'clang'],
  perf: [
    'variants',
    'variantsFile',
    'baseline',
    'output',
    'json',
    'budget',
    'recordTimeout',
    'rounds',
    'margin',
    'seed',
    'jobs',
    'compileCommands',
    'clang',
  ],
  diff: [
    'variants',
    'variantsFile',
    'output',
    'json',
    'recordTimeout',
    'classify',
    'jobs',
    'compileCommands',
    'clang',
  ],
  'progs gen': ['seed', 'count', 'output', 'grammar'],
  'progs grammar': [],
  'progs check': ['compilers', 'optLevels', 'jobs', 'sanitize', 'limit', 'engine'],
  mathlib: ['impl', 'implFile', 'range', 'samples', 'seed', 'jsonFile', 'output', 'work', 'jobs', 'cached'],
} as const satisfies Record<string, readonly OptionKey[]>;

export type CommandName = keyof typeof COMMAND_OPTIONS;

/** Options a command must be given (commander reports a missing one as a usage error). */
const REQUIRED: { readonly [C in CommandName]?: readonly (typeof COMMAND_OPTIONS)[C][number][] } = {
  compile: ['output'],
  gen: ['output'],
  merge: ['output'],
  'queue submit': ['output'],
  'queue finish': ['output'],
  'export lcov': ['output'],
  'export sarif': ['output'],
  'export dataset': ['output'],
  'export tests': ['output'],
  'progs gen': ['seed', 'output'],
};

/** The options an action of command `C` receives. */
export type OptionsOf<C extends CommandName> = Pick<CliOptions, (typeof COMMAND_OPTIONS)[C][number]>;

/** Add command `name`'s options from the table to `cmd`. */
export function addCommandOptions(cmd: Command, name: CommandName): Command {
  const required: readonly OptionKey[] = REQUIRED[name] ?? [];
  for (const key of COMMAND_OPTIONS[name] as readonly OptionKey[]) {
    const def = OPTIONS[key] as OptionDef;
    const o = new Option(def.flags, def.description);
    if (def.parse !== undefined) {
      const parse = def.parse;
      o.argParser((raw: string, prev: unknown) => parse(raw, prev as never));
    }
    // A required option has no default (commander would take the default as given).
    if (def.default !== undefined && !required.includes(key)) {
      const d = def.default;
      o.default(
        Array.isArray(d) ? [...(d as string[])] : d,
        // commander shows other values as JSON.
        def.defaultText ?? (Array.isArray(d) && d.length > 0 ? d.join(',') : undefined),
      );
    }
    if (required.includes(key)) o.makeOptionMandatory();
    cmd.addOption(o);
    if (def.negate !== undefined) cmd.addOption(new Option(def.negate.flags, def.negate.description));
  }
  return cmd;
}

/** A usage error (exit 2) naming the command. */
function usage(command: CommandName, message: string): UserError {
  return new UserError(`${command}: ${message}`, undefined, 2);
}

/**
 * The checks between options (and between options and positional arguments, `positionals` being their
 * count), in one place. Throws a usage `UserError` (exit 2).
 */
export function checkOptions(command: CommandName, o: Partial<CliOptions>, positionals?: number): void {
  if (o.json === true && o.print === true) throw usage(command, '--json and --print cannot be combined');
  if (o.extract !== undefined && o.json === true)
    throw usage(command, '--json and --extract cannot be combined');
  if (command === 'compile' && positionals === 0 && o.compileCommands === undefined)
    throw usage(command, 'give source files or directories, or --compile-commands FILE');
  const gen = command === 'gen' || command === 'queue submit';
  if (gen && positionals === 0 && o.compileCommands === undefined)
    throw usage(command, 'give modules, source files or directories, or --compile-commands FILE');
  if (gen && o.seed === '') throw usage(command, '--seed must not be empty');
  if (command === 'gen' && o.shardCosts !== undefined && o.shard === undefined)
    throw usage(command, '--shard-costs needs --shard i/N');
  if (command === 'gen' && o.shard !== undefined && o.dataset !== undefined)
    throw usage(
      command,
      '--dataset needs the whole run: export it from the merged directory (inputsmith merge)',
    );
  if (command === 'mathlib' && o.jsonFile === undefined && o.output === undefined)
    throw usage(command, 'give --json-file FILE or -o DIR (or both)');
  if (command === 'mathlib' && o.seed !== undefined && !/^\d+$/.test(o.seed))
    throw usage(command, `--seed must be a non-negative integer, not '${o.seed}'`);
  if (command === 'progs gen' && o.seed !== undefined && !/^\d+$/.test(o.seed))
    throw usage(command, `--seed must be a non-negative integer, not '${o.seed}'`);
}

/**
 * The toolchain's compile options from parsed CLI options; with `--compile-commands FILE`, its entries
 * (read here, a bad file is a `UserError`).
 */
export function compileOptions(o: Partial<CliOptions>): CompileOptions {
  return {
    opt: o.opt ?? DEFAULT_OPT,
    includes: o.include ?? [],
    defines: o.define ?? [],
    debug: o.debug === true,
    clang: o.clang,
    ...(o.compileCommands !== undefined ? { commands: readCompileCommands(o.compileCommands) } : {}),
  };
}
