/**
 * @fileoverview Stage: guide (solver). Search-based solving of path conditions z3 does not take:
 * floating-point relations (z3's WebAssembly build needs seconds to bit-blast one double multiplication)
 * and non-linear integer ones that ran out of z3's budget. Korel's alternating variable method over the
 * inputs the query reads, minimising the branch distance of its conditions.
 *
 * Consumes: a query (its conditions, all to hold) and the values the path ran with. Produces: values of
 * the query's variables that make every condition hold, or nothing. Deterministic: no randomness, a
 * fixed budget of evaluations.
 *
 * Units: an input is moved as the quantity the program reads, not byte by byte: a double or float is a
 * unit where its bits are read as one (an argument, or 4 / 8 input bytes under one `fp.bits2f`); other
 * variables are integers, an argument or call result as it is, input bytes by aligned 32-bit word.
 */
import { inputByte } from './concolic.js';
import { dagSize, evaluator, fpBits, fpValue, type Sym } from './expr.js';

interface Unit {
  /** Variables, least significant first (one variable, or 8-bit ones). */
  readonly vars: readonly string[];
  readonly widths: readonly number[];
  /** Total width in bits. */
  readonly w: number;
  readonly float: boolean;
}

/** The leaves of a concatenation, most significant first, when all are variables. */
function concatVars(s: Sym, out: Sym[]): boolean {
  if (s.op === 'var') {
    out.push(s);
    return true;
  }
  if (s.op !== 'concat') return false;
  return concatVars(s.args[0]!, out) && concatVars(s.args[1]!, out);
}

function units(slice: readonly Sym[], wanted: readonly string[]): Unit[] {
  const out: Unit[] = [];
  const used = new Set<string>();
  const seen = new Set<number>();
  const widths = new Map<string, number>();
  const stack = [...slice];
  while (stack.length > 0) {
    const s = stack.pop()!;
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    if (s.op === 'var') widths.set(s.name, s.w);
    if (s.op === 'fp.bits2f') {
      const leaves: Sym[] = [];
      if (concatVars(s.args[0]!, leaves) && leaves.every((l) => !used.has(l.name))) {
        leaves.reverse();
        for (const l of leaves) used.add(l.name);
        out.push({ vars: leaves.map((l) => l.name), widths: leaves.map((l) => l.w), w: -s.w, float: true });
      }
    }
    for (const a of s.args) stack.push(a);
  }
  const words = new Map<string, string[]>();
  for (const v of wanted) {
    if (used.has(v)) continue;
    const b = inputByte(v);
    if (b === undefined) {
      out.push({ vars: [v], widths: [widths.get(v) ?? 8], w: widths.get(v) ?? 8, float: false });
      continue;
    }
    const key = `${b.holder}:${Math.floor(b.off / 4)}`;
    const word = words.get(key) ?? ['', '', '', ''];
    word[((b.off % 4) + 4) % 4] = v;
    words.set(key, word);
  }
  for (const word of words.values()) {
    // A word's bytes from its lowest present one; absent bytes read as 0 (they are not in the query).
    const vars = word.map((v, i) => v || `_absent${i}`);
    out.push({ vars, widths: [8, 8, 8, 8], w: 32, float: false });
  }
  return out;
}

function getUnit(u: Unit, env: ReadonlyMap<string, bigint>): bigint {
  let v = 0n;
  let at = 0n;
  u.vars.forEach((name, i) => {
    v |= (env.get(name) ?? 0n) << at;
    at += BigInt(u.widths[i]!);
  });
  return v;
}

function setUnit(u: Unit, env: Map<string, bigint>, bits: bigint): void {
  let at = 0n;
  u.vars.forEach((name, i) => {
    const w = BigInt(u.widths[i]!);
    if (!name.startsWith('_absent')) env.set(name, (bits >> at) & ((1n << w) - 1n));
    at += w;
  });
}

const ICMP_TRUE: Record<string, (a: number, b: number) => number> = {
  '=': (a, b) => Math.abs(a - b),
  bvult: (a, b) => (a < b ? 0 : a - b + 1),
  bvule: (a, b) => (a <= b ? 0 : a - b),
  bvugt: (a, b) => (a > b ? 0 : b - a + 1),
  bvuge: (a, b) => (a >= b ? 0 : b - a),
};
const NEGATED: Record<string, string> = {
  '=': '!=',
  bvult: 'bvuge',
  bvule: 'bvugt',
  bvugt: 'bvule',
  bvuge: 'bvult',
};

/** How far a condition is from having the truth value `want` (0: it has it). */
function distance(s: Sym, want: boolean, ev: (s: Sym) => bigint): number {
  switch (s.op) {
    case 'not':
      return distance(s.args[0]!, !want, ev);
    case 'and':
    case 'or': {
      const a = distance(s.args[0]!, want, ev);
      const b = distance(s.args[1]!, want, ev);
      return (s.op === 'and') === want ? a + b : Math.min(a, b);
    }
  }
  const holds = ev(s) !== 0n;
  if (holds === want) return 0;
  const [x, y] = s.args;
  // A bit compared with a constant: the distance of the condition the bit stands for.
  if (s.op === '=' && x!.w === 1 && y!.op === 'const' && x!.op === 'ite') {
    const [c, t, e] = x!.args as [Sym, Sym, Sym];
    const wantBit = (y!.k === 1n) === want;
    const side = (v: Sym): number => (v.op === 'const' ? ((v.k === 1n) === wantBit ? 0 : 1) : 1);
    return Math.min(distance(c, true, ev) + side(t), distance(c, false, ev) + side(e));
  }
  if (s.op === 'fp.cmp') {
    const a = fpValue(x!.w, ev(x!));
    const b = fpValue(y!.w, ev(y!));
    const d = Number.isNaN(a) || Number.isNaN(b) ? 1e300 : Math.abs(a - b);
    return norm(d === 0 ? 1e-300 : d);
  }
  const base = s.op.replace(/^bvs/, 'bvu');
  if (x !== undefined && y !== undefined && x.w > 0 && base in ICMP_TRUE) {
    const signed = s.op.startsWith('bvs');
    const num = (v: bigint): number => Number(signed ? BigInt.asIntN(x.w, v) : v);
    const op = want ? base : NEGATED[base]!;
    if (op === '!=') return 1;
    return norm(ICMP_TRUE[op]!(num(ev(x)), num(ev(y))));
  }
  return 1;
}

/** A distance in [0, 1): distances of several conditions add up without one drowning the others. */
function norm(d: number): number {
  return d / (d + 1);
}

function objective(slice: readonly Sym[], env: ReadonlyMap<string, bigint>): number {
  const ev = evaluator(env);
  let f = 0;
  for (const c of slice) f += distance(c, true, ev);
  return f;
}

/** A unit moved by `step` (an integer, or a float value). */
function moved(u: Unit, bits: bigint, step: number): bigint | undefined {
  if (!u.float) return BigInt.asUintN(u.w, bits + BigInt(Math.trunc(step)));
  const x = fpValue(-u.w, bits);
  const y = x + step;
  if (!Number.isFinite(y)) return undefined;
  return fpBits(-u.w, u.w === 32 ? Math.fround(y) : y);
}

/**
 * Values for the query's variables that make every condition hold, within `budget` node evaluations (a
 * query's every evaluation costs its node count); undefined
 * if none was found. Starts from the path's values (`start`), then from every unit 0, then every unit 1
 * (or 1.0): random inputs put products and squares far out where the landscape is flat or wraps.
 */
export function searchModel(
  slice: readonly Sym[],
  wanted: readonly string[],
  start: ReadonlyMap<string, bigint>,
  budget: number,
  stop: () => boolean = () => false,
): Map<string, bigint> | undefined {
  const us = units(slice, wanted);
  const cost = dagSize(slice);
  const constant = (k: number): Map<string, bigint> => {
    const env = new Map<string, bigint>();
    for (const u of us) setUnit(u, env, u.float ? fpBits(-u.w, k) : BigInt(k));
    return env;
  };
  const starts = [new Map(start), constant(0), constant(1)];
  for (let i = 0; i < starts.length; i++) {
    const env = climb(slice, us, starts[i]!, Math.floor(budget / starts.length / cost), stop);
    if (env === undefined) continue;
    const out = new Map<string, bigint>();
    for (const v of wanted) out.set(v, env.get(v) ?? 0n);
    return out;
  }
  return undefined;
}

/** The alternating variable method from `env` (changed in place); the model, or undefined. */
function climb(
  slice: readonly Sym[],
  us: readonly Unit[],
  env: Map<string, bigint>,
  budget: number,
  stop: () => boolean,
): Map<string, bigint> | undefined {
  let best = objective(slice, env);
  let evals = 1;
  const better = (u: Unit, bits: bigint | undefined): boolean => {
    if (bits === undefined || evals >= budget) return false;
    if ((evals & 63) === 0 && stop()) evals = budget;
    const trial = new Map(env);
    setUnit(u, trial, bits);
    evals++;
    const f = objective(slice, trial);
    if (f >= best) return false;
    best = f;
    setUnit(u, env, bits);
    return true;
  };
  for (let improved = true; best > 0 && improved && evals < budget;) {
    improved = false;
    for (const u of us) {
      if (best === 0) break;
      const x0 = getUnit(u, env);
      const unitStep = u.float ? Math.max(Math.abs(fpValue(-u.w, x0)) * 2 ** -20, 2 ** -20) : 1;
      for (const dir of [-1, 1]) {
        let step = dir * unitStep;
        if (!better(u, moved(u, getUnit(u, env), step))) continue;
        improved = true;
        // Pattern moves: keep going, twice as far each time, while it improves.
        while (best > 0 && better(u, moved(u, getUnit(u, env), (step *= 2))));
        break;
      }
    }
  }
  return best === 0 ? env : undefined;
}
