import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { register } from '../src/cli/commands/progs.js';
import { NativeRunner, type Runner, SANITIZE_FLAGS, checkPrograms } from '../src/progs/check.js';
import { generate, loadGrammar, writePrograms } from '../src/progs/index.js';
import { findToolchain } from '../src/toolchain/find.js';

/** The toolchain's clang (a path). */
const CLANG = findToolchain().clang;

const has = (cmd: string): boolean => {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const HAS_GCC = has('gcc');
const dir = mkdtempSync(join(tmpdir(), 'progs-check-test-'));
const runners: NativeRunner[] = [];
afterAll(() => {
  for (const r of runners) r.dispose();
  rmSync(dir, { recursive: true, force: true });
});
const runner = (compiler: string, opt: string, flags?: readonly string[]): NativeRunner => {
  const r = new NativeRunner(compiler, opt, flags ? { flags, label: 'sanitize' } : {});
  runners.push(r);
  return r;
};

describe('progs: generated programs pass natively', () => {
  const files = writePrograms({ seed: 9000, count: 30, dir: join(dir, 'a') }).map((n) => join(dir, 'a', n));

  it('30 programs pass with clang -O0/-O2 and gcc -O2', async () => {
    const rs: Runner[] = [runner(CLANG, 'O0'), runner(CLANG, 'O2')];
    if (HAS_GCC) rs.push(runner('gcc', 'O2'));
    const s = await checkPrograms(files, { runners: rs, jobs: 2 });
    expect(s.failures).toEqual([]);
    expect(s.runs).toBe(files.length * rs.length);
  });

  it('10 programs run clean under UBSan (and ASan with gcc)', async () => {
    const rs: Runner[] = [runner(CLANG, 'O1', ['-fsanitize=undefined', '-fsanitize-trap=undefined'])];
    if (HAS_GCC) rs.push(runner('gcc', 'O1', SANITIZE_FLAGS));
    const s = await checkPrograms(files.slice(0, 10), { runners: rs, jobs: 2 });
    expect(s.failures).toEqual([]);
  });
});

describe('progs: the checker reports failures', () => {
  it('reports a wrong expected value with the seed and a reproduce command', async () => {
    const g = generate(loadGrammar(), 77);
    const bad = g.text.replace(/chk_result\(chk_sum, \d+ULL/, 'chk_result(chk_sum, 12345ULL');
    const file = join(dir, 'prog-77.c');
    writeFileSync(file, bad);
    const s = await checkPrograms([file], { runners: [runner(CLANG, 'O0')], jobs: 1 });
    expect(s.failedPrograms).toBe(1);
    const f = s.failures[0];
    expect(f?.seed).toBe(77);
    expect(f?.reason).toMatch(/^FAIL line \d+: got \d+, expected 12345/);
    expect(f?.reproduce).toContain(`inputsmith progs gen --seed 77 --count 1 -o repro && ${CLANG} -O0`);
  });

  it('reports outputs that differ from the expected stdout, and runner errors', async () => {
    const file = join(dir, 'prog-78.c');
    writeFileSync(file, generate(loadGrammar(), 78).text);
    const liar: Runner = { name: 'liar', run: async () => ({ stdout: 'checksum 0\n', exitCode: 0 }) };
    const broken: Runner = {
      name: 'broken',
      run: async () => {
        throw new Error('boom');
      },
    };
    const s = await checkPrograms([file], { runners: [liar, broken], jobs: 2 });
    expect(s.failures.map((f) => f.runner).sort()).toEqual(['broken', 'liar']);
    expect(s.failures.find((f) => f.runner === 'liar')?.reason).toMatch(/^stdout "checksum 0\\n", expected/);
    expect(s.failures.find((f) => f.runner === 'broken')?.reason).toBe('runner error: boom');
  });
});

describe('progs: CLI', () => {
  it('progs gen writes prog-<seed>.c files identical to the library output', async () => {
    const program = new Command().exitOverride();
    register(program);
    const out = join(dir, 'cli');
    await program.parseAsync(['progs', 'gen', '--seed', '40', '--count', '3', '-o', out], { from: 'user' });
    expect(readdirSync(out).sort()).toEqual(['prog-40.c', 'prog-41.c', 'prog-42.c']);
    expect(readFileSync(join(out, 'prog-41.c'), 'utf8')).toBe(generate(loadGrammar(), 41).text);
  });
});
