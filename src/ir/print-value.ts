/**
 * @fileoverview Stage: ir (printer). Values in IR text: slot numbering of unnamed locals and blocks, and
 * the base printer class that spells types (cached per module), names, operands, constants and
 * attributes.
 *
 * Consumes: the model's values and constants (./model), spelled with ./print-text. Produces: `FuncSlots`
 * and `ValuePrinter`, which ./print-instr extends with instructions and ./printer with modules.
 */
import {
  CAST_OPS,
  type Attr,
  type AttrList,
  type Block,
  type Constant,
  type DebugRecord,
  type Func,
  type GlobalValue,
  type Instr,
  type Local,
  type Value,
} from './model.js';
import {
  DIGITS,
  KEYWORD_ATTR,
  escapeBytes,
  escapeString,
  flagStr,
  isNamed,
  printFloatBits,
  printIntValue,
  printName,
  stripParens,
  typeText,
} from './print-text.js';
import type { Type } from './types.js';

// ---------------------------------------------------------------------------------------------------
// Slot numbering of one function

export interface FuncSlots {
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
export function hasHiddenResult(i: Instr): boolean {
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
export function labelNum(n: number): string {
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
// Values, constants and attributes

export class ValuePrinter {
  /** Printed types by `Type.id` (ids are dense per TypeContext; one printer serves one module). */
  private readonly typeCache: string[] = [];
  /** `type` as a function value, for `typeText`'s component types. */
  private readonly showType = (t: Type): string => this.type(t);
  protected readonly slotCache = new Map<Func, FuncSlots>();
  private readonly globalNames = new Map<GlobalValue, string>();
  /** Slots of the function being printed. */
  protected cur: FuncSlots | undefined;
  protected curFunc: Func | undefined;

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
      s = typeText(t, this.showType);
      this.typeCache[t.id] = s;
    }
    return s;
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
        // A wrapped value or a DIArgList is printed from the values, so that renumbered locals stay right.
        if (v.value !== undefined) return this.typed(v.value);
        if (v.args !== undefined) return `!DIArgList(${v.args.map((a) => this.typed(a)).join(', ')})`;
        return v.text.startsWith('metadata ') ? v.text.slice(9) : v.text;
      case 'asm': {
        return `asm${flagStr(v.flags)} "${escapeString(v.asm)}", "${escapeString(v.constraints)}"`;
      }
      default:
        return this.constant(v);
    }
  }

  /** A debug record (`#dbg_value(ptr %3, !12, !DIExpression(), !14)`), without indentation. */
  debugRecord(r: DebugRecord): string {
    return `#dbg_${r.kind}(${r.ops.map((op) => this.value(op)).join(', ')})`;
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
}
