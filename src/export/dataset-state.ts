/**
 * @fileoverview Stage: export. The input and output state of one kept input for the dataset export: as
 * structured JSON (pointers symbolic, bytes as hex) and as readable C-like text, typed through the
 * function's debug information where it has some.
 *
 * Consumes: an `InputRecord` (docs/input-format.md) and, when the module has debug information, the
 * function's `FunctionDebugInfo` and the node lookup of its `DebugInfo` (src/ir/debuginfo.ts). Produces:
 * `inputState`/`outputState` (plain JSON values, the `input`/`output` columns of docs/dataset.md) and
 * `InputText`/`renderOutput` (the `input_text`/`output_text` columns).
 *
 * Design: objects are named `obj<id>` (the record's ids), pointers `&obj3`, `(char *)&obj3 + 16`, `&g`,
 * `&f`, `stdin`, `NULL`. An object gets a C type from the parameter whose pointer points to its base, then
 * from pointer fields of typed structs that point to the base of an untyped object (breadth first, so the
 * closest declaration wins); an object without a type is shown as bytes. Only bytes that are inputs (read
 * before written) are shown in the input; in the output, only bytes that changed. Walks are bounded.
 */
import {
  cDeclaration,
  cTypeName,
  structLayout,
  sizeOfType,
  underlyingType,
  type NodeLookup,
} from '../ir/debuginfo-c.js';
import type { DINode, DIRef } from '../ir/debuginfo-nodes.js';
import type { FunctionDebugInfo } from '../ir/debuginfo.js';
import { INPUT_REGION_BASE, slotBaseOffset } from '../gen/record.js';
import type { InputRecord, ObjectRec, PtrTarget, Reloc, ValueRec } from '../gen/record.js';

/** Bytes of stdout/stderr/stdin shown in the text form (the structured form keeps all). */
const TEXT_STREAM_LIMIT = 4096;
/** Elements of an array, fields of a struct and nesting depth shown in the text form. */
const MAX_ELEMS = 64;
const MAX_DEPTH = 4;

/** Debug information of the row's function, when there is some. */
export interface TypeView {
  readonly nodes: NodeLookup;
  readonly fn: FunctionDebugInfo;
  /** C++ spelling of type names (the function's compile unit is C++). */
  readonly cxx: boolean;
}

/** Pointer-like DWARF tags: what a pointer or a C++ reference refers to is an object of its base type. */
const POINTERS: readonly string[] = ['pointer', 'reference', 'rvalue-reference'];

const hex = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');

/** The structured input state (the `input` column). */
export function inputState(r: InputRecord, t: TypeView | undefined): object {
  return {
    args: r.args.map((v, i) => {
      const p = t?.fn.params.find((q) => q.irArgs.includes(i));
      return {
        name: p?.name ?? '',
        type: p !== undefined && t !== undefined ? cTypeName(t.nodes, p.type, { cxx: t.cxx }) : '',
        value: v,
      };
    }),
    objects: r.objects.map((o) => ({
      id: o.id,
      lo: o.lo,
      size: o.size,
      bytes: hex(o.data),
      input: o.input,
      pointers: o.relocs,
      ...(o.heap === true ? { heap: true } : {}),
      ...(o.big !== undefined ? { big: o.big } : {}),
    })),
    globals: r.globals.map((g) => ({
      name: g.name,
      ranges: g.ranges.map((x) => ({ off: x.off, bytes: hex(x.data) })),
      pointers: g.relocs,
    })),
    calls: r.calls,
    stdin: hex(r.streams.stdin),
    files: r.streams.files.map((f) => ({ path: f.path, bytes: hex(f.data) })),
    ...(r.stepLimit !== undefined ? { step_limit: r.stepLimit } : {}),
  };
}

/** Byte ranges [start, end) of `after` that differ from `before` (same length). */
function changedRanges(before: Uint8Array, after: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  const n = Math.max(before.length, after.length);
  for (let i = 0; i < n;) {
    if (before[i] === after[i]) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && before[j] !== after[j]) j++;
    out.push([i, j]);
    i = j;
  }
  return out;
}

/** A relocation's identity (offset and target), for set membership. */
const relocKey = (a: Reloc): string => JSON.stringify(a);

const RELOC_INDEX = new WeakMap<readonly Reloc[], Map<number, Reloc>>();

/** The relocations of a list by offset, made once per list (objects can hold 100,000s of pointers). */
function relocAt(relocs: readonly Reloc[], at: number): Reloc | undefined {
  let ix = RELOC_INDEX.get(relocs);
  if (ix === undefined) {
    ix = new Map();
    for (const x of relocs) if (!ix.has(x.at)) ix.set(x.at, x);
    RELOC_INDEX.set(relocs, ix);
  }
  return ix.get(at);
}

/**
 * What the run changed in each input object: byte ranges (relative to the base) and pointers. The record's
 * memory afterwards writes every aligned word that holds an address as a pointer (zero bytes and a
 * relocation, src/gen/recorder.ts), also when the input had put those bytes there as plain data; such a
 * word is unchanged when the input's bytes are that address (an input object's base is known), or are
 * not zero and the target is not an input object (a heap, stack or global address cannot be checked
 * here, and a function rarely writes one over non-zero input bytes). A pointer the run wrote is listed
 * in `pointers`, not as bytes.
 */
export function objectChanges(
  r: InputRecord,
): { id: number; changes: { off: number; bytes: string }[]; pointers: Reloc[]; after: Uint8Array }[] {
  const out = [];
  const byId = new Map(r.objects.map((o) => [o.id, o]));
  for (const m of r.outcome.memory.objects) {
    const o = byId.get(m.id);
    if (o === undefined) continue;
    const before = Buffer.from(o.data, 'base64');
    const after = new Uint8Array(Buffer.from(m.data, 'base64'));
    const pointers: Reloc[] = [];
    const had = new Set(o.relocs.map(relocKey));
    for (const x of m.relocs) {
      if (had.has(relocKey(x))) continue;
      const at = x.at - o.lo;
      if (at < 0 || at + 8 > before.length) continue;
      const raw = before.readBigUInt64LE(at);
      const t = x.to;
      const same =
        t !== null && 'obj' in t
          ? raw === BigInt(objectAddress(byId.get(t.obj), t.obj) + t.off)
          : raw !== 0n && t !== null && !('obj' in t);
      if (same) after.set(before.subarray(at, at + 8), at);
      else {
        pointers.push(x);
        after.set(before.subarray(at, at + 8), at);
      }
    }
    const changes = changedRanges(before, after).map(([a, b]) => ({
      off: a + o.lo,
      bytes: Buffer.from(after.subarray(a, b)).toString('hex'),
    }));
    if (changes.length > 0 || pointers.length > 0) out.push({ id: m.id, changes, pointers, after });
  }
  return out;
}

/** The engine address of input object `id`'s base (docs/input-format.md: its slot's middle). */
function objectAddress(o: ObjectRec | undefined, id: number): number {
  return INPUT_REGION_BASE + slotBaseOffset(id, o?.big) + (o?.baseMod ?? 0);
}

/** The structured output state (the `output` column). */
export function outputState(r: InputRecord): object {
  const o = r.outcome;
  const live = new Set(o.memory.objects.map((x) => x.id));
  return {
    kind: o.kind,
    message: o.message ?? '',
    exit_code: o.exitCode ?? null,
    ret: o.ret ?? null,
    stdout: hex(o.stdout),
    stderr: hex(o.stderr),
    objects: objectChanges(r).map(({ id, changes, pointers }) => ({ id, changes, pointers })),
    freed: r.objects.filter((x) => !live.has(x.id)).map((x) => x.id),
    globals: o.memory.globals.map((g) => ({ name: g.name, bytes: hex(g.data), pointers: g.relocs })),
    steps: o.steps,
  };
}

// ---------------------------------------------------------------------------------------------------
// Text

/** A pointer target as C. */
export function targetText(t: PtrTarget | null): string {
  if (t === null) return 'NULL';
  if ('obj' in t) return t.off === 0 ? `&obj${t.obj}` : `(char *)&obj${t.obj} ${sign(t.off)}`;
  if ('global' in t) return t.off === 0 ? `&${t.global}` : `(char *)&${t.global} ${sign(t.off)}`;
  if ('fn' in t) return t.fn.startsWith('stub ') ? `/* ${t.fn} */ &stub` : `&${t.fn}`;
  if ('stream' in t) return t.stream;
  return `/* ${t.other} memory${t.off === 0 ? '' : ` ${sign(t.off)}`} */ (void *)1`;
}

const sign = (n: number): string => (n < 0 ? `- ${-n}` : `+ ${n}`);

/** A recorded value as C (ints as signed decimal unless the type says unsigned). */
export function valueText(v: ValueRec, unsigned = false): string {
  switch (v.t) {
    case 'int': {
      if (v.bits === 1) return v.v === '1' ? 'true' : 'false';
      const u = BigInt(v.v);
      return (unsigned ? u : BigInt.asIntN(v.bits, u)).toString();
    }
    case 'float':
      return floatText(v.kind, v.hex);
    case 'null':
      return 'NULL';
    case 'ptr':
      return targetText(v);
    case 'rawptr':
      return `(void *)0x${BigInt(v.addr).toString(16)}`;
    case 'agg':
      return `{ ${v.elems.map((e) => valueText(e)).join(', ')} }`;
    case 'void':
      return 'void';
  }
}

function floatText(kind: string, h: string): string {
  const b = Buffer.from(h.padStart(kind === 'float' ? 8 : 16, '0'), 'hex');
  if (kind === 'float') return numText(b.readFloatBE(0), 'f');
  if (kind === 'double') return numText(b.readDoubleBE(0), '');
  return `/* ${kind} */ 0x${h}`;
}

export function numText(x: number, suffix: string): string {
  if (Number.isNaN(x)) return 'NAN';
  if (!Number.isFinite(x)) return x > 0 ? 'INFINITY' : '-INFINITY';
  const s = Object.is(x, -0) ? '-0.0' : String(x);
  return /[.e]/.test(s) ? s + suffix : `${s}.0${suffix}`;
}

/** A C string literal of bytes (at most `limit`, with a note of the rest). */
export function cString(bytes: Uint8Array, limit = TEXT_STREAM_LIMIT): string {
  let s = '"';
  const n = Math.min(bytes.length, limit);
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c === 0x5c) s += '\\\\';
    else if (c === 0x22) s += '\\"';
    else if (c === 0x0a) s += '\\n';
    else if (c === 0x09) s += '\\t';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}${i + 1 < n && isHexDigit(bytes[i + 1]!) ? '""' : ''}`;
  }
  s += '"';
  return bytes.length > n ? `${s} /* ... ${bytes.length - n} more bytes */` : s;
}

/** An array of a one-byte character type (shown as a string). */
function isCharArray(nodes: NodeLookup, n: DINode): boolean {
  if (n.kind !== 'DICompositeType' || n.tag !== 'array' || n.baseType === null) return false;
  const eu = underlyingType(nodes, n.baseType);
  const en = eu === null ? undefined : nodes(eu);
  return en?.kind === 'DIBasicType' && en.encoding === 'char' && en.size === 8;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Which bytes of an object to show: offsets relative to the base. */
type Shown = (off: number, size: number) => boolean;

/** Bytes of an untyped object shown in the text form. */
const MAX_TEXT_BYTES = 1024;

/** `Shown` for the bytes in `ranges` ([start, end) relative to the base) of an object at [lo, lo + size). */
function maskOf(lo: number, size: number, ranges: readonly (readonly [number, number])[]): Shown {
  const mask = new Uint8Array(size);
  for (const [a, b] of ranges) mask.fill(1, Math.max(0, a - lo), Math.max(0, Math.min(size, b - lo)));
  return (off, n) => {
    const a = Math.max(0, off - lo);
    const b = Math.min(size, off - lo + n);
    for (let i = a; i < b; i++) if (mask[i] !== 0) return true;
    return false;
  };
}

/** One object's bytes and pointers, relative to its base. */
interface ObjView {
  readonly lo: number;
  readonly bytes: Uint8Array;
  readonly relocs: readonly Reloc[];
  readonly shown: Shown;
}

/** The C-like text of a record's input and output, typed through `t` where possible. */
export class StateText {
  /** Object id -> its DWARF type (of the object at its base), from parameters and typed pointer fields. */
  private readonly types = new Map<number, DIRef>();

  constructor(
    private readonly r: InputRecord,
    private readonly t: TypeView | undefined,
  ) {
    if (t !== undefined) this.inferTypes(t);
  }

  /** The `input_text` column. */
  input(): string {
    const r = this.r;
    const lines: string[] = [];
    r.args.forEach((v, i) => {
      const p = this.t?.fn.params.find((q) => q.irArgs.includes(i));
      const name = p?.name !== undefined && p.name !== '' ? p.name : `arg${i}`;
      lines.push(`${name} = ${valueText(v, this.isUnsigned(p?.type ?? null))};`);
    });
    for (const o of r.objects) {
      const ranges = o.input;
      const shown = maskOf(o.lo, o.size, ranges);
      const bytes = new Uint8Array(Buffer.from(o.data, 'base64'));
      lines.push(this.objectText(o, { lo: o.lo, bytes, relocs: o.relocs, shown }));
    }
    for (const g of r.globals) {
      for (const x of g.ranges) {
        const b = new Uint8Array(Buffer.from(x.data, 'base64'));
        lines.push(`/* global ${g.name}, bytes ${x.off}..${x.off + b.length} */ ${bytesText(b)};`);
      }
      for (const x of g.relocs) lines.push(`/* global ${g.name} + ${x.at} */ ${targetText(x.to)};`);
    }
    r.calls.forEach((c, i) => lines.push(`/* call ${i + 1} */ ${c.fn}(...) returns ${valueText(c.ret)};`));
    const stdin = Buffer.from(r.streams.stdin, 'base64');
    if (stdin.length > 0) lines.push(`stdin = ${cString(stdin)};`);
    for (const f of r.streams.files)
      lines.push(`file ${JSON.stringify(f.path)} = ${cString(Buffer.from(f.data, 'base64'))};`);
    return lines.join('\n');
  }

  /** The `output_text` column. */
  output(): string {
    const r = this.r;
    const o = r.outcome;
    const lines: string[] = [];
    if (o.kind === 'returned') {
      const ret = this.t === undefined ? false : this.isUnsigned(this.t.fn.returnType);
      lines.push(o.ret === undefined || o.ret.t === 'void' ? 'return;' : `return ${valueText(o.ret, ret)};`);
    } else if (o.kind === 'exit') lines.push(`exit(${o.exitCode ?? 0});`);
    else lines.push(`/* ${o.kind}${o.message !== undefined ? `: ${o.message}` : ''} */`);
    const objects = new Map(r.objects.map((x) => [x.id, x]));
    const memory = new Map(o.memory.objects.map((x) => [x.id, x]));
    for (const ch of objectChanges(r)) {
      const obj = objects.get(ch.id)!;
      const mem = memory.get(ch.id)!;
      const ranges = ch.changes.map((c) => [c.off, c.off + c.bytes.length / 2] as const);
      const shown = maskOf(obj.lo, obj.size, [
        ...ranges,
        ...ch.pointers.map((p) => [p.at, p.at + 8] as const),
      ]);
      lines.push(this.objectText(obj, { lo: obj.lo, bytes: ch.after, relocs: mem.relocs, shown }));
    }
    const live = new Set(o.memory.objects.map((x) => x.id));
    for (const x of r.objects) if (!live.has(x.id)) lines.push(`free(&obj${x.id});`);
    for (const g of o.memory.globals) {
      const b = new Uint8Array(Buffer.from(g.data, 'base64'));
      lines.push(`/* global ${g.name} after */ ${bytesText(b)};`);
    }
    const out = Buffer.from(o.stdout, 'base64');
    const err = Buffer.from(o.stderr, 'base64');
    if (out.length > 0) lines.push(`stdout = ${cString(out)};`);
    if (err.length > 0) lines.push(`stderr = ${cString(err)};`);
    return lines.join('\n');
  }

  private isUnsigned(type: DIRef): boolean {
    if (this.t === undefined) return false;
    const u = underlyingType(this.t.nodes, type);
    const n = u === null ? undefined : this.t.nodes(u);
    return n?.kind === 'DIBasicType' && !n.signed && n.encoding !== 'float';
  }

  /** Types of objects: from pointer parameters, then from pointer fields of typed structs (BFS). */
  private inferTypes(t: TypeView): void {
    const queue: number[] = [];
    const assign = (to: PtrTarget | null, pointer: DIRef): void => {
      if (to === null || !('obj' in to) || to.off !== 0 || this.types.has(to.obj)) return;
      const u = underlyingType(t.nodes, pointer);
      const n = u === null ? undefined : t.nodes(u);
      if (n?.kind !== 'DIDerivedType' || !POINTERS.includes(n.tag) || n.baseType === null) return;
      if (sizeOfType(t.nodes, n.baseType) === undefined) return;
      this.types.set(to.obj, n.baseType);
      queue.push(to.obj);
    };
    this.r.args.forEach((v, i) => {
      const p = t.fn.params.find((q) => q.irArgs.includes(i));
      if (p !== undefined && v.t === 'ptr') assign(v, p.type);
    });
    for (let k = 0; k < queue.length && k < 4096; k++) {
      const id = queue[k]!;
      const o = this.r.objects.find((x) => x.id === id);
      const layout = structLayout(t.nodes, this.types.get(id)!, { cxx: t.cxx });
      if (o === undefined || layout === undefined) continue;
      for (const f of layout.fields) {
        const rel = relocAt(o.relocs, f.offset);
        if (rel !== undefined) assign(rel.to, f.type);
      }
    }
  }

  /** One object as a C declaration (typed) or its bytes. */
  private objectText(o: ObjectRec, v: ObjView): string {
    const type = this.types.get(o.id);
    const t = this.t;
    const name = `obj${o.id}`;
    if (o.size === 0 && v.relocs.length === 0) return `/* ${name}: an address only, no bytes read */`;
    if (t !== undefined && type !== undefined) {
      const size = sizeOfType(t.nodes, type)!;
      const u = underlyingType(t.nodes, type);
      const un = u === null ? undefined : t.nodes(u);
      if (size === 1 && un?.kind === 'DIBasicType' && un.encoding === 'char' && o.lo === 0)
        return `${cDeclaration(t.nodes, type, `${name}[${o.size}]`, { cxx: t.cxx })} = ${cString(v.bytes, MAX_ELEMS * 64)};`;
      if (size > 0 && (o.lo !== 0 || o.size % size !== 0) && o.lo % size === 0)
        return this.elementsText(o, v, type, size);
      if (size > 0 && o.size > size && o.size % size === 0) {
        const n = o.size / size;
        const elems: string[] = [];
        for (let k = 0; k < n && k < MAX_ELEMS; k++)
          elems.push(v.shown(k * size, size) ? this.typedText(type, v, k * size, 1) : '_');
        if (n > MAX_ELEMS) elems.push('...');
        return `${cDeclaration(t.nodes, type, `${name}[${n}]`, { cxx: t.cxx })} = { ${elems.join(', ')} };`;
      }
      // One element, whole or in part (the fields it has are shown, the others left out).
      if (
        size > 0 &&
        o.lo >= 0 &&
        o.lo + o.size <= size &&
        (o.lo > 0 || o.size === size || structLayout(t.nodes, type))
      )
        return `${cDeclaration(t.nodes, type, name, { cxx: t.cxx })} = ${this.typedText(type, v, 0, 1)};`;
      if (size <= o.size)
        return `${cDeclaration(t.nodes, type, name, { cxx: t.cxx })} = ${this.typedText(type, v, 0, 1)};`;
    }
    if (o.size === 0 && v.relocs.length === 0) return `/* ${name}: an address only, no bytes read */`;
    // Untyped: the runs of shown bytes, `obj[a..b] = { 01 02 };`, at most MAX_TEXT_BYTES of them.
    const runs: string[] = [];
    let left = MAX_TEXT_BYTES;
    let rest = 0;
    for (let i = 0; i < v.bytes.length;) {
      if (!v.shown(o.lo + i, 1)) {
        i++;
        continue;
      }
      let j = i;
      while (j < v.bytes.length && v.shown(o.lo + j, 1)) j++;
      const n = Math.min(j - i, left);
      if (n > 0) {
        const hexes = Array.from(v.bytes.subarray(i, i + n), hex2).join(' ');
        runs.push(`${name}[${o.lo + i}..${o.lo + j}] = { ${hexes}${n < j - i ? ' ...' : ''} };`);
      }
      rest += j - i - n;
      left -= n;
      i = j;
    }
    const ptrs = v.relocs
      .filter((x) => v.shown(x.at, 8))
      .map((x) => `*(void **)&${name}[${x.at}] = ${targetText(x.to)};`);
    const more = rest > 0 ? [`/* ... ${rest} more bytes */`] : [];
    return [
      `/* unsigned char ${name}[${o.lo}..${o.lo + o.size}]; */`,
      ...runs,
      ...more,
      ...ptrs.slice(0, MAX_ELEMS),
    ].join(' ');
  }

  /** An object known only in part (it grew below its base, or is no whole number of elements): `obj[i] = v;`. */
  private elementsText(o: ObjectRec, v: ObjView, type: DIRef, size: number): string {
    const decl = cDeclaration(this.t!.nodes, type, `obj${o.id}[]`, { cxx: this.t!.cxx });
    const out: string[] = [];
    for (let off = o.lo; off + size <= o.lo + o.size && out.length < MAX_ELEMS; off += size)
      if (v.shown(off, size)) out.push(`obj${o.id}[${off / size}] = ${this.typedText(type, v, off, 1)};`);
    return `/* ${decl}; */ ${out.join(' ')}`;
  }

  /** A value of DWARF type `type` at offset `off` of an object (relative to its base). */
  private typedText(type: DIRef, v: ObjView, off: number, depth: number): string {
    const t = this.t!;
    const u = underlyingType(t.nodes, type);
    const n = u === null ? undefined : t.nodes(u);
    const size = sizeOfType(t.nodes, type) ?? 0;
    const at = off - v.lo;
    if (n === undefined || depth > MAX_DEPTH) return '_';
    const composite = n.kind === 'DICompositeType' && n.tag !== 'enum' && !isCharArray(t.nodes, n);
    if (!composite && (at < 0 || at + size > v.bytes.length)) return '_';
    if (n.kind === 'DIBasicType') return basicText(n.encoding, n.signed, v.bytes.subarray(at, at + size));
    if (n.kind === 'DIDerivedType' && POINTERS.includes(n.tag)) {
      const rel = relocAt(v.relocs, off);
      if (rel !== undefined) return targetText(rel.to);
      const raw = Buffer.from(v.bytes.subarray(at, at + 8)).readBigUInt64LE(0);
      return raw === 0n ? 'NULL' : `(void *)0x${raw.toString(16)}`;
    }
    if (n.kind === 'DICompositeType' && n.tag === 'enum')
      return basicText('signed', true, v.bytes.subarray(at, at + size));
    if (n.kind === 'DICompositeType' && n.tag === 'array' && n.baseType !== null) {
      const es = sizeOfType(t.nodes, n.baseType) ?? 0;
      if (es <= 0) return '_';
      const count = Math.floor(size / es);
      const eu = underlyingType(t.nodes, n.baseType);
      const en = eu === null ? undefined : t.nodes(eu);
      if (en?.kind === 'DIBasicType' && es === 1 && en.encoding === 'char')
        return cString(v.bytes.subarray(at, at + count), MAX_ELEMS * 4);
      const out: string[] = [];
      for (let k = 0; k < count && k < MAX_ELEMS; k++)
        out.push(v.shown(off + k * es, es) ? this.typedText(n.baseType, v, off + k * es, depth + 1) : '_');
      if (count > MAX_ELEMS) out.push('...');
      return `{ ${out.join(', ')} }`;
    }
    const layout = structLayout(t.nodes, type, { cxx: t.cxx });
    if (layout !== undefined) {
      const out: string[] = [];
      for (const f of layout.fields.slice(0, MAX_ELEMS)) {
        if (f.bitSize !== undefined || f.size === 0 || !v.shown(off + f.offset, f.size)) continue;
        out.push(
          `${f.name === '' ? '' : `.${f.name} = `}${this.typedText(f.type, v, off + f.offset, depth + 1)}`,
        );
      }
      return `{ ${out.join(', ')} }`;
    }
    if (at < 0 || at + size > v.bytes.length) return '_';
    return bytesText(v.bytes.subarray(at, at + size));
  }
}

const hex2 = (b: number): string => b.toString(16).padStart(2, '0');

function bytesText(b: Uint8Array): string {
  return `{ ${Array.from(b.subarray(0, 256), (x) => `0x${hex2(x)}`).join(', ')}${b.length > 256 ? ', ...' : ''} }`;
}

/** A base type's value from its little-endian bytes. */
function basicText(encoding: string, signed: boolean, b: Uint8Array): string {
  const buf = Buffer.from(b);
  if (encoding === 'float') {
    if (b.length === 4) return numText(buf.readFloatLE(0), 'f');
    if (b.length === 8) return numText(buf.readDoubleLE(0), '');
    return `/* float${b.length * 8} */ 0x${Buffer.from(b).reverse().toString('hex')}`;
  }
  let u = 0n;
  for (let i = b.length - 1; i >= 0; i--) u = (u << 8n) | BigInt(b[i]!);
  if (encoding === 'bool') return u === 0n ? 'false' : 'true';
  const x = signed ? BigInt.asIntN(b.length * 8, u) : u;
  if (encoding === 'char' && b.length === 1 && u >= 0x20n && u < 0x7fn) {
    const c = String.fromCharCode(Number(u));
    return c === "'" || c === '\\' ? `'\\${c}'` : `'${c}'`;
  }
  return x.toString();
}
