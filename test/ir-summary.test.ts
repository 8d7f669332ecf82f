import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Module } from '../src/ir/model.js';
import { parseModule } from '../src/ir/parser.js';
import type { FunctionSummary, ModuleSummary } from '../src/ir/summary.js';
import { formatSummary, summarizeModule } from '../src/ir/summary.js';
import { findToolchain } from '../src/toolchain/find.js';

const PROGRAM = String.raw`
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct Big { long a[10]; };
static int counter;
const char table[10] = "abc";
extern int ext_var;
_Thread_local int tls;
int helper(int x) { return x * 2; }
static int loop_sum(int *a, int n) {
  int s = 0;
  for (int i = 0; i < n; i++) s += a[i];
  return s;
}
void writer(int *p) { *p = 5; }
long take(struct Big b) { return b.a[3]; }
struct Big make(void) { struct Big b = {{0}}; b.a[1] = counter; return b; }
unsigned char narrow(unsigned char c, signed char d, _Bool e) { return c + d + e; }
int sum_va(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  while (n-- > 0) s += va_arg(ap, int);
  va_end(ap);
  return s;
}
int (*fp)(int) = helper;
void *abort_ptr = (void *)&abort;
int nested(int n) {
  int s = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++) s += i * j;
  do { s--; } while (s > 100);
again:
  if (s < 0) { s += 7; goto again; }
  switch (s) { case 1: puts("one"); break; default: break; }
  return s;
}
int main(int argc, char **argv) {
  int a[4] = {1, 2, 3, 4};
  printf("%d\n", helper(argc));
  printf("%d\n", loop_sum(a, 4));
  char *buf = malloc(16);
  strcpy(buf, "hi");
  puts(buf);
  free(buf);
  writer(&counter);
  struct Big b = make();
  tls = (int)take(b) + narrow(1, -1, 1) + sum_va(2, 3, 4) + nested(argc);
  return fp(argc) + ext_var;
}
`;

/** Blocks and instructions of each function, counted on the IR text independently of the parser. */
function countFromText(ll: string): Map<string, { blocks: number; instructions: number }> {
  const res = new Map<string, { blocks: number; instructions: number }>();
  const re = /^define [^@]*@([\w.$]+)\([^\n]*\{\n([\s\S]*?)^\}/gm;
  for (let m = re.exec(ll); m !== null; m = re.exec(ll)) {
    const lines = m[2].split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith(';'));
    const labels = lines.filter((l) => /^[\w.$-]+:/.test(l)).length;
    // An instruction line is indented by two spaces; switch cases (four spaces) and the closing `]` continue one.
    const instructions = lines.filter((l) => /^ {2}[^ \]]/.test(l) && !l.trim().startsWith('#dbg_')).length;
    res.set(m[1], { blocks: labels + (/^[\w.$-]+:/.test(lines[0]) ? 0 : 1), instructions });
  }
  return res;
}

describe('summarizeModule on a C program compiled at -O0', () => {
  let dir: string;
  let ll: string;
  let m: Module;
  let s: ModuleSummary;
  const fn = (name: string): FunctionSummary => {
    const f = s.functions.find((x) => x.name === name);
    if (f === undefined) throw new Error(`no function ${name}`);
    return f;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'inputsmith-sum-'));
    writeFileSync(join(dir, 'prog.c'), PROGRAM);
    execFileSync(findToolchain().clang, ['-O0', '-w', '-S', '-emit-llvm', 'prog.c', '-o', 'prog.ll'], {
      cwd: dir,
    });
    ll = readFileSync(join(dir, 'prog.ll'), 'utf8');
    m = parseModule(ll, join(dir, 'prog.ll'));
    s = summarizeModule(m);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('describes the module', () => {
    expect(s.formatVersion).toBe(1);
    expect(s.triple).toMatch(/^x86_64-/);
    expect(s.dataLayout).toMatch(/^e-m:e-/);
    expect(s.sourceFilename).toBe('prog.c');
    expect(s.pointerSize).toBe(8);
    expect(s.bigEndian).toBe(false);
    expect(s.functions.map((f) => f.name).sort()).toEqual(
      ['helper', 'loop_sum', 'main', 'make', 'narrow', 'nested', 'sum_va', 'take', 'writer'].sort(),
    );
    expect(s.counts.functions).toBe(9);
  });

  it('counts blocks and instructions as the IR text has them', () => {
    const text = countFromText(ll);
    expect(text.size).toBe(9);
    for (const f of s.functions)
      expect({ name: f.name, ...text.get(f.name) }).toEqual({
        name: f.name,
        blocks: f.blocks,
        instructions: f.instructions,
      });
    expect(s.counts.blocks).toBe(s.functions.reduce((n, f) => n + f.blocks, 0));
    expect(s.counts.instructions).toBe(s.functions.reduce((n, f) => n + f.instructions, 0));
    expect(fn('helper').blocks).toBe(1);
    expect(fn('loop_sum').blocks).toBe(5); // entry, for.cond, for.body, for.inc, for.end
  });

  it('lists direct, indirect and intrinsic calls', () => {
    expect(fn('main').callees).toEqual([
      { name: 'free', count: 1 },
      { name: 'helper', count: 1 },
      { name: 'loop_sum', count: 1 },
      { name: 'make', count: 1 },
      { name: 'malloc', count: 1 },
      { name: 'narrow', count: 1 },
      { name: 'nested', count: 1 },
      { name: 'printf', count: 2 },
      { name: 'puts', count: 1 },
      { name: 'strcpy', count: 1 },
      { name: 'sum_va', count: 1 },
      { name: 'take', count: 1 },
      { name: 'writer', count: 1 },
    ]);
    expect(fn('main').indirectCalls).toBe(1); // fp(argc)
    expect(fn('main').intrinsics.map((x) => x.name)).toEqual([
      'llvm.memcpy.p0.p0.i64', // int a[4] = {...}
      'llvm.threadlocal.address.p0', // tls
    ]);
    expect(fn('sum_va').intrinsics.map((x) => x.name)).toEqual(['llvm.va_end.p0', 'llvm.va_start.p0']);
    expect(fn('helper').callees).toEqual([]);
    expect(fn('nested').callees).toEqual([{ name: 'puts', count: 1 }]);
    expect(s.counts.directCalls).toBe(15);
    expect(s.counts.indirectCalls).toBe(1);
  });

  it('lists externals with call sites and callers', () => {
    const ext = Object.fromEntries(s.externals.map((e) => [e.name, e]));
    expect(Object.keys(ext).sort()).toEqual(['abort', 'free', 'malloc', 'printf', 'puts', 'strcpy']);
    expect(ext.printf).toEqual({
      name: 'printf',
      signature: 'i32 (ptr, ...)',
      callSites: 2,
      callers: ['main'],
      modelled: null,
    });
    expect(ext.puts.callSites).toBe(2);
    expect(ext.puts.callers).toEqual(['main', 'nested']);
    expect(ext.abort.callSites).toBe(0); // address taken only
    expect(ext.abort.callers).toEqual([]);
    expect(ext.malloc.signature).toBe('ptr (i64)');
    expect(s.counts.externals).toBe(6);
    expect(s.counts.intrinsics).toBe(5); // memset, va_start, va_end, memcpy, threadlocal.address
  });

  it('finds loops by back edges', () => {
    expect(fn('helper').backEdges).toBe(0);
    expect(fn('helper').hasLoops).toBe(false);
    expect(fn('loop_sum').backEdges).toBe(1);
    expect(fn('sum_va').backEdges).toBe(1);
    expect(fn('nested').backEdges).toBe(4); // two fors, a do-while, a backward goto
    expect(fn('main').hasLoops).toBe(false);
  });

  it('reports memory effects outside the stack frame', () => {
    const mem = (n: string): string => (fn(n).readsMemory ? 'r' : '-') + (fn(n).writesMemory ? 'w' : '-');
    expect(mem('helper')).toBe('--');
    expect(mem('writer')).toBe('-w');
    expect(mem('loop_sum')).toBe('r-');
    expect(mem('take')).toBe('r-'); // reads its byval argument
    expect(mem('make')).toBe('rw'); // reads counter, writes the sret result
    expect(mem('sum_va')).toBe('r-'); // va_arg reads the register save area
    expect(mem('main')).toBe('rw');
    expect(mem('narrow')).toBe('--');
  });

  it('gives signatures, attributes and linkage', () => {
    expect(fn('loop_sum').linkage).toBe('internal');
    expect(fn('main').linkage).toBe('external');
    expect(fn('main').signature).toBe('i32 (i32, ptr)');
    expect(fn('main').cSignature).toBe('int main(int, void *)');
    expect(fn('sum_va').varargs).toBe(true);
    expect(fn('sum_va').signature).toBe('i32 (i32, ...)');
    expect(fn('sum_va').cSignature).toBe('int sum_va(int, ...)');
    expect(fn('narrow').cSignature).toBe('unsigned char narrow(unsigned char, signed char, _Bool)');
    expect(fn('narrow').returnAttrs).toEqual(['zeroext']);
    expect(fn('take').params).toEqual([{ type: 'ptr', attrs: ['noundef', 'byval(%struct.Big)', 'align 8'] }]);
    expect(fn('take').cSignature).toBe('long take(struct Big)');
    expect(fn('make').cSignature).toBe('struct Big make(void)');
    expect(fn('make').params[0].attrs).toContain('sret(%struct.Big)');
    expect(fn('helper').source).toBeNull(); // no -g
  });

  it('lists globals with sizes from the data layout', () => {
    const g = Object.fromEntries(s.globals.map((x) => [x.name, x]));
    expect(g.counter).toEqual({
      name: 'counter',
      linkage: 'internal',
      type: 'i32',
      size: 4,
      constant: false,
      defined: true,
      threadLocal: false,
    });
    expect(g.table).toMatchObject({ size: 10, constant: true, type: '[10 x i8]' });
    expect(g.ext_var).toMatchObject({ defined: false, size: 4, linkage: 'external' });
    expect(g.tls.threadLocal).toBe(true);
    expect(g.fp).toMatchObject({ size: 8, constant: false });
    expect(g['__const.main.a']).toMatchObject({ size: 16, constant: true, linkage: 'private' });
    expect(g['.str.2']).toMatchObject({ size: 3, constant: true });
    expect(s.counts.globals).toBe(s.globals.length);
  });

  it('is plain JSON with every field documented', () => {
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    const doc = readFileSync(new URL('../docs/inspect-json.md', import.meta.url), 'utf8');
    const keys = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          keys.add(k);
          walk(x);
        }
      }
    };
    walk(s);
    const undocumented = [...keys].filter((k) => !doc.includes(`\`${k}\``) && !doc.includes(`"${k}"`));
    expect(undocumented).toEqual([]);
  });

  it('formats aligned tables', () => {
    const text = formatSummary(s);
    const lines = text.split('\n');
    const head = lines.findIndex(
      (l) => l.startsWith('name') && l.includes('linkage') && l.includes('instrs'),
    );
    expect(head).toBeGreaterThan(0);
    const rows = lines.slice(head + 1, head + 1 + s.functions.length);
    const col = lines[head].indexOf('linkage');
    const instrEnd = lines[head].indexOf('instrs') + 'instrs'.length;
    for (const r of rows) {
      const f = s.functions.find((x) => r.startsWith(x.name + ' '));
      expect(f, r).toBeDefined();
      expect(r.slice(col).startsWith(f!.linkage), r).toBe(true);
      // right-aligned instruction count ends under the header
      expect(r.slice(0, instrEnd).trimEnd().endsWith(` ${f!.instructions}`), r).toBe(true);
    }
    expect(text).toMatch(/^printf\s+i32 \(ptr, \.\.\.\)\s+2\s+main\s+\?$/m);
    expect(text).toMatch(/^counter\s+4\s+writable\s+internal\s+i32$/m);
    expect(text).toContain('printf x2');
    expect(text).toContain('(indirect) x1');
  });
});

describe('summarizeModule with debug info', () => {
  it('gives the source file and line of each definition (-g)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inputsmith-sum-g-'));
    try {
      writeFileSync(join(dir, 'prog.c'), PROGRAM);
      execFileSync(
        findToolchain().clang,
        ['-O0', '-g', '-w', '-S', '-emit-llvm', 'prog.c', '-o', 'prog.ll'],
        {
          cwd: dir,
        },
      );
      const s = summarizeModule(parseModule(readFileSync(join(dir, 'prog.ll'), 'utf8'), 'prog.ll'));
      const lines = PROGRAM.split('\n');
      const lineOf = (prefix: string): number => lines.findIndex((l) => l.startsWith(prefix)) + 1;
      const src = Object.fromEntries(s.functions.map((f) => [f.name, f.source]));
      expect(src.helper).toEqual({ file: 'prog.c', line: lineOf('int helper(') });
      expect(src.loop_sum).toEqual({ file: 'prog.c', line: lineOf('static int loop_sum(') });
      expect(src.main).toEqual({ file: 'prog.c', line: lineOf('int main(') });
      expect(Object.values(src).every((x) => x !== null)).toBe(true);
      // Debug records are not instructions: the counts match the build without -g.
      expect(s.functions.find((f) => f.name === 'helper')?.instructions).toBe(5);
      expect(formatSummary(s)).toMatch(/^helper .* prog\.c:\d+/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the example in docs/inspect-json.md', () => {
  it('is the real output for its demo.c', () => {
    const docPath = new URL('../docs/inspect-json.md', import.meta.url);
    const doc = readFileSync(docPath, 'utf8');
    const example = doc.indexOf('## Example');
    const block = (lang: string): { start: number; end: number } => {
      const start = doc.indexOf('```' + lang + '\n', example) + lang.length + 4;
      return { start, end: doc.indexOf('\n```', start) };
    };
    const c = block('c');
    const dir = mkdtempSync(join(tmpdir(), 'inputsmith-sum-doc-'));
    try {
      writeFileSync(join(dir, 'demo.c'), doc.slice(c.start, c.end) + '\n');
      execFileSync(
        findToolchain().clang,
        ['-O0', '-g', '-w', '-S', '-emit-llvm', 'demo.c', '-o', 'demo.ll'],
        {
          cwd: dir,
        },
      );
      const s = summarizeModule(parseModule(readFileSync(join(dir, 'demo.ll'), 'utf8'), 'demo.ll'));
      const json = JSON.stringify(s, null, 2);
      const table = formatSummary(s).trimEnd();
      const j = block('json');
      const t = block('text');
      if (process.env.INPUTSMITH_UPDATE_FIXTURES === '1') {
        const updated = doc.slice(0, j.start) + json + doc.slice(j.end, t.start) + table + doc.slice(t.end);
        writeFileSync(docPath, updated);
        return;
      }
      expect(JSON.parse(doc.slice(j.start, j.end))).toEqual(JSON.parse(json));
      expect(doc.slice(t.start, t.end)).toBe(table);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('summarizeModule on hand-written IR', () => {
  it('handles a module without datalayout, with aliases and invoke', () => {
    const m = parseModule(
      String.raw`
@g = global i64 0
@a = alias i64, ptr @g
declare void @ext(i32)
declare i32 @__gxx_personality_v0(...)
define i32 @f(i32 %x) personality ptr @__gxx_personality_v0 {
entry:
  invoke void @ext(i32 %x) to label %ok unwind label %bad
ok:
  %v = load i64, ptr @a
  call void asm sideeffect "nop", ""()
  ret i32 0
bad:
  %lp = landingpad { ptr, i32 } cleanup
  resume { ptr, i32 } %lp
}
`,
      'hand.ll',
    );
    const s = summarizeModule(m);
    expect(s.dataLayout).toBeNull();
    expect(s.file).toBe('hand.ll');
    expect(s.counts).toMatchObject({ functions: 1, externals: 2, aliases: 1, globals: 1, blocks: 3 });
    const f = s.functions[0];
    expect(f.callees).toEqual([{ name: 'ext', count: 1 }]);
    expect(f.asmCalls).toBe(1);
    expect(f.readsMemory).toBe(true);
    expect(f.hasLoops).toBe(false);
    expect(s.globals[0].size).toBe(8);
    expect(s.externals.find((e) => e.name === 'ext')).toMatchObject({ callSites: 1, callers: ['f'] });
    expect(formatSummary(s)).toContain('(none: LLVM defaults)');
  });
});
