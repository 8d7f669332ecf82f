// stdio.h: formatted output return values, varargs wrappers, files (in /tmp natively, in memory in the
#define _GNU_SOURCE
// engine), stdin input, error reporting.
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <errno.h>

static int logf_(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char buf[16];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  printf("[%s] %d\n", buf, n);
  va_start(ap, fmt);
  n = vprintf(fmt, ap);
  va_end(ap);
  return n;
}

static void both(const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  vfprintf(stdout, fmt, ap);
  char *s;
  vasprintf(&s, fmt, ap2);
  printf("{%s}\n", s);
  free(s);
  va_end(ap2);
  va_end(ap);
}

int main(void) {
  int n = printf("%5d|%-5s|%05.1f|%c%%\n", 42, "ab", 3.14159, 'z');
  printf("printf returned %d\n", n);
  char buf[64];
  n = sprintf(buf, "%s-%d", "abc", -12);
  printf("sprintf %d '%s'\n", n, buf);
  n = snprintf(buf, 5, "%d", 123456789);
  printf("snprintf %d '%s'\n", n, buf);
  n = snprintf(NULL, 0, "%s%s", "abc", "defg");
  printf("snprintf null %d\n", n);
  n = logf_("%d %s %.2f %ld %c\n", 1, "two", 3.0, 4L, '5');
  printf("vprintf %d\n", n);
  both("%d-%d-%d %s %g\n", 1, 2, 3, "x", 0.5);
  both("%ld %lu %lld %f %f %f %f %f %f %f %f %f %f\n", -1L, 2UL, 3LL, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
  printf("puts %d\n", puts("line"));
  printf("fputs %d\n", fputs("text\n", stdout));
  printf("putchar %d\n", putchar('A'));
  putc('\n', stdout);
  fwrite("fwrite\n", 1, 7, stdout);

  const char *path = "/tmp/inputsmith-libc-test-file.txt";
  FILE *f = fopen(path, "w");
  if (!f) { printf("fopen w failed\n"); return 1; }
  fprintf(f, "first line %d\nsecond line\nthird", 1);
  fputc('!', f);
  printf("ftell %ld\n", ftell(f));
  fclose(f);
  f = fopen(path, "r");
  char line[32];
  while (fgets(line, sizeof line, f)) printf("fgets '%s'\n", line);
  printf("feof %d ferror %d\n", feof(f) != 0, ferror(f) != 0);
  rewind(f);
  printf("fgetc %c %c\n", fgetc(f), fgetc(f));
  ungetc('Z', f);
  printf("after ungetc %c %c\n", fgetc(f), fgetc(f));
  fseek(f, -6, SEEK_END);
  printf("seek end: %ld '%c'\n", ftell(f), fgetc(f));
  fseek(f, 3, SEEK_SET);
  char rb[8] = {0};
  size_t got = fread(rb, 1, 7, f);
  printf("fread %zu '%s'\n", got, rb);
  fseek(f, 0, SEEK_SET);
  char *lp = NULL;
  size_t cap = 0;
  ssize_t len;
  while ((len = getline(&lp, &cap, f)) != -1) printf("getline %zd '%s'\n", len, lp);
  free(lp);
  fclose(f);
  f = fopen(path, "a+");
  fputs("\nappended", f);
  fseek(f, 0, SEEK_SET);
  int c, count = 0;
  while ((c = getc(f)) != EOF) count++;
  printf("a+ count %d\n", count);
  fclose(f);
  printf("remove %d\n", remove(path));
  errno = 0;
  f = fopen(path, "r");
  printf("fopen missing %p errno %d %s\n", (void *)f, errno, strerror(errno));
  perror("perror says");

  int a, b;
  char word[16];
  printf("scanf %d\n", scanf("%d %d %15s", &a, &b, word));
  printf("got %d %d %s\n", a, b, word);
  getchar();
  if (fgets(line, sizeof line, stdin)) printf("stdin line '%s'\n", line);
  int ch;
  count = 0;
  while ((ch = getchar()) != EOF) count++;
  printf("rest %d feof %d\n", count, feof(stdin) != 0);
  fprintf(stderr, "err %d\n", 5);

  // A null format: glibc answers -1 with EINVAL (sprintf and snprintf still store the NUL).
  const char *volatile nofmt = NULL;
  char nb[4] = "xyz";
  errno = 0;
  n = printf(nofmt);
  printf("printf null format %d errno %d\n", n, errno);
  errno = 0;
  n = fprintf(stdout, nofmt);
  printf("fprintf null format %d errno %d\n", n, errno);
  errno = 0;
  n = sprintf(nb, nofmt);
  printf("sprintf null format %d errno %d [%s]\n", n, errno, nb);
  strcpy(nb, "xyz");
  errno = 0;
  n = snprintf(nb, sizeof nb, nofmt);
  printf("snprintf null format %d errno %d [%s]\n", n, errno, nb);
  errno = 0;
  n = snprintf(NULL, 0, nofmt);
  printf("snprintf 0 null format %d errno %d\n", n, errno);
  char *sp = NULL;
  errno = 0;
  n = asprintf(&sp, nofmt);
  printf("asprintf null format %d errno %d untouched %d\n", n, errno, sp == NULL);
  errno = 0;
  n = sscanf("12", nofmt);
  printf("sscanf null format %d errno %d\n", n, errno);
  printf("setvbuf bad mode %d, line buffered %d\n", setvbuf(stdout, NULL, 7, 0), setvbuf(stdout, NULL, _IOLBF, 0));
  return 0;
}
