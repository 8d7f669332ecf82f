// stdlib.h: qsort (comparator call order), bsearch, rand family, conversions, environment, exit handlers.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

static int ncalls;
static int cmp_int(const void *a, const void *b) {
  ncalls++;
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
struct rec { int key; int seq; char pad[40]; };
static int cmp_rec(const void *a, const void *b) {
  ncalls++;
  return ((const struct rec *)a)->key - ((const struct rec *)b)->key;
}
static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmp_trace(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  printf("(%d,%d)", x, y);
  return x - y;
}
static void bye1(void) { printf("bye1\n"); }
static void bye2(void) { printf("bye2\n"); }

int main(void) {
  int a[37];
  for (int i = 0; i < 37; i++) a[i] = (i * 7919) % 37 - 10;
  qsort(a, 37, sizeof a[0], cmp_int);
  for (int i = 0; i < 37; i++) printf("%d ", a[i]);
  printf("\ncalls %d\n", ncalls);
  int t[] = {5, 1, 4, 2, 3, 3};
  qsort(t, 6, sizeof t[0], cmp_trace);
  printf("\n");
  struct rec r[20];
  for (int i = 0; i < 20; i++) { r[i].key = (i * 13) % 5; r[i].seq = i; }
  ncalls = 0;
  qsort(r, 20, sizeof r[0], cmp_rec);
  for (int i = 0; i < 20; i++) printf("%d.%d ", r[i].key, r[i].seq);
  printf("\ncalls %d\n", ncalls);
  const char *words[] = {"pear", "apple", "fig", "banana", "cherry"};
  qsort(words, 5, sizeof words[0], cmp_str);
  for (int i = 0; i < 5; i++) printf("%s ", words[i]);
  printf("\n");
  for (int k = -12; k <= 28; k += 5) {
    int *p = bsearch(&k, a, 37, sizeof a[0], cmp_int);
    printf("bsearch %d -> %ld\n", k, p ? (long)(p - a) : -1L);
  }
  printf("rand");
  for (int i = 0; i < 5; i++) printf(" %d", rand());
  srand(0);
  printf("\nsrand0 %d %d\n", rand(), rand());
  srand(4000000000u);
  printf("srandbig %d %d\n", rand(), rand());
  srandom(7);
  printf("random %ld %ld\n", random(), random());
  unsigned seed = 123;
  printf("rand_r %d %d %d\n", rand_r(&seed), rand_r(&seed), rand_r(&seed));
  srand48(99);
  printf("48: %.17g %ld %ld\n", drand48(), lrand48(), mrand48());
  unsigned short xs[3] = {1, 2, 3};
  printf("erand48 %.17g %ld\n", erand48(xs), nrand48(xs));
  printf("abs %d %ld %lld\n", abs(-5), labs(-7L), llabs(-9LL));
  div_t q = div(-17, 5);
  printf("div %d %d\n", q.quot, q.rem);
  char *end;
  errno = 0;
  long v = strtol("  -123abc", &end, 10);
  printf("strtol %ld '%s' %d\n", v, end, errno);
  v = strtol("99999999999999999999", &end, 10);
  printf("strtol ovf %ld %d\n", v, errno == ERANGE);
  printf("strtoul %lu\n", strtoul("-1", NULL, 10));
  printf("strtoull %llu\n", strtoull("0x7fffffffffffffff", NULL, 0));
  double dv = strtod("1.5e3xyz", &end);
  printf("strtod %g '%s'\n", dv, end);
  printf("strtof %.9g\n", (double)strtof("0.1", NULL));
  printf("strtold %.21Lg\n", strtold("0.1", NULL));
  printf("atoi %d %ld %lld %g\n", atoi("42x"), atol("-77"), atoll("123456789012"), atof("2.5"));
  printf("getenv %s\n", getenv("INPUTSMITH_NOPE") ? "set" : "null");
  setenv("MYVAR", "value1", 1);
  setenv("MYVAR", "value2", 0);
  printf("getenv %s\n", getenv("MYVAR"));
  unsetenv("MYVAR");
  printf("getenv %s\n", getenv("MYVAR") ? "set" : "null");
  int *m = malloc(10 * sizeof(int));
  for (int i = 0; i < 10; i++) m[i] = i * i;
  m = realloc(m, 20 * sizeof(int));
  printf("realloc %d %d\n", m[3], m[9]);
  int *c = calloc(5, sizeof(int));
  printf("calloc %d %d\n", c[0], c[4]);
  free(c);
  free(m);
  void *al = aligned_alloc(64, 128);
  printf("aligned %d\n", (int)((unsigned long)al % 64));
  free(al);
  void *pm;
  printf("posix_memalign %d %d\n", posix_memalign(&pm, 32, 100), (int)((unsigned long)pm % 32));
  free(pm);
  atexit(bye1);
  atexit(bye2);
  exit(7);
}
