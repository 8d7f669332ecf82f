/**
 * @fileoverview Stage: engine (libc models). The POSIX file-descriptor layer (unistd.h, fcntl.h,
 * sys/stat.h): open/openat/creat, read/write/pread/pwrite, lseek, close, dup, fstat/stat/lstat/fstatat,
 * fcntl (descriptor flags, status flags, record locks), ftruncate/truncate, fsync/fdatasync, unlink/rmdir/
 * mkdir, access, getcwd/chdir, isatty, umask/chmod/chown, utime/utimes and readlink.
 *
 * Consumes: the externals API, the stream table of stdio.ts (an fd is a stream: fd 0/1/2 are stdin/stdout/
 * stderr, and fopen's FILEs have fds too) and the in-memory file system of fs.ts. Produces: registered
 * handlers. Every call answers as Linux does on x86-64, including the errno of each failure (EBADF,
 * ENOENT, ENOTDIR, EISDIR, EEXIST, ENOTEMPTY, ESPIPE, EINVAL, ERANGE, EACCES); `struct stat` is the 144-byte
 * x86-64 layout (stat and stat64 are the same). The standard streams are pipes (S_IFIFO, not seekable, not
 * terminals). One process: record locks never conflict (F_GETLK answers F_UNLCK), and every file belongs to
 * uid/gid 1000 (misc.ts's getuid); permission bits are recorded but not enforced, as for root.
 */
import { registerExternals, type ExtValue, type Runtime, type VaList } from '../externals.js';
import {
  EACCES,
  EBADF,
  EEXIST,
  EINVAL,
  EISDIR,
  EMFILE,
  ENOTDIR,
  ENOTTY,
  EFAULT,
  ERANGE,
  ESPIPE,
  int,
  long,
  ptr,
  setErrno,
  size,
  charge,
  pathArg,
  failWith,
} from './common.js';
import { COST } from '../cost.js';
import { fileRead, fileTruncate, fileWrite, fsState, lookup, nowNs, resolvePath } from './fs.js';
import {
  closeStream,
  fdStream,
  nextFd,
  O_CLOEXEC,
  openPath,
  readBytes,
  removePath,
  seekImpl,
  stdio,
  syncFlags,
  writeStream,
  type Stream,
} from './stdio.js';

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const UID = 1000;
const OPEN_MAX = 1024;

function failL(rt: Runtime, errno: number): bigint {
  setErrno(rt, errno);
  return -1n;
}
/** NULL with errno set. */
function failP(rt: Runtime, errno: number): number {
  setErrno(rt, errno);
  return 0;
}

/** The path of a *at() call: relative paths resolve against `dirfd` (AT_FDCWD or an open directory). */
function atPath(rt: Runtime, dirfd: number, path: string): string | number {
  if (path.startsWith('/') || dirfd === AT_FDCWD) return path;
  const d = fdStream(rt, dirfd);
  if (d === undefined) return EBADF;
  if (d.kind !== 'dir' || d.path === undefined) return ENOTDIR;
  return resolvePath(d.path, path);
}

function openImpl(
  rt: Runtime,
  dirfd: number,
  p: ExtValue | undefined,
  flags: number,
  va: VaList | undefined,
): number {
  const raw = pathArg(rt, p);
  if (raw === null) return failWith(rt, EFAULT);
  const path = atPath(rt, dirfd, raw);
  if (typeof path === 'number') return failWith(rt, path);
  if (stdio(rt).byFd.size >= OPEN_MAX) return failWith(rt, EMFILE);
  // The mode argument is read only when a file may be created (O_CREAT; O_TMPFILE is not modelled).
  const perm = (flags & 0o100) !== 0 && va !== undefined ? va.int() & 0o7777 : 0;
  const r = openPath(rt, path, flags, perm, false);
  return typeof r === 'number' ? failWith(rt, r) : r.fd;
}

function creatImpl(rt: Runtime, p: ExtValue | undefined, perm: number): number {
  const path = pathArg(rt, p);
  const r = path === null ? EFAULT : openPath(rt, path, 0o1101, perm, false);
  return typeof r === 'number' ? failWith(rt, r) : r.fd;
}

// struct stat --------------------------------------------------------------------------------------------

interface StatInfo {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  rdev: number;
  size: number;
  mtimeNs: number;
}

const DEVICE_RDEV: Readonly<Record<string, number>> = { null: 0x103, zero: 0x105, random: 0x109 };

function streamStat(rt: Runtime, s: Stream): StatInfo {
  if (s.kind === 'dir') {
    const d = fsState(rt).dirs.get(s.path ?? '/');
    return {
      dev: 0x801,
      ino: d?.ino ?? 1,
      mode: S_IFDIR | (d?.perm ?? 0o755),
      nlink: 2,
      rdev: 0,
      size: 4096,
      mtimeNs: d?.mtimeNs ?? 0,
    };
  }
  const f = s.file;
  if (f === undefined) {
    // The standard streams: pipes.
    return {
      dev: 0xc,
      ino: 100 + s.fd,
      mode: S_IFIFO | 0o600,
      nlink: 1,
      rdev: 0,
      size: 0,
      mtimeNs: nowNs(rt),
    };
  }
  return fileStat(f);
}

function fileStat(f: NonNullable<Stream['file']>): StatInfo {
  if (f.device !== undefined) {
    return {
      dev: 5,
      ino: f.ino,
      mode: S_IFCHR | f.perm,
      nlink: 1,
      rdev: DEVICE_RDEV[f.device] ?? 0,
      size: 0,
      mtimeNs: f.mtimeNs,
    };
  }
  return {
    dev: 0x801,
    ino: f.ino,
    mode: S_IFREG | f.perm,
    nlink: f.nlink,
    rdev: 0,
    size: f.len,
    mtimeNs: f.mtimeNs,
  };
}

/** Write the x86-64 `struct stat` (144 bytes). */
function writeStat(rt: Runtime, buf: number, st: StatInfo): void {
  const m = rt.mem;
  m.check(buf, 144, true);
  m.fill(buf, 0, 144);
  m.writeI64(buf, BigInt(st.dev));
  m.writeI64(buf + 8, BigInt(st.ino));
  m.writeI64(buf + 16, BigInt(st.nlink));
  m.writeI32(buf + 24, st.mode);
  m.writeI32(buf + 28, UID);
  m.writeI32(buf + 32, UID);
  m.writeI64(buf + 40, BigInt(st.rdev));
  m.writeI64(buf + 48, BigInt(st.size));
  m.writeI64(buf + 56, 4096n);
  m.writeI64(buf + 64, BigInt(Math.ceil(st.size / 4096) * 8));
  const sec = BigInt(Math.floor(st.mtimeNs / 1e9));
  const ns = BigInt(Math.floor(st.mtimeNs % 1e9));
  for (const off of [72, 88, 104]) {
    m.writeI64(buf + off, sec);
    m.writeI64(buf + off + 8, ns);
  }
}

function statPath(rt: Runtime, path: string, buf: number): number {
  const r = lookup(rt, path);
  if (r.kind === 'none') return failWith(rt, r.errno);
  if (r.kind === 'dir') {
    writeStat(rt, buf, {
      dev: 0x801,
      ino: r.dir.ino,
      mode: S_IFDIR | r.dir.perm,
      nlink: 2,
      rdev: 0,
      size: 4096,
      mtimeNs: r.dir.mtimeNs,
    });
  } else writeStat(rt, buf, fileStat(r.file));
  return 0;
}

function fstatImpl(rt: Runtime, fd: number, buf: number): number {
  const s = fdStream(rt, fd);
  if (s === undefined) return failWith(rt, EBADF);
  writeStat(rt, buf, streamStat(rt, s));
  return 0;
}

function fstatatImpl(rt: Runtime, dirfd: number, p: number, buf: number, flags: number): number {
  const raw = rt.mem.string(p);
  if (raw === '' && (flags & AT_EMPTY_PATH) !== 0) {
    return dirfd === AT_FDCWD ? statPath(rt, '.', buf) : fstatImpl(rt, dirfd, buf);
  }
  const path = atPath(rt, dirfd, raw);
  return typeof path === 'number' ? failWith(rt, path) : statPath(rt, path, buf);
}

// read and write -------------------------------------------------------------------------------------------

function readImpl(rt: Runtime, fd: number, b: number, n: number): bigint {
  const s = fdStream(rt, fd);
  if (s === undefined || !s.canRead) return failL(rt, EBADF);
  if (s.kind === 'dir') return failL(rt, EISDIR);
  rt.mem.check(b, n, true);
  const bytes = readBytes(rt, s, n);
  s.eof = false;
  syncFlags(rt, s);
  rt.mem.writeBytes(b, bytes);
  return BigInt(bytes.length);
}

function writeImpl(rt: Runtime, fd: number, b: number, n: number): bigint {
  const s = fdStream(rt, fd);
  if (s === undefined || !s.canWrite) return failL(rt, EBADF);
  const bytes = rt.mem.readBytes(b, n);
  return writeStream(rt, s, bytes) ? BigInt(bytes.length) : -1n;
}

/** pread/pwrite: the file's stream at `off`, or the errno (EBADF, ESPIPE, EISDIR, EINVAL). */
function positioned(rt: Runtime, fd: number, off: bigint, write: boolean): Stream | number {
  const s = fdStream(rt, fd);
  if (s === undefined || !(write ? s.canWrite : s.canRead)) return EBADF;
  if (s.kind === 'dir') return EISDIR;
  if (s.kind !== 'file') return ESPIPE;
  if (off < 0n) return EINVAL;
  return s;
}

function preadImpl(rt: Runtime, fd: number, b: number, n: number, off: bigint): bigint {
  const s = positioned(rt, fd, off, false);
  if (typeof s === 'number') return failL(rt, s);
  rt.mem.check(b, n, true);
  const bytes = fileRead(s.file!, Number(off), n);
  charge(rt, bytes.length, COST.streamBytes);
  rt.mem.writeBytes(b, bytes);
  return BigInt(bytes.length);
}

function pwriteImpl(rt: Runtime, fd: number, b: number, n: number, off: bigint): bigint {
  const s = positioned(rt, fd, off, true);
  if (typeof s === 'number') return failL(rt, s);
  const bytes = rt.mem.readBytes(b, n);
  charge(rt, bytes.length, COST.streamBytes);
  // Linux appends pwrite's data on an O_APPEND descriptor, whatever the offset.
  fileWrite(rt, s.file!, s.append ? s.file!.len : Number(off), bytes);
  return BigInt(bytes.length);
}

function lseekImpl(rt: Runtime, fd: number, off: bigint, whence: number): bigint {
  const s = fdStream(rt, fd);
  if (s === undefined) return failL(rt, EBADF);
  if (seekImpl(rt, s, Number(off), whence) < 0) return -1n;
  return BigInt(s.pos);
}

// descriptors ---------------------------------------------------------------------------------------------

/** close(2): 0, or -1 with EBADF. */
export function closeImpl(rt: Runtime, fd: number): number {
  const s = fdStream(rt, fd);
  if (s === undefined) return failWith(rt, EBADF);
  const st = stdio(rt);
  st.byFd.delete(fd);
  // The description stays open while another fd (dup) or its FILE refers to it.
  if (s.addr === 0 && ![...st.byFd.values()].includes(s)) closeStream(rt, s);
  else if (s.fd === fd) {
    for (const [k, v] of st.byFd) if (v === s) s.fd = k;
  }
  return 0;
}

function dupImpl(rt: Runtime, fd: number, min: number, to: number | undefined, cloexec: boolean): number {
  const s = fdStream(rt, fd);
  if (s === undefined) return failWith(rt, EBADF);
  const st = stdio(rt);
  if (to !== undefined) {
    if (to < 0 || to >= OPEN_MAX) return failWith(rt, EBADF);
    if (to === fd) return to;
    if (st.byFd.has(to)) closeImpl(rt, to);
  }
  const nfd = to ?? nextFd(st, min);
  if (nfd >= OPEN_MAX) return failWith(rt, EMFILE);
  st.byFd.set(nfd, s);
  // FD_CLOEXEC belongs to the descriptor; one bit per description is the approximation here.
  if (cloexec) s.cloexec = true;
  return nfd;
}

const F_DUPFD = 0;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_GETLK = 5;
const F_SETLK = 6;
const F_SETLKW = 7;
const F_OFD_GETLK = 36;
const F_OFD_SETLK = 37;
const F_OFD_SETLKW = 38;
const F_DUPFD_CLOEXEC = 1030;
const F_RDLCK = 0;
const F_WRLCK = 1;
const F_UNLCK = 2;
/** Status flags F_SETFL can change: O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME, O_NONBLOCK. */
const SETFL_MASK = 0o2000 | 0o20000 | 0o40000 | 0o1000000 | 0o4000;

function fcntlImpl(rt: Runtime, fd: number, cmd: number, va: VaList | undefined): number {
  const s = fdStream(rt, fd);
  if (s === undefined) return failWith(rt, EBADF);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      const min = va?.int() ?? 0;
      if (min < 0 || min >= OPEN_MAX) return failWith(rt, EINVAL);
      return dupImpl(rt, fd, min, undefined, cmd === F_DUPFD_CLOEXEC);
    }
    case F_GETFD:
      return s.cloexec === true ? 1 : 0;
    case F_SETFD:
      s.cloexec = ((va?.int() ?? 0) & 1) !== 0;
      return 0;
    case F_GETFL: {
      const acc = s.canRead && s.canWrite ? 2 : s.canWrite ? 1 : 0;
      const std = s.kind === 'in' || s.kind === 'out' || s.kind === 'err';
      // Linux reports O_LARGEFILE (0o100000) on every descriptor a 64-bit process opened.
      return acc | (s.append ? 0o2000 : 0) | ((s.statusFlags ?? 0) & ~0o2000) | (std ? 0 : 0o100000);
    }
    case F_SETFL: {
      const v = va?.int() ?? 0;
      s.append = (v & 0o2000) !== 0;
      s.statusFlags = v & SETFL_MASK & ~0o2000;
      return 0;
    }
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_OFD_GETLK:
    case F_OFD_SETLK:
    case F_OFD_SETLKW: {
      const fl = va?.ptr() ?? 0;
      const type = rt.mem.readI16(fl);
      const whence = rt.mem.readI16(fl + 2);
      if ((type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) || whence < 0 || whence > 2) {
        return failWith(rt, EINVAL);
      }
      if (cmd === F_GETLK || cmd === F_OFD_GETLK) {
        // Nobody else holds a lock: the region is free.
        if (type === F_UNLCK) return failWith(rt, EINVAL);
        rt.mem.writeI16(fl, F_UNLCK);
        return 0;
      }
      if ((type === F_RDLCK && !s.canRead) || (type === F_WRLCK && !s.canWrite)) return failWith(rt, EBADF);
      return 0;
    }
    default:
      return failWith(rt, EINVAL);
  }
}

// paths ---------------------------------------------------------------------------------------------------

function mkdirImpl(rt: Runtime, path: string, perm: number): number {
  const r = lookup(rt, path);
  const st = fsState(rt);
  if (r.kind !== 'none') return failWith(rt, EEXIST);
  if (!r.canCreate) return failWith(rt, r.errno);
  st.dirs.set(r.path, { ino: st.nextIno++, perm: perm & ~st.umask & 0o7777, mtimeNs: nowNs(rt) });
  return 0;
}

function accessImpl(rt: Runtime, path: string | null, how: number): number {
  if (path === null) return failWith(rt, EFAULT);
  if ((how & ~7) !== 0) return failWith(rt, EINVAL);
  const r = lookup(rt, path);
  if (r.kind === 'none') return failWith(rt, r.errno);
  // As root: read and write are always granted, execute needs an execute bit (or a directory).
  if ((how & 1) !== 0 && r.kind === 'file' && (r.file.perm & 0o111) === 0) return failWith(rt, EACCES);
  return 0;
}

function getcwdImpl(rt: Runtime, buf: number, n: number): number {
  const cwd = Buffer.from(fsState(rt).cwd + '\0', 'latin1');
  if (buf === 0) {
    // glibc allocates: exactly enough when size is 0, else size bytes.
    if (n !== 0 && n < cwd.length) return failP(rt, ERANGE);
    const p = rt.mem.malloc(n === 0 ? cwd.length : n);
    rt.mem.writeBytes(p, cwd);
    return p;
  }
  if (n === 0) return failP(rt, EINVAL);
  if (n < cwd.length) return failP(rt, ERANGE);
  rt.mem.writeBytes(buf, cwd);
  return buf;
}

function chdirImpl(rt: Runtime, path: string): number {
  const r = lookup(rt, path);
  if (r.kind === 'none') return failWith(rt, r.errno);
  if (r.kind === 'file') return failWith(rt, ENOTDIR);
  fsState(rt).cwd = r.path;
  return 0;
}

function truncateImpl(rt: Runtime, path: string, len: bigint): number {
  if (len < 0n) return failWith(rt, EINVAL);
  const r = lookup(rt, path);
  if (r.kind === 'none') return failWith(rt, r.errno);
  if (r.kind === 'dir') return failWith(rt, EISDIR);
  fileTruncate(rt, r.file, Number(len));
  return 0;
}

function ftruncateImpl(rt: Runtime, fd: number, len: bigint): number {
  const s = fdStream(rt, fd);
  if (s === undefined) return failWith(rt, EBADF);
  // Linux answers EINVAL also for a descriptor not open for writing.
  if (len < 0n || s.kind !== 'file' || !s.canWrite) return failWith(rt, EINVAL);
  fileTruncate(rt, s.file!, Number(len));
  return 0;
}

function syncImpl(rt: Runtime, fd: number): number {
  const s = fdStream(rt, fd);
  if (s === undefined) return failWith(rt, EBADF);
  // Pipes cannot be synced.
  return s.kind === 'file' || s.kind === 'dir' ? 0 : failWith(rt, EINVAL);
}

/** chmod/chown/utime on a path: apply `f` to the file or directory, or fail with the lookup's errno. */
function onPath(rt: Runtime, path: string, f: (o: { perm: number; mtimeNs: number }) => void): number {
  const r = lookup(rt, path);
  if (r.kind === 'none') return failWith(rt, r.errno);
  f(r.kind === 'dir' ? r.dir : r.file);
  return 0;
}

function onFd(rt: Runtime, fd: number, f: (o: { perm: number; mtimeNs: number }) => void): number {
  const s = fdStream(rt, fd);
  if (s === undefined) return failWith(rt, EBADF);
  const o = s.kind === 'dir' ? fsState(rt).dirs.get(s.path ?? '/') : s.file;
  if (o !== undefined) f(o);
  return 0;
}

const str = (rt: Runtime, p: ExtValue | undefined): string => rt.mem.string(ptr(p));

registerExternals({
  open: (rt, [p, fl], va) => openImpl(rt, AT_FDCWD, p, int(fl), va),
  open64: (rt, [p, fl], va) => openImpl(rt, AT_FDCWD, p, int(fl), va),
  __open_2: (rt, [p, fl]) => openImpl(rt, AT_FDCWD, p, int(fl), undefined),
  __open64_2: (rt, [p, fl]) => openImpl(rt, AT_FDCWD, p, int(fl), undefined),
  openat: (rt, [d, p, fl], va) => openImpl(rt, int(d), p, int(fl), va),
  openat64: (rt, [d, p, fl], va) => openImpl(rt, int(d), p, int(fl), va),
  __openat_2: (rt, [d, p, fl]) => openImpl(rt, int(d), p, int(fl), undefined),
  __openat64_2: (rt, [d, p, fl]) => openImpl(rt, int(d), p, int(fl), undefined),
  creat: (rt, [p, m]) => creatImpl(rt, p, int(m)),
  creat64: (rt, [p, m]) => creatImpl(rt, p, int(m)),
  close: (rt, [fd]) => closeImpl(rt, int(fd)),
  dup: (rt, [fd]) => dupImpl(rt, int(fd), 0, undefined, false),
  dup2: (rt, [fd, to]) => dupImpl(rt, int(fd), 0, int(to), false),
  dup3: (rt, [fd, to, fl]) => {
    if (int(fd) === int(to) || (int(fl) & ~O_CLOEXEC) !== 0) return failWith(rt, EINVAL);
    return dupImpl(rt, int(fd), 0, int(to), (int(fl) & O_CLOEXEC) !== 0);
  },

  read: (rt, [fd, b, n]) => readImpl(rt, int(fd), ptr(b), size(n)),
  write: (rt, [fd, b, n]) => writeImpl(rt, int(fd), ptr(b), size(n)),
  pread: (rt, [fd, b, n, o]) => preadImpl(rt, int(fd), ptr(b), size(n), long(o)),
  pread64: (rt, [fd, b, n, o]) => preadImpl(rt, int(fd), ptr(b), size(n), long(o)),
  pwrite: (rt, [fd, b, n, o]) => pwriteImpl(rt, int(fd), ptr(b), size(n), long(o)),
  pwrite64: (rt, [fd, b, n, o]) => pwriteImpl(rt, int(fd), ptr(b), size(n), long(o)),
  lseek: (rt, [fd, o, w]) => lseekImpl(rt, int(fd), long(o), int(w)),
  lseek64: (rt, [fd, o, w]) => lseekImpl(rt, int(fd), long(o), int(w)),

  fstat: (rt, [fd, b]) => fstatImpl(rt, int(fd), ptr(b)),
  fstat64: (rt, [fd, b]) => fstatImpl(rt, int(fd), ptr(b)),
  stat: (rt, [p, b]) => statPath(rt, str(rt, p), ptr(b)),
  stat64: (rt, [p, b]) => statPath(rt, str(rt, p), ptr(b)),
  // No symbolic links: lstat is stat.
  lstat: (rt, [p, b]) => statPath(rt, str(rt, p), ptr(b)),
  lstat64: (rt, [p, b]) => statPath(rt, str(rt, p), ptr(b)),
  fstatat: (rt, [d, p, b, fl]) => fstatatImpl(rt, int(d), ptr(p), ptr(b), int(fl)),
  fstatat64: (rt, [d, p, b, fl]) => fstatatImpl(rt, int(d), ptr(p), ptr(b), int(fl)),
  // glibc < 2.33 names (a version argument first).
  __fxstat: (rt, [, fd, b]) => fstatImpl(rt, int(fd), ptr(b)),
  __fxstat64: (rt, [, fd, b]) => fstatImpl(rt, int(fd), ptr(b)),
  __xstat: (rt, [, p, b]) => statPath(rt, str(rt, p), ptr(b)),
  __xstat64: (rt, [, p, b]) => statPath(rt, str(rt, p), ptr(b)),
  __lxstat: (rt, [, p, b]) => statPath(rt, str(rt, p), ptr(b)),
  __lxstat64: (rt, [, p, b]) => statPath(rt, str(rt, p), ptr(b)),

  fcntl: (rt, [fd, cmd], va) => fcntlImpl(rt, int(fd), int(cmd), va),
  fcntl64: (rt, [fd, cmd], va) => fcntlImpl(rt, int(fd), int(cmd), va),
  ftruncate: (rt, [fd, n]) => ftruncateImpl(rt, int(fd), long(n)),
  ftruncate64: (rt, [fd, n]) => ftruncateImpl(rt, int(fd), long(n)),
  truncate: (rt, [p, n]) => truncateImpl(rt, str(rt, p), long(n)),
  truncate64: (rt, [p, n]) => truncateImpl(rt, str(rt, p), long(n)),
  fsync: (rt, [fd]) => syncImpl(rt, int(fd)),
  fdatasync: (rt, [fd]) => syncImpl(rt, int(fd)),
  sync: () => undefined,

  unlink: (rt, [p]) => removePath(rt, str(rt, p), 'file'),
  rmdir: (rt, [p]) => removePath(rt, str(rt, p), 'dir'),
  unlinkat: (rt, [d, p, fl]) => {
    const path = atPath(rt, int(d), str(rt, p));
    if (typeof path === 'number') return failWith(rt, path);
    return removePath(rt, path, (int(fl) & 0x200) !== 0 ? 'dir' : 'file');
  },
  mkdir: (rt, [p, m]) => mkdirImpl(rt, str(rt, p), int(m)),
  mkdirat: (rt, [d, p, m]) => {
    const path = atPath(rt, int(d), str(rt, p));
    return typeof path === 'number' ? failWith(rt, path) : mkdirImpl(rt, path, int(m));
  },
  access: (rt, [p, m]) => accessImpl(rt, pathArg(rt, p), int(m)),
  euidaccess: (rt, [p, m]) => accessImpl(rt, pathArg(rt, p), int(m)),
  eaccess: (rt, [p, m]) => accessImpl(rt, pathArg(rt, p), int(m)),
  faccessat: (rt, [d, p, m]) => {
    const path = atPath(rt, int(d), str(rt, p));
    return typeof path === 'number' ? failWith(rt, path) : accessImpl(rt, path, int(m));
  },
  getcwd: (rt, [b, n]) => getcwdImpl(rt, ptr(b), size(n)),
  get_current_dir_name: (rt) => getcwdImpl(rt, 0, 0),
  chdir: (rt, [p]) => chdirImpl(rt, str(rt, p)),
  fchdir: (rt, [fd]) => {
    const s = fdStream(rt, int(fd));
    if (s === undefined) return failWith(rt, EBADF);
    if (s.kind !== 'dir') return failWith(rt, ENOTDIR);
    fsState(rt).cwd = s.path ?? '/';
    return 0;
  },
  isatty: (rt, [fd]) => failP(rt, fdStream(rt, int(fd)) === undefined ? EBADF : ENOTTY),
  readlink: (rt, [p]) => {
    const r = lookup(rt, str(rt, p));
    return failL(rt, r.kind === 'none' ? r.errno : EINVAL);
  },

  umask: (rt, [m]) => {
    const st = fsState(rt);
    const old = st.umask;
    st.umask = int(m) & 0o777;
    return old;
  },
  chmod: (rt, [p, m]) => onPath(rt, str(rt, p), (o) => (o.perm = int(m) & 0o7777)),
  fchmod: (rt, [fd, m]) => onFd(rt, int(fd), (o) => (o.perm = int(m) & 0o7777)),
  // Owners are not modelled: changing them succeeds on anything that exists (as for root).
  chown: (rt, [p]) => onPath(rt, str(rt, p), () => {}),
  lchown: (rt, [p]) => onPath(rt, str(rt, p), () => {}),
  fchown: (rt, [fd]) => onFd(rt, int(fd), () => {}),
  // utime(path, NULL) / utimes(path, NULL) set the time to now; otherwise the given modification time.
  utime: (rt, [p, t]) =>
    onPath(rt, str(rt, p), (o) => {
      o.mtimeNs = ptr(t) === 0 ? nowNs(rt) : Number(rt.mem.readI64(ptr(t) + 8)) * 1e9;
    }),
  utimes: (rt, [p, t]) =>
    onPath(rt, str(rt, p), (o) => {
      const a = ptr(t) + 16;
      o.mtimeNs =
        ptr(t) === 0 ? nowNs(rt) : Number(rt.mem.readI64(a)) * 1e9 + Number(rt.mem.readI64(a + 8)) * 1e3;
    }),
});
