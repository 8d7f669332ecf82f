/**
 * @fileoverview Stage: cli. `inputsmith mathlib FUNCS... [--impl glibc,musl,engine,js] [--impl-file
 * name=path] [--range a:b] [--samples N] [--json-file FILE] [-o DIR]`: the accuracy of maths library
 * implementations against correctly rounded results, and the engine's models against glibc bit for bit
 * (docs/mathlib.md).
 *
 * Consumes: function names (`expf log pow`, or `all`). Produces: the summary table on stdout, the report
 * directory (-o) and the JSON (--json-file); progress on stderr. The work is `runMathlib` and `writeReport`
 * (src/mathlib/).
 */
import type { Command } from 'commander';
import { join } from 'node:path';
import { cacheDir } from '../../toolchain/cache.js';
import { coreCount } from '../../util/concurrency.js';
import { allFunctions } from '../../mathlib/functions.js';
import { parseImplFile } from '../../mathlib/harness.js';
import { parseRange } from '../../mathlib/inputs.js';
import { fmtErr, writeReport } from '../../mathlib/report.js';
import { runMathlib, type MathlibReporter, type MathlibResult } from '../../mathlib/run.js';
import { addCommandOptions, checkOptions, type OptionsOf } from '../options.js';

/** Progress on stderr: one redrawn line on a terminal (at most 5 a second), a line per tenth otherwise. */
function progress(): MathlibReporter {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  let lastTenth = -1;
  let started = Date.now();
  return {
    onFunctionStart(fn, chunks, cached, inputs) {
      started = Date.now();
      lastTenth = -1;
      process.stderr.write(`${fn}: ${inputs} inputs, ${chunks} chunks (${cached} cached)\n`);
    },
    onChunk(fn, done, total) {
      const now = Date.now();
      const el = (now - started) / 1000;
      const line = `${fn}: ${done}/${total} chunks, ${el.toFixed(0)} s`;
      if (tty) {
        if (now - last < 200 && done < total) return;
        last = now;
        process.stderr.write(`\r${line}   ${done === total ? '\n' : ''}`);
      } else {
        const tenth = Math.floor((10 * done) / total);
        if (tenth === lastTenth) return;
        lastTenth = tenth;
        process.stderr.write(`${line}\n`);
      }
    },
    onFunctionEnd(fn, seconds) {
      if (seconds > 0) process.stderr.write(`${fn}: done in ${seconds.toFixed(1)} s\n`);
    },
  };
}

function summary(r: MathlibResult): string {
  const rows = r.functions.map((f) => {
    const cells = r.impls.map((i) => {
      const x = f.impls[i];
      return x === undefined || x.skipped ? '-' : `${fmtErr(x.tally)}`;
    });
    const fid = f.fidelity === undefined ? '' : `  engine/glibc differ: ${f.fidelity.count}`;
    return `${f.name.padEnd(7)} ${cells.map((c) => c.padStart(10)).join('')}${fid}`;
  });
  return `max ulp ${r.impls.map((i) => i.padStart(10)).join('')}\n${rows.join('\n')}\n`;
}

export function register(program: Command): void {
  const cmd = program
    .command('mathlib')
    .description('measure maths library implementations against correctly rounded results (MPFR)')
    .argument(
      '<functions...>',
      `C function names (${allFunctions()
        .slice(0, 4)
        .map((f) => f.name)
        .join(' ')} ...), or all`,
    );
  addCommandOptions(cmd, 'mathlib');
  cmd.action(async (names: string[], o: OptionsOf<'mathlib'>) => {
    checkOptions('mathlib', o, names.length);
    const functions = names.flatMap((n) => (n === 'all' ? allFunctions().map((f) => f.name) : [n]));
    const r = await runMathlib({
      functions,
      impls: o.impl,
      implFiles: o.implFile.map(parseImplFile),
      ...(o.range !== undefined ? { range: parseRange(o.range) } : {}),
      ...(o.samples !== undefined ? { samples: o.samples } : {}),
      seed: Number(o.seed),
      jobs: o.jobs ?? Math.min(2, coreCount()),
      work: o.work ?? join(cacheDir(), 'mathlib'),
      cachedOnly: o.cached,
      reporter: progress(),
    });
    writeReport(r, o.output, o.jsonFile);
    process.stdout.write(summary(r));
  });
}
