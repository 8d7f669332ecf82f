// Loops the vectorizer turns into <N x T> code at -O2/-O3: integer and float reductions, min/max,
// conversions, shuffles, compares with select, byte loops.
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#define N 1003
static int32_t a[N], b[N], c[N];
static int64_t l[N];
static float fa[N], fb[N];
static double da[N];
static uint8_t bytes[N];
static int16_t sh[N];

__attribute__((noinline)) static int64_t dot(const int32_t *x, const int32_t *y, int n) {
  int64_t s = 0; for (int i = 0; i < n; i++) s += (int64_t)x[i] * y[i]; return s;
}
__attribute__((noinline)) static float fsum(const float *x, int n) { float s = 0; for (int i = 0; i < n; i++) s += x[i] * 0.5f; return s; }
__attribute__((noinline)) static int32_t vmax(const int32_t *x, int n) { int32_t m = x[0]; for (int i = 1; i < n; i++) m = x[i] > m ? x[i] : m; return m; }
__attribute__((noinline)) static uint32_t bsum(const uint8_t *x, int n) { uint32_t s = 0; for (int i = 0; i < n; i++) s += x[i]; return s; }
__attribute__((noinline)) static void saxpy(float *y, const float *x, float k, int n) { for (int i = 0; i < n; i++) y[i] = k * x[i] + y[i]; }
__attribute__((noinline)) static void clampv(int32_t *x, int n) { for (int i = 0; i < n; i++) x[i] = x[i] < -50 ? -50 : x[i] > 50 ? 50 : x[i]; }
__attribute__((noinline)) static void rev(int32_t *dst, const int32_t *src, int n) { for (int i = 0; i < n; i++) dst[i] = src[n - 1 - i]; }
__attribute__((noinline)) static void widen(int64_t *dst, const int16_t *src, int n) { for (int i = 0; i < n; i++) dst[i] = src[i] * 3; }
__attribute__((noinline)) static void tod(double *dst, const int32_t *src, int n) { for (int i = 0; i < n; i++) dst[i] = src[i] / 4.0; }
__attribute__((noinline)) static int countif(const int32_t *x, int n) { int c = 0; for (int i = 0; i < n; i++) c += (x[i] & 3) == 1; return c; }
__attribute__((noinline)) static uint32_t hash(const uint8_t *p, int n) { uint32_t h = 2166136261u; for (int i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u; return h; }
__attribute__((noinline)) static void xorbytes(uint8_t *p, int n, uint8_t k) { for (int i = 0; i < n; i++) p[i] ^= (uint8_t)(k + i); }

int main(void) {
  uint32_t seed = 12345;
  for (int i = 0; i < N; i++) {
    seed = seed * 1103515245u + 12345u;
    a[i] = (int32_t)(seed >> 8) % 1000 - 500;
    b[i] = (int32_t)(seed >> 12) % 77 - 30;
    fa[i] = (float)(a[i]) / 8.0f; fb[i] = (float)b[i];
    bytes[i] = (uint8_t)(seed >> 3);
    sh[i] = (int16_t)(seed >> 5);
  }
  printf("dot %lld\n", (long long)dot(a, b, N));
  printf("fsum %.3f\n", fsum(fa, N));
  printf("max %d bsum %u\n", vmax(a, N), bsum(bytes, N));
  saxpy(fb, fa, 1.5f, N); printf("saxpy %.3f %.3f\n", fb[0], fb[N - 1]);
  memcpy(c, a, sizeof a); clampv(c, N); printf("clamp %d %d %d\n", c[0], c[5], c[N - 1]);
  rev(c, a, N); printf("rev %d %d\n", c[0], c[N - 1]);
  widen(l, sh, N); long long t = 0; for (int i = 0; i < N; i++) t += l[i]; printf("widen %lld\n", t);
  tod(da, a, N); double ds = 0; for (int i = 0; i < N; i++) ds += da[i]; printf("tod %.2f\n", ds);
  printf("countif %d hash %u\n", countif(a, N), hash(bytes, N));
  xorbytes(bytes, N, 7); printf("xor %u\n", hash(bytes, N));
  return 0;
}
