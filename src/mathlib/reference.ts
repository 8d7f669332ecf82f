/**
 * @fileoverview Stage: mathlib. The reference: correctly rounded results and a close approximation of the
 * exact value, from a C program linked with the system's MPFR (Debian libmpfr-dev).
 *
 * Consumes: a function and a chunk of inputs (as the harness takes them, src/mathlib/harness.ts).
 * Produces: per input the correctly rounded result's bits and the exact value approximated: for binary32
 * functions a double, for binary64 ones a double-double (hi + lo).
 *
 * binary32, the fast path that makes exhaustive runs cheap: evaluate the double function of the system libm
 * at the (exact) double of the input, d = f(x) (1 + e) with |e| a few 2^-53 at most for these functions,
 * and round d to float. That rounding is the correct one unless d lies within a relative 2^-44 of a float
 * rounding boundary (a midpoint, or the overflow threshold): the program checks it by rounding d (1 - 2^-44)
 * and d (1 + 2^-44), and only when they differ asks MPFR (precision 24, binary32's exponent range,
 * subnormalised: mpfr_check_range + mpfr_subnormalize). The margin, 2^9 double ulps, is two orders of
 * magnitude above the largest error of glibc's double functions in this list; the fallback then happens
 * for about 2^-19 of the inputs. The double d is the exact value to within 2^-29 float ulps, accurate enough
 * for ulp errors. (Ziv's strategy, as in CORE-MATH's binary32 functions.)
 *
 * binary64: MPFR only: the correctly rounded result at precision 53 in binary64's exponent range
 * (subnormalised), and the exact value at precision 160 as hi (rounded to double) and the rest in ulps of
 * hi (a double-double's low part would be rounded away near the underflow threshold, where results are
 * subnormal or nearly: errors there would come out as whole ulps).
 *
 * Protocol: `reference NAME range LO HI OUT` or `reference NAME file IN OUT`. OUT holds n result bits (4 or 8
 * bytes each), then (file mode only) n doubles (d, or hi), then for binary64 n doubles (lo). An exhaustive
 * chunk asks `range` for the correctly rounded bits of all its inputs, then `file` for the exact values of
 * the inputs some implementation got wrong. stderr's last line is
 * `fallbacks N` (the MPFR calls of the binary32 fast path).
 */
import { which } from '../util/proc.js';
import { UserError } from '../util/errors.js';
import { existsSync } from 'node:fs';
import { buildOnce } from './harness.js';

export const REFERENCE_C = String.raw`/* inputsmith mathlib reference (generated from src/mathlib/reference.ts, do not edit). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mpfr.h>

typedef double (*D1)(double);
typedef double (*D2)(double, double);
typedef int (*M1)(mpfr_ptr, mpfr_srcptr, mpfr_rnd_t);
typedef int (*M2)(mpfr_ptr, mpfr_srcptr, mpfr_srcptr, mpfr_rnd_t);
struct rf { const char *name; int arity; D1 d1; D2 d2; M1 m1; M2 m2; };
#define U(n) { #n, 1, n, 0, mpfr_##n, 0 }
#define B(n) { #n, 2, 0, n, 0, mpfr_##n }
static const struct rf FNS[] = {
  U(exp), U(exp2), U(log), U(log2), U(log10), U(sin), U(cos), U(tan), B(pow), U(sqrt), U(cbrt),
  B(atan2), B(hypot), U(expm1), U(log1p), U(sinh), U(tanh),
};
static mpfr_t X, Y, R, W, T;
static long fallbacks;

static void die(const char *m, const char *a) { fprintf(stderr, "reference: %s %s\n", m, a); exit(2); }

static int eval(const struct rf *f, mpfr_ptr r) {
  return f->arity == 1 ? f->m1(r, X, MPFR_RNDN) : f->m2(r, X, Y, MPFR_RNDN);
}

/* Correctly rounded to precision p in the exponent range [emin, emax], subnormalised. */
static void rounded(const struct rf *f, mpfr_prec_t p, mpfr_exp_t emin, mpfr_exp_t emax) {
  mpfr_set_prec(R, p);
  mpfr_set_emin(emin);
  mpfr_set_emax(emax);
  int inex = eval(f, R);
  inex = mpfr_check_range(R, inex, MPFR_RNDN);
  mpfr_subnormalize(R, inex, MPFR_RNDN);
  mpfr_set_emin(mpfr_get_emin_min());
  mpfr_set_emax(mpfr_get_emax_max());
}

static float ref32(const struct rf *f, float x, float y, double *approx) {
  double d = f->arity == 1 ? f->d1((double)x) : f->d2((double)x, (double)y);
  *approx = d;
  float lo = (float)(d * (1 - 0x1p-44)), hi = (float)(d * (1 + 0x1p-44));
  if (lo == hi || d != d) return (float)d;
  fallbacks++;
  mpfr_set_flt(X, x, MPFR_RNDN);
  mpfr_set_flt(Y, y, MPFR_RNDN);
  rounded(f, 24, -148, 128);
  float r = mpfr_get_flt(R, MPFR_RNDN);
  mpfr_set_prec(W, 53);
  eval(f, W);
  *approx = mpfr_get_d(W, MPFR_RNDN);
  return r;
}

static double ref64(const struct rf *f, double x, double y, double *hi, double *lo) {
  mpfr_set_d(X, x, MPFR_RNDN);
  mpfr_set_d(Y, y, MPFR_RNDN);
  rounded(f, 53, -1073, 1024);
  double r = mpfr_get_d(R, MPFR_RNDN);
  mpfr_set_prec(W, 160);
  eval(f, W);
  *hi = mpfr_get_d(W, MPFR_RNDN);
  *lo = 0;
  if (isfinite(*hi) && mpfr_number_p(W)) {
    /* The rest, in ulps of hi: a double-double would lose it near the underflow threshold. */
    int e;
    frexp(*hi, &e);
    long ue = *hi == 0 ? -1074 : (e - 1 < -1022 ? -1022 : e - 1) - 52;
    mpfr_sub_d(T, W, *hi, MPFR_RNDN);
    mpfr_mul_2si(T, T, -ue, MPFR_RNDN);
    *lo = mpfr_get_d(T, MPFR_RNDN);
  }
  return r;
}

int main(int argc, char **argv) {
  if (argc < 5) die("usage: NAME range LO HI OUT | NAME file IN OUT", "");
  const struct rf *f = 0;
  size_t len = strlen(argv[1]);
  int dbl = 1;
  for (size_t i = 0; i < sizeof FNS / sizeof FNS[0]; i++) {
    if (!strcmp(FNS[i].name, argv[1])) { f = &FNS[i]; dbl = 1; }
    else if (len == strlen(FNS[i].name) + 1 && argv[1][len - 1] == 'f' && !strncmp(FNS[i].name, argv[1], len - 1)) { f = &FNS[i]; dbl = 0; }
  }
  if (!f) die("unknown function", argv[1]);
  mpfr_inits2(53, X, Y, R, W, (mpfr_ptr)0);
  mpfr_init2(T, 160);
  size_t n;
  uint64_t lo = 0;
  unsigned char *data = 0;
  if (!strcmp(argv[2], "range")) {
    if (argc != 6 || f->arity != 1 || dbl) die("range needs a binary32 function of one argument", "");
    lo = strtoull(argv[3], 0, 10);
    n = (size_t)(strtoull(argv[4], 0, 10) - lo);
  } else if (!strcmp(argv[2], "file")) {
    FILE *in = fopen(argv[3], "rb");
    if (!in) die("cannot read", argv[3]);
    fseek(in, 0, SEEK_END); long size = ftell(in); fseek(in, 0, SEEK_SET);
    data = malloc(size > 0 ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, in) != (size_t)size) die("cannot read", argv[3]);
    n = (size_t)size / ((dbl ? 8 : 4) * (size_t)f->arity);
  } else die("unknown mode", argv[2]);
  size_t w = dbl ? 8 : 4;
  unsigned char *bits = malloc(n * w + 1);
  double *a = malloc(n * 8 + 8), *b = dbl ? malloc(n * 8 + 8) : 0;
  if (!bits || !a || (dbl && !b)) die("out of memory", "");
  for (size_t i = 0; i < n; i++) {
    if (dbl) {
      double x, y = 0, r; memcpy(&x, data + i * 8 * f->arity, 8);
      if (f->arity == 2) memcpy(&y, data + i * 16 + 8, 8);
      r = ref64(f, x, y, &a[i], &b[i]); memcpy(bits + i * 8, &r, 8);
    } else {
      float x, y = 0, r;
      if (data) { memcpy(&x, data + i * 4 * f->arity, 4); if (f->arity == 2) memcpy(&y, data + i * 8 + 4, 4); }
      else { uint32_t u = (uint32_t)(lo + i); memcpy(&x, &u, 4); }
      r = ref32(f, x, y, &a[i]); memcpy(bits + i * 4, &r, 4);
    }
  }
  FILE *out = fopen(argv[argc - 1], "wb");
  /* range: the correctly rounded bits only (the exact values of the few inputs that need them are asked
     for again, in file mode). */
  int all = data != 0;
  if (!out || fwrite(bits, w, n, out) != n || (all && fwrite(a, 8, n, out) != n) || (dbl && fwrite(b, 8, n, out) != n) || fclose(out))
    die("cannot write", argv[argc - 1]);
  fprintf(stderr, "fallbacks %ld\n", fallbacks);
  return 0;
}
`;

/** The reference program, built once per work directory (gcc, -lmpfr -lgmp -lm). */
export function referenceExe(work: string): string {
  const cc = which('gcc') ?? which('cc');
  if (cc === undefined)
    throw new UserError('mathlib: no C compiler (gcc) found: apt-get install gcc libc6-dev');
  if (!existsSync('/usr/include/mpfr.h') && !existsSync('/usr/local/include/mpfr.h'))
    throw new UserError(
      "mathlib: MPFR's header mpfr.h not found: install Debian's libmpfr-dev (apt-get install libmpfr-dev)",
    );
  return buildOnce(work, 'reference', cc, REFERENCE_C, [], ['-lmpfr', '-lgmp', '-lm']);
}

/** Parsed output of the reference for one chunk. */
export interface RefChunk {
  /** Correctly rounded results: Uint32Array bits for binary32, BigUint64Array for binary64. */
  readonly cr: Uint32Array | BigUint64Array;
  /** The exact value (binary32: to within 2^-29 ulp) or its high part (binary64). */
  readonly approx: Float64Array;
  /** binary64 only: the exact value minus `approx`, in ulps of `approx`. */
  readonly lo?: Float64Array;
  readonly fallbacks: number;
}

/** Read the reference's output file for `n` inputs. */
export function parseReference(buf: Buffer, n: number, float: boolean, stderr: string): RefChunk {
  const ab = buf.byteOffset % 8 === 0 ? buf.buffer : new Uint8Array(buf).buffer;
  const off = buf.byteOffset % 8 === 0 ? buf.byteOffset : 0;
  const w = float ? 4 : 8;
  const crBytes = n * w;
  // The doubles start at n * w, which is a multiple of 8 only when n is even for binary32: copy if not.
  const approxAt = off + crBytes;
  const approx =
    approxAt % 8 === 0
      ? new Float64Array(ab, approxAt, n)
      : new Float64Array(ab.slice(approxAt, approxAt + n * 8));
  const cr = float ? new Uint32Array(ab, off, n) : new BigUint64Array(ab, off, n);
  const lo = float ? undefined : new Float64Array(ab, approxAt + n * 8, n);
  const m = /fallbacks (\d+)/.exec(stderr);
  return { cr, approx, ...(lo !== undefined ? { lo } : {}), fallbacks: m ? Number(m[1]) : 0 };
}
