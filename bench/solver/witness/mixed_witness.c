/* Inputs reaching every block of ../mixed.c, at most 5 calls per function (bench/solver-bench.mjs checks
 * both with native coverage). */
#include "../solver.h"
#include "check.h"

int main(void) {
  {
    struct rec zed = {"Zed", 30, 'Z' * 256u + 'd'};
    CALL(rec_check(0));
    CALL(rec_check(&zed)); /* age == 10 * length, code == first * 256 + last, 18 < age < 65, 'Z' */
  }

  {
    struct pt three[3] = {{2, -1}, {1, 1}, {0, 3}}, far5[1] = {{1, 6}};
    CALL(nearest_match(0, 1u, 0, 0));
    CALL(nearest_match(three, 3u, 1, 1)); /* exact match at 1, its x + y == p[0].x */
    CALL(nearest_match(far5, 1u, 1, 1));  /* distance 5 straight up */
  }

  {
    struct stats s3 = {2u, 6.0, 18.0}, s11 = {2u, 22.0, 243.0}, wide = {20u, 20.0, 100.0};
    CALL(stats_check(0));
    CALL(stats_check(&s3));   /* variance 0, mean 3 */
    CALL(stats_check(&s11));  /* mean 11, variance 0.5 */
    CALL(stats_check(&wide)); /* variance 4 > mean 1 */
  }

  {
    int v[4] = {1, 2, 3, 4};
    CALL(flag_select(1u, 0, 0));
    CALL(flag_select(0x2Fu, v, 10)); /* all four sum to target, flag 0x20 */
    CALL(flag_select(3u, v, 6));     /* two selected, twice their sum */
    CALL(flag_select(0x21u, v, 3));  /* vals[flags % 4] == target - 1 */
  }

  {
    struct snode a22 = {"a", 22, 0}, nokey = {0, 0, &a22}, a20 = {"a", 20, &nokey};
    struct snode a97 = {"a", 97, 0};
    struct snode x3 = {"a", 1, 0}, x2 = {"a", 1, &x3}, x1 = {"a", 1, &x2};
    CALL(lookup_sum(0, 'a'));
    CALL(lookup_sum(&a20, 'a')); /* two hits summing to 42 */
    CALL(lookup_sum(&a97, 'a')); /* one hit equal to the key char */
    CALL(lookup_sum(&x1, 'a'));  /* all three hit */
  }

  {
    unsigned char f1[4] = {0x7E, 5, 0, 0}, f2[4] = {0x7E, 1, 5, 6};
    unsigned char f4[7] = {0x7E, 4, 'C', '@', 0, 'D', 'C' + '@' + 'D'};
    CALL(parse_frame(0, 4u));
    CALL(parse_frame(f1, 4u)); /* truncated */
    CALL(parse_frame(f2, 4u)); /* bad checksum */
    CALL(parse_frame(f4, 7u)); /* 'C', data[1] == 16 * len, last == first + 1 */
  }

  g_mode = 4u;
  CALL(table_mode(0u, 0u));
  g_mode = 2u;
  CALL(table_mode(4u, 16u)); /* table[4] + table[5] == 100 in mode 2 */
  g_mode = 0u;
  CALL(table_mode(0u, 217u)); /* table[9] == table[13] */
  g_mode = 1u;
  CALL(table_mode(0u, 3u)); /* table[3] * mode == 92, j == 0 */

  {
    struct shape rect = {0, {.r = {20, 30}}}, circ = {1, {.c = {-7}}}, tri = {2, {.t = {3, 4, 5}}};
    CALL(shape_class(0));
    CALL(shape_class(&rect)); /* w * h == 600, w + 10 == h */
    CALL(shape_class(&circ)); /* r * r == 49, r < 0 */
    CALL(shape_class(&tri));  /* a triangle, a^2 + b^2 == c^2 */
  }
  return 0;
}
