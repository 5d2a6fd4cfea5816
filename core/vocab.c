/* vocab.c - learning the vocabulary (tc_extractor_fit) and looking terms
 * up in it.
 *
 * Caveats (design decisions):
 *
 *  - Both hash tables here use open addressing with linear probing over
 *    64-bit slots holding `tag << 32 | id` (id 1-based, 0 = empty), where
 *    tag is the high half of the mixed term hash and the low bits pick the
 *    slot. A probe reads one slot; the term bytes are compared only when
 *    the tag matches, which for an absent term (most bigrams of a text)
 *    happens with probability 2^-32 per probe.
 *
 *  - Fitting counts document frequencies of every distinct term in one pass
 *    over the texts: a table of entries (pool offset, length, df, last
 *    document seen) grows by doubling; a term's bytes are written to the
 *    pool only when it is first seen. "Once per document" uses the last
 *    document an entry was seen in, so no per-document set is needed.
 *    About 45 bytes per distinct term plus its bytes; see docs/features.md
 *    for measured figures.
 *
 *  - Survivors of min_df / max_df are sorted by descending df, then term
 *    bytes (memcmp order, a shorter prefix first): a total order, so the
 *    indices (and the saved bytes) are the same on every run and platform.
 *    max_features keeps the first max_features of that order.
 *
 *  - A failed or cancelled fit leaves the extractor as it was.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PROGRESS_EVERY 256 /* documents between progress calls */

/* Spread all 64 bits of a (polynomial, weak low bits) term hash. */
static uint64_t mix(uint64_t h) {
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 29;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 32;
  return h;
}

/* ======================================================== the vocabulary */

void tci_vocab_free(tci_vocab *v) {
  if (!v) return;
  free(v->pool);
  free(v->off);
  free(v->df);
  free(v->idf);
  free(v->slots);
  free(v);
}

int tci_vocab_finish(tci_vocab *v, tc_diag *diag) {
  size_t cap = 16, i;
  double N = (double)v->n_docs;
  if (v->n > (size_t)INT32_MAX - 1) return tci_fail(diag, TC_ELIMIT, "vocabulary: %zu terms, more than feature indices can number", v->n);
  while (cap < 2 * v->n) cap *= 2;
  free(v->idf);
  free(v->slots);
  v->slots = NULL;
  v->idf = malloc((v->n ? v->n : 1) * sizeof *v->idf);
  v->slots = calloc(cap, sizeof *v->slots);
  if (!v->idf || !v->slots) return tci_fail(diag, TC_ENOMEM, "vocabulary: out of memory");
  v->mask = cap - 1;
  for (i = 0; i < v->n; i++) {
    const char *s = v->pool + v->off[i];
    size_t len = v->off[i + 1] - v->off[i] - 1;
    uint64_t m = mix(tci_term_hash(s, len));
    uint32_t tag = (uint32_t)(m >> 32);
    size_t j = (size_t)m & v->mask;
    v->idf[i] = log((1.0 + N) / (1.0 + (double)v->df[i])) + 1.0;
    for (; v->slots[j]; j = (j + 1) & v->mask) {
      uint32_t id = (uint32_t)v->slots[j];
      size_t o = v->off[id - 1];
      if ((uint32_t)(v->slots[j] >> 32) == tag && v->off[id] - o - 1 == len &&
          memcmp(v->pool + o, s, len) == 0)
        return tci_fail(diag, TC_EFORMAT, "vocabulary: term %zu repeats term %u", i + 1, id);
    }
    v->slots[j] = (uint64_t)tag << 32 | (uint32_t)(i + 1);
  }
  return TC_OK;
}

int tci_vocab_find(const tci_vocab *v, const tci_term *t) {
  uint64_t m = mix(t->hash), s;
  uint32_t tag = (uint32_t)(m >> 32);
  size_t j = (size_t)m & v->mask;
  while ((s = v->slots[j]) != 0) {
    if ((uint32_t)(s >> 32) == tag) {
      uint32_t id = (uint32_t)s;
      size_t o = v->off[id - 1];
      if (tci_term_equal(t, v->pool + o, v->off[id] - o - 1)) return (int)id;
    }
    j = (j + 1) & v->mask;
  }
  return 0;
}

size_t tc_extractor_n_features(const tc_extractor *ex) {
  return ex && ex->vocab ? ex->vocab->n : 0;
}

const char *tc_extractor_feature_name(const tc_extractor *ex, int index, size_t *len) {
  const tci_vocab *v = ex ? ex->vocab : NULL;
  size_t i;
  if (!v || index < 1 || (size_t)index > v->n) {
    if (len) *len = 0;
    return NULL;
  }
  i = (size_t)index - 1;
  if (len) *len = v->off[i + 1] - v->off[i] - 1;
  return v->pool + v->off[i];
}

/* ======================================================== counting */

typedef struct counter {
  uint64_t *slots;    /* tag << 32 | entry + 1, 0 = empty */
  size_t mask;        /* slot count - 1 */
  size_t n, cap;      /* entries */
  size_t *off;        /* entry: offset of its bytes in pool */
  uint32_t *len;      /* entry: bytes */
  uint32_t *df;       /* entry: documents seen in */
  uint32_t *last;     /* entry: last document seen in, 1-based */
  char *pool;
  size_t pool_len, pool_cap;
  uint32_t doc;       /* current document, 1-based */
} counter;

static void counter_free(counter *c) {
  free(c->slots);
  free(c->off);
  free(c->len);
  free(c->df);
  free(c->last);
  free(c->pool);
}

/* Grow a malloc'ed array to `cap` items of `size` bytes, or fail leaving it. */
static int grow_array(void **p, size_t cap, size_t size) {
  void *q;
  if (cap > SIZE_MAX / size) return TC_ELIMIT;
  q = realloc(*p, cap * size);
  if (!q) return TC_ENOMEM;
  *p = q;
  return TC_OK;
}

static void place(uint64_t *slots, size_t mask, uint64_t m, uint32_t id) {
  size_t j = (size_t)m & mask;
  while (slots[j]) j = (j + 1) & mask;
  slots[j] = (m >> 32) << 32 | id;
}

/* Double the slot table, re-placing entries by their recomputed hashes. */
static int rehash(counter *c) {
  size_t cap = (c->mask + 1) * 2, e;
  uint64_t *slots;
  if (cap > SIZE_MAX / sizeof *slots / 2) return TC_ELIMIT;
  slots = calloc(cap, sizeof *slots);
  if (!slots) return TC_ENOMEM;
  for (e = 0; e < c->n; e++)
    place(slots, cap - 1, mix(tci_term_hash(c->pool + c->off[e], c->len[e])), (uint32_t)(e + 1));
  free(c->slots);
  c->slots = slots;
  c->mask = cap - 1;
  return TC_OK;
}

/* Make room for one more entry of `len` bytes. */
static int reserve_entry(counter *c, size_t len) {
  int rc;
  if (c->n >= UINT32_MAX - 1 || len > UINT32_MAX) return TC_ELIMIT;
  if (c->n + 1 > (c->mask + 1) / 4 * 3 && (rc = rehash(c)) != TC_OK) return rc;
  if (c->n == c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 4096;
    if ((rc = grow_array((void **)&c->off, cap, sizeof *c->off)) != TC_OK ||
        (rc = grow_array((void **)&c->len, cap, sizeof *c->len)) != TC_OK ||
        (rc = grow_array((void **)&c->df, cap, sizeof *c->df)) != TC_OK ||
        (rc = grow_array((void **)&c->last, cap, sizeof *c->last)) != TC_OK)
      return rc;
    c->cap = cap;
  }
  if (len > c->pool_cap - c->pool_len) {
    size_t cap = c->pool_cap ? c->pool_cap : 65536;
    while (cap - c->pool_len < len) {
      if (cap > SIZE_MAX / 2) return TC_ELIMIT;
      cap *= 2;
    }
    if ((rc = grow_array((void **)&c->pool, cap, 1)) != TC_OK) return rc;
    c->pool_cap = cap;
  }
  return TC_OK;
}

/* tci_terms_each visitor: count the term once per document. */
static int count_term(void *ud, const tci_term *t) {
  counter *c = ud;
  uint64_t m = mix(t->hash), s;
  uint32_t tag = (uint32_t)(m >> 32);
  size_t j = (size_t)m & c->mask, e;
  int rc;
  while ((s = c->slots[j]) != 0) {
    if ((uint32_t)(s >> 32) == tag) {
      e = (uint32_t)s - 1;
      if (tci_term_equal(t, c->pool + c->off[e], c->len[e])) {
        if (c->last[e] != c->doc) {
          c->last[e] = c->doc;
          c->df[e]++;
        }
        return 0;
      }
    }
    j = (j + 1) & c->mask;
  }
  if ((rc = reserve_entry(c, t->len)) != TC_OK) return rc;
  e = c->n++;
  c->off[e] = c->pool_len;
  c->len[e] = (uint32_t)t->len;
  c->df[e] = 1;
  c->last[e] = c->doc;
  tci_term_copy(t, c->pool + c->pool_len);
  c->pool_len += t->len;
  place(c->slots, c->mask, m, (uint32_t)(e + 1));
  return 0;
}

/* ======================================================== selection */

typedef struct survivor {
  const char *p;
  uint32_t len, df;
} survivor;

/* Descending df, then bytes ascending (a proper prefix first). */
static int by_df_then_bytes(const void *pa, const void *pb) {
  const survivor *a = pa, *b = pb;
  size_t n = a->len < b->len ? a->len : b->len;
  int c;
  if (a->df != b->df) return a->df > b->df ? -1 : 1;
  c = n ? memcmp(a->p, b->p, n) : 0;
  if (c) return c;
  return a->len < b->len ? -1 : a->len > b->len;
}

/* Keep the entries passing min_df/max_df, order them, cut to max_features
 * and build the vocabulary. */
static int select_terms(const counter *c, const tc_options *o, size_t n_docs, tci_vocab **out) {
  double max_count = o->max_df * (double)n_docs;
  size_t n = 0, e, bytes = 0, i;
  survivor *s;
  tci_vocab *v;
  int rc;
  s = malloc((c->n ? c->n : 1) * sizeof *s);
  if (!s) return TC_ENOMEM;
  for (e = 0; e < c->n; e++) {
    if (c->df[e] < (uint32_t)(o->min_df > 1 ? o->min_df : 1) || (double)c->df[e] > max_count) continue;
    s[n].p = c->pool + c->off[e];
    s[n].len = c->len[e];
    s[n].df = c->df[e];
    n++;
  }
  if (n == 0) {
    free(s);
    return TC_EDATA;
  }
  qsort(s, n, sizeof *s, by_df_then_bytes);
  if (o->max_features > 0 && n > (size_t)o->max_features) n = (size_t)o->max_features;
  for (i = 0; i < n; i++) bytes += (size_t)s[i].len + 1;
  v = calloc(1, sizeof *v);
  if (!v) {
    free(s);
    return TC_ENOMEM;
  }
  v->n = n;
  v->n_docs = n_docs;
  v->pool = malloc(bytes);
  v->off = malloc((n + 1) * sizeof *v->off);
  v->df = malloc(n * sizeof *v->df);
  if (!v->pool || !v->off || !v->df) {
    free(s);
    tci_vocab_free(v);
    return TC_ENOMEM;
  }
  v->off[0] = 0;
  for (i = 0; i < n; i++) {
    memcpy(v->pool + v->off[i], s[i].p, s[i].len);
    v->pool[v->off[i] + s[i].len] = '\0';
    v->off[i + 1] = v->off[i] + s[i].len + 1;
    v->df[i] = s[i].df;
  }
  free(s);
  if ((rc = tci_vocab_finish(v, NULL)) != TC_OK) {
    tci_vocab_free(v);
    return rc;
  }
  *out = v;
  return TC_OK;
}

/* ======================================================== fitting */

int tc_extractor_fit(tc_extractor *ex, size_t n, const char *const *texts,
                     const size_t *lens, tc_progress_fn progress, void *ud) {
  counter c;
  tc_workspace *ws = NULL;
  tci_vocab *v = NULL;
  tc_tokens toks;
  size_t i;
  int rc;
  if (!ex || (n && (!texts || !lens))) return TC_EINVAL;
  for (i = 0; i < n; i++)
    if (!texts[i] && lens[i]) return TC_EINVAL;
  if (n == 0) return TC_EDATA;
  if (n > UINT32_MAX - 1) return TC_ELIMIT;
  memset(&c, 0, sizeof c);
  c.mask = 65535;
  c.slots = calloc(c.mask + 1, sizeof *c.slots);
  if (!c.slots) return TC_ENOMEM;
  if ((rc = tc_workspace_new(&ws)) != TC_OK) goto done;
  for (i = 0; i < n; i++) {
    if (progress && i % PROGRESS_EVERY == 0 && progress(ud, "vocabulary", i, n)) {
      rc = TC_ECANCELED;
      goto done;
    }
    c.doc = (uint32_t)(i + 1);
    if ((rc = tc_extractor_tokenize(ex, ws, texts[i], lens[i], &toks)) != TC_OK ||
        (rc = tci_terms_each(ex, ws, &toks, count_term, &c)) != TC_OK)
      goto done;
  }
  if (progress && progress(ud, "vocabulary", n, n)) {
    rc = TC_ECANCELED;
    goto done;
  }
  if ((rc = select_terms(&c, &ex->opt, n, &v)) != TC_OK) goto done;
  tci_vocab_free(ex->vocab);
  ex->vocab = v;
done:
  tc_workspace_free(ws);
  counter_free(&c);
  return rc;
}
