/* dataset.c - labelled training documents.
 *
 * Texts are copied into the dataset; label names are interned in order of
 * first appearance so label index i means the same thing in the dataset,
 * the model trained from it and the metrics computed on it. An
 * open-addressing hash over the names keeps tc_dataset_add O(labels of the
 * document) however many labels there are (and the check for a label
 * named twice, O(k log k) for a document of k).
 *
 * tci_dataset_subset makes a view (texts borrowed) for cross-validation
 * folds: same label names, same order, any subset of the documents, each
 * with its source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int tc_dataset_new(tc_dataset **out) {
  if (!out) return TC_EINVAL;
  *out = calloc(1, sizeof **out);
  return *out ? TC_OK : TC_ENOMEM;
}

void tc_dataset_free(tc_dataset *ds) {
  size_t i;
  if (!ds) return;
  if (!ds->borrowed)
    for (i = 0; i < ds->n; i++) free(ds->text[i]);
  for (i = 0; i < ds->n_names; i++) free(ds->names[i]);
  free(ds->text);
  free(ds->len);
  free(ds->lab_off);
  free(ds->lab);
  free(ds->names);
  free(ds->slots);
  free(ds->source);
  free(ds);
}

size_t tc_dataset_size(const tc_dataset *ds) { return ds ? ds->n : 0; }
size_t tc_dataset_n_labels(const tc_dataset *ds) { return ds ? ds->n_names : 0; }

const char *tc_dataset_label(const tc_dataset *ds, size_t i) {
  return ds && i < ds->n_names ? ds->names[i] : NULL;
}

/* Grow an array of `size`-byte items to hold at least `need` (doubling). */
static int grow(void **p, size_t *cap, size_t need, size_t size) {
  size_t c = *cap ? *cap : 16;
  void *q;
  if (need <= *cap) return TC_OK;
  while (c < need) {
    if (c > SIZE_MAX / 2 / size) return TC_ELIMIT;
    c *= 2;
  }
  q = realloc(*p, c * size);
  if (!q) return TC_ENOMEM;
  *p = q;
  *cap = c;
  return TC_OK;
}

/* Slot of name in the index: either holding it or the empty slot where it
 * belongs. Requires n_slots > 0 and a free slot (load factor <= 1/2). */
static size_t find_slot(const tc_dataset *ds, const char *name, size_t len) {
  size_t mask = ds->n_slots - 1;
  size_t s = (size_t)tci_hash_bytes(name, len) & mask;
  for (;;) {
    uint32_t v = ds->slots[s];
    if (v == 0) return s;
    if (strlen(ds->names[v - 1]) == len && memcmp(ds->names[v - 1], name, len) == 0) return s;
    s = (s + 1) & mask;
  }
}

/* Keep the index at most half full. */
static int rehash(tc_dataset *ds, size_t want_names) {
  size_t n = ds->n_slots ? ds->n_slots : 16, i;
  uint32_t *old = ds->slots;
  size_t old_n = ds->n_slots;
  if (want_names <= ds->n_slots / 2) return TC_OK;
  while (n / 2 < want_names) {
    if (n > SIZE_MAX / 2 / sizeof *old) return TC_ELIMIT;
    n *= 2;
  }
  ds->slots = calloc(n, sizeof *ds->slots);
  if (!ds->slots) {
    ds->slots = old;
    return TC_ENOMEM;
  }
  ds->n_slots = n;
  for (i = 0; i < old_n; i++)
    if (old[i]) {
      const char *nm = ds->names[old[i] - 1];
      ds->slots[find_slot(ds, nm, strlen(nm))] = old[i];
    }
  free(old);
  return TC_OK;
}

/* Index of a label name, interning it when new. */
static int intern(tc_dataset *ds, const char *name, uint32_t *idx) {
  size_t len = strlen(name), s;
  int rc;
  char *copy;
  if (ds->n_names >= UINT32_MAX - 1) return TC_ELIMIT;
  if ((rc = rehash(ds, ds->n_names + 1)) != TC_OK) return rc;
  s = find_slot(ds, name, len);
  if (ds->slots[s]) {
    *idx = ds->slots[s] - 1;
    return TC_OK;
  }
  {
    void *p = ds->names;
    rc = grow(&p, &ds->names_cap, ds->n_names + 1, sizeof *ds->names);
    ds->names = p;
    if (rc) return rc;
  }
  copy = malloc(len + 1);
  if (!copy) return TC_ENOMEM;
  memcpy(copy, name, len + 1);
  ds->names[ds->n_names] = copy;
  ds->slots[s] = (uint32_t)(ds->n_names + 1);
  *idx = (uint32_t)ds->n_names++;
  return TC_OK;
}

/* Room for one more document and k more labels in every array. Each
 * realloc that succeeds is kept, so a later failure leaves every array at
 * least as large as ds->cap says. */
static int reserve_doc(tc_dataset *ds, size_t k) {
  if (ds->n + 1 > ds->cap) {
    size_t c = ds->cap ? ds->cap * 2 : 16;
    void *p;
    if (c > SIZE_MAX / 2 / sizeof(size_t)) return TC_ELIMIT;
    if (!(p = realloc(ds->text, c * sizeof *ds->text))) return TC_ENOMEM;
    ds->text = p;
    if (!(p = realloc(ds->len, c * sizeof *ds->len))) return TC_ENOMEM;
    ds->len = p;
    if (!(p = realloc(ds->lab_off, (c + 1) * sizeof *ds->lab_off))) return TC_ENOMEM;
    ds->lab_off = p;
    if (ds->source) {
      if (!(p = realloc(ds->source, c * sizeof *ds->source))) return TC_ENOMEM;
      ds->source = p;
    }
    if (ds->cap == 0) ds->lab_off[0] = 0;
    ds->cap = c;
  }
  if (k > SIZE_MAX - ds->n_lab) return TC_ELIMIT;
  {
    void *p = ds->lab;
    int rc = grow(&p, &ds->lab_cap, ds->n_lab + k, sizeof *ds->lab);
    ds->lab = p;
    return rc;
  }
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Does labels[0..n) name a label twice? Through a sorted copy of the
 * pointers: a document may have any number of labels, and comparing each
 * with every earlier one took minutes for a million. TC_OK with *repeat
 * set, or TC_ENOMEM. */
static int has_repeat(const char *const *labels, size_t n, int *repeat) {
  const char **sorted;
  size_t i;
  *repeat = 0;
  if (n < 2) return TC_OK;
  if (n > SIZE_MAX / sizeof *sorted || !(sorted = malloc(n * sizeof *sorted))) return TC_ENOMEM;
  memcpy(sorted, labels, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, compare_names);
  for (i = 1; i < n && !*repeat; i++) *repeat = strcmp(sorted[i - 1], sorted[i]) == 0;
  free(sorted);
  return TC_OK;
}

const char *tc_label_name_problem(const char *name, size_t len, char *buf) {
  const char *why = NULL;
  long cp;
  if (!name || len == 0) why = "is empty";
  else if (memchr(name, 0, len)) why = "contains a NUL byte";
  else if (!tci_utf8_valid(name, len)) why = "is not valid UTF-8";
  else if ((cp = tc_utf8_control(name, len, NULL)) >= 0) {
    snprintf(buf, TC_LABEL_PROBLEM_SIZE, "holds a control character (U+%04lX)", cp);
    return buf;
  } else if (memchr(name, ',', len))
    why = "holds a comma, which separates labels in TSV and CSV output and in lists of labels";
  if (!why) return NULL;
  snprintf(buf, TC_LABEL_PROBLEM_SIZE, "%s", why);
  return buf;
}

/* Validate first, then change: a rejected document leaves the dataset as
 * it was (apart from labels already interned by an earlier, accepted
 * name, which is harmless). */
int tc_dataset_add(tc_dataset *ds, const char *text, size_t len,
                   const char *const *labels, size_t n_labels) {
  size_t i;
  char *copy, why[TC_LABEL_PROBLEM_SIZE];
  int rc, repeat;
  if (!ds || (!text && len) || (!labels && n_labels)) return TC_EINVAL;
  /* the limit of tc_normalize, which every text meets when training; it
   * also keeps len + 1 below from wrapping */
  if (len > (size_t)PTRDIFF_MAX / 32) return TC_ELIMIT;
  if (ds->n >= UINT32_MAX - 1 || n_labels > UINT32_MAX) return TC_ELIMIT;
  for (i = 0; i < n_labels; i++) {
    /* a name a model file could not hold would make a model that cannot be saved */
    if (tc_label_name_problem(labels[i], labels[i] ? strlen(labels[i]) : 0, why)) return TC_EINVAL;
  }
  if ((rc = has_repeat(labels, n_labels, &repeat))) return rc;
  if (repeat) return TC_EINVAL;
  if ((rc = reserve_doc(ds, n_labels))) return rc;
  copy = malloc(len + 1);
  if (!copy) return TC_ENOMEM;
  if (len) memcpy(copy, text, len);
  copy[len] = 0;
  for (i = 0; i < n_labels; i++) {
    uint32_t idx;
    if ((rc = intern(ds, labels[i], &idx))) {
      free(copy);
      return rc;
    }
    ds->lab[ds->n_lab + i] = idx;
  }
  ds->text[ds->n] = copy;
  ds->len[ds->n] = len;
  if (ds->source) ds->source[ds->n] = 0;
  ds->n_lab += n_labels;
  ds->n++;
  ds->lab_off[ds->n] = ds->n_lab;
  return TC_OK;
}

int tc_dataset_set_source(tc_dataset *ds, size_t doc, uint32_t source) {
  if (!ds || doc >= ds->n) return TC_EINVAL;
  if (!ds->source) {
    if (!source) return TC_OK; /* every document is source 0 already */
    if (!(ds->source = calloc(ds->cap, sizeof *ds->source))) return TC_ENOMEM;
  }
  ds->source[doc] = source;
  return TC_OK;
}

uint32_t tc_dataset_source(const tc_dataset *ds, size_t doc) {
  return ds && ds->source && doc < ds->n ? ds->source[doc] : 0;
}

int tci_dataset_subset(const tc_dataset *ds, const size_t *idx, size_t n, tc_dataset **out) {
  tc_dataset *s;
  size_t i, k = 0;
  int rc;
  *out = NULL;
  for (i = 0; i < n; i++) {
    if (idx[i] >= ds->n) return TC_EINVAL;
    k += ds->lab_off[idx[i] + 1] - ds->lab_off[idx[i]];
  }
  if ((rc = tc_dataset_new(&s))) return rc;
  s->borrowed = 1;
  s->text = malloc((n ? n : 1) * sizeof *s->text);
  s->len = malloc((n ? n : 1) * sizeof *s->len);
  s->lab_off = malloc((n + 1) * sizeof *s->lab_off);
  s->lab = malloc((k ? k : 1) * sizeof *s->lab);
  if (ds->source) s->source = malloc((n ? n : 1) * sizeof *s->source);
  if (!s->text || !s->len || !s->lab_off || !s->lab || (ds->source && !s->source)) goto oom;
  s->cap = n;
  s->lab_cap = k;
  s->lab_off[0] = 0;
  for (i = 0; i < n; i++) {
    size_t a = ds->lab_off[idx[i]], b = ds->lab_off[idx[i] + 1];
    s->text[i] = ds->text[idx[i]];
    s->len[i] = ds->len[idx[i]];
    if (s->source) s->source[i] = ds->source[idx[i]];
    memcpy(s->lab + s->n_lab, ds->lab + a, (b - a) * sizeof *s->lab);
    s->n_lab += b - a;
    s->lab_off[i + 1] = s->n_lab;
    s->n = i + 1;
  }
  for (i = 0; i < ds->n_names; i++) {
    uint32_t got;
    if ((rc = intern(s, ds->names[i], &got))) {
      tc_dataset_free(s);
      return rc;
    }
  }
  *out = s;
  return TC_OK;
oom:
  tc_dataset_free(s);
  return TC_ENOMEM;
}
