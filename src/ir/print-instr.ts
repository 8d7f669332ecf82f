/**
 * @fileoverview Stage: ir (printer). Instructions in IR text: one instruction's body and line.
 *
 * Consumes: the model's instructions (./model), their operands spelled by `ValuePrinter` (./print-value).
 * Produces: `InstrPrinter`, which writes instructions as bytes into a `ByteOut` (./print-text); ./printer
 * extends it with functions and modules.
 */
import type { Block, Instr, Value } from './model.js';
import { ByteOut, escapeString, flagStr } from './print-text.js';
import { ValuePrinter, labelNum } from './print-value.js';

/** The value printer with instructions. */
export class InstrPrinter extends ValuePrinter {
  private blockList(bs: readonly Block[]): string {
    return bs.map((b) => `label ${this.label(b)}`).join(', ');
  }

  /** Raw metadata attachments (other than `!dbg`) of an instruction, as `, !kind !N...`. */
  private instrMd(md: string): string {
    if (md.startsWith(', !')) return md;
    const t = md.trim();
    if (t === '') return '';
    return ', ' + (t.startsWith(',') ? t.slice(1).trimStart() : t);
  }

  private syncscope(s: string | undefined): string {
    if (s === undefined) return '';
    return s.startsWith('syncscope') ? ' ' + s : ` syncscope("${escapeString(s)}")`;
  }

  private alignSuffix(align: number): string {
    return align > 0 ? `, align ${align}` : '';
  }

  private callLike(i: Extract<Instr, { op: 'call' | 'invoke' | 'callbr' }>, o: ByteOut): void {
    if (i.fastMath.length > 0) o.w(flagStr(i.fastMath));
    if (i.callingConv !== undefined && i.callingConv !== 'ccc') o.w(' ', i.callingConv);
    if (i.retAttrs.attrs.length > 0 || i.retAttrs.groups.length > 0) o.w(this.attrs(i.retAttrs));
    if (i.addrSpace !== undefined && i.addrSpace !== 0) o.w(` addrspace(${i.addrSpace})`);
    const ft = i.funcType;
    o.w(
      ' ',
      i.explicitFuncType || ft.varargs ? this.type(ft) : this.type(ft.ret),
      ' ',
      this.value(i.callee),
      '(',
    );
    const args = i.args;
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      if (k > 0) o.w(', ');
      o.w(this.type(a.value.type));
      if (a.attrs.attrs.length > 0 || a.attrs.groups.length > 0) o.w(this.attrs(a.attrs));
      o.w(' ', this.value(a.value));
    }
    o.w(')');
    if (i.fnAttrs.attrs.length > 0 || i.fnAttrs.groups.length > 0) o.w(this.attrs(i.fnAttrs));
    if (i.bundles.length > 0) {
      const bs = i.bundles.map(
        (b) => `"${escapeString(b.tag)}"(${b.inputs.map((v) => this.typed(v)).join(', ')})`,
      );
      o.w(` [ ${bs.join(', ')} ]`);
    }
  }

  /** Writes `type value` of `v`. */
  private pushTyped(v: Value, o: ByteOut): void {
    o.w(this.type(v.type), ' ', this.value(v));
  }

  /** One instruction without indentation, result or metadata (`add nsw i32 %1, 2`). */
  instrBody(i: Instr): string {
    const o = new ByteOut();
    this.emitBody(i, o);
    return o.take();
  }

  /**
   * Writes an instruction (without indentation, result or metadata) to `o`. The pieces are mostly shared
   * strings (cached types, value names) copied as bytes, so printing an instruction allocates little.
   */
  // eslint-disable-next-line max-lines-per-function -- dispatch over every opcode (issue 11 allows it)
  private emitBody(i: Instr, o: ByteOut): void {
    switch (i.op) {
      // The most frequent instructions first.
      case 'load':
        o.w(i.ordering !== undefined ? 'load atomic' : 'load');
        if (i.volatile) o.w(' volatile');
        o.w(' ', this.type(i.type), ', ');
        this.pushTyped(i.ptr, o);
        if (i.ordering !== undefined) o.w(this.syncscope(i.syncscope), ' ', i.ordering);
        if (i.align > 0) o.w(', align ', labelNum(i.align));
        return;
      case 'store':
        o.w(i.ordering !== undefined ? 'store atomic' : 'store');
        if (i.volatile) o.w(' volatile');
        o.w(' ');
        this.pushTyped(i.value, o);
        o.w(', ');
        this.pushTyped(i.ptr, o);
        if (i.ordering !== undefined) o.w(this.syncscope(i.syncscope), ' ', i.ordering);
        if (i.align > 0) o.w(', align ', labelNum(i.align));
        return;
      case 'getelementptr':
        o.w('getelementptr', flagStr(i.flags), ' ', this.type(i.srcType), ', ');
        this.pushTyped(i.ptr, o);
        for (const x of i.indices) {
          o.w(', ');
          this.pushTyped(x, o);
        }
        return;
      case 'call':
        if (i.tail !== undefined) o.w(i.tail, ' ');
        o.w('call');
        this.callLike(i, o);
        return;
      case 'br':
        if (i.cond === undefined) {
          o.w('br label ', this.label(i.ifTrue));
          return;
        }
        o.w('br ');
        this.pushTyped(i.cond, o);
        o.w(', label ', this.label(i.ifTrue), ', label ', this.label(i.ifFalse ?? i.ifTrue));
        return;
      case 'add':
      case 'sub':
      case 'mul':
      case 'udiv':
      case 'sdiv':
      case 'urem':
      case 'srem':
      case 'shl':
      case 'lshr':
      case 'ashr':
      case 'and':
      case 'or':
      case 'xor':
      case 'fadd':
      case 'fsub':
      case 'fmul':
      case 'fdiv':
      case 'frem':
        o.w(i.op, flagStr(i.flags), ' ', this.type(i.type), ' ', this.value(i.lhs), ', ', this.value(i.rhs));
        return;
      case 'icmp':
      case 'fcmp':
        o.w(i.op, flagStr(i.flags), ' ', i.pred, ' ', this.type(i.opType), ' ');
        o.w(this.value(i.lhs), ', ', this.value(i.rhs));
        return;
      case 'phi': {
        o.w('phi', flagStr(i.flags), ' ', this.type(i.type), ' ');
        const inc = i.incoming;
        for (let k = 0; k < inc.length; k++) {
          o.w(k > 0 ? ', [ ' : '[ ', this.value(inc[k].value), ', ', this.label(inc[k].block), ' ]');
        }
        return;
      }
      case 'trunc':
      case 'zext':
      case 'sext':
      case 'fptrunc':
      case 'fpext':
      case 'fptoui':
      case 'fptosi':
      case 'uitofp':
      case 'sitofp':
      case 'ptrtoint':
      case 'inttoptr':
      case 'bitcast':
      case 'addrspacecast':
        o.w(i.op, flagStr(i.flags), ' ');
        this.pushTyped(i.operand, o);
        o.w(' to ', this.type(i.type));
        return;
      case 'select':
        o.w('select', flagStr(i.flags), ' ');
        this.pushTyped(i.cond, o);
        o.w(', ');
        this.pushTyped(i.ifTrue, o);
        o.w(', ');
        this.pushTyped(i.ifFalse, o);
        return;
      case 'ret':
        if (i.value === undefined) o.w('ret void');
        else {
          o.w('ret ');
          this.pushTyped(i.value, o);
        }
        return;
      case 'alloca':
        o.w('alloca ', i.inalloca ? 'inalloca ' : '', this.type(i.allocType));
        if (i.count !== undefined) o.w(', ', this.typed(i.count));
        if (i.align > 0) o.w(', align ', labelNum(i.align));
        if (i.addrSpace !== 0) o.w(`, addrspace(${i.addrSpace})`);
        return;
      case 'switch':
        o.w(`switch ${this.typed(i.value)}, label ${this.label(i.defaultBlock)} [\n`);
        for (const c of i.cases) o.w(`    ${this.typed(c.value)}, label ${this.label(c.block)}\n`);
        o.w('  ]');
        return;
      case 'unreachable':
        o.w('unreachable');
        return;
      case 'fneg':
        o.w(`fneg${flagStr(i.flags)} ${this.typed(i.operand)}`);
        return;
      case 'freeze':
        o.w(`freeze ${this.typed(i.operand)}`);
        return;
      case 'extractelement':
        o.w(`extractelement ${this.typed(i.vector)}, ${this.typed(i.index)}`);
        return;
      case 'insertelement':
        o.w(`insertelement ${this.typed(i.vector)}, ${this.typed(i.element)}, ${this.typed(i.index)}`);
        return;
      case 'shufflevector':
        o.w(`shufflevector ${this.typed(i.a)}, ${this.typed(i.b)}, ${this.typed(i.maskValue)}`);
        return;
      case 'extractvalue':
        o.w(`extractvalue ${this.typed(i.aggregate)}, ${i.indices.join(', ')}`);
        return;
      case 'insertvalue':
        o.w(`insertvalue ${this.typed(i.aggregate)}, ${this.typed(i.element)}, ${i.indices.join(', ')}`);
        return;
      case 'fence':
        o.w(`fence${this.syncscope(i.syncscope)} ${i.ordering}`);
        return;
      case 'cmpxchg': {
        const w = (i.weak ? ' weak' : '') + (i.volatile ? ' volatile' : '');
        o.w(
          `cmpxchg${w} ${this.typed(i.ptr)}, ${this.typed(i.cmp)}, ${this.typed(i.newValue)}`,
          `${this.syncscope(i.syncscope)} ${i.successOrdering} ${i.failureOrdering}${this.alignSuffix(i.align)}`,
        );
        return;
      }
      case 'atomicrmw': {
        const vol = i.volatile ? ' volatile' : '';
        o.w(
          `atomicrmw${vol} ${i.rmwOp} ${this.typed(i.ptr)}, ${this.typed(i.value)}`,
          `${this.syncscope(i.syncscope)} ${i.ordering}${this.alignSuffix(i.align)}`,
        );
        return;
      }
      case 'va_arg':
        o.w(`va_arg ${this.typed(i.list)}, ${this.type(i.type)}`);
        return;
      case 'indirectbr':
        o.w(`indirectbr ${this.typed(i.address)}, [${this.blockList(i.targets)}]`);
        return;
      case 'invoke':
        o.w('invoke');
        this.callLike(i, o);
        o.w(`\n          to label ${this.label(i.normal)} unwind label ${this.label(i.unwind)}`);
        return;
      case 'callbr':
        o.w('callbr');
        this.callLike(i, o);
        o.w(`\n          to label ${this.label(i.fallthrough)} [${this.blockList(i.indirect)}]`);
        return;
      case 'landingpad':
        o.w(`landingpad ${this.type(i.type)}`);
        if (i.cleanup) o.w('\n          cleanup');
        for (const c of i.clauses) o.w(`\n          ${c.kind} ${this.typed(c.value)}`);
        return;
      case 'resume':
        o.w(`resume ${this.typed(i.value)}`);
        return;
      case 'catchswitch': {
        const unwind = i.unwind === undefined ? 'to caller' : `label ${this.label(i.unwind)}`;
        o.w(`catchswitch within ${this.value(i.parent)} [${this.blockList(i.handlers)}] unwind ${unwind}`);
        return;
      }
      case 'catchret':
        o.w(`catchret from ${this.value(i.pad)} to label ${this.label(i.target)}`);
        return;
      case 'cleanupret': {
        const unwind = i.unwind === undefined ? 'to caller' : `label ${this.label(i.unwind)}`;
        o.w(`cleanupret from ${this.value(i.pad)} unwind ${unwind}`);
        return;
      }
      case 'catchpad':
      case 'cleanuppad':
        o.w(`${i.op} within ${this.value(i.parent)} [${i.args.map((a) => this.typed(a)).join(', ')}]`);
        return;
    }
  }

  /** Writes one instruction line (two-space indent, result, body, attachments) without the newline. */
  emitInstr(i: Instr, o: ByteOut): void {
    if (i.result !== undefined) o.w('  ', this.local(i.result), ' = ');
    else {
      const x = this.cur !== undefined && this.cur.extra.size > 0 ? this.cur.extra.get(i) : undefined;
      o.w(x !== undefined ? `  ${x} = ` : '  ');
    }
    this.emitBody(i, o);
    if (i.dbg >= 0) o.w(', !dbg !', String(i.dbg));
    if (i.md !== undefined) o.w(this.instrMd(i.md));
  }

  /** One instruction line as it appears in a function body (two-space indent, result, attachments). */
  instr(i: Instr): string {
    const o = new ByteOut();
    this.emitInstr(i, o);
    return o.take();
  }
}
