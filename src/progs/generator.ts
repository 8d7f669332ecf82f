/**
 * @fileoverview Stage: progs. The generator: expands a weighted grammar into a C program tree and runs
 * every statement as soon as it exists, so each expected value is known when the statement is written.
 *
 * Consumes: a checked `Grammar` and a seed. Produces: a `Program` (ast.ts) free of undefined behaviour,
 * with `check` statements holding the value each top-level assignment of main must produce, and the
 * expected checksum of all variables at the end.
 *
 * How values stay exact: straight-line code of main runs once, right after it is generated, through
 * the interpreter (interp.ts), which rewrites any node that would be undefined. Code that runs more
 * than once is handled where it repeats: a loop body is generated during its first iteration, then the
 * remaining iterations run, and if any of them needed a rewrite the loop is re-run from a snapshot until
 * a run needs none. A generated function is generated for the arguments of its first call and frozen;
 * any later call whose arguments would make it undefined gets the first call's arguments instead. Code
 * in a branch that is not taken is generated without running; if it ever runs later (in a loop or a
 * function) the same rules apply then. Checks are only emitted in main outside loops, where the code
 * runs exactly once.
 */

import type { Expr, Func, Place, Program, Stmt, StructDef, Var, VarKind } from './ast.js';
import { type CType, T_INT, commonType, convert } from './ctypes.js';
import type { ActionName, Alt, Grammar, GrammarOptions, Rule, Shape, Sym } from './grammar.js';
import { type Frame, Machine, constant, placeType } from './interp.js';
import { Rng } from './rng.js';
import { binaryType, unaryType } from './semantics.js';

export interface GenerateOptions {
  /** When given, counts how often each alternative is chosen (for tests of the weights). */
  readonly counts?: Map<Alt, number>;
  /** When given, accumulates interpreter steps and UB rewrites. */
  readonly stats?: { steps: number; rewrites: number };
}

interface Counter {
  readonly v: Var;
  readonly min: number;
  readonly max: number;
}

/** Generation state of one function body (main or a generated function). */
interface Ctx {
  readonly fn: Func;
  readonly frame: Frame;
  readonly isMain: boolean;
  /** Variables visible here, by kind (main also sees globals; functions only their own frame). */
  readonly scalars: Var[];
  readonly arrays: Var[];
  readonly structs: Var[];
  readonly pointers: Var[];
  readonly counters: Counter[];
  count: number;
  readonly budget: number;
  loopNest: number;
  /** How many times the statement being generated runs per run of this body (product of trip counts). */
  mult: number;
  /** Maximum loop nesting allowed in this body (including loops inside called functions). */
  readonly loopBudget: number;
  deepest: number;
}

/**
 * A call site may only call a function whose cost (an upper bound of interpreter steps per call) times
 * the site's repetitions stays below this, so programs stay cheap to evaluate (and to run).
 */
const MAIN_CALL_COST = 3000;
const FUNCTION_CALL_COST = 600;
/** Loops nested in one body repeat their innermost statements at most about this many times. */
const MAX_REPEAT = 64;

/** The variables main folds into its final checksum, in order: globals, then main's own. */
export function checksumVars(globals: readonly Var[], main: Func): Var[] {
  const keep = (v: Var): boolean => v.kind === 'scalar' || v.kind === 'array' || v.kind === 'struct';
  return [...globals.filter(keep), ...main.vars.filter(keep)];
}

/** 64-bit FNV-1a-style fold of values, as chk_mix computes it in the program. */
export function checksum(values: Iterable<bigint>): bigint {
  let h = 0xcbf29ce484222325n;
  for (const x of values) h = BigInt.asUintN(64, (h ^ BigInt.asUintN(64, x)) * 0x100000001b3n);
  return h;
}

/** Generates the program for `seed` from `grammar`. Same grammar and seed, same program. */
export function generateProgram(grammar: Grammar, seed: number, options: GenerateOptions = {}): Program {
  const gen = new Generator(grammar, seed, options);
  const p = gen.run();
  if (options.stats) {
    options.stats.steps += gen.m.steps;
    options.stats.rewrites += gen.m.rewrites;
  }
  return p;
}

class Generator {
  private readonly rng: Rng;
  private readonly o: GrammarOptions;
  readonly m = new Machine();
  private readonly globals: Var[] = [];
  private readonly structDefs: StructDef[] = [];
  private readonly funcs: Func[] = [];
  private readonly stack: Ctx[] = [];
  private ctx!: Ctx;
  private live = true;
  private loopDepth = 0;
  private stmtDepth = 0;
  private exprDepth = 0;
  private names = 0;
  private fnCount = 0;

  constructor(
    private readonly g: Grammar,
    private readonly seed: number,
    private readonly options: GenerateOptions,
  ) {
    this.rng = new Rng(seed);
    this.o = g.options;
  }

  run(): Program {
    const main: Func = {
      name: 'main',
      ret: T_INT,
      params: [],
      vars: [],
      body: [],
      result: undefined,
      refArgs: [],
      loopDepth: 0,
      cost: 0,
    };
    this.enter(main, [], true, this.o.main_statements, this.o.max_loop_nest);
    main.body = this.stmts(this.g.mainBody);
    this.leave();
    const frame = this.mainFrame;
    const h = checksum(checksumVars(this.globals, main).flatMap((v) => this.m.cells(v, frame)));
    return {
      seed: this.seed,
      structs: this.structDefs,
      globals: this.globals,
      funcs: this.funcs,
      main,
      checksum: h,
    };
  }

  private mainFrame: Frame = [];

  // -------------------------------------------------------------------------------------------
  // Contexts and variables

  private enter(fn: Func, args: bigint[], isMain: boolean, budget: number, loopBudget: number): void {
    const frame: Frame = [];
    if (isMain) this.mainFrame = frame;
    const ctx: Ctx = {
      fn,
      frame,
      isMain,
      scalars: [],
      arrays: [],
      structs: [],
      pointers: [],
      counters: [],
      count: 0,
      budget,
      loopNest: 0,
      mult: 1,
      loopBudget,
      deepest: 0,
    };
    if (isMain) {
      for (const v of this.globals) this.visible(ctx, v);
    }
    fn.params.forEach((p, i) => {
      frame.push([args[i] as bigint]);
      ctx.scalars.push(p);
    });
    this.stack.push(ctx);
    this.ctx = ctx;
  }

  private leave(): void {
    this.stack.pop();
    this.ctx = this.stack[this.stack.length - 1] as Ctx;
  }

  private visible(ctx: Ctx, v: Var): void {
    if (v.kind === 'scalar' || v.kind === 'param') ctx.scalars.push(v);
    else if (v.kind === 'array') ctx.arrays.push(v);
    else if (v.kind === 'struct') ctx.structs.push(v);
    else if (v.kind === 'pointer') ctx.pointers.push(v);
  }

  /** Creates a variable in the current function (or as a global when in main and the dice say so). */
  private newVar(
    kind: VarKind,
    prefix: string,
    type: CType,
    init: bigint[],
    extra: { length?: number; struct?: StructDef; target?: Place; forceLocal?: boolean } = {},
  ): Var {
    const ctx = this.ctx;
    let global = false;
    if (ctx.isMain && kind !== 'counter' && !extra.forceLocal)
      global = this.rng.chance(this.o.global_percent / 100);
    const name = `${prefix}_${++this.names}`;
    const v: Var = {
      name,
      kind,
      type,
      global,
      isStatic: global && this.rng.chance(0.5),
      slot: global ? this.globals.length : ctx.frame.length,
      init,
      length: extra.length ?? 1,
      struct: extra.struct,
      target: extra.target,
    };
    if (global) {
      this.globals.push(v);
      this.m.globals.push(init.slice());
    } else {
      (ctx.fn.vars as Var[]).push(v);
      ctx.frame.push(init.slice());
    }
    if (kind !== 'counter') this.visible(ctx, v);
    return v;
  }

  /** A constant of type t, biased toward boundary values like Csmith's and YARPGen's. */
  private constValue(t: CType): bigint {
    const r = this.rng.below(100);
    if (r < 30) return convert(BigInt(t.signed ? this.rng.range(-8, 16) : this.rng.range(0, 16)), t);
    if (r < 50) {
      const edge = [t.min, t.max, t.min + 1n, t.max - 1n, 0n, 1n, t.signed ? -1n : 2n];
      return this.rng.pick(edge);
    }
    if (r < 65) {
      const k = BigInt(this.rng.below(t.bits - (t.signed ? 1 : 0)));
      return convert((1n << k) + BigInt(this.rng.range(-1, 1)), t);
    }
    return convert(this.rng.u64(), t);
  }

  // -------------------------------------------------------------------------------------------
  // Choice

  private choose(rule: Rule, exhausted: boolean): Shape {
    const alts = exhausted ? rule.short : rule.live;
    const i = this.rng.weighted(
      exhausted ? rule.shortWeights : rule.weights,
      exhausted ? rule.shortTotal : rule.total,
    );
    const alt = alts[i] as Alt;
    const counts = this.options.counts;
    if (counts) counts.set(alt, (counts.get(alt) ?? 0) + 1);
    return alt.shape;
  }

  // -------------------------------------------------------------------------------------------
  // Types

  private type(s: Sym): CType {
    if (!('rule' in s)) throw new Error(`progs: action ${s.action} is not a type`);
    const sh = this.choose(s.rule, false);
    if (sh.k === 'typename') return sh.t;
    if (sh.k === 'sym') return this.type(sh.s);
    throw new Error(`progs: shape ${sh.k} in type rule ${s.rule.name}`);
  }

  private anyType(): CType {
    return this.type({ rule: this.g.type });
  }

  // -------------------------------------------------------------------------------------------
  // Expressions

  private expr(s: Sym): Expr {
    if (!('rule' in s)) return this.actionExpr(s.action);
    const rule = s.rule;
    if (rule.kind === 'place') {
      const p = this.place(s, false);
      return { k: 'read', type: placeType(p), place: p };
    }
    this.exprDepth++;
    const sh = this.choose(rule, this.exprDepth >= this.o.max_expr_depth);
    let e: Expr;
    switch (sh.k) {
      case 'sym':
        e = this.expr(sh.s);
        break;
      case 'paren': {
        const x = this.expr(sh.e);
        e = { k: 'paren', type: x.type, e: x };
        break;
      }
      case 'binary': {
        const a = this.expr(sh.a);
        const b = this.expr(sh.b);
        e = { k: 'binary', type: binaryType(sh.op, a.type, b.type), op: sh.op, a, b };
        break;
      }
      case 'unary': {
        const x = this.expr(sh.e);
        e = { k: 'unary', type: unaryType(sh.op, x.type), op: sh.op, e: x };
        break;
      }
      case 'cast': {
        const t = this.type(sh.t);
        e = { k: 'cast', type: t, e: this.expr(sh.e) };
        break;
      }
      case 'cond': {
        const c = this.expr(sh.c);
        const a = this.expr(sh.a);
        const b = this.expr(sh.b);
        e = { k: 'cond', type: commonType(a.type, b.type), c, a, b };
        break;
      }
      default:
        throw new Error(`progs: shape ${sh.k} in expression rule ${rule.name}`);
    }
    this.exprDepth--;
    return e;
  }

  private actionExpr(a: ActionName): Expr {
    if (a === 'constant') {
      const t = this.anyType();
      return constant(t, this.constValue(t));
    }
    if (a === 'call') return this.call();
    const p = this.placeAction(a, false);
    return { k: 'read', type: placeType(p), place: p };
  }

  /** An expression for an action's own use (index, argument), one level deeper. */
  private subExpr(): Expr {
    this.exprDepth++;
    const e = this.expr({ rule: this.g.expr });
    this.exprDepth--;
    return e;
  }

  // -------------------------------------------------------------------------------------------
  // Places

  private place(s: Sym, write: boolean): Place {
    if (!('rule' in s)) return this.placeAction(s.action, write);
    this.exprDepth++;
    const sh = this.choose(s.rule, this.exprDepth >= this.o.max_expr_depth);
    if (sh.k !== 'sym') throw new Error(`progs: shape ${sh.k} in place rule ${s.rule.name}`);
    const p = this.place(sh.s, write);
    this.exprDepth--;
    return p;
  }

  private placeAction(a: ActionName, write: boolean): Place {
    switch (a) {
      case 'known_identifier':
        return this.knownScalar(write);
      case 'make_identifier':
        return { k: 'var', v: this.makeScalar() };
      case 'array_element':
        return this.arrayElement();
      case 'struct_member':
        return this.structMember();
      case 'pointer_deref':
        return this.pointerDeref();
      default:
        throw new Error(`progs: action ${a} does not build a place`);
    }
  }

  private makeScalar(): Var {
    const t = this.anyType();
    return this.newVar('scalar', 'v', t, [this.constValue(t)]);
  }

  private knownScalar(write: boolean): Place {
    const ctx = this.ctx;
    const n = ctx.scalars.length + (write ? 0 : ctx.counters.length);
    if (n === 0) return { k: 'var', v: this.makeScalar() };
    const i = this.rng.below(n);
    const v =
      i < ctx.scalars.length ? (ctx.scalars[i] as Var) : (ctx.counters[i - ctx.scalars.length] as Counter).v;
    return { k: 'var', v };
  }

  private arrayElement(): Place {
    const ctx = this.ctx;
    let v: Var;
    if (ctx.arrays.length === 0 || this.rng.chance(0.15)) {
      const t = this.anyType();
      const n = this.rng.range(1, Math.max(1, this.o.max_array_length));
      const init: bigint[] = [];
      for (let i = 0; i < n; i++) init.push(this.constValue(t));
      v = this.newVar('array', 'a', t, init, { length: n });
    } else v = this.rng.pick(ctx.arrays);
    const fits = ctx.counters.filter((c) => c.min >= 0 && c.max < v.length);
    const r = this.rng.below(100);
    let index: Expr;
    if (fits.length > 0 && r < 50) {
      const c = this.rng.pick(fits).v;
      index = { k: 'read', type: c.type, place: { k: 'var', v: c } };
    } else if (r < 80 || this.exprDepth >= this.o.max_expr_depth) {
      index = constant(T_INT, BigInt(this.rng.below(v.length)));
    } else index = this.subExpr(); // wrapped with % N by the interpreter if it is ever out of bounds
    return { k: 'elem', v, index };
  }

  private structMember(): Place {
    const ctx = this.ctx;
    let v: Var;
    if (ctx.structs.length === 0 || this.rng.chance(0.15)) {
      let def: StructDef;
      if (this.structDefs.length > 0 && this.rng.chance(0.5)) def = this.rng.pick(this.structDefs);
      else {
        const fields: CType[] = [];
        const n = this.rng.range(1, Math.max(1, this.o.max_struct_fields));
        for (let i = 0; i < n; i++) fields.push(this.anyType());
        def = { name: `S_${this.structDefs.length}`, fields };
        this.structDefs.push(def);
      }
      v = this.newVar(
        'struct',
        's',
        T_INT,
        def.fields.map((t) => this.constValue(t)),
        { length: def.fields.length, struct: def },
      );
    } else v = this.rng.pick(ctx.structs);
    return { k: 'member', v, field: this.rng.below(v.length) };
  }

  private pointerDeref(): Place {
    const ctx = this.ctx;
    if (ctx.pointers.length > 0 && !this.rng.chance(0.2))
      return { k: 'deref', v: this.rng.pick(ctx.pointers) };
    // Target: a scalar, an array element with a constant index, or a struct field of this scope.
    const r = this.rng.below(100);
    let target: Place;
    if (r < 20 && ctx.arrays.length > 0) {
      const a = this.rng.pick(ctx.arrays);
      target = { k: 'elem', v: a, index: constant(T_INT, BigInt(this.rng.below(a.length))) };
    } else if (r < 35 && ctx.structs.length > 0) {
      const s = this.rng.pick(ctx.structs);
      target = { k: 'member', v: s, field: this.rng.below(s.length) };
    } else target = this.knownScalar(true);
    const forceLocal = !target.v.global; // a global pointer needs a constant initializer: &global only
    const v = this.newVar('pointer', 'p', placeType(target), [], { target, forceLocal });
    return { k: 'deref', v };
  }

  // -------------------------------------------------------------------------------------------
  // Calls and functions

  private call(): Expr {
    const ctx = this.ctx;
    const room = ctx.loopBudget - ctx.loopNest;
    const limit = ctx.isMain ? MAIN_CALL_COST : FUNCTION_CALL_COST;
    const callable = this.funcs.filter((f) => f.loopDepth <= room && f.cost * ctx.mult <= limit);
    const canMake = this.fnCount < this.o.max_functions && this.stack.length < 3 && ctx.mult <= 8;
    let fn: Func;
    let args: Expr[];
    if (canMake && (callable.length === 0 || this.rng.chance(0.3))) {
      const ret = this.anyType();
      const params: Var[] = [];
      const nParams = this.rng.range(0, this.o.max_params);
      const types: CType[] = [];
      for (let i = 0; i < nParams; i++) types.push(this.anyType());
      args = types.map(() => this.subExpr());
      fn = {
        name: `f_${++this.fnCount}`,
        ret,
        params,
        vars: [],
        body: [],
        result: undefined,
        refArgs: [],
        loopDepth: 0,
        cost: 0,
      };
      const refArgs = types.map((t, i) =>
        this.live ? convert(this.m.eval(args[i] as Expr, ctx.frame), t) : this.constValue(t),
      );
      this.defineFunction(fn, types, refArgs, room);
    } else if (callable.length > 0) {
      fn = this.rng.pick(callable);
      args = fn.params.map(() => this.subExpr());
    } else {
      const t = this.anyType();
      return constant(t, this.constValue(t));
    }
    ctx.deepest = Math.max(ctx.deepest, ctx.loopNest + fn.loopDepth);
    return { k: 'call', type: fn.ret, fn, args };
  }

  /** Generates a function's body for the arguments `refArgs` (running it), then freezes it (makes it callable). */
  private defineFunction(fn: Func, types: CType[], refArgs: bigint[], loopBudget: number): void {
    const saved = {
      live: this.live,
      loopDepth: this.loopDepth,
      stmtDepth: this.stmtDepth,
      exprDepth: this.exprDepth,
    };
    const params = fn.params;
    for (let i = 0; i < types.length; i++) {
      const v: Var = {
        name: `v_${++this.names}`,
        kind: 'param',
        type: types[i] as CType,
        global: false,
        isStatic: false,
        slot: i,
        init: [0n],
        length: 1,
        struct: undefined,
        target: undefined,
      };
      params.push(v);
      (fn.vars as Var[]).push(v);
    }
    fn.refArgs = refArgs;
    this.enter(fn, refArgs, false, this.o.function_statements, loopBudget);
    this.live = true;
    this.loopDepth = 0;
    this.stmtDepth = 0;
    this.exprDepth = 0;
    fn.body = this.stmts(this.g.functionBody);
    const result = this.expr({ rule: this.g.expr });
    fn.result = result;
    this.m.eval(result, this.ctx.frame); // fixes any UB of the returned expression for these arguments
    fn.loopDepth = this.ctx.deepest;
    this.leave();
    fn.cost = fn.vars.length + stmtsCost(fn.body) + exprCost(result);
    Object.assign(this, saved);
    this.funcs.push(fn);
  }

  // -------------------------------------------------------------------------------------------
  // Statements

  private stmts(rule: Rule): Stmt[] {
    const out: Stmt[] = [];
    this.stmtInto(rule, out);
    return out;
  }

  private stmtInto(rule: Rule, out: Stmt[]): void {
    const ctx = this.ctx;
    const sh = this.choose(rule, this.stmtDepth >= this.o.max_stmt_depth || ctx.count >= ctx.budget);
    switch (sh.k) {
      case 'sym':
        this.stmtInto((sh.s as { rule: Rule }).rule, out);
        return;
      case 'seq':
        for (const s of sh.items) this.stmtInto((s as { rule: Rule }).rule, out);
        return;
      case 'assign': {
        const place = this.place(sh.p, true);
        const e = this.expr(sh.e);
        const s: Stmt = { k: 'assign', place, op: sh.op, e };
        ctx.count++;
        if (this.live) this.m.assign(s, ctx.frame);
        out.push(s);
        this.check(place, out);
        return;
      }
      case 'incdec': {
        const place = this.place(sh.p, true);
        const s: Stmt = { k: 'incdec', place, op: sh.op, prefix: sh.prefix };
        ctx.count++;
        if (this.live) this.m.incdec(s, ctx.frame);
        out.push(s);
        this.check(place, out);
        return;
      }
      case 'if': {
        const c = this.expr(sh.c);
        ctx.count++;
        const taken = this.live ? this.m.eval(c, ctx.frame) !== 0n : false;
        const wasLive = this.live;
        this.stmtDepth++;
        this.live = wasLive && taken;
        const then = this.stmts((sh.then as { rule: Rule }).rule);
        this.live = wasLive && !taken;
        const els = sh.else ? this.stmts((sh.else as { rule: Rule }).rule) : undefined;
        this.live = wasLive;
        this.stmtDepth--;
        out.push({ k: 'if', c, then, else: els });
        return;
      }
      case 'block': {
        ctx.count++;
        this.stmtDepth++;
        const body = this.stmts((sh.body as { rule: Rule }).rule);
        this.stmtDepth--;
        out.push({ k: 'block', body });
        return;
      }
      case 'for':
        this.forLoop((sh.body as { rule: Rule }).rule, out);
        return;
      default:
        throw new Error(`progs: shape ${sh.k} in statement rule ${rule.name}`);
    }
  }

  /** chk_result after a statement of main that runs exactly once. */
  private check(place: Place, out: Stmt[]): void {
    if (!this.ctx.isMain || !this.live || this.loopDepth > 0) return;
    out.push({ k: 'check', place, expected: BigInt.asUintN(64, this.m.read(place, this.ctx.frame)) });
  }

  private forLoop(bodyRule: Rule, out: Stmt[]): void {
    const ctx = this.ctx;
    ctx.count++;
    this.stmtDepth++;
    if (ctx.loopNest >= ctx.loopBudget) {
      // No loop allowed this deep (bounded work): the body becomes a plain block.
      out.push({ k: 'block', body: this.stmts(bodyRule) });
      this.stmtDepth--;
      return;
    }
    const start = this.rng.chance(0.7) ? 0 : this.rng.range(-3, 5);
    const step = this.rng.chance(0.7) ? 1 : this.rng.pick([2, 3, -1, -2]);
    let trips = this.rng.chance(0.05) ? 0 : this.rng.range(1, Math.max(1, this.o.max_loop_trips));
    trips = Math.min(trips, Math.max(1, Math.floor(MAX_REPEAT / ctx.mult)));
    const counter = this.newVar('counter', 'i', T_INT, [0n]);
    const last = start + (trips - 1) * step;
    const info: Counter = { v: counter, min: Math.min(start, last), max: Math.max(start, last) };
    const frame = ctx.frame;
    const running = this.live && trips > 0;
    const snap = running ? this.m.snapshot(frame) : undefined;
    if (running) (frame[counter.slot] as bigint[])[0] = BigInt(start);
    const wasLive = this.live;
    this.live = running;
    ctx.counters.push(info);
    ctx.loopNest++;
    const mult = ctx.mult;
    ctx.mult *= Math.max(1, trips);
    ctx.deepest = Math.max(ctx.deepest, ctx.loopNest);
    this.loopDepth++;
    const body = this.stmts(bodyRule); // this is the first iteration when running
    this.loopDepth--;
    ctx.mult = mult;
    ctx.loopNest--;
    ctx.counters.pop();
    this.live = wasLive;
    const s: Stmt = { k: 'for', counter, start, step, trips, body };
    if (running && snap) {
      let before = this.m.rewrites;
      const cell = frame[counter.slot] as bigint[];
      for (let j = 1; j < trips; j++) {
        cell[0] = BigInt(start + j * step);
        this.m.exec(body, frame);
      }
      while (this.m.rewrites !== before) {
        before = this.m.rewrites;
        this.m.restore(snap, frame, ctx.fn.vars, this.globals);
        this.m.step(s, frame);
      }
    }
    out.push(s);
    this.stmtDepth--;
    if (this.ctx.isMain && this.live && this.loopDepth === 0) {
      // Check a few of the places the loop wrote, now that it has finished.
      const seen = new Set<string>();
      for (const p of writtenPlaces(body)) {
        const key = placeKey(p);
        if (seen.has(key) || seen.size >= 3) continue;
        seen.add(key);
        this.check(p, out);
      }
    }
  }
}

/** Places assigned in `body` that denote one fixed location (no loop-dependent index). */
function writtenPlaces(body: Stmt[], acc: Place[] = []): Place[] {
  for (const s of body) {
    if (s.k === 'assign' || s.k === 'incdec') {
      const p = s.place;
      if (p.k !== 'elem' || p.index.k === 'const') acc.push(p);
    } else if (s.k === 'if') {
      writtenPlaces(s.then, acc);
      if (s.else) writtenPlaces(s.else, acc);
    } else if (s.k === 'for' || s.k === 'block') writtenPlaces(s.body, acc);
  }
  return acc;
}

function placeKey(p: Place): string {
  switch (p.k) {
    case 'var':
    case 'deref':
      return p.v.name + p.k;
    case 'member':
      return `${p.v.name}.${p.field}`;
    case 'elem':
      return `${p.v.name}[${p.index.k === 'const' ? p.index.value : '?'}]`;
  }
}

/** Upper bound of the interpreter steps of an expression (both arms of ?: and && counted). */
function exprCost(e: Expr): number {
  switch (e.k) {
    case 'const':
      return 1;
    case 'read':
      return e.place.k === 'elem' ? 2 + exprCost(e.place.index) : 2;
    case 'paren':
    case 'cast':
    case 'unary':
      return 1 + exprCost(e.e);
    case 'binary':
      return 1 + exprCost(e.a) + exprCost(e.b);
    case 'cond':
      return 1 + exprCost(e.c) + exprCost(e.a) + exprCost(e.b);
    case 'call':
      return 1 + e.fn.cost + e.args.reduce((n, a) => n + exprCost(a), 0);
  }
}

/** Upper bound of the interpreter steps of a statement list (both branches of if counted). */
function stmtsCost(body: Stmt[]): number {
  let n = 0;
  for (const s of body) {
    switch (s.k) {
      case 'assign':
        n += 2 + exprCost(s.e) + (s.place.k === 'elem' ? exprCost(s.place.index) : 0);
        break;
      case 'incdec':
      case 'check':
        n += 2;
        break;
      case 'if':
        n += 1 + exprCost(s.c) + stmtsCost(s.then) + (s.else ? stmtsCost(s.else) : 0);
        break;
      case 'for':
        n += 1 + s.trips * (1 + stmtsCost(s.body));
        break;
      case 'block':
        n += stmtsCost(s.body);
        break;
    }
  }
  return n;
}
