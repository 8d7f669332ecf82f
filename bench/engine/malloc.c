// malloc/free-heavy structures: a binary search tree of 20,000 nodes built and freed, and short-lived blocks.
#include <stdio.h>
#include <stdlib.h>
struct node { int key; struct node *l, *r; };
static struct node *insert(struct node *t, int key) {
  struct node **p = &t;
  while (*p != NULL) p = key < (*p)->key ? &(*p)->l : &(*p)->r;
  *p = malloc(sizeof **p);
  (*p)->key = key;
  (*p)->l = (*p)->r = NULL;
  return t;
}
static long sum_free(struct node *t) {
  if (t == NULL) return 0;
  long s = t->key + sum_free(t->l) + sum_free(t->r);
  free(t);
  return s;
}
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  long h = 0;
  for (int r = 0; r < reps; r++) {
    struct node *t = NULL;
    unsigned s = 777u + r;
    for (int i = 0; i < 20000; i++) t = insert(t, (int)((s = s * 1664525u + 1013904223u) >> 8));
    h += sum_free(t);
    for (int i = 0; i < 20000; i++) {
      char *b = malloc(16 + i % 200);
      b[0] = (char)i;
      h += b[0];
      free(b);
    }
  }
  printf("%ld\n", h);
  return 0;
}
