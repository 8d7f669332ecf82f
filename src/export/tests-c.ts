/**
 * @fileoverview Stage: export. One cmocka test in C from one kept input (`export tests`): the input
 * constructed without absolute addresses, the call, and the checks of what the engine recorded.
 *
 * Consumes: an input record (docs/input-format.md), its function in the module, the module's data layout
 * and, when the module has debug information, the function's C parameter and return types (src/ir/debuginfo.ts).
 * Produces: the test function's C text, or a `LeaveOut` error saying why the input cannot be a test.
 *
 * Construction: every object that native replay would map at an address lives in one static, page-aligned
 * block of the test, in id order, its base at the recorded residue mod 4096 (`baseMod`), so comparisons of
 * pointers to different objects come out as in the engine; `heap` objects (the function may free or
 * realloc them) too: the support's `free` and `realloc` know them (`isx_heap_object`). Pointer slots are written as `object + offset` (`isx_put_ptr`), never as
 * addresses. Globals are saved (restored by the teardown) and set to their recorded bytes, stdin comes
 * from a temporary file, recorded results of stubbed functions are the script the stubs answer from.
 * Checks: the return value (integers as numbers, floats by bit pattern with the hex literal and decimal
 * shown, pointers as `object + offset`), every byte of the recorded after-state of input objects and
 * globals (pointer slots compared as `object + offset`; a word that held no input pointer and looks like an
 * address outside its object's recorded bytes is not checked), stdout and stderr. Outcomes other than a return
 * run the call in a forked child and assert its end: the exit code, the noreturn call, the signals of the
 * outcome table (src/engine/outcome.ts), or, for undefined behaviour, only that it ends.
 */
import {
  BIG_SLOT,
  INPUT_SLOT,
  SMALL_SLOTS,
  type GlobalRec,
  type InputRecord,
  type PtrTarget,
  type Reloc,
  type ValueRec,
} from '../gen/record.js';
import { isOutcomeKind, outcomeClass, outcomeSignals, type OutcomeKind } from '../engine/outcome.js';
import type { DataLayout } from '../ir/datalayout.js';
import type { DebugInfo, FunctionDebugInfo } from '../ir/debuginfo.js';
import { cDeclaration, cTypeName, enumSigned, underlyingType } from '../ir/debuginfo-c.js';
import type { Func, Module } from '../ir/model.js';
import type { Type } from '../ir/types.js';
import { isGuardVariable } from '../gen/faults.js';
import { irPointerType } from './tests-stubs.js';
import {
  CMOCKA_ASSERTIONS,
  cxxCall,
  cxxCallee,
  cxxClean,
  cxxErrorTest,
  emptyClassArg,
  GTEST_ASSERTIONS,
  referenceArg,
  referenceOf,
  type Assertions,
} from './tests-cxx.js';
import {
  cxxFieldAssignments,
  initializer,
  invalidBoolNotes,
  isAggregateType,
  isPointerType,
  isCharType,
  leaves,
  leafValue,
  looksLikeText,
  objectTypes,
  pointerTo,
  removedParam,
  type Leaf,
  type ObjectType,
} from './tests-c-typed.js';
import {
  byteArray,
  encodeValue,
  floatDecimal,
  floatExpr,
  intLiteral,
  LeaveOut,
  stringLiteral,
  unb64,
} from './tests-c-literal.js';

/** What a test of a module needs to know besides its record. */
export interface TestContext {
  readonly m: Module;
  readonly dl: DataLayout;
  readonly di: DebugInfo | undefined;
  /** Global names the test may write (defined in the module or stubbed), IR name -> C expression. */
  /**
   * A global the test may write (not a constant): its address as an `unsigned char *` expression and a
   * C identifier for the test's arrays, or undefined when the test cannot reach it.
   */
  readonly globalName: (name: string) => { addr: string; label: string; constant?: boolean } | undefined;
  /**
   * A global as a pointer target: its C name (constants too), or, for an unnamed string constant
   * (`@.str.3`), its bytes: the test points at a string literal with the same bytes and checks pointers
   * to it by content.
   */
  readonly globalTarget: (name: string) => { addr: string } | { bytes: Uint8Array } | undefined;
  /** Declared size of a global. */
  readonly globalSize: (name: string) => number;
  /** C name of a function (IR name), or of a generated stub; undefined when it has none. */
  readonly funcName: (name: string) => string | undefined;
  /** The IR type a stubbed function returns. */
  readonly stubReturn: (name: string) => Type | undefined;
  /** Whether the module has stubs (then every test sets the script of recorded calls). */
  readonly hasStubs: boolean;
  /** C++ source: a GoogleTest test (`TEST(regression, name)`), C++ names and types (tests-cxx.ts). */
  readonly cxx?: boolean;
  /** Objects as bytes, without C types (a C++ test whose typed form does not compile). */
  readonly untyped?: boolean;
}

const PAGE = 4096;
const mod = (a: number, n: number): number => ((a % n) + n) % n;
const plus = (base: string, off: number): string =>
  off === 0 ? base : off > 0 ? `${base} + ${off}` : `${base} - ${-off}`;

const SIGNAL_NUMBERS: Record<string, string> = {
  SIGABRT: 'SIGABRT',
  SIGBUS: 'SIGBUS',
  SIGFPE: 'SIGFPE',
  SIGILL: 'SIGILL',
  SIGKILL: 'SIGKILL',
  SIGSEGV: 'SIGSEGV',
  SIGTRAP: 'SIGTRAP',
};

/** The C text of test `name` for record `r` of function `f`; throws `LeaveOut`. */
export function emitTest(ctx: TestContext, f: Func, r: InputRecord, name: string, note: string): string {
  const k = r.outcome.kind;
  if (!isOutcomeKind(k)) throw new LeaveOut(`unknown outcome ${k}`);
  const cls = outcomeClass(k);
  if (cls !== 'normal' && cls !== 'panic' && cls !== 'crash' && cls !== 'undefined')
    throw new LeaveOut(`outcome ${k} does not replay natively`);
  const name0 = ctx.cxx === true ? f.name : ctx.funcName(f.name);
  if (name0 === undefined) throw new LeaveOut(`@${f.name} has no C name`);
  const fi = ctx.di?.function(f);
  if (ctx.cxx === true && (fi === undefined || ctx.di === undefined))
    throw new LeaveOut('C++ without debug information: the test cannot name the function');
  const cx = ctx.cxx === true ? cxxCallee(ctx.di!, fi!) : undefined;
  // Without debug information the source's prototype may differ from the IR's (a struct passed by value
  // is scalars in the IR): call through a pointer of the IR's ABI-level type, which is the same call.
  let callee = name0;
  if (fi === undefined) {
    const t = irPointerType(f);
    if (typeof t !== 'string')
      throw new LeaveOut(`no debug information, and its IR signature has no C spelling (${t.reason})`);
    callee = `((${t})isx_launder((void *)&${name0}))`;
  }
  const w = new TestWriter(ctx, r, f, fi);
  const body: string[] = [];
  body.push('  /* construct input */');
  body.push(...w.objects());
  body.push(...w.globals());
  body.push(...w.streams());
  body.push(...w.calls());
  // A C++ function returning a class in memory (`sret`): the call constructs its result in the record's
  // object for it (C++17 elides the copy in `new (p) T(f())`), whose after-state the checks compare.
  const sret = ctx.cxx === true && f.params[0]?.attrs.attrs.some((a) => a.name === 'sret') === true;
  const args = w.args(f, fi, sret ? 1 : 0);
  body.push(...w.pre);
  if (cx?.special === 'deleting') {
    const t = irPointerType(f);
    const sym = ctx.funcName(f.name);
    if (typeof t !== 'string' || sym === undefined)
      throw new LeaveOut('a deleting destructor whose symbol the test cannot reach');
    callee = `((${t})${sym})`;
  }
  const into = sret ? w.sretPlace(fi) : undefined;
  const place = (c: string): string =>
    into === undefined ? c : `new ((void *)(${into.at})) ${into.type}(${c})`;
  const call = place(
    cx !== undefined && cx.special !== 'deleting' ? cxxCall(cx, args) : `${callee}(${args.join(', ')})`,
  );
  body.push('', '  /* call */');
  const hasRet =
    f.funcType.ret.kind !== 'void' && (r.outcome.ret === undefined || r.outcome.ret.t !== 'void');
  if (k === 'returned') {
    if (ctx.hasStubs) body.push(`  isx_script(${w.script()});`);
    body.push('  isx_capture_begin();');
    body.push('  isx_clear_stack();');
    if (hasRet) {
      const d = w.retDecl(fi, call);
      body.push(d === 'auto *ret' ? `  auto *ret = &${call};` : `  ${d} = ${call};`);
    } else body.push(`  ${call};`);
    body.push(`  isx_capture_end(${w.stream(r.outcome.stdout)}, ${w.stream(r.outcome.stderr)});`);
    if (ctx.hasStubs) body.push('  isx_script_end();');
    body.push('', '  /* check */');
    if (hasRet && r.outcome.ret !== undefined) body.push(...w.checkRet(f.funcType.ret, r.outcome.ret, fi));
    // After a destructor the object's lifetime has ended: its bytes are no result (compilers differ in
    // the vtable pointer they leave there).
    const self = cx?.special === 'destructor' || cx?.special === 'deleting' ? r.args[0] : undefined;
    body.push(...w.checkMemory(self?.t === 'ptr' && 'obj' in self ? self.obj : undefined));
  } else if (cx !== undefined) {
    const oargs = args.map((a) => `isx_opaque(${a})`);
    const opaque = place(cx.special === 'deleting' ? `${callee}(${oargs.join(', ')})` : cxxCall(cx, oargs));
    body.push(...w.forkedCxx(k, opaque, r, note, hasRet));
  } else {
    body.push(...w.forked(k, { callee, args }, r, note, hasRet));
  }
  const head = `/* ${note} */`;
  if (ctx.cxx === true) return `${head}\nTEST(regression, ${name}) {\n${body.join('\n')}\n}\n`;
  return `${head}\nstatic void ${testFunc(name)}(void **state) {\n  (void)state;\n${body.join('\n')}\n}\n`;
}

/** A C string literal of a string constant's bytes (its final NUL is the literal's own). */
function literalOf(bytes: Uint8Array): string {
  const n = bytes.length > 0 && bytes[bytes.length - 1] === 0 ? bytes.length - 1 : bytes.length;
  return stringLiteral(bytes.subarray(0, n));
}

export const testFunc = (name: string): string => `isx_test_${name}`;

/** The bytes of an object of `n` bytes that none of its scalars covers (padding), as [offset, length]. */
function padding(ls: readonly Leaf[], n: number): [number, number][] {
  const covered = new Uint8Array(n);
  for (const l of ls) covered.fill(1, l.off, l.off + l.size);
  const out: [number, number][] = [];
  for (let i = 0; i < n;) {
    if (covered[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && covered[j] === 0) j++;
    out.push([i, j - i]);
    i = j;
  }
  return out;
}

class TestWriter {
  /** C expression of each object's base (offset 0), by id. */
  private readonly base = new Map<number, string>();
  private readonly los = new Map<number, { lo: number; size: number; data: Uint8Array }>();
  /** C types of the objects (debug information), by id. */
  private readonly types: Map<number, ObjectType>;
  /** Scalars of each typed object whose type allows typed initializers and checks. */
  private readonly leaves = new Map<number, Leaf[]>();
  /** The framework's assertions (cmocka for C, GoogleTest for C++). */
  private readonly a: Assertions;

  constructor(
    private readonly ctx: TestContext,
    private readonly r: InputRecord,
    f: Func,
    fi: FunctionDebugInfo | undefined,
  ) {
    const nodes = ctx.di?.lookup;
    this.types =
      nodes !== undefined && ctx.untyped !== true
        ? objectTypes(nodes, f, fi, r, { cxx: ctx.cxx })
        : new Map();
    this.a = ctx.cxx === true ? GTEST_ASSERTIONS : CMOCKA_ASSERTIONS;
    for (const o of r.objects) {
      this.base.set(o.id, `o${o.id}`);
      this.los.set(o.id, { lo: o.lo, size: o.size, data: unb64(o.data) });
      const ot = this.types.get(o.id);
      const ls = ot !== undefined && nodes !== undefined ? leaves(nodes, ot) : undefined;
      if (ls !== undefined) this.leaves.set(o.id, ls);
    }
  }

  /** An object's base as an `unsigned char *` expression. */
  private bytes(id: number): string {
    return this.types.has(id) ? `((unsigned char *)o${id})` : `o${id}`;
  }

  /**
   * The objects: one page-aligned block holding each object in its small slot as the engine lays them
   * out (object id in slot id, base in the slot's middle plus `baseMod`), so distances between objects,
   * and comparisons and differences of pointers to different objects, are the engine's (the block is at
   * the engine's address when free: `isx_input_block`); objects of a big
   * slot get a page-aligned array of their own. Heap objects are placed the same way and registered with
   * the support's `free`/`realloc` (`isx_heap_object`), which know them, as native replay's do.
   */
  objects(): string[] {
    const out: string[] = [];
    const decl: string[] = [];
    let end = 0;
    for (const o of this.r.objects) {
      const data = this.los.get(o.id)!.data;
      if (data.length !== o.size) throw new LeaveOut(`object ${o.id}: ${data.length} bytes, size ${o.size}`);
      if (o.heap === true && o.lo !== 0) throw new LeaveOut(`heap object ${o.id} with lo ${o.lo}`);
      const half = (o.big !== undefined ? BIG_SLOT : INPUT_SLOT) / 2;
      if (o.lo < -half || o.baseMod + o.lo + o.size > half || (o.big === undefined && o.id >= SMALL_SLOTS))
        throw new LeaveOut(`object ${o.id} does not fit its slot`);
      let at: string;
      if (o.big !== undefined) {
        const pad = mod(o.baseMod + o.lo, PAGE);
        out.push(`  static unsigned char o${o.id}_mem[${pad + o.size}] ISX_PAGE_ALIGNED;`);
        at = `o${o.id}_mem + ${pad - o.lo}`;
      } else {
        const base = o.id * INPUT_SLOT + half + o.baseMod;
        const ot = this.types.get(o.id);
        const span = ot !== undefined ? Math.max(o.lo + o.size, ot.size * ot.count) : o.lo + o.size;
        if (o.baseMod + span > half) this.types.delete(o.id);
        end = Math.max(end, base + (this.types.has(o.id) ? span : o.lo + o.size));
        at = `isx_mem + ${base}`;
      }
      const range = o.lo === 0 ? `${o.size} bytes` : `bytes [${o.lo}, ${o.lo + o.size}) around its base`;
      const { init, stmts } = this.objectInit(o.id, data, o.relocs, at, range);
      out.push(...init);
      decl.push(...stmts);
      if (o.heap === true)
        decl.push(`  isx_heap_object(o${o.id}, ${o.size}); /* the function may free or realloc it */`);
    }
    if (end > 0)
      out.unshift(`  unsigned char *const isx_mem = isx_input_block(${Math.ceil(end / PAGE) * PAGE});`);
    out.push(...decl);
    if (this.ctx.cxx === true && this.ctx.di !== undefined)
      out.push(...invalidBoolNotes(this.ctx.di.lookup, this.types, this.los));
    for (const o of this.r.objects) for (const rl of o.relocs) out.push(...this.putPtrIn(o.id, rl));
    return out;
  }

  /**
   * One object's initial bytes and its declaration at C address `at`: typed (a designated initializer, a
   * string literal, an array) when the debug information gives its type and the typed form has exactly
   * the recorded bytes, else a byte array.
   */
  private objectInit(
    id: number,
    data: Uint8Array,
    relocs: readonly Reloc[],
    at: string,
    range: string,
  ): { init: string[]; stmts: string[] } {
    const nodes = this.ctx.di?.lookup;
    const ot = this.types.get(id);
    const zero = data.every((b) => b === 0);
    if (ot !== undefined && nodes !== undefined) {
      data = this.full(id, data);
      const arr = ot.count > 1 ? `[${ot.count}]` : '';
      const pt = pointerTo(ot.name);
      const stmts = [`  ${pt}const o${id} = (${pt})(${at}); /* object ${id}: ${ot.name}${arr} */`];
      const ptrs = new Set(relocs.map((rl) => rl.at));
      if (zero && ptrs.size === 0) return { init: [], stmts };
      if (isCharType(nodes, ot.type) && ptrs.size === 0 && looksLikeText(data)) {
        stmts.push(`  memcpy(o${id}, ${stringLiteral(data)}, ${data.length});`);
        return { init: [], stmts };
      }
      if (this.ctx.cxx === true && !isCharType(nodes, ot.type)) {
        const fields = cxxFieldAssignments(nodes, id, ot, data, ptrs, this.leaves.get(id));
        if (fields !== undefined) return { init: [], stmts: [...stmts, ...fields] };
      }
      const text =
        isCharType(nodes, ot.type) || this.ctx.cxx === true ? undefined : initializer(nodes, ot, data, ptrs);
      if (text !== undefined) {
        if (text === '{ 0 }') return { init: [], stmts };
        const init = [`  static const ${ot.name} o${id}_in${arr} = ${text};`];
        stmts.push(`  memcpy(o${id}, ${ot.count > 1 ? '' : '&'}o${id}_in, sizeof o${id}_in);`);
        return { init, stmts };
      }
      if (zero) return { init: [], stmts };
      const init = [`  static const unsigned char o${id}_in[] = ${byteArray(data, '  ')};`];
      stmts.push(`  memcpy(o${id}, o${id}_in, sizeof o${id}_in);`);
      return { init, stmts };
    }
    const lo = this.los.get(id)!.lo;
    const stmts = [`  unsigned char *const o${id} = ${at}; /* object ${id}: ${range} */`];
    if (zero) return { init: [], stmts };
    stmts.push(`  memcpy(${plus(`o${id}`, lo)}, o${id}_in, sizeof o${id}_in);`);
    return { init: [`  static const unsigned char o${id}_in[] = ${byteArray(data, '  ')};`], stmts };
  }

  /** A typed object's bytes over its whole elements (the recorded ones at their place, zeros around). */
  private full(id: number, data: Uint8Array): Uint8Array {
    const ot = this.types.get(id)!;
    const out = new Uint8Array(ot.size * ot.count);
    out.set(data, this.los.get(id)!.lo);
    return out;
  }

  /** The pointer slot `rl` of object `id`: a typed assignment to its field, or `isx_put_ptr`. */
  private putPtrIn(id: number, rl: Reloc): string[] {
    const leaf = this.leaves.get(id)?.find((l) => l.kind === 'ptr' && l.off === rl.at);
    if (leaf === undefined || rl.to === null || this.ctx.di === undefined || !this.types.has(id))
      return this.putPtr(plus(this.bytes(id), rl.at), rl.to);
    const ft = cxxClean(cTypeName(this.ctx.di.lookup, leaf.type, { cxx: this.ctx.cxx }));
    // A const pointer field cannot be assigned: its bytes are written.
    if (/\bconst$/.test(ft)) return this.putPtr(plus(this.bytes(id), rl.at), rl.to);
    const e = 'fn' in rl.to ? this.fn(rl.to.fn) : this.target(rl.to);
    const tt = 'obj' in rl.to ? this.types.get(rl.to.obj) : undefined;
    const same = tt !== undefined && 'obj' in rl.to && rl.to.off === 0 && pointerTo(tt.name) === ft;
    return [`  o${id}${leaf.path} = ${same ? e : `(${ft})(${e})`};`];
  }

  /** Statements writing pointer `to` into the 8-byte slot at C expression `slot`. */
  private putPtr(slot: string, to: PtrTarget | null): string[] {
    if (to === null) return [];
    if ('fn' in to) return [`  isx_put_fn(${slot}, (void (*)(void))${this.fn(to.fn)});`];
    return [`  isx_put_ptr(${slot}, ${this.target(to)});`];
  }

  private fn(name: string): string {
    const c = this.ctx.funcName(name);
    if (c === undefined) throw new LeaveOut(`a pointer to @${name}, which has no C name`);
    return c;
  }

  /**
   * Whether an after-state pointer `to` lies outside the bytes the engine recorded of its object (its
   * base and one past them allowed): the engine reads any aligned word whose value is an address of its memory as a
   * pointer, so such a word is as likely data that looks like an address (text, a hash) as a pointer
   * computed out of its object; and an object with an array of its own has other surroundings in the test.
   */
  private outsideRecorded(to: PtrTarget): boolean {
    if (!('obj' in to)) return false;
    const o = this.los.get(to.obj);
    return o !== undefined && (to.off < Math.min(o.lo, 0) || to.off > Math.max(o.lo + o.size, 0));
  }

  /** A data pointer target as a C expression. */
  private target(to: PtrTarget): string {
    if ('obj' in to) {
      const b = this.base.get(to.obj);
      if (b === undefined)
        throw new LeaveOut(`a pointer to object ${to.obj}, which the record does not have`);
      const ot = this.types.get(to.obj);
      if (ot === undefined) return plus(b, to.off);
      // A typed object: its elements by index (`arr + k`), anything else by bytes.
      if (to.off % ot.size === 0 && to.off >= 0 && to.off <= ot.size * ot.count)
        return plus(b, to.off / ot.size);
      return plus(this.bytes(to.obj), to.off);
    }
    if ('global' in to) {
      const g = this.ctx.globalTarget(to.global);
      if (g === undefined) throw new LeaveOut(`global @${to.global} has no C name the test can reach`);
      if ('addr' in g) return plus(g.addr, to.off);
      return plus(`(unsigned char *)${literalOf(g.bytes)}`, to.off);
    }
    if ('stream' in to) return to.stream;
    if ('fn' in to) return `(void *)${this.fn(to.fn)}`;
    throw new LeaveOut(`an input pointer to "${to.other}" memory`);
  }

  /** A target inside an unnamed string constant: its bytes and the offset. */
  private literalTarget(to: PtrTarget): { bytes: Uint8Array; off: number } | undefined {
    if (!('global' in to)) return undefined;
    const g = this.ctx.globalTarget(to.global);
    return g !== undefined && 'bytes' in g && to.off >= 0 && to.off <= g.bytes.length
      ? { bytes: g.bytes, off: to.off }
      : undefined;
  }

  /** A C++ guard variable (`_ZGV...`) of a static local that no name in the test reaches. */
  private unnamedGuard = (name: string): boolean => isGuardVariable(name) && !this.ctx.globalName(name);
  private zeroGuard = (g: GlobalRec): boolean =>
    this.unnamedGuard(g.name) && g.relocs.length === 0 && g.ranges.every((rg) => /^A*=*$/.test(rg.data));

  private global(name: string): { addr: string; label: string; constant?: boolean } {
    const c = this.ctx.globalName(name);
    if (c === undefined) throw new LeaveOut(`global @${name} has no C name the test can reach`);
    return c;
  }

  /** Input globals: saved for the teardown, then set to their recorded bytes and pointers. */
  globals(): string[] {
    const out: string[] = [];
    for (const g of this.r.globals) {
      // An unnamed C++ guard at zero (gen never changes one): each ctest test starts with it so.
      if (this.zeroGuard(g)) continue;
      const { addr: at, label: c, constant } = this.global(g.name);
      const size = this.ctx.globalSize(g.name);
      out.push(`  isx_save(${at}, ${size}); /* global ${c}, restored after the test */`);
      // Declared const (another unit's; a stand-in here): clang -O2 drops stores to it, so launder it.
      let addr = at;
      if (constant === true) {
        addr = `${c}_w`;
        out.push(
          `  unsigned char *const ${addr} = (unsigned char *)isx_launder((void *)${at}); /* declared const */`,
        );
      }
      g.ranges.forEach((rg, i) => {
        const data = unb64(rg.data);
        if (rg.off < 0 || rg.off + data.length > size) throw new LeaveOut(`global @${g.name}: range outside`);
        out.push(`  static const unsigned char ${c}_in${i}[] = ${byteArray(data, '  ', true)};`);
        out.push(`  memcpy(${plus(addr, rg.off)}, ${c}_in${i}, sizeof ${c}_in${i});`);
      });
      for (const rl of g.relocs) {
        out.push(`  memset(${plus(addr, rl.at)}, 0, 8);`);
        out.push(...this.putPtr(plus(addr, rl.at), rl.to));
      }
    }
    return out;
  }

  /** stdin and files. */
  streams(): string[] {
    const out: string[] = [];
    const stdin = unb64(this.r.streams.stdin);
    if (stdin.length > 0) out.push(`  isx_stdin(${stringLiteral(stdin)}, ${stdin.length});`);
    if (this.r.streams.files.length > 0) out.push('  isx_workdir();');
    for (const f of this.r.streams.files) {
      if (f.path.startsWith('/')) throw new LeaveOut(`opens ${f.path} by absolute path`);
      const d = unb64(f.data);
      out.push(`  isx_file(${stringLiteral(Buffer.from(f.path))}, ${stringLiteral(d)}, ${d.length});`);
    }
    return out;
  }

  /** The arguments of `isx_script`: the recorded calls and their number. */
  script(): string {
    return this.r.calls.length === 0 ? 'NULL, 0' : `isx_calls, ${this.r.calls.length}`;
  }

  /** Recorded results of stubbed functions, in call order. */
  calls(): string[] {
    if (!this.ctx.hasStubs) {
      if (this.r.calls.length > 0) throw new LeaveOut('recorded calls but no stubs');
      return [];
    }
    if (this.r.calls.length === 0) return [];
    const out: string[] = ['  isx_call isx_calls[] = {'];
    const patches: string[] = [];
    this.r.calls.forEach((c, i) => {
      const t = this.ctx.stubReturn(c.fn);
      if (t === undefined) throw new LeaveOut(`call ${i}: @${c.fn} is not a stubbed function`);
      const { bytes, ptrs } = encodeValue(this.ctx.dl, t, c.ret);
      if (bytes.length > 16) throw new LeaveOut(`call ${i}: a result of ${bytes.length} bytes`);
      const b = Array.from(bytes, (x) => `0x${x.toString(16).padStart(2, '0')}`).join(', ');
      out.push(`    { ${stringLiteral(Buffer.from(c.fn))}, { ${b || '0'} } },`);
      for (const p of ptrs) patches.push(...this.putPtr(`isx_calls[${i}].v + ${p.off}`, p.to));
    });
    out.push('  };', ...patches);
    return out;
  }

  /** Statements that build aggregate arguments (before the call). */
  readonly pre: string[] = [];

  /** Argument expressions, one per C parameter (variadic extras after the fixed ones). */
  args(f: Func, fi: FunctionDebugInfo | undefined, skip = 0): string[] {
    const ps = f.params;
    if (
      fi !== undefined &&
      (fi.params.length !== ps.length - skip ||
        fi.params.some((p, i) => isAggregateType(this.ctx.di, p.type) && ps[i + skip]?.type.kind !== 'ptr'))
    )
      return this.splitArgs(f, fi, skip);
    const out: string[] = [];
    ps.forEach((p, j) => {
      if (j < skip) return;
      const i = j - skip;
      const v = this.r.args[j];
      if (v === undefined) throw new LeaveOut('missing argument');
      const attrs = p.attrs.attrs.map((a) => a.name);
      const ctype = fi !== undefined ? this.cType(fi.params[i]!.type) : undefined;
      if (attrs.includes('sret') || attrs.includes('inalloca') || attrs.includes('preallocated'))
        throw new LeaveOut(`parameter ${i} is ${attrs.join(' ')}`);
      if (attrs.includes('byval') || attrs.includes('byref')) {
        if (ctype === undefined)
          throw new LeaveOut(`by-value aggregate parameter ${i} without debug information`);
        if (v.t !== 'ptr' || !('obj' in v)) throw new LeaveOut(`by-value parameter ${i} is not an object`);
        out.push(`*(${ctype} *)(void *)(${this.target(v)})`);
        return;
      }
      out.push(this.valueExpr(p.type, v, ctype, j));
    });
    for (let i = ps.length; i < this.r.args.length; i++) {
      const v = this.r.args[i]!;
      out.push(
        v.t === 'int'
          ? intLiteral(64, BigInt(v.v), true)
          : `(long long)(uintptr_t)(${this.valueExpr(undefined, v, undefined, i)})`,
      );
    }
    return out;
  }

  /**
   * C parameters carried by several IR parameters (a small struct passed in two registers, x86-64 SysV:
   * one eightbyte each): the struct rebuilt from the IR values' bytes.
   */
  private splitArgs(f: Func, fi: FunctionDebugInfo, skip = 0): string[] {
    const bad = (): never => {
      throw new LeaveOut(
        `the IR has ${f.params.length} parameters, the C function ${fi.params.length} (the optimiser changed the signature)`,
      );
    };
    if (f.funcType.varargs) bad();
    let next = skip;
    const out: string[] = [];
    fi.params.forEach((p, j) => {
      const ir = p.irArgs;
      const ctype = this.cType(p.type);
      // A parameter the optimiser removed from a static function: the value the function's entry gives
      // its variable in the debug information (a constant at every call site), or any value when the
      // optimised code does not use it (poison); else it cannot be supplied.
      if (ir.length === 0) {
        const v =
          removedParam(this.ctx.di, f, p.variable) ??
          (this.ctx.cxx === true && this.ctx.di !== undefined
            ? emptyClassArg(this.ctx.di, p.type, ctype)
            : undefined);
        if (v === undefined) return bad();
        const ref = this.ctx.cxx === true ? referenceOf(ctype) : undefined;
        // A C++ reference the code does not read (an empty function object): any object will do.
        if (ref !== undefined && v.startsWith('0 '))
          out.push(
            `*(${ref.to} *)(void *)isx_zeros /* removed by the optimiser: its code does not read it */`,
          );
        else if (v.startsWith('NULL /* an empty')) out.push(`${ctype}()${v.slice(4)}`);
        else out.push(ctype !== undefined && !v.startsWith('NULL') ? `(${ctype})${v}` : v);
        return;
      }
      if (ir.some((a, k) => a !== next + k)) bad();
      next += ir.length;
      // A pointer promoted to the value it points to (argument promotion) cannot be called from C.
      // (A C++ reference is a pointer in the IR.)
      const isPtr =
        isPointerType(this.ctx.di, p.type) ||
        (ctype !== undefined &&
          (ctype.endsWith('*') || ctype.includes('(*') || (this.ctx.cxx === true && ctype.endsWith('&'))));
      if (ir.length === 1 && (f.params[ir[0]!]!.type.kind === 'ptr') !== isPtr) bad();
      if (ir.length === 1 && f.params[ir[0]!]!.attrs.attrs.some((a) => a.name === 'byval')) {
        const v = this.r.args[ir[0]!]!;
        if (ctype === undefined || v.t !== 'ptr' || !('obj' in v)) return bad();
        out.push(`*(${ctype} *)(void *)(${this.target(v)})`);
        return;
      }
      // A small struct in one register (an i64, a double...) is rebuilt from its bytes like a split one.
      if (ir.length === 1 && !isAggregateType(this.ctx.di, p.type)) {
        out.push(this.valueExpr(f.params[ir[0]!]!.type, this.r.args[ir[0]!]!, ctype, ir[0]!));
        return;
      }
      if (ctype === undefined || ctype.endsWith('*')) bad();
      const bytes = new Uint8Array(8 * ir.length);
      const patches: string[] = [];
      ir.forEach((a, k) => {
        const { bytes: b, ptrs } = encodeValue(this.ctx.dl, f.params[a]!.type, this.r.args[a]!);
        if (b.length > 8) throw new LeaveOut(`parameter ${j} passed in parts of more than 8 bytes`);
        bytes.set(b, 8 * k);
        for (const p of ptrs) patches.push(...this.putPtr(`a${j}_bytes + ${8 * k + p.off}`, p.to));
      });
      this.pre.push(
        `  static unsigned char a${j}_bytes[] __attribute__((aligned(16))) = ${byteArray(bytes, '  ', true)};`,
        ...patches,
      );
      out.push(`*(${this.constOf(ctype)} *)(const void *)a${j}_bytes`);
    });
    if (next !== f.params.length) bad();
    return out;
  }

  private cType(t: number | null): string | undefined {
    if (this.ctx.di === undefined) return undefined;
    const s = cxxClean(cDeclaration(this.ctx.di.lookup, t, '', { cxx: this.ctx.cxx }).trim());
    return s === '' ? undefined : s;
  }

  /** A scalar argument of IR type `t`, as a C expression (cast to `ctype` when known). */
  private valueExpr(t: Type | undefined, v: ValueRec, ctype: string | undefined, i: number): string {
    switch (v.t) {
      case 'int':
        // C++ picks an overload by the argument's type, and an enum takes no integer unconverted.
        if (this.ctx.cxx === true && ctype !== undefined && ctype !== 'int' && !ctype.endsWith('&'))
          return `(${ctype})${intLiteral(v.bits, BigInt(v.v), true)}`;
        return intLiteral(v.bits, BigInt(v.v), true);
      case 'float':
        return floatExpr(v.kind, v.hex);
      case 'null':
        if (this.ctx.cxx === true && referenceOf(ctype) !== undefined)
          throw new LeaveOut(`argument ${i}: a reference to NULL`);
        return this.ctx.cxx === true && ctype !== undefined ? `(${ctype})NULL` : 'NULL';
      case 'rawptr':
        return `(void *)(uintptr_t)${intLiteral(64, BigInt(v.addr), false)}`;
      case 'ptr': {
        if ('fn' in v) return ctype !== undefined ? `(${ctype})${this.fn(v.fn)}` : this.fn(v.fn);
        const e = this.target(v);
        const ref = this.ctx.cxx === true ? referenceOf(ctype) : undefined;
        if (ref !== undefined) return referenceArg(ref, e);
        // A va_list parameter: its type is the compiler's own `struct __va_list_tag *`, which a cast in
        // user code would name as another struct; the va_list object decays to it.
        if (ctype === 'struct __va_list_tag *') return `*(va_list *)(void *)(${e})`;
        return ctype !== undefined && ctype.endsWith('*') ? `(${ctype})(${e})` : `(void *)(${e})`;
      }
      case 'agg': {
        if (t === undefined || ctype === undefined)
          throw new LeaveOut(`aggregate argument ${i} without debug information`);
        const { bytes, ptrs } = encodeValue(this.ctx.dl, t, v);
        if (ptrs.length > 0) throw new LeaveOut(`aggregate argument ${i} holds pointers`);
        this.pre.push(
          `  static const unsigned char a${i}_bytes[] __attribute__((aligned(16))) = ${byteArray(bytes, '  ', true)};`,
        );
        return `*(${this.constOf(ctype)} *)(const void *)a${i}_bytes`;
      }
      default:
        throw new LeaveOut(`argument ${i} is a ${v.t} value`);
    }
  }

  /** Where a C++ `sret` call's result goes: the object of the first argument, and the result's type. */
  sretPlace(fi: FunctionDebugInfo | undefined): { at: string; type: string } {
    const v = this.r.args[0];
    const type = fi !== undefined ? this.cType(fi.returnType) : undefined;
    if (v?.t !== 'ptr' || !('obj' in v) || type === undefined)
      throw new LeaveOut('a result returned in memory that is not an object of the record');
    return { at: this.target(v), type };
  }

  /** `const T` (C++ rejects a duplicate `const`, C accepts it). */
  private constOf(ctype: string | undefined): string {
    if (ctype === undefined) throw new LeaveOut('an aggregate argument without its C type');
    return this.ctx.cxx === true && ctype.startsWith('const ') ? ctype : `const ${ctype}`;
  }

  /** `T ret` (from debug information) or `__typeof__(call) ret`. */
  retDecl(fi: FunctionDebugInfo | undefined, call: string): string {
    if (fi !== undefined && fi.returnType !== null && this.ctx.di !== undefined) {
      const d = cxxClean(cDeclaration(this.ctx.di.lookup, fi.returnType, 'ret', { cxx: this.ctx.cxx }));
      // A C++ reference return is a pointer in the IR: the test keeps the address it refers to.
      if (this.ctx.cxx === true && /&\s*ret$/.test(d)) return 'auto *ret';
      if (!d.includes('(')) return d;
    }
    if (this.ctx.cxx === true) return 'auto ret';
    return `__typeof__(${call}) ret`;
  }

  /** Checks of the return value. */
  checkRet(t: Type, v: ValueRec, fi: FunctionDebugInfo | undefined): string[] {
    const enc = this.baseEncoding(fi);
    if (v.t === 'int' && t.kind === 'int' && enc !== 'other') {
      const lit = intLiteral(v.bits, BigInt(v.v), enc !== 'unsigned');
      // A C++ enum (class) compares with no integer unconverted.
      const cast = enc === 'unknown' || (this.ctx.cxx === true && this.returnsEnum(fi));
      return [`  ${this.a.eq('ret', cast ? `(__typeof__(ret))${lit}` : lit)};`];
    }
    if (
      v.t === 'float' &&
      t.kind === 'float' &&
      (v.kind === 'double' || v.kind === 'float') &&
      enc !== 'other'
    ) {
      const bits = BigInt('0x' + v.hex);
      const shown = floatExpr(v.kind, v.hex);
      const fn = v.kind === 'double' ? 'isx_bits64' : 'isx_bits32';
      return [
        `  /* expected ${shown.replace(/ \/\*.*$/, '')} = ${floatDecimal(bits, v.kind)} */`,
        `  ${this.a.eq(`${fn}(ret)`, `0x${v.hex}${v.kind === 'double' ? 'ull' : 'u'}`)};`,
      ];
    }
    // (A C++ class returned in a register, pugixml's `xml_node`, is compared in place, below.)
    if (t.kind === 'ptr' && !(this.ctx.cxx === true && enc === 'other')) {
      if (v.t === 'null') return [`  ${this.a.isNull('ret')};`];
      if (v.t === 'ptr' && 'other' in v)
        return [`  ${this.a.nonNull('ret')}; /* memory the function allocated (${v.other}) */`];
      if (v.t === 'ptr' && 'fn' in v)
        return [`  ${this.a.eq('(uintptr_t)ret', `(uintptr_t)${this.fn(v.fn)}`)};`];
      const lit = v.t === 'ptr' ? this.literalTarget(v) : undefined;
      if (lit !== undefined)
        return [
          `  isx_check_points_to(&ret, ${literalOf(lit.bytes)} + ${lit.off}, ${lit.bytes.length - lit.off}, "return value");`,
        ];
      if (v.t === 'ptr') return [`  ${this.a.ptrEq('ret', this.target(v))};`];
      if (v.t === 'rawptr')
        return [`  ${this.a.eq('(uintptr_t)ret', intLiteral(64, BigInt(v.addr), false))};`];
    }
    const { bytes, ptrs } = encodeValue(this.ctx.dl, t, v);
    if (ptrs.length > 0 && this.ctx.cxx === true) {
      // A C++ class returned in registers holding pointers (an iterator): compared in place.
      const relocs = ptrs.map((p) => ({ at: p.off, to: p.to }));
      const skips = ptrs.map((p): [number, number] => [p.off, 8]);
      return this.checkBytes('ret', '(unsigned char *)&ret', 0, bytes, relocs, 'return value', skips);
    }
    if (ptrs.length > 0) throw new LeaveOut('an aggregate return value holding pointers');
    return [
      `  static const unsigned char ret_out[${bytes.length}] = ${byteArray(bytes, '  ')};`,
      `  isx_check_ret(&ret, sizeof ret, ret_out, sizeof ret_out);`,
    ];
  }

  /** Whether the function returns an enum (a C++ scoped enum needs its type to compare). */
  private returnsEnum(fi: FunctionDebugInfo | undefined): boolean {
    const di = this.ctx.di;
    if (fi === undefined || di === undefined) return false;
    const n = di.node(underlyingType(di.lookup, fi.returnType) ?? -1);
    return n?.kind === 'DICompositeType' && n.tag === 'enum';
  }

  /** The C return type's kind: signed / unsigned integer, float, other (a struct), or unknown (no -g). */
  private baseEncoding(
    fi: FunctionDebugInfo | undefined,
  ): 'signed' | 'unsigned' | 'float' | 'other' | 'unknown' {
    const di = this.ctx.di;
    if (fi === undefined || di === undefined || fi.returnType === null) return 'unknown';
    const n = di.node(underlyingType(di.lookup, fi.returnType) ?? -1);
    if (n?.kind === 'DIBasicType') {
      if (n.encoding === 'float') return 'float';
      if (n.encoding === 'signed' || n.encoding === 'char')
        return n.name.includes('unsigned') ? 'unsigned' : 'signed';
      if (n.encoding === 'unsigned' || n.encoding === 'bool' || n.encoding === 'utf') return 'unsigned';
      return 'other';
    }
    if (n?.kind === 'DIDerivedType' && n.tag === 'pointer') return 'unknown';
    if (n?.kind === 'DICompositeType' && n.tag === 'enum')
      return enumSigned(di.lookup, n) ? 'signed' : 'unsigned';
    return 'other';
  }

  /**
   * Checks of the objects and globals the engine recorded afterwards: for a typed object, each scalar
   * field that changed as a typed assertion (`assert_int_equal(o0->id, 4)`), then every byte but its
   * padding; for the rest, every byte. Pointer slots are compared as "object + offset".
   */
  checkMemory(ended?: number): string[] {
    const out: string[] = [];
    for (const o of this.r.outcome.memory.objects) {
      const ext = this.los.get(o.id);
      if (ext === undefined) throw new LeaveOut(`output object ${o.id} is not an input object`);
      if (ext.size === 0) continue;
      if (o.id === ended) {
        out.push(`  /* object ${o.id}: destroyed by the call, its bytes are not checked */`);
        continue;
      }
      const data = unb64(o.data);
      const ls = this.leaves.get(o.id);
      const skips: [number, number][] = o.relocs.map((rl) => [rl.at - ext.lo, 8]);
      if (ls !== undefined && this.types.has(o.id) && data.length === ext.data.length) {
        // Only scalars whose bytes the engine recorded as data afterwards: inside the recorded range and
        // clear of its pointer slots (an integer the engine derived from an address, such as a pointer
        // difference stored in a counter, is a pointer slot of the after-state: its bytes are no value).
        const slots = new Set(o.relocs.map((rl) => rl.at));
        const clear = (l: { off: number; size: number }): boolean => {
          for (let at = l.off - 7; at < l.off + l.size; at++) if (slots.has(at)) return false;
          return true;
        };
        const inside = ls.filter((l) => l.off >= ext.lo && l.off + l.size <= ext.lo + ext.size && clear(l));
        out.push(...this.checkFields(o.id, inside, this.full(o.id, ext.data), this.full(o.id, data)));
        for (const [a, n] of padding(ls, this.types.get(o.id)!.size * this.types.get(o.id)!.count)) {
          const from = Math.max(a, ext.lo);
          const to = Math.min(a + n, ext.lo + ext.size);
          if (from < to) skips.push([from - ext.lo, to - from]);
        }
      }
      const ptrLeaves = new Map<number, NonNullable<typeof ls>[number]>();
      for (const x of ls ?? []) if (x.kind === 'ptr' && !ptrLeaves.has(x.off)) ptrLeaves.set(x.off, x);
      const lv = (rl: Reloc): string | undefined => {
        const l = ptrLeaves.get(rl.at);
        return l !== undefined ? `o${o.id}${l.path}` : undefined;
      };
      out.push(
        ...this.checkBytes(
          `o${o.id}`,
          plus(this.bytes(o.id), ext.lo),
          ext.lo,
          data,
          o.relocs,
          `object ${o.id}`,
          skips,
          lv,
          new Set(this.r.objects.find((x) => x.id === o.id)?.relocs.map((rl) => rl.at)),
        ),
      );
    }
    for (const g of this.r.outcome.memory.globals) {
      if (this.unnamedGuard(g.name)) continue; // a static local's guard: no C++ name reaches it
      const { addr, label: c } = this.global(g.name);
      const skips: [number, number][] = g.relocs.map((rl) => [rl.at, 8]);
      const slots = new Set(this.r.globals.find((x) => x.name === g.name)?.relocs.map((rl) => rl.at));
      out.push(
        ...this.checkBytes(`${c}`, addr, 0, unb64(g.data), g.relocs, `global ${c}`, skips, undefined, slots),
      );
    }
    return out;
  }

  private isEnum(t: number | null): boolean {
    const di = this.ctx.di;
    const n = di === undefined ? undefined : di.node(underlyingType(di.lookup, t) ?? -1);
    return n?.kind === 'DICompositeType' && n.tag === 'enum';
  }

  /** Typed assertions of the scalar fields of object `id` whose bytes changed. */
  private checkFields(id: number, ls: readonly Leaf[], before: Uint8Array, after: Uint8Array): string[] {
    const out: string[] = [];
    for (const l of ls) {
      if (l.kind === 'ptr') continue;
      let same = true;
      for (let i = l.off; i < l.off + l.size; i++) if (before[i] !== after[i]) same = false;
      if (same) continue;
      const lv = `o${id}${l.path}`;
      const v = leafValue(l, after, l.off) ?? 'a NaN';
      if (l.kind === 'float') {
        const fn = l.size === 4 ? 'isx_bits32' : 'isx_bits64';
        const bits = Array.from(after.subarray(l.off, l.off + l.size)).reverse();
        const hex = bits.map((b) => b.toString(16).padStart(2, '0')).join('');
        out.push(
          `  ${this.a.eq(`${fn}(${lv})`, `0x${hex}${l.size === 4 ? 'u' : 'ull'}`)}; /* ${v.replace(/ \/\*.*$/, '')} */`,
        );
      } else if (this.ctx.cxx === true && this.isEnum(l.type))
        out.push(`  ${this.a.eq(lv, `(__typeof__(${lv}))${v}`)};`);
      else out.push(`  ${this.a.eq(lv, v)};`);
    }
    return out;
  }

  private checkBytes(
    id: string,
    start: string,
    lo: number,
    data: Uint8Array,
    relocs: readonly Reloc[],
    what: string,
    skips: readonly (readonly [number, number])[],
    lvalue: (rl: Reloc) => string | undefined = () => undefined,
    /** Offsets that held a pointer in the input (pointer fields whatever their value afterwards). */
    slots: ReadonlySet<number> = new Set(),
  ): string[] {
    const out = [`  static const unsigned char ${id}_out[${data.length}] = ${byteArray(data, '  ')};`];
    if (skips.length > 0)
      out.push(
        `  static const size_t ${id}_skip[][2] = { ${skips.map(([a, n]) => `{ ${a}, ${n} }`).join(', ')} };`,
      );
    const sk = skips.length > 0 ? `${id}_skip, ${skips.length}` : 'NULL, 0';
    out.push(`  isx_check_mem(${start}, ${id}_out, ${data.length}, ${sk}, ${JSON.stringify(what)});`);
    for (const rl of relocs) {
      const lv = lvalue(rl);
      const slot = lv !== undefined ? `&${lv}` : plus(start, rl.at - lo);
      const label = JSON.stringify(lv ?? `${what} +${rl.at}`);
      const to = rl.to;
      if (to === null) out.push(`  isx_check_ptr(${slot}, 0, ${label});`);
      else if ('other' in to)
        out.push(`  /* ${lv ?? `${what} +${rl.at}`}: memory the function allocated (${to.other}) */`);
      else if ('fn' in to) out.push(`  isx_check_ptr(${slot}, (uintptr_t)${this.fn(to.fn)}, ${label});`);
      else if ('obj' in to && !slots.has(rl.at) && this.outsideRecorded(to))
        out.push(
          `  /* ${lv ?? `${what} +${rl.at}`}: an address outside object ${to.obj}'s recorded bytes in the engine (data that looks like one, or a pointer computed out of them): not checked */`,
        );
      else if (this.literalTarget(to) !== undefined) {
        const { bytes, off } = this.literalTarget(to)!;
        out.push(
          `  isx_check_points_to(${slot}, ${literalOf(bytes)} + ${off}, ${bytes.length - off}, ${label});`,
        );
      } else out.push(`  isx_check_ptr(${slot}, (uintptr_t)(${this.target(to)}), ${label});`);
    }
    return out;
  }

  /** `"bytes", n` of a recorded stream. */
  stream(b64: string): string {
    const b = unb64(b64);
    return `${stringLiteral(b)}, ${b.length}`;
  }

  /** The call in a forked child, its end asserted (error tests, exit, noreturn calls). */
  forked(
    k: OutcomeKind,
    c: { callee: string; args: readonly string[] },
    r: InputRecord,
    note: string,
    hasRet: boolean,
  ): string[] {
    const out: string[] = [];
    const normal = k === 'exit' || k === 'noreturn-call' || k === 'panic';
    if (normal) out.push('  isx_capture_begin();');
    out.push('  pid_t pid = isx_fork();', '  if (pid == 0) {');
    if (this.ctx.hasStubs) out.push(`    isx_script(${this.script()});`);
    // A call that faults goes through an opaque pointer, its result kept (volatile): an optimiser that saw
    // the constant arguments could treat the faulting path as unreachable (clang -O2 with a NULL argument)
    // or delete a discarded call's faulting reads.
    const direct = /^[A-Za-z_]\w*$/.test(c.callee);
    const fn = direct ? 'isx_fn' : c.callee;
    if (direct)
      out.push(
        `    __typeof__(&${c.callee}) isx_fn = (__typeof__(&${c.callee}))isx_launder((void *)&${c.callee});`,
      );
    const call = `${fn}(${c.args.join(', ')})`;
    out.push(
      '    isx_clear_stack();',
      hasRet ? `    volatile __typeof__(${call}) isx_ret = ${call};\n    (void)isx_ret;` : `    ${call};`,
      '    isx_child_returned();',
      '  }',
      '',
      '  /* check */',
    );
    const what = JSON.stringify(`${k}: ${r.outcome.message ?? ''}`.slice(0, 200));
    if (k === 'exit') out.push(`  isx_expect_exit(pid, ${r.outcome.exitCode ?? 0}, ${what});`);
    else if (k === 'noreturn-call' || k === 'panic')
      out.push(`  isx_expect_exit(pid, ISX_NORETURN_EXIT, ${what});`);
    else if (outcomeClass(k) === 'crash') {
      const sigs = outcomeSignals(k).map((s) => SIGNAL_NUMBERS[s] ?? s);
      if (k === 'stack-overflow') sigs.push('SIGALRM');
      out.push(`  static const int sigs[] = { ${sigs.join(', ')} };`);
      out.push(`  isx_expect_signal(pid, sigs, ${sigs.length}, ${what});`);
    } else {
      out.push(
        `  /* undefined behaviour (${note}): natively it may fault or not; the test asserts that the call ends */`,
      );
      out.push(`  isx_expect_end(pid, ${what});`);
    }
    if (normal)
      out.push(`  isx_capture_end(${this.stream(r.outcome.stdout)}, ${this.stream(r.outcome.stderr)});`);
    return out;
  }

  /** An error test in GoogleTest (tests-cxx.ts, `cxxErrorTest`). */
  forkedCxx(k: OutcomeKind, call: string, r: InputRecord, note: string, hasRet: boolean): string[] {
    const script = this.ctx.hasStubs ? this.script() : undefined;
    return cxxErrorTest({ k, call, r, note, hasRet, script, stdout: this.stream(r.outcome.stdout) });
  }
}
