// unistd.h, fcntl.h, sys/stat.h: the file-descriptor layer. Files live under /tmp natively and in the
// engine's in-memory file system; every call's result and errno is printed. Times, device numbers and inode
// numbers differ between the two worlds and are only compared with each other.
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TDIR "/tmp/inputsmith-fd-test"
#define FILE1 TDIR "/a.txt"

static void show(const char *what, long r) {
  if (r < 0) printf("%s = %ld errno %d (%s)\n", what, r, errno, strerror(errno));
  else printf("%s = %ld\n", what, r);
  errno = 0;
}

static void cleanup(void) {
  unlink(FILE1);
  unlink(TDIR "/b.txt");
  unlink(TDIR "/c.txt");
  rmdir(TDIR "/sub");
  rmdir(TDIR);
}

int main(void) {
  char buf[128];
  struct stat st, st2;
  umask(022);
  cleanup();

  show("mkdir", mkdir(TDIR, 0755));
  show("mkdir again", mkdir(TDIR, 0755));
  show("mkdir no parent", mkdir(TDIR "/x/y", 0755));
  // An empty path names nothing, and nothing can be created there.
  show("open empty path", open("", O_CREAT | O_WRONLY | O_TRUNC, 0644));
  show("mkdir empty path", mkdir("", 0755));
  show("rename to empty path", rename(TDIR, ""));
  // A null path is the kernel's EFAULT, not a crash.
  const char *volatile nopath = NULL;
  show("open null path", open(nopath, O_RDONLY));
  show("creat null path", creat(nopath, 0644));
  show("access null path", access(nopath, R_OK));
  errno = 0;
  printf("fopen null path %d errno %d\n", fopen(nopath, "r") == NULL, errno);
  errno = 0;
  printf("fopen null path bad mode %d errno %d\n", fopen(nopath, "q") == NULL, errno);
  show("stat dir", stat(TDIR, &st));
  printf("dir: isdir %d perm %o\n", S_ISDIR(st.st_mode), st.st_mode & 0777);

  // Create, write, seek, read back.
  int fd = open(FILE1, O_CREAT | O_EXCL | O_RDWR, 0666);
  printf("open fd >= 3: %d\n", fd >= 3);
  show("write", write(fd, "hello, world\n", 13));
  show("lseek cur", lseek(fd, 0, SEEK_CUR));
  show("lseek set", lseek(fd, 0, SEEK_SET));
  memset(buf, 0, sizeof buf);
  show("read", read(fd, buf, sizeof buf));
  printf("got [%s]\n", buf);
  show("read at eof", read(fd, buf, sizeof buf));
  show("lseek end-6", lseek(fd, -6, SEEK_END));
  show("read 5", read(fd, buf, 5));
  printf("got [%.5s]\n", buf);
  show("lseek negative", lseek(fd, -100, SEEK_SET));
  show("lseek bad whence", lseek(fd, 0, 42));

  // A hole: seek past the end and write.
  show("lseek past end", lseek(fd, 20, SEEK_SET));
  show("write after hole", write(fd, "X", 1));
  show("fstat", fstat(fd, &st));
  printf("size %ld reg %d perm %o nlink %ld\n", (long)st.st_size, S_ISREG(st.st_mode), st.st_mode & 0777,
         (long)st.st_nlink);
  show("pread 15 bytes at 8", pread(fd, buf, 15, 8));
  for (int i = 0; i < 15; i++) printf("%02x", (unsigned char)buf[i]);
  printf("\n");
  show("position unchanged", lseek(fd, 0, SEEK_CUR));
  show("pwrite at 2", pwrite(fd, "LL", 2, 2));
  show("pread negative", pread(fd, buf, 1, -1));

  // Truncate and grow.
  show("ftruncate 5", ftruncate(fd, 5));
  show("lseek end", lseek(fd, 0, SEEK_END));
  show("ftruncate 8", ftruncate(fd, 8));
  show("pread all", pread(fd, buf, sizeof buf, 0));
  for (int i = 0; i < 8; i++) printf("%02x", (unsigned char)buf[i]);
  printf("\n");
  show("ftruncate negative", ftruncate(fd, -1));

  // fcntl: descriptor flags, status flags, locks.
  show("F_GETFD", fcntl(fd, F_GETFD));
  show("F_SETFD", fcntl(fd, F_SETFD, FD_CLOEXEC));
  show("F_GETFD after", fcntl(fd, F_GETFD));
  show("F_GETFL accmode", fcntl(fd, F_GETFL) & O_ACCMODE);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
  show("F_SETLK wr", fcntl(fd, F_SETLK, &fl));
  fl.l_type = F_RDLCK;
  show("F_GETLK", fcntl(fd, F_GETLK, &fl));
  printf("lock type after F_GETLK: unlocked %d\n", fl.l_type == F_UNLCK);
  fl.l_type = 99;
  show("F_SETLK bad type", fcntl(fd, F_SETLK, &fl));
  show("fsync", fsync(fd));
  show("fdatasync", fdatasync(fd));

  // dup shares the offset.
  int fd2 = dup(fd);
  show("lseek via dup", lseek(fd2, 3, SEEK_SET));
  show("offset seen by original", lseek(fd, 0, SEEK_CUR));
  show("close dup", close(fd2));
  show("close original", close(fd));
  show("close again", close(fd));
  show("read closed", read(fd, buf, 1));
  show("fstat closed", fstat(fd, &st));

  // Lowest free descriptor is reused.
  int a = open(FILE1, O_RDONLY);
  close(a);
  int b = open(FILE1, O_RDONLY);
  printf("reused %d\n", a == b);
  show("write to O_RDONLY", write(b, "x", 1));
  show("ftruncate O_RDONLY", ftruncate(b, 0));
  show("F_GETFL rdonly", fcntl(b, F_GETFL) & O_ACCMODE);
  struct flock wl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  show("F_SETLK wr on rdonly", fcntl(b, F_SETLK, &wl));
  show("stat", stat(FILE1, &st2));
  fstat(b, &st);
  printf("same inode %d same size %d size %ld\n", st.st_ino == st2.st_ino, st.st_size == st2.st_size,
         (long)st.st_size);
  close(b);

  // O_APPEND, O_TRUNC.
  int c = open(TDIR "/b.txt", O_WRONLY | O_CREAT | O_APPEND, 0600);
  write(c, "one ", 4);
  lseek(c, 0, SEEK_SET);
  write(c, "two", 3);
  show("append position", lseek(c, 0, SEEK_CUR));
  show("F_GETFL append", (fcntl(c, F_GETFL) & O_APPEND) != 0);
  close(c);
  stat(TDIR "/b.txt", &st);
  printf("b.txt size %ld perm %o\n", (long)st.st_size, st.st_mode & 0777);
  c = open(TDIR "/b.txt", O_RDWR | O_TRUNC);
  fstat(c, &st);
  printf("after O_TRUNC size %ld\n", (long)st.st_size);
  close(c);

  // fdopen and FILE on a descriptor.
  c = open(TDIR "/c.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  FILE *f = fdopen(c, "w+");
  fprintf(f, "via FILE %d\n", 42);
  fflush(f);
  show("fileno matches", fileno(f) == c);
  show("pread through fd", pread(c, buf, sizeof buf, 0));
  printf("[%.12s]\n", buf);
  fclose(f);
  show("fd closed by fclose", fcntl(c, F_GETFD));

  // Path errors.
  show("open missing", open(TDIR "/missing", O_RDONLY));
  {
    // Names too long for the file system: a component over NAME_MAX (255 bytes) where the walk reaches
    // it, before existence (a missing directory earlier in the path is still ENOENT), and a whole path of
    // PATH_MAX (4096) bytes or more.
    static char name[300], path[5000];
    memset(name, 'n', 256);
    name[256] = 0;
    snprintf(path, sizeof path, "%s/%s", TDIR, name);
    show("open 256-byte name", open(path, O_RDONLY));
    show("creat 256-byte name", open(path, O_CREAT | O_WRONLY, 0644));
    snprintf(path, sizeof path, "%s/%s/x", TDIR, name);
    show("open under 256-byte dir", open(path, O_RDONLY));
    snprintf(path, sizeof path, "%s/missing/%s", TDIR, name);
    show("open 256-byte name in missing dir", open(path, O_RDONLY));
    name[255] = 0;
    snprintf(path, sizeof path, "%s/%s", TDIR, name);
    show("open 255-byte name", open(path, O_RDONLY));
    size_t n = strlen(TDIR);
    memcpy(path, TDIR, n);
    for (size_t i = n; i < 4096; i += 2) memcpy(path + i, "/.", 2);
    path[4096] = 0;
    show("access 4096-byte path", access(path, F_OK));
    path[4095] = 0;
    show("access 4095-byte path", access(path, F_OK));
  }
  show("open excl existing", open(FILE1, O_CREAT | O_EXCL | O_WRONLY, 0644));
  show("open dir for writing", open(TDIR, O_WRONLY));
  show("open through file", open(FILE1 "/x", O_RDONLY));
  show("open O_DIRECTORY on file", open(FILE1, O_RDONLY | O_DIRECTORY));
  int d = open(TDIR, O_RDONLY | O_DIRECTORY);
  show("read dir", read(d, buf, 1));
  show("fstat dir", fstat(d, &st));
  printf("dir fd isdir %d\n", S_ISDIR(st.st_mode));
  close(d);
  FILE *df = fopen(TDIR, "r");
  printf("fopen dir r %d\n", df != NULL);
  if (df != NULL) {
    errno = 0;
    size_t n = fread(buf, 1, 4, df);
    printf("fread dir %zu ferror %d errno %d\n", n, ferror(df), errno);
    fclose(df);
  }
  errno = 0;
  printf("fopen dir w %d errno %d\n", fopen(TDIR, "w") != NULL, errno);
  d = open(TDIR, O_RDONLY | O_DIRECTORY);
  int e = openat(d, "b.txt", O_RDONLY);
  show("openat relative to dir fd", e >= 0 ? 0 : -1);
  show("fstatat", fstatat(d, "c.txt", &st, 0));
  printf("fstatat size %ld\n", (long)st.st_size);
  show("fstatat missing", fstatat(d, "nope", &st, 0));
  show("dup2", dup2(e, 40));
  show("F_DUPFD min 50", fcntl(e, F_DUPFD, 50));
  show("close 40", close(40));
  show("close 50", close(50));
  show("openat on file fd", openat(e, "x", O_RDONLY));
  close(e);
  close(d);
  // Directory listing (sorted here: the order of readdir is the file system's).
  DIR *dir = opendir(TDIR);
  char names[16][64];
  int count = 0, types = 0;
  for (struct dirent *de; dir != NULL && (de = readdir(dir)) != NULL;) {
    if (count < 16) snprintf(names[count++], 64, "%s", de->d_name);
    types += de->d_type == DT_DIR ? 100 : de->d_type == DT_REG ? 1 : 10000;
  }
  qsort(names, count, 64, (int (*)(const void *, const void *))strcmp);
  printf("readdir %d entries, types %d:", count, types);
  for (int i = 0; i < count; i++) printf(" %s", names[i]);
  printf("\n");
  rewinddir(dir);
  printf("after rewind first is dot %d\n", readdir(dir)->d_name[0] == '.');
  show("dirfd is a directory", fstat(dirfd(dir), &st) == 0 && S_ISDIR(st.st_mode));
  show("closedir", closedir(dir));
  errno = 0;
  printf("opendir missing %d errno %d\n", opendir(TDIR "/missing") != NULL, errno);
  errno = 0;
  printf("opendir file %d errno %d\n", opendir(FILE1) != NULL, errno);
  show("lstat", lstat(FILE1, &st));
  show("stat missing", stat(TDIR "/missing", &st));
  show("access F_OK", access(FILE1, F_OK));
  show("access R_OK|W_OK", access(FILE1, R_OK | W_OK));
  show("access X_OK", access(FILE1, X_OK));
  show("access dir X_OK", access(TDIR, X_OK));
  show("access missing", access(TDIR "/missing", F_OK));
  show("chmod 0755", chmod(FILE1, 0755));
  show("access X_OK after chmod", access(FILE1, X_OK));
  show("mkdir sub", mkdir(TDIR "/sub", 0700));
  show("rmdir nonempty", rmdir(TDIR));
  show("rmdir file", rmdir(FILE1));
  show("unlink dir", unlink(TDIR "/sub"));
  show("rmdir sub", rmdir(TDIR "/sub"));
  show("unlink missing", unlink(TDIR "/missing"));
  show("rename", rename(TDIR "/b.txt", TDIR "/sub2.txt"));
  show("stat renamed away", stat(TDIR "/b.txt", &st));
  show("unlink renamed", unlink(TDIR "/sub2.txt"));

  // Unlinked while open: still readable, no links.
  fd = open(FILE1, O_RDONLY);
  show("unlink open file", unlink(FILE1));
  fstat(fd, &st);
  printf("nlink after unlink %ld\n", (long)st.st_nlink);
  show("read unlinked", read(fd, buf, 4));
  show("stat unlinked", stat(FILE1, &st));
  close(fd);

  // Current directory.
  show("chdir", chdir(TDIR));
  char *cwd = getcwd(buf, sizeof buf);
  printf("getcwd %s\n", cwd ? cwd : "(null)");
  show("getcwd small", getcwd(buf, 3) == NULL ? -1 : 0);
  fd = open("rel.txt", O_CREAT | O_WRONLY, 0644);
  show("stat relative via absolute", stat(TDIR "/rel.txt", &st));
  close(fd);
  unlink("rel.txt");
  show("chdir file", chdir("/dev/null"));
  show("chdir missing", chdir("/nonexistent-dir"));
  chdir("/");

  // Standard streams are descriptors 0, 1, 2.
  show("read stdin", read(0, buf, 6));
  printf("stdin [%.6s]\n", buf);
  printf("fileno(stdout) %d\n", fileno(stdout));
  fflush(stdout);
  show("write fd 1", write(1, "direct\n", 7));
  show("lseek stdin", lseek(0, 0, SEEK_SET));
  errno = 0;
  printf("isatty 0 = %d errno %d\n", isatty(0), errno);
  errno = 0;
  printf("isatty bad = %d errno %d\n", isatty(99), errno);
  show("fstat stdout", fstat(1, &st));
  // A pipe or a socket, depending on who runs us; never a regular file or a directory.
  printf("stdout regular %d dir %d\n", S_ISREG(st.st_mode), S_ISDIR(st.st_mode));
  show("write bad fd", write(77, "x", 1));
  show("close -1", close(-1));

  // /dev/null.
  fd = open("/dev/null", O_RDWR);
  show("write /dev/null", write(fd, "gone", 4));
  show("read /dev/null", read(fd, buf, 4));
  fstat(fd, &st);
  printf("/dev/null chr %d\n", S_ISCHR(st.st_mode));
  close(fd);
  fd = open("/dev/zero", O_RDONLY);
  memset(buf, 7, 4);
  show("read /dev/zero", read(fd, buf, 4));
  printf("zeros %d\n", buf[0] == 0 && buf[3] == 0);
  close(fd);

  cleanup();
  show("stat after cleanup", stat(TDIR, &st));
  return 0;
}
