/**
 * @fileoverview Stage: progs. Library entry of the random C program generator: load a grammar,
 * generate programs (text plus expected output), verify a program tree by re-running it, write a
 * directory of programs. The checker (compile and run with several compilers) is in check.ts.
 *
 * Consumes: seeds and an optional grammar file. Produces: `GeneratedProgram`s and files on disk.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import type { Program } from './ast.js';
import { DEFAULT_GRAMMAR } from './default-grammar.js';
import { type GenerateOptions, checksum, checksumVars, generateProgram } from './generator.js';
import { type Grammar, parseGrammar } from './grammar.js';
import { FROZEN_UB, type Frame, Machine } from './interp.js';
import { expectedStdout, printProgram } from './printer.js';

export { DEFAULT_GRAMMAR } from './default-grammar.js';
export { parseGrammar, DEFAULT_OPTIONS } from './grammar.js';
export type { Grammar, GrammarOptions, Rule, Alt, Shape, Kind } from './grammar.js';
export type { Program } from './ast.js';
export { expectedStdout, printProgram } from './printer.js';

export interface GeneratedProgram {
  readonly seed: number;
  /** File name used by `writePrograms`: prog-<seed>.c */
  readonly name: string;
  readonly text: string;
  readonly expectedStdout: string;
  readonly program: Program;
}

let defaultGrammar: Grammar | undefined;

/** The grammar in `file`, or the default grammar. Bad grammars throw a one-line UserError. */
export function loadGrammar(file?: string): Grammar {
  if (file === undefined) return (defaultGrammar ??= parseGrammar(DEFAULT_GRAMMAR, '<default grammar>'));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read grammar: ${(e as Error).message}`, { file });
  }
  return parseGrammar(text, file);
}

export interface GenerateTextOptions extends GenerateOptions {
  /** The --grammar argument to put in the reproduce line (absent for the default grammar). */
  readonly grammarFile?: string;
}

/** Generates and prints the program of one seed. */
export function generate(grammar: Grammar, seed: number, opts: GenerateTextOptions = {}): GeneratedProgram {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UserError(`seed must be a non-negative integer, got ${seed}`);
  const program = generateProgram(grammar, seed, opts);
  const text = printProgram(program, {
    grammarLabel: opts.grammarFile ?? 'default',
    reproduceArgs: opts.grammarFile ? `--grammar ${opts.grammarFile}` : undefined,
  });
  return { seed, name: `prog-${seed}.c`, text, expectedStdout: expectedStdout(program), program };
}

/**
 * Re-runs main of a generated program from its initial state with rewrites forbidden, checking every
 * check statement and the checksum: a self-test of the generator (no UB left, values consistent).
 * Throws an Error describing the first inconsistency.
 */
export function verifyProgram(p: Program): void {
  const m = new Machine();
  m.globals = p.globals.map((v) => v.init.slice());
  const frame: Frame = p.main.vars.map((v) => v.init.slice());
  m.frozen = true;
  try {
    m.exec(p.main.body, frame);
  } catch (e) {
    if (e === FROZEN_UB) throw new Error(`progs: seed ${p.seed}: undefined behaviour left in the program`);
    throw e;
  }
  const h = checksum(checksumVars(p.globals, p.main).flatMap((v) => m.cells(v, frame)));
  if (h !== p.checksum)
    throw new Error(`progs: seed ${p.seed}: checksum ${h} on re-run, ${p.checksum} when generated`);
}

export interface WriteOptions {
  readonly seed: number;
  readonly count: number;
  readonly dir: string;
  readonly grammarFile?: string;
}

/** Writes programs for seeds seed..seed+count-1 to dir as prog-<seed>.c; returns the file names. */
export function writePrograms(opts: WriteOptions): string[] {
  const grammar = loadGrammar(opts.grammarFile);
  mkdirSync(opts.dir, { recursive: true });
  const names: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const g = generate(grammar, opts.seed + i, { grammarFile: opts.grammarFile });
    writeFileSync(join(opts.dir, g.name), g.text);
    names.push(g.name);
  }
  return names;
}
