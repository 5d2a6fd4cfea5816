/* train_ovr.c - the one-vs-rest engine behind tc_model_train.
 *
 *   texts --fit extractor--> vocabulary --vectorise (threads)--> matrix X
 *         --one binary SVM per label (threads, "train")-->  w_l, b_l (or SVs)
 *         --k-fold out-of-fold decision values (threads, "calibrate")
 *         --Platt fit per label--> A_l, B_l
 *
 * Caveats:
 *  - Determinism: every task writes only its own slot (label l, or label
 *    l x fold f), the solvers use no shared random state, and folds come
 *    from splitmix64(seed): equal data and params give equal bits whatever
 *    the thread count or scheduling.
 *  - Each binary problem lists its rows in document order except that the
 *    first positive row is swapped to the front, so both libraries take
 *    "has the label" as their class 0 (see train_linear.c).
 *  - Calibration uses 3 folds (Platt's own choice): on 20 Newsgroups it
 *    scored as well as 5 folds (test accuracy 0.9740 vs 0.9735) for 55% of
 *    the time. A label with CAL_ONE_FOLD_MIN positives and negatives uses
 *    the first fold alone (its task is the same as in 3-fold calibration):
 *    on 381k sentences, 1.6-1.8x less CPU for training with the same test
 *    accuracy, macro-F1 and calibration error (docs/engine.md).
 *  - Fold models are warm-started from the full solution (liblinear only),
 *    which halves their cost (measured 4.6 s vs 9.4 s CPU); they still see
 *    only their own rows. They share the full data's vocabulary and idf
 *    (refitting them per fold would cost a vectorisation per fold for a
 *    small bias in the sigmoid's fit; tc_cross_validate does refit).
 *  - A label with no positive or no negative rows (possible only inside a
 *    cross-validation fold; tc_model_train rejects such data) gets a
 *    constant decision value of -1 or +1 and score ~0 or ~1.
 *  - Uncalibrated models (calibrate = 0) use A = -1, B = 0: the score is
 *    the logistic function of the margin, so score 0.5 is the SVM's own
 *    decision boundary. Calibrated models fall back to the same sigmoid,
 *    for every label, when any label's Platt fit is refused (too few
 *    examples, or out-of-fold values that run against the labels or carry
 *    no signal: calibrate.c); metadata "calibration_fallback" names the
 *    refused labels.
 *  - Documents from two or more sources (tc_dataset_set_source) weigh so
 *    that every source counts the same in each Platt fit (source_weights;
 *    docs/engine.md, "Calibration by source"); metadata
 *    "calibration_sources" counts them. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsvm/svm.h>

#include "internal.h"

#define CAL_FOLDS 3
/* A label with at least this many positive and this many negative
 * documents is calibrated on the decision values of one held-out fold
 * (a third of them) instead of all CAL_FOLDS: its sigmoid is as well
 * determined, for a third of the fitting (see the caveats). */
#define CAL_ONE_FOLD_MIN 10000
#define CONST_B 30.0  /* |B| of a constant score: 1/(1+e^30) ~ 1e-13 */

/* ======================================================== solver helpers */

/* An RBF solution is still libsvm's own model here (svm_train made it; it
 * is pooled only once every label is solved), so svm_predict_values scores
 * its held-out rows: its unchecked allocations are no worse than
 * svm_train's, which the same training makes anyway. */
double tci_binsol_decision(const tci_solver *s, const tci_binsol *sol, size_t r) {
  if (sol->w) {
    return tci_row_decision(s->X, sol->w, r);
  } else {
    double d = 0;
    svm_predict_values(sol->svm, s->rows[r], &d);
    return sol->sign * d;
  }
}

void tci_binsol_free(tci_binsol *sol) {
  free(sol->w);
  sol->w = NULL;
  if (sol->svm) svm_free_and_destroy_model(&sol->svm);
}

void tci_solver_free(tci_solver *s) {
  if (s) s->destroy(s);
}

int tci_solver_solve(const tci_solver *s, const tci_binary *b, double eps, const double *init,
                     tci_binsol *out) {
  return s->solve(s, b, eps, init, out);
}

/* ======================================================== vectorising */

typedef struct vjob {
  const tc_extractor *ex;
  const tc_dataset *ds;
  size_t chunk;              /* documents per task */
  tc_feature **f;            /* per document, malloc'ed copy */
  size_t *nf;
  int *status;               /* per document */
} vjob;

static void vtask(void *ud, size_t t) {
  vjob *v = ud;
  size_t a = t * v->chunk, b = a + v->chunk, i;
  tc_workspace *ws = NULL;
  int rc;
  if (b > v->ds->n) b = v->ds->n;
  rc = tc_workspace_new(&ws);
  for (i = a; i < b; i++) {
    tc_vector vec;
    int r = rc ? rc : tc_extractor_vectorize(v->ex, ws, v->ds->text[i], v->ds->len[i], &vec);
    if (!r && vec.n) {
      v->f[i] = malloc(vec.n * sizeof *vec.f);
      if (v->f[i]) memcpy(v->f[i], vec.f, vec.n * sizeof *vec.f);
      else r = TC_ENOMEM;
    }
    if (!r) v->nf[i] = vec.n;
    v->status[i] = r;
  }
  tc_workspace_free(ws);
}

static void matrix_free(tci_matrix *X) {
  free(X->off);
  free(X->f);
  X->off = NULL;
  X->f = NULL;
}

/* X from the documents of ds, vectorised on `threads` threads. */
static int build_matrix(const tc_extractor *ex, const tc_dataset *ds, int threads,
                        tci_matrix *X, tc_diag *diag) {
  size_t n = ds->n, i, total = 0, nt;
  vjob v;
  int rc = TC_OK;
  memset(X, 0, sizeof *X);
  v.ex = ex;
  v.ds = ds;
  v.f = calloc(n, sizeof *v.f);
  v.nf = calloc(n, sizeof *v.nf);
  v.status = calloc(n, sizeof *v.status);
  X->off = malloc((n + 1) * sizeof *X->off);
  if (!v.f || !v.nf || !v.status || !X->off) {
    rc = tci_fail(diag, TC_ENOMEM, "vectorising: out of memory");
    goto done;
  }
  v.chunk = n / 64 + 1;
  nt = (n + v.chunk - 1) / v.chunk;
  tci_parallel_for(nt, threads, vtask, &v, NULL, NULL, NULL);
  for (i = 0; i < n && !rc; i++)
    if (v.status[i]) rc = tci_fail(diag, v.status[i], "document %zu: %s", i + 1, tc_strerror(v.status[i]));
  if (rc) goto done;
  for (i = 0; i < n; i++) total += v.nf[i];
  X->f = malloc((total ? total : 1) * sizeof *X->f);
  if (!X->f) {
    rc = tci_fail(diag, TC_ENOMEM, "vectorising: out of memory");
    goto done;
  }
  X->off[0] = 0;
  for (i = 0; i < n; i++) {
    if (v.nf[i]) memcpy(X->f + X->off[i], v.f[i], v.nf[i] * sizeof *X->f);
    X->off[i + 1] = X->off[i] + v.nf[i];
  }
  X->n_rows = n;
  X->n_features = (int)tc_extractor_n_features(ex);
done:
  if (v.f)
    for (i = 0; i < n; i++) free(v.f[i]);
  free(v.f);
  free(v.nf);
  free(v.status);
  if (rc) matrix_free(X);
  return rc;
}

/* ======================================================== binary problems */

/* The work of one tci_train: its arrays are owned (job_free). */
typedef struct job {
  const tc_train_params *p;
  const tci_solver *sv;
  size_t n, L;               /* documents, labels */
  int k;                     /* calibration folds, 0 when not calibrating */
  signed char *y;            /* L * n: +1 when document i has label l, else -1 */
  size_t *n_pos;             /* L: documents with label l */
  uint32_t *fold;            /* n: each document's calibration fold */
  tci_binsol *sol;           /* L */
  double *dec;               /* L * n out-of-fold decision values (rows of label l's
                                calibration folds only) */
  uint32_t *k_of;            /* L: folds label l is calibrated on, 1 or k */
  size_t *task;              /* calibration task t: label * k + fold */
  int *status;               /* per task: L * CAL_FOLDS */
  unsigned char *pos;        /* n: calibrate's scratch */
  uint32_t *src;             /* n: each document's source as 0..n_src-1, or NULL when
                                the documents come from fewer than two sources */
  size_t n_src;
  size_t *src_count;         /* n_src: calibrate's scratch */
  double *w;                 /* n: calibrate's scratch, the Platt fit's weights */
} job;

/* C times the class weight of each side of label l's problem, over m rows
 * of which m_pos are positive. */
static void weights(const tc_train_params *p, size_t l, size_t m, size_t m_pos, double *cp,
                    double *cn) {
  *cp = *cn = p->C;
  if (p->class_weight == TC_WEIGHT_BALANCED) {
    *cp *= (double)m / (2.0 * (double)m_pos);
    *cn *= (double)m / (2.0 * (double)(m - m_pos));
  } else if (p->class_weight == TC_WEIGHT_CUSTOM) {
    *cp *= p->label_weights[l];
  }
}

/* Rows of label l's problem: those with fold != skip (skip = -1 keeps all),
 * the first positive swapped to the front. Returns the count, with the
 * positives in *m_pos. */
static size_t pick_rows(const job *j, size_t l, long skip, uint32_t *rows, size_t *m_pos) {
  const signed char *y = j->y + l * j->n;
  size_t r, m = 0, first = (size_t)-1;
  *m_pos = 0;
  for (r = 0; r < j->n; r++) {
    if (skip >= 0 && j->fold[r] == (uint32_t)skip) continue;
    if (y[r] > 0) {
      if (first == (size_t)-1) first = m;
      (*m_pos)++;
    }
    rows[m++] = (uint32_t)r;
  }
  if (first != (size_t)-1 && first != 0) {
    uint32_t t = rows[0];
    rows[0] = rows[first];
    rows[first] = t;
  }
  return m;
}

/* The seed of one problem: label l, fold f (0 = the full problem), mixed
 * so that neighbouring problems get unrelated splitmix64 streams. */
static uint64_t stream(uint64_t seed, size_t l, uint64_t f) {
  uint64_t s = seed ^ ((uint64_t)l * 0x9E3779B97F4A7C15ull) ^ (f * 0xD1B54A32D192ED03ull);
  return tci_splitmix64(&s);
}

static void train_task(void *ud, size_t l) {
  job *j = ud;
  uint32_t *rows;
  size_t m, m_pos;
  tci_binary b;
  int nf = j->sv->X->n_features;
  if (j->n_pos[l] == 0 || j->n_pos[l] == j->n) { /* constant: see the caveats */
    j->sol[l].w = calloc((size_t)nf + 1, sizeof *j->sol[l].w);
    if (j->sol[l].w) j->sol[l].w[nf] = j->n_pos[l] ? 1.0 : -1.0;
    j->status[l] = j->sol[l].w ? TC_OK : TC_ENOMEM;
    return;
  }
  rows = malloc(j->n * sizeof *rows);
  if (!rows) {
    j->status[l] = TC_ENOMEM;
    return;
  }
  m = pick_rows(j, l, -1, rows, &m_pos);
  b.rows = rows;
  b.n = m;
  b.y = j->y + l * j->n;
  weights(j->p, l, m, m_pos, &b.C_pos, &b.C_neg);
  b.seed = stream(j->p->seed, l, 0);
  j->status[l] = tci_solver_solve(j->sv, &b, j->p->tolerance, NULL, &j->sol[l]);
  free(rows);
}

/* Calibration task t (label l, fold f): train label l without fold f,
 * warm-started from the full solution, and record decision values of fold
 * f's rows. */
static void calib_task(void *ud, size_t t) {
  job *j = ud;
  size_t l = j->task[t] / (size_t)j->k, r, m, m_pos;
  long f = (long)(j->task[t] % (size_t)j->k);
  uint32_t *rows;
  double *dec = j->dec + l * j->n;
  tci_binsol s = {NULL, NULL, 1};
  tci_binary b;
  int rc;
  rows = malloc(j->n * sizeof *rows);
  if (!rows) {
    j->status[t] = TC_ENOMEM;
    return;
  }
  m = pick_rows(j, l, f, rows, &m_pos);
  if (m_pos == 0 || m_pos == m) {
    for (r = 0; r < j->n; r++)
      if (j->fold[r] == (uint32_t)f) dec[r] = m_pos ? 1.0 : -1.0;
    free(rows);
    j->status[t] = TC_OK;
    return;
  }
  b.rows = rows;
  b.n = m;
  b.y = j->y + l * j->n;
  weights(j->p, l, m, m_pos, &b.C_pos, &b.C_neg);
  b.seed = stream(j->p->seed, l, (uint64_t)f + 1);
  rc = tci_solver_solve(j->sv, &b, j->p->tolerance, j->sol[l].w, &s);
  if (!rc)
    for (r = 0; r < j->n; r++)
      if (j->fold[r] == (uint32_t)f) dec[r] = tci_binsol_decision(j->sv, &s, r);
  tci_binsol_free(&s);
  free(rows);
  j->status[t] = rc;
}

/* ======================================================== the model */

/* Copy the support vectors of every label's RBF solution into one pool
 * (a document used by several labels is stored once). */
static int pool_kernel(const job *j, const tci_matrix *X, tc_model *m) {
  size_t L = j->L, n = j->n, l, i, n_sv = 0, n_nodes = 0;
  uint32_t *id = malloc(n * sizeof *id), *order = malloc(n * sizeof *order);
  tci_kernel *k = calloc(1, sizeof *k);
  int rc = TC_ENOMEM;
  if (!id || !order || !k) goto fail;
  m->kern = k;
  k->gamma = tc_train_params_gamma(j->p);
  k->n_label_sv = calloc(L, sizeof *k->n_label_sv);
  k->sv_idx = calloc(L, sizeof *k->sv_idx);
  k->coef = calloc(L, sizeof *k->coef);
  k->rho = calloc(L, sizeof *k->rho);
  if (!k->n_label_sv || !k->sv_idx || !k->coef || !k->rho) goto fail;
  for (i = 0; i < n; i++) id[i] = UINT32_MAX;
  for (l = 0; l < L; l++) {
    const struct svm_model *s = j->sol[l].svm;
    double sg = j->sol[l].sign;
    size_t first = 0;
    if (!s) { /* a constant label: decision = -rho */
      k->rho[l] = -j->sol[l].w[X->n_features];
      continue;
    }
    /* problem position q -> row: the identity but for the swap with the first positive */
    while (j->y[l * n + first] <= 0) first++;
    k->n_label_sv[l] = (size_t)s->l;
    k->sv_idx[l] = malloc(((size_t)s->l + 1) * sizeof **k->sv_idx);
    k->coef[l] = malloc(((size_t)s->l + 1) * sizeof **k->coef);
    if (!k->sv_idx[l] || !k->coef[l]) goto fail;
    for (i = 0; i < (size_t)s->l; i++) {
      size_t q = (size_t)s->sv_indices[i] - 1;
      size_t r = q == 0 ? first : q == first ? 0 : q;
      if (id[r] == UINT32_MAX) {
        id[r] = (uint32_t)n_sv;
        order[n_sv++] = (uint32_t)r;
        n_nodes += X->off[r + 1] - X->off[r] + 1;
      }
      k->sv_idx[l][i] = id[r];
      k->coef[l][i] = sg * s->sv_coef[0][i];
    }
    k->rho[l] = sg * s->rho[0];
  }
  k->n_sv = n_sv;
  k->n_nodes = n_nodes;
  k->nodes = malloc((n_nodes ? n_nodes : 1) * sizeof *k->nodes);
  k->sv_start = malloc((n_sv ? n_sv : 1) * sizeof *k->sv_start);
  if (!k->nodes || !k->sv_start) goto fail;
  n_nodes = 0;
  for (i = 0; i < n_sv; i++) {
    size_t r = order[i];
    k->sv_start[i] = n_nodes;
    n_nodes += tci_svm_nodes(k->nodes + n_nodes, X->f + X->off[r], X->off[r + 1] - X->off[r]);
  }
  rc = TC_OK;
fail:
  free(id);
  free(order);
  if (!m->kern) free(k);
  return rc;
}

/* Fill m's labels, options, weights (or kernel) and calibration. */
static int fill_model(const job *j, const tc_dataset *ds, const tci_matrix *X, tc_model *m) {
  size_t L = j->L, l, f, nf = (size_t)X->n_features;
  const tc_train_params *p = j->p;
  m->n_labels = L;
  m->labels = calloc(L, sizeof *m->labels);
  m->platt_a = malloc(L * sizeof *m->platt_a);
  m->platt_b = malloc(L * sizeof *m->platt_b);
  if (!m->labels || !m->platt_a || !m->platt_b) return TC_ENOMEM;
  for (l = 0; l < L; l++)
    if (!(m->labels[l] = strdup(ds->names[l]))) return TC_ENOMEM;
  m->kernel = p->kernel;
  m->multilabel = p->multilabel;
  m->threshold = p->threshold;
  m->short_features = (uint32_t)p->short_features;
  m->short_moderation = p->short_moderation;
  m->fallback = -1;
  if (p->fallback)
    for (l = 0; l < L; l++)
      if (strcmp(ds->names[l], p->fallback) == 0) m->fallback = (int)l;
  if (p->kernel == TC_KERNEL_LINEAR) {
    if (nf > SIZE_MAX / sizeof *m->weights / L) return TC_ELIMIT;
    m->weights = tci_big_alloc((nf ? nf : 1) * L * sizeof *m->weights);
    m->bias = malloc(L * sizeof *m->bias);
    if (!m->weights || !m->bias) return TC_ENOMEM;
    for (l = 0; l < L; l++) {
      const double *w = j->sol[l].w;
      for (f = 0; f < nf; f++) {
        if (!(fabs(w[f]) <= FLT_MAX)) return TC_ELIMIT; /* beyond single precision (or NaN) */
        m->weights[f * L + l] = (float)w[f];
      }
      m->bias[l] = w[nf];
    }
    return TC_OK;
  }
  return pool_kernel(j, X, m);
}

/* Set metadata `key` to the names of the labels flagged in `flag`, as
 * "a, b" (nothing when none is flagged). */
static int set_label_list(tc_model *m, size_t L, const unsigned char *flag, const char *key) {
  size_t l, len = 0;
  char *names, *at;
  int rc;
  for (l = 0; l < L; l++)
    if (flag[l]) len += strlen(m->labels[l]) + 2; /* the name and ", " (or the final NUL) */
  if (!len) return TC_OK;
  if (!(names = at = malloc(len))) return TC_ENOMEM;
  for (l = 0; l < L; l++)
    if (flag[l]) at += sprintf(at, "%s%s", at == names ? "" : ", ", m->labels[l]);
  rc = tci_model_set_meta(m, key, names);
  free(names);
  return rc;
}

/* The weights of label l's n_held calibration rows (those of folds below
 * k_of[l], in document order) in j->w: every source weighs the same, a
 * document n_held / (sources among the rows x its source's rows). */
static void source_weights(const job *j, size_t l, size_t n_held) {
  size_t r, s, i = 0, present = 0;
  memset(j->src_count, 0, j->n_src * sizeof *j->src_count);
  for (r = 0; r < j->n; r++)
    if (j->fold[r] < j->k_of[l]) j->src_count[j->src[r]]++;
  for (s = 0; s < j->n_src; s++) present += j->src_count[s] > 0;
  for (r = 0; r < j->n; r++)
    if (j->fold[r] < j->k_of[l])
      j->w[i++] = (double)n_held / ((double)present * (double)j->src_count[j->src[r]]);
}

/* Platt per label from the out-of-fold decision values, or the plain
 * logistic of the margin when not calibrating. When tci_platt_fit refuses
 * any label's fit (tiny or uninformative data, see calibrate.c), every
 * label gets the logistic of the margin: the argmax compares scores across
 * labels, and a steep fitted sigmoid beside the margin's shallow one would
 * put them on two scales (measured on 5 BBC/Hacker News texts per class
 * and 28 seeds: test accuracy 0.874 all together, 0.860 label by label).
 * The refused labels are named in the metadata "calibration_fallback",
 * those calibrated on one held-out fold in "calibration_one_fold". */
static int calibrate(const job *j, tc_model *m) {
  size_t l, r;
  unsigned char *refused, *one_fold;
  int rc, any_refused = 0;
#define CONSTANT(l) (j->n_pos[l] == 0 || j->n_pos[l] == j->n)
  for (l = 0; l < j->L; l++) {
    m->platt_a[l] = CONSTANT(l) ? 0 : -1;
    m->platt_b[l] = !CONSTANT(l) ? 0 : j->n_pos[l] ? -CONST_B : CONST_B;
  }
  if (j->k == 0) return TC_OK;
  refused = calloc(j->L, 1);
  one_fold = calloc(j->L, 1);
  if (!refused || !one_fold) {
    free(refused);
    free(one_fold);
    return TC_ENOMEM;
  }
  for (l = 0; l < j->L; l++) {
    double *dec = j->dec + l * j->n;  /* label l's slice, compacted in place to its held-out rows */
    size_t n_held = 0;
    if (CONSTANT(l)) continue;
    one_fold[l] = j->k_of[l] == 1 && j->k > 1;
    for (r = 0; r < j->n; r++) {
      if (j->fold[r] >= j->k_of[l]) continue; /* no decision value: not held out */
      j->pos[n_held] = j->y[l * j->n + r] > 0;
      dec[n_held++] = dec[r];
    }
    if (j->src) source_weights(j, l, n_held);
    if (tci_platt_fit(n_held, dec, j->pos, j->src ? j->w : NULL, &m->platt_a[l],
                      &m->platt_b[l]) == TCI_PLATT_FALLBACK)
      any_refused = refused[l] = 1;
  }
  if (any_refused)
    for (l = 0; l < j->L; l++) /* every label back to the logistic of the margin */
      if (!CONSTANT(l)) {
        m->platt_a[l] = -1;
        m->platt_b[l] = 0;
      }
#undef CONSTANT
  rc = set_label_list(m, j->L, refused, "calibration_fallback");
  if (!rc) rc = set_label_list(m, j->L, one_fold, "calibration_one_fold");
  if (!rc && j->src) {
    char count[24];
    snprintf(count, sizeof count, "%zu", j->n_src);
    rc = tci_model_set_meta(m, "calibration_sources", count);
  }
  free(refused);
  free(one_fold);
  return rc;
}

static int first_error(const int *status, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (status[i]) return status[i];
  return TC_OK;
}

/* ======================================================== tci_train */

/* What makes data unusable for the final model (cross-validation folds
 * tolerate degenerate labels instead, see the caveats). */
int tci_check_data(const tc_dataset *ds, const tc_train_params *p, tc_diag *diag) {
  size_t i, l, n = ds->n, L = ds->n_names, *cnt;
  int rc = TC_OK;
  if (!p->multilabel) {
    for (i = 0; i < n; i++) {
      size_t k = ds->lab_off[i + 1] - ds->lab_off[i];
      if (k != 1) {
        rc = tci_fail(diag, TC_EDATA,
                      "training data: document %zu has %zu labels: multi-class data needs exactly one "
                      "(set multilabel for more or none)", i + 1, k);
        if (diag) diag->line = (long)(i + 1);
        return rc;
      }
    }
    if (L < 2)
      return tci_fail(diag, TC_EDATA,
                      "training data: only one label (\"%s\"): a classifier needs at least two",
                      ds->names[0]);
  }
  cnt = calloc(L, sizeof *cnt);
  if (!cnt) return tci_fail(diag, TC_ENOMEM, "training data: out of memory");
  for (i = 0; i < ds->n_lab; i++) cnt[ds->lab[i]]++;
  for (l = 0; l < L && !rc; l++)
    if (cnt[l] == n)
      rc = tci_fail(diag, TC_EDATA,
                    "training data: every document has label \"%s\": it needs negative examples", ds->names[l]);
  free(cnt);
  return rc;
}

static void job_free(job *j) {
  size_t l;
  if (j->sol)
    for (l = 0; l < j->L; l++) tci_binsol_free(&j->sol[l]);
  free(j->sol);
  free(j->status);
  free(j->fold);
  free(j->dec);
  free(j->k_of);
  free(j->task);
  free(j->pos);
  free(j->y);
  free(j->n_pos);
  free(j->src);
  free(j->src_count);
  free(j->w);
}

/* Each label's binary problem over ds (j->y, j->n_pos), and room for the
 * solutions and the tasks' statuses. */
static int label_problems(job *j, const tc_dataset *ds, tc_diag *diag) {
  size_t n = j->n, L = j->L, i, l;
  j->y = malloc(L * n);
  j->n_pos = calloc(L, sizeof *j->n_pos);
  j->sol = calloc(L, sizeof *j->sol);
  j->status = calloc(L * CAL_FOLDS, sizeof *j->status);
  if (!j->y || !j->n_pos || !j->sol || !j->status)
    return tci_fail(diag, TC_ENOMEM, "training: out of memory");
  memset(j->y, -1, L * n);
  for (i = 0; i < n; i++)
    for (l = ds->lab_off[i]; l < ds->lab_off[i + 1]; l++) {
      j->y[(size_t)ds->lab[l] * n + i] = 1;
      j->n_pos[ds->lab[l]]++;
    }
  return TC_OK;
}

int tci_solver_of(const tc_train_params *p) {
  if (p->kernel != TC_KERNEL_LINEAR || p->solver == TC_SOLVER_LIBSVM) return TC_SOLVER_LIBSVM;
  return p->solver == TC_SOLVER_LIBLINEAR ? TC_SOLVER_LIBLINEAR : TC_SOLVER_DCD;
}

/* The backend p trains with, over the rows of X. */
static int new_solver(const tci_matrix *X, const tc_train_params *p, tci_solver **out) {
  switch (tci_solver_of(p)) {
  case TC_SOLVER_LIBSVM: return tci_libsvm_new(X, p, out);
  case TC_SOLVER_LIBLINEAR: return tci_liblinear_new(X, out);
  default: return tci_dcd_new(X, out);
  }
}

/* One binary problem per label, on the full data: j->sol. */
static int train_labels(job *j, tc_diag *diag) {
  const tc_train_params *p = j->p;
  int rc = tci_parallel_for(j->L, p->threads, train_task, j, p->progress, p->progress_ud, "train");
  if (!rc) rc = first_error(j->status, j->L);
  return rc ? tci_fail(diag, rc, "training: %s", tc_strerror(rc)) : TC_OK;
}

static int compare_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* The documents' sources as 0..n_src-1 (j->src) and the scratch that
 * weighing them needs, when there are two or more (tc_dataset_set_source);
 * else j->src stays NULL. */
static int number_sources(job *j, const tc_dataset *ds) {
  uint32_t *seen;
  size_t i, u = 0;
  if (!ds->source) return TC_OK;
  if (!(seen = malloc(j->n * sizeof *seen))) return TC_ENOMEM;
  memcpy(seen, ds->source, j->n * sizeof *seen);
  qsort(seen, j->n, sizeof *seen, compare_u32);
  for (i = 0; i < j->n; i++)
    if (i == 0 || seen[i] != seen[u - 1]) seen[u++] = seen[i];
  if (u >= 2) {
    j->n_src = u;
    j->src = malloc(j->n * sizeof *j->src);
    j->src_count = malloc(u * sizeof *j->src_count);
    j->w = malloc(j->n * sizeof *j->w);
    if (j->src && j->src_count && j->w)
      for (i = 0; i < j->n; i++) {
        const uint32_t *at = bsearch(&ds->source[i], seen, u, sizeof *seen, compare_u32);
        j->src[i] = (uint32_t)(at - seen);
      }
  }
  free(seen);
  return u < 2 || (j->src && j->src_count && j->w) ? TC_OK : TC_ENOMEM;
}

/* The out-of-fold decision values calibrate() fits (j->dec): the
 * documents in k = min(n, CAL_FOLDS) folds, each label trained without
 * each of its calibration folds (all k, or the first alone for a label
 * with CAL_ONE_FOLD_MIN positives and negatives). */
static int held_out_decisions(job *j, const tc_dataset *ds, tc_diag *diag) {
  const tc_train_params *p = j->p;
  size_t n = j->n, L = j->L, n_tasks = 0, l, f;
  int rc;
  j->k = n < CAL_FOLDS ? (int)n : CAL_FOLDS;
  j->fold = malloc(n * sizeof *j->fold);
  j->dec = malloc(L * n * sizeof *j->dec);
  j->k_of = malloc(L * sizeof *j->k_of);
  j->task = malloc(L * CAL_FOLDS * sizeof *j->task);
  j->pos = malloc(n);
  if (!j->fold || !j->dec || !j->k_of || !j->task || !j->pos || number_sources(j, ds) ||
      tci_folds(ds, j->k, p->seed ^ 0xCA11B4A7E5EEDull, j->fold) != TC_OK)
    return tci_fail(diag, TC_ENOMEM, "training: out of memory");
  for (l = 0; l < L; l++) {
    int plenty = j->n_pos[l] >= CAL_ONE_FOLD_MIN && n - j->n_pos[l] >= CAL_ONE_FOLD_MIN;
    j->k_of[l] = plenty ? 1 : (uint32_t)j->k;
    for (f = 0; f < j->k_of[l]; f++) j->task[n_tasks++] = l * (size_t)j->k + f;
  }
  memset(j->status, 0, L * CAL_FOLDS * sizeof *j->status);
  rc = tci_parallel_for(n_tasks, p->threads, calib_task, j, p->progress, p->progress_ud,
                        "calibrate");
  if (!rc) rc = first_error(j->status, n_tasks);
  return rc ? tci_fail(diag, rc, "calibration: %s", tc_strerror(rc)) : TC_OK;
}

int tci_train(const tc_dataset *ds, const tc_train_params *p, int cv, tc_model **out,
              tc_diag *diag) {
  size_t n = ds->n, L = ds->n_names;
  tc_extractor *ex = NULL;
  tci_matrix X;
  tci_solver *sv = NULL;
  tc_model *m = NULL;
  job j;
  int rc;
  *out = NULL;
  memset(&X, 0, sizeof X);
  memset(&j, 0, sizeof j);
  if (n == 0) return tci_fail(diag, TC_EDATA, "training data: no documents");
  if (L == 0) return tci_fail(diag, TC_EDATA, "training data: no labels");
  if (n > UINT32_MAX - 1 || L > SIZE_MAX / n / sizeof(double))
    return tci_fail(diag, TC_ELIMIT,
                    "training data: %zu documents and %zu labels, more than this library can index", n, L);

  if (!cv && (rc = tci_check_data(ds, p, diag))) return rc;

  tc_init();
  rc = tc_extractor_new(&p->features, &ex, diag);
  if (!rc) {
    rc = tci_extractor_fit(ex, n, (const char *const *)ds->text, ds->len, p->progress,
                           p->progress_ud, diag);
  }
  if (!rc) rc = build_matrix(ex, ds, p->threads, &X, diag);
  if (rc) goto done;
  if (X.n_features < 1 || X.n_features >= INT32_MAX) {
    rc = tci_fail(diag, TC_ELIMIT, "vocabulary: %d features, outside 1..2^31-2", X.n_features);
    goto done;
  }

  j.p = p;
  j.n = n;
  j.L = L;
  rc = label_problems(&j, ds, diag);
  if (!rc && (rc = new_solver(&X, p, &sv)) != TC_OK) tci_fail(diag, rc, "training: %s", tc_strerror(rc));
  if (rc) goto done;
  j.sv = sv;
  rc = train_labels(&j, diag);
  if (!rc && p->calibrate && n >= 2) rc = held_out_decisions(&j, ds, diag);
  if (rc) goto done;

  rc = tci_model_alloc(&m);
  if (!rc) rc = fill_model(&j, ds, &X, m);
  if (rc) {
    tci_fail(diag, rc, "model: %s", tc_strerror(rc));
    goto done;
  }
  if ((rc = calibrate(&j, m))) {
    tci_fail(diag, rc, "calibration: %s", tc_strerror(rc));
    goto done;
  }
  m->ex = ex;
  ex = NULL;
  *out = m;
  m = NULL;
done:
  job_free(&j);
  tci_solver_free(sv);
  matrix_free(&X);
  tc_extractor_free(ex);
  tc_model_free(m);
  return rc;
}
