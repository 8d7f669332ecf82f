/**
 * @fileoverview Stage: export. A dataset row replayed from its own columns: the `input` column turned back
 * into an input record, run in the engine, and the run's output state compared with the row's `output`,
 * `covered_blocks` and `steps`. It checks that a row is self-contained (its input alone reproduces its
 * output, with nothing from the gen run's files); the bench runs it on a sample of rows
 * (bench/dataset-bench.mjs) and the tests on every row.
 *
 * Consumes: a row (`DatasetRow`, or the same object read back from JSONL or Parquet), a `GenSession` of
 * the row's module (compiled in gen mode, as `replay` compiles it) and the run's seed (the card's, the
 * Parquet footer's `seed`). Produces: 'ok', or the first difference (`output.ret: recorded ..., replay ...`).
 */
import { Plan } from '../gen/plan.js';
import {
  RECORD_FORMAT,
  RECORD_VERSION,
  type InputRecord,
  type ObjectRec,
  type Reloc,
  type ValueRec,
} from '../gen/record.js';
import type { GenSession } from '../gen/runtime.js';
import { firstDifference } from '../replay/engine.js';
import { Rng } from '../util/rng.js';
import { outputState } from './dataset-state.js';

/** The columns a replay reads. */
export interface ReplayableRow {
  readonly module: string;
  readonly function: string;
  readonly input_index: number;
  readonly input: string;
  readonly output: string;
  readonly covered_blocks: string;
  readonly steps: number | bigint | string;
}

interface InputJson {
  args: { value: ValueRec }[];
  objects: {
    id: number;
    lo: number;
    size: number;
    bytes: string;
    input: [number, number][];
    pointers: Reloc[];
    heap?: boolean;
    big?: number;
  }[];
  globals: { name: string; ranges: { off: number; bytes: string }[]; pointers: Reloc[] }[];
  calls: { fn: string; ret: ValueRec }[];
  stdin: string;
  files: { path: string; bytes: string }[];
  step_limit?: number;
}

const b64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

/** The input record a row's `input` column describes (its outcome left empty). */
export function recordFromRow(row: ReplayableRow, moduleHash: string, seed: string): InputRecord {
  const i = JSON.parse(row.input) as InputJson;
  return {
    format: RECORD_FORMAT,
    version: RECORD_VERSION,
    module: row.module,
    moduleHash,
    function: row.function,
    seed,
    index: row.input_index,
    args: i.args.map((a) => a.value),
    objects: i.objects.map((o): ObjectRec => ({
      id: o.id,
      lo: o.lo,
      size: o.size,
      baseMod: 0,
      data: b64(o.bytes),
      input: o.input,
      relocs: o.pointers,
      ...(o.heap === true ? { heap: true } : {}),
      ...(o.big !== undefined ? { big: o.big } : {}),
    })),
    globals: i.globals.map((g) => ({
      name: g.name,
      ranges: g.ranges.map((r) => ({ off: r.off, data: b64(r.bytes) })),
      relocs: g.pointers,
    })),
    calls: i.calls,
    streams: { stdin: b64(i.stdin), files: i.files.map((f) => ({ path: f.path, data: b64(f.bytes) })) },
    outcome: {
      kind: '',
      stdout: '',
      stderr: '',
      memory: { objects: [], globals: [] },
      blocks: [],
      steps: 0,
    },
    ...(i.step_limit !== undefined ? { stepLimit: i.step_limit } : {}),
  };
}

/** Replay `row` from its `input` on `session`: 'ok' when output, covered blocks and steps are the row's. */
export function replayRow(session: GenSession, row: ReplayableRow, seed: string): string {
  const r = recordFromRow(row, session.opts.moduleHash, seed);
  const again = session.run(r.function, Plan.fromRecord(r), 'replay', new Rng(0), {
    seed,
    index: r.index,
    stepLimit: r.stepLimit,
  }).record;
  const got = { ...r, outcome: again.outcome };
  return (
    firstDifference(JSON.parse(row.output), JSON.parse(JSON.stringify(outputState(got))), 'output') ??
    firstDifference(JSON.parse(row.covered_blocks), again.outcome.blocks, 'covered_blocks') ??
    firstDifference(Number(row.steps), again.outcome.steps, 'steps') ??
    'ok'
  );
}
