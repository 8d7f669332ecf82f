/**
 * @fileoverview Stage: progs. Prints a generated program tree as C source.
 *
 * Consumes: a `Program` (ast.ts). Produces: self-checking C text: a header comment with the seed, the
 * command that regenerates it and the expected stdout; the chk_result/chk_mix runtime; declarations;
 * functions; main with a chk_result per checked statement and a checksum of every variable at the end.
 * Parentheses are the minimum C precedence needs to keep the tree's meaning, plus those the grammar
 * asked for.
 */

import type { Expr, Func, Place, Program, Stmt, Var } from './ast.js';
import type { CType } from './ctypes.js';
import { checksumVars } from './generator.js';

export interface PrintOptions {
  /** How the program was generated, for the header comment and the reproduce line. */
  readonly grammarLabel?: string;
  /** Extra arguments of the reproduce command (e.g. `--grammar my.grammar`). */
  readonly reproduceArgs?: string;
}

/** The stdout the program prints when every check passes. */
export function expectedStdout(p: Program): string {
  return `checksum ${p.checksum.toString(16).padStart(16, '0')}\n`;
}

const PREC: Record<string, number> = {
  '*': 13,
  '/': 13,
  '%': 13,
  '+': 12,
  '-': 12,
  '<<': 11,
  '>>': 11,
  '<': 10,
  '>': 10,
  '<=': 10,
  '>=': 10,
  '==': 9,
  '!=': 9,
  '&': 8,
  '^': 7,
  '|': 6,
  '&&': 5,
  '||': 4,
};

/** A literal of type t with value v, as an expression with its precedence. */
function literal(t: CType, v: bigint): [string, number] {
  if (t.suffix === undefined) return [`(${t.name})${v}`, 15];
  if (v >= 0n) return [`${v}${t.suffix}`, 16];
  if (v === t.min) return [`(-${-(v + 1n)}${t.suffix} - 1)`, 16];
  return [`-${-v}${t.suffix}`, 15];
}

export function literalText(t: CType, v: bigint): string {
  return literal(t, v)[0];
}

function placeText(p: Place): [string, number] {
  switch (p.k) {
    case 'var':
      return [p.v.name, 16];
    case 'elem':
      return [`${p.v.name}[${expr(p.index, 0)}]`, 16];
    case 'member':
      return [`${p.v.name}.f${p.field}`, 16];
    case 'deref':
      return [`*${p.v.name}`, 15];
  }
}

function exprPrec(e: Expr): [string, number] {
  switch (e.k) {
    case 'const':
      return literal(e.type, e.value);
    case 'read':
      return placeText(e.place);
    case 'paren':
      return [`(${expr(e.e, 0)})`, 16];
    case 'call':
      return [`${e.fn.name}(${e.args.map((a) => expr(a, 2)).join(', ')})`, 16];
    case 'cast':
      return [`(${e.type.name})${expr(e.e, 15)}`, 15];
    case 'unary': {
      let t = expr(e.e, 15);
      if ((e.op === '-' || e.op === '+') && (t[0] === '-' || t[0] === '+')) t = `(${t})`;
      return [`${e.op}${t}`, 15];
    }
    case 'binary': {
      const p = PREC[e.op] as number;
      return [`${expr(e.a, p)} ${e.op} ${expr(e.b, p + 1)}`, p];
    }
    case 'cond':
      return [`${expr(e.c, 4)} ? ${expr(e.a, 2)} : ${expr(e.b, 3)}`, 3];
  }
}

/** Text of e, parenthesised when its precedence is below `min`. */
function expr(e: Expr, min: number): string {
  const [t, p] = exprPrec(e);
  return p < min ? `(${t})` : t;
}

function placeStr(p: Place): string {
  return placeText(p)[0];
}

class Out {
  readonly lines: string[] = [];
  line(indent: number, s: string): void {
    this.lines.push('  '.repeat(indent) + s);
  }
}

function stmts(out: Out, body: Stmt[], ind: number): void {
  for (const s of body) stmt(out, s, ind);
}

function stmt(out: Out, s: Stmt, ind: number): void {
  switch (s.k) {
    case 'assign':
      out.line(ind, `${placeStr(s.place)} ${s.op} ${expr(s.e, 2)};`);
      return;
    case 'incdec':
      {
        // Postfix ++/-- binds tighter than unary *: (*p)++.
        const [t, prec] = placeText(s.place);
        out.line(ind, s.prefix ? `${s.op}${t};` : `${prec < 16 ? `(${t})` : t}${s.op};`);
      }
      return;
    case 'if':
      out.line(ind, `if (${expr(s.c, 0)}) {`);
      stmts(out, s.then, ind + 1);
      if (s.else) {
        out.line(ind, '} else {');
        stmts(out, s.else, ind + 1);
      }
      out.line(ind, '}');
      return;
    case 'for': {
      const i = s.counter.name;
      const end = s.start + s.trips * s.step;
      const cond = s.step > 0 ? `${i} < ${end}` : `${i} > ${end}`;
      const inc =
        s.step === 1
          ? `${i}++`
          : s.step === -1
            ? `${i}--`
            : s.step > 0
              ? `${i} += ${s.step}`
              : `${i} -= ${-s.step}`;
      out.line(ind, `for (int ${i} = ${s.start}; ${cond}; ${inc}) {`);
      stmts(out, s.body, ind + 1);
      out.line(ind, '}');
      return;
    }
    case 'block':
      out.line(ind, '{');
      stmts(out, s.body, ind + 1);
      out.line(ind, '}');
      return;
    case 'check':
      out.line(ind, `chk_result(${placeStr(s.place)}, ${s.expected}ULL, __LINE__);`);
      return;
  }
}

function decl(v: Var): string | undefined {
  const st = v.isStatic ? 'static ' : '';
  switch (v.kind) {
    case 'scalar':
      return `${st}${v.type.name} ${v.name} = ${literalText(v.type, v.init[0] as bigint)};`;
    case 'array':
      return `${st}${v.type.name} ${v.name}[${v.length}] = {${v.init.map((x) => literalText(v.type, x)).join(', ')}};`;
    case 'struct': {
      const def = v.struct as NonNullable<Var['struct']>;
      const init = v.init.map((x, i) => literalText(def.fields[i] as CType, x)).join(', ');
      return `${st}struct ${def.name} ${v.name} = {${init}};`;
    }
    case 'pointer':
      return `${st}${v.type.name} *${v.name} = &${placeStr(v.target as Place)};`;
    default:
      return undefined; // parameters and loop counters are declared elsewhere
  }
}

function signature(f: Func): string {
  const params = f.params.length === 0 ? 'void' : f.params.map((p) => `${p.type.name} ${p.name}`).join(', ');
  return `static ${f.ret.name} ${f.name}(${params})`;
}

function locals(out: Out, f: Func): void {
  for (const v of f.vars) {
    const d = decl(v);
    if (d !== undefined) out.line(1, d);
  }
}

/** The C text of a generated program. */
export function printProgram(p: Program, opts: PrintOptions = {}): string {
  const out = new Out();
  const label = opts.grammarLabel ?? 'default';
  const extra = opts.reproduceArgs ? ` ${opts.reproduceArgs}` : '';
  out.line(0, `/* Generated by inputsmith progs (grammar ${label}, seed ${p.seed}); do not edit.`);
  out.line(0, ` * Reproduce: inputsmith progs gen --seed ${p.seed} --count 1${extra} -o DIR`);
  out.line(0, ` * expected-stdout: ${expectedStdout(p).trimEnd()}`);
  out.line(0, ' */');
  out.line(0, '#include <stdint.h>');
  out.line(0, '#include <stdio.h>');
  out.line(0, '');
  out.line(0, 'static int chk_failures;');
  out.line(0, 'static unsigned long long chk_sum = 0xcbf29ce484222325ULL;');
  out.line(0, '');
  out.line(0, 'static void chk_result(unsigned long long value, unsigned long long expected, int line) {');
  out.line(1, 'if (value != expected) {');
  out.line(2, 'printf("FAIL line %d: got %llu, expected %llu\\n", line, value, expected);');
  out.line(2, 'chk_failures++;');
  out.line(1, '}');
  out.line(0, '}');
  out.line(0, '');
  out.line(0, 'static void chk_mix(unsigned long long value) {');
  out.line(1, 'chk_sum = (chk_sum ^ value) * 0x100000001b3ULL;');
  out.line(0, '}');
  for (const s of p.structs) {
    out.line(0, '');
    out.line(0, `struct ${s.name} {`);
    s.fields.forEach((t, i) => out.line(1, `${t.name} f${i};`));
    out.line(0, '};');
  }
  if (p.globals.length > 0) out.line(0, '');
  for (const g of p.globals) out.line(0, decl(g) as string);
  if (p.funcs.length > 0) out.line(0, '');
  for (const f of p.funcs) out.line(0, `${signature(f)};`);
  for (const f of p.funcs) {
    out.line(0, '');
    out.line(0, `${signature(f)} {`);
    locals(out, f);
    stmts(out, f.body, 1);
    out.line(1, `return ${expr(f.result as Expr, 0)};`);
    out.line(0, '}');
  }
  out.line(0, '');
  out.line(0, 'int main(void) {');
  locals(out, p.main);
  stmts(out, p.main.body, 1);
  for (const v of checksumVars(p.globals, p.main)) {
    if (v.kind === 'scalar') out.line(1, `chk_mix(${v.name});`);
    else if (v.kind === 'array') for (let i = 0; i < v.length; i++) out.line(1, `chk_mix(${v.name}[${i}]);`);
    else for (let i = 0; i < v.length; i++) out.line(1, `chk_mix(${v.name}.f${i});`);
  }
  out.line(1, `chk_result(chk_sum, ${p.checksum}ULL, __LINE__);`);
  out.line(1, 'printf("checksum %016llx\\n", chk_sum);');
  out.line(1, 'return chk_failures != 0;');
  out.line(0, '}');
  return out.lines.join('\n') + '\n';
}
