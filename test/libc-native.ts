/**
 * Helper for the libc differential tests (not a test file): compile a C program with clang-19, run it
 * natively, return its stdout. Binaries are cached by source hash under the OS temp dir.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = join(tmpdir(), 'inputsmith-libc-native');

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16);
}

/** The source written once under a name derived from its contents (so __FILE__ is the same everywhere). */
function sourceFile(src: string): string {
  mkdirSync(dir, { recursive: true });
  const c = join(dir, `s-${hash(src)}.c`);
  if (!existsSync(c)) writeFileSync(c, src);
  return c;
}

/** Compile `src` (C) with clang-19 and return the path of the binary. */
export function compileC(src: string, flags: readonly string[] = ['-O0']): string {
  const c = sourceFile(src);
  const exe = join(dir, `b-${hash(src + '\0' + flags.join(' '))}`);
  if (!existsSync(exe)) {
    execFileSync('clang-19', ['-w', ...flags, c, '-o', exe + '.tmp', '-lm'], { stdio: 'pipe' });
    execFileSync('mv', [exe + '.tmp', exe]);
  }
  return exe;
}

/** Compile and run a C program natively; returns stdout as bytes. */
export function runNativeC(src: string, opts: { stdin?: Uint8Array | string; args?: string[] } = {}): Buffer {
  const exe = compileC(src);
  return execFileSync(exe, opts.args ?? [], {
    input: opts.stdin ?? '',
    maxBuffer: 256 * 1024 * 1024,
    env: { LC_ALL: 'C' },
  });
}

export interface ProcResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Run a C program natively at an optimisation level, capturing everything (non-zero exits included). */
export function runNative(src: string, opt: string, stdin: string, args: readonly string[] = []): ProcResult {
  const exe = compileC(src, [opt]);
  const r = spawnSync(exe, args, { input: stdin, env: { LC_ALL: 'C' }, argv0: 'prog', maxBuffer: 64 << 20 });
  const code = r.status ?? 128 + (r.signal === 'SIGABRT' ? 6 : r.signal === 'SIGSEGV' ? 11 : 9);
  return { stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1'), code };
}

/** A C string literal for arbitrary bytes. */
export function cString(b: Uint8Array | string): string {
  const bytes = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
  let s = '"';
  for (const c of bytes) {
    if (c === 34 || c === 92) s += '\\' + String.fromCharCode(c);
    else if (c >= 32 && c < 127 && c !== 63) s += String.fromCharCode(c);
    else s += '\\' + c.toString(8).padStart(3, '0');
  }
  return s + '"';
}

/** A deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Compile C to LLVM IR text with clang-19 (cached like the binaries). */
export function compileToLL(src: string, opt = '-O0'): string {
  const c = sourceFile(src);
  const ll = join(dir, `l-${hash(src + '\0' + opt)}.ll`);
  if (!existsSync(ll)) {
    execFileSync('clang-19', ['-w', '-S', '-emit-llvm', opt, c, '-o', ll + '.tmp'], { stdio: 'pipe' });
    execFileSync('mv', [ll + '.tmp', ll]);
  }
  return readFileSync(ll, 'utf8');
}
