// qsort with a comparator called back from the libc model: 50,000 ints sorted, reps times.
#include <stdio.h>
#include <stdlib.h>
static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  int n = 50000;
  int *v = malloc(n * sizeof *v);
  unsigned long h = 0;
  for (int r = 0; r < reps; r++) {
    unsigned s = 12345u + r;
    for (int i = 0; i < n; i++) v[i] = (int)((s = s * 1103515245u + 12345u) >> 1);
    qsort(v, n, sizeof *v, cmp_int);
    h = h * 31 + (unsigned)v[n / 2] + (unsigned)v[7];
  }
  printf("%lu\n", h);
  free(v);
  return 0;
}
