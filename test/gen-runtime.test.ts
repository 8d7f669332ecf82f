/**
 * Generation and replay (issues 4 and 5): the generation runtime builds lazy inputs for real C functions
 * compiled by clang at -O0 and -O2; every kept input replays bit for bit in the engine and natively; the
 * same seed gives the same records; a record that does not cover what the function reads diverges.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModule } from '../src/ir/parser.js';
import { encodeRecord, type InputRecord, type ValueRec } from '../src/gen/record.js';
import { GenSession } from '../src/gen/runtime.js';
import { Plan } from '../src/gen/plan.js';
import { Rng } from '../src/util/rng.js';
import { DEFAULT_SEARCH, searchFunction, type FunctionResult } from '../src/guide/search.js';
import { replayInEngine } from '../src/replay/engine.js';
import { moduleHash, replayNativeText } from '../src/replay/native.js';
import { compileToIR } from '../src/toolchain/compile.js';

const SOURCE = String.raw`
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/time.h>
#include <unistd.h>

struct node { int val; struct node *next; };
int list_len(const struct node *n) { int k = 0; while (n) { k++; n = n->next; } return k; }
int third(const struct node *n) { return n && n->next && n->next->next ? n->next->next->val : -1; }
int list_max_gt(const struct node *n, int limit) {
  int best = -1;
  for (; n; n = n->next) if (n->val > limit && n->val > best) best = n->val;
  return best;
}

int run_cmd(const char *cmd, const char *old) {
  if (system(cmd) != 0) return -1;
  return remove(old) == 0 ? 1 : 0;
}

struct pt { int x, y, z; };
long sum_x(const struct pt *a, int n) { long s = 0; for (int i = 0; i < n; i++) s += a[i].x; return s; }
void fill_bytes(unsigned char *buf, int n) { for (int i = 0; i < n; i++) buf[i] = (unsigned char)(i * 7); }

struct tree { int key; struct tree *left, *right; };
int tree_find(const struct tree *t, int key) {
  while (t) { if (t->key == key) return 1; t = key < t->key ? t->left : t->right; }
  return 0;
}

int classify(const char *s) {
  if (strcmp(s, "start") == 0) return 1;
  if (strncmp(s, "stop", 4) == 0) return 2;
  if (s[0] == '#') return 3;
  return 0;
}

int magic(unsigned x) {
  if (x == 0x464C457Fu) return 1;
  if (x > 1000 && x < 1010) return 2;
  return 0;
}

extern int read_sensor(int channel);
int sensor_alarm(void) {
  int v = read_sensor(3);
  if (v < 0) return -1;
  if (v > 100) return 1;
  return 0;
}

int mode;
int by_mode(int x) {
  switch (mode) { case 1: return x + 1; case 2: return x * 2; case 7: return -x; default: return 0; }
}

static int twice(int x) { return 2 * x; }
static int negate(int x) { return -x; }
/* Function pointers in inputs point at functions whose address the module takes: these two. */
int (*const unary_ops[2])(int) = { twice, negate };
int apply(int (*f)(int), int x) { int r = f(x); return r > 0 ? r : 0; }

int count_lines(void) {
  int c, n = 0;
  while ((c = getchar()) != EOF) if (c == '\n') n++;
  return n;
}

void fill(int *a, int n, int v) { for (int i = 0; i < n; i++) a[i] = v; }
long sum_array(const int *a, int n) { long s = 0; for (int i = 0; i < n; i++) s += a[i]; return s > 100 ? s : -s; }

struct point { int x, y; };
int quadrant(struct point p) {
  if (p.x > 0 && p.y > 0) return 1;
  if (p.x < 0 && p.y > 0) return 2;
  return p.x < 0 ? 3 : 4;
}
struct big { long a, b, c; char tag; };
long big_sum(struct big b) { return b.tag == 'x' ? b.a + b.b + b.c : 0; }

union num { int i; float f; unsigned char bytes[4]; };
int union_sign(const union num *u) { if (u->bytes[3] & 0x80) return -1; return u->i == 0 ? 0 : 1; }

struct flags { unsigned a : 1; unsigned b : 3; unsigned c : 4; };
int bitfields(const struct flags *f) { if (f->a && f->b == 5) return 1; if (f->c > 10) return 2; return 0; }

int sum_va(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n && i < 3; i++) s += va_arg(ap, int);
  va_end(ap);
  return s > 10 ? 1 : 0;
}

int count_x(FILE *f) { int c, n = 0; while ((c = fgetc(f)) != EOF) if (c == 'x') n++; return n > 1; }

/* Natively these depend on what the engine guarantees: an out-parameter the (stubbed) external does not
   write reads as zero, and input objects have the engine's absolute addresses (hashes, %p). */
extern void get_len(const char *s, long *n);
int out_param(const char *s) { long n; get_len(s, &n); return n > 3 ? 1 : 0; }
unsigned addr_hash(const char *p) { return (unsigned)(((unsigned long)p * 2654435761u) >> 9) & 255; }
void show_ptr(const int *p) { printf("%p %d\n", (const void *)p, *p); }

/* One block, three dereferences: every run covers it, most crash on a generated null pointer. */
struct chain { struct chain *next; int v; };
int chain3(const struct chain *p) { return p->next->next->v; }

/* CPU feature dispatch: natively the same answers as in the engine (a baseline x86-64), on any machine. */
void cpu_flags(unsigned *out) {
  unsigned a, b, c, d;
  __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
  out[0] = (b >> 8) & 1; /* BMI2 */
  __asm__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1));
  out[1] = d; out[2] = c;
  __asm__("cpuid" : "=a"(a) : "0"(0) : "ebx", "ecx", "edx");
  out[3] = a;
}

/* The time-stamp counter is a constant in the engine (asm.ts), natively too (native-build rewrites rdtsc). */
int tsc_parity(void) {
  unsigned lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return hi == 0 && lo == 0x5eed ? 1 : 2;
}
/* A thread-local global is an input like the others, natively too (its address is found at run time). */
static __thread int tls_count;
int tls_bump(int x) { tls_count += x; return tls_count > 10; }
/* syscall() has no model: a stub returning a recorded value, natively too (the driver does not call it). */
long raw_getrandom(void *buf, unsigned long n) { return syscall(318, buf, n, 0); }

/* A FILE it is given is a stream also when only locked and read by the inline getc_unlocked (Lua's read_line). */
int locked_getc(FILE *f) { flockfile(f); int c = getc_unlocked(f); funlockfile(f); return c == 'x' ? 1 : c; }

/* The clock is an input (recorded like an external's result): natively the same time. */
long now_parity(long *tp) { long t = time(tp); if (t & 1) return 1; return getpid() > 0 ? 2 : 3; }
int root_writable(void) { return access("/root", W_OK) == 0; }
long usec_parity(void) { struct timeval tv; if (gettimeofday(&tv, 0) != 0) return -1; return tv.tv_usec & 1; }

/* Error paths that end in a function declared noreturn (defined elsewhere: stubbed). */
extern void fatal(const char *msg) __attribute__((noreturn));
int checked_div(int a, int b) { if (b == 0) fatal("division by zero"); return a / b; }

/* Passed by value in memory (byval): its function pointer must be a function of the module. */
struct ops { int (*f)(int); long pad[2]; };
int call_ops(struct ops o, int x) { return o.f ? o.f(x) : -1; }

/* Defined in another file: inputs, of unknown size (the table) and of known size (the limit). */
extern const unsigned char class_table[];
extern int class_limit;
int classify_byte(unsigned char c) {
  int k = class_table[c & 63];
  if (k > class_limit) return 2;
  return k > 100 ? 1 : 0;
}
`;

/** The default search with more patience: these tests are about what generation can build, not budgets. */
const SEARCH = { ...DEFAULT_SEARCH, plateau: 100, maxSteps: 4_000_000 };

let dir: string;
const texts = new Map<string, { text: string; file: string }>();
const results = new Map<string, { session: GenSession; byFn: Map<string, FunctionResult> }>();

function valueIsFn(v: ValueRec): boolean {
  return v.t === 'ptr' && 'fn' in v;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-gen-'));
  const src = join(dir, 'gen.c');
  writeFileSync(src, SOURCE);
  for (const opt of ['O0', 'O2'] as const) {
    const file = join(dir, `gen-${opt}.ll`);
    await compileToIR(src, file, { opt });
    const text = (await import('node:fs')).readFileSync(file, 'utf8');
    texts.set(opt.slice(1), { text, file });
    // A stable module path: seeds derive from it (the temporary directory's name changes every run).
    const session = new GenSession(parseModule(text, file), {
      modulePath: `gen-${opt}.ll`,
      moduleHash: moduleHash(text),
    });
    const byFn = new Map<string, FunctionResult>();
    for (const fn of session.functions()) byFn.set(fn, searchFunction(session, fn, SEARCH));
    results.set(opt.slice(1), { session, byFn });
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['0', '2'] as const)('generation at -O%s', (opt) => {
  const get = (fn: string): FunctionResult => results.get(opt)!.byFn.get(fn)!;

  it('keeps at most 5 inputs per function, the first covering least no more than all', () => {
    for (const r of results.get(opt)!.byFn.values()) {
      expect(r.records.length).toBeGreaterThan(0);
      expect(r.records.length).toBeLessThanOrEqual(5);
      expect(r.covered).toBeGreaterThanOrEqual(r.coveredFirst);
      expect(r.covered).toBeLessThanOrEqual(r.blocks);
    }
  });

  it('covers (nearly) every block of functions whose branches depend on lazily built inputs', () => {
    let covered = 0;
    let blocks = 0;
    const fns = [
      'list_len',
      'third',
      'list_max_gt',
      'tree_find',
      'classify',
      'magic',
      'sensor_alarm',
      'by_mode',
      'apply',
      'count_lines',
      'fill',
      'sum_array',
      'quadrant',
      'big_sum',
      'union_sign',
      'bitfields',
      'count_x',
    ];
    for (const fn of fns) {
      const r = get(fn);
      expect({ fn, missed: r.blocks - r.covered }).toEqual({ fn, missed: Math.min(r.blocks - r.covered, 1) });
      covered += r.covered;
      blocks += r.blocks;
    }
    expect(covered / blocks).toBeGreaterThanOrEqual(0.95);
  });

  it('gives a function that dereferences what it gets an input that returns (generated nulls repaired)', () => {
    const r = get('chain3');
    expect(r.covered).toBe(r.blocks);
    const ok = r.records.find((x) => x.outcome.kind === 'returned');
    expect(ok).toBeDefined();
    // p, p->next and p->next->next are objects: three input objects, each pointer slot relocated.
    expect(ok!.objects.filter((o) => o.relocs.length > 0).length).toBeGreaterThanOrEqual(2);
  });

  it('generates a struct passed by value typed, function pointers included', () => {
    const r = get('call_ops');
    expect(r.covered).toBe(r.blocks);
    const called = r.records.filter(
      (x) =>
        x.outcome.kind === 'returned' &&
        x.objects.some((o) => o.relocs.some((l) => l.to !== null && 'fn' in l.to)),
    );
    expect(called.length).toBeGreaterThan(0);
  });

  it('ends a run at a call to an external declared noreturn (noreturn-call)', () => {
    const r = get('checked_div');
    expect(r.covered).toBe(r.blocks);
    const kinds = new Set(r.records.map((x) => x.outcome.kind));
    expect(kinds).toContain('noreturn-call');
    expect(kinds).toContain('returned');
    const nr = r.records.find((x) => x.outcome.kind === 'noreturn-call')!;
    expect(nr.calls.map((c) => c.fn)).toEqual(['fatal']);
  });

  it('records the clock and the process id as inputs, and mutates them', () => {
    const r = get('now_parity');
    expect(r.covered).toBe(r.blocks);
    const fns = new Set(r.records.flatMap((x) => x.calls.map((c) => c.fn)));
    expect(fns).toContain('time');
    expect(fns).toContain('getpid');
    // A clock that answers through a pointer is a stub: its result is the input, the struct stays as is.
    const u = get('usec_parity');
    expect(u.records.every((x) => x.calls[0]?.fn === 'gettimeofday')).toBe(true);
    expect(u.records.some((x) => x.outcome.kind === 'returned')).toBe(true);
  });

  it('generates globals the module only declares, sized or not', () => {
    const r = get('classify_byte');
    expect(r.covered).toBe(r.blocks);
    const names = new Set(r.records.flatMap((x) => x.globals.map((g) => g.name)));
    expect(names).toContain('class_table');
    expect(names).toContain('class_limit');
  });

  it('builds linked structures exactly as deep as the function walks them', () => {
    const { session } = results.get(opt)!;
    const depths: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const r = session.run('third', new Plan(), 'gen', new Rng(seed), {
        seed: String(seed),
        index: 0,
      }).record;
      // third() reads n, n->next, n->next->next and that node's val: never a fourth node.
      expect(r.objects.length).toBeLessThanOrEqual(3);
      depths.push(r.objects.length);
    }
    expect(Math.max(...depths)).toBe(3);
  });

  it('stubs calls that would change the machine natively (a shell command, removing a file)', () => {
    const r = get('run_cmd');
    expect(r.covered).toBe(r.blocks);
    for (const rec of r.records) {
      expect(rec.calls[0]!.fn).toBe('system');
      expect(rec.calls.slice(1).every((c) => c.fn === 'remove')).toBe(true);
    }
  });

  it('follows array walks (contiguous or strided, loads and stores) with few faults', () => {
    const { session } = results.get(opt)!;
    const walk = (fn: string, n: number): { rec: InputRecord; faults: number } => {
      const plan = new Plan();
      plan.args = [
        { t: 'ptr', obj: plan.newObject(1).id, off: 0 },
        { t: 'int', bits: 32, v: String(n) },
      ];
      const before = session.faults;
      const rec = session.run(fn, plan, 'gen', new Rng(7), { seed: '7', index: 0 }).record;
      expect(rec.outcome.kind).toBe('returned');
      expect(replayInEngine(session, rec).status).toBe('ok');
      return { rec, faults: session.faults - before };
    };
    // One field of each 12-byte struct: the x fields are inputs, the y and z fields stay untouched.
    const sx = walk('sum_x', 3000);
    expect(sx.faults).toBeLessThan(3000 / 16);
    const input = sx.rec.objects[0]!.input;
    expect(input.every(([a, b]) => ((a % 12) + 12) % 12 === 0 && b - a === 4)).toBe(true);
    expect(input.length).toBeGreaterThanOrEqual(3000);
    // A byte loop filling a buffer: written, not generated (no input bytes), 4096 bytes long.
    const fl = walk('fill_bytes', 4096);
    expect(fl.faults).toBeLessThan(4096 / 16);
    expect(fl.rec.objects[0]!.input).toEqual([]);
    expect(fl.rec.objects[0]!.size).toBeGreaterThanOrEqual(4096);
  });

  it('records external-call results, globals, stdin and function pointers', () => {
    expect(
      get('sensor_alarm').records.every((r) => r.calls.length === 1 && r.calls[0]!.fn === 'read_sensor'),
    ).toBe(true);
    expect(get('by_mode').records.some((r) => r.globals.some((g) => g.name === 'mode'))).toBe(true);
    expect(get('count_lines').records.some((r) => Buffer.from(r.streams.stdin, 'base64').includes(10))).toBe(
      true,
    );
    expect(get('apply').records.some((r) => valueIsFn(r.args[0]!))).toBe(true);
    // A variadic function gets extra integer arguments (clang's inline va_arg at -O2 has register-save-area
    // blocks the engine's va_list never takes, so its coverage is not asserted above).
    expect(get('sum_va').records.every((r) => r.args.length === 1 + 6)).toBe(true);
    // A FILE * argument that the function reads becomes stdin, with generated bytes.
    expect(
      get('count_x').records.some((r) => JSON.stringify(r.args[0]) === '{"t":"ptr","stream":"stdin"}'),
    ).toBe(true);
  });

  it('replays every kept input bit for bit in the engine', () => {
    const { session, byFn } = results.get(opt)!;
    for (const r of byFn.values())
      for (const rec of r.records)
        expect({ fn: rec.function, v: replayInEngine(session, rec) }).toEqual({
          fn: rec.function,
          v: { status: 'ok', reason: '' },
        });
  });

  it('replays every kept input natively', async () => {
    const { text, file } = texts.get(opt)!;
    const all = [...results.get(opt)!.byFn.values()].flatMap((r) => r.records);
    const res = await replayNativeText(text, file, all, {
      timeoutMs: 10_000,
      memLimitMb: 512,
      workDir: join(dir, `native-${opt}`),
    });
    const bad = res.filter((x) => x.status !== 'ok' && x.status !== 'not-run');
    expect(bad).toEqual([]);
    // root_writable: the engine's file system has no /root; natively the replay runs as nobody when we are
    // root (docs/native-replay.md), so it cannot write there either.
    for (const fn of [
      'out_param',
      'addr_hash',
      'show_ptr',
      'cpu_flags',
      'now_parity',
      'usec_parity',
      'root_writable',
      'tsc_parity',
      'tls_bump',
      'raw_getrandom',
      'locked_getc',
    ])
      expect(res.some((x) => x.function === fn && x.status === 'ok' && x.reason === '')).toBe(true);
    // What the three above need: the engine's rdtsc value, a thread-local global and a stubbed syscall().
    const of = (fn: string) => all.filter((x) => x.function === fn);
    expect(
      of('tsc_parity').every(
        (x) => x.outcome.kind === 'returned' && x.outcome.ret?.t === 'int' && x.outcome.ret.v === '1',
      ),
    ).toBe(true);
    expect(of('tls_bump').some((x) => x.outcome.memory.globals.some((g) => g.name === 'tls_count'))).toBe(
      true,
    );
    expect(of('raw_getrandom').every((x) => x.calls[0]?.fn === 'syscall')).toBe(true);
    // The noreturn-call record: natively the stub of `fatal` ends the run too, memory compared.
    const nr = all.findIndex((x) => x.function === 'checked_div' && x.outcome.kind === 'noreturn-call');
    expect(res[nr]).toMatchObject({ status: 'ok', reason: '' });
    expect(res.filter((x) => x.status === 'ok').length).toBeGreaterThan(all.length * 0.9);
  }, 120_000);
});

describe('determinism and divergence', () => {
  it('the same seed gives the same records from a fresh session', () => {
    const { text, file } = texts.get('2')!;
    const again = new GenSession(parseModule(text, file), {
      modulePath: 'gen-O2.ll',
      moduleHash: moduleHash(text),
    });
    for (const fn of ['list_max_gt', 'classify', 'apply', 'count_lines']) {
      const a = results.get('2')!.byFn.get(fn)!.records.map(encodeRecord);
      const b = searchFunction(again, fn, SEARCH).records.map(encodeRecord);
      expect(b).toEqual(a);
    }
  });

  it('compact code (checks and counters as helper calls, the default) runs exactly like inline code', () => {
    const { text, file } = texts.get('2')!;
    const inline = new GenSession(parseModule(text, file), {
      modulePath: 'gen-O2.ll',
      moduleHash: moduleHash(text),
      compact: false,
    });
    // The two forms really differ: inline shadow checks and block counters here, helper calls by default.
    expect(inline.engine.linked.source).toMatch(/COV\[\d+\]\+\+/);
    expect(inline.engine.linked.source).not.toMatch(/= R32\(/);
    const compact = results.get('2')!.session.engine.linked.source;
    expect(compact).toMatch(/= R32\(/);
    expect(compact).toMatch(/\bW64\(|\bWP\(/);
    expect(compact).not.toMatch(/COV\[\d+\]\+\+/);
    for (const [fn, r] of results.get('2')!.byFn) {
      const b = searchFunction(inline, fn, SEARCH);
      expect(b.records.map(encodeRecord), fn).toEqual(r.records.map(encodeRecord));
      expect(b.covered, fn).toBe(r.covered);
    }
  }, 120_000);

  it('outlined loops (every loop a JS function of its own) give exactly the records of whole functions', () => {
    for (const level of ['0', '2']) {
      const { text, file } = texts.get(level)!;
      const all = new GenSession(parseModule(text, file), {
        modulePath: `gen-O${level}.ll`,
        moduleHash: moduleHash(text),
        outline: { minFunction: 0, minRegion: 0, maxRegion: 0 },
      });
      expect(all.engine.linked.source).toMatch(/^function f\d+_L\d+\(/m);
      for (const [fn, r] of results.get(level)!.byFn) {
        const b = searchFunction(all, fn, SEARCH);
        expect(b.records.map(encodeRecord), fn).toEqual(r.records.map(encodeRecord));
        expect(b.covered, fn).toBe(r.covered);
      }
      all.dispose();
    }
  }, 120_000);

  it('a disposed session leaves its memory all zero, and the next session reuses it', () => {
    const { text, file } = texts.get('0')!;
    const s = new GenSession(parseModule(text, file), {
      modulePath: 'gen-O0.ll',
      moduleHash: moduleHash(text),
    });
    // The last one leaves input objects in memory.
    for (const fn of ['apply', 'classify', 'count_lines', 'list_len']) searchFunction(s, fn, SEARCH);
    const { u8, shadow } = s.engine.mem;
    s.dispose();
    // Every byte of both 1 GiB buffers (4 at a time; untouched pages read as zero without being allocated).
    for (const b of [u8, shadow]) {
      const w = new Int32Array(b.buffer, b.byteOffset, b.byteLength / 4);
      let nonzero = -1;
      for (let i = 0; i < w.length; i++)
        if (w[i] !== 0) {
          nonzero = i * 4;
          break;
        }
      expect(nonzero).toBe(-1);
    }
    const next = new GenSession(parseModule(text, file), {
      modulePath: 'gen-O0.ll',
      moduleHash: moduleHash(text),
    });
    expect(next.engine.mem.u8.buffer).toBe(u8.buffer);
    // And runs exactly as on fresh memory.
    for (const fn of ['list_max_gt', 'count_lines'])
      expect(searchFunction(next, fn, SEARCH).records.map(encodeRecord)).toEqual(
        results.get('0')!.byFn.get(fn)!.records.map(encodeRecord),
      );
  }, 120_000);

  it('a record that does not cover what the function reads is an input divergence', () => {
    const { session, byFn } = results.get('0')!;
    const rec = byFn.get('list_len')!.records.find((r) => r.objects.length > 0)!;
    const cut: InputRecord = {
      ...rec,
      objects: rec.objects.map((o) => ({ ...o, size: 0, input: [], relocs: [] })),
    };
    const v = replayInEngine(session, cut);
    expect(v.status).toBe('mismatch');
    expect(v.reason).toMatch(/input-divergence/);
  });

  it('a record for another version of the module is refused', () => {
    const { session, byFn } = results.get('0')!;
    const rec = byFn.get('magic')!.records[0]!;
    expect(replayInEngine(session, { ...rec, moduleHash: '0'.repeat(64) }).status).toBe('mismatch');
  });
});
