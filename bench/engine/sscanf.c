// Parsing: sscanf, strtol and strtod over formatted lines.
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  char line[128];
  double acc = 0;
  long sum = 0;
  for (int i = 0; i < reps * 5000; i++) {
    snprintf(line, sizeof line, "%d %d %.4f name%d 0x%lx", i, i * 7, i / 3.0, i % 97, (long)i * 31);
    int a, b, k;
    double d;
    char name[32];
    if (sscanf(line, "%d %d %lf %31s", &a, &b, &d, name) == 4) sum += a + b, acc += d;
    char *end;
    sum += strtol(line, &end, 10);
    acc += strtod(end, &end);
    k = (int)strtoul(end, NULL, 16);
    sum += k;
  }
  printf("%ld %.6f\n", sum, acc);
  return 0;
}
