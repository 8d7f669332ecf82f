/**
 * @fileoverview Stage: engine. The cost model: how much of a run's deterministic step budget the work
 * outside engine-compiled code costs (libc models, bulk memory intrinsics, allocation). One closed table;
 * docs/engine.md "Cost model" documents every entry.
 *
 * A step of compiled code is a function entry or a loop iteration (engine.ts `budget`); the rates below
 * make one charged step take roughly as long as one such step (measured on the development machine:
 * a step ~10 ns, see docs/engine.md). Charges round down per call: a call doing less work than one
 * step's worth is free, and the compiled code around it is already charged.
 *
 * Consumes: nothing. Produces: `COST` and `bytesCost`.
 */

/** Bytes of work per charged step, by kind of work. */
export interface CostRates {
  /** Bulk copy/fill (memcpy/memmove/memset intrinsics and models, realloc copy, qsort moves). */
  readonly bulkBytes: number;
  /** Byte-wise scans (strlen, strcmp, strchr, memchr, memcmp, strspn, strstr...). */
  readonly scanBytes: number;
  /** Bytes printf formats and stores (digits, literal text, padding) or scanf/strto* parse. */
  readonly formatBytes: number;
  /** Bytes printf counts without storing them (output beyond snprintf's size). */
  readonly countedBytes: number;
  /** stdio bytes read from or written to a stream (fread, fwrite, fgets, fputs...). */
  readonly streamBytes: number;
  /** Heap bytes an allocation marks addressable (malloc, calloc, realloc, new) or calloc zeroes. */
  readonly allocBytes: number;
  /** Steps per comparison of the qsort/bsearch models (the comparator's own steps come on top). */
  readonly compareSteps: number;
}

/**
 * Measured (docs/engine.md "Cost model"): a step of compiled code 4-13 ns; memcpy model 0.4 ns a byte,
 * memset 0.19, strlen 2.5, printf output 1-1.9, malloc 0.03, counted-only printf bytes ~0.
 */
export const COST: CostRates = {
  bulkBytes: 32,
  scanBytes: 4,
  formatBytes: 8,
  countedBytes: 4096,
  streamBytes: 16,
  allocBytes: 256,
  compareSteps: 4,
};

/** Steps for `bytes` bytes at `perStep` bytes a step (rounded down; 0 for NaN or negative counts). */
export function bytesCost(bytes: number, perStep: number): number {
  return bytes > 0 ? Math.floor(bytes / perStep) : 0;
}
