/**
 * @fileoverview Stage: guide. Static sharding of a campaign for cluster schedulers (issue 17): `gen
 * --shard i/N` runs the modules of share i of N, and `inputsmith merge` puts the N shard directories
 * together into exactly the directory one `gen` run writes (byte for byte, timings.jsonl aside).
 *
 * Consumes: the IR texts of a campaign's modules (their cost estimates), shard directories. Produces:
 * `assignShards` (module index -> shard, balanced by estimated cost: longest processing time first, ties
 * by module order, so every shard computes the same assignment from the same inputs), the shard record
 * OUT/shard.json (written when a shard run ends: the modules it owns and the failures of those that could
 * not be loaded or listed, which the merged summary needs), and `mergeShards`.
 *
 * Every shard loads every module (run.json names them all, with their hashes, as one run's does) but
 * lists, searches and replays only its own. A shard's run.json is one run's plus `shard`; the merge
 * checks that the shards are the N parts of one run (same options, inputs and inputsmith version, each
 * index once, each module owned once, every shard finished) and refuses anything else with a one-line
 * error.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';
import { OutDir, RUN_FORMAT, stableJson, type RunSpec } from './layout.js';
import { buildSummary, functionsJsonl, type CampaignSummary, type ModuleResult } from './summary.js';

/** Share `index` (1-based, as written: `--shard 2/8`) of `count`. */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
  /**
   * `--shard-costs FILE`: a timings.jsonl of an earlier run of these modules, whose CPU time per module is
   * the cost estimate (modules it does not name: their instruction count, scaled). Every share must be
   * given the same file.
   */
  readonly costs?: string;
}

export const SHARD_FORMAT = 'inputsmith-shard';

/** OUT/shard.json: what the merge needs beyond the shard's results. */
export interface ShardRecord {
  readonly format: typeof SHARD_FORMAT;
  readonly version: 1;
  readonly index: number;
  readonly count: number;
  /** The modules this shard owns, in campaign order, with the failure of one not loaded or listed. */
  readonly modules: readonly {
    readonly key: string;
    readonly failure?: { readonly stage: string; readonly reason: string };
  }[];
}

/** Parse `i/N` (1 <= i <= N). Throws a usage `UserError`. */
export function parseShard(raw: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(raw.trim());
  const index = m === null ? NaN : Number(m[1]);
  const count = m === null ? NaN : Number(m[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 1 || index > count)
    throw new UserError(`--shard: expected i/N with 1 <= i <= N, got '${raw}'`, undefined, 2);
  return { index, count };
}

/**
 * A module's estimated cost: its instructions (lines inside function bodies). Search time grows with a
 * module's functions and their size; the count of functions alone would put sqlite3's big modules and
 * a header's one-liners on the same footing.
 */
export function irCost(text: string | undefined): number {
  if (text === undefined) return 0;
  let n = 0;
  let inBody = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('define ')) inBody = true;
    else if (line.startsWith('}')) inBody = false;
    else if (inBody && line.startsWith('  ')) n++;
  }
  return n;
}

/**
 * Estimated cost of each module: its instructions (`irCost`), or with `costsFile` (a timings.jsonl) the
 * CPU milliseconds its functions took in that run; a module the file does not name gets its instructions
 * times the file's milliseconds per instruction (over the modules it names). Throws `UserError` for an
 * unreadable file.
 */
export function moduleCosts(
  modules: readonly { readonly path: string; readonly text?: string }[],
  costsFile?: string,
): number[] {
  const size = modules.map((m) => irCost(m.text));
  if (costsFile === undefined) return size;
  const ms = new Map<string, number>();
  for (const line of readCosts(costsFile).split('\n')) {
    if (line.trim() === '') continue;
    let r: { module?: unknown; cpuMs?: unknown; timeMs?: unknown };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      throw new UserError('--shard-costs: not a timings.jsonl (a line is not JSON)', { file: costsFile });
    }
    const t = typeof r.cpuMs === 'number' ? r.cpuMs : typeof r.timeMs === 'number' ? r.timeMs : undefined;
    if (typeof r.module !== 'string' || t === undefined)
      throw new UserError('--shard-costs: not a timings.jsonl (a line has no module and time)', {
        file: costsFile,
      });
    ms.set(r.module, (ms.get(r.module) ?? 0) + t);
  }
  let knownMs = 0;
  let knownSize = 0;
  modules.forEach((m, i) => {
    const t = ms.get(m.path);
    if (t !== undefined) {
      knownMs += t;
      knownSize += size[i]!;
    }
  });
  const scale = knownSize > 0 && knownMs > 0 ? knownMs / knownSize : 1;
  // A small floor: a module that took 0 ms (one trivial function) still weighs something.
  return modules.map((m, i) => {
    const t = ms.get(m.path);
    return t === undefined ? size[i]! * scale : Math.max(t, 1);
  });
}

function readCosts(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`--shard-costs: cannot read: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
      file,
    });
  }
}

/** What run.json says of a shard: its share, and a hash of the cost file that made the assignment. */
export function shardOfSpec(sh: ShardSpec): { index: number; count: number; costs?: string } {
  if (sh.costs === undefined) return { index: sh.index, count: sh.count };
  const hash = createHash('sha256').update(readCosts(sh.costs)).digest('hex').slice(0, 16);
  return { index: sh.index, count: sh.count, costs: hash };
}

/**
 * The shard (0-based) of each module: the costliest module first, each to the least loaded shard (ties:
 * the earlier module, the lower shard). Deterministic for the same costs.
 */
export function assignShards(costs: readonly number[], count: number): number[] {
  const order = costs.map((c, i) => [c, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const load = new Array<number>(count).fill(0);
  const owner = new Array<number>(costs.length).fill(0);
  for (const [c, i] of order) {
    let best = 0;
    for (let s = 1; s < count; s++) if (load[s]! < load[best]!) best = s;
    owner[i] = best;
    load[best]! += c;
  }
  return owner;
}

/** The run as one unsharded campaign would have written it. */
export function unshardedSpec(spec: RunSpec): RunSpec {
  const { shard: _omit, ...rest } = spec;
  return rest;
}

export interface MergeResult {
  readonly summary: CampaignSummary;
  readonly out: string;
  readonly shards: number;
  readonly modules: number;
}

/** Merge the shard directories `dirs` (any order) into `out`. Throws `UserError` when they do not fit. */
export function mergeShards(dirs: readonly string[], out: string, force: boolean): MergeResult {
  if (dirs.length === 0) throw new UserError('no shard directories given', undefined, 2);
  const shards = dirs.map(readShard);
  const first = shards[0]!;
  const count = first.spec.shard!.count;
  const want = stableJson(unshardedSpec(first.spec));
  const byIndex = new Map<number, LoadedShard>();
  for (const s of shards) {
    const sh = s.spec.shard!;
    if (sh.count !== count)
      throw new UserError(`is shard ${sh.index}/${sh.count}, not one of ${count}`, { file: s.dir });
    if (stableJson(unshardedSpec(s.spec)) !== want)
      throw new UserError(`is a shard of another run than ${first.dir}`, { file: s.dir });
    if (byIndex.has(sh.index))
      throw new UserError(`is shard ${sh.index}/${count} again (also ${byIndex.get(sh.index)!.dir})`, {
        file: s.dir,
      });
    byIndex.set(sh.index, s);
  }
  for (let i = 1; i <= count; i++)
    if (!byIndex.has(i)) throw new UserError(`shard ${i}/${count} is missing`, undefined, 2);
  const spec = unshardedSpec(first.spec);
  const owner = new Map<string, { shard: LoadedShard; failure?: ModuleResult['failure'] }>();
  for (const s of shards)
    for (const m of s.record.modules) {
      if (owner.has(m.key))
        throw new UserError(`module ${m.key} is in two shards (${owner.get(m.key)!.shard.dir})`, {
          file: s.dir,
        });
      owner.set(m.key, { shard: s, ...(m.failure === undefined ? {} : { failure: m.failure }) });
    }
  const dst = new OutDir(out);
  dst.prepare(force);
  dst.checkRun(spec, force);
  const results: ModuleResult[] = [];
  for (const m of spec.modules) {
    const o = owner.get(m.key);
    if (o === undefined) throw new UserError(`module ${m.path} is in no shard`, undefined, 2);
    results.push(copyModule(o.shard, dst, m, o.failure, spec.native));
  }
  const timings = shards
    .slice()
    .sort((a, b) => a.spec.shard!.index - b.spec.shard!.index)
    .map((s) => readOr(new OutDir(s.dir).timingsFile, ''))
    .join('');
  writeFileAtomic(dst.timingsFile, timings);
  const summary = buildSummary(spec.seed, spec.native, results);
  writeFileAtomic(dst.functionsFile, functionsJsonl(results));
  writeFileAtomic(dst.summaryFile, stableJson(summary));
  return { summary, out, shards: count, modules: results.length };
}

interface LoadedShard {
  readonly dir: string;
  readonly spec: RunSpec;
  readonly record: ShardRecord;
}

function readShard(dir: string): LoadedShard {
  const runFile = new OutDir(dir).runFile;
  const spec = parseJson<RunSpec>(runFile, 'run.json');
  if (spec.format !== RUN_FORMAT) throw new UserError('run.json is not an inputsmith run', { file: dir });
  if (spec.shard === undefined)
    throw new UserError('holds a whole run, not a shard (gen --shard i/N writes shards)', { file: dir });
  const file = new OutDir(dir).shardFile;
  if (!existsSync(file))
    throw new UserError(
      `shard ${spec.shard.index}/${spec.shard.count} has not finished (no shard.json): run it again to complete it`,
      { file: dir },
    );
  const record = parseJson<ShardRecord>(file, 'shard.json');
  if (
    record.format !== SHARD_FORMAT ||
    record.index !== spec.shard.index ||
    record.count !== spec.shard.count
  )
    throw new UserError('shard.json does not belong to its run.json', { file: dir });
  return { dir, spec, record };
}

/** Copy one module's files from its shard and rebuild its result from them. */
function copyModule(
  s: LoadedShard,
  dst: OutDir,
  m: RunSpec['modules'][number],
  failure: ModuleResult['failure'],
  native: boolean,
): ModuleResult {
  if (failure !== undefined) return { module: m.path, key: m.key, failure, rows: [] };
  const src = new OutDir(s.dir);
  const ix = src.readModuleIndex(m.key);
  if (ix === undefined) throw new UserError(`module ${m.path} has no results in its shard`, { file: s.dir });
  for (const [from, to] of [
    [src.inputsDir(m.key), dst.inputsDir(m.key)],
    [dirname(src.sampleDir(m.key, 'x')), dirname(dst.sampleDir(m.key, 'x'))],
    [dirname(src.moduleIndexFile(m.key)), dirname(dst.moduleIndexFile(m.key))],
  ] as const)
    if (existsSync(from)) cpSync(from, to, { recursive: true });
  const rows = ix.functions.map((f) => {
    const row = src.readFunction(m.key, f.key);
    if (row === undefined)
      throw new UserError(`function ${f.name} of ${m.path} has no result in its shard`, { file: s.dir });
    return row;
  });
  const nativeRows = native ? src.readNative(m.key) : undefined;
  if (native && nativeRows === undefined)
    throw new UserError(`module ${m.path} has no native verdicts in its shard`, { file: s.dir });
  if (nativeRows !== undefined) dst.writeNative(m.key, nativeRows);
  return { module: m.path, key: m.key, rows, ...(nativeRows === undefined ? {} : { native: nativeRows }) };
}

function parseJson<T>(file: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UserError(`no ${what}: not an inputsmith output directory`, { file });
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UserError(`${what} is damaged`, { file });
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}
