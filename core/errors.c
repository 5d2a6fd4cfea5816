/* errors.c - error codes and diagnostics. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

const char *tc_strerror(int code) {
  switch (code) {
  case TC_OK: return "success";
  case TC_ENOMEM: return "out of memory";
  case TC_EINVAL: return "invalid argument";
  case TC_EIO: return "input/output error";
  case TC_EFORMAT: return "malformed or truncated data";
  case TC_EVERSION: return "unsupported format version";
  case TC_ECHECKSUM: return "checksum mismatch (file corrupted)";
  case TC_EDATA: return "unusable training data";
  case TC_ECANCELED: return "canceled";
  case TC_ELIMIT: return "size limit exceeded";
  default: return "unknown error";
  }
}

int tci_fail(tc_diag *diag, int code, const char *fmt, ...) {
  if (diag) {
    va_list ap;
    diag->code = code;
    diag->line = 0; /* a caller that knows the line sets it after */
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
  }
  return code;
}

int tci_io_fail(tc_diag *diag, int code, const char *what, const char *path, int err) {
  char msg[128];
  if (strerror_r(err, msg, sizeof msg) != 0) snprintf(msg, sizeof msg, "error %d", err);
  return tci_fail(diag, code, "%s %.160s: %s", what, path, msg);
}
