/* test_features_corpora.c - the feature stage on real news.
 *
 * Needs the corpora (../shared/corpora or $TEXTCLASS_CORPORA; skips loudly
 * without them). On 400 BBC training articles and 200 MasakhaNEWS ones:
 * fitting is independent of document order; vectors of held-out articles
 * equal a slow reference built from strings (tc_extractor_terms, binary
 * search over the sorted feature names, weights by the formulas); a saved
 * and loaded extractor gives identical vectors. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "internal.h"
#include "corpus.h"

static int load(docs *d, const char *dir, const char *file, size_t max) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  return corpus_load(d, path, max) == 0;
}

/* ======================================================== reference */

typedef struct ref {
  const tc_extractor *ex;
  int *sorted;        /* feature indices sorted by name */
  double *count;      /* per feature */
} ref;

static const tc_extractor *sort_ex;

static int by_name(const void *a, const void *b) {
  size_t la, lb;
  const char *sa = tc_extractor_feature_name(sort_ex, *(const int *)a, &la);
  const char *sb = tc_extractor_feature_name(sort_ex, *(const int *)b, &lb);
  int c = memcmp(sa, sb, la < lb ? la : lb);
  return c ? c : (la > lb) - (la < lb);
}

static int ref_term(void *ud, const char *term, size_t len) {
  ref *r = ud;
  size_t lo = 0, hi = tc_extractor_n_features(r->ex);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2, l;
    const char *s = tc_extractor_feature_name(r->ex, r->sorted[mid], &l);
    int c = memcmp(s, term, l < len ? l : len);
    if (c == 0) c = (l > len) - (l < len);
    if (c == 0) {
      r->count[r->sorted[mid]] += 1;
      return 0;
    }
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return 0;
}

/* Vector of text against the reference: 1 when equal within 1e-12. */
static int matches_reference(ref *r, tc_workspace *ws, const char *text, size_t len) {
  const tc_options *o = tc_extractor_options(r->ex);
  const tci_vocab *v = r->ex->vocab;
  size_t n = v->n, i, k = 0;
  double norm = 0;
  tc_vector vec;
  int ok = 1;
  memset(r->count, 0, (n + 1) * sizeof *r->count);
  if (tc_extractor_terms(r->ex, ws, text, len, ref_term, r) != TC_OK) return 0;
  for (i = 1; i <= n; i++) {
    double w = r->count[i];
    if (w == 0) continue;
    if (o->sublinear_tf) w = 1 + log(w);
    if (o->use_idf) w *= log((1.0 + (double)v->n_docs) / (1.0 + v->df[i - 1])) + 1;
    r->count[i] = w;
    norm += w * w;
  }
  norm = o->l2_normalize && norm > 0 ? sqrt(norm) : 1;
  if (tc_extractor_vectorize(r->ex, ws, text, len, &vec) != TC_OK) return 0;
  for (i = 1; ok && i <= n; i++) {
    if (r->count[i] == 0) continue;
    ok = k < vec.n && vec.f[k].index == (int)i && fabs(vec.f[k].value - r->count[i] / norm) < 1e-12;
    k++;
  }
  return ok && k == vec.n;
}

static void check_config(const docs *train, const docs *held, tc_options *o) {
  tc_extractor *a = NULL, *b = NULL, *back = NULL;
  tc_workspace *ws = NULL, *ws2 = NULL;
  char **rev = malloc(train->n * sizeof *rev);
  size_t *rlen = malloc(train->n * sizeof *rlen), i, n, bytes_len = 0;
  unsigned char *bytes = NULL;
  int same = 1, refs = 0, trips = 0;
  ref r;
  CHECK_OK(tc_workspace_new(&ws));
  CHECK_OK(tc_workspace_new(&ws2));
  CHECK_OK(tc_extractor_new(o, &a, NULL));
  CHECK_OK(tc_extractor_new(o, &b, NULL));
  for (i = 0; i < train->n; i++) {
    rev[i] = train->text[train->n - 1 - i];
    rlen[i] = train->len[train->n - 1 - i];
  }
  CHECK_OK(tc_extractor_fit(a, train->n, (const char *const *)train->text, train->len, NULL, NULL));
  CHECK_OK(tc_extractor_fit(b, train->n, (const char *const *)rev, rlen, NULL, NULL));
  n = tc_extractor_n_features(a);
  CHECK(n > 1000);
  CHECK_EQ_INT(tc_extractor_n_features(b), n);
  for (i = 1; same && i <= n && n == tc_extractor_n_features(b); i++) {
    size_t la, lb;
    const char *sa = tc_extractor_feature_name(a, (int)i, &la);
    const char *sb = tc_extractor_feature_name(b, (int)i, &lb);
    same = la == lb && memcmp(sa, sb, la) == 0 && a->vocab->df[i - 1] == b->vocab->df[i - 1];
  }
  CHECK(same);

  r.ex = a;
  r.sorted = malloc(n * sizeof *r.sorted);
  r.count = malloc((n + 1) * sizeof *r.count);
  for (i = 0; i < n; i++) r.sorted[i] = (int)i + 1;
  sort_ex = a;
  qsort(r.sorted, n, sizeof *r.sorted, by_name);
  CHECK_OK(tc_extractor_to_bytes(a, &bytes, &bytes_len));
  CHECK_OK(tc_extractor_from_bytes(bytes, bytes_len, &back, NULL));
  for (i = 0; i < held->n && back; i++) {
    tc_vector va, vb;
    size_t k;
    int eq;
    refs += matches_reference(&r, ws, held->text[i], held->len[i]);
    CHECK_OK(tc_extractor_vectorize(a, ws, held->text[i], held->len[i], &va));
    CHECK_OK(tc_extractor_vectorize(back, ws2, held->text[i], held->len[i], &vb));
    eq = va.n == vb.n && va.n > 0;
    for (k = 0; eq && k < va.n; k++) eq = va.f[k].index == vb.f[k].index && va.f[k].value == vb.f[k].value;
    trips += eq;
  }
  CHECK_EQ_INT(refs, held->n);
  CHECK_EQ_INT(trips, held->n);
  free(r.sorted);
  free(r.count);
  free(bytes);
  free(rev);
  free(rlen);
  tc_extractor_free(a);
  tc_extractor_free(b);
  tc_extractor_free(back);
  tc_workspace_free(ws);
  tc_workspace_free(ws2);
}

TEST(real_news) {
  const char *dir = getenv("TEXTCLASS_CORPORA");
  docs train = {0}, held = {0};
  tc_options o;
  if (!dir) dir = "../shared/corpora";
  if (!load(&train, dir, "bbc/train.jsonl", 400) || !load(&train, dir, "masakhanews_eng/train.jsonl", 200) ||
      !load(&held, dir, "bbc/test.jsonl", 15) || !load(&held, dir, "masakhanews_eng/test.jsonl", 15)) {
    fprintf(stderr, "SKIPPED real_news: no corpora at %s (set TEXTCLASS_CORPORA)\n", dir);
    corpus_free(&train);
    corpus_free(&held);
    return;
  }
  CHECK_EQ_INT(train.n, 600);
  CHECK_EQ_INT(held.n, 30);
  tc_options_init(&o); /* the defaults: words 1..2, English stop words, min_df 2 */
  check_config(&train, &held, &o);
  tc_options_init(&o);
  o.word_ngram_max = 3;
  o.char_ngram_min = 3;
  o.char_ngram_max = 5;
  o.max_features = 50000;
  o.sublinear_tf = 0;
  check_config(&train, &held, &o);
  corpus_free(&train);
  corpus_free(&held);
}

int main(void) {
  RUN(real_news);
  return check_report();
}
