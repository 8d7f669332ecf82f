/**
 * @fileoverview Stage: ir. The IR printer: writes the in-memory model back as LLVM IR text.
 *
 * Consumes: a `Module` (./model) and its types (./types). Produces: `.ll` text that `llvm-as-19` accepts
 * and that means the same module, plus small helpers (`printType`, `printValue`, `printInstr`) for error
 * messages and debugging.
 *
 * How it works:
 * - Function bodies are written as bytes into one reused buffer (`ByteOut`) and become one flat string per
 *   function; the module is an array of such strings joined once. Type strings and `%N` names are cached,
 *   so printing is linear in the size of the module and allocates little per instruction.
 * - Unnamed values, blocks and globals (`name` undefined, or all digits) are numbered while printing, in
 *   the order LLVM's slot tracker uses (parameters, then per block: the block, then its results), because
 *   `llvm-as` requires unnamed values to be numbered sequentially.
 * - Floating-point constants are written as exact hexadecimal bit patterns (`0x...` for float and double,
 *   `0xK` for x86_fp80, `0xL` fp128, `0xM` ppc_fp128, `0xH` half, `0xR` bfloat), never as decimals.
 * - Metadata is printed from the raw text the parser kept (`Module.metadata`, `md` attachments).
 */
import {
  CAST_OPS,
  type Attr,
  type AttrList,
  type Block,
  type Constant,
  type Func,
  type GlobalValue,
  type GlobalVar,
  type Instr,
  type Local,
  type Module,
  type Value,
} from './model.js';
import type { FloatKind, StructType, Type } from './types.js';

// ---------------------------------------------------------------------------------------------------
// Names and strings

const SIMPLE_NAME = /^[-a-zA-Z$._][-a-zA-Z$._0-9]*$/;
const DIGITS = /^[0-9]+$/;
const HEX = '0123456789ABCDEF';

/** Escapes bytes the way LLVM's `printEscapedString` does: printable ASCII except `"` and `\` stay. */
export function escapeBytes(bytes: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) {
      plain = false;
      break;
    }
  }
  if (plain) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c) parts.push('\\' + HEX[c >> 4] + HEX[c & 15]);
    else parts.push(String.fromCharCode(c));
  }
  return parts.join('');
}

/** Escapes a string (given as text, written as its UTF-8 bytes) for use inside `"..."`. */
export function escapeString(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0000-\u001f"\\\u007f-\uffff]/.test(s)) return s;
  return escapeBytes(Buffer.from(s, 'utf8'));
}

/** A name as it follows its sigil (`%`, `@`, `$`): bare when LLVM allows it, quoted and escaped otherwise. */
export function printName(name: string): string {
  return SIMPLE_NAME.test(name) ? name : `"${escapeString(name)}"`;
}

/** True for a source name the printer keeps; undefined, empty and all-digit names are numbered instead. */
function isNamed(name: string | undefined): name is string {
  return name !== undefined && name !== '' && !DIGITS.test(name);
}

// ---------------------------------------------------------------------------------------------------
// Types

/** The IR spelling of a type (`i32`, `ptr addrspace(1)`, `{ i8, [4 x i16] }`, `%struct.S`). */
export function printType(t: Type): string {
  switch (t.kind) {
    case 'void':
    case 'label':
    case 'metadata':
    case 'token':
    case 'x86_mmx':
    case 'x86_amx':
      return t.kind;
    case 'int':
      return `i${t.bits}`;
    case 'float':
      return t.fk;
    case 'ptr':
      return t.addrSpace === 0 ? 'ptr' : `ptr addrspace(${t.addrSpace})`;
    case 'array':
      return `[${t.len} x ${printType(t.elem)}]`;
    case 'vector':
      return t.scalable ? `<vscale x ${t.len} x ${printType(t.elem)}>` : `<${t.len} x ${printType(t.elem)}>`;
    case 'struct':
      if (t.name !== undefined) return '%' + (DIGITS.test(t.name) ? t.name : printName(t.name));
      return structBody(t.fields, t.packed, printType);
    case 'func': {
      const ps = t.params.map(printType);
      if (t.varargs) ps.push('...');
      return `${printType(t.ret)} (${ps.join(', ')})`;
    }
    case 'target': {
      const ps = [`"${escapeString(t.name)}"`, ...t.typeParams.map(printType), ...t.intParams.map(String)];
      return `target(${ps.join(', ')})`;
    }
  }
}

function structBody(fields: readonly Type[], packed: boolean, show: (t: Type) => string): string {
  const body = fields.length === 0 ? '{}' : `{ ${fields.map(show).join(', ')} }`;
  return packed ? `<${body}>` : body;
}

// ---------------------------------------------------------------------------------------------------
// Simple constants

const MASK64 = (1n << 64n) - 1n;

function hexDigits(v: bigint, digits: number): string {
  return v.toString(16).toUpperCase().padStart(digits, '0');
}

/** Widens an IEEE single bit pattern to the double with the same value (NaN payloads kept, not quieted). */
export function floatBitsToDoubleBits(b: number): bigint {
  const sign = BigInt((b >>> 31) & 1) << 63n;
  const exp = (b >>> 23) & 0xff;
  let man = b & 0x7fffff;
  if (exp === 0xff) return sign | (0x7ffn << 52n) | (BigInt(man) << 29n);
  if (exp === 0) {
    if (man === 0) return sign;
    let e = -126;
    while ((man & 0x800000) === 0) {
      man <<= 1;
      e--;
    }
    man &= 0x7fffff;
    return sign | (BigInt(e + 1023) << 52n) | (BigInt(man) << 29n);
  }
  return sign | (BigInt(exp - 127 + 1023) << 52n) | (BigInt(man) << 29n);
}

/** A floating-point constant as LLVM's exact hexadecimal form (LangRef, "Simple Constants"). */
export function printFloatBits(fk: FloatKind, bits: bigint): string {
  switch (fk) {
    case 'double':
      return '0x' + hexDigits(bits & MASK64, 16);
    case 'float':
      return '0x' + hexDigits(floatBitsToDoubleBits(Number(bits & 0xffffffffn)), 16);
    case 'half':
      return '0xH' + hexDigits(bits & 0xffffn, 4);
    case 'bfloat':
      return '0xR' + hexDigits(bits & 0xffffn, 4);
    case 'x86_fp80':
      return '0xK' + hexDigits(bits & ((1n << 80n) - 1n), 20);
    case 'fp128':
      return '0xL' + hexDigits(bits & MASK64, 16) + hexDigits((bits >> 64n) & MASK64, 16);
    case 'ppc_fp128':
      return '0xM' + hexDigits(bits & MASK64, 16) + hexDigits((bits >> 64n) & MASK64, 16);
  }
}

/** An integer constant as LLVM prints it: signed decimal, `true`/`false` for i1. */
export function printIntValue(bits: number, value: bigint): string {
  if (bits === 1) return (value & 1n) === 1n ? 'true' : 'false';
  // Fast paths without BigInt arithmetic where the value fits a double exactly.
  if (value >= 0n) {
    if (bits <= 53) {
      const n = Number(value);
      if (n < 2 ** (bits - 1)) return String(n);
      if (n < 2 ** bits) return String(n - 2 ** bits);
    } else if (value < 0x20000000000000n) return String(Number(value));
  }
  const b = BigInt(bits);
  const v = BigInt.asUintN(bits, value);
  return (v >> (b - 1n) === 1n ? v - (1n << b) : v).toString();
}

// ---------------------------------------------------------------------------------------------------
// Attributes

/** Keyword attributes: plain lowercase words. Anything else is a string attribute (`"key"="value"`). */
const KEYWORD_ATTR = /^[a-z_][a-z0-9_]*$/;

function quoted(s: string): string {
  return s.startsWith('"') ? s : `"${escapeString(s)}"`;
}

function flagStr(flags: readonly string[]): string {
  return flags.length === 0 ? '' : flags.length === 1 ? ' ' + flags[0] : ' ' + flags.join(' ');
}

function stripParens(v: string): string {
  return v.startsWith('(') && v.endsWith(')') ? v.slice(1, -1) : v;
}

// ---------------------------------------------------------------------------------------------------
// Slot numbering of one function

interface FuncSlots {
  /** Printed name (`%x`, `%3`) by `Local.id`. */
  readonly locals: string[];
  /** Printed label without `%` (`entry`, `3`, `"a b"`) by `Block.index`. */
  readonly blocks: string[];
  /** The same with `%`, as operands write it. */
  readonly blockRefs: string[];
  /** Numbers for non-void calls whose result the model did not keep (`call i32 @f()` without `%x =`). */
  readonly extra: Map<Instr, string>;
}

/** True for an instruction that produces a value LLVM numbers even though the model has no result. */
function hasHiddenResult(i: Instr): boolean {
  return (
    i.result === undefined &&
    (i.op === 'call' || i.op === 'invoke' || i.op === 'callbr') &&
    i.funcType.ret.kind !== 'void'
  );
}

/** `%N` and `N` strings shared by all functions (most values of optimised IR are unnamed). */
const LOCAL_NUMS: string[] = [];
const LABEL_NUMS: string[] = [];
function localNum(n: number): string {
  return LOCAL_NUMS[n] ?? (LOCAL_NUMS[n] = '%' + n);
}
function labelNum(n: number): string {
  return LABEL_NUMS[n] ?? (LABEL_NUMS[n] = String(n));
}

function numberFunction(f: Func): FuncSlots {
  const locals: string[] = new Array<string>(f.locals.length);
  const blocks: string[] = new Array<string>(f.blocks.length);
  const extra = new Map<Instr, string>();
  let n = 0;
  const defined = f.blocks.length > 0;
  for (const p of f.params) {
    const l = p.local;
    locals[l.id] = isNamed(l.name) ? '%' + printName(l.name) : defined ? localNum(n++) : '%' + (l.name ?? '');
  }
  for (const b of f.blocks) {
    blocks[b.index] = isNamed(b.name) ? printName(b.name) : labelNum(n++);
    for (const i of b.instrs) {
      const r = i.result;
      if (r !== undefined) locals[r.id] = isNamed(r.name) ? '%' + printName(r.name) : localNum(n++);
      else if (hasHiddenResult(i)) extra.set(i, localNum(n++));
    }
  }
  return { locals, blocks, blockRefs: blocks.map((b) => '%' + b), extra };
}

// ---------------------------------------------------------------------------------------------------
// Output buffer

/**
 * Text written as bytes into a growing buffer: copying cached strings char by char allocates nothing, where
 * concatenating them would create millions of short-lived rope strings. Everything the printer produces is
 * ASCII except raw metadata text, which may hold other characters; those are encoded as UTF-8.
 */
class ByteOut {
  private buf = new Uint8Array(1 << 16);
  private pos = 0;
  private ascii = true;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.pos));
    this.buf = nb;
  }

  /** Writes one string. */
  s(str: string): void {
    const n = str.length;
    this.reserve(n * 3);
    const b = this.buf;
    let p = this.pos;
    for (let k = 0; k < n; k++) {
      const c = str.charCodeAt(k);
      if (c >= 0x80) {
        p += UTF8.encodeInto(str.slice(k), b.subarray(p)).written;
        this.ascii = false;
        break;
      }
      b[p++] = c;
    }
    this.pos = p;
  }

  /** Writes up to eight strings (fixed parameters rather than rest: no array per call). */
  w(a: string, b?: string, c?: string, d?: string, e?: string, f?: string, g?: string, h?: string): void {
    this.s(a);
    if (b === undefined) return;
    this.s(b);
    if (c === undefined) return;
    this.s(c);
    if (d === undefined) return;
    this.s(d);
    if (e === undefined) return;
    this.s(e);
    if (f === undefined) return;
    this.s(f);
    if (g === undefined) return;
    this.s(g);
    if (h !== undefined) this.s(h);
  }

  /** The text written so far; the buffer is then emptied for reuse. */
  take(): string {
    const b = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.pos);
    const text = this.ascii ? b.toString('latin1') : b.toString('utf8');
    this.pos = 0;
    this.ascii = true;
    return text;
  }
}

const UTF8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------------
// The printer

const ORDER_KIND: Record<GlobalValue['kind'], number> = { gvar: 0, alias: 1, ifunc: 2, function: 3 };

class Printer {
  /** Printed types by `Type.id` (ids are dense per TypeContext; one printer serves one module). */
  private readonly typeCache: string[] = [];
  private readonly slotCache = new Map<Func, FuncSlots>();
  private readonly globalNames = new Map<GlobalValue, string>();
  /** The output buffer of function bodies, reused from one function to the next. */
  private readonly body = new ByteOut();
  /** Slots of the function being printed. */
  private cur: FuncSlots | undefined;
  private curFunc: Func | undefined;

  /** Numbers unnamed globals in LLVM's order: variables, aliases, ifuncs, then functions. */
  nameGlobals(ordered: readonly GlobalValue[]): void {
    let n = 0;
    for (const g of ordered) {
      this.globalNames.set(g, isNamed(g.name) ? '@' + printName(g.name) : `@${n++}`);
    }
  }

  // ----- types

  type(t: Type): string {
    let s = this.typeCache[t.id];
    if (s === undefined) {
      s = this.typeUncached(t);
      this.typeCache[t.id] = s;
    }
    return s;
  }

  private typeUncached(t: Type): string {
    switch (t.kind) {
      case 'array':
        return `[${t.len} x ${this.type(t.elem)}]`;
      case 'vector':
        return t.scalable
          ? `<vscale x ${t.len} x ${this.type(t.elem)}>`
          : `<${t.len} x ${this.type(t.elem)}>`;
      case 'struct':
        if (t.name !== undefined) return printType(t);
        return structBody(t.fields, t.packed, (x) => this.type(x));
      case 'func': {
        const ps = t.params.map((p) => this.type(p));
        if (t.varargs) ps.push('...');
        return `${this.type(t.ret)} (${ps.join(', ')})`;
      }
      default:
        return printType(t);
    }
  }

  // ----- values

  slots(f: Func): FuncSlots {
    let s = this.slotCache.get(f);
    if (s === undefined) {
      s = numberFunction(f);
      this.slotCache.set(f, s);
    }
    return s;
  }

  setFunction(f: Func | undefined): void {
    this.curFunc = f;
    this.cur = f === undefined ? undefined : this.slots(f);
  }

  global(g: GlobalValue): string {
    const s = this.globalNames.get(g);
    if (s !== undefined) return s;
    return '@' + (DIGITS.test(g.name) ? g.name : printName(g.name));
  }

  local(l: Local): string {
    const s = this.cur?.locals[l.id];
    if (s !== undefined && this.curFunc?.locals[l.id] === l) return s;
    return isNamed(l.name) ? '%' + printName(l.name) : `%<unnamed #${l.id}>`;
  }

  label(b: Block): string {
    const s = this.cur?.blockRefs[b.index];
    if (s !== undefined && this.curFunc?.blocks[b.index] === b) return s;
    return '%' + (isNamed(b.name) ? printName(b.name) : `<block #${b.index}>`);
  }

  /** A value without its type (`%3`, `@g`, `i32 5` is printed `5`). */
  value(v: Value): string {
    switch (v.kind) {
      case 'local':
        return this.local(v);
      case 'metadata':
        return v.text.startsWith('metadata ') ? v.text.slice(9) : v.text;
      case 'asm': {
        return `asm${flagStr(v.flags)} "${escapeString(v.asm)}", "${escapeString(v.constraints)}"`;
      }
      default:
        return this.constant(v);
    }
  }

  /** A value with its type (`i32 %3`, `ptr @g`, `metadata !5`). */
  typed(v: Value): string {
    return `${this.type(v.type)} ${this.value(v)}`;
  }

  constant(c: Constant): string {
    switch (c.kind) {
      case 'int':
        if (c.type.kind === 'vector') {
          const el = c.type.elem;
          return `splat (${this.type(el)} ${printIntValue(el.kind === 'int' ? el.bits : 64, c.value)})`;
        }
        return printIntValue(c.type.kind === 'int' ? c.type.bits : 64, c.value);
      case 'float': {
        const t = c.type.kind === 'vector' ? c.type.elem : c.type;
        const fk = t.kind === 'float' ? t.fk : 'double';
        const s = printFloatBits(fk, c.bits);
        return c.type.kind === 'vector' ? `splat (${this.type(t)} ${s})` : s;
      }
      case 'null':
        return 'null';
      case 'undef':
        return 'undef';
      case 'poison':
        return 'poison';
      case 'zero':
        return 'zeroinitializer';
      case 'none':
        return 'none';
      case 'array': {
        const es = c.elems.map((e) => this.typed(e));
        return `[${es.join(', ')}]`;
      }
      case 'vector': {
        const es = c.elems.map((e) => this.typed(e));
        return `<${es.join(', ')}>`;
      }
      case 'struct': {
        const packed = c.type.kind === 'struct' && c.type.packed;
        const body = c.elems.length === 0 ? '{}' : `{ ${c.elems.map((e) => this.typed(e)).join(', ')} }`;
        return packed ? `<${body}>` : body;
      }
      case 'string':
        return `c"${escapeBytes(c.bytes)}"`;
      case 'splat':
        return `splat (${this.typed(c.elem)})`;
      case 'expr':
        return this.constExpr(c);
      case 'blockaddress': {
        const f = c.func;
        let lab: string;
        if (c.block !== undefined && f.kind === 'function') lab = this.slots(f).blockRefs[c.block.index];
        else lab = c.label.startsWith('%') ? c.label : '%' + printName(c.label);
        return `blockaddress(${this.global(f)}, ${lab})`;
      }
      case 'dso_local_equivalent':
      case 'no_cfi':
        return `${c.kind} ${this.global(c.func)}`;
      case 'gvar':
      case 'function':
      case 'alias':
      case 'ifunc':
        return this.global(c);
    }
  }

  private constExpr(c: Extract<Constant, { kind: 'expr' }>): string {
    const fl = flagStr(c.flags);
    const ops = c.operands;
    if (CAST_OPS.has(c.op)) return `${c.op}${fl} (${this.typed(ops[0])} to ${this.type(c.type)})`;
    if (c.op === 'getelementptr') {
      // `inrange(a, b)` after the flags (LLVM 19), or old-style `inrange index N`: before operand N + 1.
      let ir = '';
      let oldIndex = -1;
      const r = c.inrange;
      if (r !== undefined && !c.flags.some((f) => f.startsWith('inrange'))) {
        const old = /^inrange index (\d+)$/.exec(r);
        if (old !== null) oldIndex = Number(old[1]) + 1;
        else ir = r.startsWith('inrange') ? ' ' + r : ` inrange(${stripParens(r)})`;
      }
      const src = this.type(c.srcType ?? c.type);
      const os = ops.map((o, k) => (k === oldIndex ? 'inrange ' : '') + this.typed(o));
      return `getelementptr${fl}${ir} (${src}, ${os.join(', ')})`;
    }
    const pred = c.pred !== undefined ? ' ' + c.pred : '';
    return `${c.op}${fl}${pred} (${ops.map((o) => this.typed(o)).join(', ')})`;
  }

  // ----- attributes

  attr(a: Attr, inGroup: boolean): string {
    const name = a.name;
    if (
      a.value === undefined &&
      a.type === undefined &&
      name.charCodeAt(0) !== 34 &&
      KEYWORD_ATTR.test(name)
    ) {
      return name; // the common case: `noundef`, `nonnull`, `nounwind`
    }
    if (!KEYWORD_ATTR.test(name)) {
      // String attribute: the parser keeps the key with its quotes and the value without.
      const key = name.length >= 2 && name.startsWith('"') && name.endsWith('"') ? name.slice(1, -1) : name;
      const k = `"${escapeString(key)}"`;
      return a.value === undefined ? k : `${k}="${escapeString(a.value)}"`;
    }
    if (a.type !== undefined) return `${name}(${this.type(a.type)})`;
    if (a.value === undefined || a.value === '') return name;
    if (name === 'align' || name === 'alignstack') {
      const v = stripParens(a.value.startsWith('=') ? a.value.slice(1) : a.value).trim();
      if (inGroup) return `${name}=${v}`;
      return name === 'align' ? `align ${v}` : `alignstack(${v})`;
    }
    return a.value.startsWith('(') ? name + a.value : `${name}(${a.value})`;
  }

  /** An attribute list with a leading space, or '' when empty. */
  attrs(l: AttrList): string {
    const n = l.attrs.length;
    if (l.groups.length === 0) {
      if (n === 0) return '';
      if (n === 1) return ' ' + this.attr(l.attrs[0], false);
    }
    const parts: string[] = [];
    for (const a of l.attrs) parts.push(this.attr(a, false));
    for (const g of l.groups) parts.push(`#${g}`);
    return ' ' + parts.join(' ');
  }

  // ----- instructions

  private blockList(bs: readonly Block[]): string {
    return bs.map((b) => `label ${this.label(b)}`).join(', ');
  }

  /** Raw metadata attachments (other than `!dbg`) of an instruction, as `, !kind !N...`. */
  private instrMd(md: string): string {
    if (md.startsWith(', !')) return md;
    const t = md.trim();
    if (t === '') return '';
    return ', ' + (t.startsWith(',') ? t.slice(1).trimStart() : t);
  }

  private syncscope(s: string | undefined): string {
    if (s === undefined) return '';
    return s.startsWith('syncscope') ? ' ' + s : ` syncscope("${escapeString(s)}")`;
  }

  private alignSuffix(align: number): string {
    return align > 0 ? `, align ${align}` : '';
  }

  private callLike(i: Extract<Instr, { op: 'call' | 'invoke' | 'callbr' }>, o: ByteOut): void {
    if (i.fastMath.length > 0) o.w(flagStr(i.fastMath));
    if (i.callingConv !== undefined && i.callingConv !== 'ccc') o.w(' ', i.callingConv);
    if (i.retAttrs.attrs.length > 0 || i.retAttrs.groups.length > 0) o.w(this.attrs(i.retAttrs));
    if (i.addrSpace !== undefined && i.addrSpace !== 0) o.w(` addrspace(${i.addrSpace})`);
    const ft = i.funcType;
    o.w(
      ' ',
      i.explicitFuncType || ft.varargs ? this.type(ft) : this.type(ft.ret),
      ' ',
      this.value(i.callee),
      '(',
    );
    const args = i.args;
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      if (k > 0) o.w(', ');
      o.w(this.type(a.value.type));
      if (a.attrs.attrs.length > 0 || a.attrs.groups.length > 0) o.w(this.attrs(a.attrs));
      o.w(' ', this.value(a.value));
    }
    o.w(')');
    if (i.fnAttrs.attrs.length > 0 || i.fnAttrs.groups.length > 0) o.w(this.attrs(i.fnAttrs));
    if (i.bundles.length > 0) {
      const bs = i.bundles.map(
        (b) => `"${escapeString(b.tag)}"(${b.inputs.map((v) => this.typed(v)).join(', ')})`,
      );
      o.w(` [ ${bs.join(', ')} ]`);
    }
  }

  /** Writes `type value` of `v`. */
  private pushTyped(v: Value, o: ByteOut): void {
    o.w(this.type(v.type), ' ', this.value(v));
  }

  /** One instruction without indentation, result or metadata (`add nsw i32 %1, 2`). */
  instrBody(i: Instr): string {
    const o = new ByteOut();
    this.emitBody(i, o);
    return o.take();
  }

  /**
   * Writes an instruction (without indentation, result or metadata) to `o`. The pieces are mostly shared
   * strings (cached types, value names) copied as bytes, so printing an instruction allocates little.
   */
  private emitBody(i: Instr, o: ByteOut): void {
    switch (i.op) {
      // The most frequent instructions first.
      case 'load':
        o.w(i.ordering !== undefined ? 'load atomic' : 'load');
        if (i.volatile) o.w(' volatile');
        o.w(' ', this.type(i.type), ', ');
        this.pushTyped(i.ptr, o);
        if (i.ordering !== undefined) o.w(this.syncscope(i.syncscope), ' ', i.ordering);
        if (i.align > 0) o.w(', align ', labelNum(i.align));
        return;
      case 'store':
        o.w(i.ordering !== undefined ? 'store atomic' : 'store');
        if (i.volatile) o.w(' volatile');
        o.w(' ');
        this.pushTyped(i.value, o);
        o.w(', ');
        this.pushTyped(i.ptr, o);
        if (i.ordering !== undefined) o.w(this.syncscope(i.syncscope), ' ', i.ordering);
        if (i.align > 0) o.w(', align ', labelNum(i.align));
        return;
      case 'getelementptr':
        o.w('getelementptr', flagStr(i.flags), ' ', this.type(i.srcType), ', ');
        this.pushTyped(i.ptr, o);
        for (const x of i.indices) {
          o.w(', ');
          this.pushTyped(x, o);
        }
        return;
      case 'call':
        if (i.tail !== undefined) o.w(i.tail, ' ');
        o.w('call');
        this.callLike(i, o);
        return;
      case 'br':
        if (i.cond === undefined) {
          o.w('br label ', this.label(i.ifTrue));
          return;
        }
        o.w('br ');
        this.pushTyped(i.cond, o);
        o.w(', label ', this.label(i.ifTrue), ', label ', this.label(i.ifFalse ?? i.ifTrue));
        return;
      case 'add':
      case 'sub':
      case 'mul':
      case 'udiv':
      case 'sdiv':
      case 'urem':
      case 'srem':
      case 'shl':
      case 'lshr':
      case 'ashr':
      case 'and':
      case 'or':
      case 'xor':
      case 'fadd':
      case 'fsub':
      case 'fmul':
      case 'fdiv':
      case 'frem':
        o.w(i.op, flagStr(i.flags), ' ', this.type(i.type), ' ', this.value(i.lhs), ', ', this.value(i.rhs));
        return;
      case 'icmp':
      case 'fcmp':
        o.w(i.op, flagStr(i.flags), ' ', i.pred, ' ', this.type(i.opType), ' ');
        o.w(this.value(i.lhs), ', ', this.value(i.rhs));
        return;
      case 'phi': {
        o.w('phi', flagStr(i.flags), ' ', this.type(i.type), ' ');
        const inc = i.incoming;
        for (let k = 0; k < inc.length; k++) {
          o.w(k > 0 ? ', [ ' : '[ ', this.value(inc[k].value), ', ', this.label(inc[k].block), ' ]');
        }
        return;
      }
      case 'trunc':
      case 'zext':
      case 'sext':
      case 'fptrunc':
      case 'fpext':
      case 'fptoui':
      case 'fptosi':
      case 'uitofp':
      case 'sitofp':
      case 'ptrtoint':
      case 'inttoptr':
      case 'bitcast':
      case 'addrspacecast':
        o.w(i.op, flagStr(i.flags), ' ');
        this.pushTyped(i.operand, o);
        o.w(' to ', this.type(i.type));
        return;
      case 'select':
        o.w('select', flagStr(i.flags), ' ');
        this.pushTyped(i.cond, o);
        o.w(', ');
        this.pushTyped(i.ifTrue, o);
        o.w(', ');
        this.pushTyped(i.ifFalse, o);
        return;
      case 'ret':
        if (i.value === undefined) o.w('ret void');
        else {
          o.w('ret ');
          this.pushTyped(i.value, o);
        }
        return;
      case 'alloca':
        o.w('alloca ', i.inalloca ? 'inalloca ' : '', this.type(i.allocType));
        if (i.count !== undefined) o.w(', ', this.typed(i.count));
        if (i.align > 0) o.w(', align ', labelNum(i.align));
        if (i.addrSpace !== 0) o.w(`, addrspace(${i.addrSpace})`);
        return;
      case 'switch':
        o.w(`switch ${this.typed(i.value)}, label ${this.label(i.defaultBlock)} [\n`);
        for (const c of i.cases) o.w(`    ${this.typed(c.value)}, label ${this.label(c.block)}\n`);
        o.w('  ]');
        return;
      case 'unreachable':
        o.w('unreachable');
        return;
      case 'fneg':
        o.w(`fneg${flagStr(i.flags)} ${this.typed(i.operand)}`);
        return;
      case 'freeze':
        o.w(`freeze ${this.typed(i.operand)}`);
        return;
      case 'extractelement':
        o.w(`extractelement ${this.typed(i.vector)}, ${this.typed(i.index)}`);
        return;
      case 'insertelement':
        o.w(`insertelement ${this.typed(i.vector)}, ${this.typed(i.element)}, ${this.typed(i.index)}`);
        return;
      case 'shufflevector':
        o.w(`shufflevector ${this.typed(i.a)}, ${this.typed(i.b)}, ${this.typed(i.maskValue)}`);
        return;
      case 'extractvalue':
        o.w(`extractvalue ${this.typed(i.aggregate)}, ${i.indices.join(', ')}`);
        return;
      case 'insertvalue':
        o.w(`insertvalue ${this.typed(i.aggregate)}, ${this.typed(i.element)}, ${i.indices.join(', ')}`);
        return;
      case 'fence':
        o.w(`fence${this.syncscope(i.syncscope)} ${i.ordering}`);
        return;
      case 'cmpxchg': {
        const w = (i.weak ? ' weak' : '') + (i.volatile ? ' volatile' : '');
        o.w(
          `cmpxchg${w} ${this.typed(i.ptr)}, ${this.typed(i.cmp)}, ${this.typed(i.newValue)}`,
          `${this.syncscope(i.syncscope)} ${i.successOrdering} ${i.failureOrdering}${this.alignSuffix(i.align)}`,
        );
        return;
      }
      case 'atomicrmw': {
        const vol = i.volatile ? ' volatile' : '';
        o.w(
          `atomicrmw${vol} ${i.rmwOp} ${this.typed(i.ptr)}, ${this.typed(i.value)}`,
          `${this.syncscope(i.syncscope)} ${i.ordering}${this.alignSuffix(i.align)}`,
        );
        return;
      }
      case 'va_arg':
        o.w(`va_arg ${this.typed(i.list)}, ${this.type(i.type)}`);
        return;
      case 'indirectbr':
        o.w(`indirectbr ${this.typed(i.address)}, [${this.blockList(i.targets)}]`);
        return;
      case 'invoke':
        o.w('invoke');
        this.callLike(i, o);
        o.w(`\n          to label ${this.label(i.normal)} unwind label ${this.label(i.unwind)}`);
        return;
      case 'callbr':
        o.w('callbr');
        this.callLike(i, o);
        o.w(`\n          to label ${this.label(i.fallthrough)} [${this.blockList(i.indirect)}]`);
        return;
      case 'landingpad':
        o.w(`landingpad ${this.type(i.type)}`);
        if (i.cleanup) o.w('\n          cleanup');
        for (const c of i.clauses) o.w(`\n          ${c.kind} ${this.typed(c.value)}`);
        return;
      case 'resume':
        o.w(`resume ${this.typed(i.value)}`);
        return;
      case 'catchswitch': {
        const unwind = i.unwind === undefined ? 'to caller' : `label ${this.label(i.unwind)}`;
        o.w(`catchswitch within ${this.value(i.parent)} [${this.blockList(i.handlers)}] unwind ${unwind}`);
        return;
      }
      case 'catchret':
        o.w(`catchret from ${this.value(i.pad)} to label ${this.label(i.target)}`);
        return;
      case 'cleanupret': {
        const unwind = i.unwind === undefined ? 'to caller' : `label ${this.label(i.unwind)}`;
        o.w(`cleanupret from ${this.value(i.pad)} unwind ${unwind}`);
        return;
      }
      case 'catchpad':
      case 'cleanuppad':
        o.w(`${i.op} within ${this.value(i.parent)} [${i.args.map((a) => this.typed(a)).join(', ')}]`);
        return;
    }
  }

  /** Writes one instruction line (two-space indent, result, body, attachments) without the newline. */
  emitInstr(i: Instr, o: ByteOut): void {
    if (i.result !== undefined) o.w('  ', this.local(i.result), ' = ');
    else {
      const x = this.cur !== undefined && this.cur.extra.size > 0 ? this.cur.extra.get(i) : undefined;
      o.w(x !== undefined ? `  ${x} = ` : '  ');
    }
    this.emitBody(i, o);
    if (i.dbg >= 0) o.w(', !dbg !', String(i.dbg));
    if (i.md !== undefined) o.w(this.instrMd(i.md));
  }

  /** One instruction line as it appears in a function body (two-space indent, result, attachments). */
  instr(i: Instr): string {
    const o = new ByteOut();
    this.emitInstr(i, o);
    return o.take();
  }

  // ----- module-level entities

  private linkage(g: GlobalValue): string {
    return g.linkage !== undefined && g.linkage !== 'external' ? g.linkage + ' ' : '';
  }

  /** Preemption, visibility, DLL storage class (each with a trailing space). */
  private globalProps(g: GlobalValue): string {
    let s = '';
    if (g.preemption !== undefined) s += g.preemption + ' ';
    if (g.visibility !== undefined && g.visibility !== 'default') s += g.visibility + ' ';
    if (g.dllStorage !== undefined) s += g.dllStorage + ' ';
    return s;
  }

  private threadLocal(g: GlobalValue): string {
    const t = g.threadLocal;
    if (t === undefined) return '';
    if (t.startsWith('thread_local')) return t + ' ';
    if (t === '' || t === 'generaldynamic') return 'thread_local ';
    return `thread_local(${t}) `;
  }

  private comdat(g: { name: string; comdat: string | undefined }, sep: string): string {
    if (g.comdat === undefined) return '';
    return g.comdat === g.name ? `${sep}comdat` : `${sep}comdat($${printName(g.comdat)})`;
  }

  globalVar(g: GlobalVar): string {
    const p: string[] = [this.global(g), ' = '];
    if (g.init === undefined && (g.linkage === undefined || g.linkage === 'external')) p.push('external ');
    p.push(this.linkage(g), this.globalProps(g), this.threadLocal(g));
    if (g.unnamedAddr !== undefined) p.push(g.unnamedAddr, ' ');
    if (g.addrSpace !== 0) p.push(`addrspace(${g.addrSpace}) `);
    if (g.externallyInitialized) p.push('externally_initialized ');
    p.push(g.isConstant ? 'constant ' : 'global ', this.type(g.valueType));
    if (g.init !== undefined) p.push(' ', this.value(g.init));
    if (g.section !== undefined) p.push(`, section "${escapeString(g.section)}"`);
    if (g.partition !== undefined) p.push(`, partition "${escapeString(g.partition)}"`);
    if (g.codeModel !== undefined) p.push(`, code_model ${quoted(g.codeModel)}`);
    for (const s of g.sanitizer) p.push(', ', s);
    p.push(this.comdat(g, ', '));
    if (g.align > 0) p.push(`, align ${g.align}`);
    if (g.md !== undefined) {
      const t = g.md.trim();
      if (t !== '') p.push(', ', t.startsWith(',') ? t.slice(1).trimStart() : t);
    }
    p.push(this.attrs(g.attrs));
    return p.join('');
  }

  private indirect(g: Extract<GlobalValue, { kind: 'alias' | 'ifunc' }>): string {
    const p: string[] = [this.global(g), ' = ', this.linkage(g), this.globalProps(g), this.threadLocal(g)];
    if (g.unnamedAddr !== undefined) p.push(g.unnamedAddr, ' ');
    const target = g.kind === 'alias' ? g.aliasee : g.resolver;
    p.push(g.kind, ' ', this.type(g.valueType), ', ', this.typed(target));
    if (g.partition !== undefined) p.push(`, partition "${escapeString(g.partition)}"`);
    return p.join('');
  }

  /** The metadata attachments of a function header, with a leading space, or ''. */
  private funcMd(f: Func): string {
    const t = f.md === undefined ? '' : f.md.trim().replace(/^,\s*/, '').replace(/,\s*!/g, ' !');
    const dbg = f.dbg >= 0 && !/!dbg\b/.test(t) ? ` !dbg !${f.dbg}` : '';
    return dbg + (t !== '' ? ' ' + t : '');
  }

  func(f: Func, out: string[]): void {
    this.setFunction(f);
    const isDecl = f.blocks.length === 0;
    const p: string[] = [];
    if (isDecl) p.push('declare', this.funcMd(f), ' ');
    else p.push('define ');
    p.push(this.linkage(f), this.globalProps(f));
    if (f.callingConv !== undefined && f.callingConv !== 'ccc') p.push(f.callingConv, ' ');
    const ra = this.attrs(f.retAttrs);
    if (ra !== '') p.push(ra.slice(1), ' ');
    p.push(this.type(f.funcType.ret), ' ', this.global(f), '(');
    const ps: string[] = [];
    for (const prm of f.params) {
      const s = this.type(prm.type) + this.attrs(prm.attrs);
      ps.push(isDecl ? s : `${s} ${this.local(prm.local)}`);
    }
    if (f.funcType.varargs) ps.push('...');
    p.push(ps.join(', '), ')');
    if (f.unnamedAddr !== undefined) p.push(' ', f.unnamedAddr);
    if (f.addrSpace !== 0) p.push(` addrspace(${f.addrSpace})`);
    p.push(this.attrs(f.fnAttrs));
    if (f.section !== undefined) p.push(` section "${escapeString(f.section)}"`);
    if (f.partition !== undefined) p.push(` partition "${escapeString(f.partition)}"`);
    p.push(this.comdat(f, ' '));
    if (f.align > 0) p.push(` align ${f.align}`);
    if (f.gc !== undefined) p.push(` gc "${escapeString(f.gc)}"`);
    if (f.prefix !== undefined) p.push(' prefix ', this.typed(f.prefix));
    if (f.prologue !== undefined) p.push(' prologue ', this.typed(f.prologue));
    if (f.personality !== undefined) p.push(' personality ', this.typed(f.personality));
    if (isDecl) {
      out.push(p.join(''));
      this.setFunction(undefined);
      return;
    }
    p.push(this.funcMd(f), ' {\n');
    // The body is written as bytes into one reused buffer and becomes one flat string per function.
    const o = this.body;
    o.s(p.join(''));
    const slots = this.cur as FuncSlots;
    for (const b of f.blocks) {
      if (b.index !== 0 || isNamed(b.name)) o.w(b.index !== 0 ? '\n' : '', slots.blocks[b.index], ':\n');
      for (const i of b.instrs) {
        if (i.dbgRecords !== undefined) for (const r of i.dbgRecords) o.w('    ', r, '\n');
        this.emitInstr(i, o);
        o.s('\n');
      }
    }
    o.s('}');
    out.push(o.take());
    this.slotCache.delete(f); // recomputed if a later blockaddress needs it
    this.setFunction(undefined);
  }

  module(m: Module): string {
    const out: string[] = [];
    if (m.sourceFilename !== undefined) out.push(`source_filename = "${escapeString(m.sourceFilename)}"`);
    if (m.dataLayout !== undefined) out.push(`target datalayout = "${escapeString(m.dataLayout)}"`);
    if (m.triple !== undefined) out.push(`target triple = "${escapeString(m.triple)}"`);
    if (m.moduleAsm.length > 0) {
      out.push('');
      for (const a of m.moduleAsm) out.push(`module asm "${escapeString(a)}"`);
    }

    // Named struct types: numbered ones in numeric order first (llvm-as wants them ascending), then the
    // others in definition order, then those never given a body (opaque) in order of first mention.
    const seen = new Set<StructType>(m.types.defined);
    const named = [...m.types.defined];
    for (const t of m.types.named.values()) if (!seen.has(t)) named.push(t);
    const numbered = named.filter((t) => DIGITS.test(t.name as string));
    numbered.sort((a, b) => Number(a.name) - Number(b.name));
    const structs = [...numbered, ...named.filter((t) => !DIGITS.test(t.name as string))];
    if (structs.length > 0) out.push('');
    for (const t of structs) {
      const body = t.opaque ? 'opaque' : structBody(t.fields, t.packed, (x) => this.type(x));
      out.push(`${this.type(t)} = type ${body}`);
    }

    if (m.comdats.length > 0) out.push('');
    for (const c of m.comdats) out.push(`$${printName(c.name)} = comdat ${c.selection}`);

    const ordered = m.globals
      .map((g, k) => ({ g, k }))
      .sort((a, b) => ORDER_KIND[a.g.kind] - ORDER_KIND[b.g.kind] || a.k - b.k)
      .map((x) => x.g);
    this.nameGlobals(ordered);

    let first = true;
    for (const g of ordered) {
      if (g.kind === 'function') {
        out.push('');
        this.func(g, out);
        continue;
      }
      if (first) out.push('');
      first = false;
      out.push(g.kind === 'gvar' ? this.globalVar(g) : this.indirect(g));
    }

    if (m.attrGroups.size > 0) out.push('');
    for (const n of [...m.attrGroups.keys()].sort((a, b) => a - b)) {
      const as = (m.attrGroups.get(n) as Attr[]).map((a) => this.attr(a, true));
      out.push(`attributes #${n} = { ${as.join(' ')} }`);
    }

    // Metadata: named nodes first, then numbered ones in numeric order.
    const names: string[] = [];
    const nums: number[] = [];
    for (const k of m.metadata.keys()) {
      if (DIGITS.test(k)) nums.push(Number(k));
      else names.push(k);
    }
    nums.sort((a, b) => a - b);
    if (names.length > 0) out.push('');
    for (const k of names) out.push(`!${k.startsWith('!') ? k.slice(1) : k} = ${m.metadata.get(k)}`);
    if (nums.length > 0) out.push('');
    for (const n of nums) out.push(`!${n} = ${m.metadata.get(String(n))}`);
    out.push('');
    return out.join('\n');
  }
}

// ---------------------------------------------------------------------------------------------------
// Public entry points

/** The whole module as IR text that `llvm-as-19` accepts. */
export function printModule(m: Module): string {
  return new Printer().module(m);
}

/**
 * One function (definition or declaration) as IR text. Unnamed globals are referenced by their model
 * name; use `printModule` for text that must assemble.
 */
export function printFunction(m: Module, f: Func): string {
  void m;
  const out: string[] = [];
  new Printer().func(f, out);
  return out.join('\n') + '\n';
}

/** A value with its type, for messages (`i32 %3`, `ptr @g`); pass its function to number unnamed locals. */
export function printValue(v: Value, f?: Func): string {
  const p = new Printer();
  p.setFunction(f);
  return p.typed(v);
}

/** One instruction as it would appear in its function (without indentation), for messages. */
export function printInstr(i: Instr, f?: Func): string {
  const p = new Printer();
  p.setFunction(f);
  return p.instr(i).trimStart();
}
