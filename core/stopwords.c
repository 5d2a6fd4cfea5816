/* stopwords.c - stop word lists and sets.
 * STUB: to be written. */
#include "internal.h"

const char *const *tc_stopwords_english(void) { static const char *const none[] = {0}; return none; }
int tci_stopset_build(tci_stopset *s, const tc_options *o, tc_workspace *ws) { (void)s; (void)o; (void)ws; return TC_EINVAL; }
void tci_stopset_free(tci_stopset *s) { (void)s; }
int tci_stopset_has(const tci_stopset *s, const char *w, size_t n) { (void)s; (void)w; (void)n; return 0; }
