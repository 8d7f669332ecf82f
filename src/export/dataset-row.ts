/**
 * @fileoverview Stage: export. One row of the dataset export: a kept input of a function with the function
 * (source text, IR, signature), the input and output states, covered blocks, native verdict and trace.
 *
 * Consumes: a loaded module of a `gen` run (`LazyRunModule`, ./run-dir.ts), a function of it, one of its
 * kept `InputRecord`s and, when traced, the replay's block trace. Produces: `DatasetRow`, whose columns
 * are the closed table `COLUMNS` (name, Parquet type, meaning), the one schema both the JSONL and the
 * Parquet writer follow and docs/dataset.md documents. Per function, what does not depend on the input
 * (source, IR, hashes, signature) is computed once (`FunctionFacts`), and so is its place (`RowPlace`:
 * provenance, ./dataset-provenance.ts; duplicates and split, ./dataset-hygiene.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { InputRecord } from '../gen/record.js';
import { cDeclaration, isCxxLanguage } from '../ir/debuginfo-c.js';
import { debugInfo } from '../ir/debuginfo.js';
import type { Func, Module } from '../ir/model.js';
import { printFunction } from '../ir/printer.js';
import { StateText, inputState, outputState, type TypeView } from './dataset-state.js';
import { sourceHash, type Split } from './dataset-hygiene.js';
import type { Provenance } from './dataset-provenance.js';
import type { TraceFacts } from './dataset-trace.js';
import { sourcePath } from './source-map.js';

/** Version of the row schema (bump when a column changes meaning or type). */
export const DATASET_SCHEMA = 'inputsmith-dataset/2';

/** The Parquet physical/logical type of a column. */
export type ColumnType = 'STRING' | 'JSON' | 'INT32' | 'INT64';

/** The columns, in order: the schema of both formats. */
export const COLUMNS = [
  { name: 'id', type: 'STRING', doc: 'module:function:index, unique in the dataset' },
  { name: 'module', type: 'STRING', doc: 'the module as given to gen' },
  { name: 'function', type: 'STRING', doc: 'IR name of the function (mangled for C++)' },
  {
    name: 'function_hash',
    type: 'STRING',
    doc: 'sha256 (hex) of `ir` without debug information, metadata and attribute numbers as !N, #N',
  },
  {
    name: 'source_hash',
    type: 'STRING',
    doc: "sha256 (hex) of `source` without comments and layout; '' without source",
  },
  {
    name: 'duplicates',
    type: 'INT32',
    doc: 'functions with the same IR or normalised source that were dropped for this one',
  },
  { name: 'input_index', type: 'INT32', doc: "the input's index among the function's kept inputs" },
  { name: 'split', type: 'STRING', doc: 'train, validation or test: drawn per package (--split)' },
  {
    name: 'package',
    type: 'STRING',
    doc: "the Debian source package (corpus), else the module's directory as given to gen",
  },
  { name: 'package_version', type: 'STRING', doc: "the Debian source package's version; '' otherwise" },
  {
    name: 'origin',
    type: 'STRING',
    doc: 'package_version/file in the Debian source package, else the source file path',
  },
  {
    name: 'license',
    type: 'STRING',
    doc: 'licence of the source file: debian/copyright (DEP-5) or SPDX-License-Identifier; else unknown',
  },
  { name: 'license_source', type: 'STRING', doc: "where `license` was read; '' for unknown" },
  { name: 'language', type: 'STRING', doc: 'C, C++, Rust, or unknown' },
  { name: 'source_file', type: 'STRING', doc: "absolute path of the subprogram's file; '' without -g" },
  { name: 'source_first_line', type: 'INT32', doc: 'first source line of the function (0 without -g)' },
  { name: 'source_last_line', type: 'INT32', doc: 'last source line of the function (0 without -g)' },
  { name: 'source', type: 'STRING', doc: "the lines first..last of the source file; '' when none" },
  { name: 'ir', type: 'STRING', doc: "the function's IR, printed by src/ir/printer.ts" },
  { name: 'signature', type: 'STRING', doc: 'C declaration from the debug information, else the IR one' },
  { name: 'input', type: 'JSON', doc: 'input state: args, objects, globals, calls, stdin, files' },
  { name: 'input_text', type: 'STRING', doc: 'the input state as C-like text' },
  { name: 'output', type: 'JSON', doc: 'output state: outcome, return value, changed memory, streams' },
  { name: 'output_text', type: 'STRING', doc: 'the output state as C-like text' },
  { name: 'outcome', type: 'STRING', doc: 'outcome kind (src/engine/outcome.ts)' },
  { name: 'outcome_message', type: 'STRING', doc: "the outcome's message, '' for none" },
  { name: 'steps', type: 'INT64', doc: 'engine steps of the run' },
  { name: 'covered_blocks', type: 'JSON', doc: "indices of the function's blocks that ran (array)" },
  { name: 'native', type: 'STRING', doc: "native replay verdict (ok, mismatch, ...), '' when not run" },
  { name: 'trace', type: 'STRING', doc: "--trace blocks: the blocks that ran, in order; '' when off" },
  { name: 'trace_length', type: 'INT32', doc: 'entries in `trace`: blocks, or line events' },
  { name: 'trace_cut', type: 'INT64', doc: 'entries after the trace was cut (0: complete)' },
  { name: 'replay', type: 'STRING', doc: "with --trace: the engine replay's verdict (ok or the difference)" },
] as const satisfies readonly { name: string; type: ColumnType; doc: string }[];

export type ColumnName = (typeof COLUMNS)[number]['name'];
type TypeOf<T extends ColumnType> = T extends 'INT32' ? number : T extends 'INT64' ? number : string;
/** A row: one value per column (JSON columns hold their JSON text). */
export type DatasetRow = { [C in (typeof COLUMNS)[number] as C['name']]: TypeOf<C['type']> };

/** What a row says about its function, the same for each of its inputs. */
export interface FunctionFacts {
  readonly hash: string;
  /** `sourceHash` of `source` (./dataset-hygiene.ts). */
  readonly sourceHash: string;
  readonly language: string;
  readonly sourceFile: string;
  readonly firstLine: number;
  readonly lastLine: number;
  readonly source: string;
  readonly ir: string;
  readonly signature: string;
  readonly types: TypeView | undefined;
}

const LANGUAGES: readonly [RegExp, string][] = [
  [/^DW_LANG_C_plus_plus/, 'C++'],
  [/^DW_LANG_(C|C89|C99|C11|C17)$/, 'C'],
  [/^DW_LANG_Rust$/, 'Rust'],
];
const EXTENSIONS: Readonly<Record<string, string>> = {
  '.c': 'C',
  '.cc': 'C++',
  '.cpp': 'C++',
  '.cxx': 'C++',
  '.rs': 'Rust',
};

/** Source files read for the rows, by path (a small cache: rows come function by function). */
export class SourceFiles {
  private readonly files = new Map<string, string[] | null>();

  lines(path: string): string[] | undefined {
    let hit = this.files.get(path);
    if (hit === undefined) {
      try {
        hit = readFileSync(path, 'utf8').split('\n');
      } catch {
        hit = null;
      }
      if (this.files.size >= 16) this.files.delete(this.files.keys().next().value!);
      this.files.set(path, hit);
    }
    return hit ?? undefined;
  }
}

/**
 * The hash of a function's IR text that identifies the same code in another module or build: debug
 * records (`#dbg_value(...)` lines) and `!dbg` attachments are left out, other metadata references
 * (`!tbaa !7`) become `!N`, attribute groups (`#0`) `#N`, so the same function compiled with or without -g, or next to other code, hashes the same.
 */
export function irHash(ir: string): string {
  const norm = ir
    .split('\n')
    .filter((l) => !/^\s*#dbg_/.test(l))
    .join('\n')
    .replace(/,? !dbg !\d+/g, '')
    .replace(/!\d+/g, '!N')
    .replace(/ #\d+\b/g, ' #N');
  return createHash('sha256').update(norm).digest('hex');
}

/** The facts of function `f` of module `m` (given to gen as `modulePath`). */
export function functionFacts(m: Module, f: Func, modulePath: string, files: SourceFiles): FunctionFacts {
  const ir = printFunction(m, f);
  const hash = irHash(ir);
  const irSignature = ir.slice(0, ir.indexOf('{')).trim();
  const di = debugInfo(m);
  const info = di.present ? di.function(f) : undefined;
  let language = EXTENSIONS[extname(modulePath).toLowerCase()] ?? 'unknown';
  if (info === undefined || info.file === undefined)
    return {
      hash,
      sourceHash: '',
      language,
      sourceFile: '',
      firstLine: 0,
      lastLine: 0,
      source: '',
      ir,
      signature: irSignature,
      types: undefined,
    };
  language = LANGUAGES.find(([re]) => re.test(info.language))?.[1] ?? language;
  const sourceFile = sourcePath({ file: info.file.filename, dir: info.file.directory, line: 0, col: 0 });
  const lines = files.lines(sourceFile);
  const lastLine = lines === undefined ? info.lastLine : closingBrace(lines, info.lastLine);
  const source =
    lines === undefined || info.firstLine <= 0
      ? ''
      : lines.slice(info.firstLine - 1, lastLine).join('\n') + '\n';
  const nodes = di.lookup;
  const cxx = isCxxLanguage(info.language);
  const params = info.params.map((p) => cDeclaration(nodes, p.type, p.name, { cxx })).join(', ');
  const inner = `${info.name}(${params === '' ? 'void' : params}${info.varargs ? ', ...' : ''})`;
  return {
    hash,
    sourceHash: sourceHash(source),
    language,
    sourceFile,
    firstLine: info.firstLine,
    lastLine,
    source,
    ir,
    signature: cDeclaration(nodes, info.returnType, inner, { cxx }),
    types: { nodes, fn: info, cxx },
  };
}

/**
 * The line of the function's closing brace: the debug information's last line is that of its last
 * instruction (often the `return`), so the lines after it up to the first one starting with `}` (at most
 * `BRACE_LINES` of them) are taken too; without such a line, `last` itself.
 */
function closingBrace(lines: readonly string[], last: number): number {
  for (let l = last; l >= 1 && l <= lines.length && l < last + BRACE_LINES; l++)
    if (lines[l - 1]!.startsWith('}')) return l;
  return last;
}
const BRACE_LINES = 100;

/** What a row says about where its function comes from and where it goes, the same for each input. */
export interface RowPlace {
  readonly provenance: Provenance;
  readonly duplicates: number;
  readonly split: Split;
}

/** The row of record `r` of a function with facts `ff`. */
export function datasetRow(
  r: InputRecord,
  ff: FunctionFacts,
  place: RowPlace,
  native: string,
  trace: TraceFacts | undefined,
): DatasetRow {
  const p = place.provenance;
  const text = new StateText(r, ff.types);
  return {
    id: `${r.module}:${r.function}:${r.index}`,
    module: r.module,
    function: r.function,
    function_hash: ff.hash,
    source_hash: ff.sourceHash,
    duplicates: place.duplicates,
    input_index: r.index,
    split: place.split,
    package: p.package,
    package_version: p.packageVersion,
    origin: p.origin,
    license: p.license,
    license_source: p.licenseSource,
    language: ff.language,
    source_file: ff.sourceFile,
    source_first_line: ff.firstLine,
    source_last_line: ff.lastLine,
    source: ff.source,
    ir: ff.ir,
    signature: ff.signature,
    input: JSON.stringify(inputState(r, ff.types)),
    input_text: text.input(),
    output: JSON.stringify(outputState(r)),
    output_text: text.output(),
    outcome: r.outcome.kind,
    outcome_message: r.outcome.message ?? '',
    steps: r.outcome.steps,
    covered_blocks: JSON.stringify(r.outcome.blocks),
    native,
    trace: trace?.text ?? '',
    trace_length: trace?.length ?? 0,
    trace_cut: trace?.cut ?? 0,
    replay: trace?.replay ?? '',
  };
}
