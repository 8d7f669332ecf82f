/**
 * @fileoverview Stage: progs. The tree of a generated C program.
 *
 * Consumes: nothing (plain data). Produces: the node types the generator builds, the interpreter runs
 * (and rewrites in place to remove undefined behaviour) and the printer turns into C text.
 */

import type { CType } from './ctypes.js';
import type { AssignOp } from './grammar.js';
import type { BinOp, UnOp } from './semantics.js';

export type VarKind = 'scalar' | 'array' | 'struct' | 'pointer' | 'counter' | 'param';

export interface StructDef {
  readonly name: string;
  readonly fields: CType[];
}

/** A variable. Storage is one BigInt per scalar, per array element or per struct field. */
export interface Var {
  readonly name: string;
  readonly kind: VarKind;
  /** Scalar type, element type, or pointee type. Unused for structs. */
  readonly type: CType;
  readonly global: boolean;
  readonly isStatic: boolean;
  /** Index into the globals table or into the owning function's frame. */
  readonly slot: number;
  /** Initial storage (copied into a fresh frame); empty for pointers. */
  readonly init: bigint[];
  readonly length: number;
  readonly struct: StructDef | undefined;
  /** For pointers: the place they point at (a constant location). */
  readonly target: Place | undefined;
}

export type Place =
  | { k: 'var'; v: Var }
  | { k: 'elem'; v: Var; index: Expr }
  | { k: 'member'; v: Var; field: number }
  | { k: 'deref'; v: Var };

export type Expr =
  | { k: 'const'; type: CType; value: bigint }
  | { k: 'read'; type: CType; place: Place }
  | { k: 'unary'; type: CType; op: UnOp; e: Expr }
  | { k: 'binary'; type: CType; op: BinOp; a: Expr; b: Expr; tried?: number }
  | { k: 'cast'; type: CType; e: Expr }
  | { k: 'cond'; type: CType; c: Expr; a: Expr; b: Expr }
  | { k: 'paren'; type: CType; e: Expr }
  | { k: 'call'; type: CType; fn: Func; args: Expr[] };

export type Stmt =
  | { k: 'assign'; place: Place; op: AssignOp; e: Expr; tried?: number }
  | { k: 'incdec'; place: Place; op: '++' | '--'; prefix: boolean; tried?: number }
  | { k: 'if'; c: Expr; then: Stmt[]; else: Stmt[] | undefined }
  | { k: 'for'; counter: Var; start: number; step: number; trips: number; body: Stmt[] }
  | { k: 'block'; body: Stmt[] }
  /** chk_result(place, expected, __LINE__): the value the place must hold here. */
  | { k: 'check'; place: Place; expected: bigint };

export interface Func {
  readonly name: string;
  readonly ret: CType;
  readonly params: Var[];
  /** Every variable of the frame, in slot order (params first, then locals and loop counters). */
  readonly vars: Var[];
  body: Stmt[];
  /** The returned expression (undefined for main, which returns the check status). */
  result: Expr | undefined;
  /** Arguments of the call the body was generated for; a call site that would hit UB falls back to them. */
  refArgs: bigint[];
  /** Deepest loop nesting inside (including callees), to bound interpretation work. */
  loopDepth: number;
  /** Interpreter steps one call took (the reference call), to bound interpretation work. */
  cost: number;
}

export interface Program {
  readonly seed: number;
  readonly structs: StructDef[];
  readonly globals: Var[];
  /** Generated functions in creation order (callees are created before their first caller finishes). */
  readonly funcs: Func[];
  readonly main: Func;
  /** FNV-1a style checksum over every global and main variable at the end, as printed. */
  checksum: bigint;
}
