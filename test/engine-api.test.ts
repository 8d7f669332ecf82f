// The engine's library API: callFunction with boxed arguments and results, repeated runs on one Engine,
// external handlers (registration, variadic arguments, callbacks into IR), and `inputsmith run`.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { registerExternal, VaList } from '../src/engine/externals.js';
import { f80FromNumber, f80ToNumber } from '../src/engine/fp80.js';
import { parseModule } from '../src/ir/parser.js';
import { main } from '../src/cli/main.js';
import { irText } from './engine-native.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SRC = `
#include <stdint.h>
#include <string.h>
struct pair { long a; double b; };
long add64(long a, long b) { return a + b; }
unsigned char lowbyte(unsigned x) { return (unsigned char)x; }
double scale(double x, float f) { return x * f; }
long double ld(long double x) { return x * 3; }
__int128 wide(__int128 x) { return x * x; }
struct pair mkpair(long a) { struct pair p = {a, a / 2.0}; return p; }
int count = 0;
int bump(void) { return ++count; }
size_t slen(const char *s) { return strlen(s); }
extern int host_sum(int n, ...);
extern int host_apply(int (*f)(int), int x);
static int twice(int x) { return 2 * x; }
int use_host(void) { return host_sum(3, 10, 20L, 30) + host_apply(twice, 21); }
`;

function engine(opt = '-O1'): Engine {
  return new Engine(parseModule(irText(SRC, opt), 'api.ll'));
}

describe('callFunction', () => {
  it('boxes integers, floats, long double, i128 and struct results', () => {
    const e = engine();
    expect(e.callFunction('add64', [1n << 40n, -5n]).returnValue).toBe((1n << 40n) - 5n);
    expect(e.callFunction('lowbyte', [0x1234]).returnValue).toBe(0x34);
    expect(e.callFunction('scale', [1.5, 2.5]).returnValue).toBe(3.75);
    expect(f80ToNumber(e.callFunction('ld', [f80FromNumber(0.5)]).returnValue as bigint)).toBe(1.5);
    // x86-64 clang passes __int128 as two i64 halves ({ i64, i64 } results): boxed leaf by leaf.
    const sq = BigInt.asUintN(128, ((1n << 62n) + 3n) ** 2n);
    expect(e.callFunction('wide', [(1n << 62n) + 3n, 0n]).returnValue).toEqual([
      BigInt.asIntN(64, sq),
      BigInt.asIntN(64, sq >> 64n),
    ]);
    expect(e.callFunction('mkpair', [7n]).returnValue).toEqual([7n, 3.5]);
  });
  it('resets globals and the heap between runs', () => {
    const e = engine();
    expect(e.callFunction('bump', []).returnValue).toBe(1);
    expect(e.callFunction('bump', []).returnValue).toBe(1);
  });
  it('passes pointers into memory the caller prepared', () => {
    const e = engine();
    const r = e.callFunction('slen', [0]);
    expect(r.outcome).toBe('null-deref');
  });
});

describe('inline assembly', () => {
  const ASM = `
unsigned cpu(unsigned leaf, int reg) {
  unsigned r[4];
  __asm__("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
  return r[reg];
}
unsigned eax_only(void) { unsigned a; __asm__("cpuid" : "=a"(a) : "0"(0) : "ebx", "ecx", "edx"); return a; }
int spin(int n) {
  int s = 0;
  for (int i = 0; i < n; i++) { __asm__ volatile("nop"); __asm__ volatile(".p2align 5"); s += i; }
  return s;
}
int other(void) { int x = 0; __asm__("crc32l %1, %0" : "+r"(x) : "r"(7)); return x; }
`;
  it('answers cpuid as a baseline x86-64 (SSE2, no AVX/BMI), alignment and nop do nothing', () => {
    for (const opt of ['-O0', '-O2']) {
      const e = new Engine(parseModule(irText(ASM, opt), 'asm.ll'));
      const cpu = (leaf: number, reg: number): unknown => e.callFunction('cpu', [leaf, reg]).returnValue;
      expect(cpu(0, 0)).toBe(7);
      expect(cpu(1, 3)).toBe(0x07808111); // edx: SSE2 and older
      expect(cpu(1, 2)).toBe(0); // ecx: no SSE3/AVX
      expect(cpu(7, 1)).toBe(0); // ebx: no BMI1/BMI2/AVX2
      expect(e.callFunction('eax_only', []).returnValue).toBe(7);
      expect(e.callFunction('spin', [10]).returnValue).toBe(45);
      const r = e.callFunction('other', []);
      expect(r.outcome).toBe('unsupported-asm');
      expect(r.message).toContain('crc32l');
    }
  });
});

describe('external handlers', () => {
  it('get variadic arguments and can call IR function pointers', () => {
    registerExternal('host_sum', (_rt, [n], va) => {
      let s = 0n;
      for (let k = 0; k < Number(n); k++) s += k === 1 ? (va as VaList).long() : BigInt((va as VaList).int());
      return Number(s);
    });
    registerExternal('host_apply', (rt, [f, x]) => rt.call(Number(f), [x!]));
    for (const opt of ['-O0', '-O2']) {
      const r = engine(opt).callFunction('use_host', []);
      expect(r.outcome, r.message).toBe('returned');
      expect(r.returnValue).toBe(60 + 42);
    }
  });
});

describe('libm models', () => {
  it('are called unboxed (numbers as they are), directly and through a pointer, with glibc errno', () => {
    const src = `#include <errno.h>
#include <math.h>
double (*volatile pf)(double, double) = pow;
double direct(double x) { return sin(x) + atan2f((float)x, 2.0f); }
int dom(void) { errno = 0; volatile double r = log(-1.0); (void)r; return errno; }
double viaptr(double x) { return pf(x, 0.5); }
`;
    const e = new Engine(parseModule(irText(src, '-O1'), 'm.ll'));
    // The thunks of sin, atan2f, log and pow call their unboxed forms.
    expect(e.linked.source.match(/RT\.scalar\(/g)?.length ?? 0).toBeGreaterThanOrEqual(4);
    expect(e.callFunction('direct', [0.5]).returnValue).toBe(Math.sin(0.5) + Math.fround(Math.atan2(0.5, 2)));
    expect(e.callFunction('viaptr', [2]).returnValue).toBe(Math.SQRT2);
    expect(e.callFunction('dom', []).returnValue).toBe(33); // EDOM
  });
});

describe('inputsmith run', () => {
  const out: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    out.length = 0;
    process.exitCode = undefined;
  });
  function capture(): void {
    vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(typeof s === 'string' ? s : Buffer.from(s).toString());
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(typeof s === 'string' ? s : Buffer.from(s).toString());
      return true;
    });
  }
  const dir = mkdtempSync(join(tmpdir(), 'inputsmith-run-'));
  const prog = join(dir, 'prog.c');
  writeFileSync(
    prog,
    '#include <stdio.h>\n#include <stdlib.h>\nint main(int argc, char **argv) { int c, n = 0; while ((c = getchar()) != EOF) n += c == \'\\n\'; printf("%s %d\\n", argc > 1 ? argv[1] : "-", n); if (argc > 2) { int *p = malloc(4); free(p); return *p; } return 7; }\n',
  );
  const input = join(dir, 'in.txt');
  writeFileSync(input, 'a\nb\nc\n');

  it('prints the program output and exits with its status', async () => {
    capture();
    const code = await main(['run', prog, '--stdin', input, '--', 'hello']);
    expect(out.join('')).toBe('hello 3\n');
    expect(code).toBe(7);
  });
  it('reports undefined behaviour as one line and exit code 125', async () => {
    capture();
    const code = await main(['run', prog, '--', 'x', 'y']);
    const text = out.join('');
    expect(code).toBe(125);
    expect(text).toMatch(/^x 0\ninputsmith: run: use-after-free: read of 4 bytes .* in @main /);
    expect(text.trim().split('\n')).toHaveLength(2);
  });
  it('rejects an unknown entry function', async () => {
    capture();
    const code = await main(['run', prog, '--entry', 'nope']);
    expect(code).toBe(1);
    expect(out.join('')).toMatch(/no function @nope/);
  });
});

const F64 = new Float64Array(1);
const F64U = new BigUint64Array(F64.buffer);
/** A double's bits in hex (a NaN's payload and sign included). */
const bits = (x: unknown): string => ((F64[0] = x as number), F64U[0]!.toString(16));

describe('frem', () => {
  // x86 and glibc give the default NaN (sign bit set) for a zero divisor; V8's `%` of two small integers
  // gives the canonical NaN in the interpreter but the default one in optimised code, so a NaN's bits
  // once depended on how hot the generated code was.
  it('gives the bits x86 gives, however often it runs', () => {
    const e = new Engine(
      parseModule(
        'define double @r(double %a, double %b) {\n  %x = frem double %a, %b\n  ret double %x\n}\n',
        'frem.ll',
      ),
    );
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) seen.add(bits(e.callFunction('r', [i % 7, 0]).returnValue));
    expect([...seen]).toEqual(['fff8000000000000']);
    expect(bits(e.callFunction('r', [Infinity, 2]).returnValue)).toBe('fff8000000000000');
    expect(e.callFunction('r', [-7, 3]).returnValue).toBe(-1);
    expect(Object.is(e.callFunction('r', [-6, 3]).returnValue, -0)).toBe(true);
  });
});

describe('NaN results of fadd/fsub/fmul/fdiv and fmuladd', () => {
  // x86's SSE rule: the first NaN operand (made quiet), else the default NaN. V8 swaps the operands of a
  // commutative `+`/`*` in optimised code and not in the interpreter, and an array of doubles drops a
  // NaN's payload, so the bits once depended on how hot the code was.
  it('gives the first NaN operand in the IR order, however often it runs', () => {
    const e = new Engine(
      parseModule(
        [
          'define double @add(double %a, double %b) {\n  %x = fadd double %a, %b\n  ret double %x\n}',
          'define double @mul(double %a, double %b) {\n  %x = fmul double %b, %a\n  ret double %x\n}',
          'define double @madd(double %a, double %b, double %c) {',
          '  %x = call double @llvm.fmuladd.f64(double %a, double %b, double %c)\n  ret double %x\n}',
          'define float @addf(float %a, float %b) {\n  %x = fadd float %a, %b\n  ret float %x\n}',
          'declare double @llvm.fmuladd.f64(double, double, double)',
          '',
        ].join('\n'),
        'nan.ll',
      ),
    );
    const nan = (b: bigint): number => ((F64U[0] = b), F64[0]!);
    // Arguments in a tagged array (an array literal of doubles would drop the payloads itself).
    const args = (...xs: number[]): number[] => {
      const a: unknown[] = [undefined];
      a.pop();
      for (const x of xs) a.push(x);
      return a as number[];
    };
    const p = nan(0x7ff8000000000001n);
    const q = nan(0xfff8000000000002n);
    const seen = new Set<string>();
    for (let i = 0; i < 20000; i++) {
      seen.add(`add ${bits(e.callFunction('add', args(p, q)).returnValue)}`);
      seen.add(`mul ${bits(e.callFunction('mul', args(p, q)).returnValue)}`);
      seen.add(`madd ${bits(e.callFunction('madd', args(Infinity, 0, p)).returnValue)}`);
    }
    expect([...seen].sort()).toEqual([
      'add 7ff8000000000001',
      'madd fff8000000000000',
      'mul fff8000000000002',
    ]);
    // An invalid operation gives the default NaN; a float NaN operand stays quiet with its payload.
    expect(bits(e.callFunction('add', args(Infinity, -Infinity)).returnValue)).toBe('fff8000000000000');
    expect(bits(e.callFunction('addf', args(Math.fround(p), 1)).returnValue)).toBe('7ff8000000000000');
  });
});
