/**
 * Tests of the LLVM IR parser (src/ir/parser.ts): hand-written snippets covering every construct, and real
 * clang output (the toolchain's) whose function/block/instruction counts are checked against llvm-dis's text.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debugLocation } from '../src/ir/debuginfo.js';
import type { Func, GlobalVar, Instr, Module } from '../src/ir/model.js';
import { instrCount } from '../src/ir/model.js';
import { parseModule } from '../src/ir/parser.js';
import { UserError } from '../src/util/errors.js';
import { findToolchain } from '../src/toolchain/find.js';

/** Valid for `llvm-as --disable-verify` (parse-level), covering the constructs the parser supports. */
export const ALL_CONSTRUCTS = String.raw`; ModuleID = 'all'
source_filename = "all.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"
module asm "  .globl foo"
module asm "foo: ret"

%struct.S = type { i32, ptr, [4 x i8] }
%struct.P = type <{ i8, i32 }>
%struct.O = type opaque
%0 = type { i64, i64 }
%"quoted type" = type { %struct.S, %0 }

$comdat1 = comdat any
$g6 = comdat any
$"weird comdat" = comdat largest

@g1 = global i32 42, align 4
@g2 = internal constant [4 x i8] c"ab\00\FF", section ".rodata", align 1
@g3 = private unnamed_addr constant { i32, float } { i32 -1, float 1.500000e+00 }
@g4 = external global ptr
@g5 = weak_odr dso_local thread_local(initialexec) local_unnamed_addr addrspace(1) externally_initialized global i64 0, comdat($comdat1), align 8
@g6 = linkonce_odr hidden global %struct.S { i32 1, ptr @g1, [4 x i8] zeroinitializer }, comdat
@g7 = global <4 x i32> <i32 1, i32 2, i32 3, i32 4>
@g8 = global %struct.P <{ i8 1, i32 2 }>
@g9 = global ptr getelementptr inbounds (%struct.S, ptr @g6, i64 0, i32 2, i64 1)
@g10 = global i64 ptrtoint (ptr @g1 to i64)
@g11 = global x86_fp80 0xK4000C000000000000000
@g12 = global half 0xH3C00
@g13 = global bfloat 0xR3F80
@g14 = global fp128 0xL00000000000000003FFF000000000000
@g15 = global double 0x7FF8000000000000
@g16 = global float 0x3FB99999A0000000
@g17 = global i128 -170141183460469231731687303715884105728
@g18 = global ptr blockaddress(@withaddr, %target)
@g19 = global [2 x ptr] [ptr @f_decl, ptr null]
@g20 = global i1 true
@g21 = global <4 x i32> splat (i32 7)
@g22 = global ptr dso_local_equivalent @f_decl
@g23 = global ptr no_cfi @f_decl
@g24 = global i64 sub (i64 ptrtoint (ptr @g1 to i64), i64 ptrtoint (ptr @g2 to i64))
@g25 = global ptr getelementptr inbounds nuw (i8, ptr @g1, i64 4)
@g26 = global { ptr } { ptr getelementptr inbounds inrange(-16, 8) (i8, ptr @g2, i64 16) }
@"\01quoted" = global i32 0, !dbg !0
@g27 = global i32 0, code_model "large", no_sanitize_address
@g28 = global i32 0 #2
@0 = private constant i32 5
@g29 = global ptr @later
@g30 = global [3 x i32] undef
@g31 = global i32 poison
@fwdref = global ptr @fwd_fn
@g32 = global double 1.000000e+00
@g33 = global float -0.000000e+00
@g34 = global i8 255
@g35 = global <2 x i64> zeroinitializer

@alias1 = alias i32, ptr @g1
@alias2 = internal alias i32, getelementptr (i8, ptr @g1, i64 0)
@ifunc1 = ifunc void (), ptr @resolver

define internal ptr @resolver() {
  ret ptr @f_decl
}

declare void @f_decl()
declare i32 @printf(ptr noundef, ...) #0
declare void @llvm.foo(metadata, metadata, metadata)
declare ptr @llvm.stacksave.p0()
declare i32 @__gxx_personality_v0(...)
declare void @may_throw(i32)
declare token @llvm.experimental.gc.statepoint.p0(i64, i32, ptr, i32, i32, ...)

@later = global i32 1

define dso_local noundef i32 @allinstr(i32 noundef %a, i32 %b, ptr nocapture noundef readonly %p, <4 x float> %v, float %f, i1 zeroext %c, ptr byval(%struct.S) align 8 %s, ptr sret(%struct.S) %out, i64 range(i64 0, 10) %r) local_unnamed_addr #0 section ".text.x" comdat($comdat1) align 16 gc "statepoint-example" prefix i32 1 prologue i8 2 personality ptr @__gxx_personality_v0 !dbg !5 {
entry:
  %0 = add nuw nsw i32 %a, %b
  %1 = sub i32 %0, 1
  %2 = mul nsw i32 %1, %1
  %3 = udiv exact i32 %2, 3
  %4 = sdiv i32 %3, -2
  %5 = urem i32 %4, 7
  %6 = srem i32 %5, 7
  %7 = shl nuw i32 %6, 2
  %8 = lshr exact i32 %7, 1
  %9 = ashr i32 %8, 1
  %10 = and i32 %9, 255
  %11 = or disjoint i32 %10, 256
  %12 = xor i32 %11, -1
  %13 = fadd fast float %f, 1.000000e+00
  %14 = fsub nnan ninf float %13, %f
  %15 = fmul reassoc nsz arcp contract afn float %14, %14
  %16 = fdiv float %15, 0x3FF0000000000000
  %17 = frem float %16, %16
  %18 = fneg float %17
  %19 = trunc nuw i32 %12 to i8
  %20 = zext nneg i8 %19 to i64
  %21 = sext i8 %19 to i16
  %22 = fptrunc double 1.0 to float
  %23 = fpext float %22 to double
  %24 = fptoui double %23 to i32
  %25 = fptosi double %23 to i32
  %26 = uitofp nneg i32 %24 to float
  %27 = sitofp i32 %25 to double
  %28 = ptrtoint ptr %p to i64
  %29 = inttoptr i64 %28 to ptr
  %30 = bitcast i32 %25 to float
  %31 = addrspacecast ptr %29 to ptr addrspace(1)
  %32 = icmp ult i32 %a, %b
  %33 = fcmp nnan olt float %f, 0.0
  %34 = select nnan i1 %32, float %f, float %26
  %35 = freeze i32 %a
  %36 = alloca i32, align 4
  %37 = alloca inalloca %struct.S, i32 4, align 8
  %38 = alloca i8, i64 %20, align 16, addrspace(5)
  %39 = load i32, ptr %p, align 4, !tbaa !10, !nonnull !{}
  %40 = load volatile i32, ptr %p, align 4
  %41 = load atomic i32, ptr %p syncscope("singlethread") acquire, align 4
  store i32 %39, ptr %36, align 4
  store volatile i32 %40, ptr %36, align 4, !dbg !7
  store atomic i32 %41, ptr %36 seq_cst, align 4
  fence syncscope("agent") acq_rel
  fence seq_cst
  %42 = cmpxchg weak volatile ptr %36, i32 0, i32 1 syncscope("x") acq_rel monotonic, align 4
  %43 = extractvalue { i32, i1 } %42, 1
  %44 = atomicrmw volatile add ptr %36, i32 1 seq_cst, align 4
  %45 = atomicrmw fadd ptr %36, float 1.0 monotonic
  %46 = atomicrmw uinc_wrap ptr %36, i32 1 syncscope("singlethread") monotonic, align 4
  %47 = getelementptr inbounds %struct.S, ptr %s, i64 0, i32 1
  %48 = getelementptr inbounds nuw [4 x i8], ptr %s, i64 1, i64 %20
  %49 = getelementptr i8, <2 x ptr> <ptr null, ptr null>, <2 x i64> <i64 1, i64 2>
  %50 = getelementptr i32, ptr %p, <4 x i64> zeroinitializer
  %51 = extractelement <4 x float> %v, i32 0
  %52 = insertelement <4 x float> %v, float %51, i64 3
  %53 = shufflevector <4 x float> %v, <4 x float> poison, <2 x i32> <i32 3, i32 poison>
  %54 = shufflevector <4 x float> %v, <4 x float> %52, <4 x i32> zeroinitializer
  %55 = insertvalue { i32, ptr } undef, i32 %a, 0
  %56 = insertvalue { i32, ptr } %55, ptr %p, 1
  %57 = extractvalue { i32, ptr } %56, 1
  %58 = tail call i32 (ptr, ...) @printf(ptr noundef @g2, i32 %a) #1
  %59 = call fast float @llvm.fabs.f32(float %f)
  call void @llvm.foo(metadata i32 %a, metadata !8, metadata !DIExpression(DW_OP_plus_uconst, 4, DW_OP_stack_value)), !dbg !7
  call void @llvm.foo(metadata ptr undef, metadata !8, metadata !DIExpression())
  call void asm sideeffect inteldialect "nop", "~{dirflag},~{fpsr},~{flags}"() #1, !srcloc !9
  %60 = call i32 asm "mov $1, $0", "=r,r"(i32 %a)
  notail call void @f_decl() [ "deopt"(i32 1, ptr %p), "funclet"(token none) ]
  musttail call void @f_decl()
  %61 = call fastcc noalias ptr @llvm.stacksave.p0()
  %62 = va_arg ptr %p, i32
  %vec = fadd <4 x float> %v, splat (float 1.0)
  %cmpv = icmp eq <4 x i32> zeroinitializer, <i32 1, i32 2, i32 3, i32 4>
  %"quoted name" = add i32 %a, 1
  %63 = call i32 @llvm.smax.i32(i32 %a, i32 range(i32 0, 5) 4)
  %64 = call addrspace(0) i32 @fwd_fn(i32 %a)
  br i1 %32, label %loop, label %exit, !prof !11

loop:                                             ; preds = %loop, %entry
  %i = phi i32 [ 0, %entry ], [ %inc, %loop ]
  %fp = phi fast float [ 0.0, %entry ], [ %f, %loop ]
  %inc = add i32 %i, 1
  %done = icmp sge i32 %inc, 10
  br i1 %done, label %exit, label %loop, !llvm.loop !12

exit:
  switch i32 %a, label %d [
    i32 0, label %d
    i32 1, label %e
    i32 -5, label %d
  ]

d:
  ret i32 %0

e:
  unreachable
}

define i32 @fwd_fn(i32 %x) {
  %1 = add i32 %x, 1
  %y = add i32 %1, 2
  br label %2

2:
  %3 = phi i32 [ %y, %0 ], [ %4, %2 ]
  %4 = add i32 %3, 1
  br i1 false, label %2, label %5

5:
  ret i32 %4
}

define ptr @withaddr(i32 %i) {
  %a = getelementptr i8, ptr blockaddress(@withaddr, %target), i64 0
  indirectbr ptr blockaddress(@withaddr, %target), [label %target, label %other]
target:
  ret ptr null
other:
  ret ptr blockaddress(@withaddr, %other)
}

define void @eh() personality ptr @__gxx_personality_v0 {
entry:
  invoke void @may_throw(i32 1) to label %ok unwind label %lpad
ok:
  %r = invoke i32 @fwd_fn(i32 2) to label %ok2 unwind label %lpad
ok2:
  ret void
lpad:
  %lp = landingpad { ptr, i32 } cleanup
          catch ptr null
          filter [1 x ptr] [ptr @g1]
  resume { ptr, i32 } %lp
}

define void @seh() personality ptr @__gxx_personality_v0 {
entry:
  invoke void @may_throw(i32 1) to label %cont unwind label %cs
cont:
  ret void
cs:
  %sw = catchswitch within none [label %handler] unwind to caller
handler:
  %cp = catchpad within %sw [ptr null, i32 64, ptr null]
  catchret from %cp to label %cont
cleanup:
  %cl = cleanuppad within none []
  cleanupret from %cl unwind to caller
cleanup2:
  %cl2 = cleanuppad within %cp [i32 1]
  cleanupret from %cl2 unwind label %cs2
cs2:
  %sw2 = catchswitch within %cp [label %handler] unwind label %cleanup
}

define i32 @cbr(i32 %x) {
  %r = callbr i32 asm "", "=r,r,!i"(i32 %x) to label %fall [label %ind]
fall:
  ret i32 %r
ind:
  ret i32 0
}

define void @dbgrec(i32 %x) !dbg !5 {
entry:
    #dbg_value(i32 %x, !8, !DIExpression(), !7)
  ret void, !dbg !7
}

define void @noentrylabel() {
  %1 = alloca i32
  br label %2
2:
  ret void
}

declare float @llvm.fabs.f32(float)
declare i32 @llvm.smax.i32(i32, i32)

attributes #0 = { noinline nounwind optnone uwtable "frame-pointer"="all" "target-cpu"="x86-64" memory(argmem: readwrite, inaccessiblemem: read) }
attributes #1 = { nounwind }
attributes #2 = { "foo" }

!llvm.dbg.cu = !{!1}
!llvm.module.flags = !{!3, !4}
!0 = !DIGlobalVariableExpression(var: !13, expr: !DIExpression())
!1 = distinct !DICompileUnit(language: DW_LANG_C11, file: !2, producer: "clang", isOptimized: false, runtimeVersion: 0, emissionKind: FullDebug, splitDebugInlining: false, nameTableKind: None)
!2 = !DIFile(filename: "all.c", directory: "/tmp/snip")
!3 = !{i32 7, !"Dwarf Version", i32 5}
!4 = !{i32 2, !"Debug Info Version", i32 3}
!5 = distinct !DISubprogram(name: "allinstr", scope: !2, file: !2, line: 3, type: !6, scopeLine: 3, spFlags: DISPFlagDefinition, unit: !1)
!6 = !DISubroutineType(types: !{})
!7 = !DILocation(line: 4, column: 7, scope: !14)
!8 = !DILocalVariable(name: "a", arg: 1, scope: !5, file: !2, line: 3, type: !15)
!9 = !{i64 1234}
!10 = !{!"int", !9}
!11 = !{!"branch_weights", i32 1, i32 2000}
!12 = distinct !{!12, !16}
!13 = distinct !DIGlobalVariable(name: "q", scope: !1, file: !2, line: 1, type: !15, isLocal: false, isDefinition: true)
!14 = distinct !DILexicalBlock(scope: !5, file: !2, line: 4, column: 3)
!15 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!16 = !{!"llvm.loop.mustprogress"}
`;

function fn(m: Module, name: string): Func {
  const g = m.symbols.get(name);
  if (g === undefined || g.kind !== 'function') throw new Error(`no function ${name}`);
  return g;
}
function gv(m: Module, name: string): GlobalVar {
  const g = m.symbols.get(name);
  if (g === undefined || g.kind !== 'gvar') throw new Error(`no global variable ${name}`);
  return g;
}
/** The instruction defining `%name` (or the n-th unnamed value) in f. */
function def(f: Func, name: string): Instr {
  let n = 0;
  for (const b of f.blocks)
    for (const i of b.instrs) {
      if (i.result === undefined) continue;
      const nm = i.result.name ?? String(f.params.filter((p) => p.local.name === undefined).length + n);
      if (i.result.name === undefined) n++;
      if (nm === name) return i;
    }
  throw new Error(`no %${name}`);
}
function all(f: Func): Instr[] {
  return f.blocks.flatMap((b) => b.instrs);
}
function userError(fnc: () => unknown): UserError {
  try {
    fnc();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('no error thrown');
}

describe('module-level entities', () => {
  const m = parseModule(ALL_CONSTRUCTS, 'all.ll');

  it('reads header fields', () => {
    expect(m.sourceFilename).toBe('all.c');
    expect(m.triple).toBe('x86_64-pc-linux-gnu');
    expect(m.dataLayout).toMatch(/^e-m:e/);
    expect(m.moduleAsm).toEqual(['  .globl foo', 'foo: ret']);
    expect(m.comdats).toEqual([
      { name: 'comdat1', selection: 'any' },
      { name: 'g6', selection: 'any' },
      { name: 'weird comdat', selection: 'largest' },
    ]);
  });

  it('reads named, packed, opaque and numbered struct types', () => {
    const s = m.types.named.get('struct.S')!;
    expect(s.fields.map((f) => f.kind)).toEqual(['int', 'ptr', 'array']);
    expect(m.types.named.get('struct.P')!.packed).toBe(true);
    expect(m.types.named.get('struct.O')!.opaque).toBe(true);
    expect(m.types.named.get('0')!.fields).toHaveLength(2);
    expect(m.types.named.get('quoted type')!.fields[0]).toBe(s);
  });

  it('reads global variable properties', () => {
    const g5 = gv(m, 'g5');
    expect(g5.linkage).toBe('weak_odr');
    expect(g5.preemption).toBe('dso_local');
    expect(g5.threadLocal).toBe('initialexec');
    expect(g5.unnamedAddr).toBe('local_unnamed_addr');
    expect(g5.addrSpace).toBe(1);
    expect(g5.type).toBe(m.types.pointer(1));
    expect(g5.externallyInitialized).toBe(true);
    expect(g5.comdat).toBe('comdat1');
    expect(g5.align).toBe(8);
    const g2 = gv(m, 'g2');
    expect(g2.isConstant).toBe(true);
    expect(g2.section).toBe('.rodata');
    expect(g2.init).toMatchObject({ kind: 'string', bytes: new Uint8Array([0x61, 0x62, 0, 0xff]) });
    expect(gv(m, 'g4').init).toBeUndefined();
    expect(gv(m, 'g6').comdat).toBe('g6');
    expect(gv(m, 'g6').visibility).toBe('hidden');
    expect(gv(m, 'g27').codeModel).toBe('large');
    expect(gv(m, 'g27').sanitizer).toEqual(['no_sanitize_address']);
    expect(gv(m, 'g28').attrs.groups).toEqual([2]);
    expect(gv(m, '\x01quoted').md).toBe(', !dbg !0');
    expect(gv(m, '0').init).toMatchObject({ kind: 'int', value: 5n });
  });

  it('reads scalar constants', () => {
    expect(gv(m, 'g3').init).toMatchObject({
      kind: 'struct',
      elems: [
        { kind: 'int', value: 0xffffffffn },
        { kind: 'float', bits: 0x3fc00000n },
      ],
    });
    expect(gv(m, 'g11').init).toMatchObject({ kind: 'float', bits: 0x4000c000000000000000n });
    expect(gv(m, 'g12').init).toMatchObject({ kind: 'float', bits: 0x3c00n });
    expect(gv(m, 'g13').init).toMatchObject({ kind: 'float', bits: 0x3f80n });
    expect(gv(m, 'g14').init).toMatchObject({ kind: 'float', bits: 0x3fff000000000000n << 64n });
    expect(gv(m, 'g15').init).toMatchObject({ kind: 'float', bits: 0x7ff8000000000000n });
    expect(gv(m, 'g16').init).toMatchObject({ kind: 'float', bits: 0x3dcccccdn }); // 0.1f
    expect(gv(m, 'g17').init).toMatchObject({ kind: 'int', value: 1n << 127n });
    expect(gv(m, 'g20').init).toMatchObject({ kind: 'int', value: 1n });
    expect(gv(m, 'g30').init).toMatchObject({ kind: 'undef' });
    expect(gv(m, 'g31').init).toMatchObject({ kind: 'poison' });
    expect(gv(m, 'g32').init).toMatchObject({ kind: 'float', bits: 0x3ff0000000000000n });
    expect(gv(m, 'g33').init).toMatchObject({ kind: 'float', bits: 0x80000000n });
    expect(gv(m, 'g34').init).toMatchObject({ kind: 'int', value: 255n });
    expect(gv(m, 'g35').init).toMatchObject({ kind: 'zero' });
  });

  it('reads aggregate constants and constant expressions', () => {
    expect(gv(m, 'g6').init).toMatchObject({
      kind: 'struct',
      elems: [{ value: 1n }, gv(m, 'g1'), { kind: 'zero' }],
    });
    expect(gv(m, 'g7').init).toMatchObject({ kind: 'vector', elems: [{ value: 1n }, {}, {}, { value: 4n }] });
    expect(gv(m, 'g8').init).toMatchObject({ kind: 'struct', elems: [{ value: 1n }, { value: 2n }] });
    const gep = gv(m, 'g9').init!;
    expect(gep).toMatchObject({ kind: 'expr', op: 'getelementptr', flags: ['inbounds'] });
    if (gep.kind !== 'expr') throw new Error();
    expect(gep.srcType).toBe(m.types.named.get('struct.S'));
    expect(gep.operands).toHaveLength(4);
    expect(gep.operands[0]).toBe(gv(m, 'g6'));
    expect(gv(m, 'g10').init).toMatchObject({ kind: 'expr', op: 'ptrtoint', type: m.types.i64 });
    expect(gv(m, 'g21').init).toMatchObject({ kind: 'splat', elem: { value: 7n } });
    expect(gv(m, 'g22').init).toMatchObject({ kind: 'dso_local_equivalent', func: fn(m, 'f_decl') });
    expect(gv(m, 'g23').init).toMatchObject({ kind: 'no_cfi' });
    expect(gv(m, 'g24').init).toMatchObject({ kind: 'expr', op: 'sub', operands: [{ op: 'ptrtoint' }, {}] });
    expect(gv(m, 'g25').init).toMatchObject({ flags: ['inbounds', 'nuw'] });
    expect(gv(m, 'g26').init).toMatchObject({ elems: [{ inrange: 'inrange(-16, 8)' }] });
  });

  it('resolves forward references to globals and blocks', () => {
    expect(gv(m, 'g29').init).toBe(gv(m, 'later'));
    expect(gv(m, 'fwdref').init).toBe(fn(m, 'fwd_fn'));
    const ba = gv(m, 'g18').init!;
    expect(ba.kind).toBe('blockaddress');
    if (ba.kind !== 'blockaddress') throw new Error();
    expect(ba.func).toBe(fn(m, 'withaddr'));
    expect(ba.block).toBe(fn(m, 'withaddr').blocks[1]);
    // A forward-referenced global object is the same one that is in m.globals, with the right kind.
    expect(m.globals.filter((g) => g.name === 'fwd_fn')).toHaveLength(1);
    expect(fn(m, 'fwd_fn').kind).toBe('function');
  });

  it('reads aliases and ifuncs', () => {
    expect(m.symbols.get('alias1')).toMatchObject({ kind: 'alias', aliasee: gv(m, 'g1') });
    expect(m.symbols.get('alias2')).toMatchObject({
      kind: 'alias',
      linkage: 'internal',
      aliasee: { kind: 'expr' },
    });
    expect(m.symbols.get('ifunc1')).toMatchObject({ kind: 'ifunc', resolver: fn(m, 'resolver') });
  });

  it('reads attribute groups and metadata raw', () => {
    const g0 = m.attrGroups.get(0)!;
    expect(g0.map((a) => a.name)).toContain('noinline');
    expect(g0).toContainEqual({ name: '"frame-pointer"', value: 'all' });
    expect(g0).toContainEqual({ name: 'memory', value: '(argmem: readwrite, inaccessiblemem: read)' });
    expect(m.attrGroups.get(2)).toEqual([{ name: '"foo"' }]);
    expect(m.metadata.get('llvm.module.flags')).toBe('!{!3, !4}');
    expect(m.metadata.get('12')).toBe('distinct !{!12, !16}');
    expect(m.metadata.size).toBe(19);
  });
});

describe('functions and instructions', () => {
  const m = parseModule(ALL_CONSTRUCTS, 'all.ll');
  const f = fn(m, 'allinstr');

  it('reads the function header', () => {
    expect(f.preemption).toBe('dso_local');
    expect(f.retAttrs.attrs).toEqual([{ name: 'noundef' }]);
    expect(f.unnamedAddr).toBe('local_unnamed_addr');
    expect(f.fnAttrs.groups).toEqual([0]);
    expect(f.section).toBe('.text.x');
    expect(f.comdat).toBe('comdat1');
    expect(f.align).toBe(16);
    expect(f.gc).toBe('statepoint-example');
    expect(f.prefix).toMatchObject({ kind: 'int', value: 1n });
    expect(f.prologue).toMatchObject({ kind: 'int', value: 2n });
    expect(f.personality).toBe(fn(m, '__gxx_personality_v0'));
    expect(f.dbg).toBe(5);
    expect(f.params.map((p) => p.local.name)).toEqual(['a', 'b', 'p', 'v', 'f', 'c', 's', 'out', 'r']);
    expect(f.params[2].attrs.attrs.map((a) => a.name)).toEqual(['nocapture', 'noundef', 'readonly']);
    expect(f.params[6].attrs.attrs).toEqual([
      { name: 'byval', type: m.types.named.get('struct.S') },
      { name: 'align', value: '8' },
    ]);
    expect(f.params[7].attrs.attrs[0]).toMatchObject({ name: 'sret' });
    expect(f.params[8].attrs.attrs[0]).toEqual({ name: 'range', value: '(i64 0, 10)' });
    expect(f.locals.slice(0, 9)).toEqual(f.params.map((p) => p.local));
    expect(f.locals.every((l, i) => l.id === i)).toBe(true);
    const printf = fn(m, 'printf');
    expect(printf.funcType.varargs).toBe(true);
    expect(printf.blocks).toHaveLength(0);
  });

  it('counts blocks and instructions, and numbers unnamed values', () => {
    expect(f.blocks.map((b) => b.name)).toEqual(['entry', 'loop', 'exit', 'd', 'e']);
    expect(f.blocks.map((b) => b.index)).toEqual([0, 1, 2, 3, 4]);
    expect(instrCount(f)).toBe(87); // counted with grep over the text above
    expect(def(f, '12')).toMatchObject({ op: 'xor' });
    expect(def(f, '64')).toMatchObject({ op: 'call' });
  });

  it('reads arithmetic flags', () => {
    expect(def(f, '0')).toMatchObject({ op: 'add', flags: ['nuw', 'nsw'] });
    expect(def(f, '3')).toMatchObject({ op: 'udiv', flags: ['exact'] });
    expect(def(f, '11')).toMatchObject({ op: 'or', flags: ['disjoint'], rhs: { value: 256n } });
    expect(def(f, '12')).toMatchObject({ rhs: { value: 0xffffffffn } });
    expect(def(f, '13')).toMatchObject({ op: 'fadd', flags: ['fast'] });
    expect(def(f, '15')).toMatchObject({ flags: ['reassoc', 'nsz', 'arcp', 'contract', 'afn'] });
    expect(def(f, '18')).toMatchObject({ op: 'fneg' });
    expect(def(f, '19')).toMatchObject({ op: 'trunc', flags: ['nuw'], type: m.types.i8 });
    expect(def(f, '20')).toMatchObject({ op: 'zext', flags: ['nneg'], type: m.types.i64 });
    expect(def(f, '31')).toMatchObject({ op: 'addrspacecast', type: m.types.pointer(1) });
    expect(def(f, '32')).toMatchObject({ op: 'icmp', pred: 'ult' });
    expect(def(f, '33')).toMatchObject({ op: 'fcmp', pred: 'olt', flags: ['nnan'] });
    expect(def(f, '34')).toMatchObject({ op: 'select', flags: ['nnan'] });
    expect(def(f, 'cmpv').result!.type).toBe(m.types.vector(m.types.i1, 4));
    expect(def(f, 'vec')).toMatchObject({ op: 'fadd', rhs: { kind: 'splat' } });
    expect(def(f, 'quoted name')).toMatchObject({ op: 'add' });
  });

  it('reads memory instructions', () => {
    expect(def(f, '37')).toMatchObject({ op: 'alloca', inalloca: true, align: 8, count: { value: 4n } });
    expect(def(f, '38')).toMatchObject({ op: 'alloca', align: 16, addrSpace: 5 });
    expect(def(f, '38').result!.type).toBe(m.types.pointer(5));
    expect(def(f, '39')).toMatchObject({ op: 'load', align: 4, md: ', !tbaa !10, !nonnull !{}' });
    expect(def(f, '40')).toMatchObject({ volatile: true });
    expect(def(f, '41')).toMatchObject({ ordering: 'acquire', syncscope: 'singlethread' });
    const stores = all(f).filter((i) => i.op === 'store');
    expect(stores).toHaveLength(3);
    expect(stores[1]).toMatchObject({ volatile: true, dbg: 7, md: undefined });
    expect(stores[2]).toMatchObject({ ordering: 'seq_cst' });
    const fences = all(f).filter((i) => i.op === 'fence');
    expect(fences).toMatchObject([{ ordering: 'acq_rel', syncscope: 'agent' }, { ordering: 'seq_cst' }]);
    expect(def(f, '42')).toMatchObject({
      op: 'cmpxchg',
      weak: true,
      volatile: true,
      successOrdering: 'acq_rel',
      failureOrdering: 'monotonic',
      syncscope: 'x',
    });
    expect(def(f, '42').result!.type).toBe(m.types.struct([m.types.i32, m.types.i1]));
    expect(def(f, '43')).toMatchObject({ op: 'extractvalue', indices: [1], type: m.types.i1 });
    expect(def(f, '44')).toMatchObject({
      op: 'atomicrmw',
      rmwOp: 'add',
      volatile: true,
      ordering: 'seq_cst',
    });
    expect(def(f, '46')).toMatchObject({ rmwOp: 'uinc_wrap', align: 4 });
    expect(def(f, '47')).toMatchObject({ op: 'getelementptr', flags: ['inbounds'] });
    expect(def(f, '48')).toMatchObject({ flags: ['inbounds', 'nuw'] });
    expect(def(f, '49').result!.type).toBe(m.types.vector(m.types.ptr, 2));
    expect(def(f, '50').result!.type).toBe(m.types.vector(m.types.ptr, 4));
  });

  it('reads vector and aggregate instructions', () => {
    expect(def(f, '51').result!.type).toBe(m.types.float('float'));
    expect(def(f, '53')).toMatchObject({ op: 'shufflevector', mask: [3, -1] });
    expect(def(f, '53').result!.type).toBe(m.types.vector(m.types.float('float'), 2));
    expect(def(f, '54')).toMatchObject({ mask: [0, 0, 0, 0] });
    expect(def(f, '56')).toMatchObject({ op: 'insertvalue', indices: [1] });
    expect(def(f, '57').result!.type).toBe(m.types.ptr);
  });

  it('reads calls', () => {
    expect(def(f, '58')).toMatchObject({
      op: 'call',
      tail: 'tail',
      explicitFuncType: true,
      callee: fn(m, 'printf'),
      fnAttrs: { groups: [1] },
    });
    expect(def(f, '59')).toMatchObject({ fastMath: ['fast'] });
    const calls = all(f).filter((i) => i.op === 'call');
    const dbgv = calls.find((c) => c.op === 'call' && c.args.length === 3)!;
    if (dbgv.op !== 'call') throw new Error();
    expect(dbgv.args.map((a) => a.value)).toMatchObject([
      { kind: 'metadata', text: 'i32 %a' },
      { kind: 'metadata', text: '!8' },
      { kind: 'metadata', text: '!DIExpression(DW_OP_plus_uconst, 4, DW_OP_stack_value)' },
    ]);
    expect(dbgv.dbg).toBe(7);
    const wrapped = dbgv.args[0].value;
    expect(wrapped.kind === 'metadata' && wrapped.value).toBe(f.params[0].local);
    const asm = calls.find((c) => c.op === 'call' && c.callee.kind === 'asm')!;
    expect(asm).toMatchObject({
      callee: {
        asm: 'nop',
        constraints: '~{dirflag},~{fpsr},~{flags}',
        flags: ['sideeffect', 'inteldialect'],
      },
      md: ', !srcloc !9',
    });
    expect(def(f, '60')).toMatchObject({ callee: { kind: 'asm', asm: 'mov $1, $0' } });
    const bundled = calls.find((c) => c.op === 'call' && c.bundles.length > 0)!;
    expect(bundled).toMatchObject({ tail: 'notail', bundles: [{ tag: 'deopt' }, { tag: 'funclet' }] });
    if (bundled.op !== 'call') throw new Error();
    expect(bundled.bundles[0].inputs).toHaveLength(2);
    expect(calls.some((c) => c.op === 'call' && c.tail === 'musttail')).toBe(true);
    expect(def(f, '61')).toMatchObject({ callingConv: 'fastcc', retAttrs: { attrs: [{ name: 'noalias' }] } });
    expect(def(f, '62')).toMatchObject({ op: 'va_arg', type: m.types.i32 });
    expect(def(f, '63')).toMatchObject({
      args: [{}, { attrs: { attrs: [{ name: 'range', value: '(i32 0, 5)' }] } }],
    });
    expect(def(f, '64')).toMatchObject({ callee: fn(m, 'fwd_fn'), addrSpace: 0 });
  });

  it('reads terminators, phis and forward references to locals', () => {
    const [entry, loop, exit, d, e] = f.blocks;
    expect(entry.instrs.at(-1)).toMatchObject({ op: 'br', ifTrue: loop, ifFalse: exit, md: ', !prof !11' });
    const phi = def(f, 'i');
    expect(phi).toMatchObject({ op: 'phi', incoming: [{ block: entry }, { block: loop }] });
    if (phi.op !== 'phi') throw new Error();
    expect(phi.incoming[1].value).toBe(def(f, 'inc').result);
    expect(def(f, 'fp')).toMatchObject({ flags: ['fast'] });
    const sw = exit.instrs[0];
    expect(sw).toMatchObject({ op: 'switch', defaultBlock: d });
    if (sw.op !== 'switch') throw new Error();
    expect(sw.cases.map((c) => [c.value.value, c.block])).toEqual([
      [0n, d],
      [1n, e],
      [0xfffffffbn, d],
    ]);
    expect(e.instrs).toMatchObject([{ op: 'unreachable' }]);
    const g = fn(m, 'fwd_fn');
    expect(g.blocks.map((b) => b.name)).toEqual([undefined, undefined, undefined]);
    const phi2 = g.blocks[1].instrs[0];
    if (phi2.op !== 'phi') throw new Error();
    expect(phi2.incoming[0].block).toBe(g.blocks[0]);
    expect(phi2.incoming[1].value).toBe(g.blocks[1].instrs[1].result);
    expect(g.locals.map((l) => l.id)).toEqual([0, 1, 2, 3, 4]);
  });

  it('reads indirectbr, invoke/landingpad, funclets and callbr', () => {
    const w = fn(m, 'withaddr');
    expect(w.blocks[0].instrs[1]).toMatchObject({ op: 'indirectbr', targets: [w.blocks[1], w.blocks[2]] });
    const eh = fn(m, 'eh');
    expect(eh.blocks[0].instrs[0]).toMatchObject({
      op: 'invoke',
      normal: eh.blocks[1],
      unwind: eh.blocks[3],
    });
    expect(def(eh, 'r')).toMatchObject({ op: 'invoke', callee: fn(m, 'fwd_fn') });
    expect(def(eh, 'lp')).toMatchObject({
      op: 'landingpad',
      cleanup: true,
      clauses: [
        { kind: 'catch', value: { kind: 'null' } },
        { kind: 'filter', value: { kind: 'array' } },
      ],
    });
    expect(eh.blocks[3].instrs[1]).toMatchObject({ op: 'resume' });
    const seh = fn(m, 'seh');
    expect(def(seh, 'sw')).toMatchObject({ op: 'catchswitch', parent: { kind: 'none' }, unwind: undefined });
    expect(def(seh, 'cp')).toMatchObject({ op: 'catchpad', parent: def(seh, 'sw').result });
    expect(seh.blocks[3].instrs[1]).toMatchObject({ op: 'catchret', target: seh.blocks[1] });
    expect(def(seh, 'cl')).toMatchObject({ op: 'cleanuppad', args: [] });
    expect(seh.blocks[5].instrs[1]).toMatchObject({ op: 'cleanupret', unwind: seh.blocks[6] });
    expect(def(seh, 'sw2')).toMatchObject({ unwind: seh.blocks[4] });
    const cbr = fn(m, 'cbr');
    expect(def(cbr, 'r')).toMatchObject({
      op: 'callbr',
      fallthrough: cbr.blocks[1],
      indirect: [cbr.blocks[2]],
    });
  });

  it('skips debug records and supports an unlabelled entry block', () => {
    const d = fn(m, 'dbgrec');
    expect(d.blocks[0].instrs).toMatchObject([{ op: 'ret', dbg: 7 }]);
    const n = fn(m, 'noentrylabel');
    expect(n.blocks).toHaveLength(2);
    expect(n.blocks[0].instrs[0].result!.name).toBeUndefined();
  });

  it('resolves debug locations through the scope chain', () => {
    expect(debugLocation(m, 7)).toEqual({ file: 'all.c', dir: '/tmp/snip', line: 4, col: 7 });
    expect(debugLocation(m, 5)).toMatchObject({ file: 'all.c', line: 3 });
    expect(debugLocation(m, 9)).toBeUndefined();
    expect(debugLocation(m, 999)).toBeUndefined();
  });
});

describe('float literals', () => {
  it('keeps NaN payloads and signalling bits when narrowing hex doubles', () => {
    const m = parseModule(
      [
        '@s = global float 0x7FF4000000000000',
        '@q = global float 0x7FF8000000000000',
        '@h = global half 0xH7E00',
        '@hd = global half 0x3FF0000000000000',
        '@b = global bfloat 0x4000000000000000',
        '@k = global x86_fp80 0x3FF0000000000000',
        '@l = global fp128 0x3FF0000000000000',
        '@f = global float 1.500000e+00',
        '@n = global double -0.000000e+00',
      ].join('\n'),
    );
    const bits = (n: string) => {
      const c = gv(m, n).init!;
      return c.kind === 'float' ? c.bits : undefined;
    };
    expect(bits('s')).toBe(0x7fa00000n);
    expect(bits('q')).toBe(0x7fc00000n);
    expect(bits('h')).toBe(0x7e00n);
    expect(bits('hd')).toBe(0x3c00n);
    expect(bits('b')).toBe(0x4000n);
    expect(bits('k')).toBe(0x3fff8000000000000000n);
    expect(bits('l')).toBe(0x3fff0000000000000000000000000000n);
    expect(bits('f')).toBe(0x3fc00000n);
    expect(bits('n')).toBe(0x8000000000000000n);
  });
});

describe('file-level odds and ends', () => {
  it('accepts a byte order mark, CRLF line ends and uselistorder directives', () => {
    const src =
      '\uFEFFdefine i32 @f(i32 %x) {\r\nentry:\r\n  %a = add i32 %x, 1\r\n  %b = add i32 %x, 2\r\n' +
      '  %c = add i32 %a, %b\r\n  ret i32 %c\r\n  uselistorder i32 %x, { 1, 0 }\r\n}\r\n' +
      'uselistorder_bb @f, %entry, { 0 }\r\n';
    const f = fn(parseModule(src), 'f');
    expect(instrCount(f)).toBe(4);
    expect(f.blocks[0].name).toBe('entry');
  });

  it('parses an empty module', () => {
    expect(parseModule('').globals).toEqual([]);
  });
});

describe('flags and syntax accepted beyond LLVM 19', () => {
  it('reads icmp samesign and trunc nsw', () => {
    const m = parseModule(
      'define i1 @f(i32 %a, i32 %b) {\n  %t = trunc nuw nsw i32 %a to i8\n  %c = icmp samesign ult i32 %a, %b\n  ret i1 %c\n}\n',
    );
    const f = fn(m, 'f');
    expect(f.blocks[0].instrs[0]).toMatchObject({ flags: ['nuw', 'nsw'] });
    expect(f.blocks[0].instrs[1]).toMatchObject({ op: 'icmp', flags: ['samesign'], pred: 'ult' });
  });
});

describe('errors', () => {
  it('refuses typed pointers with one clear message', () => {
    for (const src of [
      'declare i8* @malloc(i64)\n',
      '%struct.S = type { i32, %struct.S* }\n',
      'define void @f(i32 addrspace(1)* %p) {\n  ret void\n}\n',
      '@g = global i32* null\n',
    ]) {
      const e = userError(() => parseModule(src, 'old.ll'));
      expect(e.message).toMatch(
        /typed pointers \(LLVM <= 14 IR\) are not supported; regenerate the IR with clang >= 15/,
      );
      expect(e.pos).toMatchObject({ file: 'old.ll', line: expect.any(Number), col: expect.any(Number) });
    }
  });

  it('names undefined values, labels and globals with their position', () => {
    let e = userError(() =>
      parseModule('define i32 @f() {\n  %x = add i32 %y, 1\n  ret i32 %x\n}\n', 'u.ll'),
    );
    expect(e.format()).toBe("u.ll:2:16: use of undefined value '%y'");
    e = userError(() => parseModule('define void @f() {\n  br label %nowhere\n}\n', 'u.ll'));
    expect(e.format()).toBe("u.ll:2:12: use of undefined label '%nowhere'");
    e = userError(() => parseModule('@p = global ptr @missing\n', 'u.ll'));
    expect(e.format()).toBe("u.ll:1:17: use of undefined global '@missing'");
    e = userError(() => parseModule('@p = global %T zeroinitializer\n', 'u.ll'));
    expect(e.message).toBe("use of undefined type '%T'");
  });

  it('checks types between use and definition', () => {
    const e = userError(() =>
      parseModule('define i32 @f() {\n  %a = add i32 %b, 1\n  %b = add i64 0, 1\n  ret i32 %a\n}\n', 't.ll'),
    );
    expect(e.message).toMatch(/'%b' is defined with type i64 but was used as i32/);
    expect(e.pos?.line).toBe(3);
    const e2 = userError(() =>
      parseModule('define i32 @f(i32 %x) {\n  %a = add i64 %x, 1\n  ret i32 %a\n}\n'),
    );
    expect(e2.message).toMatch(/'%x' has type i32 but is used as i64/);
  });

  it('reports unknown instructions, redefinitions and missing terminators', () => {
    expect(userError(() => parseModule('define void @f() {\n  frobnicate i32 1\n}\n')).message).toMatch(
      /unknown instruction 'frobnicate'/,
    );
    expect(userError(() => parseModule('@a = global i32 0\n@a = global i32 1\n')).message).toMatch(
      /redefinition/,
    );
    expect(userError(() => parseModule('define void @f() {\n  %x = add i32 1, 2\n}\n')).message).toMatch(
      /terminator/,
    );
    expect(
      userError(() =>
        parseModule('define void @f() {\n  %x = add i32 1, 2\n  %x = add i32 1, 2\n  ret void\n}\n'),
      ).message,
    ).toMatch(/redefinition of '%x'/);
  });
});

/** Counts of defined functions, blocks and instructions from LLVM's own textual layout. */
function textCounts(ll: string): { funcs: number; blocks: number; instrs: number } {
  let funcs = 0;
  let blocks = 0;
  let instrs = 0;
  let inside = false;
  for (const line of ll.split('\n')) {
    if (line.startsWith('define ')) {
      inside = true;
      funcs++;
      blocks++; // the entry block, labelled or not
      continue;
    }
    if (!inside) continue;
    if (line === '}') inside = false;
    else if (/^[^ ;][^ ]*:/.test(line)) blocks++;
    else if (/^ {2}[^ #;\]]/.test(line)) instrs++;
  }
  // A labelled entry block was counted twice.
  return { funcs, blocks: blocks - countLabelledEntries(ll), instrs };
}
function countLabelledEntries(ll: string): number {
  return (ll.match(/^define [^\n]*\{\n[^ ;\n][^ \n]*:/gm) ?? []).length;
}
function modelCounts(m: Module): { funcs: number; blocks: number; instrs: number } {
  let funcs = 0;
  let blocks = 0;
  let instrs = 0;
  for (const g of m.globals) {
    if (g.kind !== 'function' || g.blocks.length === 0) continue;
    funcs++;
    blocks += g.blocks.length;
    instrs += instrCount(g);
  }
  return { funcs, blocks, instrs };
}

const C_SOURCE = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
struct S { int a; double b; char c[10]; struct S *next; };
static struct S g = {1, 2.5, "hi", 0};
const char *names[] = {"a", "bb", "ccc"};
long double ld = 1.5L;
__int128 big = ((__int128)1) << 100;
_Thread_local int tls;
int fact(int n) { return n <= 1 ? 1 : n * fact(n - 1); }
float ff(float x) { return x * 2.0f + 1e-3f; }
int sw(int x) { switch (x) { case 1: return 3; case 5: return 7; case 100: return 2; default: return 0; } }
void *lbl(int i) { static void *t[] = {&&a, &&b}; goto *t[i]; a: return 0; b: return (void*)1; }
typedef float v4 __attribute__((vector_size(16)));
v4 vadd(v4 a, v4 b) { return __builtin_shufflevector(a + b, a, 0, 5, 2, 7); }
int va(int n, ...) { __builtin_va_list ap; __builtin_va_start(ap, n); int r = __builtin_va_arg(ap, int); __builtin_va_end(ap); return r; }
int main(int argc, char **argv) {
  struct S *s = malloc(sizeof *s);
  memcpy(s, &g, sizeof g);
  for (int i = 0; i < argc; i++) printf("%s %d %Lf\n", argv[i], fact(i), ld);
  __atomic_fetch_add(&s->a, 1, __ATOMIC_SEQ_CST);
  int exp = 1; __atomic_compare_exchange_n(&s->a, &exp, 5, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
  double v[4] = {1,2,3,4}; double acc = 0; for (int i = 0; i < 4; i++) acc += v[i] * ff(i);
  lbl(argc & 1);
  free(s);
  return sw(argc) + (int)acc + (int)big + va(2, 3, 4);
}
`;
const CXX_SOURCE = String.raw`
#include <stdexcept>
#include <string>
#include <vector>
struct E { int x; ~E(); };
E::~E() {}
int thrower(int x) { if (x > 3) throw std::runtime_error("big"); return x; }
int catcher(int x) { try { E e{x}; return thrower(x); } catch (const std::exception &e) { return -1; } catch (...) { return -2; } }
std::string join(const std::vector<std::string> &v) { std::string r; for (auto &s : v) r += s; return r; }
`;

const RUST_SOURCE = String.raw`
use std::collections::HashMap;
pub struct Item { name: String, w: f64, tags: Vec<u32> }
pub fn score(items: &[Item]) -> HashMap<String, f64> {
    let mut m = HashMap::new();
    for it in items { *m.entry(it.name.clone()).or_insert(0.0) += it.w * it.tags.iter().sum::<u32>() as f64; }
    m
}
fn main() {
    let v = vec![Item { name: "a".into(), w: 1.5, tags: vec![1, 2] }];
    println!("{:?}", score(&v));
    std::panic::catch_unwind(|| panic!("boom")).ok();
}
`;
const hasRustc = spawnSync('rustc', ['--version']).status === 0;

describe.skipIf(!hasRustc)('real rustc output (when rustc is installed)', () => {
  it('counts match the text of rustc -O0 -g and -O2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ir-rust-'));
    try {
      writeFileSync(join(dir, 'r.rs'), RUST_SOURCE);
      for (const flags of [
        ['-g', '-C', 'opt-level=0'],
        ['-C', 'opt-level=2'],
      ]) {
        const out = join(dir, 'r.ll');
        execFileSync('rustc', [...flags, '--emit=llvm-ir', '-o', out, join(dir, 'r.rs')], { cwd: dir });
        const text = readFileSync(out, 'utf8');
        // rustc may use a newer LLVM than llvm-dis reads: its own text is the reference.
        const ref = textCounts(text);
        expect(ref.funcs).toBeGreaterThan(5);
        expect(modelCounts(parseModule(text, out))).toEqual(ref);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('real clang output', () => {
  const tc = findToolchain();
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ir-parser-'));
    writeFileSync(join(dir, 'a.c'), C_SOURCE);
    writeFileSync(join(dir, 'b.cpp'), CXX_SOURCE);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cases: [string, string, string[]][] = [
    [tc.clang, 'a.c', ['-O0']],
    [tc.clang, 'a.c', ['-O2']],
    [tc.clang, 'a.c', ['-O0', '-g']],
    [tc.clang, 'a.c', ['-O2', '-g']],
    [tc.clangxx, 'b.cpp', ['-O0']],
    [tc.clangxx, 'b.cpp', ['-O1', '-g']],
  ];
  for (const [cc, file, flags] of cases) {
    it(`${basename(cc)} ${flags.join(' ')} ${file}: counts match llvm-dis`, () => {
      const out = join(dir, `${file}${flags.join('')}.ll`);
      execFileSync(cc, [...flags, '-S', '-emit-llvm', '-w', join(dir, file), '-o', out]);
      const text = readFileSync(out, 'utf8');
      const m = parseModule(text, out);
      // Round trip through LLVM's own tools: their text is the reference count.
      const bc = `${out}.bc`;
      execFileSync(tc.llvmAs, [out, '-o', bc]);
      const dis = execFileSync(tc.llvmDis, [bc, '-o', '-'], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const ref = textCounts(dis);
      expect(ref.funcs).toBeGreaterThan(2);
      expect(modelCounts(m)).toEqual(ref);
      expect(modelCounts(parseModule(dis, 'dis.ll'))).toEqual(ref);
      // Every declared or defined function of LLVM's text is in the model.
      const names = [...dis.matchAll(/^(?:define|declare) [^@]*@([-\w.$]+)\(/gm)].map((x) => x[1]);
      for (const n of names) expect(m.symbols.get(n)?.kind).toBe('function');
      if (flags.includes('-g')) {
        // Every instruction carries a !dbg that resolves to the source file.
        const withDbg = m.globals
          .flatMap((g) => (g.kind === 'function' ? all(g) : []))
          .filter((i) => i.dbg >= 0);
        expect(withDbg.length).toBeGreaterThan(20);
        // clang writes the file relative to its compilation directory when it can (a clone under /tmp
        // compiling /tmp/x/a.c writes "x/a.c" in "/tmp"): resolve it against the DIFile's directory.
        const files = withDbg.map((i) => {
          const loc = debugLocation(m, i.dbg);
          return loc === undefined ? undefined : resolve(loc.dir ?? '', loc.file);
        });
        for (const f of files) expect(f).toMatch(/\S/);
        // Code inlined from C++ headers has locations there; the C file has no such code.
        if (file === 'a.c') expect(new Set(files)).toEqual(new Set([join(dir, file)]));
        else expect(files).toContain(join(dir, file));
      }
      if (file === 'a.c' && flags.includes('-g') && flags.includes('-O0')) {
        const fact = fn(m, 'fact');
        const lines = new Set(
          all(fact)
            .filter((i) => i.dbg >= 0)
            .map((i) => debugLocation(m, i.dbg)!.line),
        );
        const factLine = C_SOURCE.split('\n').findIndex((l) => l.startsWith('int fact')) + 1;
        expect([...lines]).toEqual([factLine]);
      }
      if (file === 'b.cpp') {
        const ops = new Set(m.globals.flatMap((g) => (g.kind === 'function' ? all(g).map((i) => i.op) : [])));
        expect(ops.has('invoke')).toBe(true);
        expect(ops.has('landingpad')).toBe(true);
      }
    });
  }
});
