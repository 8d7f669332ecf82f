// Exceptions through several frames without try, through function pointers, virtual calls, recursion,
// and static local initialisation that throws (retried next time).
#include <cstdio>

typedef int (*fn_t)(int);

static int leaf(int x) {
  if (x % 3 == 0) throw x;
  return x + 1;
}
static int viaPtr(fn_t f, int x) { return f(x) * 2; }
static int chain3(int x) { return viaPtr(leaf, x) + 1; }
static int chain2(int x) { return chain3(x) + 1; }
static int chain1(int x) { return chain2(x) + 1; }

struct Shape {
  virtual ~Shape() {}
  virtual int area() const = 0;
};
struct Sq : Shape {
  int s;
  Sq(int s_) : s(s_) {}
  int area() const override {
    if (s < 0) throw "negative side";
    return s * s;
  }
};

static int recurse(int n) {
  if (n == 0) throw 1000;
  return recurse(n - 1) + 1;
}

static int attempts = 0;
struct Lazy {
  int v;
  Lazy() : v(++attempts) {
    if (attempts < 3) throw attempts;
  }
};
static int lazy() {
  static Lazy l;
  return l.v;
}

int main() {
  fn_t table[] = {chain1, chain2, chain3, leaf};
  int sum = 0;
  for (int i = 0; i < 12; i++) {
    try {
      sum += table[i % 4](i);
    } catch (int v) {
      printf("i=%d threw %d\n", i, v);
      sum -= v;
    }
  }
  printf("sum=%d\n", sum);
  Sq a(3), b(-1);
  Shape *shapes[] = {&a, &b, &a};
  for (Shape *s : shapes) {
    try {
      printf("area %d\n", s->area());
    } catch (const char *m) {
      printf("area failed: %s\n", m);
    }
  }
  try {
    recurse(500);
  } catch (int v) {
    printf("recursion unwound %d\n", v);
  }
  for (int i = 0; i < 4; i++) {
    try {
      printf("lazy %d\n", lazy());
    } catch (int v) {
      printf("lazy init failed %d\n", v);
    }
  }
  return sum & 0x7f;
}
