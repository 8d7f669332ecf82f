/**
 * @fileoverview Stage: mathlib. A small SVG writer for the report's two kinds of plot: grouped bars (the
 * error histograms) and step lines over bins (the error by argument), one colour per implementation.
 *
 * Consumes: series of numbers with labels. Produces: SVG text, deterministic (fixed precision, no ids, no
 * dates), readable at a glance in a browser or a Markdown viewer. No dependency: the plots need axes, ticks,
 * a legend and a log scale, which is a page of code.
 */

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

export interface PlotOptions {
  readonly title: string;
  readonly xLabels: readonly string[];
  readonly yLabel: string;
  /** Logarithmic y axis (values <= 0 are drawn at the bottom). */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const f = (v: number): string => (Math.round(v * 10) / 10).toString();
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

interface Frame {
  readonly x0: number;
  readonly y0: number;
  readonly w: number;
  readonly h: number;
  readonly y: (v: number) => number;
  readonly parts: string[];
}

function frame(o: PlotOptions, series: readonly Series[]): Frame {
  const width = o.width ?? 760;
  const height = o.height ?? 300;
  const x0 = 70;
  const y0 = 40;
  const w = width - x0 - 20;
  const h = height - y0 - 70;
  const all = series.flatMap((s) => s.values).filter((v) => Number.isFinite(v));
  const pos = all.filter((v) => v > 0);
  let lo = o.logY ? Math.floor(Math.log10(Math.min(...pos, 1))) : 0;
  let hi = o.logY ? Math.ceil(Math.log10(Math.max(...pos, 1))) : Math.max(...all, 0);
  if (hi <= lo) hi = lo + 1;
  if (!o.logY) hi = niceCeil(hi);
  const y = (v: number): number => {
    const t = o.logY ? (v > 0 ? (Math.log10(v) - lo) / (hi - lo) : 0) : v / hi;
    return y0 + h - Math.max(0, Math.min(1, t)) * h;
  };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="18" text-anchor="middle" font-size="14">${esc(o.title)}</text>`,
    `<text x="14" y="${y0 + h / 2}" text-anchor="middle" transform="rotate(-90 14 ${y0 + h / 2})">${esc(o.yLabel)}</text>`,
    `<line x1="${x0}" y1="${y0 + h}" x2="${x0 + w}" y2="${y0 + h}" stroke="black"/>`,
    `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y0 + h}" stroke="black"/>`,
  ];
  const ticks = o.logY
    ? Array.from({ length: hi - lo + 1 }, (_, i) => 10 ** (lo + i))
    : Array.from({ length: 5 }, (_, i) => (hi * i) / 4);
  for (const t of ticks) {
    const ty = y(t);
    parts.push(`<line x1="${x0 - 4}" y1="${f(ty)}" x2="${x0 + w}" y2="${f(ty)}" stroke="#ddd"/>`);
    parts.push(`<text x="${x0 - 6}" y="${f(ty + 4)}" text-anchor="end">${esc(fmtTick(t))}</text>`);
  }
  if (o.logY) lo = Math.min(lo, hi);
  return { x0, y0, w, h, y, parts };
}

function niceCeil(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmtTick(t: number): string {
  if (t === 0) return '0';
  if (Math.abs(t) >= 1e5 || Math.abs(t) < 1e-3) return t.toExponential(0);
  return String(Math.round(t * 1000) / 1000);
}

function legend(fr: Frame, series: readonly Series[]): void {
  series.forEach((s, i) => {
    const x = fr.x0 + 10 + i * 120;
    const y = fr.y0 - 10;
    fr.parts.push(
      `<rect x="${x}" y="${y - 8}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/>`,
    );
    fr.parts.push(`<text x="${x + 14}" y="${y + 1}">${esc(s.name)}</text>`);
  });
}

function xLabels(fr: Frame, labels: readonly string[], centre: (i: number) => number, every: number): void {
  labels.forEach((l, i) => {
    if (i % every !== 0) return;
    const x = centre(i);
    const y = fr.y0 + fr.h + 12;
    fr.parts.push(
      `<text x="${f(x)}" y="${y}" text-anchor="end" transform="rotate(-40 ${f(x)} ${y})">${esc(l)}</text>`,
    );
  });
}

/** Grouped bars: one group per x label, one bar per series. */
export function barChart(o: PlotOptions, series: readonly Series[]): string {
  const fr = frame(o, series);
  const groups = o.xLabels.length;
  const gw = fr.w / Math.max(1, groups);
  const bw = (gw * 0.8) / Math.max(1, series.length);
  series.forEach((s, si) => {
    s.values.forEach((v, i) => {
      const x = fr.x0 + i * gw + gw * 0.1 + si * bw;
      const top = fr.y(v);
      if (fr.y0 + fr.h - top > 0)
        fr.parts.push(
          `<rect x="${f(x)}" y="${f(top)}" width="${f(bw)}" height="${f(fr.y0 + fr.h - top)}" fill="${COLOURS[si % COLOURS.length]}"/>`,
        );
    });
  });
  xLabels(fr, o.xLabels, (i) => fr.x0 + (i + 0.5) * gw, 1);
  legend(fr, series);
  return fr.parts.join('\n') + '\n</svg>\n';
}

/** Step lines over equal bins (the error by argument). */
export function stepChart(o: PlotOptions, series: readonly Series[]): string {
  const fr = frame(o, series);
  const n = o.xLabels.length;
  const bw = fr.w / Math.max(1, n);
  series.forEach((s, si) => {
    const pts: string[] = [];
    s.values.forEach((v, i) => {
      const y = f(fr.y(v));
      pts.push(`${f(fr.x0 + i * bw)},${y}`, `${f(fr.x0 + (i + 1) * bw)},${y}`);
    });
    fr.parts.push(
      `<polyline fill="none" stroke="${COLOURS[si % COLOURS.length]}" stroke-width="1.5" stroke-opacity="0.8" points="${pts.join(' ')}"/>`,
    );
  });
  xLabels(fr, o.xLabels, (i) => fr.x0 + i * bw, Math.max(1, Math.ceil(n / 16)));
  legend(fr, series);
  return fr.parts.join('\n') + '\n</svg>\n';
}
