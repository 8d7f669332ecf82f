// errno messages, time formatting on fixed timestamps, locale.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <time.h>
#include <locale.h>

int main(void) {
  for (int e = 0; e < 140; e += 7) printf("%d %s\n", e, strerror(e));
  errno = ERANGE;
  perror("msg");
  perror(NULL);
  printf("%m\n");
  time_t ts[] = {0, 86399, 951782400, 1700000000, 2147483647, -1, 4102444800};
  for (int i = 0; i < 7; i++) {
    struct tm tm;
    gmtime_r(&ts[i], &tm);
    char buf[128];
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a %A %b %B %j %U %W %V %G %u %w %e %I %p %y %C %D %F %T", &tm);
    printf("%s | %d %d\n", buf, tm.tm_wday, tm.tm_yday);
    printf("%s", asctime(&tm));
    time_t back = timegm(&tm);
    printf("timegm %ld\n", (long)back);
  }
  struct tm t2 = {0};
  t2.tm_year = 124; t2.tm_mon = 13; t2.tm_mday = 35; t2.tm_hour = 25;
  printf("timegm norm %ld %d-%d-%d %d\n", (long)timegm(&t2), t2.tm_year, t2.tm_mon, t2.tm_mday, t2.tm_hour);
  printf("setlocale %s\n", setlocale(LC_ALL, NULL));
  printf("setlocale C %s\n", setlocale(LC_ALL, "C"));
  printf("decimal '%s'\n", localeconv()->decimal_point);
  return 0;
}
