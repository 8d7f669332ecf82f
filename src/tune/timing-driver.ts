/**
 * @fileoverview Stage: tune. The C source of the timing driver: native replay's driver (replay/native-driver.ts,
 * unchanged, its `main` renamed) plus a timing mode that replays many records in one process.
 *
 * Consumes: `DRIVER_C`. Produces: `TIMING_DRIVER_C`. Without `--time` the executable is native replay's driver
 * (one image, one result file: `diff` uses it). With `driver --time SPEC` it reads a spec file (format below),
 * pins itself to a CPU (`sched_setaffinity`, raw system call), calibrates the TSC against
 * `clock_gettime(CLOCK_MONOTONIC)` and for each record: restores the program's writable data (`.data` and
 * `.bss`, from `__data_start` to `_end`, as it was after start-up), loads the record's image with the same
 * reader rules as native replay (objects at the engine's addresses, input globals, relocations, external call
 * results), snapshots the state (writable data and every object), then times calls of the entry: a warm-up,
 * then samples, each preceded by a restore of that state (outside the timed region; objects from `malloc` are
 * allocated again and relocations re-applied, since the function may have freed them). When a call leaves the
 * state exactly as it found it (no stubbed external call, no heap object, no stdin), a sample times a batch of
 * K calls, K chosen so that the batch lasts at least the target time; otherwise a sample is one call.
 * The noise floor, an entry calling an empty function through a pointer, is timed the same two ways first.
 *
 * Rounds: a record is loaded and warmed up when the parent writes a word to fd 4, then measured in
 * `rounds` rounds, each started by another word: the batch size, the smallest over the variants of the
 * record, so that every build is timed with the same batch. The parent runs one process per variant of a module at once, all pinned to the same CPU, and
 * gives the rounds of a record to the variants in turn, so the variants of one record are measured within
 * milliseconds of each other (drift hits them alike); a process waiting for its go sleeps in `read`.
 *
 * Spec (64-bit little-endian words, byte runs padded to 8): magic `ISTM0001`; cpu (all ones: no pinning);
 * warm-up ns; batch target ns; samples at most; samples at least; budget ns per record and round; empty
 * entry index; rounds; record count; then per record: id, stdin path length and bytes (0: none), image
 * length and bytes.
 *
 * Output on fd 3 (text lines): `C cycles ns` (calibration), `F K c1 c2 ...` (noise floor samples, cycles per
 * batch of K, single calls then batches), per record `L id` before loading it, `S id K` when loaded and warm
 * (K: the batch size this build would take), then per round `T id round K c1 c2 ...`, and `D` at the end. A record that ends the
 * process (exit, a signal, a divergence) leaves its `L` or `S` last: the parent starts a new process after
 * it.
 */
import { DRIVER_C, DRIVER_FORMAT } from '../replay/native-driver.js';

const MAIN = 'int main(int argc, char **argv) {';

function renamedDriver(): string {
  const at = DRIVER_C.indexOf(MAIN);
  if (at < 0 || DRIVER_C.indexOf(MAIN, at + 1) >= 0) throw new Error('native driver: main not found once');
  return (
    DRIVER_C.slice(0, at) +
    'static int isnr_replay_main(int argc, char **argv) {' +
    DRIVER_C.slice(at + MAIN.length)
  );
}

const TIMING_C = String.raw`
/* ---- timing mode (src/tune/timing-driver.ts) ---- */
#include <sched.h>
#include <string.h>
#include <sys/personality.h>
#include <time.h>
extern char __data_start[], _end[];

static inline uint64_t tm_cycles(void) {
  uint32_t lo, hi;
  __asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
  return ((uint64_t)hi << 32) | lo;
}

static uint64_t tm_ns(void) {
  struct timespec ts;
  isnr_syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

typedef struct {
  char buf[1 << 16];
  uint64_t n;
} tm_out_t;

static void tm_flush(tm_out_t *o) {
  uint64_t done = 0;
  while (done < o->n) {
    long r = sys_write(901, o->buf + done, o->n - done);
    if (r <= 0) break;
    done += (uint64_t)r;
  }
  o->n = 0;
}

static void tm_put(tm_out_t *o, const char *s) {
  while (*s) {
    if (o->n + 1 >= sizeof o->buf) tm_flush(o);
    o->buf[o->n++] = *s++;
  }
}

static void tm_num(tm_out_t *o, uint64_t v) {
  char t[24];
  int k = 0;
  do {
    t[k++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  char s[26];
  int j = 0;
  s[j++] = ' ';
  while (k) s[j++] = t[--k];
  s[j] = 0;
  tm_put(o, s);
}

/* One record's state after loading its image: writable data and every object's bytes. */
typedef struct {
  uint8_t *data;
  uint8_t *objsnap;
  const uint8_t *rel_at;
  uint64_t args, ret;
  int heap_ext, has_stdin;
} tm_state_t;

static void tm_relocate(const uint8_t *at) {
  in = at;
  relocate();
}

/* Load one image (native replay's reader rules); returns the entry index. */
static uint64_t tm_load(const uint8_t *img, uint64_t len, tm_state_t *st) {
  in = img;
  in_end = img + len;
  const char *magic = "${DRIVER_FORMAT}";
  for (int i = 0; i < 8; i++)
    if (in[i] != (uint8_t)magic[i]) die("not a replay image of this driver version", 0);
  in += 8;
  uint64_t entry = word();
  if (entry >= __inputsmith_nentries) die("bad entry index", 0);
  load_objects();
  st->heap_ext = 0;
  for (uint64_t i = 0; i < nobj; i++)
    if ((objs[i].flags & 1) && !(objs[i].flags & 2)) st->heap_ext = 1;
  st->rel_at = in;
  relocate();
  load_calls();
  call_pos = 0;
  st->args = word();
  st->ret = word();
  if (st->args >= nobj || st->ret >= nobj) die("bad argument buffers", 0);
  return entry;
}

static uint64_t tm_objbytes(void) {
  uint64_t n = 0;
  for (uint64_t i = 0; i < nobj; i++) n += objs[i].size;
  return n;
}

static void tm_snapshot(tm_state_t *st) {
  uint64_t dn = (uint64_t)(_end - __data_start);
  st->data = map(dn + 1);
  memcpy(st->data, __data_start, dn);
  st->objsnap = map(tm_objbytes() + 1);
  uint8_t *p = st->objsnap;
  for (uint64_t i = 0; i < nobj; i++) {
    memcpy(p, objs[i].base + objs[i].lo, objs[i].size);
    p += objs[i].size;
  }
}

/* The state as loaded, before the next call. */
static void tm_restore(const tm_state_t *st) {
  memcpy(__data_start, st->data, (uint64_t)(_end - __data_start));
  if (st->heap_ext)
    for (uint64_t i = 0; i < nobj; i++)
      if ((objs[i].flags & 1) && !(objs[i].flags & 2)) objs[i].base = place(&objs[i]);
  const uint8_t *p = st->objsnap;
  for (uint64_t i = 0; i < nobj; i++) {
    memcpy(objs[i].base + objs[i].lo, p, objs[i].size);
    p += objs[i].size;
  }
  if (st->heap_ext) tm_relocate(st->rel_at);
  call_pos = 0;
  if (st->has_stdin) fseek(stdin, 0, SEEK_SET);
}

/* The call left the state as it found it: batches of calls need no restore in between. */
static int tm_unchanged(const tm_state_t *st) {
  if (st->heap_ext || call_pos != 0) return 0;
  if (memcmp(__data_start, st->data, (uint64_t)(_end - __data_start)) != 0) return 0;
  const uint8_t *p = st->objsnap;
  for (uint64_t i = 0; i < nobj; i++) {
    /* The return buffer is written by every call, with the same value. */
    if (i != st->ret && memcmp(objs[i].base + objs[i].lo, p, objs[i].size) != 0) return 0;
    p += objs[i].size;
  }
  return 1;
}

typedef struct {
  uint64_t warm_cyc, target_cyc, max_samples, min_samples, budget_cyc;
} tm_params_t;

/* Warm-up calls (each after a restore) until warm_cyc of calls and at least "least" calls; returns the batch
   size: 1, or enough calls for target_cyc when every call left the state as it found it. */
static uint64_t tm_warm(uint64_t entry, tm_state_t *st, const tm_params_t *pp, int may_batch, uint64_t least,
                        uint64_t warm_cyc) {
  void (*fn)(void *, void *) = __inputsmith_entries[entry];
  uint64_t best = ~(uint64_t)0, spent = 0, calls_done = 0;
  int idem = may_batch;
  while (calls_done < least || (spent < warm_cyc && calls_done < 1000)) {
    tm_restore(st);
    uint64_t t0 = tm_cycles();
    fn(objs[st->args].base, objs[st->ret].base);
    uint64_t t1 = tm_cycles();
    if (idem && !tm_unchanged(st)) idem = 0;
    if (t1 - t0 < best) best = t1 - t0;
    spent += t1 - t0;
    calls_done++;
  }
  uint64_t k = 1;
  if (idem && best > 0 && best < pp->target_cyc) k = (pp->target_cyc + best - 1) / best;
  if (k > (1u << 20)) k = 1u << 20;
  return k;
}

/* One timed batch of k calls, made from a frame moved down by "shift" bytes: where the function's stack lies
   relative to its inputs (4 KiB aliasing, cache sets) changes its speed, so samples spread over 256
   placements (16-byte steps over 4 KiB) instead of measuring one by chance. */
static __attribute__((noinline)) uint64_t tm_timed(void (*fn)(void *, void *), uint64_t k, void *a, void *r,
                                                   uint64_t shift) {
  volatile char *pad = __builtin_alloca(shift + 16);
  pad[0] = 0;
  uint64_t t0 = tm_cycles();
  for (uint64_t j = 0; j < k; j++) fn(a, r);
  uint64_t t1 = tm_cycles();
  pad[shift] = 0;
  return t1 - t0;
}

/* Samples of one entry, each a batch of k calls after a restore: at least min_samples, then until budget_cyc of
   measured time or max_samples. The stack placement of sample s is the same in every process (paired). */
static void tm_sample(tm_out_t *o, uint64_t entry, tm_state_t *st, const tm_params_t *pp, uint64_t k) {
  void (*fn)(void *, void *) = __inputsmith_entries[entry];
  uint64_t spent = 0;
  for (uint64_t s = 0; s < pp->max_samples && (s < pp->min_samples || spent < pp->budget_cyc); s++) {
    tm_restore(st);
    uint64_t c = tm_timed(fn, k, objs[st->args].base, objs[st->ret].base, ((s * 37) % 256) * 16);
    tm_num(o, c);
    spent += c;
  }
  tm_put(o, "\n");
  tm_flush(o);
}

/* The parent's go: a 64-bit word on fd 902 (for a round, the batch size to use: the same for every variant
   of a record, so that the builds are timed alike); its end of the pipe closed: stop. */
static uint64_t tm_wait_go(void) {
  uint64_t v = 0;
  uint8_t *p = (uint8_t *)&v;
  uint64_t got = 0;
  while (got < 8) {
    long n = isnr_syscall(SYS_read, 902, p + got, 8 - got);
    if (n <= 0) isnr_syscall(SYS_exit_group, 0);
    got += (uint64_t)n;
  }
  return v;
}

static const uint8_t *tm_in, *tm_end;
static uint64_t tm_word(void) {
  in = tm_in;
  in_end = tm_end;
  uint64_t v = word();
  tm_in = in;
  return v;
}
static const uint8_t *tm_bytes(uint64_t n) {
  in = tm_in;
  in_end = tm_end;
  const uint8_t *p = bytes(n);
  tm_in = in;
  return p;
}

static int tm_main(const char *spec) {
  __inputsmith_tls_init();
  uint64_t len;
  const uint8_t *sp = read_file(spec, &len);
  tm_in = sp;
  tm_end = sp + len;
  if (memcmp(tm_bytes(8), "ISTM0001", 8) != 0) die("not a timing spec", spec);
  uint64_t cpu = tm_word();
  uint64_t warm_ns = tm_word(), target_ns = tm_word(), max_s = tm_word(), min_s = tm_word(), budget_ns = tm_word();
  uint64_t empty = tm_word(), rounds = tm_word(), nrec = tm_word();
  if (cpu != ~(uint64_t)0) {
    uint64_t mask[16] = {0};
    if (cpu < 1024) mask[cpu / 64] |= 1ull << (cpu % 64);
    isnr_syscall(SYS_sched_setaffinity, 0, sizeof mask, mask);
  }
  tm_out_t *o = map(sizeof(tm_out_t));
  /* The TSC's rate against the monotonic clock, over about 20 ms. */
  uint64_t n0 = tm_ns(), c0 = tm_cycles(), n1, c1;
  do {
    n1 = tm_ns();
    c1 = tm_cycles();
  } while (n1 - n0 < 20000000ull);
  tm_put(o, "C");
  tm_num(o, c1 - c0);
  tm_num(o, n1 - n0);
  tm_put(o, "\n");
  double cyc_per_ns = (double)(c1 - c0) / (double)(n1 - n0);
  tm_params_t pp = {(uint64_t)(warm_ns * cyc_per_ns), (uint64_t)(target_ns * cyc_per_ns), max_s, min_s,
                    (uint64_t)(budget_ns * cyc_per_ns)};
  uint64_t dn = (uint64_t)(_end - __data_start);
  uint8_t *pristine = map(dn + 1);
  memcpy(pristine, __data_start, dn);
  /* The noise floor: single calls, then batches. */
  {
    tm_state_t st;
    nobj = 2;
    objs = map(3 * sizeof(obj_t));
    objs[0].base = objs[1].base = map(4096);
    st.args = 0;
    st.ret = 1;
    st.heap_ext = 0;
    st.has_stdin = 0;
    tm_snapshot(&st);
    for (int batch = 0; batch < 2; batch++) {
      uint64_t k = tm_warm(empty, &st, &pp, batch, 3, pp.warm_cyc);
      tm_put(o, "F");
      tm_num(o, k);
      tm_sample(o, empty, &st, &pp, k);
    }
  }
  for (uint64_t r = 0; r < nrec; r++) {
    uint64_t id = tm_word();
    uint64_t sl = tm_word();
    const char *stdin_path = sl ? (const char *)tm_bytes(sl) : 0;
    uint64_t il = tm_word();
    const uint8_t *img = tm_bytes(il);
    const uint8_t *save_in = tm_in;
    tm_wait_go(); /* nothing else runs while a record loads and warms up */
    tm_put(o, "L");
    tm_num(o, id);
    tm_put(o, "\n");
    tm_flush(o);
    uint8_t *keep_region = region;
    memcpy(__data_start, pristine, dn);
    region = keep_region;
    tm_in = save_in;
    if (stdin_path) {
      char path[4096];
      uint64_t n = sl < sizeof path - 1 ? sl : sizeof path - 1;
      memcpy(path, stdin_path, n);
      path[n] = 0;
      int fd = (int)isnr_syscall(SYS_open, path, O_RDONLY, 0);
      if (fd >= 0) {
        isnr_syscall(SYS_dup2, fd, 0);
        isnr_syscall(SYS_close, fd);
      }
    }
    tm_state_t st;
    uint64_t entry = tm_load(img, il, &st);
    st.has_stdin = stdin_path != 0;
    const uint8_t *keep_in = tm_in, *keep_end = tm_end;
    tm_snapshot(&st);
    clear_stack();
    uint64_t k = tm_warm(entry, &st, &pp, stdin_path == 0, 3, pp.warm_cyc);
    tm_put(o, "S");
    tm_num(o, id);
    tm_num(o, k);
    tm_put(o, "\n");
    tm_flush(o);
    for (uint64_t round = 0; round < rounds; round++) {
      uint64_t kk = tm_wait_go();
      if (kk >= 1 && kk <= k) k = kk; /* the parent's common batch size (never more than this build's) */
      /* Other builds ran in between: warm the caches again (3 calls). */
      tm_warm(entry, &st, &pp, 0, 3, 0);
      tm_put(o, "T");
      tm_num(o, id);
      tm_num(o, round);
      tm_num(o, k);
      tm_sample(o, entry, &st, &pp, k);
    }
    tm_in = keep_in;
    tm_end = keep_end;
  }
  tm_put(o, "D\n");
  tm_flush(o);
  isnr_syscall(SYS_exit_group, 0);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--time") == 0) {
    /* Without address-space randomisation, two processes of one executable lay out stack, heap and mappings
       alike, so identical builds time alike (the stack's placement alone moved small functions by 5-30%). */
    int pers = personality(0xffffffff);
    if (pers != -1 && !(pers & ADDR_NO_RANDOMIZE) && personality((unsigned long)pers | ADDR_NO_RANDOMIZE) != -1)
      execv("/proc/self/exe", argv);
    int fd = fcntl(3, F_DUPFD_CLOEXEC, 901);
    if (fd != 901) die("fd 3 must be the timing output", 0);
    isnr_syscall(SYS_close, 3);
    fd = fcntl(4, F_DUPFD_CLOEXEC, 902);
    if (fd != 902) die("fd 4 must be the go pipe", 0);
    isnr_syscall(SYS_close, 4);
    return tm_main(argv[2]);
  }
  return isnr_replay_main(argc, argv);
}
`;

/** Native replay's driver with the timing mode (`driver --time SPEC`, results on fd 3). */
export const TIMING_DRIVER_C = renamedDriver() + TIMING_C;
