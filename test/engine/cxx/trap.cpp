// outcome: null-deref
// catch (...) does not catch a crash: a null dereference inside a try ends the run (SIGSEGV natively).
#include <cstdio>

static int *volatile nowhere = nullptr;

static int crash(int k) {
  if (k) return *nowhere;
  throw k;
}

int main() {
  try {
    crash(0);
  } catch (...) {
    printf("caught the throw\n");
  }
  fflush(stdout);
  try {
    printf("%d\n", crash(1));
  } catch (...) {
    printf("caught a crash (wrong)\n");
  }
  return 0;
}
