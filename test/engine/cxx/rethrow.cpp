// `throw;` rethrows the caught exception (same object, no copy), nested try blocks, a new exception
// thrown from a handler, and handlers ending by exception: each exception object is destroyed once.
#include <cstdio>

struct E {
  int id;
  explicit E(int i) : id(i) { printf("E(%d)\n", id); }
  E(const E &o) : id(o.id + 100) { printf("E copy(%d)\n", id); }
  ~E() { printf("~E(%d)\n", id); }
};

static void inner() {
  try {
    throw E(1);
  } catch (E &e) {
    printf("inner caught %d\n", e.id);
    e.id = 2;
    throw;
  }
}

static void middle() {
  try {
    inner();
  } catch (E &e) {
    printf("middle caught %d\n", e.id);
    e.id = 3;
    throw;
  }
}

static void replace() {
  try {
    throw E(10);
  } catch (E &e) {
    printf("replace caught %d\n", e.id);
    throw E(e.id + 1);
  }
}

static int depth(int n) {
  try {
    if (n == 0) throw n;
    return depth(n - 1) + 1;
  } catch (int v) {
    printf("depth %d caught %d\n", n, v);
    if (n < 3) throw v + 1;
    return -v;
  }
}

int main() {
  try {
    middle();
  } catch (const E &e) {
    printf("main caught %d\n", e.id);
  }
  try {
    replace();
  } catch (E e) {
    printf("main caught by value %d\n", e.id);
  }
  printf("depth -> %d\n", depth(5));
  try {
    try {
      throw 1;
    } catch (int a) {
      try {
        throw 2;
      } catch (int b) {
        printf("nested %d %d\n", a, b);
      }
      throw;
    }
  } catch (int c) {
    printf("rethrown %d\n", c);
  }
  try {
    try {
      throw E(20);
    } catch (...) {
      printf("catch-all rethrows\n");
      throw;
    }
  } catch (E &e) {
    printf("got %d\n", e.id);
  }
  return 0;
}
