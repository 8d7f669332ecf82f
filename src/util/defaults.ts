/**
 * @fileoverview Stage: util (bottom layer, imported by every stage). The default of every setting a user
 * can change, in one place.
 *
 * Consumes: nothing (plain data). Produces: `DEFAULTS`, the values the library uses when an option is not
 * given and the command line shows in its help (src/cli/options.ts). A stage keeps its own typed constant
 * (`DEFAULT_OPT`, `DEFAULT_LIMITS`, `DEFAULT_SEARCH`, ...) but takes its values from here, so a default is
 * changed in this file and nowhere else. Budgets are counted in runs and steps, never in time, so a seed
 * gives the same inputs on any machine; the time limits below are safety nets only (a function the
 * time guard stops is a failed function, docs/gen.md "Time guard").
 */

/** Defaults, by the stage that applies them. */
export const DEFAULTS = {
  /** toolchain: optimization level of C/C++ inputs (the corpus figures in docs are at -O1 too). */
  opt: 'O1',
  /** engine (generation and replay): limits of one run of a function. */
  limits: {
    /** Steps (function entries and loop iterations) per run. */
    stepLimit: 200_000,
    /** Wall-clock safety net per run, ms. */
    timeLimitMs: 60_000,
    /** Heap budget per run, bytes. */
    memLimitBytes: 16 << 20,
    /**
     * Input bytes per run: the extents of its input objects together, which grow as the function walks
     * them (generation creates them lazily). With the heap budget and the 8 MiB stack this caps the memory
     * one run may touch.
     */
    inputLimitBytes: 16 << 20,
  },
  /** guide: the search for inputs of one function. */
  search: {
    seed: '1',
    /** Inputs kept per function. */
    maxInputs: 5,
    /** Runs per function at most. */
    maxRuns: 300,
    /** Stop after this many runs in a row without new coverage. */
    plateau: 60,
    /** Stop when the runs together executed this many steps. */
    maxSteps: 2_000_000,
    /**
     * A run's step budget: this many times the longest run of the function so far that ended by itself,
     * at least `runStepFloor`, at most `limits.stepLimit` (guide/search.ts `RunBudget`).
     */
    runStepFactor: 8,
    runStepFloor: 20_000,
    /** Records per function of the pre-selection sample (`gen --sample`): none. */
    sample: 0,
    /** Workload inputs (`gen --grow STEPS`): none. */
    grow: 0,
    /** Solver-guided search (`gen --solve N`): z3 queries per function; 0 is mutation only. */
    solve: 0,
  },
  /**
   * z3's resource limit per query of the solver-guided search (`rlimit`, z3's count of its own steps: a
   * deterministic budget, unlike a time-out): a query it stops is `unknown`. A 32-bit multiplication
   * solved for its operands takes about 6,000; z3 in WebAssembly spends about 2 s per million.
   */
  solverRlimit: 30_000,
  /** replay: native replay of one record. */
  /**
   * tune (perf, diff): measured time per input, variant and round once `minSamples` are taken; samples
   * at most and at least per round; warm-up; the least duration of a batched sample (so the clock's
   * resolution and overhead are a small part of it); a record's wall-clock limit (per step); rounds per
   * input (each times every variant once; the stability check compares even and odd rounds); bootstrap
   * resamples.
   */
  perf: {
    budgetMs: 5,
    maxSamples: 100,
    minSamples: 10,
    warmupMs: 2,
    batchTargetUs: 20,
    recordTimeoutMs: 5000,
    rounds: 4,
    /** A ratio whose interval stays within [1 / (1 + margin), 1 + margin] is no difference. */
    margin: 0.03,
    resamples: 1000,
  },
  native: {
    /** Wall-clock limit per record, ms (the process is killed after it). */
    timeoutMs: 5000,
    /** Address space the function may map beyond the driver's own (RLIMIT_AS), MiB. */
    memLimitMb: 512,
    /** Bytes of stdout + stderr after which a run is killed. */
    outputLimit: 64 << 20,
  },
  /**
   * guide: the time guard of one function in a campaign (its search and the engine replay of its kept
   * inputs), seconds of the worker thread's CPU time (util/cputime.ts): a last resort behind the step
   * budgets; the function it stops fails with `guard-timeout` (`gen --function-timeout`).
   */
  functionTimeoutSeconds: 20,
  /**
   * guide: a worker that has not answered for this long (wall clock) is stopped (its task fails with a
   * worker crash): the last resort for a worker stuck where the guard cannot reach (native code, garbage
   * collection), so far above the guard even on a loaded machine, where CPU time grows slower than the
   * wall clock (a worker answers after each function); raised to 4 x a larger --function-timeout.
   * `INPUTSMITH_WATCHDOG_SECONDS` overrides it (docs/summary-json.md).
   */
  watchdogSeconds: 300,
  /**
   * guide: a campaign on the job queue (`inputsmith queue`, docs/distributed.md). `redis`: where the queue
   * lives (`$INPUTSMITH_REDIS` overrides it, read in src/cli/options.ts); `queue`: its name; `attempts`:
   * how often a job may start (a job that threw or whose worker was lost is retried) before it fails for
   * good; `stallSeconds`: a worker that has not renewed its job's lock for this long is lost and its job
   * goes back to the queue; `functionsPerJob`: the size of a job when submit is not given a number.
   */
  queue: {
    redis: 'redis://127.0.0.1:6379',
    name: 'inputsmith',
    attempts: 3,
    stallSeconds: 30,
    functionsPerJob: 16,
  },
  /** progs check: compilers, their levels and the engine's levels. */
  progs: {
    count: 1,
    compilers: ['clang-19', 'gcc'],
    optLevels: ['O0', 'O2'],
    engineLevels: ['O0', 'O2'],
  },
  /** export dataset: the files written, and the blocks kept per trace (`--format`, `--trace-limit`). */
  datasetFormat: 'parquet',
  /** export dataset: the train:validation:test ratio of packages (`--split`). */
  datasetSplit: '80:10:10',
  traceLimit: 4096,
} as const;

/**
 * Parallel jobs (worker threads, native replays, compiles) when none is given: one per core. A function,
 * not a value: the one default that depends on the machine.
 */
export { coreCount as defaultJobs } from './concurrency.js';
