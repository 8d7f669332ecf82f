/**
 * @fileoverview Stage: mathlib. One chunk of one function, every implementation: the unit of work, of
 * parallelism (worker threads, src/mathlib/worker.ts) and of resumption.
 *
 * Consumes: a `ChunkTask` (function, input set, chunk, the implementations' executables). Produces, in the
 * function's cache directory, one JSON file per implementation (`cNNNNN.IMPL.json`: its `Tally` and the
 * seconds it took) and, when the engine and glibc are both measured, `cNNNNN.fidelity.json` (every input
 * where their bits differ, up to a cap, and the count). Files are written atomically; a chunk whose files
 * all exist is skipped, so an interrupted run resumes where it stopped. Raw results live in a temporary
 * directory (tmpfs when there is one) only while the chunk is measured.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/fsx.js';
import { runHarness, type ChunkInput } from './harness.js';
import { evalBits, evalSamples, jsFunction, type JsImplName } from './impls.js';
import { mathFunction } from './functions.js';
import { chunkInputs, f32FromBits, type Chunk, type InputSet } from './inputs.js';
import { binOfArg, binOfBits, type BinSpec } from './bins.js';
import { compareBits, measure, type BitDiff, type ChunkView, type Tally } from './measure.js';
import { parseReference, type RefChunk } from './reference.js';

export interface ChunkTask {
  readonly fn: string;
  readonly set: InputSet;
  readonly chunk: Chunk;
  readonly natives: readonly { readonly name: string; readonly exe: string }[];
  readonly js: readonly JsImplName[];
  readonly refExe: string;
  /** Cache directory of this function and input set. */
  readonly dir: string;
  readonly tmp: string;
  readonly fidelity: boolean;
  readonly diffCap: number;
  readonly bins: BinSpec;
}

export interface ImplChunk {
  readonly tally: Tally;
  readonly seconds: number;
}

export interface FidelityChunk {
  readonly count: number;
  readonly diffs: BitDiff[];
}

export const chunkFile = (dir: string, index: number, what: string): string =>
  join(dir, `c${String(index).padStart(5, '0')}.${what}.json`);

/** The implementations (and 'fidelity', 'reference') still missing for the task's chunk. */
export function missing(task: ChunkTask): string[] {
  const all = [
    ...task.natives.map((n) => n.name),
    ...task.js,
    'reference',
    ...(task.fidelity ? ['fidelity'] : []),
  ];
  return all.filter((w) => !existsSync(chunkFile(task.dir, task.chunk.index, w)));
}

function readTyped(path: string, float: boolean): Float32Array | Float64Array {
  const buf = readFileSync(path);
  rmSync(path, { force: true });
  const ab = buf.byteOffset % 8 === 0 ? buf.buffer : new Uint8Array(buf).buffer;
  const off = buf.byteOffset % 8 === 0 ? buf.byteOffset : 0;
  return float ? new Float32Array(ab, off, buf.length / 4) : new Float64Array(ab, off, buf.length / 8);
}

interface Evaluated {
  readonly ref: RefChunk;
  readonly refSeconds: number;
  readonly results: Map<string, Float32Array | Float64Array>;
  readonly seconds: Map<string, number>;
}

const now = (): bigint => process.hrtime.bigint();
const since = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e9;

/** Run one chunk: evaluate what is missing, measure, write the chunk's files. */
export function runChunk(task: ChunkTask): void {
  const todo = new Set(missing(task));
  if (todo.size === 0) return;
  if (todo.has('fidelity')) {
    todo.add('engine');
    todo.add('glibc');
  }
  const fn = mathFunction(task.fn);
  const c = task.chunk;
  const tag = `${fn.name}-${c.index}-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  let view: ChunkView;
  let ev: Evaluated;
  if (c.kind === 'bits') {
    view = {
      float: true,
      n: c.hi - c.lo,
      args: (i) => [f32FromBits(c.lo + i)],
      bin: (i) => binOfBits(task.bins, c.lo + i),
      monotone: true,
    };
    ev = evalBits32(task, todo, c.lo, c.hi, tag);
  } else {
    const args = chunkInputs(fn, task.set, c);
    view = {
      float: fn.float,
      n: args.length / fn.arity,
      args: (i) => Array.from(args.subarray(i * fn.arity, (i + 1) * fn.arity)),
      bin: (i) => binOfArg(task.bins, args[i * fn.arity] as number),
    };
    ev = evalSampled(task, todo, args, tag);
  }
  for (const [name, y] of ev.results) {
    if (!existsSync(chunkFile(task.dir, c.index, name))) {
      const rec: ImplChunk = { tally: measure(y, ev.ref, view), seconds: ev.seconds.get(name) ?? 0 };
      writeFileAtomic(chunkFile(task.dir, c.index, name), JSON.stringify(rec));
    }
  }
  if (todo.has('fidelity')) {
    const e = ev.results.get('engine');
    const g = ev.results.get('glibc');
    if (e !== undefined && g !== undefined) {
      const { count, diffs, raw } = compareBits(e, g, view, task.diffCap);
      writeFileAtomic(chunkFile(task.dir, c.index, 'fidelity').replace(/\.json$/, '.bin'), raw);
      const rec: FidelityChunk = { count, diffs };
      writeFileAtomic(chunkFile(task.dir, c.index, 'fidelity'), JSON.stringify(rec));
    }
  }
  writeFileAtomic(
    chunkFile(task.dir, c.index, 'reference'),
    JSON.stringify({ seconds: ev.refSeconds, fallbacks: ev.ref.fallbacks, n: view.n }),
  );
}

/** Sampled inputs: every program reads the input file and writes every result. */
function evalSampled(
  task: ChunkTask,
  todo: Set<string>,
  args: Float32Array | Float64Array,
  tag: string,
): Evaluated {
  const fn = mathFunction(task.fn);
  const path = join(task.tmp, `in-${tag}`);
  writeFileAtomic(path, new Uint8Array(args.buffer, args.byteOffset, args.byteLength));
  const input: ChunkInput = { kind: 'file', path };
  const n = args.length / fn.arity;
  try {
    const t0 = now();
    const refOut = join(task.tmp, `ref-${tag}`);
    const stderr = runHarness(task.refExe, fn.name, input, refOut);
    const refBuf = readFileSync(refOut);
    rmSync(refOut, { force: true });
    const ref = parseReference(refBuf, n, fn.float, stderr);
    const refSeconds = since(t0);
    const results = new Map<string, Float32Array | Float64Array>();
    const seconds = new Map<string, number>();
    for (const nat of task.natives) {
      if (!todo.has(nat.name)) continue;
      const t = now();
      const out = join(task.tmp, `${nat.name}-${tag}`);
      runHarness(nat.exe, fn.name, input, out);
      results.set(nat.name, readTyped(out, fn.float));
      seconds.set(nat.name, since(t));
    }
    for (const name of task.js) {
      if (!todo.has(name)) continue;
      const t = now();
      results.set(name, evalSamples(jsFunction(name, fn), fn, args));
      seconds.set(name, since(t));
    }
    return { ref, refSeconds, results, seconds };
  } finally {
    rmSync(path, { force: true });
  }
}

/**
 * Exhaustive binary32 inputs lo..hi-1: the reference writes only the correctly rounded bits, the native
 * harnesses only their differing results (`rangecheck`), and the exact values are asked for again only at
 * the inputs some implementation got wrong. Results are rebuilt as full arrays for the measures.
 */
function evalBits32(task: ChunkTask, todo: Set<string>, lo: number, hi: number, tag: string): Evaluated {
  const fn = mathFunction(task.fn);
  const n = hi - lo;
  const t0 = now();
  const crPath = join(task.tmp, `cr-${tag}`);
  const stderr1 = runHarness(task.refExe, fn.name, { kind: 'range', lo, hi }, crPath);
  try {
    const crBuf = readFileSync(crPath);
    const crBits = new Uint32Array(n);
    new Uint8Array(crBits.buffer).set(crBuf.subarray(0, n * 4));
    const crF = new Float32Array(crBits.buffer);
    let refSeconds = since(t0);
    const results = new Map<string, Float32Array | Float64Array>();
    const seconds = new Map<string, number>();
    const wrong = new Set<number>();
    for (const nat of task.natives) {
      if (!todo.has(nat.name)) continue;
      const t = now();
      const out = join(task.tmp, `${nat.name}-${tag}`);
      runHarness(nat.exe, fn.name, { kind: 'range', lo, hi, check: crPath }, out);
      const pairs = readFileSync(out);
      rmSync(out, { force: true });
      const y = new Uint32Array(crBits);
      for (let k = 0; k + 8 <= pairs.length; k += 8) {
        const i = pairs.readUInt32LE(k);
        y[i] = pairs.readUInt32LE(k + 4);
        wrong.add(i);
      }
      results.set(nat.name, new Float32Array(y.buffer));
      seconds.set(nat.name, since(t));
    }
    for (const name of task.js) {
      if (!todo.has(name)) continue;
      const t = now();
      const y = evalBits(jsFunction(name, fn), lo, hi);
      seconds.set(name, since(t));
      const yb = new Uint32Array(y.buffer);
      // NaNs of another sign or payload are no difference (JavaScript has one NaN).
      for (let i = 0; i < n; i++)
        if (yb[i] !== crBits[i] && !(y[i] !== y[i] && crF[i] !== crF[i])) wrong.add(i);
      results.set(name, y);
    }
    // The exact values at the inputs some implementation got wrong.
    const t1 = now();
    const idx = [...wrong].sort((a, b) => a - b);
    const approx = new Float64Array(n);
    const fallbacks = /fallbacks (\d+)/.exec(stderr1)?.[1] ?? '0';
    if (idx.length > 0) {
      const xs = new Uint32Array(idx.map((i) => lo + i));
      const inPath = join(task.tmp, `wrong-${tag}`);
      const outPath = join(task.tmp, `exact-${tag}`);
      writeFileAtomic(inPath, new Uint8Array(xs.buffer));
      const stderr2 = runHarness(task.refExe, fn.name, { kind: 'file', path: inPath }, outPath);
      const again = parseReference(readFileSync(outPath), idx.length, true, stderr2);
      rmSync(inPath, { force: true });
      rmSync(outPath, { force: true });
      idx.forEach((i, k) => (approx[i] = again.approx[k] as number));
      // (second-pass fallbacks are not counted again: the count is the first pass's, as for sampled chunks)
    }
    refSeconds += since(t1);
    return { ref: { cr: crBits, approx, fallbacks: Number(fallbacks) }, refSeconds, results, seconds };
  } finally {
    rmSync(crPath, { force: true });
  }
}
