// An exception thrown by a callback that a C library function calls (a qsort comparator) unwinds through
// the library call to the caller's handler; the library works normally afterwards.
#include <cstdio>
#include <cstdlib>

static int calls = 0;
static int limit = 5;

static int cmp(const void *a, const void *b) {
  if (++calls == limit) throw calls;
  return *(const int *)a - *(const int *)b;
}

int main() {
  int v[10] = {5, 3, 9, 1, 7, 2, 8, 6, 4, 0};
  try {
    qsort(v, 10, sizeof(int), cmp);
    printf("not reached\n");
  } catch (int c) {
    printf("comparator threw at call %d\n", c);
  }
  limit = -1;
  qsort(v, 10, sizeof(int), cmp);
  for (int x : v) printf("%d ", x);
  printf("\n");
  return 0;
}
