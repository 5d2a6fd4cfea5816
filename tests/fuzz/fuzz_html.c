/* fuzz_html.c - libFuzzer target for tc_html_text (core/html.c).
 *
 *   make fuzz FUZZ_SECONDS=60
 *
 * Any bytes go in as a page. Beyond what the sanitizers catch (every read
 * inside the page, the output inside its reservation), it checks the
 * function's promises and aborts when one breaks:
 *  - it succeeds on any bytes;
 *  - the text is NUL-terminated and at most twice the page plus 2 bytes
 *    (six times when a Windows-1252 page is converted);
 *  - a page of valid UTF-8 gives valid UTF-8;
 *  - the same page gives the same text again (no state between calls).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textclass.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static tc_workspace *ws;
  const char *page = (const char *)data, *out;
  size_t n, n2;
  char *copy;
  int valid = tc_utf8_check(page, size) == size;
  if (!ws && tc_workspace_new(&ws) != TC_OK) abort();
  if (tc_html_text(ws, page, size, &out, &n) != TC_OK) abort();
  if (out[n] != '\0' || n > 6 * size + 2 || (valid && n > 2 * size + 2)) abort();
  if (valid && tc_utf8_check(out, n) != n) abort();
  copy = malloc(n + 1);
  if (!copy) return 0;
  memcpy(copy, out, n);
  if (tc_html_text(ws, page, size, &out, &n2) != TC_OK || n2 != n || memcmp(out, copy, n) != 0) abort();
  free(copy);
  return 0;
}
