// outcome: abort
// `throw;` with no exception being handled, and an explicit std::terminate(), both abort.
#include <cstdio>
#include <exception>

static void rethrow() { throw; }

int main(int argc, char **argv) {
  try {
    throw 1;
  } catch (int) {
    printf("handled\n");
  }
  fflush(stdout);
  if (argc > 5) std::terminate();
  rethrow();
  return 0;
}
