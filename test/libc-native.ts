/**
 * Helper for the libc differential tests (not a test file): run a C program natively (built by
 * ./engine-native.ts, the one native helper) and return its stdout; C literals and a PRNG for the cases.
 */
import { runNative } from './engine-native.js';

/** Compile (-O0) and run a C program natively; returns stdout as bytes (throws on a non-zero exit). */
export function runNativeC(src: string, opts: { stdin?: Uint8Array | string; args?: string[] } = {}): Buffer {
  const r = runNative(src, '-O0', opts.args ?? [], opts.stdin ?? '');
  if (r.code !== 0) throw new Error(`native program exited with ${r.code}: ${r.stderr.toString('latin1')}`);
  return r.stdout;
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
