/**
 * @fileoverview Stage: engine. The allocator model's table of heap chunks: for each chunk the run made,
 * the size of the block it holds and whether that block is live or freed, found by the block's base.
 *
 * Consumes: chunk bases, sizes and states from `Memory` (malloc, free, realloc). Produces: lookups by base
 * (two array reads) and a walk in address order (diagnostics: the nearest block of a bad access, live
 * blocks).
 *
 * Numbers in typed arrays, no object per block: a program that mallocs and frees hundreds of thousands of
 * blocks (a tree of nodes) made as many long-lived objects before, whose promotion made the scavenges of
 * V8's young generation slow (15% of the malloc benchmark's time was GC), and a Map keyed by base that
 * grew to hundreds of thousands of entries. Block bases are 16-byte aligned, so the table has one entry
 * per 16 bytes of heap, in pages of 64 KiB of heap made only where a block starts.
 */

/** Heap bytes per page of the table. */
const PAGE_BYTES = 1 << 16;
/** Entries per page (one per 16 bytes). */
const PAGE_ENTRIES = PAGE_BYTES >> 4;

export class HeapTable {
  /**
   * Per page, per entry: 0 when no block starts there, size + 1 for a live block, -(size + 1) for a freed
   * one (sizes are below 2^31: the whole address space is).
   */
  private sizes: (Int32Array | undefined)[] = [];
  /** Per page, per entry: bytes of the chunk (redzone + rounded size). */
  private chunks: (Int32Array | undefined)[] = [];

  constructor(private base0: number) {}

  /** Forget every chunk; the heap starts at `heapBase`. */
  clear(heapBase: number): void {
    this.base0 = heapBase;
    this.sizes = [];
    this.chunks = [];
  }

  /** A new chunk of `chunk` bytes holding a live block of `size` bytes at `base`. */
  add(base: number, size: number, chunk: number): void {
    const d = base - this.base0;
    const pg = d >> 16;
    while (this.sizes.length <= pg) {
      this.sizes.push(undefined);
      this.chunks.push(undefined);
    }
    const k = (d & (PAGE_BYTES - 1)) >> 4;
    (this.sizes[pg] ??= new Int32Array(PAGE_ENTRIES))[k] = size + 1;
    (this.chunks[pg] ??= new Int32Array(PAGE_ENTRIES))[k] = chunk;
  }

  /** The raw entry of `base`: 0 no block starts there, > 0 live (size + 1), < 0 freed (-(size + 1)). */
  entry(base: number): number {
    const d = base - this.base0;
    // Addresses past the pages (the input region, the stack) are common here: no out-of-bounds read.
    if ((d & 15) !== 0 || d < 0 || d > 0x7fffffff || d >> 16 >= this.sizes.length) return 0;
    const page = this.sizes[d >> 16];
    return page === undefined ? 0 : page[(d & (PAGE_BYTES - 1)) >> 4]!;
  }

  /** Bytes of the chunk of the block at `base` (which must exist). */
  chunk(base: number): number {
    const d = base - this.base0;
    return this.chunks[d >> 16]![(d & (PAGE_BYTES - 1)) >> 4]!;
  }

  /** The block at `base` (which must exist) is live with `size` bytes, or freed (size kept). */
  setLive(base: number, size: number): void {
    this.set(base, size + 1);
  }
  setFreed(base: number): void {
    const e = this.entry(base);
    if (e > 0) this.set(base, -e);
  }

  private set(base: number, e: number): void {
    const d = base - this.base0;
    this.sizes[d >> 16]![(d & (PAGE_BYTES - 1)) >> 4] = e;
  }

  /** Every chunk's block in address order: base, size, freed. */
  forEach(f: (base: number, size: number, freed: boolean) => void): void {
    this.sizes.forEach((page, pg) => {
      if (page === undefined) return;
      for (let k = 0; k < PAGE_ENTRIES; k++) {
        const e = page[k]!;
        if (e !== 0) f(this.base0 + pg * PAGE_BYTES + k * 16, Math.abs(e) - 1, e < 0);
      }
    });
  }
}
