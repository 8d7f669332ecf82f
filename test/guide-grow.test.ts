/**
 * @fileoverview Workload inputs (`gen --grow STEPS`, issue 15): a bigger copy of each kept input that
 * returned, its size-like arguments doubled while it still returns, kept after the covering inputs.
 *
 * Checked here: growing leaves the search's own inputs as they were (same records, in front); a grown input
 * returns, has larger sizes than the input it came from and reaches the target (or stops where doubling
 * stops adding steps), and replays in the engine; functions without a size argument, or whose work does
 * not grow with it, get none; a campaign writes the same files for any --jobs and its grown inputs replay
 * natively.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRecord, type InputRecord } from '../src/gen/record.js';
import { GenSession } from '../src/gen/runtime.js';
import { runCampaign } from '../src/guide/campaign.js';
import { DEFAULT_SEARCH, searchFunction } from '../src/guide/search.js';
import { parseModule } from '../src/ir/parser.js';
import { replayInEngine } from '../src/replay/engine.js';
import { genFixture, outputFiles, type GenFixture } from './gen-fixture.js';

const SOURCE = String.raw`
#include <stddef.h>
#include <string.h>
unsigned sum(const unsigned char *p, size_t n) { unsigned s = 0; for (size_t i = 0; i < n; i++) s += p[i]; return s; }
void scale(float *a, int n, float k) { for (int i = 0; i < n; i++) a[i] *= k; }
size_t copy_upper(char *dst, const char *src, size_t cap) {
  size_t i = 0;
  for (; i + 1 < cap && src[i]; i++) dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? src[i] - 32 : src[i];
  if (cap) dst[i] = 0;
  return i;
}
size_t slen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
struct buf { unsigned len; unsigned char *data; };
unsigned bsum(const struct buf *b) { unsigned s = 0; for (unsigned i = 0; i < b->len; i++) s += b->data[i]; return s; }
int first(const char *s) { return s[0]; }
long at(const long *a, int i) { return a[i]; }
`;

const TARGET = 5000;
let fx: GenFixture;

/** Another session on the fixture's module, with its options. */
function session(): GenSession {
  return new GenSession(parseModule(fx.text, fx.file), fx.session.opts);
}

/** The integer arguments of a record, as bigints (null for other arguments). */
function ints(r: InputRecord): (bigint | null)[] {
  return r.args.map((a) => (a.t === 'int' ? BigInt(a.v) : null));
}

/** `r`'s integer arguments are `p`'s, each either equal or doubled one or more times. */
function grownFrom(p: InputRecord, r: InputRecord): boolean {
  const a = ints(p);
  const b = ints(r);
  let grew = false;
  const ok = a.every((v, i) => {
    const w = b[i];
    if (v === null || w === null || w === undefined) return v === w;
    if (w === v) return true;
    if (v < 1n || w % v !== 0n) return false;
    const q = w / v;
    grew = true;
    return q >= 2n && (q & (q - 1n)) === 0n;
  });
  return ok && grew;
}

beforeAll(async () => {
  fx = await genFixture('grow', SOURCE);
}, 120_000);

afterAll(() => {
  fx.session.dispose();
  rmSync(fx.dir, { recursive: true, force: true });
});

describe('workload inputs (gen --grow)', () => {
  it('adds grown copies after the covering inputs, bigger, returning and replayable', () => {
    const a = session();
    const b = session();
    try {
      for (const fn of ['sum', 'scale', 'copy_upper', 'slen', 'bsum']) {
        const plain = searchFunction(a, fn, { ...DEFAULT_SEARCH, seed: '2', maxInputs: 3 });
        const grown = searchFunction(b, fn, { ...DEFAULT_SEARCH, seed: '2', maxInputs: 3, grow: TARGET });
        const n = plain.records.length;
        // The search's own inputs are untouched and come first; growing is charged to the function.
        expect(grown.records.slice(0, n).map(encodeRecord)).toEqual(plain.records.map(encodeRecord));
        expect(grown.covered).toBe(plain.covered);
        expect(grown.runs).toBeGreaterThan(plain.runs);
        expect(grown.steps).toBeGreaterThan(plain.steps);
        const extra = grown.records.slice(n);
        expect(extra.length, fn).toBeGreaterThan(0);
        const most = Math.max(...plain.records.map((r) => r.outcome.steps));
        extra.forEach((r, k) => {
          expect(r.index).toBe(n + k);
          expect(r.outcome.kind).toBe('returned');
          expect(r.outcome.steps, fn).toBeGreaterThan(most);
          // Sizes passed as arguments are doubled (the other kinds grow inside the objects).
          if (fn === 'sum' || fn === 'scale')
            expect(
              plain.records.some((p) => grownFrom(p, r)),
              fn,
            ).toBe(true);
          const v = replayInEngine(b, r);
          expect(v.status, `${fn} #${r.index}`).toBe('ok');
        });
        // These loops take a step per element: the biggest reaches the target.
        expect(Math.max(...extra.map((r) => r.outcome.steps)), fn).toBeGreaterThanOrEqual(TARGET);
      }
    } finally {
      a.dispose();
      b.dispose();
    }
  });

  it('grows nothing where no argument is a size or the work does not grow with it', () => {
    const s = session();
    try {
      for (const fn of ['first', 'at']) {
        const plain = searchFunction(s, fn, { ...DEFAULT_SEARCH, seed: '2', maxInputs: 3 });
        const grown = searchFunction(s, fn, { ...DEFAULT_SEARCH, seed: '2', maxInputs: 3, grow: TARGET });
        expect(grown.records.map(encodeRecord), fn).toEqual(plain.records.map(encodeRecord));
      }
    } finally {
      s.dispose();
    }
  });

  it('writes the same files for any --jobs, and its grown inputs replay natively', async () => {
    const run = async (
      jobs: number,
      grow = TARGET,
    ): Promise<{ out: string; native: Record<string, number> | undefined }> => {
      const out = join(fx.dir, `out-${jobs}-${grow}`);
      const r = await runCampaign({
        inputs: [fx.file],
        out,
        jobs,
        seed: '1',
        maxInputs: 2,
        grow,
        native: true,
      });
      return { out, native: r.summary.totals.nativeReplay };
    };
    const one = await run(1);
    const two = await run(2);
    const files = outputFiles;
    const listed = files(one.out);
    expect(files(two.out)).toEqual(listed);
    for (const f of listed) expect(readFileSync(join(two.out, f)), f).toEqual(readFileSync(join(one.out, f)));
    expect(JSON.parse(readFileSync(join(one.out, 'run.json'), 'utf8')).grow).toBe(TARGET);
    // The grown inputs are added to the inputs of a run without them, which stay as they were.
    const plain = await run(2, 0);
    const inputs = (l: string[]): string[] => l.filter((f) => f.startsWith('inputs/'));
    const before = inputs(files(plain.out));
    for (const f of before)
      expect(readFileSync(join(one.out, f)), f).toEqual(readFileSync(join(plain.out, f)));
    // Every added input is a grown one: it returned, after more steps than any of its function's others.
    // (Which functions grow depends on the search's inputs, seeded by the module's temporary path; the
    // searchFunction test above pins them.)
    const added = inputs(listed).filter((f) => !before.includes(f));
    expect(added.length).toBeGreaterThan(0);
    for (const f of added) {
      const r = JSON.parse(readFileSync(join(one.out, f), 'utf8')) as InputRecord;
      const others = before.filter((g) => g.startsWith(f.slice(0, f.lastIndexOf('/') + 1)));
      expect(others.length, f).toBeGreaterThan(0);
      expect(r.outcome.kind).toBe('returned');
      for (const g of others)
        expect(r.outcome.steps, f).toBeGreaterThan(
          (JSON.parse(readFileSync(join(plain.out, g), 'utf8')) as InputRecord).outcome.steps,
        );
    }
    expect(one.native?.ok).toBeGreaterThan(0);
    expect(one.native).toMatchObject({ mismatch: 0, failed: 0, 'not-run': 0 });
  }, 300_000);
});
