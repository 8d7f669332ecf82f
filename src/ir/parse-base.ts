/**
 * @fileoverview Stage: ir. The parser's foundation: token helpers, types and attributes.
 *
 * Consumes: tokens from ./lexer. Produces: interned `Type`s (through the module's `TypeContext`) and
 * `AttrList`s. The parser is a chain of classes, one per concern, each in its own file:
 * ParserBase (here) -> ConstParser (parse-const.ts: values and constants) -> InstrParser (parse-instr.ts:
 * instructions) -> ModuleParser (parser.ts: top-level entities and forward-reference resolution).
 */
import type { UserError } from '../util/errors.js';
import {
  Lexer,
  T_ATTRGRPID,
  T_COMMA,
  T_EQUAL,
  T_GREATER,
  T_IDENT,
  T_INT,
  T_INTTYPE,
  T_LBRACE,
  T_LESS,
  T_LOCALID,
  T_LOCALVAR,
  T_LPAREN,
  T_LSQUARE,
  T_RBRACE,
  T_RPAREN,
  T_RSQUARE,
  T_STAR,
  T_STRING,
  T_DOTDOTDOT,
  tokenName,
} from './lexer.js';
import type { Attr, AttrList, Module } from './model.js';
import { NO_ATTRS } from './model.js';
import type { FuncType, IntType, StructType, Type, TypeContext } from './types.js';

export const TYPED_POINTER_MSG =
  'typed pointers (LLVM <= 14 IR) are not supported; regenerate the IR with clang >= 15 (opaque pointers)';

/** Nesting limit for types and constants, so that hostile input cannot overflow the stack. */
const MAX_DEPTH = 500;

/** Attributes that take a type argument in parentheses. */
const TYPE_ATTRS = new Set(['byval', 'sret', 'byref', 'inalloca', 'preallocated', 'elementtype']);
/** Attributes that take an integer argument without parentheses (`align 8`). */
const INT_ATTRS = new Set(['align', 'dereferenceable', 'dereferenceable_or_null']);
/** Attributes whose argument may be written in parentheses (`align(8)`, `memory(read)`, `range(i32 0, 4)`). */
const PAREN_ATTRS = new Set([
  'align',
  'alignstack',
  'allocsize',
  'allockind',
  'allocalign',
  'dereferenceable',
  'dereferenceable_or_null',
  'memory',
  'nofpclass',
  'range',
  'uwtable',
  'vscale_range',
  'initializes',
  'captures',
  'sanitize_address_dyninit',
]);
/** Every enum attribute keyword of LLVM 15-20 (parameter, return and function attributes). */
const ATTR_WORDS = new Set([
  ...TYPE_ATTRS,
  ...INT_ATTRS,
  ...PAREN_ATTRS,
  'allocptr',
  'alwaysinline',
  'builtin',
  'cold',
  'convergent',
  'coro_elide_safe',
  'coro_only_destroy_when_complete',
  'dead_on_unwind',
  'dead_on_return',
  'disable_sanitizer_instrumentation',
  'fn_ret_thunk_extern',
  'hot',
  'hybrid_patchable',
  'immarg',
  'inreg',
  'jumptable',
  'minsize',
  'mustprogress',
  'naked',
  'nest',
  'noalias',
  'nobuiltin',
  'nocallback',
  'nocapture',
  'nocf_check',
  'nocreateundeforpoison',
  'noduplicate',
  'noext',
  'nofree',
  'noimplicitfloat',
  'noinline',
  'nomerge',
  'nonlazybind',
  'nonnull',
  'noprofile',
  'norecurse',
  'noredzone',
  'noreturn',
  'nosanitize_bounds',
  'nosanitize_coverage',
  'nosync',
  'noundef',
  'nounwind',
  'null_pointer_is_valid',
  'optdebug',
  'optforfuzzing',
  'optnone',
  'optsize',
  'presplitcoroutine',
  'readnone',
  'readonly',
  'returned',
  'returns_twice',
  'safestack',
  'sanitize_address',
  'sanitize_hwaddress',
  'sanitize_memory',
  'sanitize_memtag',
  'sanitize_numerical_stability',
  'sanitize_realtime',
  'sanitize_realtime_blocking',
  'sanitize_thread',
  'sanitize_type',
  'shadowcallstack',
  'signext',
  'skipprofile',
  'speculatable',
  'speculative_load_hardening',
  'ssp',
  'sspreq',
  'sspstrong',
  'strictfp',
  'swiftasync',
  'swifterror',
  'swiftself',
  'willreturn',
  'writable',
  'writeonly',
  'zeroext',
  'no_sanitize_address',
  'no_sanitize_hwaddress',
]);

/** Calling-convention keywords (besides `cc N`). */
const CALLING_CONVS = new Set([
  'ccc',
  'fastcc',
  'coldcc',
  'intel_ocl_bicc',
  'x86_stdcallcc',
  'x86_fastcallcc',
  'x86_thiscallcc',
  'x86_vectorcallcc',
  'x86_regcallcc',
  'x86_intrcc',
  'x86_64_sysvcc',
  'win64cc',
  'arm_apcscc',
  'arm_aapcscc',
  'arm_aapcs_vfpcc',
  'aarch64_vector_pcs',
  'aarch64_sve_vector_pcs',
  'aarch64_sme_preservemost_from_x0',
  'aarch64_sme_preservemost_from_x1',
  'aarch64_sme_preservemost_from_x2',
  'msp430_intrcc',
  'avr_intrcc',
  'avr_signalcc',
  'ptx_kernel',
  'ptx_device',
  'spir_kernel',
  'spir_func',
  'webkit_jscc',
  'anyregcc',
  'preserve_mostcc',
  'preserve_allcc',
  'preserve_nonecc',
  'ghccc',
  'swiftcc',
  'swifttailcc',
  'cxx_fast_tlscc',
  'hhvmcc',
  'hhvm_ccc',
  'tailcc',
  'cfguard_checkcc',
  'm68k_rtdcc',
  'm68k_intrcc',
  'graalcc',
  'riscv_vector_cc',
  'riscv_vls_cc',
]);

export function isCallingConv(w: string): boolean {
  return CALLING_CONVS.has(w) || w.startsWith('amdgpu_');
}

export class ParserBase {
  readonly L: Lexer;
  readonly m: Module;
  readonly T: TypeContext;
  depth = 0;
  /** Integer types by width (below 256), so that the hot path does not build intern keys. */
  private readonly intTypes: (IntType | undefined)[] = [];
  /** `!N` attachment references as (N, offset) pairs, checked against the definitions at the end. */
  readonly mdRefs: number[] = [];
  /** `#N` attribute group references as (N, offset) pairs, checked at the end. */
  readonly groupRefs: number[] = [];
  /** Offset of the first mention of each named type, for "undefined type" messages. */
  readonly typeFirstUse = new Map<string, number>();

  constructor(L: Lexer, m: Module) {
    this.L = L;
    this.m = m;
    this.T = m.types;
  }

  // ---------------------------------------------------------------------------------------------------
  // Token helpers

  err(msg: string, off?: number): UserError {
    return this.L.error(msg, off);
  }

  /** An "expected X" error at the current token. */
  expected(what: string): UserError {
    return this.L.error(`expected ${what}, found ${this.L.describe()}`);
  }

  expect(kind: number, what?: string): void {
    if (this.L.kind !== kind) throw this.expected(what ?? tokenName(kind));
    this.L.next();
  }

  /** True (and consumes it) when the current token is the keyword `w`. */
  eatKw(w: string): boolean {
    if (this.L.kind === T_IDENT && this.L.str === w) {
      this.L.next();
      return true;
    }
    return false;
  }

  /** The current identifier's text (a call, so that TypeScript does not keep a stale narrowing). */
  word(): string {
    return this.L.str;
  }

  isKw(w: string): boolean {
    return this.L.kind === T_IDENT && this.L.str === w;
  }

  expectKw(w: string): void {
    if (!this.eatKw(w)) throw this.expected(`'${w}'`);
  }

  eat(kind: number): boolean {
    if (this.L.kind === kind) {
      this.L.next();
      return true;
    }
    return false;
  }

  /** A non-negative integer literal that fits a JS number. */
  parseUInt(what = 'an integer'): number {
    const L = this.L;
    if (L.kind !== T_INT) throw this.expected(what);
    const t = L.tokText();
    const v = Number(t);
    if (!Number.isSafeInteger(v) || v < 0) throw this.err(`${what} out of range: ${t}`);
    L.next();
    return v;
  }

  /** A (possibly negative) integer literal that fits a JS number. */
  parseSInt(what = 'an integer'): number {
    const L = this.L;
    if (L.kind !== T_INT) throw this.expected(what);
    const t = L.tokText();
    const v = Number(t);
    if (!Number.isSafeInteger(v)) throw this.err(`${what} out of range: ${t}`);
    L.next();
    return v;
  }

  parseStringTok(what = 'a string'): string {
    if (this.L.kind !== T_STRING) throw this.expected(what);
    const s = this.L.str;
    this.L.next();
    return s;
  }

  /** `'(' N ')'` after a keyword such as addrspace. */
  parseParenUInt(what: string): number {
    this.expect(T_LPAREN, "'('");
    const v = this.parseUInt(what);
    this.expect(T_RPAREN, "')'");
    return v;
  }

  /// OptionalAddrSpace ::= ('addrspace' '(' uint32 ')')?
  parseOptAddrSpace(): number {
    if (!this.eatKw('addrspace')) return 0;
    return this.parseParenUInt('an address space');
  }

  /** Skips a balanced `( ... )` group starting at the current `(` token; returns its raw inner text. */
  skipParens(): string {
    const L = this.L;
    if (L.kind !== T_LPAREN) throw this.expected("'('");
    const open = L.start;
    const close = L.scanBalanced(open + 1, false, true, false);
    if (L.src.charCodeAt(close) !== 41) throw this.err("unterminated '('", open);
    L.resetTo(close + 1);
    return L.src.slice(open + 1, close);
  }

  enter(): void {
    if (++this.depth > MAX_DEPTH) throw this.err('nesting too deep');
  }

  // ---------------------------------------------------------------------------------------------------
  // Types

  /// Type ::= 'void' | 'iN' | 'half' | ... | 'ptr' OptionalAddrSpace | '[' N 'x' Type ']'
  ///        | '<' N 'x' Type '>' | '<' 'vscale' 'x' N 'x' Type '>' | '{' TypeList '}' | '<{' TypeList '}>'
  ///        | LocalVar | LocalVarID | 'target' '(' ... ')' | Type '(' ArgTypeList ')'
  parseType(allowVoid = true): Type {
    const t = this.parseTypeNoSuffix();
    return this.parseTypeSuffix(t, allowVoid);
  }

  /** Handles the function-type suffix and refuses typed pointers (`T*`, `T addrspace(N)*`). */
  parseTypeSuffix(t: Type, allowVoid: boolean): Type {
    const L = this.L;
    for (;;) {
      if (L.kind === T_STAR) throw this.err(TYPED_POINTER_MSG);
      if (L.kind === T_IDENT && L.str === 'addrspace') {
        // `T addrspace(N)*` is a typed pointer; a bare `addrspace(N)` never follows a type otherwise.
        throw this.err(TYPED_POINTER_MSG);
      }
      if (L.kind === T_LPAREN) {
        t = this.parseFuncTypeParams(t);
        continue;
      }
      break;
    }
    if (!allowVoid && t.kind === 'void') throw this.err("'void' is not allowed here");
    return t;
  }

  /** `'(' (Type (',' Type)* (',' '...')? | '...')? ')'` after a return type. */
  private parseFuncTypeParams(ret: Type): FuncType {
    const L = this.L;
    L.next();
    const params: Type[] = [];
    let varargs = false;
    if (L.kind !== T_RPAREN) {
      for (;;) {
        if (L.kind === T_DOTDOTDOT) {
          L.next();
          varargs = true;
          break;
        }
        const p = this.parseType(false);
        // Attributes may follow parameter types in function types (rare); skip them.
        if (L.kind === T_IDENT && ATTR_WORDS.has(L.str)) this.parseAttrs(false);
        params.push(p);
        if (!this.eat(T_COMMA)) break;
      }
    }
    this.expect(T_RPAREN, "')' to end a function type");
    return this.T.func(ret, params, varargs);
  }

  parseTypeNoSuffix(): Type {
    const L = this.L;
    const T = this.T;
    switch (L.kind) {
      case T_INTTYPE: {
        const bits = L.num;
        let t = bits < 256 ? this.intTypes[bits] : undefined;
        if (t === undefined) {
          t = T.int(bits);
          if (bits < 256) this.intTypes[bits] = t;
        }
        L.next();
        return t;
      }
      case T_IDENT: {
        const w = L.str;
        switch (w) {
          case 'ptr': {
            L.next();
            if (L.kind === T_IDENT && L.str === 'addrspace') {
              L.next();
              return T.pointer(this.parseParenUInt('an address space'));
            }
            return T.ptr;
          }
          case 'void':
            L.next();
            return T.void;
          case 'half':
          case 'bfloat':
          case 'float':
          case 'double':
          case 'x86_fp80':
          case 'fp128':
          case 'ppc_fp128':
            L.next();
            return T.float(w);
          case 'label':
            L.next();
            return T.label;
          case 'metadata':
            L.next();
            return T.metadata;
          case 'token':
            L.next();
            return T.token;
          case 'x86_mmx':
          case 'x86_amx':
            L.next();
            return T.special(w);
          case 'target':
            return this.parseTargetType();
          case 'opaque':
            throw this.err("'opaque' is only allowed in a type definition");
        }
        throw this.expected('a type');
      }
      case T_LSQUARE: {
        this.enter();
        L.next();
        const len = this.parseUInt('an array length');
        this.expectKw('x');
        const elem = this.parseType(false);
        this.expect(T_RSQUARE, "']'");
        this.depth--;
        return T.array(elem, len);
      }
      case T_LESS: {
        this.enter();
        L.next();
        if (L.kind === T_LBRACE) {
          const st = this.parseStructBody(true);
          this.expect(T_GREATER, "'>' to end a packed struct");
          this.depth--;
          return st;
        }
        let scalable = false;
        if (this.eatKw('vscale')) {
          scalable = true;
          this.expectKw('x');
        }
        const len = this.parseUInt('a vector length');
        this.expectKw('x');
        const elem = this.parseType(false);
        this.expect(T_GREATER, "'>'");
        this.depth--;
        return T.vector(elem, len, scalable);
      }
      case T_LBRACE: {
        this.enter();
        const st = this.parseStructBody(false);
        this.depth--;
        return st;
      }
      case T_LOCALVAR: {
        if (!T.named.has(L.str)) this.typeFirstUse.set(L.str, L.start);
        const t = T.namedStruct(L.str);
        L.next();
        return t;
      }
      case T_LOCALID: {
        if (!T.named.has(String(L.num))) this.typeFirstUse.set(String(L.num), L.start);
        const t = T.namedStruct(String(L.num));
        L.next();
        return t;
      }
    }
    throw this.expected('a type');
  }

  /** `'{' (Type (',' Type)*)? '}'` as a literal struct type. */
  private parseStructBody(packed: boolean): StructType {
    const fields = this.parseStructFields();
    return this.T.struct(fields, packed);
  }

  /** `'{' (Type (',' Type)*)? '}'`: the field list. */
  parseStructFields(): Type[] {
    const L = this.L;
    this.expect(T_LBRACE, "'{'");
    const fields: Type[] = [];
    if (L.kind !== T_RBRACE) {
      for (;;) {
        fields.push(this.parseType(false));
        if (!this.eat(T_COMMA)) break;
      }
    }
    this.expect(T_RBRACE, "'}'");
    return fields;
  }

  /// TargetExtType ::= 'target' '(' STRING (',' Type)* (',' uint)* ')'
  private parseTargetType(): Type {
    const L = this.L;
    L.next();
    this.expect(T_LPAREN, "'('");
    const name = this.parseStringTok('a target type name');
    const tps: Type[] = [];
    const ints: number[] = [];
    while (this.eat(T_COMMA)) {
      if (L.kind === T_INT) ints.push(this.parseUInt());
      else if (ints.length > 0) throw this.expected('an integer parameter');
      else tps.push(this.parseType(false));
    }
    this.expect(T_RPAREN, "')'");
    return this.T.target(name, tps, ints);
  }

  // ---------------------------------------------------------------------------------------------------
  // Attributes

  /** True when the current token starts an attribute (`noundef`, `#0`, `"key"="value"`). */
  atAttr(): boolean {
    const L = this.L;
    return (L.kind === T_IDENT && ATTR_WORDS.has(L.str)) || L.kind === T_ATTRGRPID || L.kind === T_STRING;
  }

  /**
   * Parses a run of attributes. `fnLevel` also accepts `#N` group references (function attributes).
   /// Attr ::= Word | Word '(' ... ')' | 'align' N | Word '(' Type ')' | STRING ('=' STRING)? | AttrGrpID
   */
  parseAttrs(fnLevel: boolean): AttrList {
    const L = this.L;
    let attrs: Attr[] | undefined;
    let groups: number[] | undefined;
    for (;;) {
      if (L.kind === T_IDENT) {
        if (!ATTR_WORDS.has(L.str)) break;
        (attrs ??= []).push(this.parseOneAttr());
      } else if (L.kind === T_STRING) {
        (attrs ??= []).push(this.parseStringAttr());
      } else if (L.kind === T_ATTRGRPID && fnLevel) {
        (groups ??= []).push(L.num);
        this.groupRefs.push(L.num, L.start);
        L.next();
      } else break;
    }
    if (attrs === undefined && groups === undefined) return NO_ATTRS;
    return { attrs: attrs ?? [], groups: groups ?? [] };
  }

  /** `"key"` or `"key"="value"`. */
  parseStringAttr(): Attr {
    const L = this.L;
    const name = L.str;
    L.next();
    if (L.kind === T_EQUAL) {
      L.next();
      const value = this.parseStringTok('an attribute value string');
      return { name: `"${name}"`, value };
    }
    return { name: `"${name}"` };
  }

  /** One keyword attribute with its argument, the current token being the keyword. */
  parseOneAttr(): Attr {
    const name = this.L.str;
    this.L.next();
    return this.parseAttrArgs(name);
  }

  /** The argument of keyword attribute `name`, whose keyword has been consumed. */
  private parseAttrArgs(name: string): Attr {
    const L = this.L;
    if (TYPE_ATTRS.has(name)) {
      if (L.kind !== T_LPAREN) {
        if (name === 'sret' || name === 'byval' || name === 'inalloca' || name === 'preallocated') {
          return { name }; // old form without type (refused by LLVM >= 15, kept lenient)
        }
        throw this.expected(`'(' after '${name}'`);
      }
      L.next();
      const type = this.parseType(false);
      this.expect(T_RPAREN, "')'");
      return { name, type };
    }
    if (L.kind === T_INT && INT_ATTRS.has(name)) {
      const value = L.tokText();
      this.parseUInt();
      return { name, value };
    }
    if (L.kind === T_LPAREN && PAREN_ATTRS.has(name)) {
      return { name, value: `(${this.skipParens()})` };
    }
    if (INT_ATTRS.has(name) && name !== 'align') throw this.expected(`an integer after '${name}'`);
    return { name };
  }

  /** The attribute list inside an attribute group `{ ... }` (current token after '{'). */
  parseAttrGroupBody(): Attr[] {
    const L = this.L;
    const attrs: Attr[] = [];
    for (;;) {
      if (L.kind === T_RBRACE) break;
      if (L.kind === T_STRING) attrs.push(this.parseStringAttr());
      else if (L.kind === T_IDENT) {
        const w = L.str;
        L.next();
        if (L.kind === T_EQUAL) {
          // `alignstack=16`, `align=8`: the group form of integer attributes.
          L.next();
          const value = L.kind === T_INT ? L.tokText() : '';
          this.parseUInt(`an integer after '${w}='`);
          attrs.push({ name: w, value });
        } else if (ATTR_WORDS.has(w)) attrs.push(this.parseAttrArgs(w));
        else if (L.kind === T_LPAREN) {
          // Unknown keyword attribute (newer LLVM): keep it, with its parenthesised argument.
          attrs.push({ name: w, value: `(${this.skipParens()})` });
        } else attrs.push({ name: w });
      } else throw this.expected("an attribute or '}'");
    }
    return attrs;
  }

  /** Optional `'(' ... ')'` skipped raw: used for syncscope-like keyword arguments. */
  parseOptStringParen(kw: string): string | undefined {
    if (!this.isKw(kw)) return undefined;
    this.L.next();
    this.expect(T_LPAREN, "'('");
    const s = this.parseStringTok();
    this.expect(T_RPAREN, "')'");
    return s;
  }

  /** `'align' N` with the keyword current. */
  parseAlignValue(): number {
    const L = this.L;
    L.next();
    if (L.kind === T_LPAREN) {
      L.next();
      const v = this.parseUInt('an alignment');
      this.expect(T_RPAREN, "')'");
      return v;
    }
    return this.parseUInt('an alignment');
  }

  /** Whether the current token could start a local name definition `%x =`. */
  atLocalName(): boolean {
    return this.L.kind === T_LOCALVAR || this.L.kind === T_LOCALID;
  }

  /** Raw text between two offsets. */
  raw(a: number, b: number): string {
    return this.L.src.slice(a, b);
  }
}
