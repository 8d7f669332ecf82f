/**
 * @fileoverview Stage: ir. The IR printer: writes the in-memory model back as LLVM IR text.
 *
 * Consumes: a `Module` (./model) and its types (./types). Produces: `.ll` text that `llvm-as-19` accepts
 * and that means the same module, plus small helpers (`printType`, `printValue`, `printInstr`) for error
 * messages and debugging.
 *
 * How it works:
 * - Function bodies are written as bytes into one reused buffer (`ByteOut`) and become one flat string per
 *   function; the module is an array of such strings joined once. Type strings and `%N` names are cached,
 *   so printing is linear in the size of the module and allocates little per instruction.
 * - Unnamed values, blocks and globals (`name` undefined, or all digits) are numbered while printing, in
 *   the order LLVM's slot tracker uses (parameters, then per block: the block, then its results), because
 *   `llvm-as` requires unnamed values to be numbered sequentially.
 * - Floating-point constants are written as exact hexadecimal bit patterns (`0x...` for float and double,
 *   `0xK` for x86_fp80, `0xL` fp128, `0xM` ppc_fp128, `0xH` half, `0xR` bfloat), never as decimals.
 * - Metadata is printed from the raw text the parser kept (`Module.metadata`, `md` attachments).
 *
 * Files, from the bottom up: ./print-text (names, strings, types, literal constants, the byte buffer),
 * ./print-value (slot numbering; `ValuePrinter`: operands, constants, attributes), ./print-instr
 * (`InstrPrinter`: instructions) and this one (`Printer`: globals, functions, the module, and the entry
 * points). Everything other stages use is exported from here.
 */
import type { Attr, Func, GlobalValue, GlobalVar, Instr, Module, Value } from './model.js';
import { ByteOut, DIGITS, escapeString, isNamed, printName, quoted, structBody } from './print-text.js';
import { InstrPrinter } from './print-instr.js';
import type { FuncSlots } from './print-value.js';
import type { StructType } from './types.js';

export {
  escapeBytes,
  escapeString,
  floatBitsToDoubleBits,
  printFloatBits,
  printIntValue,
  printName,
  printType,
} from './print-text.js';

const ORDER_KIND: Record<GlobalValue['kind'], number> = { gvar: 0, alias: 1, ifunc: 2, function: 3 };

/** The whole printer: globals, functions and the module, on top of instructions and values. */
class Printer extends InstrPrinter {
  /** The output buffer of function bodies, reused from one function to the next. */
  private readonly body = new ByteOut();

  private linkage(g: GlobalValue): string {
    return g.linkage !== undefined && g.linkage !== 'external' ? g.linkage + ' ' : '';
  }

  /** Preemption, visibility, DLL storage class (each with a trailing space). */
  private globalProps(g: GlobalValue): string {
    let s = '';
    if (g.preemption !== undefined) s += g.preemption + ' ';
    if (g.visibility !== undefined && g.visibility !== 'default') s += g.visibility + ' ';
    if (g.dllStorage !== undefined) s += g.dllStorage + ' ';
    return s;
  }

  private threadLocal(g: GlobalValue): string {
    const t = g.threadLocal;
    if (t === undefined) return '';
    if (t.startsWith('thread_local')) return t + ' ';
    if (t === '' || t === 'generaldynamic') return 'thread_local ';
    return `thread_local(${t}) `;
  }

  private comdat(g: { name: string; comdat: string | undefined }, sep: string): string {
    if (g.comdat === undefined) return '';
    return g.comdat === g.name ? `${sep}comdat` : `${sep}comdat($${printName(g.comdat)})`;
  }

  globalVar(g: GlobalVar): string {
    const p: string[] = [this.global(g), ' = '];
    if (g.init === undefined && (g.linkage === undefined || g.linkage === 'external')) p.push('external ');
    p.push(this.linkage(g), this.globalProps(g), this.threadLocal(g));
    if (g.unnamedAddr !== undefined) p.push(g.unnamedAddr, ' ');
    if (g.addrSpace !== 0) p.push(`addrspace(${g.addrSpace}) `);
    if (g.externallyInitialized) p.push('externally_initialized ');
    p.push(g.isConstant ? 'constant ' : 'global ', this.type(g.valueType));
    if (g.init !== undefined) p.push(' ', this.value(g.init));
    if (g.section !== undefined) p.push(`, section "${escapeString(g.section)}"`);
    if (g.partition !== undefined) p.push(`, partition "${escapeString(g.partition)}"`);
    if (g.codeModel !== undefined) p.push(`, code_model ${quoted(g.codeModel)}`);
    for (const s of g.sanitizer) p.push(', ', s);
    p.push(this.comdat(g, ', '));
    if (g.align > 0) p.push(`, align ${g.align}`);
    if (g.md !== undefined) {
      const t = g.md.trim();
      if (t !== '') p.push(', ', t.startsWith(',') ? t.slice(1).trimStart() : t);
    }
    p.push(this.attrs(g.attrs));
    return p.join('');
  }

  private indirect(g: Extract<GlobalValue, { kind: 'alias' | 'ifunc' }>): string {
    const p: string[] = [this.global(g), ' = ', this.linkage(g), this.globalProps(g), this.threadLocal(g)];
    if (g.unnamedAddr !== undefined) p.push(g.unnamedAddr, ' ');
    const target = g.kind === 'alias' ? g.aliasee : g.resolver;
    p.push(g.kind, ' ', this.type(g.valueType), ', ', this.typed(target));
    if (g.partition !== undefined) p.push(`, partition "${escapeString(g.partition)}"`);
    return p.join('');
  }

  /** The metadata attachments of a function header, with a leading space, or ''. */
  private funcMd(f: Func): string {
    const t = f.md === undefined ? '' : f.md.trim().replace(/^,\s*/, '').replace(/,\s*!/g, ' !');
    const dbg = f.dbg >= 0 && !/!dbg\b/.test(t) ? ` !dbg !${f.dbg}` : '';
    return dbg + (t !== '' ? ' ' + t : '');
  }

  func(f: Func, out: string[]): void {
    this.setFunction(f);
    const isDecl = f.blocks.length === 0;
    const p: string[] = [];
    if (isDecl) p.push('declare', this.funcMd(f), ' ');
    else p.push('define ');
    p.push(this.linkage(f), this.globalProps(f));
    if (f.callingConv !== undefined && f.callingConv !== 'ccc') p.push(f.callingConv, ' ');
    const ra = this.attrs(f.retAttrs);
    if (ra !== '') p.push(ra.slice(1), ' ');
    p.push(this.type(f.funcType.ret), ' ', this.global(f), '(');
    const ps: string[] = [];
    for (const prm of f.params) {
      const s = this.type(prm.type) + this.attrs(prm.attrs);
      ps.push(isDecl ? s : `${s} ${this.local(prm.local)}`);
    }
    if (f.funcType.varargs) ps.push('...');
    p.push(ps.join(', '), ')');
    if (f.unnamedAddr !== undefined) p.push(' ', f.unnamedAddr);
    if (f.addrSpace !== 0) p.push(` addrspace(${f.addrSpace})`);
    p.push(this.attrs(f.fnAttrs));
    if (f.section !== undefined) p.push(` section "${escapeString(f.section)}"`);
    if (f.partition !== undefined) p.push(` partition "${escapeString(f.partition)}"`);
    p.push(this.comdat(f, ' '));
    if (f.align > 0) p.push(` align ${f.align}`);
    if (f.gc !== undefined) p.push(` gc "${escapeString(f.gc)}"`);
    if (f.prefix !== undefined) p.push(' prefix ', this.typed(f.prefix));
    if (f.prologue !== undefined) p.push(' prologue ', this.typed(f.prologue));
    if (f.personality !== undefined) p.push(' personality ', this.typed(f.personality));
    if (isDecl) {
      out.push(p.join(''));
      this.setFunction(undefined);
      return;
    }
    p.push(this.funcMd(f), ' {\n');
    // The body is written as bytes into one reused buffer and becomes one flat string per function.
    const o = this.body;
    o.s(p.join(''));
    const slots = this.cur as FuncSlots;
    for (const b of f.blocks) {
      if (b.index !== 0 || isNamed(b.name)) o.w(b.index !== 0 ? '\n' : '', slots.blocks[b.index], ':\n');
      for (const i of b.instrs) {
        if (i.dbgRecords !== undefined) for (const r of i.dbgRecords) o.w('    ', this.debugRecord(r), '\n');
        this.emitInstr(i, o);
        o.s('\n');
      }
    }
    o.s('}');
    out.push(o.take());
    this.slotCache.delete(f); // recomputed if a later blockaddress needs it
    this.setFunction(undefined);
  }

  module(m: Module): string {
    const out: string[] = [];
    if (m.sourceFilename !== undefined) out.push(`source_filename = "${escapeString(m.sourceFilename)}"`);
    if (m.dataLayout !== undefined) out.push(`target datalayout = "${escapeString(m.dataLayout)}"`);
    if (m.triple !== undefined) out.push(`target triple = "${escapeString(m.triple)}"`);
    if (m.moduleAsm.length > 0) {
      out.push('');
      for (const a of m.moduleAsm) out.push(`module asm "${escapeString(a)}"`);
    }

    // Named struct types: numbered ones in numeric order first (llvm-as wants them ascending), then the
    // others in definition order, then those never given a body (opaque) in order of first mention.
    const seen = new Set<StructType>(m.types.defined);
    const named = [...m.types.defined];
    for (const t of m.types.named.values()) if (!seen.has(t)) named.push(t);
    const numbered = named.filter((t) => DIGITS.test(t.name as string));
    numbered.sort((a, b) => Number(a.name) - Number(b.name));
    const structs = [...numbered, ...named.filter((t) => !DIGITS.test(t.name as string))];
    if (structs.length > 0) out.push('');
    for (const t of structs) {
      const body = t.opaque ? 'opaque' : structBody(t.fields, t.packed, (x) => this.type(x));
      out.push(`${this.type(t)} = type ${body}`);
    }

    if (m.comdats.length > 0) out.push('');
    for (const c of m.comdats) out.push(`$${printName(c.name)} = comdat ${c.selection}`);

    const ordered = m.globals
      .map((g, k) => ({ g, k }))
      .sort((a, b) => ORDER_KIND[a.g.kind] - ORDER_KIND[b.g.kind] || a.k - b.k)
      .map((x) => x.g);
    this.nameGlobals(ordered);

    let first = true;
    for (const g of ordered) {
      if (g.kind === 'function') {
        out.push('');
        this.func(g, out);
        continue;
      }
      if (first) out.push('');
      first = false;
      out.push(g.kind === 'gvar' ? this.globalVar(g) : this.indirect(g));
    }

    if (m.attrGroups.size > 0) out.push('');
    for (const n of [...m.attrGroups.keys()].sort((a, b) => a - b)) {
      const as = (m.attrGroups.get(n) as Attr[]).map((a) => this.attr(a, true));
      out.push(`attributes #${n} = { ${as.join(' ')} }`);
    }

    // Metadata: named nodes first, then numbered ones in numeric order.
    const names: string[] = [];
    const nums: number[] = [];
    for (const k of m.metadata.keys()) {
      if (DIGITS.test(k)) nums.push(Number(k));
      else names.push(k);
    }
    nums.sort((a, b) => a - b);
    if (names.length > 0) out.push('');
    for (const k of names) out.push(`!${k.startsWith('!') ? k.slice(1) : k} = ${m.metadata.get(k)}`);
    if (nums.length > 0) out.push('');
    for (const n of nums) out.push(`!${n} = ${m.metadata.get(String(n))}`);
    out.push('');
    return out.join('\n');
  }
}
// ---------------------------------------------------------------------------------------------------
// Public entry points

/** The whole module as IR text that `llvm-as-19` accepts. */
export function printModule(m: Module): string {
  return new Printer().module(m);
}

/**
 * One function (definition or declaration) as IR text. Unnamed globals are referenced by their model
 * name; use `printModule` for text that must assemble.
 */
export function printFunction(m: Module, f: Func): string {
  void m;
  const out: string[] = [];
  new Printer().func(f, out);
  return out.join('\n') + '\n';
}

/** A value with its type, for messages (`i32 %3`, `ptr @g`); pass its function to number unnamed locals. */
export function printValue(v: Value, f?: Func): string {
  const p = new Printer();
  p.setFunction(f);
  return p.typed(v);
}

/** One instruction as it would appear in its function (without indentation), for messages. */
export function printInstr(i: Instr, f?: Func): string {
  const p = new Printer();
  p.setFunction(f);
  return p.instr(i).trimStart();
}
