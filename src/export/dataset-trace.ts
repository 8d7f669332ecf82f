/**
 * @fileoverview Stage: export. The traces of the dataset export: a kept input replayed once in an engine
 * compiled to record what it ran, in a text form a model reads.
 *
 * Consumes: a `GenSession` whose engine was compiled with `traceBlocks` or `traceLines`
 * (src/engine/link.ts, codegen.ts), the record's function and the record. Produces: `TraceFacts`: the
 * text, its length in entries, the entries cut, and whether the replay reproduced the record (the first
 * difference otherwise). Forms (docs/dataset.md, "Traces"):
 *
 * - blocks: one line per stretch of blocks of one function, `@f: 2 6 6 18`, blocks by their label in
 *   the printed IR, callees included;
 * - lines: one line per source line reached, `list.c:13  s = 4, p = &obj1`: the variables that
 *   `#dbg_value` records gave a value since the line before, typed through their DWARF type, pointers
 *   symbolic (`&obj1`, `NULL`, `/* heap memory *\/ ...`), never engine addresses.
 *
 * A cut trace ends with `... N more blocks` (`... N more events`).
 */
import { Plan } from '../gen/plan.js';
import type { InputRecord } from '../gen/record.js';
import type { GenSession } from '../gen/runtime.js';
import { underlyingType } from '../ir/debuginfo-c.js';
import { debugInfo } from '../ir/debuginfo.js';
import type { Func } from '../ir/model.js';
import { ValuePrinter } from '../ir/print-value.js';
import { firstDifference } from '../replay/engine.js';
import { Rng } from '../util/rng.js';
import { numText, targetText } from './dataset-state.js';

/** A trace of one replay: the text form, its length (blocks or events) and what was cut. */
export interface TraceFacts {
  readonly text: string;
  readonly length: number;
  readonly cut: number;
  readonly replay: string;
}

/** Replay `r` on `session`: the first difference from the record, or 'ok'. */
function replay(session: GenSession, fn: Func, r: InputRecord): string {
  const again = session.run(fn.name, Plan.fromRecord(r), 'replay', new Rng(0), {
    seed: r.seed,
    index: r.index,
    stepLimit: r.stepLimit,
  }).record;
  return firstDifference(r.outcome, again.outcome, 'outcome') ?? 'ok';
}

/** The block trace of `r` (the session traces blocks). */
export function blockTrace(session: GenSession, fn: Func, r: InputRecord): TraceFacts {
  const verdict = replay(session, fn, r);
  const t = session.engine.trace;
  const printer = new ValuePrinter();
  const lines: string[] = [];
  let cur: Func | undefined;
  let line = '';
  for (let k = 0; k < t.n; k++) {
    const b = session.engine.coverageBlock(t.ids[k]!);
    if (b === undefined) continue;
    if (b.func !== cur) {
      if (line !== '') lines.push(line);
      cur = b.func;
      line = `@${b.func.name}:`;
    }
    line += ` ${printer.slots(b.func).blocks[b.block]}`;
  }
  if (line !== '') lines.push(line);
  if (t.cut > 0) lines.push(`... ${t.cut} more blocks`);
  return { text: lines.join('\n'), length: t.n, cut: t.cut, replay: verdict };
}

/** The line trace of `r` (the session traces lines). */
export function lineTrace(session: GenSession, fn: Func, r: InputRecord): TraceFacts {
  const verdict = replay(session, fn, r);
  const t = session.engine.trace;
  const di = debugInfo(session.m);
  const out: string[] = [];
  let pending: string[] = [];
  let last = '';
  for (let k = 0; k + 1 < t.ev.length; k += 2) {
    const tag = t.ev[k] as number;
    const x = t.ev[k + 1];
    if (tag >= 0) {
      const v = di.node(tag);
      if (v?.kind === 'DILocalVariable') pending.push(`${v.name} = ${variableText(session, v.type, x)}`);
      continue;
    }
    const loc = di.location(x as number);
    if (loc === undefined || loc.line <= 0) continue;
    const key = `${loc.file}:${loc.line}`;
    if (key === last && pending.length === 0) continue;
    out.push(pending.length > 0 ? `${key}  ${pending.join(', ')}` : key);
    pending = [];
    last = key;
  }
  if (pending.length > 0) out.push(`  ${pending.join(', ')}`);
  if (t.ecut > 0) out.push(`... ${t.ecut} more events`);
  return { text: out.join('\n'), length: t.en, cut: t.ecut, replay: verdict };
}

/** A variable's value as the engine held it (number, bigint for i64), typed by its DWARF type. */
function variableText(session: GenSession, type: number | null, x: unknown): string {
  if (x === null) return '<optimized out>';
  const nodes = debugInfo(session.m).lookup;
  const u = underlyingType(nodes, type);
  const n = u === null ? undefined : nodes(u);
  if (n?.kind === 'DIDerivedType' && (n.tag === 'pointer' || n.tag === 'reference')) {
    const addr = Number(x);
    const target = addr === 0 ? null : session.pointerTarget(addr);
    return target === undefined ? `(void *)0x${addr.toString(16)}` : targetText(target);
  }
  if (typeof x === 'number' && !Number.isInteger(x)) return numText(x, '');
  if (n?.kind === 'DIBasicType' && n.encoding === 'float' && typeof x === 'number') return numText(x, '');
  if (typeof x !== 'number' && typeof x !== 'bigint') return String(x);
  const bits = n?.kind === 'DIBasicType' && n.size > 0 ? n.size : 32;
  const big = BigInt(x);
  if (n?.kind === 'DIBasicType' && n.encoding === 'bool') return big === 0n ? 'false' : 'true';
  const signed = !(n?.kind === 'DIBasicType') || n.signed;
  return (signed ? BigInt.asIntN(bits, big) : BigInt.asUintN(bits, big)).toString();
}
