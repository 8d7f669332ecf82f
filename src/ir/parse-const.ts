/**
 * @fileoverview Stage: ir. Parsing of values: local references, global references, constants, constant
 * expressions, inline asm and metadata operands.
 *
 * Consumes: tokens through ParserBase. Produces: `Value`s of the model. Local values and blocks referenced
 * before their definition are created on first use and remembered as pending (with the offset of that use);
 * global values referenced before their definition get a placeholder object that the definition fills in
 * place, so every use shares one object and the model never holds placeholders once parsing ends.
 */
import {
  T_COMMA,
  T_EOF,
  T_CSTRING,
  T_FLOAT,
  T_GLOBALID,
  T_GLOBALVAR,
  T_GREATER,
  T_IDENT,
  T_INT,
  T_LBRACE,
  T_LESS,
  T_LOCALID,
  T_LOCALVAR,
  T_LPAREN,
  T_LSQUARE,
  T_METAID,
  T_METAVAR,
  T_RBRACE,
  T_RPAREN,
  T_RSQUARE,
} from './lexer.js';
import type {
  Block,
  ConstBlockAddress,
  ConstExpr,
  ConstInt,
  Constant,
  Func,
  GlobalValue,
  InlineAsm,
  Local,
  MetadataValue,
  Opcode,
  Value,
} from './model.js';
import { BINARY_OPS, CAST_OPS, CMP_PREDICATES } from './model.js';
import { ParserBase } from './parse-base.js';
import { printType } from './print-text.js';
import { floatLiteralBits } from './parse-float.js';
import type { FuncType, Type } from './types.js';

/** Per-function parsing state: symbol tables for locals and blocks, and pending forward references. */
export interface FuncState {
  readonly func: Func;
  readonly named: Map<string, Local>;
  readonly numbered: Map<number, Local>;
  /** Locals used before definition, with the offset of their first use. */
  readonly pending: Map<Local, number>;
  readonly blocksNamed: Map<string, Block>;
  readonly blocksNumbered: Map<number, Block>;
  readonly pendingBlocks: Map<Block, number>;
  /** The next number an unnamed value or block gets. */
  nextNum: number;
}

export const NO_FLAGS: readonly string[] = Object.freeze([]) as readonly string[];

export const FAST_MATH_FLAGS = new Set(['fast', 'nnan', 'ninf', 'nsz', 'arcp', 'contract', 'afn', 'reassoc']);

export class ConstParser extends ParserBase {
  /** The function being parsed, or undefined at module level. */
  fs: FuncState | undefined;
  /** Globals referenced before their definition: placeholder -> offset of first use. */
  readonly pendingGlobals = new Map<GlobalValue, number>();
  /** blockaddress constants, resolved at the end of the module. */
  readonly blockAddrs: { c: ConstBlockAddress; off: number }[] = [];
  /** Small integer constants shared by type: key typeId * 2048 + value + 16. */
  private readonly intCache = new Map<number, ConstInt>();

  // ---------------------------------------------------------------------------------------------------
  // References

  /** `%x` / `%12` used as a value of type `ty`. */
  localRef(ty: Type): Local {
    const L = this.L;
    const fs = this.fs;
    if (fs === undefined) throw this.err('local value used outside a function body');
    const named = L.kind === T_LOCALVAR;
    let l = named ? fs.named.get(L.str) : fs.numbered.get(L.num);
    if (l !== undefined) {
      if (l.type !== ty) {
        throw this.err(`'${L.tokText()}' has type ${printType(l.type)} but is used as ${printType(ty)}`);
      }
    } else {
      if (ty.kind === 'void' || ty.kind === 'label' || ty.kind === 'func') {
        throw this.err(`invalid use of a value of type ${printType(ty)}`);
      }
      l = { kind: 'local', id: -1, name: named ? L.str : undefined, type: ty };
      if (named) fs.named.set(L.str, l);
      else fs.numbered.set(L.num, l);
      fs.pending.set(l, L.start);
    }
    L.next();
    return l;
  }

  /** `%bb` / `%12` as a block reference (after `label`). */
  blockRef(): Block {
    const L = this.L;
    const fs = this.fs;
    if (fs === undefined) throw this.err('block label used outside a function body');
    let b: Block | undefined;
    if (L.kind === T_LOCALVAR) {
      b = fs.blocksNamed.get(L.str);
      if (b === undefined) {
        b = { index: -1, name: L.str, instrs: [] };
        fs.blocksNamed.set(L.str, b);
        fs.pendingBlocks.set(b, L.start);
      }
    } else if (L.kind === T_LOCALID) {
      b = fs.blocksNumbered.get(L.num);
      if (b === undefined) {
        b = { index: -1, name: undefined, instrs: [] };
        fs.blocksNumbered.set(L.num, b);
        fs.pendingBlocks.set(b, L.start);
      }
    } else throw this.expected('a block label (%name)');
    L.next();
    return b;
  }

  /// LabelRef ::= 'label' LocalVar
  parseLabelRef(): Block {
    if (!(this.L.kind === T_IDENT && this.L.str === 'label')) throw this.expected("'label'");
    this.L.next();
    return this.blockRef();
  }

  /** `@x` / `@12`: the global value object (a placeholder until its definition is read). */
  globalRef(ty: Type): GlobalValue {
    const L = this.L;
    if (ty.kind !== 'ptr') throw this.err(`global '${L.tokText()}' is a pointer, used as ${printType(ty)}`);
    const name = L.kind === T_GLOBALVAR ? L.str : String(L.num);
    let g = this.m.symbols.get(name);
    if (g === undefined) {
      g = { kind: 'gvar', name, type: ty } as unknown as GlobalValue;
      this.m.symbols.set(name, g);
      this.pendingGlobals.set(g, L.start);
    } else if (g.type !== ty) {
      throw this.err(`global '${L.tokText()}' has type ${printType(g.type)} but is used as ${printType(ty)}`);
    }
    L.next();
    return g;
  }

  // ---------------------------------------------------------------------------------------------------
  // Values

  /// TypeAndValue ::= Type Value
  parseTypeAndValue(): Value {
    const ty = this.parseType(false);
    return this.parseValue(ty);
  }

  /// Value ::= LocalVar | LocalVarID | Constant | 'metadata' ... (for metadata-typed operands)
  parseValue(ty: Type): Value {
    const k = this.L.kind;
    if (k === T_LOCALVAR || k === T_LOCALID) return this.localRef(ty);
    if (ty.kind === 'metadata') return this.parseMetadataOperand(ty);
    return this.parseConst(ty);
  }

  /** The raw text of a metadata operand (`!5`, `!DIExpression()`, `ptr %x`, `i32 0`, `!DIArgList(...)`). */
  parseMetadataOperand(ty: Type): MetadataValue {
    const L = this.L;
    const start = L.start;
    const c = L.src.charCodeAt(start);
    if (L.kind === T_METAID) {
      // `!12`, already one token (the common case in debug records).
      const end = L.end;
      L.next();
      return { kind: 'metadata', type: ty, text: L.src.slice(start, end) };
    }
    if (L.kind === T_METAVAR && L.str === 'DIArgList') return this.parseArgList(ty);
    if (c === 33 /* ! */ || (L.kind === T_IDENT && L.str === 'distinct')) {
      const end = L.scanMetadataNode(start);
      L.resetTo(end);
      return { kind: 'metadata', type: ty, text: L.src.slice(start, end) };
    }
    // A value as metadata: `ptr %x`, `i32 7`, `ptr undef`.
    const vt = this.parseType(false);
    if (vt.kind === 'metadata') throw this.err("'metadata metadata' is not a valid operand", start);
    const value = this.parseValue(vt);
    const end = L.kind === T_EOF ? L.src.length : L.start;
    return { kind: 'metadata', type: ty, text: L.src.slice(start, end).trimEnd(), value };
  }

  /// DIArgList ::= '!DIArgList' '(' (TypeAndValue (',' TypeAndValue)*)? ')'
  private parseArgList(ty: Type): MetadataValue {
    const L = this.L;
    const start = L.start;
    L.next();
    this.expect(T_LPAREN, "'(' after !DIArgList");
    const args: Value[] = [];
    while (L.kind !== T_RPAREN) {
      if (args.length > 0) this.expect(T_COMMA, "',' or ')' in !DIArgList");
      args.push(this.parseTypeAndValue());
    }
    const end = L.end;
    L.next();
    return { kind: 'metadata', type: ty, text: L.src.slice(start, end), args };
  }

  /** A constant of type `ty` (no local values). */
  /// Constant ::= INT | FLOAT | GlobalVar | 'true' | 'false' | 'null' | 'undef' | 'poison' | 'none'
  ///            | 'zeroinitializer' | c"..." | '[' ... ']' | '<' ... '>' | '{' ... '}' | '<{' ... '}>'
  ///            | 'splat' '(' TypeAndValue ')' | 'blockaddress' '(' ... ')' | ConstantExpr | ...
  parseConst(ty: Type): Constant {
    const L = this.L;
    switch (L.kind) {
      case T_INT:
        return this.parseIntConst(ty);
      case T_FLOAT: {
        if (ty.kind !== 'float') throw this.err(`floating-point constant used as ${printType(ty)}`);
        const bits = floatLiteralBits(L.tokText(), ty.fk);
        if (typeof bits === 'string') throw this.err(bits);
        L.next();
        return { kind: 'float', type: ty, bits };
      }
      case T_GLOBALVAR:
      case T_GLOBALID:
        return this.globalRef(ty);
      case T_CSTRING: {
        const bytes = L.cstrBytes();
        if (ty.kind !== 'array' || ty.elem.kind !== 'int' || ty.elem.bits !== 8 || ty.len !== bytes.length) {
          throw this.err(`c"..." string of ${bytes.length} bytes used as ${printType(ty)}`);
        }
        L.next();
        return { kind: 'string', type: ty, bytes };
      }
      case T_LSQUARE: {
        if (ty.kind !== 'array') throw this.err(`array constant used as ${printType(ty)}`);
        L.next();
        const elems = this.parseConstList(T_RSQUARE, ty.elem);
        if (elems.length !== ty.len) {
          throw this.err(
            `array constant has ${elems.length} elements, type ${printType(ty)} needs ${ty.len}`,
          );
        }
        this.expect(T_RSQUARE, "']'");
        return { kind: 'array', type: ty, elems };
      }
      case T_LESS: {
        L.next();
        if (L.kind === T_LBRACE) {
          L.next();
          const c = this.parseStructConst(ty, true);
          this.expect(T_GREATER, "'>'");
          return c;
        }
        if (ty.kind !== 'vector') throw this.err(`vector constant used as ${printType(ty)}`);
        const elems = this.parseConstList(T_GREATER, ty.elem);
        if (elems.length !== ty.len)
          throw this.err(`vector constant has ${elems.length} elements, needs ${ty.len}`);
        this.expect(T_GREATER, "'>'");
        return { kind: 'vector', type: ty, elems };
      }
      case T_LBRACE:
        L.next();
        return this.parseStructConst(ty, false);
      case T_IDENT:
        return this.parseKeywordConst(ty);
    }
    throw this.expected(`a value of type ${printType(ty)}`);
  }

  /** Struct constant body after `{` (and `<` for packed). */
  private parseStructConst(ty: Type, packed: boolean): Constant {
    if (ty.kind !== 'struct' || ty.opaque) throw this.err(`struct constant used as ${printType(ty)}`);
    if (ty.packed !== packed)
      throw this.err(`${packed ? 'packed ' : ''}struct constant used as ${printType(ty)}`);
    this.enter();
    const L = this.L;
    const elems: Constant[] = [];
    const fields = ty.fields;
    if (L.kind !== T_RBRACE) {
      for (;;) {
        const ft = this.parseType(false);
        const i = elems.length;
        if (i >= fields.length) throw this.err(`too many fields in a constant of type ${printType(ty)}`);
        if (ft !== fields[i])
          throw this.err(`field ${i} has type ${printType(ft)}, expected ${printType(fields[i])}`);
        elems.push(this.parseConst(ft));
        if (!this.eat(T_COMMA)) break;
      }
    }
    if (elems.length !== fields.length)
      throw this.err(`too few fields in a constant of type ${printType(ty)}`);
    this.expect(T_RBRACE, "'}'");
    this.depth--;
    return { kind: 'struct', type: ty, elems };
  }

  /** `T c, T c, ...` up to (not consuming) `close`, each element of type `elemTy`. */
  private parseConstList(close: number, elemTy: Type): Constant[] {
    const L = this.L;
    const out: Constant[] = [];
    if (L.kind === close) return out;
    this.enter();
    for (;;) {
      const t = this.parseType(false);
      if (t !== elemTy) throw this.err(`element has type ${printType(t)}, expected ${printType(elemTy)}`);
      out.push(this.parseConst(t));
      if (!this.eat(T_COMMA)) break;
    }
    this.depth--;
    return out;
  }

  /** An integer literal as `ty` (an integer type). */
  private parseIntConst(ty: Type): ConstInt {
    const L = this.L;
    if (ty.kind !== 'int') throw this.err(`integer constant used as ${printType(ty)}`);
    const s = L.src;
    const a = L.start;
    const len = L.end - a;
    let c: ConstInt;
    if (len <= 4 && s.charCodeAt(a) !== 117 && s.charCodeAt(a) !== 115) {
      // Fast path for small decimal literals, shared per type.
      const v = Number(L.tokText());
      const key = ty.id * 2048 + v + 16;
      let cached = v >= -16 && v < 2000 ? this.intCache.get(key) : undefined;
      if (cached === undefined) {
        cached = { kind: 'int', type: ty, value: BigInt.asUintN(ty.bits, BigInt(v)) };
        if (v >= -16 && v < 2000) this.intCache.set(key, cached);
      }
      c = cached;
    } else {
      c = { kind: 'int', type: ty, value: BigInt.asUintN(ty.bits, this.intTokenValue()) };
    }
    L.next();
    return c;
  }

  /** The value of the current integer token as a bigint (signed for decimals and s0x). */
  intTokenValue(): bigint {
    const t = this.L.tokText();
    const c0 = t.charCodeAt(0);
    if (c0 === 117 /* u */) return BigInt('0x' + t.slice(3));
    if (c0 === 115 /* s */) {
      const hex = t.slice(3);
      return BigInt.asIntN(hex.length * 4, BigInt('0x' + hex));
    }
    return BigInt(t);
  }

  /** Constants introduced by a keyword. */
  private parseKeywordConst(ty: Type): Constant {
    const L = this.L;
    const w = L.str;
    switch (w) {
      case 'true':
      case 'false': {
        if (ty.kind !== 'int' || ty.bits !== 1) throw this.err(`'${w}' used as ${printType(ty)}`);
        L.next();
        return { kind: 'int', type: ty, value: w === 'true' ? 1n : 0n };
      }
      case 'null':
        if (ty.kind !== 'ptr') throw this.err(`'null' used as ${printType(ty)}`);
        L.next();
        return { kind: 'null', type: ty };
      case 'undef':
      case 'poison':
        if (ty.kind === 'void' || ty.kind === 'label' || ty.kind === 'func') {
          throw this.err(`'${w}' used as ${printType(ty)}`);
        }
        L.next();
        return { kind: w, type: ty };
      case 'zeroinitializer':
        if (ty.kind === 'void' || ty.kind === 'label' || ty.kind === 'func') {
          throw this.err(`'zeroinitializer' used as ${printType(ty)}`);
        }
        L.next();
        return { kind: 'zero', type: ty };
      case 'none':
        if (ty.kind !== 'token') throw this.err(`'none' used as ${printType(ty)}`);
        L.next();
        return { kind: 'none', type: ty };
      case 'splat': {
        if (ty.kind !== 'vector') throw this.err(`splat constant used as ${printType(ty)}`);
        L.next();
        this.expect(T_LPAREN, "'('");
        const et = this.parseType(false);
        if (et !== ty.elem)
          throw this.err(`splat element has type ${printType(et)}, expected ${printType(ty.elem)}`);
        const elem = this.parseConst(et);
        this.expect(T_RPAREN, "')'");
        return { kind: 'splat', type: ty, elem };
      }
      case 'blockaddress': {
        if (ty.kind !== 'ptr') throw this.err(`blockaddress used as ${printType(ty)}`);
        const off = L.start;
        L.next();
        this.expect(T_LPAREN, "'('");
        if (L.kind !== T_GLOBALVAR && L.kind !== T_GLOBALID) throw this.expected('a function name');
        const func = this.globalRef(this.T.ptr);
        this.expect(T_COMMA, "','");
        if (L.kind !== T_LOCALVAR && L.kind !== T_LOCALID) throw this.expected('a block label');
        const label = L.kind === T_LOCALVAR ? L.str : `#${L.num}`;
        L.next();
        this.expect(T_RPAREN, "')'");
        const c: ConstBlockAddress = { kind: 'blockaddress', type: ty, func, block: undefined, label };
        this.blockAddrs.push({ c, off });
        return c;
      }
      case 'dso_local_equivalent':
      case 'no_cfi': {
        if (ty.kind !== 'ptr') throw this.err(`${w} used as ${printType(ty)}`);
        L.next();
        if (L.kind !== T_GLOBALVAR && L.kind !== T_GLOBALID) throw this.expected('a function name');
        const func = this.globalRef(ty);
        return { kind: w, type: ty, func };
      }
      case 'asm':
        throw this.err('inline asm is only allowed as a callee');
    }
    return this.parseConstExpr(ty);
  }

  // ---------------------------------------------------------------------------------------------------
  // Constant expressions

  /// ConstantExpr ::= CastOp '(' TypeAndValue 'to' Type ')'
  ///                | 'getelementptr' GepFlags '(' Type ',' TypeAndValue (',' TypeAndValue)* ')'
  ///                | BinOp Flags '(' TypeAndValue ',' TypeAndValue ')' | 'icmp' Pred '(' ... ')' | ...
  private parseConstExpr(ty: Type): ConstExpr {
    const L = this.L;
    const op = L.str;
    const off = L.start;
    this.enter();
    L.next();
    let e: ConstExpr;
    if (CAST_OPS.has(op)) {
      const flags = this.parseWordFlags();
      this.expect(T_LPAREN, "'('");
      const v = this.parseTypeAndConst();
      this.expectKw('to');
      const to = this.parseType(false);
      this.expect(T_RPAREN, "')'");
      e = { kind: 'expr', type: to, op: op as Opcode, operands: [v], flags };
    } else if (op === 'getelementptr') {
      e = this.parseGepExpr();
    } else if (BINARY_OPS.has(op)) {
      const flags = this.parseWordFlags();
      this.expect(T_LPAREN, "'('");
      const a = this.parseTypeAndConst();
      this.expect(T_COMMA, "','");
      const b = this.parseTypeAndConst();
      this.expect(T_RPAREN, "')'");
      if (a.type !== b.type) throw this.err(`operands of '${op}' have different types`, off);
      e = { kind: 'expr', type: a.type, op: op as Opcode, operands: [a, b], flags };
    } else if (op === 'icmp' || op === 'fcmp') {
      const pred = L.kind === T_IDENT ? L.str : '';
      if (!CMP_PREDICATES[op].has(pred)) throw this.expected(`an ${op} predicate`);
      L.next();
      this.expect(T_LPAREN, "'('");
      const a = this.parseTypeAndConst();
      this.expect(T_COMMA, "','");
      const b = this.parseTypeAndConst();
      this.expect(T_RPAREN, "')'");
      const rt = a.type.kind === 'vector' ? this.T.vector(this.T.i1, a.type.len, a.type.scalable) : this.T.i1;
      e = { kind: 'expr', type: rt, op, operands: [a, b], flags: [], pred };
    } else if (
      op === 'extractelement' ||
      op === 'insertelement' ||
      op === 'shufflevector' ||
      op === 'select' ||
      op === 'fneg'
    ) {
      this.expect(T_LPAREN, "'('");
      const ops: Constant[] = [this.parseTypeAndConst()];
      while (this.eat(T_COMMA)) ops.push(this.parseTypeAndConst());
      this.expect(T_RPAREN, "')'");
      const n = op === 'extractelement' ? 2 : op === 'fneg' ? 1 : 3;
      if (ops.length !== n) throw this.err(`'${op}' takes ${n} operands`, off);
      let rt: Type;
      const t0 = ops[0].type;
      if (op === 'extractelement') {
        if (t0.kind !== 'vector') throw this.err('extractelement of a non-vector', off);
        rt = t0.elem;
      } else if (op === 'shufflevector') {
        const mt = ops[2].type;
        if (t0.kind !== 'vector' || mt.kind !== 'vector')
          throw this.err('shufflevector of a non-vector', off);
        rt = this.T.vector(t0.elem, mt.len, mt.scalable);
      } else if (op === 'select') rt = ops[1].type;
      else rt = t0;
      e = { kind: 'expr', type: rt, op: op as Opcode, operands: ops, flags: [] };
    } else {
      throw this.err(`expected a value of type ${printType(ty)}, found '${op}'`, off);
    }
    if (e.type !== ty) {
      throw this.err(`constant expression has type ${printType(e.type)}, expected ${printType(ty)}`, off);
    }
    this.depth--;
    return e;
  }

  /** nuw/nsw/exact/disjoint/nneg/samesign words before '(' in constant expressions. */
  private parseWordFlags(): readonly string[] {
    const L = this.L;
    let flags: string[] | undefined;
    while (L.kind === T_IDENT && L.str !== 'to') {
      const w = L.str;
      if (
        w === 'nuw' ||
        w === 'nsw' ||
        w === 'exact' ||
        w === 'disjoint' ||
        w === 'nneg' ||
        w === 'samesign'
      ) {
        (flags ??= []).push(w);
        L.next();
      } else break;
    }
    return flags ?? NO_FLAGS;
  }

  private parseTypeAndConst(): Constant {
    const t = this.parseType(false);
    return this.parseConst(t);
  }

  /// GepExpr ::= 'getelementptr' ('inbounds'|'nusw'|'nuw'|'inrange' '(' INT ',' INT ')')*
  ///             '(' Type ',' TypeAndValue (',' 'inrange'? TypeAndValue)* ')'
  private parseGepExpr(): ConstExpr {
    const L = this.L;
    const flags: string[] = [];
    let inrange: string | undefined;
    for (;;) {
      if (L.kind !== T_IDENT) break;
      const w = L.str;
      if (w === 'inbounds' || w === 'nusw' || w === 'nuw') {
        flags.push(w);
        L.next();
      } else if (w === 'inrange') {
        L.next();
        inrange = `inrange(${this.skipParens()})`;
      } else break;
    }
    this.expect(T_LPAREN, "'('");
    const srcType = this.parseType(false);
    this.expect(T_COMMA, "','");
    const operands: Constant[] = [this.parseTypeAndConst()];
    while (this.eat(T_COMMA)) {
      if (L.kind === T_IDENT && L.str === 'inrange') {
        L.next();
        inrange = `inrange index ${operands.length - 1}`;
      }
      operands.push(this.parseTypeAndConst());
    }
    this.expect(T_RPAREN, "')'");
    const type = this.gepResultType(operands[0].type, operands);
    const e: ConstExpr = { kind: 'expr', type, op: 'getelementptr', operands, flags, srcType };
    if (inrange !== undefined) (e as { inrange?: string }).inrange = inrange;
    return e;
  }

  /** ptr, or a vector of ptr when the base or an index is a vector. */
  gepResultType(base: Type, operands: readonly { type: Type }[]): Type {
    if (base.kind === 'vector') return base;
    if (base.kind !== 'ptr') throw this.err('getelementptr base is not a pointer');
    for (let i = 1; i < operands.length; i++) {
      const t = operands[i].type;
      if (t.kind === 'vector') return this.T.vector(base, t.len, t.scalable);
    }
    return base;
  }

  // ---------------------------------------------------------------------------------------------------
  // Inline asm

  /// InlineAsm ::= 'asm' 'sideeffect'? 'alignstack'? 'inteldialect'? 'unwind'? STRING ',' STRING
  parseInlineAsm(fty: FuncType | undefined): InlineAsm {
    const L = this.L;
    L.next();
    const flags: string[] = [];
    while (L.kind === T_IDENT) {
      const w = L.str;
      if (w === 'sideeffect' || w === 'alignstack' || w === 'inteldialect' || w === 'unwind') {
        flags.push(w);
        L.next();
      } else throw this.expected('an inline asm flag or string');
    }
    const asm = this.parseStringTok('the inline asm string');
    this.expect(T_COMMA, "','");
    const constraints = this.parseStringTok('the inline asm constraint string');
    return { kind: 'asm', type: fty ?? this.T.ptr, asm, constraints, flags };
  }
}
