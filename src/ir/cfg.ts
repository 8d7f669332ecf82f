/**
 * @fileoverview Stage: ir. The control-flow edges of the IR model: which blocks a terminator can pass
 * control to.
 *
 * Consumes: a terminator `Instr` (./model). Produces: its successor blocks, in the order the instruction
 * writes them. The one definition of a block's successors: the module summary (./summary) and the
 * engine's control-flow analysis (engine/cfg) both use it.
 */
import type { Block, Instr, TerminatorOp } from './model.js';

/**
 * Successor blocks of a terminator, in the order it writes them (duplicates kept); empty for `ret`,
 * `resume`, `unreachable`, unwinding to the caller, a missing terminator, and non-terminators.
 */
export function successors(t: Instr | undefined): Block[] {
  if (t === undefined) return [];
  switch (t.op) {
    case 'br':
      return t.ifFalse !== undefined ? [t.ifTrue, t.ifFalse] : [t.ifTrue];
    case 'switch':
      return [t.defaultBlock, ...t.cases.map((c) => c.block)];
    case 'indirectbr':
      return t.targets.slice();
    case 'invoke':
      return [t.normal, t.unwind];
    case 'callbr':
      return [t.fallthrough, ...t.indirect];
    case 'catchswitch':
      return t.unwind !== undefined ? [...t.handlers, t.unwind] : t.handlers.slice();
    case 'catchret':
      return [t.target];
    case 'cleanupret':
      return t.unwind !== undefined ? [t.unwind] : [];
    case 'ret':
    case 'resume':
    case 'unreachable':
      return [];
    default: {
      // Only non-terminators are left: a terminator opcode added to the model without a case above
      // does not compile.
      const other: Exclude<Instr['op'], TerminatorOp> = t.op;
      void other;
      return [];
    }
  }
}

/** Successors of the block's terminator (its last instruction). */
export function blockSuccessors(b: Block): Block[] {
  return successors(b.instrs[b.instrs.length - 1]);
}
