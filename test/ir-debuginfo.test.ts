/**
 * The debug-information model (src/ir/debuginfo*.ts, issue 13) on real clang output: C programs compiled
 * with `-g` at -O0 and -O1 (records and the old llvm.dbg intrinsics) and a C++ one. Every expectation is
 * checked against the real thing: struct layouts against offsetof/sizeof (and bit-field bits) printed by
 * the same source compiled natively; C type names and declarations by compiling static assertions with
 * clang; line ranges against the source text; round trips through llvm-as/llvm-dis; and `gen` on `-g` IR
 * against `gen` on the same code without `-g`, byte for byte (gen's worker threads run dist/: build first).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCampaign } from '../src/guide/campaign.js';
import {
  cDeclaration,
  cTypeName,
  isCxxLanguage,
  structLayout,
  underlyingType,
} from '../src/ir/debuginfo-c.js';
import { debugInfo, debugLocation, type DebugInfo, type FunctionDebugInfo } from '../src/ir/debuginfo.js';
import type { DINode, DIRef } from '../src/ir/debuginfo-nodes.js';
import { instrCount, type Func, type Instr, type Module } from '../src/ir/model.js';
import { parseModule } from '../src/ir/parser.js';
import { printModule } from '../src/ir/printer.js';
import { compileToIR } from '../src/toolchain/compile.js';
import { findToolchain } from '../src/toolchain/find.js';
import { firstDiff, llvmRoundTrip } from '../src/toolchain/roundtrip.js';

/** Types of every kind the model knows; functions over them. `main` is added per use. */
const TYPES_C = `#include <stddef.h>
#include <stdio.h>
#include <string.h>
typedef unsigned long ulong_t;
typedef int (*callback_t)(void *, int);
struct point { int x, y; };
struct point2 { long x, y; };
struct node { int value; struct node *next; };
enum color { RED, GREEN = 5, BLUE = -1 };
union number { int i; float f; char bytes[6]; };
struct bits { unsigned a : 3; signed b : 5; int c; unsigned d : 12; unsigned long long e : 40; char tail; };
struct flex { size_t n; short pad; char data[]; };
struct outer {
  struct point origin;
  struct { int w; char h; } size;
  const volatile int cv;
  char name[8];
  double grid[2][3];
  union number num;
  enum color col;
  int (*fp)(void *, int);
  callback_t cb;
  struct node *list;
  const char *label;
  int counts[4];
  struct point corners[3];
  char last;
};

int list_sum(const struct node *n)
{
  int s = 0;
  while (n != NULL) {
    s += n->value;
    n = n->next;
  }
  return s;
}

long pt_sum(struct point2 p, int k)
{
  long r = p.x + p.y;
  return r + k;
}

int outer_check(struct outer *o, struct bits *b, struct flex *f, const char *restrict s, ulong_t k)
{
  int r = o->origin.x + o->size.w + b->a + (int)f->n;
  if (s[0] == 'x')
    r += (int)k + o->col + o->counts[1];
  return r;
}

double num_get(union number *u, enum color c)
{
  if (c == RED)
    return u->i;
  return u->f;
}

int call_cb(callback_t cb, void *ctx, int v)
{
  if (cb == NULL)
    return -1;
  return cb(ctx, v);
}
`;

/** Data members per struct, in order; bit fields marked with a leading ':'. */
const FIELDS: Record<string, string[]> = {
  'struct point': ['x', 'y'],
  'struct point2': ['x', 'y'],
  'struct node': ['value', 'next'],
  'union number': ['i', 'f', 'bytes'],
  'struct bits': [':a', ':b', 'c', ':d', ':e', 'tail'],
  'struct flex': ['n', 'pad', 'data'],
  'struct outer': [
    'origin',
    'size',
    'cv',
    'name',
    'grid',
    'num',
    'col',
    'fp',
    'cb',
    'list',
    'label',
    'counts',
    'corners',
    'last',
  ],
};

/** A main that prints sizeof, offsetof/sizeof of each field, and the bits of each bit field. */
function layoutMain(): string {
  const lines = ['int main(void) {', '  unsigned char *p;'];
  for (const [t, fields] of Object.entries(FIELDS)) {
    lines.push(`  printf("S %s %zu\\n", "${t}", sizeof(${t}));`);
    for (const f of fields) {
      if (f.startsWith(':')) {
        const n = f.slice(1);
        // All bits of the field set in a zeroed object: the bits that changed are the field's.
        lines.push(
          `  { ${t} v; memset(&v, 0, sizeof v); v.${n} = -1; p = (unsigned char *)&v; int first = -1, k = 0;`,
          `    for (int i = 0; i < (int)sizeof v * 8; i++) if ((p[i / 8] >> (i % 8)) & 1) { if (first < 0) first = i; k++; }`,
          `    printf("B %s %s %d %d\\n", "${t}", "${n}", first, k); }`,
        );
      } else if (t === 'struct flex' && f === 'data') {
        lines.push(`  printf("F %s %s %zu 0\\n", "${t}", "${f}", offsetof(${t}, ${f}));`);
      } else {
        lines.push(
          `  printf("F %s %s %zu %zu\\n", "${t}", "${f}", offsetof(${t}, ${f}), sizeof(((${t} *)0)->${f}));`,
        );
      }
    }
  }
  lines.push('  return 0;', '}', '');
  return lines.join('\n');
}

const TYPES_CXX = `#include <cstddef>
#include <cstdio>
namespace geo {
struct Shape { int id; short kind; };
class Circle : public Shape {
public:
  double r;
  char tag;
  Circle(int i, double rr) : Shape{i, 1}, r(rr), tag('c') {}
  double area() const
  {
    return 3.0 * r * r;
  }
};
struct Pair { int a; long b; };
int twice(const Pair &p, int n)
{
  return (p.a + (int)p.b) * n;
}
double circle_area(const Circle *c)
{
  return c->area();
}
}
int main()
{
  geo::Circle c(1, 2.0);
  geo::Pair q{1, 2};
  std::printf("S geo::Circle %zu\\nS geo::Pair %zu\\n", sizeof(geo::Circle), sizeof(geo::Pair));
  std::printf("F geo::Circle r %zu %zu\\n", offsetof(geo::Circle, r), sizeof(c.r));
  std::printf("F geo::Circle tag %zu %zu\\n", offsetof(geo::Circle, tag), sizeof(c.tag));
  std::printf("F geo::Circle Shape %zu %zu\\n", (size_t)((char *)static_cast<geo::Shape *>(&c) - (char *)&c), sizeof(geo::Shape));
  std::printf("F geo::Pair a %zu %zu\\nF geo::Pair b %zu %zu\\n", offsetof(geo::Pair, a), sizeof(q.a), offsetof(geo::Pair, b), sizeof(q.b));
  return (int)geo::circle_area(&c) + geo::twice(q, 2) == -1;
}
`;

const tc = findToolchain();
let dir: string;
/** Module text by name: c-O0, c-O1 (records), c-O1-intr (llvm.dbg calls), c-O1-nodebug, cxx-O0, cxx-O1. */
const texts = new Map<string, string>();
const mods = new Map<string, Module>();
/** Native layout lines: `S type size`, `F type field offset size`, `B type field firstBit bits`. */
let nativeC: string[];
let nativeCxx: string[];

function mod(key: string): Module {
  let m = mods.get(key);
  if (m === undefined) {
    m = parseModule(texts.get(key) as string, `${key}.ll`);
    mods.set(key, m);
  }
  return m;
}

function runNative(src: string, cxx: boolean): string[] {
  const exe = join(dir, cxx ? 'native-cxx' : 'native-c');
  execFileSync(cxx ? tc.clangxx : tc.clang, ['-w', '-O0', src, '-o', exe], { stdio: 'pipe' });
  return execFileSync(exe, { encoding: 'utf8' }).trim().split('\n');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-dbginfo-'));
  const c = join(dir, 'types.c');
  writeFileSync(c, TYPES_C + layoutMain());
  const cxx = join(dir, 'geo.cpp');
  writeFileSync(cxx, TYPES_CXX);
  const intr = ['-mllvm', '--write-experimental-debuginfo=false'];
  const builds: [string, string, Parameters<typeof compileToIR>[2]][] = [
    ['c-O0', c, { opt: 'O0', debug: true }],
    ['c-O1', c, { opt: 'O1', debug: true }],
    ['c-O1-intr', c, { opt: 'O1', debug: true, extraFlags: intr }],
    ['c-O0-nodebug', c, { opt: 'O0' }],
    ['c-O1-nodebug', c, { opt: 'O1' }],
    ['cxx-O0', cxx, { opt: 'O0', debug: true }],
    ['cxx-O1', cxx, { opt: 'O1', debug: true }],
  ];
  await Promise.all(
    builds.map(async ([key, src, opts]) => {
      const out = join(dir, `${key}.ll`);
      await compileToIR(src, out, opts);
      texts.set(key, readFileSync(out, 'utf8'));
    }),
  );
  nativeC = runNative(c, false);
  nativeCxx = runNative(cxx, true);
}, 120_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** The composite type named `struct x` / `union x` / `geo::X` among the nodes. */
function findType(di: DebugInfo, name: string): number {
  const [kw, bare] = name.includes(' ') ? name.split(' ') : ['', name.split('::').pop() as string];
  for (const [id, n] of di.nodes()) {
    if (n.kind !== 'DICompositeType' || n.name !== bare || n.declaration) continue;
    if (kw === '' || (kw === 'union') === (n.tag === 'union')) return id;
  }
  throw new Error(`no type ${name}`);
}

/** Our layout in the native program's line format. */
function layoutLines(di: DebugInfo, name: string, cxx: boolean): string[] {
  const l = structLayout(di.lookup, findType(di, name), { cxx });
  if (l === undefined) throw new Error(`no layout for ${name}`);
  const out = [`S ${name} ${l.size}`];
  for (const f of l.fields) {
    const fname = f.base ? cTypeName(di.lookup, f.type, { cxx }).split('::').pop() : f.name;
    if (f.bitSize !== undefined) out.push(`B ${name} ${fname} ${f.bitOffset} ${f.bitSize}`);
    else out.push(`F ${name} ${fname} ${f.offset} ${f.size}`);
  }
  return out;
}

function fn(m: Module, name: string): Func {
  const f = m.symbols.get(name);
  if (f === undefined || f.kind !== 'function') throw new Error(`no @${name}`);
  return f;
}

/** The line of `name(` in a definition, and of the first `}` alone at column 0 after it (1-based). */
function sourceRange(src: string, name: string): [number, number] {
  const lines = src.split('\n');
  const start = lines.findIndex(
    (l) => new RegExp(`^\\s*[\\w:<>,\\s*&]*\\b${name}\\(`).test(l) && !l.endsWith(';'),
  );
  const end = lines.findIndex((l, i) => i > start && l === '}');
  return [start + 1, end + 1];
}

function checkCompiles(code: string, cxx: boolean, file: string): void {
  const path = join(dir, file);
  writeFileSync(path, code);
  const args = cxx ? ['-fsyntax-only', '-std=c++17', path] : ['-fsyntax-only', '-std=gnu11', path];
  try {
    execFileSync(cxx ? tc.clangxx : tc.clang, args, { stdio: 'pipe' });
  } catch (e) {
    throw new Error(`${file} does not compile:\n${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
}

describe('struct layouts against the native offsetof and sizeof', () => {
  for (const key of ['c-O0', 'c-O1', 'c-O1-intr']) {
    it(`C, ${key}: every struct, union, bit field and flexible array member`, () => {
      const di = debugInfo(mod(key));
      const ours = Object.keys(FIELDS).flatMap((t) => layoutLines(di, t, false));
      expect(ours).toEqual(nativeC);
    });
  }

  it('C: padding holes are the bytes no field covers', () => {
    const di = debugInfo(mod('c-O0'));
    const l = structLayout(di.lookup, findType(di, 'struct outer'));
    if (l === undefined) throw new Error('no layout');
    // Cross-check: holes and fields partition [0, size) (fields of a struct do not overlap).
    const covered = l.fields.reduce((s, f) => s + f.size, 0) + l.holes.reduce((s, h) => s + h.size, 0);
    expect(covered).toBe(l.size);
    for (const h of l.holes) {
      for (const f of l.fields)
        expect(f.offset + f.size <= h.offset || f.offset >= h.offset + h.size).toBe(true);
    }
    const node = structLayout(di.lookup, findType(di, 'struct node'));
    expect(node?.holes).toEqual([{ offset: 4, size: 4 }]); // int then a pointer (native: offsetof(next) == 8)
    expect(nativeC).toContain('F struct node next 8 8');
  });

  it('C++: a class with a base class in a namespace, and a struct', () => {
    for (const key of ['cxx-O0', 'cxx-O1']) {
      const di = debugInfo(mod(key));
      const ours = ['geo::Circle', 'geo::Pair'].flatMap((t) => layoutLines(di, t, true));
      const sizes = ours.filter((l) => l.startsWith('S ')).sort();
      const fields = ours.filter((l) => l.startsWith('F ')).sort();
      expect(sizes).toEqual(nativeCxx.filter((l) => l.startsWith('S ')).sort());
      expect(fields).toEqual(nativeCxx.filter((l) => l.startsWith('F ')).sort());
    }
  });
});

describe('C type names', () => {
  it('spells the usual shapes', () => {
    const di = debugInfo(mod('c-O0'));
    const l = structLayout(di.lookup, findType(di, 'struct outer'));
    const t = (f: string): string => l?.fields.find((x) => x.name === f)?.typeName ?? '?';
    expect(t('list')).toBe('struct node *');
    expect(t('label')).toBe('const char *');
    expect(t('counts')).toBe('int [4]');
    expect(t('fp')).toBe('int (*)(void *, int)');
    expect(t('cb')).toBe('callback_t');
    expect(t('cv')).toBe('const volatile int');
    expect(t('grid')).toBe('double [2][3]');
    expect(t('col')).toBe('enum color');
    expect(t('num')).toBe('union number');
    const f = l?.fields.find((x) => x.name === 'fp');
    expect(cDeclaration(di.lookup, f?.type ?? null, 'fp')).toBe('int (*fp)(void *, int)');
    const check = di.function('outer_check');
    const k = check?.params.find((p) => p.name === 'k');
    expect(cTypeName(di.lookup, k?.type ?? null)).toBe('ulong_t');
    expect(cTypeName(di.lookup, underlyingType(di.lookup, k?.type ?? null))).toBe('unsigned long');
    expect(cTypeName(di.lookup, check?.params.find((p) => p.name === 's')?.type ?? null)).toBe(
      'const char *restrict',
    );
  });

  it('every field and function type name compiles and names the same type (C, -O0 and -O1)', () => {
    for (const key of ['c-O0', 'c-O1']) {
      const di = debugInfo(mod(key));
      const checks: string[] = [TYPES_C, 'void checks(void) {'];
      let n = 0;
      for (const t of Object.keys(FIELDS)) {
        const l = structLayout(di.lookup, findType(di, t));
        for (const f of l?.fields ?? []) {
          if (f.bitSize !== undefined) continue; // no typeof of a bit field
          const member = `((${t} *)0)->${f.name}`;
          if (f.typeName.includes('{')) {
            // An anonymous struct: a new type each time it is written, so compare sizes.
            checks.push(`  _Static_assert(sizeof(${f.typeName}) == sizeof(${member}), "${t}.${f.name}");`);
          } else {
            const same = `__builtin_types_compatible_p(__typeof__(${member}), ${f.typeName})`;
            checks.push(`  _Static_assert(${same}, "${t}.${f.name}");`);
          }
          if (!f.typeName.includes('[]')) {
            const v = `v${n++}`;
            checks.push(`  ${cDeclaration(di.lookup, f.type, v)}; (void)${v};`);
          }
        }
      }
      for (const fi of di.functions()) {
        if (fi.name === 'main') continue;
        const same = `__builtin_types_compatible_p(__typeof__(${fi.name}), ${cTypeName(di.lookup, fi.type)})`;
        checks.push(`  _Static_assert(${same}, "${fi.name}");`);
        n++;
      }
      checks.push('}');
      // A redeclaration of each function with the parameters' names: compiles only if every type agrees.
      for (const fi of di.functions()) {
        if (fi.name === 'main') continue;
        const ps = fi.params.map((p) => cDeclaration(di.lookup, p.type, p.name)).join(', ');
        checks.push(`${cDeclaration(di.lookup, fi.returnType, `${fi.name}(${ps})`)};`);
      }
      expect(n).toBeGreaterThan(30);
      checkCompiles(checks.join('\n') + '\n', false, `names-${key}.c`);
    }
  });

  it('C++: qualified names, references, methods', () => {
    const di = debugInfo(mod('cxx-O0'));
    const twice = di.functions().find((f) => f.name === 'twice');
    expect(twice?.function).toBe('_ZN3geo5twiceERKNS_4PairEi');
    expect(twice && cTypeName(di.lookup, twice.type, { cxx: true })).toBe('int (const geo::Pair &, int)');
    const checks = [TYPES_CXX.replace(/int main\(\)[^]*$/, ''), '#include <type_traits>'];
    for (const fi of di.functions()) {
      expect(isCxxLanguage(fi.language)).toBe(true);
      if (fi.name !== 'twice' && fi.name !== 'circle_area') continue;
      const ty = cTypeName(di.lookup, fi.type, { cxx: true });
      checks.push(`static_assert(std::is_same<decltype(geo::${fi.name}), ${ty}>::value, "${fi.name}");`);
    }
    const l = structLayout(di.lookup, findType(di, 'geo::Circle'), { cxx: true });
    for (const f of l?.fields ?? []) {
      if (f.base) expect(f.typeName).toBe('geo::Shape');
      else
        checks.push(
          `static_assert(std::is_same<decltype(geo::Circle::${f.name}), ${f.typeName}>::value, "");`,
        );
    }
    expect(checks.length).toBe(6);
    checkCompiles(checks.join('\n') + '\n', true, 'names.cpp');
  });
});

describe('functions: subprogram, line range, parameters', () => {
  const expectParams = (fi: FunctionDebugInfo | undefined, f: Func, names: string[]): void => {
    expect(fi?.params.map((p) => p.name)).toEqual(names);
    for (const p of fi?.params ?? []) expect(p.irArgs.every((i) => i >= 0 && i < f.params.length)).toBe(true);
  };

  for (const key of ['c-O0', 'c-O1', 'c-O1-intr']) {
    it(`C ${key}: lines from the source, parameters with their types and IR arguments`, () => {
      const m = mod(key);
      const di = debugInfo(m);
      for (const name of ['list_sum', 'pt_sum', 'outer_check', 'num_get', 'call_cb']) {
        const fi = di.function(name);
        const [start, end] = sourceRange(TYPES_C, name);
        expect(fi?.name).toBe(name);
        expect(fi?.file?.filename).toMatch(/types\.c$/);
        expect(fi?.line).toBe(start);
        expect(fi?.firstLine).toBe(start);
        // At -O0 the return is located at the closing brace, or at the last statement when it is the only
        // return.
        if (key === 'c-O0') expect(fi?.lastLine).toBeGreaterThanOrEqual(end - 1);
        expect(fi?.lastLine).toBeGreaterThan(start);
        expect(fi?.lastLine).toBeLessThanOrEqual(end);
        expect(di.node(fi?.subprogram ?? -1)?.kind).toBe('DISubprogram');
        expect(debugLocation(m, fn(m, name).dbg)?.line).toBe(start);
      }
      const f = fn(m, 'outer_check');
      expectParams(di.function(f), f, ['o', 'b', 'f', 's', 'k']);
      // Scalars and pointers: one IR parameter each, in order.
      expect(di.function(f)?.params.map((p) => p.irArgs)).toEqual([[0], [1], [2], [3], [4]]);
      // struct point2 (two longs) is passed in two registers: two IR parameters carry `p`.
      const pt = fn(m, 'pt_sum');
      expect(pt.params.length).toBe(3);
      expect(di.function(pt)?.params.map((p) => p.irArgs)).toEqual([[0, 1], [2]]);
      const types = di.function(pt)?.params.map((p) => cTypeName(di.lookup, p.type));
      expect(types).toEqual(['struct point2', 'int']);
      expect(cTypeName(di.lookup, di.function(pt)?.returnType ?? null)).toBe('long');
      const ls = di.function('list_sum');
      expect(ls?.variables.map((v) => [v.name, v.arg])).toEqual([
        ['n', 1],
        ['s', 0],
      ]);
    });
  }

  it('C++: the class method has an artificial `this` first, namespaced functions their arguments', () => {
    for (const key of ['cxx-O0', 'cxx-O1']) {
      const m = mod(key);
      const di = debugInfo(m);
      const twice = fn(m, '_ZN3geo5twiceERKNS_4PairEi');
      expectParams(di.function(twice), twice, ['p', 'n']);
      expect(di.function(twice)?.params.map((p) => p.irArgs)).toEqual([[0], [1]]);
      const [start, end] = sourceRange(TYPES_CXX, 'twice');
      // The last location is the return statement's line (C++ has no separate return block here).
      expect([di.function(twice)?.firstLine, di.function(twice)?.lastLine]).toEqual([start, end - 1]);
      if (key === 'cxx-O0') {
        const area = di.functions().find((f) => f.name === 'area');
        expect(area?.params[0]?.name).toBe('this');
        expect(area?.params[0]?.irArgs).toEqual([0]);
        expect(cTypeName(di.lookup, area?.params[0]?.type ?? null, { cxx: true })).toBe(
          'const geo::Circle *',
        );
      }
    }
  });
});

const isDbgCall = (i: Instr): boolean =>
  i.op === 'call' && i.callee.kind === 'function' && i.callee.name.startsWith('llvm.dbg.');

describe('debug records', () => {
  it('attaches records to the instruction they precede; the engine sees the same instructions', () => {
    for (const [dbg, plain] of [
      ['c-O0', 'c-O0-nodebug'],
      ['c-O1', 'c-O1-nodebug'],
      ['c-O1-intr', 'c-O1-nodebug'],
    ]) {
      const g = mod(dbg);
      const p = mod(plain);
      let records = 0;
      for (const f of p.globals) {
        if (f.kind !== 'function' || f.blocks.length === 0) continue;
        const h = fn(g, f.name);
        const ops = (x: Func): string[] =>
          x.blocks.flatMap((b) =>
            b.instrs.filter((i) => dbg !== 'c-O1-intr' || !isDbgCall(i)).map((i) => i.op),
          );
        expect(ops(h), f.name).toEqual(ops(f));
        if (dbg !== 'c-O1-intr') expect(instrCount(h)).toBe(instrCount(f));
        for (const b of f.blocks) for (const i of b.instrs) expect(i.dbgRecords).toBeUndefined();
        for (const b of h.blocks) for (const i of b.instrs) records += i.dbgRecords?.length ?? 0;
        const uses = debugInfo(g).uses(h);
        if (dbg === 'c-O1-intr') expect(uses.every((u) => u.intrinsic)).toBe(true);
        else
          expect(uses.length).toBe(
            h.blocks.reduce((s, b) => s + b.instrs.reduce((t, i) => t + (i.dbgRecords?.length ?? 0), 0), 0),
          );
      }
      if (dbg === 'c-O1-intr') expect(records).toBe(0);
      else expect(records).toBeGreaterThan(10);
      const kinds = new Set(
        (g.globals.filter((x) => x.kind === 'function') as Func[]).flatMap((f) =>
          debugInfo(g)
            .uses(f)
            .map((u) => u.kind),
        ),
      );
      expect(kinds.has(dbg === 'c-O0' ? 'declare' : 'value')).toBe(true);
    }
  });

  it('feeds the same model from llvm.dbg calls as from records', () => {
    const a = debugInfo(mod('c-O1'));
    const b = debugInfo(mod('c-O1-intr'));
    const view = (di: DebugInfo): unknown =>
      di.functions().map((f) => ({
        ...f,
        subprogram: 0,
        type: 0,
        returnType: cTypeName(di.lookup, f.returnType),
        params: f.params.map((p) => ({ ...p, variable: 0, type: cTypeName(di.lookup, p.type) })),
        variables: f.variables.map((v) => ({ ...v, variable: 0, type: cTypeName(di.lookup, v.type) })),
      }));
    expect(view(b)).toEqual(view(a));
  });

  it('round-trips -g IR through llvm-as/llvm-dis identically, and printing is a fixed point', () => {
    for (const key of ['c-O0', 'c-O1', 'c-O1-intr', 'cxx-O0', 'cxx-O1']) {
      const text = texts.get(key) as string;
      const base = llvmRoundTrip(text);
      const printed = printModule(parseModule(text, key));
      const ours = llvmRoundTrip(printed);
      expect(ours.error, key).toBeUndefined();
      expect(firstDiff(base.dis as string, ours.dis as string), key).toBeUndefined();
      expect(printModule(parseModule(printed, key)), key).toBe(printed);
    }
  });

  it('nodes are plain data: a structured clone and JSON give the same names and layouts', () => {
    const di = debugInfo(mod('c-O1'));
    const nodes = di.nodes();
    const cloned = structuredClone(nodes);
    const viaJson = new Map(JSON.parse(JSON.stringify([...nodes])) as [number, DINode][]);
    const outer = findType(di, 'struct outer');
    for (const m of [cloned, viaJson]) {
      const look = (id: number): DINode | undefined => m.get(id);
      expect(structLayout(look, outer)).toEqual(structLayout(di.lookup, outer));
    }
    // A cycle (struct node -> pointer -> struct node) is a reference, not a nesting.
    const node = findType(di, 'struct node');
    const next = structLayout(di.lookup, node)?.fields[1];
    const ptr = nodes.get(next?.type as number);
    expect(ptr?.kind === 'DIDerivedType' && (ptr.baseType as DIRef)).toBe(node);
  });
});

describe('nodes read from text', () => {
  it('keeps unknown kinds generically, reads VLA and unknown counts, variadic types, self references', () => {
    const text = `define void @f(i32 %n) !dbg !3 {
    #dbg_value(i32 %n, !9, !DIExpression(), !10)
  ret void, !dbg !10
}
!llvm.dbg.cu = !{!0}
!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "p \\22q\\22", emissionKind: FullDebug)
!1 = !DIFile(filename: "a b.c", directory: "/d")
!2 = !DIBasicType(name: "int", size: 32, encoding: DW_ATE_signed)
!3 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 4, type: !4, spFlags: DISPFlagDefinition, unit: !0)
!4 = !DISubroutineType(types: !5)
!5 = !{null, !2, null}
!6 = !DICompositeType(tag: DW_TAG_array_type, baseType: !2, elements: !7)
!7 = !{!8}
!8 = !DISubrange(count: !9)
!9 = !DILocalVariable(name: "n", arg: 1, scope: !3, file: !1, line: 4, type: !2)
!10 = !DILocation(line: 5, column: 3, scope: !3)
!11 = !DIFutureThing(name: "x", size: 12, inner: !DIExpression(DW_OP_plus_uconst, 4))
!12 = distinct !DICompositeType(tag: DW_TAG_structure_type, name: "s", size: 64, elements: !13)
!13 = !{!14}
!14 = !DIDerivedType(tag: DW_TAG_member, name: "self", scope: !12, baseType: !15, size: 64)
!15 = !DIDerivedType(tag: DW_TAG_pointer_type, baseType: !12, size: 64)
`;
    const m = parseModule(text, 'syn.ll');
    const di = debugInfo(m);
    expect(di.node(11)).toEqual({
      kind: 'unknown',
      name: 'DIFutureThing',
      fields: { name: 'x', size: '12', inner: '!DIExpression(DW_OP_plus_uconst, 4)' },
    });
    expect(di.node(8)).toEqual({ kind: 'DISubrange', count: null, countRef: 9, lowerBound: 0 });
    expect(cTypeName(di.lookup, 6)).toBe('int []');
    expect(cTypeName(di.lookup, 4)).toBe('void (int, ...)');
    expect(cTypeName(di.lookup, 15)).toBe('struct s *');
    expect(structLayout(di.lookup, 12)?.fields.map((f) => [f.name, f.typeName, f.offset, f.size])).toEqual([
      ['self', 'struct s *', 0, 8],
    ]);
    expect(di.compileUnits().map((c) => c.producer)).toEqual(['p "q"']);
    expect(di.node(3)).toMatchObject({ kind: 'DISubprogram', function: 'f', definition: true });
    expect(di.function('f')).toMatchObject({ firstLine: 4, lastLine: 5, varargs: true });
    expect(di.function('f')?.params).toEqual([
      { arg: 1, variable: 9, name: 'n', type: 2, line: 4, irArgs: [0] },
    ]);
    expect(debugLocation(m, 10)).toEqual({ file: 'a b.c', dir: '/d', line: 5, col: 3 });
    expect(debugLocation(m, 2)).toBeUndefined();
  });
});

describe('gen on -g IR', () => {
  /** Every file of a gen output (timings.jsonl aside), with the IR text's hash masked. */
  function tree(d: string): Map<string, string> {
    const out = new Map<string, string>();
    const walk = (p: string): void => {
      for (const e of readdirSync(p, { withFileTypes: true })) {
        const q = join(p, e.name);
        if (e.isDirectory()) walk(q);
        else if (e.name !== 'timings.jsonl') {
          // `moduleHash` (records) and `hash` (module.json, run.json) are sha256 of the IR text, which -g
          // changes by design (replay refuses a record for another text); everything else must be equal.
          const t = readFileSync(q, 'utf8').replace(
            /("(?:moduleHash|hash)": ?")[0-9a-f]{64}"/g,
            '$1<sha256>"',
          );
          out.set(relative(d, q), t);
        }
      }
    };
    walk(d);
    return out;
  }

  it('gives byte-identical records with and without -g (records and llvm.dbg calls)', async () => {
    const gsrc = join(dir, 'gen.c');
    writeFileSync(gsrc, TYPES_C);
    // One module path for all three runs (the path is part of every function's seed).
    const ll = join(dir, 'gen', 'm.ll');
    const outs: string[] = [];
    for (const [i, opts] of [
      { opt: 'O1' as const },
      { opt: 'O1' as const, debug: true },
      { opt: 'O1' as const, debug: true, extraFlags: ['-mllvm', '--write-experimental-debuginfo=false'] },
    ].entries()) {
      await compileToIR(gsrc, ll, opts);
      const text = readFileSync(ll, 'utf8');
      expect(/#dbg_value|#dbg_declare/.test(text)).toBe(i === 1);
      expect(text.includes('@llvm.dbg.')).toBe(i === 2);
      const out = join(dir, `gen-out-${i}`);
      await runCampaign({ inputs: [ll], out, jobs: 1, seed: '1' });
      outs.push(out);
    }
    const base = tree(outs[0]!);
    const inputs = [...base.keys()].filter((k) => k.startsWith('inputs/'));
    for (const f of ['list_sum', 'pt_sum', 'outer_check', 'num_get', 'call_cb'])
      expect(inputs.some((k) => k.includes(`/${f}/`))).toBe(true);
    for (const o of outs.slice(1)) {
      const t = tree(o);
      expect([...t.keys()].sort()).toEqual([...base.keys()].sort());
      for (const [k, v] of base) expect(t.get(k), k).toBe(v);
    }
  }, 120_000);
});
