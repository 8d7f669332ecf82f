/**
 * @fileoverview Stage: replay (native). The module text the replay's clang can read.
 *
 * Consumes: a module's IR text, its parsed `Module` and the major version of the clang that builds the
 * replay. Produces: IR text in that clang's dialect: the text itself when the module comes from that
 * clang or an older LLVM (every C/C++ module compiled by the toolchain: byte-identical), else the module
 * parsed again, rewritten by `downgradeModule` (src/ir/dialect.ts: newer attributes, flags and intrinsic
 * signatures dropped, debug information removed) and printed from the model, with Rust's allocator
 * shims defined (./native-rust.ts).
 */
import { downgradeModule, needsDowngrade } from '../ir/dialect.js';
import type { Module } from '../ir/model.js';
import { parseModule } from '../ir/parser.js';
import { printModule } from '../ir/printer.js';
import { defineRustShims } from './native-rust.js';

/** `text` in the dialect of clang `major` (see the file header). */
export function replayDialectText(text: string, m: Module, major: number): string {
  if (!needsDowngrade(m, major)) return text;
  const copy = parseModule(text, m.sourceFilename ?? '<module>');
  downgradeModule(copy, major);
  return defineRustShims(printModule(copy), copy);
}
