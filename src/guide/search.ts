/**
 * @fileoverview Stage: guide. The per-function search: many candidate inputs run in the engine, those that
 * add coverage are kept and mutated, and a small set covering what was found is chosen.
 *
 * Consumes: a `GenSession` (one module compiled for generation) and a function name. Produces a
 * `FunctionResult`: at most `maxInputs` records, their coverage, and what every run ended in.
 *
 * Budgets are counted in runs, never in wall-clock time, so the same seed gives the same inputs on any
 * machine and with any number of workers. The search stops when every block is covered, after `maxRuns`
 * runs, or after `plateau` runs without new coverage. A time guard (`searchAndReplay`, the session's
 * `deadline`) is the last resort behind these budgets: it stops the search between runs or, through the
 * engine, inside one; a run it stopped is never kept, and the function counts as failed.
 *
 * Candidates: fresh inputs (generated from nothing), and mutations of kept inputs at the level of their
 * plan (argument values, object bytes, pointer decisions, external-call results, stdin), so everything a
 * mutation does not touch replays as before. Comparison feedback (cmplog.ts) adds the operands of the
 * comparisons a run made as values to try where they came from.
 */
import { isGuardVariable } from '../gen/faults.js';
import { Plan, type Holder } from '../gen/plan.js';
import { hasAttribute, type Func } from '../ir/model.js';
import { successors } from '../ir/cfg.js';
import {
  isDeterministicOutcome,
  isNormalOutcome,
  isReplayableOutcome,
  type OutcomeKind,
} from '../engine/outcome.js';
import { intRec, type InputRecord, type ValueRec } from '../gen/record.js';
import {
  pointsSomewhere,
  type CmpEntry,
  type GenSession,
  type IntCmp,
  type RunRecord,
} from '../gen/runtime.js';
import { replayInEngine, type EngineVerdict } from '../replay/engine.js';
import { CpuDeadline } from '../util/cputime.js';
import { errorLine } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { growInputs } from './grow.js';
import { SolveState, type SolveHeuristic, type SolveStats } from './solve.js';
import type { Solver } from './sym/z3.js';
import { DEFAULTS } from '../util/defaults.js';

export interface SearchOptions {
  readonly seed: string;
  /** Inputs kept per function (default 5). */
  readonly maxInputs: number;
  /** Runs per function at most. */
  readonly maxRuns: number;
  /** Stop after this many runs in a row without new coverage. */
  readonly plateau: number;
  /** Stop when the runs together executed this many steps (big functions get fewer runs). */
  readonly maxSteps?: number;
  /**
   * Calibrated step budget of a run: `runStepFactor` times the steps of the longest run so far that ended
   * by itself, at least `runStepFloor`, at most the session's `stepLimit` (see `RunBudget`). Absent: every
   * run gets the session's budget.
   */
  readonly runStepFactor?: number;
  readonly runStepFloor?: number;
  /**
   * Records per function of the pre-selection sample (`gen --sample`): runs that ended normally, drawn
   * uniformly among all of the function's normal runs whether the search keeps them or not. 0: none.
   */
  readonly sample?: number;
  /**
   * Workload inputs (`gen --grow`): each kept input that returned is grown (its sizes doubled while it
   * still returns: grow.ts) toward this many steps and kept as an extra input. 0: none.
   */
  readonly grow?: number;
  /**
   * Solver-guided search (`gen --solve N`, solve.ts): at most this many z3 queries per function, asked
   * where mutation stops finding blocks. 0: mutation only.
   */
  readonly solve?: number;
  /** Solver heuristics turned off (`gen --solve-off`, solve.ts `SOLVE_HEURISTICS`). */
  readonly solveOff?: readonly SolveHeuristic[];
}

export const DEFAULT_SEARCH: SearchOptions = DEFAULTS.search;

export interface FunctionResult {
  readonly function: string;
  /** Blocks of the function. */
  readonly blocks: number;
  /** Blocks covered by the first kept input, and by all of them. */
  readonly coveredFirst: number;
  readonly covered: number;
  readonly runs: number;
  /** Engine steps of all runs together. */
  readonly steps: number;
  readonly records: InputRecord[];
  /**
   * Set when the session's `deadline` stopped the search (the records are those kept before):
   * where it stopped, for the failure's reason.
   */
  readonly guard?: string;
  /** The pre-selection sample (`SearchOptions.sample`), in run order, `index` 0, 1, ... */
  readonly sample: InputRecord[];
}

/** A 32-bit FNV-1a hash of the parts, for seeding. */
export function seedOf(...parts: string[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      h ^= p.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A run the search kept (its record built), a candidate for the final choice. */
export interface Kept {
  readonly run: RunRecord;
  readonly blocks: ReadonlySet<number>;
  /** How often it was picked as a parent (fresh finds are preferred). */
  picked: number;
}

/** Search inputs for one function. */
export function searchFunction(session: GenSession, fn: string, o: SearchOptions): FunctionResult {
  const s = new Search(session, fn, o);
  s.mutate();
  return s.finish();
}

/**
 * Search inputs for one function with the solver (`SearchOptions.solve`): mutation until it stops finding
 * blocks, then a solver round (solve.ts) whose plans run like any candidate, then mutation again from what
 * the solutions found, as long as rounds find blocks and the budgets last.
 */
export async function searchFunctionSolving(
  session: GenSession,
  fn: string,
  o: SearchOptions,
  solver: Solver,
): Promise<FunctionResult & { readonly solve: SolveStats }> {
  const s = new Search(session, fn, o);
  const state = new SolveState(solver, o.solve ?? 0, o.solveOff ?? []);
  s.mutate();
  while (s.open() && state.queriesLeft > 0) {
    const instrs = state.stats.instrs;
    const tried = state.stats.paths;
    const plans = await state.round(session, fn, frontierFirst(s), s.covered);
    // The interpreter's work is charged to the search's step budget (a step is a loop iteration or a
    // call, about 16 instructions).
    s.steps += Math.ceil((state.stats.instrs - instrs) / 16);
    if (session.deadline?.passed() === true) {
      s.guard = `stopped the search in a solver round after run ${s.runs} (${s.steps} steps)`;
      break;
    }
    // A round that found nothing: the next one runs the next kept inputs, until none is left.
    if (plans.length === 0) {
      if (state.stats.paths === tried) break;
      continue;
    }
    let gained = false;
    for (const x of plans) {
      if (!s.budgetLeft()) break;
      if (s.tryPlan(x.plan, false)) {
        state.stats.kept++;
        gained = true;
      }
      if (x.func === fn) {
        state.stats.aimed++;
        if (s.covered.has(x.block)) state.stats.hit++;
      }
    }
    if (s.guard !== undefined) break;
    if (gained) s.since = 0;
    s.mutate();
  }
  return { ...s.finish(), solve: state.stats };
}

/**
 * The kept plans in the order a solver round runs them: those covering more blocks of the frontier (covered
 * blocks with a successor no input reached: where a negated branch can lead somewhere new) first, shorter
 * runs first among equals (cheaper to interpret), then in the order kept (the same on any machine).
 */
function frontierFirst(s: Search): Plan[] {
  const frontier = new Set<number>();
  for (const b of s.covered)
    if (successors(s.f.blocks[b]!.instrs.at(-1)).some((x) => !s.covered.has(x.index))) frontier.add(b);
  const score = (k: Kept): number => {
    let n = 0;
    for (const b of k.blocks) if (frontier.has(b)) n++;
    return n;
  };
  return s.kept
    .map((k, i) => ({ k, i, score: score(k) }))
    .sort((a, b) => b.score - a.score || a.k.run.steps - b.k.run.steps || a.i - b.i)
    .map((x) => x.k.run.plan);
}

/** The state of one function's search (see the file comment). */
class Search {
  readonly f: Func;
  readonly rng: Rng;
  readonly sampler: Sampler;
  readonly total: number;
  readonly covered = new Set<number>();
  readonly coveredGood = new Set<number>();
  readonly coveredEdges = new Set<number>();
  readonly kept: Kept[] = [];
  runs = 0;
  since = 0;
  index = 0;
  steps = 0;
  readonly maxSteps: number;
  // A run that ended normally (returned, exit): every function should get one, even when runs that
  // trapped already covered all its blocks; except a `noreturn` one, which ends in a trap or longjmp.
  valid: boolean;
  guard: string | undefined;
  readonly budget: RunBudget;

  constructor(
    readonly session: GenSession,
    readonly fn: string,
    readonly o: SearchOptions,
  ) {
    this.f = session.func(fn);
    this.rng = new Rng(seedOf(o.seed, session.opts.modulePath, fn));
    // Its own generator, so that sampling leaves the search's random choices as they are.
    this.sampler = new Sampler(o.sample ?? 0, new Rng(seedOf(o.seed, session.opts.modulePath, fn, 'sample')));
    this.total = this.f.blocks.length;
    this.maxSteps = o.maxSteps ?? Infinity;
    this.valid = hasAttribute(session.m, this.f.fnAttrs, 'noreturn');
    this.budget = new RunBudget(o, session.limits.stepLimit);
  }

  /** Runs and steps are left, and something is left to find. */
  budgetLeft(): boolean {
    return this.guard === undefined && this.runs < this.o.maxRuns && this.steps < this.maxSteps;
  }

  open(): boolean {
    return this.budgetLeft() && (this.coveredGood.size < this.total || !this.valid);
  }

  /** Mutation (and fresh inputs) until the plateau, the budgets, or everything is covered. */
  mutate(): void {
    const { rng, session, fn, kept } = this;
    while (this.open() && this.since < this.o.plateau) {
      let plan: Plan;
      if (kept.length === 0 || rng.chance(0.2)) plan = new Plan();
      else {
        const parent = pickParent(kept, rng);
        plan = parent.run.plan.clone();
        // Comparison feedback: put what the input was compared with where it came from (RedQueen's
        // input-to-state idea for strcmp/memcmp); otherwise havoc.
        const x = rng.below(100);
        if (x < 25 && parent.run.cmps.length > 0) spliceCompare(plan, rng.pick(parent.run.cmps));
        else if (
          x < 55 &&
          parent.run.intCmps.length > 0 &&
          spliceInt(plan, rng, rng.pick(parent.run.intCmps))
        ) {
          // input-to-state: done
        } else mutate(plan, rng, session, fn);
      }
      this.tryPlan(plan, !this.valid);
    }
  }

  /**
   * Runs one candidate; keeps it when it adds coverage (or the sample draws it). Returns whether it
   * found new blocks. Until a run ends normally, a generated null pointer that is dereferenced is
   * repaired (see runIf); afterwards such runs stay as they are, cheap explorations of what null does.
   */
  tryPlan(plan: Plan, repairNulls: boolean): boolean {
    const { covered, coveredGood, coveredEdges, kept } = this;
    // Runs that end in a budget (step-limit...) cannot be replayed natively: their blocks count, but the
    // search goes on until a replayable run covers them too, and the final choice prefers those.
    // A run a time limit stopped is never kept (not even its record is built): how far it got
    // depends on the machine.
    const isNew = (blocks: readonly number[], outcome: OutcomeKind, edges: readonly number[]): boolean =>
      isDeterministicOutcome(outcome) &&
      (kept.length === 0 ||
        (!this.valid && isNormalOutcome(outcome)) ||
        blocks.some((b) => !covered.has(b)) ||
        (isReplayableOutcome(outcome) && blocks.some((b) => !coveredGood.has(b))) ||
        edges.some((e) => !coveredEdges.has(e)));
    // The record is built (the costly part) for a run the search keeps or the sample draws.
    let keep = false;
    let slot = -1;
    const wanted = (blocks: readonly number[], outcome: OutcomeKind, edges: readonly number[]): boolean => {
      keep = isNew(blocks, outcome, edges);
      slot = this.sampler.offer(outcome);
      return keep || slot >= 0;
    };
    const meta = { seed: this.o.seed, index: this.index++, stepLimit: this.budget.next() };
    const run = this.session.runIf(this.fn, plan, 'gen', this.rng, meta, wanted, repairNulls);
    this.budget.ended(run.outcome, run.steps);
    this.runs++;
    this.steps += run.steps;
    if (!isDeterministicOutcome(run.outcome) || this.session.deadline?.passed() === true) {
      const stopped = !isDeterministicOutcome(run.outcome);
      this.guard = `stopped the search ${stopped ? 'in' : 'after'} run ${this.runs} (${this.steps} steps)`;
      if (stopped) return false;
    }
    if (slot >= 0 && 'record' in run) this.sampler.put(slot, run.record);
    if (!keep || !('record' in run)) {
      this.since++;
      return false;
    }
    // New edges make a parent worth mutating; only new blocks (what is measured) reset the plateau.
    const good = isReplayableOutcome(run.outcome);
    const firstValid = !this.valid && isNormalOutcome(run.outcome);
    if (firstValid) this.valid = true;
    const newBlocks =
      kept.length === 0 ||
      firstValid ||
      run.blocks.some((b) => !covered.has(b)) ||
      (good && run.blocks.some((b) => !coveredGood.has(b)));
    for (const b of run.blocks) covered.add(b);
    if (good) for (const b of run.blocks) coveredGood.add(b);
    for (const e of run.edges) coveredEdges.add(e);
    kept.push({ run, blocks: new Set(run.blocks), picked: 0 });
    this.since = newBlocks ? 0 : this.since + 1;
    return newBlocks;
  }

  finish(): FunctionResult {
    const { session, fn, o } = this;
    let { runs, steps, guard } = this;
    const chosen = chooseCover(this.kept, o.maxInputs);
    const records = chosen.map((k, i) => ({ ...k.run.record, index: i }));
    // Workload inputs (gen --grow): bigger versions of the chosen ones, after them.
    if ((o.grow ?? 0) > 0 && guard === undefined) {
      const growRng = new Rng(seedOf(o.seed, session.opts.modulePath, fn, 'grow'));
      const g = growInputs(session, fn, chosen, o.grow!, growRng, records.length);
      records.push(...g.records);
      runs += g.runs;
      steps += g.steps;
      if (g.stopped === true) guard = `stopped growing the inputs in run ${runs} (${steps} steps)`;
    }
    const union = new Set<number>();
    for (const k of chosen) for (const b of k.blocks) union.add(b);
    return {
      function: fn,
      blocks: this.total,
      coveredFirst: chosen[0]?.blocks.size ?? 0,
      covered: union.size,
      runs,
      steps,
      records,
      ...(guard === undefined ? {} : { guard }),
      sample: this.sampler.records(),
    };
  }
}

/**
 * The step budget of each run of a search, calibrated as fuzzers calibrate their time-outs (AFL: a
 * multiple of the calibration runs' time): `factor` times the steps of the longest run so far that ended
 * by itself (returned, exit, a trap: anything native code replays), at least `floor`, at most `limit`
 * (the session's). A run that loops on a generated count until the budget stops it then costs a few
 * times a real run of the function instead of the whole budget: on zlib, lz4, libzstd and lzo2 such runs
 * were 73%, 47%, 27% and 46% of all steps, and a few of them ended the search of a function by taking
 * its whole step budget (`maxSteps`). Until some run ends by itself, each run stopped by a lowered
 * budget doubles the floor, so a function whose every run is long still gets the full budget after a few
 * runs. A record of a run stopped by a lowered budget carries it (`stepLimit`), and replay uses it.
 */
export class RunBudget {
  private longest = 0;
  private floor: number;
  private current: number;

  constructor(
    private readonly o: Pick<SearchOptions, 'runStepFactor' | 'runStepFloor'>,
    private readonly limit: number,
  ) {
    this.floor = o.runStepFloor ?? limit;
    this.current = limit;
  }

  /** The budget of the next run: undefined for the session's own. */
  next(): number | undefined {
    const f = this.o.runStepFactor;
    if (f === undefined || f === 0) return undefined;
    this.current = Math.min(this.limit, Math.max(this.floor, f * this.longest));
    return this.current < this.limit ? this.current : undefined;
  }

  /** A run ended in `outcome` after `steps` steps. */
  ended(outcome: OutcomeKind, steps: number): void {
    if (isReplayableOutcome(outcome)) this.longest = Math.max(this.longest, steps);
    else if (outcome === 'step-limit' && this.longest === 0 && this.current < this.limit)
      this.floor = Math.min(this.limit, this.floor * 2);
  }
}

/** An engine replay verdict, or why the record was not replayed. */
export type ReplayVerdict = EngineVerdict | { readonly status: 'not-run'; readonly reason: string };

export interface GuardedResult extends FunctionResult {
  /** Engine replay of each kept record, in order. */
  readonly engine: readonly ReplayVerdict[];
}

/**
 * What a campaign does for one function: `searchFunction`, then each kept record replayed once in the
 * engine, both under a time guard of `timeoutMs` of the thread's CPU time (`CpuDeadline`, the session's
 * `deadline` meanwhile). When the
 * guard stops the search, the records kept so far are returned unreplayed (`not-run`); when it stops a
 * replay (which then ends `time-limit`), that record and the rest are `not-run`. Either way `guard` says
 * where, and the function counts as failed (`guard-timeout`). `onReplayThrow` is told when a replay threw
 * (the session may be left in any state).
 */
export function searchAndReplay(
  session: GenSession,
  fn: string,
  o: SearchOptions,
  timeoutMs: number,
  onReplayThrow: () => void = () => undefined,
): GuardedResult {
  const before = session.deadline;
  const deadline = (session.deadline = new CpuDeadline(timeoutMs));
  try {
    return replayKept(session, searchFunction(session, fn, o), deadline, timeoutMs, onReplayThrow);
  } finally {
    session.deadline = before;
  }
}

/** `searchAndReplay` with the solver (`searchFunctionSolving`); its statistics come along. */
export async function searchAndReplaySolving(
  session: GenSession,
  fn: string,
  o: SearchOptions,
  timeoutMs: number,
  solver: Solver,
  onReplayThrow: () => void = () => undefined,
): Promise<GuardedResult & { readonly solve: SolveStats }> {
  const before = session.deadline;
  const deadline = (session.deadline = new CpuDeadline(timeoutMs));
  try {
    const r = await searchFunctionSolving(session, fn, o, solver);
    return { ...replayKept(session, r, deadline, timeoutMs, onReplayThrow), solve: r.solve };
  } finally {
    session.deadline = before;
  }
}

/** Each kept record of a search replayed once in the engine, under the search's deadline. */
function replayKept(
  session: GenSession,
  r: FunctionResult,
  deadline: CpuDeadline,
  timeoutMs: number,
  onReplayThrow: () => void,
): GuardedResult {
  let guard = r.guard;
  const engine = r.records.map((rec, i): ReplayVerdict => {
    if (guard === undefined && deadline.passed()) guard = `ran out before the engine replay of input ${i}`;
    if (guard !== undefined) return { status: 'not-run', reason: `the time guard ${guard}` };
    try {
      const v = replayInEngine(session, rec);
      if (v.status === 'ok' || !deadline.passed()) return v;
      guard = `stopped the engine replay of input ${i}`;
      return { status: 'not-run', reason: `the time guard ${guard}` };
    } catch (e) {
      onReplayThrow();
      return { status: 'mismatch', reason: `replay threw: ${errorLine(e)}` };
    }
  });
  const why =
    guard === undefined
      ? undefined
      : `the time guard (${timeoutMs / 1000} s of CPU) ${guard}; kept the ${r.records.length} input(s) found before`;
  return { ...r, engine, ...(why === undefined ? {} : { guard: why }) };
}

/**
 * The pre-selection sample of one function: `size` of its normally ending runs drawn uniformly (reservoir
 * sampling, Vitter's algorithm R), decided as each run ends, so that only a drawn run's record is built:
 * about size * (1 + ln(runs / size)) records per function. Its draws come from its own `Rng`.
 */
export class Sampler {
  private seen = 0;
  private readonly slots: { run: number; record: InputRecord }[] = [];

  constructor(
    private readonly size: number,
    private readonly rng: Rng,
  ) {}

  /** The slot a run that ended in `outcome` takes (its record is then `put` there), or -1. */
  offer(outcome: OutcomeKind): number {
    if (this.size <= 0 || !isNormalOutcome(outcome)) return -1;
    const n = this.seen++;
    if (n < this.size) return n;
    const j = this.rng.below(n + 1);
    return j < this.size ? j : -1;
  }

  put(slot: number, record: InputRecord): void {
    this.slots[slot] = { run: this.seen, record };
  }

  /** The drawn records in run order, numbered from 0. */
  records(): InputRecord[] {
    return [...this.slots].sort((a, b) => a.run - b.run).map((s, i) => ({ ...s.record, index: i }));
  }
}

function pickParent(kept: Kept[], rng: Rng): Kept {
  // Prefer inputs picked less often (recent finds), AFL-style.
  const weights = kept.map((k) => 1 / (1 + k.picked));
  const total = weights.reduce((a, b) => a + b, 0);
  const k = kept[rng.weighted(weights, total)]!;
  k.picked++;
  return k;
}

/**
 * Greedy set cover: the input covering most first, then the one adding most, up to n, among the inputs
 * native code can replay; one of the others (a budget exhausted, an unsupported external) only when no
 * run can be replayed, so that every function gets an input (issue 12).
 */
export function chooseCover(kept: Kept[], n: number): Kept[] {
  const good = kept.filter((k) => isReplayableOutcome(k.run.outcome));
  const out = greedyCover(good, n, new Set<number>());
  const have = new Set<number>();
  for (const k of out) for (const b of k.blocks) have.add(b);
  // Runs native code cannot replay (a budget exhausted, unsupported asm) are kept only when no run can
  // be: a kept input is a test and a data point, so it must replay and end. The blocks only they reached
  // are given up (docs/gen.md, "Choosing the inputs").
  const rest =
    out.length > 0
      ? []
      : greedyCover(
          kept.filter((k) => !isReplayableOutcome(k.run.outcome)),
          1,
          have,
        );
  const all = [...out, ...rest];
  // The cover ends in traps only, though a run ended normally: that one too (the function's valid input).
  if (!all.some((k) => isNormalOutcome(k.run.outcome))) {
    const v = good.filter((k) => isNormalOutcome(k.run.outcome));
    if (v.length > 0) {
      const best = v.reduce((a, b) => (b.blocks.size > a.blocks.size ? b : a));
      if (all.length >= n) all.pop();
      all.push(best);
    }
  }
  // Every function gets an input, even when no run covered a block (it trapped before its first).
  return all.length === 0 && kept.length > 0 ? [kept[0]!] : all;
}

function greedyCover(kept: Kept[], n: number, have: Set<number>): Kept[] {
  const out: Kept[] = [];
  const left = [...kept];
  while (out.length < n && left.length > 0) {
    let best = -1;
    let bestGain = 0;
    left.forEach((k, i) => {
      let gain = 0;
      for (const b of k.blocks) if (!have.has(b)) gain++;
      // Ties: the input that ended normally, then the earlier one.
      if (gain > bestGain || (gain === bestGain && best >= 0 && better(k, left[best]!))) {
        best = i;
        bestGain = gain;
      }
    });
    if (best < 0 || (bestGain === 0 && out.length > 0)) break;
    const k = left.splice(best, 1)[0]!;
    for (const b of k.blocks) have.add(b);
    out.push(k);
  }
  return out;
}

function better(a: Kept, b: Kept): boolean {
  return isNormalOutcome(a.run.outcome) && !isNormalOutcome(b.run.outcome);
}

// ---------------------------------------------------------------------------------------------------
// Mutation

/**
 * Integer input-to-state: one operand of a comparison the parent made is found among the plan's values
 * (argument, external-call result, or little-endian bytes of an object or global) and replaced by the
 * other operand (or a neighbour, for < and >). False when neither operand occurs.
 */
function spliceInt(plan: Plan, rng: Rng, c: IntCmp): boolean {
  const aFirst = rng.chance(0.5);
  for (let side = 0; side < 2; side++) {
    const from = (side === 0) === aFirst ? c.a : c.b;
    const to0 = (side === 0) === aFirst ? c.b : c.a;
    const to = BigInt.asUintN(c.bits, to0 + BigInt(rng.below(3) - 1));
    const sites: (() => void)[] = [];
    plan.args.forEach((v, i) => {
      if (v?.t === 'int' && v.bits === c.bits && BigInt(v.v) === from)
        sites.push(() => (plan.args[i] = intRec(c.bits, to)));
    });
    plan.calls.forEach((call, i) => {
      const v = call.ret;
      if (v.t === 'int' && v.bits === c.bits && BigInt(v.v) === from)
        sites.push(() => (plan.calls[i] = { fn: call.fn, ret: intRec(c.bits, to) }));
    });
    const n = c.bits / 8;
    if (Number.isInteger(n) && (from !== 0n || rng.chance(0.1))) {
      const pat = Array.from({ length: n }, (_, k) => Number((from >> BigInt(8 * k)) & 0xffn));
      for (const h of holders(plan)) {
        for (const off of h.bytes.find(pat, 16)) {
          sites.push(() => {
            let w = to;
            for (let k = 0; k < n; k++, w >>= 8n) h.bytes.set(off + k, Number(w & 0xffn));
          });
        }
        if (sites.length > 64) break;
      }
    }
    if (sites.length > 0) {
      rng.pick(sites)();
      return true;
    }
  }
  return false;
}

/** Write the bytes an input was compared with over it; what follows is generated afresh. */
function spliceCompare(plan: Plan, c: CmpEntry): void {
  const o = plan.objects[c.obj];
  if (o === undefined || o.dead === true) return;
  o.bytes.deleteFrom(c.off);
  c.bytes.forEach((b, i) => o.bytes.set(c.off + i, b));
  for (const k of [...o.relocs.keys()]) if (k + 8 > c.off) o.relocs.delete(k);
}

/** Apply 1-4 random mutations to a plan. */
export function mutate(plan: Plan, rng: Rng, session: GenSession, fn: string): void {
  const n = 1 + rng.below(4);
  const dict = session.dictionary(fn);
  for (let k = 0; k < n; k++) {
    const x = rng.below(100);
    if (x < 20 && mutateArg(plan, rng, dict.ints)) continue;
    if (x < 55 && mutateBytes(plan, rng, dict.ints, dict.bytes)) continue;
    if (x < 70 && mutatePointer(plan, rng, session.func(fn))) continue;
    if (x < 82 && mutateCall(plan, rng, dict.ints)) continue;
    if (x < 90 && mutateStdin(plan, rng, dict.bytes)) continue;
    truncate(plan, rng);
  }
}

function newInt(bits: number, old: bigint, rng: Rng, ints: readonly bigint[]): bigint {
  const mask = (1n << BigInt(bits)) - 1n;
  const x = rng.below(7);
  let v: bigint;
  if (x === 0) v = old + BigInt(1 + rng.below(4));
  else if (x === 1) v = old - BigInt(1 + rng.below(4));
  else if (x === 2 && ints.length > 0) v = rng.pick(ints) + BigInt(rng.below(3) - 1);
  else if (x === 3) v = old ^ (1n << BigInt(rng.below(bits)));
  else if (x === 4) v = rng.pick([0n, 1n, mask, (1n << BigInt(bits - 1)) - 1n, 1n << BigInt(bits - 1)]);
  else if (x === 5) v = -old;
  else v = BigInt(rng.below(64));
  return v & mask;
}

function mutateValue(v: ValueRec, rng: Rng, ints: readonly bigint[]): ValueRec | undefined {
  if (v.t === 'int') return intRec(v.bits, newInt(v.bits, BigInt(v.v), rng, ints));
  if (v.t === 'null') return undefined;
  if (v.t === 'float' && v.kind === 'double') {
    const d = rng.pick([0, 1, -1, 0.5, 1e6, -1e6, NaN, Infinity]);
    const b = new BigUint64Array(new Float64Array([d]).buffer)[0]!;
    return { t: 'float', kind: 'double', hex: b.toString(16).padStart(16, '0') };
  }
  return undefined;
}

function mutateArg(plan: Plan, rng: Rng, ints: readonly bigint[]): boolean {
  const idx = plan.args.map((a, i) => (a?.t === 'int' || a?.t === 'float' ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return false;
  const i = rng.pick(idx);
  const v = mutateValue(plan.args[i]!, rng, ints);
  if (v === undefined) return false;
  plan.args[i] = v;
  return true;
}

/**
 * The plan's live objects, then its globals but the guard variables. Loops: the spread, filter and
 * destructuring this was written with made V8 deoptimise every mutation function it is inlined into
 * (spliceInt, mutatePointer, mutate, truncate) over and over.
 */
function holders(plan: Plan): Holder[] {
  const out: Holder[] = [];
  for (let i = 0; i < plan.objects.length; i++)
    if (plan.objects[i]!.dead !== true) out.push(plan.objects[i]!);
  for (const e of plan.globals) if (!isGuardVariable(e[0])) out.push(e[1]);
  return out;
}

function mutateBytes(plan: Plan, rng: Rng, ints: readonly bigint[], bytes: readonly number[]): boolean {
  const hs = holders(plan).filter((h) => h.bytes.size > 0);
  if (hs.length === 0) return false;
  const h = rng.pick(hs);
  const off = h.bytes.pick((n) => rng.below(n))!;
  const x = rng.below(6);
  if (x === 0 && bytes.length > 0) h.bytes.set(off, rng.pick(bytes));
  else if (x === 1) h.bytes.set(off, 0);
  else if (x === 2 && ints.length > 0) {
    // A dictionary constant over the (4-byte aligned) word around off.
    let v = rng.pick(ints);
    const at = off & ~3;
    for (let i = 0; i < 4; i++, v >>= 8n) if (h.bytes.has(at + i)) h.bytes.set(at + i, Number(v & 0xffn));
  } else if (x === 3) h.bytes.set(off, (h.bytes.get(off)! + (rng.chance(0.5) ? 1 : 255)) & 255);
  else if (x === 4) {
    // Cut a string (or array) short: everything from off is generated again.
    h.bytes.deleteFrom(off);
  } else h.bytes.set(off, rng.below(256));
  return true;
}

function mutatePointer(plan: Plan, rng: Rng, f: Func): boolean {
  const slots: { h: Holder; off: number }[] = [];
  for (const h of holders(plan)) for (const off of h.relocs.keys()) slots.push({ h, off });
  // Arguments the caller must not pass null (a C++ reference, `nonnull`) stay pointers.
  // (A loop: a `map(...).filter(...)` chain here made V8 deoptimise this function over and over.)
  const argPtrs: number[] = [];
  for (let i = 0; i < plan.args.length; i++) {
    const a = plan.args[i];
    const p = f.params[i];
    if ((a?.t === 'ptr' || a?.t === 'null') && !(p !== undefined && pointsSomewhere(p.attrs)))
      argPtrs.push(i);
  }
  if (slots.length === 0 && argPtrs.length === 0) return false;
  if (argPtrs.length > 0 && (slots.length === 0 || rng.chance(0.2))) {
    const i = rng.pick(argPtrs);
    plan.args[i] = plan.args[i]!.t === 'null' ? undefined : { t: 'null' };
    return true;
  }
  const s = rng.pick(slots);
  const t = s.h.relocs.get(s.off);
  // null <-> something new (generated again from scratch).
  if (t === null) s.h.relocs.delete(s.off);
  else s.h.relocs.set(s.off, null);
  return true;
}

function mutateCall(plan: Plan, rng: Rng, ints: readonly bigint[]): boolean {
  if (plan.calls.length === 0) return false;
  const i = rng.below(plan.calls.length);
  const c = plan.calls[i]!;
  const v = mutateValue(c.ret, rng, ints);
  if (v === undefined) {
    plan.calls = plan.calls.slice(0, i);
    return true;
  }
  plan.calls[i] = { fn: c.fn, ret: v };
  return true;
}

function mutateStdin(plan: Plan, rng: Rng, bytes: readonly number[]): boolean {
  if (plan.stdin.length === 0 && !plan.stdinEof) return false;
  const x = rng.below(3);
  if (x === 0 || plan.stdin.length === 0) {
    plan.stdinEof = false;
    plan.stdin = plan.stdin.slice(0, rng.below(plan.stdin.length + 1));
  } else {
    const i = rng.below(plan.stdin.length);
    plan.stdin[i] = bytes.length > 0 && rng.chance(0.5) ? rng.pick(bytes) : rng.below(256);
  }
  return true;
}

/** Forget part of the plan so it is generated afresh: an object's tail, or later external calls. */
function truncate(plan: Plan, rng: Rng): void {
  const hs = holders(plan).filter((h) => h.bytes.size > 0 || h.relocs.size > 0);
  if (hs.length > 0 && rng.chance(0.7)) {
    const h = rng.pick(hs);
    const relocs = [...h.relocs.keys()];
    const cut =
      h.bytes.size > 0 && (relocs.length === 0 || rng.chance(0.7))
        ? h.bytes.pick((n) => rng.below(n))!
        : rng.pick(relocs);
    h.bytes.deleteFrom(cut);
    for (const k of [...h.relocs.keys()]) if (k >= cut) h.relocs.delete(k);
    return;
  }
  if (plan.args.length > 0) plan.args[rng.below(plan.args.length)] = undefined;
}
