/**
 * Whole C programs exercising each libc model (test/libc-progs/*.c), compiled at -O0 and -O2, run natively
 * and in the engine: stdout, stderr and the exit code must be identical.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import { Engine } from '../src/engine/engine.js';
import { irText, runNative } from './engine-native.js';

const DIR = join(import.meta.dirname, 'libc-progs');

const PROGRAMS: { file: string; stdin?: string; args?: string[] }[] = [
  { file: 'string.c' },
  { file: 'stdlib.c' },
  { file: 'stdio.c', stdin: '12 34 word\nsecond line here\nmore\nstuff' },
  { file: 'math.c' },
  { file: 'ctype.c' },
  { file: 'misc.c' },
  { file: 'assert.c' },
  { file: 'unistd.c', stdin: 'stdin-data\n' },
];

function runEngine(src: string, opt: string, stdin: string, args: string[]) {
  const m = parseModule(irText(src, opt));
  const e = new Engine(m);
  const r = e.runMain({ argv0: 'prog', args, stdin: Buffer.from(stdin, 'latin1') });
  return {
    stdout: Buffer.from(r.stdout).toString('latin1'),
    stderr: Buffer.from(r.stderr).toString('latin1'),
    code: r.exitCode,
    outcome: r.outcome,
    message: r.message,
  };
}

describe('libc models: C programs, native vs engine', () => {
  for (const p of PROGRAMS) {
    for (const opt of ['-O0', '-O2']) {
      it(`${p.file} ${opt}`, () => {
        const src = readFileSync(join(DIR, p.file), 'utf8');
        const n = runNative(src, opt, p.args ?? [], p.stdin ?? '');
        const native = {
          stdout: n.stdout.toString('latin1'),
          stderr: n.stderr.toString('latin1'),
          code: n.code,
        };
        const ours = runEngine(src, opt, p.stdin ?? '', p.args ?? []);
        expect(
          { ...ours, outcome: undefined, message: undefined },
          `outcome ${ours.outcome}: ${ours.message}`,
        ).toEqual({
          ...native,
          outcome: undefined,
          message: undefined,
        });
      });
    }
  }
});
