#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli (compiled to dist/cli).
//
// `gen` and `replay` run generated code on worker threads for minutes. V8 tiers functions up after an
// "interrupt budget" of bytecode; a larger one (fewer compiles and deoptimisations of half-warm generated
// code) measured 8% faster on the corpus, but it is a V8 flag that only takes effect on the command line
// (worker threads cannot be given V8 flags, and setting it at run time does not reach them). So those
// commands re-run this script once with the flag; INPUTSMITH_NODE_FLAGS= (empty) turns that off. The same
// re-run gives the young generation 32 MiB semi-spaces (V8's default grows to 16): a search allocates small
// short-lived objects per run; on 30 sqlite3 modules that took the scavenges from 361 to 210 (64 MiB: 149,
// but 240 MiB more peak RSS on libzstd with 2 workers).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const HEAVY = new Set(['gen', 'replay']);
const flags = (process.env.INPUTSMITH_NODE_FLAGS ?? '--interrupt-budget=300000 --max-semi-space-size=32')
  .split(/\s+/)
  .filter(Boolean);
const args = process.argv.slice(2);

// `queue work` runs gen's jobs (src/guide/queue.ts), so it gets the same flags.
const heavy = HEAVY.has(args[0]) || (args[0] === 'queue' && args[1] === 'work');

if (heavy && flags.length > 0 && process.env.INPUTSMITH_REEXEC !== '1') {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...args],
    {
      stdio: 'inherit',
      env: { ...process.env, INPUTSMITH_REEXEC: '1' },
    },
  );
  // The terminal sends Ctrl-C to both processes; the child finishes what it is writing and exits.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', (e) => {
    process.stderr.write(`inputsmith: cannot start ${process.execPath}: ${e.message}\n`);
    process.exitCode = 70;
  });
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      // End the same way (the shell sees the signal), without our forwarding handler in the way.
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exitCode = code ?? 1;
  });
} else {
  const main = await loadMain();
  main?.(args).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(
        `inputsmith: internal error: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exitCode = 70;
    },
  );
}

/** `main` of the build; a missing build (dist/ absent: sources not compiled) is one line and exit 1. */
async function loadMain() {
  const entry = new URL('../dist/cli/main.js', import.meta.url);
  try {
    return (await import(entry.href)).main;
  } catch (e) {
    if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes(fileURLToPath(entry))) throw e;
    process.stderr.write(
      `inputsmith: ${fileURLToPath(entry)}: the build is missing; run \`npm run build\` (or \`node scripts/setup.mjs\`) in ${fileURLToPath(new URL('..', import.meta.url))}\n`,
    );
    process.exitCode = 1;
    return undefined;
  }
}
