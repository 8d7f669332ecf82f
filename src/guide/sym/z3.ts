/**
 * @fileoverview Stage: guide (solver). z3 (the `z3-solver` package, WebAssembly) behind one small interface:
 * a query's SMT-LIB text in, sat with the wanted values, unsat or unknown out.
 *
 * Consumes: query text (expr.ts `smtQuery`). Produces: `Answer`s, cached by text. Each query runs in a
 * context reset to its initial state under z3's resource limit (`rlimit`, a count of z3's internal steps),
 * never a time-out, so the same query gets the same answer and model on any machine; the time it took is
 * only reported. z3's WebAssembly module is loaded once per thread, the first time a solver is opened.
 */

export type Answer = (
  | { readonly status: 'sat'; readonly values: ReadonlyMap<string, bigint> }
  | { readonly status: 'unsat' | 'unknown' }
) & {
  /** z3's resource units the query used (deterministic; the limit when it ran out). */
  readonly cost: number;
};

/** The parts of z3's C API used (the package's low-level API; handles are numbers). */
interface Z3Api {
  mk_config(): number;
  set_param_value(cfg: number, k: string, v: string): void;
  del_config(cfg: number): void;
  mk_context(cfg: number): number;
  del_context(ctx: number): void;
  mk_string_symbol(ctx: number, s: string): number;
  mk_solver_for_logic(ctx: number, logic: number): number;
  solver_inc_ref(ctx: number, s: number): void;
  solver_dec_ref(ctx: number, s: number): void;
  solver_from_string(ctx: number, s: number, text: string): void;
  solver_check(ctx: number, s: number): Promise<number>;
  solver_get_model(ctx: number, s: number): number;
  model_inc_ref(ctx: number, m: number): void;
  model_dec_ref(ctx: number, m: number): void;
  model_to_string(ctx: number, m: number): string;
  solver_get_statistics(ctx: number, s: number): number;
  stats_inc_ref(ctx: number, st: number): void;
  stats_dec_ref(ctx: number, st: number): void;
  stats_to_string(ctx: number, st: number): string;
}

let loading: Promise<Z3Api> | undefined;

/** A model's values: `a0 -> #x0000002a` per line (variables the query leaves free are absent). */
export function parseModel(text: string): Map<string, bigint> {
  const values = new Map<string, bigint>();
  const re = /([A-Za-z_][\w.]*) -> (#x[0-9a-fA-F]+|#b[01]+|true|false)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const v = m[2]!;
    const k =
      v === 'true'
        ? 1n
        : v === 'false'
          ? 0n
          : v.startsWith('#x')
            ? BigInt('0x' + v.slice(2))
            : BigInt('0b' + v.slice(2));
    values.set(m[1]!, k);
  }
  return values;
}

async function loadZ3(): Promise<Z3Api> {
  loading ??= import('z3-solver').then(async (m) => (await m.init()).Z3 as unknown as Z3Api);
  return loading;
}

export class Solver {
  private readonly cache = new Map<string, Answer>();

  private constructor(
    private readonly z3: Z3Api,
    private readonly rlimit: number,
  ) {}

  /** A solver whose every query may spend `rlimit` of z3's resource units. */
  static async open(rlimit: number): Promise<Solver> {
    return new Solver(await loadZ3(), rlimit);
  }

  /**
   * One query in a fresh context: z3 carried state across `(reset)` (the same query got other models),
   * and the answer must not depend on which queries this thread asked before. The text is parsed
   * synchronously and only the check runs off-thread: the package's asynchronous `eval_smtlib2_string`
   * passes its string on the caller's WebAssembly stack, which the check read after it had been reused
   * (queries arrived cut or altered, and answers depended on what ran before).
   */
  private async solve(text: string): Promise<{ status: number; model: string; used: number }> {
    const z3 = this.z3;
    const cfg = z3.mk_config();
    z3.set_param_value(cfg, 'model', 'true');
    z3.set_param_value(cfg, 'rlimit', String(this.rlimit));
    const ctx = z3.mk_context(cfg);
    z3.del_config(cfg);
    try {
      const s = z3.mk_solver_for_logic(ctx, z3.mk_string_symbol(ctx, 'QF_BV'));
      z3.solver_inc_ref(ctx, s);
      z3.solver_from_string(ctx, s, text);
      const status = await z3.solver_check(ctx, s);
      let model = '';
      if (status === 1) {
        const m = z3.solver_get_model(ctx, s);
        z3.model_inc_ref(ctx, m);
        model = z3.model_to_string(ctx, m);
        z3.model_dec_ref(ctx, m);
      }
      const st = z3.solver_get_statistics(ctx, s);
      z3.stats_inc_ref(ctx, st);
      const used = Number(/rlimit-count\s+(\d+)/.exec(z3.stats_to_string(ctx, st))?.[1] ?? this.rlimit);
      z3.stats_dec_ref(ctx, st);
      z3.solver_dec_ref(ctx, s);
      return { status, model, used };
    } finally {
      z3.del_context(ctx);
    }
  }

  async check(query: string): Promise<Answer> {
    const hit = this.cache.get(query);
    if (hit !== undefined) return hit;
    let r: { status: number; model: string; used: number };
    try {
      r = await this.solve(query);
    } catch {
      r = { status: 0, model: '', used: this.rlimit };
    }
    const cost = Math.min(r.used, this.rlimit);
    const a: Answer =
      r.status === 1
        ? { status: 'sat', values: parseModel(r.model), cost }
        : { status: r.status === -1 ? 'unsat' : 'unknown', cost };
    this.cache.set(query, a);
    return a;
  }
}
