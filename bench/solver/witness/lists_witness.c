/* Inputs reaching every block of ../lists.c, at most 5 calls per function (bench/solver-bench.mjs checks
 * both with native coverage). */
#include "../solver.h"
#include "check.h"

static struct node pool[16];

/* The list of the n values in pool (NULL when n == 0). */
static struct node *list(int n, const int *vals) {
  for (int i = 0; i < n; i++) {
    pool[i].val = vals[i];
    pool[i].next = i + 1 < n ? &pool[i + 1] : 0;
  }
  return n > 0 ? &pool[0] : 0;
}

#define L(...) list((int)(sizeof((int[]){__VA_ARGS__}) / sizeof(int)), (int[]){__VA_ARGS__})

static unsigned fnv4(const int *v) {
  unsigned h = 0x811C9DC5u;
  for (int i = 0; i < 4; i++)
    h = (h ^ (unsigned)v[i]) * 16777619u;
  return h;
}

static int insert(int n, const int *vals, int v) {
  struct node *head = list(n, vals);
  struct node x = {v, 0};
  return list_insert_sorted(&head, &x);
}

int main(void) {
  CALL(list_head_sum(0));
  CALL(list_head_sum(L(25, 75, 100))); /* a + b == 100, 3a == b, third == a + b */
  CALL(list_head_sum(L(1, 18)));       /* b - a == 17, two elements */

  CALL(list_three(L(1, 2)));
  CALL(list_three(L(1, 2, 3)));    /* arithmetic */
  CALL(list_three(L(1, 2, 4)));    /* geometric */
  CALL(list_three(L(1, 0x5A, 1))); /* a == c != b, xor 0x5A */

  CALL(list_stats(0));
  CALL(list_stats(L(10, 10, 10)));     /* mean 10 */
  CALL(list_stats(L(-5, 5)));          /* half negative, sum 0 */
  CALL(list_stats(L(-10, 2, 2, 2)));   /* four, sum -4, one negative */

  CALL(list_pair_sum(0, 0));
  CALL(list_pair_sum(L(4, 1, 2), 3)); /* 1 + 2 == 3 (adjacent, not first), 4 == 2 * 2 */

  {
    struct node self = {1, 0};
    self.next = &self;
    CALL(list_shape(0));
    CALL(list_shape(&self));     /* cycle */
    CALL(list_shape(L(5, 5)));   /* even, middle == head */
    CALL(list_shape(L(1, 9, 2))); /* odd, last == head + steps */
  }

  {
    int five[1] = {5}, v1[2] = {1, 12}, v2[2] = {1, 2};
    CALL(list_insert_sorted(0, 0));
    CALL(insert(1, five, 5)); /* duplicate */
    CALL(insert(2, v1, 11));  /* head + 10, next == value + 1 */
    CALL(insert(2, v2, 5));   /* appended after two */
  }

  {
    int v[4] = {1, 2, 3, 4};
    unsigned h = fnv4(v);
    CALL(list_checksum(L(1, 2, 3), 0u));
    CALL(list_checksum(L(1, 2, 3, 4), h));                     /* key == hash */
    CALL(list_checksum(L(1, 2, 3, 4), (h & 0xffffu) << 16));   /* high half of key == low half of hash */
  }

  CALL(list_steps(L(1)));
  CALL(list_steps(L(1, 2)));       /* all up by one */
  CALL(list_steps(L(1, 2, 1, 5))); /* one up, one down, one jump */
  CALL(list_steps(L(1, 1, 2)));    /* flat then up */
  return 0;
}
