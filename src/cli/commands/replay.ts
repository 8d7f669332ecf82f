/**
 * @fileoverview Stage: cli. `inputsmith replay <OUT dir | dir | record.json ...> [--native] [--verbose] [-j J]`: reruns
 * input records in the engine (and natively with --native) and checks they reproduce.
 *
 * Consumes: a `gen` output directory, directories of records or record files. Each record's module is its
 * `module` field resolved against the current directory (run replay where gen ran); a source listed in
 * `--compile-commands FILE`, else in the run's OUT/sources.json (gen --compile-commands), is compiled
 * with its entry's flags. Produces on stdout: a
 * line per record that did not reproduce in the engine, the records that did not replay natively grouped
 * by cause (`NATIVE_CAUSES`: a few records each, all with --verbose), and a count line. Exit 1 when any record mismatched or failed
 * (engine or native), 0 otherwise. The work is `replayBatch` (src/guide/replay-batch.ts).
 */
import type { Command } from 'commander';
import { runSourcesAbove } from '../../export/run-dir.js';
import { replayBatch, type BatchVerdict } from '../../guide/replay-batch.js';
import { NATIVE_CAUSE_IDS, NATIVE_CAUSES, type NativeCause } from '../../replay/native.js';
import { addCommandOptions, checkOptions, compileOptions, type OptionsOf } from '../options.js';

/** Records shown per cause unless --verbose. */
export const EXAMPLES_PER_CAUSE = 3;

/**
 * The native verdicts that are not ok, grouped by cause (most frequent first, then the table's order):
 * per cause its count by status and description, then its records (the first few unless `verbose`).
 */
function nativeCauseLines(vs: readonly BatchVerdict[], verbose: boolean): string[] {
  const by = new Map<NativeCause, BatchVerdict[]>();
  for (const v of vs) {
    const n = v.native;
    if (n === undefined || n.status === 'ok') continue;
    // A verdict without a cause comes from an older native/ file; it still counts.
    const c = n.cause ?? 'replay-error';
    let g = by.get(c);
    if (g === undefined) by.set(c, (g = []));
    g.push(v);
  }
  if (by.size === 0) return [];
  const total = [...by.values()].reduce((a, g) => a + g.length, 0);
  const order = [...by.keys()].sort(
    (a, b) =>
      by.get(b)!.length - by.get(a)!.length || NATIVE_CAUSE_IDS.indexOf(a) - NATIVE_CAUSE_IDS.indexOf(b),
  );
  const lines = [`native: ${total} record${total === 1 ? '' : 's'} did not replay, by cause:`];
  for (const c of order) {
    const g = by.get(c)!;
    const statuses = new Map<string, number>();
    for (const v of g) statuses.set(v.native!.status, (statuses.get(v.native!.status) ?? 0) + 1);
    const st = [...statuses].map(([k, n]) => `${n} ${k}`).join(', ');
    lines.push(`  ${c}: ${g.length} (${st}): ${NATIVE_CAUSES[c].description}`);
    const shown = verbose ? g : g.slice(0, EXAMPLES_PER_CAUSE);
    for (const v of shown) lines.push(`    ${v.module} @${v.function} #${v.index}: ${v.native!.reason}`);
    if (shown.length < g.length) lines.push(`    ... ${g.length - shown.length} more (--verbose lists them)`);
  }
  return lines;
}

/**
 * Lines for the records that did not reproduce and the count line: engine failures per record (a module
 * that could not be loaded: one line), native ones grouped by cause (`nativeCauseLines`).
 */
export function formatReplay(
  vs: readonly BatchVerdict[],
  native: boolean,
  verbose = false,
): { lines: string[]; bad: number } {
  const lines: string[] = [];
  /** Records of a module that failed for one reason (the module could not be loaded): one line. */
  const grouped = new Map<string, number>();
  for (const v of vs)
    if (v.engine.status === 'failed') {
      const k = `${v.module}\0${v.engine.reason}`;
      grouped.set(k, (grouped.get(k) ?? 0) + 1);
    }
  const said = new Set<string>();
  let bad = 0;
  const count = { ok: 0, mismatch: 0, failed: 0 };
  const nat = { ok: 0, mismatch: 0, failed: 0, 'not-run': 0 };
  for (const v of vs) {
    const who = `${v.module} @${v.function} #${v.index}`;
    count[v.engine.status]++;
    let wrong = false;
    const k = `${v.module}\0${v.engine.reason}`;
    if (v.engine.status === 'failed' && (grouped.get(k) ?? 0) > 1) {
      if (!said.has(k)) lines.push(`failed: ${v.module} (${grouped.get(k)} records): ${v.engine.reason}`);
      said.add(k);
      wrong = true;
    } else if (v.engine.status !== 'ok') {
      lines.push(`${v.engine.status}: ${who} (engine): ${v.engine.reason}`);
      wrong = true;
    }
    if (v.native !== undefined) {
      nat[v.native.status]++;
      if (v.native.status === 'mismatch' || v.native.status === 'failed') wrong = true;
    }
    if (wrong) bad++;
  }
  lines.push(...nativeCauseLines(vs, verbose));
  const modules = new Set(vs.map((v) => v.module)).size;
  let summary = `replayed ${vs.length} record${vs.length === 1 ? '' : 's'} of ${modules} module${modules === 1 ? '' : 's'}: engine ${count.ok} ok, ${count.mismatch} mismatch`;
  if (count.failed > 0) summary += `, ${count.failed} failed`;
  if (native)
    summary += `; native ${nat.ok} ok, ${nat.mismatch} mismatch, ${nat.failed} failed, ${nat['not-run']} not run`;
  lines.push(summary);
  return { lines, bad };
}

export function register(program: Command): void {
  const cmd = program
    .command('replay')
    .description('replay input records in the engine (and natively with --native) and check they reproduce')
    .argument('<paths...>', 'a gen output directory, directories of records, or record .json files');
  addCommandOptions(cmd, 'replay');
  cmd.action(async (paths: string[], o: OptionsOf<'replay'>) => {
    checkOptions('replay', o);
    const compile = compileOptions(o);
    // A gen run made with --compile-commands keeps its entries (OUT/sources.json): its sources compile
    // with them again unless the file is given (directories below OUT too, such as OUT/sample).
    const kept = paths.flatMap((p) => runSourcesAbove(p) ?? []);
    if (compile.commands === undefined && kept.length > 0) compile.commands = kept;
    const vs = await replayBatch(paths, { jobs: o.jobs, native: o.native, compile });
    const { lines, bad } = formatReplay(vs, o.native, o.verbose);
    process.stdout.write(`${lines.join('\n')}\n`);
    process.exitCode = bad > 0 ? 1 : 0;
  });
}
