/**
 * @fileoverview Stage: guide. Solver-guided search: where mutation stops finding blocks, run kept inputs
 * again concolically (sym/concolic.ts), negate the conditions of branches whose other way leads to a block
 * no input reached, solve with z3 (sym/z3.ts), and hand the solutions back to the search as plans.
 *
 * Consumes: the search's kept runs and what they cover. Produces: candidate plans (each a kept plan with
 * the solved input bytes and arguments replaced), and the decisions of a round for the report.
 *
 * A query is the negated branch condition with the path's earlier conditions that share a variable with
 * it, transitively (KLEE's independent-constraint slicing: the others hold already, their variables keep
 * their values); identical queries are answered from the solver's cache. Each target block is attempted
 * from at most `MAX_ATTEMPTS` paths. Budgets are deterministic: queries per function and z3's resource
 * limit per query; the order of paths, branches and queries is fixed, so a seed gives the same plans on
 * any machine.
 */
import type { Plan } from '../gen/plan.js';
import { intRec, type PtrTarget } from '../gen/record.js';
import type { GenSession } from '../gen/runtime.js';
import { MAX_EXPR, MAX_MIX } from './sym/values.js';
import {
  Concolic,
  inputByte,
  type Branch,
  type ConcolicLimits,
  type Path,
  type VarPlace,
} from './sym/concolic.js';
import { compare, constant, dagSize, evaluate, or, smtQuery, type Sym } from './sym/expr.js';
import type { Answer, Solver } from './sym/z3.js';
import { searchModel } from './sym/avm.js';

const UNKNOWN: Answer = { status: 'unknown', cost: 0 };

/** Paths that try to reach one block. */
const MAX_ATTEMPTS = 1;

/** Per path: instructions, symbolic branches, call depth. */
export const CONCOLIC_LIMITS: ConcolicLimits = {
  maxInstrs: 50_000,
  maxBranches: 1_000,
  maxDepth: 64,
  maxMix: MAX_MIX,
  maxExpr: MAX_EXPR,
};

/**
 * The solver's heuristics, each of which `gen --solve-off` can turn off (for measuring what it is worth:
 * bench/solve-ablation.mjs).
 */
export const SOLVE_HEURISTICS = {
  mix: 'concretise expressions that mix more than 64 input variables',
  size: 'concretise expressions bigger than 16,384 nodes as a tree',
  'z3-size': 'solve queries over 1,000 nodes by search, not z3',
  fast: 'try candidate models by evaluation before z3',
  small: 'ask an unknown query again with small values',
  search: 'solve floating point and what z3 gave up on by the alternating variable method',
} as const;
export type SolveHeuristic = keyof typeof SOLVE_HEURISTICS;
/** Instructions the interpreter may spend on one function's paths together. */
const MAX_FUNCTION_INSTRS = 60_000;
/** Paths a round runs (its shortest new plans). */
const MAX_PATHS_PER_ROUND = 4;
/** Node evaluations the alternating variable method may spend on a query (4,000 of a 50-node query). */
const AVM_EVALUATIONS = 200_000;
/** Nodes a query may have (a static feature of cost: bigger ones are not asked, `tooBig`). */
const MAX_QUERY_NODES = 5_000;
/** Nodes a query z3 is asked may have; bigger ones are solved by search (avm.ts). */
const Z3_MAX_NODES = 1_000;

/** A solved plan, and the block its query aimed at. */
export interface Solution {
  readonly plan: Plan;
  readonly func: string;
  readonly block: number;
}

/** What the solver did for one function (summed over its rounds). */
export interface SolveStats {
  paths: number;
  /** Paths that ended before the function returned, by reason (concretisation points). */
  stopped: Record<string, number>;
  branches: number;
  /** Expressions concretised for their size or the number of inputs they mix (concolic.ts). */
  concretised: number;
  queries: number;
  /** Queries given to the search (avm.ts: floating point, or unknown to z3), and those it solved. */
  searched: number;
  searchSat: number;
  /** Queries answered by a candidate model without z3 (`fastPath`). */
  fast: number;
  /** Unknown queries solved again with small values (`smallRange`). */
  smallSat: number;
  /** Queries not asked for their size (`MAX_QUERY_NODES`). */
  tooBig: number;
  sat: number;
  unsat: number;
  unknown: number;
  /** Solutions the search kept (they reached new code). */
  kept: number;
  /** Solutions aimed at a block of the function itself, and those of them whose run reached it. */
  aimed: number;
  hit: number;
  instrs: number;
  /** z3's resource units (deterministic). */
  rlimit: number;
  /** Wall-clock time in z3 and in the interpreter, ms (reports only: not deterministic). */
  solverMs: number;
  concolicMs: number;
}

/** The solver's state across the rounds of one function's search. */
export class SolveState {
  readonly stats: SolveStats = {
    paths: 0,
    stopped: {},
    branches: 0,
    concretised: 0,
    queries: 0,
    tooBig: 0,
    smallSat: 0,
    fast: 0,
    searched: 0,
    searchSat: 0,
    sat: 0,
    unsat: 0,
    unknown: 0,
    kept: 0,
    aimed: 0,
    hit: 0,
    instrs: 0,
    rlimit: 0,
    solverMs: 0,
    concolicMs: 0,
  };
  /** Plans already run concolically. */
  private readonly done = new WeakSet<Plan>();
  private readonly attempts = new Map<string, number>();

  private readonly on: (h: SolveHeuristic) => boolean;
  private readonly limits: ConcolicLimits;

  constructor(
    readonly solver: Solver,
    /** Queries left for this function. */
    public queriesLeft: number,
    /** Heuristics turned off (`gen --solve-off`). */
    off: readonly SolveHeuristic[] = [],
  ) {
    this.on = (h) => !off.includes(h);
    this.limits = {
      ...CONCOLIC_LIMITS,
      maxMix: this.on('mix') ? CONCOLIC_LIMITS.maxMix : Infinity,
      maxExpr: this.on('size') ? CONCOLIC_LIMITS.maxExpr : Infinity,
    };
  }

  /**
   * One round: each plan not run concolically yet, in order, then each of its branches whose other way
   * leads to a block not covered; returns the plans of the satisfiable queries, in the order found.
   */
  async round(
    session: GenSession,
    fn: string,
    plans: readonly Plan[],
    covered: ReadonlySet<number>,
  ): Promise<Solution[]> {
    const out: Solution[] = [];
    let paths = 0;
    for (const plan of plans) {
      if (this.queriesLeft <= 0 || this.stats.instrs >= MAX_FUNCTION_INSTRS) break;
      if (paths >= MAX_PATHS_PER_ROUND) break;
      if (session.deadline?.passed() === true) break;
      if (this.done.has(plan)) continue;
      this.done.add(plan);
      paths++;
      const t0 = performance.now();
      const path = new Concolic(session, plan, this.limits, (f, b) => f.name === fn && !covered.has(b)).run(
        fn,
      );
      this.stats.concolicMs += performance.now() - t0;
      this.note(path);
      await this.flip(session, fn, plan, path, covered, out);
    }
    return out;
  }

  private note(path: Path): void {
    const s = this.stats;
    s.paths++;
    s.instrs += path.instrs;
    s.branches += path.branches.length;
    s.concretised += path.concretised;
    if (path.stopped !== undefined) {
      const why = path.stopped.replace(/\b\d+\b/g, 'N');
      s.stopped[why] = (s.stopped[why] ?? 0) + 1;
    }
  }

  /** The alternating variable method (avm.ts) from the path's values: floats, and what z3 gave up on. */
  private search(session: GenSession, slice: readonly Sym[], wanted: readonly string[], path: Path): Answer {
    const start = new Map<string, bigint>();
    for (const v of wanted) start.set(v, path.values.get(v) ?? 0n);
    this.stats.searched++;
    const found = searchModel(
      slice,
      wanted,
      start,
      AVM_EVALUATIONS,
      () => session.deadline?.passed() === true,
    );
    if (found === undefined) return UNKNOWN;
    this.stats.searchSat++;
    return { status: 'sat', values: found, cost: 0 };
  }

  /**
   * z3; then, for an unknown answer, z3 again with small values (non-linear relations such as products
   * and squares of inputs exhaust its budget over the whole range, their solutions are often small, and
   * fixed high bits shrink the problem), then the search (an unsat answer under the small values says
   * nothing about the others).
   */
  private async unknownRetried(
    session: GenSession,
    slice: readonly Sym[],
    vars: readonly Sym[],
    wanted: readonly string[],
    path: Path,
  ): Promise<Answer> {
    let a = await this.ask(smtQuery(slice));
    if (a.status !== 'unknown') return a;
    const small = vars.map(smallRange).filter((c): c is Sym => c !== undefined);
    if (this.on('small') && small.length > 0 && this.queriesLeft > 0) {
      a = await this.ask(smtQuery([...slice, ...small]));
      if (a.status === 'sat') {
        this.stats.smallSat++;
        return a;
      }
    }
    return this.on('search') ? this.search(session, slice, wanted, path) : UNKNOWN;
  }

  private async ask(query: string): Promise<Answer> {
    this.queriesLeft--;
    this.stats.queries++;
    const t0 = performance.now();
    const a = await this.solver.check(query);
    this.stats.solverMs += performance.now() - t0;
    this.stats[a.status]++;
    this.stats.rlimit += a.cost;
    return a;
  }

  private async flip(
    session: GenSession,
    fn: string,
    plan: Plan,
    path: Path,
    covered: ReadonlySet<number>,
    out: Solution[],
  ): Promise<void> {
    const branches = path.branches;
    for (let j = 0; j < branches.length && this.queriesLeft > 0; j++) {
      if (session.deadline?.passed() === true) return;
      for (const alt of branches[j]!.alts) {
        if (this.queriesLeft <= 0) return;
        const key = `${alt.func.name}#${alt.block}`;
        // Only blocks of the function itself: what the search measures (a callee's blocks are reached when
        // some caller of it is searched).
        if (alt.func.name !== fn || covered.has(alt.block)) continue;
        const n = this.attempts.get(key) ?? 0;
        if (n >= MAX_ATTEMPTS) continue;
        this.attempts.set(key, n + 1);
        const slice = withPointerDomains(sliceFor(alt.cond, branches, j), path);
        const nodes = dagSize(slice, MAX_QUERY_NODES);
        if (nodes > MAX_QUERY_NODES) {
          this.stats.tooBig++;
          continue;
        }
        const wanted = [...varsOf(slice)].sort();
        const vars = wanted.map((v) => varSym(slice, v));
        let a = this.on('fast') ? fastPath(slice, alt.cond, wanted, path) : undefined;
        // Floating point, and queries too big for z3 (long arithmetic chains: z3's preprocessing of them
        // is not bounded by its resource limit, 20 s for one query on zstd's table builders), go to search.
        const toSearch = slice.some((c) => c.fp) || (this.on('z3-size') && nodes > Z3_MAX_NODES);
        if (a !== undefined) this.stats.fast++;
        else if (toSearch) a = this.on('search') ? this.search(session, slice, wanted, path) : UNKNOWN;
        else a = await this.unknownRetried(session, slice, vars, wanted, path);
        if (a.status !== 'sat') continue;
        out.push({ plan: applyModel(plan, path, a.values), func: alt.func.name, block: alt.block });
        // The target is attempted again only if this solution does not reach it.
      }
    }
  }
}

/** The negated condition and the earlier conditions sharing variables with it, transitively. */
function sliceFor(target: Sym, branches: readonly Branch[], j: number): Sym[] {
  const vars = new Set(target.vars);
  const taken = new Array<boolean>(j).fill(false);
  const slice = [target];
  for (let grew = true; grew;) {
    grew = false;
    for (let i = 0; i < j; i++) {
      if (taken[i]) continue;
      const c = branches[i]!.cond;
      let shares = false;
      for (const v of c.vars)
        if (vars.has(v)) {
          shares = true;
          break;
        }
      if (!shares) continue;
      taken[i] = true;
      grew = true;
      slice.push(c);
      for (const v of c.vars) vars.add(v);
    }
  }
  return slice;
}

/**
 * The retry of an unknown query: small non-negative values (a wide variable below 2^12, an input byte in
 * the upper half of an aligned 32-bit word 0), whose fixed high bits shrink what z3 bit-blasts.
 */
function smallRange(v: Sym): Sym | undefined {
  if (v.w > 8) return compare('bvult', v, constant(v.w, 1n << 12n));
  const b = inputByte(v.name);
  if (b === undefined || ((b.off % 4) + 4) % 4 < 2) return undefined;
  return compare('=', v, constant(8, 0n));
}

/**
 * The solver chain's first link: candidate models checked by evaluation, no z3. The path's own values
 * with the negated condition's variables 0, then 1, then every variable 0: relations such as a product
 * or a determinant equal to 0, or a sum equal to a constant with one free term, hold for one of them.
 */
function fastPath(
  slice: readonly Sym[],
  target: Sym,
  wanted: readonly string[],
  path: Path,
): Answer | undefined {
  const now = new Map<string, bigint>();
  for (const v of wanted) now.set(v, path.values.get(v) ?? 0n);
  // Pointers keep what they pointed to (a null pointer is rarely what a branch on data wants).
  const scalar = (v: string): boolean => !isPointer(path.vars.get(v));
  const candidates: Map<string, bigint>[] = [];
  for (const k of [0n, 1n]) {
    const env = new Map(now);
    for (const v of target.vars) if (scalar(v)) env.set(v, k);
    candidates.push(env);
  }
  const zeros = new Map(now);
  for (const v of wanted) if (scalar(v)) zeros.set(v, 0n);
  candidates.push(zeros);
  for (const env of candidates) {
    let holds: boolean;
    try {
      holds = evaluate(slice, env).every((x) => x === 1n);
    } catch {
      return undefined;
    }
    if (holds) {
      const values = new Map<string, bigint>();
      for (const v of wanted) values.set(v, env.get(v) ?? 0n);
      return { status: 'sat', values, cost: 0 };
    }
  }
  return undefined;
}

function isPointer(place: VarPlace | undefined): boolean {
  return place?.t === 'ptr-arg' || place?.t === 'reloc';
}

/** A pointer value no object has: a solution that gives it to a pointer makes it a new object. */
const FRESH = 0x7fff_0000_0000n;

/**
 * The slice with each pointer variable's domain: null, a new object, or what one of the slice's pointers
 * pointed to on the path (so an equality of pointers is solved by aliasing objects the plan has, not by
 * inventing addresses).
 */
function withPointerDomains(slice: Sym[], path: Path): Sym[] {
  const ptrs: Sym[] = [];
  for (const v of varsOf(slice)) {
    if (isPointer(path.vars.get(v))) ptrs.push(varSym(slice, v));
  }
  if (ptrs.length === 0) return slice;
  const known = new Set<bigint>([0n, FRESH]);
  for (const p of ptrs) known.add(path.values.get(p.name) ?? 0n);
  const out = [...slice];
  for (const p of ptrs) {
    let dom: Sym | undefined;
    for (const k of known) {
      const eq = compare('=', p, constant(64, k));
      dom = dom === undefined ? eq : or(dom, eq);
    }
    out.push(dom!);
  }
  return out;
}

/**
 * A solved pointer in the plan's terms: null, an existing object, global or function when the value is
 * an address of one (`s->strm == strm`: the slot now points to the argument's object), else a new object
 * (any other non-null value: lazy initialisation makes it).
 */
function pointerTarget(p: Plan, path: Path, v: bigint, made: Map<bigint, PtrTarget>): PtrTarget | null {
  const t = path.target(v);
  if (t !== undefined) return t;
  let n = made.get(v);
  if (n === undefined) made.set(v, (n = { obj: p.newObject(2).id, off: 0 }));
  return n;
}

function setPointer(
  p: Plan,
  place: Extract<VarPlace, { t: 'ptr-arg' | 'reloc' }>,
  to: PtrTarget | null,
): void {
  if (place.t === 'ptr-arg') {
    p.args[place.index] = to === null ? { t: 'null' } : { t: 'ptr', ...to };
    return;
  }
  const h = 'obj' in place.holder ? p.objects[place.holder.obj] : p.global(place.holder.global);
  if (h === undefined) return;
  h.relocs.set(place.off, to);
  for (let k = 0; k < 8; k++) h.bytes.delete(place.off + k);
}

function varsOf(slice: readonly Sym[]): Set<string> {
  const s = new Set<string>();
  for (const c of slice) for (const v of c.vars) s.add(v);
  return s;
}

/** The variable node named `name` in the slice. */
function varSym(slice: readonly Sym[], name: string): Sym {
  const seen = new Set<number>();
  const stack = [...slice];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (s.op === 'var' && s.name === name) return s;
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    for (const a of s.args) if (a.vars.has(name)) stack.push(a);
  }
  throw new Error(`variable ${name} not in its slice`);
}

/** A copy of `plan` with the solved variables' values. */
function applyModel(plan: Plan, path: Path, values: ReadonlyMap<string, bigint>): Plan {
  const p = plan.clone();
  // Pointers solved equal to one value no object has point to one new object.
  const made = new Map<bigint, PtrTarget>();
  for (const [name, v] of values) {
    const place = path.vars.get(name);
    if (place === undefined) continue;
    if (place.t === 'ptr-arg' || place.t === 'reloc') {
      if (v !== path.values.get(name)) setPointer(p, place, pointerTarget(p, path, v, made));
    } else if (place.t === 'arg' && place.float !== undefined)
      p.args[place.index] = {
        t: 'float',
        kind: place.float,
        hex: v.toString(16).padStart(place.bits / 4, '0'),
      };
    else if (place.t === 'arg') p.args[place.index] = intRec(place.bits, v);
    else if (place.t === 'obj') p.objects[place.id]?.bytes.set(place.off, Number(v));
    else if (place.t === 'call') p.calls[place.index] = { fn: place.fn, ret: intRec(place.bits, v) };
    else p.global(place.name).bytes.set(place.off, Number(v));
  }
  return p;
}
