/**
 * printf formatting, differentially against glibc: a C program prints ~4,000 awkward formats natively
 * (clang, glibc), and our formatter is fed the same formats and argument values.
 */
import { describe, expect, it, vi } from 'vitest';
import {
  boxedVarArgs,
  formatPrintf,
  type ArgClass,
  type Boxed,
  type FormatMemory,
} from '../src/engine/libc/printf.js';
import { doubleBits } from '../src/engine/libc/fpconv.js';
import { cString, prng, runNativeC } from './libc-native.js';

type Arg =
  | { k: 'i'; v: number }
  | { k: 'l'; v: bigint }
  | { k: 'd'; v: number }
  | { k: 'L'; bits: bigint }
  | { k: 's'; v: string | null }
  | { k: 'p'; v: bigint };

interface Case {
  fmt: string;
  args: Arg[];
}

function cArg(a: Arg): string {
  switch (a.k) {
    case 'i':
      return `(int)${a.v}LL`;
    case 'l':
      return `(long long)0x${BigInt.asUintN(64, a.v).toString(16)}ULL`;
    case 'd':
      return `D(0x${doubleBits(a.v).toString(16)}ULL)`;
    case 'L':
      return `LD(0x${(a.bits & 0xffffffffffffffffn).toString(16)}ULL, 0x${(a.bits >> 64n).toString(16)})`;
    case 's':
      return a.v === null ? '(char*)0' : cString(a.v);
    case 'p':
      return `(void*)0x${a.v.toString(16)}ULL`;
  }
}

function cProgram(cases: Case[]): string {
  const lines = cases.map((c) => {
    const args = c.args.map(cArg).join(', ');
    return `  r = printf(${cString(c.fmt)}${args ? ', ' + args : ''}); printf("|%d\\002", r);`;
  });
  return `#include <stdio.h>
#include <string.h>
#include <stdint.h>
static double D(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static long double LD(uint64_t m, unsigned se) { long double d = 0; memcpy(&d, &m, 8); memcpy((char*)&d + 8, &se, 2); return d; }
int main(void) {
  int r;
${lines.join('\n')}
  return 0;
}
`;
}

/** Run our formatter over the cases, producing the same text as the C program. */
function ours(cases: Case[]): string {
  const strings = new Map<number, Uint8Array>();
  let nextAddr = 0x10000;
  const mem: FormatMemory = {
    cstring(addr, max) {
      const b = strings.get(addr);
      if (b === undefined) throw new Error(`bad string address ${addr}`);
      const end = b.indexOf(0);
      let n = end < 0 ? b.length : end;
      if (max >= 0 && max < n) n = max;
      return b.subarray(0, n);
    },
    wstring() {
      return [];
    },
    store() {},
    errnoMessage: () => 'Success',
  };
  let text = '';
  for (const c of cases) {
    const vals: Boxed[] = [];
    const classes: ArgClass[] = [];
    for (const a of c.args) {
      if (a.k === 'i') {
        vals.push(a.v);
        classes.push('int');
      } else if (a.k === 'l' || a.k === 'p') {
        vals.push(a.v);
        classes.push('int');
      } else if (a.k === 'd') {
        vals.push(a.v);
        classes.push('sse');
      } else if (a.k === 'L') {
        vals.push(a.bits);
        classes.push('x87');
      } else {
        let addr = 0;
        if (a.v !== null) {
          addr = nextAddr;
          nextAddr += 0x1000;
          strings.set(addr, new Uint8Array([...Buffer.from(a.v, 'latin1'), 0]));
        }
        vals.push(addr);
        classes.push('int');
      }
    }
    const r = formatPrintf(new Uint8Array(Buffer.from(c.fmt, 'latin1')), boxedVarArgs(vals, classes, 1), mem);
    text += Buffer.from(r.bytes).toString('latin1') + `|${r.ret}\x02`;
  }
  return text;
}

function compare(cases: Case[]): void {
  const native = runNativeC(cProgram(cases)).toString('latin1').split('\x02');
  const mine = ours(cases).split('\x02');
  const bad: string[] = [];
  for (let k = 0; k < cases.length; k++) {
    if (native[k] !== mine[k]) {
      bad.push(
        `${JSON.stringify(cases[k].fmt)} ${JSON.stringify(cases[k].args, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))}: native ${JSON.stringify(native[k])} ours ${JSON.stringify(mine[k])}`,
      );
    }
  }
  expect(bad.slice(0, 20)).toEqual([]);
}

const rnd = prng(12345);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

const FLAGS = ['', '-', '+', ' ', '#', '0', '-0', '+0', ' 0', '#0', '-#', '+ ', "'", '#+0', '- +#0'];
const WIDTHS = ['', '1', '5', '12', '25', '*'];
const PRECS = ['', '.', '.0', '.1', '.3', '.6', '.12', '.17', '.25', '.*'];

function spec(conv: string, len = ''): { fmt: string; star: Arg[] } {
  const w = pick(WIDTHS);
  const p = pick(PRECS);
  const star: Arg[] = [];
  if (w === '*') star.push({ k: 'i', v: pick([-9, -1, 0, 3, 14]) });
  if (p === '.*') star.push({ k: 'i', v: pick([-3, -1, 0, 2, 9, 30]) });
  return { fmt: `%${pick(FLAGS)}${w}${p}${len}${conv}`, star };
}

function randomDouble(): number {
  const r = rnd();
  if (r < 0.25) {
    // Random bit patterns (finite and special).
    const hi = Math.floor(rnd() * 2 ** 32);
    const lo = Math.floor(rnd() * 2 ** 32);
    const b = new DataView(new ArrayBuffer(8));
    b.setUint32(0, lo, true);
    b.setUint32(4, hi, true);
    return b.getFloat64(0, true);
  }
  if (r < 0.45) return (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
  if (r < 0.6) return Math.round(rnd() * 2000 - 1000) / pick([1, 2, 4, 8, 16, 1024, 10, 100]);
  if (r < 0.7) return Math.floor(rnd() * 2 ** 53) * 2 ** Math.floor(rnd() * 200 - 100);
  return pick([
    0,
    -0,
    1,
    -1,
    0.5,
    1.5,
    2.5,
    0.125,
    0.05,
    0.15,
    0.25,
    0.35,
    9.5,
    99.5,
    999.5,
    1e21,
    1e22,
    1e23,
    123456789.0,
    5e-324,
    2.2250738585072014e-308,
    1.7976931348623157e308,
    Infinity,
    -Infinity,
    NaN,
    -NaN,
    0.1,
    1 / 3,
    2 / 3,
    9.999999,
    0.0001,
    0.00001,
    123456,
    1234567,
    999999.5,
    9999995,
    0.00009999995,
    1e-5,
    1e100,
    2 ** 70,
    2 ** -70,
  ]);
}

function randomFp80(): bigint {
  const r = rnd();
  const m64 = (BigInt(Math.floor(rnd() * 2 ** 32)) << 32n) | BigInt(Math.floor(rnd() * 2 ** 32));
  const sign = rnd() < 0.3 ? 1n << 79n : 0n;
  if (r < 0.1) return sign | m64 | (BigInt(Math.floor(rnd() * 0x8000)) << 64n); // anything (incl. unnormals)
  if (r < 0.15) return sign | (m64 >> 3n); // denormal
  if (r < 0.2) return sign | (0x7fffn << 64n) | (1n << 63n) | (rnd() < 0.5 ? 0n : m64 >> 2n); // inf / nan
  const ex = pick([16383, 16383 + 1, 16383 - 1, 16383 + 60, 16383 - 60, 16383 + 200, 16383 - 500, 1, 32766]);
  const e = BigInt(Math.min(32766, Math.max(1, ex + Math.floor(rnd() * 20 - 10))));
  return sign | (e << 64n) | (1n << 63n) | (m64 >> 1n);
}

describe('printf vs glibc', () => {
  it('integers', () => {
    const cases: Case[] = [];
    const intVals = [0, 1, -1, 7, 8, 42, -42, 255, 256, 65535, -32768, 2147483647, -2147483648, 123456789];
    const longVals = [
      0n,
      1n,
      -1n,
      8n,
      1n << 32n,
      -(1n << 63n),
      (1n << 63n) - 1n,
      1234567890123456789n,
      (1n << 53n) - 1n,
      1n << 53n,
      1n - (1n << 53n),
      -(1n << 53n),
      1n << 31n,
      -(1n << 31n) - 1n,
      98765432109n,
    ];
    for (let k = 0; k < 1200; k++) {
      const conv = pick(['d', 'i', 'u', 'o', 'x', 'X', 'b', 'B']);
      const len = pick(['', '', 'hh', 'h', 'l', 'll', 'z', 'j', 't', 'L', 'q']);
      const { fmt, star } = spec(conv, len);
      const wide = len !== '' && len !== 'hh' && len !== 'h';
      const v: Arg = wide ? { k: 'l', v: pick(longVals) } : { k: 'i', v: pick(intVals) };
      cases.push({ fmt: `[${fmt}]`, args: [...star, v] });
    }
    compare(cases);
  });

  it('doubles: e E f F g G a A', () => {
    const cases: Case[] = [];
    for (let k = 0; k < 2500; k++) {
      const { fmt, star } = spec(
        pick(['e', 'E', 'f', 'F', 'g', 'G', 'a', 'A', 'f', 'g', 'e']),
        pick(['', '', 'l']),
      );
      cases.push({ fmt: `[${fmt}]`, args: [...star, { k: 'd', v: randomDouble() }] });
    }
    // Large precisions and exact ties.
    for (const v of [
      0.5,
      2.5,
      1e300,
      5e-324,
      0.1,
      1 / 3,
      2 ** -1074,
      1.7976931348623157e308,
      1e23,
      12345.125,
    ]) {
      for (const f of [
        '%.0f',
        '%.60f',
        '%.340f',
        '%.1100f',
        '%.0e',
        '%.40e',
        '%.760e',
        '%.2g',
        '%#.30g',
        '%.17g',
        '%.2f',
        '%.3a',
        '%.20a',
      ]) {
        cases.push({ fmt: `[${f}]`, args: [{ k: 'd', v }] });
        cases.push({ fmt: `[${f}]`, args: [{ k: 'd', v: -v }] });
      }
    }
    compare(cases);
  });

  it('long doubles: Le Lf Lg La', () => {
    const cases: Case[] = [];
    for (let k = 0; k < 800; k++) {
      const { fmt, star } = spec(pick(['e', 'E', 'f', 'g', 'G', 'a', 'A']), pick(['L', 'L', 'll']));
      if (fmt.includes('f') && rnd() < 0.5) continue;
      cases.push({ fmt: `[${fmt}]`, args: [...star, { k: 'L', bits: randomFp80() }] });
    }
    const one = (16383n << 64n) | (1n << 63n);
    for (const f of ['%Lf', '%.30Lf', '%.0Le', '%.25Le', '%La', '%.3La', '%.0La', '%Lg', '%.21Lg']) {
      cases.push({ fmt: `[${f}]`, args: [{ k: 'L', bits: one }] });
      cases.push({ fmt: `[${f}]`, args: [{ k: 'L', bits: (32766n << 64n) | 0xffffffffffffffffn }] });
      cases.push({ fmt: `[${f}]`, args: [{ k: 'L', bits: 1n }] });
      cases.push({ fmt: `[${f}]`, args: [{ k: 'L', bits: (16383n << 64n) | 0xf800000000000000n }] });
    }
    compare(cases);
  });

  it('strings, chars, pointers, %n-free misc and unknown conversions', () => {
    const cases: Case[] = [];
    const strs = ['', 'a', 'hello', 'hello, world', 'tab\there', '\xe9t\xe9', null];
    for (let k = 0; k < 300; k++) {
      const conv = pick(['s', 's', 'c', 'p']);
      const { fmt, star } = spec(conv);
      const v: Arg =
        conv === 's'
          ? { k: 's', v: pick(strs) }
          : conv === 'c'
            ? { k: 'i', v: pick([65, 0x41 + 256, 0xe9, 32, 0]) }
            : { k: 'p', v: pick([0n, 1n, 0x1234n, 0x7fffffffffffn, 0xffffffffffffffffn]) };
      cases.push({ fmt: `[${fmt}]`, args: [...star, v] });
    }
    const fixed: Case[] = [
      { fmt: '100%% sure %5%|', args: [] },
      { fmt: 'plain text with no conversions', args: [] },
      { fmt: '[%y][%5.2k][%-+#0 12.4w]', args: [] },
      {
        fmt: '[%2$s %1$s %2$s]',
        args: [
          { k: 's', v: 'world' },
          { k: 's', v: 'hello' },
        ],
      },
      {
        fmt: '[%2$*1$d][%3$.*1$f]',
        args: [
          { k: 'i', v: 8 },
          { k: 'i', v: -77 },
          { k: 'd', v: 3.14159 },
        ],
      },
      {
        fmt: '[%3$Lf %1$d %2$g]',
        args: [
          { k: 'i', v: 1 },
          { k: 'd', v: 2.5 },
          { k: 'L', bits: (16384n << 64n) | (3n << 62n) },
        ],
      },
      {
        fmt: '[%s|%.3s|%.10s|%-8s|%8.2s]',
        args: ['abcdef', 'abcdef', 'ab', 'x', 'xyz'].map((v) => ({ k: 's', v }) as Arg),
      },
      { fmt: '[%.5s][%.6s][%3.1s]', args: [null, null, null].map((v) => ({ k: 's', v }) as Arg) },
      {
        fmt: '[%c%c%c]',
        args: [
          { k: 'i', v: 104 },
          { k: 'i', v: 105 },
          { k: 'i', v: 33 },
        ],
      },
      {
        fmt: '[%d %f %d %f %d %f %d %f %d %f %d %f %d %f %d %f %d %f %d %f]',
        args: Array.from(
          { length: 20 },
          (_, j) => (j % 2 === 0 ? { k: 'i', v: j } : { k: 'd', v: j + 0.25 }) as Arg,
        ),
      },
      {
        fmt: '[%Lf %d %Lg %d %d %d %d %d %d]',
        args: [
          { k: 'L', bits: (16383n << 64n) | (1n << 63n) },
          { k: 'i', v: 1 },
          { k: 'L', bits: (16390n << 64n) | (1n << 63n) },
          ...[2, 3, 4, 5, 6, 7, 8].map((v) => ({ k: 'i', v }) as Arg),
        ],
      },
    ];
    compare([...cases, ...fixed]);
  });
});

// snprintf with huge precisions (the zeros after a value's significant digits are counted, not computed)
// and truncation by snprintf's size: the return value and the bytes written, against glibc.
interface SnCase {
  fmt: string;
  prec: number;
  v: Arg;
  size: number;
}

const SN_BUF = 300_000;

function snProgram(cases: SnCase[]): string {
  const lines = cases.map(
    (c) =>
      `  buf[0] = 0; r = snprintf(${c.size} ? buf : 0, ${c.size}, ${cString(c.fmt)}, ${c.prec}, ${cArg(c.v)}); printf("%d|%s\\002", r, buf);`,
  );
  return `#include <stdio.h>
#include <string.h>
#include <stdint.h>
static double D(uint64_t b) { double d; memcpy(&d, &b, 8); return d; }
static long double LD(uint64_t m, unsigned se) { long double d = 0; memcpy(&d, &m, 8); memcpy((char*)&d + 8, &se, 2); return d; }
static char buf[${SN_BUF}];
int main(void) {
  int r;
${lines.join('\n')}
  return 0;
}
`;
}

/** A memory without strings whose charges go to `charge`. */
function meteredMemory(charge?: (units: number) => void): FormatMemory {
  return {
    cstring: () => new Uint8Array(0),
    wstring: () => [],
    store() {},
    errnoMessage: () => 'Success',
    ...(charge !== undefined ? { charge } : {}),
  };
}

function snOurs(c: SnCase): { text: string; charged: number } {
  let charged = 0;
  const mem = meteredMemory((u) => void (charged += u));
  const classes: ArgClass[] = ['int', c.v.k === 'L' ? 'x87' : 'sse'];
  const vals: Boxed[] = [c.prec, c.v.k === 'L' ? c.v.bits : c.v.k === 'd' ? c.v.v : 0];
  const r = formatPrintf(new Uint8Array(Buffer.from(c.fmt, 'latin1')), boxedVarArgs(vals, classes, 3), mem, {
    limit: Math.max(0, c.size - 1),
  });
  return { text: `${r.ret}|${Buffer.from(r.bytes).toString('latin1')}`, charged };
}

function snCompare(cases: SnCase[]): void {
  const native = runNativeC(snProgram(cases)).toString('latin1').split('\x02');
  const bad: string[] = [];
  for (let k = 0; k < cases.length; k++) {
    const mine = snOurs(cases[k]).text;
    if (native[k] !== mine) {
      const c = cases[k];
      const cut = (t: string | undefined) =>
        t !== undefined && t.length > 200 ? t.slice(0, 200) + '...' : t;
      bad.push(
        `${c.fmt} prec ${c.prec} size ${c.size} ${JSON.stringify(c.v, (_, v) => (typeof v === 'bigint' ? v.toString(16) : v))}: native ${cut(native[k])} ours ${cut(mine)}`,
      );
    }
  }
  expect(bad.slice(0, 10)).toEqual([]);
}

describe('snprintf: huge precisions and truncation vs glibc', () => {
  const doubles = [
    1e300,
    -5e-324,
    0.1,
    1 / 3,
    1.7976931348623157e308,
    2.2250738585072014e-308,
    123.456,
    0,
    -0,
    9.5,
  ];
  const convs = ['%.*f', '%.*e', '%.*g', '%#.*g', '%.*a', '%.*E', '%-+#30.*G'];

  it('doubles, precision 0..2000', () => {
    const cases: SnCase[] = [];
    for (const prec of [0, 1, 6, 17, 100, 308, 500, 766, 767, 768, 1000, 1074, 1075, 1100, 2000])
      for (const fmt of convs)
        for (const v of doubles)
          for (const size of [SN_BUF, 16, 0, 1000]) cases.push({ fmt, prec, v: { k: 'd', v }, size });
    snCompare(cases);
  });

  it('doubles and long doubles, precision 100000+', () => {
    const cases: SnCase[] = [];
    for (const prec of [100_000, 131_079])
      for (const fmt of convs)
        for (const v of doubles) {
          for (const size of [16, 1, 1000]) cases.push({ fmt, prec, v: { k: 'd', v }, size });
          if (v === 1e300 || v === 0.1 || v === -5e-324)
            cases.push({ fmt, prec, v: { k: 'd', v }, size: SN_BUF });
        }
    const ldbls = [
      (16383n << 64n) | (1n << 63n),
      (32766n << 64n) | 0xffffffffffffffffn,
      1n,
      (1n << 79n) | 3n,
    ];
    for (const prec of [0, 100, 2000, 16_500, 100_000])
      for (const fmt of ['%.*Lf', '%.*Le', '%.*Lg', '%#.*Lg', '%.*La'])
        for (const bits of ldbls)
          for (const size of prec <= 16_500 ? [SN_BUF, 16] : [16, 1000])
            cases.push({ fmt, prec, v: { k: 'L', bits }, size });
    snCompare(cases);
  });

  it('charges a huge precision by count: snprintf(buf, 16, "%.*f", 1000000, 1e300)', () => {
    const r = snOurs({ fmt: '%.*f', prec: 1_000_000, v: { k: 'd', v: 1e300 }, size: 16 });
    expect(r.text).toBe('1000302|100000000000000');
    // 301 digits computed, 15 bytes stored, a million zeros counted: a few hundred steps.
    expect(r.charged).toBeGreaterThan(0);
    expect(r.charged).toBeLessThan(1000);
  });

  it('charges a call the same whatever was formatted before (the reused buffer is not observable)', async () => {
    // A fresh copy of the formatter, whose reused buffer is still small.
    vi.resetModules();
    const fresh = await import('../src/engine/libc/printf.js');
    const charges = (): number[] =>
      Array.from({ length: 24 }, (_, k) => {
        let charged = 0;
        const mem = meteredMemory((u) => void (charged += u));
        const args = fresh.boxedVarArgs([60 + k, 1 / 3], ['int', 'sse'], 3);
        fresh.formatPrintf(new Uint8Array(Buffer.from('%.*f', 'latin1')), args, mem, { limit: 4095 });
        return charged;
      });
    const first = charges();
    // A long output grows the buffer to 16 KiB; the same calls are charged as before.
    const big = fresh.formatPrintf(
      new Uint8Array(Buffer.from('%9000d', 'latin1')),
      fresh.boxedVarArgs([1], ['int'], 3),
      meteredMemory(),
    );
    expect(big.ret).toBe(9000);
    expect(charges()).toEqual(first);
  });
});
