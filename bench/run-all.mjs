#!/usr/bin/env node
// Benchmarks: runs every benchmark of the project one after another and writes one Markdown report.
//
// Each benchmark is a script in bench/ that prints a Markdown section on stdout (tables of figures next to
// the baseline they are measured against) and exits non-zero when it could not run. This driver runs them
// in a fixed order, bounded in time, and writes docs/benchmarks.md (the README links to it). Usage:
//   npm run bench                 # all benchmarks
//   npm run bench -- parse engine # only those whose name contains one of the words
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const BENCHES = [
  { script: 'parse-bench.mjs', title: 'Parser: our parse vs llvm-as (sqlite3 amalgamation)', minutes: 10 },
  { script: 'corpus-roundtrip.mjs', title: 'Parser and printer: corpus round trip', minutes: 40 },
  { script: 'engine-bench.mjs', title: 'Engine: speed vs native and lli', minutes: 20 },
  { script: 'progs-bench.mjs', title: 'Program generator: speed', minutes: 5 },
  { script: 'rust-bench.mjs', title: 'Rust: input generation on Debian crates', minutes: 20 },
  // Both sets (development corpus and fresh set); gen-bench bounds itself 10 minutes before it would be
  // killed, so what finished is still reported.
  {
    script: 'gen-bench.mjs',
    title: 'Input generation on the corpus',
    minutes: 120,
    args: ['--set', 'all', '--minutes', '110'],
  },
];

const filters = process.argv.slice(2);
const picked = BENCHES.filter((b) => filters.length === 0 || filters.some((f) => b.script.includes(f)));
const sections = [];
let failures = 0;
for (const b of picked) {
  const path = join(root, 'bench', b.script);
  if (!existsSync(path)) {
    sections.push(`## ${b.title}\n\n_not available yet (bench/${b.script} missing)_\n`);
    continue;
  }
  process.stderr.write(`bench: running ${b.script}\n`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path, ...(b.args ?? [])], {
    cwd: root,
    encoding: 'utf8',
    timeout: b.minutes * 60_000,
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(0);
  let status = '';
  if (r.error || r.status !== 0) {
    failures++;
    status = `\n_failed (${r.error ? r.error.message : `exit code ${r.status}`}) after ${secs} s_\n`;
  }
  sections.push(`## ${b.title}\n\n${(r.stdout ?? '').trim()}\n${status}\n_bench/${b.script}, ${secs} s_\n`);
}

const header =
  `# Benchmark report\n\n` +
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}; ` +
  `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.versions.node}. ` +
  `Every figure is measured side by side with its baseline in the same run.\n\n`;
const out = join(root, 'docs', 'benchmarks.md');
writeFileSync(out, header + sections.join('\n'));
process.stderr.write(`bench: wrote ${out}${failures ? ` (${failures} benchmark(s) failed)` : ''}\n`);
// The README shows the headline tables of the latest report.
if (filters.length === 0)
  spawnSync(process.execPath, [join(root, 'bench', 'readme-report.mjs')], { stdio: 'inherit' });
process.exitCode = failures ? 1 : 0;
