/*
 * utf8.c - decoding UTF-8 with replacement, and encoding.
 *
 * Caveats: the decoder follows the Unicode Standard's recommended practice
 * (chapter 3, "U+FFFD Substitution of Maximal Subparts"), which is also
 * what Python's errors="replace" and the WHATWG Encoding Standard do. A
 * maximal subpart is the longest prefix of a well-formed sequence that the
 * bytes start; when the next byte cannot continue it, the prefix becomes
 * one U+FFFD and decoding resumes at that byte. Consequences, by kind:
 *
 *   truncated   E2 82 <end>     -> 1 x U+FFFD (E2 82 could have continued)
 *   overlong    C0 AF           -> 2 (C0 never starts a sequence; AF is alone)
 *   overlong    E0 80 AF        -> 3 (after E0 only A0..BF may follow)
 *   surrogate   ED A0 80        -> 3 (after ED only 80..9F may follow)
 *   too large   F4 90 80 80     -> 4 (after F4 only 80..8F may follow)
 *   F5..FF, stray 80..BF        -> 1 each
 *
 * So the decoder never produces a surrogate, an overlong form or a value
 * above U+10FFFF, and every input byte is consumed exactly once; the same
 * rules make tci_utf8_valid the strict check that file loaders use.
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "internal.h"

size_t tci_utf8_decode(const unsigned char *s, size_t n, int32_t *cp, int *invalid) {
  unsigned b0 = s[0];
  unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
  *invalid = 0;
  if (b0 < 0x80) {
    *cp = (int32_t)b0;
    return 1;
  }
  if (b0 < 0xC2 || b0 > 0xF4) goto bad1; /* continuation, C0/C1 overlong, F5.. */
  if (b0 < 0xE0) {
    if (n < 2 || (s[1] & 0xC0) != 0x80) goto bad1;
    *cp = (int32_t)(((b0 & 0x1Fu) << 6) | (s[1] & 0x3Fu));
    return 2;
  }
  if (b0 < 0xF0) {
    if (b0 == 0xE0) lo = 0xA0;      /* below: overlong */
    else if (b0 == 0xED) hi = 0x9F; /* above: surrogates */
    if (n < 2 || s[1] < lo || s[1] > hi) goto bad1;
    if (n < 3 || (s[2] & 0xC0) != 0x80) goto bad2;
    *cp = (int32_t)(((b0 & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu));
    return 3;
  }
  if (b0 == 0xF0) lo = 0x90;      /* below: overlong */
  else if (b0 == 0xF4) hi = 0x8F; /* above: beyond U+10FFFF */
  if (n < 2 || s[1] < lo || s[1] > hi) goto bad1;
  if (n < 3 || (s[2] & 0xC0) != 0x80) goto bad2;
  if (n < 4 || (s[3] & 0xC0) != 0x80) goto bad3;
  *cp = (int32_t)(((b0 & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) |
                  ((s[2] & 0x3Fu) << 6) | (s[3] & 0x3Fu));
  return 4;
bad1:
  *cp = 0xFFFD;
  *invalid = 1;
  return 1;
bad2:
  *cp = 0xFFFD;
  *invalid = 1;
  return 2;
bad3:
  *cp = 0xFFFD;
  *invalid = 1;
  return 3;
}

size_t tci_utf8_encode(int32_t cp, unsigned char *out) {
  uint32_t c = (uint32_t)cp;
  if (c < 0x80) {
    out[0] = (unsigned char)c;
    return 1;
  }
  if (c < 0x800) {
    out[0] = (unsigned char)(0xC0 | (c >> 6));
    out[1] = (unsigned char)(0x80 | (c & 0x3F));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = (unsigned char)(0xE0 | (c >> 12));
    out[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (c & 0x3F));
    return 3;
  }
  out[0] = (unsigned char)(0xF0 | (c >> 18));
  out[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
  out[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
  out[3] = (unsigned char)(0x80 | (c & 0x3F));
  return 4;
}

/* How many bytes at the start of s are ASCII, counted in whole blocks of
 * 64 bytes (SSE2: four loads OR-ed, one mask), so what follows starts at a
 * character boundary. Most texts are ASCII from end to end (97% of the
 * news4 test articles), or for long stretches. */
static size_t ascii_blocks(const unsigned char *s, size_t len) {
  size_t i = 0;
#if defined(__SSE2__)
  while (len - i >= 64) {
    const __m128i *p = (const __m128i *)(const void *)(s + i);
    __m128i any = _mm_or_si128(_mm_or_si128(_mm_loadu_si128(p), _mm_loadu_si128(p + 1)),
                               _mm_or_si128(_mm_loadu_si128(p + 2), _mm_loadu_si128(p + 3)));
    if (_mm_movemask_epi8(any)) break;
    i += 64;
  }
#else
  (void)s;
  (void)len;
#endif
  return i;
}

size_t tc_utf8_check(const char *text, size_t len) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i;
  if (!s) return 0;
  i = ascii_blocks(s, len);
  while (i < len) {
    int32_t cp;
    int bad;
    size_t step;
    uint64_t w;
    if (len - i >= 8) { /* ASCII eight bytes at a time (most text is mostly ASCII) */
      memcpy(&w, s + i, 8);
      if ((w & 0x8080808080808080ull) == 0) {
        i += 8;
        continue;
      }
    }
    if (s[i] < 0x80) {
      i++;
      continue;
    }
    step = tci_utf8_decode(s + i, len - i, &cp, &bad);
    if (bad) return i;
    i += step;
  }
  return len;
}

int tci_utf8_valid(const void *p, size_t n) { return tc_utf8_check(p, n) == n; }

int tci_utf8_head(const char *s, size_t max) {
  size_t n = strnlen(s, max);
  if (n == max)
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
  return (int)n;
}

long tc_utf8_control(const char *text, size_t len, size_t *at) {
  const unsigned char *s = (const unsigned char *)text;
  size_t i;
  if (!text) return -1;
  for (i = 0; i < len; i++) {
    long cp = -1;
    if (s[i] < 0x20 || s[i] == 0x7F) cp = s[i];
    else if (s[i] == 0xC2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F) cp = s[i + 1];
    if (cp >= 0) {
      if (at) *at = i;
      return cp;
    }
  }
  return -1;
}
