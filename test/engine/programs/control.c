// Switch, function pointers, recursion, structs by value, globals with constant-expression initializers.
#include <stdio.h>
#include <string.h>

struct point { int x, y; };
struct big { long a, b, c; double d; char name[16]; };
struct mixed { char c; double d; short s; };

static int counter = 3;
static int table[] = {1, 2, 3, 5, 8, 13};
static int *ptab = &table[2];
static const char *names[] = {"zero", "one", "two", "three"};
static struct point pts[] = {{1, 2}, {3, 4}, {5, 6}};
static struct point *ppt = &pts[1];
static long diff = (long)((char *)&table[5] - (char *)&table[1]);
struct node { int v; struct node *next; };
static struct node n3 = {3, 0}, n2 = {2, &n3}, n1 = {1, &n2};

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static int (*ops[])(int, int) = {add, sub, mul};

__attribute__((noinline)) static struct point swap(struct point p) { struct point q = {p.y, p.x}; return q; }
__attribute__((noinline)) static struct big mkbig(long a, double d) {
  struct big b; b.a = a; b.b = a * 2; b.c = a * 3; b.d = d; strcpy(b.name, "bigstruct"); return b;
}
__attribute__((noinline)) static double sumbig(struct big b) { return b.a + b.b + b.c + b.d + strlen(b.name); }
__attribute__((noinline)) static struct mixed mkmixed(char c) { struct mixed m = {c, c * 1.5, (short)(c * 100)}; return m; }

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int ack(int m, int n) { return m == 0 ? n + 1 : n == 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1)); }

__attribute__((noinline)) static const char *classify(int c) {
  switch (c) {
    case 0: return "zero";
    case 1: case 2: case 3: return "small";
    case 10: return "ten";
    case 100: return "hundred";
    case -5: return "minus five";
    case 1000000: return "million";
    default: return c < 0 ? "negative" : "other";
  }
}
__attribute__((noinline)) static int dense(int c) {
  switch (c & 15) {
    case 0: return 7; case 1: return 3; case 2: return 9; case 3: return 1; case 4: return 4; case 5: return 6;
    case 6: return 2; case 7: return 8; case 8: return 5; case 9: return 0; default: return -1;
  }
}
__attribute__((noinline)) static long lswitch(long long v) {
  switch (v) { case 0x100000000LL: return 1; case -1: return 2; case 42: return 3; default: return 4; }
}

int main(void) {
  printf("%d %d %d %s %d %d %ld\n", counter, *ptab, ptab[-1], names[3], ppt->x, ppt[1].y, diff);
  for (struct node *n = &n1; n; n = n->next) printf("node %d\n", n->v);
  int acc = 0;
  for (int i = 0; i < 30; i++) acc += ops[i % 3](i, acc % 17);
  printf("acc %d\n", acc);
  struct point p = swap(pts[2]);
  struct big b = mkbig(7, 0.25);
  struct mixed mx = mkmixed(9);
  printf("%d %d %ld %ld %s %g %d %g %d\n", p.x, p.y, b.c, b.b, b.name, sumbig(b), mx.c, mx.d, mx.s);
  printf("fib %d ack %d\n", fib(22), ack(2, 300));
  int cs[] = {0, 1, 3, 10, 100, -5, 1000000, -9, 77};
  for (int i = 0; i < 9; i++) printf("%s %d ", classify(cs[i]), dense(cs[i] * 7));
  printf("\n%ld %ld %ld %ld\n", lswitch(0x100000000LL), lswitch(-1), lswitch(42), lswitch(43));
  struct point grid[4][4];
  for (int i = 0; i < 4; i++) for (int j = 0; j < 4; j++) grid[i][j] = (struct point){i * j, i - j};
  int t = 0; for (int i = 0; i < 4; i++) t += grid[i][3 - i].x * 10 + grid[3 - i][i].y;
  printf("grid %d\n", t);
  return fib(10) % 50;
}
