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
import {
  assignShards,
  functionSizes,
  mergeShards,
  parseShard,
  ShardPlan,
  type ShardRecord,
} from '../src/guide/shard.js';
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

  it('merges native verdicts in the order one run writes them', async () => {
    const two = [inputs[1]!, inputs[3]!];
    const o = (out: string, extra: Partial<CampaignOptions> = {}): CampaignOptions => ({
      ...options(out, extra),
      inputs: two,
      native: true,
      maxRuns: 20,
    });
    const one = join(dir, 'native-whole');
    await runCampaign(o(one));
    const parts: string[] = [];
    for (let i = 1; i <= 2; i++) {
      const d = join(dir, `native${i}`);
      await runCampaign(o(d, { shard: { index: i, count: 2 } }));
      parts.push(d);
    }
    const merged = join(dir, 'native-merged');
    mergeShards(parts, merged, false);
    const want = tree(one);
    const got = tree(merged);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    expect([...want.keys()].some((f) => f.startsWith('native/'))).toBe(true);
    for (const [f, bytes] of want) expect(got.get(f), f).toBe(bytes);
  }, 240_000);

  it('splits the work: each function runs in one shard, each module has one owner', () => {
    const records = shardDirs.map(
      (d) => JSON.parse(readFileSync(join(d, 'shard.json'), 'utf8')) as ShardRecord,
    );
    const fns = records.flatMap((r) => r.modules.flatMap((m) => m.functions.map((f) => `${m.key}:${f}`)));
    const all = readFileSync(join(whole, 'functions.jsonl'), 'utf8').trim().split('\n').length;
    expect(fns.length).toBe(all);
    expect(new Set(fns).size).toBe(all);
    for (const r of records) expect(r.modules.some((m) => m.functions.length > 0)).toBe(true);
    const owners = records.flatMap((r) => r.modules.filter((m) => m.owner).map((m) => m.key));
    expect(owners.length).toBe(7);
    expect(new Set(owners).size).toBe(7);
    // Only the owner reports a module's failure.
    expect(records.flatMap((r) => r.modules.filter((m) => m.failure !== undefined))).toHaveLength(1);
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

  it('plans by function: cost from the instructions, or from a timings.jsonl', () => {
    const body = (name: string, n: number): string =>
      `define void @${name}() {\n${'  call void @g()\n'.repeat(n)}  ret void\n}\n`;
    const mods = [
      { path: 'a.ll', text: body('big', 99) + body('small', 1) },
      { path: 'b.ll', text: body('mid', 49) + body('mid2', 49) },
      { path: 'c.ll', text: undefined },
    ];
    const plans = [1, 2].map((index) => ShardPlan.make(mods, { index, count: 2 }));
    // By size: big alone on one share, the two mids and small on the other.
    const own = (p: ShardPlan, m: number, f: string): boolean => p.ownsFunction(m, f);
    for (const [m, f] of [
      [0, 'big'],
      [0, 'small'],
      [1, 'mid'],
      [1, 'mid2'],
    ] as const)
      expect(plans.filter((p) => own(p, m, f))).toHaveLength(1);
    expect(own(plans[0]!, 0, 'big')).not.toBe(own(plans[0]!, 1, 'mid'));
    expect(own(plans[0]!, 1, 'mid')).toBe(own(plans[0]!, 1, 'mid2'));
    // Every module has one owner; a module without text (not loaded) too.
    for (const m of [0, 1, 2]) expect(plans.filter((p) => p.ownsModule(m))).toHaveLength(1);
    // With timings: `small` took the time, so it goes alone.
    const file = join(dir, 'costs.jsonl');
    writeFileSync(
      file,
      [
        { module: 'a.ll', function: 'small', timeMs: 9000, cpuMs: 5000 },
        { module: 'a.ll', function: 'big', cpuMs: 10 },
        { module: 'b.ll', function: 'mid', cpuMs: 10 },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const timed = [1, 2].map((index) => ShardPlan.make(mods, { index, count: 2, costs: file }));
    const alone = timed.find((p) => p.ownsFunction(0, 'small'))!;
    expect(
      alone.ownsFunction(0, 'big') || alone.ownsFunction(1, 'mid') || alone.ownsFunction(1, 'mid2'),
    ).toBe(false);
    writeFileSync(file, 'not json\n');
    expect(() => ShardPlan.make(mods, { index: 1, count: 2, costs: file })).toThrow(/not a timings.jsonl/);
    expect(() => ShardPlan.make(mods, { index: 1, count: 2, costs: join(dir, 'none') })).toThrow(
      /cannot read/,
    );
  });

  it('finds the functions of IR text and their sizes', () => {
    const text =
      'define i32 @f(i32 %x) {\n  %a = add i32 %x, 1\n  ret i32 %a\n}\n' +
      'define internal void @"quoted name"() {\n  ret void\n}\ndeclare void @g()\n';
    expect([...functionSizes(text)]).toEqual([
      ['f', 2],
      ['quoted name', 1],
    ]);
  });
});
