/**
 * A C source compiled at -O1 into a temporary directory and opened as a generation session: the set-up of
 * the generation tests (gen-big, gen-stubs, gen-state). The caller removes `dir` when done.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseModule } from '../src/ir/parser.js';
import type { InputRecord, PtrTarget } from '../src/gen/record.js';
import { GenSession } from '../src/gen/runtime.js';
import { moduleHash } from '../src/replay/native.js';
import { compileToIR } from '../src/toolchain/compile.js';

export interface GenFixture {
  readonly dir: string;
  /** The module's .ll file and its text. */
  readonly file: string;
  readonly text: string;
  /** A session on the module, its `modulePath` `<name>.ll`. */
  readonly session: GenSession;
}

export async function genFixture(name: string, source: string): Promise<GenFixture> {
  const dir = mkdtempSync(join(tmpdir(), `inputsmith-${name}-`));
  const src = join(dir, `${name}.c`);
  writeFileSync(src, source);
  const file = join(dir, `${name}.ll`);
  await compileToIR(src, file, { opt: 'O1' });
  const text = readFileSync(file, 'utf8');
  const session = new GenSession(parseModule(text, file), {
    modulePath: `${name}.ll`,
    moduleHash: moduleHash(text),
  });
  return { dir, file, text, session };
}

/** The functions a record's pointers (arguments, objects, globals) point to, by name. */
export function fnTargets(r: InputRecord): string[] {
  const out: string[] = [];
  const add = (t: PtrTarget | null): void => {
    if (t !== null && 'fn' in t) out.push(t.fn);
  };
  for (const a of r.args) if (a.t === 'ptr') add(a);
  for (const o of r.objects) for (const x of o.relocs) add(x.to);
  for (const g of r.globals) for (const x of g.relocs) add(x.to);
  return out;
}
