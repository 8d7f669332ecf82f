// ctype.h: the macros (table lookups), the functions, over every unsigned char and EOF.
#include <stdio.h>
#include <ctype.h>

int main(void) {
  unsigned long h = 0;
  for (int c = -1; c < 256; c++) {
    int bits = (isalnum(c) != 0) | (isalpha(c) != 0) << 1 | (isblank(c) != 0) << 2 | (iscntrl(c) != 0) << 3 |
               (isdigit(c) != 0) << 4 | (isgraph(c) != 0) << 5 | (islower(c) != 0) << 6 | (isprint(c) != 0) << 7 |
               (ispunct(c) != 0) << 8 | (isspace(c) != 0) << 9 | (isupper(c) != 0) << 10 | (isxdigit(c) != 0) << 11;
    h = h * 31 + bits * 7 + toupper(c) * 3 + tolower(c);
    if (c % 16 == 0 || c < 1) printf("%d: %03x %d %d\n", c, bits, toupper(c), tolower(c));
  }
  printf("hash %lu\n", h);
  int (*fs[])(int) = {isalnum, isalpha, isdigit, isspace, isupper, toupper, tolower};
  for (int i = 0; i < 7; i++) printf("%d ", fs[i]('a') != 0);
  printf("\n");
  return 0;
}
