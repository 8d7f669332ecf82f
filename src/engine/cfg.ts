/**
 * @fileoverview Stage: engine (codegen). Control-flow analysis of one IR function for structured emission.
 *
 * Consumes: a `Func`'s blocks and terminators (their successors from ir/cfg). Produces: reverse postorder,
 * the dominator tree (Cooper-Harvey-Kennedy), loop headers, merge nodes, and whether the CFG is reducible.
 * The emitter uses these to print JS loops and labeled blocks (Ramsey, "Beyond Relooper", JFP 2022)
 * instead of a switch-in-a-loop dispatcher, which V8 optimises much better.
 */
import { blockSuccessors } from '../ir/cfg.js';
import type { Block, Func } from '../ir/model.js';

export interface Cfg {
  readonly succ: Block[][];
  /** Blocks reachable from the entry, in reverse postorder. */
  readonly rpo: Block[];
  /** rpo index per block index (-1 when unreachable). */
  readonly rpoNum: number[];
  /** Immediate dominator (block index) per block index; entry's is itself; -1 if unreachable. */
  readonly idom: number[];
  /** Dominator-tree children per block index, in increasing RPO. */
  readonly children: number[][];
  readonly isLoopHeader: boolean[];
  /** Blocks with two or more forward in-edges. */
  readonly isMerge: boolean[];
  readonly reducible: boolean;
}

export function analyze(f: Func): Cfg {
  const n = f.blocks.length;
  const succ = f.blocks.map(blockSuccessors);
  // Iterative DFS for postorder.
  const post: Block[] = [];
  const state = new Uint8Array(n);
  const stack: [Block, number][] = [[f.blocks[0]!, 0]];
  state[0] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const ss = succ[top[0].index]!;
    if (top[1] < ss.length) {
      const s = ss[top[1]++]!;
      if (state[s.index] === 0) {
        state[s.index] = 1;
        stack.push([s, 0]);
      }
    } else {
      post.push(top[0]);
      stack.pop();
    }
  }
  const rpo = post.reverse();
  const rpoNum = new Array<number>(n).fill(-1);
  rpo.forEach((b, i) => (rpoNum[b.index] = i));
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (const b of rpo) for (const s of succ[b.index]!) preds[s.index]!.push(b.index);
  // Dominators (Cooper, Harvey, Kennedy).
  const idom = new Array<number>(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (rpoNum[a]! > rpoNum[b]!) a = idom[a]!;
      while (rpoNum[b]! > rpoNum[a]!) b = idom[b]!;
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const b of rpo) {
      if (b.index === 0) continue;
      let nd = -1;
      for (const p of preds[b.index]!) {
        if (idom[p] === -1) continue;
        nd = nd === -1 ? p : intersect(p, nd);
      }
      if (nd !== idom[b.index]) {
        idom[b.index] = nd;
        changed = true;
      }
    }
  }
  const dominates = (a: number, b: number): boolean => {
    for (;;) {
      if (a === b) return true;
      if (b === 0) return false;
      b = idom[b]!;
    }
  };
  const children: number[][] = Array.from({ length: n }, () => []);
  for (const b of rpo) if (b.index !== 0) children[idom[b.index]!]!.push(b.index);
  const isLoopHeader = new Array<boolean>(n).fill(false);
  const fwdIn = new Array<number>(n).fill(0);
  let reducible = true;
  for (const b of rpo) {
    for (const s of succ[b.index]!) {
      if (rpoNum[s.index]! <= rpoNum[b.index]!) {
        isLoopHeader[s.index] = true;
        if (!dominates(s.index, b.index)) reducible = false;
      } else fwdIn[s.index]!++;
    }
  }
  const isMerge = fwdIn.map((c) => c >= 2);
  return { succ, rpo, rpoNum, idom, children, isLoopHeader, isMerge, reducible };
}
