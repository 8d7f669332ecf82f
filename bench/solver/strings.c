/* Strings (const char *) whose characters are related: sums and xors of the first characters, checksums
 * of a prefix against a constant, two strings against each other, digits against their value, a key
 * against its value (solver benchmark, issue 16). Only strlen and memcmp from libc. */
#include <string.h>

#include "solver.h"

int str_sum_xor(const char *s) {
  if (!s || !s[0] || !s[1] || !s[2])
    return -1;
  int a = (unsigned char)s[0], b = (unsigned char)s[1], c = (unsigned char)s[2];
  unsigned r = 0;
  if (a + b == 200) {
    r += (unsigned)c % 7u + 1u;
    if (c == (a ^ 0x20))
      r += (unsigned)a % 11u + 20u;
  }
  if (a - b == c - a)
    r += (unsigned)b % 13u + 300u;
  if (c == a + b)
    r += (unsigned)c % 17u + 4000u;
  return (int)r;
}

int str_checksum(const char *s) {
  if (!s || strlen(s) < 4)
    return -1;
  size_t n = strlen(s);
  unsigned sum = 0, x = 0, r = 0;
  for (size_t i = 0; i < 4; i++) {
    sum += (unsigned char)s[i];
    x ^= (unsigned char)s[i];
  }
  if (sum == 400u) {
    r += x % 7u + 1u;
    if (x == 0x1Eu)
      r += sum % 11u + 20u;
  }
  if (sum * 33u + x == 0x3000u)
    r += x % 13u + 300u;
  if ((unsigned char)s[n - 1] == (sum & 0xffu) && n > 4)
    r += (unsigned)n % 17u + 4000u;
  return (int)r;
}

int str_two(const char *s, const char *t) {
  if (!s || !t)
    return -1;
  size_t ls = strlen(s), lt = strlen(t);
  unsigned r = 0;
  if (ls == lt && ls >= 3) {
    r += (unsigned)ls % 7u + 1u;
    if (memcmp(s, t, ls) == 0)
      r += (unsigned char)s[0] % 11u + 20u;
    else if (s[0] == t[ls - 1] && s[ls - 1] == t[0])
      r += (unsigned char)t[1] % 13u + 300u;
  }
  if (ls == 2 * lt && lt > 0 && memcmp(s, t, lt) == 0 && memcmp(s + lt, t, lt) == 0)
    r += (unsigned)lt % 17u + 4000u;
  if (ls + lt == 10 && s[0] == t[0])
    r += (unsigned char)s[1] % 19u + 50000u;
  return (int)r;
}

int str_number(const char *s) {
  if (!s || !(s[0] >= '0' && s[0] <= '9'))
    return -1;
  unsigned v = 0, dsum = 0, r = 0;
  int n = 0;
  while (n < 9 && s[n] >= '0' && s[n] <= '9') {
    v = v * 10u + (unsigned)(s[n] - '0');
    dsum += (unsigned)(s[n] - '0');
    n++;
  }
  if (v % 7u == 0u && dsum == 14u)
    r += v % 11u + 1u;
  if (v == dsum * dsum)
    r += dsum % 13u + 20u;
  if (s[n] == ':' && n == 2 && v < 24u)
    r += v % 5u + 300u;
  if (v > 100000u && dsum < 5u)
    r += (unsigned)n % 3u + 4000u;
  return (int)r;
}

int str_keyval(const char *s) {
  if (!s)
    return -1;
  const char *eq = 0;
  size_t i = 0;
  for (; s[i] && i < 32; i++)
    if (s[i] == '=' && !eq)
      eq = s + i;
  if (!eq || eq == s)
    return -2;
  size_t klen = (size_t)(eq - s), vlen = i - klen - 1;
  unsigned r = 0;
  if (klen == vlen) {
    r += (unsigned)klen % 7u + 1u;
    if (memcmp(s, eq + 1, klen) == 0)
      r += (unsigned char)s[0] % 11u + 20u;
  }
  if (vlen == 1 && eq[1] - '0' == (int)klen)
    r += (unsigned)klen % 13u + 300u;
  if (vlen > 0 && eq[vlen] == s[0])
    r += (unsigned)vlen % 17u + 4000u;
  return (int)r;
}

int str_shifted(const char *s, const char *t, int k) {
  if (!s || !t || k < 1 || k > 25)
    return -1;
  int i = 0;
  while (s[i] && t[i] && i < 16) {
    if (s[i] < 'a' || s[i] > 'z' || t[i] != 'a' + (s[i] - 'a' + k) % 26)
      return -2 - i;
    i++;
  }
  unsigned r = (unsigned)i;
  if (s[i] == t[i] && i >= 3)
    r += (unsigned)k % 7u + 10u;
  if (i > 0 && t[i - 1] == 'a')
    r += (unsigned char)s[i - 1] % 11u + 200u;
  if (s[i] != t[i] && t[i] == s[0])
    r += (unsigned)i % 13u + 3000u;
  return (int)r;
}

int str_mirror(const char *s) {
  if (!s)
    return -1;
  size_t n = strlen(s);
  if (n < 2 || n > 64)
    return -2;
  size_t i = 0;
  while (i < n / 2 && s[i] == s[n - 1 - i])
    i++;
  unsigned r = (unsigned)i;
  if (i == n / 2) {
    r += (unsigned)n % 7u + 10u;
    if (n % 2 == 1 && s[n / 2] == 'x')
      r += (unsigned char)s[0] % 11u + 200u;
  } else if (s[i] == s[n - 1 - i] + 2) {
    r += (unsigned)i % 13u + 3000u;
  }
  if (n >= 4 && s[1] + s[n - 2] == 200)
    r += (unsigned)n % 5u + 40000u;
  return (int)r;
}

int str_fields(const char *s) {
  if (!s)
    return -1;
  int fields = 1, maxlen = 0, cur = 0, digits = 0;
  for (int i = 0; s[i] && i < 64; i++) {
    if (s[i] == ',') {
      fields++;
      cur = 0;
      continue;
    }
    cur++;
    if (cur > maxlen)
      maxlen = cur;
    if (s[i] >= '0' && s[i] <= '9')
      digits++;
  }
  unsigned r = 0;
  if (fields == 3) {
    r += (unsigned)maxlen % 7u + 1u;
    if (maxlen == 1 && digits == 3)
      r += (unsigned)digits % 5u + 20u;
  }
  if (fields * 2 == maxlen)
    r += (unsigned)maxlen % 11u + 300u;
  if (digits > 0 && digits == maxlen * fields)
    r += (unsigned)digits % 13u + 4000u;
  return (int)r;
}
