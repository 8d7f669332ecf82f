/**
 * @fileoverview The per-function time guard (issue 12 item 3): a run stopped by a time limit is the one
 * outcome that is not deterministic and is never kept; the guard counts the thread's CPU time, so waiting
 * (a loaded machine) does not spend it; the engine stops a run at its caller's deadline; `searchAndReplay` stops a function that runs forever within its step budgets, keeping the
 * inputs found before, and leaves a function that ends in time exactly as the unguarded search finds it.
 * The assertions hold on a machine of any speed: they are about what the guard stops, not how fast.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { isDeterministicOutcome, OUTCOME_KINDS } from '../src/engine/outcome.js';
import type { Module } from '../src/ir/model.js';
import { parseModule } from '../src/ir/parser.js';
import { GenSession } from '../src/gen/runtime.js';
import { DEFAULT_SEARCH, searchAndReplay, searchFunction } from '../src/guide/search.js';
import { watchdogFor } from '../src/guide/workers.js';
import { CpuDeadline, threadCpuMs } from '../src/util/cputime.js';
import { DEFAULTS } from '../src/util/defaults.js';
import { compileToIR } from '../src/toolchain/compile.js';

// `spin` returns at once unless its argument is 12345 (which comparison feedback finds), then loops
// forever: with the step limit raised, only the guard stops it.
const SOURCE = String.raw`
int add(int a, int b) { return a < 0 ? a - b : a + b; }
int spin(int n) {
  if (n != 12345) return 1;
  volatile unsigned long k = 0;
  for (;;) k++;
}
`;

// Without calibration: a calibrated run budget (RunBudget) would stop the loop long before the guard.
const SEARCH = { ...DEFAULT_SEARCH, seed: '1', maxSteps: 1e15, runStepFactor: 0 };

let dir: string;
let m: Module;
let session: GenSession;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-guide-guard-'));
  const src = join(dir, 'guard.c');
  const file = join(dir, 'guard.ll');
  writeFileSync(src, SOURCE);
  await compileToIR(src, file, { opt: 'O1' });
  m = parseModule(readFileSync(file, 'utf8'), file);
  session = new GenSession(m, { modulePath: 'guard.ll', moduleHash: 'h', limits: { stepLimit: 1e12 } });
}, 120_000);

afterAll(() => {
  session?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('the outcome table', () => {
  it('has exactly one outcome that depends on the machine: time-limit', () => {
    expect(OUTCOME_KINDS.filter((k) => !isDeterministicOutcome(k))).toEqual(['time-limit']);
  });
});

describe('the CPU time deadline', () => {
  it('is not spent by waiting, only by running', () => {
    const cpu0 = threadCpuMs();
    if (cpu0 === undefined) return; // no per-thread clock here: the guard is the wall clock
    const d = new CpuDeadline(100);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300); // 300 ms of wall clock, idle
    expect(d.passed()).toBe(false);
    expect(d.at).toBeGreaterThan(Date.now());
    let spins = 0;
    while (!d.passed()) spins++;
    expect(spins).toBeGreaterThan(0);
    expect(threadCpuMs()! - cpu0).toBeGreaterThanOrEqual(100);
  });
});

describe('the engine', () => {
  it("ends a run at its caller's deadline, and says which limit stopped it", () => {
    const e = new Engine(m);
    try {
      const guarded = e.callFunction('spin', [12345], { stepLimit: 1e12, deadline: new CpuDeadline(50) });
      expect(guarded.outcome).toBe('time-limit');
      expect(guarded.message).toMatch(/deadline passed after \d+ steps/);
      // The run's own limit, earlier than the caller's deadline, is the one that stops it.
      const own = e.callFunction('spin', [12345], {
        stepLimit: 1e12,
        timeLimitMs: 50,
        deadline: new CpuDeadline(3_600_000),
      });
      expect(own.outcome).toBe('time-limit');
      expect(own.message).toMatch(/time budget exhausted/);
    } finally {
      e.dispose();
    }
  });
});

describe('the watchdog', () => {
  it('stays above the guard, so the guard stops a slow function and the worker lives', () => {
    if (process.env.INPUTSMITH_WATCHDOG_SECONDS !== undefined) return; // overridden: taken as given
    expect(watchdogFor(DEFAULTS.functionTimeoutSeconds * 1000)).toBe(DEFAULTS.watchdogSeconds * 1000);
    expect(watchdogFor(100_000)).toBe(400_000);
  });
});

describe('searchAndReplay', () => {
  it('stops a runaway function and keeps the inputs found before, never the stopped run', () => {
    const r = searchAndReplay(session, 'spin', SEARCH, 500);
    expect(r.guard).toMatch(/^the time guard \(0\.5 s of CPU\) stopped the search (in|after) run \d+/);
    expect(r.records.length).toBeGreaterThan(0);
    expect(r.records.map((x) => x.outcome.kind)).toContain('returned');
    expect(r.records.every((x) => isDeterministicOutcome(x.outcome.kind))).toBe(true);
    // No time left to replay them: they are marked, not counted.
    expect(r.engine.map((v) => v.status)).toEqual(r.records.map(() => 'not-run'));
    expect(session.deadline).toBeUndefined();
  });

  it('leaves a function that ends in time as the unguarded search finds it', () => {
    const guarded = searchAndReplay(session, 'add', SEARCH, 3_600_000);
    const plain = searchFunction(session, 'add', SEARCH);
    expect(guarded.guard).toBeUndefined();
    expect(guarded.records).toEqual(plain.records);
    expect(guarded.engine.map((v) => v.status)).toEqual(plain.records.map(() => 'ok'));
  });
});
