/**
 * @fileoverview Stage: replay (native). The C source of the native replay driver, kept as a string so that
 * it ships in dist/ with the compiled TypeScript.
 *
 * Consumes: nothing. Produces: `DRIVER_C`, a fixed C file that native-build.ts compiles together with the
 * module's IR (plus the tables and stubs it appends). The driver reads the binary image written by
 * native-image.ts, lays out the objects at real addresses, patches relocations, writes input globals, calls
 * one entry stub and writes a binary result file at every way the run can end (return, exit, fatal
 * signal, divergence of an external call). Both binary formats are described in docs/native-replay.md.
 *
 * The driver talks to the kernel through its own `syscall` instruction (`isnr_syscall`) for file and memory
 * operations, because the module may define (or have stubbed) functions called `read`, `write`, `open`,
 * `mmap` or `syscall` itself (libsodium calls `syscall(SYS_getrandom, ...)`, which the engine does not
 * model, so it is a stub) that would otherwise capture the driver's own calls.
 */
import { INPUT_REGION_BASE, INPUT_SLOT, INPUT_SLOTS } from '../gen/record.js';

/** Version of the two binary formats; both sides check it. */
export const DRIVER_FORMAT = 'ISNR0002';

/** Ways a native run ends, as written in the result file's `how` word. */
export const HOW_RETURNED = 0;
export const HOW_EXIT = 1;
export const HOW_SIGNAL = 2;
export const HOW_DIVERGED = 3;
/** The function called a stubbed external declared noreturn (the record's noreturn-call outcome). */
export const HOW_NORETURN = 4;

/** Exit code of the driver when it cannot set the image up (the reason goes to stderr). */
export const DRIVER_SETUP_FAILED = 125;

export const DRIVER_C = String.raw`/* inputsmith native replay driver. Generated from src/replay/native-driver.ts, do not edit. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Emitted into the module's IR by native-build.ts. */
extern void *__inputsmith_globals[]; /* thread-local globals' slots filled by __inputsmith_tls_init */
extern void __inputsmith_tls_init(void);
extern const uint64_t __inputsmith_nglobals;
extern void *const __inputsmith_funcs[];
extern const uint64_t __inputsmith_nfuncs;
extern void (*const __inputsmith_entries[])(void *, void *);
extern const uint64_t __inputsmith_nentries;

typedef struct {
  int64_t lo;
  uint64_t size, base_mod, flags;
  const uint8_t *data;
  uint8_t *base;
} obj_t;

typedef struct {
  uint64_t fn, obj, off;
} call_t;

static obj_t *objs;
static uint64_t nobj;
static call_t *calls;
static uint64_t ncalls, call_pos;
static uint64_t *dump_objs, ndump;
static uint64_t *dump_globals, ndumpg; /* pairs (table index, size) */
static uint8_t *outbuf;
static uint64_t outsize;
static int outfd = -1;
static volatile int finished;

/* A system call of our own, not libc's syscall(), which the module may define or stub: -1 on error
   (errno is not set). */
#if defined(__x86_64__)
static long isnr_syscall6(long n, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long r;
  __asm__ volatile("syscall"
                   : "=a"(r)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return (unsigned long)r > -4096UL ? -1 : r;
}
#else
static long isnr_syscall6(long n, long a, long b, long c, long d, long e, long f) {
  return syscall(n, a, b, c, d, e, f);
}
#endif
#define isnr_sys_(n, a, b, c, d, e, f, ...) \
  isnr_syscall6((long)(n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))
#define isnr_syscall(...) isnr_sys_(__VA_ARGS__, 0, 0, 0, 0, 0, 0, 0)

static long sys_write(int fd, const void *p, uint64_t n) { return isnr_syscall(SYS_write, fd, p, n); }

static void put_str(const char *s) {
  uint64_t n = 0;
  while (s[n]) n++;
  sys_write(2, s, n);
}

static void die(const char *what, const char *detail) {
  put_str("inputsmith-driver: ");
  put_str(what);
  if (detail) {
    put_str(": ");
    put_str(detail);
  }
  put_str("\n");
  isnr_syscall(SYS_exit_group, ${DRIVER_SETUP_FAILED});
}

static void *map(uint64_t n) {
  void *p = (void *)isnr_syscall(SYS_mmap, 0, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == (void *)-1) die("out of memory", 0); /* isnr_syscall returns -1 on error */
  return p;
}

static void copy(uint8_t *d, const uint8_t *s, uint64_t n) {
  for (uint64_t i = 0; i < n; i++) d[i] = s[i];
}

/* ---- reading the image ---- */

static const uint8_t *in, *in_end;

static uint64_t word(void) {
  if (in + 8 > in_end) die("truncated image", 0);
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | in[i];
  in += 8;
  return v;
}

static const uint8_t *bytes(uint64_t n) {
  const uint8_t *p = in;
  uint64_t padded = (n + 7) & ~(uint64_t)7;
  if (padded < n || (uint64_t)(in_end - in) < padded) die("truncated image", 0);
  in += padded;
  return p;
}

static const uint8_t *read_file(const char *path, uint64_t *len) {
  int fd = (int)isnr_syscall(SYS_open, path, O_RDONLY, 0);
  if (fd < 0) die("cannot open image", path);
  long size = isnr_syscall(SYS_lseek, fd, 0, SEEK_END);
  isnr_syscall(SYS_lseek, fd, 0, SEEK_SET);
  if (size <= 0) die("empty image", path);
  uint8_t *buf = map((uint64_t)size);
  uint64_t got = 0;
  while (got < (uint64_t)size) {
    long r = isnr_syscall(SYS_read, fd, buf + got, (uint64_t)size - got);
    if (r <= 0) die("cannot read image", path);
    got += (uint64_t)r;
  }
  isnr_syscall(SYS_close, fd);
  *len = (uint64_t)size;
  return buf;
}

#define ISNR_SLOT ${INPUT_SLOT}ull
#define ISNR_SLOTS ${INPUT_SLOTS}ull
#define ISNR_REGION_BASE ${INPUT_REGION_BASE}ull
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* The input region: an object's base is at the region offset its flags give (+ base_mod), as in the engine, so
   pointer order and distances between input objects are the same natively. The region is mapped at the
   engine's own address when that is free, so the objects' absolute addresses are the engine's too. */
static uint8_t *region;

static int in_region(const void *p) {
  return region && (const uint8_t *)p >= region && (const uint8_t *)p < region + ISNR_SLOTS * ISNR_SLOT;
}

/* free() and realloc() of the program: input objects the function frees live in the input region (as in
   the engine), so these two know them; everything else goes to glibc. */
extern void __libc_free(void *);
extern void *__libc_malloc(size_t);
extern void *__libc_realloc(void *, size_t);

void free(void *p) {
  if (in_region(p)) return;
  __libc_free(p);
}

void *realloc(void *p, size_t n) {
  if (!in_region(p)) return __libc_realloc(p, n);
  uint64_t have = 0;
  for (uint64_t i = 0; i < nobj; i++)
    if (objs[i].base == (uint8_t *)p) have = (uint64_t)((int64_t)objs[i].size + objs[i].lo);
  uint8_t *q = __libc_malloc(n ? n : 1);
  if (!q) return 0;
  copy(q, (const uint8_t *)p, have < n ? have : n);
  return q;
}

static uint8_t *place(obj_t *o) {
  if (o->flags & 2) {
    uint64_t k = o->flags >> 8;
    if (k >= ISNR_SLOTS * ISNR_SLOT) die("bad input slot", 0);
    if (!region) {
      region = (uint8_t *)isnr_syscall(SYS_mmap, ISNR_REGION_BASE, (uint64_t)ISNR_SLOTS * ISNR_SLOT,
                                  PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
      if (region == (uint8_t *)-1)
        region = (uint8_t *)isnr_syscall(SYS_mmap, 0, (uint64_t)ISNR_SLOTS * ISNR_SLOT, PROT_READ | PROT_WRITE,
                                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (region == (uint8_t *)-1) die("out of memory", 0);
    }
    return region + k + o->base_mod;
  }
  if (o->flags & 1) {
    /* A heap object outside the input region: the function may free() it, so it comes from malloc. Its base
       residue is kept as far as an alignment can keep it (the largest power of two dividing base_mod). */
    uint64_t al = 4096;
    if (o->base_mod) al = o->base_mod & (~o->base_mod + 1);
    if (al < 16) al = 16;
    if (o->lo != 0) die("a heap object must start at its base", 0);
    void *p = 0;
    if (posix_memalign(&p, al, o->size ? o->size : 1) != 0) die("out of memory", 0);
    return p;
  }
  uint64_t below = o->lo < 0 ? (uint64_t)(-o->lo) : 0;
  uint64_t total = (o->size + below + 8192 + 4095) & ~(uint64_t)4095;
  uint8_t *start = map(total);
  uintptr_t min_base = (uintptr_t)start + below;
  uintptr_t base = min_base + ((o->base_mod - (min_base & 4095)) & 4095);
  return (uint8_t *)base;
}

static uint8_t *holder_addr(uint64_t kind, uint64_t h) {
  if (kind == 0) {
    if (h >= nobj) die("bad object index", 0);
    return objs[h].base;
  }
  if (h >= __inputsmith_nglobals) die("bad global index", 0);
  return (uint8_t *)__inputsmith_globals[h];
}

/* ---- the result ---- */

static void finish(uint64_t how, uint64_t info, uint64_t info2, uint64_t info3) {
  if (finished) return;
  finished = 1;
  uint64_t *w = (uint64_t *)outbuf;
  uint64_t k = 0;
  const char *magic = "${DRIVER_FORMAT}";
  copy((uint8_t *)&w[k++], (const uint8_t *)magic, 8);
  w[k++] = how;
  w[k++] = info;
  w[k++] = info2;
  w[k++] = info3;
  w[k++] = nobj;
  for (uint64_t i = 0; i < nobj; i++) w[k++] = (uint64_t)(uintptr_t)objs[i].base;
  w[k++] = __inputsmith_nglobals;
  for (uint64_t i = 0; i < __inputsmith_nglobals; i++) w[k++] = (uint64_t)(uintptr_t)__inputsmith_globals[i];
  w[k++] = __inputsmith_nfuncs;
  for (uint64_t i = 0; i < __inputsmith_nfuncs; i++) w[k++] = (uint64_t)(uintptr_t)__inputsmith_funcs[i];
  w[k++] = 3;
  w[k++] = (uint64_t)(uintptr_t)stdin;
  w[k++] = (uint64_t)(uintptr_t)stdout;
  w[k++] = (uint64_t)(uintptr_t)stderr;
  uint8_t *p = (uint8_t *)&w[k];
  for (uint64_t i = 0; i < ndump; i++) {
    obj_t *o = &objs[dump_objs[i]];
    copy(p, o->base + o->lo, o->size);
    p += (o->size + 7) & ~(uint64_t)7;
  }
  for (uint64_t i = 0; i < ndumpg; i++) {
    uint64_t size = dump_globals[2 * i + 1];
    copy(p, (const uint8_t *)__inputsmith_globals[dump_globals[2 * i]], size);
    p += (size + 7) & ~(uint64_t)7;
  }
  uint64_t n = (uint64_t)(p - outbuf), done = 0;
  while (done < n) {
    long r = sys_write(outfd, outbuf + done, n - done);
    if (r <= 0) break;
    done += (uint64_t)r;
  }
}

/* Called by the stubs of external functions the engine did not model: the address of the value the next
   recorded call returns. A call the record does not have is a divergence. */
void *__inputsmith_next_call(uint32_t fn) {
  uint64_t i = call_pos++;
  if (i >= ncalls) {
    finish(${HOW_DIVERGED}, i, fn, ~(uint64_t)0);
    isnr_syscall(SYS_exit_group, 0);
  }
  if (calls[i].fn != fn) {
    finish(${HOW_DIVERGED}, i, fn, calls[i].fn);
    isnr_syscall(SYS_exit_group, 0);
  }
  return objs[calls[i].obj].base + calls[i].off;
}

/* Called by the stub of a noreturn external after its call was checked: the run ends here. */
void __inputsmith_noreturn(void) {
  finish(${HOW_NORETURN}, 0, 0, 0);
  isnr_syscall(SYS_exit_group, 0);
}

static void at_exit(void) { finish(${HOW_EXIT}, 0, 0, 0); }

static void on_signal(int sig) {
  finish(${HOW_SIGNAL}, (uint64_t)sig, 0, 0);
  fflush(stdout);
  fflush(stderr);
  signal(sig, SIG_DFL);
  raise(sig);
}

static uint64_t vm_bytes(void) {
  char buf[64];
  int fd = (int)isnr_syscall(SYS_open, "/proc/self/statm", O_RDONLY, 0);
  if (fd < 0) return 0;
  long r = isnr_syscall(SYS_read, fd, buf, sizeof buf - 1);
  isnr_syscall(SYS_close, fd);
  uint64_t pages = 0;
  for (long i = 0; i < r && buf[i] >= '0' && buf[i] <= '9'; i++) pages = pages * 10 + (uint64_t)(buf[i] - '0');
  return pages * 4096;
}

/* The engine's stack reads zeros where a run has not written yet (uninitialised locals, out-parameters an
   unmodelled external would have written). Natively the driver's own calls and the C start-up code left
   bytes there: clear the stack the function is about to use, so its first reads see zeros too. */
#define ISNR_CLEAR_STACK (256u << 10)
static __attribute__((noinline)) void clear_stack(void) {
  volatile uint8_t buf[ISNR_CLEAR_STACK];
  for (uint64_t i = 0; i < ISNR_CLEAR_STACK; i++) buf[i] = 0;
}

static uint64_t parse_u64(const char *s) {
  uint64_t v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (uint64_t)(*s++ - '0');
  return v;
}

/* The image's input objects at in, placed and filled, then the globals' input bytes. */
static void load_objects(void) {
  nobj = word();
  objs = map((nobj + 1) * sizeof(obj_t));
  for (uint64_t i = 0; i < nobj; i++) {
    obj_t *o = &objs[i];
    o->lo = (int64_t)word();
    o->size = word();
    o->base_mod = word() & 4095;
    o->flags = word();
    o->data = bytes(o->size);
    o->base = place(o);
    copy(o->base + o->lo, o->data, o->size);
  }
  uint64_t ngw = word();
  for (uint64_t i = 0; i < ngw; i++) {
    uint64_t g = word(), off = word(), n = word();
    copy(holder_addr(1, g) + off, bytes(n), n);
  }
}

/* The image's recorded results of stubbed external calls at in. */
static void load_calls(void) {
  ncalls = word();
  calls = map((ncalls + 1) * sizeof(call_t));
  for (uint64_t i = 0; i < ncalls; i++) {
    calls[i].fn = word();
    calls[i].obj = word();
    calls[i].off = word();
    if (calls[i].obj >= nobj) die("bad call value", 0);
  }
}

/* The image's relocations at in: each pointer slot of an object or global gets its target's address
   (another object, a global, a function, a raw value, a standard stream). The timing driver applies them
   again after it restores a freed heap object (src/tune/timing-driver.ts). */
static void relocate(void) {
  uint64_t nrel = word();
  for (uint64_t i = 0; i < nrel; i++) {
    uint64_t hk = word(), h = word();
    int64_t at = (int64_t)word();
    uint64_t tk = word(), t = word();
    int64_t off = (int64_t)word();
    uintptr_t v = 0;
    if (tk == 1) v = (uintptr_t)(holder_addr(0, t) + off);
    else if (tk == 2) v = (uintptr_t)(holder_addr(1, t) + off);
    else if (tk == 3) {
      if (t >= __inputsmith_nfuncs) die("bad function index", 0);
      v = (uintptr_t)__inputsmith_funcs[t];
    } else if (tk == 4) v = (uintptr_t)off;
    else if (tk == 5) v = (uintptr_t)(t == 0 ? stdin : t == 1 ? stdout : stderr);
    copy(holder_addr(hk, h) + at, (const uint8_t *)&v, 8);
  }
}

/* driver IMAGE RESULT MEM_MB CPU_SECONDS */
int main(int argc, char **argv) {
  if (argc != 5) die("usage: driver IMAGE RESULT MEM_MB CPU_SECONDS", 0);
  __inputsmith_tls_init();
  uint64_t len;
  in = read_file(argv[1], &len);
  in_end = in + len;
  const char *magic = "${DRIVER_FORMAT}";
  for (int i = 0; i < 8; i++)
    if (in[i] != (uint8_t)magic[i]) die("not a replay image of this driver version", argv[1]);
  in += 8;

  uint64_t entry = word();
  if (entry >= __inputsmith_nentries) die("bad entry index", 0);
  load_objects();
  relocate();
  load_calls();
  uint64_t args = word(), ret = word();
  if (args >= nobj || ret >= nobj) die("bad argument buffers", 0);
  ndump = word();
  dump_objs = map((ndump + 1) * 8);
  outsize = 96 + 8 * (nobj + __inputsmith_nglobals + __inputsmith_nfuncs);
  for (uint64_t i = 0; i < ndump; i++) {
    dump_objs[i] = word();
    if (dump_objs[i] >= nobj) die("bad dump index", 0);
    outsize += (objs[dump_objs[i]].size + 7) & ~(uint64_t)7;
  }
  ndumpg = word();
  dump_globals = map((2 * ndumpg + 1) * 8);
  for (uint64_t i = 0; i < ndumpg; i++) {
    dump_globals[2 * i] = word();
    dump_globals[2 * i + 1] = word();
    if (dump_globals[2 * i] >= __inputsmith_nglobals) die("bad global index", 0);
    outsize += (dump_globals[2 * i + 1] + 7) & ~(uint64_t)7;
  }
  outbuf = map(outsize);

  int fd = (int)isnr_syscall(SYS_open, argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die("cannot create result file", argv[2]);
  outfd = fcntl(fd, F_DUPFD_CLOEXEC, 900);
  if (outfd < 0) outfd = fd;
  else isnr_syscall(SYS_close, fd);

  /* Limits: address space the function may add, CPU time, no core files. */
  struct rlimit rl;
  uint64_t mem = parse_u64(argv[3]) << 20, cpu = parse_u64(argv[4]);
  rl.rlim_cur = rl.rlim_max = 0;
  setrlimit(RLIMIT_CORE, &rl);
  if (mem) {
    rl.rlim_cur = rl.rlim_max = vm_bytes() + mem;
    setrlimit(RLIMIT_AS, &rl);
  }
  if (cpu) {
    rl.rlim_cur = cpu;
    rl.rlim_max = cpu + 1;
    setrlimit(RLIMIT_CPU, &rl);
  }

  /* Fatal signals: record how the run ended, flush what the function printed, then die of the signal. An
     alternate stack lets a stack overflow be reported too. */
  stack_t ss;
  ss.ss_sp = map(1 << 16);
  ss.ss_size = 1 << 16;
  ss.ss_flags = 0;
  sigaltstack(&ss, 0);
  int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS, SIGXCPU};
  for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
    struct sigaction sa = {0};
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_ONSTACK | SA_RESETHAND;
    sigaction(sigs[i], &sa, 0);
  }
  atexit(at_exit);

  clear_stack();
  __inputsmith_entries[entry](objs[args].base, objs[ret].base);

  finish(${HOW_RETURNED}, 0, 0, 0);
  fflush(stdout);
  fflush(stderr);
  isnr_syscall(SYS_exit_group, 0);
  return 0;
}
`;
