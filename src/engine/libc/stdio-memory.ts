/**
 * @fileoverview Stage: engine (libc models). The printf and scanf models' views of a run's memory
 * (`FormatMemory`, `ScanMemory`), made once per runtime: the models are called in loops.
 *
 * Consumes: the runtime's memory and errno. Produces: `formatMemory(rt)`, `scanMemory(rt)` for stdio.ts.
 */
import type { Runtime } from '../externals.js';
import { getErrno } from './common.js';
import { errnoMessage } from './errno.js';
import type { FormatMemory } from './printf.js';
import type { ScanMemory } from './scanf.js';

const FORMAT_MEMORY = new WeakMap<Runtime, FormatMemory>();

/** The formatter's view of the run's memory. */
export function formatMemory(rt: Runtime): FormatMemory {
  const fm = FORMAT_MEMORY.get(rt);
  if (fm !== undefined) return fm;
  const made: FormatMemory = {
    // %s: the formatter copies the bytes into its output at once.
    cstring: (a, max) => rt.mem.cstringView(a, max),
    wstring: (a, max) => {
      const out: number[] = [];
      for (let p = a; max < 0 || out.length < max; p += 4) {
        const c = rt.mem.readI32(p);
        if (c === 0) break;
        out.push(c);
      }
      return out;
    },
    store: (a, n, v) => rt.mem.writeInt(a, n, v),
    errnoMessage: () => errnoMessage(getErrno(rt)),
    charge: (units) => rt.charge(units),
  };
  FORMAT_MEMORY.set(rt, made);
  return made;
}

const SCAN_MEMORY = new WeakMap<Runtime, ScanMemory>();

/** scanf's view of the run's memory. */
export function scanMemory(rt: Runtime): ScanMemory {
  let sm = SCAN_MEMORY.get(rt);
  if (sm !== undefined) return sm;
  sm = {
    store: (a, n, v) => rt.mem.writeInt(a, n, v),
    storeNum: (a, n, v) => rt.mem.writeIntNum(a, n, v),
    storeBytes: (a, b) => rt.mem.writeBytes(a, b),
    storeF32: (a, v) => rt.mem.writeF32(a, v),
    storeF64: (a, v) => rt.mem.writeF64(a, v),
    storeF80: (a, b) => rt.mem.writeF80(a, b),
    alloc: (n) => rt.mem.malloc(n),
  };
  SCAN_MEMORY.set(rt, sm);
  return sm;
}
