/**
 * @fileoverview Stage: engine (exception unwinding). C++ exceptions as the Itanium C++ ABI and libstdc++
 * define them, on top of JS exceptions.
 *
 * Consumes: the landing pads of the module (clauses evaluated to typeinfo addresses at link time), the
 * typeinfo objects in engine memory, and calls from generated code (`invoke`, `landingpad`, `resume`,
 * `llvm.eh.typeid.for`) and from the `__cxa_*` models of libc/cxxabi.ts. Produces: `Eh`, the per-engine
 * unwinding state, and `CxxThrow`, the JS exception a C++ exception travels as.
 *
 * Two phases, as the real unwinder: every `invoke` pushes its landing pad on `Eh.s` for the time of the
 * call, so `__cxa_throw` first searches that stack (phase 1) for a frame that would catch; when none
 * would, it calls std::terminate without unwinding (no destructors run, as natively). Otherwise it throws
 * a `CxxThrow`, which every frame between passes through (frames without invoke have nothing to do: the
 * catching frame restores the stack pointer and call depth, as setjmp/longjmp does), and the invokes it
 * reaches decide by the landing pad's clauses whether to enter it (phase 2: a matching catch, a failed
 * filter, or a cleanup) or to let it pass.
 */
import type { Memory } from './memory.js';
import { Trap } from './outcome.js';

/** The JS exception a thrown C++ exception travels as; `ue` is the landingpad's exception pointer. */
export class CxxThrow {
  constructor(readonly ue: number) {}
}

/** A landingpad's clauses, typeinfo addresses evaluated at link time (0 is `catch ptr null`). */
export interface LandingPad {
  readonly cleanup: boolean;
  readonly clauses: readonly { readonly filter: boolean; readonly types: readonly number[] }[];
}

/** One live exception (libstdc++'s `__cxa_refcounted_exception`, kept on the JS side). */
export interface CxxException {
  /** The heap block holding header and object. */
  readonly block: number;
  /** The thrown object (what `__cxa_allocate_exception` returned). */
  readonly obj: number;
  /** The exception pointer landing pads see (`&header->unwindHeader`, 32 bytes before the object). */
  readonly ue: number;
  tinfo: number;
  dtor: number;
  /** handlerCount: number of active catch handlers; negative after a rethrow. */
  handlers: number;
  /** The object pointer the matching catch clause sees (adjusted to a base class, or a pointer's value). */
  adjusted: number;
  /** The next older caught exception (libstdc++'s caughtExceptions list). */
  next: CxxException | undefined;
}

/** Bytes of the exception header before the object (sizeof(__cxa_refcounted_exception) on x86-64). */
export const EXCEPTION_HEADER = 128;

/**
 * vptr of the typeinfo objects the models provide when the module does not declare the libstdc++ vtable
 * of their kind (addresses in the null page, never a real vtable + 16).
 */
export const POINTER_TYPEINFO_VPTR = 8;
export const FUNDAMENTAL_TYPEINFO_VPTR = 16;
export const CLASS_TYPEINFO_VPTR = 24;

/** Mangled names of the libstdc++ typeinfo vtables the matcher distinguishes. */
export const TYPEINFO_VTABLES = {
  cls: '_ZTVN10__cxxabiv117__class_type_infoE',
  si: '_ZTVN10__cxxabiv120__si_class_type_infoE',
  vmi: '_ZTVN10__cxxabiv121__vmi_class_type_infoE',
  ptr: '_ZTVN10__cxxabiv119__pointer_type_infoE',
} as const;

type TypeKind = 'cls' | 'si' | 'vmi' | 'ptr' | 'other';

interface Selection {
  readonly sel: number;
  /** A catch clause matched or a filter failed (phase 1 stops here); false for a cleanup. */
  readonly handler: boolean;
  readonly adjusted: number;
}

const ehByMemory = new WeakMap<Memory, Eh>();

/** The unwinding state of the engine that owns `mem` (for the `__cxa_*` models). */
export function ehOf(mem: Memory): Eh {
  const eh = ehByMemory.get(mem);
  if (eh === undefined) throw new Trap('internal-error', 'no exception state for this memory');
  return eh;
}

export class Eh {
  /** Landing pads of the invokes running now, innermost last (`s[0..n)`); generated code pushes/pops. */
  readonly s: number[] = [];
  n = 0;
  /** The landingpad values of the pad being entered. */
  xp = 0;
  xsel = 0;
  readonly pads: LandingPad[] = [];
  /** Vtable address + 16 per typeinfo kind (-1 when the module does not declare the vtable). */
  readonly vptrs: Record<Exclude<TypeKind, 'other'>, number> = { cls: -1, si: -1, vmi: -1, ptr: -1 };
  private readonly typeIds = new Map<number, number>();
  private readonly byUe = new Map<number, CxxException>();
  private readonly byObj = new Map<number, CxxException>();
  /** Top of the caught-exceptions stack. */
  caught: CxxException | undefined = undefined;
  /** std::uncaught_exceptions(). */
  uncaught = 0;

  constructor(readonly mem: Memory) {
    ehByMemory.set(mem, this);
  }

  /** Drop the per-run state (live exceptions live in the heap, which the run's reset drops too). */
  reset(): void {
    this.n = 0;
    this.byUe.clear();
    this.byObj.clear();
    this.caught = undefined;
    this.uncaught = 0;
  }

  addPad(p: LandingPad): number {
    this.pads.push(p);
    return this.pads.length - 1;
  }

  /** The selector value of a catch clause's typeinfo (`llvm.eh.typeid.for`), > 0. */
  typeId(tinfo: number): number {
    let id = this.typeIds.get(tinfo);
    if (id === undefined) {
      id = this.typeIds.size + 1;
      this.typeIds.set(tinfo, id);
    }
    return id;
  }

  // ------------------------------------------------------------------------------------------------
  // Generated code

  /**
   * The catch block of an invoke with landing pad `lp` got `x`: true when the pad is to be entered (its
   * values are then in `xp`, `xsel`); false for anything else (traps, exit, longjmp, and C++ exceptions
   * the pad neither catches nor cleans up after), which the caller rethrows.
   */
  land(x: unknown, lp: number): boolean {
    if (!(x instanceof CxxThrow)) return false;
    const exc = this.byUe.get(x.ue);
    if (exc === undefined) return false;
    const r = this.select(exc, this.pads[lp]!);
    if (r === undefined) return false;
    if (r.handler) exc.adjusted = r.adjusted;
    this.xp = x.ue;
    this.xsel = r.sel;
    return true;
  }

  /** `resume`: continue unwinding with the exception of a landingpad value. */
  resume(ue: number): never {
    throw new CxxThrow(ue);
  }

  // ------------------------------------------------------------------------------------------------
  // Exceptions (for the __cxa_* models)

  allocate(size: number): CxxException | undefined {
    const block = this.mem.malloc(EXCEPTION_HEADER + size);
    if (block === 0) return undefined;
    const obj = block + EXCEPTION_HEADER;
    const exc: CxxException = {
      block,
      obj,
      ue: obj - 32,
      tinfo: 0,
      dtor: 0,
      handlers: 0,
      adjusted: obj,
      next: undefined,
    };
    this.byUe.set(exc.ue, exc);
    this.byObj.set(obj, exc);
    return exc;
  }

  byObject(obj: number): CxxException | undefined {
    return this.byObj.get(obj);
  }
  byPointer(ue: number): CxxException | undefined {
    return this.byUe.get(ue);
  }

  release(exc: CxxException): void {
    this.byUe.delete(exc.ue);
    this.byObj.delete(exc.obj);
    this.mem.free(exc.block);
  }

  /** Phase 1: does a running invoke's landing pad catch `exc` (or fail a filter for it)? */
  hasHandler(exc: CxxException): boolean {
    for (let i = this.n - 1; i >= 0; i--) if (this.select(exc, this.pads[this.s[i]!]!)?.handler) return true;
    return false;
  }

  /** What a landing pad does with `exc`: its selector, or undefined when it lets it pass. */
  private select(exc: CxxException, pad: LandingPad): Selection | undefined {
    for (let k = 0; k < pad.clauses.length; k++) {
      const c = pad.clauses[k]!;
      if (c.filter) {
        if (!c.types.some((t) => this.catches(t, exc) !== undefined))
          return { sel: -(k + 1), handler: true, adjusted: exc.obj };
        continue;
      }
      for (const t of c.types) {
        if (t === 0) return { sel: this.typeId(0), handler: true, adjusted: exc.obj };
        const a = this.catches(t, exc);
        if (a !== undefined) return { sel: this.typeId(t), handler: true, adjusted: a };
      }
    }
    return pad.cleanup ? { sel: 0, handler: false, adjusted: exc.obj } : undefined;
  }

  // ------------------------------------------------------------------------------------------------
  // Type matching (libstdc++'s get_adjusted_ptr and the __do_catch / __do_upcast of its typeinfo classes)

  /** The pointer a `catch (T)` clause with typeinfo `ct` sees for `exc`, or undefined if it does not match. */
  catches(ct: number, exc: CxxException): number | undefined {
    const tt = exc.tinfo;
    let p = exc.obj;
    if (this.kind(tt) === 'ptr') p = this.mem.readPtr(p);
    return this.doCatch(ct, tt, p, 1);
  }

  private doCatch(ct: number, tt: number, p: number, outer: number): number | undefined {
    if (this.typeEq(ct, tt)) return p;
    const ck = this.kind(ct);
    if (ck === 'cls' || ck === 'si' || ck === 'vmi') {
      if (outer >= 4) return undefined;
      const tk = this.kind(tt);
      if (tk !== 'cls' && tk !== 'si' && tk !== 'vmi') return undefined;
      return this.upcast(tt, ct, p);
    }
    if (ck !== 'ptr') return undefined;
    // A handler for any pointer type catches nullptr.
    if (this.name(tt) === 'Dn') return 0;
    if (this.kind(tt) !== 'ptr') return undefined;
    if ((outer & 1) === 0) return undefined;
    const mem = this.mem;
    const cflags = mem.readU32(ct + 16);
    let tflags = mem.readU32(tt + 16);
    const fqual = 0x20 | 0x40;
    const tq = tflags & fqual;
    const cq = cflags & fqual;
    if ((tq & ~cq) !== 0) tflags &= cq;
    if ((cq & ~tq) !== 0) return undefined;
    if ((tflags & ~cflags) !== 0) return undefined;
    if ((cflags & 1) === 0) outer &= ~1;
    const cp = mem.readPtr(ct + 24);
    const tp = mem.readPtr(tt + 24);
    if (outer < 2 && this.name(cp) === 'v') return this.name(tp).startsWith('F') ? undefined : p;
    return this.doCatch(cp, tp, p, outer + 2);
  }

  /** The unique public base subobject of type `target` in an object of class `tt` at `p`. */
  private upcast(tt: number, target: number, p: number): number | undefined {
    const found = new Map<number, boolean>();
    this.walk(tt, target, p, true, found, 0);
    if (found.size !== 1) return undefined;
    const [[q, pub]] = found;
    return pub ? q : undefined;
  }

  private walk(
    t: number,
    target: number,
    p: number,
    pub: boolean,
    found: Map<number, boolean>,
    depth: number,
  ): void {
    if (depth > 64) return;
    if (this.typeEq(t, target)) {
      found.set(p, (found.get(p) ?? false) || pub);
      return;
    }
    const mem = this.mem;
    const k = this.kind(t);
    if (k === 'si') {
      this.walk(mem.readPtr(t + 16), target, p, pub, found, depth + 1);
      return;
    }
    if (k !== 'vmi') return;
    const n = mem.readU32(t + 20);
    for (let i = 0; i < n; i++) {
      const base = mem.readPtr(t + 24 + 16 * i);
      const of = mem.readI64(t + 32 + 16 * i);
      const flags = Number(of & 0xffn);
      const off = Number(of >> 8n);
      let q = 0;
      if (p !== 0) {
        // A virtual base's offset is in the object's vtable, at `off` from the vptr.
        q = (flags & 1) !== 0 ? p + Number(mem.readI64(mem.readPtr(p) + off)) : p + off;
      }
      this.walk(base, target, q, pub && (flags & 2) !== 0, found, depth + 1);
    }
  }

  private kind(t: number): TypeKind {
    const v = this.mem.readPtr(t);
    const vp = this.vptrs;
    if (v === vp.si) return 'si';
    if (v === vp.vmi) return 'vmi';
    if (v === vp.cls || v === CLASS_TYPEINFO_VPTR) return 'cls';
    if (v === vp.ptr || v === POINTER_TYPEINFO_VPTR) return 'ptr';
    return 'other';
  }

  /** The mangled type name of a typeinfo (`type_info::name()`). */
  name(t: number): string {
    return Buffer.from(this.mem.cstring(this.mem.readPtr(t + 8))).toString('latin1');
  }

  /** libstdc++'s type_info::operator==: same object, same name pointer, or equal names not starting with '*'. */
  private typeEq(a: number, b: number): boolean {
    if (a === b) return true;
    const na = this.mem.readPtr(a + 8);
    const nb = this.mem.readPtr(b + 8);
    if (na === nb) return true;
    const sa = this.name(a);
    return !sa.startsWith('*') && sa === this.name(b);
  }
}
