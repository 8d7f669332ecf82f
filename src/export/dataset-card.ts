/**
 * @fileoverview Stage: export. The dataset card `DIR/README.md` of a dataset export, in the convention of
 * public dataset hubs (a YAML header with the licence and the data files, then description, schema,
 * counts, provenance and limitations).
 *
 * Consumes: the counts `CardStats` gathered while the rows streamed by, the run's spec and the files
 * written. Produces: the card's text. Deterministic: no dates, only what the run and the rows say.
 */
import type { RunSpec } from '../guide/layout.js';
import type { Dedup } from './dataset-hygiene.js';
import { COLUMNS, DATASET_SCHEMA, type DatasetRow } from './dataset-row.js';

/** Counts over the rows, for the card. */
export class CardStats {
  rows = 0;
  withSource = 0;
  traced = 0;
  readonly functions = new Set<string>();
  readonly modules = new Set<string>();
  readonly outcomes = new Map<string, number>();
  readonly languages = new Map<string, number>();
  /** Rows per licence, and rows and packages per split. */
  readonly licenses = new Map<string, number>();
  readonly splitRows = new Map<string, number>();
  readonly splitPackages = new Map<string, Set<string>>();
  /** Functions kept that stand for copies, and the copies. */
  keptWithCopies = 0;

  add(r: DatasetRow): void {
    this.rows++;
    if (!this.functions.has(`${r.module}\0${r.function}`) && r.duplicates > 0) this.keptWithCopies++;
    this.licenses.set(r.license, (this.licenses.get(r.license) ?? 0) + 1);
    this.splitRows.set(r.split, (this.splitRows.get(r.split) ?? 0) + 1);
    const ps = this.splitPackages.get(r.split) ?? new Set<string>();
    this.splitPackages.set(r.split, ps.add(r.package));
    if (r.source !== '') this.withSource++;
    if (r.trace !== '') this.traced++;
    this.modules.add(r.module);
    this.functions.add(`${r.module}\0${r.function}`);
    this.outcomes.set(r.outcome, (this.outcomes.get(r.outcome) ?? 0) + 1);
    this.languages.set(r.language, (this.languages.get(r.language) ?? 0) + 1);
  }
}

const SPLITS = ['train', 'validation', 'test'] as const;

function dedupLine(stats: CardStats, dedup: Dedup | undefined): string {
  if (dedup === undefined) return 'duplicates: not removed (deduplication was off)';
  return (
    `duplicates dropped: ${dedup.droppedFunctions} functions with ${dedup.droppedRows} rows, copies of ` +
    `${stats.keptWithCopies} kept functions (${dedup.droppedBySourceOnly} of them the same source with other IR)`
  );
}

const counts = (m: Map<string, number>): string =>
  [...m]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

/** `inputsmith gen <version>, seed ..., at most N inputs per function, compiled with ...` of one run. */
function runLine(spec: RunSpec, version: string): string {
  const c = spec.compile;
  const flags = [
    `-${c.opt.replace(/^-?O?/, 'O')}`,
    ...(c.debug ? ['-g'] : []),
    ...c.includes.map((i) => `-I${i}`),
  ];
  flags.push(...c.defines.map((d) => `-D${d}`));
  return `\`inputsmith gen\` ${version === spec.inputsmith ? version : `${spec.inputsmith} (exported by ${version})`}, seed \`${spec.seed}\`, at most ${spec.inputs} inputs per
function, compiled with \`${flags.join(' ')}\``;
}

/** The card of a dataset made from the runs `specs`, with files `files` and trace kind `trace`. */
export function datasetCard(
  specs: readonly RunSpec[],
  stats: CardStats,
  dedup: Dedup | undefined,
  files: readonly string[],
  trace: string,
  version: string,
): string {
  const parquet = files.some((f) => f.endsWith('.parquet'));
  const made =
    specs.length === 1
      ? runLine(specs[0]!, version)
      : `${specs.length} runs (one per line; the split's seed is the first's):\n\n${specs.map((x) => `- ${runLine(x, version).replace('\n', ' ')}`).join('\n')}\n\nIn each run,`;
  return `---
pretty_name: inputsmith executions of ${stats.functions.size} functions
license: other
configs:
  - config_name: default
    data_files: "${parquet ? 'data-*.parquet' : 'data.jsonl'}"
---

# Functions paired with executions

${stats.rows} rows: one per input that \`inputsmith gen\` kept for ${stats.functions.size} functions of
${stats.modules.size} modules, each with the function (source text, LLVM IR, signature), the input state it ran on,
what the run produced, the blocks it covered${trace === 'none' ? '' : ` and a ${trace} trace`}. Schema
\`${DATASET_SCHEMA}\`; the columns are documented in inputsmith's docs/dataset.md.

## Files

${files.map((f) => `- \`${f}\``).join('\n')}

## Columns

| column | type | meaning |
| --- | --- | --- |
${COLUMNS.map((k) => `| \`${k.name}\` | ${k.type} | ${k.doc.replace(/\|/g, '\\|')} |`).join('\n')}

## Counts

- rows: ${stats.rows}; with source text: ${stats.withSource}${trace === 'none' ? '' : `; traced: ${stats.traced}`}
- outcomes: ${counts(stats.outcomes)}
- languages: ${counts(stats.languages)}
- ${dedupLine(stats, dedup)}
- splits (by package): ${SPLITS.map((k) => `${k} ${stats.splitRows.get(k) ?? 0} rows of ${stats.splitPackages.get(k)?.size ?? 0} packages`).join('; ')}
- licences: ${counts(stats.licenses)}

## How it was made

${made}${specs.length === 1 ? ';' : ''} inputs are generated lazily in inputsmith's engine and
replayed there (and natively with \`gen --native\`: column \`native\`), then exported by \`inputsmith export
dataset\`. Pointers in states are symbolic (object and offset), never addresses.

## Licences

Each row's code keeps the licence of the file it comes from (column \`license\`, read from the Debian
source package's \`debian/copyright\` for Debian code, from an \`SPDX-License-Identifier\` comment
otherwise; \`license_source\` says which), and \`unknown\` where neither says it: such rows are not
licensed for redistribution by this dataset. The dataset as a whole is under those licences.

## Splits and duplicates

Functions with the same IR (\`function_hash\`) or the same normalised source (\`source_hash\`) are kept
once, across all the runs the dataset was made from; \`duplicates\` counts the copies dropped for a row's
function. The \`split\` column is drawn per package (\`package\`) from the seed, after deduplication, so no
package is in two splits.

## Known limitations

- Inputs are what the search kept (a small set covering the function's blocks), not a sample of real use.
- Memory the function allocated itself is not part of the output state; globals are listed whole.
- Without debug information (\`gen -g\`), \`source\` is empty and states are untyped bytes.
`;
}
