/* predict.c - decision values, calibrated scores, chosen labels; batches.
 *
 * Caveats:
 *  - Linear models: weights are feature-major (weights[(j-1)*L + l]), so a
 *    document touches one run of L floats per non-zero feature: the cost
 *    is O(non-zeros x labels) whatever the training set size.
 *  - Those runs are scattered over a table of tens of megabytes (20
 *    Newsgroups: 293k features x 23 labels = 27 MB), so each would be a
 *    cache miss the sum waits for. tci_model_decide prefetches the row of
 *    the feature ROW_AHEAD places ahead; the sum itself keeps its order
 *    (ascending feature index, then label), so scores are bit-identical
 *    to the plain loop's (bench/bench_predict prints a checksum of them).
 *    Measured: +19% documents/s on that model, nothing lost on 4 labels.
 *  - The vector's indices are checked once, not per feature: they are
 *    strictly ascending, so its first and last bound them all. With that
 *    check out of the loop, the row arithmetic hoisted and add_row inlined,
 *    `label --top 1 -j 1` on 3,000 news4 articles (news4.model, 4 labels,
 *    119 features per article) took 127.1k -> 124.2k instructions per
 *    article (callgrind; tci_model_decide 8.6k -> 5.6k).
 *  - Models of up to BLOCKED_LABELS labels are summed a block of four
 *    labels (then one label) at a time over all the features, the sums in
 *    registers, instead of a row at a time with the sums in memory: each
 *    sum keeps its order, so the bits are the same. Decision instructions
 *    (callgrind, `label --top 1 -j 1`): 4 labels (news4.model, 3,000 news4
 *    articles) -1.4k per article (121.3k -> 119.9k in all); 5 labels (bbc
 *    test split) -9%; but 6 labels (masakhanews_eng) +3% and 23 labels
 *    (20 Newsgroups, 1,000 test articles) +27%: each further pass rereads
 *    the features, so more labels keep the row-wise loop.
 *  - Kernel models: the document is copied into ws->nodes and
 *    tci_kernel_decide (kernel.c) computes its kernel with each pooled
 *    support vector once, into ws->kvalues, then every label's sum: libsvm's
 *    bits, without its unchecked allocations, each shared vector's kernel
 *    no longer computed once per label that uses it.
 *  - A linear model with short_features scales a short story's evidence
 *    before calibration (scale_short_evidence): a square root and a
 *    multiply-add per label, for short stories only; decision values
 *    (tc_model_decision_values) stay raw. With short_moderation, the
 *    sigmoid's two coefficients are multiplied by short_moderation_factor
 *    for such a story: one more square root, two multiplies per label.
 *  - Ties in scores are broken by label index, so output never depends on
 *    sort stability.
 *  - Batches split the documents into contiguous chunks, a few per thread,
 *    each chunk with its own workspace. results[i] is written only by the
 *    task holding document i, so results stay in input order and a failing
 *    document (its status set) cannot shift or hide another's result. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "internal.h"

/* How many features ahead tci_model_decide fetches weight rows: enough for
 * a row's cache misses to overlap with the arithmetic of the rows between. */
#define ROW_AHEAD 8

/* Up to how many labels tci_model_decide sums label by label over all the
 * features, the sums in registers, rather than feature by feature (see
 * the caveat at the top). */
#define BLOCKED_LABELS 5

/* Start loading every cache line of the weight row at w (L floats): the
 * rows of a document's features are scattered over a table of megabytes,
 * so each would otherwise be a miss the loop waits for. A macro, not a
 * function: GCC 12 deems a function of nothing but prefetches pure and
 * deletes the calls. */
#define FETCH_ROW(w, L)                                                  \
  do {                                                                   \
    const char *p_ = (const char *)(w), *e_ = p_ + (L) * sizeof(float) - 1; \
    TCI_PREFETCH(p_);                                                    \
    for (p_ += 64; p_ < e_; p_ += 64) TCI_PREFETCH(p_);                  \
    TCI_PREFETCH(e_);                                                    \
  } while (0)

/* dec[l] += x * w[l] for every label, in double (the weight widened
 * exactly), each an IEEE multiply then add as the plain loop does (no
 * fused multiply-add: the flags never allow it), so the bits are the same
 * either way. With SSE2 (part of x86-64) four labels per step: one load of
 * four floats, widened two by two; GCC does not vectorise the widening
 * loop at -O2, and with 23 labels the scalar loop was a tenth of a
 * document's instructions. */
static TCI_ALWAYS_INLINE void add_row(double *restrict dec, const float *restrict w, double x,
                                      size_t L) {
  size_t l = 0;
#if defined(__SSE2__)
  __m128d xx = _mm_set1_pd(x);
  for (; l + 4 <= L; l += 4) {
    __m128 w4 = _mm_loadu_ps(w + l);
    __m128d lo = _mm_cvtps_pd(w4), hi = _mm_cvtps_pd(_mm_movehl_ps(w4, w4));
    _mm_storeu_pd(dec + l, _mm_add_pd(_mm_loadu_pd(dec + l), _mm_mul_pd(xx, lo)));
    _mm_storeu_pd(dec + l + 2, _mm_add_pd(_mm_loadu_pd(dec + l + 2), _mm_mul_pd(xx, hi)));
  }
#endif
  for (; l < L; l++) dec[l] += x * w[l];
}

/* The weight row of 1-based feature index j in the L-label table w. */
static const float *row(const float *w, int j, size_t L) {
  return w + (size_t)(j - 1) * L;
}

/* Whether every index of v names a row of a weight table of nf features
 * (1..nf): v's indices are strictly ascending, so its first and last
 * decide. Cannot fail for a vector of the model's own extractor; the
 * tests hand tci_model_decide others. */
static int rows_exist(const tc_vector *v, size_t nf) {
  return v->n == 0 || (v->f[0].index >= 1 && (size_t)v->f[v->n - 1].index <= nf);
}

/* Below which feature a pass over the n features fetches the row
 * ROW_AHEAD places ahead: only the first pass fetches. */
static size_t fetch_end(size_t n, int first) {
  return first && n > ROW_AHEAD ? n - ROW_AHEAD : 0;
}

#if defined(__SSE2__)
/* dec[l..l+3] += x * w[l..l+3] over the n features f, the four sums held
 * in two registers: one load of four floats per feature, widened two by
 * two. GCC does not vectorise the widening loop at -O2. */
static void sum_four_labels(double *dec, size_t l, const tc_feature *f, size_t n,
                            const float *w, size_t L, int first) {
  __m128d lo = _mm_loadu_pd(dec + l), hi = _mm_loadu_pd(dec + l + 2);
  size_t i, end = fetch_end(n, first);
  for (i = 0; i < n; i++) {
    __m128d x = _mm_set1_pd(f[i].value);
    __m128 w4 = _mm_loadu_ps(row(w, f[i].index, L) + l);
    if (i < end) FETCH_ROW(row(w, f[i + ROW_AHEAD].index, L), L);
    lo = _mm_add_pd(lo, _mm_mul_pd(x, _mm_cvtps_pd(w4)));
    hi = _mm_add_pd(hi, _mm_mul_pd(x, _mm_cvtps_pd(_mm_movehl_ps(w4, w4))));
  }
  _mm_storeu_pd(dec + l, lo);
  _mm_storeu_pd(dec + l + 2, hi);
}
#endif

/* dec[l] += x * w[l] over the n features f, the sum in a register. */
static void sum_one_label(double *dec, size_t l, const tc_feature *f, size_t n, const float *w,
                          size_t L, int first) {
  double d = dec[l];
  size_t i, end = fetch_end(n, first);
  for (i = 0; i < n; i++) {
    if (i < end) FETCH_ROW(row(w, f[i + ROW_AHEAD].index, L), L);
    d += f[i].value * row(w, f[i].index, L)[l];
  }
  dec[l] = d;
}

/* dec[l] += f[i].value * row l of f[i] for every feature, a row at a
 * time, the row ROW_AHEAD features ahead fetched. */
static void sum_by_rows(double *dec, const tc_feature *f, size_t n, const float *w, size_t L) {
  size_t i;
  for (i = 0; i + ROW_AHEAD < n; i++) {
    FETCH_ROW(row(w, f[i + ROW_AHEAD].index, L), L);
    add_row(dec, row(w, f[i].index, L), f[i].value, L);
  }
  for (; i < n; i++) add_row(dec, row(w, f[i].index, L), f[i].value, L);
}

/* The same sums, four labels (then one) at a time over all the features. */
static void sum_by_labels(double *dec, const tc_feature *f, size_t n, const float *w, size_t L) {
  size_t l = 0;
#if defined(__SSE2__)
  for (; l + 4 <= L; l += 4) sum_four_labels(dec, l, f, n, w, L, l == 0);
#endif
  for (; l < L; l++) sum_one_label(dec, l, f, n, w, L, l == 0);
}

int tci_model_decide(const tc_model *m, tc_workspace *ws, const tc_vector *v, double *dec) {
  size_t L = m->n_labels, i, l;
  if (m->kernel == TC_KERNEL_LINEAR) {
    const tc_feature *f = v->f;
    const float *w = m->weights;
    size_t n = v->n, ahead = n < ROW_AHEAD ? n : ROW_AHEAD;
    if (!w || !m->bias) return TC_EINVAL;
    if (!rows_exist(v, tc_extractor_n_features(m->ex))) return TC_EINVAL;
    for (i = 0; i < ahead; i++) FETCH_ROW(row(w, f[i].index, L), L);
    for (l = 0; l < L; l++) dec[l] = m->bias[l];
    if (L > BLOCKED_LABELS) sum_by_rows(dec, f, n, w, L);
    else sum_by_labels(dec, f, n, w, L);
    return TC_OK;
  } else {
    struct svm_node *x;
    double *kv;
    int rc;
    if (!m->kern) return TC_EINVAL;
    if ((rc = tci_kernel_prepare(m->kern, ws, v, &x, &kv))) return rc;
    tci_kernel_decide(m->kern, L, x, kv, dec);
    return TC_OK;
  }
}

/* Higher score first, then lower label index. */
static int before(const double *s, uint32_t a, uint32_t b) {
  return s[a] > s[b] || (s[a] == s[b] && a < b);
}

static uint32_t top_label(const double *s, size_t L) {
  uint32_t best = 0, l;
  for (l = 1; l < (uint32_t)L; l++)
    if (before(s, l, best)) best = l;
  return best;
}

size_t tci_choose_labels(const double *s, size_t L, int multilabel, double thr, int fallback,
                         uint32_t *out) {
  size_t k = 0, i;
  uint32_t l;
  if (!multilabel) {
    out[0] = top_label(s, L);
    return 1;
  }
  for (l = 0; l < (uint32_t)L; l++) {
    if (!(s[l] >= thr)) continue;
    for (i = k; i > 0 && before(s, l, out[i - 1]); i--) out[i] = out[i - 1];
    out[i] = l;
    k++;
  }
  if (k) return k;
  out[0] = fallback >= 0 && (size_t)fallback < L ? (uint32_t)fallback : top_label(s, L);
  return 1;
}

/* Vectorise and compute decision values into ws->decision; *n_features is
 * the vector's non-zero count. *n_invalid is set only on success
 * (tc_model_predict promises 0 on failure). */
static int decisions(const tc_model *m, tc_workspace *ws, const char *text, size_t len,
                     double **dec, size_t *n_features, size_t *n_invalid) {
  tc_vector v;
  int rc;
  *n_invalid = 0;
  if (!m->ex || m->n_labels == 0) return TC_EINVAL;
  if ((rc = tc_extractor_vectorize(m->ex, ws, text, len, &v))) return rc;
  if ((rc = tci_buf_reserve(&ws->decision, m->n_labels, sizeof **dec))) return rc;
  *dec = ws->decision.p;
  if ((rc = tci_model_decide(m, ws, &v, *dec))) return rc;
  *n_features = v.n;
  *n_invalid = v.n_invalid;
  return TC_OK;
}

/* Whether the short-story rule applies to a story of n_features: 0 < n < n0
 * (never when the rule is off, n0 = 0). */
static int is_short(const tc_model *m, size_t n_features) {
  return n_features > 0 && n_features < m->short_features;
}

/* The short-story rule (models/README.md, design study step 9): a linear
 * model's story with 0 < n < n0 features has each label's evidence, its
 * decision value minus its bias (the empty text's), scaled by
 * sqrt(n0 / n). An L2-normalised vector's sum over n features of like
 * weights grows as sqrt(n), so this gives the story the evidence an
 * n0-feature one with the same words per feature would have. The Platt
 * sigmoid's log-odds are affine in the decision value, so the log-odds
 * move away from the empty text's by the same factor. */
static void scale_short_evidence(const tc_model *m, size_t n_features, double *dec) {
  double gain;
  size_t l;
  if (!is_short(m, n_features)) return;
  gain = sqrt((double)m->short_features / (double)n_features);
  for (l = 0; l < m->n_labels; l++) dec[l] = m->bias[l] + (dec[l] - m->bias[l]) * gain;
}

/* The rule's moderation (design study step 10): the scaled evidence is an
 * extrapolation from n features to n0, its noise growing with the gain
 * squared, n0 / n; a noisy log-odds z reads best as a probability
 * moderated toward 0.5, z / sqrt(1 + variance) (MacKay's moderated
 * output). So below n0 features each label's log-odds, -(A f + B), is
 * multiplied by this factor, 1 / sqrt(1 + c (n0 / n - 1)); 1 otherwise.
 * Its sign stays, so labels at threshold 0.5 and the order of labels do. */
static double short_moderation_factor(const tc_model *m, size_t n_features) {
  if (m->short_moderation == 0 || !is_short(m, n_features)) return 1.0;
  return 1.0 / sqrt(1.0 + m->short_moderation *
                              ((double)m->short_features / (double)n_features - 1.0));
}

/* Whether a threshold argument is one: below 0 (the model's) or up to 1,
 * never NaN. */
static int valid_threshold(double threshold) {
  return !isnan(threshold) && threshold <= 1;
}

/* r's labels chosen from its scores at threshold (< 0: the model's). */
static void choose_labels(const tc_model *m, double threshold, tc_result *r) {
  if (threshold < 0) threshold = m->threshold;
  r->n_labels = tci_choose_labels(r->scores, m->n_labels, m->multilabel, threshold, m->fallback,
                                  r->labels);
}

int tc_model_predict(const tc_model *m, tc_workspace *ws, const char *text, size_t len,
                     double threshold, tc_result *r) {
  double *dec, moderation;
  size_t l, n_features;
  int rc;
  if (!r) return TC_EINVAL;
  r->n_labels = 0;
  r->n_invalid = 0;
  if (!m || !ws || !r->scores || !r->labels || (!text && len) || !valid_threshold(threshold))
    return r->status = TC_EINVAL;
  rc = decisions(m, ws, text ? text : "", len, &dec, &n_features, &r->n_invalid);
  if (rc) return r->status = rc;
  scale_short_evidence(m, n_features, dec);
  moderation = short_moderation_factor(m, n_features);
  for (l = 0; l < m->n_labels; l++)
    r->scores[l] = tci_platt_score(moderation * m->platt_a[l], moderation * m->platt_b[l], dec[l]);
  choose_labels(m, threshold, r);
  return r->status = TC_OK;
}

int tc_model_choose_labels(const tc_model *m, double threshold, tc_result *r) {
  if (!m || !r || !r->scores || !r->labels || !valid_threshold(threshold)) return TC_EINVAL;
  choose_labels(m, threshold, r);
  return TC_OK;
}

int tc_model_decision_values(const tc_model *m, tc_workspace *ws, const char *text, size_t len,
                             double *values) {
  double *dec;
  size_t n_features, n_invalid;
  int rc;
  if (!m || !ws || !values || (!text && len)) return TC_EINVAL;
  rc = decisions(m, ws, text ? text : "", len, &dec, &n_features, &n_invalid);
  if (!rc) memcpy(values, dec, m->n_labels * sizeof *values);
  return rc;
}

/* ======================================================== batches */

typedef struct batch {
  const tc_model *m;
  const char *const *texts;
  const size_t *lens;
  double threshold;
  tc_result *res;
  size_t n, chunk;
} batch;

/* A result for a document that could not be predicted: no labels, status rc. */
static void fail_result(tc_result *r, int rc) {
  r->n_labels = 0;
  r->n_invalid = 0;
  r->status = rc;
}

static void batch_task(void *ud, size_t t) {
  batch *b = ud;
  size_t a = t * b->chunk, e = a + b->chunk, i;
  tc_workspace *ws = NULL;
  int rc;
  if (e > b->n) e = b->n;
  rc = tc_workspace_new(&ws);
  for (i = a; i < e; i++) {
    if (rc) fail_result(&b->res[i], rc);
    else tc_model_predict(b->m, ws, b->texts[i], b->lens[i], b->threshold, &b->res[i]);
  }
  tc_workspace_free(ws);
}

int tc_model_predict_batch(const tc_model *m, size_t n, const char *const *texts,
                           const size_t *lens, double threshold, int threads,
                           tc_result *results) {
  batch b;
  size_t i, tasks;
  int rc;
  if (n && !results) return TC_EINVAL;
  if (!m || (n && (!texts || !lens))) {
    for (i = 0; i < n; i++) fail_result(&results[i], TC_EINVAL);
    return TC_EINVAL;
  }
  if (n == 0) return TC_OK;
  if (threads <= 0) threads = tci_cores();
  b.m = m;
  b.texts = texts;
  b.lens = lens;
  b.threshold = threshold;
  b.res = results;
  b.n = n;
  /* a few chunks per thread balance uneven documents; chunks of at least
   * 16 documents amortise a workspace's warm-up, and one thread has
   * nothing to balance, so it takes them all with one workspace (a
   * fresh one per 16 documents regrew its buffers: 0.3% of a news4
   * article's instructions in `label -j 1`, callgrind) */
  tasks = (size_t)threads * 4;
  b.chunk = threads == 1 ? n : (n + tasks - 1) / tasks;
  if (b.chunk < 16) b.chunk = 16;
  tasks = (n + b.chunk - 1) / b.chunk;
  rc = tci_parallel_for(tasks, threads, batch_task, &b, NULL, NULL, NULL);
  if (rc) return rc;
  for (i = 0; i < n; i++)
    if (results[i].status) return results[i].status;
  return TC_OK;
}
