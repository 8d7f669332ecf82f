/**
 * @fileoverview Stage: engine (link). Lays out a module in memory and compiles all of it into one JS module.
 *
 * Consumes: a parsed `Module`, a `Memory` and compile options. Produces: a `Linked` program: function
 * addresses and globals placed in memory (initialisers written), the generated JS source (every defined
 * function, a thunk per external declaration, the runtime prelude) and, after `instantiate`, the table of
 * JS functions by code slot. One `new Function` per module, so calls between IR functions are direct JS
 * calls that V8 can inline.
 */
import { DataLayout } from '../ir/datalayout.js';
import type { Constant, Func, GlobalValue, GlobalVar, Instr, Module } from '../ir/model.js';
import type { FuncType, Type } from '../ir/types.js';
import { SETJMP_NAMES } from './codegen-call.js';
import { FuncGen, type CompileOptions, type LinkCtx, type Site } from './codegen.js';
import { wordCheckFails } from './codegen-mem.js';
import { evalConst, flattenCVal, writeCVal, type ConstEnv } from './constants.js';
import { COST } from './cost.js';
import { CPUID_LEAVES } from './cpuid.js';
import { Eh, TYPEINFO_VTABLES } from './eh.js';
import {
  lookupExternal,
  lookupExternalGlobal,
  scalarFormOf,
  takesNumbers,
  type ExternalGlobal,
  type ExternalHandler,
} from './externals.js';
import { CODE_SLOT, SH_RO, SH_RW, type Memory } from './memory.js';
import { LeafCache, UnsupportedError, mask, slotCount, type Leaf } from './values.js';

/** x86-64 Linux, used when a module has no `target datalayout`. */
export const X86_64_LAYOUT =
  'e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128';

export interface LinkOptions extends CompileOptions {
  /**
   * Called for an external function that is neither defined nor modelled (issue 4 plugs generated stubs in
   * here). Return undefined to make a call to it the `unsupported-external` outcome.
   */
  readonly stubExternal?: (name: string, type: FuncType) => ExternalHandler | undefined;
  /**
   * Called for each modelled external the module calls; may return a handler wrapping (or replacing) the
   * model.
   */
  readonly wrapExternal?: (
    name: string,
    model: ExternalHandler,
    type: FuncType,
  ) => ExternalHandler | undefined;
}

/** One code slot: an IR function (defined or declared). */
export interface CodeSlot {
  readonly index: number;
  readonly func: Func;
  readonly address: number;
  /** For declarations: the handler (model, stub, or the unsupported-external thrower). */
  readonly handler?: ExternalHandler;
  /** True when a declaration has neither model nor stub. */
  readonly unsupported: boolean;
}

export interface GlobalPlacement {
  readonly g: GlobalVar;
  readonly address: number;
  readonly size: number;
  readonly external?: ExternalGlobal;
}

export class Linked {
  readonly dl: DataLayout;
  readonly lc: LeafCache;
  readonly slots: CodeSlot[] = [];
  readonly slotOf = new Map<Func, CodeSlot>();
  readonly globals: GlobalPlacement[] = [];
  readonly globalAddr = new Map<GlobalVar, number>();
  readonly sites: Site[] = [];
  readonly siteIds = new Map<string, number>();
  readonly templates: Uint8Array[] = [];
  /** Coverage counter base per function (block i is at base + i); total counters. */
  readonly covBase = new Map<Func, number>();
  covCount = 0;
  source = '';
  /** Snapshot of the globals region (bytes and shadow) after initialisation, for resets. */
  globalsImage: Uint8Array = new Uint8Array(0);
  globalsShadow: Uint8Array = new Uint8Array(0);
  /** Address ranges [start, end) of the globals a run may change (merged), for resets. */
  readonly mutableRanges: [number, number][] = [];
  /** Names of external functions the module calls that have no model (unsupported-external). */
  readonly missingExternals: string[] = [];
  /** Functions that failed to compile (their body traps with unsupported-feature). */
  readonly compileErrors: { func: string; message: string }[] = [];
  /** C++ exception state: landing pads, typeinfo vtables, live exceptions (eh.ts). */
  readonly eh: Eh;
  /** Landing pad id per landingpad instruction. */
  readonly padIds = new Map<Instr, number>();

  constructor(
    readonly m: Module,
    readonly mem: Memory,
    readonly opts: LinkOptions,
  ) {
    this.dl = DataLayout.parse(m.dataLayout || X86_64_LAYOUT);
    this.eh = new Eh(mem);
    this.lc = new LeafCache(this.dl);
    this.env = {
      dl: this.dl,
      addressOf: (g) => this.addressOf(g),
      blockAddress: (f, b) => {
        const s = this.slotOf.get(f as Func);
        return 2 ** 40 + (s?.index ?? 0) * 2 ** 20 + b;
      },
    };
  }

  addressOf(g: GlobalValue): number {
    if (g.kind === 'function') {
      const s = this.slotOf.get(g);
      if (s === undefined) throw new UnsupportedError(`address of unknown function @${g.name}`);
      return s.address;
    }
    if (g.kind === 'gvar') {
      const a = this.globalAddr.get(g);
      if (a === undefined) throw new UnsupportedError(`address of unplaced global @${g.name}`);
      return a;
    }
    if (g.kind === 'alias') return Number(evalConst(g.aliasee, this.env));
    throw new UnsupportedError(`address of ifunc @${g.name}`);
  }

  readonly env: ConstEnv;
}

/**
 * Bytes given to a declared global of unknown size (no model, no initialiser, zero or no size). The
 * generation runtime treats declared globals as inputs, and native replay defines a stand-in this large.
 */
export const UNSIZED_DECLARATION_BYTES = 4096;

/** Place functions and globals, write initialisers, generate the module's JS source. */
export function link(m: Module, mem: Memory, opts: LinkOptions = {}): Linked {
  const L = new Linked(m, mem, opts);
  const dl = L.dl;
  // Code slots.
  const funcs = m.globals.filter((g): g is Func => g.kind === 'function');
  const gvars = m.globals.filter((g): g is GlobalVar => g.kind === 'gvar');
  // Globals: sizes first, then layout.
  let off = 0;
  const placements: { g: GlobalVar; off: number; size: number; external?: ExternalGlobal }[] = [];
  for (const g of gvars) {
    let size: number;
    let al: number;
    let external: ExternalGlobal | undefined;
    if (g.init === undefined) external = lookupExternalGlobal(g.name);
    if (external !== undefined) {
      size = external.size;
      al = external.align ?? 16;
    } else {
      size = dl.isSized(g.valueType) ? dl.allocSize(g.valueType) : 0;
      al = Math.max(g.align || 1, dl.isSized(g.valueType) ? dl.abiAlign(g.valueType) : 1);
      // A declaration of unknown size (`external constant [0 x i8]`: a table defined in another file)
      // gets room, so that reading it is reading it and not its neighbour.
      if (g.init === undefined && size === 0) size = UNSIZED_DECLARATION_BYTES;
    }
    off = Math.ceil((off + 32) / Math.max(al, 16)) * Math.max(al, 16);
    placements.push({ g, off, size, external });
    off += Math.max(size, 1);
  }
  mem.layout(funcs.length, off + 64);
  mem.codeNames = funcs.map((f) => f.name);
  funcs.forEach((f, index) => {
    let handler: ExternalHandler | undefined;
    let unsupported = false;
    if (f.blocks.length === 0 && !f.name.startsWith('llvm.')) {
      const model = lookupExternal(f.name);
      handler =
        model !== undefined
          ? (opts.wrapExternal?.(f.name, model, f.funcType) ?? model)
          : opts.stubExternal?.(f.name, f.funcType);
      if (handler === undefined && SETJMP_NAMES.has(f.name)) handler = () => 0;
      if (handler === undefined) {
        unsupported = true;
        L.missingExternals.push(f.name);
        const name = f.name;
        handler = (rt) =>
          rt.trap('unsupported-external', `call to external function @${name}, which is not modelled`);
      }
    }
    const s: CodeSlot = { index, func: f, address: mem.codeBase + index * CODE_SLOT, handler, unsupported };
    L.slots.push(s);
    L.slotOf.set(f, s);
  });
  for (const p of placements) {
    const address = mem.globalsBase + p.off;
    L.globalAddr.set(p.g, address);
    L.globals.push({ g: p.g, address, size: p.size, external: p.external });
    mem.objects.push({ name: p.g.name, base: address, size: p.size });
  }
  // Initialisers.
  for (const p of L.globals) {
    const g = p.g;
    if (g.init !== undefined) {
      try {
        const v = evalConst(g.init, L.env);
        writeCVal(mem.dv, p.address, g.valueType, v, dl);
      } catch (e) {
        if (!(e instanceof UnsupportedError)) throw e;
        L.compileErrors.push({ func: `@${g.name}`, message: e.message });
      }
    }
    mem.mark(p.address, p.size, g.isConstant && g.init !== undefined ? SH_RO : SH_RW);
  }
  for (const [k, name] of Object.entries(TYPEINFO_VTABLES)) {
    const g = m.symbols.get(name);
    if (g?.kind === 'gvar') L.eh.vptrs[k as keyof typeof TYPEINFO_VTABLES] = L.globalAddr.get(g)! + 16;
  }
  L.globalsImage = mem.u8.slice(mem.globalsBase, mem.globalsEnd);
  L.globalsShadow = mem.shadow.slice(mem.globalsBase, mem.globalsEnd);
  // Only writable globals change during a run (writes to the others trap): resets restore just those.
  for (const p of [...L.globals].sort((a, b) => a.address - b.address)) {
    if (p.g.isConstant && p.g.init !== undefined && p.external === undefined) continue;
    if (p.size === 0) continue;
    const last = L.mutableRanges[L.mutableRanges.length - 1];
    if (last !== undefined && p.address <= last[1] + 64) last[1] = Math.max(last[1], p.address + p.size);
    else L.mutableRanges.push([p.address, p.address + p.size]);
  }
  L.source = generate(L);
  return L;
}

function generate(L: Linked): string {
  const ctx: LinkCtx = {
    m: L.m,
    dl: L.dl,
    lc: L.lc,
    env: L.env,
    opts: L.opts,
    jsName: (g) => `f${L.slotOf.get(g as Func)!.index}`,
    addSite: (s) => {
      const key = `${s.func}\u0000${s.block}\u0000${s.instr}`;
      let id = L.siteIds.get(key);
      if (id === undefined) {
        id = L.sites.length;
        L.sites.push(s);
        L.siteIds.set(key, id);
      }
      return id;
    },
    addTemplate: (t) => {
      L.templates.push(t);
      return `TPL[${L.templates.length - 1}]`;
    },
    landingPad: (lp) => {
      let id = L.padIds.get(lp);
      if (id === undefined) {
        // Clause operands are constants: typeinfo addresses (catch) or arrays of them (filter).
        const clauses = lp.clauses.map((c) => ({
          filter: c.kind === 'filter',
          types: flattenCVal(evalConst(c.value as Constant, L.env), c.value.type).map((v) => Number(v)),
        }));
        id = L.eh.addPad({ cleanup: lp.cleanup, clauses });
        L.padIds.set(lp, id);
      }
      return id;
    },
    coverageBase: (f) => {
      let b = L.covBase.get(f);
      if (b === undefined) {
        b = L.covCount;
        L.covBase.set(f, b);
        L.covCount += f.blocks.length;
      }
      return b;
    },
  };
  // Compact code in generation and replay modes (docs/engine.md): checked accesses and block counters as
  // calls of the prelude's helpers. Measured on the corpus: 52 -> 68 functions/s, same results.
  const compact = (ctx.opts.compact ?? true) && (ctx.opts.mode ?? 'plain') !== 'plain';
  const parts: string[] = [(ctx.opts.traceBlocks ?? 0) > 0 ? PRELUDE.replace(BC_LINE, BC_TRACED) : PRELUDE];
  if ((ctx.opts.traceLines ?? 0) > 0) parts.push(LINES_PRELUDE);
  for (const s of L.slots) {
    const f = s.func;
    if (f.blocks.length > 0) {
      try {
        parts.push(new FuncGen(ctx, f, compact).emit());
      } catch (e) {
        if (!(e instanceof UnsupportedError)) throw e;
        L.compileErrors.push({ func: f.name, message: e.message });
        parts.push(
          `function f${s.index}() { TRAP('unsupported-feature', ${JSON.stringify(`@${f.name}: ${e.message}`)}, -1); }\n`,
        );
      }
    } else parts.push(thunk(L, s));
  }
  parts.push(`const FT = [${L.slots.map((s) => `f${s.index}`).join(', ')}];`);
  parts.push(
    'return { FT, getC: () => C, setC: (v) => { C = v; }, getCS: () => CS, setCS: (v) => { CS = v; }, setD: (v) => { D = v; PE = 0; }, getEN: () => EN, setEN: (v) => { EN = v; } };',
  );
  return parts.join('\n');
}

/** Box expression of one leaf's slots (generated code -> handler). */
function boxExpr(l: Leaf, s: string[]): string {
  switch (l.k) {
    case 'l':
      return `TOBIG(${s[0]}, ${s[1]})`;
    default:
      return s[0]!;
  }
}

/** Unbox expression (handler result -> slot 0; i64 also sets H[0]). */
function unboxExpr(l: Leaf, r: string): string {
  switch (l.k) {
    case 'i':
      return l.bits === 32 ? `UNI32(${r})` : `UNI32(${r}) & ${mask(l.bits)}`;
    case 'l':
      return `UNL(${r})`;
    case 'b':
      return `BigInt.asUintN(${l.bits}, BigInt(${r}))`;
    case 'f':
      return `Math.fround(Number(${r}))`;
    case 'd':
    case 'p':
      return `Number(${r})`;
    case 'x':
      return `BigInt(${r})`;
  }
}

function leavesOrEmpty(L: Linked, t: Type): Leaf[] {
  if (t.kind === 'void') return [];
  return L.lc.leaves(t);
}

/** A JS function with the generated calling convention that boxes its arguments and calls the handler. */
function thunk(L: Linked, s: CodeSlot): string {
  const f = s.func;
  if (f.name.startsWith('llvm.'))
    return `function f${s.index}() { TRAP('unsupported-feature', ${JSON.stringify(`intrinsic @${f.name} called indirectly`)}, -1); }\n`;
  const params: string[] = [];
  const boxed: string[] = [];
  // A handler that takes i64 arguments as numbers gets them without a BigInt per call.
  const numbers = s.handler !== undefined && takesNumbers(s.handler);
  try {
    f.funcType.params.forEach((t, pi) => {
      const ls = leavesOrEmpty(L, t);
      const names: string[][] = [];
      ls.forEach((l, j) => {
        const n = slotCount(l.k);
        const ss = Array.from({ length: n }, (_, k) => `a${pi}_${j}_${k}`);
        params.push(...ss);
        names.push(ss);
        boxed.push(numbers && l.k === 'l' ? `(${ss[1]} * 4294967296 + (${ss[0]} >>> 0))` : boxExpr(l, ss));
      });
    });
    if (f.funcType.varargs) params.push('va');
    const rl = leavesOrEmpty(L, f.funcType.ret);
    // A model with an unboxed form, called with numbers as they are (no argument array per call): libm's
    // (floating-point arguments and result) and the allocator's (integers and pointers, i64 as numbers).
    const isFp = (ls: Leaf[]): boolean => ls.length === 1 && (ls[0]!.k === 'd' || ls[0]!.k === 'f');
    const isInt = (ls: Leaf[]): boolean =>
      ls.length === 1 && (ls[0]!.k === 'p' || ls[0]!.k === 'l' || (ls[0]!.k === 'i' && ls[0]!.bits <= 32));
    const np = f.funcType.params.length;
    const form =
      s.handler === undefined || scalarFormOf(s.handler) === undefined || f.funcType.varargs
        ? undefined
        : np >= 1 && np <= 2 && f.funcType.params.every((t) => isFp(leavesOrEmpty(L, t))) && isFp(rl)
          ? 'fp'
          : numbers &&
              np <= 3 &&
              f.funcType.params.every((t) => isInt(leavesOrEmpty(L, t))) &&
              (rl.length === 0 || isInt(rl))
            ? 'int'
            : undefined;
    if (form !== undefined) {
      const sc = `SC${s.index}`;
      const args = [0, 1, 2].map((i) => boxed[i] ?? '0');
      const call = `${sc}(${args.join(', ')})`;
      const body = rl.length === 0 ? `${call};` : `return ${unboxExpr(rl[0]!, call)};`;
      return `const ${sc} = RT.scalar(${s.index});\nfunction f${s.index}(${params.join(', ')}) { ${body} }\n`;
    }
    const call = `EXT(${s.index}, [${boxed.join(', ')}], ${f.funcType.varargs ? 'va' : 'undefined'})`;
    let body: string;
    if (rl.length === 0) body = `${call};`;
    else if (rl.length === 1) body = `return ${unboxExpr(rl[0]!, call)};`;
    else {
      // Aggregate results: the handler returns an array of boxed leaves.
      const lines = [`const r = ${call};`];
      let k = 0;
      const out: string[] = [];
      rl.forEach((l, j) => {
        const e = unboxExpr(l, `r[${j}]`);
        if (l.k === 'l') {
          out.push(e, 'H[0]');
        } else out.push(e);
        k += slotCount(l.k);
      });
      void k;
      lines.push(`const s = [${out.join(', ')}];`);
      lines.push('for (let k = 1; k < s.length; k++) RS[k] = s[k];');
      lines.push('return s[0];');
      body = lines.join(' ');
    }
    return `function f${s.index}(${params.join(', ')}) { ${body} }\n`;
  } catch (e) {
    if (!(e instanceof UnsupportedError)) throw e;
    return `function f${s.index}() { TRAP('unsupported-feature', ${JSON.stringify(`@${f.name}: ${e.message}`)}, -1); }\n`;
  }
}

/** The block counter of compact code (below), and the one that also appends the block to `RT.trace`. */
const BC_LINE =
  'function BC(id, e, n) { COV[id]++; const h = e ^ PE; if (ECOV[h]++ === 0) EL[EN++] = h; PE = n; }';
const BC_TRACED =
  'const TR = RT.trace;\n' +
  'function BC(id, e, n) { COV[id]++; const h = e ^ PE; if (ECOV[h]++ === 0) EL[EN++] = h; PE = n; if (TR.n < TR.ids.length) TR.ids[TR.n++] = id; else TR.cut++; }';

/** With `traceLines`: line events `(-1, dbg)` and variable values `(variable, value)` in `RT.trace.ev`. */
const LINES_PRELUDE = `const TRL = RT.trace;
function TL(d) { if (TRL.en < TRL.emax) { TRL.ev.push(-1, d); TRL.en++; } else TRL.ecut++; }
function TV(v, x) { if (TRL.en < TRL.emax) { TRL.ev.push(v, x); TRL.en++; } else TRL.ecut++; }`;

/** The runtime prelude of every generated module; `RT` is the engine's runtime object. */
const PRELUDE = `'use strict';
// generated by src/engine/link.ts, do not edit
const M = RT.mem, DV = M.dv, U8 = M.u8, S = M.shadow, H = RT.H, CMP = RT.cmp, ECOV = RT.ecov, EL = RT.elist, RS = RT.RS, SCR = RT.SCR, COV = RT.cov, TPL = RT.templates;
const CODEBASE = M.codeBase, S32 = new Int32Array(S.buffer, S.byteOffset, S.length >> 2), SZ = S.length;
const { MUL64, MULO64, UDIV64, SDIV64, UREM64, SREM64, SHL64, LSHR64, ASHR64, S64F64, U64F64, S64F32, U64F32, F2S64, F2U64,
  F2S32, F2U32, PAIR2P, P2H, BIG2F32, F2B, TOBIG, UNI32, UNL, LD80, ST80, LDB, STB, LDLEAF, STLEAF, POP32, BSWAP32,
  BREV32, BIGBITOP, FSH64, RINT, ROUND, COPYSIGN, FMA, MINNUM, MAXNUM, POWI, XADD, XSUB, XMUL, XDIV, XREM, FREM, FNAN, MADD, MADDF, XNEG, XCMP,
  XFROMN, XTON, XTOF, XFROMB, XTOB, XABS, XSQRT, XFLOOR, XCEIL, XTRUNC, XRINT, XROUND, XCOPYSIGN, FPCLASS, PTRMASK, LJ, Trap } = RT.h;
let C = 0, CS = -1, LJV = 0, JMPID = 0, XC = 0, D = 0, PE = 0, EN = 0, ORV = 0;
const OLV = [];
const DMAX = RT.maxDepth, EH = RT.eh;
function DEEP() { throw new Trap('stack-overflow', 'call stack budget of ' + DMAX + ' bytes exhausted'); }
function STEP() { C = RT.budget(C); }
function FL(p, n, w, site) { CS = site; M.fault(p, n, w === 1); }
function CHK(p, n, w, site) { CS = site; M.check(p, n, w === 1); }
function DZ(site) { CS = site; throw new Trap('division-by-zero', 'integer division by zero'); }
function OVF(site) { CS = site; throw new Trap('trap', 'signed division overflow (x86 #DE)'); }
function UNR(site) { CS = site; throw new Trap('unreachable', '\`unreachable\` reached'); }
function UNSUP(msg, site) { CS = site; throw new Trap('unsupported-feature', msg); }
function TRAP(kind, msg, site) { if (site >= 0) CS = site; throw new Trap(kind, msg); }
function BADV(p, n, v, site) { CS = site; RT.badValue(p, n, v); }
function BADJUMP(v, site) { if (site >= 0) CS = site; throw new Trap('invalid-pointer', 'indirect branch to ' + v); }
function FRAME(size, al, tpl) {
  const fp = Math.floor((M.sp - size) / al) * al;
  if (fp < M.stackBase + 4096) throw new Trap('stack-overflow', 'stack region exhausted');
  S.set(tpl, fp);
  M.sp = fp;
  if (fp < M.spLow) M.spLow = fp;
  return fp;
}
function POP(sp) { if (sp > M.sp) S.fill(0, M.sp, sp); M.sp = sp; }
function POP2(sp) { POP(sp); }
function DALLOC(n, al, site) { CS = site; return M.stackAlloc(n, al); }
function VA(n, site) { CS = site; return M.stackAlloc(n, 16); }
function CPY(d, s, n) { M.copy(d, s, n); }
// Bulk intrinsics charge their bytes to the step budget (cost.ts), after the checked copy made n valid.
function MEMCPY(d, s, n, site) { if (n !== 0) { CS = site; M.copy(d, s, n); if ((C -= Math.floor(n / ${COST.bulkBytes})) < 0) STEP(); } }
function MEMSET(d, v, n, site) { if (n !== 0) { CS = site; M.fill(d, v, n); if ((C -= Math.floor(n / ${COST.bulkBytes})) < 0) STEP(); } }
// cpuid as cpuid.ts describes it: [eax, ebx, ecx, edx].
const CPUID_LEAVES = ${JSON.stringify(CPUID_LEAVES)};
function CPUID(leaf) { return CPUID_LEAVES[leaf >>> 0] ?? [0, 0, 0, 0]; }
function LDP(p) { return DV.getUint32(p, true) + DV.getInt32(p + 4, true) * 4294967296; }
// Compact code (generation and replay modes): a block's coverage, and checked scalar accesses (the checks
// of codegen-mem.ts emitCheck: aligned words through S32 (wordCheckFails), anything else exactly by CHK).
${BC_LINE}
function CK1(p, w, s) { if ((S[p] & (w + 1)) === 0) FL(p, 1, w, s); }
function CK2(p, w, s) { if ((S[p] & S[p + 1] & (w + 1)) === 0) FL(p, 2, w, s); }
function CK4(p, w, s) { const m = w === 1 ? 0x02020202 : 0x01010101; if (${wordCheckFails('p', 4, 'm')}) CHK(p, 4, w, s); }
function CK8(p, w, s) { const m = w === 1 ? 0x02020202 : 0x01010101; if (${wordCheckFails('p', 8, 'm')}) CHK(p, 8, w, s); }
function R8(p, s) { CK1(p, 0, s); return U8[p]; }
function R16(p, s) { CK2(p, 0, s); return DV.getUint16(p, true); }
function R32(p, s) { CK4(p, 0, s); return DV.getInt32(p, true); }
function R64(p, s) { CK8(p, 0, s); H[0] = DV.getInt32(p + 4, true); return DV.getInt32(p, true); }
function RP(p, s) { CK8(p, 0, s); const v = DV.getInt32(p, true); return (DV.getInt32(p + 4, true) | (v >> 31)) !== 0 ? LDP(p) : v; }
function RF(p, s) { CK4(p, 0, s); return DV.getFloat32(p, true); }
function RD(p, s) { CK8(p, 0, s); return DV.getFloat64(p, true); }
function W8(p, v, s) { CK1(p, 1, s); U8[p] = v; }
function W16(p, v, s) { CK2(p, 1, s); DV.setUint16(p, v, true); }
function W32(p, v, s) { CK4(p, 1, s); DV.setInt32(p, v, true); }
function W64(p, lo, hi, s) { CK8(p, 1, s); DV.setInt32(p, lo, true); DV.setInt32(p + 4, hi, true); }
function WP(p, v, s) { CK8(p, 1, s); DV.setInt32(p, v | 0, true); DV.setInt32(p + 4, v >= 0 && v < 4294967296 ? 0 : P2H(v), true); }
function WF(p, v, s) { CK4(p, 1, s); DV.setFloat32(p, v, true); }
function WD(p, v, s) { CK8(p, 1, s); DV.setFloat64(p, v, true); }
function FN(p, site) {
  const k = (p - CODEBASE) / 16;
  const f = FT[k];
  if (f === undefined) { CS = site; return RT.badCall(p); }
  return f;
}
function EXT(k, args, va) { return RT.ext(k, args, va); }
function VASTART(ap, va, site) {
  CS = site; M.check(ap, 24, true);
  DV.setInt32(ap, 48, true); DV.setInt32(ap + 4, 176, true);
  DV.setInt32(ap + 8, va, true); DV.setInt32(ap + 12, 0, true);
  DV.setInt32(ap + 16, 0, true); DV.setInt32(ap + 20, 0, true);
}
function VAARG(ap, kind) { return RT.vaArg(ap, kind); }
function SETJMP(buf, frame, state, site) { CS = site; RT.setjmp(buf, frame, state); }
`;
