/* kernel.c - kernel (RBF) models assembled for libsvm.
 * STUB: to be written. */
#include "internal.h"

int tci_kernel_assemble(tci_kernel *kern, size_t n_labels) { (void)kern; (void)n_labels; return TC_EINVAL; }
void tci_kernel_free(tci_kernel *kern, size_t n_labels) { (void)kern; (void)n_labels; }
