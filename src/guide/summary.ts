/**
 * @fileoverview Stage: guide. The figures of a generation campaign: summary.json and functions.jsonl.
 *
 * Consumes: per module, its function rows (results/), native verdicts (native/) and whether the module
 * could be used at all. Produces: the `CampaignSummary` (documented field by field in
 * docs/summary-json.md) and the functions.jsonl text. Both are built only from what is on disk, in the
 * campaign's module order and each module's function order, so a resumed run writes the same bytes.
 * Coverage figures are fractions in [0, 1], rounded to 6 decimals.
 */
import {
  FAILURE_KINDS,
  type FailureKind,
  type FunctionRow,
  type InputRow,
  type NativeRow,
} from './layout.js';

export const SUMMARY_FORMAT = 'inputsmith-summary';
export const SUMMARY_VERSION = 1;

export const NATIVE_STATUSES = ['ok', 'mismatch', 'failed', 'not-run'] as const;
export type NativeCounts = Record<(typeof NATIVE_STATUSES)[number], number>;

export interface Figures {
  /** Functions selected (defined, matching --functions). */
  functions: number;
  /** Functions whose search ran. */
  succeeded: number;
  failed: number;
  /** Failed functions by failure kind, every kind (layout.ts `FAILURES`) in table order, 0 included. */
  failedByKind: Record<FailureKind, number>;
  /** Mean over succeeded functions of (blocks covered by the first input / blocks); null when none. */
  meanCoverageFirst: number | null;
  /** Mean over succeeded functions of (blocks covered by all kept inputs / blocks); null when none. */
  meanCoverage: number | null;
  /** Blocks of the succeeded functions, and how many the first input / all inputs covered. */
  blocks: number;
  blocksCoveredFirst: number;
  blocksCovered: number;
  /** Runs of the searches. */
  runs: number;
  /** Kept inputs. */
  inputs: number;
  /** Kept inputs by outcome kind (keys sorted). */
  outcomes: Record<string, number>;
  engineReplay: { ok: number; mismatch: number };
  /** Only with --native. */
  nativeReplay?: NativeCounts;
  /** Only with --native: the inputs that did not replay natively, by cause (keys sorted). */
  nativeCauses?: Record<string, number>;
}

export interface ModuleSummary extends Figures {
  module: string;
  key: string;
  status: 'ok' | 'failed';
  /** For a failed module: the step that failed and its first line. */
  failure?: { stage: string; reason: string };
  failures: { function: string; kind: string; reason: string }[];
}

export interface CampaignSummary {
  format: typeof SUMMARY_FORMAT;
  version: number;
  seed: string;
  native: boolean;
  totals: Figures & { modules: number; modulesFailed: number };
  modules: ModuleSummary[];
}

/** What the campaign knows about one module at the end. */
export interface ModuleResult {
  readonly module: string;
  readonly key: string;
  readonly failure?: { readonly stage: string; readonly reason: string };
  readonly rows: readonly FunctionRow[];
  readonly native?: readonly NativeRow[];
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

function emptyNative(): NativeCounts {
  return { ok: 0, mismatch: 0, failed: 0, 'not-run': 0 };
}

class Acc {
  functions = 0;
  succeeded = 0;
  failed = 0;
  failedByKind = Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<FailureKind, number>;
  sumFirst = 0;
  sumAll = 0;
  blocks = 0;
  blocksCoveredFirst = 0;
  blocksCovered = 0;
  runs = 0;
  inputs = 0;
  outcomes = new Map<string, number>();
  engine = { ok: 0, mismatch: 0 };
  native = emptyNative();
  causes = new Map<string, number>();

  add(row: FunctionRow): void {
    this.functions++;
    if (row.status !== 'ok') {
      // Inputs of a failed function (kept by the guard, for inspection) count nowhere.
      this.failed++;
      const kind = row.failure?.kind ?? 'internal-error';
      if (Object.hasOwn(this.failedByKind, kind)) this.failedByKind[kind]++;
      return;
    }
    this.succeeded++;
    this.sumFirst += row.coveredFirst / row.blocks;
    this.sumAll += row.covered / row.blocks;
    this.blocks += row.blocks;
    this.blocksCoveredFirst += row.coveredFirst;
    this.blocksCovered += row.covered;
    this.runs += row.runs;
    for (const i of row.inputs) {
      this.inputs++;
      this.outcomes.set(i.outcome, (this.outcomes.get(i.outcome) ?? 0) + 1);
      if (i.engine !== 'not-run') this.engine[i.engine]++;
      if (i.native !== undefined && i.native in this.native) this.native[i.native as keyof NativeCounts]++;
      if (i.nativeCause !== undefined)
        this.causes.set(i.nativeCause, (this.causes.get(i.nativeCause) ?? 0) + 1);
    }
  }

  figures(native: boolean): Figures {
    const n = this.succeeded;
    const f: Figures = {
      functions: this.functions,
      succeeded: n,
      failed: this.failed,
      failedByKind: { ...this.failedByKind },
      meanCoverageFirst: n === 0 ? null : round(this.sumFirst / n),
      meanCoverage: n === 0 ? null : round(this.sumAll / n),
      blocks: this.blocks,
      blocksCoveredFirst: this.blocksCoveredFirst,
      blocksCovered: this.blocksCovered,
      runs: this.runs,
      inputs: this.inputs,
      outcomes: sortedRecord(this.outcomes),
      engineReplay: { ...this.engine },
    };
    if (native) {
      f.nativeReplay = { ...this.native };
      f.nativeCauses = sortedRecord(this.causes);
    }
    return f;
  }
}

function sortedRecord(m: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Rows with each input's native verdict merged in (when there are native verdicts). */
export function withNative(m: ModuleResult): FunctionRow[] {
  if (m.native === undefined) return [...m.rows];
  const byKey = new Map(m.native.map((n) => [`${n.function}\0${n.index}`, n]));
  return m.rows.map((row) => ({
    ...row,
    inputs: row.inputs.map((i): InputRow => {
      const n = byKey.get(`${row.function}\0${i.index}`);
      if (n === undefined) return i;
      return {
        ...i,
        native: n.status,
        ...(n.reason === '' ? {} : { nativeReason: n.reason }),
        ...(n.cause === undefined ? {} : { nativeCause: n.cause }),
      };
    }),
  }));
}

export function buildSummary(
  seed: string,
  native: boolean,
  modules: readonly ModuleResult[],
): CampaignSummary {
  const total = new Acc();
  const out: ModuleSummary[] = [];
  for (const m of modules) {
    const acc = new Acc();
    const rows = withNative(m);
    for (const r of rows) {
      acc.add(r);
      total.add(r);
    }
    const s: ModuleSummary = {
      module: m.module,
      key: m.key,
      status: m.failure === undefined ? 'ok' : 'failed',
      ...(m.failure === undefined ? {} : { failure: { stage: m.failure.stage, reason: m.failure.reason } }),
      ...acc.figures(native),
      failures: rows
        .filter((r) => r.status !== 'ok')
        .map((r) => ({
          function: r.function,
          kind: r.failure?.kind ?? 'internal-error',
          reason: r.failure?.reason ?? '',
        })),
    };
    out.push(s);
  }
  return {
    format: SUMMARY_FORMAT,
    version: SUMMARY_VERSION,
    seed,
    native,
    totals: {
      modules: modules.length,
      modulesFailed: modules.filter((m) => m.failure !== undefined).length,
      ...total.figures(native),
    },
    modules: out,
  };
}

/** functions.jsonl: one row per function (native verdicts merged in), campaign order. */
export function functionsJsonl(modules: readonly ModuleResult[]): string {
  return modules
    .flatMap((m) => withNative(m))
    .map((r) => `${JSON.stringify(r)}\n`)
    .join('');
}
