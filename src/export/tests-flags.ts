/**
 * @fileoverview Stage: export. The compile flags of an exported test unit (`export tests`) from the
 * compile_commands.json entry its source was compiled with (`gen --compile-commands`, OUT/sources.json),
 * written as CMake arguments.
 *
 * Consumes: a `CompileCommand` (src/toolchain/compile.ts). Produces: the arguments of the unit's
 * `target_compile_options`: the entry's flags as `readCompileCommands` kept them (no `-O`, `-g`, `-o`,
 * `-Werror`), relative include directories made absolute against the entry's directory (the project
 * builds elsewhere), a flag and its separate value joined into one argument (CMake de-duplicates options:
 * `-D A -D B` would lose the second `-D`), quoted where CMake would split or expand them.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CompileCommand } from '../toolchain/compile.js';

/**
 * The flags of a compile_commands.json entry for the test unit: the entry's own (no `-O`, `-g`, `-o`,
 * `-Werror`: readCompileCommands dropped them), with relative `-I`/`-isystem`/`-iquote` directories and
 * `-include` files made absolute against the entry's directory (the test builds elsewhere), as CMake
 * arguments.
 */
export function commandFlags(c: CompileCommand): string[] {
  const out: string[] = [];
  const dirFlags = ['-I', '-isystem', '-iquote', '-idirafter'];
  const withValue = [...dirFlags, '-D', '-U', '-include', '-imacros', '-x', '-Xclang', '-target'];
  // Directories, and files `-include`d that exist relative to the entry's directory, made absolute.
  const value = (f: string, v: string): string =>
    dirFlags.includes(f) || (['-include', '-imacros'].includes(f) && existsSync(resolve(c.directory, v)))
      ? resolve(c.directory, v)
      : v;
  for (let i = 0; i < c.args.length; i++) {
    const a = c.args[i]!;
    const joined = dirFlags.find((f) => a.startsWith(f) && a.length > f.length && f !== '-I');
    if (withValue.includes(a) && i + 1 < c.args.length) {
      const v = value(a, c.args[++i]!);
      // CMake de-duplicates options: a flag and its value must stay one argument.
      out.push(['-D', '-U', '-I'].includes(a) ? cmakeArg(a + v) : cmakeArg(`SHELL:${a} ${v}`));
    } else if (a.startsWith('-I') && a.length > 2) out.push(cmakeArg('-I' + value('-I', a.slice(2))));
    else if (joined !== undefined) out.push(cmakeArg(joined + value(joined, a.slice(joined.length))));
    else out.push(cmakeArg(a));
  }
  return out;
}

/** One argument of a CMake command: quoted when it has a space, quote, `;`, `$` or `\\`. */
function cmakeArg(a: string): string {
  return /[\s"\\;$#()]/.test(a) ? `"${a.replace(/[\\"$]/g, (ch) => `\\${ch}`)}"` : a;
}
