/* train.c - training one-vs-rest SVMs.
 * STUB: to be written. */
#include "internal.h"

void tc_init(void) {}
void tc_train_params_init(tc_train_params *p) { (void)p; }
const char *tc_train_params_check(const tc_train_params *p, const tc_dataset *ds) { (void)p; (void)ds; return "not implemented"; }
int tc_model_train(const tc_dataset *ds, const tc_train_params *p, tc_model **out, tc_diag *diag) { (void)ds; (void)p; (void)out; (void)diag; return TC_EINVAL; }
int tci_train(const tc_dataset *ds, const tc_train_params *p, int cv, tc_model **out, tc_diag *diag) { (void)ds; (void)p; (void)cv; (void)out; (void)diag; return TC_EINVAL; }
