// math.h: exactly rounded functions printed in hex; others to 15 significant digits.
#define _GNU_SOURCE
#include <stdio.h>
#include <math.h>
#include <errno.h>
#include <string.h>

int main(void) {
  double xs[] = {0.0, -0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, 1e300, 5e-324, 123456.789, -0.49999999999999994, 4503599627370497.0};
  for (int i = 0; i < (int)(sizeof xs / sizeof xs[0]); i++) {
    double x = xs[i];
    int e;
    double ip;
    double fr = frexp(x, &e);
    double mf = modf(x, &ip);
    printf("%a: sqrt %a floor %a ceil %a trunc %a round %a rint %a nearbyint %a lround %ld lrint %ld frexp %a %d modf %a %a\n",
           x, sqrt(fabs(x)), floor(x), ceil(x), trunc(x), round(x), rint(x), nearbyint(x), lround(x), lrint(x), fr, e, mf, ip);
    printf("  fmod %a remainder %a ldexp %a %a fma %a hypot %a copysign %a fmin %a fmax %a\n", fmod(x, 0.7), remainder(x, 0.7),
           ldexp(x, 3), ldexp(x, -1070), fma(x, 1.1, -0.3), hypot(x, 3.0), copysign(2.0, x), fmin(x, 1.0), fmax(x, 1.0));
  }
  int q;
  double r = remquo(10.3, 3.0, &q);
  printf("remquo %a %d\n", r, q);
  r = remquo(-29.0, 3.0, &q);
  printf("remquo %a %d\n", r, q);
  printf("nextafter %a %a\n", nextafter(1.0, 2.0), nextafter(0.0, -1.0));
  printf("float: %a %a %a %a\n", sqrtf(2.0f), floorf(-1.5f), roundf(2.5f), fmaf(0.1f, 0.2f, 0.3f));
  {
    // a * b + c contracts to llvm.fmuladd, which x86-64 without FMA runs as a rounded multiply then an
    // add: with cancellation, not the value of the exact product rounded once.
    volatile float a = 1.0008641481399536f, b = 1.0006985664367676f, c = -1.0006232261657715f;
    float mf = a * b + c;
    volatile double x = 1.0 + 0x1p-30, y = 1.0 - 0x1p-30, z = -1.0;
    double md = x * y + z;
    printf("muladd: %a %a\n", mf, md);
  }
  printf("ldbl: %La %La %La %La\n", sqrtl(2.0L), floorl(-1.5L), fabsl(-3.0L), fmodl(10.0L, 3.0L));
  double ts[] = {0.1, 0.5, 1.0, 2.0, 3.3, 10.0, -0.7};
  for (int i = 0; i < 7; i++) {
    double x = ts[i];
    printf("%.15g: sin %.15g cos %.15g tan %.15g exp %.15g log %.15g pow %.15g atan2 %.15g cbrt %.15g erf %.13g lgamma %.11g tgamma %.11g\n",
           x, sin(x), cos(x), tan(x), exp(x), log(fabs(x)), pow(fabs(x), 1.7), atan2(x, 0.3), cbrt(x), erf(x), lgamma(x), tgamma(x));
  }
  errno = 0;
  double bad = sqrt(-1.0);
  printf("sqrt(-1) nan %d errno %d\n", isnan(bad) != 0, errno);
  errno = 0;
  double big = exp(1000.0);
  printf("exp(1000) inf %d errno %d\n", isinf(big) != 0, errno);
  errno = 0;
  printf("log(0) %g errno %d\n", log(0.0), errno);
  printf("pow %g %g %g\n", pow(1.0, NAN), pow(-1.0, INFINITY), pow(0.0, -1.0));
  printf("ilogb %d %d logb %g\n", ilogb(1024.0), ilogb(0.1), logb(1e-310));
  // The bits of fmod's results, NaNs included (x86's default NaN for a zero divisor or an infinite
  // dividend, a NaN operand made quiet), many times over, so that the engine runs them in every JIT tier.
  unsigned long long h = 0;
  for (int i = 0; i < 30000; i++) {
    volatile double a = i % 7 == 6 ? INFINITY : i % 7, b = i % 3;
    double r = fmod(a, b);
    float rf = fmodf((float)a, (float)b);
    unsigned long long u;
    unsigned int uf;
    memcpy(&u, &r, 8);
    memcpy(&uf, &rf, 4);
    h = (h * 31 + u) * 31 + uf;
  }
  printf("fmod bits %llx\n", h);
  return 0;
}
