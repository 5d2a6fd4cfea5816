/* extractor_io.c - an extractor to bytes and back (docs/features.md has
 * the layout).
 *
 * Caveats (design decisions):
 *
 *  - The bytes come from files of unknown origin, so from_bytes reads only
 *    through tci_reader, checks every count against the bytes left before
 *    allocating for it (tci_can_hold), and checks every value that later
 *    code relies on: option ranges (tc_options_check and tc_extractor_new),
 *    term lengths and UTF-8, df within 1..N and within min_df/max_df, at
 *    most max_features terms, the canonical order fitting produces
 *    (descending df, ties by bytes; this rules out a repeat with the same
 *    df, and tci_vocab_build finds one with another df while indexing),
 *    and no trailing bytes. The parsed extractor is therefore one that
 *    tc_extractor_fit could have made. tci_vocab_build also refuses terms
 *    made to collide in its hash index (vocab.c, hash flooding).
 *
 *  - The text rules version (TCI_TEXT_RULES) follows the format version:
 *    the vocabulary holds tokens, so it only means the same under the
 *    rules that made it, and another version is refused (TC_EVERSION).
 *
 *  - idf is not stored: it is recomputed from df and N with the same
 *    formula, so it is finite by construction and a round trip gives
 *    identical vectors.
 *
 *  - Custom stop words are stored as they were given (not normalised: a
 *    normalised word need not tokenise back to itself, see extractor.c);
 *    reading rebuilds the set with tc_extractor_new, whose checks (valid
 *    UTF-8, one token each, no words made to collide in the index) then
 *    apply to the file's words, refused as TC_EFORMAT.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAGIC "TCEX"
/* 2: the text rules version follows the format version; 3: the stem and
 * title_terms options follow stopword_mode. Version 3 is written only when
 * one of them is on, so every other extractor stays readable by builds
 * that know 2. */
#define VERSION_2 2u
#define VERSION_3 3u

/* ======================================================== writing */

static void put_int(tci_writer *w, int v) { tci_put_u32(w, (uint32_t)v); }

/* Options that only version 3 can hold. */
static int needs_version_3(const tc_options *o) {
  return o->stem != TC_STEM_NONE || o->title_terms != 0;
}

/* What read_options reads. */
static void write_options(tci_writer *w, const tc_options *o) {
  put_int(w, o->strip_boilerplate);
  put_int(w, o->compat);
  put_int(w, o->casefold);
  put_int(w, o->strip_accents);
  put_int(w, o->max_token_bytes);
  put_int(w, o->stopword_mode);
  if (needs_version_3(o)) {
    put_int(w, o->stem);
    put_int(w, o->title_terms);
  }
  put_int(w, o->word_ngram_min);
  put_int(w, o->word_ngram_max);
  put_int(w, o->char_ngram_min);
  put_int(w, o->char_ngram_max);
  put_int(w, o->min_df);
  tci_put_f64(w, o->max_df);
  put_int(w, o->max_features);
  put_int(w, o->sublinear_tf);
  put_int(w, o->use_idf);
  put_int(w, o->l2_normalize);
}

/* What read_stopwords reads: the custom words as given, or none. */
static void write_stopwords(tci_writer *w, const tc_options *o) {
  size_t i;
  if (o->stopword_mode != TC_STOPWORDS_CUSTOM) {
    tci_put_u32(w, 0);
    return;
  }
  if (o->n_stopwords > UINT32_MAX) w->err = TC_ELIMIT;
  tci_put_u32(w, (uint32_t)o->n_stopwords);
  for (i = 0; i < o->n_stopwords; i++) tci_put_str(w, o->stopwords[i], strlen(o->stopwords[i]));
}

/* What read_vocab reads: the document count, then each term and its df. */
static void write_vocab(tci_writer *w, const tci_vocab *v) {
  size_t i;
  tci_put_u64(w, v->n_docs);
  if (v->n > UINT32_MAX) w->err = TC_ELIMIT;
  tci_put_u32(w, (uint32_t)v->n);
  for (i = 0; i < v->n; i++) {
    size_t tlen;
    const char *t = tci_vocab_term(v, i, &tlen);
    tci_put_str(w, t, tlen);
    tci_put_u32(w, v->df[i]);
  }
}

int tc_extractor_to_bytes(const tc_extractor *ex, unsigned char **out, size_t *len) {
  tci_writer w = {0};
  if (out) *out = NULL;
  if (len) *len = 0;
  if (!ex || !out || !len || !ex->vocab) return TC_EINVAL;
  tci_put_bytes(&w, MAGIC, 4);
  tci_put_u32(&w, needs_version_3(&ex->opt) ? VERSION_3 : VERSION_2);
  tci_put_u32(&w, TCI_TEXT_RULES);
  write_options(&w, &ex->opt);
  write_stopwords(&w, &ex->opt);
  write_vocab(&w, ex->vocab);
  if (w.err) {
    free(w.p);
    return w.err;
  }
  *out = w.p;
  *len = w.len;
  return TC_OK;
}

/* ======================================================== reading */

/* A u32 option field that must fit an int. */
static int get_int(tci_reader *r, const char *field, int *dst, tc_diag *diag) {
  uint32_t v = tci_get_u32(r);
  if (r->bad) return tci_fail(diag, TC_EFORMAT, "options.%s: truncated", field);
  if (v > INT_MAX) return tci_fail(diag, TC_EFORMAT, "options.%s: %u out of range", field, v);
  *dst = (int)v;
  return TC_OK;
}

static int read_options(tci_reader *r, uint32_t version, tc_options *o, tc_diag *diag) {
  int rc;
  memset(o, 0, sizeof *o);
#define INT_FIELD(name) \
  if ((rc = get_int(r, #name, &o->name, diag)) != TC_OK) return rc
  INT_FIELD(strip_boilerplate);
  INT_FIELD(compat);
  INT_FIELD(casefold);
  INT_FIELD(strip_accents);
  INT_FIELD(max_token_bytes);
  INT_FIELD(stopword_mode);
  if (version == VERSION_3) {
    INT_FIELD(stem);
    INT_FIELD(title_terms);
    if (!needs_version_3(o)) /* writers use version 2 for that */
      return tci_fail(diag, TC_EFORMAT, "options: stem and title_terms both off in format %u, "
                      "which is only written with one of them on", VERSION_3);
  }
  INT_FIELD(word_ngram_min);
  INT_FIELD(word_ngram_max);
  INT_FIELD(char_ngram_min);
  INT_FIELD(char_ngram_max);
  INT_FIELD(min_df);
  o->max_df = tci_get_f64(r);
  if (r->bad) return tci_fail(diag, TC_EFORMAT, "options.max_df: truncated");
  if (!isfinite(o->max_df)) return tci_fail(diag, TC_EFORMAT, "options.max_df: not a finite number");
  INT_FIELD(max_features);
  INT_FIELD(sublinear_tf);
  INT_FIELD(use_idf);
  INT_FIELD(l2_normalize);
#undef INT_FIELD
  return TC_OK;
}

/* Read the stop words into NUL-terminated copies (*words, owned by the
 * caller: one block holding the pointers and the bytes). */
static int read_stopwords(tci_reader *r, tc_options *o, char ***words, tc_diag *diag) {
  uint32_t n = tci_get_u32(r), i;
  size_t bytes = 0, wlen;
  tci_reader first;
  char **ws, *dst;
  const char *s;
  *words = NULL;
  if (r->bad) return tci_fail(diag, TC_EFORMAT, "options.stopwords: truncated");
  if (n && o->stopword_mode != TC_STOPWORDS_CUSTOM)
    return tci_fail(diag, TC_EFORMAT, "options.stopwords: %u words but stopword_mode is %d", n,
                    o->stopword_mode);
  if (!tci_can_hold(r, n, 4))
    return tci_fail(diag, TC_EFORMAT, "options.stopwords: %u words cannot fit in %zu bytes", n,
                    tci_left(r));
  /* First pass (on a copy of the reader): check and measure; the second copies. */
  first = *r;
  for (i = 0; i < n; i++) {
    s = tci_get_str(&first, &wlen);
    if (!s) return tci_fail(diag, TC_EFORMAT, "options.stopwords: word %u runs past the end", i + 1);
    if (memchr(s, '\0', wlen))
      return tci_fail(diag, TC_EFORMAT, "options.stopwords: word %u contains a NUL byte", i + 1);
    bytes += wlen + 1;
  }
  o->n_stopwords = n;
  if (n == 0) return TC_OK;
  /* the second pass reads what the first checked, so it cannot fail */
  ws = malloc(n * sizeof *ws + bytes); /* both bounded by the bytes read */
  if (!ws) return tci_fail(diag, TC_ENOMEM, "options.stopwords: out of memory");
  dst = (char *)(ws + n);
  for (i = 0; i < n; i++) {
    s = tci_get_str(r, &wlen);
    memcpy(dst, s, wlen);
    dst[wlen] = '\0';
    ws[i] = dst;
    dst += wlen + 1;
  }
  *words = ws;
  o->stopwords = (const char *const *)ws;
  return TC_OK;
}

/* Memory order of two terms: bytes, then a proper prefix first. */
static int term_cmp(const char *a, size_t na, const char *b, size_t nb) {
  int c = memcmp(a, b, na < nb ? na : nb);
  if (c) return c;
  return na < nb ? -1 : na > nb;
}

static int read_vocab(tci_reader *r, const tc_options *o, tci_vocab **out, tc_diag *diag) {
  uint64_t n_docs = tci_get_u64(r);
  uint32_t n = tci_get_u32(r), i, min_df = o->min_df > 1 ? (uint32_t)o->min_df : 1;
  double max_count;
  tci_vterm *t;
  int rc;
  if (r->bad) return tci_fail(diag, TC_EFORMAT, "vocabulary: header truncated");
  if (n_docs == 0 || n_docs >= UINT32_MAX)
    return tci_fail(diag, TC_EFORMAT, "vocabulary: document count %llu out of range",
                    (unsigned long long)n_docs);
  if (n == 0) return tci_fail(diag, TC_EFORMAT, "vocabulary: no terms");
  /* each term takes at least a 4-byte length, 1 byte and a 4-byte df */
  if (!tci_can_hold(r, n, 9))
    return tci_fail(diag, TC_EFORMAT, "vocabulary: %u terms cannot fit in %zu bytes", n, tci_left(r));
  if (o->max_features > 0 && n > (uint32_t)o->max_features)
    return tci_fail(diag, TC_EFORMAT, "vocabulary: %u terms, more than max_features %d", n,
                    o->max_features);
  max_count = o->max_df * (double)n_docs;
  /* the terms stay in the input bytes until tci_vocab_build copies them */
  t = malloc((size_t)n * sizeof *t);
  if (!t) return tci_fail(diag, TC_ENOMEM, "vocabulary: out of memory");
  for (i = 0; i < n; i++) {
    size_t tlen;
    const char *s = tci_get_str(r, &tlen);
    uint32_t df;
    if (!s) { rc = tci_fail(diag, TC_EFORMAT, "vocabulary: term %u runs past the end", i + 1); goto fail; }
    if (tlen == 0) { rc = tci_fail(diag, TC_EFORMAT, "vocabulary: term %u is empty", i + 1); goto fail; }
    if (!tci_utf8_valid(s, tlen)) {
      rc = tci_fail(diag, TC_EFORMAT, "vocabulary: term %u is not valid UTF-8", i + 1);
      goto fail;
    }
    df = tci_get_u32(r);
    if (r->bad) { rc = tci_fail(diag, TC_EFORMAT, "vocabulary: df of term %u runs past the end", i + 1); goto fail; }
    if (df == 0 || df > n_docs) {
      rc = tci_fail(diag, TC_EFORMAT, "vocabulary: term %u has df %u, outside 1..%llu", i + 1, df,
                    (unsigned long long)n_docs);
      goto fail;
    }
    if (df < min_df || (double)df > max_count) {
      rc = tci_fail(diag, TC_EFORMAT, "vocabulary: term %u has df %u, outside min_df/max_df", i + 1, df);
      goto fail;
    }
    t[i].p = s;
    t[i].len = (uint32_t)tlen;
    t[i].df = df;
    if (i > 0) {
      int c = term_cmp(t[i - 1].p, t[i - 1].len, s, tlen);
      if (df > t[i - 1].df || (df == t[i - 1].df && c >= 0)) {
        rc = tci_fail(diag, TC_EFORMAT, "vocabulary: term %u %s term %u (order is by descending df, then bytes)",
                      i + 1, df == t[i - 1].df && c == 0 ? "repeats" : "is out of order after", i);
        goto fail;
      }
    }
  }
  rc = tci_vocab_build(t, n, n_docs, out, diag);
fail:
  free(t);
  return rc;
}

int tc_extractor_from_bytes(const unsigned char *p, size_t len, tc_extractor **out, tc_diag *diag) {
  tci_reader r;
  tc_options o;
  tc_diag inner;
  tc_extractor *ex = NULL;
  tci_vocab *v = NULL;
  char **words = NULL;
  const unsigned char *magic;
  const char *why;
  uint32_t version, rules;
  int rc;
  if (out) *out = NULL;
  if (!out || (!p && len)) return tci_fail(diag, TC_EINVAL, "extractor: no output or bytes given");
  tci_reader_init(&r, p, len);
  magic = tci_get_bytes(&r, 4);
  if (!magic || memcmp(magic, MAGIC, 4) != 0)
    return tci_fail(diag, TC_EFORMAT, "extractor: not extractor bytes (no \"" MAGIC "\" magic)");
  version = tci_get_u32(&r);
  if (r.bad) return tci_fail(diag, TC_EFORMAT, "extractor: version truncated");
  if (version == 1)
    return tci_fail(diag, TC_EVERSION, "extractor: format version 1 does not record its text rules "
                    "(this build has text rules %u): retrain", TCI_TEXT_RULES);
  if (version != VERSION_2 && version != VERSION_3)
    return tci_fail(diag, TC_EVERSION, "extractor: format version %u, this library reads 2 and 3", version);
  rules = tci_get_u32(&r);
  if (r.bad) return tci_fail(diag, TC_EFORMAT, "extractor: text rules version truncated");
  if (rules != TCI_TEXT_RULES)
    return tci_fail(diag, TC_EVERSION, "extractor: model made with text rules %u, this build has %u: retrain",
                    rules, TCI_TEXT_RULES);
  if ((rc = read_options(&r, version, &o, diag)) != TC_OK) return rc;
  if ((rc = read_stopwords(&r, &o, &words, diag)) != TC_OK) return rc;
  if ((why = tc_options_check(&o)) != NULL) {
    free(words);
    return tci_fail(diag, TC_EFORMAT, "options: %s", why);
  }
  memset(&inner, 0, sizeof inner);
  rc = tc_extractor_new(&o, &ex, &inner);
  free(words);
  if (rc == TC_EINVAL) return tci_fail(diag, TC_EFORMAT, "options: %s", inner.message);
  if (rc != TC_OK) return tci_fail(diag, rc, "extractor: %s", inner.message[0] ? inner.message : tc_strerror(rc));
  if ((rc = read_vocab(&r, &ex->opt, &v, diag)) != TC_OK) {
    tc_extractor_free(ex);
    return rc;
  }
  if (tci_left(&r) != 0) {
    tci_vocab_free(v);
    tc_extractor_free(ex);
    return tci_fail(diag, TC_EFORMAT, "extractor: %zu bytes after the vocabulary", tci_left(&r));
  }
  ex->vocab = v;
  *out = ex;
  return TC_OK;
}
