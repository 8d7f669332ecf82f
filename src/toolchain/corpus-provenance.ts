/**
 * @fileoverview Stage: toolchain. Where a corpus library's code comes from and under which licence: the
 * Debian source package's name and version and its `debian/copyright`, and the licence of one file of it
 * by that file (DEP-5, the machine-readable copyright format).
 *
 * Consumes: the source package as `apt-get source --download-only` left it in the corpus cache's
 * `downloads/<pkg>/` (src/toolchain/corpus.ts keeps it there: the `.dsc`, the `.orig` tarball and the
 * Debian part, `<pkg>_<version>.debian.tar.*` for source format 3.0 or `<pkg>_<version>.diff.gz` for
 * 1.0). Only the `.orig` tarball is unpacked for the corpus, so `debian/copyright` is read out of the
 * Debian part: `tar -xOf` of the tarball, or the lines the diff adds to `debian/copyright`.
 *
 * Produces: `PackageProvenance` (package, version, source format, the copyright text), which
 * `corpusProvenance` (corpus.ts) keeps as `provenance/<pkg>.json` in the corpus cache (a file beside the
 * existing layout, so no corpus revision changes); `parseCopyright` and `copyrightLicense`: the
 * `License:` of the last `Files:` paragraph whose patterns match a path (DEP-5: patterns are relative to
 * the source tree's root, `*` and `?` match any characters including `/`, the last match wins), else the
 * header paragraph's `License:`, else none. A copyright file that is not DEP-5 names no licence here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** What the Debian source package says about itself. */
export interface PackageProvenance {
  /** The `Source:` of the .dsc (the corpus name). */
  readonly package: string;
  /** The `Version:` of the .dsc (`1:1.2.13.dfsg-1`). */
  readonly version: string;
  /** The .dsc's `Format:` (`3.0 (quilt)`, `1.0`). */
  readonly format: string;
  /** The text of `debian/copyright`; '' when the package has none. */
  readonly copyright: string;
}

/** Fields of a deb822 paragraph, names lower-cased, continuation lines joined with '\n'. */
type Paragraph = Map<string, string>;

/** The paragraphs of a deb822 text (a .dsc, a copyright file); comment lines (`#`) are left out. */
export function deb822(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let cur: Paragraph | undefined;
  let last = '';
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      cur = undefined;
      continue;
    }
    if (line.startsWith('#') || line.startsWith('-----') || line.startsWith('Hash:')) continue;
    if (/^[ \t]/.test(line)) {
      if (cur !== undefined && last !== '') cur.set(last, `${cur.get(last) ?? ''}\n${line.trim()}`);
      continue;
    }
    const m = /^([^:\s]+):[ \t]*(.*)$/.exec(line);
    if (m === null) continue;
    if (cur === undefined) out.push((cur = new Map()));
    last = m[1]!.toLowerCase();
    cur.set(last, m[2]!.trim());
  }
  return out;
}

/** The provenance of the source package downloaded into `dir`, or undefined when its .dsc is missing. */
export function readPackageProvenance(dir: string): PackageProvenance | undefined {
  if (!existsSync(dir)) return undefined;
  const names = readdirSync(dir).sort();
  const dsc = names.find((n) => n.endsWith('.dsc'));
  if (dsc === undefined) return undefined;
  const fields = deb822(readFileSync(join(dir, dsc), 'utf8')).find((p) => p.has('source'));
  if (fields === undefined) return undefined;
  const tar = names.find((n) => /\.debian\.tar\.(xz|gz|bz2|lzma|zst)$/.test(n));
  const diff = names.find((n) => n.endsWith('.diff.gz'));
  let copyright = '';
  if (tar !== undefined) {
    const r = spawnSync('tar', ['-xOf', join(dir, tar), 'debian/copyright'], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (r.status === 0) copyright = r.stdout;
  } else if (diff !== undefined) {
    copyright = addedFile(gunzipSync(readFileSync(join(dir, diff))).toString('utf8'), 'debian/copyright');
  }
  return {
    package: fields.get('source') ?? '',
    version: fields.get('version') ?? '',
    format: fields.get('format') ?? '',
    copyright,
  };
}

/** The text a unified diff gives file `path` (relative to the tree's top) that it adds; '' when none. */
function addedFile(diff: string, path: string): string {
  const lines = diff.split('\n');
  const start = lines.findIndex((l) => l.startsWith('+++ ') && l.split(/\s/)[1]!.endsWith(`/${path}`));
  if (start < 0) return '';
  const out: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.startsWith('--- ') || l.startsWith('diff ')) break;
    if (l.startsWith('+')) out.push(l.slice(1));
  }
  return out.length === 0 ? '' : `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// DEP-5

/** A parsed `debian/copyright`. */
export interface Copyright {
  /** It declares the machine-readable format (copyright-format/1.0). */
  readonly dep5: boolean;
  /** The header paragraph's `License:` short name, '' when none. */
  readonly headerLicense: string;
  readonly files: readonly { readonly patterns: readonly string[]; readonly license: string }[];
}

export function parseCopyright(text: string): Copyright {
  const ps = deb822(text);
  const head = ps[0];
  const dep5 = head !== undefined && /copyright-format\/1\.0/.test(head.get('format') ?? '');
  const short = (p: Paragraph): string => (p.get('license') ?? '').split('\n')[0]!.trim();
  return {
    dep5,
    headerLicense: dep5 && head !== undefined ? short(head) : '',
    files: dep5
      ? ps
          .filter((p) => p.has('files'))
          .map((p) => ({ patterns: p.get('files')!.split(/\s+/).filter(Boolean), license: short(p) }))
      : [],
  };
}

function dep5Regex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
    else if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}

/** Which licence a copyright file gives `rel` (a path relative to the source tree's root), and where it says so. */
export function copyrightLicense(c: Copyright, rel: string): { license: string; via: string } | undefined {
  if (!c.dep5) return undefined;
  for (let k = c.files.length - 1; k >= 0; k--) {
    const f = c.files[k]!;
    const hit = f.patterns.find((p) => dep5Regex(p).test(rel));
    if (hit !== undefined && f.license !== '')
      return { license: f.license, via: `debian/copyright Files: ${hit}` };
  }
  if (c.headerLicense !== '') return { license: c.headerLicense, via: 'debian/copyright header' };
  return undefined;
}
