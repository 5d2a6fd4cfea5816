/*
 * bench_features.c - speed and memory of the feature stage, one core.
 *
 * Built and run by bench/run (make bench); by hand:
 *   cc -std=c99 -O2 -D_POSIX_C_SOURCE=200809L -Icore bench/bench_features.c \
 *      build/libtextclass.a -lutf8proc -lsvm -llinear -lpthread -lm -o /tmp/bench_features
 *   TEXTCLASS_CORPORA=../shared/corpora /tmp/bench_features
 *
 * Reports, with default options (word 1..2-grams, English stop words,
 * min_df 2, sublinear tf, idf, L2):
 *   fit        tc_extractor_fit over every record of every corpus (all
 *              splits, ~33k documents): seconds, terms kept, peak RSS
 *   bytes      tc_extractor_to_bytes / from_bytes: size and time
 *   tokenise   tc_extractor_tokenize alone on the full-text English news
 *              (BBC, The Hacker News, MasakhaNEWS English train), MB/s
 *   vectorise  tc_extractor_vectorize on the same texts, MB/s of input
 *              (includes tokenising: what prediction pays)
 * Times are CPU seconds of this process (see now()); throughputs are the
 * best of 3 rounds of at least 0.5 s. Without corpora it says so and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "internal.h"
#include "corpus.h"

static int load(docs *d, const char *dir, const char *file) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  if (corpus_load(d, path, SIZE_MAX) == 0) return 0;
  printf("bench_features: SKIPPED: cannot read %s (set TEXTCLASS_CORPORA)\n", path);
  return -1;
}

/* CPU time of this process, not wall time: the machine is shared (the
 * team's builds and benchmarks run beside this), and wall time measured
 * the queue for a core, not the code. Throughputs are per CPU-second. */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double peak_rss_mb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_maxrss / 1024.0; /* KB on Linux */
}

static void check(int rc, const char *what) {
  if (rc != TC_OK) {
    fprintf(stderr, "bench_features: %s: %s\n", what, tc_strerror(rc));
    exit(1);
  }
}

/* One pass over the documents; returns features (or tokens) made, a checksum. */
static size_t pass(int vectorise, const docs *d, const tc_extractor *ex, tc_workspace *ws) {
  size_t i, sum = 0;
  for (i = 0; i < d->n; i++) {
    if (vectorise) {
      tc_vector v;
      check(tc_extractor_vectorize(ex, ws, d->text[i], d->len[i], &v), "vectorize");
      sum += v.n;
    } else {
      tc_tokens t;
      check(tc_extractor_tokenize(ex, ws, d->text[i], d->len[i], &t), "tokenize");
      sum += t.n;
    }
  }
  return sum;
}

static void measure(const char *name, int vectorise, const docs *d, const tc_extractor *ex) {
  tc_workspace *ws;
  double best = 0;
  size_t sum = 0;
  int round;
  check(tc_workspace_new(&ws), "workspace");
  for (round = 0; round < 3; round++) {
    double t0 = now(), t;
    size_t bytes = 0;
    do {
      sum = pass(vectorise, d, ex, ws);
      bytes += d->bytes;
      t = now() - t0;
    } while (t < 0.5);
    if ((double)bytes / t > best) best = (double)bytes / t;
  }
  printf("%-10s %8.1f MB/s  (%zu %s per pass)\n", name, best / 1e6, sum,
         vectorise ? "features" : "tokens");
  tc_workspace_free(ws);
}

int main(void) {
  static const char *const all[] = {
      "agnews/test.jsonl", "bbc/train.jsonl", "bbc/test.jsonl", "cyber/train.jsonl",
      "cyber/test.jsonl", "masakhanews_eng/train.jsonl", "masakhanews_eng/dev.jsonl",
      "masakhanews_eng/test.jsonl", "newsgroups/train.jsonl", "newsgroups/test.jsonl"};
  static const char *const news[] = {"bbc/train.jsonl", "cyber/train.jsonl",
                                     "masakhanews_eng/train.jsonl"};
  const char *dir = getenv("TEXTCLASS_CORPORA");
  docs fitd = {0}, newsd = {0};
  tc_options o;
  tc_extractor *ex, *back;
  unsigned char *p;
  size_t i, n;
  double t0, rss0;
  tc_diag diag;
  if (!dir) dir = "../shared/corpora";
  for (i = 0; i < sizeof all / sizeof all[0]; i++)
    if (load(&fitd, dir, all[i]) != 0) return 0;
  for (i = 0; i < sizeof news / sizeof news[0]; i++)
    if (load(&newsd, dir, news[i]) != 0) return 0;
  tc_options_init(&o);
  check(tc_extractor_new(&o, &ex, NULL), "extractor");

  rss0 = peak_rss_mb();
  t0 = now();
  check(tc_extractor_fit(ex, fitd.n, (const char *const *)fitd.text, fitd.len, NULL, NULL), "fit");
  printf("fit        %8.2f s CPU (%zu documents, %.1f MB; %zu terms kept; peak RSS %.0f MB, "
         "%.0f MB before)\n",
         now() - t0, fitd.n, (double)fitd.bytes / 1e6, tc_extractor_n_features(ex), peak_rss_mb(),
         rss0);

  t0 = now();
  check(tc_extractor_to_bytes(ex, &p, &n), "to_bytes");
  printf("to_bytes   %8.3f s CPU (%.1f MB)\n", now() - t0, (double)n / 1e6);
  t0 = now();
  if (tc_extractor_from_bytes(p, n, &back, &diag) != TC_OK) {
    fprintf(stderr, "bench_features: from_bytes: %s\n", diag.message);
    return 1;
  }
  printf("from_bytes %8.3f s CPU\n", now() - t0);
  free(p);
  tc_extractor_free(back);

  printf("English news: %zu documents, %.1f MB, one thread\n", newsd.n, (double)newsd.bytes / 1e6);
  measure("tokenise", 0, &newsd, ex);
  measure("vectorise", 1, &newsd, ex);
  tc_extractor_free(ex);
  corpus_free(&fitd);
  corpus_free(&newsd);
  return 0;
}
