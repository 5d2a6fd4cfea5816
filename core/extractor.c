/* extractor.c - extractor lifetime.
 * STUB: to be written. */
#include "internal.h"

int tc_extractor_new(const tc_options *o, tc_extractor **out, tc_diag *diag) { (void)o; (void)out; (void)diag; return TC_EINVAL; }
void tc_extractor_free(tc_extractor *ex) { (void)ex; }
const tc_options *tc_extractor_options(const tc_extractor *ex) { return &ex->opt; }
