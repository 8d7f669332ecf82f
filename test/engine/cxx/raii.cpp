// Destructors run while unwinding: locals of every frame between throw and catch (frames without try
// included), partially constructed objects and arrays, members of a throwing constructor, temporaries.
#include <cstdio>

struct R {
  const char *n;
  int i;
  R(const char *n_, int i_ = 0) : n(n_), i(i_) { printf("+%s%d\n", n, i); }
  ~R() { printf("-%s%d\n", n, i); }
};

struct Boom {
  R a, b;
  Boom(int k) : a("a", k), b("b", k) {
    if (k == 2) throw k;
    printf("Boom(%d) done\n", k);
  }
  ~Boom() { printf("~Boom\n"); }
};

struct Arr {
  static int count;
  R r;
  Arr() : r("arr", count) {
    if (count++ == 3) throw "fourth element";
  }
};
int Arr::count = 0;

static void f3(int k) {
  R r("f3_", k);
  if (k > 0) throw k * 100;
  printf("f3 no throw\n");
}
static void f2(int k) {
  R r("f2_", k);
  {
    R s("f2block", k);
  }
  f3(k);
  R t("f2after", k);
}
static void f1(int k) {
  R r("f1_", k);
  for (int i = 0; i < 2; i++) {
    R l("loop", i);
    if (i == 1) f2(k);
  }
}

static int use(const R &r, int k) {
  if (k) throw 5;
  return r.i;
}

int main() {
  try {
    f1(0);
    f1(7);
  } catch (int v) {
    printf("caught %d\n", v);
  }
  try {
    Boom b1(1);
    Boom b2(2);
  } catch (int k) {
    printf("Boom caught %d\n", k);
  }
  try {
    Arr a[6];
  } catch (const char *s) {
    printf("Arr caught %s\n", s);
  }
  try {
    int x = use(R("tmp", 1), 0) + use(R("tmp", 2), 1);
    printf("x=%d\n", x);
  } catch (int v) {
    printf("temporary caught %d\n", v);
  }
  try {
    Boom *p = new Boom(2);
    printf("wrong %p\n", (void *)p);
  } catch (int k) {
    printf("new Boom caught %d\n", k);
  }
  return 0;
}
