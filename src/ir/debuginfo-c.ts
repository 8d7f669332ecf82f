/**
 * @fileoverview Stage: ir. C and C++ views of DWARF types: type names and declarations as a C programmer
 * writes them, type sizes, and the layout of a struct, union or class (fields with byte offsets, bit
 * fields, padding holes).
 *
 * Consumes: debug-information nodes through a lookup function (`DebugInfo.lookup`, or `(id) =>
 * map.get(id)` over `DebugInfo.nodes()` on another thread). Produces: strings (`const char *`,
 * `int (*)(void *, int)`, `struct point p[4]`), sizes and `StructLayout`s; the exports (unit tests, datasets,
 * SARIF) use them to write typed declarations.
 *
 * Design: a declaration is built inside out, as C's declarator grammar reads: the name (or nothing) is the
 * innermost declarator, each pointer puts `*` in front of it, each array or function type puts `[N]` or
 * `(params)` behind it (parenthesising a pointer declarator first), and the innermost base type (a base
 * type, typedef, struct, union or enum) goes in front. Qualifiers go before a base type (`const char`) and
 * after the `*` of a pointer (`char *const`). Walks are bounded, so cyclic metadata cannot loop.
 */
import type { DICompositeType, DINode, DIRef } from './debuginfo-nodes.js';
import { isDIType } from './debuginfo-nodes.js';

/** Node lookup by id. */
export type NodeLookup = (id: number) => DINode | undefined;

export interface CTypeOptions {
  /**
   * C++ spelling: struct, union, class and enum names without the keyword and qualified by their
   * namespaces and enclosing classes (`geo::Point`), `()` for an empty parameter list. Default: C.
   */
  readonly cxx?: boolean;
}

/** Whether a DWARF language (`DW_LANG_C_plus_plus_14`) is C++. */
export function isCxxLanguage(language: string): boolean {
  return language.startsWith('DW_LANG_C_plus_plus') || language === 'DW_LANG_ObjC_plus_plus';
}

const MAX_DEPTH = 64;

/** The C name of a type (`struct point *`, `const char *`, `int [4]`, `int (*)(void *, int)`). */
export function cTypeName(nodes: NodeLookup, type: DIRef, opts: CTypeOptions = {}): string {
  return cDeclaration(nodes, type, '', opts);
}

/** A declaration of `name` with a type (`char name[8]`, `int (*fp)(void *, int)`, `struct node *next`). */
export function cDeclaration(nodes: NodeLookup, type: DIRef, name: string, opts: CTypeOptions = {}): string {
  return new CNamer(nodes, opts.cxx === true).decl(type, name, 0);
}

class CNamer {
  constructor(
    private readonly nodes: NodeLookup,
    private readonly cxx: boolean,
  ) {}

  decl(t: DIRef, inner: string, depth: number): string {
    const n = t === null ? undefined : this.nodes(t);
    if (n === undefined || !isDIType(n) || depth > MAX_DEPTH) return join('void', inner);
    const d = depth + 1;
    switch (n.kind) {
      case 'DIBasicType':
        return join(n.name, inner);
      case 'DISubroutineType': {
        // No parameters: `(void)` in C; clang writes an unprototyped `int (*)()` as variadic with none.
        const ps = n.params.map((p) => this.decl(p, '', d));
        if (n.varargs && (ps.length > 0 || this.cxx)) ps.push('...');
        const list = ps.length > 0 ? ps.join(', ') : this.cxx || n.varargs ? '' : 'void';
        return this.decl(n.returns, `${paren(inner)}(${list})`, d);
      }
      case 'DICompositeType': {
        if (n.tag !== 'array') return join(this.compositeName(n, d), inner);
        let dims = '';
        for (const e of n.elements) {
          const s = e === null ? undefined : this.nodes(e);
          dims += s?.kind === 'DISubrange' && s.count !== null ? `[${s.count}]` : '[]';
        }
        return this.decl(n.baseType, paren(inner) + (dims === '' ? '[]' : dims), d);
      }
      case 'DIDerivedType':
        break;
    }
    switch (n.tag) {
      case 'pointer':
        return this.decl(n.baseType, '*' + inner, d);
      case 'reference':
        return this.decl(n.baseType, '&' + inner, d);
      case 'rvalue-reference':
        return this.decl(n.baseType, '&&' + inner, d);
      case 'typedef':
        return join(this.qualified(n.name, n.scope, d), inner);
      case 'const':
      case 'volatile':
      case 'restrict':
      case 'atomic': {
        const q = n.tag === 'atomic' ? '_Atomic' : n.tag;
        const b = n.baseType === null ? undefined : this.nodes(n.baseType);
        if (b?.kind === 'DIDerivedType' && (b.tag === 'pointer' || b.tag === 'reference')) {
          return this.decl(n.baseType, join(q, inner), d);
        }
        return `${q} ${this.decl(n.baseType, inner, d)}`;
      }
      default:
        return this.decl(n.baseType, inner, d);
    }
  }

  private compositeName(n: DICompositeType, depth: number): string {
    const kw =
      n.tag === 'union' ? 'union' : n.tag === 'enum' ? 'enum' : n.tag === 'class' ? 'class' : 'struct';
    if (n.name !== '') return this.cxx ? this.qualified(n.name, n.scope, depth) : `${kw} ${n.name}`;
    // Anonymous: the definition itself, as C allows it where a type name is needed.
    const parts: string[] = [];
    for (const e of n.elements) {
      const m = e === null ? undefined : this.nodes(e);
      if (m?.kind === 'DIEnumerator') parts.push(`${m.name} = ${m.value}`);
      else if (m?.kind === 'DIDerivedType' && m.tag === 'member') {
        const decl = this.decl(m.baseType, m.name, depth + 1);
        parts.push(m.bitField ? `${decl} : ${m.size};` : `${decl};`);
      }
    }
    if (n.tag === 'enum') return `enum { ${parts.join(', ')} }`;
    return `${kw} { ${parts.join(' ')} }`;
  }

  /** In C++, `name` prefixed by its enclosing namespaces and classes. */
  private qualified(name: string, scope: DIRef, depth: number): string {
    if (!this.cxx) return name;
    const outer: string[] = [];
    let s = scope;
    for (let hops = depth; s !== null && hops < MAX_DEPTH; hops++) {
      const n = this.nodes(s);
      if (n?.kind === 'DINamespace' || n?.kind === 'DICompositeType') {
        if (n.name !== '') outer.push(n.name);
        s = n.scope;
      } else break;
    }
    return [...outer.reverse(), name].join('::');
  }
}

function join(base: string, inner: string): string {
  return inner === '' ? base : `${base} ${inner}`;
}

/** A pointer or reference declarator gets parentheses before `[N]` or `(params)` binds to it. */
function paren(inner: string): string {
  const c = inner.charCodeAt(0);
  return c === 42 /* * */ || c === 38 /* & */ ? `(${inner})` : inner;
}

// ---------------------------------------------------------------------------------------------------
// Sizes and layouts

/**
 * The size of a type in bits, through typedefs, qualifiers and members; undefined for void, a function
 * type, an incomplete struct (a declaration) or an array of unknown length.
 */
export function typeBits(nodes: NodeLookup, type: DIRef): number | undefined {
  let t = type;
  for (let hops = 0; t !== null && hops < MAX_DEPTH; hops++) {
    const n = nodes(t);
    if (n === undefined) return undefined;
    switch (n.kind) {
      case 'DIBasicType':
        return n.size;
      case 'DICompositeType':
        if (n.declaration) return undefined;
        if (n.tag !== 'array' || n.size > 0) return n.size;
        return arrayBits(nodes, n);
      case 'DIDerivedType':
        if (n.tag === 'pointer' || n.tag === 'reference' || n.tag === 'rvalue-reference') return n.size || 64;
        if (n.tag === 'ptr-to-member' && n.size > 0) return n.size;
        t = n.baseType;
        continue;
      default:
        return undefined;
    }
  }
  return undefined;
}

function arrayBits(nodes: NodeLookup, n: DICompositeType): number | undefined {
  const elem = typeBits(nodes, n.baseType);
  if (elem === undefined) return undefined;
  let count = 1;
  for (const e of n.elements) {
    const s = e === null ? undefined : nodes(e);
    if (s?.kind !== 'DISubrange' || s.count === null) return undefined;
    count *= s.count;
  }
  return elem * count;
}

/** The size of a type in bytes (`sizeof`), or undefined (see `typeBits`). */
export function sizeOfType(nodes: NodeLookup, type: DIRef): number | undefined {
  const b = typeBits(nodes, type);
  return b === undefined ? undefined : Math.ceil(b / 8);
}

/** The type under typedefs and qualifiers (`const size_t` -> `unsigned long`); null for void. */
export function underlyingType(nodes: NodeLookup, type: DIRef): DIRef {
  let t = type;
  for (let hops = 0; t !== null && hops < MAX_DEPTH; hops++) {
    const n = nodes(t);
    if (n?.kind !== 'DIDerivedType') return t;
    if (!['typedef', 'const', 'volatile', 'restrict', 'atomic'].includes(n.tag)) return t;
    t = n.baseType;
  }
  return t;
}

export interface FieldLayout {
  /** '' for an anonymous struct or union member. */
  readonly name: string;
  /** The DIDerivedType member (or inheritance) node. */
  readonly member: number;
  /** The field's type. */
  readonly type: DIRef;
  readonly typeName: string;
  /** Offset of the field's first byte in the enclosing type. */
  readonly offset: number;
  /**
   * Size in bytes: of its type, or for a bit field the bytes its bits span; 0 for a flexible array
   * member.
   */
  readonly size: number;
  /** A base class (C++ inheritance), not a named member. */
  readonly base: boolean;
  /** For a bit field: its offset from the start of the enclosing type, and its width, in bits. */
  readonly bitOffset?: number;
  readonly bitSize?: number;
}

export interface StructLayout {
  readonly tag: 'struct' | 'union' | 'class';
  readonly name: string;
  /** `sizeof` of the type. */
  readonly size: number;
  /** Base classes and data members in declaration order. */
  readonly fields: readonly FieldLayout[];
  /** Byte ranges no field covers: padding between fields and at the end (bits of a byte count). */
  readonly holes: readonly { readonly offset: number; readonly size: number }[];
}

/**
 * The layout of a struct, union or class (through typedefs and qualifiers); undefined for any other type
 * or a declaration without members.
 */
export function structLayout(
  nodes: NodeLookup,
  type: DIRef,
  opts: CTypeOptions = {},
): StructLayout | undefined {
  const t = underlyingType(nodes, type);
  const n = t === null ? undefined : nodes(t);
  if (n?.kind !== 'DICompositeType' || n.declaration) return undefined;
  if (n.tag !== 'struct' && n.tag !== 'union' && n.tag !== 'class') return undefined;
  const size = Math.ceil(n.size / 8);
  const fields: FieldLayout[] = [];
  for (const e of n.elements) {
    const m = e === null ? undefined : nodes(e);
    if (m?.kind !== 'DIDerivedType' || (m.tag !== 'member' && m.tag !== 'inheritance')) continue;
    if (m.flags.includes('StaticMember')) continue;
    const typeName = cTypeName(nodes, m.baseType, opts);
    const common = {
      name: m.name,
      member: e as number,
      type: m.baseType,
      typeName,
      base: m.tag === 'inheritance',
    };
    if (m.bitField) {
      const first = Math.floor(m.offset / 8);
      const end = Math.ceil((m.offset + m.size) / 8);
      fields.push({ ...common, offset: first, size: end - first, bitOffset: m.offset, bitSize: m.size });
    } else {
      const bits = typeBits(nodes, m.baseType) ?? 0;
      fields.push({ ...common, offset: Math.floor(m.offset / 8), size: Math.ceil(bits / 8) });
    }
  }
  return { tag: n.tag, name: n.name, size, fields, holes: holesOf(size, fields) };
}

function holesOf(size: number, fields: readonly FieldLayout[]): { offset: number; size: number }[] {
  const used = new Uint8Array(size);
  for (const f of fields) used.fill(1, Math.min(f.offset, size), Math.min(f.offset + f.size, size));
  const holes: { offset: number; size: number }[] = [];
  for (let i = 0; i < size;) {
    if (used[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < size && used[j] === 0) j++;
    holes.push({ offset: i, size: j - i });
    i = j;
  }
  return holes;
}

/**
 * Whether the values of an enum type are signed: as its underlying type when the metadata names one,
 * else signed only when an enumerator is negative (C compilers give an enum whose values are all
 * non-negative the type `unsigned int`).
 */
export function enumSigned(nodes: NodeLookup, n: DICompositeType): boolean {
  const b = n.baseType === null ? undefined : nodes(underlyingType(nodes, n.baseType) ?? -1);
  if (b?.kind === 'DIBasicType')
    return b.signed && b.encoding !== 'bool' && b.encoding !== 'float' && !b.name.includes('unsigned');
  return n.elements.some((e) => {
    const x = e === null ? undefined : nodes(e);
    return x?.kind === 'DIEnumerator' && !x.unsigned && x.value.startsWith('-');
  });
}
