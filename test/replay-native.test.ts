/**
 * Native replay (issue 4 item 4): hand-written input records of small C functions, compiled with clang at
 * -O0 and -O2, are replayed natively; correct records must come back `ok`, altered ones `mismatch` with a
 * precise reason, hangs and crashes `failed`. One replay executable per module (clang runs twice in all).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  b64,
  INPUT_REGION_BASE,
  INPUT_SLOT,
  intRec,
  RECORD_FORMAT,
  RECORD_VERSION,
  type GlobalRec,
  type InputRecord,
  type ObjectRec,
  type Reloc,
  type ValueRec,
} from '../src/gen/record.js';
import { compileToIR } from '../src/toolchain/compile.js';
import { moduleHash, replayNative, type NativeCause, type NativeReplayResult } from '../src/replay/native.js';

const SOURCE = String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

struct node { int val; struct node *next; };
int list_sum(struct node *n) { int s = 0; while (n) { s += n->val; n = n->next; } return s; }

struct tree { struct tree *left, *right; };
int tree_depth(struct tree *t) {
  if (!t) return 0;
  int l = tree_depth(t->left), r = tree_depth(t->right);
  return 1 + (l > r ? l : r);
}

long my_strlen(const char *s) { long n = 0; while (s[n]) n++; return n; }

struct big { long a, b, c; };
long big_sum(struct big b) { return b.a + b.b * 2 + b.c * 3; }
struct pair { int x, y; };
int pair_diff(struct pair p) { return p.x - p.y; }
long big_clobber(struct big b) { b.a = 99; return b.a + b.b; }
struct big mkbig(long a) { struct big b = {a, a + 1, a + 2}; return b; }
struct pair mkpair(int a, int b) { struct pair p = {a, b}; return p; }
long double ld_half(long double x) { return x / 2; }
float f_half(float x) { return x / 2; }
double hyp(double x, double y) { return hypot(x, y); }

static __attribute__((noinline)) int helper(int x) { return x * 3 + 1; }
int use_helper(int x) { return helper(x) + helper(x + 1); }

struct acc { int count; int total; };
void acc_add(struct acc *a, int v) { a->count++; a->total += v; }

int counter = 5;
int bump(void) { return counter++; }

int ext(int);
int call_ext(int n) { return ext(n) + ext(n + 1); }

int count_line(void) { int n = 0, c; while ((c = getchar()) != EOF && c != '\n') n++; return n; }

char *find_char(char *s, int c) { while (*s && *s != c) s++; return *s ? s : 0; }

void greet(int n) { printf("n=%d\n", n); }
void quit(int code) { printf("bye\n"); exit(code); }

int spin(int x) { volatile int v = x; while (v == 0) {} return v; }
int deref(int *p) { return *p; }

int table[4] = {1, 2, 3, 4};
struct cb { int (*fn)(int); int *where; };
int apply(struct cb *c) { return c->fn(*c->where); }
struct span { char *begin; long len; char *end; };
void set_end(struct span *s) { s->end = s->begin + s->len; }

unsigned long low_bits(char *p) { return (unsigned long)p & 4095; }
int big_alloc(long n) { char *p = malloc(n); if (!p) return -1; memset(p, 1, n); return p[n - 1]; }
char *grow(char *p) { p[0] = 'x'; return realloc(p, 1000); }

unsigned long addr_of(char *p) { return (unsigned long)p; }
int stack_dirt(void) { volatile char buf[2048]; int n = 0; for (int i = 0; i < 2048; i++) n += buf[i] != 0; return n; }
void ext_log(int);
int read_then_log(int *p, int i) { int v = p[i]; ext_log(v); return v; }

int usleep(unsigned);
int nap(unsigned us) { usleep(us); return 7; }

int main(int argc, char **argv) { return argc + argv[1][0]; }
`;

let dir: string;
const modules: Record<string, { file: string; hash: string }> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-native-'));
  writeFileSync(join(dir, 'fns.c'), SOURCE);
  for (const opt of ['O0', 'O2'] as const) {
    const file = join(dir, `fns-${opt}.ll`);
    await compileToIR(join(dir, 'fns.c'), file, { opt });
    modules[opt] = { file, hash: moduleHash(readFileSync(file, 'utf8')) };
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------
// Building records by hand

const i32 = (v: number | bigint): ValueRec => intRec(32, BigInt(v));
const i64 = (v: number | bigint): ValueRec => intRec(64, BigInt(v));
const ptr = (obj: number, off = 0): ValueRec => ({ t: 'ptr', obj, off });
const fp = (kind: 'float' | 'double' | 'x86_fp80', hex: string): ValueRec => ({ t: 'float', kind, hex });

function bytes(...words: [number, number][]): Uint8Array {
  // [value, size] little-endian fields laid out one after the other.
  const out: number[] = [];
  for (const [v, size] of words)
    for (let i = 0; i < size; i++) out.push(Number((BigInt(v) >> BigInt(8 * i)) & 0xffn));
  return Uint8Array.from(out);
}

function obj(id: number, data: Uint8Array, relocs: Reloc[] = [], baseMod = 16 * (id + 1)): ObjectRec {
  return { id, lo: 0, size: data.length, baseMod, data: b64(data), input: [[0, data.length]], relocs };
}

interface Spec {
  fn: string;
  args: ValueRec[];
  objects?: ObjectRec[];
  globals?: GlobalRec[];
  calls?: { fn: string; ret: ValueRec }[];
  stdin?: string;
  kind?: string;
  exitCode?: number;
  ret?: ValueRec;
  stdout?: string;
  /** No output memory at all (objects the function freed). */
  noOutMemory?: boolean;
  /** Output memory of objects by id (default: unchanged inputs). */
  outObjects?: Record<number, { data: Uint8Array; relocs?: Reloc[] }>;
  outGlobals?: { name: string; data: Uint8Array }[];
}

let counterIndex = 0;
function record(opt: string, s: Spec): InputRecord {
  const objects = s.objects ?? [];
  return {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    module: `fns-${opt}.ll`,
    moduleHash: (modules[opt] as { hash: string }).hash,
    function: s.fn,
    seed: '1',
    index: counterIndex++,
    args: s.args,
    objects,
    globals: s.globals ?? [],
    calls: s.calls ?? [],
    streams: { stdin: b64(Buffer.from(s.stdin ?? '')), files: [] },
    outcome: {
      kind: s.kind ?? 'returned',
      ...(s.exitCode !== undefined ? { exitCode: s.exitCode } : {}),
      ...(s.ret !== undefined ? { ret: s.ret } : {}),
      stdout: b64(Buffer.from(s.stdout ?? '')),
      stderr: '',
      memory: {
        objects: (s.noOutMemory === true ? [] : objects).map((o) => {
          const out = s.outObjects?.[o.id];
          return {
            id: o.id,
            data: out !== undefined ? b64(out.data) : o.data,
            relocs: out?.relocs ?? o.relocs,
          };
        }),
        globals: (s.outGlobals ?? []).map((g) => ({ name: g.name, data: b64(g.data), relocs: [] })),
      },
      blocks: [],
      steps: 0,
    },
  };
}

/** The cases: [name, spec, expected status, expected reason (substring or regexp)]. */
type Case = [string, Spec, 'ok' | 'mismatch' | 'failed', (string | RegExp)?];

const node = (val: number): Uint8Array => bytes([val, 4], [0, 4], [0, 8]);
const list: ObjectRec[] = [
  obj(0, node(1), [{ at: 8, to: { obj: 1, off: 0 } }]),
  obj(1, node(2), [{ at: 8, to: { obj: 2, off: 0 } }]),
  obj(2, node(3), [{ at: 8, to: null }]),
];
const tree: ObjectRec[] = [
  obj(0, new Uint8Array(16), [
    { at: 0, to: { obj: 1, off: 0 } },
    { at: 8, to: null },
  ]),
  obj(1, new Uint8Array(16), [
    { at: 0, to: null },
    { at: 8, to: { obj: 2, off: 0 } },
  ]),
  obj(2, new Uint8Array(16), [
    { at: 0, to: null },
    { at: 8, to: null },
  ]),
];
const str = (s: string, id = 0): ObjectRec => obj(id, Buffer.from(s + '\0', 'latin1'));
const accIn = obj(0, bytes([1, 4], [10, 4]));
const span = obj(0, bytes([0, 8], [4, 8], [0, 8]), [
  { at: 0, to: { obj: 1, off: 0 } },
  { at: 16, to: null },
]);
const spanOut = (end: number): Reloc[] => [
  { at: 0, to: { obj: 1, off: 0 } },
  { at: 16, to: { obj: 1, off: end } },
];

const CASES: Case[] = [
  ['list_sum over 3 relocated objects', { fn: 'list_sum', args: [ptr(0)], objects: list, ret: i32(6) }, 'ok'],
  [
    'list_sum with a wrong return value',
    { fn: 'list_sum', args: [ptr(0)], objects: list, ret: i32(7) },
    'mismatch',
    'return value: native 6, record 7',
  ],
  ['tree_depth', { fn: 'tree_depth', args: [ptr(0)], objects: tree, ret: i32(3) }, 'ok'],
  ['strlen-like loop', { fn: 'my_strlen', args: [ptr(0)], objects: [str('hello')], ret: i64(5) }, 'ok'],
  [
    'struct by value (byval)',
    { fn: 'big_sum', args: [ptr(0)], objects: [obj(0, bytes([1, 8], [10, 8], [100, 8]))], ret: i64(321) },
    'ok',
  ],
  [
    'struct by value (coerced to i64)',
    { fn: 'pair_diff', args: [i64((3n << 32n) | 10n)], ret: i32(7) },
    'ok',
  ],
  [
    'byval: the callee writes its own copy',
    { fn: 'big_clobber', args: [ptr(0)], objects: [obj(0, bytes([1, 8], [10, 8], [100, 8]))], ret: i64(109) },
    'ok',
  ],
  [
    'struct returned through sret',
    {
      fn: 'mkbig',
      args: [ptr(0), i64(5)],
      objects: [obj(0, new Uint8Array(24))],
      outObjects: { 0: { data: bytes([5, 8], [6, 8], [7, 8]) } },
    },
    'ok',
  ],
  [
    'struct returned in a register',
    { fn: 'mkpair', args: [i32(3), i32(-1)], ret: i64(0xffffffff00000003n) },
    'ok',
  ],
  [
    'long double',
    {
      fn: 'ld_half',
      args: [fp('x86_fp80', '4000c000000000000000')],
      ret: fp('x86_fp80', '3fffc000000000000000'),
    },
    'ok',
  ],
  ['float', { fn: 'f_half', args: [fp('float', '40400000')], ret: fp('float', '3fc00000') }, 'ok'],
  [
    'libm result',
    {
      fn: 'hyp',
      args: [fp('double', '4008000000000000'), fp('double', '4010000000000000')],
      ret: fp('double', '4014000000000000'),
    },
    'ok',
  ],
  [
    'libm result 1 ulp away (allowed)',
    {
      fn: 'hyp',
      args: [fp('double', '4008000000000000'), fp('double', '4010000000000000')],
      ret: fp('double', '4014000000000001'),
    },
    'ok',
  ],
  [
    'libm result 2 ulp away',
    {
      fn: 'hyp',
      args: [fp('double', '4008000000000000'), fp('double', '4010000000000000')],
      ret: fp('double', '4014000000000002'),
    },
    'mismatch',
    'return value: native double 0x4014000000000000, record 0x4014000000000002',
  ],
  ['static function', { fn: 'helper', args: [i32(4)], ret: i32(13) }, 'ok'],
  [
    'output memory',
    {
      fn: 'acc_add',
      args: [ptr(0), i32(5)],
      objects: [accIn],
      outObjects: { 0: { data: bytes([2, 4], [15, 4]) } },
    },
    'ok',
  ],
  [
    'output memory with a wrong byte',
    {
      fn: 'acc_add',
      args: [ptr(0), i32(5)],
      objects: [accIn],
      outObjects: { 0: { data: bytes([2, 4], [16, 4]) } },
    },
    'mismatch',
    'object 0 byte 4: native 0x0f, record 0x10',
  ],
  [
    'writable global',
    {
      fn: 'bump',
      args: [],
      globals: [{ name: 'counter', ranges: [{ off: 0, data: b64(bytes([41, 4])) }], relocs: [] }],
      ret: i32(41),
      outGlobals: [{ name: 'counter', data: bytes([42, 4]) }],
    },
    'ok',
  ],
  [
    'unknown external stubbed',
    {
      fn: 'call_ext',
      args: [i32(1)],
      calls: [
        { fn: 'ext', ret: i32(10) },
        { fn: 'ext', ret: i32(20) },
      ],
      ret: i32(30),
    },
    'ok',
  ],
  [
    'a call beyond the recorded ones',
    { fn: 'call_ext', args: [i32(1)], calls: [{ fn: 'ext', ret: i32(10) }], ret: i32(30) },
    'mismatch',
    "external call #1 to @ext is beyond the record's 1 calls",
  ],
  ['stdin via getchar', { fn: 'count_line', args: [], stdin: 'hello\nworld', ret: i32(5) }, 'ok'],
  [
    'pointer into the input object',
    { fn: 'find_char', args: [ptr(0), i32(100)], objects: [str('abcdef')], ret: ptr(0, 3) },
    'ok',
  ],
  [
    'wrong pointer target',
    { fn: 'find_char', args: [ptr(0), i32(100)], objects: [str('abcdef')], ret: ptr(0, 2) },
    'mismatch',
    'return value: native points to object 0+3, record object 0+2',
  ],
  [
    'null result',
    { fn: 'find_char', args: [ptr(0), i32(122)], objects: [str('abc')], ret: { t: 'null' } },
    'ok',
  ],
  ['stdout', { fn: 'greet', args: [i32(42)], stdout: 'n=42\n' }, 'ok'],
  [
    'stdout differs',
    { fn: 'greet', args: [i32(42)], stdout: 'n=43\n' },
    'mismatch',
    /^stdout differs at byte 3/,
  ],
  ['exit through atexit', { fn: 'quit', args: [i32(3)], kind: 'exit', exitCode: 3, stdout: 'bye\n' }, 'ok'],
  [
    'exit code differs',
    { fn: 'quit', args: [i32(3)], kind: 'exit', exitCode: 4, stdout: 'bye\n' },
    'mismatch',
    'native exit(3), record exit(4)',
  ],
  [
    'main as a target (renamed)',
    {
      fn: 'main',
      args: [i32(2), ptr(0)],
      objects: [
        obj(0, new Uint8Array(16), [
          { at: 0, to: { obj: 1, off: 0 } },
          { at: 8, to: { obj: 2, off: 0 } },
        ]),
        str('prog', 1),
        str('A', 2),
      ],
      ret: i32(67),
    },
    'ok',
  ],
  [
    'relocations to a (static) function and into a global',
    {
      fn: 'apply',
      args: [ptr(0)],
      objects: [
        obj(0, new Uint8Array(16), [
          { at: 0, to: { fn: 'helper' } },
          { at: 8, to: { global: 'table', off: 8 } },
        ]),
      ],
      ret: i32(10),
    },
    'ok',
  ],
  [
    'output pointer one past the end',
    {
      fn: 'set_end',
      args: [ptr(0)],
      objects: [span, str('abc', 1)],
      outObjects: { 0: { data: bytes([0, 8], [4, 8], [0, 8]), relocs: spanOut(4) } },
    },
    'ok',
  ],
  [
    'output pointer to the wrong offset',
    {
      fn: 'set_end',
      args: [ptr(0)],
      objects: [span, str('abc', 1)],
      outObjects: { 0: { data: bytes([0, 8], [4, 8], [0, 8]), relocs: spanOut(3) } },
    },
    'mismatch',
    'object 0 at 16: native points to object 1+4, record object 1+3',
  ],
  [
    'base address residue mod 4096',
    { fn: 'low_bits', args: [ptr(0)], objects: [obj(0, new Uint8Array(8), [], 0x123)], ret: i64(0x123) },
    'ok',
  ],
  [
    'heap object the function reallocates',
    {
      fn: 'grow',
      args: [ptr(0)],
      objects: [{ ...str('abc'), heap: true }],
      noOutMemory: true,
      ret: { t: 'ptr', other: 'heap', off: 0 },
    },
    'ok',
  ],
  ['memory limit: malloc fails', { fn: 'big_alloc', args: [i64(512 << 20)], ret: i32(-1) }, 'ok'],
  ['within the memory limit', { fn: 'big_alloc', args: [i64(1 << 20)], ret: i32(1) }, 'ok'],
  ['null dereference recorded', { fn: 'deref', args: [{ t: 'null' }], kind: 'null-deref' }, 'ok'],
  [
    'crash the record does not predict',
    { fn: 'deref', args: [{ t: 'null' }], ret: i32(0) },
    'failed',
    'native SIGSEGV, record returned',
  ],
  ['endless loop', { fn: 'spin', args: [i32(0)], ret: i32(0) }, 'failed', 'time limit of 1500 ms exceeded'],
  // The engine's sleep models return at once: natively too (a 1000 s usleep within the 1.5 s limit).
  ['sleeping takes no time', { fn: 'nap', args: [i32(1_000_000_000)], ret: i32(7) }, 'ok'],
  [
    'undefined behaviour that natively runs until the time limit',
    { fn: 'spin', args: [i32(0)], kind: 'out-of-bounds-read' },
    'ok',
    'undefined behaviour (out-of-bounds-read): native ran into the time limit, not compared',
  ],
  [
    // The engine's call-stack budget ended an unbounded recursion; natively tail calls make it a loop.
    'stack overflow that natively runs until the time limit',
    { fn: 'spin', args: [i32(0)], kind: 'stack-overflow' },
    'ok',
    'stack-overflow: native ran until the time limit (tail calls), not compared',
  ],
  [
    "input objects at the engine's absolute addresses",
    {
      fn: 'addr_of',
      args: [ptr(1)],
      objects: [obj(0, new Uint8Array(8)), obj(1, new Uint8Array(8))],
      ret: i64(INPUT_REGION_BASE + INPUT_SLOT + INPUT_SLOT / 2 + 32),
    },
    'ok',
  ],
  // The engine's uninitialised locals read zeros; the driver's own calls dirtied the native stack.
  ['uninitialised locals read zero', { fn: 'stack_dirt', args: [], ret: i32(0) }, 'ok'],
  [
    'undefined behaviour, then a call past the record',
    {
      fn: 'read_then_log',
      args: [ptr(0), i32(1)],
      objects: [obj(0, bytes([7, 4]))],
      kind: 'out-of-bounds-read',
    },
    'ok',
    "undefined behaviour (out-of-bounds-read): native went on (external call #0 to @ext_log is beyond the record's 0 calls), not compared",
  ],
  [
    'undefined behaviour after a call the record does not have',
    {
      fn: 'read_then_log',
      args: [ptr(0), i32(1)],
      objects: [obj(0, bytes([7, 4]))],
      calls: [{ fn: 'ext', ret: i32(0) }],
      kind: 'out-of-bounds-read',
    },
    'mismatch',
    'external call #0 is to @ext_log, the record has @ext',
  ],
];

/** The cause (NATIVE_CAUSES) of each case that is not ok. */
const CAUSES: Readonly<Record<string, NativeCause>> = {
  'list_sum with a wrong return value': 'return-differs',
  'libm result 2 ulp away': 'return-differs',
  'output memory with a wrong byte': 'memory-differs',
  'a call beyond the recorded ones': 'calls-differ',
  'wrong pointer target': 'return-differs',
  'stdout differs': 'output-differs',
  'exit code differs': 'end-differs',
  'output pointer to the wrong offset': 'memory-differs',
  'crash the record does not predict': 'native-crash',
  'endless loop': 'native-timeout',
  'undefined behaviour after a call the record does not have': 'calls-differ',
};

describe.each(['O0', 'O2'])('native replay at -%s', (opt) => {
  let results: NativeReplayResult[];
  let records: InputRecord[];

  beforeAll(async () => {
    records = CASES.map(([, spec]) => record(opt, spec));
    results = await replayNative((modules[opt] as { file: string }).file, records, {
      timeoutMs: 1500,
      memLimitMb: 256,
      workDir: join(dir, `work-${opt}`),
    });
  }, 120_000);

  it.each(CASES.map((c, i) => [c[0], i] as const))('%s', (name, i) => {
    const [, , status, reason] = CASES[i] as Case;
    const r = results[i] as NativeReplayResult;
    // Every verdict that is not ok has its cause, an ok one none.
    expect(r.cause).toBe(status === 'ok' ? undefined : CAUSES[name]);
    expect(r.function).toBe((records[i] as InputRecord).function);
    expect(r.status, r.reason).toBe(status);
    if (reason instanceof RegExp) expect(r.reason).toMatch(reason);
    else if (reason !== undefined) expect(r.reason).toBe(reason);
    else if (status === 'ok') expect(r.reason).toBe('');
  });
});

describe('native replay of records that cannot run', () => {
  it('refuses a record of another module and skips engine-budget outcomes', async () => {
    const good = record('O0', { fn: 'helper', args: [i32(1)], ret: i32(4) });
    const other = { ...good, moduleHash: 'beef' };
    const budget = record('O0', { fn: 'spin', args: [i32(0)], kind: 'step-limit' });
    const wrongArity = record('O0', { fn: 'helper', args: [], ret: i32(4) });
    const res = await replayNative((modules.O0 as { file: string }).file, [good, other, budget, wrongArity], {
      timeoutMs: 2000,
      memLimitMb: 256,
      workDir: join(dir, 'work-O0'),
    });
    expect(res.map((r) => r.status)).toEqual(['ok', 'failed', 'not-run', 'failed']);
    expect(res.map((r) => r.cause)).toEqual([undefined, 'stale-record', 'budget', 'record-unfit']);
    expect(res[1]?.reason).toMatch(/another module/);
    expect(res[2]?.reason).toMatch(/step-limit/);
    expect(res[3]?.reason).toMatch(/0 arguments for @helper, which has 1 parameters/);
  }, 60_000);
});
