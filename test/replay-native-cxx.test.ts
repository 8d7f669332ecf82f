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
import { DEFAULT_SEARCH, searchFunction } from '../src/guide/search.js';
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
