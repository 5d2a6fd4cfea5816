/* terms.c - word and character n-gram terms.
 * STUB: to be written. */
#include "internal.h"

int tc_extractor_terms(const tc_extractor *ex, tc_workspace *ws, const char *text, size_t len, tc_term_fn fn, void *ud) {
  (void)ex; (void)ws; (void)text; (void)len; (void)fn; (void)ud; return TC_EINVAL; }
