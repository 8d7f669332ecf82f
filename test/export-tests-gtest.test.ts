/**
 * @fileoverview Tests of `inputsmith export tests` on C++ (GoogleTest, issue 13): a small C++ file
 * (namespaces, a class with private members, const and static member functions, references, an enum
 * class, an anonymous-namespace and a static function, a namespace global, an abort) compiled with
 * clang-19 -g -O1, gen --native, export tests, then the real cmake/ctest with clang++-19 -O0 and g++ -O2:
 * every test passes; an error test asserts the failure (a wrong signal makes it fail), a wrong expected
 * value makes a test fail. And `--framework gtest` on a C file: its tests run under GoogleTest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = join(__dirname, '..', 'bin', 'inputsmith.js');

const SOURCE = `#include <cstdlib>
#include <cstring>

namespace geo {
struct Point {
  int x;
  int y;
};

int scale_factor = 1;

class Counter {
 public:
  int add(int k);
  int total() const;
  static int limit(int k);

 private:
  int total_;
  int calls_;
};

int Counter::add(int k) {
  total_ += k * scale_factor;
  calls_++;
  return total_;
}

int Counter::total() const { return total_ > 1000 ? 1000 : total_; }

int Counter::limit(int k) { return k > 100 ? 100 : k; }

int dot(const Point &a, const Point &b) { return (a.x * b.x + a.y * b.y) & 0xffff; }

enum class Color { Red, Green, Blue };

Color next(Color c) {
  switch (c) {
    case Color::Red: return Color::Green;
    case Color::Green: return Color::Blue;
    default: return Color::Red;
  }
}
}  // namespace geo

namespace {
__attribute__((noinline)) int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
}  // namespace

static __attribute__((noinline)) int twice(int x) { return clampi(2 * x, -1000, 1000); }

int use_twice(int x) { return twice(x) + 1; }

int must_be_small(int x) {
  if (x > 1000) abort();
  return x + 1;
}

int count_char(const char *s, char c) {
  int n = 0;
  for (; *s; s++)
    if (*s == c) n++;
  return n;
}

extern const unsigned char weights[]; // a table of another unit: an input, written as declared const
int weigh(unsigned char k) { return weights[k] + 1; }
`;

const C_SOURCE = `#include <stdlib.h>
int counter;
int bump(int k) { counter += k; return counter; }
int must_be_small(int x) {
  if (x > 1000) abort();
  return x + 1;
}
`;

function sh(cmd: string, args: string[], cwd: string): { code: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr}` };
}

const have = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const ready =
  have('cmake') &&
  have('g++') &&
  have('clang++-19') &&
  spawnSync('sh', ['-c', 'test -f /usr/include/gtest/gtest.h']).status === 0;

/** Configure, build and run a project; the ctest result. */
function buildAndTest(
  dir: string,
  proj: string,
  b: string,
  cxx: string,
  opt: string,
): { code: number; out: string } {
  const cc = cxx === 'g++' ? 'gcc' : 'clang-19';
  const c = sh(
    'cmake',
    ['-S', proj, '-B', b, `-DCMAKE_C_COMPILER=${cc}`, `-DCMAKE_CXX_COMPILER=${cxx}`, `-DISX_OPT=${opt}`],
    dir,
  );
  expect(c.code, c.out).toBe(0);
  const m = sh('cmake', ['--build', b, '-j', '2'], dir);
  expect(m.code, m.out).toBe(0);
  return sh('ctest', ['--test-dir', b, '--output-on-failure', '-j', '2'], dir);
}

describe.runIf(ready)('export tests: GoogleTest', () => {
  let dir: string;
  let report: {
    totals: { tests: number; errorTests: number; leftOut: number; notReplayable: number; files: number };
    modules: { functions: { function: string; tests: string[] }[] }[];
  };
  let unit: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'isx-gtest-'));
    writeFileSync(join(dir, 'lib.cpp'), SOURCE);
    const g = sh('node', [BIN, 'gen', '-g', '-O1', '--native', '--inputs', '4', 'lib.cpp', '-o', 'out'], dir);
    expect(g.code, g.out).toBe(0);
    const e = sh('node', [BIN, 'export', 'tests', 'out', '-o', 'proj'], dir);
    expect(e.code, e.out).toBe(0);
    report = JSON.parse(readFileSync(join(dir, 'proj', 'report.json'), 'utf8'));
    unit = readFileSync(join(dir, 'proj', 'tests', 'test_lib.cpp'), 'utf8');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes GoogleTest tests that call C++ functions by their C++ names, and the same bytes again', () => {
    const t = report.totals;
    expect(t.files).toBe(1);
    expect(t.notReplayable).toBe(0);
    expect(t.leftOut).toBe(0);
    expect(t.tests).toBeGreaterThanOrEqual(10);
    expect(t.errorTests).toBeGreaterThanOrEqual(1);
    // Named after the class and the function, not the mangled symbol.
    expect(unit).toMatch(/^TEST\(regression, Counter_add_0\) \{$/m);
    expect(unit).not.toMatch(/TEST\(regression, _Z/);
    // A method on its object, a const method, a static member, references, an enum class.
    expect(unit).toMatch(/= \(\(geo::Counter \*\)\(o0\)\)->add\(-?\d+\);/);
    expect(unit).toMatch(/\(\(const geo::Counter \*\)\(o0\)\)->total\(\);/);
    expect(unit).toMatch(/geo::Counter::limit\(-?\d+\);/);
    expect(unit).toMatch(/geo::dot\(\*\(const geo::Point \*\)\(o0\), \*\(const geo::Point \*\)\(o1\)\);/);
    expect(unit).toMatch(/geo::Color ret = geo::next\(\(geo::Color\)\d\);/);
    // Objects typed from the parameters; private fields checked by name.
    expect(unit).toMatch(/geo::Counter \*const o0 = \(geo::Counter \*\)\(isx_mem \+ \d+\);/);
    expect(unit).toMatch(/EXPECT_EQ\(o0->calls_, -?\d+\);/);
    // The namespace global set before the call.
    expect(unit).toMatch(/isx_save\(\(unsigned char \*\)&geo::scale_factor, 4\);/);
    // Functions of an anonymous namespace and static functions, through the included source.
    expect(unit).toMatch(/unsigned char \*const weights_w = \(unsigned char \*\)isx_launder\(/);
    expect(unit).toMatch(/ret = clampi\(/);
    expect(unit).toMatch(/ret = twice\(/);
    // The abort as a death test.
    expect(unit).toMatch(
      /EXPECT_EXIT\(\n\s+\{\n[^]*?\[&\]\(\) noexcept \{ isx_keep\(must_be_small\(isx_opaque\(\d+\)\)\); \}\(\);[^]*?::testing::KilledBySignal\(SIGABRT\), ""\)/,
    );
    const e = sh('node', [BIN, 'export', 'tests', 'out', '-o', 'proj2'], dir);
    expect(e.code, e.out).toBe(0);
    expect(readFileSync(join(dir, 'proj2', 'tests', 'test_lib.cpp'), 'utf8')).toBe(unit);
  });

  for (const [cxx, opt] of [
    ['clang++-19', '-O0'],
    ['g++', '-O2'],
  ] as const)
    it(`builds with CMake and passes with ${cxx} ${opt}`, () => {
      const t = buildAndTest(dir, 'proj', `build-${cxx}${opt}`, cxx, opt);
      expect(t.code, t.out).toBe(0);
      expect(t.out).toContain(`0 tests failed out of ${report.totals.tests}`);
    }, 120_000);

  it('fails when an error test expects another end, or a check another value', () => {
    // The abort test asserts SIGABRT: expecting SIGSEGV instead must fail; a wrong return value too.
    const wrong = unit
      .replace('::testing::KilledBySignal(SIGABRT)', '::testing::KilledBySignal(SIGSEGV)')
      .replace(
        /(TEST\(regression, Counter_limit_0\)[^]*?EXPECT_EQ\(ret, )(-?\d+)\)/,
        (_, a: string, v: string) => `${a}${Number(v) + 1})`,
      );
    expect(wrong).not.toBe(unit);
    writeFileSync(join(dir, 'proj', 'tests', 'test_lib.cpp'), wrong);
    try {
      const t = buildAndTest(dir, 'proj', 'build-wrong', 'clang++-19', '-O0');
      expect(t.code).not.toBe(0);
      const failed = [...t.out.matchAll(/^\s*\d+ - lib\.(\S+) \(Failed\)/gm)].map((m) => m[1]).sort();
      const abortTest = unit
        .split('TEST(regression, ')
        .find((b) => b.includes('KilledBySignal(SIGABRT)'))!
        .replace(/\).*$/s, '');
      expect(failed).toEqual(['Counter_limit_0', abortTest].sort());
      expect(t.out).toContain('Expected equality of these values');
      expect(t.out).toContain('died but not with expected exit code');
    } finally {
      writeFileSync(join(dir, 'proj', 'tests', 'test_lib.cpp'), unit);
    }
  }, 120_000);

  it('--framework gtest runs the tests of a C source under GoogleTest', () => {
    writeFileSync(join(dir, 'c.c'), C_SOURCE);
    const g = sh('node', [BIN, 'gen', '-g', '-O1', '--native', '--inputs', '4', 'c.c', '-o', 'cout'], dir);
    expect(g.code, g.out).toBe(0);
    const e = sh('node', [BIN, 'export', 'tests', 'cout', '--framework', 'gtest', '-o', 'cproj'], dir);
    expect(e.code, e.out).toBe(0);
    const rep = JSON.parse(readFileSync(join(dir, 'cproj', 'report.json'), 'utf8')) as typeof report;
    expect(rep.totals.tests).toBeGreaterThanOrEqual(3);
    const wrapper = readFileSync(join(dir, 'cproj', 'tests', 'test_c_gtest.cpp'), 'utf8');
    expect(wrapper).toMatch(/^TEST\(regression, bump_0\) \{ isx_test_bump_0_run\(\); \}$/m);
    expect(readFileSync(join(dir, 'cproj', 'CMakeLists.txt'), 'utf8')).toContain('GTest::gtest_main');
    const t = buildAndTest(dir, 'cproj', 'build-c', 'g++', '-O0');
    expect(t.code, t.out).toBe(0);
    expect(t.out).toContain(`0 tests failed out of ${rep.totals.tests}`);
  }, 120_000);
});
