/* fuzz_tokenize.c - libFuzzer target for tc_normalize and tc_extractor_tokenize.
 *
 *   make fuzz FUZZ_SECONDS=60
 *
 * Any bytes go in; the first byte picks one of four option sets (NFKC or
 * NFC, case folding, accent stripping, stop words, stems, title terms, page
 * clean-up, token limits) and the rest is the text. Beyond what the sanitizers catch, it
 * checks the stage's promises and aborts when one breaks:
 *  - both calls succeed on any bytes;
 *  - the normalised text is valid UTF-8, NUL-terminated, and the count of
 *    invalid sequences is at most the number of input bytes;
 *  - every token is non-empty, valid UTF-8, at most max_token_bytes, and
 *    lies inside the normalised text; the title's tokens are at most all;
 *  - the ASCII fast path and the general path give the same bytes and the
 *    same tokens (TCI_TEXT_GENERAL);
 *  - normalising is idempotent on what it produced.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { N_SETS = 4 };

static int valid_utf8(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(n - i), &cp);
    if (r <= 0) return 0;
    i += (size_t)r;
  }
  return 1;
}

static void options_for(int set, tc_options *o) {
  static const char *const words[] = {"Straße", "don’t", "x@bbc.co.uk", "東"};
  tc_options_init(o);
  switch (set) {
  case 0: /* defaults (NFKC, case folding, English stop words), and title terms */
    o->title_terms = 1;
    break;
  case 1:
    o->compat = 0;
    o->strip_accents = 1;
    o->stopword_mode = TC_STOPWORDS_NONE;
    o->max_token_bytes = 4;
    o->stem = TC_STEM_ENGLISH;
    break;
  case 2:
    o->casefold = 0;
    o->stopword_mode = TC_STOPWORDS_CUSTOM;
    o->stopwords = words;
    o->n_stopwords = sizeof words / sizeof words[0];
    o->max_token_bytes = 7;
    break;
  default:
    o->strip_boilerplate = 1;
    o->max_token_bytes = TC_MAX_TOKEN_BYTES;
    o->stem = TC_STEM_ENGLISH;
    break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static tc_workspace *ws, *ws2;
  static tc_extractor *ex[N_SETS];
  const char *text, *out, *out2;
  size_t len, n, n2, inv, inv2, i;
  const tc_options *o;
  tc_tokens t, t2;
  int set;
  if (!ws) {
    if (tc_workspace_new(&ws) || tc_workspace_new(&ws2)) abort();
    for (set = 0; set < N_SETS; set++) {
      tc_options opt;
      options_for(set, &opt);
      if (tc_extractor_new(&opt, &ex[set], NULL) != TC_OK) abort();
    }
  }
  if (size == 0) return 0;
  set = data[0] % N_SETS;
  text = (const char *)data + 1;
  len = size - 1;
  o = tc_extractor_options(ex[set]);

  if (tc_normalize(o, ws, text, len, &out, &n, &inv) != TC_OK) abort();
  if (out[n] != '\0' || !valid_utf8(out, n) || inv > len) abort();
  if (tci_normalize(o, ws2, text, len, TCI_TEXT_GENERAL, &out2, &n2, &inv2) != TC_OK) abort();
  if (n != n2 || memcmp(out, out2, n) != 0 || inv != inv2) abort();
  /* idempotent (page clean-up aside: it may remove more on a second pass) */
  if (!o->strip_boilerplate) {
    char *copy = malloc(n + 1);
    if (!copy) return 0;
    memcpy(copy, out, n + 1);
    if (tc_normalize(o, ws2, copy, n, &out2, &n2, &inv2) != TC_OK) abort();
    if (n != n2 || memcmp(copy, out2, n) != 0) abort();
    free(copy);
  }

  if (tc_extractor_tokenize(ex[set], ws, text, len, &t) != TC_OK) abort();
  if (tci_tokenize(o, &ex[set]->stop, ws2, text, len, TCI_TEXT_GENERAL, &t2) != TC_OK) abort();
  if (t.n != t2.n || t.n_invalid != t2.n_invalid || t.n_title != t2.n_title || t.n_title > t.n) abort();
  if (!o->title_terms && t.n_title != 0) abort();
  for (i = 0; i < t.n; i++) {
    const char *p = t.tok[i].text, *base = ws->norm.p;
    size_t k = t.tok[i].len;
    if (k == 0 || k > (size_t)o->max_token_bytes || !valid_utf8(p, k)) abort();
    if (p < base || p + k > base + ws->norm.cap) abort();
    if (k != t2.tok[i].len || memcmp(p, t2.tok[i].text, k) != 0) abort();
  }
  return 0;
}
