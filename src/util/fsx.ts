/**
 * @fileoverview Stage: shared. File-system helpers that stay correct when several processes share a cache.
 *
 * Consumes: paths and contents. Produces: files written atomically (temporary name, then rename), content
 * hashes, a cross-process lock (a directory created with `mkdir`, holding the owner's pid; a lock whose
 * owner is dead is taken over), and the one recursive directory walker (`walkFiles`, deterministic order).
 */

import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  type Dirent,
  type Stats,
} from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { UserError } from './errors.js';

let tmpCounter = 0;

/** A fresh sibling name for `path`, unique across processes and calls. */
export function tempSibling(path: string): string {
  return `${path}.tmp-${process.pid}-${++tmpCounter}`;
}

/** Names `tempSibling` gives: what an interrupted writer may leave behind. */
export const TEMP_SIBLING = /\.tmp-\d+-\d+$/;

/** Write `data` to `path` via a temporary file and a rename, so readers never see a partial file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Hex sha256 of the given parts (each part is length-prefixed so concatenations cannot collide). */
export function hashParts(parts: readonly (string | Uint8Array)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'utf8') : p;
    h.update(`${b.length}:`);
    h.update(b);
  }
  return h.digest('hex');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Run `fn` while holding the lock `lockDir` (created with mkdir, which is atomic). Waits for a live owner
 * (up to `timeoutMs`), and takes over a lock whose owner process is gone.
 */
export async function withLock<T>(
  lockDir: string,
  fn: () => Promise<T>,
  timeoutMs = 60 * 60_000,
): Promise<T> {
  mkdirSync(dirname(lockDir), { recursive: true });
  const owner = join(lockDir, 'owner');
  const me = `${hostname()} ${process.pid}`;
  const start = Date.now();
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(owner, me);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (isStale(lockDir, owner)) {
      rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() - start > timeoutMs) {
      throw new UserError(
        `timed out waiting for lock ${lockDir} (remove it if no inputsmith process is running)`,
      );
    }
    await sleep(250);
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function isStale(lockDir: string, owner: string): boolean {
  let text: string;
  try {
    text = readFileSync(owner, 'utf8');
  } catch {
    // Created but owner not written yet, or removed meanwhile: stale only if old.
    try {
      return Date.now() - statSync(lockDir).mtimeMs > 30_000;
    } catch {
      return false;
    }
  }
  const [host, pidText] = text.split(' ');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid)) return false;
  return !pidAlive(pid);
}

/** `statSync` of a path the user named: a missing one is the one-line `no such file or directory` error. */
export function statInput(path: string): Stats {
  try {
    return statSync(path);
  } catch {
    throw new UserError('no such file or directory', { file: path });
  }
}

export interface WalkOptions {
  /** Which files to return, given the file's path (`dir` joined with the names below it); default: all. */
  readonly filter?: (path: string) => boolean;
  /** Skip entries, files and directories alike, whose name starts with `.`. */
  readonly skipHidden?: boolean;
  /** Entry names to skip, files and directories alike (`node_modules`). */
  readonly skipNames?: readonly string[];
  /** Treat a directory that cannot be read as empty, instead of throwing. */
  readonly ignoreUnreadable?: boolean;
}

/**
 * The regular files under `dir`, recursively, as paths joined onto `dir`. The order is deterministic:
 * depth first, each directory's entries in code-unit order of their names (a subdirectory's files come
 * where its name sorts). Symbolic links are neither followed nor returned. Callers that want the paths
 * sorted as whole strings sort the result.
 */
export function walkFiles(dir: string, opts: WalkOptions = {}): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch (e) {
      if (opts.ignoreUnreadable === true) return;
      throw e;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (opts.skipHidden === true && e.name.startsWith('.')) continue;
      if (opts.skipNames?.includes(e.name) === true) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && (opts.filter === undefined || opts.filter(p))) out.push(p);
    }
  };
  walk(dir);
  return out;
}
