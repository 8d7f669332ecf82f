/**
 * @fileoverview Stage: toolchain. Finds rustc and cargo, and turns Rust sources (a `.rs` file, or a Cargo
 * crate: a directory with `Cargo.toml`) into LLVM IR text.
 *
 * Consumes: a `.rs` file or crate directory, `CompileOptions` (opt level, debug), the environment
 * (`INPUTSMITH_RUSTC`, `PATH`, `~/.cargo/bin`). Produces: a cached `.ll` (one module per crate: one
 * codegen unit) and `RustToolchain` (paths, version, the LLVM version rustc is built on).
 *
 * Finding rustc, in this order: `$INPUTSMITH_RUSTC`; `rustc` on PATH; `~/.cargo/bin/rustc` (a user's
 * rustup toolchain, found even when PATH lacks it); `/usr/bin/rustc`. cargo is the `cargo` next to that
 * rustc, else on PATH. When none is found and we run as root with apt-get, Debian's `rustc-web` and
 * `cargo-web` (rustc 1.96 in bookworm-security; `rustc` 1.63 of bookworm itself is too old for many
 * crates) are installed, as scripts/setup.mjs installs clang; else a one-line `UserError`.
 *
 * How IR is built (docs/rust.md): `rustc --emit=llvm-ir,dep-info --crate-type=lib -C opt-level=N
 * -C codegen-units=1 -C panic=abort -C debuginfo=0|2 -Zcross-crate-inline-threshold=never
 * -Zshare-generics=no` (with
 * RUSTC_BOOTSTRAP=1: see `rustcFlags`) for a file (edition 2021); for a crate `cargo rustc
 * --lib --offline` with the same flags after `--`, and, when the crate's dependencies are not vendored,
 * a private `CARGO_HOME` whose config replaces crates.io by Debian's `/usr/share/cargo/registry` (the
 * sources of the `librust-*-dev` packages). `panic=abort` makes a panic a call of a `noreturn` function
 * (`core::panicking::panic*`), with no landing pads; the engine ends the run there with the `panic`
 * outcome. Everything is cached in `<cache>/rust/` under a hash of the sources, the flags and rustc's
 * version; a file's entry is reused while the files rustc's dep-info lists are unchanged.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { DEFAULTS } from '../util/defaults.js';
import { UserError } from '../util/errors.js';
import { hashParts, walkFiles, writeFileAtomic } from '../util/fsx.js';
import { run, runQuiet, which } from '../util/proc.js';
import { cacheDir } from './cache.js';

export interface RustToolchain {
  readonly rustc: string;
  /** cargo next to rustc (or on PATH), undefined when there is none. */
  readonly cargo: string | undefined;
  /** `rustc 1.95.0 (59807616e 2026-04-14)` */
  readonly version: string;
  /** The major version of the LLVM rustc is built on (`LLVM version: 22.1.2`). */
  readonly llvmMajor: number;
}

/** Debian's packages of a recent rustc and cargo (bookworm-security). */
export const RUST_PACKAGES = ['rustc-web', 'cargo-web'] as const;
/** Where Debian's `librust-*-dev` packages put crate sources. */
export const DEBIAN_CARGO_REGISTRY = '/usr/share/cargo/registry';

/** Found toolchains by the environment they were found in (`$INPUTSMITH_RUSTC`, `$PATH`, `$CARGO_HOME`). */
const found = new Map<string, RustToolchain>();
const envKey = (): string =>
  JSON.stringify([process.env.INPUTSMITH_RUSTC, process.env.PATH, process.env.CARGO_HOME]);

function probe(rustc: string): RustToolchain | undefined {
  const out = runQuiet(rustc, ['-vV']);
  if (out === undefined) return undefined;
  const llvm = /LLVM version: (\d+)/.exec(out);
  const first = out.split('\n')[0] ?? '';
  if (!first.startsWith('rustc ')) return undefined;
  const dir = dirname(rustc);
  const cargo = which(join(dir, 'cargo')) ?? which('cargo');
  return { rustc, cargo, version: first.trim(), llvmMajor: llvm === null ? 0 : Number(llvm[1]) };
}

function candidates(): string[] {
  const out: string[] = [];
  const env = process.env.INPUTSMITH_RUSTC;
  if (env !== undefined && env !== '') return [env];
  const onPath = which('rustc');
  if (onPath !== undefined) out.push(onPath);
  out.push(join(process.env.CARGO_HOME ?? join(homedir(), '.cargo'), 'bin', 'rustc'), '/usr/bin/rustc');
  return out;
}

/** Find rustc without installing anything; undefined when there is none. */
export function findRustQuiet(): RustToolchain | undefined {
  const key = envKey();
  const known = found.get(key);
  if (known !== undefined) return known;
  for (const c of candidates()) {
    const p = which(c);
    const tc = p === undefined ? undefined : probe(p);
    if (tc !== undefined) {
      found.set(key, tc);
      return tc;
    }
  }
  return undefined;
}

/**
 * rustc (and cargo), installing Debian's `rustc-web`/`cargo-web` when none is found and we are root with
 * apt-get. Throws a one-line `UserError` otherwise.
 */
export async function findRust(): Promise<RustToolchain> {
  const tc = findRustQuiet();
  if (tc !== undefined) return tc;
  const given = process.env.INPUTSMITH_RUSTC;
  if (given !== undefined && given !== '')
    throw new UserError(`INPUTSMITH_RUSTC=${given}: not a runnable rustc`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hint = `install ${RUST_PACKAGES.join(' and ')} (apt-get install ${RUST_PACKAGES.join(' ')}), or rustup, or set INPUTSMITH_RUSTC`;
  if (!isRoot || which('apt-get') === undefined) throw new UserError(`rustc not found; ${hint}`);
  process.stderr.write(`inputsmith: installing ${RUST_PACKAGES.join(' ')} with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = (): Promise<{ code: number }> =>
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...RUST_PACKAGES], { env });
  let r = await install();
  // A stale package index (a fresh machine, a moved security archive): refresh it once and retry.
  if (r.code !== 0 && (await run('apt-get', ['update', '-qq'], { env })).code === 0) r = await install();
  const again = findRustQuiet();
  if (r.code !== 0 || again === undefined)
    throw new UserError(`rustc not found and apt-get install ${RUST_PACKAGES.join(' ')} failed; ${hint}`);
  return again;
}

/** Whether `path` is Rust input: a `.rs` file or a directory with a Cargo.toml. */
export function isRustInput(path: string): boolean {
  if (path.endsWith('.rs')) return true;
  try {
    return statSync(path).isDirectory() && existsSync(join(path, 'Cargo.toml'));
  } catch {
    return false;
  }
}

export interface RustCompileOptions {
  /** `O0`..`O3`, `Os`, `Oz` (as for clang). */
  readonly opt?: string;
  /** Full debug information (`-C debuginfo=2`); else none. */
  readonly debug?: boolean;
}

/** rustc's codegen flags for the options. */
export function rustcFlags(opts: RustCompileOptions): string[] {
  const opt = (opts.opt ?? DEFAULTS.opt).replace(/^O/, '').toLowerCase();
  return [
    '-C',
    `opt-level=${opt}`,
    '-C',
    'codegen-units=1',
    '-C',
    'panic=abort',
    '-C',
    `debuginfo=${opts.debug === true ? 2 : 0}`,
    // Small functions are "cross-crate inlinable" from rustc 1.75 on: a library then emits them only
    // where used, so most small `pub fn`s of a library would be missing from its IR. Stable rustc takes
    // these -Z flags with RUSTC_BOOTSTRAP=1 (`rustEnv`).
    '-Zcross-crate-inline-threshold=never',
    // Generic code of std (Vec's growth: `RawVecInner::grow_amortized`, `finish_grow`) is instantiated in
    // the module instead of reusing std's compiled instances, so it runs in the engine (over the
    // allocator shims' models) rather than being a stubbed external whose results are made up.
    '-Zshare-generics=no',
  ];
}

/** The environment rustc and cargo run in: `RUSTC_BOOTSTRAP=1` for `rustcFlags`' two -Z flags. */
function rustEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, RUSTC_BOOTSTRAP: '1' };
}

function rustError(output: string, file: string): UserError {
  // error[E0308]: mismatched types\n --> lib.rs:2:5
  const lines = output.split('\n');
  const k = lines.findIndex((l) => /^error(\[E\d+\])?:/.test(l));
  if (k < 0) return new UserError(`rustc failed: ${lines.find((l) => l.trim() !== '') ?? ''}`, { file });
  const msg = (lines[k] as string).replace(/^error(\[E\d+\])?:\s*/, '');
  const at = /-->\s*(.+):(\d+):(\d+)/.exec(lines[k + 1] ?? '');
  if (at === null) return new UserError(msg, { file });
  return new UserError(msg, { file: at[1], line: Number(at[2]), col: Number(at[3]) });
}

function unchanged(deps: readonly [string, number, number][]): boolean {
  return deps.every(([p, m, s]) => {
    try {
      const st = statSync(p);
      return st.mtimeMs === m && st.size === s;
    } catch {
      return false;
    }
  });
}

/** IR of one `.rs` file (a library crate of its own), cached; returns the `.ll` path. */
export async function compileRustFile(source: string, opts: RustCompileOptions = {}): Promise<string> {
  const tc = await findRust();
  const src = resolve(source);
  if (!existsSync(src)) throw new UserError('no such file', { file: source });
  const flags = rustcFlags(opts);
  const key = hashParts(['rust-file-v3', tc.rustc, tc.version, src, readFileSync(src), ...flags]);
  const dir = join(cacheDir(), 'rust', key.slice(0, 2));
  const ll = join(dir, `${key}.ll`);
  const depsJson = join(dir, `${key}.deps.json`);
  if (existsSync(ll) && existsSync(depsJson)) {
    const deps = JSON.parse(readFileSync(depsJson, 'utf8')) as [string, number, number][];
    if (unchanged(deps)) return ll;
  }
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${key}.tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const name = basename(src, '.rs')
    .replace(/[^A-Za-z0-9_]/g, '_')
    .replace(/^(\d)/, '_$1');
  const args = ['--edition', '2021', '--crate-type=lib', '--crate-name', name, '--emit=llvm-ir,dep-info'];
  const r = await run(tc.rustc, [...args, ...flags, '--out-dir', tmp, src], { env: rustEnv() });
  if (r.code !== 0) throw rustError(r.stderr + r.stdout, source);
  const d = readFileSync(join(tmp, `${name}.d`), 'utf8');
  const deps = depPaths(d).map((p) => [p, ...stamp(p)] as [string, number, number]);
  writeFileAtomic(ll, readFileSync(join(tmp, `${name}.ll`), 'utf8'));
  writeFileAtomic(depsJson, JSON.stringify(deps));
  rmSync(tmp, { recursive: true, force: true });
  return ll;
}

function stamp(p: string): [number, number] {
  try {
    const st = statSync(p);
    return [st.mtimeMs, st.size];
  } catch {
    return [-1, -1];
  }
}

/** The source files of rustc's dep-info (the first `out: deps` rule). */
function depPaths(text: string): string[] {
  const first = text.split('\n').find((l) => /:\s/.test(l)) ?? '';
  return first
    .slice(first.indexOf(':') + 1)
    .trim()
    .split(/(?<!\\)\s+/)
    .filter((p) => p !== '')
    .map((p) => resolve(p.replace(/\\ /g, ' ')));
}

/** A private CARGO_HOME whose config takes crates from Debian's registry, offline. */
function debianCargoHome(): string {
  const home = join(cacheDir(), 'rust', 'cargo-home');
  const config = join(home, 'config.toml');
  const text =
    '[source.crates-io]\nreplace-with = "debian"\n\n' +
    `[source.debian]\ndirectory = "${DEBIAN_CARGO_REGISTRY}"\n\n[net]\noffline = true\n`;
  if (!existsSync(config) || readFileSync(config, 'utf8') !== text) {
    mkdirSync(home, { recursive: true });
    writeFileSync(config, text);
  }
  return home;
}

/**
 * `Cargo.toml` without what an offline library build cannot resolve and does not need: dev-dependencies,
 * benches, tests and examples, optional dependencies (Debian packages them apart) and the features that
 * name them.
 */
export function libraryManifest(toml: string): string {
  const sections = toml.split(/^(?=\[)/m);
  const dropped = new Set<string>();
  const kept: string[] = [];
  for (const s of sections) {
    const head = /^\[+([^\]]+)\]+/.exec(s)?.[1]?.trim() ?? '';
    if (/^(target\..*\.)?dev-dependencies/.test(head) || /^(bench|test|example)$/.test(head)) continue;
    const dep = /^(?:target\..*\.)?dependencies\.(.+)$/.exec(head);
    if (dep !== null && /^\s*optional\s*=\s*true/m.test(s)) {
      dropped.add((dep[1] as string).replace(/"/g, ''));
      continue;
    }
    kept.push(s);
  }
  return kept
    .map((s) => {
      if (!s.startsWith('[features]')) return s;
      return s.replace(/"(dep:)?([A-Za-z0-9_-]+)(\?)?(\/[A-Za-z0-9_-]+)?",?\s*/g, (all, _d, name: string) =>
        dropped.has(name) ? '' : all,
      );
    })
    .join('');
}

/** A copy of a read-only crate (Debian's registry) with `libraryManifest`, under the cache. */
function stageCrate(dir: string, key: string): string {
  const dest = join(cacheDir(), 'rust', 'src', `${basename(dir)}-${key.slice(0, 12)}`);
  if (existsSync(join(dest, 'Cargo.toml'))) return dest;
  const tmp = `${dest}.tmp-${process.pid}`;
  cpSync(dir, tmp, { recursive: true });
  writeFileSync(join(tmp, 'Cargo.toml'), libraryManifest(readFileSync(join(dir, 'Cargo.toml'), 'utf8')));
  rmSync(join(tmp, 'Cargo.lock'), { force: true });
  renameSync(tmp, dest);
  return dest;
}

/** The crate's package name (`[package] name = "..."`). */
function crateName(dir: string): string {
  const toml = readFileSync(join(dir, 'Cargo.toml'), 'utf8');
  const pkg = toml.indexOf('[package]');
  const m = /^\s*name\s*=\s*"([^"]+)"/m.exec(pkg < 0 ? toml : toml.slice(pkg));
  if (m === null) throw new UserError('Cargo.toml has no [package] name', { file: join(dir, 'Cargo.toml') });
  return m[1] as string;
}

/**
 * IR of a Cargo crate's library (`cargo rustc --lib --offline`), cached under a hash of every file of the
 * crate (except `target/`) and the flags; returns the `.ll` path.
 */
export async function compileCrate(crateDir: string, opts: RustCompileOptions = {}): Promise<string> {
  const tc = await findRust();
  const dir = resolve(crateDir);
  if (tc.cargo === undefined)
    throw new UserError(`cargo not found next to ${tc.rustc}; install cargo-web (apt-get install cargo-web)`);
  const name = crateName(dir);
  const flags = rustcFlags(opts);
  const files = walkFiles(dir, { skipHidden: true, skipNames: ['target'] });
  const key = hashParts([
    'rust-crate-v3',
    tc.rustc,
    tc.version,
    dir,
    ...flags,
    ...files.flatMap((f) => [f, readFileSync(f)]),
  ]);
  const outDir = join(cacheDir(), 'rust', key.slice(0, 2));
  const ll = join(outDir, `${key}.ll`);
  if (existsSync(ll)) return ll;
  const target = join(cacheDir(), 'rust', 'target', key.slice(0, 16));
  const env = rustEnv({ CARGO_TARGET_DIR: target, RUSTC: tc.rustc });
  // Dependencies come from Debian's registry unless the crate vendors them (its own .cargo/config).
  if (!existsSync(join(dir, '.cargo')) && existsSync(DEBIAN_CARGO_REGISTRY))
    env.CARGO_HOME = debianCargoHome();
  // A crate of Debian's registry (or any read-only one) builds from a copy made fit for offline builds.
  const root = dir.startsWith(DEBIAN_CARGO_REGISTRY + '/') ? stageCrate(dir, key) : dir;
  const args = [
    'rustc',
    '--lib',
    '--offline',
    '--release',
    '-q',
    '--',
    '--emit=llvm-ir',
    '--cap-lints',
    'allow',
    ...flags,
  ];
  const r = await run(tc.cargo, args, { cwd: root, env });
  if (r.code !== 0) throw rustError(r.stderr + r.stdout, join(crateDir, 'Cargo.toml'));
  const deps = join(target, 'release', 'deps');
  const lib = name.replace(/-/g, '_');
  const made = readdirSync(deps)
    .filter((f) => f.startsWith(`${lib}-`) && f.endsWith('.ll'))
    .map((f) => join(deps, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (made === undefined) throw new UserError(`cargo built no IR for the library ${lib}`, { file: crateDir });
  mkdirSync(outDir, { recursive: true });
  writeFileAtomic(ll, readFileSync(made, 'utf8'));
  return ll;
}
