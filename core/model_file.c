/* model_file.c - model files: atomic saving, bounded loading.
 *
 * Caveats
 *  - Saving encodes the model, then writes it through tc_outfile
 *    (outfile.c): a temporary file beside `path`, fsync, rename, directory
 *    fsync. On any failure the old file at `path` is untouched and the
 *    temporary removed; an invalid model never touches the file system.
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
#include <unistd.h>

#include "internal.h"

/* The largest model file we read: 1 GiB. The shipped model is 2.5 MB. */
#define TCI_MODEL_MAX_BYTES ((size_t)1 << 30)

/* ======================================================== saving */

/* diag's message, after a failure, said to be the save's. */
static int save_fail(tc_diag *diag, int rc) {
  if (diag) {
    char msg[sizeof diag->message];
    memcpy(msg, diag->message, sizeof msg);
    tci_fail(diag, rc, "save: %s", msg);
  }
  return rc;
}

int tc_model_save(const tc_model *m, const char *path, tc_diag *diag) {
  unsigned char *bytes = NULL;
  size_t len = 0;
  tc_outfile *f;
  int rc;
  if (!m) return tci_fail(diag, TC_EINVAL, "save: no model given");
  if (!path || !*path) return tci_fail(diag, TC_EINVAL, "save: no path given");
  rc = tci_model_encode(m, &bytes, &len, diag);
  if (rc != TC_OK) return save_fail(diag, rc);
  rc = tc_outfile_open(path, &f, diag);
  if (rc != TC_OK) {
    free(bytes);
    return save_fail(diag, rc);
  }
  rc = tc_outfile_write(f, bytes, len, diag);
  free(bytes);
  if (rc != TC_OK) {
    tc_outfile_discard(f);
    return save_fail(diag, rc);
  }
  rc = tc_outfile_commit(f, diag);
  return rc == TC_OK ? rc : save_fail(diag, rc);
}

/* ======================================================== loading */

static int too_big(tc_diag *diag, const char *path) {
  return tci_fail(diag, TC_ELIMIT, "load: %.160s is more than the %zu bytes a model may have", path,
                  TCI_MODEL_MAX_BYTES);
}

/* Open path for reading, refusing a directory and a regular file over
 * TCI_MODEL_MAX_BYTES; *cap is the buffer to start reading into (the
 * file's size and one byte, to see its end, or 64 KB for a stream). */
static int open_model(const char *path, int *fd_out, size_t *cap, tc_diag *diag) {
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return tci_io_fail(diag, TC_EIO, "load: cannot open", path, errno);
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    return tci_io_fail(diag, TC_EIO, "load: cannot stat", path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    close(fd);
    return tci_io_fail(diag, TC_EIO, "load: cannot read", path, EISDIR);
  }
  if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > TCI_MODEL_MAX_BYTES) {
    close(fd);
    return tci_fail(diag, TC_ELIMIT, "load: %.160s is %lld bytes, more than the %zu a model may have",
                    path, (long long)st.st_size, TCI_MODEL_MAX_BYTES);
  }
  *cap = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
  *fd_out = fd;
  return TC_OK;
}

/* Reads a whole file of at most TCI_MODEL_MAX_BYTES. The size from fstat
 * sizes the buffer, but reading goes on to EOF so a file that grows or
 * shrinks meanwhile (or a pipe) is still read correctly. Bytes that
 * cannot begin a model end the reading early: tc_model_from_bytes then
 * names the bad magic or version (a character device such as /dev/zero
 * never ends, and used to be buffered to the size limit first), and so do
 * a header whose length field is past the limit and bytes past the length
 * it gives (a model followed by a stream that never ends, `cat m /dev/zero`,
 * was read to the limit: 1 GiB and 10 s). */
static int read_file(const char *path, unsigned char **out, size_t *len, tc_diag *diag) {
  unsigned char *buf, *nb;
  size_t cap, n = 0;
  uint64_t declared;
  int fd = -1, rc;
  *out = NULL;
  *len = 0;
  if ((rc = open_model(path, &fd, &cap, diag)) != TC_OK) return rc;
  buf = malloc(cap);
  for (;;) {
    ssize_t k;
    if (buf && n == cap) { /* grown up to one byte past the limit, which is then refused */
      size_t grown = cap > TCI_MODEL_MAX_BYTES / 2 ? TCI_MODEL_MAX_BYTES + 1 : cap * 2;
      nb = n > TCI_MODEL_MAX_BYTES ? NULL : realloc(buf, grown);
      if (nb) { buf = nb; cap = grown; }
      else { free(buf); buf = NULL; }
    }
    if (!buf) {
      close(fd);
      if (n > TCI_MODEL_MAX_BYTES) return too_big(diag, path);
      return tci_fail(diag, TC_ENOMEM, "load: %.160s: out of memory", path);
    }
    k = read(fd, buf + n, cap - n);
    if (k < 0) {
      int err = errno;
      if (err == EINTR) continue;
      free(buf);
      close(fd);
      return tci_io_fail(diag, TC_EIO, "load: cannot read", path, err);
    }
    if (k == 0) break;
    n += (size_t)k;
    if (!tci_model_head_ok(buf, n)) break;
    declared = tci_model_declared_length(buf, n);
    if (declared > TCI_MODEL_MAX_BYTES || (declared > 0 && n > declared)) {
      free(buf);
      close(fd);
      if (declared > TCI_MODEL_MAX_BYTES)
        return tci_fail(diag, TC_ELIMIT, "load: %.160s says it is %llu bytes, more than the %zu a model may have",
                        path, (unsigned long long)declared, TCI_MODEL_MAX_BYTES);
      return tci_fail(diag, TC_EFORMAT, "load: %.160s: header: the model is %llu bytes, but more follow "
                      "(trailing bytes)", path, (unsigned long long)declared);
    }
  }
  close(fd);
  if (n > TCI_MODEL_MAX_BYTES) {
    free(buf);
    return too_big(diag, path);
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
  if (rc != TC_OK && diag) { /* which file: "load: PATH: header: ..." */
    char what[sizeof diag->message];
    memcpy(what, diag->message, sizeof what);
    tci_fail(diag, rc, "load: %.160s: %s", path, what);
  }
  return rc;
}
