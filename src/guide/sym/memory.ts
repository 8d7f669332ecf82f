/**
 * @fileoverview Stage: guide (solver). The concolic interpreter's memory: concrete bytes in 4 KiB pages,
 * each byte with its expression where it has one, and a byte's initial value asked for the first time it
 * is read (input bytes become variables only when a path reads them).
 *
 * Consumes: reads and writes of concolic.ts, and its `initial(address)`. Produces: bytes and expressions.
 */
import type { Sym } from './expr.js';

/** A byte: its value and, if it derives from inputs, its 8-bit expression. */
export interface Cell {
  readonly c: number;
  readonly s: Sym | undefined;
}

const PAGE_BITS = 12;
const PAGE = 1 << PAGE_BITS;

interface Page {
  readonly c: Uint8Array;
  /** 1 where the byte has been read or written (else its value is `initial`'s). */
  readonly known: Uint8Array;
  /** Expressions by offset, made on the page's first symbolic byte. */
  s: (Sym | undefined)[] | undefined;
}

export class SymMemory {
  private readonly pages = new Map<number, Page>();

  constructor(private readonly initial: (a: number) => Cell) {}

  private page(a: number): Page {
    const k = Math.floor(a / PAGE);
    let p = this.pages.get(k);
    if (p === undefined) {
      p = { c: new Uint8Array(PAGE), known: new Uint8Array(PAGE), s: undefined };
      this.pages.set(k, p);
    }
    return p;
  }

  get(a: number): Cell {
    const p = this.page(a);
    const o = a & (PAGE - 1);
    if (p.known[o] === 0) {
      const x = this.initial(a);
      this.put(p, o, x.c, x.s);
      return x;
    }
    return { c: p.c[o]!, s: p.s?.[o] };
  }

  set(a: number, c: number, s: Sym | undefined): void {
    this.put(this.page(a), a & (PAGE - 1), c, s);
  }

  private put(p: Page, o: number, c: number, s: Sym | undefined): void {
    p.c[o] = c;
    p.known[o] = 1;
    if (s !== undefined) (p.s ??= [])[o] = s;
    else if (p.s !== undefined) p.s[o] = undefined;
  }

  /** `n` bytes from `a` all `c` (expression `s`). */
  fill(a: number, n: number, c: number, s: Sym | undefined): void {
    for (let at = a, end = a + n; at < end;) {
      const p = this.page(at);
      const o = at & (PAGE - 1);
      const m = Math.min(PAGE - o, end - at);
      p.c.fill(c, o, o + m);
      p.known.fill(1, o, o + m);
      if (s !== undefined || p.s !== undefined) for (let i = 0; i < m; i++) (p.s ??= [])[o + i] = s;
      at += m;
    }
  }
}
