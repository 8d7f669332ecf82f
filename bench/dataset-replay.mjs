#!/usr/bin/env node
// Replays a sample of a dataset's rows from their own `input` column and checks each reproduces the
// row's `output`, `covered_blocks` and `steps` (replayRow, src/export/dataset-replay.ts). Run where gen
// ran (module paths are relative to it). Prints one JSON line: {checked, ok, differ: [{id, why}]}.
//
// Usage: node bench/dataset-replay.mjs OUT DATASET_DIR [sample]   (sample: rows checked at most, spread
// evenly over the rows; default 50)
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { openRunDir } = await import(join(root, 'dist/export/run-dir.js'));
const { replayRow } = await import(join(root, 'dist/export/dataset-replay.js'));
const { GenSession } = await import(join(root, 'dist/gen/runtime.js'));
const [out, ds, sampleArg] = process.argv.slice(2);
const rows = readFileSync(join(ds, 'data.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const want = Number(sampleArg ?? 50);
const step = Math.max(1, Math.floor(rows.length / want));
const sample = rows.filter((_, i) => i % step === 0).slice(0, want);
const byModule = new Map();
for (const r of sample) byModule.set(r.module, [...(byModule.get(r.module) ?? []), r]);
const { spec, modules } = openRunDir(out);
let checked = 0;
const differ = [];
for await (const mod of modules) {
  const mine = byModule.get(mod.path);
  if (mine === undefined) continue;
  const session = new GenSession(mod.m, { modulePath: mod.path, moduleHash: mod.hash, limits: spec.limits });
  for (const r of mine) {
    const why = replayRow(session, r, spec.seed);
    checked++;
    if (why !== 'ok') differ.push({ id: r.id, why });
  }
  session.dispose();
}
console.log(JSON.stringify({ checked, ok: checked - differ.length, differ }));
