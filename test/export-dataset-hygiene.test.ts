/**
 * The dataset export's provenance and hygiene (issue 14; docs/dataset.md): licences from a Debian source
 * package's `debian/copyright` (DEP-5) and from SPDX comments, deduplication of identical functions by IR
 * and by normalised source, and the split by package. One gen run over eight small "packages" (module
 * directories) and two files laid out as a corpus library in a private corpus cache, exported as a user
 * does; the source package's copyright is read out of a downloaded Debian part made here (format 3.0 and
 * 1.0).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from './export-exec.js';
import { parseSplit, sourceHash, splitOf } from '../src/export/dataset-hygiene.js';
import { corpusProvenance } from '../src/toolchain/corpus.js';
import {
  copyrightLicense,
  parseCopyright,
  readPackageProvenance,
} from '../src/toolchain/corpus-provenance.js';

const COPYRIGHT = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: zlib
License: Zlib

Files: *
Copyright: 1995-2022 Jean-loup Gailly and Mark Adler
License: Zlib
 This software is provided 'as-is', without any express or implied
 warranty.

Files: contrib/*
 debian/*
Copyright: 2000 Someone
License: BSD-3-clause or GPL-2

Files: contrib/minizip/iowin32.?
License: public-domain
`;

const FILES: Record<string, string> = {
  'pa/a.c': 'int twice(int x) {\n  return 2 * x;\n}\n\nint only_a(int x) {\n  return x > 3 ? x : -x;\n}\n',
  // The same function as pa's, laid out and commented otherwise; kmul has the same text as pc's.
  'pb/b.c':
    '#define K 3\n/* doubles */\nint twice(int x)\n{\n  return 2 * x; // the same\n}\n\nint kmul(int x) {\n  return x * K;\n}\n',
  'pc/c.c': '#define K 5\nint kmul(int x) {\n  return x * K;\n}\n',
  'pd/d.c': '// SPDX-License-Identifier: Apache-2.0\nint dd(int x) {\n  return x ^ 7;\n}\n',
  // Two functions one macro line made: the same source (that line), other IR; both are kept.
  'pe/e.c':
    'int ee(int x) {\n  return x - 11;\n}\n#define GEN(n) int gen_##n(int x) { return x + n; }\n#define GEN2(a, b) GEN(a) GEN(b)\nGEN2(1, 2)\n',
  'pf/f.c': 'int ff(int x) {\n  return x * x;\n}\n',
  'pg/g.c': 'int gg(int x) {\n  return x & 12;\n}\n',
  'ph/h.c': 'int hh(int x) {\n  return x | 9;\n}\n',
};

type Row = Record<string, string | number>;
let dir = '';
let cache = '';
let corpusTop = '';
let rows: Row[] = [];
const savedCache = process.env.INPUTSMITH_CACHE;
const modules = (): string[] => [
  ...Object.keys(FILES),
  join(corpusTop, 'adler32.c'),
  join(corpusTop, 'contrib', 'minizip', 'unzip.c'),
];

const jsonl = (d: string): Row[] =>
  readFileSync(join(dir, d, 'data.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);

async function genAndExport(out: string, mods: string[], ...opts: string[]): Promise<Row[]> {
  const gen = await cli(['gen', ...mods, '-g', '-O1', '--inputs', '2', '-o', out], dir);
  expect(gen.code, gen.stderr).toBe(0);
  const ex = await cli(['export', 'dataset', out, '-o', `${out}-ds`, '--format', 'both', ...opts], dir);
  expect(ex.code, ex.stderr).toBe(0);
  return jsonl(`${out}-ds`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inputsmith-hygiene-'));
  cache = join(dir, 'cache');
  process.env.INPUTSMITH_CACHE = cache; // the CLI runs inherit it: a private corpus cache
  for (const [f, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, dirname(f)), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
  // A corpus library as fetchCorpus leaves it: the unpacked tree, and the source package's download.
  corpusTop = join(cache, 'corpus', 'src', 'zlib-r1', 'zlib-1.2.13.dfsg');
  mkdirSync(join(corpusTop, 'contrib', 'minizip'), { recursive: true });
  writeFileSync(join(corpusTop, 'adler32.c'), 'unsigned adl(unsigned a) {\n  return a % 65521u;\n}\n');
  writeFileSync(join(corpusTop, 'contrib', 'minizip', 'unzip.c'), 'int unz(int a) {\n  return a + 42;\n}\n');
  const dl = join(cache, 'corpus', 'downloads', 'zlib');
  mkdirSync(join(dl, 'debian'), { recursive: true });
  writeFileSync(join(dl, 'debian', 'copyright'), COPYRIGHT);
  execFileSync('tar', ['-czf', 'zlib_1.2.13.dfsg-1.debian.tar.gz', 'debian'], { cwd: dl });
  rmSync(join(dl, 'debian'), { recursive: true });
  writeFileSync(
    join(dl, 'zlib_1.2.13.dfsg-1.dsc'),
    '-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nFormat: 3.0 (quilt)\nSource: zlib\nVersion: 1:1.2.13.dfsg-1\n',
  );
  rows = await genAndExport('out', modules());
}, 120_000);

afterAll(() => {
  if (savedCache === undefined) delete process.env.INPUTSMITH_CACHE;
  else process.env.INPUTSMITH_CACHE = savedCache;
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const fnsOf = (rs: Row[]): string[] => [...new Set(rs.map((r) => `${r.module}:${r.function}`))].sort();

describe('export dataset: provenance', () => {
  it('reads debian/copyright out of the downloaded Debian part (3.0 tarball, 1.0 diff) and the .dsc', () => {
    const p = readPackageProvenance(join(cache, 'corpus', 'downloads', 'zlib'))!;
    expect(p).toMatchObject({ package: 'zlib', version: '1:1.2.13.dfsg-1', format: '3.0 (quilt)' });
    expect(p.copyright).toBe(COPYRIGHT);
    const old = join(dir, 'dl-1.0');
    mkdirSync(old);
    writeFileSync(join(old, 'p_1-1.dsc'), 'Format: 1.0\nSource: p\nVersion: 1-1\n');
    const diff = `--- p-1.orig/debian/control\n+++ p-1/debian/control\n@@ -0,0 +1 @@\n+Source: p\n--- p-1.orig/debian/copyright\n+++ p-1/debian/copyright\n@@ -0,0 +1,3 @@\n${COPYRIGHT.split(
      '\n',
    )
      .slice(0, 3)
      .map((l) => `+${l}`)
      .join('\n')}\n`;
    writeFileSync(join(old, 'p_1-1.diff.gz'), gzipSync(diff));
    expect(readPackageProvenance(old)!.copyright).toBe(COPYRIGHT.split('\n').slice(0, 3).join('\n') + '\n');
    // fetchCorpus keeps it beside the cache's layout.
    expect(corpusProvenance('zlib')?.version).toBe('1:1.2.13.dfsg-1');
    expect(JSON.parse(readFileSync(join(cache, 'corpus', 'provenance', 'zlib.json'), 'utf8')).package).toBe(
      'zlib',
    );
  });

  it('gives a file the License of the last DEP-5 Files paragraph matching it', () => {
    const c = parseCopyright(COPYRIGHT);
    expect(c.dep5).toBe(true);
    expect(copyrightLicense(c, 'adler32.c')).toEqual({ license: 'Zlib', via: 'debian/copyright Files: *' });
    expect(copyrightLicense(c, 'contrib/minizip/unzip.c')?.license).toBe('BSD-3-clause or GPL-2');
    expect(copyrightLicense(c, 'debian/rules')?.via).toBe('debian/copyright Files: debian/*');
    expect(copyrightLicense(c, 'contrib/minizip/iowin32.c')?.license).toBe('public-domain');
    expect(copyrightLicense(c, 'contrib/minizip/iowin32.cc')?.license).toBe('BSD-3-clause or GPL-2');
    const noFiles = parseCopyright(COPYRIGHT.split('\n\n')[0]!);
    expect(copyrightLicense(noFiles, 'x.c')).toEqual({ license: 'Zlib', via: 'debian/copyright header' });
    expect(
      copyrightLicense(parseCopyright('This is zlib, under the zlib licence.\n'), 'x.c'),
    ).toBeUndefined();
  });

  it('writes package, version, origin and licence: Debian for corpus code, SPDX or unknown otherwise', () => {
    const at = (fn: string): Row => rows.find((r) => r.function === fn)!;
    expect(at('adl')).toMatchObject({
      package: 'zlib',
      package_version: '1:1.2.13.dfsg-1',
      origin: 'zlib_1:1.2.13.dfsg-1/adler32.c',
      license: 'Zlib',
      license_source: 'debian/copyright Files: *',
    });
    expect(at('unz')).toMatchObject({
      origin: 'zlib_1:1.2.13.dfsg-1/contrib/minizip/unzip.c',
      license: 'BSD-3-clause or GPL-2',
      license_source: 'debian/copyright Files: contrib/*',
    });
    expect(at('dd')).toMatchObject({
      package: 'pd',
      package_version: '',
      origin: join(dir, 'pd', 'd.c'),
      license: 'Apache-2.0',
      license_source: 'SPDX-License-Identifier',
    });
    expect(at('ee')).toMatchObject({ package: 'pe', license: 'unknown', license_source: '' });
    const card = readFileSync(join(dir, 'out-ds', 'README.md'), 'utf8');
    expect(card).toMatch(/licences: .*Zlib \d+/);
  });
});

describe('export dataset: deduplication', () => {
  it('keeps one function of each group of the same IR or normalised source, counting the rest', () => {
    expect(fnsOf(rows)).toEqual(
      [
        'pa/a.c:twice',
        'pa/a.c:only_a',
        'pb/b.c:kmul',
        'pd/d.c:dd',
        'pe/e.c:ee',
        'pe/e.c:gen_1',
        'pe/e.c:gen_2',
        'pf/f.c:ff',
        'pg/g.c:gg',
        'ph/h.c:hh',
        `${join(corpusTop, 'adler32.c')}:adl`,
        `${join(corpusTop, 'contrib', 'minizip', 'unzip.c')}:unz`,
      ].sort(),
    );
    const dup = (fn: string): number[] => [
      ...new Set(rows.filter((r) => r.function === fn).map((r) => r.duplicates as number)),
    ];
    expect(dup('twice')).toEqual([1]);
    expect(dup('kmul')).toEqual([1]);
    expect(dup('ee')).toEqual([0]);
    expect(dup('gen_1')).toEqual([0]);
    const macro = rows.filter((r) => r.function === 'gen_1' || r.function === 'gen_2');
    expect(new Set(macro.map((r) => r.source_hash)).size).toBe(1);
    // The two kmul have the same source, not the same IR (K differs): the source hash joined them.
    const kmul = rows.find((r) => r.function === 'kmul')!;
    expect(kmul.source_hash).toBe(sourceHash('int kmul(int x) {\n  return x * K;\n}\n'));
    const card = readFileSync(join(dir, 'out-ds', 'README.md'), 'utf8');
    expect(card).toMatch(
      /duplicates dropped: 2 functions with \d+ rows, copies of 2 kept functions \(1 of them the same source with other IR\)/,
    );
  });

  it('normalises comments and layout away, and nothing else', () => {
    const a = sourceHash('int f(int x) {\n  return 2 * x; /* c */\n}\n');
    expect(sourceHash('int f(int x)\n{\n\treturn 2*x; // d\n}')).toBe(a);
    expect(sourceHash('int f(int x) { return 3 * x; }')).not.toBe(a);
    expect(sourceHash('int f(int y) { return 2 * y; }')).not.toBe(a);
    expect(sourceHash('char *s = "a  b";')).not.toBe(sourceHash('char *s = "a b";'));
    expect(sourceHash('')).toBe('');
  });

  it('keeps the same copy whatever order gen was given the modules in', async () => {
    const again = await genAndExport('rev', [...modules()].reverse());
    expect(fnsOf(again)).toEqual(fnsOf(rows));
  });
});

describe('export dataset: split by package', () => {
  it('puts every package in one split, drawn from the seed and the package alone', () => {
    const splitOfPkg = new Map<string, Set<string | number>>();
    for (const r of rows)
      splitOfPkg.set(r.package as string, (splitOfPkg.get(r.package as string) ?? new Set()).add(r.split));
    for (const [p, s] of splitOfPkg) expect(s.size, p).toBe(1);
    for (const r of rows) expect(['train', 'validation', 'test']).toContain(r.split);
    const card = readFileSync(join(dir, 'out-ds', 'README.md'), 'utf8');
    const train = rows.filter((r) => r.split === 'train');
    expect(card).toContain(
      `train ${train.length} rows of ${new Set(train.map((r) => r.package)).size} packages`,
    );
  });

  it('keeps a package in its split when packages are added or removed', async () => {
    const few = await genAndExport('few', ['pe/e.c', 'pg/g.c', join(corpusTop, 'adler32.c')]);
    const splitIn = (rs: Row[]): Map<string | number, string | number> =>
      new Map(rs.map((r) => [r.package, r.split]));
    const all = splitIn(rows);
    for (const [p, s] of splitIn(few)) expect(s, String(p)).toBe(all.get(p));
  });

  it('follows the ratio: all in one split, and close to it over many packages', async () => {
    const ex = await cli(
      ['export', 'dataset', 'out', '-o', 'all-test', '--format', 'jsonl', '--split', '0:0:1'],
      dir,
    );
    expect(ex.code, ex.stderr).toBe(0);
    expect(new Set(jsonl('all-test').map((r) => r.split))).toEqual(new Set(['test']));
    const bad = await cli(['export', 'dataset', 'out', '-o', 'x', '--split', '80:20'], dir);
    expect(bad.code).toBe(2); // a usage error
    expect(bad.stderr).toMatch(/train:validation:test/);
    const ratio = parseSplit('80:10:10');
    const n = { train: 0, validation: 0, test: 0 };
    for (let i = 0; i < 20000; i++) n[splitOf(`package-${i}`, '1', ratio)]++;
    expect(Math.abs(n.train / 20000 - 0.8)).toBeLessThan(0.02);
    expect(Math.abs(n.validation / 20000 - 0.1)).toBeLessThan(0.02);
    // Another seed draws other splits for the same packages.
    let moved = 0;
    for (let i = 0; i < 1000; i++)
      if (splitOf(`package-${i}`, '2', ratio) !== splitOf(`package-${i}`, '1', ratio)) moved++;
    expect(moved).toBeGreaterThan(100);
  });
});

describe('export dataset: a corpus of runs', () => {
  it('makes one dataset of runs made in their own directories: copies dropped across runs, one split seed', async () => {
    // One gen run per package, each where its sources are (bare file names), the second with another seed.
    for (const [pkg, seed] of [
      ['pa', '1'],
      ['pb', '7'],
      ['pc', '1'],
    ] as const) {
      const file = Object.keys(FILES)
        .find((f) => f.startsWith(`${pkg}/`))!
        .slice(3);
      const gen = await cli(
        ['gen', file, '-g', '-O1', '--inputs', '2', '--seed', seed, '-o', 'run'],
        join(dir, pkg),
      );
      expect(gen.code, gen.stderr).toBe(0);
    }
    // Exported from the parent directory: the bare paths are found beside each OUT.
    const ex = await cli(
      ['export', 'dataset', 'pa/run', 'pb/run', 'pc/run', '-o', 'corpus-ds', '--format', 'jsonl'],
      dir,
    );
    expect(ex.code, ex.stderr).toBe(0);
    const got = jsonl('corpus-ds');
    // twice (pa, pb) is kept in the first run; kmul (pb, pc) in pb, the first run holding it.
    expect(fnsOf(got)).toEqual(['a.c:only_a', 'a.c:twice', 'b.c:kmul'].sort());
    expect(ex.stdout).toMatch(/dropped \d+ rows of 2 duplicate functions/);
    expect(new Set(got.map((r) => r.package))).toEqual(new Set(['pa', 'pb']));
    // Rows run by run: pa's, then pb's.
    expect(got.map((r) => r.package)).toEqual([...got.map((r) => r.package)].sort());
    for (const r of got) expect(r.split).toBe(splitOf(r.package as string, '1', parseSplit('80:10:10')));
    const card = readFileSync(join(dir, 'corpus-ds', 'README.md'), 'utf8');
    expect(card).toContain('3 runs');
    expect(card).toContain('seed `7`');
    // One run's rows are that run's own export's rows (the first run's, which drops nothing)
    const one = await cli(['export', 'dataset', 'pa/run', '-o', 'pa-ds', '--format', 'jsonl'], dir);
    expect(one.code, one.stderr).toBe(0);
    // (but for `duplicates`: twice has a copy in pb).
    const alone = jsonl('pa-ds');
    expect(got.filter((r) => r.package === 'pa').map((r) => ({ ...r, duplicates: 0 }))).toEqual(
      alone.map((r) => ({ ...r, duplicates: 0 })),
    );
    expect(got.filter((r) => r.function === 'twice').map((r) => r.duplicates)).toEqual(
      alone.filter((r) => r.function === 'twice').map(() => 1),
    );
    // The same run twice would repeat row ids: refused, nothing written.
    const twice = await cli(['export', 'dataset', 'pa/run', 'pa/run', '-o', 'twice-ds'], dir);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toMatch(/module a\.c is in two of the runs/);
  }, 120_000);
});
