/**
 * The dataset's output state (src/export/dataset-state.ts `objectChanges`) of an object holding many
 * pointers: the pointers the run changed, and only those, whatever the object's size (an input of
 * sqlite3's with 100,000s of pointer slots stalled the export when each slot was compared with every
 * other).
 */
import { describe, expect, it } from 'vitest';
import { objectChanges } from '../src/export/dataset-state.js';
import { b64, RECORD_FORMAT, type InputRecord, type Reloc } from '../src/gen/record.js';

const SLOTS = 120_000;

function record(): InputRecord {
  const bytes = new Uint8Array(8 * SLOTS);
  const before: Reloc[] = [];
  const after: Reloc[] = [];
  for (let k = 0; k < SLOTS; k++) {
    before.push({ at: 8 * k, to: { obj: 1, off: k % 64 } });
    // Every 1000th slot points elsewhere afterwards.
    after.push({ at: 8 * k, to: k % 1000 === 7 ? { obj: 1, off: 100 } : { obj: 1, off: k % 64 } });
  }
  const small = new Uint8Array(256);
  return {
    format: RECORD_FORMAT,
    version: 2,
    module: 'm.ll',
    moduleHash: '',
    function: 'f',
    seed: '1',
    index: 0,
    args: [],
    objects: [
      {
        id: 0,
        lo: 0,
        size: bytes.length,
        baseMod: 0,
        data: b64(bytes),
        input: [[0, bytes.length]],
        relocs: before,
      },
      { id: 1, lo: 0, size: 256, baseMod: 0, data: b64(small), input: [[0, 256]], relocs: [] },
    ],
    globals: [],
    calls: [],
    streams: { stdin: '', files: [] },
    outcome: {
      kind: 'returned',
      stdout: '',
      stderr: '',
      memory: { objects: [{ id: 0, data: b64(bytes), relocs: after }], globals: [] },
      blocks: [0],
      steps: 1,
    },
  };
}

describe('dataset output state', () => {
  it('reports exactly the pointers a run changed in an object of 120,000 pointer slots', () => {
    const ch = objectChanges(record());
    expect(ch).toHaveLength(1);
    expect(ch[0]!.id).toBe(0);
    expect(ch[0]!.changes).toEqual([]);
    const changed = ch[0]!.pointers.map((p) => p.at);
    expect(changed).toHaveLength(SLOTS / 1000);
    expect(changed.every((at) => (at / 8) % 1000 === 7)).toBe(true);
  });
});
