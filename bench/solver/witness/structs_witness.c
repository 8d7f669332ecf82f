/* Inputs reaching every block of ../structs.c, at most 5 calls per function (bench/solver-bench.mjs checks
 * both with native coverage). */
#include "../solver.h"
#include "check.h"

int main(void) {
  {
    struct rect flat = {{0, 0}, {0, 5}}, sq = {{0, 0}, {12, 12}}, wide = {{0, 0}, {50, 25}};
    CALL(rect_class(0));
    CALL(rect_class(&flat));
    CALL(rect_class(&sq));   /* w == h, area 144 */
    CALL(rect_class(&wide)); /* w == 2h, area 1250, w + h == 75 */
  }

  {
    struct account refused = {0u, 0, 0, 0u}, over = {7u, 0, 3, 1u}, zero = {0x55u, 10, 100, 0u};
    CALL(account_withdraw(0, 1));
    CALL(account_withdraw(&refused, 5)); /* beyond the limit, no overdraft flag */
    CALL(account_withdraw(&over, 5));    /* overdraft allowed, negative balance, id ends in 7 */
    CALL(account_withdraw(&zero, 10));   /* balance 0, id ^ flags == 0x55, balance + limit == 100 */
  }

  {
    struct date bad = {2001, 2, 29}, feb29 = {2000, 2, 29}, dec12 = {2012, 12, 12};
    CALL(date_kind(0));
    CALL(date_kind(&bad));   /* no Feb 29 in 2001 */
    CALL(date_kind(&feb29)); /* leap day */
    CALL(date_kind(&dec12)); /* day == month == year % 100, late in the year */
  }

  {
    struct packet wrong = {1, 1, 0, {5}}, one = {1, 1, 5, {5}}, two = {2, 2, 65, {2, 3}};
    CALL(packet_check(0));
    CALL(packet_check(&wrong)); /* checksum differs */
    CALL(packet_check(&one));
    CALL(packet_check(&two)); /* data[0] == len, data[1] == data[0] + 1 */
  }

  {
    struct tri flat = {{0, 0}, {1, 1}, {2, 2}}, riso = {{0, 0}, {2, 0}, {1, 1}};
    struct tri cw = {{0, 0}, {0, 3}, {4, 3}};
    CALL(triangle_kind(0));
    CALL(triangle_kind(&flat)); /* degenerate */
    CALL(triangle_kind(&riso)); /* right angle at c, isosceles */
    CALL(triangle_kind(&cw));   /* right angle at b, clockwise, squared sides sum to 50 */
  }

  {
    struct range a1 = {0, 1}, b1 = {5, 6}, a2 = {0, 40}, b2 = {41, 60}, a3 = {0, 50}, b3 = {-10, 90};
    CALL(range_merge(0, 0));
    CALL(range_merge(&a1, &b1)); /* disjoint */
    CALL(range_merge(&a2, &b2)); /* adjacent on the right */
    CALL(range_merge(&a3, &b3)); /* a inside b, width 100 after */
  }

  {
    struct mat2 nil = {0, 1, 0, 0}, shear = {1, 5, 0, 1}, swap = {0, 1, 1, 0};
    CALL(mat2_class(0));
    CALL(mat2_class(&nil));   /* det 0, trace 0 */
    CALL(mat2_class(&shear)); /* det 1, trace 2 */
    CALL(mat2_class(&swap));  /* symmetric, det -1 */
  }

  {
    struct item plain = {10u, 5u, 0u, {'X', 'X', 'X', 0}}, half = {10u, 5u, 50u, {'V', 'B', 'A', 0}};
    CALL(order_total(0, 1u, 0u));
    CALL(order_total(&plain, 2u, 5u));   /* over budget */
    CALL(order_total(&half, 2u, 10u));   /* half price == budget, tag V, B == A + 1 */
    CALL(order_total(&plain, 1u, 15u));  /* within 10 of the budget */
  }
  return 0;
}
