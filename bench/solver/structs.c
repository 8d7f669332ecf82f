/* Struct fields related to each other, through pointer-to-struct arguments: widths against heights,
 * balances against limits, a checksum field against the data, points of a triangle, determinants
 * (solver benchmark, issue 16). */
#include "solver.h"

int rect_class(const struct rect *r) {
  if (!r)
    return -1;
  long long w = (long long)r->hi.x - r->lo.x, h = (long long)r->hi.y - r->lo.y;
  if (w <= 0 || h <= 0)
    return 0;
  unsigned long long area = (unsigned long long)w * (unsigned long long)h;
  unsigned score = 1;
  if (w == h) {
    score += (unsigned)(area % 7u) + 1u;
    if (area == 144u)
      score += (unsigned)(w % 5) + 20u;
  } else if (w == 2 * h) {
    score += (unsigned)(h % 9) + 300u;
  }
  if (area == 1250u && w + h == 75)
    score += (unsigned)(w % 11) + 4000u;
  return (int)score;
}

int account_withdraw(struct account *a, int amount) {
  if (!a || amount <= 0 || a->limit < 0)
    return -1;
  long long after = (long long)a->balance - amount;
  unsigned r = 0;
  if (after < -(long long)a->limit) {
    if (!(a->flags & 1u))
      return -2;
    r += a->id % 7u + 1u;
    after = -(long long)a->limit;
  }
  if (after == 0 && (a->id ^ a->flags) == 0x55u)
    r += a->flags % 5u + 20u;
  a->balance = (int)after;
  if ((long long)a->balance + a->limit == 100)
    r += a->id % 11u + 300u;
  if (a->balance < 0 && a->id % 10u == 7u)
    r += (unsigned)amount % 13u + 4000u;
  return (int)r;
}

int date_kind(const struct date *d) {
  static const unsigned char days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (!d || d->month < 1 || d->month > 12 || d->day < 1)
    return -1;
  int leap = (d->year % 4 == 0 && d->year % 100 != 0) || d->year % 400 == 0;
  int max = days[d->month - 1] + (d->month == 2 && leap);
  if (d->day > max)
    return -2;
  unsigned r = 0;
  if (d->month == 2 && d->day == 29)
    r += (unsigned)d->year % 7u + 1u;
  if (d->day == d->month && d->year % 100 == d->day)
    r += (unsigned)d->year % 11u + 20u;
  if (d->day + d->month * 31 > 365)
    r += (unsigned)d->day % 13u + 300u;
  return (int)r;
}

int packet_check(const struct packet *p) {
  if (!p || p->len > 8u)
    return -1;
  unsigned sum = 0, r = 0;
  for (unsigned i = 0; i < p->len; i++)
    sum = (sum * 31u + p->data[i]) & 0xffffu;
  if (sum != p->crc)
    return -2;
  switch (p->kind) {
  case 1:
    r = sum % 7u + 1u;
    break;
  case 2:
    r = p->data[0] % 9u + 20u;
    if (p->len >= 2u && p->data[0] == p->len && p->data[1] == p->data[0] + 1)
      r += 300u / p->len;
    break;
  }
  return (int)r;
}

int triangle_kind(const struct tri *t) {
  if (!t)
    return -1;
  long long abx = t->b.x - t->a.x, aby = t->b.y - t->a.y;
  long long acx = t->c.x - t->a.x, acy = t->c.y - t->a.y;
  long long bcx = t->c.x - t->b.x, bcy = t->c.y - t->b.y;
  long long area2 = abx * acy - aby * acx;
  if (area2 == 0)
    return 0;
  long long ab = abx * abx + aby * aby, ac = acx * acx + acy * acy, bc = bcx * bcx + bcy * bcy;
  unsigned r = 1;
  if (ab + ac == bc || ab + bc == ac || ac + bc == ab)
    r += (unsigned)(ab % 7) + 10u;
  if (ab == ac || ab == bc || ac == bc)
    r += (unsigned)(bc % 11) + 200u;
  if (area2 < 0 && ab + ac + bc == 50)
    r += (unsigned)(ac % 13) + 3000u;
  return (int)r;
}

int range_merge(struct range *a, const struct range *b) {
  if (!a || !b || a->lo > a->hi || b->lo > b->hi)
    return -1;
  unsigned r = 0;
  if (a->hi < b->lo || b->hi < a->lo) {
    if ((long long)b->lo - a->hi != 1)
      return 0;
    r += ((unsigned)b->hi - (unsigned)b->lo) % 7u + 1u;
  } else if (b->lo <= a->lo && a->hi <= b->hi) {
    r += ((unsigned)a->lo - (unsigned)b->lo) % 11u + 20u;
  }
  if (b->lo < a->lo)
    a->lo = b->lo;
  if (b->hi > a->hi)
    a->hi = b->hi;
  if ((long long)a->hi - a->lo == 100)
    r += (unsigned)a->lo % 13u + 300u;
  return (int)r;
}

int mat2_class(const struct mat2 *m) {
  if (!m)
    return -1;
  long long det = (long long)m->a * m->d - (long long)m->b * m->c;
  long long tr = (long long)m->a + m->d;
  unsigned r = 0;
  if (det == 0) {
    r += (unsigned)(tr % 7 + 7) + 1u;
    if (tr == 0 && m->b != 0)
      r += (unsigned)m->b % 11u + 20u;
  }
  if (det == 1 && tr == 2 && m->b != m->c)
    r += (unsigned)m->b % 13u + 300u;
  if (m->b == m->c && det == -1)
    r += (unsigned)m->a % 17u + 4000u;
  return (int)r;
}

int order_total(const struct item *it, unsigned want, unsigned budget) {
  if (!it || want == 0u || want > it->qty)
    return -1;
  unsigned long long total = (unsigned long long)it->price * want;
  if (it->discount > 0u && it->discount < 100u)
    total = total * (100u - it->discount) / 100u;
  if (total > budget)
    return -2;
  unsigned r = 0;
  if (total == budget)
    r += it->price % 7u + 1u;
  if (it->tag[0] == 'V' && it->tag[1] == it->tag[2] + 1)
    r += it->tag[1] % 11u + 20u;
  if (budget - total < 10u && total != budget)
    r += (unsigned)(total % 13u) + 300u;
  return (int)r;
}
