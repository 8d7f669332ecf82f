/**
 * @fileoverview Stage: mathlib. The report of a run: Markdown with tables, SVG plots, the JSON of every
 * figure, and the engine-vs-glibc differences as files.
 *
 * Consumes: `MathlibResult` (src/mathlib/run.ts). Produces, in the report directory: report.md, plots/
 * (FUNC-arg.svg: largest error by argument; FUNC-hist.svg: histogram of the errors of results not
 * correctly rounded), fidelity/FUNC.csv (the listed differences: arguments, engine and glibc bits) and
 * fidelity/FUNC.bin (every difference, raw records: the arguments' bits, the engine's, glibc's, 4 or 8
 * bytes each, little-endian); and the JSON (`resultJson`) where the caller asks. Output depends only on
 * the figures (run times apart), so two runs of the same measurement give the same files.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fsx.js';
import { chunkFile } from './chunk.js';
import { ERR_EDGES, ULP_EDGES, type Tally } from './measure.js';
import type { FunctionResult, MathlibResult } from './run.js';
import { barChart, stepChart } from './svg.js';

const pct = (a: number, n: number): string =>
  n === 0 ? '-' : `${((100 * a) / n).toFixed(a === n ? 0 : 4)}%`;
const secs = (s: number): string => (s >= 100 ? s.toFixed(0) : s.toFixed(1));

/** The largest error as Zimmermann's tables print it (3 decimals), or "CR" when every result was. */
export function fmtErr(t: Tally): string {
  if (t.n > 0 && t.cr === t.n) return 'CR';
  if (t.maxErr === 0 && t.special > 0) return 'NaN';
  return t.maxErr >= 1e6 ? t.maxErr.toExponential(2) : t.maxErr.toFixed(3);
}

function describeSet(f: FunctionResult): string {
  if (f.set.kind === 'bits') {
    const all =
      f.set.intervals.length === 1 && f.set.intervals[0]?.[0] === 0 && f.set.intervals[0]?.[1] === 2 ** 32;
    return all ? 'exhaustive, all 2^32 inputs' : `exhaustive, ${f.inputs} inputs of the range`;
  }
  const d = f.set.domains.map(([a, b]) => `[${a}, ${b}]`).join(' x ');
  return `${f.set.count} samples from ${d} (seed ${f.set.seed})${f.set.hard ? ' + CORE-MATH hard cases' : ''}`;
}

function summaryTable(r: MathlibResult): string[] {
  const head = `| function | inputs | ${r.impls.map((i) => `${i}: max ulp (CR share)`).join(' | ')} | engine vs glibc |`;
  const rows = r.functions.map((f) => {
    const cells = r.impls.map((i) => {
      const x = f.impls[i];
      if (x === undefined || x.skipped) return '-';
      return `${fmtErr(x.tally)} (${pct(x.tally.cr, x.tally.n)})`;
    });
    const fid =
      f.fidelity === undefined ? '-' : f.fidelity.count === 0 ? 'identical' : `${f.fidelity.count} differ`;
    const inputs =
      f.chunksMissing > 0 ? `${f.inputs} (partial)` : f.exhaustive ? `all ${f.inputs}` : String(f.inputs);
    return `| ${f.name} | ${inputs} | ${cells.join(' | ')} | ${fid} |`;
  });
  return [head, `|${' --- |'.repeat(r.impls.length + 3)}`, ...rows];
}

function functionSection(f: FunctionResult, impls: readonly string[]): string[] {
  const partial =
    f.chunksMissing > 0
      ? ` **Partial: ${f.chunks} of ${f.chunks + f.chunksMissing} chunks measured (${f.inputs} inputs); the exhaustive figures are not final.**`
      : '';
  const out = [
    `## ${f.name}`,
    '',
    `Inputs: ${describeSet(f)}.${partial} Reference: ${secs(f.reference.seconds)} s (MPFR fallbacks: ${f.reference.fallbacks}). Wall time of this run: ${secs(f.wallSeconds)} s.`,
    '',
  ];
  out.push(
    '| implementation | correctly rounded | not | max error (ulp) | at x | result | correct | NaN/number mismatches | evaluation (s) |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const i of impls) {
    const x = f.impls[i];
    if (x === undefined) continue;
    if (x.skipped) {
      out.push(`| ${i} | not provided by the file | | | | | | | |`);
      continue;
    }
    const t = x.tally;
    out.push(
      `| ${i} | ${t.cr} (${pct(t.cr, t.n)}) | ${t.n - t.cr} | ${fmtErr(t)} | ${t.maxAt.join(', ')} | ${t.maxGot} | ${t.maxWant} | ${t.special} | ${secs(x.seconds)} |`,
    );
  }
  const shown = impls.filter((i) => f.impls[i] !== undefined && !f.impls[i]?.skipped);
  out.push('', 'Errors of the results not correctly rounded (ulps):', '');
  const labels = ERR_EDGES.map((e, k) => (k === 0 ? '<= 0.5' : `(${ERR_EDGES[k - 1]}, ${e}]`));
  out.push(`| error | ${shown.join(' | ')} |`, `|${' --- |'.repeat(shown.length + 1)}`);
  labels.forEach((l, k) => {
    const cells = shown.map((i) => String(f.impls[i]?.tally.errHist[k] ?? 0));
    if (cells.some((c) => c !== '0')) out.push(`| ${l} | ${cells.join(' | ')} |`);
  });
  out.push('', 'Distance from the correctly rounded result (whole ulps):', '');
  const ulpLabels = ULP_EDGES.map((e, k) => (k === 0 ? '1' : `${(ULP_EDGES[k - 1] as number) + 1}..${e}`));
  out.push(`| ulps | ${shown.join(' | ')} |`, `|${' --- |'.repeat(shown.length + 1)}`);
  ulpLabels.forEach((l, k) => {
    const cells = shown.map((i) => String(f.impls[i]?.tally.ulpHist[k] ?? 0));
    if (cells.some((c) => c !== '0')) out.push(`| ${l} | ${cells.join(' | ')} |`);
  });
  if (f.float) {
    out.push(
      '',
      "Decimal study: shortest decimal printing of the result against the correctly rounded value's:",
      '',
    );
    out.push(
      '| implementation | differs | only in the last digit | in more digits |',
      '| --- | --- | --- | --- |',
    );
    for (const i of shown) {
      const t = f.impls[i]?.tally as Tally;
      out.push(
        `| ${i} | ${pct(t.n - t.cr, t.n)} | ${t.decimalLast} (${pct(t.decimalLast, t.n)}) | ${t.decimalMore} (${pct(t.decimalMore, t.n)}) |`,
      );
    }
  }
  out.push(
    '',
    `![largest error by argument](plots/${f.name}-arg.svg)`,
    '',
    `![error histogram](plots/${f.name}-hist.svg)`,
    '',
  );
  return out;
}

function plots(f: FunctionResult, impls: readonly string[], dir: string): void {
  const shown = impls.filter((i) => f.impls[i] !== undefined && !f.impls[i]?.skipped);
  const labels = f.binStarts.map((x) =>
    Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x),
  );
  const arg = stepChart(
    { title: `${f.name}: largest error (ulp) by argument`, xLabels: labels, yLabel: 'max error (ulp)' },
    shown.map((i) => ({
      name: i,
      values: f.binStarts.map((_, k) => f.impls[i]?.tally.bins[k]?.[2] ?? 0),
    })),
  );
  writeFileAtomic(join(dir, `${f.name}-arg.svg`), arg);
  const hist = barChart(
    {
      title: `${f.name}: results not correctly rounded, by error (ulp)`,
      xLabels: ERR_EDGES.map((e, k) => (k === 0 ? '<=0.5' : `<=${e}`)),
      yLabel: 'results (log)',
      logY: true,
    },
    shown.map((i) => ({ name: i, values: f.impls[i]?.tally.errHist ?? [] })),
  );
  writeFileAtomic(join(dir, `${f.name}-hist.svg`), hist);
}

function fidelitySection(r: MathlibResult): string[] {
  const fs = r.functions.filter((f) => f.fidelity !== undefined);
  if (fs.length === 0) return [];
  const out = [
    '## Engine against glibc, bit for bit',
    '',
    "Every input where the engine's model and glibc return different bits (NaNs of any payload count as equal): the count, the first ones listed below and in fidelity/FUNC.csv, all of them in fidelity/FUNC.bin.",
    '',
  ];
  out.push('| function | inputs | differences |', '| --- | --- | --- |');
  for (const f of fs) out.push(`| ${f.name} | ${f.inputs} | ${f.fidelity?.count} |`);
  for (const f of fs) {
    const d = f.fidelity?.diffs ?? [];
    if (d.length === 0) continue;
    out.push(
      '',
      `${f.name} (first ${Math.min(10, d.length)} of ${f.fidelity?.count}):`,
      '',
      '| x | engine | glibc |',
      '| --- | --- | --- |',
    );
    for (const [args, e, g] of d.slice(0, 10)) out.push(`| ${args.join(', ')} | ${e} | ${g} |`);
  }
  out.push('');
  return out;
}

/** All figures as JSON (the differences listed, not all of them: those are in fidelity/*.bin). */
export function resultJson(r: MathlibResult): string {
  const fns = r.functions.map((f) => ({
    name: f.name,
    float: f.float,
    arity: f.arity,
    inputs: f.inputs,
    exhaustive: f.exhaustive,
    chunks: f.chunks + f.chunksMissing,
    chunksMeasured: f.chunks,
    set: f.set,
    wallSeconds: f.wallSeconds,
    reference: f.reference,
    binStarts: f.binStarts,
    impls: f.impls,
    ...(f.fidelity !== undefined ? { fidelity: f.fidelity } : {}),
  }));
  return (
    JSON.stringify(
      {
        impls: r.impls,
        versions: r.versions,
        wallSeconds: r.wallSeconds,
        errEdges: ERR_EDGES.map(String),
        ulpEdges: ULP_EDGES.map(String),
        functions: fns,
      },
      null,
      1,
    ) + '\n'
  );
}

export function reportMarkdown(r: MathlibResult): string {
  const v = r.versions;
  const lines = [
    '# Maths library accuracy',
    '',
    `Implementations: ${r.impls.join(', ')}. glibc ${v.glibc}, musl ${v.musl}, MPFR ${v.mpfr}, Node ${v.node} (V8 ${v.v8}); CPU ${v.cpu}, FMA ${v.fma}. Errors in ulps of the exact result (MPFR); CR = correctly rounded (round to nearest). Exhaustive binary32 figures are exact; sampled ones are lower bounds. Total wall time ${secs(r.wallSeconds)} s.`,
    '',
    ...summaryTable(r),
    '',
    ...fidelitySection(r),
    ...r.functions.flatMap((f) => functionSection(f, r.impls)),
  ];
  return lines.join('\n');
}

/** Write report.md, the plots and the difference files into `dir`; the JSON to `jsonFile` if given. */
export function writeReport(r: MathlibResult, dir: string | undefined, jsonFile?: string): void {
  if (jsonFile !== undefined) writeFileAtomic(jsonFile, resultJson(r));
  if (dir === undefined) return;
  mkdirSync(join(dir, 'plots'), { recursive: true });
  for (const f of r.functions) plots(f, r.impls, join(dir, 'plots'));
  const withDiffs = r.functions.filter((f) => f.fidelity !== undefined);
  if (withDiffs.length > 0) mkdirSync(join(dir, 'fidelity'), { recursive: true });
  for (const f of withDiffs) {
    const csv = [
      'x,engine,glibc',
      ...(f.fidelity?.diffs ?? []).map(([a, e, g]) => `${a.join(' ')},${e},${g}`),
    ];
    writeFileAtomic(join(dir, 'fidelity', `${f.name}.csv`), csv.join('\n') + '\n');
    const fd = openSync(join(dir, 'fidelity', `${f.name}.bin`), 'w');
    try {
      for (let k = 0; k < f.chunks + f.chunksMissing; k++) {
        const p = chunkFile(f.cacheDir, k, 'fidelity').replace(/\.json$/, '.bin');
        if (existsSync(p)) writeSync(fd, readFileSync(p));
      }
    } finally {
      closeSync(fd);
    }
  }
  writeFileAtomic(join(dir, 'report.md'), reportMarkdown(r));
}
