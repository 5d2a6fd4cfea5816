/* train_kernel.c - the libsvm backend: one binary C-SVC, linear or RBF.
 *
 * Caveats:
 *  - Linear solutions are collapsed at once to w = sum_i coef_i x_i and
 *    bias -rho (times the sign below), so a linear model never keeps its
 *    support vectors and predicts in O(non-zeros of the document).
 *  - RBF solutions keep libsvm's model; its SV pointers point into this
 *    solver's rows, so it must not outlive the solver. tci_train copies the
 *    support vectors into the model's pool before freeing the solver.
 *  - Sign: libsvm's decision value is positive for its label[0], the class
 *    of the first training row. tci_train puts a positive row first, and we
 *    still read label[0] and flip when needed, so "positive = has label"
 *    holds whatever libsvm version orders classes.
 *  - libsvm's C_SVC training uses no random numbers (only its probability
 *    and cross-validation code do, which we never call), so it is
 *    deterministic on any thread. Each call allocates its own kernel cache
 *    of cache_mb, so N threads use N caches.
 *  - libsvm allocates with C++ new: out of memory inside svm_train ends the
 *    process, which no C caller can catch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libsvm/svm.h>

#include "internal.h"

typedef struct ksolver {
  tci_solver base;
  struct svm_node *nodes;     /* every row with its terminator */
  struct svm_node **row;      /* n_rows pointers into nodes */
  struct svm_parameter par;   /* kernel, gamma, cache, eps, C = 1 */
} ksolver;

static void destroy(tci_solver *s) {
  ksolver *k = (ksolver *)s;
  free(k->nodes);
  free(k->row);
  free(k);
}

/* w = sign * sum_i coef_i x_i and the bias -sign * rho. */
static int collapse(const struct svm_model *m, int nf, double sign, double **w) {
  int i;
  const struct svm_node *x;
  double *v = calloc((size_t)nf + 1, sizeof *v);
  if (!v) return TC_ENOMEM;
  for (i = 0; i < m->l; i++) {
    double c = m->sv_coef[0][i];
    for (x = m->SV[i]; x->index != -1; x++)
      if (x->index >= 1 && x->index <= nf) v[x->index - 1] += c * x->value;
  }
  for (i = 0; i < nf; i++) v[i] *= sign;
  v[nf] = -sign * m->rho[0];
  *w = v;
  return TC_OK;
}

static int solve(const tci_solver *s, const tci_binary *b, double eps, const double *init,
                 tci_binsol *out) {
  const ksolver *ks = (const ksolver *)s;
  struct svm_problem prob;
  struct svm_parameter par = ks->par;
  struct svm_model *m;
  int wl[2] = {+1, -1}, rc = TC_OK;
  double wt[2];
  size_t i;
  (void)init; /* libsvm cannot warm-start */
  out->w = NULL;
  out->svm = NULL;
  out->sign = 1;
  if (b->n > (size_t)INT32_MAX) return TC_ELIMIT;
  prob.l = (int)b->n;
  prob.y = malloc((b->n ? b->n : 1) * sizeof *prob.y);
  prob.x = malloc((b->n ? b->n : 1) * sizeof *prob.x);
  if (!prob.y || !prob.x) {
    free(prob.y);
    free(prob.x);
    return TC_ENOMEM;
  }
  for (i = 0; i < b->n; i++) {
    prob.y[i] = b->y[b->rows[i]];
    prob.x[i] = ks->row[b->rows[i]];
  }
  if (eps > 0) par.eps = eps;
  par.C = 1.0;
  par.nr_weight = 2;
  par.weight_label = wl;
  wt[0] = b->C_pos;
  wt[1] = b->C_neg;
  par.weight = wt;
  if (svm_check_parameter(&prob, &par)) {
    free(prob.y);
    free(prob.x);
    return TC_EINVAL;
  }
  m = svm_train(&prob, &par);
  free(prob.y);
  free(prob.x); /* the model points at the rows themselves, not at this array */
  if (!m) return TC_ENOMEM;
  out->sign = (m->nr_class == 2 && m->label[0] == -1) ? -1.0 : 1.0;
  if (par.kernel_type == LINEAR) {
    rc = collapse(m, s->X->n_features, out->sign, &out->w);
    svm_free_and_destroy_model(&m);
  } else {
    out->svm = m;
  }
  return rc;
}

int tci_libsvm_new(const tci_matrix *X, const tc_train_params *p, tci_solver **out) {
  ksolver *k;
  size_t r, nn, at = 0;
  *out = NULL;
  if (X->off[X->n_rows] > SIZE_MAX / sizeof *k->nodes - X->n_rows) return TC_ELIMIT;
  nn = X->off[X->n_rows] + X->n_rows;
  k = calloc(1, sizeof *k);
  if (!k) return TC_ENOMEM;
  k->nodes = malloc((nn ? nn : 1) * sizeof *k->nodes);
  k->row = malloc((X->n_rows ? X->n_rows : 1) * sizeof *k->row);
  if (!k->nodes || !k->row) {
    destroy(&k->base);
    return TC_ENOMEM;
  }
  for (r = 0; r < X->n_rows; r++) {
    k->row[r] = k->nodes + at;
    at += tci_svm_nodes(k->nodes + at, X->f + X->off[r], X->off[r + 1] - X->off[r]);
  }
  k->par.svm_type = C_SVC;
  k->par.kernel_type = p->kernel == TC_KERNEL_RBF ? RBF : LINEAR;
  k->par.gamma = tc_train_params_gamma(p);
  k->par.cache_size = p->cache_mb; /* checked: in (0, 1e6] */
  k->par.eps = 0.001; /* libsvm's default */
  k->par.C = 1.0;
  k->par.nu = 0.5;
  k->par.p = 0.1;
  k->par.shrinking = 1;
  k->par.probability = 0;
  k->base.X = X;
  k->base.solve = solve;
  k->base.destroy = destroy;
  k->base.rows = (const struct svm_node *const *)k->row;
  *out = &k->base;
  return TC_OK;
}
