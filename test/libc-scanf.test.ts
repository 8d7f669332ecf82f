/**
 * sscanf differentially against glibc: each case scans an input into slots of a byte array prefilled with
 * 0xAA; the return value and the bytes of every slot are compared.
 */
import { describe, expect, it } from 'vitest';
import { BytesInput, performScanf, type ScanMemory } from '../src/engine/libc/scanf.js';
import type { VarArgs } from '../src/engine/libc/printf.js';
import { doubleBits } from '../src/engine/libc/fpconv.js';
import { cString, prng, runNativeC } from './libc-native.js';

const SLOT = 32;
const NSLOTS = 4;

interface Case {
  input: string;
  fmt: string;
  nargs: number;
}

function fakeMemory(bytes: Uint8Array, base: number): ScanMemory {
  const dv = new DataView(bytes.buffer);
  const at = (addr: number): number => {
    const o = addr - base;
    if (o < 0 || o >= bytes.length) throw new Error(`store outside slots: ${addr}`);
    return o;
  };
  return {
    store(addr, size, value) {
      for (let k = 0; k < size; k++) bytes[at(addr) + k] = Number((value >> BigInt(8 * k)) & 0xffn);
    },
    // The numeric path (values below 2^53 in magnitude), as the engine's memory provides it.
    storeNum(addr, size, value) {
      if (!Number.isSafeInteger(value)) throw new Error(`storeNum of ${value}`);
      this.store(addr, size, BigInt(value));
    },
    storeBytes(addr, b) {
      bytes.set(b, at(addr));
    },
    storeF32(addr, v) {
      dv.setFloat32(at(addr), v, true);
    },
    storeF64(addr, v) {
      dv.setBigUint64(at(addr), doubleBits(v), true);
    },
    storeF80(addr, bits) {
      dv.setBigUint64(at(addr), bits & 0xffffffffffffffffn, true);
      dv.setUint16(at(addr) + 8, Number(bits >> 64n), true);
    },
    alloc: () => 0,
  };
}

function ours(c: Case): string {
  const base = 0x100000;
  const bytes = new Uint8Array(SLOT * NSLOTS).fill(0xaa);
  let next = 0;
  const args: VarArgs = {
    int: () => 0,
    long: () => BigInt(base + SLOT * next++),
    double: () => 0,
    longDouble: () => 0n,
  };
  const b = new Uint8Array(Buffer.from(c.input, 'latin1'));
  const r = performScanf(
    new Uint8Array(Buffer.from(c.fmt, 'latin1')),
    new BytesInput(b),
    args,
    fakeMemory(bytes, base),
  );
  return `${r} ${Buffer.from(bytes).toString('hex')}`;
}

function cProgram(cases: Case[]): string {
  const calls = cases.map((c) => {
    const args = Array.from({ length: c.nargs }, (_, k) => `, (void*)m[${k}]`).join('');
    return `  memset(m, 0xaa, sizeof m); r = sscanf(${cString(c.input)}, ${cString(c.fmt)}${args}); dump(r);`;
  });
  return `#include <stdio.h>
#include <string.h>
static unsigned char m[${NSLOTS}][${SLOT}] __attribute__((aligned(16)));
static void dump(int r) {
  printf("%d ", r);
  for (int i = 0; i < ${NSLOTS}; i++) for (int j = 0; j < ${SLOT}; j++) printf("%02x", m[i][j]);
  printf("\\n");
}
int main(void) {
  int r;
${calls.join('\n')}
  return 0;
}
`;
}

const FIXED: [string, string][] = [
  ['', '%d'],
  ['   ', '%d'],
  ['abc', '%d'],
  ['', 'abc%d'],
  ['ab', 'abc%d'],
  ['', '%n'],
  ['x', 'x%n'],
  ['12 %', '%d %%'],
  ['12  %3', '%d%%%d'],
  ['12 % 3', '%d %% %d'],
  ['abc', '%5c'],
  ['abcdefgh', '%5c%s'],
  ['100ergs', '%f%s'],
  ['1e5x', '%f%s'],
  ['0x', '%x%s'],
  ['0xg', '%x%s'],
  ['0x1g', '%i%s'],
  ['-', '%d%s'],
  ['- 1', '%d%s'],
  ['99999999999', '%d'],
  ['-5', '%u'],
  ['12345', '%3d%d'],
  ['abc]def', '%[]a-c]%s'],
  ['abc-def', '%[a-]%s'],
  ['xyz', '%[^y]%s'],
  ['xyz', '%[y]%s'],
  ['  abc', '%[a-c]'],
  ['1 2', '%d%*d%n'],
  ['inf nan', '%f %f'],
  ['infinity', '%f%s'],
  ['infx', '%f%s'],
  ['inx', '%f%s'],
  ['nan(12)x', '%f%s'],
  ['0x1p3', '%f'],
  ['.e1', '%f%s'],
  ['1.5e+', '%f%s'],
  ['12', '%1f%s'],
  ['a b', '%s%n'],
  ['a', '%s%d'],
  ['a ', '%s%d'],
  ['5', '%d%d'],
  ['5 x', '%d%d'],
  ['abc', '%2s%s'],
  ['12', '%hhd'],
  ['300', '%hhd'],
  ['0x1f', '%i'],
  ['017', '%i'],
  ['09', '%i%s'],
  ['+0x', '%i%s'],
  ['1', '%p'],
  ['  x', ' x%n'],
  ['x', '%c%c'],
  ['\n5', '%d'],
  ['5', '%0d'],
  ['1.2.3', '%f%s'],
  ['-inf', '%f'],
  ['+-1', '%d'],
  ['0x1.8p', '%f%s'],
  ['abc', '%*s%n'],
  ['abc', '%*c%n'],
  ['1', '%*d'],
  ['3.25 7', '%lf %Lf'],
  ['1e400 -1e-400', '%lf%lf'],
  ['0.1 0.1 0.1', '%f %lf %Lf'],
  ['18446744073709551615 -1', '%lu %llx'],
  ['9223372036854775808', '%ld%n'],
  ['key=value;rest', '%[^=]=%[^;];%s'],
  ['  12abc', ' %2d%n%c'],
  ['12:34:56', '%d:%d:%d%n'],
  ['12 : 34', '%d:%d'],
  ['12 : 34', '%d :%d'],
  ['hello world', '%*s %n%s'],
  ['abc', '%[abc'],
  ['a\tb', '%s\t%s'],
  ['1,2,3', '%d,%d,%d,%d'],
  ['0X1P-2', '%a'],
  ['0x', '%f'],
  ['0xz', '%lf%s'],
  ['-0x1.ffp+3x', '%lf%s'],
  ['00012', '%3d%d'],
  ['+', '%d'],
  ['   -', '%d'],
  ['1.', '%lf%n'],
  ['1.e3', '%lf%n'],
  ['1e3.5', '%lf%s'],
  ['1e-x', '%lf%s'],
  ['nanny', '%lf%s'],
  ['-nan', '%lf'],
  ['infin', '%lf%s'],
  ['INFINITY', '%4lf%s'],
  ['123', '%2hhu%hu'],
  ['fFfF', '%x'],
  ['777', '%o'],
  ['888', '%o%s'],
  ['%', '%%'],
  [' %', '%%'],
  ['x', '%%'],
];

describe('sscanf vs glibc', () => {
  it('fixed awkward cases and random ones', () => {
    const cases: Case[] = FIXED.map(([input, fmt]) => ({ input, fmt, nargs: NSLOTS }));
    const rnd = prng(99);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const convs = [
      '%d',
      '%i',
      '%u',
      '%x',
      '%o',
      '%s',
      '%c',
      '%[a-z0-9]',
      '%[^ ,]',
      '%f',
      '%lf',
      '%Lf',
      '%n',
      '%*d',
      '%3d',
      '%2s',
      '%5c',
      '%hd',
      '%lld',
      '%4lf',
      '%e',
      '%g',
      '%a',
      '%p',
    ];
    const toks = [
      '12',
      '-7',
      '+3',
      '0x1A',
      '077',
      'abc',
      'q9',
      '3.5',
      '-0.25e2',
      '1e',
      '.5',
      'inf',
      'nan',
      '0x1.8p3',
      ' ',
      '  ',
      ',',
      '\t',
      'Z',
      '99999999999999999999',
      '9007199254740991',
      '9007199254740993',
      '-9007199254740993',
      '0x1fffffffffffff',
      '0x20000000000001',
      '4294967296',
    ];
    for (let k = 0; k < 400; k++) {
      let fmt = '';
      const nconv = 1 + Math.floor(rnd() * 3);
      for (let j = 0; j < nconv; j++) fmt += pick(convs) + pick(['', ' ', ',', '']);
      let input = '';
      const ntok = Math.floor(rnd() * 5);
      for (let j = 0; j < ntok; j++) input += pick(toks) + pick(['', ' ', ',']);
      cases.push({ input, fmt, nargs: NSLOTS });
    }
    const native = runNativeC(cProgram(cases)).toString('latin1').trimEnd().split('\n');
    const bad: string[] = [];
    cases.forEach((c, k) => {
      const mine = ours(c);
      if (mine !== native[k])
        bad.push(`${JSON.stringify(c.input)} ${JSON.stringify(c.fmt)}: native ${native[k]} ours ${mine}`);
    });
    expect(bad.slice(0, 10)).toEqual([]);
  });
});
