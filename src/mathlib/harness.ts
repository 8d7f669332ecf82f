/**
 * @fileoverview Stage: mathlib. The native side of an implementation under test: one C program (kept here
 * as a string, like the native replay driver) that evaluates one maths function over many inputs and writes
 * the result bits, compiled once per implementation: glibc (gcc, the system libm), musl (`musl-gcc
 * -static`), or a user's C file or shared object that defines some of the C names (`--impl-file
 * name=path`; a C file's definitions win over libm's at link time, a shared object comes first in the
 * dynamic search order).
 *
 * Consumes: an implementation spec and a work directory. Produces: `NativeImpl`, the harness executable
 * (built once per source hash under WORK/bin/) and the set of functions it provides, and `runHarness`,
 * which evaluates a chunk: `range LO HI` (binary32 bit patterns LO..HI-1, the exhaustive runs: no input
 * file at all) or `file IN` (inputs as raw little-endian values, one or two per input).
 *
 * Protocol of the C program: `harness NAME range LO HI OUT` or `harness NAME file IN OUT`; OUT receives
 * one result per input, 4 bytes for `f` functions and 8 for double ones, raw bits (NaN payloads kept).
 * `harness NAME rangecheck LO HI CR OUT` compares with the reference's results (file CR, 4 bytes each) and
 * writes only the differing ones (a NaN against a NaN of another sign or payload is no difference), as (index, bits) pairs of 32-bit words: the exhaustive runs move a few
 * kilobytes instead of 64 MiB per chunk and implementation.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { hashParts, writeFileAtomic } from '../util/fsx.js';
import { UserError } from '../util/errors.js';
import { which } from '../util/proc.js';
import { allFunctions } from './functions.js';

/** The C source of the harness. Functions are found by C name; each call goes through a pointer. */
export const HARNESS_C = String.raw`/* inputsmith mathlib harness (generated from src/mathlib/harness.ts, do not edit). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef float (*F1)(float);
typedef float (*F2)(float, float);
typedef double (*D1)(double);
typedef double (*D2)(double, double);
struct fn { const char *name; int arity, dbl; F1 f1; F2 f2; D1 d1; D2 d2; };
#define U(n) { #n "f", 1, 0, n##f, 0, 0, 0 }, { #n, 1, 1, 0, 0, n, 0 }
#define B(n) { #n "f", 2, 0, 0, n##f, 0, 0 }, { #n, 2, 1, 0, 0, 0, n }
static const struct fn FNS[] = {
  U(exp), U(exp2), U(log), U(log2), U(log10), U(sin), U(cos), U(tan), B(pow), U(sqrt), U(cbrt),
  B(atan2), B(hypot), U(expm1), U(log1p), U(sinh), U(tanh),
};
#define BUF (1u << 20)
static unsigned char buf[BUF * 8];

static void die(const char *m, const char *a) { fprintf(stderr, "harness: %s %s\n", m, a); exit(2); }

static void put(FILE *out, size_t *k, const void *v, size_t w) {
  memcpy(buf + *k * w, v, w);
  if (++*k == BUF) { if (fwrite(buf, w, BUF, out) != BUF) die("write failed", ""); *k = 0; }
}

int main(int argc, char **argv) {
  if (argc < 5) die("usage: NAME range LO HI OUT | NAME file IN OUT", "");
  const struct fn *f = 0;
  for (size_t i = 0; i < sizeof FNS / sizeof FNS[0]; i++) if (!strcmp(FNS[i].name, argv[1])) f = &FNS[i];
  if (!f) die("unknown function", argv[1]);
  size_t w = f->dbl ? 8 : 4, k = 0;
  FILE *out = fopen(argv[argc - 1], "wb");
  if (!out) die("cannot write", argv[argc - 1]);
  if (!strcmp(argv[2], "range")) {
    if (argc != 6 || f->arity != 1 || f->dbl) die("range needs a binary32 function of one argument", "");
    uint64_t lo = strtoull(argv[3], 0, 10), hi = strtoull(argv[4], 0, 10);
    F1 volatile g = f->f1;
    for (uint64_t i = lo; i < hi; i++) {
      uint32_t b = (uint32_t)i; float x, y;
      memcpy(&x, &b, 4); y = g(x); put(out, &k, &y, 4);
    }
  } else if (!strcmp(argv[2], "rangecheck")) {
    /* Only the results whose bits differ from the reference's (file CR): (index, bits) pairs. */
    if (argc != 7 || f->arity != 1 || f->dbl) die("rangecheck needs a binary32 function of one argument", "");
    uint64_t lo = strtoull(argv[3], 0, 10), hi = strtoull(argv[4], 0, 10);
    FILE *in = fopen(argv[5], "rb");
    uint32_t *cr = malloc((size_t)(hi - lo) * 4 + 4);
    if (!in || !cr || fread(cr, 4, (size_t)(hi - lo), in) != (size_t)(hi - lo)) die("cannot read", argv[5]);
    fclose(in);
    F1 volatile g = f->f1;
    w = 8;
    for (uint64_t i = lo; i < hi; i++) {
      uint32_t b = (uint32_t)i, r[2]; float x, y;
      memcpy(&x, &b, 4); y = g(x); memcpy(&r[1], &y, 4);
      float c; memcpy(&c, &cr[i - lo], 4);
      if (r[1] != cr[i - lo] && !(y != y && c != c)) { r[0] = (uint32_t)(i - lo); put(out, &k, r, w); }
    }
  } else if (!strcmp(argv[2], "file")) {
    FILE *in = fopen(argv[3], "rb");
    if (!in) die("cannot read", argv[3]);
    fseek(in, 0, SEEK_END); long size = ftell(in); fseek(in, 0, SEEK_SET);
    unsigned char *data = malloc(size > 0 ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, in) != (size_t)size) die("cannot read", argv[3]);
    size_t n = (size_t)size / (w * (size_t)f->arity);
    for (size_t i = 0; i < n; i++) {
      const unsigned char *p = data + i * w * (size_t)f->arity;
      if (f->dbl) {
        double x, y = 0, r; memcpy(&x, p, 8); if (f->arity == 2) memcpy(&y, p + 8, 8);
        r = f->arity == 1 ? f->d1(x) : f->d2(x, y); put(out, &k, &r, 8);
      } else {
        float x, y = 0, r; memcpy(&x, p, 4); if (f->arity == 2) memcpy(&y, p + 4, 4);
        r = f->arity == 1 ? f->f1(x) : f->f2(x, y); put(out, &k, &r, 4);
      }
    }
  } else die("unknown mode", argv[2]);
  if (k && fwrite(buf, w, k, out) != k) die("write failed", "");
  if (fclose(out)) die("write failed", argv[argc - 1]);
  return 0;
}
`;

/** Compiler flags of every harness: no builtins (every call reaches the library), no contraction. */
const CFLAGS = ['-O2', '-fno-builtin', '-ffp-contract=off', '-w'];

/** A native implementation: its harness and the C functions it provides. */
export interface NativeImpl {
  readonly name: string;
  readonly kind: 'glibc' | 'musl' | 'file';
  readonly exe: string;
  /** C names it defines itself (glibc and musl: all of them). */
  readonly provides: ReadonlySet<string>;
}

/** `name=path` of `--impl-file`. */
export interface ImplFileSpec {
  readonly name: string;
  readonly path: string;
}

export function parseImplFile(raw: string): ImplFileSpec {
  const m = /^([A-Za-z][\w-]*)=(.+)$/.exec(raw);
  if (!m)
    throw new UserError(
      `mathlib: --impl-file expects NAME=PATH (a .c file or a shared object), not '${raw}'`,
    );
  const path = resolve(m[2] as string);
  if (!existsSync(path)) throw new UserError(`mathlib: --impl-file ${m[1]}: no such file ${path}`);
  return { name: m[1] as string, path };
}

/** Compile `sources` with `cc` into WORK/bin/NAME-HASH unless it exists; returns the executable. */
export function buildOnce(
  work: string,
  name: string,
  cc: string,
  source: string,
  extra: readonly string[],
  libs: readonly string[],
): string {
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  const h = hashParts([cc, source, ...extra, ...libs, ...CFLAGS]).slice(0, 16);
  const exe = join(bin, `${name}-${h}`);
  if (existsSync(exe)) return exe;
  const src = join(bin, `${name}-${h}.c`);
  writeFileAtomic(src, source);
  const tmp = `${exe}.tmp-${process.pid}`;
  const r = spawnSync(cc, [...CFLAGS, '-o', tmp, src, ...extra, ...libs], { encoding: 'utf8' });
  if (r.error !== undefined || r.status !== 0) {
    const msg = (r.stderr ?? String(r.error)).split('\n').find((l) => /error/.test(l)) ?? r.stderr;
    throw new UserError(`mathlib: building the ${name} harness with ${cc} failed: ${msg.trim()}`);
  }
  renameSync(tmp, exe);
  return exe;
}

const ALL_NAMES = new Set(allFunctions().map((f) => f.name));

/** The glibc harness: gcc (or cc) against the system libm. */
export function glibcImpl(work: string): NativeImpl {
  const cc = which('gcc') ?? which('cc');
  if (cc === undefined)
    throw new UserError('mathlib: no C compiler (gcc) found: apt-get install gcc libc6-dev');
  return {
    name: 'glibc',
    kind: 'glibc',
    exe: buildOnce(work, 'glibc', cc, HARNESS_C, [], ['-lm']),
    provides: ALL_NAMES,
  };
}

/** The musl harness: musl-gcc, statically linked. */
export function muslImpl(work: string): NativeImpl {
  const cc = which('musl-gcc');
  if (cc === undefined)
    throw new UserError(
      "mathlib: musl-gcc not found: install Debian's musl-tools (apt-get install musl-tools)",
    );
  return {
    name: 'musl',
    kind: 'musl',
    exe: buildOnce(work, 'musl', cc, HARNESS_C, ['-static'], ['-lm']),
    provides: ALL_NAMES,
  };
}

/** A user's implementation: a C file compiled with the harness, or a shared object linked before libm. */
export function fileImpl(work: string, spec: ImplFileSpec): NativeImpl {
  const cc = which('gcc') ?? which('cc');
  if (cc === undefined)
    throw new UserError('mathlib: no C compiler (gcc) found: apt-get install gcc libc6-dev');
  const shared = /\.so(\.\d+)*$/.test(spec.path);
  let defined: string[];
  let extra: string[];
  if (shared) {
    defined = definedSymbols(['-D', '--defined-only', spec.path]);
    extra = [spec.path, `-Wl,-rpath,${resolve(spec.path, '..')}`];
  } else {
    const bin = join(work, 'bin');
    mkdirSync(bin, { recursive: true });
    const copy = join(bin, `${spec.name}-${basename(spec.path)}`);
    copyFileSync(spec.path, copy);
    const obj = `${copy}.o`;
    const r = spawnSync(cc, [...CFLAGS, '-c', '-o', obj, copy], { encoding: 'utf8' });
    if (r.status !== 0)
      throw new UserError(
        `mathlib: --impl-file ${spec.name}: ${spec.path} does not compile: ${firstError(r.stderr)}`,
      );
    defined = definedSymbols(['--defined-only', obj]);
    extra = [obj];
  }
  const provides = new Set(defined.filter((s) => ALL_NAMES.has(s)));
  if (provides.size === 0)
    throw new UserError(
      `mathlib: --impl-file ${spec.name}: ${spec.path} defines none of the measured functions`,
    );
  // The file's content names the harness: an edited file is built again.
  const salt = hashParts([readFileSync(spec.path)]);
  const exe = buildOnce(work, `file-${spec.name}-${salt.slice(0, 8)}`, cc, HARNESS_C, extra, ['-lm']);
  return { name: spec.name, kind: 'file', exe, provides };
}

function firstError(stderr: string): string {
  return (stderr.split('\n').find((l) => /error/.test(l)) ?? stderr).trim();
}

function definedSymbols(args: string[]): string[] {
  const r = spawnSync('nm', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new UserError(`mathlib: nm ${args.join(' ')} failed: ${firstError(r.stderr)}`);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p.length >= 3 && /^[TtWi]$/.test(p[1] as string))
    .map((p) => (p[2] as string).replace(/@.*$/, ''));
}

/** The inputs of one chunk, as the C programs take them. */
export type ChunkInput =
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number; readonly check?: string }
  | { readonly kind: 'file'; readonly path: string };

/** Run `exe NAME MODE... OUT`; throws a one-line error when it fails. */
export function runHarness(
  exe: string,
  fn: string,
  input: ChunkInput,
  out: string,
  extraArgs: string[] = [],
): string {
  const args =
    input.kind === 'range'
      ? input.check !== undefined
        ? [fn, 'rangecheck', String(input.lo), String(input.hi), input.check, ...extraArgs, out]
        : [fn, 'range', String(input.lo), String(input.hi), ...extraArgs, out]
      : [fn, 'file', input.path, ...extraArgs, out];
  const r = spawnSync(exe, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.error !== undefined || r.status !== 0)
    throw new UserError(
      `mathlib: ${basename(exe)} ${fn} failed: ${(r.stderr || String(r.error ?? r.signal)).trim()}`,
    );
  return r.stderr;
}
