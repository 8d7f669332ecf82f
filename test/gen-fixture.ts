/**
 * A C source compiled at -O1 into a temporary directory and opened as a generation session: the set-up of
 * the generation tests (gen-big, gen-stubs, gen-state). The caller removes `dir` when done.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
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

/** The files of a gen output directory, relative and sorted, without timings.jsonl (wall-clock times). */
export function outputFiles(d: string): string[] {
  const all: string[] = [];
  const walk = (p: string): void => {
    for (const e of readdirSync(p, { withFileTypes: true }))
      if (e.isDirectory()) walk(join(p, e.name));
      else if (e.name !== 'timings.jsonl') all.push(relative(d, join(p, e.name)));
  };
  walk(d);
  return all.sort();
}
