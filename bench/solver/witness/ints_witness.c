/* Inputs reaching every block of ../ints.c, at most 5 calls per function (bench/solver-bench.mjs checks
 * both with native coverage). */
#include "../solver.h"
#include "check.h"

int main(void) {
  CALL(sum_xor_gate(1200u, 1060u));       /* 3a + b == 0x1234, a ^ b == 148 */
  CALL(sum_xor_gate(6000u, 5000u));       /* a - b == 1000, a > 5000 */
  CALL(sum_xor_gate(0x12u, 0x12000000u)); /* low byte of a == high byte of b */

  CALL(diff_window(300, 150, 0));   /* equal steps of 150 */
  CALL(diff_window(1, 2, 1));       /* opposite steps */
  CALL(diff_window(12345, 0, 0));   /* x - z == 12345 */

  CALL(mul_pair(1u, 5u));   /* out of range */
  CALL(mul_pair(17u, 23u)); /* 17 * 23 == 391 */
  CALL(mul_pair(7u, 24u));  /* 7^2 + 24^2 == 25^2 */
  CALL(mul_pair(3u, 97u));  /* odd product, sum 100 */

  CALL(shift_mask(0x105u, 2u, 7u));     /* x >> 7 == y, low bits 5 */
  CALL(shift_mask(1u, 0xA5A6u, 1u));    /* (x << s | s) == y ^ 0xA5A5 */
  CALL(shift_mask(0xF0u, 0xFFu, 0u));   /* x & y == 0xF0, x | y == 0xFF */

  CALL(check_digits(10u, 0u, 0u)); /* not a digit */
  CALL(check_digits(9u, 0u, 7u));  /* weighted check digit 0, n > 500 */
  CALL(check_digits(1u, 2u, 3u));  /* a + b == c */
  CALL(check_digits(1u, 4u, 8u));  /* 148 == 4 * 37 */

  CALL(switch_computed(0u, 0x1000u));
  CALL(switch_computed(0u, 0xBEEFu));
  CALL(switch_computed(8u, 136u)); /* (128 ^ 136) - 1 == 7 */
  CALL(switch_computed(0u, 0u));

  {
    int a1[4] = {42, 0, 0, 0}, a3[4] = {0, 0, 10, 0}, a4[4] = {40, 0, 60, 0};
    CALL(pick_pair(0, 4u, 0u, 0u));
    CALL(pick_pair(a1, 4u, 0u, 0u)); /* same index, value 42 */
    CALL(pick_pair(a3, 4u, 1u, 1u)); /* arr[2] == arr[0] + 10 */
    CALL(pick_pair(a4, 4u, 1u, 3u)); /* arr[0] + arr[2] == 100, product 2400 */
  }

  CALL(nested_order(0, 1, 3));  /* a < b < c, c - a == 3 */
  CALL(nested_order(0, 1, -1)); /* a < b, a + b + c == 0 */
  CALL(nested_order(4, 2, 1));  /* a == 2b == 4c */

  CALL(popcount_rel(0xFu, 1u));              /* 4 bits vs 1, y inside x */
  CALL(popcount_rel(0xFFFF0000u, 0xFFFFu));  /* complements with 16 bits each */
  CALL(popcount_rel(1u, 0u));                /* one bit in all */

  CALL(gcd_gate(0u, 1u));
  CALL(gcd_gate(1u, 999u)); /* coprime, sum 1000 */
  CALL(gcd_gate(24u, 36u)); /* gcd 12, 2 + 3 == 5 */
  CALL(gcd_gate(2u, 14u));  /* b == 7a */
  return 0;
}
