// longjmp out of frames that are inside try blocks (no destructors involved), then exceptions work as
// before: the runtime's record of active handlers was unwound too.
#include <csetjmp>
#include <cstdio>

static jmp_buf env;

static void jumper(int k) {
  try {
    if (k == 1) longjmp(env, 7);
    if (k == 2) throw k;
  } catch (double) {
    printf("wrong handler\n");
  }
}

static void level(int k) {
  try {
    jumper(k);
  } catch (const char *) {
    printf("wrong handler 2\n");
  }
}

int main() {
  int r = setjmp(env);
  if (r == 0) {
    level(1);
    printf("not reached\n");
  }
  printf("after longjmp %d\n", r);
  try {
    level(2);
  } catch (int v) {
    printf("caught %d\n", v);
  }
  return 0;
}
