/**
 * @fileoverview Stage: cli. `inputsmith gen <files|dirs...> -o OUT`: a generation campaign: inputs for every
 * function of every module, on all cores, resumable.
 *
 * Consumes: .ll, .bc and C/C++ files or directories, search options. Produces: the output directory (see
 * src/guide/layout.ts, docs/summary-json.md), progress on stderr, the summary table and the throughput on
 * stdout. Exit 0 when the campaign ran, even with failed modules or functions. The work is `runCampaign`
 * (src/guide/campaign.ts), callable without the CLI. With `--compile-commands FILE`, the sources listed
 * there are compiled with their entries' flags (every C/C++ entry when no inputs are given), and each
 * module's source, directory and flags are kept in OUT/sources.json for replay and the exports
 * (`writeRunSources`, src/export/run-dir.ts). With `--dataset DIR`, the run's dataset is then exported
 * into DIR (`exportDataset`, src/export/dataset.ts, with its defaults).
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { exportDataset } from '../../export/dataset.js';
import { writeRunSources } from '../../export/run-dir.js';
import { sourceLanguage, type CompileCommand, type CompileOptions } from '../../toolchain/compile.js';
import { runCampaign, type CampaignOptions, type CampaignResult } from '../../guide/campaign.js';
import { addCommandOptions, checkOptions, compileOptions, type OptionsOf } from '../options.js';
import { formatSummaryTable, formatThroughput, terminalReporter } from '../reporter.js';

/** Run a campaign with the terminal reporter; Ctrl-C stops it cleanly (a rerun continues it). */
export async function runCampaignOnTerminal(o: CampaignOptions, label = 'gen'): Promise<CampaignResult> {
  const rep = terminalReporter(process.stderr, label);
  const onSigint = (): void => {
    rep.stop();
    process.stderr.write(`inputsmith: ${label}: interrupted; run the same command again to continue\n`);
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  try {
    return await runCampaign(o, rep);
  } finally {
    rep.stop();
    process.removeListener('SIGINT', onSigint);
  }
}

/** The C/C++ sources of compile_commands.json entries, relative to the current directory when below it. */
export function commandSources(commands: readonly CompileCommand[]): string[] {
  const files = commands.map((c) => c.file).filter((f) => sourceLanguage(f) !== undefined);
  return [...new Set(files)].map((f) => {
    const r = relative(process.cwd(), f);
    return r.startsWith('..') || r === '' ? f : r;
  });
}

/** The options of the campaign that gen (or queue submit) was given, but its threads, --force and shard. */
export function campaignOptions(
  inputs: readonly string[],
  o: Omit<OptionsOf<'queue submit'>, 'redis' | 'queue' | 'attempts' | 'queueJobs'>,
  compile: CompileOptions,
): CampaignOptions {
  return {
    inputs: inputs.length > 0 ? inputs : commandSources(compile.commands ?? []),
    out: o.output as string,
    seed: o.seed,
    maxInputs: o.inputs,
    maxRuns: o.maxRuns,
    plateau: o.plateau,
    maxSteps: o.maxSteps,
    runStepFactor: o.runStepFactor,
    runStepFloor: o.runStepFloor,
    functionTimeoutMs: Math.round(o.functionTimeout * 1000),
    limits: o.stepLimit === undefined ? undefined : { stepLimit: o.stepLimit },
    sample: o.sample,
    grow: o.grow,
    solve: o.solve,
    solveOff: o.solveOff,
    native: o.native,
    functions: o.functions,
    compile,
  };
}

export function register(program: Command): void {
  const cmd = program
    .command('gen')
    .description('generate inputs for every function of modules (.ll, .bc, C/C++), replayed in the engine')
    .argument(
      '[inputs...]',
      '.ll, .bc, .c, .cc, .cpp or .cxx files, or directories searched for them (with --compile-commands: default every C/C++ entry)',
    );
  addCommandOptions(cmd, 'gen');
  cmd.action(async (inputs: string[], o: OptionsOf<'gen'>) => {
    checkOptions('gen', o, inputs.length);
    const compile = compileOptions(o);
    const r = await runCampaignOnTerminal({
      ...campaignOptions(inputs, o, compile),
      jobs: o.jobs,
      force: o.force,
      shard: o.shard === undefined ? undefined : { ...o.shard, costs: o.shardCosts },
    });
    // Each module's source, directory and flags, for replay and the exports (OUT/sources.json).
    writeRunSources(o.output as string, compile.commands);
    process.stdout.write(formatSummaryTable(r.summary));
    process.stdout.write(formatThroughput(r));
    if (o.dataset !== undefined) {
      // The run's dataset (docs/dataset.md), with the export's defaults: read back from OUT once the
      // campaign is done, so it is the same as `export dataset OUT -o DIR` would write.
      const d = await exportDataset(o.output as string, o.dataset, {
        clang: o.clang,
        warn: (line) => process.stderr.write(`inputsmith: ${line}\n`),
      });
      process.stdout.write(`wrote ${o.dataset}: ${d.rows} rows in ${d.files.join(', ')}\n`);
    }
  });
}
