/* kernel.c - kernel (RBF) models: the pooled support vectors and their
 * decision values.
 *
 * A kernel model keeps its support vectors once, pooled across labels
 * (tci_kernel in internal.h): one-vs-rest problems over the same documents
 * share most of their support vectors. Label l's decision value is
 * sum_k coef[l][k] K(x, sv[idx[l][k]]) - rho[l], positive when the
 * document has the label. tci_kernel_decide computes K(x, sv) once per
 * pooled vector, into a buffer of the caller's (the workspace's: its
 * allocation is checked like every other), then each label's sum from it.
 *
 * Caveats
 *  - The values are libsvm 3.24's bit for bit (svm_predict_values on a
 *    two-class C-SVC model with these vectors, coefficients and rho, which
 *    is how kernel models predicted before; tests/c/test_kernel.c compares
 *    the two on random pools): rbf() adds up the squared distance in
 *    libsvm's k_function's order (one walk over both node lists by
 *    ascending index: (a - b)^2 for an index in both, a^2 or b^2 for one
 *    in either alone, then the rest of the longer list) and takes
 *    exp(-gamma * sum); label_decision adds coef * K in the label's order
 *    from 0, then subtracts rho. No fused multiply-add on either side: the
 *    build targets baseline x86-64, which has none to contract into (and
 *    -std=c99 turns GCC's contraction off), and Debian's libsvm.so.3 holds
 *    no FMA instruction (objdump).
 *  - Why not svm_predict_values: it mallocs three arrays a call without
 *    checking them (out of memory ended the process), and evaluated a
 *    vector shared by several labels once per label (an RBF model of bbc's
 *    1,712 training articles, 3 labels: a pool of 1,644 vectors, the
 *    labels' lists add up to 4,524).
 *  - Training still solves with libsvm (train_kernel.c), and scores its
 *    held-out rows with svm_predict_values on libsvm's own model
 *    (tci_binsol_decision): that model is libsvm's, made by svm_train,
 *    which allocates unchecked anyway.
 *  - Every pooled vector's kernel is computed, used by a label or not:
 *    training pools only the ones some label uses; a file's unused one
 *    costs its kernel and changes nothing.
 *  - K(x, sv) walks both node lists to their index -1 terminator, so every
 *    pooled vector must end with one inside the pool: tci_kernel_check,
 *    which the loader calls, tests the cheap sufficient condition (every
 *    start < n_nodes, and the pool's last node is a terminator). Feature
 *    order and ranges within a vector are the loader's job (model_io.c).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include <libsvm/svm.h>

#include "internal.h"

/* ======================================================== freeing */

/* Frees every pooled array and the tci_kernel itself (it is always
 * heap-allocated, owned by its tc_model). Accepts a partly built kernel:
 * NULL arrays and NULL per-label entries are fine. */
void tci_kernel_free(tci_kernel *kern, size_t n_labels) {
  size_t l;
  if (!kern) return;
  if (kern->sv_idx)
    for (l = 0; l < n_labels; l++) free(kern->sv_idx[l]);
  if (kern->coef)
    for (l = 0; l < n_labels; l++) free(kern->coef[l]);
  free(kern->sv_idx);
  free(kern->coef);
  free(kern->n_label_sv);
  free(kern->rho);
  free(kern->nodes);
  free(kern->sv_start);
  free(kern);
}

/* ======================================================== checking */

int tci_kernel_check(const tci_kernel *k, size_t n_labels, int code, tc_diag *diag) {
  size_t i, l, j;
  if (n_labels == 0) return tci_fail(diag, code, "kernel: no labels");
  if (!k->n_label_sv || !k->sv_idx || !k->coef || !k->rho)
    return tci_fail(diag, code, "kernel: per-label arrays missing");
  if (!isfinite(k->gamma) || !(k->gamma > 0))
    return tci_fail(diag, code, "kernel: gamma %g is not a positive number", k->gamma);
  if (k->n_sv > 0 && (!k->nodes || !k->sv_start || k->n_nodes == 0 || k->nodes[k->n_nodes - 1].index != -1))
    return tci_fail(diag, code, "kernel: the support vector pool is not terminated");
  for (i = 0; i < k->n_sv; i++)
    if (k->sv_start[i] >= k->n_nodes)
      return tci_fail(diag, code, "kernel: support vector %zu starts outside the pool", i);
  for (l = 0; l < n_labels; l++) {
    size_t n = k->n_label_sv[l];
    if (n > (size_t)INT_MAX) return tci_fail(diag, code, "kernel: label %zu has %zu support vectors", l, n);
    if (n > 0 && (!k->sv_idx[l] || !k->coef[l]))
      return tci_fail(diag, code, "kernel: label %zu: arrays missing", l);
    for (j = 0; j < n; j++)
      if (k->sv_idx[l][j] >= k->n_sv)
        return tci_fail(diag, code, "kernel: label %zu: support vector %zu is %lu, beyond the pool of %zu",
                        l, j, (unsigned long)k->sv_idx[l][j], k->n_sv);
  }
  return TC_OK;
}

size_t tci_svm_nodes(struct svm_node *dst, const tc_feature *f, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    dst[i].index = f[i].index;
    dst[i].value = f[i].value;
  }
  dst[n].index = -1;
  dst[n].value = 0;
  return n + 1;
}

/* ======================================================== decision values */

/* exp(-gamma |x - y|^2), the squared distance summed in libsvm's order
 * (see the caveats): one walk by ascending index, then what is left of
 * either list. */
static double rbf(const struct svm_node *x, const struct svm_node *y, double gamma) {
  double sum = 0;
  while (x->index != -1 && y->index != -1) {
    if (x->index == y->index) {
      double d = x->value - y->value;
      sum += d * d;
      x++;
      y++;
    } else if (x->index > y->index) {
      sum += y->value * y->value;
      y++;
    } else {
      sum += x->value * x->value;
      x++;
    }
  }
  for (; x->index != -1; x++) sum += x->value * x->value;
  for (; y->index != -1; y++) sum += y->value * y->value;
  return exp(-gamma * sum);
}

static const struct svm_node *pooled(const tci_kernel *k, uint32_t sv) {
  return k->nodes + k->sv_start[sv];
}

/* Label l's decision value from kv (K(x, sv) by pool index): the
 * coefficients in the label's order, then rho, as libsvm sums them. */
static double label_decision(const tci_kernel *k, size_t l, const double *kv) {
  const uint32_t *idx = k->sv_idx[l];
  const double *coef = k->coef[l];
  double sum = 0;
  size_t j;
  for (j = 0; j < k->n_label_sv[l]; j++) sum += coef[j] * kv[idx[j]];
  return sum - k->rho[l];
}

int tci_kernel_prepare(const tci_kernel *k, tc_workspace *ws, const tc_vector *v,
                       struct svm_node **x, double **kv) {
  int rc;
  if ((rc = tci_buf_reserve(&ws->nodes, v->n + 1, sizeof **x))) return rc;
  if ((rc = tci_buf_reserve(&ws->kvalues, k->n_sv, sizeof **kv))) return rc;
  *x = ws->nodes.p;
  *kv = ws->kvalues.p;
  tci_svm_nodes(*x, v->f, v->n);
  return TC_OK;
}

void tci_kernel_decide(const tci_kernel *k, size_t n_labels, const struct svm_node *x, double *kv,
                       double *dec) {
  size_t i, l;
  for (i = 0; i < k->n_sv; i++) kv[i] = rbf(x, pooled(k, (uint32_t)i), k->gamma);
  for (l = 0; l < n_labels; l++) dec[l] = label_decision(k, l, kv);
}

double tci_kernel_decide_label(const tci_kernel *k, size_t l, const struct svm_node *x, double *kv) {
  const uint32_t *idx = k->sv_idx[l];
  size_t j;
  for (j = 0; j < k->n_label_sv[l]; j++) kv[idx[j]] = rbf(x, pooled(k, idx[j]), k->gamma);
  return label_decision(k, l, kv);
}
