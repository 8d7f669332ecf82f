#!/usr/bin/env node
// Copies the headline tables of docs/benchmarks.md (input generation on both corpus sets, engine speed, parser
// speed) into README.md between the markers `<!-- bench:start -->` and `<!-- bench:end -->`, so the README
// shows the latest report. bench/run-all.mjs runs it after writing the report; it can also run alone.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const report = readFileSync(join(root, 'docs', 'benchmarks.md'), 'utf8');
const readmePath = join(root, 'README.md');
const readme = readFileSync(readmePath, 'utf8');

/** The body of the report's section whose title starts with `title` (without the trailing timing line). */
function section(title) {
  const parts = report.split(/^## /m);
  const s = parts.find((p) => p.startsWith(title));
  if (s === undefined) return undefined;
  return s
    .slice(s.indexOf('\n') + 1)
    .split('\n')
    .filter((l) => !/^_bench\//.test(l))
    .join('\n')
    .trim();
}

const date = /on (\d{4}-\d{2}-\d{2})/.exec(report)?.[1] ?? 'unknown date';
const pieces = [
  `Latest \`npm run bench\` (${date}); the whole report is [docs/benchmarks.md](docs/benchmarks.md).`,
];
for (const [title, heading] of [
  [
    'Input generation on the corpus',
    'Input generation on the real-world corpus: development corpus and fresh set',
  ],
  ['Engine: speed vs native and lli', 'Engine speed'],
  ['Parser: our parse vs llvm-as', 'Parser speed'],
]) {
  const body = section(title);
  if (body !== undefined) pieces.push(`### ${heading}\n\n${body}`);
}
const start = '<!-- bench:start -->';
const end = '<!-- bench:end -->';
const i = readme.indexOf(start);
const j = readme.indexOf(end);
if (i < 0 || j < i) {
  process.stderr.write('readme-report: README.md has no bench markers; nothing done\n');
  process.exit(0);
}
writeFileSync(
  readmePath,
  readme.slice(0, i + start.length) + '\n' + pieces.join('\n\n') + '\n' + readme.slice(j),
);
// Keep README.md as the formatter wants it (npm run lint checks it).
spawnSync(
  process.execPath,
  [join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'), '--write', readmePath],
  {
    stdio: 'ignore',
  },
);
process.stderr.write('readme-report: README.md updated\n');
