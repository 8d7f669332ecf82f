/**
 * @fileoverview Stage: export. `inputsmith export sarif`: the undefined behaviour and crashes a `gen` run's
 * kept inputs ran into, as a SARIF 2.1.0 log (one run, one result per distinct finding).
 *
 * Consumes: a `RunDir` (./run-dir.ts). Records keep an outcome's kind and message but not where it
 * happened, so each finding record is replayed once in the engine (`GenSession`, replay mode, the run's
 * limits) to get its `IrLocation` (function, block, instruction), whose `!dbg` gives file, line and column.
 * Produces: the SARIF text and its totals. Rules, documented in docs/export.md:
 *
 * - Findings are the kept inputs (of functions whose search succeeded) whose outcome's class is a finding
 *   class in `FINDING_LEVEL`, a closed table over the outcome classes of src/engine/outcome.ts:
 *   `undefined` (silent memory corruption natively) is `error`, `crash` (a defined, reproducible death at
 *   that point: null dereference, division by zero, abort, assertion) is `warning`. The pre-selection
 *   sample (`--sample`) holds only runs that ended normally, so it has none.
 * - Distinct = same outcome kind, same place (source file, line and column; the IR site `@f %block #i`
 *   without debug information) and same function (where it happened, which may be a callee of the
 *   function the input was generated for). The first reproducing record (module order, function order,
 *   index) is named; the count of the others is a property.
 * - `partialFingerprints` hash kind, file name as compiled, function, line and column (or the IR site),
 *   so the same finding in a rerun (even in another checkout) has the same fingerprint.
 * Output is sorted by file, line, column, kind and function; rules list every kind of a finding class.
 */
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  OUTCOME_KINDS,
  isOutcomeKind,
  outcomeClass,
  outcomeInfo,
  type IrLocation,
  type OutcomeClass,
  type OutcomeKind,
} from '../engine/outcome.js';
import { Plan } from '../gen/plan.js';
import type { InputRecord } from '../gen/record.js';
import { GenSession } from '../gen/runtime.js';
import { debugLocation } from '../ir/debuginfo.js';
import type { Module } from '../ir/model.js';
import { Rng } from '../util/rng.js';
import { packageVersion } from '../util/version.js';
import { readRunDir, type ExportOptions, type RunDir, type RunModule } from './run-dir.js';
import { sourcePath } from './source-map.js';

export type SarifLevel = 'error' | 'warning';

/** The SARIF level of each outcome class's findings; null: the class is no finding. */
export const FINDING_LEVEL: { readonly [C in OutcomeClass]: SarifLevel | null } = {
  normal: null,
  panic: null,
  crash: 'warning',
  undefined: 'error',
  budget: null,
  time: null,
  unsupported: null,
  divergence: null,
  internal: null,
};

/** The outcome kinds that are findings, in table order (the log's rules). */
export const FINDING_KINDS: readonly OutcomeKind[] = OUTCOME_KINDS.filter(
  (k) => FINDING_LEVEL[outcomeClass(k)] !== null,
);

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Key of the fingerprint in `partialFingerprints` (bump the version when what it hashes changes). */
export const FINGERPRINT_KEY = 'inputsmithFinding/v1';

/** Where a finding happened. */
interface Place {
  readonly func: string;
  /** `@f %block #i`. */
  readonly site: string;
  readonly source?: {
    readonly file: string;
    readonly name: string;
    readonly line: number;
    readonly col: number;
  };
}

interface Finding {
  readonly kind: OutcomeKind;
  readonly message: string;
  readonly place: Place | undefined;
  readonly record: InputRecord;
  /** The record's file, relative to the run directory. */
  readonly file: string;
  others: number;
}

export interface SarifExport {
  readonly text: string;
  /** Distinct findings (results). */
  readonly results: number;
  /** Finding records (kept inputs whose outcome is a finding). */
  readonly records: number;
}

/**
 * The SARIF log of the findings of the `gen` output directory `outDir` (see `sarifOfRun`); warnings go to
 * `o.warn`.
 */
export async function exportSarif(outDir: string, o: ExportOptions = {}): Promise<SarifExport> {
  return sarifOfRun(await readRunDir(outDir, o), o.warn);
}

/** The SARIF log of a run's findings. */
export function sarifOfRun(run: RunDir, warn: (line: string) => void = () => {}): SarifExport {
  const findings = new Map<string, Finding>();
  let records = 0;
  for (const mod of run.modules) {
    const found = moduleFindings(run, mod, warn);
    records += found.length;
    for (const f of found) {
      const key = JSON.stringify([f.kind, f.place?.source ?? f.place?.site ?? null, f.place?.func ?? null]);
      const had = findings.get(key);
      if (had === undefined) findings.set(key, f);
      else had.others++;
    }
  }
  const results = [...findings.values()].sort(byPlace).map(result);
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [{ tool: { driver: driver() }, results }],
  };
  return { text: `${JSON.stringify(log, null, 2)}\n`, results: results.length, records };
}

function driver(): object {
  return {
    name: 'inputsmith',
    version: packageVersion(),
    rules: FINDING_KINDS.map((k) => ({
      id: k,
      shortDescription: { text: outcomeInfo(k).description },
      defaultConfiguration: { level: FINDING_LEVEL[outcomeClass(k)]! },
      properties: { outcomeClass: outcomeClass(k) },
    })),
  };
}

/** The module's finding records with their places, replayed in one engine session. */
function moduleFindings(run: RunDir, mod: RunModule, warn: (line: string) => void): Finding[] {
  const todo: { record: InputRecord; file: string; kind: OutcomeKind }[] = [];
  for (const fn of mod.functions) {
    if (fn.row?.status !== 'ok') continue;
    fn.records.forEach((r, i) => {
      const k = r.outcome.kind;
      if (isOutcomeKind(k) && FINDING_LEVEL[outcomeClass(k)] !== null)
        todo.push({ record: r, file: relative(run.root, fn.files[i]!), kind: k });
    });
  }
  if (todo.length === 0) return [];
  const session = new GenSession(mod.m, {
    modulePath: mod.path,
    moduleHash: mod.hash,
    limits: run.spec.limits,
  });
  try {
    return todo.map(({ record, file, kind }) => {
      const facts = session.run(record.function, Plan.fromRecord(record), 'replay', new Rng(0), {
        seed: record.seed,
        index: record.index,
      });
      let place: Place | undefined;
      if (facts.outcome !== kind)
        warn(
          `${mod.path} @${record.function} #${record.index}: replay ended ${facts.outcome}, not ${kind}: no location`,
        );
      else if (facts.location !== undefined) place = placeOf(mod.m, facts.location);
      const message = record.outcome.message ?? outcomeInfo(kind).description;
      return { kind, message, place, record, file, others: 0 };
    });
  } finally {
    session.dispose();
  }
}

/** The source place of an IR location (through the instruction's `!dbg`), or only its site. */
function placeOf(m: Module, loc: IrLocation): Place {
  const site = `@${loc.func} %${loc.block} #${loc.instr}`;
  const f = m.symbols.get(loc.func);
  const b =
    f?.kind === 'function' ? f.blocks.find((x) => (x.name ?? String(x.index)) === loc.block) : undefined;
  const i = b?.instrs[loc.instr];
  const d = i !== undefined && i.dbg >= 0 ? debugLocation(m, i.dbg) : undefined;
  if (d === undefined || d.line <= 0) return { func: loc.func, site };
  return { func: loc.func, site, source: { file: sourcePath(d), name: d.file, line: d.line, col: d.col } };
}

function byPlace(a: Finding, b: Finding): number {
  const ka = sortKey(a);
  const kb = sortKey(b);
  for (let i = 0; i < ka.length; i++) {
    const x = ka[i]!;
    const y = kb[i]!;
    if (x !== y)
      return typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

function sortKey(f: Finding): (string | number)[] {
  const s = f.place?.source;
  return [
    s?.file ?? '\uffff',
    s?.line ?? 0,
    s?.col ?? 0,
    f.kind,
    f.place?.func ?? '',
    f.place?.site ?? '',
    f.file,
  ];
}

function result(f: Finding): object {
  const s = f.place?.source;
  const where = s === undefined ? (f.place?.site ?? 'an unknown place') : `${s.name}:${s.line}:${s.col}`;
  const location: Record<string, unknown> = {};
  if (s !== undefined) {
    location.physicalLocation = {
      artifactLocation: { uri: pathToFileURL(s.file).href },
      region: s.col > 0 ? { startLine: s.line, startColumn: s.col } : { startLine: s.line },
    };
  }
  location.logicalLocations = [
    {
      name: f.place?.func ?? f.record.function,
      kind: 'function',
      ...(f.place ? { decoratedName: f.place.site } : {}),
    },
  ];
  const what = [
    f.kind,
    s?.name ?? f.place?.site ?? '',
    s?.line ?? '',
    s?.col ?? '',
    f.place?.func ?? '',
  ].join('|');
  return {
    ruleId: f.kind,
    ruleIndex: FINDING_KINDS.indexOf(f.kind),
    level: FINDING_LEVEL[outcomeClass(f.kind)]!,
    message: { text: `${f.kind}: ${f.message} (${where}, in ${f.place?.func ?? f.record.function})` },
    locations: [location],
    partialFingerprints: { [FINGERPRINT_KEY]: createHash('sha256').update(what).digest('hex').slice(0, 32) },
    properties: {
      reproducer: {
        module: f.record.module,
        function: f.record.function,
        index: f.record.index,
        record: f.file,
      },
      otherReproducers: f.others,
    },
  };
}
