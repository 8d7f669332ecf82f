// libm loops: sin, cos, sqrt, log, exp, pow, atan2 evaluated millions of times.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  double acc = 0;
  for (int i = 1; i <= reps * 100000; i++) {
    double x = i * 1e-4;
    acc += sin(x) + cos(x) * sqrt(x) + log(x) + exp(-x) + pow(x, 0.3) + atan2(x, 1.5);
  }
  printf("%.6e\n", acc);
  return 0;
}
