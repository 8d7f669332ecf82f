/**
 * Helper for the engine and libc tests (not a test file): compile C (or C++) with the toolchain's clang
 * (clang++) to a native binary and to LLVM IR, cached by content hash under the OS temp dir, run natively,
 * and run in the engine. The one place tests build and run native programs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { threadId } from 'node:worker_threads';
import { join } from 'node:path';
import { Engine, type EngineOptions, type RunOptions, type RunResult } from '../src/engine/engine.js';
import { parseModule } from '../src/ir/parser.js';
import { findToolchain } from '../src/toolchain/find.js';

const dir = join(tmpdir(), 'inputsmith-engine-tests');

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

/** Source language and extra compiler flags (C by default; C programs keep their cache keys). */
export interface Lang {
  readonly cxx?: boolean;
  readonly flags?: readonly string[];
}

function langKey(l: Lang): string {
  return l.cxx === true || (l.flags ?? []).length > 0
    ? `\0${l.cxx === true ? 'c++' : 'c'}\0${(l.flags ?? []).join(' ')}`
    : '';
}

function compiler(l: Lang): string {
  const tc = findToolchain();
  return l.cxx === true ? tc.clangxx : tc.clang;
}

function sourceFile(src: string, l: Lang = {}): string {
  mkdirSync(dir, { recursive: true });
  const c = join(dir, `s-${hash(src)}.${l.cxx === true ? 'cpp' : 'c'}`);
  if (!existsSync(c)) writeFileSync(c, src);
  return c;
}

function cached(key: string, ext: string, make: (out: string) => void): string {
  const out = join(dir, `${hash(key)}${ext}`);
  if (!existsSync(out)) {
    // A temporary name of this process's own: test runs in other checkouts share the cache directory, and
    // two compilers writing one temporary file leave a broken (non-executable) result behind.
    const tmp = `${out}.${process.pid}.${threadId}.tmp`;
    make(tmp);
    renameSync(tmp, out);
  }
  return out;
}

/** Compile C source at `opt` (e.g. '-O2') to a native binary (linked with -lm). */
export function nativeBinary(src: string, opt: string, l: Lang = {}): string {
  const c = sourceFile(src, l);
  return cached(`bin\0${src}\0${opt}${langKey(l)}`, '', (out) =>
    execFileSync(compiler(l), ['-w', opt, ...(l.flags ?? []), c, '-o', out, '-lm'], { stdio: 'pipe' }),
  );
}

/** Compile C source at `opt` to LLVM IR text. */
export function irText(src: string, opt: string, extra: readonly string[] = [], l: Lang = {}): string {
  const c = sourceFile(src, l);
  const f = cached(`ll\0${src}\0${opt}\0${extra.join(' ')}${langKey(l)}`, '.ll', (out) =>
    execFileSync(compiler(l), ['-w', opt, ...(l.flags ?? []), ...extra, '-S', '-emit-llvm', c, '-o', out], {
      stdio: 'pipe',
    }),
  );
  return readFileSync(f, 'utf8');
}

export interface NativeResult {
  stdout: Buffer;
  stderr: Buffer;
  code: number;
}

/**
 * Compile (cached) and run a program natively at `opt`, capturing everything (non-zero exits included; a
 * signal becomes 128 + its number, as a shell reports it). argv[0] is `prog`, stdin `stdin` (latin1).
 */
export function runNative(
  src: string,
  opt: string,
  args: readonly string[] = [],
  stdin: string | Uint8Array = '',
  l: Lang = {},
): NativeResult {
  const exe = nativeBinary(src, opt, l);
  const input = typeof stdin === 'string' ? Buffer.from(stdin, 'latin1') : stdin;
  const r = spawnSync(exe, args, { input, env: { LC_ALL: 'C' }, argv0: 'prog', maxBuffer: 256 << 20 });
  const sig = { SIGABRT: 6, SIGSEGV: 11, SIGFPE: 8, SIGILL: 4, SIGTRAP: 5, SIGBUS: 7 }[r.signal ?? ''] ?? 9;
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? 128 + sig };
}

/** Compile to IR, link in a fresh engine, run main. */
export function runEngine(
  src: string,
  opt: string,
  o: RunOptions = {},
  extra: readonly string[] = [],
  l: Lang = {},
  eo: EngineOptions = {},
): RunResult {
  const m = parseModule(irText(src, opt, extra, l), 'prog.ll');
  return new Engine(m, eo).runMain(o);
}
