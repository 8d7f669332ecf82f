/**
 * @fileoverview Stage: replay (native). Turns an input record into the driver's binary image, and the
 * driver's binary result back into symbolic facts.
 *
 * Consumes: an `InputRecord`, the `NativePlan` of its module (table indices, argument slots, data layout).
 * Produces: `encodeImage` (the bytes of the image file the driver reads, plus the list of objects it
 * dumps) and `decodeResult` (how the run ended, the real address of every object, global and function,
 * and the bytes of dumped objects and globals), and `Resolver`, which names a native address
 * symbolically (object + offset, global + offset, function, null, other) so it can be compared with the
 * record's relocations. Layouts of both files are in docs/native-replay.md.
 */
import type { Type } from '../ir/types.js';
import type { InputRecord, PtrTarget, ValueRec } from '../gen/record.js';
import {
  SMALL_SLOTS,
  STD_STREAMS,
  VA_EXTRA,
  slotBaseOffset,
  slotHalf,
  unb64,
  type StdStream,
} from '../gen/record.js';
import type { EntryInfo, NativePlan } from './native-build.js';
import { declaredSize, stubReturnType } from './native-build.js';
import { DRIVER_FORMAT } from './native-driver.js';

/** A value or image that cannot be encoded for this module (the record does not fit the IR). */
export class ImageError extends Error {}

interface NObj {
  lo: number;
  size: number;
  baseMod: number;
  heap: boolean;
  /** Input slot (record objects fitting one): placed as in the engine's input region. */
  slot?: number;
  /** Big slot of a record object that has one. */
  big?: number;
  data: Uint8Array;
}
interface NReloc {
  /** 0 object, 1 global */
  hk: number;
  h: number;
  at: number;
  /** 0 null, 1 object, 2 global, 3 function, 4 raw address, 5 standard stream (t = fd) */
  tk: number;
  t: number;
  off: bigint;
}

export interface Image {
  readonly bytes: Uint8Array;
  /** Object index (in the image) of each record object id. */
  readonly objIndex: ReadonlyMap<number, number>;
  /** Per object of the image: [lo, size] (records' objects first, then argument/return/call buffers). */
  readonly layout: readonly (readonly [number, number])[];
  readonly retObj: number;
  /** Record ids of objects flagged `heap`. */
  readonly heapIds: readonly number[];
  /** Object indices dumped after the run, in order. */
  readonly dumpObjs: readonly number[];
  /** Global table indices dumped after the run, with their sizes, in order. */
  readonly dumpGlobals: readonly (readonly [number, number])[];
}

class Writer {
  private buf = new Uint8Array(1024);
  private len = 0;
  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  word(v: number | bigint): void {
    this.ensure(8);
    new DataView(this.buf.buffer).setBigUint64(this.len, BigInt.asUintN(64, BigInt(v)), true);
    this.len += 8;
  }
  bytes(b: Uint8Array): void {
    const padded = Math.ceil(b.length / 8) * 8;
    this.ensure(padded);
    this.buf.set(b, this.len);
    this.buf.fill(0, this.len + b.length, this.len + padded);
    this.len += padded;
  }
  ascii(s: string): void {
    this.bytes(Buffer.from(s, 'latin1'));
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Number of bytes of a floating-point kind in memory (store size). */
const FLOAT_BYTES: Readonly<Record<string, number>> = {
  half: 2,
  bfloat: 2,
  float: 4,
  double: 8,
  x86_fp80: 10,
  fp128: 16,
};

function writeUint(buf: Uint8Array, off: number, n: number, v: bigint): void {
  for (let i = 0; i < n; i++) {
    buf[off + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}
function readUint(buf: Uint8Array, off: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[off + i] ?? 0);
  return v;
}

/** Alloc size of a type; 0 for void. */
function sizeOf(plan: NativePlan, t: Type): number {
  return t.kind === 'void' ? 0 : plan.dl.allocSize(t);
}

/** Turns record targets into table indices of the image. */
class Targets {
  constructor(
    private readonly plan: NativePlan,
    private readonly objIndex: ReadonlyMap<number, number>,
  ) {}
  reloc(hk: number, h: number, at: number, to: PtrTarget | null): NReloc {
    if (to === null) return { hk, h, at, tk: 0, t: 0, off: 0n };
    if ('obj' in to) {
      const t = this.objIndex.get(to.obj);
      if (t === undefined)
        throw new ImageError(`pointer to object ${to.obj}, which the record does not have`);
      return { hk, h, at, tk: 1, t, off: BigInt(to.off) };
    }
    if ('global' in to) {
      const t = this.plan.globalIndex.get(to.global);
      if (t === undefined)
        throw new ImageError(`pointer to global @${to.global}, which the module does not have`);
      return { hk, h, at, tk: 2, t, off: BigInt(to.off) };
    }
    if ('fn' in to) {
      const t = this.plan.funcIndex.get(to.fn);
      if (t === undefined)
        throw new ImageError(`pointer to function @${to.fn}, which the module does not have`);
      return { hk, h, at, tk: 3, t, off: 0n };
    }
    if ('stream' in to) return { hk, h, at, tk: 5, t: STD_STREAMS.indexOf(to.stream), off: 0n };
    throw new ImageError(`an input pointer cannot point to "${to.other}" memory`);
  }
}

/**
 * Write value `v` of IR type `t` at `buf[off..]` (memory layout of the module's data layout). Pointers
 * become relocations of holder object `h`.
 */
function encodeValue(
  plan: NativePlan,
  targets: Targets,
  t: Type,
  v: ValueRec,
  buf: Uint8Array,
  off: number,
  h: number,
  relocs: NReloc[],
  what: string,
): void {
  const bad = (): never => {
    throw new ImageError(`${what}: a "${v.t}" value does not fit IR type ${t.kind}`);
  };
  switch (t.kind) {
    case 'int': {
      if (v.t !== 'int') return bad();
      writeUint(buf, off, Math.ceil(t.bits / 8), BigInt.asUintN(t.bits, BigInt(v.v)));
      return;
    }
    case 'float': {
      if (v.t !== 'float') return bad();
      writeUint(buf, off, FLOAT_BYTES[t.fk] ?? 8, BigInt('0x' + v.hex));
      return;
    }
    case 'ptr': {
      if (v.t === 'null') return;
      if (v.t === 'rawptr') {
        writeUint(buf, off, 8, BigInt.asUintN(64, BigInt(v.addr)));
        return;
      }
      if (v.t !== 'ptr') return bad();
      relocs.push(targets.reloc(0, h, off, v));
      return;
    }
    case 'struct': {
      if (v.t !== 'agg' || v.elems.length !== t.fields.length) return bad();
      const sl = plan.dl.structLayout(t);
      t.fields.forEach((ft, i) =>
        encodeValue(
          plan,
          targets,
          ft,
          v.elems[i] as ValueRec,
          buf,
          off + (sl.offsets[i] ?? 0),
          h,
          relocs,
          what,
        ),
      );
      return;
    }
    case 'array':
    case 'vector': {
      if (v.t !== 'agg' || v.elems.length !== t.len) return bad();
      if (t.kind === 'vector' && t.elem.kind === 'int' && t.elem.bits % 8 !== 0) {
        throw new ImageError(`${what}: vectors of i${t.elem.bits} are not supported natively`);
      }
      const stride = t.kind === 'array' ? plan.dl.allocSize(t.elem) : plan.dl.typeSize(t.elem);
      for (let i = 0; i < t.len; i++) {
        encodeValue(plan, targets, t.elem, v.elems[i] as ValueRec, buf, off + i * stride, h, relocs, what);
      }
      return;
    }
    case 'void':
      return;
    default:
      throw new ImageError(`${what}: values of IR type ${t.kind} are not supported natively`);
  }
}

/** The image the driver reads for `r` (whose function has entry `entry`). Throws `ImageError`. */
/** True when an object fits its slot of the input region (the engine's objects always do). */
function fitsSlot(o: NObj): boolean {
  const half = slotHalf(o.big);
  return (o.big !== undefined || o.slot! < SMALL_SLOTS) && o.lo >= -half && o.baseMod + o.lo + o.size <= half;
}

/** The image under construction: its objects (record objects first), relocations and target resolver. */
interface Parts {
  readonly plan: NativePlan;
  readonly objs: NObj[];
  /** Object index (in the image) of each record object id. */
  readonly objIndex: Map<number, number>;
  readonly relocs: NReloc[];
  readonly targets: Targets;
}

/** A global's input bytes at an offset. */
interface GlobalWrite {
  readonly g: number;
  readonly off: number;
  readonly data: Uint8Array;
}

export function encodeImage(plan: NativePlan, entry: EntryInfo, r: InputRecord): Image {
  const parts = recordObjects(plan, r);
  const argsObj = addArguments(parts, entry, r);
  const f = entry.func;
  const retSize = Math.max(16, Math.ceil(sizeOf(plan, f.funcType.ret) / 8) * 8);
  const retObj = parts.objs.length;
  parts.objs.push({ lo: 0, size: retSize, baseMod: 0, heap: false, data: new Uint8Array(retSize) });
  const calls = addCalls(parts, r);
  const gw = inputGlobals(parts, r);

  // What to dump: the objects and globals the record has output memory for, and the return buffer.
  const dumpObjs: number[] = [retObj];
  for (const o of r.outcome.memory.objects) {
    const i = parts.objIndex.get(o.id);
    if (i === undefined)
      throw new ImageError(`output memory of object ${o.id}, which the record does not have`);
    dumpObjs.push(i);
  }
  const dumpGlobals: [number, number][] = [];
  for (const g of r.outcome.memory.globals) {
    const gi = plan.globalIndex.get(g.name);
    const gv = gi === undefined ? undefined : plan.globals[gi];
    if (gi === undefined || gv === undefined)
      throw new ImageError(`output global @${g.name} is not in the module`);
    dumpGlobals.push([gi, declaredSize(plan.dl, gv)]);
  }

  const w = new Writer();
  w.ascii(DRIVER_FORMAT);
  w.word(entry.index);
  writeMemory(w, parts, gw);
  w.word(calls.slots.length);
  for (const [id, off] of calls.slots) {
    w.word(id);
    w.word(calls.obj);
    w.word(off);
  }
  w.word(argsObj);
  w.word(retObj);
  w.word(dumpObjs.length);
  for (const i of dumpObjs) w.word(i);
  w.word(dumpGlobals.length);
  for (const [gi, size] of dumpGlobals) {
    w.word(gi);
    w.word(size);
  }
  return {
    bytes: w.result(),
    objIndex: parts.objIndex,
    heapIds: r.objects.filter((o) => o.heap === true).map((o) => o.id),
    layout: parts.objs.map((o) => [o.lo, o.size] as const),
    retObj,
    dumpObjs,
    dumpGlobals,
  };
}

/** The record's objects, with their relocations. */
function recordObjects(plan: NativePlan, r: InputRecord): Parts {
  const objs: NObj[] = [];
  const objIndex = new Map<number, number>();
  for (const o of r.objects) {
    if (objIndex.has(o.id)) throw new ImageError(`object ${o.id} appears twice`);
    const data = unb64(o.data);
    if (data.length !== o.size)
      throw new ImageError(`object ${o.id}: ${data.length} data bytes, size ${o.size}`);
    objIndex.set(o.id, objs.length);
    objs.push({
      lo: o.lo,
      size: o.size,
      baseMod: o.baseMod,
      heap: o.heap === true,
      slot: o.id,
      ...(o.big !== undefined ? { big: o.big } : {}),
      data,
    });
  }
  const targets = new Targets(plan, objIndex);
  const relocs: NReloc[] = [];
  for (const o of r.objects) {
    const h = objIndex.get(o.id) as number;
    for (const rl of o.relocs) {
      if (rl.at < o.lo || rl.at + 8 > o.lo + o.size)
        throw new ImageError(`object ${o.id}: relocation outside`);
      relocs.push(targets.reloc(0, h, rl.at, rl.to));
    }
  }
  return { plan, objs, objIndex, relocs, targets };
}

/** The argument buffer (each argument in its slot, variadic extras as i64); returns its object index. */
function addArguments(parts: Parts, entry: EntryInfo, r: InputRecord): number {
  const { plan, targets, relocs } = parts;
  const f = entry.func;
  const nargs = f.params.length + (f.funcType.varargs ? VA_EXTRA : 0);
  if (r.args.length !== nargs && !(f.funcType.varargs && r.args.length === f.params.length)) {
    throw new ImageError(
      `${r.args.length} arguments for @${f.name}, which has ${f.params.length} parameters`,
    );
  }
  const args = new Uint8Array(entry.argsSize);
  const argsObj = parts.objs.length;
  f.params.forEach((p, i) =>
    encodeValue(
      plan,
      targets,
      p.type,
      r.args[i] as ValueRec,
      args,
      entry.slots[i] as number,
      argsObj,
      relocs,
      `argument ${i}`,
    ),
  );
  if (f.funcType.varargs) {
    const i64 = plan.module.types.int(64);
    for (let k = 0; k < VA_EXTRA; k++) {
      const i = f.params.length + k;
      const v = r.args[i] ?? { t: 'int', bits: 64, v: '0' };
      encodeValue(
        plan,
        targets,
        i64,
        v,
        args,
        entry.slots[i] as number,
        argsObj,
        relocs,
        `variadic argument ${k}`,
      );
    }
  }
  parts.objs.push({ lo: 0, size: args.length, baseMod: 0, heap: false, data: args });
  return argsObj;
}

/** Values of external calls, one buffer: [stub id, offset] per call, and the buffer's object index. */
function addCalls(parts: Parts, r: InputRecord): { slots: [number, number][]; obj: number } {
  const { plan, targets, relocs } = parts;
  const callSlots: [number, number][] = [];
  let callSize = 0;
  const callTypes = r.calls.map((c, i) => {
    const id = plan.stubs.get(c.fn);
    const t = stubReturnType(plan, c.fn);
    if (id === undefined || t === undefined)
      throw new ImageError(`call ${i}: @${c.fn} is not an external function`);
    callSlots.push([id, callSize]);
    callSize += Math.ceil(Math.max(sizeOf(plan, t), 1) / 16) * 16;
    return t;
  });
  const callBuf = new Uint8Array(Math.max(callSize, 16));
  const callObj = parts.objs.length;
  r.calls.forEach((c, i) =>
    encodeValue(
      plan,
      targets,
      callTypes[i] as Type,
      c.ret,
      callBuf,
      (callSlots[i] as [number, number])[1],
      callObj,
      relocs,
      `call ${i} (@${c.fn})`,
    ),
  );
  parts.objs.push({ lo: 0, size: callBuf.length, baseMod: 0, heap: false, data: callBuf });
  return { slots: callSlots, obj: callObj };
}

/** Input globals: their byte ranges, and their relocations added to `parts`. */
function inputGlobals(parts: Parts, r: InputRecord): GlobalWrite[] {
  const { plan, targets, relocs } = parts;
  const gw: GlobalWrite[] = [];
  for (const g of r.globals) {
    const gi = plan.globalIndex.get(g.name);
    if (gi === undefined) throw new ImageError(`input global @${g.name} is not a global of the module`);
    const gv = plan.globals[gi];
    // A declared constant (defined in another file) is an input too: natively a writable stand-in.
    if (gv !== undefined && gv.isConstant && gv.init !== undefined)
      throw new ImageError(`input global @${g.name} is constant`);
    const size = gv !== undefined ? declaredSize(plan.dl, gv) : 0;
    for (const rg of g.ranges) {
      const data = unb64(rg.data);
      if (rg.off < 0 || rg.off + data.length > size)
        throw new ImageError(`input global @${g.name}: range outside`);
      gw.push({ g: gi, off: rg.off, data });
    }
    for (const rl of g.relocs) {
      if (rl.at < 0 || rl.at + 8 > size) throw new ImageError(`input global @${g.name}: relocation outside`);
      relocs.push(targets.reloc(1, gi, rl.at, rl.to));
    }
  }
  return gw;
}

/** Objects (with their data), global writes and relocations, each section counted. */
function writeMemory(w: Writer, parts: Parts, gw: readonly GlobalWrite[]): void {
  w.word(parts.objs.length);
  for (const o of parts.objs) {
    w.word(o.lo);
    w.word(o.size);
    w.word(o.baseMod);
    // Flags: 1 heap; 2 in the input region, its base at region offset flags >> 8.
    const inRegion = o.slot !== undefined && fitsSlot(o);
    w.word((o.heap ? 1 : 0) + (inRegion ? 2 + slotBaseOffset(o.slot!, o.big) * 256 : 0));
    w.bytes(o.data);
  }
  w.word(gw.length);
  for (const g of gw) {
    w.word(g.g);
    w.word(g.off);
    w.word(g.data.length);
    w.bytes(g.data);
  }
  w.word(parts.relocs.length);
  for (const rl of parts.relocs) {
    w.word(rl.hk);
    w.word(rl.h);
    w.word(rl.at);
    w.word(rl.tk);
    w.word(rl.t);
    w.word(rl.off);
  }
}

// ---------------------------------------------------------------------------------------------------
// The result

export interface NativeResult {
  /** HOW_* of native-driver.ts. */
  readonly how: number;
  readonly info: bigint;
  readonly info2: bigint;
  readonly info3: bigint;
  readonly objBases: readonly bigint[];
  readonly globalAddrs: readonly bigint[];
  readonly funcAddrs: readonly bigint[];
  /** Addresses of the FILE objects of stdin, stdout, stderr. */
  readonly streamAddrs: readonly bigint[];
  /** Dumped bytes, in the order of `Image.dumpObjs` / `Image.dumpGlobals`. */
  readonly objData: readonly Uint8Array[];
  readonly globalData: readonly Uint8Array[];
}

/** Parse a result file; undefined when it is missing a part (the run died before writing it). */
export function decodeResult(buf: Uint8Array, image: Image): NativeResult | undefined {
  let p = 0;
  const word = (): bigint => {
    if (p + 8 > buf.length) throw new RangeError('truncated');
    const v = readUint(buf, p, 8);
    p += 8;
    return v;
  };
  const take = (n: number): Uint8Array => {
    if (p + n > buf.length) throw new RangeError('truncated');
    const b = buf.slice(p, p + n);
    p += Math.ceil(n / 8) * 8;
    return b;
  };
  try {
    if (Buffer.from(take(8)).toString('latin1') !== DRIVER_FORMAT) return undefined;
    const how = Number(word());
    const info = word();
    const info2 = word();
    const info3 = word();
    const list = (): bigint[] => Array.from({ length: Number(word()) }, () => word());
    const objBases = list();
    const globalAddrs = list();
    const funcAddrs = list();
    const streamAddrs = list();
    const objData = image.dumpObjs.map((i) => take((image.layout[i] as readonly [number, number])[1]));
    const globalData = image.dumpGlobals.map(([, size]) => take(size));
    return { how, info, info2, info3, objBases, globalAddrs, funcAddrs, streamAddrs, objData, globalData };
  } catch {
    return undefined;
  }
}

/** A native address named symbolically. */
export type Resolved = { null: true } | PtrTarget;

/** Names native addresses after a run: object + offset, global + offset, function, null, or other. */
export class Resolver {
  private readonly ranges: { start: bigint; end: bigint; name: (a: bigint) => Resolved }[] = [];
  private readonly fns = new Map<bigint, string>();
  private readonly streams = new Map<bigint, StdStream>();
  private readonly objBase = new Map<number, bigint>();
  private readonly globalAddr = new Map<string, bigint>();
  private readonly fnAddr = new Map<string, bigint>();
  /** Record ids of heap objects: the function may have freed them, so their addresses can be reused. */
  private readonly heapIds: ReadonlySet<number>;
  /** Functions the module only declares: the engine records pointers to them as "library function". */
  private readonly declaredFns: ReadonlySet<string>;

  constructor(plan: NativePlan, image: Image, res: NativeResult) {
    this.heapIds = new Set(image.heapIds);
    this.declaredFns = new Set(plan.funcs.filter((f) => f.blocks.length === 0).map((f) => f.name));
    for (const [id, i] of image.objIndex) {
      const base = res.objBases[i];
      const [lo, size] = image.layout[i] as readonly [number, number];
      if (base === undefined) continue;
      this.objBase.set(id, base);
      this.ranges.push({
        start: base + BigInt(lo),
        end: base + BigInt(lo + size),
        name: (a) => ({ obj: id, off: Number(a - base) }),
      });
    }
    plan.globals.forEach((g, i) => {
      const addr = res.globalAddrs[i];
      if (addr === undefined || addr === 0n) return;
      this.globalAddr.set(g.name, addr);
      const size = BigInt(declaredSize(plan.dl, g));
      this.ranges.push({
        start: addr,
        end: addr + size,
        name: (a) => ({ global: g.name, off: Number(a - addr) }),
      });
    });
    res.streamAddrs.forEach((a, fd) => this.streams.set(a, STD_STREAMS[fd]!));
    plan.funcs.forEach((f, i) => {
      const addr = res.funcAddrs[i];
      if (addr === undefined || addr === 0n) return;
      this.fns.set(addr, f.name);
      this.fnAddr.set(f.name, addr);
    });
  }

  /** The place a native address names (for messages, and to tell "other" addresses apart). */
  resolve(a: bigint): Resolved {
    if (a === 0n) return { null: true };
    const fn = this.fns.get(a);
    if (fn !== undefined) return { fn };
    const stream = this.streams.get(a);
    if (stream !== undefined) return { stream };
    for (const r of this.ranges) if (a >= r.start && a < r.end) return r.name(a);
    // One past the end of an object or global.
    for (const r of this.ranges) if (a === r.end) return r.name(a);
    return { other: 'native', off: 0 };
  }

  /** The native address of a record target, or undefined for "other" (and unknown names). */
  addressOf(t: PtrTarget): bigint | undefined {
    if ('obj' in t) {
      const b = this.objBase.get(t.obj);
      return b === undefined ? undefined : BigInt.asUintN(64, b + BigInt(t.off));
    }
    if ('global' in t) {
      const a = this.globalAddr.get(t.global);
      return a === undefined ? undefined : BigInt.asUintN(64, a + BigInt(t.off));
    }
    if ('fn' in t) return this.fnAddr.get(t.fn);
    if ('stream' in t) for (const [a, s] of this.streams) if (s === t.stream) return a;
    return undefined;
  }

  /**
   * True when native address `a` is the record's `want`: the same address for objects, globals and
   * functions (so one-past-the-end and out-of-range offsets compare right); for "other", any address that
   * is not null nor inside an object, global or function (a "library function": one the module only declares), or one inside a heap object (the function may
   * have freed it and malloc reused it: realloc in place).
   */
  same(a: bigint, want: PtrTarget | null): boolean {
    if (want === null) return a === 0n;
    if ('other' in want) {
      const got = this.resolve(a);
      if ('fn' in got) return want.other === 'library function' && this.declaredFns.has(got.fn);
      return 'other' in got || ('obj' in got && this.heapIds.has(got.obj));
    }
    const w = this.addressOf(want);
    return w !== undefined && w === a;
  }
}

/** `obj 2+16`, `@g+0`, `@f`, `null`, `other`. */
export function describeTarget(t: Resolved | null): string {
  if (t === null || 'null' in t) return 'null';
  if ('obj' in t) return `object ${t.obj}${t.off >= 0 ? '+' : ''}${t.off}`;
  if ('global' in t) return `@${t.global}${t.off >= 0 ? '+' : ''}${t.off}`;
  if ('fn' in t) return `@${t.fn}`;
  if ('stream' in t) return t.stream;
  return `other (${t.other})`;
}

export { readUint, FLOAT_BYTES };
