// assert(): glibc's message on stderr and SIGABRT.
#include <assert.h>
#include <stdio.h>
int check(int x) {
  fprintf(stderr, "checking %d\n", x);
  assert(x < 3 && "x must be small");
  return x;
}
int main(void) {
  int s = 0;
  for (int i = 0; i < 5; i++) s += check(i);
  return s;
}
