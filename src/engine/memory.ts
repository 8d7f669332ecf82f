/**
 * @fileoverview Stage: engine. Byte-exact linear memory with shadow bytes, a checking heap allocator and a
 * stack region.
 *
 * Consumes: sizes chosen by the linker (code slots, globals). Produces: `Memory`, the one address space a
 * run executes in. Addresses are JS numbers below 2^31 (Smi-friendly); pointer *values* may be any
 * integer-valued double (the signed 64-bit value), and anything outside the mapped regions traps.
 *
 * Layout (low to high):
 *   [0, 64 KiB)                    null page, never addressable (the first bytes serve as engine scratch)
 *   [64 KiB, 0x0c350000)           unmapped
 *   [codeBase, codeEnd)            function addresses from 0x0c350000, 16 bytes apart; not readable as data
 *   [globalsBase, globalsEnd)      globals, >= 16-byte redzones between them
 *   [stackBase, stackTop)          the stack, growing down from stackTop; allocas with redzones
 *   [heapBase, heapLimit)          malloc'd blocks with 16-byte redzones; freed blocks are quarantined
 *   [inputBase, size)              the input region of the generation runtime: slots of 256 KiB (INPUT_SLOT, gen/record.ts)
 *
 * Shadow memory: one byte per byte. Bit 0 = readable, bit 1 = writable (SH_RW = 3, SH_RO = 1, 0 = not
 * addressable or not materialised yet). The generated code checks shadow[p] and shadow[p+n-1] for an
 * n-byte access (n <= 16; redzones of >= 16 bytes make that sound) and calls `fault()` when either is
 * missing the needed bit. `fault()` classifies the access or, for the input region, gives the generation
 * runtime's hook the chance to materialise the bytes.
 *
 * One fixed-size ArrayBuffer backs the memory: V8 (Node 20) runs DataView accesses on resizable buffers
 * ~9x slower, while a large fixed buffer costs no physical memory until pages are touched.
 */
import { environmentError } from '../util/errors.js';
import { Trap, type OutcomeKind } from './outcome.js';
import { COST, bytesCost } from './cost.js';
import { HeapTable } from './heap-table.js';

export const SH_NONE = 0;
export const SH_RO = 1;
export const SH_RW = 3;

export const NULL_PAGE = 0x10000;
/** Engine scratch bytes inside the null page (bitcasts through memory); never addressable by the program. */
export const SCRATCH = 0x8000;
export const CODE_SLOT = 16;
/** Lowest function address. */
export const CODE_BASE = 0x0c350000;
const REDZONE = 16;
const PAGE = 0x10000;

export interface MemoryOptions {
  /** Virtual size of the address space (default 1 GiB; at most 1.5 GiB). */
  size?: number;
  /** Stack size in bytes (default 8 MiB). */
  stackSize?: number;
  /** Size of the input region at the top (default 64 MiB). */
  inputSize?: number;
  /** Heap budget in bytes; exceeding it is the `memory-limit` outcome (default: the whole heap region). */
  heapLimitBytes?: number;
}

/** A named data object, for fault messages. */
export interface MemObject {
  readonly name: string;
  readonly base: number;
  readonly size: number;
}

/** A heap block as diagnostics see it (`nearestBlock`). */
interface HeapBlock {
  readonly base: number;
  readonly size: number;
  readonly freed: boolean;
}

/** Chunks up to this size have their free list in an array indexed by chunk / 16 (others in a map). */
const SMALL_CHUNK = 4096;

/** Eight shadow bytes of SH_RW, read as a double. */
const RW8 = new Float64Array(new Uint8Array(8).fill(SH_RW).buffer)[0]!;

function align(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export function hex(p: number): string {
  return p < 0 ? `-0x${(-p).toString(16)}` : `0x${p.toString(16)}`;
}

/** A buffer of the engine's address space; a machine without the memory for it is a user error. */
function allocate(size: number): ArrayBuffer {
  try {
    return new ArrayBuffer(size);
  } catch (e) {
    throw environmentError(e) ?? e;
  }
}

/**
 * Buffers of disposed memories, by size, for the next Memory of this thread. Two fresh 1 GiB buffers per
 * module cost a full garbage collection each time (V8 collects on "external memory pressure"), which was
 * 30% of compiling sqlite3's modules. A disposed memory's buffers are all zero again.
 */
const SPARE = new Map<number, { buf: ArrayBuffer; sb: ArrayBuffer }[]>();

export class Memory {
  readonly size: number;
  readonly buf: ArrayBuffer;
  /** Raw (unchecked) views. Generated code uses them after its inline shadow check. */
  readonly u8: Uint8Array;
  readonly dv: DataView;
  readonly shadow: Uint8Array;
  private readonly shadow64: Float64Array;
  /** Two live heap blocks a large range check found last ([base, end); base -1: none). */
  private cache0Base = -1;
  private cache0End = -1;
  private cache1Base = -1;
  private cache1End = -1;

  /**
   * Function addresses start at 0x0c350000 (~205 MB), not right after the null page: small integers and
   * powers of two are common data, and must not look like function pointers when memory is compared
   * symbolically.
   */
  readonly codeBase = CODE_BASE;
  codeEnd = NULL_PAGE;
  globalsBase = NULL_PAGE;
  globalsEnd = NULL_PAGE;
  stackBase = 0;
  stackTop = 0;
  heapBase = 0;
  heapLimit = 0;
  inputBase = 0;
  /** The current stack pointer (lowest address in use). Generated code keeps its own copy in sync. */
  sp = 0;
  /** The lowest stack pointer of the current run (what a reset must clear). */
  spLow = 0;

  /** Named objects (globals) for fault messages. */
  readonly objects: MemObject[] = [];
  /** Names of functions by code slot, for messages. */
  codeNames: string[] = [];

  private readonly stackSize: number;
  private readonly inputSize: number;
  private heapBudget: number;
  private heapTop = 0;
  /**
   * Every chunk of the run, by its block's base. A chunk is made once and kept for the rest of the run:
   * freed, it waits in the quarantine (so that a use after free is caught), then in the free list of its
   * size (`freeList`: bases), and a later malloc of that size takes it again.
   */
  private readonly blocks = new HeapTable(0);
  private readonly freeLists = new Map<number, number[]>();
  private readonly smallFree: number[][] = Array.from({ length: (SMALL_CHUNK >> 4) + 1 }, () => []);
  /** Indices of `smallFree` lists that may be non-empty (a reset clears just those: it runs per run). */
  private readonly smallUsed: number[] = [];
  /** Bases of freed blocks, oldest first from `quarantineHead`. */
  private quarantine: number[] = [];
  private quarantineHead = 0;
  private quarantineBytes = 0;
  private static readonly QUARANTINE_MAX = 16 << 20;
  /** Bytes of heap currently allocated (live blocks), for reports. */
  liveBytes = 0;

  /**
   * Hook of the generation/replay runtime: called for an access that touches non-addressable bytes of the
   * input region or of the globals region (the runtime clears the shadow of the globals it treats as
   * inputs). Return true when it made the bytes addressable (the access then proceeds).
   */
  onInputFault: ((p: number, n: number, write: boolean) => boolean) | undefined = undefined;
  /** Hook of the generation/replay runtime: free() of an input object's base; true when it was freed. */
  onInputFree: ((p: number) => boolean) | undefined = undefined;
  /** Hook of the generation/replay runtime: the size an input object has as a heap block, if it can be one. */
  inputBlockSize: ((p: number) => number | undefined) | undefined = undefined;
  /**
   * Charge `units` steps to the current run (the engine's `charge`; a trap when the budget is exhausted).
   * Allocation charges the bytes it marks, zeroes or copies (cost.ts).
   */
  meter: (units: number) => void = () => undefined;

  /** Charge `n` bytes of allocator work at `perStep` bytes a step (nothing below one step's worth). */
  private chargeBytes(n: number, perStep: number): void {
    const units = bytesCost(n, perStep);
    if (units > 0) this.meter(units);
  }

  constructor(opts: MemoryOptions = {}) {
    this.size = Math.min(opts.size ?? 1 << 30, 3 << 29);
    this.stackSize = opts.stackSize ?? 8 << 20;
    this.inputSize = opts.inputSize ?? 64 << 20;
    this.heapBudget = opts.heapLimitBytes ?? Infinity;
    const spare = SPARE.get(this.size)?.pop();
    this.buf = spare?.buf ?? allocate(this.size);
    this.u8 = new Uint8Array(this.buf);
    this.dv = new DataView(this.buf);
    const sb = spare?.sb ?? allocate(this.size);
    this.shadow = new Uint8Array(sb);
    this.shadow64 = new Float64Array(sb);
  }

  /** Place the regions: `codeSlots` function addresses and `globalsSize` bytes of globals. */
  layout(codeSlots: number, globalsSize: number): void {
    this.codeEnd = align(this.codeBase + codeSlots * CODE_SLOT + 1, PAGE);
    this.globalsBase = this.codeEnd;
    this.globalsEnd = align(this.globalsBase + globalsSize + REDZONE, PAGE);
    this.stackBase = this.globalsEnd + PAGE;
    this.stackTop = this.stackBase + this.stackSize;
    this.heapBase = this.stackTop + PAGE;
    this.inputBase = align(this.size - this.inputSize, PAGE);
    this.heapLimit = this.inputBase - PAGE;
    if (this.heapLimit <= this.heapBase + PAGE) throw new Error('memory too small for the module');
    this.sp = this.stackTop;
    this.spLow = this.stackTop;
    this.heapTop = this.heapBase;
    this.blocks.clear(this.heapBase);
  }

  setHeapBudget(bytes: number | undefined): void {
    this.heapBudget = bytes ?? Infinity;
  }

  /** Forget heap and stack state (not globals): shadow of used heap and stack is cleared. */
  resetDynamic(): void {
    // Everything the run used of the stack lies above the lowest stack pointer it reached: clear it, so
    // uninitialised locals read the same (zero) bytes in every run, whatever ran before.
    const low = Math.min(this.spLow, this.sp);
    this.shadow.fill(SH_NONE, low, this.stackTop);
    this.shadow.fill(SH_NONE, this.heapBase, this.heapTop);
    this.u8.fill(0, this.heapBase, this.heapTop);
    this.u8.fill(0, low, this.stackTop);
    this.sp = this.stackTop;
    this.spLow = this.stackTop;
    this.heapTop = this.heapBase;
    this.blocks.clear(this.heapBase);
    this.cache0Base = this.cache1Base = -1;
    this.freeLists.clear();
    if (this.smallUsed.length > 0) {
      for (const k of this.smallUsed) this.smallFree[k]!.length = 0;
      this.smallUsed.length = 0;
    }
    this.quarantine = [];
    this.quarantineHead = 0;
    this.quarantineBytes = 0;
    this.liveBytes = 0;
  }

  /**
   * Zero what this memory used and hand its buffers to the next Memory of this thread. The caller must
   * have cleared what it wrote into the input region (the generation runtime's objects); everything else
   * (code, globals, stack, heap) is cleared here. The memory must not be used afterwards.
   */
  dispose(): void {
    this.resetDynamic();
    this.u8.fill(0, this.codeBase, this.globalsEnd);
    this.shadow.fill(SH_NONE, this.codeBase, this.globalsEnd);
    let l = SPARE.get(this.size);
    if (l === undefined) SPARE.set(this.size, (l = []));
    // One spare pair per size is all a worker ever needs (it holds one module at a time).
    if (l.length === 0) l.push({ buf: this.buf, sb: this.shadow.buffer as ArrayBuffer });
  }

  // ------------------------------------------------------------------------------------------------
  // Checking

  /** Throw the right trap unless [p, p+n) is readable (write=false) or writable (write=true). */
  check(p: number, n: number, write: boolean): void {
    if (n <= 0) return;
    const bit = write ? 2 : 1;
    const s = this.shadow;
    if (p >= 0 && p + n <= this.size && Number.isInteger(p)) {
      if (n <= 16) {
        if ((s[p] & s[p + n - 1] & bit) !== 0 && (n <= 2 || this.allSet(p, n, bit))) return;
      } else if (this.allSet(p, n, bit)) return;
    }
    this.fault(p, n, write);
  }

  private allSet(p: number, n: number, bit: number): boolean {
    const s = this.shadow;
    if (n <= 16) {
      for (let i = p; i < p + n; i++) if ((s[i]! & bit) === 0) return false;
      return true;
    }
    // Large ranges: inside a recently checked live heap block?
    if (this.cache0Base >= 0 && p >= this.cache0Base && p + n <= this.cache0End) return true;
    if (this.cache1Base >= 0 && p >= this.cache1Base && p + n <= this.cache1End) {
      const b = this.cache1Base;
      const e = this.cache1End;
      this.cache1Base = this.cache0Base;
      this.cache1End = this.cache0End;
      this.cache0Base = b;
      this.cache0End = e;
      return true;
    }
    const live = this.blocks.entry(p);
    if (live > 0 && n <= live - 1) {
      this.cache1Base = this.cache0Base;
      this.cache1End = this.cache0End;
      this.cache0Base = p;
      this.cache0End = p + live - 1;
      return true;
    }
    // Eight bytes at a time: all-read-write words compare equal as doubles; others byte by byte.
    const end = p + n;
    let i = p;
    while ((i & 7) !== 0) if ((s[i++]! & bit) === 0) return false;
    const w = this.shadow64;
    const wEnd = end >> 3;
    for (let k = i >> 3; k < wEnd; k++) {
      if (w[k] === RW8) continue;
      for (let j = k << 3; j < (k + 1) << 3; j++) if ((s[j]! & bit) === 0) return false;
    }
    for (i = Math.max(wEnd << 3, i); i < end; i++) if ((s[i]! & bit) === 0) return false;
    return true;
  }

  /**
   * Slow path of an access of n bytes at p that failed its shadow check. Returns normally only when the
   * input-region hook materialised the bytes; otherwise throws a classified `Trap`.
   */
  fault(p: number, n: number, write: boolean): void {
    if (
      this.onInputFault !== undefined &&
      ((p >= this.inputBase && p < this.size) || (p >= this.globalsBase && p < this.globalsEnd))
    ) {
      if (this.onInputFault(p, n, write)) {
        const bit = write ? 2 : 1;
        if (this.allSet(p, n, bit)) return;
      }
    }
    throw this.classify(p, n, write);
  }

  /** The trap for an invalid access (without throwing it). */
  classify(p: number, n: number, write: boolean): Trap {
    const what = `${write ? 'write' : 'read'} of ${n} byte${n === 1 ? '' : 's'} at ${hex(p)}`;
    const oob: OutcomeKind = write ? 'out-of-bounds-write' : 'out-of-bounds-read';
    if (!Number.isFinite(p) || !Number.isInteger(p))
      return new Trap('invalid-pointer', `${what}: not an address`);
    if (p > -PAGE && p < NULL_PAGE) return new Trap('null-deref', `${what} (null pointer)`);
    // The first bad byte decides the region (an access may start in bounds and run past the end).
    let q = p;
    const bit = write ? 2 : 1;
    while (q < p + n && q >= 0 && q < this.size && (this.shadow[q] & bit) !== 0) q++;
    if (q >= this.codeBase && q < this.codeEnd) {
      const slot = Math.floor((q - this.codeBase) / CODE_SLOT);
      const name = this.codeNames[slot];
      return new Trap(oob, `${what}: code address${name !== undefined ? ` of @${name}` : ''}`);
    }
    if (q >= this.globalsBase && q < this.globalsEnd) {
      const o = this.nearestObject(q);
      if (o !== undefined && q >= o.base && q < o.base + o.size && write)
        return new Trap(oob, `${what}: write to read-only @${o.name}`);
      return new Trap(
        oob,
        `${what}: ${o !== undefined ? relTo(q, o.base, o.size, '@' + o.name) : 'globals'}`,
      );
    }
    if (q >= this.stackBase && q < this.stackTop) {
      if (q < this.sp) return new Trap(oob, `${what}: below the stack pointer (a dead stack frame)`);
      return new Trap(oob, `${what}: stack redzone (outside any local variable)`);
    }
    if (q >= this.heapBase && q < this.heapLimit) {
      const b = this.nearestBlock(q);
      if (b !== undefined && b.freed && q >= b.base && q < b.base + Math.max(b.size, 1))
        return new Trap('use-after-free', `${what}: inside freed block ${hex(b.base)} of ${b.size} bytes`);
      if (b !== undefined) return new Trap(oob, `${what}: ${relTo(q, b.base, b.size, 'heap block')}`);
      return new Trap(oob, `${what}: heap`);
    }
    if (q >= this.inputBase && q < this.size) return new Trap(oob, `${what}: input region`);
    return new Trap(oob, `${what}: unmapped address`);
  }

  private nearestObject(q: number): MemObject | undefined {
    let best: MemObject | undefined;
    let bestD = Infinity;
    for (const o of this.objects) {
      const d = q < o.base ? o.base - q : q < o.base + o.size ? 0 : q - (o.base + o.size) + 1;
      if (d < bestD) {
        bestD = d;
        best = o;
      }
    }
    return best;
  }

  private nearestBlock(q: number): HeapBlock | undefined {
    let best: HeapBlock | undefined;
    let bestD = Infinity;
    this.blocks.forEach((base, size, freed) => {
      const end = base + Math.max(size, 1);
      const d = q < base ? base - q : q < end ? -1 : q - end + 1;
      // A freed block containing q wins over a live neighbour.
      const score = d < 0 ? (freed ? -2 : -1) : d;
      if (score < bestD) {
        bestD = score;
        best = { base, size, freed };
      }
    });
    return best;
  }

  // ------------------------------------------------------------------------------------------------
  // Checked accessors for libc models (little endian)

  readU8(p: number): number {
    this.check(p, 1, false);
    return this.u8[p]!;
  }
  readI8(p: number): number {
    this.check(p, 1, false);
    return this.dv.getInt8(p);
  }
  readU16(p: number): number {
    this.check(p, 2, false);
    return this.dv.getUint16(p, true);
  }
  readI16(p: number): number {
    this.check(p, 2, false);
    return this.dv.getInt16(p, true);
  }
  readI32(p: number): number {
    this.check(p, 4, false);
    return this.dv.getInt32(p, true);
  }
  readU32(p: number): number {
    this.check(p, 4, false);
    return this.dv.getUint32(p, true);
  }
  readI64(p: number): bigint {
    this.check(p, 8, false);
    return this.dv.getBigInt64(p, true);
  }
  readU64(p: number): bigint {
    this.check(p, 8, false);
    return this.dv.getBigUint64(p, true);
  }
  readF32(p: number): number {
    this.check(p, 4, false);
    return this.dv.getFloat32(p, true);
  }
  readF64(p: number): number {
    this.check(p, 8, false);
    return this.dv.getFloat64(p, true);
  }
  /** An x86_fp80 value: its raw 80-bit pattern. */
  readF80(p: number): bigint {
    this.check(p, 10, false);
    return (BigInt(this.dv.getUint16(p + 8, true)) << 64n) | this.dv.getBigUint64(p, true);
  }
  /** A pointer: the 64-bit value as a number (exact below 2^53). */
  readPtr(p: number): number {
    this.check(p, 8, false);
    return this.dv.getUint32(p, true) + this.dv.getInt32(p + 4, true) * 4294967296;
  }

  writeU8(p: number, v: number): void {
    this.check(p, 1, true);
    this.u8[p] = v;
  }
  writeI16(p: number, v: number): void {
    this.check(p, 2, true);
    this.dv.setInt16(p, v, true);
  }
  writeI32(p: number, v: number): void {
    this.check(p, 4, true);
    this.dv.setInt32(p, v, true);
  }
  writeI64(p: number, v: bigint): void {
    this.check(p, 8, true);
    this.dv.setBigInt64(p, BigInt.asIntN(64, v), true);
  }
  writeF32(p: number, v: number): void {
    this.check(p, 4, true);
    this.dv.setFloat32(p, v, true);
  }
  writeF64(p: number, v: number): void {
    this.check(p, 8, true);
    this.dv.setFloat64(p, v, true);
  }
  writeF80(p: number, bits: bigint): void {
    this.check(p, 10, true);
    this.dv.setBigUint64(p, BigInt.asUintN(64, bits), true);
    this.dv.setUint16(p + 8, Number((bits >> 64n) & 0xffffn), true);
  }
  writePtr(p: number, v: number): void {
    this.check(p, 8, true);
    this.dv.setInt32(p, v | 0, true);
    this.dv.setInt32(p + 4, Math.floor(v / 4294967296) | 0, true);
  }
  /** `writeInt` of an integer below 2^53 in magnitude (its two's complement low `size` <= 8 bytes). */
  writeIntNum(p: number, size: number, v: number): void {
    this.check(p, size, true);
    this.writeHalves(p, size, v >>> 0, Math.floor(v / 4294967296) | 0);
  }
  /** Store the low `size` (1, 2, 4, 8) bytes of v. */
  writeInt(p: number, size: number, v: bigint): void {
    this.check(p, size, true);
    if (size <= 8) {
      // Two 32-bit halves, then bytes by number arithmetic (a BigInt operation per byte was slow).
      const u = BigInt.asUintN(64, v);
      this.writeHalves(p, size, Number(u & 0xffffffffn), Number(u >> 32n));
      return;
    }
    for (let i = 0; i < size; i++) this.u8[p + i] = Number((v >> BigInt(8 * i)) & 0xffn);
  }
  /** The low `size` (<= 8) bytes of the 64-bit value hi:lo at p (checked by the caller). */
  private writeHalves(p: number, size: number, lo: number, hi: number): void {
    for (let i = 0; i < size; i++) this.u8[p + i] = (i < 4 ? lo >>> (8 * i) : hi >>> (8 * (i - 4))) & 0xff;
  }

  /** A copy of n bytes at p. */
  readBytes(p: number, n: number): Uint8Array {
    this.check(p, n, false);
    return this.u8.slice(p, p + n);
  }
  /** A live view of n readable bytes at p (do not keep it across calls that may free memory). */
  view(p: number, n: number): Uint8Array {
    this.check(p, n, false);
    return this.u8.subarray(p, p + n);
  }
  writeBytes(p: number, src: Uint8Array): void {
    this.check(p, src.length, true);
    this.u8.set(src, p);
  }
  /** memmove semantics (overlap allowed). */
  copy(dst: number, src: number, n: number): void {
    if (n <= 0) return;
    this.check(src, n, false);
    this.check(dst, n, true);
    this.u8.copyWithin(dst, src, src + n);
  }
  fill(p: number, byte: number, n: number): void {
    if (n <= 0) return;
    this.check(p, n, true);
    this.u8.fill(byte, p, p + n);
  }
  /** Length of the NUL-terminated string at p; traps when it runs off its object before the NUL. */
  strlen(p: number): number {
    const s = this.shadow;
    const u = this.u8;
    let q = p;
    if (!(q >= 0 && q < this.size && Number.isInteger(q))) this.fault(q, 1, false);
    for (;;) {
      if ((s[q]! & 1) === 0) this.fault(q, 1, false);
      if (u[q] === 0) return q - p;
      q++;
    }
  }
  /** The bytes of the NUL-terminated string at p (without the NUL), at most `max` bytes when max >= 0. */
  cstring(p: number, max = -1): Uint8Array {
    return this.u8.slice(p, this.cstringEnd(p, max));
  }
  /** `cstring` as a view of memory (no copy): for a caller that is done with it before memory changes. */
  cstringView(p: number, max = -1): Uint8Array {
    return this.u8.subarray(p, this.cstringEnd(p, max));
  }
  /** Where the string at p ends: its NUL, or p + max (a fault on an unreadable byte before). */
  private cstringEnd(p: number, max: number): number {
    const s = this.shadow;
    const u = this.u8;
    let q = p;
    if (!(q >= 0 && q < this.size && Number.isInteger(q))) this.fault(q, 1, false);
    while (max < 0 || q - p < max) {
      if ((s[q]! & 1) === 0) this.fault(q, 1, false);
      if (u[q] === 0) break;
      q++;
    }
    return q;
  }
  /** The string at p decoded as UTF-8 (for names, paths and messages). */
  string(p: number, max = -1): string {
    return Buffer.from(this.cstring(p, max)).toString('utf8');
  }

  // ------------------------------------------------------------------------------------------------
  // Regions set up by the linker

  /** Mark [p, p+n) with shadow value v (SH_RW, SH_RO or SH_NONE). */
  mark(p: number, n: number, v: number): void {
    this.shadow.fill(v, p, p + n);
  }

  // ------------------------------------------------------------------------------------------------
  // Heap

  /** malloc: a 16-aligned block with redzones, or 0 when the request can never be satisfied. */
  malloc(size: number): number {
    if (!(size >= 0) || size > this.heapLimit - this.heapBase) return 0;
    const chunk = REDZONE + align(Math.max(size, 1), 16);
    let base = this.freeList(chunk).pop();
    if (base !== undefined) this.blocks.setLive(base, size);
    else {
      if (
        this.heapTop + chunk + REDZONE > this.heapLimit ||
        this.heapTop + chunk - this.heapBase > this.heapBudget
      )
        throw new Trap('memory-limit', `heap exhausted allocating ${size} bytes`);
      base = this.heapTop + REDZONE;
      this.heapTop += chunk;
      this.blocks.add(base, size, chunk);
    }
    this.chargeBytes(size, COST.allocBytes);
    this.shadow.fill(SH_RW, base, base + size);
    this.liveBytes += size;
    return base;
  }

  calloc(n: number, size: number): number {
    const total = n * size;
    if (!Number.isSafeInteger(total)) return 0;
    const p = this.malloc(total);
    if (p !== 0) this.chargeBytes(total, COST.allocBytes);
    if (p !== 0) this.u8.fill(0, p, p + total);
    return p;
  }

  /**
   * Calls of free and realloc so far (of any pointer): memory a model checked stays addressable while
   * this is unchanged, so a model looping over it (qsort's moves between comparator calls) need not check
   * it again.
   */
  frees = 0;

  /** free: traps on double free and on pointers malloc did not return. free(NULL) is a no-op. */
  free(p: number): void {
    if (p === 0) return;
    this.frees++;
    if (p >= this.inputBase && p < this.size && this.onInputFree?.(p) === true) return;
    const e = this.blocks.entry(p);
    if (e === 0) throw new Trap('invalid-free', `free(${hex(p)}): not a pointer returned by malloc`);
    if (e < 0) throw new Trap('double-free', `free(${hex(p)}): block of ${-e - 1} bytes already freed`);
    const size = e - 1;
    this.blocks.setFreed(p);
    if (p === this.cache0Base) this.cache0Base = -1;
    if (p === this.cache1Base) this.cache1Base = -1;
    this.liveBytes -= size;
    this.shadow.fill(SH_NONE, p, p + size);
    this.quarantine.push(p);
    this.quarantineBytes += this.blocks.chunk(p);
    while (this.quarantineBytes > Memory.QUARANTINE_MAX && this.quarantineHead < this.quarantine.length) {
      const old = this.quarantine[this.quarantineHead++]!;
      const chunk = this.blocks.chunk(old);
      this.quarantineBytes -= chunk;
      this.freeList(chunk).push(old);
    }
    if (this.quarantineHead > 1024 && this.quarantineHead * 2 > this.quarantine.length) {
      this.quarantine = this.quarantine.slice(this.quarantineHead);
      this.quarantineHead = 0;
    }
  }

  /** Bases of the free chunks of `chunk` bytes (freed, out of the quarantine: still freed blocks). */
  private freeList(chunk: number): number[] {
    if (chunk <= SMALL_CHUNK) {
      const l = this.smallFree[chunk >> 4]!;
      if (l.length === 0) this.smallUsed.push(chunk >> 4);
      return l;
    }
    let list = this.freeLists.get(chunk);
    if (list === undefined) this.freeLists.set(chunk, (list = []));
    return list;
  }

  /** realloc: new block, copy, free the old one (so stale pointers to the old block are caught). */
  realloc(p: number, size: number): number {
    if (p === 0) return this.malloc(size);
    this.frees++;
    const inputSize = p >= this.inputBase && p < this.size ? this.inputBlockSize?.(p) : undefined;
    if (inputSize !== undefined) {
      // An input object the function reallocates: it reads the old contents (generating them), copies them
      // to a new heap block and frees the object.
      const q = this.malloc(size);
      if (q === 0) return 0;
      const n = Math.min(size, inputSize);
      this.check(p, n, false);
      this.chargeBytes(n, COST.bulkBytes);
      this.u8.copyWithin(q, p, p + n);
      this.free(p);
      return q;
    }
    const e = this.blocks.entry(p);
    if (e === 0) throw new Trap('invalid-free', `realloc(${hex(p)}): not a pointer returned by malloc`);
    if (e < 0) throw new Trap('use-after-free', `realloc(${hex(p)}): block already freed`);
    const q = this.malloc(size);
    if (q === 0) return 0;
    const n = Math.min(size, e - 1);
    this.chargeBytes(n, COST.bulkBytes);
    this.u8.copyWithin(q, p, p + n);
    this.free(p);
    return q;
  }

  /** Size of the live heap block starting at p, or -1. */
  blockSize(p: number): number {
    const e = this.blocks.entry(p);
    return e > 0 ? e - 1 : -1;
  }

  /** Live heap blocks (base, size), in address order. */
  liveBlocks(): { base: number; size: number }[] {
    const out: { base: number; size: number }[] = [];
    this.blocks.forEach((base, size, freed) => {
      if (!freed) out.push({ base, size });
    });
    return out;
  }

  // ------------------------------------------------------------------------------------------------
  // Stack (used by the engine; libc models may allocate temporaries too)

  /** Push n bytes (aligned to `al`) with a redzone below; returns the address. Traps on overflow. */
  stackAlloc(n: number, al = 16): number {
    const p = Math.floor((this.sp - REDZONE - n) / al) * al;
    if (p < this.stackBase + REDZONE)
      throw new Trap('stack-overflow', `stack region exhausted (${this.stackSize} bytes)`);
    this.shadow.fill(SH_RW, p, p + n);
    this.sp = p;
    if (p < this.spLow) this.spLow = p;
    return p;
  }
  /** Pop back to a stack pointer saved before `stackAlloc`, making the popped bytes non-addressable. */
  stackRestore(sp: number): void {
    if (sp > this.sp) this.shadow.fill(SH_NONE, this.sp, sp);
    this.sp = sp;
  }
}

function relTo(q: number, base: number, size: number, what: string): string {
  if (q < base) return `${base - q} bytes before ${what} at ${hex(base)} of ${size} bytes`;
  return `${q - (base + size)} bytes past the end of ${what} at ${hex(base)} of ${size} bytes`;
}
