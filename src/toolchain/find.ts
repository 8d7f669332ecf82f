/**
 * @fileoverview Stage: toolchain. Finds clang and the LLVM tools of the same major version.
 *
 * Consumes: the `--clang` flag, the environment (`INPUTSMITH_CLANG`, `INPUTSMITH_LLVM_BIN`, `PATH`).
 * Produces: a `Toolchain` (absolute paths plus the clang major version), cached per process.
 *
 * Rules (scripts/setup.mjs follows the same ones): clang is the flag, else `$INPUTSMITH_CLANG`, else the
 * first of clang-19 .. clang-15 on PATH, else `clang`; it must be version >= 15. The LLVM tools (llvm-as,
 * llvm-dis, lli, opt) must have the same major version as clang: they are looked up in
 * `$INPUTSMITH_LLVM_BIN`, then as `llvm-as-N` on PATH, then next to the (symlink-resolved) clang binary,
 * then in /usr/lib/llvm-N/bin. An unversioned tool of another version (an llvm-14 `llvm-as` on PATH) is
 * never used.
 */

import { realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../util/errors.js';
import { runQuiet, which } from '../util/proc.js';

export interface Toolchain {
  /** C compiler (absolute path). */
  clang: string;
  /** C++ driver of the same version (clang++-N next to clang), or clang itself when none exists. */
  clangxx: string;
  llvmAs: string;
  llvmDis: string;
  lli: string | undefined;
  opt: string | undefined;
  /** clang's major version. */
  version: number;
}

export const MIN_CLANG = 15;
const NEWEST_CLANG = 19;
const INSTALL_HINT =
  'install clang-19 and llvm-19 (apt-get install clang-19 llvm-19) or set INPUTSMITH_CLANG';

const cache = new Map<string, Toolchain>();

/** Find the toolchain (cached per process for the same flag and environment). Throws `UserError`. */
export function findToolchain(opts: { clang?: string } = {}): Toolchain {
  const env = process.env;
  const key = JSON.stringify([opts.clang, env.INPUTSMITH_CLANG, env.INPUTSMITH_LLVM_BIN, env.PATH]);
  let tc = cache.get(key);
  if (tc === undefined) {
    tc = discover(opts.clang);
    cache.set(key, tc);
  }
  return tc;
}

function discover(flag: string | undefined): Toolchain {
  const envClang = process.env.INPUTSMITH_CLANG;
  const { clang, version } =
    flag !== undefined && flag !== ''
      ? explicitClang(flag, `--clang ${flag}`)
      : envClang !== undefined && envClang !== ''
        ? explicitClang(envClang, `INPUTSMITH_CLANG=${envClang}`)
        : searchClang();

  const tool = (name: string): string | undefined => findLlvmTool(name, version, clang);
  const llvmAs = tool('llvm-as');
  const llvmDis = tool('llvm-dis');
  if (llvmAs === undefined || llvmDis === undefined) {
    const missing = llvmAs === undefined ? 'llvm-as' : 'llvm-dis';
    throw new UserError(
      `${missing} of LLVM ${version} (same version as ${clang}) not found; install llvm-${version} ` +
        `(apt-get install llvm-${version}) or set INPUTSMITH_LLVM_BIN`,
    );
  }
  return {
    clang,
    clangxx: findClangxx(clang, version),
    llvmAs,
    llvmDis,
    lli: tool('lli'),
    opt: tool('opt'),
    version,
  };
}

/** The major version reported by `cmd --version` (`clang version 19.1.7`, `LLVM version 19.1.7`). */
export function toolMajor(cmd: string): number | undefined {
  const out = runQuiet(cmd, ['--version']);
  if (out === undefined) return undefined;
  const m = /(?:clang|LLVM) version (\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

function explicitClang(path: string, source: string): { clang: string; version: number } {
  const found = which(path);
  const version = found === undefined ? undefined : toolMajor(found);
  const hint = 'install clang-19 and llvm-19 (apt-get install clang-19 llvm-19) and point it there';
  if (found === undefined || version === undefined) {
    throw new UserError(`${source}: not a runnable clang (>= ${MIN_CLANG}); ${hint}`);
  }
  if (version < MIN_CLANG) {
    throw new UserError(`${source}: clang ${version} is too old, clang >= ${MIN_CLANG} is required; ${hint}`);
  }
  return { clang: found, version };
}

function searchClang(): { clang: string; version: number } {
  let tooOld: string | undefined;
  const names: string[] = [];
  for (let v = NEWEST_CLANG; v >= MIN_CLANG; v--) names.push(`clang-${v}`);
  names.push('clang');
  for (const name of names) {
    const p = which(name);
    if (p === undefined) continue;
    const version = toolMajor(p);
    if (version === undefined) continue;
    if (version >= MIN_CLANG) return { clang: p, version };
    tooOld ??= `${p} is clang ${version}`;
  }
  throw new UserError(`clang >= ${MIN_CLANG} not found${tooOld ? ` (${tooOld})` : ''}; ${INSTALL_HINT}`);
}

function candidateDirs(clang: string, version: number): string[] {
  const dirs: string[] = [];
  const envBin = process.env.INPUTSMITH_LLVM_BIN;
  if (envBin !== undefined && envBin !== '') dirs.push(envBin);
  dirs.push(dirname(clang));
  try {
    dirs.push(dirname(realpathSync(clang)));
  } catch {
    // Unresolvable symlink: the plain directory is enough.
  }
  dirs.push(`/usr/lib/llvm-${version}/bin`);
  return [...new Set(dirs)];
}

/** `name` of exactly LLVM `version`: $INPUTSMITH_LLVM_BIN, `name-N` on PATH, next to clang, /usr/lib/llvm-N/bin. */
function findLlvmTool(name: string, version: number, clang: string): string | undefined {
  const dirs = candidateDirs(clang, version);
  const candidates: string[] = [];
  const envBin = process.env.INPUTSMITH_LLVM_BIN;
  if (envBin !== undefined && envBin !== '')
    candidates.push(join(envBin, name), join(envBin, `${name}-${version}`));
  candidates.push(`${name}-${version}`);
  for (const d of dirs) candidates.push(join(d, `${name}-${version}`), join(d, name));
  for (const c of candidates) {
    const p = which(c);
    if (p !== undefined && toolMajor(p) === version) return p;
  }
  return undefined;
}

/** Another LLVM tool (`llvm-link`, ...) of exactly the toolchain's version, or undefined when none is installed. */
export function llvmTool(tc: Toolchain, name: string): string | undefined {
  return findLlvmTool(name, tc.version, tc.clang);
}

function findClangxx(clang: string, version: number): string {
  const base = basename(clang);
  const names = [base.replace(/^clang/, 'clang++'), `clang++-${version}`, 'clang++'];
  for (const d of candidateDirs(clang, version)) {
    for (const n of names) {
      const p = which(join(d, n));
      if (p !== undefined && toolMajor(p) === version) return p;
    }
  }
  return clang;
}
