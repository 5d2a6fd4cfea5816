/* parallel.c - a small thread pool for independent tasks.
 * STUB: to be written. */
#include "internal.h"

int tci_parallel_for(size_t n, int threads, void (*task)(void *ud, size_t i), void *ud, tc_progress_fn progress, void *pud, const char *stage) {
  (void)n; (void)threads; (void)task; (void)ud; (void)progress; (void)pud; (void)stage; return TC_EINVAL; }
