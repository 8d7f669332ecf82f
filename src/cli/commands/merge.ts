/**
 * @fileoverview Stage: cli. `inputsmith merge SHARD_DIR... -o OUT`: join the output directories of `gen
 * --shard i/N` (one per share, in any order) into the directory one `gen` run writes (docs/distributed.md).
 *
 * Consumes: the shard directories. Produces: OUT, and the summary table on stdout. Exit 0 when merged; a
 * set of directories that is not the N finished shards of one run is a one-line error (exit 1; usage
 * errors 2). The work is `mergeShards` (src/guide/shard.ts).
 */
import type { Command } from 'commander';
import { mergeShards } from '../../guide/shard.js';
import { addCommandOptions, checkOptions, type OptionsOf } from '../options.js';
import { formatSummaryTable } from '../reporter.js';

export function register(program: Command): void {
  const cmd = program
    .command('merge')
    .description('join the output directories of gen --shard i/N into the directory of one gen run')
    .argument('<shards...>', 'the N shard output directories, in any order');
  addCommandOptions(cmd, 'merge');
  cmd.action((shards: string[], o: OptionsOf<'merge'>) => {
    checkOptions('merge', o);
    const r = mergeShards(shards, o.output as string, o.force);
    process.stdout.write(formatSummaryTable(r.summary));
    process.stdout.write(`merged ${r.shards} shards (${r.modules} modules) into ${r.out}\n`);
  });
}
