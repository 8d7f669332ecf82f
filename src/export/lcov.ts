/**
 * @fileoverview Stage: export. `inputsmith export lcov`: the line, function and branch coverage of a `gen`
 * run's kept inputs as an LCOV tracefile (the format of `geninfo`, read by `genhtml`, `lcov`, Codecov...).
 *
 * Consumes: a `RunDir` (./run-dir.ts) whose modules were compiled with `-g`; each kept input's covered
 * blocks (`outcome.blocks` of its record: the blocks of its own function that ran). Produces: the
 * tracefile text and its totals. The rules, documented for users in docs/export.md:
 *
 * - A line is instrumented (`DA`) when an instruction of any block of any defined function of a module
 *   lies on it (./source-map.ts says which instructions place a line). Functions gen did not search or
 *   that failed are in, with nothing hit.
 * - Its count is the number of kept inputs (of functions whose search succeeded) that ran a block with an
 *   instruction on the line: a line shared by a block that ran and one that did not counts as hit. Counts
 *   are inputs, not executions (records keep which blocks ran, not how often). An input credits only its
 *   own function's blocks: code of a callee it ran counts for the callee's own inputs alone (inlined code
 *   carries its own lines and counts where it was inlined).
 * - `FN` is a function's IR name and its DISubprogram line; `FNDA` the number of its kept inputs.
 * - `BRDA` per conditional branch (`br i1`, `switch`) and distinct target: `-` when no input ran the
 *   branch, else the number of inputs that certainly took that edge (see `edgeTaken`).
 * - Records of several modules on one source file (a header's inline functions) are merged: counts add.
 * - `throughCalls` (`export lcov --through-calls`): every kept input is replayed once in the engine (replay
 *   mode, the run's limits) and credits every block it ran, in callees too, from the engine's block
 *   counters: the coverage of the kept inputs run as a test suite, what gcov measures on the exported
 *   tests. A function's count is then the inputs that entered it, by a call or as the function under test.
 * Output is sorted: files by path, functions by line then name, lines and branches by line.
 */
import { Plan } from '../gen/plan.js';
import { GenSession } from '../gen/runtime.js';
import { Rng } from '../util/rng.js';
import { UserError } from '../util/errors.js';
import { readRunDir, type ExportOptions, type RunDir, type RunModule } from './run-dir.js';
import {
  functionLines,
  hasDebugInfo,
  parseLineKey,
  type BranchSite,
  type FunctionLines,
} from './source-map.js';

/** One source file's coverage. */
interface FileCoverage {
  /** line -> inputs that ran it. */
  readonly lines: Map<number, number>;
  /** function name -> first line and inputs. */
  readonly functions: Map<string, { line: number; hits: number }>;
  /** Branches: line, block id (unique in the file), per target its count or null (never evaluated). */
  readonly branches: { line: number; id: number; taken: (number | null)[] }[];
}

export interface LcovTotals {
  readonly files: number;
  readonly linesFound: number;
  readonly linesHit: number;
  readonly functionsFound: number;
  readonly functionsHit: number;
  readonly branchesFound: number;
  readonly branchesHit: number;
}

export interface LcovExport {
  /** The tracefile. */
  readonly text: string;
  readonly totals: LcovTotals;
  /** Module paths that had debug information and were exported, in campaign order. */
  readonly modules: readonly string[];
}

/**
 * The LCOV tracefile of the `gen` output directory `outDir` (see `lcovOfRun`); warnings (modules left out)
 * go to `o.warn`.
 */
export async function exportLcov(outDir: string, o: LcovOptions = {}): Promise<LcovExport> {
  return lcovOfRun(await readRunDir(outDir, o), o.warn, o.throughCalls === true);
}

export interface LcovOptions extends ExportOptions {
  /** Credit the lines an input ran in callees too (each kept input replayed once; see the header). */
  readonly throughCalls?: boolean;
}

/** Test name of every record (`TN:`; letters, digits and `_` only). */
export const LCOV_TEST_NAME = 'inputsmith';

/**
 * The LCOV tracefile of a run. Modules without debug information are left out with one warning each;
 * when none is left, a `UserError`.
 */
export function lcovOfRun(
  run: RunDir,
  warn: (line: string) => void = () => {},
  throughCalls = false,
): LcovExport {
  const files = new Map<string, FileCoverage>();
  const modules: string[] = [];
  for (const mod of run.modules) {
    if (!hasDebugInfo(mod.m)) {
      warn(`${mod.path}: skipped: no debug information (compile with -g: gen -g ...)`);
      continue;
    }
    addModule(files, mod, run, throughCalls, warn);
    modules.push(mod.path);
  }
  if (modules.length === 0)
    throw new UserError('no module of the run has debug information (run gen with -g)', { file: run.root });
  return formatLcov(files, modules);
}

function fileOf(files: Map<string, FileCoverage>, path: string): FileCoverage {
  let f = files.get(path);
  if (f === undefined) files.set(path, (f = { lines: new Map(), functions: new Map(), branches: [] }));
  return f;
}

/** What one input ran of one function: its blocks, and how the run ended ('' when it is not known). */
interface FunctionRun {
  readonly blocks: ReadonlySet<number>;
  readonly outcome: string;
}

/** Adds every defined function of the module, with the kept inputs of those gen searched successfully. */
function addModule(
  files: Map<string, FileCoverage>,
  mod: RunModule,
  run: RunDir,
  throughCalls: boolean,
  warn: (line: string) => void,
): void {
  const runs = throughCalls ? replayedRuns(mod, run, warn) : ownRuns(mod);
  for (const g of mod.m.globals) {
    if (g.kind !== 'function' || g.blocks.length === 0) continue;
    addFunction(files, functionLines(mod.m, g), runs.get(g.name) ?? []);
  }
}

/** Each kept input's own function's blocks (`outcome.blocks` of its record). */
function ownRuns(mod: RunModule): Map<string, FunctionRun[]> {
  const runs = new Map<string, FunctionRun[]>();
  for (const fn of mod.functions)
    if (fn.row?.status === 'ok')
      runs.set(
        fn.name,
        fn.records.map((r) => ({ blocks: new Set(r.outcome.blocks), outcome: r.outcome.kind })),
      );
  return runs;
}

/**
 * Every kept input replayed once in the engine: per function of the module, the blocks each input ran in
 * it (the engine's block counters after the run), callees included. A replay that does not end as its
 * record did is counted in one warning (its blocks still count: they are what the engine ran).
 */
function replayedRuns(mod: RunModule, run: RunDir, warn: (line: string) => void): Map<string, FunctionRun[]> {
  const runs = new Map<string, FunctionRun[]>();
  const session = new GenSession(mod.m, {
    modulePath: mod.path,
    moduleHash: mod.hash,
    limits: run.spec.limits,
  });
  const fns = mod.m.globals.filter((g) => g.kind === 'function' && g.blocks.length > 0);
  let differ = 0;
  try {
    for (const fn of mod.functions) {
      if (fn.row?.status !== 'ok') continue;
      for (const r of fn.records) {
        const facts = session.run(r.function, Plan.fromRecord(r), 'replay', new Rng(0), {
          seed: r.seed,
          index: r.index,
        });
        if (facts.outcome !== r.outcome.kind) differ++;
        const cov = session.engine.cov;
        for (const g of fns) {
          if (g.kind !== 'function') continue;
          const base = session.engine.linked.covBase.get(g);
          if (base === undefined || cov[base] === 0) continue;
          const blocks = new Set<number>();
          for (let i = 0; i < g.blocks.length; i++) if (cov[base + i]! > 0) blocks.add(i);
          const own = g.name === r.function;
          let list = runs.get(g.name);
          if (list === undefined) runs.set(g.name, (list = []));
          list.push({ blocks, outcome: own ? r.outcome.kind : '' });
        }
      }
    }
  } finally {
    session.dispose();
  }
  if (differ > 0)
    warn(`${mod.path}: ${differ} kept inputs did not replay as recorded (their blocks count as run)`);
  return runs;
}

function addFunction(
  files: Map<string, FileCoverage>,
  fl: FunctionLines,
  runs: readonly FunctionRun[],
): void {
  const counts = new Map<string, number>();
  for (const keys of fl.blockLines) for (const k of keys) counts.set(k, 0);
  for (const { blocks } of runs) {
    const hit = new Set<string>();
    for (const b of blocks) for (const k of fl.blockLines[b] ?? []) hit.add(k);
    for (const k of hit) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const [k, n] of counts) {
    const { file, line } = parseLineKey(k);
    const lines = fileOf(files, file).lines;
    lines.set(line, (lines.get(line) ?? 0) + n);
  }
  if (fl.decl !== undefined) {
    const fns = fileOf(files, fl.decl.file).functions;
    const had = fns.get(fl.func.name);
    const hits = runs.filter((x) => x.blocks.has(0)).length;
    fns.set(fl.func.name, { line: had?.line ?? fl.decl.line, hits: (had?.hits ?? 0) + hits });
  }
  for (const br of fl.branches) {
    const fc = fileOf(files, br.file);
    const evaluated = runs.filter((x) => x.blocks.has(br.block));
    const taken = br.targets.map((to) =>
      evaluated.length === 0
        ? null
        : evaluated.filter((x) => edgeTaken(fl, br, to, x.blocks, x.outcome)).length,
    );
    fc.branches.push({ line: br.line, id: fc.branches.length, taken });
  }
}

/**
 * Whether an input that ran branch block `from` certainly took its edge to `to`, knowing only which blocks
 * it ran: `to` ran and no other predecessor of `to` ran (only this edge can have led there), or `to` ran,
 * no other target of the branch ran and the function returned (so the branch was passed, and only to
 * `to`). Otherwise (another predecessor of `to` and another target ran: in a loop, say) it is not counted,
 * so a count may be low, never high.
 */
export function edgeTaken(
  fl: FunctionLines,
  br: BranchSite,
  to: number,
  ran: ReadonlySet<number>,
  outcome: string,
): boolean {
  if (!ran.has(to)) return false;
  if (fl.preds[to]!.every((p) => p === br.block || !ran.has(p))) return true;
  return outcome === 'returned' && br.targets.every((t) => t === to || !ran.has(t));
}

function formatLcov(files: Map<string, FileCoverage>, modules: readonly string[]): LcovExport {
  const out: string[] = [];
  const t = {
    files: 0,
    linesFound: 0,
    linesHit: 0,
    functionsFound: 0,
    functionsHit: 0,
    branchesFound: 0,
    branchesHit: 0,
  };
  for (const path of [...files.keys()].sort()) {
    const f = files.get(path)!;
    if (f.lines.size === 0 && f.functions.size === 0) continue;
    t.files++;
    out.push(`TN:${LCOV_TEST_NAME}`, `SF:${path}`);
    const fns = [...f.functions].sort(
      (a, b) => a[1].line - b[1].line || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
    );
    for (const [name, x] of fns) out.push(`FN:${x.line},${name}`);
    for (const [name, x] of fns) out.push(`FNDA:${x.hits},${name}`);
    const fnHit = fns.filter(([, x]) => x.hits > 0).length;
    out.push(`FNF:${fns.length}`, `FNH:${fnHit}`);
    let brf = 0;
    let brh = 0;
    for (const br of [...f.branches].sort((a, b) => a.line - b.line || a.id - b.id)) {
      br.taken.forEach((n, k) => {
        out.push(`BRDA:${br.line},${br.id},${k},${n === null ? '-' : n}`);
        brf++;
        if (n !== null && n > 0) brh++;
      });
    }
    out.push(`BRF:${brf}`, `BRH:${brh}`);
    const lines = [...f.lines].sort((a, b) => a[0] - b[0]);
    for (const [line, n] of lines) out.push(`DA:${line},${n}`);
    const lh = lines.filter(([, n]) => n > 0).length;
    out.push(`LF:${lines.length}`, `LH:${lh}`, 'end_of_record');
    t.linesFound += lines.length;
    t.linesHit += lh;
    t.functionsFound += fns.length;
    t.functionsHit += fnHit;
    t.branchesFound += brf;
    t.branchesHit += brh;
  }
  return { text: out.length === 0 ? '' : `${out.join('\n')}\n`, totals: t, modules };
}
