/* train_linear.c - the liblinear backend: one binary linear SVM.
 *
 * Caveats (see docs/engine.md for the measurements behind them):
 *  - Solver: L2-regularised L2-loss SVC in the primal (liblinear solver 2,
 *    a trust-region Newton method). liblinear's dual coordinate-descent
 *    solvers (1 and 3) shuffle with rand(), whose state is process-wide, so
 *    binary problems trained on parallel threads would interleave one
 *    sequence and the model would depend on the thread count. Solver 2 uses
 *    no randomness: the same rows give the same weights on any thread.
 *  - The bias is liblinear's extra feature (index n_features + 1, value 1),
 *    regularised like the others, as liblinear's -B 1 does.
 *  - liblinear orders classes by first appearance; tci_train puts a
 *    positive row first, so class 0 is "has the label" and w needs no flip.
 *    We still check model->label[0] and flip when it says otherwise.
 *  - liblinear allocates with C++ new: out of memory inside train() ends
 *    the process (std::bad_alloc), which no C caller can catch. The
 *    allocations it makes are O(rows + features) per problem, far smaller
 *    than the matrix we already hold. */
#include <stdlib.h>
#include <string.h>

#include <linear.h>

#include "internal.h"

typedef struct lsolver {
  tci_solver base;
  struct feature_node *nodes;   /* every row with its bias node and terminator */
  struct feature_node **row;    /* n_rows pointers into nodes */
} lsolver;

static void destroy(tci_solver *s) {
  lsolver *l = (lsolver *)s;
  free(l->nodes);
  free(l->row);
  free(l);
}

static int solve(const tci_solver *s, const tci_binary *b, double eps, const double *init,
                 tci_binsol *out) {
  const lsolver *ls = (const lsolver *)s;
  int nf = s->X->n_features, w_n = nf + 1, k;
  struct problem prob;
  struct parameter par;
  struct model *mo;
  int wl[2] = {+1, -1};
  double wt[2];
  size_t i;
  double sign;
  memset(&prob, 0, sizeof prob);
  memset(&par, 0, sizeof par);
  out->w = NULL;
  out->svm = NULL;
  out->sign = 1;
  if (b->n > (size_t)INT32_MAX) return TC_ELIMIT;
  prob.l = (int)b->n;
  prob.n = w_n;
  prob.bias = 1.0;
  prob.y = malloc(b->n * sizeof *prob.y);
  prob.x = malloc(b->n * sizeof *prob.x);
  out->w = malloc((size_t)w_n * sizeof *out->w);
  if (!prob.y || !prob.x || !out->w) goto oom;
  for (i = 0; i < b->n; i++) {
    prob.y[i] = b->y[b->rows[i]];
    prob.x[i] = ls->row[b->rows[i]];
  }
  par.solver_type = L2R_L2LOSS_SVC;
  par.eps = eps > 0 ? eps : 0.01; /* liblinear's own default for this solver */
  par.C = 1.0;
  par.nr_weight = 2;
  par.weight_label = wl;
  wt[0] = b->C_pos;
  wt[1] = b->C_neg;
  par.weight = wt;
  par.p = 0.1;
  /* liblinear's solution is for its class 0; a warm start must be too.
   * Class 0 is +1 because rows[0] is positive. */
  par.init_sol = (double *)init; /* read only: liblinear copies it into w */
  if (check_parameter(&prob, &par)) {
    free(prob.y);
    free(prob.x);
    free(out->w);
    out->w = NULL;
    return TC_EINVAL;
  }
  mo = train(&prob, &par);
  free(prob.y);
  free(prob.x);
  prob.y = NULL;
  prob.x = NULL;
  if (!mo) goto oom;
  sign = (mo->nr_class == 2 && mo->label[0] == -1) ? -1.0 : 1.0;
  for (k = 0; k < w_n; k++) out->w[k] = sign * mo->w[k];
  free_and_destroy_model(&mo);
  return TC_OK;
oom:
  free(prob.y);
  free(prob.x);
  free(out->w);
  out->w = NULL;
  return TC_ENOMEM;
}

int tci_liblinear_new(const tci_matrix *X, tci_solver **out) {
  lsolver *l;
  size_t r, nn, at = 0;
  *out = NULL;
  if (X->n_rows > SIZE_MAX / 2 || X->off[X->n_rows] > SIZE_MAX / sizeof *l->nodes - 2 * X->n_rows)
    return TC_ELIMIT;
  nn = X->off[X->n_rows] + 2 * X->n_rows;
  l = calloc(1, sizeof *l);
  if (!l) return TC_ENOMEM;
  l->nodes = malloc((nn ? nn : 1) * sizeof *l->nodes);
  l->row = malloc((X->n_rows ? X->n_rows : 1) * sizeof *l->row);
  if (!l->nodes || !l->row) {
    destroy(&l->base);
    return TC_ENOMEM;
  }
  for (r = 0; r < X->n_rows; r++) {
    size_t j;
    l->row[r] = l->nodes + at;
    for (j = X->off[r]; j < X->off[r + 1]; j++) {
      l->nodes[at].index = X->f[j].index;
      l->nodes[at++].value = X->f[j].value;
    }
    l->nodes[at].index = X->n_features + 1; /* the bias feature */
    l->nodes[at++].value = 1.0;
    l->nodes[at].index = -1;
    l->nodes[at++].value = 0.0;
  }
  l->base.X = X;
  l->base.solve = solve;
  l->base.destroy = destroy;
  l->base.rows = NULL;
  *out = &l->base;
  return TC_OK;
}
