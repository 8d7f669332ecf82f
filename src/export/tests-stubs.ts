/**
 * @fileoverview Stage: export. The stubs of an exported test project (`export tests`): a C definition for
 * every function the module declares whose results the engine recorded (functions of other units,
 * unmodelled library functions, the environment: `time`, `getpid`, ...) and for every generated stub
 * (docs/gen.md), each returning the recorded values in call order (`isx_next_call`); stand-ins for declared
 * globals the records name. Outside a test's call a stub of a library function forwards to the real one
 * (`isx_real`: `dlsym(RTLD_NEXT)` in the support file), so the test harness itself is not affected.
 *
 * Consumes: the module (IR declarations and their types), the records' calls and pointer targets.
 * Produces: `StubPlan`: the stubs file's text, a header declaring the generated stubs, the C names, and
 * the names the test unit must declare weak (declared, never called, maybe not defined anywhere).
 */
import type { InputRecord, PtrTarget } from '../gen/record.js';
import { isStubName, stubDeclarations } from '../gen/stubs.js';
import { declaredSize } from '../replay/native-build.js';
import type { DataLayout } from '../ir/datalayout.js';
import type { Func, GlobalVar, Module } from '../ir/model.js';
import type { Type } from '../ir/types.js';
import { isCIdent } from './tests-c-literal.js';
import { modelledExternals } from '../engine/externals.js';
import '../engine/libc/index.js';

export interface StubPlan {
  /** C name of each stubbed function (IR name or `stub <type>` -> C identifier). */
  readonly names: ReadonlyMap<string, string>;
  /** IR return type of each stubbed function. */
  readonly returns: ReadonlyMap<string, Type>;
  /** Declared globals defined in the stubs (IR name -> size). */
  readonly globals: ReadonlyMap<string, number>;
  /** Why a function the records call could not be stubbed. */
  readonly refused: ReadonlyMap<string, string>;
  /** Declared functions and globals the test unit declares `#pragma weak`. */
  readonly weak: readonly string[];
  readonly source: string;
  readonly header: string;
}

/** C type of an IR type for a stub's signature, or undefined. */
function cOf(t: Type, signed: boolean): string | undefined {
  switch (t.kind) {
    case 'void':
      return 'void';
    case 'ptr':
      return 'void *';
    case 'int':
      if (t.bits === 1) return '_Bool';
      if (t.bits === 8 || t.bits === 16 || t.bits === 32 || t.bits === 64)
        return `${signed ? '' : 'u'}int${t.bits}_t`;
      return t.bits === 128 ? '__int128' : undefined;
    case 'float':
      return t.fk === 'float'
        ? 'float'
        : t.fk === 'double'
          ? 'double'
          : t.fk === 'x86_fp80'
            ? 'long double'
            : undefined;
    default:
      return undefined;
  }
}

const ABI_CHANGING = ['byval', 'sret', 'inalloca', 'preallocated', 'byref', 'swifterror'];

/**
 * The C type of a `byval` parameter (an aggregate the caller copies onto the stack): a struct of its size
 * and stack alignment, which the x86-64 SysV ABI passes in memory the same way when it is over 16 bytes
 * (a smaller one would go in registers); undefined otherwise. Its typedef is `byvalTypedef`.
 */
function byvalType(p: Func['params'][number], dl: DataLayout | undefined): string | undefined {
  const a = p.attrs.attrs.find((x) => x.name === 'byval');
  if (dl === undefined || a?.type === undefined) return undefined;
  const size = dl.allocSize(a.type);
  if (size <= 16) return undefined;
  return `isx_byval_${size}_${dl.abiAlign(a.type) > 8 ? 16 : 8}`;
}

const isByvalType = (c: string): boolean => c.startsWith('isx_byval_');

/** The typedef of a `byvalType` name. */
function byvalTypedef(name: string): string {
  const [, size, align] = /^isx_byval_(\d+)_(\d+)$/.exec(name)!;
  return `typedef struct { unsigned char b[${size}]; } __attribute__((aligned(${align}))) ${name};`;
}

/** The C signature parts of a function, or why it has none (`dl`: byval parameters as structs). */
function signature(
  f: Func,
  name: string,
  dl?: DataLayout,
): { ret: string; params: string[]; proto: string; list: string } | string {
  const has = (l: { attrs: readonly { name: string }[] }, n: string): boolean =>
    l.attrs.some((a) => a.name === n);
  const ret = cOf(f.funcType.ret, has(f.retAttrs, 'signext'));
  if (ret === undefined) return `returns IR ${f.funcType.ret.kind}`;
  const params: string[] = [];
  for (const [i, p] of f.params.entries()) {
    const bv = byvalType(p, dl);
    if (bv !== undefined && !p.attrs.attrs.some((a) => a.name !== 'byval' && ABI_CHANGING.includes(a.name))) {
      params.push(bv);
      continue;
    }
    if (p.attrs.attrs.some((a) => ABI_CHANGING.includes(a.name)))
      return `parameter ${i} is passed by ABI attribute`;
    const c = cOf(p.type, has(p.attrs, 'signext'));
    if (c === undefined || c === 'void') return `parameter ${i} of IR type ${p.type.kind}`;
    params.push(c);
  }
  const list =
    params.length === 0 && !f.funcType.varargs
      ? 'void'
      : [...params, ...(f.funcType.varargs ? ['...'] : [])].join(', ');
  const named = params.map((c, i) => `${c} a${i}`);
  const namedList =
    named.length === 0 && !f.funcType.varargs
      ? 'void'
      : [...named, ...(f.funcType.varargs ? ['...'] : [])].join(', ');
  return { ret, params, proto: `${ret} ${name}(${namedList})`.replace('* ', '*'), list };
}

/**
 * The C type of a pointer to `f` with its IR signature (its ABI-level one: a struct passed in registers is
 * its scalars), or why there is none. Without debug information the C prototype of the source is not known
 * to match the IR's (clang splits small structs into scalars), so a test calls through this type.
 */
export function irPointerType(f: Func): string | { readonly reason: string } {
  const s = signature(f, 'x');
  return typeof s === 'string' ? { reason: s } : `${s.ret} (*)(${s.list})`;
}

function visitTargets(r: InputRecord, fn: (t: PtrTarget) => void): void {
  const v = (x: PtrTarget | null | undefined): void => {
    if (x !== null && x !== undefined) fn(x);
  };
  for (const a of r.args) if (a.t === 'ptr') v(a);
  for (const o of r.objects) for (const rl of o.relocs) v(rl.to);
  for (const g of r.globals) for (const rl of g.relocs) v(rl.to);
  for (const c of r.calls) if (c.ret.t === 'ptr') v(c.ret);
}

/** Plan the stubs of a module for its records. */
export function planStubs(
  m: Module,
  dl: DataLayout,
  records: readonly InputRecord[],
  stem: string,
): StubPlan {
  const called = new Set<string>();
  const namedGlobals = new Set<string>();
  for (const r of records) {
    for (const c of r.calls) called.add(c.fn);
    visitTargets(r, (t) => {
      if ('fn' in t && isStubName(t.fn)) called.add(t.fn);
      if ('global' in t) namedGlobals.add(t.global);
    });
    for (const g of r.globals) namedGlobals.add(g.name);
    for (const g of r.outcome.memory.globals) namedGlobals.add(g.name);
  }
  const gen = stubDeclarations(m);
  const genIndex = new Map(gen.map((f, i) => [f.name, i]));
  const names = new Map<string, string>();
  const returns = new Map<string, Type>();
  const refused = new Map<string, string>();
  const defs: string[] = [];
  const header: string[] = [];
  // The by-value struct types the stubs' parameters use (`byvalType`), and those the header's use.
  const byvals = new Set<string>();
  const headerTypes = new Set<string>();
  for (const name of [...called].sort()) {
    const sym = isStubName(name) ? gen[genIndex.get(name) ?? -1] : m.symbols.get(name);
    if (sym === undefined || sym.kind !== 'function' || sym.blocks.length > 0) {
      refused.set(name, 'not a declared function of the module');
      continue;
    }
    const cname = isStubName(name) ? `isx_stub_${genIndex.get(name)}` : name;
    if (!isCIdent(cname)) {
      refused.set(name, 'no C name');
      continue;
    }
    const sig = signature(sym, cname, dl);
    if (typeof sig === 'string') {
      refused.set(name, `cannot be stubbed in C: ${sig}`);
      continue;
    }
    names.set(name, cname);
    returns.set(name, sym.funcType.ret);
    defs.push(stubDefinition(m, sym, name, cname, sig, isStubName(name)));
    const types = sig.params.filter(isByvalType);
    for (const t of types) byvals.add(t);
    if (isStubName(name)) {
      header.push(`${sig.proto};`);
      for (const t of types) headerTypes.add(t);
    }
  }
  const globals = new Map<string, number>();
  const gdefs: string[] = [...[...byvals].sort().map(byvalTypedef)];
  for (const name of [...namedGlobals].sort()) {
    const g = m.symbols.get(name);
    if (g === undefined || g.kind !== 'gvar' || g.init !== undefined || !isCIdent(name)) continue;
    const size = declaredSize(dl, g as GlobalVar);
    globals.set(name, size);
    gdefs.push(`unsigned char ${name}[${size}] __attribute__((aligned(16)));`);
  }
  const modelled = new Set(modelledExternals());
  const weak: string[] = [];
  for (const g of m.globals) {
    if (names.has(g.name) || globals.has(g.name) || !isCIdent(g.name)) continue;
    if (g.kind === 'function' && g.blocks.length === 0 && !modelled.has(g.name)) weak.push(g.name);
    if (g.kind === 'gvar' && g.init === undefined) weak.push(g.name);
  }
  const source = [
    `/* Stubs of ${stem}: generated by inputsmith export tests, do not edit. Each returns the results the`,
    ' * engine recorded, in call order; outside a test a library function is forwarded to the real one. */',
    // No <dlfcn.h> here: a library that loads modules has its dlopen/dlsym stubbed in this file, with the
    // IR's types (isx_real, in the support file, finds the real functions).
    '#include <stdint.h>',
    '#include <string.h>',
    '#include "isx_support.h"',
    '',
    ...gdefs,
    ...(gdefs.length > 0 ? [''] : []),
    ...defs,
  ].join('\n');
  const h = [
    `/* Generated stubs of ${stem}: generated by inputsmith export tests, do not edit. */`,
    ...[...headerTypes].sort().map(byvalTypedef),
    ...header,
    '',
  ].join('\n');
  return { names, returns, globals, refused, weak: weak.sort(), source, header: h };
}

function stubDefinition(
  m: Module,
  f: Func,
  irName: string,
  cname: string,
  sig: { ret: string; params: string[]; proto: string },
  generated: boolean,
): string {
  const lit = JSON.stringify(irName);
  const out = [`${sig.proto} {`];
  if (!generated && !f.funcType.varargs) {
    const fp = `${sig.ret} (*)(${sig.params.length === 0 ? 'void' : sig.params.join(', ')})`;
    out.push(
      '  if (!isx_active()) {',
      `    ${sig.ret} (*real)(${sig.params.length === 0 ? 'void' : sig.params.join(', ')}) = (${fp})isx_real(${lit});`,
      `    if (real == NULL) isx_no_real(${lit});`,
      `    ${sig.ret === 'void' ? '' : 'return '}real(${sig.params.map((_, i) => `a${i}`).join(', ')});${sig.ret === 'void' ? '\n    return;' : ''}`,
      '  }',
    );
  } else out.push(`  if (!isx_active()) isx_no_real(${lit});`);
  for (let i = 0; i < sig.params.length; i++) out.push(`  (void)a${i};`);
  const noreturn =
    f.fnAttrs.attrs.some((a) => a.name === 'noreturn') ||
    f.fnAttrs.groups.some((g) => (m.attrGroups.get(g) ?? []).some((a) => a.name === 'noreturn'));
  if (sig.ret === 'void') {
    out.push(`  (void)isx_next_call(${lit});`);
    if (noreturn) out.push(`  isx_noreturn(${lit});`);
  } else {
    out.push(`  ${sig.ret} r;`, `  memcpy(&r, isx_next_call(${lit}), sizeof r);`);
    if (noreturn) out.push(`  isx_noreturn(${lit});`);
    out.push('  return r;');
  }
  out.push('}', '');
  void cname;
  return out.join('\n');
}
