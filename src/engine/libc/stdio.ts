/**
 * @fileoverview Stage: engine (libc models). stdio.h: FILE streams (stdin, stdout, stderr and files of an
 * in-memory file system), the printf and scanf families and their fortified variants, character and line
 * I/O, positioning, perror, remove/rename, and the table of open streams that the POSIX fd calls
 * (unistd.ts) share: a stream is an open file description with an fd and, once fopen/fdopen made one, a
 * FILE object, so fd 0/1/2 and stdin/stdout/stderr are the same streams.
 *
 * Consumes: the externals API, the file system (fs.ts), the formatter (printf.ts) and scanner (scanf.ts).
 * Produces: registered handlers, external globals (`stdin`, `stdout`, `stderr`, glibc's `_IO_2_1_std*_`
 * FILE objects) and the stream primitives unistd.ts builds on (`openPath`, `readBytes`, `writeStream`...).
 *
 * A FILE is a 216-byte object laid out as glibc's `struct _IO_FILE` with empty buffers (read/write pointers
 * all NULL), so the inline getc_unlocked/putc_unlocked code of glibc's headers calls `__uflow`/`__overflow`,
 * which are modelled; `_flags` carries glibc's EOF/error bits so inline feof_unlocked/ferror_unlocked work;
 * `_fileno` is set. Writes are unbuffered: bytes reach the run's captured stdout/stderr at once (native
 * programs flush at exit, so the captured output is the same unless the program crashes or calls _exit
 * with unflushed data). Files live in the per-run in-memory file system of fs.ts.
 */
import {
  numericArguments,
  registerExternalGlobal,
  registerExternals,
  Trap,
  VaList,
  type ExtValue,
  type Runtime,
} from '../externals.js';
import {
  bytesOf,
  charge,
  defineStatic,
  EBADF,
  EEXIST,
  EFAULT,
  EINVAL,
  failWith,
  EISDIR,
  ENOTDIR,
  ESPIPE,
  EBUSY,
  ENOTEMPTY,
  getErrno,
  int,
  long,
  pathArg,
  ptr,
  setErrno,
  size,
  type StaticObject,
} from './common.js';
import { COST } from '../cost.js';
import { errnoMessage } from './errno.js';
import { dirHasEntries, fileRead, fileWrite, fsState, lookup, newFile, nowNs, type MemFile } from './fs.js';
import { formatShared, type FormatResult, type VarArgs } from './printf.js';
import { formatMemory, scanMemory } from './stdio-memory.js';
import { BytesInput, performScanf, type ScanInput } from './scanf.js';

export const EOF = -1;
const FILE_SIZE = 216;
const OFF_FLAGS = 0;
const OFF_FILENO = 112;
const IO_MAGIC = 0xfbad0000;
const IO_NO_READS = 4;
const IO_NO_WRITES = 8;
const IO_EOF_SEEN = 0x10;
const IO_ERR_SEEN = 0x20;
const IO_UNBUFFERED = 2;
const IO_IS_APPENDING = 0x1000;
const IO_IS_FILEBUF = 0x2000;

export { setVirtualFiles, readVirtualFile, type MemFile } from './fs.js';

// Streams -----------------------------------------------------------------------------------------------

/** An open file description: what an fd (and the FILE made for it, if any) refers to. */
export interface Stream {
  /** The FILE* (0 for a bare fd from open()). */
  addr: number;
  fd: number;
  /** Standard input/output/error, a file or device of the file system, or a directory opened read-only. */
  kind: 'in' | 'out' | 'err' | 'file' | 'dir';
  file: MemFile | undefined;
  pos: number;
  canRead: boolean;
  canWrite: boolean;
  append: boolean;
  eof: boolean;
  err: boolean;
  pushback: number[];
  /** The FILE object was allocated by fopen (freed by fclose). */
  heap: boolean;
  /** A directory's absolute path (openat relative to it). */
  path?: string;
  /** FD_CLOEXEC (fcntl F_GETFD/F_SETFD). */
  cloexec?: boolean;
  /** O_NONBLOCK and friends as set by open or F_SETFL (reported by F_GETFL). */
  statusFlags?: number;
}

export interface StdioState {
  byAddr: Map<number, Stream>;
  byFd: Map<number, Stream>;
}

function initFile(rt: Runtime, addr: number, fd: number, flags: number): void {
  const u8 = rt.mem.u8;
  u8.fill(0, addr, addr + FILE_SIZE);
  rt.mem.dv.setUint32(addr + OFF_FLAGS, (IO_MAGIC | flags) >>> 0, true);
  rt.mem.dv.setInt32(addr + OFF_FILENO, fd, true);
  rt.mem.dv.setInt32(addr + 116, 0, true);
}

const STD_FILES: StaticObject[] = [
  defineStatic('_IO_2_1_stdin_', FILE_SIZE, (rt, a) =>
    initFile(rt, a, 0, IO_IS_FILEBUF | IO_NO_WRITES | 0x80),
  ),
  defineStatic('_IO_2_1_stdout_', FILE_SIZE, (rt, a) =>
    initFile(rt, a, 1, IO_IS_FILEBUF | IO_NO_READS | 0x80),
  ),
  defineStatic('_IO_2_1_stderr_', FILE_SIZE, (rt, a) =>
    initFile(rt, a, 2, IO_IS_FILEBUF | IO_NO_READS | IO_UNBUFFERED | 0x80),
  ),
];
for (const [i, name] of ['stdin', 'stdout', 'stderr'].entries()) {
  const init = (rt: Runtime, a: number): void => {
    rt.mem.dv.setBigUint64(a, BigInt(STD_FILES[i].addr(rt)), true);
  };
  registerExternalGlobal(name, { size: 8, align: 8, init });
  // glibc's own names for the same variables.
  registerExternalGlobal(`_IO_${name}`, { size: 8, align: 8, init });
}

/** Address of the FILE object of standard stream fd (0 stdin, 1 stdout, 2 stderr). */
export function standardStreamAddress(rt: Runtime, fd: number): number {
  return STD_FILES[fd].addr(rt);
}

/**
 * The same address if that FILE exists in this run, without creating it (undefined: the run never used
 * the stream, so no pointer can equal it). For code that only asks what a pointer points to.
 */
export function existingStreamAddress(rt: Runtime, fd: number): number | undefined {
  return STD_FILES[fd].peek(rt);
}

export function stdio(rt: Runtime): StdioState {
  return rt.state('libc.stdio', () => {
    const st: StdioState = { byAddr: new Map(), byFd: new Map() };
    const kinds = ['in', 'out', 'err'] as const;
    for (let fd = 0; fd < 3; fd++) {
      const s: Stream = {
        addr: STD_FILES[fd].addr(rt),
        fd,
        kind: kinds[fd],
        file: undefined,
        pos: 0,
        canRead: fd === 0,
        canWrite: fd !== 0,
        append: false,
        eof: false,
        err: false,
        pushback: [],
        heap: false,
      };
      st.byAddr.set(s.addr, s);
      st.byFd.set(fd, s);
    }
    return st;
  });
}

/** The stream of a FILE*; traps for NULL and for pointers that are not open streams. */
function stream(rt: Runtime, fp: ExtValue | undefined, fn: string): Stream {
  const a = ptr(fp);
  const s = stdio(rt).byAddr.get(a);
  if (s !== undefined) return s;
  if (a === 0) throw new Trap('null-deref', `${fn}: NULL FILE* argument`);
  rt.unknownStream?.(a, fn);
  // A closed (freed) FILE or garbage: let memory classify it, else call it an invalid pointer.
  rt.mem.check(a, 4, false);
  throw new Trap('invalid-pointer', `${fn}: ${'0x' + a.toString(16)} is not an open FILE`);
}

export function syncFlags(rt: Runtime, s: Stream): void {
  if (s.addr === 0) return;
  const dv = rt.mem.dv;
  let f = dv.getUint32(s.addr + OFF_FLAGS, true) & ~(IO_EOF_SEEN | IO_ERR_SEEN);
  if (s.eof) f |= IO_EOF_SEEN;
  if (s.err) f |= IO_ERR_SEEN;
  dv.setUint32(s.addr + OFF_FLAGS, f >>> 0, true);
}

/** Write bytes to a stream; false (and the error flag, errno EBADF) when it is not writable. */
export function writeStream(rt: Runtime, s: Stream, b: Uint8Array): boolean {
  if (!s.canWrite) {
    s.err = true;
    syncFlags(rt, s);
    setErrno(rt, EBADF);
    return false;
  }
  if (b.length === 0) return true;
  charge(rt, b.length, COST.streamBytes);
  if (s.kind === 'out') rt.stdout.write(b);
  else if (s.kind === 'err') rt.stderr.write(b);
  else if (s.kind === 'in') return false;
  else if (s.kind === 'file') {
    const f = s.file!;
    if (s.pushback.length > 0) {
      s.pos -= s.pushback.length;
      s.pushback.length = 0;
    }
    if (s.append) s.pos = f.len;
    fileWrite(rt, f, s.pos, b);
    if (f.device === undefined) s.pos += b.length;
  }
  return true;
}

/** Read one byte, or -1 at end of input (setting the EOF flag). */
function readByte(rt: Runtime, s: Stream): number {
  if (s.pushback.length > 0) {
    const c = s.pushback.pop()!;
    if (s.kind === 'file') s.pos++;
    return c;
  }
  if (!s.canRead) {
    s.err = true;
    syncFlags(rt, s);
    setErrno(rt, EBADF);
    return EOF;
  }
  let c = EOF;
  if (s.kind === 'in') c = rt.stdin.getc();
  else if (s.kind === 'file') {
    const b = fileRead(s.file!, s.pos, 1);
    if (b.length === 1) {
      c = b[0];
      if (s.file!.device === undefined) s.pos++;
    }
  } else if (s.kind === 'dir') {
    s.err = true;
    syncFlags(rt, s);
    setErrno(rt, EISDIR);
    return EOF;
  }
  if (c === EOF) {
    s.eof = true;
    syncFlags(rt, s);
  }
  return c;
}

function unreadByte(s: Stream, c: number): void {
  s.pushback.push(c & 0xff);
  if (s.kind === 'file') s.pos--;
}

/** Read up to n bytes (fewer at end of file; sets the EOF flag then). */
export function readBytes(rt: Runtime, s: Stream, n: number): Uint8Array {
  const out: number[] = [];
  while (out.length < n && s.pushback.length > 0) out.push(readByte(rt, s));
  if (out.length === n) return Uint8Array.from(out);
  if (!s.canRead || s.kind === 'dir') {
    // Sets the error flag and errno (EBADF, EISDIR).
    readByte(rt, s);
    return Uint8Array.from(out);
  }
  let rest: Uint8Array;
  if (s.kind === 'in') rest = rt.stdin.read(n - out.length);
  else if (s.kind === 'file') {
    rest = fileRead(s.file!, s.pos, n - out.length);
    if (s.file!.device === undefined) s.pos += rest.length;
  } else rest = new Uint8Array(0);
  charge(rt, rest.length, COST.streamBytes);
  if (out.length + rest.length < n) {
    s.eof = true;
    syncFlags(rt, s);
  }
  if (out.length === 0) return rest;
  const r = new Uint8Array(out.length + rest.length);
  r.set(out);
  r.set(rest, out.length);
  return r;
}

/** The lowest free fd from `min` up. */
export function nextFd(st: StdioState, min = 3): number {
  let fd = min;
  while (st.byFd.has(fd)) fd++;
  return fd;
}

// open(2) flags (x86-64 Linux).
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_DIRECTORY = 0o200000;
export const O_CLOEXEC = 0o2000000;

/**
 * open(2) on the in-memory file system: a new stream (with a FILE object when `withFile`), or the errno
 * (ENOENT, ENOTDIR, EEXIST, EISDIR, EINVAL) with nothing opened. `perm` is the mode of a created file.
 */
export function openPath(
  rt: Runtime,
  path: string,
  flags: number,
  perm: number,
  withFile: boolean,
): Stream | number {
  const acc = flags & 3;
  if (acc === 3) return EINVAL;
  const creat = (flags & O_CREAT) !== 0;
  const found = lookup(rt, path);
  const st = fsState(rt);
  let f: MemFile;
  if (found.kind === 'dir') {
    if (creat && (flags & O_EXCL) !== 0) return EEXIST;
    if (acc !== 0 || creat) return EISDIR;
    const s = newStream(rt, undefined, true, false, 0, withFile);
    s.kind = 'dir';
    s.path = found.path;
    return s;
  }
  if (found.kind === 'file') {
    if (creat && (flags & O_EXCL) !== 0) return EEXIST;
    if ((flags & O_DIRECTORY) !== 0) return ENOTDIR;
    f = found.file;
  } else {
    if (!creat || !found.canCreate) return found.errno;
    if (path.endsWith('/')) return EISDIR;
    f = newFile(st, perm & ~st.umask & 0o7777, nowNs(rt));
    st.files.set(found.path, f);
  }
  if ((flags & O_TRUNC) !== 0 && acc !== 0 && f.device === undefined) {
    f.len = 0;
    f.mtimeNs = nowNs(rt);
  }
  const s = newStream(rt, f, acc !== O_WRONLY, acc !== 0, (flags & O_APPEND) !== 0 ? 1 : 0, withFile);
  if ((flags & O_CLOEXEC) !== 0) s.cloexec = true;
  s.statusFlags = flags & ~(3 | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC | 0o400 | O_DIRECTORY);
  return s;
}

/** fopen's mode string as open(2) flags, or undefined when invalid. */
function modeFlags(m: string): number | undefined {
  const plus = m.slice(1).includes('+');
  const excl = m.slice(1).includes('x') ? O_EXCL : 0;
  const cloexec = m.slice(1).includes('e') ? O_CLOEXEC : 0;
  if (m[0] === 'r') return (plus ? O_RDWR : 0) | cloexec;
  if (m[0] === 'w') return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC | excl | cloexec;
  if (m[0] === 'a') return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND | excl | cloexec;
  return undefined;
}

/** fopen: the mode is checked first (EINVAL), then the path (EFAULT when null). */
function openStream(rt: Runtime, path: string | null, mode: string): Stream | undefined {
  const flags = modeFlags(mode);
  const r = flags === undefined ? EINVAL : path === null ? EFAULT : openPath(rt, path, flags, 0o666, true);
  if (typeof r === 'number') {
    setErrno(rt, r);
    return undefined;
  }
  // glibc positions an append stream at the end.
  if (r.append && r.file !== undefined) r.pos = r.file.len;
  return r;
}

/**
 * A new stream on file `f` (undefined for a directory) at position 0, or at the end when `append` is 2;
 * `append` 1 or 2 makes every write go to the end (O_APPEND).
 */
export function newStream(
  rt: Runtime,
  f: MemFile | undefined,
  read: boolean,
  write: boolean,
  append: number,
  withFile: boolean,
): Stream {
  const st = stdio(rt);
  const fd = nextFd(st);
  let addr = 0;
  if (withFile) {
    addr = rt.mem.malloc(FILE_SIZE);
    initFile(
      rt,
      addr,
      fd,
      IO_IS_FILEBUF | (read ? 0 : IO_NO_READS) | (write ? 0 : IO_NO_WRITES) | (append ? IO_IS_APPENDING : 0),
    );
  }
  const s: Stream = {
    addr,
    fd,
    kind: 'file',
    file: f,
    pos: append === 2 && f !== undefined ? f.len : 0,
    canRead: read,
    canWrite: write,
    append: append !== 0,
    eof: false,
    err: false,
    pushback: [],
    heap: withFile,
  };
  if (addr !== 0) st.byAddr.set(addr, s);
  st.byFd.set(fd, s);
  return s;
}

export function closeStream(rt: Runtime, s: Stream): void {
  const st = stdio(rt);
  if (s.addr !== 0) st.byAddr.delete(s.addr);
  if (st.byFd.get(s.fd) === s) st.byFd.delete(s.fd);
  if (s.heap) rt.mem.free(s.addr);
}

// printf family ---------------------------------------------------------------------------------------

/**
 * Format; `limit` bytes at most are stored (snprintf: size - 1), the rest only counted. A null format is
 * glibc's EINVAL error (-1, nothing formatted; sprintf and snprintf still store the terminating NUL).
 */
function format(
  rt: Runtime,
  fmt: ExtValue | undefined,
  va: VarArgs | undefined,
  limit?: number,
): FormatResult {
  if (ptr(fmt) === 0) {
    setErrno(rt, EINVAL);
    return { bytes: new Uint8Array(0), ret: -1, errno: EINVAL };
  }
  // The format is read in place, not copied (formatting writes memory only through %n).
  const f = rt.mem.cstringView(ptr(fmt));
  // The bytes are a view of the formatter's buffer: every caller below copies them before formatting again.
  const r = formatShared(f, va ?? NO_ARGS, formatMemory(rt), { limit });
  if (r.ret < 0 && r.errno !== undefined) setErrno(rt, r.errno);
  return r;
}

const NO_ARGS: VarArgs = { int: () => 0, long: () => 0n, double: () => 0, longDouble: () => 0n };

function vaOf(rt: Runtime, ap: ExtValue | undefined): VaList {
  return VaList.fromVaList(rt.mem, ptr(ap));
}

function printTo(rt: Runtime, s: Stream, r: FormatResult): number {
  if (r.ret < 0) {
    writeStream(rt, s, r.bytes);
    return -1;
  }
  return writeStream(rt, s, r.bytes) ? r.ret : -1;
}

function sprintfTo(rt: Runtime, dst: number, r: FormatResult, cap = Infinity, fn = 'sprintf'): number {
  if (cap !== Infinity && r.bytes.length + 1 > cap && fn.endsWith('_chk')) {
    throw new Trap(
      'out-of-bounds-write',
      `${fn}: buffer overflow detected (${r.bytes.length + 1} bytes into an object of ${cap})`,
    );
  }
  rt.mem.writeBytes(dst, r.bytes);
  rt.mem.writeU8(dst + r.bytes.length, 0);
  return r.ret;
}

/** The bytes snprintf stores of its output: size - 1 (none for size 0). */
function snLimit(n: ExtValue | undefined): number {
  return Math.max(0, size(n) - 1);
}

function snprintfTo(rt: Runtime, dst: number, n: number, r: FormatResult): number {
  if (n > 0) {
    const k = Math.min(r.bytes.length, n - 1);
    rt.mem.writeBytes(dst, r.bytes.subarray(0, k));
    rt.mem.writeU8(dst + k, 0);
  }
  return r.ret;
}

function asprintfTo(rt: Runtime, strp: number, r: FormatResult): number {
  if (r.ret < 0) return -1;
  const p = rt.mem.malloc(r.bytes.length + 1);
  rt.mem.writeBytes(p, r.bytes);
  rt.mem.writeU8(p + r.bytes.length, 0);
  rt.mem.writePtr(strp, p);
  return r.ret;
}

/** The stream open on fd, or undefined. */
export function fdStream(rt: Runtime, fd: number): Stream | undefined {
  return stdio(rt).byFd.get(fd);
}

function dprintfTo(rt: Runtime, fd: number, r: FormatResult): number {
  const s = fdStream(rt, fd);
  if (s === undefined) {
    setErrno(rt, EBADF);
    return -1;
  }
  return printTo(rt, s, r);
}

// scanf family ----------------------------------------------------------------------------------------

function streamInput(rt: Runtime, s: Stream, read: { n: number }): ScanInput {
  return {
    get: () => {
      read.n++;
      return readByte(rt, s);
    },
    unget: (c) => {
      if (c >= 0) unreadByte(s, c);
    },
  };
}

function sscanfImpl(rt: Runtime, str: ExtValue | undefined, fmt: ExtValue | undefined, va: VarArgs): number {
  // The string and the format are read in place, as glibc's sscanf reads its string (not copied).
  const b = rt.mem.cstringView(ptr(str));
  // A null format is glibc's EINVAL error (after sscanf took its string's length).
  if (ptr(fmt) === 0) return failWith(rt, EINVAL);
  const f = rt.mem.cstringView(ptr(fmt));
  // Charged for the whole string: glibc's sscanf takes its length first (strlen), then parses.
  charge(rt, b.length, COST.scanBytes);
  charge(rt, f.length, COST.formatBytes);
  return performScanf(f, new BytesInput(b), va, scanMemory(rt));
}

function fscanfImpl(rt: Runtime, s: Stream, fmt: ExtValue | undefined, va: VarArgs): number {
  if (ptr(fmt) === 0) return failWith(rt, EINVAL);
  const f = rt.mem.cstring(ptr(fmt));
  const read = { n: 0 };
  const r = performScanf(f, streamInput(rt, s, read), va, scanMemory(rt));
  charge(rt, f.length + read.n, COST.formatBytes);
  return r;
}

// Line input --------------------------------------------------------------------------------------------

function fgetsImpl(rt: Runtime, buf: number, n: number, s: Stream): number {
  if (n <= 0) return 0;
  if (n === 1) {
    rt.mem.writeU8(buf, 0);
    return buf;
  }
  const out: number[] = [];
  while (out.length < n - 1) {
    const c = readByte(rt, s);
    if (c === EOF) break;
    out.push(c);
    if (c === 10) break;
  }
  charge(rt, out.length, COST.streamBytes);
  if (out.length === 0) return 0;
  rt.mem.writeBytes(buf, Uint8Array.from(out));
  rt.mem.writeU8(buf + out.length, 0);
  return buf;
}

function getdelimImpl(rt: Runtime, linep: number, np: number, delim: number, s: Stream): bigint {
  const out: number[] = [];
  for (;;) {
    const c = readByte(rt, s);
    if (c === EOF) break;
    out.push(c);
    if (c === delim) break;
  }
  charge(rt, out.length, COST.streamBytes);
  if (out.length === 0) return -1n;
  let buf = rt.mem.readPtr(linep);
  let cap = Number(rt.mem.readU64(np));
  if (buf === 0 || cap < out.length + 1) {
    // glibc starts at 120 bytes and doubles.
    let want = buf === 0 || cap === 0 ? 120 : cap;
    while (want < out.length + 1) want *= 2;
    buf = rt.mem.realloc(buf, want);
    cap = want;
    rt.mem.writePtr(linep, buf);
    rt.mem.writeI64(np, BigInt(cap));
  }
  rt.mem.writeBytes(buf, Uint8Array.from(out));
  rt.mem.writeU8(buf + out.length, 0);
  return BigInt(out.length);
}

// Positioning -------------------------------------------------------------------------------------------

/** Reposition a stream (fseek/lseek); 0, or -1 with errno (ESPIPE on the standard streams, EINVAL). */
export function seekImpl(rt: Runtime, s: Stream, off: number, whence: number): number {
  if (s.kind !== 'file' && s.kind !== 'dir') {
    setErrno(rt, ESPIPE);
    return -1;
  }
  const len = s.file === undefined || s.file.device !== undefined ? 0 : s.file.len;
  const base = whence === 0 ? 0 : whence === 1 ? s.pos : whence === 2 ? len : NaN;
  const np = base + off;
  if (!(np >= 0)) {
    setErrno(rt, EINVAL);
    return -1;
  }
  s.pushback.length = 0;
  s.pos = np;
  s.eof = false;
  syncFlags(rt, s);
  return 0;
}

function tellImpl(rt: Runtime, s: Stream): bigint {
  if (s.kind !== 'file') {
    setErrno(rt, ESPIPE);
    return -1n;
  }
  return BigInt(s.pos);
}

// Handlers ---------------------------------------------------------------------------------------------

function putcImpl(rt: Runtime, c: ExtValue | undefined, fp: ExtValue | undefined, fn: string): number {
  const ch = int(c) & 0xff;
  return writeStream(rt, stream(rt, fp, fn), Uint8Array.of(ch)) ? ch : EOF;
}

function getcImpl(rt: Runtime, fp: ExtValue | undefined, fn: string): number {
  return readByte(rt, stream(rt, fp, fn));
}

function stdoutStream(rt: Runtime): Stream {
  return stdio(rt).byFd.get(1) ?? stream(rt, STD_FILES[1].addr(rt), 'stdout');
}
function stdinStream(rt: Runtime): Stream {
  return stream(rt, STD_FILES[0].addr(rt), 'stdin');
}

function putsImpl(rt: Runtime, s: ExtValue | undefined): number {
  const b = rt.mem.cstring(ptr(s));
  const st = stdoutStream(rt);
  if (!writeStream(rt, st, b) || !writeStream(rt, st, NL)) return EOF;
  return Math.min(b.length + 1, 0x7fffffff);
}
const NL = Uint8Array.of(10);

function fputsImpl(rt: Runtime, s: ExtValue | undefined, fp: ExtValue | undefined): number {
  const b = rt.mem.cstring(ptr(s));
  return writeStream(rt, stream(rt, fp, 'fputs'), b) ? 1 : EOF;
}

function fwriteImpl(
  rt: Runtime,
  p: ExtValue | undefined,
  sz: ExtValue | undefined,
  n: ExtValue | undefined,
  fp: ExtValue | undefined,
): number {
  const total = size(sz) * size(n);
  if (total === 0) return 0;
  const s = stream(rt, fp, 'fwrite');
  const b = rt.mem.readBytes(ptr(p), total);
  return writeStream(rt, s, b) ? size(n) : 0;
}

function freadImpl(
  rt: Runtime,
  p: ExtValue | undefined,
  sz: ExtValue | undefined,
  n: ExtValue | undefined,
  fp: ExtValue | undefined,
): number {
  const esz = size(sz);
  const total = esz * size(n);
  if (total === 0) return 0;
  const s = stream(rt, fp, 'fread');
  rt.mem.check(ptr(p), total, true);
  const b = readBytes(rt, s, total);
  rt.mem.writeBytes(ptr(p), b);
  return Math.floor(b.length / esz);
}

function perrorImpl(rt: Runtime, s: ExtValue | undefined): void {
  const msg = errnoMessage(getErrno(rt));
  const err = stdio(rt).byFd.get(2);
  const prefix = ptr(s) !== 0 ? rt.mem.cstring(ptr(s)) : new Uint8Array(0);
  const text =
    prefix.length > 0 ? Buffer.concat([prefix, Buffer.from(`: ${msg}\n`)]) : Buffer.from(`${msg}\n`);
  if (err !== undefined) writeStream(rt, err, new Uint8Array(text));
}

const ungetcImpl = (rt: Runtime, c: ExtValue | undefined, fp: ExtValue | undefined): number => {
  const ch = int(c);
  const s = stream(rt, fp, 'ungetc');
  if (ch === EOF) return EOF;
  unreadByte(s, ch);
  s.eof = false;
  syncFlags(rt, s);
  return ch & 0xff;
};

registerExternals({
  // Formatted output.
  printf: (rt, [fmt], va) => printTo(rt, stdoutStream(rt), format(rt, fmt, va)),
  __printf_chk: (rt, [, fmt], va) => printTo(rt, stdoutStream(rt), format(rt, fmt, va)),
  vprintf: (rt, [fmt, ap]) => printTo(rt, stdoutStream(rt), format(rt, fmt, vaOf(rt, ap))),
  __vprintf_chk: (rt, [, fmt, ap]) => printTo(rt, stdoutStream(rt), format(rt, fmt, vaOf(rt, ap))),
  fprintf: (rt, [fp, fmt], va) => printTo(rt, stream(rt, fp, 'fprintf'), format(rt, fmt, va)),
  __fprintf_chk: (rt, [fp, , fmt], va) => printTo(rt, stream(rt, fp, 'fprintf'), format(rt, fmt, va)),
  vfprintf: (rt, [fp, fmt, ap]) => printTo(rt, stream(rt, fp, 'vfprintf'), format(rt, fmt, vaOf(rt, ap))),
  __vfprintf_chk: (rt, [fp, , fmt, ap]) =>
    printTo(rt, stream(rt, fp, 'vfprintf'), format(rt, fmt, vaOf(rt, ap))),
  dprintf: (rt, [fd, fmt], va) => dprintfTo(rt, int(fd), format(rt, fmt, va)),
  __dprintf_chk: (rt, [fd, , fmt], va) => dprintfTo(rt, int(fd), format(rt, fmt, va)),
  vdprintf: (rt, [fd, fmt, ap]) => dprintfTo(rt, int(fd), format(rt, fmt, vaOf(rt, ap))),
  __vdprintf_chk: (rt, [fd, , fmt, ap]) => dprintfTo(rt, int(fd), format(rt, fmt, vaOf(rt, ap))),
  sprintf: (rt, [d, fmt], va) => sprintfTo(rt, ptr(d), format(rt, fmt, va)),
  __sprintf_chk: (rt, [d, , sl, fmt], va) =>
    sprintfTo(rt, ptr(d), format(rt, fmt, va), size(sl), '__sprintf_chk'),
  vsprintf: (rt, [d, fmt, ap]) => sprintfTo(rt, ptr(d), format(rt, fmt, vaOf(rt, ap))),
  __vsprintf_chk: (rt, [d, , sl, fmt, ap]) =>
    sprintfTo(rt, ptr(d), format(rt, fmt, vaOf(rt, ap)), size(sl), '__vsprintf_chk'),
  snprintf: (rt, [d, n, fmt], va) => snprintfTo(rt, ptr(d), size(n), format(rt, fmt, va, snLimit(n))),
  __snprintf_chk: (rt, [d, n, , sl, fmt], va) => {
    if (size(n) > size(sl))
      throw new Trap(
        'out-of-bounds-write',
        `__snprintf_chk: buffer overflow detected (maxlen ${size(n)} > object size ${size(sl)})`,
      );
    return snprintfTo(rt, ptr(d), size(n), format(rt, fmt, va, snLimit(n)));
  },
  vsnprintf: (rt, [d, n, fmt, ap]) =>
    snprintfTo(rt, ptr(d), size(n), format(rt, fmt, vaOf(rt, ap), snLimit(n))),
  __vsnprintf_chk: (rt, [d, n, , sl, fmt, ap]) => {
    if (size(n) > size(sl))
      throw new Trap(
        'out-of-bounds-write',
        `__vsnprintf_chk: buffer overflow detected (maxlen ${size(n)} > object size ${size(sl)})`,
      );
    return snprintfTo(rt, ptr(d), size(n), format(rt, fmt, vaOf(rt, ap), snLimit(n)));
  },
  asprintf: (rt, [sp, fmt], va) => asprintfTo(rt, ptr(sp), format(rt, fmt, va)),
  __asprintf_chk: (rt, [sp, , fmt], va) => asprintfTo(rt, ptr(sp), format(rt, fmt, va)),
  vasprintf: (rt, [sp, fmt, ap]) => asprintfTo(rt, ptr(sp), format(rt, fmt, vaOf(rt, ap))),
  __vasprintf_chk: (rt, [sp, , fmt, ap]) => asprintfTo(rt, ptr(sp), format(rt, fmt, vaOf(rt, ap))),

  // Formatted input.
  sscanf: (rt, [s, fmt], va) => sscanfImpl(rt, s, fmt, va ?? NO_ARGS),
  __isoc99_sscanf: (rt, [s, fmt], va) => sscanfImpl(rt, s, fmt, va ?? NO_ARGS),
  __isoc23_sscanf: (rt, [s, fmt], va) => sscanfImpl(rt, s, fmt, va ?? NO_ARGS),
  vsscanf: (rt, [s, fmt, ap]) => sscanfImpl(rt, s, fmt, vaOf(rt, ap)),
  __isoc99_vsscanf: (rt, [s, fmt, ap]) => sscanfImpl(rt, s, fmt, vaOf(rt, ap)),
  __isoc23_vsscanf: (rt, [s, fmt, ap]) => sscanfImpl(rt, s, fmt, vaOf(rt, ap)),
  scanf: (rt, [fmt], va) => fscanfImpl(rt, stdinStream(rt), fmt, va ?? NO_ARGS),
  __isoc99_scanf: (rt, [fmt], va) => fscanfImpl(rt, stdinStream(rt), fmt, va ?? NO_ARGS),
  __isoc23_scanf: (rt, [fmt], va) => fscanfImpl(rt, stdinStream(rt), fmt, va ?? NO_ARGS),
  vscanf: (rt, [fmt, ap]) => fscanfImpl(rt, stdinStream(rt), fmt, vaOf(rt, ap)),
  __isoc99_vscanf: (rt, [fmt, ap]) => fscanfImpl(rt, stdinStream(rt), fmt, vaOf(rt, ap)),
  fscanf: (rt, [fp, fmt], va) => fscanfImpl(rt, stream(rt, fp, 'fscanf'), fmt, va ?? NO_ARGS),
  __isoc99_fscanf: (rt, [fp, fmt], va) => fscanfImpl(rt, stream(rt, fp, 'fscanf'), fmt, va ?? NO_ARGS),
  __isoc23_fscanf: (rt, [fp, fmt], va) => fscanfImpl(rt, stream(rt, fp, 'fscanf'), fmt, va ?? NO_ARGS),
  vfscanf: (rt, [fp, fmt, ap]) => fscanfImpl(rt, stream(rt, fp, 'vfscanf'), fmt, vaOf(rt, ap)),
  __isoc99_vfscanf: (rt, [fp, fmt, ap]) => fscanfImpl(rt, stream(rt, fp, 'vfscanf'), fmt, vaOf(rt, ap)),

  // Character and string output.
  puts: (rt, [s]) => putsImpl(rt, s),
  fputs: (rt, [s, fp]) => fputsImpl(rt, s, fp),
  fputs_unlocked: (rt, [s, fp]) => fputsImpl(rt, s, fp),
  putchar: (rt, [c]) => putcImpl(rt, c, stdoutStream(rt).addr, 'putchar'),
  putchar_unlocked: (rt, [c]) => putcImpl(rt, c, stdoutStream(rt).addr, 'putchar'),
  fputc: (rt, [c, fp]) => putcImpl(rt, c, fp, 'fputc'),
  putc: (rt, [c, fp]) => putcImpl(rt, c, fp, 'putc'),
  fputc_unlocked: (rt, [c, fp]) => putcImpl(rt, c, fp, 'fputc'),
  putc_unlocked: (rt, [c, fp]) => putcImpl(rt, c, fp, 'putc'),
  _IO_putc: (rt, [c, fp]) => putcImpl(rt, c, fp, 'putc'),
  __overflow: (rt, [fp, c]) => (int(c) === EOF ? 0 : putcImpl(rt, c, fp, '__overflow')),
  fwrite: (rt, [p, s, n, fp]) => fwriteImpl(rt, p, s, n, fp),
  fwrite_unlocked: (rt, [p, s, n, fp]) => fwriteImpl(rt, p, s, n, fp),
  perror: (rt, [s]) => perrorImpl(rt, s),
  fflush: (rt, [fp]) => {
    if (ptr(fp) !== 0) stream(rt, fp, 'fflush');
    return 0;
  },
  fflush_unlocked: () => 0,
  // Buffering changes nothing we model, but the FILE must be one (glibc reads it); a bad mode is EOF.
  setvbuf: (rt, [fp, , mode]) => (stream(rt, fp, 'setvbuf'), int(mode) >>> 0 <= 2 ? 0 : EOF),
  setbuf: (rt, [fp]) => void stream(rt, fp, 'setbuf'),
  setbuffer: (rt, [fp]) => void stream(rt, fp, 'setbuffer'),
  setlinebuf: (rt, [fp]) => void stream(rt, fp, 'setlinebuf'),
  __fpending: () => 0n,
  __fsetlocking: () => 0,

  // Character and line input.
  getchar: (rt) => readByte(rt, stdinStream(rt)),
  getchar_unlocked: (rt) => readByte(rt, stdinStream(rt)),
  fgetc: (rt, [fp]) => getcImpl(rt, fp, 'fgetc'),
  getc: (rt, [fp]) => getcImpl(rt, fp, 'getc'),
  fgetc_unlocked: (rt, [fp]) => getcImpl(rt, fp, 'fgetc'),
  getc_unlocked: (rt, [fp]) => getcImpl(rt, fp, 'getc'),
  _IO_getc: (rt, [fp]) => getcImpl(rt, fp, 'getc'),
  __uflow: (rt, [fp]) => getcImpl(rt, fp, '__uflow'),
  __underflow: (rt, [fp]) => {
    const s = stream(rt, fp, '__underflow');
    const c = readByte(rt, s);
    if (c !== EOF) unreadByte(s, c);
    return c;
  },
  ungetc: (rt, [c, fp]) => ungetcImpl(rt, c, fp),
  fgets: (rt, [b, n, fp]) => fgetsImpl(rt, ptr(b), int(n), stream(rt, fp, 'fgets')),
  fgets_unlocked: (rt, [b, n, fp]) => fgetsImpl(rt, ptr(b), int(n), stream(rt, fp, 'fgets')),
  __fgets_chk: (rt, [b, sl, n, fp]) => {
    if (int(n) > size(sl))
      throw new Trap(
        'out-of-bounds-write',
        `__fgets_chk: buffer overflow detected (${int(n)} > ${size(sl)})`,
      );
    return fgetsImpl(rt, ptr(b), int(n), stream(rt, fp, 'fgets'));
  },
  getline: (rt, [lp, np, fp]) => getdelimImpl(rt, ptr(lp), ptr(np), 10, stream(rt, fp, 'getline')),
  getdelim: (rt, [lp, np, d, fp]) =>
    getdelimImpl(rt, ptr(lp), ptr(np), int(d) & 0xff, stream(rt, fp, 'getdelim')),
  __getdelim: (rt, [lp, np, d, fp]) =>
    getdelimImpl(rt, ptr(lp), ptr(np), int(d) & 0xff, stream(rt, fp, 'getdelim')),
  fread: (rt, [p, s, n, fp]) => freadImpl(rt, p, s, n, fp),
  fread_unlocked: (rt, [p, s, n, fp]) => freadImpl(rt, p, s, n, fp),
  __fread_chk: (rt, [p, pl, s, n, fp]) => {
    if (size(s) * size(n) > size(pl))
      throw new Trap('out-of-bounds-write', `__fread_chk: buffer overflow detected`);
    return freadImpl(rt, p, s, n, fp);
  },

  // Stream state.
  feof: (rt, [fp]) => (stream(rt, fp, 'feof').eof ? 1 : 0),
  feof_unlocked: (rt, [fp]) => (stream(rt, fp, 'feof').eof ? 1 : 0),
  _IO_feof: (rt, [fp]) => (stream(rt, fp, 'feof').eof ? 1 : 0),
  ferror: (rt, [fp]) => (stream(rt, fp, 'ferror').err ? 1 : 0),
  ferror_unlocked: (rt, [fp]) => (stream(rt, fp, 'ferror').err ? 1 : 0),
  _IO_ferror: (rt, [fp]) => (stream(rt, fp, 'ferror').err ? 1 : 0),
  clearerr: (rt, [fp]) => {
    const s = stream(rt, fp, 'clearerr');
    s.eof = false;
    s.err = false;
    syncFlags(rt, s);
  },
  clearerr_unlocked: (rt, [fp]) => {
    const s = stream(rt, fp, 'clearerr');
    s.eof = false;
    s.err = false;
    syncFlags(rt, s);
  },
  fileno: (rt, [fp]) => stream(rt, fp, 'fileno').fd,
  fileno_unlocked: (rt, [fp]) => stream(rt, fp, 'fileno').fd,
  // One thread: locking always succeeds, but glibc reads the FILE's lock, so it must be a FILE.
  flockfile: (rt, [fp]) => void stream(rt, fp, 'flockfile'),
  funlockfile: (rt, [fp]) => void stream(rt, fp, 'funlockfile'),
  ftrylockfile: (rt, [fp]) => (stream(rt, fp, 'ftrylockfile'), 0),

  // Files.
  fopen: (rt, [p, m]) => openStream(rt, pathArg(rt, p), rt.mem.string(ptr(m)))?.addr ?? 0,
  fopen64: (rt, [p, m]) => openStream(rt, pathArg(rt, p), rt.mem.string(ptr(m)))?.addr ?? 0,
  freopen: (rt, [p, m, fp]) => {
    const old = stream(rt, fp, 'freopen');
    closeStream(rt, old);
    if (ptr(p) === 0) return 0;
    return openStream(rt, rt.mem.string(ptr(p)), rt.mem.string(ptr(m)))?.addr ?? 0;
  },
  fdopen: (rt, [fd, m]) => {
    const s = fdStream(rt, int(fd));
    const md = modeFlags(rt.mem.string(ptr(m)));
    if (s === undefined || md === undefined) {
      setErrno(rt, s === undefined ? EBADF : EINVAL);
      return 0;
    }
    if (s.addr !== 0) return s.addr;
    s.addr = rt.mem.malloc(FILE_SIZE);
    s.heap = true;
    initFile(rt, s.addr, s.fd, IO_IS_FILEBUF);
    stdio(rt).byAddr.set(s.addr, s);
    return s.addr;
  },
  tmpfile: (rt) => newStream(rt, newFile(fsState(rt), 0o600, nowNs(rt)), true, true, 0, true).addr,
  fclose: (rt, [fp]) => {
    closeStream(rt, stream(rt, fp, 'fclose'));
    return 0;
  },
  fseek: (rt, [fp, off, wh]) => seekImpl(rt, stream(rt, fp, 'fseek'), Number(long(off)), int(wh)),
  fseeko: (rt, [fp, off, wh]) => seekImpl(rt, stream(rt, fp, 'fseeko'), Number(long(off)), int(wh)),
  fseeko64: (rt, [fp, off, wh]) => seekImpl(rt, stream(rt, fp, 'fseeko'), Number(long(off)), int(wh)),
  ftell: (rt, [fp]) => tellImpl(rt, stream(rt, fp, 'ftell')),
  ftello: (rt, [fp]) => tellImpl(rt, stream(rt, fp, 'ftello')),
  ftello64: (rt, [fp]) => tellImpl(rt, stream(rt, fp, 'ftello')),
  rewind: (rt, [fp]) => {
    const s = stream(rt, fp, 'rewind');
    seekImpl(rt, s, 0, 0);
    s.err = false;
    syncFlags(rt, s);
  },
  // fpos_t: its first 8 bytes hold the offset.
  fgetpos: (rt, [fp, pos]) => {
    const t = tellImpl(rt, stream(rt, fp, 'fgetpos'));
    if (t < 0n) return -1;
    rt.mem.writeI64(ptr(pos), t);
    return 0;
  },
  fsetpos: (rt, [fp, pos]) => seekImpl(rt, stream(rt, fp, 'fsetpos'), Number(rt.mem.readI64(ptr(pos))), 0),
  remove: (rt, [p]) => removePath(rt, rt.mem.string(ptr(p)), 'any'),
  rename: (rt, [a, b]) => renamePath(rt, rt.mem.string(ptr(a)), rt.mem.string(ptr(b))),
});

// Their size arguments go through size(): numbers do (no BigInt per call; printf runs in loops).
numericArguments(['snprintf', 'vsnprintf']);

/**
 * unlink (`file`), rmdir (`dir`) or remove (`any`): 0, or -1 with errno (ENOENT, ENOTDIR, EISDIR,
 * ENOTEMPTY, EBUSY for `/` and the current directory). A file still open stays readable (nlink 0).
 */
export function removePath(rt: Runtime, path: string, what: 'file' | 'dir' | 'any'): number {
  const r = lookup(rt, path);
  const st = fsState(rt);
  let errno = 0;
  if (r.kind === 'none') errno = r.errno;
  else if (r.kind === 'file') {
    if (what === 'dir') errno = ENOTDIR;
    else {
      st.files.delete(r.path);
      r.file.nlink = 0;
    }
  } else if (what === 'file') errno = EISDIR;
  else if (dirHasEntries(st, r.path)) errno = ENOTEMPTY;
  else if (r.path === '/' || r.path === st.cwd) errno = EBUSY;
  else st.dirs.delete(r.path);
  if (errno === 0) return 0;
  setErrno(rt, errno);
  return -1;
}

/** rename(2) of a file (replacing a file) or of an empty-destination directory. */
function renamePath(rt: Runtime, from: string, to: string): number {
  const a = lookup(rt, from);
  const st = fsState(rt);
  const b = lookup(rt, to);
  let errno = 0;
  if (a.kind === 'none') errno = a.errno;
  else if (b.kind === 'none' && !b.canCreate) errno = b.errno;
  else if (a.kind === 'file') {
    if (b.kind === 'dir') errno = EISDIR;
    else if (a.path !== b.path) {
      st.files.delete(a.path);
      if (b.kind === 'file') b.file.nlink = 0;
      st.files.set(b.path, a.file);
    }
  } else if (b.kind === 'file') errno = ENOTDIR;
  else if (b.kind === 'dir' && b.path !== a.path && dirHasEntries(st, b.path)) errno = ENOTEMPTY;
  else if (b.path.startsWith(a.path + '/')) errno = EINVAL;
  else if (a.path !== b.path) {
    const pre = a.path + '/';
    for (const m of [st.files, st.dirs] as Map<string, unknown>[]) {
      for (const [k, v] of [...m.entries()]) {
        if (k !== a.path && !k.startsWith(pre)) continue;
        m.delete(k);
        m.set(b.path + k.slice(a.path.length), v);
      }
    }
  }
  if (errno === 0) return 0;
  setErrno(rt, errno);
  return -1;
}

export { bytesOf };
