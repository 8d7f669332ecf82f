/* double and float relations among several inputs: products against sums and differences, discriminants,
 * dot and cross products, the bits of a float against an integer (solver benchmark, issue 16). */
#include "solver.h"

double prod_diff(double x, double y) {
  if (x != x || y != y)
    return -1.0;
  double r = 0.0;
  if (x * y > 100.0 && x - y < 0.5) {
    r += 100.0 / (x * y);
    if (x > y)
      r += 1.0 / (x - y);
  }
  if (x + y == 5.0 && x * 4.0 == y)
    r += 1000.0 / y;
  if (x < 0.0 && y < 0.0 && x * y < 1.0)
    r += 10000.0 / x;
  return r;
}

double quad_roots(double a, double b, double c) {
  double r = 0.0;
  if (a == 0.0) {
    if (b != 0.0)
      r = -c / b;
    return r;
  }
  double d = b * b - 4.0 * a * c;
  if (d > 0.0) {
    r += d / a;
    if (d == 1.0)
      r += 1000.0 / (2.0 * a);
  } else if (d == 0.0) {
    r += -b / (2.0 * a);
  }
  return r;
}

double ring_zone(double x, double y, double rad) {
  if (!(rad > 0.0 && rad < 1000.0))
    return -1.0;
  double d2 = x * x + y * y, s = 0.0;
  if (d2 < rad * rad) {
    s += d2 / (rad * rad);
    if (x > 0.0 && y > 0.0 && x + y > rad)
      s += 10.0 / (x + y);
  } else if (d2 < 4.0 * rad * rad) {
    s += 100.0 / d2;
    if (y == x * 2.0)
      s += 1000.0 / rad;
  }
  return s;
}

int float_int(float f, int n) {
  if (!(f > -1e6f && f < 1e6f) || n < -1000000 || n > 1000000)
    return -1;
  int t = (int)f, r = 0;
  if (t == n && f - (float)t > 0.5f)
    r += 1000 / (t | 1) + 1;
  if (t + n == 100) {
    r += n % 7 + 20;
    if (f < 0.0f)
      r += t % 5 + 300;
  }
  if ((float)n * f == 12.0f && t != n)
    r += 12000 / (n | 1);
  return r;
}

double lerp_check(double a, double b, double t) {
  if (!(t >= 0.0 && t <= 1.0))
    return -1.0;
  double v = a + (b - a) * t, s = 0.0;
  if (v > 10.0 && v < 11.0) {
    s += v / 10.0;
    if (a > b)
      s += 1.0 / (a - b);
  }
  if (v == a && t > 0.5)
    s += 100.0 / (t + 1.0);
  if (b - a > 100.0 && v < a + 1.0)
    s += 1000.0 / (b - a);
  return s;
}

double vec_relation(double ax, double ay, double bx, double by) {
  double dot = ax * bx + ay * by, cross = ax * by - ay * bx, s = 0.0;
  if (dot == 0.0 && cross != 0.0) {
    s += 1.0 / cross;
    if (cross > 0.0 && ax > 0.0)
      s += 10.0 / ax;
  } else if (cross == 0.0 && dot != 0.0) {
    s += 100.0 / dot;
  }
  if (dot > 0.0 && cross > 0.0 && dot == cross)
    s += 1000.0 / dot;
  return s;
}

int float_bits(float f, unsigned m) {
  union {
    float f;
    unsigned u;
  } v;
  v.f = f;
  unsigned exp = (v.u >> 23) & 0xffu, man = v.u & 0x7fffffu, r = 0;
  if (exp == 0xffu)
    return -1;
  if (exp == 0u && man != 0u)
    r += man % 7u + 1u;
  if ((man ^ m) == 0x400000u && exp == 127u + 3u)
    r += m % 11u + 20u;
  if (exp - 127u == (m & 7u) && man == 0u && m > 8u)
    r += m / (exp | 1u) + 300u;
  return (int)r;
}

double mean_spread(const double *v, unsigned n) {
  if (!v || n < 3u || n > 16u)
    return -1.0;
  double sum = 0.0, lo = v[0], hi = v[0], s = 0.0;
  for (unsigned i = 0; i < n; i++) {
    sum += v[i];
    if (v[i] < lo)
      lo = v[i];
    if (v[i] > hi)
      hi = v[i];
  }
  double mean = sum / n;
  if (hi - lo < 1.0 && mean > 50.0)
    s += mean / 50.0;
  if (mean == v[0] && v[1] > v[0]) {
    s += 10.0 / (v[1] - v[0]);
    if (v[2] < v[0])
      s += 100.0 / (v[0] - v[2] + 1.0);
  }
  if (hi > 2.0 * mean && mean > 0.0)
    s += 1000.0 / mean;
  return s;
}
