import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS, corpusIR, corpusSet, corpusSpec, fetchCorpus, globFiles } from '../src/toolchain/corpus.js';
import { UserError } from '../src/util/errors.js';
import { walkFiles } from '../src/util/fsx.js';

describe('corpus table', () => {
  it('lists the development corpus, the fresh set and the C++ set of docs/toolchain.md', () => {
    expect(corpusSet('dev').map((s) => s.name)).toEqual([
      'cjson',
      'zlib',
      'lz4',
      'bzip2',
      'lua5.4',
      'libyaml',
      'pcre2',
      'libzstd',
      'sqlite3',
    ]);
    expect(corpusSet('fresh').map((s) => s.name)).toEqual([
      'json-c',
      'giflib',
      'libexif',
      'lzo2',
      'libsodium',
      'iniparser',
    ]);
    expect(corpusSet('cxx').map((s) => s.name)).toEqual([
      'tinyxml2',
      'double-conversion',
      'pugixml',
      'tinyxml',
    ]);
    // Every library is in exactly one set, and names are unique.
    expect(corpusSet('dev').length + corpusSet('fresh').length + corpusSet('cxx').length).toBe(CORPUS.length);
    expect(new Set(CORPUS.map((s) => s.name)).size).toBe(CORPUS.length);
    expect(() => corpusSpec('nosuchlib')).toThrow(UserError);
  });

  it('globFiles handles *, ** and excludes', () => {
    const d = mkdtempSync(join(tmpdir(), 'inputsmith-glob-'));
    try {
      for (const f of ['a.c', 'b.c', 'b.h', 'lib/x.c', 'lib/deep/y.c', 'lib/deep/z.txt']) {
        mkdirSync(join(d, f, '..'), { recursive: true });
        writeFileSync(join(d, f), '');
      }
      const rel = (fs: string[]): string[] => fs.map((f) => f.slice(d.length + 1));
      expect(rel(globFiles(d, ['*.c'], []))).toEqual(['a.c', 'b.c']);
      expect(rel(globFiles(d, ['lib/**/*.c'], []))).toEqual(['lib/deep/y.c', 'lib/x.c']);
      expect(rel(globFiles(d, ['**/*.c'], ['b.c', 'lib/deep/*']))).toEqual(['a.c', 'lib/x.c']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('walkFiles (util/fsx, behind globFiles): sorted depth first, with filter and skips', () => {
    const d = mkdtempSync(join(tmpdir(), 'inputsmith-walk-'));
    try {
      for (const f of ['b.c', 'a-c.c', 'a/z.c', 'a/.h.c', '.git/x.c', 'node_modules/m.c', 'B.txt']) {
        mkdirSync(join(d, f, '..'), { recursive: true });
        writeFileSync(join(d, f), '');
      }
      const rel = (fs: string[]): string[] => fs.map((f) => f.slice(d.length + 1));
      // Each directory's entries in code-unit order: 'B' < 'a' < 'a-c.c' < 'b.c' ('a/...' before 'a-c.c').
      expect(rel(walkFiles(d))).toEqual([
        '.git/x.c',
        'B.txt',
        'a/.h.c',
        'a/z.c',
        'a-c.c',
        'b.c',
        'node_modules/m.c',
      ]);
      const opts = { skipHidden: true, skipNames: ['node_modules'], filter: (p: string) => p.endsWith('.c') };
      expect(rel(walkFiles(d, opts))).toEqual(['a/z.c', 'a-c.c', 'b.c']);
      expect(() => walkFiles(join(d, 'missing'))).toThrow();
      expect(walkFiles(join(d, 'missing'), { ignoreUnreadable: true })).toEqual([]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

// The network-backed tests: cjson and json-c are small and cached in cacheDir() after the first run.
describe('fetchCorpus(cjson)', () => {
  it('downloads, unpacks and compiles cJSON; a second call reuses everything', async () => {
    const lib = await fetchCorpus('cjson', { log: () => {} });
    expect(lib.files.map((f) => basename(f))).toEqual(['cJSON.c', 'cJSON_Utils.c']);
    expect(lib.flags).toEqual(['-I.']);
    expect(statSync(join(lib.root, 'cJSON.h')).isFile()).toBe(true);

    const lls = await corpusIR(lib, 'O1');
    expect(lls).toHaveLength(2);
    const defs = lls.map((p) => (readFileSync(p, 'utf8').match(/^define /gm) ?? []).length);
    expect(defs[0]! + defs[1]!).toBe(116); // docs/toolchain.md's figure at -O1
    const mtimes = lls.map((p) => statSync(p).mtimeMs);

    const again = await fetchCorpus('cjson', { log: () => {} });
    expect(again).toEqual(lib);
    expect(await corpusIR(again, 'O1')).toEqual(lls);
    expect(lls.map((p) => statSync(p).mtimeMs)).toEqual(mtimes);
  });
});

describe('fetchCorpus(json-c)', () => {
  it('prepares the headers cmake would generate, so every library file compiles without cmake', async () => {
    const lib = await fetchCorpus('json-c', { log: () => {} });
    for (const h of ['config.h', 'json_config.h', 'json.h'])
      expect(statSync(join(lib.root, h)).isFile()).toBe(true);
    expect(readFileSync(join(lib.root, 'json.h'), 'utf8')).not.toContain('@JSON_H_JSON_POINTER@');
    const lls = await corpusIR(lib, 'O1');
    expect(lls).toHaveLength(13);
    const defs = lls.reduce((a, p) => a + (readFileSync(p, 'utf8').match(/^define /gm) ?? []).length, 0);
    expect(defs).toBe(162); // docs/toolchain.md's figure at -O1
  });
});
