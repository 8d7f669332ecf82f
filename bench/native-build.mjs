#!/usr/bin/env node
// Native replay build check (issue 4 item 4) over the real-world corpus: for every source file of the
// chosen libraries, build the native replay executable with an entry stub for EVERY defined function (as
// if each had a record), and report how many files build and link, how many entries are refused
// (unsupported signatures), how many externals had to be stubbed, and the build time per file.
// No records are run (the generation runtime produces those); this checks the IR emission and the link
// (entry stubs with exact signatures, symbol tables, renamed main, stubs for unresolved cross-file symbols).
//
// Usage: npm run build && node bench/native-build.mjs [--libs cjson,zlib] [--opt O1] [--work DIR]
//        (INPUTSMITH_DIST=dir to use another build of src/ than ./dist)
// Exits 1 when a file fails to build.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt;
};
const libs = flag('--libs', 'cjson,zlib,lz4,bzip2,libyaml,pcre2,libzstd,lua5.4,sqlite3').split(',');
const opt = flag('--opt', 'O1');
const dist = process.env.INPUTSMITH_DIST ?? new URL('../dist/', import.meta.url).pathname;
const load = (p) => import(pathToFileURL(join(dist, p)).href);

const { fetchCorpus, corpusIR } = await load('toolchain/corpus.js');
const { parseModule } = await load('ir/parser.js');
const { definedFunctions } = await load('ir/model.js');
const { buildNativeReplayer } = await load('replay/native-build.js');

const work = flag('--work', '') || mkdtempSync(join(tmpdir(), 'inputsmith-native-build-'));
let files = 0;
let failed = 0;
let entries = 0;
let unsupported = 0;
let stubs = 0;
const times = [];
for (const name of libs) {
  const lib = await fetchCorpus(name);
  const lls = await corpusIR(lib, opt);
  let libFailed = 0;
  for (const file of lls) {
    files++;
    const text = readFileSync(file, 'utf8');
    const t0 = performance.now();
    try {
      const m = parseModule(text, file);
      // Records only need `function`, `calls` and the pointer targets for the build.
      const records = definedFunctions(m).map((f) => ({
        function: f.name,
        args: [],
        objects: [],
        globals: [],
        calls: [],
        outcome: { memory: { objects: [], globals: [] } },
      }));
      const plan = await buildNativeReplayer(text, m, records, work);
      rmSync(plan.exe, { force: true });
      entries += plan.entries.size;
      unsupported += [...plan.entries.values()].filter((e) => e.unsupported !== undefined).length;
      stubs += plan.stubs.size;
    } catch (e) {
      failed++;
      libFailed++;
      console.log(`FAIL ${name}/${relative(lib.root, file)}: ${e.message}`);
    }
    times.push(performance.now() - t0);
  }
  console.log(`${name}: ${lls.length - libFailed}/${lls.length} files build`);
}
if (!flag('--work', '')) rmSync(work, { recursive: true, force: true });
times.sort((a, b) => a - b);
const med = times[Math.floor(times.length / 2)] ?? 0;
console.log(`\n## Native replay build (-${opt})\n`);
console.log(
  `| files | built | entries | unsupported entries | stubbed externals | median ms/file | max ms/file |`,
);
console.log(`|---|---|---|---|---|---|---|`);
console.log(
  `| ${files} | ${files - failed} | ${entries} | ${unsupported} | ${stubs} | ${med.toFixed(0)} | ${(times.at(-1) ?? 0).toFixed(0)} |`,
);
process.exit(failed > 0 ? 1 : 0);
