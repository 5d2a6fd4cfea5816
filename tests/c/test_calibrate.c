/* test_calibrate.c - Platt scaling never inverts or flattens the order of
 * the decision values: anti-correlated, uninformative, tiny and non-finite
 * out-of-fold values fall back to the logistic of the margin, while a
 * normal fit is still Platt's own optimum (calibrate.c, "Caveats").
 * test_metrics.c checks the optimiser on a known sigmoid. */
#include <math.h>

#include "check.h"
#include "internal.h"

/* A uniform double in [0, 1) from splitmix64. */
static double unit(uint64_t *s) { return (double)(tci_splitmix64(s) >> 11) / 9007199254740992.0; }

/* The score never falls as f rises, on a grid over [-50, 50]. */
static int monotone(double A, double B) {
  double f, prev = -1;
  for (f = -50; f <= 50; f += 0.125) {
    double s = tci_platt_score(A, B, f);
    if (!(s >= prev)) return 0;
    prev = s;
  }
  return 1;
}

static int is_fallback(int rc, double A, double B) {
  return rc == TCI_PLATT_FALLBACK && A == -1.0 && B == 0.0;
}

/* Fit, then check for the fallback (A, B are read after the call). */
static int falls_back(size_t n, const double *f, const unsigned char *pos) {
  double A = 0, B = 1;
  int rc = tci_platt_fit(n, f, pos, NULL, &A, &B);
  return is_fallback(rc, A, B);
}

/* Gradient of Platt's objective (cross-entropy against the smoothed
 * targets) at (A, B), written out independently of calibrate.c. */
static void platt_gradient(size_t n, const double *f, const unsigned char *pos, double A,
                           double B, double *gA, double *gB) {
  size_t i, np = 0;
  double hi, lo;
  for (i = 0; i < n; i++) np += pos[i];
  hi = (np + 1.0) / (np + 2.0);
  lo = 1.0 / ((double)(n - np) + 2.0);
  *gA = *gB = 0;
  for (i = 0; i < n; i++) {
    double p = 1.0 / (1.0 + exp(A * f[i] + B)), t = pos[i] ? hi : lo;
    *gA += f[i] * (t - p);
    *gB += t - p;
  }
}

/* The bug: out-of-fold values of a tiny training set ran against the
 * labels (positives low, negatives high), and the fitted A came out
 * positive, so a larger margin gave a smaller score. Made here with enough
 * points that only the sign can be at fault. */
TEST(regression_anticorrelated_values_do_not_invert) {
  enum { N = 40 };
  double f[N], A = 0, B = 0;
  unsigned char pos[N];
  uint64_t s = 7;
  int i, rc;
  for (i = 0; i < N; i++) {
    pos[i] = i % 2;
    f[i] = (pos[i] ? -0.5 : 0.5) + 0.3 * (unit(&s) - 0.5);
  }
  rc = tci_platt_fit(N, f, pos, NULL, &A, &B);
  CHECK(A < 0);
  CHECK(is_fallback(rc, A, B));
  CHECK(monotone(A, B));
  CHECK(tci_platt_score(A, B, 0.0) == 0.5); /* the SVM's boundary */
}

/* The same shape as the reported case: two texts per class, three folds,
 * every out-of-fold value the bias of a fold model that favours the other
 * class (values of the engine's debug run of the pending Lua spec). */
TEST(regression_two_per_class_falls_back) {
  double f[4] = {-0.153614, -0.004096, -0.004096, 0.156836}, A, B;
  unsigned char pos[4] = {1, 1, 0, 0};
  int rc = tci_platt_fit(4, f, pos, NULL, &A, &B);
  CHECK(is_fallback(rc, A, B));
  CHECK(tci_platt_score(A, B, 0.156836) > tci_platt_score(A, B, -0.153614));
}

/* Values independent of the labels: whatever sign A takes, the fit is no
 * better than the base rate, and a flat sigmoid would let the intercepts
 * alone decide between labels. */
TEST(uninformative_values_fall_back) {
  enum { N = 60 };
  double f[N];
  unsigned char pos[N];
  uint64_t s = 11;
  int i;
  for (i = 0; i < N; i++) {
    pos[i] = unit(&s) < 0.3;
    f[i] = unit(&s) - 0.5;
  }
  CHECK(falls_back(N, f, pos));
}

/* Too few examples of a class out of fold: no fit, however clean the
 * separation; from five of each a clean separation is fitted. */
TEST(tiny_classes_fall_back) {
  double f[30], A, B;
  unsigned char pos[30];
  int i, k, rc;
  for (k = 1; k <= 5; k++) {
    for (i = 0; i < 2 * k; i++) {
      pos[i] = i < k;
      f[i] = pos[i] ? 1.0 + 0.1 * i : -1.0 - 0.1 * i;
    }
    rc = tci_platt_fit((size_t)(2 * k), f, pos, NULL, &A, &B);
    if (k < 5) CHECK(is_fallback(rc, A, B));
    else CHECK(rc != TCI_PLATT_FALLBACK && A < -1.0);
  }
  for (i = 0; i < 30; i++) { /* many negatives, four positives */
    pos[i] = i < 4;
    f[i] = pos[i] ? 1.0 : -1.0 - 0.01 * i;
  }
  CHECK(falls_back(30, f, pos));
  CHECK(falls_back(0, f, pos));
}

/* Identical values carry no information; NaN or infinite values cannot be
 * fitted at all. */
TEST(degenerate_values_fall_back) {
  double f[20];
  unsigned char pos[20];
  int i;
  for (i = 0; i < 20; i++) {
    pos[i] = i < 10;
    f[i] = 0.25;
  }
  CHECK(falls_back(20, f, pos));
  for (i = 0; i < 20; i++) f[i] = pos[i] ? 1.0 : -1.0;
  f[3] = NAN;
  CHECK(falls_back(20, f, pos));
  f[3] = INFINITY;
  CHECK(falls_back(20, f, pos));
  f[3] = -INFINITY;
  CHECK(falls_back(20, f, pos));
}

/* A normal fit is untouched by the guards: noisy but well-separated
 * values give a converged fit whose (A, B) is the stationary point of
 * Platt's objective, not the fallback. */
TEST(normal_fit_is_platts_optimum) {
  enum { N = 400 };
  static double f[N];
  static unsigned char pos[N];
  double A, B, gA, gB;
  uint64_t s = 3;
  int i, rc;
  for (i = 0; i < N; i++) {
    pos[i] = unit(&s) < 0.25;
    f[i] = (pos[i] ? 0.8 : -0.9) + 1.2 * (unit(&s) - 0.5);
  }
  rc = tci_platt_fit(N, f, pos, NULL, &A, &B);
  CHECK_EQ_INT(rc, TCI_PLATT_CONVERGED);
  CHECK(A < 0 && A != -1.0);
  platt_gradient(N, f, pos, A, B, &gA, &gB);
  CHECK(fabs(gA) < 1e-4 && fabs(gB) < 1e-4);
  CHECK(monotone(A, B));
  CHECK(tci_platt_score(A, B, 1.0) > 0.9 && tci_platt_score(A, B, -1.0) < 0.1);
}

/* Weights: scaling every weight alike changes nothing; weighing two
 * sources alike moves the fit to between them; a weight that is not a
 * finite number above 0 is refused. Source X (90 points) is positive
 * from f = 0.3 up, source Y (10 points) from f = -0.3: the unweighted
 * sigmoid crosses 1/2 near X's boundary, the balanced one near 0. */
TEST(weights_weigh_points) {
  enum { N = 100 };
  static double f[N], w[N], same[N];
  static unsigned char pos[N];
  double A0, B0, A1, B1, A2, B2;
  uint64_t s = 5;
  int i;
  for (i = 0; i < N; i++) {
    int in_y = i >= 90;
    f[i] = 2.0 * unit(&s) - 1.0;
    pos[i] = f[i] > (in_y ? -0.3 : 0.3);
    w[i] = in_y ? N / (2.0 * 10) : N / (2.0 * 90);
    same[i] = 3.0;
  }
  CHECK(tci_platt_fit(N, f, pos, NULL, &A0, &B0) != TCI_PLATT_FALLBACK);
  CHECK(tci_platt_fit(N, f, pos, same, &A1, &B1) != TCI_PLATT_FALLBACK);
  CHECK(fabs(A1 - A0) < 1e-6 && fabs(B1 - B0) < 1e-6);
  CHECK(tci_platt_fit(N, f, pos, w, &A2, &B2) != TCI_PLATT_FALLBACK);
  CHECK(-B0 / A0 > 0.2);              /* X's boundary, near 0.3 */
  CHECK(fabs(-B2 / A2) < 0.1);        /* halfway between X's and Y's */
  CHECK(monotone(A2, B2));
  for (i = 0; i < 4; i++) {
    const double bad[] = {0.0, -1.0, NAN, INFINITY};
    double keep = same[7];
    int rc;
    same[7] = bad[i];
    rc = tci_platt_fit(N, f, pos, same, &A1, &B1);
    CHECK(is_fallback(rc, A1, B1));
    same[7] = keep;
  }
}

int main(void) {
  RUN(regression_anticorrelated_values_do_not_invert);
  RUN(regression_two_per_class_falls_back);
  RUN(uninformative_values_fall_back);
  RUN(tiny_classes_fall_back);
  RUN(degenerate_values_fall_back);
  RUN(normal_fit_is_platts_optimum);
  RUN(weights_weigh_points);
  return check_report();
}
