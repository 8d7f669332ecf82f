/**
 * @fileoverview Stage: engine (libc models). The C++ ABI runtime of libstdc++ (libsupc++): exceptions
 * (`__cxa_allocate_exception`, `__cxa_throw`, `__cxa_begin_catch`, `__cxa_end_catch`, `__cxa_rethrow`, ...),
 * std::terminate, the typeinfo objects of fundamental types and the typeinfo vtables, operator new/delete,
 * and the guards of function-local statics.
 *
 * Consumes: the unwinding state of src/engine/eh.ts (live exceptions, landing pads, type matching).
 * Produces: registrations at import time. Exceptions are heap blocks of a 128-byte header (its content is
 * kept on the JS side) and the object; the landing pads' exception pointer is `object - 32`, as natively.
 * std::terminate prints libstdc++'s verbose message on stderr and aborts (outcome `abort`, exit 134).
 */
import {
  CLASS_TYPEINFO_VPTR,
  CxxThrow,
  FUNDAMENTAL_TYPEINFO_VPTR,
  POINTER_TYPEINFO_VPTR,
  TYPEINFO_VTABLES,
  ehOf,
} from '../eh.js';
import type { CxxException, Eh } from '../eh.js';
import { lookupExternal, registerExternalGlobal, registerExternals, type Runtime } from '../externals.js';
import { defineStatic, ptr, size } from './common.js';

// ---------------------------------------------------------------------------------------------------
// Exceptions

/**
 * std::terminate with libstdc++'s default (verbose) handler: the type of the exception being handled, its
 * what() when it is a std::exception, then abort().
 */
function terminate(rt: Runtime): never {
  const eh = ehOf(rt.mem);
  const c = eh.caught;
  if (c === undefined || c.tinfo === 0)
    rt.stderr.writeString('terminate called without an active exception\n');
  else {
    rt.stderr.writeString(
      `terminate called after throwing an instance of '${demangleType(eh.name(c.tinfo))}'\n`,
    );
    const std = rt.symbolAddress('_ZTISt9exception');
    const p = std === undefined ? undefined : eh.catches(std, c);
    if (p !== undefined && p !== 0) {
      // e.what(): slot 2 of std::exception's vtable (after the two destructors).
      const what = rt.mem.readPtr(rt.mem.readPtr(p) + 16);
      const s = Number(rt.call(what, [p]) ?? 0);
      if (s !== 0) rt.stderr.writeString(`  what():  ${rt.mem.string(s)}\n`);
    }
  }
  return rt.trap('abort', 'std::terminate called (abort)');
}

function beginCatch(eh: Eh, exc: CxxException): number {
  const c = exc.handlers;
  exc.handlers = c < 0 ? -c + 1 : c + 1;
  eh.uncaught--;
  if (eh.caught !== exc) {
    exc.next = eh.caught;
    eh.caught = exc;
  }
  return exc.adjusted;
}

/** Start unwinding when some running invoke catches it (phase 1); terminate without unwinding otherwise. */
function raise(rt: Runtime, eh: Eh, exc: CxxException): never {
  if (!eh.hasHandler(exc)) {
    beginCatch(eh, exc);
    terminate(rt);
  }
  throw new CxxThrow(exc.ue);
}

function exceptionAt(rt: Runtime, ue: number): CxxException {
  const exc = ehOf(rt.mem).byPointer(ue);
  // A pointer no landing pad produced (a foreign exception, or garbage): libstdc++ terminates.
  if (exc === undefined) terminate(rt);
  return exc;
}

registerExternals({
  __cxa_allocate_exception: (rt, [n]) => {
    const exc = ehOf(rt.mem).allocate(size(n));
    if (exc === undefined) terminate(rt);
    return exc.obj;
  },
  __cxa_free_exception: (rt, [p]) => {
    const eh = ehOf(rt.mem);
    const exc = eh.byObject(ptr(p));
    if (exc === undefined) rt.mem.free(ptr(p));
    else eh.release(exc);
  },
  __cxa_throw: (rt, [obj, tinfo, dtor]) => {
    const eh = ehOf(rt.mem);
    const exc = eh.byObject(ptr(obj));
    if (exc === undefined)
      return rt.trap(
        'invalid-pointer',
        '__cxa_throw of an object that __cxa_allocate_exception did not return',
      );
    exc.tinfo = ptr(tinfo);
    exc.dtor = ptr(dtor);
    eh.uncaught++;
    return raise(rt, eh, exc);
  },
  __cxa_begin_catch: (rt, [ue]) => beginCatch(ehOf(rt.mem), exceptionAt(rt, ptr(ue))),
  __cxa_get_exception_ptr: (rt, [ue]) => exceptionAt(rt, ptr(ue)).adjusted,
  __cxa_end_catch: (rt) => {
    const eh = ehOf(rt.mem);
    const exc = eh.caught;
    if (exc === undefined) return;
    let c = exc.handlers;
    if (c < 0) {
      // Rethrown: the exception lives on.
      if (++c === 0) eh.caught = exc.next;
    } else if (--c === 0) {
      eh.caught = exc.next;
      exc.handlers = 0;
      if (exc.dtor !== 0) rt.call(exc.dtor, [exc.obj]);
      eh.release(exc);
      return;
    }
    exc.handlers = c;
  },
  __cxa_rethrow: (rt) => {
    const eh = ehOf(rt.mem);
    const exc = eh.caught;
    if (exc === undefined) return terminate(rt);
    eh.uncaught++;
    exc.handlers = -exc.handlers;
    return raise(rt, eh, exc);
  },
  // A failed dynamic exception specification: std::unexpected, whose default handler terminates.
  __cxa_call_unexpected: (rt, [ue]) => {
    beginCatch(ehOf(rt.mem), exceptionAt(rt, ptr(ue)));
    return terminate(rt);
  },
  _ZSt9terminatev: (rt) => terminate(rt),
  _ZSt10unexpectedv: (rt) => terminate(rt),
  __cxa_pure_virtual: (rt) => {
    rt.stderr.writeString('pure virtual method called\n');
    return terminate(rt);
  },
  __cxa_deleted_virtual: (rt) => {
    rt.stderr.writeString('deleted virtual method called\n');
    return terminate(rt);
  },
  __cxa_current_exception_type: (rt) => ehOf(rt.mem).caught?.tinfo ?? 0,
  __cxa_uncaught_exceptions: (rt) => ehOf(rt.mem).uncaught,
  _ZSt19uncaught_exceptionsv: (rt) => ehOf(rt.mem).uncaught,
  _ZSt18uncaught_exceptionv: (rt) => (ehOf(rt.mem).uncaught > 0 ? 1 : 0),
  // Clang lowers `resume` itself; IR that calls the unwinder directly continues the same way.
  _Unwind_Resume: (rt, [ue]) => ehOf(rt.mem).resume(ptr(ue)),
  // Only its address is used (the `personality` of functions with landing pads).
  __gxx_personality_v0: (rt) => rt.trap('unsupported-feature', '__gxx_personality_v0 called directly'),

  // Function-local statics: guard byte 0 says "initialised", byte 1 "in progress" (single thread).
  __cxa_guard_acquire: (rt, [g]) => {
    const p = ptr(g);
    if (rt.mem.readU8(p) !== 0) return 0;
    rt.mem.writeU8(p + 1, 1);
    return 1;
  },
  __cxa_guard_release: (rt, [g]) => {
    rt.mem.writeU8(ptr(g), 1);
    rt.mem.writeU8(ptr(g) + 1, 0);
  },
  __cxa_guard_abort: (rt, [g]) => {
    rt.mem.writeU8(ptr(g) + 1, 0);
  },
});

// ---------------------------------------------------------------------------------------------------
// operator new / delete

/** operator new: natively std::bad_alloc when memory runs out; here the memory-limit outcome. */
function newOrFail(rt: Runtime, p: number): number {
  if (p === 0) rt.trap('memory-limit', 'operator new: out of memory (std::bad_alloc)');
  return p;
}
function alignedNew(rt: Runtime, n: number, al: number): number {
  return Number(lookupExternal('memalign')!(rt, [BigInt(al), BigInt(n)], undefined) ?? 0);
}

registerExternals({
  _Znwm: (rt, [n]) => newOrFail(rt, rt.mem.malloc(size(n))),
  _Znam: (rt, [n]) => newOrFail(rt, rt.mem.malloc(size(n))),
  _ZnwmRKSt9nothrow_t: (rt, [n]) => rt.mem.malloc(size(n)),
  _ZnamRKSt9nothrow_t: (rt, [n]) => rt.mem.malloc(size(n)),
  _ZnwmSt11align_val_t: (rt, [n, al]) => newOrFail(rt, alignedNew(rt, size(n), size(al))),
  _ZnamSt11align_val_t: (rt, [n, al]) => newOrFail(rt, alignedNew(rt, size(n), size(al))),
  _ZnwmSt11align_val_tRKSt9nothrow_t: (rt, [n, al]) => alignedNew(rt, size(n), size(al)),
  _ZnamSt11align_val_tRKSt9nothrow_t: (rt, [n, al]) => alignedNew(rt, size(n), size(al)),
});
for (const name of [
  '_ZdlPv',
  '_ZdaPv',
  '_ZdlPvm',
  '_ZdaPvm',
  '_ZdlPvRKSt9nothrow_t',
  '_ZdaPvRKSt9nothrow_t',
  '_ZdlPvSt11align_val_t',
  '_ZdaPvSt11align_val_t',
  '_ZdlPvmSt11align_val_t',
  '_ZdaPvmSt11align_val_t',
  '_ZdlPvSt11align_val_tRKSt9nothrow_t',
  '_ZdaPvSt11align_val_tRKSt9nothrow_t',
])
  registerExternals({ [name]: (rt, [p]) => rt.mem.free(ptr(p)) });
registerExternalGlobal('_ZSt7nothrow', { size: 1, align: 1 });

// ---------------------------------------------------------------------------------------------------
// Typeinfo objects libstdc++ defines

/** Vtables of the typeinfo classes (only their addresses matter: a typeinfo's vptr tells its kind). */
const VTABLES = [
  ...Object.values(TYPEINFO_VTABLES),
  '_ZTVN10__cxxabiv123__fundamental_type_infoE',
  '_ZTVN10__cxxabiv116__enum_type_infoE',
  '_ZTVN10__cxxabiv117__array_type_infoE',
  '_ZTVN10__cxxabiv120__function_type_infoE',
  '_ZTVN10__cxxabiv129__pointer_to_member_type_infoE',
];
for (const name of VTABLES) registerExternalGlobal(name, { size: 88, align: 16, readOnly: true });

/** Mangled codes of the fundamental types whose typeinfo (plain, pointer, pointer to const) libstdc++ has. */
const FUNDAMENTAL: Readonly<Record<string, string>> = {
  v: 'void',
  b: 'bool',
  c: 'char',
  a: 'signed char',
  h: 'unsigned char',
  s: 'short',
  t: 'unsigned short',
  i: 'int',
  j: 'unsigned int',
  l: 'long',
  m: 'unsigned long',
  x: 'long long',
  y: 'unsigned long long',
  n: '__int128',
  o: 'unsigned __int128',
  w: 'wchar_t',
  f: 'float',
  d: 'double',
  e: 'long double',
  g: '__float128',
  Ds: 'char16_t',
  Di: 'char32_t',
  Du: 'char8_t',
  Dn: 'decltype(nullptr)',
};

function vptrOf(rt: Runtime, vtable: string, fallback: number): number {
  const a = rt.symbolAddress(vtable);
  return a === undefined ? fallback : a + 16;
}

function writeName(rt: Runtime, at: number, name: string): void {
  rt.mem.u8.set(Buffer.from(`${name}\0`, 'latin1'), at);
}

/** `std::type_info { vptr, name }` of a fundamental type at `a`, its name at `nameAt`. */
function writeFundamental(rt: Runtime, a: number, code: string, nameAt: number): void {
  writePtr(rt, a, vptrOf(rt, '_ZTVN10__cxxabiv123__fundamental_type_infoE', FUNDAMENTAL_TYPEINFO_VPTR));
  writePtr(rt, a + 8, nameAt);
  writeName(rt, nameAt, code);
}

function writePtr(rt: Runtime, a: number, v: number): void {
  rt.mem.dv.setUint32(a, v >>> 0, true);
  rt.mem.dv.setUint32(a + 4, Math.floor(v / 4294967296), true);
}

for (const code of Object.keys(FUNDAMENTAL)) {
  registerExternalGlobal(`_ZTI${code}`, {
    size: 16 + code.length + 1,
    align: 16,
    readOnly: true,
    init: (rt, a) => writeFundamental(rt, a, code, a + 16),
  });
  // `__pointer_type_info { vptr, name, flags, pointee }`, with the pointee's typeinfo after it.
  for (const [prefix, flags] of [
    ['P', 0],
    ['PK', 1],
  ] as const) {
    const name = `${prefix}${code}`;
    registerExternalGlobal(`_ZTI${name}`, {
      size: 48 + name.length + 1 + code.length + 1,
      align: 16,
      readOnly: true,
      init: (rt, a) => {
        writePtr(rt, a, vptrOf(rt, TYPEINFO_VTABLES.ptr, POINTER_TYPEINFO_VPTR));
        writePtr(rt, a + 8, a + 48);
        rt.mem.dv.setUint32(a + 16, flags, true);
        rt.mem.dv.setUint32(a + 20, 0, true);
        writePtr(rt, a + 24, a + 32);
        writeName(rt, a + 48, name);
        writeFundamental(rt, a + 32, code, a + 48 + name.length + 1);
      },
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// std::exception (the base class programs derive their exceptions from)

const WHAT = defineStatic('__inputsmith_std_exception_what', 16, (rt, a) =>
  writeName(rt, a, 'std::exception'),
);

registerExternalGlobal('_ZTISt9exception', {
  size: 32,
  align: 16,
  readOnly: true,
  init: (rt, a) => {
    writePtr(rt, a, vptrOf(rt, TYPEINFO_VTABLES.cls, CLASS_TYPEINFO_VPTR));
    writePtr(rt, a + 8, a + 16);
    writeName(rt, a + 16, 'St9exception');
  },
});
// { offset to top, typeinfo, complete destructor, deleting destructor, what } (entries the module
// does not declare are null).
registerExternalGlobal('_ZTVSt9exception', {
  size: 40,
  align: 16,
  readOnly: true,
  init: (rt, a) => {
    writePtr(rt, a, 0);
    const names = [
      '_ZTISt9exception',
      '_ZNSt9exceptionD1Ev',
      '_ZNSt9exceptionD0Ev',
      '_ZNKSt9exception4whatEv',
    ];
    names.forEach((n, k) => writePtr(rt, a + 8 + 8 * k, rt.symbolAddress(n) ?? 0));
  },
});
registerExternals({
  _ZNSt9exceptionD1Ev: () => undefined,
  _ZNSt9exceptionD2Ev: () => undefined,
  _ZNSt9exceptionD0Ev: (rt, [p]) => rt.mem.free(ptr(p)),
  _ZNKSt9exception4whatEv: (rt) => WHAT.addr(rt),
});

// ---------------------------------------------------------------------------------------------------
// Type names for the terminate message (a small demangler of <type>, as c++filt prints them)

/** `PKc` -> `char const*`, `N2ns3ErrE` -> `ns::Err`; anything it does not know is returned as is. */
export function demangleType(s: string): string {
  let i = 0;
  const sourceName = (): string => {
    let n = 0;
    const start = i;
    while (i < s.length && s[i]! >= '0' && s[i]! <= '9') n = n * 10 + Number(s[i++]);
    if (i === start || i + n > s.length) throw new Error('bad name');
    const r = s.slice(i, i + n);
    i += n;
    return r;
  };
  const type = (): string => {
    const c = s[i]!;
    if (c === 'P' || c === 'R' || c === 'O') {
      i++;
      const t = type();
      return t + (c === 'P' ? '*' : c === 'R' ? '&' : '&&');
    }
    if (c === 'K' || c === 'V') {
      i++;
      const t = type();
      return `${t} ${c === 'K' ? 'const' : 'volatile'}`;
    }
    if (c === 'N') {
      i++;
      const parts: string[] = [];
      while (i < s.length && s[i] !== 'E') {
        if (s.startsWith('St', i)) {
          i += 2;
          parts.push('std');
        } else parts.push(sourceName());
      }
      if (s[i] !== 'E') throw new Error('bad name');
      i++;
      return parts.join('::');
    }
    if (s.startsWith('St', i)) {
      i += 2;
      return `std::${sourceName()}`;
    }
    if (c >= '0' && c <= '9') return sourceName();
    const two = s.slice(i, i + 2);
    if (c === 'D' && FUNDAMENTAL[two] !== undefined) {
      i += 2;
      return FUNDAMENTAL[two];
    }
    if (FUNDAMENTAL[c] !== undefined) {
      i++;
      return FUNDAMENTAL[c];
    }
    throw new Error('bad name');
  };
  try {
    const r = type();
    return i === s.length ? r : s;
  } catch {
    return s;
  }
}
