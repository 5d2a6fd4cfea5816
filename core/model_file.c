/* model_file.c - model files: atomic saving, bounded loading.
 *
 * Caveats
 *  - Saving never writes over the old file in place. It writes a temporary
 *    file in the same directory (rename is only atomic within a file
 *    system), fsyncs it, renames it over `path`, then fsyncs the directory
 *    so the rename itself survives a crash. Until the rename the old file
 *    is untouched; on any failure before it the temporary is removed. (A
 *    crash before the rename can leave "<path>.tmp-*" behind, never a
 *    damaged model at `path`.)
 *  - The temporary file is created with O_EXCL and mode 0666 minus the
 *    umask (as a plain fopen would), under a name derived from the pid, the
 *    clock and a retry counter: no mutable statics, no mkstemp (whose 0600
 *    would leak into the final file). When `path` already exists its
 *    permission bits are carried over.
 *  - `path` naming a symbolic link: the link itself is replaced by the new
 *    file (rename semantics), the link's target is left alone.
 *  - A directory fsync that the file system does not support (EINVAL,
 *    ENOTSUP) is not an error: the data itself has been synced.
 *  - Loading reads the whole file (at most TCI_MODEL_MAX_BYTES) and hands
 *    it to tc_model_from_bytes. No setlocale, no libsvm parsing, so unlike
 *    svm_load_model it is safe to call from any thread.
 */
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

/* The largest model file we read: 1 GiB. The default model is tens of MB. */
#define TCI_MODEL_MAX_BYTES ((size_t)1 << 30)

/* diag gets "what PATH: strerror(err)" and the code. */
static int io_fail(tc_diag *diag, int code, const char *what, const char *path, int err) {
  char msg[128];
  if (strerror_r(err, msg, sizeof msg) != 0) snprintf(msg, sizeof msg, "error %d", err);
  return tci_fail(diag, code, "%s %.160s: %s", what, path, msg);
}

/* ======================================================== saving */

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

/* Creates "<path>.tmp-<pid>-<n>" exclusively; *tmp is malloc'ed. */
static int create_temp(const char *path, char **tmp, int *fd_out) {
  size_t n = strlen(path) + 64;
  char *name = malloc(n);
  struct timespec ts;
  unsigned attempt;
  int fd = -1;
  *tmp = NULL;
  *fd_out = -1;
  if (!name) return ENOMEM;
  for (attempt = 0; attempt < 100; attempt++) {
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(name, n, "%s.tmp-%ld-%lx%02u", path, (long)getpid(),
             (unsigned long)ts.tv_nsec, attempt);
    fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0 || errno != EEXIST) break;
  }
  if (fd < 0) {
    int err = errno;
    free(name);
    return err;
  }
  *tmp = name;
  *fd_out = fd;
  return 0;
}

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

/* After the rename: make the directory entry durable. `dir` was made
 * before the rename, so nothing here can fail for lack of memory. */
static int sync_dir(const char *dir, tc_diag *diag) {
  int fd = open(dir, O_RDONLY | O_CLOEXEC), rc = TC_OK;
  if (fd < 0) return io_fail(diag, TC_EIO, "save: cannot open directory", dir, errno);
  if (fsync(fd) != 0 && errno != EINVAL && errno != ENOTSUP)
    rc = io_fail(diag, TC_EIO, "save: cannot sync directory", dir, errno);
  close(fd);
  return rc;
}

int tc_model_save(const tc_model *m, const char *path, tc_diag *diag) {
  unsigned char *bytes = NULL;
  size_t len = 0;
  char *tmp = NULL, *dir;
  struct stat st;
  int fd, rc, err;
  if (!m || !path || !*path) return tci_fail(diag, TC_EINVAL, "save: no model or path given");
  /* rename() would replace a device or FIFO by a regular file: refuse. */
  if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
    return tci_fail(diag, TC_EIO, "save: %s exists and is not a regular file", path);
  rc = tci_model_encode(m, &bytes, &len, diag);
  if (rc != TC_OK) return rc;
  dir = dir_of(path);
  err = dir ? create_temp(path, &tmp, &fd) : ENOMEM;
  if (err) {
    free(bytes);
    free(dir);
    if (err == ENOMEM) return tci_fail(diag, TC_ENOMEM, "save: out of memory");
    return io_fail(diag, TC_EIO, "save: cannot create a temporary file beside", path, err);
  }
  /* Keep an existing file's permissions (best effort: the umask'ed 0666 otherwise). */
  if (stat(path, &st) == 0) (void)fchmod(fd, st.st_mode & 07777);
  if (write_all(fd, bytes, len) != 0) {
    rc = io_fail(diag, TC_EIO, "save: cannot write", tmp, errno);
  } else if (fsync(fd) != 0) {
    rc = io_fail(diag, TC_EIO, "save: cannot sync", tmp, errno);
  }
  free(bytes);
  if (close(fd) != 0 && rc == TC_OK) rc = io_fail(diag, TC_EIO, "save: cannot close", tmp, errno);
  if (rc == TC_OK && rename(tmp, path) != 0) rc = io_fail(diag, TC_EIO, "save: cannot rename onto", path, errno);
  if (rc != TC_OK) unlink(tmp);
  else rc = sync_dir(dir, diag);
  free(tmp);
  free(dir);
  return rc;
}

/* ======================================================== loading */

/* Reads a whole file of at most TCI_MODEL_MAX_BYTES. The size from fstat
 * sizes the buffer, but reading goes on to EOF so a file that grows or
 * shrinks meanwhile (or a pipe) is still read correctly. */
static int read_file(const char *path, unsigned char **out, size_t *len, tc_diag *diag) {
  struct stat st;
  unsigned char *buf = NULL, *nb;
  size_t cap, n = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  *out = NULL;
  *len = 0;
  if (fd < 0) return io_fail(diag, TC_EIO, "load: cannot open", path, errno);
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return io_fail(diag, TC_EIO, "load: cannot stat", path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return io_fail(diag, TC_EIO, "load: cannot read", path, EISDIR);
  }
  if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > TCI_MODEL_MAX_BYTES) {
    close(fd);
    return tci_fail(diag, TC_ELIMIT, "load: %.160s is %lld bytes, more than the %zu a model may have",
                    path, (long long)st.st_size, TCI_MODEL_MAX_BYTES);
  }
  cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
  buf = malloc(cap);
  for (;;) {
    ssize_t k;
    if (buf && n == cap) {
      nb = n > TCI_MODEL_MAX_BYTES ? NULL : realloc(buf, cap * 2);
      if (nb) { buf = nb; cap *= 2; }
      else { free(buf); buf = NULL; }
    }
    if (!buf) {
      close(fd);
      if (n > TCI_MODEL_MAX_BYTES)
        return tci_fail(diag, TC_ELIMIT, "load: %.160s is more than the %zu bytes a model may have",
                        path, TCI_MODEL_MAX_BYTES);
      return tci_fail(diag, TC_ENOMEM, "load: out of memory reading %.160s", path);
    }
    k = read(fd, buf + n, cap - n);
    if (k < 0) {
      int err = errno;
      if (err == EINTR) continue;
      free(buf);
      close(fd);
      return io_fail(diag, TC_EIO, "load: cannot read", path, err);
    }
    if (k == 0) break;
    n += (size_t)k;
  }
  close(fd);
  if (n > TCI_MODEL_MAX_BYTES) {
    free(buf);
    return tci_fail(diag, TC_ELIMIT, "load: %.160s is more than the %zu bytes a model may have",
                    path, TCI_MODEL_MAX_BYTES);
  }
  *out = buf;
  *len = n;
  return TC_OK;
}

int tc_model_load(const char *path, tc_model **out, tc_diag *diag) {
  unsigned char *bytes;
  size_t len;
  int rc;
  if (!out) return tci_fail(diag, TC_EINVAL, "load: no output given");
  *out = NULL;
  if (!path || !*path) return tci_fail(diag, TC_EINVAL, "load: no path given");
  rc = read_file(path, &bytes, &len, diag);
  if (rc != TC_OK) return rc;
  rc = tc_model_from_bytes(bytes, len, out, diag);
  free(bytes);
  return rc;
}
