/* test_metrics.c - metrics against hand-computed figures; Platt scaling on
 * synthetic data drawn from a known sigmoid. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "internal.h"
#include "oom.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)

/* Three labels, five documents, multi-label. Worked out by hand:
 *   doc  gold    predicted
 *   1    {0}     [0]        label0 tp
 *   2    {0}     [1]        label0 fn, label1 fp
 *   3    {1}     [1, 2]     label1 tp, label2 fp
 *   4    {1,2}   [2, 1]     label2 tp, label1 tp
 *   5    {2}     []         label2 fn
 * label0: tp1 fp0 fn1 -> P 1, R 1/2, F1 2/3
 * label1: tp2 fp1 fn0 -> P 2/3, R 1, F1 4/5
 * label2: tp1 fp1 fn1 -> P 1/2, R 1/2, F1 1/2
 * macro = (2/3 + 4/5 + 1/2) / 3; micro: tp 4, fp 2, fn 2 -> 8/12
 * accuracy (primary in gold): docs 1, 3, 4 -> 3/5; exact: 1 and 4 -> 2/5 */
TEST(hand_computed_multilabel) {
  tc_metrics *m;
  tc_label_metrics lm;
  uint32_t g1[] = {0}, p1[] = {0}, g2[] = {0}, p2[] = {1}, g3[] = {1}, p3[] = {1, 2};
  uint32_t g4[] = {1, 2}, p4[] = {2, 1}, g5[] = {2};
  CHECK_OK(tc_metrics_new(3, &m));
  CHECK_OK(tc_metrics_add(m, g1, 1, p1, 1));
  CHECK_OK(tc_metrics_add(m, g2, 1, p2, 1));
  CHECK_OK(tc_metrics_add(m, g3, 1, p3, 2));
  CHECK_OK(tc_metrics_add(m, g4, 2, p4, 2));
  CHECK_OK(tc_metrics_add(m, g5, 1, NULL, 0));
  CHECK_EQ_INT(tc_metrics_count(m), 5);
  CHECK(NEAR(tc_metrics_accuracy(m), 3.0 / 5));
  CHECK(NEAR(tc_metrics_exact_match(m), 2.0 / 5));
  CHECK(NEAR(tc_metrics_macro_f1(m), (2.0 / 3 + 4.0 / 5 + 1.0 / 2) / 3));
  CHECK(NEAR(tc_metrics_micro_f1(m), 8.0 / 12));
  CHECK_OK(tc_metrics_label(m, 1, &lm));
  CHECK_EQ_INT(lm.tp, 2);
  CHECK_EQ_INT(lm.fp, 1);
  CHECK_EQ_INT(lm.fn, 0);
  CHECK_EQ_INT(lm.support, 2);
  CHECK(NEAR(lm.precision, 2.0 / 3));
  CHECK(NEAR(lm.recall, 1.0));
  CHECK_OK(tc_metrics_label(m, 2, &lm));
  CHECK(NEAR(lm.f1, 0.5));
  /* confusion: first gold vs primary prediction; doc 5 has no prediction */
  CHECK_EQ_INT(tc_metrics_confusion(m, 0, 0), 1);
  CHECK_EQ_INT(tc_metrics_confusion(m, 0, 1), 1);
  CHECK_EQ_INT(tc_metrics_confusion(m, 1, 1), 1);
  CHECK_EQ_INT(tc_metrics_confusion(m, 1, 2), 1);
  CHECK_EQ_INT(tc_metrics_confusion(m, 2, 2), 0);
  CHECK_EQ_INT(tc_metrics_confusion(m, 3, 0), 0); /* out of range reads 0 */
  tc_metrics_free(m);
}

/* A label never seen in gold nor predicted does not enter macro-F1; one
 * with only false positives enters with F1 0. Undefined ratios are 0. */
TEST(macro_f1_skips_absent_labels) {
  tc_metrics *m;
  tc_label_metrics lm;
  uint32_t a[] = {0}, b[] = {1};
  CHECK_OK(tc_metrics_new(4, &m));
  CHECK(tc_metrics_macro_f1(m) == 0.0 && tc_metrics_accuracy(m) == 0.0);
  CHECK_OK(tc_metrics_add(m, a, 1, a, 1));
  CHECK(NEAR(tc_metrics_macro_f1(m), 1.0)); /* labels 1..3 absent */
  CHECK_OK(tc_metrics_add(m, a, 1, b, 1));
  /* label0: tp1 fn1 -> 2/3; label1: fp1 -> 0 */
  CHECK(NEAR(tc_metrics_macro_f1(m), (2.0 / 3 + 0) / 2));
  CHECK_OK(tc_metrics_label(m, 3, &lm));
  CHECK(lm.precision == 0 && lm.recall == 0 && lm.f1 == 0 && lm.support == 0);
  tc_metrics_free(m);
}

TEST(bad_input_changes_nothing) {
  tc_metrics *m;
  uint32_t ok[] = {0}, out[] = {5}, dup[] = {1, 1}, two[] = {0, 1};
  CHECK_EQ_INT(tc_metrics_new(0, &m), TC_EINVAL);
  CHECK_OK(tc_metrics_new(2, &m));
  CHECK_EQ_INT(tc_metrics_add(m, out, 1, ok, 1), TC_EINVAL);
  CHECK_EQ_INT(tc_metrics_add(m, ok, 1, out, 1), TC_EINVAL);
  CHECK_EQ_INT(tc_metrics_add(m, dup, 2, ok, 1), TC_EINVAL);
  CHECK_EQ_INT(tc_metrics_add(m, two, 2, dup, 2), TC_EINVAL);
  CHECK_EQ_INT(tc_metrics_add(m, NULL, 1, ok, 1), TC_EINVAL);
  CHECK_EQ_INT(tc_metrics_count(m), 0);
  /* the scratch marks were cleared: a valid document now counts normally */
  CHECK_OK(tc_metrics_add(m, two, 2, two, 2));
  CHECK(NEAR(tc_metrics_exact_match(m), 1.0));
  CHECK(NEAR(tc_metrics_micro_f1(m), 1.0));
  CHECK_EQ_INT(tc_metrics_label(m, 2, NULL), TC_EINVAL);
  tc_metrics_free(m);
  tc_metrics_free(NULL);
}

/* A million labels (a square matrix of counts would take 8 TB: the old
 * code's calloc failed, TC_ENOMEM) and more distinct (gold, predicted)
 * pairs than the confusion table starts with: every count must come
 * back, and pairs never seen read 0. */
TEST(confusion_is_sparse) {
  enum { LABELS = 1000000, DOCS = 5000 };
  tc_metrics *m;
  uint32_t g, p, i;
  size_t refused = 0, wrong = 0;
  CHECK_OK(tc_metrics_new(LABELS, &m));
  for (i = 0; i < DOCS; i++) {
    g = (i * 7919u) % LABELS;
    p = i % 3 == 0 ? g : (g + 1 + i % 5) % LABELS;
    refused += tc_metrics_add(m, &g, 1, &p, 1) != TC_OK;
    if (i % 2 == 0) refused += tc_metrics_add(m, &g, 1, &p, 1) != TC_OK; /* the same pair again */
  }
  CHECK_EQ_INT(refused, 0);
  for (i = 0; i < DOCS; i++) {
    g = (i * 7919u) % LABELS;
    p = i % 3 == 0 ? g : (g + 1 + i % 5) % LABELS;
    wrong += tc_metrics_confusion(m, g, p) != (i % 2 == 0 ? 2u : 1u);
    /* each document has a gold label of its own (7919 is prime to LABELS) */
    wrong += tc_metrics_confusion(m, g, (g + 6) % LABELS) != 0;
  }
  CHECK_EQ_INT(wrong, 0);
  CHECK_EQ_INT(tc_metrics_count(m), DOCS + (DOCS + 1) / 2);
  tc_metrics_free(m);
  CHECK_EQ_INT(tc_metrics_new((size_t)UINT32_MAX + 1, &m), TC_ELIMIT);
}

/* The walk over the confusion cells gives each pair counted once, with
 * its count, and nothing else: 5000 cells of a million labels (more
 * pairs than the table starts with, so it grew on the way). */
TEST(confusion_walk_gives_each_cell_once) {
  enum { LABELS = 1000000, DOCS = 5000 };
  static unsigned char seen[LABELS]; /* each document has a gold label of its own */
  tc_metrics *m;
  uint32_t g, p, i;
  size_t cursor = 0, gold, predicted, count, cells = 0, total = 0, wrong = 0;
  CHECK_OK(tc_metrics_new(LABELS, &m));
  CHECK_EQ_INT(tc_metrics_confusion_next(m, &cursor, &gold, &predicted), 0); /* none yet */
  for (i = 0; i < DOCS; i++) {
    g = (i * 7919u) % LABELS;
    p = (g + 1 + i % 5) % LABELS;
    wrong += tc_metrics_add(m, &g, 1, &p, 1) != TC_OK;
    if (i % 2 == 0) wrong += tc_metrics_add(m, &g, 1, &p, 1) != TC_OK;
  }
  cursor = 0;
  while ((count = tc_metrics_confusion_next(m, &cursor, &gold, &predicted)) > 0) {
    cells++;
    total += count;
    wrong += count != tc_metrics_confusion(m, gold, predicted) || seen[gold]++;
  }
  CHECK_EQ_INT(wrong, 0);
  CHECK_EQ_INT(cells, DOCS);
  CHECK_EQ_INT(total, DOCS + (DOCS + 1) / 2);
  CHECK_EQ_INT(tc_metrics_confusion_next(m, &cursor, &gold, &predicted), 0); /* stays at the end */
  CHECK_EQ_INT(tc_metrics_confusion_next(NULL, &cursor, &gold, &predicted), 0);
  CHECK_EQ_INT(tc_metrics_confusion_next(m, NULL, &gold, &predicted), 0);
  tc_metrics_free(m);
}

/* Labels added one at a time while documents come (as tc.metrics does for
 * gold labels a model does not know): counts made before a growth keep
 * their values, the new labels start at zero, an index is refused until
 * its label exists, and a confusion pair keeps its count across growths. */
TEST(grow_keeps_counts) {
  tc_metrics *m;
  tc_label_metrics lm;
  uint32_t g, p, i;
  size_t refused = 0, wrong = 0;
  CHECK_OK(tc_metrics_new(1, &m));
  g = 0;
  p = 0;
  CHECK_OK(tc_metrics_add(m, &g, 1, &p, 1));
  g = 1;
  CHECK_EQ_INT(tc_metrics_add(m, &g, 1, &p, 1), TC_EINVAL); /* label 1 does not exist yet */
  CHECK_EQ_INT(tc_metrics_count(m), 1);
  for (i = 1; i < 1000; i++) {   /* document i: gold i (a new label), predicted 0 */
    CHECK_OK(tc_metrics_grow(m, i + 1));
    g = i;
    refused += tc_metrics_add(m, &g, 1, &p, 1) != TC_OK;
  }
  CHECK_EQ_INT(refused, 0);
  CHECK_OK(tc_metrics_grow(m, 10)); /* never shrinks */
  CHECK_EQ_INT(tci_metrics_n_labels(m), 1000);
  CHECK_OK(tc_metrics_label(m, 0, &lm));
  CHECK_EQ_INT(lm.tp, 1);
  CHECK_EQ_INT(lm.fp, 999);
  for (i = 1; i < 1000; i++) {
    CHECK_OK(tc_metrics_label(m, i, &lm));
    wrong += lm.support != 1 || lm.fn != 1 || lm.tp != 0 || lm.fp != 0;
    wrong += tc_metrics_confusion(m, i, 0) != 1 || tc_metrics_confusion(m, 0, i) != 0;
  }
  CHECK_EQ_INT(wrong, 0);
  CHECK_EQ_INT(tc_metrics_confusion(m, 0, 0), 1);
  /* 1000 labels with support, F1 2/1001 for label 0 and 0 for the rest */
  CHECK(NEAR(tc_metrics_macro_f1(m), 2.0 / 1001.0 / 1000.0));
  CHECK_EQ_INT(tc_metrics_grow(m, (size_t)UINT32_MAX + 1), TC_ELIMIT);
  CHECK_EQ_INT(tci_metrics_n_labels(m), 1000);
  CHECK_EQ_INT(tc_metrics_grow(NULL, 5), TC_EINVAL);
  tc_metrics_free(m);
}

/* Draw f uniform in [-4, 4], label ~ Bernoulli(1/(1+exp(A f + B))) with
 * known A, B, then fit: the estimate must land near the truth. */
TEST(platt_recovers_known_sigmoid) {
  enum { N = 20000 };
  static double f[N];
  static unsigned char pos[N];
  uint64_t s = 42;
  double A, B;
  size_t i;
  const double trueA = -2.0, trueB = 0.5;
  for (i = 0; i < N; i++) {
    double u = (double)(tci_splitmix64(&s) >> 11) / 9007199254740992.0;
    double v = (double)(tci_splitmix64(&s) >> 11) / 9007199254740992.0;
    f[i] = -4 + 8 * u;
    pos[i] = v < 1.0 / (1.0 + exp(trueA * f[i] + trueB));
  }
  CHECK(tci_platt_fit(N, f, pos, NULL, &A, &B) == 1);
  CHECK(fabs(A - trueA) < 0.15);
  CHECK(fabs(B - trueB) < 0.1);
  CHECK(tci_platt_score(A, B, 3.0) > 0.9);
  CHECK(tci_platt_score(A, B, -3.0) < 0.1);
}

/* Perfectly separable data: the smoothed targets keep A finite and the
 * scores strictly inside (0, 1) on the training range. */
TEST(platt_separable_stays_finite) {
  double f[40];
  unsigned char pos[40];
  double A, B;
  int i;
  for (i = 0; i < 40; i++) {
    pos[i] = i >= 20;
    f[i] = pos[i] ? 1.0 + i * 0.05 : -1.0 - i * 0.05;
  }
  tci_platt_fit(40, f, pos, NULL, &A, &B);
  CHECK(isfinite(A) && isfinite(B) && A < 0);
  CHECK(tci_platt_score(A, B, 1.0) > 0.5 && tci_platt_score(A, B, 1.0) < 1.0);
  CHECK(tci_platt_score(A, B, -1.0) < 0.5 && tci_platt_score(A, B, -1.0) > 0.0);
}

/* The score never overflows or returns NaN, even for absurd margins. */
TEST(platt_score_is_stable) {
  CHECK(tci_platt_score(-1, 0, 1e308) == 1.0);
  CHECK(tci_platt_score(-1, 0, -1e308) == 0.0);
  CHECK(NEAR(tci_platt_score(-1, 0, 0), 0.5));
  CHECK(NEAR(tci_platt_score(-1, 0, 2), 1.0 / (1.0 + exp(-2.0))));
}

/* One class only: no crash, finite answers that favour that class. */
TEST(platt_one_class) {
  double f[3] = {0.5, 1.0, 2.0};
  unsigned char pos[3] = {1, 1, 1};
  double A, B;
  tci_platt_fit(3, f, pos, NULL, &A, &B);
  CHECK(isfinite(A) && isfinite(B));
  CHECK(tci_platt_score(A, B, 1.0) > 0.5);
  tci_platt_fit(0, f, pos, NULL, &A, &B);
  CHECK(isfinite(A) && isfinite(B));
}

#ifdef HAVE_OOM_HOOK
enum { SWEEP_LABELS = 40, SWEEP_DOCS = 40 };

/* Document i of the sweeps: gold {i % 40, (i + 1) % 40}, predicted
 * {(3i) % 40}: 40 documents, 40 confusion pairs (more than the table's
 * first 64 slots hold at half full). */
static void sweep_doc(uint32_t i, uint32_t gold[2], uint32_t *predicted) {
  gold[0] = i % SWEEP_LABELS;
  gold[1] = (i + 1) % SWEEP_LABELS;
  *predicted = (3 * i) % SWEEP_LABELS;
}

/* Metrics of SWEEP_LABELS labels that counted the first n documents. */
static tc_metrics *counted(size_t n) {
  tc_metrics *m;
  uint32_t i, g[2], p;
  if (tc_metrics_new(SWEEP_LABELS, &m) != TC_OK) return NULL;
  for (i = 0; i < n; i++) {
    sweep_doc(i, g, &p);
    if (tc_metrics_add(m, g, 2, &p, 1) != TC_OK) {
      tc_metrics_free(m);
      return NULL;
    }
  }
  return m;
}

/* Everything m says, as a checksum of its figures and confusion cells. */
static double figures(const tc_metrics *m) {
  size_t i, j, n = tci_metrics_n_labels(m);
  double sum = (double)tc_metrics_count(m) + tc_metrics_accuracy(m) * 3 + tc_metrics_exact_match(m) * 5 +
               tc_metrics_macro_f1(m) * 7 + tc_metrics_micro_f1(m) * 11 + (double)n * 13;
  for (i = 0; i < n; i++) {
    tc_label_metrics lm;
    if (tc_metrics_label(m, i, &lm) != TC_OK) return -1;
    sum += (double)(i + 1) * ((double)lm.tp + 17.0 * (double)lm.fp + 19.0 * (double)lm.fn +
                              23.0 * (double)lm.support + lm.f1);
    for (j = 0; j < n; j++) sum += (double)tc_metrics_confusion(m, i, j) * (double)(i * n + j + 1);
  }
  return sum;
}

/* tc_metrics_new, _add (the add that grows the confusion table, and the
 * first of all) and _grow with each allocation failing in turn (oom.h): a
 * failure is TC_ENOMEM and changes nothing (the same figures, and the add
 * then succeeds); a success gives the unhooked figures. The lookups and
 * the walk over the cells allocate nothing. */
TEST(allocation_failures) {
  tc_metrics *m, *want = counted(SWEEP_DOCS);
  size_t n, cursor, gold, predicted, cells = 0;
  double want_figures = want ? figures(want) : -1;
  oom_sweep s = oom_sweep_start("tc_metrics_new", 100);
  while (oom_next(&s)) {
    int rc;
    m = (tc_metrics *)&s; /* not NULL: a failure must set it */
    oom_arm(&s);
    rc = tc_metrics_new(SWEEP_LABELS, &m);
    if (oom_failed(&s, rc, NULL)) CHECK(m == NULL);
    else tc_metrics_free(m);
  }
  oom_sweep_finish(&s, 3);
  for (n = 0; n <= 32; n += 32) { /* the first add, and the 33rd pair's (the table doubles) */
    uint32_t g[2], p;
    tc_metrics *before = counted(n), *after = counted(n + 1);
    double before_figures = before ? figures(before) : -1, after_figures = after ? figures(after) : -1;
    long allocations;
    s = oom_sweep_start("tc_metrics_add", 100);
    sweep_doc((uint32_t)n, g, &p);
    while (oom_next(&s)) {
      int rc;
      if (!(m = counted(n))) break;
      oom_arm(&s);
      rc = tc_metrics_add(m, g, 2, &p, 1);
      if (oom_failed(&s, rc, NULL)) {
        CHECK(figures(m) == before_figures);
        CHECK_OK(tc_metrics_add(m, g, 2, &p, 1));
      }
      CHECK(figures(m) == after_figures);
      tc_metrics_free(m);
    }
    allocations = oom_sweep_finish(&s, 0);
    CHECK(n ? allocations > 0 : allocations == 0);
    tc_metrics_free(before);
    tc_metrics_free(after);
  }
  s = oom_sweep_start("tc_metrics_grow", 100);
  while (oom_next(&s)) {
    int rc;
    if (!(m = counted(SWEEP_DOCS))) break;
    oom_arm(&s);
    rc = tc_metrics_grow(m, 3 * SWEEP_LABELS);
    if (oom_failed(&s, rc, NULL)) CHECK(figures(m) == want_figures);
    else CHECK_EQ_INT(tci_metrics_n_labels(m), 3 * SWEEP_LABELS);
    tc_metrics_free(m);
  }
  oom_sweep_finish(&s, 2);
  s = oom_sweep_start("tc_metrics_confusion_next", 10);
  while (oom_next(&s) && want) {
    oom_arm(&s);
    cursor = 0;
    for (cells = 0; tc_metrics_confusion_next(want, &cursor, &gold, &predicted); cells++) {}
    oom_failed(&s, TC_OK, NULL);
  }
  CHECK_EQ_INT(oom_sweep_finish(&s, 0), 0);
  CHECK_EQ_INT(cells, SWEEP_DOCS);
  tc_metrics_free(want);
}
#endif

int main(void) {
  RUN(hand_computed_multilabel);
  RUN(macro_f1_skips_absent_labels);
  RUN(bad_input_changes_nothing);
  RUN(confusion_is_sparse);
  RUN(confusion_walk_gives_each_cell_once);
  RUN(grow_keeps_counts);
  RUN(platt_recovers_known_sigmoid);
  RUN(platt_separable_stays_finite);
  RUN(platt_score_is_stable);
  RUN(platt_one_class);
#ifdef HAVE_OOM_HOOK
  RUN(allocation_failures);
#endif
  return check_report();
}
