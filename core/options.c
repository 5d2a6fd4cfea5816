/* options.c - extractor options: defaults and checks.
 * STUB: to be written. */
#include "internal.h"

void tc_options_init(tc_options *o) { (void)o; }
const char *tc_options_check(const tc_options *o) { (void)o; return "not implemented"; }
