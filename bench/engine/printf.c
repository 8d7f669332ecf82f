// printf-heavy code: formatted output of integers, floats and strings into a buffer.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  char buf[256];
  unsigned long h = 5381;
  for (int i = 0; i < reps * 2000; i++) {
    int n = snprintf(buf, sizeof buf, "%d|%5u|%-8s|%08x|%.3f|%g|%ld|%c", i, i * 7u, i & 1 ? "odd" : "even", i * 2654435761u, i / 7.0, i * 1e-3, (long)i * 1000003L, 'a' + i % 26);
    for (int k = 0; k < n; k++) h = h * 33 + (unsigned char)buf[k];
  }
  printf("%lu\n", h);
  return 0;
}
