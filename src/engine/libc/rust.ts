/**
 * @fileoverview Stage: engine (Rust runtime). What the engine knows of Rust's runtime entry points.
 *
 * Consumes: external function names (mangled, legacy `_ZN4core9panicking5panic...` or v0
 * `_RNvNtCs..._4core9panicking9panic_fmt`). Produces: `isRustPanic`, which tells a call that ends a Rust
 * run in a panic: with `-C panic=abort` (how the toolchain builds Rust, docs/rust.md) every panic path is
 * a call of a `noreturn` function of core, alloc or std (`core::panicking::panic*`, `panic_bounds_check`,
 * `option::unwrap_failed`, `result::unwrap_failed`, `slice::index::*_fail`, `alloc::raw_vec::handle_error`,
 * `alloc::alloc::handle_alloc_error`, `std::panicking::begin_panic`) or `rust_begin_unwind`. Generation
 * ends such a run with the `panic` outcome (src/engine/outcome.ts) instead of `noreturn-call`.
 *
 * Also the models of Rust's allocator shims, which a library crate only declares (the final link of a
 * program generates them): `__rust_alloc(size, align)`, `__rust_alloc_zeroed`, `__rust_dealloc(p, size,
 * align)`, `__rust_realloc(p, old, align, new)` on the engine's heap (memalign's model for alignments above
 * 16), and `__rust_no_alloc_shim_is_unstable_v2()` (does nothing). rustc 1.9x mangles them
 * (`_RNvCs<hash>_7___rustc12___rust_alloc`, the hash changing with the compiler), so they are found
 * through an alias resolver of the externals table (`rustShimName`). Natively, src/replay/native-rust.ts
 * defines the same shims over glibc.
 */
import { lookupExternal, registerExternalAliases, registerExternals, type Runtime } from '../externals.js';
import { copy, fill, ptr, size } from './common.js';

/** The crates whose noreturn functions are panics: v0 mangling, and legacy mangling with its hash. */
const PANIC_V0 = /^_R\w*?C(?:s\w*?_)?(?:4core|5alloc|3std)/;
const PANIC_LEGACY = /^_ZN(?:4core|5alloc|3std)\w*17h[0-9a-f]{16}E$/;

/**
 * Whether a call of the `noreturn` external `name` is a Rust panic. A legacy-mangled name must end in
 * Rust's hash (`17h<16 hex digits>E`), so a C++ function of a namespace `core` is never one.
 */
export function isRustPanic(name: string): boolean {
  return (
    name === 'rust_begin_unwind' || name === 'rust_panic' || PANIC_V0.test(name) || PANIC_LEGACY.test(name)
  );
}

/** The allocator shims, by their unmangled names. */
export const RUST_SHIMS = [
  '__rust_alloc',
  '__rust_alloc_zeroed',
  '__rust_dealloc',
  '__rust_realloc',
  '__rust_no_alloc_shim_is_unstable_v2',
] as const;
export type RustShim = (typeof RUST_SHIMS)[number];

/** `__rust_alloc` for `_RNvCs..._7___rustc12___rust_alloc` (or the plain name); undefined otherwise. */
export function rustShimName(name: string): RustShim | undefined {
  const m = /^(?:_RNvCs\w+?_7___rustc\d+_)?(__rust_\w+)$/.exec(name);
  const n = m?.[1];
  return (RUST_SHIMS as readonly string[]).includes(n ?? '') ? (n as RustShim) : undefined;
}

function alignedAlloc(rt: Runtime, n: number, align: number): number {
  if (align <= 16) return rt.mem.malloc(n);
  return Number(lookupExternal('memalign')!(rt, [BigInt(align), BigInt(n)], undefined) ?? 0);
}

registerExternals({
  __rust_alloc: (rt, [n, al]) => alignedAlloc(rt, size(n), size(al)),
  __rust_alloc_zeroed: (rt, [n, al]) => {
    const p = alignedAlloc(rt, size(n), size(al));
    if (p !== 0) fill(rt, p, 0, size(n));
    return p;
  },
  __rust_dealloc: (rt, [p]) => {
    rt.mem.free(ptr(p));
  },
  __rust_realloc: (rt, [p, old, al, n]) => {
    if (size(al) <= 16) return rt.mem.realloc(ptr(p), size(n));
    const q = alignedAlloc(rt, size(n), size(al));
    if (q === 0) return 0;
    copy(rt, q, ptr(p), Math.min(size(old), size(n)));
    rt.mem.free(ptr(p));
    return q;
  },
  __rust_no_alloc_shim_is_unstable_v2: () => undefined,
});
registerExternalAliases((name) => (name.includes('___rust_') ? rustShimName(name) : undefined));
