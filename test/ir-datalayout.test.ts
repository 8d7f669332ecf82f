import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataLayout } from '../src/ir/datalayout.js';
import type { Local, Module } from '../src/ir/model.js';
import { parseModule } from '../src/ir/parser.js';
import type { Type } from '../src/ir/types.js';
import { TypeContext } from '../src/ir/types.js';
import { UserError } from '../src/util/errors.js';
import { findToolchain } from '../src/toolchain/find.js';

const X86_64 = 'e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128';
/** x86-64 as clang < 18 wrote it: no i128 entry. */
const X86_64_OLD = 'e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-f80:128-n8:16:32:64-S128';
const I386 = 'e-m:e-p:32:32-p270:32:32-p271:32:32-p272:64:64-i128:128-f64:32:64-f80:32-n8:16:32-S128';
const AMDGPU =
  'e-p:64:64-p1:64:64-p2:32:32-p3:32:32-p4:64:64-p5:32:32-p6:32:32-p7:160:256:256:32-p8:128:128-' +
  'p9:192:256:256:32-i64:64-v16:16-v24:32-v32:32-v48:64-v96:128-v192:256-v256:256-v512:512-v1024:1024-' +
  'v2048:2048-n32:64-S32-A5-G1-ni:7:8:9';

describe('DataLayout grammar and defaults', () => {
  it('uses LLVM defaults when the module has no datalayout', () => {
    const c = new TypeContext();
    for (const dl of [DataLayout.parse(undefined), DataLayout.parse(''), DataLayout.defaults()]) {
      expect(dl.bigEndian).toBe(false);
      expect(dl.pointerSize()).toBe(8);
      expect(dl.indexSize()).toBe(8);
      // i64:32:64 by default
      expect(dl.abiAlign(c.i64)).toBe(4);
      expect(dl.prefAlign(c.i64)).toBe(8);
      // i128 has no entry and none larger: the largest (i64) decides
      expect(dl.abiAlign(c.int(128))).toBe(4);
      expect(dl.allocSize(c.int(128))).toBe(16);
      // x86_fp80 without f80: next power of two of 10 bytes
      expect(dl.typeSize(c.float('x86_fp80'))).toBe(10);
      expect(dl.abiAlign(c.float('x86_fp80'))).toBe(16);
      expect(dl.allocSize(c.float('x86_fp80'))).toBe(16);
      // a:0:64
      const s = c.struct([c.i8]);
      expect(dl.abiAlign(s)).toBe(1);
      expect(dl.prefAlign(s)).toBe(8);
      expect(dl.structLayout(c.struct([c.i8, c.i64])).offsets).toEqual([0, 4]);
      expect(dl.allocSize(c.struct([c.i8, c.i64]))).toBe(12);
    }
  });

  it('rounds odd integer widths to the next listed width', () => {
    const c = new TypeContext();
    const dl = DataLayout.parse(X86_64);
    expect(dl.typeSize(c.i1)).toBe(1);
    expect(dl.allocSize(c.int(7))).toBe(1);
    expect(dl.typeSize(c.int(24))).toBe(3);
    expect(dl.abiAlign(c.int(24))).toBe(4);
    expect(dl.allocSize(c.int(24))).toBe(4);
    expect(dl.abiAlign(c.int(33))).toBe(8);
    expect(dl.typeSize(c.int(65))).toBe(9);
    expect(dl.abiAlign(c.int(65))).toBe(16); // next larger listed: i128:128
    expect(dl.allocSize(c.int(65))).toBe(16);
    expect(dl.abiAlign(c.int(256))).toBe(16); // none larger: the largest, i128
    expect(dl.allocSize(c.int(200))).toBe(32);
  });

  it('parses x86-64 and its i128 change in LLVM 18', () => {
    const c = new TypeContext();
    const now = DataLayout.parse(X86_64);
    const old = DataLayout.parse(X86_64_OLD);
    const s = c.struct([c.i8, c.int(128)]);
    expect(now.abiAlign(c.int(128))).toBe(16);
    expect(now.structLayout(s)).toMatchObject({ size: 32, align: 16, offsets: [0, 16] });
    expect(old.abiAlign(c.int(128))).toBe(8);
    expect(old.structLayout(s)).toMatchObject({ size: 24, align: 8, offsets: [0, 8] });
    expect(now.abiAlign(c.i64)).toBe(8);
    expect(now.allocSize(c.float('x86_fp80'))).toBe(16);
    expect(now.pointerSize(270)).toBe(4);
    expect(now.pointerSize(272)).toBe(8);
    expect(now.pointerSize(5)).toBe(8); // unlisted address space: address space 0's entry
    expect(now.stackAlign).toBe(16);
    expect(now.mangling).toBe('e');
    expect(now.legalIntWidths).toEqual([8, 16, 32, 64]);
    expect(now.smallestLegalIntWidth(24)).toBe(32);
  });

  it('parses i386: 32-bit pointers, i64:32, f64:32:64, f80:32', () => {
    const c = new TypeContext();
    const dl = DataLayout.parse(I386);
    expect(dl.pointerSize()).toBe(4);
    expect(dl.indexSize()).toBe(4);
    expect(dl.abiAlign(c.ptr)).toBe(4);
    expect(dl.abiAlign(c.i64)).toBe(4); // default i64:32:64 stays
    expect(dl.prefAlign(c.i64)).toBe(8);
    expect(dl.abiAlign(c.double)).toBe(4);
    expect(dl.prefAlign(c.double)).toBe(8);
    expect(dl.allocSize(c.float('x86_fp80'))).toBe(12);
    expect(dl.structLayout(c.struct([c.i8, c.double, c.i8]))).toMatchObject({
      size: 16,
      align: 4,
      offsets: [0, 4, 12],
    });
    expect(dl.allocSize(c.struct([c.i8, c.float('x86_fp80')]))).toBe(16);
    expect(dl.allocSize(c.array(c.struct([c.ptr, c.i8]), 3))).toBe(24);
  });

  it('parses big-endian layouts and the remaining specifiers', () => {
    const c = new TypeContext();
    const be = DataLayout.parse('E-m:e-p:32:32-Fi8-i64:64-v128:64:128-a:0:32-n32-S64');
    expect(be.bigEndian).toBe(true);
    expect(be.pointerSize()).toBe(4);
    expect(be.functionPtrAlign).toEqual({ kind: 'independent', align: 1 });
    expect(be.abiAlign(c.vector(c.i32, 4))).toBe(8);
    expect(be.prefAlign(c.vector(c.i32, 4))).toBe(16);
    expect(be.aggregatePrefAlign).toBe(4);
    expect(be.prefAlign(c.struct([c.i8]))).toBe(4);
    expect(be.stackAlign).toBe(8);
    expect(DataLayout.parse('e-Fn32').functionPtrAlign).toEqual({ kind: 'multiple', align: 4 });
    expect(DataLayout.parse('m:o').mangling).toBe('o');
    expect(DataLayout.parse('a:8').aggregateAbiAlign).toBe(1);
    expect(DataLayout.parse('a0:16:32').aggregateAbiAlign).toBe(2);
    expect(DataLayout.parse('i64:64-i64:32').abiAlign(c.i64)).toBe(4); // later entries win
    // An `a:` ABI alignment raises the alloc size but not the struct's own layout size, as in LLVM.
    const a32 = DataLayout.parse('a:32');
    const one = c.struct([c.i8]);
    expect(a32.typeSize(one)).toBe(1);
    expect(a32.abiAlign(one)).toBe(4);
    expect(a32.allocSize(one)).toBe(4);
    expect(a32.structLayout(c.struct([c.i8, one]))).toMatchObject({ size: 8, align: 4, offsets: [0, 4] });
    expect(a32.allocSize(c.struct([one, c.i8], true))).toBe(5);

    const gpu = DataLayout.parse(AMDGPU);
    expect(gpu.pointerSize(7)).toBe(20);
    expect(gpu.pointerSizeInBits(7)).toBe(160);
    expect(gpu.abiAlign(c.pointer(7))).toBe(32);
    expect(gpu.indexSize(7)).toBe(4);
    expect(gpu.isNonIntegral(7)).toBe(true);
    expect(gpu.isNonIntegral(1)).toBe(false);
    expect(gpu.allocaAddrSpace).toBe(5);
    expect(gpu.globalsAddrSpace).toBe(1);
    expect(gpu.pointerSize(3)).toBe(4);
    expect(gpu.abiAlign(c.vector(c.i32, 3))).toBe(16); // v96:128
    expect(gpu.abiAlign(c.vector(c.i8, 3))).toBe(4); // v24:32
  });

  it('rejects malformed strings with a one-line UserError', () => {
    const bad: [string, RegExp][] = [
      ['i8:16', /i8 must be 8-bit aligned/],
      ['p:64:12', /power of two times the byte width/],
      ['p:64:24', /power of two times the byte width/],
      ['x', /unknown specifier 'x'/],
      ['e-', /empty specification/],
      ['p:32:32:16', /preferred alignment cannot be less/],
      ['p:32:32:32:64', /index size cannot be larger/],
      ['i64', /expected "i<size>:<abi>\[:<pref>\]"/],
      ['i0:8', /size must be non-zero/],
      ['ee', /expected just "e" or "E"/],
      ['m:q', /unknown mangling mode/],
      ['ni:0', /address space 0 cannot be non-integral/],
      ['a4:8', /size must be zero/],
      ['Fx8', /unknown function pointer alignment type/],
      ['S', /expected "S<size>"/],
      ['i32:abc', /must be a decimal number/],
    ];
    for (const [s, re] of bad) {
      let err: unknown;
      try {
        DataLayout.parse(s, { file: 'm.ll', line: 3 });
      } catch (e) {
        err = e;
      }
      expect(err, s).toBeInstanceOf(UserError);
      expect((err as UserError).message, s).toMatch(re);
      expect((err as UserError).format(), s).toMatch(/^m\.ll:3: invalid datalayout/);
    }
  });
});

describe('DataLayout sizes of awkward types', () => {
  const c = new TypeContext();
  const dl = DataLayout.parse(X86_64);

  it('bit-packs i1 vectors and rounds odd vectors to a power of two', () => {
    expect(dl.typeSize(c.vector(c.i1, 8))).toBe(1);
    expect(dl.allocSize(c.vector(c.i1, 8))).toBe(1);
    expect(dl.typeSize(c.vector(c.i1, 3))).toBe(1);
    expect(dl.typeSize(c.vector(c.i1, 17))).toBe(3);
    expect(dl.abiAlign(c.vector(c.i1, 17))).toBe(4);
    expect(dl.typeSize(c.vector(c.i32, 3))).toBe(12);
    expect(dl.abiAlign(c.vector(c.i32, 3))).toBe(16);
    expect(dl.allocSize(c.vector(c.i32, 3))).toBe(16);
    expect(dl.abiAlign(c.vector(c.i32, 2))).toBe(8);
    expect(dl.abiAlign(c.vector(c.i8, 32))).toBe(32);
    expect(dl.allocSize(c.vector(c.ptr, 2))).toBe(16);
    expect(dl.typeSize(c.vector(c.pointer(270), 2))).toBe(8);
    expect(() => dl.typeSize(c.vector(c.i32, 4, true))).toThrow(UserError);
  });

  it('lays out packed structs, zero-sized types and flexible arrays', () => {
    const packed = c.struct([c.i8, c.i32, c.int(16)], true);
    expect(dl.structLayout(packed)).toMatchObject({ size: 7, align: 1, offsets: [0, 1, 5], padded: false });
    expect(dl.abiAlign(packed)).toBe(1);
    expect(dl.prefAlign(packed)).toBe(8);
    expect(dl.allocSize(c.array(packed, 3))).toBe(21);
    const empty = c.struct([]);
    expect(dl.allocSize(empty)).toBe(0);
    expect(dl.abiAlign(empty)).toBe(1);
    expect(dl.allocSize(c.array(c.i32, 0))).toBe(0);
    expect(dl.abiAlign(c.array(c.double, 0))).toBe(8);
    const flex = c.struct([c.i32, c.array(c.double, 0)]);
    expect(dl.structLayout(flex)).toMatchObject({ size: 8, align: 8, offsets: [0, 8], padded: true });
    const zeroes = c.struct([c.i8, empty, c.array(c.i64, 0), c.i8]);
    expect(dl.structLayout(zeroes).offsets).toEqual([0, 1, 8, 8]);
    expect(dl.allocSize(zeroes)).toBe(16);
  });

  it('caches struct layouts and handles named, nested and arrays-of structs', () => {
    const inner = c.namedStruct('struct.I');
    c.setBody(inner, [c.i8, c.float('x86_fp80')], false);
    const outer = c.namedStruct('struct.O');
    c.setBody(outer, [c.int(16), c.array(inner, 3), c.vector(c.float('float'), 3)], false);
    expect(dl.structLayout(inner)).toBe(dl.structLayout(inner));
    expect(dl.structLayout(inner)).toMatchObject({ size: 32, align: 16, offsets: [0, 16] });
    expect(dl.structLayout(outer)).toMatchObject({ size: 128, align: 16, offsets: [0, 16, 112] });
    expect(dl.elementOffset(outer, 2)).toBe(112);
    expect(() => dl.elementOffset(outer, 3)).toThrow(UserError);
  });

  it('computes constant GEP offsets like getIndexedOffsetInType', () => {
    const elem = c.struct([c.i8, c.int(16)]);
    const s = c.struct([c.i32, c.array(elem, 4)]);
    expect(dl.allocSize(s)).toBe(20);
    expect(dl.indexedOffset(s, [1, 1, 2, 1])).toBe(20 + 4 + 2 * 4 + 2);
    expect(dl.indexedOffset(s, [-1])).toBe(-20);
    expect(dl.indexedOffset(s, [0, 1, -1])).toBe(0);
    expect(dl.indexedOffset(c.vector(c.i32, 4), [0, 3])).toBe(12);
    expect(dl.indexedOffset(c.i8, [-7])).toBe(-7);
    expect(dl.indexedOffset(s, [])).toBe(0);
    expect(dl.indexedType(s, [0, 1, 2, 1])).toBe(c.int(16));
    expect(() => dl.indexedOffset(c.i32, [0, 1])).toThrow(UserError);
    expect(() => dl.indexedOffset(s, [0, 5])).toThrow(UserError);
  });

  it('refuses types without a size', () => {
    const ctx = new TypeContext();
    expect(() => dl.typeSize(ctx.void)).toThrow(UserError);
    expect(() => dl.allocSize(ctx.namedStruct('struct.Opaque'))).toThrow(/opaque struct %struct.Opaque/);
    const rec = ctx.namedStruct('struct.R');
    ctx.setBody(rec, [ctx.i32, rec], false);
    expect(() => dl.allocSize(rec)).toThrow(/contains itself/);
    expect(dl.isSized(rec)).toBe(false);
    expect(dl.isSized(ctx.array(ctx.struct([ctx.i8, ctx.ptr]), 2))).toBe(true);
    expect(dl.isSized(ctx.label)).toBe(false);
    expect(dl.typeSize(ctx.label)).toBe(8);
  });
});

// ---------------------------------------------------------------------------------------------------
// Agreement with clang: awkward structs compiled natively (sizeof/alignof/offsetof printed at run time)
// and for other targets (the same numbers as constants in the IR), against our layout of clang's IR types.

const STRUCT_DEFS = String.raw`
typedef int v4si __attribute__((vector_size(16)));
typedef double v2d __attribute__((vector_size(16)));
typedef char v32c __attribute__((vector_size(32)));
typedef float v3f __attribute__((ext_vector_type(3)));
typedef short v2s __attribute__((vector_size(4)));
enum Color { RED = 1, GREEN = 1000 };
struct A1 { char c; int i; short s; };
struct A2 { char c; double d; char e; };
struct A3 { char c; long long ll; char e; long double ld; };
struct BF1 { unsigned a : 3; unsigned b : 7; unsigned c : 13; unsigned d : 9; char e; };
struct BF2 { char a; unsigned long long b : 40; char c; };
struct BF3 { short a : 9; short b : 9; char c; int d : 1; };
struct BF4 { char a : 3; int : 0; char b : 2; short s; };
struct __attribute__((packed)) BF5 { char a; unsigned b : 20; char c; long long d : 33; };
struct BF6 { _Bool f : 1; _Bool g; long long h : 63; char tail[3]; };
struct __attribute__((packed)) PK1 { char c; int i; short s; double d; };
#pragma pack(push, 2)
struct PK2 { char c; int i; double d; short s; char e; };
struct PK2B { char c; long long x : 20; int y; };
#pragma pack(pop)
#pragma pack(push, 1)
struct PK3 { char c; struct A1 inner; char d; };
#pragma pack(pop)
struct PA { char c; int i; } __attribute__((packed, aligned(4)));
struct OA { char c; _Alignas(32) int x; char y; };
struct OB { short s; int x __attribute__((aligned(64))); char arr[3]; };
struct __attribute__((aligned(16))) OC { char c; };
struct OD { struct OC a; char b; struct OC c[2]; };
union U1 { char c; int i; double d; };
union U2 { struct A1 a; char buf[13]; };
union U3 { long double ld; struct { char x; short y; } s; int bits : 5; };
struct UN { char tag; union U2 u; union U3 w; char end; };
struct AN { int a; union { char b; double c; }; struct { short d; short e; }; char f; };
struct N1 { struct A1 in[3]; char c; struct A2 two[2][2]; struct BF1 bf[2]; };
struct N2 { char c; struct N1 n; struct PK1 p[3]; };
struct CA { char a[3]; char b[5]; short s; char c[7]; char d[1]; };
struct LD1 { char c; long double x; char d; };
struct LD2 { long double a[2]; short s; long double b; };
#ifdef __SIZEOF_INT128__
struct I128 { char c; __int128 x; unsigned __int128 y; char z; };
#else
struct I128 { char c; long long x; unsigned long long y; char z; };
#endif
struct PT { char c; void *p; int (*fp)(int); char *arr[3]; const char **pp; };
struct VE { char c; v4si v; float f; v2d d; v3f w; char g; v2s t; };
struct VE32 { char c; v32c v; };
struct FX { int n; double d[]; };
struct FX2 { char c; short s; char data[]; };
struct BO { _Bool a; _Bool b; int i; _Bool c[3]; };
struct EM {};
struct EM2 { int a; struct EM e; char c; struct EM f[4]; };
struct EN { char c; enum Color col; char d; };
struct CX { char c; _Complex float f; _Complex double d; _Complex long double z; };
struct ONE { char c; };
`;

/** Each C type with the member designators whose offsets are checked (bitfields cannot be). */
const CASES: { c: string; fields: string[]; noArray?: boolean }[] = [
  { c: 'struct A1', fields: ['c', 'i', 's'] },
  { c: 'struct A2', fields: ['c', 'd', 'e'] },
  { c: 'struct A3', fields: ['c', 'll', 'e', 'ld'] },
  { c: 'struct BF1', fields: ['e'] },
  { c: 'struct BF2', fields: ['a', 'c'] },
  { c: 'struct BF3', fields: ['c'] },
  { c: 'struct BF4', fields: ['s'] },
  { c: 'struct BF5', fields: ['a', 'c'] },
  { c: 'struct BF6', fields: ['g', 'tail', 'tail[2]'] },
  { c: 'struct PK1', fields: ['c', 'i', 's', 'd'] },
  { c: 'struct PK2', fields: ['c', 'i', 'd', 's', 'e'] },
  { c: 'struct PK2B', fields: ['c', 'y'] },
  { c: 'struct PK3', fields: ['c', 'inner', 'inner.i', 'inner.s', 'd'] },
  { c: 'struct PA', fields: ['c', 'i'] },
  { c: 'struct OA', fields: ['c', 'x', 'y'] },
  { c: 'struct OB', fields: ['s', 'x', 'arr', 'arr[2]'] },
  { c: 'struct OC', fields: ['c'] },
  { c: 'struct OD', fields: ['a', 'b', 'c', 'c[1]', 'c[1].c'] },
  { c: 'union U1', fields: ['c', 'i', 'd'] },
  { c: 'union U2', fields: ['a', 'a.s', 'buf', 'buf[12]'] },
  { c: 'union U3', fields: ['ld', 's', 's.y'] },
  { c: 'struct UN', fields: ['tag', 'u', 'u.a.i', 'w', 'w.s.y', 'end'] },
  { c: 'struct AN', fields: ['a', 'b', 'c', 'd', 'e', 'f'] },
  { c: 'struct N1', fields: ['in', 'in[2].s', 'c', 'two', 'two[1][1].d', 'two[1][0].e', 'bf', 'bf[1].e'] },
  { c: 'struct N2', fields: ['c', 'n', 'n.two[1][1].e', 'n.bf[1]', 'p', 'p[2].d', 'p[1].s'] },
  { c: 'struct CA', fields: ['a', 'b', 's', 'c', 'd'] },
  { c: 'struct LD1', fields: ['c', 'x', 'd'] },
  { c: 'struct LD2', fields: ['a', 'a[1]', 's', 'b'] },
  { c: 'struct I128', fields: ['c', 'x', 'y', 'z'] },
  { c: 'struct PT', fields: ['c', 'p', 'fp', 'arr', 'arr[2]', 'pp'] },
  { c: 'struct VE', fields: ['c', 'v', 'f', 'd', 'w', 'g', 't'] },
  { c: 'struct VE32', fields: ['c', 'v'] },
  { c: 'struct FX', fields: ['n', 'd'], noArray: true },
  { c: 'struct FX2', fields: ['c', 's', 'data'], noArray: true },
  { c: 'struct BO', fields: ['a', 'b', 'i', 'c', 'c[2]'] },
  { c: 'struct EM', fields: [] },
  { c: 'struct EM2', fields: ['a', 'e', 'c', 'f', 'f[3]'] },
  { c: 'struct EN', fields: ['c', 'col', 'd'] },
  { c: 'struct CX', fields: ['c', 'f', 'd', 'z'] },
  { c: 'struct ONE', fields: ['c'] },
];

/**
 * Types whose clang IR struct type has a different ABI alignment than the C type: clang carries the C
 * alignment on globals, allocas, loads and stores instead (over-aligned members, `aligned`, `#pragma pack`,
 * bitfield storage as byte arrays). The test checks that exactly these differ, per target.
 */
const ALIGN_DIFFERS_COMMON = ['BF2', 'PK2', 'PK2B', 'PA', 'OA', 'OB', 'OC', 'OD'];
const ALIGN_DIFFERS: Record<string, readonly string[]> = {
  native: ALIGN_DIFFERS_COMMON,
  'i386-pc-linux-gnu': ALIGN_DIFFERS_COMMON,
  'powerpc-linux-gnu': ALIGN_DIFFERS_COMMON,
  's390x-linux-gnu': ALIGN_DIFFERS_COMMON,
  // AAPCS64: a zero-width int bitfield aligns the struct; a 32-byte vector is 16-aligned (packed IR struct).
  'aarch64-linux-gnu': [...ALIGN_DIFFERS_COMMON, 'BF4', 'VE32'],
};

/** The C program: globals of each type and arrays of them, one accessor per field, and the numbers. */
function layoutProgram(native: boolean): string {
  const out: string[] = ['#include <stddef.h>'];
  if (native) out.push('#include <stdio.h>');
  out.push(STRUCT_DEFS);
  CASES.forEach((k, i) => {
    out.push(`${k.c} g_${i};`);
    if (k.noArray !== true) out.push(`${k.c} garr_${i}[3];`);
    k.fields.forEach((f, j) => out.push(`char *acc_${i}_${j}(${k.c} *p) { return (char *)&p->${f}; }`));
    // The same numbers as constants, for targets we cannot run: sizeof, alignof, array size, offsets.
    const nums = [`sizeof(${k.c})`, `_Alignof(${k.c})`, k.noArray === true ? '0' : `sizeof garr_${i}`];
    for (const f of k.fields) nums.push(`offsetof(${k.c}, ${f})`);
    out.push(`const unsigned long long info_${i}[] = { ${nums.join(', ')} };`);
  });
  if (native) {
    out.push('int main(void) {');
    CASES.forEach((k, i) => {
      out.push(`  printf("S ${i} %zu %zu\\n", sizeof(${k.c}), _Alignof(${k.c}));`);
      if (k.noArray !== true) out.push(`  printf("A ${i} %zu\\n", sizeof garr_${i});`);
      k.fields.forEach((f, j) => out.push(`  printf("F ${i} ${j} %zu\\n", offsetof(${k.c}, ${f}));`));
    });
    out.push('  return 0;', '}');
  }
  return out.join('\n') + '\n';
}

interface CLayout {
  size: number;
  align: number;
  arraySize: number | undefined;
  offsets: number[];
}

function clang(args: string[]): void {
  execFileSync(findToolchain().clang, ['-w', ...args], { stdio: 'pipe' });
}

/** Compiles `src` for `target` (undefined: the host) to IR and parses it. */
function compileIR(dir: string, name: string, src: string, target: string | undefined): Module {
  const c = join(dir, `${name}.c`);
  const ll = join(dir, `${name}.ll`);
  writeFileSync(c, src);
  clang([...(target !== undefined ? [`--target=${target}`] : []), '-O0', '-S', '-emit-llvm', c, '-o', ll]);
  return parseModule(readFileSync(ll, 'utf8'), ll);
}

/** Builds and runs the native program; its output gives the C layouts. */
function nativeLayouts(dir: string, src: string): CLayout[] {
  const c = join(dir, 'native.c');
  const exe = join(dir, 'native');
  writeFileSync(c, src);
  clang(['-O0', c, '-o', exe]);
  const res: CLayout[] = CASES.map(() => ({ size: -1, align: -1, arraySize: undefined, offsets: [] }));
  for (const line of execFileSync(exe, { encoding: 'utf8' }).trim().split('\n')) {
    const [kind, ...nums] = line.split(' ');
    const n = nums.map(Number);
    if (kind === 'S') Object.assign(res[n[0]], { size: n[1], align: n[2] });
    else if (kind === 'A') res[n[0]].arraySize = n[1];
    else if (kind === 'F') res[n[0]].offsets[n[1]] = n[2];
  }
  return res;
}

/** The C layouts from the `info_i` constant arrays in the IR (for targets we cannot run). */
function constLayouts(m: Module): CLayout[] {
  return CASES.map((k, i) => {
    const g = m.symbols.get(`info_${i}`);
    if (g?.kind !== 'gvar' || g.init?.kind !== 'array') throw new Error(`info_${i} missing or not an array`);
    const n = g.init.elems.map((e) => (e.kind === 'int' ? Number(e.value) : NaN));
    return { size: n[0], align: n[1], arraySize: k.noArray === true ? undefined : n[2], offsets: n.slice(3) };
  });
}

function valueType(m: Module, name: string): Type {
  const g = m.symbols.get(name);
  if (g?.kind !== 'gvar') throw new Error(`@${name} missing`);
  return g.valueType;
}

/**
 * The offset an -O0 accessor `return (char *)&p->f;` adds to `p`: the sum of the constant GEPs clang emits,
 * chained from the reloaded parameter to the returned pointer (no GEP at all for union members).
 */
function accessorOffset(m: Module, dl: DataLayout, name: string): number {
  const f = m.symbols.get(name);
  if (f?.kind !== 'function' || f.blocks.length !== 1) throw new Error(`@${name} missing`);
  let cur: Local | undefined;
  let off = 0;
  for (const i of f.blocks[0].instrs) {
    if (i.op === 'load' && cur === undefined) cur = i.result;
    else if (i.op === 'getelementptr') {
      if (i.ptr !== cur) throw new Error(`${name}: GEP not chained from the parameter`);
      const idx = i.indices.map((v) => {
        if (v.kind !== 'int' || v.type.kind !== 'int') throw new Error(`${name}: non-constant GEP index`);
        return Number(BigInt.asIntN(v.type.bits, v.value));
      });
      off += dl.indexedOffset(i.srcType, idx);
      cur = i.result;
    } else if (i.op === 'ret' && i.value !== cur) throw new Error(`${name}: returns something else`);
  }
  return off;
}

/** Compares our layout of clang's IR types with the C layouts; returns the mismatches and the check count. */
function compareLayouts(
  m: Module,
  c: CLayout[],
  differs: readonly string[],
): { bad: string[]; checks: number } {
  const dl = DataLayout.parse(m.dataLayout);
  const bad: string[] = [];
  let checks = 0;
  const check = (what: string, ours: number, clangs: number): void => {
    checks++;
    if (ours !== clangs) bad.push(`${what}: ours ${ours}, clang ${clangs}`);
  };
  CASES.forEach((k, i) => {
    const t = valueType(m, `g_${i}`);
    const name = k.c.split(' ')[1];
    check(`sizeof(${k.c})`, dl.allocSize(t), c[i].size);
    if (differs.includes(name)) {
      checks++;
      if (dl.abiAlign(t) === c[i].align)
        bad.push(`alignof(${k.c}) unexpectedly agrees: drop it from the list`);
    } else check(`alignof(${k.c})`, dl.abiAlign(t), c[i].align);
    if (k.noArray !== true)
      check(`sizeof(${k.c}[3])`, dl.allocSize(valueType(m, `garr_${i}`)), c[i].arraySize ?? -1);
    k.fields.forEach((f, j) =>
      check(`offsetof(${k.c}, ${f})`, accessorOffset(m, dl, `acc_${i}_${j}`), c[i].offsets[j]),
    );
  });
  return { bad, checks };
}

describe('DataLayout agrees with clang on awkward structs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inputsmith-dl-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fieldCount = CASES.reduce((n, k) => n + k.fields.length, 0);

  it('has enough awkward cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25);
    expect(fieldCount).toBeGreaterThan(120);
  });

  it('matches sizeof/alignof/offsetof printed by the native program (x86-64)', () => {
    const c = nativeLayouts(dir, layoutProgram(true));
    const m = compileIR(dir, 'host', layoutProgram(false), undefined);
    expect(m.dataLayout).toMatch(/i128:128/);
    // The IR's own constants agree with what the program printed, so the cross-target checks below are sound.
    expect(constLayouts(m)).toEqual(c);
    const { bad, checks } = compareLayouts(m, c, ALIGN_DIFFERS.native);
    expect(bad).toEqual([]);
    expect(checks).toBe(2 * CASES.length + CASES.filter((k) => k.noArray !== true).length + fieldCount);
  });

  // Other targets cannot run here; clang's own sizeof/alignof/offsetof constants in the IR are the reference.
  for (const target of ['i386-pc-linux-gnu', 'aarch64-linux-gnu', 'powerpc-linux-gnu', 's390x-linux-gnu']) {
    it(`matches clang's layout constants for ${target}`, () => {
      const m = compileIR(dir, target, layoutProgram(false), target);
      const { bad, checks } = compareLayouts(m, constLayouts(m), ALIGN_DIFFERS[target]);
      expect(bad).toEqual([]);
      expect(checks).toBeGreaterThan(150);
    });
  }
});
