// Checked arithmetic (llvm.*.with.overflow and saturating ops) of every width against edge values:
// i64 runs on int32 pairs in the engine, so carries, borrows and signs of the halves all matter.
#include <stdio.h>
#include <stdint.h>

static volatile int vzero = 0;
#define TRY(T, op, x, y)                                                                                     \
  do {                                                                                                       \
    T r_;                                                                                                    \
    int o_ = __builtin_##op##_overflow((T)(x), (T)(y), &r_);                                                 \
    h = h * 1000003u + (uint64_t)r_ * 2 + (uint64_t)o_;                                                       \
    n += o_;                                                                                                 \
  } while (0)

int main(void) {
  const uint64_t v[] = {0, 1, 2, 3, 0x7fffffffULL, 0x80000000ULL, 0xffffffffULL, 0x100000000ULL, 0x100000001ULL,
                        0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xfffffffffffffffeULL, ~0ULL,
                        0xdeadbeefcafebabeULL, 0x00000000ffff0000ULL, 0xffffffff00000000ULL, 3037000499ULL,
                        3037000500ULL, 4294967296ULL * 65536, (uint64_t)-3037000500LL};
  const int k = sizeof v / sizeof v[0];
  uint64_t h = 0;
  int n = 0;
  for (int i = 0; i < k; i++)
    for (int j = 0; j < k; j++) {
      uint64_t x = v[i] + vzero, y = v[j] + vzero;
      TRY(uint64_t, add, x, y); TRY(uint64_t, sub, x, y); TRY(uint64_t, mul, x, y);
      TRY(int64_t, add, x, y); TRY(int64_t, sub, x, y); TRY(int64_t, mul, x, y);
      TRY(uint32_t, add, x, y); TRY(int32_t, sub, x, y); TRY(int32_t, mul, x, y); TRY(uint32_t, mul, x, y);
      TRY(uint16_t, add, x, y); TRY(int8_t, mul, x, y);
    }
  printf("%016llx %d\n", (unsigned long long)h, n);
  /* One line per i64 pair so a failure points at the operands. */
  for (int i = 0; i < k; i += 3) {
    uint64_t x = v[i] + vzero, y = v[(i * 7 + 5) % k] + vzero;
    uint64_t ua, us, um; int64_t sa, ss, sm;
    int o1 = __builtin_add_overflow(x, y, &ua), o2 = __builtin_sub_overflow(x, y, &us), o3 = __builtin_mul_overflow(x, y, &um);
    int o4 = __builtin_add_overflow((int64_t)x, (int64_t)y, &sa), o5 = __builtin_sub_overflow((int64_t)x, (int64_t)y, &ss);
    int o6 = __builtin_mul_overflow((int64_t)x, (int64_t)y, &sm);
    printf("%llx %llx: %llx%d %llx%d %llx%d %llx%d %llx%d %llx%d\n", (unsigned long long)x, (unsigned long long)y,
           (unsigned long long)ua, o1, (unsigned long long)us, o2, (unsigned long long)um, o3, (unsigned long long)sa, o4,
           (unsigned long long)ss, o5, (unsigned long long)sm, o6);
  }
  return n & 0x7f;
}
