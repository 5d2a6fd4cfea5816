/* normalize.c - UTF-8 repair and Unicode normalisation.
 * STUB: to be written. */
#include "internal.h"

int tc_normalize(const tc_options *o, tc_workspace *ws, const char *text, size_t len,
                 const char **out, size_t *out_len, size_t *n_invalid) {
  (void)o; (void)ws; (void)text; (void)len; (void)out; (void)out_len; (void)n_invalid; return TC_EINVAL; }
