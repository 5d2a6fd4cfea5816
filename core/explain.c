/* explain.c - which features moved a label's decision value.
 *
 * Caveats:
 *  - Contributions are to the raw decision value, before calibration: the
 *    sigmoid is monotone, so the order is the same, and raw values add up
 *    (linear: sum of contributions + bias = decision value).
 *  - Kernel models: f(x) - f(x without j), computed by zeroing feature j's
 *    value in the node list (for the RBF kernel a zero entry and a missing
 *    one give the same distance), one tci_kernel_decide_label per feature:
 *    the label's own support vectors' kernels only.
 *  - Order: contribution descending, ties by feature index. */
#include <stdlib.h>
#include <string.h>

#include <libsvm/svm.h>

#include "internal.h"

static int by_weight(const void *a, const void *b) {
  const tc_contribution *x = a, *y = b;
  if (x->weight != y->weight) return x->weight > y->weight ? -1 : 1;
  return (x->feature > y->feature) - (x->feature < y->feature);
}

int tc_model_explain(const tc_model *m, tc_workspace *ws, const char *text, size_t len,
                     size_t label, tc_contribution *out, size_t cap, size_t *n) {
  tc_vector v;
  tc_contribution *c;
  size_t i, k;
  int rc;
  if (n) *n = 0;
  if (!m || !ws || !n || (!out && cap) || (!text && len) || label >= m->n_labels || !m->ex)
    return TC_EINVAL;
  if ((rc = tc_extractor_vectorize(m->ex, ws, text ? text : "", len, &v))) return rc;
  if ((rc = tci_buf_reserve(&ws->scratch, v.n + 1, sizeof *c))) return rc;
  c = ws->scratch.p;
  if (m->kernel == TC_KERNEL_LINEAR) {
    /* v's indices are m->ex's, 1..n_features: the weight table's rows (the
     * trainer and the loader make the table to the extractor's size) */
    if (!m->weights) return TC_EINVAL;
    for (i = 0; i < v.n; i++) {
      size_t j = (size_t)v.f[i].index;
      c[i].feature = v.f[i].index;
      c[i].weight = v.f[i].value * m->weights[(j - 1) * m->n_labels + label];
    }
  } else {
    struct svm_node *x;
    double *kv, full;
    if (!m->kern) return TC_EINVAL;
    if ((rc = tci_kernel_prepare(m->kern, ws, &v, &x, &kv))) return rc;
    full = tci_kernel_decide_label(m->kern, label, x, kv);
    for (i = 0; i < v.n; i++) {
      double keep = x[i].value, part;
      x[i].value = 0;
      part = tci_kernel_decide_label(m->kern, label, x, kv);
      x[i].value = keep;
      c[i].feature = v.f[i].index;
      c[i].weight = full - part;
    }
  }
  /* one contribution per feature */
  qsort(c, v.n, sizeof *c, by_weight);
  k = v.n < cap ? v.n : cap;
  if (k) memcpy(out, c, k * sizeof *c);
  *n = k;
  return TC_OK;
}

/* Keeps out[0..*n) sorted best first while scanning every weight once:
 * O(features x cap), and no allocation (there is no workspace here). */
int tc_model_top_features(const tc_model *m, size_t label, tc_contribution *out, size_t cap,
                          size_t *n) {
  size_t nf, j, k = 0, L;
  if (n) *n = 0;
  if (!m || !n || (!out && cap) || label >= m->n_labels) return TC_EINVAL;
  if (m->kernel != TC_KERNEL_LINEAR || !m->weights || !m->ex) return TC_EINVAL;
  nf = tc_extractor_n_features(m->ex);
  L = m->n_labels;
  if (cap == 0) return TC_OK;
  for (j = 0; j < nf; j++) {
    tc_contribution c;
    size_t i;
    c.weight = m->weights[j * L + label];
    c.feature = (int)(j + 1);
    if (c.weight == 0) continue;
    if (k == cap && by_weight(&c, &out[k - 1]) >= 0) continue;
    i = k < cap ? k++ : k - 1;
    for (; i > 0 && by_weight(&c, &out[i - 1]) < 0; i--) out[i] = out[i - 1];
    out[i] = c;
  }
  *n = k;
  return TC_OK;
}
