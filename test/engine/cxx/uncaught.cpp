// outcome: abort
// An exception nothing catches: std::terminate before any unwinding, so no destructor runs (libstdc++
// searches for a handler first: no "~R" after "now uncaught"); the run aborts with "terminate called
// after throwing ..." on stderr.
#include <cstdio>

namespace app {
struct Failure {
  int code;
};
} // namespace app

struct R {
  ~R() {
    printf("~R\n");
    fflush(stdout);
  }
};

static void deep(int n) {
  R r;
  if (n == 0) throw app::Failure{3};
  deep(n - 1);
}

int main() {
  try {
    deep(0);
  } catch (app::Failure &f) {
    printf("caught %d\n", f.code);
  }
  R outer;
  printf("now uncaught\n");
  fflush(stdout);
  deep(3);
  return 0;
}
