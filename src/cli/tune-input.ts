/**
 * @fileoverview Stage: cli. Reads a gen output directory for `perf` and `diff`: each module with its C
 * source, flags and kept inputs as tune's `TuneModule`s, and a loader of its IR text.
 *
 * Consumes: OUT (through export's `readRunDir`: modules resolved as `replay` resolves them, sources and
 * flags from `--compile-commands` or OUT/sources.json). Produces: `TuneModule[]` and `textOf`. A module
 * compiled without a compile_commands.json entry takes the run's `-I`/`-D` options as its flags; a module
 * that is not a C source (.ll, .bc) has no source and each variant reports it.
 */
import { resolve } from 'node:path';
import { moduleBaseFrom, readRunDir } from '../export/run-dir.js';
import { loadIRText, readCompileCommands, type OptLevel } from '../toolchain/compile.js';
import type { TuneModule } from '../tune/variant-build.js';
import type { TextOf } from '../tune/perf.js';

export async function readTuneModules(
  out: string,
  o: { clang?: string; compileCommands?: string },
): Promise<{ mods: TuneModule[]; textOf: TextOf }> {
  const commands = o.compileCommands !== undefined ? readCompileCommands(o.compileCommands) : undefined;
  const rd = await readRunDir(out, {
    clang: o.clang,
    warn: (line) => process.stderr.write(`inputsmith: ${line}\n`),
    ...(commands !== undefined ? { commands } : {}),
  });
  const c = rd.spec.compile;
  const mods: TuneModule[] = rd.modules.map((mod) => {
    const base = moduleBaseFrom(rd.root, mod.path);
    const file = resolve(base, mod.path);
    const isC = /\.c$/i.test(file);
    const source = mod.command
      ? { file: mod.command.file, directory: mod.command.directory, args: mod.command.args }
      : isC
        ? {
            file,
            directory: base,
            args: [...c.includes.map((i) => `-I${i}`), ...c.defines.map((d) => `-D${d}`)],
          }
        : undefined;
    return {
      path: mod.path,
      m: mod.m,
      hash: mod.hash,
      ...(source !== undefined ? { source } : {}),
      records: mod.functions.flatMap((f) => f.records),
    };
  });
  const textOf: TextOf = async (mod) => {
    const base = moduleBaseFrom(rd.root, mod.path);
    const { text } = await loadIRText(mod.path, {
      opt: c.opt as OptLevel,
      includes: [...c.includes],
      defines: [...c.defines],
      debug: c.debug,
      clang: o.clang,
      cwd: base,
      ...(commands !== undefined
        ? { commands }
        : mod.source !== undefined && rd.modules.find((x) => x.path === mod.path)?.command
          ? { commands: [rd.modules.find((x) => x.path === mod.path)!.command!] }
          : {}),
    });
    return text;
  };
  return { mods, textOf };
}
