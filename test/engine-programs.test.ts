// Differential tests: every C program in test/engine/programs runs natively (clang) and in the engine at
// -O0..-O3 with identical stdout and exit code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEngine, runNative } from './engine-native.js';

const root = join(import.meta.dirname, 'engine', 'programs');
const programs = readdirSync(root)
  .filter((f) => f.endsWith('.c'))
  .sort();

describe.each(programs)('%s', (file) => {
  const src = readFileSync(join(root, file), 'utf8');
  it.each(['-O0', '-O1', '-O2', '-O3'])('matches native at %s', (opt) => {
    const native = runNative(src, opt);
    const r = runEngine(src, opt, { stepLimit: 1e9 });
    expect(r.message ?? '', `${r.outcome} ${JSON.stringify(r.location)}`).toBe('');
    expect(Buffer.from(r.stdout).toString('latin1')).toBe(native.stdout.toString('latin1'));
    expect(r.exitCode).toBe(native.code);
  });
});
