/**
 * @fileoverview Stage: cli. `inputsmith queue submit|work|status|finish`: a generation campaign on a job
 * queue (BullMQ on Redis), run by any number of worker processes on any number of machines
 * (docs/distributed.md).
 *
 * Consumes: gen's options (submit), `--redis URL` and `--queue NAME`, the campaign's shared directory.
 * Produces: submit writes DIR/queue.json and adds the jobs; work runs jobs until the queue is empty (one
 * line per job on stderr); status prints where the jobs stand; finish writes OUT, exactly the directory
 * one `gen` run writes when no job failed, and the summary table. An unreachable Redis, a directory that
 * holds no campaign, unfinished jobs are one-line errors (exit 1). The work is in src/guide/queue.ts.
 */
import type { Command } from 'commander';
import { writeRunSources } from '../../export/run-dir.js';
import { finishCampaign, queueStatus, submitCampaign, workQueue } from '../../guide/queue.js';
import { readCampaign } from '../../guide/queue-jobs.js';
import { addCommandOptions, checkOptions, compileOptions, type OptionsOf } from '../options.js';
import { formatSummaryTable } from '../reporter.js';
import { campaignOptions } from './gen.js';

const say = (line: string): void => {
  process.stderr.write(`inputsmith: queue: ${line}\n`);
};

export function register(program: Command): void {
  const queue = program
    .command('queue')
    .description(
      'run a gen campaign on a job queue (BullMQ on Redis) with workers on any number of machines',
    );

  const submit = queue
    .command('submit')
    .description('split a gen campaign into jobs and add them to the queue; results go to the shared -o DIR')
    .argument('[inputs...]', "as gen's: .ll, .bc, .c, .cc, .cpp or .cxx files, or directories");
  addCommandOptions(submit, 'queue submit').action(async (inputs: string[], o: OptionsOf<'queue submit'>) => {
    checkOptions('queue submit', o, inputs.length);
    const compile = compileOptions(o);
    const r = await submitCampaign(campaignOptions(inputs, o, compile), {
      redis: o.redis,
      queue: o.queue,
      attempts: o.attempts,
      count: o.queueJobs,
      costs: o.shardCosts,
      force: o.force,
    });
    const c = r.campaign;
    process.stdout.write(
      `campaign ${c.id}: ${c.count} jobs (${r.functions} functions, ${c.modules.length} modules), ${r.added} added to queue ${c.queue} at ${o.redis}; results in ${c.dir}\n`,
    );
  });

  const work = queue
    .command('work')
    .description('run queue jobs, one at a time, until no job is waiting or running');
  addCommandOptions(work, 'queue work').action(async (o: OptionsOf<'queue work'>) => {
    checkOptions('queue work', o);
    const r = await workQueue(
      { redis: o.redis, queue: o.queue, jobs: o.jobs, stallSeconds: o.stallTimeout, wait: o.wait },
      {
        onJobStart: (e) =>
          say(
            `job ${e.index}/${e.count} started (attempt ${e.attempt}) in ${e.dir}${e.resumed > 0 ? `, continuing ${e.resumed} functions done by an earlier attempt` : ''}`,
          ),
        onJobDone: (e) =>
          say(
            `job ${e.index}/${e.count} done: ${e.functions} functions in ${(e.elapsedMs / 1000).toFixed(1)} s`,
          ),
        onJobFailed: (e) =>
          say(`job ${e.index}/${e.count} failed${e.final ? ' for good' : ', to be retried'}: ${e.reason}`),
        onError: (m) => say(`queue error: ${m}`),
      },
    );
    process.stdout.write(`queue ${o.queue}: this worker ran ${r.done} jobs, ${r.failed} failed\n`);
  });

  const status = queue
    .command('status')
    .description("show a queue campaign's progress and its failed jobs")
    .argument('<dir>', 'the shared directory of the campaign (submit -o)');
  addCommandOptions(status, 'queue status').action(async (dir: string, o: OptionsOf<'queue status'>) => {
    checkOptions('queue status', o);
    const s = await queueStatus(dir, { redis: o.redis });
    const c = s.campaign;
    const lines = [
      `campaign ${c.id} (queue ${c.queue}): ${c.count} jobs: ${s.finished} finished, ${s.running} running, ${s.waiting} waiting, ${s.failed.length} failed`,
      `functions: ${s.functionsDone} of ${s.functions} in finished jobs`,
      ...s.failed.map((f) => `failed job ${f.index} (${f.functions} functions): ${f.reason}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  const finish = queue
    .command('finish')
    .description('merge a finished queue campaign into the directory one gen run writes')
    .argument('<dir>', 'the shared directory of the campaign (submit -o)');
  addCommandOptions(finish, 'queue finish').action(async (dir: string, o: OptionsOf<'queue finish'>) => {
    checkOptions('queue finish', o);
    const r = await finishCampaign(dir, o.output as string, o.force, { redis: o.redis });
    // As gen does: each module's source and flags, for replay and the exports (OUT/sources.json).
    writeRunSources(o.output as string, readCampaign(dir).options.compile?.commands);
    process.stdout.write(formatSummaryTable(r.summary));
    process.stdout.write(
      `finished ${r.shards} jobs (${r.failedJobs} failed, their functions failed: job-failed) into ${r.out}\n`,
    );
  });
}
