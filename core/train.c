/* train.c - the public face of training: tc_init, parameters, and
 * tc_model_train (grid search and cross-validation around tci_train, then
 * the model's metadata). The engine itself is train_ovr.c, the solvers
 * train_linear.c (liblinear) and train_kernel.c (libsvm).
 *
 * Caveats:
 *  - Metadata "created" comes from SOURCE_DATE_EPOCH when set (as
 *    reproducible builds do), else from the clock: equal data and params
 *    give equal model bytes only when it is set.
 *  - Numbers in metadata are printed with snprintf, which follows the
 *    process's LC_NUMERIC: a host program that switches to a locale with a
 *    decimal comma gets commas there. The library never calls setlocale. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libsvm/svm.h>
#include <linear.h>

#include "internal.h"

/* ======================================================== tc_init */

static void quiet(const char *s) { (void)s; }

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_libraries(void) {
  svm_set_print_string_function(quiet);
  set_print_string_function(quiet);
}

void tc_init(void) { pthread_once(&init_once, init_libraries); }

/* ======================================================== parameters */

void tc_train_params_init(tc_train_params *p) {
  if (!p) return;
  memset(p, 0, sizeof *p);
  tc_options_init(&p->features);
  p->multilabel = 0;
  p->kernel = TC_KERNEL_LINEAR;
  p->solver = TC_SOLVER_AUTO;
  p->C = 1.0;
  p->gamma = 0.0;
  p->class_weight = TC_WEIGHT_BALANCED;
  p->label_weights = NULL;
  p->tolerance = 0.0;
  p->calibrate = 1;
  p->threshold = 0.5;
  p->threshold_auto = 0;
  p->fallback = NULL;
  p->cv_folds = 0;
  p->grid = 0;
  p->seed = 1;
  p->threads = 1;
  p->cache_mb = 200;
  p->progress = NULL;
  p->progress_ud = NULL;
}

double tc_train_params_gamma(const tc_train_params *p) { return p->gamma > 0 ? p->gamma : 1.0; }

static int finite_pos(double x) { return isfinite(x) && x > 0; }

const char *tc_train_params_check(const tc_train_params *p, const tc_dataset *ds) {
  const char *why;
  size_t i;
  if (!p) return "no parameters given";
  if ((why = tc_options_check(&p->features))) return why;
  if (!tci_is_flag(p->multilabel)) return "multilabel must be 0 or 1";
  if (p->kernel != TC_KERNEL_LINEAR && p->kernel != TC_KERNEL_RBF)
    return "kernel must be TC_KERNEL_LINEAR or TC_KERNEL_RBF";
  if (p->solver != TC_SOLVER_AUTO && p->solver != TC_SOLVER_LIBLINEAR &&
      p->solver != TC_SOLVER_LIBSVM && p->solver != TC_SOLVER_DCD)
    return "solver must be TC_SOLVER_AUTO, TC_SOLVER_LIBLINEAR, TC_SOLVER_LIBSVM or TC_SOLVER_DCD";
  if (p->solver == TC_SOLVER_LIBLINEAR && p->kernel != TC_KERNEL_LINEAR)
    return "solver: liblinear trains linear kernels only (use TC_SOLVER_LIBSVM or AUTO for RBF)";
  if (p->solver == TC_SOLVER_DCD && p->kernel != TC_KERNEL_LINEAR)
    return "solver: dcd trains linear kernels only (use TC_SOLVER_LIBSVM or AUTO for RBF)";
  if (!finite_pos(p->C) || p->C > 1e6) return "C must be a number in (0, 1e6]";
  if (!isfinite(p->gamma) || p->gamma > 1e6) return "gamma must be a finite number <= 1e6 (<= 0: default)";
  if (p->class_weight != TC_WEIGHT_NONE && p->class_weight != TC_WEIGHT_BALANCED &&
      p->class_weight != TC_WEIGHT_CUSTOM)
    return "class_weight must be TC_WEIGHT_NONE, TC_WEIGHT_BALANCED or TC_WEIGHT_CUSTOM";
  if (p->class_weight == TC_WEIGHT_CUSTOM && !p->label_weights)
    return "label_weights is NULL but class_weight is TC_WEIGHT_CUSTOM";
  if (p->class_weight != TC_WEIGHT_CUSTOM && p->label_weights)
    return "label_weights are given but class_weight is not TC_WEIGHT_CUSTOM";
  if (!isfinite(p->tolerance) || p->tolerance >= 1) return "tolerance must be below 1 (<= 0: default)";
  if (!tci_is_flag(p->calibrate)) return "calibrate must be 0 or 1";
  if (!(p->threshold >= 0 && p->threshold <= 1)) return "threshold must be in [0, 1]";
  if (!tci_is_flag(p->threshold_auto)) return "threshold_auto must be 0 or 1";
  if (p->threshold_auto && !p->multilabel) return "threshold_auto applies to multilabel models only";
  if (p->threshold_auto && p->cv_folds < 2) return "threshold_auto needs cv_folds >= 2";
  if (p->fallback && !p->fallback[0]) return "fallback must be a label name or NULL";
  if (p->short_features < 0) return "short_features must be >= 0 (0: off)";
  if (p->short_features && p->kernel != TC_KERNEL_LINEAR)
    return "short_features applies to linear kernels only";
  if (!(p->short_moderation >= 0 && p->short_moderation <= 1e6))
    return "short_moderation must be in [0, 1e6] (0: off)";
  if (p->short_moderation && !p->short_features) return "short_moderation needs short_features";
  if (p->cv_folds < 0 || p->cv_folds == 1 || p->cv_folds > 100)
    return "cv_folds must be 0 (no cross-validation) or 2..100";
  if (!tci_is_flag(p->grid)) return "grid must be 0 or 1";
  if (p->grid && p->cv_folds < 2) return "grid needs cv_folds >= 2";
  if (p->grid && p->features.title_terms)
    return "grid chooses title_terms itself: leave features.title_terms 0";
  if (p->threads > 1024) return "threads must be <= 1024 (<= 0: one per core)";
  if (!finite_pos(p->cache_mb) || p->cache_mb > 1e6) return "cache_mb must be in (0, 1e6]";
  if (!ds) return NULL;
  if (p->class_weight == TC_WEIGHT_CUSTOM)
    for (i = 0; i < ds->n_names; i++)
      if (!finite_pos(p->label_weights[i]) || p->label_weights[i] > 1e6)
        return "label_weights: every label's weight must be in (0, 1e6]";
  if (p->fallback) {
    for (i = 0; i < ds->n_names; i++)
      if (strcmp(ds->names[i], p->fallback) == 0) break;
    if (i == ds->n_names) return "fallback is not a label of the dataset";
  }
  if (p->cv_folds > 1 && (size_t)p->cv_folds > ds->n)
    return "cv_folds is larger than the number of documents";
  return NULL;
}

/* ======================================================== metadata */

/* "YYYY-MM-DDTHH:MM:SSZ" from SOURCE_DATE_EPOCH or the clock. */
static void created(char *buf, size_t cap) {
  const char *e = getenv("SOURCE_DATE_EPOCH");
  time_t t = time(NULL);
  struct tm tm;
  if (e && *e) {
    char *end;
    long long v = strtoll(e, &end, 10);
    if (*end == 0 && v >= 0) t = (time_t)v;
  }
  if (!gmtime_r(&t, &tm) || !strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm))
    snprintf(buf, cap, "unknown");
}

/* What cross-validation (and the grid search) found, for the metadata. */
typedef struct cvfig {
  int k;                    /* folds */
  tci_cv_figures fig;       /* over all folds, at the model's threshold */
  double *fold_f1;          /* k: each fold's macro-F1 */
  char *grid;               /* the grid search's summary, or NULL (malloc'ed) */
  char *thresholds;         /* a multi-label model's threshold sweep, or NULL (malloc'ed) */
} cvfig;

static int set_num(tc_model *m, const char *key, const char *fmt, double v) {
  char b[64];
  snprintf(b, sizeof b, fmt, v);
  return tci_model_set_meta(m, key, b);
}

static const char *kernel_name(int k) { return k == TC_KERNEL_RBF ? "rbf" : "linear"; }

static const char *solver_name(const tc_train_params *p) {
  switch (tci_solver_of(p)) {
  case TC_SOLVER_LIBSVM: return "libsvm C_SVC";
  case TC_SOLVER_LIBLINEAR: return "liblinear L2R_L2LOSS_SVC (primal)";
  default: return "dcd L2-loss SVC (dual)";
  }
}

/* The cross-validation figures: cv_folds, cv_accuracy, cv_macro_f1,
 * for a multi-label model cv_micro_f1 and cv_exact_match (a single-label
 * model's micro-F1 is its accuracy), cv_fold_macro_f1 ("0.9123,0.9071,..."),
 * the grid summary if any, and a multi-label model's threshold sweep,
 * cv_thresholds. */
static int set_cv_meta(tc_model *m, const cvfig *cv, int multilabel) {
  char b[32], *s;
  size_t cap = (size_t)cv->k * 16 + 1, at = 0;
  int rc, i;
  snprintf(b, sizeof b, "%d", cv->k);
  rc = tci_model_set_meta(m, "cv_folds", b);
  if (!rc) rc = set_num(m, "cv_accuracy", "%.4f", cv->fig.accuracy);
  if (!rc) rc = set_num(m, "cv_macro_f1", "%.4f", cv->fig.macro_f1);
  if (!rc && multilabel) rc = set_num(m, "cv_micro_f1", "%.4f", cv->fig.micro_f1);
  if (!rc && multilabel) rc = set_num(m, "cv_exact_match", "%.4f", cv->fig.exact_match);
  s = malloc(cap);
  if (!s) return rc ? rc : TC_ENOMEM;
  s[0] = 0;
  for (i = 0; i < cv->k; i++)
    at += (size_t)snprintf(s + at, cap - at, "%s%.4f", i ? "," : "", cv->fold_f1[i]);
  if (!rc) rc = tci_model_set_meta(m, "cv_fold_macro_f1", s);
  free(s);
  if (!rc && cv->grid) rc = tci_model_set_meta(m, "grid", cv->grid);
  if (!rc && cv->thresholds) rc = tci_model_set_meta(m, "cv_thresholds", cv->thresholds);
  return rc;
}

static int set_meta(tc_model *m, const tc_dataset *ds, const tc_train_params *p,
                    const cvfig *cv) {
  char b[96];
  int rc = TC_OK;
  const tc_options *o = &p->features;
  created(b, sizeof b);
  rc = tci_model_set_meta(m, "created", b);
  snprintf(b, sizeof b, "%zu", ds->n);
  if (!rc) rc = tci_model_set_meta(m, "documents", b);
  snprintf(b, sizeof b, "%zu", ds->n_names);
  if (!rc) rc = tci_model_set_meta(m, "labels", b);
  snprintf(b, sizeof b, "%zu", tc_extractor_n_features(m->ex));
  if (!rc) rc = tci_model_set_meta(m, "features", b);
  if (!rc) rc = tci_model_set_meta(m, "kernel", kernel_name(p->kernel));
  if (!rc) rc = tci_model_set_meta(m, "solver", solver_name(p));
  if (!rc) rc = set_num(m, "C", "%g", p->C);
  if (!rc && p->kernel == TC_KERNEL_RBF) rc = set_num(m, "gamma", "%g", tc_train_params_gamma(p));
  if (!rc)
    rc = tci_model_set_meta(m, "class_weight",
                            p->class_weight == TC_WEIGHT_BALANCED ? "balanced"
                            : p->class_weight == TC_WEIGHT_CUSTOM ? "custom"
                                                                   : "none");
  if (!rc) rc = tci_model_set_meta(m, "multilabel", p->multilabel ? "1" : "0");
  if (!rc) rc = set_num(m, "threshold", "%g", p->threshold);
  if (!rc && p->threshold_auto) rc = tci_model_set_meta(m, "threshold_by", "cv_micro_f1");
  if (!rc) rc = tci_model_set_meta(m, "calibration", p->calibrate ? "platt, 3-fold" : "none (logistic of margin)");
  if (!rc && p->tolerance > 0) rc = set_num(m, "tolerance", "%g", p->tolerance);
  snprintf(b, sizeof b, "%llu", (unsigned long long)p->seed);
  if (!rc) rc = tci_model_set_meta(m, "seed", b);
  snprintf(b, sizeof b, "word=%d-%d char=%d-%d min_df=%d max_df=%g max_features=%d%s%s",
           o->word_ngram_min, o->word_ngram_max, o->char_ngram_min, o->char_ngram_max, o->min_df,
           o->max_df, o->max_features, o->stem == TC_STEM_ENGLISH ? " stem=english" : "",
           o->title_terms ? " title_terms" : "");
  if (!rc) rc = tci_model_set_meta(m, "features_options", b);
  if (!rc && cv) rc = set_cv_meta(m, cv, p->multilabel);
  return rc;
}

/* ======================================================== tc_model_train */

/* Cross-validation's figures for the model trained with *q: the grid
 * search's choice of C (and gamma) when p->grid, a multi-label model's
 * threshold sweep (and its choice of threshold when p->threshold_auto),
 * then the figures at q's threshold, all from one set of out-of-fold
 * scores. */
static int cross_validate(const tc_dataset *ds, const tc_train_params *p, tc_train_params *q,
                          cvfig *cv, tc_diag *diag) {
  tci_oof oof;
  int rc;
  cv->k = p->cv_folds;
  cv->fold_f1 = calloc((size_t)cv->k, sizeof *cv->fold_f1);
  if (!cv->fold_f1) return tci_fail(diag, TC_ENOMEM, "train: out of memory");
  if (p->grid) rc = tci_grid_search(ds, p, cv->k, q, &oof, &cv->grid, diag);
  else rc = tci_cv_scores(ds, p, cv->k, &oof, diag);
  if (rc) return rc;
  if (p->multilabel)
    rc = tci_threshold_sweep(ds, &oof, p, &cv->thresholds, p->threshold_auto ? &q->threshold : NULL);
  if (!rc) rc = tci_oof_figures(ds, &oof, q, q->threshold, &cv->fig);
  if (!rc) rc = tci_oof_fold_macro_f1(ds, &oof, q, q->threshold, cv->fold_f1);
  if (rc) tci_fail(diag, rc, "cross-validation: %s", tc_strerror(rc));
  tci_oof_free(&oof);
  return rc;
}

int tc_model_train(const tc_dataset *ds, const tc_train_params *p, tc_model **out,
                   tc_diag *diag) {
  const char *why;
  tc_train_params q;
  cvfig cv;
  int rc = TC_OK;
  if (out) *out = NULL;
  if (!ds || !p || !out) return tci_fail(diag, TC_EINVAL, "train: no dataset, parameters or output given");
  if ((why = tc_train_params_check(p, ds))) return tci_fail(diag, TC_EINVAL, "%s", why);
  if (ds->n == 0) return tci_fail(diag, TC_EDATA, "training data: no documents");
  if ((rc = tci_check_data(ds, p, diag))) return rc;
  tc_init();
  q = *p;
  memset(&cv, 0, sizeof cv);
  if (p->cv_folds > 1) rc = cross_validate(ds, p, &q, &cv, diag);
  if (!rc) rc = tci_train(ds, &q, 0, out, diag);
  if (!rc) {
    rc = set_meta(*out, ds, &q, p->cv_folds > 1 ? &cv : NULL);
    if (rc) {
      tc_model_free(*out);
      *out = NULL;
      tci_fail(diag, rc, "metadata: %s", tc_strerror(rc));
    }
  }
  free(cv.fold_f1);
  free(cv.grid);
  free(cv.thresholds);
  return rc;
}
