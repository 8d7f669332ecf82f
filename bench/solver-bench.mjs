#!/usr/bin/env node
// The solver benchmark (issue 16, "solver-guided search"): bench/solver/*.c, small C functions whose blocks
// sit behind relations between inputs (bench/solver/README.md), and inputsmith's block coverage and time on
// them.
//
// Step 1, reachability: each file is compiled natively at -O0 with its witness
// (bench/solver/witness/<file>_witness.c, a main calling every function with hand-chosen inputs) under
// coverage instrumentation: clang-19 source-based coverage (-fprofile-instr-generate -fcoverage-mapping,
// llvm-profdata-19, llvm-cov-19; every code region of every function executed), or, when clang's profile
// runtime is not installed (Debian package libclang-rt-19-dev), gcc --coverage with gcov (every basic block
// and every line of every function executed). Every function must also be entered at most INPUTS times, so
// that full coverage is within reach of `gen --inputs INPUTS`. Then the same witnesses run in inputsmith's
// engine on the IR gen sees: per level, each file and its witness compiled by compileToIR (as gen compiles
// them) and joined with llvm-link-19, main run with block coverage; at -O0 and -O1 every block of every
// function must execute (at other levels, where unrolling and duplication make blocks the witnesses'
// inputs do not reach, the count is only reported). Anything short of that stops the bench (exit 1) with
// the functions and what they miss.
//
// Step 2, for each optimisation level (default -O0 and -O1): `node bin/inputsmith.js gen bench/solver/*.c
// -O<level> --inputs 5 --jobs 2 --seed 1 -o <dir>`, plus the arguments given after --with (verbatim). It
// reads OUT/summary.json (totals), OUT/functions.jsonl (per-function blocks and covered blocks) and the
// per-function time: a time field of the function rows if gen ever writes one, else OUT/timings.jsonl
// (wall-clock ms of each function's search and engine replay in its worker), else the wall time of the
// whole gen divided by the functions; the report names the source. It prints a Markdown table per level
// (per function covered/total blocks and seconds), then the mean block coverage, the functions at 100%,
// and mean and max seconds per function. Exits 1 when gen fails (non-zero exit, a module that failed, a
// function missing from its output) and after the tables when a function failed in gen (crash, guard).
//
// Usage: node bench/solver-bench.mjs [--levels 0,1] [--compare] [--json FILE] [--out DIR] [--no-build]
//                                    [--coverage auto|clang|gcc] [--with GEN_ARGS...]
//   --with ARGS   every argument after it goes to gen verbatim (e.g. --with --solve 50); it must come last
//   --compare     run gen once without and once with the --with arguments, in adjacent columns
//   --json FILE   write every figure (proof and runs) as JSON
//   --out DIR     keep gen's outputs as DIR/O<level>-<base|with> (replaced when they exist)
//   --levels      optimisation levels, comma-separated (default 0,1)
//   --no-build    do not run `npm run build` when dist/ is older than src/
//   --coverage    native coverage tool of step 1 (default auto: clang, else gcc)
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const BIN = join(root, 'bin', 'inputsmith.js');
const SET = 'bench/solver';
const INPUTS = 5;
const GEN_FIXED = ['--inputs', String(INPUTS), '--jobs', '2', '--seed', '1'];
const CLANG = 'clang-19';
const PROFDATA = 'llvm-profdata-19';
const LLVM_COV = 'llvm-cov-19';
const LLVM_LINK = 'llvm-link-19';
/** Levels at which the witnesses must reach every block of the IR (see the head of this file). */
const STRICT_LEVELS = ['0', '1'];

const log = (msg) => process.stderr.write(`solver-bench: ${msg}\n`);

function die(msg, code = 1) {
  log(msg);
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const a = { levels: ['0', '1'], compare: false, build: true, coverage: 'auto', with: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) die(`${arg} takes a value`, 2);
      return argv[++i];
    };
    if (arg === '--with') {
      a.with = argv.slice(i + 1);
      break;
    } else if (arg === '--compare') a.compare = true;
    else if (arg === '--json') a.json = resolve(value());
    else if (arg === '--out') a.out = resolve(value());
    else if (arg === '--levels')
      a.levels = value()
        .split(',')
        .map((l) => l.trim().replace(/^-?O/, ''));
    else if (arg === '--no-build') a.build = false;
    else if (arg === '--coverage') a.coverage = value();
    else if (arg === '-h' || arg === '--help') {
      const head = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
      const usage = [];
      for (const l of head.slice(head.findIndex((x) => x.startsWith('// Usage')))) {
        if (!l.startsWith('//')) break;
        usage.push(l.slice(3));
      }
      process.stdout.write(`${usage.join('\n')}\n`);
      process.exit(0);
    } else die(`unknown argument ${arg} (gen's arguments go after --with)`, 2);
  }
  if (a.compare && a.with.length === 0) die('--compare needs the arguments to compare after --with', 2);
  if (!['auto', 'clang', 'gcc'].includes(a.coverage)) die('--coverage takes auto, clang or gcc', 2);
  if (a.levels.some((l) => !/^[0123sz]$/.test(l))) die('--levels takes levels among 0 1 2 3 s z', 2);
  return a;
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  return {
    code: r.error ? -1 : r.status,
    out: r.stdout ?? '',
    err: r.error ? String(r.error.message) : (r.stderr ?? ''),
  };
}

function newestUnder(dir) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestUnder(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build dist/ when a source is newer than the last build (the rule of scripts/setup.mjs). */
function ensureBuilt(build) {
  const stamp = join(root, 'dist', 'cli', 'main.js');
  const stale =
    !existsSync(stamp) ||
    newestUnder(join(root, 'src')) > statSync(stamp).mtimeMs ||
    statSync(join(root, 'tsconfig.json')).mtimeMs > statSync(stamp).mtimeMs;
  if (!stale) return;
  if (!build) return log('dist/ is older than src/ (--no-build: measuring the build as it is)');
  log('dist/ is older than src/: npm run build');
  const r = run('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.code !== 0) die(`npm run build failed (exit ${r.code})`);
}

function readJsonl(path) {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
}

const pct = (x) => (x === undefined || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(1)}%`);
/** What each source of per-function time measures. */
const TIME_SOURCES = {
  'functions.jsonl timeMs': "the function rows' own time field",
  'timings.jsonl': "OUT/timings.jsonl, wall clock of each function's search and engine replay in its worker",
  'gen wall time / functions': 'the wall time of the whole gen divided by the functions',
};
const secs = (ms) => (ms === undefined ? 'n/a' : (ms / 1000).toFixed(3));

// ---------------------------------------------------------------------------------------------------------
// Step 1: every block reachable (native coverage of each file with its witness)

/** Compile `src` + `witness` with clang source-based coverage, run, and give per-function regions. */
function clangCoverage(src, witness, dir) {
  const exe = join(dir, 'witness');
  const c = run(CLANG, ['-O0', '-fprofile-instr-generate', '-fcoverage-mapping', src, witness, '-o', exe]);
  if (c.code !== 0) {
    if (/libclang_rt\.profile/.test(c.err)) return { missingRuntime: true };
    die(`${CLANG} failed on ${basename(src)}:\n${c.err.trim()}`);
  }
  const raw = join(dir, 'witness.profraw');
  const w = run(exe, [], { env: { ...process.env, LLVM_PROFILE_FILE: raw } });
  if (w.code !== 0) die(`the witness of ${basename(src)} exited with ${w.code}:\n${w.out}${w.err}`);
  const data = join(dir, 'witness.profdata');
  const m = run(PROFDATA, ['merge', '-sparse', '-o', data, raw]);
  if (m.code !== 0) die(`${PROFDATA} merge failed: ${m.err.trim()}`);
  const e = run(LLVM_COV, ['export', exe, `-instr-profile=${data}`]);
  if (e.code !== 0) die(`${LLVM_COV} export failed: ${e.err.trim()}`);
  const fns = JSON.parse(e.out).data[0].functions.filter((f) => resolve(f.filenames[0]) === src);
  return {
    functions: fns.map((f) => {
      // Code regions of the function's own file (kind 0; expansions, skipped and gap regions aside).
      const regions = f.regions.filter((r) => r[7] === 0 && r[5] === 0);
      const missed = regions.filter((r) => r[4] === 0).map((r) => `${r[0]}:${r[1]}-${r[2]}:${r[3]}`);
      return {
        name: f.name,
        calls: f.count,
        units: regions.length,
        covered: regions.length - missed.length,
        missed,
      };
    }),
  };
}

/** The same with gcc --coverage and gcov: per-function basic blocks, and lines. */
function gccCoverage(src, witness, dir) {
  const objs = [];
  for (const [file, name] of [
    [src, 'subject'],
    [witness, 'witness'],
  ]) {
    const c = run('gcc', ['-O0', '--coverage', '-c', file, '-o', join(dir, `${name}.o`)], { cwd: dir });
    if (c.code !== 0) die(`gcc failed on ${basename(file)}:\n${c.err.trim()}`);
    objs.push(join(dir, `${name}.o`));
  }
  const exe = join(dir, 'witness');
  const l = run('gcc', ['--coverage', ...objs, '-o', exe], { cwd: dir });
  if (l.code !== 0) die(`linking the witness of ${basename(src)} failed:\n${l.err.trim()}`);
  const w = run(exe, [], { cwd: dir });
  if (w.code !== 0) die(`the witness of ${basename(src)} exited with ${w.code}:\n${w.out}${w.err}`);
  const g = run('gcov', ['--json-format', '--stdout', join(dir, 'subject.gcda')], { cwd: dir });
  if (g.code !== 0) die(`gcov failed on ${basename(src)}: ${g.err.trim()}`);
  const file = JSON.parse(g.out).files.find((f) => resolve(dir, f.file) === src);
  if (file === undefined) die(`gcov has no data for ${src}`);
  return {
    functions: file.functions.map((f) => {
      const lines = file.lines.filter((x) => x.function_name === f.name);
      const missedLines = lines.filter((x) => x.count === 0).map((x) => `line ${x.line_number}`);
      const missed = [...missedLines];
      if (f.blocks_executed < f.blocks) missed.push(`${f.blocks - f.blocks_executed} blocks`);
      return {
        name: f.name,
        calls: f.execution_count,
        units: f.blocks,
        covered: f.blocks_executed,
        lines: lines.length,
        linesCovered: lines.length - missedLines.length,
        missed,
      };
    }),
  };
}

function proveReachable(files, tool) {
  const work = mkdtempSync(join(tmpdir(), 'inputsmith-solver-witness-'));
  try {
    let use = tool === 'auto' ? 'clang' : tool;
    const proof = [];
    for (const rel of files) {
      const src = join(root, rel);
      const witness = join(root, SET, 'witness', `${basename(rel, '.c')}_witness.c`);
      if (!existsSync(witness)) die(`${rel} has no witness (${SET}/witness/${basename(witness)})`);
      const dir = mkdtempSync(join(work, `${basename(rel, '.c')}-`));
      let cov = use === 'clang' ? clangCoverage(src, witness, dir) : undefined;
      if (cov?.missingRuntime) {
        if (tool === 'clang') die(`${CLANG} has no profile runtime (apt-get install libclang-rt-19-dev)`);
        log(`${CLANG} has no profile runtime (libclang-rt-19-dev): gcc --coverage and gcov instead`);
        use = 'gcc';
        cov = undefined;
      }
      cov ??= gccCoverage(src, witness, dir);
      for (const f of cov.functions) if (f.name !== 'main') proof.push({ file: rel, ...f });
    }
    const unit = use === 'clang' ? 'regions' : 'blocks';
    const bad = proof.filter((f) => f.missed.length > 0 || f.calls === 0);
    const many = proof.filter((f) => f.calls > INPUTS);
    for (const f of bad)
      log(`NOT REACHED: ${f.file} ${f.name}: ${f.covered}/${f.units} ${unit}; missed ${f.missed.join(', ')}`);
    for (const f of many) log(`TOO MANY CALLS: ${f.file} ${f.name} is called ${f.calls} times (> ${INPUTS})`);
    if (bad.length > 0 || many.length > 0)
      die(`reachability not proven for ${bad.length + many.length} function(s); fix the witnesses`);
    return {
      tool:
        use === 'clang'
          ? `${CLANG} source-based coverage (${LLVM_COV}), code regions`
          : 'gcc --coverage and gcov, basic blocks and lines',
      unit,
      functions: proof,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The witnesses in inputsmith's engine, on the IR gen sees at `level`: per function of the set, its blocks
 * and the blocks the witness executed.
 */
async function proveReachableIR(files, level, proven) {
  const { compileToIR, parseModule, Engine } = await import(join(root, 'dist', 'index.js'));
  const work = mkdtempSync(join(tmpdir(), 'inputsmith-solver-ir-'));
  const names = new Set(proven.map((f) => f.name));
  const functions = [];
  try {
    for (const rel of files) {
      const name = basename(rel, '.c');
      const [subject, witness, linked] = ['subject', 'witness', 'linked'].map((k) =>
        join(work, `${name}-${k}.ll`),
      );
      await compileToIR(join(root, rel), subject, { opt: `O${level}` });
      await compileToIR(join(root, SET, 'witness', `${name}_witness.c`), witness, { opt: `O${level}` });
      const l = run(LLVM_LINK, ['-S', subject, witness, '-o', linked]);
      if (l.code !== 0) die(`${LLVM_LINK} failed on ${rel}: ${l.err.trim()}`);
      const engine = new Engine(parseModule(readFileSync(linked, 'utf8'), linked), { coverage: true });
      try {
        const r = engine.runMain({ stepLimit: 1e8 });
        if ((r.outcome !== 'returned' && r.outcome !== 'exit') || r.exitCode !== 0)
          die(
            `the witness of ${rel} at -O${level} ended in the engine with ${r.outcome} (${r.message ?? r.exitCode})`,
          );
        const byFunc = new Map();
        for (let id = 0; id < engine.cov.length; id++) {
          const b = engine.coverageBlock(id);
          if (b === undefined || !names.has(b.func.name)) continue;
          const f = byFunc.get(b.func.name) ?? {
            file: rel,
            name: b.func.name,
            blocks: b.func.blocks.length,
            reached: 0,
          };
          if (engine.cov[id] > 0) f.reached++;
          byFunc.set(b.func.name, f);
        }
        functions.push(...byFunc.values());
      } finally {
        engine.dispose();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const missing = proven.filter((p) => !functions.some((f) => f.name === p.name)).map((p) => p.name);
  if (missing.length > 0) die(`-O${level}: no blocks of ${missing.join(', ')} in the engine's coverage`);
  const short = functions.filter((f) => f.reached < f.blocks);
  const strict = STRICT_LEVELS.includes(level);
  for (const f of short)
    log(
      `${strict ? 'NOT REACHED' : 'note'}: -O${level} ${f.file} ${f.name}: the witness reaches ${f.reached} of ${f.blocks} IR blocks`,
    );
  if (strict && short.length > 0) die(`-O${level}: the witnesses do not reach every IR block; fix them`);
  return {
    level,
    blocks: functions.reduce((s, f) => s + f.blocks, 0),
    reached: functions.reduce((s, f) => s + f.reached, 0),
    functions,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Step 2: gen

function genCommand(files, level, extra, out) {
  return ['gen', ...files, `-O${level}`, ...GEN_FIXED, '-o', out, ...extra];
}

/** One gen run and its figures. */
function measure(files, level, label, extra, outRoot, proven) {
  const out = join(outRoot, `O${level}-${label}`);
  rmSync(out, { recursive: true, force: true });
  const args = genCommand(files, level, extra, out);
  log(`node bin/inputsmith.js ${args.join(' ')}`);
  const t0 = Date.now();
  const r = run(process.execPath, [BIN, ...args], { cwd: root });
  const wallMs = Date.now() - t0;
  if (r.code !== 0) {
    process.stderr.write(r.out + r.err);
    die(`gen -O${level} (${label}) failed with exit code ${r.code}`);
  }
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  if (summary.totals.modulesFailed > 0) {
    const failed = summary.modules.filter((m) => m.status !== 'ok');
    die(
      `gen -O${level} (${label}): modules failed: ${failed.map((m) => `${m.module} (${m.failure?.reason})`).join('; ')}`,
    );
  }
  const rows = readJsonl(join(out, 'functions.jsonl'));
  const names = new Set(rows.map((x) => x.function));
  const missing = proven.filter((f) => !names.has(f.name)).map((f) => f.name);
  const unproven = rows.filter((x) => !proven.some((f) => f.name === x.function)).map((x) => x.function);
  if (missing.length > 0) die(`gen -O${level} (${label}) has no row for ${missing.join(', ')}`);
  if (unproven.length > 0)
    die(`gen -O${level} (${label}) found functions without a witness: ${unproven.join(', ')}`);
  const timings = new Map(
    readJsonl(join(out, 'timings.jsonl')).map((t) => [`${t.module}\0${t.function}`, t]),
  );
  const timeSource = rows.every((x) => typeof x.timeMs === 'number')
    ? 'functions.jsonl timeMs'
    : rows.every((x) => timings.has(`${x.module}\0${x.function}`))
      ? 'timings.jsonl'
      : 'gen wall time / functions';
  const functions = rows.map((x) => {
    const t = timings.get(`${x.module}\0${x.function}`);
    const timeMs =
      timeSource === 'functions.jsonl timeMs'
        ? x.timeMs
        : timeSource === 'timings.jsonl'
          ? t.timeMs
          : wallMs / rows.length;
    return {
      module: x.module,
      function: x.function,
      status: x.status,
      failure: x.failure?.kind,
      blocks: x.blocks ?? 0,
      covered: x.covered ?? 0,
      coveredFirst: x.coveredFirst ?? 0,
      runs: x.runs,
      inputs: x.inputs?.length ?? 0,
      timeMs,
      cpuMs: t?.cpuMs,
      // The rest of the function's timings.jsonl line (runs, steps, worker, solver figures when there are).
      timing:
        t === undefined
          ? undefined
          : Object.fromEntries(Object.entries(t).filter(([k]) => k !== 'module' && k !== 'function')),
    };
  });
  const cov = (f) => (f.blocks > 0 ? f.covered / f.blocks : 0);
  const times = functions.map((f) => f.timeMs);
  const slowest = functions.reduce((a, b) => (b.timeMs > a.timeMs ? b : a));
  const blocks = functions.reduce((s, f) => s + f.blocks, 0);
  const covered = functions.reduce((s, f) => s + f.covered, 0);
  return {
    level,
    label,
    args: extra,
    command: `node bin/inputsmith.js ${genCommand([`${SET}/*.c`], level, extra, '<dir>').join(' ')}`,
    out,
    wallMs,
    timeSource,
    summaryTotals: summary.totals,
    functions,
    figures: {
      functions: functions.length,
      failed: functions.filter((f) => f.status !== 'ok').length,
      meanCoverage: functions.reduce((s, f) => s + cov(f), 0) / functions.length,
      full: functions.filter((f) => f.blocks > 0 && f.covered === f.blocks).length,
      blocks,
      blocksCovered: covered,
      meanMs: times.reduce((a, b) => a + b, 0) / times.length,
      maxMs: slowest.timeMs,
      slowest: slowest.function,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Report

function cell(f, ir) {
  if (f === undefined) return 'n/a';
  let c = `${f.covered}/${f.blocks}${f.blocks > 0 && f.covered === f.blocks ? ' ✓' : ''}`;
  if (ir !== undefined && ir.blocks !== f.blocks) c += ` (proof's IR: ${ir.blocks} blocks)`;
  else if (ir !== undefined && ir.reached < ir.blocks) c += ` (witness reaches ${ir.reached})`;
  return f.status === 'ok' ? c : `${c} (failed: ${f.failure})`;
}

function levelReport(level, runs, ir) {
  const heads = runs.map((r) => (r.args.length === 0 ? 'without' : `with ${r.args.join(' ')}`));
  const lines = [`### -O${level}`, ''];
  lines.push(
    `| file | function | ${heads.map((h) => `${h}: covered/blocks | ${h}: s`).join(' | ')} |`,
    `| --- | --- | ${heads.map(() => '---: | ---:').join(' | ')} |`,
  );
  for (const f of runs[0].functions) {
    const cells = runs.map((r) => {
      const g = r.functions.find((x) => x.module === f.module && x.function === f.function);
      return `${cell(
        g,
        ir.functions.find((x) => x.name === f.function),
      )} | ${secs(g?.timeMs)}`;
    });
    lines.push(`| ${basename(f.module)} | ${f.function} | ${cells.join(' | ')} |`);
  }
  lines.push('', `| figure | ${heads.join(' | ')} |`, `| --- | ${heads.map(() => '---:').join(' | ')} |`);
  const row = (name, fn) => lines.push(`| ${name} | ${runs.map(fn).join(' | ')} |`);
  row('mean block coverage', (r) => `**${pct(r.figures.meanCoverage)}**`);
  row('functions at 100%', (r) => `**${r.figures.full}** of ${r.figures.functions}`);
  row(
    'blocks covered',
    (r) =>
      `${r.figures.blocksCovered} of ${r.figures.blocks} (${pct(r.figures.blocksCovered / r.figures.blocks)})`,
  );
  row(
    'summary.json meanCoverage / meanCoverageFirst',
    (r) => `${pct(r.summaryTotals.meanCoverage)} / ${pct(r.summaryTotals.meanCoverageFirst)}`,
  );
  row('blocks the witnesses reach (engine, same IR)', () => `${ir.reached} of ${ir.blocks}`);
  row('failed functions', (r) => String(r.figures.failed));
  row('mean s per function', (r) => `**${secs(r.figures.meanMs)}**`);
  row('max s per function', (r) => `**${secs(r.figures.maxMs)}** (${r.figures.slowest})`);
  row('gen wall time', (r) => `${(r.wallMs / 1000).toFixed(1)} s`);
  row('time per function from', (r) => r.timeSource);
  lines.push('');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------
// Main

const opts = parseArgs(process.argv.slice(2));
const files = readdirSync(join(root, SET))
  .filter((f) => f.endsWith('.c'))
  .sort()
  .map((f) => `${SET}/${f}`);
if (files.length === 0) die(`no ${SET}/*.c`);

const proof = proveReachable(files, opts.coverage);
log(`reachability proven: ${proof.functions.length} functions, ${proof.tool}`);
ensureBuilt(opts.build);
const irProof = [];
for (const level of opts.levels) irProof.push(await proveReachableIR(files, level, proof.functions));
log(`IR reachability: ${irProof.map((p) => `-O${p.level} ${p.reached} of ${p.blocks} blocks`).join(', ')}`);

const configs = opts.compare
  ? [
      { label: 'base', args: [] },
      { label: 'with', args: opts.with },
    ]
  : [{ label: opts.with.length > 0 ? 'with' : 'base', args: opts.with }];
const outRoot = opts.out ?? mkdtempSync(join(tmpdir(), 'inputsmith-solver-bench-'));
mkdirSync(outRoot, { recursive: true });
const results = [];
try {
  for (const level of opts.levels)
    for (const c of configs) results.push(measure(files, level, c.label, c.args, outRoot, proof.functions));
} finally {
  if (opts.out === undefined) rmSync(outRoot, { recursive: true, force: true });
}

const units = proof.functions.reduce((s, f) => s + f.units, 0);
const maxCalls = Math.max(...proof.functions.map((f) => f.calls));
const out = [
  `## Solver benchmark: ${proof.functions.length} functions in ${files.length} files (${SET})`,
  '',
  `Reachability: every function fully covered natively by its witness at -O0 (${proof.tool}: ${units} ${proof.unit}, ` +
    `all executed; at most ${maxCalls} calls per function, gen keeps ${INPUTS} inputs); the witnesses in ` +
    `inputsmith's engine on the IR gen sees: ${irProof.map((p) => `-O${p.level} ${p.reached} of ${p.blocks} blocks`).join(', ')}.`,
  '',
  ...[...new Set(results.map((r) => r.command))].map((c) => `- \`${c}\``),
  '',
  `Seconds per function: ${[...new Set(results.map((r) => TIME_SOURCES[r.timeSource]))].join('; ')}. ` +
    `${availableParallelism()} cores, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}.`,
  '',
];
for (const level of opts.levels)
  out.push(
    levelReport(
      level,
      results.filter((r) => r.level === level),
      irProof.find((p) => p.level === level),
    ),
  );
process.stdout.write(out.join('\n'));

if (opts.json !== undefined) {
  mkdirSync(dirname(opts.json), { recursive: true });
  const json = {
    date: new Date().toISOString(),
    node: process.versions.node,
    cores: availableParallelism(),
    set: SET,
    files,
    proof,
    irProof,
    runs: results.map(({ out: dir, ...r }) => ({ ...r, out: opts.out === undefined ? undefined : dir })),
  };
  writeFileSync(opts.json, `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${opts.json}`);
}
const failed = results.filter((r) => r.figures.failed > 0);
if (failed.length > 0)
  die(
    `functions failed in gen: ${failed.map((r) => `-O${r.level} ${r.label}: ${r.figures.failed}`).join('; ')}`,
  );
