/**
 * @fileoverview Tests of `inputsmith export tests`: a small C file (structs with pointers, strings, a
 * global, an external call, stdin, a static function, crashes and undefined behaviour) compiled with
 * clang-19 -g -O1, gen --native, export tests, then the real cmake/ctest with clang-19 and gcc at -O0 and
 * -O2: every test file compiles, every test passes, and a corrupted expected value makes a test fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', 'bin', 'inputsmith.js');

const SOURCE = `#include <stdio.h>
#include <stdarg.h>
#include <string.h>
#include <stdlib.h>
#include <assert.h>

struct item {
  int id;
  const char *name;
  struct item *next;
};

int counter;
extern int ext_value(int);

static int twice(int x) { return 2 * x; }

int count_named(const struct item *it, const char *name) {
  int n = 0;
  for (; it != NULL; it = it->next)
    if (it->name != NULL && strcmp(it->name, name) == 0) n++;
  counter += n;
  return n;
}

int bump(int k) {
  counter += twice(k);
  return counter;
}

int call_ext(int x) { return ext_value(x) + 1; }

int read_sum(void) {
  int a, s = 0;
  while (scanf("%d", &a) == 1) s += a;
  printf("sum %d\\n", s);
  return s;
}

int divide(int a, int b) { return a / b; }

int must_be_small(int x) {
  if (x > 1000) abort();
  return x + 1;
}

int checked_half(int x) {
  assert(x % 2 == 0);
  return x / 2;
}

double scale(double x) { return x * 1.5; }

int at(const int *a, int i) { return a[i]; }

void rename_item(struct item *it, const char *name) {
  it->name = name;
  it->id++;
}

struct point { int x; short y; double w; };

double weigh(struct point *p, int n) {
  double s = 0;
  for (int i = 0; i < n && i < 4; i++) {
    s += p[i].w * p[i].x;
    p[i].y = (short)(p[i].y + 1);
  }
  return s;
}

/* A struct over 16 bytes passed by value to a function of another unit (byval in the IR): its stub
   takes a struct of the same size, which the ABI passes on the stack the same way. */
struct hooks { void *(*alloc)(void *, unsigned long); void (*release)(void *, void *); void *opaque; };
extern char *hooked_alloc(unsigned long size, struct hooks h);
int use_hooks(unsigned long n) {
  struct hooks h = {0, 0, 0};
  char *p = hooked_alloc(n, h);
  return p == 0 ? -1 : (int)(n & 0xff);
}

/* A va_list parameter: its debug type is the compiler's struct __va_list_tag *, which tests cannot name. */
int vsum(int n, va_list ap) {
  int s = 0;
  for (int i = 0; i < n && i < 3; i++) s += va_arg(ap, int);
  return s;
}

/* A struct of 8 bytes passed by value in one register (an i64 in the IR): the test rebuilds it. */
struct pair { unsigned lo; unsigned hi; };
unsigned pair_mix(struct pair p, int k) { return k > 0 ? p.lo * 3u + p.hi : p.hi; }

__attribute__((noinline)) static int scaled(int x, int k, int unused) { return x * k; }
int triple(int x) { return scaled(x, 3, x) + scaled(x + 1, 3, 7); }
typedef const unsigned char *bytes_t;
__attribute__((noinline)) static int first_or(bytes_t p, int unused, int dflt) { return p[0] ? p[0] : dflt; }
int use_first(const unsigned char *s) { return first_or(s, 1, 5) + first_or(s + 1, 2, 5); }
extern const unsigned char step_of[]; /* a table of another unit (pcre2's OP_lengths) */
int hops(const unsigned char *code) {
  int n = 0;
  while (*code != 0 && n < 16) {
    code += step_of[*code];
    n++;
  }
  return n;
}

/* The distance from a block the function frees to another object: the engine's, since the block the
   function may free lives next to the other objects as in the engine (libyaml's *end - *start). */
long gap(char *block, const char *other) {
  long d = other - block;
  free(block);
  return d;
}

/* A struct the function reads only partly, then writes a field whose value (an integer in the engine's
   address range) the engine records as a pointer slot of the after-state: no typed check may assert it. */
struct meter { int unit; long total; long spare[4]; };
void charge(struct meter *m) {
  if (m->unit > 0 && m->total != 0) m->total = 300000000L + m->unit;
}

/* A result computed from an address (a pointer hash): the test maps its objects at the engine's own
   addresses (isx_input_block), so it is the engine's natively too. */
unsigned long addr_hash(const int *p) { return ((unsigned long)p >> 3) * 2654435761ul + (unsigned long)*p; }
`;

function sh(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): { code: number; out: string } {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

const have = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const ready =
  have('cmake') &&
  have('gcc') &&
  have('clang-19') &&
  spawnSync('sh', ['-c', 'test -f /usr/include/cmocka.h']).status === 0;

describe.runIf(ready)('export tests', () => {
  let dir: string;
  let report: {
    totals: { tests: number; errorTests: number; leftOut: number; notReplayable: number; files: number };
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isx-tests-'));
    writeFileSync(join(dir, 'lib.c'), SOURCE);
    const g = sh('node', [BIN, 'gen', '-g', '-O1', '--native', '--inputs', '6', 'lib.c', '-o', 'out'], dir);
    expect(g.code, g.out).toBe(0);
    const e = sh('node', [BIN, 'export', 'tests', 'out', '-o', 'proj'], dir);
    expect(e.code, e.out).toBe(0);
    report = JSON.parse(readFileSync(join(dir, 'proj', 'report.json'), 'utf8'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a test per replayable input, error tests too, and the same bytes again', () => {
    const t = report.totals;
    expect(t.files).toBe(1);
    expect(t.tests).toBeGreaterThanOrEqual(10);
    expect(t.notReplayable).toBe(0);
    expect(t.errorTests).toBeGreaterThanOrEqual(2);
    expect(t.leftOut).toBe(0);
    const unit = readFileSync(join(dir, 'proj', 'tests', 'test_lib.c'), 'utf8');
    expect(unit).toContain('/* construct input */');
    expect(unit).toMatch(/isx_stdin\("[^"]*", \d+\);/);
    expect(unit).toContain('isx_save((unsigned char *)&counter, 4);');
    expect(unit).toMatch(/"ext_value", \{/);
    expect(unit).toMatch(/"hooked_alloc", \{/);
    expect(unit).toMatch(/vsum\(-?\d+, \*\(va_list \*\)\(void \*\)\(o\d+\)\)/);
    expect(unit).toMatch(/pair_mix\(\*\(const struct pair \*\)\(const void \*\)a0_bytes, /);
    expect(unit).toContain('isx_expect_signal');
    // Typed inputs from the debug information: objects declared with their C type, initialised with
    // designated fields, linked by typed pointer assignments, checked per changed field.
    expect(unit).toMatch(/struct item \*const o\d+ = \(struct item \*\)\(isx_mem \+ \d+\);/);
    expect(unit).toMatch(/static const struct item o\d+_in = \{\n {4}\.id = -?\d+,/);
    expect(unit).toMatch(/o\d+->next = o\d+;/);
    expect(unit).toMatch(/assert_int_equal\(o\d+->id, -?\d+\);/);
    expect(unit).toMatch(/assert_int_equal\(o\d+\[\d\]\.y, -?\d+\);/);
    // A static function whose constant and unused parameters the optimiser removed.
    expect(unit).toMatch(
      /scaled\(-?\d+, \(int\)3 \/\* removed by the optimiser: this at every call site \*\/, \(int\)0 /,
    );
    // ... and one whose pointer parameter's type is a typedef (pcre2's PCRE2_SPTR).
    expect(unit).toMatch(/first_or\(\(void \*\)\(o\d+\), \(int\)0 \/\* removed by the optimiser/);
    // A const table of another unit is an input: written through a laundered pointer (clang -O2 drops
    // stores to an object declared const; the build below at clang-19 -O2 fails without it).
    expect(unit).toMatch(
      /unsigned char \*const step_of_w = \(unsigned char \*\)isx_launder\(\(void \*\)[^;]*step_of\);/,
    );
    expect(unit).toMatch(/memcpy\(step_of_w \+ \d+, step_of_in0, sizeof step_of_in0\);/);
    // Objects the function may realloc live in the object block too, known to the support's realloc.
    expect(unit).toMatch(/isx_heap_object\(o\d+, \d+\);/);
    // charge's struct meter: partly recorded, typed; `total` holds an address-like integer afterwards,
    // which the engine records as a pointer slot, so no typed check asserts its (zeroed) bytes.
    expect(unit).toMatch(/struct meter \*const o\d+ = /);
    expect(unit).toMatch(/isx_test_charge_\d+[^]*?\/\* check \*\/[^]*?isx_check_mem/);
    expect(unit).not.toMatch(/assert_int_equal\(o\d+->total, /);
    // The object block is mapped where the engine's input region is (addr_hash's result depends on it).
    expect(unit).toMatch(/unsigned char \*const isx_mem = isx_input_block\(\d+\);/);
    expect(unit).toMatch(/isx_test_addr_hash_0/);
    const e = sh('node', [BIN, 'export', 'tests', 'out', '-o', 'proj2'], dir);
    expect(e.code, e.out).toBe(0);
    expect(readFileSync(join(dir, 'proj2', 'tests', 'test_lib.c'), 'utf8')).toBe(unit);
  });

  const builds: [string, string][] = [
    ['clang-19', '-O0'],
    ['clang-19', '-O2'],
    ['gcc', '-O0'],
    ['gcc', '-O2'],
  ];
  for (const [cc, opt] of builds)
    it(`builds and passes with ${cc} ${opt}`, () => {
      const b = `build-${cc}${opt}`;
      const c = sh('cmake', ['-S', 'proj', '-B', b, `-DCMAKE_C_COMPILER=${cc}`, `-DISX_OPT=${opt}`], dir);
      expect(c.code, c.out).toBe(0);
      const m = sh('cmake', ['--build', b], dir);
      expect(m.code, m.out).toBe(0);
      const t = sh('ctest', ['--test-dir', b, '--output-on-failure'], dir);
      expect(t.code, t.out).toBe(0);
      expect(t.out).toContain(`0 tests failed out of ${report.totals.tests}`);
    }, 120_000);

  it('without debug information, calls through the IR signature (structs in registers) and leaves out what it cannot spell', () => {
    // clang passes a small struct by value as scalars: the source's prototype takes the struct, the IR two
    // doubles. Without -g the test must call through the IR's (ABI-level) type, or leave the input out.
    writeFileSync(
      join(dir, 'pt.c'),
      'struct pt { double x, y; };\n' +
        'double dot(struct pt a, struct pt b) { return a.x * b.x + a.y * b.y; }\n' +
        'struct pt mid(struct pt a, struct pt b) { struct pt m = { (a.x + b.x) / 2, (a.y + b.y) / 2 }; return m; }\n' +
        'struct big { long v[6]; };\n' +
        'long first(struct big b) { return b.v[0]; }\n',
    );
    const g = sh('node', [BIN, 'gen', '-O1', '--native', 'pt.c', '-o', 'out-nog'], dir);
    expect(g.code, g.out).toBe(0);
    const e = sh('node', [BIN, 'export', 'tests', 'out-nog', '-o', 'proj-nog'], dir);
    expect(e.code, e.out).toBe(0);
    const r = JSON.parse(readFileSync(join(dir, 'proj-nog', 'report.json'), 'utf8')) as typeof report & {
      modules: { functions: { function: string; tests: string[]; leftOut: { reason: string }[] }[] }[];
    };
    const fns = new Map(r.modules[0]!.functions.map((f) => [f.function, f]));
    expect(fns.get('dot')!.tests.length).toBeGreaterThan(0);
    expect(fns.get('dot')!.leftOut).toEqual([]);
    for (const f of ['mid', 'first']) {
      expect(fns.get(f)!.tests).toEqual([]);
      for (const l of fns.get(f)!.leftOut) expect(l.reason).toMatch(/no debug information/);
    }
    const unit = readFileSync(join(dir, 'proj-nog', 'tests', 'test_pt.c'), 'utf8');
    expect(unit).toContain('((double (*)(double, double, double, double))isx_launder((void *)&dot))(');
    expect(sh('cmake', ['-S', 'proj-nog', '-B', 'build-nog'], dir).code).toBe(0);
    const m = sh('cmake', ['--build', 'build-nog'], dir);
    expect(m.code, m.out).toBe(0);
    const t = sh('ctest', ['--test-dir', 'build-nog'], dir);
    expect(t.code, t.out).toBe(0);
    expect(t.out).toContain(`0 tests failed out of ${r.totals.tests}`);
  }, 120_000);

  it('fails when an expected value is corrupted', () => {
    const file = join(dir, 'proj', 'tests', 'test_lib.c');
    const text = readFileSync(file, 'utf8');
    const m = /assert_int_equal\(ret, (-?\d+)\);/.exec(text);
    expect(m).not.toBeNull();
    writeFileSync(file, text.replace(m![0], `assert_int_equal(ret, ${Number(m![1]) + 1});`));
    const b = 'build-corrupt';
    expect(sh('cmake', ['-S', 'proj', '-B', b], dir).code).toBe(0);
    expect(sh('cmake', ['--build', b], dir).code).toBe(0);
    const t = sh('ctest', ['--test-dir', b], dir);
    expect(t.code).not.toBe(0);
    expect(t.out).toContain(`1 tests failed out of ${report.totals.tests}`);
  }, 120_000);
});
