/* Parsing "key=value; key2=value2" configuration strings. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAIRS 16
#define MAX_TEXT 64

struct pair {
  char key[MAX_TEXT];
  char value[MAX_TEXT];
};

/* Trim leading and trailing blanks in place; returns s. */
char *trim(char *s) {
  char *start = s;
  while (isspace((unsigned char)*start)) start++;
  size_t n = strlen(start);
  while (n > 0 && isspace((unsigned char)start[n - 1])) n--;
  memmove(s, start, n);
  s[n] = '\0';
  return s;
}

/* Parse a decimal int in [lo, hi]; returns 0 on success, -1 on junk or out of range. */
int parse_int(const char *s, int lo, int hi, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end != '\0' || errno == ERANGE || v < lo || v > hi) return -1;
  *out = (int)v;
  return 0;
}

/* Copy at most cap-1 bytes of [from, to) into dst, NUL-terminated; returns -1 when it does not fit. */
static int copy_span(char *dst, size_t cap, const char *from, const char *to) {
  size_t n = (size_t)(to - from);
  if (n >= cap) return -1;
  memcpy(dst, from, n);
  dst[n] = '\0';
  return 0;
}

/* Parse text into at most MAX_PAIRS pairs; returns the number parsed, or -1 on a malformed entry. */
int parse_pairs(const char *text, struct pair *pairs) {
  int count = 0;
  while (*text != '\0') {
    const char *end = strchr(text, ';');
    if (end == NULL) end = text + strlen(text);
    const char *eq = memchr(text, '=', (size_t)(end - text));
    if (eq == NULL || count == MAX_PAIRS) return -1;
    struct pair *p = &pairs[count];
    if (copy_span(p->key, sizeof p->key, text, eq) != 0) return -1;
    if (copy_span(p->value, sizeof p->value, eq + 1, end) != 0) return -1;
    trim(p->key);
    trim(p->value);
    if (p->key[0] == '\0') return -1;
    count++;
    text = *end == ';' ? end + 1 : end;
  }
  return count;
}

/* The value for key among n pairs, or NULL. */
const char *lookup(const struct pair *pairs, int n, const char *key) {
  for (int i = 0; i < n; i++)
    if (strcmp(pairs[i].key, key) == 0) return pairs[i].value;
  return NULL;
}

/* Read "port" from a configuration string; returns the port or -1. */
int config_port(const char *text) {
  struct pair pairs[MAX_PAIRS];
  int n = parse_pairs(text, pairs);
  if (n < 0) return -1;
  const char *v = lookup(pairs, n, "port");
  int port;
  if (v == NULL || parse_int(v, 1, 65535, &port) != 0) return -1;
  return port;
}
