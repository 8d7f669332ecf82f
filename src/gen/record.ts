/**
 * @fileoverview Stage: gen (shared with replay and export). The input record: everything one generated input
 * consists of, and what running it produced.
 *
 * Consumes: nothing (leaf module). Produces: the `InputRecord` type, its JSON encoding (versioned,
 * human-inspectable, binary payloads as base64) and validation of records read from disk. The format is
 * documented field by field in docs/input-format.md; a change to it bumps `RECORD_VERSION`.
 *
 * Memory is described symbolically: an object is a run of bytes with a base (offset 0 is where pointers to it
 * point; `lo` may be negative), pointers stored in memory are relocations naming their target (object,
 * global, function), so the image can be rebuilt at any address: in the engine, or natively by a driver.
 */
import { UserError } from '../util/errors.js';

export const RECORD_FORMAT = 'inputsmith-input';
/**
 * Input objects live in slots of this many bytes, object `id` in slot `id` with its base in the slot's
 * middle (engine and native replay alike), so order and distances between input objects are reproducible.
 */
export const INPUT_SLOT = 1 << 18;
/**
 * A variadic function is called with this many extra arguments after its fixed ones, each an i64 (what
 * `va_arg(ap, int)`, `long` or a pointer reads on x86-64); `args` holds them after the fixed ones.
 */
export const VA_EXTRA = 6;
/** Slots of the input region (object ids are below INPUT_SLOTS - BIG_SLOTS * BIG_SLOT / INPUT_SLOT). */
export const INPUT_SLOTS = 1024;
/**
 * Big slots, at the top of the input region (the space of its last small slots): an object that grows past
 * its small slot (a compressor's work memory, an image) moves to one of them, its base in the middle, with
 * `big` in its record giving which. Object `id` then lives at big slot `big` instead of small slot `id`.
 */
export const BIG_SLOT = 1 << 22;
export const BIG_SLOTS = 8;
/** Small slots (object ids below this have one). */
export const SMALL_SLOTS = INPUT_SLOTS - (BIG_SLOTS * BIG_SLOT) / INPUT_SLOT;

/** Offset in the input region of an object's base: small slot `id`'s middle, or big slot `big`'s. */
export function slotBaseOffset(id: number, big: number | undefined): number {
  return big === undefined
    ? id * INPUT_SLOT + INPUT_SLOT / 2
    : SMALL_SLOTS * INPUT_SLOT + big * BIG_SLOT + BIG_SLOT / 2;
}

/** Half the size of an object's slot: how far from its base the object may reach either way. */
export function slotHalf(big: number | undefined): number {
  return (big === undefined ? INPUT_SLOT : BIG_SLOT) / 2;
}
/**
 * Address of the input region in the engine (its memory is 1 GiB, the region its last INPUT_SLOTS slots).
 * Native replay maps its region at the same address when it can, so input objects have the engine's
 * absolute addresses: pointer values that reach the output (hashes of addresses, `%p`, pointer arithmetic
 * that wraps) are the same in both.
 */
export const INPUT_REGION_BASE = 0x30000000;
/**
 * Version 2: an object may live in a big slot (`big`), and a pointer target or call may name a generated
 * stub (`stub ` and a function type, gen/stubs.ts). Version 1 records (which do neither) are read as they are.
 */
export const RECORD_VERSION = 2;
const READABLE_VERSIONS: readonly unknown[] = [1, RECORD_VERSION];

export type StdStream = 'stdin' | 'stdout' | 'stderr';
export const STD_STREAMS: readonly StdStream[] = ['stdin', 'stdout', 'stderr'];

/** Where a pointer points, symbolically. */
export type PtrTarget =
  | { readonly obj: number; readonly off: number }
  | { readonly global: string; readonly off: number }
  | { readonly fn: string }
  /** The C library's standard stream (a `FILE *` argument becomes stdin or stdout). */
  | { readonly stream: StdStream }
  /** Memory that is not part of the input (heap blocks the function allocated, stack); output only. */
  | { readonly other: string; readonly off: number };

/** A value: an argument, a return value, an external call's result. */
export type ValueRec =
  /** Integer of `bits` bits, value as a decimal string of its unsigned bit pattern. */
  | { readonly t: 'int'; readonly bits: number; readonly v: string }
  /** Floating point: raw bit pattern as hex (8 digits for float, 16 for double, 20 for x86_fp80). */
  | {
      readonly t: 'float';
      readonly kind: 'float' | 'double' | 'x86_fp80' | 'half' | 'fp128';
      readonly hex: string;
    }
  | { readonly t: 'null' }
  | ({ readonly t: 'ptr' } & PtrTarget)
  /** A pointer with an address that points nowhere valid (e.g. inttoptr of garbage): kept as raw number. */
  | { readonly t: 'rawptr'; readonly addr: string }
  /** Struct, array or vector passed or returned by value. */
  | { readonly t: 'agg'; readonly elems: readonly ValueRec[] }
  | { readonly t: 'void' };

/** A relocation: at byte offset `at` (relative to the object's base) an 8-byte pointer to `to`. */
export interface Reloc {
  readonly at: number;
  readonly to: PtrTarget | null;
}

/** One input object: memory created for the function because it read through a generated pointer. */
export interface ObjectRec {
  readonly id: number;
  /** Lowest offset that exists (<= 0: objects grow in both directions). */
  readonly lo: number;
  /** Number of bytes from `lo`. */
  readonly size: number;
  /** Address residue the object's base had in the engine (base mod 4096), reproduced natively. */
  readonly baseMod: number;
  /** The bytes [lo, lo + size), base64. Pointer slots hold zeros here; see `relocs`. */
  readonly data: string;
  /** Which bytes are inputs (were read before written): [start, end) pairs relative to the base. */
  readonly input: readonly (readonly [number, number])[];
  readonly relocs: readonly Reloc[];
  /** The object's bytes were only compared, never read (an address used for identity). */
  readonly opaque?: boolean;
  /**
   * The function may free() or realloc() the object, so it must be a heap block: native replay allocates
   * it with malloc (alignment kept, `baseMod` only as far as an alignment can keep it). Needs `lo` = 0.
   */
  readonly heap?: boolean;
  /** The object lives in big slot `big` (0 .. BIG_SLOTS - 1) rather than small slot `id` (version 2). */
  readonly big?: number;
}

/** Input bytes of a writable global that the function read before writing. */
export interface GlobalRec {
  readonly name: string;
  /** Byte ranges of the global that are inputs, each with its data. */
  readonly ranges: readonly { readonly off: number; readonly data: string }[];
  readonly relocs: readonly Reloc[];
}

/** One call to an external function that is not modelled: what it returned (in call order). */
export interface CallRec {
  readonly fn: string;
  readonly ret: ValueRec;
}

export interface StreamsRec {
  /** Bytes the function read from stdin, base64. */
  readonly stdin: string;
  /** In-memory files the function opened, by path. */
  readonly files: readonly { readonly path: string; readonly data: string }[];
}

/** Memory after the run: each input object's and input global's bytes, with the pointers it then held. */
export interface MemoryOut {
  readonly objects: readonly {
    readonly id: number;
    readonly data: string;
    readonly relocs: readonly Reloc[];
  }[];
  readonly globals: readonly {
    readonly name: string;
    readonly data: string;
    readonly relocs: readonly Reloc[];
  }[];
}

export interface OutcomeRec {
  /** An id from the engine's outcome table (src/engine/outcome.ts). */
  readonly kind: string;
  readonly message?: string;
  readonly exitCode?: number;
  readonly ret?: ValueRec;
  readonly stdout: string;
  readonly stderr: string;
  readonly memory: MemoryOut;
  /** Indices of the IR basic blocks of the function that ran, ascending. */
  readonly blocks: readonly number[];
  readonly steps: number;
}

export interface InputRecord {
  readonly format: typeof RECORD_FORMAT;
  readonly version: number;
  /** Path of the module (IR) the input belongs to, as given to `gen`. */
  readonly module: string;
  /** sha256 of the module's IR text: replay refuses a record for a different module. */
  readonly moduleHash: string;
  /** IR name of the function, without `@`. */
  readonly function: string;
  readonly seed: string;
  readonly index: number;
  readonly args: readonly ValueRec[];
  readonly objects: readonly ObjectRec[];
  readonly globals: readonly GlobalRec[];
  readonly calls: readonly CallRec[];
  readonly streams: StreamsRec;
  readonly outcome: OutcomeRec;
  /**
   * The run's step budget, when the search ran it with less than the session's (`stepLimit` of the run
   * limits) and it ended in `step-limit`: replay runs it with the same budget. Absent otherwise.
   */
  readonly stepLimit?: number;
}

// ---------------------------------------------------------------------------------------------------
// Payload helpers

export function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
export function unb64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export function intRec(bits: number, v: bigint): ValueRec {
  return { t: 'int', bits, v: BigInt.asUintN(bits, v).toString() };
}

/** Merge sorted-or-not [start, end) ranges into a minimal ascending list. */
export function mergeRanges(ranges: Iterable<readonly [number, number]>): [number, number][] {
  const sorted = [...ranges].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Encoding

/** Stable JSON text of a record (keys in declaration order, two-space indent, trailing newline). */
export function encodeRecord(r: InputRecord): string {
  return JSON.stringify(r, null, 1) + '\n';
}

/** Parse and check a record; a malformed one is a one-line UserError naming the file. */
export function decodeRecord(text: string, file: string): InputRecord {
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new UserError(`not an input record (invalid JSON: ${(e as Error).message})`, { file });
  }
  const o = r as Partial<InputRecord>;
  if (o === null || typeof o !== 'object' || o.format !== RECORD_FORMAT) {
    throw new UserError(`not an input record (missing "format": "${RECORD_FORMAT}")`, { file });
  }
  if (!READABLE_VERSIONS.includes(o.version)) {
    throw new UserError(
      `input record version ${String(o.version)} is not supported (this is ${RECORD_VERSION}; it reads ${READABLE_VERSIONS.join(' and ')})`,
      { file },
    );
  }
  for (const k of ['module', 'moduleHash', 'function', 'seed'] as const) {
    if (typeof o[k] !== 'string') throw new UserError(`input record: field "${k}" missing`, { file });
  }
  for (const k of ['args', 'objects', 'globals', 'calls'] as const) {
    if (!Array.isArray(o[k])) throw new UserError(`input record: field "${k}" must be an array`, { file });
  }
  if (o.streams === undefined || o.outcome === undefined) {
    throw new UserError('input record: fields "streams" and "outcome" are required', { file });
  }
  if (o.stepLimit !== undefined && !(Number.isInteger(o.stepLimit) && o.stepLimit > 0))
    throw new UserError(`input record: "stepLimit" must be a positive integer`, { file });
  const bigs = new Set<number>();
  for (const x of o.objects!) {
    if (x.big === undefined) continue;
    if (!Number.isInteger(x.big) || x.big < 0 || x.big >= BIG_SLOTS || bigs.has(x.big))
      throw new UserError(`input record: object ${x.id} has a bad "big" slot ${String(x.big)}`, { file });
    bigs.add(x.big);
  }
  return o as InputRecord;
}
