/**
 * `inputsmith gen` and `inputsmith replay` (issue 5 item 2, issue 4's CLI), run as the user runs them: the
 * built CLI (bin/inputsmith.js, dist/) in a child process, on the bundled examples. Checks that the output
 * directory is byte-identical for any --jobs, that summary.json holds the documented fields, that an
 * interrupted run continues without redoing finished functions, that failures stay per function or per
 * module, and that the records replay.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let dir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}, cwd = root): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin', 'inputsmith.js'), ...args],
      { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Every file under `d` (relative path -> contents), except timings.jsonl (wall-clock times). */
function snapshot(d: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const q = join(p, e.name);
      if (e.isDirectory()) walk(q);
      else if (q === join(d, 'timings.jsonl')) continue;
      else out.set(relative(d, q), readFileSync(q, 'latin1'));
    }
  };
  walk(d);
  return out;
}

function expectSameTree(a: string, b: string): void {
  const sa = snapshot(a);
  const sb = snapshot(b);
  expect([...sb.keys()].sort()).toEqual([...sa.keys()].sort());
  for (const [k, v] of sa) expect(sb.get(k), k).toBe(v);
}

function expectOneLineError(r: Run, code: number): string {
  expect(r.code).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]!.startsWith('inputsmith: ')).toBe(true);
  return lines[0]!;
}

interface Figures {
  functions: number;
  succeeded: number;
  failed: number;
  failedByKind: Record<string, number>;
  meanCoverageFirst: number | null;
  meanCoverage: number | null;
  blocks: number;
  blocksCoveredFirst: number;
  blocksCovered: number;
  runs: number;
  inputs: number;
  outcomes: Record<string, number>;
  engineReplay: { ok: number; mismatch: number };
  nativeReplay?: Record<string, number>;
}
interface Summary {
  format: string;
  version: number;
  seed: string;
  native: boolean;
  totals: Figures & { modules: number; modulesFailed: number };
  modules: (Figures & {
    module: string;
    key: string;
    status: string;
    failure?: { stage: string; reason: string };
    failures: { function: string; kind: string; reason: string }[];
  })[];
}
const summaryOf = (out: string): Summary =>
  JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Summary;
const rowsOf = (out: string): { module: string; function: string; status: string }[] =>
  readFileSync(join(out, 'functions.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { module: string; function: string; status: string });

let one: string;
let two: string;

beforeAll(async () => {
  // The CLI runs from dist/: build it when sources changed (a no-op otherwise).
  await new Promise<void>((resolve, reject) =>
    execFile(process.execPath, [join(root, 'scripts', 'setup.mjs')], { cwd: root }, (err) =>
      err === null ? resolve() : reject(err),
    ),
  );
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-gen-'));
  one = join(dir, 'one');
  two = join(dir, 'two');
  const [a, b] = await Promise.all([
    cli(['gen', 'examples', '-o', one, '--jobs', '1']),
    cli(['gen', 'examples', '-o', two, '--jobs', '2']),
  ]);
  expect(a.stderr).not.toContain('internal error');
  expect(a.code).toBe(0);
  expect(b.code).toBe(0);
  expect(a.stdout).toMatch(/^total\s+\d+/m);
  expect(a.stdout).toMatch(/functions searched in .* functions\/s, 1 worker\)/);
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('inputsmith gen', () => {
  it('writes byte-identical output with --jobs 1 and --jobs 2', () => {
    expectSameTree(one, two);
    const files = [...snapshot(one).keys()];
    expect(files).toContain('run.json');
    expect(files).toContain('summary.json');
    expect(files).toContain('functions.jsonl');
    expect(files).toContain(join('inputs', 'examples_bst.c', 'tree_insert', '0.json'));
    expect(files).toContain(join('results', 'examples_bst.c', 'tree_insert.json'));
  });

  it('times every function searched in timings.jsonl', () => {
    const rows = readFileSync(join(one, 'timings.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { module: string; function: string; timeMs: number; runs: number; steps: number },
      );
    const t = summaryOf(one).totals;
    expect(rows.length).toBe(t.functions);
    expect(new Set(rows.map((r) => `${r.module} ${r.function}`)).size).toBe(t.functions);
    expect(rows.reduce((a, r) => a + r.runs, 0)).toBe(t.runs);
    for (const r of rows) {
      expect(r.timeMs).toBeGreaterThanOrEqual(0);
      expect(r.steps).toBeGreaterThan(0);
    }
  });

  it('summary.json has the documented fields and plausible values', () => {
    const s = summaryOf(one);
    expect(s.format).toBe('inputsmith-summary');
    expect(s.version).toBe(1);
    expect(s.seed).toBe('1');
    expect(s.native).toBe(false);
    const t = s.totals;
    expect(t.modules).toBe(6);
    expect(t.modulesFailed).toBe(0);
    expect(t.functions).toBeGreaterThanOrEqual(40);
    expect(t.succeeded).toBe(t.functions);
    expect(t.failed).toBe(0);
    expect(t.failedByKind).toEqual({
      'internal-error': 0,
      'worker-crash': 0,
      'guard-timeout': 0,
      'job-failed': 0,
    });
    expect(t.meanCoverageFirst).toBeGreaterThan(0.5);
    expect(t.meanCoverage).toBeGreaterThanOrEqual(t.meanCoverageFirst!);
    expect(t.meanCoverage).toBeLessThanOrEqual(1);
    expect(t.blocksCovered).toBeGreaterThanOrEqual(t.blocksCoveredFirst);
    expect(t.blocksCovered).toBeLessThanOrEqual(t.blocks);
    expect(t.runs).toBeGreaterThanOrEqual(t.functions);
    expect(t.inputs).toBeGreaterThanOrEqual(t.functions);
    expect(Object.values(t.outcomes).reduce((a, b) => a + b, 0)).toBe(t.inputs);
    expect(t.outcomes.returned).toBeGreaterThan(0);
    expect(t.engineReplay).toEqual({ ok: t.inputs, mismatch: 0 });
    expect(t.nativeReplay).toBeUndefined();
    expect(s.modules.map((m) => m.module)).toEqual([
      'examples/bst.c',
      'examples/dispatch.c',
      'examples/geometry.c',
      'examples/kvparse.c',
      'examples/linked_list.c',
      'examples/wordcount.c',
    ]);
    for (const m of s.modules) {
      expect(m.status).toBe('ok');
      expect(m.functions).toBeGreaterThan(0);
      expect(m.meanCoverage).toBeGreaterThanOrEqual(m.meanCoverageFirst!);
      expect(m.failures).toEqual([]);
    }
    expect(s.modules.reduce((a, m) => a + m.functions, 0)).toBe(t.functions);
    const rows = rowsOf(one);
    expect(rows).toHaveLength(t.functions);
    expect(rows.every((r) => r.status === 'ok')).toBe(true);
  });

  it('continues an interrupted run: finished functions are not redone, the bytes are the same', async () => {
    const three = join(dir, 'three');
    cpSync(one, three, { recursive: true });
    // As if interrupted: three functions unfinished, the summaries never written, a temporary left over.
    rmSync(join(three, 'results', 'examples_bst.c', 'tree_insert.json'));
    rmSync(join(three, 'results', 'examples_kvparse.c', 'trim.json'));
    rmSync(join(three, 'inputs', 'examples_dispatch.c', 'eval3'), { recursive: true });
    rmSync(join(three, 'summary.json'));
    rmSync(join(three, 'functions.jsonl'));
    writeFileSync(join(three, 'results', 'examples_bst.c', 'tree_insert.json.tmp-1-1'), '{');
    const total = summaryOf(one).totals.functions;
    const r = await cli(['gen', 'examples', '-o', three, '--jobs', '2']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`3 functions searched in`);
    expect(r.stdout).toContain(`; ${total - 3} already done`);
    expectSameTree(one, three);
    const again = await cli(['gen', 'examples', '-o', three]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`nothing left to do: all ${total} functions were already done`);
    expectSameTree(one, three);
  });

  it('refuses a run with other options unless --force', async () => {
    const four = join(dir, 'four');
    cpSync(one, four, { recursive: true });
    const line = expectOneLineError(await cli(['gen', 'examples', '-o', four, '--seed', '7']), 1);
    expect(line).toBe(
      `inputsmith: ${four}: holds a run with different options or inputs (seed: "1" before, "7" now); use --force to start over`,
    );
    const forced = await cli([
      'gen',
      'examples',
      '-o',
      four,
      '--seed',
      '7',
      '--functions',
      '^tree_',
      '--force',
    ]);
    expect(forced.code).toBe(0);
    const s = summaryOf(four);
    expect(s.seed).toBe('7');
    expect(s.totals.functions).toBe(7);
    expect(readdirSync(join(four, 'inputs'))).toEqual(['examples_bst.c']);
  });

  it('types failures per function and per module, keeping every other result', async () => {
    const five = join(dir, 'five');
    writeFileSync(join(dir, 'bad.ll'), 'this is not LLVM IR\n');
    const r = await cli(['gen', 'examples/bst.c', join(dir, 'bad.ll'), '-o', five, '-j', '2'], {
      INPUTSMITH_FAULT: 'throw:tree_height',
    });
    expect(r.code).toBe(0);
    const s = summaryOf(five);
    expect(s.totals.modulesFailed).toBe(1);
    const bad = s.modules[1]!;
    expect(bad.status).toBe('failed');
    expect(bad.failure?.stage).toBe('parse');
    expect(bad.failure?.reason).toContain("unknown top-level keyword 'this'");
    const bst = s.modules[0]!;
    expect(bst.failed).toBe(1);
    expect(bst.failures).toEqual([
      {
        function: 'tree_height',
        kind: 'internal-error',
        reason: 'RangeError: injected fault in @tree_height',
      },
    ]);
    expect(r.stdout).toContain(
      '@tree_height failed (internal-error): RangeError: injected fault in @tree_height',
    );
    // The other functions of the module came out exactly as in the clean run.
    const clean = readFileSync(join(one, 'functions.jsonl'), 'utf8').split('\n');
    const faulty = readFileSync(join(five, 'functions.jsonl'), 'utf8').split('\n');
    for (const line of faulty.filter((l) => l.includes('"examples/bst.c"') && !l.includes('"tree_height"')))
      expect(clean).toContain(line);
  });

  it('stops a worker whose function runs away and goes on with the others', async () => {
    const seven = join(dir, 'seven');
    const r = await cli(['gen', 'examples/bst.c', '-o', seven, '-j', '1'], {
      INPUTSMITH_FAULT: 'hang:tree_height',
      INPUTSMITH_WATCHDOG_SECONDS: '2',
    });
    expect(r.code).toBe(0);
    const bst = summaryOf(seven).modules[0]!;
    expect(bst.failed).toBe(1);
    expect(bst.failures[0]!.function).toBe('tree_height');
    expect(bst.failures[0]!.kind).toBe('worker-crash');
    expect(bst.failedByKind['worker-crash']).toBe(1);
    expect(bst.failures[0]!.reason).toMatch(/no answer for \d+ s/);
    expect(bst.succeeded).toBe(bst.functions - 1);
  });

  it('stops a function that runs away within its step budgets with the time guard', async () => {
    // `spin` returns at once unless n is 12345 (comparison feedback finds it), then loops forever: with the
    // step limit raised to 10^12 steps (hours), only the guard stops it.
    const src = join(dir, 'spin.c');
    writeFileSync(
      src,
      `int add(int a, int b) { return a < 0 ? a - b : a + b; }
int spin(int n) { if (n != 12345) return 1; volatile unsigned long k = 0; for (;;) k++; }
int sign(int x) { if (x < 0) return -1; if (x > 0) return 1; return 0; }
`,
    );
    // Run in `dir` on `spin.c`: the module path is part of every function's seed, so an absolute path
    // under a fresh temporary directory would make the first run's argument (12345 or not) a matter of
    // that directory's name.
    const out = join(dir, 'guard');
    const args = [
      'gen',
      'spin.c',
      '-o',
      'guard',
      '-j',
      '1',
      '--function-timeout',
      '1',
      '--step-limit',
      '1000000000000',
      // Without calibration: a calibrated run budget would stop the loop long before the guard.
      '--run-step-factor',
      '0',
    ];
    const r = await cli(args, {}, dir);
    expect(r.code).toBe(0);
    const s = summaryOf(out);
    expect(s.totals.failed).toBe(1);
    expect(s.totals.failedByKind).toEqual({
      'internal-error': 0,
      'worker-crash': 0,
      'guard-timeout': 1,
      'job-failed': 0,
    });
    expect(s.modules[0]!.failures).toEqual([
      {
        function: 'spin',
        kind: 'guard-timeout',
        reason: expect.stringMatching(/^the time guard \(1 s of CPU\)/),
      },
    ]);
    expect(r.stdout).toContain('failed functions: 1 guard-timeout');
    expect(r.stdout).toMatch(
      /@spin failed \(guard-timeout\): the time guard \(1 s of CPU\) stopped the search/,
    );
    // The inputs found before the guard are written and listed, marked as not replayed; none is a run the
    // guard stopped.
    const rows = readFileSync(join(out, 'functions.jsonl'), 'utf8').trim().split('\n');
    const spin = JSON.parse(rows[1]!) as {
      status: string;
      inputs: { index: number; outcome: string; engine: string }[];
    };
    expect(spin.status).toBe('failed');
    expect(spin.inputs.length).toBeGreaterThan(0);
    for (const i of spin.inputs) {
      expect(i.engine).toBe('not-run');
      expect(i.outcome).not.toBe('time-limit');
      const rec = JSON.parse(
        readFileSync(
          join(out, 'inputs', readdirSync(join(out, 'inputs'))[0]!, 'spin', `${i.index}.json`),
          'utf8',
        ),
      ) as { outcome: { kind: string } };
      expect(rec.outcome.kind).toBe(i.outcome);
    }
    // The other functions came out as in a run without the runaway, all in the one worker: never replaced.
    const clean = join(dir, 'guard-clean');
    expect(
      (
        await cli(
          [...args.slice(0, 3), 'guard-clean', ...args.slice(4), '--functions', '^(add|sign)$'],
          {},
          dir,
        )
      ).code,
    ).toBe(0);
    expect([rows[0], rows[2]].join('\n')).toBe(readFileSync(join(clean, 'functions.jsonl'), 'utf8').trim());
    const timings = (): { function: string; worker: number; cpuMs: number | null }[] =>
      readFileSync(join(out, 'timings.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { function: string; worker: number; cpuMs: number | null });
    expect(timings().map((t) => t.function)).toEqual(['add', 'spin', 'sign']);
    expect(new Set(timings().map((t) => t.worker)).size).toBe(1);
    // What the guard counted: about a second of the worker's CPU time (the clock ticks every 10 ms).
    const cpu = timings()[1]!.cpuMs;
    if (cpu !== null) expect(cpu).toBeGreaterThanOrEqual(990);
    // A rerun keeps the guard's failure as it is on disk, like any finished function; so does a run
    // interrupted before `sign`.
    const again = await cli(args, {}, dir);
    expect(again.stdout).toContain('nothing left to do: all 3 functions were already done');
    rmSync(join(out, 'results', readdirSync(join(out, 'results'))[0]!, 'sign.json'));
    rmSync(join(out, 'summary.json'));
    const resumed = await cli(args, {}, dir);
    expect(resumed.stdout).toContain('1 function searched in');
    expect(timings().map((t) => t.function)).toEqual(['add', 'spin', 'sign', 'sign']);
    expect(summaryOf(out)).toEqual(s);
    expect(readFileSync(join(out, 'functions.jsonl'), 'utf8').trim().split('\n')).toEqual(rows);
  });

  it('replays natively with --native and counts the verdicts', async () => {
    const six = join(dir, 'six');
    const r = await cli(['gen', 'examples/linked_list.c', '-o', six, '--native']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/native ok/);
    const t = summaryOf(six).totals;
    expect(t.nativeReplay).toBeDefined();
    const n = t.nativeReplay!;
    expect(n.ok + n.mismatch + n.failed + n['not-run']).toBe(t.inputs);
    expect(n.ok).toBeGreaterThan(0);
    expect(n.mismatch).toBe(0);
  });

  it('generates for C++ with exceptions and replays natively against libstdc++', async () => {
    const src = join(dir, 'shapes.cpp');
    writeFileSync(
      src,
      `struct ParseError { int pos; };
static int digit(char c, int pos) { if (c < '0' || c > '9') throw ParseError{pos}; return c - '0'; }
extern "C" int parse_num(const char *s) {
  int v = 0;
  try { for (int i = 0; s[i] != 0 && i < 6; i++) v = v * 10 + digit(s[i], i); }
  catch (const ParseError &e) { return -1 - e.pos; }
  return v;
}
struct Shape { virtual ~Shape() {} virtual int area() const = 0; };
struct Rect : Shape {
  int w, h;
  Rect(int w_, int h_) : w(w_), h(h_) { if (w < 0 || h < 0) throw w < 0 ? w : h; }
  int area() const override { return w * h; }
};
extern "C" int rect_area(int w, int h) {
  try { Shape *s = new Rect(w, h); int a = s->area(); delete s; return a; } catch (int bad) { return bad; }
}
`,
    );
    const out = join(dir, 'cxx');
    const r = await cli(['gen', src, '-o', out, '--native', '--jobs', '1']);
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const t = summaryOf(out).totals;
    expect(t.succeeded).toBe(t.functions);
    const n = t.nativeReplay!;
    expect(n.ok).toBe(t.inputs);
    // Both catch paths ran: some input of each function threw, caught its exception and returned < 0.
    for (const fn of ['parse_num', 'rect_area']) {
      const [mod] = readdirSync(join(out, 'inputs'));
      const fdir = join(out, 'inputs', mod!, fn);
      const rets = readdirSync(fdir).map(
        (f) =>
          (JSON.parse(readFileSync(join(fdir, f), 'utf8')) as { outcome: { ret: { v: string } } }).outcome.ret
            .v,
      );
      expect(
        rets.some((v) => BigInt(v) >= 1n << 31n),
        `${fn}: ${rets.join(' ')}`,
      ).toBe(true);
    }
  });

  it('gives one-line errors for bad flags and missing inputs', async () => {
    let line = expectOneLineError(await cli(['gen', 'examples', '-o', join(dir, 'x'), '--bogus']), 2);
    expect(line).toBe("inputsmith: unknown option '--bogus' (see inputsmith gen --help)");
    line = expectOneLineError(await cli(['gen', 'examples', '-o', join(dir, 'x'), '--inputs', '0']), 2);
    expect(line).toContain('expected a positive integer');
    line = expectOneLineError(await cli(['gen', join(dir, 'missing'), '-o', join(dir, 'x')]), 1);
    expect(line).toBe(`inputsmith: ${join(dir, 'missing')}: no such file or directory`);
    line = expectOneLineError(await cli(['gen', 'examples', '-o', join(dir, 'x'), '--functions', '(']), 2);
    expect(line).toContain('--functions');
    expectOneLineError(await cli(['gen', 'examples']), 2);
  });
});

describe('inputsmith replay', () => {
  it('replays a gen output directory: all ok', async () => {
    const r = await cli(['replay', one, '--jobs', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const n = summaryOf(one).totals.inputs;
    expect(r.stdout).toBe(`replayed ${n} records of 6 modules: engine ${n} ok, 0 mismatch\n`);
  });

  it('reports a tampered record as a mismatch (exit 1)', async () => {
    const file = join(dir, 'tampered.json');
    const rec = JSON.parse(
      readFileSync(join(one, 'inputs', 'examples_bst.c', 'tree_height', '0.json'), 'utf8'),
    ) as {
      outcome: { steps: number };
    };
    rec.outcome.steps += 1;
    writeFileSync(file, JSON.stringify(rec));
    const r = await cli(['replay', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^mismatch: examples\/bst\.c @tree_height #0 \(engine\): outcome\.steps/m);
    expect(r.stdout).toMatch(/engine 0 ok, 1 mismatch\n$/);
  });

  it('gives a one-line error for a missing path', async () => {
    const line = expectOneLineError(await cli(['replay', join(dir, 'nothing-here')]), 1);
    expect(line).toBe(`inputsmith: ${join(dir, 'nothing-here')}: no such file or directory`);
  });
});
