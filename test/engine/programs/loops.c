// Loop shapes with 64-bit induction variables, including ones whose values leave the int32 range (the
// engine computes provably small i64 values as int32 and must not do so for these).
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

static volatile long vbig = 3000000000L;
static volatile int vn = 1000;

__attribute__((noinline)) static long sum_big(long n, long step) { long s = 0; for (long i = 0; i < n; i += step) s += i ^ (i >> 3); return s; }
__attribute__((noinline)) static unsigned long sum_u(unsigned n) { unsigned long s = 0; for (unsigned i = 0; i < n; i++) s += (unsigned long)i * i; return s; }
__attribute__((noinline)) static long down(long n) { long s = 0; for (long i = n; i > -n; i -= 7) s += i; return s; }
__attribute__((noinline)) static long wide_index(const int *a, long base, int n) { long s = 0; for (int i = 0; i < n; i++) s += a[i] * (base + i); return s; }
__attribute__((noinline)) static long mul_iv(int n) { long s = 0; for (int i = 0; i < n; i++) s += (long)i * 3000000L; return s; }
__attribute__((noinline)) static uint64_t shifts(int n) { uint64_t s = 0; for (int i = 0; i < n; i++) s += ((uint64_t)i << 33) >> (i & 7); return s; }
__attribute__((noinline)) static long nested(int n, int m) { long s = 0; for (int i = 0; i < n; i++) for (int j = 0; j < m; j++) s += (long)i * m + j; return s; }
__attribute__((noinline)) static long unsigned_wrap(unsigned n) { long s = 0; for (unsigned i = n; i != n + 10u; i++) s += i; return s; }

int main(void) {
  int *a = malloc(vn * sizeof(int));
  for (int i = 0; i < vn; i++) a[i] = i * 3 - 7;
  printf("%ld\n", sum_big(vbig, 1000003));
  printf("%lu\n", sum_u(70000));
  printf("%ld\n", down(vbig / 1000));
  printf("%ld\n", wide_index(a, vbig, vn));
  printf("%ld\n", mul_iv(vn * 5));
  printf("%llu\n", (unsigned long long)shifts(vn));
  printf("%ld\n", nested(300, 700));
  printf("%ld\n", unsigned_wrap(4294967290u));
  long long acc = 0;
  for (long i = 2147483640L; i < 2147483660L; i++) acc += i;
  for (int i = 2147483600; i < 2147483640; i += 5) acc += i;
  printf("%lld\n", acc);
  free(a);
  return 0;
}
