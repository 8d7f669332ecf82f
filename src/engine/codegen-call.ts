/**
 * @fileoverview Stage: engine (codegen). Emission of calls: direct, indirect (through the function table),
 * variadic (the caller writes an x86-64 SysV overflow area on the stack and passes its address as a hidden
 * last argument), setjmp, and intrinsics (delegated to intrinsics.ts).
 *
 * Consumes: call/invoke instructions. Produces: JS statements. Calling convention of generated functions:
 * every leaf slot of every parameter is one JS parameter (i64 -> lo, hi), plus `va` for variadic functions;
 * the result is the return value (first slot), with the high half of an i64 in H[0] and further slots of an
 * aggregate in RS[1..]. Imports the leaf (codegen-emit.ts) and intrinsics.ts.
 */
import type { CallInstr, InvokeInstr, Value } from '../ir/model.js';
import type { FuncEmitter } from './codegen-emit.js';
import { cpuidRegisters, type CpuidReg } from './cpuid.js';
import { compileAsm, type AsmOperand } from './asm.js';
import { emitIntrinsic } from './intrinsics.js';
import { UnsupportedError } from './values.js';

export const SETJMP_NAMES: ReadonlySet<string> = new Set([
  'setjmp',
  '_setjmp',
  '__sigsetjmp',
  'sigsetjmp',
  '__setjmp',
]);

export function isSetjmpCall(i: CallInstr): boolean {
  return i.callee.kind === 'function' && SETJMP_NAMES.has(i.callee.name);
}

/** Resolve a callee through aliases to a function, if it is one. */
function directCallee(v: Value): Extract<Value, { kind: 'function' }> | undefined {
  let c: Value = v;
  for (let k = 0; k < 8 && c.kind === 'alias'; k++) c = c.aliasee;
  return c.kind === 'function' ? c : undefined;
}

/** Assign a call expression's result to the result slots. */
export function assignResult(g: FuncEmitter, i: CallInstr | InvokeInstr, call: string): void {
  if (i.result === undefined || i.result.type.kind === 'void') {
    g.out(`${call};`);
    return;
  }
  const d = g.slots(i.result);
  if (d.length === 1) g.out(`${d[0]} = ${call};`);
  else if (d.length === 2 && i.result.type.kind === 'int') g.out(`${d[0]} = ${call}; ${d[1]} = H[0];`);
  else
    g.out(
      `${d[0]} = ${call}; ${d
        .slice(1)
        .map((s, k) => `${s} = RS[${k + 1}];`)
        .join(' ')}`,
    );
}

export function emitCall(g: FuncEmitter, i: CallInstr | InvokeInstr): void {
  const callee = i.callee;
  if (callee.kind === 'asm') {
    emitAsm(g, i, callee.asm, callee.constraints);
    return;
  }
  const fn = directCallee(callee);
  if (fn !== undefined && fn.name.startsWith('llvm.eh.typeid.for')) {
    // The selector value a landingpad gives for this typeinfo (eh.ts).
    assignResult(g, i, `EH.typeId(${g.op1(i.args[0]!.value)})`);
    return;
  }
  if (fn !== undefined && fn.name.startsWith('llvm.')) {
    emitIntrinsic(g, i, fn.name);
    return;
  }
  if (fn !== undefined && i.op === 'call' && SETJMP_NAMES.has(fn.name)) {
    const st = g.setjmpStates.get(i);
    g.out(`SETJMP(${g.op1(i.args[0]!.value)}, JF, ${st ?? -1}, ${g.site()}); LJV = 0;`);
    return;
  }
  const ft = i.funcType;
  const args: string[] = [];
  const nFixed = ft.params.length;
  i.args.slice(0, nFixed).forEach((a) => args.push(...g.opndAll(a.value)));
  let vsp: string | undefined;
  if (ft.varargs) {
    vsp = g.tmp();
    const va = g.tmp();
    const writes: string[] = [];
    let off = 0;
    for (const a of i.args.slice(nFixed)) {
      const byval = a.attrs.attrs.find((x) => x.name === 'byval');
      if (byval !== undefined && byval.type !== undefined) {
        const size = g.dl.allocSize(byval.type);
        const al = g.dl.abiAlign(byval.type) > 8 ? 16 : 8;
        off = Math.ceil(off / al) * al;
        writes.push(`CPY(${va} + ${off}, ${g.op1(a.value)}, ${size});`);
        off += Math.ceil(size / 8) * 8;
        continue;
      }
      const leaves = g.leaves(a.value.type);
      leaves.forEach((l, j) => {
        const v = g.opnd(a.value, j);
        const big = l.k === 'x' || l.k === 'b';
        if (big) off = Math.ceil(off / 16) * 16;
        const p = `${va} + ${off}`;
        switch (l.k) {
          case 'i':
            writes.push(`DV.setInt32(${p}, ${l.bits < 32 ? v[0] : v[0]}, true);`);
            break;
          case 'l':
            writes.push(`DV.setInt32(${p}, ${v[0]}, true); DV.setInt32(${p} + 4, ${v[1]}, true);`);
            break;
          case 'p':
            writes.push(`DV.setInt32(${p}, ${v[0]} | 0, true); DV.setInt32(${p} + 4, P2H(${v[0]}), true);`);
            break;
          case 'f':
            writes.push(`DV.setFloat32(${p}, ${v[0]}, true);`);
            break;
          case 'd':
            writes.push(`DV.setFloat64(${p}, ${v[0]}, true);`);
            break;
          case 'x':
            writes.push(`ST80(${p}, ${v[0]});`);
            break;
          case 'b':
            writes.push(`STB(${p}, ${Math.ceil(l.bits / 8)}, ${v[0]});`);
            break;
        }
        off += big ? 16 : 8;
      });
    }
    g.out(`const ${vsp} = M.sp; const ${va} = VA(${Math.max(off, 8)}, ${g.site()});`);
    for (const w of writes) g.out(w);
    args.push(va);
  }
  let target: string;
  if (fn !== undefined) {
    target = g.ctx.jsName(fn);
    if (fn.blocks.length === 0) g.out(`CS = ${g.site()};`);
  } else {
    target = `FN(${g.op1(callee)}, ${g.site()})`;
    g.out(`CS = ${g.site()};`);
  }
  assignResult(g, i, `${target}(${args.join(', ')})`);
  if (vsp !== undefined) g.out(`POP(${vsp});`);
}

/**
 * Inline assembly that real code uses and that has a meaning here: nothing at all (empty, `nop`, alignment
 * directives: compiler barriers and loop alignment), and `cpuid`, answered from cpuid.ts (a baseline
 * x86-64: code that dispatches on CPU features takes its portable path, natively replayed the same).
 * A subset of x86-64 instructions is compiled by asm.ts; anything else is the unsupported-asm outcome,
 * reached only when the statement runs.
 */
function emitAsm(g: FuncEmitter, i: CallInstr | InvokeInstr, asm: string, constraints: string): void {
  const text = asm.trim();
  const results = i.result !== undefined && i.result.type.kind !== 'void' ? g.slots(i.result) : [];
  if (/^((nop|\.p2align\s+\d+(\s*,\s*\d+)*|\.align\s+\d+)\s*(;|\n|$)\s*)*$/.test(text)) {
    for (const d of results) g.out(`${d} = 0;`);
    return;
  }
  if (text === 'cpuid') {
    const regs = cpuidRegisters(constraints);
    if (regs === undefined || regs.outs.length !== results.length)
      throw new UnsupportedError(`inline assembly "cpuid" with constraints "${constraints}"`);
    const input = (r: CpuidReg): string => {
      const k = regs.ins.indexOf(r);
      return k < 0 ? '0' : g.op1(i.args[k]!.value);
    };
    const t = g.tmp();
    g.out(`const ${t} = CPUID(${input('a')}, ${input('c')});`);
    regs.outs.forEach((r, k) => g.out(`${results[k]} = ${t}[${'abcd'.indexOf(r)}];`));
    return;
  }
  const r = compileAsmCall(g, i, text, constraints, results);
  if ('js' in r) {
    for (const l of r.js) g.out(l);
    return;
  }
  const msg = JSON.stringify(`inline assembly "${asm}" (${r.unsupported})`);
  g.out(`CS = ${g.site()}; throw new Trap('unsupported-asm', ${msg});`);
}

/** The operands of an asm call for asm.ts: outputs from the result's int fields, inputs from the arguments. */
function compileAsmCall(
  g: FuncEmitter,
  i: CallInstr | InvokeInstr,
  text: string,
  constraints: string,
  results: string[],
): { js: string[] } | { unsupported: string } {
  const rt = i.result?.type;
  const fields = rt === undefined || rt.kind === 'void' ? [] : rt.kind === 'struct' ? rt.fields : [rt];
  const outs: AsmOperand[] = [];
  let slot = 0;
  for (const f of fields) {
    if (f.kind !== 'int' || (f.bits !== 32 && f.bits !== 64)) return { unsupported: 'output type' };
    const d = results.slice(slot, slot + (f.bits === 64 ? 2 : 1));
    slot += d.length;
    outs.push({
      bits: f.bits,
      store: (v) =>
        f.bits === 32
          ? `${d[0]} = Number(BigInt.asIntN(32, ${v}));`
          : `${d[0]} = Number(BigInt.asIntN(32, ${v})); ${d[1]} = Number(BigInt.asIntN(32, ${v} >> 32n));`,
    });
  }
  const ins: AsmOperand[] = [];
  for (const a of i.args) {
    const t = a.value.type;
    if (t.kind !== 'int' || (t.bits !== 32 && t.bits !== 64)) return { unsupported: 'input type' };
    const v = g.opnd(a.value, 0);
    ins.push({
      bits: t.bits,
      value:
        t.bits === 32
          ? `BigInt((${v[0]}) >>> 0)`
          : `((BigInt((${v[1]}) >>> 0) << 32n) | BigInt((${v[0]}) >>> 0))`,
    });
  }
  return compileAsm(text, constraints, outs, ins, () => g.tmp());
}
