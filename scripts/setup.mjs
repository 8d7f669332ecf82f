#!/usr/bin/env node
// Set-up: makes a fresh clone ready to run. Installs npm dependencies when missing or stale, builds the
// TypeScript sources when they changed, and makes sure a clang/LLVM toolchain (>= 15, preferring 19) is
// present, installing Debian's clang-19/llvm-19 packages when run as root, and Debian's lcov (genhtml, which
// test/export-lcov.test.ts renders the LCOV export with) when it is missing and we are root, and a rustc (the
// user's, else Debian's rustc-web/cargo-web) with a few crate sources for the Rust tests. Idempotent and quiet when
// nothing is missing. Plain JavaScript on purpose: it must run before anything is installed or built.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const log = (msg) => process.stderr.write(`setup: ${msg}\n`);
const fail = (msg) => {
  process.stderr.write(`setup: ${msg}\n`);
  process.exit(1);
};

const major = Number(process.versions.node.split('.')[0]);
if (major < 20) fail(`Node >= 20 is required (this is ${process.versions.node})`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) fail(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed with exit code ${r.status}`);
}

function mtime(p) {
  try {
    return statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function newestUnder(dir) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestUnder(p) : mtime(p));
  }
  return newest;
}

// 1. npm dependencies, exactly as the lockfile pins them. A node_modules that is a symbolic link (a git
// worktree sharing another checkout's packages) is left alone: npm ci would empty the checkout it points to.
const installed = join(root, 'node_modules', '.package-lock.json');
const linked =
  existsSync(join(root, 'node_modules')) && lstatSync(join(root, 'node_modules')).isSymbolicLink();
if (!linked && (!existsSync(installed) || mtime(join(root, 'package-lock.json')) > mtime(installed))) {
  log('installing npm dependencies (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error']);
}

// 2. Build when any source is newer than the last build.
const stamp = join(root, 'dist', 'cli', 'main.js');
if (
  !existsSync(stamp) ||
  newestUnder(join(root, 'src')) > mtime(stamp) ||
  mtime(join(root, 'tsconfig.json')) > mtime(stamp)
) {
  log('building (tsc)');
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json']);
}

// 3. clang/LLVM. The same discovery rules as src/toolchain/find.ts: $INPUTSMITH_CLANG, then clang-19..15, then
// clang (version >= 15); llvm-as/llvm-dis of clang's major version from $INPUTSMITH_LLVM_BIN, as llvm-as-N on
// PATH, next to clang, or in /usr/lib/llvm-N/bin. An unversioned llvm-as of another version is never used.
function toolMajor(cmd) {
  try {
    const out = execFileSync(cmd, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /(?:clang|LLVM) version (\d+)/.exec(out);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
function findClang() {
  const explicit = process.env.INPUTSMITH_CLANG;
  const names = explicit ? [explicit] : ['clang-19', 'clang-18', 'clang-17', 'clang-16', 'clang-15', 'clang'];
  for (const c of names) {
    const v = toolMajor(c);
    if (v >= 15) return { clang: c, version: v };
  }
  return undefined;
}
function haveLlvmTool(name, found) {
  const v = found.version;
  const dirs = [process.env.INPUTSMITH_LLVM_BIN, `/usr/lib/llvm-${v}/bin`];
  try {
    const real = realpathSync(
      found.clang.includes('/')
        ? found.clang
        : execFileSync('which', [found.clang], { encoding: 'utf8' }).trim(),
    );
    dirs.push(dirname(real));
  } catch {
    // not resolvable: the other places still count
  }
  const candidates = [
    `${name}-${v}`,
    ...dirs.filter(Boolean).flatMap((d) => [join(d, `${name}-${v}`), join(d, name)]),
  ];
  return candidates.some((c) => toolMajor(c) === v);
}
function aptInstall(pkgs) {
  const logFile = join(cacheRoot(), 'setup-apt.log');
  mkdirSync(dirname(logFile), { recursive: true });
  log(`installing ${pkgs.join(' ')} with apt-get (log: ${logFile})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const fd = openSync(logFile, 'a');
  const quiet = { env, stdio: ['ignore', fd, fd] };
  try {
    for (const args of [['update'], ['install', '-y', '--no-install-recommends', ...pkgs]]) {
      const r = spawnSync('apt-get', args, { cwd: root, ...quiet });
      if (r.error || r.status !== 0) fail(`apt-get ${args.join(' ')} failed; see ${logFile}`);
    }
  } finally {
    closeSync(fd);
  }
}
// The cache directory, by the rule of src/toolchain/cache.ts.
function cacheRoot() {
  if (process.env.INPUTSMITH_CACHE) return process.env.INPUTSMITH_CACHE;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'inputsmith');
  return join(homedir(), '.cache', 'inputsmith');
}

let found = findClang();
const complete = (f) => f !== undefined && haveLlvmTool('llvm-as', f) && haveLlvmTool('llvm-dis', f);
if (!complete(found)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptOk = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (isRoot && aptOk && !process.env.INPUTSMITH_CLANG) {
    aptInstall(['clang-19', 'llvm-19', 'libc6-dev']);
    found = findClang();
  }
  if (found === undefined) {
    fail(
      process.env.INPUTSMITH_CLANG
        ? `INPUTSMITH_CLANG=${process.env.INPUTSMITH_CLANG} is not a runnable clang >= 15`
        : 'clang >= 15 not found; install clang-19 and llvm-19 (apt-get install clang-19 llvm-19) or set INPUTSMITH_CLANG',
    );
  }
  if (!complete(found)) {
    fail(
      `llvm-as/llvm-dis of LLVM ${found.version} (matching ${found.clang}) not found; ` +
        `install llvm-${found.version} (apt-get install llvm-${found.version}) or set INPUTSMITH_LLVM_BIN`,
    );
  }
}

// 4. lcov's genhtml, for the LCOV export's test (test/export-lcov.test.ts). Only as root with apt; otherwise
// that test says what to install.
if (spawnSync('genhtml', ['--version'], { stdio: 'ignore' }).status !== 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0) aptInstall(['lcov']);
}

// 5. cmake, cmocka and GoogleTest, for the unit-test export's tests (test/export-tests.test.ts, C;
// test/export-tests-gtest.test.ts, C++) and its bench. Only as root with apt, like lcov.
if (
  spawnSync('cmake', ['--version'], { stdio: 'ignore' }).status !== 0 ||
  !existsSync('/usr/include/cmocka.h') ||
  !existsSync('/usr/include/gtest/gtest.h')
) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0)
    aptInstall(['cmake', 'libcmocka-dev', 'libgtest-dev']);
}

// 6. redis-server, for the job queue's test (test/guide-queue.test.ts starts a real one on loopback). Only
// as root with apt, like lcov; otherwise that test says what to install.
if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0)
    aptInstall(['redis-server']);
}

// 7. Rust (issue 20; src/toolchain/rust.ts finds it the same way): the user's rustc first ($INPUTSMITH_RUSTC,
// rustc on PATH, ~/.cargo/bin/rustc, /usr/bin/rustc), else Debian's rustc-web and cargo-web (rustc 1.96,
// bookworm-security) when root with apt; and the sources of the crates test/rust-roundtrip.test.ts builds
// (librust-*-dev, under /usr/share/cargo/registry). Without root, the Rust tests say what to install.
{
  const cargoHome = process.env.CARGO_HOME || join(homedir(), '.cargo');
  const rustcs = process.env.INPUTSMITH_RUSTC
    ? [process.env.INPUTSMITH_RUSTC]
    : ['rustc', join(cargoHome, 'bin', 'rustc'), '/usr/bin/rustc'];
  const haveRust = rustcs.some((r) => spawnSync(r, ['--version'], { stdio: 'ignore' }).status === 0);
  const crates = ['hex', 'md5', 'strsim'].filter(
    (c) =>
      !existsSync('/usr/share/cargo/registry') ||
      !readdirSync('/usr/share/cargo/registry').some((d) => d.startsWith(`${c}-`)),
  );
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const pkgs = [...(haveRust ? [] : ['rustc-web', 'cargo-web']), ...crates.map((c) => `librust-${c}-dev`)];
  if (pkgs.length > 0 && isRoot && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0)
    aptInstall(pkgs);
}

// 8. musl-gcc (Debian musl-tools) and MPFR's headers (libmpfr-dev), for the maths library accuracy tool
// (inputsmith mathlib: the musl harness and the MPFR reference; test/mathlib*.test.ts). Only as root with
// apt, like lcov; otherwise mathlib says what to install.
if (
  spawnSync('musl-gcc', ['--version'], { stdio: 'ignore' }).status !== 0 ||
  !existsSync('/usr/include/mpfr.h')
) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (isRoot && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0)
    aptInstall(['musl-tools', 'libmpfr-dev']);
}
