/*
 * utf16.c - UTF-16 to UTF-8, block by block.
 *
 * Windows tools write UTF-16 (Notepad's "Unicode", Windows PowerShell 5's
 * `>`, Excel's "Unicode Text"); everything after the reader works on
 * UTF-8, so the command line converts such a file as it reads it, one
 * block at a time, and never holds the whole file.
 *
 * Caveats (design decisions):
 *  - Stateless: what a block cannot finish (a lone last byte, a high
 *    surrogate whose low half is in the next block) is left unused, and the
 *    caller hands it back at the head of the next block. With
 *    TC_UTF16_LAST nothing is left: those become U+FFFD.
 *  - An unpaired surrogate (a high one not followed by a low one, or a low
 *    one alone) becomes one U+FFFD and the next unit is read afresh, as the
 *    WHATWG Encoding Standard's UTF-16 decoder does. The conversion stops
 *    just after each such U+FFFD, so a caller that refuses invalid text can
 *    say where it was; one that does not simply calls again.
 *  - No special case for U+FEFF or U+0000: they are converted like any
 *    other character (the caller drops a byte order mark, and its checks
 *    for NUL bytes see U+0000 as one).
 *  - One pass, no allocation; ASCII units take a loop of their own, four
 *    at a time where they can.
 */
#include <string.h>

#include "internal.h"

static unsigned unit_at(const unsigned char *p, int be) {
  return be ? ((unsigned)p[0] << 8 | p[1]) : ((unsigned)p[1] << 8 | p[0]);
}

/* The bits that are 0 in four ASCII code units, as they lie in memory
 * (read through memcpy, so the host's byte order does not matter). */
static uint64_t ascii_mask(int be) {
  static const unsigned char le[8] = {0x80, 0xFF, 0x80, 0xFF, 0x80, 0xFF, 0x80, 0xFF};
  static const unsigned char bem[8] = {0xFF, 0x80, 0xFF, 0x80, 0xFF, 0x80, 0xFF, 0x80};
  uint64_t m;
  memcpy(&m, be ? bem : le, 8);
  return m;
}

/* Bytes UTF-8 needs for cp. */
static size_t utf8_len(uint32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

/* The character whose first unit is at s[i] (len - i >= 2): its code
 * point, the bytes it takes (2, or 4 for a surrogate pair) and whether it
 * is an unpaired surrogate (*cp is then U+FFFD and *step 2). 0 when it is
 * a high surrogate whose low half may be in the next block. */
static int char_at(const unsigned char *s, size_t len, size_t i, int be, int last, uint32_t *cp,
                   size_t *step, int *unpaired) {
  unsigned u = unit_at(s + i, be), lo;
  *step = 2;
  *unpaired = 0;
  if (u >= 0xD800 && u <= 0xDBFF) { /* a high surrogate: its low half must follow */
    if (len - i < 4 && !last) return 0; /* which may be in the next block */
    lo = len - i >= 4 ? unit_at(s + i + 2, be) : 0;
    if (lo >= 0xDC00 && lo <= 0xDFFF) {
      *cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
      *step = 4;
      return 1;
    }
    *unpaired = 1;
  } else if (u >= 0xDC00 && u <= 0xDFFF) { /* a low surrogate alone */
    *unpaired = 1;
  }
  *cp = *unpaired ? 0xFFFD : u;
  return 1;
}

int tc_utf16_to_utf8(const char *in, size_t len, unsigned flags, char *out, size_t cap,
                     tc_utf16_result *r) {
  const unsigned char *s = (const unsigned char *)in;
  unsigned char *o = (unsigned char *)out;
  int be = (flags & TC_UTF16_BE) != 0, last = (flags & TC_UTF16_LAST) != 0;
  int full = 0; /* stopped for want of room */
  size_t i = 0, w = 0;
  uint64_t mask;
  if (!r) return TC_EINVAL;
  memset(r, 0, sizeof *r);
  if ((flags & ~(unsigned)(TC_UTF16_BE | TC_UTF16_LAST)) != 0 || (!in && len > 0) ||
      (!out && cap > 0))
    return TC_EINVAL;
  mask = ascii_mask(be);
  while (len - i >= 2) {
    unsigned u;
    uint32_t cp;
    size_t step;
    int unpaired;
    /* ASCII, most text and every line end: four units at a time, then one */
    while (len - i >= 8 && cap - w >= 4) {
      uint64_t q;
      const unsigned char *p = s + i + (be ? 1 : 0);
      memcpy(&q, s + i, 8);
      if (q & mask) break;
      o[w] = p[0];
      o[w + 1] = p[2];
      o[w + 2] = p[4];
      o[w + 3] = p[6];
      w += 4;
      i += 8;
    }
    while (len - i >= 2 && w < cap && (u = unit_at(s + i, be)) < 0x80) {
      o[w++] = (unsigned char)u;
      i += 2;
    }
    if (len - i < 2) break;
    if (w == cap) {
      full = 1;
      break;
    }
    if (!char_at(s, len, i, be, last, &cp, &step, &unpaired)) break;
    if (cap - w < utf8_len(cp)) {
      full = 1;
      break;
    }
    w += tci_utf8_encode((int32_t)cp, o + w);
    if (unpaired) {
      r->invalid = 1;
      r->invalid_at = i;
      i += 2;
      goto done;
    }
    i += step;
  }
  if (!full && last && len - i == 1 && cap - w >= 3) { /* a lone last byte */
    w += tci_utf8_encode(0xFFFD, o + w);
    r->invalid = 1;
    r->invalid_at = i;
    i += 1;
  }
done:
  r->used = i;
  r->written = w;
  return TC_OK;
}
