/**
 * @fileoverview Stage: engine. The closed table of ways a run can end, and the exceptions that end it.
 *
 * Consumes: nothing (leaf module). Produces: `OUTCOMES` (every outcome kind with its stable string id, as
 * KLEE's TerminationTypes), the `Trap` exception the engine, memory and libc models throw for undefined
 * behaviour and exhausted budgets, and `ExitSignal` for `exit()`. Ids are stable: they appear in
 * summary.json, input records and reports.
 */

/** Every outcome kind, with a one-line description. The key is the stable id. */
export const OUTCOMES = {
  returned: 'the entry function returned',
  exit: 'the program called exit()',
  'noreturn-call':
    'the function called an external function that does not return (declared noreturn, e.g. an error routine that longjmps); the run ends there',
  abort: 'the program called abort()',
  'assert-fail': 'an assertion failed (__assert_fail)',
  unreachable: '`unreachable` was reached',
  trap: 'llvm.trap / ud2 or a hardware trap (e.g. signed division overflow)',
  'null-deref': 'memory access through a null (or near-null) pointer',
  'out-of-bounds-read': 'read outside any live object (heap, stack or global)',
  'out-of-bounds-write': 'write outside any live object, or into read-only memory',
  'use-after-free': 'access to a freed heap block',
  'double-free': 'free() of an already freed block',
  'invalid-free': 'free() of a pointer that malloc did not return',
  'division-by-zero': 'integer division or remainder by zero',
  'stack-overflow': 'the stack region or the host call stack is exhausted',
  'step-limit': 'the step budget is exhausted',
  'time-limit': 'the time budget is exhausted',
  'memory-limit': 'the heap budget is exhausted',
  'unsupported-external': 'a call to a function that is neither defined nor modelled',
  'unsupported-feature': 'an IR construct the engine does not implement',
  'invalid-pointer':
    'a call or jump through a pointer that is not a function or block address, or a longjmp through a jmp_buf no live setjmp filled',
  'input-divergence': 'replay read input that the record does not cover',
  'internal-error': 'a bug in inputsmith',
} as const;

export type OutcomeKind = keyof typeof OUTCOMES;

export const OUTCOME_KINDS: readonly OutcomeKind[] = Object.keys(OUTCOMES) as OutcomeKind[];

/** Outcomes that are normal terminations (not findings). */
export function isNormalOutcome(k: OutcomeKind): boolean {
  return k === 'returned' || k === 'exit' || k === 'noreturn-call';
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
