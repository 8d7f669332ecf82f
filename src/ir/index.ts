/**
 * @fileoverview Stage: ir. The public API of the ir stage: the type system, the module model, the `.ll`
 * parser and the debug-information model.
 *
 * Consumes: nothing. Produces: re-exports for the later stages (engine, gen, replay, export).
 */
export * from './types.js';
export * from './model.js';
export { parseModule } from './parser.js';
export * from './debuginfo.js';
export * from './debuginfo-nodes.js';
export * from './debuginfo-c.js';
