// Catching derived classes by reference and pointer to base: single, multiple and virtual inheritance
// (with this-pointer adjustment), ambiguous and private bases (not caught), void* and const pointers.
#include <cstdio>

struct Base {
  int b = 1;
  virtual ~Base() {}
  virtual const char *name() const { return "Base"; }
};
struct Mid : Base {
  int m = 2;
  const char *name() const override { return "Mid"; }
};
struct Leaf : Mid {
  int l = 3;
  const char *name() const override { return "Leaf"; }
};

struct A {
  int a = 10;
  virtual ~A() {}
};
struct B {
  int b = 20;
  virtual ~B() {}
};
struct AB : A, B {
  int ab = 30;
};

struct V {
  int v = 100;
  virtual ~V() {}
};
struct X : virtual V {
  int x = 200;
};
struct Y : virtual V {
  int y = 300;
};
struct XY : X, Y {
  int xy = 400;
};

struct P {
  int p = 5;
};
struct Q1 : P {};
struct Q2 : P {};
struct Amb : Q1, Q2 {};
struct Priv : private P {
  int q = 6;
};

template <class T> void thrower(int k) {
  if (k >= 0) throw T();
}

int main() {
  try {
    thrower<Leaf>(1);
  } catch (Base &e) {
    printf("Base& caught %s b=%d\n", e.name(), e.b);
  }
  try {
    thrower<Leaf>(1);
  } catch (Leaf &e) {
    printf("Leaf& first: %d\n", e.l);
  } catch (Mid &e) {
    printf("wrong Mid\n");
  }
  try {
    thrower<Mid>(1);
  } catch (Leaf &e) {
    printf("wrong Leaf\n");
  } catch (Mid &e) {
    printf("Mid& %s m=%d\n", e.name(), e.m);
  }
  try {
    thrower<AB>(1);
  } catch (B &e) {
    printf("B& of AB: b=%d\n", e.b);
  }
  try {
    thrower<AB>(1);
  } catch (A &e) {
    printf("A& of AB: a=%d\n", e.a);
  }
  try {
    thrower<XY>(1);
  } catch (V &e) {
    printf("V& of XY: v=%d\n", e.v);
  }
  try {
    thrower<XY>(1);
  } catch (Y &e) {
    printf("Y& of XY: y=%d v=%d\n", e.y, e.v);
  }
  try {
    thrower<Amb>(1);
  } catch (P &e) {
    printf("wrong: ambiguous base caught\n");
  } catch (Q2 &e) {
    printf("Q2& of Amb: p=%d\n", e.p);
  }
  try {
    thrower<Priv>(1);
  } catch (P &e) {
    printf("wrong: private base caught\n");
  } catch (...) {
    printf("private base not caught\n");
  }
  // Pointers.
  static AB ab;
  static XY xy;
  static Leaf leaf;
  try {
    throw &ab;
  } catch (B *p) {
    printf("B* of AB*: b=%d adjusted=%d\n", p->b, (void *)p != (void *)&ab);
  }
  try {
    throw &xy;
  } catch (const V *p) {
    printf("const V* of XY*: v=%d\n", p->v);
  }
  try {
    throw &leaf;
  } catch (void *p) {
    printf("void* of Leaf*: same=%d\n", p == (void *)&leaf);
  }
  try {
    throw (const Leaf *)&leaf;
  } catch (Leaf *p) {
    printf("wrong: const dropped\n");
  } catch (const Base *p) {
    printf("const Base* of const Leaf*: %s\n", p->name());
  }
  try {
    throw (Leaf *)nullptr;
  } catch (Base *p) {
    printf("null Leaf* as Base*: %d\n", p == nullptr);
  }
  try {
    throw nullptr;
  } catch (int *p) {
    printf("nullptr as int*: %d\n", p == nullptr);
  }
  Leaf *pl = &leaf;
  try {
    throw &pl;
  } catch (Base **p) {
    printf("wrong: Leaf** as Base**\n");
  } catch (Leaf *const *p) {
    printf("Leaf** as Leaf* const*: %s\n", (*p)->name());
  }
  return 0;
}
