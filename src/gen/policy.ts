/**
 * @fileoverview Stage: gen. Value policies: what a generated integer, float, byte or pointer decision is.
 *
 * Consumes: the seeded `Rng` of one input and the function's `Dictionary` (constants it compares against,
 * strings it references). Produces: values. Uniform randomness finds little (a function that checks
 * `n < 16` or `c == ':'` needs those values), so the mix favours small numbers, boundary values, the
 * function's own constants (and their neighbours), NUL-terminated strings of plausible characters, and
 * pointer decisions whose chance of null grows with depth, so that lists and trees stay finite.
 */
import type { Func, Instr, Module, Value } from '../ir/model.js';
import type { ByteTable, Rng } from '../util/rng.js';

/** Constants a function (and the functions it calls directly) uses, for value generation. */
export interface Dictionary {
  /** Integer constants of comparisons and switches (unsigned bit patterns, by width). */
  readonly ints: readonly bigint[];
  /** Byte values (0..255) among them, plus the bytes of referenced strings. */
  readonly bytes: readonly number[];
  /** NUL-free strings the function references (c"..." constants). */
  readonly strings: readonly Uint8Array[];
  /** Floating-point constants of float comparisons. */
  readonly floats: readonly number[];
}

const MAX_DICT = 256;

/** Build the dictionary of `f`: its comparisons and switches, and those of its direct callees. */
export function buildDictionary(m: Module, f: Func): Dictionary {
  const ints = new Set<bigint>();
  const floats = new Set<number>();
  const strings = new Map<string, Uint8Array>();
  const seen = new Set<Func>();
  const visit = (fn: Func, depth: number): void => {
    if (seen.has(fn) || fn.blocks.length === 0) return;
    seen.add(fn);
    for (const b of fn.blocks)
      for (const i of b.instrs) {
        collect(i, ints, floats, strings);
        if (depth > 0 && (i.op === 'call' || i.op === 'invoke') && i.callee.kind === 'function')
          visit(i.callee, depth - 1);
      }
  };
  visit(f, 1);
  void m;
  const intList = [...ints].slice(0, MAX_DICT);
  const bytes = new Set<number>();
  for (const v of intList) if (v >= 0n && v < 256n && v !== 0n) bytes.add(Number(v));
  const strList = [...strings.values()].slice(0, 64);
  for (const s of strList) for (const c of s) bytes.add(c);
  return { ints: intList, bytes: [...bytes].slice(0, MAX_DICT), strings: strList, floats: [...floats] };
}

function constInt(v: Value): bigint | undefined {
  if (v.kind === 'int' && v.type.kind === 'int') return BigInt.asUintN(v.type.bits, v.value);
  return undefined;
}

function collect(i: Instr, ints: Set<bigint>, floats: Set<number>, strings: Map<string, Uint8Array>): void {
  switch (i.op) {
    case 'icmp':
      for (const v of [i.lhs, i.rhs]) {
        const c = constInt(v);
        if (c !== undefined) ints.add(c);
      }
      break;
    case 'fcmp':
      for (const v of [i.lhs, i.rhs])
        if (v.kind === 'float' && v.type.kind === 'float' && v.type.fk === 'double') {
          floats.add(new Float64Array(new BigUint64Array([v.bits]).buffer)[0]!);
        }
      break;
    case 'switch':
      for (const c of i.cases) {
        const k = constInt(c.value);
        if (k !== undefined) ints.add(k);
      }
      break;
    case 'call':
    case 'invoke':
      // Integer arguments of calls: strchr(s, ';'), memcmp(a, b, 4), parse_int(v, 1, 65535).
      for (const a of i.args) {
        const k = constInt(a.value);
        if (k !== undefined && a.value.type.kind === 'int' && a.value.type.bits > 1) ints.add(k);
      }
      break;
    default:
      break;
  }
  // Strings the instruction references (strcmp(s, "key"), table lookups).
  for (const v of operands(i)) {
    if (v.kind === 'gvar' && v.isConstant && v.init?.kind === 'string') {
      const bytes = v.init.bytes;
      const end = bytes.indexOf(0);
      const s = end < 0 ? bytes : bytes.subarray(0, end);
      if (s.length > 0 && s.length <= 64) strings.set(Buffer.from(s).toString('latin1'), s);
    }
  }
}

function operands(i: Instr): Value[] {
  switch (i.op) {
    case 'call':
    case 'invoke':
      return i.args.map((a) => a.value);
    case 'store':
      return [i.value];
    case 'getelementptr':
      return [i.ptr];
    case 'select':
      return [i.ifTrue, i.ifFalse];
    default:
      return [];
  }
}

/** The value generator of one input: an `Rng` plus the dictionary. */
export class Policy {
  constructor(
    readonly rng: Rng,
    readonly dict: Dictionary,
  ) {}

  /** The dictionary's ints as unsigned numbers of `bits` (<= 32) bits, by width (made once per dictionary). */
  private narrowInts(bits: number): readonly number[] {
    let byBits = NARROW.get(this.dict);
    if (byBits === undefined) NARROW.set(this.dict, (byBits = []));
    return (byBits[bits] ??= this.dict.ints.map((v) => Number(BigInt.asUintN(bits, v))));
  }

  /** An integer of `bits` bits (unsigned bit pattern). */
  int(bits: number): bigint {
    if (bits <= 32) return BigInt(this.int32(bits));
    const r = this.rng;
    const mask = (1n << BigInt(bits)) - 1n;
    const x = r.below(100);
    let v: bigint;
    if (x < 34) v = BigInt(r.below(17));
    else if (x < 52 && this.dict.ints.length > 0) {
      // A constant the function compares with, or a neighbour (both sides of `x > 1000 && x < 1010`).
      v = r.pick(this.dict.ints);
      const d = r.below(6);
      if (d === 0) v -= 1n;
      else if (d === 1) v += 1n;
      else if (d === 2) v += BigInt(r.below(17) - 8);
    } else if (x < 64) {
      const top = 1n << BigInt(bits - 1);
      v = r.pick([0n, 1n, mask, top - 1n, top, mask - 1n, 2n, 255n, 256n, 65535n]);
    } else if (x < 74) v = -BigInt(1 + r.below(16));
    else if (x < 84) v = 1n << BigInt(r.below(bits));
    else if (x < 92) v = BigInt(r.below(1000));
    else v = r.u64() | (bits > 64 ? r.u64() << 64n : 0n);
    return v & mask;
  }

  /**
   * `int` for widths up to 32 bits, in plain numbers (no BigInt allocation on the generation fast path):
   * the unsigned bit pattern.
   */
  int32(bits: number): number {
    const r = this.rng;
    if (bits === 1) return r.below(2);
    if (bits === 8) return this.byte();
    const mod = 2 ** bits;
    const x = r.below(100);
    if (x < 34) return r.below(17);
    if (x < 52 && this.dict.ints.length > 0) {
      let v = r.pick(this.narrowInts(bits));
      const d = r.below(6);
      if (d === 0) v -= 1;
      else if (d === 1) v += 1;
      else if (d === 2) v += r.below(17) - 8;
      return wrap(v, mod);
    }
    if (x < 64) {
      const top = 2 ** (bits - 1);
      return wrap(r.pick([0, 1, mod - 1, top - 1, top, mod - 2, 2, 255, 256, 65535]), mod);
    }
    if (x < 74) return wrap(-(1 + r.below(16)), mod);
    if (x < 84) return 2 ** r.below(bits);
    if (x < 92) return wrap(r.below(1000), mod);
    return bits === 32 ? r.u32() : r.u32() % mod;
  }

  /**
   * `int` for widths of 33 to 64 bits, as two unsigned 32-bit halves written to `out` (low, high): the same
   * choices without BigInt on the common paths (generation of 64-bit fields is the hottest part of lazy
   * input generation on large structures).
   */
  int64(bits: number, out: Uint32Array): void {
    const r = this.rng;
    const hiMask = bits >= 64 ? 0xffffffff : 2 ** (bits - 32) - 1;
    const set = (lo: number, hi: number): void => {
      out[0] = lo >>> 0;
      out[1] = (hi & hiMask) >>> 0;
    };
    const x = r.below(100);
    if (x < 34) return set(r.below(17), 0);
    if (x < 52 && this.dict.ints.length > 0) {
      let v = r.pick(this.dict.ints);
      const d = r.below(6);
      if (d === 0) v -= 1n;
      else if (d === 1) v += 1n;
      else if (d === 2) v += BigInt(r.below(17) - 8);
      const u = BigInt.asUintN(64, v);
      return set(Number(u & 0xffffffffn), Number(u >> 32n));
    }
    if (x < 64) {
      // 0, 1, all ones, top - 1, top, all ones - 1, 2, 255, 256, 65535 (top: the sign bit alone).
      const k = r.below(10);
      const topHi = 2 ** (bits - 33);
      switch (k) {
        case 0:
          return set(0, 0);
        case 1:
          return set(1, 0);
        case 2:
          return set(0xffffffff, 0xffffffff);
        case 3:
          return set(0xffffffff, topHi - 1);
        case 4:
          return set(0, topHi);
        case 5:
          return set(0xfffffffe, 0xffffffff);
        default:
          return set([2, 255, 256, 65535][k - 6]!, 0);
      }
    }
    if (x < 74) return set(-(1 + r.below(16)), 0xffffffff);
    if (x < 84) {
      const b = r.below(bits);
      return b < 32 ? set(2 ** b, 0) : set(0, 2 ** (b - 32));
    }
    if (x < 92) return set(r.below(1000), 0);
    const hi = r.u32();
    return set(r.u32(), hi);
  }

  /** A byte of string-like memory: often a dictionary character, sometimes NUL, otherwise printable. */
  byte(): number {
    const r = this.rng;
    const x = r.below(100);
    if (x < 12) return 0;
    if (x < 45 && this.dict.bytes.length > 0) return r.pick(this.dict.bytes);
    if (x < 90) return r.pick(PRINTABLE);
    return r.below(256);
  }

  /**
   * `n` bytes of string-like memory into out[0, n): exactly the bytes (and random draws) of n calls of
   * `byte()`, in a loop with the dictionary and the tables hoisted (bulk reads of large inputs, such as a
   * compressor's memcpy of a literal run, generate hundreds of kilobytes a run).
   */
  bytes(out: Uint8Array, n: number): void {
    let t = BYTE_TABLES.get(this.dict);
    if (t === undefined) {
      t = [
        { until: 45, values: Uint8Array.from(this.dict.bytes) },
        { until: 90, values: PRINTABLE_U8 },
      ];
      BYTE_TABLES.set(this.dict, t);
    }
    this.rng.fillBytes(out, n, 12, t);
  }

  /** A string from the dictionary to lay out at the start of an object, or undefined. */
  template(): Uint8Array | undefined {
    if (this.dict.strings.length === 0 || !this.rng.chance(0.3)) return undefined;
    return this.rng.pick(this.dict.strings);
  }

  double(): number {
    const r = this.rng;
    const x = r.below(100);
    if (x < 25) return r.below(11);
    if (x < 40 && this.dict.floats.length > 0) return r.pick(this.dict.floats);
    if (x < 55) return r.pick([0, -0, 1, -1, 0.5, -0.5, 1e-9, 1e9, 100, -100]);
    if (x < 90) return (r.u32() / 4294967296) * 200 - 100;
    return r.pick([Infinity, -Infinity, NaN, Number.MAX_VALUE, Number.MIN_VALUE]);
  }

  /**
   * Pointer decision at `depth` (0 for arguments): 'null', 'new' or 'alias'. Deeper pointers are null
   * more often, so recursive structures end; arguments are rarely null.
   */
  pointer(depth: number, canAlias: boolean): 'null' | 'new' | 'alias' {
    const pNull = depth === 0 ? 0.04 : Math.min(0.85, 0.12 + 0.14 * depth);
    const x = this.rng.u32() / 4294967296;
    if (x < pNull) return 'null';
    if (canAlias && x < pNull + (depth === 0 ? 0.04 : 0.08)) return 'alias';
    return 'new';
  }
}

/** v modulo mod, in [0, mod). */
function wrap(v: number, mod: number): number {
  return ((v % mod) + mod) % mod;
}

/** `Policy.narrowInts` per dictionary (a policy is made per run, a dictionary per function). */
const NARROW = new WeakMap<Dictionary, number[][]>();

const PRINTABLE: readonly number[] = Array.from(
  Buffer.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ,.-_:/=+*#@!?\t\n', 'latin1'),
);
const PRINTABLE_U8 = Uint8Array.from(PRINTABLE);

/** `Policy.bytes`'s tables per dictionary: its bytes (below 45), printable characters (below 90). */
const BYTE_TABLES = new WeakMap<Dictionary, ByteTable[]>();
