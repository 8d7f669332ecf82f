/**
 * The IR printer: parse -> print -> llvm-as round trips (the toolchain's LLVM). A hand-written module covering every construct
 * the model holds, a small real-world subset (cjson at -O0 and -O2, zlib at -O3; the whole corpus is
 * bench/corpus-roundtrip.mjs), the fixed-point property print(parse(print(parse(x)))) === print(parse(x)),
 * and the printer's own encodings (floats, integers, names, numbering of unnamed values).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import {
  escapeString,
  floatBitsToDoubleBits,
  printFloatBits,
  printFunction,
  printInstr,
  printIntValue,
  printModule,
  printName,
  printType,
  printValue,
} from '../src/ir/printer.js';
import { TypeContext } from '../src/ir/types.js';
import { corpusIR, fetchCorpus } from '../src/toolchain/corpus.js';
// llvm-as/llvm-dis round trip and an independent line-based counter of functions, blocks and instructions
// over LLVM-printed text (so our parser never counts either side); the corpus bench uses them too.
import { compareCounts, countFunctions, firstDiff, llvmRoundTrip } from '../src/toolchain/roundtrip.js';

/** Every construct the model holds, in one module that llvm-as accepts and verifies. */
const ALL = `source_filename = "all constructs.c"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

module asm "  .globl asm_sym"
module asm "asm_sym: ret \\22quoted\\22"

%0 = type { i8 }
%struct.S = type { i32, double, [3 x i8], ptr }
%"struct.weird name" = type <{ i8, i32 }>
%struct.Opaque = type opaque
%struct.Empty = type {}
%struct.Rec = type { ptr, %struct.S, <4 x float>, { i16, i64 } }

$comdat.any = comdat any
$"comdat two" = comdat largest
$cf = comdat nodeduplicate

@0 = private unnamed_addr constant [4 x i8] c"a\\22\\\\\\00", align 1
@1 = internal global i32 7
@g.int = dso_local global i32 -1, align 4
@g.i1 = global i1 true
@g.i128 = global i128 -170141183460469231731687303715884105728
@g.float = global float 0x3FB99999A0000000
@g.fnan = global float 0x7FF4000000000000
@g.hnan = global half 0xH7D00
@g.double = global double -0.000000e+00
@g.fp80 = global x86_fp80 0xK3FFFC000000000000000, align 16
@g.fp128 = global fp128 0xL00000000000000003FFF000000000000
@g.ppc = global ppc_fp128 0xM3FF00000000000000000000000000000
@g.half = global half 0xH3C00
@g.bf = global bfloat 0xR3F80
@g.struct = internal constant %struct.S { i32 1, double 2.500000e+00, [3 x i8] c"ab\\00", ptr @g.int }, align 8
@g.packed = global %"struct.weird name" <{ i8 1, i32 2 }>, section "my section", comdat($comdat.any), align 1
@g.arr = global [3 x i32] [i32 1, i32 2, i32 3], partition "p1"
@g.vec = global <4 x i32> <i32 1, i32 2, i32 3, i32 4>
@g.splat = global <4 x i32> splat (i32 9)
@g.zero = global [100 x i64] zeroinitializer
@g.undef = global i32 undef
@g.poison = global i32 poison
@g.ptr = global ptr getelementptr inbounds (%struct.S, ptr @g.struct, i64 0, i32 1)
@g.gep2 = global ptr getelementptr inbounds nuw inrange(-8, 16) (i8, ptr @g.struct, i64 8)
@g.i2p = global i64 ptrtoint (ptr @g.int to i64)
@g.add = global i64 add nsw (i64 ptrtoint (ptr @g.int to i64), i64 16)
@g.tls = thread_local(initialexec) global i32 0
@g.tls2 = thread_local global i32 0
@g.ext = external global i32
@g.extw = extern_weak global i32
@g.hidden = hidden constant i32 3, comdat($"comdat two")
@g.prot = protected addrspace(1) global i32 3
@g.extinit = externally_initialized global i32 0
@g.ba = global ptr blockaddress(@uses_blockaddress, %target)
@g.ba2 = global ptr blockaddress(@uses_blockaddress, %0)
@g.cm = global i32 0, code_model "large"
@g.san = global i32 0, no_sanitize_address
@g.weak = weak_odr global i32 0, comdat($cf)
@g.common = common global i32 0, align 4
@g.linkonce = linkonce_odr unnamed_addr constant i32 1
@g.appending = appending global [1 x ptr] [ptr @main]
@"quoted \\01name" = global i32 0
@g.dllexp = dllexport global i32 0
@g.dsoeq = global ptr dso_local_equivalent @decl
@g.nocfi = global ptr no_cfi @decl
@g.md = global i32 0, !dbg !12
@g.ff = global ptr @"\\01weird"

@alias1 = alias i32, ptr @g.int
@alias2 = internal alias i32, getelementptr (i32, ptr @g.int, i64 1)
@ifunc1 = ifunc void (), ptr @resolver

define internal ptr @resolver() {
  ret ptr @decl
}

declare void @decl()
declare extern_weak i32 @weakdecl(ptr nocapture noundef readonly, i64 signext) #1
declare void @"\\01weird"()
declare i32 @printf(ptr noundef, ...)
declare void @llvm.dbg.value(metadata, metadata, metadata)
declare void @llvm.memcpy.p0.p0.i64(ptr noalias nocapture writeonly, ptr noalias nocapture readonly, i64, i1 immarg)
declare i32 @__gxx_personality_v0(...)
declare void @takes_byval(ptr byval(%struct.S) align 8, ptr sret(%struct.S), ptr dereferenceable(16), ptr align 4 dereferenceable_or_null(8))
declare !dbg !20 void @decl_md()
declare fastcc nonnull ptr @cc_decl(i32 zeroext range(i32 0, 10))
declare void @llvm.va_start.p0(ptr)
declare void @llvm.va_end.p0(ptr)

define dso_local i32 @main(i32 noundef %0, ptr noundef %1) #0 {
  %3 = alloca i32, align 4
  %x.addr = alloca [4 x i8], i32 %0, align 16
  %4 = alloca inalloca i32, align 4
  %5 = alloca i32, align 4, addrspace(5)
  store i32 0, ptr %3, align 4
  store volatile i32 %0, ptr %3, align 4
  store atomic i32 %0, ptr %3 release, align 4
  store atomic volatile i32 %0, ptr %3 syncscope("singlethread") seq_cst, align 4
  %6 = load i32, ptr %3, align 4, !tbaa !4
  %7 = load volatile i32, ptr %3, align 4
  %8 = load atomic i32, ptr %3 acquire, align 4
  %9 = load atomic volatile i32, ptr %3 syncscope("agent") monotonic, align 4
  %10 = add nuw nsw i32 %6, 1
  %11 = sub i32 %10, %7
  %12 = mul nsw i32 %11, -3
  %13 = udiv exact i32 %12, 2
  %14 = sdiv i32 %13, 3
  %15 = urem i32 %14, 5
  %16 = srem i32 %15, 7
  %17 = shl nuw i32 %16, 1
  %18 = lshr exact i32 %17, 1
  %19 = ashr i32 %18, 2
  %20 = and i32 %19, 255
  %21 = or disjoint i32 %20, 256
  %22 = xor i32 %21, -1
  %23 = sitofp i32 %22 to double
  %24 = fadd fast double %23, 1.000000e+00
  %25 = fsub nnan ninf double %24, 0x7FF0000000000000
  %26 = fmul reassoc nsz arcp contract afn double %25, 2.0
  %27 = fdiv double %26, 0xFFF8000000000000
  %28 = frem double %27, 3.0
  %29 = fneg nnan double %28
  %30 = fptrunc double %29 to float
  %31 = fpext float %30 to double
  %32 = fptoui double %31 to i32
  %33 = fptosi double %31 to i64
  %34 = uitofp nneg i32 %32 to float
  %35 = trunc nuw nsw i64 %33 to i16
  %36 = zext nneg i16 %35 to i32
  %37 = sext i16 %35 to i64
  %38 = ptrtoint ptr %3 to i64
  %39 = inttoptr i64 %38 to ptr
  %40 = bitcast <2 x i32> <i32 1, i32 2> to i64
  %41 = addrspacecast ptr %39 to ptr addrspace(1)
  %42 = icmp eq i32 %36, 0
  %43 = icmp sle i64 %37, 5
  %44 = fcmp fast olt double %31, 0.0
  %45 = fcmp uno double %31, %31
  %46 = select i1 %42, i32 %36, i32 0
  %47 = select nnan i1 %44, double %31, double 1.0
  %48 = freeze i32 %46
  %49 = getelementptr inbounds %struct.S, ptr %39, i64 1, i32 2, i64 0
  %50 = getelementptr i8, ptr %39, i64 %38
  %51 = getelementptr nusw nuw [4 x i8], ptr %x.addr, i64 0, i64 1
  %52 = getelementptr i32, <2 x ptr> zeroinitializer, <2 x i64> <i64 0, i64 1>
  %53 = insertelement <4 x i32> undef, i32 %48, i32 0
  %54 = extractelement <4 x i32> %53, i64 1
  %55 = shufflevector <4 x i32> %53, <4 x i32> poison, <4 x i32> <i32 0, i32 poison, i32 2, i32 0>
  %56 = shufflevector <4 x i32> %53, <4 x i32> %53, <2 x i32> zeroinitializer
  %57 = insertvalue { i32, { ptr, i8 } } undef, i32 %54, 0
  %58 = insertvalue { i32, { ptr, i8 } } %57, i8 7, 1, 1
  %59 = extractvalue { i32, { ptr, i8 } } %58, 1, 0
  %60 = cmpxchg ptr %3, i32 0, i32 1 seq_cst seq_cst, align 4
  %61 = cmpxchg weak volatile ptr %3, i32 0, i32 1 syncscope("singlethread") acq_rel monotonic, align 4
  %62 = extractvalue { i32, i1 } %61, 1
  %63 = atomicrmw add ptr %3, i32 1 seq_cst, align 4
  %64 = atomicrmw volatile xchg ptr %3, i32 1 syncscope("singlethread") monotonic, align 4
  %65 = atomicrmw fadd ptr %3, float 1.0 acq_rel, align 4
  %66 = atomicrmw umax ptr %3, i32 %63 release, align 4
  fence acquire
  fence syncscope("singlethread") seq_cst
  %67 = call i32 (ptr, ...) @printf(ptr noundef @0, i32 %66), !annotation !9
  %68 = tail call fastcc nonnull ptr @cc_decl(i32 zeroext 3) #2
  call void @llvm.memcpy.p0.p0.i64(ptr align 8 %39, ptr align 8 @g.struct, i64 24, i1 false)
  call void @takes_byval(ptr byval(%struct.S) align 8 %39, ptr sret(%struct.S) %39, ptr %39, ptr null)
  call void asm sideeffect "nop # $0", "r,~{dirflag},~{fpsr},~{flags}"(i32 %66) #3, !srcloc !10
  %69 = call i32 asm "mov $1, $0", "=r,r"(i32 1)
  call void @decl() [ "deopt"(i32 1, ptr null), "cold"() ]
  %70 = notail call float @llvm.fabs.f32(float %34)
  %71 = tail call i32 @tail_target(i32 %0)
  ret i32 %71
}

define i32 @mt(i32 %a) {
  %r = musttail call i32 @tail_target(i32 %a)
  ret i32 %r
}

declare float @llvm.fabs.f32(float)

define i32 @tail_target(i32 %a) {
  ret i32 %a
}

define void @uses_blockaddress(i1 %c, ptr %p) {
entry:
  br i1 %c, label %target, label %0

0:
  indirectbr ptr %p, [label %target, label %0]

target:
  %"quoted name" = phi i32 [ 0, %entry ], [ 1, %0 ]
  %phi.f = phi fast float [ 0.0, %entry ], [ 1.0, %0 ]
  ret void
}

define i32 @control(i32 %n, ...) personality ptr @__gxx_personality_v0 {
  %ap = alloca ptr, align 8
  call void @llvm.va_start.p0(ptr %ap)
  %v = va_arg ptr %ap, i32
  call void @llvm.va_end.p0(ptr %ap)
  switch i32 %n, label %def [
    i32 0, label %a
    i32 -5, label %b
  ]

a:
  %r = invoke i32 @tail_target(i32 1)
          to label %b unwind label %lp

b:
  %p = phi i32 [ 0, %0 ], [ %r, %a ]
  unreachable

lp:
  %l = landingpad { ptr, i32 }
          cleanup
          catch ptr @g.int
          filter [1 x ptr] [ptr @g.int]
  resume { ptr, i32 } %l

def:
  %1 = call i32 @tail_target(i32 %v)
  br label %3

3:
  ret i32 %1
}

define void @funclets() personality ptr @__gxx_personality_v0 {
entry:
  invoke void @decl()
          to label %exit unwind label %dispatch

dispatch:
  %cs = catchswitch within none [label %handler] unwind label %cleanup

handler:
  %cp = catchpad within %cs [ptr null, i32 64, ptr null]
  catchret from %cp to label %exit

cleanup:
  %cl = cleanuppad within none []
  cleanupret from %cl unwind to caller

exit:
  ret void
}

define void @callbr_fn(i32 %x) {
entry:
  callbr void asm "", "r,!i"(i32 %x)
          to label %normal [label %other]

normal:
  ret void

other:
  ret void
}

define internal fastcc void @attrs(ptr noalias nocapture %p, i32 signext %x) unnamed_addr #0 section ".text.hot" comdat($comdat.any) align 16 gc "statepoint-example" prefix i32 123 prologue i8 7 !dbg !15 {
  call void @llvm.dbg.value(metadata ptr %p, metadata !18, metadata !DIExpression()), !dbg !19
  ret void, !dbg !19
}

define void @dummy() {
  ret void
}

define linkonce_odr hidden void @cf() comdat {
  ret void
}

define void @vecs(<4 x float> %v, <vscale x 2 x i64> %s) {
  %1 = fadd <4 x float> %v, splat (float 1.0)
  %2 = fcmp oeq <4 x float> %1, zeroinitializer
  %3 = add <vscale x 2 x i64> %s, splat (i64 1)
  %4 = select <4 x i1> %2, <4 x float> %1, <4 x float> %v
  ret void
}

define void @tokens() convergent {
  %t = call token @llvm.experimental.convergence.entry()
  ret void
}
declare token @llvm.experimental.convergence.entry()

attributes #0 = { noinline nounwind optnone uwtable "frame-pointer"="all" "no-trapping-math"="true" "target-cpu"="x86-64" "quote\\22d"="a\\5Cb" alignstack=16 memory(argmem: readwrite) }
attributes #1 = { nounwind willreturn memory(none) allocsize(1) }
attributes #2 = { nounwind }
attributes #3 = { nounwind "x" }

!llvm.module.flags = !{!0, !1}
!llvm.ident = !{!2}
!llvm.dbg.cu = !{!13}

!0 = !{i32 7, !"Dwarf Version", i32 5}
!1 = !{i32 2, !"Debug Info Version", i32 3}
!2 = !{!"clang"}
!3 = !{i32 1}
!4 = !{!5, !5, i64 0}
!5 = !{!"int", !6, i64 0}
!6 = !{!"omnipotent char", !7, i64 0}
!7 = !{!"Simple C/C++ TBAA"}
!8 = !{}
!9 = !{!8}
!10 = !{i64 12345}
!11 = !{!"var"}
!12 = !DIGlobalVariableExpression(var: !16, expr: !DIExpression())
!13 = distinct !DICompileUnit(language: DW_LANG_C11, file: !14, producer: "clang", isOptimized: false, runtimeVersion: 0, emissionKind: FullDebug, globals: !21, splitDebugInlining: false, nameTableKind: None)
!14 = !DIFile(filename: "all constructs.c", directory: "/tmp")
!15 = distinct !DISubprogram(name: "attrs", scope: !14, file: !14, line: 3, type: !17, scopeLine: 3, spFlags: DISPFlagDefinition, unit: !13)
!16 = distinct !DIGlobalVariable(name: "g.md", scope: !13, file: !14, line: 1, type: !22, isLocal: false, isDefinition: true)
!17 = !DISubroutineType(types: !8)
!18 = !DILocalVariable(name: "p", arg: 1, scope: !15, file: !14, line: 3, type: !22)
!19 = !DILocation(line: 3, column: 7, scope: !15)
!20 = !DISubprogram(name: "decl_md", scope: !14, file: !14, line: 9, type: !17, spFlags: 0)
!21 = !{!12}
!22 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
`;

interface Check {
  printed: string;
  diffs: string[];
  identical: boolean;
  diff: string | undefined;
  fixpoint: boolean;
}

/** parse -> print -> llvm-as -> llvm-dis, compared with llvm-as -> llvm-dis of the original text. */
function roundTrip(text: string, file: string): Check {
  const base = llvmRoundTrip(text);
  if (base.error !== undefined) throw new Error(`${file}: the original does not assemble: ${base.error}`);
  const printed = printModule(parseModule(text, file));
  const ours = llvmRoundTrip(printed);
  if (ours.error !== undefined) throw new Error(`${file}: printed IR does not assemble: ${ours.error}`);
  const diffs = compareCounts(countFunctions(base.dis), countFunctions(ours.dis));
  const again = printModule(parseModule(printed, `${file} (printed)`));
  return {
    printed,
    diffs,
    identical: base.dis === ours.dis,
    diff: firstDiff(base.dis, ours.dis),
    fixpoint: again === printed,
  };
}

describe('printer encodings', () => {
  it('prints floats as exact hex bit patterns', () => {
    expect(printFloatBits('double', 0x3ff0000000000000n)).toBe('0x3FF0000000000000');
    expect(printFloatBits('double', 0x8000000000000000n)).toBe('0x8000000000000000');
    // float: the double with the same value; 0.1f, a signalling NaN (kept signalling), a denormal
    expect(printFloatBits('float', 0x3dcccccdn)).toBe('0x3FB99999A0000000');
    expect(printFloatBits('float', 0x7fa00000n)).toBe('0x7FF4000000000000');
    expect(floatBitsToDoubleBits(0x00000001)).toBe(0x36a0000000000000n);
    expect(floatBitsToDoubleBits(0x80000000)).toBe(0x8000000000000000n);
    expect(printFloatBits('half', 0x3c00n)).toBe('0xH3C00');
    expect(printFloatBits('bfloat', 0x3f80n)).toBe('0xR3F80');
    expect(printFloatBits('x86_fp80', 0x3fffc000000000000000n)).toBe('0xK3FFFC000000000000000');
    // fp128 and ppc_fp128: the low 64 bits first, as LLVM's lexer reads them
    expect(printFloatBits('fp128', 0x3fff0000000000000000000000000001n)).toBe(
      '0xL00000000000000013FFF000000000000',
    );
    expect(printFloatBits('ppc_fp128', 0x3ff0000000000000n)).toBe('0xM3FF00000000000000000000000000000');
  });

  it('prints integers signed, i1 as true/false', () => {
    expect(printIntValue(32, 0xffffffffn)).toBe('-1');
    expect(printIntValue(8, 127n)).toBe('127');
    expect(printIntValue(8, 128n)).toBe('-128');
    expect(printIntValue(1, 1n)).toBe('true');
    expect(printIntValue(1, 0n)).toBe('false');
    expect(printIntValue(128, 1n << 127n)).toBe('-170141183460469231731687303715884105728');
  });

  it('quotes and escapes names only when needed', () => {
    expect(printName('x.addr')).toBe('x.addr');
    expect(printName('$-._9')).toBe('$-._9');
    expect(printName('9lives')).toBe('"9lives"');
    expect(printName('a b')).toBe('"a b"');
    expect(printName('\x01weird')).toBe('"\\01weird"');
    expect(printName('')).toBe('""');
    expect(escapeString('q"\\\n')).toBe('q\\22\\5C\\0A');
    expect(escapeString('\u00e9')).toBe('\\C3\\A9');
  });

  it('prints types', () => {
    const c = new TypeContext();
    const s = c.namedStruct('struct.S');
    expect(printType(c.func(c.i32, [c.ptr], true))).toBe('i32 (ptr, ...)');
    expect(printType(c.func(c.void, [], true))).toBe('void (...)');
    expect(printType(c.struct([c.i8, c.array(s, 2)], true))).toBe('<{ i8, [2 x %struct.S] }>');
    expect(printType(c.struct([]))).toBe('{}');
    expect(printType(c.vector(c.float('half'), 4, true))).toBe('<vscale x 4 x half>');
    expect(printType(c.pointer(3))).toBe('ptr addrspace(3)');
    expect(printType(c.namedStruct('a b'))).toBe('%"a b"');
    expect(printType(c.target('spirv.Image', [c.void], [1, 0]))).toBe('target("spirv.Image", void, 1, 0)');
  });
});

describe('hand-written module covering every construct', () => {
  it('round-trips through llvm-as with the same functions, blocks, instructions and disassembly', () => {
    const r = roundTrip(ALL, 'all.ll');
    expect(r.diffs).toEqual([]);
    expect(r.diff).toBeUndefined();
    expect(r.identical).toBe(true);
    expect(r.fixpoint).toBe(true);
  });

  it('numbers unnamed values, blocks and globals sequentially when the model has no names', () => {
    const m = parseModule(ALL, 'all.ll');
    for (const g of m.globals) {
      // @attrs passes `metadata ptr %p` to llvm.dbg.value: printed from the value, so renumbered too.
      if (g.kind !== 'function') continue;
      for (const l of g.locals) l.name = undefined;
      for (const b of g.blocks) b.name = undefined;
    }
    const printed = printModule(m);
    const r = llvmRoundTrip(printed);
    expect(r.error).toBeUndefined();
    // Same shape as the original, just numbered.
    expect(
      compareCounts(countFunctions(llvmRoundTrip(ALL).dis as string), countFunctions(r.dis as string)),
    ).toEqual([]);
    // The entry block has no label; the first parameter is %0.
    expect(printed).toContain('define i32 @tail_target(i32 %0) {\n  ret i32 %0\n}');
    expect(printed).toMatch(
      /define void @uses_blockaddress\(i1 %0, ptr %1\) \{\n {2}br i1 %0, label %4, label %3\n\n3:/,
    );
    expect(printed).toContain('@g.ba = global ptr blockaddress(@uses_blockaddress, %4)');
  });

  it('prints debug records kept before an instruction, numbering the values they name', () => {
    // Records and llvm.dbg.value calls may not be mixed in one module: replace the call by records.
    const text = ALL.replace(
      'call void @llvm.dbg.value(metadata ptr %p, metadata !18, metadata !DIExpression()), !dbg !19',
      '#dbg_value(ptr %p, !18, !DIExpression(), !19)\n    #dbg_value(!DIArgList(ptr %p, i32 %x), !18, ' +
        '!DIExpression(DW_OP_LLVM_arg, 0), !19)\n    #dbg_declare(ptr %p, !18, !DIExpression(), !19)',
    );
    const m = parseModule(text, 'all.ll');
    const f = m.symbols.get('attrs');
    if (f === undefined || f.kind !== 'function') throw new Error('no @attrs');
    const ret = f.blocks[0].instrs[0];
    expect(ret.op).toBe('ret');
    expect(ret.dbgRecords?.map((r) => r.kind)).toEqual(['value', 'value', 'declare']);
    for (const l of f.locals) l.name = undefined;
    const printed = printModule(m);
    expect(printed).toContain(
      '{\n    #dbg_value(ptr %0, !18, !DIExpression(), !19)\n' +
        '    #dbg_value(!DIArgList(ptr %0, i32 %1), !18, !DIExpression(DW_OP_LLVM_arg, 0), !19)\n' +
        '    #dbg_declare(ptr %0, !18, !DIExpression(), !19)\n  ret void, !dbg !19\n}',
    );
    const r = llvmRoundTrip(printed);
    expect(r.error).toBeUndefined();
    expect(r.dis).toMatch(/\n {4}#dbg_value\(ptr %0, !\d+, !DIExpression\(\), !\d+\)\n/);
  });

  it('offers helpers for messages', () => {
    const m = parseModule(ALL, 'all.ll');
    const f = m.symbols.get('control');
    if (f === undefined || f.kind !== 'function') throw new Error('no @control');
    const text = printFunction(m, f);
    expect(text.startsWith('define i32 @control(i32 %n, ...) personality ptr @__gxx_personality_v0 {')).toBe(
      true,
    );
    const add = f.blocks.flatMap((b) => b.instrs).find((i) => i.op === 'va_arg');
    if (add === undefined) throw new Error('no va_arg');
    expect(printInstr(add, f)).toBe('%v = va_arg ptr %ap, i32');
    expect(printValue(f.params[0].local, f)).toBe('i32 %n');
  });
});

/**
 * Parser issues found by the round trip (docs/printer.md, "Known parser issues"). Each case is the minimal
 * IR; `it.fails` passes while the issue exists and fails once the parser is fixed: then move the case into
 * ALL above.
 */
describe('known parser issues', () => {
  const cases: [string, string][] = [
    // Quoted names are decoded as UTF-8, so bytes that are not valid UTF-8 are lost.
    ['name with a non-UTF-8 byte', '@"\\FFname" = global i32 0\n'],
  ];
  for (const [what, ir] of cases) {
    it.fails(what, () => {
      const r = roundTrip(ir, `${what}.ll`);
      expect(r.diff).toBeUndefined();
      expect(r.fixpoint).toBe(true);
    });
  }
});

describe('real-world subset (the whole corpus: bench/corpus-roundtrip.mjs)', () => {
  const subset: [string, 'O0' | 'O1' | 'O2' | 'O3'][] = [
    ['cjson', 'O0'],
    ['cjson', 'O2'],
    ['zlib', 'O3'],
  ];
  for (const [name, opt] of subset) {
    it(`${name} -O${opt.slice(1)}: every file round-trips with the same counts and is a fixed point`, async () => {
      const lib = await fetchCorpus(name);
      const files = await corpusIR(lib, opt);
      expect(files.length).toBeGreaterThan(0);
      let functions = 0;
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        const r = roundTrip(text, file);
        functions += countFunctions(text).size;
        expect(r.diffs, file).toEqual([]);
        expect(r.fixpoint, file).toBe(true);
        expect(r.diff, file).toBeUndefined();
      }
      expect(functions).toBeGreaterThan(10);
    });
  }
});
