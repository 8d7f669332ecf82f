// cxxflags: -std=c++14
// outcome: abort
// Dynamic exception specifications (C++14): a listed type passes, an unlisted one calls std::unexpected,
// which terminates.
#include <cstdio>

static void allowed(int k) throw(int) {
  if (k) throw k;
}
static void forbidden(int k) throw(int) {
  if (k) throw "not an int";
}
static void none() throw() {}

int main() {
  none();
  try {
    allowed(4);
  } catch (int v) {
    printf("allowed %d\n", v);
  }
  try {
    forbidden(0);
    printf("forbidden(0) ok\n");
  } catch (...) {
  }
  fflush(stdout);
  try {
    forbidden(1);
  } catch (...) {
    printf("caught (wrong)\n");
  }
  return 0;
}
