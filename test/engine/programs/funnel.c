// Rotates and funnel shifts of every width (clang emits llvm.fshl/fshr): constant amounts (inlined for
// i64) and variable amounts, including 0, 32 and 63 and amounts above the width.
#include <stdio.h>
#include <stdint.h>

static volatile int vzero = 0;
#define ROTL(w, x, n) (((x) << ((n) & ((w) - 1))) | ((x) >> (-(n) & ((w) - 1))))
#define ROTR(w, x, n) (((x) >> ((n) & ((w) - 1))) | ((x) << (-(n) & ((w) - 1))))
__attribute__((noinline)) static uint64_t rotl64(uint64_t x, unsigned n) { return ROTL(64, x, n); }
__attribute__((noinline)) static uint64_t rotr64(uint64_t x, unsigned n) { return ROTR(64, x, n); }
__attribute__((noinline)) static uint32_t rotl32(uint32_t x, unsigned n) { return ROTL(32, x, n); }
__attribute__((noinline)) static uint16_t rotl16(uint16_t x, unsigned n) { return (uint16_t)ROTL(16, x, n); }
__attribute__((noinline)) static uint8_t rotr8(uint8_t x, unsigned n) { return (uint8_t)ROTR(8, x, n); }
/* Two different words: (hi:lo) >> n, the double-shift of 128-bit arithmetic. */
__attribute__((noinline)) static uint64_t shrd(uint64_t hi, uint64_t lo, unsigned n) {
  n &= 63;
  return n ? (lo >> n) | (hi << (64 - n)) : lo;
}
__attribute__((noinline)) static uint64_t shld(uint64_t hi, uint64_t lo, unsigned n) {
  n &= 63;
  return n ? (hi << n) | (lo >> (64 - n)) : hi;
}

static uint64_t keccak_like(uint64_t s) {
  uint64_t a = s, b = s ^ 0x9e3779b97f4a7c15ULL, c = ~s;
  for (int r = 0; r < 24; r++) {
    a ^= ROTL(64, b, 1) ^ ROTL(64, c, 7);
    b ^= ROTL(64, a, 32) + ROTR(64, c, 19);
    c ^= ROTL(64, a, 44) ^ ROTL(64, b, 63) ^ ROTR(64, a, 33);
    a += (uint64_t)r * 0x100000001b3ULL;
  }
  return a ^ b ^ c;
}

int main(void) {
  uint64_t xs[] = {0, 1, 0x8000000000000000ULL, 0x0123456789abcdefULL, 0xfedcba9876543210ULL, ~0ULL, 0xdeadbeefULL};
  unsigned ns[] = {0, 1, 7, 31, 32, 33, 44, 63, 64, 65, 127, 200};
  uint64_t acc = 0;
  for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++)
    for (unsigned j = 0; j < sizeof ns / sizeof ns[0]; j++) {
      uint64_t x = xs[i] + vzero;
      unsigned n = ns[j] + vzero;
      uint64_t r1 = rotl64(x, n), r2 = rotr64(x, n), r3 = rotl32((uint32_t)x, n);
      uint64_t r4 = shrd(x, xs[(i + 3) % 7], n), r5 = shld(x, xs[(i + 5) % 7], n);
      acc = acc * 31 + rotl16((uint16_t)x, n) + rotr8((uint8_t)x, n);
      printf("%016llx %016llx %08x %016llx %016llx\n", (unsigned long long)r1, (unsigned long long)r2,
               (unsigned)r3, (unsigned long long)r4, (unsigned long long)r5);
    }
  uint64_t k = 0;
  for (unsigned i = 0; i < 7; i++) k += keccak_like(xs[i] + vzero);
  printf("%016llx %016llx\n", (unsigned long long)acc, (unsigned long long)k);
  printf("%016llx %016llx %016llx\n", (unsigned long long)ROTL(64, xs[3] + vzero, 13),
         (unsigned long long)ROTR(64, xs[4] + vzero, 32), (unsigned long long)ROTL(64, xs[4] + vzero, 0));
  return (int)(k & 0x3f);
}
