/* Struct-heavy geometry: points, rectangles and polygons passed by value and by pointer. */
#include <math.h>
#include <stddef.h>

struct point {
  double x, y;
};

struct rect {
  struct point min, max;
};

#define MAX_VERTICES 32

struct polygon {
  int n;
  struct point v[MAX_VERTICES];
  const char *name;
};

struct point point_add(struct point a, struct point b) {
  struct point r = {a.x + b.x, a.y + b.y};
  return r;
}

double point_dist(struct point a, struct point b) {
  return hypot(a.x - b.x, a.y - b.y);
}

/* The smallest rectangle holding both. */
struct rect rect_union(const struct rect *a, const struct rect *b) {
  struct rect r;
  r.min.x = fmin(a->min.x, b->min.x);
  r.min.y = fmin(a->min.y, b->min.y);
  r.max.x = fmax(a->max.x, b->max.x);
  r.max.y = fmax(a->max.y, b->max.y);
  return r;
}

/* 1 when p lies inside r (borders included). */
int rect_contains(struct rect r, struct point p) {
  return p.x >= r.min.x && p.x <= r.max.x && p.y >= r.min.y && p.y <= r.max.y;
}

/* Signed area by the shoelace formula; 0 for fewer than 3 vertices or a bad count. */
double polygon_area(const struct polygon *poly) {
  if (poly->n < 3 || poly->n > MAX_VERTICES) return 0;
  double sum = 0;
  for (int i = 0; i < poly->n; i++) {
    const struct point *a = &poly->v[i], *b = &poly->v[(i + 1) % poly->n];
    sum += a->x * b->y - b->x * a->y;
  }
  return sum / 2;
}

/* Bounding box of the polygon; returns -1 for an empty or invalid polygon. */
int polygon_bounds(const struct polygon *poly, struct rect *out) {
  if (poly->n <= 0 || poly->n > MAX_VERTICES) return -1;
  struct rect r = {poly->v[0], poly->v[0]};
  for (int i = 1; i < poly->n; i++) {
    struct rect one = {poly->v[i], poly->v[i]};
    r = rect_union(&r, &one);
  }
  *out = r;
  return 0;
}

/* Append a vertex; returns -1 when the polygon is full. */
int polygon_add(struct polygon *poly, struct point p) {
  if (poly->n < 0 || poly->n >= MAX_VERTICES) return -1;
  poly->v[poly->n++] = p;
  return 0;
}

/* Perimeter, summing the edge lengths. */
double polygon_perimeter(const struct polygon *poly) {
  double len = 0;
  for (int i = 0; i + 1 < poly->n && i + 1 < MAX_VERTICES; i++) len += point_dist(poly->v[i], poly->v[i + 1]);
  if (poly->n > 1 && poly->n <= MAX_VERTICES) len += point_dist(poly->v[poly->n - 1], poly->v[0]);
  return len;
}
