/**
 * @fileoverview Stage: engine. The one table of external-function handlers (KLEE's SpecialFunctionHandler),
 * and the runtime interface handlers see.
 *
 * Consumes: registrations by name from the libc models (src/engine/libc/*) and the engine's own core
 * handlers, and the attributes of some externals (an environment input, an OS query, a comparison...).
 * Produces: `lookupExternal(name)`, used by the linker when a module calls a function it does not define,
 * and `externalAttrs(name)`, read by generation. A handler receives the runtime and its arguments in a
 * boxed, representation-independent form and returns one boxed value; the generated code converts at the
 * boundary (externals are slow paths).
 *
 * Boxed values (`ExtValue`), by IR type:
 *   i1, i8, i16 (and other widths < 32): number, zero-extended (0 .. 2^N-1)
 *   i32: number, signed int32 (`x | 0`); a handler may return any number, it is wrapped to 32 bits
 *   i64: bigint, signed (BigInt.asIntN(64, ..)); a handler may return a number or a bigint
 *   i128 and other widths > 32 except 64: bigint, unsigned
 *   ptr: number (the address; 0 is NULL)
 *   float, double: number
 *   x86_fp80 (long double): bigint, the raw 80-bit pattern (see fp80.ts for conversions)
 *   void return: return undefined
 * The variadic arguments of a variadic external arrive as a `VaList` reading the x86-64 SysV overflow area
 * the caller wrote; `VaList.fromVaList` reads a `va_list` (for vprintf and friends).
 */
import type { Memory } from './memory.js';
import { ExitSignal, Trap, type OutcomeKind } from './outcome.js';

export type ExtValue = number | bigint;

/** A growable captured output stream (stdout, stderr). */
export class OutputStream {
  private buf = new Uint8Array(256);
  private len = 0;
  /** Bytes beyond this are dropped (and `truncated` set), so a runaway program cannot exhaust memory. */
  limit = 64 << 20;
  truncated = false;

  write(bytes: Uint8Array): void {
    let n = bytes.length;
    if (this.len + n > this.limit) {
      n = Math.max(0, this.limit - this.len);
      this.truncated = true;
    }
    if (this.len + n > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < this.len + n) cap *= 2;
      const b = new Uint8Array(cap);
      b.set(this.buf.subarray(0, this.len));
      this.buf = b;
    }
    this.buf.set(n === bytes.length ? bytes : bytes.subarray(0, n), this.len);
    this.len += n;
  }
  writeByte(b: number): void {
    if (this.len < this.buf.length && this.len < this.limit) this.buf[this.len++] = b;
    else this.write(Uint8Array.of(b));
  }
  writeString(s: string): void {
    this.write(Buffer.from(s, 'utf8'));
  }
  get length(): number {
    return this.len;
  }
  /** A copy of everything written. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
  text(): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.len).toString('utf8');
  }
  clear(): void {
    this.len = 0;
    this.truncated = false;
  }
}

/** The program's stdin: fixed bytes read front to back. */
export class InputStream {
  data: Uint8Array;
  pos = 0;
  constructor(data: Uint8Array = new Uint8Array(0)) {
    this.data = data;
  }
  /** The next byte, or -1 at end of input. */
  getc(): number {
    return this.pos < this.data.length ? this.data[this.pos++]! : -1;
  }
  /** Up to n bytes (fewer at end of input). */
  read(n: number): Uint8Array {
    const out = this.data.subarray(this.pos, Math.min(this.data.length, this.pos + n));
    this.pos += out.length;
    return out;
  }
  /** Push back one byte (ungetc). */
  unget(): void {
    if (this.pos > 0) this.pos--;
  }
  get eof(): boolean {
    return this.pos >= this.data.length;
  }
}

/** What a handler can do. One Runtime per engine instance; its per-run state is reset between runs. */
export interface Runtime {
  readonly mem: Memory;
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: InputStream;
  /** argv of the program (argv[0] included). */
  readonly args: readonly string[];
  /** Environment for getenv. */
  readonly env: ReadonlyMap<string, string>;
  /**
   * Call a function of the program by address (an IR function or a modelled external), e.g. a qsort
   * comparator. Arguments and result are boxed as described above; the callee's IR type decides the
   * conversion. Traps propagate.
   */
  call(fnPtr: number, args: readonly ExtValue[]): ExtValue | undefined;
  /**
   * `call` without boxing, for callbacks a model calls many times (qsort and bsearch comparators): a JS
   * function calling the program's function at `fnPtr` with `pointers` pointer arguments and returning its
   * `int` result, when the function has exactly that type; undefined otherwise (then use `call`).
   */
  intCallback(fnPtr: number, pointers: 2 | 3): ((a: number, b: number, c?: number) => number) | undefined;
  /**
   * Hook of the generation runtime: `fn` got `addr` as a FILE * that is no open stream. It may rewrite
   * the input and restart the run (by throwing); returning lets the model report the bad pointer.
   */
  unknownStream?: (addr: number, fn: string) => void;
  /** Name of the function at a code address, or undefined. */
  functionName(fnPtr: number): string | undefined;
  /** Address of a global variable or function of the module (or of a modelled external global). */
  symbolAddress(name: string): number | undefined;
  /** End the run as exit(code) does: runs the exit hooks (atexit handlers, stdio flush), then unwinds. */
  exit(code: number): never;
  /** End the run with an outcome (abort, assert-fail, ...). */
  trap(kind: OutcomeKind, message: string): never;
  /** Hooks run by exit() and when main returns, last registered first (atexit semantics). */
  onExit(hook: () => void): void;
  /**
   * Per-run state of a model, created on first use by `init` and dropped when the run ends
   * (errno cell, FILE table, rand seed, atexit list...).
   */
  state<T>(key: string, init: () => T): T;
  /** The per-run state under `key` if a model created it in this run, without creating it. */
  peekState<T>(key: string): T | undefined;
  /** Steps executed so far in this run. */
  steps(): number;
  /**
   * Charge `units` steps of model work to the run's budget (rates in cost.ts); throws the step-limit
   * trap when the budget is exhausted. A counter add and compare: cheap enough for every call.
   */
  charge(units: number): void;
}

/** A handler: boxed arguments in, boxed result out. `va` is set for variadic externals. */
export type ExternalHandler = (
  rt: Runtime,
  args: ExtValue[],
  va: VaList | undefined,
) => ExtValue | undefined | void;

/** An external global variable the models provide (stdout, stdin, errno, environ, optarg...). */
export interface ExternalGlobal {
  readonly size: number;
  readonly align?: number;
  /** Read-only for the program (default false). */
  readonly readOnly?: boolean;
  /** Fill the bytes at `addr` at the start of every run. */
  init?(rt: Runtime, addr: number): void;
}

const handlers = new Map<string, ExternalHandler>();
const coreHandlers = new Map<string, ExternalHandler>();
const globals = new Map<string, ExternalGlobal>();

/** Register (or replace) the model of an external function. Called at import time by the libc models. */
export function registerExternal(name: string, handler: ExternalHandler): void {
  handlers.set(name, handler);
}

/** Register many at once: `registerExternals({ strlen: (rt, [s]) => ..., ... })`. */
export function registerExternals(table: Readonly<Record<string, ExternalHandler>>): void {
  for (const [name, h] of Object.entries(table)) handlers.set(name, h);
}

/** The engine's own minimal handlers; a `registerExternal` of the same name takes precedence. */
export function registerCoreExternal(name: string, handler: ExternalHandler): void {
  coreHandlers.set(name, handler);
}

export function registerExternalGlobal(name: string, g: ExternalGlobal): void {
  globals.set(name, g);
}

/**
 * The unboxed form of a model whose arguments and result are scalars: called by the generated code with
 * its numbers as they are, no argument array per call. Its results must be the model's own. Two kinds
 * (link.ts decides by the IR type of the call): floating-point arguments and result (libm, up to two
 * arguments), and integer or pointer arguments and an integer, pointer or void result (the allocator, up
 * to three arguments), whose 64-bit integers come as numbers as `numericArguments` describes (a form of
 * the second kind must be registered with `registerScalarExternal(..., { numbers: true })`).
 */
export type ScalarForm = (rt: Runtime, a: number, b: number, c: number) => number | undefined;

const scalarForms = new WeakMap<ExternalHandler, ScalarForm>();
const numericHandlers = new WeakSet<ExternalHandler>();

/** Register `handler` with its unboxed form (the engine calls the form when the handler is unwrapped). */
export function registerScalarExternal(
  name: string,
  handler: ExternalHandler,
  form: ScalarForm,
  o: { readonly numbers?: boolean } = {},
): void {
  handlers.set(name, handler);
  scalarForms.set(handler, form);
  if (o.numbers === true) numericHandlers.add(handler);
}

/** The unboxed form of a handler registered with one, else undefined. */
export function scalarFormOf(handler: ExternalHandler): ScalarForm | undefined {
  return scalarForms.get(handler);
}

/**
 * Declare the handlers now registered under `names` as taking 64-bit integer arguments as JS numbers
 * (exact below 2^53, the nearest double above) rather than BigInts: their conversions (`size`, `ptr` of
 * libc/common.ts) accept both, and nothing they compute depends on bits beyond 2^53 (a size that large
 * fails whatever its low bits). The generated code then calls them without making a BigInt per call
 * (malloc, free, memcmp... in a loop).
 */
export function numericArguments(names: readonly string[]): void {
  for (const n of names) {
    const h = handlers.get(n);
    if (h === undefined) throw new Error(`numericArguments: no handler registered for ${n}`);
    numericHandlers.add(h);
  }
}

/** Whether `handler` takes its 64-bit integer arguments as numbers (`numericArguments`). */
export function takesNumbers(handler: ExternalHandler): boolean {
  return numericHandlers.has(handler);
}

export function lookupExternal(name: string): ExternalHandler | undefined {
  const h = handlers.get(name) ?? coreHandlers.get(name);
  if (h !== undefined || aliasResolvers.length === 0) return h;
  for (const resolve of aliasResolvers) {
    const canonical = resolve(name);
    if (canonical !== undefined) return handlers.get(canonical);
  }
  return undefined;
}

/**
 * Resolvers of mangled names to the name a model is registered under (Rust's allocator shims are
 * `_RNvCs<hash>_7___rustc12___rust_alloc`, the hash changing with the compiler: src/engine/libc/rust.ts).
 */
const aliasResolvers: ((name: string) => string | undefined)[] = [];

/** Register a resolver of external names to model names, tried when no model has the name itself. */
export function registerExternalAliases(resolve: (name: string) => string | undefined): void {
  aliasResolvers.push(resolve);
}

export function lookupExternalGlobal(name: string): ExternalGlobal | undefined {
  return globals.get(name);
}

/**
 * What the stages above the engine need to know of an external function besides its model: one row per
 * external that has any (registered by the libc models' index, src/engine/libc/index.ts). Generation reads
 * these instead of keeping lists of libc names.
 */
export interface ExternalAttrs {
  /**
   * Its result is the environment (the clock, a process id), this many bits wide: generation takes the
   * model's first answer and records it as an input (mutable, returned by the native driver's stub).
   */
  readonly envInput?: 32 | 64;
  /** It also stores its result through its pointer argument of this index, when not null (`time(&t)`). */
  readonly storesResultAt?: number;
  /**
   * An operating-system query or action (file metadata, directories, threads, ids, a shell command,
   * removing files...): what it answers is the machine's state, not the function's, and natively it
   * would change the machine, so generation stubs it although the engine models it (docs/gen.md).
   */
  readonly osInput?: true;
  /**
   * Compares its first two arguments: 's' NUL-terminated strings, 'n' strings of at most the third
   * argument's bytes, 'mem' the third argument's bytes. Generation logs what input bytes were compared with.
   */
  readonly compares?: 's' | 'n' | 'mem';
  /** A stdio function that writes to its FILE * (the others read from it or only query it). */
  readonly writesStream?: true;
}

const attrs = new Map<string, ExternalAttrs>();

/**
 * Register the attributes of externals: `registerExternalAttrs({ time: { envInput: 64 }, ... })`. Every
 * name must already have a model (a misspelt name would silently have no effect).
 */
export function registerExternalAttrs(table: Readonly<Record<string, ExternalAttrs>>): void {
  for (const [name, a] of Object.entries(table)) {
    if (lookupExternal(name) === undefined)
      throw new Error(`attributes for external @${name}, which has no model`);
    attrs.set(name, a);
  }
}

/** The attributes of an external function (undefined: none, an ordinary model or no model). */
export function externalAttrs(name: string): ExternalAttrs | undefined {
  return attrs.get(name);
}

/** Names of all modelled external functions (sorted). */
export function modelledExternals(): string[] {
  return [...new Set([...handlers.keys(), ...coreHandlers.keys()])].sort();
}

// ---------------------------------------------------------------------------------------------------
// Variadic arguments

/**
 * The variadic arguments of a call, read as the x86-64 SysV ABI lays them out: integer-class values in
 * 8-byte slots, double in 8-byte slots (floats are promoted by the caller), long double in 16-byte aligned
 * 16-byte slots, from the register save area while gp_offset < 48 / fp_offset < 176, then from the overflow
 * area. Implements the `VarArgs` interface of libc/printf.ts.
 */
export class VaList {
  private readonly mem: Memory;
  /** Address of a va_list struct to read and update, or -1 for a bare overflow area. */
  private readonly ap: number;
  private gp = 48;
  private fp = 176;
  private overflow: number;
  private regSave = 0;

  private constructor(mem: Memory, ap: number, overflow: number) {
    this.mem = mem;
    this.ap = ap;
    this.overflow = overflow;
    if (ap >= 0) {
      this.gp = mem.readU32(ap);
      this.fp = mem.readU32(ap + 4);
      this.overflow = mem.readPtr(ap + 8);
      this.regSave = mem.readPtr(ap + 16);
    }
  }

  /** Arguments written by the caller into an overflow area starting at `area`. */
  static fromArea(mem: Memory, area: number): VaList {
    return new VaList(mem, -1, area);
  }
  /** Arguments of a `va_list` (the 24-byte struct at `ap`); consuming them advances the struct. */
  static fromVaList(mem: Memory, ap: number): VaList {
    return new VaList(mem, ap, 0);
  }

  private gpSlot(): number {
    if (this.gp < 48) {
      const p = this.regSave + this.gp;
      this.gp += 8;
      if (this.ap >= 0) this.mem.writeI32(this.ap, this.gp);
      return p;
    }
    return this.overflowSlot(8, 8);
  }
  private fpSlot(): number {
    if (this.fp < 176) {
      const p = this.regSave + this.fp;
      this.fp += 16;
      if (this.ap >= 0) this.mem.writeI32(this.ap + 4, this.fp);
      return p;
    }
    return this.overflowSlot(8, 8);
  }
  private overflowSlot(size: number, al: number): number {
    const p = Math.ceil(this.overflow / al) * al;
    this.overflow = p + Math.ceil(size / 8) * 8;
    if (this.ap >= 0) this.mem.writePtr(this.ap + 8, this.overflow);
    return p;
  }

  /** The next integer-class argument, low 32 bits as a signed int32. */
  int(): number {
    return this.mem.readI32(this.gpSlot());
  }
  /** The next integer-class argument as a signed 64-bit value. */
  long(): bigint {
    return this.mem.readI64(this.gpSlot());
  }
  /** The next integer-class argument as a signed 64-bit value: a number when exact, else a bigint. */
  long53(): number | bigint {
    const p = this.gpSlot();
    const v = this.mem.readPtr(p);
    return Number.isSafeInteger(v) ? v : this.mem.readI64(p);
  }
  /** The next pointer argument. */
  ptr(): number {
    return this.mem.readPtr(this.gpSlot());
  }
  /** The next SSE-class argument (double; float arguments are promoted to double by C). */
  double(): number {
    return this.mem.readF64(this.fpSlot());
  }
  /** The next x87-class argument (long double), its raw 80-bit pattern. */
  longDouble(): bigint {
    return this.mem.readF80(this.overflowSlot(16, 16));
  }
  /** The address of the next memory-class argument of `size` bytes (a struct passed by value on the stack). */
  memory(size: number, al = 8): number {
    return this.overflowSlot(size, Math.max(8, al));
  }
}

// ---------------------------------------------------------------------------------------------------
// Helpers for handlers

/** An i64 argument as a number (exact below 2^53), e.g. a size_t length. */
export function toNum(v: ExtValue): number {
  return typeof v === 'bigint' ? Number(v) : v;
}
/** An i64 argument as an unsigned bigint. */
export function toU64(v: ExtValue): bigint {
  return BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
}

export { ExitSignal, Trap };
