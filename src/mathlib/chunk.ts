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
import { parseReference } from './reference.js';

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
  const all = [...task.natives.map((n) => n.name), ...task.js, 'reference', ...(task.fidelity ? ['fidelity'] : [])];
  return all.filter((w) => !existsSync(chunkFile(task.dir, task.chunk.index, w)));
}

function readTyped(path: string, float: boolean): Float32Array | Float64Array {
  const buf = readFileSync(path);
  rmSync(path, { force: true });
  const ab = buf.byteOffset % 8 === 0 ? buf.buffer : new Uint8Array(buf).buffer;
  const off = buf.byteOffset % 8 === 0 ? buf.byteOffset : 0;
  return float ? new Float32Array(ab, off, buf.length / 4) : new Float64Array(ab, off, buf.length / 8);
}

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
  let input: ChunkInput;
  let args: Float32Array | Float64Array | undefined;
  if (c.kind === 'bits') input = { kind: 'range', lo: c.lo, hi: c.hi };
  else {
    args = chunkInputs(fn, task.set, c);
    const path = join(task.tmp, `in-${tag}`);
    writeFileAtomic(path, new Uint8Array(args.buffer, args.byteOffset, args.byteLength));
    input = { kind: 'file', path };
  }
  // A hard-case chunk of a binary64 function is Float64Array; binary32 samples are Float32Array.
  const n = c.kind === 'bits' ? c.hi - c.lo : (args as Float32Array | Float64Array).length / fn.arity;
  const view: ChunkView =
    c.kind === 'bits'
      ? {
          float: true,
          n,
          args: (i) => [f32FromBits(c.lo + i)],
          bin: (i) => binOfBits(task.bins, c.lo + i),
          monotone: true,
        }
      : {
          float: fn.float,
          n,
          args: (i) => Array.from((args as Float64Array).subarray(i * fn.arity, (i + 1) * fn.arity)),
          bin: (i) => binOfArg(task.bins, (args as Float64Array)[i * fn.arity] as number),
        };
  const t0 = process.hrtime.bigint();
  const refOut = join(task.tmp, `ref-${tag}`);
  const stderr = runHarness(task.refExe, fn.name, input, refOut);
  const refBuf = readFileSync(refOut);
  rmSync(refOut, { force: true });
  const ref = parseReference(refBuf, n, fn.float, stderr);
  const refSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const results = new Map<string, Float32Array | Float64Array>();
  const seconds = new Map<string, number>();
  for (const nat of task.natives) {
    if (!todo.has(nat.name)) continue;
    const t = process.hrtime.bigint();
    const out = join(task.tmp, `${nat.name}-${tag}`);
    runHarness(nat.exe, fn.name, input, out);
    results.set(nat.name, readTyped(out, fn.float));
    seconds.set(nat.name, Number(process.hrtime.bigint() - t) / 1e9);
  }
  for (const name of task.js) {
    if (!todo.has(name)) continue;
    const f = jsFunction(name, fn);
    const t = process.hrtime.bigint();
    results.set(name, c.kind === 'bits' ? evalBits(f, c.lo, c.hi) : evalSamples(f, fn, args as Float64Array));
    seconds.set(name, Number(process.hrtime.bigint() - t) / 1e9);
  }
  if (input.kind === 'file') rmSync(input.path, { force: true });
  for (const [name, y] of results) {
    if (!existsSync(chunkFile(task.dir, c.index, name))) {
      const rec: ImplChunk = { tally: measure(y, ref, view), seconds: seconds.get(name) ?? 0 };
      writeFileAtomic(chunkFile(task.dir, c.index, name), JSON.stringify(rec));
    }
  }
  if (todo.has('fidelity')) {
    const e = results.get('engine');
    const g = results.get('glibc');
    if (e !== undefined && g !== undefined) {
      const { count, diffs, raw } = compareBits(e, g, view, task.diffCap);
      writeFileAtomic(chunkFile(task.dir, c.index, 'fidelity').replace(/\.json$/, '.bin'), raw);
      const rec: FidelityChunk = { count, diffs };
      writeFileAtomic(chunkFile(task.dir, c.index, 'fidelity'), JSON.stringify(rec));
    }
  }
  writeFileAtomic(
    chunkFile(task.dir, c.index, 'reference'),
    JSON.stringify({ seconds: refSeconds, fallbacks: ref.fallbacks, n }),
  );
}
