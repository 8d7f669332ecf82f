// memcpy/memset/memcmp-heavy code: block copies of many sizes and a ring buffer.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  size_t n = 1 << 20;
  char *a = malloc(n), *b = malloc(n);
  for (size_t i = 0; i < n; i++) a[i] = (char)(i * 7);
  unsigned long check = 0;
  for (int r = 0; r < reps; r++) {
    for (size_t sz = 1; sz <= 4096; sz = sz * 3 + 1)
      for (size_t off = 0; off + sz < n; off += 8191) { memcpy(b + off, a + off + (r & 7), sz); check += (unsigned char)b[off + sz / 2]; }
    memset(b, r, n / 2);
    memmove(a + 1, a, n - 1);
    check += memcmp(a, b, 4096) > 0;
    for (int k = 0; k < 200; k++) { memcpy(b, a + k * 16, 65536); check += (unsigned char)b[k]; }
  }
  printf("%lu\n", check);
  return 0;
}
