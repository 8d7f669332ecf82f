/**
 * @fileoverview Stage: engine. The closed table of ways a run can end, and the exceptions that end it.
 *
 * Consumes: nothing (leaf module). Produces: `OUTCOMES` (every outcome kind with its stable string id, as
 * KLEE's TerminationTypes, its class and the native signals it ends in, each kind checked complete by the
 * type system) with small accessors, the `Trap` exception the engine, memory and libc models throw for undefined
 * behaviour and exhausted budgets, and `ExitSignal` for `exit()`. Ids are stable: they appear in
 * summary.json, input records and reports.
 */

/**
 * What an outcome is, which decides how every stage treats it:
 * - `normal`: the run ended as a program may (not a finding); native replay compares everything.
 * - `panic`: a Rust panic (with `panic=abort`, a call of a `noreturn` function of core, alloc or std):
 *   a checked, defined end that is neither a valid input nor a crash; native replay checks that the run
 *   ended in that call, as for `noreturn-call`.
 * - `crash`: a defined way to die: natively the process ends in one of the outcome's `signals`; native
 *   replay checks the signal, then compares outputs and memory.
 * - `undefined`: undefined behaviour the engine catches; natively anything may happen, so native replay
 *   only checks that the run ended.
 * - `budget`: one of the engine's counted budgets ran out; native code has no such budget.
 * - `time`: a time limit stopped the run (its own wall-clock limit, or the CPU time guard of a function's
 *   search). Where it stopped depends on the machine's speed (and, for the wall clock, its load), so the run is no input: generation never keeps it (the search stops, the function fails with
 *   `guard-timeout`, src/guide/layout.ts), and native code has no such limit.
 * - `unsupported`: the engine cannot run it (no model for an external, an IR construct it lacks).
 * - `divergence`: replay left the record (read input the record does not cover).
 * - `internal`: a bug in inputsmith.
 */
export type OutcomeClass =
  'normal' | 'panic' | 'crash' | 'undefined' | 'budget' | 'time' | 'unsupported' | 'divergence' | 'internal';

/**
 * What each class implies, a closed table too: `replayable`, native code can reproduce it;
 * `deterministic`, the same input ends the same way on any machine (the run may be kept as an input).
 */
const CLASSES = {
  normal: { replayable: true, deterministic: true },
  panic: { replayable: true, deterministic: true },
  crash: { replayable: true, deterministic: true },
  undefined: { replayable: true, deterministic: true },
  budget: { replayable: false, deterministic: true },
  time: { replayable: false, deterministic: false },
  unsupported: { replayable: false, deterministic: true },
  divergence: { replayable: false, deterministic: true },
  internal: { replayable: false, deterministic: true },
} as const satisfies {
  readonly [C in OutcomeClass]: { readonly replayable: boolean; readonly deterministic: boolean };
};

/** Signal names as Node reports them (`os.constants.signals`). */
export type SignalName = 'SIGABRT' | 'SIGBUS' | 'SIGFPE' | 'SIGILL' | 'SIGKILL' | 'SIGSEGV' | 'SIGTRAP';

export interface OutcomeInfo {
  /** One line for humans. */
  readonly description: string;
  readonly class: OutcomeClass;
  /**
   * The signals a native run with this outcome ends in, the usual one first (`inputsmith run` exits with
   * 128 + its number). For `crash` outcomes native replay accepts exactly these; for the others they are
   * informative (undefined behaviour may do anything; budgets end in the limit's SIGKILL). Empty: the
   * run does not end in a signal (or native code cannot run it).
   */
  readonly signals: readonly SignalName[];
}

const SEGV: readonly SignalName[] = ['SIGSEGV'];
const SEGV_BUS: readonly SignalName[] = ['SIGSEGV', 'SIGBUS'];
const ABRT: readonly SignalName[] = ['SIGABRT'];
const KILL: readonly SignalName[] = ['SIGKILL'];

/** Every outcome kind. The key is the stable id (records, summary.json and reports use it). */
export const OUTCOMES = {
  returned: { class: 'normal', signals: [], description: 'the entry function returned' },
  exit: { class: 'normal', signals: [], description: 'the program called exit()' },
  'noreturn-call': {
    class: 'normal',
    signals: [],
    description:
      'the function called an external function that does not return (declared noreturn, e.g. an error routine that longjmps); the run ends there',
  },
  panic: {
    class: 'panic',
    signals: [],
    description:
      'Rust code panicked: it called a noreturn function of core, alloc or std (`core::panicking::panic*`, `unwrap_failed`, bounds checks; built with panic=abort); the run ends there',
  },
  abort: { class: 'crash', signals: ABRT, description: 'the program called abort()' },
  'assert-fail': { class: 'crash', signals: ABRT, description: 'an assertion failed (__assert_fail)' },
  unreachable: { class: 'undefined', signals: ['SIGILL'], description: '`unreachable` was reached' },
  trap: {
    class: 'crash',
    signals: ['SIGILL', 'SIGTRAP', 'SIGFPE'],
    description: 'llvm.trap / ud2 or a hardware trap (e.g. signed division overflow)',
  },
  'null-deref': {
    class: 'crash',
    signals: SEGV_BUS,
    description: 'memory access through a null (or near-null) pointer',
  },
  'out-of-bounds-read': {
    class: 'undefined',
    signals: SEGV,
    description: 'read outside any live object (heap, stack or global)',
  },
  'out-of-bounds-write': {
    class: 'undefined',
    signals: SEGV,
    description: 'write outside any live object, or into read-only memory',
  },
  'use-after-free': { class: 'undefined', signals: SEGV, description: 'access to a freed heap block' },
  'double-free': { class: 'undefined', signals: ABRT, description: 'free() of an already freed block' },
  'invalid-free': {
    class: 'undefined',
    signals: ABRT,
    description: 'free() of a pointer that malloc did not return',
  },
  'division-by-zero': {
    class: 'crash',
    signals: ['SIGFPE'],
    description: 'integer division or remainder by zero',
  },
  'stack-overflow': {
    class: 'crash',
    signals: SEGV_BUS,
    description: 'the stack region or the host call stack is exhausted',
  },
  'step-limit': { class: 'budget', signals: KILL, description: 'the step budget is exhausted' },
  'time-limit': {
    class: 'time',
    signals: KILL,
    description: "a time limit stopped the run (its own wall-clock limit or the function's CPU time guard)",
  },
  'memory-limit': {
    class: 'budget',
    signals: KILL,
    description: 'a memory budget of the run is exhausted: its heap, or its input bytes (generation)',
  },
  'unsupported-external': {
    class: 'unsupported',
    signals: [],
    description: 'a call to a function that is neither defined nor modelled',
  },
  'unsupported-feature': {
    class: 'unsupported',
    signals: [],
    description: 'an IR construct the engine does not implement',
  },
  'unsupported-asm': {
    class: 'unsupported',
    signals: [],
    description: 'inline assembly outside the subset the engine models (asm.ts)',
  },
  'invalid-pointer': {
    class: 'undefined',
    signals: SEGV,
    description:
      'a call or jump through a pointer that is not a function or block address, or a longjmp through a jmp_buf no live setjmp filled',
  },
  'invalid-value': {
    class: 'undefined',
    signals: [],
    description:
      "a load read a value its type does not allow (the load's `!range` with `!noundef`: a C/C++ bool that is neither 0 nor 1)",
  },
  'input-divergence': {
    class: 'divergence',
    signals: [],
    description: 'replay read input that the record does not cover',
  },
  'internal-error': { class: 'internal', signals: [], description: 'a bug in inputsmith' },
} as const satisfies { readonly [id: string]: OutcomeInfo };

export type OutcomeKind = keyof typeof OUTCOMES;

/** The table, typed as complete: every kind has every field of `OutcomeInfo`. */
const INFO: { readonly [K in OutcomeKind]: OutcomeInfo } = OUTCOMES;

export const OUTCOME_KINDS: readonly OutcomeKind[] = Object.keys(OUTCOMES) as OutcomeKind[];

/** The outcome's entry in the table. */
export function outcomeInfo(k: OutcomeKind): OutcomeInfo {
  return INFO[k];
}

export function outcomeClass(k: OutcomeKind): OutcomeClass {
  return INFO[k].class;
}

/** Outcomes that are normal terminations (not findings). */
export function isNormalOutcome(k: OutcomeKind): boolean {
  return INFO[k].class === 'normal';
}

/** Undefined behaviour: native code may do anything there. */
export function isUndefinedOutcome(k: OutcomeKind): boolean {
  return INFO[k].class === 'undefined';
}

/**
 * Whether native code can reproduce the outcome at all (not a budget, a gap of the engine, a divergence
 * or a bug of ours).
 */
export function isReplayableOutcome(k: OutcomeKind): boolean {
  return CLASSES[INFO[k].class].replayable;
}

/**
 * Whether the outcome is the same on any machine: false for a run a time limit stopped, which
 * generation therefore never keeps as an input.
 */
export function isDeterministicOutcome(k: OutcomeKind): boolean {
  return CLASSES[INFO[k].class].deterministic;
}

/** The signals a native run with this outcome ends in, the usual one first (see `OutcomeInfo`). */
export function outcomeSignals(k: OutcomeKind): readonly SignalName[] {
  return INFO[k].signals;
}

/** Whether `k` is an outcome id (records come from files). */
export function isOutcomeKind(k: string): k is OutcomeKind {
  return Object.hasOwn(OUTCOMES, k);
}

/** Where in the IR a trap happened. */
export interface IrLocation {
  /** Function name without `@`. */
  readonly func: string;
  /** Block label (`entry`, `%5` printed as `5`), or its index as a string. */
  readonly block: string;
  /** Index of the instruction in its block. */
  readonly instr: number;
  /** Source location `file:line:col` from debug info, when present. */
  readonly source?: string;
}

/** An undefined-behaviour finding or an exhausted budget. Thrown through generated code; never caught by it. */
export class Trap extends Error {
  readonly kind: OutcomeKind;
  /** Filled by the engine from the site id of the faulting instruction, or the current external call. */
  loc: IrLocation | undefined;
  /** For `unsupported-external`: the function's name. */
  readonly subject: string | undefined;

  constructor(kind: OutcomeKind, message: string, loc?: IrLocation, subject?: string) {
    // Traps are outcomes, not bugs: no JS stack trace (capturing one cost more than a short run).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'Trap';
    this.kind = kind;
    this.loc = loc;
    this.subject = subject;
  }

  /** `kind: message at func:%block#i (file:line)`. */
  describe(): string {
    return `${this.kind}: ${this.message}${formatLocation(this.loc)}`;
  }
}

export function formatLocation(loc: IrLocation | undefined): string {
  if (loc === undefined) return '';
  const src = loc.source !== undefined ? ` (${loc.source})` : '';
  return ` in @${loc.func} %${loc.block} #${loc.instr}${src}`;
}

/** Thrown by exit() (and returned from main): unwinds every frame of the run. */
export class ExitSignal extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`exit(${code})`);
    this.name = 'ExitSignal';
    this.code = code;
  }
}
