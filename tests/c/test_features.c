/* test_features.c - terms, vocabulary fitting and TF-IDF vectors.
 *
 * Expected values are computed here independently of the library's hash
 * index: terms come from the public string enumeration (or are written out
 * by hand), idf and L2 norms from the formulas in textclass.h.
 * Serialisation is tested in test_features_io.c. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "check.h"
#include "features_fixture.h"
#include "internal.h"
#include "oom.h"

/* ======================================================== helpers */

/* Options with no stop words and min_df 1, so tiny corpora keep terms. */
static tc_options opts(int wmin, int wmax, int cmin, int cmax) {
  tc_options o;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_NONE;
  o.word_ngram_min = wmin;
  o.word_ngram_max = wmax;
  o.char_ngram_min = cmin;
  o.char_ngram_max = cmax;
  o.min_df = 1;
  return o;
}

static tc_extractor *make(const tc_options *o) {
  tc_extractor *ex = NULL;
  tc_diag d;
  int rc = tc_extractor_new(o, &ex, &d);
  if (rc != TC_OK) fprintf(stderr, "tc_extractor_new: %s\n", d.message);
  return ex;
}

/* Terms collected as one string, each followed by '|'. */
typedef struct collect {
  char buf[4096];
  size_t len;
  int count, stop_after;
} collect;

static int collect_term(void *ud, const char *term, size_t len) {
  collect *c = ud;
  if (c->len + len + 1 < sizeof c->buf) {
    memcpy(c->buf + c->len, term, len);
    c->len += len;
    c->buf[c->len++] = '|';
    c->buf[c->len] = '\0';
  }
  c->count++;
  return c->stop_after && c->count >= c->stop_after;
}

static const char *terms_of(const tc_extractor *ex, tc_workspace *ws, const char *text, collect *c) {
  memset(c, 0, sizeof *c);
  CHECK_OK(tc_extractor_terms(ex, ws, text, strlen(text), collect_term, c));
  return c->buf;
}

/* tci_terms_each visitor: every description must agree with its bytes. */
typedef struct verify {
  collect c;
  int bad;
} verify;

static int verify_term(void *ud, const tci_term *t) {
  verify *v = ud;
  char buf[512], other[512];
  size_t k;
  if (t->len >= sizeof buf) { v->bad++; return 1; }
  tci_term_copy(t, buf);
  if (t->hash != tci_term_hash(buf, t->len)) v->bad++;
  if (!tci_term_equal(t, buf, t->len)) v->bad++;
  for (k = 0; k < t->len; k++) { /* any one byte off: must not be equal */
    memcpy(other, buf, t->len);
    other[k] ^= 1;
    if (tci_term_equal(t, other, t->len)) v->bad++;
  }
  if (t->len > 1 && tci_term_equal(t, buf, t->len - 1)) v->bad++;
  collect_term(&v->c, buf, t->len);
  return 0;
}

/* Tokens given by hand, the first n_title of them the title's, so
 * enumeration is tested apart from tokenising. */
static const char *each_titled(const tc_extractor *ex, tc_workspace *ws, const char *const *words,
                               size_t n, size_t n_title, verify *v) {
  tc_token tok[16];
  tc_tokens toks;
  size_t i;
  memset(v, 0, sizeof *v);
  for (i = 0; i < n; i++) {
    tok[i].text = words[i];
    tok[i].len = strlen(words[i]);
  }
  toks.tok = tok;
  toks.n = n;
  toks.n_invalid = 0;
  toks.n_title = n_title;
  CHECK_OK(tci_terms_each(ex, ws, &toks, verify_term, v));
  CHECK_EQ_INT(v->bad, 0);
  CHECK(tci_terms_bound(ex, &toks) >= (size_t)v->c.count);
  return v->c.buf;
}

static const char *each_of(const tc_extractor *ex, tc_workspace *ws, const char *const *words,
                           size_t n, verify *v) {
  return each_titled(ex, ws, words, n, 0, v);
}

/* ======================================================== terms */

TEST(word_ngrams_1_to_3) {
  tc_options o = opts(1, 3, 0, 0);
  tc_extractor *ex = make(&o);
  tc_workspace *ws = NULL;
  const char *w[] = {"a", "bb", "c", "dd"};
  verify v;
  CHECK_OK(tc_workspace_new(&ws));
  CHECK_EQ_STR(each_of(ex, ws, w, 4, &v), "a|a bb|a bb c|bb|bb c|bb c dd|c|c dd|dd|");
  CHECK_EQ_STR(each_of(ex, ws, w, 1, &v), "a|");
  CHECK_EQ_STR(each_of(ex, ws, w, 0, &v), "");
  tc_extractor_free(ex);
  o = opts(2, 3, 0, 0);
  ex = make(&o);
  CHECK_EQ_STR(each_of(ex, ws, w, 4, &v), "a bb|a bb c|bb c|bb c dd|c dd|");
  CHECK_EQ_STR(each_of(ex, ws, w, 1, &v), "");
  tc_extractor_free(ex);
  o = opts(3, 3, 0, 0);
  ex = make(&o);
  CHECK_EQ_STR(each_of(ex, ws, w, 4, &v), "a bb c|bb c dd|");
  tc_extractor_free(ex);
  tc_workspace_free(ws);
}

/* With title_terms, the word n-grams inside the title come again as "#t "
 * terms, right after each title token's own n-grams (verify_term checks
 * every described hash and comparison against the bytes). */
TEST(title_terms) {
  tc_options o = opts(1, 2, 0, 0);
  tc_extractor *ex;
  tc_workspace *ws = NULL;
  const char *w[] = {"a", "bb", "c", "dd"};
  char longw[101];
  const char *lw[3];
  collect c;
  verify v;
  CHECK_OK(tc_workspace_new(&ws));
  o.title_terms = 1;
  ex = make(&o);
  CHECK_EQ_STR(each_titled(ex, ws, w, 4, 2, &v), "a|a bb|#t a|#t a bb|bb|bb c|#t bb|c|c dd|dd|");
  CHECK_EQ_STR(each_titled(ex, ws, w, 4, 4, &v),
               "a|a bb|#t a|#t a bb|bb|bb c|#t bb|#t bb c|c|c dd|#t c|#t c dd|dd|#t dd|");
  CHECK_EQ_STR(each_titled(ex, ws, w, 4, 0, &v), "a|a bb|bb|bb c|c|c dd|dd|");
  /* tokens longer than the table of powers of the hash base (64 bytes) */
  memset(longw, 'q', 100);
  longw[100] = '\0';
  lw[0] = longw;
  lw[1] = longw + 30; /* 70 bytes */
  lw[2] = "x";
  each_titled(ex, ws, lw, 3, 3, &v);
  CHECK_EQ_INT(v.bad, 0);
  CHECK_EQ_INT(v.c.count, 10);
  /* from text: the title ends at the first blank line, spaces allowed on it */
  CHECK_EQ_STR(terms_of(ex, ws, "Cyber attack\n\nAttack hits banks", &c),
               "cyber|cyber attack|#t cyber|#t cyber attack|attack|attack attack|#t attack|"
               "attack|attack hits|hits|hits banks|banks|");
  CHECK_EQ_STR(terms_of(ex, ws, "Cyber\n \t\r\nbanks", &c), "cyber|cyber banks|#t cyber|banks|");
  CHECK_EQ_STR(terms_of(ex, ws, "Cyber\nbanks", &c), "cyber|cyber banks|banks|"); /* no blank line */
  CHECK_EQ_STR(terms_of(ex, ws, "Cyber\n \n", &c), "cyber|#t cyber|");
  CHECK_EQ_STR(terms_of(ex, ws, "Cyber\n  ", &c), "cyber|");
  CHECK_EQ_STR(terms_of(ex, ws, "\n\nbanks", &c), "banks|"); /* an empty title */
  tc_extractor_free(ex);
  /* stop words are not in the title's terms either; bigrams only (2..2) */
  o = opts(2, 2, 0, 0);
  o.title_terms = 1;
  o.stopword_mode = TC_STOPWORDS_ENGLISH;
  ex = make(&o);
  CHECK_EQ_STR(terms_of(ex, ws, "The cat on the mat\n\nsat", &c), "cat mat|#t cat mat|mat sat|");
  tc_extractor_free(ex);
  /* title terms need word n-grams */
  o = opts(0, 0, 3, 3);
  o.title_terms = 1;
  CHECK(tc_options_check(&o) != NULL && strstr(tc_options_check(&o), "title_terms") != NULL);
  o.title_terms = 2;
  o.word_ngram_min = o.word_ngram_max = 1;
  CHECK(tc_options_check(&o) != NULL && strstr(tc_options_check(&o), "title_terms") != NULL);
  tc_workspace_free(ws);
}

/* tci_term_equal compares by words of 8 and 4 bytes, the last one
 * overlapping: every length up to a few words, and a difference at every
 * position (verify_term flips each byte), in words, bigrams and character
 * n-grams. */
/* Under both walks of terms.c: the general one (character n-grams on)
 * and word_pairs (word n-grams of at most 2 tokens alone). */
TEST(term_equal_sees_every_byte) {
  tc_options walks[2];
  tc_workspace *ws = NULL;
  char words[2][24][25], longw[200];
  const char *w[16];
  size_t len, k, walk;
  verify v;
  walks[0] = opts(1, 2, 1, 10);
  walks[1] = opts(1, 2, 0, 0);
  CHECK_OK(tc_workspace_new(&ws));
  for (len = 1; len <= 24; len++)
    for (k = 0; k < 2; k++) {
      memset(words[k][len - 1], 0, 25);
      memset(words[k][len - 1], 'a' + (int)k, len);
    }
  memset(longw, 'q', sizeof longw - 1);
  longw[sizeof longw - 1] = '\0';
  for (walk = 0; walk < 2; walk++) {
    tc_extractor *ex = make(&walks[walk]);
    for (len = 1; len <= 24; len++) {
      w[0] = words[0][len - 1];
      w[1] = words[1][len - 1];
      w[2] = words[0][24 - len];
      each_of(ex, ws, w, 3, &v);
      CHECK_EQ_INT(v.bad, 0);
    }
    /* long tokens, of every length modulo the hash's 4-byte steps */
    w[0] = words[0][2];
    w[1] = longw + 100; /* 99 bytes */
    w[2] = longw + 135; /* 64 bytes */
    w[3] = longw + 136; /* 63 bytes */
    w[4] = longw + 137; /* 62 bytes */
    each_of(ex, ws, w, 5, &v);
    CHECK_EQ_INT(v.bad, 0);
    tc_extractor_free(ex);
  }
  tc_workspace_free(ws);
}

/* s, terms each ended by '|', less its character n-grams ("#c "), in out. */
static const char *without_char_ngrams(const char *s, char *out) {
  char *o = out;
  while (*s) {
    const char *end = strchr(s, '|') + 1;
    if (strncmp(s, "#c ", 3) != 0) {
      memcpy(o, s, (size_t)(end - s));
      o += end - s;
    }
    s = end;
  }
  *o = '\0';
  return out;
}

/* Word n-grams of at most 2 tokens, without title terms or character
 * n-grams (the default), take a walk of their own (terms.c, word_pairs):
 * it gives the terms the general walk gives, in the same order, the
 * general one run with character n-grams besides. Empty tokens (which no
 * text stage makes) end pairs; single characters of unspaced scripts
 * (Han, Thai) give joined bigrams, "x" between them does not. */
TEST(pair_walk_gives_the_general_walks_terms) {
  static const int range[][2] = {{1, 1}, {1, 2}, {2, 2}};
  static const char *const latin[] = {"a", "bb", "", "c", "dd"};
  static const char *const unspaced[] = {"\xe4\xb8\xad", "\xe5\x9b\xbd", "x", "\xe4\xba\xba", "",
                                         "\xe0\xb8\x81", "\xe0\xb8\x82", "\xe0\xb8\x83"};
  static const char *const edges[] = {"", "", "abcde", "\xe4\xb8\xad", "abcdefghijklmnopqrstuvwxyz", ""};
  static const struct { const char *const *w; size_t n; } lists[] = {
      {latin, 5}, {unspaced, 8}, {edges, 6}, {latin + 3, 1}};
  tc_workspace *ws = NULL;
  size_t r, l;
  char general[4096];
  verify v;
  CHECK_OK(tc_workspace_new(&ws));
  for (r = 0; r < sizeof range / sizeof range[0]; r++) {
    tc_options pairs_o = opts(range[r][0], range[r][1], 0, 0);
    tc_options general_o = opts(range[r][0], range[r][1], 1, 1);
    tc_extractor *pairs = make(&pairs_o), *gen = make(&general_o);
    for (l = 0; l < sizeof lists / sizeof lists[0]; l++) {
      without_char_ngrams(each_of(gen, ws, lists[l].w, lists[l].n, &v), general);
      CHECK_EQ_STR(each_of(pairs, ws, lists[l].w, lists[l].n, &v), general);
    }
    if (range[r][1] == 2) /* and what they are */
      CHECK_EQ_STR(each_of(pairs, ws, latin, 5, &v), range[r][0] == 1 ? "a|a bb|bb|c|c dd|dd|" : "a bb|c dd|");
    tc_extractor_free(pairs);
    tc_extractor_free(gen);
  }
  tc_workspace_free(ws);
}

TEST(public_terms_after_stop_words) {
  tc_options o = opts(1, 2, 0, 0);
  tc_extractor *ex;
  tc_workspace *ws = NULL;
  collect c;
  o.stopword_mode = TC_STOPWORDS_ENGLISH;
  ex = make(&o);
  CHECK_OK(tc_workspace_new(&ws));
  /* "the" and "on" go before n-grams are formed, so "sat mat" is a bigram */
  CHECK_EQ_STR(terms_of(ex, ws, "The cat sat on the MAT.", &c), "cat|cat sat|sat|sat mat|mat|");
  CHECK_EQ_STR(terms_of(ex, ws, "", &c), "");
  CHECK_EQ_STR(terms_of(ex, ws, "the of and", &c), "");
  /* stopping early is not an error */
  memset(&c, 0, sizeof c);
  c.stop_after = 2;
  CHECK_OK(tc_extractor_terms(ex, ws, "cat sat mat", 11, collect_term, &c));
  CHECK_EQ_INT(c.count, 2);
  CHECK_EQ_INT(tc_extractor_terms(ex, ws, NULL, 3, collect_term, &c), TC_EINVAL);
  CHECK_EQ_INT(tc_extractor_terms(ex, ws, "x", 1, NULL, &c), TC_EINVAL);
  tc_extractor_free(ex);
  tc_workspace_free(ws);
}

TEST(char_ngrams_count_code_points) {
  tc_options o = opts(0, 0, 3, 3);
  tc_extractor *ex = make(&o);
  tc_workspace *ws = NULL;
  const char *w1[] = {"a\xc3\xb1" "b"};   /* a n-tilde b: 3 code points, 4 bytes */
  const char *w2[] = {"\xc3\xa9"};        /* e-acute: padded, 3 code points */
  const char *w3[] = {"ab", "\xe4\xb8\xad"};
  verify v;
  CHECK_OK(tc_workspace_new(&ws));
  CHECK_EQ_STR(each_of(ex, ws, w1, 1, &v), "#c  a\xc3\xb1|#c a\xc3\xb1" "b|#c \xc3\xb1" "b |");
  CHECK_EQ_STR(each_of(ex, ws, w2, 1, &v), "#c  \xc3\xa9 |");
  tc_extractor_free(ex);
  /* 3..5 on a 2-letter token: windows of 3, then the whole padded token
   * once (as scikit-learn's char_wb); length 5 adds nothing */
  o = opts(0, 0, 3, 5);
  ex = make(&o);
  CHECK_EQ_STR(each_of(ex, ws, w3, 2, &v),
               "#c  ab|#c ab |#c  ab |#c  \xe4\xb8\xad |");
  tc_extractor_free(ex);
  /* 1..2 with words: words first, then the token's character n-grams */
  o = opts(1, 1, 1, 2);
  ex = make(&o);
  CHECK_EQ_STR(each_of(ex, ws, w3, 1, &v), "ab|#c  |#c a|#c b|#c  |#c  a|#c ab|#c b |");
  tc_extractor_free(ex);
  tc_workspace_free(ws);
}

TEST(unspaced_scripts_get_joined_bigrams) {
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *ex = make(&o);
  tc_workspace *ws = NULL;
  collect c;
  CHECK_OK(tc_workspace_new(&ws));
  /* 中国人 then a Latin word: each Han character is a token; adjacent
   * ones are also joined without a space */
  CHECK_EQ_STR(terms_of(ex, ws, "\xe4\xb8\xad\xe5\x9b\xbd\xe4\xba\xba news", &c),
               "\xe4\xb8\xad|\xe4\xb8\xad\xe5\x9b\xbd|\xe5\x9b\xbd|\xe5\x9b\xbd\xe4\xba\xba|"
               "\xe4\xba\xba|news|");
  /* Thai: two characters */
  CHECK_EQ_STR(terms_of(ex, ws, "\xe0\xb8\x81\xe0\xb8\x82", &c),
               "\xe0\xb8\x81|\xe0\xb8\x81\xe0\xb8\x82|\xe0\xb8\x82|");
  tc_extractor_free(ex);
  /* with word bigrams too, both spellings appear (different bytes) */
  o = opts(1, 2, 0, 0);
  ex = make(&o);
  CHECK_EQ_STR(terms_of(ex, ws, "\xe4\xb8\xad\xe5\x9b\xbd", &c),
               "\xe4\xb8\xad|\xe4\xb8\xad \xe5\x9b\xbd|\xe4\xb8\xad\xe5\x9b\xbd|\xe5\x9b\xbd|");
  tc_extractor_free(ex);
  tc_workspace_free(ws);
}

TEST(hash_composes_piecewise) {
  /* the identity the iterator relies on: H(x y) = H(x) * B^|y| + H(y) */
  CHECK(tci_term_hash("ab cd", 5) != tci_term_hash("abcd", 4));
  CHECK(tci_term_hash("\0a", 2) != tci_term_hash("a", 1));
  CHECK(tci_term_hash("", 0) == 0);
  {
    /* the definition H(s c) = H(s) * B + c + 1 on every prefix of a random
     * string (the hash takes four bytes per step: the remainders and every
     * alignment must agree), and the composition for every split */
    unsigned char s[64];
    uint64_t base = tci_term_hash("\0\0", 2) - 1, rng = 12345, pw;
    size_t i, k, bad = 0;
    CHECK(tci_term_hash("\0", 1) == 1);
    for (i = 0; i < sizeof s; i++) s[i] = (unsigned char)(tci_splitmix64(&rng) >> 56);
    for (i = 0; i < sizeof s; i++)
      bad += tci_term_hash(s, i + 1) != tci_term_hash(s, i) * base + s[i] + 1;
    for (k = 0; k <= sizeof s; k++) {
      for (pw = 1, i = k; i < sizeof s; i++) pw *= base;
      bad += tci_term_hash(s, sizeof s) != tci_term_hash(s, k) * pw + tci_term_hash(s + k, sizeof s - k);
    }
    CHECK(bad == 0);
  }
}

/* ======================================================== fitting */

static const char *tiny[] = {"apple banana", "apple cherry", "banana banana apple"};

static int fit_texts(tc_extractor *ex, const char *const *t, size_t n) {
  size_t lens[64], i;
  for (i = 0; i < n; i++) lens[i] = strlen(t[i]);
  return tc_extractor_fit(ex, n, t, lens, NULL, NULL);
}

static const char *name(const tc_extractor *ex, int i) {
  static char buf[256];
  size_t len;
  const char *s = tc_extractor_feature_name(ex, i, &len);
  if (!s || len >= sizeof buf) return "(none)";
  if (s[len] != '\0') return "(not NUL-terminated)"; /* names are also C strings */
  memcpy(buf, s, len);
  buf[len] = '\0';
  return buf;
}

TEST(fit_orders_by_df_then_bytes) {
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *ex = make(&o);
  CHECK_EQ_INT(tc_extractor_n_features(ex), 0);
  CHECK_OK(fit_texts(ex, tiny, 3));
  CHECK_EQ_INT(tc_extractor_n_features(ex), 3);
  CHECK_EQ_STR(name(ex, 1), "apple");  /* df 3 */
  CHECK_EQ_STR(name(ex, 2), "banana"); /* df 2, counted once in doc 3 */
  CHECK_EQ_STR(name(ex, 3), "cherry"); /* df 1 */
  CHECK_EQ_INT(ex->vocab->df[1], 2);
  CHECK(tc_extractor_feature_name(ex, 0, NULL) == NULL);
  CHECK(tc_extractor_feature_name(ex, 4, NULL) == NULL);
  CHECK(tc_extractor_feature_name(NULL, 1, NULL) == NULL);
  tc_extractor_free(ex);
}

TEST(fit_min_df_max_df_max_features) {
  static const char *docs[] = {"x a b", "x a c", "x b d", "x a e"};
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *ex;
  /* df: x 4, a 3, b 2, c d e 1 */
  o.min_df = 2;
  ex = make(&o);
  CHECK_OK(fit_texts(ex, docs, 4));
  CHECK_EQ_INT(tc_extractor_n_features(ex), 3);
  CHECK_EQ_STR(name(ex, 1), "x");
  CHECK_EQ_STR(name(ex, 3), "b");
  tc_extractor_free(ex);
  o.max_df = 0.75; /* at most 3 of 4 documents: x goes */
  ex = make(&o);
  CHECK_OK(fit_texts(ex, docs, 4));
  CHECK_EQ_INT(tc_extractor_n_features(ex), 2);
  CHECK_EQ_STR(name(ex, 1), "a");
  tc_extractor_free(ex);
  o = opts(1, 1, 0, 0);
  o.max_features = 4; /* x a b, then the first of c d e by bytes */
  ex = make(&o);
  CHECK_OK(fit_texts(ex, docs, 4));
  CHECK_EQ_INT(tc_extractor_n_features(ex), 4);
  CHECK_EQ_STR(name(ex, 4), "c");
  tc_extractor_free(ex);
  o.min_df = 5; /* nothing survives */
  ex = make(&o);
  CHECK_EQ_INT(fit_texts(ex, docs, 4), TC_EDATA);
  CHECK_EQ_INT(tc_extractor_n_features(ex), 0);
  CHECK_EQ_INT(tc_extractor_fit(ex, 0, NULL, NULL, NULL, NULL), TC_EDATA);
  CHECK_EQ_INT(tc_extractor_fit(ex, 2, NULL, NULL, NULL, NULL), TC_EINVAL);
  tc_extractor_free(ex);
  /* a NULL text is fine when its length is 0, and counts as a document */
  {
    const char *t[3] = {"solo word", NULL, "word"};
    size_t l[3] = {9, 0, 4};
    o = opts(1, 1, 0, 0);
    o.max_df = 0.5; /* "word" is in 2 of 3 documents: dropped */
    ex = make(&o);
    CHECK_OK(tc_extractor_fit(ex, 3, t, l, NULL, NULL));
    CHECK_EQ_INT(tc_extractor_n_features(ex), 1);
    CHECK_EQ_STR(name(ex, 1), "solo");
    l[1] = 1;
    CHECK_EQ_INT(tc_extractor_fit(ex, 3, t, l, NULL, NULL), TC_EINVAL);
    tc_extractor_free(ex);
  }
}

TEST(fit_is_deterministic_and_input_order_free) {
  static const char *a[] = {"red green blue", "green blue", "blue red", "yellow red green"};
  static const char *b[] = {"yellow red green", "blue red", "green blue", "red green blue"};
  tc_options o = opts(1, 2, 0, 0);
  tc_extractor *x = make(&o), *y = make(&o);
  size_t i, n;
  CHECK_OK(fit_texts(x, a, 4));
  CHECK_OK(fit_texts(y, b, 4));
  n = tc_extractor_n_features(x);
  CHECK_EQ_INT(n, tc_extractor_n_features(y));
  for (i = 1; i <= n; i++) {
    size_t lx, ly;
    const char *sx = tc_extractor_feature_name(x, (int)i, &lx);
    const char *sy = tc_extractor_feature_name(y, (int)i, &ly);
    CHECK_MEM(sx, lx, sy, ly);
    /* order: df non-increasing, ties by bytes ascending */
    if (i > 1) {
      size_t lp;
      const char *sp = tc_extractor_feature_name(x, (int)i - 1, &lp);
      uint32_t dp = x->vocab->df[i - 2], dc = x->vocab->df[i - 1];
      CHECK(dp > dc || (dp == dc && strcmp(sp, sx) < 0));
    }
  }
  tc_extractor_free(x);
  tc_extractor_free(y);
}

typedef struct prog {
  int calls, cancel_at;
  size_t last_done, total;
  int bad;
} prog;

static int on_progress(void *ud, const char *stage, size_t done, size_t total) {
  prog *p = ud;
  if (strcmp(stage, "vocabulary") != 0 || done > total || done < p->last_done) p->bad++;
  p->last_done = done;
  p->total = total;
  return ++p->calls == p->cancel_at;
}

TEST(fit_progress_and_cancel) {
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *ex = make(&o);
  const char *texts[1000];
  size_t lens[1000], i;
  prog p;
  for (i = 0; i < 1000; i++) {
    texts[i] = i % 2 ? "odd words" : "even words";
    lens[i] = strlen(texts[i]);
  }
  memset(&p, 0, sizeof p);
  CHECK_OK(tc_extractor_fit(ex, 1000, texts, lens, on_progress, &p));
  CHECK(p.calls >= 2);
  CHECK_EQ_INT(p.last_done, 1000);
  CHECK_EQ_INT(p.total, 1000);
  CHECK_EQ_INT(p.bad, 0);
  CHECK_EQ_INT(tc_extractor_n_features(ex), 3);
  CHECK_EQ_STR(name(ex, 1), "words");
  /* a cancelled fit keeps the previous vocabulary, even when cancelled at
   * the last call (after counting) */
  memset(&p, 0, sizeof p);
  p.cancel_at = 2;
  CHECK_EQ_INT(tc_extractor_fit(ex, 1000, texts, lens, on_progress, &p), TC_ECANCELED);
  memset(&p, 0, sizeof p);
  p.cancel_at = 2; /* 3 documents: calls at 0 and at the end */
  CHECK_EQ_INT(tc_extractor_fit(ex, 3, tiny, (size_t[]){12, 12, 19}, on_progress, &p), TC_ECANCELED);
  CHECK_EQ_INT(p.last_done, 3);
  CHECK_EQ_INT(tc_extractor_n_features(ex), 3);
  CHECK_EQ_STR(name(ex, 1), "words");
  tc_extractor_free(ex);
}

/* Hash flooding while fitting (vocab.c): 4-grams of the Thue-Morse words
 * share one hash, and words can be chosen to crowd one place of the
 * counter's table (65536 slots at first) or of the vocabulary's index.
 * Fitting takes 9 distinct 4-grams of one hash and fails on 10, or on
 * crowded words, with TC_EDATA and
 * a message naming the problem, where it used to accept them in time
 * growing with the square of their number. The extractor keeps its
 * vocabulary. */
TEST(fit_refuses_texts_made_to_collide) {
  /* a de Bruijn sequence: its 19 words hold each of the 16 4-grams once */
  static const char order[] = "0000111101100101000";
  enum { WORDS = 19, CROWD = 1100 };
  char *text = malloc(WORDS * (TM_LEN + 1) + CROWD * 9);
  tc_options o = opts(4, 4, 0, 0);
  tc_extractor *ex;
  const char *texts[1];
  size_t lens[1], len = 0, i, cand, found;
  tc_diag d;
  CHECK(text != NULL);
  if (!text) return;
  o.max_token_bytes = TC_MAX_TOKEN_BYTES;
  ex = make(&o);
  for (i = 0; i < WORDS; i++) {
    len += thue_morse_gram(text + len, order[i] == '1', 1);
    text[len++] = ' ';
  }
  texts[0] = text;
  lens[0] = 12 * (TM_LEN + 1); /* the first 12 words: 9 distinct 4-grams */
  CHECK_OK(tci_extractor_fit(ex, 1, texts, lens, NULL, NULL, &d));
  CHECK_EQ_INT(tc_extractor_n_features(ex), 9);
  lens[0] = 13 * (TM_LEN + 1); /* 10 */
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tci_extractor_fit(ex, 1, texts, lens, NULL, NULL, &d), TC_EDATA);
  CHECK_EQ_STR(d.message, "training data: more than 8 terms share one hash (texts made to collide?)");
  lens[0] = len;
  CHECK_EQ_INT(tc_extractor_fit(ex, 1, texts, lens, NULL, NULL), TC_EDATA);
  CHECK_EQ_INT(tc_extractor_n_features(ex), 9);
  tc_extractor_free(ex);

  /* words "q0", "q1", ... homed in the first 64 of the counter's slots */
  o = opts(1, 1, 0, 0);
  ex = make(&o);
  len = 0;
  for (cand = 0, found = 0; found < CROWD; cand++) {
    int n = sprintf(text + len, "q%zu ", cand);
    if ((tci_mix(tci_term_hash(text + len, (size_t)n - 1)) & 65535) >= 64) continue;
    len += (size_t)n;
    found++;
  }
  lens[0] = len;
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tci_extractor_fit(ex, 1, texts, lens, NULL, NULL, &d), TC_EDATA);
  CHECK(strstr(d.message, "training data: more than 1024 terms crowd one place in the hash table") != NULL);
  CHECK_EQ_INT(tc_extractor_n_features(ex), 0);

  /* 1025 words that the counter's table spreads out, but homed in 1025
   * consecutive slots of the vocabulary's (2048 slots) */
  {
    unsigned char taken[2048] = {0};
    size_t home;
    len = 0;
    for (cand = 0, found = 0; found < 1025; cand++) {
      int n = sprintf(text + len, "q%zu ", cand);
      home = tci_mix(tci_term_hash(text + len, (size_t)n - 1)) & 2047;
      if (home >= 1025 || taken[home]++) continue;
      len += (size_t)n;
      found++;
    }
  }
  lens[0] = len;
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tci_extractor_fit(ex, 1, texts, lens, NULL, NULL, &d), TC_EDATA);
  CHECK_EQ_STR(d.message, "training data: terms made to collide in the vocabulary's hash index (crafted texts?)");
  tc_extractor_free(ex);
  free(text);
}

/* The vectoriser asks the vocabulary's filter before a lookup: it must let
 * every term of the vocabulary through (a term it stopped would be a
 * feature lost), and it should stop most absent terms, which is what it is
 * for (13 bits per term here: 254 of the 20,000 pass). */
TEST(vocab_filter_passes_every_term_and_stops_most_absent_ones) {
  enum { W = 20000 };
  char *text = malloc((size_t)W * 8), word[16];
  const char *texts[1];
  size_t lens[1], len = 0, i, passed = 0;
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *ex = make(&o);
  for (i = 0; i < W; i++) len += (size_t)sprintf(text + len, "w%zu ", i);
  texts[0] = text;
  lens[0] = len;
  CHECK_OK(tc_extractor_fit(ex, 1, texts, lens, NULL, NULL));
  CHECK_EQ_INT(tc_extractor_n_features(ex), W);
  for (i = 0; i < W; i++) {
    int n = sprintf(word, "w%zu", i);
    if (!tci_vocab_may_hold(ex->vocab, tci_mix(tci_term_hash(word, (size_t)n)))) passed = W + 1;
  }
  CHECK_EQ_INT(passed, 0);
  for (i = 0; i < W; i++) {
    int n = sprintf(word, "x%zu", i);
    passed += (size_t)tci_vocab_may_hold(ex->vocab, tci_mix(tci_term_hash(word, (size_t)n)));
  }
  CHECK(passed < W / 20);
  tc_extractor_free(ex);
  free(text);
}

/* Regression: the finder's ring first held 2 * TCI_LAG entries while a
 * push keeps 2 * TCI_LAG + 1 in flight, so the 17th push overwrote a term
 * not yet resolved (fitting lost terms, vectors lost features). The
 * vectoriser's batches replaced that ring: every term collected, over
 * several full batches and a partial one, must come back, in order, with
 * its own index. */
TEST(collector_resolves_every_term_in_order) {
  enum { W = 300, PUSHED = 4 * TCI_BATCH + 5 };
  static char words[W][8];
  static int ids[PUSHED];
  tc_token tok[W];
  const char *docs[W];
  size_t lens[W], i, bad = 0;
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *ex = make(&o);
  tci_collector c;
  for (i = 0; i < W; i++) {
    snprintf(words[i], sizeof words[i], "w%zuq", i);
    tok[i].text = words[i];
    tok[i].len = strlen(words[i]);
    docs[i] = words[i];
    lens[i] = tok[i].len;
  }
  CHECK_OK(tc_extractor_fit(ex, W, docs, lens, NULL, NULL));
  CHECK_EQ_INT(tc_extractor_n_features(ex), W);
  tci_collect_init(&c, ex->vocab, ids);
  for (i = 0; i < PUSHED; i++) {
    tci_term t;
    memset(&t, 0, sizeof t);
    t.kind = TCI_TERM_WORDS;
    t.n = 1;
    t.tok = &tok[i * 7 % W];
    t.len = t.tok->len;
    t.hash = tci_term_hash(t.tok->text, t.len);
    tci_collect_term(&c, &t);
  }
  tci_collect_flush(&c);
  CHECK_EQ_INT(c.n_ids, PUSHED);
  for (i = 0; i < c.n_ids; i++)
    if (ids[i] < 1 || strcmp(name(ex, ids[i]), words[i * 7 % W]) != 0) bad++;
  CHECK_EQ_INT(bad, 0);
  tc_extractor_free(ex);
}

/* ======================================================== vectors */

TEST(vector_equals_hand_computation) {
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *ex = make(&o);
  tc_workspace *ws = NULL;
  tc_vector v;
  double N = 3, w_apple, w_banana, norm;
  CHECK_OK(tc_workspace_new(&ws));
  CHECK_OK(fit_texts(ex, tiny, 3));
  /* "date" is unknown; banana twice: sublinear tf 1 + ln 2 */
  CHECK_OK(tc_extractor_vectorize(ex, ws, "Banana date banana apple", 24, &v));
  w_apple = 1.0 * (log((1 + N) / (1 + 3)) + 1);
  w_banana = (1 + log(2.0)) * (log((1 + N) / (1 + 2)) + 1);
  norm = sqrt(w_apple * w_apple + w_banana * w_banana);
  CHECK_EQ_INT(v.n, 2);
  CHECK_EQ_INT(v.n_tokens, 4);
  CHECK_EQ_INT(v.f[0].index, 1);
  CHECK_EQ_INT(v.f[1].index, 2);
  CHECK(fabs(v.f[0].value - w_apple / norm) < 1e-12);
  CHECK(fabs(v.f[1].value - w_banana / norm) < 1e-12);
  tc_extractor_free(ex);
  /* raw tf, no idf, no normalisation: the counts themselves */
  o.sublinear_tf = 0;
  o.use_idf = 0;
  o.l2_normalize = 0;
  ex = make(&o);
  CHECK_OK(fit_texts(ex, tiny, 3));
  CHECK_OK(tc_extractor_vectorize(ex, ws, "cherry banana banana banana", 27, &v));
  CHECK_EQ_INT(v.n, 2);
  CHECK(v.f[0].index == 2 && v.f[0].value == 3.0);
  CHECK(v.f[1].index == 3 && v.f[1].value == 1.0);
  tc_extractor_free(ex);
  tc_workspace_free(ws);
}

/* Sublinear tf comes from a table for small counts (vectorize.c): every
 * count, on both sides of the table's end, gives the bits of 1 + log. */
TEST(sublinear_tf_is_one_plus_log_exactly) {
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *ex;
  tc_workspace *ws = NULL;
  tc_vector v;
  char text[1024];
  size_t count, len;
  o.use_idf = 0;
  o.l2_normalize = 0;
  ex = make(&o);
  CHECK_OK(tc_workspace_new(&ws));
  CHECK_OK(fit_texts(ex, tiny, 3));
  for (count = 1, len = 0; count <= 130; count++) {
    len += (size_t)snprintf(text + len, sizeof text - len, "%sapple", count > 1 ? " " : "");
    CHECK_OK(tc_extractor_vectorize(ex, ws, text, len, &v));
    CHECK_EQ_INT(v.n, 1);
    CHECK(v.f[0].value == 1.0 + log((double)count));
  }
  tc_extractor_free(ex);
  tc_workspace_free(ws);
}

TEST(empty_and_unknown_texts_give_empty_vectors) {
  tc_options o = opts(1, 2, 0, 0);
  tc_extractor *ex = make(&o);
  tc_workspace *ws = NULL;
  tc_vector v;
  CHECK_OK(tc_workspace_new(&ws));
  CHECK_EQ_INT(tc_extractor_vectorize(ex, ws, "apple", 5, &v), TC_EINVAL); /* not fitted */
  CHECK_OK(fit_texts(ex, tiny, 3));
  CHECK_OK(tc_extractor_vectorize(ex, ws, "", 0, &v));
  CHECK_EQ_INT(v.n, 0);
  CHECK_OK(tc_extractor_vectorize(ex, ws, NULL, 0, &v));
  CHECK_EQ_INT(v.n, 0);
  CHECK_OK(tc_extractor_vectorize(ex, ws, "zebra quagga ... !!", 19, &v));
  CHECK_EQ_INT(v.n, 0);
  CHECK_EQ_INT(v.n_tokens, 2);
  /* invalid UTF-8 is counted, not an error */
  CHECK_OK(tc_extractor_vectorize(ex, ws, "apple \xff banana", 14, &v));
  CHECK_EQ_INT(v.n_invalid, 1);
  CHECK(v.n >= 2);
  CHECK_EQ_INT(tc_extractor_vectorize(ex, ws, NULL, 4, &v), TC_EINVAL);
  CHECK_EQ_INT(tc_extractor_vectorize(ex, NULL, "a", 1, &v), TC_EINVAL);
  tc_extractor_free(ex);
  tc_workspace_free(ws);
}

/* A reference vector computed the slow way: strings from the public term
 * enumeration, looked up by linear search over the feature names, weights
 * from df by the formulas. */
typedef struct ref {
  const tc_extractor *ex;
  double *counts;   /* n_features + 1 */
} ref;

static int ref_term(void *ud, const char *term, size_t len) {
  ref *r = ud;
  size_t i, n = tc_extractor_n_features(r->ex);
  for (i = 1; i <= n; i++) {
    size_t l;
    const char *s = tc_extractor_feature_name(r->ex, (int)i, &l);
    if (l == len && memcmp(s, term, len) == 0) {
      r->counts[i] += 1;
      break;
    }
  }
  return 0;
}

static int same_as_reference(const tc_extractor *ex, tc_workspace *ws, const char *text) {
  const tc_options *o = tc_extractor_options(ex);
  size_t n = tc_extractor_n_features(ex), i, k = 0;
  double *w = calloc(n + 1, sizeof *w), norm = 0;
  ref r;
  tc_vector v;
  int ok = 1;
  r.ex = ex;
  r.counts = w;
  if (tc_extractor_terms(ex, ws, text, strlen(text), ref_term, &r) != TC_OK) ok = 0;
  for (i = 1; i <= n; i++) {
    if (w[i] == 0) continue;
    if (o->sublinear_tf) w[i] = 1 + log(w[i]);
    if (o->use_idf)
      w[i] *= log((1.0 + (double)ex->vocab->n_docs) / (1.0 + ex->vocab->df[i - 1])) + 1;
    norm += w[i] * w[i];
  }
  norm = o->l2_normalize && norm > 0 ? sqrt(norm) : 1;
  if (tc_extractor_vectorize(ex, ws, text, strlen(text), &v) != TC_OK) ok = 0;
  for (i = 1; ok && i <= n; i++) {
    if (w[i] == 0) continue;
    if (k >= v.n || v.f[k].index != (int)i || fabs(v.f[k].value - w[i] / norm) > 1e-12) ok = 0;
    k++;
  }
  if (ok && k != v.n) ok = 0;
  for (i = 1; ok && i < v.n; i++)
    if (v.f[i - 1].index >= v.f[i].index) ok = 0;
  free(w);
  return ok;
}


TEST(vectors_match_slow_reference) {
  static const int cfg[][4] = {{1, 1, 0, 0}, {1, 2, 0, 0}, {1, 3, 0, 0}, {2, 2, 0, 0},
                               {0, 0, 2, 4}, {1, 2, 3, 5}};
  static const char *probe[] = {
      "the striker scored a zero-day flaw in Brussels, budget budget budget",
      "caf\xc3\xa9 m\xc3\xbcnchen \xe6\x9d\xb1\xe4\xba\xac cup final home side",
      "", "nothing known here at all"};
  tc_workspace *ws = NULL;
  size_t c, i, lens[N_CORPUS];
  CHECK_OK(tc_workspace_new(&ws));
  for (i = 0; i < N_CORPUS; i++) lens[i] = strlen(corpus[i]);
  for (c = 0; c < sizeof cfg / sizeof cfg[0]; c++) {
    tc_options o = opts(cfg[c][0], cfg[c][1], cfg[c][2], cfg[c][3]);
    tc_extractor *ex;
    o.sublinear_tf = (int)(c % 2);
    o.stopword_mode = c % 3 ? TC_STOPWORDS_ENGLISH : TC_STOPWORDS_NONE;
    ex = make(&o);
    CHECK_OK(tc_extractor_fit(ex, N_CORPUS, corpus, lens, NULL, NULL));
    for (i = 0; i < N_CORPUS; i++) CHECK(same_as_reference(ex, ws, corpus[i]));
    for (i = 0; i < 4; i++) CHECK(same_as_reference(ex, ws, probe[i]));
    tc_extractor_free(ex);
  }
  tc_workspace_free(ws);
}

/* The same with title_terms, fitted on titled texts: each corpus text as
 * the title of the next. */
TEST(title_vectors_match_slow_reference) {
  static char titled[N_CORPUS][1024];
  const char *texts[N_CORPUS];
  size_t lens[N_CORPUS], i, n_title;
  tc_workspace *ws = NULL;
  tc_options o = opts(1, 2, 0, 0);
  tc_extractor *ex;
  o.title_terms = 1;
  o.stopword_mode = TC_STOPWORDS_ENGLISH;
  ex = make(&o);
  CHECK_OK(tc_workspace_new(&ws));
  for (i = 0; i < N_CORPUS; i++) {
    snprintf(titled[i], sizeof titled[i], "%s\n\n%s", corpus[i], corpus[(i + 1) % N_CORPUS]);
    texts[i] = titled[i];
    lens[i] = strlen(titled[i]);
  }
  CHECK_OK(tc_extractor_fit(ex, N_CORPUS, texts, lens, NULL, NULL));
  for (i = 1, n_title = 0; i <= tc_extractor_n_features(ex); i++)
    n_title += strncmp(name(ex, (int)i), "#t ", 3) == 0;
  CHECK(n_title > 10);
  for (i = 0; i < N_CORPUS; i++) CHECK(same_as_reference(ex, ws, texts[i]));
  CHECK(same_as_reference(ex, ws, corpus[0])); /* no blank line: no title */
  tc_extractor_free(ex);
  tc_workspace_free(ws);
}

TEST(workspace_reused_across_vocabularies) {
  /* counts sized for a small vocabulary must grow for a larger one and
   * stay zero between calls */
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *small = make(&o), *big;
  tc_workspace *ws = NULL;
  size_t lens[N_CORPUS], i;
  CHECK_OK(tc_workspace_new(&ws));
  for (i = 0; i < N_CORPUS; i++) lens[i] = strlen(corpus[i]);
  o.word_ngram_max = 3;
  big = make(&o);
  CHECK_OK(fit_texts(small, tiny, 3));
  CHECK_OK(tc_extractor_fit(big, N_CORPUS, corpus, lens, NULL, NULL));
  for (i = 0; i < 3; i++) {
    CHECK(same_as_reference(small, ws, "apple banana apple"));
    CHECK(same_as_reference(big, ws, corpus[i]));
  }
  tc_extractor_free(small);
  tc_extractor_free(big);
  tc_workspace_free(ws);
}

TEST(large_vocabulary_uses_dense_and_sorted_paths) {
  /* 300 documents of 200 distinct numbered words: a long document touches
   * more than 1/8 of a small vocabulary (dense path) or few features of a
   * big one (radix sort path) */
  enum { DOCS = 300, WORDS = 200 };
  char **texts = malloc(DOCS * sizeof *texts);
  size_t *lens = malloc(DOCS * sizeof *lens), d, k;
  tc_options o = opts(1, 2, 0, 0);
  tc_extractor *ex = make(&o);
  tc_workspace *ws = NULL;
  CHECK_OK(tc_workspace_new(&ws));
  for (d = 0; d < DOCS; d++) {
    size_t pos = 0;
    texts[d] = malloc(WORDS * 12);
    for (k = 0; k < WORDS; k++)
      pos += (size_t)sprintf(texts[d] + pos, "w%zux ", (d * 37 + k * 101) % 5000);
    lens[d] = pos;
  }
  CHECK_OK(tc_extractor_fit(ex, DOCS, (const char *const *)texts, lens, NULL, NULL));
  CHECK(tc_extractor_n_features(ex) > 5000);
  for (d = 0; d < 5; d++) CHECK(same_as_reference(ex, ws, texts[d * 7]));
  CHECK(same_as_reference(ex, ws, "w1x w2x w3x"));
  for (d = 0; d < DOCS; d++) free(texts[d]);
  free(texts);
  free(lens);
  tc_extractor_free(ex);
  tc_workspace_free(ws);
}

/* Vocabularies of 40, 300 and 70,000 words (6, 9 and 17 bits of feature
 * index): the radix sort of a text's 150 hits takes one, two (5 + 4 bits)
 * and three (6 + 6 + 5 bits) passes, and must count the same features. */
TEST(radix_sort_splits_the_index_bits) {
  static const size_t sizes[] = {40, 300, 70000};
  tc_options o = opts(1, 1, 0, 0);
  tc_workspace *ws = NULL;
  size_t s, k;
  CHECK_OK(tc_workspace_new(&ws));
  for (s = 0; s < sizeof sizes / sizeof *sizes; s++) {
    size_t V = sizes[s], pos = 0, len;
    char *vocab = malloc(V * 10), text[150 * 10];
    const char *docs[1];
    tc_extractor *ex = make(&o);
    for (k = 0; k < V; k++) pos += (size_t)sprintf(vocab + pos, "w%zux ", k);
    docs[0] = vocab;
    len = pos;
    CHECK_OK(tc_extractor_fit(ex, 1, docs, &len, NULL, NULL));
    CHECK_EQ_INT((int)tc_extractor_n_features(ex), (int)V);
    for (pos = 0, k = 0; k < 150; k++) pos += (size_t)sprintf(text + pos, "w%zux ", k * k * 7919 % V);
    CHECK(same_as_reference(ex, ws, text));
    tc_extractor_free(ex);
    free(vocab);
  }
  tc_workspace_free(ws);
}

/* Is every count of the workspace's tally 0 (as it must be between calls)? */
static int tally_is_clear(const tc_workspace *ws) {
  const uint32_t *t = ws->tally.p;
  size_t i;
  for (i = 0; t && i < TCI_TALLY_IDS; i++)
    if (t[i]) return 0;
  return t != NULL;
}

/* Hits below TCI_TALLY_IDS are tallied, the others sorted with their
 * repeats: a vocabulary of TCI_TALLY_IDS + 100 words w00000, w00001, ...
 * (word k is feature k + 1: one document, so ties in df go by bytes),
 * texts with hits on both sides of the bound, on it, and at the largest
 * index, repeated and alone, short (insertion sort) and long (radix);
 * every vector must match the reference, and the tally be clear after. */
TEST(tallied_and_sorted_hits_meet_at_the_bound) {
  enum { T = TCI_TALLY_IDS, V = TCI_TALLY_IDS + 100 };
  tc_options o = opts(1, 1, 0, 0);
  tc_extractor *ex = make(&o);
  tc_workspace *ws = NULL;
  char *vocab = malloc((size_t)V * 8), text[300 * 8], probe[4][64];
  const char *docs[1], *name_of;
  size_t k, pos = 0, len, l;
  CHECK_OK(tc_workspace_new(&ws));
  for (k = 0; k < V; k++) pos += (size_t)sprintf(vocab + pos, "w%05zu ", k);
  docs[0] = vocab;
  len = pos;
  CHECK_OK(tc_extractor_fit(ex, 1, docs, &len, NULL, NULL));
  CHECK_EQ_INT((int)tc_extractor_n_features(ex), V);
  name_of = tc_extractor_feature_name(ex, T, &l); /* feature T is word T - 1 */
  CHECK(name_of && l == 6 && memcmp(name_of, "w16383", 6) == 0);
  /* features T - 1 (3 hits), T (2), T + 1, V (2) and 1 */
  sprintf(text, "w%05d w%05d w%05d w%05d w00000 w%05d w%05d w%05d w%05d", T - 2, T - 1, T - 2, V - 1, T, V - 1,
          T - 1, T - 2);
  CHECK(same_as_reference(ex, ws, text));
  CHECK(tally_is_clear(ws));
  sprintf(probe[0], "w%05d", T - 2);                 /* one feature, tallied: T - 1 */
  sprintf(probe[1], "w%05d", T - 1);                 /* one feature, sorted: T */
  sprintf(probe[2], "w%05d w%05d", V - 1, V - 1);    /* the largest, twice */
  sprintf(probe[3], "w%05d w%05d w00000", T - 2, T - 2); /* tallied only, repeated */
  for (k = 0; k < 4; k++) {
    CHECK(same_as_reference(ex, ws, probe[k]));
    CHECK(tally_is_clear(ws));
  }
  CHECK(same_as_reference(ex, ws, ""));
  CHECK(tally_is_clear(ws));
  /* 300 hits near the bound (indices T - 150 to T + 99), most repeated */
  for (pos = 0, k = 0; k < 300; k++) pos += (size_t)sprintf(text + pos, "w%05zu ", T - 151 + k * k * 7919 % 250);
  CHECK(same_as_reference(ex, ws, text));
  CHECK(tally_is_clear(ws));
  tc_extractor_free(ex);
  tc_workspace_free(ws);
  free(vocab);
}

/* Threads share one extractor, each with its own workspace. */
typedef struct job {
  const tc_extractor *ex;
  int ok;
} job;

/* Field by field: tc_feature has padding, which memcmp would read. */
static int same_features(const tc_vector *a, const tc_vector *b) {
  size_t i;
  if (a->n != b->n) return 0;
  for (i = 0; i < a->n; i++)
    if (a->f[i].index != b->f[i].index || a->f[i].value != b->f[i].value) return 0;
  return 1;
}

static void *vectorize_many(void *ud) {
  job *j = ud;
  tc_workspace *ws = NULL;
  tc_vector v, first = {0};
  tc_feature keep[256];
  int round, i;
  j->ok = tc_workspace_new(&ws) == TC_OK;
  for (round = 0; j->ok && round < 200; round++) {
    for (i = 0; j->ok && i < N_CORPUS; i++) {
      if (tc_extractor_vectorize(j->ex, ws, corpus[i], strlen(corpus[i]), &v) != TC_OK) j->ok = 0;
      if (i == 0 && round == 0 && v.n <= 256) {
        first = v;
        memcpy(keep, v.f, v.n * sizeof *keep);
        first.f = keep;
      }
      if (i == 0 && !same_features(&v, &first)) j->ok = 0;
    }
  }
  tc_workspace_free(ws);
  return NULL;
}

TEST(threads_share_an_extractor) {
  tc_options o = opts(1, 2, 2, 3);
  tc_extractor *ex = make(&o);
  pthread_t t[4];
  job j[4];
  size_t lens[N_CORPUS], i;
  for (i = 0; i < N_CORPUS; i++) lens[i] = strlen(corpus[i]);
  CHECK_OK(tc_extractor_fit(ex, N_CORPUS, corpus, lens, NULL, NULL));
  for (i = 0; i < 4; i++) {
    j[i].ex = ex;
    CHECK(pthread_create(&t[i], NULL, vectorize_many, &j[i]) == 0);
  }
  for (i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    CHECK(j[i].ok);
  }
  tc_extractor_free(ex);
}

/* ======================================================== allocation failures */

#ifdef HAVE_OOM_HOOK
static unsigned char *extractor_bytes(const tc_extractor *ex, size_t *n) {
  unsigned char *b = NULL;
  *n = 0;
  return tc_extractor_to_bytes(ex, &b, n) == TC_OK ? b : NULL;
}

/* A new extractor of *o, fitted on the first `fitted` documents of the
 * fixture (0: left unfitted). */
static tc_extractor *prepared(const tc_options *o, size_t fitted) {
  tc_extractor *ex = make(o);
  size_t lens[N_CORPUS], i;
  for (i = 0; i < N_CORPUS; i++) lens[i] = strlen(corpus[i]);
  if (ex && fitted && tc_extractor_fit(ex, fitted, corpus, lens, NULL, NULL) != TC_OK) {
    tc_extractor_free(ex);
    return NULL;
  }
  return ex;
}

/* tc_extractor_fit on the whole fixture with each allocation failing in
 * turn (oom.h), on an extractor fitted on the first `fitted` documents
 * before (0: unfitted): a failure is TC_ENOMEM and leaves the extractor as
 * it was (its bytes, or unfitted); a success gives the unhooked fit. */
static void sweep_fit(const tc_options *o, size_t fitted) {
  unsigned char *want, *before, *got;
  size_t want_n, before_n, got_n, lens[N_CORPUS], i;
  tc_extractor *ex = prepared(o, N_CORPUS);
  oom_sweep s = oom_sweep_start("tc_extractor_fit", 5000);
  for (i = 0; i < N_CORPUS; i++) lens[i] = strlen(corpus[i]);
  want = ex ? extractor_bytes(ex, &want_n) : NULL;
  tc_extractor_free(ex);
  ex = prepared(o, fitted);
  before = ex ? extractor_bytes(ex, &before_n) : NULL;
  tc_extractor_free(ex);
  if (!want || (fitted && !before)) { CHECK(0); free(want); free(before); return; }
  while (oom_next(&s)) {
    int rc, failed;
    if (!(ex = prepared(o, fitted))) break;
    oom_arm(&s);
    rc = tc_extractor_fit(ex, N_CORPUS, corpus, lens, NULL, NULL);
    failed = oom_failed(&s, rc, NULL);
    got = extractor_bytes(ex, &got_n);
    if (failed && fitted) CHECK(got && got_n == before_n && memcmp(got, before, got_n) == 0);
    else if (failed) CHECK(got == NULL && tc_extractor_n_features(ex) == 0);
    else CHECK(got && got_n == want_n && memcmp(got, want, got_n) == 0);
    free(got);
    tc_extractor_free(ex);
  }
  oom_sweep_finish(&s, 10);
  free(want);
  free(before);
}

/* The features of a vector as text, into buf. */
static const char *vector_text(const tc_vector *v, char *buf, size_t cap) {
  size_t i, k = 0;
  buf[0] = '\0';
  for (i = 0; i < v->n && k < cap; i++)
    k += (size_t)snprintf(buf + k, cap - k, "%d:%.17g ", v->f[i].index, v->f[i].value);
  return buf;
}

/* tc_extractor_terms and tc_extractor_vectorize with each allocation
 * failing in turn, on a fresh workspace each time: a failure is TC_ENOMEM
 * and leaves the workspace usable (the call then succeeds on it); a
 * success gives the unhooked terms or vector. */
static void sweep_terms_and_vectorize(const tc_extractor *ex, const char *text) {
  char want[4096], got[4096];
  collect c;
  tc_workspace *ws = NULL;
  tc_vector v;
  oom_sweep s = oom_sweep_start("tc_extractor_terms", 1000);
  if (tc_workspace_new(&ws) != TC_OK) { CHECK(0); return; }
  snprintf(want, sizeof want, "%s", terms_of(ex, ws, text, &c));
  while (oom_next(&s)) {
    tc_workspace *fresh;
    int rc;
    if (tc_workspace_new(&fresh) != TC_OK) break;
    memset(&c, 0, sizeof c);
    oom_arm(&s);
    rc = tc_extractor_terms(ex, fresh, text, strlen(text), collect_term, &c);
    if (oom_failed(&s, rc, NULL)) CHECK_EQ_STR(terms_of(ex, fresh, text, &c), want);
    else CHECK_EQ_STR(c.buf, want);
    tc_workspace_free(fresh);
  }
  oom_sweep_finish(&s, 2);
  CHECK_OK(tc_extractor_vectorize(ex, ws, text, strlen(text), &v));
  vector_text(&v, want, sizeof want);
  CHECK(v.n > 3);
  s = oom_sweep_start("tc_extractor_vectorize", 1000);
  while (oom_next(&s)) {
    tc_workspace *fresh;
    int rc;
    if (tc_workspace_new(&fresh) != TC_OK) break;
    oom_arm(&s);
    rc = tc_extractor_vectorize(ex, fresh, text, strlen(text), &v);
    if (oom_failed(&s, rc, NULL)) CHECK_OK(rc = tc_extractor_vectorize(ex, fresh, text, strlen(text), &v));
    if (rc == TC_OK) CHECK_EQ_STR(vector_text(&v, got, sizeof got), want);
    tc_workspace_free(fresh);
  }
  oom_sweep_finish(&s, 3);
  tc_workspace_free(ws);
}

TEST(allocation_failures) {
  tc_options o = opts(1, 2, 3, 4);
  tc_extractor *ex;
  o.title_terms = 1;
  sweep_fit(&o, 0);
  sweep_fit(&o, 3);
  ex = prepared(&o, N_CORPUS);
  if (ex) sweep_terms_and_vectorize(ex, "Hackers in Brussels\n\nThe striker scored; ministers "
                                        "and hackers met in \xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd.");
  else CHECK(0);
  tc_extractor_free(ex);
}
#endif

int main(void) {
  RUN(word_ngrams_1_to_3);
  RUN(title_terms);
  RUN(term_equal_sees_every_byte);
  RUN(pair_walk_gives_the_general_walks_terms);
  RUN(public_terms_after_stop_words);
  RUN(char_ngrams_count_code_points);
  RUN(unspaced_scripts_get_joined_bigrams);
  RUN(hash_composes_piecewise);
  RUN(fit_orders_by_df_then_bytes);
  RUN(fit_min_df_max_df_max_features);
  RUN(fit_is_deterministic_and_input_order_free);
  RUN(fit_progress_and_cancel);
  RUN(fit_refuses_texts_made_to_collide);
  RUN(vocab_filter_passes_every_term_and_stops_most_absent_ones);
  RUN(collector_resolves_every_term_in_order);
  RUN(vector_equals_hand_computation);
  RUN(sublinear_tf_is_one_plus_log_exactly);
  RUN(empty_and_unknown_texts_give_empty_vectors);
  RUN(vectors_match_slow_reference);
  RUN(title_vectors_match_slow_reference);
  RUN(workspace_reused_across_vocabularies);
  RUN(large_vocabulary_uses_dense_and_sorted_paths);
  RUN(radix_sort_splits_the_index_bits);
  RUN(tallied_and_sorted_hits_meet_at_the_bound);
  RUN(threads_share_an_extractor);
#ifdef HAVE_OOM_HOOK
  RUN(allocation_failures);
#endif
  return check_report();
}
