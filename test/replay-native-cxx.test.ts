/**
 * Native replay of C++ code that names symbols of other units: the replay executable is linked from one
 * module, so a static data member or a function defined in another file of the library is undefined. The
 * linker's errors name them; with C++ they must be read mangled (`-Wl,--no-demangle`), else the stand-ins
 * are never defined and every record of the module fails to build (tinyxml: 276 inputs, issue 13).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import { GenSession } from '../src/gen/runtime.js';
import { Plan } from '../src/gen/plan.js';
import { DEFAULT_SEARCH, mutate, searchFunction } from '../src/guide/search.js';
import { Rng } from '../src/util/rng.js';
import { moduleHash, replayNativeText } from '../src/replay/native.js';
import { compileToIR } from '../src/toolchain/compile.js';

const SOURCE = String.raw`
struct Table {
  static const char *names[4];  // defined in another unit
  static int calls;             // defined in another unit
  static int lookup(int k);     // defined in another unit
  static const char *name(int k) { calls++; return k >= 0 && k < 4 ? names[k] : "?"; }
};
int first_char(int k) {
  const char *n = Table::name(k);
  return n[0] == 'x' ? 1 : 0;
}
int bump(int k) { return k > 3 ? Table::lookup(k) : ++Table::calls; }
/* A static local with a dynamic initializer: guarded by _ZGVZ8scaled_iiE4base. */
static int seed(int k) { int s = 1; for (int i = 0; i < k; i++) s = s * 3 + i; return s; }
int scaled_i(int k, int m) { static int base = seed(m & 7); return base * k; }
`;

let dir: string;
let text: string;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-native-cxx-'));
  const src = join(dir, 'table.cpp');
  writeFileSync(src, SOURCE);
  file = join(dir, 'table.ll');
  await compileToIR(src, file, { opt: 'O1' });
  text = readFileSync(file, 'utf8');
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('C++ guard variables of static locals', () => {
  it('keep their initial value (not yet initialised) in every input, mutated or not', () => {
    const m = parseModule(text, file);
    const session = new GenSession(m, { modulePath: 'table.ll', moduleHash: moduleHash(text) });
    const fn = m.globals.find((g) => g.kind === 'function' && g.name.includes('scaled_i'))!.name;
    const first = searchFunction(session, fn, { ...DEFAULT_SEARCH, seed: '2' }).records[0]!;
    // Derived plans (mutated, or with their globals' initial bytes left undecided) run again and again.
    const rng = new Rng(4);
    let guards = 0;
    for (let k = 0; k < 200; k++) {
      const plan = Plan.fromRecord(first).clone();
      mutate(plan, rng, session, fn);
      const r = session.run(fn, plan, 'gen', rng, { seed: '2', index: k }).record;
      for (const g of r.globals.filter((x) => x.name.startsWith('_ZGV'))) {
        guards++;
        for (const rg of g.ranges) expect(Buffer.from(rg.data, 'base64').every((b) => b === 0)).toBe(true);
      }
    }
    // The guard is read (an input of every run) and always zero: the static is initialised by the run.
    expect(guards).toBe(200);
  });
});

describe('native replay of C++ naming symbols of other units', () => {
  it('defines stand-ins for them and replays every kept input', async () => {
    const m = parseModule(text, file);
    const session = new GenSession(m, { modulePath: 'table.ll', moduleHash: moduleHash(text) });
    const fns = m.globals.filter((g) => g.kind === 'function' && g.blocks.length > 0).map((g) => g.name);
    expect(fns.some((n) => n.includes('first_char'))).toBe(true);
    const records = fns.flatMap(
      (fn) => searchFunction(session, fn, { ...DEFAULT_SEARCH, seed: '1' }).records,
    );
    expect(records.length).toBeGreaterThan(2);
    const res = await replayNativeText(text, file, records, {
      workDir: join(dir, 'native'),
      timeoutMs: 5000,
    });
    expect(res.map((r) => `${r.function}#${r.index}: ${r.status} ${r.reason}`)).toEqual(
      records.map((r) =>
        expect.stringMatching(new RegExp(`^${r.function.replace(/\$/g, '\\$')}#${r.index}: ok`)),
      ),
    );
  }, 120_000);
});
