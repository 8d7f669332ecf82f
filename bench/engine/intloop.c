// Integer loops: sieve of Eratosthenes and Collatz lengths.
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  int n = 1 << 20;
  unsigned char *comp = malloc(n);
  long total = 0;
  for (int r = 0; r < reps; r++) {
    for (int i = 0; i < n; i++) comp[i] = 0;
    int count = 0;
    for (int i = 2; i < n; i++) {
      if (comp[i]) continue;
      count++;
      for (long j = (long)i * i; j < n; j += i) comp[j] = 1;
    }
    long best = 0;
    for (int s = 1; s < 20000; s++) {
      unsigned long x = s + r; int len = 0;
      while (x != 1) { x = (x & 1) ? 3 * x + 1 : x >> 1; len++; }
      if (len > best) best = len;
    }
    total += count + best;
  }
  printf("%ld\n", total);
  free(comp);
  return 0;
}
