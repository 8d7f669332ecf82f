/**
 * @fileoverview Stage: ir. The value ranges a load promises (`!range` with `!noundef`): clang's loads of a
 * C/C++ `bool` (`!range !{i8 0, i8 2}`), rustc's of `bool`, `char` and enum discriminants.
 *
 * Consumes: a load's raw metadata attachments (`Instr.md`, `, !tbaa !5, !range !11, !noundef !12`) and
 * the module's metadata definitions. Produces: the allowed values as half-open, possibly wrapping,
 * unsigned intervals, for the engine (a load outside them is undefined behaviour: `invalid-value`) and
 * for generation (input bytes drawn inside them).
 *
 * LLVM's rule (LangRef, `range` metadata): the loaded value must lie in one of the pairs [lo, hi), taken
 * modulo 2^bits (lo > hi wraps around); outside, the load's result is poison, and with `!noundef` as well
 * the load itself is undefined behaviour. Only the `!noundef` case is reported here: a poison value that
 * is never used is no error.
 */
import type { Module } from './model.js';

/** One allowed interval [lo, hi) of unsigned values modulo 2^bits; lo > hi wraps around. */
export interface ValueInterval {
  readonly lo: number;
  readonly hi: number;
}

/** Ranges parsed per metadata key (a module has a handful; the loads that use them are many). */
const CACHE = new WeakMap<Module, Map<string, readonly ValueInterval[] | null>>();

/**
 * The allowed values of a load of a `bits`-bit integer (1..32) with `!range` and `!noundef` attachments,
 * or undefined when the load promises nothing (no such attachments, another width, a range this reader
 * does not understand).
 */
export function loadRange(
  m: Module,
  md: string | undefined,
  bits: number,
): readonly ValueInterval[] | undefined {
  if (md === undefined || bits > 32 || !md.includes('!noundef')) return undefined;
  const key = /!range\s+!(\d+)/.exec(md)?.[1];
  if (key === undefined) return undefined;
  let byKey = CACHE.get(m);
  if (byKey === undefined) CACHE.set(m, (byKey = new Map()));
  let r = byKey.get(key);
  if (r === undefined) byKey.set(key, (r = parseRange(m.metadata.get(key), bits)));
  return r ?? undefined;
}

/**
 * The allowed values of an integer parameter with a `range(i8 0, 6)` attribute (LLVM 19+; rustc writes it
 * for enum discriminants, `char`, `NonZero*`), for `bits` up to 32; undefined when there is none. Outside
 * it the argument is poison, undefined behaviour with `noundef`: a caller may not pass such a value.
 */
export function paramRange(
  attrs: readonly { readonly name: string; readonly value?: string }[],
  bits: number,
): readonly ValueInterval[] | undefined {
  const a = attrs.find((x) => x.name === 'range');
  if (a?.value === undefined || bits > 32) return undefined;
  const mt = /^\(?\s*i(\d+)\s+(-?\d+)\s*,\s*(-?\d+)\s*\)?$/.exec(a.value.trim());
  if (mt === null || Number(mt[1]) !== bits) return undefined;
  const lo = Number(BigInt.asUintN(bits, BigInt(mt[2]!)));
  const hi = Number(BigInt.asUintN(bits, BigInt(mt[3]!)));
  return lo === hi ? undefined : [{ lo, hi }];
}

/** `!{i8 0, i8 2, i8 5, i8 7}` as intervals; null when the text is no such list. */
function parseRange(text: string | undefined, bits: number): readonly ValueInterval[] | null {
  if (text === undefined) return null;
  const body = /^!\{(.*)\}$/s.exec(text.trim())?.[1];
  if (body === undefined) return null;
  const vals: number[] = [];
  for (const part of body.split(',')) {
    const mt = /^\s*i(\d+)\s+(-?\d+)\s*$/.exec(part);
    if (mt === null || Number(mt[1]) !== bits) return null;
    vals.push(Number(BigInt.asUintN(bits, BigInt(mt[2]!))));
  }
  if (vals.length === 0 || vals.length % 2 !== 0) return null;
  const out: ValueInterval[] = [];
  for (let i = 0; i < vals.length; i += 2) {
    // lo === hi is the full set (LLVM allows it only as such): no promise.
    if (vals[i] === vals[i + 1]) return null;
    out.push({ lo: vals[i]!, hi: vals[i + 1]! });
  }
  return out;
}

/** Whether unsigned `v` lies in one of the intervals. */
export function inRange(r: readonly ValueInterval[], v: number): boolean {
  return r.some(({ lo, hi }) => (lo < hi ? v >= lo && v < hi : v >= lo || v < hi));
}

/** The number of values the intervals allow (for drawing one). */
export function rangeSize(r: readonly ValueInterval[], bits: number): number {
  const mod = 2 ** bits;
  return r.reduce((a, { lo, hi }) => a + ((hi - lo + mod) % mod), 0);
}

/** The k-th allowed value (0 <= k < rangeSize), in the order the intervals are written. */
export function rangeValue(r: readonly ValueInterval[], bits: number, k: number): number {
  const mod = 2 ** bits;
  for (const { lo, hi } of r) {
    const n = (hi - lo + mod) % mod;
    if (k < n) return (lo + k) % mod;
    k -= n;
  }
  return r[0]!.lo;
}
