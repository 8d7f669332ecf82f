#!/usr/bin/env node
// The job queue on the corpus (issue 17, docs/distributed.md): per library, `inputsmith gen --jobs J`
// against a queue campaign on a real redis-server on loopback (`queue submit`, then J `queue work -j 1`
// processes, then `queue finish`), alternating the two R times so that a busy machine weighs on both
// alike. Checks that every finished directory equals gen's byte for byte (timings.jsonl aside) and reports
// the queue's throughput against gen's: wall time of gen over wall time of the workers (submit and finish,
// which run once per campaign, reported apart). Prints Markdown on stdout; exits 1 when a result differs.
//
// Usage: node bench/queue-bench.mjs [--workers J] [--rounds R] [--queue-jobs N] [lib[+lib...]...]
//        (default: 2 workers, 2 rounds, submit's default job count; one campaign of cjson+zlib+lz4;
//        `a+b` is one campaign over both libraries)
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { corpusIR, fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const { tree, same } = await import(join(root, 'bench/run-tree.mjs'));
const BIN = join(root, 'bin', 'inputsmith.js');
const args = process.argv.slice(2);
const flag = (name, def) => {
  const at = args.indexOf(name);
  return at >= 0 ? args.splice(at, 2)[1] : def;
};
const J = Number(flag('--workers', '2'));
const R = Number(flag('--rounds', '2'));
const jobsFlag = flag('--queue-jobs', undefined);
const libs = args.length > 0 ? args : ['cjson+zlib+lz4'];

function cli(argv) {
  const r = spawnSync(process.execPath, [BIN, ...argv], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.slice(0, 2).join(' ')}: ${r.stderr.trim().split('\n').pop()}`);
  return r.stdout;
}

function timed(f) {
  const t0 = performance.now();
  f();
  return (performance.now() - t0) / 1000;
}

/** J workers at once; resolves with the wall seconds until the last one exits. */
function workers(url, queue) {
  const t0 = performance.now();
  const runs = Array.from(
    { length: J },
    () =>
      new Promise((resolve, reject) => {
        const w = spawn(
          process.execPath,
          [BIN, 'queue', 'work', '--redis', url, '--queue', queue, '-j', '1'],
          {
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let err = '';
        w.stderr.on('data', (c) => (err += c));
        w.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`queue work: ${err.trim()}`))));
      }),
  );
  return Promise.all(runs).then(() => (performance.now() - t0) / 1000);
}

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const url = `redis://127.0.0.1:${port}`;
const work = mkdtempSync(join(tmpdir(), 'inputsmith-queue-bench-'));
const redis = spawn(
  'redis-server',
  ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
  {
    cwd: work,
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
await new Promise((resolve, reject) => {
  let log = '';
  redis.stdout.on('data', (c) => {
    log += c;
    if (log.includes('Ready to accept connections')) resolve();
  });
  redis.on('exit', (code) => reject(new Error(`redis-server exited (${code})`)));
});

const rows = [];
let failed = false;
try {
  for (const name of libs) {
    // `a+b+c`: one campaign over several libraries.
    const files = [];
    for (const lib of name.split('+')) files.push(...(await corpusIR(await fetchCorpus(lib, {}), 'O1')));
    const row = { name, gen: [], queue: [], submit: [], finish: [], jobs: 0, functions: 0, diff: undefined };
    let want;
    for (let r = 0; r < R; r++) {
      const whole = join(work, name, `whole-${r}`);
      row.gen.push(timed(() => cli(['gen', ...files, '-o', whole, '--jobs', String(J)])));
      want ??= tree(whole);
      row.functions = JSON.parse(readFileSync(join(whole, 'summary.json'))).totals.functions;
      const shared = join(work, name, `shared-${r}`);
      const queue = `${name}-${r}`;
      const extra = jobsFlag === undefined ? [] : ['--queue-jobs', jobsFlag];
      let out = '';
      row.submit.push(
        timed(
          () =>
            (out = cli([
              'queue',
              'submit',
              ...files,
              '-o',
              shared,
              '--redis',
              url,
              '--queue',
              queue,
              ...extra,
            ])),
        ),
      );
      row.jobs = Number(/: (\d+) jobs/.exec(out)[1]);
      row.queue.push(await workers(url, queue));
      const merged = join(work, name, `merged-${r}`);
      row.finish.push(timed(() => cli(['queue', 'finish', shared, '-o', merged, '--redis', url])));
      row.diff ??= same(want, tree(merged));
      if (row.diff !== undefined) failed = true;
    }
    rows.push(row);
  }
} finally {
  redis.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
}

const sum = (xs) => xs.reduce((a, b) => a + b, 0);
const s = (xs) => xs.map((x) => x.toFixed(1)).join(', ');
process.stdout.write(
  `| library | functions | jobs | gen --jobs ${J}, s | ${J} queue workers, s | throughput (gen/queue) | submit, finish, s | result |\n|---|---:|---:|---|---|---:|---|---|\n`,
);
for (const r of rows)
  process.stdout.write(
    `| ${r.name} | ${r.functions} | ${r.jobs} | ${s(r.gen)} | ${s(r.queue)} | ${(sum(r.gen) / sum(r.queue)).toFixed(3)} | ${s(r.submit)}; ${s(r.finish)} | ${r.diff === undefined ? 'identical' : `DIFFERS: ${r.diff}`} |\n`,
  );
const g = sum(rows.flatMap((r) => r.gen));
const q = sum(rows.flatMap((r) => r.queue));
process.stdout.write(
  `\ntotal: gen ${g.toFixed(1)} s, queue workers ${q.toFixed(1)} s, throughput ${(g / q).toFixed(3)}\n`,
);
process.exit(failed ? 1 : 0);
