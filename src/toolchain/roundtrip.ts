/**
 * @fileoverview Stage: toolchain. LLVM's own view of IR text, to check ours against: a round trip through
 * the toolchain's llvm-as (which runs the verifier) and llvm-dis, and a line-based counter of functions,
 * blocks and instructions over LLVM-printed text, so that our parser never counts either side.
 *
 * Consumes: IR text (clang's, or printed by src/ir/printer.ts). Produces: llvm-dis's text or the first
 * error line; per-function counts and their differences; the first differing line of two texts. Used by
 * the printer's tests (test/ir-roundtrip.test.ts) and the corpus bench (bench/corpus-roundtrip.mjs).
 */

import { spawnSync } from 'node:child_process';
import { findToolchain } from './find.js';

const MAX_BUFFER = 1 << 30;

export interface FunctionCounts {
  readonly blocks: number;
  readonly instrs: number;
}

/** The name after `@` in a `define` line (quoted names unescaped only as far as comparison needs). */
function defineName(line: string): string {
  const at = line.indexOf('@');
  if (at < 0) return line;
  if (line[at + 1] === '"') return line.slice(at + 1, line.indexOf('"', at + 2) + 1);
  return /^[-a-zA-Z$._0-9]+/.exec(line.slice(at + 1))?.[0] ?? line;
}

/**
 * Counts blocks and instructions per defined function in LLVM-printed IR (clang or llvm-dis output):
 * instructions are the lines indented by exactly two spaces (switch cases, landingpad clauses, invoke's
 * `to label` and debug records are indented further; a switch's closing `  ]` is not one); blocks are the
 * label lines, plus the entry block when it has no label.
 */
export function countFunctions(text: string): Map<string, FunctionCounts> {
  const out = new Map<string, FunctionCounts>();
  let cur: { blocks: number; instrs: number } | undefined;
  let name = '';
  let entryPending = false;
  for (const line of text.split('\n')) {
    if (cur === undefined) {
      if (line.startsWith('define ')) {
        name = defineName(line);
        cur = { blocks: 0, instrs: 0 };
        entryPending = true;
      }
      continue;
    }
    if (line === '}') {
      out.set(name, cur);
      cur = undefined;
    } else if (line.startsWith('  ') && line[2] !== ' ' && line[2] !== ']' && line[2] !== ';') {
      if (entryPending) cur.blocks++;
      entryPending = false;
      cur.instrs++;
    } else if (line !== '' && line[0] !== ' ' && line[0] !== ';') {
      cur.blocks++;
      entryPending = false;
    }
  }
  return out;
}

/** Differences between two `countFunctions` maps, as short messages (empty when equal). */
export function compareCounts(
  expected: ReadonlyMap<string, FunctionCounts>,
  actual: ReadonlyMap<string, FunctionCounts>,
): string[] {
  const diffs: string[] = [];
  for (const [fn, e] of expected) {
    const a = actual.get(fn);
    if (a === undefined) diffs.push(`${fn}: missing`);
    else if (a.blocks !== e.blocks || a.instrs !== e.instrs) {
      diffs.push(`${fn}: blocks ${a.blocks} (want ${e.blocks}), instructions ${a.instrs} (want ${e.instrs})`);
    }
  }
  for (const fn of actual.keys()) if (!expected.has(fn)) diffs.push(`${fn}: unexpected`);
  return diffs;
}

/** llvm-dis's text, or the first error line of llvm-as or llvm-dis. */
export type RoundTrip = { dis: string; error?: undefined } | { error: string; dis?: undefined };

/** The toolchain's llvm-as (which also runs the verifier), then its llvm-dis: `{ dis }` or `{ error }`. */
export function llvmRoundTrip(text: string): RoundTrip {
  const tc = findToolchain();
  const name = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
  const as = spawnSync(tc.llvmAs, ['-', '-o', '-'], { input: text, maxBuffer: MAX_BUFFER });
  if (as.status !== 0) return { error: `${name(tc.llvmAs)}: ${String(as.stderr).trim().split('\n')[0]}` };
  const dis = spawnSync(tc.llvmDis, ['-', '-o', '-'], { input: as.stdout, maxBuffer: MAX_BUFFER });
  if (dis.status !== 0) return { error: `${name(tc.llvmDis)}: ${String(dis.stderr).trim().split('\n')[0]}` };
  return { dis: String(dis.stdout).replace(/^; ModuleID = .*\n/, '') };
}

/** The first line where two texts differ, as `line N: -a / +b`, or undefined. */
export function firstDiff(a: string, b: string): string | undefined {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] !== y[i])
      return `line ${i + 1}: -${(x[i] ?? '<eof>').slice(0, 160)} / +${(y[i] ?? '<eof>').slice(0, 160)}`;
  }
  return undefined;
}
