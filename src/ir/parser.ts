/**
 * @fileoverview Stage: ir. The entry point of the `.ll` reader: top-level entities (source_filename,
 * target, module asm, types, globals, aliases, ifuncs, functions, attribute groups, comdats, metadata)
 * and the final resolution of forward references.
 *
 * Consumes: the text of an LLVM module (clang/rustc 15-19, opaque pointers). Produces: a `Module` of
 * ./model. Bad input of any kind ends in a `UserError` carrying file, line and column.
 */
import {
  Lexer,
  T_COMDATVAR,
  T_COMMA,
  T_DOTDOTDOT,
  T_EOF,
  T_EQUAL,
  T_GLOBALID,
  T_GLOBALVAR,
  T_HASHIDENT,
  T_IDENT,
  T_LABELID,
  T_LABELSTR,
  T_LBRACE,
  T_LESS,
  T_LOCALID,
  T_LOCALVAR,
  T_LPAREN,
  T_METAID,
  T_METAVAR,
  T_RBRACE,
  T_RPAREN,
  T_SUMMARYID,
  T_ATTRGRPID,
  T_GREATER,
} from './lexer.js';
import type {
  Alias,
  AttrList,
  Block,
  Constant,
  DebugRecord,
  Func,
  GlobalValue,
  GlobalVar,
  IFunc,
  Linkage,
  Local,
  Module,
  Param,
} from './model.js';
import { LINKAGES, NO_ATTRS, TERMINATORS, newFunc } from './model.js';

const LINKAGE_WORDS: ReadonlySet<string> = new Set<Linkage>(LINKAGES);
import { printType } from './print-text.js';
import type { FuncState } from './parse-const.js';
import { InstrParser } from './parse-instr.js';
import type { Type } from './types.js';
import { TypeContext } from './types.js';

/**
 * Parses the text of an LLVM module. `file` names it in error messages.
 * Throws `UserError` (with file, line and column) on any malformed input.
 */
export function parseModule(text: string, file?: string): Module {
  const m: Module = {
    types: new TypeContext(),
    sourceFilename: undefined,
    dataLayout: undefined,
    triple: undefined,
    moduleAsm: [],
    globals: [],
    symbols: new Map(),
    comdats: [],
    attrGroups: new Map(),
    metadata: new Map(),
    file,
  };
  const L = new Lexer(text, file);
  const p = new ModuleParser(L, m);
  try {
    p.parseTopLevel();
  } catch (e) {
    if (e instanceof RangeError) throw L.error(`input too deeply nested (${e.message})`);
    throw e;
  }
  return m;
}

/** A parameter as written in a function header, before it becomes a local. */
interface ParamInfo {
  type: Type;
  attrs: AttrList;
  name: string | undefined;
  /** `%N` as written, or -1 when unnamed. */
  num: number;
  off: number;
}

/** Fields common to the definitions of all global values, parsed before the entity keyword. */
interface GlobalPrefix {
  linkage: Linkage | undefined;
  preemption: string | undefined;
  visibility: 'default' | 'hidden' | 'protected' | undefined;
  dllStorage: 'dllimport' | 'dllexport' | undefined;
  threadLocal: string | undefined;
  unnamedAddr: 'unnamed_addr' | 'local_unnamed_addr' | undefined;
  addrSpace: number;
}

class ModuleParser extends InstrParser {
  /** Named struct types defined so far (a second definition is an error). */
  private readonly definedTypes = new Set<string>();
  /** Label tables of parsed functions, for blockaddress resolution. */
  private readonly funcLabels = new Map<Func, FuncState>();
  /** Comdat references, checked against the definitions at the end. */
  private readonly comdatRefs: { name: string; off: number }[] = [];

  /// Module ::= TopLevelEntity*
  parseTopLevel(): void {
    const L = this.L;
    L.next();
    for (;;) {
      switch (L.kind) {
        case T_EOF:
          this.finish();
          return;
        case T_IDENT:
          this.parseKeywordEntity();
          break;
        case T_LOCALVAR:
        case T_LOCALID:
          this.parseTypeDef();
          break;
        case T_GLOBALVAR:
        case T_GLOBALID:
          this.parseGlobalDef();
          break;
        case T_COMDATVAR:
          this.parseComdat();
          break;
        case T_METAVAR:
        case T_METAID:
          this.parseMetadataDef();
          break;
        case T_SUMMARYID:
          this.skipSummaryEntry();
          break;
        default:
          throw this.expected('a top-level entity');
      }
    }
  }

  private parseKeywordEntity(): void {
    const L = this.L;
    switch (L.str) {
      case 'source_filename':
        L.next();
        this.expect(T_EQUAL, "'='");
        this.m.sourceFilename = this.parseStringTok();
        return;
      case 'target': {
        L.next();
        const what = L.kind === T_IDENT ? this.word() : '';
        if (what !== 'datalayout' && what !== 'triple') throw this.expected("'datalayout' or 'triple'");
        L.next();
        this.expect(T_EQUAL, "'='");
        const v = this.parseStringTok();
        if (what === 'datalayout') this.m.dataLayout = v;
        else this.m.triple = v;
        return;
      }
      case 'module':
        L.next();
        this.expectKw('asm');
        this.m.moduleAsm.push(this.parseStringTok('a module asm string'));
        return;
      case 'define':
        this.parseFunction(true);
        return;
      case 'declare':
        this.parseFunction(false);
        return;
      case 'attributes':
        this.parseAttrGroup();
        return;
      case 'uselistorder':
      case 'uselistorder_bb':
      case 'deplibs':
        this.skipStatement();
        return;
    }
    throw this.err(`unknown top-level keyword '${L.str}'`);
  }

  /** Skips a line-oriented directive the model does not keep (balanced across lines). */
  private skipStatement(): void {
    const L = this.L;
    const end = L.scanBalanced(L.start, false, false, true);
    L.resetTo(end);
  }

  /// SummaryEntry ::= SummaryID '=' ...   (ThinLTO summaries: skipped)
  private skipSummaryEntry(): void {
    this.skipStatement();
  }

  // ---------------------------------------------------------------------------------------------------
  // Types, comdats, attribute groups, metadata

  /// TypeDef ::= LocalVar '=' 'type' ('opaque' | '{' ... '}' | '<{' ... '}>' | Type)
  private parseTypeDef(): void {
    const L = this.L;
    const off = L.start;
    const name = L.kind === T_LOCALVAR ? L.str : String(L.num);
    L.next();
    this.expect(T_EQUAL, "'='");
    this.expectKw('type');
    if (this.definedTypes.has(name)) throw this.err(`redefinition of type '%${name}'`, off);
    this.definedTypes.add(name);
    const st = this.T.namedStruct(name);
    if (this.eatKw('opaque')) return;
    if (L.kind === T_LBRACE) {
      this.T.setBody(st, this.parseStructFields(), false);
    } else if (L.kind === T_LESS) {
      L.next();
      if (L.kind !== T_LBRACE) throw this.err('named non-struct types are not supported', off);
      this.T.setBody(st, this.parseStructFields(), true);
      this.expect(T_GREATER, "'>'");
    } else {
      throw this.err('named non-struct types are not supported', off);
    }
    // `%T = type { ... }*` would be a typed pointer in old IR.
    this.parseTypeSuffix(st, true);
  }

  /// Comdat ::= ComdatVar '=' 'comdat' SelectionKind
  private parseComdat(): void {
    const L = this.L;
    const name = L.str;
    L.next();
    this.expect(T_EQUAL, "'='");
    this.expectKw('comdat');
    if (L.kind !== T_IDENT) throw this.expected('a comdat selection kind');
    const selection = L.str;
    if (!['any', 'exactmatch', 'largest', 'nodeduplicate', 'noduplicates', 'samesize'].includes(selection)) {
      throw this.err(`unknown comdat selection kind '${selection}'`);
    }
    L.next();
    this.m.comdats.push({ name, selection });
  }

  /// AttrGroup ::= 'attributes' AttrGrpID '=' '{' Attr* '}'
  private parseAttrGroup(): void {
    const L = this.L;
    L.next();
    if (L.kind !== T_ATTRGRPID) throw this.expected('an attribute group id (#N)');
    const id = L.num;
    L.next();
    this.expect(T_EQUAL, "'='");
    this.expect(T_LBRACE, "'{'");
    const attrs = this.parseAttrGroupBody();
    this.expect(T_RBRACE, "'}'");
    this.m.attrGroups.set(id, attrs);
  }

  /// MetadataDef ::= ('!N' | '!name') '=' ...   (kept as raw text up to the end of the line)
  private parseMetadataDef(): void {
    const L = this.L;
    const key = L.kind === T_METAID ? String(L.num) : L.str;
    L.next();
    if (L.kind !== T_EQUAL) throw this.expected("'=' after a metadata name");
    // Scan raw from just after '=' to the end of the line (or of a balanced multi-line body).
    const start = L.end;
    const end = L.scanBalanced(start, false, false, true);
    const text = L.src.slice(start, end).trim();
    if (!isMetadataDefinition(text)) {
      throw this.err(
        "expected a metadata node ('!{...}', '!DIKind(...)' or 'distinct ...') after '='",
        start,
      );
    }
    this.m.metadata.set(key, text);
    L.resetTo(end);
  }

  // ---------------------------------------------------------------------------------------------------
  // Global variables, aliases, ifuncs

  /** Linkage, preemption, visibility, DLL storage, thread_local, unnamed_addr, addrspace. */
  private parseGlobalPrefix(allowTls: boolean): GlobalPrefix {
    const L = this.L;
    const g: GlobalPrefix = {
      linkage: undefined,
      preemption: undefined,
      visibility: undefined,
      dllStorage: undefined,
      threadLocal: undefined,
      unnamedAddr: undefined,
      addrSpace: 0,
    };
    if (L.kind === T_IDENT && LINKAGE_WORDS.has(L.str)) {
      g.linkage = L.str as Linkage;
      L.next();
    }
    if (L.kind === T_IDENT && (L.str === 'dso_local' || L.str === 'dso_preemptable')) {
      g.preemption = L.str;
      L.next();
    }
    if (L.kind === T_IDENT && (L.str === 'default' || L.str === 'hidden' || L.str === 'protected')) {
      g.visibility = L.str;
      L.next();
    }
    if (L.kind === T_IDENT && (L.str === 'dllimport' || L.str === 'dllexport')) {
      g.dllStorage = L.str;
      L.next();
    }
    if (allowTls && L.kind === T_IDENT && L.str === 'thread_local') {
      L.next();
      if (L.kind === T_LPAREN) {
        L.next();
        if (L.kind !== T_IDENT) throw this.expected('a thread-local model');
        g.threadLocal = L.str;
        L.next();
        this.expect(T_RPAREN, "')'");
      } else g.threadLocal = 'generaldynamic';
    }
    if (L.kind === T_IDENT && (L.str === 'unnamed_addr' || L.str === 'local_unnamed_addr')) {
      g.unnamedAddr = L.str;
      L.next();
    }
    if (allowTls) g.addrSpace = this.parseOptAddrSpace();
    return g;
  }

  /// GlobalDef ::= GlobalVar '=' GlobalPrefix ('global' | 'constant' | 'alias' | 'ifunc') ...
  private parseGlobalDef(): void {
    const L = this.L;
    const off = L.start;
    const name = L.kind === T_GLOBALVAR ? L.str : String(L.num);
    L.next();
    this.expect(T_EQUAL, "'='");
    const pre = this.parseGlobalPrefix(true);
    const line = L.lineCol(off).line;
    if (L.kind === T_IDENT && (L.str === 'alias' || L.str === 'ifunc')) {
      const kind = L.str;
      L.next();
      const valueType = this.parseType(false);
      this.expect(T_COMMA, "','");
      // The aliasee's type may be implied for cast and getelementptr expressions.
      const w = L.kind === T_IDENT ? this.word() : '';
      const implied = w === 'bitcast' || w === 'getelementptr' || w === 'addrspacecast' || w === 'inttoptr';
      const at = implied ? this.T.pointer(pre.addrSpace) : this.parseType(false);
      const target = this.parseConst(at);
      let partition: string | undefined;
      while (L.kind === T_COMMA) {
        L.next();
        if (this.eatKw('partition')) partition = this.parseStringTok();
        else if (L.kind === T_METAVAR) {
          this.skipGlobalAttachments();
          break;
        } else throw this.expected("'partition' or metadata");
      }
      const type = this.T.pointer(pre.addrSpace);
      const base = { name, type, ...pre, line };
      const obj: Alias | IFunc =
        kind === 'alias'
          ? { kind: 'alias', ...base, valueType, aliasee: target, partition }
          : { kind: 'ifunc', ...base, valueType, resolver: target, partition };
      this.defineGlobal(obj, off);
      return;
    }
    const externallyInitialized = this.eatKw('externally_initialized');
    let isConstant: boolean;
    if (this.eatKw('global')) isConstant = false;
    else if (this.eatKw('constant')) isConstant = true;
    else throw this.expected("'global', 'constant', 'alias' or 'ifunc'");
    const valueType = this.parseType(false);
    let init: Constant | undefined;
    const isDecl = pre.linkage === 'external' || pre.linkage === 'extern_weak';
    if (!isDecl) init = this.parseConst(valueType);
    const g: GlobalVar = {
      kind: 'gvar',
      name,
      type: this.T.pointer(pre.addrSpace),
      ...pre,
      line,
      isConstant,
      externallyInitialized,
      valueType,
      init,
      section: undefined,
      partition: undefined,
      comdat: undefined,
      align: 0,
      codeModel: undefined,
      sanitizer: [],
      attrs: NO_ATTRS,
      md: undefined,
    };
    let sanitizer: string[] | undefined;
    while (L.kind === T_COMMA) {
      L.next();
      if (L.kind === T_METAVAR) {
        g.md = this.parseGlobalAttachmentsRaw();
        break;
      }
      if (L.kind !== T_IDENT) throw this.expected('a global variable attribute');
      switch (L.str) {
        case 'section':
          L.next();
          g.section = this.parseStringTok();
          break;
        case 'partition':
          L.next();
          g.partition = this.parseStringTok();
          break;
        case 'comdat':
          g.comdat = this.parseComdatRef(name, L.start);
          break;
        case 'align':
          g.align = this.parseAlignValue();
          break;
        case 'code_model':
          L.next();
          g.codeModel = this.parseStringTok();
          break;
        case 'no_sanitize_address':
        case 'no_sanitize_hwaddress':
        case 'sanitize_address_dyninit':
        case 'sanitize_memtag':
          (sanitizer ??= []).push(L.str);
          L.next();
          break;
        default:
          throw this.expected('a global variable attribute');
      }
    }
    if (sanitizer !== undefined) g.sanitizer = sanitizer;
    g.attrs = this.parseAttrs(true);
    this.defineGlobal(g, off);
  }

  /// OptionalComdat ::= 'comdat' ('(' ComdatVar ')')?
  private parseComdatRef(selfName: string, off: number): string {
    const L = this.L;
    L.next();
    if (L.kind !== T_LPAREN) {
      this.comdatRefs.push({ name: selfName, off });
      return selfName;
    }
    L.next();
    if (L.kind !== T_COMDATVAR) throw this.expected('a comdat name ($name)');
    const c = L.str;
    this.comdatRefs.push({ name: c, off: L.start });
    L.next();
    this.expect(T_RPAREN, "')'");
    return c;
  }

  /** `!name !N (',' !name !N)*` after a global's ',' (current token is the first `!name`). */
  private parseGlobalAttachmentsRaw(): string {
    const L = this.L;
    const start = L.start;
    let end = start;
    for (;;) {
      if (L.kind !== T_METAVAR) throw this.expected('a metadata attachment');
      L.next();
      if (L.kind === T_METAID) this.mdRefs.push(L.num, L.start);
      end = L.scanMetadataNode(L.start);
      L.resetTo(end);
      if (L.kind !== T_COMMA) break;
      L.next();
    }
    return `, ${L.src.slice(start, end)}`;
  }

  private skipGlobalAttachments(): void {
    this.parseGlobalAttachmentsRaw();
  }

  /** Registers a global value, filling in a placeholder created by an earlier forward reference. */
  private defineGlobal<G extends GlobalValue>(obj: G, off: number): G {
    const m = this.m;
    const existing = m.symbols.get(obj.name);
    if (existing !== undefined) {
      if (!this.pendingGlobals.has(existing)) throw this.err(`redefinition of global '@${obj.name}'`, off);
      if (existing.type !== obj.type) {
        const use = this.pendingGlobals.get(existing)!;
        throw this.err(
          `global '@${obj.name}' is defined as ${printType(obj.type)} but was used as ${printType(existing.type)}`,
          use,
        );
      }
      this.pendingGlobals.delete(existing);
      Object.assign(existing, obj);
      m.globals.push(existing);
      return existing as G;
    }
    m.symbols.set(obj.name, obj);
    m.globals.push(obj);
    return obj;
  }

  // ---------------------------------------------------------------------------------------------------
  // Functions

  /// FunctionHeader ::= ('define' | 'declare') GlobalPrefix CallingConv? RetAttrs Type GlobalVar
  ///     '(' ArgList ')' UnnamedAddr? AddrSpace? FnAttrs ('section' STRING)? ('partition' STRING)?
  ///     OptionalComdat? ('align' N)? ('gc' STRING)? ('prefix' TypeAndValue)? ('prologue' TypeAndValue)?
  ///     ('personality' TypeAndValue)? ('!name' !N)* ('{' Body '}')?
  private parseFunction(isDefine: boolean): void {
    const L = this.L;
    const lineOff = L.start;
    L.next();
    // `declare !dbg !12 ptr @f(...)`: declarations carry their attachments up front.
    let declMd: { dbg: number; md: string | undefined } | undefined;
    if (L.kind === T_METAVAR) {
      declMd = { dbg: -1, md: undefined };
      this.parseFuncAttachments(declMd);
    }
    const pre = this.parseGlobalPrefix(false);
    const callingConv = this.parseOptCallingConv();
    const retAttrs = this.parseAttrs(false);
    const ret = this.parseType(true);
    if (L.kind !== T_GLOBALVAR && L.kind !== T_GLOBALID) throw this.expected('a function name (@name)');
    const off = L.start;
    const name = L.kind === T_GLOBALVAR ? L.str : String(L.num);
    L.next();
    const { params: paramInfo, varargs } = this.parseParamList();
    let unnamedAddr = pre.unnamedAddr;
    if (L.kind === T_IDENT && (L.str === 'unnamed_addr' || L.str === 'local_unnamed_addr')) {
      unnamedAddr = L.str;
      L.next();
    }
    const addrSpace = this.parseOptAddrSpace();
    let fnAttrs = this.parseAttrs(true);
    let align = 0;
    // Function alignment may be written among the attributes (`align 16` after `#0`).
    const alignAttr = fnAttrs.attrs.findIndex((a) => a.name === 'align');
    if (alignAttr >= 0) {
      align = Number(fnAttrs.attrs[alignAttr].value?.replace(/[()]/g, '') ?? 0);
      fnAttrs = { attrs: fnAttrs.attrs.filter((_, i) => i !== alignAttr), groups: fnAttrs.groups };
    }
    const f: Func = newFunc({
      name,
      type: this.T.pointer(addrSpace),
      ...pre,
      unnamedAddr,
      addrSpace,
      line: L.lineCol(lineOff).line,
      funcType: this.T.func(
        ret,
        paramInfo.map((p) => p.type),
        varargs,
      ),
      callingConv,
      retAttrs,
      fnAttrs,
      align,
    });
    this.parseFuncOptions(f);
    // Function-level metadata attachments.
    if (L.kind === T_METAVAR) this.parseFuncAttachments(f);
    if (declMd !== undefined) {
      f.dbg = declMd.dbg;
      f.md = declMd.md;
    }
    const fn = this.defineGlobal(f, off);
    const fs: FuncState = {
      func: fn,
      named: new Map(),
      numbered: new Map(),
      pending: new Map(),
      blocksNamed: new Map(),
      blocksNumbered: new Map(),
      pendingBlocks: new Map(),
      nextNum: 0,
    };
    fn.params = this.bindParams(fs, paramInfo);
    if (isDefine) {
      if (L.kind !== T_LBRACE) throw this.expected("'{' to start the function body");
      this.parseBody(fs);
    } else if (L.kind === T_LBRACE) {
      throw this.err("a declaration ('declare') cannot have a body");
    }
  }

  /// ArgList ::= '(' (ArgType (',' ArgType)* (',' '...')? | '...')? ')'
  /// ArgType ::= Type ParamAttrs (LocalVar | LocalId)?
  private parseParamList(): { params: ParamInfo[]; varargs: boolean } {
    const L = this.L;
    this.expect(T_LPAREN, "'('");
    const params: ParamInfo[] = [];
    let varargs = false;
    if (L.kind !== T_RPAREN) {
      for (;;) {
        if (L.kind === T_DOTDOTDOT) {
          L.next();
          varargs = true;
          break;
        }
        const type = this.parseType(false);
        const attrs = this.parseAttrs(false);
        let pname: string | undefined;
        let num = -1;
        const poff = L.start;
        if (L.kind === T_LOCALVAR) {
          pname = L.str;
          L.next();
        } else if (L.kind === T_LOCALID) {
          num = L.num;
          L.next();
        }
        params.push({ type, attrs, name: pname, num, off: poff });
        if (!this.eat(T_COMMA)) break;
      }
    }
    this.expect(T_RPAREN, "')'");
    return { params, varargs };
  }

  /// FuncOptions ::= ('section' STRING | 'partition' STRING | Comdat | 'align' N | 'gc' STRING
  ///     | 'prefix' TypeAndValue | 'prologue' TypeAndValue | 'personality' TypeAndValue)*
  private parseFuncOptions(f: Func): void {
    const L = this.L;
    for (;;) {
      if (L.kind !== T_IDENT) break;
      const w = L.str;
      if (w === 'section') {
        L.next();
        f.section = this.parseStringTok();
      } else if (w === 'partition') {
        L.next();
        f.partition = this.parseStringTok();
      } else if (w === 'comdat') f.comdat = this.parseComdatRef(f.name, L.start);
      else if (w === 'align') f.align = this.parseAlignValue();
      else if (w === 'gc') {
        L.next();
        f.gc = this.parseStringTok();
      } else if (w === 'prefix') {
        L.next();
        f.prefix = this.parseConst(this.parseType(false));
      } else if (w === 'prologue') {
        L.next();
        f.prologue = this.parseConst(this.parseType(false));
      } else if (w === 'personality') {
        L.next();
        f.personality = this.parseConst(this.parseType(false));
      } else break;
    }
  }

  /** The parameters become the function's first locals, named or numbered from 0. */
  private bindParams(fs: FuncState, paramInfo: readonly ParamInfo[]): Param[] {
    const fn = fs.func;
    const params: Param[] = [];
    for (const p of paramInfo) {
      let local: Local;
      if (p.name !== undefined) {
        if (fs.named.has(p.name)) throw this.err(`redefinition of parameter '%${p.name}'`, p.off);
        local = { kind: 'local', id: fn.locals.length, name: p.name, type: p.type };
        fs.named.set(p.name, local);
      } else {
        const num = p.num >= 0 ? p.num : fs.nextNum;
        if (num < fs.nextNum)
          throw this.err(`argument expected to be numbered '%${fs.nextNum}' or higher`, p.off);
        fs.nextNum = num + 1;
        local = { kind: 'local', id: fn.locals.length, name: undefined, type: p.type };
        fs.numbered.set(num, local);
      }
      fn.locals.push(local);
      params.push({ type: p.type, attrs: p.attrs, local });
    }
    return params;
  }

  /** `('!name' !N)*` on a function: `!dbg` into `dbg`, the rest as raw text into `md`. */
  private parseFuncAttachments(f: { dbg: number; md: string | undefined }): void {
    const L = this.L;
    let md = f.md;
    while (L.kind === T_METAVAR) {
      const s = L.start;
      const nm = L.str;
      L.next();
      if (nm === 'dbg' && L.kind === T_METAID) {
        f.dbg = L.num;
        this.mdRefs.push(L.num, L.start);
        L.next();
      } else {
        if (L.kind === T_METAID) this.mdRefs.push(L.num, L.start);
        const end = L.scanMetadataNode(L.start);
        md = `${md ?? ''} ${L.src.slice(s, end)}`;
        L.resetTo(end);
      }
    }
    f.md = md;
  }

  /// Body ::= '{' BasicBlock+ '}'
  private parseBody(fs: FuncState): void {
    const L = this.L;
    const f = fs.func;
    this.fs = fs;
    L.next();
    if (L.kind === T_RBRACE) throw this.err('function body has no blocks');
    while (L.kind !== T_RBRACE) {
      // `uselistorder` directives (llvm-dis --preserve-ll-uselistorder) follow the last block.
      if (L.kind === T_IDENT && L.str === 'uselistorder' && f.blocks.length > 0) this.skipStatement();
      else this.parseBlock(fs);
    }
    L.next();
    this.fs = undefined;
    // Every forward reference must have been defined.
    for (const [l, off] of fs.pending) {
      const nm = l.name !== undefined ? quoteName(l.name) : numberOf(fs.numbered, l);
      throw this.err(`use of undefined value '%${nm}'`, off);
    }
    for (const [b, off] of fs.pendingBlocks) {
      const nm = b.name !== undefined ? quoteName(b.name) : numberOf(fs.blocksNumbered, b);
      throw this.err(`use of undefined label '%${nm}'`, off);
    }
    this.funcLabels.set(f, fs);
  }

  /// BasicBlock ::= Label? Instruction* Terminator
  private parseBlock(fs: FuncState): void {
    const L = this.L;
    const f = fs.func;
    let b: Block | undefined;
    const off = L.start;
    if (L.kind === T_LABELSTR) {
      const name = L.str;
      b = fs.blocksNamed.get(name);
      if (b === undefined) {
        b = { index: f.blocks.length, name, instrs: [] };
        fs.blocksNamed.set(name, b);
      } else if (fs.pendingBlocks.delete(b)) {
        (b as { index: number }).index = f.blocks.length;
      } else throw this.err(`redefinition of label '${name}'`, off);
      L.next();
    } else {
      let num: number;
      if (L.kind === T_LABELID) {
        num = L.num;
        if (num < fs.nextNum) throw this.err(`label expected to be numbered '${fs.nextNum}' or higher`, off);
        L.next();
      } else num = fs.nextNum;
      fs.nextNum = num + 1;
      b = fs.blocksNumbered.get(num);
      if (b === undefined) {
        b = { index: f.blocks.length, name: undefined, instrs: [] };
        fs.blocksNumbered.set(num, b);
      } else if (fs.pendingBlocks.delete(b)) {
        (b as { index: number }).index = f.blocks.length;
      } else throw this.err(`redefinition of label '${num}'`, off);
    }
    f.blocks.push(b);
    const instrs = b.instrs;
    // Debug records before the next instruction (LLVM 19); they go to that instruction.
    let records: DebugRecord[] | undefined;
    for (;;) {
      const k = L.kind;
      if (k === T_HASHIDENT) {
        (records ??= []).push(this.parseDebugRecord());
        continue;
      }
      if (k === T_IDENT) {
        const ins = this.parseInstr();
        if (this.rtype.kind !== 'void') this.bindResult(fs, ins, undefined, -1, L.start);
        if (L.kind === T_COMMA || this.extraComma) this.parseInstrAttachments(ins);
        if (records !== undefined) {
          ins.dbgRecords = records;
          records = undefined;
        }
        instrs.push(ins);
        if (TERMINATORS.has(ins.op)) return;
        continue;
      }
      if (k === T_LOCALVAR || k === T_LOCALID) {
        const nameOff = L.start;
        const name = k === T_LOCALVAR ? L.str : undefined;
        const num = k === T_LOCALID ? L.num : -1;
        L.next();
        this.expect(T_EQUAL, "'=' after the result name");
        const ins = this.parseInstr();
        if (this.rtype.kind === 'void')
          throw this.err('cannot name an instruction that returns no value', nameOff);
        this.bindResult(fs, ins, name, num, nameOff);
        if (L.kind === T_COMMA || this.extraComma) this.parseInstrAttachments(ins);
        if (records !== undefined) {
          ins.dbgRecords = records;
          records = undefined;
        }
        instrs.push(ins);
        if (TERMINATORS.has(ins.op)) return;
        continue;
      }
      if (k === T_LABELSTR || k === T_LABELID || k === T_RBRACE) {
        throw this.err('basic block does not end with a terminator instruction');
      }
      throw this.expected('an instruction');
    }
  }

  /** Creates (or completes a forward-referenced) Local for an instruction's result. */
  private bindResult(
    fs: FuncState,
    ins: { result: Local | undefined },
    name: string | undefined,
    num: number,
    off: number,
  ): void {
    const f = fs.func;
    const type = this.rtype;
    let l: Local | undefined;
    if (name !== undefined) {
      l = fs.named.get(name);
      if (l === undefined) {
        l = { kind: 'local', id: f.locals.length, name, type };
        fs.named.set(name, l);
      } else if (fs.pending.delete(l)) {
        if (l.type !== type) {
          throw this.err(
            `'%${quoteName(name)}' is defined with type ${printType(type)} but was used as ${printType(l.type)}`,
            off,
          );
        }
        (l as { id: number }).id = f.locals.length;
      } else throw this.err(`redefinition of '%${quoteName(name)}'`, off);
    } else {
      if (num < 0) num = fs.nextNum;
      else if (num < fs.nextNum)
        throw this.err(`instruction expected to be numbered '%${fs.nextNum}' or higher`, off);
      fs.nextNum = num + 1;
      l = fs.numbered.get(num);
      if (l === undefined) {
        l = { kind: 'local', id: f.locals.length, name: undefined, type };
        fs.numbered.set(num, l);
      } else if (fs.pending.delete(l)) {
        if (l.type !== type) {
          throw this.err(
            `'%${num}' is defined with type ${printType(type)} but was used as ${printType(l.type)}`,
            off,
          );
        }
        (l as { id: number }).id = f.locals.length;
      } else throw this.err(`redefinition of '%${num}'`, off);
    }
    f.locals.push(l);
    ins.result = l;
  }

  // ---------------------------------------------------------------------------------------------------
  // End of module

  /** Resolves what could only be resolved once everything is read, and reports what never was. */
  private finish(): void {
    for (const [g, off] of this.pendingGlobals) {
      throw this.err(`use of undefined global '@${quoteName(g.name)}'`, off);
    }
    for (const { c, off } of this.blockAddrs) {
      const f = c.func;
      if (f.kind !== 'function') throw this.err(`blockaddress of '@${f.name}', which is not a function`, off);
      const fs = this.funcLabels.get(f);
      if (fs === undefined) throw this.err(`blockaddress of '@${f.name}', which has no body`, off);
      const b = c.label.startsWith('#')
        ? fs.blocksNumbered.get(Number(c.label.slice(1)))
        : fs.blocksNamed.get(c.label);
      if (b === undefined || b.index < 0) throw this.err(`'@${f.name}' has no block '%${c.label}'`, off);
      c.block = b;
    }
    this.funcLabels.clear();
    if (this.comdatRefs.length > 0) {
      const defined = new Set(this.m.comdats.map((c) => c.name));
      for (const r of this.comdatRefs) {
        if (!defined.has(r.name)) throw this.err(`use of undefined comdat '$${quoteName(r.name)}'`, r.off);
      }
    }
    const mdRefs = this.mdRefs;
    for (let i = 0; i < mdRefs.length; i += 2) {
      if (!this.m.metadata.has(String(mdRefs[i]))) {
        throw this.err(`use of undefined metadata '!${mdRefs[i]}'`, mdRefs[i + 1]);
      }
    }
    const groupRefs = this.groupRefs;
    for (let i = 0; i < groupRefs.length; i += 2) {
      if (!this.m.attrGroups.has(groupRefs[i])) {
        throw this.err(`use of undefined attribute group '#${groupRefs[i]}'`, groupRefs[i + 1]);
      }
    }
    for (const name of this.T.named.keys()) {
      if (!this.definedTypes.has(name)) {
        throw this.L.error(`use of undefined type '%${quoteName(name)}'`, this.typeFirstUse.get(name) ?? 0);
      }
    }
  }
}

/** `distinct? ('!{' ... '}' | '!Name(' ... ')')` with balanced brackets (already checked by the scan). */
function isMetadataDefinition(text: string): boolean {
  let p = 0;
  if (text.startsWith('distinct')) {
    p = 8;
    while (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9) p++;
  }
  if (text.charCodeAt(p) !== 33) return false;
  const last = text.charCodeAt(text.length - 1);
  if (text.charCodeAt(p + 1) === 123) return last === 125;
  return /^![-a-zA-Z$._][-a-zA-Z$._0-9]*\(/.test(text.slice(p, p + 64)) && last === 41;
}

function numberOf<T>(m: Map<number, T>, v: T): string {
  for (const [k, x] of m) if (x === v) return String(k);
  return '?';
}

/** A name as written after `%`/`@`: quoted when it is not a plain identifier. */
function quoteName(n: string): string {
  return /^[-a-zA-Z$._][-a-zA-Z$._0-9]*$/.test(n) ? n : JSON.stringify(n);
}
