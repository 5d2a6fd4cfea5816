/* train_dcd.c - our own solver for one binary linear SVM: dual coordinate
 * descent for the L2-regularised L2-loss SVM (TC_SOLVER_DCD).
 *
 * It solves the same problem as liblinear's solver 2 (min 1/2 |w|^2 +
 * sum_i C_i max(0, 1 - y_i w.x_i)^2, bias as an extra feature of value 1),
 * by the dual coordinate descent method of Hsieh, Chang, Lin, Keerthi and
 * Sundararajan, "A dual coordinate descent method for large-scale linear
 * SVM" (ICML 2008), with its shrinking heuristic. That method is what makes
 * `liblinear-train`'s default solver fast, but liblinear shuffles with
 * rand(), whose state is process-wide, so parallel problems would depend on
 * scheduling. Here each problem shuffles with its own splitmix64 stream
 * seeded from params.seed and the label (tci_binary.seed): deterministic on
 * any thread, and the host's rand() sequence is untouched.
 *
 * Caveats:
 *  - Stopping: the projected-gradient spread falls below eps (default 0.1,
 *    as liblinear's dual solvers). A problem still short of that after
 *    1000 passes is badly conditioned (identical rows with opposite labels
 *    and a large C: decision values were off by up to 2.4 at C = 10^4) and
 *    is finished by liblinear's primal Newton solver, started from our w:
 *    as deterministic, at the cost of a copy of the rows for that problem.
 *    liblinear's own dual solver stops there with a warning instead.
 *  - No warm start (init is ignored): a dual start would need the
 *    multipliers, and a cold start is already cheap.
 *  - Everything is allocated by us and checked: TC_ENOMEM, never an
 *    abort. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_PASSES 1000

typedef struct dsolver {
  tci_solver base;
  double *sqnorm;   /* |x_r|^2 + 1 (the bias feature) per matrix row */
} dsolver;

static void destroy(tci_solver *s) {
  dsolver *d = (dsolver *)s;
  free(d->sqnorm);
  free(d);
}

/* The problem b, given up by us after MAX_PASSES, solved by liblinear's
 * primal solver from w (ours, freed here) with the caller's eps. */
static int finish_with_liblinear(const tci_solver *s, const tci_binary *b, double eps, double *w,
                                 tci_binsol *out) {
  tci_solver *lin;
  int rc = tci_liblinear_new(s->X, &lin);
  if (rc == TC_OK) {
    rc = tci_solver_solve(lin, b, eps, w, out);
    tci_solver_free(lin);
  }
  free(w);
  return rc;
}

static int solve(const tci_solver *s, const tci_binary *b, double eps, const double *init,
                 tci_binsol *out) {
  const dsolver *ds = (const dsolver *)s;
  const tci_matrix *X = s->X;
  size_t n = b->n, nf = (size_t)X->n_features, active = n, i, pass;
  double *alpha = calloc(n ? n : 1, sizeof *alpha);
  double *diag = malloc((n ? n : 1) * sizeof *diag);  /* D_ii = 1 / (2 C_i) */
  size_t *idx = malloc((n ? n : 1) * sizeof *idx);
  double *w = calloc(nf + 1, sizeof *w);
  double pg_max_old = INFINITY; /* L2 loss has no upper bound on alpha, so no
                                    lower shrinking threshold either */
  uint64_t st = b->seed;
  const double eps_given = eps;
  (void)init;
  out->w = NULL;
  out->svm = NULL;
  out->sign = 1;
  if (!alpha || !diag || !idx || !w) {
    free(alpha);
    free(diag);
    free(idx);
    free(w);
    return TC_ENOMEM;
  }
  if (eps <= 0) eps = 0.1;
  for (i = 0; i < n; i++) {
    diag[i] = 0.5 / (b->y[b->rows[i]] > 0 ? b->C_pos : b->C_neg);
    idx[i] = i;
  }
  for (pass = 0; pass < MAX_PASSES; pass++) {
    double pg_max = -INFINITY, pg_min = INFINITY;
    size_t k = 0;
    tci_shuffle(idx, active, &st);
    while (k < active) {
      size_t q = idx[k], r = b->rows[q], f;
      double yi = b->y[r], g, pg = 0;
      g = yi * tci_row_decision(X, w, r) - 1 + diag[q] * alpha[q];
      if (alpha[q] == 0) {
        if (g > pg_max_old) { /* shrink: q is unlikely to move */
          active--;
          idx[k] = idx[active];
          idx[active] = q;
          continue;
        }
        if (g < 0) pg = g;
      } else {
        pg = g;
      }
      if (pg > pg_max) pg_max = pg;
      if (pg < pg_min) pg_min = pg;
      if (fabs(pg) > 1e-12) {
        double old = alpha[q], d;
        alpha[q] = fmax(old - g / (ds->sqnorm[r] + diag[q]), 0.0);
        d = (alpha[q] - old) * yi;
        for (f = X->off[r]; f < X->off[r + 1]; f++) w[X->f[f].index - 1] += d * X->f[f].value;
        w[nf] += d;
      }
      k++;
    }
    if (pg_max - pg_min <= eps) {
      if (active == n) break;
      active = n; /* converged on the shrunk set: check everything once more */
      pg_max_old = INFINITY;
      continue;
    }
    pg_max_old = pg_max <= 0 ? INFINITY : pg_max;
  }
  free(alpha);
  free(diag);
  free(idx);
  if (pass == MAX_PASSES) return finish_with_liblinear(s, b, eps_given, w, out);
  out->w = w;
  return TC_OK;
}

int tci_dcd_new(const tci_matrix *X, tci_solver **out) {
  dsolver *d;
  size_t r, k;
  *out = NULL;
  d = calloc(1, sizeof *d);
  if (!d) return TC_ENOMEM;
  d->sqnorm = malloc((X->n_rows ? X->n_rows : 1) * sizeof *d->sqnorm);
  if (!d->sqnorm) {
    free(d);
    return TC_ENOMEM;
  }
  for (r = 0; r < X->n_rows; r++) {
    double q = 1.0;
    for (k = X->off[r]; k < X->off[r + 1]; k++) q += X->f[k].value * X->f[k].value;
    d->sqnorm[r] = q;
  }
  d->base.X = X;
  d->base.solve = solve;
  d->base.destroy = destroy;
  d->base.rows = NULL;
  *out = &d->base;
  return TC_OK;
}
