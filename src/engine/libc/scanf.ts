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
  let done = 0;
  let readIn = 0;
  let skipSpace = false;
  const inchar = (): number => {
    const c = input.get();
    if (c >= 0) readIn++;
    return c;
  };
  const ungetc = (c: number): void => {
    if (c >= 0) {
      input.unget(c);
      readIn--;
    }
  };
  const inputError = (): never => {
    throw new Failure(true);
  };
  const convError = (): never => {
    throw new Failure(false);
  };
  const n = fmt.length;
  let f = 0;
  try {
    while (f < n) {
      const fc0 = fmt[f];
      if (fc0 !== 37) {
        f++;
        if (isSpace(fc0)) {
          skipSpace = true;
          continue;
        }
        let c = inchar();
        if (c < 0) inputError();
        if (skipSpace) {
          while (isSpace(c)) {
            c = inchar();
            if (c < 0) inputError();
          }
          skipSpace = false;
        }
        if (c !== fc0) {
          ungetc(c);
          convError();
        }
        continue;
      }
      f++;
      // Flags: '*' suppression, '\'' grouping (no effect in C), 'I', 'm' allocation.
      let suppress = false;
      let malloc = false;
      for (;;) {
        const x = fmt[f];
        if (x === 42) suppress = true;
        else if (x === 39 || x === 73) {
          /* no effect in the C locale */
        } else break;
        f++;
      }
      let width = 0;
      while (f < n && isDigit(fmt[f])) width = Math.min(width * 10 + (fmt[f++] - 48), 0x7fffffff);
      if (width === 0) width = -1;
      if (fmt[f] === 109) {
        malloc = true;
        f++;
      }
      // Length: 1 hh, 2 h, 3 l (also j z t), 4 ll L q.
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
      if (f >= n) convError();
      const fc = fmt[f++];
      const ptrArg = (): number => Number(BigInt.asUintN(64, args.long()));
      if (skipSpace || (fc !== 91 && fc !== 99 && fc !== 67 && fc !== 110)) {
        let c: number;
        do c = inchar();
        while (isSpace(c));
        ungetc(c);
        skipSpace = false;
      }
      switch (fc) {
        case 37: {
          const c = inchar();
          if (c < 0) inputError();
          if (c !== 37) {
            ungetc(c);
            convError();
          }
          break;
        }
        case 110: {
          if (!suppress) {
            const size = len === 1 ? 1 : len === 2 ? 2 : len >= 3 ? 8 : 4;
            mem.store(ptrArg(), size, BigInt(readIn));
          }
          break;
        }
        case 99:
        case 67: {
          if (width === -1) width = 1;
          const wide = fc === 67 || len === 3;
          const chars: number[] = [];
          let c = inchar();
          if (c < 0) inputError();
          do chars.push(c);
          while (--width > 0 && (c = inchar()) >= 0);
          if (!suppress) storeChars(mem, ptrArg(), chars, wide, malloc, false);
          if (!suppress) done++;
          break;
        }
        case 115:
        case 83: {
          const wide = fc === 83 || len === 3;
          const chars: number[] = [];
          let c = inchar();
          if (c < 0) inputError();
          do {
            if (isSpace(c)) {
              ungetc(c);
              break;
            }
            chars.push(c);
          } while ((width <= 0 || --width > 0) && (c = inchar()) >= 0);
          if (!suppress) {
            storeChars(mem, ptrArg(), chars, wide, malloc, true);
            done++;
          }
          break;
        }
        case 91: {
          const wide = len === 3;
          let notIn = false;
          if (fmt[f] === 94) {
            f++;
            notIn = true;
          }
          if (width < 0) width = 0x7fffffff;
          const set = new Uint8Array(256);
          let x = fmt[f];
          if (x === 93 || x === 45) {
            set[x] = 1;
            f++;
          }
          for (;;) {
            if (f >= n) convError();
            x = fmt[f++];
            if (x === 93) break;
            if (x === 45 && f < n && fmt[f] !== 93 && fmt[f - 2] <= fmt[f]) {
              for (let k = fmt[f - 2]; k < fmt[f]; k++) set[k] = 1;
            } else set[x] = 1;
          }
          const chars: number[] = [];
          let c = inchar();
          if (c < 0) inputError();
          do {
            if ((set[c] === 1) === notIn) {
              ungetc(c);
              break;
            }
            chars.push(c);
          } while (--width > 0 && (c = inchar()) >= 0);
          if (chars.length === 0) convError();
          if (!suppress) {
            storeChars(mem, ptrArg(), chars, wide, malloc, true);
            done++;
          }
          break;
        }
        case 100:
        case 105:
        case 117:
        case 111:
        case 120:
        case 88:
        case 112: {
          const base = fc === 100 || fc === 117 ? 10 : fc === 105 ? 0 : fc === 111 ? 8 : 16;
          const signed = fc === 100 || fc === 105;
          const r = scanInteger(base, width, inchar, ungetc, inputError, convError);
          if (!suppress) {
            const v = parseInteger(r, 0, r.base, signed).value;
            const size = fc === 112 || len >= 3 ? 8 : len === 2 ? 2 : len === 1 ? 1 : 4;
            mem.store(ptrArg(), size, v);
            done++;
          }
          break;
        }
        case 101:
        case 69:
        case 102:
        case 70:
        case 103:
        case 71:
        case 97:
        case 65: {
          const buf = scanFloatChars(width, inchar, ungetc, inputError, convError);
          if (len === 4) {
            const r = parseFp80(buf, 0);
            if (r.end === 0) convError();
            if (!suppress) mem.storeF80(ptrArg(), r.value);
          } else if (len === 3) {
            const r = parseDouble(buf, 0);
            if (r.end === 0) convError();
            if (!suppress) mem.storeF64(ptrArg(), r.value);
          } else {
            const r = parseFloat32(buf, 0);
            if (r.end === 0) convError();
            if (!suppress) mem.storeF32(ptrArg(), r.value);
          }
          if (!suppress) done++;
          break;
        }
        default:
          convError();
      }
    }
    if (skipSpace) {
      let c: number;
      do c = inchar();
      while (isSpace(c));
      ungetc(c);
    }
  } catch (e) {
    if (!(e instanceof Failure)) throw e;
    if (e.input && done === 0) return -1;
  }
  return done;
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

/** Collect the characters of an integer as glibc does; returns them (with the base to use). */
function scanInteger(
  base: number,
  width: number,
  inchar: () => number,
  ungetc: (c: number) => void,
  inputError: () => never,
  convError: () => never,
): Uint8Array & { base: number } {
  const buf: number[] = [];
  let c = inchar();
  if (c < 0) inputError();
  if (c === 45 || c === 43) {
    buf.push(c);
    if (width > 0) width--;
    c = inchar();
  }
  if (width !== 0 && c === 48) {
    if (width > 0) width--;
    buf.push(c);
    c = inchar();
    if (width !== 0 && lower(c) === 120) {
      if (base === 0) base = 16;
      if (base === 16) {
        if (width > 0) width--;
        c = inchar();
      }
    } else if (base === 0) base = 8;
  }
  if (base === 0) base = 10;
  while (c >= 0 && width !== 0) {
    if (base === 16) {
      if (!isXDigit(c)) break;
    } else if (!isDigit(c) || c - 48 >= base) break;
    buf.push(c);
    if (width > 0) width--;
    c = inchar();
  }
  if (buf.length === 0 || (buf.length === 1 && (buf[0] === 43 || buf[0] === 45))) {
    ungetc(c);
    convError();
  }
  ungetc(c);
  const out = Uint8Array.from(buf) as Uint8Array & { base: number };
  out.base = base;
  return out;
}

/** Collect the characters of a floating-point number as glibc does. */
function scanFloatChars(
  width: number,
  inchar: () => number,
  ungetc: (c: number) => void,
  inputError: () => never,
  convError: () => never,
): Uint8Array {
  const buf: number[] = [];
  let c = inchar();
  if (width > 0) width--;
  if (c < 0) inputError();
  let gotSign = 0;
  const expectWord = (w: string): void => {
    for (let k = 0; k < w.length; k++) {
      if (width === 0) convError();
      c = inchar();
      if (c < 0 || lower(c) !== w.charCodeAt(k)) convError();
      if (width > 0) width--;
      buf.push(c);
    }
  };
  if (c === 45 || c === 43) {
    gotSign = 1;
    buf.push(c);
    if (width === 0) convError();
    c = inchar();
    if (c < 0) convError();
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
      c = inchar();
      if (c >= 0) {
        if (lower(c) === 105) {
          if (width > 0) width--;
          buf.push(c);
          expectWord('nity');
        } else ungetc(c);
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
    c = inchar();
    if (width > 0) width--;
    if (width !== 0 && lower(c) === 120) {
      buf.push(c);
      hexa = true;
      expChar = 112;
      c = inchar();
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
      ungetc(c);
      break;
    }
    if (width === 0) break;
    c = inchar();
    if (c < 0) break;
    if (width > 0) width--;
  }
  if (buf.length === gotSign || (hexa && buf.length === 2 + gotSign)) convError();
  return Uint8Array.from(buf);
}
