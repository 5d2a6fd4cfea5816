/* extractor_io.c - extractor (de)serialisation.
 * STUB: to be written. */
#include "internal.h"

int tc_extractor_to_bytes(const tc_extractor *ex, unsigned char **out, size_t *len) { (void)ex; (void)out; (void)len; return TC_EINVAL; }
int tc_extractor_from_bytes(const unsigned char *p, size_t len, tc_extractor **out, tc_diag *diag) { (void)p; (void)len; (void)out; (void)diag; return TC_EINVAL; }
