/**
 * @fileoverview Stage: cli. `inputsmith replay <OUT dir | dir | record.json ...> [--native] [-j J]`: reruns
 * input records in the engine (and natively with --native) and checks they reproduce.
 *
 * Consumes: a `gen` output directory, directories of records or record files. Each record's module is its
 * `module` field resolved against the current directory (run replay where gen ran). Produces on stdout: a
 * line per record that did not reproduce and a count line. Exit 1 when any record mismatched or failed
 * (engine or native), 0 otherwise. The work is `replayBatch` (src/guide/replay-batch.ts).
 */
import type { Command } from 'commander';
import { replayBatch, type BatchVerdict } from '../../guide/replay-batch.js';
import { addCommandOptions, checkOptions, compileOptions, type OptionsOf } from '../options.js';

/** Lines for the records that did not reproduce, and the count line. */
export function formatReplay(vs: readonly BatchVerdict[], native: boolean): { lines: string[]; bad: number } {
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
      if (v.native.status === 'mismatch' || v.native.status === 'failed') {
        lines.push(`${v.native.status}: ${who} (native): ${v.native.reason}`);
        wrong = true;
      }
    }
    if (wrong) bad++;
  }
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
    const vs = await replayBatch(paths, { jobs: o.jobs, native: o.native, compile: compileOptions(o) });
    const { lines, bad } = formatReplay(vs, o.native);
    process.stdout.write(`${lines.join('\n')}\n`);
    process.exitCode = bad > 0 ? 1 : 0;
  });
}
