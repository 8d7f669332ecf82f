/**
 * @fileoverview Stage: tune. `diff`: differential testing of build variants. Every UB-free kept input is
 * replayed natively under every variant (one process per record, native replay's driver and checker) and
 * under native replay's own build of gen's IR (`ir`, the reference column); each variant's result is
 * compared with the record, which is the engine's run. A record where any variant disagrees is a
 * difference, and each disagreeing (record, variant) gets a class:
 *
 * - `engine-gap`: the `ir` build disagrees too: the record does not replay natively even from its own IR
 *   (an engine limit, docs/native-replay.md), not a difference between builds;
 * - `fp-contraction`: the variant rebuilt with `-ffp-contract=off` agrees;
 * - `undefined-behaviour`: the variant rebuilt with `-fwrapv -fno-strict-aliasing
 *   -fno-delete-null-pointer-checks` (the optimiser's use of UB switched off) or with
 *   `-ftrivial-auto-var-init=zero` (uninitialised locals read zero, as in the engine) agrees, or clang's
 *   UBSan in trap mode (`-fsanitize=undefined -fsanitize-trap=undefined`, same flags) stops the run;
 * - `implementation-defined`: none of those, and the disagreement follows the compiler, not the
 *   optimisation level: every variant of this compiler family disagrees with the same first difference
 *   while every variant of the other family agrees (argument evaluation order, an unspecified value each
 *   compiler fixes its own way);
 * - `unexplained`: a miscompilation candidate.
 *
 * Consumes: `TuneModule`s, `Variant`s. Produces: a `DiffReport` (counts per variant, every difference with
 * its record, each variant's verdict and first difference (native value and record value), its class and
 * the evidence). Differences are not reduced (see docs/perf.md).
 */
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { outcomeClass, isOutcomeKind } from '../engine/outcome.js';
import type { InputRecord } from '../gen/record.js';
import { ImageError } from '../replay/native-image.js';
import { replayNativeText, replayOne, type NativeReplayResult } from '../replay/native.js';
import { coreCount, mapLimit } from '../util/concurrency.js';
import { errorLine, UserError } from '../util/errors.js';
import { which } from '../util/proc.js';
import type { TextOf } from './perf.js';
import { buildVariant, recordUnfit, type TuneModule, type VariantPlan } from './variant-build.js';
import { withFlags, type Variant } from './variants.js';

export type DiffClass =
  'engine-gap' | 'fp-contraction' | 'undefined-behaviour' | 'implementation-defined' | 'unexplained';

export const DIFF_CLASSES: readonly DiffClass[] = [
  'engine-gap',
  'fp-contraction',
  'undefined-behaviour',
  'implementation-defined',
  'unexplained',
];

export interface DiffVerdict {
  readonly variant: string;
  /**
   * ok, mismatch, failed, not-run (as native replay), or unfit (the record names what C cannot reach, or the
   * build failed: not compared).
   */
  readonly status: NativeReplayResult['status'] | 'unfit';
  readonly cause?: string;
  readonly reason: string;
}

export interface Difference {
  readonly module: string;
  readonly function: string;
  readonly index: number;
  readonly outcome: string;
  readonly verdicts: readonly DiffVerdict[];
  /** Class per disagreeing variant, and the evidence (which rebuild agreed, or why none did). */
  readonly classes: readonly { variant: string; class: DiffClass; evidence: string }[];
  /** The record's class: the least explained of its variants' classes. */
  readonly class: DiffClass;
}

export interface DiffReport {
  readonly variants: readonly string[];
  readonly records: number;
  readonly perVariant: readonly {
    variant: string;
    ok: number;
    mismatch: number;
    failed: number;
    notRun: number;
    unfit: number;
  }[];
  readonly differences: readonly Difference[];
  readonly byClass: Readonly<Record<DiffClass, number>>;
  readonly buildFailures: readonly { module: string; variant: string; why: string }[];
}

export interface DiffOptions {
  readonly variants: readonly Variant[];
  readonly workDir: string;
  readonly clang?: string;
  readonly recordTimeoutMs: number;
  readonly memLimitMb: number;
  readonly classify?: boolean;
  readonly jobs?: number;
  readonly progress?: (line: string) => void;
}

/** Records diff compares: ending normally or in a defined crash (abort, assert), never by undefined behaviour. */
export function diffRecords(records: readonly InputRecord[]): InputRecord[] {
  return records.filter((r) => {
    const k = r.outcome.kind;
    if (!isOutcomeKind(k)) return false;
    const c = outcomeClass(k);
    return c === 'normal' || (c === 'crash' && (k === 'abort' || k === 'assert-fail'));
  });
}

/** Replay `records` with a variant's executable, one process per record (native replay's driver). */
async function replayPlan(
  plan: VariantPlan,
  records: readonly InputRecord[],
  o: DiffOptions,
): Promise<Map<InputRecord, DiffVerdict>> {
  const out = new Map<InputRecord, DiffVerdict>();
  const dir = mkdtempSync(join(tmpdir(), 'inputsmith-diff-'));
  try {
    chmodSync(dir, 0o711);
    const exe = join(dir, 'replay');
    copyFileSync(plan.exe, exe);
    chmodSync(exe, 0o755);
    const p = { ...plan, exe };
    const label = plan.variant.label;
    await mapLimit([...records], o.jobs ?? coreCount(), async (r, i) => {
      const unfit = recordUnfit(plan, r);
      if (unfit !== undefined) {
        out.set(r, { variant: label, status: 'unfit', reason: unfit });
        return;
      }
      try {
        const v = await replayOne(p, r, join(dir, String(i)), {
          timeoutMs: o.recordTimeoutMs,
          memLimitMb: o.memLimitMb,
          workDir: dir,
        });
        // The build's own copy of a string literal (or another constant the glue copied) has another
        // address: a pointer to it cannot be compared, which is no difference.
        const copied = /record @([^\s+]+)\+/.exec(v.reason)?.[1];
        if (v.status === 'mismatch' && copied !== undefined && plan.copiedGlobals.has(copied)) {
          out.set(r, {
            variant: label,
            status: 'unfit',
            reason: `points to @${copied}, whose copy in this build has another address`,
          });
          return;
        }
        out.set(r, {
          variant: label,
          status: v.status,
          reason: v.reason,
          ...(v.cause !== undefined ? { cause: v.cause } : {}),
        });
      } catch (e) {
        if (e instanceof ImageError) out.set(r, { variant: label, status: 'unfit', reason: e.message });
        else if (e instanceof UserError) out.set(r, { variant: label, status: 'failed', reason: e.format() });
        else throw e;
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

const disagrees = (v: DiffVerdict | undefined): boolean =>
  v !== undefined && (v.status === 'mismatch' || v.status === 'failed');

/** The rebuilds that explain a disagreement, in the order they are tried. */
interface Rebuild {
  readonly flags: string[];
  /** A second build: the rebuild explains a difference when the two builds end differently. */
  readonly contrast?: string[];
  readonly cls: DiffClass;
  readonly what: string;
  readonly via?: Variant;
}

function rebuilds(v: Variant, clangPath: string | undefined): Rebuild[] {
  const out: Rebuild[] = [
    { flags: ['-ffp-contract=off'], cls: 'fp-contraction', what: 'agrees with -ffp-contract=off' },
    {
      flags: ['-fwrapv', '-fno-strict-aliasing', '-fno-delete-null-pointer-checks'],
      cls: 'undefined-behaviour',
      what: 'agrees with -fwrapv -fno-strict-aliasing -fno-delete-null-pointer-checks',
    },
    {
      flags: ['-ftrivial-auto-var-init=zero'],
      contrast: ['-ftrivial-auto-var-init=pattern'],
      cls: 'undefined-behaviour',
      what: 'reads an uninitialised local: agrees with -ftrivial-auto-var-init=zero, or zero and pattern initialisation end differently',
    },
  ];
  if (clangPath !== undefined) {
    const viaClang: Variant = {
      ...v,
      compiler: 'clang',
      compilerPath: clangPath,
      family: 'clang',
      label: `clang ${v.flags.join(' ')}`,
    };
    out.push({
      flags: ['-fsanitize=undefined', '-fsanitize-trap=undefined'],
      cls: 'undefined-behaviour',
      what: 'UBSan (clang, trap mode) stops the run',
      via: viaClang,
    });
  }
  return out;
}

type Explained = { cls: DiffClass; what: string };

/** Per (record, variant index) key, the rebuild that explains the disagreement (tried in `rebuilds` order). */
async function explainByRebuilds(
  mod: TuneModule,
  text: string,
  o: DiffOptions,
  differing: readonly InputRecord[],
  verdicts: ReadonlyMap<InputRecord, DiffVerdict[]>,
  k: (r: InputRecord, vi: number) => string,
): Promise<Map<string, Explained>> {
  const explained = new Map<string, Explained>();
  const bopts = o.clang !== undefined ? { clang: o.clang } : {};
  const clangPath = o.clang ?? which('clang-19') ?? which('clang');
  for (const [vi, v] of o.variants.entries()) {
    const todo = differing.filter(
      (r) => disagrees(verdicts.get(r)![vi]) && !disagrees(verdicts.get(r)!.at(-1)),
    );
    for (const rb of rebuilds(v, clangPath)) {
      const left = todo.filter((r) => !explained.has(k(r, vi)));
      if (left.length === 0) break;
      let plan: VariantPlan;
      try {
        plan = await buildVariant(mod, text, withFlags(rb.via ?? v, rb.flags), o.workDir, bopts);
      } catch {
        continue;
      }
      const res = await replayPlan(plan, left, o);
      let contrast: Map<InputRecord, DiffVerdict> | undefined;
      if (rb.contrast !== undefined)
        try {
          const cp = await buildVariant(mod, text, withFlags(rb.via ?? v, rb.contrast), o.workDir, bopts);
          contrast = await replayPlan(cp, left, o);
        } catch {
          contrast = undefined;
        }
      for (const r of left) {
        const x = res.get(r);
        const y = contrast?.get(r);
        const ub = rb.flags.includes('-fsanitize-trap=undefined');
        const hit = ub
          ? x !== undefined && /SIGILL|SIGTRAP/.test(x.reason)
          : x?.status === 'ok' ||
            (x !== undefined && y !== undefined && (x.status !== y.status || x.reason !== y.reason));
        if (hit) explained.set(k(r, vi), { cls: rb.cls, what: rb.what });
      }
    }
  }
  return explained;
}

/** Differences of one module, classified. */
async function diffModule(
  mod: TuneModule,
  text: string,
  o: DiffOptions,
  failures: { module: string; variant: string; why: string }[],
): Promise<{ verdicts: Map<InputRecord, DiffVerdict[]>; differences: Difference[] }> {
  const records = diffRecords(mod.records);
  const verdicts = new Map<InputRecord, DiffVerdict[]>(records.map((r) => [r, []]));
  const plans: (VariantPlan | undefined)[] = [];
  const bopts = o.clang !== undefined ? { clang: o.clang } : {};
  for (const v of o.variants) {
    let plan: VariantPlan | undefined;
    try {
      plan = await buildVariant(mod, text, v, o.workDir, bopts);
    } catch (e) {
      failures.push({ module: mod.path, variant: v.label, why: errorLine(e) });
    }
    plans.push(plan);
    const res = plan === undefined ? undefined : await replayPlan(plan, records, o);
    for (const r of records)
      verdicts.get(r)!.push(
        res?.get(r) ?? {
          variant: v.label,
          // Not a difference: the build failed (listed in buildFailures).
          status: 'unfit',
          cause: 'build-failed',
          reason: 'the build failed',
        },
      );
  }
  // The reference column: native replay of gen's own IR.
  const irRes = await replayNativeText(text, mod.path, records, {
    timeoutMs: o.recordTimeoutMs,
    memLimitMb: o.memLimitMb,
    workDir: o.workDir,
    ...(o.jobs !== undefined ? { jobs: o.jobs } : {}),
    ...bopts,
  });
  records.forEach((r, i) => {
    const v = irRes[i]!;
    verdicts.get(r)!.push({
      variant: 'ir',
      status: v.status,
      reason: v.reason,
      ...(v.cause !== undefined ? { cause: v.cause } : {}),
    });
  });
  const differing = records.filter((r) => verdicts.get(r)!.some(disagrees));
  const differences: Difference[] = [];
  if (differing.length === 0) return { verdicts, differences };
  const k = (r: InputRecord, vi: number): string => `${r.function}\0${r.index}\0${vi}`;
  const explained =
    o.classify === false
      ? new Map<string, Explained>()
      : await explainByRebuilds(mod, text, o, differing, verdicts, k);
  for (const r of differing) {
    const vs = verdicts.get(r)!;
    const ir = vs.at(-1)!;
    const classes: Difference['classes'][number][] = [];
    o.variants.forEach((v, vi) => {
      const x = vs[vi]!;
      if (!disagrees(x)) return;
      if (disagrees(ir)) {
        classes.push({
          variant: v.label,
          class: 'engine-gap',
          evidence: `gen's IR does not replay natively either: ${ir.reason}`,
        });
        return;
      }
      const e = explained.get(k(r, vi));
      if (e !== undefined) {
        classes.push({ variant: v.label, class: e.cls, evidence: e.what });
        return;
      }
      const same = o.variants.map((w, wi) => ({ w, x: vs[wi]! })).filter((p) => p.x.status !== 'unfit');
      const mine = same.filter((p) => p.w.family === v.family);
      const other = same.filter((p) => p.w.family !== v.family);
      const firstDiff = (s: string): string => s.replace(/native .*$/, '');
      const familyWide =
        other.length > 0 &&
        mine.every((p) => disagrees(p.x) && firstDiff(p.x.reason) === firstDiff(x.reason)) &&
        other.every((p) => p.x.status === 'ok');
      classes.push(
        familyWide
          ? {
              variant: v.label,
              class: 'implementation-defined',
              evidence: `every ${v.family} variant differs at the same place and every other variant agrees with the engine`,
            }
          : {
              variant: v.label,
              class: 'unexplained',
              evidence: 'no rebuild explains it: a miscompilation candidate',
            },
      );
    });
    const worst = classes.reduce<DiffClass>(
      (w, c) => (DIFF_CLASSES.indexOf(c.class) > DIFF_CLASSES.indexOf(w) ? c.class : w),
      classes[0]?.class ?? 'engine-gap',
    );
    differences.push({
      module: mod.path,
      function: r.function,
      index: r.index,
      outcome: r.outcome.kind,
      verdicts: vs,
      classes,
      class: worst,
    });
  }
  return { verdicts, differences };
}

/** Diff every module (one at a time; records of a module run `jobs` at once). */
export async function runDiff(
  mods: readonly TuneModule[],
  textOf: TextOf,
  o: DiffOptions,
): Promise<DiffReport> {
  const labels = [...o.variants.map((v) => v.label), 'ir'];
  const counts = labels.map((variant) => ({ variant, ok: 0, mismatch: 0, failed: 0, notRun: 0, unfit: 0 }));
  const differences: Difference[] = [];
  const buildFailures: { module: string; variant: string; why: string }[] = [];
  let n = 0;
  for (const mod of mods) {
    let text: string;
    try {
      text = await textOf(mod);
    } catch (e) {
      buildFailures.push({ module: mod.path, variant: '*', why: errorLine(e) });
      continue;
    }
    const d = await diffModule(mod, text, o, buildFailures);
    for (const vs of d.verdicts.values()) {
      n++;
      vs.forEach((v, i) => {
        const c = counts[i]!;
        if (v.status === 'not-run') c.notRun++;
        else c[v.status]++;
      });
    }
    differences.push(...d.differences);
    o.progress?.(`${mod.path}: ${d.verdicts.size} records, ${d.differences.length} differences`);
  }
  const byClass = Object.fromEntries(
    DIFF_CLASSES.map((c) => [c, differences.filter((d) => d.class === c).length]),
  ) as Record<DiffClass, number>;
  return { variants: labels, records: n, perVariant: counts, differences, byClass, buildFailures };
}

/** The report as Markdown: counts per variant, differences per class, then each difference. */
export function diffMarkdown(rep: DiffReport, limit = 50): string {
  const out = [
    '# diff',
    '',
    `${rep.records} UB-free records compared across ${rep.variants.length} builds (\`ir\`: native replay of gen's IR, the reference).`,
    '',
  ];
  out.push(
    '| build | ok | mismatch | failed | not run | unfit |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const c of rep.perVariant)
    out.push(`| \`${c.variant}\` | ${c.ok} | ${c.mismatch} | ${c.failed} | ${c.notRun} | ${c.unfit} |`);
  out.push(
    '',
    `Differences: ${rep.differences.length} (${DIFF_CLASSES.map((c) => `${c} ${rep.byClass[c]}`).join(', ')}).`,
    '',
  );
  for (const d of rep.differences.slice(0, limit)) {
    out.push(`- **${d.class}** ${d.module} @${d.function} #${d.index} (record: ${d.outcome})`);
    for (const v of d.verdicts)
      if (v.status !== 'ok')
        out.push(`  - \`${v.variant}\`: ${v.status}${v.cause ? ` (${v.cause})` : ''}: ${v.reason}`);
    for (const c of d.classes) out.push(`  - class for \`${c.variant}\`: ${c.class}: ${c.evidence}`);
  }
  if (rep.differences.length > limit)
    out.push(`- ... ${rep.differences.length - limit} more (--json lists all)`);
  if (rep.buildFailures.length > 0) {
    out.push('', '## Build failures', '');
    for (const b of rep.buildFailures) out.push(`- ${b.module} \`${b.variant}\`: ${b.why}`);
  }
  return out.join('\n') + '\n';
}
