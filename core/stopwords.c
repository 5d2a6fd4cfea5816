/*
 * stopwords.c - the built-in English stop word list and compiled stop sets.
 *
 * Caveats:
 *  - The English list holds function words: articles, pronouns,
 *    prepositions, conjunctions, auxiliaries, their contractions and the
 *    fragments a tokeniser leaves of contractions ("s", "t", "ll", ...).
 *    It deliberately keeps words with a frequent topical homograph once
 *    case is folded: "us" (the U.S.), "may" (the month, Theresa May),
 *    "new", "said". Topic words are left for TF-IDF to weigh.
 *  - Every word of a set is put through the tokeniser with the extractor's
 *    options (so custom words are normalised exactly as text is: "Straße"
 *    matches "STRASSE"); a word that does not come out as exactly one token
 *    can never match a token and is rejected.
 *  - The set is a sorted array (stable order for serialisation) plus two
 *    open-addressing hash indexes, as the lookup runs once per token: words
 *    of up to 8 bytes packed into one integer each (one multiply to hash,
 *    one compare per probe), and the longer ones (only they are in
 *    `slots`) by a packed hash up to 16 bytes, FNV-1a beyond. Both tables
 *    are at most 1/8 full, so a miss nearly always ends at its first slot.
 *  - Hash flooding: custom words come from model files of unknown origin,
 *    and the hashes are public, so words can be chosen to share a slot
 *    (160,000 of them took 6.9 s to index, and made every token that hashed
 *    near them walk the cluster). No run of occupied slots may be longer
 *    than MAX_RUN: such a set is refused, whatever built it (vocab.c has
 *    the same rule for terms, with the arithmetic).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const english[] = {
  "a", "about", "above", "after", "again", "against", "all", "almost", "along",
  "already", "also", "although", "am", "among", "an", "and", "another", "any",
  "anyone", "anything", "are", "aren't", "around", "as", "at", "be", "became",
  "because", "become", "been", "before", "being", "below", "between", "both",
  "but", "by", "can", "can't", "cannot", "could", "couldn't", "d", "did",
  "didn't", "do", "does", "doesn't", "doing", "don't", "done", "down",
  "during", "e.g", "each", "either", "else", "enough", "etc", "even", "ever", "every",
  "few", "for", "from", "further", "had", "hadn't", "has", "hasn't", "have",
  "haven't", "having", "he", "he'd", "he'll", "hence", "her", "here", "hers",
  "herself", "him", "himself", "his", "how", "however", "i", "i'd", "i'll",
  "i'm", "i've", "i.e", "if", "in", "into", "is", "isn't", "it", "it'll",
  "its", "itself", "just", "let", "ll", "m", "many", "me", "might",
  "mightn't", "more", "most", "much", "must", "mustn't", "my", "myself",
  "neither", "no", "nor", "not", "now", "of", "off", "often", "on", "once",
  "only", "onto", "or", "other", "others", "otherwise", "ought",
  "our", "ours", "ourselves", "out", "over", "own", "per", "perhaps",
  "quite", "rather", "re", "s", "same", "shall", "shan't", "she", "she'd",
  "she'll", "should", "shouldn't", "since", "so", "some", "somehow",
  "something", "such", "t", "than", "that", "that'll", "the", "their",
  "theirs", "them", "themselves", "then", "there", "therefore", "these",
  "they", "they'd", "they'll", "they're", "they've", "this", "those",
  "though", "through", "throughout", "thus", "to", "too", "toward",
  "towards", "under", "unless", "until", "up", "upon", "ve", "very", "via",
  "was", "wasn't", "we", "we'd", "we'll", "we're", "we've", "were",
  "weren't", "what", "whatever", "when", "whenever", "where", "whereas",
  "wherever", "whether", "which", "while", "who", "whoever", "whom", "whose",
  "why", "will", "with", "within", "without", "won't", "would", "wouldn't",
  "yet", "you", "you'd", "you'll", "you're", "you've", "your", "yours",
  "yourself", "yourselves",
  NULL
};

const char *const *tc_stopwords_english(void) { return english; }

/* Words of up to 8 bytes (nearly every token) are looked up as one packed
 * integer in keys8; longer ones by FNV-1a in slots. */
static uint64_t pack8(const char *w, size_t n) {
  uint64_t k = 0;
  size_t i;
  for (i = 0; i < n; i++) k |= (uint64_t)(unsigned char)w[i] << (8 * i);
  return k;
}

static size_t fnv1a(const char *w, size_t n) {
  uint64_t h = 14695981039346656037ull;
  size_t i;
  for (i = 0; i < n; i++) h = (h ^ (unsigned char)w[i]) * 1099511628211ull;
  return (size_t)(h >> 32);
}

/* Index hash of a word longer than 8 bytes. A word of 9 to 16 bytes (most
 * long stop words and tokens) is its first 8 and its last 8 bytes (they
 * overlap), read as two integers and mixed with two multiplies instead of
 * FNV-1a's multiply per byte; the lookup compares the whole word anyway. */
static size_t long_hash(const char *w, size_t n) {
  if (n <= 16) {
    uint64_t lo, hi;
    memcpy(&lo, w, 8);
    memcpy(&hi, w + n - 8, 8);
    return (size_t)(((lo ^ (hi * 0x9E3779B97F4A7C15ull)) * 0xC2B2AE3D27D4EB4Full) >> 32);
  }
  return fnv1a(w, n);
}

/* The longest run of occupied slots a set may have. The tables are at
 * most 1/8 full; with hashes modelled as random, a run of l slots needs l
 * words homed in them, a mean of at most l/8, which the Chernoff bound
 * makes at most exp(-l (1/8 - 1 - ln 1/8)) = exp(-1.204 l): over the at
 * most 2^24 places a run can start (1,000,000 words, 2^23 slots) and every
 * l > 64, 2^24 e^(-1.204 * 65) / (1 - e^-1.204) < 2e-27 per set. */
#define MAX_RUN 64

typedef struct word {
  char *p;
  size_t n;
} word;

static int word_cmp(const void *a, const void *b) {
  const word *x = a, *y = b;
  size_t n = x->n < y->n ? x->n : y->n;
  int c = memcmp(x->p, y->p, n);
  if (c) return c;
  return (x->n > y->n) - (x->n < y->n);
}

void tci_stopset_free(tci_stopset *s) {
  size_t i;
  if (!s) return;
  for (i = 0; i < s->n; i++) free(s->words[i]);
  free(s->words);
  free(s->lens);
  free(s->slots);
  free(s->keys8);
  for (i = 0; i < s->n_given; i++) free(s->given[i]);
  free(s->given);
  memset(s, 0, sizeof *s);
}

/* The longest run of non-zero entries in a table of mask + 1 slots,
 * counted around the end (probes wrap). */
#define LONGEST_RUN(table, mask, out)                                       \
  do {                                                                      \
    size_t i_, run_ = 0, best_ = 0;                                         \
    for (i_ = 0; i_ <= 2 * (mask) + 1; i_++) {                              \
      run_ = (table)[i_ & (mask)] ? run_ + 1 : 0;                           \
      if (run_ > best_) best_ = run_;                                       \
    }                                                                       \
    (out) = best_;                                                          \
  } while (0)

/* Sort w[0..n) and free the repeats; returns how many distinct words are
 * left at the front. */
static size_t sort_unique(word *w, size_t n) {
  size_t i, k = 0;
  qsort(w, n, sizeof *w, word_cmp);
  for (i = 0; i < n; i++) {
    if (k > 0 && word_cmp(&w[k - 1], &w[i]) == 0) {
      free(w[i].p);
      continue;
    }
    w[k++] = w[i];
  }
  return k;
}

/* Put every word of s in its hash index (keys8 for words of up to 8
 * bytes, slots for the longer ones); 0 when a probe or a run of either
 * table passes MAX_RUN. */
static int index_words(tci_stopset *s) {
  size_t i, run, run8;
  for (i = 0; i < s->n; i++) {
    const char *p = s->words[i];
    size_t n = s->lens[i], h, probes = 0;
    if (n > 8) {
      h = long_hash(p, n) & s->mask;
      while (s->slots[h] && ++probes <= MAX_RUN) h = (h + 1) & s->mask;
      if (probes > MAX_RUN) return 0;
      s->slots[h] = (uint32_t)(i + 1);
    } else {
      uint64_t key = pack8(p, n);
      h = TCI_STOP_SLOT(key, s->mask8);
      while (s->keys8[h] && ++probes <= MAX_RUN) h = (h + 1) & s->mask8;
      if (probes > MAX_RUN) return 0;
      s->keys8[h] = key;
    }
  }
  LONGEST_RUN(s->slots, s->mask, run);
  LONGEST_RUN(s->keys8, s->mask8, run8);
  return run <= MAX_RUN && run8 <= MAX_RUN;
}

/* Sort, drop duplicates and index the n words of w (taking their storage).
 * TC_EINVAL (diag says why) when the words crowd the index (MAX_RUN). */
static int finish(tci_stopset *s, word *w, size_t n, tc_diag *diag) {
  size_t i, k = sort_unique(w, n), n_long = 0, slots = 8, slots8 = 8;
  s->words = malloc((k ? k : 1) * sizeof *s->words);
  s->lens = malloc((k ? k : 1) * sizeof *s->lens);
  for (i = 0; i < k; i++) n_long += w[i].n > 8;
  while (slots < 8 * n_long) slots *= 2; /* only words of more than 8 bytes, sparse too */
  while (slots8 < 8 * k) slots8 *= 2; /* sparse: a miss mostly ends at the first slot */
  s->slots = calloc(slots, sizeof *s->slots);
  s->keys8 = calloc(slots8, sizeof *s->keys8);
  if (!s->words || !s->lens || !s->slots || !s->keys8) {
    for (i = 0; i < k; i++) free(w[i].p);
    free(s->words);
    free(s->lens);
    free(s->slots);
    free(s->keys8);
    memset(s, 0, sizeof *s);
    return tci_fail(diag, TC_ENOMEM, "stopwords: out of memory");
  }
  s->n = k;
  s->mask = slots - 1;
  s->mask8 = slots8 - 1;
  s->max_len = 0;
  for (i = 0; i < k; i++) {
    s->words[i] = w[i].p;
    s->lens[i] = w[i].n;
    if (w[i].n > s->max_len) s->max_len = w[i].n;
  }
  if (index_words(s)) return TC_OK;
  tci_stopset_free(s);
  return tci_fail(diag, TC_EINVAL,
                  "stopwords: more than %d words crowd one run of the hash index "
                  "(words made to collide)", MAX_RUN);
}

/* Copy the caller's words: the extractor's options point at the copies. */
static int keep_given(tci_stopset *s, const char *const *list, size_t n) {
  size_t i;
  s->given = calloc(n, sizeof *s->given);
  if (!s->given) return TC_ENOMEM;
  s->n_given = n;
  for (i = 0; i < n; i++)
    if (!(s->given[i] = strdup(list[i]))) return TC_ENOMEM;
  return TC_OK;
}

/* *w: a copy of the one token that the stop word `text` (number i in
 * messages, 1-based) makes under opt. */
static int stop_token(const tc_options *opt, tc_workspace *ws, const char *text, size_t i, word *w,
                      tc_diag *diag) {
  tc_tokens t;
  int rc;
  if (!text) return tci_fail(diag, TC_EINVAL, "stopwords: word %zu is NULL", i);
  if (!tci_utf8_valid(text, strlen(text)))
    return tci_fail(diag, TC_EINVAL, "stopwords: word %zu is not valid UTF-8", i);
  rc = tci_tokenize(opt, NULL, ws, text, strlen(text), TCI_TEXT_NO_BOILERPLATE, &t);
  if (rc) return tci_fail(diag, rc, "stopwords: word %zu: %s", i, tc_strerror(rc));
  if (t.n != 1)
    return tci_fail(diag, TC_EINVAL, "stopwords: word %zu (\"%.40s\") makes %zu tokens, not one", i,
                    text, t.n);
  w->n = t.tok[0].len;
  w->p = malloc(w->n + 1);
  if (!w->p) return tci_fail(diag, TC_ENOMEM, "stopwords: out of memory");
  memcpy(w->p, t.tok[0].text, w->n);
  w->p[w->n] = '\0';
  return TC_OK;
}

int tci_stopset_build(tci_stopset *s, const tc_options *o, tc_workspace *ws, tc_diag *diag) {
  const char *const *list;
  size_t n, i;
  tc_options opt = *o;
  word *w;
  int rc = TC_OK;
  memset(s, 0, sizeof *s);
  if (o->stopword_mode == TC_STOPWORDS_NONE) return TC_OK;
  if (o->stopword_mode == TC_STOPWORDS_ENGLISH) {
    list = english;
    for (n = 0; list[n]; n++) {}
  } else {
    list = o->stopwords;
    n = o->n_stopwords;
  }
  if (n == 0) return TC_OK;
  if (n > UINT32_MAX - 1) return tci_fail(diag, TC_ELIMIT, "stopwords: %zu words, more than 2^32-2", n);
  opt.strip_boilerplate = 0;
  opt.stem = TC_STEM_NONE; /* stop words are matched before stemming */
  w = malloc(n * sizeof *w);
  if (!w) return tci_fail(diag, TC_ENOMEM, "stopwords: out of memory");
  for (i = 0; i < n; i++)
    if ((rc = stop_token(&opt, ws, list[i], i + 1, &w[i], diag)) != TC_OK) break;
  if (rc == TC_OK) {
    rc = finish(s, w, n, diag);
    if (rc == TC_OK && o->stopword_mode == TC_STOPWORDS_CUSTOM &&
        (rc = keep_given(s, list, n)) != TC_OK) {
      tci_stopset_free(s);
      tci_fail(diag, rc, "stopwords: out of memory");
    }
  } else {
    while (i > 0) free(w[--i].p);
  }
  free(w);
  return rc;
}

int tci_stopset_has(const tci_stopset *s, const char *w, size_t n) {
  size_t h;
  if (s->n == 0 || n > s->max_len || n == 0) return 0;
  if (n <= 8) {
    uint64_t key = pack8(w, n), k;
    for (h = TCI_STOP_SLOT(key, s->mask8); (k = s->keys8[h]) != 0; h = (h + 1) & s->mask8)
      if (k == key) return 1;
    return 0;
  }
  for (h = long_hash(w, n) & s->mask;; h = (h + 1) & s->mask) {
    uint32_t k = s->slots[h];
    if (k == 0) return 0;
    if (s->lens[k - 1] == n && memcmp(s->words[k - 1], w, n) == 0) return 1;
  }
}
