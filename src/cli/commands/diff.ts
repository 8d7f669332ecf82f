/**
 * @fileoverview Stage: cli. `inputsmith diff OUT --variants SPEC... [-o FILE] [--json] [--no-classify]`:
 * replays every UB-free kept input of a gen run natively under each build variant and reports, classified,
 * every record where a build disagrees with the engine (docs/perf.md, "diff").
 *
 * Consumes: OUT (a gen output directory of C sources), variants. Produces: the Markdown report on stdout
 * (or the JSON report with --json); with `-o FILE` the JSON report written to FILE. Exit 0 whether or not
 * differences were found (they are findings, not errors). The work is `runDiff` (src/tune/diff.ts).
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { nativeWorkDir, NATIVE_REPLAY_DEFAULTS } from '../../replay/native.js';
import { diffMarkdown, runDiff } from '../../tune/diff.js';
import { parseVariants } from '../../tune/variants.js';
import { coreCount } from '../../util/concurrency.js';
import { UserError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/fsx.js';
import { addCommandOptions, checkOptions, type OptionsOf } from '../options.js';
import { readTuneModules } from '../tune-input.js';

export function register(program: Command): void {
  const cmd = program
    .command('diff')
    .description(
      'replay every UB-free kept input under several build variants and classify where they disagree',
    )
    .argument('<out>', 'a gen output directory (modules compiled from C sources)');
  addCommandOptions(cmd, 'diff').action(async (out: string, o: OptionsOf<'diff'>) => {
    checkOptions('diff', o);
    const vs = parseVariants(o.variants, o.variantsFile);
    const { mods, textOf } = await readTuneModules(out, o);
    if (mods.length === 0) throw new UserError(`${out}: no module could be loaded`);
    const rep = await runDiff(mods, textOf, {
      variants: vs,
      workDir: join(nativeWorkDir(), 'tune'),
      ...(o.clang !== undefined ? { clang: o.clang } : {}),
      recordTimeoutMs: o.recordTimeout,
      memLimitMb: NATIVE_REPLAY_DEFAULTS.memLimitMb,
      classify: o.classify,
      jobs: o.jobs ?? coreCount(),
      progress: (line) => process.stderr.write(`diff: ${line}\n`),
    });
    if (o.output !== undefined) writeFileAtomic(o.output, JSON.stringify(rep, null, 1) + '\n');
    process.stdout.write(o.json ? JSON.stringify(rep, null, 1) + '\n' : diffMarkdown(rep));
  });
}
