/**
 * @fileoverview Stage: engine (libc models). glibc-exact scanf: the state machine of glibc 2.36's
 * vfscanf-internal.c in the "C" locale, over an abstract input with one character of push-back.
 *
 * Consumes: a format string (bytes), an input (`ScanInput`: sscanf's string or a FILE stream), the
 * pointer arguments in order (`VarArgs.long()`), and a narrow memory view for the stores (`ScanMemory`).
 * Produces: the return value (assignments done, or -1 for an input failure before the first conversion)
 * after performing the stores. Conversions: d i u o x X p n c s [set] e E f F g G a A and %%, with widths,
 * `*` suppression, the `m` allocation flag, and length modifiers hh h l ll L q j z t. Numbers are collected
 * exactly as glibc does (greedy, one character of look-ahead, so "100ergs" reads 100 and loses the `e`)
 * and converted with the strtol/strtod models.
 */
import type { VarArgs } from './printf.js';
import { isSpace, parseDouble, parseFloat32, parseFp80, parseInteger } from './strto.js';

/** The input of a scanf call: a string or a stream. `get` returns -1 at end of input. */
export interface ScanInput {
  get(): number;
  /** Push back the last character read (never called with -1 effectively: ignored then). */
  unget(c: number): void;
}

export interface ScanMemory {
  /** Store the low `size` bytes of `value`. */
  store(addr: number, size: number, value: bigint): void;
  /** `store` of an integer below 2^53 in magnitude, without a bigint. */
  storeNum?(addr: number, size: number, value: number): void;
  storeBytes(addr: number, bytes: Uint8Array): void;
  storeF32(addr: number, v: number): void;
  storeF64(addr: number, v: number): void;
  storeF80(addr: number, bits: bigint): void;
  /** malloc for the `m` flag; returns 0 on failure. */
  alloc(size: number): number;
}

/** An input over bytes (sscanf): stops at `end`. */
export class BytesInput implements ScanInput {
  pos: number;
  constructor(
    private readonly b: Uint8Array,
    start = 0,
    private readonly end = b.length,
  ) {
    this.pos = start;
  }
  get(): number {
    return this.pos < this.end ? this.b[this.pos++] : -1;
  }
  unget(c: number): void {
    if (c >= 0) this.pos--;
  }
}

class Failure {
  constructor(readonly input: boolean) {}
}

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isXDigit(c: number): boolean {
  return isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** Perform a scanf. Returns the number of assignments, or -1 (EOF). */
export function performScanf(fmt: Uint8Array, input: ScanInput, args: VarArgs, mem: ScanMemory): number {
  const sc = new Scanner(fmt, input, args, mem);
  try {
    sc.run();
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    if (e.input && sc.done === 0) return -1;
  }
  return sc.done;
}

/**
 * One scanf call: the position in the format and the input, and the specification being performed
 * (glibc's vfscanf locals). A failure throws `Failure`; the assignments done so far stay in `done`.
 */
class Scanner {
  /** Assignments done. */
  done = 0;
  /** Characters consumed from the input (for %n). */
  private readIn = 0;
  /** A format whitespace asks to skip input whitespace before the next directive. */
  private skipSpace = false;
  /** Position in the format. */
  private f = 0;
  // The current specification: `*`, `m`, the field width (-1: none), the length (1 hh, 2 h, 3 l j z t,
  // 4 ll L q).
  private suppress = false;
  private malloc = false;
  private width = 0;
  private len = 0;

  constructor(
    private readonly fmt: Uint8Array,
    private readonly input: ScanInput,
    private readonly args: VarArgs,
    private readonly mem: ScanMemory,
  ) {}

  inchar(): number {
    const c = this.input.get();
    if (c >= 0) this.readIn++;
    return c;
  }
  ungetc(c: number): void {
    if (c >= 0) {
      this.input.unget(c);
      this.readIn--;
    }
  }
  inputError(): never {
    throw new Failure(true);
  }
  convError(): never {
    throw new Failure(false);
  }
  private ptrArg(): number {
    const a = this.args;
    if (a.ptr === undefined) return Number(BigInt.asUintN(64, a.long()));
    const v = a.ptr();
    return v < 0 ? v + 2 ** 64 : v;
  }

  run(): void {
    const fmt = this.fmt;
    const n = fmt.length;
    while (this.f < n) {
      const fc0 = fmt[this.f++];
      if (fc0 !== 37) this.literal(fc0);
      else {
        const fc = this.parseSpec();
        if (this.skipSpace || (fc !== 91 && fc !== 99 && fc !== 67 && fc !== 110)) {
          this.skipInputSpace();
          this.skipSpace = false;
        }
        this.convert(fc);
      }
    }
    if (this.skipSpace) this.skipInputSpace();
  }

  /** A format byte outside a specification: whitespace skips input whitespace, others must match. */
  private literal(fc0: number): void {
    if (isSpace(fc0)) {
      this.skipSpace = true;
      return;
    }
    let c = this.inchar();
    if (c < 0) this.inputError();
    if (this.skipSpace) {
      while (isSpace(c)) {
        c = this.inchar();
        if (c < 0) this.inputError();
      }
      this.skipSpace = false;
    }
    if (c !== fc0) {
      this.ungetc(c);
      this.convError();
    }
  }

  private skipInputSpace(): void {
    let c: number;
    do c = this.inchar();
    while (isSpace(c));
    this.ungetc(c);
  }

  /** Flags, width, `m` and length after a `%`; returns the conversion character. */
  private parseSpec(): number {
    const fmt = this.fmt;
    const n = fmt.length;
    let f = this.f;
    // Flags: '*' suppression, '\'' grouping (no effect in C), 'I', 'm' allocation.
    this.suppress = false;
    this.malloc = false;
    for (;;) {
      const x = fmt[f];
      if (x === 42) this.suppress = true;
      else if (x === 39 || x === 73) {
        /* no effect in the C locale */
      } else break;
      f++;
    }
    let width = 0;
    while (f < n && isDigit(fmt[f])) width = Math.min(width * 10 + (fmt[f++] - 48), 0x7fffffff);
    this.width = width === 0 ? -1 : width;
    if (fmt[f] === 109) {
      this.malloc = true;
      f++;
    }
    let len = 0;
    const l = fmt[f];
    if (l === 104) {
      f++;
      if (fmt[f] === 104) {
        f++;
        len = 1;
      } else len = 2;
    } else if (l === 108) {
      f++;
      if (fmt[f] === 108) {
        f++;
        len = 4;
      } else len = 3;
    } else if (l === 76 || l === 113) {
      f++;
      len = 4;
    } else if (l === 106 || l === 122 || l === 116 || l === 90) {
      f++;
      len = 3;
    }
    this.len = len;
    if (f >= n) {
      this.f = f;
      this.convError();
    }
    this.f = f + 1;
    return fmt[f];
  }

  private convert(fc: number): void {
    switch (fc) {
      case 37: {
        const c = this.inchar();
        if (c < 0) this.inputError();
        if (c !== 37) {
          this.ungetc(c);
          this.convError();
        }
        return;
      }
      case 110:
        if (!this.suppress) {
          const len = this.len;
          const size = len === 1 ? 1 : len === 2 ? 2 : len >= 3 ? 8 : 4;
          this.mem.store(this.ptrArg(), size, BigInt(this.readIn));
        }
        return;
      case 99:
      case 67:
        return this.scanChars(fc === 67 || this.len === 3);
      case 115:
      case 83:
        return this.scanString(fc === 83 || this.len === 3);
      case 91:
        return this.scanSet(this.len === 3);
      case 100:
      case 105:
      case 117:
      case 111:
      case 120:
      case 88:
      case 112:
        return this.scanInt(fc);
      case 101:
      case 69:
      case 102:
      case 70:
      case 103:
      case 71:
      case 97:
      case 65:
        return this.scanFloat();
      default:
        this.convError();
    }
  }

  /** Store the collected characters of %c, %s or %[ and count the assignment (unless suppressed). */
  private storeString(chars: number[], wide: boolean, nul: boolean): void {
    if (this.suppress) return;
    storeChars(this.mem, this.ptrArg(), chars, wide, this.malloc, nul);
    this.done++;
  }

  /** %c: exactly `width` characters (default 1), whitespace included, no NUL. */
  private scanChars(wide: boolean): void {
    let width = this.width === -1 ? 1 : this.width;
    const chars: number[] = [];
    let c = this.inchar();
    if (c < 0) this.inputError();
    do chars.push(c);
    while (--width > 0 && (c = this.inchar()) >= 0);
    this.storeString(chars, wide, false);
  }

  /** %s: a run of non-whitespace characters. */
  private scanString(wide: boolean): void {
    let width = this.width;
    const chars: number[] = [];
    let c = this.inchar();
    if (c < 0) this.inputError();
    do {
      if (isSpace(c)) {
        this.ungetc(c);
        break;
      }
      chars.push(c);
    } while ((width <= 0 || --width > 0) && (c = this.inchar()) >= 0);
    this.storeString(chars, wide, true);
  }

  /** %[set] and %[^set]: the set is parsed from the format, then a non-empty run of its characters read. */
  private scanSet(wide: boolean): void {
    const fmt = this.fmt;
    const n = fmt.length;
    let f = this.f;
    let notIn = false;
    if (fmt[f] === 94) {
      f++;
      notIn = true;
    }
    let width = this.width < 0 ? 0x7fffffff : this.width;
    const set = new Uint8Array(256);
    let x = fmt[f];
    if (x === 93 || x === 45) {
      set[x] = 1;
      f++;
    }
    for (;;) {
      if (f >= n) {
        this.f = f;
        this.convError();
      }
      x = fmt[f++];
      if (x === 93) break;
      if (x === 45 && f < n && fmt[f] !== 93 && fmt[f - 2] <= fmt[f]) {
        for (let k = fmt[f - 2]; k < fmt[f]; k++) set[k] = 1;
      } else set[x] = 1;
    }
    this.f = f;
    const chars: number[] = [];
    let c = this.inchar();
    if (c < 0) this.inputError();
    do {
      if ((set[c] === 1) === notIn) {
        this.ungetc(c);
        break;
      }
      chars.push(c);
    } while (--width > 0 && (c = this.inchar()) >= 0);
    if (chars.length === 0) this.convError();
    this.storeString(chars, wide, true);
  }

  /** %d %i %u %o %x %X %p: collected as glibc does, converted with the strtol model. */
  private scanInt(fc: number): void {
    const base = fc === 100 || fc === 117 ? 10 : fc === 105 ? 0 : fc === 111 ? 8 : 16;
    const signed = fc === 100 || fc === 105;
    const n = scanInteger(this, base, this.width);
    if (this.suppress) return;
    const len = this.len;
    const size = fc === 112 || len >= 3 ? 8 : len === 2 ? 2 : len === 1 ? 1 : 4;
    // Most numbers are short: their value as a number is strtol's (no saturation below 2^53).
    const small = this.mem.storeNum !== undefined ? smallInteger(INT_CHARS, n, intBase) : undefined;
    if (small !== undefined) this.mem.storeNum!(this.ptrArg(), size, small);
    else {
      const v = parseInteger(INT_CHARS.subarray(0, n), 0, intBase, signed).value;
      this.mem.store(this.ptrArg(), size, v);
    }
    this.done++;
  }

  /** %e %f %g %a (any case): float, double (l) or long double (L), with the strtod models. */
  private scanFloat(): void {
    const buf = scanFloatChars(this, this.width);
    const suppress = this.suppress;
    if (this.len === 4) {
      const r = parseFp80(buf, 0);
      if (r.end === 0) this.convError();
      if (!suppress) this.mem.storeF80(this.ptrArg(), r.value);
    } else if (this.len === 3) {
      const r = parseDouble(buf, 0);
      if (r.end === 0) this.convError();
      if (!suppress) this.mem.storeF64(this.ptrArg(), r.value);
    } else {
      const r = parseFloat32(buf, 0);
      if (r.end === 0) this.convError();
      if (!suppress) this.mem.storeF32(this.ptrArg(), r.value);
    }
    if (!suppress) this.done++;
  }
}

/** Store characters for %c (no NUL), %s and %[ (NUL-terminated), narrow or wide, optionally malloc'ed. */
function storeChars(
  mem: ScanMemory,
  addr: number,
  chars: number[],
  wide: boolean,
  malloc: boolean,
  nul: boolean,
): void {
  const unit = wide ? 4 : 1;
  const count = chars.length + (nul ? 1 : 0);
  const bytes = new Uint8Array(count * unit);
  for (let k = 0; k < chars.length; k++) bytes[k * unit] = chars[k];
  let dst = addr;
  if (malloc) {
    dst = mem.alloc(bytes.length);
    mem.store(addr, 8, BigInt(dst));
    if (dst === 0) return;
  }
  mem.storeBytes(dst, bytes);
}

/** The characters `scanInteger` collected (the first n), and the base they are in. */
let INT_CHARS = new Uint8Array(64);
let intBase = 10;

/** Append c to INT_CHARS at n (grown as needed); returns n + 1. */
function pushChar(n: number, c: number): number {
  if (n === INT_CHARS.length) {
    const b = new Uint8Array(2 * n);
    b.set(INT_CHARS);
    INT_CHARS = b;
  }
  INT_CHARS[n] = c;
  return n + 1;
}

/**
 * The value of a collected integer (an optional sign, then digits of `base`) when its magnitude is below
 * 2^53, else undefined.
 */
function smallInteger(b: Uint8Array, n: number, base: number): number | undefined {
  let i = 0;
  const neg = b[0] === 45;
  if (neg || b[0] === 43) i = 1;
  let m = 0;
  for (; i < n; i++) {
    const c = b[i]!;
    const d = c <= 57 ? c - 48 : (c | 0x20) - 87;
    if (m > (Number.MAX_SAFE_INTEGER - d) / base) return undefined;
    m = m * base + d;
  }
  return neg ? -m : m;
}

/**
 * Collect the characters of an integer as glibc does, into INT_CHARS; returns how many (the base to use
 * is left in `intBase`).
 */
function scanInteger(sc: Scanner, base: number, width: number): number {
  let n = 0;
  let c = sc.inchar();
  if (c < 0) sc.inputError();
  if (c === 45 || c === 43) {
    n = pushChar(n, c);
    if (width > 0) width--;
    c = sc.inchar();
  }
  if (width !== 0 && c === 48) {
    if (width > 0) width--;
    n = pushChar(n, c);
    c = sc.inchar();
    if (width !== 0 && lower(c) === 120) {
      if (base === 0) base = 16;
      if (base === 16) {
        if (width > 0) width--;
        c = sc.inchar();
      }
    } else if (base === 0) base = 8;
  }
  if (base === 0) base = 10;
  while (c >= 0 && width !== 0) {
    if (base === 16) {
      if (!isXDigit(c)) break;
    } else if (!isDigit(c) || c - 48 >= base) break;
    n = pushChar(n, c);
    if (width > 0) width--;
    c = sc.inchar();
  }
  if (n === 0 || (n === 1 && (INT_CHARS[0] === 43 || INT_CHARS[0] === 45))) {
    sc.ungetc(c);
    sc.convError();
  }
  sc.ungetc(c);
  intBase = base;
  return n;
}

/** Collect the characters of a floating-point number as glibc does. */
function scanFloatChars(sc: Scanner, width: number): Uint8Array {
  const buf: number[] = [];
  let c = sc.inchar();
  if (width > 0) width--;
  if (c < 0) sc.inputError();
  let gotSign = 0;
  const expectWord = (w: string): void => {
    for (let k = 0; k < w.length; k++) {
      if (width === 0) sc.convError();
      c = sc.inchar();
      if (c < 0 || lower(c) !== w.charCodeAt(k)) sc.convError();
      if (width > 0) width--;
      buf.push(c);
    }
  };
  if (c === 45 || c === 43) {
    gotSign = 1;
    buf.push(c);
    if (width === 0) sc.convError();
    c = sc.inchar();
    if (c < 0) sc.convError();
    if (width > 0) width--;
  }
  if (lower(c) === 110) {
    buf.push(c);
    expectWord('an');
    return Uint8Array.from(buf);
  }
  if (lower(c) === 105) {
    buf.push(c);
    expectWord('nf');
    if (width !== 0) {
      c = sc.inchar();
      if (c >= 0) {
        if (lower(c) === 105) {
          if (width > 0) width--;
          buf.push(c);
          expectWord('nity');
        } else sc.ungetc(c);
      }
    }
    return Uint8Array.from(buf);
  }
  let expChar = 101;
  let hexa = false;
  let gotDigit = false;
  let gotDot = false;
  let gotE = false;
  if (width !== 0 && c === 48) {
    buf.push(c);
    c = sc.inchar();
    if (width > 0) width--;
    if (width !== 0 && lower(c) === 120) {
      buf.push(c);
      hexa = true;
      expChar = 112;
      c = sc.inchar();
      if (width > 0) width--;
    } else gotDigit = true;
  }
  for (;;) {
    if (c >= 0 && isDigit(c)) {
      buf.push(c);
      gotDigit = true;
    } else if (c >= 0 && !gotE && hexa && isXDigit(c)) {
      buf.push(c);
      gotDigit = true;
    } else if (gotE && buf[buf.length - 1] === expChar && (c === 45 || c === 43)) {
      buf.push(c);
    } else if (gotDigit && !gotE && c >= 0 && lower(c) === expChar) {
      buf.push(expChar);
      gotE = true;
      gotDot = true;
    } else if (!gotDot && c === 46) {
      buf.push(c);
      gotDot = true;
    } else {
      sc.ungetc(c);
      break;
    }
    if (width === 0) break;
    c = sc.inchar();
    if (c < 0) break;
    if (width > 0) width--;
  }
  if (buf.length === gotSign || (hexa && buf.length === 2 + gotSign)) sc.convError();
  return Uint8Array.from(buf);
}
