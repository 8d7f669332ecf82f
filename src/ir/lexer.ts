/**
 * @fileoverview Stage: ir. The lexer of LLVM's textual IR (`.ll`).
 *
 * Consumes: the text of a module. Produces: a stream of tokens read through a cursor: the lexer holds the
 * current token's kind and extent in plain fields (`kind`, `start`, `end`, `num`, `str`) and `next()`
 * advances it, so lexing allocates nothing per token except the strings of identifiers and names.
 * Positions are character offsets; `lineCol()` turns one into a line and column only when a message needs
 * it. The lexer also offers raw scanners the parser uses to skip metadata without tokenizing it.
 */
import { UserError } from '../util/errors.js';

// Token kinds. Plain numbers (not an enum) so that every comparison is a small-integer compare.
export const T_EOF: number = 0;
export const T_EQUAL: number = 1;
export const T_COMMA: number = 2;
export const T_STAR: number = 3;
export const T_LSQUARE: number = 4;
export const T_RSQUARE: number = 5;
export const T_LBRACE: number = 6;
export const T_RBRACE: number = 7;
export const T_LPAREN: number = 8;
export const T_RPAREN: number = 9;
export const T_LESS: number = 10;
export const T_GREATER: number = 11;
export const T_EXCLAIM: number = 12;
export const T_BAR: number = 13;
export const T_COLON: number = 14;
export const T_DOTDOTDOT: number = 15;
/** `%name`, `%"quoted name"`: `str` is the unescaped name. */
export const T_LOCALVAR: number = 16;
/** `%12`: `num` is the number. */
export const T_LOCALID: number = 17;
export const T_GLOBALVAR: number = 18;
export const T_GLOBALID: number = 19;
/** `name:`, `"quoted":` at the start of a block: `str` is the label. */
export const T_LABELSTR: number = 20;
/** `12:`: `num` is the number. */
export const T_LABELID: number = 21;
/** `!name` (named metadata, attachment kinds, `!DILocation`): `str` is the name. */
export const T_METAVAR: number = 22;
/** `!12`: `num` is the number. */
export const T_METAID: number = 23;
/** `$name`: `str` is the comdat name. */
export const T_COMDATVAR: number = 24;
/** `#12`: `num` is the attribute group number. */
export const T_ATTRGRPID: number = 25;
/** `#dbg_value` and other debug record keywords: `str` is the word without `#`. */
export const T_HASHIDENT: number = 26;
/** `"..."`: `str` is the unescaped text. */
export const T_STRING: number = 27;
/** `c"..."`: `start` is the offset of `c`; `cstrBytes()` decodes it. */
export const T_CSTRING: number = 28;
/** An integer literal (`-12`, `u0x1F`, `s0xFF`); `intText()` is its text. */
export const T_INT: number = 29;
/** A floating-point literal (`1.5e+00`, `0x3FF0000000000000`, `0xK...`); its text is `tokText()`. */
export const T_FLOAT: number = 30;
/** A keyword or bare word: `str` is its text. */
export const T_IDENT: number = 31;
/** `i32`: `num` is the bit width. */
export const T_INTTYPE: number = 32;
/** `^12` (summary entries). */
export const T_SUMMARYID: number = 33;

const TOKEN_NAMES = [
  'end of file',
  "'='",
  "','",
  "'*'",
  "'['",
  "']'",
  "'{'",
  "'}'",
  "'('",
  "')'",
  "'<'",
  "'>'",
  "'!'",
  "'|'",
  "':'",
  "'...'",
  'local name',
  'local number',
  'global name',
  'global number',
  'label',
  'label',
  'metadata name',
  'metadata reference',
  'comdat name',
  'attribute group reference',
  'debug record',
  'string',
  'c"..." string',
  'integer',
  'floating-point literal',
  'keyword',
  'integer type',
  'summary reference',
];

export function tokenName(kind: number): string {
  return TOKEN_NAMES[kind] ?? 'token';
}

// Character classes, as a table indexed by char code (codes >= 128 are never name characters).
const C_NAME = 1; // [-a-zA-Z$._0-9]
const C_DIGIT = 2;
const C_IDSTART = 4; // [a-zA-Z$._]
const C_HEX = 8;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  let k = 0;
  if (/[-a-zA-Z$._0-9]/.test(ch)) k |= C_NAME;
  if (/[0-9]/.test(ch)) k |= C_DIGIT;
  if (/[a-zA-Z$._]/.test(ch)) k |= C_IDSTART;
  if (/[0-9a-fA-F]/.test(ch)) k |= C_HEX;
  CLASS[c] = k;
}

function isName(c: number): boolean {
  return c < 128 && (CLASS[c] & C_NAME) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isHex(c: number): boolean {
  return c < 128 && (CLASS[c] & C_HEX) !== 0;
}
function hexVal(c: number): number {
  if (c <= 57) return c - 48;
  if (c <= 70) return c - 55;
  return c - 87;
}

const utf8 = new TextDecoder('utf-8');
const IDENT_CACHE_SIZE = 4096;

export class Lexer {
  readonly src: string;
  readonly file: string | undefined;
  /** Offset of the next character to read. */
  pos = 0;
  kind = T_EOF;
  /** Extent of the current token. */
  start = 0;
  end = 0;
  /** Numeric payload (ids, integer type widths). */
  num = 0;
  /** String payload (identifiers, names, strings). */
  str = '';
  private readonly identCache: (string | undefined)[] = new Array<string | undefined>(IDENT_CACHE_SIZE).fill(
    undefined,
  );
  private lineCacheOff = 0;
  private lineCacheLine = 1;

  constructor(src: string, file: string | undefined) {
    this.src = src;
    this.file = file;
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1; // a UTF-8 byte order mark
  }

  // ---------------------------------------------------------------------------------------------------
  // Positions and errors

  /** Line (1-based) and column (1-based) of an offset. Amortised O(1) when offsets grow monotonically. */
  lineCol(off: number): { line: number; col: number } {
    const s = this.src;
    if (off > s.length) off = s.length;
    if (off < this.lineCacheOff) {
      this.lineCacheOff = 0;
      this.lineCacheLine = 1;
    }
    let line = this.lineCacheLine;
    let p = this.lineCacheOff;
    for (;;) {
      const nl = s.indexOf('\n', p);
      if (nl < 0 || nl >= off) break;
      line++;
      p = nl + 1;
    }
    this.lineCacheOff = p;
    this.lineCacheLine = line;
    return { line, col: off - p + 1 };
  }

  error(msg: string, off: number = this.start): UserError {
    const { line, col } = this.lineCol(off);
    return new UserError(msg, { file: this.file ?? '<input>', line, col });
  }

  /** The text of the current token. */
  tokText(): string {
    return this.src.slice(this.start, this.end);
  }

  /** Describes the current token for "expected X, found Y" messages. */
  describe(): string {
    if (this.kind === T_EOF) return 'end of file';
    let t = this.tokText();
    if (t.length > 40) t = t.slice(0, 40) + '...';
    return `'${t}'`;
  }

  // ---------------------------------------------------------------------------------------------------
  // Tokens

  /** Advances to the next token and returns its kind. */
  next(): number {
    const s = this.src;
    const n = s.length;
    let p = this.pos;
    // Skip blanks and comments.
    for (;;) {
      if (p >= n) {
        this.start = this.end = this.pos = n;
        return (this.kind = T_EOF);
      }
      const c = s.charCodeAt(p);
      if (c === 32 || c === 10 || c === 9 || c === 13) {
        p++;
      } else if (c === 59 /* ; */) {
        const nl = s.indexOf('\n', p);
        p = nl < 0 ? n : nl + 1;
      } else break;
    }
    this.start = p;
    const c = s.charCodeAt(p);
    let k: number;
    switch (c) {
      case 61 /* = */:
        k = T_EQUAL;
        p++;
        break;
      case 44 /* , */:
        k = T_COMMA;
        p++;
        break;
      case 42 /* * */:
        k = T_STAR;
        p++;
        break;
      case 91 /* [ */:
        k = T_LSQUARE;
        p++;
        break;
      case 93 /* ] */:
        k = T_RSQUARE;
        p++;
        break;
      case 123 /* { */:
        k = T_LBRACE;
        p++;
        break;
      case 125 /* } */:
        k = T_RBRACE;
        p++;
        break;
      case 40 /* ( */:
        k = T_LPAREN;
        p++;
        break;
      case 41 /* ) */:
        k = T_RPAREN;
        p++;
        break;
      case 60 /* < */:
        k = T_LESS;
        p++;
        break;
      case 62 /* > */:
        k = T_GREATER;
        p++;
        break;
      case 124 /* | */:
        k = T_BAR;
        p++;
        break;
      case 58 /* : */:
        k = T_COLON;
        p++;
        break;
      case 37 /* % */:
        return this.lexVar(p, T_LOCALVAR, T_LOCALID);
      case 64 /* @ */:
        return this.lexVar(p, T_GLOBALVAR, T_GLOBALID);
      case 33 /* ! */:
        return this.lexExclaim(p);
      case 34 /* " */:
        return this.lexString(p);
      case 35 /* # */:
        return this.lexHash(p);
      case 36 /* $ */:
        return this.lexDollar(p);
      case 94 /* ^ */: {
        let q = p + 1;
        while (q < n && isDigit(s.charCodeAt(q))) q++;
        if (q === p + 1) throw this.error("expected a number after '^'", p);
        this.num = Number(s.slice(p + 1, q));
        this.pos = this.end = q;
        return (this.kind = T_SUMMARYID);
      }
      case 46 /* . */:
        if (s.charCodeAt(p + 1) === 46 && s.charCodeAt(p + 2) === 46) {
          k = T_DOTDOTDOT;
          p += 3;
          break;
        }
        return this.lexIdent(p);
      default:
        if (isDigit(c) || c === 45 /* - */ || c === 43 /* + */) return this.lexNumber(p);
        if (c < 128 && (CLASS[c] & C_IDSTART) !== 0) return this.lexIdent(p);
        throw this.error(`unexpected character ${charDesc(c)}`, p);
    }
    this.pos = this.end = p;
    return (this.kind = k);
  }

  /** `%name`, `%"name"`, `%12` (and the same with `@`). */
  private lexVar(p: number, nameKind: number, idKind: number): number {
    const s = this.src;
    const n = s.length;
    const q0 = p + 1;
    const c = s.charCodeAt(q0);
    if (c === 34 /* " */) {
      const end = this.scanString(q0);
      this.str = this.unescape(q0 + 1, end - 1);
      this.pos = this.end = end;
      return (this.kind = nameKind);
    }
    if (isDigit(c)) {
      let q = q0;
      while (q < n && isDigit(s.charCodeAt(q))) q++;
      if (!isName(s.charCodeAt(q))) {
        this.num = Number(s.slice(q0, q));
        if (!Number.isSafeInteger(this.num)) throw this.error('number too large', p);
        this.pos = this.end = q;
        return (this.kind = idKind);
      }
    }
    if (isName(c) || c === 92 /* \ */) {
      let q = q0;
      let esc = false;
      for (;;) {
        const d = s.charCodeAt(q);
        if (isName(d)) q++;
        else if (d === 92 && isHex(s.charCodeAt(q + 1)) && isHex(s.charCodeAt(q + 2))) {
          esc = true;
          q += 3;
        } else break;
      }
      this.str = esc ? this.unescape(q0, q) : this.intern(q0, q);
      this.pos = this.end = q;
      return (this.kind = nameKind);
    }
    throw this.error(`expected a name after '${s[p]}'`, p);
  }

  private lexExclaim(p: number): number {
    const s = this.src;
    const n = s.length;
    const c = s.charCodeAt(p + 1);
    if (isDigit(c)) {
      let q = p + 1;
      while (q < n && isDigit(s.charCodeAt(q))) q++;
      this.num = Number(s.slice(p + 1, q));
      if (!Number.isSafeInteger(this.num)) throw this.error('number too large', p);
      this.pos = this.end = q;
      return (this.kind = T_METAID);
    }
    if (isName(c) || c === 92) {
      let q = p + 1;
      let esc = false;
      for (;;) {
        const d = s.charCodeAt(q);
        if (isName(d)) q++;
        else if (d === 92 && isHex(s.charCodeAt(q + 1)) && isHex(s.charCodeAt(q + 2))) {
          esc = true;
          q += 3;
        } else break;
      }
      if (q === p + 1) throw this.error("unexpected '\\' after '!'", p);
      this.str = esc ? this.unescape(p + 1, q) : this.intern(p + 1, q);
      this.pos = this.end = q;
      return (this.kind = T_METAVAR);
    }
    this.pos = this.end = p + 1;
    return (this.kind = T_EXCLAIM);
  }

  private lexString(p: number): number {
    const end = this.scanString(p);
    this.str = this.unescape(p + 1, end - 1);
    if (this.src.charCodeAt(end) === 58 /* : */) {
      this.pos = this.end = end + 1;
      return (this.kind = T_LABELSTR);
    }
    this.pos = this.end = end;
    return (this.kind = T_STRING);
  }

  private lexHash(p: number): number {
    const s = this.src;
    const n = s.length;
    let q = p + 1;
    if (isDigit(s.charCodeAt(q))) {
      while (q < n && isDigit(s.charCodeAt(q))) q++;
      this.num = Number(s.slice(p + 1, q));
      if (!Number.isSafeInteger(this.num)) throw this.error('number too large', p);
      this.pos = this.end = q;
      return (this.kind = T_ATTRGRPID);
    }
    while (q < n && isName(s.charCodeAt(q))) q++;
    if (q === p + 1) throw this.error("expected a number or a word after '#'", p);
    this.str = s.slice(p + 1, q);
    this.pos = this.end = q;
    return (this.kind = T_HASHIDENT);
  }

  private lexDollar(p: number): number {
    const s = this.src;
    const n = s.length;
    if (s.charCodeAt(p + 1) === 34) {
      const end = this.scanString(p + 1);
      this.str = this.unescape(p + 2, end - 1);
      this.pos = this.end = end;
      return (this.kind = T_COMDATVAR);
    }
    let q = p + 1;
    while (q < n && isName(s.charCodeAt(q))) q++;
    if (s.charCodeAt(q) === 58) {
      // `$foo:` is a label.
      this.str = s.slice(p, q);
      this.pos = this.end = q + 1;
      return (this.kind = T_LABELSTR);
    }
    if (q === p + 1) throw this.error("expected a name after '$'", p);
    this.str = s.slice(p + 1, q);
    this.pos = this.end = q;
    return (this.kind = T_COMDATVAR);
  }

  /** Keywords, bare words, `iN`, `c"..."`, `u0x..`/`s0x..` integers and `name:` labels. */
  private lexIdent(p: number): number {
    const s = this.src;
    const n = s.length;
    const c0 = s.charCodeAt(p);
    // c"..."
    if (c0 === 99 /* c */ && s.charCodeAt(p + 1) === 34) {
      const end = this.scanString(p + 1);
      this.pos = this.end = end;
      return (this.kind = T_CSTRING);
    }
    let q = p + 1;
    while (q < n && isName(s.charCodeAt(q))) q++;
    if (s.charCodeAt(q) === 58 /* : */) {
      this.str = s.slice(p, q);
      this.pos = this.end = q + 1;
      return (this.kind = T_LABELSTR);
    }
    this.pos = this.end = q;
    // iN
    if (c0 === 105 /* i */ && q > p + 1) {
      let allDigits = true;
      for (let r = p + 1; r < q; r++) {
        if (!isDigit(s.charCodeAt(r))) {
          allDigits = false;
          break;
        }
      }
      if (allDigits) {
        const bits = Number(s.slice(p + 1, q));
        if (bits < 1 || bits > 8388608) throw this.error(`invalid integer width i${bits}`, p);
        this.num = bits;
        return (this.kind = T_INTTYPE);
      }
    }
    // u0x.. / s0x.. hexadecimal integer literals
    if (
      (c0 === 117 || c0 === 115) &&
      s.charCodeAt(p + 1) === 48 &&
      s.charCodeAt(p + 2) === 120 &&
      q > p + 3
    ) {
      let hex = true;
      for (let r = p + 3; r < q; r++) if (!isHex(s.charCodeAt(r))) hex = false;
      if (hex) return (this.kind = T_INT);
    }
    this.str = this.intern(p, q);
    return (this.kind = T_IDENT);
  }

  /** Integers, floats and numeric labels (`12:`, `-foo:`). */
  private lexNumber(p: number): number {
    const s = this.src;
    const n = s.length;
    const c0 = s.charCodeAt(p);
    // Hexadecimal floats: 0x, 0xK, 0xL, 0xM, 0xH, 0xR
    if (c0 === 48 && s.charCodeAt(p + 1) === 120 /* x */) {
      let q = p + 2;
      const k = s.charCodeAt(q);
      if (k === 75 || k === 76 || k === 77 || k === 72 || k === 82) q++;
      const h0 = q;
      while (q < n && isHex(s.charCodeAt(q))) q++;
      if (q === h0) throw this.error('malformed hexadecimal floating-point literal', p);
      this.pos = this.end = q;
      return (this.kind = T_FLOAT);
    }
    let q = c0 === 45 || c0 === 43 ? p + 1 : p;
    const d0 = q;
    while (q < n && isDigit(s.charCodeAt(q))) q++;
    if (q === d0) {
      // `-name:` labels, otherwise an error.
      while (q < n && isName(s.charCodeAt(q))) q++;
      if (c0 === 45 && q > d0 && s.charCodeAt(q) === 58) {
        this.str = s.slice(p, q);
        this.pos = this.end = q + 1;
        return (this.kind = T_LABELSTR);
      }
      throw this.error(`unexpected character ${charDesc(c0)}`, p);
    }
    const c = s.charCodeAt(q);
    if (c === 46 /* . */) {
      q++;
      while (q < n && isDigit(s.charCodeAt(q))) q++;
      const e = s.charCodeAt(q);
      if (e === 101 || e === 69) {
        let r = q + 1;
        const sg = s.charCodeAt(r);
        if (sg === 43 || sg === 45) r++;
        if (isDigit(s.charCodeAt(r))) {
          while (r < n && isDigit(s.charCodeAt(r))) r++;
          q = r;
        }
      }
      this.pos = this.end = q;
      return (this.kind = T_FLOAT);
    }
    if (c === 58 /* : */ && c0 !== 45 && c0 !== 43) {
      this.num = Number(s.slice(p, q));
      if (!Number.isSafeInteger(this.num)) throw this.error('label number too large', p);
      this.pos = this.end = q + 1;
      return (this.kind = T_LABELID);
    }
    if (isName(c)) {
      // A label like `12abc:` or `-1x:`
      let r = q;
      while (r < n && isName(s.charCodeAt(r))) r++;
      if (s.charCodeAt(r) === 58) {
        this.str = s.slice(p, r);
        this.pos = this.end = r + 1;
        return (this.kind = T_LABELSTR);
      }
    }
    if (c0 === 43) throw this.error("unexpected '+' before an integer", p);
    this.pos = this.end = q;
    return (this.kind = T_INT);
  }

  /**
   * src[a, b) as a string, shared with earlier occurrences of the same text when it is in the small
   * identifier cache: keywords and common names then cost no allocation (and their hash is computed once).
   */
  private intern(a: number, b: number): string {
    const len = b - a;
    if (len > 24) return this.src.slice(a, b);
    const s = this.src;
    let h = len;
    for (let i = a; i < b; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
    const slot = (h ^ (h >>> 13)) & (IDENT_CACHE_SIZE - 1);
    const cached = this.identCache[slot];
    if (cached !== undefined && cached.length === len && s.startsWith(cached, a)) return cached;
    const str = s.slice(a, b);
    this.identCache[slot] = str;
    return str;
  }

  // ---------------------------------------------------------------------------------------------------
  // Strings

  /** Given the offset of an opening quote, returns the offset after the closing quote. */
  private scanString(q: number): number {
    const end = this.src.indexOf('"', q + 1);
    if (end < 0) throw this.error('unterminated string', q);
    return end + 1;
  }

  /** Decodes `\xx` hex escapes and `\\` in src[a, b). */
  unescape(a: number, b: number): string {
    const s = this.src;
    // Look for a backslash within the string only: `indexOf` would scan on to the next one in the file,
    // megabytes of metadata away in -g IR (it was 15% of parsing sqlite3 -O2 -g).
    let i = a;
    while (i < b && s.charCodeAt(i) !== 92) i++;
    if (i === b) return s.slice(a, b);
    const bytes = this.decodeBytes(a, b);
    return utf8.decode(bytes);
  }

  /** The bytes of src[a, b), with escapes decoded and other characters encoded as UTF-8. */
  decodeBytes(a: number, b: number): Uint8Array {
    const s = this.src;
    let ascii = true;
    for (let i = a; i < b; i++) {
      if (s.charCodeAt(i) >= 128) {
        ascii = false;
        break;
      }
    }
    if (!ascii) {
      // Rare: encode the raw text as UTF-8 first, then decode escapes over bytes.
      const raw = Buffer.from(s.slice(a, b), 'utf8');
      const out = new Uint8Array(raw.length);
      let o = 0;
      for (let i = 0; i < raw.length; i++) {
        const c = raw[i];
        if (c === 92 && i + 1 < raw.length && raw[i + 1] === 92) {
          out[o++] = 92;
          i++;
        } else if (c === 92 && i + 2 < raw.length && isHex(raw[i + 1]) && isHex(raw[i + 2])) {
          out[o++] = hexVal(raw[i + 1]) * 16 + hexVal(raw[i + 2]);
          i += 2;
        } else out[o++] = c;
      }
      return out.subarray(0, o);
    }
    const out = new Uint8Array(b - a);
    let o = 0;
    for (let i = a; i < b; i++) {
      const c = s.charCodeAt(i);
      if (c === 92) {
        if (s.charCodeAt(i + 1) === 92 && i + 1 < b) {
          out[o++] = 92;
          i++;
          continue;
        }
        const h1 = s.charCodeAt(i + 1);
        const h2 = s.charCodeAt(i + 2);
        if (i + 2 < b && isHex(h1) && isHex(h2)) {
          out[o++] = hexVal(h1) * 16 + hexVal(h2);
          i += 2;
          continue;
        }
      }
      out[o++] = c;
    }
    return out.subarray(0, o);
  }

  /** The bytes of the current `c"..."` token. */
  cstrBytes(): Uint8Array {
    return this.decodeBytes(this.start + 2, this.end - 1);
  }

  // ---------------------------------------------------------------------------------------------------
  // Raw scanners (metadata is skipped, not tokenized)

  /**
   * Skips a balanced region starting at offset `p` until, at nesting depth 0, one of the stop characters
   * `stops` (char codes) or a newline is reached (when `stopAtNewline`). Strings are skipped whole and
   * comments are ignored. Returns the offset of the stop (not consumed).
   */
  scanBalanced(p: number, stopComma: boolean, stopParen: boolean, stopAtNewline: boolean): number {
    const s = this.src;
    const n = s.length;
    let depth = 0;
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c === 34) {
        p = this.scanString(p);
        continue;
      }
      if (c === 40 || c === 123 || c === 91 || c === 60) {
        depth++;
      } else if (c === 41 || c === 125 || c === 93 || c === 62) {
        if (depth === 0) {
          if (stopParen) return p;
          throw this.error(`unbalanced '${s[p]}'`, p);
        }
        depth--;
      } else if (c === 44) {
        if (depth === 0 && stopComma) return p;
      } else if (c === 10) {
        if (depth === 0 && stopAtNewline) return p;
      } else if (c === 59) {
        const nl = s.indexOf('\n', p);
        if (depth === 0 && stopAtNewline) return p;
        p = nl < 0 ? n : nl;
        continue;
      }
      p++;
    }
    if (depth > 0) throw this.error('unexpected end of file inside brackets', p);
    return p;
  }

  /**
   * Skips one metadata node reference or literal starting at offset `p`: `!12`, `!{...}`, `!"..."`,
   * `!DIExpression(...)`, `distinct !{...}`, `!name`. Returns the offset after it.
   */
  scanMetadataNode(p: number): number {
    const s = this.src;
    const n = s.length;
    if (s.startsWith('distinct', p)) {
      p += 8;
      while (p < n && (s.charCodeAt(p) === 32 || s.charCodeAt(p) === 9)) p++;
    }
    if (s.charCodeAt(p) !== 33) throw this.error('expected metadata', p);
    p++;
    const c = s.charCodeAt(p);
    if (isDigit(c)) {
      while (p < n && isDigit(s.charCodeAt(p))) p++;
      return p;
    }
    if (c === 34) return this.scanString(p);
    if (c === 123) return this.scanClose(p);
    if (isName(c) || c === 92) {
      while (p < n && (isName(s.charCodeAt(p)) || s.charCodeAt(p) === 92)) p++;
      if (s.charCodeAt(p) === 40) return this.scanClose(p);
      return p;
    }
    throw this.error('malformed metadata', p);
  }

  /** Given the offset of an opening bracket, returns the offset after its matching closer. */
  private scanClose(p: number): number {
    const s = this.src;
    const n = s.length;
    let depth = 0;
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c === 34) {
        p = this.scanString(p);
        continue;
      }
      if (c === 40 || c === 123 || c === 91) depth++;
      else if (c === 41 || c === 125 || c === 93) {
        depth--;
        if (depth === 0) return p + 1;
      }
      p++;
    }
    throw this.error('unterminated metadata', p);
  }

  /** Moves the cursor to offset `p` and reads the token there. */
  resetTo(p: number): number {
    this.pos = p;
    return this.next();
  }

  /** Skips to the end of the current line (used for directives the parser ignores). */
  skipLine(): number {
    const nl = this.src.indexOf('\n', this.start);
    this.pos = nl < 0 ? this.src.length : nl + 1;
    return this.next();
  }
}

function charDesc(c: number): string {
  if (c >= 33 && c < 127) return `'${String.fromCharCode(c)}'`;
  return `0x${c.toString(16).padStart(2, '0')}`;
}
