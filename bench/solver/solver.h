/* The solver benchmark set (issue 16): types and prototypes shared by the functions and their witnesses. */
#ifndef SOLVER_BENCH_H
#define SOLVER_BENCH_H

#include <stddef.h>

/* ints.c */
int sum_xor_gate(unsigned a, unsigned b);
int diff_window(int x, int y, int z);
int mul_pair(unsigned a, unsigned b);
int shift_mask(unsigned x, unsigned y, unsigned k);
int check_digits(unsigned a, unsigned b, unsigned c);
int switch_computed(unsigned a, unsigned b);
int pick_pair(const int *arr, unsigned n, unsigned i, unsigned j);
int nested_order(int a, int b, int c);
int popcount_rel(unsigned x, unsigned y);
int gcd_gate(unsigned a, unsigned b);

/* floats.c */
double prod_diff(double x, double y);
double quad_roots(double a, double b, double c);
double ring_zone(double x, double y, double r);
int float_int(float f, int n);
double lerp_check(double a, double b, double t);
double vec_relation(double ax, double ay, double bx, double by);
int float_bits(float f, unsigned m);
double mean_spread(const double *v, unsigned n);

/* structs.c */
struct point {
  int x, y;
};
struct rect {
  struct point lo, hi;
};
struct account {
  unsigned id;
  int balance;
  int limit;
  unsigned flags;
};
struct date {
  int year, month, day;
};
struct packet {
  unsigned char kind, len;
  unsigned short crc;
  unsigned char data[8];
};
struct spoint {
  short x, y;
};
struct tri {
  struct spoint a, b, c;
};
struct range {
  int lo, hi;
};
struct mat2 {
  int a, b, c, d;
};
struct item {
  unsigned price;
  unsigned qty;
  unsigned discount;
  unsigned char tag[4];
};
int rect_class(const struct rect *r);
int account_withdraw(struct account *a, int amount);
int date_kind(const struct date *d);
int packet_check(const struct packet *p);
int triangle_kind(const struct tri *t);
int range_merge(struct range *a, const struct range *b);
int mat2_class(const struct mat2 *m);
int order_total(const struct item *it, unsigned want, unsigned budget);

/* lists.c */
struct node {
  int val;
  struct node *next;
};
int list_head_sum(const struct node *l);
int list_three(const struct node *l);
int list_stats(const struct node *l);
int list_pair_sum(const struct node *l, int target);
int list_shape(const struct node *l);
int list_insert_sorted(struct node **head, struct node *n);
int list_checksum(const struct node *l, unsigned key);
int list_steps(const struct node *l);

/* strings.c */
int str_sum_xor(const char *s);
int str_checksum(const char *s);
int str_two(const char *s, const char *t);
int str_number(const char *s);
int str_keyval(const char *s);
int str_shifted(const char *s, const char *t, int k);
int str_mirror(const char *s);
int str_fields(const char *s);

/* mixed.c */
struct rec {
  const char *name;
  int age;
  unsigned code;
};
struct pt {
  int x, y;
};
struct stats {
  unsigned count;
  double sum;
  double sumsq;
};
struct snode {
  const char *key;
  int val;
  struct snode *next;
};
struct shape {
  int tag;
  union {
    struct {
      int w, h;
    } r;
    struct {
      int r;
    } c;
    struct {
      int a, b, c;
    } t;
  } u;
};
extern unsigned g_mode;
int rec_check(const struct rec *r);
int nearest_match(const struct pt *p, unsigned n, int tx, int ty);
double stats_check(const struct stats *s);
int flag_select(unsigned flags, const int *vals, int target);
int lookup_sum(const struct snode *l, char c);
int parse_frame(const unsigned char *buf, unsigned n);
int table_mode(unsigned a, unsigned b);
int shape_class(const struct shape *s);

#endif
