/**
 * @fileoverview Stage: export. Where a row's code comes from and under which licence, for the dataset
 * export's provenance columns (`package`, `package_version`, `origin`, `license`, `license_source`).
 *
 * Consumes: the module path as given to gen (resolved against the current directory, as the export loads
 * modules) and the function's source file from its debug information (`''` without). Produces:
 * `Provenance`, by two rules (docs/dataset.md, "Provenance"):
 *
 * - **corpus code** (the path is in the corpus cache, `corpusFileOf`, src/toolchain/corpus.ts): the
 *   package and version of the Debian source package (`corpusProvenance`), origin
 *   `<package>_<version>/<file>` with the file relative to the source tree's top, and the licence that
 *   `debian/copyright` gives that file (DEP-5: the `License:` of the last `Files:` paragraph matching it,
 *   else the header's; `copyrightLicense`, src/toolchain/corpus-provenance.ts);
 * - **other code**: package = the module's directory as given to gen (`src/net`), or the name of the
 *   directory it was read from when gen was given a bare file name (`a.c` read from /x/libfoo: `libfoo`),
 *   origin = the source file's absolute path, licence = the `SPDX-License-Identifier:` comment among the
 *   file's first lines when it has one.
 *
 * Anything else is `unknown`, as ComPile marks code whose licence it cannot tell. Memoised per package
 * and per file: rows come function by function.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { corpusFileOf, corpusProvenance } from '../toolchain/corpus.js';
import { copyrightLicense, parseCopyright, type Copyright } from '../toolchain/corpus-provenance.js';

export interface Provenance {
  readonly package: string;
  readonly packageVersion: string;
  readonly origin: string;
  readonly license: string;
  /** Where the licence was read (`debian/copyright Files: *`, `SPDX-License-Identifier`), '' for none. */
  readonly licenseSource: string;
}

export const UNKNOWN_LICENSE = 'unknown';

/** Lines of a file searched for an SPDX identifier (license headers sit at the top). */
const SPDX_LINES = 40;

interface CorpusPackage {
  readonly package: string;
  readonly version: string;
  readonly copyright: Copyright | undefined;
}

export class ProvenanceFinder {
  private readonly packages = new Map<string, CorpusPackage>();
  private readonly spdx = new Map<string, string>();

  /**
   * The provenance of a function of module `modulePath` (read from `loadedFrom`, run-dir.ts
   * `moduleBaseFrom`) whose source file is `sourceFile` ('' unknown).
   */
  of(modulePath: string, sourceFile: string, loadedFrom = modulePath): Provenance {
    const moduleFile = resolve(loadedFrom);
    const file = sourceFile !== '' ? sourceFile : moduleFile;
    const lib = corpusFileOf(moduleFile);
    if (lib !== undefined) {
      const pkg = this.corpusPackage(lib.name);
      const own = corpusFileOf(file);
      const rel = own?.name === lib.name ? own.rel : undefined;
      const lic =
        rel !== undefined && pkg.copyright !== undefined ? copyrightLicense(pkg.copyright, rel) : undefined;
      return {
        package: pkg.package,
        packageVersion: pkg.version,
        origin: rel !== undefined ? `${pkg.package}_${pkg.version}/${rel}` : file,
        license: lic?.license ?? (rel === undefined ? this.spdxOf(file) : UNKNOWN_LICENSE),
        licenseSource:
          lic?.via ??
          (rel === undefined && this.spdxOf(file) !== UNKNOWN_LICENSE ? 'SPDX-License-Identifier' : ''),
      };
    }
    const license = this.spdxOf(file);
    return {
      package: dirname(modulePath) !== '.' ? dirname(modulePath) : basename(dirname(moduleFile)),
      packageVersion: '',
      origin: file,
      license,
      licenseSource: license === UNKNOWN_LICENSE ? '' : 'SPDX-License-Identifier',
    };
  }

  private corpusPackage(name: string): CorpusPackage {
    let p = this.packages.get(name);
    if (p === undefined) {
      const prov = corpusProvenance(name);
      p = {
        package: prov?.package || name,
        version: prov?.version ?? '',
        copyright: prov === undefined || prov.copyright === '' ? undefined : parseCopyright(prov.copyright),
      };
      this.packages.set(name, p);
    }
    return p;
  }

  /** The SPDX identifier that file `path` declares near its top, else `unknown`. */
  private spdxOf(path: string): string {
    let id = this.spdx.get(path);
    if (id === undefined) {
      id = UNKNOWN_LICENSE;
      try {
        const head = readFileSync(path, 'utf8').split('\n', SPDX_LINES).join('\n');
        const m = /SPDX-License-Identifier:\s*([^\n]*?)\s*(?:\*\/)?\s*$/m.exec(head);
        if (m !== null && m[1] !== '') id = m[1]!;
      } catch {
        // An unreadable file declares nothing.
      }
      this.spdx.set(path, id);
    }
    return id;
  }
}
