/**
 * Helper for the libc differential tests (not a test file): compile a C program with clang-19, run it
 * natively, return its stdout. Binaries are cached by source hash under the OS temp dir.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = join(tmpdir(), 'inputsmith-libc-native');

/** Compile `src` (C) with clang-19 and return the path of the binary. */
export function compileC(src: string, flags: readonly string[] = ['-O0']): string {
  mkdirSync(dir, { recursive: true });
  const h = createHash('sha256')
    .update(src + '\0' + flags.join(' '))
    .digest('hex')
    .slice(0, 16);
  const exe = join(dir, `p-${h}`);
  if (!existsSync(exe)) {
    const c = join(dir, `p-${h}.c`);
    writeFileSync(c, src);
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
