/**
 * @fileoverview Stage: cli. `inputsmith export lcov|sarif OUT -o FILE`: a `gen` run's coverage as an LCOV
 * tracefile, its undefined-behaviour and crash findings as a SARIF 2.1.0 log.
 *
 * Consumes: OUT (a `gen` output directory; its module paths are resolved against the current directory,
 * so run export where gen ran), `-o FILE`, `--clang`, `--compile-commands` (default: the entries gen kept
 * in OUT/sources.json), options from the one table (../options.ts).
 * Produces: FILE (written atomically), one line per module left out on stderr, a count line on stdout.
 * Exit 0 when FILE was written; a `UserError` (one line, exit 1) when nothing could be exported. The work
 * is in src/export (docs/export.md).
 */
import type { Command } from 'commander';
import { exportLcov } from '../../export/lcov.js';
import { exportDataset, type DatasetFormat, type DatasetTrace } from '../../export/dataset.js';
import { exportSarif } from '../../export/sarif.js';
import { exportTests, type TestFramework } from '../../export/tests.js';
import { readCompileCommands } from '../../toolchain/compile.js';
import { writeFileAtomic } from '../../util/fsx.js';
import { addCommandOptions, checkOptions, type OptionsOf } from '../options.js';

const warn = (line: string): void => {
  process.stderr.write(`inputsmith: ${line}\n`);
};

/** `--clang`, `--compile-commands` (else OUT/sources.json) and the warning sink, as every export takes them. */
const loadOptions = (o: { clang?: string; compileCommands?: string }) => ({
  clang: o.clang,
  warn,
  ...(o.compileCommands !== undefined ? { commands: readCompileCommands(o.compileCommands) } : {}),
});

export function register(program: Command): void {
  const exp = program
    .command('export')
    .description('export a gen run: coverage as LCOV, undefined-behaviour findings as SARIF');

  const lcov = exp
    .command('lcov')
    .description('write the line, function and branch coverage of the kept inputs as an LCOV tracefile')
    .argument('<out>', 'a gen output directory (compiled with -g)');
  addCommandOptions(lcov, 'export lcov').action(async (out: string, o: OptionsOf<'export lcov'>) => {
    checkOptions('export lcov', o);
    const r = await exportLcov(out, { ...loadOptions(o), throughCalls: o.throughCalls });
    writeFileAtomic(o.output!, r.text);
    const t = r.totals;
    process.stdout.write(
      `wrote ${o.output}: ${t.files} files, lines ${t.linesHit}/${t.linesFound}, functions ${t.functionsHit}/${t.functionsFound}, branches ${t.branchesHit}/${t.branchesFound}\n`,
    );
  });

  const sarif = exp
    .command('sarif')
    .description(
      'write the distinct undefined-behaviour and crash findings of the kept inputs as SARIF 2.1.0',
    )
    .argument('<out>', 'a gen output directory (compiled with -g for source locations)');
  addCommandOptions(sarif, 'export sarif').action(async (out: string, o: OptionsOf<'export sarif'>) => {
    checkOptions('export sarif', o);
    const r = await exportSarif(out, loadOptions(o));
    writeFileAtomic(o.output!, r.text);
    process.stdout.write(`wrote ${o.output}: ${r.results} findings from ${r.records} records\n`);
  });

  const dataset = exp
    .command('dataset')
    .description(
      'write one row per kept input (function, source, IR, input and output state) as Parquet/JSONL',
    )
    .argument(
      '<out...>',
      'gen output directories, one or several (a corpus of runs); compiled with -g for source text and typed states',
    );
  addCommandOptions(dataset, 'export dataset').action(
    async (outs: string[], o: OptionsOf<'export dataset'>) => {
      checkOptions('export dataset', o);
      const r = await exportDataset(outs, o.output!, {
        ...loadOptions(o),
        format: o.format as DatasetFormat,
        trace: o.trace as DatasetTrace,
        traceLimit: o.traceLimit,
        split: o.split,
      });
      const mism = r.replayMismatches > 0 ? `, ${r.replayMismatches} traced replays differ` : '';
      const dups =
        r.droppedFunctions > 0
          ? `; dropped ${r.droppedRows} rows of ${r.droppedFunctions} duplicate functions`
          : '';
      process.stdout.write(
        `wrote ${o.output}: ${r.rows} rows of ${r.modules} modules in ${r.files.join(', ')}${mism}${dups}\n`,
      );
    },
  );

  const tests = exp
    .command('tests')
    .description(
      'write a test project (CMake; cmocka for C, GoogleTest for C++) with one test per kept input that replays natively',
    )
    .argument('<out>', 'a gen output directory (compiled with -g for typed checks and source lines)');
  addCommandOptions(tests, 'export tests').action(async (out: string, o: OptionsOf<'export tests'>) => {
    checkOptions('export tests', o);
    const r = await exportTests(out, {
      dir: o.output!,
      framework: o.framework as TestFramework,
      ...loadOptions(o),
    });
    const t = r.totals;
    process.stderr.write(
      `inputsmith: ${t.tests} tests (${t.errorTests} error tests) in ${t.files} files; ${t.leftOut} inputs left out, ${t.notReplayable} not replayable natively (${o.output}/report.json)\n`,
    );
    process.stdout.write(`wrote ${o.output}: ${t.tests} tests in ${t.files} files\n`);
  });
}
