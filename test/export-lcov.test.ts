/**
 * `inputsmith export lcov` (issue 13), run as a user runs it: gen on a small C file compiled with -g at -O0
 * and -O1, then the export, then Debian's `genhtml` (package lcov; scripts/setup.mjs installs it) on the
 * tracefile, which must render it without a warning. At -O0 the figures are checked by hand: which lines
 * each kept input ran follows from its argument (read from its record), so every DA count, FNDA and
 * BRDA is recomputed here from the arguments alone, and a line no input can reach is not hit.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, run } from './export-exec.js';

const SOURCE = `int sign(int x) {
  if (x < 0)
    return -1;
  if (x == 0)
    return 0;
  return 1;
}

int rare(unsigned x) {
  unsigned h = x * 2654435761u;
  if (h == 12345u)
    return 7;
  return 1;
}

int unsearched(int a) {
  return a * 3;
}
`;

/** One SF record of a tracefile. */
interface FileRecord {
  da: Map<number, number>;
  fn: Map<string, number>;
  fnda: Map<string, number>;
  brda: { line: number; block: number; branch: number; taken: string }[];
  totals: Map<string, number>;
}

function parseLcov(text: string): Map<string, FileRecord> {
  const files = new Map<string, FileRecord>();
  let cur: FileRecord | undefined;
  for (const line of text.split('\n')) {
    const [tag, rest = ''] = line.split(/:(.*)/s);
    if (tag === 'SF')
      files.set(rest, (cur = { da: new Map(), fn: new Map(), fnda: new Map(), brda: [], totals: new Map() }));
    else if (tag === 'DA') cur!.da.set(Number(rest.split(',')[0]), Number(rest.split(',')[1]));
    else if (tag === 'FN') cur!.fn.set(rest.split(',')[1]!, Number(rest.split(',')[0]));
    else if (tag === 'FNDA') cur!.fnda.set(rest.split(',')[1]!, Number(rest.split(',')[0]));
    else if (tag === 'BRDA') {
      const [l, b, k, t] = rest.split(',');
      cur!.brda.push({ line: Number(l), block: Number(b), branch: Number(k), taken: t! });
    } else if (['LF', 'LH', 'FNF', 'FNH', 'BRF', 'BRH'].includes(tag!)) cur!.totals.set(tag!, Number(rest));
  }
  return files;
}

/** The kept inputs' first argument, as the signed or unsigned 32-bit value of its record. */
function args(out: string, fn: string): bigint[] {
  const d = join(out, 'inputs', 'cov.c', fn);
  return readdirSync(d)
    .sort()
    .map((f) =>
      BigInt((JSON.parse(readFileSync(join(d, f), 'utf8')) as { args: { v: string }[] }).args[0]!.v),
    );
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-lcov-'));
  writeFileSync(join(dir, 'cov.c'), SOURCE);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function genhtmlFound(): boolean {
  return spawnSync('genhtml', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function genAndExport(opt: string): Promise<{ info: string; out: string; text: string }> {
  const out = join(dir, `out-${opt}`);
  const g = await cli(
    ['gen', 'cov.c', '-o', out, '-g', `-O${opt}`, '-j', '1', '--functions', '^(sign|rare)$'],
    dir,
  );
  expect(g.code, g.stderr).toBe(0);
  const info = join(dir, `cov-${opt}.info`);
  const e = await cli(['export', 'lcov', out, '-o', info], dir);
  expect(e.code, e.stderr).toBe(0);
  expect(e.stderr).toBe('');
  return { info, out, text: readFileSync(info, 'utf8') };
}

async function expectGenhtmlClean(info: string, name: string): Promise<void> {
  expect(
    genhtmlFound(),
    'genhtml (Debian lcov) is missing: run node scripts/setup.mjs as root, or apt-get install lcov',
  ).toBe(true);
  const r = await run('genhtml', ['--branch-coverage', '-o', join(dir, name), info], dir);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  expect(r.stdout).toMatch(/lines\.+: [\d.]+% \(\d+ of \d+ lines\)/);
}

describe('export lcov', () => {
  it('at -O0: every count follows from the inputs, and genhtml renders it without warnings', async () => {
    const { info, out, text } = await genAndExport('0');
    const files = parseLcov(text);
    expect([...files.keys()]).toEqual([join(dir, 'cov.c')]);
    const f = files.get(join(dir, 'cov.c'))!;
    const xs = args(out, 'sign').map((v) => BigInt.asIntN(32, v));
    const hs = args(out, 'rare').map((v) => (v * 2654435761n) & 0xffffffffn);
    expect(xs.length).toBeGreaterThanOrEqual(3); // negative, zero, positive: all paths of sign
    const count = (p: (x: bigint) => boolean, vs: bigint[]): number => vs.filter(p).length;
    const all = (): boolean => true;
    // Lines with code: the function's declaration line has none at -O0 (its parameter stores carry no
    // location); the closing brace holds the return.
    expect([...f.da]).toEqual([
      [2, xs.length],
      [3, count((x) => x < 0n, xs)],
      [4, count((x) => x >= 0n, xs)],
      [5, count((x) => x === 0n, xs)],
      [6, count((x) => x > 0n, xs)],
      [7, xs.length],
      [10, hs.length],
      [11, hs.length],
      [12, count((h) => h === 12345n, hs)],
      [13, count((h) => h !== 12345n, hs)],
      [14, hs.length],
      [17, 0], // unsearched: instrumented, not hit (one block: its closing brace holds no code)
    ]);
    expect(f.da.get(12)).toBe(0); // no kept input hit the hash
    expect([...f.fn]).toEqual([
      ['sign', 1],
      ['rare', 9],
      ['unsearched', 16],
    ]);
    expect([...f.fnda]).toEqual([
      ['sign', xs.length],
      ['rare', hs.length],
      ['unsearched', 0],
    ]);
    // Branches: `if` true then false target, each the number of inputs that went that way.
    const br = (line: number): string[] => f.brda.filter((b) => b.line === line).map((b) => b.taken);
    expect(br(2)).toEqual([count((x) => x < 0n, xs), count((x) => x >= 0n, xs)].map(String));
    expect(br(4)).toEqual([count((x) => x === 0n, xs), count((x) => x > 0n, xs)].map(String));
    expect(br(11)).toEqual([count((h) => h === 12345n, hs), count(all, hs)].map(String));
    expect(f.totals.get('LF')).toBe(12);
    expect(f.totals.get('LH')).toBe([...f.da.values()].filter((n) => n > 0).length);
    expect(f.totals.get('LH')).toBe(10);
    expect(f.totals.get('FNF')).toBe(3);
    expect(f.totals.get('FNH')).toBe(2);
    expect(f.totals.get('BRF')).toBe(6);
    expect(f.totals.get('BRH')).toBe(f.brda.filter((b) => b.taken !== '-' && b.taken !== '0').length);
    // The engine's per-function block coverage agrees: sign is fully covered, rare is not.
    const rows = readFileSync(join(out, 'functions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { function: string; blocks: number; covered: number });
    expect(rows.find((r) => r.function === 'sign')!.covered).toBe(
      rows.find((r) => r.function === 'sign')!.blocks,
    );
    expect(rows.find((r) => r.function === 'rare')!.covered).toBeLessThan(
      rows.find((r) => r.function === 'rare')!.blocks,
    );
    await expectGenhtmlClean(info, 'html-O0');
    // Deterministic: a second export writes the same bytes.
    const again = join(dir, 'again.info');
    expect((await cli(['export', 'lcov', out, '-o', again], dir)).code).toBe(0);
    expect(readFileSync(again, 'utf8')).toBe(text);
  });

  it('at -O1: genhtml renders it without warnings; fully covered functions have every line hit', async () => {
    const { info, out, text } = await genAndExport('1');
    const f = parseLcov(text).get(join(dir, 'cov.c'))!;
    expect([...f.fn.keys()].sort()).toEqual(['rare', 'sign', 'unsearched']);
    expect(f.fn.get('sign')).toBe(1);
    expect(f.fnda.get('unsearched')).toBe(0);
    expect(f.da.get(17) ?? f.da.get(16)).toBe(0);
    const rows = readFileSync(join(out, 'functions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { function: string; blocks: number; covered: number });
    const sign = rows.find((r) => r.function === 'sign')!;
    expect(sign.covered).toBe(sign.blocks);
    for (const l of [1, 2, 3, 4, 5, 6, 7])
      if (f.da.has(l)) expect(f.da.get(l), `line ${l}`).toBeGreaterThan(0);
    for (const l of f.da.keys()) expect(l).toBeLessThanOrEqual(18);
    await expectGenhtmlClean(info, 'html-O1');
  });

  it('--through-calls credits the lines an input ran in its callees', async () => {
    // Only `caller` is searched: `helper` has no inputs of its own, so without --through-calls none of
    // its lines is hit; with it, every input of caller ran helper's entry and its `x > 5` branch.
    writeFileSync(
      join(dir, 'calls.c'),
      [
        '__attribute__((noinline)) unsigned helper(unsigned x) {',
        '  if (x > 5)',
        '    return x - 5;',
        '  return 0;',
        '}',
        'unsigned caller(unsigned x) {',
        '  return helper(x) + helper(x | 8);',
        '}',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out-calls');
    const g = await cli(
      ['gen', 'calls.c', '-o', out, '-g', '-O0', '-j', '1', '--functions', '^caller$'],
      dir,
    );
    expect(g.code, g.stderr).toBe(0);
    const n = readdirSync(join(out, 'inputs', 'calls.c', 'caller')).length;
    expect(n).toBeGreaterThan(0);
    const texts: string[] = [];
    for (const flags of [[], ['--through-calls']]) {
      const info = join(dir, `calls${flags.length}.info`);
      const e = await cli(['export', 'lcov', out, '-o', info, ...flags], dir);
      expect(e.code, e.stderr).toBe(0);
      texts.push(readFileSync(info, 'utf8'));
    }
    const [own, through] = texts.map((t) => parseLcov(t).get(join(dir, 'calls.c'))!);
    for (const line of [1, 2, 3, 4]) expect(own!.da.get(line) ?? 0, `line ${line}`).toBe(0);
    expect(own!.fnda.get('helper')).toBe(0);
    expect(through!.fnda.get('helper')).toBe(n);
    expect(through!.da.get(2)).toBe(n);
    expect(through!.da.get(3)).toBe(n);
    for (const line of [6, 7]) expect(through!.da.get(line), `line ${line}`).toBe(own!.da.get(line));
    expect(own!.fnda.get('caller')).toBe(n);
    expect(through!.fnda.get('caller')).toBe(n);
  });

  it('says so when a module has no debug information, and fails in one line when nothing is left', async () => {
    const out = join(dir, 'out-nodebug');
    expect((await cli(['gen', 'cov.c', '-o', out, '-O0', '-j', '1'], dir)).code).toBe(0);
    const r = await cli(['export', 'lcov', out, '-o', join(dir, 'x.info')], dir);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      'inputsmith: cov.c: skipped: no debug information (compile with -g: gen -g ...)',
      `inputsmith: ${out}: no module of the run has debug information (run gen with -g)`,
    ]);
  });
});
