/* vectorize.c - the TF-IDF vector of a text: the hot path of prediction.
 *
 * Caveats (design decisions):
 *
 *  - Terms are looked up as they are enumerated (tci_terms_collect:
 *    tci_terms_each, which describes them without building strings, with
 *    the visitor tci_collect_term inlined: the filter's test, then for a
 *    term it lets through an append to a batch, resolved TCI_BATCH at a
 *    time with prefetching), so the cache misses of successive lookups in
 *    the vocabulary index overlap.
 *    Prediction is bound by instructions more than by misses (callgrind:
 *    ~165k instructions per 20 Newsgroups document, a third of them in
 *    the text stage), so this file and its callees avoid calls per term.
 *
 *  - Counting is sort-and-merge: the feature index of every hit is appended
 *    to ws->ids, which is then sorted (radix) and read in runs. A dense
 *    per-feature count array was the first design; on the target machine a
 *    random access to a megabytes-large array costs a TLB walk (hundreds of
 *    ns), while appending and sorting a few thousand ints stays in cache.
 *    The merge yields strictly ascending indices by construction.
 *    weigh_runs reads the sorted ids once, ended by a sentinel 0 (ids have
 *    room for one more), with the options read once before the loop:
 *    `label --top 1 -j 1` on 3,000 news4 articles (179 hits and 119
 *    features each on average) took 124.2k -> 122.5k instructions per
 *    article (callgrind) against the loop that checked the end of the ids
 *    and reread the options per feature.
 *
 *  - The most frequent features are tallied instead (split_hits): indices
 *    are given by descending document frequency, so the hits below
 *    TCI_TALLY_IDS (16,384) are most of a text's repeats. They are counted in
 *    a per-workspace array of TCI_TALLY_IDS counts (64 KB, which stays in
 *    cache, unlike a count per feature), listed once each at their first
 *    hit, and only that list is sorted; the other hits are sorted and read
 *    in runs as above. Every tallied index is below every other, so the
 *    tallied features come first and the whole stays ascending (and the
 *    sum of squares is taken in the same order). weigh_tallied sets each
 *    count back to 0, so the array is cleared once, when the workspace
 *    first needs it: everything that can fail is done before the first
 *    count. On 3,000 news4 articles (179 hits each on average, 119
 *    distinct) the sorts take 124 ids per text in place of 179;
 *    bench_predict's run over them (predict, batch, vectorise: 9,000
 *    vectorisations) took 1,070.8M -> 1,050.1M instructions (callgrind),
 *    2.3k fewer per vectorisation, and its score checksum is unchanged.
 *    `label --top 1 -j 1` gained less by its count per article, 102.1k
 *    -> 100.8k (models/news.model: 119.6k -> 118.6k), as a batch made a
 *    workspace and so cleared a tally per 64 documents: a 64 KB memset,
 *    `rep stosb`, which callgrind counts a byte each (1.0k per article);
 *    since its one-thread batches keep the model's workspace (lmodel.c,
 *    tcl_batch_run_here), 99.4k (117.2k). CPU time: no gain that this
 *    shared 2-core VM could show: 20 alternated pairs of `label -q --top
 *    1 -j 1` over news4's test split four times over, this and the kept
 *    workspace against neither, median ratios 0.984 and 0.994 in two
 *    runs (11 of 20 and 15 of 30 pairs faster), 0.981 with the shipped
 *    model (11 of 20), runs spread over 1.26-1.89 s. Cachegrind counts
 *    32 more mispredicted branches per article (the split's test, and
 *    the insertion sorts).
 *    (Tried, in a harness over the same texts' hits, with insertion sort
 *    below 64: 4,096 and 65,536 tallied indices, 13.3k and 12.0k
 *    instructions a text against 12.4k for 16,384, the last with a 256 KB
 *    array to clear per workspace, four times this one.)
 *
 *  - Sublinear tf, 1 + ln(count), is looked up for counts below 64 in a
 *    table that log() itself filled (once per process), so the bits are
 *    the call's; a text's 119 features average 23 counts above 1 (news4,
 *    3,000 articles). 122.5k -> 121.3k instructions per article
 *    (callgrind), and the data-dependent branch on count > 1 (true for a
 *    fifth of the features) is gone.
 *
 *  - After the first call with a given text length nothing is allocated;
 *    the extractor is only read, so threads may share it with one
 *    workspace each.
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Insertion sort for lists of under 40 ids (the best of 16, 24, 32, 40,
 * 48 and 64 since the tallied hits are sorted apart: bench_predict, 0.6k
 * fewer instructions per vectorisation than 64), otherwise an LSD radix
 * sort through `tmp`, both ascending. It takes as few passes as digits of at most
 * DIGIT bits cover max_id, and splits max_id's bits evenly among them, so
 * the per-pass prefix sums stay small beside the few hundred ids of a
 * typical text: a 435,637-feature vocabulary (19 bits) has digits of 7, 7
 * and 5 bits, 283 bins to sum where 8, 8 and 3 had 519 (measured: 0.7%
 * fewer instructions per news4 article in bench_predict). (Tried: one
 * pass by the top digit, then insertion sort; ids are indices by
 * descending document frequency, so a text's ids crowd the low buckets
 * and that was slower. Also tried, for texts of up to 1,024 hits: a
 * presence bitmap, a bit per feature in three levels of 64-bit words,
 * marked per hit and read back in ascending order, with only the repeats
 * sorted: `label --top 1 -j 1` on 3,000 news4 articles took 134.8k ->
 * 132.6k instructions per article (callgrind), but cachegrind counted
 * ~170 more mispredicted branches per article (marking and walking the
 * words depend on the ids; the radix passes do not) and 10 alternated
 * pairs showed no CPU gain (median ratio 0.997, 5 faster); marking
 * without branches gave the instructions back. Zeroing its 54 KB leaf
 * level per workspace (a batch makes one per chunk of documents) had
 * cost 4.1k instructions per article. Also tried, on 3,000 news4
 * articles (179 hits each on average, 956 of them under 64, radix passes
 * 54 instructions per hit in all): 10-bit digits (two passes) for texts
 * of 512 hits or more, 0.7% fewer instructions per article; the next
 * pass's counts taken in the scatter loop, 0.2%; neither kept.) Feature
 * indices are in [1, max_id]. */
#define DIGIT 8
static void sort_ids(int *a, size_t n, int *tmp, int max_id) {
  uint32_t cnt[1u << DIGIT], top = (uint32_t)max_id, mask;
  unsigned bits = 0, passes, width, shift;
  size_t i, j, bins;
  int *src = a, *dst = tmp, *t;
  if (n < 40) {
    for (i = 1; i < n; i++) {
      int x = a[i];
      for (j = i; j > 0 && a[j - 1] > x; j--) a[j] = a[j - 1];
      a[j] = x;
    }
    return;
  }
  while (bits < 31 && top >> bits) bits++;
  passes = (bits + DIGIT - 1) / DIGIT;
  width = (bits + passes - 1) / passes;
  mask = (1u << width) - 1;
  for (shift = 0; shift < bits; shift += width) {
    uint32_t sum = 0;
    bins = (top >> shift) > mask ? mask + 1 : (top >> shift) + 1;
    memset(cnt, 0, bins * sizeof *cnt);
    for (i = 0; i < n; i++) cnt[((uint32_t)src[i] >> shift) & mask]++;
    for (i = 0; i < bins; i++) {
      uint32_t k = cnt[i];
      cnt[i] = sum;
      sum += k;
    }
    for (i = 0; i < n; i++) dst[cnt[((uint32_t)src[i] >> shift) & mask]++] = src[i];
    t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
}

/* 1 + ln(count), the sublinear term frequency, for counts below
 * SUBLINEAR_TABLE: filled once by log() itself, so a lookup gives the
 * same bits as the call. 1 + log(1) is exactly 1. */
#define SUBLINEAR_TABLE 64
static double sublinear_table[SUBLINEAR_TABLE];
static pthread_once_t sublinear_once = PTHREAD_ONCE_INIT;

static void fill_sublinear_table(void) {
  size_t k;
  for (k = 1; k < SUBLINEAR_TABLE; k++) sublinear_table[k] = 1.0 + log((double)k);
}

static double sublinear_tf(size_t count) {
  return count < SUBLINEAR_TABLE ? sublinear_table[count] : 1.0 + log((double)count);
}

/* How the features of a text are weighed: the options read once. */
typedef struct weighing {
  int sublinear, use_idf;
  const double *idf;
} weighing;

static weighing weighing_of(const tc_options *o, const double *idf) {
  weighing w;
  w.sublinear = o->sublinear_tf;
  w.use_idf = o->use_idf;
  w.idf = idf;
  if (w.sublinear) pthread_once(&sublinear_once, fill_sublinear_table);
  return w;
}

/* The feature `id` seen `count` times, weighed by w, appended at f;
 * its square is added to *sum. */
static void put_feature(const weighing *w, int id, size_t count, tc_feature *f, double *sum) {
  double tf = w->sublinear ? sublinear_tf(count) : (double)count;
  if (w->use_idf) tf *= w->idf[id - 1];
  f->index = id;
  f->value = tf;
  *sum += tf * tf;
}

/* The features of the n sorted ids in ids[0..n-1] (ids has room for one
 * more), one per run of equal ids, weighed by w, written at f; the sum
 * of their squares is added to *norm. Returns how many there are. */
static size_t weigh_runs(int *ids, size_t n, const weighing *w, tc_feature *f, double *norm) {
  size_t i = 0, nf = 0;
  ids[n] = 0; /* ends the last run: indices are at least 1 */
  while (i < n) {
    size_t run = i;
    int id = ids[i];
    while (ids[++i] == id) {}
    put_feature(w, id, i - run, &f[nf++], norm);
  }
  return nf;
}

/* The features of the n sorted distinct ids in ids[0..n-1], each seen
 * tally[id] times, weighed by w, written at f; the sum of their squares
 * is added to *norm. Sets their tallies back to 0. Returns n. */
static size_t weigh_tallied(const int *ids, size_t n, uint32_t *tally, const weighing *w,
                            tc_feature *f, double *norm) {
  size_t i;
  for (i = 0; i < n; i++) {
    put_feature(w, ids[i], tally[ids[i]], &f[i], norm);
    tally[ids[i]] = 0;
  }
  return n;
}

/* Split the n hits in ids by feature index: those below `limit` are
 * counted in tally, each listed once (at its first hit) in `distinct`,
 * and *n_distinct is set to how many; the others are moved, in order, to
 * the front of ids. Returns how many of those there are. */
static size_t split_hits(int *ids, size_t n, int limit, uint32_t *tally, int *distinct,
                         size_t *n_distinct) {
  size_t i, n_rest = 0, k = 0;
  for (i = 0; i < n; i++) {
    int id = ids[i];
    if (id < limit) {
      distinct[k] = id;
      k += tally[id]++ == 0;
    } else {
      ids[n_rest++] = id;
    }
  }
  *n_distinct = k;
  return n_rest;
}

/* The workspace's tally (TCI_TALLY_IDS counts), all 0 between calls: made
 * zero once, and set back to 0 by weigh_tallied. NULL when out of
 * memory. */
static uint32_t *tally_of(tc_workspace *ws) {
  if (!ws->tally.p) {
    ws->tally.p = calloc(TCI_TALLY_IDS, sizeof(uint32_t));
    if (ws->tally.p) ws->tally.cap = TCI_TALLY_IDS * sizeof(uint32_t);
  }
  return ws->tally.p;
}

int tc_extractor_vectorize(const tc_extractor *ex, tc_workspace *ws, const char *text, size_t len,
                           tc_vector *out) {
  const tci_vocab *v;
  const tc_options *o;
  tc_tokens toks;
  tci_collector c;
  tc_feature *f;
  weighing w;
  uint32_t *tally;
  size_t bound, i, nf, n_rest, n_distinct;
  double norm = 0.0;
  int rc, limit;
  if (!ex || !ws || !out || (!text && len) || !ex->vocab) return TC_EINVAL;
  v = ex->vocab;
  o = &ex->opt;
  memset(out, 0, sizeof *out);
  if ((rc = tc_extractor_tokenize(ex, ws, text, len, &toks)) != TC_OK) return rc;

  /* every term may hit: ids and the sort's scratch hold that many */
  bound = tci_terms_bound(ex, &toks);
  if (bound == SIZE_MAX) return TC_ELIMIT;
  if ((rc = tci_buf_reserve(&ws->ids, bound + 1, sizeof(int))) != TC_OK ||
      (rc = tci_buf_reserve(&ws->counts, bound + 1, sizeof(int))) != TC_OK)
    return rc;
  tci_collect_init(&c, v, ws->ids.p);
  if ((rc = tci_terms_collect(ex, ws, &toks, &c)) != TC_OK) return rc;
  tci_collect_flush(&c);
  /* the distinct tallied ids and the features: at most n_ids each; made
   * room for before the tally is touched, so from split_hits on nothing fails */
  if ((rc = tci_buf_reserve(&ws->distinct, c.n_ids, sizeof(int))) != TC_OK ||
      (rc = tci_buf_reserve(&ws->features, c.n_ids + 1, sizeof(tc_feature))) != TC_OK)
    return rc;
  if (!(tally = tally_of(ws))) return TC_ENOMEM;

  /* a count of c.n_ids must fit a tally's uint32_t: else nothing is tallied */
  limit = (uint64_t)c.n_ids <= UINT32_MAX ? TCI_TALLY_IDS : 1;
  n_rest = split_hits(c.ids, c.n_ids, limit, tally, ws->distinct.p, &n_distinct);
  sort_ids(ws->distinct.p, n_distinct, ws->counts.p,
           v->n < TCI_TALLY_IDS ? (int)v->n : TCI_TALLY_IDS - 1);
  sort_ids(c.ids, n_rest, ws->counts.p, (int)v->n);
  w = weighing_of(o, v->idf);
  /* the tallied indices are below TCI_TALLY_IDS and the others not: in
   * ascending order, as the sum of squares is taken */
  nf = weigh_tallied(ws->distinct.p, n_distinct, tally, &w, ws->features.p, &norm);
  nf += weigh_runs(c.ids, n_rest, &w, (tc_feature *)ws->features.p + nf, &norm);
  f = ws->features.p;
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
