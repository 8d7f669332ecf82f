/**
 * @fileoverview Budget outcomes stay outcomes (issue 12): a heap budget exhausted by a run, or by what the
 * generation runtime does around a run (building its record), is the run's `memory-limit` outcome, never
 * an exception escaping the search (which a campaign reports as `internal-error`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import { Plan } from '../src/gen/plan.js';
import { intRec } from '../src/gen/record.js';
import { GenSession } from '../src/gen/runtime.js';
import { DEFAULT_SEARCH, searchFunction } from '../src/guide/search.js';
import { compileToIR } from '../src/toolchain/compile.js';
import { Rng } from '../src/util/rng.js';

const SOURCE = String.raw`
#include <stdio.h>
struct s { char name[200]; int k; };
int tmpfiles(int n) { int c = 0; for (int i = 0; i < n; i++) if (tmpfile()) c++; return c; }
long sum_structs(struct s *a, int n) { long t = 0; for (int i = 0; i < n; i++) t += a[i].k + a[i].name[i % 200]; return t; }
`;

let dir: string;
let session: GenSession;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-guide-budget-'));
  const src = join(dir, 'budget.c');
  const file = join(dir, 'budget.ll');
  writeFileSync(src, SOURCE);
  await compileToIR(src, file, { opt: 'O1' });
  // A heap budget smaller than one FILE (216 bytes and its redzone).
  session = new GenSession(parseModule(readFileSync(file, 'utf8'), file), {
    modulePath: 'budget.ll',
    moduleHash: 'h',
    limits: { memLimitBytes: 200 },
  });
}, 120_000);

afterAll(() => {
  session?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('heap budget', () => {
  it('a run that exhausts it ends memory-limit', () => {
    const plan = new Plan();
    plan.args = [intRec(32, 3n)];
    const r = session.run('tmpfiles', plan, 'gen', new Rng(1), { seed: '1', index: 0 });
    expect(r.outcome).toBe('memory-limit');
    expect(r.record.outcome.message).toMatch(/heap exhausted allocating 216 bytes/);
    // The search keeps it only while no run can be replayed natively: here n <= 0 returns.
    const s = searchFunction(session, 'tmpfiles', { ...DEFAULT_SEARCH, seed: '1' });
    expect(s.records.map((x) => x.outcome.kind)).toEqual(['returned']);
  });

  it('building a record does not charge the run (no Trap escapes the search)', () => {
    // Recording resolves pointers, which may materialise a standard stream's FILE on the heap: before the
    // fix this threw "Trap: heap exhausted allocating 216 bytes" out of searchFunction.
    const r = searchFunction(session, 'sum_structs', { ...DEFAULT_SEARCH, seed: '1' });
    expect(r.records.length).toBeGreaterThan(0);
    expect(r.records.every((x) => x.outcome.kind !== 'internal-error')).toBe(true);
  });
});
