/**
 * @fileoverview Stage: shared. Bounded concurrency of async jobs in this thread: child processes
 * (compiles, downloads, native replays). (Worker threads are src/guide/workers.ts.)
 *
 * Consumes: async jobs. Produces: their results, with at most N running at once. A process-wide
 * `Semaphore` bounds compiles no matter how many callers start them at the same time.
 */

import { availableParallelism } from 'node:os';

/** Number of cores, at least 1. */
export function coreCount(): number {
  return Math.max(1, availableParallelism());
}

export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async use<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }
}

/** Map `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
