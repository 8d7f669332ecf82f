/**
 * @fileoverview Stage: gen (shared with native replay). Generated stubs: the functions of another unit that
 * a generated function pointer may stand for.
 *
 * Consumes: a `Module`. Produces: the stubs' names and declarations, and the module seen with them declared
 * (`withStubs`), which the engine links like any declaration and native replay defines like a stubbed
 * external.
 *
 * A library calls callbacks through pointers it was given: Lua's allocator (`lua_State`'s `frealloc`),
 * sqlite3's and lz4's hooks. Often no function of the module has the call's type (the callback lives in
 * another file), so a generated pointer has no address-taken function to be (calls.ts). It may then be a
 * stub: a function of another unit, one per function type of the module's indirect calls, named `stub `
 * followed by the type as IR spells it (`stub ptr (ptr, ptr, i64, i64)`; no C identifier has a space, so
 * no function of a module compiled from C has such a name). A record names it like any function
 * (`{"fn": "stub ptr (ptr, ptr, i64, i64)"}`), and each call of it is recorded in the record's `calls`
 * under that name, in call order with the unmodelled externals' calls: a stub is exactly an unmodelled
 * external whose address the input holds.
 *
 * A stub only returns a generated value of its return type (a pointer becomes a new input object, so a
 * realloc-like callback returns a generated buffer). It does nothing else: it writes nothing through its
 * arguments and calls nothing back. Natively it is a definition that returns the record's next call result.
 */
import { newFunc, type AttrList, type Func, type Module } from '../ir/model.js';
import { printType } from '../ir/print-text.js';
import type { FuncType } from '../ir/types.js';

const STUB_PREFIX = 'stub ';

/** The name of the stub of function type `t`. */
export function stubName(t: FuncType): string {
  return STUB_PREFIX + printType(t);
}

export function isStubName(name: string): boolean {
  return name.startsWith(STUB_PREFIX);
}

/**
 * The stubs a module may need: one per function type of its indirect calls (call sites whose callee is
 * neither a function nor inline asm), in module order, with the return attributes of the type's first
 * call site that change the ABI (`zeroext`, `signext`: the caller relies on the callee extending).
 */
export function stubDeclarations(m: Module): Func[] {
  const byType = new Map<FuncType, Func>();
  for (const g of m.globals) {
    if (g.kind !== 'function') continue;
    for (const b of g.blocks)
      for (const ins of b.instrs) {
        if (ins.op !== 'call' && ins.op !== 'invoke') continue;
        const k = ins.callee.kind;
        if (k === 'function' || k === 'asm' || byType.has(ins.funcType)) continue;
        const ext = ins.retAttrs.attrs.filter((a) => a.name === 'zeroext' || a.name === 'signext');
        byType.set(ins.funcType, declaration(m, ins.funcType, { attrs: ext, groups: [] }));
      }
  }
  return [...byType.values()];
}

/**
 * The module with the stubs in `stubs` declared after its own globals (a new module object sharing
 * everything else; `m` is not changed). Names the module already has are left out.
 */
export function withStubs(m: Module, stubs: readonly Func[]): Module {
  const added = stubs.filter((f) => !m.symbols.has(f.name));
  if (added.length === 0) return m;
  const symbols = new Map(m.symbols);
  for (const f of added) symbols.set(f.name, f);
  return { ...m, globals: [...m.globals, ...added], symbols };
}

function declaration(m: Module, t: FuncType, retAttrs: AttrList): Func {
  return newFunc({ name: stubName(t), type: m.types.pointer(0), linkage: 'external', funcType: t, retAttrs });
}
