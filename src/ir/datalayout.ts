/**
 * @fileoverview Stage: ir. The target data layout: sizes, alignments and field offsets of IR types.
 *
 * Consumes: a module's `target datalayout` string (or none) and `Type`s from ./types. Produces: a
 * `DataLayout` answering the questions LLVM's `DataLayout` answers (store size, alloc size, ABI and
 * preferred alignment, struct layouts, pointer and index widths, constant GEP offsets), with the same
 * defaults and fallback rules as LLVM 19/20 `llvm/lib/IR/DataLayout.cpp`. All sizes are in bytes unless a
 * name says `Bits`.
 *
 * Rules worth knowing (all as in LLVM):
 * - Unspecified entries take LLVM's defaults: `e`, `p:64:64:64`, `i1:8:8 i8:8:8 i16:16:16 i32:32:32
 *   i64:32:64`, `f16:16:16 f32:32:32 f64:64:64 f128:128:128`, `v64:64:64 v128:128:128`, `a:0:64`.
 *   Note `i64:32` (ABI alignment 4) when a module has no datalayout at all.
 * - An integer width without its own entry takes the alignment of the next larger listed width, or of the
 *   largest listed width when none is larger. So i128 is 8-aligned under x86-64 layouts older than LLVM 18
 *   (no `i128:128`) and 16-aligned under current ones. Textual IR is not upgraded (`opt-19` keeps the old
 *   string), so the string is taken literally.
 * - A float width without an entry (x86_fp80 without `f80:`) is aligned to the next power of two of its
 *   byte size (16 for x86_fp80); a vector without a `v` entry to the next power of two of its store size.
 * - Store size is the bit size rounded up to bytes (x86_fp80: 10, <8 x i1>: 1, <3 x i1>: 1); alloc size is
 *   the store size rounded up to the ABI alignment (x86_fp80: 16 with `f80:128`), and is the array stride.
 * - Struct fields are placed at their ABI alignment (1 in packed structs), each taking its alloc size; the
 *   struct is padded to its alignment. A packed struct's ABI alignment is 1.
 */
import type { SourcePos } from '../util/errors.js';
import { UserError } from '../util/errors.js';
import type { StructType, Type } from './types.js';

/** Alignment entry of an integer, float or vector width (alignments in bytes). */
interface PrimitiveSpec {
  readonly bits: number;
  readonly abi: number;
  readonly pref: number;
}

/** Layout of pointers in one address space. */
export interface PointerSpec {
  readonly addrSpace: number;
  /** Pointer width in bits. */
  readonly bits: number;
  /** ABI and preferred alignment in bytes. */
  readonly abi: number;
  readonly pref: number;
  /** Width in bits of GEP indices / pointer offsets (defaults to `bits`). */
  readonly indexBits: number;
  /** Listed in `ni:`: integers and pointers of this space do not round-trip. */
  readonly nonIntegral: boolean;
}

/** The layout of one struct type. Offsets are in bytes from the start of the struct. */
export interface StructLayout {
  /**
   * Size of the fields with padding, rounded up to `align` (LLVM's `StructLayout` size). This is the alloc
   * size unless an `a:` entry raises the struct's ABI alignment above `align`; use `allocSize` for strides.
   */
  readonly size: number;
  /** Alignment the fields impose (1 for a packed struct); `abiAlign` also applies the `a:` entry. */
  readonly align: number;
  readonly offsets: readonly number[];
  /** True when the layout has padding between fields or at the end. */
  readonly padded: boolean;
}

const DEFAULT_INTS: readonly PrimitiveSpec[] = [
  { bits: 1, abi: 1, pref: 1 },
  { bits: 8, abi: 1, pref: 1 },
  { bits: 16, abi: 2, pref: 2 },
  { bits: 32, abi: 4, pref: 4 },
  { bits: 64, abi: 4, pref: 8 },
];
const DEFAULT_FLOATS: readonly PrimitiveSpec[] = [
  { bits: 16, abi: 2, pref: 2 },
  { bits: 32, abi: 4, pref: 4 },
  { bits: 64, abi: 8, pref: 8 },
  { bits: 128, abi: 16, pref: 16 },
];
const DEFAULT_VECTORS: readonly PrimitiveSpec[] = [
  { bits: 64, abi: 8, pref: 8 },
  { bits: 128, abi: 16, pref: 16 },
];
const DEFAULT_POINTER: PointerSpec = {
  addrSpace: 0,
  bits: 64,
  abi: 8,
  pref: 8,
  indexBits: 64,
  nonIntegral: false,
};

const FLOAT_BITS: Readonly<Record<string, number>> = {
  half: 16,
  bfloat: 16,
  float: 32,
  double: 64,
  x86_fp80: 80,
  fp128: 128,
  ppc_fp128: 128,
};

/** Mangling modes of `m:<c>`. */
export type ManglingMode = 'e' | 'l' | 'o' | 'm' | 'w' | 'x' | 'a';

/** Smallest power of two >= n (n >= 1); 1 for n <= 1. */
function powerOf2Ceil(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

function alignTo(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** A short description of a type for error messages (the printer lives elsewhere). */
function describe(t: Type): string {
  switch (t.kind) {
    case 'int':
      return `i${t.bits}`;
    case 'float':
      return t.fk;
    case 'struct':
      return t.name !== undefined ? `%${t.name}` : 'a literal struct';
    case 'target':
      return `target("${t.name}")`;
    case 'vector':
      return t.scalable ? `<vscale x ${t.len} x ${describe(t.elem)}>` : `<${t.len} x ${describe(t.elem)}>`;
    case 'array':
      return `[${t.len} x ${describe(t.elem)}]`;
    default:
      return t.kind;
  }
}

export class DataLayout {
  /** The string this layout was parsed from ('' when the module had none). */
  readonly spec: string;
  bigEndian = false;
  mangling: ManglingMode | undefined = undefined;
  /** Natural stack alignment in bytes (`S`), or undefined when unspecified. */
  stackAlign: number | undefined = undefined;
  programAddrSpace = 0;
  allocaAddrSpace = 0;
  globalsAddrSpace = 0;
  /** Function pointer alignment (`Fi<abi>` independent, `Fn<abi>` multiple of function alignment). */
  functionPtrAlign: { readonly kind: 'independent' | 'multiple'; readonly align: number } | undefined =
    undefined;
  /** Native integer widths (`n8:16:32:64`), in the order given. */
  legalIntWidths: number[] = [];
  /** ABI and preferred alignment of aggregates (`a:<abi>:<pref>`), in bytes. */
  aggregateAbiAlign = 1;
  aggregatePrefAlign = 8;

  private readonly ints: PrimitiveSpec[] = DEFAULT_INTS.slice();
  private readonly floats: PrimitiveSpec[] = DEFAULT_FLOATS.slice();
  private readonly vectors: PrimitiveSpec[] = DEFAULT_VECTORS.slice();
  /** Sorted by address space; always holds address space 0 first. */
  private readonly pointers: PointerSpec[] = [DEFAULT_POINTER];
  private readonly layouts = new WeakMap<StructType, StructLayout>();
  /** Structs whose layout is being computed (catches a struct containing itself by value). */
  private readonly inProgress = new Set<StructType>();

  private constructor(spec: string) {
    this.spec = spec;
  }

  /** LLVM's default layout (what a module without `target datalayout` gets). */
  static defaults(): DataLayout {
    return new DataLayout('');
  }

  /**
   * Parses a datalayout string. `pos` locates the string in its file for error messages.
   *
   *   layout ::= (spec ('-' spec)*)?
   *   spec   ::= 'e' | 'E' | 'm:' mangling | 'p' as? ':' size ':' abi (':' pref (':' idx)?)?
   *            | ('i' | 'f' | 'v') size ':' abi (':' pref)? | 'a' '0'? ':' abi (':' pref)?
   *            | 'n' size (':' size)* | 'S' align | 'P' as | 'A' as | 'G' as | 'F' ('i' | 'n') abi
   *            | 'ni:' as (':' as)* | 's' ...
   */
  static parse(spec: string | undefined, pos?: SourcePos): DataLayout {
    const dl = new DataLayout(spec ?? '');
    if (spec === undefined || spec === '') return dl;
    const nonIntegral: number[] = [];
    for (const part of spec.split('-')) {
      const fail = (why: string): never => {
        throw new UserError(`invalid datalayout "${spec}": ${why} in "${part}"`, pos);
      };
      if (part === '') fail('empty specification');
      dl.parseSpec(part, nonIntegral, fail);
    }
    for (const as of nonIntegral) {
      const p = dl.pointerSpec(as);
      dl.setPointer({ ...p, addrSpace: as, nonIntegral: true });
    }
    return dl;
  }

  private parseSpec(part: string, nonIntegral: number[], fail: (why: string) => never): void {
    const num = (s: string | undefined, what: string, max: number): number => {
      if (s === undefined || s === '') return fail(`${what} is missing`);
      if (!/^[0-9]+$/.test(s)) return fail(`${what} must be a decimal number`);
      const n = Number(s);
      if (n > max) return fail(`${what} is too large`);
      return n;
    };
    const size = (s: string | undefined, what = 'size'): number => {
      const n = num(s, what, 0xffffff);
      if (n === 0) fail(`${what} must be non-zero`);
      return n;
    };
    const addrSpace = (s: string | undefined): number => num(s, 'address space', 0xffffff);
    /** An alignment in bits, returned in bytes. */
    const align = (s: string | undefined, what: string, allowZero = false): number => {
      const n = num(s, `${what} alignment`, 0xffff);
      if (n === 0) {
        if (!allowZero) fail(`${what} alignment must be non-zero`);
        return 1;
      }
      const bytes = n / 8;
      if (n % 8 !== 0 || (bytes & (bytes - 1)) !== 0) {
        fail(`${what} alignment must be a power of two times the byte width`);
      }
      return bytes;
    };

    if (part.startsWith('ni')) {
      if (part[2] !== ':') fail('expected "ni:<address space>[:<address space>]..."');
      for (const s of part.slice(3).split(':')) {
        const as = addrSpace(s);
        if (as === 0) fail('address space 0 cannot be non-integral');
        nonIntegral.push(as);
      }
      return;
    }
    const c = part[0];
    const rest = part.slice(1);
    switch (c) {
      case 'i':
      case 'f':
      case 'v': {
        const comps = rest.split(':');
        if (comps.length < 2 || comps.length > 3) fail(`expected "${c}<size>:<abi>[:<pref>]"`);
        const bits = size(comps[0]);
        const abi = align(comps[1], 'ABI');
        if (c === 'i' && bits === 8 && abi !== 1) fail('i8 must be 8-bit aligned');
        const pref = comps.length > 2 ? align(comps[2], 'preferred') : abi;
        if (pref < abi) fail('preferred alignment cannot be less than the ABI alignment');
        const table = c === 'i' ? this.ints : c === 'f' ? this.floats : this.vectors;
        setPrimitive(table, { bits, abi, pref });
        return;
      }
      case 'a': {
        const comps = rest.split(':');
        if (comps.length < 2 || comps.length > 3) fail('expected "a:<abi>[:<pref>]"');
        if (comps[0] !== '' && !/^0+$/.test(comps[0])) fail('size must be zero');
        const abi = align(comps[1], 'ABI', true);
        const pref = comps.length > 2 ? align(comps[2], 'preferred') : abi;
        if (pref < abi) fail('preferred alignment cannot be less than the ABI alignment');
        this.aggregateAbiAlign = abi;
        this.aggregatePrefAlign = pref;
        return;
      }
      case 'p': {
        const comps = rest.split(':');
        if (comps.length < 3 || comps.length > 5) fail('expected "p[<n>]:<size>:<abi>[:<pref>[:<idx>]]"');
        const as = comps[0] === '' ? 0 : addrSpace(comps[0]);
        const bits = size(comps[1], 'pointer size');
        const abi = align(comps[2], 'ABI');
        const pref = comps.length > 3 ? align(comps[3], 'preferred') : abi;
        if (pref < abi) fail('preferred alignment cannot be less than the ABI alignment');
        const indexBits = comps.length > 4 ? size(comps[4], 'index size') : bits;
        if (indexBits > bits) fail('index size cannot be larger than the pointer size');
        this.setPointer({ addrSpace: as, bits, abi, pref, indexBits, nonIntegral: false });
        return;
      }
      case 's':
        return; // deprecated, ignored by LLVM too
      case 'e':
      case 'E':
        if (rest !== '') fail('expected just "e" or "E"');
        this.bigEndian = c === 'E';
        return;
      case 'n':
        for (const s of rest.split(':')) this.legalIntWidths.push(size(s));
        return;
      case 'S':
        if (rest === '') fail('expected "S<size>"');
        this.stackAlign = align(rest, 'stack natural');
        return;
      case 'F': {
        if (rest === '') fail('expected "F<type><abi>"');
        if (rest[0] !== 'i' && rest[0] !== 'n') fail(`unknown function pointer alignment type '${rest[0]}'`);
        const kind = rest[0] === 'i' ? 'independent' : 'multiple';
        this.functionPtrAlign = { kind, align: align(rest.slice(1), 'ABI') };
        return;
      }
      case 'P':
      case 'A':
      case 'G': {
        if (rest === '') fail(`expected "${c}<address space>"`);
        const as = addrSpace(rest);
        if (c === 'P') this.programAddrSpace = as;
        else if (c === 'A') this.allocaAddrSpace = as;
        else this.globalsAddrSpace = as;
        return;
      }
      case 'm': {
        if (rest[0] !== ':' || rest.length === 1) fail('expected "m:<mangling>"');
        const m = rest.slice(1);
        if (!/^[elomwxa]$/.test(m)) fail('unknown mangling mode');
        this.mangling = m as ManglingMode;
        return;
      }
      default:
        fail(`unknown specifier '${c}'`);
    }
  }

  private setPointer(p: PointerSpec): void {
    const i = this.pointers.findIndex((q) => q.addrSpace >= p.addrSpace);
    if (i < 0) this.pointers.push(p);
    else if (this.pointers[i].addrSpace === p.addrSpace) this.pointers[i] = p;
    else this.pointers.splice(i, 0, p);
  }

  // -------------------------------------------------------------------------------------------------
  // Pointers

  /** The pointer entry of an address space (address space 0's when it has none of its own). */
  pointerSpec(addrSpace = 0): PointerSpec {
    if (addrSpace !== 0) {
      const p = this.pointers.find((q) => q.addrSpace === addrSpace);
      if (p !== undefined) return p;
    }
    return this.pointers[0];
  }
  /** Pointer size in bytes. */
  pointerSize(addrSpace = 0): number {
    return Math.ceil(this.pointerSpec(addrSpace).bits / 8);
  }
  pointerSizeInBits(addrSpace = 0): number {
    return this.pointerSpec(addrSpace).bits;
  }
  /** Size in bytes of GEP indices and pointer offsets in an address space. */
  indexSize(addrSpace = 0): number {
    return Math.ceil(this.pointerSpec(addrSpace).indexBits / 8);
  }
  indexSizeInBits(addrSpace = 0): number {
    return this.pointerSpec(addrSpace).indexBits;
  }
  isNonIntegral(addrSpace: number): boolean {
    return this.pointerSpec(addrSpace).nonIntegral;
  }

  // -------------------------------------------------------------------------------------------------
  // Sizes

  /** Size of a type in bits, before rounding to bytes (i1: 1, x86_fp80: 80, struct: alloc size * 8). */
  typeSizeInBits(t: Type): number {
    switch (t.kind) {
      case 'int':
        return t.bits;
      case 'float':
        return FLOAT_BITS[t.fk];
      case 'ptr':
        return this.pointerSizeInBits(t.addrSpace);
      case 'label':
        return this.pointerSizeInBits(0);
      case 'array':
        return t.len * this.allocSize(t.elem) * 8;
      case 'struct':
        return this.structLayout(t).size * 8;
      case 'vector':
        if (t.scalable)
          throw new UserError(`${describe(t)} has no fixed size (scalable vectors unsupported)`);
        return t.len * this.typeSizeInBits(t.elem);
      case 'x86_mmx':
        return 64;
      case 'x86_amx':
        return 8192;
      case 'target':
        if (t.name.startsWith('spirv.')) return this.pointerSizeInBits(0);
        throw new UserError(`${describe(t)} has no size`);
      default:
        throw new UserError(`type ${describe(t)} has no size`);
    }
  }

  /** Store size in bytes: the bits a value occupies, rounded up to whole bytes (i1: 1, x86_fp80: 10). */
  typeSize(t: Type): number {
    return Math.ceil(this.typeSizeInBits(t) / 8);
  }

  /** Alloc size in bytes: the store size rounded up to the ABI alignment; the stride in arrays. */
  allocSize(t: Type): number {
    return alignTo(this.typeSize(t), this.abiAlign(t));
  }

  /** True for types with a size (not void, function, label, token, metadata or opaque structs). */
  isSized(t: Type, visiting: Set<StructType> = new Set()): boolean {
    switch (t.kind) {
      case 'int':
      case 'float':
      case 'ptr':
      case 'x86_mmx':
      case 'x86_amx':
        return true;
      case 'array':
        return this.isSized(t.elem, visiting);
      case 'vector':
        return !t.scalable && this.isSized(t.elem, visiting);
      case 'struct': {
        if (t.opaque || visiting.has(t)) return false;
        visiting.add(t);
        const sized = t.fields.every((f) => this.isSized(f, visiting));
        visiting.delete(t);
        return sized;
      }
      case 'target':
        return t.name.startsWith('spirv.');
      default:
        return false;
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Alignments

  /** ABI alignment in bytes. */
  abiAlign(t: Type): number {
    return this.alignment(t, true);
  }

  /** Preferred alignment in bytes. */
  prefAlign(t: Type): number {
    return this.alignment(t, false);
  }

  private alignment(t: Type, abi: boolean): number {
    switch (t.kind) {
      case 'label':
      case 'ptr': {
        const p = this.pointerSpec(t.kind === 'ptr' ? t.addrSpace : 0);
        return abi ? p.abi : p.pref;
      }
      case 'array':
        return this.alignment(t.elem, abi);
      case 'struct': {
        if (t.packed && abi) return 1;
        const own = this.structLayout(t).align;
        return Math.max(abi ? this.aggregateAbiAlign : this.aggregatePrefAlign, own);
      }
      case 'int':
        return this.integerAlign(t.bits, abi);
      case 'float': {
        const bits = FLOAT_BITS[t.fk];
        const s = this.floats.find((e) => e.bits === bits);
        if (s !== undefined) return abi ? s.abi : s.pref;
        return powerOf2Ceil(Math.floor(bits / 8));
      }
      case 'x86_mmx':
      case 'vector': {
        const bits = this.typeSizeInBits(t);
        const s = this.vectors.find((e) => e.bits === bits);
        if (s !== undefined) return abi ? s.abi : s.pref;
        return powerOf2Ceil(Math.ceil(bits / 8));
      }
      case 'x86_amx':
        return 64;
      case 'target':
        // SPIR-V target types are laid out as a pointer in address space 0, like LLVM's layout type.
        if (t.name.startsWith('spirv.')) return abi ? this.pointerSpec(0).abi : this.pointerSpec(0).pref;
        throw new UserError(`${describe(t)} has no alignment`);
      default:
        throw new UserError(`type ${describe(t)} has no alignment`);
    }
  }

  /** Exact entry, else the next larger listed width, else the largest listed width. */
  private integerAlign(bits: number, abi: boolean): number {
    let s = this.ints.find((e) => e.bits >= bits);
    if (s === undefined) s = this.ints[this.ints.length - 1];
    return abi ? s.abi : s.pref;
  }

  // -------------------------------------------------------------------------------------------------
  // Structs and GEPs

  /** Field offsets, size and alignment of a struct (cached per struct type). */
  structLayout(t: StructType): StructLayout {
    const cached = this.layouts.get(t);
    if (cached !== undefined) return cached;
    if (t.opaque) throw new UserError(`opaque struct ${describe(t)} has no layout`);
    if (this.inProgress.has(t)) throw new UserError(`struct ${describe(t)} contains itself`);
    this.inProgress.add(t);
    try {
      let size = 0;
      let align = 1;
      let padded = false;
      const offsets: number[] = [];
      for (const f of t.fields) {
        const fa = t.packed ? 1 : this.abiAlign(f);
        if (size % fa !== 0) {
          padded = true;
          size = alignTo(size, fa);
        }
        align = Math.max(align, fa);
        offsets.push(size);
        size += this.allocSize(f);
      }
      if (size % align !== 0) {
        padded = true;
        size = alignTo(size, align);
      }
      const layout: StructLayout = { size, align, offsets, padded };
      this.layouts.set(t, layout);
      return layout;
    } finally {
      this.inProgress.delete(t);
    }
  }

  /** Byte offset of field `index` of a struct. */
  elementOffset(t: StructType, index: number): number {
    const offs = this.structLayout(t).offsets;
    if (!Number.isInteger(index) || index < 0 || index >= offs.length) {
      throw new UserError(`field index ${index} out of range for ${describe(t)} (${offs.length} fields)`);
    }
    return offs[index];
  }

  /**
   * The byte offset of `getelementptr srcType, ptr p, idx0, idx1, ...` from `p` for constant indices (as
   * `DataLayout::getIndexedOffsetInType`): idx0 steps over whole `srcType`s, later indices select struct
   * fields, array elements (alloc-size stride) or vector lanes (store-size stride). Indices are signed.
   */
  indexedOffset(srcType: Type, constIndices: readonly number[]): number {
    if (constIndices.length === 0) return 0;
    let off = constIndices[0] * this.allocSize(srcType);
    let t = srcType;
    for (let i = 1; i < constIndices.length; i++) {
      const idx = constIndices[i];
      if (t.kind === 'struct') {
        off += this.elementOffset(t, idx);
        t = t.fields[idx];
      } else if (t.kind === 'array') {
        t = t.elem;
        off += idx * this.allocSize(t);
      } else if (t.kind === 'vector') {
        t = t.elem;
        off += idx * this.typeSize(t);
      } else {
        throw new UserError(`getelementptr index ${i} steps into non-aggregate type ${describe(t)}`);
      }
    }
    return off;
  }

  /** The type `getelementptr srcType, ptr p, indices...` points to (indices after the first select). */
  indexedType(srcType: Type, constIndices: readonly number[]): Type {
    let t = srcType;
    for (let i = 1; i < constIndices.length; i++) {
      if (t.kind === 'struct') {
        const f = t.fields[constIndices[i]];
        if (f === undefined)
          throw new UserError(`field index ${constIndices[i]} out of range for ${describe(t)}`);
        t = f;
      } else if (t.kind === 'array' || t.kind === 'vector') t = t.elem;
      else throw new UserError(`getelementptr index ${i} steps into non-aggregate type ${describe(t)}`);
    }
    return t;
  }

  /** The smallest legal (native) integer width >= bits, or undefined. */
  smallestLegalIntWidth(bits: number): number | undefined {
    let best: number | undefined;
    for (const w of this.legalIntWidths) if (w >= bits && (best === undefined || w < best)) best = w;
    return best;
  }
}

function setPrimitive(table: PrimitiveSpec[], s: PrimitiveSpec): void {
  const i = table.findIndex((e) => e.bits >= s.bits);
  if (i < 0) table.push(s);
  else if (table[i].bits === s.bits) table[i] = s;
  else table.splice(i, 0, s);
}
