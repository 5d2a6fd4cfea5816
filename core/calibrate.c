/* calibrate.c - Platt scaling: decision values to probabilities.
 *
 * score = 1 / (1 + exp(A f + B)), with A and B minimising the cross-entropy
 * against Platt's smoothed targets (positives (N+ + 1)/(N+ + 2), negatives
 * 1/(N- + 2)), which keeps A finite on separable data. The minimiser is
 * Newton's method with a backtracking line search and a tiny ridge on the
 * Hessian, following the analysis in Lin, Lin & Weng, "A note on Platt's
 * probabilistic outputs for support vector machines" (2007): every log and
 * exp below is arranged so that it cannot overflow, whatever f is.
 *
 * Callers fit on out-of-fold decision values (train.c), never on the
 * training data's own, which would be overconfident. */
#include <math.h>

#include "internal.h"

#define MAX_ITER 100
#define MIN_STEP 1e-10
#define RIDGE 1e-12
#define GRAD_EPS 1e-5

/* log(1 + exp(-|z|)) + max(z, 0) - t z: the cross-entropy of one point
 * with target t at margin z = A f + B, stable for any z. */
static double point_loss(double t, double z) {
  return z >= 0 ? t * z + log1p(exp(-z)) : (t - 1) * z + log1p(exp(z));
}

double tci_platt_score(double A, double B, double f) {
  double z = A * f + B;
  /* 1/(1+e^z) = e^-z/(1+e^-z); pick the form whose exp cannot overflow */
  return z >= 0 ? exp(-z) / (1.0 + exp(-z)) : 1.0 / (1.0 + exp(z));
}

/* Targets are computed on the fly instead of stored: t_i depends only on
 * the class of point i. */
int tci_platt_fit(size_t n, const double *f, const unsigned char *pos, double *A, double *B) {
  size_t i, n_pos = 0, n_neg;
  double hi, lo, a, b, fval;
  int iter;
  for (i = 0; i < n; i++) n_pos += pos[i] != 0;
  n_neg = n - n_pos;
  hi = ((double)n_pos + 1.0) / ((double)n_pos + 2.0);
  lo = 1.0 / ((double)n_neg + 2.0);
  a = 0.0;
  b = log(((double)n_neg + 1.0) / ((double)n_pos + 1.0));
#define TARGET(i) (pos[i] ? hi : lo)
  fval = 0;
  for (i = 0; i < n; i++) fval += point_loss(TARGET(i), a * f[i] + b);
  for (iter = 0; iter < MAX_ITER; iter++) {
    double h11 = RIDGE, h22 = RIDGE, h21 = 0, g1 = 0, g2 = 0;
    double det, da, db, gd, step;
    for (i = 0; i < n; i++) {
      double z = a * f[i] + b, p, q, d1, d2;
      if (z >= 0) {
        double e = exp(-z);
        p = e / (1.0 + e);  /* the score, 1/(1+e^z) */
        q = 1.0 / (1.0 + e);
      } else {
        double e = exp(z);
        p = 1.0 / (1.0 + e);
        q = e / (1.0 + e);
      }
      d2 = p * q;
      h11 += f[i] * f[i] * d2;
      h22 += d2;
      h21 += f[i] * d2;
      d1 = TARGET(i) - p;
      g1 += f[i] * d1;
      g2 += d1;
    }
    if (fabs(g1) < GRAD_EPS && fabs(g2) < GRAD_EPS) {
      *A = a;
      *B = b;
      return 1;
    }
    det = h11 * h22 - h21 * h21;
    da = -(h22 * g1 - h21 * g2) / det;
    db = -(-h21 * g1 + h11 * g2) / det;
    gd = g1 * da + g2 * db;
    for (step = 1.0; step >= MIN_STEP; step /= 2) {
      double na = a + step * da, nb = b + step * db, nf = 0;
      for (i = 0; i < n; i++) nf += point_loss(TARGET(i), na * f[i] + nb);
      if (nf < fval + 1e-4 * step * gd) {
        a = na;
        b = nb;
        fval = nf;
        break;
      }
    }
    if (step < MIN_STEP) break; /* no decrease possible: keep the best so far */
  }
#undef TARGET
  *A = a;
  *B = b;
  return 0;
}
