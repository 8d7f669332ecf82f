/**
 * @fileoverview Stage: engine (libc models). assert.h, locale.h, signal.h and the small unistd.h calls
 * (process ids, sysconf, getpagesize) and pwd.h's user database (one user) with deterministic answers.
 *
 * Consumes: the externals API. Produces: registered handlers. `__assert_fail` writes glibc's exact message
 * to stderr (`prog: file:line: func: Assertion `expr' failed.`) and ends the run with the assert-fail
 * outcome; `raise(SIGABRT)` is abort. setlocale accepts only the C/POSIX locale (returns "C").
 */
import { registerExternalGlobal, registerExternals, type Runtime } from '../externals.js';
import { bytesOf, defineStatic, int, ptr } from './common.js';

function progname(rt: Runtime): string {
  const a0 = rt.args[0] ?? '';
  const k = a0.lastIndexOf('/');
  return k >= 0 ? a0.slice(k + 1) : a0;
}

function assertFail(rt: Runtime, expr: number, file: number, line: number, func: number): never {
  const pn = progname(rt);
  const f = func !== 0 ? rt.mem.string(func) : '';
  const msg = `${pn}${pn ? ': ' : ''}${rt.mem.string(file)}:${line >>> 0}: ${f}${f ? ': ' : ''}Assertion \`${rt.mem.string(expr)}' failed.\n`;
  rt.stderr.writeString(msg);
  return rt.trap('assert-fail', msg.trimEnd());
}

const C_LOCALE = defineStatic('__libc_locale_c', 8, (rt, a) => rt.mem.u8.set(bytesOf('C\0'), a), true);

/** struct lconv of the C locale: 10 string pointers then 14 chars of CHAR_MAX. */
const LCONV = defineStatic('__libc_lconv', 96 + 16, (rt, a) => {
  const strs = a + 96; // "." then "" strings
  rt.mem.u8.set(bytesOf('.\0\0'), strs);
  const dv = rt.mem.dv;
  dv.setBigUint64(a, BigInt(strs), true);
  for (let i = 1; i < 10; i++) dv.setBigUint64(a + 8 * i, BigInt(strs + 2), true);
  rt.mem.u8.fill(127, a + 80, a + 94);
});

const PROGNAME = defineStatic('__libc_progname', 256, (rt, a) => {
  const b = Buffer.from(progname(rt) + '\0');
  const full = Buffer.from((rt.args[0] ?? '') + '\0');
  rt.mem.u8.set(b.subarray(0, 127), a);
  rt.mem.u8.set(full.subarray(0, 127), a + 128);
  rt.mem.u8[a + 127] = 0;
  rt.mem.u8[a + 255] = 0;
});
for (const [name, off] of [
  ['__progname', 0],
  ['program_invocation_short_name', 0],
  ['__progname_full', 128],
  ['program_invocation_name', 128],
] as const) {
  registerExternalGlobal(name, {
    size: 8,
    align: 8,
    init: (rt, a) => rt.mem.dv.setBigUint64(a, BigInt(PROGNAME.addr(rt) + off), true),
  });
}

/** The one user: `user` (uid and gid 1000, as getuid answers), home /home/user (fs.ts's VIRTUAL_CWD). */
const PASSWD_STRINGS = ['user', 'x', '', '/home/user', '/bin/sh'];
/** struct passwd (48 bytes: name, passwd, uid, gid, gecos, dir, shell) followed by its strings. */
const PASSWD = defineStatic('__libc_passwd', 48 + 64, (rt, a) => {
  let p = a + 48;
  const at: number[] = [];
  for (const str of PASSWD_STRINGS) {
    at.push(p);
    rt.mem.u8.set(bytesOf(str + '\0'), p);
    p += str.length + 1;
  }
  const dv = rt.mem.dv;
  for (const [i, off] of [0, 8, 24, 32, 40].entries()) dv.setBigUint64(a + off, BigInt(at[i]), true);
  dv.setUint32(a + 16, 1000, true);
  dv.setUint32(a + 20, 1000, true);
});

const SIGABRT = 6;

registerExternals({
  __assert_fail: (rt, [e, f, l, fn]) => assertFail(rt, ptr(e), ptr(f), int(l), ptr(fn)),
  __assert_perror_fail: (rt, [errnum, f, l, fn]) => {
    const pn = progname(rt);
    const func = ptr(fn) !== 0 ? rt.mem.string(ptr(fn)) : '';
    const msg = `${pn}${pn ? ': ' : ''}${rt.mem.string(ptr(f))}:${int(l) >>> 0}: ${func}${func ? ': ' : ''}Unexpected error: errno ${int(errnum)}.\n`;
    rt.stderr.writeString(msg);
    return rt.trap('assert-fail', msg.trimEnd());
  },
  __assert: (rt, [e, f, l]) => assertFail(rt, ptr(e), ptr(f), int(l), 0),

  setlocale: (rt, [, loc]) => {
    if (ptr(loc) === 0) return C_LOCALE.addr(rt);
    const name = rt.mem.string(ptr(loc));
    return name === '' || name === 'C' || name === 'POSIX' ? C_LOCALE.addr(rt) : 0;
  },
  localeconv: (rt) => LCONV.addr(rt),

  signal: () => 0,
  sigaction: () => 0,
  sigemptyset: () => 0,
  sigfillset: () => 0,
  sigaddset: () => 0,
  sigprocmask: () => 0,
  raise: (rt, [sig]) => (int(sig) === SIGABRT ? rt.trap('abort', 'raise(SIGABRT)') : 0),
  alarm: () => 0,

  getpid: () => 4242,
  getppid: () => 4241,
  getuid: () => 1000,
  geteuid: () => 1000,
  getgid: () => 1000,
  getegid: () => 1000,
  getpagesize: () => 4096,
  // No entry is not an error: NULL with errno unchanged.
  getpwuid: (rt, [uid]) => (int(uid) >>> 0 === 1000 ? PASSWD.addr(rt) : 0),
  getpwnam: (rt, [name]) => (rt.mem.string(ptr(name)) === 'user' ? PASSWD.addr(rt) : 0),
  sysconf: (_rt, [name]) => {
    switch (int(name)) {
      case 2:
        return 100n; // _SC_CLK_TCK
      case 30:
        return 4096n; // _SC_PAGESIZE
      case 83: // _SC_NPROCESSORS_CONF
      case 84:
        return 1n; // _SC_NPROCESSORS_ONLN
      case 4:
        return 1024n; // _SC_OPEN_MAX
      default:
        return -1n;
    }
  },
});
