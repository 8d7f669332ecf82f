/* A binary search tree of string keys with integer values. */
#include <stdlib.h>
#include <string.h>

struct tree {
  char *key;
  int value;
  struct tree *left, *right;
};

/* A heap copy of s (strdup is not ISO C). */
static char *copy_string(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = malloc(n);
  if (p != NULL) memcpy(p, s, n);
  return p;
}

/* Insert or update key; returns the (possibly new) root, or NULL when out of memory. */
struct tree *tree_insert(struct tree *root, const char *key, int value) {
  if (root == NULL) {
    struct tree *t = calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->key = copy_string(key);
    if (t->key == NULL) {
      free(t);
      return NULL;
    }
    t->value = value;
    return t;
  }
  int c = strcmp(key, root->key);
  if (c < 0) root->left = tree_insert(root->left, key, value);
  else if (c > 0) root->right = tree_insert(root->right, key, value);
  else root->value = value;
  return root;
}

/* The node for key, or NULL. */
const struct tree *tree_lookup(const struct tree *root, const char *key) {
  while (root != NULL) {
    int c = strcmp(key, root->key);
    if (c == 0) return root;
    root = c < 0 ? root->left : root->right;
  }
  return NULL;
}

int tree_height(const struct tree *root) {
  if (root == NULL) return 0;
  int l = tree_height(root->left), r = tree_height(root->right);
  return 1 + (l > r ? l : r);
}

/* The smallest key, or NULL for an empty tree. */
const char *tree_min_key(const struct tree *root) {
  if (root == NULL) return NULL;
  while (root->left != NULL) root = root->left;
  return root->key;
}

/* Write up to cap values in key order into out; returns how many were written. */
size_t tree_values_in_order(const struct tree *root, int *out, size_t cap) {
  if (root == NULL || cap == 0) return 0;
  size_t n = tree_values_in_order(root->left, out, cap);
  if (n < cap) out[n++] = root->value;
  if (n < cap) n += tree_values_in_order(root->right, out + n, cap - n);
  return n;
}

/* 1 when every key is between its subtree bounds (a well-formed search tree). */
int tree_is_ordered(const struct tree *root, const char *lo, const char *hi) {
  if (root == NULL) return 1;
  if (lo != NULL && strcmp(root->key, lo) <= 0) return 0;
  if (hi != NULL && strcmp(root->key, hi) >= 0) return 0;
  return tree_is_ordered(root->left, lo, root->key) && tree_is_ordered(root->right, root->key, hi);
}

void tree_free(struct tree *root) {
  if (root == NULL) return;
  tree_free(root->left);
  tree_free(root->right);
  free(root->key);
  free(root);
}
