/* metrics.c - precision, recall, F1.
 * STUB: to be written. */
#include "internal.h"

int tc_metrics_new(size_t n_labels, tc_metrics **out) { (void)n_labels; (void)out; return TC_EINVAL; }
void tc_metrics_free(tc_metrics *m) { (void)m; }
int tc_metrics_add(tc_metrics *m, const uint32_t *gold, size_t n_gold, const uint32_t *predicted, size_t n_predicted) { (void)m; (void)gold; (void)n_gold; (void)predicted; (void)n_predicted; return TC_EINVAL; }
size_t tc_metrics_count(const tc_metrics *m) { (void)m; return 0; }
double tc_metrics_accuracy(const tc_metrics *m) { (void)m; return 0; }
double tc_metrics_exact_match(const tc_metrics *m) { (void)m; return 0; }
double tc_metrics_macro_f1(const tc_metrics *m) { (void)m; return 0; }
double tc_metrics_micro_f1(const tc_metrics *m) { (void)m; return 0; }
int tc_metrics_label(const tc_metrics *m, size_t i, tc_label_metrics *out) { (void)m; (void)i; (void)out; return TC_EINVAL; }
size_t tc_metrics_confusion(const tc_metrics *m, size_t gold, size_t predicted) { (void)m; (void)gold; (void)predicted; return 0; }
