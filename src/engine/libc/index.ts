/**
 * @fileoverview Stage: engine (libc models). Registers every C library model: importing this module for its
 * side effects fills the external-function table (src/engine/externals.ts) with the models of string.h,
 * stdlib.h, stdio.h, unistd.h (file descriptors), dirent.h, pthread.h (one thread), ctype.h, math.h, errno.h, assert.h,
 * time.h and friends.
 *
 * Consumes: nothing. Produces: the registrations, the attributes of the models generation treats apart
 * (environment inputs, OS calls, comparisons, stream writers; `externalAttrs`), and re-exports of the
 * pieces other stages use directly (the formatter, the parsers, the virtual file system).
 */
import './errno.js';
import './ctype.js';
import './string.js';
import './stdlib.js';
import './stdio.js';
import './unistd.js';
import './dirent.js';
import './pthread.js';
import './math.js';
import './time.js';
import './misc.js';
import './cxxabi.js';
import './rust.js';
import { registerExternalAttrs, type ExternalAttrs } from '../externals.js';

export { formatPrintf, type VarArgs, type FormatMemory } from './printf.js';
export { performScanf } from './scanf.js';
export { parseDouble, parseFloat32, parseFp80, parseInteger } from './strto.js';
export { setVirtualFiles, readVirtualFile, VIRTUAL_CWD } from './fs.js';
export { MATH_F64_1, MATH_F64_2 } from './math.js';
export { errnoMessage } from './errno.js';

/**
 * Operating-system calls that generation stubs although they are modelled here (for `inputsmith run`):
 * file metadata, directories, the working directory, descriptor duplication and control, threads, users
 * and ids, resource usage, the clocks that answer through a pointer (`gettimeofday`, `clock_gettime`: as
 * stubs they leave the struct as it was, natively too). What they answer is the machine's state, not the
 * function's: as inputs (results recorded in `calls`, mutable, returned by the native driver's stubs) a
 * function sees both success and failure, and native replay does not depend on the real file system or
 * on real threads. Calls that would change the machine natively (running a shell command, removing or
 * renaming files, setting an alarm) are stubs for the same reason and for safety: a native replay runs
 * the module's code with real system calls, on generated arguments (which include the program's own
 * string constants). Unmodelled calls (`link`, `symlink`, `renameat`...) are stubs in generation anyway;
 * a model added for a call that changes the machine must be listed here.
 */
const OS_CALLS = (
  'stat stat64 lstat lstat64 fstat fstat64 fstatat fstatat64 __xstat __xstat64 __lxstat __lxstat64 __fxstat ' +
  '__fxstat64 fcntl fcntl64 pread pread64 pwrite pwrite64 truncate truncate64 ftruncate ftruncate64 fsync ' +
  'fdatasync sync eaccess euidaccess faccessat getcwd get_current_dir_name chdir fchdir mkdir mkdirat rmdir ' +
  'unlinkat umask chmod fchmod chown fchown lchown utime utimes readlink dup dup2 dup3 opendir fdopendir ' +
  'readdir readdir64 rewinddir dirfd closedir getpwnam getrusage pthread_create pthread_detach pthread_join ' +
  'pthread_equal pthread_self pthread_mutex_init pthread_mutex_destroy pthread_mutex_lock ' +
  'pthread_mutex_trylock pthread_mutex_unlock pthread_mutexattr_init pthread_mutexattr_destroy ' +
  'pthread_mutexattr_settype pthread_mutexattr_gettype system unlink remove rename alarm gettimeofday ' +
  'clock_gettime clock_getres getuid geteuid getgid getegid'
).split(' ');

/** stdio functions that write to their FILE * (the others read from it or only query it). */
const STREAM_WRITERS = (
  'fputc putc fputs fwrite fprintf vfprintf fflush fputc_unlocked putc_unlocked fwrite_unlocked ' +
  'fputs_unlocked __fprintf_chk __vfprintf_chk'
).split(' ');

function each(names: readonly string[], a: ExternalAttrs): Record<string, ExternalAttrs> {
  return Object.fromEntries(names.map((n) => [n, a]));
}

// The one table of the models' attributes (ExternalAttrs in ../externals.ts says what each means).
registerExternalAttrs({
  // The environment: the model's first answer becomes a recorded input.
  time: { envInput: 64, storesResultAt: 0 },
  clock: { envInput: 64 },
  getpid: { envInput: 32 },
  getppid: { envInput: 32 },
  // Comparisons whose operands feed back to the search.
  strcmp: { compares: 's' },
  strcasecmp: { compares: 's' },
  strcoll: { compares: 's' },
  strncmp: { compares: 'n' },
  strncasecmp: { compares: 'n' },
  memcmp: { compares: 'mem' },
  bcmp: { compares: 'mem' },
  ...each(OS_CALLS, { osInput: true }),
  ...each(STREAM_WRITERS, { writesStream: true }),
});
