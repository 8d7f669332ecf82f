/**
 * @fileoverview Stage: cli. `inputsmith progs gen|check|grammar`: the random C program generator.
 *
 * Consumes: a seed, a count, an output directory and an optional grammar file (gen); a directory of
 * generated programs, compilers, optimisation levels, the engine's levels (runners engine-O<n>, see
 * src/progs/engine-runner.ts) and a job count (check). Produces: prog-<seed>.c files; a report of every program whose checks fail or whose outputs differ (stdout, one line each,
 * with the commands that reproduce it) and exit code 1 when there is one. The work is in src/progs.
 */

import { readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
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
import { UserError } from '../../util/errors.js';

function nonNegInt(raw: string): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)))
    throw new InvalidArgumentError('expected a non-negative integer');
  return Number(raw);
}

function list(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function optLevels(raw: string): string[] {
  return list(raw).map((o) => {
    const m = /^-?O?([0-3sz]|fast)$/.exec(o);
    if (!m) throw new InvalidArgumentError(`bad optimisation level '${o}' (expected O0, O1, O2, O3, Os, Oz)`);
    return `O${m[1]}`;
  });
}

function engineLevels(raw: string): string[] {
  const levels = optLevels(raw);
  if (levels.includes('Ofast')) throw new InvalidArgumentError('the engine runs O0, O1, O2, O3, Os or Oz');
  return levels;
}

interface GenOpts {
  seed: number;
  count: number;
  output: string;
  grammar?: string;
}

interface CheckOpts {
  compilers: string[];
  opt: string[];
  jobs: number;
  sanitize: boolean;
  limit?: number;
  /** Engine levels, or false for `--no-engine`. */
  engine: string[] | false;
}

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

  progs
    .command('gen')
    .description('write programs prog-<seed>.c for seeds S..S+N-1')
    .requiredOption('--seed <n>', 'first seed', nonNegInt)
    .option('--count <n>', 'number of programs', nonNegInt, 1)
    .requiredOption('-o, --output <dir>', 'directory to write the programs to')
    .option('--grammar <file>', 'grammar file to use instead of the default (see docs/progs.md)')
    .action((o: GenOpts) => {
      const names = writePrograms({ seed: o.seed, count: o.count, dir: o.output, grammarFile: o.grammar });
      process.stderr.write(`progs: wrote ${names.length} program(s) to ${o.output}\n`);
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

  progs
    .command('check')
    .description('compile and run every program of DIR with each compiler and level; report failures')
    .argument('<dir>', 'directory written by `progs gen`')
    .option('--compilers <list>', "comma-separated compilers (missing ones are skipped; '' for none)", list, [
      'clang-19',
      'gcc',
    ])
    .option('--opt <list>', 'comma-separated optimisation levels', optLevels, ['O0', 'O2'])
    .option('-j, --jobs <n>', 'parallel compile-and-run jobs', nonNegInt, availableParallelism())
    .option('--sanitize', 'compile with -fsanitize=undefined,address (any report is a failure)', false)
    .option('--limit <n>', 'check only the first n programs', nonNegInt)
    .option(
      '--engine <list>',
      'also run in our engine, on clang IR at these levels (runners engine-O0, engine-O2)',
      engineLevels,
      ['O0', 'O2'],
    )
    .option('--no-engine', 'check natively only')
    .action(async (dir: string, o: CheckOpts) => {
      const files = programFiles(dir).slice(0, o.limit ?? Infinity);
      if (files.length === 0) throw new UserError(`no .c files in ${dir}`);
      const runners: (Runner & { dispose(): void })[] = [];
      for (const c of o.compilers) {
        if (!(await compilerAvailable(c))) {
          process.stderr.write(`progs: skipping ${c} (not found)\n`);
          continue;
        }
        for (const opt of o.opt) {
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
        jobs: Math.max(1, o.jobs),
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
        throw new UserError(
          `${summary.failedPrograms} of ${summary.programs} programs failed (listed above)`,
        );
      }
    });
}
