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
 *    of it (they still count everywhere else). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct tc_metrics {
  size_t n_labels;
  size_t docs, correct, exact;
  size_t *tp, *fp, *fn, *support;  /* n_labels each */
  size_t *confusion;               /* n_labels * n_labels, gold-major */
  unsigned char *mark;             /* n_labels scratch: 1 gold, 2 predicted */
};

int tc_metrics_new(size_t n_labels, tc_metrics **out) {
  tc_metrics *m;
  if (!out) return TC_EINVAL;
  *out = NULL;
  if (n_labels == 0) return TC_EINVAL;
  if (n_labels > SIZE_MAX / sizeof(size_t) / n_labels / 2) return TC_ELIMIT;
  m = calloc(1, sizeof *m);
  if (!m) return TC_ENOMEM;
  m->n_labels = n_labels;
  m->tp = calloc(4 * n_labels, sizeof *m->tp);
  m->confusion = calloc(n_labels * n_labels, sizeof *m->confusion);
  m->mark = calloc(n_labels, 1);
  if (!m->tp || !m->confusion || !m->mark) {
    tc_metrics_free(m);
    return TC_ENOMEM;
  }
  m->fp = m->tp + n_labels;
  m->fn = m->fp + n_labels;
  m->support = m->fn + n_labels;
  *out = m;
  return TC_OK;
}

void tc_metrics_free(tc_metrics *m) {
  if (!m) return;
  free(m->tp);
  free(m->confusion);
  free(m->mark);
  free(m);
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
  if (!m || (!gold && n_gold) || (!predicted && n_predicted)) return TC_EINVAL;
  if (mark_set(m, gold, n_gold, 1)) return TC_EINVAL;
  if (mark_set(m, predicted, n_predicted, 2)) {
    for (i = 0; i < n_gold; i++) m->mark[gold[i]] = 0;
    return TC_EINVAL;
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
  if (n_gold && n_predicted) m->confusion[(size_t)gold[0] * m->n_labels + predicted[0]]++;
  for (i = 0; i < n_gold; i++) m->mark[gold[i]] = 0;
  for (i = 0; i < n_predicted; i++) m->mark[predicted[i]] = 0;
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
  if (!m || gold >= m->n_labels || predicted >= m->n_labels) return 0;
  return m->confusion[gold * m->n_labels + predicted];
}
