/**
 * @fileoverview Stage: tune. Writes a `PerfReport`: JSONL rows, a Markdown summary and the SVG plots.
 *
 * Consumes: a `PerfReport`. Produces: `perfJsonl` (one line per (function, input, variant), then one per
 * (function, variant) with `"kind": "function"`), `perfMarkdown` (floor, stability, per-variant summary, the
 * functions with the largest and smallest ratios, build failures), `writePerfReport` (all of it into a
 * directory: perf.jsonl, perf.md, speedup.svg, extremes-<k>.svg).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fsx.js';
import type { PerfFunctionRow, PerfReport } from './perf.js';
import { geomean, median, sideOfOne } from './stats.js';
import { extremesPlot, speedupPlot } from './svg.js';

const r3 = (x: number | undefined): number | undefined =>
  x === undefined || !Number.isFinite(x) ? undefined : Math.round(x * 1000) / 1000;

export function perfJsonl(rep: PerfReport): string {
  const lines: string[] = [];
  for (const r of rep.rows)
    lines.push(
      JSON.stringify({
        kind: 'input',
        ...r,
        ...(r.medianNs !== undefined ? { medianNs: r3(r.medianNs) } : {}),
        ...(r.spread !== undefined ? { spread: r3(r.spread) } : {}),
        ...(r.halfMeanNs !== undefined ? { halfMeanNs: r.halfMeanNs.map(r3) } : {}),
        ...(r.ratio !== undefined
          ? { ratio: { estimate: r3(r.ratio.estimate), lo: r3(r.ratio.lo), hi: r3(r.ratio.hi) } }
          : {}),
      }),
    );
  for (const f of rep.functions)
    lines.push(
      JSON.stringify({
        kind: 'function',
        ...f,
        medianNs: r3(f.medianNs),
        halfMeanNs: f.halfMeanNs.map(r3),
        ...(f.ratio !== undefined
          ? { ratio: { estimate: r3(f.ratio.estimate), lo: r3(f.ratio.lo), hi: r3(f.ratio.hi) } }
          : {}),
      }),
    );
  return lines.map((l) => l + '\n').join('');
}

/** Per non-baseline variant: functions compared, above the floor, slower/faster/same by the interval. */
export function variantSummary(rep: PerfReport): {
  variant: string;
  functions: number;
  aboveFloor: number;
  slower: number;
  faster: number;
  same: number;
  geomeanRatio: number;
  medianRatio: number;
}[] {
  return rep.variants
    .filter((v) => v !== rep.baseline)
    .map((v) => {
      const fs = rep.functions.filter((f) => f.variant === v && f.ratio !== undefined);
      const above = fs.filter((f) => f.aboveFloor);
      const rs = above.map((f) => f.ratio!.estimate);
      return {
        variant: v,
        functions: fs.length,
        aboveFloor: above.length,
        slower: above.filter((f) => sideOfOne(f.ratio, rep.margin) === 'slower').length,
        faster: above.filter((f) => sideOfOne(f.ratio, rep.margin) === 'faster').length,
        same: above.filter((f) => sideOfOne(f.ratio, rep.margin) === undefined).length,
        geomeanRatio: geomean(rs),
        medianRatio: median(rs),
      };
    });
}

const fmt = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
const ci = (f: PerfFunctionRow): string =>
  `${fmt(f.ratio!.estimate)} [${fmt(f.ratio!.lo)}, ${fmt(f.ratio!.hi)}]`;

export function perfMarkdown(rep: PerfReport, top = 10): string {
  const out: string[] = ['# perf', ''];
  out.push(
    `Baseline: \`${rep.baseline}\`. Ratio = variant time / baseline time (> 1: slower), 95% bootstrap interval; a difference is reported when the interval lies outside [1/${1 + rep.margin}, ${1 + rep.margin}].`,
    '',
  );
  out.push(
    '| variant | noise floor, single call (ns) | noise floor, batched (ns/call) |',
    '| --- | ---: | ---: |',
  );
  for (const f of rep.floor) out.push(`| \`${f.variant}\` | ${fmt(f.singleNs, 1)} | ${fmt(f.batchNs, 2)} |`);
  const s = rep.stability;
  out.push(
    '',
    `Stability (Spearman rank correlation of per-function medians, even rounds against odd rounds): ${fmt(s.spearmanAboveFloor, 3)} over ${s.pointsAboveFloor} (function, variant) points above the noise floor; ${fmt(s.spearmanAll, 3)} over all ${s.points}.`,
    '',
  );
  const fnAll = new Set(rep.functions.map((f) => `${f.module}\0${f.function}`));
  const fnAbove = new Set(
    rep.functions
      .filter((f) => f.variant === rep.baseline && f.aboveFloor)
      .map((f) => `${f.module}\0${f.function}`),
  );
  const noisy = rep.functions.filter((f) => f.noisy);
  out.push(
    `Functions timed: ${fnAll.size}; above the noise floor under the baseline: ${fnAbove.size}; (function, variant) pairs flagged noisy: ${noisy.length}.`,
    '',
  );
  out.push(
    '| variant | functions | above floor | slower (CI above 1+m) | faster (CI below 1/(1+m)) | no difference | geomean ratio | median ratio |',
  );
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const v of variantSummary(rep))
    out.push(
      `| \`${v.variant}\` | ${v.functions} | ${v.aboveFloor} | ${v.slower} | ${v.faster} | ${v.same} | ${fmt(v.geomeanRatio)} | ${fmt(v.medianRatio)} |`,
    );
  out.push('', ...moduleTable(rep));
  for (const v of rep.variants.filter((x) => x !== rep.baseline)) {
    const fs = rep.functions
      .filter((f) => f.variant === v && f.aboveFloor && f.ratio !== undefined)
      .sort((a, b) => b.ratio!.estimate - a.ratio!.estimate);
    if (fs.length === 0) continue;
    out.push(
      '',
      `## \`${v}\`: slowest and fastest functions`,
      '',
      '| function | module | baseline ns/call | ratio [95% CI] | noisy |',
      '| --- | --- | ---: | --- | --- |',
    );
    const shown = fs.length <= 2 * top ? fs : [...fs.slice(0, top), ...fs.slice(-top)];
    for (const f of shown) {
      const b = rep.functions.find(
        (g) => g.variant === rep.baseline && g.module === f.module && g.function === f.function,
      );
      out.push(
        `| ${f.function} | ${f.module.replace(/^.*\//, '')} | ${fmt(b?.medianNs ?? NaN, 1)} | ${ci(f)} | ${f.noisy ? 'yes' : ''} |`,
      );
    }
  }
  const failed = rep.rows.filter((r) => r.status === 'failed');
  if (failed.length > 0) {
    const why = new Map<string, number>();
    for (const r of failed) {
      const k = (r.why ?? '')
        .replace(/@[\w.$]+/g, '@F')
        .replace(/\d+/g, 'N')
        .slice(0, 100);
      why.set(k, (why.get(k) ?? 0) + 1);
    }
    out.push(
      '',
      `## Not timed (${failed.length} (input, variant) pairs)`,
      '',
      '| reason | count |',
      '| --- | ---: |',
    );
    for (const [k, n] of [...why].sort((a, b) => b[1] - a[1]).slice(0, 15))
      out.push(`| ${k.replace(/\|/g, '\\|')} | ${n} |`);
  }
  if (rep.buildFailures.length > 0) {
    out.push('', '## Build failures', '');
    for (const b of rep.buildFailures) out.push(`- ${b.module} \`${b.variant}\`: ${b.why}`);
  }
  return out.join('\n') + '\n';
}

/**
 * Per module and variant: the module's total time (sum over functions timed under both builds of their
 * medians) relative to the baseline's, and the geometric mean of its functions' ratios above the floor.
 */
function moduleTable(rep: PerfReport): string[] {
  const out = [
    '## Per module',
    '',
    '| module | variant | functions | total time ratio | geomean ratio (above floor) |',
    '| --- | --- | ---: | ---: | ---: |',
  ];
  const modules = [...new Set(rep.functions.map((f) => f.module))];
  for (const m of modules)
    for (const v of rep.variants.filter((x) => x !== rep.baseline)) {
      const fs = rep.functions.filter((f) => f.module === m && f.variant === v && f.ratio !== undefined);
      if (fs.length === 0) continue;
      const baseOf = (f: PerfFunctionRow): number =>
        rep.functions.find((g) => g.module === m && g.function === f.function && g.variant === rep.baseline)
          ?.medianNs ?? NaN;
      const total = fs.reduce((s, f) => s + f.medianNs, 0) / fs.reduce((s, f) => s + baseOf(f), 0);
      const gm = geomean(fs.filter((f) => f.aboveFloor).map((f) => f.ratio!.estimate));
      out.push(`| ${m.replace(/^.*\//, '')} | \`${v}\` | ${fs.length} | ${fmt(total)} | ${fmt(gm)} |`);
    }
  return out;
}

/** perf.jsonl, perf.md, speedup.svg and extremes-<k>.svg (k: the variant's index) into `dir`. */
export function writePerfReport(rep: PerfReport, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const files: [string, string][] = [
    ['perf.jsonl', perfJsonl(rep)],
    ['perf.md', perfMarkdown(rep)],
    ['speedup.svg', speedupPlot(rep)],
  ];
  rep.variants.forEach((v, k) => {
    if (v !== rep.baseline) files.push([`extremes-${k}.svg`, extremesPlot(rep, v)]);
  });
  for (const [name, text] of files) writeFileAtomic(join(dir, name), text);
  return files.map(([n]) => join(dir, n));
}
