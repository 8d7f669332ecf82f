/**
 * @fileoverview Stage: engine. The engine's own external handlers: longjmp (tied to the engine's setjmp
 * lowering) and minimal fallbacks for malloc/free/calloc/realloc/exit/abort/putchar/puts, which the libc
 * models in src/engine/libc/ replace when they register the same names.
 *
 * Consumes: the runtime interface of externals.ts. Produces: registrations at import time.
 */
import { registerCoreExternal, toNum, type ExtValue, type Runtime } from './externals.js';
import { LongJump } from './helpers.js';
import { Trap } from './outcome.js';

/** longjmp(buf, val): unwinds to the frame whose setjmp filled buf (see codegen dispatcher mode). */
function longjmp(rt: Runtime, [buf, val]: ExtValue[]): never {
  const p = Number(buf);
  rt.mem.check(p, 24, false);
  const dv = rt.mem.dv;
  if (dv.getInt32(p + 16, true) !== 0x5e7a11)
    // Undefined behaviour (natively glibc jumps to whatever the buffer holds): an invalid jump target.
    throw new Trap('invalid-pointer', 'longjmp with a jmp_buf that setjmp did not fill');
  const v = Number(val) | 0;
  throw new LongJump(
    dv.getInt32(p, true),
    dv.getInt32(p + 4, true),
    v === 0 ? 1 : v,
    dv.getFloat64(p + 8, true),
  );
}

for (const name of ['longjmp', '_longjmp', 'siglongjmp', '__longjmp_chk'])
  registerCoreExternal(name, longjmp);

registerCoreExternal('malloc', (rt, [n]) => rt.mem.malloc(toNum(n!)));
registerCoreExternal('calloc', (rt, [n, s]) => rt.mem.calloc(toNum(n!), toNum(s!)));
registerCoreExternal('realloc', (rt, [p, n]) => rt.mem.realloc(Number(p), toNum(n!)));
registerCoreExternal('free', (rt, [p]) => rt.mem.free(Number(p)));
registerCoreExternal('exit', (rt, [c]) => rt.exit(Number(c) | 0));
registerCoreExternal('abort', (rt) => rt.trap('abort', 'abort() called'));
registerCoreExternal('putchar', (rt, [c]) => {
  rt.stdout.writeByte(Number(c) & 255);
  return Number(c) & 255;
});
registerCoreExternal('puts', (rt, [s]) => {
  rt.stdout.write(rt.mem.cstring(Number(s)));
  rt.stdout.writeByte(10);
  return 0;
});

// POSIX calls real programs make at start-up (the sqlite3 shell looks for ~/.sqliterc): the engine has no
// real file system, so they report "not there". The libc models may replace them with real ones.
registerCoreExternal('access', () => -1);
registerCoreExternal('getpwuid', () => 0);
