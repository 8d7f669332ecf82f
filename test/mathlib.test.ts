/**
 * inputsmith mathlib against the real libraries: glibc's and musl's maths functions measured against MPFR
 * (system libmpfr), a deliberately wrong implementation given with --impl-file found with its exact error
 * and argument, the exhaustive binary32 path on a range, and the CLI's one-line errors. Work directories
 * are temporary, so every run computes (no cache from earlier runs).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { runMathlib } from '../src/mathlib/run.js';
import { floatIntervals, parseHexFloat } from '../src/mathlib/inputs.js';
import { ulpError } from '../src/mathlib/measure.js';

const work = mkdtempSync(join(tmpdir(), 'isx-mathlib-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('mathlib measures', () => {
  it('finds glibc sqrtf and sqrt correctly rounded on every sampled input, and musl too', async () => {
    const r = await runMathlib({
      functions: ['sqrtf', 'sqrt'],
      impls: ['glibc', 'musl'],
      samples: 100_000,
      work,
    });
    for (const f of r.functions) {
      expect(f.inputs).toBe(100_000);
      for (const impl of ['glibc', 'musl']) {
        const t = f.impls[impl]?.tally;
        expect(t?.n).toBe(100_000);
        expect(t?.cr).toBe(100_000);
      }
    }
  });

  it('finds a wrong implementation given with --impl-file, with its error and argument', async () => {
    // Correctly rounded sqrtf (double sqrt rounded once more is exact for sqrt), except at 2.0f: 5 ulps up.
    const src = join(work, 'wrong.c');
    writeFileSync(
      src,
      [
        '#include <math.h>',
        '#include <string.h>',
        'float sqrtf(float x) {',
        '  float r = (float)sqrt((double)x);',
        '  if (x == 2.0f) { unsigned u; memcpy(&u, &r, 4); u += 5; memcpy(&r, &u, 4); }',
        '  return r;',
        '}',
        '',
      ].join('\n'),
    );
    // Exhaustive over [1.5, 2.5): 6 291 456 floats, all but one correctly rounded.
    const r = await runMathlib({
      functions: ['sqrtf', 'expf'],
      impls: [],
      implFiles: [{ name: 'wrong', path: src }],
      range: [1.5, 2.5],
      work,
    });
    const f = r.functions[0];
    expect(f?.exhaustive).toBe(true);
    expect(f?.inputs).toBe(0x40200000 - 0x3fc00000);
    const t = f?.impls.wrong?.tally;
    expect(t?.cr).toBe((f?.inputs ?? 0) - 1);
    // sqrt(2) = 1.41421356237..., the float 0x3fb504f3 is 0.203 ulp below it; 5 ulps up is 4.797 away.
    expect(t?.maxErr).toBeGreaterThan(4.796);
    expect(t?.maxErr).toBeLessThan(4.798);
    expect(t?.maxAt[0]).toMatch(/^0x40000000 /);
    expect(t?.maxGot).toBe('0x3fb504f8');
    expect(t?.maxWant).toBe('0x3fb504f3');
    // Distance histogram: one result 5 ulps away (bucket 5..8).
    expect(t?.ulpHist).toEqual([0, 0, 0, 1, 0, 0, 0, 0]);
    // The file defines no expf: reported as skipped, not measured against glibc's.
    expect(r.functions[1]?.impls.wrong?.skipped).toBe(true);
  });

  it('measures glibc and musl logf exhaustively on [0.5, 0.53): the same figures (one code base)', async () => {
    const r = await runMathlib({
      functions: ['logf'],
      impls: ['glibc', 'musl', 'js'],
      range: [0.5, 0.53],
      work,
    });
    const f = r.functions[0];
    const g = f?.impls.glibc?.tally;
    const m = f?.impls.musl?.tally;
    expect(g?.n).toBe(f?.inputs);
    // glibc and musl share ARM's optimized-routines logf: the same results everywhere.
    expect(m?.cr).toBe(g?.cr);
    expect(m?.maxAt).toEqual(g?.maxAt);
    // Not correctly rounded everywhere (documented 0.818 ulp), never by a whole ulp.
    expect(g?.cr).toBeLessThan(f?.inputs ?? 0);
    expect(g?.maxErr).toBeGreaterThan(0.5);
    expect(g?.maxErr).toBeLessThan(0.819);
    // JavaScript's log rounded to float is correctly rounded here.
    expect(f?.impls.js?.tally.cr).toBe(f?.inputs);
  });

  it('measures ulp errors as Zimmermann et al. define them', () => {
    expect(ulpError(1 + 2 ** -23, 1, 0, true)).toBe(1);
    expect(ulpError(Infinity, 3.4028234663852886e38, 0, true)).toBeCloseTo(1, 10);
    expect(ulpError(1 + 2 ** -52, 1, 0.25, false)).toBe(0.75);
    // Near the underflow threshold too (the rest is kept in ulps, not as a double-double's low part).
    expect(ulpError(2 ** -1022 + 2 ** -1074, 2 ** -1022, 0.4, false)).toBeCloseTo(0.6, 12);
    expect(parseHexFloat('-0x1.8p-3')).toBe(-0.1875);
    expect(parseHexFloat('0x0.02efe618534fbp-1022')).toBeGreaterThan(0);
    expect(floatIntervals([-1, 1]).map(([a, b]) => b - a)).toEqual([0x3f800000, 0x3f800000]);
  });
});

describe('mathlib CLI', () => {
  it('writes the report, the plots and the JSON', async () => {
    const out = join(work, 'report');
    const json = join(work, 'r.json');
    const code = await main([
      'mathlib',
      'cbrtf',
      '--samples',
      '5000',
      '--impl',
      'glibc,engine',
      '--work',
      work,
      '-j',
      '1',
      '-o',
      out,
      '--json-file',
      json,
    ]);
    expect(code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toMatch(/\| cbrtf \| 5000 \|/);
    expect(readFileSync(join(out, 'plots', 'cbrtf-arg.svg'), 'utf8')).toMatch(/^<svg /);
    const j = JSON.parse(readFileSync(json, 'utf8')) as {
      functions: { name: string; impls: Record<string, unknown> }[];
    };
    expect(j.functions[0]?.name).toBe('cbrtf');
    expect(Object.keys(j.functions[0]?.impls ?? {})).toEqual(['glibc', 'engine']);
  });

  it('says what is wrong in one line', async () => {
    const errs: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => (errs.push(s), true)) as typeof process.stderr.write;
    try {
      expect(await main(['mathlib', 'frobf', '--json-file', join(work, 'x.json'), '--work', work])).toBe(1);
      expect(await main(['mathlib', 'expf', '--work', work])).toBe(2);
      expect(
        await main([
          'mathlib',
          'expf',
          '--range',
          '3:1',
          '--json-file',
          join(work, 'x.json'),
          '--work',
          work,
        ]),
      ).toBe(1);
    } finally {
      process.stderr.write = write;
    }
    expect(errs).toEqual([
      expect.stringMatching(/^inputsmith: mathlib: unknown function 'frobf'/),
      expect.stringMatching(/give --json-file FILE or -o DIR/),
      expect.stringMatching(/--range expects a:b with a < b/),
    ]);
    for (const e of errs) expect(e.trim().split('\n')).toHaveLength(1);
  });
});
