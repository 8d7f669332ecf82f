// A function's self-contained module (src/ir/extract.ts, `inspect --extract`): it assembles with llvm-as,
// holds exactly what the function reaches, and every input gen kept for the function in its module replays
// on it bit for bit (outcome, memory, output, covered blocks, steps).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenSession } from '../src/gen/runtime.js';
import { DEFAULT_SEARCH, searchFunction } from '../src/guide/search.js';
import { extractFunction, referencedGlobals } from '../src/ir/extract.js';
import type { Func, GlobalValue, Module } from '../src/ir/model.js';
import { parseModule } from '../src/ir/parser.js';
import { printModule } from '../src/ir/printer.js';
import { replayInEngine } from '../src/replay/engine.js';
import { moduleHash } from '../src/replay/native.js';
import { compileToIR } from '../src/toolchain/compile.js';
import { findToolchain } from '../src/toolchain/find.js';
import { cli } from './export-exec.js';

const examples = join(import.meta.dirname, '..', 'examples');
const SEARCH = { ...DEFAULT_SEARCH, maxRuns: 60, maxSteps: 400_000 };
let dir = '';
const mods: { name: string; text: string; m: Module }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-extract-'));
  for (const f of readdirSync(examples)
    .filter((x) => x.endsWith('.c'))
    .sort()) {
    const ll = join(dir, f.replace(/\.c$/, '.ll'));
    await compileToIR(join(examples, f), ll, { opt: 'O1', debug: true });
    const text = readFileSync(ll, 'utf8');
    mods.push({ name: f, text, m: parseModule(text, ll) });
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defined = (m: Module): Func[] =>
  m.globals.filter((g): g is Func => g.kind === 'function' && g.blocks.length > 0);

/** Every global reachable from `g` (itself included). */
function closure(g: GlobalValue): Set<GlobalValue> {
  const seen = new Set<GlobalValue>([g]);
  const work = [g];
  while (work.length > 0)
    for (const r of referencedGlobals(work.pop()!))
      if (!seen.has(r)) {
        seen.add(r);
        work.push(r);
      }
  return seen;
}

describe('extractFunction', () => {
  it('gives a module llvm-as accepts, holding exactly the globals the function reaches', () => {
    const llvmAs = findToolchain().llvmAs;
    let checked = 0;
    for (const { name, m } of mods)
      for (const f of defined(m)) {
        const x = extractFunction(m, f.name);
        const file = join(dir, 'x.ll');
        writeFileSync(file, printModule(x));
        execFileSync(llvmAs, [file, '-o', '/dev/null'], { stdio: 'pipe' });
        expect(new Set(x.globals), `${name} ${f.name}`).toEqual(closure(f));
        checked++;
      }
    expect(checked).toBeGreaterThan(20);
    // Something is really left out: main reaches less than the whole module of some example.
    expect(mods.some(({ m }) => defined(m).some((f) => closure(f).size < m.globals.length))).toBe(true);
  });

  it('runs every kept input of a function exactly as its whole module does', () => {
    let replayed = 0;
    for (const { name, text, m } of mods) {
      const hash = moduleHash(text);
      const whole = new GenSession(m, { modulePath: name, moduleHash: hash });
      for (const fn of whole.functions()) {
        const res = searchFunction(whole, fn, SEARCH);
        if (res.records.length === 0) continue;
        // Functions an input points at (callbacks) are kept too, as `--extract f,cb` keeps them.
        const named = new Set<string>();
        for (const r of res.records)
          for (const x of JSON.stringify(r).matchAll(/"fn":"([^"]+)"/g))
            if (m.symbols.has(x[1]!)) named.add(x[1]!);
        const part = new GenSession(extractFunction(m, fn, [...named]), {
          modulePath: name,
          moduleHash: hash,
        });
        for (const r of res.records) {
          expect(replayInEngine(part, r), `${name} ${fn} #${r.index}`).toEqual({ status: 'ok', reason: '' });
          replayed++;
        }
        part.dispose();
      }
      whole.dispose();
    }
    expect(replayed).toBeGreaterThanOrEqual(40);
  }, 300_000);

  it('is `inspect --extract` on the command line; an unknown function is one line and exit 1', async () => {
    const { name } = mods.find((x) => x.name === 'bst.c')!;
    const ll = join(dir, name.replace(/\.c$/, '.ll'));
    const fn = defined(mods.find((x) => x.name === 'bst.c')!.m)[0]!.name;
    const r = await cli(['inspect', ll, '--extract', fn], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(printModule(extractFunction(mods.find((x) => x.name === 'bst.c')!.m, fn)));
    const bad = await cli(['inspect', ll, '--extract', 'no_such_function'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('no global @no_such_function');
  });
});
