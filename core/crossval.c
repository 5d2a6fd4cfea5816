/* crossval.c - k-fold cross-validation, grid search, fold assignment.
 *
 * Caveats:
 *  - Each fold trains a whole model (extractor included) on the other
 *    folds with tci_train, so the vocabulary and idf never see the held-out
 *    documents: the figures are honest estimates for new text.
 *  - Folds are stratified by first label and shuffled with splitmix64
 *    seeded from params.seed, so they are the same on every platform and
 *    thread count (rand() is never used: its state is process-wide).
 *  - Every figure comes from the out-of-fold scores (each document's from
 *    the fold model that did not train on it: ds->n x labels doubles, held
 *    until the figures are made), its labels chosen by the model's rule at
 *    a threshold; so a multi-label model's figures at every threshold cost
 *    no more training (tci_threshold_sweep).
 *  - Progress: the folds' own stages ("vocabulary", "train", "calibrate")
 *    are forwarded, then "cv" after each fold and "grid" after each grid
 *    point; a cancel anywhere stops everything with TC_ECANCELED. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

uint64_t tci_splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/* Uniform in [0, n) without modulo bias worth caring about (n < 2^32). */
static size_t below(uint64_t *s, size_t n) {
  return (size_t)(((tci_splitmix64(s) >> 32) * (uint64_t)n) >> 32);
}

void tci_shuffle(size_t *a, size_t n, uint64_t *state) {
  size_t i;
  for (i = n; i > 1; i--) {
    size_t j = below(state, i), t = a[i - 1];
    a[i - 1] = a[j];
    a[j] = t;
  }
}

/* Documents are grouped by first label (stratum n_labels = no label) with
 * a counting sort, each stratum shuffled, and dealt round-robin to the
 * folds starting where the previous stratum stopped, so fold sizes differ
 * by at most one and each label spreads evenly. Out of memory is
 * TC_ENOMEM: another deal would give other folds, and so another model
 * and other figures, from the same data and seed. */
int tci_folds(const tc_dataset *ds, int k, uint64_t seed, uint32_t *fold) {
  size_t n = ds->n, L = ds->n_names, i, s, next = 0;
  size_t *start = calloc(L + 2, sizeof *start), *order = malloc((n ? n : 1) * sizeof *order);
  uint64_t st = seed;
  if (!start || !order) {
    free(start);
    free(order);
    return TC_ENOMEM;
  }
#define STRATUM(i) (ds->lab_off[(i) + 1] > ds->lab_off[i] ? ds->lab[ds->lab_off[i]] : L)
  for (i = 0; i < n; i++) start[STRATUM(i) + 1]++;
  for (s = 0; s < L + 1; s++) start[s + 1] += start[s];
  for (i = 0; i < n; i++) order[start[STRATUM(i)]++] = i;
#undef STRATUM
  /* start[s] is now the end of stratum s; its beginning is start[s-1] or 0 */
  for (s = 0; s < L + 1; s++) {
    size_t a = s ? start[s - 1] : 0, b = start[s];
    tci_shuffle(order + a, b - a, &st);
    for (i = a; i < b; i++) fold[order[i]] = (uint32_t)(next++ % (size_t)k);
  }
  free(start);
  free(order);
  return TC_OK;
}

/* ======================================================== cross-validation */

/* Append piece (a grid point, "C=..:F1", or a threshold's figures) to the
 * comma-separated list *s of *len bytes (malloc'ed; NULL when empty). */
static int append(char **s, size_t *len, const char *piece) {
  size_t n = strlen(piece);
  char *t = realloc(*s, *len + n + 2);
  if (!t) return TC_ENOMEM;
  *s = t;
  if (*len) t[(*len)++] = ',';
  memcpy(t + *len, piece, n + 1);
  *len += n;
  return TC_OK;
}

typedef struct fwd {
  tc_progress_fn fn;
  void *ud;
} fwd;

static int forward(void *ud, const char *stage, size_t done, size_t total) {
  fwd *f = ud;
  return f->fn ? f->fn(f->ud, stage, done, total) : 0;
}

/* Score the held-out documents idx[0..n) with m into their rows of
 * oof->scores. */
static int score_fold(const tc_dataset *ds, const tc_model *m, const size_t *idx, size_t n,
                      int threads, tci_oof *oof) {
  size_t L = ds->n_names, i;
  const char **texts = malloc((n ? n : 1) * sizeof *texts);
  size_t *lens = malloc((n ? n : 1) * sizeof *lens);
  tc_result *res = calloc(n ? n : 1, sizeof *res);
  uint32_t *labels = malloc((n ? n : 1) * L * sizeof *labels);
  int rc = TC_ENOMEM;
  if (!texts || !lens || !res || !labels) goto done;
  for (i = 0; i < n; i++) {
    texts[i] = ds->text[idx[i]];
    lens[i] = ds->len[idx[i]];
    res[i].scores = oof->scores + idx[i] * L;
    res[i].labels = labels + i * L;
  }
  rc = tc_model_predict_batch(m, n, texts, lens, -1.0, threads, res);
done:
  free(texts);
  free(lens);
  free(res);
  free(labels);
  return rc;
}

/* Fold f: a model trained with q on the other folds' documents (*n_train
 * of them; tr and te are scratch for ds->n indices) scores fold f's. */
static int run_fold(const tc_dataset *ds, const tc_train_params *q, int f, size_t *tr, size_t *te,
                    size_t *n_train, tci_oof *oof, tc_diag *diag) {
  size_t ntr = 0, nte = 0, i;
  tc_dataset *sub = NULL;
  tc_model *m = NULL;
  int rc;
  for (i = 0; i < ds->n; i++) {
    if (oof->fold[i] == (uint32_t)f) te[nte++] = i;
    else tr[ntr++] = i;
  }
  *n_train = ntr;
  rc = tci_dataset_subset(ds, tr, ntr, &sub);
  if (!rc) rc = tci_train(sub, q, 1, &m, diag);
  if (!rc) rc = score_fold(ds, m, te, nte, q->threads, oof);
  tc_model_free(m);
  tc_dataset_free(sub);
  return rc;
}

void tci_oof_free(tci_oof *oof) {
  free(oof->scores);
  free(oof->fold);
  memset(oof, 0, sizeof *oof);
}

/* The folds, and the scores' rows (n x L, which TC_ELIMIT bounds). */
static int oof_alloc(const tc_dataset *ds, int k, uint64_t seed, tci_oof *oof, tc_diag *diag) {
  size_t n = ds->n, L = ds->n_names ? ds->n_names : 1;
  if (n > SIZE_MAX / sizeof *oof->scores / L)
    return tci_fail(diag, TC_ELIMIT, "cross-validation: %zu documents x %zu labels of scores", n, L);
  oof->k = k;
  oof->scores = malloc(n * L * sizeof *oof->scores);
  oof->fold = malloc(n * sizeof *oof->fold);
  if (!oof->scores || !oof->fold || tci_folds(ds, k, seed, oof->fold) != TC_OK) {
    tci_oof_free(oof);
    return tci_fail(diag, TC_ENOMEM, "cross-validation: out of memory");
  }
  return TC_OK;
}

int tci_cv_scores(const tc_dataset *ds, const tc_train_params *p, int k, tci_oof *oof,
                  tc_diag *diag) {
  const char *why;
  size_t *tr = NULL, *te = NULL, n;
  int f, rc;
  tc_train_params q;
  fwd fw;
  memset(oof, 0, sizeof *oof);
  if ((why = tc_train_params_check(p, ds))) return tci_fail(diag, TC_EINVAL, "%s", why);
  n = ds->n;
  if (k < 2 || (size_t)k > n)
    return tci_fail(diag, TC_EINVAL, "cross-validation: k = %d must be in 2..%zu (documents)", k, n);
  if ((rc = tci_check_data(ds, p, diag))) return rc;
  if ((rc = oof_alloc(ds, k, p->seed, oof, diag))) return rc;
  tr = malloc(n * sizeof *tr);
  te = malloc(n * sizeof *te);
  if (!tr || !te) rc = tci_fail(diag, TC_ENOMEM, "cross-validation: out of memory");
  q = *p;
  fw.fn = p->progress;
  fw.ud = p->progress_ud;
  q.progress = p->progress ? forward : NULL;
  q.progress_ud = &fw;
  for (f = 0; f < k && !rc; f++) {
    size_t ntr;
    rc = run_fold(ds, &q, f, tr, te, &ntr, oof, diag);
    if (!rc && p->progress && p->progress(p->progress_ud, "cv", (size_t)f + 1, (size_t)k))
      rc = TC_ECANCELED;
    /* The fold named, with the part it trained on, before what the fold's
     * training said: "vocabulary: no term survives min_df" read as the
     * whole data's failure, which trained well without cross-validation. */
    if (rc && diag) {
      char said[sizeof diag->message];
      snprintf(said, sizeof said, "%s", diag->code == rc ? diag->message : tc_strerror(rc));
      tci_fail(diag, rc, "cross-validation fold %d of %d (trained on %zu of the %zu documents): %s", f + 1, k,
               ntr, n, said);
    }
  }
  free(tr);
  free(te);
  if (rc) tci_oof_free(oof);
  return rc;
}

/* The fallback label's index in ds, or -1 (as the model keeps it). */
static int fallback_index(const tc_dataset *ds, const tc_train_params *p) {
  size_t l;
  if (p->fallback)
    for (l = 0; l < ds->n_names; l++)
      if (strcmp(ds->names[l], p->fallback) == 0) return (int)l;
  return -1;
}

int tci_oof_metrics(const tc_dataset *ds, const tci_oof *oof, const tc_train_params *p,
                    double threshold, int f, tc_metrics *m) {
  size_t L = ds->n_names, i;
  int fallback = fallback_index(ds, p), rc = TC_OK;
  uint32_t *chosen = malloc((L ? L : 1) * sizeof *chosen);
  if (!chosen) return TC_ENOMEM;
  for (i = 0; i < ds->n && !rc; i++) {
    const uint32_t *g = ds->lab + ds->lab_off[i];
    size_t ng = ds->lab_off[i + 1] - ds->lab_off[i], nc;
    if (f >= 0 && oof->fold[i] != (uint32_t)f) continue;
    nc = tci_choose_labels(oof->scores + i * L, L, p->multilabel, threshold, fallback, chosen);
    rc = tc_metrics_add(m, g, ng, chosen, nc);
  }
  free(chosen);
  return rc;
}

/* The macro-F1 of fold f at threshold into *f1. */
static int fold_macro_f1_at(const tc_dataset *ds, const tci_oof *oof, const tc_train_params *p,
                            double threshold, int f, double *f1) {
  tc_metrics *m = NULL;
  int rc = tc_metrics_new(ds->n_names ? ds->n_names : 1, &m);
  if (!rc) rc = tci_oof_metrics(ds, oof, p, threshold, f, m);
  if (!rc) *f1 = tc_metrics_macro_f1(m);
  tc_metrics_free(m);
  return rc;
}

int tci_oof_fold_macro_f1(const tc_dataset *ds, const tci_oof *oof, const tc_train_params *p,
                          double threshold, double *fold_f1) {
  int f, rc = TC_OK;
  for (f = 0; f < oof->k && !rc; f++) rc = fold_macro_f1_at(ds, oof, p, threshold, f, &fold_f1[f]);
  return rc;
}

int tci_oof_figures(const tc_dataset *ds, const tci_oof *oof, const tc_train_params *p,
                    double threshold, tci_cv_figures *fig) {
  tc_metrics *m = NULL;
  int rc = tc_metrics_new(ds->n_names ? ds->n_names : 1, &m);
  if (!rc) rc = tci_oof_metrics(ds, oof, p, threshold, -1, m);
  if (!rc) tci_cv_figures_of(m, fig);
  tc_metrics_free(m);
  return rc;
}

int tc_cross_validate(const tc_dataset *ds, const tc_train_params *p, int k,
                      tc_metrics *out, double *fold_macro_f1, tc_diag *diag) {
  tci_oof oof;
  int rc;
  if (!ds || !p || !out)
    return tci_fail(diag, TC_EINVAL, "cross-validation: no dataset, parameters or metrics given");
  if (tci_metrics_n_labels(out) != ds->n_names)
    return tci_fail(diag, TC_EINVAL, "cross-validation: the metrics have %zu labels, the dataset %zu",
                    tci_metrics_n_labels(out), ds->n_names);
  if ((rc = tci_cv_scores(ds, p, k, &oof, diag))) return rc;
  rc = tci_oof_metrics(ds, &oof, p, p->threshold, -1, out);
  if (!rc && fold_macro_f1) rc = tci_oof_fold_macro_f1(ds, &oof, p, p->threshold, fold_macro_f1);
  if (rc) tci_fail(diag, rc, "cross-validation: %s", tc_strerror(rc));
  tci_oof_free(&oof);
  return rc;
}

/* ======================================================== thresholds */

static const double THRESHOLDS[] = {0.05, 0.1,  0.15, 0.2,  0.25, 0.3,  0.35, 0.4,  0.45, 0.5,
                                    0.55, 0.6,  0.65, 0.7,  0.75, 0.8,  0.85, 0.9,  0.95};

size_t tc_threshold_values(const double **values) {
  *values = THRESHOLDS;
  return sizeof THRESHOLDS / sizeof *THRESHOLDS;
}

/* Whether figures f at threshold t beat the best so far (b at bt): a
 * higher micro-F1, or the same nearer the given threshold. */
static int better(double f, double t, double b, double bt, double given) {
  return f > b || (f == b && fabs(t - given) < fabs(bt - given));
}

int tci_threshold_sweep(const tc_dataset *ds, const tci_oof *oof, const tc_train_params *p,
                        char **sweep, double *best) {
  size_t i, len = 0;
  double best_f1 = -1, best_t = p->threshold;
  int rc = TC_OK;
  *sweep = NULL;
  for (i = 0; i < sizeof THRESHOLDS / sizeof *THRESHOLDS && !rc; i++) {
    tci_cv_figures fig;
    char piece[64];
    rc = tci_oof_figures(ds, oof, p, THRESHOLDS[i], &fig);
    if (rc) break;
    snprintf(piece, sizeof piece, "%g:%.4f/%.4f/%.4f", THRESHOLDS[i], fig.micro_f1, fig.macro_f1,
             fig.exact_match);
    rc = append(sweep, &len, piece);
    if (better(fig.micro_f1, THRESHOLDS[i], best_f1, best_t, p->threshold)) {
      best_f1 = fig.micro_f1;
      best_t = THRESHOLDS[i];
    }
  }
  if (rc) {
    free(*sweep);
    *sweep = NULL;
  } else if (best) {
    *best = best_t;
  }
  return rc;
}

/* ======================================================== grid search */

static const double C_GRID[] = {0.1, 0.3, 1, 3, 10};
static const double GAMMA_GRID[] = {0.3, 1, 3};

size_t tc_grid_C_values(const double **values) {
  *values = C_GRID;
  return sizeof C_GRID / sizeof *C_GRID;
}

size_t tc_grid_gamma_values(const double **values) {
  *values = GAMMA_GRID;
  return sizeof GAMMA_GRID / sizeof *GAMMA_GRID;
}

void tci_cv_figures_of(const tc_metrics *m, tci_cv_figures *f) {
  f->accuracy = tc_metrics_accuracy(m);
  f->macro_f1 = tc_metrics_macro_f1(m);
  f->micro_f1 = tc_metrics_micro_f1(m);
  f->exact_match = tc_metrics_exact_match(m);
}

/* Whether a grid search tries title terms both ways: only where they can
 * be (word n-grams on). */
static int grid_tries_title_terms(const tc_train_params *p) {
  return p->features.word_ngram_max > 0;
}

/* One grid point's summary item: "C=1:0.9312", with ";gamma=0.3" for an
 * RBF kernel and ";title_terms=0" or "=1" where the grid tries them. */
static void grid_item(char *piece, size_t cap, const tc_train_params *q, int titles, double f1) {
  int at = snprintf(piece, cap, "C=%g", q->C);
  if (q->kernel == TC_KERNEL_RBF) at += snprintf(piece + at, cap - (size_t)at, ";gamma=%g", q->gamma);
  if (titles) at += snprintf(piece + at, cap - (size_t)at, ";title_terms=%d", q->features.title_terms);
  snprintf(piece + at, cap - (size_t)at, ":%.4f", f1);
}

int tci_grid_search(const tc_dataset *ds, const tc_train_params *p, int k, tc_train_params *chosen,
                    tci_oof *best_oof, char **grid, tc_diag *diag) {
  const double *cs, *gammas = NULL;
  size_t nc = tc_grid_C_values(&cs);
  size_t ng = p->kernel == TC_KERNEL_RBF ? tc_grid_gamma_values(&gammas) : 1;
  int titles = grid_tries_title_terms(p);
  size_t nt = titles ? 2 : 1, n = nt * nc * ng, at, len = 0;
  double best = -1;
  int rc = TC_OK;
  tc_train_params q = *p;
  q.grid = 0; /* each point is a plain cross-validation */
  *grid = NULL;
  memset(best_oof, 0, sizeof *best_oof);
  for (at = 0; at < n && !rc; at++) {
    tci_oof oof;
    tci_cv_figures fig;
    char piece[128];
    q.features.title_terms = titles ? (int)(at / (nc * ng)) : p->features.title_terms;
    q.C = cs[at / ng % nc];
    if (p->kernel == TC_KERNEL_RBF) q.gamma = gammas[at % ng];
    rc = tci_cv_scores(ds, &q, k, &oof, diag);
    if (rc) break;
    rc = tci_oof_figures(ds, &oof, &q, q.threshold, &fig);
    if (!rc) {
      grid_item(piece, sizeof piece, &q, titles, fig.macro_f1);
      rc = append(grid, &len, piece);
    }
    if (!rc && fig.macro_f1 > best) {
      best = fig.macro_f1;
      chosen->C = q.C;
      chosen->gamma = q.gamma;
      chosen->features.title_terms = q.features.title_terms;
      tci_oof_free(best_oof);
      *best_oof = oof;
    } else {
      tci_oof_free(&oof);
    }
    if (!rc && p->progress && p->progress(p->progress_ud, "grid", at + 1, n)) rc = TC_ECANCELED;
  }
  if (rc) {
    free(*grid);
    *grid = NULL;
    tci_oof_free(best_oof);
    if (diag && diag->code != rc) tci_fail(diag, rc, "grid search: %s", tc_strerror(rc));
  }
  return rc;
}
