/**
 * @fileoverview Stage: replay (native). The module text the replay's clang can read.
 *
 * Consumes: a module's IR text, its parsed `Module` and the major version of the clang that builds the
 * replay. Produces: IR text in that clang's dialect: the text itself when the module comes from that
 * clang or an older LLVM (every C/C++ module compiled by the toolchain: byte-identical), else the module
 * parsed again, rewritten by `downgradeModule` (src/ir/dialect.ts: newer attributes, flags and intrinsic
 * signatures dropped, debug information removed) and printed from the model, `undef` and `poison` made
 * zero as the engine reads them (`zeroUndefined`), with Rust's allocator
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
  return defineRustShims(zeroUndefined(printModule(copy)), copy);
}

/** `undef` or `poison` as an operand (after a type or an opening bracket, before a separator). */
const UNDEF = /(?<=[\s,(<[{])(?<!token )(undef|poison)(?=[\s,)>\]}]|$)/g;

/**
 * Every `undef` and `poison` constant of IR text as `zeroinitializer`, the value the engine gives them: a
 * legal refinement (an undefined value may be any value), so that the native run computes what the
 * engine did where a function returns or stores one (rustc's `ret { ptr, ptr } { ptr null, ptr undef }`
 * of an enum's unused payload, `insertvalue { i64, i64 } undef, ...`). Strings and metadata are left
 * alone; `token poison` too (a token has no zero).
 */
export function zeroUndefined(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('!') || line.startsWith(';') || !/undef|poison/.test(line)) return line;
      const parts = line.split('"');
      for (let k = 0; k < parts.length; k += 2)
        parts[k] = (parts[k] as string).replace(UNDEF, 'zeroinitializer');
      return parts.join('"');
    })
    .join('\n');
}
