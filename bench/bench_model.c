/*
 * bench_model.c - how long loading a model file takes, and where the time goes.
 *
 * By hand:
 *   cc -std=c99 -O2 -D_POSIX_C_SOURCE=200809L -Icore bench/bench_model.c \
 *      build/libtextclass.a -lutf8proc -lsvm -llinear -lpthread -lm -o /tmp/bench_model
 *   /tmp/bench_model [n_features [n_labels]]      (defaults 300000 and 4)
 *
 * Builds a linear model of the default model's shape without corpora: an
 * extractor fitted on synthetic text (pseudo-random words, unigrams and
 * bigrams, capped at n_features by max_features) and weights from a fixed
 * sequence; saves it to a temporary file; then reports, as the best of 7
 * rounds of CPU time (not wall time, so a busy machine counts less):
 *   load        tc_model_load, the whole thing
 *   crc32       tci_crc32 over the checksummed bytes
 *   extractor   tc_extractor_from_bytes over the EXTR section
 *   rest        load - crc32 - extractor: reading the file, the other
 *               sections and their validation
 * The file is removed at the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

/* A lexicon of pseudo-random lower-case words, 3..10 letters. */
static char *make_word(void) {
  size_t n = 3 + (size_t)(next() % 8), i;
  char *w = malloc(n + 1);
  if (!w) return NULL;
  for (i = 0; i < n; i++) w[i] = (char)('a' + next() % 26);
  w[n] = 0;
  return w;
}

/* Documents of 200 words drawn with a skew towards frequent words, so the
 * vocabulary has a realistic mix of document frequencies. */
static int make_docs(size_t n_docs, char ***texts, size_t **lens) {
  enum { LEX = 60000, WORDS = 200 };
  char **lex = malloc(LEX * sizeof *lex);
  size_t d, i, k;
  *texts = malloc(n_docs * sizeof **texts);
  *lens = malloc(n_docs * sizeof **lens);
  if (!lex || !*texts || !*lens) return 0;
  for (i = 0; i < LEX; i++)
    if (!(lex[i] = make_word())) return 0;
  for (d = 0; d < n_docs; d++) {
    char *t = malloc(WORDS * 12), *p = t;
    if (!t) return 0;
    for (k = 0; k < WORDS; k++) {
      uint64_t r = next();
      size_t w = (size_t)((r % LEX) * ((r >> 32) % LEX) / LEX); /* skewed to low ranks */
      size_t n = strlen(lex[w]);
      memcpy(p, lex[w], n);
      p += n;
      *p++ = ' ';
    }
    (*texts)[d] = t;
    (*lens)[d] = (size_t)(p - t);
  }
  for (i = 0; i < LEX; i++) free(lex[i]);
  free(lex);
  return 1;
}

static size_t extr_section(const unsigned char *b, size_t len, size_t *plen) {
  size_t at = 32;
  while (at + 12 <= len) {
    uint64_t n = 0;
    int i;
    for (i = 7; i >= 0; i--) n = (n << 8) | b[at + 4 + (size_t)i];
    if (memcmp(b + at, "EXTR", 4) == 0) {
      *plen = (size_t)n;
      return at + 12;
    }
    at += 12 + (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  size_t target = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 300000;
  size_t nl = argc > 2 ? (size_t)strtoul(argv[2], NULL, 10) : 4;
  size_t n_docs = target / 25 + 1000, nf, i, len, xlen = 0, xat;
  char **texts, *path;
  size_t *lens;
  tc_options o;
  tc_extractor *ex = NULL;
  tc_model *m, *r;
  tc_diag d;
  unsigned char *bytes;
  double best_load = 1e9, best_crc = 1e9, best_ex = 1e9;
  int round, fd;
  char tmpl[] = "/tmp/bench_model.XXXXXX";

  if (nl == 0 || target == 0 || !make_docs(n_docs, &texts, &lens)) {
    fprintf(stderr, "bench_model: bad arguments or out of memory\n");
    return 1;
  }
  tc_options_init(&o);
  o.min_df = 1;
  o.max_features = (int)target;
  if (tc_extractor_new(&o, &ex, &d) != TC_OK ||
      tc_extractor_fit(ex, n_docs, (const char *const *)texts, lens, NULL, NULL) != TC_OK) {
    fprintf(stderr, "bench_model: fitting failed\n");
    return 1;
  }
  for (i = 0; i < n_docs; i++) free(texts[i]);
  free(texts);
  free(lens);
  nf = tc_extractor_n_features(ex);

  if (tci_model_alloc(&m) != TC_OK) return 1;
  m->ex = ex;
  m->n_labels = nl;
  m->labels = calloc(nl, sizeof *m->labels);
  m->weights = malloc(nf * nl * sizeof *m->weights);
  m->bias = calloc(nl, sizeof *m->bias);
  m->platt_a = calloc(nl, sizeof *m->platt_a);
  m->platt_b = calloc(nl, sizeof *m->platt_b);
  m->threshold = 0.5;
  if (!m->labels || !m->weights || !m->bias || !m->platt_a || !m->platt_b) return 1;
  for (i = 0; i < nl; i++) {
    m->labels[i] = malloc(32);
    if (!m->labels[i]) return 1;
    snprintf(m->labels[i], 32, "label%zu", i);
    m->platt_a[i] = -1;
  }
  for (i = 0; i < nf * nl; i++) m->weights[i] = (float)((double)(next() % 2001) / 1000.0 - 1.0);

  fd = mkstemp(tmpl);
  if (fd < 0) return 1;
  close(fd);
  path = tmpl;
  if (tc_model_save(m, path, &d) != TC_OK || tc_model_to_bytes(m, &bytes, &len) != TC_OK) {
    fprintf(stderr, "bench_model: %s\n", d.message);
    return 1;
  }
  xat = extr_section(bytes, len, &xlen);

  for (round = 0; round < 7; round++) {
    double t = cpu_now();
    volatile uint32_t crc;
    tc_extractor *e2 = NULL;
    if (tc_model_load(path, &r, &d) != TC_OK) {
      fprintf(stderr, "bench_model: load: %s\n", d.message);
      return 1;
    }
    t = cpu_now() - t;
    if (t < best_load) best_load = t;
    tc_model_free(r);
    t = cpu_now();
    crc = tci_crc32(0, bytes + 32, len - 32);
    (void)crc;
    t = cpu_now() - t;
    if (t < best_crc) best_crc = t;
    t = cpu_now();
    if (tc_extractor_from_bytes(bytes + xat, xlen, &e2, &d) != TC_OK) return 1;
    t = cpu_now() - t;
    if (t < best_ex) best_ex = t;
    tc_extractor_free(e2);
  }
  printf("model: %zu features x %zu labels, %.1f MB (extractor %.1f MB)\n", nf, nl, (double)len / 1e6,
         (double)xlen / 1e6);
  printf("load %.1f ms = crc32 %.1f + extractor %.1f + rest %.1f (CPU ms, best of 7)\n", best_load * 1e3,
         best_crc * 1e3, best_ex * 1e3, (best_load - best_crc - best_ex) * 1e3);
  unlink(path);
  free(bytes);
  tc_model_free(m);
  return 0;
}
