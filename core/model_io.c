/* model_io.c - model (de)serialisation.
 * STUB: to be written. */
#include "internal.h"

int tc_model_to_bytes(const tc_model *m, unsigned char **out, size_t *len) { (void)m; (void)out; (void)len; return TC_EINVAL; }
int tc_model_from_bytes(const unsigned char *p, size_t len, tc_model **out, tc_diag *diag) { (void)p; (void)len; (void)out; (void)diag; return TC_EINVAL; }
