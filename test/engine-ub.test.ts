// Each undefined-behaviour detector and budget: one program that triggers it (the outcome and its location
// are reported) and a twin that must stay quiet.
import { describe, expect, it } from 'vitest';
import type { RunOptions } from '../src/engine/engine.js';
import type { OutcomeKind } from '../src/engine/outcome.js';
import { runEngine } from './engine-native.js';

interface Case {
  name: string;
  kind: OutcomeKind;
  /** Body of `int run(int k)`: k is 1 for the triggering run, 0 for the quiet one. */
  body: string;
  decls?: string;
  opts?: RunOptions;
  opt?: string;
}

const CASES: Case[] = [
  { name: 'null deref', kind: 'null-deref', body: 'int x = 5; int *volatile p = k ? 0 : &x; return *p;' },
  {
    name: 'heap read past the end',
    kind: 'out-of-bounds-read',
    body: 'int *p = malloc(10 * sizeof(int)); for (int i = 0; i < 10; i++) p[i] = i; volatile int i = 9 + k; int r = p[i]; free(p); return r;',
  },
  {
    name: 'heap write before the start',
    kind: 'out-of-bounds-write',
    body: 'char *p = malloc(16); volatile int i = -k; p[i] = 1; int r = p[0]; free(p); return r;',
  },
  {
    name: 'stack write past an array',
    kind: 'out-of-bounds-write',
    body: 'int a[4] = {0}; volatile int i = 3 + k; a[i] = 7; return a[3];',
  },
  {
    name: 'stack read past an array',
    kind: 'out-of-bounds-read',
    body: 'int a[4] = {1, 2, 3, 4}; volatile int i = 3 + k; return a[i];',
  },
  {
    name: 'global read past an array',
    kind: 'out-of-bounds-read',
    decls: 'static int g[8] = {1, 2, 3, 4, 5, 6, 7, 8};',
    body: 'volatile int i = 7 + k; return g[i];',
  },
  {
    name: 'global write past an array',
    kind: 'out-of-bounds-write',
    decls: 'int g[8];',
    body: 'volatile int i = 7 + k * 2; g[i] = 3; return g[7];',
  },
  {
    // A negative int widened to size_t is a length near 2^64: natively memset faults, it is no no-op.
    name: 'memset with a negative length',
    kind: 'out-of-bounds-write',
    decls: 'char mbuf[16];',
    body: 'volatile long n = k ? -2 : 8; __builtin_memset(mbuf + 4, 1, (unsigned long)n); return mbuf[5];',
  },
  {
    name: 'write to a string literal',
    kind: 'out-of-bounds-write',
    decls: 'char buf[4] = "abc";',
    body: 'char *volatile p = k ? (char *)"xyz" : buf; p[0] = 1; return p[1];',
  },
  {
    // A jmp_buf no setjmp filled (generated memory, a stale one): natively glibc jumps anywhere.
    name: 'longjmp through an unfilled jmp_buf',
    kind: 'invalid-pointer',
    decls: '#include <setjmp.h>\nstatic jmp_buf jb;',
    body: 'if (k) longjmp(jb, 1); return 0;',
  },
  {
    name: 'use after free',
    kind: 'use-after-free',
    body: 'int *p = malloc(sizeof(int)); *p = 3; int *volatile q = p; if (k) free(p); int r = *q; if (!k) free(p); return r;',
  },
  {
    // qsort's element moves skip their checks only while nothing is freed (Memory.frees).
    name: 'qsort whose comparator frees the array',
    kind: 'use-after-free',
    decls:
      'static int *arr; static int kill_it; static int cmp(const void *a, const void *b) { if (kill_it) { kill_it = 0; free(arr); return 0; } return *(const int *)a - *(const int *)b; }',
    body: 'arr = malloc(64 * sizeof(int)); for (int i = 0; i < 64; i++) arr[i] = 64 - i; kill_it = k; qsort(arr, 64, sizeof(int), cmp); int r = arr[0]; if (!k) free(arr); return r;',
  },
  {
    name: 'double free',
    kind: 'double-free',
    body: 'char *p = malloc(8); free(p); if (k) free(p); return 0;',
  },
  {
    name: 'invalid free',
    kind: 'invalid-free',
    body: 'char *p = malloc(8); char *volatile q = p + k; free(q); return 0;',
  },
  { name: 'division by zero', kind: 'division-by-zero', body: 'volatile int z = 1 - k; return 100 / z;' },
  {
    name: 'i64 remainder by zero',
    kind: 'division-by-zero',
    body: 'volatile long z = 1 - k; return (int)(100L % z);',
  },
  {
    name: 'unreachable',
    kind: 'unreachable',
    body: 'volatile int v = k; if (v) __builtin_unreachable(); return 0;',
  },
  {
    name: 'stack overflow',
    kind: 'stack-overflow',
    decls:
      'static int deep(int n, int lim) { volatile char buf[512]; buf[0] = (char)n; if (n == lim) return buf[0]; return deep(n + 1, lim) + buf[0]; }',
    body: 'return deep(0, k ? 1 << 30 : 1000);',
  },
  {
    name: 'step limit',
    kind: 'step-limit',
    body: 'volatile int n = 0; while (n < 1000 || k) n++; return 0;',
    opts: { stepLimit: 100000 },
  },
  {
    name: 'time limit',
    kind: 'time-limit',
    body: 'volatile int n = 0; while (n < 1000 || k) n++; return 0;',
    opts: { timeLimitMs: 300 },
  },
  {
    name: 'memory limit',
    kind: 'memory-limit',
    body: 'for (int i = 0; i < (k ? 100000 : 10); i++) { volatile char *p = malloc(1000); p[0] = 1; } return 0;',
    opts: { memLimitBytes: 1 << 20 },
  },
  {
    name: 'unsupported external',
    kind: 'unsupported-external',
    decls: 'extern int mystery_function(int);',
    body: 'return k ? mystery_function(3) : 0;',
  },
  { name: 'abort', kind: 'abort', body: 'if (k) abort(); return 0;' },
  { name: 'assert', kind: 'assert-fail', body: 'volatile int v = k; assert(v == 0); return 0;' },
  {
    name: 'call through a bad function pointer',
    kind: 'invalid-pointer',
    decls: 'static int one(void) { return 1; }',
    body: 'int (*volatile f)(void) = k ? (int (*)(void))(long)0x12345678 : one; return f() - 1;',
  },
  {
    // clang attaches `!range !{i8 0, i8 2}, !noundef` to a bool load from -O1 on (none at -O0).
    name: 'a bool that is neither 0 nor 1',
    kind: 'invalid-value',
    opt: '-O1',
    decls: 'struct flags { _Bool on; char pad[3]; }; struct flags *volatile fp;',
    body: 'struct flags f; volatile unsigned char *b = (unsigned char *)&f.on; *b = k ? 5 : 1; fp = &f; return fp->on ? 7 : 3;',
  },
];

function program(c: Case): string {
  return `#include <stdlib.h>\n#include <assert.h>\n#include <stdio.h>\n${c.decls ?? ''}\n__attribute__((noinline)) int run(int k) { ${c.body} }\nint main(int argc, char **argv) { int k = argv[1][0] == '1'; int r = run(k); printf("ok %d\\n", r); return 0; }\n`;
}

describe.each(CASES)('$name', (c) => {
  const opt = c.opt ?? '-O0';
  it(`is reported as ${c.kind}`, () => {
    const r = runEngine(program(c), opt, { ...c.opts, args: ['1'] });
    expect(r.outcome, r.message).toBe(c.kind);
    expect(r.message).toBeTruthy();
    if (!['step-limit', 'time-limit', 'stack-overflow'].includes(c.kind)) {
      expect(r.location?.func, JSON.stringify(r.location)).toBe('run');
    }
  });
  it('stays quiet when the program is well-defined', () => {
    const r = runEngine(program(c), opt, { ...c.opts, args: ['0'] });
    expect(r.outcome, r.message).toBe('returned');
    expect(Buffer.from(r.stdout).toString()).toMatch(/^ok -?\d+\n$/);
  });
});

describe('detectors at -O2', () => {
  it('reports a heap overflow in optimised code', () => {
    const src =
      '#include <stdlib.h>\n#include <stdio.h>\n__attribute__((noinline)) long sum(long *p, long n) { long s = 0; for (long i = 0; i <= n; i++) s += p[i]; return s; }\nint main(void) { long *p = malloc(64 * sizeof(long)); for (int i = 0; i < 64; i++) p[i] = i; printf("%ld\\n", sum(p, 64)); return 0; }\n';
    const r = runEngine(src, '-O2');
    expect(r.outcome).toBe('out-of-bounds-read');
    expect(r.location?.func).toBe('sum');
    expect(r.message).toMatch(/0 bytes past the end of heap block/);
  });
  it('reports a wild 64-bit address whose low 32 bits are valid, in every mode and code form', () => {
    // p[k] with k = -2^60 is arr - 2^63: negative, but congruent to arr modulo 2^32 (arr is aligned, so
    // the double is exact). The word-wise shadow checks see addresses modulo 2^32 and must not pass it.
    const src =
      '#include <stdio.h>\nstatic long arr[512] __attribute__((aligned(4096)));\n__attribute__((noinline)) long peek(long *p, long k) { return p[k]; }\n__attribute__((noinline)) void poke(long *p, long k) { p[k] = 1; }\nint main(int argc, char **argv) { long k = argc > 1 ? -(1L << 60) : 3; printf("%ld\\n", peek(arr, k)); poke(arr, k); return 0; }\n';
    for (const eo of [{}, { mode: 'gen' as const }, { mode: 'gen' as const, compact: false }]) {
      const bad = runEngine(src, '-O1', { args: ['1'] }, [], {}, eo);
      expect(bad.outcome, `${JSON.stringify(eo)}: ${bad.message}`).toMatch(
        /^(out-of-bounds-read|invalid-pointer)$/,
      );
      expect(bad.location?.func).toBe('peek');
      expect(runEngine(src, '-O1', {}, [], {}, eo).outcome).toBe('returned');
    }
  });
  it('reports source lines with -g', () => {
    const src = '#include <stdlib.h>\nint main(void) {\n  int *volatile p = 0;\n  return *p;\n}\n';
    const r = runEngine(src, '-O0', {}, ['-g']);
    expect(r.outcome).toBe('null-deref');
    expect(r.location?.source).toMatch(/:4:/);
  });
});
