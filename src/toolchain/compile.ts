/**
 * @fileoverview Stage: toolchain. Turns C/C++ sources (and LLVM bitcode) into LLVM IR text.
 *
 * Consumes: source files, `compile_commands.json`, `.ll` / `.bc` files. Produces: `.ll` files (written
 * atomically) and IR text for the parser. C/C++ compiled on the fly by `loadIRText` are cached in the cache
 * directory under a hash of the source, its path, the flags and the clang version; a cached entry is reused
 * while the headers it included (recorded from clang's `-MD` output) are unchanged. All compiles in a process
 * share one semaphore, so at most one clang per core runs at a time.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { DEFAULTS } from '../util/defaults.js';
import { UserError } from '../util/errors.js';
import { hashParts, tempSibling, writeFileAtomic } from '../util/fsx.js';
import { coreCount, Semaphore } from '../util/concurrency.js';
import { firstErrorLine, run } from '../util/proc.js';
import { cacheDir } from './cache.js';
import { findToolchain } from './find.js';
import { compileCrate, compileRustFile, isRustInput } from './rust.js';

export type OptLevel = 'O0' | 'O1' | 'O2' | 'O3' | 'Os' | 'Oz';
export const OPT_LEVELS: readonly OptLevel[] = ['O0', 'O1', 'O2', 'O3', 'Os', 'Oz'];
/** The optimization level used when none is given (src/util/defaults.ts). */
export const DEFAULT_OPT: OptLevel = DEFAULTS.opt;

export interface CompileOptions {
  opt?: OptLevel;
  /** `-I` directories (relative to `cwd`). */
  includes?: string[];
  /** `-D` definitions, `NAME` or `NAME=VALUE`. */
  defines?: string[];
  /** Passed to clang after everything else (so they win), e.g. flags from compile_commands.json. */
  extraFlags?: string[];
  /** `-g`: keep debug info (source locations) in the IR. */
  debug?: boolean;
  /** Directory clang runs in; relative sources and include paths are resolved against it. */
  cwd?: string;
  /** clang to use (the `--clang` flag); see `findToolchain`. */
  clang?: string;
  /**
   * Entries of a compile_commands.json (`--compile-commands`): a source listed there is compiled with its
   * entry's flags (as `extraFlags`) in its entry's directory (as `cwd`), the other options kept
   * (`withCommand`); other sources as without it.
   */
  commands?: readonly CompileCommand[];
}

export type SourceLanguage = 'c' | 'c++';

/** C or C++ by file extension; undefined for anything else. */
export function sourceLanguage(path: string): SourceLanguage | undefined {
  const ext = extname(path);
  if (ext === '.c') return 'c';
  if (['.cc', '.cpp', '.cxx', '.c++', '.C'].includes(ext)) return 'c++';
  return undefined;
}

const compileSlots = new Semaphore(coreCount());

/** The clang arguments `compileToIR` uses (without the executable). */
export function clangArgs(source: string, out: string, opts: CompileOptions): string[] {
  const args = ['-S', '-emit-llvm', '-w', `-${opts.opt ?? DEFAULT_OPT}`];
  if (opts.debug === true) args.push('-g');
  for (const i of opts.includes ?? []) args.push(`-I${i}`);
  for (const d of opts.defines ?? []) args.push(`-D${d}`);
  args.push(...(opts.extraFlags ?? []), source, '-o', out);
  return args;
}

/** `clang -S -emit-llvm -w` one file to `out` (atomically). Compile errors become a one-line `UserError`. */
export async function compileToIR(source: string, out: string, opts: CompileOptions): Promise<void> {
  const src = resolve(opts.cwd ?? '.', source);
  if (isRustInput(src)) {
    const ro = { opt: opts.opt, debug: opts.debug };
    const ll = statSync(src).isDirectory() ? await compileCrate(src, ro) : await compileRustFile(src, ro);
    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeFileAtomic(resolve(out), readFileSync(ll, 'utf8'));
    return;
  }
  await compileWithDeps(source, resolve(out), opts, undefined);
}

async function compileWithDeps(
  source: string,
  out: string,
  opts: CompileOptions,
  depFile: string | undefined,
): Promise<void> {
  const cwd = resolve(opts.cwd ?? '.');
  const src = resolve(cwd, source);
  if (!existsSync(src)) throw new UserError('no such file', { file: source });
  const lang = sourceLanguage(src);
  const tc = findToolchain({ clang: opts.clang });
  const cc = lang === 'c++' ? tc.clangxx : tc.clang;
  mkdirSync(dirname(out), { recursive: true });
  const tmp = tempSibling(out);
  const args = clangArgs(src, tmp, opts);
  if (depFile !== undefined) args.push('-MD', '-MF', depFile);
  const r = await compileSlots.use(() => run(cc, args, { cwd }));
  if (r.code !== 0) {
    rmSync(tmp, { force: true });
    throw clangError(r.stderr + r.stdout, source);
  }
  renameSync(tmp, out);
}

/** Turn clang's diagnostics into one `UserError` carrying the first error's position. */
function clangError(output: string, source: string): UserError {
  const line = firstErrorLine(output);
  const m = /^(.*?):(\d+):(\d+): (?:fatal )?error: (.*)$/.exec(line);
  if (m) return new UserError(m[4] ?? '', { file: m[1], line: Number(m[2]), col: Number(m[3]) });
  const msg = line.replace(/^\S*clang\S*: /, '').replace(/^error: /, '');
  return new UserError(msg === '' ? 'clang failed' : `clang: ${msg}`, { file: source });
}

// ---------------------------------------------------------------------------------------------------------
// compile_commands.json

export interface CompileCommand {
  /** Absolute path of the source file. */
  file: string;
  /** Absolute directory the compile runs in. */
  directory: string;
  /**
   * The entry's flags turned into an IR compile: `-o`, `-c`, `-S`, dependency-file flags, optimization
   * and debug flags and the input file dropped; `-I`/`-D`/`-std`/`-f...` etc. kept. Pass them as
   * `extraFlags` with `cwd: directory` to `compileToIR`, which adds `-S -emit-llvm`.
   */
  args: string[];
  /** The compiler the entry ran (its first argument). */
  compiler: string;
}

/**
 * The options for `source` (resolved against `opts.cwd`): with its entry of `opts.commands`, that
 * entry's flags and directory (`-I` directories of `opts` made absolute first, as they were meant against
 * the current directory); else `opts` unchanged. `commands` itself is dropped, so that the result keys the
 * IR cache by what the compile uses.
 */
export function withCommand(source: string, opts: CompileOptions): CompileOptions {
  const { commands, ...rest } = opts;
  const abs = resolve(opts.cwd ?? '.', source);
  const c = commands?.find((e) => e.file === abs);
  if (c === undefined) return rest;
  const includes = (rest.includes ?? []).map((i) => resolve(opts.cwd ?? '.', i));
  return { ...rest, includes, extraFlags: [...(rest.extraFlags ?? []), ...c.args], cwd: c.directory };
}

/** Flags whose value is the next argument. */
const TAKES_VALUE = new Set([
  '-I',
  '-D',
  '-U',
  '-include',
  '-imacros',
  '-isystem',
  '-iquote',
  '-idirafter',
  '-isysroot',
  '--sysroot',
  '-x',
  '-Xclang',
  '-target',
  '-arch',
  '-o',
  '-MF',
  '-MT',
  '-MQ',
  '-Xpreprocessor',
  '-iprefix',
  '-iwithprefix',
]);
/** Flags dropped together with their separate value. */
const DROP_WITH_VALUE = new Set(['-o', '-MF', '-MT', '-MQ']);

function dropFlag(a: string): boolean {
  return (
    ['-c', '-S', '-E', '-emit-llvm', '-MD', '-MMD', '-MP', '-M', '-MM', '-pipe', '-w'].includes(a) ||
    /^-(o|MF|MT|MQ).+/.test(a) ||
    /^-O([0-4sgz]|fast)?$/.test(a) ||
    /^-g/.test(a) ||
    /^-Werror/.test(a) ||
    /^-flto/.test(a)
  );
}

/** Read a JSON compilation database (https://clang.llvm.org/docs/JSONCompilationDatabase.html). */
export function readCompileCommands(path: string): CompileCommand[] {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UserError(err.code === 'ENOENT' ? 'no such file' : `not a valid JSON file: ${err.message}`, {
      file: path,
    });
  }
  if (!Array.isArray(data)) throw new UserError('expected a JSON array of compile commands', { file: path });
  const base = dirname(resolve(path));
  return data.map((e: unknown, i): CompileCommand => {
    const entry = e as { directory?: unknown; file?: unknown; arguments?: unknown; command?: unknown };
    if (typeof entry.file !== 'string' || typeof entry.directory !== 'string') {
      throw new UserError(`entry ${i}: needs "directory" and "file" strings`, { file: path });
    }
    const directory = resolve(base, entry.directory);
    const file = resolve(directory, entry.file);
    let argv: string[];
    if (Array.isArray(entry.arguments) && entry.arguments.every((a) => typeof a === 'string')) {
      argv = entry.arguments as string[];
    } else if (typeof entry.command === 'string') {
      argv = splitCommand(entry.command);
    } else {
      throw new UserError(`entry ${i}: needs "arguments" (array) or "command" (string)`, { file: path });
    }
    return { file, directory, args: irFlags(argv.slice(1), file, directory), compiler: argv[0] ?? 'cc' };
  });
}

function irFlags(argv: readonly string[], file: string, directory: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (TAKES_VALUE.has(a)) {
      const v = argv[++i];
      if (!DROP_WITH_VALUE.has(a) && v !== undefined) out.push(a, v);
      continue;
    }
    if (dropFlag(a)) continue;
    if (!a.startsWith('-')) {
      // A positional argument: the input file (or another input, which an IR compile cannot take).
      if (resolve(directory, a) === file || sourceLanguage(a) !== undefined) continue;
    }
    out.push(a);
  }
  return out;
}

/** Split a shell command line the way POSIX sh would (quotes and backslashes; no expansions). */
export function splitCommand(cmd: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < cmd.length; i++) {
    const c = cmd[i] as string;
    if (c === "'") {
      const end = cmd.indexOf("'", i + 1);
      if (end < 0) throw new UserError(`unterminated quote in command: ${cmd}`);
      cur += cmd.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < cmd.length && cmd[i] !== '"') {
        if (cmd[i] === '\\' && i + 1 < cmd.length && '"\\$`\n'.includes(cmd[i + 1] as string)) i++;
        cur += cmd[i];
        i++;
      }
      if (i >= cmd.length) throw new UserError(`unterminated quote in command: ${cmd}`);
      inWord = true;
    } else if (c === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Loading IR text from whatever the user gave

/** Counters for the on-the-fly compile cache (tests use them to check reuse). */
export const irCacheStats = { hits: 0, compiles: 0 };

/**
 * IR text of `path`: `.ll` read as is; `.bc` disassembled with llvm-dis; C/C++ compiled (cached).
 * `file` is the `.ll` the text came from (the cached one for sources; the `.bc` itself for bitcode), for
 * error messages. Anything else, or a missing file, is a `UserError`.
 */
export async function loadIRText(
  path: string,
  opts: CompileOptions = {},
): Promise<{ text: string; file: string }> {
  const abs = resolve(opts.cwd ?? '.', path);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new UserError('no such file', { file: path });
  }
  // Rust: a .rs file or a Cargo crate (src/toolchain/rust.ts).
  if (isRustInput(abs)) {
    const ro = { opt: opts.opt, debug: opts.debug };
    const file = st.isDirectory() ? await compileCrate(abs, ro) : await compileRustFile(abs, ro);
    return { text: readFileSync(file, 'utf8'), file };
  }
  if (st.isDirectory())
    throw new UserError('is a directory, expected a .ll, .bc, .c, .cpp or .rs file or a Cargo crate', {
      file: path,
    });
  const ext = extname(abs).toLowerCase();
  if (ext === '.ll') return { text: readFileSync(abs, 'utf8'), file: path };
  if (ext === '.bc') {
    const tc = findToolchain({ clang: opts.clang });
    const r = await run(tc.llvmDis, [abs, '-o', '-']);
    if (r.code !== 0) {
      const msg = firstErrorLine(r.stderr)
        .replace(/^\S*llvm-dis\S*: /, '')
        .replace(/^error: /, '');
      throw new UserError(`not valid LLVM bitcode: ${msg.replace(`${abs}: `, '')}`, { file: path });
    }
    return { text: r.stdout, file: path };
  }
  if (sourceLanguage(abs) !== undefined) {
    const file = await cachedCompile(abs, withCommand(abs, opts));
    return { text: readFileSync(file, 'utf8'), file };
  }
  throw new UserError('unsupported input; expected a .ll, .bc, .c, .cc, .cpp, .cxx or .rs file', {
    file: path,
  });
}

/** Compile `source` into the IR cache unless an up-to-date entry exists; returns the cached .ll path. */
export async function cachedCompile(source: string, opts: CompileOptions = {}): Promise<string> {
  const tc = findToolchain({ clang: opts.clang });
  const cwd = resolve(opts.cwd ?? '.');
  const src = resolve(cwd, source);
  const key = hashParts([
    'ir-cache-v1',
    tc.clang,
    String(tc.version),
    src,
    cwd,
    readFileSync(src),
    JSON.stringify([
      opts.opt ?? DEFAULT_OPT,
      opts.includes,
      opts.defines,
      opts.extraFlags,
      opts.debug === true,
    ]),
  ]);
  const dir = join(cacheDir(), 'ir', key.slice(0, 2));
  const ll = join(dir, `${key}.ll`);
  const depsJson = join(dir, `${key}.deps.json`);
  if (existsSync(ll) && depsUnchanged(depsJson)) {
    irCacheStats.hits++;
    return ll;
  }
  mkdirSync(dir, { recursive: true });
  const depFile = tempSibling(join(dir, `${key}.d`));
  try {
    await compileWithDeps(src, ll, { ...opts, cwd }, depFile);
    const deps = parseDepFile(readFileSync(depFile, 'utf8'), cwd).filter((d) => d !== src);
    writeFileAtomic(depsJson, JSON.stringify(deps.map((d) => [d, ...stamp(d)])));
  } finally {
    rmSync(depFile, { force: true });
  }
  irCacheStats.compiles++;
  return ll;
}

function stamp(path: string): [number, number] {
  try {
    const st = statSync(path);
    return [st.mtimeMs, st.size];
  } catch {
    return [-1, -1];
  }
}

function depsUnchanged(depsJson: string): boolean {
  let deps: [string, number, number][];
  try {
    deps = JSON.parse(readFileSync(depsJson, 'utf8')) as [string, number, number][];
  } catch {
    return false;
  }
  return deps.every(([p, m, s]) => {
    const [m2, s2] = stamp(p);
    return m === m2 && s === s2;
  });
}

/** The prerequisites of a make-style dependency file (`out: a.c b.h \` ...), as absolute paths. */
export function parseDepFile(text: string, cwd: string): string[] {
  const joined = text.replace(/\\\r?\n/g, ' ');
  const colon = joined.search(/:(\s|$)/);
  const body = colon < 0 ? '' : joined.slice(colon + 1);
  const deps: string[] = [];
  for (const m of body.matchAll(/(?:\\.|[^\s\\])+/g)) {
    const p = m[0].replace(/\\(.)/g, '$1');
    deps.push(isAbsolute(p) ? p : resolve(cwd, p));
  }
  return deps;
}
