/**
 * @fileoverview Stage: ir. The debug-information node model: typed, plain-data forms of the specialised
 * metadata nodes clang and rustc emit (DWARF types, subprograms, variables, scopes, files, compile units),
 * read from their raw text.
 *
 * Consumes: the raw text of one module-level metadata definition (`Module.metadata`, e.g.
 * `distinct !DICompositeType(tag: DW_TAG_structure_type, name: "node", ...)`). Produces: one `DINode`.
 *
 * Design:
 * - Plain data only (strings, numbers, arrays of numbers, `null`): a node survives `structuredClone`,
 *   `postMessage` and `JSON.stringify` unchanged. References to other nodes are their ids (`!12` -> 12),
 *   `null` when absent, so cycles (a linked-list node pointing at itself through a pointer type) are just
 *   numbers and nothing recurses while reading.
 * - A field that names a tuple (`elements: !23`, `retainedNodes: !26`) is resolved to the tuple's items
 *   through a callback, so a composite holds its members' ids directly.
 * - Kinds this file does not know (a new LLVM version's node, DIExpression, DIImportedEntity, ...) become a
 *   `DIUnknown` holding every field as text: reading never throws on well-formed nodes.
 * - Sizes, offsets and alignments are in bits, as in the metadata.
 */

/** A reference to another node by id, or null (`null` in the text, an absent field, or not a `!N`). */
export type DIRef = number | null;

/** The DWARF tag of a derived type, without `DW_TAG_` and `_type`. */
export type DIDerivedTag =
  | 'pointer'
  | 'reference'
  | 'rvalue-reference'
  | 'typedef'
  | 'const'
  | 'volatile'
  | 'restrict'
  | 'atomic'
  | 'member'
  | 'inheritance'
  | 'ptr-to-member'
  | 'friend'
  | 'variable'
  | 'other';

/** The DWARF tag of a composite type. */
export type DICompositeTag = 'struct' | 'union' | 'class' | 'array' | 'enum' | 'variant' | 'other';

/** A base type's encoding class; `char` covers DW_ATE_signed_char and DW_ATE_unsigned_char. */
export type DIEncoding = 'signed' | 'unsigned' | 'float' | 'bool' | 'char' | 'utf' | 'complex' | 'other';

export interface DIBasicType {
  readonly kind: 'DIBasicType';
  readonly name: string;
  /** Size in bits (0 when absent). */
  readonly size: number;
  readonly align: number;
  readonly encoding: DIEncoding;
  /** Whether values are signed (signed, signed char, float). */
  readonly signed: boolean;
  /** The encoding as written (`DW_ATE_signed_char`), or '' when absent. */
  readonly dwarfEncoding: string;
}

export interface DIDerivedType {
  readonly kind: 'DIDerivedType';
  readonly tag: DIDerivedTag;
  /** The tag as written (`DW_TAG_pointer_type`). */
  readonly dwarfTag: string;
  readonly name: string;
  /** The type this one derives from (pointee, typedef target, member type, base class); null: void. */
  readonly baseType: DIRef;
  /** Size in bits: of the pointer, or of a member (its bit width for a bit field); 0 when absent. */
  readonly size: number;
  readonly align: number;
  /** Offset in bits of a member or base class in its enclosing type (0 when absent). */
  readonly offset: number;
  /** For a bit-field member (DIFlagBitField): offset in bits of its storage unit (`extraData: i64 N`). */
  readonly storageOffset?: number;
  readonly bitField: boolean;
  readonly scope: DIRef;
  readonly file: DIRef;
  readonly line: number;
  /** `DIFlag...` names without the prefix (`Prototyped`, `BitField`, `Artificial`). */
  readonly flags: readonly string[];
}

export interface DICompositeType {
  readonly kind: 'DICompositeType';
  readonly tag: DICompositeTag;
  readonly dwarfTag: string;
  /** '' for an anonymous struct, union or enum. */
  readonly name: string;
  /** C++ ODR identifier (`_ZTSN3geo4PairE`), or ''. */
  readonly identifier: string;
  readonly size: number;
  readonly align: number;
  /** Array element type, or an enum's underlying type. */
  readonly baseType: DIRef;
  /** Members (DIDerivedType member/inheritance, DISubprogram methods), enumerators, or array subranges. */
  readonly elements: readonly DIRef[];
  readonly scope: DIRef;
  readonly file: DIRef;
  readonly line: number;
  readonly flags: readonly string[];
  /** A declaration only (DIFlagFwdDecl): no members, no size. */
  readonly declaration: boolean;
}

export interface DISubrange {
  readonly kind: 'DISubrange';
  /** Number of elements; null when unknown (`count: -1`, a flexible array member, or a VLA). */
  readonly count: number | null;
  /** For a variable-length array: the DILocalVariable or expression node giving the count. */
  readonly countRef: DIRef;
  readonly lowerBound: number;
}

export interface DIEnumerator {
  readonly kind: 'DIEnumerator';
  readonly name: string;
  /** The value as written, in decimal (`-1`; may exceed 2^53). */
  readonly value: string;
  readonly unsigned: boolean;
}

export interface DISubroutineType {
  readonly kind: 'DISubroutineType';
  /** Return type (null: void). */
  readonly returns: DIRef;
  /** Parameter types in order (without the trailing `null` of a variadic function). */
  readonly params: readonly DIRef[];
  readonly varargs: boolean;
  readonly flags: readonly string[];
}

export interface DISubprogram {
  readonly kind: 'DISubprogram';
  readonly name: string;
  readonly linkageName: string;
  readonly scope: DIRef;
  readonly file: DIRef;
  readonly line: number;
  readonly scopeLine: number;
  /** A DISubroutineType. */
  readonly type: DIRef;
  /** A definition (DISPFlagDefinition), not a declaration. */
  readonly definition: boolean;
  readonly local: boolean;
  readonly optimized: boolean;
  readonly unit: DIRef;
  /** For the definition of a C++ method: its declaration inside the class. */
  readonly declaration: DIRef;
  /** Variables and labels kept even when optimised out (DILocalVariable, DILabel). */
  readonly retainedNodes: readonly DIRef[];
  readonly flags: readonly string[];
  readonly spFlags: readonly string[];
  /** The IR function whose `!dbg` this is (name without `@`), or undefined. */
  readonly function?: string;
}

export interface DILocalVariable {
  readonly kind: 'DILocalVariable';
  readonly name: string;
  /** 1-based parameter number; 0 for a variable that is not a parameter. */
  readonly arg: number;
  readonly scope: DIRef;
  readonly file: DIRef;
  readonly line: number;
  readonly type: DIRef;
  readonly flags: readonly string[];
}

export interface DIGlobalVariable {
  readonly kind: 'DIGlobalVariable';
  readonly name: string;
  readonly linkageName: string;
  readonly scope: DIRef;
  readonly file: DIRef;
  readonly line: number;
  readonly type: DIRef;
  readonly local: boolean;
  readonly definition: boolean;
}

export interface DIGlobalVariableExpression {
  readonly kind: 'DIGlobalVariableExpression';
  readonly var: DIRef;
  /** The expression as written (`!DIExpression()`). */
  readonly expr: string;
}

export interface DILexicalBlock {
  readonly kind: 'DILexicalBlock' | 'DILexicalBlockFile';
  readonly scope: DIRef;
  readonly file: DIRef;
  readonly line: number;
  readonly column: number;
}

export interface DILocation {
  readonly kind: 'DILocation';
  readonly line: number;
  readonly column: number;
  readonly scope: DIRef;
  /** For inlined code: the location of the call it was inlined into. */
  readonly inlinedAt: DIRef;
}

export interface DIFile {
  readonly kind: 'DIFile';
  readonly filename: string;
  readonly directory: string;
}

export interface DICompileUnit {
  readonly kind: 'DICompileUnit';
  /** `DW_LANG_C11`, `DW_LANG_C_plus_plus_14`, `DW_LANG_Rust`, ... */
  readonly language: string;
  readonly file: DIRef;
  readonly producer: string;
  readonly optimized: boolean;
  readonly emissionKind: string;
  readonly enums: readonly DIRef[];
  readonly retainedTypes: readonly DIRef[];
  readonly globals: readonly DIRef[];
}

export interface DINamespace {
  readonly kind: 'DINamespace';
  readonly name: string;
  readonly scope: DIRef;
}

export interface DILabel {
  readonly kind: 'DILabel';
  readonly name: string;
  readonly scope: DIRef;
  readonly file: DIRef;
  readonly line: number;
}

/** `!{...}`: `items[i]` is the id of the i-th operand when it is a `!N`, else null; `ops` as written. */
export interface DITuple {
  readonly kind: 'tuple';
  readonly items: readonly DIRef[];
  readonly ops: readonly string[];
}

/** Any other specialised node, every field as written (strings unescaped). */
export interface DIUnknown {
  readonly kind: 'unknown';
  /** The node's kind as written (`DIExpression`, `DITemplateTypeParameter`, ...). */
  readonly name: string;
  readonly fields: Readonly<Record<string, string>>;
}

export type DIType = DIBasicType | DIDerivedType | DICompositeType | DISubroutineType;

export type DINode =
  | DIType
  | DISubrange
  | DIEnumerator
  | DISubprogram
  | DILocalVariable
  | DIGlobalVariable
  | DIGlobalVariableExpression
  | DILexicalBlock
  | DILocation
  | DIFile
  | DICompileUnit
  | DINamespace
  | DILabel
  | DITuple
  | DIUnknown;

/** True for the four type nodes. */
export function isDIType(n: DINode | undefined): n is DIType {
  return (
    n !== undefined &&
    (n.kind === 'DIBasicType' ||
      n.kind === 'DIDerivedType' ||
      n.kind === 'DICompositeType' ||
      n.kind === 'DISubroutineType')
  );
}

/** Resolves a field that names a tuple (`!23`, or an inline `!{...}`) to the tuple's item ids. */
export type TupleReader = (text: string | undefined) => readonly DIRef[];

// ---------------------------------------------------------------------------------------------------
// Reading

type Fields = Map<string, string>;

/**
 * Reads one metadata definition's text into a node, or undefined when it is neither a specialised node
 * (`!DIKind(...)`) nor a tuple (`!{...}`) (e.g. a string `!"x"`).
 */
export function readDINode(text: string, tuple: TupleReader): DINode | undefined {
  let p = text.startsWith('distinct') ? 8 : 0;
  while (text.charCodeAt(p) === 32) p++;
  if (text.charCodeAt(p) === 33 && text.charCodeAt(p + 1) === 123) return readTuple(text.slice(p));
  const f = parseSpecialized(text);
  if (f === undefined) return undefined;
  const kind = f.get('$kind') as string;
  const reader = READERS[kind];
  if (reader !== undefined) return reader(f, tuple);
  const fields: Record<string, string> = {};
  for (const [k, v] of f) if (k !== '$kind') fields[k] = v;
  return { kind: 'unknown', name: kind, fields };
}

/** `!N` -> N; anything else (`null`, absent, an inline node, a string) -> null. */
export function refOf(v: string | undefined): DIRef {
  if (v === undefined || v.charCodeAt(0) !== 33 /* ! */) return null;
  const c = v.charCodeAt(1);
  if (c < 48 || c > 57) return null;
  const n = Number(v.slice(1));
  return Number.isInteger(n) ? n : null;
}

function num(v: string | undefined): number {
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

function str(v: string | undefined): string {
  return v ?? '';
}

/** `DIFlagA | DIFlagB` -> ['A', 'B'] (prefix `DIFlag` / `DISPFlag` removed); `0` or absent -> []. */
function flagList(v: string | undefined, prefix: string): string[] {
  if (v === undefined) return [];
  const out: string[] = [];
  for (const part of v.split('|')) {
    const t = part.trim();
    if (t === '' || t === '0') continue;
    out.push(t.startsWith(prefix) ? t.slice(prefix.length) : t);
  }
  return out;
}

function bool(v: string | undefined): boolean {
  return v === 'true';
}

/** `!{!1, null, i32 7, !"x"}`. */
function readTuple(text: string): DITuple {
  const inner = text.slice(2, text.lastIndexOf('}'));
  const ops = splitTopLevel(inner);
  return { kind: 'tuple', items: ops.map(refOf), ops };
}

/** Splits at commas outside brackets and strings; trims each part; no parts for blank text. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let p = 0; p < s.length; p++) {
    const c = s.charCodeAt(p);
    if (c === 34) {
      const e = s.indexOf('"', p + 1);
      p = e < 0 ? s.length : e;
    } else if (c === 40 || c === 123 || c === 91 || c === 60) depth++;
    else if (c === 41 || c === 125 || c === 93 || c === 62) depth--;
    else if (c === 44 && depth === 0) {
      out.push(s.slice(start, p).trim());
      start = p + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last !== '' || out.length > 0) out.push(last);
  return out;
}

const DERIVED_TAGS: Readonly<Record<string, DIDerivedTag>> = {
  DW_TAG_pointer_type: 'pointer',
  DW_TAG_reference_type: 'reference',
  DW_TAG_rvalue_reference_type: 'rvalue-reference',
  DW_TAG_typedef: 'typedef',
  DW_TAG_const_type: 'const',
  DW_TAG_volatile_type: 'volatile',
  DW_TAG_restrict_type: 'restrict',
  DW_TAG_atomic_type: 'atomic',
  DW_TAG_member: 'member',
  DW_TAG_inheritance: 'inheritance',
  DW_TAG_ptr_to_member_type: 'ptr-to-member',
  DW_TAG_friend: 'friend',
  DW_TAG_variable: 'variable',
};

const COMPOSITE_TAGS: Readonly<Record<string, DICompositeTag>> = {
  DW_TAG_structure_type: 'struct',
  DW_TAG_union_type: 'union',
  DW_TAG_class_type: 'class',
  DW_TAG_array_type: 'array',
  DW_TAG_enumeration_type: 'enum',
  DW_TAG_variant_part: 'variant',
};

const ENCODINGS: Readonly<Record<string, [DIEncoding, boolean]>> = {
  DW_ATE_signed: ['signed', true],
  DW_ATE_unsigned: ['unsigned', false],
  DW_ATE_signed_char: ['char', true],
  DW_ATE_unsigned_char: ['char', false],
  DW_ATE_float: ['float', true],
  DW_ATE_boolean: ['bool', false],
  DW_ATE_UTF: ['utf', false],
  DW_ATE_complex_float: ['complex', true],
};

type Reader = (f: Fields, tuple: TupleReader) => DINode;

const READERS: Readonly<Record<string, Reader>> = {
  DIBasicType: (f) => {
    const enc = str(f.get('encoding'));
    const [encoding, signed] = ENCODINGS[enc] ?? ['other', false];
    return {
      kind: 'DIBasicType',
      name: str(f.get('name')),
      size: num(f.get('size')),
      align: num(f.get('align')),
      encoding,
      signed,
      dwarfEncoding: enc,
    };
  },
  DIDerivedType: (f) => {
    const dwarfTag = str(f.get('tag'));
    const flags = flagList(f.get('flags'), 'DIFlag');
    const bitField = flags.includes('BitField');
    const node: DIDerivedType = {
      kind: 'DIDerivedType',
      tag: DERIVED_TAGS[dwarfTag] ?? 'other',
      dwarfTag,
      name: str(f.get('name')),
      baseType: refOf(f.get('baseType')),
      size: num(f.get('size')),
      align: num(f.get('align')),
      offset: num(f.get('offset')),
      bitField,
      scope: refOf(f.get('scope')),
      file: refOf(f.get('file')),
      line: num(f.get('line')),
      flags,
    };
    const extra = f.get('extraData');
    if (bitField && extra !== undefined && /^i\d+ -?\d+$/.test(extra)) {
      return { ...node, storageOffset: Number(extra.slice(extra.indexOf(' ') + 1)) };
    }
    return node;
  },
  DICompositeType: (f, tuple) => {
    const dwarfTag = str(f.get('tag'));
    const flags = flagList(f.get('flags'), 'DIFlag');
    return {
      kind: 'DICompositeType',
      tag: COMPOSITE_TAGS[dwarfTag] ?? 'other',
      dwarfTag,
      name: str(f.get('name')),
      identifier: str(f.get('identifier')),
      size: num(f.get('size')),
      align: num(f.get('align')),
      baseType: refOf(f.get('baseType')),
      elements: tuple(f.get('elements')),
      scope: refOf(f.get('scope')),
      file: refOf(f.get('file')),
      line: num(f.get('line')),
      flags,
      declaration: flags.includes('FwdDecl'),
    };
  },
  DISubrange: (f) => {
    const c = f.get('count');
    const n = c !== undefined && /^-?\d+$/.test(c) ? Number(c) : undefined;
    const upper = f.get('upperBound');
    const lower = num(f.get('lowerBound'));
    let count: number | null = n !== undefined && n >= 0 ? n : null;
    if (c === undefined && upper !== undefined && /^-?\d+$/.test(upper)) count = Number(upper) - lower + 1;
    return { kind: 'DISubrange', count, countRef: refOf(c), lowerBound: lower };
  },
  DIEnumerator: (f) => ({
    kind: 'DIEnumerator',
    name: str(f.get('name')),
    value: str(f.get('value')),
    unsigned: bool(f.get('isUnsigned')),
  }),
  DISubroutineType: (f, tuple) => {
    const types = tuple(f.get('types'));
    const params = types.slice(1);
    const varargs = params.length > 0 && params[params.length - 1] === null;
    return {
      kind: 'DISubroutineType',
      returns: types.length > 0 ? types[0] : null,
      params: varargs ? params.slice(0, -1) : params,
      varargs,
      flags: flagList(f.get('flags'), 'DIFlag'),
    };
  },
  DISubprogram: readSubprogram,
  DILocalVariable: (f) => ({
    kind: 'DILocalVariable',
    name: str(f.get('name')),
    arg: num(f.get('arg')),
    scope: refOf(f.get('scope')),
    file: refOf(f.get('file')),
    line: num(f.get('line')),
    type: refOf(f.get('type')),
    flags: flagList(f.get('flags'), 'DIFlag'),
  }),
  DIGlobalVariable: (f) => ({
    kind: 'DIGlobalVariable',
    name: str(f.get('name')),
    linkageName: str(f.get('linkageName')),
    scope: refOf(f.get('scope')),
    file: refOf(f.get('file')),
    line: num(f.get('line')),
    type: refOf(f.get('type')),
    local: bool(f.get('isLocal')),
    definition: bool(f.get('isDefinition')),
  }),
  DIGlobalVariableExpression: (f) => ({
    kind: 'DIGlobalVariableExpression',
    var: refOf(f.get('var')),
    expr: str(f.get('expr')),
  }),
  DILexicalBlock: (f) => readBlock('DILexicalBlock', f),
  DILexicalBlockFile: (f) => readBlock('DILexicalBlockFile', f),
  DILocation: (f) => ({
    kind: 'DILocation',
    line: num(f.get('line')),
    column: num(f.get('column')),
    scope: refOf(f.get('scope')),
    inlinedAt: refOf(f.get('inlinedAt')),
  }),
  DIFile: (f) => ({ kind: 'DIFile', filename: str(f.get('filename')), directory: str(f.get('directory')) }),
  DICompileUnit: (f, tuple) => ({
    kind: 'DICompileUnit',
    language: str(f.get('language')),
    file: refOf(f.get('file')),
    producer: str(f.get('producer')),
    optimized: bool(f.get('isOptimized')),
    emissionKind: str(f.get('emissionKind')),
    enums: tuple(f.get('enums')),
    retainedTypes: tuple(f.get('retainedTypes')),
    globals: tuple(f.get('globals')),
  }),
  DINamespace: (f) => ({ kind: 'DINamespace', name: str(f.get('name')), scope: refOf(f.get('scope')) }),
  DILabel: (f) => ({
    kind: 'DILabel',
    name: str(f.get('name')),
    scope: refOf(f.get('scope')),
    file: refOf(f.get('file')),
    line: num(f.get('line')),
  }),
};

function readSubprogram(f: Fields, tuple: TupleReader): DISubprogram {
  const spFlags = flagList(f.get('spFlags'), 'DISPFlag');
  return {
    kind: 'DISubprogram',
    name: str(f.get('name')),
    linkageName: str(f.get('linkageName')),
    scope: refOf(f.get('scope')),
    file: refOf(f.get('file')),
    line: num(f.get('line')),
    scopeLine: num(f.get('scopeLine')),
    type: refOf(f.get('type')),
    // Before LLVM 8 the flags were separate fields (`isDefinition: true`).
    definition: spFlags.includes('Definition') || bool(f.get('isDefinition')),
    local: spFlags.includes('LocalToUnit') || bool(f.get('isLocal')),
    optimized: spFlags.includes('Optimized') || bool(f.get('isOptimized')),
    unit: refOf(f.get('unit')),
    declaration: refOf(f.get('declaration')),
    retainedNodes: tuple(f.get('retainedNodes')),
    flags: flagList(f.get('flags'), 'DIFlag'),
    spFlags,
  };
}

function readBlock(kind: 'DILexicalBlock' | 'DILexicalBlockFile', f: Fields): DILexicalBlock {
  return {
    kind,
    scope: refOf(f.get('scope')),
    file: refOf(f.get('file')),
    line: num(f.get('line')),
    column: num(f.get('column')),
  };
}

// ---------------------------------------------------------------------------------------------------
// Fields of a specialised node

/**
 * Parses `distinct? !DIKind(key: value, ...)` into a map (`$kind` holds DIKind). String values are
 * unescaped; other values are kept as written (`!12`, `42`, `DIFlagA | DIFlagB`, `!DIExpression()`).
 */
export function parseSpecialized(text: string): Map<string, string> | undefined {
  let p = 0;
  const n = text.length;
  if (text.startsWith('distinct')) p = 8;
  while (p < n && text.charCodeAt(p) === 32) p++;
  if (text.charCodeAt(p) !== 33) return undefined;
  const open = text.indexOf('(', p);
  if (open < 0) return undefined;
  const kind = text.slice(p + 1, open);
  if (!/^DI[A-Za-z]+$/.test(kind)) return undefined;
  const out = new Map<string, string>([['$kind', kind]]);
  p = open + 1;
  while (p < n) {
    while (p < n && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 44)) p++;
    if (p >= n || text.charCodeAt(p) === 41) break;
    const colon = text.indexOf(':', p);
    if (colon < 0) break;
    const key = text.slice(p, colon).trim();
    p = colon + 1;
    while (p < n && text.charCodeAt(p) === 32) p++;
    let value: string;
    if (text.charCodeAt(p) === 34) {
      const end = stringEnd(text, p);
      if (end < 0) break;
      value = unescapeIR(text.slice(p + 1, end));
      p = end + 1;
    } else {
      const s = p;
      p = valueEnd(text, p);
      value = text.slice(s, p).trim();
    }
    out.set(key, value);
  }
  return out;
}

/** The offset of the `"` closing the string that opens at `p` (a `\` escapes only hex pairs and `\\`). */
function stringEnd(text: string, p: number): number {
  return text.indexOf('"', p + 1);
}

/** The end of an unquoted field value: the next ',' or ')' at depth 0. */
function valueEnd(text: string, p: number): number {
  const n = text.length;
  let depth = 0;
  while (p < n) {
    const ch = text.charCodeAt(p);
    if (ch === 40 || ch === 123) depth++;
    else if (ch === 41 || ch === 125) {
      if (depth === 0) break;
      depth--;
    } else if (ch === 44 && depth === 0) break;
    else if (ch === 34) {
      const end = stringEnd(text, p);
      if (end < 0) break;
      p = end;
    }
    p++;
  }
  return p;
}

/** Decodes IR string escapes (`\\`, `\XX`) as UTF-8. */
function unescapeIR(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  const bytes: number[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && s[i + 1] === '\\') {
      bytes.push(92);
      i++;
    } else if (ch === '\\' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...enc.encode(ch));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}
