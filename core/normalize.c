/*
 * normalize.c - UTF-8 repair and Unicode normalisation.
 *
 * Pipeline for one text (docs/text-processing.md has examples):
 *   1. optional page clean-up (tci_strip_boilerplate): the lines it keeps
 *      are read where they are, a run of them at a time, not copied;
 *   2. decode, each maximal invalid subpart -> U+FFFD (utf8.c), counted;
 *   3. map typographic apostrophes (U+2019, U+02BC) to ' and the Unicode
 *      hyphens U+2010/U+2011 to -, so "don’t" and "don't" tokenise alike
 *      (before step 4 and again on its output, so that normalising is
 *      idempotent: U+0149 decomposes to U+02BC n; text rules 2);
 *   4. per code point, utf8proc_decompose_char with COMPAT (NFKC; off for
 *      NFC), CASEFOLD, IGNORE (drop default-ignorables: soft hyphen, zero
 *      width space, ...) and STRIPMARK (strip_accents);
 *   5. canonical ordering of combining marks, then utf8proc's composition.
 *
 * Caveats:
 *  - We drive utf8proc one code point at a time instead of calling
 *    utf8proc_decompose on the whole text: it lets us decode invalid bytes
 *    ourselves (utf8proc would refuse the whole text), write into the
 *    workspace without malloc, and sort long runs of combining marks in
 *    linear time (utf8proc's bubble sort is quadratic on adversarial runs).
 *  - ASCII fast path: NFKC, case folding, IGNORE and STRIPMARK map every
 *    ASCII character to itself or its lower case, and a text can be cut
 *    before any ASCII character: it is a starter (nothing reorders across
 *    it), no composition has it as second element, and no invalid UTF-8
 *    subpart contains it. Its own first-element compositions ("e" + U+0301)
 *    stay inside the piece it starts. So ASCII is copied with a byte loop
 *    (8 bytes at a time), and only each run of non-ASCII bytes, with the
 *    ASCII character before it, goes through the steps above. The result
 *    is byte-for-byte that of the general path (TCI_TEXT_GENERAL), which
 *    tests/c/test_tokenize.c checks on corpora and fuzz_tokenize fuzzes.
 *    With SSE2 (every x86-64) the ASCII copy takes 16 bytes at a step, in
 *    a loop of its own for as long as the blocks are ASCII, lower-casing
 *    with one compare: tci_normalize from 2.9k to 2.1k instructions per
 *    news4 test article (callgrind over the first 3,000).
 */
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <utf8proc.h>

#include "internal.h"

/* Room kept free in ws->cps before each utf8proc_decompose_char call: the
 * longest decomposition (U+FDFA under NFKC) is 18 code points. */
#define DECOMP_ROOM 64
/* Runs of combining marks up to this length are sorted by insertion. */
#define SHORT_RUN 32

static utf8proc_option_t decompose_options(const tc_options *o) {
  int f = UTF8PROC_COMPOSE | UTF8PROC_STABLE | UTF8PROC_IGNORE;
  if (o->compat) f |= UTF8PROC_COMPAT;
  if (o->casefold) f |= UTF8PROC_CASEFOLD;
  if (o->strip_accents) f |= UTF8PROC_STRIPMARK;
  return (utf8proc_option_t)f;
}

/* Step 3: our own small lumping, applied before utf8proc sees a code point. */
static int32_t lump(int32_t cp) {
  switch (cp) {
  case 0x2019: /* RIGHT SINGLE QUOTATION MARK, the usual typographic apostrophe */
  case 0x02BC: /* MODIFIER LETTER APOSTROPHE */
    return '\'';
  case 0x2010: /* HYPHEN */
  case 0x2011: /* NON-BREAKING HYPHEN */
    return '-';
  default:
    return cp;
  }
}

static int ccc(int32_t cp) {
  return utf8proc_get_property(cp)->combining_class;
}

/* Stable sort of a run of non-starters by combining class. Short runs (the
 * only ones real text has) by insertion; long ones by counting sort through
 * tmp, which has room for n entries. */
static void sort_marks(int32_t *c, size_t n, int32_t *tmp) {
  size_t i, j;
  if (n <= SHORT_RUN) {
    for (i = 1; i < n; i++) {
      int32_t x = c[i];
      int k = ccc(x);
      for (j = i; j > 0 && ccc(c[j - 1]) > k; j--) c[j] = c[j - 1];
      c[j] = x;
    }
  } else {
    size_t start[257] = {0};
    for (i = 0; i < n; i++) start[ccc(c[i]) + 1]++;
    for (i = 1; i < 257; i++) start[i] += start[i - 1];
    for (i = 0; i < n; i++) tmp[start[ccc(c[i])]++] = c[i];
    memcpy(c, tmp, n * sizeof *c);
  }
}

/* Canonical ordering (UAX #15) of cps[0..m). */
static int reorder(tc_workspace *ws, size_t m) {
  size_t i = 0;
  while (i < m) {
    int32_t *c = ws->cps.p;
    size_t j;
    if (ccc(c[i]) == 0) {
      i++;
      continue;
    }
    for (j = i + 1; j < m && ccc(c[j]) != 0; j++) {}
    if (j - i > SHORT_RUN) {
      int rc = tci_buf_reserve(&ws->cps, m + (j - i), sizeof(int32_t));
      if (rc) return rc;
      c = ws->cps.p;
    }
    if (j - i > 1) sort_marks(c + i, j - i, c + m);
    i = j;
  }
  return TC_OK;
}

/* Steps 2-5 for s[0..n), appended to ws->norm at *olen. */
static int normalize_run(tc_workspace *ws, utf8proc_option_t opt,
                         const unsigned char *s, size_t n, size_t *olen, size_t *n_invalid) {
  size_t i = 0, m = 0, cap, k;
  int32_t *cps;
  unsigned char *out;
  utf8proc_ssize_t r;
  int rc = tci_buf_reserve(&ws->cps, n + DECOMP_ROOM, sizeof(int32_t));
  if (rc) return rc;
  cps = ws->cps.p;
  cap = ws->cps.cap / sizeof(int32_t);
  while (i < n) {
    int32_t cp;
    int bad;
    i += tci_utf8_decode(s + i, n - i, &cp, &bad);
    *n_invalid += (size_t)bad;
    cp = lump(cp);
    for (;;) {
      if (cap - m < DECOMP_ROOM) {
        if ((rc = tci_buf_reserve(&ws->cps, m + m / 2 + DECOMP_ROOM, sizeof(int32_t)))) return rc;
        cps = ws->cps.p;
        cap = ws->cps.cap / sizeof(int32_t);
      }
      r = utf8proc_decompose_char(cp, cps + m, (utf8proc_ssize_t)(cap - m), opt, NULL);
      if (r < 0) return TC_EINVAL; /* unreachable: cp is a valid scalar value */
      if ((size_t)r <= cap - m) break;
      if ((rc = tci_buf_reserve(&ws->cps, m + (size_t)r + DECOMP_ROOM, sizeof(int32_t)))) return rc;
      cps = ws->cps.p;
      cap = ws->cps.cap / sizeof(int32_t);
    }
    /* again on what the decomposition produced: U+0149 (ŉ) decomposes to
     * U+02BC n, which a second normalisation would lump to 'n */
    for (k = m; k < m + (size_t)r; k++) cps[k] = lump(cps[k]);
    m += (size_t)r;
  }
  if (m == 0) return TC_OK;
  if ((rc = reorder(ws, m))) return rc;
  cps = ws->cps.p;
  r = utf8proc_normalize_utf32(cps, (utf8proc_ssize_t)m, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
  if (r < 0) return TC_EINVAL; /* unreachable with these options */
  m = (size_t)r;
  if (m > (SIZE_MAX - *olen - 1) / 4) return TC_ELIMIT;
  if ((rc = tci_buf_reserve(&ws->norm, *olen + 4 * m + 1, 1))) return rc;
  out = ws->norm.p;
  for (k = 0; k < m; k++) *olen += tci_utf8_encode(cps[k], out + *olen);
  return TC_OK;
}

/* Lower-case the ASCII letters of 8 ASCII bytes at once (bytes <= 0x7F, so
 * the additions below never carry into the next byte). */
static uint64_t fold8(uint64_t w) {
  const uint64_t ones = 0x0101010101010101ull;
  uint64_t ge_a = w + ones * (0x80 - 'A');     /* high bit: byte >= 'A' */
  uint64_t gt_z = w + ones * (0x80 - 'Z' - 1); /* high bit: byte > 'Z' */
  return w | ((ge_a & ~gt_z & (ones * 0x80)) >> 2);
}

/* The ASCII fast path: copy (lower-casing) ASCII bytes, 8 at a time when
 * they come in runs; hand each run of non-ASCII bytes, with the ASCII
 * character before it, to normalize_run. Output before `done` is final. */
static int normalize_fast(tc_workspace *ws, const tc_options *o, utf8proc_option_t opt,
                          const unsigned char *s, size_t len, size_t *olen, size_t *n_invalid) {
  unsigned char *out = ws->norm.p;
  size_t i = 0, written = *olen, done = 0;
  unsigned fold = o->casefold ? 0x20u : 0u;
  int rc;
  while (i < len) {
    unsigned b;
    size_t start, end;
#if defined(__SSE2__)
    /* 16 ASCII bytes at a time, for as long as they come (a block with a
     * byte >= 0x80 goes to the 8-byte step below). A byte is A-Z when
     * b - 'A', as an unsigned byte, is below 26, which a signed compare
     * tests once both sides are shifted by 0x80. */
    if (i + 16 <= len) {
      const __m128i to_a = _mm_set1_epi8((char)(0x80 - 'A')), letters = _mm_set1_epi8((char)(0x80 + 26)),
                    case_bit = _mm_set1_epi8((char)fold);
      size_t from = i;
      for (; i + 16 <= len; i += 16, written += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        if (_mm_movemask_epi8(v)) break;
        v = _mm_or_si128(v, _mm_and_si128(_mm_cmplt_epi8(_mm_add_epi8(v, to_a), letters), case_bit));
        _mm_storeu_si128((__m128i *)(void *)(out + written), v);
      }
      if (i > from) continue;
    }
#endif
    if (i + 8 <= len) {
      uint64_t w;
      memcpy(&w, s + i, 8);
      if (!(w & 0x8080808080808080ull)) {
        if (fold) w = fold8(w);
        memcpy(out + written, &w, 8);
        i += 8;
        written += 8;
        continue;
      }
    }
    b = s[i];
    if (b < 0x80) {
      out[written++] = (unsigned char)(b | (((unsigned)(b - 'A') < 26u) ? fold : 0u));
      i++;
      continue;
    }
    /* The run of non-ASCII bytes, with the ASCII character before it (a
     * combining mark composes with it), up to the next ASCII byte. */
    start = i > done ? i - 1 : i;
    for (end = i + 1; end < len && s[end] >= 0x80; end++) {}
    written -= i - start;
    if ((rc = normalize_run(ws, opt, s + start, end - start, &written, n_invalid))) return rc;
    /* ASCII copies one byte per byte: make room for the rest of the text. */
    if ((rc = tci_buf_reserve(&ws->norm, written + (len - end) + 1, 1))) return rc;
    out = ws->norm.p;
    i = done = end;
  }
  *olen = written;
  return TC_OK;
}

int tci_normalize(const tc_options *o, tc_workspace *ws, const char *text, size_t len,
                  unsigned flags, const char **out, size_t *out_len, size_t *n_invalid) {
  size_t olen = 0, ninv = 0, n;
  utf8proc_option_t opt = decompose_options(o);
  tci_page page;
  const char *piece;
  int rc;
  /* utf8proc counts in utf8proc_ssize_t; NFKC may grow a text 18-fold.
   * Checked before the page clean-up, which reads the whole text. */
  if (len > (size_t)PTRDIFF_MAX / 32) return TC_ELIMIT;
  if (o->strip_boilerplate && !(flags & TCI_TEXT_NO_BOILERPLATE)) {
    if ((rc = tci_strip_boilerplate(ws, text, len, &page))) return rc;
  } else {
    tci_page_whole(&page, text, len);
  }
  if ((rc = tci_buf_reserve(&ws->norm, page.kept_len + 1, 1))) return rc;
  /* The kept lines a run at a time, each after a line feed (or first):
   * what their copy, one after the other, would give, as a line feed is a
   * starter that composes with nothing and no invalid sequence holds it. */
  while (tci_page_next(&page, &piece, &n)) {
    /* (room for this run's bytes after what the last ones grew to) */
    if ((rc = tci_buf_reserve(&ws->norm, olen + n + 1, 1))) return rc;
    if (flags & TCI_TEXT_GENERAL)
      rc = normalize_run(ws, opt, (const unsigned char *)piece, n, &olen, &ninv);
    else
      rc = normalize_fast(ws, o, opt, (const unsigned char *)piece, n, &olen, &ninv);
    if (rc) return rc;
  }
  /* NUL, then TCI_NORM_SLACK zero bytes the tokeniser may read past the end */
  if ((rc = tci_buf_reserve(&ws->norm, olen + 1 + TCI_NORM_SLACK, 1))) return rc;
  memset((char *)ws->norm.p + olen, 0, 1 + TCI_NORM_SLACK);
  *out = ws->norm.p;
  *out_len = olen;
  if (n_invalid) *n_invalid = ninv;
  return TC_OK;
}

int tc_normalize(const tc_options *o, tc_workspace *ws, const char *text, size_t len,
                 const char **out, size_t *out_len, size_t *n_invalid) {
  if (!o || !ws || !out || !out_len || (!text && len)) return TC_EINVAL;
  if (!tci_is_flag(o->compat) || !tci_is_flag(o->casefold) || !tci_is_flag(o->strip_accents) ||
      !tci_is_flag(o->strip_boilerplate))
    return TC_EINVAL;
  if (!text) text = "";
  return tci_normalize(o, ws, text, len, 0, out, out_len, n_invalid);
}
