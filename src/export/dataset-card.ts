/**
 * @fileoverview Stage: export. The dataset card `DIR/README.md` of a dataset export, in the convention of
 * public dataset hubs (a YAML header with the licence and the data files, then description, schema,
 * counts, provenance and limitations).
 *
 * Consumes: the counts `CardStats` gathered while the rows streamed by, the run's spec and the files
 * written. Produces: the card's text. Deterministic: no dates, only what the run and the rows say.
 */
import type { RunSpec } from '../guide/layout.js';
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
  /** Function hashes seen, and the functions whose hash an earlier function (another module) had. */
  private readonly hashes = new Map<string, string>();
  duplicates = 0;

  add(r: DatasetRow): void {
    this.rows++;
    if (!this.functions.has(`${r.module}\0${r.function}`)) {
      const first = this.hashes.get(r.function_hash);
      if (first === undefined) this.hashes.set(r.function_hash, r.module);
      else if (first !== r.module) this.duplicates++;
    }
    if (r.source !== '') this.withSource++;
    if (r.trace !== '') this.traced++;
    this.modules.add(r.module);
    this.functions.add(`${r.module}\0${r.function}`);
    this.outcomes.set(r.outcome, (this.outcomes.get(r.outcome) ?? 0) + 1);
    this.languages.set(r.language, (this.languages.get(r.language) ?? 0) + 1);
  }
}

const counts = (m: Map<string, number>): string =>
  [...m]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');

/** The card of a dataset made from `spec`'s run, with files `files` and trace kind `trace`. */
export function datasetCard(
  spec: RunSpec,
  stats: CardStats,
  files: readonly string[],
  trace: string,
  version: string,
): string {
  const parquet = files.some((f) => f.endsWith('.parquet'));
  const c = spec.compile;
  const flags = [
    `-${c.opt.replace(/^-?O?/, 'O')}`,
    ...(c.debug ? ['-g'] : []),
    ...c.includes.map((i) => `-I${i}`),
  ];
  flags.push(...c.defines.map((d) => `-D${d}`));
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
- functions whose code (\`function_hash\`) another module had already: ${stats.duplicates} (their rows are kept)

## How it was made

\`inputsmith gen\` ${version === spec.inputsmith ? version : `${spec.inputsmith} (exported by ${version})`}, seed \`${spec.seed}\`, at most ${spec.inputs} inputs per
function, compiled with \`${flags.join(' ')}\`; inputs are generated lazily in inputsmith's engine and
replayed there (and natively with \`gen --native\`: column \`native\`), then exported by \`inputsmith export
dataset\`. Pointers in states are symbolic (object and offset), never addresses.

## Licences

Each row's code keeps the licence of the package it comes from; this export does not know it
(\`unknown\`), and the dataset as a whole is under those licences.

## Known limitations

- Inputs are what the search kept (a small set covering the function's blocks), not a sample of real use.
- Memory the function allocated itself is not part of the output state; globals are listed whole.
- Without debug information (\`gen -g\`), \`source\` is empty and states are untyped bytes.
`;
}
