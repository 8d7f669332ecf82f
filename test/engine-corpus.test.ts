// Whole real programs from the corpus (../shared/corpus.md), natively and in the engine, identical output:
// the Lua 5.4 interpreter running a script (closures, tables, string formatting, coroutines, pcall/error
// through setjmp/longjmp) and zlib compressing and inflating a buffer. Skipped when the corpus cannot be
// fetched (no network). The first run compiles the libraries (cached afterwards).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { parseModule } from '../src/ir/parser.js';
import { corpusIR, fetchCorpus, type CorpusLib } from '../src/toolchain/corpus.js';

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

/** llvm-link the .ll files into one module (cached by their contents). */
function linkIR(files: readonly string[]): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `linked-${hashOf(files.map((f) => readFileSync(f, 'utf8')))}.ll`);
  if (!existsSync(out)) {
    execFileSync('llvm-link-19', ['-S', ...files, '-o', out + '.tmp']);
    renameSync(out + '.tmp', out);
  }
  return readFileSync(out, 'utf8');
}

/** A native -O2 binary of the C files (cached). */
function nativeBinary(lib: CorpusLib, files: readonly string[]): string {
  const exe = join(dir, `bin-${hashOf(files.map((f) => readFileSync(f, 'utf8')))}`);
  if (!existsSync(exe)) {
    execFileSync('clang-19', ['-O2', '-w', ...lib.flags, ...files, '-o', exe + '.tmp', '-lm'], {
      cwd: lib.root,
    });
    renameSync(exe + '.tmp', exe);
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
    exe = nativeBinary(lib, files);
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
    execFileSync('clang-19', ['-O2', '-w', '-S', '-emit-llvm', ...lib.flags, driver, '-o', driverLL], {
      cwd: lib.root,
    });
    const lls = await corpusIR(lib, 'O2');
    ir = linkIR([driverLL, ...lls]);
    exe = nativeBinary(lib, [driver, ...lib.files]);
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
