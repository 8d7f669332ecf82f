/**
 * Undefined behaviour inside libc models ends the run with the engine's typed outcome (never a JS
 * exception), located at the calling instruction; the same calls used correctly stay quiet.
 */
import { describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import { Engine } from '../src/engine/engine.js';
import { irText } from './engine-native.js';

function run(body: string, opt = '-O0', flags = '') {
  const src = `${flags}
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv) {
${body}
  return 0;
}
`;
  const e = new Engine(parseModule(irText(src, opt)));
  return e.runMain({ argv0: 'prog', args: ['x'], stdin: Buffer.from('a line longer than four bytes\n') });
}

const CASES: [string, string, string][] = [
  ['strcpy past a heap block', 'char *p = malloc(4); strcpy(p, "too long"); puts(p);', 'out-of-bounds-write'],
  [
    'strlen of an unterminated buffer',
    'char *p = malloc(4); memset(p, 65, 4); printf("%zu\\n", strlen(p));',
    'out-of-bounds-read',
  ],
  [
    'memcpy from a freed block',
    'char *p = malloc(8), q[8]; free(p); memcpy(q, p, 8); puts(q);',
    'use-after-free',
  ],
  ['strlen(NULL)', 'char *volatile p = 0; printf("%zu\\n", strlen(p));', 'null-deref'],
  ['double free', 'char *p = malloc(8); free(p); free(p);', 'double-free'],
  ['free of a stack address', 'char b[8]; char *volatile p = b; free(p);', 'invalid-free'],
  ['fputs to a closed FILE', 'FILE *f = fopen("/tmp/x", "w"); fclose(f); fputs("x", f);', 'use-after-free'],
  [
    'printf %s of a dangling pointer',
    'char *p = strdup("abc"); free(p); printf("%s\\n", p);',
    'use-after-free',
  ],
  ['sprintf overflow', 'char *b = malloc(4); sprintf(b, "%d", 123456); puts(b);', 'out-of-bounds-write'],
  [
    'qsort past the array',
    'int *a = malloc(3 * sizeof(int)); qsort(a, 4, sizeof(int), (int (*)(const void*, const void*))strcmp);',
    'out-of-bounds-write',
  ],
  ['abort()', 'abort();', 'abort'],
  ['fgets into a short buffer', 'char *b = malloc(4); fgets(b, 64, stdin);', 'out-of-bounds-write'],
];

describe('libc models report memory errors as outcomes', () => {
  for (const [name, body, kind] of CASES) {
    it(name, () => {
      const r = run(body);
      expect(r.outcome, r.message).toBe(kind);
      expect(r.location?.func).toBe('main');
    });
  }

  it('fortified memcpy with a known object size (-D_FORTIFY_SOURCE=2 -O2)', () => {
    const r = run(
      'char buf[8]; memcpy(buf, argv[0], (size_t)argc * 8); puts(buf);',
      '-O2',
      '#define _FORTIFY_SOURCE 2',
    );
    expect(r.outcome, r.message).toBe('out-of-bounds-write');
  });

  it('the same functions used correctly stay quiet', () => {
    const r = run(
      'char *p = malloc(16); strcpy(p, "fits"); char q[16]; memcpy(q, p, 5); printf("%s %zu\\n", q, strlen(p)); free(p);' +
        'FILE *f = fopen("/tmp/x", "w"); fputs("x", f); fclose(f); char b[64]; sprintf(b, "%d", 123456); puts(b);',
    );
    expect(r.outcome, r.message).toBe('returned');
    expect(Buffer.from(r.stdout).toString()).toBe('fits 4\n123456\n');
  });
});
