/**
 * Robustness of the LLVM IR parser: real clang modules truncated and corrupted at seeded random points,
 * binary garbage, hostile nesting and typed-pointer IR must each end in a `UserError` carrying a line and
 * column (or parse, when the damage happens to leave valid IR), and never in any other exception or a hang.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import { UserError } from '../src/util/errors.js';
import { findToolchain } from '../src/toolchain/find.js';

const C_SOURCE = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { int key; double w; struct node *next; char name[8]; };
static struct node table[4] = {{1, 0.5, 0, "a"}, {2, 1.5, 0, "b\n"}};
long double ld = 2.25L;
static int cmp(const void *a, const void *b) { return ((const struct node *)a)->key - ((const struct node *)b)->key; }
int sum(struct node *n) { int s = 0; for (; n; n = n->next) s += n->key * (int)n->w; return s; }
int classify(int x) { switch (x) { case 0: return 10; case 3: return 4; case 9: return -1; default: return x & 7; } }
int main(int argc, char **argv) {
  qsort(table, 4, sizeof table[0], cmp);
  for (int i = 0; i < argc; i++) printf("%s %d %Lf\n", argv[i], classify(i), ld);
  table[0].next = &table[1];
  return sum(table) + (int)strlen(argv[0]);
}
`;
const CXX_SOURCE = String.raw`
#include <stdexcept>
#include <string>
struct Guard { int x; ~Guard(); };
Guard::~Guard() {}
int risky(int x) { if (x > 3) throw std::runtime_error("too big"); return x; }
int safe(int x) { try { Guard g{x}; return risky(x); } catch (const std::exception &e) { return -1; } }
`;

/** mulberry32: a small seeded PRNG, so that failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses; returns 'ok', or 'error' after checking the error is a UserError with a sane position. */
function outcome(text: string): 'ok' | 'error' {
  try {
    parseModule(text, 'bad.ll');
    return 'ok';
  } catch (e) {
    if (!(e instanceof UserError)) throw new Error(`not a UserError: ${String(e)}\n${(e as Error).stack}`);
    const lines = text.split('\n').length;
    expect(e.pos?.file).toBe('bad.ll');
    expect(e.pos?.line).toBeGreaterThanOrEqual(1);
    expect(e.pos?.line).toBeLessThanOrEqual(lines);
    expect(e.pos?.col).toBeGreaterThanOrEqual(1);
    expect(e.format()).toMatch(/^bad\.ll:\d+:\d+: \S/);
    expect(e.format()).not.toContain('\n');
    return 'error';
  }
}

/** True when llvm-as (parsing only, no verifier) accepts the text. */
function llvmAccepts(dir: string, text: string): boolean {
  const f = join(dir, 'cut.ll');
  writeFileSync(f, text);
  const r = spawnSync(findToolchain().llvmAs, ['--disable-verify', f, '-o', '/dev/null'], {
    encoding: 'utf8',
  });
  return r.status === 0;
}

describe('damaged real modules', () => {
  let dir = '';
  const modules: { name: string; text: string }[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ir-malformed-'));
    writeFileSync(join(dir, 'a.c'), C_SOURCE);
    writeFileSync(join(dir, 'b.cpp'), CXX_SOURCE);
    const build = (cc: string, src: string, flags: string[]) => {
      const out = join(dir, `${src}${flags.join('')}.ll`);
      execFileSync(cc, [...flags, '-S', '-emit-llvm', '-w', join(dir, src), '-o', out]);
      modules.push({ name: `${src} ${flags.join(' ')}`, text: readFileSync(out, 'utf8') });
    };
    build(findToolchain().clang, 'a.c', ['-O2', '-g']);
    build(findToolchain().clangxx, 'b.cpp', ['-O0']);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the undamaged modules parse', () => {
    for (const m of modules) expect(outcome(m.text)).toBe('ok');
  });

  it('truncations give a positioned UserError unless the cut leaves valid IR', () => {
    const rand = rng(12345);
    let errors = 0;
    for (const m of modules) {
      const text = m.text;
      // The trailing metadata section: its node bodies are kept raw, not validated.
      const mdStart = text.search(/^!\d+ = /m);
      for (let k = 0; k < 150; k++) {
        const cut = 1 + Math.floor(rand() * (text.length - 1));
        const t = text.slice(0, cut);
        if (outcome(t) === 'error') {
          errors++;
          continue;
        }
        // Accepted: either LLVM accepts it too, or the cut fell inside the metadata section.
        if (mdStart >= 0 && cut >= mdStart) continue;
        expect(llvmAccepts(dir, t), `${m.name}: accepted a truncation at ${cut} that llvm-as rejects`).toBe(
          true,
        );
      }
    }
    expect(errors).toBeGreaterThan(150);
  });

  it('corruptions give a positioned UserError or valid IR, never another exception', () => {
    const rand = rng(777);
    const junk = [
      '%',
      '@',
      '!',
      '{',
      '}',
      '[',
      ']',
      '(',
      ')',
      '<',
      '>',
      ',',
      '=',
      '*',
      '"',
      '\\',
      '\0',
      'é',
      '\u{1F600}',
      ' ',
      '\n',
      'x',
      '9',
      '-',
      '#',
      '$',
      '^',
      ':',
      '.',
    ];
    let errors = 0;
    let total = 0;
    for (const m of modules) {
      const text = m.text;
      for (let k = 0; k < 200; k++) {
        const at = Math.floor(rand() * text.length);
        const len = 1 + Math.floor(rand() * 12);
        let t: string;
        switch (k % 4) {
          case 0: // replace one character
            t = text.slice(0, at) + junk[Math.floor(rand() * junk.length)] + text.slice(at + 1);
            break;
          case 1: // delete a span
            t = text.slice(0, at) + text.slice(at + len);
            break;
          case 2: // duplicate a span
            t = text.slice(0, at + len) + text.slice(at, at + len) + text.slice(at + len);
            break;
          default: // insert a random byte
            t = text.slice(0, at) + String.fromCharCode(Math.floor(rand() * 256)) + text.slice(at);
        }
        total++;
        if (outcome(t) === 'error') errors++;
      }
    }
    // Most corruptions break the module; some (inside strings or comments) do not.
    expect(errors).toBeGreaterThan(total / 3);
  });
});

describe('garbage and hostile input', () => {
  it('binary garbage', () => {
    const rand = rng(42);
    for (let k = 0; k < 50; k++) {
      const bytes = Buffer.alloc(200 + Math.floor(rand() * 2000));
      for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
      expect(outcome(bytes.toString('latin1'))).toBe('error');
      expect(outcome(bytes.toString('utf8'))).toBe('error');
    }
  });

  it('LLVM bitcode given as text', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ir-bc-'));
    try {
      const ll = join(dir, 'x.ll');
      writeFileSync(ll, 'define i32 @f(i32 %x) {\n  ret i32 %x\n}\n');
      execFileSync(findToolchain().llvmAs, [ll, '-o', join(dir, 'x.bc')]);
      expect(outcome(readFileSync(join(dir, 'x.bc')).toString('latin1'))).toBe('error');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('deep nesting ends in a UserError, not a stack overflow', () => {
    expect(outcome(`@g = global ${'[1 x '.repeat(100000)}i8${']'.repeat(100000)} zeroinitializer\n`)).toBe(
      'error',
    );
    expect(outcome(`@g = global {${'{'.repeat(100000)}`)).toBe('error');
    expect(outcome(`!0 = !{${'!{'.repeat(100000)}`)).toBe('error');
  });

  it('unterminated strings, names and bodies', () => {
    for (const t of [
      'source_filename = "abc',
      '@"abc = global i32 0',
      'define void @f() {\n  ret void\n',
      'define void @f() {\n',
      'define void @f(',
      '@g = global [2 x i32] [i32 1, ',
      'attributes #0 = { nounwind ',
      '!0 = !{!"a", ',
      'define void @f() {\nentry:\n  #dbg_value(i32 0, !1, !DIExpression(), !2\n  ret void\n}\n',
      '@g = global ptr @',
      '%T = type { i32',
    ]) {
      expect(outcome(t), t).toBe('error');
    }
  });

  it('typed-pointer IR gets the one clear message', () => {
    const old = `%struct.S = type { i32, i8* }\n@g = global %struct.S* null\ndefine i8* @f(i8* %p) {\n  %q = getelementptr i8, i8* %p, i64 1\n  ret i8* %q\n}\n`;
    try {
      parseModule(old, 'old.ll');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).format()).toBe(
        'old.ll:1:27: typed pointers (LLVM <= 14 IR) are not supported; regenerate the IR with clang >= 15 (opaque pointers)',
      );
    }
  });
});
