/**
 * @fileoverview Stage: cli. `inputsmith perf OUT --variants SPEC... [-o DIR] [--json]`: times every kept input
 * of a gen run natively under each build variant and compares each with the baseline (docs/perf.md).
 *
 * Consumes: OUT (a gen output directory of C sources), variants from `--variants`/`--variants-file`.
 * Produces: with `-o DIR`, DIR/perf.jsonl (a line per (function, input, variant), then per (function,
 * variant)), DIR/perf.md, DIR/speedup.svg and DIR/extremes-<k>.svg; on stdout the Markdown summary, or
 * with `--json` the whole report as JSON. Progress lines on stderr. The work is `runPerf` (src/tune/perf.ts).
 */
import type { Command } from 'commander';
import { DEFAULTS } from '../../util/defaults.js';
import { coreCount } from '../../util/concurrency.js';
import { UserError } from '../../util/errors.js';
import { nativeWorkDir } from '../../replay/native.js';
import { join } from 'node:path';
import { runPerf } from '../../tune/perf.js';
import { timingParams } from '../../tune/timing.js';
import { perfMarkdown, writePerfReport } from '../../tune/perf-report.js';
import { parseVariants, type Variant } from '../../tune/variants.js';
import { addCommandOptions, checkOptions, type OptionsOf } from '../options.js';
import { readTuneModules } from '../tune-input.js';

/** The baseline's index: a 1-based position or a variant's spec. */
export function baselineIndex(vs: readonly Variant[], b: string | undefined): number {
  if (b === undefined) return 0;
  if (/^\d+$/.test(b) && Number(b) >= 1 && Number(b) <= vs.length) return Number(b) - 1;
  const i = vs.findIndex((v) => v.label === b.trim().split(/\s+/).join(' '));
  if (i < 0) throw new UserError(`--baseline ${b}: not one of the variants`);
  return i;
}

export function register(program: Command): void {
  const cmd = program
    .command('perf')
    .description(
      'time every kept input natively under several build variants; ratios to a baseline with confidence intervals',
    )
    .argument('<out>', 'a gen output directory (modules compiled from C sources)');
  addCommandOptions(cmd, 'perf').action(async (out: string, o: OptionsOf<'perf'>) => {
    checkOptions('perf', o);
    const vs = parseVariants(o.variants, o.variantsFile);
    const baseline = baselineIndex(vs, o.baseline);
    const { mods, textOf } = await readTuneModules(out, o);
    if (mods.length === 0) throw new UserError(`${out}: no module could be loaded`);
    const P = DEFAULTS.perf;
    const rep = await runPerf(mods, textOf, {
      variants: vs,
      baseline,
      workDir: join(nativeWorkDir(), 'tune'),
      ...(o.clang !== undefined ? { clang: o.clang } : {}),
      seed: Number(o.seed) || 1,
      jobs: o.jobs ?? coreCount(),
      rounds: o.rounds,
      margin: o.margin,
      resamples: P.resamples,
      timing: timingParams(o.budget, o.recordTimeout),
      progress: (line) => process.stderr.write(`perf: ${line}\n`),
    });
    if (o.output !== undefined)
      for (const f of writePerfReport(rep, o.output)) process.stderr.write(`perf: wrote ${f}\n`);
    process.stdout.write(o.json ? JSON.stringify(rep, null, 1) + '\n' : perfMarkdown(rep));
  });
}
