// outcome: abort
// An exception leaving a noexcept function: destructors between the throw and the noexcept frame run,
// then std::terminate (nothing above it unwinds).
#include <cstdio>

struct R {
  const char *n;
  ~R() {
    printf("~%s\n", n);
    fflush(stdout);
  }
};

static void thrower(int k) {
  R r{"thrower"};
  if (k) throw k;
}

static void guarded(int k) noexcept {
  R r{"guarded"};
  thrower(k);
}

int main() {
  R m{"main"};
  guarded(0);
  printf("first call fine\n");
  fflush(stdout);
  try {
    guarded(1);
  } catch (...) {
    printf("caught (wrong)\n");
  }
  return 0;
}
