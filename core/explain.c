/* explain.c - explanations.
 * STUB: to be written. */
#include "internal.h"

int tc_model_explain(const tc_model *m, tc_workspace *ws, const char *text, size_t len, size_t label, tc_contribution *out, size_t cap, size_t *n) {
  (void)m; (void)ws; (void)text; (void)len; (void)label; (void)out; (void)cap; (void)n; return TC_EINVAL; }
int tc_model_top_features(const tc_model *m, size_t label, tc_contribution *out, size_t cap, size_t *n) {
  (void)m; (void)label; (void)out; (void)cap; (void)n; return TC_EINVAL; }
