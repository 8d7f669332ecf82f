/* Linked lists (struct node) whose first elements' values satisfy relations: sums and products of the
 * head values, progressions, counts against sums, pairs, cycles, a hash of the first four values
 * (solver benchmark, issue 16). */
#include "solver.h"

int list_head_sum(const struct node *l) {
  if (!l || !l->next)
    return -1;
  long long a = l->val, b = l->next->val;
  unsigned r = 0;
  if (a + b == 100) {
    r += (unsigned)(a % 7 + 7);
    if (a * 3 == b)
      r += (unsigned)(b % 11 + 11) + 20u;
  }
  if (b - a == 17 && !l->next->next)
    r += (unsigned)(a % 13 + 13) + 300u;
  if (l->next->next && l->next->next->val == a + b)
    r += (unsigned)(b % 5 + 5) + 4000u;
  return (int)r;
}

int list_three(const struct node *l) {
  if (!l || !l->next || !l->next->next)
    return -1;
  long long a = l->val, b = l->next->val, c = l->next->next->val;
  unsigned r = 0;
  if (a < b && b < c) {
    r += (unsigned)((c - a) % 7) + 1u;
    if (c - b == b - a)
      r += (unsigned)((c - b) % 11) + 20u;
    else if (b * b == a * c)
      r += (unsigned)(b % 13 + 13) + 300u;
  }
  if (a == c && a != b)
    r += (unsigned)(a % 17 + 17) + 4000u;
  if ((a ^ b ^ c) == 0x5A)
    r += (unsigned)(c % 19 + 19) + 50000u;
  return (int)r;
}

int list_stats(const struct node *l) {
  int n = 0;
  long long sum = 0, neg = 0;
  for (; l && n < 16; l = l->next) {
    n++;
    sum += l->val;
    if (l->val < 0)
      neg++;
  }
  if (n == 0)
    return -1;
  unsigned r = 0;
  if (sum == n * 10 && n >= 3)
    r += (unsigned)(sum % 7) + 1u;
  if (neg * 2 == n && sum == 0)
    r += (unsigned)n % 5u + 20u;
  if (n == 4 && sum == -4 && neg == 1)
    r += (unsigned)(neg % 3) + 300u;
  return (int)r;
}

int list_pair_sum(const struct node *l, int target) {
  if (!l)
    return -1;
  unsigned r = 0;
  int i = 0;
  for (const struct node *p = l; p && i < 8; p = p->next, i++) {
    int j = i + 1;
    for (const struct node *q = p->next; q && j < 8; q = q->next, j++) {
      if ((long long)p->val + q->val == target) {
        r += (unsigned)target % (unsigned)(j + 1) + 1u;
        if (j == i + 1 && i > 0)
          r += 100u / (unsigned)j + 20u;
      }
      if ((long long)p->val == 2LL * q->val && q->val != 0)
        r += 1000u / (unsigned)(i + 1) + 300u;
    }
  }
  return (int)r;
}

int list_shape(const struct node *l) {
  if (!l)
    return -1;
  const struct node *slow = l, *fast = l;
  int steps = 0;
  while (fast && fast->next && steps < 32) {
    slow = slow->next;
    fast = fast->next->next;
    steps++;
    if (slow == fast)
      return 100 / steps;
  }
  unsigned r = (unsigned)steps;
  if (!fast && slow->val == l->val)
    r += (unsigned)slow->val % 7u + 10u;
  if (fast && (long long)fast->val == (long long)l->val + steps)
    r += (unsigned)fast->val % 11u + 200u;
  return (int)r;
}

int list_insert_sorted(struct node **head, struct node *n) {
  if (!head || !n)
    return -1;
  struct node **pp = head;
  int pos = 0;
  while (*pp && (*pp)->val < n->val && pos < 16) {
    pp = &(*pp)->next;
    pos++;
  }
  if (*pp && (*pp)->val == n->val)
    return -2;
  n->next = *pp;
  *pp = n;
  unsigned r = (unsigned)pos;
  if (pos > 0 && (long long)n->val - (*head)->val == 10)
    r += (unsigned)n->val % 7u + 10u;
  if (n->next && (long long)n->next->val - n->val == 1)
    r += (unsigned)n->next->val % 11u + 200u;
  if (!n->next && pos >= 2)
    r += 3000u / (unsigned)pos;
  return (int)r;
}

int list_checksum(const struct node *l, unsigned key) {
  unsigned h = 0x811C9DC5u;
  int n = 0;
  while (l && n < 4) {
    h = (h ^ (unsigned)l->val) * 16777619u;
    l = l->next;
    n++;
  }
  if (n < 4)
    return -1;
  unsigned r = 0;
  if (h == key)
    r += h % 7u + 1u;
  if ((h & 0xffffu) == (key >> 16))
    r += key % 11u + 20u;
  if (((h ^ key) & 0xfu) == 0u)
    r += h % 13u + 300u;
  return (int)r;
}

int list_steps(const struct node *l) {
  if (!l || !l->next)
    return -1;
  int up = 0, down = 0, same = 0, n = 0;
  for (const struct node *p = l; p->next && n < 8; p = p->next, n++) {
    long long d = (long long)p->next->val - p->val;
    if (d == 1)
      up++;
    else if (d == -1)
      down++;
    else if (d == 0)
      same++;
  }
  unsigned r = 0;
  if (up == n)
    r += (unsigned)n % 7u + 1u;
  if (up == down && up > 0)
    r += (unsigned)up % 5u + 20u;
  if (same > 0 && same + up == n && down == 0)
    r += (unsigned)same % 11u + 300u;
  return (int)r;
}
