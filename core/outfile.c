/* outfile.c - files written atomically: model files (tc_model_save) and
 * the callers' own outputs (the command line's `eval --errors`).
 *
 * Caveats
 *  - Nothing is ever written over the old file in place. The bytes go to
 *    a temporary file in the same directory (rename is only atomic within
 *    a file system); commit fsyncs it, renames it over `path`, then fsyncs
 *    the directory so the rename itself survives a crash. Until the rename
 *    the old file is untouched; on any failure, and on discard, the
 *    temporary is removed.
 *  - On Linux the temporary has no name while it is written: it is made
 *    with O_TMPFILE in path's directory, and only commit links it in as
 *    "<path>.tmp-*" (through /proc/self/fd) just before the rename. So a
 *    process killed outright (SIGKILL, SIGTERM, the OOM killer), or a
 *    crash, leaves nothing behind, bar the microseconds between that link
 *    and the rename. Where O_TMPFILE or /proc is missing (another system,
 *    a file system without it), the temporary is named from the start, and
 *    a killed process can leave "<path>.tmp-*" behind; never a partial
 *    file at `path` either way.
 *  - A temporary's name is made with O_EXCL (or linkat, which never
 *    replaces a file) and mode 0666 minus the umask (as a plain fopen
 *    would), from the pid, the clock and a retry counter: no mutable
 *    statics, no mkstemp (whose 0600 would leak into the final file). When
 *    `path` already exists its permission bits are carried over.
 *  - `path` naming a symbolic link: the link itself is replaced by the new
 *    file (rename semantics), the link's target is left alone. A device,
 *    FIFO or directory at `path` is refused at open: rename would replace
 *    it by a regular file.
 *  - Writes are unbuffered write(2) calls: callers write in sizeable pieces.
 *  - The directory is opened before the rename, so a directory that
 *    cannot be opened fails the commit with the old file in place; only
 *    the directory's fsync itself can fail after the rename.
 *  - A directory fsync that the file system does not support (EINVAL,
 *    ENOTSUP) is not an error: the data itself has been synced.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* O_TMPFILE */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

struct tc_outfile {
  char *path;  /* where commit puts the file */
  char *tmp;   /* the temporary's name beside it; NULL while it has none (O_TMPFILE) */
  char *dir;   /* the directory both are in, for its fsync */
  int fd;
  int failed;  /* a write failed: the temporary may hold part of the bytes */
};

static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t k = write(fd, p, n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n);
    if (k < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (k == 0) { /* no progress and no error: do not spin */
      errno = EIO;
      return -1;
    }
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

/* Name a temporary "<path>.tmp-<pid>-<n>", exclusively: create that file
 * (anon_fd < 0; its descriptor in *fd_out), or link the unnamed file
 * anon_fd there. *tmp is malloc'ed. Returns 0 or an errno value. */
static int name_temp(const char *path, int anon_fd, char **tmp, int *fd_out) {
  size_t n = strlen(path) + 64;
  char *name = malloc(n), proc[64];
  struct timespec ts;
  unsigned attempt;
  int rc = 0;
  *tmp = NULL;
  if (!name) return ENOMEM;
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", anon_fd);
  for (attempt = 0; attempt < 100; attempt++) {
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(name, n, "%s.tmp-%ld-%lx%02u", path, (long)getpid(),
             (unsigned long)ts.tv_nsec, attempt);
    if (anon_fd >= 0)
      rc = linkat(AT_FDCWD, proc, AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0 ? 0 : errno;
    else
      rc = (*fd_out = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) >= 0 ? 0 : errno;
    if (rc != EEXIST) break;
  }
  if (rc) {
    free(name);
    return rc;
  }
  *tmp = name;
  return 0;
}

/* An unnamed file in directory dir, for writing (Linux's O_TMPFILE, when
 * /proc/self/fd is there to name it at commit), or -1. */
static int open_unnamed(const char *dir) {
#ifdef O_TMPFILE
  if (access("/proc/self/fd", X_OK) == 0) return open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
#else
  (void)dir;
#endif
  return -1;
}

/* The temporary, for messages: its name, or what it is for while it has none. */
static const char *temp_label(const tc_outfile *f) { return f->tmp ? f->tmp : f->path; }

/* The directory part of path ("." when there is none); malloc'ed. */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  size_t n = slash ? (size_t)(slash - path) : 1;
  char *d;
  if (slash && n == 0) n = 1; /* "/file" -> "/" */
  d = malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, slash ? path : ".", n);
  d[n] = 0;
  return d;
}

/* After the rename: make the directory entry durable. fd is the directory,
 * opened before the rename (commit). */
static int sync_dir(int fd, const char *dir, tc_diag *diag) {
  if (fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP)
    return tci_io_fail(diag, TC_EIO, "cannot sync directory", dir, errno);
  return TC_OK;
}

static void release(tc_outfile *f) {
  free(f->path);
  free(f->tmp);
  free(f->dir);
  free(f);
}

/* tc_outfile_open, and tci_outfile_open_named (unnamed 0) for the tests
 * of the named temporary that systems without O_TMPFILE get. */
static int outfile_open(const char *path, int unnamed, tc_outfile **out, tc_diag *diag) {
  tc_outfile *f;
  struct stat st;
  int err;
  if (out) *out = NULL;
  if (!path || !*path || !out) return tci_fail(diag, TC_EINVAL, "outfile: no path given");
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return tci_fail(diag, TC_EIO, "%.200s exists and is not a regular file", path);
  f = calloc(1, sizeof *f);
  if (!f || !(f->path = strdup(path)) || !(f->dir = dir_of(path))) {
    if (f) release(f);
    return tci_fail(diag, TC_ENOMEM, "%.200s: out of memory", path);
  }
  f->fd = unnamed ? open_unnamed(f->dir) : -1;
  err = f->fd >= 0 ? 0 : name_temp(path, -1, &f->tmp, &f->fd);
  if (err) {
    release(f);
    if (err == ENOMEM) return tci_fail(diag, TC_ENOMEM, "%.200s: out of memory", path);
    return tci_io_fail(diag, TC_EIO, "cannot create a temporary file beside", path, err);
  }
  /* Keep an existing file's permissions (best effort: the umask'ed 0666 otherwise). */
  if (stat(path, &st) == 0) (void)fchmod(f->fd, st.st_mode & 07777);
  *out = f;
  return TC_OK;
}

int tc_outfile_open(const char *path, tc_outfile **out, tc_diag *diag) {
  return outfile_open(path, 1, out, diag);
}

int tci_outfile_open_named(const char *path, tc_outfile **out, tc_diag *diag) {
  return outfile_open(path, 0, out, diag);
}

/* A failed write may have written part of its bytes, so the failure
 * sticks: later writes and the commit refuse, and only discard is left. */
int tc_outfile_write(tc_outfile *f, const void *p, size_t n, tc_diag *diag) {
  if (!f || (!p && n)) return tci_fail(diag, TC_EINVAL, "outfile: no file or bytes given");
  if (f->failed) return tci_fail(diag, TC_EIO, "%.200s: an earlier write failed", temp_label(f));
  if (write_all(f->fd, p, n) != 0) {
    f->failed = 1;
    return tci_io_fail(diag, TC_EIO, "cannot write", temp_label(f), errno);
  }
  return TC_OK;
}

/* The directory is opened before the rename: one that cannot be (write
 * and search permission without read) fails the commit while the old file
 * is still in place, instead of after replacing it. An unnamed temporary
 * is linked in under a name only once its bytes are synced. */
int tc_outfile_commit(tc_outfile *f, tc_diag *diag) {
  int rc = TC_OK, dir_fd = -1, err;
  if (!f) return tci_fail(diag, TC_EINVAL, "outfile: no file given");
  if (f->failed) rc = tci_fail(diag, TC_EIO, "%.200s: an earlier write failed", temp_label(f));
  else if (fsync(f->fd) != 0) rc = tci_io_fail(diag, TC_EIO, "cannot sync", temp_label(f), errno);
  if (rc == TC_OK && !f->tmp && (err = name_temp(f->path, f->fd, &f->tmp, NULL)) != 0)
    rc = err == ENOMEM ? tci_fail(diag, TC_ENOMEM, "%.200s: out of memory", f->path)
                       : tci_io_fail(diag, TC_EIO, "cannot link a temporary file beside", f->path, err);
  if (close(f->fd) != 0 && rc == TC_OK) rc = tci_io_fail(diag, TC_EIO, "cannot close", temp_label(f), errno);
  if (rc == TC_OK && (dir_fd = open(f->dir, O_RDONLY | O_CLOEXEC)) < 0)
    rc = tci_io_fail(diag, TC_EIO, "cannot open directory", f->dir, errno);
  if (rc == TC_OK && rename(f->tmp, f->path) != 0)
    rc = tci_io_fail(diag, TC_EIO, "cannot rename onto", f->path, errno);
  if (rc != TC_OK && f->tmp) unlink(f->tmp);
  else if (rc == TC_OK) rc = sync_dir(dir_fd, f->dir, diag);
  if (dir_fd >= 0) close(dir_fd);
  release(f);
  return rc;
}

void tc_outfile_discard(tc_outfile *f) {
  if (!f) return;
  close(f->fd);
  if (f->tmp) unlink(f->tmp);
  release(f);
}
