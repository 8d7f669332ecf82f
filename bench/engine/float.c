// Floating point: n-body simulation and a dense matrix multiply.
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#define NB 5
struct body { double x, y, z, vx, vy, vz, m; };
static void advance(struct body *b, double dt) {
  for (int i = 0; i < NB; i++)
    for (int j = i + 1; j < NB; j++) {
      double dx = b[i].x - b[j].x, dy = b[i].y - b[j].y, dz = b[i].z - b[j].z;
      double d2 = dx * dx + dy * dy + dz * dz, mag = dt / (d2 * sqrt(d2));
      b[i].vx -= dx * b[j].m * mag; b[i].vy -= dy * b[j].m * mag; b[i].vz -= dz * b[j].m * mag;
      b[j].vx += dx * b[i].m * mag; b[j].vy += dy * b[i].m * mag; b[j].vz += dz * b[i].m * mag;
    }
  for (int i = 0; i < NB; i++) { b[i].x += dt * b[i].vx; b[i].y += dt * b[i].vy; b[i].z += dt * b[i].vz; }
}
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  struct body b[NB];
  for (int i = 0; i < NB; i++) b[i] = (struct body){i * 1.1, i * -0.7, i * 0.3, 0.01 * i, 0.02, -0.01 * i, 1.0 + i};
  for (int s = 0; s < reps * 20000; s++) advance(b, 0.001);
  int n = 96;
  double *A = malloc(n * n * sizeof(double)), *B = malloc(n * n * sizeof(double)), *C = malloc(n * n * sizeof(double));
  for (int i = 0; i < n * n; i++) { A[i] = (i % 17) * 0.25; B[i] = (i % 13) * 0.5 - 1; }
  double tr = 0;
  for (int r = 0; r < reps; r++) {
    for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { double s = 0; for (int k = 0; k < n; k++) s += A[i * n + k] * B[k * n + j]; C[i * n + j] = s; }
    tr += C[r % n * n + r % n];
  }
  printf("%.6f %.6f %.6f\n", b[0].x, b[NB - 1].vz, tr);
  return 0;
}
