// bsearch with a comparator over a sorted table, and strcmp-keyed lookups.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  enum { N = 4096 };
  static int table[N];
  for (int i = 0; i < N; i++) table[i] = i * 3;
  unsigned long found = 0;
  for (int i = 0; i < reps * 200000; i++) {
    int key = (int)((i * 2654435761u) % (N * 3));
    int *p = bsearch(&key, table, N, sizeof table[0], cmp_int);
    if (p != NULL) found += (unsigned long)(p - table);
  }
  printf("%lu\n", found);
  return 0;
}
