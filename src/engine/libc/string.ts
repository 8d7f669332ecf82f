/**
 * @fileoverview Stage: engine (libc models). string.h and strings.h: the str* and mem* functions and their
 * fortified `__*_chk` variants.
 *
 * Consumes: the externals API and checked memory. Produces: registered handlers. Every read and write goes
 * through the checked accessors, so an overrun, a missing terminator, a dangling or a NULL pointer ends the
 * run with the engine's memory outcome (located at the calling instruction), never a JS exception.
 * Comparison functions return the difference of the first differing bytes (as unsigned char), which is
 * what glibc's x86-64 strcmp/strncmp return; for memcmp only the sign is portable (glibc's result depends
 * on the CPU's implementation) and we return the byte difference as well.
 */
import { Trap, numericArguments, registerExternals, type ExtValue, type Runtime } from '../externals.js';
import { toLower } from './ctype.js';
import { chargeScan, copy, fill, ptr, size } from './common.js';

/** The result of a size computation that may exceed the address space: clamp for JS. */
function n_(v: ExtValue | undefined): number {
  return size(v);
}

function strcmpImpl(rt: Runtime, a: number, b: number, max: number, fold: boolean): number {
  const m = rt.mem;
  for (let i = 0; i < max; i++) {
    let x = m.readU8(a + i);
    let y = m.readU8(b + i);
    if (fold) {
      x = toLower(x);
      y = toLower(y);
    }
    if (x !== y || x === 0) {
      chargeScan(rt, 2 * i);
      return x - y;
    }
  }
  chargeScan(rt, 2 * max);
  return 0;
}

function strlenOf(rt: Runtime, p: number): number {
  const n = rt.mem.strlen(p);
  chargeScan(rt, n);
  return n;
}

/** strnlen without reading past `max` bytes. */
function strnlenOf(rt: Runtime, p: number, max: number): number {
  const m = rt.mem;
  let i = 0;
  while (i < max && m.readU8(p + i) !== 0) i++;
  chargeScan(rt, i);
  return i;
}

/** memchr: index of byte c in [p, p+n), or -1; checks only the bytes it reads (as glibc's result is). */
function memchrIdx(rt: Runtime, p: number, c: number, n: number): number {
  const m = rt.mem;
  if (n <= 0) return -1;
  // Fast path: the whole range is readable.
  const s = m.shadow;
  if (p > 0 && p + n <= m.size && n < 1 << 30) {
    let ok = true;
    for (let i = p; i < p + n; i++) {
      if ((s[i] & 1) === 0) {
        ok = false;
        break;
      }
    }
    if (ok) {
      const k = m.u8.subarray(p, p + n).indexOf(c);
      chargeScan(rt, k < 0 ? n : k);
      return k;
    }
  }
  for (let i = 0; i < n; i++)
    if (m.readU8(p + i) === c) {
      chargeScan(rt, i);
      return i;
    }
  chargeScan(rt, n);
  return -1;
}

/** Bytes of a set string (strspn, strcspn, strpbrk, strtok) as a 256-entry membership table. */
function byteSet(rt: Runtime, p: number): Uint8Array {
  const set = new Uint8Array(256);
  const b = rt.mem.cstring(p);
  chargeScan(rt, b.length);
  for (const c of b) set[c] = 1;
  return set;
}

function strspnImpl(rt: Runtime, s: number, accept: number, inSet: number): number {
  const set = byteSet(rt, accept);
  const m = rt.mem;
  let i = 0;
  for (;;) {
    const c = m.readU8(s + i);
    if (c === 0 || set[c] !== inSet) {
      chargeScan(rt, i);
      return i;
    }
    i++;
  }
}

function strstrImpl(rt: Runtime, hay: number, needle: number, fold: boolean): number {
  const h = rt.mem.cstring(hay);
  const nd = rt.mem.cstring(needle);
  // Two-way search as glibc's: linear in the haystack (the case-folding loop is charged the same).
  chargeScan(rt, h.length + nd.length);
  if (nd.length === 0) return hay;
  if (!fold) {
    const k = Buffer.from(h.buffer, h.byteOffset, h.length).indexOf(
      Buffer.from(nd.buffer, nd.byteOffset, nd.length),
    );
    return k < 0 ? 0 : hay + k;
  }
  outer: for (let i = 0; i + nd.length <= h.length; i++) {
    for (let j = 0; j < nd.length; j++) if (toLower(h[i + j]) !== toLower(nd[j])) continue outer;
    return hay + i;
  }
  return 0;
}

function memmemImpl(rt: Runtime, hay: number, hl: number, needle: number, nl: number): number {
  if (nl === 0) return hay;
  if (nl > hl) return 0;
  const h = rt.mem.view(hay, hl);
  const nd = rt.mem.readBytes(needle, nl);
  chargeScan(rt, hl + nl);
  const k = Buffer.from(h.buffer, h.byteOffset, h.length).indexOf(
    Buffer.from(nd.buffer, nd.byteOffset, nd.length),
  );
  return k < 0 ? 0 : hay + k;
}

/** glibc's __chk_fail: a detected buffer overflow. */
function chkFail(fn: string, need: number, have: number): never {
  throw new Trap(
    'out-of-bounds-write',
    `${fn}: buffer overflow detected (*** buffer overflow detected ***: ${need} bytes into an object of ${have})`,
  );
}

function strcpyImpl(rt: Runtime, d: number, s: number): number {
  const n = strlenOf(rt, s);
  copy(rt, d, s, n + 1);
  return n;
}

function strncpyImpl(rt: Runtime, d: number, s: number, n: number): void {
  const len = strnlenOf(rt, s, n);
  copy(rt, d, s, len);
  if (len < n) fill(rt, d + len, 0, n - len);
}

function strcatImpl(rt: Runtime, d: number, s: number): void {
  const dl = strlenOf(rt, d);
  strcpyImpl(rt, d + dl, s);
}

function strncatImpl(rt: Runtime, d: number, s: number, n: number): void {
  const dl = strlenOf(rt, d);
  const sl = strnlenOf(rt, s, n);
  copy(rt, d + dl, s, sl);
  rt.mem.writeU8(d + dl + sl, 0);
}

/** The per-run save pointer of strtok. */
function strtokImpl(rt: Runtime, s: number, delim: number, save: { p: number }): number {
  let p = s !== 0 ? s : save.p;
  if (p === 0) return 0;
  const start = p;
  const set = byteSet(rt, delim);
  const m = rt.mem;
  while (m.readU8(p) !== 0 && set[m.readU8(p)] === 1) p++;
  if (m.readU8(p) === 0) {
    save.p = p;
    return 0;
  }
  const tok = p;
  while (m.readU8(p) !== 0 && set[m.readU8(p)] === 0) p++;
  chargeScan(rt, p - start);
  if (m.readU8(p) !== 0) {
    m.writeU8(p, 0);
    save.p = p + 1;
  } else save.p = p;
  return tok;
}

function dup(rt: Runtime, s: number, n: number): number {
  const p = rt.mem.malloc(n + 1);
  if (p === 0) return 0;
  copy(rt, p, s, n);
  rt.mem.writeU8(p + n, 0);
  return p;
}

registerExternals({
  strlen: (rt, [s]) => strlenOf(rt, ptr(s)),
  strnlen: (rt, [s, n]) => strnlenOf(rt, ptr(s), n_(n)),
  strcmp: (rt, [a, b]) => strcmpImpl(rt, ptr(a), ptr(b), Infinity, false),
  strncmp: (rt, [a, b, n]) => strcmpImpl(rt, ptr(a), ptr(b), n_(n), false),
  strcoll: (rt, [a, b]) => strcmpImpl(rt, ptr(a), ptr(b), Infinity, false),
  strcasecmp: (rt, [a, b]) => strcmpImpl(rt, ptr(a), ptr(b), Infinity, true),
  strncasecmp: (rt, [a, b, n]) => strcmpImpl(rt, ptr(a), ptr(b), n_(n), true),
  strxfrm: (rt, [d, s, n]) => {
    const len = strlenOf(rt, ptr(s));
    if (len < n_(n)) copy(rt, ptr(d), ptr(s), len + 1);
    return len;
  },
  strcpy: (rt, [d, s]) => {
    strcpyImpl(rt, ptr(d), ptr(s));
    return ptr(d);
  },
  stpcpy: (rt, [d, s]) => ptr(d) + strcpyImpl(rt, ptr(d), ptr(s)),
  strncpy: (rt, [d, s, n]) => {
    strncpyImpl(rt, ptr(d), ptr(s), n_(n));
    return ptr(d);
  },
  stpncpy: (rt, [d, s, n]) => {
    const len = strnlenOf(rt, ptr(s), n_(n));
    strncpyImpl(rt, ptr(d), ptr(s), n_(n));
    return ptr(d) + len;
  },
  strlcpy: (rt, [d, s, n]) => {
    const len = strlenOf(rt, ptr(s));
    const cap = n_(n);
    if (cap > 0) {
      const k = Math.min(len, cap - 1);
      copy(rt, ptr(d), ptr(s), k);
      rt.mem.writeU8(ptr(d) + k, 0);
    }
    return len;
  },
  strlcat: (rt, [d, s, n]) => {
    const cap = n_(n);
    const dl = strnlenOf(rt, ptr(d), cap);
    const sl = strlenOf(rt, ptr(s));
    if (dl === cap) return dl + sl;
    const k = Math.min(sl, cap - dl - 1);
    copy(rt, ptr(d) + dl, ptr(s), k);
    rt.mem.writeU8(ptr(d) + dl + k, 0);
    return dl + sl;
  },
  strcat: (rt, [d, s]) => {
    strcatImpl(rt, ptr(d), ptr(s));
    return ptr(d);
  },
  strncat: (rt, [d, s, n]) => {
    strncatImpl(rt, ptr(d), ptr(s), n_(n));
    return ptr(d);
  },
  strchr: (rt, [s, c]) => {
    const ch = Number(c) & 0xff;
    const p = ptr(s);
    for (let i = 0; ; i++) {
      const x = rt.mem.readU8(p + i);
      if (x === ch || x === 0) {
        chargeScan(rt, i);
        return x === ch ? p + i : 0;
      }
    }
  },
  index: (rt, [s, c]) => {
    const ch = Number(c) & 0xff;
    const p = ptr(s);
    for (let i = 0; ; i++) {
      const x = rt.mem.readU8(p + i);
      if (x === ch || x === 0) {
        chargeScan(rt, i);
        return x === ch ? p + i : 0;
      }
    }
  },
  strchrnul: (rt, [s, c]) => {
    const ch = Number(c) & 0xff;
    const p = ptr(s);
    for (let i = 0; ; i++) {
      const x = rt.mem.readU8(p + i);
      if (x === ch || x === 0) {
        chargeScan(rt, i);
        return p + i;
      }
    }
  },
  strrchr: (rt, [s, c]) => {
    const ch = Number(c) & 0xff;
    const p = ptr(s);
    const b = rt.mem.cstring(p);
    chargeScan(rt, b.length);
    if (ch === 0) return p + b.length;
    const k = b.lastIndexOf(ch);
    return k < 0 ? 0 : p + k;
  },
  rindex: (rt, [s, c]) => {
    const ch = Number(c) & 0xff;
    const p = ptr(s);
    const b = rt.mem.cstring(p);
    chargeScan(rt, b.length);
    if (ch === 0) return p + b.length;
    const k = b.lastIndexOf(ch);
    return k < 0 ? 0 : p + k;
  },
  strstr: (rt, [h, n]) => strstrImpl(rt, ptr(h), ptr(n), false),
  strcasestr: (rt, [h, n]) => strstrImpl(rt, ptr(h), ptr(n), true),
  memmem: (rt, [h, hl, n, nl]) => memmemImpl(rt, ptr(h), n_(hl), ptr(n), n_(nl)),
  strspn: (rt, [s, a]) => strspnImpl(rt, ptr(s), ptr(a), 1),
  strcspn: (rt, [s, r]) => strspnImpl(rt, ptr(s), ptr(r), 0),
  strpbrk: (rt, [s, a]) => {
    const i = strspnImpl(rt, ptr(s), ptr(a), 0);
    return rt.mem.readU8(ptr(s) + i) === 0 ? 0 : ptr(s) + i;
  },
  strtok: (rt, [s, d]) =>
    strtokImpl(
      rt,
      ptr(s),
      ptr(d),
      rt.state('libc.strtok', () => ({ p: 0 })),
    ),
  strtok_r: (rt, [s, d, save]) => {
    const cell = { p: ptr(s) !== 0 ? 0 : rt.mem.readPtr(ptr(save)) };
    const r = strtokImpl(rt, ptr(s), ptr(d), cell);
    rt.mem.writePtr(ptr(save), cell.p);
    return r;
  },
  __strtok_r: (rt, [s, d, save]) => {
    const cell = { p: ptr(s) !== 0 ? 0 : rt.mem.readPtr(ptr(save)) };
    const r = strtokImpl(rt, ptr(s), ptr(d), cell);
    rt.mem.writePtr(ptr(save), cell.p);
    return r;
  },
  strsep: (rt, [sp, d]) => {
    const s = rt.mem.readPtr(ptr(sp));
    if (s === 0) return 0;
    const set = byteSet(rt, ptr(d));
    let p = s;
    for (;;) {
      const c = rt.mem.readU8(p);
      if (c === 0 || set[c] === 1) chargeScan(rt, p - s);
      if (c === 0) {
        rt.mem.writePtr(ptr(sp), 0);
        return s;
      }
      if (set[c] === 1) {
        rt.mem.writeU8(p, 0);
        rt.mem.writePtr(ptr(sp), p + 1);
        return s;
      }
      p++;
    }
  },
  strdup: (rt, [s]) => dup(rt, ptr(s), strlenOf(rt, ptr(s))),
  __strdup: (rt, [s]) => dup(rt, ptr(s), strlenOf(rt, ptr(s))),
  strndup: (rt, [s, n]) => dup(rt, ptr(s), strnlenOf(rt, ptr(s), n_(n))),
  __strndup: (rt, [s, n]) => dup(rt, ptr(s), strnlenOf(rt, ptr(s), n_(n))),

  memcpy: (rt, [d, s, n]) => {
    copy(rt, ptr(d), ptr(s), n_(n));
    return ptr(d);
  },
  mempcpy: (rt, [d, s, n]) => {
    copy(rt, ptr(d), ptr(s), n_(n));
    return ptr(d) + n_(n);
  },
  __mempcpy: (rt, [d, s, n]) => {
    copy(rt, ptr(d), ptr(s), n_(n));
    return ptr(d) + n_(n);
  },
  memmove: (rt, [d, s, n]) => {
    copy(rt, ptr(d), ptr(s), n_(n));
    return ptr(d);
  },
  bcopy: (rt, [s, d, n]) => {
    copy(rt, ptr(d), ptr(s), n_(n));
  },
  memccpy: (rt, [d, s, c, n]) => {
    const ch = Number(c) & 0xff;
    const k = memchrIdx(rt, ptr(s), ch, n_(n));
    const len = k < 0 ? n_(n) : k + 1;
    copy(rt, ptr(d), ptr(s), len);
    return k < 0 ? 0 : ptr(d) + len;
  },
  memset: (rt, [d, c, n]) => {
    fill(rt, ptr(d), Number(c) & 0xff, n_(n));
    return ptr(d);
  },
  bzero: (rt, [d, n]) => {
    fill(rt, ptr(d), 0, n_(n));
  },
  explicit_bzero: (rt, [d, n]) => {
    fill(rt, ptr(d), 0, n_(n));
  },
  memcmp: (rt, [a, b, n]) => memcmpImpl(rt, ptr(a), ptr(b), n_(n)),
  bcmp: (rt, [a, b, n]) => memcmpImpl(rt, ptr(a), ptr(b), n_(n)),
  memchr: (rt, [s, c, n]) => {
    const k = memchrIdx(rt, ptr(s), Number(c) & 0xff, n_(n));
    return k < 0 ? 0 : ptr(s) + k;
  },
  rawmemchr: (rt, [s, c]) => {
    const ch = Number(c) & 0xff;
    for (let i = 0; ; i++)
      if (rt.mem.readU8(ptr(s) + i) === ch) {
        chargeScan(rt, i);
        return ptr(s) + i;
      }
  },
  memrchr: (rt, [s, c, n]) => {
    const ch = Number(c) & 0xff;
    const len = n_(n);
    if (len === 0) return 0;
    const b = rt.mem.view(ptr(s), len);
    const k = b.lastIndexOf(ch);
    chargeScan(rt, k < 0 ? len : len - k);
    return k < 0 ? 0 : ptr(s) + k;
  },
  ffs: (_rt, [x]) => {
    const v = Number(x) | 0;
    return v === 0 ? 0 : 32 - Math.clz32(v & -v);
  },
  ffsl: (_rt, [x]) => ffs64(x),
  ffsll: (_rt, [x]) => ffs64(x),

  // Fortified variants: check the destination size the compiler knew, then behave as the plain call.
  __memcpy_chk: (rt, [d, s, n, dl]) => {
    if (n_(n) > n_(dl)) chkFail('__memcpy_chk', n_(n), n_(dl));
    copy(rt, ptr(d), ptr(s), n_(n));
    return ptr(d);
  },
  __memmove_chk: (rt, [d, s, n, dl]) => {
    if (n_(n) > n_(dl)) chkFail('__memmove_chk', n_(n), n_(dl));
    copy(rt, ptr(d), ptr(s), n_(n));
    return ptr(d);
  },
  __mempcpy_chk: (rt, [d, s, n, dl]) => {
    if (n_(n) > n_(dl)) chkFail('__mempcpy_chk', n_(n), n_(dl));
    copy(rt, ptr(d), ptr(s), n_(n));
    return ptr(d) + n_(n);
  },
  __memset_chk: (rt, [d, c, n, dl]) => {
    if (n_(n) > n_(dl)) chkFail('__memset_chk', n_(n), n_(dl));
    fill(rt, ptr(d), Number(c) & 0xff, n_(n));
    return ptr(d);
  },
  __strcpy_chk: (rt, [d, s, dl]) => {
    const len = strlenOf(rt, ptr(s));
    if (len + 1 > n_(dl)) chkFail('__strcpy_chk', len + 1, n_(dl));
    copy(rt, ptr(d), ptr(s), len + 1);
    return ptr(d);
  },
  __stpcpy_chk: (rt, [d, s, dl]) => {
    const len = strlenOf(rt, ptr(s));
    if (len + 1 > n_(dl)) chkFail('__stpcpy_chk', len + 1, n_(dl));
    copy(rt, ptr(d), ptr(s), len + 1);
    return ptr(d) + len;
  },
  __strncpy_chk: (rt, [d, s, n, dl]) => {
    if (n_(n) > n_(dl)) chkFail('__strncpy_chk', n_(n), n_(dl));
    strncpyImpl(rt, ptr(d), ptr(s), n_(n));
    return ptr(d);
  },
  __stpncpy_chk: (rt, [d, s, n, dl]) => {
    if (n_(n) > n_(dl)) chkFail('__stpncpy_chk', n_(n), n_(dl));
    const len = strnlenOf(rt, ptr(s), n_(n));
    strncpyImpl(rt, ptr(d), ptr(s), n_(n));
    return ptr(d) + len;
  },
  __strcat_chk: (rt, [d, s, dl]) => {
    const need = strlenOf(rt, ptr(d)) + strlenOf(rt, ptr(s)) + 1;
    if (need > n_(dl)) chkFail('__strcat_chk', need, n_(dl));
    strcatImpl(rt, ptr(d), ptr(s));
    return ptr(d);
  },
  __strncat_chk: (rt, [d, s, n, dl]) => {
    const need = strlenOf(rt, ptr(d)) + strnlenOf(rt, ptr(s), n_(n)) + 1;
    if (need > n_(dl)) chkFail('__strncat_chk', need, n_(dl));
    strncatImpl(rt, ptr(d), ptr(s), n_(n));
    return ptr(d);
  },
  __explicit_bzero_chk: (rt, [d, n, dl]) => {
    if (n_(n) > n_(dl)) chkFail('__explicit_bzero_chk', n_(n), n_(dl));
    fill(rt, ptr(d), 0, n_(n));
  },
  __memcpy_chk_fail: () => chkFail('__chk_fail', 0, 0),
  __chk_fail: () => chkFail('__chk_fail', 0, 0),
});

function memcmpImpl(rt: Runtime, a: number, b: number, n: number): number {
  if (n === 0) return 0;
  const x = rt.mem.view(a, n);
  const y = rt.mem.view(b, n);
  for (let i = 0; i < n; i++)
    if (x[i] !== y[i]) {
      chargeScan(rt, 2 * i);
      return x[i] - y[i];
    }
  chargeScan(rt, 2 * n);
  return 0;
}

function ffs64(x: ExtValue): number {
  const v = BigInt.asUintN(64, typeof x === 'bigint' ? x : BigInt(x));
  if (v === 0n) return 0;
  let i = 1;
  let w = v;
  while ((w & 1n) === 0n) {
    w >>= 1n;
    i++;
  }
  return i;
}

// Their size_t arguments go through n_ (size): numbers do (no BigInt per call).
numericArguments([
  'memcpy',
  'memmove',
  'memset',
  'bzero',
  'memcmp',
  'bcmp',
  'memchr',
  'memrchr',
  'strncmp',
  'strncasecmp',
  'strnlen',
  'strncpy',
  'strncat',
  'strndup',
]);
