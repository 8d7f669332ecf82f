/**
 * @fileoverview Stage: guide. Static sharding of a campaign for cluster schedulers (issue 17): `gen
 * --shard i/N` runs the modules of share i of N, and `inputsmith merge` puts the N shard directories
 * together into exactly the directory one `gen` run writes (byte for byte, timings.jsonl aside).
 *
 * Consumes: the IR texts of a campaign's modules (their functions' cost estimates), shard directories.
 * Produces: `ShardPlan` (which share runs each function: balanced by estimated cost, longest processing
 * time first, ties by order, so every share computes the same plan from the same inputs), the shard
 * record OUT/shard.json (written when a shard run ends: per module the functions it ran, whether it is the
 * module's owner, and the owner's record of a module that could not be loaded or listed, which the merged
 * summary needs), and `mergeShards`.
 *
 * Every shard loads every module (run.json names them all, with their hashes, as one run's does), lists
 * the modules it has functions of, and searches and replays only its functions. A shard's run.json is one run's plus `shard`; the merge
 * checks that the shards are the N parts of one run (same options, inputs and inputsmith version, each
 * index once, each module owned once, every shard finished) and refuses anything else with a one-line
 * error.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
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
  /**
   * Queue jobs (./queue.ts): consecutive functions in campaign order, cut where the shares' estimated
   * costs are equal (`cutShards`), so that a job touches one or two modules and parses little, instead of
   * longest processing time first over all modules.
   */
  readonly contiguous?: boolean;
}

export const SHARD_FORMAT = 'inputsmith-shard';

/** OUT/shard.json: what the merge needs beyond the shard's results. */
export interface ShardRecord {
  readonly format: typeof SHARD_FORMAT;
  readonly version: 1;
  readonly index: number;
  readonly count: number;
  /**
   * The modules this shard worked on, in campaign order: the functions it ran (in module order), whether
   * it is the module's own owner (`ShardPlan`), and, from the owner, the failure of a module that could
   * not be loaded or listed.
   */
  readonly modules: readonly ShardModule[];
}

export interface ShardModule {
  readonly key: string;
  readonly owner: boolean;
  readonly functions: readonly string[];
  readonly failure?: { readonly stage: string; readonly reason: string };
}

/** The shard's record of the modules it worked on (`parts`: module index and result, campaign order). */
export function shardRecord(
  sh: ShardSpec,
  plan: ShardPlan,
  parts: readonly { readonly index: number; readonly result: ModuleResult }[],
): ShardRecord {
  return {
    format: SHARD_FORMAT,
    version: 1,
    index: sh.index,
    count: sh.count,
    modules: parts.map(({ index, result: r }) => {
      const owner = plan.ownsModule(index);
      return {
        key: r.key,
        owner,
        functions: r.rows.map((row) => row.function),
        ...(r.failure === undefined || !owner ? {} : { failure: r.failure }),
      };
    }),
  };
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
 * The defined functions of IR text and their instructions (lines of their bodies), in text order. Walks
 * the text with `indexOf` rather than splitting it into lines: every queue job and shard scans every
 * module (3 MB of IR: 20 ms against 110 ms).
 */
export function functionSizes(text: string | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (text === undefined) return out;
  const end = text.length;
  const next = (p: number): number => {
    const e = text.indexOf('\n', p);
    return e < 0 ? end : e + 1;
  };
  let p = 0;
  while (p < end) {
    if (!text.startsWith('define ', p)) {
      p = next(p);
      continue;
    }
    const lineEnd = next(p);
    const m = /@("(?:[^"\\]|\\.)*"|[-\w$.]+)\s*\(/.exec(text.slice(p, lineEnd));
    const name = m === null ? undefined : m[1]!.startsWith('"') ? m[1]!.slice(1, -1) : m[1]!;
    let n = 0;
    p = lineEnd;
    while (p < end && text[p] !== '}' && !text.startsWith('define ', p)) {
      if (text.startsWith('  ', p)) n++;
      p = next(p);
    }
    if (p < end && text[p] === '}' && name !== undefined) out.set(name, n);
  }
  return out;
}

/**
 * Who runs what: every function of every module is a unit of work with an estimated cost (its
 * instructions; with `--shard-costs`, the CPU time an earlier run spent on it, functions that run did not
 * see weighing their instructions times its milliseconds per instruction), assigned longest processing
 * time first; a module's own owner (which records a failure to load or list it, and runs the functions
 * the text scan did not see, if any) is the owner of its first unit. Every share computes the same plan.
 */
export class ShardPlan {
  private constructor(
    /** This share, 0-based. */
    private readonly me: number,
    private readonly moduleOwner: readonly number[],
    private readonly fnOwner: readonly ReadonlyMap<string, number>[],
  ) {}

  static make<M extends { readonly path: string; readonly text?: string }>(
    modules: readonly M[],
    sh: ShardSpec,
    sizesOf: (m: M) => Map<string, number> = (m) => functionSizes(m.text),
  ): ShardPlan {
    const sizes = modules.map(sizesOf);
    const units: { module: number; fn: string | undefined; cost: number }[] = [];
    const timed = sh.costs === undefined ? undefined : readTimings(sh.costs);
    let scale = 1;
    if (timed !== undefined) {
      let ms = 0;
      let size = 0;
      modules.forEach((m, i) => {
        for (const [fn, n] of sizes[i]!) {
          const t = timed.get(`${m.path}\0${fn}`);
          if (t !== undefined) {
            ms += t;
            size += n;
          }
        }
      });
      if (ms > 0 && size > 0) scale = ms / size;
    }
    modules.forEach((m, i) => {
      if (sizes[i]!.size === 0) units.push({ module: i, fn: undefined, cost: 0 });
      for (const [fn, n] of sizes[i]!) {
        const t = timed?.get(`${m.path}\0${fn}`);
        // A small floor: a function that took 0 ms still weighs something.
        units.push({ module: i, fn, cost: t === undefined ? n * scale : Math.max(t, 0.01) });
      }
    });
    const costs = units.map((u) => u.cost);
    const owner = sh.contiguous === true ? cutShards(costs, sh.count) : assignShards(costs, sh.count);
    const moduleOwner = new Array<number>(modules.length).fill(-1);
    const fnOwner = modules.map(() => new Map<string, number>());
    units.forEach((u, k) => {
      if (moduleOwner[u.module] === -1) moduleOwner[u.module] = owner[k]!;
      if (u.fn !== undefined) fnOwner[u.module]!.set(u.fn, owner[k]!);
    });
    return new ShardPlan(sh.index - 1, moduleOwner, fnOwner);
  }

  /** The share (0-based) that records module i's failure. */
  moduleShare(i: number): number {
    return this.moduleOwner[i]!;
  }

  /** The share (0-based) that runs function `fn` of module i. */
  functionShare(i: number, fn: string): number {
    return this.fnOwner[i]!.get(fn) ?? this.moduleOwner[i]!;
  }

  /** This share records module i's failure (and runs functions of it the scan did not see). */
  ownsModule(i: number): boolean {
    return this.moduleOwner[i] === this.me;
  }

  ownsFunction(i: number, fn: string): boolean {
    return (this.fnOwner[i]!.get(fn) ?? this.moduleOwner[i]) === this.me;
  }

  /** This share has anything to do with module i. */
  touches(i: number): boolean {
    if (this.ownsModule(i)) return true;
    for (const o of this.fnOwner[i]!.values()) if (o === this.me) return true;
    return false;
  }
}

/** CPU (else wall) milliseconds per module and function of a timings.jsonl, keyed `module\0function`. */
function readTimings(file: string): Map<string, number> {
  const ms = new Map<string, number>();
  for (const line of readCosts(file).split('\n')) {
    if (line.trim() === '') continue;
    let r: { module?: unknown; function?: unknown; cpuMs?: unknown; timeMs?: unknown };
    try {
      r = JSON.parse(line) as typeof r;
    } catch {
      throw new UserError('--shard-costs: not a timings.jsonl (a line is not JSON)', { file });
    }
    const t = typeof r.cpuMs === 'number' ? r.cpuMs : typeof r.timeMs === 'number' ? r.timeMs : undefined;
    if (typeof r.module !== 'string' || typeof r.function !== 'string' || t === undefined)
      throw new UserError('--shard-costs: not a timings.jsonl (a line has no module, function and time)', {
        file,
      });
    const k = `${r.module}\0${r.function}`;
    ms.set(k, (ms.get(k) ?? 0) + t);
  }
  return ms;
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
export function shardOfSpec(sh: ShardSpec): {
  index: number;
  count: number;
  costs?: string;
  contiguous?: true;
} {
  const contiguous = sh.contiguous === true ? { contiguous: true as const } : {};
  if (sh.costs === undefined) return { index: sh.index, count: sh.count, ...contiguous };
  const hash = createHash('sha256').update(readCosts(sh.costs)).digest('hex').slice(0, 16);
  return { index: sh.index, count: sh.count, costs: hash, ...contiguous };
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

/**
 * The share (0-based) of each unit when the units, in order, are cut into `count` consecutive runs of
 * about equal cost: a unit goes to the share its cost's midpoint falls in, never skipping a share and
 * leaving none empty while there are at least `count` units. Deterministic for the same costs.
 */
export function cutShards(costs: readonly number[], count: number): number[] {
  const total = costs.reduce((a, c) => a + c, 0);
  const owner: number[] = [];
  let before = 0;
  let prev = 0;
  costs.forEach((c, u) => {
    const want =
      total > 0 ? Math.floor(((before + c / 2) * count) / total) : Math.floor((u * count) / costs.length);
    // Enough units must remain for the shares after this one.
    const lo = Math.max(prev, count - (costs.length - u));
    const hi = u === 0 ? 0 : prev + 1;
    prev = Math.max(lo, Math.min(want, hi, count - 1));
    owner.push(prev);
    before += c;
  });
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
  // Per module: the shards that worked on it.
  const parts = new Map<string, Part[]>();
  for (const s of shards)
    for (const m of s.record.modules) {
      const list = parts.get(m.key) ?? [];
      list.push({ shard: s, m });
      parts.set(m.key, list);
    }
  const dst = new OutDir(out);
  dst.prepare(force);
  dst.checkRun(spec, force);
  const results = spec.modules.map((m) => mergeModule(parts.get(m.key) ?? [], dst, m, spec.native));
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

/** One shard's part of a module. */
interface Part {
  readonly shard: LoadedShard;
  readonly m: ShardModule;
}

/** Copy one module's files from the shards that ran its functions and rebuild its result from them. */
function mergeModule(
  parts: readonly Part[],
  dst: OutDir,
  m: RunSpec['modules'][number],
  native: boolean,
): ModuleResult {
  const owners = parts.filter((p) => p.m.owner);
  if (owners.length !== 1)
    throw new UserError(
      `module ${m.path} has ${owners.length === 0 ? 'no' : 'two'} owning shards`,
      undefined,
      2,
    );
  const own = owners[0]!;
  if (own.m.failure !== undefined) return { module: m.path, key: m.key, failure: own.m.failure, rows: [] };
  const ix = new OutDir(own.shard.dir).readModuleIndex(m.key);
  if (ix === undefined)
    throw new UserError(`module ${m.path} has no results in its shard`, { file: own.shard.dir });
  dst.writeModuleIndex(ix);
  const ran = new Map<string, LoadedShard>();
  for (const p of parts)
    for (const fn of p.m.functions) {
      if (ran.has(fn))
        throw new UserError(`function ${fn} of ${m.path} ran in two shards (${ran.get(fn)!.dir})`, {
          file: p.shard.dir,
        });
      ran.set(fn, p.shard);
    }
  const rows = ix.functions.map((f) => {
    const s = ran.get(f.name);
    const src = s === undefined ? undefined : new OutDir(s.dir);
    const row = src?.readFunction(m.key, f.key);
    if (src === undefined || row === undefined)
      throw new UserError(`function ${f.name} of ${m.path} has no result in any shard`, undefined, 2);
    copy(src.resultFile(m.key, f.key), dst.resultFile(m.key, f.key));
    copy(src.inputsDir(m.key, f.key), dst.inputsDir(m.key, f.key));
    copy(src.sampleDir(m.key, f.key), dst.sampleDir(m.key, f.key));
    return row;
  });
  if (!native) return { module: m.path, key: m.key, rows };
  // Native verdicts in the order one run replays them: functions in module order, inputs by index.
  const pos = new Map(ix.functions.map((f, i) => [f.name, i]));
  const verdicts = parts.flatMap((p) => {
    const v = new OutDir(p.shard.dir).readNative(m.key);
    if (v === undefined)
      throw new UserError(`module ${m.path} has no native verdicts in its shard`, { file: p.shard.dir });
    return v;
  });
  verdicts.sort((a, b) => pos.get(a.function)! - pos.get(b.function)! || a.index - b.index);
  dst.writeNative(m.key, verdicts);
  return { module: m.path, key: m.key, rows, native: verdicts };
}

/** Copy a file or directory when it exists (parents created). */
function copy(from: string, to: string): void {
  if (!existsSync(from)) return;
  mkdirSync(dirname(to), { recursive: true });
  cpSync(from, to, { recursive: true });
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
