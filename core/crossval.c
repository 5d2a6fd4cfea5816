/* crossval.c - k-fold cross-validation, grid search, fold assignment.
 *
 * Caveats:
 *  - Each fold trains a whole model (extractor included) on the other
 *    folds with tci_train, so the vocabulary and idf never see the held-out
 *    documents: the figures are honest estimates for new text.
 *  - Folds are stratified by first label and shuffled with splitmix64
 *    seeded from params.seed, so they are the same on every platform and
 *    thread count (rand() is never used: its state is process-wide).
 *  - Progress: the folds' own stages ("vocabulary", "train", "calibrate")
 *    are forwarded, then "cv" after each fold and "grid" after each grid
 *    point; a cancel anywhere stops everything with TC_ECANCELED. */
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

typedef struct fwd {
  tc_progress_fn fn;
  void *ud;
} fwd;

static int forward(void *ud, const char *stage, size_t done, size_t total) {
  fwd *f = ud;
  return f->fn ? f->fn(f->ud, stage, done, total) : 0;
}

/* Predict the held-out documents idx[0..n) with m and add them to the
 * accumulators (all, and the fold's own). */
static int score_fold(const tc_dataset *ds, const tc_model *m, const size_t *idx, size_t n,
                      int threads, tc_metrics *all, tc_metrics *one) {
  size_t L = ds->n_names, i;
  const char **texts = malloc((n ? n : 1) * sizeof *texts);
  size_t *lens = malloc((n ? n : 1) * sizeof *lens);
  tc_result *res = calloc(n ? n : 1, sizeof *res);
  double *scores = malloc((n ? n : 1) * L * sizeof *scores);
  uint32_t *labels = malloc((n ? n : 1) * L * sizeof *labels);
  int rc = TC_ENOMEM;
  if (!texts || !lens || !res || !scores || !labels) goto done;
  for (i = 0; i < n; i++) {
    texts[i] = ds->text[idx[i]];
    lens[i] = ds->len[idx[i]];
    res[i].scores = scores + i * L;
    res[i].labels = labels + i * L;
  }
  rc = tc_model_predict_batch(m, n, texts, lens, -1.0, threads, res);
  if (rc) goto done;
  for (i = 0; i < n && !rc; i++) {
    const uint32_t *g = ds->lab + ds->lab_off[idx[i]];
    size_t ng = ds->lab_off[idx[i] + 1] - ds->lab_off[idx[i]];
    rc = tc_metrics_add(all, g, ng, res[i].labels, res[i].n_labels);
    if (!rc) rc = tc_metrics_add(one, g, ng, res[i].labels, res[i].n_labels);
  }
done:
  free(texts);
  free(lens);
  free(res);
  free(scores);
  free(labels);
  return rc;
}

/* Fold f: a model trained with q on the other folds' documents (*n_train
 * of them; tr and te are scratch for ds->n indices) scores fold f's into
 * all, and its macro-F1 goes to *f1 when f1 is not NULL. */
static int run_fold(const tc_dataset *ds, const tc_train_params *q, const uint32_t *fold, int f,
                    size_t *tr, size_t *te, size_t *n_train, tc_metrics *all, double *f1,
                    tc_diag *diag) {
  size_t ntr = 0, nte = 0, i;
  tc_dataset *sub = NULL;
  tc_model *m = NULL;
  tc_metrics *one = NULL;
  int rc;
  for (i = 0; i < ds->n; i++) {
    if (fold[i] == (uint32_t)f) te[nte++] = i;
    else tr[ntr++] = i;
  }
  *n_train = ntr;
  rc = tci_dataset_subset(ds, tr, ntr, &sub);
  if (!rc) rc = tci_train(sub, q, 1, &m, diag);
  if (!rc) rc = tc_metrics_new(ds->n_names ? ds->n_names : 1, &one);
  if (!rc) rc = score_fold(ds, m, te, nte, q->threads, all, one);
  if (!rc && f1) *f1 = tc_metrics_macro_f1(one);
  tc_metrics_free(one);
  tc_model_free(m);
  tc_dataset_free(sub);
  return rc;
}

int tc_cross_validate(const tc_dataset *ds, const tc_train_params *p, int k,
                      tc_metrics *out, double *fold_macro_f1, tc_diag *diag) {
  const char *why;
  uint32_t *fold = NULL;
  size_t *tr = NULL, *te = NULL, n;
  int f, rc = TC_OK;
  tc_train_params q;
  fwd fw;
  if (!ds || !p || !out)
    return tci_fail(diag, TC_EINVAL, "cross-validation: no dataset, parameters or metrics given");
  if ((why = tc_train_params_check(p, ds))) return tci_fail(diag, TC_EINVAL, "%s", why);
  n = ds->n;
  if (k < 2 || (size_t)k > n)
    return tci_fail(diag, TC_EINVAL, "cross-validation: k = %d must be in 2..%zu (documents)", k, n);
  if (tci_metrics_n_labels(out) != ds->n_names)
    return tci_fail(diag, TC_EINVAL, "cross-validation: the metrics have %zu labels, the dataset %zu",
                    tci_metrics_n_labels(out), ds->n_names);
  if ((rc = tci_check_data(ds, p, diag))) return rc;
  fold = malloc(n * sizeof *fold);
  tr = malloc(n * sizeof *tr);
  te = malloc(n * sizeof *te);
  if (!fold || !tr || !te || tci_folds(ds, k, p->seed, fold) != TC_OK) {
    rc = tci_fail(diag, TC_ENOMEM, "cross-validation: out of memory");
    goto done;
  }
  q = *p;
  fw.fn = p->progress;
  fw.ud = p->progress_ud;
  q.progress = p->progress ? forward : NULL;
  q.progress_ud = &fw;
  for (f = 0; f < k && !rc; f++) {
    size_t ntr;
    rc = run_fold(ds, &q, fold, f, tr, te, &ntr, out, fold_macro_f1 ? &fold_macro_f1[f] : NULL,
                  diag);
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
done:
  free(fold);
  free(tr);
  free(te);
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

/* Append piece ("C=..:F1", or "C=..;gamma=..:F1") to the comma-separated
 * list *s of *len bytes (malloc'ed; NULL when empty). */
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

void tci_cv_figures_of(const tc_metrics *m, tci_cv_figures *f) {
  f->accuracy = tc_metrics_accuracy(m);
  f->macro_f1 = tc_metrics_macro_f1(m);
  f->micro_f1 = tc_metrics_micro_f1(m);
  f->exact_match = tc_metrics_exact_match(m);
}

int tci_grid_search(const tc_dataset *ds, const tc_train_params *p, int k,
                    double *C, double *gamma, tci_cv_figures *best_figures,
                    double *fold_f1, char **grid, tc_diag *diag) {
  const double *cs, *gammas = NULL;
  size_t nc = tc_grid_C_values(&cs);
  size_t ng = p->kernel == TC_KERNEL_RBF ? tc_grid_gamma_values(&gammas) : 1;
  size_t i, j, len = 0;
  double best = -1, *ff = malloc((size_t)k * sizeof *ff);
  int rc = TC_OK;
  tc_train_params q = *p;
  *grid = NULL;
  if (!ff) return tci_fail(diag, TC_ENOMEM, "grid search: out of memory");
  for (i = 0; i < nc && !rc; i++)
    for (j = 0; j < ng && !rc; j++) {
      tc_metrics *m = NULL;
      char piece[96];
      double f1;
      q.C = cs[i];
      if (p->kernel == TC_KERNEL_RBF) q.gamma = gammas[j];
      rc = tc_metrics_new(ds->n_names ? ds->n_names : 1, &m);
      if (!rc) rc = tc_cross_validate(ds, &q, k, m, ff, diag);
      if (!rc) {
        f1 = tc_metrics_macro_f1(m);
        if (p->kernel == TC_KERNEL_RBF)
          snprintf(piece, sizeof piece, "C=%g;gamma=%g:%.4f", q.C, q.gamma, f1);
        else
          snprintf(piece, sizeof piece, "C=%g:%.4f", q.C, f1);
        rc = append(grid, &len, piece);
        if (!rc && f1 > best) {
          best = f1;
          *C = q.C;
          *gamma = q.gamma;
          tci_cv_figures_of(m, best_figures);
          memcpy(fold_f1, ff, (size_t)k * sizeof *ff);
        }
      }
      tc_metrics_free(m);
      if (!rc && p->progress &&
          p->progress(p->progress_ud, "grid", i * ng + j + 1, nc * ng))
        rc = TC_ECANCELED;
    }
  free(ff);
  if (rc) {
    free(*grid);
    *grid = NULL;
    if (diag && diag->code != rc) tci_fail(diag, rc, "grid search: %s", tc_strerror(rc));
  }
  return rc;
}
