/**
 * @fileoverview Stage: engine (libc models). printf's output buffer and its floating conversions
 * (e E f F g G a A), glibc-exact: correctly rounded decimal digits of doubles and x86_fp80 at any precision,
 * with the zeros beyond a value's significant digits emitted by count (cost independent of the precision).
 *
 * Consumes: decoded floats (fpconv.ts), the cost table (cost.ts). Produces: `ByteSink` (a buffer that
 * stores up to snprintf's size, counts the rest and charges its work) and `emitFloat`, used by printf.ts.
 */
import { COST, bytesCost } from '../cost.js';
import { bitLength, fixedDigits, sciDigits, type BinFloat } from './fpconv.js';

/**
 * A growable byte buffer that stores at most `cap` bytes and counts the rest (`len` is the count). It
 * charges the bytes it stores through `meter` as it grows (so a huge output is stopped by the step budget
 * before it is allocated); `finish` charges the remainder, the counted-only bytes and the digit work.
 */
export class ByteSink {
  buf = new Uint8Array(64);
  /** Bytes produced: stored ones and, beyond `cap`, counted ones. */
  len = 0;
  /** Bytes of digit generation work besides the output (see emitFloat). */
  work = 0;
  private charged = 0;
  /**
   * The capacity the charges follow: 64, doubled as the output grows. A reused sink keeps a bigger
   * buffer, but charges at the same points as a new one, so the steps of a call never depend on the calls
   * before it.
   */
  private room = 64;
  constructor(
    public cap = Infinity,
    private meter?: (units: number) => void,
  ) {}
  /** Empty again, for another call (its buffer is kept: printf is called in loops). */
  reset(cap: number, meter: ((units: number) => void) | undefined): void {
    this.cap = cap;
    this.meter = meter;
    this.len = this.work = this.charged = 0;
    this.room = 64;
  }
  /** Bytes stored. */
  get stored(): number {
    return Math.min(this.len, this.cap);
  }
  /** Make room for n more stored bytes (len < cap). */
  private grow(n: number): void {
    if (this.meter !== undefined) {
      const units = bytesCost(this.len + n - this.charged, COST.formatBytes);
      this.charged = this.len + n;
      this.meter(units);
    }
    let room = this.room * 2;
    while (room < this.len + n) room *= 2;
    this.room = room;
    if (room <= this.buf.length) return;
    const b = new Uint8Array(room);
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }
  byte(c: number): void {
    if (this.len < this.cap) {
      if (this.len === this.room) this.grow(1);
      this.buf[this.len] = c;
    }
    this.len++;
  }
  bytes(b: Uint8Array): void {
    const k = Math.min(b.length, this.cap - this.len);
    if (k > 0) {
      if (this.len + k > this.room) this.grow(k);
      this.buf.set(k < b.length ? b.subarray(0, k) : b, this.len);
    }
    this.len += b.length;
  }
  /** `bytes(b.subarray(i, j))` without the view. */
  range(b: Uint8Array, i: number, j: number): void {
    const n = j - i;
    const k = Math.min(n, this.cap - this.len);
    if (k > 0) {
      if (this.len + k > this.room) this.grow(k);
      const buf = this.buf;
      const at = this.len;
      // Literal runs of a format are short: a loop costs less than a view.
      if (k < 64) for (let q = 0; q < k; q++) buf[at + q] = b[i + q]!;
      else buf.set(b.subarray(i, i + k), at);
    }
    this.len += n;
  }
  /** Append an ASCII string. */
  ascii(s: string): void {
    const k = Math.min(s.length, this.cap - this.len);
    if (k > 0) {
      if (this.len + k > this.room) this.grow(k);
      for (let i = 0; i < k; i++) this.buf[this.len + i] = s.charCodeAt(i);
    }
    this.len += s.length;
  }
  repeat(c: number, n: number): void {
    if (n <= 0) return;
    const k = Math.min(n, this.cap - this.len);
    if (k > 0) {
      if (this.len + k > this.room) this.grow(k);
      this.buf.fill(c, this.len, this.len + k);
    }
    this.len += n;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.stored);
  }
  /** The stored bytes as a view of the buffer (valid until the sink is used again). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.stored);
  }
  /** Steps of the work not charged yet: stored bytes and digit work, counted-only bytes. */
  finish(): number {
    const stored = this.stored;
    const units =
      bytesCost(stored - this.charged + this.work, COST.formatBytes) +
      bytesCost(this.len - stored, COST.countedBytes);
    this.charged = stored;
    this.work = 0;
    return units;
  }
}

/** One parsed conversion specification. */
export interface Spec {
  left: boolean;
  showsign: boolean;
  space: boolean;
  alt: boolean;
  zero: boolean;
  group: boolean;
  i18n: boolean;
  width: number;
  prec: number;
  /** 0 none, 1 hh, 2 h, 3 l, 4 ll/L/q, 5 j/z/t (64-bit integer; no long double) */
  len: number;
  /** L or q or ll: long double for floats. */
  ldbl: boolean;
  conv: number;
}

const HEX_LO = '0123456789abcdef';

// ---------------------------------------------------------------------------------------------------
// Floating point

/**
 * Fixed-point digits of |x| for %.<prec>f: round(|x| * 10^prec) as a decimal string, ties to even.
 * `num` is the double itself when the value is a double (enables the exact fast path), else 0.
 */
function fixedOf(v: BinFloat, prec: number, isDouble: boolean, num: number): string {
  const str = isDouble ? fixedText(prec, num) : undefined;
  if (str === undefined) return fixedDigits(v.m, v.e, prec);
  return prec > 0 ? str.slice(0, str.length - prec - 1) + str.slice(str.length - prec) : str;
}

/**
 * %.<prec>f of a double as `toFixed` writes it ("12.500"), when that is glibc's text: |x| < 1e21, prec <=
 * 100 and x * 10^prec not halfway between two integers (toFixed rounds ties up, glibc to even); else
 * undefined. Saves fixedParts' digit strings and their reassembly (issue 19: printf in loops).
 */
function fixedText(prec: number, num: number): string | undefined {
  const a = Math.abs(num);
  // (Infinities and NaNs fail the first test.)
  if (!(a < 1e21) || prec > 100) return undefined;
  // A tie (x * 10^p = k + 1/2) happens exactly when x * 2^(p+1) is an integer but x * 2^p is not;
  // otherwise JS's exact round-half-up toFixed agrees with glibc's round-half-even.
  if (Number.isInteger(a * 2 ** (prec + 1)) && !Number.isInteger(a * 2 ** prec)) return undefined;
  return a.toFixed(prec);
}

/**
 * Significant digits of a decimal: `digits` followed by `zeros` zeros (a count, never materialised before
 * output), and the decimal exponent of the first digit.
 */
interface Decimal {
  digits: string;
  zeros: number;
  exp10: number;
}

/**
 * Digits of round(|v| * 10^prec) as `digits` followed by `zeros` zeros. v = m * 2^e times 10^prec is an
 * integer once prec >= -e (at most 1074 for a double, 16445 for an x86_fp80), so a larger precision only
 * appends zeros: they are counted, not computed (glibc does the same).
 */
function fixedParts(
  v: BinFloat,
  prec: number,
  isDouble: boolean,
  num: number,
): { digits: string; zeros: number } {
  const exact = v.cls === 'zero' ? 0 : Math.max(0, -v.e);
  if (prec <= exact) return { digits: fixedOf(v, prec, isDouble, num), zeros: 0 };
  return { digits: fixedOf(v, exact, isDouble, num), zeros: prec - exact };
}

/**
 * prec+1 significant digits of |v| (v finite), ties to even. A binary float has finitely many significant
 * decimal digits (at most 767 for a double): when prec+1 reaches a bound of their number, the exact
 * expansion is computed once and the rest are zeros, by count.
 */
function sciParts(v: BinFloat, prec: number, isDouble: boolean, num: number): Decimal {
  if (v.cls === 'zero') return { digits: '0', zeros: prec, exp10: 0 };
  // Below 400 digits the direct conversion is cheap (and keeps the double fast path of sciOf).
  if (prec < 400) return sciOf(v, prec, isDouble, num);
  const exact = Math.max(0, -v.e);
  // Digits of the integer |v| * 10^exact: at most floor(log10(2^(bits + e))) + exact + 1.
  const bound = Math.floor((bitLength(v.m) + v.e) * 0.30103) + exact + 2;
  if (prec + 1 < bound) return sciOf(v, prec, isDouble, num);
  let digits = fixedDigits(v.m, v.e, exact);
  const exp10 = digits.length - 1 - exact;
  digits = trimZeros(digits);
  return { digits, zeros: prec + 1 - digits.length, exp10 };
}

/** prec+1 significant digits and decimal exponent of |v| (v finite nonzero), ties to even. */
function sciOf(v: BinFloat, prec: number, isDouble: boolean, num: number): Decimal {
  if (isDouble && prec <= 100) {
    const a = Math.abs(num);
    const str = a.toExponential(prec);
    const ep = str.indexOf('e');
    const x = Number(str.slice(ep + 1));
    if (!mayTie(a, x - prec) && !mayTie(a, x - 1 - prec)) {
      const digits = prec > 0 ? str[0] + str.slice(2, ep) : str.slice(0, ep);
      return { digits, zeros: 0, exp10: x };
    }
  }
  const d = sciDigits(v.m, v.e, prec);
  return { digits: d.digits, zeros: 0, exp10: d.exp10 };
}

/**
 * %.<P>g of a nonzero double without `#` when glibc writes it in fixed notation (X >= -4, X < P) and
 * `toPrecision` computes the same digits (no decimal tie: toPrecision rounds ties up, glibc to even): the
 * text without trailing zeros ("0.000123", "12.5", "100"); else undefined. toPrecision itself uses fixed
 * notation for -6 <= X < P, so one call and a trim replace sciParts' digits and gFixedBody's reassembly.
 */
function gFixedText(P: number, num: number): string | undefined {
  const a = Math.abs(num);
  if (P > 100 || !(a < 1e21) || a === 0) return undefined;
  const str = a.toPrecision(P);
  if (str.indexOf('e') >= 0) return undefined;
  // X: the decimal exponent of the rounded value's first digit.
  let X: number;
  if (str.charCodeAt(0) === 48) {
    let k = 2;
    while (str.charCodeAt(k) === 48) k++;
    X = 1 - k;
  } else {
    const dot = str.indexOf('.');
    X = (dot < 0 ? str.length : dot) - 1;
  }
  if (X < -4 || mayTie(a, X - P + 1) || mayTie(a, X - P)) return undefined;
  if (str.indexOf('.') < 0) return str;
  let end = str.length;
  while (str.charCodeAt(end - 1) === 48) end--;
  if (str.charCodeAt(end - 1) === 46) end--;
  return end === str.length ? str : str.slice(0, end);
}

/** Whether a / 10^k could be exactly halfway between two integers. */
function mayTie(a: number, k: number): boolean {
  if (k <= 0) {
    if (-k > 1000) return true;
    return Number.isInteger(a * 2 ** (1 - k)) && !Number.isInteger(a * 2 ** -k);
  }
  return Number.isInteger(a);
}

/** A conversion's body: `pre`, then `zeros` zeros (a count), then `post`. */
interface Body {
  pre: string;
  zeros: number;
  post: string;
}

/** Format a floating conversion (e E f F g G a A) of a decoded value. */
export function emitFloat(out: ByteSink, s: Spec, v: BinFloat, isLdbl: boolean, num: number): void {
  const upper = s.conv === 69 || s.conv === 70 || s.conv === 71 || s.conv === 65;
  const sign = v.neg ? '-' : s.showsign ? '+' : s.space ? ' ' : '';
  if (v.cls === 'inf' || v.cls === 'nan') {
    const word = v.cls === 'inf' ? (upper ? 'INF' : 'inf') : upper ? 'NAN' : 'nan';
    const body = sign + word;
    const pad = s.width - body.length;
    if (!s.left) out.repeat(32, pad);
    out.ascii(body);
    if (s.left) out.repeat(32, pad);
    return;
  }
  let prefix = sign;
  let body: Body;
  const conv = s.conv | 0x20; // lower-case
  const isDouble = !isLdbl;
  if (conv === 97) {
    body = hexFloat(v, s, isLdbl);
    prefix += upper ? '0X' : '0x';
    if (upper) body = { pre: body.pre.toUpperCase(), zeros: body.zeros, post: body.post.toUpperCase() };
  } else if (conv === 102) {
    const prec = s.prec < 0 ? 6 : s.prec;
    const text = isDouble ? fixedText(prec, num) : undefined;
    if (text !== undefined) {
      // As fixedParts splits it (the sink charges by the pieces written): the digits of `exact` fraction
      // digits, then the zeros beyond them by count.
      const exact = v.cls === 'zero' ? 0 : Math.max(0, -v.e);
      const zeros = Math.max(0, prec - exact);
      out.work += text.length - (prec > 0 ? 1 : 0) - zeros;
      const pre = zeros > 0 ? text.slice(0, text.length - zeros) : text;
      body = { pre: prec === 0 && s.alt ? pre + '.' : pre, zeros, post: '' };
    } else {
      const f = fixedParts(v, prec, isDouble, num);
      out.work += f.digits.length;
      body = fixedBody(f.digits, f.zeros, prec, s.alt);
    }
  } else if (conv === 101) {
    const d = sciParts(v, s.prec < 0 ? 6 : s.prec, isDouble, num);
    out.work += d.digits.length;
    body = sciBody(d, s.alt, upper);
  } else {
    // %g: P significant digits; fixed notation when P > X >= -4.
    const P = s.prec < 0 ? 6 : s.prec === 0 ? 1 : s.prec;
    const text = isDouble && !s.alt ? gFixedText(P, num) : undefined;
    if (text !== undefined) {
      // As sciParts counts it: P significant digits computed.
      out.work += P;
      body = { pre: text, zeros: 0, post: '' };
    } else {
      const d = sciParts(v, P - 1, isDouble, num);
      out.work += d.digits.length;
      body = P > d.exp10 && d.exp10 >= -4 ? gFixedBody(d, s.alt) : sciBody(gTrim(d, s.alt), s.alt, upper);
    }
  }
  const len = prefix.length + body.pre.length + body.zeros + body.post.length;
  const pad = s.width - len;
  if (s.left) {
    out.ascii(prefix);
    emitBody(out, body);
    out.repeat(32, pad);
  } else if (s.zero) {
    out.ascii(prefix);
    out.repeat(48, pad);
    emitBody(out, body);
  } else {
    out.repeat(32, pad);
    out.ascii(prefix);
    emitBody(out, body);
  }
}

function emitBody(out: ByteSink, b: Body): void {
  out.ascii(b.pre);
  out.repeat(48, b.zeros);
  out.ascii(b.post);
}

/** %g without `#`: no trailing zeros. */
function gTrim(d: Decimal, alt: boolean): Decimal {
  if (alt) return d;
  return { digits: d.digits[0] + trimZeros(d.digits.slice(1)), zeros: 0, exp10: d.exp10 };
}

/** s without its trailing '0's (no regular expression: %g runs in loops). */
function trimZeros(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** %g in fixed notation: X = exp10 with P > X >= -4; the digits' point goes after digit X. */
function gFixedBody(d: Decimal, alt: boolean): Body {
  const X = d.exp10;
  let intPart: string;
  let frac: string;
  let zeros = d.zeros;
  if (X < 0) {
    intPart = '0';
    frac = '0'.repeat(-X - 1) + d.digits;
  } else if (X + 1 <= d.digits.length) {
    intPart = d.digits.slice(0, X + 1);
    frac = d.digits.slice(X + 1);
  } else {
    // X < P, so the integer part's zeros beyond the digits are at most X (bounded by the exponent range).
    const k = X + 1 - d.digits.length;
    intPart = d.digits + '0'.repeat(k);
    frac = '';
    zeros -= k;
  }
  if (!alt) {
    zeros = 0;
    frac = trimZeros(frac);
  }
  return { pre: intPart + (frac.length > 0 || zeros > 0 || alt ? '.' : '') + frac, zeros, post: '' };
}

/** "123.456" from the digits of round(v * 10^prec) (`digits` then `zeros` zeros; zeros <= prec). */
function fixedBody(digits: string, zeros: number, prec: number, alt: boolean): Body {
  if (digits.length + zeros <= prec) digits = '0'.repeat(prec + 1 - digits.length - zeros) + digits;
  const cut = digits.length + zeros - prec;
  return { pre: digits.slice(0, cut) + (prec > 0 || alt ? '.' : '') + digits.slice(cut), zeros, post: '' };
}

/** "1.2345e+06" from significant digits (then `zeros` zeros) and the decimal exponent. */
function sciBody(d: Decimal, alt: boolean, upper: boolean): Body {
  const ex = Math.abs(d.exp10);
  return {
    pre: d.digits[0] + (d.digits.length > 1 || d.zeros > 0 || alt ? '.' : '') + d.digits.slice(1),
    zeros: d.zeros,
    post: (upper ? 'E' : 'e') + (d.exp10 < 0 ? '-' : '+') + (ex < 10 ? '0' : '') + String(ex),
  };
}

/** %a body after "0x": leading digit, fraction, 'p', exponent (lower case). */
function hexFloat(v: BinFloat, s: Spec, isLdbl: boolean): Body {
  let leading: number;
  let frac: bigint; // fraction bits
  let nd: number; // number of hex digits of the fraction
  let exp: number;
  if (!isLdbl) {
    nd = 13;
    if (v.cls === 'zero') {
      leading = 0;
      frac = 0n;
      exp = 0;
    } else if (v.e === -1074 && v.m < 1n << 52n) {
      leading = 0;
      frac = v.m;
      exp = -1022;
    } else {
      leading = 1;
      frac = v.m - (1n << 52n);
      exp = v.e + 52;
    }
  } else {
    nd = 15;
    if (v.cls === 'zero') {
      leading = 0;
      frac = 0n;
      exp = 0;
    } else {
      leading = Number(v.m >> 60n);
      frac = v.m & ((1n << 60n) - 1n);
      // v.e = biased - 16383 - 63 (normal) or 1 - 16383 - 63 (denormal; glibc prints it with 16382 + 3).
      exp = v.e + 63 - 3;
      if (v.m >> 63n === 0n && v.e === 1 - 16383 - 63) exp = -(16382 + 3);
    }
  }
  let fd = frac.toString(16).padStart(nd, '0');
  let prec = s.prec;
  if (prec < 0) {
    fd = fd.replace(/0+$/, '');
    prec = fd.length;
  } else if (prec < nd) {
    const kept = fd.slice(0, prec);
    const next = parseInt(fd[prec], 16);
    const more = /[^0]/.test(fd.slice(prec + 1)) || (next & 7) !== 0;
    const lastOdd = (prec > 0 ? parseInt(kept[prec - 1], 16) : leading) & 1;
    let digits = kept;
    if (next >= 8 && (lastOdd === 1 || more)) {
      // Increment the kept digits with carry into the leading digit.
      const arr = kept.split('').map((ch) => parseInt(ch, 16));
      let k = arr.length - 1;
      while (k >= 0 && arr[k] === 15) arr[k--] = 0;
      if (k >= 0) arr[k]++;
      else if (leading < 15) leading++;
      else {
        leading = 1;
        exp += 4;
      }
      digits = arr.map((d) => HEX_LO[d]).join('');
    }
    fd = digits;
  }
  return {
    pre: HEX_LO[leading] + (prec > 0 || s.alt ? '.' : '') + fd,
    zeros: prec - fd.length,
    post: 'p' + (exp < 0 ? '-' : '+') + String(Math.abs(exp)),
  };
}
