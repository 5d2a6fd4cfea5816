/*
 * bench_predict.c - per-document prediction throughput of the core, one thread.
 *
 * Built and run by bench/run (make bench); by hand:
 *   cc -std=c99 -O2 -D_POSIX_C_SOURCE=200809L -Icore -Itests/c bench/bench_predict.c \
 *      build/libtextclass.a -lutf8proc -lsvm -llinear -lpthread -lm -o /tmp/bench_predict
 *   /tmp/bench_predict [MODEL TEST.jsonl [ROUNDS]]
 *
 * Without arguments: models/news.model on the test splits of the news4
 * task's corpora (bbc, newsgroups, cyber, masakhanews_eng, agnews) from
 * $TEXTCLASS_CORPORA or ../shared/corpora; without those it says so and
 * exits 0. The figures in docs/benchmarks.md also use two bigger models
 * (C=../shared/corpora):
 *   bin/textclass train -q -j 1 --label-field orig_label -o ng.model C/newsgroups/train.jsonl
 *   cat C/{bbc,newsgroups,cyber,masakhanews_eng}/train.jsonl > n4train.jsonl
 *   bin/textclass train -q -j 1 -o n4.model n4train.jsonl
 * measured on C/newsgroups/test.jsonl and on the five test splits above
 * concatenated (what the no-argument run reads).
 *
 * Loads the model and every "text" of the JSONL file, then times, as the
 * best of ROUNDS (default 5) rounds of CPU time (not wall time: the machine
 * is shared):
 *   predict   tc_model_predict over every text, one workspace
 *   batch     tc_model_predict_batch over every text with threads = 1
 *   vectorise tc_extractor_vectorize alone (the model's extractor), so
 *             predict - vectorise is what the weights and scores cost
 * and prints docs/s and MB/s of input text. It also prints a checksum of
 * every score's bits and every chosen label (FNV-1a over the doubles'
 * bytes), the same for both ways: a change that must not alter results
 * (a faster prediction path) proves it by an unchanged checksum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "corpus.h"

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n) {
  const unsigned char *b = p;
  size_t i;
  for (i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001B3ull;
  return h;
}

/* Checksum of n results with L labels each: scores' bits, choices, status. */
static uint64_t digest(const tc_result *r, size_t n, size_t L) {
  uint64_t h = 0xCBF29CE484222325ull;
  size_t i;
  for (i = 0; i < n; i++) {
    h = fnv(h, &r[i].status, sizeof r[i].status);
    if (r[i].status) continue;
    h = fnv(h, r[i].scores, L * sizeof *r[i].scores);
    h = fnv(h, &r[i].n_labels, sizeof r[i].n_labels);
    h = fnv(h, r[i].labels, r[i].n_labels * sizeof *r[i].labels);
  }
  return h;
}

static void report(const char *what, double best, const docs *d, uint64_t sum, int rounds) {
  printf("%-8s %9.0f docs/s %7.2f MB/s  %.3f s CPU (best of %d)  checksum %016llx\n", what,
         (double)d->n / best, (double)d->bytes / 1e6 / best, best, rounds, (unsigned long long)sum);
}

static int run(const char *model_path, const docs *d, int rounds) {
  tc_model *m = NULL;
  tc_workspace *ws = NULL;
  tc_result *res;
  tc_diag diag;
  double *scores, best_one = 1e30, best_batch = 1e30, best_vec = 1e30;
  uint32_t *labels;
  uint64_t sum_one = 0, sum_batch = 0;
  size_t L, i;
  int round, rc;

  if ((rc = tc_model_load(model_path, &m, &diag)) != TC_OK) {
    fprintf(stderr, "bench_predict: %s: %s\n", model_path, diag.message);
    return 1;
  }
  L = tc_model_n_labels(m);
  res = calloc(d->n ? d->n : 1, sizeof *res);
  scores = malloc((d->n ? d->n : 1) * L * sizeof *scores);
  labels = malloc((d->n ? d->n : 1) * L * sizeof *labels);
  if (!res || !scores || !labels || tc_workspace_new(&ws) != TC_OK) {
    fprintf(stderr, "bench_predict: out of memory\n");
    return 1;
  }
  for (i = 0; i < d->n; i++) {
    res[i].scores = scores + i * L;
    res[i].labels = labels + i * L;
  }
  printf("model %s: %zu labels, %zu features; %zu docs, %.1f MB\n", model_path, L,
         tc_extractor_n_features(tc_model_extractor(m)), d->n, (double)d->bytes / 1e6);
  for (round = 0; round < rounds; round++) {
    double t = cpu_now();
    for (i = 0; i < d->n; i++) tc_model_predict(m, ws, d->text[i], d->len[i], -1, &res[i]);
    t = cpu_now() - t;
    if (t < best_one) best_one = t;
    sum_one = digest(res, d->n, L);
    memset(scores, 0, d->n * L * sizeof *scores);
    t = cpu_now();
    tc_model_predict_batch(m, d->n, (const char *const *)d->text, d->len, -1, 1, res);
    t = cpu_now() - t;
    if (t < best_batch) best_batch = t;
    sum_batch = digest(res, d->n, L);
    t = cpu_now();
    for (i = 0; i < d->n; i++) {
      tc_vector v;
      tc_extractor_vectorize(tc_model_extractor(m), ws, d->text[i], d->len[i], &v);
    }
    t = cpu_now() - t;
    if (t < best_vec) best_vec = t;
  }
  report("predict", best_one, d, sum_one, rounds);
  report("batch", best_batch, d, sum_batch, rounds);
  printf("%-8s %9.0f docs/s %7.2f MB/s  %.3f s CPU (best of %d)\n", "vectorise", (double)d->n / best_vec,
         (double)d->bytes / 1e6 / best_vec, best_vec, rounds);
  if (sum_one != sum_batch) {
    fprintf(stderr, "bench_predict: predict and batch disagree\n");
    return 1;
  }
  tc_workspace_free(ws);
  free(res);
  free(scores);
  free(labels);
  tc_model_free(m);
  return 0;
}

int main(int argc, char **argv) {
  static const char *const news4[] = {"bbc", "newsgroups", "cyber", "masakhanews_eng", "agnews"};
  int rounds = argc > 3 ? atoi(argv[3]) : 5, rc;
  docs d = {0};
  size_t k;
  if (rounds < 1) rounds = 1;
  if (argc == 2 || argc > 4) {
    fprintf(stderr, "usage: bench_predict [MODEL TEST.jsonl [ROUNDS]]\n");
    return 2;
  }
  if (argc >= 3) {
    if (corpus_load(&d, argv[2], SIZE_MAX) != 0) {
      fprintf(stderr, "bench_predict: cannot read %s\n", argv[2]);
      return 1;
    }
    rc = run(argv[1], &d, rounds);
  } else {
    const char *dir = getenv("TEXTCLASS_CORPORA");
    if (!dir || !*dir) dir = "../shared/corpora";
    for (k = 0; k < sizeof news4 / sizeof *news4; k++) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%s/test.jsonl", dir, news4[k]);
      if (corpus_load(&d, path, SIZE_MAX) != 0) {
        printf("bench_predict: SKIPPED: cannot read %s (set TEXTCLASS_CORPORA)\n", path);
        corpus_free(&d);
        return 0;
      }
    }
    rc = run("models/news.model", &d, rounds);
  }
  corpus_free(&d);
  return rc;
}
