/**
 * @fileoverview Stage: engine (libc models). errno.h and the error messages of string.h: `__errno_location`,
 * `strerror`, `strerror_r` (GNU and XSI), `strerrordesc_np`, with glibc 2.36's exact message texts.
 *
 * Consumes: the externals API. Produces: registered handlers, and `errnoMessage(n)` for printf's %m and
 * perror. The messages live in a read-only libc object so the pointers strerror returns stay valid.
 */
import { registerExternals } from '../externals.js';
import { bytesOf, defineStatic, ERANGE, getErrno, int, ptr, setErrno, size, ERRNO_CELL } from './common.js';

/** glibc's messages for errno 0..133 (dumped from glibc 2.36). */
export const ERRNO_MESSAGES: readonly string[] = [
  'Success',
  'Operation not permitted',
  'No such file or directory',
  'No such process',
  'Interrupted system call',
  'Input/output error',
  'No such device or address',
  'Argument list too long',
  'Exec format error',
  'Bad file descriptor',
  'No child processes',
  'Resource temporarily unavailable',
  'Cannot allocate memory',
  'Permission denied',
  'Bad address',
  'Block device required',
  'Device or resource busy',
  'File exists',
  'Invalid cross-device link',
  'No such device',
  'Not a directory',
  'Is a directory',
  'Invalid argument',
  'Too many open files in system',
  'Too many open files',
  'Inappropriate ioctl for device',
  'Text file busy',
  'File too large',
  'No space left on device',
  'Illegal seek',
  'Read-only file system',
  'Too many links',
  'Broken pipe',
  'Numerical argument out of domain',
  'Numerical result out of range',
  'Resource deadlock avoided',
  'File name too long',
  'No locks available',
  'Function not implemented',
  'Directory not empty',
  'Too many levels of symbolic links',
  'Unknown error 41',
  'No message of desired type',
  'Identifier removed',
  'Channel number out of range',
  'Level 2 not synchronized',
  'Level 3 halted',
  'Level 3 reset',
  'Link number out of range',
  'Protocol driver not attached',
  'No CSI structure available',
  'Level 2 halted',
  'Invalid exchange',
  'Invalid request descriptor',
  'Exchange full',
  'No anode',
  'Invalid request code',
  'Invalid slot',
  'Unknown error 58',
  'Bad font file format',
  'Device not a stream',
  'No data available',
  'Timer expired',
  'Out of streams resources',
  'Machine is not on the network',
  'Package not installed',
  'Object is remote',
  'Link has been severed',
  'Advertise error',
  'Srmount error',
  'Communication error on send',
  'Protocol error',
  'Multihop attempted',
  'RFS specific error',
  'Bad message',
  'Value too large for defined data type',
  'Name not unique on network',
  'File descriptor in bad state',
  'Remote address changed',
  'Can not access a needed shared library',
  'Accessing a corrupted shared library',
  '.lib section in a.out corrupted',
  'Attempting to link in too many shared libraries',
  'Cannot exec a shared library directly',
  'Invalid or incomplete multibyte or wide character',
  'Interrupted system call should be restarted',
  'Streams pipe error',
  'Too many users',
  'Socket operation on non-socket',
  'Destination address required',
  'Message too long',
  'Protocol wrong type for socket',
  'Protocol not available',
  'Protocol not supported',
  'Socket type not supported',
  'Operation not supported',
  'Protocol family not supported',
  'Address family not supported by protocol',
  'Address already in use',
  'Cannot assign requested address',
  'Network is down',
  'Network is unreachable',
  'Network dropped connection on reset',
  'Software caused connection abort',
  'Connection reset by peer',
  'No buffer space available',
  'Transport endpoint is already connected',
  'Transport endpoint is not connected',
  'Cannot send after transport endpoint shutdown',
  'Too many references: cannot splice',
  'Connection timed out',
  'Connection refused',
  'Host is down',
  'No route to host',
  'Operation already in progress',
  'Operation now in progress',
  'Stale file handle',
  'Structure needs cleaning',
  'Not a XENIX named type file',
  'No XENIX semaphores available',
  'Is a named type file',
  'Remote I/O error',
  'Disk quota exceeded',
  'No medium found',
  'Wrong medium type',
  'Operation canceled',
  'Required key not available',
  'Key has expired',
  'Key has been revoked',
  'Key was rejected by service',
  'Owner died',
  'State not recoverable',
  'Operation not possible due to RF-kill',
  'Memory page has hardware error',
];

/** The message for an errno value, as strerror returns it. */
export function errnoMessage(n: number): string {
  return n >= 0 && n < ERRNO_MESSAGES.length && !ERRNO_MESSAGES[n].startsWith('Unknown')
    ? ERRNO_MESSAGES[n]
    : `Unknown error ${n}`;
}

/** Offsets of each message in the table object. */
const OFFSETS: number[] = [];
const TABLE: Uint8Array = (() => {
  let total = 0;
  for (const m of ERRNO_MESSAGES) {
    OFFSETS.push(total);
    total += m.length + 1;
  }
  const t = new Uint8Array(total);
  ERRNO_MESSAGES.forEach((m, i) => t.set(bytesOf(m), OFFSETS[i]));
  return t;
})();

const ERRLIST = defineStatic('__libc_errlist', TABLE.length, (rt, a) => rt.mem.u8.set(TABLE, a), true);
const STRERROR_BUF = defineStatic('__libc_strerror_buf', 64);

/** Address of the message string of errno n (a static buffer for unknown values). */
export function strerrorAddr(rt: Parameters<typeof ERRLIST.addr>[0], n: number): number {
  if (n >= 0 && n < ERRNO_MESSAGES.length && !ERRNO_MESSAGES[n].startsWith('Unknown')) {
    return ERRLIST.addr(rt) + OFFSETS[n];
  }
  const buf = STRERROR_BUF.addr(rt);
  const b = bytesOf(`Unknown error ${n}`);
  rt.mem.writeBytes(buf, b);
  rt.mem.writeU8(buf + b.length, 0);
  return buf;
}

registerExternals({
  __errno_location: (rt) => ERRNO_CELL.addr(rt),
  strerror: (rt, [n]) => strerrorAddr(rt, int(n)),
  strerror_l: (rt, [n]) => strerrorAddr(rt, int(n)),
  strerrordesc_np: (rt, [n]) => {
    const e = int(n);
    return e >= 0 && e < ERRNO_MESSAGES.length && !ERRNO_MESSAGES[e].startsWith('Unknown')
      ? strerrorAddr(rt, e)
      : 0;
  },
  // GNU strerror_r: returns a pointer to the message (the static one for known errors).
  strerror_r: (rt, [n, buf, len]) => {
    const e = int(n);
    if (e >= 0 && e < ERRNO_MESSAGES.length && !ERRNO_MESSAGES[e].startsWith('Unknown'))
      return strerrorAddr(rt, e);
    const b = bytesOf(`Unknown error ${e}`);
    const cap = size(len);
    if (cap > 0) {
      const k = Math.min(b.length, cap - 1);
      rt.mem.writeBytes(ptr(buf), b.subarray(0, k));
      rt.mem.writeU8(ptr(buf) + k, 0);
    }
    return ptr(buf);
  },
  // XSI strerror_r: copies into buf, returns 0 or ERANGE (truncated).
  __xpg_strerror_r: (rt, [n, buf, len]) => {
    const b = bytesOf(errnoMessage(int(n)));
    const cap = size(len);
    if (cap === 0) return ERANGE;
    const k = Math.min(b.length, cap - 1);
    rt.mem.writeBytes(ptr(buf), b.subarray(0, k));
    rt.mem.writeU8(ptr(buf) + k, 0);
    return k < b.length ? ERANGE : 0;
  },
});

export { getErrno, setErrno };
