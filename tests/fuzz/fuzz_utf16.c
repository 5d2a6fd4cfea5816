/* fuzz_utf16.c - libFuzzer target for tc_utf16_to_utf8.
 *
 *   make fuzz FUZZ_SECONDS=60
 *
 * Any bytes go in; the first byte picks the byte order (bit 0), a block
 * size (bits 1-4: 1 to 16 bytes) and an output room (bits 5-6: 4 to 7
 * bytes), and the rest is the UTF-16. Beyond what the sanitizers catch, it
 * checks the converter's promises and aborts when one breaks:
 *  - one call per invalid stop converts all of it, within
 *    TC_UTF16_UTF8_MAX, into valid UTF-8;
 *  - blocks of the chosen size, each's unused tail (at most 3 bytes) put
 *    before the next, give the same bytes and the same invalid offsets;
 *  - a small output (4 to 7 bytes, room for any one character) is filled
 *    call after call to the same bytes;
 *  - without invalid input, the UTF-8 read back as code points gives the
 *    input's UTF-16 again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_runs.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* All of in, in one block, going on after each invalid stop. */
static void whole(const char *in, size_t len, unsigned flags, run *r) {
  size_t i = 0, cap = TC_UTF16_UTF8_MAX(len);
  for (;;) {
    tc_utf16_result res;
    if (tc_utf16_to_utf8(in + i, len - i, flags | TC_UTF16_LAST, r->out + r->w, cap - r->w, &res) != TC_OK)
      abort();
    if (res.used > len - i || res.written > cap - r->w) abort();
    r->w += res.written;
    if (res.invalid) note(r, i + res.invalid_at);
    i += res.used;
    if (!res.invalid) break;
  }
  if (i != len || r->w > cap) abort();
}

/* In blocks of `block` bytes, the unused tail carried over. */
static void blocks(const char *in, size_t len, unsigned flags, size_t block, run *r) {
  char buf[32];
  size_t i = 0, ncarry = 0, base = 0; /* base: where buf starts in the input */
  size_t cap = TC_UTF16_UTF8_MAX(len);
  do {
    size_t take = len - i < block ? len - i : block, m, used = 0;
    int last = i + take == len;
    memcpy(buf + ncarry, in + i, take);
    m = ncarry + take;
    i += take;
    for (;;) {
      tc_utf16_result res;
      if (tc_utf16_to_utf8(buf + used, m - used, flags | (last ? TC_UTF16_LAST : 0), r->out + r->w,
                           cap - r->w, &res) != TC_OK)
        abort();
      r->w += res.written;
      if (res.invalid) note(r, base + used + res.invalid_at);
      used += res.used;
      if (!res.invalid) break;
    }
    ncarry = m - used;
    if (ncarry > 3 || (last && ncarry != 0)) abort();
    memmove(buf, buf + used, ncarry);
    base += used;
  } while (i < len);
}

/* Into an output of `room` bytes at a time. */
static void small_out(const char *in, size_t len, unsigned flags, size_t room, run *r) {
  size_t i = 0;
  while (i < len) {
    tc_utf16_result res;
    if (tc_utf16_to_utf8(in + i, len - i, flags | TC_UTF16_LAST, r->out + r->w, room, &res) != TC_OK)
      abort();
    if (res.written > room || (res.used == 0 && !res.invalid)) abort(); /* room enough for any one */
    r->w += res.written;
    if (res.invalid) note(r, i + res.invalid_at);
    i += res.used;
  }
}

/* The UTF-8 in r as UTF-16 again equals in. */
static int round_trips(const run *r, const unsigned char *in, size_t len, int be) {
  size_t i = 0, j = 0;
  while (i < r->w) {
    int32_t cp;
    int bad;
    unsigned u[2];
    size_t m = 1, k;
    i += tci_utf8_decode((const unsigned char *)r->out + i, r->w - i, &cp, &bad);
    if (bad) return 0;
    if (cp >= 0x10000) {
      u[0] = 0xD800 + (((unsigned)cp - 0x10000) >> 10);
      u[1] = 0xDC00 + (((unsigned)cp - 0x10000) & 0x3FF);
      m = 2;
    } else {
      u[0] = (unsigned)cp;
    }
    for (k = 0; k < m; k++, j += 2) {
      unsigned got;
      if (j + 2 > len) return 0;
      got = be ? ((unsigned)in[j] << 8 | in[j + 1]) : ((unsigned)in[j + 1] << 8 | in[j]);
      if (got != u[k]) return 0;
    }
  }
  return j == len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  run a, b, c;
  const char *in;
  size_t len, cap;
  unsigned flags;
  if (size == 0) return 0;
  flags = (data[0] & 1) ? TC_UTF16_BE : 0;
  in = (const char *)data + 1;
  len = size - 1;
  cap = TC_UTF16_UTF8_MAX(len) + 1;
  run_start(&a, cap);
  run_start(&b, cap);
  run_start(&c, cap);
  whole(in, len, flags, &a);
  if (!tci_utf8_valid(a.out, a.w)) abort();
  blocks(in, len, flags, 1 + ((size_t)data[0] >> 1 & 15), &b);
  if (!same(&a, &b)) abort();
  small_out(in, len, flags, 4 + ((size_t)data[0] >> 5 & 3), &c);
  if (!same(&a, &c)) abort();
  if (a.n_invalid == 0 && !round_trips(&a, (const unsigned char *)in, len, flags != 0)) abort();
  free(a.out);
  free(b.out);
  free(c.out);
  return 0;
}
