// Differential tests of C++ exception handling: every program in test/engine/cxx/*.cpp is compiled with
// clang++ at -O0 and -O2, run natively and in the engine: identical stdout, stderr (libstdc++'s terminate
// message) and exit code, and the outcome its `// outcome:` line names (default: a normal end). A
// `// cxxflags:` line adds compiler flags.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEngine, runNative, type Lang } from './engine-native.js';

const root = join(import.meta.dirname, 'engine', 'cxx');
const programs = readdirSync(root)
  .filter((f) => f.endsWith('.cpp'))
  .sort();

function lang(src: string): Lang {
  const flags = /^\/\/ cxxflags: (.*)$/m.exec(src)?.[1]?.trim().split(/\s+/) ?? [];
  return { cxx: true, flags };
}

describe.each(programs)('%s', (file) => {
  const src = readFileSync(join(root, file), 'utf8');
  const outcome = /^\/\/ outcome: (\S+)$/m.exec(src)?.[1];
  it.each(['-O0', '-O2'])('matches native at %s', (opt) => {
    const l = lang(src);
    const native = runNative(src, opt, [], '', l);
    const r = runEngine(src, opt, { stepLimit: 1e9 }, [], l);
    if (outcome === undefined) expect(r.message ?? '', `${r.outcome} ${JSON.stringify(r.location)}`).toBe('');
    else expect(r.outcome, r.message).toBe(outcome);
    expect(Buffer.from(r.stdout).toString('latin1')).toBe(native.stdout.toString('latin1'));
    expect(Buffer.from(r.stderr).toString('latin1')).toBe(native.stderr.toString('latin1'));
    expect(r.exitCode).toBe(native.code);
  });
});

describe('unwinding in generation mode', () => {
  // Generation mode budgets the call depth: frames an exception unwinds never return, so the catching
  // frame must restore the depth (20000 throws through up to 9 frames would exceed any budget otherwise).
  it('restores the call-depth budget at every catch', () => {
    const src = readFileSync(join(root, 'loop.cpp'), 'utf8');
    const native = runNative(src, '-O0', [], '', lang(src));
    const r = runEngine(src, '-O0', { stepLimit: 1e9 }, [], lang(src), { mode: 'gen' });
    expect(r.outcome, r.message).toBe('returned');
    expect(Buffer.from(r.stdout).toString('latin1')).toBe(native.stdout.toString('latin1'));
  });

  it('keeps engine runs independent: a run that terminates leaves no state behind', async () => {
    const { Engine } = await import('../src/engine/engine.js');
    const { parseModule } = await import('../src/ir/parser.js');
    const { irText } = await import('./engine-native.js');
    const src = readFileSync(join(root, 'noexcept.cpp'), 'utf8');
    const e = new Engine(parseModule(irText(src, '-O2', [], lang(src)), 'prog.ll'));
    const first = e.runMain();
    const second = e.runMain();
    expect(first.outcome).toBe('abort');
    expect(second.outcome).toBe('abort');
    expect(Buffer.from(second.stdout).toString()).toBe(Buffer.from(first.stdout).toString());
    expect(Buffer.from(second.stderr).toString()).toBe(Buffer.from(first.stderr).toString());
  });
});
