/* wc for a FILE*: counts lines, words and bytes; main reads stdin. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct counts {
  long lines, words, bytes;
  long longest_line;
};

/* Count everything in f until EOF. */
void count_stream(FILE *f, struct counts *c) {
  int ch, in_word = 0;
  long line_len = 0;
  memset(c, 0, sizeof *c);
  while ((ch = fgetc(f)) != EOF) {
    c->bytes++;
    if (ch == '\n') {
      c->lines++;
      if (line_len > c->longest_line) c->longest_line = line_len;
      line_len = 0;
    } else {
      line_len++;
    }
    if (isspace(ch)) {
      in_word = 0;
    } else if (!in_word) {
      in_word = 1;
      c->words++;
    }
  }
  if (line_len > c->longest_line) c->longest_line = line_len;
}

/* Read one line (without the newline) into buf; returns its length, or -1 at EOF. Long lines are cut. */
int read_line(FILE *f, char *buf, int cap) {
  int n = 0, ch;
  if (cap <= 0) return -1;
  while ((ch = fgetc(f)) != EOF && ch != '\n')
    if (n < cap - 1) buf[n++] = (char)ch;
  buf[n] = '\0';
  return ch == EOF && n == 0 ? -1 : n;
}

/* Number of lines of f that contain needle. */
long grep_count(FILE *f, const char *needle) {
  char line[256];
  long hits = 0;
  while (read_line(f, line, sizeof line) >= 0)
    if (strstr(line, needle) != NULL) hits++;
  return hits;
}

int main(int argc, char **argv) {
  if (argc > 1) {
    printf("%ld\n", grep_count(stdin, argv[1]));
    return 0;
  }
  struct counts c;
  count_stream(stdin, &c);
  printf("%ld %ld %ld (longest line %ld)\n", c.lines, c.words, c.bytes, c.longest_line);
  return ferror(stdin) ? 1 : 0;
}
