// Bitfields (odd integer widths at -O2), unions, packed structs, struct copies, arrays of structs, qsort with
// a comparator in IR, and pointer comparisons.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

struct bits { unsigned a : 3; signed b : 5; unsigned c : 20; uint64_t d : 40; int e : 12; unsigned char f : 1; };
union pun { float f; uint32_t u; unsigned char bytes[4]; };
struct __attribute__((packed)) packed { char c; int i; short s; long l; };
struct rec { char name[12]; int score; double weight; };

static int by_score(const void *a, const void *b) {
  const struct rec *x = a, *y = b;
  if (x->score != y->score) return x->score < y->score ? -1 : 1;
  return strcmp(x->name, y->name);
}

__attribute__((noinline)) static uint64_t pack(struct bits *b, int k) {
  b->a = k; b->b = -k; b->c = k * 12345; b->d = (uint64_t)k * 0x123456789ULL; b->e = -k * 100; b->f = k & 1;
  return b->a + (int64_t)b->b + b->c + b->d + b->e + b->f;
}

int main(void) {
  struct bits bs[4];
  uint64_t acc = 0;
  for (int k = 0; k < 40; k++) acc = acc * 31 + pack(&bs[k & 3], k);
  printf("bits %llu %d %d\n", (unsigned long long)acc, bs[1].b, bs[2].e);
  union pun p; p.f = -1.5f;
  printf("pun %08x %u %u\n", p.u, p.bytes[3], p.bytes[0]);
  struct packed pk = {'x', 0x11223344, -2, -5L};
  unsigned char raw[sizeof pk]; memcpy(raw, &pk, sizeof pk);
  printf("packed %zu %02x %02x %d %ld\n", sizeof pk, raw[1], raw[4], pk.s, pk.l);
  struct rec recs[] = {{"delta", 3, 1.5}, {"alpha", 7, 0.5}, {"charlie", 3, 2.5}, {"bravo", 1, 9.0}, {"echo", 7, 3.0}};
  int n = sizeof recs / sizeof recs[0];
  qsort(recs, n, sizeof recs[0], by_score);
  for (int i = 0; i < n; i++) printf("%s:%d:%.1f ", recs[i].name, recs[i].score, recs[i].weight);
  printf("\n");
  struct rec copy = recs[2]; copy.score += 100; recs[3] = copy;
  printf("copy %s %d %d\n", recs[3].name, recs[3].score, recs[2].score);
  struct rec *key = bsearch(&recs[1], recs, n, sizeof recs[0], by_score);
  printf("bsearch %ld %d\n", key ? (long)(key - recs) : -1L, &recs[4] > &recs[1]);
  return 0;
}
