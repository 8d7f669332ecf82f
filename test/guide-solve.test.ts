/**
 * @fileoverview Solver-guided search (`gen --solve N`, issue 16): kept inputs run again concolically, the
 * conditions of branches toward blocks no input reached negated and solved with z3, the solutions run as
 * candidates.
 *
 * Checked here: expressions fold what a byte-wise store and load splits and joins, and a query's text does
 * not depend on what was built before it (determinism across workers); on functions whose blocks sit
 * behind relations between inputs (arithmetic on several arguments, struct fields, string bytes, strcmp,
 * a switch on a computed value, an unmodelled call's result, doubles, a pointer to its own object, a
 * writable global) the solver reaches every
 * block, and its solutions reach the blocks they aimed at; without the solver the same search leaves
 * blocks uncovered (so the test fails if solving stops working); a campaign with --solve writes the same
 * files for 1 and 2 workers, and its inputs replay in the engine.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCampaign } from '../src/guide/campaign.js';
import { DEFAULT_SEARCH, searchFunction, searchFunctionSolving } from '../src/guide/search.js';
import * as X from '../src/guide/sym/expr.js';
import { Solver, parseModel } from '../src/guide/sym/z3.js';
import { searchModel } from '../src/guide/sym/avm.js';
import { replayInEngine } from '../src/replay/engine.js';
import { genFixture, outputFiles, type GenFixture } from './gen-fixture.js';

const SOURCE = String.raw`
#include <string.h>
struct pt { int x, y; unsigned tag; };
int ext_value(int);
int g_mode;
int rel(int a, int b, int c) {
  int r = 0;
  if (a * 3 + b == 0x12345 && (a ^ c) == 0x77) r += b > c ? 1 : 2;
  if ((unsigned)a * (unsigned)b == 0xdeadbeefu) r += 4;
  if (a + b + c == 1000000 && a - b == 17 && c > 0) r += 8;
  return r;
}
int fields(const struct pt *p) {
  int r = 0;
  if (p->x + p->y == 4242 && p->tag == (unsigned)(p->x << 3)) r += 1;
  if (p->x * p->y == 391 && p->x > 1 && p->y > 1) r += 2;
  return r;
}
int text(const char *s) {
  if (s[0] + s[1] == 200 && s[2] == (s[0] ^ 0x20) && s[3] == 'q') return 1;
  if (strcmp(s, "magic-word") == 0) return 2;
  return 0;
}
int sw(unsigned x, unsigned y) {
  switch ((x * 7 + y) & 0xffff) { case 1234: return 1; case 4321: return 2; case 99: return 3; default: return 0; }
}
int ext(int x) {
  int v = ext_value(x);
  if (v * 5 - x == 123457) return 1;
  return 0;
}
int flt(double x, double y) {
  if (x * y > 100.0 && x - y < 0.5 && x > y) return 1;
  return 0;
}
struct st { struct st *self; struct st *next; int magic; };
int ptrs(struct st *s) {
  if (s->self == s && s->next != 0 && s->magic == 0x1234) return 1;
  return 0;
}
int glob(int x) {
  if (g_mode * 9 + x == 9001 && g_mode > 3) return 1;
  return 0;
}
`;

const FUNCTIONS = ['rel', 'fields', 'text', 'sw', 'ext', 'flt', 'ptrs', 'glob'];

describe('expressions', () => {
  it('a value stored byte by byte and loaded again is itself', () => {
    const v = X.variable('a0', 32);
    const bytes = [0, 1, 2, 3].map((i) => X.extract(8 * i + 7, 8 * i, v));
    let joined = bytes[0]!;
    for (let i = 1; i < 4; i++) joined = X.concat(bytes[i]!, joined);
    expect(joined).toBe(v);
    expect(X.extract(15, 8, X.zext(X.variable('o1_0', 8), 32)).op).toBe('const');
  });

  it('a query has the same text whatever was built before it', () => {
    const build = (): string => {
      const a = X.variable('a0', 32);
      const b = X.variable('a1', 32);
      const s = X.binary('bvadd', a, b);
      return X.smtQuery([X.compare('=', X.binary('bvmul', s, s), X.constant(32, 9n))]);
    };
    const first = build();
    for (let i = 0; i < 100; i++) X.variable(`junk${i}`, 8);
    expect(build()).toBe(first);
    expect(first).toContain('(define-fun t0 () (_ BitVec 32) (bvadd a0 a1))');
  });

  it('reads a model', () => {
    const v = parseModel('o1_m3 -> #b101\na0 -> #x0000002a\nc2 -> #xff\n');
    expect([...v]).toEqual([
      ['o1_m3', 5n],
      ['a0', 42n],
      ['c2', 255n],
    ]);
  });
});

describe('search-based solving (alternating variable method)', () => {
  it('solves a double relation z3 is not asked about, and a non-linear integer one', () => {
    const bits = X.variable('a0', 64);
    const x = X.fpOp('fp.bits2f', -64, [bits]);
    const c = (v: number): X.Sym => X.fpOp('fp.bits2f', -64, [X.constant(64, X.fpBits(-64, v))]);
    const olt = BigInt(X.FCMP_PREDS.indexOf('olt'));
    const ogt = BigInt(X.FCMP_PREDS.indexOf('ogt'));
    // x * x > 1000 and x < 40
    const sq = X.fpOp('fp.mul', -64, [x, x]);
    const conds = [X.fpOp('fp.cmp', 0, [sq, c(1000)], ogt), X.fpOp('fp.cmp', 0, [x, c(40)], olt)];
    const m = searchModel(conds, ['a0'], new Map([['a0', X.fpBits(-64, 1.5)]]), 4000);
    expect(m).toBeDefined();
    const v = X.fpValue(-64, m!.get('a0')!);
    expect(v * v > 1000 && v < 40).toBe(true);
    const a = X.variable('a1', 32);
    const eq = X.compare('=', X.binary('bvmul', a, a), X.constant(32, 1369n));
    const n = searchModel([eq], ['a1'], new Map([['a1', 3n]]), 4000);
    expect(n?.get('a1')).toBe(37n);
  });
});

describe('solver-guided search', () => {
  let fx: GenFixture;
  let solver: Solver;
  beforeAll(async () => {
    fx = await genFixture('solve', SOURCE);
    solver = await Solver.open(200_000);
  }, 120_000);
  afterAll(() => {
    fx.session.dispose();
    rmSync(fx.dir, { recursive: true, force: true });
  });

  it('z3 answers sat with a model, unsat, and the same model again', async () => {
    const a = X.variable('a0', 32);
    const q = X.smtQuery([X.compare('=', X.binary('bvmul', a, X.constant(32, 3n)), X.constant(32, 0x369n))]);
    const r = await solver.check(q);
    expect(r.status).toBe('sat');
    expect(r.status === 'sat' && (r.values.get('a0')! * 3n) % (1n << 32n)).toBe(0x369n);
    expect(r.cost).toBeGreaterThan(0);
    const odd = X.compare('=', X.extract(0, 0, X.binary('bvmul', a, X.constant(32, 2n))), X.constant(1, 1n));
    expect((await solver.check(X.smtQuery([odd]))).status).toBe('unsat');
    const again = await Solver.open(200_000);
    expect(await again.check(q)).toEqual(r);
  });

  it('covers every block behind input relations, where mutation alone does not', async () => {
    const o = { ...DEFAULT_SEARCH, seed: '1' };
    let mutationShort = 0;
    for (const fn of FUNCTIONS) {
      const plain = searchFunction(fx.session, fn, o);
      const solved = await searchFunctionSolving(fx.session, fn, { ...o, solve: 50 }, solver);
      expect(solved.covered, fn).toBe(solved.blocks);
      expect(solved.covered, fn).toBeGreaterThanOrEqual(plain.covered);
      if (plain.covered < plain.blocks) mutationShort++;
      // Solutions aimed at a block of the function reach it (the interpreter follows the engine).
      expect(solved.solve.hit, fn).toBe(solved.solve.aimed);
      for (const rec of solved.records) expect(replayInEngine(fx.session, rec).status, fn).toBe('ok');
    }
    expect(mutationShort).toBeGreaterThanOrEqual(4);
  }, 120_000);

  it('writes the same files for 1 and 2 workers', async () => {
    const run = async (jobs: number): Promise<string> => {
      const out = join(fx.dir, `out${jobs}`);
      const r = await runCampaign({ inputs: [fx.file], out, jobs, seed: '1', solve: 50 });
      expect(r.summary.totals.meanCoverage).toBe(1);
      return out;
    };
    const one = await run(1);
    const two = await run(2);
    const files = outputFiles(one);
    expect(outputFiles(two)).toEqual(files);
    const { readFileSync } = await import('node:fs');
    for (const f of files)
      expect(readFileSync(join(two, f), 'utf8'), f).toBe(readFileSync(join(one, f), 'utf8'));
  }, 120_000);
});
