/**
 * @fileoverview The pre-selection sample (`gen --sample`, issue 12 item 5) and the final choice of inputs.
 *
 * The sample: runs that ended normally, drawn before the search chooses what to keep, so that native replay
 * can be measured where selection cannot hide engine/native differences. Checked here: the sample leaves
 * the search as it was (same records, runs and steps), its records end normally and replay in the engine,
 * it is the same for the same seed in any session and for any --jobs (campaign files byte for byte), and
 * `replay OUT/sample` reads it with the run's options. The choice (`chooseCover`): a run native code cannot
 * replay (a budget exhausted, unsupported asm) is kept only when no run of the function can be replayed.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNormalOutcome, type OutcomeKind } from '../src/engine/outcome.js';
import { encodeRecord } from '../src/gen/record.js';
import { GenSession, type RunRecord } from '../src/gen/runtime.js';
import { runCampaign } from '../src/guide/campaign.js';
import { replayBatch } from '../src/guide/replay-batch.js';
import { chooseCover, DEFAULT_SEARCH, Sampler, searchFunction, type Kept } from '../src/guide/search.js';
import { parseModule } from '../src/ir/parser.js';
import { replayInEngine } from '../src/replay/engine.js';
import { compileToIR } from '../src/toolchain/compile.js';
import { outputFiles } from './gen-fixture.js';
import { Rng } from '../src/util/rng.js';

const SOURCE = String.raw`
#include <string.h>
struct node { int v; struct node *next; };
int classify(int x) { if (x < 0) return -1; if (x == 0) return 0; if (x > 1000) return 2; return 1; }
int list_sum(struct node *n) { int s = 0; while (n) { s += n->v; n = n->next; } return s; }
int count_a(const char *s) { int c = 0; for (; *s; s++) if (*s == 'a') c++; return c; }
int parse_kv(const char *s, char *key, int cap) {
  const char *eq = strchr(s, '=');
  if (!eq) return -1;
  int n = eq - s;
  if (n >= cap) return -2;
  memcpy(key, s, n); key[n] = 0;
  return n;
}
`;

let dir: string;
let file: string;

function session(): GenSession {
  return new GenSession(parseModule(readFileSync(file, 'utf8'), file), {
    modulePath: 'sample.ll',
    moduleHash: 'h',
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-guide-sample-'));
  const src = join(dir, 'sample.c');
  file = join(dir, 'sample.ll');
  writeFileSync(src, SOURCE);
  await compileToIR(src, file, { opt: 'O1' });
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FUNCTIONS = ['classify', 'list_sum', 'count_a', 'parse_kv'];

describe('the pre-selection sample', () => {
  it('leaves the search as it was, ends normally and replays in the engine', () => {
    const a = session();
    const b = session();
    try {
      for (const fn of FUNCTIONS) {
        const plain = searchFunction(a, fn, { ...DEFAULT_SEARCH, seed: '3' });
        const sampled = searchFunction(b, fn, { ...DEFAULT_SEARCH, seed: '3', sample: 3 });
        expect(plain.sample).toEqual([]);
        expect(sampled.runs).toBe(plain.runs);
        expect(sampled.steps).toBe(plain.steps);
        expect(sampled.records.map(encodeRecord)).toEqual(plain.records.map(encodeRecord));
        expect(sampled.sample.length, fn).toBeGreaterThan(0);
        expect(sampled.sample.length).toBeLessThanOrEqual(3);
        sampled.sample.forEach((r, i) => {
          expect(r.index).toBe(i);
          expect(r.function).toBe(fn);
          expect(isNormalOutcome(r.outcome.kind as OutcomeKind)).toBe(true);
          expect(replayInEngine(b, r)).toEqual({ status: 'ok', reason: '' });
        });
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('is the same for the same seed, and another for another seed', () => {
    const a = session();
    const b = session();
    try {
      const one = searchFunction(a, 'count_a', { ...DEFAULT_SEARCH, seed: '5', sample: 2 });
      const two = searchFunction(b, 'count_a', { ...DEFAULT_SEARCH, seed: '5', sample: 2 });
      expect(two.sample.map(encodeRecord)).toEqual(one.sample.map(encodeRecord));
      const other = searchFunction(b, 'count_a', { ...DEFAULT_SEARCH, seed: '6', sample: 2 });
      expect(other.sample.map(encodeRecord)).not.toEqual(one.sample.map(encodeRecord));
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('draws uniformly among the normal runs (reservoir), building few records', () => {
    // 1,000 runs offered to a sampler of 2, 2,000 times: each run is drawn with probability 2/1000.
    const hits = new Array<number>(10).fill(0);
    let built = 0;
    for (let t = 0; t < 2000; t++) {
      const s = new Sampler(2, new Rng(t + 1));
      for (let run = 0; run < 1000; run++) {
        const slot = s.offer(run % 10 === 9 ? 'step-limit' : 'returned');
        if (slot < 0) continue;
        built++;
        s.put(slot, { function: String(run) } as never);
      }
      for (const r of s.records()) hits[Math.floor(Number(r.function) / 100)]!++;
    }
    // Each tenth of the runs holds 90 normal ones: 400 draws expected in each, never a step-limit run.
    for (const h of hits) expect(Math.abs(h - 400)).toBeLessThan(100);
    // About 2 * (1 + ln(900 / 2)) = 14 records built per function, not 900.
    expect(built / 2000).toBeLessThan(20);
  });

  it('is byte for byte the same with --jobs 1 and 2, and `replay OUT/sample` replays it', async () => {
    const run = async (jobs: number): Promise<string> => {
      const out = join(dir, `out-${jobs}`);
      await runCampaign({ inputs: [file], out, jobs, sample: 2, seed: '1' });
      return out;
    };
    const one = await run(1);
    const two = await run(2);
    const files = outputFiles;
    const listed = files(one);
    expect(files(two)).toEqual(listed);
    const samples = listed.filter((f) => f.startsWith('sample/'));
    expect(samples.length).toBeGreaterThanOrEqual(FUNCTIONS.length);
    for (const f of listed) expect(readFileSync(join(two, f)), f).toEqual(readFileSync(join(one, f)));
    expect(JSON.parse(readFileSync(join(one, 'run.json'), 'utf8')).sample).toBe(2);

    const vs = await replayBatch([join(one, 'sample')], { jobs: 2 });
    expect(vs.length).toBe(samples.length);
    for (const v of vs) expect(v.engine, v.file).toEqual({ status: 'ok', reason: '' });
  }, 120_000);
});

describe('choosing the inputs to keep', () => {
  const kept = (outcome: OutcomeKind, blocks: number[]): Kept => ({
    run: { outcome } as RunRecord,
    blocks: new Set(blocks),
    picked: 0,
  });

  it('keeps no step-limit run whose blocks normal runs cover', () => {
    const loop = kept('step-limit', [0, 1, 2, 3, 4]);
    const a = kept('returned', [0, 1, 2]);
    const b = kept('returned', [0, 3, 4]);
    const chosen = chooseCover([loop, a, b], 5);
    expect(chosen).toEqual([a, b]);
    // Even when the step-limit run covers most on its own and is found first.
    expect(chooseCover([loop, kept('returned', [0, 1, 2, 3, 4])], 5).map((k) => k.run.outcome)).toEqual([
      'returned',
    ]);
  });

  it('keeps no run native code cannot replay while some run can, even for blocks only it reached', () => {
    const loop = kept('step-limit', [0, 1, 5]);
    const asm = kept('unsupported-asm', [0, 6]);
    const a = kept('returned', [0, 1, 2]);
    const crash = kept('null-deref', [0, 3]);
    expect(chooseCover([loop, asm, a, crash], 5)).toEqual([a, crash]);
  });

  it('keeps one such run when no run can be replayed: every function gets an input', () => {
    const loop = kept('step-limit', [0, 1, 5]);
    const asm = kept('unsupported-asm', [0, 6, 7, 8]);
    expect(chooseCover([loop, asm], 5)).toEqual([asm]);
  });
});
