/**
 * @fileoverview `--compile-commands` for gen, replay and export (issue 13): a small CMake project whose
 * library needs its own flags (an include directory, definitions, C11) exports its compile_commands.json
 * (CMAKE_EXPORT_COMPILE_COMMANDS); gen takes the sources and flags from it and keeps them in
 * OUT/sources.json; replay and the exports compile the module as gen did without being given the file
 * again; the exported test project builds with those flags and no CMAKE_C_FLAGS, and its tests pass.
 */
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, run } from './export-exec.js';

const have = (cmd: string): boolean => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const ready =
  have('cmake') && have('clang-19') && spawnSync('test', ['-f', '/usr/include/cmocka.h']).status === 0;

const CMAKE = `cmake_minimum_required(VERSION 3.13)
project(fx C)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
add_library(fx STATIC src/fx.c)
target_include_directories(fx PRIVATE include)
target_compile_definitions(fx PRIVATE FX_SCALE=3 "FX_NAME=\\"fx lib\\"")
set_property(TARGET fx PROPERTY C_STANDARD 11)
`;

const HEADER = `#define FX_OFFSET 4
int fx_scale(int x);
const char *fx_name(void);
`;

// Does not compile without the flags: FX_SCALE, FX_NAME and fx.h come from the build.
const SOURCE = `#include "fx.h"
#include <string.h>

int fx_scale(int x) {
  if (x > 10) return x * FX_SCALE + FX_OFFSET;
  return x - 1;
}

const char *fx_name(void) { return FX_NAME; }

int fx_is_name(const char *s) { return strcmp(s, FX_NAME) == 0; }
`;

interface Sources {
  format: string;
  modules: { path: string; source: string; directory: string; compiler: string; flags: string[] }[];
}

describe.runIf(ready)('--compile-commands', () => {
  let dir: string;
  const db = (): string => join(dir, 'build', 'compile_commands.json');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'isx-cc-'));
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'include'));
    writeFileSync(join(dir, 'CMakeLists.txt'), CMAKE);
    writeFileSync(join(dir, 'include', 'fx.h'), HEADER);
    writeFileSync(join(dir, 'src', 'fx.c'), SOURCE);
    const c = await run('cmake', ['-S', '.', '-B', 'build'], dir);
    expect(c.code, c.stdout + c.stderr).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gen takes the sources and their flags from the database and keeps them in OUT/sources.json', async () => {
    const bare = await cli(['gen', '-g', 'src/fx.c', '-o', 'out-bare'], dir);
    expect(bare.stderr + bare.stdout).toMatch(/fx\.h' file not found|FX_SCALE/);
    const g = await cli(['gen', '-g', '--native', '--compile-commands', db(), '-o', 'out'], dir);
    expect(g.code, g.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'out', 'run.json'), 'utf8')) as {
      modules: { path: string; hash: string | null }[];
    };
    expect(run.modules.map((m) => m.path)).toEqual(['src/fx.c']);
    expect(run.modules[0]!.hash).not.toBeNull();
    const s = JSON.parse(readFileSync(join(dir, 'out', 'sources.json'), 'utf8')) as Sources;
    expect(s.format).toBe('inputsmith-sources');
    expect(s.modules).toHaveLength(1);
    const m = s.modules[0]!;
    expect(m).toMatchObject({
      path: 'src/fx.c',
      source: join(dir, 'src', 'fx.c'),
      directory: join(dir, 'build'),
    });
    expect(m.flags).toEqual(expect.arrayContaining(['-DFX_SCALE=3', `-I${join(dir, 'include')}`]));
    expect(m.flags.some((f) => /^-std=(c|gnu)11$/.test(f))).toBe(true);
    const inputs = readdirSync(join(dir, 'out', 'inputs'));
    expect(inputs.length).toBe(1);
  }, 120_000);

  it('replay and export lcov compile the module as gen did, from OUT/sources.json or the file', async () => {
    const r = await cli(['replay', 'out', '--native'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/engine \d+ ok, 0 mismatch; native \d+ ok, 0 mismatch, 0 failed/);
    // A directory below OUT finds the run's entries too (as it finds the run's options).
    const mkey = readdirSync(join(dir, 'out', 'inputs'))[0]!;
    const one = await cli(['replay', join('out', 'inputs', mkey, 'fx_scale')], dir);
    expect(one.code, one.stdout + one.stderr).toBe(0);
    expect(one.stdout).toMatch(/replayed \d+ records? of 1 module: engine \d+ ok, 0 mismatch/);
    const l = await cli(['export', 'lcov', 'out', '-o', 'cov.info'], dir);
    expect(l.code, l.stderr).toBe(0);
    expect(readFileSync(join(dir, 'cov.info'), 'utf8')).toContain(`SF:${join(dir, 'src', 'fx.c')}`);
    // Without the kept entries the module cannot be compiled again: it is left out, and nothing is left.
    renameSync(join(dir, 'out', 'sources.json'), join(dir, 'sources.json.saved'));
    try {
      const bad = await cli(['export', 'lcov', 'out', '-o', 'cov2.info'], dir);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/src\/fx\.c: skipped: cannot load it/);
      const given = await cli(['export', 'lcov', 'out', '--compile-commands', db(), '-o', 'cov3.info'], dir);
      expect(given.code, given.stderr).toBe(0);
      expect(readFileSync(join(dir, 'cov3.info'), 'utf8')).toBe(readFileSync(join(dir, 'cov.info'), 'utf8'));
      const rg = await cli(['replay', 'out', '--compile-commands', db()], dir);
      expect(rg.code, rg.stdout + rg.stderr).toBe(0);
    } finally {
      renameSync(join(dir, 'sources.json.saved'), join(dir, 'out', 'sources.json'));
    }
  }, 120_000);

  it('export tests builds the tests with the flags of the database, without CMAKE_C_FLAGS', async () => {
    const e = await cli(['export', 'tests', 'out', '-o', 'proj'], dir);
    expect(e.code, e.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'proj', 'report.json'), 'utf8')) as {
      modules: { source: string }[];
      totals: { tests: number; leftOut: number };
    };
    expect(report.modules[0]!.source).toBe(join(dir, 'src', 'fx.c'));
    expect(report.totals.tests).toBeGreaterThanOrEqual(3);
    const lists = readFileSync(join(dir, 'proj', 'CMakeLists.txt'), 'utf8');
    expect(lists).toMatch(/target_compile_options\(test_fx PRIVATE .*-DFX_SCALE=3/);
    expect(lists).toContain(`-I${join(dir, 'include')}`);
    for (const cc of ['clang-19', 'gcc']) {
      const b = `build-tests-${cc}`;
      const c = await run('cmake', ['-S', 'proj', '-B', b, `-DCMAKE_C_COMPILER=${cc}`], dir);
      expect(c.code, c.stdout + c.stderr).toBe(0);
      const m = await run('cmake', ['--build', b], dir);
      expect(m.code, m.stdout + m.stderr).toBe(0);
      const t = await run('ctest', ['--test-dir', b], dir);
      expect(t.code, t.stdout).toBe(0);
      expect(t.stdout).toContain(`0 tests failed out of ${report.totals.tests}`);
    }
  }, 180_000);
});
