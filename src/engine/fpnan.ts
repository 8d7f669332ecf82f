/**
 * @fileoverview Stage: engine. The bits of a NaN where JavaScript leaves them to V8's choice of code.
 *
 * Consumes: doubles. Produces: `fmodX86`, the remainder of `frem` and of glibc's `fmod`/`fmodf` with the
 * NaN an x86-64 machine gives. V8 computes `x % y` of two small integers (Smis) with a zero divisor in the
 * interpreter as the canonical NaN (0x7ff8000000000000), but in optimised code through the C library
 * (the x86 default NaN, 0xfff8000000000000), so a remainder's bits depended on the JIT tier: on which
 * functions a worker had run before, and with it on the number of workers (seen on lua5.4's `luaV_modf`).
 */

const scratch = new Float64Array(1);
const scratchHi = new Uint32Array(scratch.buffer, 4, 1);
/** [0]: the x86 default NaN (what an invalid SSE operation returns), read at run time so that V8 keeps its bits. */
const DEFAULT_NAN = new Float64Array(new Uint32Array([0, 0xfff80000]).buffer);

/** NaN x made quiet (its payload kept), as an SSE operation returns a signalling NaN operand. */
function quiet(x: number): number {
  scratch[0] = x;
  scratchHi[0]! |= 0x80000;
  return scratch[0]!;
}

/**
 * The NaN an SSE `addsd`/`subsd`/`mulsd`/`divsd` (and the `ss` forms) of x and y returns, for a result
 * that is NaN: the first NaN operand, made quiet, else (an invalid operation such as inf - inf or 0 * inf)
 * the default NaN. JavaScript computes the same bits only when V8 keeps the operands in the IR's order:
 * it may swap those of a commutative `+` or `*`, and which code runs depends on the JIT tier, so with two
 * NaN operands of different bits the result depended on what a worker had run before.
 */
export function nanOf(x: number, y: number): number {
  if (x !== x) return quiet(x);
  if (y !== y) return quiet(y);
  return DEFAULT_NAN[0]!;
}

/** `x * y + z` as a multiply then an add, a NaN result with x86's bits (`nanOf` at each step). */
export function mulAddX86(x: number, y: number, z: number): number {
  const r = x * y + z;
  if (r === r) return r;
  let t = x * y;
  if (t !== t) t = nanOf(x, y);
  const s = t + z;
  return s !== s ? nanOf(t, z) : s;
}

/**
 * `float` `x * y + z` as x86-64 runs `llvm.fmuladd.f32` without FMA: `mulss` (the product rounded to
 * float) then `addss`. Not `fround(x * y + z)`: the exact product then one rounding differs whenever the
 * add cancels (1 + 2^-23 squared minus 1...). A NaN result has x86's bits (`nanOf` at each step).
 */
export function mulAddF32X86(x: number, y: number, z: number): number {
  let t = Math.fround(x * y);
  if (t !== t) t = Math.fround(nanOf(x, y));
  const s = Math.fround(t + z);
  return s !== s ? Math.fround(nanOf(t, z)) : s;
}

/**
 * C's `fmod(x, y)` (LLVM's `frem`) as x86-64 glibc computes it: exact for finite x and non-zero y; a NaN
 * operand returned quiet (x first); x infinite or y zero the default NaN, as glibc's `(x * y) / (x * y)`.
 */
export function fmodX86(x: number, y: number): number {
  if (x !== x) return quiet(x);
  if (y !== y) return quiet(y);
  if (y === 0 || x === Infinity || x === -Infinity) return DEFAULT_NAN[0]!;
  return x % y;
}
