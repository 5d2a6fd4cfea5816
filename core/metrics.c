/* metrics.c - precision, recall, F1, accuracy and a confusion matrix.
 *
 * Caveats:
 *  - A document's gold and predicted labels are sets: a repeated index is
 *    a caller error (TC_EINVAL), checked before anything is counted, so a
 *    rejected document leaves the accumulator unchanged.
 *  - Undefined ratios (0/0) are 0, as the header promises, and macro-F1
 *    averages only the labels that occur in gold or predictions, so a label
 *    absent from an evaluation set neither helps nor hurts.
 *  - The confusion matrix counts first gold label against primary
 *    prediction; documents with no gold or no predicted label are left out
 *    of it (they still count everywhere else). It is kept sparse, as a
 *    hash of the (gold, predicted) pairs seen, not as n_labels^2 cells:
 *    it holds at most one pair per document, while an evaluation whose
 *    gold labels are really free text (a wrong label field) can name
 *    tens of thousands of labels, whose square would not fit in memory.
 *    tc_metrics_confusion_next walks the table's slots, so a caller
 *    listing the cells pays for the pairs seen, not for labels^2. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct tc_metrics {
  size_t n_labels, cap;            /* labels in use; room for (tc_metrics_grow doubles it) */
  size_t docs, correct, exact;
  size_t *tp, *fp, *fn, *support;  /* cap each, one block from tp */
  uint64_t *pair;                  /* confusion: (gold << 32 | predicted) + 1, 0 = empty */
  size_t *count;                   /* the count of each pair */
  size_t pair_mask, n_pairs;       /* slots - 1 (a power of two minus one); pairs held */
  unsigned char *mark;             /* cap scratch: 1 gold, 2 predicted */
};

/* The key of a (gold, predicted) pair: indices are below UINT32_MAX
 * (n_labels <= UINT32_MAX), so it never wraps to the empty 0, and it
 * does not depend on n_labels, which may grow. */
static uint64_t pair_key(size_t gold, size_t predicted) {
  return ((uint64_t)gold << 32 | (uint64_t)predicted) + 1;
}

#define FIRST_PAIR_SLOTS 64

/* The slot of `key` in the pair table: its own, or the empty one where it
 * belongs (linear probing; the table is at most half full). */
static size_t pair_slot(const uint64_t *pair, size_t mask, uint64_t key) {
  uint64_t h = key * 0x9E3779B97F4A7C15ull;
  size_t j = (size_t)(h >> 32) & mask;
  while (pair[j] != 0 && pair[j] != key) j = (j + 1) & mask;
  return j;
}

/* Room for one more pair: the table doubles when it would pass half full. */
static int pair_room(tc_metrics *m) {
  size_t cap = m->pair_mask + 1, j, k;
  uint64_t *pair;
  size_t *count;
  if (2 * (m->n_pairs + 1) <= cap) return TC_OK;
  if (cap > SIZE_MAX / 2 / sizeof *count) return TC_ENOMEM;
  pair = calloc(2 * cap, sizeof *pair);
  count = calloc(2 * cap, sizeof *count);
  if (!pair || !count) {
    free(pair);
    free(count);
    return TC_ENOMEM;
  }
  for (j = 0; j < cap; j++) {
    if (!m->pair[j]) continue;
    k = pair_slot(pair, 2 * cap - 1, m->pair[j]);
    pair[k] = m->pair[j];
    count[k] = m->count[j];
  }
  free(m->pair);
  free(m->count);
  m->pair = pair;
  m->count = count;
  m->pair_mask = 2 * cap - 1;
  return TC_OK;
}

/* Room for cap labels: the counts move to a new block, the new ones zero. */
static int label_room(tc_metrics *m, size_t cap) {
  size_t *block = calloc(4 * cap, sizeof *block);
  unsigned char *mark = calloc(cap, 1);
  if (!block || !mark) {
    free(block);
    free(mark);
    return TC_ENOMEM;
  }
  if (m->tp) {
    memcpy(block, m->tp, m->n_labels * sizeof *block);
    memcpy(block + cap, m->fp, m->n_labels * sizeof *block);
    memcpy(block + 2 * cap, m->fn, m->n_labels * sizeof *block);
    memcpy(block + 3 * cap, m->support, m->n_labels * sizeof *block);
  }
  free(m->tp);
  free(m->mark);  /* all clear between documents */
  m->tp = block;
  m->fp = block + cap;
  m->fn = block + 2 * cap;
  m->support = block + 3 * cap;
  m->mark = mark;
  m->cap = cap;
  return TC_OK;
}

/* Label indices are uint32_t, and 4 counts a label must be addressable. */
static int too_many_labels(size_t n_labels) {
  return n_labels > UINT32_MAX || n_labels > SIZE_MAX / sizeof(size_t) / 4;
}

int tc_metrics_new(size_t n_labels, tc_metrics **out) {
  tc_metrics *m;
  if (!out) return TC_EINVAL;
  *out = NULL;
  if (n_labels == 0) return TC_EINVAL;
  if (too_many_labels(n_labels)) return TC_ELIMIT;
  m = calloc(1, sizeof *m);
  if (!m) return TC_ENOMEM;
  m->pair = calloc(FIRST_PAIR_SLOTS, sizeof *m->pair);
  m->count = calloc(FIRST_PAIR_SLOTS, sizeof *m->count);
  m->pair_mask = FIRST_PAIR_SLOTS - 1;
  if (!m->pair || !m->count || label_room(m, n_labels) != TC_OK) {
    tc_metrics_free(m);
    return TC_ENOMEM;
  }
  m->n_labels = n_labels;
  *out = m;
  return TC_OK;
}

int tc_metrics_grow(tc_metrics *m, size_t n_labels) {
  size_t cap;
  int rc;
  if (!m) return TC_EINVAL;
  if (n_labels <= m->n_labels) return TC_OK;
  if (too_many_labels(n_labels)) return TC_ELIMIT;
  if (n_labels > m->cap) {
    /* doubling, so growing one label at a time costs O(1) a label */
    cap = 2 * m->cap > n_labels ? 2 * m->cap : n_labels;
    if (too_many_labels(cap)) cap = n_labels;
    if ((rc = label_room(m, cap)) != TC_OK) return rc;
  }
  m->n_labels = n_labels;
  return TC_OK;
}

void tc_metrics_free(tc_metrics *m) {
  if (!m) return;
  free(m->tp);
  free(m->pair);
  free(m->count);
  free(m->mark);
  free(m);
}

/* Clear the marks mark_set made. */
static void mark_clear(tc_metrics *m, const uint32_t *x, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) m->mark[x[i]] = 0;
}

/* Mark `bit` for each index; TC_EINVAL (marks cleared) on a bad or repeated one. */
static int mark_set(tc_metrics *m, const uint32_t *x, size_t n, unsigned char bit) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (x[i] >= m->n_labels || (m->mark[x[i]] & bit)) {
      while (i-- > 0) m->mark[x[i]] &= (unsigned char)~bit;
      return TC_EINVAL;
    }
    m->mark[x[i]] |= bit;
  }
  return TC_OK;
}

int tc_metrics_add(tc_metrics *m, const uint32_t *gold, size_t n_gold,
                   const uint32_t *predicted, size_t n_predicted) {
  size_t i, same = 0;
  int rc;
  if (!m || (!gold && n_gold) || (!predicted && n_predicted)) return TC_EINVAL;
  if (mark_set(m, gold, n_gold, 1)) return TC_EINVAL;
  if (mark_set(m, predicted, n_predicted, 2)) {
    mark_clear(m, gold, n_gold);
    return TC_EINVAL;
  }
  /* the only step that can fail comes before anything is counted */
  if (n_gold && n_predicted && (rc = pair_room(m)) != TC_OK) {
    mark_clear(m, gold, n_gold);
    mark_clear(m, predicted, n_predicted);
    return rc;
  }
  for (i = 0; i < n_gold; i++) {
    uint32_t l = gold[i];
    m->support[l]++;
    if (m->mark[l] & 2) {
      m->tp[l]++;
      same++;
    } else {
      m->fn[l]++;
    }
  }
  for (i = 0; i < n_predicted; i++)
    if (!(m->mark[predicted[i]] & 1)) m->fp[predicted[i]]++;
  m->docs++;
  if (n_predicted && (m->mark[predicted[0]] & 1)) m->correct++;
  if (same == n_gold && same == n_predicted) m->exact++;
  if (n_gold && n_predicted) {
    uint64_t key = pair_key(gold[0], predicted[0]);
    size_t j = pair_slot(m->pair, m->pair_mask, key);
    if (!m->pair[j]) {
      m->pair[j] = key;
      m->n_pairs++;
    }
    m->count[j]++;
  }
  mark_clear(m, gold, n_gold);
  mark_clear(m, predicted, n_predicted);
  return TC_OK;
}

size_t tc_metrics_count(const tc_metrics *m) { return m ? m->docs : 0; }

size_t tci_metrics_n_labels(const tc_metrics *m) { return m ? m->n_labels : 0; }

static double ratio(size_t a, size_t b) { return b ? (double)a / (double)b : 0.0; }

double tc_metrics_accuracy(const tc_metrics *m) { return m ? ratio(m->correct, m->docs) : 0.0; }
double tc_metrics_exact_match(const tc_metrics *m) { return m ? ratio(m->exact, m->docs) : 0.0; }

static double f1_of(size_t tp, size_t fp, size_t fn) { return ratio(2 * tp, 2 * tp + fp + fn); }

double tc_metrics_macro_f1(const tc_metrics *m) {
  size_t i, k = 0;
  double sum = 0;
  if (!m) return 0.0;
  for (i = 0; i < m->n_labels; i++) {
    if (m->support[i] == 0 && m->tp[i] + m->fp[i] == 0) continue;
    sum += f1_of(m->tp[i], m->fp[i], m->fn[i]);
    k++;
  }
  return k ? sum / (double)k : 0.0;
}

double tc_metrics_micro_f1(const tc_metrics *m) {
  size_t i, tp = 0, fp = 0, fn = 0;
  if (!m) return 0.0;
  for (i = 0; i < m->n_labels; i++) {
    tp += m->tp[i];
    fp += m->fp[i];
    fn += m->fn[i];
  }
  return f1_of(tp, fp, fn);
}

int tc_metrics_label(const tc_metrics *m, size_t i, tc_label_metrics *out) {
  if (!m || !out || i >= m->n_labels) return TC_EINVAL;
  out->tp = m->tp[i];
  out->fp = m->fp[i];
  out->fn = m->fn[i];
  out->support = m->support[i];
  out->precision = ratio(m->tp[i], m->tp[i] + m->fp[i]);
  out->recall = ratio(m->tp[i], m->tp[i] + m->fn[i]);
  out->f1 = f1_of(m->tp[i], m->fp[i], m->fn[i]);
  return TC_OK;
}

size_t tc_metrics_confusion(const tc_metrics *m, size_t gold, size_t predicted) {
  size_t j;
  if (!m || gold >= m->n_labels || predicted >= m->n_labels) return 0;
  j = pair_slot(m->pair, m->pair_mask, pair_key(gold, predicted));
  return m->pair[j] ? m->count[j] : 0;
}

size_t tc_metrics_confusion_next(const tc_metrics *m, size_t *cursor, size_t *gold, size_t *predicted) {
  size_t j;
  if (!m || !cursor || !gold || !predicted) return 0;
  for (j = *cursor; j <= m->pair_mask; j++) {
    uint64_t key = m->pair[j];
    if (!key) continue;
    *cursor = j + 1;
    *gold = (size_t)((key - 1) >> 32);
    *predicted = (size_t)((key - 1) & UINT32_MAX);
    return m->count[j];
  }
  *cursor = j;
  return 0;
}
