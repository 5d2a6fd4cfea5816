/* test_predict.c - prediction, label choice (threshold, fallback, top
 * label), batches (input order, per-document errors, thread counts) and
 * explanations, on models trained from the fixture texts. */
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "engine_fixture.h"
#include "internal.h"
#include "oom.h"

static tc_model *train_with(int multilabel, int kernel, const char *fallback) {
  tc_dataset *ds = fixture_dataset();
  tc_train_params p;
  tc_model *m = NULL;
  tc_train_params_init(&p);
  p.multilabel = multilabel;
  p.kernel = kernel;
  p.fallback = fallback;
  if (!ds || tc_model_train(ds, &p, &m, NULL)) m = NULL;
  tc_dataset_free(ds);
  return m;
}

static const char *SPORT = "The striker scored a late goal and the team won the cup.";

TEST(predict_scores_and_top_label) {
  tc_model *m = train_with(0, TC_KERNEL_LINEAR, NULL);
  tc_workspace *ws;
  double s[3], dv[3];
  uint32_t l[3];
  tc_result r;
  size_t i;
  CHECK(m != NULL);
  if (!m) return;
  tc_workspace_new(&ws);
  r.scores = s;
  r.labels = l;
  CHECK_OK(tc_model_predict(m, ws, SPORT, strlen(SPORT), -1, &r));
  CHECK_EQ_INT(r.status, TC_OK);
  CHECK_EQ_INT(r.n_labels, 1);
  CHECK_EQ_STR(tc_model_label(m, l[0]), "sport");
  for (i = 0; i < 3; i++) {
    CHECK(s[i] >= 0 && s[i] <= 1);
    CHECK(s[l[0]] >= s[i]);
  }
  /* scores are the model's sigmoid of the decision values */
  CHECK_OK(tc_model_decision_values(m, ws, SPORT, strlen(SPORT), dv));
  for (i = 0; i < 3; i++)
    CHECK(fabs(s[i] - 1.0 / (1.0 + exp(m->platt_a[i] * dv[i] + m->platt_b[i]))) < 1e-12);
  CHECK(dv[0] > 0 && dv[1] < 0 && dv[2] < 0);
  /* empty text and invalid UTF-8 are documents too */
  CHECK_OK(tc_model_predict(m, ws, NULL, 0, -1, &r));
  CHECK_EQ_INT(r.n_labels, 1);
  CHECK_OK(tc_model_predict(m, ws, "goal \xff\xfe team", 13, -1, &r));
  CHECK_EQ_INT(r.n_invalid, 2);
  /* caller errors */
  CHECK_EQ_INT(tc_model_predict(m, ws, NULL, 3, -1, &r), TC_EINVAL);
  CHECK_EQ_INT(r.status, TC_EINVAL);
  CHECK_EQ_INT(tc_model_predict(m, ws, "x", 1, 2.0, &r), TC_EINVAL);
  CHECK_EQ_INT(tc_model_predict(m, NULL, "x", 1, -1, &r), TC_EINVAL);
  CHECK_EQ_INT(tc_model_predict(NULL, ws, "x", 1, -1, &r), TC_EINVAL);
  CHECK_EQ_INT(tc_model_predict(m, ws, "x", 1, -1, NULL), TC_EINVAL);
  CHECK_EQ_INT(tc_model_decision_values(m, ws, "x", 1, NULL), TC_EINVAL);
  tc_workspace_free(ws);
  tc_model_free(m);
}

/* textclass.h: "On failure r->n_labels and r->n_invalid are 0". A failure
 * after the text was vectorised (out of memory reserving the decision
 * buffers or a kernel model's nodes) used to leave the text's count of
 * invalid sequences in r->n_invalid. A model without its weights fails at
 * that same step, so it stands in for the allocation failure here. */
TEST(failure_after_vectorising_leaves_no_counts) {
  tc_model *m = train_with(0, TC_KERNEL_LINEAR, NULL);
  tc_workspace *ws;
  double s[3], dv[3];
  uint32_t l[3];
  tc_result r;
  float *w;
  CHECK(m != NULL);
  if (!m) return;
  tc_workspace_new(&ws);
  r.scores = s;
  r.labels = l;
  w = m->weights;
  m->weights = NULL;
  r.n_invalid = 99;
  CHECK_EQ_INT(tc_model_predict(m, ws, "goal \xff\xfe team", 13, -1, &r), TC_EINVAL);
  CHECK_EQ_INT(r.status, TC_EINVAL);
  CHECK_EQ_INT(r.n_labels, 0);
  CHECK_EQ_INT(r.n_invalid, 0);
  CHECK_EQ_INT(tc_model_decision_values(m, ws, "goal", 4, dv), TC_EINVAL);
  m->weights = w;
  CHECK_OK(tc_model_predict(m, ws, "goal \xff\xfe team", 13, -1, &r));
  CHECK_EQ_INT(r.n_invalid, 2);
  tc_workspace_free(ws);
  tc_model_free(m);
}

/* Multi-label: every label at or above the threshold, best first; none ->
 * the fallback if there is one, else the top label. */
TEST(multilabel_threshold_and_fallback) {
  tc_model *m = train_with(1, TC_KERNEL_LINEAR, "politics");
  tc_model *nf = train_with(1, TC_KERNEL_LINEAR, NULL);
  tc_workspace *ws;
  double s[3];
  uint32_t l[3];
  tc_result r;
  const char *both = "The minister watched the striker score a goal in the cup match.";
  CHECK(m && nf);
  if (!m || !nf) goto out;
  tc_workspace_new(&ws);
  r.scores = s;
  r.labels = l;
  CHECK_EQ_INT(tc_model_fallback(m), tc_model_label_index(m, "politics"));
  CHECK_EQ_INT(tc_model_fallback(nf), -1);
  CHECK_OK(tc_model_predict(m, ws, SPORT, strlen(SPORT), -1, &r));
  CHECK(r.n_labels >= 1);
  CHECK_EQ_STR(tc_model_label(m, l[0]), "sport");
  /* threshold 0: every label, in descending score order */
  CHECK_OK(tc_model_predict(m, ws, both, strlen(both), 0.0, &r));
  CHECK_EQ_INT(r.n_labels, 3);
  CHECK(s[l[0]] >= s[l[1]] && s[l[1]] >= s[l[2]]);
  /* threshold 1: nothing passes -> the fallback, even though it scores low */
  CHECK_OK(tc_model_predict(m, ws, SPORT, strlen(SPORT), 1.0, &r));
  CHECK_EQ_INT(r.n_labels, 1);
  CHECK_EQ_STR(tc_model_label(m, l[0]), "politics");
  /* no fallback: the top label */
  CHECK_OK(tc_model_predict(nf, ws, SPORT, strlen(SPORT), 1.0, &r));
  CHECK_EQ_INT(r.n_labels, 1);
  CHECK_EQ_STR(tc_model_label(nf, l[0]), "sport");
  /* a threshold between two scores splits them */
  CHECK_OK(tc_model_predict(m, ws, both, strlen(both), 0.0, &r));
  {
    double mid = (s[l[0]] + s[l[1]]) / 2;
    uint32_t top = l[0];
    if (s[l[0]] > s[l[1]]) {
      CHECK_OK(tc_model_predict(m, ws, both, strlen(both), mid, &r));
      CHECK_EQ_INT(r.n_labels, 1);
      CHECK_EQ_INT(l[0], top);
    }
  }
  tc_workspace_free(ws);
out:
  tc_model_free(m);
  tc_model_free(nf);
}

/* Whether tc_model_choose_labels at threshold t, on the scores of a
 * prediction at the model's own threshold, gives what predicting at t
 * gives. */
static int chosen_as_predicted(const tc_model *m, tc_workspace *ws, const char *text, double t) {
  double s[3], s_at[3];
  uint32_t l[3], l_at[3];
  tc_result r = { s, l, 0, 0, 0 }, at = { s_at, l_at, 0, 0, 0 };
  if (tc_model_predict(m, ws, text, strlen(text), -1, &r) != TC_OK) return 0;
  if (tc_model_predict(m, ws, text, strlen(text), t, &at) != TC_OK) return 0;
  if (tc_model_choose_labels(m, t, &r) != TC_OK) return 0;
  return r.n_labels == at.n_labels && memcmp(l, l_at, r.n_labels * sizeof *l) == 0;
}

/* tc_model_choose_labels is tc_model_predict's rule: on every fixture
 * text, at thresholds between and exactly at its scores, for multi-label
 * models with and without a fallback, one with the short-story rule
 * (which moves scores, never the choice), and a multi-class model. */
TEST(choose_labels_is_predicts_rule) {
  static const double GRID[] = { -1, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1 };
  tc_model *models[4] = { train_with(1, TC_KERNEL_LINEAR, "politics"), train_with(1, TC_KERNEL_LINEAR, NULL),
                          NULL, train_with(0, TC_KERNEL_LINEAR, NULL) };
  tc_dataset *ds = fixture_dataset();
  tc_train_params p;
  tc_workspace *ws = NULL;
  double s[3];
  uint32_t l[3];
  tc_result r = { s, l, 0, 0, 0 };
  size_t i, k, j, mismatch = 0;
  tc_train_params_init(&p);
  p.multilabel = 1;
  p.short_features = 40;
  p.short_moderation = 0.7;
  if (ds) tc_model_train(ds, &p, &models[2], NULL);
  tc_dataset_free(ds);
  tc_workspace_new(&ws);
  CHECK(models[0] && models[1] && models[2] && models[3] && ws);
  if (!models[0] || !models[1] || !models[2] || !models[3] || !ws) goto out;
  for (k = 0; k < 4; k++) {
    for (i = 0; i < FIXTURE_N; i++) {
      const char *text = FIXTURE[i].text;
      CHECK_OK(tc_model_predict(models[k], ws, text, strlen(text), -1, &r));
      for (j = 0; j < 3; j++) mismatch += !chosen_as_predicted(models[k], ws, text, s[j]); /* a label at it passes */
      for (j = 0; j < sizeof GRID / sizeof GRID[0]; j++) mismatch += !chosen_as_predicted(models[k], ws, text, GRID[j]);
    }
  }
  CHECK_EQ_INT(mismatch, 0);
  /* the model's own threshold, and bad arguments */
  CHECK_OK(tc_model_predict(models[0], ws, SPORT, strlen(SPORT), 0.0, &r));
  CHECK_EQ_INT(r.n_labels, 3);
  CHECK_OK(tc_model_choose_labels(models[0], -1, &r));
  CHECK_EQ_INT(r.n_labels, 1);
  CHECK_EQ_STR(tc_model_label(models[0], l[0]), "sport");
  CHECK_EQ_INT(tc_model_choose_labels(models[0], NAN, &r), TC_EINVAL);
  CHECK_EQ_INT(tc_model_choose_labels(models[0], 1.5, &r), TC_EINVAL);
  CHECK_EQ_INT(tc_model_choose_labels(NULL, 0.5, &r), TC_EINVAL);
  CHECK_EQ_INT(tc_model_choose_labels(models[0], 0.5, NULL), TC_EINVAL);
  r.scores = NULL;
  CHECK_EQ_INT(tc_model_choose_labels(models[0], 0.5, &r), TC_EINVAL);
  CHECK_EQ_INT(r.n_labels, 1); /* untouched */
out:
  tc_workspace_free(ws);
  for (k = 0; k < 4; k++) tc_model_free(models[k]);
}

/* Batches give what single predictions give, in input order, on any thread
 * count; a bad document (NULL text with a length) fails alone. */
TEST(batch_order_and_per_document_errors) {
  tc_model *m = train_with(0, TC_KERNEL_LINEAR, NULL);
  enum { N = 150, BAD = 77 };
  const char *texts[N];
  size_t lens[N], i;
  static double s1[N][3], s2[N][3];
  static uint32_t l1[N][3], l2[N][3];
  tc_result one[N], many[N];
  tc_workspace *ws;
  int t, mismatch;
  CHECK(m != NULL);
  if (!m) return;
  tc_workspace_new(&ws);
  for (i = 0; i < N; i++) {
    texts[i] = FIXTURE[(i * 7) % FIXTURE_N].text;
    lens[i] = strlen(texts[i]);
    one[i].scores = s1[i];
    one[i].labels = l1[i];
    tc_model_predict(m, ws, texts[i], lens[i], -1, &one[i]);
  }
  texts[BAD] = NULL; /* length stays non-zero: a caller error for this document */
  for (t = 0; t <= 4; t++) {
    for (i = 0; i < N; i++) {
      many[i].scores = s2[i];
      many[i].labels = l2[i];
      many[i].status = 12345;
    }
    CHECK_EQ_INT(tc_model_predict_batch(m, N, texts, lens, -1, t, many), TC_EINVAL);
    for (mismatch = 0, i = 0; i < N; i++) {
      if (i == BAD) continue;
      mismatch += many[i].status != TC_OK || many[i].n_labels != 1 || l2[i][0] != l1[i][0] ||
                  memcmp(s1[i], s2[i], sizeof s1[i]) != 0;
    }
    CHECK_EQ_INT(mismatch, 0);
    CHECK_EQ_INT(many[BAD].status, TC_EINVAL);
    CHECK_EQ_INT(many[BAD].n_labels, 0);
  }
  texts[BAD] = FIXTURE[0].text;
  lens[BAD] = strlen(texts[BAD]);
  CHECK_OK(tc_model_predict_batch(m, N, texts, lens, -1, 2, many));
  CHECK_OK(tc_model_predict_batch(m, 0, NULL, NULL, -1, 2, NULL));
  CHECK_EQ_INT(tc_model_predict_batch(m, N, texts, lens, -1, 2, NULL), TC_EINVAL);
  /* regression: a refused batch left n_invalid of the previous call */
  many[0].n_invalid = many[1].n_invalid = 99;
  CHECK_EQ_INT(tc_model_predict_batch(NULL, 2, texts, lens, -1, 2, many), TC_EINVAL);
  CHECK_EQ_INT(many[1].status, TC_EINVAL);
  CHECK_EQ_INT(many[0].n_invalid, 0);
  CHECK_EQ_INT(many[1].n_invalid, 0);
  many[0].n_invalid = 99;
  CHECK_EQ_INT(tc_model_predict_batch(m, 1, NULL, lens, -1, 2, many), TC_EINVAL);
  CHECK_EQ_INT(many[0].n_invalid, 0);
  tc_workspace_free(ws);
  tc_model_free(m);
}

/* tci_model_decide sums label by label for few labels and row by row for
 * more (predict.c): either way every decision value has the bits of the
 * plain loop, bias then the features in ascending order. The trained
 * model's extractor and the vector of every fixture text at once, with
 * weight tables of 1 to 9 and 23 labels filled with arbitrary values. */
TEST(decide_equals_plain_loop_for_every_label_count) {
  static const size_t counts[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 23};
  tc_model *m = train_with(0, TC_KERNEL_LINEAR, NULL);
  tc_workspace *ws = NULL;
  static char all[8192];
  tc_vector v;
  size_t nf, c, i, j, l, len = 0;
  CHECK(m != NULL);
  if (!m) return;
  CHECK_OK(tc_workspace_new(&ws));
  nf = tc_extractor_n_features(m->ex);
  for (i = 0; i < FIXTURE_N; i++)
    len += (size_t)snprintf(all + len, sizeof all - len, "%s\n", FIXTURE[i].text);
  CHECK(len < sizeof all);
  CHECK_OK(tc_extractor_vectorize(m->ex, ws, all, len, &v));
  CHECK(v.n > 50); /* well past the rows fetched ahead */
  for (c = 0; c < sizeof counts / sizeof *counts; c++) {
    size_t L = counts[c];
    tc_model k = *m;
    float *w = malloc(nf * L * sizeof *w);
    double bias[23], dec[23], want;
    uint32_t seed = 12345;
    CHECK(w != NULL);
    if (!w) break;
    for (j = 0; j < nf * L; j++) {
      seed = seed * 1103515245u + 12345u;
      w[j] = (float)((int32_t)seed >> 8) / 8388608.0f;
    }
    for (l = 0; l < L; l++) bias[l] = 0.1 * (double)l - 0.35;
    k.n_labels = L;
    k.weights = w;
    k.bias = bias;
    CHECK_OK(tci_model_decide(&k, ws, &v, dec));
    for (l = 0; l < L; l++) {
      for (want = bias[l], i = 0; i < v.n; i++)
        want += v.f[i].value * w[(size_t)(v.f[i].index - 1) * L + l];
      CHECK(dec[l] == want);
    }
    free(w);
  }
  /* an index past the weight table, or below it (0), is refused, not
   * read: as the first or the last of a vector, which bound the rest */
  {
    tc_feature past[2] = {{1, 1.0}, {0, 1.0}}, below[2] = {{0, 1.0}, {1, 1.0}};
    tc_vector bad = v;
    double dec[3];
    past[1].index = (int)nf + 1;
    bad.f = past;
    bad.n = 2;
    CHECK_EQ_INT(tci_model_decide(m, ws, &bad, dec), TC_EINVAL);
    bad.f = below;
    CHECK_EQ_INT(tci_model_decide(m, ws, &bad, dec), TC_EINVAL);
  }
  tc_workspace_free(ws);
  tc_model_free(m);
}

/* Linear explanations add up to the decision value and come best first. */
TEST(explain_linear_adds_up) {
  tc_model *m = train_with(0, TC_KERNEL_LINEAR, NULL);
  tc_workspace *ws;
  tc_contribution c[64], top[5];
  double dv[3], sum;
  size_t n, i, nt;
  CHECK(m != NULL);
  if (!m) return;
  tc_workspace_new(&ws);
  CHECK_OK(tc_model_explain(m, ws, SPORT, strlen(SPORT), 0, c, 64, &n));
  CHECK(n > 3);
  CHECK_OK(tc_model_decision_values(m, ws, SPORT, strlen(SPORT), dv));
  for (sum = m->bias[0], i = 0; i < n; i++) sum += c[i].weight;
  CHECK(fabs(sum - dv[0]) < 1e-12);
  for (i = 1; i < n; i++) CHECK(c[i - 1].weight >= c[i].weight);
  {
    size_t len;
    const char *name = tc_extractor_feature_name(m->ex, c[0].feature, &len);
    CHECK(name != NULL && len > 0);
  }
  CHECK_OK(tc_model_explain(m, ws, SPORT, strlen(SPORT), 0, top, 5, &nt));
  CHECK_EQ_INT(nt, 5);
  for (i = 0; i < 5; i++) CHECK(top[i].feature == c[i].feature && top[i].weight == c[i].weight);
  CHECK_EQ_INT(tc_model_explain(m, ws, SPORT, strlen(SPORT), 3, c, 64, &n), TC_EINVAL);
  /* top features: sorted, and the first is the label's largest weight */
  CHECK_OK(tc_model_top_features(m, 2, top, 5, &nt));
  CHECK_EQ_INT(nt, 5);
  {
    size_t j, nfeat = tc_extractor_n_features(m->ex);
    double best = -INFINITY;
    for (j = 0; j < nfeat; j++)
      if (m->weights[j * 3 + 2] > best) best = m->weights[j * 3 + 2];
    CHECK(top[0].weight == best);
    for (i = 1; i < nt; i++) CHECK(top[i - 1].weight >= top[i].weight);
  }
  CHECK_OK(tc_model_top_features(m, 2, top, 0, &nt));
  CHECK_EQ_INT(nt, 0);
  /* textclass.h: a NULL out with room, or a NULL m, is TC_EINVAL with *n 0 */
  nt = 7;
  CHECK_EQ_INT(tc_model_top_features(m, 2, NULL, 5, &nt), TC_EINVAL);
  CHECK_EQ_INT(nt, 0);
  nt = 7;
  CHECK_EQ_INT(tc_model_top_features(NULL, 0, top, 5, &nt), TC_EINVAL);
  CHECK_EQ_INT(nt, 0);
  tc_workspace_free(ws);
  tc_model_free(m);
}

/* Kernel explanations are f(x) - f(x without j); top features refuse. */
TEST(explain_kernel) {
  tc_model *m = train_with(0, TC_KERNEL_RBF, NULL);
  tc_workspace *ws;
  tc_contribution c[64], top[3];
  double dv[3];
  size_t n, nt, i;
  CHECK(m != NULL);
  if (!m) return;
  tc_workspace_new(&ws);
  CHECK_OK(tc_model_decision_values(m, ws, SPORT, strlen(SPORT), dv));
  CHECK(dv[0] > 0);
  CHECK_OK(tc_model_explain(m, ws, SPORT, strlen(SPORT), 0, c, 64, &n));
  CHECK(n > 3);
  for (i = 1; i < n; i++) CHECK(c[i - 1].weight >= c[i].weight);
  CHECK(c[0].weight > 0); /* some sport word supports "sport" */
  CHECK_EQ_INT(tc_model_top_features(m, 0, top, 3, &nt), TC_EINVAL);
  tc_workspace_free(ws);
  tc_model_free(m);
}

/* A trained model saved to bytes and loaded back predicts the same bits. */
TEST(round_trip_predicts_identically) {
  int kernel;
  for (kernel = 0; kernel < 2; kernel++) {
    tc_model *m = train_with(1, kernel, "cyber"), *back = NULL;
    tc_workspace *ws;
    unsigned char *b = NULL;
    size_t len = 0, i, bad = 0;
    double d1[3], d2[3];
    CHECK(m != NULL);
    if (!m) continue;
    tc_workspace_new(&ws);
    CHECK_OK(tc_model_to_bytes(m, &b, &len));
    CHECK_OK(tc_model_from_bytes(b, len, &back, NULL));
    for (i = 0; back && i < FIXTURE_N; i++) {
      const char *t = FIXTURE[i].text;
      double s1[3], s2[3];
      uint32_t l1[3], l2[3];
      tc_result r1, r2;
      r1.scores = s1; r1.labels = l1;
      r2.scores = s2; r2.labels = l2;
      tc_model_decision_values(m, ws, t, strlen(t), d1);
      tc_model_decision_values(back, ws, t, strlen(t), d2);
      tc_model_predict(m, ws, t, strlen(t), -1, &r1);
      tc_model_predict(back, ws, t, strlen(t), -1, &r2);
      bad += memcmp(d1, d2, sizeof d1) != 0 || memcmp(s1, s2, sizeof s1) != 0 ||
             r1.n_labels != r2.n_labels || memcmp(l1, l2, r1.n_labels * sizeof *l1) != 0;
    }
    CHECK_EQ_INT(bad, 0);
    if (back) {
      CHECK_EQ_INT(tc_model_fallback(back), 2);
      CHECK_EQ_STR(tc_model_meta(back, "kernel"), tc_model_meta(m, "kernel"));
    }
    free(b);
    tc_model_free(back);
    tc_workspace_free(ws);
    tc_model_free(m);
  }
}

/* The linear decision value is bias + the sum of x_j * w_j in ascending
 * feature order, label by label, to the bit: decide() prefetches rows and
 * adds two labels per instruction (3 labels here: a pair and a tail), and
 * neither may change a result. The reference is the plain loop. */
TEST(linear_decision_is_the_plain_sum_bit_for_bit) {
  tc_model *m = train_with(0, TC_KERNEL_LINEAR, NULL);
  tc_workspace *ws, *ws2;
  size_t i, j, l, bad = 0, nonzero = 0;
  CHECK(m != NULL);
  if (!m) return;
  CHECK_EQ_INT((int)tc_model_n_labels(m), 3);
  tc_workspace_new(&ws);
  tc_workspace_new(&ws2);
  for (i = 0; i < FIXTURE_N; i++) {
    const char *t = FIXTURE[i].text;
    double got[3], want[3];
    tc_vector v;
    CHECK_OK(tc_model_decision_values(m, ws, t, strlen(t), got));
    CHECK_OK(tc_extractor_vectorize(tc_model_extractor(m), ws2, t, strlen(t), &v));
    for (l = 0; l < 3; l++) want[l] = m->bias[l];
    for (j = 0; j < v.n; j++)
      for (l = 0; l < 3; l++) want[l] += v.f[j].value * m->weights[(size_t)(v.f[j].index - 1) * 3 + l];
    bad += memcmp(got, want, sizeof got) != 0;
    nonzero += v.n > 0;
  }
  CHECK_EQ_INT(bad, 0);
  CHECK(nonzero > 0);
  tc_workspace_free(ws);
  tc_workspace_free(ws2);
  tc_model_free(m);
}

/* ======================================================== allocation failures */

#ifdef HAVE_OOM_HOOK
static const char *NOISY = "The minister watched the striker score \xff\xfe a goal in the cup match.";

/* Do a[0..n) and b[0..n) hold the same contributions? (Compared field by
 * field: the struct has padding.) */
static int same_contributions(const tc_contribution *a, const tc_contribution *b, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (a[i].feature != b[i].feature || a[i].weight != b[i].weight) return 0;
  return 1;
}

/* A result's outcome as text: status, labels, scores, invalid count. */
static const char *outcome(const tc_result *r, size_t n_labels, char *buf, size_t cap) {
  size_t i, k = (size_t)snprintf(buf, cap, "status %d invalid %zu labels", r->status, r->n_invalid);
  for (i = 0; i < r->n_labels && k < cap; i++) k += (size_t)snprintf(buf + k, cap - k, " %u", r->labels[i]);
  for (i = 0; r->status == TC_OK && i < n_labels && k < cap; i++)
    k += (size_t)snprintf(buf + k, cap - k, " %.17g", r->scores[i]);
  return buf;
}

/* tc_model_predict, tc_model_decision_values and tc_model_explain with each
 * allocation failing in turn (oom.h), on a fresh workspace each time: a
 * failure is TC_ENOMEM (a result's status too, with no labels and no
 * invalid count; no contributions) and leaves the workspace usable (the
 * call then succeeds on it); a success gives the unhooked outcome. */
static void sweep_predict(const tc_model *m) {
  double s[3], want_dv[3], dv[3];
  uint32_t l[3];
  tc_result r;
  tc_contribution want_c[32], c[32];
  size_t want_n, n;
  char want[512], got[512];
  tc_workspace *ws;
  oom_sweep sw = oom_sweep_start("tc_model_predict", 1000);
  if (tc_workspace_new(&ws) != TC_OK) { CHECK(0); return; }
  r.scores = s;
  r.labels = l;
  CHECK_OK(tc_model_predict(m, ws, NOISY, strlen(NOISY), -1, &r));
  outcome(&r, 3, want, sizeof want);
  CHECK_OK(tc_model_decision_values(m, ws, NOISY, strlen(NOISY), want_dv));
  CHECK_OK(tc_model_explain(m, ws, NOISY, strlen(NOISY), 1, want_c, 32, &want_n));
  CHECK(want_n > 3);
  tc_workspace_free(ws);
  while (oom_next(&sw)) {
    int rc;
    if (tc_workspace_new(&ws) != TC_OK) break;
    r.n_invalid = r.n_labels = 99;
    oom_arm(&sw);
    rc = tc_model_predict(m, ws, NOISY, strlen(NOISY), -1, &r);
    if (oom_failed(&sw, rc, NULL)) {
      CHECK(r.status == TC_ENOMEM && r.n_labels == 0 && r.n_invalid == 0);
      CHECK_OK(tc_model_predict(m, ws, NOISY, strlen(NOISY), -1, &r));
    }
    CHECK_EQ_STR(outcome(&r, 3, got, sizeof got), want);
    tc_workspace_free(ws);
  }
  oom_sweep_finish(&sw, 2);
  sw = oom_sweep_start("tc_model_decision_values", 1000);
  while (oom_next(&sw)) {
    int rc;
    if (tc_workspace_new(&ws) != TC_OK) break;
    oom_arm(&sw);
    rc = tc_model_decision_values(m, ws, NOISY, strlen(NOISY), dv);
    if (oom_failed(&sw, rc, NULL)) CHECK_OK(tc_model_decision_values(m, ws, NOISY, strlen(NOISY), dv));
    CHECK(memcmp(dv, want_dv, sizeof dv) == 0);
    tc_workspace_free(ws);
  }
  oom_sweep_finish(&sw, 2);
  sw = oom_sweep_start("tc_model_explain", 1000);
  while (oom_next(&sw)) {
    int rc;
    if (tc_workspace_new(&ws) != TC_OK) break;
    n = 99;
    oom_arm(&sw);
    rc = tc_model_explain(m, ws, NOISY, strlen(NOISY), 1, c, 32, &n);
    if (oom_failed(&sw, rc, NULL)) {
      CHECK_EQ_INT(n, 0);
      CHECK_OK(tc_model_explain(m, ws, NOISY, strlen(NOISY), 1, c, 32, &n));
    }
    CHECK(n == want_n && same_contributions(c, want_c, n));
    tc_workspace_free(ws);
  }
  oom_sweep_finish(&sw, 2);
}

/* tc_model_predict_batch of 40 documents (three chunks) with each
 * allocation failing in turn, on `threads` threads: it returns TC_ENOMEM,
 * each document whose chunk failed has status TC_ENOMEM and no labels,
 * and every other document the unhooked outcome. On two threads the
 * allocation failing at step k depends on the workers' timing; the
 * contract is the same. */
static void sweep_batch(const tc_model *m, int threads) {
  enum { N = 40 };
  const char *texts[N];
  size_t lens[N], i;
  static double s[N][3];
  static uint32_t l[N][3];
  static char want[N][512];
  char got[512];
  tc_result r[N];
  oom_sweep sw = oom_sweep_start(threads == 1 ? "tc_model_predict_batch, 1 thread"
                                              : "tc_model_predict_batch, 2 threads", 1000);
  for (i = 0; i < N; i++) {
    texts[i] = i % 5 ? FIXTURE[(i * 7) % FIXTURE_N].text : NOISY;
    lens[i] = strlen(texts[i]);
    r[i].scores = s[i];
    r[i].labels = l[i];
  }
  CHECK_OK(tc_model_predict_batch(m, N, texts, lens, -1, threads, r));
  for (i = 0; i < N; i++) outcome(&r[i], 3, want[i], sizeof want[i]);
  while (oom_next(&sw)) {
    int rc, wrong = 0;
    for (i = 0; i < N; i++) r[i].n_labels = r[i].n_invalid = 99;
    oom_arm(&sw);
    rc = tc_model_predict_batch(m, N, texts, lens, -1, threads, r);
    oom_failed(&sw, rc, NULL);
    for (i = 0; i < N; i++) {
      if (r[i].status == TC_ENOMEM && rc == TC_ENOMEM) wrong += r[i].n_labels != 0 || r[i].n_invalid != 0;
      else wrong += strcmp(outcome(&r[i], 3, got, sizeof got), want[i]) != 0;
    }
    CHECK_EQ_INT(wrong, 0);
  }
  oom_sweep_finish(&sw, 3);
}

/* tc_model_top_features: a failure is TC_ENOMEM with no features; a
 * success gives the unhooked ones. */
static void sweep_top_features(const tc_model *m) {
  tc_contribution want[8], c[8];
  size_t want_n = 0, n;
  oom_sweep sw = oom_sweep_start("tc_model_top_features", 100);
  CHECK_OK(tc_model_top_features(m, 1, want, 8, &want_n));
  CHECK_EQ_INT(want_n, 8);
  while (oom_next(&sw)) {
    int rc;
    n = 99;
    oom_arm(&sw);
    rc = tc_model_top_features(m, 1, c, 8, &n);
    if (oom_failed(&sw, rc, NULL)) CHECK_EQ_INT(n, 0);
    else CHECK(n == want_n && same_contributions(c, want, n));
  }
  oom_sweep_finish(&sw, 0);
}

/* A kernel model predicts and explains with no allocation the hook cannot
 * fail: libsvm's svm_predict_values, which kernel models went through,
 * made three unchecked ones a label (docs/engine.md, "Known limits"). The
 * hook is armed but never fires; training an RBF model under it shows it
 * does see libsvm's allocations. */
TEST(kernel_prediction_allocates_nothing_unchecked) {
  tc_model *m;
  tc_workspace *ws = NULL;
  double dv[3];
  tc_contribution c[8];
  size_t n;
  oom_exempt_made = 0;
  oom_fail_at(LONG_MAX);
  m = train_with(0, TC_KERNEL_RBF, NULL);
  CHECK_EQ_INT(oom_disarm(), OOM_NOT_FIRED);
  CHECK(oom_exempt_made > 0);
  if (!m || tc_workspace_new(&ws) != TC_OK) { CHECK(0); tc_model_free(m); return; }
  oom_exempt_made = 0;
  oom_fail_at(LONG_MAX);
  CHECK_OK(tc_model_decision_values(m, ws, NOISY, strlen(NOISY), dv));
  CHECK_OK(tc_model_explain(m, ws, NOISY, strlen(NOISY), 1, c, 8, &n));
  CHECK_EQ_INT(oom_disarm(), OOM_NOT_FIRED);
  CHECK_EQ_INT(oom_exempt_made, 0);
  tc_workspace_free(ws);
  tc_model_free(m);
}

TEST(allocation_failures) {
  tc_model *linear = train_with(1, TC_KERNEL_LINEAR, "politics"), *rbf = train_with(0, TC_KERNEL_RBF, NULL);
  CHECK(linear && rbf);
  if (linear) {
    sweep_predict(linear);
    sweep_batch(linear, 1);
    sweep_batch(linear, 2);
    sweep_top_features(linear);
  }
  if (rbf) {
    sweep_predict(rbf);
    sweep_batch(rbf, 1);
  }
  tc_model_free(linear);
  tc_model_free(rbf);
}
#endif

int main(void) {
  RUN(predict_scores_and_top_label);
  RUN(failure_after_vectorising_leaves_no_counts);
  RUN(multilabel_threshold_and_fallback);
  RUN(choose_labels_is_predicts_rule);
  RUN(batch_order_and_per_document_errors);
  RUN(decide_equals_plain_loop_for_every_label_count);
  RUN(explain_linear_adds_up);
  RUN(explain_kernel);
  RUN(round_trip_predicts_identically);
  RUN(linear_decision_is_the_plain_sum_bit_for_bit);
#ifdef HAVE_OOM_HOOK
  RUN(kernel_prediction_allocates_nothing_unchecked);
  RUN(allocation_failures);
#endif
  return check_report();
}
