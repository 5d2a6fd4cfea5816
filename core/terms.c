/* terms.c - the terms of a token sequence: word n-grams, bigrams of
 * scripts written without spaces, character n-grams.
 *
 * Caveats (design decisions):
 *
 *  - Terms are described (tci_term: which tokens or bytes, and a hash), not
 *    built. The vectoriser looks them up by hash and confirms by comparing
 *    bytes piecewise against the stored term, so the hot path never copies
 *    an n-gram. Only tc_extractor_terms and fitting (for terms not seen
 *    before) write the bytes out.
 *
 *  - The hash is polynomial over the bytes, H("") = 0 and
 *    H(s c) = H(s) * B + c + 1 (mod 2^64), because it composes:
 *    H(x y) = H(x) * B^|y| + H(y). A word bigram's hash follows from its
 *    two tokens' hashes and B^len, computed once per token, and equals the
 *    hash of the joined string, which is all a loaded vocabulary has. So
 *    the hash is a function of the term's bytes alone, whatever tokens
 *    produced them. The "+ 1" makes leading zero bytes count. Polynomial
 *    hashes have weak low bits: vocab.c mixes before indexing, and equality
 *    is always confirmed by bytes, so a collision costs time, never a
 *    wrong feature.
 *
 *  - Comparing a term with a vocabulary entry reads 8 or 4 bytes at a time
 *    (the last read overlapping the one before, never past either end):
 *    terms are a few bytes, and memcmp's call cost more than its work.
 *
 *  - Order (what tc_extractor_terms promises): for each token position i,
 *    the word n-grams starting at i from shortest to longest, then for a
 *    title token those inside the title again as "#t " terms, then the
 *    joined bigram of tokens i and i+1 when both are single characters of
 *    unspaced scripts, then the character n-grams of token i, by length,
 *    left to right.
 */
#include <string.h>

#include "internal.h"

#define B 0xC2B2AE3D27D4EB4Full /* odd, so multiplying by it is invertible */
#define SPACE_CODE ((uint64_t)' ' + 1)

#define B2 (B * B)
#define B3 (B2 * B)
#define B4 (B2 * B2)

/* h extended by n bytes, and *power = B^n (what a hash the bytes are
 * followed by is multiplied by, "Caveats"). Four bytes per step, h * B^4 +
 * (b0+1) B^3 + (b1+1) B^2 + (b2+1) B + (b3+1), its four "+ 1" summed in
 * one constant (measured: 0.4k fewer instructions per news4 article, 0.5%
 * fewer to label one, which is mostly loading the model): the same value
 * as four single steps, but the multiplications of a step are
 * independent, so the dependency chain is one multiply-add per four bytes
 * (loading a model hashes every term).
 * Always inline: as a call it cost 0.6% of a news4 article's
 * instructions in bench_predict (a token is a few bytes). */
static TCI_ALWAYS_INLINE uint64_t extend_power(uint64_t h, const void *p, size_t n, uint64_t *power) {
  const unsigned char *b = p;
  uint64_t pw = 1;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    h = h * B4 + b[i] * B3 + b[i + 1] * B2 + b[i + 2] * B + b[i + 3] + (B3 + B2 + B + 1);
    pw *= B4;
  }
  for (; i < n; i++) {
    h = h * B + b[i] + 1;
    pw *= B;
  }
  *power = pw;
  return h;
}

/* extend_power without the power (the compiler drops its multiplies). */
static TCI_ALWAYS_INLINE uint64_t extend(uint64_t h, const void *p, size_t n) {
  uint64_t unused;
  return extend_power(h, p, n, &unused);
}

uint64_t tci_term_hash(const void *p, size_t n) { return extend(0, p, n); }

/* ======================================================== term bytes */

int tci_term_equal(const tci_term *t, const char *s, size_t n) {
  size_t k;
  if (n != t->len) return 0;
  if (t->kind == TCI_TERM_TITLE) {
    if (memcmp(s, "#t ", 3) != 0) return 0;
    s += 3;
  }
  if (t->kind == TCI_TERM_CHARS) {
    if (memcmp(s, "#c ", 3) != 0) return 0;
    s += 3;
    if (t->lead && *s++ != ' ') return 0;
    if (!tci_same_bytes(s, t->chars, t->n)) return 0;
    return !t->trail || s[t->n] == ' ';
  }
  /* The pieces add up to t->len == n, so no read passes s + n. */
  for (k = 0; k < t->n; k++) {
    if (k > 0 && t->kind != TCI_TERM_JOINED && *s++ != ' ') return 0;
    if (!tci_same_bytes(s, t->tok[k].text, t->tok[k].len)) return 0;
    s += t->tok[k].len;
  }
  return 1;
}

void tci_term_copy(const tci_term *t, char *dst) {
  size_t k;
  if (t->kind == TCI_TERM_CHARS) {
    memcpy(dst, "#c ", 3);
    dst += 3;
    if (t->lead) *dst++ = ' ';
    if (t->n) memcpy(dst, t->chars, t->n);
    if (t->trail) dst[t->n] = ' ';
    return;
  }
  if (t->kind == TCI_TERM_TITLE) {
    memcpy(dst, "#t ", 3);
    dst += 3;
  }
  for (k = 0; k < t->n; k++) {
    if (k > 0 && t->kind != TCI_TERM_JOINED) *dst++ = ' ';
    if (t->tok[k].len) memcpy(dst, t->tok[k].text, t->tok[k].len);
    dst += t->tok[k].len;
  }
}

/* ======================================================== enumeration */

/* tci_token_is_unspaced, with its ASCII answer (no) inline: one such
 * character is never ASCII, and most tokens are. */
#define UNSPACED(t) ((t)->len > 0 && (unsigned char)(t)->text[0] >= 0x80 && \
                     tci_token_is_unspaced((t)->text, (t)->len))

/* The n-gram length ranges in effect; a range is empty when max is 0. */
static void ranges(const tc_options *o, size_t *wmin, size_t *wmax, size_t *cmin, size_t *cmax) {
  *wmax = o->word_ngram_max > 0 ? (size_t)o->word_ngram_max : 0;
  *wmin = o->word_ngram_min > 1 ? (size_t)o->word_ngram_min : 1;
  *cmax = o->char_ngram_max > 0 ? (size_t)o->char_ngram_max : 0;
  *cmin = o->char_ngram_min > 1 ? (size_t)o->char_ngram_min : 1;
}

/* Saturating, so an absurd size makes the caller's reservation fail
 * (TC_ELIMIT) instead of wrapping to a small buffer. */
size_t tci_terms_bound(const tc_extractor *ex, const tc_tokens *toks) {
  size_t wmin, wmax, cmin, cmax, i, bytes = 0, n = toks->n, total = 0, k;
  ranges(&ex->opt, &wmin, &wmax, &cmin, &cmax);
  if (wmax >= wmin) { /* + 1: the joined bigram; title terms repeat the n-grams */
    k = (wmax - wmin + 1) * (ex->opt.title_terms ? 2 : 1) + 1;
    if (n > SIZE_MAX / k) return SIZE_MAX;
    total = n * k;
  }
  if (cmax >= cmin) {
    /* A token of L code points has at most L + 2 windows per length. */
    k = cmax - cmin + 1;
    for (i = 0; i < n; i++) {
      if (toks->tok[i].len > SIZE_MAX - 2 - bytes) return SIZE_MAX;
      bytes += toks->tok[i].len + 2;
    }
    if (bytes > (SIZE_MAX - total) / k) return SIZE_MAX;
    total += bytes * k;
  }
  return total;
}

/* th[i], the hash of token i, and tp[i], B^(its length), for the n tokens. */
static void token_hashes(const tc_token *tok, size_t n, uint64_t *th, uint64_t *tp) {
  size_t i;
  for (i = 0; i < n; i++) th[i] = extend_power(0, tok[i].text, tok[i].len, &tp[i]);
}

/* The hash of a term of hash h followed by a space and a word of hash
 * h_word and length len (power = B^len). */
static TCI_ALWAYS_INLINE uint64_t then_word(uint64_t h, uint64_t h_word, uint64_t power) {
  return (h * B + SPACE_CODE) * power + h_word;
}

/* Visit the joined bigram of the tokens at first (hash h1) and after it
 * (hash h2, B^its length power2). */
static TCI_ALWAYS_INLINE int joined_bigram(const tc_token *first, uint64_t h1, uint64_t h2, uint64_t power2,
                                           tci_term_visit fn, void *ud) {
  tci_term t;
  t.kind = TCI_TERM_JOINED;
  t.tok = first;
  t.n = 2;
  t.hash = h1 * power2 + h2;
  t.len = first[0].len + first[1].len;
  return fn(ud, &t);
}

/* The word n-grams starting at token i of n (wmin to wmax tokens, none
 * across an empty token), their hashes built up from th and tp. */
static TCI_ALWAYS_INLINE int word_ngrams(const tc_token *tok, const uint64_t *th, const uint64_t *tp, size_t i,
                       size_t n, size_t wmin, size_t wmax, tci_term_visit fn, void *ud) {
  size_t k;
  tci_term t;
  int rc;
  t.kind = TCI_TERM_WORDS;
  t.tok = tok + i;
  t.hash = th[i];
  t.len = tok[i].len;
  for (k = 1; k <= wmax && i + k <= n; k++) {
    if (k > 1) {
      const tc_token *w = &tok[i + k - 1];
      if (w->len == 0) break;
      t.hash = then_word(t.hash, th[i + k - 1], tp[i + k - 1]);
      t.len += 1 + w->len;
    }
    t.n = k;
    if (k >= wmin && (rc = fn(ud, &t)) != 0) return rc;
  }
  return 0;
}

/* Character n-grams of one token padded with a space on each side, counted
 * in code points. cp[j] is the byte offset of code point j (cp[L] = len).
 * As scikit-learn's char_wb: a padded token shorter than n yields itself
 * once, and longer n add nothing more. */
static TCI_ALWAYS_INLINE int char_ngrams(const tc_token *tok, const uint64_t *cp, size_t L,
                       size_t cmin, size_t cmax, uint64_t prefix_hash,
                       tci_term_visit fn, void *ud) {
  size_t P = L + 2, nn, s;
  tci_term t;
  int rc;
  t.kind = TCI_TERM_CHARS;
  t.tok = NULL;
  for (nn = cmin; nn <= cmax; nn++) {
    size_t width = nn < P ? nn : P;
    for (s = 0; s + width <= P; s++) {
      size_t e = s + width;
      size_t a = s == 0 ? 0 : s - 1, b = e == P ? L : e - 1;
      uint64_t h = prefix_hash;
      t.lead = s == 0;
      t.trail = e == P;
      t.chars = tok->text + cp[a];
      t.n = (size_t)(cp[b] - cp[a]);
      if (t.lead) h = h * B + SPACE_CODE;
      h = extend(h, t.chars, t.n);
      if (t.trail) h = h * B + SPACE_CODE;
      t.hash = h;
      t.len = 3 + (size_t)t.lead + t.n + (size_t)t.trail;
      if ((rc = fn(ud, &t)) != 0) return rc;
    }
    if (width == P) break;
  }
  return 0;
}

/* The word n-grams starting at title token i that stay inside the title
 * (its first n_title tokens), as "#t " terms. The hash of "#t " + s is
 * H("#t ") * B^|s| + H(s), with B^|s| built up as the n-gram grows. */
static TCI_ALWAYS_INLINE int title_terms(const tc_token *tok, const uint64_t *th, const uint64_t *tp, size_t i,
                       size_t n_title, size_t wmin, size_t wmax, uint64_t prefix_hash,
                       tci_term_visit fn, void *ud) {
  uint64_t h = th[i], power = tp[i];
  size_t k;
  tci_term t;
  int rc;
  t.kind = TCI_TERM_TITLE;
  t.tok = tok + i;
  t.len = 3 + tok[i].len;
  for (k = 1; k <= wmax && i + k <= n_title; k++) {
    if (k > 1) {
      if (tok[i + k - 1].len == 0) break;
      h = then_word(h, th[i + k - 1], tp[i + k - 1]);
      power = power * B * tp[i + k - 1];
      t.len += 1 + tok[i + k - 1].len;
    }
    t.n = k;
    t.hash = prefix_hash * power + h;
    if (k >= wmin && (rc = fn(ud, &t)) != 0) return rc;
  }
  return 0;
}

/* The terms when they are word n-grams of at most 2 tokens, with no title
 * terms and no character n-grams (the default, and the shipped model's):
 * the word unigrams and bigrams of wmin..wmax, and the joined bigrams. One
 * pass, its state in registers: a token is hashed when the walk reaches
 * it (no token_hashes pass, no buffer), and the pairs ending there are
 * visited before its unigram, which is each_term's order (a pair starts
 * at the token before). Measured, callgrind, `label -q --top 1 -j 1` on
 * 3,000 news4 articles less one: 127.2k -> 116.7k instructions per
 * article with a default news4 model, 138.5k -> 129.9k with the shipped
 * model, against each_term's general walk (which spilled its state to
 * the stack, and hashed the tokens in a pass of their own). */
static TCI_ALWAYS_INLINE int word_pairs(const tc_token *tok, size_t n, int unigrams, int bigrams,
                                        tci_term_visit fn, void *ud) {
  const tc_token *w, *end = tok + n;
  uint64_t h_prev = 0, h, power;
  size_t len_prev = 0; /* 0: no pair ends at w */
  int un_prev = 0, un, rc;
  tci_term t;
  for (w = tok; w < end; w++) {
    if (w->len == 0) {
      len_prev = 0;
      un_prev = 0;
      continue;
    }
    h = extend_power(0, w->text, w->len, &power);
    un = UNSPACED(w);
    t.kind = TCI_TERM_WORDS;
    if (bigrams && len_prev) {
      t.tok = w - 1;
      t.n = 2;
      t.hash = then_word(h_prev, h, power);
      t.len = len_prev + 1 + w->len;
      if ((rc = fn(ud, &t)) != 0) return rc;
    }
    if (un_prev && un && (rc = joined_bigram(w - 1, h_prev, h, power, fn, ud)) != 0) return rc;
    if (unigrams) {
      t.tok = w;
      t.n = 1;
      t.hash = h;
      t.len = w->len;
      if ((rc = fn(ud, &t)) != 0) return rc;
    }
    h_prev = h;
    len_prev = w->len;
    un_prev = un;
  }
  return TC_OK;
}

/* tci_terms_each's body, inlined into tci_terms_collect with fn known, so
 * the vectoriser's visitor costs no call per term, only one per term its
 * filter lets through (measured: 1.0% fewer instructions per news4
 * article in bench_predict than a call through fn for every term). */
static TCI_ALWAYS_INLINE int each_term(const tc_extractor *ex, tc_workspace *ws, const tc_tokens *toks,
                                       tci_term_visit fn, void *ud) {
  size_t wmin, wmax, cmin, cmax, n = toks->n, i, k, maxtok = 0, need;
  const tc_token *tok = toks->tok;
  uint64_t *th, *tp, *cp, hc = tci_term_hash("#c ", 3), ht = tci_term_hash("#t ", 3);
  int words, chars, joins, rc, un_next;
  unsigned leads = 0; /* the first bytes of the tokens, or'ed */

  ranges(&ex->opt, &wmin, &wmax, &cmin, &cmax);
  words = wmax >= wmin;
  chars = cmax >= cmin;
  if (n == 0 || (!words && !chars)) return TC_OK;
  if (!chars && toks->n_title == 0 && wmax <= 2) return word_pairs(tok, n, wmin == 1, wmax == 2, fn, ud);
  for (i = 0; i < n; i++) {
    if (tok[i].len > maxtok) maxtok = tok[i].len;
    if (tok[i].len) leads |= (unsigned char)tok[i].text[0];
  }
  /* hashes: token hash and B^len per token, then code point offsets */
  if (n > SIZE_MAX / 4 || maxtok > SIZE_MAX / 4) return TC_ELIMIT;
  need = 2 * n + maxtok + 1; /* tci_buf_reserve checks need * 8 */
  if ((rc = tci_buf_reserve(&ws->hashes, need, sizeof(uint64_t))) != TC_OK) return rc;
  th = ws->hashes.p;
  tp = th + n;
  cp = tp + n;
  token_hashes(tok, n, th, tp);

  /* Runs of single characters of scripts written without spaces (Han,
   * Thai, ...: tci_token_is_unspaced) also give joined bigrams, since one
   * such character says little alone. un_next carries the test forward so
   * each token is tested once; ASCII tokens fail it at the first byte,
   * and a text whose tokens all start with ASCII is not tested at all
   * (measured: 0.5% fewer instructions per news4 article). */
  joins = words && leads >= 0x80;
  un_next = joins && UNSPACED(&tok[0]);
  for (i = 0; i < n; i++) {
    int un = un_next;
    un_next = joins && i + 1 < n && UNSPACED(&tok[i + 1]);
    if (tok[i].len == 0) continue; /* no text stage makes these; no terms */
    if (words) {
      if ((rc = word_ngrams(tok, th, tp, i, n, wmin, wmax, fn, ud)) != 0) return rc;
      if (i < toks->n_title &&
          (rc = title_terms(tok, th, tp, i, toks->n_title, wmin, wmax, ht, fn, ud)) != 0)
        return rc;
      if (un && un_next && (rc = joined_bigram(&tok[i], th[i], th[i + 1], tp[i + 1], fn, ud)) != 0)
        return rc;
    }
    if (chars) {
      const unsigned char *b = (const unsigned char *)tok[i].text;
      size_t L = 0;
      for (k = 0; k < tok[i].len; k++)
        if ((b[k] & 0xC0) != 0x80) cp[L++] = k;
      cp[L] = tok[i].len;
      /* A token starting with a continuation byte (never made by the text
       * stage) keeps those bytes with its first code point. */
      if (L > 0) cp[0] = 0;
      if ((rc = char_ngrams(&tok[i], cp, L, cmin, cmax, hc, fn, ud)) != 0) return rc;
    }
  }
  return TC_OK;
}

int tci_terms_each(const tc_extractor *ex, tc_workspace *ws, const tc_tokens *toks,
                   tci_term_visit fn, void *ud) {
  return each_term(ex, ws, toks, fn, ud);
}

int tci_terms_collect(const tc_extractor *ex, tc_workspace *ws, const tc_tokens *toks,
                      tci_collector *c) {
  return each_term(ex, ws, toks, tci_collect_term, c);
}

/* ======================================================== public */

typedef struct emit_ctx {
  tc_term_fn fn;
  void *ud;
  char *buf;      /* room for the longest term */
  int stopped;
} emit_ctx;

static int emit(void *ud, const tci_term *t) {
  emit_ctx *c = ud;
  tci_term_copy(t, c->buf);
  if (c->fn(c->ud, c->buf, t->len) != 0) {
    c->stopped = 1;
    return 1;
  }
  return 0;
}

/* The longest term tci_terms_each can describe for these tokens. */
static size_t longest_term(const tc_extractor *ex, const tc_tokens *toks, int *overflow) {
  size_t wmin, wmax, cmin, cmax, i, maxtok = 0, m;
  ranges(&ex->opt, &wmin, &wmax, &cmin, &cmax);
  for (i = 0; i < toks->n; i++)
    if (toks->tok[i].len > maxtok) maxtok = toks->tok[i].len;
  *overflow = maxtok > (SIZE_MAX - 8) / (wmax + 2);
  if (*overflow) return 0;
  m = wmax * (maxtok + 1) + 3;       /* word n-grams, "#t " title terms */
  if (2 * maxtok > m) m = 2 * maxtok; /* joined bigrams */
  if (maxtok + 5 > m) m = maxtok + 5; /* "#c " + padded token */
  return m + 1;
}

int tc_extractor_terms(const tc_extractor *ex, tc_workspace *ws, const char *text, size_t len,
                       tc_term_fn fn, void *ud) {
  tc_tokens toks;
  emit_ctx c;
  size_t room;
  int rc, overflow;
  if (!ex || !ws || !fn || (!text && len)) return TC_EINVAL;
  if ((rc = tc_extractor_tokenize(ex, ws, text, len, &toks)) != TC_OK) return rc;
  room = longest_term(ex, &toks, &overflow);
  if (overflow) return TC_ELIMIT;
  if ((rc = tci_buf_reserve(&ws->term, room, 1)) != TC_OK) return rc;
  c.fn = fn;
  c.ud = ud;
  c.buf = ws->term.p;
  c.stopped = 0;
  rc = tci_terms_each(ex, ws, &toks, emit, &c);
  return c.stopped ? TC_OK : rc;
}
