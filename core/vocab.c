/* vocab.c - learning the vocabulary (tc_extractor_fit) and looking terms
 * up in it.
 *
 * Caveats (design decisions):
 *
 *  - Lookups are bound by memory latency, not arithmetic: the tables are
 *    megabytes, read at random, and on the development machine (a KVM
 *    guest) a dependent random read of an 8 MB table costs ~120 ns of CPU
 *    time, TLB walks included. So: (1) both hash
 *    tables use open addressing with linear probing over 64-bit slots
 *    holding a 24-bit tag from the mixed hash and the offset of the term's
 *    pool entry, which holds everything else (index or counts, length,
 *    bytes): a hit reads two cache lines, a miss one (the tag rejects a
 *    wrong slot with probability 1 - 2^-24); (2) lookups are pipelined,
 *    so misses overlap instead of queueing: the vectoriser prefetches a
 *    term's slot as it batches it, and resolves a batch of 64 in two
 *    passes (tci_collect_flush: every home slot read and its entry
 *    prefetched, then every term compared with its entry), and the
 *    counter's ring while fitting prefetches slot and entry a few terms
 *    ahead; (3) building the index (every model load) inserts the
 *    terms grouped by the 32 KB bucket of their home slot, so the slots
 *    being written stay in cache (index_terms); (4) the index, the pool
 *    and idf are allocated by tci_big_alloc, which asks Linux for
 *    transparent huge pages, so a lookup does not also miss the TLB;
 *    (5) the vectoriser asks a Bloom filter of the terms first
 *    (tci_collect_term): 8-16 bits per term, half a megabyte for 435,637
 *    terms, where the slots take 8 MB, built with the index at every
 *    load. On the news4 test split 40% of lookups are of absent terms
 *    (bigrams above all: 27% of them are in a default news4 model, 93%
 *    of unigrams) and the filter stops 97% of those before their slot is
 *    read: 3% fewer instructions per article, and 2-5% less CPU time in
 *    alternated runs (docs/benchmarks-history.md). Prefetching each term's
 *    filter block a stage ahead of its slot cost 5% more instructions
 *    and gained no time.
 *
 *  - Fitting counts document frequencies of every distinct term in one pass
 *    over the texts. A term's entry (df, last document seen, length, bytes)
 *    is appended to the pool when it is first seen; "once per document"
 *    compares the last document seen, so no per-document set is needed.
 *    About 12 bytes + the term's bytes + 11-23 bytes of slots (35-70%
 *    load) per distinct term; docs/features.md has measured figures.
 *
 *  - Survivors of min_df / max_df are sorted by descending df, then term
 *    bytes (memcmp order, a shorter prefix first): a total order, so the
 *    indices (and the saved bytes) are the same on every run and platform.
 *    max_features keeps the first max_features of that order.
 *
 *  - A failed or cancelled fit leaves the extractor as it was.
 *
 *  - Hash flooding. The term hash is public and polynomial, and such hashes
 *    collide on demand: lattice reduction finds thousands of 32-letter
 *    terms with one hash mod 2^64, and terms can as easily be chosen to
 *    share a home slot. k such terms in a model or in training texts would
 *    cost time in k^2 (measured: 64,000 in a 3.3 MB model took 9.5 s to
 *    load, not 19 ms; fitting 32,000 such words took 24 s, not 0.04 s). So
 *    no probe passes more than MAX_RUN occupied slots, none compares bytes
 *    with more than MAX_SHARED other terms of its tag, and no run of
 *    occupied slots in a built index is longer than MAX_RUN (a lookup of an
 *    absent term walks to the end of its run): beyond, a model is refused
 *    (TC_EFORMAT) and a fit fails (TC_EDATA), each with a message naming
 *    the problem. No sound vocabulary or text comes near these bounds
 *    (arithmetic at MAX_RUN), and the checks sit outside the probe loops
 *    or in their rare tag-match branch, so lookups cost what they did. A
 *    crafted model that passes can still make a lookup walk a run of up to
 *    MAX_RUN slots, comparing bytes with the terms of its tag there:
 *    bounded per term, where it was bounded only by the vocabulary size.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PROGRESS_EVERY 256 /* documents between progress calls */

/* Index slots: the top 24 bits of the mixed hash as a tag, then the pool
 * offset of the entry + 1 (0 = empty). The slot number comes from the low
 * bits of the mixed hash, so tag and slot are independent. */
#define OFF_BITS 40
#define OFF_MASK (((uint64_t)1 << OFF_BITS) - 1)
#define TAG(m) ((m) >> OFF_BITS)
#define SAME_TAG(s, m) ((((s) ^ (m)) >> OFF_BITS) == 0)
#define SLOT(tag, off) ((tag) << OFF_BITS | ((uint64_t)(off) + 1))
#define ENTRY(pool, s) ((pool) + (size_t)(((s) & OFF_MASK) - 1))

static uint32_t rd32(const char *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

static void wr32(char *p, uint32_t v) { memcpy(p, &v, 4); }

/* Bounds against hash flooding (see the caveat above). Hashes are modelled
 * as random, the load is at most a = 0.7 (table_size, the counter's
 * rehash), and the tables have at most 2^32 slots (2^31 - 2 terms).
 *
 * MAX_RUN: a run of l occupied slots needs l entries homed in those l
 * slots; with a mean of at most a * l, the Chernoff bound makes that at
 * most exp(-l (a - 1 - ln a)) = exp(-0.0567 l). Over the 2^32 places a run
 * can start and every l > 1024: 2^32 e^(-0.0567 * 1025) / (1 - e^-0.0567)
 * = 2^32 * 5.9e-26 * 18.2 < 5e-15 per table.
 *
 * MAX_SHARED: in a run of at most 1024 slots, 9 entries of another term's
 * 24-bit tag come by chance with probability at most
 * C(1024, 9) 2^(-24 * 9) < 2^-144 per probe. */
#define MAX_RUN 1024
#define MAX_SHARED 8

/* ======================================================== the vocabulary */


/* Vocabulary pool entry: u32 feature index, u32 length, bytes, NUL. */
#define VHEAD 8

void tci_vocab_free(tci_vocab *v) {
  if (!v) return;
  free(v->pool);
  free(v->off);
  free(v->df);
  free(v->idf);
  free(v->slots);
  free(v->filter);
  free(v);
}

/* Smallest power of two (>= 16) keeping n entries at most 70% full. */
static size_t table_size(size_t n) {
  size_t cap = 16;
  while (cap / 10 * 7 < n && cap <= SIZE_MAX / 4) cap *= 2;
  return cap;
}

/* The filter (see the caveat above): a Bloom filter of the terms' mixed
 * hashes in 64-bit blocks, FILTER_BITS to twice that many bits per term
 * (a power of two of blocks). A term's block comes from bits 32 and up of
 * its mixed hash; its bits in the block are two of the vocabulary's 256
 * patterns of three bits, picked by the hash's low two bytes: two loads,
 * where four bits each taken from the hash cost 19 instructions (2.7%
 * more per news4 article; they let 2.1% of absent terms through where
 * the patterns let 3.1%). */
#define FILTER_BITS 8

static size_t filter_blocks(size_t n) {
  size_t b = 1;
  while (b * (64 / FILTER_BITS) < n && b <= SIZE_MAX / 128) b *= 2;
  return b;
}

static void fill_filter_patterns(uint64_t *pattern) {
  size_t i;
  for (i = 0; i < 256; i++) {
    uint64_t h = tci_mix(i + 1);
    pattern[i] = (uint64_t)1 << (h & 63) | (uint64_t)1 << (h >> 6 & 63) | (uint64_t)1 << (h >> 12 & 63);
  }
}

/* The index is filled bucket by bucket, a bucket being 2^BUCKET_BITS
 * slots (32 KB): see index_terms. */
#define BUCKET_BITS 12

/* Fill the pool, offsets, df and idf in term order. */
static void fill_terms(tci_vocab *v, const tci_vterm *t) {
  double N = (double)v->n_docs, idf = 0;
  uint32_t last_df = 0; /* df is 1.. and usually runs in order: one log per distinct df */
  size_t i, pos = 0;
  for (i = 0; i < v->n; i++) {
    char *e = v->pool + pos;
    wr32(e, (uint32_t)(i + 1));
    wr32(e + 4, t[i].len);
    if (t[i].len) memcpy(e + VHEAD, t[i].p, t[i].len);
    e[VHEAD + t[i].len] = '\0';
    v->off[i] = pos + VHEAD;
    v->df[i] = t[i].df;
    if (t[i].df != last_df) {
      last_df = t[i].df;
      idf = log((1.0 + N) / (1.0 + (double)last_df)) + 1.0;
    }
    v->idf[i] = idf;
    pos += VHEAD + t[i].len + 1;
  }
}

/* More than MAX_RUN occupied slots in a row anywhere (a run may wrap past
 * the last slot)? Such a run covers a whole aligned block of RUN_BLOCK
 * slots, and by chance no block is full (a run of 512), so each block is
 * read only up to its first empty slot, a few slots at 35-70% load, and
 * only a full block has its run measured. At most about two reads per
 * slot even when every block is full. */
#define RUN_BLOCK (MAX_RUN / 2)

static int has_long_run(const uint64_t *slots, size_t mask) {
  size_t b, i, run;
  if (mask < MAX_RUN) return 0; /* 1024 slots or fewer, never full: runs of 1023 at most */
  for (b = 0; b <= mask; b += RUN_BLOCK) {
    for (i = 0; i < RUN_BLOCK && slots[b + i]; i++) {}
    if (i < RUN_BLOCK) continue;
    run = RUN_BLOCK;
    for (i = b; run <= MAX_RUN && slots[(i - 1) & mask]; i--) run++;
    for (i = b + RUN_BLOCK; run <= MAX_RUN && slots[i & mask]; i++) run++;
    if (run > MAX_RUN) return 1;
  }
  return 0;
}

typedef struct pending {
  uint64_t m;         /* mixed hash */
  size_t off;         /* offset of the term's pool entry */
} pending;

/* Index every term; TC_EFORMAT (diag names both) when one repeats an
 * earlier term. The table is far larger than the cache, so inserting in
 * term order would wait for a cache miss per term (measured: most of a
 * load's time). Instead the terms are counting-sorted by the bucket of
 * their home slot, stably, and inserted bucket by bucket, so the slots
 * being written stay in cache; each carries its pool offset, so nothing
 * else is read at random. Linear probing accepts any insertion order; a
 * term and its repeat share a home slot, so the later one (stable sort)
 * still finds the earlier. Bytes are compared only when a slot's tag
 * matches, which for distinct terms is rare (2^-24 per slot probed).
 * TC_EFORMAT too beyond MAX_SHARED or MAX_RUN: terms made to collide. */
static int index_terms(tci_vocab *v, const tci_vterm *t, tc_diag *diag) {
  size_t n = v->n, nb = ((v->mask + 1) >> BUCKET_BITS) + 1, i, k, j;
  size_t *at = calloc(nb + 1, sizeof *at);
  uint64_t *hm = malloc((n ? n : 1) * sizeof *hm), s;
  pending *order = malloc((n ? n : 1) * sizeof *order);
  int rc = TC_OK;
  if (!at || !hm || !order) {
    rc = tci_fail(diag, TC_ENOMEM, "vocabulary: out of memory");
    goto done;
  }
  for (i = 0; i < n; i++) {
    hm[i] = tci_mix(tci_term_hash(t[i].p, t[i].len));
    *tci_filter_block(v, hm[i]) |= tci_filter_bits(v, hm[i]);
    at[(((size_t)hm[i] & v->mask) >> BUCKET_BITS) + 1]++;
  }
  for (k = 1; k <= nb; k++) at[k] += at[k - 1];
  for (i = 0; i < n; i++) {
    pending *e = &order[at[((size_t)hm[i] & v->mask) >> BUCKET_BITS]++];
    e->m = hm[i];
    e->off = v->off[i] - VHEAD;
  }
  for (k = 0; k < n; k++) {
    uint64_t m = order[k].m;
    size_t home = (size_t)m & v->mask, shared = 0;
    for (j = home; (s = v->slots[j]) != 0; j = (j + 1) & v->mask) {
      /* the entries are read only on a tag match: a read per term, at
       * random in the pool, was half of building the index */
      if (SAME_TAG(s, m)) {
        const char *e = v->pool + order[k].off, *o = ENTRY(v->pool, s);
        uint32_t len = rd32(e + 4);
        if (rd32(o + 4) == len && memcmp(o + VHEAD, e + VHEAD, len) == 0) {
          rc = tci_fail(diag, TC_EFORMAT, "vocabulary: term %u repeats term %u", rd32(e), rd32(o));
          goto done;
        }
        if (++shared > MAX_SHARED) {
          rc = tci_fail(diag, TC_EFORMAT, "vocabulary: more than %d terms share a hash with term %u "
                        "(terms made to collide: a crafted model?)", MAX_SHARED, rd32(e));
          goto done;
        }
      }
    }
    if (((j - home) & v->mask) > MAX_RUN) goto crowded;
    v->slots[j] = SLOT(TAG(m), order[k].off);
  }
  if (has_long_run(v->slots, v->mask)) goto crowded;
done:
  free(at);
  free(hm);
  free(order);
  return rc;
crowded:
  rc = tci_fail(diag, TC_EFORMAT, "vocabulary: more than %d terms crowd one run of the hash index "
                "(terms made to collide: a crafted model?)", MAX_RUN);
  goto done;
}

int tci_vocab_build(const tci_vterm *t, size_t n, uint64_t n_docs, tci_vocab **out, tc_diag *diag) {
  size_t bytes = 0, cap, blocks, i;
  tci_vocab *v;
  int rc;
  *out = NULL;
  if (n > (size_t)INT32_MAX - 1)
    return tci_fail(diag, TC_ELIMIT, "vocabulary: %zu terms, more than 2^31-2", n);
  for (i = 0; i < n; i++) {
    if ((size_t)t[i].len + VHEAD + 1 > OFF_MASK - bytes)
      return tci_fail(diag, TC_ELIMIT, "vocabulary: terms of more than 2^40-1 bytes in all");
    bytes += (size_t)t[i].len + VHEAD + 1;
  }
  cap = table_size(n);
  blocks = filter_blocks(n);
  v = calloc(1, sizeof *v);
  if (!v) return tci_fail(diag, TC_ENOMEM, "vocabulary: out of memory");
  v->n = n;
  v->n_docs = n_docs;
  v->pool = tci_big_alloc(bytes);
  v->off = malloc((n ? n : 1) * sizeof *v->off);
  v->df = malloc((n ? n : 1) * sizeof *v->df);
  v->idf = tci_big_alloc((n ? n : 1) * sizeof *v->idf);
  v->slots = tci_big_calloc(cap, sizeof *v->slots);
  v->filter = calloc(blocks, sizeof *v->filter);
  if (!v->pool || !v->off || !v->df || !v->idf || !v->slots || !v->filter) {
    tci_vocab_free(v);
    return tci_fail(diag, TC_ENOMEM, "vocabulary: out of memory");
  }
  v->mask = cap - 1;
  v->filter_mask = blocks - 1;
  fill_filter_patterns(v->filter_pattern);
  fill_terms(v, t);
  if ((rc = index_terms(v, t, diag)) != TC_OK) {
    tci_vocab_free(v);
    return rc;
  }
  *out = v;
  return TC_OK;
}

const char *tci_vocab_term(const tci_vocab *v, size_t i, size_t *len) {
  const char *p = v->pool + v->off[i];
  *len = rd32(p - 4);
  return p;
}

/* t's bytes equal s[0..t->len)? Single words and word bigrams, most
 * lookups, are compared here without a call; the rest by tci_term_equal.
 * Always inline: GCC 12 made it a call (0.7% of a news4 article's
 * instructions in bench_predict). */
static TCI_ALWAYS_INLINE int term_is(const tci_term *t, const char *s) {
  if (t->kind == TCI_TERM_WORDS && t->n == 1) return tci_same_bytes(s, t->tok[0].text, t->len);
  if (t->kind == TCI_TERM_WORDS && t->n == 2) {
    size_t a = t->tok[0].len;
    return a + 1 + t->tok[1].len == t->len && tci_same_bytes(s, t->tok[0].text, a) && s[a] == ' ' &&
           tci_same_bytes(s + a + 1, t->tok[1].text, t->tok[1].len);
  }
  return tci_term_equal(t, s, t->len);
}

/* Is the pool entry at e the term t? */
static TCI_ALWAYS_INLINE int entry_is(const char *e, const tci_term *t) {
  return rd32(e + 4) == t->len && term_is(t, e + VHEAD);
}

/* Probe from slot m & mask for t; the feature index or 0. */
static TCI_ALWAYS_INLINE int find_from(const tci_vocab *v, const tci_term *t, uint64_t m) {
  size_t j = (size_t)m & v->mask;
  uint64_t s;
  while ((s = v->slots[j]) != 0) {
    if (SAME_TAG(s, m)) {
      const char *e = ENTRY(v->pool, s);
      if (entry_is(e, t)) return (int)rd32(e);
    }
    j = (j + 1) & v->mask;
  }
  return 0;
}

int tci_vocab_find(const tci_vocab *v, const tci_term *t) { return find_from(v, t, tci_mix(t->hash)); }

void tci_collect_init(tci_collector *c, const tci_vocab *v, int *ids) {
  c->v = v;
  c->ids = ids;
  c->n_ids = 0;
  c->n_batch = 0;
}

/* The first pass of a flush: the pool entry a batched term's home slot
 * points at, prefetched, when the slot's tag is the term's (its slot was
 * prefetched when it was batched); NULL otherwise. */
static TCI_ALWAYS_INLINE const char *home_entry(const uint64_t *slots, size_t mask, const char *pool, uint64_t m) {
  uint64_t s = slots[(size_t)m & mask];
  const char *e;
  if (!s || !SAME_TAG(s, m)) return NULL;
  e = ENTRY(pool, s);
  TCI_PREFETCH(e);
  return e;
}

/* The rest of a flush's lookup, for the few terms its home slot does not
 * answer: out of line, to keep the loop's registers. */
static TCI_NOINLINE int find_beyond_home(const tci_vocab *v, const tci_candidate *e) {
  return find_from(v, &e->t, e->m);
}

void tci_collect_flush(tci_collector *c) {
  const tci_vocab *v = c->v;
  const uint64_t *slots = v->slots;
  const char *pool = v->pool;
  const double *idf = v->idf;
  size_t mask = v->mask;
  int *ids = c->ids + c->n_ids;
  tci_candidate *e, *end = c->batch + c->n_batch;
  for (e = c->batch; e < end; e++) e->entry = home_entry(slots, mask, pool, e->m);
  for (e = c->batch; e < end; e++) {
    const char *h = e->entry;
    int id = h && entry_is(h, &e->t) ? (int)rd32(h) : find_beyond_home(v, e);
    if (id > 0) {
      TCI_PREFETCH(&idf[id - 1]);
      *ids++ = id;
    }
  }
  c->n_ids = (size_t)(ids - c->ids);
  c->n_batch = 0;
}

size_t tc_extractor_n_features(const tc_extractor *ex) {
  return ex && ex->vocab ? ex->vocab->n : 0;
}

const char *tc_extractor_feature_name(const tc_extractor *ex, int index, size_t *len) {
  const tci_vocab *v = ex ? ex->vocab : NULL;
  size_t n;
  const char *s;
  if (!v || index < 1 || (size_t)index > v->n) {
    if (len) *len = 0;
    return NULL;
  }
  s = tci_vocab_term(v, (size_t)index - 1, &n);
  if (len) *len = n;
  return s;
}

/* ======================================================== counting */

/* Counter pool entry: u32 df, u32 last document seen in (1-based), u32
 * length, bytes. Entries are contiguous, so the pool alone lists them. */
#define CHEAD 12

/* The counter's pipelined lookups: a term's slot is prefetched when it is
 * pushed, the pool entry its slot points at TCI_LAG pushes later, and it
 * is resolved TCI_LAG pushes after that. */
#define TCI_LAG 8

/* The counter's ring of terms in flight: a power of two > 2 * TCI_LAG,
 * as a push holds 2 * TCI_LAG + 1. */
#define TCI_RING 32

typedef struct counter {
  uint64_t *slots;    /* as the vocabulary's index */
  const char *flood;  /* why counting stopped (TC_EDATA), when texts were made to collide */
  size_t mask;        /* slot count - 1 */
  size_t n;           /* entries */
  char *pool;
  size_t pool_len, pool_cap;
  uint32_t doc;       /* current document, 1-based */
  tci_term ring[TCI_RING]; /* terms in flight (this document's): copies, resolved in order */
  uint64_t m[TCI_RING];
  size_t pushed, resolved;
} counter;

static void counter_free(counter *c) {
  free(c->slots);
  free(c->pool);
}

#define STRINGIFY(x) #x
#define STR(x) STRINGIFY(x)
#define CROWDED "training data: more than " STR(MAX_RUN) " terms crowd one place in the hash table " \
                "(texts made to collide?)"
#define SHARED "training data: more than " STR(MAX_SHARED) " terms share one hash (texts made to collide?)"

/* Put an entry at pool offset off in the first empty slot of its probe;
 * TC_EDATA (c->flood says why) if that passes more than MAX_RUN. */
static int place(counter *c, uint64_t *slots, size_t mask, uint64_t m, size_t off) {
  size_t home = (size_t)m & mask, j = home;
  while (slots[j]) j = (j + 1) & mask;
  if (((j - home) & mask) > MAX_RUN) {
    c->flood = CROWDED;
    return TC_EDATA;
  }
  slots[j] = SLOT(TAG(m), off);
  return TC_OK;
}

/* Double the slot table, re-placing entries by their recomputed hashes. */
static int rehash(counter *c) {
  size_t cap = (c->mask + 1) * 2, pos;
  uint64_t *slots;
  if (cap > SIZE_MAX / sizeof *slots / 2) return TC_ELIMIT;
  slots = calloc(cap, sizeof *slots);
  if (!slots) return TC_ENOMEM;
  for (pos = 0; pos < c->pool_len; pos += CHEAD + rd32(c->pool + pos + 8)) {
    uint64_t m = tci_mix(tci_term_hash(c->pool + pos + CHEAD, rd32(c->pool + pos + 8)));
    if (place(c, slots, cap - 1, m, pos) != TC_OK) {
      free(slots);
      return TC_EDATA;
    }
  }
  free(c->slots);
  c->slots = slots;
  c->mask = cap - 1;
  return TC_OK;
}

/* Make room for one more entry of `len` bytes. */
static int reserve_entry(counter *c, size_t len) {
  int rc;
  if (len > UINT32_MAX || len + CHEAD > OFF_MASK - c->pool_len) return TC_ELIMIT;
  if (c->n + 1 > (c->mask + 1) / 10 * 7 && (rc = rehash(c)) != TC_OK) return rc;
  if (len + CHEAD > c->pool_cap - c->pool_len) {
    size_t cap = c->pool_cap ? c->pool_cap : 65536;
    char *p;
    while (cap - c->pool_len < len + CHEAD) {
      if (cap > SIZE_MAX / 2) return TC_ELIMIT;
      cap *= 2;
    }
    if (!(p = realloc(c->pool, cap))) return TC_ENOMEM;
    c->pool = p;
    c->pool_cap = cap;
  }
  return TC_OK;
}

/* Count one term once per document: find its entry or add one. A found
 * entry lies no further than place() put it, so only place() checks
 * MAX_RUN. */
static int count_one(counter *c, const tci_term *t, uint64_t m) {
  size_t j = (size_t)m & c->mask, shared = 0;
  uint64_t s;
  char *e;
  int rc;
  while ((s = c->slots[j]) != 0) {
    if (SAME_TAG(s, m)) {
      e = ENTRY(c->pool, s);
      if (tci_term_equal(t, e + CHEAD, rd32(e + 8))) {
        if (rd32(e + 4) != c->doc) {
          wr32(e, rd32(e) + 1);
          wr32(e + 4, c->doc);
        }
        return 0;
      }
      if (++shared > MAX_SHARED) {
        c->flood = SHARED;
        return TC_EDATA;
      }
    }
    j = (j + 1) & c->mask;
  }
  if ((rc = reserve_entry(c, t->len)) != TC_OK) return rc;
  if ((rc = place(c, c->slots, c->mask, m, c->pool_len)) != TC_OK) return rc;
  e = c->pool + c->pool_len;
  wr32(e, 1);
  wr32(e + 4, c->doc);
  wr32(e + 8, (uint32_t)t->len);
  tci_term_copy(t, e + CHEAD);
  c->pool_len += CHEAD + t->len;
  c->n++;
  return 0;
}

/* The first two stages of the counter's pipelined lookup: queue t, whose
 * mixed hash is m, as push number `pushed` (0-based) in ring and mh,
 * prefetch its slot, and prefetch the pool entry of the term queued
 * TCI_LAG pushes earlier, whose slot has arrived by now. The caller
 * resolves the one queued 2 * TCI_LAG earlier. */
static TCI_ALWAYS_INLINE void stage(tci_term *ring, uint64_t *mh, size_t pushed, const uint64_t *slots, size_t mask,
                  const char *pool, const tci_term *t, uint64_t m) {
  size_t k = pushed & (TCI_RING - 1);
  ring[k] = *t;
  mh[k] = m;
  TCI_PREFETCH(&slots[(size_t)m & mask]);
  if (pushed >= TCI_LAG) {
    size_t j = (pushed - TCI_LAG) & (TCI_RING - 1);
    uint64_t s = slots[(size_t)mh[j] & mask];
    if (s && SAME_TAG(s, mh[j])) TCI_PREFETCH(ENTRY(pool, s));
  }
}

/* tci_terms_each visitor: the pipeline of a lookup, counting (in order,
 * so insertions stay deterministic). */
static int count_term(void *ud, const tci_term *t) {
  counter *c = ud;
  stage(c->ring, c->m, c->pushed++, c->slots, c->mask, c->pool, t, tci_mix(t->hash));
  if (c->pushed > 2 * TCI_LAG) {
    size_t r = c->resolved++ & (TCI_RING - 1);
    return count_one(c, &c->ring[r], c->m[r]);
  }
  return 0;
}

/* Count the terms still in flight: they point into the document's tokens,
 * so this runs before the next document is tokenised. */
static int drain(counter *c) {
  int rc;
  while (c->resolved < c->pushed) {
    size_t r = c->resolved++ & (TCI_RING - 1);
    if ((rc = count_one(c, &c->ring[r], c->m[r])) != TC_OK) return rc;
  }
  return TC_OK;
}

/* ======================================================== selection */

typedef struct survivor {
  uint64_t key;       /* the first 8 bytes, big-endian, zero-padded */
  tci_vterm t;
} survivor;

/* Descending df, then bytes ascending (a proper prefix first). The key
 * settles most ties without touching the pool, whose random accesses
 * would dominate the sort. */
static int by_df_then_bytes(const void *pa, const void *pb) {
  const survivor *a = pa, *b = pb;
  size_t n;
  int c;
  if (a->t.df != b->t.df) return a->t.df > b->t.df ? -1 : 1;
  if (a->key != b->key) return a->key < b->key ? -1 : 1;
  n = a->t.len < b->t.len ? a->t.len : b->t.len;
  c = n ? memcmp(a->t.p, b->t.p, n) : 0;
  if (c) return c;
  return a->t.len < b->t.len ? -1 : a->t.len > b->t.len;
}

/* Keep the entries passing min_df/max_df, order them, cut to max_features
 * and build the vocabulary. */
static int select_terms(counter *c, const tc_options *o, size_t n_docs, tci_vocab **out) {
  double max_count = o->max_df * (double)n_docs;
  uint32_t min_df = o->min_df > 1 ? (uint32_t)o->min_df : 1;
  size_t n = 0, pos, i, k;
  survivor *s;
  tci_vterm *t;
  int rc;
  /* count first: survivors are usually a small share of the terms seen */
  for (pos = 0; pos < c->pool_len; pos += CHEAD + rd32(c->pool + pos + 8)) {
    uint32_t df = rd32(c->pool + pos);
    if (df >= min_df && (double)df <= max_count) n++;
  }
  if (n == 0) return TC_EDATA;
  s = malloc(n * sizeof *s);
  if (!s) return TC_ENOMEM;
  n = 0;
  for (pos = 0; pos < c->pool_len;) {
    const char *e = c->pool + pos;
    uint32_t df = rd32(e), len = rd32(e + 8);
    pos += CHEAD + len;
    if (df < min_df || (double)df > max_count) continue;
    s[n].t.p = e + CHEAD;
    s[n].t.len = len;
    s[n].t.df = df;
    s[n].key = 0;
    for (k = 0; k < 8; k++) s[n].key = s[n].key << 8 | (k < len ? (unsigned char)e[CHEAD + k] : 0u);
    n++;
  }
  qsort(s, n, sizeof *s, by_df_then_bytes);
  if (o->max_features > 0 && n > (size_t)o->max_features) n = (size_t)o->max_features;
  t = malloc(n * sizeof *t);
  if (!t) {
    free(s);
    return TC_ENOMEM;
  }
  for (i = 0; i < n; i++) t[i] = s[i].t;
  free(s);
  rc = tci_vocab_build(t, n, n_docs, out, NULL);
  free(t);
  if (rc == TC_EFORMAT) { /* the counter has no repeats: terms made to collide */
    c->flood = "training data: terms made to collide in the vocabulary's hash index (crafted texts?)";
    rc = TC_EDATA;
  }
  return rc;
}

/* ======================================================== fitting */

int tc_extractor_fit(tc_extractor *ex, size_t n, const char *const *texts,
                     const size_t *lens, tc_progress_fn progress, void *ud) {
  return tci_extractor_fit(ex, n, texts, lens, progress, ud, NULL);
}

/* diag says why a fit failed once counting started. */
static int fit_failed(tc_diag *diag, int rc, const counter *c) {
  if (c->flood) return tci_fail(diag, rc, "%s", c->flood);
  if (rc == TC_EDATA) return tci_fail(diag, rc, "vocabulary: no term survives min_df/max_df/max_features");
  return tci_fail(diag, rc, "vocabulary: %s", tc_strerror(rc));
}

int tci_extractor_fit(tc_extractor *ex, size_t n, const char *const *texts, const size_t *lens,
                      tc_progress_fn progress, void *ud, tc_diag *diag) {
  counter *c;
  tc_workspace *ws = NULL;
  tci_vocab *v = NULL;
  tc_tokens toks;
  size_t i;
  int rc;
  if (!ex || (n && (!texts || !lens))) return TC_EINVAL;
  for (i = 0; i < n; i++)
    if (!texts[i] && lens[i]) return TC_EINVAL;
  if (n == 0) return tci_fail(diag, TC_EDATA, "training data: no documents");
  if (n > UINT32_MAX - 1) return tci_fail(diag, TC_ELIMIT, "vocabulary: %zu documents, more than 2^32-2", n);
  c = calloc(1, sizeof *c);
  if (!c) return tci_fail(diag, TC_ENOMEM, "vocabulary: out of memory");
  c->mask = 65535;
  c->slots = calloc(c->mask + 1, sizeof *c->slots);
  if (!c->slots) {
    free(c);
    return tci_fail(diag, TC_ENOMEM, "vocabulary: out of memory");
  }
  if ((rc = tc_workspace_new(&ws)) != TC_OK) goto done;
  for (i = 0; i < n; i++) {
    if (progress && i % PROGRESS_EVERY == 0 && progress(ud, "vocabulary", i, n)) {
      rc = TC_ECANCELED;
      goto done;
    }
    c->doc = (uint32_t)(i + 1);
    if ((rc = tc_extractor_tokenize(ex, ws, texts[i], lens[i], &toks)) != TC_OK ||
        (rc = tci_terms_each(ex, ws, &toks, count_term, c)) != TC_OK ||
        (rc = drain(c)) != TC_OK)
      goto done;
  }
  if (progress && progress(ud, "vocabulary", n, n)) {
    rc = TC_ECANCELED;
    goto done;
  }
  if ((rc = select_terms(c, &ex->opt, n, &v)) != TC_OK) goto done;
  tci_vocab_free(ex->vocab);
  ex->vocab = v;
done:
  if (rc) fit_failed(diag, rc, c);
  tc_workspace_free(ws);
  counter_free(c);
  free(c);
  return rc;
}
