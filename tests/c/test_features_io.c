/* test_features_io.c - extractor serialisation: round trips, and rejection
 * of every truncation and of corrupted fields, with messages naming them. */
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "features_fixture.h"
#include "internal.h"
#include "oom.h"

static tc_extractor *fitted(tc_options *o) {
  tc_extractor *ex = NULL;
  size_t lens[N_CORPUS], i;
  tc_diag d;
  for (i = 0; i < N_CORPUS; i++) lens[i] = strlen(corpus[i]);
  if (tc_extractor_new(o, &ex, &d) != TC_OK) {
    fprintf(stderr, "tc_extractor_new: %s\n", d.message);
    return NULL;
  }
  CHECK_OK(tc_extractor_fit(ex, N_CORPUS, corpus, lens, NULL, NULL));
  return ex;
}

static tc_options small_options(void) {
  tc_options o;
  tc_options_init(&o);
  o.min_df = 1;
  o.word_ngram_max = 2;
  return o;
}

/* Vectors of every corpus text (and two others) are identical. */
static int same_vectors(const tc_extractor *a, const tc_extractor *b) {
  static const char *extra[] = {"budget flaw striker caf\xc3\xa9", ""};
  tc_workspace *wa = NULL, *wb = NULL;
  tc_vector va, vb;
  size_t i;
  int ok = tc_workspace_new(&wa) == TC_OK && tc_workspace_new(&wb) == TC_OK;
  for (i = 0; ok && i < N_CORPUS + 2; i++) {
    const char *t = i < N_CORPUS ? corpus[i] : extra[i - N_CORPUS];
    size_t k;
    ok = tc_extractor_vectorize(a, wa, t, strlen(t), &va) == TC_OK &&
         tc_extractor_vectorize(b, wb, t, strlen(t), &vb) == TC_OK && va.n == vb.n &&
         (i == N_CORPUS + 1 || va.n > 0);
    for (k = 0; ok && k < va.n; k++) /* exactly equal, not just close */
      ok = va.f[k].index == vb.f[k].index && va.f[k].value == vb.f[k].value;
  }
  tc_workspace_free(wa);
  tc_workspace_free(wb);
  return ok;
}

static void round_trip(tc_options *o) {
  tc_extractor *ex = fitted(o), *back = NULL;
  unsigned char *p = NULL, *q = NULL;
  size_t n = 0, m = 0;
  tc_diag d;
  if (!ex) { CHECK(ex != NULL); return; }
  CHECK_OK(tc_extractor_to_bytes(ex, &p, &n));
  /* format 2 (3 with stemming), then this build's text rules */
  CHECK(n >= 12 && memcmp(p, "TCEX", 4) == 0 && p[4] == (o->stem || o->title_terms ? 3 : 2) &&
        p[5] == 0 && p[6] == 0 && p[7] == 0);
  CHECK(n >= 12 && p[8] == (TCI_TEXT_RULES & 0xFF) && p[9] == 0 && p[10] == 0 && p[11] == 0);
  memset(&d, 0, sizeof d);
  CHECK_OK(tc_extractor_from_bytes(p, n, &back, &d));
  if (!back) {
    fprintf(stderr, "from_bytes: %s\n", d.message);
    tc_extractor_free(ex);
    free(p);
    return;
  }
  CHECK(same_vectors(ex, back));
  CHECK_EQ_INT(tc_extractor_n_features(back), tc_extractor_n_features(ex));
  CHECK(memcmp(tc_extractor_options(back), tc_extractor_options(ex),
               offsetof(tc_options, stopwords)) == 0);
  CHECK_EQ_INT(tc_extractor_options(back)->n_stopwords, tc_extractor_options(ex)->n_stopwords);
  /* the bytes are canonical: saving the loaded extractor gives them again */
  CHECK_OK(tc_extractor_to_bytes(back, &q, &m));
  CHECK_MEM(p, n, q, m);
  free(p);
  free(q);
  tc_extractor_free(ex);
  tc_extractor_free(back);
}

TEST(round_trips_are_identical) {
  static const char *stop[] = {"The", "ON", "caf\xc3\xa9", "in"};
  tc_options o = small_options();
  round_trip(&o);
  o.word_ngram_min = 1;
  o.word_ngram_max = 3;
  o.char_ngram_min = 2;
  o.char_ngram_max = 4;
  o.sublinear_tf = 0;
  o.max_features = 50;
  o.max_df = 0.9;
  o.strip_accents = 1;
  o.max_token_bytes = 12;
  round_trip(&o);
  o = small_options();
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = stop;
  o.n_stopwords = 4;
  o.stem = TC_STEM_ENGLISH;
  o.use_idf = 0;
  o.l2_normalize = 0;
  o.compat = 0;
  round_trip(&o);
  o.stopword_mode = TC_STOPWORDS_NONE;
  o.stopwords = NULL;
  o.n_stopwords = 0;
  o.casefold = 0;
  o.strip_boilerplate = 1;
  round_trip(&o);
  o = small_options();
  o.title_terms = 1;
  round_trip(&o);
}

TEST(unfitted_and_bad_arguments) {
  tc_options o = small_options();
  tc_extractor *ex = NULL;
  unsigned char *p = NULL;
  size_t n = 0;
  tc_diag d;
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  /* regression: a refusal left *out and *len as they were, where
   * tc_model_to_bytes clears them, so cleanup code that frees *out after
   * either call freed whatever the pointer held before */
  p = (unsigned char *)&o;
  n = 7;
  CHECK_EQ_INT(tc_extractor_to_bytes(ex, &p, &n), TC_EINVAL);
  CHECK(p == NULL && n == 0);
  p = (unsigned char *)&o;
  CHECK_EQ_INT(tc_extractor_to_bytes(NULL, &p, &n), TC_EINVAL);
  CHECK(p == NULL);
  CHECK_EQ_INT(tc_extractor_to_bytes(ex, NULL, &n), TC_EINVAL);
  tc_extractor_free(ex);
  ex = (tc_extractor *)&d; /* must be reset to NULL */
  CHECK_EQ_INT(tc_extractor_from_bytes(NULL, 0, &ex, &d), TC_EFORMAT);
  CHECK(ex == NULL);
  ex = (tc_extractor *)&d; /* reset too, as tc_model_from_bytes does */
  CHECK_EQ_INT(tc_extractor_from_bytes(NULL, 5, &ex, &d), TC_EINVAL);
  CHECK(ex == NULL);
  CHECK_EQ_STR(d.message, "extractor: no output or bytes given");
}

TEST(every_truncation_is_rejected) {
  tc_options o = small_options();
  static const char *stop[] = {"alpha", "beta"};
  tc_extractor *ex, *back;
  unsigned char *p = NULL, *copy;
  size_t n = 0, cut;
  tc_diag d;
  int bad = 0, nomsg = 0;
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = stop;
  o.n_stopwords = 2;
  ex = fitted(&o);
  CHECK_OK(tc_extractor_to_bytes(ex, &p, &n));
  for (cut = 0; cut < n; cut++) {
    /* a fresh allocation of exactly `cut` bytes, so ASan sees any overread */
    copy = malloc(cut ? cut : 1);
    memcpy(copy, p, cut);
    back = (tc_extractor *)1;
    memset(&d, 0, sizeof d);
    if (tc_extractor_from_bytes(copy, cut, &back, &d) != TC_EFORMAT || back != NULL) bad++;
    if (d.code != TC_EFORMAT || d.message[0] == '\0') nomsg++;
    free(copy);
  }
  CHECK_EQ_INT(bad, 0);
  CHECK_EQ_INT(nomsg, 0);
  /* one trailing byte too many is rejected as well */
  copy = malloc(n + 1);
  memcpy(copy, p, n);
  copy[n] = 0;
  CHECK_EQ_INT(tc_extractor_from_bytes(copy, n + 1, &back, &d), TC_EFORMAT);
  CHECK(strstr(d.message, "after the vocabulary") != NULL);
  free(copy);
  free(p);
  tc_extractor_free(ex);
}

static uint64_t next_random(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

TEST(random_byte_flips_never_crash) {
  tc_options o = small_options();
  tc_extractor *ex, *back;
  tc_workspace *ws = NULL;
  unsigned char *p = NULL, *copy;
  size_t n = 0, i;
  uint64_t seed = 20261125;
  int accepted = 0, rejected = 0, broken = 0, iter, k;
  o.char_ngram_min = 3;
  o.char_ngram_max = 3;
  ex = fitted(&o);
  CHECK_OK(tc_workspace_new(&ws));
  CHECK_OK(tc_extractor_to_bytes(ex, &p, &n));
  copy = malloc(n);
  for (iter = 0; iter < 3000; iter++) {
    int flips = 1 + (int)(next_random(&seed) % 3), rc;
    tc_diag d;
    memcpy(copy, p, n);
    for (k = 0; k < flips; k++) {
      i = (size_t)(next_random(&seed) % n);
      copy[i] ^= (unsigned char)(1u << (next_random(&seed) % 8));
    }
    back = NULL;
    rc = tc_extractor_from_bytes(copy, n, &back, &d);
    if (rc == TC_OK) {
      tc_vector v;
      unsigned char *q = NULL;
      size_t m = 0;
      accepted++;
      /* whatever was accepted works and saves */
      const char *t = corpus[iter % N_CORPUS];
      if (tc_extractor_vectorize(back, ws, t, strlen(t), &v) != TC_OK) broken++;
      for (i = 0; i < v.n; i++)
        if (!isfinite(v.f[i].value) || (i > 0 && v.f[i - 1].index >= v.f[i].index)) broken++;
      if (tc_extractor_to_bytes(back, &q, &m) != TC_OK) broken++;
      free(q);
      tc_extractor_free(back);
    } else {
      rejected++;
      if (back != NULL || (rc != TC_EFORMAT && rc != TC_EVERSION)) broken++;
    }
  }
  CHECK_EQ_INT(broken, 0);
  CHECK(rejected > 0);
  printf("byte flips: %d accepted (flips inside term bytes or unchecked flags), %d rejected\n",
         accepted, rejected);
  free(copy);
  free(p);
  tc_workspace_free(ws);
  tc_extractor_free(ex);
}

/* ======================================================== hand-made bytes */

/* A valid extractor made field by field, so tests can corrupt one field. */
typedef struct fields {
  uint32_t version;
  uint32_t rules;        /* text rules version */
  int32_t opt[16];       /* in file order; opt[11] is unused (max_df is a double) */
  int32_t stem;          /* version 3 only, after opt[5] (stopword_mode) */
  int32_t title_terms;   /* version 3 only, after stem */
  double max_df;
  uint32_t n_stop;
  const char *stop[3];
  uint64_t n_docs;
  uint32_t n_terms;
  const char *term[4];
  uint32_t df[4];
} fields;

static fields valid_fields(void) {
  fields f;
  static const int32_t opt[16] = {0, 1, 1, 0, 64, TC_STOPWORDS_CUSTOM, 1, 2, 0, 0, 1, 0, 0, 1, 1, 1};
  memset(&f, 0, sizeof f);
  f.version = 2;
  f.rules = TCI_TEXT_RULES;
  memcpy(f.opt, opt, sizeof opt);
  f.max_df = 1.0;
  f.n_stop = 1;
  f.stop[0] = "the";
  f.n_docs = 3;
  f.n_terms = 3;
  f.term[0] = "apple";
  f.df[0] = 3;
  f.term[1] = "banana";
  f.df[1] = 2;
  f.term[2] = "apple banana";
  f.df[2] = 1;
  return f;
}

static tci_writer write_fields(const fields *f) {
  tci_writer w = {0};
  uint32_t i;
  tci_put_bytes(&w, "TCEX", 4);
  tci_put_u32(&w, f->version);
  if (f->version != 1) tci_put_u32(&w, f->rules); /* version 1 had no rules field */
  for (i = 0; i < 16; i++) {
    if (i == 11) tci_put_f64(&w, f->max_df);
    else tci_put_u32(&w, (uint32_t)f->opt[i]);
    if (i == 5 && f->version >= 3) {
      tci_put_u32(&w, (uint32_t)f->stem);
      tci_put_u32(&w, (uint32_t)f->title_terms);
    }
  }
  tci_put_u32(&w, f->n_stop);
  for (i = 0; i < f->n_stop && i < 3 && f->stop[i]; i++) tci_put_str(&w, f->stop[i], strlen(f->stop[i]));
  tci_put_u64(&w, f->n_docs);
  tci_put_u32(&w, f->n_terms);
  for (i = 0; i < f->n_terms && i < 4 && f->term[i]; i++) {
    tci_put_str(&w, f->term[i], strlen(f->term[i]));
    tci_put_u32(&w, f->df[i]);
  }
  return w;
}

/* Expect `code` and a message containing `needle`. */
static void expect(const fields *f, int code, const char *needle, int line) {
  tci_writer w = write_fields(f);
  tc_extractor *ex = (tc_extractor *)1;
  tc_diag d;
  int rc;
  memset(&d, 0, sizeof d);
  rc = tc_extractor_from_bytes(w.p, w.len, &ex, &d);
  if (rc != code || (code != TC_OK && (!strstr(d.message, needle) || ex != NULL))) {
    check_failed++;
    fprintf(stderr, "%s:%d: expected %d \"%s\", got %d \"%s\"\n", __FILE__, line, code, needle, rc,
            d.message);
  } else {
    check_passed++;
  }
  if (rc == TC_OK) tc_extractor_free(ex);
  free(w.p);
}
#define EXPECT(f, code, needle) expect(&(f), code, needle, __LINE__)

TEST(hand_made_bytes_and_each_bad_field) {
  fields f = valid_fields();
  tc_extractor *ex = NULL;
  tci_writer w = write_fields(&f);
  tc_workspace *ws = NULL;
  tc_vector v;
  EXPECT(f, TC_OK, "");
  /* the hand-made extractor vectorises as the formulas say */
  CHECK_OK(tc_extractor_from_bytes(w.p, w.len, &ex, NULL));
  CHECK_OK(tc_workspace_new(&ws));
  CHECK_OK(tc_extractor_vectorize(ex, ws, "The banana", 10, &v));
  CHECK_EQ_INT(v.n, 1);
  CHECK(v.n == 1 && v.f[0].index == 2 && fabs(v.f[0].value - 1.0) < 1e-15);
  CHECK_OK(tc_extractor_vectorize(ex, ws, "apple banana", 12, &v));
  CHECK_EQ_INT(v.n, 3);
  CHECK(v.n == 3 && v.f[2].index == 3);
  CHECK_OK(tc_extractor_vectorize(ex, ws, "bananas", 7, &v));
  CHECK_EQ_INT(v.n, 0); /* format 2: no stemming */
  tc_extractor_free(ex);
  free(w.p);
  /* format 3 with stemming: "bananas" is "banana" */
  f.version = 3;
  f.stem = TC_STEM_ENGLISH;
  w = write_fields(&f);
  CHECK_OK(tc_extractor_from_bytes(w.p, w.len, &ex, NULL));
  CHECK(tc_extractor_options(ex)->stem == TC_STEM_ENGLISH);
  CHECK_OK(tc_extractor_vectorize(ex, ws, "bananas", 7, &v));
  CHECK(v.n == 1 && v.f[0].index == 2);
  tc_workspace_free(ws);
  tc_extractor_free(ex);
  free(w.p);

  f = valid_fields(); f.version = 4; EXPECT(f, TC_EVERSION, "format version 4, this library reads 2 and 3");
  f = valid_fields(); f.version = 3; f.stem = TC_STEM_ENGLISH; EXPECT(f, TC_OK, "");
  f = valid_fields(); f.version = 3; f.title_terms = 1; EXPECT(f, TC_OK, "");
  f = valid_fields(); f.version = 3; f.stem = TC_STEM_ENGLISH; f.title_terms = 1; EXPECT(f, TC_OK, "");
  f = valid_fields(); f.version = 3;
  EXPECT(f, TC_EFORMAT, "options: stem and title_terms both off in format 3");
  f = valid_fields(); f.version = 3; f.title_terms = 2; EXPECT(f, TC_EFORMAT, "options: title_terms must be 0 or 1");
  f = valid_fields(); f.version = 3; f.title_terms = 1; f.opt[6] = 0; f.opt[7] = 0; f.opt[8] = 2; f.opt[9] = 3;
  EXPECT(f, TC_EFORMAT, "options: title_terms needs word n-grams");
  f = valid_fields(); f.version = 3; f.stem = 2; EXPECT(f, TC_EFORMAT, "options: stem must be");
  f = valid_fields(); f.version = 3; f.stem = -1; EXPECT(f, TC_EFORMAT, "options.stem: 4294967295 out of range");
  f = valid_fields(); f.version = 1; EXPECT(f, TC_EVERSION, "format version 1 does not record its text rules");
  {
    char want[128];
    snprintf(want, sizeof want, "model made with text rules %u, this build has %u: retrain",
             TCI_TEXT_RULES + 1, TCI_TEXT_RULES);
    f = valid_fields(); f.rules = TCI_TEXT_RULES + 1; EXPECT(f, TC_EVERSION, want);
    snprintf(want, sizeof want, "model made with text rules 0, this build has %u: retrain", TCI_TEXT_RULES);
    f = valid_fields(); f.rules = 0; EXPECT(f, TC_EVERSION, want);
  }
  f = valid_fields(); f.opt[0] = 2; EXPECT(f, TC_EFORMAT, "strip_boilerplate");
  f = valid_fields(); f.opt[4] = 3; EXPECT(f, TC_EFORMAT, "max_token_bytes");
  f = valid_fields(); f.opt[4] = -1; EXPECT(f, TC_EFORMAT, "options.max_token_bytes");
  f = valid_fields(); f.opt[7] = 9; EXPECT(f, TC_EFORMAT, "word_ngram");
  f = valid_fields(); f.opt[8] = 3; EXPECT(f, TC_EFORMAT, "char_ngram");
  f = valid_fields(); f.opt[10] = 0; EXPECT(f, TC_EFORMAT, "min_df");
  f = valid_fields(); f.max_df = NAN; EXPECT(f, TC_EFORMAT, "max_df");
  f = valid_fields(); f.max_df = 1.5; EXPECT(f, TC_EFORMAT, "max_df");
  f = valid_fields(); f.opt[15] = 7; EXPECT(f, TC_EFORMAT, "l2_normalize");
  f = valid_fields(); f.opt[5] = TC_STOPWORDS_NONE; EXPECT(f, TC_EFORMAT, "stopword_mode");
  f = valid_fields(); f.n_stop = 0xFFFFFFF0u; EXPECT(f, TC_EFORMAT, "cannot fit");
  f = valid_fields(); f.n_stop = 2; EXPECT(f, TC_EFORMAT, "options.stopwords"); /* 2 claimed, 1 present */
  f = valid_fields(); f.n_docs = 0; EXPECT(f, TC_EFORMAT, "document count");
  f = valid_fields(); f.n_docs = 1ull << 40; EXPECT(f, TC_EFORMAT, "document count");
  f = valid_fields(); f.n_terms = 0; EXPECT(f, TC_EFORMAT, "no terms");
  f = valid_fields(); f.n_terms = 0x7FFFFFFF; EXPECT(f, TC_EFORMAT, "cannot fit");
  f = valid_fields(); f.n_terms = 4; f.term[3] = "cherry"; f.df[3] = 1; f.opt[12] = 3;
  EXPECT(f, TC_EFORMAT, "max_features");
  f = valid_fields(); f.term[1] = ""; EXPECT(f, TC_EFORMAT, "term 2 is empty");
  f = valid_fields(); f.term[1] = "ban\xff"; EXPECT(f, TC_EFORMAT, "term 2 is not valid UTF-8");
  f = valid_fields(); f.term[1] = "\xc0\xaf"; EXPECT(f, TC_EFORMAT, "UTF-8"); /* overlong */
  f = valid_fields(); f.term[1] = "\xed\xa0\x80"; EXPECT(f, TC_EFORMAT, "UTF-8"); /* surrogate */
  f = valid_fields(); f.df[2] = 0; EXPECT(f, TC_EFORMAT, "term 3 has df 0");
  f = valid_fields(); f.df[0] = 4; EXPECT(f, TC_EFORMAT, "term 1 has df 4");
  f = valid_fields(); f.opt[10] = 2; EXPECT(f, TC_EFORMAT, "min_df"); /* df 1 below min_df 2 */
  f = valid_fields(); f.max_df = 0.5; EXPECT(f, TC_EFORMAT, "max_df"); /* df 3 of 3 */
  f = valid_fields(); f.df[2] = 3; EXPECT(f, TC_EFORMAT, "out of order");
  f = valid_fields(); f.df[1] = 3; EXPECT(f, TC_OK, ""); /* equal df, "apple" < "banana" */
  f = valid_fields(); f.term[0] = "banana"; f.term[1] = "apple"; f.df[1] = 3;
  EXPECT(f, TC_EFORMAT, "term 2 is out of order");
  f = valid_fields(); f.term[1] = "apple"; f.df[1] = 3; EXPECT(f, TC_EFORMAT, "term 2 repeats term 1");
  f = valid_fields(); f.term[2] = "apple"; EXPECT(f, TC_EFORMAT, "term 3 repeats term 1");
}

TEST(magic_is_checked) {
  fields f = valid_fields();
  tci_writer w = write_fields(&f);
  tc_extractor *ex = NULL;
  tc_diag d;
  w.p[0] = 'X';
  CHECK_EQ_INT(tc_extractor_from_bytes(w.p, w.len, &ex, &d), TC_EFORMAT);
  CHECK(strstr(d.message, "magic") != NULL);
  free(w.p);
}

/* A vocabulary of 200,000 terms fits, saves and loads. */
TEST(vocabulary_of_200k_terms) {
  enum { DOCS = 2000, PER = 100 };
  char **texts = malloc(DOCS * sizeof *texts);
  size_t *lens = malloc(DOCS * sizeof *lens), d, k, n = 0;
  tc_options o;
  tc_extractor *ex = NULL, *back = NULL;
  unsigned char *p = NULL;
  tc_diag dg;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_NONE;
  o.word_ngram_max = 1;
  o.min_df = 1;
  for (d = 0; d < DOCS; d++) {
    size_t pos = 0;
    texts[d] = malloc(PER * 10);
    for (k = 0; k < PER; k++) pos += (size_t)sprintf(texts[d] + pos, "t%zu ", d * PER + k);
    lens[d] = pos;
  }
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  CHECK_OK(tc_extractor_fit(ex, DOCS, (const char *const *)texts, lens, NULL, NULL));
  CHECK_EQ_INT(tc_extractor_n_features(ex), DOCS * PER);
  CHECK_OK(tc_extractor_to_bytes(ex, &p, &n));
  CHECK_OK(tc_extractor_from_bytes(p, n, &back, &dg));
  CHECK(back && tc_extractor_n_features(back) == DOCS * PER);
  if (back) {
    tc_workspace *ws = NULL;
    tc_vector v;
    size_t len;
    const char *nm = tc_extractor_feature_name(back, DOCS * PER, &len);
    CHECK(nm && len >= 2 && nm[0] == 't');
    CHECK_OK(tc_workspace_new(&ws));
    CHECK_OK(tc_extractor_vectorize(back, ws, texts[1234], lens[1234], &v));
    CHECK_EQ_INT(v.n, PER);
    tc_workspace_free(ws);
  }
  free(p);
  tc_extractor_free(ex);
  tc_extractor_free(back);
  for (d = 0; d < DOCS; d++) free(texts[d]);
  free(texts);
  free(lens);
}

/* The index is filled bucket by bucket, not in term order (vocab.c): on a
 * table of many buckets every term must still be found at its own index,
 * and a repeat anywhere (first and last term, neighbours) must be named
 * with the earlier term, as term-order insertion would. */
TEST(vocabulary_index_of_many_buckets) {
  enum { N = 70000 };
  tci_vterm *t = malloc(N * sizeof *t);
  char *bytes = malloc((size_t)N * 8);
  tci_vocab *v = NULL;
  tc_diag d;
  size_t i, lost = 0;
  CHECK(t && bytes);
  if (!t || !bytes) goto done;
  for (i = 0; i < N; i++) {
    snprintf(bytes + i * 8, 8, "w%06zu", i);
    t[i].p = bytes + i * 8;
    t[i].len = 7;
    t[i].df = 1;
  }
  CHECK_OK(tci_vocab_build(t, N, 5, &v, &d));
  if (v) {
    CHECK(v->mask + 1 > (size_t)8 << 12); /* several buckets */
    for (i = 0; i < N; i++) {
      tc_token tok;
      tci_term q;
      size_t len;
      tok.text = bytes + i * 8;
      tok.len = 7;
      memset(&q, 0, sizeof q);
      q.kind = TCI_TERM_WORDS;
      q.tok = &tok;
      q.n = 1;
      q.len = 7;
      q.hash = tci_term_hash(tok.text, 7);
      lost += tci_vocab_find(v, &q) != (int)i + 1;
      lost += memcmp(tci_vocab_term(v, i, &len), tok.text, 7) != 0 || len != 7;
    }
    CHECK(lost == 0);
    tci_vocab_free(v);
    v = NULL;
  }
  t[N - 1].p = t[0].p; /* the last repeats the first */
  CHECK_EQ_INT(tci_vocab_build(t, N, 5, &v, &d), TC_EFORMAT);
  CHECK(strstr(d.message, "term 70000 repeats term 1") != NULL);
  CHECK(v == NULL);
  t[N - 1].p = bytes + (N - 1) * 8;
  t[40001].p = t[40000].p; /* neighbours */
  CHECK_EQ_INT(tci_vocab_build(t, N, 5, &v, &d), TC_EFORMAT);
  CHECK(strstr(d.message, "term 40002 repeats term 40001") != NULL);
done:
  free(t);
  free(bytes);
}

/* Hash flooding (vocab.c): the 16 word 4-grams of the two Thue-Morse
 * words share one hash. A vocabulary may hold 9 of them, each still found
 * by its bytes; with 10 the loader refuses, naming the problem, where it
 * used to accept them and compare every pair while indexing. */
TEST(vocabulary_refuses_terms_sharing_a_hash) {
  enum { WORDS = 4, GRAM = WORDS * (TM_LEN + 1) };
  char *g = malloc(16 * GRAM);
  size_t len = 0, k;
  unsigned n;
  int same = 1;
  CHECK(g != NULL);
  if (!g) return;
  for (k = 0; k < 16; k++) len = thue_morse_gram(g + k * GRAM, (unsigned)k, WORDS);
  for (k = 1; k < 16; k++) same &= tci_term_hash(g + k * GRAM, len) == tci_term_hash(g, len);
  CHECK(same);
  for (n = 9; n <= 10; n++) {
    fields f = valid_fields();
    tci_writer w;
    tc_extractor *ex = NULL;
    tc_diag d;
    int rc;
    f.opt[4] = TC_MAX_TOKEN_BYTES;
    f.opt[6] = f.opt[7] = WORDS; /* word 4-grams only */
    f.n_terms = n;
    f.term[0] = NULL; /* the terms follow */
    w = write_fields(&f);
    for (k = 0; k < n; k++) {
      tci_put_str(&w, g + k * GRAM, len);
      tci_put_u32(&w, 1);
    }
    memset(&d, 0, sizeof d);
    rc = tc_extractor_from_bytes(w.p, w.len, &ex, &d);
    if (n == 9) {
      tc_workspace *ws = NULL;
      tc_vector v;
      CHECK_OK(rc);
      CHECK_OK(tc_workspace_new(&ws));
      for (k = 0; ex && ws && k < n; k++) {
        CHECK_OK(tc_extractor_vectorize(ex, ws, g + k * GRAM, len, &v));
        CHECK(v.n == 1 && v.f[0].index == (int)k + 1);
      }
      tc_workspace_free(ws);
    } else {
      CHECK_EQ_INT(rc, TC_EFORMAT);
      CHECK(strstr(d.message, "vocabulary: more than 8 terms share a hash with term 10") != NULL);
      CHECK(ex == NULL);
    }
    tc_extractor_free(ex);
    free(w.p);
  }
  free(g);
}

/* n terms "h0000000", "h0000001", ... into t and bytes (8 bytes each):
 * with crowd, any whose home slot in a table of 2048 (tci_mix, vocab.c)
 * is one of the 64 from `start`; else one for each of the n slots from
 * `start` on, wrapping past the last. */
static void homed_terms(tci_vterm *t, char *bytes, size_t n, size_t start, int crowd) {
  unsigned char taken[2048] = {0};
  size_t found = 0, cand, home;
  for (cand = 0; found < n; cand++) {
    char *s = bytes + found * 8;
    snprintf(s, 9, "h%07zu", cand);
    home = (tci_mix(tci_term_hash(s, 8)) - start) & 2047;
    if (home >= (crowd ? 64 : n) || (!crowd && taken[home]++)) continue;
    t[found].p = s;
    t[found].len = 8;
    t[found].df = 1;
    found++;
  }
}

/* Terms chosen for their home slots make long runs without sharing a
 * hash; a lookup of an absent term walks to the end of its run. A run of
 * 1024 is accepted, of 1025 refused, wrapping past the last slot or not,
 * and so are 1100 terms homed in 64 slots: the old index took them all. */
TEST(vocabulary_refuses_a_crowded_run) {
  enum { N = 1100 };
  tci_vterm *t = malloc(N * sizeof *t);
  char *bytes = malloc(N * 8 + 1);
  tci_vocab *v = NULL;
  tc_diag d;
  CHECK(t && bytes);
  if (!t || !bytes) goto done;
  homed_terms(t, bytes, 1024, 0, 0);
  CHECK_OK(tci_vocab_build(t, 1024, 5, &v, &d));
  CHECK(v && v->mask == 2047);
  tci_vocab_free(v);
  v = NULL;
  homed_terms(t, bytes, 1025, 0, 0);
  CHECK_EQ_INT(tci_vocab_build(t, 1025, 5, &v, &d), TC_EFORMAT);
  CHECK(strstr(d.message, "vocabulary: more than 1024 terms crowd one run of the hash index") != NULL);
  CHECK(v == NULL);
  homed_terms(t, bytes, 1025, 2048 - 500, 0);
  CHECK_EQ_INT(tci_vocab_build(t, 1025, 5, &v, &d), TC_EFORMAT);
  CHECK(v == NULL);
  homed_terms(t, bytes, N, 0, 1);
  CHECK_EQ_INT(tci_vocab_build(t, N, 5, &v, &d), TC_EFORMAT);
  CHECK(strstr(d.message, "crowd one run") != NULL);
  CHECK(v == NULL);
done:
  tci_vocab_free(v);
  free(t);
  free(bytes);
}

/* ------------------------------------------------------- stop word index */

/* The six-letter word number c ("aaaaaa", "baaaaa", ...) into w[7]. */
static void word6(unsigned long c, char *w) {
  int j;
  for (j = 0; j < 6; j++, c /= 26) w[j] = (char)('a' + c % 26);
  w[6] = '\0';
}

/* n distinct six-letter words into words (7 bytes each) whose packed key
 * (stopwords.c: little-endian bytes) has home slot home + i * step (mod
 * mask + 1) for word i: step 0 piles them on one slot, step 1 lays them
 * side by side. The search starts at word number *from and moves it on. */
static void homed_words(char *words, size_t n, size_t mask, size_t home, size_t step,
                        unsigned long *from) {
  size_t i;
  for (i = 0; i < n; i++) {
    char *w = words + 7 * i;
    for (;; (*from)++) {
      uint64_t key = 0;
      int j;
      word6(*from, w);
      for (j = 0; j < 6; j++) key |= (uint64_t)(unsigned char)w[j] << (8 * j);
      if (TCI_STOP_SLOT(key, mask) == ((home + i * step) & mask)) break;
    }
    (*from)++;
  }
}

/* Build a custom stop set of the n words (7 bytes each) of words. */
static int build_stop(tc_workspace *ws, const char *words, size_t n, tci_stopset *s, tc_diag *d) {
  const char **list = malloc(n * sizeof *list);
  tc_options o;
  size_t i;
  int rc;
  if (!list) return TC_ENOMEM;
  for (i = 0; i < n; i++) list[i] = words + 7 * i;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = list;
  o.n_stopwords = n;
  rc = tci_stopset_build(s, &o, ws, d);
  free(list);
  return rc;
}

/* Regression: custom stop words come from model files too, and words
 * chosen to share a slot made indexing quadratic and every lookup near
 * them slow (160,000 took 6.9 s to load). A run of 64 slots is allowed,
 * 65 is refused, whether piled on one slot or side by side. */
TEST(stop_words_made_to_collide_are_refused) {
  char *words = malloc(7 * 80);
  tc_workspace *ws = NULL;
  tci_stopset s;
  tc_diag d;
  unsigned long from = 0;
  size_t i;
  CHECK(words != NULL);
  CHECK_OK(tc_workspace_new(&ws));
  if (!words || !ws) goto done;
  homed_words(words, 64, 511, 5, 0, &from); /* 64 words: 512 slots */
  CHECK_OK(build_stop(ws, words, 64, &s, &d));
  for (i = 0; i < 64; i++) CHECK(tci_stopset_has(&s, words + 7 * i, 6));
  tci_stopset_free(&s);
  homed_words(words, 65, 1023, 5, 0, &from); /* 65 words: 1024 slots */
  CHECK_EQ_INT(build_stop(ws, words, 65, &s, &d), TC_EINVAL);
  CHECK(strstr(d.message, "stopwords: more than 64 words crowd one run of the hash index") != NULL);
  CHECK_EQ_INT(s.n, 0);
  homed_words(words, 65, 1023, 1000, 1, &from); /* side by side, across the end */
  CHECK_EQ_INT(build_stop(ws, words, 65, &s, &d), TC_EINVAL);
  CHECK(strstr(d.message, "crowd one run") != NULL);
  homed_words(words, 64, 511, 500, 1, &from);
  CHECK_OK(build_stop(ws, words, 64, &s, &d));
  tci_stopset_free(&s);
done:
  tc_workspace_free(ws);
  free(words);
}

/* Lists of real shape pass the bound: 200,000 numbered words, half of
 * them longer than 8 bytes (the other index), and all are found. */
TEST(stop_word_lists_of_200k_words) {
  enum { N = 200000 };
  char *bytes = malloc((size_t)N * 16);
  const char **list = malloc(N * sizeof *list);
  tc_workspace *ws = NULL;
  tci_stopset s;
  tc_options o;
  tc_diag d;
  size_t i, found = 0;
  CHECK(bytes && list);
  CHECK_OK(tc_workspace_new(&ws));
  if (!bytes || !list || !ws) goto done;
  for (i = 0; i < N; i++) {
    list[i] = bytes + 16 * i;
    snprintf(bytes + 16 * i, 16, i % 2 ? "w%zu" : "longword%zu", i);
  }
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = list;
  o.n_stopwords = N;
  CHECK_OK(tci_stopset_build(&s, &o, ws, &d));
  for (i = 0; i < N; i++) found += tci_stopset_has(&s, list[i], strlen(list[i]));
  CHECK_EQ_INT(found, N);
  tci_stopset_free(&s);
done:
  tc_workspace_free(ws);
  free(list);
  free(bytes);
}

/* Each word of a custom list is valid UTF-8: the file format says every
 * string is, so a list that was not could be saved but never loaded. */
TEST(stop_words_must_be_utf8) {
  static const char *const bad[] = {"alpha", "\xffhe"};
  tc_options o;
  tc_extractor *ex = NULL;
  tc_diag d;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = bad;
  o.n_stopwords = 2;
  CHECK_EQ_INT(tc_extractor_new(&o, &ex, &d), TC_EINVAL);
  CHECK(strstr(d.message, "stopwords: word 2 is not valid UTF-8") != NULL);
  CHECK(ex == NULL);
}

/* The same two refusals when the words come from a model's bytes: a saved
 * extractor whose words are overwritten in place (same lengths) with words
 * made to collide, or with a byte that is not UTF-8. */
TEST(loading_refuses_colliding_or_invalid_stop_words) {
  enum { N = 65 };
  char *words = malloc(7 * N), *colliding = malloc(7 * N);
  const char *list[N];
  tc_options o = small_options();
  tc_extractor *ex = NULL, *back = NULL;
  unsigned char *p = NULL;
  size_t n = 0, i, at;
  unsigned long from = 0;
  tc_diag d;
  CHECK(words && colliding);
  if (!words || !colliding) goto done;
  for (i = 0; i < N; i++) {
    word6(100000 + 7919 * i, words + 7 * i); /* spread out */
    list[i] = words + 7 * i;
  }
  homed_words(colliding, N, 1023, 7, 0, &from);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = list;
  o.n_stopwords = N;
  ex = fitted(&o);
  CHECK(ex != NULL);
  if (!ex) goto done;
  CHECK_OK(tc_extractor_to_bytes(ex, &p, &n));
  CHECK_OK(tc_extractor_from_bytes(p, n, &back, &d));
  tc_extractor_free(back);
  back = NULL;
  for (i = 0; i < N; i++) { /* each word is stored as a u32 length 6, then its bytes */
    for (at = 4; at + 6 <= n; at++)
      if (memcmp(p + at, words + 7 * i, 6) == 0 && memcmp(p + at - 4, "\6\0\0\0", 4) == 0) break;
    CHECK(at + 6 <= n);
    if (at + 6 <= n) memcpy(p + at, colliding + 7 * i, 6);
  }
  CHECK_EQ_INT(tc_extractor_from_bytes(p, n, &back, &d), TC_EFORMAT);
  CHECK(strstr(d.message, "crowd one run") != NULL);
  CHECK(back == NULL);
  for (at = 4; at + 6 <= n; at++)
    if (memcmp(p + at, colliding, 6) == 0) break;
  CHECK(at + 6 <= n);
  if (at + 6 <= n) p[at] = 0xFF;
  CHECK_EQ_INT(tc_extractor_from_bytes(p, n, &back, &d), TC_EFORMAT);
  CHECK(strstr(d.message, "not valid UTF-8") != NULL);
  CHECK(back == NULL);
done:
  tc_extractor_free(ex);
  free(p);
  free(words);
  free(colliding);
}

#ifdef HAVE_OOM_HOOK
/* tc_extractor_to_bytes and tc_extractor_from_bytes with each allocation
 * failing in turn (oom.h): a failure is TC_ENOMEM with nothing made
 * (*out NULL, the diag saying memory ran out) and nothing leaked; a
 * success gives the unhooked bytes, and an extractor that saves them
 * again and vectorises as the original does. */
static void sweep_extractor_bytes(tc_options *o) {
  tc_extractor *ex = fitted(o), *back;
  unsigned char *want = NULL, *got, *again;
  size_t want_n = 0, got_n, again_n;
  tc_diag d;
  oom_sweep s = oom_sweep_start("tc_extractor_to_bytes", 1000);
  if (!ex || tc_extractor_to_bytes(ex, &want, &want_n) != TC_OK) {
    CHECK(0);
    tc_extractor_free(ex);
    return;
  }
  while (oom_next(&s)) {
    int rc;
    got = (unsigned char *)&d; /* not NULL: a failure must set it */
    oom_arm(&s);
    rc = tc_extractor_to_bytes(ex, &got, &got_n);
    if (oom_failed(&s, rc, NULL)) CHECK(got == NULL && got_n == 0);
    else CHECK_MEM(got, got_n, want, want_n);
    if (rc == TC_OK) free(got);
  }
  oom_sweep_finish(&s, 1);
  s = oom_sweep_start("tc_extractor_from_bytes", 5000);
  while (oom_next(&s)) {
    int rc;
    back = ex; /* not NULL: a failure must set it */
    memset(&d, 0, sizeof d);
    oom_arm(&s);
    rc = tc_extractor_from_bytes(want, want_n, &back, &d);
    if (oom_failed(&s, rc, d.message)) {
      CHECK(back == NULL && d.code == TC_ENOMEM);
      continue;
    }
    again = NULL;
    CHECK_OK(tc_extractor_to_bytes(back, &again, &again_n));
    if (again) CHECK_MEM(again, again_n, want, want_n);
    CHECK(same_vectors(ex, back));
    free(again);
    tc_extractor_free(back);
  }
  oom_sweep_finish(&s, 10);
  free(want);
  tc_extractor_free(ex);
}

TEST(allocation_failures) {
  static const char *stop[] = {"The", "ON", "caf\xc3\xa9", "in"};
  tc_options o = small_options();
  o.char_ngram_min = 2;
  o.char_ngram_max = 3;
  o.title_terms = 1;
  sweep_extractor_bytes(&o);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = stop;
  o.n_stopwords = 4;
  o.stem = TC_STEM_ENGLISH;
  sweep_extractor_bytes(&o);
}
#endif

int main(void) {
  RUN(round_trips_are_identical);
  RUN(unfitted_and_bad_arguments);
  RUN(every_truncation_is_rejected);
  RUN(random_byte_flips_never_crash);
  RUN(hand_made_bytes_and_each_bad_field);
  RUN(magic_is_checked);
  RUN(vocabulary_of_200k_terms);
  RUN(vocabulary_index_of_many_buckets);
  RUN(vocabulary_refuses_terms_sharing_a_hash);
  RUN(vocabulary_refuses_a_crowded_run);
  RUN(stop_words_made_to_collide_are_refused);
  RUN(stop_word_lists_of_200k_words);
  RUN(stop_words_must_be_utf8);
  RUN(loading_refuses_colliding_or_invalid_stop_words);
#ifdef HAVE_OOM_HOOK
  RUN(allocation_failures);
#endif
  return check_report();
}
