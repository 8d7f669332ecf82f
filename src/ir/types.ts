/**
 * @fileoverview Stage: ir. The LLVM type system as inputsmith models it.
 *
 * Consumes: nothing (leaf module). Produces: interned `Type` objects. Every type except a named struct is
 * structurally interned by a `TypeContext`, so two types are equal exactly when they are the same object
 * (`a === b`). Named (identified) structs are unique per name and may be opaque until their body is set.
 * Each type carries a small dense `id`, handy as a map key.
 */

export type FloatKind = 'half' | 'bfloat' | 'float' | 'double' | 'x86_fp80' | 'fp128' | 'ppc_fp128';

export interface VoidType {
  readonly kind: 'void';
  readonly id: number;
}
export interface IntType {
  readonly kind: 'int';
  readonly id: number;
  readonly bits: number;
}
export interface FloatType {
  readonly kind: 'float';
  readonly id: number;
  readonly fk: FloatKind;
}
export interface PtrType {
  readonly kind: 'ptr';
  readonly id: number;
  readonly addrSpace: number;
}
/** label, metadata, token, x86_mmx, x86_amx: types that exist but hold no ordinary data. */
export interface SpecialType {
  readonly kind: 'label' | 'metadata' | 'token' | 'x86_mmx' | 'x86_amx';
  readonly id: number;
}
export interface ArrayType {
  readonly kind: 'array';
  readonly id: number;
  readonly elem: Type;
  readonly len: number;
}
export interface VectorType {
  readonly kind: 'vector';
  readonly id: number;
  readonly elem: Type;
  readonly len: number;
  readonly scalable: boolean;
}
export interface StructType {
  readonly kind: 'struct';
  readonly id: number;
  /** Name without the leading `%` for identified structs (e.g. `struct.S`), undefined for literal structs. */
  readonly name: string | undefined;
  /** Field types; empty and `opaque` true for an opaque identified struct. Set once for identified structs. */
  fields: Type[];
  packed: boolean;
  opaque: boolean;
}
export interface FuncType {
  readonly kind: 'func';
  readonly id: number;
  readonly ret: Type;
  readonly params: readonly Type[];
  readonly varargs: boolean;
}
/** `target("name", types..., ints...)`: target extension types. */
export interface TargetExtType {
  readonly kind: 'target';
  readonly id: number;
  readonly name: string;
  readonly typeParams: readonly Type[];
  readonly intParams: readonly number[];
}

export type Type =
  | VoidType
  | IntType
  | FloatType
  | PtrType
  | SpecialType
  | ArrayType
  | VectorType
  | StructType
  | FuncType
  | TargetExtType;

/** Interns types. One context per module (types are never shared across modules). */
export class TypeContext {
  private nextId = 0;
  private readonly interned = new Map<string, Type>();
  /** Identified structs by name (without `%`), in order of first mention. */
  readonly named = new Map<string, StructType>();
  /** Identified structs in the order their bodies were set (definition order); opaque ones are absent. */
  readonly defined: StructType[] = [];

  readonly void: VoidType = this.intern('v', (id) => ({ kind: 'void', id }));
  readonly label: SpecialType = this.intern('l', (id) => ({ kind: 'label', id }));
  readonly metadata: SpecialType = this.intern('m', (id) => ({ kind: 'metadata', id }));
  readonly token: SpecialType = this.intern('t', (id) => ({ kind: 'token', id }));
  readonly ptr: PtrType = this.pointer(0);
  readonly i1: IntType = this.int(1);
  readonly i8: IntType = this.int(8);
  readonly i32: IntType = this.int(32);
  readonly i64: IntType = this.int(64);
  readonly double: FloatType = this.float('double');

  private intern<T extends Type>(key: string, make: (id: number) => T): T {
    let t = this.interned.get(key);
    if (t === undefined) {
      t = make(this.nextId++);
      this.interned.set(key, t);
    }
    return t as T;
  }

  int(bits: number): IntType {
    return this.intern(`i${bits}`, (id) => ({ kind: 'int', id, bits }));
  }
  float(fk: FloatKind): FloatType {
    return this.intern(fk, (id) => ({ kind: 'float', id, fk }));
  }
  pointer(addrSpace: number): PtrType {
    return this.intern(`p${addrSpace}`, (id) => ({ kind: 'ptr', id, addrSpace }));
  }
  special(kind: 'x86_mmx' | 'x86_amx'): SpecialType {
    return this.intern(kind, (id) => ({ kind, id }));
  }
  array(elem: Type, len: number): ArrayType {
    return this.intern(`[${len}x${elem.id}]`, (id) => ({ kind: 'array', id, elem, len }));
  }
  vector(elem: Type, len: number, scalable = false): VectorType {
    return this.intern(`<${scalable ? 'vs' : ''}${len}x${elem.id}>`, (id) => ({
      kind: 'vector',
      id,
      elem,
      len,
      scalable,
    }));
  }
  /** A literal (unnamed) struct type. */
  struct(fields: readonly Type[], packed = false): StructType {
    const key = `${packed ? '<' : ''}{${fields.map((f) => f.id).join(',')}}`;
    return this.intern(key, (id) => ({
      kind: 'struct',
      id,
      name: undefined,
      fields: fields.slice(),
      packed,
      opaque: false,
    }));
  }
  /** The identified struct `%name`, created opaque on first mention; its body is set by `setBody`. */
  namedStruct(name: string): StructType {
    let t = this.named.get(name);
    if (t === undefined) {
      t = { kind: 'struct', id: this.nextId++, name, fields: [], packed: false, opaque: true };
      this.named.set(name, t);
    }
    return t;
  }
  setBody(t: StructType, fields: Type[], packed: boolean): void {
    if (t.opaque) this.defined.push(t);
    t.fields = fields;
    t.packed = packed;
    t.opaque = false;
  }
  func(ret: Type, params: readonly Type[], varargs: boolean): FuncType {
    const key = `f${ret.id}(${params.map((p) => p.id).join(',')}${varargs ? ',...' : ''})`;
    return this.intern(key, (id) => ({ kind: 'func', id, ret, params: params.slice(), varargs }));
  }
  target(name: string, typeParams: readonly Type[], intParams: readonly number[]): TargetExtType {
    const key = `T${JSON.stringify(name)}(${typeParams.map((p) => p.id).join(',')};${intParams.join(',')})`;
    return this.intern(key, (id) => ({
      kind: 'target',
      id,
      name,
      typeParams: typeParams.slice(),
      intParams: intParams.slice(),
    }));
  }
}

/** True for types that can be the type of an SSA value holding data (first-class types). */
export function isFirstClass(t: Type): boolean {
  return t.kind !== 'void' && t.kind !== 'func' && t.kind !== 'label' && t.kind !== 'metadata';
}

export function isAggregate(t: Type): t is ArrayType | StructType {
  return t.kind === 'array' || t.kind === 'struct';
}

/** The scalar type of a vector's lanes, or the type itself. */
export function scalarOf(t: Type): Type {
  return t.kind === 'vector' ? t.elem : t;
}
