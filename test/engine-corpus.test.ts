// Whole real programs from the corpus (../shared/corpus.md), natively and in the engine, identical output:
// the Lua 5.4 interpreter running a script (closures, tables, string formatting, coroutines, pcall/error
// through setjmp/longjmp), zlib compressing and inflating a buffer, and the sqlite3 shell running SQL on an
// in-memory database and on a database file. Skipped when the corpus cannot be fetched (no network). The
// first run compiles the libraries (cached afterwards).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { parseModule } from '../src/ir/parser.js';
import { readVirtualFile } from '../src/engine/libc/index.js';
import { corpusIR, fetchCorpus, sqliteAmalgamationIR, type CorpusLib } from '../src/toolchain/corpus.js';
import { findToolchain, llvmTool } from '../src/toolchain/find.js';

const dir = join(tmpdir(), 'inputsmith-engine-corpus');

async function tryFetch(name: string): Promise<CorpusLib | undefined> {
  try {
    return await fetchCorpus(name, { log: () => {} });
  } catch {
    return undefined;
  }
}

function hashOf(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/** The toolchain's llvm-link (of clang's version). */
function llvmLink(): string {
  const p = llvmTool(findToolchain(), 'llvm-link');
  if (p === undefined) throw new Error(`llvm-link of LLVM ${findToolchain().version} not found`);
  return p;
}

/** Suffix of this process's temporary files in the shared cache (test runs of other checkouts share it). */
const TMP = `.${process.pid}.tmp`;

/** llvm-link the .ll files into one module (cached by their contents). */
function linkIR(files: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `linked-${hashOf(files.map((f) => readFileSync(f, 'utf8')))}.ll`);
  if (!existsSync(out)) {
    execFileSync(llvmLink(), ['-S', ...files, '-o', out + TMP]);
    renameSync(out + TMP, out);
  }
  return readFileSync(out, 'utf8');
}

/**
 * A native -O2 binary of the C files (cached by their contents and the flags). Built asynchronously: a
 * compile of sqlite's amalgamation takes half a minute, and a blocked worker misses vitest's RPC deadlines.
 */
async function nativeBinary(
  lib: CorpusLib,
  files: readonly string[],
  flags = lib.flags,
  cwd = lib.root,
): Promise<string> {
  const exe = join(dir, `bin-${hashOf([...files.map((f) => readFileSync(f, 'utf8')), ...flags])}`);
  if (!existsSync(exe)) {
    await promisify(execFile)(
      findToolchain().clang,
      ['-O2', '-w', ...flags, ...files, '-o', exe + TMP, '-lm'],
      {
        cwd,
      },
    );
    renameSync(exe + TMP, exe);
  }
  return exe;
}

const LUA_SCRIPT = `
local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end
local t = {}
for i = 1, 300 do t[i] = string.format("%d:%s", i * 7 % 13, tostring(i / 3)) end
table.sort(t)
print(fib(20), #t, t[1], t[300])
local words = {}
for w in ("the quick brown fox jumps over the lazy dog"):gmatch("%a+") do words[#words + 1] = w:upper() end
print(table.concat(words, ","), #words)
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
print(co(1), co(10))
print(pcall(function() error("boom") end))
print(select("#", pcall(error)))
print(string.format("%5.2f %x %q %g", math.pi, 255, "a\\nb", 1e300 * 10))
local acc = 0
for i = 1, 100000 do acc = (acc * 31 + i) % 1000003 end
print(acc, 7 // 2, 7.0 // 2, 2^10, 10 % -3, math.maxinteger + 1 == math.mininteger)
local ok, msg = pcall(function() local x = nil; return x.y end)
print(ok, msg)
`;

describe('lua5.4 interpreter', () => {
  let lib: CorpusLib | undefined;
  let ir = '';
  let exe = '';
  beforeAll(async () => {
    lib = await tryFetch('lua5.4');
    if (lib === undefined) return;
    const files = lib.files.filter((f) => basename(f) !== 'luac.c');
    const lls = (await corpusIR(lib, 'O2')).filter((f) => basename(f) !== 'luac.ll');
    ir = linkIR(lls);
    exe = await nativeBinary(lib, files);
  });
  it('runs a script with the same output as the native interpreter', (ctx) => {
    if (lib === undefined) ctx.skip();
    const native = execFileSync(exe, ['-e', LUA_SCRIPT], { env: { LC_ALL: 'C' } }).toString('latin1');
    const e = new Engine(parseModule(ir, 'lua.ll'));
    const r = e.runMain({ args: ['-e', LUA_SCRIPT], argv0: 'lua' });
    expect(r.outcome, r.message).toBe('returned');
    expect(Buffer.from(r.stdout).toString('latin1')).toBe(native);
    expect(native).toContain('boom');
  });
});

const ZLIB_DRIVER = `
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "zlib.h"
int main(void) {
  size_t n = 200000;
  unsigned char *src = malloc(n);
  unsigned s = 7;
  for (size_t i = 0; i < n; i++) { s = s * 1103515245u + 12345u; src[i] = (i % 97 < 60) ? "abcdefgh"[(s >> 16) & 7] : (unsigned char)(s >> 24); }
  for (int level = 1; level <= 9; level += 4) {
    uLongf clen = compressBound(n);
    unsigned char *c = malloc(clen);
    if (compress2(c, &clen, src, n, level) != Z_OK) return 2;
    uLongf dlen = n;
    unsigned char *d = malloc(n);
    if (uncompress(d, &dlen, c, clen) != Z_OK) return 3;
    printf("level %d: %lu -> %lu bytes, crc %08lx adler %08lx, round trip %s\\n", level, (unsigned long)n,
           (unsigned long)clen, crc32(0, c, clen), adler32(1, d, dlen), dlen == n && memcmp(d, src, n) == 0 ? "ok" : "BAD");
    free(c); free(d);
  }
  return 0;
}
`;

describe('zlib', () => {
  let lib: CorpusLib | undefined;
  let ir = '';
  let exe = '';
  beforeAll(async () => {
    lib = await tryFetch('zlib');
    if (lib === undefined) return;
    mkdirSync(dir, { recursive: true });
    const driver = join(dir, 'zdriver.c');
    writeFileSync(driver, ZLIB_DRIVER);
    const driverLL = join(dir, 'zdriver.ll');
    execFileSync(
      findToolchain().clang,
      ['-O2', '-w', '-S', '-emit-llvm', ...lib.flags, driver, '-o', driverLL],
      {
        cwd: lib.root,
      },
    );
    const lls = await corpusIR(lib, 'O2');
    ir = linkIR([driverLL, ...lls]);
    exe = await nativeBinary(lib, [driver, ...lib.files]);
  });
  it('compresses and inflates a buffer exactly as natively', (ctx) => {
    if (lib === undefined) ctx.skip();
    const native = execFileSync(exe).toString('latin1');
    const r = new Engine(parseModule(ir, 'zlib.ll')).runMain();
    expect(r.outcome, r.message).toBe('returned');
    expect(Buffer.from(r.stdout).toString('latin1')).toBe(native);
    expect(native).toMatch(/round trip ok/);
  });
});

// SQL for the shell: DDL with constraints, joins, GROUP BY/ORDER BY, aggregates and window functions,
// printf(), recursive CTEs, an index (EXPLAIN QUERY PLAN), a transaction rolled back, date/string/json
// functions, output modes, dot commands, and three errors (UNIQUE and CHECK violations, a missing table),
// which go to stderr and make the exit code 1.
const SQL_SCRIPT = `
.headers on
CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT NOT NULL, dept INTEGER REFERENCES dept(id),
  salary REAL CHECK(salary > 0), hired TEXT);
INSERT INTO dept(name) VALUES ('eng'), ('sales'), ('ops');
INSERT INTO emp(name, dept, salary, hired) VALUES
  ('ada', 1, 120000, '2019-03-01'), ('bob', 2, 65000.5, '2020-07-15'), ('cy', 1, 98000, '2021-01-10'),
  ('dee', 3, 70000, '2018-11-30'), ('eve', 2, 72000, '2022-05-05'), ('fay', 1, 131000.25, '2017-09-09');
CREATE INDEX emp_dept ON emp(dept, salary);
SELECT d.name, count(*) AS n, printf('%.2f', avg(e.salary)) AS avg_salary, max(e.salary) AS top
  FROM emp e JOIN dept d ON d.id = e.dept GROUP BY d.name ORDER BY n DESC, d.name;
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON d.id = e.dept WHERE e.salary > 70000 ORDER BY e.salary DESC;
.mode column
WITH RECURSIVE fib(i, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT i + 1, b, a + b FROM fib WHERE i < 30)
  SELECT i, a FROM fib WHERE i % 5 = 0;
WITH RECURSIVE cnt(x) AS (VALUES(1) UNION ALL SELECT x + 1 FROM cnt WHERE x < 1000)
  SELECT sum(x), total(x * x), group_concat(x % 7, '') FILTER (WHERE x < 20) FROM cnt;
.mode box
SELECT upper(name) AS u, length(name) AS len, substr(hired, 1, 4) AS yr,
  julianday(hired) - julianday('2017-01-01') AS days, date(hired, '+1 month') AS next, strftime('%W', hired) AS wk,
  hex(name), round(salary / 3, 3) AS third, typeof(salary), coalesce(NULL, name || '!'), replace(name, 'a', 'A'),
  instr(name, 'e'), abs(-salary) FROM emp ORDER BY id;
.mode list
BEGIN;
UPDATE emp SET salary = salary * 2;
DELETE FROM emp WHERE dept = 2;
SELECT count(*), sum(salary) FROM emp;
ROLLBACK;
SELECT count(*), sum(salary) FROM emp;
INSERT INTO dept(name) VALUES ('eng');
INSERT INTO emp(name, dept, salary) VALUES ('neg', 1, -5);
SELECT * FROM nosuchtable;
SELECT name, rank() OVER (PARTITION BY dept ORDER BY salary DESC) FROM emp ORDER BY dept, 2;
SELECT json_object('a', 1, 'b', json_array(1, 2, 'x')), json_extract('{"k":[10,20]}', '$.k[1]');
SELECT quote(x'00ff'), zeroblob(3) = x'000000', 10 / 3, 10 / 3.0, 1e308 * 10, -0.0, 9223372036854775807 + 1;
SELECT changes(), total_changes(), sqlite_version() IS NOT NULL;
EXPLAIN QUERY PLAN SELECT * FROM emp WHERE dept = 1 AND salary > 100000;
PRAGMA integrity_check;
.schema emp
.dump dept
.tables
`;

// A database file: a few thousand rows through the pager (journal created and deleted, a rollback, VACUUM),
// then reopened by the shell; then the shell's file functions (writefile creating directories, readfile,
// the fsdir table walking a directory tree).
const SQL_FILE_SCRIPT = `
CREATE TABLE kv(k TEXT PRIMARY KEY, v BLOB);
WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x + 1 FROM c WHERE x < 3000)
  INSERT INTO kv SELECT printf('key%05d', x), zeroblob(x % 50) || x FROM c;
BEGIN;
DELETE FROM kv WHERE k > 'key01000';
SELECT count(*) FROM kv;
ROLLBACK;
SELECT count(*), sum(length(v)) FROM kv;
CREATE INDEX kv_v ON kv(v);
DELETE FROM kv WHERE rowid % 3 = 0;
VACUUM;
PRAGMA page_count;
PRAGMA integrity_check;
.open test.db
SELECT count(*), min(k), max(k) FROM kv;
INSERT INTO kv VALUES('key00001', 'dup');
SELECT writefile('out/sub/a.txt', 'hello'), writefile('out/b.bin', zeroblob(1000));
SELECT name, length(data), mode & 0x4000 != 0 AS isdir FROM fsdir('out') ORDER BY name;
SELECT readfile('out/sub/a.txt'), length(readfile('out/b.bin')), readfile('missing') IS NULL;
SELECT name FROM fsdir('nope');
`;

/** The flags corpus.ts compiles the amalgamation with (sqliteAmalgamationIR), for the native build. */
const SQLITE_DEFINES = [
  '-D_HAVE_SQLITE_CONFIG_H',
  '-DSQLITE_CORE',
  '-DSQLITE_ENABLE_FTS3',
  '-DSQLITE_ENABLE_FTS5',
  '-DSQLITE_ENABLE_RTREE',
];

describe('sqlite3 shell', () => {
  let lib: CorpusLib | undefined;
  let engine: Engine | undefined;
  let exe = '';
  const home = join(dir, 'sqlite-home');
  beforeAll(async () => {
    lib = await tryFetch('sqlite3');
    if (lib === undefined) return;
    // shell.c is generated by the Debian build (bld/) and compiled as the sqlite3 program is, against the
    // amalgamation (which corpus.ts compiles to one .ll and caches).
    const bld = join(lib.top, 'bld');
    const shell = join(bld, 'shell.c');
    const flags = ['-I.', '-D_HAVE_SQLITE_CONFIG_H'];
    mkdirSync(home, { recursive: true });
    const shellLL = join(dir, `sqlite-shell-${hashOf([readFileSync(shell, 'utf8'), ...flags])}.ll`);
    if (!existsSync(shellLL)) {
      execFileSync(
        findToolchain().clang,
        ['-O2', '-w', '-S', '-emit-llvm', ...flags, shell, '-o', shellLL + TMP],
        {
          cwd: bld,
        },
      );
      renameSync(shellLL + TMP, shellLL);
    }
    // The native build runs while the engine compiles.
    const native = nativeBinary(lib, [shell, join(bld, 'sqlite3.c')], ['-I.', ...SQLITE_DEFINES], bld);
    const ir = linkIR([shellLL, await sqliteAmalgamationIR('O2')]);
    engine = new Engine(parseModule(ir, 'sqlite3.ll'));
    exe = await native;
  });

  /** The shell natively (HOME without a .sqliterc) in `cwd`, SQL on stdin. */
  function runNative(args: readonly string[], sql: string, cwd: string) {
    const r = spawnSync(exe, args, { input: sql, cwd, env: { HOME: home, LC_ALL: 'C' } });
    return { stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1'), code: r.status };
  }
  function runEngine(args: readonly string[], sql: string) {
    const r = engine!.runMain({
      args,
      argv0: 'sqlite3',
      stdin: Buffer.from(sql),
      env: { HOME: '/home/user' },
    });
    expect(r.outcome, r.message).toMatch(/^(returned|exit)$/);
    const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');
    return { stdout: text(r.stdout), stderr: text(r.stderr), code: r.exitCode };
  }

  it('runs SQL against an in-memory database with the same output as native', (ctx) => {
    if (lib === undefined) ctx.skip();
    const native = runNative([':memory:'], SQL_SCRIPT, home);
    expect(native.stdout).toContain('SEARCH emp USING INDEX emp_dept');
    expect(native.stderr).toContain('UNIQUE constraint failed: dept.name');
    expect(runEngine([':memory:'], SQL_SCRIPT)).toEqual(native);
  });

  it('runs SQL given in argv with -cmd', (ctx) => {
    if (lib === undefined) ctx.skip();
    const args = ['-cmd', '.mode csv', ':memory:', "SELECT 1, 'two', 3.5, NULL, x'41'; SELECT typeof(1.0)"];
    const native = runNative(args, '', home);
    expect(native.stdout).toContain('two');
    expect(runEngine(args, '')).toEqual(native);
  });

  it('writes a database file byte-identical to the native one, and files and directories', (ctx) => {
    if (lib === undefined) ctx.skip();
    const cwd = join(dir, 'sqlite-db');
    rmSync(cwd, { recursive: true, force: true });
    mkdirSync(cwd);
    const native = runNative(['test.db'], SQL_FILE_SCRIPT, cwd);
    expect(native.stderr).toContain('UNIQUE constraint failed');
    expect(runEngine(['test.db'], SQL_FILE_SCRIPT)).toEqual(native);
    const db = readVirtualFile(engine!.rt, 'test.db');
    expect(db !== undefined && Buffer.from(db).equals(readFileSync(join(cwd, 'test.db')))).toBe(true);
    expect(readVirtualFile(engine!.rt, 'test.db-journal')).toBeUndefined();
    expect(Buffer.from(readVirtualFile(engine!.rt, 'out/sub/a.txt') ?? []).toString()).toBe('hello');
  });
});
