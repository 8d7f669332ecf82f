// A gen output directory as a map of its files' bytes, and the comparison the distributed benches make
// (bench/shard-bench.mjs, slurm-bench.mjs, queue-bench.mjs): a merged or finished directory against one
// gen run's, byte for byte, timings.jsonl aside (wall-clock times, the one file that differs by design).
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { walkFiles } = await import(join(root, 'dist/util/fsx.js'));

/** Relative path -> bytes of every file under `d` but timings.jsonl. */
export function tree(d) {
  const out = new Map();
  for (const f of walkFiles(d, {}))
    if (!f.endsWith('timings.jsonl')) out.set(relative(d, f), readFileSync(f));
  return out;
}

/** The first difference between two trees, or undefined when they are the same. */
export function same(a, b) {
  if (a.size !== b.size) return `${a.size} files against ${b.size}`;
  for (const [f, bytes] of a) if (!b.has(f) || !b.get(f).equals(bytes)) return `${f} differs`;
  return undefined;
}
