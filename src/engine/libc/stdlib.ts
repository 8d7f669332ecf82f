/**
 * @fileoverview Stage: engine (libc models). stdlib.h: allocation, sorting and searching with callbacks
 * into the program, integer arithmetic, glibc's random number generators, the environment, program
 * termination and the string-to-number conversions.
 *
 * Consumes: the externals API, checked memory and the pure parsers of strto.ts. Produces: registered
 * handlers. Exactness notes: qsort is glibc 2.36's merge sort (same comparator call sequence, stable);
 * bsearch is glibc's; rand/random use glibc's TYPE_3 additive feedback generator and rand_r, *rand48 its
 * 48-bit LCG, so sequences match native runs; getenv reads the run's deterministic environment.
 */
import {
  ExitSignal,
  numericArguments,
  registerExternals,
  registerScalarExternal,
  Trap,
  type ExtValue,
  type Runtime,
  type ScalarForm,
} from '../externals.js';
import { COST } from '../cost.js';
import { bytesOf, charge, copy, EINVAL, ENOMEM, int, long, ptr, setErrno, size } from './common.js';
import { parseDouble, parseFloat32, parseFp80, parseInteger } from './strto.js';

// Allocation -----------------------------------------------------------------------------------------

/**
 * malloc with an alignment above 16 (the heap's natural alignment). The heap has no aligned allocation,
 * so small padding blocks are allocated (and freed into quarantine) until a block lands aligned.
 */
function alignedMalloc(rt: Runtime, al: number, n: number): number {
  if (al <= 16) return rt.mem.malloc(n);
  const pads: number[] = [];
  let p = 0;
  for (let tries = 0; tries < 4 * (al / 16) + 8; tries++) {
    p = rt.mem.malloc(n);
    if (p === 0 || p % al === 0) break;
    rt.mem.free(p);
    p = 0;
    pads.push(rt.mem.malloc(tries % 2 === 0 ? 1 : 17));
  }
  for (const q of pads) if (q !== 0) rt.mem.free(q);
  return p;
}

function isPow2(x: number): boolean {
  return x > 0 && Number.isInteger(x) && (x & (x - 1)) === 0;
}

// qsort / bsearch ------------------------------------------------------------------------------------

/**
 * One element of `s` bytes moved to msort's `tmp`: a checked copy, unless nothing was freed since the whole
 * array and `tmp` were checked (`frees`, qsortImpl), when the bytes are moved directly and charged alike.
 */
function moveElement(rt: Runtime, d: number, from: number, s: number, frees: number): void {
  const mem = rt.mem;
  if (mem.frees !== frees) {
    copy(rt, d, from, s);
    return;
  }
  if (s === 4) mem.dv.setInt32(d, mem.dv.getInt32(from, true), true);
  else if (s === 8) {
    mem.dv.setInt32(d, mem.dv.getInt32(from, true), true);
    mem.dv.setInt32(d + 4, mem.dv.getInt32(from + 4, true), true);
  } else mem.u8.copyWithin(d, from, from + s);
  charge(rt, s, COST.bulkBytes);
}

/**
 * glibc 2.36 msort_with_tmp: top-down merge sort on the array in memory, merging through `tmp`. `frees`:
 * `Memory.frees` when the array and `tmp` were known addressable.
 */
function msort(
  rt: Runtime,
  b: number,
  n: number,
  s: number,
  tmp: number,
  cmp: (a: number, b: number) => number,
  frees: number,
): void {
  if (n <= 1) return;
  let n1 = Math.floor(n / 2);
  let n2 = n - n1;
  let b1 = b;
  let b2 = b + n1 * s;
  msort(rt, b1, n1, s, tmp, cmp, frees);
  msort(rt, b2, n2, s, tmp, cmp, frees);
  let t = tmp;
  while (n1 > 0 && n2 > 0) {
    if (cmp(b1, b2) <= 0) {
      moveElement(rt, t, b1, s, frees);
      b1 += s;
      n1--;
    } else {
      moveElement(rt, t, b2, s, frees);
      b2 += s;
      n2--;
    }
    t += s;
  }
  if (n1 > 0) copy(rt, t, b1, n1 * s);
  copy(rt, b, tmp, (n - n2) * s);
}

function qsortImpl(
  rt: Runtime,
  base: number,
  n: number,
  s: number,
  cmp: (a: number, b: number) => number,
): void {
  if (n <= 1 || s === 0) return;
  const total = n * s;
  // Check the whole array up front, as reading it would.
  rt.mem.check(base, total, true);
  const tmp = rt.mem.malloc(total);
  if (tmp === 0) throw new Trap('memory-limit', `qsort: cannot allocate ${total} bytes`);
  try {
    // `frees` now: the array and tmp are addressable until something is freed (msort's moves).
    msort(rt, base, n, s, tmp, cmp, rt.mem.frees);
  } finally {
    rt.mem.free(tmp);
  }
}

/** A comparator's result; charges the model's own work per comparison (cost.ts). */
function cmpResult(rt: Runtime, v: ExtValue | undefined): number {
  rt.charge(COST.compareSteps);
  return int(v);
}

/** `cmpResult` of a comparator called through `Runtime.intCallback` (its result an int already). */
function cmpCharged(rt: Runtime, v: number): number {
  rt.charge(COST.compareSteps);
  return v;
}

// Random numbers --------------------------------------------------------------------------------------

/** glibc random_r TYPE_3: x[i] = x[i-3] + x[i-31] (mod 2^32), output >> 1. */
class GlibcRandom {
  private f = 3; // front index (into a 31-entry ring)
  private b = 0; // rear index
  private ring = new Int32Array(31);

  constructor(seed: number) {
    this.seed(seed);
  }

  seed(seed: number): void {
    let s = seed >>> 0;
    if (s === 0) s = 1;
    const st = this.ring;
    st[0] = s | 0;
    let word = s | 0; // int32_t in glibc: a seed >= 2^31 starts negative
    for (let i = 1; i < 31; i++) {
      // word = (16807 * word) % 2147483647 computed with Schrage's method on signed 32-bit values.
      const hi = Math.trunc(word / 127773);
      const lo = word % 127773;
      word = 16807 * lo - 2836 * hi;
      if (word < 0) word += 2147483647;
      st[i] = word;
    }
    this.f = 3;
    this.b = 0;
    for (let i = 0; i < 310; i++) this.next();
  }

  next(): number {
    const st = this.ring;
    const v = (st[this.f] + st[this.b]) | 0;
    st[this.f] = v;
    const result = (v >>> 1) & 0x7fffffff;
    this.f++;
    if (this.f >= 31) {
      this.f = 0;
      this.b++;
    } else {
      this.b++;
      if (this.b >= 31) this.b = 0;
    }
    return result;
  }
}

function rng(rt: Runtime): GlibcRandom {
  return rt.state('libc.random', () => new GlibcRandom(1));
}

/** glibc rand_r. */
function randR(rt: Runtime, seedp: number): number {
  let next = rt.mem.readU32(seedp);
  let result: number;
  next = (Math.imul(next, 1103515245) + 12345) >>> 0;
  result = Math.floor(next / 65536) % 2048;
  next = (Math.imul(next, 1103515245) + 12345) >>> 0;
  result = (result << 10) ^ (Math.floor(next / 65536) % 1024);
  next = (Math.imul(next, 1103515245) + 12345) >>> 0;
  result = (result << 10) ^ (Math.floor(next / 65536) % 1024);
  rt.mem.writeI32(seedp, next | 0);
  return result;
}

/** The 48-bit LCG of drand48 and friends. */
interface Rand48 {
  x: bigint;
  a: bigint;
  c: bigint;
}
const M48 = (1n << 48n) - 1n;
function rand48(rt: Runtime): Rand48 {
  return rt.state('libc.rand48', () => ({ x: 0x1234abcd330en, a: 0x5deece66dn, c: 0xbn }));
}
function step48(st: Rand48, xsubi?: { rt: Runtime; p: number }): bigint {
  let x = st.x;
  if (xsubi !== undefined) {
    const m = xsubi.rt.mem;
    x =
      BigInt(m.readU16(xsubi.p)) |
      (BigInt(m.readU16(xsubi.p + 2)) << 16n) |
      (BigInt(m.readU16(xsubi.p + 4)) << 32n);
  }
  x = (st.a * x + st.c) & M48;
  if (xsubi !== undefined) {
    const m = xsubi.rt.mem;
    m.writeI16(xsubi.p, Number(x & 0xffffn));
    m.writeI16(xsubi.p + 2, Number((x >> 16n) & 0xffffn));
    m.writeI16(xsubi.p + 4, Number((x >> 32n) & 0xffffn));
  } else st.x = x;
  return x;
}

// Environment -----------------------------------------------------------------------------------------

interface EnvState {
  vars: Map<string, string>;
  /** Address of the value string of each variable handed out (stable until changed). */
  addrs: Map<string, number>;
}

function envState(rt: Runtime): EnvState {
  return rt.state('libc.env', () => ({ vars: new Map(rt.env), addrs: new Map() }));
}

function getenvImpl(rt: Runtime, name: string): number {
  const st = envState(rt);
  const v = st.vars.get(name);
  if (v === undefined) return 0;
  let a = st.addrs.get(name);
  if (a === undefined) {
    const b = Buffer.from(v, 'utf8');
    a = rt.mem.malloc(b.length + 1);
    rt.mem.writeBytes(a, b);
    rt.mem.writeU8(a + b.length, 0);
    st.addrs.set(name, a);
  }
  return a;
}

// Termination -----------------------------------------------------------------------------------------

function atexitImpl(rt: Runtime, fn: number, args: ExtValue[]): number {
  rt.onExit(() => {
    rt.call(fn, args);
  });
  return 0;
}

// String conversions ------------------------------------------------------------------------------------

function strtoInt(rt: Runtime, s: number, endp: number, base: number, signed: boolean): bigint {
  const bytes = rt.mem.cstringView(s);
  const r = parseInteger(bytes, 0, base, signed);
  chargeParse(rt, bytes.length, r.end);
  if (r.errno !== 0) setErrno(rt, r.errno);
  if (endp !== 0 && !r.noEnd) rt.mem.writePtr(endp, s + r.end);
  return r.value;
}

/** strto*: the model reads the whole string (scan) and parses `end` bytes of it (format rate). */
function chargeParse(rt: Runtime, length: number, end: number): void {
  charge(rt, length, COST.scanBytes);
  charge(rt, end, COST.formatBytes);
}

function strtoFloat<T>(
  rt: Runtime,
  s: number,
  endp: number,
  parse: (b: Uint8Array, i: number) => { value: T; end: number; errno: number },
): T {
  const bytes = rt.mem.cstringView(s);
  const r = parse(bytes, 0);
  chargeParse(rt, bytes.length, r.end);
  if (r.errno !== 0) setErrno(rt, r.errno);
  if (endp !== 0) rt.mem.writePtr(endp, s + r.end);
  return r.value;
}

// The allocator: unboxed forms (called by the generated code with numbers, no array or BigInt per call)
// and the boxed handlers made from them.
const ALLOCATOR: Readonly<Record<string, ScalarForm>> = {
  malloc: (rt, n) => {
    const p = rt.mem.malloc(size(n));
    if (p === 0) setErrno(rt, ENOMEM);
    return p;
  },
  calloc: (rt, n, s) => {
    const p = rt.mem.calloc(size(n), size(s));
    if (p === 0) setErrno(rt, ENOMEM);
    return p;
  },
  realloc: (rt, p, n) => {
    if (p !== 0 && size(n) === 0) {
      // glibc: realloc(p, 0) frees p and returns NULL.
      rt.mem.free(p);
      return 0;
    }
    const q = rt.mem.realloc(p, size(n));
    if (q === 0) setErrno(rt, ENOMEM);
    return q;
  },
  free: (rt, p) => {
    rt.mem.free(p);
    return undefined;
  },
};
for (const [name, form] of Object.entries(ALLOCATOR))
  registerScalarExternal(
    name,
    (rt, args) => form(rt, numberArg(args[0]), numberArg(args[1]), numberArg(args[2])),
    form,
    { numbers: true },
  );

/** A boxed integer or pointer argument as the number an unboxed form takes (i64 above 2^53 rounded). */
function numberArg(v: ExtValue | undefined): number {
  return v === undefined ? 0 : typeof v === 'bigint' ? Number(BigInt.asIntN(64, v)) : v;
}

registerExternals({
  reallocarray: (rt, [p, n, s]) => {
    const total = size(n) * size(s);
    if (!Number.isSafeInteger(total) || total >= 2 ** 63) {
      setErrno(rt, ENOMEM);
      return 0;
    }
    return rt.mem.realloc(ptr(p), total);
  },
  cfree: (rt, [p]) => {
    rt.mem.free(ptr(p));
  },
  malloc_usable_size: (rt, [p]) => {
    const n = rt.mem.blockSize(ptr(p));
    return n < 0 ? 0 : n;
  },
  aligned_alloc: (rt, [al, n]) => {
    if (!isPow2(size(al))) {
      setErrno(rt, EINVAL);
      return 0;
    }
    return alignedMalloc(rt, size(al), size(n));
  },
  memalign: (rt, [al, n]) => alignedMalloc(rt, size(al), size(n)),
  valloc: (rt, [n]) => alignedMalloc(rt, 4096, size(n)),
  pvalloc: (rt, [n]) => alignedMalloc(rt, 4096, Math.ceil(size(n) / 4096) * 4096),
  posix_memalign: (rt, [pp, al, n]) => {
    const a = size(al);
    if (!isPow2(a) || a % 8 !== 0) return EINVAL;
    const p = alignedMalloc(rt, a, size(n));
    if (p === 0) return ENOMEM;
    rt.mem.writePtr(ptr(pp), p);
    return 0;
  },

  qsort: (rt, [base, n, s, cmp]) => {
    const f = ptr(cmp);
    const fast = rt.intCallback(f, 2);
    qsortImpl(
      rt,
      ptr(base),
      size(n),
      size(s),
      fast !== undefined ? (a, b) => cmpCharged(rt, fast(a, b)) : (a, b) => cmpResult(rt, rt.call(f, [a, b])),
    );
  },
  qsort_r: (rt, [base, n, s, cmp, arg]) => {
    const f = ptr(cmp);
    const x = ptr(arg);
    const fast = rt.intCallback(f, 3);
    qsortImpl(
      rt,
      ptr(base),
      size(n),
      size(s),
      fast !== undefined
        ? (a, b) => cmpCharged(rt, fast(a, b, x))
        : (a, b) => cmpResult(rt, rt.call(f, [a, b, x])),
    );
  },
  bsearch: (rt, [key, base, n, s, cmp]) => {
    const f = ptr(cmp);
    const fast = rt.intCallback(f, 2);
    const k = ptr(key);
    const b = ptr(base);
    const w = size(s);
    let l = 0;
    let u = size(n);
    while (l < u) {
      const idx = Math.floor((l + u) / 2);
      const p = b + idx * w;
      const c = fast !== undefined ? cmpCharged(rt, fast(k, p)) : cmpResult(rt, rt.call(f, [k, p]));
      if (c < 0) u = idx;
      else if (c > 0) l = idx + 1;
      else return p;
    }
    return 0;
  },

  abs: (_rt, [x]) => {
    const v = int(x);
    return v < 0 ? -v | 0 : v;
  },
  labs: (_rt, [x]) => BigInt.asIntN(64, long(x) < 0n ? -long(x) : long(x)),
  llabs: (_rt, [x]) => BigInt.asIntN(64, long(x) < 0n ? -long(x) : long(x)),
  imaxabs: (_rt, [x]) => BigInt.asIntN(64, long(x) < 0n ? -long(x) : long(x)),
  // div_t { int quot; int rem; } comes back packed in an i64 (quot in the low half).
  div: (_rt, [a, b]) => {
    const x = int(a);
    const y = int(b);
    if (y === 0) throw new Trap('division-by-zero', 'div() by zero');
    const q = (x / y) | 0;
    const r = x - Math.imul(q, y);
    return (BigInt(r | 0) << 32n) | BigInt(q >>> 0);
  },

  rand: (rt) => rng(rt).next(),
  random: (rt) => BigInt(rng(rt).next()),
  srand: (rt, [s]) => {
    rng(rt).seed(int(s));
  },
  srandom: (rt, [s]) => {
    rng(rt).seed(int(s));
  },
  rand_r: (rt, [p]) => randR(rt, ptr(p)),
  srand48: (rt, [s]) => {
    const st = rand48(rt);
    st.x = ((BigInt.asUintN(32, long(s)) << 16n) | 0x330en) & M48;
    st.a = 0x5deece66dn;
    st.c = 0xbn;
  },
  drand48: (rt) => Number(step48(rand48(rt))) / 2 ** 48,
  erand48: (rt, [xs]) => Number(step48(rand48(rt), { rt, p: ptr(xs) })) / 2 ** 48,
  lrand48: (rt) => BigInt(Number(step48(rand48(rt)) >> 17n)),
  nrand48: (rt, [xs]) => BigInt(Number(step48(rand48(rt), { rt, p: ptr(xs) }) >> 17n)),
  mrand48: (rt) => BigInt.asIntN(32, step48(rand48(rt)) >> 16n),
  jrand48: (rt, [xs]) => BigInt.asIntN(32, step48(rand48(rt), { rt, p: ptr(xs) }) >> 16n),

  getenv: (rt, [name]) => getenvImpl(rt, rt.mem.string(ptr(name))),
  secure_getenv: (rt, [name]) => getenvImpl(rt, rt.mem.string(ptr(name))),
  setenv: (rt, [name, value, overwrite]) => {
    const n = rt.mem.string(ptr(name));
    if (n.length === 0 || n.includes('=')) {
      setErrno(rt, EINVAL);
      return -1;
    }
    const st = envState(rt);
    if (st.vars.has(n) && int(overwrite) === 0) return 0;
    st.vars.set(n, rt.mem.string(ptr(value)));
    st.addrs.delete(n);
    return 0;
  },
  unsetenv: (rt, [name]) => {
    const n = rt.mem.string(ptr(name));
    if (n.length === 0 || n.includes('=')) {
      setErrno(rt, EINVAL);
      return -1;
    }
    const st = envState(rt);
    st.vars.delete(n);
    st.addrs.delete(n);
    return 0;
  },
  putenv: (rt, [s]) => {
    const str = rt.mem.string(ptr(s));
    const eq = str.indexOf('=');
    const st = envState(rt);
    if (eq < 0) st.vars.delete(str);
    else {
      const n = str.slice(0, eq);
      st.vars.set(n, str.slice(eq + 1));
      // The string itself becomes part of the environment.
      st.addrs.set(n, ptr(s) + Buffer.byteLength(str.slice(0, eq + 1)));
    }
    return 0;
  },
  clearenv: (rt) => {
    const st = envState(rt);
    st.vars.clear();
    st.addrs.clear();
    return 0;
  },

  exit: (rt, [code]) => rt.exit(int(code)),
  _exit: (_rt, [code]) => {
    throw new ExitSignal(int(code) & 0xff);
  },
  _Exit: (_rt, [code]) => {
    throw new ExitSignal(int(code) & 0xff);
  },
  quick_exit: (_rt, [code]) => {
    throw new ExitSignal(int(code) & 0xff);
  },
  abort: (rt) => rt.trap('abort', 'abort() called'),
  atexit: (rt, [fn]) => atexitImpl(rt, ptr(fn), []),
  __cxa_atexit: (rt, [fn, arg]) => atexitImpl(rt, ptr(fn), [ptr(arg)]),
  on_exit: (rt, [fn, arg]) => {
    rt.onExit(() => {
      rt.call(ptr(fn), [0, ptr(arg)]);
    });
    return 0;
  },
  at_quick_exit: () => 0,
  system: (_rt, [cmd]) => (ptr(cmd) === 0 ? 0 : -1),

  strtol: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), true),
  strtoll: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), true),
  strtoq: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), true),
  strtoimax: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), true),
  __strtol_internal: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), true),
  __strtoll_internal: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), true),
  strtoul: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), false),
  strtoull: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), false),
  strtouq: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), false),
  strtoumax: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), false),
  __strtoul_internal: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), false),
  __strtoull_internal: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), false),
  atoi: (rt, [s]) => Number(BigInt.asIntN(32, strtoInt(rt, ptr(s), 0, 10, true))),
  atol: (rt, [s]) => strtoInt(rt, ptr(s), 0, 10, true),
  atoll: (rt, [s]) => strtoInt(rt, ptr(s), 0, 10, true),
  atof: (rt, [s]) => strtoFloat(rt, ptr(s), 0, parseDouble),
  strtod: (rt, [s, e]) => strtoFloat(rt, ptr(s), ptr(e), parseDouble),
  strtof: (rt, [s, e]) => strtoFloat(rt, ptr(s), ptr(e), parseFloat32),
  strtold: (rt, [s, e]) => strtoFloat(rt, ptr(s), ptr(e), parseFp80),
  __strtod_internal: (rt, [s, e]) => strtoFloat(rt, ptr(s), ptr(e), parseDouble),
  __strtof_internal: (rt, [s, e]) => strtoFloat(rt, ptr(s), ptr(e), parseFloat32),
  __strtold_internal: (rt, [s, e]) => strtoFloat(rt, ptr(s), ptr(e), parseFp80),
  strtod_l: (rt, [s, e]) => strtoFloat(rt, ptr(s), ptr(e), parseDouble),
  strtof_l: (rt, [s, e]) => strtoFloat(rt, ptr(s), ptr(e), parseFloat32),
  strtold_l: (rt, [s, e]) => strtoFloat(rt, ptr(s), ptr(e), parseFp80),
  __isoc23_strtol: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), true),
  __isoc23_strtoll: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), true),
  __isoc23_strtoul: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), false),
  __isoc23_strtoull: (rt, [s, e, b]) => strtoInt(rt, ptr(s), ptr(e), int(b), false),

  // Multibyte conversions in the C locale (ASCII).
  mblen: (rt, [s, n]) => {
    if (ptr(s) === 0) return 0;
    if (size(n) === 0) return -1;
    const c = rt.mem.readU8(ptr(s));
    return c === 0 ? 0 : c < 0x80 ? 1 : -1;
  },
  mbtowc: (rt, [pwc, s, n]) => {
    if (ptr(s) === 0) return 0;
    if (size(n) === 0) return -1;
    const c = rt.mem.readU8(ptr(s));
    if (c >= 0x80) return -1;
    if (ptr(pwc) !== 0) rt.mem.writeI32(ptr(pwc), c);
    return c === 0 ? 0 : 1;
  },
  wctomb: (rt, [s, wc]) => {
    if (ptr(s) === 0) return 0;
    const c = int(wc);
    if (c < 0 || c >= 0x80) return -1;
    rt.mem.writeU8(ptr(s), c);
    return 1;
  },
  __ctype_get_mb_cur_max: () => 1n,
});

export { bytesOf };

// Their size_t arguments go through size(): numbers do (no BigInt per allocation).
numericArguments(['reallocarray', 'aligned_alloc', 'memalign', 'valloc']);
