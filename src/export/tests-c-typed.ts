/**
 * @fileoverview Stage: export. Typed views of a test's input objects (`export tests`, with debug
 * information): which C type each object has, its bytes as a C initializer with designated fields, the
 * C lvalue of each pointer slot (`o0->next`, `o2[1].name`), and the scalar fields of an object for
 * typed checks of the after-state.
 *
 * Consumes: an input record, the function's C parameter types and the DWARF types (src/ir/debuginfo-c.ts).
 * Produces: `ObjectType`s by object id, initializer text, field paths; undefined wherever a typed form
 * would not give exactly the recorded bytes (the caller then keeps the byte array).
 *
 * Types come from where the function's code says an object is used: an argument of type `T *` pointing at
 * an object's base makes it a `T` (or a `T[n]` when it holds n of them), and a pointer field of a typed
 * object pointing at another object's base types that one in turn. A typed initializer is exact when
 * padding bytes are zero (a static initializer zeroes them), no field is a bit field or a union, every
 * pointer slot is a pointer field (assigned after the objects exist) and every other pointer field is NULL.
 */
import type { Func } from '../ir/model.js';
import type { InputRecord } from '../gen/record.js';
import type { DebugInfo, FunctionDebugInfo } from '../ir/debuginfo.js';
import {
  cTypeName,
  enumSigned,
  sizeOfType,
  structLayout,
  underlyingType,
  type CTypeOptions,
  type NodeLookup,
} from '../ir/debuginfo-c.js';
import type { DIRef } from '../ir/debuginfo-nodes.js';
import { floatDecimal, hexFloat, intLiteral } from './tests-c-literal.js';

/** An object's C type: `count` elements of `name` (`sizeof` = `size`) from its base. */
export interface ObjectType {
  readonly type: number;
  readonly name: string;
  readonly size: number;
  readonly count: number;
}

/** A scalar of an object: byte offset, size, C lvalue suffix (`->id`, `[2].x`) and kind. */
export interface Leaf {
  readonly off: number;
  readonly size: number;
  readonly path: string;
  readonly kind: 'signed' | 'unsigned' | 'float' | 'ptr';
  /** Its DWARF type. */
  readonly type: DIRef;
}

const MAX_LEAVES = 256;
const QUALIFIERS = ['const', 'volatile', 'restrict', 'atomic'];

/** The type without top-level qualifiers (typedef names kept). */
function unqualified(nodes: NodeLookup, t: DIRef): DIRef {
  let u = t;
  for (let i = 0; i < 16 && u !== null; i++) {
    const n = nodes(u);
    if (n?.kind !== 'DIDerivedType' || !QUALIFIERS.includes(n.tag)) return u;
    u = n.baseType;
  }
  return u;
}

/** The pointee of a pointer type; undefined for anything else. */
function pointee(nodes: NodeLookup, t: DIRef): DIRef | undefined {
  const u = underlyingType(nodes, t);
  const n = u === null ? undefined : nodes(u);
  // (A C++ reference is a pointer in the IR.)
  return n?.kind === 'DIDerivedType' &&
    (n.tag === 'pointer' || n.tag === 'reference' || n.tag === 'rvalue-reference')
    ? n.baseType
    : undefined;
}

/** The type of the pointer field at byte `at` of a `t`, when one starts there. */
function pointerFieldAt(nodes: NodeLookup, t: DIRef, at: number): DIRef | undefined {
  const u = underlyingType(nodes, t);
  const n = u === null ? undefined : nodes(u);
  if (n === undefined) return undefined;
  if (n.kind === 'DIDerivedType' && n.tag === 'pointer') return at === 0 ? t : undefined;
  if (n.kind !== 'DICompositeType') return undefined;
  if (n.tag === 'array') {
    const es = sizeOfType(nodes, n.baseType);
    const total = sizeOfType(nodes, u);
    if (es === undefined || es === 0 || total === undefined || at >= total) return undefined;
    return pointerFieldAt(nodes, n.baseType, at % es);
  }
  if (n.tag !== 'struct' && n.tag !== 'class') return undefined;
  const l = structLayout(nodes, u);
  const f = l?.fields.find((x) => x.bitSize === undefined && at >= x.offset && at < x.offset + x.size);
  return f === undefined ? undefined : pointerFieldAt(nodes, f.type, at - f.offset);
}

/** The C types of the record's objects, from the parameters' types and the pointer fields of typed objects. */
export function objectTypes(
  nodes: NodeLookup,
  f: Func,
  fi: FunctionDebugInfo | undefined,
  r: InputRecord,
  opts: CTypeOptions = {},
): Map<number, ObjectType> {
  const types = new Map<number, ObjectType>();
  // A result returned in memory (`sret`, IR parameter 0) has the function's return type.
  const skip = opts.cxx === true && f.params[0]?.attrs.attrs.some((a) => a.name === 'sret') === true ? 1 : 0;
  if (fi === undefined || fi.params.length !== f.params.length - skip) return types;
  const objs = new Map(r.objects.map((o) => [o.id, o]));
  const queue: number[] = [];
  const assign = (id: number, t: DIRef): void => {
    const o = objs.get(id);
    if (types.has(id) || o === undefined || o.lo < 0) return;
    const el = unqualified(nodes, t);
    const size = el === null ? undefined : sizeOfType(nodes, el);
    const kind = el === null ? undefined : nodes(underlyingType(nodes, el) ?? -1)?.kind;
    // The engine records the bytes the function reached ([lo, lo + size) of the object): the typed object
    // spans whole elements around them (the rest zero, as in the test's zeroed block).
    if (el === null || size === undefined || size === 0 || o.size === 0) return;
    if (o.big !== undefined && (o.lo !== 0 || o.size % size !== 0)) return;
    const count = Math.ceil((o.lo + o.size) / size);
    if (kind !== 'DIBasicType' && kind !== 'DIDerivedType' && kind !== 'DICompositeType') return;
    const name =
      opts.cxx === true
        ? cTypeName(nodes, el, opts).replace(/\(anonymous namespace\)::/g, '')
        : cTypeName(nodes, el, opts);
    // The compiler's own va_list element type: user code cannot name it (a va_list object stays bytes).
    if (name === '' || /[[(]/.test(name) || name === 'struct __va_list_tag') return;
    types.set(id, { type: el, name, size, count });
    queue.push(id);
  };
  const ret = r.args[0];
  if (skip === 1 && ret?.t === 'ptr' && 'obj' in ret && ret.off === 0 && fi.returnType !== null)
    assign(ret.obj, fi.returnType);
  fi.params.forEach((p, i) => {
    const v = r.args[i + skip];
    const pe = pointee(nodes, p.type);
    if (v?.t === 'ptr' && 'obj' in v && v.off === 0 && pe !== undefined) assign(v.obj, pe);
  });
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const ot = types.get(id)!;
    for (const rl of objs.get(id)!.relocs) {
      if (rl.to === null || !('obj' in rl.to) || rl.to.off !== 0) continue;
      const ft = pointerFieldAt(nodes, ot.type, rl.at % ot.size);
      const pe = ft === undefined ? undefined : pointee(nodes, ft);
      if (pe !== undefined) assign(rl.to.obj, pe);
    }
  }
  return types;
}

/** The C name of a pointer to `name` (`char *` -> `char **`, `int` -> `int *`). */
export const pointerTo = (name: string): string => (name.endsWith('*') ? `${name}*` : `${name} *`);

/** Whether a type is a character type (`char`, `signed char`, `unsigned char` and typedefs of them). */
export function isCharType(nodes: NodeLookup, t: DIRef): boolean {
  const n = nodes(underlyingType(nodes, t) ?? -1);
  return (
    n?.kind === 'DIBasicType' &&
    n.size === 8 &&
    (n.encoding === 'char' || n.encoding === 'signed' || n.encoding === 'unsigned')
  );
}

/**
 * The scalars of `count` elements of `t` in declaration order; undefined when the type has a union, a
 * bit field, or more than MAX_LEAVES scalars (the object is then checked byte for byte).
 */
export function leaves(nodes: NodeLookup, ot: ObjectType): Leaf[] | undefined {
  const out: Leaf[] = [];
  for (let k = 0; k < ot.count; k++) {
    const ok = leavesOf(nodes, ot.type, k * ot.size, ot.count === 1 ? '->' : `[${k}].`, out);
    if (!ok || out.length > MAX_LEAVES) return undefined;
  }
  return out;
}

function leavesOf(nodes: NodeLookup, t: DIRef, off: number, path: string, out: Leaf[]): boolean {
  if (out.length > MAX_LEAVES) return false;
  const u = underlyingType(nodes, t);
  const n = u === null ? undefined : nodes(u);
  const size = sizeOfType(nodes, t) ?? 0;
  // A whole element (`path` ends in '->' or '].'): the element itself is the lvalue.
  const whole = path.endsWith('->') ? '[0]' : path.endsWith('].') ? path.slice(0, -1) : path;
  if (n === undefined) return false;
  if (n.kind === 'DIBasicType') {
    if (n.encoding === 'float') {
      if (size !== 4 && size !== 8) return false;
      out.push({ off, size, path: whole, kind: 'float', type: t });
      return true;
    }
    if (n.encoding === 'complex' || n.encoding === 'other' || size > 8) return false;
    const signed = n.signed && n.encoding !== 'bool' && !n.name.includes('unsigned');
    out.push({ off, size, path: whole, kind: signed ? 'signed' : 'unsigned', type: t });
    return true;
  }
  if (n.kind === 'DIDerivedType') {
    if (n.tag !== 'pointer') return false;
    out.push({ off, size: 8, path: whole, kind: 'ptr', type: t });
    return true;
  }
  if (n.kind !== 'DICompositeType') return false;
  if (n.tag === 'enum') {
    if (size > 8) return false;
    out.push({ off, size, path: whole, kind: enumSigned(nodes, n) ? 'signed' : 'unsigned', type: t });
    return true;
  }
  if (n.tag === 'array') {
    const es = sizeOfType(nodes, n.baseType);
    if (es === undefined || es === 0 || n.elements.length !== 1) return false;
    for (let i = 0; i * es < size; i++)
      if (!leavesOf(nodes, n.baseType, off + i * es, `${whole}[${i}].`, out)) return false;
    return true;
  }
  if (n.tag !== 'struct' && n.tag !== 'class') return false;
  const l = structLayout(nodes, u);
  if (l === undefined) return false;
  for (const f of l.fields) {
    // (A C++ vtable pointer, `_vptr$Node`, is no field a test can name.)
    if (f.bitSize !== undefined || !/^[A-Za-z_]\w*$/.test(f.name) || f.base) return false;
    const sep = path.endsWith('->') || path.endsWith('.') ? '' : '.';
    if (!leavesOf(nodes, f.type, off + f.offset, `${path}${sep}${f.name}`, out)) return false;
  }
  return true;
}

/** Little-endian unsigned value of `n` bytes at `off`. */
function readUint(b: Uint8Array, off: number, n: number): bigint {
  let v = 0n;
  for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[off + i] ?? 0);
  return v;
}

/** Infinities and the default quiet NaNs as constant expressions (math.h), by bit pattern. */
const SPECIAL: Record<string, string> = {
  '4:7f800000': 'INFINITY',
  '4:ff800000': '-INFINITY',
  '4:7fc00000': 'NAN',
  '4:ffc00000': '-NAN',
  '8:7ff0000000000000': '(double)INFINITY',
  '8:fff0000000000000': '-(double)INFINITY',
  '8:7ff8000000000000': '(double)NAN',
  '8:fff8000000000000': '-(double)NAN',
};

/**
 * A scalar leaf's value as a C constant expression (floats exact, with the decimal value in a comment);
 * undefined for a NaN with a payload that no constant expression spells.
 */
export function leafValue(leaf: Leaf, data: Uint8Array, at: number): string | undefined {
  const v = readUint(data, at, leaf.size);
  if (leaf.kind === 'float') {
    const kind = leaf.size === 4 ? 'float' : 'double';
    const hex = hexFloat(v, kind);
    return hex !== undefined
      ? `${hex} /* ${floatDecimal(v, kind)} */`
      : SPECIAL[`${leaf.size}:${v.toString(16)}`];
  }
  return intLiteral(leaf.size * 8, v, leaf.kind === 'signed');
}

/**
 * The initializer of an object of type `ot` with bytes `data` (pointer slots at `ptrs` are left out: they
 * are assigned once every object exists), or undefined when a typed initializer would not give exactly
 * these bytes.
 */
export function initializer(
  nodes: NodeLookup,
  ot: ObjectType,
  data: Uint8Array,
  ptrs: ReadonlySet<number>,
): string | undefined {
  const ls = leaves(nodes, ot);
  if (ls === undefined) return undefined;
  const covered = new Uint8Array(data.length);
  for (const l of ls) {
    covered.fill(1, l.off, l.off + l.size);
    if (l.kind === 'ptr') {
      if (!ptrs.has(l.off) && readUint(data, l.off, 8) !== 0n) return undefined;
    } else for (let i = 0; i < l.size; i++) if (ptrs.has(l.off + i)) return undefined;
  }
  for (const p of ptrs) if (!ls.some((l) => l.kind === 'ptr' && l.off === p)) return undefined;
  // Padding (bytes no scalar covers) must be zero: a static initializer zeroes it.
  for (let i = 0; i < data.length; i++) if (covered[i] === 0 && data[i] !== 0) return undefined;
  if (ls.length === ot.count && ls.every((l) => l.kind !== 'ptr')) {
    // Scalars: one value, or an array's values in order (trailing zeros left to the initializer).
    const vals = ls.map((l) => leafValue(l, data, l.off));
    if (vals.some((v) => v === undefined)) return undefined;
    if (ot.count === 1) return vals[0];
    let n = vals.length;
    while (n > 0 && readUint(data, ls[n - 1]!.off, ls[n - 1]!.size) === 0n) n--;
    if (n === 0) return '{ 0 }';
    const lines: string[] = [];
    const per = ls[0]!.kind === 'float' ? 4 : 8;
    for (let i = 0; i < n; i += per) lines.push(`    ${vals.slice(i, i + per).join(', ')},`);
    return `{\n${lines.join('\n')}\n  }`;
  }
  const items: string[] = [];
  for (const l of ls) {
    if (l.kind === 'ptr') continue;
    if (readUint(data, l.off, l.size) === 0n) continue;
    const v = leafValue(l, data, l.off);
    if (v === undefined) return undefined;
    items.push(`${designator(l.path)} = ${v}`);
  }
  if (items.length === 0) return '{ 0 }';
  if (ot.count === 1) return `{\n${items.map((s) => `    ${s},`).join('\n')}\n  }`;
  // An array of structs: one element a line, `[k] = { .x = 1, .y = 2 },`.
  const rows = new Map<string, string[]>();
  for (const it of items) {
    const m = /^(\[\d+\])\.(.*)$/.exec(it);
    if (m === null) return `{\n${items.map((s) => `    ${s},`).join('\n')}\n  }`;
    rows.set(m[1]!, [...(rows.get(m[1]!) ?? []), '.' + m[2]!]);
  }
  return `{\n${[...rows].map(([k, fs]) => `    ${k} = { ${fs.join(', ')} },`).join('\n')}\n  }`;
}

/** A leaf's path as a designator: `->a.b[2]` -> `.a.b[2]`, `[1].x` -> `[1].x`, `[0]` -> `[0]`. */
function designator(path: string): string {
  return path.startsWith('->') ? '.' + path.slice(2) : path;
}

/** Whether bytes are mostly printable text (written as a string literal rather than hex). */
export function looksLikeText(data: Uint8Array): boolean {
  if (data.length === 0) return false;
  let p = 0;
  for (const b of data) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x09 || b === 0) p++;
  return p * 4 >= data.length * 3;
}

/**
 * The `bool` fields of a struct or class (base classes and member structs included), as byte offsets
 * and C++ member paths (`_elementJustOpened`, `_attr.flag`).
 */
export function boolFields(nodes: NodeLookup, t: DIRef, depth = 0): { off: number; path: string }[] {
  const u = underlyingType(nodes, t);
  const n = u === null ? undefined : nodes(u);
  if (depth > 8 || n?.kind !== 'DICompositeType' || (n.tag !== 'struct' && n.tag !== 'class')) return [];
  const out: { off: number; path: string }[] = [];
  for (const f of structLayout(nodes, u)?.fields ?? []) {
    if (f.bitSize !== undefined) continue;
    const b = nodes(underlyingType(nodes, f.type) ?? -1);
    if (b?.kind === 'DIBasicType' && b.encoding === 'bool') out.push({ off: f.offset, path: f.name });
    else
      for (const x of boolFields(nodes, f.type, depth + 1))
        out.push({ off: f.offset + x.off, path: f.base || f.name === '' ? x.path : `${f.name}.${x.path}` });
  }
  return out;
}

/**
 * Comments on `bool` fields whose byte is neither 0 nor 1 (gen writes bytes; the IR's `i8` of a C++
 * `bool` takes any): reading one is undefined in C++, and compilers test it differently (any bit, the
 * low bit), so such a test may pass with one build and fail with another.
 */
export function invalidBoolNotes(
  nodes: NodeLookup,
  types: ReadonlyMap<number, ObjectType>,
  objects: ReadonlyMap<number, { lo: number; data: Uint8Array }>,
): string[] {
  const out: string[] = [];
  for (const [id, ot] of types) {
    const o = objects.get(id);
    if (o === undefined || ot.count !== 1) continue;
    for (const f of boolFields(nodes, ot.type)) {
      const at = f.off - o.lo;
      const b = at >= 0 && at < o.data.length ? o.data[at]! : 0;
      if (b > 1)
        out.push(
          `  /* o${id}->${f.path} holds ${b}, not a bool value (0 or 1): builds may read it differently */`,
        );
    }
  }
  return out;
}

/**
 * C++ has no designated initializers of C's kind (C++20's need every designator in order and none for
 * an array element or a base): a typed object is set field by field instead (`o0->_flags = 512;`), its
 * other bytes zero as the object block is. Only where C's initializer would be exact, no field is const,
 * and there are at most 64 non-zero fields; else undefined (bytes).
 */
export function cxxFieldAssignments(
  nodes: NodeLookup,
  id: number,
  ot: ObjectType,
  data: Uint8Array,
  ptrs: ReadonlySet<number>,
  ls: readonly Leaf[] | undefined,
): string[] | undefined {
  if (ls === undefined || initializer(nodes, ot, data, ptrs) === undefined) return undefined;
  const out: string[] = [];
  for (const l of ls) {
    if (l.kind === 'ptr' || data.subarray(l.off, l.off + l.size).every((b) => b === 0)) continue;
    if (/^const\b|\bconst$/.test(cTypeName(nodes, l.type, { cxx: true }))) return undefined;
    const v = leafValue(l, data, l.off);
    if (v === undefined || out.length >= 64) return undefined;
    const lv = `o${id}${l.path}`;
    const isEnum = nodes(underlyingType(nodes, l.type) ?? -1);
    out.push(
      `  ${lv} = ${isEnum?.kind === 'DICompositeType' && isEnum.tag === 'enum' ? `(__typeof__(${lv}))` : ''}${v};`,
    );
  }
  return out;
}

/**
 * The value of a parameter the optimiser removed, from the first debug record of its variable in the
 * entry block: a constant (IPSCCP: the same at every call site), or 0 when the record says poison or
 * undef (dead-argument elimination: the optimised code never reads it).
 */
export function removedParam(
  di: DebugInfo | undefined,
  f: Func,
  variable: number | null,
): string | undefined {
  if (di === undefined || variable === null) return undefined;
  const u = di.uses(f).find((x) => x.variable === variable && x.kind === 'value');
  if (u === undefined || u.block !== 0 || u.expr !== '!DIExpression()' || u.value === undefined)
    return undefined;
  const v = u.value;
  if (v.kind === 'int' && v.type.kind === 'int')
    return `${intLiteral(v.type.bits, v.value, true)} /* removed by the optimiser: this at every call site */`;
  if (v.kind === 'null') return 'NULL /* removed by the optimiser: a constant at every call site */';
  if (v.kind === 'poison' || v.kind === 'undef')
    return '0 /* removed by the optimiser: its code does not read it */';
  return undefined;
}

/**
 * Whether debug type `t` is a pointer or a C++ reference (through typedefs and qualifiers: pcre2's
 * `PCRE2_SPTR` is `const PCRE2_UCHAR *`), as the IR passes it (a `ptr`).
 */
export function isPointerType(di: DebugInfo | undefined, t: DIRef): boolean {
  if (di === undefined || t === null) return false;
  const u = underlyingType(di.lookup, t);
  const n = u === null ? undefined : di.lookup(u);
  return (
    n?.kind === 'DIDerivedType' &&
    (n.tag === 'pointer' || n.tag === 'reference' || n.tag === 'rvalue-reference')
  );
}

/** Whether debug type `t` is a struct, union, class or array (through typedefs and qualifiers). */
export function isAggregateType(di: DebugInfo | undefined, t: DIRef): boolean {
  if (di === undefined || t === null) return false;
  const u = underlyingType(di.lookup, t);
  const n = u === null ? undefined : di.lookup(u);
  return n?.kind === 'DICompositeType' && n.tag !== 'enum' && n.tag !== 'variant';
}
