/**
 * @fileoverview Stage: ir. The debug-information model of a module, built lazily on demand: metadata
 * nodes as typed plain data, source locations, and per function its subprogram, source range, parameters
 * and debug records.
 *
 * Consumes: a parsed `Module`: the raw texts of its metadata (`Module.metadata`), `!dbg` attachments
 * (`Instr.dbg`, `Func.dbg`), debug records (`Instr.dbgRecords`) and old-style `llvm.dbg.*` intrinsic
 * calls. Produces: `debugInfo(m)`, a `DebugInfo` cached per module (a WeakMap), with `node(id)`,
 * `location(id)` (also as `debugLocation(m, id)`), `function(f)` (a `FunctionDebugInfo`) and `uses(f)`;
 * node kinds are in ./debuginfo-nodes.ts, C type names and struct layouts in ./debuginfo-c.ts.
 *
 * Design:
 * - Nothing is read at parse time: IR without `-g` pays nothing, and a `DebugInfo` reads only the nodes
 *   asked about (each node's text parsed once, then cached). `nodes()` reads them all.
 * - The model never feeds back into the module: the engine and generation see the same `Module` whether
 *   it was ever asked for debug information or not.
 * - Nodes and `FunctionDebugInfo` are plain data (ids for references), so they can be sent to worker
 *   threads; `DebugUse` holds model values (`Local`s) and stays in the thread that parsed the module.
 */
import type { DebugRecordKind, Func, Instr, Local, MetadataValue, Module, Value } from './model.js';
import { readDINode } from './debuginfo-nodes.js';
import type {
  DICompileUnit,
  DILocalVariable,
  DILocation,
  DINode,
  DIRef,
  DISubprogram,
  DISubroutineType,
} from './debuginfo-nodes.js';

export interface DebugLocation {
  file: string;
  dir?: string;
  line: number;
  col: number;
}

/** A source file: a DIFile's name and directory ('' when absent). */
export interface SourceFile {
  readonly filename: string;
  readonly directory: string;
}

/** One source parameter of a function. */
export interface SourceParam {
  /** 1-based position in the source signature. */
  readonly arg: number;
  /** Its DILocalVariable, or null when the metadata has none (optimised out and not retained). */
  readonly variable: DIRef;
  /** '' when unknown. */
  readonly name: string;
  /** Its DWARF type (from the variable, else from the subroutine type); null: unknown or void. */
  readonly type: DIRef;
  readonly line: number;
  /**
   * The IR parameters (indices into `Func.params`) that carry it: the IR parameter a `#dbg_value` /
   * `#dbg_declare` / `llvm.dbg.*` names (directly, or through casts and shifts of a split aggregate), or
   * that is stored to the alloca (or a field of it) such a record names. Empty when no record says.
   */
  readonly irArgs: readonly number[];
}

/** A local variable (parameters included) that belongs to the function itself, not to inlined code. */
export interface SourceVariable {
  readonly variable: number;
  readonly name: string;
  readonly arg: number;
  readonly line: number;
  readonly type: DIRef;
}

/** What the debug information says about one defined function. Plain data. */
export interface FunctionDebugInfo {
  /** The IR function's name (without `@`). */
  readonly function: string;
  /** Its DISubprogram. */
  readonly subprogram: number;
  readonly name: string;
  readonly linkageName: string;
  readonly file: SourceFile | undefined;
  /** The subprogram's line (where the function is declared) and its scope line (the opening brace). */
  readonly line: number;
  readonly scopeLine: number;
  /**
   * First and last source line of the function: the subprogram's line and every line of a `!dbg`
   * location of its instructions (for inlined code, the line of the call in this function); 0 is skipped.
   */
  readonly firstLine: number;
  readonly lastLine: number;
  /** The DISubroutineType, its return type (null: void) and whether it is variadic. */
  readonly type: DIRef;
  readonly returnType: DIRef;
  readonly varargs: boolean;
  /** Source parameters in order (from the subroutine type, the retained nodes and the records). */
  readonly params: readonly SourceParam[];
  /** Every variable of the function (parameters too), by id. */
  readonly variables: readonly SourceVariable[];
  /** The language of its compile unit (`DW_LANG_C11`), or ''. */
  readonly language: string;
}

/** A debug record or an `llvm.dbg.*` call, normalised. */
export interface DebugUse {
  readonly kind: DebugRecordKind;
  /** Block index and index of the instruction the record precedes (or of the intrinsic call itself). */
  readonly block: number;
  readonly instr: number;
  /** True for an old-style `call void @llvm.dbg.value(metadata ...)`. */
  readonly intrinsic: boolean;
  /** The location operand's value (`ptr %3`), when it is a value. */
  readonly value: Value | undefined;
  /** The values of a `!DIArgList(...)`, when the location is one. */
  readonly args: readonly Value[] | undefined;
  /** For `#dbg_assign`: the address operand's value. */
  readonly address: Value | undefined;
  /** The DILocalVariable (for a label, the DILabel). */
  readonly variable: DIRef;
  /** The expression as written (`!DIExpression()`), '' for a label. */
  readonly expr: string;
  /** The record's DILocation (for an intrinsic, the call's `!dbg`). */
  readonly loc: DIRef;
}

const INTRINSICS: Readonly<Record<string, DebugRecordKind>> = {
  'llvm.dbg.value': 'value',
  'llvm.dbg.declare': 'declare',
  'llvm.dbg.assign': 'assign',
  'llvm.dbg.label': 'label',
};

const caches = new WeakMap<Module, DebugInfo>();

/** The debug information of a module, built on first use and cached with the module. */
export function debugInfo(m: Module): DebugInfo {
  let d = caches.get(m);
  if (d === undefined) {
    d = new DebugInfo(m);
    caches.set(m, d);
  }
  return d;
}

/**
 * Resolves `!dbg !N` to its file and line. Returns undefined when N is not a DILocation (or a
 * DISubprogram, for function attachments) or its scope chain reaches no file.
 */
export function debugLocation(m: Module, dbgId: number): DebugLocation | undefined {
  return debugInfo(m).location(dbgId);
}

export class DebugInfo {
  private readonly cache = new Map<number, DINode | null>();
  private readonly locs = new Map<number, DebugLocation | null>();
  private readonly funcInfos = new Map<Func, FunctionDebugInfo | null>();
  /** Subprogram id -> IR function name, from the functions' `!dbg`. */
  private readonly spFunc = new Map<number, string>();
  /** Reads a tuple field (bound once, handed to the node reader). */
  private readonly tuple = (text: string | undefined): readonly DIRef[] => this.tupleItems(text);
  /** `node` as a function, for the helpers of ./debuginfo-c.ts. */
  readonly lookup = (id: number): DINode | undefined => this.node(id);

  constructor(readonly module: Module) {
    for (const g of module.globals) {
      if (g.kind === 'function' && g.dbg >= 0 && !this.spFunc.has(g.dbg)) this.spFunc.set(g.dbg, g.name);
    }
  }

  /** Whether the module has any debug information (a compile unit, or a `!dbg` on a function). */
  get present(): boolean {
    return this.module.metadata.has('llvm.dbg.cu') || this.spFunc.size > 0;
  }

  /** Node `!id`, read on first use; undefined when there is none or it is not a node (a string, ...). */
  node(id: number): DINode | undefined {
    const hit = this.cache.get(id);
    if (hit !== undefined) return hit ?? undefined;
    const text = this.module.metadata.get(String(id));
    let n = text === undefined ? undefined : readDINode(text, this.tuple);
    if (n !== undefined && n.kind === 'DISubprogram') {
      const fn = this.spFunc.get(id);
      if (fn !== undefined) n = { ...n, function: fn };
    }
    this.cache.set(id, n ?? null);
    return n;
  }

  /** Every numbered node of the module (plain data: a structured clone of it works on another thread). */
  nodes(): Map<number, DINode> {
    const out = new Map<number, DINode>();
    for (const key of this.module.metadata.keys()) {
      const c = key.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      const n = this.node(Number(key));
      if (n !== undefined) out.set(Number(key), n);
    }
    return out;
  }

  /** The compile units (`!llvm.dbg.cu`). */
  compileUnits(): DICompileUnit[] {
    const out: DICompileUnit[] = [];
    for (const id of this.tupleItems(this.namedTupleText('llvm.dbg.cu'))) {
      const n = id === null ? undefined : this.node(id);
      if (n?.kind === 'DICompileUnit') out.push(n);
    }
    return out;
  }

  /** The file of a node with a `file:` (or a DIFile itself), following scopes when it has none. */
  fileOf(id: DIRef): SourceFile | undefined {
    let cur = id === null ? undefined : this.node(id);
    for (let hops = 0; cur !== undefined && hops < 64; hops++) {
      if (cur.kind === 'DIFile') return { filename: cur.filename, directory: cur.directory };
      const f = 'file' in cur && cur.kind !== 'DICompileUnit' ? cur.file : null;
      if (f !== null) {
        const fn = this.node(f);
        if (fn?.kind === 'DIFile') return { filename: fn.filename, directory: fn.directory };
      }
      const scope = 'scope' in cur ? cur.scope : null;
      cur = scope === null ? undefined : this.node(scope);
    }
    return undefined;
  }

  /**
   * `!dbg !id` as a file and line: a DILocation (its scope chain up to the DIFile; for inlined code the
   * innermost location, `inlinedAt` is not followed) or a DISubprogram.
   */
  location(id: number): DebugLocation | undefined {
    if (id < 0) return undefined;
    const hit = this.locs.get(id);
    if (hit !== undefined) return hit ?? undefined;
    const n = this.node(id);
    let loc: DebugLocation | undefined;
    if (n !== undefined && (n.kind === 'DILocation' || 'line' in n)) {
      const line = 'line' in n ? n.line : 0;
      const col = n.kind === 'DILocation' ? n.column : 0;
      const file = this.fileOf(n.kind === 'DILocation' ? n.scope : id);
      if (file !== undefined) {
        loc = { file: file.filename, line, col };
        if (file.directory !== '') loc.dir = file.directory;
      }
    }
    this.locs.set(id, loc ?? null);
    return loc;
  }

  /** The outermost location of `!dbg !id`: for inlined code, the location of the call in the caller. */
  outerLocation(id: number): DILocation | undefined {
    let n = this.node(id);
    for (let hops = 0; n?.kind === 'DILocation' && hops < 256; hops++) {
      if (n.inlinedAt === null) return n;
      n = this.node(n.inlinedAt);
    }
    return undefined;
  }

  /** The IR function of a subprogram, by name, or undefined. */
  functionOf(subprogram: number): string | undefined {
    return this.spFunc.get(subprogram);
  }

  /** What the debug information says about a defined function; undefined when it has no DISubprogram. */
  function(f: Func | string): FunctionDebugInfo | undefined {
    const fn = typeof f === 'string' ? this.module.symbols.get(f) : f;
    if (fn === undefined || fn.kind !== 'function') return undefined;
    const hit = this.funcInfos.get(fn);
    if (hit !== undefined) return hit ?? undefined;
    const info = this.readFunction(fn);
    this.funcInfos.set(fn, info ?? null);
    return info;
  }

  /** `function(f)` for every defined function that has a DISubprogram, in module order. */
  functions(): FunctionDebugInfo[] {
    const out: FunctionDebugInfo[] = [];
    for (const g of this.module.globals) {
      if (g.kind !== 'function' || g.blocks.length === 0) continue;
      const info = this.function(g);
      if (info !== undefined) out.push(info);
    }
    return out;
  }

  /** The debug records and `llvm.dbg.*` calls of a function, in program order. */
  uses(f: Func): DebugUse[] {
    const out: DebugUse[] = [];
    for (const b of f.blocks) {
      const instrs = b.instrs;
      for (let i = 0; i < instrs.length; i++) {
        const ins = instrs[i];
        if (ins.dbgRecords !== undefined) {
          for (const r of ins.dbgRecords) out.push(useOf(r.kind, r.ops, b.index, i, false, -1));
        }
        if (ins.op === 'call' && ins.callee.kind === 'function') {
          const kind = INTRINSICS[ins.callee.name];
          if (kind !== undefined) {
            const ops = ins.args.map((a) => a.value).filter((v): v is MetadataValue => v.kind === 'metadata');
            out.push(useOf(kind, ops, b.index, i, true, ins.dbg));
          }
        }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------------

  private namedTupleText(name: string): string | undefined {
    return this.module.metadata.get(name);
  }

  private tupleItems(text: string | undefined): readonly DIRef[] {
    if (text === undefined) return [];
    let t = text.trim();
    const id = t.startsWith('!') && t.length > 1 && t.charCodeAt(1) >= 48 && t.charCodeAt(1) <= 57;
    if (id) {
      const n = this.node(Number(t.slice(1)));
      return n?.kind === 'tuple' ? n.items : [];
    }
    if (t.startsWith('distinct')) t = t.slice(8).trim();
    if (!t.startsWith('!{')) return [];
    const n = readDINode(t, this.tuple);
    return n?.kind === 'tuple' ? n.items : [];
  }

  private readFunction(f: Func): FunctionDebugInfo | undefined {
    if (f.dbg < 0) return undefined;
    const sp = this.node(f.dbg);
    if (sp?.kind !== 'DISubprogram') return undefined;
    let first = sp.line > 0 ? sp.line : Infinity;
    let last = sp.line > 0 ? sp.line : 0;
    for (const b of f.blocks) {
      for (const ins of b.instrs) {
        if (ins.dbg < 0) continue;
        const loc = this.outerLocation(ins.dbg);
        if (loc === undefined || loc.line <= 0) continue;
        if (loc.line < first) first = loc.line;
        if (loc.line > last) last = loc.line;
      }
    }
    const st = sp.type === null ? undefined : this.node(sp.type);
    const sub: DISubroutineType | undefined = st?.kind === 'DISubroutineType' ? st : undefined;
    const unit = sp.unit === null ? undefined : this.node(sp.unit);
    const uses = this.uses(f);
    const variables = this.variablesOf(uses, f.dbg, sp);
    return {
      function: f.name,
      subprogram: f.dbg,
      name: sp.name,
      linkageName: sp.linkageName,
      file: this.fileOf(f.dbg),
      line: sp.line,
      scopeLine: sp.scopeLine,
      firstLine: first === Infinity ? 0 : first,
      lastLine: last,
      type: sp.type,
      returnType: sub?.returns ?? null,
      varargs: sub?.varargs ?? false,
      params: this.paramsOf(f, uses, sub, variables),
      variables,
      language: unit?.kind === 'DICompileUnit' ? unit.language : '',
    };
  }

  /** Variables whose scope chain reaches `spId` (retained nodes and those named by records). */
  private variablesOf(uses: readonly DebugUse[], spId: number, sp: DISubprogram): SourceVariable[] {
    const ids = new Set<number>();
    for (const r of sp.retainedNodes) if (r !== null) ids.add(r);
    for (const u of uses) if (u.variable !== null && u.kind !== 'label') ids.add(u.variable);
    const out: SourceVariable[] = [];
    for (const id of [...ids].sort((a, b) => a - b)) {
      const v = this.node(id);
      if (v?.kind !== 'DILocalVariable' || !this.inScope(v, spId)) continue;
      out.push({ variable: id, name: v.name, arg: v.arg, line: v.line, type: v.type });
    }
    return out;
  }

  /** Whether a variable's scope chain reaches the subprogram (not a subprogram inlined into it). */
  private inScope(v: DILocalVariable, spId: number): boolean {
    let s = v.scope;
    for (let hops = 0; s !== null && hops < 256; hops++) {
      if (s === spId) return true;
      const n = this.node(s);
      if (n === undefined || n.kind === 'DISubprogram' || !('scope' in n)) return false;
      s = n.scope;
    }
    return false;
  }

  private paramsOf(
    f: Func,
    uses: readonly DebugUse[],
    sub: DISubroutineType | undefined,
    variables: readonly SourceVariable[],
  ): SourceParam[] {
    const byArg = new Map<number, SourceVariable>();
    for (const v of variables) if (v.arg > 0 && !byArg.has(v.arg)) byArg.set(v.arg, v);
    const n = Math.max(sub?.params.length ?? 0, ...[...byArg.keys()]);
    const carriers = irArgsOf(f, uses, new Set([...byArg.values()].map((v) => v.variable)));
    const out: SourceParam[] = [];
    for (let arg = 1; arg <= n; arg++) {
      const v = byArg.get(arg);
      const fromSub = sub !== undefined && arg <= sub.params.length ? sub.params[arg - 1] : null;
      out.push({
        arg,
        variable: v?.variable ?? null,
        name: v?.name ?? '',
        type: v?.type ?? fromSub,
        line: v?.line ?? 0,
        irArgs: v === undefined ? [] : [...(carriers.get(v.variable) ?? [])].sort((a, b) => a - b),
      });
    }
    return out;
  }
}

function useOf(
  kind: DebugRecordKind,
  ops: readonly MetadataValue[],
  block: number,
  instr: number,
  intrinsic: boolean,
  dbg: number,
): DebugUse {
  const ref = (op: MetadataValue | undefined): DIRef => (op === undefined ? null : mdRef(op.text));
  if (kind === 'label') {
    const loc = intrinsic ? (dbg >= 0 ? dbg : null) : ref(ops[1]);
    const base = { kind, block, instr, intrinsic, value: undefined, args: undefined, address: undefined };
    return { ...base, variable: ref(ops[0]), expr: '', loc };
  }
  const loc = intrinsic ? (dbg >= 0 ? dbg : null) : ref(kind === 'assign' ? ops[6] : ops[3]);
  return {
    kind,
    block,
    instr,
    intrinsic,
    value: ops[0]?.value,
    args: ops[0]?.args,
    address: kind === 'assign' ? ops[4]?.value : undefined,
    variable: ref(ops[1]),
    expr: stripMetadata(ops[2]?.text ?? ''),
    loc,
  };
}

/** `!12` (or `metadata !12`) -> 12, else null. */
function mdRef(text: string): DIRef {
  const t = stripMetadata(text);
  if (!/^!\d+$/.test(t)) return null;
  return Number(t.slice(1));
}

function stripMetadata(text: string): string {
  return text.startsWith('metadata ') ? text.slice(9) : text;
}

/**
 * For each parameter variable, the IR parameters that carry it: a record naming a parameter (or a cast,
 * shift or truncation of one, as for an aggregate split into registers), or naming an alloca (or a GEP of
 * it) that a parameter is stored to.
 */
function irArgsOf(
  f: Func,
  uses: readonly DebugUse[],
  paramVars: ReadonlySet<number>,
): Map<number, Set<number>> {
  const out = new Map<number, Set<number>>();
  if (paramVars.size === 0) return out;
  const paramIndex = new Map<Local, number>();
  f.params.forEach((p, i) => paramIndex.set(p.local, i));
  const defs = new Map<Local, Instr>();
  const storedTo = new Map<Local, Set<number>>(); // alloca -> parameters stored into it
  for (const b of f.blocks)
    for (const ins of b.instrs) if (ins.result !== undefined) defs.set(ins.result, ins);
  const rootAlloca = (v: Value): Local | undefined => {
    for (let hops = 0; v.kind === 'local' && hops < 8; hops++) {
      const d = defs.get(v);
      if (d === undefined) return undefined;
      if (d.op === 'alloca') return v;
      if (d.op !== 'getelementptr') return undefined;
      v = d.ptr;
    }
    return undefined;
  };
  const paramOf = (v: Value | undefined): number | undefined => {
    for (let hops = 0; v !== undefined && v.kind === 'local' && hops < 8; hops++) {
      const i = paramIndex.get(v);
      if (i !== undefined) return i;
      const d = defs.get(v);
      if (d === undefined) return undefined;
      if (d.op === 'trunc' || d.op === 'bitcast' || d.op === 'zext' || d.op === 'sext') v = d.operand;
      else if (d.op === 'lshr' || d.op === 'ashr') v = d.lhs;
      else if (d.op === 'extractvalue') v = d.aggregate;
      else return undefined;
    }
    return undefined;
  };
  for (const b of f.blocks) {
    for (const ins of b.instrs) {
      if (ins.op !== 'store') continue;
      const p = paramOf(ins.value);
      const a = p === undefined ? undefined : rootAlloca(ins.ptr);
      if (a === undefined || p === undefined) continue;
      let s = storedTo.get(a);
      if (s === undefined) storedTo.set(a, (s = new Set()));
      s.add(p);
    }
  }
  for (const u of uses) {
    if (u.variable === null || !paramVars.has(u.variable)) continue;
    const found: number[] = [];
    for (const v of [u.value, u.address, ...(u.args ?? [])]) {
      if (v === undefined) continue;
      const p = paramOf(v);
      if (p !== undefined) found.push(p);
      const a = rootAlloca(v);
      if (a !== undefined) for (const q of storedTo.get(a) ?? []) found.push(q);
    }
    if (found.length === 0) continue;
    let s = out.get(u.variable);
    if (s === undefined) out.set(u.variable, (s = new Set()));
    for (const p of found) s.add(p);
  }
  return out;
}
