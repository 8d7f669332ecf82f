/**
 * @fileoverview Stage: export. Where a function's IR lies in the source: the lines of each basic block,
 * the conditional branches with their line, and the function's own file and first line, from the `!dbg`
 * locations the parser keeps (src/ir/debuginfo.ts).
 *
 * Consumes: a parsed `Module` compiled with `-g`. Produces: `FunctionLines` per defined function. A
 * source file is named by its absolute path (DIFile `directory` + `filename`). Instructions without a
 * location, at line 0 (code the compiler made up), and the `llvm.dbg.*` and `llvm.lifetime.*` intrinsics
 * (they carry the line of a declaration, not code) place nothing. A branch is a `br i1` or a `switch` with
 * at least two distinct successor blocks; its line is the terminator's own location.
 */
import { isAbsolute, resolve } from 'node:path';
import { blockSuccessors, successors } from '../ir/cfg.js';
import { debugLocation, type DebugLocation } from '../ir/debuginfo.js';
import type { Block, Func, Instr, Module } from '../ir/model.js';

/** A source line: file (absolute path) and line number. */
export interface SourceLine {
  readonly file: string;
  readonly line: number;
}

export interface BranchSite extends SourceLine {
  /** The block the branch ends. */
  readonly block: number;
  /** Distinct successor blocks, in the terminator's order (true then false; default then cases). */
  readonly targets: readonly number[];
}

export interface FunctionLines {
  readonly func: Func;
  /** The function's DISubprogram: file and first line; undefined without one. */
  readonly decl: SourceLine | undefined;
  /** Per block (by index), the distinct source lines of its instructions (as `file\0line` keys). */
  readonly blockLines: readonly (readonly string[])[];
  readonly branches: readonly BranchSite[];
  /** Per block, its predecessor blocks. */
  readonly preds: readonly (readonly number[])[];
}

/** `file\0line`, the key of a source line. */
export function lineKey(file: string, line: number): string {
  return `${file}\0${line}`;
}

export function parseLineKey(k: string): SourceLine {
  const z = k.lastIndexOf('\0');
  return { file: k.slice(0, z), line: Number(k.slice(z + 1)) };
}

/** Absolute path of a location's file. */
export function sourcePath(d: DebugLocation): string {
  return isAbsolute(d.file) ? d.file : resolve(d.dir ?? '', d.file);
}

/** Whether the module has debug locations at all (compiled with -g). */
export function hasDebugInfo(m: Module): boolean {
  for (const g of m.globals) {
    if (g.kind !== 'function' || g.blocks.length === 0) continue;
    if (g.dbg >= 0) return true;
    for (const b of g.blocks) for (const i of b.instrs) if (i.dbg >= 0) return true;
  }
  return false;
}

/** The source line of an instruction, or undefined when it places nothing (see the header). */
export function instrLine(m: Module, i: Instr): SourceLine | undefined {
  if (i.dbg < 0 || isMarker(i)) return undefined;
  const d = debugLocation(m, i.dbg);
  if (d === undefined || d.line <= 0) return undefined;
  return { file: sourcePath(d), line: d.line };
}

function isMarker(i: Instr): boolean {
  if (i.op !== 'call') return false;
  const c = i.callee;
  return (
    'kind' in c &&
    c.kind === 'function' &&
    (c.name.startsWith('llvm.dbg.') || c.name.startsWith('llvm.lifetime.'))
  );
}

/** The lines, branches and predecessors of `f`. */
export function functionLines(m: Module, f: Func): FunctionLines {
  const blockLines = f.blocks.map((b) => {
    const keys = new Set<string>();
    for (const i of b.instrs) {
      const l = instrLine(m, i);
      if (l !== undefined) keys.add(lineKey(l.file, l.line));
    }
    return [...keys];
  });
  const preds: number[][] = f.blocks.map(() => []);
  for (const b of f.blocks) for (const s of new Set(blockSuccessors(b))) preds[s.index]!.push(b.index);
  const branches: BranchSite[] = [];
  for (const b of f.blocks) {
    const site = branchSite(m, b);
    if (site !== undefined) branches.push(site);
  }
  const d = f.dbg >= 0 ? debugLocation(m, f.dbg) : undefined;
  const decl = d === undefined || d.line <= 0 ? undefined : { file: sourcePath(d), line: d.line };
  return { func: f, decl, blockLines, branches, preds };
}

function branchSite(m: Module, b: Block): BranchSite | undefined {
  const t = b.instrs[b.instrs.length - 1];
  if (t === undefined || !((t.op === 'br' && t.cond !== undefined) || t.op === 'switch')) return undefined;
  const targets = [...new Set(successors(t).map((s) => s.index))];
  if (targets.length < 2) return undefined;
  const l = instrLine(m, t);
  return l === undefined ? undefined : { ...l, block: b.index, targets };
}
