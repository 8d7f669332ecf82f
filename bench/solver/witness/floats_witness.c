/* Inputs reaching every block of ../floats.c, at most 5 calls per function (bench/solver-bench.mjs checks
 * both with native coverage). */
#include "../solver.h"
#include "check.h"

int main(void) {
  CALL(prod_diff(__builtin_nan(""), 0.0));
  CALL(prod_diff(10.2, 10.0));  /* x * y > 100, 0 < x - y < 0.5 */
  CALL(prod_diff(1.0, 4.0));    /* x + y == 5, 4x == y */
  CALL(prod_diff(-0.5, -0.5));  /* both negative, product < 1 */

  CALL(quad_roots(0.0, 1.0, 0.0)); /* linear */
  CALL(quad_roots(1.0, 1.0, 0.0)); /* discriminant 1 */
  CALL(quad_roots(1.0, 2.0, 1.0)); /* discriminant 0 */

  CALL(ring_zone(0.0, 0.0, 0.0));
  CALL(ring_zone(0.6, 0.6, 1.0)); /* inside the circle, outside the diamond */
  CALL(ring_zone(1.0, 2.0, 2.0)); /* in the ring, y == 2x */

  CALL(float_int(2e6f, 0));
  CALL(float_int(3.75f, 3));   /* (int)f == n, fraction > 0.5 */
  CALL(float_int(-5.5f, 105)); /* (int)f + n == 100, f < 0 */
  CALL(float_int(4.0f, 3));    /* n * f == 12 */

  CALL(lerp_check(0.0, 0.0, 2.0));
  CALL(lerp_check(21.0, 0.0, 0.5));   /* 10 < v < 11, a > b */
  CALL(lerp_check(5.0, 5.0, 0.75));   /* v == a, t > 0.5 */
  CALL(lerp_check(0.0, 200.0, 0.001)); /* b - a > 100, v < a + 1 */

  CALL(vec_relation(1.0, 0.0, 0.0, 1.0)); /* perpendicular, counter-clockwise */
  CALL(vec_relation(1.0, 0.0, 2.0, 0.0)); /* parallel */
  CALL(vec_relation(1.0, 0.0, 1.0, 1.0)); /* dot == cross */

  CALL(float_bits(__builtin_inff(), 0u));
  CALL(float_bits(1e-45f, 0u));        /* subnormal */
  CALL(float_bits(8.0f, 0x400000u));   /* exponent 3, mantissa ^ m == 0x400000 */
  CALL(float_bits(4.0f, 10u));         /* exponent == m & 7 */

  {
    double v1[3] = {60, 60, 60}, v3[3] = {1, 2, 0}, v4[3] = {1, 1, 10};
    CALL(mean_spread(0, 3u));
    CALL(mean_spread(v1, 3u)); /* spread < 1, mean > 50 */
    CALL(mean_spread(v3, 3u)); /* mean == v[0] < v[1], v[2] < v[0] */
    CALL(mean_spread(v4, 3u)); /* max > 2 * mean */
  }
  return 0;
}
