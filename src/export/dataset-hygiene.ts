/**
 * @fileoverview Stage: export. The dataset export's hygiene: deduplication of identical functions and the
 * train/validation/test split by source package (issue 14; docs/dataset.md, "Deduplication and split").
 *
 * Consumes: per function of the run, in export order, its IR hash (`irHash`, ./dataset-row.ts), the hash
 * of its normalised source text (`sourceHash` below; '' without source), its package and its number of
 * rows. Produces: `Dedup`, which tells for each function whether its rows are kept and how many
 * duplicates it stands for, and `splitOf`, the split of a package.
 *
 * **Deduplication.** Two functions are the same code when their IR hashes are equal or their normalised
 * sources are (comments dropped, whitespace collapsed); sameness is closed transitively (union-find), so
 * a group may join through either key. A source text that does not contain the function's name (a
 * function a macro generated: its debug information points at the macro's lines, the same for every
 * function the macro made) is not a key. Of each group one function is kept with all its rows: the least
 * by (package, module, function name) in code-unit order, whatever order the run listed the modules in;
 * the others' rows are dropped and counted (`duplicates` of the kept rows, the card's counts). A function
 * is one whose search succeeded; the group is decided before any row is written (the export's first
 * pass), so the kept row can carry the count.
 *
 * **Split.** A package's split is drawn from sha256(seed, package) alone, a uniform number in [0, 1)
 * compared with the cumulative ratio: every row of a package lands in one split, a package keeps its
 * split when others are added or removed (only a changed ratio or seed moves it), and the ratio holds in
 * expectation over packages, not exactly for few of them. The split is drawn after deduplication, for
 * the kept function's package.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../util/errors.js';

export type Split = 'train' | 'validation' | 'test';

/** Fractions of packages per split, summing to 1. */
export interface SplitRatio {
  readonly train: number;
  readonly validation: number;
  readonly test: number;
}

/** `train:validation:test` as three non-negative numbers (`80:10:10`, `8:1:1`), normalised to fractions. */
export function parseSplit(text: string): SplitRatio {
  const parts = text.split(':').map((p) => (/^\d+(\.\d+)?$/.test(p.trim()) ? Number(p) : NaN));
  const sum = parts.reduce((a, b) => a + b, 0);
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p)) || !(sum > 0))
    throw new UserError(
      `--split ${text}: expected train:validation:test, three non-negative numbers (e.g. 80:10:10)`,
    );
  return { train: parts[0]! / sum, validation: parts[1]! / sum, test: parts[2]! / sum };
}

/** The split of package `pkg` under `seed`: deterministic, independent of the other packages. */
export function splitOf(pkg: string, seed: string, ratio: SplitRatio): Split {
  const h = createHash('sha256').update(`inputsmith-split\0${seed}\0${pkg}`).digest();
  const u = h.readUIntBE(0, 6) / 2 ** 48;
  if (u < ratio.train) return 'train';
  if (u < ratio.train + ratio.validation) return 'validation';
  return 'test';
}

/**
 * The hash of a function's source text normalised so that layout and comments do not count: comments
 * dropped, every run of whitespace outside string and character literals one space, and no space next
 * to a character that cannot be part of a name. '' for no source.
 */
export function sourceHash(source: string): string {
  if (source === '') return '';
  const tokens =
    /"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|\/\*[\s\S]*?(?:\*\/|$)|\/\/[^\n]*|\s+|[A-Za-z0-9_]+|[^]/g;
  const out: string[] = [];
  let space = false;
  for (const m of source.matchAll(tokens)) {
    const t = m[0];
    if (/^\s/.test(t) || t.startsWith('/*') || t.startsWith('//')) {
      space = true;
      continue;
    }
    const prev = out[out.length - 1];
    if (space && prev !== undefined && /\w$/.test(prev) && /^\w/.test(t)) out.push(' ');
    out.push(t);
    space = false;
  }
  return createHash('sha256').update(out.join('')).digest('hex');
}

/** One function of the run, as the first pass saw it. */
export interface DedupEntry {
  /** `module\0function`. */
  readonly key: string;
  readonly irHash: string;
  readonly sourceHash: string;
  readonly package: string;
  readonly rows: number;
}

export interface DedupVerdict {
  readonly kept: boolean;
  /** For a kept function: the functions dropped as its copies. */
  readonly duplicates: number;
}

/** The groups of identical functions of a run (see the file header). */
export class Dedup {
  private readonly entries: DedupEntry[] = [];
  private readonly parent: number[] = [];
  private readonly byIr = new Map<string, number>();
  private readonly bySource = new Map<string, number>();
  private verdicts: Map<string, DedupVerdict> | undefined;
  /** Functions and rows dropped; of the functions, those whose IR differs from the kept one's. */
  droppedFunctions = 0;
  droppedRows = 0;
  droppedBySourceOnly = 0;

  add(e: DedupEntry): void {
    const i = this.entries.length;
    this.entries.push(e);
    this.parent.push(i);
    const join = (map: Map<string, number>, key: string): void => {
      if (key === '') return;
      const j = map.get(key);
      if (j === undefined) map.set(key, i);
      else this.union(i, j);
    };
    join(this.byIr, e.irHash);
    join(this.bySource, e.sourceHash);
  }

  private find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]!]!;
      i = this.parent[i]!;
    }
    return i;
  }

  private union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }

  /** The verdict on function `key` (`module\0function`); a function the first pass did not see is kept. */
  verdict(key: string): DedupVerdict {
    return (this.verdicts ??= this.decide()).get(key) ?? { kept: true, duplicates: 0 };
  }

  private decide(): Map<string, DedupVerdict> {
    const order = (e: DedupEntry): string => `${e.package}\0${e.key}`;
    const best = new Map<number, number>();
    this.entries.forEach((e, i) => {
      const r = this.find(i);
      const b = best.get(r);
      if (b === undefined || order(e) < order(this.entries[b]!)) best.set(r, i);
    });
    const size = new Map<number, number>();
    for (let i = 0; i < this.entries.length; i++) {
      const r = this.find(i);
      size.set(r, (size.get(r) ?? 0) + 1);
    }
    const out = new Map<string, DedupVerdict>();
    this.entries.forEach((e, i) => {
      const r = this.find(i);
      const keep = best.get(r)!;
      if (keep === i) out.set(e.key, { kept: true, duplicates: size.get(r)! - 1 });
      else {
        out.set(e.key, { kept: false, duplicates: 0 });
        this.droppedFunctions++;
        this.droppedRows += e.rows;
        if (e.irHash !== this.entries[keep]!.irHash) this.droppedBySourceOnly++;
      }
    });
    return out;
  }
}
