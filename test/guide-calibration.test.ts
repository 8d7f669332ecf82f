/**
 * @fileoverview The calibrated step budget of a search's runs (guide/search.ts `RunBudget`): a run gets a
 * multiple of the longest run so far that ended by itself, so runs looping on a generated count stop
 * early; a function whose runs are all long still gets the session's budget; a record stopped by a
 * lowered budget carries it and replays with it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import { Plan } from '../src/gen/plan.js';
import { intRec } from '../src/gen/record.js';
import { GenSession } from '../src/gen/runtime.js';
import { replayInEngine } from '../src/replay/engine.js';
import { DEFAULT_SEARCH, RunBudget, searchFunction } from '../src/guide/search.js';
import { compileToIR } from '../src/toolchain/compile.js';
import { Rng } from '../src/util/rng.js';

const SOURCE = String.raw`
long spin(unsigned n, long k) {
  long s = k;
  for (unsigned i = 0; i < n; i++) s ^= (s << 5) + i;
  if (n > 3 && k == 12345 && (s & 0xfffff) == 0x12345) return -s;
  return s;
}
long always(void) { long s = 0; for (volatile int i = 0; i < 60000; i++) s += i; return s; }
`;

let dir: string;
let session: GenSession;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-calibration-'));
  const src = join(dir, 'cal.c');
  const file = join(dir, 'cal.ll');
  writeFileSync(src, SOURCE);
  await compileToIR(src, file, { opt: 'O1' });
  session = new GenSession(parseModule(readFileSync(file, 'utf8'), file), {
    modulePath: 'cal.ll',
    moduleHash: 'h',
  });
}, 120_000);

afterAll(() => {
  session?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('RunBudget', () => {
  it('is off with factor 0, else a multiple of the longest run that ended by itself, within floor and limit', () => {
    expect(new RunBudget({ runStepFactor: 0, runStepFloor: 10 }, 1000).next()).toBeUndefined();
    const b = new RunBudget({ runStepFactor: 8, runStepFloor: 100 }, 1000);
    expect(b.next()).toBe(100);
    b.ended('returned', 30);
    expect(b.next()).toBe(240);
    b.ended('out-of-bounds-read', 60);
    expect(b.next()).toBe(480);
    b.ended('step-limit', 480);
    expect(b.next()).toBe(480);
    b.ended('returned', 200);
    // 8 x 200 is past the session's budget: the session's own (undefined).
    expect(b.next()).toBeUndefined();
  });

  it('doubles the floor on each run a lowered budget stops while no run has ended by itself', () => {
    const b = new RunBudget({ runStepFactor: 8, runStepFloor: 100 }, 1000);
    const seen: (number | undefined)[] = [];
    for (let i = 0; i < 6; i++) {
      seen.push(b.next());
      b.ended('step-limit', seen[i] ?? 1000);
    }
    expect(seen).toEqual([100, 200, 400, 800, undefined, undefined]);
  });
});

describe('search with a calibrated step budget', () => {
  it('spends fewer steps on a loop bounded by a generated count, covering as much', () => {
    const full = searchFunction(session, 'spin', { ...DEFAULT_SEARCH, seed: '3', runStepFactor: 0 });
    const cal = searchFunction(session, 'spin', { ...DEFAULT_SEARCH, seed: '3' });
    expect(cal.steps).toBeLessThan(full.steps);
    expect(cal.covered).toBeGreaterThanOrEqual(full.covered);
    for (const r of cal.records) expect(replayInEngine(session, r).status).toBe('ok');
  });

  it('gives a function whose every run is long a run that returns', () => {
    const r = searchFunction(session, 'always', { ...DEFAULT_SEARCH, seed: '1', runStepFloor: 1000 });
    expect(r.records.map((x) => x.outcome.kind)).toContain('returned');
  });
});

describe('a record stopped by a lowered budget', () => {
  it('carries the budget, and replays with it (without it the replay runs further)', () => {
    const plan = new Plan();
    plan.args = [intRec(32, 0xffffffffn), intRec(64, 7n)];
    const r = session.run('spin', plan, 'gen', new Rng(1), { seed: '1', index: 0, stepLimit: 5000 }).record;
    expect(r.outcome.kind).toBe('step-limit');
    expect(r.stepLimit).toBe(5000);
    expect(replayInEngine(session, r).status).toBe('ok');
    const { stepLimit: _dropped, ...without } = r;
    expect(replayInEngine(session, without).status).toBe('mismatch');
  });
});
