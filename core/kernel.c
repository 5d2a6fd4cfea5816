/* kernel.c - kernel (RBF) models assembled for libsvm.
 *
 * A kernel model keeps its support vectors once, pooled across labels
 * (tci_kernel in internal.h): one-vs-rest problems over the same documents
 * share most of their support vectors. libsvm's svm_predict_values wants
 * one struct svm_model per binary problem, so tci_kernel_assemble builds,
 * per label, a two-class C-SVC model whose SV pointers point into the pool
 * and whose sv_coef and rho point into the label's arrays. Nothing is
 * copied; the assembled models are views that live as long as the pool.
 *
 * Caveats
 *  - We never call svm_load_model, and never hand these models to
 *    svm_free_and_destroy_model or svm_free_model_content: those would free
 *    the pooled coefficients and rho, which belong to tci_kernel.
 *    tci_kernel_free releases exactly what tci_kernel_assemble made.
 *  - What libsvm 3.24's svm_predict_values (C_SVC branch) reads: param
 *    (svm_type, kernel_type, gamma; degree and coef0 for other kernels),
 *    nr_class, l, SV[0..l), nSV[0..nr_class), sv_coef[0][0..l), rho[0] and
 *    label[]. For two classes it sums sv_coef[0][k] * K(x, SV[k]) over all
 *    l vectors whatever the nSV split, subtracts rho[0], and answers
 *    label[0] when the sum is positive. So label = {+1, -1} makes a
 *    positive decision value mean "has the label". nSV[0] counts the
 *    positive coefficients (the +1 class's vectors, as libsvm would) and
 *    nSV[1] the rest, so the counts agree: nSV[0] + nSV[1] == l.
 *  - K(x, sv) walks both node lists to their index -1 terminator, so every
 *    pooled vector must end with one inside the pool: tci_kernel_check,
 *    which assemble and the loader both call, tests the cheap sufficient
 *    condition (every start < n_nodes, and the pool's last node is a
 *    terminator). Feature order and ranges within a vector are the
 *    loader's job (model_io.c).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include <libsvm/svm.h>

#include "internal.h"

/* ======================================================== freeing */

/* The parts one assembled svm_model owns (see assemble_one). */
static void free_svm(struct svm_model *s) {
  if (!s) return;
  free(s->SV);
  free(s->sv_coef);
  free(s->label);
  free(s->nSV);
  free(s);
}

static void free_assembled(tci_kernel *kern, size_t n_labels) {
  size_t l;
  if (!kern->svm) return;
  for (l = 0; l < n_labels; l++) free_svm(kern->svm[l]);
  free(kern->svm);
  kern->svm = NULL;
}

/* Frees the assembled models, every pooled array, and the tci_kernel
 * itself (it is always heap-allocated, owned by its tc_model). Accepts a
 * partly built kernel: NULL arrays and NULL per-label entries are fine. */
void tci_kernel_free(tci_kernel *kern, size_t n_labels) {
  size_t l;
  if (!kern) return;
  free_assembled(kern, n_labels);
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

/* ======================================================== assembling */

/* One label's binary model over the pool. Allocates the model, its SV
 * pointer array, its one-entry sv_coef array, and label[2] / nSV[2];
 * sv_coef[0] and rho point into kern. */
static int assemble_one(const tci_kernel *kern, size_t lab, struct svm_model **out) {
  struct svm_model *s;
  size_t n = kern->n_label_sv[lab], k, n_pos = 0;
  const uint32_t *idx = kern->sv_idx[lab];
  double *coef = kern->coef[lab];

  *out = NULL;
  s = calloc(1, sizeof *s);
  if (!s) return TC_ENOMEM;
  /* n + 1: malloc(0) may return NULL, which would read as a failure. */
  s->SV = malloc((n + 1) * sizeof *s->SV);
  s->sv_coef = malloc(sizeof *s->sv_coef);
  s->label = malloc(2 * sizeof *s->label);
  s->nSV = malloc(2 * sizeof *s->nSV);
  if (!s->SV || !s->sv_coef || !s->label || !s->nSV) {
    free_svm(s);
    return TC_ENOMEM;
  }
  for (k = 0; k < n; k++) {
    s->SV[k] = kern->nodes + kern->sv_start[idx[k]];
    if (coef[k] > 0) n_pos++;
  }
  s->param.svm_type = C_SVC;
  s->param.kernel_type = RBF;
  s->param.gamma = kern->gamma;
  s->nr_class = 2;
  s->l = (int)n;
  s->sv_coef[0] = coef;  /* libsvm only reads through it */
  s->rho = kern->rho + lab;
  s->probA = NULL;
  s->probB = NULL;
  s->sv_indices = NULL;
  s->label[0] = +1;
  s->label[1] = -1;
  s->nSV[0] = (int)n_pos;
  s->nSV[1] = (int)(n - n_pos);
  s->free_sv = 0;
  *out = s;
  return TC_OK;
}

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

/* Builds kern->svm, replacing any earlier assembly. On failure kern->svm
 * is NULL and the pool is untouched. */
int tci_kernel_assemble(tci_kernel *kern, size_t n_labels) {
  size_t l;
  int rc;
  if (!kern) return TC_EINVAL;
  free_assembled(kern, n_labels);
  rc = tci_kernel_check(kern, n_labels, TC_EINVAL, NULL);
  if (rc != TC_OK) return rc;
  kern->svm = calloc(n_labels, sizeof *kern->svm);
  if (!kern->svm) return TC_ENOMEM;
  for (l = 0; l < n_labels; l++) {
    rc = assemble_one(kern, l, &kern->svm[l]);
    if (rc != TC_OK) {
      free_assembled(kern, n_labels);
      return rc;
    }
  }
  return TC_OK;
}
