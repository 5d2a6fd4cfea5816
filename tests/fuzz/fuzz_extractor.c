/*
 * fuzz_extractor.c - libFuzzer target for tc_extractor_from_bytes.
 *
 * Any input must be rejected cleanly or accepted; an accepted extractor
 * must vectorise text (indices strictly ascending, values finite) and
 * serialise to bytes that load again and serialise identically. Built and
 * run by `make fuzz` (clang, -fsanitize=fuzzer,address,undefined) from the
 * seeds in tests/fuzz/seeds/fuzz_extractor/.
 *
 * The seeds are small fitted extractors written by this same file built
 * without libFuzzer (it then has a main that writes them):
 *   cc -std=c99 -D_POSIX_C_SOURCE=200809L -DFUZZ_WRITE_SEEDS -Icore \
 *      tests/fuzz/fuzz_extractor.c build/libtextclass.a \
 *      -lutf8proc -lsvm -llinear -lpthread -lm -o /tmp/fuzz_seeds
 *   /tmp/fuzz_seeds tests/fuzz/seeds/fuzz_extractor
 * (crowded_stopwords.bin: 60 stop words homed in one slot, see CROWD)
 * except colliding_terms.bin, refused for ten terms of one hash (hash
 * flooding; made by tests/fuzz/colliding_terms.py).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "textclass.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char probe[] =
    "Hackers hit the budget vote\n\ncaf\xc3\xa9 \xe6\x9d\xb1\xe4\xba\xac news \xff "
    "striker scored twice https://example.com/x";

/* abort() is how a libFuzzer target reports a broken property. */
static void require(int ok) {
  if (!ok) abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
  tc_extractor *ex = NULL, *again = NULL;
  tc_workspace *ws = NULL;
  unsigned char *p = NULL, *q = NULL;
  size_t n = 0, m = 0, i;
  tc_vector v;
  tc_diag d;
  int rc = tc_extractor_from_bytes(data, size, &ex, &d);
  if (rc != TC_OK) {
    require(ex == NULL && d.code == rc && d.message[0] != '\0');
    return 0;
  }
  require(tc_extractor_n_features(ex) >= 1);
  if (tc_workspace_new(&ws) == TC_OK &&
      tc_extractor_vectorize(ex, ws, probe, sizeof probe - 1, &v) == TC_OK) {
    for (i = 0; i < v.n; i++) {
      require(v.f[i].index >= 1 && (size_t)v.f[i].index <= tc_extractor_n_features(ex));
      require(isfinite(v.f[i].value));
      require(i == 0 || v.f[i - 1].index < v.f[i].index);
    }
  }
  if (tc_extractor_to_bytes(ex, &p, &n) == TC_OK) {
    require(tc_extractor_from_bytes(p, n, &again, NULL) == TC_OK);
    require(tc_extractor_to_bytes(again, &q, &m) == TC_OK);
    require(n == m && memcmp(p, q, n) == 0);
  }
  free(p);
  free(q);
  tc_extractor_free(again);
  tc_extractor_free(ex);
  tc_workspace_free(ws);
  return 0;
}

#ifdef FUZZ_WRITE_SEEDS
/* ==================================================== seed writer */

static const char *const corpus[] = {
    "Budget vote\n\nMinisters met in Brussels to discuss the budget; the budget vote is on Monday.",
    "Cup final\n\nThe striker scored twice as the home side won the cup final on Saturday.",
    "Hackers exploited a zero-day flaw in the VPN software, the vendor said.",
    "The vendor released a patch for the flaw after hackers targeted banks.",
    "Voters in Brussels back the budget; ministers welcome the vote.",
    "Caf\xc3\xa9 owners in \xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd report a cup shortage!",
};

static int write_seed(const char *dir, const char *name, const tc_options *o) {
  size_t lens[6], i, n;
  tc_extractor *ex = NULL;
  unsigned char *p = NULL;
  char path[1024];
  FILE *f;
  int ok;
  for (i = 0; i < 6; i++) lens[i] = strlen(corpus[i]);
  if (tc_extractor_new(o, &ex, NULL) != TC_OK ||
      tc_extractor_fit(ex, 6, corpus, lens, NULL, NULL) != TC_OK ||
      tc_extractor_to_bytes(ex, &p, &n) != TC_OK) {
    fprintf(stderr, "fuzz_seeds: cannot make %s\n", name);
    tc_extractor_free(ex);
    return 1;
  }
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "wb");
  ok = f && fwrite(p, 1, n, f) == n;
  if (f && fclose(f) != 0) ok = 0;
  if (!ok) fprintf(stderr, "fuzz_seeds: cannot write %s\n", path);
  else printf("%s: %zu bytes, %zu terms\n", path, n, tc_extractor_n_features(ex));
  free(p);
  tc_extractor_free(ex);
  return !ok;
}

/* CROWD six-letter words that share one home slot in the stop-word index
 * of a set of CROWD words: stopwords.c's TCI_STOP_SLOT, (key * 0x9E3779B97F4A7C15)
 * >> 32 masked to the table of 8 * CROWD slots rounded up to a power of two
 * (512), the key being the word's bytes as a little-endian number. They
 * make one run of CROWD slots, just under the MAX_RUN (64) a set may have,
 * so the fuzzer starts at the edge of the flooding check. */
#define CROWD 60
static void crowded_words(char words[CROWD][7], const char **list) {
  unsigned long i;
  size_t found = 0;
  for (i = 0; found < CROWD; i++) {
    unsigned long v = i;
    uint64_t key = 0;
    int j;
    for (j = 0; j < 6; j++, v /= 26) words[found][j] = (char)('a' + v % 26);
    words[found][6] = '\0';
    for (j = 5; j >= 0; j--) key = key << 8 | (unsigned char)words[found][j];
    if (((key * 0x9E3779B97F4A7C15ull) >> 32 & 511) == 0) {
      list[found] = words[found];
      found++;
    }
  }
}

int main(int argc, char **argv) {
  static const char *const stop[] = {"the", "in", "a"};
  static char crowd[CROWD][7];
  const char *crowd_list[CROWD];
  tc_options o;
  int bad = 0;
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  tc_options_init(&o);
  o.min_df = 1;
  bad |= write_seed(argv[1], "words_1_2.bin", &o);
  o.min_df = 2;
  o.word_ngram_max = 1;
  bad |= write_seed(argv[1], "words_min_df_2.bin", &o);
  tc_options_init(&o);
  o.min_df = 1;
  o.word_ngram_max = 0;
  o.word_ngram_min = 0;
  o.char_ngram_min = 2;
  o.char_ngram_max = 4;
  o.max_features = 60;
  bad |= write_seed(argv[1], "chars_2_4.bin", &o);
  tc_options_init(&o);
  o.min_df = 1;
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = stop;
  o.n_stopwords = 3;
  o.word_ngram_max = 3;
  o.sublinear_tf = 0;
  o.max_df = 0.5;
  bad |= write_seed(argv[1], "custom_stopwords_1_3.bin", &o);
  tc_options_init(&o);
  o.min_df = 1;
  o.stem = TC_STEM_ENGLISH;
  bad |= write_seed(argv[1], "stems_1_2.bin", &o);
  tc_options_init(&o);
  o.min_df = 1;
  o.title_terms = 1;
  bad |= write_seed(argv[1], "titles_1_2.bin", &o);
  tc_options_init(&o);
  o.min_df = 1;
  crowded_words(crowd, crowd_list);
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = crowd_list;
  o.n_stopwords = CROWD;
  bad |= write_seed(argv[1], "crowded_stopwords.bin", &o);
  return bad;
}
#endif
