/**
 * @fileoverview Stage: guide. Replays many input records (a `gen` output directory, directories or record
 * files) in the engine and, on request, natively.
 *
 * Consumes: paths; for each record, its module (the record's `module` field, resolved against the current
 * directory, loaded as `gen` loads it: sources are compiled with the options of the `gen` run when the
 * records come from a run directory's run.json, else with the given ones). Produces: one `BatchVerdict`
 * per record, in path order. Engine replays run on the campaign's worker pool (./workers.ts: one compiled
 * module per worker, reused); native replays build one executable per module (../replay/native.ts).
 *
 * Why this lives in guide, not in replay: batch replay is a campaign-level job. It runs on the campaign's
 * worker threads (whose worker also searches, so the pool cannot sink below guide without the search)
 * and reads a campaign's run directory (run.json, ./layout.ts). replay/ keeps what it is about: one record
 * replayed in the engine (replay/engine.ts) and natively (replay/native.ts), with no knowledge of
 * campaigns or threads.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { decodeRecord, RECORD_FORMAT, type InputRecord } from '../gen/record.js';
import { loadIRText, type CompileOptions, type OptLevel } from '../toolchain/compile.js';
import { errorLine, UserError } from '../util/errors.js';
import { statInput, walkFiles } from '../util/fsx.js';
import { coreCount, Semaphore } from '../util/concurrency.js';
import {
  moduleHash,
  NATIVE_REPLAY_DEFAULTS,
  nativeWorkDir,
  replayNativeText,
  type NativeCause,
  type NativeStatus,
} from '../replay/native.js';
import { RUN_FORMAT, type RunSpec } from './layout.js';
import { ORDER_STRIDE, WorkerCrash, WorkerPool, type ModuleRef } from './workers.js';

export interface BatchOptions {
  readonly jobs?: number;
  readonly native?: boolean;
  /** Compile options for sources, unless the records come from a run directory. */
  readonly compile?: CompileOptions;
  readonly nativeTimeoutMs?: number;
  readonly nativeMemLimitMb?: number;
}

export interface BatchVerdict {
  readonly file: string;
  readonly module: string;
  readonly function: string;
  readonly index: number;
  /** `failed`: the module could not be loaded or compiled. */
  readonly engine: { readonly status: 'ok' | 'mismatch' | 'failed'; readonly reason: string };
  readonly native?: NativeVerdict;
}

/** A record's native verdict; `cause` (`NATIVE_CAUSES`) exactly when the status is not ok. */
export interface NativeVerdict {
  readonly status: NativeStatus;
  readonly reason: string;
  readonly cause?: NativeCause;
}

interface Item {
  readonly file: string;
  readonly text: string;
  readonly record: InputRecord;
  readonly copts: CompileOptions;
}

const RECORDS_PER_TASK = 64;

function walkJson(dir: string): string[] {
  return walkFiles(dir, { filter: (p) => p.endsWith('.json') });
}

/** Inputs of a `gen` output directory sort by module, function, then index (numerically). */
function byIndex(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * The gen run `dir` belongs to: its own run.json (a gen output directory), or the nearest ancestor's (a
 * directory inside one, such as OUT/sample or OUT/inputs/<module-key>). Undefined for other directories.
 */
function runOf(dir: string): { spec: RunSpec; own: boolean } | undefined {
  let d = resolve(dir);
  for (let own = true; ; own = false) {
    let spec: RunSpec | undefined;
    try {
      spec = JSON.parse(readFileSync(join(d, 'run.json'), 'utf8')) as RunSpec;
    } catch {
      spec = undefined;
    }
    if (spec !== undefined && spec.format === RUN_FORMAT) return { spec, own };
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

/** The records named by `paths`. Throws `UserError` for a missing path or a file that is not a record. */
export function collectRecords(paths: readonly string[], compile: CompileOptions): Item[] {
  const items: Item[] = [];
  for (const p of paths) {
    const st = statInput(p);
    if (!st.isDirectory()) {
      const text = readFileSync(p, 'utf8');
      items.push({ file: p, text, record: decodeRecord(text, p), copts: compile });
      continue;
    }
    let copts = compile;
    let files: string[];
    // Records of a gen run are compiled with that run's options; its directory means its kept inputs.
    const run = runOf(p);
    if (run !== undefined) {
      const c = run.spec.compile;
      copts = {
        ...compile,
        opt: c.opt as OptLevel,
        includes: [...c.includes],
        defines: [...c.defines],
        debug: c.debug,
      };
    }
    const dir = run?.own === true ? join(p, 'inputs') : p;
    try {
      files = walkJson(dir).sort(byIndex);
    } catch (e) {
      if (run?.own !== true) throw e;
      files = [];
    }
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      let format: unknown;
      try {
        format = (JSON.parse(text) as { format?: unknown }).format;
      } catch {
        format = undefined;
      }
      if (format !== RECORD_FORMAT) continue; // other JSON in the directory
      items.push({ file: f, text, record: decodeRecord(text, f), copts });
    }
  }
  if (items.length === 0) throw new UserError(`no input records found in ${paths.join(', ')}`);
  return items;
}

/** Native verdicts of one module's records; a failure of the whole replay fails each record. */
async function nativeVerdicts(
  loaded: { text: string; file: string },
  group: readonly Item[],
  o: BatchOptions,
  jobs: number,
): Promise<Map<Item, NativeVerdict>> {
  const native = new Map<Item, NativeVerdict>();
  try {
    const res = await replayNativeText(
      loaded.text,
      loaded.file,
      group.map((g) => g.record),
      {
        timeoutMs: o.nativeTimeoutMs ?? NATIVE_REPLAY_DEFAULTS.timeoutMs,
        memLimitMb: o.nativeMemLimitMb ?? NATIVE_REPLAY_DEFAULTS.memLimitMb,
        workDir: nativeWorkDir(),
        jobs,
        clang: o.compile?.clang,
      },
    );
    res.forEach((r, j) =>
      native.set(group[j]!, {
        status: r.status,
        reason: r.reason,
        ...(r.cause === undefined ? {} : { cause: r.cause }),
      }),
    );
  } catch (e) {
    for (const g of group) native.set(g, { status: 'failed', reason: errorLine(e), cause: 'replay-error' });
  }
  return native;
}

/** Replay every record; never throws for a record or module that fails (they get their verdicts). */
export async function replayBatch(paths: readonly string[], o: BatchOptions = {}): Promise<BatchVerdict[]> {
  const items = collectRecords(paths, o.compile ?? {});
  const jobs = Math.max(1, o.jobs ?? coreCount());
  // Group by module and the options it is compiled with.
  const groups = new Map<string, Item[]>();
  for (const it of items) {
    const k = JSON.stringify([
      it.record.module,
      it.copts.opt,
      it.copts.includes,
      it.copts.defines,
      it.copts.debug,
    ]);
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(it);
  }
  const verdicts = new Map<Item, BatchVerdict>();
  const pool = new WorkerPool(jobs);
  const nativeGate = new Semaphore(1);
  let gi = 0;
  try {
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const order = gi++;
        const first = group[0]!.record;
        const base = { module: first.module };
        let loaded: { text: string; file: string };
        try {
          loaded = await loadIRText(first.module, { ...group[0]!.copts, clang: o.compile?.clang });
        } catch (e) {
          const hint = isAbsolute(first.module)
            ? ''
            : ` (module paths are resolved against the current directory: run replay where gen ran)`;
          const reason = `cannot load module: ${errorLine(e)}${hint}`;
          for (const it of group)
            verdicts.set(it, {
              ...base,
              file: it.file,
              function: it.record.function,
              index: it.record.index,
              engine: { status: 'failed', reason },
            });
          return;
        }
        const ref: ModuleRef = {
          key: `m${order}`,
          path: first.module,
          file: loaded.file,
          hash: moduleHash(loaded.text),
        };
        const engine = new Map<Item, BatchVerdict['engine']>();
        const tasks: Promise<void>[] = [];
        for (let i = 0; i < group.length; i += RECORDS_PER_TASK) {
          const chunk = group.slice(i, i + RECORDS_PER_TASK);
          tasks.push(
            pool
              .submit(
                order * ORDER_STRIDE + i,
                { kind: 'replay', module: ref, records: chunk.map((c) => c.text) },
                loaded.text,
                (r) => {
                  if (r.kind === 'verdicts') r.verdicts.forEach((v, j) => engine.set(chunk[j]!, v));
                },
              )
              .catch((e: unknown) => {
                if (!(e instanceof WorkerCrash)) throw e;
                for (const c of chunk)
                  if (!engine.has(c)) engine.set(c, { status: 'failed', reason: e.message });
              }),
          );
        }
        await Promise.all(tasks);
        const native =
          o.native === true ? await nativeGate.use(() => nativeVerdicts(loaded, group, o, jobs)) : undefined;
        for (const it of group) {
          verdicts.set(it, {
            ...base,
            file: it.file,
            function: it.record.function,
            index: it.record.index,
            engine: engine.get(it) ?? { status: 'failed', reason: 'not replayed' },
            ...(native === undefined ? {} : { native: native.get(it)! }),
          });
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return items.map((it) => verdicts.get(it)!);
}
