/**
 * @fileoverview Stage: ir. The in-memory model of an LLVM module: globals, functions, blocks, instructions,
 * constants and SSA values.
 *
 * Consumes: types from ./types. Produces: the data structures the parser builds and every later stage
 * (printer, data layout, engine, generation, replay) reads. The model is plain data: no behaviour beyond a
 * few helpers, so it can be walked, printed and compiled without surprises.
 *
 * Design:
 * - An SSA value local to a function (`Local`) is one object per value shared by all its uses; its `id` is a
 *   dense index into `Func.locals`, which the engine uses for variable names.
 * - Globals, functions, aliases and ifuncs are themselves values (they are addresses); a reference to `@x`
 *   is the `GlobalValue` object itself. Forward references are resolved by the parser at the end of the
 *   module, so the model never holds placeholders.
 * - Constants are immutable objects; integers hold `bigint`, floats hold their raw IEEE/x87 bit pattern.
 * - Metadata is kept only as far as later stages need it: debug locations (`Instr.dbg`, resolved to file
 *   and line on demand through `Module.metadata`) and the raw text of metadata definitions and attachments
 *   so that the printer can write a module that `llvm-as` accepts.
 */
import type { FuncType, Type, TypeContext } from './types.js';

// ---------------------------------------------------------------------------------------------------
// Values

/** An SSA value defined inside a function: a parameter or an instruction result. */
export interface Local {
  readonly kind: 'local';
  /** Dense index into `Func.locals`. */
  readonly id: number;
  /** Source name without `%` (`"0"`, `"x.addr"`), or undefined for an unnamed value printed by number. */
  name: string | undefined;
  type: Type;
}

export interface ConstInt {
  readonly kind: 'int';
  readonly type: Type; // IntType, or a vector type for a splat `<N x iM> splat (iM c)`
  /** The value, normalised to the unsigned range [0, 2^bits). */
  readonly value: bigint;
}
export interface ConstFloat {
  readonly kind: 'float';
  readonly type: Type;
  /** Raw bit pattern of the value in its own format (64 bits for double, 80 for x86_fp80, ...). */
  readonly bits: bigint;
}
/** null, undef, poison, zeroinitializer, `none` (token) */
export interface ConstSimple {
  readonly kind: 'null' | 'undef' | 'poison' | 'zero' | 'none';
  readonly type: Type;
}
export interface ConstAggregate {
  readonly kind: 'array' | 'struct' | 'vector';
  readonly type: Type;
  readonly elems: readonly Constant[];
}
/** `c"..."`: an array of i8 given as bytes. */
export interface ConstString {
  readonly kind: 'string';
  readonly type: Type;
  readonly bytes: Uint8Array;
}
/** A vector splat constant `splat (T c)` (LLVM 19+ syntax). */
export interface ConstSplat {
  readonly kind: 'splat';
  readonly type: Type;
  readonly elem: Constant;
}
/** A constant expression: a cast, getelementptr, binary op, compare, etc. applied to constants. */
export interface ConstExpr {
  readonly kind: 'expr';
  readonly type: Type;
  readonly op: Opcode;
  readonly operands: readonly Constant[];
  /** nuw/nsw/exact/inbounds/nusw... flags as printed. */
  readonly flags: readonly string[];
  /** getelementptr: the source element type. */
  readonly srcType?: Type;
  /** getelementptr: `inrange(a, b)` on the pointer (LLVM 19) or old-style inrange index. */
  readonly inrange?: string;
  /** icmp/fcmp predicate (`ICmpPredicate`, `FCmpPredicate`). */
  readonly pred?: string;
}
export interface ConstBlockAddress {
  readonly kind: 'blockaddress';
  readonly type: Type;
  readonly func: GlobalValue;
  /** Resolved by the parser at the end of the module. */
  block: Block | undefined;
  /** The label as written, for resolution and error messages. */
  readonly label: string;
}
/** `dso_local_equivalent @f` and `no_cfi @f`. */
export interface ConstFuncWrapper {
  readonly kind: 'dso_local_equivalent' | 'no_cfi';
  readonly type: Type;
  readonly func: GlobalValue;
}

export type Constant =
  | ConstInt
  | ConstFloat
  | ConstSimple
  | ConstAggregate
  | ConstString
  | ConstSplat
  | ConstExpr
  | ConstBlockAddress
  | ConstFuncWrapper
  | GlobalValue;

/**
 * A metadata operand of a call (`metadata !12`, `metadata i32 %x`) or of a debug record, kept as raw text.
 */
export interface MetadataValue {
  readonly kind: 'metadata';
  readonly type: Type;
  readonly text: string;
  /**
   * For a value wrapped as metadata (`metadata ptr %x`, `metadata i32 7`): the value itself (its type is
   * `value.type`), so that renumbering printers and use analyses see it. Undefined for metadata nodes (`!5`,
   * `!DIExpression()`), whose only form is `text`.
   */
  readonly value?: Value;
  /** For `!DIArgList(i32 %a, i32 %b)`: the values of the list, for the same reason. */
  readonly args?: readonly Value[];
}
/** An inline assembly callee: `asm sideeffect "...", "..."`. */
export interface InlineAsm {
  readonly kind: 'asm';
  readonly type: Type;
  readonly asm: string;
  readonly constraints: string;
  readonly flags: readonly string[];
}

export type Value = Local | Constant | MetadataValue | InlineAsm;

// ---------------------------------------------------------------------------------------------------
// Attributes

/**
 * One attribute: `noundef`, `align 8`, `byval(%struct.S)`, `memory(argmem: read)`, `"frame-pointer"="all"`.
 * `value` holds the parenthesised or numeric argument; `type` the type argument of byval/sret/byref/
 * inalloca/preallocated/elementtype.
 */
export interface Attr {
  readonly name: string;
  readonly value?: string;
  readonly type?: Type;
}
/** An attribute list: inline attributes and references to attribute groups (`#0`). */
export interface AttrList {
  readonly attrs: readonly Attr[];
  readonly groups: readonly number[];
}
export const NO_ATTRS: AttrList = Object.freeze({ attrs: [], groups: [] });

/** Whether a list has the attribute `name`, inline or through one of the module's attribute groups. */
export function hasAttribute(m: Module, l: AttrList, name: string): boolean {
  return (
    l.attrs.some((a) => a.name === name) ||
    l.groups.some((g) => (m.attrGroups.get(g) ?? []).some((a) => a.name === name))
  );
}

// ---------------------------------------------------------------------------------------------------
// Instructions

/** Binary operators (integer, then floating point), in LangRef order. */
export const BINARY_OPCODES = [
  'add',
  'sub',
  'mul',
  'udiv',
  'sdiv',
  'urem',
  'srem',
  'shl',
  'lshr',
  'ashr',
  'and',
  'or',
  'xor',
  'fadd',
  'fsub',
  'fmul',
  'fdiv',
  'frem',
] as const;
export type BinaryOp = (typeof BINARY_OPCODES)[number];
/** Conversion operators, in LangRef order. */
export const CAST_OPCODES = [
  'trunc',
  'zext',
  'sext',
  'fptrunc',
  'fpext',
  'fptoui',
  'fptosi',
  'uitofp',
  'sitofp',
  'ptrtoint',
  'inttoptr',
  'bitcast',
  'addrspacecast',
] as const;
export type CastOp = (typeof CAST_OPCODES)[number];
export type Opcode =
  | BinaryOp
  | CastOp
  | 'fneg'
  | 'ret'
  | 'br'
  | 'switch'
  | 'indirectbr'
  | 'invoke'
  | 'callbr'
  | 'resume'
  | 'catchswitch'
  | 'catchret'
  | 'cleanupret'
  | 'unreachable'
  | 'extractelement'
  | 'insertelement'
  | 'shufflevector'
  | 'extractvalue'
  | 'insertvalue'
  | 'alloca'
  | 'load'
  | 'store'
  | 'fence'
  | 'cmpxchg'
  | 'atomicrmw'
  | 'getelementptr'
  | 'icmp'
  | 'fcmp'
  | 'phi'
  | 'select'
  | 'freeze'
  | 'call'
  | 'va_arg'
  | 'landingpad'
  | 'catchpad'
  | 'cleanuppad';

export const BINARY_OPS: ReadonlySet<string> = new Set<BinaryOp>(BINARY_OPCODES);
export const CAST_OPS: ReadonlySet<string> = new Set<CastOp>(CAST_OPCODES);

/** icmp predicates, in LangRef order. */
export const ICMP_PREDICATES = ['eq', 'ne', 'ugt', 'uge', 'ult', 'ule', 'sgt', 'sge', 'slt', 'sle'] as const;
export type ICmpPredicate = (typeof ICMP_PREDICATES)[number];
/** fcmp predicates, in LangRef order (`o`: ordered, `u`: unordered or ...). */
export const FCMP_PREDICATES = [
  'false',
  'oeq',
  'ogt',
  'oge',
  'olt',
  'ole',
  'one',
  'ord',
  'ueq',
  'ugt',
  'uge',
  'ult',
  'ule',
  'une',
  'uno',
  'true',
] as const;
export type FCmpPredicate = (typeof FCMP_PREDICATES)[number];
/** The predicates each comparison accepts, for parsing. */
export const CMP_PREDICATES: Readonly<Record<'icmp' | 'fcmp', ReadonlySet<string>>> = {
  icmp: new Set<ICmpPredicate>(ICMP_PREDICATES),
  fcmp: new Set<FCmpPredicate>(FCMP_PREDICATES),
};

/** Atomic memory orderings (LangRef "Atomic Memory Ordering Constraints"), weakest first. */
export const ATOMIC_ORDERINGS = [
  'unordered',
  'monotonic',
  'acquire',
  'release',
  'acq_rel',
  'seq_cst',
] as const;
export type AtomicOrdering = (typeof ATOMIC_ORDERINGS)[number];

/** Fields every instruction has. */
interface InstrBase {
  /** The value this instruction defines, or undefined (void result, store, br, ...). */
  result: Local | undefined;
  /** Debug location metadata id (`!dbg !N`), or -1. */
  dbg: number;
  /** Other metadata attachments as raw text (`, !tbaa !5, !range !7`), or undefined. Kept for printing. */
  md: string | undefined;
  /**
   * Debug records written just before this instruction (`#dbg_value(ptr %3, !12, !DIExpression(), !14)`),
   * or undefined (always, for IR without them). A block ends with its terminator, so every record
   * precedes an instruction. Not instructions: the engine and generation never look at
   * them; src/ir/debuginfo.ts reads them.
   */
  dbgRecords?: DebugRecord[];
}

/** The debug record kinds of LLVM 19 (`#dbg_value`, ...), without the `#dbg_` prefix. */
export const DEBUG_RECORD_KINDS = ['value', 'declare', 'assign', 'label'] as const;
export type DebugRecordKind = (typeof DEBUG_RECORD_KINDS)[number];

/**
 * One debug record (LangRef "Debug Records"). `ops` are its operands in the order written, each a
 * `MetadataValue`:
 * - `#dbg_value` and `#dbg_declare`: value (`ptr %3`, `i32 0`, `!DIArgList(...)`, `!{}`), variable
 *   (`!12`, a DILocalVariable), expression (`!DIExpression(...)`), location (`!14`, a DILocation);
 * - `#dbg_assign`: value, variable, expression, DIAssignID (`!15`), address (`ptr %x`), address
 *   expression, location;
 * - `#dbg_label`: label (a DILabel), location.
 */
export interface DebugRecord {
  readonly kind: DebugRecordKind;
  readonly ops: readonly MetadataValue[];
}

/** Binary arithmetic and bitwise ops. flags: nuw, nsw, exact, disjoint, and fast-math flags. */
export interface BinaryInstr extends InstrBase {
  readonly op: BinaryOp;
  readonly type: Type;
  readonly lhs: Value;
  readonly rhs: Value;
  readonly flags: readonly string[];
}
export interface FNegInstr extends InstrBase {
  readonly op: 'fneg';
  readonly type: Type;
  readonly operand: Value;
  readonly flags: readonly string[];
}
/** Casts. flags: nneg (zext, uitofp), nuw/nsw (trunc), fast-math flags (fp casts). */
export interface CastInstr extends InstrBase {
  readonly op: CastOp;
  readonly operand: Value;
  /** Destination type (the result type). */
  readonly type: Type;
  readonly flags: readonly string[];
}
export interface CmpInstr extends InstrBase {
  readonly op: 'icmp' | 'fcmp';
  /** An `ICmpPredicate` (icmp) or `FCmpPredicate` (fcmp). */
  readonly pred: string;
  /** Operand type; the result type is i1 or <N x i1>. */
  readonly opType: Type;
  readonly lhs: Value;
  readonly rhs: Value;
  /** fast-math flags (fcmp), `samesign` (icmp). */
  readonly flags: readonly string[];
}
export interface SelectInstr extends InstrBase {
  readonly op: 'select';
  readonly cond: Value;
  readonly ifTrue: Value;
  readonly ifFalse: Value;
  readonly flags: readonly string[];
}
export interface PhiInstr extends InstrBase {
  readonly op: 'phi';
  readonly type: Type;
  readonly incoming: { value: Value; block: Block }[];
  readonly flags: readonly string[];
}
export interface FreezeInstr extends InstrBase {
  readonly op: 'freeze';
  readonly operand: Value;
}
export interface AllocaInstr extends InstrBase {
  readonly op: 'alloca';
  readonly allocType: Type;
  /** Element count operand (default i32 1). */
  readonly count: Value | undefined;
  readonly align: number;
  readonly addrSpace: number;
  readonly inalloca: boolean;
}
export interface LoadInstr extends InstrBase {
  readonly op: 'load';
  readonly type: Type;
  readonly ptr: Value;
  readonly align: number;
  readonly volatile: boolean;
  /** Atomic ordering (unordered, monotonic, acquire, seq_cst) or undefined. */
  readonly ordering: AtomicOrdering | undefined;
  readonly syncscope: string | undefined;
}
export interface StoreInstr extends InstrBase {
  readonly op: 'store';
  readonly value: Value;
  readonly ptr: Value;
  readonly align: number;
  readonly volatile: boolean;
  readonly ordering: AtomicOrdering | undefined;
  readonly syncscope: string | undefined;
}
export interface FenceInstr extends InstrBase {
  readonly op: 'fence';
  readonly ordering: AtomicOrdering;
  readonly syncscope: string | undefined;
}
export interface CmpXchgInstr extends InstrBase {
  readonly op: 'cmpxchg';
  readonly ptr: Value;
  readonly cmp: Value;
  readonly newValue: Value;
  readonly weak: boolean;
  readonly volatile: boolean;
  readonly successOrdering: AtomicOrdering;
  readonly failureOrdering: AtomicOrdering;
  readonly syncscope: string | undefined;
  readonly align: number;
}
export interface AtomicRMWInstr extends InstrBase {
  readonly op: 'atomicrmw';
  /** xchg add sub and nand or xor max min umax umin fadd fsub fmax fmin uinc_wrap udec_wrap ... */
  readonly rmwOp: string;
  readonly ptr: Value;
  readonly value: Value;
  readonly volatile: boolean;
  readonly ordering: AtomicOrdering;
  readonly syncscope: string | undefined;
  readonly align: number;
}
export interface GepInstr extends InstrBase {
  readonly op: 'getelementptr';
  readonly srcType: Type;
  readonly ptr: Value;
  readonly indices: readonly Value[];
  /** inbounds, nusw, nuw, and inrange(...) as written. */
  readonly flags: readonly string[];
  /** Result type: ptr or a vector of ptr. */
  readonly type: Type;
}
export interface ExtractElementInstr extends InstrBase {
  readonly op: 'extractelement';
  readonly vector: Value;
  readonly index: Value;
}
export interface InsertElementInstr extends InstrBase {
  readonly op: 'insertelement';
  readonly vector: Value;
  readonly element: Value;
  readonly index: Value;
}
export interface ShuffleVectorInstr extends InstrBase {
  readonly op: 'shufflevector';
  readonly a: Value;
  readonly b: Value;
  /** Mask lanes; -1 for undef/poison lanes. */
  readonly mask: readonly number[];
  /** The mask constant as written, for printing. */
  readonly maskValue: Constant;
  readonly type: Type;
}
export interface ExtractValueInstr extends InstrBase {
  readonly op: 'extractvalue';
  readonly aggregate: Value;
  readonly indices: readonly number[];
  readonly type: Type;
}
export interface InsertValueInstr extends InstrBase {
  readonly op: 'insertvalue';
  readonly aggregate: Value;
  readonly element: Value;
  readonly indices: readonly number[];
}
/** A call operand bundle: `[ "deopt"(i32 1) ]`. */
export interface OperandBundle {
  readonly tag: string;
  readonly inputs: readonly Value[];
}
/** Fields shared by call, invoke and callbr. */
interface CallLike extends InstrBase {
  /** `tail`, `musttail`, `notail`, or undefined. */
  readonly tail: string | undefined;
  readonly fastMath: readonly string[];
  readonly callingConv: string | undefined;
  readonly retAttrs: AttrList;
  readonly addrSpace: number | undefined;
  /** The callee's function type (explicit in the IR, or derived from the return type and arguments). */
  readonly funcType: FuncType;
  /** True when the IR wrote the full function type (varargs callees), for faithful printing. */
  readonly explicitFuncType: boolean;
  readonly callee: Value;
  readonly args: readonly { value: Value; attrs: AttrList }[];
  readonly fnAttrs: AttrList;
  readonly bundles: readonly OperandBundle[];
}
export interface CallInstr extends CallLike {
  readonly op: 'call';
}
export interface InvokeInstr extends CallLike {
  readonly op: 'invoke';
  readonly normal: Block;
  readonly unwind: Block;
}
export interface CallBrInstr extends CallLike {
  readonly op: 'callbr';
  readonly fallthrough: Block;
  readonly indirect: readonly Block[];
}
export interface VAArgInstr extends InstrBase {
  readonly op: 'va_arg';
  readonly list: Value;
  readonly type: Type;
}
export interface LandingPadInstr extends InstrBase {
  readonly op: 'landingpad';
  readonly type: Type;
  readonly cleanup: boolean;
  readonly clauses: readonly { kind: 'catch' | 'filter'; value: Value }[];
}
export interface FuncletPadInstr extends InstrBase {
  readonly op: 'catchpad' | 'cleanuppad';
  /** catchpad: the catchswitch; cleanuppad: the parent pad or `none`. */
  readonly parent: Value;
  readonly args: readonly Value[];
}
export interface RetInstr extends InstrBase {
  readonly op: 'ret';
  readonly value: Value | undefined;
}
export interface BrInstr extends InstrBase {
  readonly op: 'br';
  /** Undefined for an unconditional branch (then `ifTrue` is the target). */
  readonly cond: Value | undefined;
  readonly ifTrue: Block;
  readonly ifFalse: Block | undefined;
}
export interface SwitchInstr extends InstrBase {
  readonly op: 'switch';
  readonly value: Value;
  readonly defaultBlock: Block;
  readonly cases: readonly { value: ConstInt; block: Block }[];
}
export interface IndirectBrInstr extends InstrBase {
  readonly op: 'indirectbr';
  readonly address: Value;
  readonly targets: readonly Block[];
}
export interface ResumeInstr extends InstrBase {
  readonly op: 'resume';
  readonly value: Value;
}
export interface UnreachableInstr extends InstrBase {
  readonly op: 'unreachable';
}
export interface CatchSwitchInstr extends InstrBase {
  readonly op: 'catchswitch';
  readonly parent: Value;
  readonly handlers: readonly Block[];
  /** Undefined for `unwind to caller`. */
  readonly unwind: Block | undefined;
}
export interface CatchRetInstr extends InstrBase {
  readonly op: 'catchret';
  readonly pad: Value;
  readonly target: Block;
}
export interface CleanupRetInstr extends InstrBase {
  readonly op: 'cleanupret';
  readonly pad: Value;
  readonly unwind: Block | undefined;
}

export type Instr =
  | BinaryInstr
  | FNegInstr
  | CastInstr
  | CmpInstr
  | SelectInstr
  | PhiInstr
  | FreezeInstr
  | AllocaInstr
  | LoadInstr
  | StoreInstr
  | FenceInstr
  | CmpXchgInstr
  | AtomicRMWInstr
  | GepInstr
  | ExtractElementInstr
  | InsertElementInstr
  | ShuffleVectorInstr
  | ExtractValueInstr
  | InsertValueInstr
  | CallInstr
  | InvokeInstr
  | CallBrInstr
  | VAArgInstr
  | LandingPadInstr
  | FuncletPadInstr
  | RetInstr
  | BrInstr
  | SwitchInstr
  | IndirectBrInstr
  | ResumeInstr
  | UnreachableInstr
  | CatchSwitchInstr
  | CatchRetInstr
  | CleanupRetInstr;

/** Every terminator opcode: the instructions that end a block (successors in ./cfg). */
export const TERMINATOR_OPS = [
  'ret',
  'br',
  'switch',
  'indirectbr',
  'invoke',
  'callbr',
  'resume',
  'catchswitch',
  'catchret',
  'cleanupret',
  'unreachable',
] as const satisfies readonly Opcode[];
export type TerminatorOp = (typeof TERMINATOR_OPS)[number];
export const TERMINATORS: ReadonlySet<string> = new Set<Opcode>(TERMINATOR_OPS);

// ---------------------------------------------------------------------------------------------------
// Blocks, functions, globals, module

export interface Block {
  /** Dense index in `Func.blocks` (0 is the entry block). */
  readonly index: number;
  /** Label without `%` (`"entry"`, `"4"`), or undefined for an unnamed block printed by number. */
  name: string | undefined;
  readonly instrs: Instr[];
}

export interface Param {
  readonly type: Type;
  readonly attrs: AttrList;
  /** The SSA value of the parameter (definitions only; declarations have a Local too, never used). */
  readonly local: Local;
}

/** Linkage keywords as written in the IR; undefined means external. */
export const LINKAGES = [
  'private',
  'internal',
  'available_externally',
  'linkonce',
  'weak',
  'common',
  'appending',
  'extern_weak',
  'linkonce_odr',
  'weak_odr',
  'external',
] as const;
export type Linkage = (typeof LINKAGES)[number];

/** Properties shared by global variables, functions, aliases and ifuncs. */
interface GlobalBase {
  /** Name without `@` (unquoted and unescaped), or a decimal number for unnamed globals (`@0`). */
  readonly name: string;
  /** Always `ptr` (in the global's address space). */
  type: Type;
  linkage: Linkage | undefined;
  /** Preemption specifier: dso_local / dso_preemptable. */
  preemption: string | undefined;
  visibility: 'default' | 'hidden' | 'protected' | undefined;
  dllStorage: 'dllimport' | 'dllexport' | undefined;
  threadLocal: string | undefined;
  unnamedAddr: 'unnamed_addr' | 'local_unnamed_addr' | undefined;
  addrSpace: number;
  /** Source line of the definition in the .ll file (1-based), for messages. */
  line: number;
}

export interface GlobalVar extends GlobalBase {
  readonly kind: 'gvar';
  isConstant: boolean;
  externallyInitialized: boolean;
  valueType: Type;
  /** Undefined for a declaration (`external global`). */
  init: Constant | undefined;
  section: string | undefined;
  partition: string | undefined;
  comdat: string | undefined;
  align: number;
  codeModel: string | undefined;
  sanitizer: readonly string[];
  attrs: AttrList;
  md: string | undefined;
}

export interface Func extends GlobalBase {
  readonly kind: 'function';
  funcType: FuncType;
  callingConv: string | undefined;
  retAttrs: AttrList;
  params: Param[];
  fnAttrs: AttrList;
  section: string | undefined;
  partition: string | undefined;
  comdat: string | undefined;
  align: number;
  gc: string | undefined;
  prefix: Constant | undefined;
  prologue: Constant | undefined;
  personality: Constant | undefined;
  /** Blocks of a definition; empty for a declaration. */
  blocks: Block[];
  /** All SSA values of the function by `Local.id`: parameters first, then instruction results. */
  locals: Local[];
  /** Function-level metadata attachments as raw text (` !dbg !10`), or undefined. */
  md: string | undefined;
  /** The `!dbg` attachment (a DISubprogram id), or -1. */
  dbg: number;
}

export interface Alias extends GlobalBase {
  readonly kind: 'alias';
  valueType: Type;
  aliasee: Constant;
  partition: string | undefined;
}

export interface IFunc extends GlobalBase {
  readonly kind: 'ifunc';
  valueType: Type;
  resolver: Constant;
  partition: string | undefined;
}

export type GlobalValue = GlobalVar | Func | Alias | IFunc;

export interface Comdat {
  readonly name: string;
  /** any, exactmatch, largest, nodeduplicate, samesize */
  readonly selection: string;
}

export interface Module {
  readonly types: TypeContext;
  sourceFilename: string | undefined;
  dataLayout: string | undefined;
  triple: string | undefined;
  /** Module-level inline asm lines. */
  moduleAsm: string[];
  /** All global values in order of definition. */
  readonly globals: GlobalValue[];
  /** Global values by name (without `@`). */
  readonly symbols: Map<string, GlobalValue>;
  readonly comdats: Comdat[];
  /** Attribute groups: `attributes #N = { ... }`. */
  readonly attrGroups: Map<number, Attr[]>;
  /**
   * Module-level metadata definitions by key (`"12"` for `!12`, `"llvm.module.flags"` for named metadata),
   * each the raw text after `=` (for `!12 = distinct !DILocation(...)`, `distinct !DILocation(...)`).
   */
  readonly metadata: Map<string, string>;
  /** The file the module was read from, for messages. */
  file: string | undefined;
}

/**
 * A function with every optional part absent and no body (a declaration); `parts` sets the rest. The one
 * place a `Func` is made: the parser's function headers and generated declarations (gen/stubs.ts).
 */
export function newFunc(parts: Pick<Func, 'name' | 'type' | 'funcType'> & Partial<Omit<Func, 'kind'>>): Func {
  return {
    kind: 'function',
    linkage: undefined,
    preemption: undefined,
    visibility: undefined,
    dllStorage: undefined,
    threadLocal: undefined,
    unnamedAddr: undefined,
    addrSpace: 0,
    line: 0,
    callingConv: undefined,
    retAttrs: { attrs: [], groups: [] },
    params: [],
    fnAttrs: { attrs: [], groups: [] },
    section: undefined,
    partition: undefined,
    comdat: undefined,
    align: 0,
    gc: undefined,
    prefix: undefined,
    prologue: undefined,
    personality: undefined,
    blocks: [],
    locals: [],
    md: undefined,
    dbg: -1,
    ...parts,
  };
}

/** Functions with a body. */
export function definedFunctions(m: Module): Func[] {
  return m.globals.filter((g): g is Func => g.kind === 'function' && g.blocks.length > 0);
}

/** Number of instructions of a function (debug records excluded; they are not instructions). */
export function instrCount(f: Func): number {
  let n = 0;
  for (const b of f.blocks) n += b.instrs.length;
  return n;
}

/** The value type an instruction produces, or void. */
export function resultType(i: Instr, types: TypeContext): Type {
  return i.result !== undefined ? i.result.type : types.void;
}
