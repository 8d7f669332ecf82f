/* Several kinds at once: a struct holding a string, an array of structs searched against a target,
 * floating-point statistics in a struct, flags selecting array elements, a list of keyed nodes, a framed
 * buffer with a length and a checksum, a global mode with a table indexed by computed values, a tagged
 * union (solver benchmark, issue 16). No libc. */
#include "solver.h"

unsigned g_mode;

int rec_check(const struct rec *r) {
  if (!r || !r->name || !r->name[0])
    return -1;
  unsigned n = 0, s = 0;
  while (n < 32u && r->name[n])
    n++;
  if (r->age >= 0 && (unsigned)r->age == n * 10u)
    s += n % 7u + 1u;
  if (r->code == (unsigned char)r->name[0] * 256u + (unsigned char)r->name[n - 1])
    s += r->code % 11u + 20u;
  if (r->age > 18 && r->age < 65 && r->name[0] == 'Z')
    s += (unsigned)r->age % 13u + 300u;
  return (int)s;
}

int nearest_match(const struct pt *p, unsigned n, int tx, int ty) {
  if (!p || n == 0u || n > 16u)
    return -1;
  unsigned best = n;
  long long bestd = 0;
  for (unsigned i = 0; i < n; i++) {
    long long dx = (long long)p[i].x - tx, dy = (long long)p[i].y - ty;
    long long d = (dx < 0 ? -dx : dx) + (dy < 0 ? -dy : dy);
    if (best == n || d < bestd) {
      best = i;
      bestd = d;
    }
  }
  unsigned r = best;
  if (bestd == 0)
    r += (unsigned)tx % 7u + 10u;
  else if (bestd == 5 && p[best].x == tx)
    r += (unsigned)p[best].y % 11u + 200u;
  if (best > 0 && (long long)p[best].x + p[best].y == p[0].x)
    r += (unsigned)p[0].y % 13u + 3000u;
  return (int)r;
}

double stats_check(const struct stats *s) {
  if (!s || s->count == 0u || s->count > 1000000u || s->sumsq < 0.0)
    return -1.0;
  double mean = s->sum / s->count, var = s->sumsq / s->count - mean * mean, r = 0.0;
  if (var == 0.0 && mean == 3.0)
    r += s->sum / 7.0;
  if (mean > 10.0 && var < 1.0 && var > 0.0)
    r += 1.0 / var;
  if (s->count > 10u && var > mean)
    r += var / s->count;
  return r;
}

int flag_select(unsigned flags, const int *vals, int target) {
  if (!vals || (flags & 0xFu) == 0u)
    return -1;
  long long s = 0;
  int k = 0;
  for (int i = 0; i < 4; i++)
    if (flags & (1u << i)) {
      s += vals[i];
      k++;
    }
  unsigned r = 0;
  if (s == target) {
    r += (unsigned)k % 5u + 1u;
    if (k == 4 && (flags & 0x30u) == 0x20u)
      r += flags % 7u + 20u;
  }
  if (k == 2 && s * 2 == target)
    r += (unsigned)target % 11u + 300u;
  if (vals[flags % 4u] == (long long)target - 1)
    r += flags % 13u + 4000u;
  return (int)r;
}

int lookup_sum(const struct snode *l, char c) {
  if (!l)
    return -1;
  long long total = 0;
  int hits = 0, n = 0;
  for (; l && n < 8; l = l->next, n++)
    if (l->key && l->key[0] == c) {
      total += l->val;
      hits++;
    }
  unsigned r = (unsigned)n;
  if (hits == 2 && total == 42)
    r += (unsigned char)c % 7u + 10u;
  if (hits == 1 && total == c)
    r += (unsigned)n % 11u + 200u;
  if (hits == n && n > 2)
    r += (unsigned)(total % 13 + 13) + 3000u;
  return (int)r;
}

int parse_frame(const unsigned char *buf, unsigned n) {
  if (!buf || n < 4u || buf[0] != 0x7Eu)
    return -1;
  unsigned len = buf[1];
  if (len + 3u > n)
    return -2;
  unsigned sum = 0;
  for (unsigned i = 0; i < len; i++)
    sum += buf[2 + i];
  if ((sum & 0xffu) != buf[2 + len])
    return -3;
  unsigned r = len;
  if (len >= 2u && buf[2] == 'C' && buf[3] == (unsigned char)(len * 16u))
    r += sum % 7u + 10u;
  if (len >= 1u && buf[2 + len - 1] == buf[2] + 1u)
    r += sum % 11u + 200u;
  return (int)r;
}

int table_mode(unsigned a, unsigned b) {
  static const unsigned short table[16] = {3, 14, 15, 92, 65, 35, 89, 79, 32, 38, 46, 26, 43, 38, 32, 79};
  if (g_mode > 3u)
    return -1;
  unsigned i = (a + b) & 15u, j = (a ^ (b >> 4)) & 15u, r = 0;
  if (table[i] + table[j] == 100u) {
    r += a % 7u + 1u;
    if (g_mode == 2u)
      r += b % 11u + 20u;
  }
  if (table[i] == table[j] && i != j)
    r += (a ^ b) % 13u + 300u;
  if (table[i] * g_mode == 92u && j == 0u)
    r += b % 17u + 4000u;
  return (int)r;
}

int shape_class(const struct shape *s) {
  if (!s)
    return -1;
  unsigned r = 0;
  switch (s->tag) {
  case 0:
    if ((long long)s->u.r.w * s->u.r.h == 600 && (long long)s->u.r.w + 10 == s->u.r.h)
      r = (unsigned)s->u.r.w % 7u + 1u;
    break;
  case 1:
    if ((long long)s->u.c.r * s->u.c.r == 49 && s->u.c.r < 0)
      r = (unsigned)(-s->u.c.r) % 11u + 20u;
    break;
  case 2: {
    long long a = s->u.t.a, b = s->u.t.b, c = s->u.t.c;
    if (a > 0 && b > 0 && c > 0 && a + b > c && a + c > b && b + c > a) {
      r = (unsigned)(a % 13) + 300u;
      if (a * a + b * b == c * c)
        r += (unsigned)(c % 17) + 4000u;
    }
    break;
  }
  }
  return (int)r;
}
