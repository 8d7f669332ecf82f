/**
 * @fileoverview Stage: replay (engine). Reruns an input record in the engine and checks that it reproduces
 * bit for bit: outcome, return value, memory afterwards, output streams, covered blocks and step count.
 *
 * Consumes: a `GenSession` of the record's module and the record. Produces: a `Verdict` (`ok`, or
 * `mismatch` naming the first field that differs). The record is laid out whole (every object at its
 * recorded extent); anything the run needs beyond it is the `input-divergence` outcome, reported as a
 * mismatch.
 */
import { Plan } from '../gen/plan.js';
import type { InputRecord } from '../gen/record.js';
import type { GenSession } from '../gen/runtime.js';
import { Rng } from '../util/rng.js';

export interface EngineVerdict {
  readonly status: 'ok' | 'mismatch';
  readonly reason: string;
}

/** Replay `r` in the session's engine and compare with what the record says. */
export function replayInEngine(session: GenSession, r: InputRecord): EngineVerdict {
  if (r.moduleHash !== session.opts.moduleHash)
    return { status: 'mismatch', reason: 'the record belongs to a different version of the module' };
  const again = session.run(r.function, Plan.fromRecord(r), 'replay', new Rng(0), {
    seed: r.seed,
    index: r.index,
    stepLimit: r.stepLimit,
  }).record;
  const diff = firstDifference(r.outcome, again.outcome, 'outcome');
  return diff === undefined ? { status: 'ok', reason: '' } : { status: 'mismatch', reason: diff };
}

/** Path and values of the first difference between two JSON-like values, or undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return `${path}: recorded ${short(a)}, replay ${short(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: recorded ${short(a)}, replay ${short(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`,
    );
    if (d !== undefined) return d;
  }
  return undefined;
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
