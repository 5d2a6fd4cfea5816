/* model.c - model lifetime and accessors.
 *
 * A tc_model is built in two ways: by training (train*.c fills the fields
 * of a tci_model_alloc'ed model) and by loading (model_io.c does the
 * same from validated bytes). Either way tc_model_free releases it, and
 * every accessor here only reads, so a finished model can be shared by any
 * number of threads.
 *
 * The accessors accept NULL and answer as for an empty model (0, NULL, -1):
 * the Lua binding and the CLI then never need a special case for a model
 * that failed to load.
 *
 * tci_big_alloc (here because big tables are what a model is made of)
 * gives memory for the tables prediction reads at random; on Linux it
 * asks for transparent huge pages. That is a hint only: results never
 * depend on it, and free() releases the memory as any other.
 */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise and MADV_HUGEPAGE */
#endif
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "internal.h"

/* ======================================================== lifetime */

int tci_model_alloc(tc_model **out) {
  tc_model *m;
  if (!out) return TC_EINVAL;
  *out = NULL;
  m = calloc(1, sizeof *m);
  if (!m) return TC_ENOMEM;
  m->kernel = TC_KERNEL_LINEAR;
  m->fallback = -1;
  *out = m;
  return TC_OK;
}

/* Keys are unique (the file format requires it, and tc_model_meta could
 * only ever return the first of two equal keys), so setting an existing
 * key replaces its value in place and keeps the order of first setting. */
int tci_model_set_meta(tc_model *m, const char *key, const char *value) {
  char *k, *v, **keys, **vals;
  size_t i;
  if (!m || !key || !value || !*key) return TC_EINVAL;
  for (i = 0; i < m->n_meta; i++) {
    if (strcmp(m->meta_key[i], key) == 0) {
      v = strdup(value);
      if (!v) return TC_ENOMEM;
      free(m->meta_val[i]);
      m->meta_val[i] = v;
      return TC_OK;
    }
  }
  if (m->n_meta >= SIZE_MAX / sizeof *keys - 1) return TC_ELIMIT;
  keys = realloc(m->meta_key, (m->n_meta + 1) * sizeof *keys);
  if (!keys) return TC_ENOMEM;
  m->meta_key = keys;
  vals = realloc(m->meta_val, (m->n_meta + 1) * sizeof *vals);
  if (!vals) return TC_ENOMEM;
  m->meta_val = vals;
  k = strdup(key);
  v = strdup(value);
  if (!k || !v) {
    free(k);
    free(v);
    return TC_ENOMEM;
  }
  keys[m->n_meta] = k;
  vals[m->n_meta] = v;
  m->n_meta++;
  return TC_OK;
}

/* Frees whatever a partly built model holds: loading and training both
 * bail out through here, so every field may be NULL and labels[i] may be
 * NULL for labels not yet filled in. */
void tc_model_free(tc_model *m) {
  size_t i;
  if (!m) return;
  tc_extractor_free(m->ex);
  if (m->labels)
    for (i = 0; i < m->n_labels; i++) free(m->labels[i]);
  free(m->labels);
  free(m->weights);
  free(m->bias);
  tci_kernel_free(m->kern, m->n_labels);
  free(m->platt_a);
  free(m->platt_b);
  for (i = 0; i < m->n_meta; i++) {
    free(m->meta_key[i]);
    free(m->meta_val[i]);
  }
  free(m->meta_key);
  free(m->meta_val);
  free(m);
}

/* ======================================================== big tables */

/* Tables at least this large are worth huge pages (one 2 MiB page). */
#define HUGE_PAGE ((size_t)2 << 20)

/* Prediction reads a model's big tables (vocabulary index and pool, idf,
 * weights) at random, a few hundred places per document, and with 4 KiB
 * pages nearly every such read also misses the TLB: a page walk that
 * costs as much as the cache miss itself. Asking for transparent huge
 * pages (2 MiB) before the memory is first touched lets a few hundred TLB
 * entries cover the whole model. The kernel may refuse (THP "never", no
 * free huge pages): then this is plain memory, as from malloc. */
void *tci_big_alloc(size_t bytes) {
  void *p = NULL;
  if (bytes == 0) bytes = 1;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= HUGE_PAGE) {
    size_t whole;
    if (bytes > SIZE_MAX - HUGE_PAGE) return NULL; /* no room to round up to whole pages */
    whole = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    if (posix_memalign(&p, HUGE_PAGE, whole) != 0) return NULL;
    (void)madvise(p, whole, MADV_HUGEPAGE); /* a hint: failure changes nothing */
    return p;
  }
#endif
  p = malloc(bytes);
  return p;
}

void *tci_big_calloc(size_t n, size_t size) {
  void *p;
  if (size && n > SIZE_MAX / size) return NULL;
  p = tci_big_alloc(n * size);
  if (p) memset(p, 0, n * size);
  return p;
}

/* ======================================================== accessors */

size_t tc_model_n_labels(const tc_model *m) { return m ? m->n_labels : 0; }

const char *tc_model_label(const tc_model *m, size_t i) {
  return m && m->labels && i < m->n_labels ? m->labels[i] : NULL;
}

/* A linear scan: models have tens of labels, and a name lookup is made
 * once per call from the binding, not per document. */
int tc_model_label_index(const tc_model *m, const char *name) {
  size_t i;
  if (!m || !m->labels || !name) return -1;
  for (i = 0; i < m->n_labels && i <= (size_t)INT32_MAX; i++)
    if (m->labels[i] && strcmp(m->labels[i], name) == 0) return (int)i;
  return -1;
}

int tc_model_kernel(const tc_model *m) { return m ? m->kernel : TC_KERNEL_LINEAR; }
int tc_model_multilabel(const tc_model *m) { return m ? m->multilabel : 0; }
double tc_model_threshold(const tc_model *m) { return m ? m->threshold : 0.0; }
int tc_model_fallback(const tc_model *m) { return m ? m->fallback : -1; }
unsigned tc_model_short_features(const tc_model *m) { return m ? m->short_features : 0; }
double tc_model_short_moderation(const tc_model *m) { return m ? m->short_moderation : 0.0; }
const tc_extractor *tc_model_extractor(const tc_model *m) { return m ? m->ex : NULL; }
size_t tc_model_meta_count(const tc_model *m) { return m ? m->n_meta : 0; }

int tc_model_meta_at(const tc_model *m, size_t i, const char **key, const char **value) {
  if (!m || i >= m->n_meta) return TC_EINVAL;
  if (key) *key = m->meta_key[i];
  if (value) *value = m->meta_val[i];
  return TC_OK;
}

const char *tc_model_meta(const tc_model *m, const char *key) {
  size_t i;
  if (!m || !key) return NULL;
  for (i = 0; i < m->n_meta; i++)
    if (strcmp(m->meta_key[i], key) == 0) return m->meta_val[i];
  return NULL;
}
