/**
 * @fileoverview Stage: engine (libc models). dirent.h: reading the directories of the in-memory file system
 * (opendir, fdopendir, readdir/readdir64, rewinddir, dirfd, closedir).
 *
 * Consumes: the externals API, the file system (fs.ts), the stream table (stdio.ts) and close (unistd.ts).
 * Produces: registered handlers. A `DIR *` is a heap block holding the `struct dirent` that readdir returns
 * (the 280-byte x86-64 layout: d_ino, d_off, d_reclen, d_type, d_name[256]; dirent and dirent64 are the
 * same) and owns a directory fd, as glibc's does. The entries are read when the directory is opened (or
 * rewound): `.` and `..`, then the names below it in byte order (a real file system answers in its own
 * hash order, which programs cannot rely on).
 */
import { registerExternals, Trap, type ExtValue, type Runtime } from '../externals.js';
import { bytesOf, EBADF, ENOTDIR, int, ptr, setErrno } from './common.js';
import { fsState } from './fs.js';
import { fdStream, O_CLOEXEC, O_DIRECTORY, openPath } from './stdio.js';
import { closeImpl } from './unistd.js';

const DIRENT_SIZE = 280;
const DT_CHR = 2;
const DT_DIR = 4;
const DT_REG = 8;

interface DirHandle {
  fd: number;
  path: string;
  entries: { name: string; ino: number; type: number }[];
  next: number;
}

function handles(rt: Runtime): Map<number, DirHandle> {
  return rt.state('libc.dirent', () => new Map<number, DirHandle>());
}

/** The entries of directory `path`: `.`, `..`, then its children by name. */
function listEntries(rt: Runtime, path: string): DirHandle['entries'] {
  const st = fsState(rt);
  const pre = path === '/' ? '/' : path + '/';
  const kids: DirHandle['entries'] = [];
  for (const [k, d] of st.dirs) {
    if (k !== path && k.startsWith(pre) && !k.slice(pre.length).includes('/')) {
      kids.push({ name: k.slice(pre.length), ino: d.ino, type: DT_DIR });
    }
  }
  for (const [k, f] of st.files) {
    if (k.startsWith(pre) && !k.slice(pre.length).includes('/')) {
      kids.push({ name: k.slice(pre.length), ino: f.ino, type: f.device !== undefined ? DT_CHR : DT_REG });
    }
  }
  kids.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const self = st.dirs.get(path)?.ino ?? 1;
  const parent =
    st.dirs.get(path === '/' ? '/' : path.slice(0, Math.max(1, path.lastIndexOf('/'))))?.ino ?? 1;
  return [{ name: '.', ino: self, type: DT_DIR }, { name: '..', ino: parent, type: DT_DIR }, ...kids];
}

/** A DIR * on an open directory fd (0 with ENOTDIR when it is not a directory). */
function dirOnFd(rt: Runtime, fd: number): number {
  const s = fdStream(rt, fd);
  if (s === undefined) {
    setErrno(rt, EBADF);
    return 0;
  }
  if (s.kind !== 'dir' || s.path === undefined) {
    setErrno(rt, ENOTDIR);
    return 0;
  }
  const addr = rt.mem.malloc(DIRENT_SIZE);
  handles(rt).set(addr, { fd, path: s.path, entries: listEntries(rt, s.path), next: 0 });
  return addr;
}

function handle(rt: Runtime, d: ExtValue | undefined, fn: string): DirHandle {
  const h = handles(rt).get(ptr(d));
  if (h !== undefined) return h;
  if (ptr(d) === 0) throw new Trap('null-deref', `${fn}: NULL DIR* argument`);
  rt.mem.check(ptr(d), 1, false);
  throw new Trap('invalid-pointer', `${fn}: 0x${ptr(d).toString(16)} is not an open DIR`);
}

function readdirImpl(rt: Runtime, d: ExtValue | undefined): number {
  const h = handle(rt, d, 'readdir');
  const e = h.entries[h.next];
  if (e === undefined) return 0;
  h.next++;
  const a = ptr(d);
  const name = bytesOf(e.name).subarray(0, 255);
  rt.mem.fill(a, 0, DIRENT_SIZE);
  rt.mem.writeI64(a, BigInt(e.ino));
  rt.mem.writeI64(a + 8, BigInt(h.next));
  rt.mem.writeI16(a + 16, (19 + name.length + 1 + 7) & ~7);
  rt.mem.writeU8(a + 18, e.type);
  rt.mem.writeBytes(a + 19, name);
  return a;
}

registerExternals({
  opendir: (rt, [p]) => {
    const r = openPath(rt, rt.mem.string(ptr(p)), O_DIRECTORY | O_CLOEXEC, 0, false);
    if (typeof r === 'number') {
      setErrno(rt, r);
      return 0;
    }
    return dirOnFd(rt, r.fd);
  },
  fdopendir: (rt, [fd]) => dirOnFd(rt, int(fd)),
  readdir: (rt, [d]) => readdirImpl(rt, d),
  readdir64: (rt, [d]) => readdirImpl(rt, d),
  rewinddir: (rt, [d]) => {
    const h = handle(rt, d, 'rewinddir');
    h.entries = listEntries(rt, h.path);
    h.next = 0;
  },
  dirfd: (rt, [d]) => handle(rt, d, 'dirfd').fd,
  closedir: (rt, [d]) => {
    const h = handle(rt, d, 'closedir');
    handles(rt).delete(ptr(d));
    rt.mem.free(ptr(d));
    return closeImpl(rt, h.fd);
  },
});
