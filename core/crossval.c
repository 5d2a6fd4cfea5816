/* crossval.c - k-fold cross-validation.
 * STUB: to be written. */
#include "internal.h"

int tc_cross_validate(const tc_dataset *ds, const tc_train_params *p, int k, tc_metrics *out, double *fold_macro_f1, tc_diag *diag) {
  (void)ds; (void)p; (void)k; (void)out; (void)fold_macro_f1; (void)diag; return TC_EINVAL; }
