import { describe, expect, it } from 'vitest';
import type { Expr, Var } from '../src/progs/ast.js';
import {
  type CType,
  T_CHAR,
  T_INT,
  T_LLONG,
  T_LONG,
  T_SCHAR,
  T_UCHAR,
  T_UINT,
  T_UINT16,
  T_ULLONG,
  T_ULONG,
  commonType,
  convert,
  promote,
} from '../src/progs/ctypes.js';
import { type Alt, parseGrammar } from '../src/progs/grammar.js';
import { generate, loadGrammar, verifyProgram } from '../src/progs/index.js';
import { Machine } from '../src/progs/interp.js';
import { printProgram } from '../src/progs/printer.js';
import { binaryType, evalBinary, evalUnary } from '../src/progs/semantics.js';
import { UserError } from '../src/util/errors.js';

const c = (type: CType, value: bigint): Expr => ({ k: 'const', type, value });
const bin = (op: Expr & { k: 'binary' }['op'], a: Expr, b: Expr): Expr & { k: 'binary' } => ({
  k: 'binary',
  type: binaryType(op, a.type, b.type),
  op,
  a,
  b,
});
const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

describe('progs: C integer semantics', () => {
  it('promotes narrow operands to int before arithmetic', () => {
    // (unsigned char)200 + (signed char)-100 is int 100, not a wrapped 8-bit value.
    expect(binaryType('+', T_UCHAR, T_SCHAR)).toBe(T_INT);
    expect(evalBinary('+', 200n, T_UCHAR, -100n, T_SCHAR)).toBe(100n);
    expect(evalBinary('-', 0n, T_UCHAR, 1n, T_UCHAR)).toBe(-1n);
    expect(promote(T_CHAR)).toBe(T_INT);
  });

  it('applies the usual arithmetic conversions', () => {
    // -1 < 1u: -1 converts to UINT_MAX.
    expect(evalBinary('<', -1n, T_INT, 1n, T_UINT)).toBe(0n);
    // -1L < 1u: long holds every unsigned int, so the comparison is signed.
    expect(commonType(T_LONG, T_UINT)).toBe(T_LONG);
    expect(evalBinary('<', -1n, T_LONG, 1n, T_UINT)).toBe(1n);
    // long long vs unsigned long (both 64 bits): unsigned long long.
    expect(commonType(T_LLONG, T_ULONG)).toBe(T_ULLONG);
    expect(evalBinary('==', -1n, T_LLONG, 2n ** 64n - 1n, T_ULONG)).toBe(1n);
    expect(commonType(T_UCHAR, T_UINT16)).toBe(T_INT);
  });

  it('wraps unsigned arithmetic and detects signed overflow', () => {
    expect(evalBinary('-', 0n, T_UINT, 1n, T_INT)).toBe(2n ** 32n - 1n);
    expect(evalBinary('*', 2n ** 63n, T_ULLONG, 2n, T_INT)).toBe(0n);
    expect(evalBinary('+', INT_MAX, T_INT, 1n, T_INT)).toBeNull();
    // uint16_t * uint16_t promotes to int: 65535 * 65535 overflows int (undefined), 255 * 255 does not.
    expect(binaryType('*', T_UINT16, T_UINT16)).toBe(T_INT);
    expect(evalBinary('*', 65535n, T_UINT16, 65535n, T_UINT16)).toBeNull();
    expect(evalBinary('*', 255n, T_UINT16, 255n, T_UINT16)).toBe(65025n);
  });

  it('detects undefined division and truncates toward zero', () => {
    expect(evalBinary('/', 7n, T_INT, 0n, T_INT)).toBeNull();
    expect(evalBinary('%', 7n, T_INT, 0n, T_INT)).toBeNull();
    expect(evalBinary('/', INT_MIN, T_INT, -1n, T_INT)).toBeNull();
    expect(evalBinary('%', INT_MIN, T_INT, -1n, T_INT)).toBeNull();
    expect(evalBinary('/', -7n, T_INT, 2n, T_INT)).toBe(-3n);
    expect(evalBinary('%', -7n, T_INT, 2n, T_INT)).toBe(-1n);
    // INT_MIN / -1 in unsigned arithmetic is fine.
    expect(evalBinary('/', INT_MIN, T_INT, -1n, T_UINT)).toBe(0n);
  });

  it('detects undefined shifts', () => {
    expect(evalBinary('<<', -1n, T_INT, 1n, T_INT)).toBeNull(); // negative left operand
    expect(evalBinary('<<', 1n, T_INT, 31n, T_INT)).toBeNull(); // into the sign bit
    expect(evalBinary('<<', 1n, T_INT, 30n, T_INT)).toBe(2n ** 30n);
    expect(evalBinary('<<', 1n, T_UINT, 31n, T_INT)).toBe(2n ** 31n);
    expect(evalBinary('<<', 1n, T_CHAR, 32n, T_INT)).toBeNull(); // width of the promoted type (int)
    expect(evalBinary('>>', 1n, T_LONG, 40n, T_INT)).toBe(0n);
    expect(evalBinary('>>', 1n, T_INT, -1n, T_INT)).toBeNull();
    expect(evalBinary('>>', -8n, T_INT, 1n, T_INT)).toBe(-4n); // arithmetic (implementation-defined)
    expect(binaryType('<<', T_UCHAR, T_ULLONG)).toBe(T_INT); // type of the promoted left operand
  });

  it('converts values and negates', () => {
    expect(convert(300n, T_UCHAR)).toBe(44n);
    expect(convert(200n, T_SCHAR)).toBe(-56n);
    expect(convert(-1n, T_ULLONG)).toBe(2n ** 64n - 1n);
    expect(evalUnary('-', INT_MIN, T_INT)).toBeNull();
    expect(evalUnary('-', 1n, T_UINT)).toBe(2n ** 32n - 1n);
    expect(evalUnary('~', 0n, T_UCHAR)).toBe(-1n); // promoted to int first
    expect(evalUnary('!', 5n, T_INT)).toBe(0n);
  });
});

describe('progs: undefined behaviour is rewritten locally', () => {
  const m = new Machine();
  it('turns an overflowing + into -, x / 0 into x * 0', () => {
    const add = bin('+', c(T_INT, INT_MAX), c(T_INT, 1n));
    expect(m.eval(add, [])).toBe(INT_MAX - 1n);
    expect(add.op).toBe('-');
    const div = bin('/', c(T_INT, 5n), c(T_INT, 0n));
    expect(m.eval(div, [])).toBe(0n);
    expect(div.op).toBe('*');
    const min = bin('/', c(T_INT, INT_MIN), c(T_INT, -1n));
    expect(m.eval(min, [])).not.toBeNull();
    expect(min.op).not.toBe('/');
  });

  it('masks an oversized shift amount and turns a negative << into >>', () => {
    const big = bin('<<', c(T_INT, 1n), c(T_INT, 40n));
    expect(m.eval(big, [])).toBe(256n); // 40 & 31 = 8
    expect(big.b.k).toBe('binary');
    const neg = bin('<<', c(T_INT, -16n), c(T_INT, 2n));
    expect(m.eval(neg, [])).toBe(-4n);
    expect(neg.op).toBe('>>');
  });

  it('wraps an out-of-bounds index', () => {
    const arr: Var = {
      name: 'a',
      kind: 'array',
      type: T_INT,
      global: false,
      isStatic: false,
      slot: 0,
      init: [1n, 2n, 3n],
      length: 3,
      struct: undefined,
      target: undefined,
    };
    const read: Expr = { k: 'read', type: T_INT, place: { k: 'elem', v: arr, index: c(T_INT, -1n) } };
    expect(m.eval(read, [[10n, 20n, 30n]])).toBe(10n); // (unsigned)-1 % 3 = 0
  });

  it('never rewrites in frozen mode', () => {
    const f = new Machine();
    f.frozen = true;
    expect(() => f.eval(bin('+', c(T_INT, INT_MAX), c(T_INT, 1n)), [])).toThrow();
  });
});

describe('progs: generation', () => {
  const g = loadGrammar();

  it('is deterministic: same seed, same text', () => {
    for (const seed of [0, 1, 42, 123456789]) {
      const a = generate(g, seed).text;
      const b = generate(loadGrammar(), seed).text;
      expect(a).toBe(b);
    }
    expect(generate(g, 1).text).not.toBe(generate(g, 2).text);
  });

  it('produces self-checking programs whose re-run matches the expected values', () => {
    for (let seed = 0; seed < 300; seed++) {
      const p = generate(g, seed);
      expect(p.text).toContain('chk_result(chk_sum,');
      expect(p.text).toContain(`expected-stdout: ${p.expectedStdout.trim()}`);
      verifyProgram(p.program); // throws on UB left on the executed path or on a value mismatch
    }
  });

  it('covers the constructs of the default grammar', () => {
    const all = Array.from({ length: 200 }, (_, s) => generate(g, s).text).join('\n');
    for (const needle of [
      'for (int',
      'struct S_',
      '*p_',
      'f_1(',
      '[',
      ' ? ',
      ' << ',
      ' >> ',
      ' % ',
      ' && ',
    ]) {
      expect(all).toContain(needle);
    }
    for (const t of [
      'unsigned char',
      'signed char',
      'short',
      'long long',
      'int8_t',
      'uint64_t',
      'uint16_t',
    ]) {
      expect(all).toContain(`${t} `);
    }
  });

  it('prints minimal but correct parentheses and literals', () => {
    const p = generate(g, 5).program;
    const text = printProgram(p);
    expect(text).not.toMatch(/\*p_\d+(\+\+|--)/); // postfix on a dereference needs (*p)++
    expect(text).not.toMatch(/-2147483648\b/); // INT_MIN has no literal
  });

  it('respects the weights of the alternatives', () => {
    const counts = new Map<Alt, number>();
    for (let seed = 0; seed < 400; seed++) generate(g, seed, { counts });
    for (const name of ['type', 'unary_expr']) {
      const rule = g.rules.get(name);
      if (!rule) throw new Error(name);
      const n = rule.alts.reduce((s, a) => s + (counts.get(a) ?? 0), 0);
      expect(n).toBeGreaterThan(2000);
      for (const a of rule.alts) {
        const observed = (counts.get(a) ?? 0) / n;
        const expected = a.weight / rule.total;
        expect(Math.abs(observed - expected)).toBeLessThan(0.025);
      }
    }
  });

  it('follows a user grammar (only the constructs it allows)', () => {
    const src = `
      main_body : 100 list ;
      list : 10 stmt | 90 stmt list ;
      stmt : 100 @make_identifier "=" expr ";" ;
      expr : 50 constant | 50 expr "^" expr ;
      type : 100 "uint8_t" ;
    `;
    const mine = parseGrammar(src, 'mine.grammar');
    const t = generate(mine, 3, { grammarFile: 'mine.grammar' }).text;
    expect(t).toContain('--grammar mine.grammar');
    const body = t.slice(t.indexOf('int main(void)'));
    expect(body).not.toMatch(/ [+*/%] |for \(|if \(/);
    expect(body).toMatch(/ \^ /);
    expect(t).toMatch(/uint8_t v_\d+ = /);
  });
});

describe('progs: grammar errors are one line with a position', () => {
  const cases: [string, RegExp][] = [
    ['main_body : stmt ;', /g\.grammar:1:13: expected a weight/],
    ['main_body : 100 nothing ;', /g\.grammar:1:17: unknown rule or action 'nothing'/],
    ['x : 100 "(" "(" ;', /'\( \(' is not an integer type name/],
    ['x : 100 "if" constant ;', /unsupported alternative shape/],
    ['x : 100 constant | 100 "int" ;', /mixes alternatives building an expr and a type/],
    ['x : 100 x "+" x ;', /can never finish/],
    ['x : 100 "int ;', /g\.grammar:1:9: unterminated string/],
    ['type : 100 "int" ;', /must define rule 'main_body'/],
    ['%bogus 3', /unknown option '%bogus'/],
    [
      's : 100 constant "=" constant ";" ;',
      /left side of = must be a place, but action 'constant' builds an expr/,
    ],
  ];
  for (const [src, re] of cases) {
    it(re.source, () => {
      let err: unknown;
      try {
        parseGrammar(src, 'g.grammar');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UserError);
      const line = (err as UserError).format();
      expect(line).toMatch(re);
      expect(line).toMatch(/^g\.grammar:\d+:\d+: /);
      expect(line).not.toContain('\n');
    });
  }
});
