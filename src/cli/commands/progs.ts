/**
 * @fileoverview Stage: cli. `inputsmith progs gen|check|grammar`: the random C program generator.
 *
 * Consumes: a seed, a count, an output directory and an optional grammar file (gen); a directory of
 * generated programs, compilers, their optimisation levels (`--opt-levels`), the engine's levels (runners
 * engine-O<n>, see src/progs/engine-runner.ts) and a job count (check); options from the one table
 * (../options.ts). Produces: prog-<seed>.c files; a report of every program whose checks fail or whose
 * outputs differ (stdout, one line each, with the commands that reproduce it) and exit code 1 when there
 * is one. The work is in src/progs.
 */

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  NativeRunner,
  type Runner,
  SANITIZE_FLAGS,
  checkPrograms,
  compilerAvailable,
} from '../../progs/check.js';
import { EngineRunner } from '../../progs/engine-runner.js';
import { DEFAULT_GRAMMAR, loadGrammar, writePrograms } from '../../progs/index.js';
import { findToolchain } from '../../toolchain/find.js';
import type { OptLevel } from '../../toolchain/compile.js';
import { defaultJobs } from '../../util/defaults.js';
import { UserError } from '../../util/errors.js';
import { addCommandOptions, checkOptions, type OptionsOf } from '../options.js';

/** The .c files of a directory of generated programs, sorted by seed. */
export function programFiles(dir: string): string[] {
  let names: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new UserError(`not a directory: ${dir}`);
    names = readdirSync(dir);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read directory ${dir}: ${(e as Error).message}`);
  }
  const seedOf = (n: string): number => Number(/(\d+)/.exec(n)?.[1] ?? 0);
  return names
    .filter((n) => n.endsWith('.c'))
    .sort((a, b) => seedOf(a) - seedOf(b) || a.localeCompare(b))
    .map((n) => join(dir, n));
}

export function register(program: Command): void {
  const progs = program
    .command('progs')
    .description(
      'generate self-checking random C programs from a weighted grammar, and check compilers with them',
    );

  const gen = progs.command('gen').description('write programs prog-<seed>.c for seeds S..S+N-1');
  addCommandOptions(gen, 'progs gen').action((o: OptionsOf<'progs gen'>) => {
    checkOptions('progs gen', o);
    const dir = o.output as string;
    const seed = Number(o.seed);
    const names = writePrograms({ seed, count: o.count, dir, grammarFile: o.grammar });
    process.stderr.write(`progs: wrote ${names.length} program(s) to ${dir}\n`);
  });

  progs
    .command('grammar')
    .description('print the default grammar (a starting point for --grammar), or check a grammar file')
    .argument('[file]', 'grammar file to check')
    .action((file: string | undefined) => {
      if (file === undefined) {
        process.stdout.write(DEFAULT_GRAMMAR);
        return;
      }
      const g = loadGrammar(file);
      process.stdout.write(`${file}: ok, ${g.rules.size} rules\n`);
    });

  const check = progs
    .command('check')
    .description('compile and run every program of DIR with each compiler and level; report failures')
    .argument('<dir>', 'directory written by `progs gen`');
  addCommandOptions(check, 'progs check').action(async (dir: string, o: OptionsOf<'progs check'>) => {
    const files = programFiles(dir).slice(0, o.limit ?? Infinity);
    if (files.length === 0) throw new UserError(`no .c files in ${dir}`);
    const runners: (Runner & { dispose(): void })[] = [];
    for (const c of o.compilers) {
      if (!(await compilerAvailable(c))) {
        process.stderr.write(`progs: skipping ${c} (not found)\n`);
        continue;
      }
      for (const opt of o.optLevels) {
        runners.push(
          new NativeRunner(c, opt, o.sanitize ? { flags: SANITIZE_FLAGS, label: 'sanitize' } : {}),
        );
      }
    }
    if (runners.length === 0 && o.compilers.length > 0)
      throw new UserError(`none of the compilers ${o.compilers.join(', ')} was found`);
    if (o.engine !== false && o.engine.length > 0) {
      try {
        findToolchain();
        for (const opt of o.engine) runners.push(new EngineRunner(opt as OptLevel));
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        process.stderr.write(`progs: skipping the engine (${e.message})\n`);
      }
    }
    if (runners.length === 0) throw new UserError('nothing to run the programs with');
    process.stderr.write(`progs: ${files.length} programs x ${runners.map((r) => r.name).join(', ')}\n`);
    const summary = await checkPrograms(files, {
      runners,
      jobs: o.jobs ?? defaultJobs(),
      onProgram: (_info, failures, done, total) => {
        for (const f of failures) {
          process.stdout.write(
            `FAIL ${f.file} (seed ${f.seed ?? '?'}) ${f.runner}: ${f.reason}\n  reproduce: ${f.reproduce}\n`,
          );
        }
        if (done % 100 === 0 || done === total) process.stderr.write(`progs: ${done}/${total} checked\n`);
      },
    });
    for (const r of runners) r.dispose();
    process.stdout.write(
      `progs: ${summary.programs} programs, ${summary.runs} runs, ${summary.failedPrograms} failing program(s)\n`,
    );
    if (summary.failedPrograms > 0) {
      throw new UserError(`${summary.failedPrograms} of ${summary.programs} programs failed (listed above)`);
    }
  });
}
