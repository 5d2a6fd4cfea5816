/* model_file.c - atomic model files.
 * STUB: to be written. */
#include "internal.h"

int tc_model_save(const tc_model *m, const char *path, tc_diag *diag) { (void)m; (void)path; (void)diag; return TC_EINVAL; }
int tc_model_load(const char *path, tc_model **out, tc_diag *diag) { (void)path; (void)out; (void)diag; return TC_EINVAL; }
