// Integer arithmetic of every width, wrap-around, division, shifts, casts.
#include <stdio.h>
#include <stdint.h>

static volatile int vzero = 0;
__attribute__((noinline)) static uint64_t mix64(uint64_t a, uint64_t b) { return a * 6364136223846793005ULL + (b ^ (a >> 17)); }
__attribute__((noinline)) static int64_t sdiv64(int64_t a, int64_t b) { return a / b; }
__attribute__((noinline)) static int64_t srem64(int64_t a, int64_t b) { return a % b; }
__attribute__((noinline)) static uint64_t udiv64(uint64_t a, uint64_t b) { return a / b; }
__attribute__((noinline)) static uint64_t urem64(uint64_t a, uint64_t b) { return a % b; }

int main(void) {
  int8_t c8 = 127; c8 += vzero + 1;
  uint8_t u8 = 250; u8 += 10;
  int16_t s16 = -32768; s16 -= 1 + vzero;
  uint16_t u16 = 65535; u16 *= 3;
  printf("%d %u %d %u\n", c8, u8, s16, u16);
  int32_t a = 2147483647 + vzero; uint32_t ua = 4294967295u + vzero;
  printf("%d %u %d %u\n", a * 2, ua * ua, a >> 3, ua >> 31);
  printf("%d %d %d %d\n", -7 / (2 + vzero), -7 % (2 + vzero), 7 / (-2 + vzero), 7 % (-2 + vzero));
  uint64_t x = 0x0123456789abcdefULL + vzero;
  for (int i = 0; i < 10; i++) x = mix64(x, i);
  printf("%llu %llx\n", (unsigned long long)x, (unsigned long long)(x >> 7));
  int64_t vals[] = {0, 1, -1, 7, -7, 1000000007LL, -123456789012345LL, 0x7fffffffffffffffLL, (int64_t)0x8000000000000000ULL, 4294967296LL, 3};
  int n = sizeof vals / sizeof vals[0];
  int64_t acc = 0; uint64_t uacc = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      if (vals[j] == 0) continue;
      if (vals[i] == (int64_t)0x8000000000000000ULL && vals[j] == -1) continue;
      acc += sdiv64(vals[i], vals[j]) ^ srem64(vals[i], vals[j]);
      uacc += udiv64((uint64_t)vals[i], (uint64_t)vals[j]) * 3 + urem64((uint64_t)vals[i], (uint64_t)vals[j]);
    }
  printf("%lld %llu\n", (long long)acc, (unsigned long long)uacc);
  for (int s = 0; s < 64; s += 7) {
    uint64_t v = 0xfedcba9876543210ULL + vzero;
    int64_t sv = (int64_t)v;
    printf("%d %llx %llx %llx\n", s, (unsigned long long)(v << s), (unsigned long long)(v >> s), (unsigned long long)(sv >> s));
  }
  __int128 big = (__int128)x * (__int128)0x123456789LL;
  unsigned __int128 ubig = (unsigned __int128)x * x;
  printf("%llx %llx %llx\n", (unsigned long long)(big >> 64), (unsigned long long)big, (unsigned long long)(ubig >> 64));
  printf("%lld %lld\n", (long long)(big / 1000000007), (long long)(big % 1000000007));
  // casts
  double d = -3.75 + vzero; float f = 1e10f + vzero;
  printf("%d %u %lld %llu %d\n", (int)d, (unsigned)(-d), (long long)(d * 1e12), (unsigned long long)(1e19 + vzero), (int)(short)-7000.0);
  printf("%f %f %f %g\n", (double)(int64_t)-5, (double)(uint64_t)0xffffffffffffffffULL, (float)(uint32_t)4294967295u, (double)f);
  printf("%d %d %d\n", (int)(signed char)200, (int)(unsigned char)-1, (int)(short)(unsigned short)40000);
  long long ll = -1; unsigned long long ull = (unsigned)ll;
  printf("%llu %lld\n", ull, (long long)(int)0x80000000u);
  return (int)(acc & 0x7f);
}
