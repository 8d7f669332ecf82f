/**
 * @fileoverview Stage: guide (solver). z3 (the `z3-solver` package, WebAssembly) behind one small interface:
 * a query's SMT-LIB text in, sat with the wanted values, unsat or unknown out.
 *
 * Consumes: query text (expr.ts `smtQuery`). Produces: `Answer`s, cached by text. Each query runs in a
 * context reset to its initial state under z3's resource limit (`rlimit`, a count of z3's internal steps),
 * never a time-out, so the same query gets the same answer and model on any machine; the time it took is
 * only reported. z3's WebAssembly module is loaded once per thread, the first time a solver is opened.
 */
import { parseValues } from './expr.js';

export type Answer = (
  | { readonly status: 'sat'; readonly values: ReadonlyMap<string, bigint> }
  | { readonly status: 'unsat' | 'unknown' }
) & {
  /** z3's resource units the query used (deterministic; the limit when it ran out). */
  readonly cost: number;
};

interface Z3Api {
  mk_config(): unknown;
  del_config(cfg: unknown): void;
  mk_context(cfg: unknown): unknown;
  del_context(ctx: unknown): void;
  eval_smtlib2_string(ctx: unknown, text: string): Promise<string>;
}

let loading: Promise<Z3Api> | undefined;

async function loadZ3(): Promise<Z3Api> {
  loading ??= import('z3-solver').then(async (m) => (await m.init()).Z3 as unknown as Z3Api);
  return loading;
}

/** What a solver did, for reports (`queries` and `rlimit` are deterministic, `ms` is not). */
export interface SolverStats {
  queries: number;
  cached: number;
  /** z3's resource units of all queries. */
  rlimit: number;
  sat: number;
  unsat: number;
  unknown: number;
  ms: number;
}

export class Solver {
  readonly stats: SolverStats = { queries: 0, cached: 0, rlimit: 0, sat: 0, unsat: 0, unknown: 0, ms: 0 };
  private readonly cache = new Map<string, Answer>();

  private constructor(
    private readonly z3: Z3Api,
    private readonly rlimit: number,
  ) {}

  /** A solver whose every query may spend `rlimit` of z3's resource units. */
  static async open(rlimit: number): Promise<Solver> {
    return new Solver(await loadZ3(), rlimit);
  }

  async check(query: string): Promise<Answer> {
    const hit = this.cache.get(query);
    if (hit !== undefined) {
      this.stats.cached++;
      return hit;
    }
    this.stats.queries++;
    const t0 = performance.now();
    const text = `(set-option :produce-models true)(set-option :rlimit ${this.rlimit})(set-logic QF_BV)\n${query}`;
    // A fresh context per query: z3 carries state across `(reset)` (the same query got other models),
    // and the answer must not depend on which queries this thread asked before.
    const cfg = this.z3.mk_config();
    const ctx = this.z3.mk_context(cfg);
    this.z3.del_config(cfg);
    let out: string;
    try {
      out = await this.z3.eval_smtlib2_string(ctx, `${text}\n(get-info :rlimit)`);
    } catch {
      out = 'unknown';
    } finally {
      this.z3.del_context(ctx);
    }
    this.stats.ms += performance.now() - t0;
    const first = out.trimStart();
    if (process.env.ISX_Z3_DEBUG && !/^(un)?sat/.test(first))
      console.error('Z3', first.slice(0, 300), '\nQUERY', query.slice(0, 3000));
    const used = /\(:rlimit (\d+)\)/.exec(first);
    const cost = Math.min(used === null ? this.rlimit : Number(used[1]), this.rlimit);
    this.stats.rlimit += cost;
    let a: Answer;
    if (first.startsWith('sat')) {
      a = { status: 'sat', values: parseValues(first.slice(3).replace(/\(:rlimit \d+\)/, '')), cost };
      this.stats.sat++;
    } else if (first.startsWith('unsat')) {
      a = { status: 'unsat', cost };
      this.stats.unsat++;
    } else {
      a = { status: 'unknown', cost };
      this.stats.unknown++;
    }
    this.cache.set(query, a);
    return a;
  }
}
