/**
 * @fileoverview Stage: export. Reads a `gen` output directory for the exporters: its run, its modules
 * (loaded and parsed again, as `replay` loads them) and each selected function's result and kept inputs.
 *
 * Consumes: OUT, the directory `gen -o OUT` wrote (read through `OutDir`, src/guide/layout.ts: run.json,
 * results/<module-key>/module.json and <fn-key>.json, inputs/<module-key>/<fn-key>/<k>.json). Module paths
 * are resolved against the current directory, like `replay`'s (run export where gen ran), and a relative
 * path that names nothing there against OUT's parent directory (`moduleBaseFrom`). Sources are
 * compiled again with the run's compile options (through the IR cache, so normally not at all).
 *
 * Produces: `RunDir`, the run's `RunSpec` and one `RunModule` per module that could be loaded and still
 * has the text `gen` saw (same sha256). A module gen could not load, one that cannot be loaded now and one
 * whose text changed are left out with one warning each (`warn`); the exporters decide whether what is
 * left is enough.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { InputRecord } from '../gen/record.js';
import { decodeRecord } from '../gen/record.js';
import { OutDir, RUN_FORMAT, type FunctionRow, type RunSpec } from '../guide/layout.js';
import type { Module } from '../ir/model.js';
import { parseModule } from '../ir/parser.js';
import { moduleHash } from '../replay/native.js';
import { loadIRText, type CompileCommand, type OptLevel } from '../toolchain/compile.js';
import { errorLine, UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/fsx.js';

export interface ExportOptions {
  /** clang for sources (else the toolchain finder's choice). */
  readonly clang?: string;
  /** Called once per module left out or otherwise worth a line on stderr. */
  readonly warn?: (line: string) => void;
  /**
   * Entries of a compile_commands.json (`--compile-commands`); else those gen kept in OUT/sources.json.
   * A module whose source has an entry is compiled with its flags, in its directory.
   */
  readonly commands?: readonly CompileCommand[];
}

/** One selected function of a module: its result row (undefined: gen did not finish it) and kept inputs. */
export interface RunFunction {
  readonly name: string;
  readonly key: string;
  readonly row: FunctionRow | undefined;
  /** The kept inputs, by index; empty when the row is missing. */
  readonly records: readonly InputRecord[];
  /** Their files, parallel to `records`. */
  readonly files: readonly string[];
}

export interface RunModule {
  /** The module path as given to gen (records' `module`). */
  readonly path: string;
  readonly key: string;
  readonly hash: string;
  readonly m: Module;
  /** The compile_commands.json entry the module was compiled with (gen --compile-commands). */
  readonly command?: CompileCommand;
  /** Selected functions in module order (functions gen did not select are not listed). */
  readonly functions: readonly RunFunction[];
}

export interface RunDir {
  readonly root: string;
  readonly spec: RunSpec;
  readonly modules: readonly RunModule[];
}

/** The run in `root`; a directory without a gen run is a `UserError`. */
export async function readRunDir(root: string, o: ExportOptions = {}): Promise<RunDir> {
  const { spec, modules } = openRunDir(root, o);
  const out: RunModule[] = [];
  for await (const m of modules) out.push({ ...m, functions: functionsOf(m.out, m.key) });
  return { root, spec, modules: out };
}

/** A module of the run whose functions are read on demand (`RunFunctionFiles`), for streaming exports. */
export interface LazyRunModule extends Omit<RunModule, 'functions'> {
  readonly out: OutDir;
  /** Where the module was read from (absolute; `moduleBaseFrom`: against the current directory or beside OUT). */
  readonly file: string;
}

/**
 * The run in `root` with its modules loaded one at a time as `modules` is iterated (a module is parsed
 * when reached and can be dropped after), so an export over a large run holds one module at a time.
 */
export function openRunDir(
  root: string,
  o: ExportOptions = {},
): { spec: RunSpec; modules: AsyncGenerator<LazyRunModule> } {
  const out = new OutDir(root);
  let spec: RunSpec;
  try {
    spec = JSON.parse(readFileSync(out.runFile, 'utf8')) as RunSpec;
  } catch {
    throw new UserError('is not a gen output directory (no readable run.json)', { file: root });
  }
  if (spec.format !== RUN_FORMAT)
    throw new UserError('is not a gen output directory (run.json)', { file: root });
  return { spec, modules: eachModule(out, spec, o) };
}

async function* eachModule(out: OutDir, spec: RunSpec, o: ExportOptions): AsyncGenerator<LazyRunModule> {
  const warn = o.warn ?? (() => {});
  const commands = o.commands ?? readRunSources(out.root);
  for (const mod of spec.modules) {
    if (mod.hash === null) {
      warn(`${mod.path}: skipped: gen could not load it`);
      continue;
    }
    const base = moduleBaseFrom(out.root, mod.path);
    const file = resolve(base, mod.path);
    const loaded = await loadModule(spec, mod.path, base, o.clang, commands);
    if (typeof loaded === 'string') {
      warn(`${mod.path}: skipped: ${loaded}`);
      continue;
    }
    if (moduleHash(loaded.text) !== mod.hash) {
      warn(`${mod.path}: skipped: the module changed since gen ran`);
      continue;
    }
    const command = commands?.find((c) => c.file === file);
    yield {
      path: mod.path,
      file,
      key: mod.key,
      hash: mod.hash,
      m: loaded.m,
      out,
      ...(command ? { command } : {}),
    };
  }
}

/**
 * The directory a module of the run in `root` is read and compiled in: the current directory, or, for a
 * relative path that names nothing there, `root`'s parent directory (where `gen -o OUT` usually ran) if
 * it names a file there. Sources compile there, so their relative `-I` directories and the IR's file
 * names are gen's; the module's hash decides whether it is the text gen saw.
 */
export function moduleBaseFrom(root: string, path: string): string {
  if (isAbsolute(path) || existsSync(path)) return resolve('.');
  const beside = dirname(resolve(root));
  return existsSync(join(beside, path)) ? beside : resolve('.');
}

/** The module text and its parse, or why it cannot be had. */
async function loadModule(
  spec: RunSpec,
  path: string,
  cwd: string,
  clang: string | undefined,
  commands: readonly CompileCommand[] | undefined,
): Promise<{ text: string; m: Module } | string> {
  const c = spec.compile;
  try {
    const { text, file } = await loadIRText(path, {
      opt: c.opt as OptLevel,
      includes: [...c.includes],
      defines: [...c.defines],
      debug: c.debug,
      clang,
      cwd,
      ...(commands !== undefined ? { commands } : {}),
    });
    return { text, m: parseModule(text, file) };
  } catch (e) {
    return `cannot load it: ${errorLine(e)} (a relative module path is resolved against the current directory, then the output directory's parent: run export where gen ran)`;
  }
}

/** The selected functions of a module with their rows and kept inputs, in module order. */
function functionsOf(out: OutDir, mkey: string): RunFunction[] {
  const ix = out.readModuleIndex(mkey);
  if (ix === undefined) return [];
  return ix.functions.map((f) => {
    const row = out.readFunction(mkey, f.key);
    const files = (row?.inputs ?? []).map((i) => out.inputFile(mkey, f.key, i.index));
    const records = files.map((file) => decodeRecord(readFileSync(file, 'utf8'), file));
    return { name: f.name, key: f.key, row, records, files };
  });
}

// ---------------------------------------------------------------------------------------------------
// OUT/sources.json: each module's source and flags (gen --compile-commands)

export const SOURCES_FORMAT = 'inputsmith-sources';

/** OUT/sources.json: per module of run.json compiled from a compile_commands.json entry. */
export interface RunSources {
  readonly format: typeof SOURCES_FORMAT;
  readonly version: 1;
  readonly modules: readonly {
    /** The module path as in run.json (records' `module`). */
    readonly path: string;
    /** Absolute path of the source file, the directory it is compiled in, the compiler and its flags. */
    readonly source: string;
    readonly directory: string;
    readonly compiler: string;
    /** The entry's flags as an IR compile keeps them (`-I`, `-D`, `-std`, `-f`...; no `-O`, `-g`, `-o`). */
    readonly flags: readonly string[];
  }[];
}

const sourcesFile = (root: string): string => join(root, 'sources.json');

/**
 * Write OUT/sources.json after a campaign: the entry of `commands` of each module of run.json, so that
 * replay and the exports compile the modules as gen did without being given the file again, and the test
 * export knows each source's flags. Without commands, an earlier run's file is removed.
 */
export function writeRunSources(root: string, commands: readonly CompileCommand[] | undefined): void {
  if (commands === undefined) {
    rmSync(sourcesFile(root), { force: true });
    return;
  }
  const spec = JSON.parse(readFileSync(new OutDir(root).runFile, 'utf8')) as RunSpec;
  const modules: RunSources['modules'][number][] = [];
  for (const m of spec.modules) {
    const abs = resolve(m.path);
    const c = commands.find((e) => e.file === abs);
    if (c === undefined) continue;
    modules.push({
      path: m.path,
      source: c.file,
      directory: c.directory,
      compiler: c.compiler,
      flags: c.args,
    });
  }
  const doc: RunSources = { format: SOURCES_FORMAT, version: 1, modules };
  writeFileAtomic(sourcesFile(root), JSON.stringify(doc, null, 2) + '\n');
}

/** The entries OUT/sources.json keeps, or undefined when gen ran without --compile-commands. */
export function readRunSources(root: string): CompileCommand[] | undefined {
  let doc: RunSources;
  try {
    doc = JSON.parse(readFileSync(sourcesFile(root), 'utf8')) as RunSources;
  } catch {
    return undefined;
  }
  if (doc.format !== SOURCES_FORMAT) return undefined;
  return doc.modules.map((m) => ({
    file: m.source,
    directory: m.directory,
    args: [...m.flags],
    compiler: m.compiler,
  }));
}

/**
 * The entries kept by the gen run `path` belongs to: the run directory itself, or the nearest ancestor
 * with a run.json (OUT/sample, OUT/inputs/...), as replay finds a run's options.
 */
export function runSourcesAbove(path: string): CompileCommand[] | undefined {
  let d = resolve(path);
  for (;;) {
    if (existsSync(join(d, 'run.json'))) return readRunSources(d);
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}
