#!/usr/bin/env node
// Static sharding under a real scheduler (issue 17, docs/distributed.md "Job definitions"): a single-node
// Slurm cluster on this machine (Debian's slurm-wlm and munge, started here with a configuration of our
// own in a temporary directory, stopped at the end), one `sbatch --array=1-N` job array running `gen
// --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`, then `inputsmith merge` of the N shard
// directories, compared byte for byte (timings.jsonl aside) with one `gen` run. Prints Markdown on stdout;
// exits 1 when the merge differs or a task failed.
//
// Needs root and `apt-get install slurm-wlm munge` (the script does not install them).
// Usage: node bench/slurm-bench.mjs [--shards N] [lib[+lib...]]   (default: 4 shards; cjson+zlib)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, hostname, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { corpusIR, fetchCorpus } = await import(join(root, 'dist/toolchain/corpus.js'));
const { tree, same } = await import(join(root, 'bench/run-tree.mjs'));
const BIN = join(root, 'bin', 'inputsmith.js');
const args = process.argv.slice(2);
const at = args.indexOf('--shards');
const N = at >= 0 ? Number(args.splice(at, 2)[1]) : 4;
const name = args[0] ?? 'cjson+zlib';

for (const tool of ['slurmctld', 'slurmd', 'sbatch', 'munged'])
  if (spawnSync('which', [tool]).status !== 0) {
    process.stderr.write(`slurm-bench: ${tool} not found: apt-get install slurm-wlm munge (as root)\n`);
    process.exit(2);
  }

const work = mkdtempSync(join(tmpdir(), 'inputsmith-slurm-bench-'));
const conf = join(work, 'slurm.conf');
const env = { ...process.env, SLURM_CONF: conf };
const host = hostname().split('.')[0];
const pids = [];
let failed = false;
try {
  // munge: the Debian package's key; a munged of our own unless one runs already.
  const mungeRun = join(work, 'munge');
  mkdirSync(mungeRun, { recursive: true });
  const socket = join(mungeRun, 'munge.socket');
  execFileSync('munged', ['--force', '--socket', socket, '--pid-file', join(mungeRun, 'munged.pid')]);
  pids.push(join(mungeRun, 'munged.pid'));
  const cores = cpus().length;
  const spool = join(work, 'spool');
  mkdirSync(spool, { recursive: true });
  writeFileSync(
    conf,
    [
      'ClusterName=inputsmith-bench',
      `SlurmctldHost=${host}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      `AuthInfo=socket=${socket}`,
      'CredType=cred/munge',
      `StateSaveLocation=${join(work, 'state')}`,
      `SlurmdSpoolDir=${spool}`,
      `SlurmctldPidFile=${join(work, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(work, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(work, 'slurmctld.log')}`,
      `SlurmdLogFile=${join(work, 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'SchedulerType=sched/builtin',
      'ReturnToService=2',
      'MpiDefault=none',
      `NodeName=${host} CPUs=${cores} State=UNKNOWN`,
      'PartitionName=bench Nodes=ALL Default=YES MaxTime=INFINITE State=UP',
      '',
    ].join('\n'),
  );
  mkdirSync(join(work, 'state'), { recursive: true });
  execFileSync('slurmctld', ['-f', conf], { env });
  pids.push(join(work, 'slurmctld.pid'));
  execFileSync('slurmd', ['-f', conf], { env });
  pids.push(join(work, 'slurmd.pid'));
  // The node is up once sinfo says idle.
  for (let i = 0; ; i++) {
    const s = spawnSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8' });
    if (s.stdout.trim() === 'idle') break;
    if (i > 100) throw new Error(`slurm node not idle: ${s.stdout}${s.stderr}`);
    await sleep(200);
  }

  const files = [];
  for (const lib of name.split('+')) files.push(...(await corpusIR(await fetchCorpus(lib, {}), 'O1')));
  const whole = join(work, 'whole');
  const t0 = performance.now();
  execFileSync(process.execPath, [BIN, 'gen', ...files, '-o', whole, '--jobs', String(cores)], {
    stdio: 'ignore',
  });
  const genS = (performance.now() - t0) / 1000;
  // One task per core at a time; each task one worker thread.
  const script = join(work, 'gen.sbatch');
  writeFileSync(
    script,
    [
      '#!/bin/bash',
      '#SBATCH --job-name=inputsmith-gen',
      `#SBATCH --array=1-${N}`,
      '#SBATCH --cpus-per-task=1',
      `#SBATCH --output=${join(work, 'task-%a.log')}`,
      'echo "start $(date +%s.%N)"',
      `${process.execPath} ${BIN} gen ${files.join(' ')} -o ${join(work, 'shard-')}$SLURM_ARRAY_TASK_ID \\`,
      '  --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT --jobs $SLURM_CPUS_PER_TASK || exit 1',
      'echo "end $(date +%s.%N)"',
      '',
    ].join('\n'),
  );
  const t1 = performance.now();
  const submitAt = Date.now() / 1000;
  const sb = spawnSync('sbatch', ['--wait', '--chdir', process.cwd(), script], { env, encoding: 'utf8' });
  const arrayS = (performance.now() - t1) / 1000;
  if (sb.status !== 0) {
    failed = true;
    process.stderr.write(`sbatch: ${sb.stdout}${sb.stderr}`);
  }
  const dirs = Array.from({ length: N }, (_, i) => join(work, `shard-${i + 1}`));
  const merged = join(work, 'merged');
  const m = spawnSync(process.execPath, [BIN, 'merge', ...dirs, '-o', merged], { encoding: 'utf8' });
  const diff = m.status !== 0 ? m.stderr.trim() : same(tree(whole), tree(merged));
  if (diff !== undefined) failed = true;
  const fns = JSON.parse(readFileSync(join(whole, 'summary.json'))).totals.functions;
  // When each task ran, from its log: the scheduler's overhead and how many ran at once.
  const spans = dirs.map((_, i) => {
    const log = readFileSync(join(work, `task-${i + 1}.log`), 'utf8');
    const t = (k) => Number(new RegExp(`^${k} (\\S+)$`, 'm').exec(log)?.[1] ?? NaN);
    return [t('start'), t('end')];
  });
  const first = Math.min(...spans.map((x) => x[0]));
  const lastEnd = Math.max(...spans.map((x) => x[1]));
  const timeline = spans.map(
    ([a, b], i) => `task ${i + 1}: ${(a - first).toFixed(1)}-${(b - first).toFixed(1)} s`,
  );
  process.stdout.write(
    `| campaign | functions | gen --jobs ${cores}, s | Slurm array of ${N} (1 CPU each, ${cores} at a time): submit to last task's end, s | sbatch --wait, s | merge |\n|---|---:|---:|---:|---:|---|\n`,
  );
  process.stdout.write(
    `| ${name} | ${fns} | ${genS.toFixed(1)} | ${(lastEnd - submitAt).toFixed(1)} | ${arrayS.toFixed(1)} | ${diff === undefined ? 'identical' : `DIFFERS: ${diff}`} |\n`,
  );
  process.stdout.write(`\n${sb.stdout.trim()}; ${timeline.join(', ')}\n`);
} finally {
  // Stop what this script started, by its pid files, last started first.
  for (const f of pids.reverse())
    if (existsSync(f)) {
      const pid = Number(readFileSync(f, 'utf8').trim());
      if (pid > 0) spawnSync('kill', [String(pid)]);
    }
  await sleep(500);
  if (!failed) rmSync(work, { recursive: true, force: true });
  else process.stderr.write(`slurm-bench: kept ${work} (logs)\n`);
}
process.exit(failed ? 1 : 0);
