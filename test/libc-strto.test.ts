/**
 * strtod/strtof/strtold and strtol/strtoul/strtoll/strtoull, differentially against glibc: value bits,
 * endptr offset and errno for awkward inputs, including exact halfway cases between adjacent doubles.
 */
import { describe, expect, it } from 'vitest';
import { doubleBits, sciDigits, decodeDouble } from '../src/engine/libc/fpconv.js';
import { parseDouble, parseFloat32, parseFp80, parseInteger } from '../src/engine/libc/strto.js';
import { cString, prng, runNativeC } from './libc-native.js';

const rnd = prng(777);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

const FIXED = [
  '',
  ' ',
  '0',
  '-0',
  '+0',
  '1',
  '-1',
  '  \t\n42xyz',
  '3.14159',
  '.5',
  '5.',
  '.',
  '-.',
  '+.e5',
  '1e',
  '1e+',
  '1e-5',
  '1E400',
  '-1e400',
  '1e-400',
  '4.9e-324',
  '2.4703282292062327e-324',
  '2.4703282292062328e-324',
  '1e-320',
  '2.2250738585072011e-308',
  '2.2250738585072012e-308',
  '1.7976931348623157e308',
  '1.7976931348623158e308',
  '1.7976931348623159e308',
  'inf',
  'INF',
  '-Infinity',
  'infinit',
  'infinityx',
  'nan',
  '-NAN',
  'nan(123)',
  'nan(abc_1)x',
  'nan(',
  'nan(1 2)',
  'nanx',
  '0x',
  '0x.',
  '0x1',
  '0X1P3',
  '0x1.8p1',
  '-0x.8p-1',
  '0x1p',
  '0x1p+',
  '0xABCDEFp-10',
  '0x1.fffffffffffff8p0',
  '0x1.fffffffffffff7ffp0',
  '0x1p-1074',
  '0x1p-1075',
  '0x1.0000000000001p-1075',
  '0x1p1024',
  '0x1.ffffffp127',
  '0x1p-149',
  '0x1p-150',
  '00000000000000000000000000000001.5',
  '1' + '0'.repeat(400),
  '0.' + '0'.repeat(400) + '1',
  '123456789012345678901234567890',
  '9007199254740993',
  '9007199254740993.0000000000001',
  '1e23',
  '8.98846567431158e307',
  '3.4028235e38',
  '3.4028236e38',
  '1.17549435e-38',
  '1.4e-45',
  '7e-46',
  '1e-45',
  '1.18973149535723176502e4932',
  '1.18973149535723176503e4933',
  '3.6451995318824746025e-4951',
  '1e-4951',
  '1e-4952',
  '0x8p-16448',
  '0x1p16383',
  '0x1p16384',
  '12abc',
  '- 5',
  '+-5',
  '0x1.8',
  '0x1.8e',
  '1.5e+',
  '1e5000000000',
  '1e-5000000000',
  '0e999999',
  '0.000e-999',
  '1_000',
  '١',
];

/** A decimal string for an exact value m * 2^e, with n significant digits, possibly perturbed. */
function halfway(): string {
  const x = Math.abs(Math.floor(rnd() * 2 ** 53) * 2 ** Math.floor(rnd() * 2000 - 1100)) || 1;
  const d = decodeDouble(x);
  // Midpoint between x and its successor: (2m+1) * 2^(e-1).
  const m = d.m * 2n + 1n;
  const digits = sciDigits(m, d.e - 1, 800);
  let str = digits.digits;
  str = str.replace(/0+$/, '') || '0';
  const r = rnd();
  if (r < 0.3)
    str = str.slice(0, Math.max(1, str.length - 1)); // just below (or above) the midpoint
  else if (r < 0.5) str += '0001';
  return `${str[0]}.${str.slice(1)}e${digits.exp10}`;
}

function randomDecimal(): string {
  const n = 1 + Math.floor(rnd() * 25);
  let s = '';
  for (let k = 0; k < n; k++) s += String(Math.floor(rnd() * 10));
  const dot = Math.floor(rnd() * (n + 1));
  s = s.slice(0, dot) + '.' + s.slice(dot);
  return (
    (rnd() < 0.3 ? '-' : '') +
    s +
    pick(['', 'e', 'e+', 'E-', 'e0']) +
    pick(['', String(Math.floor(rnd() * 700 - 350))])
  );
}

describe('strtod family vs glibc', () => {
  it('strtod, strtof, strtold: bits, endptr, errno', () => {
    const inputs = [...FIXED];
    for (let k = 0; k < 250; k++) inputs.push(halfway());
    for (let k = 0; k < 250; k++) inputs.push(randomDecimal());
    const lines = inputs.map((s) => `  t(${cString(s)});`);
    const src = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdint.h>
static void t(const char *s) {
  char *e; uint64_t b; uint32_t f32; uint64_t lm; uint16_t lse;
  errno = 0; double d = strtod(s, &e); memcpy(&b, &d, 8);
  printf("d %016llx %d %d\\n", (unsigned long long)b, (int)(e - s), errno);
  errno = 0; float f = strtof(s, &e); memcpy(&f32, &f, 4);
  printf("f %08x %d %d\\n", f32, (int)(e - s), errno);
  errno = 0; long double l = strtold(s, &e); memcpy(&lm, &l, 8); memcpy(&lse, (char*)&l + 8, 2);
  printf("L %04x%016llx %d %d\\n", lse, (unsigned long long)lm, (int)(e - s), errno);
}
int main(void) {
${lines.join('\n')}
  return 0;
}
`;
    const native = runNativeC(src).toString('latin1').trimEnd().split('\n');
    const mine: string[] = [];
    for (const s of inputs) {
      const b = new Uint8Array(Buffer.from(s, 'latin1'));
      const d = parseDouble(b, 0);
      mine.push(`d ${doubleBits(d.value).toString(16).padStart(16, '0')} ${d.end} ${d.errno}`);
      const f = parseFloat32(b, 0);
      const fb = new DataView(new ArrayBuffer(4));
      fb.setFloat32(0, f.value, true);
      mine.push(`f ${fb.getUint32(0, true).toString(16).padStart(8, '0')} ${f.end} ${f.errno}`);
      const l = parseFp80(b, 0);
      mine.push(`L ${l.value.toString(16).padStart(20, '0')} ${l.end} ${l.errno}`);
    }
    const bad: string[] = [];
    for (let k = 0; k < mine.length; k++) {
      if (mine[k] !== native[k])
        bad.push(`${JSON.stringify(inputs[Math.floor(k / 3)])}: native ${native[k]} ours ${mine[k]}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });

  it('strtol, strtoul, strtoll, strtoull: value, endptr, errno', () => {
    const inputs = [
      '',
      '0',
      '-0',
      '123',
      '-123',
      '  +77',
      '0x1f',
      '0X1F',
      '0x',
      '0xg',
      '-0x10',
      '010',
      '08',
      '0b101',
      'zz',
      'ZZ',
      '9223372036854775807',
      '9223372036854775808',
      '-9223372036854775808',
      '-9223372036854775809',
      '18446744073709551615',
      '18446744073709551616',
      '-18446744073709551615',
      '-18446744073709551616',
      '99999999999999999999999999',
      '  -  1',
      '+',
      '-',
      '12abc',
      '1z',
      '7fffffffffffffff',
      'ffffffffffffffff',
      '10000000000000000',
      '0000000000000000000000000000000000012',
    ];
    const bases = [0, 2, 8, 10, 16, 36, 1, 37, -1];
    const calls: string[] = [];
    const mine: string[] = [];
    for (const s of inputs) {
      for (const base of bases) {
        calls.push(`  t(${cString(s)}, ${base});`);
        const b = new Uint8Array(Buffer.from(s, 'latin1'));
        for (const signed of [true, false]) {
          const r = parseInteger(b, 0, base, signed);
          const end = r.noEnd ? -1 : r.end;
          mine.push(`${signed ? 'l' : 'u'} ${BigInt.asUintN(64, r.value).toString(16)} ${end} ${r.errno}`);
        }
      }
    }
    const src = `#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
static void t(const char *s, int base) {
  char *e = (char*)s - 1; errno = 0; long v = strtol(s, &e, base);
  printf("l %lx %d %d\\n", (unsigned long)v, (int)(e - s), errno);
  e = (char*)s - 1; errno = 0; unsigned long u = strtoul(s, &e, base);
  printf("u %lx %d %d\\n", u, (int)(e - s), errno);
}
int main(void) {
${calls.join('\n')}
  return 0;
}
`;
    const native = runNativeC(src).toString('latin1').trimEnd().split('\n');
    const bad: string[] = [];
    for (let k = 0; k < mine.length; k++) {
      if (mine[k] !== native[k]) bad.push(`${calls[Math.floor(k / 2)]}: native ${native[k]} ours ${mine[k]}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
  });
});
