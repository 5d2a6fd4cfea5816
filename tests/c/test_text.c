/* test_text.c - options, UTF-8 repair, normalisation and stop word sets.
 * The tokeniser's rules are in test_tokenize.c. */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "check.h"
#include "internal.h"
#include "oom.h"
#include "page_text.h"

static tc_workspace *ws;

/* Normalise with *o (defaults when NULL) and compare with want. */
static int norm_is(const tc_options *o, const char *in, size_t inlen, const char *want,
                   size_t want_invalid) {
  tc_options def;
  const char *out = NULL;
  size_t n = 0, ninv = 99;
  if (!o) {
    tc_options_init(&def);
    o = &def;
  }
  if (tc_normalize(o, ws, in, inlen, &out, &n, &ninv) != TC_OK) return 0;
  if (ninv != want_invalid) {
    fprintf(stderr, "  n_invalid %zu, want %zu\n", ninv, want_invalid);
    return 0;
  }
  if (n != strlen(want) || memcmp(out, want, n) != 0 || out[n] != '\0') {
    fprintf(stderr, "  got \"%.*s\" (%zu bytes), want \"%s\"\n", (int)n, out, n, want);
    return 0;
  }
  return 1;
}
#define NORM(o, in, want) CHECK(norm_is(o, in, strlen(in), want, 0))

/* ------------------------------------------------------------------ */

TEST(options_defaults) {
  tc_options o;
  memset(&o, 0x5A, sizeof o);
  tc_options_init(&o);
  CHECK(tc_options_check(&o) == NULL);
  CHECK_EQ_INT(o.compat, 1);
  CHECK_EQ_INT(o.casefold, 1);
  CHECK_EQ_INT(o.strip_accents, 0);
  CHECK_EQ_INT(o.strip_boilerplate, 0);
  CHECK_EQ_INT(o.max_token_bytes, 64);
  CHECK_EQ_INT(o.stopword_mode, TC_STOPWORDS_ENGLISH);
  CHECK(o.stopwords == NULL);
  CHECK_EQ_INT(o.n_stopwords, 0);
  CHECK_EQ_INT(o.word_ngram_min, 1);
  CHECK_EQ_INT(o.word_ngram_max, 2);
  CHECK_EQ_INT(o.char_ngram_min, 0);
  CHECK_EQ_INT(o.char_ngram_max, 0);
  CHECK_EQ_INT(o.min_df, 2);
  CHECK(o.max_df == 1.0);
  CHECK_EQ_INT(o.max_features, 0);
  CHECK_EQ_INT(o.sublinear_tf, 1);
  CHECK_EQ_INT(o.use_idf, 1);
  CHECK_EQ_INT(o.l2_normalize, 1);
}

/* Each bad field alone is rejected with a message naming it. */
#define BAD(field, value, name)                                                \
  do {                                                                         \
    tc_options o_;                                                             \
    const char *m_;                                                            \
    tc_options_init(&o_);                                                      \
    o_.field = value;                                                          \
    m_ = tc_options_check(&o_);                                                \
    CHECK(m_ != NULL && strstr(m_, name) != NULL);                             \
    if (m_ && !strstr(m_, name)) fprintf(stderr, "  message: %s\n", m_);       \
  } while (0)

TEST(options_check_rejects) {
  static const char *const words[] = {"x", NULL};
  tc_options o;
  double zero = 0.0;
  CHECK_EQ_STR(tc_options_check(NULL), "no options given");
  BAD(strip_boilerplate, 2, "strip_boilerplate");
  BAD(compat, -1, "compat");
  BAD(casefold, 7, "casefold");
  BAD(strip_accents, 2, "strip_accents");
  BAD(max_token_bytes, 3, "max_token_bytes");
  BAD(max_token_bytes, 0, "max_token_bytes");
  BAD(max_token_bytes, TC_MAX_TOKEN_BYTES + 1, "max_token_bytes");
  BAD(stopword_mode, 3, "stopword_mode");
  BAD(stopword_mode, -1, "stopword_mode");
  BAD(n_stopwords, 1, "stopword"); /* given while the mode is ENGLISH */
  BAD(word_ngram_min, 3, "word_ngram");        /* 3..2 */
  BAD(word_ngram_min, 0, "word_ngram");        /* 0..2 */
  BAD(word_ngram_max, TC_MAX_WORD_NGRAM + 1, "word_ngram");
  BAD(char_ngram_max, 4, "char_ngram");        /* 0..4 */
  BAD(char_ngram_min, -1, "char_ngram");
  BAD(min_df, 0, "min_df");
  BAD(max_df, 0.0, "max_df");
  BAD(max_df, 1.5, "max_df");
  BAD(max_df, zero / zero, "max_df");          /* NaN */
  BAD(max_features, -1, "max_features");
  BAD(sublinear_tf, 2, "sublinear_tf");
  BAD(use_idf, -1, "use_idf");
  BAD(l2_normalize, 3, "l2_normalize");
  /* both kinds of feature off */
  tc_options_init(&o);
  o.word_ngram_min = o.word_ngram_max = 0;
  CHECK(tc_options_check(&o) != NULL);
  o.char_ngram_min = 3;
  o.char_ngram_max = 5;
  CHECK(tc_options_check(&o) == NULL);
  /* custom lists */
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.n_stopwords = 1;
  CHECK(tc_options_check(&o) != NULL); /* NULL list */
  o.stopwords = words + 1;             /* { NULL } */
  CHECK(tc_options_check(&o) != NULL);
  o.stopwords = words;
  CHECK(tc_options_check(&o) == NULL);
  o.n_stopwords = 0;
  CHECK(tc_options_check(&o) == NULL); /* an empty custom list is allowed */
  tc_options_init(&o);
  o.stopwords = words;
  CHECK(tc_options_check(&o) != NULL); /* a list without CUSTOM */
}

TEST(extractor_new_reports) {
  tc_options o;
  tc_extractor *ex = (tc_extractor *)&o;
  tc_diag d;
  tc_options_init(&o);
  o.max_df = 2.0;
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tc_extractor_new(&o, &ex, &d), TC_EINVAL);
  CHECK(ex == NULL);
  CHECK_EQ_INT(d.code, TC_EINVAL);
  CHECK(strstr(d.message, "max_df") != NULL);
  CHECK_EQ_INT(tc_extractor_new(NULL, &ex, NULL), TC_EINVAL);
  CHECK_EQ_INT(tc_extractor_new(&o, NULL, NULL), TC_EINVAL);
  /* regression: NULL options were reported as "options: options: NULL" */
  CHECK_EQ_INT(tc_extractor_new(NULL, &ex, &d), TC_EINVAL);
  CHECK_EQ_STR(d.message, "extractor: no options given");
  CHECK_EQ_INT(tc_extractor_new(&o, NULL, &d), TC_EINVAL);
  CHECK_EQ_STR(d.message, "extractor: no output given");
  tc_options_init(&o);
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  CHECK(tc_extractor_options(ex) != NULL);
  CHECK_EQ_INT(tc_extractor_options(ex)->max_token_bytes, 64);
  CHECK_EQ_INT(tc_extractor_n_features(ex), 0);
  tc_extractor_free(ex);
  tc_extractor_free(NULL);
}

/* ------------------------------------------------------------------ */

/* Expected counts come from Python: bytes.decode("utf-8", "replace"). */
TEST(invalid_utf8_each_kind) {
  static const struct {
    const char *in;
    size_t len;
    const char *want;
    size_t invalid;
  } cases[] = {
    {"a\xC0\xAF" "b", 4, "a\xEF\xBF\xBD\xEF\xBF\xBD" "b", 2},                 /* overlong '/' */
    {"\xC1\xBF", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 2},                           /* overlong, C1 */
    {"\xE0\x80\xAF", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3},           /* 3-byte overlong */
    {"\xF0\x80\x80\x80", 4,
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 4},                   /* 4-byte overlong */
    {"\xED\xA0\x80", 3, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 3},           /* surrogate D800 */
    {"\xF4\x90\x80\x80", 4,
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 4},                   /* U+110000 */
    {"\xF5\x80\x80\x80", 4,
     "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD", 4},                   /* F5 lead */
    {"\xE2\x82", 2, "\xEF\xBF\xBD", 1},                                       /* truncated at end */
    {"\xE2\x82x", 3, "\xEF\xBF\xBDx", 1},                                     /* truncated inside */
    {"\xF0\x9F\x98", 3, "\xEF\xBF\xBD", 1},                                   /* truncated emoji */
    {"\xC2", 1, "\xEF\xBF\xBD", 1},
    {"\x80", 1, "\xEF\xBF\xBD", 1},                                           /* stray continuation */
    {"\xFF\xFE", 2, "\xEF\xBF\xBD\xEF\xBF\xBD", 2},
    {"\xEF\xBF\xBD", 3, "\xEF\xBF\xBD", 0},      /* a real U+FFFD is not invalid */
    {"\xF4\x8F\xBF\xBF", 4, "\xF4\x8F\xBF\xBF", 0}, /* U+10FFFF is valid (unassigned) */
    {"\xED\x9F\xBF", 3, "\xED\x9F\xBF", 0},      /* U+D7FF, just below the surrogates */
  };
  size_t i;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    if (!norm_is(NULL, cases[i].in, cases[i].len, cases[i].want, cases[i].invalid)) {
      fprintf(stderr, "  case %zu\n", i);
      CHECK(0);
    } else {
      CHECK(1);
    }
  }
}

TEST(decoder_consumes_every_byte) {
  /* Every byte string decodes to valid scalar values, consuming 1..4 bytes
   * per step and never past the end. */
  unsigned char buf[5];
  unsigned long x;
  size_t bad_steps = 0;
  for (x = 0; x < 0x1000000ul; x += 0x3F7) { /* a sweep over 3-byte prefixes */
    size_t i = 0, n = 4;
    buf[0] = (unsigned char)(x >> 16);
    buf[1] = (unsigned char)(x >> 8);
    buf[2] = (unsigned char)x;
    buf[3] = (unsigned char)(x * 7);
    while (i < n) {
      int32_t cp;
      int inv;
      size_t k = tci_utf8_decode(buf + i, n - i, &cp, &inv);
      if (k < 1 || k > n - i || cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ||
          (inv && cp != 0xFFFD))
        bad_steps++;
      i += k ? k : 1;
    }
  }
  CHECK_EQ_INT(bad_steps, 0);
}

TEST(encode_round_trip) {
  static const int32_t cps[] = {0, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF,
                                0x10000, 0x10FFFF};
  size_t i;
  for (i = 0; i < sizeof cps / sizeof cps[0]; i++) {
    unsigned char b[4];
    int32_t back = -1;
    int inv = 1;
    size_t n = tci_utf8_encode(cps[i], b);
    CHECK(tci_utf8_decode(b, n, &back, &inv) == n);
    CHECK_EQ_INT(back, cps[i]);
    CHECK_EQ_INT(inv, 0);
    CHECK(utf8proc_iterate(b, (utf8proc_ssize_t)n, &back) == (utf8proc_ssize_t)n);
  }
}

TEST(nfkc_and_casefold) {
  tc_options o;
  NORM(NULL, "\xEF\xBC\xA3\xEF\xBD\x99\xEF\xBD\x82\xEF\xBD\x85\xEF\xBD\x92", "cyber"); /* Ｃｙｂｅｒ */
  NORM(NULL, "STRASSE", "strasse");
  NORM(NULL, "Stra\xC3\x9F" "e", "strasse");       /* ß folds to ss */
  NORM(NULL, "\xEF\xAC\x81le", "file");            /* ﬁ ligature */
  NORM(NULL, "x\xC2\xB2 \xE2\x91\xA0", "x2 1");     /* superscript two, circled one */
  NORM(NULL, "\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3", "\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x83"); /* ΟΔΟΣ -> οδοσ */
  NORM(NULL, "caf\x65\xCC\x81", "caf\xC3\xA9");    /* e + combining acute composes */
  NORM(NULL, "caf\xC3\xA9", "caf\xC3\xA9");
  NORM(NULL, "\xC2\xA0", " ");                     /* no-break space */
  /* ŉ decomposes to U+02BC n, and U+02BC is lumped to ' like ’: so one
   * normalisation gives 'n, and a second one changes nothing (rules 2) */
  NORM(NULL, "\xC5\x89", "'n");
  NORM(NULL, "'n", "'n");
  NORM(NULL, "\xCA\xBC" "n \xE2\x80\x99n", "'n 'n");
  /* Turkish: İ folds to i + combining dot above; dotless ı stays. */
  NORM(NULL, "\xC4\xB0stanbul \xC4\xB1", "i\xCC\x87stanbul \xC4\xB1");
  /* NFC only: width kept, case still folded */
  tc_options_init(&o);
  o.compat = 0;
  NORM(&o, "\xEF\xBC\xA3y", "\xEF\xBD\x83y");
  NORM(&o, "\xEF\xAC\x81", "fi");           /* full case folding still splits ﬁ */
  o.casefold = 0;
  NORM(&o, "\xEF\xAC\x81", "\xEF\xAC\x81"); /* NFC alone keeps it */
  o.casefold = 1;
  NORM(&o, "caf\x65\xCC\x81", "caf\xC3\xA9");
  /* no case folding */
  tc_options_init(&o);
  o.casefold = 0;
  NORM(&o, "Stra\xC3\x9F" "e ABC", "Stra\xC3\x9F" "e ABC");
  /* accents stripped */
  tc_options_init(&o);
  o.strip_accents = 1;
  NORM(&o, "Caf\xC3\xA9 na\xC3\xAFve \xC4\xB0stanbul", "cafe naive istanbul");
  NORM(&o, "\xC3\xA9\xCC\x81x", "ex"); /* precomposed plus an extra mark */
}

TEST(lumps_and_ignorables) {
  NORM(NULL, "don\xE2\x80\x99t", "don't");                    /* ’ */
  NORM(NULL, "\xCA\xBC" "a", "'a");                          /* ʼ */
  NORM(NULL, "e\xE2\x80\x90mail e\xE2\x80\x91mail", "e-mail e-mail");
  NORM(NULL, "infor\xC2\xADmation", "information");          /* soft hyphen */
  NORM(NULL, "zero\xE2\x80\x8Bwidth", "zerowidth");         /* ZWSP */
  NORM(NULL, "en\xE2\x80\x93" "dash", "en\xE2\x80\x93" "dash"); /* en dash kept */
}

TEST(empty_and_nul) {
  tc_options o;
  const char *out = NULL;
  size_t n = 9, inv = 9;
  tc_options_init(&o);
  CHECK_OK(tc_normalize(&o, ws, "", 0, &out, &n, &inv));
  CHECK(out != NULL && n == 0 && inv == 0 && out[0] == '\0');
  CHECK_OK(tc_normalize(&o, ws, NULL, 0, &out, &n, NULL));
  CHECK(out != NULL && n == 0);
  CHECK_EQ_INT(tc_normalize(&o, ws, NULL, 3, &out, &n, NULL), TC_EINVAL);
  CHECK_EQ_INT(tc_normalize(NULL, ws, "a", 1, &out, &n, NULL), TC_EINVAL);
  CHECK_EQ_INT(tc_normalize(&o, NULL, "a", 1, &out, &n, NULL), TC_EINVAL);
  o.compat = 2;
  CHECK_EQ_INT(tc_normalize(&o, ws, "a", 1, &out, &n, NULL), TC_EINVAL);
  tc_options_init(&o);
  CHECK_OK(tc_normalize(&o, ws, "A\0B\0\xC3\x89", 6, &out, &n, &inv));
  CHECK_MEM(out, n, "a\0b\0\xC3\xA9", 6);
  CHECK_EQ_INT(inv, 0);
}

/* strip_boilerplate runs the page clean-up first: the result is the
 * normalisation of what tci_strip_boilerplate keeps, whatever its rules,
 * though the kept lines are normalised where they are, a run at a time:
 * runs that begin with a combining mark (which would follow the line feed
 * before them), a decomposed letter, invalid bytes or a ligature. */
TEST(boilerplate_first) {
  static const char page[] =
      "Recent Posts\nRead more\nCookie policy: we use cookies. Accept\n"
      "Subscribe to our newsletter\n\nThe Senate voted on Tuesday to pass the bill, "
      "which funds cyber defence for three years.\nRead more\n"
      "\xcc\x81\xcc\xa3 marks first, then Cafe\xcc\x81.\nShare this story\n"
      "\xff\xfe invalid first.\nRead more\nE\xcc\x81\xef\xac\x81 \xe2\x80\x99quoted\xe2\x80\x99.\nRead more\n";
  tc_options o;
  tci_page kept;
  const char *a, *b;
  size_t kept_n, an, bn, ainv, binv;
  char *copy, *kept_text;
  tc_options_init(&o);
  o.strip_boilerplate = 1;
  CHECK_OK(tc_normalize(&o, ws, page, sizeof page - 1, &a, &an, &ainv));
  copy = malloc(an + 1);
  if (!copy) return;
  memcpy(copy, a, an + 1);
  CHECK_OK(tci_strip_boilerplate(ws, page, sizeof page - 1, &kept));
  CHECK(kept.kept != NULL);
  kept_text = page_text(&kept, &kept_n);
  if (!kept_text) {
    free(copy);
    return;
  }
  CHECK(strstr(kept_text, "Share this") == NULL);
  o.strip_boilerplate = 0;
  CHECK_OK(tc_normalize(&o, ws, kept_text, kept_n, &b, &bn, &binv));
  CHECK_MEM(copy, an, b, bn);
  CHECK_EQ_INT(ainv, binv);
  CHECK_EQ_INT(ainv, 2);
  CHECK(strstr(copy, "the senate voted") != NULL);
  free(kept_text);
  free(copy);
}

/* tc_workspace_new(NULL) wrote through the NULL pointer (SIGSEGV); every
 * other constructor answers TC_EINVAL. */
TEST(regression_workspace_new_null) {
  CHECK_EQ_INT(tc_workspace_new(NULL), TC_EINVAL);
  tc_workspace_free(NULL);
}

/* The size limit held only after the page clean-up, which read the whole
 * claimed length first (ASan: global-buffer-overflow in memchr). */
TEST(regression_limit_before_boilerplate) {
  tc_options o;
  const char *out = NULL;
  size_t n = 0;
  tc_options_init(&o);
  o.strip_boilerplate = 1;
  CHECK_EQ_INT(tc_normalize(&o, ws, "x", (size_t)PTRDIFF_MAX / 32 + 1, &out, &n, NULL), TC_ELIMIT);
  CHECK_EQ_INT(tc_normalize(&o, ws, "x", SIZE_MAX, &out, &n, NULL), TC_ELIMIT);
  o.strip_boilerplate = 0;
  CHECK_EQ_INT(tc_normalize(&o, ws, "x", (size_t)PTRDIFF_MAX / 32 + 1, &out, &n, NULL), TC_ELIMIT);
}

/* A run of combining marks in the wrong order, long enough to take the
 * counting sort: the result must be in canonical order and equal to
 * utf8proc's own NFC of the same text. */
TEST(long_mark_runs) {
  enum { N = 3001 };
  char *in = malloc(1 + 2 * N + 1);
  const char *out;
  size_t n, i, k = 0;
  unsigned char *ref;
  tc_options o;
  int last = 0, sorted = 1;
  CHECK(in != NULL);
  if (!in) return;
  in[k++] = 'a';
  for (i = 0; i < N; i++) { /* U+0301 (230) and U+0323 (220) alternating */
    in[k++] = '\xCC';
    in[k++] = (i % 2) ? '\x81' : '\xA3';
  }
  in[k] = '\0';
  tc_options_init(&o);
  CHECK_OK(tc_normalize(&o, ws, in, k, &out, &n, NULL));
  for (i = 0; i < n;) {
    int32_t cp;
    utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)out + i,
                                          (utf8proc_ssize_t)(n - i), &cp);
    int c;
    if (r <= 0) { sorted = 0; break; }
    c = utf8proc_get_property(cp)->combining_class;
    if (c && c < last) sorted = 0;
    last = c;
    i += (size_t)r;
  }
  CHECK(sorted);
  ref = utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)in);
  CHECK(ref != NULL && strlen((char *)ref) == n && memcmp(ref, out, n) == 0);
  free(ref);
  free(in);
}

/* For valid UTF-8 without our lumped characters, the result must be what
 * utf8proc computes on its own (NFKC_Casefold = COMPOSE|COMPAT|CASEFOLD|IGNORE). */
TEST(agrees_with_utf8proc) {
  static const char *const texts[] = {
    "Ｃｙｂｅｒ ＳＥＣＵＲＩＴＹ ﬁnance ½ ㎏ ㈱ Ⅻ",
    "Ελληνικά ΣΊΣΥΦΟΣ Привет МИР Ǆemal ǅ ǆ",
    "한국어 텍스트 각 가각",
    "العربية ﻻ ﷺ ﷽",
    "e\xCC\x81\xCC\xA3 \xE1\xBA\xB9\xCC\x81 ǰ̣ Ω Å ﬀ",
    "日本語のテキスト ｶﾀｶﾅ ｳﾞ",
    "x\xE2\x81\xA0y\xEF\xBB\xBFz \xE2\x80\x8D\xE2\x80\x8C",
  };
  size_t i;
  for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    const char *out;
    size_t n;
    tc_options o;
    unsigned char *ref;
    tc_options_init(&o);
    CHECK_OK(tc_normalize(&o, ws, texts[i], strlen(texts[i]), &out, &n, NULL));
    ref = utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)texts[i]);
    CHECK(ref != NULL);
    if (ref) {
      CHECK_MEM(out, n, ref, strlen((char *)ref));
      free(ref);
    }
    o.casefold = 0;
    o.compat = 0;
    CHECK_OK(tc_normalize(&o, ws, texts[i], strlen(texts[i]), &out, &n, NULL));
    ref = utf8proc_NFC((const utf8proc_uint8_t *)texts[i]);
    /* NFC does not drop default-ignorables; we do: compare where none occur. */
    if (ref && i != 6) CHECK_MEM(out, n, ref, strlen((char *)ref));
    free(ref);
  }
}

/* ------------------------------------------------------------------ */

TEST(english_list) {
  const char *const *w = tc_stopwords_english();
  tc_options o;
  tc_extractor *ex = NULL;
  size_t n, i, bad = 0;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_NONE;
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  for (n = 0; w[n]; n++) {
    tc_tokens t;
    /* each word is already normalised and is exactly one token */
    if (tc_extractor_tokenize(ex, ws, w[n], strlen(w[n]), &t) != TC_OK || t.n != 1 ||
        t.tok[0].len != strlen(w[n]) || memcmp(t.tok[0].text, w[n], t.tok[0].len) != 0) {
      fprintf(stderr, "  not one normalised token: \"%s\"\n", w[n]);
      bad++;
    }
    for (i = 0; i < n; i++)
      if (strcmp(w[i], w[n]) == 0) bad++;
  }
  CHECK_EQ_INT(bad, 0);
  CHECK(n >= 150 && n <= 300);
  tc_extractor_free(ex);
}

static size_t count_tokens(const tc_extractor *ex, const char *text) {
  tc_tokens t;
  if (tc_extractor_tokenize(ex, ws, text, strlen(text), &t) != TC_OK) return (size_t)-1;
  return t.n;
}

TEST(stopword_modes) {
  static const char *const custom[] = {"Straße", "NEWS", "news", "don’t", "Ｃｙｂｅｒ"};
  static const char *const two[] = {"fine", "New York"};
  static const char *const punct[] = {"--"};
  tc_options o;
  tc_extractor *ex = NULL;
  tc_diag d;
  const char *text = "The news: STRASSE, don't panic about Cyber; the end";
  tc_options_init(&o);
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  CHECK_EQ_INT(count_tokens(ex, text), 5); /* news strasse panic cyber end */
  tc_extractor_free(ex);
  o.stopword_mode = TC_STOPWORDS_NONE;
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  CHECK_EQ_INT(count_tokens(ex, text), 9);
  tc_extractor_free(ex);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = custom;
  o.n_stopwords = 5;
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  CHECK_EQ_INT(count_tokens(ex, text), 5); /* the panic about the end */
  /* the options hold copies of the words as given; the set the normalised,
   * distinct, sorted words */
  CHECK_EQ_INT(tc_extractor_options(ex)->n_stopwords, 5);
  CHECK(tc_extractor_options(ex)->stopwords != custom);
  CHECK_EQ_STR(tc_extractor_options(ex)->stopwords[0], "Straße");
  CHECK_EQ_STR(tc_extractor_options(ex)->stopwords[4], "Ｃｙｂｅｒ");
  CHECK_EQ_INT(ex->stop.n, 4);
  CHECK_EQ_STR(ex->stop.words[0], "cyber");
  CHECK_EQ_STR(ex->stop.words[1], "don't");
  CHECK_EQ_STR(ex->stop.words[2], "news");
  CHECK_EQ_STR(ex->stop.words[3], "strasse");
  tc_extractor_free(ex);
  o.n_stopwords = 0;
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  CHECK_EQ_INT(count_tokens(ex, text), 9);
  tc_extractor_free(ex);
  /* words that are not one token are refused, naming the word */
  o.stopwords = two;
  o.n_stopwords = 2;
  memset(&d, 0, sizeof d);
  CHECK_EQ_INT(tc_extractor_new(&o, &ex, &d), TC_EINVAL);
  CHECK(strstr(d.message, "New York") != NULL && strstr(d.message, "word 2") != NULL);
  o.stopwords = punct;
  o.n_stopwords = 1;
  CHECK_EQ_INT(tc_extractor_new(&o, &ex, &d), TC_EINVAL);
}

/* An extractor rebuilt from another's options (as extractor_io does when
 * loading) has the same stop words, even for words whose token would not
 * tokenise back to itself. */
TEST(stopwords_rebuild_from_options) {
  static const char *const custom[] = {"x@BBC.co.uk", "www.example.org", "Biden's"};
  const char *text = "bbc.co.uk mail: a@bbc.co.uk https://example.org biden bbc";
  tc_options o;
  tc_extractor *a = NULL, *b = NULL;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = custom;
  o.n_stopwords = 3;
  CHECK_OK(tc_extractor_new(&o, &a, NULL));
  if (!a) return;
  CHECK_OK(tc_extractor_new(tc_extractor_options(a), &b, NULL));
  /* left: bbc co uk (a bare domain is three words) mail bbc */
  CHECK_EQ_INT(count_tokens(a, text), 5);
  CHECK_EQ_INT(count_tokens(b, text), 5);
  tc_extractor_free(a);
  tc_extractor_free(b);
}

TEST(stopset_lookup) {
  static const char *const words[] = {"alpha", "beta", "gamma", "delta", "beta"};
  tci_stopset s;
  tc_options o;
  size_t i;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = words;
  o.n_stopwords = 5;
  CHECK_OK(tci_stopset_build(&s, &o, ws, NULL));
  CHECK_EQ_INT(s.n, 4);
  for (i = 0; i < 4; i++) CHECK(tci_stopset_has(&s, words[i], strlen(words[i])));
  CHECK(!tci_stopset_has(&s, "alph", 4));
  CHECK(!tci_stopset_has(&s, "alphas", 6));
  CHECK(!tci_stopset_has(&s, "", 0));
  CHECK(tci_stopset_has(&s, "beta!", 4));
  tci_stopset_free(&s);
  CHECK_EQ_INT(s.n, 0);
  tci_stopset_free(&s); /* idempotent */
  o.stopword_mode = TC_STOPWORDS_NONE;
  CHECK_OK(tci_stopset_build(&s, &o, ws, NULL));
  CHECK(!tci_stopset_has(&s, "alpha", 5));
  tci_stopset_free(&s);
}

/* utf8proc's iterator as the reference: a string is valid when it walks
 * the whole string. Every 1- and 2-byte string, every 3-byte string with a
 * lead byte >= C0, and 4-byte ones with each lead F0..F7 and each second
 * byte (the third and fourth bytes varied). */
static int utf8proc_valid(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &cp);
    if (k <= 0) return 0;
    i += (size_t)k;
  }
  return 1;
}

TEST(strict_validity_matches_utf8proc) {
  unsigned char b[5];
  unsigned a, c, d, e;
  size_t wrong = 0, valid = 0;
  for (a = 0; a < 256; a++) {
    b[0] = (unsigned char)a;
    wrong += tci_utf8_valid(b, 1) != utf8proc_valid(b, 1);
    for (c = 0; c < 256; c++) {
      b[1] = (unsigned char)c;
      wrong += tci_utf8_valid(b, 2) != utf8proc_valid(b, 2);
      if (a < 0xC0) continue;
      for (d = 0; d < 256; d++) {
        b[2] = (unsigned char)d;
        wrong += tci_utf8_valid(b, 3) != utf8proc_valid(b, 3);
        if (a >= 0xF0 && a <= 0xF7 && (d & 0x0F) == 0)
          for (e = 0x70; e < 0xC8; e++) {
            b[3] = (unsigned char)e;
            valid += tci_utf8_valid(b, 4);
            wrong += tci_utf8_valid(b, 4) != utf8proc_valid(b, 4);
          }
      }
    }
  }
  CHECK(wrong == 0);
  CHECK(valid > 0);
  { /* inside longer ASCII runs, at every offset (the 8-byte ASCII steps) */
    static const char *const seq[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x80",
                                      "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82"};
    char buf[40];
    size_t at, q, len;
    for (q = 0; q < sizeof seq / sizeof *seq; q++)
      for (at = 0; at + strlen(seq[q]) <= 24; at++)
        for (len = at + strlen(seq[q]); len <= 24; len += 5) {
          memset(buf, 'a', sizeof buf);
          memcpy(buf + at, seq[q], strlen(seq[q]));
          wrong += tci_utf8_valid(buf, len) != utf8proc_valid((const unsigned char *)buf, len);
          valid += tci_utf8_valid(buf, len);
        }
    CHECK(wrong == 0);
  }
  /* after ASCII, and a valid character cut short */
  CHECK(tci_utf8_valid("ab\xc3\xa9", 4) == 1);
  CHECK(tci_utf8_valid("ab\xc3\xa9", 3) == 0);
  CHECK(tci_utf8_valid("\xef\xbf\xbd", 3) == 1); /* U+FFFD itself is valid */
  CHECK(tci_utf8_valid("", 0) == 1);
}

/* tc_utf8_check names where the first invalid sequence starts: after long
 * ASCII runs (skipped 64 and 8 bytes at a time), inside multibyte text, at
 * the end. */
TEST(check_names_first_invalid_offset) {
  char buf[200];
  size_t at;
  CHECK_EQ_INT(tc_utf8_check("", 0), 0);
  CHECK_EQ_INT(tc_utf8_check(NULL, 0), 0);
  CHECK_EQ_INT(tc_utf8_check(NULL, 5), 0); /* no text: nothing valid, and no read */
  CHECK_EQ_INT(tc_utf8_check("caf\xc3\xa9", 5), 5);
  CHECK_EQ_INT(tc_utf8_check("caf\xc3", 4), 3);             /* truncated at the end */
  CHECK_EQ_INT(tc_utf8_check("\xe2\x82\xac\xc0\xaf", 5), 3); /* overlong after a euro sign */
  CHECK_EQ_INT(tc_utf8_check("a\xed\xa0\x80", 4), 1);       /* surrogate */
  CHECK_EQ_INT(tc_utf8_check("\xf4\x90\x80\x80", 4), 0);    /* above U+10FFFF */
  for (at = 0; at < sizeof buf; at++) {
    memset(buf, 'x', sizeof buf);
    buf[at] = (char)0xff;
    CHECK_EQ_INT(tc_utf8_check(buf, sizeof buf), at);
    CHECK_EQ_INT(tc_utf8_check(buf, at), at); /* all ASCII up to the end */
  }
}

/* tc_utf8_control finds C0, DEL and C1 (C2 80 to C2 9F), and nothing
 * else: not U+00A0 (C2 A0), nor a C1 byte's value as a continuation. */
TEST(control_finds_c0_del_c1) {
  size_t at = 99;
  CHECK_EQ_INT(tc_utf8_control("sport", 5, &at), -1);
  CHECK_EQ_INT(at, 99);
  CHECK_EQ_INT(tc_utf8_control(NULL, 5, &at), -1);
  CHECK_EQ_INT(tc_utf8_control("a b\tc", 5, &at), 9);
  CHECK_EQ_INT(at, 3);
  CHECK_EQ_INT(tc_utf8_control("sp\nort\x1b[31m", 11, NULL), 10);
  CHECK_EQ_INT(tc_utf8_control("x\x7f", 2, &at), 0x7f);
  CHECK_EQ_INT(at, 1);
  CHECK_EQ_INT(tc_utf8_control("caf\xc3\xa9 \xc2\x85", 8, &at), 0x85);
  CHECK_EQ_INT(at, 6);
  CHECK_EQ_INT(tc_utf8_control("\xc2\xa0\xc2\xbf\xe2\x80\x85", 7, NULL), -1); /* NBSP, U+00BF, U+2005 */
  CHECK_EQ_INT(tc_utf8_control("a\xc2", 2, NULL), -1); /* a lead byte cut short is no C1 */
  CHECK_EQ_INT(tc_utf8_control("a\0b", 3, &at), 0);
  CHECK_EQ_INT(at, 1);
}

/* tc_label_name_problem describes the first rule a name breaks, in buf,
 * and passes a name that breaks none. */
TEST(label_name_problem_names_the_first_rule_broken) {
  char buf[TC_LABEL_PROBLEM_SIZE];
  const char *comma = "holds a comma, which separates labels in TSV and CSV output and in lists of labels";
  CHECK(tc_label_name_problem("sport", 5, buf) == NULL);
  CHECK(tc_label_name_problem("caf\xc3\xa9 \xc2\xa0x", 9, buf) == NULL); /* U+00A0 is no control */
  CHECK(tc_label_name_problem("", 0, buf) == buf);
  CHECK_EQ_STR(buf, "is empty");
  CHECK_EQ_STR(tc_label_name_problem(NULL, 3, buf), "is empty");
  CHECK_EQ_STR(tc_label_name_problem("a\0,", 3, buf), "contains a NUL byte");
  CHECK_EQ_STR(tc_label_name_problem("caf\xe9,", 5, buf), "is not valid UTF-8");
  CHECK_EQ_STR(tc_label_name_problem("sp\nort,", 7, buf), "holds a control character (U+000A)");
  CHECK_EQ_STR(tc_label_name_problem("a\xc2\x85", 3, buf), "holds a control character (U+0085)");
  CHECK_EQ_STR(tc_label_name_problem("a,b", 3, buf), comma);
  CHECK(strlen(comma) < TC_LABEL_PROBLEM_SIZE);
  CHECK(tc_label_name_problem("a,b", 1, buf) == NULL); /* only len bytes count */
}

/* tci_utf8_head keeps a shorter string whole and cuts a longer one at max,
 * or before the character max would split. */
TEST(utf8_head_never_splits_a_character) {
  CHECK_EQ_INT(tci_utf8_head("sport", 64), 5);
  CHECK_EQ_INT(tci_utf8_head("sport", 3), 3);
  CHECK_EQ_INT(tci_utf8_head("caf\xc3\xa9", 4), 3);         /* é would be cut: it goes */
  CHECK_EQ_INT(tci_utf8_head("caf\xc3\xa9", 5), 5);
  CHECK_EQ_INT(tci_utf8_head("\xe2\x82\xac\xe2\x82\xac", 5), 3); /* in a euro sign: back to its start */
  CHECK_EQ_INT(tci_utf8_head("\xf0\x9f\x98\x80", 1), 0);
  CHECK_EQ_INT(tci_utf8_head("", 0), 0);
}

/* ------------------------------------------------------------------ */

#ifdef HAVE_OOM_HOOK
/* tc_normalize with each allocation failing in turn (oom.h), on a fresh
 * workspace each time: a failure is TC_ENOMEM and leaves the workspace
 * usable (the same call then gives the unhooked text on it); a success
 * gives that text. */
static void sweep_normalize(const tc_options *o, const char *text, size_t len) {
  const char *want, *out;
  size_t want_n, want_inv, n, inv;
  char *copy;
  oom_sweep s = oom_sweep_start("tc_normalize", 1000);
  if (tc_normalize(o, ws, text, len, &want, &want_n, &want_inv) != TC_OK || !(copy = malloc(want_n))) {
    CHECK(0);
    return;
  }
  memcpy(copy, want, want_n);
  while (oom_next(&s)) {
    tc_workspace *fresh;
    int rc;
    if (tc_workspace_new(&fresh) != TC_OK) break;
    oom_arm(&s);
    rc = tc_normalize(o, fresh, text, len, &out, &n, &inv);
    if (oom_failed(&s, rc, NULL)) rc = tc_normalize(o, fresh, text, len, &out, &n, &inv);
    CHECK_OK(rc);
    if (rc == TC_OK) {
      CHECK_MEM(out, n, copy, want_n);
      CHECK_EQ_INT(inv, want_inv);
    }
    tc_workspace_free(fresh);
  }
  oom_sweep_finish(&s, 2);
  free(copy);
}

/* Tokens of text joined by '|', into buf (cap bytes); "" on failure. */
static const char *joined_tokens(const tc_extractor *ex, const char *text, char *buf, size_t cap) {
  tc_tokens t;
  size_t i, k = 0;
  buf[0] = '\0';
  if (tc_extractor_tokenize(ex, ws, text, strlen(text), &t) != TC_OK) return buf;
  for (i = 0; i < t.n && k + t.tok[i].len + 2 <= cap; i++) {
    memcpy(buf + k, t.tok[i].text, t.tok[i].len);
    k += t.tok[i].len;
    buf[k++] = '|';
  }
  buf[k] = '\0';
  return buf;
}

/* tc_extractor_new with each allocation failing in turn: TC_ENOMEM with
 * *out NULL and the diag saying so, nothing leaked; once it succeeds the
 * extractor tokenises as an unhooked one does. */
static void sweep_extractor_new(const tc_options *o, const char *text) {
  char want[512], got[512];
  tc_extractor *ex = NULL;
  tc_diag d;
  oom_sweep s = oom_sweep_start("tc_extractor_new", 1000);
  if (tc_extractor_new(o, &ex, NULL) != TC_OK) { CHECK(0); return; }
  joined_tokens(ex, text, want, sizeof want);
  tc_extractor_free(ex);
  while (oom_next(&s)) {
    int rc;
    ex = (tc_extractor *)&d; /* not NULL: a failure must set it */
    memset(&d, 0, sizeof d);
    oom_arm(&s);
    rc = tc_extractor_new(o, &ex, &d);
    if (oom_failed(&s, rc, d.message)) CHECK(ex == NULL && d.code == TC_ENOMEM);
    else CHECK_EQ_STR(joined_tokens(ex, text, got, sizeof got), want);
    if (rc == TC_OK) tc_extractor_free(ex);
  }
  oom_sweep_finish(&s, 1);
}

TEST(allocation_failures) {
  static const char text[] =
      "\xef\xbc\xa3\xef\xbd\x99\xef\xbd\x82\xef\xbd\x85\xef\xbd\x92 caf\xc3\xa9 "
      "\xef\xac\x81nance A\xcc\x81\xcc\xa3 \xff\xfe Stra\xc3\x9f" "e don\xe2\x80\x99t "
      "\xe6\x9d\xb1\xe4\xba\xac elections \xc2\xad\xe2\x80\x8b the news";
  static const char *const custom[] = {("Stra\xc3\x9f" "e"), "NEWS", "don\xe2\x80\x99t"};
  tc_options o;
  tc_workspace *w = NULL;
  oom_sweep s = oom_sweep_start("tc_workspace_new", 100);
  tc_options_init(&o);
  sweep_normalize(&o, text, sizeof text - 1);
  o.compat = 0;
  o.strip_accents = 1;
  sweep_normalize(&o, text, sizeof text - 1);
  tc_options_init(&o);
  sweep_extractor_new(&o, text);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = custom;
  o.n_stopwords = 3;
  o.stem = TC_STEM_ENGLISH;
  sweep_extractor_new(&o, text);
  while (oom_next(&s)) {
    int rc;
    oom_arm(&s);
    rc = tc_workspace_new(&w);
    if (oom_failed(&s, rc, NULL)) CHECK(w == NULL);
  }
  oom_sweep_finish(&s, 1);
  tc_workspace_free(w);
}
#endif

int main(void) {
  RUN(strict_validity_matches_utf8proc);
  RUN(check_names_first_invalid_offset);
  RUN(control_finds_c0_del_c1);
  RUN(label_name_problem_names_the_first_rule_broken);
  RUN(utf8_head_never_splits_a_character);
  if (tc_workspace_new(&ws) != TC_OK) return 1;
  RUN(options_defaults);
  RUN(options_check_rejects);
  RUN(extractor_new_reports);
  RUN(invalid_utf8_each_kind);
  RUN(decoder_consumes_every_byte);
  RUN(encode_round_trip);
  RUN(nfkc_and_casefold);
  RUN(lumps_and_ignorables);
  RUN(empty_and_nul);
  RUN(boilerplate_first);
  RUN(regression_limit_before_boilerplate);
  RUN(regression_workspace_new_null);
  RUN(long_mark_runs);
  RUN(agrees_with_utf8proc);
  RUN(english_list);
  RUN(stopword_modes);
  RUN(stopwords_rebuild_from_options);
  RUN(stopset_lookup);
#ifdef HAVE_OOM_HOOK
  RUN(allocation_failures);
#endif
  tc_workspace_free(ws);
  return check_report();
}
