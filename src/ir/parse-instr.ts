/**
 * @fileoverview Stage: ir. Parsing of instructions (every opcode of the LangRef) and their metadata
 * attachments.
 *
 * Consumes: tokens through ConstParser, inside a function body. Produces: `Instr` objects of the model with
 * `result` left undefined; the caller (parser.ts) binds the result name using `rtype`, the result type the
 * last parsed instruction produces. Opcode handling is grouped by instruction class in small methods.
 */
import {
  T_COMMA,
  T_DOTDOTDOT,
  T_IDENT,
  T_LOCALID,
  T_LOCALVAR,
  T_LPAREN,
  T_LSQUARE,
  T_METAID,
  T_METAVAR,
  T_RPAREN,
  T_RSQUARE,
  T_STRING,
} from './lexer.js';
import type {
  AllocaInstr,
  AtomicRMWInstr,
  AttrList,
  BinaryOp,
  Block,
  CallBrInstr,
  CallInstr,
  CastOp,
  CmpXchgInstr,
  Constant,
  DebugRecord,
  DebugRecordKind,
  Instr,
  InvokeInstr,
  LoadInstr,
  MetadataValue,
  OperandBundle,
  StoreInstr,
  Value,
} from './model.js';
import {
  ATOMIC_ORDERINGS,
  BINARY_OPS,
  CAST_OPS,
  CMP_PREDICATES,
  DEBUG_RECORD_KINDS,
  type AtomicOrdering,
} from './model.js';
import { isCallingConv } from './parse-base.js';
import { printType } from './print-text.js';
import { ConstParser, FAST_MATH_FLAGS, NO_FLAGS } from './parse-const.js';
import type { FuncType, Type } from './types.js';

const ORDERINGS: ReadonlySet<string> = new Set<AtomicOrdering>(ATOMIC_ORDERINGS);
const RECORD_KINDS: ReadonlyMap<string, DebugRecordKind> = new Map(DEBUG_RECORD_KINDS.map((k) => [k, k]));
const INT_FLAGS = new Set(['nuw', 'nsw', 'exact', 'disjoint', 'nneg', 'samesign']);

/** The fields of call, invoke and callbr, parsed by one routine. */
interface CallParts {
  tail: string | undefined;
  fastMath: readonly string[];
  callingConv: string | undefined;
  retAttrs: AttrList;
  addrSpace: number | undefined;
  funcType: FuncType;
  explicitFuncType: boolean;
  callee: Value;
  args: { value: Value; attrs: AttrList }[];
  fnAttrs: AttrList;
  bundles: OperandBundle[];
}

export class InstrParser extends ConstParser {
  /** Result type of the instruction just parsed (void when none). */
  rtype: Type = this.T.void;
  /** Set when an instruction consumed a ',' that turned out to start its metadata attachments. */
  extraComma = false;

  /** Parses one instruction whose opcode keyword is the current token. */
  // eslint-disable-next-line max-lines-per-function -- dispatch over every opcode (issue 11 allows it)
  parseInstr(): Instr {
    const L = this.L;
    if (L.kind !== T_IDENT) throw this.expected('an instruction opcode');
    const op = L.str;
    const off = L.start;
    L.next();
    this.rtype = this.T.void;
    switch (op) {
      case 'ret':
        return this.parseRet();
      case 'br':
        return this.parseBr();
      case 'switch':
        return this.parseSwitch();
      case 'indirectbr':
        return this.parseIndirectBr();
      case 'unreachable':
        return { result: undefined, dbg: -1, md: undefined, op: 'unreachable' };
      case 'resume':
        return { result: undefined, dbg: -1, md: undefined, op: 'resume', value: this.parseTypeAndValue() };
      case 'invoke':
        return this.parseInvoke();
      case 'callbr':
        return this.parseCallBr();
      case 'catchswitch':
        return this.parseCatchSwitch();
      case 'catchret':
      case 'cleanupret':
        return this.parseFuncletRet(op);
      case 'catchpad':
      case 'cleanuppad':
        return this.parseFuncletPad(op);
      case 'fneg': {
        const flags = this.parseFlags(FAST_MATH_FLAGS);
        const type = this.parseType(false);
        const operand = this.parseValue(type);
        this.rtype = type;
        return { result: undefined, dbg: -1, md: undefined, op, type, operand, flags };
      }
      case 'icmp':
      case 'fcmp':
        return this.parseCmp(op);
      case 'phi':
        return this.parsePhi();
      case 'select':
        return this.parseSelect();
      case 'freeze': {
        const operand = this.parseTypeAndValue();
        this.rtype = operand.type;
        return { result: undefined, dbg: -1, md: undefined, op, operand };
      }
      case 'va_arg': {
        const list = this.parseTypeAndValue();
        this.expect(T_COMMA, "','");
        const type = this.parseType(false);
        this.rtype = type;
        return { result: undefined, dbg: -1, md: undefined, op, list, type };
      }
      case 'landingpad':
        return this.parseLandingPad();
      case 'call':
        return this.parseCall(undefined);
      case 'tail':
      case 'musttail':
      case 'notail':
        this.expectKw('call');
        return this.parseCall(op);
      case 'alloca':
        return this.parseAlloca();
      case 'load':
        return this.parseLoad();
      case 'store':
        return this.parseStore();
      case 'fence': {
        const syncscope = this.parseOptStringParen('syncscope');
        const ordering = this.parseOrdering();
        return { result: undefined, dbg: -1, md: undefined, op, ordering, syncscope };
      }
      case 'cmpxchg':
        return this.parseCmpXchg();
      case 'atomicrmw':
        return this.parseAtomicRMW();
      case 'getelementptr':
        return this.parseGep();
      case 'extractelement': {
        const vector = this.parseTypeAndValue();
        this.expect(T_COMMA, "','");
        const index = this.parseTypeAndValue();
        if (vector.type.kind !== 'vector') throw this.err('extractelement operand is not a vector', off);
        this.rtype = vector.type.elem;
        return { result: undefined, dbg: -1, md: undefined, op, vector, index };
      }
      case 'insertelement': {
        const vector = this.parseTypeAndValue();
        this.expect(T_COMMA, "','");
        const element = this.parseTypeAndValue();
        this.expect(T_COMMA, "','");
        const index = this.parseTypeAndValue();
        if (vector.type.kind !== 'vector') throw this.err('insertelement operand is not a vector', off);
        this.rtype = vector.type;
        return { result: undefined, dbg: -1, md: undefined, op, vector, element, index };
      }
      case 'shufflevector':
        return this.parseShuffle(off);
      case 'extractvalue':
      case 'insertvalue':
        return this.parseAggregateOp(op, off);
    }
    if (BINARY_OPS.has(op)) {
      const flags = this.parseFlags(op.charCodeAt(0) === 102 /* f */ ? FAST_MATH_FLAGS : INT_FLAGS);
      const type = this.parseType(false);
      const lhs = this.parseValue(type);
      this.expect(T_COMMA, "','");
      const rhs = this.parseValue(type);
      this.rtype = type;
      return { result: undefined, dbg: -1, md: undefined, op: op as BinaryOp, type, lhs, rhs, flags };
    }
    if (CAST_OPS.has(op)) {
      const flags = this.parseCastFlags();
      const operand = this.parseTypeAndValue();
      this.expectKw('to');
      const type = this.parseType(false);
      this.rtype = type;
      return { result: undefined, dbg: -1, md: undefined, op: op as CastOp, operand, type, flags };
    }
    throw this.err(`unknown instruction '${op}'`, off);
  }

  /** Flag words from `set`, in any order. */
  private parseFlags(set: ReadonlySet<string>): readonly string[] {
    const L = this.L;
    if (L.kind !== T_IDENT || !set.has(L.str)) return NO_FLAGS;
    const flags: string[] = [];
    while (L.kind === T_IDENT && set.has(L.str)) {
      flags.push(L.str);
      L.next();
    }
    return flags;
  }

  /** Casts take nneg/nuw/nsw and fast-math flags. */
  private parseCastFlags(): readonly string[] {
    const L = this.L;
    if (L.kind !== T_IDENT) return NO_FLAGS;
    let flags: string[] | undefined;
    while (L.kind === T_IDENT && (INT_FLAGS.has(L.str) || FAST_MATH_FLAGS.has(L.str))) {
      (flags ??= []).push(L.str);
      L.next();
    }
    return flags ?? NO_FLAGS;
  }

  private parseOrdering(): AtomicOrdering {
    const L = this.L;
    if (L.kind !== T_IDENT || !ORDERINGS.has(L.str)) throw this.expected('an atomic ordering');
    const o = L.str as AtomicOrdering;
    L.next();
    return o;
  }

  /**
   * After an instruction's operands: `(',' 'align' N)?` style trailing options are handled by the
   * instruction; this eats a ',' and reports whether what follows is a metadata attachment.
   */
  private commaThenMetadata(): boolean {
    this.L.next(); // ','
    if (this.L.kind === T_METAVAR) {
      this.extraComma = true;
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------------
  // Terminators

  /// Ret ::= 'ret' 'void' | 'ret' TypeAndValue
  private parseRet(): Instr {
    const t = this.parseType(true);
    if (t.kind === 'void') return { result: undefined, dbg: -1, md: undefined, op: 'ret', value: undefined };
    return { result: undefined, dbg: -1, md: undefined, op: 'ret', value: this.parseValue(t) };
  }

  /// Br ::= 'br' 'label' LocalVar | 'br' TypeAndValue ',' 'label' LocalVar ',' 'label' LocalVar
  private parseBr(): Instr {
    const L = this.L;
    if (L.kind === T_IDENT && L.str === 'label') {
      L.next();
      const ifTrue = this.blockRef();
      return {
        result: undefined,
        dbg: -1,
        md: undefined,
        op: 'br',
        cond: undefined,
        ifTrue,
        ifFalse: undefined,
      };
    }
    const cond = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const ifTrue = this.parseLabelRef();
    this.expect(T_COMMA, "','");
    const ifFalse = this.parseLabelRef();
    return { result: undefined, dbg: -1, md: undefined, op: 'br', cond, ifTrue, ifFalse };
  }

  /// Switch ::= 'switch' TypeAndValue ',' 'label' LocalVar '[' (TypeAndValue ',' 'label' LocalVar)* ']'
  private parseSwitch(): Instr {
    const value = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const defaultBlock = this.parseLabelRef();
    this.expect(T_LSQUARE, "'['");
    const cases: { value: Constant & { kind: 'int' }; block: Block }[] = [];
    const L = this.L;
    while (L.kind !== T_RSQUARE) {
      const t = this.parseType(false);
      const off = L.start;
      const c = this.parseConst(t);
      if (c.kind !== 'int') throw this.err('switch case values must be integer constants', off);
      this.expect(T_COMMA, "','");
      cases.push({ value: c, block: this.parseLabelRef() });
    }
    L.next();
    return { result: undefined, dbg: -1, md: undefined, op: 'switch', value, defaultBlock, cases };
  }

  /// IndirectBr ::= 'indirectbr' TypeAndValue ',' '[' (LabelRef (',' LabelRef)*)? ']'
  private parseIndirectBr(): Instr {
    const address = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    this.expect(T_LSQUARE, "'['");
    const targets: Block[] = [];
    if (this.L.kind !== T_RSQUARE) {
      do targets.push(this.parseLabelRef());
      while (this.eat(T_COMMA));
    }
    this.expect(T_RSQUARE, "']'");
    return { result: undefined, dbg: -1, md: undefined, op: 'indirectbr', address, targets };
  }

  /// Invoke ::= 'invoke' CallParts 'to' LabelRef 'unwind' LabelRef
  private parseInvoke(): InvokeInstr {
    const c = this.parseCallParts(undefined, false);
    this.expectKw('to');
    const normal = this.parseLabelRef();
    this.expectKw('unwind');
    const unwind = this.parseLabelRef();
    return { result: undefined, dbg: -1, md: undefined, op: 'invoke', ...c, normal, unwind };
  }

  /// CallBr ::= 'callbr' CallParts 'to' LabelRef '[' (LabelRef (',' LabelRef)*)? ']'
  private parseCallBr(): CallBrInstr {
    const c = this.parseCallParts(undefined, false);
    this.expectKw('to');
    const fallthrough = this.parseLabelRef();
    this.expect(T_LSQUARE, "'['");
    const indirect: Block[] = [];
    if (this.L.kind !== T_RSQUARE) {
      do indirect.push(this.parseLabelRef());
      while (this.eat(T_COMMA));
    }
    this.expect(T_RSQUARE, "']'");
    return { result: undefined, dbg: -1, md: undefined, op: 'callbr', ...c, fallthrough, indirect };
  }

  /// CatchSwitch ::= 'catchswitch' 'within' Parent '[' LabelRef (',' LabelRef)* ']' 'unwind' ('to' 'caller' | LabelRef)
  private parseCatchSwitch(): Instr {
    this.expectKw('within');
    const parent = this.parseValue(this.T.token);
    this.expect(T_LSQUARE, "'['");
    const handlers: Block[] = [];
    do handlers.push(this.parseLabelRef());
    while (this.eat(T_COMMA));
    this.expect(T_RSQUARE, "']'");
    this.expectKw('unwind');
    let unwind: Block | undefined;
    if (this.eatKw('to')) this.expectKw('caller');
    else unwind = this.parseLabelRef();
    this.rtype = this.T.token;
    return { result: undefined, dbg: -1, md: undefined, op: 'catchswitch', parent, handlers, unwind };
  }

  /// CatchRet ::= 'catchret' 'from' Value 'to' LabelRef
  /// CleanupRet ::= 'cleanupret' 'from' Value 'unwind' ('to' 'caller' | LabelRef)
  private parseFuncletRet(op: 'catchret' | 'cleanupret'): Instr {
    this.expectKw('from');
    const pad = this.parseValue(this.T.token);
    if (op === 'catchret') {
      this.expectKw('to');
      const target = this.parseLabelRef();
      return { result: undefined, dbg: -1, md: undefined, op, pad, target };
    }
    this.expectKw('unwind');
    let unwind: Block | undefined;
    if (this.eatKw('to')) this.expectKw('caller');
    else unwind = this.parseLabelRef();
    return { result: undefined, dbg: -1, md: undefined, op, pad, unwind };
  }

  /// FuncletPad ::= ('catchpad'|'cleanuppad') 'within' Value '[' (TypeAndValue (',' TypeAndValue)*)? ']'
  private parseFuncletPad(op: 'catchpad' | 'cleanuppad'): Instr {
    this.expectKw('within');
    const parent = this.parseValue(this.T.token);
    this.expect(T_LSQUARE, "'['");
    const args: Value[] = [];
    if (this.L.kind !== T_RSQUARE) {
      do args.push(this.parseTypeAndValue());
      while (this.eat(T_COMMA));
    }
    this.expect(T_RSQUARE, "']'");
    this.rtype = this.T.token;
    return { result: undefined, dbg: -1, md: undefined, op, parent, args };
  }

  // ---------------------------------------------------------------------------------------------------
  // Other value-producing instructions

  /// Cmp ::= 'icmp' 'samesign'? Pred TypeAndValue ',' Value | 'fcmp' FastMathFlags Pred TypeAndValue ',' Value
  private parseCmp(op: 'icmp' | 'fcmp'): Instr {
    const L = this.L;
    const flags = this.parseFlags(op === 'icmp' ? INT_FLAGS : FAST_MATH_FLAGS);
    if (L.kind !== T_IDENT || !CMP_PREDICATES[op].has(L.str)) {
      throw this.expected(`an ${op} predicate`);
    }
    const pred = L.str;
    L.next();
    const opType = this.parseType(false);
    const lhs = this.parseValue(opType);
    this.expect(T_COMMA, "','");
    const rhs = this.parseValue(opType);
    this.rtype = opType.kind === 'vector' ? this.T.vector(this.T.i1, opType.len, opType.scalable) : this.T.i1;
    return { result: undefined, dbg: -1, md: undefined, op, pred, opType, lhs, rhs, flags };
  }

  /// Phi ::= 'phi' FastMathFlags Type '[' Value ',' LocalVar ']' (',' '[' Value ',' LocalVar ']')*
  private parsePhi(): Instr {
    const L = this.L;
    const flags = this.parseFlags(FAST_MATH_FLAGS);
    const type = this.parseType(false);
    const incoming: { value: Value; block: Block }[] = [];
    for (;;) {
      this.expect(T_LSQUARE, "'['");
      const value = this.parseValue(type);
      this.expect(T_COMMA, "','");
      const block = this.blockRef();
      this.expect(T_RSQUARE, "']'");
      incoming.push({ value, block });
      if (L.kind !== T_COMMA) break;
      if (this.commaThenMetadata()) break;
    }
    this.rtype = type;
    return { result: undefined, dbg: -1, md: undefined, op: 'phi', type, incoming, flags };
  }

  /// Select ::= 'select' FastMathFlags TypeAndValue ',' TypeAndValue ',' TypeAndValue
  private parseSelect(): Instr {
    const flags = this.parseFlags(FAST_MATH_FLAGS);
    const cond = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const ifTrue = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const ifFalse = this.parseTypeAndValue();
    if (ifTrue.type !== ifFalse.type) throw this.err('select operands have different types');
    this.rtype = ifTrue.type;
    return { result: undefined, dbg: -1, md: undefined, op: 'select', cond, ifTrue, ifFalse, flags };
  }

  /// LandingPad ::= 'landingpad' Type 'cleanup'? (('catch' | 'filter') TypeAndValue)*
  private parseLandingPad(): Instr {
    const L = this.L;
    const type = this.parseType(false);
    const cleanup = this.eatKw('cleanup');
    const clauses: { kind: 'catch' | 'filter'; value: Value }[] = [];
    while (L.kind === T_IDENT && (L.str === 'catch' || L.str === 'filter')) {
      const kind = L.str;
      L.next();
      clauses.push({ kind, value: this.parseTypeAndValue() });
    }
    this.rtype = type;
    return { result: undefined, dbg: -1, md: undefined, op: 'landingpad', type, cleanup, clauses };
  }

  /// ShuffleVector ::= 'shufflevector' TypeAndValue ',' TypeAndValue ',' TypeAndValue
  private parseShuffle(off: number): Instr {
    const a = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const b = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const mt = this.parseType(false);
    const maskOff = this.L.start;
    const maskValue = this.parseConst(mt);
    if (a.type.kind !== 'vector' || mt.kind !== 'vector')
      throw this.err('shufflevector operands must be vectors', off);
    if (mt.len > 1 << 20) throw this.err('shufflevector mask too long', maskOff);
    const mask = shuffleMask(maskValue, mt.len);
    if (mask === undefined)
      throw this.err('shufflevector mask must be a constant vector of integers', maskOff);
    const type = this.T.vector(a.type.elem, mt.len, mt.scalable);
    this.rtype = type;
    return { result: undefined, dbg: -1, md: undefined, op: 'shufflevector', a, b, mask, maskValue, type };
  }

  /// ExtractValue ::= 'extractvalue' TypeAndValue (',' uint)+
  /// InsertValue ::= 'insertvalue' TypeAndValue ',' TypeAndValue (',' uint)+
  private parseAggregateOp(op: 'extractvalue' | 'insertvalue', off: number): Instr {
    const L = this.L;
    const aggregate = this.parseTypeAndValue();
    let element: Value | undefined;
    if (op === 'insertvalue') {
      this.expect(T_COMMA, "','");
      element = this.parseTypeAndValue();
    }
    const indices: number[] = [];
    while (L.kind === T_COMMA) {
      if (this.commaThenMetadata()) break;
      indices.push(this.parseUInt('an aggregate index'));
    }
    if (indices.length === 0) throw this.expected("',' and an index");
    let t: Type = aggregate.type;
    for (const i of indices) {
      if (t.kind === 'struct' && !t.opaque) {
        if (i >= t.fields.length) throw this.err(`index ${i} out of range for ${printType(t)}`, off);
        t = t.fields[i];
      } else if (t.kind === 'array') {
        if (i >= t.len) throw this.err(`index ${i} out of range for ${printType(t)}`, off);
        t = t.elem;
      } else throw this.err(`${op} into a non-aggregate type ${printType(t)}`, off);
    }
    if (op === 'extractvalue') {
      this.rtype = t;
      return { result: undefined, dbg: -1, md: undefined, op, aggregate, indices, type: t };
    }
    if (element!.type !== t)
      throw this.err(`inserted value has type ${printType(element!.type)}, expected ${printType(t)}`, off);
    this.rtype = aggregate.type;
    return { result: undefined, dbg: -1, md: undefined, op, aggregate, element: element!, indices };
  }

  // ---------------------------------------------------------------------------------------------------
  // Memory

  /// Alloca ::= 'alloca' 'inalloca'? 'swifterror'? Type (',' TypeAndValue)? (',' 'align' N)? (',' 'addrspace' '(' N ')')?
  private parseAlloca(): AllocaInstr {
    const L = this.L;
    const inalloca = this.eatKw('inalloca');
    this.eatKw('swifterror');
    const allocType = this.parseType(false);
    let count: Value | undefined;
    let align = 0;
    let addrSpace = 0;
    while (L.kind === T_COMMA) {
      if (this.commaThenMetadata()) break;
      if (L.kind === T_IDENT && L.str === 'align') align = this.parseAlignValue();
      else if (L.kind === T_IDENT && L.str === 'addrspace') addrSpace = this.parseOptAddrSpace();
      else if (count === undefined && align === 0) count = this.parseTypeAndValue();
      else throw this.expected("'align', 'addrspace' or metadata");
    }
    this.rtype = this.T.pointer(addrSpace);
    return {
      result: undefined,
      dbg: -1,
      md: undefined,
      op: 'alloca',
      allocType,
      count,
      align,
      addrSpace,
      inalloca,
    };
  }

  /** `(',' 'align' N)?` then possibly metadata. */
  private parseTrailingAlign(): number {
    const L = this.L;
    let align = 0;
    while (L.kind === T_COMMA) {
      if (this.commaThenMetadata()) break;
      if (L.kind === T_IDENT && L.str === 'align') align = this.parseAlignValue();
      else throw this.expected("'align' or metadata");
    }
    return align;
  }

  /// Load ::= 'load' 'atomic'? 'volatile'? Type ',' TypeAndValue SyncScope? Ordering? (',' 'align' N)?
  private parseLoad(): LoadInstr {
    const atomic = this.eatKw('atomic');
    const isVolatile = this.eatKw('volatile');
    const type = this.parseType(false);
    this.expect(T_COMMA, "','");
    const ptr = this.parseTypeAndValue();
    let syncscope: string | undefined;
    let ordering: AtomicOrdering | undefined;
    if (atomic) {
      syncscope = this.parseOptStringParen('syncscope');
      ordering = this.parseOrdering();
    }
    const align = this.parseTrailingAlign();
    this.rtype = type;
    return {
      result: undefined,
      dbg: -1,
      md: undefined,
      op: 'load',
      type,
      ptr,
      align,
      volatile: isVolatile,
      ordering,
      syncscope,
    };
  }

  /// Store ::= 'store' 'atomic'? 'volatile'? TypeAndValue ',' TypeAndValue SyncScope? Ordering? (',' 'align' N)?
  private parseStore(): StoreInstr {
    const atomic = this.eatKw('atomic');
    const isVolatile = this.eatKw('volatile');
    const value = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const ptr = this.parseTypeAndValue();
    let syncscope: string | undefined;
    let ordering: AtomicOrdering | undefined;
    if (atomic) {
      syncscope = this.parseOptStringParen('syncscope');
      ordering = this.parseOrdering();
    }
    const align = this.parseTrailingAlign();
    return {
      result: undefined,
      dbg: -1,
      md: undefined,
      op: 'store',
      value,
      ptr,
      align,
      volatile: isVolatile,
      ordering,
      syncscope,
    };
  }

  /// CmpXchg ::= 'cmpxchg' 'weak'? 'volatile'? TypeAndValue ',' TypeAndValue ',' TypeAndValue SyncScope?
  ///             Ordering Ordering (',' 'align' N)?
  private parseCmpXchg(): CmpXchgInstr {
    const weak = this.eatKw('weak');
    const isVolatile = this.eatKw('volatile');
    const ptr = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const cmp = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const newValue = this.parseTypeAndValue();
    if (cmp.type !== newValue.type) throw this.err('cmpxchg operands have different types');
    const syncscope = this.parseOptStringParen('syncscope');
    const successOrdering = this.parseOrdering();
    const failureOrdering = this.parseOrdering();
    const align = this.parseTrailingAlign();
    this.rtype = this.T.struct([cmp.type, this.T.i1]);
    return {
      result: undefined,
      dbg: -1,
      md: undefined,
      op: 'cmpxchg',
      ptr,
      cmp,
      newValue,
      weak,
      volatile: isVolatile,
      successOrdering,
      failureOrdering,
      syncscope,
      align,
    };
  }

  /// AtomicRMW ::= 'atomicrmw' 'volatile'? Op TypeAndValue ',' TypeAndValue SyncScope? Ordering (',' 'align' N)?
  private parseAtomicRMW(): AtomicRMWInstr {
    const L = this.L;
    const isVolatile = this.eatKw('volatile');
    if (L.kind !== T_IDENT) throw this.expected('an atomicrmw operation');
    const rmwOp = L.str;
    L.next();
    const ptr = this.parseTypeAndValue();
    this.expect(T_COMMA, "','");
    const value = this.parseTypeAndValue();
    const syncscope = this.parseOptStringParen('syncscope');
    const ordering = this.parseOrdering();
    const align = this.parseTrailingAlign();
    this.rtype = value.type;
    return {
      result: undefined,
      dbg: -1,
      md: undefined,
      op: 'atomicrmw',
      rmwOp,
      ptr,
      value,
      volatile: isVolatile,
      ordering,
      syncscope,
      align,
    };
  }

  /// Gep ::= 'getelementptr' ('inbounds'|'nusw'|'nuw')* Type ',' TypeAndValue (',' TypeAndValue)*
  private parseGep(): Instr {
    const L = this.L;
    let flags: string[] | undefined;
    while (L.kind === T_IDENT && (L.str === 'inbounds' || L.str === 'nusw' || L.str === 'nuw')) {
      (flags ??= []).push(L.str);
      L.next();
    }
    const srcType = this.parseType(false);
    this.expect(T_COMMA, "','");
    const ptr = this.parseTypeAndValue();
    const indices: Value[] = [];
    while (L.kind === T_COMMA) {
      if (this.commaThenMetadata()) break;
      indices.push(this.parseTypeAndValue());
    }
    const type = this.gepIndicesResult(ptr.type, indices);
    this.rtype = type;
    return {
      result: undefined,
      dbg: -1,
      md: undefined,
      op: 'getelementptr',
      srcType,
      ptr,
      indices,
      flags: flags ?? NO_FLAGS,
      type,
    };
  }

  private gepIndicesResult(base: Type, indices: readonly Value[]): Type {
    if (base.kind === 'vector') return base;
    if (base.kind !== 'ptr') throw this.err('getelementptr base is not a pointer');
    for (const ix of indices) {
      const t = ix.type;
      if (t.kind === 'vector') return this.T.vector(base, t.len, t.scalable);
    }
    return base;
  }

  // ---------------------------------------------------------------------------------------------------
  // Calls

  /// Call ::= ('tail'|'musttail'|'notail')? 'call' CallParts
  private parseCall(tail: string | undefined): CallInstr {
    const c = this.parseCallParts(tail, true);
    return { result: undefined, dbg: -1, md: undefined, op: 'call', ...c };
  }

  /// CallParts ::= FastMathFlags? CallingConv? RetAttrs AddrSpace? Type Callee '(' Args ')' FnAttrs Bundles?
  private parseCallParts(tail: string | undefined, allowFmf: boolean): CallParts {
    const L = this.L;
    const fastMath = allowFmf ? this.parseFlags(FAST_MATH_FLAGS) : NO_FLAGS;
    const callingConv = this.parseOptCallingConv();
    const retAttrs = this.parseAttrs(false);
    let addrSpace: number | undefined;
    if (L.kind === T_IDENT && L.str === 'addrspace') addrSpace = this.parseOptAddrSpace();
    const tyOff = L.start;
    const ty = this.parseType(true);
    let callee: Value | undefined;
    let asmFlags: { asm: string; constraints: string; flags: readonly string[] } | undefined;
    if (L.kind === T_IDENT && L.str === 'asm') {
      asmFlags = this.parseInlineAsm(undefined);
    } else {
      callee = this.parseValue(addrSpace === undefined ? this.T.ptr : this.T.pointer(addrSpace));
    }
    this.expect(T_LPAREN, "'(' to start the call arguments");
    const args: { value: Value; attrs: AttrList }[] = [];
    if (L.kind !== T_RPAREN) {
      for (;;) {
        if (L.kind === T_DOTDOTDOT) {
          L.next(); // musttail forwarding of varargs
          break;
        }
        const at = this.parseType(false);
        const attrs = this.parseAttrs(false);
        args.push({ value: this.parseValue(at), attrs });
        if (!this.eat(T_COMMA)) break;
      }
    }
    this.expect(T_RPAREN, "')' to end the call arguments");
    let funcType: FuncType;
    const explicitFuncType = ty.kind === 'func';
    if (ty.kind === 'func') {
      funcType = ty;
      const np = ty.params.length;
      if (args.length < np || (!ty.varargs && args.length > np)) {
        throw this.err(
          `call has ${args.length} arguments, function type ${printType(ty)} takes ${np}`,
          tyOff,
        );
      }
    } else {
      // Reuse the callee's own type when it matches (the common case), else intern a new one.
      const ct = callee !== undefined && callee.kind === 'function' ? callee.funcType : undefined;
      if (ct !== undefined && ct.ret === ty && !ct.varargs && sameTypes(ct.params, args)) funcType = ct;
      else {
        funcType = this.T.func(
          ty,
          args.map((a) => a.value.type),
          false,
        );
      }
    }
    if (asmFlags !== undefined) callee = { ...asmFlags, kind: 'asm', type: funcType };
    const fnAttrs = this.parseAttrs(true);
    const bundles = L.kind === T_LSQUARE ? this.parseBundles() : NO_BUNDLES;
    this.rtype = funcType.ret;
    return {
      tail,
      fastMath,
      callingConv,
      retAttrs,
      addrSpace,
      funcType,
      explicitFuncType,
      callee: callee!,
      args,
      fnAttrs,
      bundles: bundles as OperandBundle[],
    };
  }

  /// CallingConv ::= 'ccc' | 'fastcc' | ... | 'cc' UINT
  parseOptCallingConv(): string | undefined {
    const L = this.L;
    if (L.kind !== T_IDENT) return undefined;
    const w = L.str;
    if (w === 'cc') {
      L.next();
      return `cc ${this.parseUInt('a calling convention number')}`;
    }
    if (!isCallingConv(w)) return undefined;
    L.next();
    return w;
  }

  /// Bundles ::= '[' STRING '(' (TypeAndValue (',' TypeAndValue)*)? ')' (',' ...)* ']'
  private parseBundles(): OperandBundle[] {
    const L = this.L;
    L.next();
    const out: OperandBundle[] = [];
    for (;;) {
      if (L.kind !== T_STRING) throw this.expected('an operand bundle tag');
      const tag = L.str;
      L.next();
      this.expect(T_LPAREN, "'('");
      const inputs: Value[] = [];
      if (L.kind !== T_RPAREN) {
        do inputs.push(this.parseTypeAndValue());
        while (this.eat(T_COMMA));
      }
      this.expect(T_RPAREN, "')'");
      out.push({ tag, inputs });
      if (!this.eat(T_COMMA)) break;
    }
    this.expect(T_RSQUARE, "']'");
    return out;
  }

  // ---------------------------------------------------------------------------------------------------
  // Metadata attachments

  /**
   * Parses `(',' MetadataAttachment)*` after an instruction and stores `!dbg` in `dbg`, the rest as raw
   * text in `md`.
   */
  parseInstrAttachments(ins: Instr): void {
    const L = this.L;
    if (!this.extraComma) {
      if (L.kind !== T_COMMA) return;
      L.next();
    }
    this.extraComma = false;
    let md: string | undefined;
    for (;;) {
      if (L.kind !== T_METAVAR) throw this.expected('a metadata attachment (!name !N)');
      const nameStart = L.start;
      const name = L.str;
      L.next();
      if (name === 'dbg' && L.kind === T_METAID) {
        ins.dbg = L.num;
        this.mdRefs.push(L.num, L.start);
        L.next();
      } else {
        if (L.kind === T_METAID) this.mdRefs.push(L.num, L.start);
        const end = L.scanMetadataNode(L.start);
        const text = L.src.slice(nameStart, end);
        md = md === undefined ? `, ${text}` : `${md}, ${text}`;
        L.resetTo(end);
      }
      if (L.kind !== T_COMMA) break;
      L.next();
    }
    ins.md = md;
  }

  /// DebugRecord ::= '#dbg_value' '(' Metadata ',' MDNode ',' MDNode ',' MDNode ')'
  ///               | '#dbg_declare' '(' Metadata ',' MDNode ',' MDNode ',' MDNode ')'
  ///               | '#dbg_assign' '(' Metadata ',' MDNode ',' MDNode ',' MDNode ',' Metadata ',' MDNode ','
  ///                                   MDNode ')'
  ///               | '#dbg_label' '(' MDNode ',' MDNode ')'
  parseDebugRecord(): DebugRecord {
    const L = this.L;
    const name = L.str;
    const kind = name.startsWith('dbg_') ? RECORD_KINDS.get(name.slice(4)) : undefined;
    if (kind === undefined) throw this.err(`unknown debug record '#${name}'`);
    L.next();
    this.expect(T_LPAREN, "'(' after a debug record");
    const n = kind === 'assign' ? 7 : kind === 'label' ? 2 : 4;
    const ops: MetadataValue[] = [];
    for (let i = 0; i < n; i++) {
      if (i > 0) this.expect(T_COMMA, `',' in #${name}`);
      ops.push(this.parseMetadataOperand(this.T.metadata));
    }
    this.expect(T_RPAREN, `')' after the operands of #${name}`);
    return { kind, ops };
  }

  /** True when the current token is a local name (for `%x = ...`). */
  atResultName(): boolean {
    return this.L.kind === T_LOCALVAR || this.L.kind === T_LOCALID;
  }

  /** True when the current token is a `!N` metadata reference. */
  atMetaId(): boolean {
    return this.L.kind === T_METAID;
  }
}

function sameTypes(params: readonly Type[], args: readonly { value: Value }[]): boolean {
  if (params.length !== args.length) return false;
  for (let i = 0; i < params.length; i++) if (params[i] !== args[i].value.type) return false;
  return true;
}

const NO_BUNDLES: readonly OperandBundle[] = Object.freeze([]) as readonly OperandBundle[];

/** The lanes of a shufflevector mask constant (-1 for undef/poison lanes), or undefined if malformed. */
function shuffleMask(c: Constant, len: number): number[] | undefined {
  const out = new Array<number>(len);
  switch (c.kind) {
    case 'zero':
      return out.fill(0);
    case 'undef':
    case 'poison':
      return out.fill(-1);
    case 'vector':
      for (let i = 0; i < len; i++) {
        const e = c.elems[i];
        if (e.kind === 'int') out[i] = Number(e.value);
        else if (e.kind === 'undef' || e.kind === 'poison') out[i] = -1;
        else return undefined;
      }
      return out;
    case 'splat':
      if (c.elem.kind === 'int') return out.fill(Number(c.elem.value));
      return c.elem.kind === 'undef' || c.elem.kind === 'poison' ? out.fill(-1) : undefined;
  }
  return undefined;
}
