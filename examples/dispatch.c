/* Function pointers: an operator table, callbacks over arrays, qsort comparators, event handlers. */
#include <stdlib.h>
#include <string.h>

typedef int (*binop)(int, int);

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static int divide(int a, int b) { return b == 0 ? 0 : a / b; }

struct op {
  char symbol;
  binop fn;
};

static const struct op OPS[] = {{'+', add}, {'-', sub}, {'*', mul}, {'/', divide}};

/* The function for an operator symbol, or NULL. */
binop find_op(char symbol) {
  for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
    if (OPS[i].symbol == symbol) return OPS[i].fn;
  return NULL;
}

/* Evaluate "a OP b" for single-digit operands, e.g. "7*6"; returns -1 on bad input. */
int eval3(const char *s, int *out) {
  if (strlen(s) != 3 || s[0] < '0' || s[0] > '9' || s[2] < '0' || s[2] > '9') return -1;
  binop f = find_op(s[1]);
  if (f == NULL) return -1;
  *out = f(s[0] - '0', s[2] - '0');
  return 0;
}

/* Fold xs with f starting from init. */
int fold(const int *xs, size_t n, int init, binop f) {
  for (size_t i = 0; i < n; i++) init = f(init, xs[i]);
  return init;
}

/* Apply f to every element in place. */
void map_inplace(int *xs, size_t n, int (*f)(int)) {
  for (size_t i = 0; i < n; i++) xs[i] = f(xs[i]);
}

static int cmp_desc(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x < y) - (x > y);
}

/* Sort descending and return the median (0 for an empty array). */
int median_desc(int *xs, size_t n) {
  if (n == 0) return 0;
  qsort(xs, n, sizeof xs[0], cmp_desc);
  return xs[n / 2];
}

/* A tiny event bus: handlers registered per event id. */
#define MAX_EVENTS 8
#define MAX_HANDLERS 4

typedef void (*handler)(void *ctx, int payload);

struct bus {
  handler handlers[MAX_EVENTS][MAX_HANDLERS];
  void *ctx[MAX_EVENTS][MAX_HANDLERS];
  int count[MAX_EVENTS];
};

int bus_on(struct bus *b, int event, handler h, void *ctx) {
  if (event < 0 || event >= MAX_EVENTS || b->count[event] >= MAX_HANDLERS) return -1;
  int i = b->count[event]++;
  b->handlers[event][i] = h;
  b->ctx[event][i] = ctx;
  return 0;
}

/* Call every handler of event; returns how many ran. */
int bus_emit(struct bus *b, int event, int payload) {
  if (event < 0 || event >= MAX_EVENTS) return 0;
  for (int i = 0; i < b->count[event]; i++) b->handlers[event][i](b->ctx[event][i], payload);
  return b->count[event];
}
