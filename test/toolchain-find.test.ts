import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findToolchain, toolMajor } from '../src/toolchain/find.js';
import { UserError } from '../src/util/errors.js';

const saved = { ...process.env };
let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'inputsmith-find-'));
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(tmp, { recursive: true, force: true });
});

/** A fake tool that reports the given version line. */
function fakeTool(dir: string, name: string, versionLine: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\necho '${versionLine}'\n`);
  chmodSync(p, 0o755);
  return p;
}

function errorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('findToolchain', () => {
  it('finds clang >= 15 and LLVM tools of exactly the same major version', () => {
    const tc = findToolchain();
    expect(tc.version).toBeGreaterThanOrEqual(15);
    expect(toolMajor(tc.clang)).toBe(tc.version);
    expect(toolMajor(tc.clangxx)).toBe(tc.version);
    expect(toolMajor(tc.llvmAs)).toBe(tc.version);
    expect(toolMajor(tc.llvmDis)).toBe(tc.version);
    if (tc.lli !== undefined) expect(toolMajor(tc.lli)).toBe(tc.version);
    if (tc.opt !== undefined) expect(toolMajor(tc.opt)).toBe(tc.version);
  });

  it('caches the result per process', () => {
    expect(findToolchain()).toBe(findToolchain());
  });

  it('accepts an explicit clang path (flag and INPUTSMITH_CLANG)', () => {
    const real = findToolchain().clang;
    expect(findToolchain({ clang: real }).clang).toBe(real);
    process.env.INPUTSMITH_CLANG = real;
    expect(findToolchain().clang).toBe(real);
  });

  it('ignores LLVM tools of another major version, even in INPUTSMITH_LLVM_BIN', () => {
    const real = findToolchain();
    fakeTool(tmp, 'llvm-as', 'LLVM version 14.0.6');
    fakeTool(tmp, 'llvm-dis', 'LLVM version 14.0.6');
    process.env.INPUTSMITH_LLVM_BIN = tmp;
    const tc = findToolchain();
    expect(tc.llvmAs).not.toContain(tmp);
    expect(toolMajor(tc.llvmAs)).toBe(real.version);
  });

  it('uses INPUTSMITH_LLVM_BIN when its tools match', () => {
    const v = findToolchain().version;
    const as = fakeTool(tmp, 'llvm-as', `LLVM version ${v}.0.0`);
    const dis = fakeTool(tmp, 'llvm-dis', `LLVM version ${v}.0.0`);
    process.env.INPUTSMITH_LLVM_BIN = tmp;
    const tc = findToolchain();
    expect(tc.llvmAs).toBe(as);
    expect(tc.llvmDis).toBe(dis);
  });

  it('a nonexistent INPUTSMITH_CLANG is one line saying what to install', () => {
    process.env.INPUTSMITH_CLANG = '/nonexistent';
    const e = errorOf(() => findToolchain());
    const line = e.format();
    expect(line).not.toContain('\n');
    expect(line).toContain('INPUTSMITH_CLANG=/nonexistent');
    expect(line).toContain('apt-get install clang-19 llvm-19');
  });

  it('a nonexistent --clang path is reported as such', () => {
    const e = errorOf(() => findToolchain({ clang: join(tmp, 'nope') }));
    expect(e.format()).toContain('--clang');
  });

  it('rejects a clang older than 15 and says what to install', () => {
    fakeTool(tmp, 'clang', 'Debian clang version 14.0.6');
    delete process.env.INPUTSMITH_CLANG;
    process.env.PATH = tmp;
    const line = errorOf(() => findToolchain()).format();
    expect(line).toMatch(/^clang >= 15 not found \(.*clang 14\); install clang-19 and llvm-19/);
    expect(line).not.toContain('\n');
  });

  it('rejects an explicit clang that is too old', () => {
    const old = fakeTool(tmp, 'clang', 'clang version 13.0.1');
    expect(errorOf(() => findToolchain({ clang: old })).format()).toContain('clang 13 is too old');
  });

  it('says clang is missing when nothing is on PATH', () => {
    delete process.env.INPUTSMITH_CLANG;
    process.env.PATH = tmp;
    expect(errorOf(() => findToolchain()).format()).toBe(
      'clang >= 15 not found; install clang-19 and llvm-19 (apt-get install clang-19 llvm-19) or set INPUTSMITH_CLANG',
    );
  });
});
