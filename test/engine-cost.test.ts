/**
 * @fileoverview The cost model (src/engine/cost.ts): library work and bulk memory intrinsics are charged to
 * the run's deterministic step budget, so a step limit stops a loop of large memcpy/memset/strlen/printf
 * calls, the step count of such a run is the same every time, and each charge is the documented rate.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { COST } from '../src/engine/cost.js';
import { parseModule } from '../src/ir/parser.js';
import { irText } from './engine-native.js';

const SRC = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static char a[1 << 20], b[1 << 20];
volatile unsigned long sink;
int main(int argc, char **argv) {
  int kind = atoi(argv[1]);
  long n = atol(argv[2]);
  long iters = atol(argv[3]);
  memset(b, 'x', sizeof b - 1);
  for (long i = 0; i < iters; i++) {
    switch (kind) {
    case 0: memcpy(a, b, n); break;
    case 1: memset(a, (int)i, n); break;
    case 2: b[n] = 0; sink += strlen(b); b[n] = 'x'; break;
    case 3: sink += snprintf(a, 16, "%.*f", (int)n, 1e300); break;
    case 4: sink += snprintf(a, sizeof a, "%*d", (int)n, 7); break;
    }
  }
  return 0;
}
`;

const engine = new Engine(parseModule(irText(SRC, '-O1'), 'cost.ll'));

function run(kind: number, n: number, iters: number, stepLimit?: number) {
  // Same-length arguments, so that atol's own (charged) parsing costs the same in every run.
  const arg = (v: number) => String(v).padStart(10, '0');
  return engine.runMain({ args: [arg(kind), arg(n), arg(iters)], stepLimit });
}

/** Steps a run of `iters` iterations with work size n takes beyond the same run with size 0. */
function extra(kind: number, n: number, iters: number): number {
  const base = run(kind, 0, iters);
  const r = run(kind, n, iters);
  expect(base.outcome).toBe('returned');
  expect(r.outcome).toBe('returned');
  return r.steps - base.steps;
}

describe('cost model', () => {
  it('charges the memcpy and memset intrinsics per byte', () => {
    expect(extra(0, 1 << 20, 10)).toBe(10 * Math.floor((1 << 20) / COST.bulkBytes));
    expect(extra(1, 100_000, 7)).toBe(7 * Math.floor(100_000 / COST.bulkBytes));
  });

  it('charges strlen per byte scanned and printf per byte formatted', () => {
    expect(extra(2, 500_000, 3)).toBe(3 * Math.floor(500_000 / COST.scanBytes));
    // %*d with width n: n bytes of padding stored (the width 0 run stores the digit only).
    const e = extra(4, 200_000, 3);
    expect(e).toBeGreaterThanOrEqual(3 * (Math.floor(200_000 / COST.formatBytes) - 1));
    expect(e).toBeLessThanOrEqual(3 * (Math.floor(200_000 / COST.formatBytes) + 1));
  });

  for (const [name, kind, n] of [
    ['memcpy', 0, 1 << 20],
    ['memset', 1, 1 << 20],
    ['strlen', 2, (1 << 20) - 1],
    ['snprintf %.*f', 3, 1 << 24],
    ['printf padding', 4, 1 << 19],
  ] as const) {
    it(`a loop of large ${name} calls ends as step-limit, with the same steps every run`, () => {
      const r1 = run(kind, n, 1e9, 200_000);
      const r2 = run(kind, n, 1e9, 200_000);
      expect(r1.outcome).toBe('step-limit');
      expect(r2.outcome).toBe('step-limit');
      expect(r1.steps).toBe(r2.steps);
      expect(r1.steps).toBeGreaterThan(200_000);
    });
  }

  it('a run its step limit stops reports the steps it executed, not one budget chunk more', () => {
    // A function entry and then one step per iteration: the limit L is passed at step L + 1.
    const spin = new Engine(
      parseModule('define void @spin() {\nentry:\n  br label %l\nl:\n  br label %l\n}\n', 'spin.ll'),
    );
    for (const limit of [5, 1000, 70_000, 1_000_003]) {
      const r = spin.callFunction('spin', [], { stepLimit: limit });
      expect(r.outcome).toBe('step-limit');
      expect(r.steps).toBe(limit + 1);
    }
    // A charge that passes the limit counts whole (a memcpy of 1 MiB: 2^15 steps).
    const r = run(0, 1 << 20, 1e9, 200_000);
    expect(r.outcome).toBe('step-limit');
    expect(r.steps).toBeGreaterThan(200_000);
    expect(r.steps).toBeLessThanOrEqual(200_000 + (1 << 20) / COST.bulkBytes);
  });

  it('snprintf(buf, 16, "%.*f", 1000000, 1e300): the right result for a bounded charge', () => {
    const src = `#include <stdio.h>
int main(void) {
  char buf[16];
  int r = snprintf(buf, 16, "%.*f", 1000000, 1e300);
  printf("%d %s\\n", r, buf);
  return 0;
}
`;
    const e = new Engine(parseModule(irText(src, '-O1'), 'snp.ll'));
    const r = e.runMain();
    expect(r.outcome).toBe('returned');
    expect(Buffer.from(r.stdout).toString()).toBe('1000302 100000000000000\n');
    // 301 digits plus a million zeros that are only counted: a few hundred steps, not a million.
    expect(r.steps).toBeLessThan(1000);
    expect(r.steps).toBeGreaterThan(Math.floor(1_000_000 / COST.countedBytes));
  });
});
