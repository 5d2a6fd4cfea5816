/* tokenize.c - tokenisation.
 * STUB: to be written. */
#include "internal.h"

int tc_extractor_tokenize(const tc_extractor *ex, tc_workspace *ws, const char *text, size_t len, tc_tokens *out) {
  (void)ex; (void)ws; (void)text; (void)len; (void)out; return TC_EINVAL; }
