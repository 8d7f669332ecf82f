/**
 * @fileoverview Stage: toolchain. The real-world corpus: C libraries from Debian source packages.
 *
 * Consumes: the `CORPUS` table below, the Debian archive (deb.debian.org), clang. Produces: unpacked and
 * prepared library sources under `cacheDir()/corpus/src`, and their LLVM IR under `cacheDir()/corpus/ir`.
 *
 * How a library is fetched (docs/toolchain.md has the long form): apt-get runs with a private sources and
 * lists directory (`cacheDir()/corpus/apt`), so no system file changes; `apt-get source --download-only`
 * fetches the package; only its `.orig` tarball is unpacked, into a staging directory where the
 * preparation steps run; the finished tree is then renamed into place. A lock (one per library, plus one
 * for apt) makes concurrent processes wait for each other; the rename makes a half-prepared tree invisible.
 * The downloaded source package stays in `downloads/<pkg>/`; its name, version and `debian/copyright`
 * are kept as `provenance/<pkg>.json` (`corpusProvenance`, ./corpus-provenance.ts), and `corpusFileOf`
 * tells which library and which file of its source tree a path of the cache is.
 */

import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { UserError } from '../util/errors.js';
import { hashParts, walkFiles, withLock, writeFileAtomic } from '../util/fsx.js';
import { coreCount, mapLimit } from '../util/concurrency.js';
import { run, which, type RunOptions } from '../util/proc.js';
import { cacheDir } from './cache.js';
import { compileToIR, type OptLevel } from './compile.js';
import { findToolchain } from './find.js';
import { readPackageProvenance, type PackageProvenance } from './corpus-provenance.js';

export type CorpusOpt = 'O0' | 'O1' | 'O2' | 'O3';

/** What a preparation step may use. */
export interface PrepContext {
  /** The unpacked tarball's top directory (in staging). */
  top: string;
  /** Run a command, output to the library's log file; throws `UserError` on failure. */
  sh(cmd: string, args: readonly string[], cwd: string): Promise<void>;
}

/**
 * Which set a library belongs to: `dev` is the development corpus (figures in docs/benchmarks.md, tuned
 * on); `fresh` is a second set nobody tunes on (issue 12), measured to see how the tool does on new code;
 * `cxx` are C++ libraries (issue 13's C++ set: GoogleTest export, docs/tests.md).
 */
export type CorpusSet = 'dev' | 'fresh' | 'cxx';

export interface CorpusSpec {
  /** Debian source package name (also the corpus name). */
  readonly name: string;
  readonly set: CorpusSet;
  /** Directory clang runs from, relative to the tarball's top directory. */
  readonly dir: string;
  /** Library source files: glob patterns relative to `dir` (`*` within a name, `**` across directories). */
  readonly files: readonly string[];
  /** Patterns (relative to `dir`) removed from `files`. */
  readonly exclude?: readonly string[];
  /** clang flags, relative paths meant from `dir`. */
  readonly flags: readonly string[];
  /** Bump when `prepare` (or `dir`) changes: a new revision is prepared in a fresh directory. */
  readonly rev: number;
  /** Tools the preparation needs, with the Debian package providing each (installed when root). */
  readonly needs?: readonly { tool: string; pkg: string }[];
  readonly prepare?: (ctx: PrepContext) => Promise<void>;
}

export interface CorpusLib {
  name: string;
  /** Directory to run clang from. */
  root: string;
  /** Absolute paths of the library's .c files, sorted. */
  files: string[];
  flags: string[];
  /** The unpacked tarball's top directory. */
  top: string;
}

const SQLITE_FLAGS = [
  '-D_HAVE_SQLITE_CONFIG_H',
  '-DSQLITE_CORE',
  '-DSQLITE_ENABLE_FTS3',
  '-DSQLITE_ENABLE_FTS5',
  '-DSQLITE_ENABLE_RTREE',
];

export const CORPUS: readonly CorpusSpec[] = [
  { name: 'cjson', set: 'dev', dir: '.', files: ['cJSON.c', 'cJSON_Utils.c'], flags: ['-I.'], rev: 1 },
  {
    name: 'zlib',
    set: 'dev',
    dir: '.',
    files: ['*.c'],
    flags: ['-I.', '-DHAVE_UNISTD_H', '-DHAVE_STDARG_H', '-D_LARGEFILE64_SOURCE=1'],
    rev: 1,
  },
  { name: 'lz4', set: 'dev', dir: 'lib', files: ['*.c'], flags: ['-I.'], rev: 1 },
  {
    name: 'bzip2',
    set: 'dev',
    dir: '.',
    files: ['*.c'],
    exclude: ['dlltest.c', 'unzcrash.c', 'spewG.c', 'mk251.c'],
    flags: ['-I.', '-D_FILE_OFFSET_BITS=64'],
    rev: 1,
  },
  { name: 'lua5.4', set: 'dev', dir: 'src', files: ['*.c'], flags: ['-I.', '-DLUA_USE_LINUX'], rev: 1 },
  {
    name: 'libyaml',
    set: 'dev',
    dir: '.',
    files: ['src/*.c'],
    flags: [
      '-Iinclude',
      '-Isrc',
      '-DYAML_VERSION_MAJOR=0',
      '-DYAML_VERSION_MINOR=2',
      '-DYAML_VERSION_PATCH=5',
      '-DYAML_VERSION_STRING="0.2.5"',
    ],
    rev: 1,
  },
  {
    name: 'pcre2',
    set: 'dev',
    dir: 'src',
    files: ['pcre2_*.c', 'pcre2posix.c'],
    // Included by other files, test programs and generators: not library translation units.
    exclude: [
      'pcre2_jit_match.c',
      'pcre2_jit_misc.c',
      'pcre2_ucptables.c',
      'pcre2_printint.c',
      'pcre2_dftables.c',
      'pcre2_fuzzsupport.c',
      'pcre2_jit_test.c',
    ],
    flags: ['-I.', '-DHAVE_CONFIG_H', '-DPCRE2_CODE_UNIT_WIDTH=8'],
    rev: 1,
    prepare: async ({ top }) => {
      const src = join(top, 'src');
      copyFileSync(join(src, 'config.h.generic'), join(src, 'config.h'));
      copyFileSync(join(src, 'pcre2.h.generic'), join(src, 'pcre2.h'));
      copyFileSync(join(src, 'pcre2_chartables.c.dist'), join(src, 'pcre2_chartables.c'));
    },
  },
  {
    name: 'libzstd',
    set: 'dev',
    dir: '.',
    files: ['lib/**/*.c'],
    flags: [
      '-Ilib',
      '-Ilib/common',
      '-Ilib/legacy',
      '-DZSTD_MULTITHREAD',
      '-DXXH_NAMESPACE=ZSTD_',
      '-DZSTD_LEGACY_SUPPORT=5',
      '-DZSTD_DISABLE_ASM',
    ],
    rev: 1,
  },
  {
    name: 'sqlite3',
    set: 'dev',
    dir: 'bld/tsrc',
    files: ['*.c'],
    exclude: ['geopoly.c', 'tclsqlite.c'], // included by rtree.c; the Tcl binding (needs tcl.h)
    flags: ['-I.', '-I..', '-I../../ext/rtree', ...SQLITE_FLAGS],
    rev: 1,
    needs: [
      { tool: 'tclsh', pkg: 'tcl' },
      { tool: 'make', pkg: 'make' },
    ],
    prepare: async ({ top, sh }) => {
      const bld = join(top, 'bld');
      mkdirSync(bld);
      const cc = findToolchain().clang;
      await sh('../configure', [`CC=${cc}`, '--disable-tcl'], bld);
      await sh('make', [`-j${coreCount()}`, '.target_source'], bld);
      // The amalgamation: one large module (for parser benchmarks).
      await sh('make', [`-j${coreCount()}`, 'sqlite3.c'], bld);
    },
  },
  // ---- The fresh set (issue 12): nobody tunes on these. No configure/cmake run: where a library needs
  // generated headers, its preparation writes the few it needs for Linux/glibc x86-64 by hand.
  {
    // cmake would generate config.h, json_config.h and json.h: written here with what cmake finds on
    // glibc (every header and function present, `__thread`), json.h from json.h.cmakein with json_pointer.h.
    // The 13 files of CMakeLists.txt's JSON_C_SOURCES (libjson.c is an unused stub, not in the library).
    name: 'json-c',
    set: 'fresh',
    dir: '.',
    files: [
      'arraylist.c',
      'debug.c',
      'json_c_version.c',
      'json_object.c',
      'json_object_iterator.c',
      'json_pointer.c',
      'json_tokener.c',
      'json_util.c',
      'json_visit.c',
      'linkhash.c',
      'printbuf.c',
      'random_seed.c',
      'strerror_override.c',
    ],
    flags: ['-I.', '-D_GNU_SOURCE'],
    rev: 1,
    prepare: async ({ top }) => {
      writeFileSync(join(top, 'config.h'), JSON_C_CONFIG);
      writeFileSync(join(top, 'json_config.h'), '#define JSON_C_HAVE_INTTYPES_H 1\n');
      const jsonH = readFileSync(join(top, 'json.h.cmakein'), 'utf8');
      writeFileSync(join(top, 'json.h'), jsonH.replace('@JSON_H_JSON_POINTER@', '#include "json_pointer.h"'));
    },
  },
  {
    // No generated header: the Makefile's libgif SOURCES (not the utilities' qprintf, quantize, getarg).
    name: 'giflib',
    set: 'fresh',
    dir: '.',
    files: [
      'dgif_lib.c',
      'egif_lib.c',
      'gifalloc.c',
      'gif_err.c',
      'gif_font.c',
      'gif_hash.c',
      'openbsd-reallocarray.c',
    ],
    flags: ['-I.'],
    rev: 1,
  },
  {
    // configure would write config.h and libexif/_stdint.h: config.h without NLS (so `_()` is the
    // identity and no gettext call remains) and with localtime_r; _stdint.h includes <stdint.h>, as
    // configure does on glibc. Every .c under libexif/ (the maker notes' subdirectories included).
    name: 'libexif',
    set: 'fresh',
    dir: '.',
    files: ['libexif/**/*.c'],
    flags: ['-I.'],
    rev: 1,
    prepare: async ({ top }) => {
      writeFileSync(
        join(top, 'config.h'),
        '#define GETTEXT_PACKAGE "libexif-12"\n#define LOCALEDIR "/usr/share/locale"\n' +
          '#define HAVE_LOCALTIME_R 1\n#define PACKAGE "libexif"\n#define VERSION "0.6.24"\n',
      );
      writeFileSync(join(top, 'libexif', '_stdint.h'), '#include <stdint.h>\n');
    },
  },
  {
    // No config.h: without LZO_HAVE_CONFIG_H, lzo_conf.h detects the platform itself. src/*.c is exactly
    // Makefile.am's liblzo2 sources (67 files); the optional i386 assembler sources are not used.
    name: 'lzo2',
    set: 'fresh',
    dir: '.',
    files: ['src/*.c'],
    flags: ['-Iinclude', '-I.'],
    rev: 1,
  },
  {
    // configure would write sodium/version.h (from version.h.in) and pass -D flags: here version.h is
    // filled in by hand and the flags name only what the portable C needs (little endian, 128-bit
    // integers for the ref10 field arithmetic). No HAVE_*INTRIN_H / HAVE_AMD64_ASM / HAVE_CPUID, so the
    // SSE/AVX/AES-NI files compile to nothing and the portable reference implementations are measured.
    name: 'libsodium',
    set: 'fresh',
    dir: 'src/libsodium',
    files: ['**/*.c'],
    flags: [
      '-Iinclude',
      '-Iinclude/sodium',
      '-DNATIVE_LITTLE_ENDIAN=1',
      '-DHAVE_TI_MODE=1',
      '-D_GNU_SOURCE',
      '-DCONFIGURED=1',
    ],
    rev: 1,
    prepare: async ({ top }) => {
      const h = join(top, 'src', 'libsodium', 'include', 'sodium', 'version');
      const text = readFileSync(`${h}.h.in`, 'utf8')
        .replace('@VERSION@', '1.0.18')
        .replace('@SODIUM_LIBRARY_VERSION_MAJOR@', '10')
        .replace('@SODIUM_LIBRARY_VERSION_MINOR@', '3')
        .replace('@SODIUM_LIBRARY_MINIMAL_DEF@', '');
      writeFileSync(`${h}.h`, text);
    },
  },
  // ---- The C++ set (issue 13): C++ library code that builds file by file without a configure step.
  {
    name: 'tinyxml2',
    set: 'cxx',
    dir: '.',
    files: ['tinyxml2.cpp'],
    flags: ['-I.'],
    rev: 1,
  },
  {
    name: 'double-conversion',
    set: 'cxx',
    dir: '.',
    files: ['double-conversion/*.cc'],
    flags: ['-I.'],
    rev: 1,
  },
  {
    // Without the STL parts (a documented configuration): no std::string in the interface.
    name: 'pugixml',
    set: 'cxx',
    dir: 'src',
    files: ['pugixml.cpp'],
    flags: ['-I.', '-DPUGIXML_NO_STL'],
    rev: 1,
  },
  {
    // TinyXML 1 with its own string class (TIXML_USE_STL undefined, as the Debian build).
    name: 'tinyxml',
    set: 'cxx',
    dir: '.',
    files: ['tinyxml.cpp', 'tinystr.cpp', 'tinyxmlerror.cpp', 'tinyxmlparser.cpp'],
    flags: ['-I.'],
    rev: 1,
  },
  {
    // No generated header: src/dictionary.c and src/iniparser.c.
    name: 'iniparser',
    set: 'fresh',
    dir: 'src',
    files: ['*.c'],
    flags: ['-I.'],
    rev: 1,
  },
];

/** json-c's config.h as cmake writes it on Linux/glibc x86-64 (see the json-c spec). */
const JSON_C_CONFIG = [
  ...[
    'DLFCN_H',
    'ENDIAN_H',
    'FCNTL_H',
    'INTTYPES_H',
    'LIMITS_H',
    'LOCALE_H',
    'MEMORY_H',
    'STDARG_H',
    'STDINT_H',
    'STDLIB_H',
    'STRINGS_H',
    'STRING_H',
    'SYSLOG_H',
    'SYS_CDEFS_H',
    'SYS_PARAM_H',
    'SYS_RANDOM_H',
    'SYS_RESOURCE_H',
    'SYS_STAT_H',
    'SYS_TYPES_H',
    'UNISTD_H',
    'ATOMIC_BUILTINS',
    'DECL_INFINITY',
    'DECL_ISINF',
    'DECL_ISNAN',
    'DECL_NAN',
    'OPEN',
    'REALLOC',
    'SETLOCALE',
    'SNPRINTF',
    'STRCASECMP',
    'STRDUP',
    'STRERROR',
    'STRNCASECMP',
    'USELOCALE',
    'VASPRINTF',
    'VPRINTF',
    'VSNPRINTF',
    'VSYSLOG',
    'GETRANDOM',
    'GETRUSAGE',
    'STRTOLL',
    'STRTOULL',
    '__THREAD',
  ].map((h) => `#define HAVE_${h} 1`),
  '#define SPEC___THREAD __thread',
  '#define JSON_C_HAVE_INTTYPES_H 1',
  '#define PACKAGE "json-c"',
  '#define PACKAGE_NAME "json-c"',
  '#define PACKAGE_VERSION "0.16.0"',
  '#define VERSION "0.16.0"',
  '#define STDC_HEADERS 1',
  ...['INT 4', 'INT64_T 8', 'LONG 8', 'LONG_LONG 8', 'SIZE_T 8', 'SSIZE_T 8'].map(
    (x) => `#define SIZEOF_${x}`,
  ),
  '',
].join('\n');

/** The libraries of one set, in table order. */
export function corpusSet(set: CorpusSet): CorpusSpec[] {
  return CORPUS.filter((s) => s.set === set);
}

/** The spec of a corpus library; `UserError` naming the known ones otherwise. */
export function corpusSpec(name: string): CorpusSpec {
  const spec = CORPUS.find((s) => s.name === name);
  if (spec === undefined) {
    throw new UserError(`unknown corpus library ${name}; known: ${CORPUS.map((s) => s.name).join(', ')}`);
  }
  return spec;
}

export function corpusDir(): string {
  return join(cacheDir(), 'corpus');
}

export interface FetchOptions {
  /** Progress lines (one per download or preparation); default: stderr. */
  log?: (line: string) => void;
}

const defaultLog = (line: string): void => {
  process.stderr.write(`inputsmith: ${line}\n`);
};

/** Download, unpack and prepare a corpus library (once; later calls return the cached tree). */
export async function fetchCorpus(name: string, opts: FetchOptions = {}): Promise<CorpusLib> {
  const spec = corpusSpec(name);
  const final = join(corpusDir(), 'src', `${spec.name}-r${spec.rev}`);
  if (!existsSync(final)) {
    await withLock(join(corpusDir(), 'locks', spec.name), async () => {
      if (!existsSync(final)) await fetchAndPrepare(spec, final, opts.log ?? defaultLog);
    });
  }
  corpusProvenance(spec.name);
  return describe(spec, final);
}

/**
 * The Debian source package of corpus library `name` (package, version, `debian/copyright`): read once
 * from the downloaded package and kept as `provenance/<name>.json`; undefined when neither is in the
 * cache (the library was never fetched here).
 */
export function corpusProvenance(name: string): PackageProvenance | undefined {
  const file = join(corpusDir(), 'provenance', `${name}.json`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PackageProvenance;
  } catch {
    const p = readPackageProvenance(join(corpusDir(), 'downloads', name));
    if (p === undefined) return undefined;
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, `${JSON.stringify(p, null, 1)}\n`);
    return p;
  }
}

/**
 * The corpus library and the file of its source tree (relative to the tarball's top directory, as
 * `debian/copyright` names files) that a path of the corpus cache is: a source under `src/<lib>-r<rev>/`,
 * or a `.ll` that `corpusIR` wrote under `ir/<lib>-r<rev>/<opt-key>/` (the `.c` it was compiled from).
 */
export function corpusFileOf(path: string): { name: string; rel: string } | undefined {
  for (const kind of ['src', 'ir'] as const) {
    const rel = relative(join(corpusDir(), kind), path);
    if (rel.startsWith('..') || rel.startsWith('/')) continue;
    const parts = rel.split('/');
    const m = /^(.+)-r\d+$/.exec(parts[0] ?? '');
    const spec = m === null ? undefined : CORPUS.find((s) => s.name === m[1]);
    if (spec === undefined || parts.length < 3) continue;
    if (kind === 'src') return { name: spec.name, rel: parts.slice(2).join('/') };
    const file = join(spec.dir, parts.slice(2).join('/')).replace(/\.ll$/, '.c');
    return { name: spec.name, rel: file };
  }
  return undefined;
}

function describe(spec: CorpusSpec, final: string): CorpusLib {
  const entries = readdirSync(final).filter((e) => !e.startsWith('.'));
  if (entries.length !== 1) throw new UserError(`corrupt corpus directory ${final}; remove it and retry`);
  const top = join(final, entries[0] as string);
  const root = join(top, spec.dir);
  const files = globFiles(root, spec.files, spec.exclude ?? []);
  if (files.length === 0) throw new UserError(`corpus library ${spec.name}: no source files in ${root}`);
  return { name: spec.name, root, files, flags: [...spec.flags], top };
}

async function fetchAndPrepare(spec: CorpusSpec, final: string, log: (line: string) => void): Promise<void> {
  const logDir = join(corpusDir(), 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${spec.name}.log`);
  const sh = async (
    cmd: string,
    args: readonly string[],
    cwd: string,
    extra: RunOptions = {},
  ): Promise<void> => {
    const r = await run(cmd, args, { cwd, logFile, ...extra });
    if (r.code !== 0) {
      throw new UserError(
        `corpus ${spec.name}: \`${cmd} ${args.join(' ')}\` failed (exit ${r.code}); see ${logFile}`,
      );
    }
  };
  for (const need of spec.needs ?? []) await ensureTool(need.tool, need.pkg, spec.name, sh);

  const tarball = await downloadOrig(spec.name, sh, log);
  log(`preparing corpus library ${spec.name} (once; log in ${logFile})`);
  const staging = `${final}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await sh('tar', ['-xf', tarball], staging);
    const entries = readdirSync(staging);
    if (entries.length !== 1)
      throw new UserError(`corpus ${spec.name}: ${tarball} has no single top directory`);
    const top = join(staging, entries[0] as string);
    if (spec.prepare !== undefined) await spec.prepare({ top, sh: (c, a, cwd) => sh(c, a, cwd) });
    renameSync(staging, final);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Install a missing tool from Debian when root (like scripts/setup.mjs does for clang), else explain. */
async function ensureTool(
  tool: string,
  pkg: string,
  lib: string,
  sh: (cmd: string, args: readonly string[], cwd: string, extra?: RunOptions) => Promise<void>,
): Promise<void> {
  if (which(tool) !== undefined) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || which('apt-get') === undefined) {
    throw new UserError(`corpus library ${lib} needs ${tool}; install it (apt-get install ${pkg})`);
  }
  defaultLog(`installing ${pkg} (needed by corpus library ${lib}) with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], corpusDir(), { env });
  if (which(tool) === undefined) throw new UserError(`installed ${pkg} but ${tool} is still not on PATH`);
}

/** The private apt configuration: apt reads and writes only below `corpusDir()/apt`. */
function aptArgs(): string[] {
  const apt = join(corpusDir(), 'apt');
  return [
    '-o',
    'Dir::Etc::SourceList=/dev/null',
    '-o',
    `Dir::Etc::SourceParts=${apt}/sources`,
    '-o',
    `Dir::State::Lists=${apt}/lists`,
    '-o',
    `Dir::Cache=${apt}/cache`,
    '-o',
    'APT::Sandbox::User=root',
  ];
}

const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

function findOrig(dir: string, pkg: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const f = readdirSync(dir).find(
    (e) => e.startsWith(`${pkg}_`) && /\.orig\.tar\.(gz|xz|bz2|lzma|zst)$/.test(e),
  );
  return f === undefined ? undefined : join(dir, f);
}

/** Download the source package (once) and return its .orig tarball. */
async function downloadOrig(
  pkg: string,
  sh: (cmd: string, args: readonly string[], cwd: string) => Promise<void>,
  log: (line: string) => void,
): Promise<string> {
  const dl = join(corpusDir(), 'downloads', pkg);
  const have = findOrig(dl, pkg);
  if (have !== undefined) return have;
  if (which('apt-get') === undefined) {
    throw new UserError(`downloading the corpus needs apt-get (Debian/Ubuntu); cannot fetch ${pkg}`);
  }
  if (!existsSync(KEYRING)) {
    throw new UserError(`${KEYRING} not found; install debian-archive-keyring to fetch the corpus`);
  }
  return withLock(join(corpusDir(), 'locks', 'apt'), async () => {
    const apt = join(corpusDir(), 'apt');
    mkdirSync(join(apt, 'sources'), { recursive: true });
    mkdirSync(join(apt, 'lists', 'partial'), { recursive: true });
    mkdirSync(join(apt, 'cache', 'archives', 'partial'), { recursive: true });
    const sources = join(apt, 'sources', 'debian-src.sources');
    if (!existsSync(sources)) {
      writeFileAtomic(
        sources,
        'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\n' +
          `Signed-By: ${KEYRING}\n`,
      );
    }
    const update = (): Promise<void> => sh('apt-get', [...aptArgs(), 'update'], apt);
    const haveLists = readdirSync(join(apt, 'lists')).some((e) => e.includes('Sources'));
    if (!haveLists) {
      log(`downloading the Debian source index (once, into ${apt})`);
      await update();
    }
    log(`downloading Debian source package ${pkg} (once, into ${dl})`);
    const staging = `${dl}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    const source = (): Promise<void> =>
      sh('apt-get', [...aptArgs(), 'source', '--download-only', pkg], staging);
    try {
      try {
        await source();
      } catch {
        // The index may be stale (the archive dropped an old version): refresh once and retry.
        await update();
        await source();
      }
      rmSync(dl, { recursive: true, force: true });
      mkdirSync(dirname(dl), { recursive: true });
      renameSync(staging, dl);
    } catch (e) {
      rmSync(staging, { recursive: true, force: true });
      throw e;
    }
    const orig = findOrig(dl, pkg);
    if (orig === undefined) throw new UserError(`source package ${pkg} has no .orig tarball`);
    return orig;
  });
}

// ---------------------------------------------------------------------------------------------------------
// File patterns

function patternRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*' && pattern[i + 2] === '/') {
      re += '(?:.*/)?';
      i += 2;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Files under `root` matching any of `include` and none of `exclude`; absolute, sorted. */
export function globFiles(root: string, include: readonly string[], exclude: readonly string[]): string[] {
  const all = walkFiles(root).map((p) => relative(root, p));
  const inc = include.map(patternRegex);
  const exc = exclude.map(patternRegex);
  return all
    .filter((f) => inc.some((r) => r.test(f)) && !exc.some((r) => r.test(f)))
    .sort()
    .map((f) => join(root, f));
}

// ---------------------------------------------------------------------------------------------------------
// IR

/** The IR directory for a library at an optimization level; its name hashes the flags and the clang used. */
function irDir(lib: CorpusLib, opt: OptLevel, flags: readonly string[]): string {
  const tc = findToolchain();
  const key = hashParts([tc.clang, String(tc.version), opt, ...flags]).slice(0, 12);
  return join(corpusDir(), 'ir', basename(dirname(lib.top)), `${opt}-${key}`);
}

function newer(a: string, b: string): boolean {
  try {
    return statSync(a).mtimeMs >= statSync(b).mtimeMs;
  } catch {
    return false;
  }
}

/** Compile every library file to .ll in the cache (up-to-date ones are skipped); returns the .ll paths. */
export async function corpusIR(lib: CorpusLib, opt: CorpusOpt): Promise<string[]> {
  const dir = irDir(lib, opt, lib.flags);
  const outs = lib.files.map((f) => join(dir, relative(lib.root, f).replace(/\.c$/, '.ll')));
  await mapLimit(lib.files, coreCount(), async (file, i) => {
    const out = outs[i] as string;
    if (newer(out, file)) return;
    await compileToIR(file, out, { opt, extraFlags: lib.flags, cwd: lib.root });
  });
  return outs;
}

/** sqlite3's amalgamation (one ~9 MB C file) compiled to one large .ll, for parser benchmarks. */
export async function sqliteAmalgamationIR(opt: CorpusOpt): Promise<string> {
  const lib = await fetchCorpus('sqlite3');
  const bld = join(lib.top, 'bld');
  const src = join(bld, 'sqlite3.c');
  const flags = ['-I.', ...SQLITE_FLAGS];
  const out = join(irDir(lib, opt, flags), 'amalgamation', 'sqlite3.ll');
  if (!newer(out, src)) await compileToIR(src, out, { opt, extraFlags: flags, cwd: bld });
  return out;
}
