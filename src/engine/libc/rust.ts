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
 * The allocator shims (`__rust_alloc`, `__rust_dealloc`, `__rust_realloc`, `__rust_alloc_zeroed`,
 * `__rust_no_alloc_shim_is_unstable`) are not modelled yet: a library crate only declares them, so
 * generation treats them as stubbed externals whose results are recorded inputs, and the native driver
 * returns the same results.
 */

/** The crates whose noreturn functions are panics. */
const PANIC_CRATES = /^(?:_ZN|_R\w*?C(?:s\w*?_)?)(?:4core|5alloc|3std)/;

/** Whether a call of the `noreturn` external `name` is a Rust panic. */
export function isRustPanic(name: string): boolean {
  return name === 'rust_begin_unwind' || name === 'rust_panic' || PANIC_CRATES.test(name);
}
