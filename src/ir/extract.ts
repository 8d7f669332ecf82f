/**
 * @fileoverview Stage: ir. A self-contained module for one function: the function, every function and
 * global it reaches (callees, address-taken functions, globals and what their initializers point at,
 * aliases and resolvers), and nothing else, so that it assembles on its own and runs exactly as the
 * function did in its module (the dataset's rows replay on it: docs/dataset.md).
 *
 * Consumes: a parsed `Module`. Produces: a new `Module` sharing the kept globals' objects with the original
 * (nothing is copied or changed; print it with `printModule`). Kept: the data layout, triple, module
 * asm, attribute groups and all module metadata (debug information of dropped functions stays, unused,
 * which `llvm-as` accepts); globals a metadata node names (`!{ptr @g}`) are kept too, so the metadata still
 * resolves. Dropped: every other global, including `llvm.used`-style lists (they keep code alive, which a
 * single function does not need).
 */
import type { Func, GlobalValue, Module } from './model.js';

/**
 * The module of `name` and what it reaches; `also` names more roots (functions an input points at, so a
 * record with a pointer to one of them still resolves). An unknown or undefined name is an Error.
 */
export function extractFunction(m: Module, name: string, also: readonly string[] = []): Module {
  const keep = new Set<GlobalValue>();
  const work: GlobalValue[] = [];
  const add = (g: GlobalValue): void => {
    if (!keep.has(g)) {
      keep.add(g);
      work.push(g);
    }
  };
  for (const n of [name, ...also]) {
    const g = m.symbols.get(n);
    if (g === undefined) throw new Error(`no global @${n} in the module`);
    if (n === name && (g.kind !== 'function' || g.blocks.length === 0))
      throw new Error(`@${n} is not a function defined in the module`);
    add(g);
  }
  // Globals that module metadata names (`!{ptr @g}`) stay, so every metadata node still resolves.
  for (const text of m.metadata.values())
    for (const r of text.matchAll(/@("(?:[^"\\]|\\.)*"|[-\w$.]+)/g)) {
      const g = m.symbols.get(r[1]!.startsWith('"') ? (JSON.parse(r[1]!) as string) : r[1]!);
      if (g !== undefined) add(g);
    }
  while (work.length > 0) {
    const g = work.pop()!;
    for (const r of referencedGlobals(g)) add(r);
  }
  const globals = m.globals.filter((g) => keep.has(g));
  const comdats = new Set<string>();
  for (const g of globals) if ('comdat' in g && g.comdat !== undefined) comdats.add(g.comdat);
  return {
    types: m.types,
    sourceFilename: m.sourceFilename,
    dataLayout: m.dataLayout,
    triple: m.triple,
    moduleAsm: [...m.moduleAsm],
    globals,
    symbols: new Map(globals.map((g) => [g.name, g])),
    comdats: m.comdats.filter((c) => comdats.has(c.name) || globals.some((g) => g.name === c.name)),
    attrGroups: m.attrGroups,
    metadata: m.metadata,
    file: m.file,
  };
}

/** The globals one global refers to: a definition's operands, an initializer, an aliasee or a resolver. */
export function referencedGlobals(g: GlobalValue): Set<GlobalValue> {
  const out = new Set<GlobalValue>();
  switch (g.kind) {
    case 'gvar':
      if (g.init !== undefined) walk(g.init, out, 0);
      break;
    case 'alias':
      walk(g.aliasee, out, 0);
      break;
    case 'ifunc':
      walk(g.resolver, out, 0);
      break;
    case 'function':
      funcRefs(g, out);
      break;
  }
  out.delete(g);
  return out;
}

function funcRefs(f: Func, out: Set<GlobalValue>): void {
  for (const c of [f.personality, f.prefix, f.prologue]) if (c !== undefined) walk(c, out, 0);
  for (const b of f.blocks)
    for (const i of b.instrs)
      for (const [k, v] of Object.entries(i)) if (k !== 'type' && typeof v === 'object') walk(v, out, 0);
}

/**
 * Globals in a value, an array of values or an operand record ({ value }, { inputs }). Blocks, types and
 * locals hold none (a block's instructions are walked by `funcRefs`, not through a branch's target).
 */
function walk(x: unknown, out: Set<GlobalValue>, depth: number): void {
  if (x === null || typeof x !== 'object' || depth > 64) return;
  if (Array.isArray(x)) {
    for (const e of x) walk(e, out, depth + 1);
    return;
  }
  const v = x as { kind?: string; elems?: unknown; value?: unknown; inputs?: unknown; args?: unknown };
  switch (v.kind) {
    case 'function':
    case 'gvar':
    case 'alias':
    case 'ifunc':
      out.add(v as GlobalValue);
      return;
    case 'expr':
      return walk((v as { operands: unknown }).operands, out, depth + 1);
    case 'array':
    case 'struct':
    case 'vector':
      // Constants have `elems`; the types of these kinds (no `elems`) hold no values.
      return 'elems' in v ? walk(v.elems, out, depth + 1) : undefined;
    case 'splat':
      return walk((v as { elem: unknown }).elem, out, depth + 1);
    case 'blockaddress':
    case 'dso_local_equivalent':
    case 'no_cfi':
      return walk((v as { func: unknown }).func, out, depth + 1);
    case 'metadata':
      walk(v.value, out, depth + 1);
      return walk(v.args, out, depth + 1);
    case undefined:
      // An operand record: a call argument, a phi's incoming value, a clause, a bundle.
      if ('value' in v) walk(v.value, out, depth + 1);
      if ('inputs' in v) walk(v.inputs, out, depth + 1);
      return;
    default:
      return;
  }
}
