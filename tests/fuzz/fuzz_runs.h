/* fuzz_runs.h - what fuzz_decoder.c and fuzz_utf16.c share: a run, one
 * conversion of the input (by one call per invalid stop, in blocks, into a
 * small output), and the comparison of two runs, which must agree on the
 * bytes written and on where the input was invalid.
 *
 * Static functions in a header: each target is one translation unit, and
 * `make fuzz` builds each from its one source file.
 */
#ifndef FUZZ_RUNS_H
#define FUZZ_RUNS_H

#include <stdlib.h>
#include <string.h>

enum { MAX_INVALID = 64 };

typedef struct run {
  char *out;                        /* the UTF-8 written, w bytes of it */
  size_t w, n_invalid;              /* n_invalid counts every stop, */
  size_t invalid_at[MAX_INVALID];   /* the first MAX_INVALID kept: input offsets */
} run;

/* A new run, with room for cap bytes of output (aborts without memory). */
static void run_start(run *r, size_t cap) {
  memset(r, 0, sizeof *r);
  r->out = malloc(cap);
  if (!r->out) abort();
}

/* An invalid stop at input offset `at`. */
static void note(run *r, size_t at) {
  if (r->n_invalid < MAX_INVALID) r->invalid_at[r->n_invalid] = at;
  r->n_invalid++;
}

/* Do a and b hold the same output and the same invalid stops? */
static int same(const run *a, const run *b) {
  size_t k, n = a->n_invalid < MAX_INVALID ? a->n_invalid : MAX_INVALID;
  if (a->w != b->w || memcmp(a->out, b->out, a->w) != 0 || a->n_invalid != b->n_invalid) return 0;
  for (k = 0; k < n; k++)
    if (a->invalid_at[k] != b->invalid_at[k]) return 0;
  return 1;
}

#endif
