/**
 * @fileoverview Stage: cli. `inputsmith demo`: the bundled examples (examples/*.c) compiled, parsed and
 * summarized, as a first look at what inputsmith sees in a program; then a generation campaign on them
 * (`gen --native` into a fresh temporary directory) and its summary table; then the kept inputs as unit
 * tests (`export tests` into OUT/tests), built with CMake and run with CTest when those are installed.
 *
 * Consumes: examples/*.c (shipped with the package). Produces: a readable report on stdout, progress on
 * stderr, and the campaign's output directory (kept; its path is printed).
 */

import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import type { FunctionSummary, ModuleSummary } from '../../ir/summary.js';
import { exportTests } from '../../export/tests.js';
import { findToolchain } from '../../toolchain/find.js';
import { run, which } from '../../util/proc.js';
import { UserError } from '../../util/errors.js';
import { mapLimit } from '../../util/concurrency.js';
import { addCommandOptions, compileOptions, type OptionsOf } from '../options.js';
import { formatSummaryTable, formatThroughput } from '../reporter.js';
import { runCampaignOnTerminal } from './gen.js';
import { inspectFile } from './inspect.js';

/** The examples directory of the installed package (same relative place from src/ and dist/). */
export function examplesDir(): string {
  return fileURLToPath(new URL('../../../examples/', import.meta.url));
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function functionLine(f: FunctionSummary, nameWidth: number, sigWidth: number): string {
  const calls = [...f.callees.map((c) => c.name), ...(f.indirectCalls > 0 ? ['(through a pointer)'] : [])];
  const shape = `${f.blocks} block${f.blocks === 1 ? '' : 's'}${f.hasLoops ? ', loops' : ''}`;
  return `  ${pad(f.name, nameWidth)}  ${pad(f.cSignature, sigWidth)}  ${pad(shape, 17)}  ${calls.length > 0 ? `calls ${calls.join(', ')}` : ''}`.trimEnd();
}

/** The text report for the summaries of the example files. */
export function demoReport(summaries: readonly ModuleSummary[], header: string): string {
  const out = [header, ''];
  let functions = 0;
  for (const s of summaries) {
    const defined = s.functions;
    functions += defined.length;
    const ext = s.externals.map((e) => e.name);
    out.push(
      `${s.file}: ${defined.length} functions` +
        (ext.length > 0 ? `; external functions: ${ext.join(', ')}` : ''),
    );
    const w = Math.max(...defined.map((f) => f.name.length), 4);
    const sw = Math.max(...defined.map((f) => f.cSignature.length), 4);
    for (const f of defined) out.push(functionLine(f, w, sw));
    out.push('');
  }
  out.push(
    `${summaries.length} programs, ${functions} functions. Generating inputs for each of them, replayed in the engine and natively:`,
  );
  return out.join('\n') + '\n';
}

/**
 * The campaign's kept inputs as a cmocka test project (`export tests` into OUT/tests), built with CMake and
 * run with CTest when those and cmocka are installed (scripts/setup.mjs installs them as root): the line
 * that says how it went.
 */
async function demoTests(out: string, clang: string | undefined): Promise<string> {
  const dir = join(out, 'tests');
  const rep = await exportTests(out, { dir, clang, warn: () => undefined });
  const t = rep.totals;
  const head = `Unit tests: ${t.tests} (${t.errorTests} error tests) in ${dir}, ${t.leftOut} inputs left out`;
  if (which('cmake') === undefined || which('ctest') === undefined || !existsSync('/usr/include/cmocka.h'))
    return `${head}; cmake, ctest or cmocka missing, not built (see docs/tests.md)\n`;
  const build = join(out, 'tests-build');
  for (const [cmd, args] of [
    ['cmake', ['-S', dir, '-B', build]],
    ['cmake', ['--build', build, '-j', String(availableParallelism())]],
  ] as const) {
    const r = await run(cmd, args);
    if (r.code !== 0) return `${head}; \`${cmd} ${args.join(' ')}\` failed:\n${r.stdout}${r.stderr}`;
  }
  const c = await run('ctest', ['--test-dir', build]);
  const summary = /\d+% tests passed, \d+ tests failed out of \d+/.exec(c.stdout)?.[0] ?? 'ctest failed';
  return `${head}; built and run with CMake and CTest: ${summary}\n`;
}

export function register(program: Command): void {
  const cmd = program
    .command('demo')
    .description(
      'compile and inspect the bundled example programs (examples/*.c), then generate inputs for them',
    );
  addCommandOptions(cmd, 'demo');
  cmd.action(async (o: OptionsOf<'demo'>) => {
    const dir = examplesDir();
    let files: string[];
    try {
      files = readdirSync(dir)
        .filter((f) => f.endsWith('.c'))
        .sort();
    } catch {
      throw new UserError('examples directory not found (is the package complete?)', { file: dir });
    }
    if (files.length === 0) throw new UserError('no example programs (*.c)', { file: dir });
    const tc = findToolchain({ clang: o.clang });
    const copts = compileOptions(o);
    const summaries = await mapLimit(files, files.length, async (f) => {
      const s = await inspectFile(join(dir, f), copts);
      return { ...s, file: `examples/${f}` };
    });
    process.stdout.write(
      demoReport(
        summaries,
        `inputsmith demo: ${files.length} example programs, clang ${tc.version} -${o.opt}`,
      ),
    );
    // Records name their module as given: relative to the current directory when the examples are below it.
    const rel = relative(process.cwd(), dir);
    const inputs = files.map((f) => (rel.startsWith('..') || isAbsolute(rel) ? join(dir, f) : join(rel, f)));
    const out = mkdtempSync(join(tmpdir(), 'inputsmith-demo-'));
    process.stdout.write('\n');
    const r = await runCampaignOnTerminal(
      { inputs, out, native: true, jobs: o.jobs, compile: copts },
      'demo',
    );
    process.stdout.write(formatSummaryTable(r.summary));
    process.stdout.write(formatThroughput(r));
    process.stdout.write(await demoTests(out, o.clang));
    process.stdout.write(
      `Look at the inputs in ${out}, or check them again: inputsmith replay ${out} --native\n`,
    );
  });
}
