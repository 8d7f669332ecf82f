/**
 * @fileoverview Stage: mathlib. The implementations that run in JavaScript, evaluated in bulk over typed
 * arrays: inputsmith's engine models (the very scalar forms the generated code calls, looked up in the
 * engine's external table, src/engine/libc/math.ts) and JavaScript's `Math` as this Node runs it (binary32
 * forms: `Math.fround` of the double function at the float argument, as a JavaScript program would).
 *
 * Consumes: a function and its inputs (binary32 bit intervals, or interleaved sampled arguments).
 * Produces: the results as a typed array of the function's format (Float32Array / Float64Array); their
 * bits are what the measures compare. NaN payloads are JavaScript's (see measure.ts).
 */
import '../engine/libc/index.js';
import { lookupExternal, scalarFormOf, type Runtime } from '../engine/externals.js';
import type { MathFunction } from './functions.js';

export const JS_IMPLS = ['engine', 'js'] as const;
export type JsImplName = (typeof JS_IMPLS)[number];

type F2 = (a: number, b: number) => number;

const JS_MATH: Readonly<Record<string, F2>> = {
  exp: Math.exp,
  exp2: (x) => 2 ** x,
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  pow: Math.pow,
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  atan2: Math.atan2,
  hypot: Math.hypot,
  expm1: Math.expm1,
  log1p: Math.log1p,
  sinh: Math.sinh,
  tanh: Math.tanh,
};

/**
 * A runtime for the models' errno writes only: the errno cell of a model is found through `state` and
 * `symbolAddress` and written with `mem.writeI32`, which this one drops. Nothing else of a runtime is used
 * by the maths models.
 */
const ERRNO_ONLY = {
  state: () => 0,
  symbolAddress: () => 0,
  mem: { writeI32: () => {}, readI32: () => 0 },
} as unknown as Runtime;

/** The scalar function of implementation `impl` for `fn`, binary32 forms rounding their result. */
export function jsFunction(impl: JsImplName, fn: MathFunction): F2 {
  if (impl === 'js') {
    const f = JS_MATH[fn.base] as F2;
    return fn.float ? (a, b) => Math.fround(f(a, b)) : f;
  }
  const h = lookupExternal(fn.name);
  const form = h !== undefined ? scalarFormOf(h) : undefined;
  if (form === undefined) throw new Error(`the engine has no scalar model of ${fn.name}`);
  return (a, b) => form(ERRNO_ONLY, a, b, 0) as number;
}

/** Evaluate over binary32 bit patterns lo..hi-1 (univariate binary32 functions). */
export function evalBits(f: F2, lo: number, hi: number): Float32Array {
  const n = hi - lo;
  const inBits = new Uint32Array(n);
  for (let i = 0; i < n; i++) inBits[i] = lo + i;
  const x = new Float32Array(inBits.buffer);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(x[i] as number, 0);
  return out;
}

/** Evaluate over interleaved sampled arguments. */
export function evalSamples(
  f: F2,
  fn: MathFunction,
  args: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const n = args.length / fn.arity;
  const out = fn.float ? new Float32Array(n) : new Float64Array(n);
  if (fn.arity === 1) for (let i = 0; i < n; i++) out[i] = f(args[i] as number, 0);
  else for (let i = 0; i < n; i++) out[i] = f(args[2 * i] as number, args[2 * i + 1] as number);
  return out;
}
