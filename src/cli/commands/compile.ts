/**
 * @fileoverview Stage: cli. `inputsmith compile`: C/C++ sources (files, directories, or a
 * compile_commands.json) to one `.ll` per source in an output directory.
 *
 * Consumes: paths and the shared compile options. Produces: `.ll` files and a one-line report on stdout.
 * The work is `compileInputs`, callable without the CLI.
 */

import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  compileToIR,
  readCompileCommands,
  sourceLanguage,
  type CompileOptions,
} from '../../toolchain/compile.js';
import { isRustInput } from '../../toolchain/rust.js';
import { UserError } from '../../util/errors.js';
import { statInput, walkFiles } from '../../util/fsx.js';
import { addCommandOptions, checkOptions, compileOptions, type OptionsOf } from '../options.js';

export interface CompileJob {
  source: string;
  out: string;
  opts: CompileOptions;
}

/** Source files under `dir` (recursively; hidden directories and node_modules skipped), sorted. */
export function findSources(dir: string): string[] {
  const filter = (p: string): boolean => sourceLanguage(p) !== undefined;
  return walkFiles(dir, { skipHidden: true, skipNames: ['node_modules'], filter }).sort();
}

const llName = (rel: string): string => rel.replace(/\.[^./]+$/, '') + '.ll';

/** Plan the compiles: which source goes to which .ll with which options. Throws `UserError`. */
export function planCompile(
  inputs: readonly string[],
  outDir: string,
  base: CompileOptions,
  compileCommands?: string,
): CompileJob[] {
  const jobs: CompileJob[] = [];
  // CLI include directories stay valid when a compile runs in another directory.
  const absBase: CompileOptions = { ...base, includes: (base.includes ?? []).map((i) => resolve(i)) };
  const wanted: string[] = [];
  const wantedDirs: string[] = [];
  for (const input of inputs) {
    const st = statInput(input);
    if (isRustInput(input)) {
      // A .rs file or a Cargo crate: one module (src/toolchain/rust.ts).
      const name = basename(resolve(input)).replace(/\.rs$/, '') + '.ll';
      jobs.push({ source: input, out: join(outDir, name), opts: base });
    } else if (st.isDirectory()) {
      wantedDirs.push(resolve(input));
      if (compileCommands === undefined) {
        const found = findSources(input);
        if (found.length === 0)
          throw new UserError('no C/C++ sources (.c, .cc, .cpp, .cxx) found', { file: input });
        for (const f of found)
          jobs.push({ source: f, out: join(outDir, llName(relative(input, f))), opts: base });
      }
    } else if (sourceLanguage(input) === undefined) {
      throw new UserError('not a C/C++ source (.c, .cc, .cpp, .cxx)', { file: input });
    } else {
      wanted.push(resolve(input));
      if (compileCommands === undefined)
        jobs.push({ source: input, out: join(outDir, llName(basename(input))), opts: base });
    }
  }
  if (compileCommands !== undefined) {
    const dbDir = dirname(resolve(compileCommands));
    const filtered = inputs.length > 0;
    for (const c of readCompileCommands(compileCommands)) {
      if (filtered && !wanted.includes(c.file) && !wantedDirs.some((d) => c.file.startsWith(d + '/')))
        continue;
      if (sourceLanguage(c.file) === undefined) continue;
      const rel = relative(dbDir, c.file);
      const name = rel.startsWith('..') || isAbsolute(rel) ? basename(c.file) : rel;
      jobs.push({
        source: c.file,
        out: join(outDir, llName(name)),
        opts: { ...absBase, extraFlags: c.args, cwd: c.directory },
      });
    }
    if (jobs.length === 0) throw new UserError('no matching C/C++ entries', { file: compileCommands });
  }
  const seen = new Map<string, string>();
  for (const j of jobs) {
    const prev = seen.get(j.out);
    if (prev !== undefined && prev !== j.source) {
      throw new UserError(
        `${prev} and ${j.source} would both be written to ${j.out}; compile them separately`,
      );
    }
    seen.set(j.out, j.source);
  }
  return jobs.filter((j, i) => jobs.findIndex((k) => k.out === j.out) === i);
}

/** Run the planned compiles (bounded by the toolchain's per-core semaphore); the first failure is thrown. */
export async function runCompileJobs(jobs: readonly CompileJob[]): Promise<void> {
  const results = await Promise.allSettled(jobs.map((j) => compileToIR(j.source, j.out, j.opts)));
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed.length === 0) return;
  const first = failed[0]?.reason as unknown;
  if (failed.length > 1 && first instanceof UserError) {
    throw new UserError(
      `${first.message} (and ${failed.length - 1} more files failed)`,
      first.pos,
      first.exitCode,
    );
  }
  throw first;
}

export function register(program: Command): void {
  const cmd = program
    .command('compile')
    .description('compile C/C++ sources to LLVM IR, one .ll per source')
    .argument('[inputs...]', 'source files, or directories searched for .c/.cc/.cpp/.cxx');
  addCommandOptions(cmd, 'compile');
  cmd.action(async (inputs: string[], o: OptionsOf<'compile'>) => {
    checkOptions('compile', o, inputs.length);
    const outDir = o.output as string;
    const jobs = planCompile(inputs, outDir, compileOptions(o), o.compileCommands);
    await runCompileJobs(jobs);
    const n = jobs.length;
    process.stdout.write(`compiled ${n} file${n === 1 ? '' : 's'} to ${outDir} (-${o.opt})\n`);
  });
}
