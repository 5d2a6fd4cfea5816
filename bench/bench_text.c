/*
 * bench_text.c - throughput of the text stage on English news, one core.
 *
 * Built and run by bench/run (make bench); by hand:
 *   cc -std=c99 -O2 -D_POSIX_C_SOURCE=200809L -Icore bench/bench_text.c \
 *      build/libtextclass.a -lutf8proc -lsvm -llinear -lpthread -lm -o /tmp/bench_text
 *   TEXTCLASS_CORPORA=../shared/corpora /tmp/bench_text
 *
 * Reads the full-text English news of the corpora (BBC, The Hacker News,
 * MasakhaNEWS English) into memory and reports MB/s of input for:
 *   normalise        tc_normalize (ASCII fast path)
 *   tokenise         tc_extractor_tokenize, default options (fast path)
 *   tokenise-general the same through the general (utf8proc-only) path
 *   tokenise-stems   tokenise with English stems (stem = TC_STEM_ENGLISH)
 *   html             tc_html_text on the same articles made into web pages
 *                    (a head with a script and a style, a nav menu, each
 *                    paragraph a <p> with a link and a character reference;
 *                    MB/s of HTML)
 * BENCH_NO_STOPWORDS=1 measures without stop word removal; BENCH_PASSES=n
 * runs exactly n passes and reports no speed (for cachegrind or perf).
 * An argument (normalise, tokenise, general, stems, html) runs one measurement only.
 * Each figure is the best of 3 rounds of at least 0.5 s of CPU time (CPU
 * time, not wall time, so other processes on a busy machine do not count). Without corpora it
 * says so and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "corpus.h"


static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

enum { NORMALISE, TOKENISE, GENERAL, HTML };

/* One pass over every document; returns the tokens made (a checksum). */
static size_t pass(int what, const docs *d, const tc_extractor *ex, tc_workspace *ws) {
  size_t i, sum = 0;
  for (i = 0; i < d->n; i++) {
    const char *out;
    size_t n;
    tc_tokens t;
    int rc;
    if (what == NORMALISE) {
      rc = tc_normalize(tc_extractor_options(ex), ws, d->text[i], d->len[i], &out, &n, NULL);
      sum += n;
    } else if (what == HTML) {
      rc = tc_html_text(ws, d->text[i], d->len[i], &out, &n);
      sum += n;
    } else {
      rc = tci_tokenize(tc_extractor_options(ex), &ex->stop, ws, d->text[i], d->len[i],
                        what == GENERAL ? TCI_TEXT_GENERAL : 0, &t);
      sum += t.n;
    }
    if (rc) {
      fprintf(stderr, "bench_text: %s\n", tc_strerror(rc));
      exit(1);
    }
  }
  return sum;
}

static void measure(const char *name, int what, const docs *d, const tc_extractor *ex,
                    tc_workspace *ws) {
  double best = 0;
  size_t sum = 0;
  int round;
  const char *passes = getenv("BENCH_PASSES");
  if (passes) { /* a fixed amount of work, for cachegrind and perf */
    long k = atol(passes);
    while (k-- > 0) sum = pass(what, d, ex, ws);
    printf("%-18s %s passes (%zu per pass)\n", name, passes, sum);
    return;
  }
  for (round = 0; round < 3; round++) {
    double t0 = now(), t;
    size_t bytes = 0;
    do {
      sum = pass(what, d, ex, ws);
      bytes += d->bytes;
      t = now() - t0;
    } while (t < 0.5);
    if (bytes / t > best) best = bytes / t;
  }
  printf("%-18s %8.1f MB/s  (%zu %s per pass)\n", name, best / 1e6, sum,
         what == NORMALISE || what == HTML ? "bytes out" : "tokens");
}

/* The articles of d as web pages: the title in <title> and <h1>, a head
 * with a style and a script, a menu, each paragraph a <p> holding a link
 * and a character reference. */
static void make_pages(const docs *d, docs *pages) {
  static const char head[] =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>News</title>"
      "<style>body { font: 12px serif } nav li { display: inline }</style>"
      "<script>var dataLayer = [{section: 'news', topics: ['politics', 'sport']}];</script></head>"
      "<body><nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/sport\">Sport</a></li>"
      "<li><a href=\"/politics\">Politics</a></li></ul></nav><article><h1>";
  size_t i, k;
  for (i = 0; i < d->n; i++) {
    char *page = malloc(sizeof head + 64 * d->len[i] + 64), *o = page;
    if (!page) exit(1);
    memcpy(o, head, sizeof head - 1);
    o += sizeof head - 1;
    for (k = 0; k < d->len[i]; k++) {
      char c = d->text[i][k];
      if (c == '\n') {
        while (k + 1 < d->len[i] && d->text[i][k + 1] == '\n') k++;
        o += sprintf(o, "</p>\n<p>&ldquo;<a href=\"/story/%zu\">", k);
        continue;
      }
      if (c == '&') o += sprintf(o, "&amp;");
      else if (c == '<') o += sprintf(o, "&lt;");
      else *o++ = c;
    }
    o += sprintf(o, "</a></p></article></body></html>");
    pages->text = realloc(pages->text, (pages->n + 1) * sizeof *pages->text);
    pages->len = realloc(pages->len, (pages->n + 1) * sizeof *pages->len);
    if (!pages->text || !pages->len) exit(1);
    pages->text[pages->n] = page;
    pages->len[pages->n++] = (size_t)(o - page);
    pages->bytes += (size_t)(o - page);
  }
}

int main(int argc, char **argv) {
  static const char *const files[] = {"bbc/train.jsonl", "cyber/train.jsonl",
                                      "masakhanews_eng/train.jsonl"};
  const char *dir = getenv("TEXTCLASS_CORPORA");
  docs d = {0};
  tc_options o;
  tc_extractor *ex, *ex_stems;
  tc_workspace *ws;
  size_t i;
  if (!dir) dir = "../shared/corpora";
  for (i = 0; i < sizeof files / sizeof files[0]; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, files[i]);
    if (corpus_load(&d, path, SIZE_MAX) != 0) {
      printf("bench_text: SKIPPED: cannot read %s (set TEXTCLASS_CORPORA)\n", path);
      return 0;
    }
  }
  tc_options_init(&o);
  if (getenv("BENCH_NO_STOPWORDS")) o.stopword_mode = TC_STOPWORDS_NONE;
  if (tc_extractor_new(&o, &ex, NULL) || tc_workspace_new(&ws)) return 1;
  o.stem = TC_STEM_ENGLISH;
  if (tc_extractor_new(&o, &ex_stems, NULL)) return 1;
  printf("bench_text: %zu documents, %.1f MB of English news, one thread\n", d.n, d.bytes / 1e6);
  /* an argument picks one measurement (for profiling) */
  if (argc < 2 || strcmp(argv[1], "normalise") == 0) measure("normalise", NORMALISE, &d, ex, ws);
  if (argc < 2 || strcmp(argv[1], "tokenise") == 0) measure("tokenise", TOKENISE, &d, ex, ws);
  if (argc < 2 || strcmp(argv[1], "general") == 0)
    measure("tokenise-general", GENERAL, &d, ex, ws);
  if (argc < 2 || strcmp(argv[1], "stems") == 0) measure("tokenise-stems", TOKENISE, &d, ex_stems, ws);
  if (argc < 2 || strcmp(argv[1], "html") == 0) {
    docs pages = {0};
    make_pages(&d, &pages);
    printf("bench_text: the same as %zu web pages, %.1f MB of HTML\n", pages.n, pages.bytes / 1e6);
    measure("html", HTML, &pages, ex, ws);
    corpus_free(&pages);
  }
  tc_workspace_free(ws);
  tc_extractor_free(ex);
  tc_extractor_free(ex_stems);
  corpus_free(&d);
  return 0;
}
