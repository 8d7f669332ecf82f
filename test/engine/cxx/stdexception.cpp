// outcome: abort
// Exceptions derived from std::exception (whose typeinfo, destructor and what() libstdc++ defines):
// caught as std::exception&, and uncaught: terminate prints the type and what().
#include <cstdio>
#include <exception>

struct NotFound : std::exception {
  int key;
  explicit NotFound(int k) : key(k) {}
  const char *what() const noexcept override { return "key not found"; }
};
struct Fatal : NotFound {
  Fatal() : NotFound(-1) {}
  const char *what() const noexcept override { return "fatal error"; }
};

static int lookup(int k) {
  if (k > 2) throw NotFound(k);
  if (k < 0) throw Fatal();
  return k * 10;
}

int main() {
  for (int k = 0; k < 5; k++) {
    try {
      printf("lookup(%d) = %d\n", k, lookup(k));
    } catch (const std::exception &e) {
      printf("error: %s\n", e.what());
    }
  }
  try {
    lookup(-1);
  } catch (NotFound &e) {
    printf("NotFound& %d: %s\n", e.key, e.what());
  }
  std::exception plain;
  printf("plain: %s\n", plain.what());
  fflush(stdout);
  lookup(-5);
  return 0;
}
