/**
 * @fileoverview Stage: shared. inputsmith's own version (from package.json), for `--version` and for
 * what a generation run records about itself.
 *
 * Consumes: the package's package.json (same relative place from src/ and dist/). Produces: the version.
 */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function packageVersion(): string {
  if (cached !== undefined) return cached;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    cached = pkg.version ?? '0.0.0';
  } catch {
    cached = '0.0.0';
  }
  return cached;
}
