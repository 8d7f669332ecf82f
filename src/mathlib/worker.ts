/**
 * @fileoverview Stage: mathlib. The worker thread of a mathlib run: receives `ChunkTask`s, runs each
 * (src/mathlib/chunk.ts) and answers `{ index }` or `{ index, error }`.
 *
 * Consumes: messages from src/mathlib/run.ts. Produces: the chunk files on disk and the answers.
 */
import { parentPort } from 'node:worker_threads';
import { runChunk, type ChunkTask } from './chunk.js';

parentPort?.on('message', (task: ChunkTask) => {
  try {
    runChunk(task);
    parentPort?.postMessage({ index: task.chunk.index });
  } catch (e) {
    parentPort?.postMessage({ index: task.chunk.index, error: e instanceof Error ? e.message : String(e) });
  }
});
