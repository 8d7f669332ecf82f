/**
 * @fileoverview Stage: cli. How a generation campaign shows itself on the terminal.
 *
 * Consumes: the campaign's lifecycle hooks (`CampaignReporter`) and its final summary. Produces: on a TTY,
 * a progress bar (cli-progress, redraws throttled by it) with functions done and failed, mean coverage so
 * far and the ETA; elsewhere, a plain line every few seconds at most; then the summary table and the
 * throughput. Timings appear here only, never in the output directory.
 */
import cliProgress from 'cli-progress';
import type { CampaignReporter, CampaignResult } from '../guide/campaign.js';
import type { FunctionRow } from '../guide/layout.js';
import type { CampaignSummary, Figures } from '../guide/summary.js';

export interface TerminalReporter extends CampaignReporter {
  /** Take the bar off the screen (at the end, or when interrupted). */
  stop(): void;
}

const pct = (x: number | null): string => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);

/** A reporter for `stream` (stderr): a bar on a TTY, throttled lines elsewhere. */
export function terminalReporter(
  stream: NodeJS.WriteStream = process.stderr,
  label = 'gen',
  tty = stream.isTTY === true,
): TerminalReporter {
  let total = 0;
  let done = 0;
  let failed = 0;
  let ok = 0;
  let sumFirst = 0;
  let sumAll = 0;
  let modules = 0;
  let modulesDone = 0;
  let last = Date.now();
  const payload = (): Record<string, string> => ({
    failed: String(failed),
    cov1: pct(ok === 0 ? null : sumFirst / ok),
    cov: pct(ok === 0 ? null : sumAll / ok),
  });
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: `${label} {bar} {value}/{total} functions | {failed} failed | cov@1 {cov1} cov@N {cov} | ETA {eta_formatted}`,
          stream,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const line = (s: string): void => {
    stream.write(`${label}: ${s}\n`);
    last = Date.now();
  };
  const status = (): string => {
    const p = payload();
    return `${done}/${total} functions (${failed} failed), cov@1 ${p.cov1} cov@N ${p.cov}, ${modulesDone}/${modules} modules`;
  };
  let stopped = false;
  return {
    onStart(e) {
      total = e.functions;
      modules = e.modules;
      if (bar !== undefined) bar.start(total, 0, payload());
      else
        line(
          `${e.modules} module${e.modules === 1 ? '' : 's'}, about ${e.functions} functions, ${e.jobs} worker${e.jobs === 1 ? '' : 's'}`,
        );
    },
    onModuleListed(e) {
      total += e.functions - e.estimate;
      bar?.setTotal(total);
    },
    onFunction(row: FunctionRow) {
      done++;
      if (row.status === 'ok') {
        ok++;
        sumFirst += row.coveredFirst / row.blocks;
        sumAll += row.covered / row.blocks;
      } else failed++;
      if (bar !== undefined) bar.update(done, payload());
      else if (Date.now() - last >= 5000) line(status());
    },
    onModuleDone() {
      modulesDone++;
      if (bar === undefined && (Date.now() - last >= 2000 || modulesDone === modules)) line(status());
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar?.stop();
    },
  };
}

function table(rows: readonly string[][], rightFrom: number): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c >= rightFrom ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function figuresRow(name: string, f: Figures, native: boolean): string[] {
  const row = [
    name,
    String(f.functions),
    String(f.failed),
    pct(f.meanCoverageFirst),
    pct(f.meanCoverage),
    `${f.engineReplay.ok}/${f.inputs}`,
  ];
  if (native) row.push(`${f.nativeReplay?.ok ?? 0}/${f.inputs}`);
  return row;
}

/** The per-module table with a total line, then failed modules and (some) failed functions. */
export function formatSummaryTable(s: CampaignSummary, maxFailures = 10): string {
  const head = ['module', 'functions', 'failed', 'cov@1', 'cov@N', 'engine ok'];
  if (s.native) head.push('native ok');
  const rows = [
    head,
    ...s.modules.map((m) => figuresRow(m.status === 'ok' ? m.module : `${m.module} (failed)`, m, s.native)),
    figuresRow('total', s.totals, s.native),
  ];
  const out = [table(rows, 1)];
  for (const m of s.modules)
    if (m.failure !== undefined)
      out.push(`${m.module}: module failed (${m.failure.stage}): ${m.failure.reason}`);
  const kinds = Object.entries(s.totals.failedByKind).filter(([, n]) => n > 0);
  if (kinds.length > 0) out.push(`failed functions: ${kinds.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  const failures = s.modules.flatMap((m) =>
    m.failures.map((f) => `${m.module}: @${f.function} failed (${f.kind}): ${f.reason}`),
  );
  out.push(...failures.slice(0, maxFailures));
  if (failures.length > maxFailures)
    out.push(`... and ${failures.length - maxFailures} more failed functions (see functions.jsonl)`);
  if (s.native && s.totals.nativeReplay !== undefined) {
    const n = s.totals.nativeReplay;
    out.push(
      `native replay: ${n.ok} ok, ${n.mismatch} mismatch, ${n.failed} failed, ${n['not-run']} not run`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Throughput and what this run did (timing: terminal only). */
export function formatThroughput(r: CampaignResult): string {
  const secs = r.elapsedMs / 1000;
  const n = r.fresh;
  const rate = secs > 0 ? n / secs : 0;
  const did =
    n === 0
      ? `nothing left to do: all ${r.reused} functions were already done`
      : `${n} function${n === 1 ? '' : 's'} searched in ${secs.toFixed(1)} s (${rate.toFixed(1)} functions/s, ${r.jobs} worker${r.jobs === 1 ? '' : 's'})` +
        (r.reused > 0 ? `; ${r.reused} already done` : '');
  return `${did}. Results in ${r.out}\n`;
}
