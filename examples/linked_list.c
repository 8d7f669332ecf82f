/* A singly linked list of integers: the kind of code every C program has somewhere. */
#include <stdlib.h>

struct node {
  int value;
  struct node *next;
};

/* Push a value in front of the list; returns the new head (NULL when out of memory). */
struct node *list_push(struct node *head, int value) {
  struct node *n = malloc(sizeof *n);
  if (n == NULL) return NULL;
  n->value = value;
  n->next = head;
  return n;
}

/* Number of nodes. */
size_t list_length(const struct node *head) {
  size_t n = 0;
  for (; head != NULL; head = head->next) n++;
  return n;
}

/* Sum of all values. */
long list_sum(const struct node *head) {
  long sum = 0;
  for (; head != NULL; head = head->next) sum += head->value;
  return sum;
}

/* The first node holding value, or NULL. */
struct node *list_find(struct node *head, int value) {
  while (head != NULL && head->value != value) head = head->next;
  return head;
}

/* Reverse the list in place; returns the new head. */
struct node *list_reverse(struct node *head) {
  struct node *prev = NULL;
  while (head != NULL) {
    struct node *next = head->next;
    head->next = prev;
    prev = head;
    head = next;
  }
  return prev;
}

/* Remove the first node holding value; returns the new head. */
struct node *list_remove(struct node *head, int value) {
  struct node **link = &head;
  while (*link != NULL) {
    if ((*link)->value == value) {
      struct node *dead = *link;
      *link = dead->next;
      free(dead);
      break;
    }
    link = &(*link)->next;
  }
  return head;
}

/* The k-th node from the end (0 = last), or NULL when the list is shorter. */
struct node *list_kth_from_end(struct node *head, size_t k) {
  struct node *lead = head;
  for (size_t i = 0; i <= k; i++) {
    if (lead == NULL) return NULL;
    lead = lead->next;
  }
  while (lead != NULL) {
    lead = lead->next;
    head = head->next;
  }
  return head;
}

void list_free(struct node *head) {
  while (head != NULL) {
    struct node *next = head->next;
    free(head);
    head = next;
  }
}
