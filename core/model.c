/* model.c - model lifetime and accessors.
 * STUB: to be written. */
#include "internal.h"

int tci_model_alloc(tc_model **out) { (void)out; return TC_EINVAL; }
int tci_model_set_meta(tc_model *m, const char *key, const char *value) { (void)m; (void)key; (void)value; return TC_EINVAL; }
void tc_model_free(tc_model *m) { (void)m; }
size_t tc_model_n_labels(const tc_model *m) { return m->n_labels; }
const char *tc_model_label(const tc_model *m, size_t i) { return i < m->n_labels ? m->labels[i] : 0; }
int tc_model_label_index(const tc_model *m, const char *name) { (void)m; (void)name; return -1; }
int tc_model_kernel(const tc_model *m) { return m->kernel; }
int tc_model_multilabel(const tc_model *m) { return m->multilabel; }
double tc_model_threshold(const tc_model *m) { return m->threshold; }
int tc_model_fallback(const tc_model *m) { return m->fallback; }
const tc_extractor *tc_model_extractor(const tc_model *m) { return m->ex; }
size_t tc_model_meta_count(const tc_model *m) { return m->n_meta; }
int tc_model_meta_at(const tc_model *m, size_t i, const char **key, const char **value) { (void)m; (void)i; (void)key; (void)value; return TC_EINVAL; }
const char *tc_model_meta(const tc_model *m, const char *key) { (void)m; (void)key; return 0; }
