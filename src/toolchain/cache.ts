/**
 * @fileoverview Stage: toolchain. Where inputsmith keeps what it builds once and reuses: compiled IR,
 * the downloaded real-world corpus.
 *
 * Consumes: the environment. Produces: the cache directory path, outside the repository so that clean
 * clones (CI) reuse it: `$INPUTSMITH_CACHE`, else `$XDG_CACHE_HOME/inputsmith`, else `~/.cache/inputsmith`.
 */

import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The cache root (not created here; writers create what they need below it). */
export function cacheDir(): string {
  const own = process.env.INPUTSMITH_CACHE;
  if (own !== undefined && own !== '') return resolve(own);
  const xdg = process.env.XDG_CACHE_HOME;
  if (xdg !== undefined && xdg !== '') return join(resolve(xdg), 'inputsmith');
  return join(homedir(), '.cache', 'inputsmith');
}
