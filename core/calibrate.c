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
 * Callers fit on out-of-fold decision values (train_ovr.c), never on the
 * training data's own, which would be overconfident.
 *
 * Caveats: when the fit is not to be trusted.
 *  - A calibrated score must never fall as the decision value rises: the
 *    SVM ranks documents, calibration only puts the ranking on a
 *    probability scale. Out-of-fold values can be anti-correlated with the
 *    labels when the training set is tiny: a fold model trained on 1 text
 *    of a class and 2 of another has almost no shared vocabulary with the
 *    held-out text, so its decision value is its bias, which favours
 *    whichever class that fold left in the majority. With 2 texts per
 *    class, 3 folds gave A = +7 and every training text the wrong label.
 *  - Out-of-fold values can also carry no signal at all: A comes out
 *    slightly negative, every score sits near the base rate, and the argmax
 *    over labels is decided by the intercepts alone. On 4 BBC/Hacker News
 *    texts per class (4 labels, 12 seeds) the unguarded fits gave a test
 *    accuracy of 0.734, the plain logistic of the margin 0.838.
 *  - So tci_platt_fit refuses to fit (TCI_PLATT_FALLBACK) with fewer than
 *    MIN_CLASS positives or negatives or a non-finite decision value, and
 *    discards a fit whose A is not negative or which does not explain the
 *    outcomes significantly better than the base rate (a likelihood-ratio
 *    test, below). It then returns A = -1, B = 0: the logistic of the
 *    margin, exactly what an uncalibrated model uses (train_ovr.c), so
 *    score 0.5 is the SVM's own boundary and a multi-label threshold of 0.5
 *    keeps its meaning (train_ovr.c then gives every label that sigmoid,
 *    so that scores compared across labels share one scale). Large
 *    training sets never get here: the shipped model's four fits have
 *    A from -5.8 to -8.7 and deviance drops of 2,500 to 6,200. */
#include <math.h>

#include "internal.h"

#define MAX_ITER 100
#define MIN_STEP 1e-10
#define RIDGE 1e-12
#define GRAD_EPS 1e-5

/* Fewest positives and negatives a fit needs. Three folds of fewer than
 * five examples of a class leave fold models trained on one to three of
 * them, too unlike the full model for their decision values to say how it
 * behaves (measured at 4 per class: of 8 fits, 1 inverted and none
 * significantly better than the base rate). */
#define MIN_CLASS 5
/* The fitted sigmoid must lower the deviance (twice the negative log
 * likelihood of the 0/1 outcomes) below the base rate's by this much: the
 * 95% point of chi-square with 1 degree of freedom, the one parameter A
 * adds. A and B minimise the smoothed-target loss, not this deviance, so
 * the drop measured is at most the best possible one and the test errs
 * towards the fallback. */
#define MIN_DEVIANCE_DROP 3.841458820694124
/* The fallback sigmoid: the logistic of the margin. */
#define FALLBACK_A (-1.0)
#define FALLBACK_B 0.0

/* log(1 + exp(-|z|)) + max(z, 0) - t z: the cross-entropy of one point
 * with target t at margin z = A f + B, stable for any z. */
static double point_loss(double t, double z) {
  return z >= 0 ? t * z + log1p(exp(-z)) : (t - 1) * z + log1p(exp(z));
}

/* Point i's weight: w[i], or 1 without weights. */
#define WEIGHT(w, i) ((w) ? (w)[i] : 1.0)

/* The weighted sum of point_loss of the sigmoid (A, B) on the points f, a
 * positive point's target being t_pos and a negative one's t_neg. */
static double total_loss(size_t n, const double *f, const unsigned char *pos, const double *w,
                         double t_pos, double t_neg, double A, double B) {
  double sum = 0;
  size_t i;
  for (i = 0; i < n; i++) sum += WEIGHT(w, i) * point_loss(pos[i] ? t_pos : t_neg, A * f[i] + B);
  return sum;
}

double tci_platt_score(double A, double B, double f) {
  double z = A * f + B;
  /* 1/(1+e^z) = e^-z/(1+e^-z); pick the form whose exp cannot overflow */
  return z >= 0 ? exp(-z) / (1.0 + exp(-z)) : 1.0 / (1.0 + exp(z));
}

/* Platt's Newton iteration. Targets are computed on the fly instead of
 * stored: t_i depends only on the class of point i. Returns 1 when the
 * gradient vanished, 0 at the iteration limit or a failed line search
 * (A, B are then the best values found). */
static int newton(size_t n, const double *f, const unsigned char *pos, const double *w,
                  size_t n_pos, double *A, double *B) {
  size_t i, n_neg = n - n_pos;
  double hi, lo, a, b, fval;
  int iter;
  hi = ((double)n_pos + 1.0) / ((double)n_pos + 2.0);
  lo = 1.0 / ((double)n_neg + 2.0);
  a = 0.0;
  b = log(((double)n_neg + 1.0) / ((double)n_pos + 1.0));
  fval = total_loss(n, f, pos, w, hi, lo, a, b);
  for (iter = 0; iter < MAX_ITER; iter++) {
    double h11 = RIDGE, h22 = RIDGE, h21 = 0, g1 = 0, g2 = 0;
    double det, da, db, gd, step;
    for (i = 0; i < n; i++) {
      double z = a * f[i] + b, wi = WEIGHT(w, i), p, q, d1, d2;
      if (z >= 0) {
        double e = exp(-z);
        p = e / (1.0 + e);  /* the score, 1/(1+e^z) */
        q = 1.0 / (1.0 + e);
      } else {
        double e = exp(z);
        p = 1.0 / (1.0 + e);
        q = e / (1.0 + e);
      }
      d2 = wi * p * q;
      h11 += f[i] * f[i] * d2;
      h22 += d2;
      h21 += f[i] * d2;
      d1 = wi * ((pos[i] ? hi : lo) - p);
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
      double na = a + step * da, nb = b + step * db;
      double nf = total_loss(n, f, pos, w, hi, lo, na, nb);
      if (nf < fval + 1e-4 * step * gd) {
        a = na;
        b = nb;
        fval = nf;
        break;
      }
    }
    if (step < MIN_STEP) break; /* no decrease possible: keep the best so far */
  }
  *A = a;
  *B = b;
  return 0;
}

/* Deviance of the (weighted) base rate minus that of the sigmoid (A, B),
 * on the 0/1 outcomes; both classes have weight. point_loss with target 1
 * or 0 is exactly -log(score) or -log(1 - score), so no score is ever
 * clamped. */
static double deviance_drop(size_t n, const double *f, const unsigned char *pos, const double *w,
                            double A, double B) {
  double w_pos = 0, w_all = 0, p0, base;
  size_t i;
  for (i = 0; i < n; i++) {
    w_all += WEIGHT(w, i);
    if (pos[i]) w_pos += WEIGHT(w, i);
  }
  p0 = w_pos / w_all;
  base = -(w_pos * log(p0) + (w_all - w_pos) * log1p(-p0));
  return 2.0 * (base - total_loss(n, f, pos, w, 1.0, 0.0, A, B));
}

int tci_platt_fit(size_t n, const double *f, const unsigned char *pos, const double *w,
                  double *A, double *B) {
  size_t i, n_pos = 0;
  int rc;
  for (i = 0; i < n; i++) {
    if (!isfinite(f[i]) || !(WEIGHT(w, i) > 0) || !isfinite(WEIGHT(w, i))) goto fallback;
    n_pos += pos[i] != 0;
  }
  if (n_pos < MIN_CLASS || n - n_pos < MIN_CLASS) goto fallback;
  rc = newton(n, f, pos, w, n_pos, A, B);
  /* !(A < 0) also catches a NaN */
  if (!(*A < 0) || !isfinite(*B) || !(deviance_drop(n, f, pos, w, *A, *B) >= MIN_DEVIANCE_DROP))
    goto fallback;
  return rc;
fallback:
  *A = FALLBACK_A;
  *B = FALLBACK_B;
  return TCI_PLATT_FALLBACK;
}
