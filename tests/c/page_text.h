/* page_text.h - what tci_strip_boilerplate keeps of a text (its kept
 * lines, read where they are by tci_page_next) as one malloc'ed,
 * NUL-terminated copy, for the tests and fuzzers to look at; NULL when
 * out of memory. *n is set to its length. */
#ifndef TC_TEST_PAGE_TEXT_H
#define TC_TEST_PAGE_TEXT_H

#include <stdlib.h>
#include <string.h>

#include "internal.h"

static char *page_text(tci_page *p, size_t *n) {
  char *out = malloc(p->kept_len + 1);
  const char *s;
  size_t k, at = 0;
  if (!out) return NULL;
  while (tci_page_next(p, &s, &k)) {
    if (at + k > p->kept_len) abort(); /* (kept_len counts them all) */
    memcpy(out + at, s, k);
    at += k;
  }
  out[at] = '\0';
  *n = at;
  return out;
}

#endif
