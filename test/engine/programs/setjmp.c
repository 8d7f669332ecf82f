// setjmp/longjmp across frames, including from nested calls and repeated jumps.
#include <stdio.h>
#include <setjmp.h>

static jmp_buf env;
static int depth;

__attribute__((noinline)) static void thrower(int n) {
  if (n == 0) longjmp(env, 42);
  depth++;
  thrower(n - 1);
}

int main(void) {
  volatile int tries = 0;
  int r = setjmp(env);
  printf("setjmp returned %d (tries %d)\n", r, tries);
  if (tries < 3) {
    tries++;
    thrower(tries * 2);
  }
  printf("depth %d\n", depth);
  jmp_buf inner;
  if (setjmp(inner) == 0) { printf("first\n"); longjmp(inner, 0); }
  else printf("second\n");
  return tries;
}
