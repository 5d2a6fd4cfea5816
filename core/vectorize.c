/* vectorize.c - the TF-IDF vector of a text: the hot path of prediction.
 *
 * Caveats (design decisions):
 *
 *  - Terms are looked up as they are enumerated (tci_terms_each describes
 *    them without building strings, tci_vocab_find confirms by bytes).
 *
 *  - Counts go to a dense array in the workspace (ws->counts, one uint32_t
 *    per feature, all zero between calls) and each feature's first
 *    occurrence is noted in a touched list (ws->ids). Output order comes
 *    from sorting the touched list, or, when a text touches a large share
 *    of the vocabulary, from scanning the counts in index order. Afterwards
 *    only the touched counts are reset, so a call costs O(terms), not
 *    O(vocabulary). The dense array costs 4 bytes per feature per
 *    workspace, once.
 *
 *  - After the first call with a given vocabulary size and text length
 *    nothing is allocated; the extractor is only read, so threads may share
 *    it with one workspace each.
 */
#include <math.h>
#include <string.h>

#include "internal.h"

typedef struct vec_ctx {
  const tci_vocab *v;
  uint32_t *counts;
  int *touched;
  size_t n_touched;
} vec_ctx;

static int count(void *ud, const tci_term *t) {
  vec_ctx *c = ud;
  int id = tci_vocab_find(c->v, t);
  if (id) {
    uint32_t k = c->counts[id];
    if (k == 0) c->touched[c->n_touched++] = id;
    if (k != UINT32_MAX) c->counts[id] = k + 1;
  }
  return 0;
}

/* Insertion sort for short lists, otherwise an LSD radix sort on 11-bit
 * digits through `tmp` (8 KB of counters on the stack, fine on any
 * thread); both ascending. Feature indices are in [1, max_id]. */
#define DIGIT 11
static void sort_ids(int *a, size_t n, int *tmp, int max_id) {
  uint32_t cnt[1u << DIGIT];
  size_t i, j;
  int shift, flips = 0;
  int *src = a, *dst = tmp, *t;
  if (n < 64) {
    for (i = 1; i < n; i++) {
      int x = a[i];
      for (j = i; j > 0 && a[j - 1] > x; j--) a[j] = a[j - 1];
      a[j] = x;
    }
    return;
  }
  for (shift = 0; shift < 31 && ((unsigned)max_id >> shift) != 0; shift += DIGIT) {
    uint32_t sum = 0;
    memset(cnt, 0, sizeof cnt);
    for (i = 0; i < n; i++) cnt[((unsigned)src[i] >> shift) & ((1u << DIGIT) - 1)]++;
    for (i = 0; i < (1u << DIGIT); i++) {
      uint32_t k = cnt[i];
      cnt[i] = sum;
      sum += k;
    }
    for (i = 0; i < n; i++) dst[cnt[((unsigned)src[i] >> shift) & ((1u << DIGIT) - 1)]++] = src[i];
    t = src;
    src = dst;
    dst = t;
    flips ^= 1;
  }
  if (flips) memcpy(a, tmp, n * sizeof *a);
}

int tc_extractor_vectorize(const tc_extractor *ex, tc_workspace *ws, const char *text, size_t len,
                           tc_vector *out) {
  const tci_vocab *v;
  const tc_options *o;
  tc_tokens toks;
  vec_ctx c;
  tc_feature *f;
  size_t bound, i, nf;
  double norm = 0.0;
  int rc;
  if (!ex || !ws || !out || (!text && len) || !ex->vocab) return TC_EINVAL;
  v = ex->vocab;
  o = &ex->opt;
  memset(out, 0, sizeof *out);
  if ((rc = tc_extractor_tokenize(ex, ws, text, len, &toks)) != TC_OK) return rc;

  /* counts: n + 1 zeroed entries (index 0 unused) */
  if (ws->counts_n < v->n + 1) {
    if ((rc = tci_buf_reserve(&ws->counts, v->n + 1, sizeof(uint32_t))) != TC_OK) return rc;
    memset((uint32_t *)ws->counts.p + ws->counts_n, 0, (v->n + 1 - ws->counts_n) * sizeof(uint32_t));
    ws->counts_n = v->n + 1;
  }
  /* touched list and the radix sort's scratch, each at most min(terms, n) */
  bound = tci_terms_bound(ex, &toks);
  if (bound > v->n) bound = v->n;
  if (bound > SIZE_MAX / 2) return TC_ELIMIT;
  if ((rc = tci_buf_reserve(&ws->ids, 2 * bound + 1, sizeof(int))) != TC_OK) return rc;

  c.v = v;
  c.counts = ws->counts.p;
  c.touched = ws->ids.p;
  c.n_touched = 0;
  rc = tci_terms_each(ex, ws, &toks, count, &c);
  nf = c.n_touched;
  if (rc == TC_OK) rc = tci_buf_reserve(&ws->features, nf + 1, sizeof(tc_feature));
  if (rc != TC_OK) {
    for (i = 0; i < nf; i++) c.counts[c.touched[i]] = 0;
    return rc;
  }

  if (nf > v->n / 8) { /* dense: collect in index order */
    size_t k = 0;
    int id;
    for (id = 1; k < nf; id++)
      if (c.counts[id]) c.touched[k++] = id;
  } else {
    sort_ids(c.touched, nf, c.touched + bound, (int)v->n);
  }

  f = ws->features.p;
  for (i = 0; i < nf; i++) {
    int id = c.touched[i];
    double tf = (double)c.counts[id];
    c.counts[id] = 0;
    if (o->sublinear_tf) tf = 1.0 + log(tf);
    if (o->use_idf) tf *= v->idf[id - 1];
    f[i].index = id;
    f[i].value = tf;
    norm += tf * tf;
  }
  if (o->l2_normalize && norm > 0.0) {
    double scale = 1.0 / sqrt(norm);
    for (i = 0; i < nf; i++) f[i].value *= scale;
  }
  out->f = f;
  out->n = nf;
  out->n_tokens = toks.n;
  out->n_invalid = toks.n_invalid;
  return TC_OK;
}
