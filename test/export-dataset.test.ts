/**
 * `inputsmith export dataset` (issue 14), run as a user runs it: a small C file compiled by clang with -g
 * at -O1, `gen --native`, then the export in both formats with block traces. The Parquet file is read back
 * with DuckDB (@duckdb/node-api: another implementation than the writer, hyparquet-writer) and must hold
 * the JSONL rows exactly; every row is checked against its input record, the source file, clang's own IR
 * of the function and a replay; exports are byte-identical when repeated; the trace hook leaves the
 * engine's generated code unchanged when off.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, run } from './export-exec.js';
import { Engine } from '../src/engine/engine.js';
import { exportDataset } from '../src/export/dataset.js';
import { replayRow, type ReplayableRow } from '../src/export/dataset-replay.js';
import { openRunDir } from '../src/export/run-dir.js';
import { GenSession } from '../src/gen/runtime.js';
import type { InputRecord } from '../src/gen/record.js';
import { ValuePrinter } from '../src/ir/print-value.js';
import { parseModule } from '../src/ir/parser.js';
import type { Func, Module } from '../src/ir/model.js';
import { printFunction } from '../src/ir/printer.js';
import { findToolchain } from '../src/toolchain/find.js';

const SOURCE = `#include <stdio.h>
struct point {
  int x;
  int y;
  struct point *next;
};

int sum(struct point *p, int n) {
  int s = 0;
  while (p && n-- > 0) {
    s += p->x * p->y;
    p = p->next;
  }
  return s;
}

unsigned count(const char *s) {
  unsigned c = 0;
  for (; *s; s++)
    if (*s == 'a')
      c++;
  if (c > 3)
    printf("many %u\\n", c);
  return c;
}

int calls;

int bump(int *a, int k) {
  calls++;
  a[k] += 1;
  return a[k] / (k - 2);
}
`;

type Row = Record<string, string | number>;

let dir = '';
let rows: Row[] = [];
let records: InputRecord[] = [];
const funcs = new Map<string, Func>();
/** The functions of the same file compiled without -g. */
const plainFuncs = new Map<string, { m: Module; f: Func }>();

const jsonl = (d: string): Row[] =>
  readFileSync(join(dir, d, 'data.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);

/** Every kept input record of the run, in the export's order (module, function, index). */
function readRecords(out: string): InputRecord[] {
  const base = join(out, 'inputs', 'ds.c');
  const byFn = new Map(readdirSync(base).map((f) => [f, readdirSync(join(base, f))]));
  const recs: InputRecord[] = [];
  for (const [f, files] of byFn)
    for (const file of files) recs.push(JSON.parse(readFileSync(join(base, f, file), 'utf8')) as InputRecord);
  return recs;
}

const recordOf = (r: Row): InputRecord =>
  records.find((x) => x.function === r.function && x.index === r.input_index)!;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-dataset-'));
  writeFileSync(join(dir, 'ds.c'), SOURCE);
  const gen = await cli(
    ['gen', 'ds.c', '-g', '-O1', '--native', '-o', 'out', '--inputs', '4', '--dataset', 'gen-ds'],
    dir,
  );
  expect(gen.code, gen.stderr).toBe(0);
  expect(gen.stdout).toMatch(/wrote gen-ds: \d+ rows in data-00000.parquet, README.md/);
  const exports = [
    ['a', '--format', 'both', '--trace', 'blocks'],
    ['b', '--format', 'both', '--trace', 'blocks'],
    ['cut', '--format', 'jsonl', '--trace', 'blocks', '--trace-limit', '3'],
    ['plain', '--format', 'jsonl'],
    ['lines', '--format', 'jsonl', '--trace', 'lines'],
    ['default'],
  ];
  for (const [d, ...opts] of exports) {
    const r = await cli(['export', 'dataset', 'out', '-o', d!, ...opts], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*: \d+ rows of 1 modules/);
  }
  rows = jsonl('a');
  records = readRecords(join(dir, 'out'));
  // clang's own IR of the file, for the functions' IR and block labels.
  const tc = findToolchain();
  const ll = await run(tc.clang, ['-g', '-O1', '-S', '-emit-llvm', '-o', 'ds.ll', 'ds.c'], dir);
  expect(ll.code, ll.stderr).toBe(0);
  const m = parseModule(readFileSync(join(dir, 'ds.ll'), 'utf8'), 'ds.ll');
  for (const g of m.globals) if (g.kind === 'function' && g.blocks.length > 0) funcs.set(g.name, g);
  const nog = await run(tc.clang, ['-O1', '-S', '-emit-llvm', '-o', 'nog.ll', 'ds.c'], dir);
  expect(nog.code, nog.stderr).toBe(0);
  const pm = parseModule(readFileSync(join(dir, 'nog.ll'), 'utf8'), 'nog.ll');
  for (const g of pm.globals)
    if (g.kind === 'function' && g.blocks.length > 0) plainFuncs.set(g.name, { m: pm, f: g });
}, 110_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('export dataset', () => {
  it('writes one row per kept input, in module, function and index order', () => {
    expect(rows.length).toBe(records.length);
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(new Set(rows.map((r) => r.function))).toEqual(new Set(['sum', 'count', 'bump']));
    for (const r of rows) {
      const rec = recordOf(r);
      expect(rec, String(r.id)).toBeDefined();
      expect(r.id).toBe(`ds.c:${rec.function}:${rec.index}`);
    }
    const order = rows.map((r) => [r.function, r.input_index]);
    const fnOrder = ['sum', 'count', 'bump'];
    const sorted = [...order].sort(
      (a, b) =>
        fnOrder.indexOf(a[0] as string) - fnOrder.indexOf(b[0] as string) ||
        (a[1] as number) - (b[1] as number),
    );
    expect(order).toEqual(sorted);
  });

  it('Parquet read back by DuckDB holds the JSONL rows exactly, with the documented types', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const file = join(dir, 'a', 'data-00000.parquet');
    const types = (
      await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`)
    ).getRowObjectsJson();
    const typeOf = new Map(types.map((t) => [t.column_name as string, t.column_type as string]));
    expect(typeOf.get('input_index')).toBe('INTEGER');
    expect(typeOf.get('steps')).toBe('BIGINT');
    expect(typeOf.get('source')).toBe('VARCHAR');
    expect(typeOf.get('input')).toBe('JSON');
    expect([...typeOf.keys()]).toEqual(Object.keys(rows[0]!));
    // JSON columns as their text (getRowObjectsJson would quote them once more).
    const json = ['input', 'output', 'covered_blocks'].map((k) => `${k}::VARCHAR AS ${k}`).join(', ');
    const got = (
      await c.runAndReadAll(`SELECT * REPLACE (${json}) FROM read_parquet('${file}')`)
    ).getRowObjectsJson();
    expect(got.length).toBe(rows.length);
    got.forEach((g, i) => {
      for (const [k, v] of Object.entries(rows[i]!)) expect(String(g[k]), `${i} ${k}`).toBe(String(v));
    });
    // The JSON columns are JSON to DuckDB: it can look inside them.
    const kinds = (
      await c.runAndReadAll(`SELECT json_extract_string(output, '$.kind') AS k FROM read_parquet('${file}')`)
    ).getRowObjectsJson();
    expect(kinds.map((k) => k.k)).toEqual(rows.map((r) => r.outcome));
    // Every column chunk is zstd-compressed, as DuckDB reads the footer.
    const codecs = (
      await c.runAndReadAll(`SELECT DISTINCT compression AS k FROM parquet_metadata('${file}')`)
    ).getRowObjectsJson();
    expect(codecs.map((k) => k.k)).toEqual(['ZSTD']);
    c.closeSync();
  });

  it('splits Parquet into row groups and files that DuckDB reads back as the same rows', async () => {
    // Small groups and files: 2 rows a group, a new file after every group.
    const prev = process.cwd();
    process.chdir(dir);
    let r;
    try {
      r = await exportDataset('out', join(dir, 'small'), { format: 'both', rowGroupRows: 2, fileBytes: 1 });
    } finally {
      process.chdir(prev);
    }
    const parts = Math.ceil(rows.length / 2);
    expect(r.files.filter((f) => f.endsWith('.parquet')).length).toBe(parts);
    expect(jsonl('small')).toEqual(jsonl('plain').map((x) => x));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const got = (
      await c.runAndReadAll(
        `SELECT id, input_index, steps, output::VARCHAR AS output FROM read_parquet('${join(dir, 'small')}/data-*.parquet', filename = true) ORDER BY filename, input_index`,
      )
    ).getRowObjectsJson();
    expect(got.map((g) => g.id)).toEqual(rows.map((x) => x.id));
    expect(got.map((g) => g.output)).toEqual(rows.map((x) => x.output));
    expect(got.map((g) => Number(g.steps))).toEqual(rows.map((x) => x.steps));
    c.closeSync();
  });

  it('source text is the function lines of the file; IR matches clang, hashed', () => {
    const lines = SOURCE.split('\n');
    for (const r of rows) {
      expect(r.language).toBe('C');
      expect(r.source_file).toBe(join(dir, 'ds.c'));
      const first = r.source_first_line as number;
      const last = r.source_last_line as number;
      expect(lines[first - 1]).toContain(`${r.function}(`);
      expect(lines[last - 1]).toBe('}');
      expect(r.source).toBe(lines.slice(first - 1, last).join('\n') + '\n');
      // The hash is that of the same function compiled without -g (printed by our printer, debug
      // records and metadata numbers aside).
      const f = plainFuncs.get(r.function as string)!;
      const plain = printFunction(f.m, f.f)
        .replace(/!\d+/g, '!N')
        .replace(/ #\d+\b/g, ' #N');
      expect(plain).not.toContain('#dbg_');
      expect(createHash('sha256').update(plain).digest('hex')).toBe(r.function_hash);
      // Every instruction line of the row's IR is a line of clang's IR of the function.
      const ll = readFileSync(join(dir, 'ds.ll'), 'utf8');
      const body = ll.slice(ll.indexOf(`@${r.function}(`));
      // (Metadata numbers differ: gen compiles with its own flags, so they are compared as !N.)
      const md = (t: string): string => t.replace(/!\d+/g, '!N');
      const clangFn = md(body.slice(0, body.indexOf('\n}\n')));
      for (const l of (r.ir as string).split('\n').slice(1, -2))
        if (l.trim() !== '') expect(clangFn, l).toContain(md(l.trim()));
    }
    const sum = rows.find((r) => r.function === 'sum')!;
    expect(sum.signature).toBe('int sum(struct point *p, int n)');
    expect(rows.find((r) => r.function === 'count')!.signature).toBe('unsigned int count(const char *s)');
  });

  it('input and output states are the records', () => {
    for (const r of rows) {
      const rec = recordOf(r);
      const input = JSON.parse(r.input as string) as {
        args: { value: unknown; name: string }[];
        objects: { id: number; bytes: string; pointers: unknown }[];
        globals: { name: string }[];
      };
      expect(input.args.map((a) => a.value)).toEqual(rec.args);
      expect(input.objects.map((o) => o.bytes)).toEqual(
        rec.objects.map((o) => Buffer.from(o.data, 'base64').toString('hex')),
      );
      expect(input.objects.map((o) => o.pointers)).toEqual(rec.objects.map((o) => o.relocs));
      expect(input.globals.map((g) => g.name)).toEqual(rec.globals.map((g) => g.name));
      const output = JSON.parse(r.output as string) as { kind: string; ret: unknown; stdout: string };
      expect(output.kind).toBe(rec.outcome.kind);
      expect(output.ret).toEqual(rec.outcome.ret ?? null);
      expect(output.stdout).toBe(Buffer.from(rec.outcome.stdout, 'base64').toString('hex'));
      expect(JSON.parse(r.covered_blocks as string)).toEqual(rec.outcome.blocks);
      expect(r.steps).toBe(rec.outcome.steps);
      expect(r.outcome).toBe(rec.outcome.kind);
    }
  });

  it('renders the input as typed C: parameters by name, struct fields from the record bytes', () => {
    for (const r of rows.filter((x) => x.function === 'sum')) {
      const rec = recordOf(r);
      const n = BigInt.asIntN(32, BigInt((rec.args[1] as { v: string }).v));
      expect(r.input_text).toContain(`n = ${n};`);
      const p = rec.args[0]!;
      if (p.t !== 'ptr' || !('obj' in p)) continue;
      expect(r.input_text).toContain(`p = &obj${p.obj};`);
      const o = rec.objects.find((x) => x.id === p.obj)!;
      const bytes = Buffer.from(o.data, 'base64');
      if (o.lo === 0 && o.size >= 8)
        expect(r.input_text).toContain(
          `struct point obj${o.id} = { .x = ${bytes.readInt32LE(0)}, .y = ${bytes.readInt32LE(4)}`,
        );
      const ret = BigInt.asIntN(32, BigInt((rec.outcome.ret as { v: string }).v));
      if (rec.outcome.kind === 'returned') expect(r.output_text).toContain(`return ${ret};`);
    }
    // bump writes a[k]: the output shows the element it changed, typed.
    for (const r of rows.filter((x) => x.function === 'bump' && x.outcome === 'returned')) {
      const k = BigInt.asIntN(32, BigInt((recordOf(r).args[1] as { v: string }).v));
      expect(r.output_text).toMatch(new RegExp(`obj\\d+\\[${k}\\] = -?\\d+;`));
    }
  });

  it('native verdicts come from the run', () => {
    const native = JSON.parse(readFileSync(join(dir, 'out', 'native', 'ds.c.json'), 'utf8')) as {
      function: string;
      index: number;
      status: string;
    }[];
    for (const r of rows) {
      const n = native.find((x) => x.function === r.function && x.index === r.input_index);
      expect(r.native).toBe(n?.status ?? '');
    }
    expect(rows.some((r) => r.native === 'ok')).toBe(true);
  });

  it('block traces replay the record and run exactly its covered blocks; cut traces count the rest', () => {
    const cut = jsonl('cut');
    const plain = jsonl('plain');
    rows.forEach((r, i) => {
      expect(r.replay).toBe('ok');
      expect(r.trace_cut).toBe(0);
      const f = funcs.get(r.function as string)!;
      const labels = new ValuePrinter().slots(f).blocks;
      const own = (r.trace as string)
        .split('\n')
        .filter((l) => l.startsWith(`@${r.function}:`))
        .flatMap((l) => l.split(' ').slice(1));
      expect(own.length).toBeGreaterThan(0);
      expect((r.trace as string).startsWith(`@${r.function}: ${labels[0]}`)).toBe(true);
      const covered = JSON.parse(r.covered_blocks as string) as number[];
      expect(new Set(own)).toEqual(new Set(covered.map((b) => labels[b])));
      const total = r.trace_length as number;
      expect(cut[i]!.trace_length).toBe(Math.min(3, total));
      expect(cut[i]!.trace_cut).toBe(Math.max(0, total - 3));
      if (total > 3) expect(cut[i]!.trace).toMatch(new RegExp(`\\.\\.\\. ${total - 3} more blocks$`));
      expect(plain[i]!.trace).toBe('');
      expect(plain[i]!.replay).toBe('');
      expect({ ...plain[i], trace: '', trace_length: 0, trace_cut: 0, replay: '' }).toEqual({
        ...r,
        trace: '',
        trace_length: 0,
        trace_cut: 0,
        replay: '',
      });
    });
    expect(rows.some((r) => (r.trace_length as number) > 3)).toBe(true);
  });

  it('line traces name source lines of the function and the values variables take', () => {
    const lines = jsonl('lines');
    expect(lines.length).toBe(rows.length);
    const lastValue = (trace: string, name: string): string | undefined =>
      [...trace.matchAll(new RegExp(`\\b${name} = (-?\\w+)`, 'g'))].map((m) => m[1]).pop();
    lines.forEach((l, i) => {
      const r = rows[i]!;
      expect(l.replay).toBe('ok');
      expect(l.trace_cut).toBe(0);
      const text = l.trace as string;
      expect(l.trace_length).toBeGreaterThan(0);
      for (const m of text.matchAll(/^ds\.c:(\d+)/gm)) {
        expect(Number(m[1])).toBeGreaterThanOrEqual(r.source_first_line as number);
        expect(Number(m[1])).toBeLessThanOrEqual(r.source_last_line as number);
      }
      const rec = recordOf(r);
      const ret = rec.outcome.ret;
      if (r.function === 'sum' && ret?.t === 'int') {
        const n = BigInt.asIntN(32, BigInt((rec.args[1] as { v: string }).v));
        expect(text).toContain(`n = ${n}`);
        const p = rec.args[0]!;
        if (p.t === 'ptr' && 'obj' in p) expect(text).toContain(`p = &obj${p.obj}`);
        // The last value of s is what sum returns.
        expect(lastValue(text, 's')).toBe(String(BigInt.asIntN(32, BigInt(ret.v))));
      }
      if (r.function === 'count' && ret?.t === 'int' && ret.v !== '0')
        expect(lastValue(text, 'c')).toBe(ret.v);
    });
    expect(lines.some((l) => /\bs = /.test(l.trace as string))).toBe(true);
  });

  it('is deterministic: the same run gives byte-identical JSONL and Parquet', () => {
    for (const f of ['data.jsonl', 'data-00000.parquet', 'README.md'])
      expect(readFileSync(join(dir, 'a', f)).equals(readFileSync(join(dir, 'b', f))), f).toBe(true);
  });

  it('the trace hooks cost nothing when off: the generated code is unchanged', () => {
    const m = parseModule(readFileSync(join(dir, 'ds.ll'), 'utf8'), 'ds.ll');
    const off = new Engine(m, { mode: 'gen', coverage: true }).linked.source;
    const on = new Engine(m, { mode: 'gen', coverage: true, traceBlocks: 8 }).linked.source;
    expect(off).toContain(
      'function BC(id, e, n) { COV[id]++; const h = e ^ PE; if (ECOV[h]++ === 0) EL[EN++] = h; PE = n; }',
    );
    expect(off).not.toContain('TR.ids');
    expect(on).toContain('TR.ids');
    const lines = new Engine(m, { mode: 'gen', coverage: true, traceLines: 8 }).linked.source;
    expect(off).not.toMatch(/\bT[LV]\(/);
    expect(lines).toMatch(/\bTV\(\d+, /);
    expect(lines).toMatch(/\bTL\(\d+\);/);
    // With lines on, the code is the code without plus the TL/TV calls and their prelude, nothing else.
    expect(lines.replace(/^.*\bT[LV]\(.*\n/gm, '').replace('const TRL = RT.trace;\n', '')).toBe(off);
    expect(on.replace(/const TR = RT.trace;\n/, '').length).toBeGreaterThan(off.length);
  });

  it('line traces show a variable the optimiser left without a value (poison) as optimised out, not as 0', () => {
    // At -O1 clang ends `child`'s range in the loop with `#dbg_value(ptr poison, ...)`.
    const src = `#include <stddef.h>
typedef struct N { struct N *next; struct N *child; } N;
int count(const N *array) {
  N *child = NULL;
  int size = 0;
  if (array == NULL) return 0;
  child = array->child;
  while (child != NULL) { size++; child = child->next; }
  return size;
}
int main(void) { N c = { NULL, NULL }, b = { &c, NULL }, a = { &b, NULL }, h = { NULL, &a }; return count(&h); }
`;
    const file = join(dir, 'poison.c');
    writeFileSync(file, src);
    const ll = join(dir, 'poison.ll');
    execFileSync(findToolchain().clang, ['-O1', '-g', '-fno-inline', '-S', '-emit-llvm', file, '-o', ll]);
    const text = readFileSync(ll, 'utf8');
    const poisoned = /#dbg_value\(ptr poison, (!\d+)/.exec(text);
    expect(poisoned, 'clang no longer emits a poison dbg_value here').not.toBeNull();
    const e = new Engine(parseModule(text, 'poison.ll'), { mode: 'gen', traceLines: 1000 });
    expect(e.linked.source).toContain(`TV(${poisoned![1]!.slice(1)}, null);`);
    const r = e.runMain();
    expect(r.exitCode).toBe(3);
    const ev = e.trace.ev;
    let nulls = 0;
    for (let k = 0; k + 1 < ev.length; k += 2)
      if (ev[k] === Number(poisoned![1]!.slice(1)) && ev[k + 1] === null) nulls++;
    expect(nulls).toBeGreaterThan(0);
  });

  it('gen --dataset writes what export dataset writes with its defaults', () => {
    for (const f of ['data-00000.parquet', 'README.md'])
      expect(readFileSync(join(dir, 'gen-ds', f)).equals(readFileSync(join(dir, 'default', f))), f).toBe(
        true,
      );
    expect(readdirSync(join(dir, 'default')).sort()).toEqual(['README.md', 'data-00000.parquet']);
  });

  it('replaces an earlier export in the same directory', async () => {
    // 'small' holds the export in many files and a JSONL file (test above); this one writes one file.
    expect(readdirSync(join(dir, 'small')).filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(1);
    const r = await cli(['export', 'dataset', 'out', '-o', 'small'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(dir, 'small')).sort()).toEqual(['README.md', 'data-00000.parquet']);
    expect(
      readFileSync(join(dir, 'small', 'data-00000.parquet')).equals(
        readFileSync(join(dir, 'default', 'data-00000.parquet')),
      ),
    ).toBe(true);
  });

  it('writes a dataset card with the counts and every column', () => {
    const card = readFileSync(join(dir, 'a', 'README.md'), 'utf8');
    expect(card).toMatch(/^---\npretty_name: /);
    expect(card).toContain(`${rows.length} rows: one per input`);
    expect(card).toContain(`for ${new Set(rows.map((r) => r.function)).size} functions`);
    for (const k of Object.keys(rows[0]!)) expect(card).toContain(`| \`${k}\` |`);
    const returned = rows.filter((r) => r.outcome === 'returned').length;
    expect(card).toMatch(new RegExp(`outcomes: .*returned ${returned}`));
  });

  it('hashes the same function in two modules alike, and keeps it once', async () => {
    const sub = join(dir, 'dup');
    mkdirSync(sub);
    const twice = 'int twice(int x) {\n  return 2 * x;\n}\n';
    writeFileSync(join(sub, 'a.c'), twice);
    writeFileSync(join(sub, 'b.c'), `int other(int y) {\n  return y - 1;\n}\n\n${twice}`);
    const gen = await cli(['gen', 'a.c', 'b.c', '-O1', '-o', 'out', '--dataset', 'ds'], sub);
    expect(gen.code, gen.stderr).toBe(0);
    const prev = process.cwd();
    process.chdir(sub);
    try {
      await exportDataset('out', 'all', { format: 'jsonl', dedup: false });
    } finally {
      process.chdir(prev);
    }
    const all = jsonl(join('dup', 'all'));
    const hashes = (m: string, f: string): Set<string | number> =>
      new Set(all.filter((r) => r.module === m && r.function === f).map((r) => r.function_hash));
    expect(hashes('a.c', 'twice').size).toBe(1);
    expect(hashes('b.c', 'twice')).toEqual(hashes('a.c', 'twice'));
    expect(hashes('b.c', 'other')).not.toEqual(hashes('a.c', 'twice'));
    const ex = await cli(['export', 'dataset', 'out', '-o', 'ds', '--format', 'jsonl'], sub);
    expect(ex.code, ex.stderr).toBe(0);
    const copies = all.filter((r) => r.module === 'b.c' && r.function === 'twice').length;
    expect(ex.stdout).toContain(`dropped ${copies} rows of 1 duplicate functions`);
    const got = jsonl(join('dup', 'ds'));
    expect(got.map((r) => r.id)).toEqual(
      all.filter((r) => r.module !== 'b.c' || r.function !== 'twice').map((r) => r.id),
    );
    for (const r of got) expect(r.duplicates).toBe(r.function === 'twice' ? 1 : 0);
    expect(readFileSync(join(sub, 'ds', 'README.md'), 'utf8')).toContain(
      `duplicates dropped: 1 functions with ${copies} rows, copies of 1 kept functions`,
    );
  });

  it('spells C++ types as C++ and types objects behind references', async () => {
    const sub = join(dir, 'cxx');
    mkdirSync(sub);
    writeFileSync(
      join(sub, 'p.cpp'),
      'namespace geo {\nstruct Point {\n  int x, y;\n};\n}\nint far(const geo::Point &p, int lim) {\n  return p.x * p.x + p.y * p.y > lim;\n}\n',
    );
    const gen = await cli(['gen', 'p.cpp', '-g', '-O1', '-o', 'out', '--dataset', 'ds'], sub);
    expect(gen.code, gen.stderr).toBe(0);
    const ex = await cli(['export', 'dataset', 'out', '-o', 'ds', '--format', 'jsonl'], sub);
    expect(ex.code, ex.stderr).toBe(0);
    const got = jsonl(join('cxx', 'ds'));
    expect(got.length).toBeGreaterThan(0);
    for (const r of got) {
      expect(r.language).toBe('C++');
      expect(r.signature).toBe('int far(const geo::Point &p, int lim)');
      const rec = JSON.parse(
        readFileSync(
          join(sub, 'out', 'inputs', 'p.cpp', String(r.function), `${r.input_index}.json`),
          'utf8',
        ),
      ) as InputRecord;
      const p = rec.args[0]!;
      if (p.t !== 'ptr' || !('obj' in p)) continue;
      const o = rec.objects.find((x) => x.id === p.obj)!;
      const b = Buffer.from(o.data, 'base64');
      if (o.lo === 0 && o.size === 8)
        expect(r.input_text).toContain(
          `const geo::Point obj${o.id} = { .x = ${b.readInt32LE(0)}, .y = ${b.readInt32LE(4)} };`,
        );
    }
  });

  it('every row, replayed from its own input column, reproduces its output, blocks and steps', async () => {
    const prev = process.cwd();
    process.chdir(dir);
    try {
      const { spec, modules } = openRunDir('out');
      for await (const mod of modules) {
        const session = new GenSession(mod.m, {
          modulePath: mod.path,
          moduleHash: mod.hash,
          limits: spec.limits,
        });
        for (const r of rows)
          expect(replayRow(session, r as unknown as ReplayableRow, spec.seed), String(r.id)).toBe('ok');
        // A row whose output or step count says otherwise does not: the check can fail.
        const r0 = rows[0]!;
        const out = JSON.parse(r0.output as string) as { stdout: string };
        out.stdout += '0a';
        const wrong = [
          { ...r0, output: JSON.stringify(out) },
          { ...r0, steps: Number(r0.steps) + 1 },
        ] as unknown as ReplayableRow[];
        for (const w of wrong) expect(replayRow(session, w, spec.seed)).not.toBe('ok');
        session.dispose();
      }
    } finally {
      process.chdir(prev);
    }
  });

  it('refuses a directory without a run', async () => {
    const r = await cli(['export', 'dataset', '.', '-o', 'x'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not a gen output directory/);
  });
});
