// Throwing and catching fundamental types, C strings and classes by value and by reference; catch(...);
// catch clauses tried in order; the exception object is destroyed when the last handler ends.
#include <cstdio>

static int live = 0;

struct Err {
  int code;
  explicit Err(int c) : code(c) { live++; printf("Err(%d)\n", code); }
  Err(const Err &o) : code(o.code) { live++; printf("Err copy(%d)\n", code); }
  ~Err() { live--; printf("~Err(%d)\n", code); }
};

static int pick(int k) {
  switch (k) {
  case 0: throw 42;
  case 1: throw "a C string";
  case 2: throw Err(7);
  case 3: throw 2.5;
  case 4: throw 'x';
  case 5: throw 123456789012LL;
  case 6: throw (unsigned short)65535;
  case 7: throw true;
  default: return k * 10;
  }
}

int main() {
  for (int k = 0; k < 9; k++) {
    try {
      int r = pick(k);
      printf("returned %d\n", r);
    } catch (int i) {
      printf("int %d\n", i);
    } catch (const char *s) {
      printf("const char* %s\n", s);
    } catch (const Err &e) {
      printf("Err& %d live=%d\n", e.code, live);
    } catch (double d) {
      printf("double %.2f\n", d);
    } catch (char c) {
      printf("char %c\n", c);
    } catch (long long v) {
      printf("long long %lld\n", v);
    } catch (...) {
      printf("something else\n");
    }
  }
  // Catch by value: a copy, destroyed at the end of the handler, before the thrown object.
  try {
    pick(2);
  } catch (Err e) {
    printf("Err by value %d live=%d\n", e.code, live);
  }
  printf("live=%d\n", live);
  // An int is not caught by a long handler, nor a const char* by a char* handler.
  try {
    try {
      pick(0);
    } catch (long l) {
      printf("wrong: long %ld\n", l);
    } catch (unsigned u) {
      printf("wrong: unsigned %u\n", u);
    }
  } catch (int i) {
    printf("outer int %d\n", i);
  }
  try {
    try {
      pick(1);
    } catch (char *s) {
      printf("wrong: char* %s\n", s);
    }
  } catch (const void *p) {
    printf("const void* %s\n", (const char *)p);
  }
  return live;
}
