/**
 * @fileoverview Stage: export. `inputsmith export dataset OUT... -o DIR`: the kept inputs of one `gen` run
 * or several (a corpus made of runs per package) as a dataset of functions paired with executions, one row per kept input (./dataset-row.ts), in Parquet
 * and/or JSONL (issue 14, docs/dataset.md).
 *
 * Consumes: OUT through `openRunDir` (./run-dir.ts: one module loaded at a time), its records file by
 * file, its native verdicts (OUT/native/<module-key>.json). With `trace: 'blocks'` or `'lines'`, each
 * record is replayed once in an engine compiled with `traceBlocks` or `traceLines` (./dataset-trace.ts:
 * the blocks the run executed in order, or its source lines with variable values, cut at `traceLimit`),
 * and the replay is checked to reproduce the record's outcome.
 * Produces, in DIR (each file written under a temporary name and renamed when complete):
 *
 *   DIR/data.jsonl                 (format jsonl or both) one JSON object per row, keys in column order
 *   DIR/README.md                  the dataset card (./dataset-card.ts)
 *   DIR/data-<k>.parquet           (format parquet or both) rows in row groups of `rowGroupRows`; a new
 *                                  file starts when one passes `fileBytes` (k = 00000, 00001, ...)
 *
 * Files of these names that an earlier export left in DIR and this one did not write are removed, so
 * `data-*.parquet` is always this dataset. Rows come in module, function and index order (only functions whose search succeeded, `status: ok`,
 * like the other exports), so the same run gives the same bytes. Memory: one module, one function's
 * records and one row group of rows at a time.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { Zstd } from '@hpcc-js/wasm-zstd';
import { ParquetWriter, fileWriter } from 'hyparquet-writer';
import { decodeRecord } from '../gen/record.js';
import { GenSession, type SessionOptions } from '../gen/runtime.js';
import type { FunctionRow } from '../guide/layout.js';
import type { Func } from '../ir/model.js';
import { DEFAULTS } from '../util/defaults.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { packageVersion } from '../util/version.js';
import {
  COLUMNS,
  DATASET_SCHEMA,
  SourceFiles,
  datasetRow,
  functionFacts,
  type DatasetRow,
} from './dataset-row.js';
import { blockTrace, lineTrace, type TraceFacts } from './dataset-trace.js';
import { CardStats, datasetCard } from './dataset-card.js';
import { Dedup, parseSplit, splitOf, type SplitRatio } from './dataset-hygiene.js';
import { ProvenanceFinder } from './dataset-provenance.js';
import { openRunDir, type ExportOptions, type LazyRunModule } from './run-dir.js';

export type DatasetFormat = 'parquet' | 'jsonl' | 'both';
export type DatasetTrace = 'none' | 'blocks' | 'lines';

export interface DatasetOptions extends ExportOptions {
  readonly format?: DatasetFormat;
  readonly trace?: DatasetTrace;
  /** Blocks (line events) kept per trace (default `DATASET_DEFAULTS.traceLimit`). */
  readonly traceLimit?: number;
  readonly rowGroupRows?: number;
  readonly fileBytes?: number;
  /** `train:validation:test` ratio of packages (default `DATASET_DEFAULTS.split`; `parseSplit`). */
  readonly split?: string;
  /** Drop copies of functions (default true; ./dataset-hygiene.ts). */
  readonly dedup?: boolean;
}

export const DATASET_DEFAULTS = {
  format: DEFAULTS.datasetFormat as DatasetFormat,
  traceLimit: DEFAULTS.traceLimit,
  split: DEFAULTS.datasetSplit,
  /** zstd level of the Parquet pages (zstd's own default). */
  zstdLevel: 3,
  rowGroupRows: 1000,
  fileBytes: 256 * 1024 * 1024,
};

export interface DatasetExport {
  readonly rows: number;
  readonly modules: number;
  /** Files written, relative to DIR. */
  readonly files: readonly string[];
  /** Rows whose traced replay did not reproduce the record (0 without traces). */
  readonly replayMismatches: number;
  /** Functions left out as copies of a kept one, and their rows. */
  readonly droppedFunctions: number;
  readonly droppedRows: number;
}

/** A destination of rows. */
interface RowSink {
  add(row: DatasetRow): void;
  /** Finish and return the files written (relative to the directory). */
  close(): string[];
  /** Remove the file being written. */
  abort(): void;
}

/**
 * Write the dataset of the `gen` output directories `outDirs` (one run, or several: a corpus made of runs
 * per package) into `dir`. Rows come run by run in the order given; copies of a function are dropped
 * across runs, and the split is drawn with the first run's seed, so one package lands in one split
 * whichever run holds it.
 */
export async function exportDataset(
  outDirs: string | readonly string[],
  dir: string,
  o: DatasetOptions = {},
): Promise<DatasetExport> {
  const roots = typeof outDirs === 'string' ? [outDirs] : outDirs;
  if (roots.length === 0) throw new UserError('export dataset: no gen output directory given');
  const format = o.format ?? DATASET_DEFAULTS.format;
  const ratio = parseSplit(o.split ?? DATASET_DEFAULTS.split);
  const runs = roots.map((root) => ({ root, ...openRunDir(root, o) }));
  const specs = runs.map((r) => r.spec);
  const spec = specs[0]!;
  checkDistinctModules(runs);
  const files = new SourceFiles();
  const provenance = new ProvenanceFinder();
  // The first pass: which functions are copies of which (./dataset-hygiene.ts), before any row is written.
  let dedup: Dedup | undefined;
  if (o.dedup !== false) {
    dedup = new Dedup();
    for (const [k, root] of roots.entries()) await surveyRun(root, k, o, files, provenance, dedup);
  }
  mkdirSync(dir, { recursive: true });
  const sinks: RowSink[] = [];
  if (format !== 'parquet') sinks.push(new JsonlSink(dir));
  if (format !== 'jsonl')
    sinks.push(
      new ParquetSink(
        dir,
        o.rowGroupRows ?? DATASET_DEFAULTS.rowGroupRows,
        o.fileBytes ?? DATASET_DEFAULTS.fileBytes,
        { schema: DATASET_SCHEMA, inputsmith: packageVersion(), seed: specs.map((x) => x.seed).join(',') },
        await zstdCompressor(),
      ),
    );
  let rows = 0;
  let nmod = 0;
  let replayMismatches = 0;
  const stats = new CardStats();
  try {
    for (const [run, { spec: rs, modules }] of runs.entries()) {
      const ctx: RowContext = {
        run,
        limits: rs.limits,
        splitSeed: spec.seed,
        o,
        files,
        provenance,
        dedup,
        ratio,
      };
      for await (const mod of modules) {
        nmod++;
        for (const row of moduleRows(mod, ctx)) {
          if (row.replay !== '' && row.replay !== 'ok') replayMismatches++;
          for (const s of sinks) s.add(row);
          stats.add(row);
          rows++;
        }
      }
    }
    if (nmod === 0)
      throw new UserError('no module of the run could be loaded: nothing to export', { file: roots[0]! });
  } catch (e) {
    for (const s of sinks) s.abort();
    throw e;
  }
  const written = sinks.flatMap((s) => s.close());
  const card = datasetCard(specs, stats, dedup, written, o.trace ?? 'none', packageVersion());
  writeFileAtomic(join(dir, 'README.md'), card);
  for (const f of readdirSync(dir))
    if ((f === 'data.jsonl' || /^data-\d{5}\.parquet$/.test(f)) && !written.includes(f)) rmSync(join(dir, f));
  return {
    rows,
    modules: nmod,
    files: [...written, 'README.md'],
    replayMismatches,
    droppedFunctions: dedup?.droppedFunctions ?? 0,
    droppedRows: dedup?.droppedRows ?? 0,
  };
}

/** What the rows of every module of one run share. */
interface RowContext {
  /** The run's index among the export's runs (dedup keys). */
  readonly run: number;
  readonly limits: SessionOptions['limits'];
  /** The seed of the split (the first run's). */
  readonly splitSeed: string;
  readonly o: DatasetOptions;
  readonly files: SourceFiles;
  readonly provenance: ProvenanceFinder;
  readonly dedup: Dedup | undefined;
  readonly ratio: SplitRatio;
}

/** The functions of a module whose search succeeded, in module order, with their result rows. */
function* okFunctions(mod: LazyRunModule): Generator<{ key: string; row: FunctionRow; fn: Func }> {
  for (const f of mod.out.readModuleIndex(mod.key)?.functions ?? []) {
    const row = mod.out.readFunction(mod.key, f.key);
    const fn = mod.m.symbols.get(f.name);
    if (row?.status === 'ok' && fn?.kind === 'function') yield { key: f.key, row, fn };
  }
}

/**
 * Two runs must not share a module path: rows' ids (`module:function:index`) would not be unique. The
 * same run given twice is the same mistake.
 */
function checkDistinctModules(
  runs: readonly { root: string; spec: { modules: readonly { path: string }[] } }[],
): void {
  const seen = new Map<string, string>();
  for (const r of runs)
    for (const m of r.spec.modules) {
      const other = seen.get(m.path);
      if (other !== undefined)
        throw new UserError(
          `module ${m.path} is in two of the runs (${other} and ${r.root}): row ids would not be unique`,
        );
      seen.set(m.path, r.root);
    }
}

/**
 * The first pass over run number `run`: every function that will give rows, with its hashes and package,
 * one module at a time, into `dedup`.
 */
async function surveyRun(
  outDir: string,
  run: number,
  o: DatasetOptions,
  files: SourceFiles,
  provenance: ProvenanceFinder,
  dedup: Dedup,
): Promise<void> {
  // Modules left out are reported once, by the second pass.
  const { modules } = openRunDir(outDir, { ...(o.clang !== undefined ? { clang: o.clang } : {}) });
  for await (const mod of modules)
    for (const { row, fn } of okFunctions(mod)) {
      const facts = functionFacts(mod.m, fn, mod.path, files);
      dedup.add({
        key: `${run}\0${mod.path}\0${fn.name}`,
        irHash: facts.hash,
        // A function a macro generated has the macro's lines as its source, the same for every function
        // the macro made (zstd's ZSTD_GEN_* templates): its source text names it nowhere, and joins nothing.
        sourceHash: facts.source.includes(fn.name.replace(/\.\d+$/, '')) ? facts.sourceHash : '',
        package: provenance.of(mod.path, facts.sourceFile, mod.file).package,
        rows: row.inputs.length,
      });
    }
}

/** The rows of one module, function by function (records read per function); copies are left out. */
function* moduleRows(mod: LazyRunModule, ctx: RowContext): Generator<DatasetRow> {
  const { o, files } = ctx;
  const native = new Map(
    (mod.out.readNative(mod.key) ?? []).map((n) => [`${n.function}\0${n.index}`, n.status]),
  );
  const limit = o.traceLimit ?? DATASET_DEFAULTS.traceLimit;
  let session: GenSession | undefined;
  try {
    for (const { key, row, fn } of okFunctions(mod)) {
      const verdict = ctx.dedup?.verdict(`${ctx.run}\0${mod.path}\0${fn.name}`) ?? {
        kept: true,
        duplicates: 0,
      };
      if (!verdict.kept) continue;
      const facts = functionFacts(mod.m, fn, mod.path, files);
      const prov = ctx.provenance.of(mod.path, facts.sourceFile, mod.file);
      const place = {
        provenance: prov,
        duplicates: verdict.duplicates,
        split: splitOf(prov.package, ctx.splitSeed, ctx.ratio),
      };
      for (const inp of row.inputs) {
        const file = mod.out.inputFile(mod.key, key, inp.index);
        const r = decodeRecord(readFileSync(file, 'utf8'), file);
        let trace: TraceFacts | undefined;
        if (o.trace === 'blocks' || o.trace === 'lines') {
          session ??= new GenSession(mod.m, {
            modulePath: mod.path,
            moduleHash: mod.hash,
            limits: ctx.limits,
            ...(o.trace === 'lines' ? { traceLines: limit } : { traceBlocks: limit }),
          });
          trace = o.trace === 'lines' ? lineTrace(session, fn, r) : blockTrace(session, fn, r);
        }
        yield datasetRow(r, facts, place, native.get(`${r.function}\0${r.index}`) ?? '', trace);
      }
    }
  } finally {
    session?.dispose();
  }
}

// ---------------------------------------------------------------------------------------------------
// Sinks

/** DIR/data.jsonl, written through a buffer. */
class JsonlSink implements RowSink {
  private readonly tmp: string;
  private readonly fd: number;
  private buf: string[] = [];
  private size = 0;

  constructor(private readonly dir: string) {
    this.tmp = join(dir, `.data.jsonl.${process.pid}.tmp`);
    this.fd = openSync(this.tmp, 'w');
  }

  add(row: DatasetRow): void {
    const line = `${JSON.stringify(row)}\n`;
    this.buf.push(line);
    this.size += line.length;
    if (this.size > 1 << 20) this.flush();
  }

  private flush(): void {
    if (this.buf.length > 0) writeSync(this.fd, this.buf.join(''));
    this.buf = [];
    this.size = 0;
  }

  close(): string[] {
    this.flush();
    closeSync(this.fd);
    renameSync(this.tmp, join(this.dir, 'data.jsonl'));
    return ['data.jsonl'];
  }

  abort(): void {
    closeSync(this.fd);
    rmSync(this.tmp, { force: true });
  }
}

let zstdModule: Promise<Zstd> | undefined;

/**
 * The Parquet pages' compressor: zstd at `DATASET_DEFAULTS.zstdLevel`, from @hpcc-js/wasm-zstd (zstd's C
 * library built to WebAssembly; Node 20's zlib has no zstd). Loaded once per process.
 */
async function zstdCompressor(): Promise<(bytes: Uint8Array) => Uint8Array> {
  const z = await (zstdModule ??= Zstd.load());
  return (bytes) => {
    const out = z.compress(bytes, DATASET_DEFAULTS.zstdLevel);
    // The library reports a zstd error on the console only: a frame is never empty.
    if (out.length === 0) throw new Error(`zstd could not compress a page of ${bytes.length} bytes`);
    return out;
  };
}

const PARQUET_TYPES = {
  STRING: { type: 'BYTE_ARRAY', converted_type: 'UTF8' },
  JSON: { type: 'BYTE_ARRAY', converted_type: 'JSON' },
  INT32: { type: 'INT32' },
  INT64: { type: 'INT64' },
} as const;

/** DIR/data-<k>.parquet: row groups of `groupRows` rows, a new file past `fileBytes`. */
class ParquetSink implements RowSink {
  private rows: DatasetRow[] = [];
  private writer: ParquetWriter | undefined;
  private out: ReturnType<typeof fileWriter> | undefined;
  private tmp = '';
  private readonly done: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly groupRows: number,
    private readonly fileBytes: number,
    private readonly meta: Readonly<Record<string, string>>,
    private readonly zstd: (bytes: Uint8Array) => Uint8Array,
  ) {}

  add(row: DatasetRow): void {
    this.rows.push(row);
    if (this.rows.length >= this.groupRows) this.flush();
  }

  private open(): ParquetWriter {
    this.tmp = join(this.dir, `.data-${this.done.length}.${process.pid}.tmp`);
    this.out = fileWriter(this.tmp);
    const schema = [
      { name: 'root', num_children: COLUMNS.length },
      ...COLUMNS.map((c) => ({
        name: c.name,
        repetition_type: 'REQUIRED' as const,
        ...PARQUET_TYPES[c.type],
      })),
    ];
    return new ParquetWriter({
      writer: this.out,
      schema,
      codec: 'ZSTD',
      compressors: { ZSTD: this.zstd },
      createdBy: `inputsmith ${packageVersion()}`,
      kvMetadata: Object.entries(this.meta).map(([key, value]) => ({ key, value })),
    });
  }

  private flush(): void {
    if (this.rows.length === 0) return;
    const w = (this.writer ??= this.open());
    const rows = this.rows;
    this.rows = [];
    w.write({
      columnData: COLUMNS.map((c) => ({
        name: c.name,
        // hyparquet-writer writes a JSON column's values with JSON.stringify: it is handed them parsed.
        data: rows.map((r) =>
          c.type === 'INT64'
            ? BigInt(r[c.name])
            : c.type === 'JSON'
              ? (JSON.parse(r[c.name] as string) as unknown)
              : r[c.name],
        ),
      })),
      rowGroupSize: rows.length,
    });
    if (this.out!.offset >= this.fileBytes) this.finishFile();
  }

  private finishFile(): void {
    this.writer!.finish();
    const name = `data-${String(this.done.length).padStart(5, '0')}.parquet`;
    renameSync(this.tmp, join(this.dir, name));
    this.done.push(name);
    this.writer = undefined;
  }

  close(): string[] {
    this.flush();
    if (this.writer !== undefined) this.finishFile();
    else if (this.done.length === 0) {
      // No rows at all: still a (row-less) file, so readers find the schema.
      this.writer = this.open();
      this.finishFile();
    }
    rmSync(this.tmp, { force: true });
    return this.done;
  }

  abort(): void {
    if (this.tmp !== '') rmSync(this.tmp, { force: true });
  }
}
