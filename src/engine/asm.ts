/**
 * @fileoverview Stage: engine (codegen). A compiler for a subset of x86-64 AT&T inline assembly over the
 * statement's register and immediate operands: the template becomes JavaScript once per call site, over
 * BigInt registers (64-bit, unsigned) and a carry flag, so carry chains across the instructions of one
 * statement work. Subset: mov, add/adc/sub/sbb, and/or/xor/not/neg, shl/shr/sar/rol/ror (immediate or %cl),
 * mul/imul (one operand: widening into rdx:rax; two operands), bswap, bsf/bsr/lzcnt/tzcnt/popcnt, xchg,
 * rdtsc (a constant: see docs/engine.md), pause/fences/nop (nothing). Memory operands, other instructions
 * and other flags are not modelled: `compileAsm` returns the reason and the caller emits the
 * `unsupported-asm` outcome.
 *
 * Consumes: the template, the constraint string, operand widths and JS expressions. Produces: JS statements.
 */

/** An operand of the statement: its constraint and, for inputs, the JS expression of its value. */
export interface AsmOperand {
  /** Width in bits of the operand's IR type (32 or 64 handled). */
  readonly bits: number;
  /** Input: JS expression giving the value as a BigInt in [0, 2^bits). */
  readonly value?: string;
  /** Output: JS statements assigning the BigInt expression `v` to the result slots. */
  readonly store?: (v: string) => string;
}

const REGS: Record<string, [string, number]> = {};
for (const r of ['a', 'b', 'c', 'd']) {
  REGS[`r${r}x`] = [r, 64];
  REGS[`e${r}x`] = [r, 32];
  REGS[`${r}l`] = [r, 8];
}
for (const r of ['si', 'di', 'bp']) {
  REGS[`r${r}`] = [r, 64];
  REGS[`e${r}`] = [r, 32];
}
for (let k = 8; k < 16; k++) {
  REGS[`r${k}`] = [`r${k}`, 64];
  REGS[`r${k}d`] = [`r${k}`, 32];
}

/** What `rdtsc` reads in the engine: eax; edx is 0 (native replay rewrites the instruction to the same values). */
export const RDTSC_VALUE = 0x5eed;

const NOPS = /^(nop|pause|mfence|lfence|sfence|rep\s*;?\s*nop|\.p2align.*|\.align.*)$/;

interface Loc {
  /** JS variable of the register, or undefined for an immediate. */
  readonly v?: string;
  readonly imm?: string;
  readonly bits: number;
}

/**
 * Compile `asm` with `constraints` over `ops` (outputs first, then inputs, as LLVM numbers them). Returns
 * the JS statements, or a string saying what is outside the subset.
 */
export function compileAsm(
  asm: string,
  constraints: string,
  outs: readonly AsmOperand[],
  ins: readonly AsmOperand[],
  tmp: () => string,
): { js: string[] } | { unsupported: string } {
  const cons = constraints.split(',').filter((c) => !c.startsWith('~'));
  if (cons.length !== outs.length + ins.length) return { unsupported: 'operand count' };
  const pre: string[] = [];
  const phys = new Map<string, string>();
  const physVar = (r: string): string => {
    let v = phys.get(r);
    if (v === undefined) {
      v = tmp();
      phys.set(r, v);
      pre.push(`let ${v} = 0n;`);
    }
    return v;
  };
  const opLoc: Loc[] = [];
  const fixed = (c: string): string | undefined => {
    const m = /^(?:\{(?:[re]?([abcd])x|[re]?(si|di))\}|([abcdSD]))$/.exec(c);
    if (m === null) return undefined;
    const s = m[3];
    return m[1] ?? m[2] ?? (s === 'S' ? 'si' : s === 'D' ? 'di' : s);
  };
  for (let k = 0; k < outs.length; k++) {
    const c = cons[k]!.replace(/^=&?/, '');
    const r = fixed(c);
    if (r !== undefined) opLoc.push({ v: physVar(r), bits: outs[k]!.bits });
    else if (/^[rqg]m?$|^rm$/.test(c)) opLoc.push({ v: physVar(`o${k}`), bits: outs[k]!.bits });
    else return { unsupported: `output constraint ${cons[k]}` };
  }
  for (let k = 0; k < ins.length; k++) {
    const c = cons[outs.length + k]!;
    const inp = ins[k]!;
    let loc: Loc;
    if (/^\d+$/.test(c)) loc = opLoc[Number(c)]!;
    else if (/^[in]$/.test(c)) {
      opLoc.push({ imm: inp.value!, bits: inp.bits });
      continue;
    } else {
      const r = fixed(c);
      if (r !== undefined) loc = { v: physVar(r), bits: inp.bits };
      else if (/^[rqg]m?$|^rm$|^[rm]i$|^rmi$/.test(c)) loc = { v: physVar(`i${k}`), bits: inp.bits };
      else return { unsupported: `input constraint ${c}` };
    }
    pre.push(`${loc.v} = ${inp.value};`);
    opLoc.push(loc);
  }
  const body: string[] = [];
  const cf = tmp();
  pre.push(`let ${cf} = 0n;`);
  for (const raw of asm.split(/\n|;(?!\s*nop)|\\n/)) {
    const line = raw.trim().replace(/\s+/g, ' ');
    if (line === '' || NOPS.test(line)) continue;
    const r = instr(line, opLoc, physVar, cf, tmp);
    if (typeof r === 'string') return { unsupported: r };
    body.push(...r);
  }
  const post = outs.map((o, k) => o.store!(opLoc[k]!.v!));
  return { js: ['{', ...pre, ...body, ...post, '}'] };
}

const mask = (w: number): string => `0x${'f'.repeat(w / 4)}n`;

/** Split one instruction into its mnemonic (size suffix removed), operation width and operands. */
function parseLine(
  line: string,
  ops: readonly Loc[],
  physVar: (r: string) => string,
): { op: string; w: number; locs: Loc[] } | string {
  const m = /^([a-z]+)(?: (.*))?$/.exec(line);
  if (m === null) return `instruction "${line}"`;
  const args = (m[2] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const locs: Loc[] = [];
  for (const a of args) {
    let mm: RegExpExecArray | null;
    if ((mm = /^\$\{?(\d+)(?::([a-z]))?\}?$/.exec(a)) !== null) {
      const l = ops[Number(mm[1])];
      if (l === undefined) return `operand ${a}`;
      const b = mm[2] === 'k' ? 32 : mm[2] === 'q' ? 64 : l.bits;
      locs.push({ ...l, bits: b });
    } else if ((mm = /^\$\$(-?(?:0x[0-9a-f]+|\d+))$/i.exec(a)) !== null) {
      locs.push({ imm: `${BigInt(mm[1]!)}n`, bits: 0 });
    } else if ((mm = /^%([a-z0-9]+)$/.exec(a)) !== null && REGS[mm[1]!] !== undefined) {
      const [r, b] = REGS[mm[1]!]!;
      locs.push({ v: physVar(r), bits: b });
    } else return `operand "${a}" in "${line}"`;
  }
  let op = m[1]!;
  let w = 0;
  const sized =
    /^(mov|add|adc|sub|sbb|and|or|xor|not|neg|shl|sal|shr|sar|rol|ror|mul|imul|bswap|bsf|bsr|lzcnt|tzcnt|popcnt|xchg)([lq])$/.exec(
      op,
    );
  if (sized !== null) {
    op = sized[1]!;
    w = sized[2] === 'q' ? 64 : 32;
  }
  const dst = locs[locs.length - 1];
  if (w === 0)
    w = dst?.v !== undefined && dst.bits >= 32 ? dst.bits : (locs.find((l) => l.bits >= 32)?.bits ?? 64);
  if (w !== 32 && w !== 64) return `width of "${line}"`;
  return { op, w, locs };
}

function instr(
  line: string,
  ops: readonly Loc[],
  physVar: (r: string) => string,
  cf: string,
  tmp: () => string,
): string[] | string {
  const p = parseLine(line, ops, physVar);
  if (typeof p === 'string') return p;
  const { op, w, locs } = p;
  const dst = locs[locs.length - 1];
  const M = mask(w);
  const val = (l: Loc): string =>
    l.v !== undefined ? `(${l.v} & ${M})` : `(BigInt.asUintN(${w}, ${l.imm}))`;
  const set = (l: Loc, e: string): string => (l.v === undefined ? 'ERR' : `${l.v} = (${e}) & ${M};`);
  const two = locs.length === 2 && dst!.v !== undefined;
  const s = locs[0]!;
  const t = tmp();
  const a = physVar('a');
  const d = physVar('d');
  switch (op) {
    case 'mov':
      if (!two) break;
      return [set(dst!, val(s))];
    case 'add':
    case 'adc':
      if (!two) break;
      return [
        `const ${t} = ${val(dst!)} + ${val(s)}${op === 'adc' ? ` + ${cf}` : ''};`,
        `${cf} = ${t} >> ${w}n;`,
        set(dst!, t),
      ];
    case 'sub':
    case 'sbb':
      if (!two) break;
      return [
        `const ${t} = ${val(dst!)} - ${val(s)}${op === 'sbb' ? ` - ${cf}` : ''};`,
        `${cf} = ${t} < 0n ? 1n : 0n;`,
        set(dst!, t),
      ];
    case 'and':
    case 'or':
    case 'xor':
      if (!two) break;
      return [
        `${cf} = 0n;`,
        set(dst!, `${val(dst!)} ${op === 'and' ? '&' : op === 'or' ? '|' : '^'} ${val(s)}`),
      ];
    case 'not':
      if (locs.length !== 1 || s.v === undefined) break;
      return [set(s, `~${val(s)}`)];
    case 'neg':
      if (locs.length !== 1 || s.v === undefined) break;
      return [`${cf} = ${val(s)} === 0n ? 0n : 1n;`, set(s, `-${val(s)}`)];
    case 'shl':
    case 'sal':
    case 'shr':
    case 'sar':
    case 'rol':
    case 'ror': {
      if (locs.length === 1) locs.unshift({ imm: '1n', bits: 0 });
      if (locs.length !== 2 || dst!.v === undefined) break;
      const n = `${t}n`;
      const x = val(dst!);
      const e =
        op === 'shl' || op === 'sal'
          ? `${x} << ${n}`
          : op === 'shr'
            ? `${x} >> ${n}`
            : op === 'sar'
              ? `BigInt.asIntN(${w}, ${x}) >> ${n}`
              : op === 'rol'
                ? `(${x} << ${n}) | (${x} >> ((${w}n - ${n}) % ${w}n))`
                : `(${x} >> ${n}) | (${x} << ((${w}n - ${n}) % ${w}n))`;
      return [`const ${n} = ${val(locs[0]!)} & ${w - 1}n;`, set(dst!, e)];
    }
    case 'bswap': {
      if (locs.length !== 1 || s.v === undefined) break;
      const bytes = Array.from(
        { length: w / 8 },
        (_, k) => `(((${t} >> ${8 * k}n) & 255n) << ${w - 8 - 8 * k}n)`,
      );
      return [`const ${t} = ${val(s)};`, set(s, bytes.join(' | '))];
    }
    case 'bsf':
    case 'bsr':
    case 'tzcnt':
    case 'lzcnt':
    case 'popcnt': {
      if (!two) break;
      return bitScan(op, w, `${t}x`, val(s), (e) => set(dst!, e), cf);
    }
    case 'xchg':
      if (locs.length !== 2 || s.v === undefined || dst!.v === undefined) break;
      return [`const ${t} = ${val(s)};`, set(s, val(dst!)), set(dst!, t)];
    case 'mul':
    case 'imul': {
      if (locs.length === 2 && op === 'imul' && dst!.v !== undefined)
        return [set(dst!, `BigInt.asIntN(${w}, ${val(dst!)}) * BigInt.asIntN(${w}, ${val(s)})`)];
      if (locs.length !== 1) break;
      const cv = (e: string): string => (op === 'imul' ? `BigInt.asIntN(${w}, ${e})` : e);
      return [
        `const ${t} = BigInt.asUintN(${2 * w}, ${cv(`(${a} & ${M})`)} * ${cv(val(s))});`,
        `${a} = ${t} & ${M}; ${d} = (${t} >> ${w}n) & ${M};`,
      ];
    }
    case 'rdtsc':
      if (locs.length !== 0) break;
      return [`${a} = ${RDTSC_VALUE}n; ${d} = 0n;`];
  }
  return `instruction "${line}"`;
}

/** bsf/bsr (destination kept for a zero source), tzcnt/lzcnt/popcnt; CF set for a zero source. */
function bitScan(
  op: string,
  w: number,
  x: string,
  src: string,
  set: (e: string) => string,
  cf: string,
): string[] {
  const len = `${x}.toString(2).length`;
  const e =
    op === 'popcnt'
      ? `BigInt(${x}.toString(2).replace(/0/g, '').length)`
      : op === 'bsr'
        ? `BigInt(${len} - 1)`
        : op === 'lzcnt'
          ? `BigInt(${w} - (${x} === 0n ? 0 : ${len}))`
          : `BigInt(${x} === 0n ? ${w} : (${x} & -${x}).toString(2).length - 1)`;
  const keep = op === 'bsf' || op === 'bsr';
  return [
    `const ${x} = ${src};`,
    keep ? `if (${x} !== 0n) ${set(e)}` : set(e),
    `${cf} = ${x} === 0n ? 1n : 0n;`,
  ];
}
