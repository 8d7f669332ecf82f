// float, double and long double arithmetic, conversions and math.
#include <stdio.h>
#include <math.h>

static volatile double vd = 0.0;
__attribute__((noinline)) static double poly(double x) { return ((x * 0.5 - 1.25) * x + 3.0) * x - 0.125; }
__attribute__((noinline)) static float fpoly(float x) { return ((x * 0.5f - 1.25f) * x + 3.0f) * x - 0.125f; }
__attribute__((noinline)) static long double lpoly(long double x) { return ((x * 0.5L - 1.25L) * x + 3.0L) * x - 0.125L; }

int main(void) {
  double s = 0; float fs = 0; long double ls = 0;
  for (int i = 1; i <= 100; i++) {
    s += poly(i / 7.0) / i;
    fs += fpoly(i / 7.0f) / i;
    ls += lpoly(i / 7.0L) / i;
  }
  printf("%.17g %.9g %.20Lg\n", s, fs, ls);
  printf("%.17g %.17g %.17g %.17g\n", sqrt(2.0 + vd), floor(-2.5 + vd), ceil(-2.5 + vd), trunc(-2.7 + vd));
  printf("%.17g %.17g %.17g\n", round(-2.5 + vd), rint(2.5 + vd), fabs(-3.0 + vd));
  printf("%.17g %.17g %g\n", fmod(10.3 + vd, 3.0), copysign(2.0, -0.0 + vd), 1.0 / (vd - 0.0));
  printf("%g %g %d %d\n", 0.0 / (vd + 0.0) == 0.0 / (vd + 0.0) ? 1.0 : 2.0, -(vd + 0.0), isnan(vd / vd), isinf(1 / vd));
  long double a = 1.0L / 3.0L + vd, b = 2.0L / 7.0L;
  printf("%.20Lf %.20Lf %.20Lf %.20Lf\n", a + b, a - b, a * b, a / b);
  printf("%.10Le %d %d %Lg\n", sqrtl(a), a < b, a > b, (long double)(long long)(a * 1e18L));
  printf("%lld %llu %d\n", (long long)(a * 1e18L), (unsigned long long)(b * 1e19L), (int)(-a * 100));
  float f = 16777217.0f + (float)vd; double d = 9007199254740993.0 + vd;
  printf("%.1f %.1f %a %a\n", f, d, 0.1 + vd, (double)(0.1f + (float)vd));
  unsigned long long big = 18446744073709551615ULL - (unsigned long long)vd;
  printf("%.1f %.1f %.1f\n", (double)big, (float)big, (double)(long long)(big >> 1));
  double arr[8]; for (int i = 0; i < 8; i++) arr[i] = i * 1.5 - 4;
  double mn = arr[0], mx = arr[0];
  for (int i = 1; i < 8; i++) { mn = fmin(mn, arr[i]); mx = fmax(mx, arr[i]); }
  printf("%g %g %g\n", mn, mx, fma(0.1 + vd, 10.0, -1.0));
  printf("%.6f %.6f %.6f\n", pow(2.0 + vd, 0.5), exp(1.0 + vd), log(10.0 + vd));
  return 0;
}
