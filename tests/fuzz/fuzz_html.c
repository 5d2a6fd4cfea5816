/* fuzz_html.c - libFuzzer target for tc_html_text and tc_html_charset
 * (core/html.c).
 *
 *   make fuzz FUZZ_SECONDS=60
 *
 * Any bytes go in as a page; the seeds declare charsets (Windows-1252,
 * Windows-1251, Shift_JIS, GBK, EUC-KR, ISO-2022-JP, KOI8-R in an XML
 * declaration, one iconv does not know), so the iconv path is fuzzed with
 * unmapped and cut-short sequences. Beyond what the sanitizers catch (every
 * read inside the page, the output inside its reservation), it checks the
 * functions' promises and aborts when one breaks:
 *  - both succeed on any bytes;
 *  - the text is NUL-terminated; a page read as it is gives at most twice
 *    the page plus 2 bytes, and valid UTF-8 when the page is;
 *  - a converted page gives valid UTF-8, whatever its bytes (from its
 *    declared charset, or from Windows-1252 when it declares none and
 *    holds no UTF-8: up to 3 bytes a byte, so not the bound above);
 *  - the same page gives the same text again (no state between calls,
 *    though the workspace keeps converters).
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
  int valid = tc_utf8_check(page, size) == size, how;
  char name[TC_CHARSET_NAME_MAX + 1];
  if (!ws && tc_workspace_new(&ws) != TC_OK) abort();
  if (tc_html_charset(ws, page, size, name, sizeof name, &how) != TC_OK || strlen(name) > TC_CHARSET_NAME_MAX)
    abort();
  if (tc_html_text(ws, page, size, &out, &n) != TC_OK || out[n] != '\0') abort();
  if (how == TC_CHARSET_CONVERTED || how == TC_CHARSET_ASSUMED) {
    if (tc_utf8_check(out, n) != n) abort();
  } else {
    if (n > 2 * size + 2 || (valid && tc_utf8_check(out, n) != n)) abort();
  }
  copy = malloc(n + 1);
  if (!copy) return 0;
  memcpy(copy, out, n);
  if (tc_html_text(ws, page, size, &out, &n2) != TC_OK || n2 != n || memcmp(out, copy, n) != 0) abort();
  free(copy);
  return 0;
}
