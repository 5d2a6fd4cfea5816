/* fuzz_model.c - libFuzzer target for tc_model_from_bytes.
 *
 * Each input is tried twice: as it is (the header and CRC-32 checks), and
 * with its header's length and checksum recomputed, so the fuzzer also
 * reaches the section parsers and validation behind the checksum, which
 * random mutations would almost never get past otherwise.
 *
 * Beyond "no crash, no out-of-bounds access, no leak" (ASan, UBSan), an
 * accepted input must be a consistent model: it re-encodes to exactly the
 * same bytes (the format is canonical) and it predicts.
 *
 * Seeds: tests/fuzz/seeds/fuzz_model/, valid small models written by
 * TC_FUZZ_SEED_DIR=tests/fuzz/seeds/fuzz_model build/tests/test_model_file,
 * and colliding-terms.model, refused for ten terms of one hash (hash
 * flooding; made by tests/fuzz/colliding_terms.py).
 * Run: make fuzz (or build/fuzz/fuzz_model -max_total_time=60 DIR).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_model(const unsigned char *p, size_t len) {
  tc_model *m = NULL;
  tc_diag d;
  unsigned char *again = NULL;
  size_t n = 0;
  tc_workspace *ws = NULL;
  static const char text[] = "the team won the league and taxes rose";
  double *v;
  int rc = tc_model_from_bytes(p, len, &m, &d);
  if (rc != TC_OK) {
    if (m != NULL) abort();
    return;
  }
  if (tc_model_to_bytes(m, &again, &n) != TC_OK || n != len || memcmp(again, p, len) != 0) abort();
  free(again);
  v = malloc(tc_model_n_labels(m) * sizeof *v);
  if (v && tc_workspace_new(&ws) == TC_OK)
    (void)tc_model_decision_values(m, ws, text, sizeof text - 1, v);
  tc_workspace_free(ws);
  free(v);
  tc_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  unsigned char *c;
  size_t i;
  try_model(data, size);
  if (size < 32) return 0;
  c = malloc(size);
  if (!c) return 0;
  memcpy(c, data, size);
  for (i = 0; i < 8; i++) c[16 + i] = (unsigned char)((uint64_t)size >> (8 * i));
  {
    uint32_t crc = tci_crc32(0, c + 32, size - 32);
    for (i = 0; i < 4; i++) c[24 + i] = (unsigned char)(crc >> (8 * i));
  }
  try_model(c, size);
  free(c);
  return 0;
}
