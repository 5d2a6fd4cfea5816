/* workspace.c - per-thread scratch buffers. */
#include <stdlib.h>

#include "internal.h"

int tci_buf_reserve(tci_buf *b, size_t n, size_t size) {
  size_t bytes, cap;
  void *p;
  if (size != 0 && n > SIZE_MAX / size) return TC_ELIMIT;
  bytes = n * size;
  if (bytes <= b->cap) return TC_OK;
  cap = b->cap ? b->cap : 64;
  while (cap < bytes) cap = cap > SIZE_MAX / 2 ? bytes : cap * 2;
  p = realloc(b->p, cap);
  if (!p) return TC_ENOMEM;
  b->p = p;
  b->cap = cap;
  return TC_OK;
}

void tci_buf_free(tci_buf *b) {
  free(b->p);
  b->p = NULL;
  b->cap = 0;
}

int tc_workspace_new(tc_workspace **out) {
  if (!out) return TC_EINVAL;
  *out = calloc(1, sizeof **out);
  return *out ? TC_OK : TC_ENOMEM;
}

void tc_workspace_free(tc_workspace *ws) {
  int i;
  if (!ws) return;
  tci_buf_free(&ws->cps);
  tci_buf_free(&ws->norm);
  tci_buf_free(&ws->tokens);
  tci_buf_free(&ws->page);
  tci_buf_free(&ws->html);
  tci_buf_free(&ws->decoded);
  for (i = 0; i < TCI_CONVERTERS; i++)
    if (ws->conv[i].from[0]) iconv_close(ws->conv[i].cd);
  tci_buf_free(&ws->hashes);
  tci_buf_free(&ws->ids);
  tci_buf_free(&ws->counts);
  tci_buf_free(&ws->distinct);
  tci_buf_free(&ws->tally);
  tci_buf_free(&ws->features);
  tci_buf_free(&ws->term);
  tci_buf_free(&ws->decision);
  tci_buf_free(&ws->nodes);
  tci_buf_free(&ws->kvalues);
  tci_buf_free(&ws->scratch);
  free(ws);
}
