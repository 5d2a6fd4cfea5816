/* vocab.c - vocabulary learning and lookup.
 * STUB: to be written. */
#include "internal.h"

int tc_extractor_fit(tc_extractor *ex, size_t n, const char *const *texts, const size_t *lens, tc_progress_fn progress, void *ud) {
  (void)ex; (void)n; (void)texts; (void)lens; (void)progress; (void)ud; return TC_EINVAL; }
size_t tc_extractor_n_features(const tc_extractor *ex) { (void)ex; return 0; }
const char *tc_extractor_feature_name(const tc_extractor *ex, int index, size_t *len) { (void)ex; (void)index; (void)len; return 0; }
void tci_vocab_free(tci_vocab *v) { (void)v; }
