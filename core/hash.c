/* hash.c - a fast, stable 64-bit hash of bytes (label names in
 * dataset.c's table; vocabulary terms use terms.c's composable hash).
 *
 * Reads 8 bytes at a time (memcpy, so alignment does not matter), mixes
 * with multiply-xorshift steps and finishes with a full avalanche. Not
 * cryptographic: a table using it must store the keys and compare them,
 * so a collision costs a comparison, never a wrong answer. */
#include <string.h>

#include "internal.h"

#define M1 0x9E3779B97F4A7C15ull
#define M2 0xBF58476D1CE4E5B9ull
#define M3 0x94D049BB133111EBull

static uint64_t load64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

static uint64_t finish(uint64_t h) {
  h ^= h >> 30;
  h *= M2;
  h ^= h >> 27;
  h *= M3;
  h ^= h >> 31;
  return h;
}

uint64_t tci_hash_bytes(const void *data, size_t n) {
  const unsigned char *p = data;
  uint64_t h = M1 ^ ((uint64_t)n * M2);
  uint64_t tail = 0;
  size_t i;
  while (n >= 8) {
    h = (h ^ load64(p)) * M3;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  for (i = 0; i < n; i++) tail |= (uint64_t)p[i] << (8 * i);
  h = (h ^ tail) * M1;
  return finish(h);
}
