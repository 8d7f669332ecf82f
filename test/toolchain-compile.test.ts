import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileToIR,
  irCacheStats,
  loadIRText,
  parseDepFile,
  readCompileCommands,
  splitCommand,
} from '../src/toolchain/compile.js';
import { findToolchain } from '../src/toolchain/find.js';
import { UserError } from '../src/util/errors.js';

let dir: string;
const savedCache = process.env.INPUTSMITH_CACHE;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-compile-'));
  process.env.INPUTSMITH_CACHE = join(dir, 'cache');
  mkdirSync(join(dir, 'inc'));
  writeFileSync(join(dir, 'inc', 'base.h'), '#define BASE 2\n');
  writeFileSync(
    join(dir, 'answer.c'),
    '#include "base.h"\nint answer(void) { return ANSWER + BASE; }\nint twice(int x) { return answer() * x; }\n',
  );
  writeFileSync(join(dir, 'broken.c'), 'int f(void) {\n  return 1\n}\n');
  writeFileSync(join(dir, 'shapes.cpp'), 'struct S { int v; };\nint get(const S &s) { return s.v; }\n');
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.INPUTSMITH_CACHE;
  else process.env.INPUTSMITH_CACHE = savedCache;
  rmSync(dir, { recursive: true, force: true });
});

async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

describe('compileToIR', () => {
  it('compiles at O0 with -I/-D (unoptimized: optnone, a call to answer stays)', async () => {
    const out = join(dir, 'out', 'answer-O0.ll');
    await compileToIR('answer.c', out, { opt: 'O0', includes: ['inc'], defines: ['ANSWER=40'], cwd: dir });
    const ll = readFileSync(out, 'utf8');
    expect(ll).toMatch(/define dso_local i32 @answer\(\)/);
    expect(ll).toContain('optnone');
    expect(ll).toMatch(/call i32 @answer\(\)/);
  });

  it('compiles at O2: the -D value and the header constant fold into ret i32 42', async () => {
    const out = join(dir, 'out', 'answer-O2.ll');
    await compileToIR(join(dir, 'answer.c'), out, {
      opt: 'O2',
      includes: [join(dir, 'inc')],
      defines: ['ANSWER=40'],
    });
    const ll = readFileSync(out, 'utf8');
    expect(ll).toContain('ret i32 42');
    expect(ll).not.toContain('optnone');
  });

  it('compiles C++ by extension (mangled names)', async () => {
    const out = join(dir, 'out', 'shapes.ll');
    await compileToIR('shapes.cpp', out, { cwd: dir });
    expect(readFileSync(out, 'utf8')).toMatch(/define .*@_Z3getRK1S\(/);
  });

  it('-g keeps debug info', async () => {
    const out = join(dir, 'out', 'answer-g.ll');
    await compileToIR('answer.c', out, { debug: true, includes: ['inc'], defines: ['ANSWER=1'], cwd: dir });
    expect(readFileSync(out, 'utf8')).toContain('!DISubprogram(name: "answer"');
  });

  it('a compile error is one UserError with the position of the first error', async () => {
    const e = await userError(compileToIR('broken.c', join(dir, 'out', 'broken.ll'), { cwd: dir }));
    expect(e.pos?.line).toBe(2);
    expect(e.format()).toMatch(/broken\.c:2:11: expected ';'/);
    expect(e.format()).not.toContain('\n');
  });

  it('a missing include is reported with its position', async () => {
    const e = await userError(compileToIR('answer.c', join(dir, 'out', 'x.ll'), { cwd: dir }));
    expect(e.format()).toMatch(/answer\.c:1:10: 'base\.h' file not found/);
  });

  it('a missing source is a UserError', async () => {
    const e = await userError(compileToIR(join(dir, 'nope.c'), join(dir, 'out', 'nope.ll'), {}));
    expect(e.format()).toContain('nope.c: no such file');
  });
});

describe('compile_commands.json', () => {
  it('splits shell command lines', () => {
    expect(splitCommand(`cc -DNAME='"a b"' "-Ix y" a\\ b.c`)).toEqual([
      'cc',
      '-DNAME="a b"',
      '-Ix y',
      'a b.c',
    ]);
  });

  it('turns command and arguments entries into IR compiles', async () => {
    const db = join(dir, 'compile_commands.json');
    writeFileSync(
      db,
      JSON.stringify([
        {
          directory: dir,
          file: 'answer.c',
          command: 'gcc -c -O2 -g -MD -MF answer.d -Iinc -D ANSWER=40 -std=c11 -Werror -o answer.o answer.c',
        },
        {
          directory: '.',
          file: 'shapes.cpp',
          arguments: ['c++', '-c', 'shapes.cpp', '-oshapes.o', '-std=c++17'],
        },
      ]),
    );
    const cmds = readCompileCommands(db);
    expect(cmds).toHaveLength(2);
    expect(cmds[0]).toEqual({
      file: join(dir, 'answer.c'),
      directory: dir,
      args: ['-Iinc', '-D', 'ANSWER=40', '-std=c11'],
      compiler: 'gcc',
    });
    expect(cmds[1]).toEqual({
      file: join(dir, 'shapes.cpp'),
      directory: dir,
      args: ['-std=c++17'],
      compiler: 'c++',
    });
    const c = cmds[0]!;
    const out = join(dir, 'out', 'cc.ll');
    await compileToIR(c.file, out, { opt: 'O2', extraFlags: c.args, cwd: c.directory });
    expect(readFileSync(out, 'utf8')).toContain('ret i32 42');
  });

  it('rejects a malformed database with a UserError', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"not": "an array"}');
    expect(() => readCompileCommands(bad)).toThrow(UserError);
    writeFileSync(bad, '[{"directory": "."}]');
    expect(() => readCompileCommands(bad)).toThrow(/entry 0/);
    expect(() => readCompileCommands(join(dir, 'none.json'))).toThrow(/no such file/);
  });
});

describe('loadIRText', () => {
  it('reads .ll as is', async () => {
    const ll = join(dir, 'plain.ll');
    writeFileSync(ll, 'define i32 @f() {\n  ret i32 7\n}\n');
    expect(await loadIRText(ll)).toEqual({ text: 'define i32 @f() {\n  ret i32 7\n}\n', file: ll });
  });

  it('disassembles .bc with llvm-dis of the same version', async () => {
    const bc = join(dir, 'answer.bc');
    execFileSync(findToolchain().clang, ['-c', '-emit-llvm', '-Iinc', '-DANSWER=1', 'answer.c', '-o', bc], {
      cwd: dir,
    });
    const { text, file } = await loadIRText(bc);
    expect(file).toBe(bc);
    expect(text).toMatch(/define dso_local i32 @answer\(\)/);
  });

  it('reports a garbage .bc as a UserError', async () => {
    const bc = join(dir, 'garbage.bc');
    writeFileSync(bc, 'this is not bitcode');
    const e = await userError(loadIRText(bc));
    expect(e.format()).toMatch(/garbage\.bc: not valid LLVM bitcode/);
    expect(e.format()).not.toContain('\n');
  });

  it('compiles C on the fly and reuses the cached .ll until a header changes', async () => {
    const opts = { includes: ['inc'], defines: ['ANSWER=5'], cwd: dir };
    const before = { ...irCacheStats };
    const first = await loadIRText('answer.c', opts);
    expect(first.file.startsWith(join(dir, 'cache'))).toBe(true);
    expect(first.text).toContain('@answer');
    const mtime = statSync(first.file).mtimeMs;
    const second = await loadIRText('answer.c', opts);
    expect(second).toEqual(first);
    expect(statSync(second.file).mtimeMs).toBe(mtime);
    expect(irCacheStats.compiles - before.compiles).toBe(1);
    expect(irCacheStats.hits - before.hits).toBe(1);

    // Different flags: another entry.
    const other = await loadIRText('answer.c', { ...opts, opt: 'O2' });
    expect(other.file).not.toBe(first.file);
    expect(other.text).toContain('ret i32 7');

    // A changed header invalidates the entry.
    writeFileSync(join(dir, 'inc', 'base.h'), '#define BASE 3\n');
    const future = new Date(Date.now() + 5000);
    utimesSync(join(dir, 'inc', 'base.h'), future, future);
    const third = await loadIRText('answer.c', { ...opts, opt: 'O2' });
    expect(third.text).toContain('ret i32 8');
    expect(irCacheStats.compiles - before.compiles).toBe(3);
    writeFileSync(join(dir, 'inc', 'base.h'), '#define BASE 2\n');
  });

  it('rejects missing files, directories and unknown extensions', async () => {
    expect((await userError(loadIRText(join(dir, 'missing.ll')))).format()).toContain(
      'missing.ll: no such file',
    );
    expect((await userError(loadIRText(dir))).format()).toContain('is a directory');
    writeFileSync(join(dir, 'notes.txt'), 'hello');
    expect((await userError(loadIRText(join(dir, 'notes.txt')))).format()).toContain('unsupported input');
  });
});

describe('parseDepFile', () => {
  it('reads make-style dependencies with continuations and escaped spaces', () => {
    const deps = parseDepFile('out.ll: a.c inc/b\\ c.h \\\n  /usr/include/stdio.h\n', '/w');
    expect(deps).toEqual(['/w/a.c', '/w/inc/b c.h', '/usr/include/stdio.h']);
  });
});
