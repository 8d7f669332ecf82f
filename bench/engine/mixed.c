// The mixed program of issue 19: a sieve, qsort with a comparator, a malloc'd binary tree, snprintf and
// libm; 10 repetitions are the sizes (200,000 ints, 100,000 nodes, 200,000 snprintf calls, 2 M
// libm evaluations), one repetition a tenth of them.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { int key; struct node *l, *r; };
static int cmp(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
static struct node *ins(struct node *t, int k) {
  struct node **p = &t;
  while (*p) p = k < (*p)->key ? &(*p)->l : &(*p)->r;
  *p = calloc(1, sizeof **p);
  (*p)->key = k;
  return t;
}
static long walk(struct node *t) {
  if (!t) return 0;
  long s = t->key + walk(t->l) + walk(t->r);
  free(t);
  return s;
}
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  unsigned long h = 0;
  for (int r = 0; r < reps; r++) {
    enum { N = 1 << 17 };
    char *sieve = calloc(N, 1);
    for (int i = 2; i < N; i++)
      if (!sieve[i]) { h += i; for (long j = (long)i * i; j < N; j += i) sieve[j] = 1; }
    free(sieve);
    int n = 20000, *v = malloc(n * sizeof *v);
    unsigned s = 99u + r;
    for (int i = 0; i < n; i++) v[i] = (int)((s = s * 1103515245u + 12345u) >> 1);
    qsort(v, n, sizeof *v, cmp);
    h += (unsigned)v[n / 3];
    free(v);
    struct node *t = NULL;
    for (int i = 0; i < 10000; i++) t = ins(t, (int)((s = s * 1664525u + 1013904223u) >> 8));
    h += (unsigned long)walk(t);
    char buf[64];
    for (int i = 0; i < 20000; i++) {
      int k = snprintf(buf, sizeof buf, "%d:%.2f:%s", i, i * 0.5, i & 1 ? "x" : "yy");
      h += (unsigned char)buf[k - 1];
    }
    double acc = 0;
    for (int i = 1; i <= 200000; i++) acc += sin(i * 1e-6) + sqrt((double)i) + log((double)i);
    h += (unsigned long)acc;
  }
  printf("%lu\n", h);
  return 0;
}
