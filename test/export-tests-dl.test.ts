/**
 * `export tests` on a library that loads modules itself (lua's loadlib.c, issue 13): the functions it
 * calls are stubbed with the IR's types, dlopen/dlsym/dlerror among them, so the stubs file must not see
 * <dlfcn.h>'s declarations, and forwarding outside a test must still find the real functions. And a call
 * of another unit's function on a path the optimised IR proved dead (pcre2's UTF check when the
 * configuration leaves Unicode out): the IR does not declare it, so no stub names it, but the test build
 * at -O0 references it; it must link all the same. The project builds with gcc and clang at -O0 and its
 * tests pass.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, run } from './export-exec.js';

const SOURCE = `#include <dlfcn.h>
#include <string.h>
int plugin_ok(const char *path, const char *sym) {
  void *h = dlopen(path, RTLD_NOW);
  if (h == NULL) return strlen(dlerror() ? "e" : "") - 2;
  void *f = dlsym(h, sym);
  int ok = f != NULL;
  dlclose(h);
  return ok;
}
int helper_elsewhere(int);
static const int feature = 0;
int dead_call(int x) {
  if (feature) return helper_elsewhere(x);
  return x + 1;
}
`;

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-dl-'));
  writeFileSync(join(dir, 'plug.c'), SOURCE);
  const g = await cli(['gen', 'plug.c', '-g', '-O1', '--native', '-o', 'out'], dir);
  expect(g.code, g.stderr).toBe(0);
  const e = await cli(['export', 'tests', 'out', '-o', 'proj'], dir);
  expect(e.code, e.stderr).toBe(0);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export tests of a library that calls dlopen/dlsym, and a function of another unit on a dead path', () => {
  it('leaves a function only a dead path calls unstubbed', () => {
    const stubs = readFileSync(join(dir, 'proj', 'stubs', 'stubs_plug.c'), 'utf8');
    expect(stubs).not.toMatch(/helper_elsewhere/);
    expect(readFileSync(join(dir, 'proj', 'tests', 'test_plug.c'), 'utf8')).toMatch(/dead_call\(/);
  });

  it('stubs the dl functions without <dlfcn.h> in the stubs file', () => {
    const stubs = readFileSync(join(dir, 'proj', 'stubs', 'stubs_plug.c'), 'utf8');
    expect(stubs).toMatch(/\bdlopen\(/);
    expect(stubs).toMatch(/\bdlsym\(/);
    expect(stubs).not.toMatch(/#include <dlfcn\.h>/);
    expect(stubs).toMatch(/isx_real\("dlopen"\)/);
  });

  for (const cc of ['gcc', 'clang-19'])
    it(`builds and passes with ${cc}`, async () => {
      const b = join(dir, `build-${cc}`);
      const c = await run('cmake', ['-S', 'proj', '-B', b, `-DCMAKE_C_COMPILER=${cc}`, '-DISX_OPT=-O0'], dir);
      expect(c.code, c.stderr).toBe(0);
      const m = await run('cmake', ['--build', b], dir);
      expect(m.code, m.stdout + m.stderr).toBe(0);
      const t = await run('ctest', ['--test-dir', b, '--output-on-failure'], dir);
      expect(t.code, t.stdout).toBe(0);
      expect(t.stdout).toMatch(/100% tests passed, 0 tests failed out of [1-9]/);
    }, 120_000);
});
