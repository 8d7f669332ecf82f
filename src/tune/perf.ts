/**
 * @fileoverview Stage: tune. `perf`: times every kept input of every module of a gen output natively under
 * several build variants and compares each variant with a baseline (docs/perf.md).
 *
 * Consumes: `TuneModule`s (the CLI reads them from OUT), `Variant`s, timing parameters. Produces: a
 * `PerfReport`: one row per (function, input, variant) with the median time per call, its spread and the
 * bootstrap interval of the ratio to the baseline; one row per (function, variant) over its inputs; the
 * noise floor per variant; the stability check (Spearman's rank correlation of per-function medians of the
 * even-numbered rounds against the odd-numbered ones) and the functions too noisy to use; builds that failed,
 * per module and variant.
 *
 * Order of measurement: each module is built for every variant first (builds run `jobs` at once); then the
 * module's variants are timed interleaved (tune/timing.ts): one process per variant, all pinned to the last
 * CPU, each record measured in rounds that give every variant one measurement in turn, so drift hits the
 * variants of a record alike.
 */
import { isNormalOutcome, isOutcomeKind } from '../engine/outcome.js';
import type { InputRecord } from '../gen/record.js';
import { coreCount, mapLimit } from '../util/concurrency.js';
import { errorLine } from '../util/errors.js';
import { bootstrapRatio, median, relativeSpread, spearman, trimmedMean, type Interval } from './stats.js';
import { timeModule, type TimingParams, type VariantTimings } from './timing.js';
import { buildVariant, type TuneModule, type VariantPlan } from './variant-build.js';
import type { Variant } from './variants.js';

export interface PerfOptions {
  readonly variants: readonly Variant[];
  /** Index of the baseline variant (default 0). */
  readonly baseline?: number;
  readonly workDir: string;
  readonly clang?: string;
  readonly timing: TimingParams;
  /**
   * Rounds per record (default 4): each gives every variant one measurement, in turn; the stability check
   * compares the even-numbered rounds with the odd-numbered ones.
   */
  readonly rounds?: number;
  readonly seed?: number;
  /** Builds at once. */
  readonly jobs?: number;
  /** A time (trimmed mean) below this many times the noise floor of its mode is "below the floor". */
  readonly floorFactor?: number;
  /** A function is noisy when its relative spread (MAD / median) exceeds this, or its two halves differ by more than twice it. */
  readonly noisyLimit?: number;
  /** Smallest difference reported: an interval within [1/(1+margin), 1+margin] is none (default 0.03). */
  readonly margin?: number;
  /** Bootstrap resamples. */
  readonly resamples?: number;
  readonly progress?: (line: string) => void;
}

/** The IR text of a module, for builds (the CLI loads it). */
export type TextOf = (mod: TuneModule) => Promise<string>;

export interface PerfRow {
  readonly module: string;
  readonly function: string;
  readonly input: number;
  readonly variant: string;
  readonly status: 'ok' | 'failed';
  readonly why?: string;
  readonly medianNs?: number;
  /** The 20%-trimmed mean time per call (stats.ts `trimmedMean`): what ratios and the stability check use. */
  readonly meanNs?: number;
  /** MAD / median of the samples. */
  readonly spread?: number;
  readonly samples?: number;
  /** Calls per timed sample (1: each call timed alone, with the state restored before it). */
  readonly batch?: number;
  /** Trimmed means of the even-numbered and of the odd-numbered rounds (the stability check). */
  readonly halfMeanNs?: readonly number[];
  readonly aboveFloor?: boolean;
  /** This variant's time over the baseline's, with the 95% bootstrap interval. */
  readonly ratio?: Interval;
}

export interface PerfFunctionRow {
  readonly module: string;
  readonly function: string;
  readonly variant: string;
  readonly inputs: number;
  /** Sum over the inputs of their median time per call. */
  readonly medianNs: number;
  /** Sum over the inputs of their trimmed mean time per call. */
  readonly meanNs: number;
  readonly halfMeanNs: readonly number[];
  readonly aboveFloor: boolean;
  readonly noisy: boolean;
  readonly ratio?: Interval;
}

export interface PerfReport {
  readonly variants: readonly string[];
  readonly baseline: string;
  /** The smallest difference reported (`sideOfOne`). */
  readonly margin: number;
  readonly floor: readonly { variant: string; singleNs: number; batchNs: number }[];
  readonly rows: readonly PerfRow[];
  readonly functions: readonly PerfFunctionRow[];
  readonly stability: {
    /** Spearman over (function, variant) points above the floor, and over all. */
    readonly spearmanAboveFloor: number;
    readonly pointsAboveFloor: number;
    readonly spearmanAll: number;
    readonly points: number;
    readonly perVariant: readonly { variant: string; spearmanAboveFloor: number; points: number }[];
  };
  readonly buildFailures: readonly { module: string; variant: string; why: string }[];
}

/** Records perf times: normal returns only (a crash or exit would end the timing process every time). */
export function timedRecords(records: readonly InputRecord[]): InputRecord[] {
  return records.filter(
    (r) => isOutcomeKind(r.outcome.kind) && isNormalOutcome(r.outcome.kind) && r.outcome.kind !== 'exit',
  );
}

/** A stable 32-bit seed from strings (FNV-1a). */
export function seedOf(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const ch of parts.join('\0')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

interface Cell {
  /** Samples per round. */
  passes: number[][];
  batch: number;
  why?: string;
}

/** Time every module under every variant; see the file header for the order. */
export async function runPerf(
  mods: readonly TuneModule[],
  textOf: TextOf,
  o: PerfOptions,
): Promise<PerfReport> {
  const vs = o.variants;
  const base = o.baseline ?? 0;
  const passes = o.rounds ?? 4;
  const say = o.progress ?? ((): void => undefined);
  const buildFailures: { module: string; variant: string; why: string }[] = [];
  const plans = new Map<TuneModule, (VariantPlan | string)[]>();
  await mapLimit([...mods], o.jobs ?? coreCount(), async (mod) => {
    const list: (VariantPlan | string)[] = [];
    let text: string | undefined;
    for (const v of vs) {
      try {
        text ??= await textOf(mod);
        list.push(
          await buildVariant(mod, text, v, o.workDir, o.clang !== undefined ? { clang: o.clang } : {}),
        );
      } catch (e) {
        const why = errorLine(e);
        list.push(why);
        buildFailures.push({ module: mod.path, variant: v.label, why });
      }
    }
    plans.set(mod, list);
    say(`built ${mod.path}`);
  });
  const cells = new Map<string, Cell>();
  const floors = vs.map(() => ({ single: [] as number[], batch: [] as number[] }));
  const key = (r: InputRecord, vi: number): string => `${r.module}\0${r.function}\0${r.index}\0${vi}`;
  for (const mod of mods) {
    const records = timedRecords(mod.records);
    if (records.length === 0) continue;
    const ps = (plans.get(mod) ?? []).map((x) => (typeof x === 'string' ? undefined : x));
    let res: (VariantTimings | undefined)[];
    try {
      res = await timeModule(ps, records, o.timing, passes);
    } catch (e) {
      for (const r of records)
        vs.forEach((_, vi) => cells.set(key(r, vi), { passes: [], batch: 0, why: errorLine(e) }));
      continue;
    }
    res.forEach((t, vi) => {
      if (t === undefined) return;
      floors[vi]!.single.push(...t.floorSingle);
      floors[vi]!.batch.push(...t.floorBatch);
      for (const [r, tm] of t.timings)
        cells.set(
          key(r, vi),
          tm.ok
            ? { passes: tm.roundsNs.map((x) => [...x]), batch: tm.batch }
            : { passes: [], batch: 0, why: tm.why },
        );
    });
    say(`timed ${mod.path}`);
  }
  // The floor's location is the trimmed mean, as every time's is: the clock advances in steps of about
  // 20 ns here, so a median of empty calls is one step or two, whichever side of it their true cost lies.
  const floor = vs.map((v, i) => ({
    variant: v.label,
    singleNs: trimmedMean(floors[i]!.single),
    batchNs: trimmedMean(floors[i]!.batch),
  }));
  return summarise(mods, plans, cells, floor, buildFailures, o, base, passes, key);
}

function summarise(
  mods: readonly TuneModule[],
  plans: ReadonlyMap<TuneModule, (VariantPlan | string)[]>,
  cells: ReadonlyMap<string, Cell>,
  floor: PerfReport['floor'],
  buildFailures: PerfReport['buildFailures'],
  o: PerfOptions,
  base: number,
  passes: number,
  key: (r: InputRecord, vi: number) => string,
): PerfReport {
  const vs = o.variants;
  const factor = o.floorFactor ?? 2;
  const noisyLimit = o.noisyLimit ?? 0.1;
  const seed = o.seed ?? 1;
  const rows: PerfRow[] = [];
  const functions: PerfFunctionRow[] = [];
  const all = (c: Cell | undefined): number[] => (c === undefined ? [] : c.passes.flatMap((p) => p ?? []));
  const complete = (c: Cell | undefined): boolean =>
    c !== undefined && c.passes.length === passes && c.passes.every((p) => p !== undefined && p.length > 0);
  for (const mod of mods) {
    const records = timedRecords(mod.records);
    const byFn = new Map<string, InputRecord[]>();
    for (const r of records) byFn.set(r.function, [...(byFn.get(r.function) ?? []), r]);
    for (const [fn, rs] of byFn) {
      vs.forEach((v, vi) => {
        const plan = plans.get(mod)?.[vi];
        const okRecords: InputRecord[] = [];
        for (const r of rs) {
          const c = cells.get(key(r, vi));
          const head = { module: mod.path, function: fn, input: r.index, variant: v.label };
          if (typeof plan === 'string' || plan === undefined) {
            rows.push({ ...head, status: 'failed', why: `build failed: ${plan ?? 'not built'}` });
            continue;
          }
          if (c === undefined || !complete(c)) {
            rows.push({ ...head, status: 'failed', why: c?.why ?? 'not timed' });
            continue;
          }
          okRecords.push(r);
          const xs = all(c);
          const med = median(xs);
          const mean = trimmedMean(xs);
          const fl = c.batch > 1 ? floor[vi]!.batchNs : floor[vi]!.singleNs;
          const bc = cells.get(key(r, base));
          const ratio =
            vi !== base && complete(bc)
              ? bootstrapRatio(
                  [c.passes],
                  [bc!.passes],
                  seedOf(seed, mod.path, fn, r.index, v.label),
                  // Per-input intervals are the detail; the per-function ones get the full count.
                  Math.ceil((o.resamples ?? 1000) / 4),
                )
              : undefined;
          rows.push({
            ...head,
            status: 'ok',
            medianNs: med,
            meanNs: mean,
            spread: relativeSpread(xs),
            samples: xs.length,
            batch: c.batch,
            halfMeanNs: halves(c.passes),
            aboveFloor: mean >= factor * fl,
            ...(ratio !== undefined ? { ratio } : {}),
          });
        }
        if (okRecords.length === 0) return;
        const cs = okRecords.map((r) => cells.get(key(r, vi)) as Cell);
        const medianNs = cs.reduce((s, c) => s + median(all(c)), 0);
        const meanNs = cs.reduce((s, c) => s + trimmedMean(all(c)), 0);
        const halfMeanNs = [0, 1].map((h) => cs.reduce((s, c) => s + halves(c.passes)[h]!, 0));
        const floorSum = cs.reduce((s, c) => s + (c.batch > 1 ? floor[vi]!.batchNs : floor[vi]!.singleNs), 0);
        const spreads = cs.map((c) => relativeSpread(all(c)));
        const passGap = Math.max(...halfMeanNs) / Math.min(...halfMeanNs) - 1;
        const baseCells = okRecords.map((r) => cells.get(key(r, base)));
        const ratio =
          vi !== base && baseCells.every(complete)
            ? bootstrapRatio(
                cs.map((x) => x.passes),
                baseCells.map((x) => x!.passes),
                seedOf(seed, mod.path, fn, v.label),
                o.resamples,
              )
            : undefined;
        functions.push({
          module: mod.path,
          function: fn,
          variant: v.label,
          inputs: okRecords.length,
          medianNs,
          meanNs,
          halfMeanNs,
          aboveFloor: meanNs >= factor * floorSum,
          noisy: spreads.some((s) => !(s <= noisyLimit)) || passGap > 2 * noisyLimit,
          ...(ratio !== undefined ? { ratio } : {}),
        });
      });
    }
  }
  return {
    variants: vs.map((v) => v.label),
    baseline: vs[base]!.label,
    margin: o.margin ?? 0.03,
    floor,
    rows,
    functions,
    stability: stability(functions, vs, passes),
    buildFailures,
  };
}

/** Trimmed means of the even-numbered and of the odd-numbered rounds: the two measurements the stability check compares. */
function halves(rounds: readonly (readonly number[])[]): number[] {
  return [0, 1].map((h) => trimmedMean(rounds.filter((_, i) => i % 2 === h).flat()));
}

function stability(
  functions: readonly PerfFunctionRow[],
  vs: readonly Variant[],
  passes: number,
): PerfReport['stability'] {
  const corr = (fs: readonly PerfFunctionRow[]): number =>
    passes < 2
      ? NaN
      : spearman(
          fs.map((f) => f.halfMeanNs[0]!),
          fs.map((f) => f.halfMeanNs[1]!),
        );
  const above = functions.filter((f) => f.aboveFloor);
  return {
    spearmanAboveFloor: corr(above),
    pointsAboveFloor: above.length,
    spearmanAll: corr(functions),
    points: functions.length,
    perVariant: vs.map((v) => {
      const fs = above.filter((f) => f.variant === v.label);
      return { variant: v.label, spearmanAboveFloor: corr(fs), points: fs.length };
    }),
  };
}
