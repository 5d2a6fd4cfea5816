/* predict.c - prediction.
 * STUB: to be written. */
#include "internal.h"

int tc_model_predict(const tc_model *m, tc_workspace *ws, const char *text, size_t len, double threshold, tc_result *r) {
  (void)m; (void)ws; (void)text; (void)len; (void)threshold; (void)r; return TC_EINVAL; }
int tc_model_predict_batch(const tc_model *m, size_t n, const char *const *texts, const size_t *lens, double threshold, int threads, tc_result *results) {
  (void)m; (void)n; (void)texts; (void)lens; (void)threshold; (void)threads; (void)results; return TC_EINVAL; }
int tc_model_decision_values(const tc_model *m, tc_workspace *ws, const char *text, size_t len, double *values) {
  (void)m; (void)ws; (void)text; (void)len; (void)values; return TC_EINVAL; }
