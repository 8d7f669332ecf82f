// Outlined loops (codegen.ts, "Outlined regions"): with every loop of every function emitted as a JS
// function of its own, the differential programs (C, and C++ whose exceptions unwind through outlined
// frames) still match native at -O0 and -O2, outcome, stdout, stderr and exit code, as
// engine-programs.test.ts and engine-cxx.test.ts check them emitted whole.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import { Engine } from '../src/engine/engine.js';
import { irText, runNative, type Lang } from './engine-native.js';

const ALL = { minFunction: 0, minRegion: 0, maxRegion: 0 };

const sets = [
  { dir: join(import.meta.dirname, 'engine', 'programs'), ext: '.c', cxx: false },
  { dir: join(import.meta.dirname, 'engine', 'cxx'), ext: '.cpp', cxx: true },
];
const programs = sets.flatMap((s) =>
  readdirSync(s.dir)
    .filter((f) => f.endsWith(s.ext))
    .sort()
    .map((f) => ({ file: f, path: join(s.dir, f), cxx: s.cxx })),
);

let outlined = 0;
let runs = 0;

describe.each(programs)('$file', ({ path, cxx }) => {
  const src = readFileSync(path, 'utf8');
  const flags = /^\/\/ cxxflags: (.*)$/m.exec(src)?.[1]?.trim().split(/\s+/) ?? [];
  const outcome = /^\/\/ outcome: (\S+)$/m.exec(src)?.[1];
  const l: Lang = cxx ? { cxx, flags } : {};
  it.each(['-O0', '-O2'])('matches native at %s with every loop outlined', (opt) => {
    const native = runNative(src, opt, [], '', l);
    const e = new Engine(parseModule(irText(src, opt, [], l), 'prog.ll'), { outline: ALL });
    runs++;
    if (/^function f\d+_L\d+\(/m.test(e.linked.source)) outlined++;
    const r = e.runMain({ stepLimit: 1e9 });
    if (outcome === undefined) expect(r.message ?? '', `${r.outcome} ${JSON.stringify(r.location)}`).toBe('');
    else expect(r.outcome, r.message).toBe(outcome);
    expect(Buffer.from(r.stdout).toString('latin1')).toBe(native.stdout.toString('latin1'));
    expect(Buffer.from(r.stderr).toString('latin1')).toBe(native.stderr.toString('latin1'));
    expect(r.exitCode).toBe(native.code);
  });
});

afterAll(() => {
  // Most of the programs have loops in structured functions (setjmp's and loop-free ones have none).
  if (runs === programs.length * 2) expect(outlined).toBeGreaterThanOrEqual(runs / 2);
});
