/**
 * @fileoverview Stage: engine (codegen). Emission of the LLVM intrinsics clang emits in practice.
 *
 * Consumes: a call to `llvm.*` and `FuncEmitter` services. Produces: inline JS statements (min/max, bit
 * counting, overflow arithmetic, math) or calls of runtime helpers (memcpy/memset with range checks,
 * va_start, stacksave). Vector forms are handled lane by lane. Unknown intrinsics become the
 * `unsupported-feature` outcome when reached. Imports the leaf (codegen-emit.ts) and the lane emitters of
 * codegen-arith.ts (min/max and the vector reductions reuse the compares and binary operators).
 */
import type { CallInstr, InvokeInstr, Value } from '../ir/model.js';
import { binaryLeaf, cmpExpr } from './codegen-arith.js';
import { sx, type FuncEmitter } from './codegen-emit.js';
import { UnsupportedError, mask, type Leaf } from './values.js';

type Emitter = (g: FuncEmitter, i: CallInstr | InvokeInstr, args: Value[]) => void;

const NOOP: Emitter = () => {};

/** A length/count operand as a JS number expression (unsigned interpretation of i64). */
function numExpr(g: FuncEmitter, v: Value): string {
  if (v.kind === 'int') return String(Number(v.value));
  const l = g.leaves(v.type)[0]!;
  const a = g.opnd(v, 0);
  if (l.k === 'i') return l.bits === 32 ? `(${a[0]} >>> 0)` : a[0]!;
  if (l.k === 'l') return `(${a[1]} === 0 ? ${a[0]} >>> 0 : PAIR2P(${a[0]}, ${a[1]}))`;
  return `Number(${a[0]})`;
}

/**
 * An unsigned size operand (memcpy/memset lengths) as a JS number: an i64 of 2^63 or more is a huge size
 * (the access then traps as out of bounds, as natively it faults), never a negative one that would make
 * the copy a no-op.
 */
function sizeExpr(g: FuncEmitter, v: Value): string {
  if (v.kind === 'int') return String(Number(BigInt.asUintN(64, BigInt(v.value))));
  const l = g.leaves(v.type)[0]!;
  const a = g.opnd(v, 0);
  if (l.k === 'l') return `((${a[1]} >>> 0) * 4294967296 + (${a[0]} >>> 0))`;
  return numExpr(g, v);
}

function res(g: FuncEmitter, i: CallInstr | InvokeInstr, j = 0): string[] {
  return g.leafSlots(i.result!, j);
}

/** Apply fn to each lane of the result (scalar: one lane). */
function lanes(
  g: FuncEmitter,
  i: CallInstr | InvokeInstr,
  args: Value[],
  fn: (l: Leaf, a: string[][], d: string[], lane: number) => void,
): void {
  const ls = g.leaves(i.result!.type);
  ls.forEach((l, j) => {
    const a = args.map((v) => (v.type.kind === 'vector' ? g.opnd(v, j) : g.opnd(v, 0)));
    fn(l, a, g.leafSlots(i.result!, j), j);
  });
}

function minmax(pred: string): Emitter {
  return (g, i, args) =>
    lanes(g, i, args.slice(0, 2), (l, [a, b], d) => {
      const c = cmpExpr(g, 'icmp', pred, l, a!, b!);
      d.forEach((s, k) => g.out(`${s} = ${c} ? ${a![k]} : ${b![k]};`));
    });
}

function fmath(fn: (x: string[], k: Leaf) => string): Emitter {
  return (g, i, args) =>
    lanes(g, i, args, (l, a, d) => {
      const e = fn(
        a.map((x) => x[0]!),
        l,
      );
      g.out(`${d[0]} = ${l.k === 'f' ? `Math.fround(${e})` : e};`);
    });
}

/** x86_fp80 math goes through helpers named X<op>; float/double use JS Math. */
function fmath1(js: string, x80: string): Emitter {
  return (g, i, args) =>
    lanes(g, i, args, (l, a, d) => {
      if (l.k === 'x') g.out(`${d[0]} = ${x80}(${a[0]![0]});`);
      else g.out(`${d[0]} = ${l.k === 'f' ? `Math.fround(${js}(${a[0]![0]}))` : `${js}(${a[0]![0]})`};`);
    });
}

function withOverflow(op: 'add' | 'sub' | 'mul', signed: boolean): Emitter {
  return (g, i, args) => {
    const l = g.leaves(args[0]!.type)[0]!;
    const a = g.opnd(args[0]!, 0);
    const b = g.opnd(args[1]!, 0);
    const r = res(g, i, 0);
    const ov = res(g, i, 1)[0]!;
    const o = { add: '+', sub: '-', mul: '*' }[op];
    if (l.k === 'i' && l.bits === 32) {
      const x = signed ? a[0] : `(${a[0]} >>> 0)`;
      const y = signed ? b[0] : `(${b[0]} >>> 0)`;
      const t = g.tmp();
      g.out(`const ${t} = ${x} ${o} ${y};`);
      g.out(`${r[0]} = ${op === 'mul' ? `Math.imul(${a[0]}, ${b[0]})` : `${t} | 0`};`);
      g.out(`${ov} = ${signed ? `${t} !== ${r[0]}` : `${t} !== (${r[0]} >>> 0)`} ? 1 : 0;`);
      return;
    }
    if (l.k === 'i') {
      const x = signed ? sx(a[0]!, l.bits) : a[0]!;
      const y = signed ? sx(b[0]!, l.bits) : b[0]!;
      const t = g.tmp();
      g.out(`const ${t} = ${x} ${o} ${y};`);
      g.out(`${r[0]} = ${t} & ${mask(l.bits)};`);
      g.out(`${ov} = ${t} !== ${signed ? sx(r[0]!, l.bits) : r[0]} ? 1 : 0;`);
      return;
    }
    if (l.k === 'l') {
      // i64 on int32 pairs: carries and signs of the halves (mul: MUL64, and MULO64 for the flag).
      const [al, ah, bl, bh] = [a[0], a[1], b[0], b[1]];
      const [lo, hi] = [g.tmp(), g.tmp()];
      if (op === 'mul') {
        g.out(`const ${lo} = MUL64(${al}, ${ah}, ${bl}, ${bh}), ${hi} = H[0];`);
        g.out(`${ov} = MULO64(${al}, ${ah}, ${bl}, ${bh}, ${signed});`);
      } else {
        // hs: the high halves' exact sum or difference with the carry or borrow, as a double.
        const hs = g.tmp();
        if (op === 'add')
          g.out(
            `const ${lo} = (${al} + ${bl}) | 0, ${hs} = (${ah} >>> 0) + (${bh} >>> 0) + ((${lo} >>> 0) < (${al} >>> 0) ? 1 : 0), ${hi} = ${hs} | 0;`,
          );
        else
          g.out(
            `const ${lo} = (${al} - ${bl}) | 0, ${hs} = (${ah} >>> 0) - (${bh} >>> 0) - ((${al} >>> 0) < (${bl} >>> 0) ? 1 : 0), ${hi} = ${hs} | 0;`,
          );
        const flag = signed
          ? op === 'add'
            ? `((${ah} ^ ${hi}) & (${bh} ^ ${hi})) < 0`
            : `((${ah} ^ ${bh}) & (${ah} ^ ${hi})) < 0`
          : op === 'add'
            ? `${hs} > 4294967295`
            : `${hs} < 0`;
        g.out(`${ov} = ${flag} ? 1 : 0;`);
      }
      g.out(`${r[0]} = ${lo}; ${r[1]} = ${hi};`);
      return;
    }
    // i128 and wider: exact BigInt arithmetic.
    const w = l.bits;
    const big = (v: string[]): string => (signed ? `BigInt.asIntN(${w}, ${v[0]})` : v[0]!);
    const t = g.tmp();
    g.out(`const ${t} = ${big(a)} ${o} ${big(b)};`);
    g.out(`${ov} = ${t} !== BigInt.as${signed ? 'Int' : 'Uint'}N(${w}, ${t}) ? 1 : 0;`);
    g.out(`${r[0]} = BigInt.asUintN(${w}, ${t});`);
  };
}

function saturating(op: 'add' | 'sub' | 'shl', signed: boolean): Emitter {
  return (g, i, args) =>
    lanes(g, i, args, (l, [a, b], d) => {
      const w = l.k === 'l' ? 64 : l.bits;
      const big = (v: string[]): string =>
        l.k === 'i'
          ? signed
            ? `BigInt(${sx(v[0]!, w)})`
            : `BigInt(${v[0]} >>> 0)`
          : l.k === 'l'
            ? signed
              ? `((BigInt(${v[1]}) << 32n) | BigInt(${v[0]} >>> 0))`
              : `((BigInt(${v[1]} >>> 0) << 32n) | BigInt(${v[0]} >>> 0))`
            : signed
              ? `BigInt.asIntN(${w}, ${v[0]})`
              : v[0]!;
      const lo = signed ? `${-(2n ** BigInt(w - 1))}n` : '0n';
      const hi = signed ? `${2n ** BigInt(w - 1) - 1n}n` : `${2n ** BigInt(w) - 1n}n`;
      const o = { add: '+', sub: '-', shl: '<<' }[op];
      const t = g.tmp();
      g.out(`let ${t} = ${big(a!)} ${o} ${op === 'shl' ? `BigInt(${b![0]} >>> 0)` : big(b!)};`);
      g.out(`if (${t} < ${lo}) ${t} = ${lo}; else if (${t} > ${hi}) ${t} = ${hi};`);
      if (l.k === 'i') g.out(`${d[0]} = Number(BigInt.as${w === 32 ? 'Int' : 'Uint'}N(${w}, ${t}));`);
      else if (l.k === 'l')
        g.out(`${d[0]} = Number(BigInt.asIntN(32, ${t})); ${d[1]} = Number(BigInt.asIntN(32, ${t} >> 32n));`);
      else g.out(`${d[0]} = BigInt.asUintN(${w}, ${t});`);
    });
}

/** Integer unary bit operations through BigInt for widths other than i8..i32 and i64 fast paths. */
function bitop(name: 'ctpop' | 'ctlz' | 'cttz' | 'bswap' | 'bitreverse'): Emitter {
  return (g, i, args) =>
    lanes(g, i, args.slice(0, 1), (l, [a], d) => {
      const w = l.k === 'l' ? 64 : l.bits;
      if (l.k === 'i') {
        const x = a![0]!;
        const e: Record<string, string> = {
          ctpop: `POP32(${x})`,
          ctlz: `Math.clz32(${x}) - ${32 - w}`,
          cttz: `${x} === 0 ? ${w} : 31 - Math.clz32(${x} & -${x})`,
          bswap: w === 16 ? `((${x} & 255) << 8) | (${x} >>> 8)` : w === 32 ? `BSWAP32(${x})` : '',
          bitreverse: w === 32 ? `BREV32(${x})` : `BREV32(${x}) >>> ${32 - w}`,
        };
        if (e[name] === '') throw new UnsupportedError(`${name} on i${w}`);
        g.out(`${d[0]} = ${e[name]};`);
        return;
      }
      if (l.k === 'l') {
        const [xl, xh] = a!;
        const e: Record<string, string> = {
          ctpop: `${d[0]} = POP32(${xl}) + POP32(${xh}); ${d[1]} = 0;`,
          ctlz: `${d[0]} = ${xh} !== 0 ? Math.clz32(${xh}) : 32 + Math.clz32(${xl}); ${d[1]} = 0;`,
          cttz: `${d[0]} = ${xl} !== 0 ? 31 - Math.clz32(${xl} & -${xl}) : ${xh} !== 0 ? 63 - Math.clz32(${xh} & -${xh}) : 64; ${d[1]} = 0;`,
          bswap: `${d[0]} = BSWAP32(${xh}); ${d[1]} = BSWAP32(${xl});`,
          bitreverse: `${d[0]} = BREV32(${xh}); ${d[1]} = BREV32(${xl});`,
        };
        g.out(e[name]!);
        return;
      }
      g.out(`${d[0]} = BIGBITOP(${JSON.stringify(name)}, ${a![0]}, ${w});`);
    });
}

function funnel(left: boolean): Emitter {
  return (g, i, args) =>
    lanes(g, i, args, (l, [a, b, c], d) => {
      if (l.k === 'i') {
        const w = l.bits;
        const s = g.tmp();
        g.out(`const ${s} = ${w === 32 ? `${c![0]} & 31` : `${c![0]} % ${w}`};`);
        const m = w === 32 ? '| 0' : `& ${mask(w)}`;
        if (left)
          g.out(
            `${d[0]} = ${s} === 0 ? ${a![0]} : ((${a![0]} << ${s}) | (${b![0]} >>> (${w} - ${s}))) ${m};`,
          );
        else
          g.out(
            `${d[0]} = ${s} === 0 ? ${b![0]} : ((${b![0]} >>> ${s}) | (${a![0]} << (${w} - ${s}))) ${m};`,
          );
        return;
      }
      if (l.k === 'l') {
        const k = /^-?\d+$/.test(c![0]!) ? Number(c![0]) & 63 : -1;
        if (k >= 0) {
          // A constant amount (rotates): two 32-bit funnel shifts inline.
          const [al, ah, bl, bh] = [a![0], a![1], b![0], b![1]];
          const r = k === 0 ? 0 : left ? 64 - k : k;
          const [w0, w1, w2] = r >= 32 ? [bh, al, ah] : [bl, bh, al];
          const t = r & 31;
          const lo = g.tmp();
          if (r === 0) g.out(`const ${lo} = ${left ? al : bl}; ${d[1]} = ${left ? ah : bh};`);
          else if (t === 0) g.out(`const ${lo} = ${w0}; ${d[1]} = ${w1};`);
          else
            g.out(
              `const ${lo} = (${w0} >>> ${t}) | (${w1} << ${32 - t}); ${d[1]} = (${w1} >>> ${t}) | (${w2} << ${32 - t});`,
            );
          g.out(`${d[0]} = ${lo};`);
          return;
        }
        g.out(`${d[0]} = FSH64(${left}, ${a![0]}, ${a![1]}, ${b![0]}, ${b![1]}, ${c![0]}); ${d[1]} = H[0];`);
        return;
      }
      const w = l.bits;
      const s = g.tmp();
      g.out(`const ${s} = ${c![0]} % ${w}n;`);
      if (left)
        g.out(
          `${d[0]} = ${s} === 0n ? ${a![0]} : BigInt.asUintN(${w}, (${a![0]} << ${s}) | (${b![0]} >> (${w}n - ${s})));`,
        );
      else
        g.out(
          `${d[0]} = ${s} === 0n ? ${b![0]} : BigInt.asUintN(${w}, (${b![0]} >> ${s}) | (${a![0]} << (${w}n - ${s})));`,
        );
    });
}

function reduce(op: string): Emitter {
  return (g, i, args) => {
    const hasStart = op === 'fadd' || op === 'fmul';
    const v = hasStart ? args[1]! : args[0]!;
    const ls = g.leaves(v.type);
    const l = ls[0]!;
    const d = res(g, i);
    let acc: string[] = hasStart ? g.opnd(args[0]!, 0) : g.opnd(v, 0);
    for (let j = hasStart ? 0 : 1; j < ls.length; j++) {
      const b = g.opnd(v, j);
      const t = l.k === 'l' ? [g.tmp(), g.tmp()] : [g.tmp()];
      g.out(`let ${t.join(', ')};`);
      if (['smax', 'smin', 'umax', 'umin'].includes(op)) {
        const pred = { smax: 'sgt', smin: 'slt', umax: 'ugt', umin: 'ult' }[op]!;
        const c = cmpExpr(g, 'icmp', pred, l, acc, b);
        t.forEach((s, k) => g.out(`${s} = ${c} ? ${acc[k]} : ${b[k]};`));
      } else if (op === 'fmax' || op === 'fmin') {
        g.out(`${t[0]} = ${op === 'fmax' ? 'MAXNUM' : 'MINNUM'}(${acc[0]}, ${b[0]});`);
      } else binaryLeaf(g, op, l, acc, b, t);
      acc = t;
    }
    d.forEach((s, k) => g.out(`${s} = ${acc[k]};`));
  };
}

const TABLE: Record<string, Emitter> = {
  'llvm.memcpy': (g, _i, [d, s, n]) =>
    g.out(`MEMCPY(${g.op1(d!)}, ${g.op1(s!)}, ${sizeExpr(g, n!)}, ${g.site()});`),
  'llvm.memcpy.inline': (g, _i, [d, s, n]) =>
    g.out(`MEMCPY(${g.op1(d!)}, ${g.op1(s!)}, ${sizeExpr(g, n!)}, ${g.site()});`),
  'llvm.memmove': (g, _i, [d, s, n]) =>
    g.out(`MEMCPY(${g.op1(d!)}, ${g.op1(s!)}, ${sizeExpr(g, n!)}, ${g.site()});`),
  'llvm.memset': (g, _i, [d, v, n]) =>
    g.out(`MEMSET(${g.op1(d!)}, ${g.op1(v!)}, ${sizeExpr(g, n!)}, ${g.site()});`),
  'llvm.memset.inline': (g, _i, [d, v, n]) =>
    g.out(`MEMSET(${g.op1(d!)}, ${g.op1(v!)}, ${sizeExpr(g, n!)}, ${g.site()});`),
  'llvm.lifetime.start': NOOP,
  'llvm.lifetime.end': NOOP,
  'llvm.assume': NOOP,
  'llvm.dbg.declare': NOOP,
  'llvm.dbg.value': NOOP,
  'llvm.dbg.label': NOOP,
  'llvm.dbg.assign': NOOP,
  'llvm.experimental.noalias.scope.decl': NOOP,
  'llvm.donothing': NOOP,
  'llvm.sideeffect': NOOP,
  'llvm.prefetch': NOOP,
  'llvm.var.annotation': NOOP,
  'llvm.codeview.annotation': NOOP,
  'llvm.pseudoprobe': NOOP,
  'llvm.instrprof.increment': NOOP,
  'llvm.va_end': NOOP,
  'llvm.invariant.end': NOOP,
  'llvm.invariant.start': (g, i) => g.out(`${res(g, i)[0]} = 0;`),
  'llvm.ptr.annotation': (g, i, [p]) => g.out(`${res(g, i)[0]} = ${g.op1(p!)};`),
  'llvm.annotation': (g, i, [p]) => g.out(`${res(g, i).join(', ')} = ${g.opnd(p!, 0)[0]};`),
  'llvm.launder.invariant.group': (g, i, [p]) => g.out(`${res(g, i)[0]} = ${g.op1(p!)};`),
  'llvm.strip.invariant.group': (g, i, [p]) => g.out(`${res(g, i)[0]} = ${g.op1(p!)};`),
  'llvm.threadlocal.address': (g, i, [p]) => g.out(`${res(g, i)[0]} = ${g.op1(p!)};`),
  'llvm.expect': (g, i, [v]) => g.slots(i.result!).forEach((s, k) => g.out(`${s} = ${g.opndAll(v!)[k]};`)),
  'llvm.expect.with.probability': (g, i, [v]) =>
    g.slots(i.result!).forEach((s, k) => g.out(`${s} = ${g.opndAll(v!)[k]};`)),
  'llvm.is.constant': (g, i) => g.out(`${res(g, i)[0]} = 0;`),
  'llvm.objectsize': (g, i, [, min]) => {
    const isMin = min?.kind === 'int' && min.value !== 0n;
    const d = g.slots(i.result!);
    d.forEach((s) => g.out(`${s} = ${isMin ? 0 : -1};`));
  },
  'llvm.ptrmask': (g, i, [p, m]) => {
    const mk = g.opnd(m!, 0);
    g.out(`${res(g, i)[0]} = PTRMASK(${g.op1(p!)}, ${mk[0]}, ${mk[1] ?? 0});`);
  },
  'llvm.is.fpclass': (g, i, args) =>
    lanes(g, i, args.slice(0, 1), (_l, [a], d) => {
      const t =
        args[0]!.type.kind === 'vector'
          ? (args[0]!.type as { elem: { kind: string; fk?: string } }).elem
          : args[0]!.type;
      const fk = (t as { fk?: string }).fk;
      const x = fk === 'x86_fp80' ? `XTON(${a![0]})` : a![0]!;
      const minNormal = fk === 'float' ? '1.1754943508222875e-38' : '2.2250738585072014e-308';
      g.out(`${d[0]} = FPCLASS(${x}, ${g.op1(args[1]!)}, ${minNormal});`);
    }),
  'llvm.load.relative': (g, i, [p, o]) => {
    const base = g.op1(p!);
    const off = numExpr(g, o!);
    const t = g.tmp();
    g.out(`const ${t} = ${base} + ${off}; CHK(${t}, 4, 0, ${g.site()});`);
    g.out(`${res(g, i)[0]} = ${base} + DV.getInt32(${t}, true);`);
  },
  'llvm.get.rounding': (g, i) => g.out(`${res(g, i)[0]} = 1;`),
  'llvm.frameaddress': (g, i) => g.out(`${res(g, i)[0]} = M.sp;`),
  'llvm.returnaddress': (g, i) => g.out(`${res(g, i)[0]} = 0;`),
  'llvm.stacksave': (g, i) => g.out(`${res(g, i)[0]} = M.sp;`),
  'llvm.stackrestore': (g, _i, [p]) => g.out(`POP(${g.op1(p!)});`),
  'llvm.trap': (g) => g.out(`TRAP('trap', 'llvm.trap', ${g.site()});`),
  'llvm.debugtrap': (g) => g.out(`TRAP('trap', 'llvm.debugtrap', ${g.site()});`),
  'llvm.ubsantrap': (g) => g.out(`TRAP('trap', 'llvm.ubsantrap', ${g.site()});`),
  'llvm.va_start': (g, _i, [ap]) => {
    if (!g.varargs) throw new UnsupportedError('va_start in a non-variadic function');
    g.out(`VASTART(${g.op1(ap!)}, va, ${g.site()});`);
  },
  'llvm.va_copy': (g, _i, [d, s]) => g.out(`MEMCPY(${g.op1(d!)}, ${g.op1(s!)}, 24, ${g.site()});`),
  'llvm.smax': minmax('sgt'),
  'llvm.smin': minmax('slt'),
  'llvm.umax': minmax('ugt'),
  'llvm.umin': minmax('ult'),
  'llvm.abs': (g, i, args) =>
    lanes(g, i, args.slice(0, 1), (l, [a], d) => {
      if (l.k === 'i')
        g.out(
          `${d[0]} = ${l.bits === 32 ? `${a![0]} < 0 ? (-${a![0]}) | 0 : ${a![0]}` : `Math.abs(${sx(a![0]!, l.bits)}) & ${mask(l.bits)}`};`,
        );
      else if (l.k === 'l')
        g.out(
          `if (${a![1]} < 0) { ${d[0]} = (-${a![0]}) | 0; ${d[1]} = (~${a![1]} + (${d[0]} === 0 ? 1 : 0)) | 0; } else { ${d[0]} = ${a![0]}; ${d[1]} = ${a![1]}; }`,
        );
      else
        g.out(
          `${d[0]} = BigInt.asUintN(${l.bits}, BigInt.asIntN(${l.bits}, ${a![0]}) < 0n ? -BigInt.asIntN(${l.bits}, ${a![0]}) : ${a![0]});`,
        );
    }),
  'llvm.ctpop': bitop('ctpop'),
  'llvm.ctlz': bitop('ctlz'),
  'llvm.cttz': bitop('cttz'),
  'llvm.bswap': bitop('bswap'),
  'llvm.bitreverse': bitop('bitreverse'),
  'llvm.fshl': funnel(true),
  'llvm.fshr': funnel(false),
  'llvm.sadd.with.overflow': withOverflow('add', true),
  'llvm.uadd.with.overflow': withOverflow('add', false),
  'llvm.ssub.with.overflow': withOverflow('sub', true),
  'llvm.usub.with.overflow': withOverflow('sub', false),
  'llvm.smul.with.overflow': withOverflow('mul', true),
  'llvm.umul.with.overflow': withOverflow('mul', false),
  'llvm.sadd.sat': saturating('add', true),
  'llvm.uadd.sat': saturating('add', false),
  'llvm.ssub.sat': saturating('sub', true),
  'llvm.usub.sat': saturating('sub', false),
  'llvm.sshl.sat': saturating('shl', true),
  'llvm.ushl.sat': saturating('shl', false),
  'llvm.fabs': fmath1('Math.abs', 'XABS'),
  'llvm.sqrt': fmath1('Math.sqrt', 'XSQRT'),
  'llvm.floor': fmath1('Math.floor', 'XFLOOR'),
  'llvm.ceil': fmath1('Math.ceil', 'XCEIL'),
  'llvm.trunc': fmath1('Math.trunc', 'XTRUNC'),
  'llvm.rint': fmath1('RINT', 'XRINT'),
  'llvm.nearbyint': fmath1('RINT', 'XRINT'),
  'llvm.roundeven': fmath1('RINT', 'XRINT'),
  'llvm.round': fmath1('ROUND', 'XROUND'),
  'llvm.sin': fmath((a) => `Math.sin(${a[0]})`),
  'llvm.cos': fmath((a) => `Math.cos(${a[0]})`),
  'llvm.exp': fmath((a) => `Math.exp(${a[0]})`),
  'llvm.exp2': fmath((a) => `Math.pow(2, ${a[0]})`),
  'llvm.log': fmath((a) => `Math.log(${a[0]})`),
  'llvm.log2': fmath((a) => `Math.log2(${a[0]})`),
  'llvm.log10': fmath((a) => `Math.log10(${a[0]})`),
  'llvm.pow': fmath((a) => `Math.pow(${a[0]}, ${a[1]})`),
  'llvm.powi': fmath((a) => `POWI(${a[0]}, ${a[1]})`),
  'llvm.copysign': fmath((a, l) =>
    l.k === 'x' ? `XCOPYSIGN(${a[0]}, ${a[1]})` : `COPYSIGN(${a[0]}, ${a[1]})`,
  ),
  'llvm.fma': fmath((a, l) =>
    l.k === 'f' ? `${a[0]} * ${a[1]} + ${a[2]}` : `FMA(${a[0]}, ${a[1]}, ${a[2]})`,
  ),
  // A multiply then an add, each rounded (what x86-64 runs without FMA: mulsd/addsd, mulss/addss); the
  // common case inline, a NaN result through MADD/MADDF for x86's bits (fpnan.ts).
  'llvm.fmuladd': (g, i, args) =>
    lanes(g, i, args, (l, a, d) => {
      const [x, y, z] = a.map((v) => v[0]!);
      const r = d[0]!;
      if (l.k === 'x') g.out(`${r} = XADD(XMUL(${x}, ${y}), ${z});`);
      else if (l.k === 'f')
        g.out(
          `${r} = Math.fround(Math.fround(${x} * ${y}) + ${z}); if (${r} !== ${r}) ${r} = MADDF(${x}, ${y}, ${z});`,
        );
      else g.out(`${r} = ${x} * ${y} + ${z}; if (${r} !== ${r}) ${r} = MADD(${x}, ${y}, ${z});`);
    }),
  'llvm.minnum': fmath((a) => `MINNUM(${a[0]}, ${a[1]})`),
  'llvm.maxnum': fmath((a) => `MAXNUM(${a[0]}, ${a[1]})`),
  'llvm.minimum': fmath((a) => `Math.min(${a[0]}, ${a[1]})`),
  'llvm.maximum': fmath((a) => `Math.max(${a[0]}, ${a[1]})`),
  'llvm.lround': (g, i, [x]) => intOf(g, i, `ROUND(${g.op1(x!)})`),
  'llvm.llround': (g, i, [x]) => intOf(g, i, `ROUND(${g.op1(x!)})`),
  'llvm.lrint': (g, i, [x]) => intOf(g, i, `RINT(${g.op1(x!)})`),
  'llvm.llrint': (g, i, [x]) => intOf(g, i, `RINT(${g.op1(x!)})`),
  'llvm.vector.reduce.add': reduce('add'),
  'llvm.vector.reduce.mul': reduce('mul'),
  'llvm.vector.reduce.and': reduce('and'),
  'llvm.vector.reduce.or': reduce('or'),
  'llvm.vector.reduce.xor': reduce('xor'),
  'llvm.vector.reduce.smax': reduce('smax'),
  'llvm.vector.reduce.smin': reduce('smin'),
  'llvm.vector.reduce.umax': reduce('umax'),
  'llvm.vector.reduce.umin': reduce('umin'),
  'llvm.vector.reduce.fadd': reduce('fadd'),
  'llvm.vector.reduce.fmul': reduce('fmul'),
  'llvm.vector.reduce.fmax': reduce('fmax'),
  'llvm.vector.reduce.fmin': reduce('fmin'),
  'llvm.masked.load': (g, i, [p, , m, pass]) => {
    const ls = g.leaves(i.result!.type);
    const ptr = g.op1(p!);
    ls.forEach((l, j) => {
      const d = g.leafSlots(i.result!, j);
      const mk = g.opnd(m!, j)[0];
      g.out(
        `if (${mk}) { ${loadLeaf(g, l, `${ptr} + ${l.off}`, d)} } else { ${d.map((s, k) => `${s} = ${g.opnd(pass!, j)[k]};`).join(' ')} }`,
      );
    });
  },
  'llvm.masked.store': (g, _i, [v, p, , m]) => {
    const ls = g.leaves(v!.type);
    const ptr = g.op1(p!);
    ls.forEach((l, j) =>
      g.out(`if (${g.opnd(m!, j)[0]}) { ${storeLeaf(g, l, `${ptr} + ${l.off}`, g.opnd(v!, j))} }`),
    );
  },
};

function loadLeaf(g: FuncEmitter, l: Leaf, p: string, d: string[]): string {
  const n = l.k === 'l' || l.k === 'p' || l.k === 'd' ? 8 : l.k === 'f' ? 4 : Math.ceil(l.bits / 8);
  return `CHK(${p}, ${n}, 0, ${g.site()}); ${d.length === 2 ? `${d[0]} = DV.getInt32(${p}, true); ${d[1]} = DV.getInt32(${p} + 4, true);` : `${d[0]} = LDLEAF(${JSON.stringify(l.k)}, ${l.bits}, ${p});`}`;
}
function storeLeaf(g: FuncEmitter, l: Leaf, p: string, v: string[]): string {
  const n = l.k === 'l' || l.k === 'p' || l.k === 'd' ? 8 : l.k === 'f' ? 4 : Math.ceil(l.bits / 8);
  return `CHK(${p}, ${n}, 1, ${g.site()}); ${v.length === 2 ? `DV.setInt32(${p}, ${v[0]}, true); DV.setInt32(${p} + 4, ${v[1]}, true);` : `STLEAF(${JSON.stringify(l.k)}, ${l.bits}, ${p}, ${v[0]});`}`;
}

function intOf(g: FuncEmitter, i: CallInstr | InvokeInstr, e: string): void {
  const d = g.slots(i.result!);
  if (d.length === 2) g.out(`${d[0]} = F2S64(${e}); ${d[1]} = H[0];`);
  else g.out(`${d[0]} = F2S32(${e});`);
}

export function emitIntrinsic(g: FuncEmitter, i: CallInstr | InvokeInstr, name: string): void {
  const args = i.args.map((a) => a.value);
  let key = name;
  for (;;) {
    const e = TABLE[key];
    if (e !== undefined) {
      e(g, i, args);
      return;
    }
    const dot = key.lastIndexOf('.');
    if (dot <= 4) break;
    key = key.slice(0, dot);
  }
  throw new UnsupportedError(`intrinsic ${name}`);
}
