/* boilerplate.c - page furniture removal.
 * STUB: to be written. */
#include "internal.h"

int tci_strip_boilerplate(tc_workspace *ws, const char *text, size_t len, const char **out, size_t *out_len) {
  (void)ws; *out = text; *out_len = len; return TC_OK; }
