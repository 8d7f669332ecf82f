/**
 * @fileoverview The library API: `import { ... } from 'inputsmith'` (package.json `exports`, built to
 * dist/index.js with declarations in dist/index.d.ts). Documented in docs/api.md.
 *
 * Consumes: the stages' own entry points. Produces: one typed entry point per stage a user would script,
 * in pipeline order: compile sources to IR (toolchain), parse and print IR (ir), run a function or main in
 * the engine (engine), generate inputs for one function (gen + guide), replay records in the engine and
 * natively (replay), run a campaign over many modules with a reporter (guide); plus the outcome table, the
 * input record format and the defaults. Mostly re-exports; `generateInputs` and `replayRecords` are thin
 * wrappers for what would otherwise take four or more internals. Sits beside the CLI, above every stage;
 * no stage imports it.
 */

import type { Module } from './ir/model.js';
import { parseModule } from './ir/parser.js';
import { loadIRText, type CompileOptions } from './toolchain/compile.js';
import type { InputRecord } from './gen/record.js';
import { GenSession, type RunLimits } from './gen/runtime.js';
import { DEFAULT_SEARCH, searchFunction, type FunctionResult, type SearchOptions } from './guide/search.js';
import { replayInEngine, type EngineVerdict } from './replay/engine.js';
import { moduleHash } from './replay/native.js';

// ---------------------------------------------------------------------------------------------------------
// Defaults and errors

/** The default of every setting (opt level, run limits, search budgets, native replay limits, jobs). */
export { DEFAULTS, defaultJobs } from './util/defaults.js';
/**
 * The error thrown for problems a user can act on (bad input, compile error, missing tool), with a
 * one-line `format()`; any other error is a bug in inputsmith.
 */
export { UserError, type SourcePos } from './util/errors.js';

// ---------------------------------------------------------------------------------------------------------
// toolchain: C/C++ (and bitcode) to LLVM IR text

/** Find clang and the LLVM tools of the same version (`--clang`, `$INPUTSMITH_CLANG`, PATH); cached. */
export { findToolchain, type Toolchain } from './toolchain/find.js';
/**
 * Compile C/C++ to IR: `compileToIR(source, out.ll, options)` writes one `.ll`; `loadIRText(path)` gives
 * the IR text of a `.ll`, `.bc` or C/C++ file (sources compiled through the on-disk cache).
 */
export {
  compileToIR,
  loadIRText,
  readCompileCommands,
  sourceLanguage,
  DEFAULT_OPT,
  OPT_LEVELS,
  type CompileCommand,
  type CompileOptions,
  type OptLevel,
} from './toolchain/compile.js';

// ---------------------------------------------------------------------------------------------------------
// ir: parse, print and summarize LLVM IR

/** Parse LLVM IR text into a `Module` (throws a `UserError` with the position of a syntax error). */
export { parseModule } from './ir/parser.js';
/** Print a parsed module, function or instruction back as LLVM IR text. */
export { printModule, printFunction, printInstr } from './ir/printer.js';
/** One function's self-contained module: it and every function and global it reaches (`inspect --extract`). */
export { extractFunction } from './ir/extract.js';
/** Per-function summary of a module (signature, blocks, loops, callees), as `inspect` prints it. */
export { summarizeModule, formatSummary, type ModuleSummary, type FunctionSummary } from './ir/summary.js';
/** The IR model the parser builds. */
export type { Module, Func, Block, Instr, Value } from './ir/model.js';
/** The functions of a module that have a body (the ones inputs can be generated for). */
export { definedFunctions } from './ir/model.js';
export type { Type } from './ir/types.js';

/**
 * IR text of `path` (`.ll`, `.bc`, or C/C++ compiled on the fly and cached), parsed. Throws `UserError`
 * for a missing file, a compile error or invalid IR.
 */
export async function loadModule(path: string, options: CompileOptions = {}): Promise<Module> {
  const { text, file } = await loadIRText(path, options);
  return parseModule(text, file);
}

// ---------------------------------------------------------------------------------------------------------
// engine: run IR

/**
 * The engine: `new Engine(module).runMain({ entry, args, stdin, stepLimit })` links the module (IR compiled
 * to JavaScript) and runs `main` or another entry; the result tells the outcome, exit code, output and
 * steps. Undefined behaviour and exhausted budgets are outcomes, not exceptions.
 */
export { Engine, type EngineOptions, type RunOptions, type RunResult } from './engine/engine.js';
/** The closed table of outcome kinds: every way a run can end, with a stable id and a description. */
export {
  OUTCOMES,
  OUTCOME_KINDS,
  isNormalOutcome,
  formatLocation,
  type OutcomeKind,
  type IrLocation,
} from './engine/outcome.js';

// ---------------------------------------------------------------------------------------------------------
// gen + guide: inputs for one function

/**
 * One module compiled for generation and replay (`new GenSession(module, { modulePath, moduleHash })`);
 * reserves the engine's memory until `dispose()`. `generateInputs` and `replayRecords` manage one for you.
 */
export { GenSession, DEFAULT_LIMITS, type RunLimits, type SessionOptions } from './gen/runtime.js';
/** The guided search for one function's inputs, on a `GenSession`, and its budgets' defaults. */
export { searchFunction, DEFAULT_SEARCH, type FunctionResult, type SearchOptions } from './guide/search.js';
/** Input records (docs/input-format.md): the JSON format of one input, and its encoder and decoder. */
export {
  encodeRecord,
  decodeRecord,
  RECORD_FORMAT,
  RECORD_VERSION,
  type InputRecord,
  type ValueRec,
  type ObjectRec,
  type GlobalRec,
  type CallRec,
  type OutcomeRec,
} from './gen/record.js';

/** Options of `generateInputs`: search budgets (defaults in `DEFAULT_SEARCH`) and run limits. */
export interface GenerateOptions extends Partial<SearchOptions> {
  /** The module's path recorded in each input's `module` field (and part of the seed); default `file`. */
  readonly modulePath?: string;
  /** Name of the IR text in error messages (default `module.ll`). */
  readonly file?: string;
  /** Limits of each run (defaults in `DEFAULT_LIMITS`). */
  readonly limits?: Partial<RunLimits>;
}

/** What `generateInputs` found: the search result and the engine replay verdict of each kept record. */
export interface GeneratedInputs extends FunctionResult {
  /** `replays[i]` is the verdict of replaying `records[i]` in a fresh run (`ok` when it reproduced). */
  readonly replays: readonly EngineVerdict[];
}

/** A GenSession of `irText` for the duration of `use`, its memory released after. */
function withSession<T>(irText: string, o: GenerateOptions, use: (s: GenSession) => T): T {
  const file = o.file ?? 'module.ll';
  const session = new GenSession(parseModule(irText, file), {
    modulePath: o.modulePath ?? file,
    moduleHash: moduleHash(irText),
    limits: o.limits,
  });
  try {
    return use(session);
  } finally {
    session.dispose();
  }
}

/**
 * Generate inputs for the defined function `functionName` (IR name, without `@`) of the module
 * `irText`, as `inputsmith gen` does for each function: a guided search (deterministic for a seed), then
 * each kept record replayed once in the engine. Throws `UserError` for invalid IR.
 */
export function generateInputs(
  irText: string,
  functionName: string,
  options: GenerateOptions = {},
): GeneratedInputs {
  const search: SearchOptions = {
    seed: options.seed ?? DEFAULT_SEARCH.seed,
    maxInputs: options.maxInputs ?? DEFAULT_SEARCH.maxInputs,
    maxRuns: options.maxRuns ?? DEFAULT_SEARCH.maxRuns,
    plateau: options.plateau ?? DEFAULT_SEARCH.plateau,
    maxSteps: options.maxSteps ?? DEFAULT_SEARCH.maxSteps,
    runStepFactor: options.runStepFactor ?? DEFAULT_SEARCH.runStepFactor,
    runStepFloor: options.runStepFloor ?? DEFAULT_SEARCH.runStepFloor,
  };
  return withSession(irText, options, (s) => {
    const result = searchFunction(s, functionName, search);
    return { ...result, replays: result.records.map((r) => replayInEngine(s, r)) };
  });
}

// ---------------------------------------------------------------------------------------------------------
// replay: check that records reproduce

/**
 * Replay records of one module in the engine: `replayInEngine(session, record)` on a `GenSession`, or
 * `replayRecords(irText, records)` below. A record of another module version is a mismatch.
 */
export { replayInEngine, type EngineVerdict } from './replay/engine.js';

/**
 * Replay `records` (all of the module `irText`) in the engine; one verdict per record, in order. Options:
 * `file` names the IR in messages, `limits` must be those the records were generated with (default ones).
 */
export function replayRecords(
  irText: string,
  records: readonly InputRecord[],
  options: Pick<GenerateOptions, 'file' | 'limits'> = {},
): EngineVerdict[] {
  return withSession(irText, options, (s) => records.map((r) => replayInEngine(s, r)));
}

/**
 * Replay records natively: the module compiled by clang into an executable with a driver that lays out
 * each record, runs the function with real system calls, and compares (docs/native-replay.md).
 * `replayNative(moduleFile, ...)` loads the module itself; `replayNativeText` takes its IR text.
 * `moduleHash(irText)` is what records carry as `moduleHash`. A result that is not ok has a `cause`, one of
 * `NATIVE_CAUSES` (docs/native-replay.md, "Causes").
 */
export {
  replayNative,
  replayNativeText,
  moduleHash,
  NATIVE_CAUSES,
  type NativeCause,
  type NativeReplayOptions,
  type NativeReplayResult,
  type NativeStatus,
} from './replay/native.js';
/** Replay the records of `gen` output directories or record files (`inputsmith replay`). */
export { replayBatch, type BatchOptions, type BatchVerdict } from './guide/replay-batch.js';

// ---------------------------------------------------------------------------------------------------------
// guide: campaigns over many modules

/**
 * A generation campaign (`inputsmith gen`): every function of every module, on worker threads, written
 * to an output directory (docs/summary-json.md), resumable. Progress goes to the optional
 * `CampaignReporter`'s lifecycle hooks.
 */
export {
  runCampaign,
  type CampaignOptions,
  type CampaignReporter,
  type CampaignResult,
} from './guide/campaign.js';
/** The campaign's summary (summary.json) and its per-function rows (functions.jsonl). */
export type { CampaignSummary, Figures, ModuleSummary as CampaignModuleSummary } from './guide/summary.js';
export type { FunctionRow, InputRow } from './guide/layout.js';
/** `gen --shard i/N` and `inputsmith merge` (docs/distributed.md). */
export { mergeShards, type MergeResult, type ShardSpec } from './guide/shard.js';
/** A campaign on a job queue, BullMQ on Redis (`inputsmith queue`, docs/distributed.md). */
export {
  finishCampaign,
  queueStatus,
  submitCampaign,
  workQueue,
  type QueueConnection,
  type QueueStatus,
  type QueueWorkReporter,
  type SubmitOptions,
  type WorkOptions,
} from './guide/queue.js';

// ---------------------------------------------------------------------------------------------------------
// export: a gen run as standard formats

/**
 * `exportLcov(outDir, { clang, warn, commands, throughCalls })` is `inputsmith export lcov`: the LCOV
 * tracefile (`text`) of a `gen` output directory's kept inputs, with its totals; `exportSarif(outDir, ...)` is `inputsmith export sarif`:
 * the SARIF 2.1.0 log of their undefined-behaviour and crash findings (docs/export.md). Module paths are
 * resolved against the current directory; modules left out are reported through `warn`.
 */
export { exportLcov, type LcovExport, type LcovOptions, type LcovTotals } from './export/lcov.js';
export { exportSarif, FINDING_LEVEL, type SarifExport } from './export/sarif.js';
export type { ExportOptions } from './export/run-dir.js';
/**
 * `exportDataset(outDir, dir, { format, trace, traceLimit, clang, warn })` is `inputsmith export dataset`:
 * one row per kept input (function, source, IR, input and output state, coverage, trace) as Parquet and/or
 * JSONL in `dir`; `COLUMNS` is its schema (docs/dataset.md).
 */
export {
  exportDataset,
  type DatasetExport,
  type DatasetFormat,
  type DatasetOptions,
  type DatasetTrace,
} from './export/dataset.js';
export { COLUMNS as DATASET_COLUMNS, DATASET_SCHEMA, type DatasetRow } from './export/dataset-row.js';

/**
 * `exportTests(outDir, { dir })` is `inputsmith export tests`: a test project in `dir`, cmocka for C and
 * GoogleTest for C++ sources (`framework: 'gtest'` for C too; docs/tests.md).
 */
export {
  exportTests,
  type TestFramework,
  type TestsExportOptions,
  type TestsReport,
} from './export/tests.js';
