/**
 * ctype tables and functions, compared with glibc's own tables dumped natively (indexes -128..255).
 */
import { describe, expect, it } from 'vitest';
import {
  CTYPE_B,
  CTYPE_PREDICATES,
  CTYPE_TOLOWER,
  CTYPE_TOUPPER,
  ctypeFlags,
  toLower,
  toUpper,
} from '../src/engine/libc/ctype.js';
import { runNativeC } from './libc-native.js';

const NAMES = Object.keys(CTYPE_PREDICATES);

describe('ctype vs glibc', () => {
  it('__ctype_b_loc, __ctype_tolower_loc, __ctype_toupper_loc tables and the function forms', () => {
    const src = `#include <stdio.h>
#include <ctype.h>
${NAMES.map((n) => `static int f_${n}(int c) { return (${n})(c); }`).join('\n')}
int main(void) {
  const unsigned short *b = *__ctype_b_loc();
  const int *lo = *__ctype_tolower_loc(), *up = *__ctype_toupper_loc();
  for (int c = -128; c < 256; c++) {
    printf("%d %04x %d %d %d %d", c, b[c], lo[c], up[c], (tolower)(c), (toupper)(c));
${NAMES.map((n) => `    printf(" %d", f_${n}(c) != 0);`).join('\n')}
    printf("\\n");
  }
  return 0;
}
`;
    const native = runNativeC(src).toString().trimEnd().split('\n');
    const mine: string[] = [];
    for (let c = -128; c < 256; c++) {
      const i = c + 128;
      let line = `${c} ${CTYPE_B[i].toString(16).padStart(4, '0')} ${CTYPE_TOLOWER[i]} ${CTYPE_TOUPPER[i]} ${toLower(c)} ${toUpper(c)}`;
      for (const n of NAMES) line += ` ${(ctypeFlags(c) & CTYPE_PREDICATES[n]) !== 0 ? 1 : 0}`;
      mine.push(line);
    }
    expect(mine).toEqual(native);
  });
});
