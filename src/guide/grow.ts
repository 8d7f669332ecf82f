/**
 * @fileoverview Stage: guide. Workload inputs (`gen --grow STEPS`): bigger versions of a function's kept
 * inputs, for timing it (`inputsmith perf`) rather than covering it.
 *
 * Consumes: a `GenSession`, the function and the runs the search chose. Produces: for each chosen run that
 * returned, at most one grown record: the same plan with its sizes doubled together (size-like arguments,
 * then also strings, then also count-like fields: `STRATEGIES`), again and again, while each run still
 * returns and executes more steps, until a run reaches the target (or the doublings run out); the longest
 * run that returned is kept. Objects grow lazily as the bigger sizes reach past what was generated, so a
 * buffer and its length stay consistent. Deterministic: the draws come from an `Rng` of their own, the cost is counted in runs and
 * steps and charged to the function.
 *
 * The search's inputs are small (coverage needs no more), so a function that copies, hashes or compresses
 * its argument runs for tens of nanoseconds natively on them: below the clock's noise floor, and too short
 * for a vectorised loop to matter (issue 15). The grown inputs are extra kept inputs, after the covering
 * ones; everything that reads kept inputs (replay, exports, perf) reads them too.
 */
import type { Plan, PlanObject } from '../gen/plan.js';
import { intRec, type InputRecord } from '../gen/record.js';
import type { GenSession, RunRecord } from '../gen/runtime.js';
import { isDeterministicOutcome } from '../engine/outcome.js';
import { Rng } from '../util/rng.js';
import type { Kept } from './search.js';

/** Doublings of an input's sizes at most (a size of 1 reaches 65,536). */
const MAX_DOUBLINGS = 16;
/** A size-like value: an integer (of at least 16 bits) in [1, MAX_SIZE]. */
const MAX_SIZE = 1n << 24n;
/** A grown run may take this many times the target before its budget stops it. */
const OVERSHOOT = 4;
/** Growing one input takes this many times the target in steps at most, all its runs together. */
const SPEND = 16;

/**
 * What a doubling grows, tried in this order from the kept input until one reaches the target: the
 * size-like arguments; also the NUL-terminated strings of the input's objects (their text repeated);
 * also the count-like fields of its objects (aligned 32-bit words holding 2 .. 2^24: a length inside a
 * struct, an `avail_in`). Each adds to the one before, and runs only when it has something to add.
 */
const STRATEGIES = [['args'], ['args', 'strings'], ['args', 'strings', 'fields']] as const;
type Kind = (typeof STRATEGIES)[number][number];

export interface Grown {
  readonly records: InputRecord[];
  readonly runs: number;
  readonly steps: number;
  /** Set when a run ended by the time guard (not deterministic): growing stopped there. */
  readonly stopped?: boolean;
}

/** The arguments of `plan` that look like sizes (indices into `plan.args`). */
function sizeArguments(plan: Plan): number[] {
  const out: number[] = [];
  plan.args.forEach((a, i) => {
    if (a?.t !== 'int' || a.bits < 16) return;
    const v = BigInt(a.v);
    if (v >= 1n && v <= MAX_SIZE) out.push(i);
  });
  return out;
}

/**
 * The length of the string `o` holds, or -1: its bytes are present from offset 0 to a NUL, none before it
 * is NUL, and the object holds no pointer; a string of fewer than 4 bytes must be printable text (a struct
 * whose first field is a small integer is not a string). Bytes after the NUL may be present (a forward
 * walk generates some elements ahead): repeating the string overwrites them.
 */
function stringLength(o: PlanObject): number {
  const r = o.bytes.ranges();
  if (o.dead === true || o.relocs.size > 0 || r.length === 0 || r[0]![0] !== 0) return -1;
  let text = true;
  for (let i = 0; i < r[0]![1]; i++) {
    const c = o.bytes.get(i)!;
    if (c === 0) return i >= 4 || (i > 0 && text) ? i : -1;
    if (c < 0x20 || c > 0x7e) text = false;
  }
  return -1;
}

/** The little-endian 32-bit word at `off` of `o` (its four bytes present). */
function word(o: PlanObject, off: number): number {
  let v = 0;
  for (let k = 3; k >= 0; k--) v = v * 256 + o.bytes.get(off + k)!;
  return v;
}

function setWord(o: PlanObject, off: number, v: number): void {
  for (let k = 0; k < 4; k++) o.bytes.set(off + k, Math.floor(v / 2 ** (8 * k)) & 0xff);
}

/** Offsets of the count-like fields of `o` (not a string, not dead): aligned words in [2, 2^24]. */
function countFields(o: PlanObject): number[] {
  if (o.dead === true || stringLength(o) >= 0) return [];
  const out: number[] = [];
  for (const [a, b] of o.bytes.ranges())
    for (let off = (a + 3) & ~3; off + 4 <= b; off += 4) {
      const v = word(o, off);
      if (v >= 2 && v <= Number(MAX_SIZE)) out.push(off);
    }
  return out;
}

/** How much of each kind `plan` has to grow. */
function growable(plan: Plan): Record<Kind, number> {
  let strings = 0;
  let fields = 0;
  for (const o of plan.objects) {
    if (stringLength(o) > 0) strings++;
    fields += countFields(o).length;
  }
  return { args: sizeArguments(plan).length, strings, fields };
}

/** A copy of `plan` with everything of `kinds` doubled. */
function doubled(plan: Plan, kinds: readonly Kind[]): Plan {
  const p = plan.clone();
  if (kinds.includes('args'))
    for (const i of sizeArguments(p)) {
      const a = p.args[i];
      if (a?.t === 'int') p.args[i] = intRec(a.bits, BigInt(a.v) * 2n);
    }
  for (const o of p.objects) {
    const n = kinds.includes('strings') ? stringLength(o) : -1;
    if (n > 0) {
      for (let i = 0; i < n; i++) o.bytes.set(n + i, o.bytes.get(i)!);
      o.bytes.set(2 * n, 0);
    } else if (kinds.includes('fields')) for (const off of countFields(o)) setWord(o, off, 2 * word(o, off));
  }
  return p;
}

/** The doublings to try on `plan`, in order: the `STRATEGIES` that have something to add. */
function doublings(plan: Plan): ((p: Plan) => Plan)[] {
  const has = growable(plan);
  return STRATEGIES.filter((kinds) => has[kinds[kinds.length - 1]!] > 0).map(
    (kinds) => (p: Plan) => doubled(p, kinds),
  );
}

/**
 * Grow each of `chosen` that returned toward `target` steps. `rng` draws the bytes runs newly reach;
 * `firstIndex` numbers the grown records after the covering ones.
 */
export function growInputs(
  session: GenSession,
  fn: string,
  chosen: readonly Kept[],
  target: number,
  rng: Rng,
  firstIndex: number,
): Grown {
  const records: InputRecord[] = [];
  let runs = 0;
  let steps = 0;
  const stepLimit = Math.min(session.limits.stepLimit, OVERSHOOT * target);
  for (const k of chosen) {
    if (k.run.outcome !== 'returned' || k.run.steps >= target) continue;
    let best: RunRecord = k.run;
    const spent = steps;
    for (const double of doublings(k.run.plan)) {
      if (best.steps >= target || steps - spent >= SPEND * target) break;
      let cur: RunRecord = k.run;
      for (let d = 0; d < MAX_DOUBLINGS && cur.steps < target && steps - spent < SPEND * target; d++) {
        const meta = { seed: k.run.record.seed, index: firstIndex + records.length, stepLimit };
        const run = session.runIf(fn, double(cur.plan), 'gen', rng, meta, (_b, o) => o === 'returned', false);
        runs++;
        steps += run.steps;
        if (!isDeterministicOutcome(run.outcome)) return { records, runs, steps, stopped: true };
        if (run.outcome !== 'returned' || run.steps <= cur.steps || !('record' in run)) break;
        cur = run;
      }
      if (cur.steps > best.steps) best = cur;
    }
    if (best !== k.run) records.push({ ...best.record, index: firstIndex + records.length });
  }
  return { records, runs, steps };
}
