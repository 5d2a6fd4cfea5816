/* dataset.c - labelled training documents.
 * STUB: to be written. */
#include "internal.h"

int tc_dataset_new(tc_dataset **out) { (void)out; return TC_EINVAL; }
void tc_dataset_free(tc_dataset *ds) { (void)ds; }
int tc_dataset_add(tc_dataset *ds, const char *text, size_t len, const char *const *labels, size_t n_labels) { (void)ds; (void)text; (void)len; (void)labels; (void)n_labels; return TC_EINVAL; }
size_t tc_dataset_size(const tc_dataset *ds) { (void)ds; return 0; }
size_t tc_dataset_n_labels(const tc_dataset *ds) { (void)ds; return 0; }
const char *tc_dataset_label(const tc_dataset *ds, size_t i) { (void)ds; (void)i; return 0; }
