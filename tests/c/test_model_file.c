/* test_model_file.c - the model object, its bytes and its files.
 *
 * Models are built by hand (a fitted extractor, then weights or support
 * vectors from a fixed pseudo-random sequence), so these tests do not
 * depend on training. Hostile files are made by editing valid bytes and,
 * where the test is about what lies past the checksum, recomputing it.
 *
 * Setting TC_FUZZ_SEED_DIR writes the small valid models used as seeds of
 * tests/fuzz/fuzz_model.c into that directory.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* O_TMPFILE */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libsvm/svm.h>

#include "check.h"
#include "internal.h"
#include "oom.h"

/* ======================================================== fixtures */

static const char *const TEXTS[] = {
    "The striker scored twice and the league title race is open again",
    "Parliament passed the budget after a long debate on taxes",
    "The new phone has a faster chip and a brighter screen",
    "The coach praised the defence after the cup match",
    "Ministers met trade unions to discuss pensions and taxes",
    "Engineers released an update that fixes the battery drain on the phone",
    "Fans cheered as the team won the league",
    "The election campaign focused on the economy and the budget",
};
#define N_TEXTS (sizeof TEXTS / sizeof TEXTS[0])

static const char *const LABELS[] = {"sport", "world", ("\xc3\xa9" "conomie")};
#define N_LABELS 3

static uint64_t rng_state;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}
static double rnd_unit(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }

static char *xstrdup(const char *s) {
  char *d = malloc(strlen(s) + 1);
  if (d) strcpy(d, s);
  return d;
}

static tc_extractor *make_extractor(void) {
  tc_options o;
  tc_extractor *ex = NULL;
  size_t lens[N_TEXTS], i;
  tc_options_init(&o);
  o.min_df = 1;
  /* an odd number of features, so a linear model has an odd number of
   * weights (x 3 labels) and the loader's pairwise finiteness scan has a
   * last weight of its own to check */
  o.max_features = 83;
  for (i = 0; i < N_TEXTS; i++) lens[i] = strlen(TEXTS[i]);
  if (tc_extractor_new(&o, &ex, NULL) != TC_OK) return NULL;
  if (tc_extractor_fit(ex, N_TEXTS, TEXTS, lens, NULL, NULL) != TC_OK) {
    tc_extractor_free(ex);
    return NULL;
  }
  return ex;
}

/* Labels, calibration and metadata shared by both kinds of model. */
static int fill_common(tc_model *m, int kernel) {
  size_t l;
  m->ex = make_extractor();
  if (!m->ex) return 0;
  m->kernel = kernel;
  m->multilabel = 1;
  m->threshold = 0.4;
  m->fallback = 1;
  m->n_labels = N_LABELS;
  m->labels = calloc(N_LABELS, sizeof *m->labels);
  m->platt_a = malloc(N_LABELS * sizeof *m->platt_a);
  m->platt_b = malloc(N_LABELS * sizeof *m->platt_b);
  if (!m->labels || !m->platt_a || !m->platt_b) return 0;
  for (l = 0; l < N_LABELS; l++) {
    m->labels[l] = xstrdup(LABELS[l]);
    if (!m->labels[l]) return 0;
    m->platt_a[l] = -1.0 - rnd_unit();
    m->platt_b[l] = rnd_unit() - 0.5;
  }
  return tci_model_set_meta(m, "created", "2026-11-25T18:00:00Z") == TC_OK &&
         tci_model_set_meta(m, "documents", "8") == TC_OK &&
         tci_model_set_meta(m, "C", "1") == TC_OK &&
         tci_model_set_meta(m, "K", "5") == TC_OK;
}

static tc_model *make_linear(void) {
  tc_model *m;
  size_t nf, i;
  rng_state = 0x9E3779B97F4A7C15ull;
  if (tci_model_alloc(&m) != TC_OK) return NULL;
  if (!fill_common(m, TC_KERNEL_LINEAR)) goto fail;
  nf = tc_extractor_n_features(m->ex);
  m->weights = malloc(nf * N_LABELS * sizeof *m->weights);
  m->bias = malloc(N_LABELS * sizeof *m->bias);
  if (!m->weights || !m->bias) goto fail;
  for (i = 0; i < nf * N_LABELS; i++) m->weights[i] = (float)(2 * rnd_unit() - 1);
  for (i = 0; i < N_LABELS; i++) m->bias[i] = rnd_unit() - 0.5;
  return m;
fail:
  tc_model_free(m);
  return NULL;
}

/* Six pooled support vectors: the TF-IDF vectors of six texts. Label l
 * uses every vector whose number is not 2 mod (l + 3), so the labels share
 * some vectors and not others, and the coefficients have both signs. */
#define N_SV 6
/* make_linear's model with the short-story rule: n0 = SHORT_N0. */
#define SHORT_N0 9
static tc_model *make_linear_short(void) {
  tc_model *m = make_linear();
  if (m) m->short_features = SHORT_N0;
  return m;
}

/* make_linear_short's model with the rule's moderation: c = SHORT_C. */
#define SHORT_C 0.7
static tc_model *make_linear_moderated(void) {
  tc_model *m = make_linear_short();
  if (m) m->short_moderation = SHORT_C;
  return m;
}

static tc_model *make_rbf(void) {
  tc_model *m;
  tci_kernel *k;
  tc_workspace *ws = NULL;
  tc_vector v;
  size_t i, j, l, total = 0;
  rng_state = 0xD1B54A32D192ED03ull;
  if (tci_model_alloc(&m) != TC_OK) return NULL;
  if (!fill_common(m, TC_KERNEL_RBF) || tc_workspace_new(&ws) != TC_OK) goto fail;
  k = m->kern = calloc(1, sizeof *k);
  if (!k) goto fail;
  k->gamma = 0.75;
  k->n_sv = N_SV;
  k->sv_start = malloc(N_SV * sizeof *k->sv_start);
  k->nodes = malloc(4096 * sizeof *k->nodes);
  k->n_label_sv = calloc(N_LABELS, sizeof *k->n_label_sv);
  k->sv_idx = calloc(N_LABELS, sizeof *k->sv_idx);
  k->coef = calloc(N_LABELS, sizeof *k->coef);
  k->rho = calloc(N_LABELS, sizeof *k->rho);
  if (!k->sv_start || !k->nodes || !k->n_label_sv || !k->sv_idx || !k->coef || !k->rho) goto fail;
  for (i = 0; i < N_SV; i++) {
    if (tc_extractor_vectorize(m->ex, ws, TEXTS[i], strlen(TEXTS[i]), &v) != TC_OK) goto fail;
    if (total + v.n + 1 > 4096) goto fail;
    k->sv_start[i] = total;
    for (j = 0; j < v.n; j++) {
      k->nodes[total].index = v.f[j].index;
      k->nodes[total++].value = v.f[j].value;
    }
    k->nodes[total].index = -1;
    k->nodes[total++].value = 0;
  }
  k->n_nodes = total;
  for (l = 0; l < N_LABELS; l++) {
    k->sv_idx[l] = malloc(N_SV * sizeof **k->sv_idx);
    k->coef[l] = malloc(N_SV * sizeof **k->coef);
    if (!k->sv_idx[l] || !k->coef[l]) goto fail;
    for (i = 0; i < N_SV; i++) {
      if (i % (l + 3) == 2) continue;
      k->sv_idx[l][k->n_label_sv[l]] = (uint32_t)i;
      k->coef[l][k->n_label_sv[l]++] = (i % 2 ? -1 : 1) * (0.25 + rnd_unit());
    }
    k->rho[l] = rnd_unit() - 0.5;
  }
  if (tci_kernel_check(k, N_LABELS, TC_EINVAL, NULL) != TC_OK) goto fail;
  tc_workspace_free(ws);
  return m;
fail:
  tc_workspace_free(ws);
  tc_model_free(m);
  return NULL;
}

static unsigned char *to_bytes(const tc_model *m, size_t *len) {
  unsigned char *b = NULL;
  *len = 0;
  if (tc_model_to_bytes(m, &b, len) != TC_OK) return NULL;
  return b;
}

/* ======================================================== byte surgery */

static uint32_t rd32(const unsigned char *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const unsigned char *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static double rdf64(const unsigned char *p) {
  uint64_t u = rd64(p);
  double d;
  memcpy(&d, &u, 8);
  return d;
}
static void wr32(unsigned char *p, uint32_t v) {
  int i;
  for (i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}
static void wr64(unsigned char *p, uint64_t v) {
  wr32(p, (uint32_t)v);
  wr32(p + 4, (uint32_t)(v >> 32));
}
static void wrf64(unsigned char *p, double d) {
  uint64_t u;
  memcpy(&u, &d, 8);
  wr64(p, u);
}
static void wrf32(unsigned char *p, float f) {
  uint32_t u;
  memcpy(&u, &f, 4);
  wr32(p, u);
}

/* Make the header agree with the bytes again: length and CRC-32. */
static void fix_header(unsigned char *b, size_t len) {
  wr64(b + 16, len);
  wr32(b + 24, tci_crc32(0, b + 32, len - 32));
}

/* Offset of the payload of the section with this tag (its length in
 * *plen), or 0 when absent. */
static size_t section(const unsigned char *b, size_t len, const char *tag, uint64_t *plen) {
  size_t at = 32;
  while (at + 12 <= len) {
    uint64_t n = rd64(b + at + 4);
    if (memcmp(b + at, tag, 4) == 0) {
      if (plen) *plen = n;
      return at + 12;
    }
    at += 12 + (size_t)n;
  }
  return 0;
}

/* Offset of the first occurrence of pat in b[from, len), or 0. */
static size_t find_bytes(const unsigned char *b, size_t len, size_t from, const void *pat, size_t n) {
  size_t i;
  for (i = from; i + n <= len; i++)
    if (memcmp(b + i, pat, n) == 0) return i;
  return 0;
}

static unsigned char *dup_bytes(const unsigned char *b, size_t len) {
  unsigned char *c = malloc(len + 64);
  if (c) memcpy(c, b, len);
  return c;
}

/* Decode; returns the code, *diag the message. A success is freed. */
static int decode(const unsigned char *b, size_t len, tc_diag *d) {
  tc_model *m = (tc_model *)1;
  int rc;
  memset(d, 0, sizeof *d);
  rc = tc_model_from_bytes(b, len, &m, d);
  if (rc != TC_OK && m != NULL) return 12345; /* *out must be NULL on failure */
  tc_model_free(m);
  return rc;
}

#define CHECK_REJECT(b, len, code, needle)                                     \
  do {                                                                         \
    tc_diag d_;                                                                \
    int rc_ = decode((b), (len), &d_);                                         \
    CHECK_EQ_INT(rc_, code);                                                   \
    if (!strstr(d_.message, (needle))) {                                       \
      check_failed++;                                                          \
      fprintf(stderr, "%s:%d: diag \"%s\" lacks \"%s\"\n", __FILE__, __LINE__,  \
              d_.message, (needle));                                           \
    } else check_passed++;                                                     \
  } while (0)

/* ======================================================== decisions */

/* Decision values computed here, independently of predict.c: linear
 * w.x + b; kernel models by summing coef * exp(-gamma |x - sv|^2) - rho
 * directly (tests/c/test_kernel.c holds them to libsvm's own bits). */
static int linear_decisions(const tc_model *m, tc_workspace *ws, const char *text, double *out) {
  tc_vector v;
  size_t l, j;
  if (tc_extractor_vectorize(m->ex, ws, text, strlen(text), &v) != TC_OK) return 0;
  for (l = 0; l < m->n_labels; l++) {
    double s = m->bias[l];
    for (j = 0; j < v.n; j++) s += v.f[j].value * m->weights[(size_t)(v.f[j].index - 1) * m->n_labels + l];
    out[l] = s;
  }
  return 1;
}

static double sqdist(const struct svm_node *x, const struct svm_node *y) {
  double s = 0;
  while (x->index != -1 || y->index != -1) {
    if (y->index == -1 || (x->index != -1 && x->index < y->index)) { s += x->value * x->value; x++; }
    else if (x->index == -1 || y->index < x->index) { s += y->value * y->value; y++; }
    else { s += (x->value - y->value) * (x->value - y->value); x++; y++; }
  }
  return s;
}

/* The engine's decision values (engine) and the direct sum (direct): an
 * independent computation, in another order, so equal to rounding. */
static int kernel_decisions(const tc_model *m, tc_workspace *ws, const char *text,
                            double *engine, double *direct) {
  tc_vector v;
  struct svm_node x[512];
  size_t l, j;
  const tci_kernel *k = m->kern;
  if (tc_model_decision_values(m, ws, text, strlen(text), engine) != TC_OK) return 0;
  if (tc_extractor_vectorize(m->ex, ws, text, strlen(text), &v) != TC_OK || v.n >= 512) return 0;
  for (j = 0; j < v.n; j++) {
    x[j].index = v.f[j].index;
    x[j].value = v.f[j].value;
  }
  x[v.n].index = -1;
  for (l = 0; l < m->n_labels; l++) {
    double s = -k->rho[l];
    for (j = 0; j < k->n_label_sv[l]; j++)
      s += k->coef[l][j] * exp(-k->gamma * sqdist(x, k->nodes + k->sv_start[k->sv_idx[l][j]]));
    direct[l] = s;
  }
  return 1;
}

static int same_doubles(const double *a, const double *b, size_t n) {
  return memcmp(a, b, n * sizeof *a) == 0;
}

static const char *const PROBES[] = {
    "the team won the cup", "taxes and the budget", "a phone with a screen",
    "nothing in the vocabulary here", ""};
#define N_PROBES (sizeof PROBES / sizeof PROBES[0])

/* ======================================================== tests */

TEST(fixtures_build) {
  tc_model *a = make_linear(), *b = make_rbf();
  CHECK(a != NULL);
  CHECK(b != NULL);
  if (a) CHECK(tc_extractor_n_features(a->ex) > 10);
  tc_model_free(a);
  tc_model_free(b);
}

/* A size too near SIZE_MAX to round up to whole huge pages is refused: the
 * rounding wrapped to 0, and the caller got a pointer to nothing. */
TEST(big_alloc_refuses_what_it_cannot_round) {
  void *p = tci_big_alloc(SIZE_MAX - 1);
  CHECK(p == NULL);
  free(p);
  p = tci_big_calloc(SIZE_MAX / 8, 8);
  CHECK(p == NULL);
  free(p);
  p = tci_big_alloc((size_t)4 << 20); /* two huge pages: given */
  CHECK(p != NULL);
  free(p);
}

TEST(accessors) {
  tc_model *m = make_linear();
  const char *k = NULL, *v = NULL;
  if (!m) { CHECK(m != NULL); return; }
  CHECK_EQ_INT(tc_model_n_labels(m), 3);
  CHECK_EQ_STR(tc_model_label(m, 2), LABELS[2]);
  CHECK(tc_model_label(m, 3) == NULL);
  CHECK_EQ_INT(tc_model_label_index(m, "world"), 1);
  CHECK_EQ_INT(tc_model_label_index(m, "worl"), -1);
  CHECK_EQ_INT(tc_model_kernel(m), TC_KERNEL_LINEAR);
  CHECK_EQ_INT(tc_model_multilabel(m), 1);
  CHECK(tc_model_threshold(m) == 0.4);
  CHECK_EQ_INT(tc_model_fallback(m), 1);
  CHECK(tc_model_extractor(m) == m->ex);
  CHECK_EQ_INT(tc_model_meta_count(m), 4);
  CHECK_OK(tc_model_meta_at(m, 1, &k, &v));
  CHECK_EQ_STR(k, "documents");
  CHECK_EQ_STR(v, "8");
  CHECK_EQ_INT(tc_model_meta_at(m, 4, &k, &v), TC_EINVAL);
  CHECK_EQ_STR(tc_model_meta(m, "C"), "1");
  CHECK(tc_model_meta(m, "gamma") == NULL);
  /* setting a key again replaces its value and keeps its place */
  CHECK_OK(tci_model_set_meta(m, "documents", "9"));
  CHECK_EQ_INT(tc_model_meta_count(m), 4);
  CHECK_OK(tc_model_meta_at(m, 1, &k, &v));
  CHECK_EQ_STR(v, "9");
  CHECK_EQ_INT(tci_model_set_meta(m, "", "x"), TC_EINVAL);
  /* NULL answers as an empty model */
  CHECK_EQ_INT(tc_model_n_labels(NULL), 0);
  CHECK(tc_model_label(NULL, 0) == NULL);
  CHECK_EQ_INT(tc_model_label_index(NULL, "sport"), -1);
  CHECK_EQ_INT(tc_model_fallback(NULL), -1);
  CHECK(tc_model_meta(NULL, "C") == NULL);
  tc_model_free(m);
  tc_model_free(NULL);
}

/* tci_kernel_check refuses a pool index out of range and a pool without
 * its last terminator (the loader's guard against walking off the pool). */
TEST(kernel_check_refuses_walks_off_the_pool) {
  tc_model *m = make_rbf();
  if (!m) { CHECK(m != NULL); return; }
  CHECK_OK(tci_kernel_check(m->kern, N_LABELS, TC_EINVAL, NULL));
  m->kern->sv_idx[1][0] = N_SV;
  CHECK_EQ_INT(tci_kernel_check(m->kern, N_LABELS, TC_EINVAL, NULL), TC_EINVAL);
  m->kern->sv_idx[1][0] = 0;
  m->kern->nodes[m->kern->n_nodes - 1].index = 7;
  CHECK_EQ_INT(tci_kernel_check(m->kern, N_LABELS, TC_EINVAL, NULL), TC_EINVAL);
  m->kern->nodes[m->kern->n_nodes - 1].index = -1;
  CHECK_OK(tci_kernel_check(m->kern, N_LABELS, TC_EINVAL, NULL));
  tc_model_free(m);
}

/* A decision value is positive when the label applies: the engine's must
 * agree with the direct sum to rounding. */
TEST(kernel_decisions_match_direct_sum) {
  tc_model *m = make_rbf();
  tc_workspace *ws = NULL;
  double a[N_LABELS], b[N_LABELS];
  size_t i, l;
  if (!m || tc_workspace_new(&ws) != TC_OK) { CHECK(0); tc_model_free(m); return; }
  for (i = 0; i < N_TEXTS; i++) {
    CHECK(kernel_decisions(m, ws, TEXTS[i], a, b));
    for (l = 0; l < N_LABELS; l++) CHECK(fabs(a[l] - b[l]) <= 1e-12 * (1 + fabs(b[l])));
  }
  tc_workspace_free(ws);
  tc_model_free(m);
}

static void round_trip(tc_model *m) {
  unsigned char *b1, *b2 = NULL;
  size_t n1, n2 = 0, i, l;
  tc_model *r = NULL;
  tc_workspace *ws = NULL;
  tc_diag d;
  double x[N_LABELS], y[N_LABELS], x2[N_LABELS], y2[N_LABELS];
  b1 = to_bytes(m, &n1);
  CHECK(b1 != NULL);
  if (!b1) return;
  CHECK_OK(tc_model_from_bytes(b1, n1, &r, &d));
  if (!r) { free(b1); return; }
  b2 = to_bytes(r, &n2);
  CHECK_MEM(b1, n1, b2, n2);
  CHECK_EQ_INT(r->n_labels, m->n_labels);
  for (l = 0; l < m->n_labels; l++) CHECK_EQ_STR(r->labels[l], m->labels[l]);
  CHECK_EQ_INT(r->kernel, m->kernel);
  CHECK_EQ_INT(r->multilabel, m->multilabel);
  CHECK(r->threshold == m->threshold);
  CHECK_EQ_INT(r->fallback, m->fallback);
  CHECK_EQ_INT(r->short_features, m->short_features);
  CHECK(r->short_moderation == m->short_moderation);
  CHECK(same_doubles(r->platt_a, m->platt_a, m->n_labels));
  CHECK(same_doubles(r->platt_b, m->platt_b, m->n_labels));
  CHECK_EQ_INT(r->n_meta, m->n_meta);
  for (i = 0; i < m->n_meta && i < r->n_meta; i++) {
    CHECK_EQ_STR(r->meta_key[i], m->meta_key[i]);
    CHECK_EQ_STR(r->meta_val[i], m->meta_val[i]);
  }
  CHECK_EQ_INT(tc_extractor_n_features(r->ex), tc_extractor_n_features(m->ex));
  CHECK_OK(tc_workspace_new(&ws));
  for (i = 0; i < N_PROBES + N_TEXTS && ws; i++) {
    const char *t = i < N_PROBES ? PROBES[i] : TEXTS[i - N_PROBES];
    if (m->kernel == TC_KERNEL_LINEAR) {
      CHECK(linear_decisions(m, ws, t, x) && linear_decisions(r, ws, t, y));
      CHECK(same_doubles(x, y, N_LABELS));
    } else {
      CHECK(kernel_decisions(m, ws, t, x, x2) && kernel_decisions(r, ws, t, y, y2));
      CHECK(same_doubles(x, y, N_LABELS));
      CHECK(same_doubles(x2, y2, N_LABELS));
    }
    /* and through the public prediction API, which must agree with the
     * independent computation above (x2: the direct kernel sum, or w.x + b) */
    if (m->kernel == TC_KERNEL_LINEAR) memcpy(x2, x, sizeof x2);
    CHECK_OK(tc_model_decision_values(m, ws, t, strlen(t), x));
    CHECK_OK(tc_model_decision_values(r, ws, t, strlen(t), y));
    CHECK(same_doubles(x, y, N_LABELS));
    for (l = 0; l < N_LABELS; l++) CHECK(fabs(x[l] - x2[l]) <= 1e-9 * (1 + fabs(x2[l])));
  }
  tc_workspace_free(ws);
  tc_model_free(r);
  free(b1);
  free(b2);
}

TEST(linear_round_trip) {
  tc_model *m = make_linear();
  if (!m) { CHECK(m != NULL); return; }
  round_trip(m);
  tc_model_free(m);
}

/* ======================================================== the short-story rule */

/* The calibrated score of decision value f, computed here. */
static double platt(const tc_model *m, size_t l, double f) {
  return 1.0 / (1.0 + exp(m->platt_a[l] * f + m->platt_b[l]));
}

static size_t n_features_of(const tc_model *m, tc_workspace *ws, const char *text) {
  tc_vector v;
  return tc_extractor_vectorize(m->ex, ws, text, strlen(text), &v) == TC_OK ? v.n : (size_t)-1;
}

/* m's scores of text, by tc_model_predict; 0 on failure. */
static int scores_of(const tc_model *m, tc_workspace *ws, const char *text, double *s) {
  uint32_t labels[N_LABELS];
  tc_result r;
  r.scores = s;
  r.labels = labels;
  return tc_model_predict(m, ws, text, strlen(text), -1.0, &r) == TC_OK;
}

/* A batch on 2 threads scores each of the probes and texts (texts, lens:
 * N_PROBES + N_TEXTS of them) as tc_model_predict does alone. */
static void check_batch_scores(const tc_model *m, tc_workspace *ws, const char **texts,
                               const size_t *lens) {
  double s[N_LABELS], batch_s[N_PROBES + N_TEXTS][N_LABELS];
  uint32_t batch_l[N_PROBES + N_TEXTS][N_LABELS];
  tc_result res[N_PROBES + N_TEXTS];
  size_t i;
  for (i = 0; i < N_PROBES + N_TEXTS; i++) {
    res[i].scores = batch_s[i];
    res[i].labels = batch_l[i];
  }
  CHECK_OK(tc_model_predict_batch(m, N_PROBES + N_TEXTS, texts, lens, -1.0, 2, res));
  for (i = 0; i < N_PROBES + N_TEXTS; i++) {
    CHECK(scores_of(m, ws, texts[i], s));
    CHECK(same_doubles(s, batch_s[i], N_LABELS));
  }
}

/* A story of 0 < n < n0 features scores its decision values moved from
 * the bias by sqrt(n0 / n); n = 0 and n >= n0 score them as they are;
 * decision values stay raw; batches score the same. */
TEST(short_story_rule_scores) {
  tc_model *m = make_linear_short();
  tc_workspace *ws = NULL;
  double f[N_LABELS], dv[N_LABELS], s[N_LABELS];
  const char *texts[N_PROBES + N_TEXTS];
  size_t lens[N_PROBES + N_TEXTS], i, l, scaled = 0, at_n0 = 0, above = 0, empty = 0;
  if (!m || tc_workspace_new(&ws) != TC_OK) { CHECK(0); tc_model_free(m); return; }
  for (i = 0; i < N_PROBES + N_TEXTS; i++) {
    const char *t = texts[i] = i < N_PROBES ? PROBES[i] : TEXTS[i - N_PROBES];
    size_t n = n_features_of(m, ws, t);
    double gain = n > 0 && n < SHORT_N0 ? sqrt((double)SHORT_N0 / (double)n) : 1.0;
    lens[i] = strlen(t);
    scaled += gain > 1;
    at_n0 += n == SHORT_N0;
    above += n > SHORT_N0;
    empty += n == 0;
    CHECK(linear_decisions(m, ws, t, f) && scores_of(m, ws, t, s));
    CHECK_OK(tc_model_decision_values(m, ws, t, strlen(t), dv));
    for (l = 0; l < N_LABELS; l++) {
      double want = platt(m, l, m->bias[l] + (f[l] - m->bias[l]) * gain);
      CHECK(fabs(dv[l] - f[l]) <= 1e-9 * (1 + fabs(f[l]))); /* raw */
      if (fabs(s[l] - want) > 1e-12) {
        check_failed++;
        fprintf(stderr, "probe %zu (%zu features), label %zu: score %.17g, want %.17g\n", i, n, l, s[l], want);
      } else check_passed++;
    }
  }
  /* the probes reach every case: scaled, exactly n0, above it, empty */
  CHECK(scaled >= 3 && at_n0 >= 1 && above >= 1 && empty >= 1);
  check_batch_scores(m, ws, texts, lens);
  tc_workspace_free(ws);
  tc_model_free(m);
}

/* The larger n0, the further a short story's score moves from the empty
 * text's, in the direction of its evidence (the sigmoids rise with f). */
TEST(short_story_rule_is_monotone_in_n0) {
  tc_model *m = make_linear_short();
  tc_workspace *ws = NULL;
  const char *t = PROBES[0];
  double f[N_LABELS], s[N_LABELS], prev[N_LABELS];
  size_t n, l;
  uint32_t n0;
  if (!m || tc_workspace_new(&ws) != TC_OK) { CHECK(0); tc_model_free(m); return; }
  n = n_features_of(m, ws, t);
  CHECK(n > 0 && n < 40);
  CHECK(linear_decisions(m, ws, t, f));
  for (n0 = 0; n0 <= 200 && n > 0; n0++) {
    m->short_features = n0;
    CHECK(scores_of(m, ws, t, s));
    for (l = 0; l < N_LABELS; l++) {
      CHECK(m->platt_a[l] < 0);
      if (n0 <= n) CHECK(s[l] == platt(m, l, f[l]) || fabs(s[l] - platt(m, l, f[l])) <= 1e-15);
      else if (f[l] > m->bias[l]) CHECK(s[l] >= prev[l]);
      else CHECK(s[l] <= prev[l]);
      prev[l] = s[l];
    }
  }
  tc_workspace_free(ws);
  tc_model_free(m);
}

/* m's labels of text at threshold t, by tc_model_predict, into out (room
 * for N_LABELS); how many, 0 on failure. */
static size_t labels_of(const tc_model *m, tc_workspace *ws, const char *text, double t, uint32_t *out) {
  double s[N_LABELS];
  tc_result r;
  r.scores = s;
  r.labels = out;
  return tc_model_predict(m, ws, text, strlen(text), t, &r) == TC_OK ? r.n_labels : 0;
}

/* With the moderation, a story of 0 < n < n0 features scores its scaled
 * decision values with each label's log-odds times 1 / sqrt(1 + c (n0 /
 * n - 1)); n = 0 and n >= n0 score as without it. At threshold 0.5 every
 * story gets the labels it gets without the moderation, in the same
 * order; batches score the same. */
TEST(short_moderation_scores) {
  tc_model *m = make_linear_moderated(), *plain = make_linear_short();
  tc_workspace *ws = NULL;
  double f[N_LABELS], s[N_LABELS], unmoderated[N_LABELS];
  uint32_t got[N_LABELS], want[N_LABELS];
  const char *texts[N_PROBES + N_TEXTS];
  size_t lens[N_PROBES + N_TEXTS], i, l, k, moderated = 0;
  if (!m || !plain || tc_workspace_new(&ws) != TC_OK) { CHECK(0); goto done; }
  for (i = 0; i < N_PROBES + N_TEXTS; i++) {
    const char *t = texts[i] = i < N_PROBES ? PROBES[i] : TEXTS[i - N_PROBES];
    size_t n = n_features_of(m, ws, t);
    int is_short = n > 0 && n < SHORT_N0;
    double gain = is_short ? sqrt((double)SHORT_N0 / (double)n) : 1.0;
    double kappa = is_short ? 1.0 / sqrt(1.0 + SHORT_C * ((double)SHORT_N0 / (double)n - 1.0)) : 1.0;
    lens[i] = strlen(t);
    moderated += is_short;
    CHECK(linear_decisions(m, ws, t, f) && scores_of(m, ws, t, s) && scores_of(plain, ws, t, unmoderated));
    for (l = 0; l < N_LABELS; l++) {
      double z = m->platt_a[l] * (m->bias[l] + (f[l] - m->bias[l]) * gain) + m->platt_b[l];
      double want_s = 1.0 / (1.0 + exp(kappa * z));
      if (fabs(s[l] - want_s) > 1e-12) {
        check_failed++;
        fprintf(stderr, "probe %zu (%zu features), label %zu: score %.17g, want %.17g\n", i, n, l, s[l], want_s);
      } else check_passed++;
      if (is_short) CHECK(fabs(s[l] - 0.5) <= fabs(unmoderated[l] - 0.5)); /* toward 0.5 */
      else CHECK(s[l] == unmoderated[l]);
    }
    k = labels_of(plain, ws, t, 0.5, want);
    CHECK(k > 0 && labels_of(m, ws, t, 0.5, got) == k && memcmp(got, want, k * sizeof *got) == 0);
  }
  CHECK(moderated >= 3);
  check_batch_scores(m, ws, texts, lens);
done:
  tc_workspace_free(ws);
  tc_model_free(m);
  tc_model_free(plain);
}

/* A version 3 file made version 4 by hand, with short_features n0 put
 * after the fallback (*len grows by 4): what the writer will not make
 * for a kernel model. */
static unsigned char *as_version_4(const unsigned char *b, size_t *len, uint32_t n0) {
  uint64_t plen;
  size_t at = section(b, *len, "LABL", &plen);
  unsigned char *c = malloc(*len + 4);
  if (!c || !at) { free(c); return NULL; }
  memcpy(c, b, at + 24);
  wr32(c + at + 24, n0);
  memcpy(c + at + 28, b + at + 24, *len - at - 24);
  wr32(c + 8, 4);
  wr64(c + at - 8, plen + 4);
  *len += 4;
  fix_header(c, *len);
  return c;
}

/* Version 4: the rule's n0 after the fallback; decision values stay raw. */
TEST(short_features_round_trip) {
  tc_model *m = make_linear_short();
  unsigned char *b;
  size_t n, at;
  uint64_t plen;
  if (!m) { CHECK(m != NULL); return; }
  round_trip(m);
  CHECK_EQ_INT(tc_model_short_features(m), SHORT_N0);
  CHECK(tc_model_short_moderation(m) == 0); /* version 4: no moderation */
  CHECK_EQ_INT(tc_model_file_version(m), 4);
  if ((b = to_bytes(m, &n)) != NULL) {
    CHECK_EQ_INT(rd32(b + 8), 4);
    at = section(b, n, "LABL", &plen);
    CHECK_EQ_INT(rd32(b + at + 24), SHORT_N0);
    CHECK_EQ_INT(rd32(b + at + 28), strlen(LABELS[0])); /* then the names */
    free(b);
  } else CHECK(0);
  tc_model_free(m);
}

/* Version 5: the moderation's c after n0. */
TEST(short_moderation_round_trip) {
  tc_model *m = make_linear_moderated();
  unsigned char *b;
  size_t n, at;
  uint64_t plen;
  if (!m) { CHECK(m != NULL); return; }
  round_trip(m);
  CHECK(tc_model_short_moderation(m) == SHORT_C);
  CHECK_EQ_INT(tc_model_file_version(m), 5);
  if ((b = to_bytes(m, &n)) != NULL) {
    CHECK_EQ_INT(rd32(b + 8), 5);
    at = section(b, n, "LABL", &plen);
    CHECK_EQ_INT(rd32(b + at + 24), SHORT_N0);
    CHECK(rdf64(b + at + 28) == SHORT_C);
    CHECK_EQ_INT(rd32(b + at + 36), strlen(LABELS[0])); /* then the names */
    free(b);
  } else CHECK(0);
  tc_model_free(m);
}

TEST(rbf_round_trip) {
  tc_model *m = make_rbf();
  if (!m) { CHECK(m != NULL); return; }
  round_trip(m);
  tc_model_free(m);
}

/* Equal models give equal bytes: nothing depends on addresses or time. */
TEST(bytes_are_deterministic) {
  tc_model *a = make_linear(), *b = make_linear();
  unsigned char *x = NULL, *y = NULL;
  size_t nx = 0, ny = 0;
  if (a && b) {
    x = to_bytes(a, &nx);
    y = to_bytes(b, &ny);
    CHECK(x != NULL);
    CHECK_MEM(x, nx, y, ny);
    CHECK(memcmp(x, "TEXTCLAS", 8) == 0);
    CHECK_EQ_INT(rd32(x + 8), 3); /* no short_features: version 3, as before version 4 */
    CHECK_EQ_INT(rd64(x + 16), nx);
    CHECK_EQ_INT(tc_model_file_version(a), 3);
    CHECK_EQ_INT(tc_model_short_features(a), 0);
  } else CHECK(0);
  free(x);
  free(y);
  tc_model_free(a);
  tc_model_free(b);
}

static void every_truncation(tc_model *m) {
  unsigned char *b;
  size_t n, cut, bad = 0;
  tc_diag d;
  b = to_bytes(m, &n);
  if (!b) { CHECK(b != NULL); return; }
  for (cut = 0; cut < n; cut++) {
    unsigned char *c = dup_bytes(b, cut); /* exact-size copy: ASan sees overreads */
    int rc = decode(c, cut, &d);
    if (rc != TC_EFORMAT && rc != TC_ECHECKSUM) {
      if (bad++ < 5) fprintf(stderr, "cut at %zu of %zu: %d (%s)\n", cut, n, rc, d.message);
    }
    free(c);
  }
  CHECK_EQ_INT(bad, 0);
  CHECK_REJECT(b, n - 1, TC_EFORMAT, "truncated");
  free(b);
}

TEST(every_truncation_rejected) {
  tc_model *a = make_linear(), *s = make_linear_short(), *v = make_linear_moderated(), *k = make_rbf();
  if (a) every_truncation(a); else CHECK(0);
  if (s) every_truncation(s); else CHECK(0);
  if (v) every_truncation(v); else CHECK(0);
  if (k) every_truncation(k); else CHECK(0);
  tc_model_free(a);
  tc_model_free(s);
  tc_model_free(v);
  tc_model_free(k);
}

/* Any one corrupted byte is caught: the header by its own checks, the rest
 * by CRC-32, which detects every error burst up to 32 bits. */
static void byte_flips(tc_model *m, uint64_t seed) {
  unsigned char *b, *c;
  size_t n, i, accepted = 0;
  tc_diag d;
  b = to_bytes(m, &n);
  if (!b) { CHECK(b != NULL); return; }
  rng_state = seed;
  for (i = 0; i < 3000; i++) {
    size_t at = (size_t)(rnd() % n);
    c = dup_bytes(b, n);
    c[at] ^= (unsigned char)(1 + rnd() % 255);
    if (decode(c, n, &d) == TC_OK) {
      if (accepted++ < 5) fprintf(stderr, "flip at %zu accepted\n", at);
    }
    free(c);
  }
  CHECK_EQ_INT(accepted, 0);
  free(b);
}

TEST(random_byte_flips_rejected) {
  tc_model *a = make_linear(), *s = make_linear_short(), *k = make_rbf();
  if (a) byte_flips(a, 0x1234567ull); else CHECK(0);
  if (s) byte_flips(s, 0x2345678ull); else CHECK(0);
  if (k) byte_flips(k, 0x7654321ull); else CHECK(0);
  tc_model_free(a);
  tc_model_free(s);
  tc_model_free(k);
}

/* Past the checksum: flip bytes and recompute it, so every check behind
 * the CRC is exercised. Whatever is accepted must be a consistent model:
 * it re-encodes to exactly the same bytes and predicts without faults. */
static void flips_behind_crc(tc_model *m, uint64_t seed) {
  unsigned char *b, *c;
  size_t n, i, accepted = 0, not_canonical = 0, odd_code = 0;
  tc_workspace *ws = NULL;
  b = to_bytes(m, &n);
  if (!b || tc_workspace_new(&ws) != TC_OK) { CHECK(0); free(b); return; }
  rng_state = seed;
  for (i = 0; i < 3000; i++) {
    tc_model *r = NULL;
    tc_diag d;
    int flips = 1 + (int)(rnd() % 3), f, rc;
    c = dup_bytes(b, n);
    for (f = 0; f < flips; f++) c[32 + rnd() % (n - 32)] ^= (unsigned char)(1 + rnd() % 255);
    fix_header(c, n);
    rc = tc_model_from_bytes(c, n, &r, &d);
    if (rc == TC_OK) {
      unsigned char *again;
      size_t n2;
      double v[N_LABELS];
      accepted++;
      again = to_bytes(r, &n2);
      if (!again || n2 != n || memcmp(again, c, n) != 0) not_canonical++;
      free(again);
      tc_model_decision_values(r, ws, TEXTS[0], strlen(TEXTS[0]), v);
      tc_model_free(r);
    } else if (r != NULL || (rc != TC_EFORMAT && /* the extractor's own version field: */
                             !(rc == TC_EVERSION && strncmp(d.message, "extractor:", 10) == 0))) {
      if (odd_code++ < 5) fprintf(stderr, "flip: code %d (%s)\n", rc, d.message);
    }
    free(c);
  }
  CHECK_EQ_INT(not_canonical, 0);
  CHECK_EQ_INT(odd_code, 0);
  printf("flips behind the CRC: %zu of 3000 accepted (value bytes), all consistent\n", accepted);
  tc_workspace_free(ws);
  free(b);
}

TEST(flips_behind_the_checksum) {
  tc_model *a = make_linear(), *s = make_linear_short(), *v = make_linear_moderated(), *k = make_rbf();
  if (a) flips_behind_crc(a, 42); else CHECK(0);
  if (s) flips_behind_crc(s, 44); else CHECK(0);
  if (v) flips_behind_crc(v, 45); else CHECK(0);
  if (k) flips_behind_crc(k, 43); else CHECK(0);
  tc_model_free(a);
  tc_model_free(s);
  tc_model_free(v);
  tc_model_free(k);
}

TEST(header_checks) {
  tc_model *m = make_linear();
  unsigned char *b, *c;
  size_t n;
  if (!m || !(b = to_bytes(m, &n))) { CHECK(0); tc_model_free(m); return; }
  c = dup_bytes(b, n);
  wr32(c + 8, 6);
  CHECK_REJECT(c, n, TC_EVERSION, "format version 6 is not supported (this library reads 3 to 5)");
  wr32(c + 8, 1); /* before text rules were recorded */
  CHECK_REJECT(c, n, TC_EVERSION, "format version 1 is older than the oldest this library reads, 3: retrain");
  wr32(c + 8, 2); /* f64 weights */
  CHECK_REJECT(c, n, TC_EVERSION, "format version 2 is older than the oldest this library reads, 3: retrain");
  wr32(c + 8, 0);
  CHECK_REJECT(c, n, TC_EVERSION, "version 0");
  CHECK_REJECT(c, 12, TC_EVERSION, "version");  /* refused before the length is read */
  memcpy(c, b, n);
  c[0] = 'X';
  CHECK_REJECT(c, n, TC_EFORMAT, "magic");
  CHECK_REJECT((const unsigned char *)"TEXT", 4, TC_EFORMAT, "too short");
  CHECK_REJECT((const unsigned char *)"", 0, TC_EFORMAT, "too short");
  memcpy(c, b, n);
  wr32(c + 12, 1);
  CHECK_REJECT(c, n, TC_EFORMAT, "flags");
  memcpy(c, b, n);
  wr32(c + 28, 1);
  CHECK_REJECT(c, n, TC_EFORMAT, "reserved");
  memcpy(c, b, n);
  c[n] = 0;
  CHECK_REJECT(c, n + 1, TC_EFORMAT, "trailing");
  memcpy(c, b, n);
  c[n / 2] ^= 1;
  CHECK_REJECT(c, n, TC_ECHECKSUM, "checksum");
  /* trailing bytes that the header and CRC agree with: still refused */
  memcpy(c, b, n);
  memset(c + n, 0, 8);
  fix_header(c, n + 8);
  CHECK_REJECT(c, n + 8, TC_EFORMAT, "trailing");
  /* bad arguments */
  {
    tc_model *r = (tc_model *)1;
    CHECK_EQ_INT(tc_model_from_bytes(NULL, 5, &r, NULL), TC_EINVAL);
    CHECK(r == NULL);
    CHECK_EQ_INT(tc_model_from_bytes(b, n, NULL, NULL), TC_EINVAL);
  }
  free(c);
  free(b);
  tc_model_free(m);
}

/* Counts that would make a naive loader allocate gigabytes, in files whose
 * checksum is right: each is refused before any allocation it implies. */
TEST(hostile_counts) {
  tc_model *m = make_linear(), *k = make_rbf();
  unsigned char *b, *c;
  size_t n, at;
  uint64_t plen;
  if (!m || !k || !(b = to_bytes(m, &n))) { CHECK(0); tc_model_free(m); tc_model_free(k); return; }
  c = dup_bytes(b, n);
#define EDIT(stmt, code, needle) \
  do { memcpy(c, b, n); stmt; fix_header(c, n); CHECK_REJECT(c, n, code, needle); } while (0)
  at = section(b, n, "META", &plen);
  CHECK(at != 0);
  EDIT(wr32(c + at, 0xFFFFFFFFu), TC_EFORMAT, "meta: 4294967295 entries");
  EDIT(wr64(c + at - 8, (uint64_t)1 << 62), TC_EFORMAT, "meta: section length");
  EDIT(wr32(c + at + 4, 0x7FFFFFFFu), TC_EFORMAT, "meta: key 0 runs past");
  EDIT(memcpy(c + at - 12, "ATEM", 4), TC_EFORMAT, "expected section META");
  at = section(b, n, "LABL", &plen);
  CHECK(at != 0);
  EDIT(wr32(c + at, 0xFFFFFFF0u), TC_EFORMAT, "labels: 4294967280 labels cannot fit");
  EDIT(wr32(c + at, 0), TC_EFORMAT, "labels: the model has no labels");
  EDIT(wr32(c + at, 4), TC_EFORMAT, "labels:");
  at = section(b, n, "LINR", &plen);
  CHECK(at != 0);
  EDIT(wr64(c + at, rd64(b + at) + 1), TC_EFORMAT, "linear: ");
  EDIT(wr64(c + at, (uint64_t)1 << 40), TC_EFORMAT, "but the extractor has");
  EDIT(wr32(c + at + 8, 0xFFFFFFFFu), TC_EFORMAT, "linear: 4294967295 labels");
  at = section(b, n, "CALB", &plen);
  CHECK(at != 0);
  EDIT(wr32(c + at, 2), TC_EFORMAT, "calibration: 2 labels");
  free(b);
  free(c);

  /* kernel pools */
  if (!(b = to_bytes(k, &n))) { CHECK(0); tc_model_free(m); tc_model_free(k); return; }
  c = dup_bytes(b, n);
  at = section(b, n, "KERN", &plen);
  CHECK(at != 0);
  EDIT(wr64(c + at + 12, (uint64_t)1 << 40), TC_EFORMAT, "kernel: 1099511627776 support vectors cannot fit");
  EDIT(wr64(c + at + 20, (uint64_t)1 << 62), TC_EFORMAT, "kernel: 4611686018427387904 nodes");
  EDIT(wr64(c + at + 20, 2), TC_EFORMAT, "kernel: ");
  EDIT(wr32(c + at + 28, 0xFFFFFFFFu), TC_EFORMAT, "kernel: support vector 0: 4294967295 nodes");
  EDIT(wr32(c + at + 8, 9), TC_EFORMAT, "kernel: 9 labels");
  {
    /* the first label's count: skip the pool */
    size_t p = at + 28, i;
    for (i = 0; i < N_SV; i++) p += 4 + 12 * (size_t)rd32(b + p);
    EDIT(wr64(c + p, (uint64_t)1 << 61), TC_EFORMAT, "kernel: label 0: 2305843009213693952 support vectors");
    EDIT(wr32(c + p + 8, N_SV), TC_EFORMAT, "beyond the pool");
  }
#undef EDIT
  free(b);
  free(c);
  tc_model_free(m);
  tc_model_free(k);
}

/* Values the loader must refuse even though every count is right. */
TEST(semantic_checks_behind_the_checksum) {
  tc_model *m = make_linear(), *k = make_rbf();
  unsigned char *b, *c;
  size_t n, at, name;
  uint64_t plen;
  if (!m || !k || !(b = to_bytes(m, &n))) { CHECK(0); tc_model_free(m); tc_model_free(k); return; }
  c = dup_bytes(b, n);
#define EDIT(stmt, code, needle) \
  do { memcpy(c, b, n); stmt; fix_header(c, n); CHECK_REJECT(c, n, code, needle); } while (0)
  at = section(b, n, "LABL", &plen);
  name = at + 24; /* first label: u32 length, bytes */
  EDIT(wr32(c + at + 4, 7), TC_EFORMAT, "unknown kernel");
  EDIT(wr32(c + at + 8, 2), TC_EFORMAT, "multilabel");
  EDIT(wrf64(c + at + 12, 1.5), TC_EFORMAT, "labels: threshold 1.5 is not in [0, 1]");
  EDIT(wrf64(c + at + 12, NAN), TC_EFORMAT, "labels: threshold");
  EDIT(wrf64(c + at + 12, -0.25), TC_EFORMAT, "labels: threshold");
  EDIT(wr32(c + at + 20, 3), TC_EFORMAT, "labels: fallback label 3 is out of range");
  EDIT(wr32(c + at + 20, 0xFFFFFFFEu), TC_EFORMAT, "labels: fallback label -2");
  {
    size_t world = find_bytes(b, n, at, "\x05\0\0\0world", 9) + 4;
    size_t eco = find_bytes(b, n, at, "\x09\0\0\0\xc3\xa9", 6) + 4;
    size_t key_k = find_bytes(b, n, section(b, n, "META", &plen), "\x01\0\0\0K", 5) + 4;
    CHECK(world > 4 && eco > 4 && key_k > 4);
    EDIT(memcpy(c + world, "sport", 5), TC_EFORMAT, "labels: label \"sport\" appears twice");
    EDIT(c[name + 4 + 2] = 0, TC_EFORMAT, "labels: label 0 contains a NUL byte");
    EDIT(c[name + 4 + 2] = 0xFF, TC_EFORMAT, "labels: label 0 is not valid UTF-8");
    EDIT(c[eco + 1] = 0xC3, TC_EFORMAT, "labels: label 2 is not valid UTF-8");
    EDIT(c[eco] = 0xC0, TC_EFORMAT, "labels: label 2 is not valid UTF-8"); /* overlong */
    EDIT(c[name + 4 + 2] = 0x1B, TC_EFORMAT, "labels: label 0 holds a control character (U+001B)");
    EDIT(c[name + 4 + 2] = '\n', TC_EFORMAT, "labels: label 0 holds a control character (U+000A)");
    EDIT(c[eco] = 0xC2; c[eco + 1] = 0x85, TC_EFORMAT, "labels: label 2 holds a control character (U+0085)");
    /* (a comma made "a,b" read as two labels in label's TSV and CSV output) */
    EDIT(c[world + 2] = ',', TC_EFORMAT, "labels: label 1 holds a comma, which separates labels");
    EDIT(c[key_k] = 'C', TC_EFORMAT, "meta: key \"C\" appears twice");
    EDIT(c[key_k] = 0x80, TC_EFORMAT, "meta: key 3 is not valid UTF-8");
    EDIT(c[key_k + 5] = 0xFF, TC_EFORMAT, "meta: value of \"K\" is not valid UTF-8");
  }
  at = section(b, n, "LINR", &plen);
  EDIT(wrf32(c + at + 12 + 4 * 5, INFINITY), TC_EFORMAT, "linear: weight 5 is not finite");
  EDIT(wrf32(c + at + 12, NAN), TC_EFORMAT, "linear: weight 0 is not finite");
  EDIT(wrf32(c + at + (size_t)plen - 8 * 3 - 4, -INFINITY), TC_EFORMAT, "linear: weight 248 is not finite");
  EDIT(wrf32(c + at + (size_t)plen - 8 * 3 - 8, NAN), TC_EFORMAT, "linear: weight 247 is not finite");
  EDIT(wrf64(c + at + (size_t)plen - 8, NAN), TC_EFORMAT, "linear: bias 2 is not finite");
  at = section(b, n, "CALB", &plen);
  EDIT(wrf64(c + at + 4 + 8, NAN), TC_EFORMAT, "calibration: B of label 0 is not finite");
  at = section(b, n, "EXTR", &plen);
  EDIT(wr32(c + at, 0xFFFFFFFFu), TC_EFORMAT, "extractor: ");
  free(b);
  free(c);

  /* version 4: short_features, n0 >= 1 (0 is written as version 3), at
   * most 2^31-1, linear models only */
  m->short_features = SHORT_N0;
  if (!(b = to_bytes(m, &n))) { CHECK(0); tc_model_free(m); tc_model_free(k); return; }
  c = dup_bytes(b, n);
  at = section(b, n, "LABL", &plen);
  EDIT(wr32(c + at + 24, 0), TC_EFORMAT, "labels: short_features is 0 in a version 4 file");
  EDIT(wr32(c + at + 24, 0x80000000u), TC_EFORMAT, "labels: short_features 2147483648 is more than 2^31-1");
  EDIT(wr32(c + at + 24, 0x7FFFFFFFu), TC_OK, "");
  EDIT(wr32(c + 8, 3), TC_EFORMAT, "labels: "); /* read as version 3: n0 taken for a name's length */
  free(b);
  free(c);
  if ((b = to_bytes(k, &n)) != NULL && (c = as_version_4(b, &n, SHORT_N0)) != NULL) {
    CHECK_REJECT(c, n, TC_EFORMAT, "labels: short_features 9 is set on a kernel model (the rule is linear only)");
    free(c);
  } else CHECK(0);
  free(b);
  /* and the same splice on a linear model loads, n0 and all */
  b = NULL;
  m->short_features = 0;
  if ((b = to_bytes(m, &n)) != NULL && (c = as_version_4(b, &n, SHORT_N0)) != NULL) {
    tc_model *r = NULL;
    CHECK_OK(tc_model_from_bytes(c, n, &r, NULL));
    CHECK_EQ_INT(tc_model_short_features(r), SHORT_N0);
    tc_model_free(r);
    free(c);
  } else CHECK(0);
  free(b);

  /* version 5: the moderation's c, in (0, 1e6] (0 is written as version 4) */
  m->short_features = SHORT_N0;
  m->short_moderation = SHORT_C;
  if (!(b = to_bytes(m, &n))) { CHECK(0); tc_model_free(m); tc_model_free(k); return; }
  c = dup_bytes(b, n);
  at = section(b, n, "LABL", &plen);
  EDIT(wrf64(c + at + 28, 0), TC_EFORMAT, "labels: short_moderation is 0 in a version 5 file");
  EDIT(wrf64(c + at + 28, -0.5), TC_EFORMAT, "labels: short_moderation -0.5 is not in [0, 1e6]");
  EDIT(wrf64(c + at + 28, NAN), TC_EFORMAT, "labels: short_moderation");
  EDIT(wrf64(c + at + 28, 2e6), TC_EFORMAT, "labels: short_moderation 2e+06 is not in [0, 1e6]");
  EDIT(wr32(c + at + 24, 0), TC_EFORMAT, "labels: short_features is 0 in a version 5 file");
  EDIT(wr32(c + 8, 4), TC_EFORMAT, "labels: "); /* read as version 4: c taken for names */
  free(b);
  free(c);
  /* the writer refuses what the reader would */
  m->short_features = 0;
  b = NULL;
  CHECK_EQ_INT(tc_model_to_bytes(m, &b, &n), TC_EINVAL);
  CHECK(b == NULL);
  m->short_moderation = 0;

  if (!(b = to_bytes(k, &n))) { CHECK(0); tc_model_free(m); tc_model_free(k); return; }
  c = dup_bytes(b, n);
  at = section(b, n, "KERN", &plen);
  EDIT(wrf64(c + at, 0), TC_EFORMAT, "kernel: gamma 0 is not a positive number");
  EDIT(wrf64(c + at, NAN), TC_EFORMAT, "kernel: gamma");
  {
    size_t sv = at + 28; /* first vector: u32 count, then (u32 index, f64 value) */
    uint32_t i0 = rd32(b + sv + 4), i1 = rd32(b + sv + 16);
    CHECK(rd32(b + sv) >= 2);
    EDIT((wr32(c + sv + 4, i1), wr32(c + sv + 16, i0)), TC_EFORMAT, "kernel: support vector 0: feature index");
    EDIT(wr32(c + sv + 16, i0), TC_EFORMAT, "is not ascending");
    EDIT(wr32(c + sv + 4, 0), TC_EFORMAT, "feature index 0 is not ascending");
    EDIT(wr32(c + sv + 4, 0xFFFFFFFFu), TC_EFORMAT, "kernel: support vector 0: feature index");
    EDIT(wrf64(c + sv + 8, NAN), TC_EFORMAT, "kernel: support vector 0: value of feature");
  }
  {
    size_t p = at + 28, i;
    for (i = 0; i < N_SV; i++) p += 4 + 12 * (size_t)rd32(b + p);
    /* label 0: u64 n, n pool indices, n coefficients, rho */
    EDIT(wrf64(c + p + 8 + 4 * rd64(b + p), NAN), TC_EFORMAT, "kernel: label 0: coefficient 0 is not finite");
    EDIT(wrf64(c + p + 8 + 12 * rd64(b + p), INFINITY), TC_EFORMAT, "kernel: label 0: rho is not finite");
  }
#undef EDIT
  free(b);
  free(c);
  tc_model_free(m);
  tc_model_free(k);
}

/* The writer applies the loader's rules: it never writes a file that
 * would be refused. */
TEST(invalid_models_are_not_written) {
  tc_model *m = make_linear();
  unsigned char *b = (unsigned char *)1;
  size_t n = 7;
  tc_diag d;
  char *saved, *saved0;
  if (!m) { CHECK(0); return; }
  saved = m->labels[1];
  m->labels[1] = (char *)"";
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tci_model_encode(m, &b, &n, &d), TC_EINVAL);
  CHECK(b == NULL && n == 0);
  CHECK(strstr(d.message, "labels: label 1 is empty") != NULL);
  m->labels[1] = (char *)"sport";
  CHECK_EQ_INT(tci_model_encode(m, &b, &n, &d), TC_EINVAL);
  CHECK(strstr(d.message, "appears twice") != NULL);
  m->labels[1] = (char *)"a,b";
  CHECK_EQ_INT(tci_model_encode(m, &b, &n, &d), TC_EINVAL);
  CHECK(strstr(d.message, "labels: label 1 holds a comma, which separates labels") != NULL);
  /* a name longer than a message shows is cut before a character, not in
   * it: here an é at bytes 63 and 64 */
  saved0 = m->labels[0];
  m->labels[0] = m->labels[1] =
      (char *)"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9";
  CHECK_EQ_INT(tci_model_encode(m, &b, &n, &d), TC_EINVAL);
  CHECK(strstr(d.message, "labels: label \""
                          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" appears twice") != NULL);
  m->labels[0] = saved0;
  m->labels[1] = saved;
  m->threshold = NAN;
  CHECK_EQ_INT(tc_model_to_bytes(m, &b, &n), TC_EINVAL);
  m->threshold = 0.5;
  m->fallback = 3;
  CHECK_EQ_INT(tc_model_to_bytes(m, &b, &n), TC_EINVAL);
  m->fallback = -1;
  m->weights[4] = NAN;
  CHECK_EQ_INT(tci_model_encode(m, &b, &n, &d), TC_EINVAL);
  CHECK(strstr(d.message, "linear: weight 4 is not finite") != NULL);
  m->weights[4] = 0;
  CHECK_OK(tc_model_to_bytes(m, &b, &n));
  free(b);
  {
    tc_model *k = make_rbf();
    if (k) {
      k->short_features = 80;
      CHECK_EQ_INT(tci_model_encode(k, &b, &n, &d), TC_EINVAL);
      CHECK(strstr(d.message, "labels: short_features 80 is set on a kernel model") != NULL);
    } else CHECK(0);
    tc_model_free(k);
  }
  CHECK_EQ_INT(tc_model_to_bytes(NULL, &b, &n), TC_EINVAL);
  tc_model_free(m);
}

/* Models made by tc_model_train (linear via the default solver, RBF via
 * libsvm, with cross-validation figures in the metadata) obey the file
 * rules and round-trip like the hand-built ones. */
static const char *const TEXT_LABELS[N_TEXTS] = {"sport", "world", "tech", "sport",
                                                 "world", "tech", "sport", "world"};

static tc_model *train_small(int kernel, tc_diag *d) {
  tc_dataset *ds = NULL;
  tc_train_params p;
  tc_model *m = NULL;
  size_t i;
  if (tc_dataset_new(&ds) != TC_OK) return NULL;
  for (i = 0; i < N_TEXTS; i++)
    if (tc_dataset_add(ds, TEXTS[i], strlen(TEXTS[i]), &TEXT_LABELS[i], 1) != TC_OK) break;
  tc_train_params_init(&p);
  p.features.min_df = 1;
  p.kernel = kernel;
  p.cv_folds = 2;
  p.fallback = "world";
  memset(d, 0, sizeof *d);
  if (i == N_TEXTS && tc_model_train(ds, &p, &m, d) != TC_OK) m = NULL;
  tc_dataset_free(ds);
  return m;
}

TEST(trained_models_round_trip) {
  int kernel;
  for (kernel = TC_KERNEL_LINEAR; kernel <= TC_KERNEL_RBF; kernel++) {
    tc_diag d;
    tc_model *m = train_small(kernel, &d);
    if (!m) {
      fprintf(stderr, "training (kernel %d) failed: %s\n", kernel, d.message);
      CHECK(m != NULL);
      continue;
    }
    CHECK_EQ_INT(tc_model_n_labels(m), N_LABELS);
    CHECK_EQ_INT(tc_model_kernel(m), kernel);
    CHECK_EQ_INT(tc_model_fallback(m), tc_model_label_index(m, "world"));
    round_trip(m);
    tc_model_free(m);
  }
}

/* ======================================================== files */

static char tmpdir[64];

static size_t dir_entries(const char *dir) {
  DIR *dp = opendir(dir);
  struct dirent *e;
  size_t n = 0;
  if (!dp) return (size_t)-1;
  while ((e = readdir(dp)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) n++;
  closedir(dp);
  return n;
}

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  unsigned char *b;
  long n;
  *len = 0;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  b = malloc((size_t)n + 1);
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
  fclose(f);
  if (b) *len = (size_t)n;
  return b;
}

TEST(save_and_load) {
  tc_model *a = make_linear(), *k = make_rbf(), *r = NULL;
  char path[128];
  unsigned char *fb, *mb;
  size_t fn, mn;
  struct stat st;
  tc_diag d;
  if (!a || !k) { CHECK(0); tc_model_free(a); tc_model_free(k); return; }
  snprintf(path, sizeof path, "%s/news.model", tmpdir);
  CHECK_OK(tc_model_save(a, path, &d));
  fb = slurp(path, &fn);
  mb = to_bytes(a, &mn);
  CHECK(fb != NULL);
  CHECK_MEM(fb, fn, mb, mn);
  free(fb);
  free(mb);
  CHECK_OK(tc_model_load(path, &r, &d));
  CHECK(r != NULL && r->kernel == TC_KERNEL_LINEAR);
  tc_model_free(r);
  r = NULL;
  /* replacing: the new model, the old permissions, no temporary left */
  CHECK(chmod(path, 0640) == 0);
  CHECK_OK(tc_model_save(k, path, &d));
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
  CHECK_OK(tc_model_load(path, &r, &d));
  CHECK(r != NULL && r->kernel == TC_KERNEL_RBF);
  fb = slurp(path, &fn);
  mb = to_bytes(k, &mn);
  CHECK_MEM(fb, fn, mb, mn);
  free(mb);
  /* a model that cannot be written leaves the old file as it was */
  a->threshold = 2;
  CHECK_EQ_INT(tc_model_save(a, path, &d), TC_EINVAL);
  CHECK_EQ_STR(d.message, "save: labels: threshold 2 is not in [0, 1]");
  a->threshold = 0.4;
  mb = slurp(path, &mn);
  CHECK_MEM(fb, fn, mb, mn);
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  free(fb);
  free(mb);
  tc_model_free(r);
  CHECK(unlink(path) == 0);
  tc_model_free(a);
  tc_model_free(k);
}

TEST(save_failures_leave_nothing_behind) {
  tc_model *a = make_linear();
  char path[160], sub[128];
  tc_diag d;
  struct stat st;
  if (!a) { CHECK(0); return; }
  snprintf(path, sizeof path, "%s/missing/news.model", tmpdir);
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tc_model_save(a, path, &d), TC_EIO);
  CHECK(strstr(d.message, "No such file or directory") != NULL);
  CHECK_EQ_INT(dir_entries(tmpdir), 0);
  /* saving onto a directory: refused (a rename would fail), nothing made */
  snprintf(sub, sizeof sub, "%s/adir", tmpdir);
  CHECK(mkdir(sub, 0755) == 0);
  CHECK_EQ_INT(tc_model_save(a, sub, &d), TC_EIO);
  CHECK(stat(sub, &st) == 0 && S_ISDIR(st.st_mode));
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  CHECK_EQ_INT(dir_entries(sub), 0);
  CHECK(rmdir(sub) == 0);
  /* saving onto a FIFO (or a device): refused, the FIFO stays a FIFO */
  snprintf(sub, sizeof sub, "%s/afifo", tmpdir);
  CHECK(mkfifo(sub, 0644) == 0);
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tc_model_save(a, sub, &d), TC_EIO);
  CHECK(strstr(d.message, "not a regular file") != NULL);
  CHECK(stat(sub, &st) == 0 && S_ISFIFO(st.st_mode));
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  CHECK(unlink(sub) == 0);
  CHECK_EQ_INT(tc_model_save(NULL, path, &d), TC_EINVAL);
  CHECK(strcmp(d.message, "save: no model given") == 0);
  /* (a model given, the message said "no model or path given") */
  CHECK_EQ_INT(tc_model_save(a, "", &d), TC_EINVAL);
  CHECK(strcmp(d.message, "save: no path given") == 0);
  tc_model_free(a);
}

/* Whether tc_outfile's temporaries have no name here (O_TMPFILE in dir,
 * and /proc/self/fd to name them at commit), asked of the system itself. */
static int unnamed_temporaries(const char *dir) {
#ifdef O_TMPFILE
  int fd = access("/proc/self/fd", X_OK) == 0 ? open(dir, O_TMPFILE | O_WRONLY, 0600) : -1;
  if (fd >= 0) close(fd);
  return fd >= 0;
#else
  (void)dir;
  return 0;
#endif
}

/* tc_outfile, which tc_model_save writes through: the file appears at
 * commit, whole; discard and failures leave the old one. */
TEST(outfile_commit_and_discard) {
  char path[128], sub[160];
  unsigned char *b;
  size_t n;
  tc_outfile *f = (tc_outfile *)1;
  tc_diag d;
  snprintf(path, sizeof path, "%s/errors.jsonl", tmpdir);
  CHECK_OK(tc_outfile_open(path, &f, &d));
  CHECK_OK(tc_outfile_write(f, "first ", 6, &d));
  CHECK_OK(tc_outfile_write(f, "", 0, &d));
  CHECK_EQ_INT(access(path, F_OK), -1); /* nothing at path before the commit */
  CHECK_OK(tc_outfile_write(f, "file\n", 5, &d));
  CHECK_OK(tc_outfile_commit(f, &d));
  b = slurp(path, &n);
  CHECK_MEM(b, n, "first file\n", 11);
  free(b);
  /* discarded: the old file stays, the temporary goes */
  CHECK_OK(tc_outfile_open(path, &f, &d));
  CHECK_OK(tc_outfile_write(f, "second", 6, &d));
  /* the temporary: unnamed while it is written, where the system allows */
  CHECK_EQ_INT(dir_entries(tmpdir), unnamed_temporaries(tmpdir) ? 1 : 2);
  tc_outfile_discard(f);
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  b = slurp(path, &n);
  CHECK_MEM(b, n, "first file\n", 11);
  free(b);
  tc_outfile_discard(NULL);
  /* refused: no path, a directory, a missing directory */
  CHECK_EQ_INT(tc_outfile_open("", &f, &d), TC_EINVAL);
  CHECK(f == NULL);
  CHECK_EQ_INT(tc_outfile_open(NULL, &f, &d), TC_EINVAL);
  CHECK_EQ_STR(d.message, "outfile: no path given");
  CHECK_EQ_INT(tc_outfile_open(tmpdir, &f, &d), TC_EIO);
  CHECK(strstr(d.message, "not a regular file") != NULL);
  snprintf(sub, sizeof sub, "%s/missing/x", tmpdir);
  CHECK_EQ_INT(tc_outfile_open(sub, &f, &d), TC_EIO);
  CHECK(strstr(d.message, "cannot create a temporary file beside") != NULL);
  CHECK_EQ_INT(tc_outfile_write(NULL, "x", 1, &d), TC_EINVAL);
  CHECK_EQ_STR(d.message, "outfile: no file or bytes given");
  CHECK_EQ_INT(tc_outfile_commit(NULL, &d), TC_EINVAL);
  CHECK_EQ_STR(d.message, "outfile: no file given");
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  CHECK(unlink(path) == 0);
}

/* The named temporary that systems without O_TMPFILE get: there beside
 * the path while it is written, gone after a commit or a discard. */
TEST(outfile_named_temporary) {
  char path[128];
  unsigned char *b;
  size_t n;
  tc_outfile *f;
  tc_diag d;
  snprintf(path, sizeof path, "%s/named.txt", tmpdir);
  CHECK_OK(tci_outfile_open_named(path, &f, &d));
  CHECK_OK(tc_outfile_write(f, "kept", 4, &d));
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  CHECK_EQ_INT(access(path, F_OK), -1);
  CHECK_OK(tc_outfile_commit(f, &d));
  b = slurp(path, &n);
  CHECK_MEM(b, n, "kept", 4);
  free(b);
  CHECK_OK(tci_outfile_open_named(path, &f, &d));
  CHECK_OK(tc_outfile_write(f, "dropped", 7, &d));
  CHECK_EQ_INT(dir_entries(tmpdir), 2);
  tc_outfile_discard(f);
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  b = slurp(path, &n);
  CHECK_MEM(b, n, "kept", 4);
  free(b);
  CHECK(unlink(path) == 0);
}

/* A process killed while it writes (SIGKILL: no handler, no discard)
 * leaves no temporary behind where temporaries are unnamed. */
TEST(outfile_killed_writer_leaves_nothing) {
  char path[128];
  unsigned char *b;
  size_t n;
  int status = 0;
  pid_t pid;
  FILE *old;
  if (!unnamed_temporaries(tmpdir)) {
    printf("SKIPPED outfile_killed_writer_leaves_nothing: no O_TMPFILE in %s\n", tmpdir);
    return;
  }
  snprintf(path, sizeof path, "%s/killed.txt", tmpdir);
  old = fopen(path, "wb");
  CHECK(old != NULL);
  if (!old) return;
  fputs("old", old);
  fclose(old);
  fflush(NULL);
  pid = fork();
  CHECK(pid >= 0);
  if (pid == 0) {
    tc_outfile *f;
    if (tc_outfile_open(path, &f, NULL) == TC_OK) (void)tc_outfile_write(f, "half", 4, NULL);
    kill(getpid(), SIGKILL);
    _exit(1);
  }
  if (pid < 0) return;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  b = slurp(path, &n);
  CHECK_MEM(b, n, "old", 3);
  free(b);
  CHECK(unlink(path) == 0);
}

/* A write that failed half-way (the file size limit, a full disk) left
 * the bytes before it in the temporary file, and a commit after it put
 * that partial file at `path` with TC_OK. The failure now sticks: commit
 * refuses with TC_EIO and removes the temporary, the old file stays. */
TEST(regression_commit_after_failed_write) {
  char path[128];
  static char big[4096];
  unsigned char *b;
  size_t n;
  tc_outfile *f;
  tc_diag d;
  struct rlimit old, low;
  FILE *fp;
  void (*was)(int);
  int rc;
  snprintf(path, sizeof path, "%s/partial.txt", tmpdir);
  fp = fopen(path, "w");
  CHECK(fp != NULL);
  if (!fp) return;
  fputs("old\n", fp);
  fclose(fp);
  memset(big, 'x', sizeof big);
  CHECK_OK(tc_outfile_open(path, &f, &d));
  if (getrlimit(RLIMIT_FSIZE, &old) != 0) { CHECK(0); tc_outfile_discard(f); return; }
  low = old;
  low.rlim_cur = 1000;
  was = signal(SIGXFSZ, SIG_IGN);
  CHECK(setrlimit(RLIMIT_FSIZE, &low) == 0);
  memset(&d, 0, sizeof d);
  rc = tc_outfile_write(f, big, sizeof big, &d);
  CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
  signal(SIGXFSZ, was);
  CHECK_EQ_INT(rc, TC_EIO);
  CHECK_EQ_INT(tc_outfile_write(f, "y", 1, &d), TC_EIO); /* the failure sticks */
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tc_outfile_commit(f, &d), TC_EIO);
  CHECK(strstr(d.message, "write") != NULL);
  b = slurp(path, &n);
  CHECK_MEM(b, n, "old\n", 4);
  free(b);
  CHECK_EQ_INT(dir_entries(tmpdir), 1);
  CHECK(unlink(path) == 0);
}

/* The child of regression_unopenable_directory_keeps_old_file: replaces
 * dir/f through a tc_outfile, as an unprivileged user. Exit status: 0 as
 * the header promises (TC_EIO and the old file intact), 1 commit's code,
 * 2 the file's content, 77 no unprivileged user to be. */
static int replace_in_unreadable_dir(const char *dir) {
  char path[192], buf[16] = {0};
  tc_outfile *f;
  tc_diag d;
  FILE *fp;
  int rc;
  if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) return 77;
  snprintf(path, sizeof path, "%s/f", dir);
  if (tc_outfile_open(path, &f, &d) != TC_OK) return 1;
  if (tc_outfile_write(f, "new\n", 4, &d) != TC_OK) return 1;
  rc = tc_outfile_commit(f, &d);
  if (rc != TC_EIO || !strstr(d.message, "directory")) return 1;
  fp = fopen(path, "r");
  if (!fp || !fgets(buf, sizeof buf, fp)) return 2;
  fclose(fp);
  return strcmp(buf, "old\n") == 0 ? 0 : 2;
}

/* A directory that can be written but not opened (mode 0333) cannot be
 * fsynced: commit renamed the new file over the old one first, then failed
 * to open the directory and returned TC_EIO, so the caller was told the
 * save failed while the old file was gone. The directory is opened before
 * the rename now. Root opens any directory, so the test drops to nobody in
 * a child process. */
TEST(regression_unopenable_directory_keeps_old_file) {
  char sub[128], path[160];
  FILE *fp;
  pid_t pid;
  int status = -1;
  snprintf(sub, sizeof sub, "%s/wx", tmpdir);
  snprintf(path, sizeof path, "%s/f", sub);
  CHECK(mkdir(sub, 0755) == 0);
  fp = fopen(path, "w");
  CHECK(fp != NULL);
  if (!fp) return;
  fputs("old\n", fp);
  fclose(fp);
  if (geteuid() == 0) {
    CHECK(chmod(tmpdir, 0711) == 0);
    CHECK(chown(sub, 65534, 65534) == 0);
  }
  CHECK(chmod(sub, 0333) == 0);
  fflush(NULL);
  pid = fork();
  if (pid == 0) _exit(replace_in_unreadable_dir(sub));
  CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
  CHECK(chmod(sub, 0755) == 0);
  CHECK(chmod(tmpdir, 0700) == 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
    fprintf(stderr, "%s: SKIPPED: cannot become an unprivileged user\n", check_current);
  } else {
    CHECK(WIFEXITED(status));
    CHECK_EQ_INT(WEXITSTATUS(status), 0);
    CHECK_EQ_INT(dir_entries(sub), 1); /* the temporary is gone */
  }
  CHECK(unlink(path) == 0);
  CHECK(rmdir(sub) == 0);
}

#ifdef __linux__
/* tc_model_load of a pipe holding n bytes, the `len` of head then zeros,
 * whose write end stays open, as a stream that never ends: it must fail
 * with `code`, saying `says`, from what it holds, and not wait for more
 * (which alarm would end, failing the test). */
static void check_stream_stops(const char *head, size_t len, size_t n, int code, const char *says) {
  unsigned char bytes[64] = {0};
  tc_model *r = NULL;
  tc_diag d;
  int fds[2];
  char fd_path[64];
  memcpy(bytes, head, len);
  CHECK(n <= sizeof bytes && pipe(fds) == 0);
  CHECK(write(fds[1], bytes, n) == (ssize_t)n);
  snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", fds[0]);
  memset(&d, 0, sizeof d);
  alarm(60);
  CHECK_EQ_INT(tc_model_load(fd_path, &r, &d), code);
  alarm(0);
  CHECK(r == NULL);
  CHECK(strstr(d.message, says) != NULL);
  close(fds[0]);
  close(fds[1]);
}
#endif

TEST(load_failures) {
  tc_model *r = (tc_model *)1;
  char path[128];
  tc_diag d;
  FILE *f;
  snprintf(path, sizeof path, "%s/none.model", tmpdir);
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tc_model_load(path, &r, &d), TC_EIO);
  CHECK(r == NULL);
  CHECK(strstr(d.message, "No such file or directory") != NULL);
  CHECK(strstr(d.message, "none.model") != NULL);
  r = (tc_model *)1;
  CHECK_EQ_INT(tc_model_load(tmpdir, &r, &d), TC_EIO);
  CHECK(r == NULL);
  CHECK(strstr(d.message, "directory") != NULL);
  f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f) fclose(f);
  CHECK_EQ_INT(tc_model_load(path, &r, &d), TC_EFORMAT);
  f = fopen(path, "wb");
  if (f) {
    fputs("svm_type c_svc\nkernel_type rbf\n", f);
    fclose(f);
  }
  CHECK_EQ_INT(tc_model_load(path, &r, &d), TC_EFORMAT);
  CHECK(strstr(d.message, "magic") != NULL);
  CHECK(strncmp(d.message, "load: ", 6) == 0 && strstr(d.message, path) == d.message + 6); /* which file */
  /* larger than any model may be: refused from its size, before reading
   * (a sparse file, so the test costs no disk) */
  f = fopen(path, "wb");
  if (f) {
    CHECK(ftruncate(fileno(f), ((off_t)1 << 30) + 1) == 0);
    fclose(f);
  }
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tc_model_load(path, &r, &d), TC_ELIMIT);
  CHECK(r == NULL);
  CHECK(strstr(d.message, "more than") != NULL);
  CHECK(unlink(path) == 0);
  /* a device that never ends: refused by its first bytes, not read to the
   * 1 GiB limit first (it used to take 2 GB of memory and 6 s) */
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tc_model_load("/dev/zero", &r, &d), TC_EFORMAT);
  CHECK(r == NULL);
  CHECK(strstr(d.message, "bad magic") != NULL);
#ifdef __linux__
  {
    /* a stream (no size to stat) whose header says it is larger than any
     * model may be: refused by its header, not read to the limit first */
    unsigned char header[32] = "TEXTCLAS\3\0\0\0\0\0\0\0\0\0\0\x80\2";
    int fds[2];
    char fd_path[64];
    CHECK(pipe(fds) == 0);
    CHECK(write(fds[1], header, sizeof header) == (ssize_t)sizeof header);
    close(fds[1]);
    snprintf(fd_path, sizeof fd_path, "/proc/self/fd/%d", fds[0]);
    memset(&d, 0, sizeof d);
    CHECK_EQ_INT(tc_model_load(fd_path, &r, &d), TC_ELIMIT);
    CHECK(strstr(d.message, "says it is 10737418240 bytes, more than the 1073741824") != NULL);
    close(fds[0]);
  }
  /* a stream that goes on past the length its header gives (a model, then
   * /dev/zero), or after a version this library does not read: refused by
   * the bytes read so far, not read on to its end or to the 1 GiB limit */
  {
    static const char says_40[] = "TEXTCLAS\3\0\0\0\0\0\0\0\x28", version_99[] = "TEXTCLAS\x63";
    check_stream_stops(says_40, sizeof says_40 - 1, 48, TC_EFORMAT,
                       "header: the model is 40 bytes, but more follow (trailing bytes)");
    check_stream_stops(version_99, sizeof version_99 - 1, 48, TC_EVERSION, "format version 99 is not supported");
  }
#endif
  CHECK_EQ_INT(tc_model_load(NULL, &r, &d), TC_EINVAL);
  CHECK_EQ_STR(d.message, "load: no path given");
  CHECK_EQ_INT(tc_model_load("", &r, &d), TC_EINVAL);
  CHECK_EQ_INT(tc_model_load(path, NULL, &d), TC_EINVAL);
  CHECK_EQ_STR(d.message, "load: no output given");
}

#ifdef HAVE_OOM_HOOK
/* r encodes to the n bytes b; frees r. */
static void check_encodes_to(tc_model *r, const unsigned char *b, size_t n) {
  size_t again_n;
  unsigned char *again = to_bytes(r, &again_n);
  if (again) CHECK_MEM(again, again_n, b, n); else CHECK(0);
  free(again);
  tc_model_free(r);
}

/* Every allocation of loading, writing and saving fails in turn (oom.h):
 * each failure is TC_ENOMEM with nothing made and nothing leaked (valgrind
 * checks the leaks), a failed save leaves no file behind, and once enough
 * allocations succeed each call gives what it gives unhooked. */
static void sweep_model_files(const tc_model *m, const char *path) {
  unsigned char *b, *out, *saved;
  size_t n, outn, savedn;
  tc_model *r;
  tc_diag d;
  oom_sweep s;
  b = to_bytes(m, &n);
  if (!b) { CHECK(0); return; }
  s = oom_sweep_start("tc_model_from_bytes", 5000);
  while (oom_next(&s)) {
    int rc;
    r = NULL;
    oom_arm(&s);
    rc = tc_model_from_bytes(b, n, &r, &d);
    if (oom_failed(&s, rc, d.message)) CHECK(r == NULL);
    else check_encodes_to(r, b, n);
  }
  oom_sweep_finish(&s, 4);
  s = oom_sweep_start("tc_model_to_bytes", 5000);
  while (oom_next(&s)) {
    int rc;
    out = NULL;
    oom_arm(&s);
    rc = tc_model_to_bytes(m, &out, &outn);
    if (oom_failed(&s, rc, NULL)) CHECK(out == NULL && outn == 0);
    else CHECK_MEM(out, outn, b, n);
    free(out);
  }
  oom_sweep_finish(&s, 1);
  s = oom_sweep_start("tc_model_save", 5000);
  while (oom_next(&s)) {
    int rc;
    oom_arm(&s);
    rc = tc_model_save(m, path, &d);
    if (oom_failed(&s, rc, d.message)) CHECK_EQ_INT(dir_entries(tmpdir), 0);
    else {
      saved = slurp(path, &savedn);
      if (saved) CHECK_MEM(saved, savedn, b, n); else CHECK(0);
      free(saved);
    }
  }
  oom_sweep_finish(&s, 1);
  s = oom_sweep_start("tc_model_load", 5000);
  while (oom_next(&s)) {
    int rc;
    r = NULL;
    oom_arm(&s);
    rc = tc_model_load(path, &r, &d);
    if (oom_failed(&s, rc, d.message)) CHECK(r == NULL);
    else check_encodes_to(r, b, n);
  }
  oom_sweep_finish(&s, 4);
  CHECK(unlink(path) == 0);
  free(b);
}

/* A file written through tc_outfile (open, two writes, commit; with an
 * unnamed temporary or a named one) with each allocation failing in turn:
 * a failure is TC_ENOMEM with the diag saying so, and leaves the old file
 * at path as it was and no temporary beside it; once it succeeds, the new
 * bytes are there. */
static void sweep_outfile(const char *path, int unnamed) {
  oom_sweep s = oom_sweep_start(unnamed ? "tc_outfile_open, write, commit" :
                                          "tci_outfile_open_named, tc_outfile_write, commit", 100);
  while (oom_next(&s)) {
    tc_outfile *f = NULL;
    tc_diag d;
    FILE *old = fopen(path, "w");
    const char *want;
    unsigned char *got;
    size_t n;
    int rc;
    if (!old || fputs("old", old) == EOF || fclose(old) != 0) break;
    memset(&d, 0, sizeof d);
    oom_arm(&s);
    rc = unnamed ? tc_outfile_open(path, &f, &d) : tci_outfile_open_named(path, &f, &d);
    if (!rc) rc = tc_outfile_write(f, "new ", 4, &d);
    if (!rc) rc = tc_outfile_write(f, "bytes", 5, &d);
    if (!rc) rc = tc_outfile_commit(f, &d);
    else tc_outfile_discard(f);
    want = oom_failed(&s, rc, d.message) ? "old" : "new bytes";
    CHECK_EQ_INT(dir_entries(tmpdir), 1);
    got = slurp(path, &n);
    if (got) CHECK_MEM(got, n, want, strlen(want)); else CHECK(0);
    free(got);
  }
  oom_sweep_finish(&s, 3);
  CHECK(unlink(path) == 0);
}

TEST(allocation_failures) {
  tc_model *a = make_linear(), *k = make_rbf();
  char path[128];
  snprintf(path, sizeof path, "%s/oom.model", tmpdir);
  if (a) sweep_model_files(a, path); else CHECK(0);
  if (k) sweep_model_files(k, path); else CHECK(0);
  snprintf(path, sizeof path, "%s/oom.txt", tmpdir);
  sweep_outfile(path, 1);
  sweep_outfile(path, 0);
  tc_model_free(a);
  tc_model_free(k);
}
#endif

/* TC_FUZZ_SEED_DIR=dir: write the fixtures and two trained models as
 * fuzzing seeds. */
static void write_seeds(void) {
  static const char *const names[6] = {"linear", "rbf", "trained-linear", "trained-rbf", "linear-short",
                                       "linear-moderated"};
  const char *dir = getenv("TC_FUZZ_SEED_DIR");
  tc_model *m[6];
  tc_diag d;
  int i;
  if (!dir) return;
  m[0] = make_linear();
  m[1] = make_rbf();
  m[2] = train_small(TC_KERNEL_LINEAR, &d);
  m[3] = train_small(TC_KERNEL_RBF, &d);
  m[4] = make_linear_short(); /* version 4 */
  m[5] = make_linear_moderated(); /* version 5 */
  for (i = 0; i < 6; i++) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s.model", dir, names[i]);
    CHECK(m[i] != NULL);
    if (m[i]) CHECK_OK(tc_model_save(m[i], path, NULL));
    tc_model_free(m[i]);
  }
}

int main(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/tc_model_file.XXXXXX");
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  RUN(fixtures_build);
  RUN(big_alloc_refuses_what_it_cannot_round);
  RUN(accessors);
  RUN(kernel_check_refuses_walks_off_the_pool);
  RUN(kernel_decisions_match_direct_sum);
  RUN(linear_round_trip);
  RUN(short_features_round_trip);
  RUN(short_story_rule_scores);
  RUN(short_story_rule_is_monotone_in_n0);
  RUN(short_moderation_round_trip);
  RUN(short_moderation_scores);
  RUN(rbf_round_trip);
  RUN(trained_models_round_trip);
  RUN(bytes_are_deterministic);
  RUN(every_truncation_rejected);
  RUN(random_byte_flips_rejected);
  RUN(flips_behind_the_checksum);
  RUN(header_checks);
  RUN(hostile_counts);
  RUN(semantic_checks_behind_the_checksum);
  RUN(invalid_models_are_not_written);
  RUN(save_and_load);
  RUN(save_failures_leave_nothing_behind);
  RUN(outfile_commit_and_discard);
  RUN(outfile_named_temporary);
  RUN(outfile_killed_writer_leaves_nothing);
  RUN(regression_unopenable_directory_keeps_old_file);
  RUN(regression_commit_after_failed_write);
  RUN(load_failures);
#ifdef HAVE_OOM_HOOK
  RUN(allocation_failures);
#endif
  write_seeds();
  CHECK(rmdir(tmpdir) == 0);
  return check_report();
}
