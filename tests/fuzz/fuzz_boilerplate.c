/* fuzz_boilerplate.c - libFuzzer target for tci_strip_boilerplate.
 *
 *   make fuzz FUZZ_SECONDS=60
 *
 * Any bytes go in. Beyond what the sanitizers catch (reads outside the
 * input, overflow), it checks the stage's promises: the call succeeds, the
 * result is the input itself or a shorter copy in the workspace, that copy
 * is NUL-terminated and is made of whole input lines in input order (the
 * stage only removes lines, never edits them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static tc_workspace *ws;
  const char *text = (const char *)data, *out = NULL;
  size_t n = 0;
  if (!ws && tc_workspace_new(&ws) != TC_OK) return 0;
  if (tci_strip_boilerplate(ws, text, size, &out, &n) != TC_OK) abort();
  if (out == text) {
    if (n != size) abort();
    return 0;
  }
  if (out != (const char *)ws->page.p || n >= size || out[n] != '\0') abort();
  if (!is_line_subsequence(text, size, out, n)) abort();
  return 0;
}
