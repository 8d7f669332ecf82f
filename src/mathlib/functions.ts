/**
 * @fileoverview Stage: mathlib (beside the pipeline, above engine). The closed table of the maths functions
 * the accuracy tool measures.
 *
 * Consumes: function names as the user writes them (`expf`, `log`, `pow`). Produces: `MathFunction`, one
 * entry per C function: its base name (the double form and the MPFR function share it), binary32 or
 * binary64, arity, and the default input domain a sampled run draws from. The C harnesses and the MPFR
 * reference index their function tables by the position in `BASE_FUNCTIONS`, so the order is fixed.
 */
import { UserError } from '../util/errors.js';

/** The base names, in the order of the C harnesses' tables (never reorder: indices are the protocol). */
export const BASE_FUNCTIONS = [
  'exp',
  'exp2',
  'log',
  'log2',
  'log10',
  'sin',
  'cos',
  'tan',
  'pow',
  'sqrt',
  'cbrt',
  'atan2',
  'hypot',
  'expm1',
  'log1p',
  'sinh',
  'tanh',
] as const;

export type BaseName = (typeof BASE_FUNCTIONS)[number];

const BIVARIATE: ReadonlySet<string> = new Set(['pow', 'atan2', 'hypot']);

/** A closed interval of inputs, per argument. */
export type Domain = readonly [number, number];

export interface MathFunction {
  /** The C name: `expf` or `exp`. */
  readonly name: string;
  readonly base: BaseName;
  /** Index of `base` in `BASE_FUNCTIONS` (the harnesses' function number). */
  readonly index: number;
  readonly float: boolean;
  readonly arity: 1 | 2;
  /** Default sampling domain of each argument (a sampled run draws from it; exhaustive runs ignore it). */
  readonly domains: readonly Domain[];
}

const F32_MAX = 3.4028234663852886e38;
const F64_MAX = Number.MAX_VALUE;

/**
 * Sampling domains: where the function's result is neither trivially an overflow nor constant, so that
 * samples land where errors live. Bounds are in the argument's own format.
 */
function domainsOf(base: BaseName, float: boolean): readonly Domain[] {
  const max = float ? F32_MAX : F64_MAX;
  const full: Domain = [-max, max];
  const positive: Domain = [0, max];
  switch (base) {
    case 'exp':
      return [float ? [-104, 89] : [-746, 710]];
    case 'exp2':
      return [float ? [-150, 128] : [-1075, 1024]];
    case 'expm1':
      return [float ? [-18, 89] : [-38, 710]];
    case 'log':
    case 'log2':
    case 'log10':
    case 'sqrt':
      return [positive];
    case 'log1p':
      return [[-1, max]];
    case 'sinh':
      return [float ? [-90, 90] : [-711, 711]];
    case 'tanh':
      return [float ? [-10, 10] : [-20, 20]];
    case 'pow':
      return [
        [0, float ? 2 ** 16 : 2 ** 64],
        [-64, 64],
      ];
    case 'atan2':
    case 'hypot':
      return [full, full];
    default:
      return [full];
  }
}

/** The table entry of C function `name` (`expf`, `exp`); a one-line error for anything else. */
export function mathFunction(name: string): MathFunction {
  let base: string = name;
  let float = false;
  if (!(BASE_FUNCTIONS as readonly string[]).includes(name) && name.endsWith('f')) {
    base = name.slice(0, -1);
    float = true;
  }
  const index = (BASE_FUNCTIONS as readonly string[]).indexOf(base);
  if (index < 0)
    throw new UserError(
      `mathlib: unknown function '${name}' (known: ${BASE_FUNCTIONS.join(' ')}, and their float forms with 'f')`,
    );
  const b = base as BaseName;
  return {
    name,
    base: b,
    index,
    float,
    arity: BIVARIATE.has(b) ? 2 : 1,
    domains: domainsOf(b, float),
  };
}

/** Every function of the table, float and double forms (`all` on the command line). */
export function allFunctions(): MathFunction[] {
  return BASE_FUNCTIONS.flatMap((b) => [mathFunction(b + 'f'), mathFunction(b)]);
}
