// Variadic functions of our own: va_arg of int, long, double, pointer, struct; va_copy; vprintf.
#include <stdio.h>
#include <stdarg.h>

struct pair { long a; long b; };
struct trip { double x, y, z; };

static double sum(int n, ...) {
  va_list ap; va_start(ap, n);
  double s = 0;
  for (int i = 0; i < n; i++) {
    int kind = va_arg(ap, int);
    switch (kind) {
      case 0: s += va_arg(ap, int); break;
      case 1: s += va_arg(ap, long); break;
      case 2: s += va_arg(ap, double); break;
      case 3: s += *va_arg(ap, int *); break;
      case 4: { struct pair p = va_arg(ap, struct pair); s += p.a * 10 + p.b; break; }
      case 5: { struct trip t = va_arg(ap, struct trip); s += t.x + t.y * t.z; break; }
      case 6: s += va_arg(ap, long double); break;
    }
  }
  va_end(ap);
  return s;
}
static int count_twice(int n, ...) {
  va_list ap, aq; va_start(ap, n); va_copy(aq, ap);
  int a = 0, b = 0;
  for (int i = 0; i < n; i++) a += va_arg(ap, int);
  for (int i = 0; i < n; i++) b += va_arg(aq, int) * 2;
  va_end(aq); va_end(ap);
  return a * 1000 + b;
}
static void say(const char *fmt, ...) {
  va_list ap; va_start(ap, fmt); vprintf(fmt, ap); va_end(ap);
}
int main(void) {
  int k = 41;
  struct pair p = {3, 4};
  struct trip t = {1.5, 2.0, 3.0};
  printf("%g\n", sum(7, 0, 5, 1, 1L << 40, 2, 0.5, 3, &k, 4, p, 5, t, 6, (long double)0.25));
  printf("%d\n", count_twice(5, 1, 2, 3, 4, 5));
  int many = 0;
  printf("%g\n", sum(12, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 2, 1.0, 2, 2.0, 2, 3.0, 2, 4.0, 2, 5.0, 2, 6.0));
  say("%s-%d-%.2f-%c-%lu\n", "hi", -3, 2.5, 'z', 123456789012UL);
  (void)many;
  return 0;
}
