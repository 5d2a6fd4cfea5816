/*
 * corpus.h - reading the corpora's JSONL texts, for the C tests and the
 * benchmark programs that use ../shared/corpora (header-only, like check.h).
 *
 *   docs d = {0};
 *   if (corpus_load(&d, path, max) != 0) ... unreadable: skip loudly
 *   ... d.text[i], d.len[i], d.n, d.bytes ...
 *   corpus_free(&d);
 *
 * Just enough JSON for those files: the "text" field's string, with its
 * escapes (surrogate pairs joined, lone surrogates as U+FFFD).
 */
#ifndef TC_CORPUS_H
#define TC_CORPUS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct docs {
  char **text;
  size_t *len;
  size_t n, cap, bytes;
} docs;

/* The decoded "text" string of a JSONL record into out (room for the
 * line's length): its length, or -1 when the line has none. */
static long corpus_json_text(const char *line, char *out) {
  const char *p = strstr(line, "\"text\":");
  size_t k = 0;
  if (!p || !(p = strchr(p + 7, '"'))) return -1;
  for (p++; *p && *p != '"';) {
    unsigned long c;
    char hex[5];
    if (*p != '\\') { out[k++] = *p++; continue; }
    switch (*++p) {
    case 'n': out[k++] = '\n'; p++; continue;
    case 't': out[k++] = '\t'; p++; continue;
    case 'r': out[k++] = '\r'; p++; continue;
    case 'u': break;
    default: if (*p) out[k++] = *p++; continue;
    }
    if (strlen(p) < 5) return -1;
    memcpy(hex, p + 1, 4);
    hex[4] = '\0';
    c = strtoul(hex, NULL, 16);
    p += 5;
    if (c >= 0xD800 && c <= 0xDBFF && p[0] == '\\' && p[1] == 'u' && strlen(p) >= 6) {
      unsigned long lo;
      memcpy(hex, p + 2, 4);
      lo = strtoul(hex, NULL, 16);
      if (lo >= 0xDC00 && lo <= 0xDFFF) {
        c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
        p += 6;
      }
    }
    if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD;
    k += tci_utf8_encode((int32_t)c, (unsigned char *)out + k);
  }
  return (long)k;
}

/* Append up to `max` texts of a JSONL file to d: 0, or -1 when the file
 * cannot be read. Running out of memory ends the program (test and
 * benchmark code only). */
static int corpus_load(docs *d, const char *path, size_t max) {
  size_t cap = 1 << 22, got = 0;
  char *line = malloc(cap), *text = malloc(cap);
  FILE *f = fopen(path, "r");
  if (!f || !line || !text) {
    if (f) fclose(f);
    free(line);
    free(text);
    return -1;
  }
  while (got < max && fgets(line, (int)cap, f)) {
    long n = corpus_json_text(line, text);
    if (n <= 0) continue;
    if (d->n == d->cap) {
      d->cap = d->cap ? 2 * d->cap : 1024;
      d->text = realloc(d->text, d->cap * sizeof *d->text);
      d->len = realloc(d->len, d->cap * sizeof *d->len);
      if (!d->text || !d->len) exit(1);
    }
    if (!(d->text[d->n] = malloc((size_t)n))) exit(1);
    memcpy(d->text[d->n], text, (size_t)n);
    d->len[d->n++] = (size_t)n;
    d->bytes += (size_t)n;
    got++;
  }
  fclose(f);
  free(line);
  free(text);
  return 0;
}

static void corpus_free(docs *d) {
  size_t i;
  for (i = 0; i < d->n; i++) free(d->text[i]);
  free(d->text);
  free(d->len);
  memset(d, 0, sizeof *d);
}

#endif /* TC_CORPUS_H */
