// string.h and strings.h: results, return pointers (as offsets), and buffers.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>

static void show(const char *tag, const char *base, const char *p) {
  if (p) printf("%s: +%ld '%s'\n", tag, (long)(p - base), p);
  else printf("%s: NULL\n", tag);
}

static int sgn(int x) { return (x > 0) - (x < 0); }

int main(void) {
  const char *s = "hello, world; hello again";
  char buf[128];
  printf("strlen %zu %zu\n", strlen(s), strlen(""));
  printf("strnlen %zu %zu\n", strnlen(s, 5), strnlen("ab", 10));
  printf("strcmp %d %d %d %d\n", strcmp("abc", "abd"), strcmp("abd", "abc"), strcmp("abc", "abc"), strcmp("ab", "abc"));
  printf("strcmp hi %d\n", strcmp("\xff", "a"));
  printf("strncmp %d %d %d\n", strncmp("abcdef", "abcxyz", 3), strncmp("abcdef", "abcxyz", 4), strncmp("a", "b", 0));
  printf("strcasecmp %d %d %d\n", strcasecmp("HeLLo", "hello"), strcasecmp("abc", "ABD") < 0, strncasecmp("ABCx", "abcy", 3));
  printf("memcmp %d %d %d\n", sgn(memcmp("abc", "abd", 3)), memcmp("abc", "abd", 2), sgn(memcmp("\x80", "\x01", 1)));
  show("strchr", s, strchr(s, 'w'));
  show("strchr0", s, strchr(s, 0));
  show("strchrX", s, strchr(s, 'X'));
  show("strrchr", s, strrchr(s, 'l'));
  show("strstr", s, strstr(s, "hello a"));
  show("strstr empty", s, strstr(s, ""));
  show("strstr none", s, strstr(s, "xyz"));
  show("strpbrk", s, strpbrk(s, ";,"));
  show("memchr", s, memchr(s, ';', strlen(s)));
  show("memrchr", s, memrchr(s, 'o', strlen(s)));
  printf("strspn %zu strcspn %zu\n", strspn(s, "hel"), strcspn(s, ",;"));
  strcpy(buf, "abc");
  strcat(buf, "def");
  strncat(buf, "ghijkl", 3);
  printf("cat '%s'\n", buf);
  memset(buf, 'x', 10);
  strncpy(buf, "hi", 5);
  printf("strncpy %d %d %d %d %c\n", buf[0], buf[2], buf[4], buf[5], buf[5]);
  char *e = stpcpy(buf, "stp");
  printf("stpcpy %ld '%s'\n", (long)(e - buf), buf);
  memcpy(buf, "0123456789", 11);
  memmove(buf + 2, buf, 5);
  printf("memmove '%s'\n", buf);
  memmove(buf, buf + 3, 5);
  printf("memmove2 '%s'\n", buf);
  char *d = strdup("duplicate");
  char *nd = strndup("duplicate", 3);
  printf("dup '%s' '%s'\n", d, nd);
  free(d);
  free(nd);
  char tok[] = "  a,b;;c  d,";
  for (char *t = strtok(tok, " ,;"); t; t = strtok(NULL, " ,;")) printf("tok '%s'\n", t);
  char tok2[] = "k1=v1&k2=v2&&k3";
  char *save;
  for (char *t = strtok_r(tok2, "&", &save); t; t = strtok_r(NULL, "&", &save)) printf("tok_r '%s'\n", t);
  char sep[] = "a,,b,c";
  char *sp = sep, *f;
  while ((f = strsep(&sp, ",")) != NULL) printf("sep '%s'\n", f);
  printf("ffs %d %d %d\n", ffs(0), ffs(8), ffs(0x80000000));
  bzero(buf, 4);
  printf("bzero %d %d\n", buf[0], buf[4]);
  printf("strcoll %d\n", strcoll("a", "b") < 0);
  char big[300];
  memset(big, 'q', 299);
  big[299] = 0;
  printf("big %zu %zu\n", strlen(big), strspn(big, "q"));
  return 0;
}
