// Inline assembly (asm.ts): C programs using each modelled x86-64 pattern run natively and in the engine
// over many pseudo-random inputs with identical output; an unmodelled instruction is the unsupported-asm
// outcome.
import { describe, expect, it } from 'vitest';
import { runEngine, runNative } from './engine-native.js';

const PROG = String.raw`
#include <stdio.h>
#include <stdint.h>
static uint64_t s = 88172645463325252ull;
static uint64_t rnd(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }
int main(void) {
  unsigned long long acc = 0;
  for (int k = 0; k < 300; k++) {
    uint64_t x = rnd(), y = rnd(), z = rnd() | 1, lo, hi, r;
    uint32_t w = (uint32_t)rnd();
    if (k % 7 == 0) y = ~0ull;
    __asm__("bswapq %0" : "+r"(x)); printf("%llx ", (unsigned long long)x);
    __asm__("bswapl %0" : "+r"(w)); printf("%x ", w);
    __asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(x), "rm"(y)); printf("%llx %llx ", (unsigned long long)lo, (unsigned long long)hi);
    lo = x; hi = y;
    __asm__("addq %2, %0\n\tadcq %3, %1" : "+r"(lo), "+r"(hi) : "r"(y), "r"(z)); printf("%llx %llx ", (unsigned long long)lo, (unsigned long long)hi);
    lo = x; hi = y;
    __asm__("subq %2, %0; sbbq %3, %1" : "+r"(lo), "+r"(hi) : "r"(z), "r"(x)); printf("%llx %llx ", (unsigned long long)lo, (unsigned long long)hi);
    __asm__("bsrq %1, %0" : "=r"(r) : "r"(z)); printf("%llu ", (unsigned long long)r);
    __asm__("bsfq %1, %0" : "=r"(r) : "r"(y | 0x100)); printf("%llu ", (unsigned long long)r);
    r = x; __asm__("rolq $13, %0; xorq %1, %0; notq %0; shrq %%cl, %0" : "+r"(r) : "r"(y), "c"(z)); printf("%llx ", (unsigned long long)r);
    r = x; __asm__("sarq $5, %0; negq %0; imulq %1, %0" : "+r"(r) : "r"(y)); printf("%llx ", (unsigned long long)r);
    lo = x; hi = y; __asm__("xchgq %0, %1" : "+r"(lo), "+r"(hi)); printf("%llx %llx\n", (unsigned long long)lo, (unsigned long long)hi);
    __asm__ __volatile__("pause" ::: "memory");
    __asm__ __volatile__("mfence" ::: "memory");
    acc += lo;
  }
  printf("%llx\n", acc);
  return 0;
}
`;

describe('inline assembly', () => {
  it.each(['-O0', '-O2'])('matches native at %s', (opt) => {
    const native = runNative(PROG, opt);
    const r = runEngine(PROG, opt, { stepLimit: 1e9 });
    expect(r.message ?? '', `${r.outcome}`).toBe('');
    expect(Buffer.from(r.stdout).toString('latin1')).toBe(native.stdout.toString('latin1'));
  });

  it('rdtsc runs and is deterministic', () => {
    const src = String.raw`
#include <stdio.h>
int main(void) { unsigned lo, hi; __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi)); printf("%u %u\n", lo, hi); return 0; }`;
    const a = runEngine(src, '-O1', {});
    const b = runEngine(src, '-O1', {});
    expect(a.message ?? '').toBe('');
    expect(Buffer.from(a.stdout).toString()).toBe(Buffer.from(b.stdout).toString());
  });

  it('an unmodelled instruction is the unsupported-asm outcome', () => {
    const src = String.raw`
int main(void) { unsigned long x = 1; __asm__ __volatile__("crc32q %1, %0" : "+r"(x) : "r"(x)); return (int)x; }`;
    const r = runEngine(src, '-O1', {});
    expect(r.outcome).toBe('unsupported-asm');
    expect(r.message).toContain('crc32q');
  });
});
