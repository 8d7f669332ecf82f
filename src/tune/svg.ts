/**
 * @fileoverview Stage: tune. A small SVG writer for perf's two plots (no dependency: a few shapes and text).
 *
 * Consumes: a `PerfReport`'s per-function rows. Produces: SVG text: `speedupPlot` (per variant, the
 * distribution of per-function time ratios to the baseline on a log scale: one dot per function above the
 * noise floor, a box from the quartiles, the median line) and `extremesPlot` (for one variant, the
 * functions it slows down and speeds up most, bars with their 95% intervals). Deterministic: dots are spread
 * by a hash of the function name, not at random.
 */
import type { PerfFunctionRow, PerfReport } from './perf.js';
import { quantile, sideOfOne } from './stats.js';

const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
const f1 = (x: number): string => (Math.round(x * 10) / 10).toString();

class Svg {
  private parts: string[] = [];
  constructor(
    readonly w: number,
    readonly h: number,
  ) {}
  rect(x: number, y: number, w: number, h: number, fill: string, extra = ''): this {
    this.parts.push(
      `<rect x="${f1(x)}" y="${f1(y)}" width="${f1(Math.max(w, 0))}" height="${f1(Math.max(h, 0))}" fill="${fill}"${extra}/>`,
    );
    return this;
  }
  line(x1: number, y1: number, x2: number, y2: number, stroke: string, width = 1, dash = ''): this {
    const d = dash === '' ? '' : ` stroke-dasharray="${dash}"`;
    this.parts.push(
      `<line x1="${f1(x1)}" y1="${f1(y1)}" x2="${f1(x2)}" y2="${f1(y2)}" stroke="${stroke}" stroke-width="${width}"${d}/>`,
    );
    return this;
  }
  circle(x: number, y: number, r: number, fill: string): this {
    this.parts.push(`<circle cx="${f1(x)}" cy="${f1(y)}" r="${r}" fill="${fill}" fill-opacity="0.6"/>`);
    return this;
  }
  text(x: number, y: number, s: string, anchor: 'start' | 'middle' | 'end' = 'start', size = 12): this {
    this.parts.push(
      `<text x="${f1(x)}" y="${f1(y)}" font-size="${size}" text-anchor="${anchor}">${esc(s)}</text>`,
    );
    return this;
  }
  toString(): string {
    return [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${this.w}" height="${this.h}" viewBox="0 0 ${this.w} ${this.h}" font-family="sans-serif">`,
      `<rect width="${this.w}" height="${this.h}" fill="white"/>`,
      ...this.parts,
      '</svg>',
      '',
    ].join('\n');
  }
}

function hash01(s: string): number {
  let h = 0x811c9dc5;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h / 2 ** 32;
}

/** Ticks of a log2 axis covering [lo, hi] (ratios). */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log2(lo)); e <= Math.ceil(Math.log2(hi)); e++) out.push(2 ** e);
  return out;
}

const tickLabel = (t: number): string => (t >= 1 ? `${t}x` : `1/${1 / t}x`);

/** Per non-baseline variant, the per-function ratios to the baseline (time ratio: > 1 is slower). */
export function speedupPlot(report: PerfReport): string {
  const vs = report.variants.filter((v) => v !== report.baseline);
  const byV = vs.map((v) =>
    report.functions.filter((f) => f.variant === v && f.aboveFloor && f.ratio !== undefined),
  );
  const all = byV.flat().map((f) => f.ratio!.estimate);
  const lo = Math.min(0.5, ...all);
  const hi = Math.max(2, ...all);
  const rowH = 60;
  const left = 380;
  const width = 1000;
  const svg = new Svg(width, 70 + rowH * vs.length + 40);
  const plotW = width - left - 30;
  const x = logAxis(lo, hi, left, plotW);
  svg.text(
    width / 2,
    22,
    `Time per call relative to ${report.baseline} (per function above the noise floor; log scale, right = slower)`,
    'middle',
    13,
  );
  const top = 40;
  const bottom = top + rowH * vs.length;
  for (const t of ticks(lo, hi)) {
    if (t < lo || t > hi) continue;
    svg.line(x(t), top, x(t), bottom, t === 1 ? '#333' : '#ddd', t === 1 ? 1.5 : 1);
    svg.text(x(t), bottom + 16, tickLabel(t), 'middle', 11);
  }
  vs.forEach((v, i) => {
    const cy = top + rowH * i + rowH / 2;
    const fs = byV[i]!;
    const rs = fs.map((f) => f.ratio!.estimate);
    svg.text(left - 8, cy + 4, `${v} (${fs.length})`, 'end', 12);
    if (rs.length === 0) return;
    const q1 = quantile(rs, 0.25);
    const q2 = quantile(rs, 0.5);
    const q3 = quantile(rs, 0.75);
    svg.rect(x(q1), cy - 14, x(q3) - x(q1), 28, '#cfe0f5');
    svg.line(x(q2), cy - 16, x(q2), cy + 16, '#1f4e8c', 2.5);
    for (const f of fs) {
      const jitter = (hash01(`${f.module}:${f.function}`) - 0.5) * 24;
      const side = sideOfOne(f.ratio, report.margin);
      const sig = side === 'slower' ? '#c0392b' : side === 'faster' ? '#27863b' : '#777';
      svg.circle(x(f.ratio!.estimate), cy + jitter, 2.5, sig);
    }
    svg.text(x(q2), cy - 19, `median ${q2.toFixed(2)}x`, 'middle', 10);
  });
  svg.text(
    left,
    bottom + 34,
    `red: 95% interval above ${1 + report.margin} (slower), green: below 1/${1 + report.margin} (faster), grey: neither; box: quartiles`,
    'start',
    11,
  );
  return svg.toString();
}

/** The `n` functions `variant` slows down most and speeds up most, with their intervals. */
export function extremesPlot(report: PerfReport, variant: string, n = 10): string {
  const fs = report.functions
    .filter((f) => f.variant === variant && f.aboveFloor && f.ratio !== undefined)
    .sort((a, b) => b.ratio!.estimate - a.ratio!.estimate);
  const slow = fs.slice(0, n);
  const fast = fs.slice(Math.max(slow.length, fs.length - n)).reverse();
  const rows: (PerfFunctionRow | undefined)[] = [...slow, undefined, ...fast];
  const all = rows.flatMap((f) => (f === undefined ? [] : [f.ratio!.lo, f.ratio!.hi]));
  const lo = Math.min(0.5, ...all);
  const hi = Math.max(2, ...all);
  const rowH = 20;
  const left = 420;
  const width = 1000;
  const svg = new Svg(width, 60 + rowH * rows.length + 40);
  const plotW = width - left - 30;
  const x = logAxis(lo, hi, left, plotW);
  svg.text(
    width / 2,
    22,
    `${variant} vs ${report.baseline}: slowest (top) and fastest (bottom) functions`,
    'middle',
    13,
  );
  const top = 40;
  const bottom = top + rowH * rows.length;
  for (const t of ticks(lo, hi)) {
    if (t < lo || t > hi) continue;
    svg.line(x(t), top, x(t), bottom, t === 1 ? '#333' : '#ddd', t === 1 ? 1.5 : 1);
    svg.text(x(t), bottom + 16, tickLabel(t), 'middle', 11);
  }
  rows.forEach((f, i) => {
    const cy = top + rowH * i + rowH / 2;
    if (f === undefined) {
      svg.line(left, cy, left + plotW, cy, '#999', 1, '4 3');
      return;
    }
    const r = f.ratio!;
    const color = r.estimate >= 1 ? '#e08a7e' : '#85c28f';
    svg.rect(Math.min(x(1), x(r.estimate)), cy - 6, Math.abs(x(r.estimate) - x(1)), 12, color);
    svg.line(x(r.lo), cy, x(r.hi), cy, '#333', 1.2);
    const mod = f.module.replace(/^.*\//, '');
    svg.text(left - 8, cy + 4, `${f.function} (${mod}) ${r.estimate.toFixed(2)}x`, 'end', 11);
  });
  return svg.toString();
}

/** The x position of ratio r on a log scale from lo to hi over [left, left + plotW]. */
function logAxis(lo: number, hi: number, left: number, plotW: number): (r: number) => number {
  return (r) => left + ((Math.log2(r) - Math.log2(lo)) / (Math.log2(hi) - Math.log2(lo))) * plotW;
}
