/**
 * @fileoverview Stage: engine (libc models). Registers every C library model: importing this module for its
 * side effects fills the external-function table (src/engine/externals.ts) with the models of string.h,
 * stdlib.h, stdio.h, unistd.h (file descriptors), dirent.h, pthread.h (one thread), ctype.h, math.h, errno.h, assert.h,
 * time.h and friends.
 *
 * Consumes: nothing. Produces: the registrations, and re-exports of the pieces other stages use directly
 * (the formatter, the parsers, the virtual file system).
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

export { formatPrintf, type VarArgs, type FormatMemory } from './printf.js';
export { performScanf } from './scanf.js';
export { parseDouble, parseFloat32, parseFp80, parseInteger } from './strto.js';
export { setVirtualFiles, readVirtualFile, VIRTUAL_CWD } from './fs.js';
export { MATH_F64_1, MATH_F64_2 } from './math.js';
export { errnoMessage } from './errno.js';
