/**
 * The job queue (issue 17) on a real redis-server on loopback: `queue submit`, several `queue work`
 * processes of which one is killed (SIGKILL) in the middle of a job, `queue finish`: the result is byte for
 * byte the directory of one `gen` run (timings.jsonl aside). A job completed twice changes nothing; a
 * poison job (its worker killed at every start) fails for good after --attempts starts and its functions
 * are failed rows (`job-failed`), none lost; an unreachable Redis is a one-line error.
 *
 * The campaign is the bundled examples plus `spin.c`, whose one function takes a couple of seconds of
 * search (every run loops 3 million times and no input reaches its inner branch), so that a worker killed
 * when it starts spin's job is killed in the middle of it (checked: that attempt never finished).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { walkFiles } from '../src/util/fsx.js';
import { which } from '../src/util/proc.js';
import type { QueueCampaign } from '../src/guide/queue-jobs.js';
import { cutShards } from '../src/guide/shard.js';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'inputsmith.js');
/** Search options of every run here: spin's search runs to its plateau with 3-million-step runs. */
const GEN = ['--seed', '7', '--sample', '1', '--max-steps', '1000000000', '--step-limit', '5000000'];
const SPIN = `/* Each run of spin takes 3 million loop steps, and no input reaches its inner branch. */
volatile unsigned spin_hits;

unsigned spin(unsigned key) {
  unsigned s = key;
  for (unsigned i = 0; i < 3000000u; i++) s = s * 1103515245u + 12345u + (s >> 7);
  if (s == 0x5eed5eedu) {
    spin_hits++;
    return spin_hits * 3u;
  }
  return 0;
}
`;

let dir: string;
let redis: ChildProcess | undefined;
let url: string;
let inputs: string[];
let whole: string;
const procs: Proc[] = [];

interface Proc {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first output line matching `re`; rejects if the process ends without one. */
  waitFor(re: RegExp): Promise<string>;
  /** SIGKILL the process group (the launcher and the node it re-runs), as a machine's end would. */
  kill(): void;
}

/** `inputsmith ARGS` in its own process group, its stdout and stderr lines collected. */
function cli(args: readonly string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, detached: true, stdio: 'pipe' });
  const lines: string[] = [];
  const waiters: { re: RegExp; ok: (l: string) => void; fail: (e: Error) => void }[] = [];
  let ended = false;
  const feed = (chunk: Buffer, rest: { s: string }): void => {
    rest.s += chunk.toString();
    const parts = rest.s.split('\n');
    rest.s = parts.pop()!;
    for (const l of parts) {
      lines.push(l);
      for (const w of waiters.splice(0))
        if (w.re.test(l)) w.ok(l);
        else waiters.push(w);
    }
  };
  const out = { s: '' };
  const err = { s: '' };
  child.stdout!.on('data', (c: Buffer) => feed(c, out));
  child.stderr!.on('data', (c: Buffer) => feed(c, err));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      ended = true;
      for (const w of waiters.splice(0)) w.fail(new Error(`ended without ${w.re}: ${lines.join(' | ')}`));
      resolve({ code, signal });
    }),
  );
  const p: Proc = {
    child,
    lines,
    exit,
    waitFor: (re) => {
      const seen = lines.find((l) => re.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      if (ended) return Promise.reject(new Error(`ended without ${re}: ${lines.join(' | ')}`));
      return new Promise((ok, fail) => waiters.push({ re, ok, fail }));
    },
    kill: () => process.kill(-child.pid!, 'SIGKILL'),
  };
  procs.push(p);
  return p;
}

/** Run to the end; the exit code and output. */
async function run(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  const p = cli(args);
  const { code } = await p.exit;
  return { code, out: p.lines.join('\n') };
}

/** Resolve once `cond` holds (looked at every 20 ms). */
async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 20));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Every file under `d` (relative path -> bytes), timings.jsonl left out. */
function tree(d: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of walkFiles(d, {}))
    if (!f.endsWith('timings.jsonl')) out.set(relative(d, f), readFileSync(f, 'latin1'));
  return out;
}

function expectSameTree(got: string, want: string): void {
  const w = tree(want);
  const g = tree(got);
  expect([...g.keys()].sort()).toEqual([...w.keys()].sort());
  for (const [f, bytes] of w) expect(g.get(f), f).toBe(bytes);
}

function campaign(shared: string): QueueCampaign {
  return JSON.parse(readFileSync(join(dir, shared, 'queue.json'), 'utf8')) as QueueCampaign;
}

/** The job (1-based) that runs spin. */
function spinJob(c: QueueCampaign): number {
  const m = c.modules.find((x) => x.path === 'spin.c')!;
  return m.jobs[m.functions.indexOf('spin')]!;
}

/** The functions job `index` runs before spin, in campaign order. */
function functionsBefore(c: QueueCampaign, index: number): string[] {
  const out: string[] = [];
  for (const m of c.modules)
    for (let i = 0; i < m.functions.length; i++) {
      if (m.path === 'spin.c' && m.functions[i] === 'spin') return out;
      if (m.jobs[i] === index) out.push(m.functions[i]!);
    }
  return out;
}

/** Functions whose result an output directory holds. */
function resultsIn(d: string): number {
  const r = join(d, 'results');
  if (!existsSync(r)) return 0;
  return readdirSync(r).reduce(
    (n, m) => n + readdirSync(join(r, m)).filter((f) => f.endsWith('.json') && f !== 'module.json').length,
    0,
  );
}

/** Attempt directories of job `index`, and which of them finished (their shard.json written). */
function attempts(shared: string, index: number): { name: string; finished: boolean }[] {
  const d = join(dir, shared, 'jobs', String(index));
  return readdirSync(d)
    .sort()
    .map((name) => ({ name, finished: existsSync(join(d, name, 'shard.json')) }));
}

beforeAll(async () => {
  const server = which('redis-server');
  if (server === undefined)
    throw new Error('redis-server not found: apt-get install redis-server (scripts/setup.mjs does, as root)');
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-queue-'));
  inputs = ['bst.c', 'dispatch.c', 'geometry.c', 'kvparse.c', 'linked_list.c', 'wordcount.c'];
  for (const f of inputs) copyFileSync(join(ROOT, 'examples', f), join(dir, f));
  writeFileSync(join(dir, 'spin.c'), SPIN);
  inputs.splice(3, 0, 'spin.c');
  const port = await freePort();
  url = `redis://127.0.0.1:${port}`;
  const r = spawn(
    server,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      cwd: dir,
      stdio: 'pipe',
    },
  );
  redis = r;
  await new Promise<void>((resolve, reject) => {
    let log = '';
    r.stdout.on('data', (c: Buffer) => {
      log += c.toString();
      if (log.includes('Ready to accept connections')) resolve();
    });
    r.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${log}`)));
  });
  // The single-machine run everything is compared with.
  whole = join(dir, 'whole');
  const g = await run(['gen', ...inputs, '-o', 'whole', '--jobs', '2', ...GEN]);
  expect(g.code, g.out).toBe(0);
}, 120_000);

afterAll(() => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.kill();
  redis?.kill('SIGKILL');
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

const work = (queue: string): string[] => [
  'queue',
  'work',
  '--redis',
  url,
  '--queue',
  queue,
  '-j',
  '1',
  '--stall-timeout',
  '2',
];

/** `queue submit` of the campaign into `shared`, in six jobs (the same command each time). */
const submitShared = (): string[] => [
  'queue',
  'submit',
  ...inputs,
  '-o',
  'shared',
  '--redis',
  url,
  '--queue',
  'main',
  '--queue-jobs',
  '6',
  ...GEN,
];

describe('queue submit, work, finish on a real Redis', () => {
  it('finishes into exactly the directory of one gen run, with a worker killed mid-job', async () => {
    const s = await run(submitShared());
    expect(s.code, s.out).toBe(0);
    expect(s.out).toMatch(/: 6 jobs \(45 functions, 7 modules\), 6 added/);
    const c = campaign('shared');
    const k = spinJob(c);
    // Three workers; the one that starts spin's job is killed at once (its whole process group).
    const workers = [cli(work('main')), cli(work('main')), cli(work('main'))];
    const started = new RegExp(`job ${k}/6 started \\(attempt 1\\) in (\\S+)`);
    const victim = await Promise.any(workers.map((w) => w.waitFor(started).then(() => w)));
    const killedDir = started.exec(victim.lines.find((l) => started.test(l))!)![1]!;
    // Killed once the attempt has finished a function before spin (in spin's module or an earlier one),
    // while spin still runs: the attempt that takes the job over continues from that function on.
    expect(functionsBefore(c, k).length).toBeGreaterThan(0);
    await until(() => resultsIn(join(dir, killedDir)) > 0);
    victim.kill();
    expect((await victim.exit).signal).toBe('SIGKILL');
    // The others see the lost lock, run the job again and exit once nothing is left.
    for (const w of workers.filter((x) => x !== victim))
      expect((await w.exit).code, w.lines.join('\n')).toBe(0);
    // The killed attempt never finished; another did. (A worker whose lock expired on a starved machine
    // may run a job twice: every attempt of every job finished but the killed one.)
    const tries = attempts('shared', k);
    const killed = tries.filter((t) => join('shared', 'jobs', String(k), t.name) === killedDir);
    expect(killed.map((t) => t.finished)).toEqual([false]);
    expect(tries.filter((t) => t !== killed[0]).every((t) => t.finished)).toBe(true);
    expect(tries.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i <= 6; i++)
      if (i !== k) {
        const t = attempts('shared', i);
        expect(t.length).toBeGreaterThanOrEqual(1);
        expect(t.every((x) => x.finished)).toBe(true);
      }
    // The retry continued the lost attempt's finished functions instead of searching them again.
    const retried = new RegExp(`job ${k}/6 started \\(attempt 2\\) in \\S+, continuing (\\d+) functions`);
    const line = workers.flatMap((w) => w.lines).find((l) => retried.test(l));
    expect(line, workers.flatMap((w) => w.lines).join('\n')).toBeDefined();
    expect(Number(retried.exec(line!)![1])).toBeGreaterThan(0);
    const st = await run(['queue', 'status', 'shared', '--redis', url]);
    expect(st.out).toMatch(/6 jobs: 6 finished, 0 running, 0 waiting, 0 failed/);
    expect(st.out).toContain('functions: 45 of 45');
    const f = await run(['queue', 'finish', 'shared', '-o', 'merged', '--redis', url]);
    expect(f.code, f.out).toBe(0);
    expectSameTree(join(dir, 'merged'), whole);
  }, 90_000);

  it('takes a second submit and a job completed twice without a change', async () => {
    const s = await run(submitShared());
    expect(s.code, s.out).toBe(0);
    expect(s.out).toMatch(/6 jobs .*, 0 added/);
    // Job 1 is run once more: BullMQ moves the completed job back to the queue.
    const c = campaign('shared');
    const before = attempts('shared', 1).filter((t) => t.finished).length;
    const q = new Queue('main', { connection: { url } });
    try {
      const job = await Job.fromId(q, `${c.id}-1`);
      expect(await job!.getState()).toBe('completed');
      await job!.retry('completed');
    } finally {
      await q.close();
    }
    const w = cli(work('main'));
    await w.waitFor(/job 1\/6 started \(attempt 2\)/);
    expect((await w.exit).code).toBe(0);
    // One more finished attempt of job 1, the same bytes as the first.
    const done = attempts('shared', 1)
      .filter((t) => t.finished)
      .map((t) => join(dir, 'shared', 'jobs', '1', t.name));
    expect(done).toHaveLength(before + 1);
    for (const d of done.slice(1)) expectSameTree(d, done[0]!);
    const f = await run(['queue', 'finish', 'shared', '-o', 'merged2', '--redis', url]);
    expect(f.code, f.out).toBe(0);
    expectSameTree(join(dir, 'merged2'), whole);
  }, 60_000);

  it('fails a poison job after --attempts starts, its functions failed, none lost', async () => {
    const two = ['spin.c', 'bst.c'];
    const s = await run([
      'queue',
      'submit',
      ...two,
      '-o',
      'poison',
      '--redis',
      url,
      '--queue',
      'poison',
      '--queue-jobs',
      '2',
      '--attempts',
      '2',
      ...GEN,
    ]);
    expect(s.code, s.out).toBe(0);
    const c = campaign('poison');
    const p = spinJob(c);
    const early = await run(['queue', 'finish', 'poison', '-o', 'early', '--redis', url]);
    expect(early.code).toBe(1);
    expect(early.out).toMatch(/^inputsmith: .*2 of 2 jobs have not finished/);
    // A worker is killed whenever it starts the poison job; the next one finds it stalled.
    let kills = 0;
    for (let round = 0; round < 5; round++) {
      const w = cli(work('poison'));
      const hit = w.waitFor(new RegExp(`job ${p}/2 started`)).then(
        () => true,
        () => false,
      );
      if (await hit) {
        w.kill();
        kills++;
        await w.exit;
        continue;
      }
      const end = await w.exit;
      expect(end.code, w.lines.join('\n')).toBe(0);
      expect(w.lines.join('\n')).toMatch(
        new RegExp(`job ${p}/2 failed for good: poison job: started 3 times`),
      );
      break;
    }
    expect(kills).toBe(2);
    const st = await run(['queue', 'status', 'poison', '--redis', url]);
    expect(st.out).toMatch(/2 jobs: 1 finished, 0 running, 0 waiting, 1 failed/);
    expect(st.out).toMatch(new RegExp(`failed job ${p} \\(\\d+ functions\\): poison job`));
    const f = await run(['queue', 'finish', 'poison', '-o', 'pmerged', '--redis', url]);
    expect(f.code, f.out).toBe(0);
    const rows = readFileSync(join(dir, 'pmerged', 'functions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => ({
        line: l,
        row: JSON.parse(l) as {
          module: string;
          function: string;
          failure?: { kind: string; reason: string };
        },
      }));
    // Every function of the two modules once; the poison job's failed, the others as in the whole run.
    const all = c.modules.flatMap((m) => m.functions.map((fn) => `${m.path}:${fn}`));
    expect(rows.map((r) => `${r.row.module}:${r.row.function}`).sort()).toEqual([...all].sort());
    const jobOf = new Map(
      c.modules.flatMap((m) => m.functions.map((fn, i) => [`${m.path}:${fn}`, m.jobs[i]!] as const)),
    );
    const wholeRows = new Map(
      readFileSync(join(whole, 'functions.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const r = JSON.parse(l) as { module: string; function: string };
          return [`${r.module}:${r.function}`, l] as const;
        }),
    );
    let failed = 0;
    for (const { line, row } of rows) {
      const key = `${row.module}:${row.function}`;
      if (jobOf.get(key) === p) {
        failed++;
        expect(row.failure?.kind, key).toBe('job-failed');
        expect(row.failure?.reason).toMatch(
          /^poison job: started 3 times, more than --attempts 2; 2 of its workers were lost/,
        );
      } else expect(line, key).toBe(wholeRows.get(key));
    }
    expect(failed).toBeGreaterThan(0);
    const summary = JSON.parse(readFileSync(join(dir, 'pmerged', 'summary.json'), 'utf8')) as {
      totals: { failedByKind: Record<string, number> };
    };
    expect(summary.totals.failedByKind['job-failed']).toBe(failed);
  }, 90_000);

  it('says in one line when Redis cannot be reached', async () => {
    const port = await freePort();
    const r = await run(['queue', 'work', '--redis', `redis://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      new RegExp(`^inputsmith: cannot reach Redis at redis://127.0.0.1:${port}: .*ECONNREFUSED`),
    );
    expect(r.out.split('\n')).toHaveLength(1);
  });
});

describe('queue jobs: contiguous shares (cutShards)', () => {
  it('cuts units in order into N non-empty runs of about equal cost', () => {
    const costs = [5, 1, 1, 8, 2, 2, 2, 9, 1, 1, 3, 4, 6, 1, 1, 2];
    const total = costs.reduce((a, c) => a + c, 0);
    for (const n of [1, 2, 3, 4, 8, 16]) {
      const owner = cutShards(costs, n);
      expect(owner).toHaveLength(costs.length);
      // In order, every share used, none skipped.
      expect(owner[0]).toBe(0);
      expect(owner[owner.length - 1]).toBe(n - 1);
      for (let u = 1; u < owner.length; u++) expect(owner[u]! - owner[u - 1]!).toBeGreaterThanOrEqual(0);
      for (let u = 1; u < owner.length; u++) expect(owner[u]! - owner[u - 1]!).toBeLessThanOrEqual(1);
      // Each share within the largest unit of its fair part (the cut is at unit midpoints).
      const load = new Array<number>(n).fill(0);
      owner.forEach((o, u) => (load[o]! += costs[u]!));
      if (n <= 4)
        for (const l of load) expect(Math.abs(l - total / n)).toBeLessThanOrEqual(Math.max(...costs));
    }
    // All costs zero: by count.
    expect(cutShards([0, 0, 0, 0], 2)).toEqual([0, 0, 1, 1]);
  });
});
