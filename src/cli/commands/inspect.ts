/**
 * @fileoverview Stage: cli. `inputsmith inspect <file>`: what a module contains, per function.
 *
 * Consumes: a .ll, .bc or C/C++ file (compiled on the fly, cached). Produces on stdout: the module summary
 * as text (default) or JSON (`--json`, format in docs/inspect-json.md), the parsed module printed back
 * as LLVM IR (`--print`), or one function's self-contained module (`--extract`, src/ir/extract.ts). The work is `inspectFile`, callable without the CLI.
 */

import type { Command } from 'commander';
import { loadModule } from '../../index.js';
import type { Module } from '../../ir/model.js';
import { extractFunction } from '../../ir/extract.js';
import { printModule } from '../../ir/printer.js';
import { UserError } from '../../util/errors.js';
import { formatSummary, summarizeModule, type ModuleSummary } from '../../ir/summary.js';
import type { CompileOptions } from '../../toolchain/compile.js';
import { addCommandOptions, checkOptions, compileOptions, type OptionsOf } from '../options.js';

/** Load (compiling if needed) and parse `path` (the library's `loadModule`). */
export { loadModule };

/** The summary of a parsed module, naming `displayFile` (what the user gave) as its file. */
export function summarize(m: Module, displayFile: string): ModuleSummary {
  const s = summarizeModule(m);
  return { ...s, file: displayFile };
}

export async function inspectFile(path: string, opts: CompileOptions = {}): Promise<ModuleSummary> {
  return summarize(await loadModule(path, opts), path);
}

export function register(program: Command): void {
  const cmd = program
    .command('inspect')
    .description('parse a module (.ll, .bc, or C/C++ compiled on the fly) and summarize every function')
    .argument('<file>', '.ll, .bc, .c, .cc, .cpp or .cxx file');
  addCommandOptions(cmd, 'inspect');
  cmd.action(async (file: string, o: OptionsOf<'inspect'>) => {
    checkOptions('inspect', o);
    const m = await loadModule(file, compileOptions(o));
    if (o.extract !== undefined) {
      const [fn, ...also] = o.extract.split(',').filter((x) => x !== '');
      let x: Module;
      try {
        x = extractFunction(m, fn ?? '', also);
      } catch (e) {
        throw new UserError(`--extract: ${(e as Error).message}`, { file });
      }
      process.stdout.write(printModule(x));
      return;
    }
    if (o.print) {
      process.stdout.write(printModule(m));
      return;
    }
    const s = summarize(m, file);
    process.stdout.write(o.json ? `${JSON.stringify(s, null, 2)}\n` : formatSummary(s));
  });
}
