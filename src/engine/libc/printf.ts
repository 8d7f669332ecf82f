/**
 * @fileoverview Stage: engine (libc models). glibc-exact printf formatting.
 *
 * Consumes: a format string (bytes), a source of variadic arguments (`VarArgs`: the next integer-class,
 * SSE-class or x87-class argument, as the x86-64 SysV ABI hands them to printf), and a narrow view of memory
 * for %s, %ls and %n (`FormatMemory`). Produces: the output bytes and the character count, exactly as
 * glibc 2.36's vfprintf in the "C" locale: flags `-+ #0'I`, width and precision (also `*` and `*m$`),
 * positional arguments `%m$`, length modifiers hh h l ll L q j z Z t, conversions d i u o x X b B c s p n m %
 * e E f F g G a A (and C S), glibc's spellings (`(nil)`, `(null)`, `inf`, `-nan`), correctly rounded decimal
 * output for double and x86_fp80 at any precision, and glibc's printing of unknown conversions.
 */
import { decodeDouble, decodeFp80 } from './fpconv.js';
import { ByteSink, emitFloat, type Spec } from './printf-float.js';

export { ByteSink } from './printf-float.js';

/** The variadic arguments of a printf-family call, consumed in order by class. */
export interface VarArgs {
  /** The next integer-class argument, low 32 bits as a signed int32. */
  int(): number;
  /** The next integer-class argument as a signed 64-bit value. */
  long(): bigint;
  /** The next SSE-class argument (a double; floats are promoted by the caller). */
  double(): number;
  /** The next x87-class argument: a long double's raw 80-bit pattern. */
  longDouble(): bigint;
  /** The next integer-class argument as a pointer (a number); `long()` made unsigned when absent. */
  ptr?(): number;
  /** `long()` as a number when it is exactly one (|v| < 2^53), else the bigint; `long()` when absent. */
  long53?(): number | bigint;
}

/** What the formatter needs from memory. Accessors throw the engine's traps on bad addresses. */
export interface FormatMemory {
  /** The bytes of the NUL-terminated string at `addr`, excluding the NUL, reading at most `max` bytes if max >= 0. */
  cstring(addr: number, max: number): Uint8Array;
  /** The wide characters (int32) of the NUL-terminated wide string at `addr`, at most `max` if max >= 0. */
  wstring(addr: number, max: number): number[];
  /** Store the low `size` bytes of `value` at `addr` (for %n). */
  store(addr: number, size: number, value: bigint): void;
  /** The message for the current errno (for %m). */
  errnoMessage(): string;
  /** Charge steps of formatting work to the run (cost.ts); may throw the step-limit trap. */
  charge?(units: number): void;
}

export interface FormatResult {
  /** The bytes produced (also when an error stopped formatting part way). */
  readonly bytes: Uint8Array;
  /** The return value of printf: the number of bytes, or -1 on an error. */
  readonly ret: number;
  /** errno value to set when ret is -1 (EILSEQ, EINVAL, EOVERFLOW). */
  readonly errno?: number;
}

/** Options of one formatting call. */
export interface FormatOptions {
  /** Store at most this many bytes (snprintf's size - 1); the rest is only counted, as glibc does. */
  readonly limit?: number;
}

export const EILSEQ = 84;
export const EINVAL = 22;
export const EOVERFLOW = 75;

const C_PCT = 37;
const C_DOLLAR = 36;

/** The arguments already read, for positional mode. */
type ArgKind = 'int' | 'long' | 'double' | 'ldouble';

/** Argument kind of a conversion (undefined: takes no argument). */
function argKind(s: Spec): ArgKind | undefined {
  switch (s.conv) {
    case 100: // d
    case 105: // i
    case 117: // u
    case 111: // o
    case 120: // x
    case 88: // X
    case 98: // b
    case 66: // B
      return s.len >= 3 ? 'long' : 'int';
    case 99: // c
    case 67: // C
      return 'int';
    case 115: // s
    case 83: // S
    case 112: // p
    case 110: // n
      return 'long';
    case 101: // e
    case 69:
    case 102: // f
    case 70:
    case 103: // g
    case 71:
    case 97: // a
    case 65:
      return s.ldbl ? 'ldouble' : 'double';
    default:
      return undefined;
  }
}

/** Where the last `numberAt` stopped. */
let numEnd = 0;

/** Read a decimal number at fmt[i..] (saturating at 2^31); the index after it is left in `numEnd`. */
function numberAt(fmt: Uint8Array, i: number): number {
  let v = 0;
  while (i < fmt.length && fmt[i]! >= 48 && fmt[i]! <= 57) {
    v = v * 10 + (fmt[i]! - 48);
    if (v > 0x7fffffff) v = 0x80000000;
    i++;
  }
  numEnd = i;
  return v;
}

/** Read a decimal number at fmt[i..]; returns [value, next index]; value saturates at 2^31. */
function readNum(fmt: Uint8Array, i: number): [number, number] {
  const v = numberAt(fmt, i);
  return [v, numEnd];
}

/** A source of arguments: sequential from VarArgs, or pre-read positional values. */
interface ArgReader {
  int(pos: number): number;
  long(pos: number): bigint;
  /** `long` as a number when it is exactly one, else the bigint. */
  longish(pos: number): number | bigint;
  /** An address argument (%s), unsigned, without a BigInt when the source can. */
  addr(pos: number): number;
  double(pos: number): number;
  ldouble(pos: number): bigint;
}

/**
 * Arguments in order from VarArgs. One reader serves every call (`sequentialReader` points it at the call's
 * arguments): printf runs in loops, and a reader of closures per call was a tenth of its allocation.
 */
class SequentialReader implements ArgReader {
  a: VarArgs = { int: () => 0, long: () => 0n, double: () => 0, longDouble: () => 0n };
  int(): number {
    return this.a.int();
  }
  long(): bigint {
    return this.a.long();
  }
  longish(): number | bigint {
    return this.a.long53 !== undefined ? this.a.long53() : this.a.long();
  }
  addr(): number {
    if (this.a.ptr === undefined) return Number(BigInt.asUintN(64, this.a.long()));
    const v = this.a.ptr();
    return v < 0 ? v + 2 ** 64 : v;
  }
  double(): number {
    return this.a.double();
  }
  ldouble(): bigint {
    return this.a.longDouble();
  }
}

const SEQUENTIAL = new SequentialReader();

function sequentialReader(a: VarArgs): ArgReader {
  SEQUENTIAL.a = a;
  return SEQUENTIAL;
}

/** Format a printf format string. */
export function formatPrintf(
  fmt: Uint8Array,
  args: VarArgs,
  mem: FormatMemory,
  o: FormatOptions = {},
): FormatResult {
  const r = formatShared(fmt, args, mem, o);
  return { ...r, bytes: r.bytes.slice() };
}

/** The sink `formatShared` reuses. */
const SHARED = new ByteSink();

/**
 * `formatPrintf` with the bytes as a view of a buffer that the next call reuses: for callers that copy
 * them at once (the stdio models), so a call allocates no output buffer.
 */
export function formatShared(
  fmt: Uint8Array,
  args: VarArgs,
  mem: FormatMemory,
  o: FormatOptions = {},
): FormatResult {
  const out = SHARED;
  out.reset(o.limit ?? Infinity, mem.charge);
  const r = formatInto(out, fmt, args, mem);
  mem.charge?.(out.finish());
  return r;
}

function formatInto(out: ByteSink, fmt: Uint8Array, args: VarArgs, mem: FormatMemory): FormatResult {
  // glibc switches to positional processing when the first specification has `n$`; find out.
  const positional = firstSpecIsPositional(fmt);
  const reader = positional ? positionalReader(fmt, args) : sequentialReader(args);
  const s: Spec = {
    left: false,
    showsign: false,
    space: false,
    alt: false,
    zero: false,
    group: false,
    i18n: false,
    width: 0,
    prec: -1,
    len: 0,
    ldbl: false,
    conv: 0,
  };
  let nextArg = 1;
  const n = fmt.length;
  let i = 0;
  while (i < n) {
    const c = fmt[i];
    if (c !== C_PCT) {
      // Copy a run of literal bytes.
      let j = i + 1;
      while (j < n && fmt[j] !== C_PCT) j++;
      out.range(fmt, i, j);
      i = j;
      continue;
    }
    i++;
    // One specification object per call, reset for each conversion (conversions change it, nothing keeps it).
    s.left = s.showsign = s.space = s.alt = s.zero = s.group = s.i18n = s.ldbl = false;
    s.width = s.len = s.conv = 0;
    s.prec = -1;
    let argPos = 0;
    if (positional) {
      const [v, j] = readNum(fmt, i);
      if (j > i && fmt[j] === C_DOLLAR) {
        argPos = v;
        i = j + 1;
      }
    }
    i = parseFlags(fmt, i, s);
    // Width.
    if (fmt[i] === 42) {
      i++;
      let w: number;
      const [v, j] = readNum(fmt, i);
      if (positional && j > i && fmt[j] === C_DOLLAR) {
        w = reader.int(v);
        i = j + 1;
      } else w = reader.int(nextArg++);
      if (w < 0) {
        s.left = true;
        w = w === -0x80000000 ? 0x80000000 : -w;
      }
      s.width = w;
    } else if (fmt[i] >= 48 && fmt[i] <= 57) {
      s.width = numberAt(fmt, i);
      i = numEnd;
    }
    // Precision.
    if (fmt[i] === 46) {
      i++;
      if (fmt[i] === 42) {
        i++;
        let p: number;
        const [v, j] = readNum(fmt, i);
        if (positional && j > i && fmt[j] === C_DOLLAR) {
          p = reader.int(v);
          i = j + 1;
        } else p = reader.int(nextArg++);
        s.prec = p < 0 ? -1 : p;
      } else {
        s.prec = numberAt(fmt, i);
        i = numEnd;
      }
    }
    if (s.width >= 0x7fffffff || s.prec >= 0x7fffffff) {
      return { bytes: out.view(), ret: -1, errno: EOVERFLOW };
    }
    i = parseLength(fmt, i, s);
    if (i >= n) {
      // The format ended inside a specification.
      return { bytes: out.view(), ret: -1, errno: EINVAL };
    }
    s.conv = fmt[i++];
    if (s.left) s.zero = false;
    if (s.showsign) s.space = false;
    const pos = argPos > 0 ? argPos : argKind(s) !== undefined ? nextArg++ : 0;
    const err = convert(out, s, pos, reader, mem);
    if (err !== 0) return { bytes: out.view(), ret: -1, errno: err };
  }
  if (out.len > 0x7fffffff) return { bytes: out.view(), ret: -1, errno: EOVERFLOW };
  return { bytes: out.view(), ret: out.len };
}

/** The flags `-+ #0'I` at fmt[i..], set in s; returns the index after them. */
function parseFlags(fmt: Uint8Array, i: number, s: Spec): number {
  for (; i < fmt.length; i++) {
    const f = fmt[i];
    if (f === 45) s.left = true;
    else if (f === 43) s.showsign = true;
    else if (f === 32) s.space = true;
    else if (f === 35) s.alt = true;
    else if (f === 48) s.zero = true;
    else if (f === 39) s.group = true;
    else if (f === 73) s.i18n = true;
    else break;
  }
  return i;
}

/** The length modifier at fmt[i] (hh h l ll L q j z Z t), set in s; returns the index after it. */
function parseLength(fmt: Uint8Array, i: number, s: Spec): number {
  const l = fmt[i];
  if (l === 104) {
    i++;
    if (fmt[i] === 104) {
      i++;
      s.len = 1;
    } else s.len = 2;
  } else if (l === 108) {
    i++;
    if (fmt[i] === 108) {
      i++;
      s.len = 4;
      s.ldbl = true;
    } else s.len = 3;
  } else if (l === 76 || l === 113) {
    i++;
    s.len = 4;
    s.ldbl = true;
  } else if (l === 106 || l === 122 || l === 90 || l === 116) {
    i++;
    s.len = 5;
  }
  return i;
}

/** Whether the first conversion of the format is positional (`%n$`). */
function firstSpecIsPositional(fmt: Uint8Array): boolean {
  for (let i = 0; i < fmt.length; i++) {
    if (fmt[i] !== C_PCT) continue;
    if (fmt[i + 1] === C_PCT) {
      i++;
      continue;
    }
    const [, j] = readNum(fmt, i + 1);
    return j > i + 1 && fmt[j] === C_DOLLAR;
  }
  return false;
}

/**
 * Positional mode: scan all specifications, find the kind of every argument position, then read them all in
 * order (as glibc's printf_positional does) and serve them by position.
 */
function positionalReader(fmt: Uint8Array, args: VarArgs): ArgReader {
  const kinds: ArgKind[] = [];
  const note = (p: number, k: ArgKind): void => {
    if (p > 0 && kinds[p] === undefined) kinds[p] = k;
  };
  const n = fmt.length;
  let next = 1;
  for (let i = 0; i < n; i++) {
    if (fmt[i] !== C_PCT) continue;
    i++;
    if (fmt[i] === C_PCT) continue;
    let pos = 0;
    let [v, j] = readNum(fmt, i);
    if (j > i && fmt[j] === C_DOLLAR) {
      pos = v;
      i = j + 1;
    }
    const s = { len: 0, ldbl: false, conv: 0 } as Spec;
    i = parseFlags(fmt, i, s);
    if (fmt[i] === 42) {
      i++;
      [v, j] = readNum(fmt, i);
      if (j > i && fmt[j] === C_DOLLAR) {
        note(v, 'int');
        i = j + 1;
      } else note(next++, 'int');
    } else [, i] = readNum(fmt, i);
    if (fmt[i] === 46) {
      i++;
      if (fmt[i] === 42) {
        i++;
        [v, j] = readNum(fmt, i);
        if (j > i && fmt[j] === C_DOLLAR) {
          note(v, 'int');
          i = j + 1;
        } else note(next++, 'int');
      } else [, i] = readNum(fmt, i);
    }
    i = parseLength(fmt, i, s);
    s.conv = fmt[i];
    const k = argKind(s);
    if (k !== undefined) note(pos > 0 ? pos : next++, k);
  }
  const vals: (number | bigint)[] = [];
  for (let p = 1; p < kinds.length; p++) {
    const k = kinds[p] ?? 'int';
    vals[p] =
      k === 'int'
        ? args.int()
        : k === 'long'
          ? args.long()
          : k === 'double'
            ? args.double()
            : args.longDouble();
  }
  const get = (p: number): number | bigint => vals[p] ?? 0;
  return {
    int: (p) => {
      const v = get(p);
      return typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : v | 0;
    },
    long: (p) => {
      const v = get(p);
      return typeof v === 'bigint' ? v : BigInt(v | 0);
    },
    longish: (p) => {
      const v = get(p);
      return typeof v === 'bigint' ? v : v | 0;
    },
    addr: (p) => {
      const v = get(p);
      return Number(BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(v | 0)));
    },
    double: (p) => Number(get(p)),
    ldouble: (p) => {
      const v = get(p);
      return typeof v === 'bigint' ? v : 0n;
    },
  };
}

/** Perform one conversion. Returns 0 or an errno value. */
function convert(out: ByteSink, s: Spec, pos: number, rd: ArgReader, mem: FormatMemory): number {
  switch (s.conv) {
    case C_PCT:
      out.byte(C_PCT);
      return 0;
    case 100:
    case 105:
      return convertSigned(out, s, pos, rd);
    case 117:
    case 111:
    case 120:
    case 88:
    case 98:
    case 66:
      return convertUnsigned(out, s, pos, rd);
    case 112: {
      const v = BigInt.asUintN(64, rd.long(pos));
      if (v === 0n) {
        s.prec = -1;
        emitString(out, s, asciiBytes('(nil)'));
        return 0;
      }
      s.alt = true;
      s.conv = 120;
      emitInteger(out, s, false, digitsOfBig(v, 16), false, 16);
      return 0;
    }
    case 99:
    case 67: {
      const x = rd.int(pos);
      if (s.conv === 67 || s.len === 3) {
        if (x >>> 0 > 0x7f) return EILSEQ;
      }
      // Through a scratch byte (the sink copies it at once), not an array per call.
      CHAR[0] = x & 0xff;
      emitString(out, s, CHAR);
      return 0;
    }
    case 115:
    case 83:
      return convertString(out, s, pos, rd, mem);
    case 109: {
      s.prec = -1;
      emitString(out, s, asciiBytes(mem.errnoMessage()));
      return 0;
    }
    case 110: {
      const addr = Number(BigInt.asUintN(64, rd.long(pos)));
      const size = s.len === 1 ? 1 : s.len === 2 ? 2 : s.len >= 3 ? 8 : 4;
      mem.store(addr, size, BigInt(out.len));
      return 0;
    }
    case 101:
    case 69:
    case 102:
    case 70:
    case 103:
    case 71:
    case 97:
    case 65: {
      if (s.ldbl) emitFloat(out, s, decodeFp80(rd.ldouble(pos)), true, 0);
      else {
        const x = rd.double(pos);
        emitFloat(out, s, decodeDouble(x), false, x);
      }
      return 0;
    }
    default:
      return printUnknown(out, s);
  }
}

/** %d %i: a signed integer of the length modifier's size. */
function convertSigned(out: ByteSink, s: Spec, pos: number, rd: ArgReader): number {
  let v: number | bigint;
  if (s.len >= 3) v = rd.longish(pos);
  else {
    let x = rd.int(pos);
    if (s.len === 1) x = (x << 24) >> 24;
    else if (s.len === 2) x = (x << 16) >> 16;
    v = x;
  }
  const neg = v < 0;
  const from = typeof v === 'bigint' ? digitsOfBig(neg ? -v : v, 10) : digitsOf(neg ? -v : v, 10, false);
  emitInteger(out, s, neg, from, v === 0 || v === 0n, 10);
  return 0;
}

/** %u %o %x %X %b %B: an unsigned integer of the length modifier's size. */
function convertUnsigned(out: ByteSink, s: Spec, pos: number, rd: ArgReader): number {
  let v: number | bigint;
  if (s.len >= 3) {
    v = rd.longish(pos);
    if (typeof v === 'bigint' || v < 0) v = BigInt.asUintN(64, BigInt(v));
  } else {
    let x = rd.int(pos);
    if (s.len === 1) x &= 0xff;
    else if (s.len === 2) x &= 0xffff;
    v = x >>> 0;
  }
  const base = s.conv === 117 ? 10 : s.conv === 111 ? 8 : s.conv === 98 || s.conv === 66 ? 2 : 16;
  const upper = s.conv === 88;
  const from = typeof v === 'bigint' ? digitsOfBig(v, base, upper) : digitsOf(v, base, upper);
  s.showsign = false;
  s.space = false;
  emitInteger(out, s, false, from, v === 0 || v === 0n, base);
  return 0;
}

/**
 * Digits of integers are written right-aligned into DIGITS: `digitsOf` returns where they start (they
 * end at DIGITS_END). Room for 64 binary digits and an octal `0` prefix.
 */
const DIGITS = new Uint8Array(72);
const DIGITS_END = 72;
const DIGIT_CHARS = asciiBytes('0123456789abcdef');
const DIGIT_CHARS_UPPER = asciiBytes('0123456789ABCDEF');

/** The digits of m (a non-negative integer below 2^53) in `base`, into DIGITS; returns their start. */
function digitsOf(m: number, base: number, upper: boolean): number {
  const chars = upper ? DIGIT_CHARS_UPPER : DIGIT_CHARS;
  let i = DIGITS_END;
  if (m < 0x80000000) {
    let x = m | 0;
    do {
      const q = (x / base) | 0;
      DIGITS[--i] = chars[x - q * base]!;
      x = q;
    } while (x !== 0);
    return i;
  }
  do {
    const q = Math.floor(m / base);
    DIGITS[--i] = chars[m - q * base]!;
    m = q;
  } while (m !== 0);
  return i;
}

/** `digitsOf` for a bigint (non-negative, below 2^64). */
function digitsOfBig(m: bigint, base: number, upper = false): number {
  const t = m.toString(base);
  const d = upper ? t.toUpperCase() : t;
  const i = DIGITS_END - d.length;
  for (let k = 0; k < d.length; k++) DIGITS[i + k] = d.charCodeAt(k);
  return i;
}

/** %s %S (and %ls): a narrow or wide string; a null pointer prints `(null)` when the precision allows. */
function convertString(out: ByteSink, s: Spec, pos: number, rd: ArgReader, mem: FormatMemory): number {
  const addr = rd.addr(pos);
  if (s.conv === 83 || s.len === 3) {
    if (addr === 0) {
      emitString(out, s, asciiBytes(s.prec < 0 || s.prec >= 6 ? '(null)' : ''));
      return 0;
    }
    // Wide string: each character must be ASCII in the C locale; the precision counts bytes.
    const w = mem.wstring(addr, s.prec);
    const b = new Uint8Array(w.length);
    for (let k = 0; k < w.length; k++) {
      if (w[k] >>> 0 > 0x7f) return EILSEQ;
      b[k] = w[k];
    }
    s.prec = -1;
    emitString(out, s, b);
    return 0;
  }
  if (addr === 0) {
    emitString(out, s, asciiBytes(s.prec < 0 || s.prec >= 6 ? '(null)' : ''));
    return 0;
  }
  const b = mem.cstring(addr, s.prec);
  s.prec = -1;
  emitString(out, s, b);
  return 0;
}

/** glibc's __printf_unknown: re-print the specification from its parsed parts. */
function printUnknown(out: ByteSink, s: Spec): number {
  if (s.conv === 0) return EINVAL;
  out.byte(C_PCT);
  if (s.alt) out.byte(35);
  if (s.group) out.byte(39);
  if (s.showsign) out.byte(43);
  else if (s.space) out.byte(32);
  if (s.left) out.byte(45);
  if (s.zero) out.byte(48);
  if (s.i18n) out.byte(73);
  if (s.width !== 0) out.ascii(String(s.width));
  if (s.prec !== -1) out.ascii('.' + String(s.prec));
  out.byte(s.conv);
  return 0;
}

/** %c's byte. */
const CHAR = new Uint8Array(1);

function asciiBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/** Pad a byte string to the width (%s, %c, %p's "(nil)"). */
function emitString(out: ByteSink, s: Spec, b: Uint8Array): void {
  const pad = s.width - b.length;
  if (!s.left) out.repeat(32, pad);
  out.bytes(b);
  if (s.left) out.repeat(32, pad);
}

/** glibc's integer output: precision, `#` prefixes, sign, zero or space padding. */
function emitInteger(
  out: ByteSink,
  s: Spec,
  neg: boolean,
  from: number,
  isZero: boolean,
  base: number,
): void {
  let prec = s.prec;
  let zeroPad = s.zero;
  if (prec < 0) prec = 1;
  else zeroPad = false;
  if (prec === 0 && isZero) from = DIGITS_END;
  if (base === 8 && s.alt && (from === DIGITS_END || DIGITS[from] !== 48)) DIGITS[--from] = 48;
  const n = DIGITS_END - from;
  const zeros = Math.max(0, prec - n);
  const sign = neg ? 45 : s.showsign ? 43 : s.space ? 32 : 0;
  const alt = s.alt && !isZero && (base === 16 || base === 2) ? s.conv : 0;
  const len = (sign !== 0 ? 1 : 0) + (alt !== 0 ? 2 : 0) + zeros + n;
  const pad = s.width - len;
  if (!s.left && !zeroPad) out.repeat(32, pad);
  if (sign !== 0) out.byte(sign);
  if (alt !== 0) {
    out.byte(48);
    out.byte(alt);
  }
  out.repeat(48, zeroPad && !s.left ? zeros + Math.max(0, pad) : zeros);
  out.range(DIGITS, from, DIGITS_END);
  if (s.left) out.repeat(32, pad);
}

// ---------------------------------------------------------------------------------------------------
// Argument sources

/** A boxed argument as the engine passes it to external handlers. */
export type Boxed = number | bigint;

/** The class of a boxed variadic argument per the SysV ABI. */
export type ArgClass = 'int' | 'sse' | 'x87';

/**
 * Variadic arguments from boxed values of a direct call, distributed as the SysV ABI does: integer-class
 * arguments go to the 6 general registers (after `gpUsed` fixed ones) then to the stack, SSE-class ones to
 * the 8 vector registers (after `fpUsed`) then to the stack, x87 (long double) always to the stack. Reading
 * with a mismatched conversion therefore yields what native code would read, as long as registers are
 * involved; on the stack every slot is 8 bytes (long double 16, aligned).
 */
export function boxedVarArgs(
  vals: readonly Boxed[],
  classes: readonly ArgClass[],
  gpUsed: number,
  fpUsed = 0,
): VarArgs {
  const gp: Boxed[] = [];
  const fp: number[] = [];
  const stack: { cls: ArgClass; v: Boxed }[] = [];
  let ngp = gpUsed;
  let nfp = fpUsed;
  for (let k = 0; k < vals.length; k++) {
    const cls = classes[k];
    const v = vals[k];
    if (cls === 'int' && ngp < 6) {
      gp.push(v);
      ngp++;
    } else if (cls === 'sse' && nfp < 8) {
      fp.push(Number(v));
      nfp++;
    } else stack.push({ cls, v });
  }
  let gi = 0;
  let fi = 0;
  let si = 0;
  let gpn = gpUsed;
  let fpn = fpUsed;
  const asLong = (v: Boxed, cls: ArgClass): bigint => {
    if (typeof v === 'bigint') return BigInt.asIntN(64, v);
    if (cls === 'sse') return BigInt.asIntN(64, doubleBitsOf(v));
    return BigInt(Math.trunc(v));
  };
  const nextGp = (): bigint => {
    if (gpn < 6) {
      gpn++;
      const v = gp[gi++];
      return v === undefined ? 0n : asLong(v, 'int');
    }
    const st = stack[si++];
    return st === undefined ? 0n : asLong(st.v, st.cls);
  };
  return {
    int: () => Number(BigInt.asIntN(32, nextGp())),
    long: nextGp,
    long53: () => {
      const v = nextGp();
      return v >= -SAFE && v <= SAFE ? Number(v) : v;
    },
    double: () => {
      if (fpn < 8) {
        fpn++;
        return fp[fi++] ?? 0;
      }
      const st = stack[si++];
      if (st === undefined) return 0;
      return st.cls === 'sse' ? Number(st.v) : 0;
    },
    longDouble: () => {
      const st = stack[si++];
      if (st === undefined) return 0n;
      return st.cls === 'x87' && typeof st.v === 'bigint' ? st.v : 0n;
    },
  };
}

/** The largest integer a number holds exactly, 2^53 - 1. */
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const bitsView = new DataView(new ArrayBuffer(8));
function doubleBitsOf(x: number): bigint {
  bitsView.setFloat64(0, x, true);
  return bitsView.getBigUint64(0, true);
}
