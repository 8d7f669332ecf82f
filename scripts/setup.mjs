#!/usr/bin/env node
// Set-up: makes a fresh clone ready to run. Installs npm dependencies when missing or stale, builds the
// TypeScript sources when they changed, and makes sure a clang/LLVM toolchain (>= 15, preferring 19) is
// present, installing Debian's clang-19/llvm-19 packages when run as root. Idempotent and quiet when
// nothing is missing. Plain JavaScript on purpose: it must run before anything is installed or built.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

// 1. npm dependencies, exactly as the lockfile pins them.
const installed = join(root, 'node_modules', '.package-lock.json');
if (!existsSync(installed) || mtime(join(root, 'package-lock.json')) > mtime(installed)) {
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

// 3. clang/LLVM. The same discovery rules as src/toolchain/find.ts: $INPUTSMITH_CLANG, then clang-19..15, clang.
function clangMajor(cmd) {
  try {
    const out = execFileSync(cmd, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /clang version (\d+)/.exec(out);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
const candidates = [process.env.INPUTSMITH_CLANG, 'clang-19', 'clang-18', 'clang-17', 'clang-16', 'clang-15', 'clang'];
const haveClang = candidates.some((c) => c && clangMajor(c) >= 15);
const llvmTools = ['llvm-as-19', 'llvm-dis-19', 'lli-19'];
const haveTools = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const need19 = !haveClang || !llvmTools.every(haveTools);
if (need19 && !(haveClang && process.env.INPUTSMITH_CLANG)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const aptOk = spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (isRoot && aptOk) {
    log('installing clang-19 and llvm-19 from the distribution (apt-get)');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run('apt-get', ['update', '-qq'], { env });
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'clang-19', 'llvm-19', 'libc6-dev'], { env });
  } else if (!haveClang) {
    fail(
      'clang >= 15 not found; install it (Debian/Ubuntu: sudo apt-get install clang-19 llvm-19) or set INPUTSMITH_CLANG',
    );
  } else {
    log('note: llvm-19 tools not found (llvm-as-19, llvm-dis-19, lli-19); round-trip tests use whatever llvm-as is found');
  }
}
