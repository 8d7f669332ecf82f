/**
 * Static sharding (issue 17): `gen --shard i/N` runs share i of the modules, and `inputsmith merge` of
 * the N shard directories is byte for byte the directory one run writes (timings.jsonl aside), a module
 * that fails included; shards are balanced by estimated cost and deterministic; a merge of directories
 * that are not the N finished shards of one run is refused with a clear error.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCampaign, type CampaignOptions } from '../src/guide/campaign.js';
import { assignShards, irCost, mergeShards, moduleCosts, parseShard } from '../src/guide/shard.js';
import { walkFiles } from '../src/util/fsx.js';

const ROOT = join(__dirname, '..');
const BIN = join(ROOT, 'bin', 'inputsmith.js');
let dir: string;
let inputs: string[];
let whole: string;
const shardDirs: string[] = [];

/** Every file under `d` (relative path -> bytes), timings.jsonl left out. */
function tree(d: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of walkFiles(d, {}))
    if (!f.endsWith('timings.jsonl')) out.set(relative(d, f), readFileSync(f, 'latin1'));
  return out;
}

function options(out: string, extra: Partial<CampaignOptions> = {}): CampaignOptions {
  return { inputs, out, jobs: 2, seed: '7', maxRuns: 30, sample: 1, ...extra };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-shard-'));
  inputs = ['bst.c', 'dispatch.c', 'geometry.c', 'kvparse.c', 'linked_list.c', 'wordcount.c'].map((f) => {
    copyFileSync(join(ROOT, 'examples', f), join(dir, f));
    return join(dir, f);
  });
  // A module that loads but does not parse: its failure must come through the merge.
  writeFileSync(join(dir, 'broken.ll'), 'define i32 @f( {\n  ret i32 0\n}\n');
  inputs.push(join(dir, 'broken.ll'));
  whole = join(dir, 'whole');
  await runCampaign(options(whole));
  for (let i = 1; i <= 3; i++) {
    const d = join(dir, `shard${i}`);
    await runCampaign(options(d, { shard: { index: i, count: 3 } }));
    shardDirs.push(d);
  }
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gen --shard and merge', () => {
  it('merges into exactly the directory of one run', () => {
    const merged = join(dir, 'merged');
    const r = mergeShards([...shardDirs].reverse(), merged, false);
    expect(r.shards).toBe(3);
    expect(r.modules).toBe(7);
    const want = tree(whole);
    const got = tree(merged);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [f, bytes] of want) expect(got.get(f), f).toBe(bytes);
    // The broken module's failure is in the merged summary, as in the whole run's.
    const summary = JSON.parse(want.get('summary.json')!) as { modules: { key: string; status: string }[] };
    const failed = summary.modules.filter((m) => m.status !== 'ok').map((m) => m.key);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(/broken\.ll$/);
  });

  it('splits the modules: each shard has its own share, together all of them', () => {
    const owned = shardDirs.map(
      (d) =>
        (JSON.parse(readFileSync(join(d, 'shard.json'), 'utf8')) as { modules: { key: string }[] }).modules,
    );
    const keys = owned.flat().map((m) => m.key);
    expect(keys.length).toBe(7);
    expect(new Set(keys).size).toBe(7);
    for (const o of owned) expect(o.length).toBeGreaterThan(0);
    // A shard's summary covers its own modules only.
    const s1 = JSON.parse(readFileSync(join(shardDirs[0]!, 'summary.json'), 'utf8')) as {
      modules: unknown[];
    };
    expect(s1.modules.length).toBe(owned[0]!.length);
  });

  it("balances by an earlier run's timings with --shard-costs, and merges the same", async () => {
    const costs = join(whole, 'timings.jsonl');
    const dirs: string[] = [];
    for (let i = 1; i <= 2; i++) {
      const d = join(dir, `costed${i}`);
      await runCampaign(options(d, { shard: { index: i, count: 2, costs } }));
      dirs.push(d);
    }
    const run1 = JSON.parse(readFileSync(join(dirs[0]!, 'run.json'), 'utf8')) as { shard: { costs: string } };
    expect(run1.shard.costs).toMatch(/^[0-9a-f]{16}$/);
    const merged = join(dir, 'costed-merged');
    mergeShards(dirs, merged, false);
    const want = tree(whole);
    const got = tree(merged);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [f, bytes] of want) expect(got.get(f), f).toBe(bytes);
  }, 120_000);

  it('refuses what is not the finished shards of one run', async () => {
    expect(() => mergeShards(shardDirs.slice(0, 2), join(dir, 'm1'), false)).toThrow(/shard 3\/3 is missing/);
    expect(() => mergeShards([shardDirs[0]!, shardDirs[0]!, shardDirs[2]!], join(dir, 'm2'), false)).toThrow(
      /is shard 1\/3 again/,
    );
    expect(() => mergeShards([whole], join(dir, 'm3'), false)).toThrow(/holds a whole run, not a shard/);
    // A shard of another run (another seed).
    const other = join(dir, 'other');
    await runCampaign(options(other, { seed: '8', shard: { index: 3, count: 3 } }));
    expect(() => mergeShards([shardDirs[0]!, shardDirs[1]!, other], join(dir, 'm4'), false)).toThrow(
      /is a shard of another run/,
    );
    // An unfinished shard (interrupted before its end: no shard.json).
    rmSync(join(other, 'shard.json'));
    expect(() => mergeShards([other], join(dir, 'm5'), false)).toThrow(/has not finished/);
  }, 120_000);

  it('the CLI: --shard is checked, merge prints the summary and exits 0', () => {
    const bad = spawnSync(
      process.execPath,
      [BIN, 'gen', inputs[0]!, '-o', join(dir, 'x'), '--shard', '4/3'],
      {
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--shard.*1 <= i <= N/);
    const ok = spawnSync(process.execPath, [BIN, 'merge', ...shardDirs, '-o', join(dir, 'cli-merged')], {
      encoding: 'utf8',
    });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/merged 3 shards \(7 modules\)/);
    expect(readFileSync(join(dir, 'cli-merged', 'summary.json'), 'utf8')).toBe(
      readFileSync(join(whole, 'summary.json'), 'utf8'),
    );
  });
});

describe('shard assignment', () => {
  it('parses i/N', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1', '-1/2'])
      expect(() => parseShard(bad)).toThrow(/i\/N/);
  });

  it('balances by cost, deterministically', () => {
    const costs = [50, 10, 10, 10, 10, 10, 40, 5, 5, 60];
    const owner = assignShards(costs, 3);
    expect(assignShards(costs, 3)).toEqual(owner);
    const load = [0, 0, 0];
    costs.forEach((c, i) => (load[owner[i]!]! += c));
    // Longest processing time first: no shard exceeds the mean by more than the largest module.
    const mean = costs.reduce((a, b) => a + b, 0) / 3;
    for (const l of load) expect(l).toBeLessThanOrEqual(mean + Math.max(...costs));
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(10);
    // More shards than modules: the extra shards own nothing.
    expect(new Set(assignShards([3, 1], 4))).toEqual(new Set([0, 1]));
  });

  it('estimates from a timings.jsonl: CPU time per module, the others scaled by size', () => {
    const body = (n: number): string =>
      `define void @f() {\n${'  call void @g()\n'.repeat(n)}  ret void\n}\n`;
    const mods = [
      { path: 'a.ll', text: body(9) },
      { path: 'b.ll', text: body(19) },
      { path: 'c.ll', text: body(4) },
    ];
    const file = join(dir, 'costs.jsonl');
    writeFileSync(
      file,
      [
        { module: 'a.ll', function: 'f', timeMs: 900, cpuMs: 300 },
        { module: 'a.ll', function: 'g', timeMs: 100, cpuMs: 100 },
        { module: 'b.ll', function: 'f', timeMs: 5, cpuMs: 0 },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const c = moduleCosts(mods, file);
    expect(c[0]).toBe(400);
    expect(c[1]).toBe(1);
    // c.ll: 5 instructions at the file's 400 ms per 30 instructions.
    expect(c[2]).toBeCloseTo((5 * 400) / 30, 9);
    expect(moduleCosts(mods)).toEqual([10, 20, 5]);
    writeFileSync(file, 'not json\n');
    expect(() => moduleCosts(mods, file)).toThrow(/not a timings.jsonl/);
    expect(() => moduleCosts(mods, join(dir, 'none.jsonl'))).toThrow(/cannot read/);
  });

  it('estimates a module by its instructions', () => {
    const text = 'define i32 @f(i32 %x) {\n  %a = add i32 %x, 1\n  ret i32 %a\n}\n@g = global i32 0\n';
    expect(irCost(text)).toBe(2);
    expect(irCost(undefined)).toBe(0);
  });
});
