/**
 * @fileoverview Stage: shared. Transitional re-export: the helpers moved to ./concurrency.ts (the name
 * `pool.ts` was also the guide's worker-thread pool). Remove once src/toolchain/compile.ts and
 * src/toolchain/corpus.ts import ./concurrency.js.
 */
export { coreCount, mapLimit, Semaphore } from './concurrency.js';
