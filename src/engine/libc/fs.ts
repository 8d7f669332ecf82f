/**
 * @fileoverview Stage: engine (libc models). The per-run in-memory file system that stdio.h (fopen & co.)
 * and the POSIX file-descriptor calls (unistd.ts) share: regular files, directories, a few character
 * devices, the current directory and the umask.
 *
 * Consumes: the externals API (per-run state, the step counter for timestamps). Produces: `fsState(rt)`,
 * path resolution (`resolvePath`), lookups that answer with an errno (`lookup`, `parentDir`), and
 * `setVirtualFiles`/`readVirtualFile` for tests and the CLI.
 *
 * Paths are resolved against the current directory (`VIRTUAL_CWD` at the start of every run) into
 * absolute, normalised keys (`.` and `..` removed, `//` collapsed); there are no symbolic links. A run
 * starts with the directories `/`, `/dev`, `/tmp`, `/home`, `/home/user` (the current directory), the
 * parents of every seeded file, and the devices `/dev/null` (reads nothing, discards writes), `/dev/zero`
 * and `/dev/urandom`/`/dev/random` (a fixed xorshift byte sequence, so runs are repeatable). Permission
 * bits are recorded (mode & ~umask) and reported by stat, not enforced (as for root). Timestamps come from
 * the virtual clock of time.ts (1,700,000,000 s plus one nanosecond per executed step).
 */
import type { Runtime } from '../externals.js';
import { COST } from '../cost.js';
import { charge } from './common.js';
import { CLOCK_BASE_SECONDS } from './time.js';

/** A regular file or a device of the in-memory file system (shared by every fd and FILE open on it). */
export interface MemFile {
  data: Uint8Array;
  len: number;
  /** Inode number (stable within a run). */
  ino: number;
  /** Permission bits (the file type is implied: S_IFREG, or S_IFCHR for a device). */
  perm: number;
  /** Links from directory entries: 1, or 0 once unlinked while still open. */
  nlink: number;
  /** Modification time, virtual nanoseconds since the epoch. */
  mtimeNs: number;
  /** A character device instead of stored bytes. */
  device?: 'null' | 'zero' | 'random';
  /** State of the `random` device's generator. */
  seed?: number;
}

/** A directory (its entries are the paths below it). */
export interface MemDir {
  ino: number;
  perm: number;
  mtimeNs: number;
}

export interface FsState {
  files: Map<string, MemFile>;
  dirs: Map<string, MemDir>;
  cwd: string;
  umask: number;
  nextIno: number;
}

/** The current directory every run starts in. */
export const VIRTUAL_CWD = '/home/user';
const START_DIRS = ['/', '/dev', '/tmp', '/home', VIRTUAL_CWD];
const DEVICES: Readonly<Record<string, 'null' | 'zero' | 'random'>> = {
  '/dev/null': 'null',
  '/dev/zero': 'zero',
  '/dev/urandom': 'random',
  '/dev/random': 'random',
};

let seedFiles = new Map<string, Uint8Array>();

/**
 * Set the files every run starts with (path -> contents; relative paths are below `VIRTUAL_CWD`). Runs see
 * a private copy: files a run creates or changes are dropped when it ends.
 */
export function setVirtualFiles(
  files: ReadonlyMap<string, Uint8Array> | Record<string, Uint8Array | string>,
): void {
  const m = new Map<string, Uint8Array>();
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  for (const [k, v] of entries)
    m.set(resolvePath(VIRTUAL_CWD, k), typeof v === 'string' ? Buffer.from(v) : v);
  seedFiles = m;
}

/** The contents of a file of the run's file system (for tests and the CLI), or undefined. */
export function readVirtualFile(rt: Runtime, path: string): Uint8Array | undefined {
  const f = fsState(rt).files.get(resolvePath(VIRTUAL_CWD, path));
  return f === undefined || f.device !== undefined ? undefined : f.data.slice(0, f.len);
}

/** Virtual time now, in nanoseconds since the epoch. */
export function nowNs(rt: Runtime): number {
  return CLOCK_BASE_SECONDS * 1e9 + rt.steps();
}

/** The run's file system (created from the seed on first use). */
export function fsState(rt: Runtime): FsState {
  return rt.state('libc.fs', () => {
    const st: FsState = { files: new Map(), dirs: new Map(), cwd: VIRTUAL_CWD, umask: 0o022, nextIno: 2 };
    const t = CLOCK_BASE_SECONDS * 1e9;
    for (const d of START_DIRS)
      st.dirs.set(d, { ino: st.nextIno++, perm: d === '/tmp' ? 0o1777 : 0o755, mtimeNs: t });
    for (const [path, dev] of Object.entries(DEVICES)) {
      const f = newFile(st, 0o666, t);
      f.device = dev;
      f.seed = 0x2545f491;
      st.files.set(path, f);
    }
    for (const [k, v] of seedFiles) {
      for (let d = dirname(k); !st.dirs.has(d); d = dirname(d))
        st.dirs.set(d, { ino: st.nextIno++, perm: 0o755, mtimeNs: t });
      const f = newFile(st, 0o644, t);
      f.data = v.slice();
      f.len = v.length;
      st.files.set(k, f);
    }
    return st;
  });
}

/** A new empty regular file (not yet linked into a directory). */
export function newFile(st: FsState, perm: number, mtimeNs: number): MemFile {
  return { data: new Uint8Array(64), len: 0, ino: st.nextIno++, perm, nlink: 1, mtimeNs };
}

/** `p` resolved against directory `cwd`: absolute, without `.`, `..` or repeated slashes. */
export function resolvePath(cwd: string, p: string): string {
  const parts = p.startsWith('/') ? [] : cwd.split('/').filter((s) => s !== '');
  for (const s of p.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') parts.pop();
    else parts.push(s);
  }
  return '/' + parts.join('/');
}

/** The directory holding absolute path `p` (`/` for `/`). */
export function dirname(p: string): string {
  const k = p.lastIndexOf('/');
  return k <= 0 ? '/' : p.slice(0, k);
}

/** What a path names, or the errno of looking it up (ENOENT, ENOTDIR). */
export type Lookup =
  | { kind: 'file'; path: string; file: MemFile }
  | { kind: 'dir'; path: string; dir: MemDir }
  | { kind: 'none'; path: string; errno: number; canCreate: boolean };

const ENOENT = 2;
const ENOTDIR = 20;
const ENAMETOOLONG = 36;
/** Linux: a path of PATH_MAX bytes or more (its NUL would not fit), a component of more than NAME_MAX. */
const PATH_MAX = 4096;
const NAME_MAX = 255;

/** `s` takes more than `max` bytes in UTF-8 (as the kernel counts); no count for short strings. */
function longerThan(s: string, max: number): boolean {
  return s.length > max / 3 && Buffer.byteLength(s, 'utf8') > max;
}

/** A path component too long for the file system. */
function tooLong(component: string): boolean {
  return longerThan(component, NAME_MAX);
}

/**
 * Look a path up as the kernel does: every prefix must be a directory (else ENOTDIR when it is a file,
 * ENOENT when missing); a trailing slash requires a directory. An empty path is ENOENT, and nothing can be
 * created there (`open("", O_CREAT)`, `mkdir("")` fail): `canCreate` is true only for a missing name whose
 * directory exists. A path of PATH_MAX bytes or more is ENAMETOOLONG before anything, and so is a
 * component of more than NAME_MAX bytes when the walk reaches it (the file system's lookup refuses the
 * name before it looks for it).
 */
export function lookup(rt: Runtime, raw: string): Lookup {
  const st = fsState(rt);
  const path = resolvePath(st.cwd, raw);
  if (raw === '') return { kind: 'none', path, errno: ENOENT, canCreate: false };
  if (longerThan(raw, PATH_MAX - 1)) return { kind: 'none', path, errno: ENAMETOOLONG, canCreate: false };
  const bad = parentError(st, path);
  if (bad !== 0) return { kind: 'none', path, errno: bad, canCreate: false };
  if (tooLong(path.slice(path.lastIndexOf('/') + 1)))
    return { kind: 'none', path, errno: ENAMETOOLONG, canCreate: false };
  const dir = st.dirs.get(path);
  if (dir !== undefined) return { kind: 'dir', path, dir };
  const file = st.files.get(path);
  if (file !== undefined) {
    if (raw.endsWith('/')) return { kind: 'none', path, errno: ENOTDIR, canCreate: false };
    return { kind: 'file', path, file };
  }
  return { kind: 'none', path, errno: ENOENT, canCreate: st.dirs.has(dirname(path)) };
}

/**
 * 0 when every ancestor of absolute `path` is a directory, else ENAMETOOLONG, ENOTDIR or ENOENT for the
 * first one not.
 */
export function parentError(st: FsState, path: string): number {
  const parts = path.split('/').filter((s) => s !== '');
  let cur = '';
  for (let i = 0; i < parts.length - 1; i++) {
    if (tooLong(parts[i]!)) return ENAMETOOLONG;
    cur += '/' + parts[i];
    if (st.dirs.has(cur)) continue;
    return st.files.has(cur) ? ENOTDIR : ENOENT;
  }
  return 0;
}

/** True when directory `path` has entries. */
export function dirHasEntries(st: FsState, path: string): boolean {
  const pre = path === '/' ? '/' : path + '/';
  for (const k of st.files.keys()) if (k.startsWith(pre)) return true;
  for (const k of st.dirs.keys()) if (k !== path && k.startsWith(pre)) return true;
  return false;
}

/** Read up to n bytes of a file at pos (devices generate theirs). */
export function fileRead(f: MemFile, pos: number, n: number): Uint8Array {
  if (f.device === 'null') return new Uint8Array(0);
  if (f.device === 'zero') return new Uint8Array(n);
  if (f.device === 'random') {
    const out = new Uint8Array(n);
    let x = f.seed ?? 1;
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    f.seed = x;
    return out;
  }
  const k = Math.max(0, Math.min(n, f.len - pos));
  return f.data.slice(pos, pos + k);
}

/** Write bytes into a file at pos (zero-filling a gap), growing it; devices discard them. */
export function fileWrite(rt: Runtime, f: MemFile, pos: number, b: Uint8Array): void {
  if (f.device !== undefined) return;
  const end = pos + b.length;
  if (end > f.data.length) {
    const d = new Uint8Array(Math.max(end, f.data.length * 2, 64));
    d.set(f.data.subarray(0, f.len));
    f.data = d;
  }
  if (pos > f.len) {
    charge(rt, pos - f.len, COST.bulkBytes);
    f.data.fill(0, f.len, pos);
  }
  f.data.set(b, pos);
  if (end > f.len) f.len = end;
  f.mtimeNs = nowNs(rt);
}

/** Set a file's length (ftruncate): cut, or extend with zeros. */
export function fileTruncate(rt: Runtime, f: MemFile, len: number): void {
  if (f.device !== undefined) return;
  if (len > f.len) charge(rt, len - f.len, COST.bulkBytes);
  if (len > f.data.length) {
    const d = new Uint8Array(len);
    d.set(f.data.subarray(0, f.len));
    f.data = d;
  } else if (len > f.len) f.data.fill(0, f.len, len);
  f.len = len;
  f.mtimeNs = nowNs(rt);
}
