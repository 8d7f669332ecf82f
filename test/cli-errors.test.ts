import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main, reportError } from '../src/cli/main.js';
import { UserError } from '../src/util/errors.js';

let dir: string;
const savedCache = process.env.INPUTSMITH_CACHE;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-cli-'));
  process.env.INPUTSMITH_CACHE = join(dir, 'cache');
  writeFileSync(join(dir, 'garbage.ll'), 'this is not LLVM IR at all\n');
  writeFileSync(join(dir, 'garbage.bc'), 'BC\xc0\xde but not really');
  writeFileSync(join(dir, 'broken.c'), 'int main(void) {\n  return undefined_thing;\n}\n');
  writeFileSync(join(dir, 'notes.txt'), 'hello\n');
  writeFileSync(join(dir, 'ok.c'), 'int twice(int x) { return 2 * x; }\n');
});
afterAll(() => {
  if (savedCache === undefined) delete process.env.INPUTSMITH_CACHE;
  else process.env.INPUTSMITH_CACHE = savedCache;
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the CLI in-process, capturing what it writes. */
async function cli(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += chunk.toString();
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** A failure: non-zero exit, exactly one stderr line starting with `inputsmith: `, no stack trace. */
function expectOneLineError(r: Run, code: number): string {
  expect(r.code).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  const line = lines[0] as string;
  expect(line.startsWith('inputsmith: ')).toBe(true);
  expect(line).not.toMatch(/\bat .*:\d+:\d+\)?$/);
  return line;
}

describe('CLI errors are one line', () => {
  it('missing file', async () => {
    const line = expectOneLineError(await cli('inspect', join(dir, 'missing.ll')), 1);
    expect(line).toBe(`inputsmith: ${join(dir, 'missing.ll')}: no such file`);
  });

  it('unknown flag is a usage error (exit 2)', async () => {
    const line = expectOneLineError(await cli('compile', join(dir, 'ok.c'), '-o', dir, '--bogus'), 2);
    expect(line).toBe("inputsmith: unknown option '--bogus' (see inputsmith compile --help)");
  });

  it('bad -O value is a usage error', async () => {
    const line = expectOneLineError(await cli('compile', join(dir, 'ok.c'), '-o', dir, '-O', '7'), 2);
    expect(line).toContain('expected 0, 1, 2, 3, s or z');
  });

  it('compile without -o is a usage error', async () => {
    const line = expectOneLineError(await cli('compile', join(dir, 'ok.c')), 2);
    expect(line).toContain("required option '-o, --output <path>' not specified");
  });

  it('unknown command is a usage error', async () => {
    expectOneLineError(await cli('frobnicate'), 2);
  });

  it('conflicting options are a usage error', async () => {
    const line = expectOneLineError(await cli('inspect', join(dir, 'ok.c'), '--json', '--print'), 2);
    expect(line).toContain('--json and --print cannot be combined');
  });

  it('garbage .ll: a parse error with its position', async () => {
    const line = expectOneLineError(await cli('inspect', join(dir, 'garbage.ll')), 1);
    expect(line).toMatch(new RegExp(`^inputsmith: ${join(dir, 'garbage.ll')}:1:\\d+: `));
  });

  it('garbage .bc', async () => {
    const line = expectOneLineError(await cli('inspect', join(dir, 'garbage.bc')), 1);
    expect(line).toContain('not valid LLVM bitcode');
  });

  it('unsupported input kind', async () => {
    const line = expectOneLineError(await cli('inspect', join(dir, 'notes.txt')), 1);
    expect(line).toContain('unsupported input');
  });

  it('a C compile error points at the source line', async () => {
    const line = expectOneLineError(await cli('compile', join(dir, 'broken.c'), '-o', join(dir, 'out')), 1);
    expect(line).toBe(
      `inputsmith: ${join(dir, 'broken.c')}:2:10: use of undeclared identifier 'undefined_thing'`,
    );
  });

  it('a bad --clang is one line', async () => {
    const line = expectOneLineError(
      await cli('compile', join(dir, 'ok.c'), '-o', dir, '--clang', '/nonexistent'),
      1,
    );
    expect(line).toContain('--clang /nonexistent: not a runnable clang');
  });

  it('internal errors are one line with exit 70', () => {
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += chunk.toString();
      return true;
    });
    try {
      expect(reportError(new TypeError('x is not a function\n  at somewhere'))).toBe(70);
      expect(reportError(new UserError('bad', { file: 'a.ll', line: 3, col: 4 }))).toBe(1);
    } finally {
      err.mockRestore();
    }
    expect(stderr).toBe(
      'inputsmith: internal error: TypeError: x is not a function at somewhere\ninputsmith: a.ll:3:4: bad\n',
    );
  });

  it('errors of the machine a user can fix are user errors (exit 1), not internal ones', () => {
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += chunk.toString();
      return true;
    });
    const missing = Object.assign(new Error("Cannot find module '/x/dist/guide/worker.js'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    try {
      expect(reportError(new RangeError('Array buffer allocation failed'))).toBe(1);
      expect(reportError(missing)).toBe(1);
    } finally {
      err.mockRestore();
    }
    const lines = stderr.split('\n');
    expect(lines[0]).toMatch(
      /^inputsmith: not enough memory \(Array buffer allocation failed\): .*ulimit -v/,
    );
    expect(lines[1]).toMatch(/^inputsmith: the build is missing \(.*\); run `npm run build` first$/);
  });

  it('the launcher says when the build is missing', () => {
    const copy = mkdtempSync(join(tmpdir(), 'inputsmith-nobuild-'));
    try {
      mkdirSync(join(copy, 'bin'));
      copyFileSync(join(import.meta.dirname, '../bin/inputsmith.js'), join(copy, 'bin/inputsmith.js'));
      writeFileSync(join(copy, 'package.json'), '{"type":"module"}\n');
      const r = spawnSync(process.execPath, [join(copy, 'bin/inputsmith.js'), 'inspect', 'x.ll'], {
        encoding: 'utf8',
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        /^inputsmith: .*dist\/cli\/main\.js: the build is missing; run `npm run build`.*\n$/,
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('CLI commands', () => {
  it('--version and --help exit 0', async () => {
    const v = await cli('--version');
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const h = await cli('compile', '--help');
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('--compile-commands <file>');
  });

  it('compile writes one .ll per source of a directory', async () => {
    const out = join(dir, 'examples-ll');
    const r = await cli('compile', 'examples', '-o', out, '-O', '0');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lls = readdirSync(out).sort();
    expect(lls).toContain('linked_list.ll');
    expect(r.stdout).toBe(`compiled ${lls.length} files to ${out} (-O0)\n`);
  });

  it('compile --compile-commands uses the database flags', async () => {
    writeFileSync(join(dir, 'flag.c'), 'int value(void) { return VALUE; }\n');
    writeFileSync(
      join(dir, 'compile_commands.json'),
      JSON.stringify([{ directory: dir, file: 'flag.c', command: 'cc -DVALUE=7 -c flag.c -o flag.o' }]),
    );
    const out = join(dir, 'cc-out');
    const r = await cli('compile', '--compile-commands', join(dir, 'compile_commands.json'), '-o', out);
    expect(r.code).toBe(0);
    expect(existsSync(join(out, 'flag.ll'))).toBe(true);
  });

  it('inspect --json summarizes every function', async () => {
    const r = await cli('inspect', 'examples/linked_list.c', '--json');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { file: string; functions: { name: string }[] };
    expect(s.file).toBe('examples/linked_list.c');
    expect(s.functions.map((f) => f.name)).toEqual(
      expect.arrayContaining(['list_push', 'list_reverse', 'list_free']),
    );
  });

  it('inspect --print prints IR', async () => {
    const r = await cli('inspect', join(dir, 'ok.c'), '--print', '-O', '2');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/define dso_local i32 @twice\(i32 noundef %0\)/);
  });
});
