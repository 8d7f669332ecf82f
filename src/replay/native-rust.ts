/**
 * @fileoverview Stage: replay (native). Definitions of Rust's allocator shims for the native replay.
 *
 * Consumes: a Rust module (parsed) and its IR text. Produces: the text with the shims' declarations
 * (`__rust_alloc`, `__rust_alloc_zeroed`, `__rust_dealloc`, `__rust_realloc`,
 * `__rust_no_alloc_shim_is_unstable_v2`, mangled as rustc 1.9x writes them) replaced by definitions over
 * glibc (memalign, free, realloc), as the engine models them (src/engine/libc/rust.ts). A library crate
 * only declares them: the final link of a Rust program would generate them.
 */
import type { Func, Module } from '../ir/model.js';
import { rustShimName, type RustShim } from '../engine/libc/rust.js';
import { printName } from '../ir/printer.js';

/** The body of each shim, `$F` standing for the function's name. */
const BODIES: Readonly<Record<RustShim, string>> = {
  __rust_alloc: `define ptr $F(i64 %size, i64 %align) {
  %p = call ptr @__inputsmith_rust_alloc(i64 %size, i64 %align)
  ret ptr %p
}`,
  __rust_alloc_zeroed: `define ptr $F(i64 %size, i64 %align) {
  %p = call ptr @__inputsmith_rust_alloc(i64 %size, i64 %align)
  %nz = icmp ne ptr %p, null
  br i1 %nz, label %zero, label %done
zero:
  call void @llvm.memset.p0.i64(ptr %p, i8 0, i64 %size, i1 false)
  br label %done
done:
  ret ptr %p
}`,
  __rust_dealloc: `define void $F(ptr %p, i64 %size, i64 %align) {
  call void @free(ptr %p)
  ret void
}`,
  __rust_realloc: `define ptr $F(ptr %p, i64 %old, i64 %align, i64 %new) {
  %small = icmp ule i64 %align, 16
  br i1 %small, label %plain, label %aligned
plain:
  %q = call ptr @realloc(ptr %p, i64 %new)
  ret ptr %q
aligned:
  %r = call ptr @__inputsmith_rust_alloc(i64 %new, i64 %align)
  %ok = icmp ne ptr %r, null
  br i1 %ok, label %move, label %fail
move:
  %lt = icmp ult i64 %old, %new
  %n = select i1 %lt, i64 %old, i64 %new
  call void @llvm.memcpy.p0.p0.i64(ptr %r, ptr %p, i64 %n, i1 false)
  call void @free(ptr %p)
  ret ptr %r
fail:
  ret ptr null
}`,
  __rust_no_alloc_shim_is_unstable_v2: `define void $F() {
  ret void
}`,
};

/** What the shims call, declared unless the module declares it already. */
const HELPER_DECLS: Readonly<Record<string, string>> = {
  malloc: 'declare ptr @malloc(i64)',
  memalign: 'declare ptr @memalign(i64, i64)',
  realloc: 'declare ptr @realloc(ptr, i64)',
  free: 'declare void @free(ptr)',
  'llvm.memset.p0.i64': 'declare void @llvm.memset.p0.i64(ptr, i8, i64, i1 immarg)',
  'llvm.memcpy.p0.p0.i64': 'declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1 immarg)',
};

const HELPERS = `define internal ptr @__inputsmith_rust_alloc(i64 %size, i64 %align) {
  %small = icmp ule i64 %align, 16
  br i1 %small, label %plain, label %aligned
plain:
  %p = call ptr @malloc(i64 %size)
  ret ptr %p
aligned:
  %q = call ptr @memalign(i64 %align, i64 %size)
  ret ptr %q
}`;

/** The shims `m` declares (and does not define), by their names in the module. */
export function declaredShims(m: Module): Map<string, RustShim> {
  const out = new Map<string, RustShim>();
  for (const g of m.globals) {
    if (g.kind !== 'function' || (g as Func).blocks.length > 0) continue;
    const s = rustShimName(g.name);
    if (s !== undefined) out.set(g.name, s);
  }
  return out;
}

/**
 * `text` (the printed module) with the declarations of the shims `m` declares replaced by definitions,
 * and the helpers they need appended; `text` itself when `m` declares none.
 */
export function defineRustShims(text: string, m: Module): string {
  const shims = declaredShims(m);
  if (shims.size === 0) return text;
  const refs = new Map([...shims.keys()].map((n) => [`@${printName(n)}(`, n]));
  const lines = text.split('\n').map((line) => {
    if (!line.startsWith('declare ')) return line;
    const at = line.indexOf(' @');
    const paren = at < 0 ? -1 : line.indexOf('(', at);
    return paren > 0 && refs.has(line.slice(at + 1, paren + 1)) ? '' : line;
  });
  const out = [lines.join('\n'), HELPERS];
  for (const [name, decl] of Object.entries(HELPER_DECLS)) if (!m.symbols.has(name)) out.push(decl);
  for (const [name, shim] of shims) out.push(BODIES[shim].replace('$F', `@${printName(name)}`));
  return out.join('\n') + '\n';
}
