/**
 * @fileoverview Stage: ir. The public API of the ir stage: the type system, the module model, the `.ll`
 * parser and debug-location lookup.
 *
 * Consumes: nothing. Produces: re-exports for the later stages (engine, gen, replay, export).
 */
export * from './types.js';
export * from './model.js';
export { parseModule } from './parser.js';
export { debugLocation, type DebugLocation } from './debuginfo.js';
