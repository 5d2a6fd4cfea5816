/* fuzz_boilerplate.c - libFuzzer target for tci_strip_boilerplate.
 *
 *   make fuzz FUZZ_SECONDS=60
 *
 * Any bytes go in. Beyond what the sanitizers catch (reads outside the
 * input, overflow), it checks the stage's promises: the call succeeds, the
 * result is the whole input or fewer bytes, made of whole input lines in
 * input order (the stage only removes lines, never edits them), and
 * normalising with the clean-up, which reads the kept lines where they
 * are, a run at a time, gives what normalising a copy of them gives. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "../c/page_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The end of the line starting at `at` (after its '\n', or n). */
static size_t line_end(const char *s, size_t n, size_t at) {
  const char *nl = memchr(s + at, '\n', n - at);
  return nl ? (size_t)(nl - s) + 1 : n;
}

/* Is out a concatenation of a subsequence of in's lines? Greedy matching
 * is exact for subsequences. */
static int is_line_subsequence(const char *in, size_t n, const char *out, size_t m) {
  size_t i = 0, j = 0;
  while (j < m) {
    size_t je = line_end(out, m, j);
    for (;;) {
      size_t ie;
      if (i >= n) return 0;
      ie = line_end(in, n, i);
      if (ie - i == je - j && memcmp(in + i, out + j, je - j) == 0) {
        i = ie;
        break;
      }
      i = ie;
    }
    j = je;
  }
  return 1;
}

/* tc_normalize of text with the clean-up (o's) against tc_normalize of
 * the kept lines' copy out[0..n) without it: the same bytes and count. */
static void same_normalised(tc_workspace *ws, const char *text, size_t size, const char *out, size_t n) {
  static tc_workspace *ws2;
  tc_options o;
  const char *a, *b;
  size_t an, bn, ainv, binv;
  if (!ws2 && tc_workspace_new(&ws2) != TC_OK) abort();
  tc_options_init(&o);
  o.strip_boilerplate = 1;
  if (tc_normalize(&o, ws, text, size, &a, &an, &ainv) != TC_OK) abort();
  o.strip_boilerplate = 0;
  if (tc_normalize(&o, ws2, out, n, &b, &bn, &binv) != TC_OK) abort();
  if (an != bn || memcmp(a, b, an) != 0 || ainv != binv) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static tc_workspace *ws;
  const char *text = (const char *)data;
  char *out;
  size_t n = 0;
  tci_page page;
  if (!ws && tc_workspace_new(&ws) != TC_OK) return 0;
  if (tci_strip_boilerplate(ws, text, size, &page) != TC_OK) abort();
  if (!(out = page_text(&page, &n))) return 0;
  if (n != page.kept_len || (page.kept ? n >= size : n != size) || !is_line_subsequence(text, size, out, n))
    abort();
  same_normalised(ws, text, size, out, n);
  free(out);
  return 0;
}
