/**
 * @fileoverview Stage: util. The CPU time of the calling thread, and a time guard measured in it.
 *
 * Consumes: /proc/thread-self/stat (Linux). Produces: `threadCpuMs` and `CpuDeadline`, the per-function
 * guard of a campaign (src/guide/search.ts `searchAndReplay`). A guard in wall-clock time fires on a
 * loaded machine for functions that used a fraction of their time (measured: the `find_match` functions
 * of lzo2, 2-4 s of CPU, took over 20 s of wall clock at a load average of 23 on 2 cores), so the guard
 * counts the worker thread's own CPU time, which other processes and threads do not consume. Where the
 * system has no per-thread clock it falls back to the wall clock.
 */
import { readFileSync } from 'node:fs';

/** /proc's clock tick (USER_HZ, 100 on every Linux ABI), ms. */
const TICK_MS = 10;

/**
 * User plus system CPU time of the calling thread (a worker thread is an OS thread of its own), ms, at
 * the clock tick's resolution; undefined where /proc/thread-self is missing. Costs a file read (tens of µs):
 * for checks now and then, not per step.
 */
export function threadCpuMs(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/thread-self/stat', 'latin1');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces) start with the state, field 3; utime and stime
  // are fields 14 and 15.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  return Number.isFinite(ticks) ? ticks * TICK_MS : undefined;
}

/** A deadline that engine runs and loops check often and cheaply (`Date.now() > at` first). */
export interface Deadline {
  /** A `Date.now()` value before which the deadline has certainly not passed. */
  readonly at: number;
  /** Whether the deadline has passed (when not, `at` may have moved later). */
  passed(): boolean;
}

/**
 * `budgetMs` of the calling thread's CPU time from now. CPU time grows at most as fast as the wall clock,
 * so `at` starts at now + budget, and each time the wall clock passes it the thread's CPU time is read:
 * spent, the deadline has passed; otherwise `at` moves to the earliest moment the rest could be spent.
 */
export class CpuDeadline implements Deadline {
  at: number;
  private readonly cpu0: number | undefined;

  constructor(private readonly budgetMs: number) {
    this.cpu0 = threadCpuMs();
    this.at = Date.now() + budgetMs;
  }

  passed(): boolean {
    const now = Date.now();
    if (now <= this.at) return false;
    if (this.cpu0 === undefined) return true;
    const left = this.budgetMs - ((threadCpuMs() ?? Infinity) - this.cpu0);
    if (left <= 0) return true;
    this.at = now + left;
    return false;
  }
}
