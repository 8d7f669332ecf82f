/**
 * @fileoverview Stage: engine (libc models). pthread.h for a program that runs on one thread: mutexes
 * (normal, recursive, error-checking) with glibc's semantics and object layout, mutex attributes,
 * pthread_self/pthread_equal, and thread creation that fails with EAGAIN (as when the process may not start
 * another thread), so libraries with optional worker threads (sqlite's sorter) take their one-thread path.
 *
 * Consumes: the externals API. Produces: registered handlers. The state lives in the program's own
 * `pthread_mutex_t` (glibc's 40-byte layout: `__lock` at 0, `__count` at 4, `__owner` at 8, `__nusers` at
 * 12, `__kind` at 16), so statically initialised mutexes (`PTHREAD_MUTEX_INITIALIZER`, all zeros) work.
 * Locking a normal mutex the thread already holds blocks forever natively; here the run ends with the
 * `step-limit` outcome at once (what a native run would end with under any time limit).
 */
import { registerExternals, type ExtValue, type Runtime } from '../externals.js';
import { EAGAIN, EBUSY, EINVAL, EPERM, int, ptr } from './common.js';

const EDEADLK = 35;
const ESRCH = 3;
const NORMAL = 0;
const RECURSIVE = 1;
const ERRORCHECK = 2;
/** The thread id glibc would store in `__owner` (the main thread's tid is the process id, misc.ts). */
const TID = 4242;
/** pthread_self() of the main thread (an address in the real library; any stable non-zero value). */
const SELF = 0x7f00_0000;

function kindOf(rt: Runtime, m: number): number {
  return rt.mem.readI32(m + 16) & 0x7f;
}

function lock(rt: Runtime, mp: ExtValue | undefined, tryOnly: boolean): number {
  const m = ptr(mp);
  const mem = rt.mem;
  const kind = kindOf(rt, m);
  if (mem.readI32(m) === 0) {
    mem.writeI32(m, 1);
    mem.writeI32(m + 4, kind === RECURSIVE ? 1 : 0);
    mem.writeI32(m + 8, TID);
    mem.writeI32(m + 12, mem.readI32(m + 12) + 1);
    return 0;
  }
  const mine = mem.readI32(m + 8) === TID;
  if (kind === RECURSIVE && mine) {
    const c = mem.readU32(m + 4);
    if (c === 0xffffffff) return EAGAIN;
    mem.writeI32(m + 4, c + 1);
    return 0;
  }
  if (tryOnly) return EBUSY;
  if (kind === ERRORCHECK && mine) return EDEADLK;
  return rt.trap('step-limit', 'pthread_mutex_lock: deadlock (the only thread waits for a mutex it holds)');
}

function unlock(rt: Runtime, mp: ExtValue | undefined): number {
  const m = ptr(mp);
  const mem = rt.mem;
  const kind = kindOf(rt, m);
  const held = mem.readI32(m) !== 0 && mem.readI32(m + 8) === TID;
  if (kind !== NORMAL && !held) return EPERM;
  if (kind === RECURSIVE) {
    const c = mem.readU32(m + 4) - 1;
    mem.writeI32(m + 4, c);
    if (c !== 0) return 0;
  }
  mem.writeI32(m, 0);
  mem.writeI32(m + 8, 0);
  mem.writeI32(m + 12, Math.max(0, mem.readI32(m + 12) - 1));
  return 0;
}

registerExternals({
  pthread_mutexattr_init: (rt, [a]) => {
    rt.mem.writeI32(ptr(a), NORMAL);
    return 0;
  },
  pthread_mutexattr_destroy: () => 0,
  pthread_mutexattr_settype: (rt, [a, k]) => {
    if (int(k) < 0 || int(k) > 3) return EINVAL;
    rt.mem.writeI32(ptr(a), int(k));
    return 0;
  },
  pthread_mutexattr_gettype: (rt, [a, out]) => {
    rt.mem.writeI32(ptr(out), rt.mem.readI32(ptr(a)) & 0x7f);
    return 0;
  },
  pthread_mutex_init: (rt, [m, a]) => {
    rt.mem.fill(ptr(m), 0, 40);
    rt.mem.writeI32(ptr(m) + 16, ptr(a) === 0 ? NORMAL : rt.mem.readI32(ptr(a)) & 0x7f);
    return 0;
  },
  pthread_mutex_destroy: (rt, [m]) => (rt.mem.readI32(ptr(m)) !== 0 ? EBUSY : 0),
  pthread_mutex_lock: (rt, [m]) => lock(rt, m, false),
  pthread_mutex_trylock: (rt, [m]) => lock(rt, m, true),
  pthread_mutex_unlock: (rt, [m]) => unlock(rt, m),
  pthread_self: () => BigInt(SELF),
  pthread_equal: (_rt, [a, b]) => (BigInt(a ?? 0) === BigInt(b ?? 0) ? 1 : 0),
  pthread_create: () => EAGAIN,
  pthread_join: () => ESRCH,
  pthread_detach: () => ESRCH,
});
