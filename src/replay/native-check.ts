/**
 * @fileoverview Stage: replay (native). Compares one native run with what its input record says.
 *
 * Consumes: the record, the plan and image of the run, the decoded result file and how the process ended
 * (exit code or signal, captured stdout/stderr, time-out). Produces: a status (`ok`, `mismatch`, `failed`)
 * with a one-line reason naming the first difference (outcome, return value field, output byte, pointer
 * target, output stream byte).
 *
 * Rules: non-pointer bytes must be identical; pointers are compared symbolically (object + offset, global +
 * offset, function, null; any address outside those is "other", which matches a record's `other`
 * target); a float or double return value may differ by 1 ulp when the module calls a libm function.
 * Outcomes that are undefined behaviour (out-of-bounds access, use after free, ...) are only checked for
 * ending at all: native code may do anything there. Which outcome is which, and the signals a crash ends
 * in, come from the outcome table (src/engine/outcome.ts).
 */
import { constants } from 'node:os';
import {
  isOutcomeKind,
  isReplayableOutcome,
  isUndefinedOutcome,
  outcomeClass,
  outcomeSignals,
} from '../engine/outcome.js';
import type { Type } from '../ir/types.js';
import type { InputRecord, PtrTarget, ValueRec } from '../gen/record.js';
import { unb64 } from '../gen/record.js';
import type { EntryInfo, NativePlan } from './native-build.js';
import {
  HOW_DIVERGED,
  HOW_EXIT,
  HOW_NORETURN,
  HOW_RETURNED,
  HOW_SIGNAL,
  DRIVER_SETUP_FAILED,
} from './native-driver.js';
import type { Image, NativeResult } from './native-image.js';
import { describeTarget, FLOAT_BYTES, readUint, Resolver } from './native-image.js';

export type NativeStatus = 'ok' | 'mismatch' | 'failed' | 'not-run';

/**
 * Why a record did not replay natively: every verdict that is not `ok` has one cause from this closed
 * table (ids are stable: summary.json, native/<module>.json and `replay --native` use them). The status
 * says what happened (not run, failed, mismatch); the cause says what to look at. Causes are decided by
 * what the checker can tell: the record's outcome, how the native process ended, and the first difference.
 * There is no cause for "an operating-system call answered differently": the environment and OS queries
 * the engine models (time, getpid, stat, gettimeofday, ...) are recorded inputs that the native driver
 * answers from the record, so such a difference shows as what it changed (output, memory, return value).
 */
export const NATIVE_CAUSES = {
  budget: {
    description:
      'the record ends in an engine budget (step-limit, time-limit, memory-limit); native code has none',
  },
  'engine-gap': {
    description:
      'the record ends where the engine could not go on (unsupported external, IR construct or asm, input divergence, internal error)',
  },
  'driver-unsupported': {
    description:
      'the native driver cannot set the record up: the function signature (inalloca, preallocated, swifterror, scalable vectors) or a file opened by absolute path',
  },
  'stale-record': { description: 'the record is for another version of the module (moduleHash differs)' },
  'build-failed': { description: 'the native executable could not be built (clang or the link failed)' },
  'record-unfit': {
    description:
      'the record names what the native build does not have (a function or global it lacks, e.g. a thread-local global) or an unknown outcome',
  },
  'driver-failed': {
    description:
      'the native driver could not set the run up or report it (mapping the input region, an unknown result, the process could not start)',
  },
  'native-timeout': { description: 'the native run exceeded the wall-clock or CPU time limit' },
  'native-limit': {
    description: 'the native run exceeded the output limit, or was killed before reporting (memory limit)',
  },
  'native-crash': { description: 'the native run crashed where the record ends otherwise' },
  'calls-differ': {
    description: 'the native run called stubbed externals other than the record says (it took another path)',
  },
  'end-differs': {
    description: 'the native run ended another way than the record (returned, exit code, signal)',
  },
  'output-differs': { description: 'stdout or stderr differs' },
  'return-differs': { description: 'the return value differs' },
  'memory-differs': { description: 'memory afterwards differs (an input object or a global)' },
  'replay-error': {
    description: "the module's native replay failed as a whole (an error of inputsmith or of the machine)",
  },
} as const satisfies { readonly [id: string]: { readonly description: string } };

export type NativeCause = keyof typeof NATIVE_CAUSES;

export const NATIVE_CAUSE_IDS: readonly NativeCause[] = Object.keys(NATIVE_CAUSES) as NativeCause[];

export interface Verdict {
  readonly status: NativeStatus;
  readonly reason: string;
  /** Why it is not `ok`: set exactly when the status is not `ok`. */
  readonly cause?: NativeCause;
}

/** A verdict that is not ok. */
export function notOk(status: Exclude<NativeStatus, 'ok'>, cause: NativeCause, reason: string): Verdict {
  return { status, reason, cause };
}

/** How the child process ended. */
export interface ProcessEnd {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: Uint8Array;
  readonly stderr: Uint8Array;
  /** Set when the parent killed it: the time limit or the output limit. */
  readonly killedFor?: string;
  /** The parent killed it for the time limit. */
  readonly timedOut?: boolean;
}

/** Why a record cannot be replayed natively at all (a `not-run` verdict), or undefined. */
export function notReplayable(r: InputRecord): Verdict | undefined {
  const k = r.outcome.kind;
  if (isOutcomeKind(k) && !isReplayableOutcome(k))
    return notOk(
      'not-run',
      outcomeClass(k) === 'budget' ? 'budget' : 'engine-gap',
      `the record ends in ${k}, which native code cannot reproduce`,
    );
  return undefined;
}

/** Undefined behaviour (src/engine/outcome.ts): natively anything may happen; only "it ended" is checked. */
function isUndefined(k: string): boolean {
  return isOutcomeKind(k) && isUndefinedOutcome(k);
}

/** The signals a record's crash outcome ends in natively; undefined for other outcomes. */
function crashSignals(k: string): readonly string[] | undefined {
  return isOutcomeKind(k) && outcomeClass(k) === 'crash' ? outcomeSignals(k) : undefined;
}

/** Signal names by number; the first name wins (6 is SIGABRT, not its alias SIGIOT). */
const SIGNAL_NAMES = new Map<number, string>();
for (const [k, v] of Object.entries(constants.signals)) if (!SIGNAL_NAMES.has(v)) SIGNAL_NAMES.set(v, k);

function signalName(n: number): string {
  return SIGNAL_NAMES.get(n) ?? `signal ${n}`;
}

/** What the native run did, in words and as an outcome class. */
type NativeEnd =
  | { kind: 'returned' }
  | { kind: 'noreturn' }
  | { kind: 'exit'; code: number; dumped: boolean }
  | { kind: 'signal'; sig: string }
  | { kind: 'diverged'; why: string; beyond: boolean }
  | { kind: 'failed'; why: string; cause: NativeCause };

function nativeEnd(
  plan: NativePlan,
  r: InputRecord,
  res: NativeResult | undefined,
  p: ProcessEnd,
): NativeEnd {
  if (p.killedFor !== undefined)
    return {
      kind: 'failed',
      why: p.killedFor,
      cause: p.timedOut === true ? 'native-timeout' : 'native-limit',
    };
  if (res === undefined) {
    const err = Buffer.from(p.stderr).toString('utf8');
    const driverMsg = /inputsmith-driver: [^\n]*/.exec(err);
    if (p.code === DRIVER_SETUP_FAILED && driverMsg !== null)
      return { kind: 'failed', why: driverMsg[0], cause: 'driver-failed' };
    if (p.signal !== null)
      return {
        kind: 'failed',
        why: `killed by ${p.signal} before reporting (memory limit?)`,
        cause: 'native-limit',
      };
    return { kind: 'exit', code: p.code ?? -1, dumped: false };
  }
  switch (res.how) {
    case HOW_RETURNED:
      return { kind: 'returned' };
    case HOW_NORETURN:
      return { kind: 'noreturn' };
    case HOW_EXIT:
      return { kind: 'exit', code: p.code ?? -1, dumped: true };
    case HOW_SIGNAL: {
      const sig = signalName(Number(res.info));
      if (sig === 'SIGXCPU')
        return { kind: 'failed', why: 'CPU time limit exceeded', cause: 'native-timeout' };
      return { kind: 'signal', sig };
    }
    case HOW_DIVERGED: {
      const stubName = (id: bigint): string => {
        for (const [n, i] of plan.stubs) if (BigInt(i) === id) return `@${n}`;
        return `stub ${id}`;
      };
      const i = Number(res.info);
      const beyond = res.info3 === (1n << 64n) - 1n;
      const why = beyond
        ? `external call #${i} to ${stubName(res.info2)} is beyond the record's ${r.calls.length} calls`
        : `external call #${i} is to ${stubName(res.info2)}, the record has ${stubName(res.info3)}`;
      return { kind: 'diverged', why, beyond };
    }
    default:
      return { kind: 'failed', why: `unknown result kind ${res.how}`, cause: 'driver-failed' };
  }
}

function describeEnd(e: NativeEnd): string {
  switch (e.kind) {
    case 'returned':
      return 'returned';
    case 'noreturn':
      return 'ended in a noreturn call';
    case 'exit':
      return `exit(${e.code})`;
    case 'signal':
      return e.sig;
    default:
      return e.why;
  }
}

// ---------------------------------------------------------------------------------------------------
// Values

function ulpClose(kind: string, a: bigint, b: bigint): boolean {
  const bits = kind === 'float' ? 32 : kind === 'double' ? 64 : 0;
  if (bits === 0) return false;
  const sign = 1n << BigInt(bits - 1);
  if ((a & sign) !== (b & sign)) return false;
  const d = a > b ? a - b : b - a;
  return d <= 1n;
}

function showInt(bits: number, v: bigint): string {
  return bits <= 64 && bits > 1 ? String(BigInt.asIntN(bits, v)) : String(v);
}

/** First difference between native bytes (at `off`) and the record's value, or undefined. */
function compareValue(
  plan: NativePlan,
  resolver: Resolver,
  t: Type,
  want: ValueRec,
  got: Uint8Array,
  off: number,
  path: string,
): string | undefined {
  switch (t.kind) {
    case 'int': {
      if (want.t !== 'int') return `${path}: record has a ${want.t} for an i${t.bits}`;
      const g = BigInt.asUintN(t.bits, readUint(got, off, Math.ceil(t.bits / 8)));
      const w = BigInt.asUintN(t.bits, BigInt(want.v));
      return g === w ? undefined : `${path}: native ${showInt(t.bits, g)}, record ${showInt(t.bits, w)}`;
    }
    case 'float': {
      if (want.t !== 'float') return `${path}: record has a ${want.t} for a ${t.fk}`;
      const n = FLOAT_BYTES[t.fk] ?? 8;
      const g = readUint(got, off, n);
      const w = BigInt('0x' + want.hex);
      if (g === w || (plan.callsLibm && ulpClose(t.fk, g, w))) return undefined;
      const hex = (v: bigint): string => '0x' + v.toString(16).padStart(n * 2, '0');
      return `${path}: native ${t.fk} ${hex(g)}, record ${hex(w)}`;
    }
    case 'ptr': {
      const addr = readUint(got, off, 8);
      const res = resolver.resolve(addr);
      if (want.t === 'null')
        return 'null' in res ? undefined : `${path}: native points to ${describeTarget(res)}, record null`;
      if (want.t === 'rawptr') {
        return addr === BigInt.asUintN(64, BigInt(want.addr)) || 'other' in res
          ? undefined
          : `${path}: native points to ${describeTarget(res)}, record a raw address`;
      }
      if (want.t !== 'ptr') return `${path}: record has a ${want.t} for a pointer`;
      return resolver.same(addr, want)
        ? undefined
        : `${path}: native points to ${describeTarget(res)}, record ${describeTarget(want)}`;
    }
    case 'struct': {
      if (want.t !== 'agg') return `${path}: record has a ${want.t} for a struct`;
      const sl = plan.dl.structLayout(t);
      for (let i = 0; i < t.fields.length; i++) {
        const d = compareValue(
          plan,
          resolver,
          t.fields[i] as Type,
          want.elems[i] as ValueRec,
          got,
          off + (sl.offsets[i] ?? 0),
          `${path}.${i}`,
        );
        if (d !== undefined) return d;
      }
      return undefined;
    }
    case 'array':
    case 'vector': {
      if (want.t !== 'agg') return `${path}: record has a ${want.t} for an ${t.kind}`;
      const stride = t.kind === 'array' ? plan.dl.allocSize(t.elem) : plan.dl.typeSize(t.elem);
      for (let i = 0; i < t.len; i++) {
        const d = compareValue(
          plan,
          resolver,
          t.elem,
          want.elems[i] as ValueRec,
          got,
          off + i * stride,
          `${path}[${i}]`,
        );
        if (d !== undefined) return d;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function hexByte(b: number | undefined): string {
  return b === undefined ? 'none' : '0x' + b.toString(16).padStart(2, '0');
}

/** First difference of one output memory region (`lo` = offset of data[0] relative to the base). */
function compareMemory(
  resolver: Resolver,
  what: string,
  lo: number,
  got: Uint8Array,
  wantData: Uint8Array,
  relocs: readonly { readonly at: number; readonly to: PtrTarget | null }[],
): string | undefined {
  if (wantData.length !== got.length) {
    return `${what}: the record has ${wantData.length} output bytes, the object ${got.length}`;
  }
  const ptrBytes = new Uint8Array(got.length);
  for (const rl of relocs) {
    const i = rl.at - lo;
    if (i < 0 || i + 8 > got.length) return `${what}: record relocation at ${rl.at} is outside`;
    const addr = readUint(got, i, 8);
    if (!resolver.same(addr, rl.to)) {
      const res = resolver.resolve(addr);
      return `${what} at ${rl.at}: native points to ${describeTarget(res)}, record ${describeTarget(rl.to)}`;
    }
    ptrBytes.fill(1, i, i + 8);
  }
  for (let i = 0; i < got.length; i++) {
    if (ptrBytes[i] === 0 && got[i] !== wantData[i]) {
      return `${what} byte ${lo + i}: native ${hexByte(got[i])}, record ${hexByte(wantData[i])}`;
    }
  }
  return undefined;
}

function compareStream(name: string, got: Uint8Array, want: Uint8Array): string | undefined {
  const n = Math.min(got.length, want.length);
  let i = 0;
  while (i < n && got[i] === want[i]) i++;
  if (i === n && got.length === want.length) return undefined;
  const show = (b: Uint8Array): string =>
    JSON.stringify(Buffer.from(b.subarray(i, i + 16)).toString('latin1'));
  return `${name} differs at byte ${i}: native ${show(got)}, record ${show(want)} (${got.length} vs ${want.length} bytes)`;
}

// ---------------------------------------------------------------------------------------------------

/** Judge one native run. */
export function checkRun(
  plan: NativePlan,
  entry: EntryInfo,
  r: InputRecord,
  image: Image,
  res: NativeResult | undefined,
  p: ProcessEnd,
): Verdict {
  const end = nativeEnd(plan, r, res, p);
  const want = r.outcome.kind;
  // Unbounded recursion: the engine's call-stack budget ends it; natively a tail call turns it into a loop
  // that never overflows (a function pointer retargeted to the function itself, `return f(x)`).
  if (end.kind === 'failed' && p.timedOut === true && want === 'stack-overflow')
    return {
      status: 'ok',
      reason: `stack-overflow: native ran until the time limit (tail calls), not compared`,
    };
  // Undefined behaviour: natively anything may happen, running on until a limit too.
  if (end.kind === 'failed' && p.killedFor !== undefined && isUndefined(want))
    return {
      status: 'ok',
      reason: `undefined behaviour (${want}): native ran into the ${p.killedFor.replace(/ of .*/, '')}, not compared`,
    };
  if (end.kind === 'failed') return notOk('failed', end.cause, end.why);
  if (end.kind === 'diverged') {
    // The engine stopped at the undefined behaviour after the record's calls; native code made all of them,
    // in order, and went on past that point (e.g. a stub of a noreturn external returned): that is
    // whatever undefined behaviour does, as any other way of ending.
    if (isUndefined(want) && end.beyond)
      return {
        status: 'ok',
        reason: `undefined behaviour (${want}): native went on (${end.why}), not compared`,
      };
    return notOk('mismatch', 'calls-differ', end.why);
  }
  const recordEnd = want === 'exit' ? `exit(${r.outcome.exitCode ?? 0})` : want;

  // The way the run ended.
  if (isUndefined(want)) {
    return {
      status: 'ok',
      reason: `undefined behaviour (${want}): native ${describeEnd(end)}, not compared`,
    };
  }
  const sigs = crashSignals(want);
  let endOk: boolean;
  if (want === 'returned') endOk = end.kind === 'returned';
  else if (want === 'noreturn-call' || want === 'panic') endOk = end.kind === 'noreturn';
  else if (want === 'exit') endOk = end.kind === 'exit' && end.code === (r.outcome.exitCode ?? 0);
  else if (sigs !== undefined) endOk = end.kind === 'signal' && sigs.includes(end.sig);
  else return notOk('failed', 'record-unfit', `unknown outcome kind "${want}" in the record`);
  if (!endOk) {
    // A crash the record does not predict means the run could not be completed: failed.
    const reason = `native ${describeEnd(end)}, record ${recordEnd}`;
    return end.kind === 'signal' && sigs === undefined
      ? notOk('failed', 'native-crash', reason)
      : notOk('mismatch', 'end-differs', reason);
  }

  // Output streams.
  const out = compareStream('stdout', p.stdout, unb64(r.outcome.stdout));
  if (out !== undefined) return notOk('mismatch', 'output-differs', out);
  if (want !== 'assert-fail') {
    const err = compareStream('stderr', p.stderr, unb64(r.outcome.stderr));
    if (err !== undefined) return notOk('mismatch', 'output-differs', err);
  }
  if (res === undefined)
    return { status: 'ok', reason: 'exited without running exit handlers: memory not compared' };

  const resolver = new Resolver(plan, image, res);

  // Return value.
  const retType = entry.func.funcType.ret;
  if (
    want === 'returned' &&
    retType.kind !== 'void' &&
    r.outcome.ret !== undefined &&
    r.outcome.ret.t !== 'void'
  ) {
    const d = compareValue(
      plan,
      resolver,
      retType,
      r.outcome.ret,
      res.objData[0] as Uint8Array,
      0,
      'return value',
    );
    if (d !== undefined) return notOk('mismatch', 'return-differs', d);
  }

  // Output memory.
  const mem = r.outcome.memory;
  for (const [k, o] of mem.objects.entries()) {
    const i = image.objIndex.get(o.id) as number;
    const [lo] = image.layout[i] as readonly [number, number];
    const d = compareMemory(
      resolver,
      `object ${o.id}`,
      lo,
      res.objData[k + 1] as Uint8Array,
      unb64(o.data),
      o.relocs,
    );
    if (d !== undefined) return notOk('mismatch', 'memory-differs', d);
  }
  for (const [k, g] of mem.globals.entries()) {
    const got = res.globalData[k] as Uint8Array;
    const want = unb64(g.data);
    const d = compareMemory(resolver, `@${g.name}`, 0, got.subarray(0, want.length), want, g.relocs);
    if (d !== undefined) return notOk('mismatch', 'memory-differs', d);
  }
  return { status: 'ok', reason: '' };
}
