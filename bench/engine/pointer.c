// Pointer chasing: a shuffled singly linked list and a binary search tree.
#include <stdio.h>
#include <stdlib.h>
struct node { struct node *next; long val; };
struct tree { struct tree *l, *r; int key; };
static struct tree *insert(struct tree *t, struct tree *n) {
  struct tree **p = &t;
  while (*p) p = n->key < (*p)->key ? &(*p)->l : &(*p)->r;
  *p = n;
  return t;
}
int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 10;
  int n = 100000;
  struct node *nodes = malloc(n * sizeof *nodes);
  int *perm = malloc(n * sizeof *perm);
  unsigned seed = 1;
  for (int i = 0; i < n; i++) perm[i] = i;
  for (int i = n - 1; i > 0; i--) { seed = seed * 1103515245u + 12345u; int j = (seed >> 8) % (i + 1); int t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
  for (int i = 0; i < n; i++) { nodes[perm[i]].next = i + 1 < n ? &nodes[perm[i + 1]] : 0; nodes[perm[i]].val = i; }
  long sum = 0;
  for (int r = 0; r < reps * 5; r++)
    for (struct node *p = &nodes[perm[0]]; p; p = p->next) sum += p->val ^ r;
  struct tree *tn = malloc(n * sizeof *tn);
  for (int r = 0; r < reps; r++) {
    struct tree *root = 0;
    for (int i = 0; i < n; i++) { tn[i].l = tn[i].r = 0; seed = seed * 1103515245u + 12345u; tn[i].key = seed >> 4; root = insert(root, &tn[i]); }
    int depth = 0;
    for (struct tree *t = root; t; t = t->l) depth++;
    sum += depth;
  }
  printf("%ld\n", sum);
  return 0;
}
