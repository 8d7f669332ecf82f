/* Inputs reaching every block of ../strings.c, at most 5 calls per function (bench/solver-bench.mjs checks
 * both with native coverage). */
#include "../solver.h"
#include "check.h"

int main(void) {
  CALL(str_sum_xor("ab"));
  CALL(str_sum_xor("ddD")); /* 'd' + 'd' == 200, 'D' == 'd' ^ 0x20 */
  CALL(str_sum_xor("B!c")); /* a - b == c - a, c == a + b */

  CALL(str_checksum("abc"));
  CALL(str_checksum("@X{}\x90")); /* sum 400, xor 0x1E, last char == sum & 0xff */
  CALL(str_checksum("!as}"));     /* 33 * sum + xor == 0x3000 */

  CALL(str_two(0, "a"));
  CALL(str_two("abc", "abc"));
  CALL(str_two("abcda", "axyza")); /* swapped ends, lengths sum to 10 */
  CALL(str_two("abab", "ab"));     /* s == t t */

  CALL(str_number(0));
  CALL(str_number("77"));      /* multiple of 7, digit sum 14 */
  CALL(str_number("01:"));     /* v == digit sum squared, "hh:" */
  CALL(str_number("1000000")); /* large, digit sum < 5 */

  CALL(str_keyval(0));
  CALL(str_keyval("abc"));     /* no '=' */
  CALL(str_keyval("aba=aba")); /* key == value, last char of value == first of key */
  CALL(str_keyval("abc=3"));   /* value is the key's length */

  CALL(str_shifted(0, "a", 1));
  CALL(str_shifted("A", "B", 1));
  CALL(str_shifted("abcdefghijklmnozq", "bcdefghijklmnopaq", 1)); /* 16 chars shifted by 1 (wrapping to a), then the same */
  CALL(str_shifted("ab", "bca", 1));  /* t longer, t[i] == s[0] */

  CALL(str_mirror(0));
  CALL(str_mirror("a"));
  CALL(str_mirror("axa"));  /* palindrome with 'x' in the middle */
  CALL(str_mirror("cdda")); /* s[0] == s[3] + 2, s[1] + s[2] == 200 */

  CALL(str_fields(0));
  CALL(str_fields("1,2,3"));  /* three one-digit fields */
  CALL(str_fields("abcd,x")); /* 2 * fields == longest field */
  return 0;
}
