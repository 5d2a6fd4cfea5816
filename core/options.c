/*
 * options.c - extractor options: defaults and checks.
 *
 * tc_options_check is the one place that validates options (LIBSVM's
 * svm_check_parameter): every later stage trusts a checked tc_options.
 * Messages name the field as the C struct and the Lua binding spell it.
 */
#include <stddef.h>

#include "internal.h"

void tc_options_init(tc_options *o) {
  o->strip_boilerplate = 0;
  o->compat = 1;
  o->casefold = 1;
  o->strip_accents = 0;
  o->max_token_bytes = 64;
  o->stopword_mode = TC_STOPWORDS_ENGLISH;
  o->stem = TC_STEM_NONE;
  o->title_terms = 0;
  o->stopwords = NULL;
  o->n_stopwords = 0;
  o->word_ngram_min = 1;
  o->word_ngram_max = 2;
  o->char_ngram_min = 0;
  o->char_ngram_max = 0;
  o->min_df = 2;
  o->max_df = 1.0;
  o->max_features = 0;
  o->sublinear_tf = 1;
  o->use_idf = 1;
  o->l2_normalize = 1;
}

/* An n-gram range: 0..0 (off) or 1 <= min <= max <= limit. */
static int range_ok(int lo, int hi, int limit) {
  if (lo == 0 && hi == 0) return 1;
  return lo >= 1 && lo <= hi && hi <= limit;
}

const char *tc_options_check(const tc_options *o) {
  size_t i;
  if (!o) return "no options given";
  if (!tci_is_flag(o->strip_boilerplate)) return "strip_boilerplate must be 0 or 1";
  if (!tci_is_flag(o->compat)) return "compat must be 0 (NFC) or 1 (NFKC)";
  if (!tci_is_flag(o->casefold)) return "casefold must be 0 or 1";
  if (!tci_is_flag(o->strip_accents)) return "strip_accents must be 0 or 1";
  if (o->max_token_bytes < TC_MIN_TOKEN_BYTES || o->max_token_bytes > TC_MAX_TOKEN_BYTES)
    return "max_token_bytes must be between 4 and 1024";
  switch (o->stopword_mode) {
  case TC_STOPWORDS_NONE:
  case TC_STOPWORDS_ENGLISH:
    if (o->stopwords || o->n_stopwords)
      return "stopwords are given but stopword_mode is not TC_STOPWORDS_CUSTOM";
    break;
  case TC_STOPWORDS_CUSTOM:
    if (o->n_stopwords > TC_MAX_STOPWORDS) return "n_stopwords is above 1000000";
    if (o->n_stopwords && !o->stopwords) return "stopwords is NULL but n_stopwords is not 0";
    for (i = 0; i < o->n_stopwords; i++)
      if (!o->stopwords[i]) return "stopwords holds a NULL word";
    break;
  default:
    return "stopword_mode must be TC_STOPWORDS_NONE, _ENGLISH or _CUSTOM";
  }
  if (o->stem != TC_STEM_NONE && o->stem != TC_STEM_ENGLISH)
    return "stem must be TC_STEM_NONE or TC_STEM_ENGLISH";
  if (!range_ok(o->word_ngram_min, o->word_ngram_max, TC_MAX_WORD_NGRAM))
    return "word_ngram_min..word_ngram_max must be 0..0 (off) or 1 <= min <= max <= 6";
  if (!range_ok(o->char_ngram_min, o->char_ngram_max, TC_MAX_CHAR_NGRAM))
    return "char_ngram_min..char_ngram_max must be 0..0 (off) or 1 <= min <= max <= 10";
  if (o->word_ngram_max == 0 && o->char_ngram_max == 0)
    return "word and character n-grams are both off: no features";
  if (!tci_is_flag(o->title_terms)) return "title_terms must be 0 or 1";
  if (o->title_terms && o->word_ngram_max == 0) return "title_terms needs word n-grams";
  if (o->min_df < 1) return "min_df must be at least 1";
  if (!(o->max_df > 0.0 && o->max_df <= 1.0)) return "max_df must be in (0, 1]";
  if (o->max_features < 0) return "max_features must be 0 (no limit) or positive";
  if (!tci_is_flag(o->sublinear_tf)) return "sublinear_tf must be 0 or 1";
  if (!tci_is_flag(o->use_idf)) return "use_idf must be 0 or 1";
  if (!tci_is_flag(o->l2_normalize)) return "l2_normalize must be 0 or 1";
  return NULL;
}
