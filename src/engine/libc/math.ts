/**
 * @fileoverview Stage: engine (libc models). math.h for double, float (`f` suffix) and long double (`l`).
 *
 * Consumes: the externals API and the soft-float fp80 helpers. Produces: pure functions (`MATH_F64`, by
 * name, reusable by the engine for llvm.* math intrinsics) and registered handlers.
 *
 * Exactness: exactly rounded (bit-identical to glibc): sqrt, fabs, floor, ceil, trunc, round, rint,
 * nearbyint, lround/lrint families, fmod, remainder, remquo, frexp, ldexp/scalbn, modf, copysign, fmin/fmax
 * (x86 minsd/maxsd semantics, as glibc's x86-64 assembly), fdim, fma (BigInt, one rounding), hypot
 * (BigInt, correctly rounded), nextafter, ilogb/logb. Transcendental functions use V8's fdlibm ports
 * (error < 1 ulp); glibc's are correctly rounded in nearly all cases, so results may differ in the last
 * bit. erf/erfc/lgamma/tgamma are series/continued-fraction implementations accurate to a few ulp. The
 * float variants compute in double and round once (Math.fround); the long double transcendental variants
 * compute in double (53 of 64 bits exact); the exact long double ones use the soft-float helpers.
 * errno: EDOM for a NaN result from non-NaN arguments, ERANGE for an infinite result from finite ones and
 * for underflow to zero of exp/pow-like functions, as glibc's wrappers do.
 */
import {
  registerExternals,
  registerScalarExternal,
  type ExtValue,
  type ExternalHandler,
  type Runtime,
  type ScalarForm,
} from '../externals.js';
import {
  f80Abs,
  f80Cmp,
  f80FromNumber,
  f80IsNaN,
  f80Rem,
  f80RoundInt,
  f80Sqrt,
  f80ToBigInt,
  f80ToNumber,
} from '../fp80.js';
import { fmodX86 } from '../fpnan.js';
import { EDOM, ERANGE, int, long, ptr, setErrno } from './common.js';
import { decodeDouble, doubleBits, doubleFromBits, F64, roundRatio, roundedToDouble } from './fpconv.js';

// Exact operations ------------------------------------------------------------------------------------

export function cRound(x: number): number {
  if (!Number.isFinite(x)) return x;
  const t = Math.trunc(x);
  if (Math.abs(x - t) >= 0.5) return t + Math.sign(x);
  return t;
}

export function rint(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 52) return x;
  let r = Math.round(x);
  if (r - x === 0.5 && r % 2 !== 0) r -= 1;
  return r === 0 ? (x < 0 || Object.is(x, -0) ? -0 : 0) : r;
}

/** musl's scalbn: x * 2^n with a single rounding. */
export function scalbn(x: number, n: number): number {
  let y = x;
  if (n > 1023) {
    y *= 2 ** 1023;
    n -= 1023;
    if (n > 1023) {
      y *= 2 ** 1023;
      n -= 1023;
      if (n > 1023) n = 1023;
    }
  } else if (n < -1022) {
    y *= 2 ** -1022 * 2 ** 53;
    n += 1022 - 53;
    if (n < -1022) {
      y *= 2 ** -1022 * 2 ** 53;
      n += 1022 - 53;
      if (n < -1022) n = -1022;
    }
  }
  return y * 2 ** n;
}

export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  const d = decodeDouble(x);
  // x = m * 2^e; want f in [0.5, 1): f = m / 2^bl, exponent = e + bl.
  const bl = d.m.toString(2).length;
  const ex = d.e + bl;
  return [scalbn(x, -ex), ex];
}

/** fdlibm's __ieee754_remainder on top of an exact fmod. */
export function remainder(x: number, p: number): number {
  if (Number.isNaN(x) || Number.isNaN(p) || !Number.isFinite(x) || p === 0) return NaN;
  if (!Number.isFinite(p)) return x;
  const sx = x < 0 || Object.is(x, -0);
  p = Math.abs(p);
  if (p <= 8.98846567431158e307) x = x % (p + p);
  if (Math.abs(x) === p) return sx ? -0 : 0;
  x = Math.abs(x);
  if (p < 2 ** -1021) {
    if (x + x > p) {
      x -= p;
      if (x + x >= p) x -= p;
    }
  } else {
    const half = 0.5 * p;
    if (x > half) {
      x -= p;
      if (x >= half) x -= p;
    }
  }
  return sx ? -x : x;
}

/** remquo: the remainder and the low 3 bits of the rounded quotient with its sign (glibc). */
export function remquo(x: number, y: number): [number, number] {
  const r = remainder(x, y);
  if (!Number.isFinite(x) || Number.isNaN(y) || y === 0) return [r, 0];
  if (!Number.isFinite(y)) return [r, 0];
  // The quotient (x - r) / y is an integer computed exactly with BigInt.
  const dx = decodeDouble(x);
  const dy = decodeDouble(y);
  const dr = decodeDouble(r);
  const e = Math.min(dx.e, dy.e, dr.e);
  const big = (d: ReturnType<typeof decodeDouble>): bigint =>
    (d.cls === 'zero' ? 0n : d.m << BigInt(d.e - e)) * (d.neg ? -1n : 1n);
  const num = big(dx) - big(dr);
  const den = big(dy);
  let q = den === 0n ? 0n : num / den;
  if (q < 0n) q = -q;
  const bits = Number(q & 7n);
  const neg = x < 0 !== y < 0;
  return [r, neg ? -bits : bits];
}

export function fma(x: number, y: number, z: number): number {
  if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z) || x === 0 || y === 0)
    return x * y + z;
  if (z === 0) return x * y;
  const a = decodeDouble(x);
  const b = decodeDouble(y);
  const c = decodeDouble(z);
  const ep = a.e + b.e;
  const e = Math.min(ep, c.e);
  const p = (a.m * b.m) << BigInt(ep - e);
  const q = c.m << BigInt(c.e - e);
  const sp = a.neg !== b.neg;
  const total = (sp ? -p : p) + (c.neg ? -q : q);
  if (total === 0n) return 0;
  const neg = total < 0n;
  const r = roundRatio(neg ? -total : total, 1n, e, F64);
  return roundedToDouble(r, neg);
}

/** Correctly rounded sqrt(x^2 + y^2). */
export function hypot(x: number, y: number): number {
  if (x === Infinity || x === -Infinity || y === Infinity || y === -Infinity) return Infinity;
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  x = Math.abs(x);
  y = Math.abs(y);
  if (x === 0) return y;
  if (y === 0) return x;
  const a = decodeDouble(x);
  const b = decodeDouble(y);
  let e = Math.min(a.e, b.e);
  if ((a.e - e) % 2 !== 0) e -= 1; // make the common exponent even
  const s = (a.m << BigInt(a.e - e)) ** 2n + (b.m << BigInt(b.e - e)) ** 2n; // value = s * 2^(2e)
  // sqrt(s) with 60 extra bits: r = floor(sqrt(s * 4^k)), sticky if not exact.
  const k = 60n;
  const t = s << (2n * k);
  let r = isqrt(t);
  const exact = r * r === t;
  r = r * 2n + (exact ? 0n : 1n); // one more bit carrying the sticky information
  return roundedToDouble(roundRatio(r, 1n, e - Number(k) - 1, F64), false);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  // Newton from a power of two above the root: decreases monotonically to floor(sqrt(n)).
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

export function nextafter(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === y) return y;
  if (x === 0) return y > 0 ? 5e-324 : -5e-324;
  const b = doubleBits(x);
  const up = y > x === x > 0;
  return doubleFromBits(up ? b + 1n : b - 1n);
}

export function nextafterf(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
  if (x === y) return y;
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  if (x === 0) {
    u[0] = 1;
    return y > 0 ? f[0] : -f[0];
  }
  f[0] = x;
  if (y > x === x > 0) u[0]++;
  else u[0]--;
  return f[0];
}

export function ilogb(x: number): number {
  if (x === 0) return -2147483648;
  if (Number.isNaN(x)) return -2147483648;
  if (!Number.isFinite(x)) return 2147483647;
  return frexp(x)[1] - 1;
}

/** minsd / maxsd with glibc's NaN handling: a NaN argument yields the other one. */
export function fmin(x: number, y: number): number {
  if (Number.isNaN(x)) return y;
  if (Number.isNaN(y)) return x;
  return x < y ? x : y;
}
export function fmax(x: number, y: number): number {
  if (Number.isNaN(x)) return y;
  if (Number.isNaN(y)) return x;
  return x > y ? x : y;
}

// erf, erfc, lgamma, tgamma -------------------------------------------------------------------------

/** erf via its Maclaurin series for small |x| and erfc's continued fraction otherwise. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === 0) return x;
  const a = Math.abs(x);
  if (a < 2.5) {
    // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
    let sum = 0;
    let term = a;
    const x2 = a * a;
    for (let n = 0; n < 200; n++) {
      const t = term / (2 * n + 1);
      sum += t;
      if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
      term *= -x2 / (n + 1);
    }
    const r = (2 / Math.sqrt(Math.PI)) * sum;
    return x < 0 ? -r : r;
  }
  const r = 1 - erfcPos(a);
  return x < 0 ? -r : r;
}

/** erfc(a) for a >= 0.5 by Lentz's continued fraction. */
function erfcPos(a: number): number {
  if (a > 27.3) return 0;
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...))))
  let f = a;
  let c = a;
  let d = 0;
  const tiny = 1e-300;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = a + an * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = a + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x < 0.5) return 1 - erf(x);
  return erfcPos(x);
}

/** Stirling's series for log Gamma(x), x >= 15 (error below 1e-17 relative). */
function stirling(x: number): number {
  const x2 = x * x;
  const series = (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * x2)) / x2) / x2) / x2) / x;
  return (x - 0.5) * Math.log(x) - x + 0.9189385332046727 + series;
}

/** log|Gamma(x)| and the sign of Gamma(x). */
export function lgammaSign(x: number): [number, number] {
  if (Number.isNaN(x)) return [x, 1];
  if (!Number.isFinite(x)) return [Infinity, 1];
  if (x <= 0 && Number.isInteger(x)) return [Infinity, 1];
  if (x === 1 || x === 2) return [0, 1];
  if (x < 0.5) {
    // Reflection: Gamma(x) Gamma(1-x) = pi / sin(pi x)
    const s = Math.sin(Math.PI * x);
    const [l] = lgammaSign(1 - x);
    return [Math.log(Math.PI / Math.abs(s)) - l, s < 0 ? -1 : 1];
  }
  if (x >= 15) return [stirling(x), 1];
  // Shift up: Gamma(x) = Gamma(x + n) / (x (x+1) ... (x+n-1)).
  let prod = 1;
  let y = x;
  while (y < 15) prod *= y++;
  return [stirling(y) - Math.log(prod), 1];
}

export function tgamma(x: number): number {
  if (Number.isNaN(x)) return x;
  if (x === Infinity) return Infinity;
  if (x === -Infinity) return NaN;
  if (x === 0) return 1 / x;
  if (x < 0 && Number.isInteger(x)) return NaN;
  if (Number.isInteger(x) && x <= 23) {
    let r = 1;
    for (let i = 2; i < x; i++) r *= i;
    return r;
  }
  if (x > 171.7) return Infinity;
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * tgamma(1 - x));
  let prod = 1;
  let y = x;
  while (y < 15) prod *= y++;
  return Math.exp(stirling(y)) / prod;
}

// Tables ---------------------------------------------------------------------------------------------

type F1 = (x: number) => number;
type F2 = (x: number, y: number) => number;

/** One-argument double functions (name -> implementation). */
export const MATH_F64_1: Readonly<Record<string, F1>> = {
  sqrt: Math.sqrt,
  cbrt: Math.cbrt,
  fabs: Math.abs,
  floor: Math.floor,
  ceil: Math.ceil,
  trunc: Math.trunc,
  round: cRound,
  roundeven: (x) => {
    if (!Number.isFinite(x) || Math.abs(x) >= 2 ** 52) return x;
    return rint(x);
  },
  rint,
  nearbyint: rint,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  tanh: Math.tanh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  exp: Math.exp,
  exp2: (x) => 2 ** x,
  exp10: (x) => 10 ** x,
  expm1: Math.expm1,
  log: Math.log,
  log2: Math.log2,
  log10: Math.log10,
  log1p: Math.log1p,
  logb: (x) => (x === 0 ? -Infinity : !Number.isFinite(x) ? Math.abs(x) : ilogb(x)),
  erf,
  erfc,
  tgamma,
  lgamma: (x) => lgammaSign(x)[0],
  significand: (x) => (x === 0 || !Number.isFinite(x) ? x : scalbn(x, -ilogb(x))),
};

/** Two-argument double functions. */
export const MATH_F64_2: Readonly<Record<string, F2>> = {
  pow: (x, y) => {
    // C's pow differs from JS's ** for these: pow(1, NaN) = 1, pow(-1, +-inf) = 1.
    if (x === 1) return 1;
    if (y === 0) return 1;
    if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
    return x ** y;
  },
  atan2: Math.atan2,
  fmod: fmodX86,
  remainder,
  drem: remainder,
  hypot,
  copysign: (x, y) => {
    const neg = y < 0 || Object.is(y, -0) || (Number.isNaN(y) && doubleBits(y) >> 63n === 1n);
    const a = Math.abs(x);
    return neg ? -a : a;
  },
  fmin,
  fmax,
  fdim: (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : x > y ? x - y : 0),
  nextafter,
};

/** Functions whose infinite/zero results from finite arguments signal ERANGE (glibc wrappers). */
const RANGE_CHECKED = new Set([
  'exp',
  'exp2',
  'exp10',
  'expm1',
  'pow',
  'cosh',
  'sinh',
  'ldexp',
  'scalbn',
  'hypot',
  'tgamma',
  'lgamma',
  'log',
  'log2',
  'log10',
  'log1p',
  'atanh',
]);
const UNDERFLOW_CHECKED = new Set(['exp', 'exp2', 'exp10', 'pow', 'ldexp', 'scalbn']);
const DOMAIN_EXEMPT = new Set([
  'fabs',
  'floor',
  'ceil',
  'trunc',
  'round',
  'rint',
  'nearbyint',
  'copysign',
  'fmin',
  'fmax',
  'roundeven',
]);

/** What errno a function's result may set (glibc's wrappers), decided once per function name. */
interface ErrnoRule {
  readonly domain: boolean;
  readonly range: boolean;
  readonly underflow: boolean;
}

function errnoRule(name: string): ErrnoRule {
  return {
    domain: !DOMAIN_EXEMPT.has(name),
    range: RANGE_CHECKED.has(name),
    underflow: UNDERFLOW_CHECKED.has(name),
  };
}

/**
 * errno after `name(x, y)` returned r (y NaN-free and finite for one-argument functions: pass 0): EDOM
 * for a NaN from non-NaN arguments, ERANGE for an infinite result of finite arguments or (underflow) a
 * zero result of finite arguments with x not zero. Per call without allocation: libm loops call it
 * millions of times.
 */
function errnoAfter(rt: Runtime, e: ErrnoRule, r: number, x: number, y: number): void {
  if (!e.domain) return;
  if (Number.isNaN(r)) {
    if (!Number.isNaN(x) && !Number.isNaN(y)) setErrno(rt, EDOM);
    return;
  }
  if (!e.range) return;
  const finiteArgs = Number.isFinite(x) && Number.isFinite(y);
  if (!Number.isFinite(r) && finiteArgs) setErrno(rt, ERANGE);
  else if (r === 0 && e.underflow && finiteArgs && x !== 0) setErrno(rt, ERANGE);
}

// Registration -----------------------------------------------------------------------------------------

const num = (v: ExtValue | undefined): number => (typeof v === 'bigint' ? Number(v) : (v ?? 0));
const ld = (v: ExtValue | undefined): bigint => (typeof v === 'bigint' ? v : f80FromNumber(num(v)));
const fr = Math.fround;

/** Long double functions computed exactly with the soft-float helpers. */
const EXACT_L1: Record<string, (x: bigint) => bigint> = {
  sqrtl: f80Sqrt,
  fabsl: f80Abs,
  floorl: (x) => f80RoundInt(x, 'floor'),
  ceill: (x) => f80RoundInt(x, 'ceil'),
  truncl: (x) => f80RoundInt(x, 'trunc'),
  roundl: (x) => f80RoundInt(x, 'round'),
  rintl: (x) => f80RoundInt(x, 'even'),
  nearbyintl: (x) => f80RoundInt(x, 'even'),
  roundevenl: (x) => f80RoundInt(x, 'even'),
};

const handlers: Record<string, (rt: Runtime, args: ExtValue[]) => ExtValue | undefined> = {};

/** A double and a float model of one libm function, with their unboxed forms (`registerScalarExternal`). */
function scalarPair(name: string, double: ScalarForm, float: ScalarForm, arity: 1 | 2): void {
  const box =
    (form: ScalarForm): ExternalHandler =>
    (rt, args) =>
      form(rt, num(args[0]), arity === 2 ? num(args[1]) : 0, 0);
  registerScalarExternal(name, box(double), double);
  registerScalarExternal(name + 'f', box(float), float);
}

for (const [name, f] of Object.entries(MATH_F64_1)) {
  const e = errnoRule(name);
  scalarPair(
    name,
    (rt, a) => {
      const r = f(a);
      errnoAfter(rt, e, r, a, 0);
      return r;
    },
    (rt, a) => {
      const r = fr(f(a));
      errnoAfter(rt, e, r, a, 0);
      return r;
    },
    1,
  );
  if (!(name + 'l' in EXACT_L1)) {
    handlers[name + 'l'] = (rt, [x]) => {
      const d = f80ToNumber(ld(x));
      const r = f(d);
      errnoAfter(rt, e, r, d, 0);
      return f80FromNumber(r);
    };
  }
}
for (const [name, f] of Object.entries(MATH_F64_2)) {
  const e = errnoRule(name);
  scalarPair(
    name,
    (rt, a, b) => {
      const r = f(a, b);
      errnoAfter(rt, e, r, a, b);
      return r;
    },
    (rt, a, b) => {
      const r = name === 'nextafter' ? nextafterf(a, b) : fr(f(a, b));
      errnoAfter(rt, e, r, a, b);
      return r;
    },
    2,
  );
  handlers[name + 'l'] = (rt, [x, y]) => {
    const a = f80ToNumber(ld(x));
    const b = f80ToNumber(ld(y));
    const r = f(a, b);
    errnoAfter(rt, e, r, a, b);
    return f80FromNumber(r);
  };
}
for (const [name, f] of Object.entries(EXACT_L1)) handlers[name] = (_rt, [x]) => f(ld(x));
handlers.fmodl = (_rt, [x, y]) => f80Rem(ld(x), ld(y));
handlers.copysignl = (_rt, [x, y]) => (ld(x) & ~(1n << 79n)) | (ld(y) & (1n << 79n));
handlers.fminl = (_rt, [x, y]) =>
  f80IsNaN(ld(x)) ? ld(y) : f80IsNaN(ld(y)) ? ld(x) : f80Cmp(ld(x), ld(y)) < 0 ? ld(x) : ld(y);
handlers.fmaxl = (_rt, [x, y]) =>
  f80IsNaN(ld(x)) ? ld(y) : f80IsNaN(ld(y)) ? ld(x) : f80Cmp(ld(x), ld(y)) > 0 ? ld(x) : ld(y);

// Functions with integer or pointer parts.
const LDEXP_ERRNO = errnoRule('ldexp');
const L_INDEFINITE = -(1n << 63n);
function toLong(v: number): bigint {
  if (!Number.isFinite(v) || v >= 2 ** 63 || v < -(2 ** 63)) return L_INDEFINITE;
  return BigInt(v);
}
Object.assign(handlers, {
  lround: (_rt: Runtime, [x]: ExtValue[]) => toLong(cRound(num(x))),
  lroundf: (_rt: Runtime, [x]: ExtValue[]) => toLong(cRound(num(x))),
  llround: (_rt: Runtime, [x]: ExtValue[]) => toLong(cRound(num(x))),
  llroundf: (_rt: Runtime, [x]: ExtValue[]) => toLong(cRound(num(x))),
  lrint: (_rt: Runtime, [x]: ExtValue[]) => toLong(rint(num(x))),
  lrintf: (_rt: Runtime, [x]: ExtValue[]) => toLong(rint(num(x))),
  llrint: (_rt: Runtime, [x]: ExtValue[]) => toLong(rint(num(x))),
  llrintf: (_rt: Runtime, [x]: ExtValue[]) => toLong(rint(num(x))),
  lroundl: (_rt: Runtime, [x]: ExtValue[]) => f80ToBigInt(f80RoundInt(ld(x), 'round'), 64, true),
  llroundl: (_rt: Runtime, [x]: ExtValue[]) => f80ToBigInt(f80RoundInt(ld(x), 'round'), 64, true),
  lrintl: (_rt: Runtime, [x]: ExtValue[]) => f80ToBigInt(f80RoundInt(ld(x), 'even'), 64, true),
  llrintl: (_rt: Runtime, [x]: ExtValue[]) => f80ToBigInt(f80RoundInt(ld(x), 'even'), 64, true),
  ilogb: (_rt: Runtime, [x]: ExtValue[]) => ilogb(num(x)),
  ilogbf: (_rt: Runtime, [x]: ExtValue[]) => ilogb(num(x)),
  ilogbl: (_rt: Runtime, [x]: ExtValue[]) => ilogb(f80ToNumber(ld(x))),
  ldexp: (rt: Runtime, [x, n]: ExtValue[]) => {
    const r = scalbn(num(x), int(n));
    errnoAfter(rt, LDEXP_ERRNO, r, num(x), 0);
    return r;
  },
  ldexpf: (_rt: Runtime, [x, n]: ExtValue[]) => fr(scalbn(num(x), Math.max(-400, Math.min(400, int(n))))),
  scalbn: (_rt: Runtime, [x, n]: ExtValue[]) => scalbn(num(x), int(n)),
  scalbnf: (_rt: Runtime, [x, n]: ExtValue[]) => fr(scalbn(num(x), Math.max(-400, Math.min(400, int(n))))),
  scalbln: (_rt: Runtime, [x, n]: ExtValue[]) => scalbn(num(x), Number(clampL(long(n)))),
  scalblnf: (_rt: Runtime, [x, n]: ExtValue[]) =>
    fr(scalbn(num(x), Math.max(-400, Math.min(400, Number(clampL(long(n))))))),
  frexp: (rt: Runtime, [x, e]: ExtValue[]) => {
    const [f, ex] = frexp(num(x));
    rt.mem.writeI32(ptr(e), ex);
    return f;
  },
  frexpf: (rt: Runtime, [x, e]: ExtValue[]) => {
    const [f, ex] = frexp(num(x));
    rt.mem.writeI32(ptr(e), ex);
    return fr(f);
  },
  modf: (rt: Runtime, [x, ip]: ExtValue[]) => {
    const v = num(x);
    const i = Number.isFinite(v) ? Math.trunc(v) : v;
    rt.mem.writeF64(ptr(ip), i);
    return Number.isNaN(v)
      ? v
      : !Number.isFinite(v) || v - i === 0
        ? v < 0 || Object.is(v, -0)
          ? -0
          : 0
        : v - i;
  },
  modff: (rt: Runtime, [x, ip]: ExtValue[]) => {
    const v = num(x);
    const i = Number.isFinite(v) ? Math.trunc(v) : v;
    rt.mem.writeF32(ptr(ip), i);
    return Number.isNaN(v)
      ? v
      : !Number.isFinite(v) || v - i === 0
        ? v < 0 || Object.is(v, -0)
          ? -0
          : 0
        : v - i;
  },
  remquo: (rt: Runtime, [x, y, q]: ExtValue[]) => {
    const [r, quo] = remquo(num(x), num(y));
    rt.mem.writeI32(ptr(q), quo);
    return r;
  },
  remquof: (rt: Runtime, [x, y, q]: ExtValue[]) => {
    const [r, quo] = remquo(num(x), num(y));
    rt.mem.writeI32(ptr(q), quo);
    return fr(r);
  },
  fma: (_rt: Runtime, [x, y, z]: ExtValue[]) => fma(num(x), num(y), num(z)),
  fmaf: (_rt: Runtime, [x, y, z]: ExtValue[]) => fr(fma(num(x), num(y), num(z))),
  nan: () => NaN,
  nanf: () => NaN,
  nanl: () => f80FromNumber(NaN),
  lgamma_r: (rt: Runtime, [x, s]: ExtValue[]) => {
    const [l, sg] = lgammaSign(num(x));
    rt.mem.writeI32(ptr(s), sg);
    return l;
  },
  sincos: (rt: Runtime, [x, s, c]: ExtValue[]) => {
    rt.mem.writeF64(ptr(s), Math.sin(num(x)));
    rt.mem.writeF64(ptr(c), Math.cos(num(x)));
  },
  sincosf: (rt: Runtime, [x, s, c]: ExtValue[]) => {
    rt.mem.writeF32(ptr(s), Math.sin(num(x)));
    rt.mem.writeF32(ptr(c), Math.cos(num(x)));
  },
  // Classification functions (the macros usually compile to builtins; these are the library forms).
  __isnan: (_rt: Runtime, [x]: ExtValue[]) => (Number.isNaN(num(x)) ? 1 : 0),
  __isnanf: (_rt: Runtime, [x]: ExtValue[]) => (Number.isNaN(num(x)) ? 1 : 0),
  __isnanl: (_rt: Runtime, [x]: ExtValue[]) => (f80IsNaN(ld(x)) ? 1 : 0),
  isnan: (_rt: Runtime, [x]: ExtValue[]) => (Number.isNaN(num(x)) ? 1 : 0),
  __isinf: (_rt: Runtime, [x]: ExtValue[]) => isinf(num(x)),
  __isinff: (_rt: Runtime, [x]: ExtValue[]) => isinf(num(x)),
  __isinfl: (_rt: Runtime, [x]: ExtValue[]) => isinf(f80ToNumber(ld(x))),
  isinf: (_rt: Runtime, [x]: ExtValue[]) => isinf(num(x)),
  __finite: (_rt: Runtime, [x]: ExtValue[]) => (Number.isFinite(num(x)) ? 1 : 0),
  __finitef: (_rt: Runtime, [x]: ExtValue[]) => (Number.isFinite(num(x)) ? 1 : 0),
  __finitel: (_rt: Runtime, [x]: ExtValue[]) => (Number.isFinite(f80ToNumber(ld(x))) ? 1 : 0),
  finite: (_rt: Runtime, [x]: ExtValue[]) => (Number.isFinite(num(x)) ? 1 : 0),
  __fpclassify: (_rt: Runtime, [x]: ExtValue[]) => fpclassify(num(x), 2.2250738585072014e-308),
  __fpclassifyf: (_rt: Runtime, [x]: ExtValue[]) => fpclassify(num(x), 1.1754943508222875e-38),
  __signbit: (_rt: Runtime, [x]: ExtValue[]) => Number(doubleBits(num(x)) >> 63n),
  __signbitf: (_rt: Runtime, [x]: ExtValue[]) => Number(doubleBits(num(x)) >> 63n),
  __signbitl: (_rt: Runtime, [x]: ExtValue[]) => Number((ld(x) >> 79n) & 1n),
});

function clampL(v: bigint): bigint {
  return v > 100000n ? 100000n : v < -100000n ? -100000n : v;
}
function isinf(x: number): number {
  return x === Infinity ? 1 : x === -Infinity ? -1 : 0;
}
function fpclassify(x: number, minNormal: number): number {
  if (Number.isNaN(x)) return 0;
  if (!Number.isFinite(x)) return 1;
  if (x === 0) return 2;
  return Math.abs(x) < minNormal ? 3 : 4;
}

registerExternals(handlers);
