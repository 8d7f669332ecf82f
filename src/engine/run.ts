/**
 * @fileoverview Stage: engine. The library entry points: run a module's main like lli, or call any function.
 *
 * Consumes: a parsed `Module` and run options. Produces: `RunResult`s. For many runs of the same module,
 * create one `Engine` (engine.ts) and call its methods: compilation happens once per engine.
 */
import type { Module } from '../ir/model.js';
import { Engine, type EngineOptions, type RunOptions, type RunResult } from './engine.js';
import type { ExtValue } from './externals.js';

export type { EngineOptions, RunOptions, RunResult } from './engine.js';
export { Engine } from './engine.js';

/** Compile `m` and run its `main` (or `opts.entry`). */
export function runMain(m: Module, opts: RunOptions & EngineOptions = {}): RunResult {
  return new Engine(m, opts).runMain(opts);
}

/** Compile `m` and call function `name` with boxed arguments (see externals.ts for the boxing rules). */
export function callFunction(
  m: Module,
  name: string,
  args: readonly ExtValue[],
  opts: RunOptions & EngineOptions = {},
): RunResult {
  return new Engine(m, opts).callFunction(name, args, opts);
}
