/**
 * @fileoverview Stage: engine (libc models). Helpers shared by the libc models: argument conversion,
 * libc-owned static objects (errno cell, ctype tables, FILE objects, static result buffers) and errno.
 *
 * Consumes: the externals API (src/engine/externals.ts). Produces: `defineStatic` (a named object that
 * lives in the engine's globals region as an external global, with a heap fallback when the linker did
 * not place it), `errno` accessors and boxed-argument conversions.
 */
import { registerExternalGlobal, type ExtValue, type Runtime } from '../externals.js';
import { COST, bytesCost } from '../cost.js';

/** A pointer argument (number) or an i64 holding an address. */
export function ptr(v: ExtValue | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
}

/**
 * A path argument of a system call: null for a null pointer, which the kernel answers with EFAULT (glibc's
 * `fopen(NULL, "r")` returns NULL, `open(NULL, ...)` -1) where reading it would be a null dereference.
 */
export function pathArg(rt: Runtime, p: ExtValue | undefined): string | null {
  return ptr(p) === 0 ? null : rt.mem.string(ptr(p));
}

/** A size_t argument as a number (2^64-1 becomes ~1.8e19: larger than any object). */
export function size(v: ExtValue | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'bigint' ? Number(BigInt.asUintN(64, v)) : v < 0 ? v + 2 ** 64 : v;
}

/** An int argument (i32) as a signed number. */
export function int(v: ExtValue | undefined): number {
  if (v === undefined) return 0;
  return typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v | 0;
}

/** A long argument (i64) as a signed bigint. */
export function long(v: ExtValue | undefined): bigint {
  if (v === undefined) return 0n;
  return typeof v === 'bigint' ? BigInt.asIntN(64, v) : BigInt(Math.trunc(v));
}

/** A static object owned by the C library, by name. */
export interface StaticObject {
  readonly name: string;
  readonly size: number;
  /** Its address in this run (allocated on the heap on first use when the linker did not place it). */
  addr(rt: Runtime): number;
  /** Its address if it exists in this run, without allocating it: undefined when nothing can point to it. */
  peek(rt: Runtime): number | undefined;
}

/**
 * Define a libc-owned static object. It is registered as an external global named `name` (so the linker
 * places it among the globals and runs `init` at the start of every run); when the linker did not place
 * it (it places only globals the module references, unless it places all registered ones), the object is
 * allocated on the heap once per run instead. `init` writes raw bytes (the object may be read-only).
 */
export function defineStatic(
  name: string,
  size: number,
  init?: (rt: Runtime, addr: number) => void,
  readOnly = false,
): StaticObject {
  registerExternalGlobal(name, { size, align: 16, readOnly, init: init ?? (() => {}) });
  const key = `libc.static.${name}`;
  return {
    name,
    size,
    addr(rt: Runtime): number {
      return rt.state(key, () => {
        const a = rt.symbolAddress(name);
        if (a !== undefined && a !== 0) return a;
        const p = rt.mem.malloc(size);
        rt.mem.u8.fill(0, p, p + size);
        init?.(rt, p);
        return p;
      });
    },
    peek(rt: Runtime): number | undefined {
      const a = rt.symbolAddress(name);
      return a !== undefined && a !== 0 ? a : rt.peekState<number>(key);
    },
  };
}

// errno --------------------------------------------------------------------------------------------

export const EPERM = 1;
export const ENOENT = 2;
export const EINTR = 4;
export const EIO = 5;
export const EBADF = 9;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const EBUSY = 16;
export const EEXIST = 17;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ESPIPE = 29;
export const EDOM = 33;
export const ERANGE = 34;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
export const EOVERFLOW = 75;
export const EILSEQ = 84;

/** The errno cell (`__errno_location()`). */
export const ERRNO_CELL = defineStatic('__libc_errno', 4);

export function setErrno(rt: Runtime, v: number): void {
  rt.mem.writeI32(ERRNO_CELL.addr(rt), v);
}
/** -1 with errno set: how most calls fail. */
export function failWith(rt: Runtime, errno: number): -1 {
  setErrno(rt, errno);
  return -1;
}
export function getErrno(rt: Runtime): number {
  return rt.mem.readI32(ERRNO_CELL.addr(rt));
}

/** Copy bytes plus a NUL into a libc-owned buffer, truncating to its size. */
export function writeCString(rt: Runtime, addr: number, bytes: Uint8Array, cap: number): void {
  const n = Math.min(bytes.length, cap - 1);
  rt.mem.writeBytes(addr, bytes.subarray(0, n));
  rt.mem.writeU8(addr + n, 0);
}

/** ASCII/Latin-1 bytes of a JS string. */
export function bytesOf(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
  return b;
}

// Cost model (src/engine/cost.ts): the models charge the bytes they scan, copy and format.

/** Charge `n` bytes of work at `perStep` bytes a step (nothing below one step's worth). */
export function charge(rt: Runtime, n: number, perStep: number): void {
  const units = bytesCost(n, perStep);
  if (units > 0) rt.charge(units);
}

/** Charge `n` bytes scanned byte by byte (strlen, strcmp, strchr...). */
export function chargeScan(rt: Runtime, n: number): void {
  charge(rt, n, COST.scanBytes);
}

/** memmove semantics, charged as bulk bytes. */
export function copy(rt: Runtime, dst: number, src: number, n: number): void {
  rt.mem.copy(dst, src, n);
  charge(rt, n, COST.bulkBytes);
}

/** memset semantics, charged as bulk bytes. */
export function fill(rt: Runtime, p: number, byte: number, n: number): void {
  rt.mem.fill(p, byte, n);
  charge(rt, n, COST.bulkBytes);
}
