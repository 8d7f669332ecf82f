/* Integer relations among several inputs: sums, differences, products, shifts, masks, a computed switch,
 * an index computed from inputs, loops whose result is compared (solver benchmark, issue 16). */
#include "solver.h"

int sum_xor_gate(unsigned a, unsigned b) {
  unsigned r = 1;
  if (a * 3u + b == 0x1234u) {
    r += a % 13u + 2u;
    if ((a ^ b) == 148u)
      r += b % 11u + 40u;
  }
  if (a - b == 1000u && a > 5000u)
    r += (a ^ b) % 17u + 300u;
  if ((a & 0xffu) == (b >> 24) && b > 0x01000000u)
    r += b % 19u + 5000u;
  return (int)r;
}

int diff_window(int x, int y, int z) {
  long long d1 = (long long)x - y, d2 = (long long)y - z;
  int r = 0;
  if (d1 == d2) {
    r += (int)(d1 % 7) + 10;
    if (d1 > 100 && d1 < 200)
      r += (int)(d1 / 3);
  } else if (d1 == -d2 && x != y) {
    r += x % 5 + 20;
  }
  if (d1 + d2 == 12345)
    r += (int)(d2 % 9) + 3000;
  return r;
}

int mul_pair(unsigned a, unsigned b) {
  if (a < 2u || b < 2u || a > 65535u || b > 65535u)
    return -1;
  unsigned p = a * b, r = 0;
  if (p == 391u && a < b)
    r += a % 5u + 1u;
  if (a * a + b * b == 625u && a < b)
    r += b % 9u + 100u;
  if ((p & 1u) && a + b == 100u)
    r += p % 13u + 1000u;
  return (int)r;
}

int shift_mask(unsigned x, unsigned y, unsigned k) {
  unsigned s = k & 15u, r = 0;
  if ((x >> s) == y && y != 0u) {
    r += x % 10u + 1u;
    if (s == 7u && (x & 0x7fu) == 5u)
      r += y % 6u + 20u;
  }
  if (((x << s) | s) == (y ^ 0xA5A5u))
    r += x % 14u + 300u;
  if ((x & y) == 0xF0u && (x | y) == 0xFFu)
    r += y % 15u + 4000u;
  return (int)r;
}

int check_digits(unsigned a, unsigned b, unsigned c) {
  if (a > 9u || b > 9u || c > 9u)
    return -1;
  unsigned n = a * 100u + b * 10u + c, r = 0;
  if ((a * 7u + b * 3u + c) % 10u == 0u) {
    r += n % 13u + 1u;
    if (n > 500u)
      r += n % 11u + 20u;
  }
  if (a + b == c && a != 0u)
    r += n % 17u + 300u;
  if (n % 37u == 0u && a != b)
    r += n / 37u + 4000u;
  return (int)r;
}

int switch_computed(unsigned a, unsigned b) {
  unsigned key = ((a << 4) ^ b) - (a >> 3), r = 0;
  switch (key) {
  case 0x1000u:
    r = a % 9u + 1u;
    break;
  case 0xBEEFu:
    r = b % 7u + 20u;
    break;
  case 7u:
    r = (a ^ b) % 5u + 300u;
    break;
  default:
    r = 0u;
    break;
  }
  if (r != 0u && a != 0u)
    r += a % 3u + 4000u;
  return (int)r;
}

int pick_pair(const int *arr, unsigned n, unsigned i, unsigned j) {
  if (!arr || n < 4u || n > 64u)
    return -1;
  unsigned x = (i * 5u + j) % n, y = (i ^ j) % n, r = 0;
  long long vx = arr[x], vy = arr[y];
  if (x == y && vx == 42)
    r += i % 7u + 1u;
  if (vx == vy + 10 && x != y)
    r += j % 5u + 20u;
  if (vx + vy == 100 && x < y) {
    r += (unsigned)(vx % 9 + 9) + 300u;
    if (vx * vy == 2400)
      r += (x + y) % 7u + 4000u;
  }
  return (int)r;
}

int nested_order(int a, int b, int c) {
  long long la = a, lb = b, lc = c;
  unsigned r = 0;
  if (la < lb) {
    r += (unsigned)(lb - la) % 7u + 1u;
    if (lb < lc) {
      r += (unsigned)(lc - lb) % 5u + 20u;
      if (lc - la == 3)
        r += (unsigned)a % 11u + 300u;
    } else if (la + lb + lc == 0) {
      r += (unsigned)b % 13u + 4000u;
    }
  }
  if (la == lb * 2 && lb == lc * 2 && lc != 0)
    r += (unsigned)c % 17u + 50000u;
  return (int)r;
}

int popcount_rel(unsigned x, unsigned y) {
  int px = 0, py = 0;
  unsigned r = 0;
  for (unsigned t = x; t; t &= t - 1u)
    px++;
  for (unsigned t = y; t; t &= t - 1u)
    py++;
  if (px == py + 3) {
    r += x % 7u + 1u;
    if ((x & y) == y && y != 0u)
      r += y % 5u + 20u;
  }
  if (px == 16 && py == 16 && (x ^ y) == 0xFFFFFFFFu)
    r += x % 11u + 300u;
  if (px + py == 1)
    r += (x | y) % 13u + 4000u;
  return (int)r;
}

int gcd_gate(unsigned a, unsigned b) {
  if (a == 0u || b == 0u)
    return -1;
  unsigned x = a, y = b, r = 0;
  while (y != 0u) {
    unsigned t = x % y;
    x = y;
    y = t;
  }
  if (x == 1u && a + b == 1000u)
    r += a % 7u + 1u;
  if (x == 12u && a / x + b / x == 5u)
    r += b % 5u + 20u;
  if (x == a && b == a * 7u)
    r += b % 11u + 300u;
  return (int)r;
}
