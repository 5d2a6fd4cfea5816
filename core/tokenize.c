/*
 * tokenize.c - normalised text -> tokens.
 *
 * Tokens are cut by Unicode general category, not by ASCII whitespace
 * (docs/text-processing.md has the rules with examples):
 *
 *  - letters (L*), combining marks (M*) and numbers (N*) form words;
 *  - ' between two letters joins ("don't"); a word ending in 's loses it
 *    ("biden's" -> "biden");
 *  - - between letters or numbers joins ("e-mail", "covid-19");
 *  - . and , between decimal digits join ("3.5", "1,000");
 *  - . joins single letters into initialisms ("U.S." -> "u.s", "e.g.");
 *  - http://, https://, ftp:// URLs and www. names become their host name
 *    without "www." ("thehackernews.com"); the path is dropped;
 *  - e-mail addresses become their domain ("bbc.co.uk");
 *  - a letter of a script written without spaces (tci_is_unspaced_script)
 *    is a token of its own, with any combining marks after it;
 *  - everything else (punctuation, symbols, emoji, U+FFFD, spaces,
 *    controls) separates tokens and is dropped;
 *  - a token longer than max_token_bytes is cut on a code point boundary
 *    and the rest of it dropped; then stop words are removed.
 *
 * Caveats: the rules run on normalised text, so the joiners are plain
 * ASCII (normalize.c maps ’ to ' and U+2010 to -), and every token is a
 * slice of ws->norm: no token is copied. Rules look at most two code
 * points ahead, except URLs and e-mails, which are tried only when a word
 * ends at one of the bytes that can continue them (: . @ _ % + - '), and
 * whose scans never revisit text (see special()), so tokenising is linear.
 * Speed (the text stage is about a third of a prediction): the scanner
 * relies on tci_normalize's NUL and TCI_NORM_SLACK zero bytes after the
 * text, so a run of ASCII letters and digits is found 16 bytes at a time
 * (SSE2; 8 elsewhere) with no bound check (ascii_word_end), one table says
 * what the byte after a word may do (after_word), and the stop word test
 * is inlined. Most words are ASCII letters and digits ended by a space or
 * by punctuation that cannot join them nor start a URL or an e-mail address
 * there ("word, ", "word. "): plain_words emits them with no rule tried,
 * with SSE2 every such word that starts in 16 bytes read from one load, the
 * separators between them too. A joiner followed by ASCII that is no letter
 * or digit is not tried, and the e-mail test does not scan again a word
 * that crossed no joiner; emit writes through a pointer into ws->tokens.
 * With SSE2 these took tci_tokenize (normalising included) from 44.7k to
 * 28.9k instructions per news4 test article (callgrind over the first
 * 3,000), and `textclass label` end to end from 163.7k to 147.9k (news4
 * model) and 218.0k to 203.6k (the shipped model). Then the SSE2 loop
 * (plain_words_sse2) went on past the separators that end a load, which
 * sent the scanner back to its outer loop a byte at a time (107 separators
 * per article), checks the room for its tokens once per load, and takes
 * its words (15 bytes at most) uncut, so max_token_bytes is checked once
 * per call (under 15, the words go one at a time through emit): label
 * 127.1k -> 125.6k (news4 model). kind_at decides ASCII inline: a call
 * for every character the rules look at (after a joiner, in host names
 * and e-mail addresses) also saved and restored the SSE2 loop's registers
 * around it: 125.6k -> 124.5k.
 * These change no token: tests/c/test_tokenize.c and fuzz_tokenize check
 * the fast path against the general one, and each speed change was checked
 * token for token against the previous tokeniser on the corpora.
 */
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <utf8proc.h>

#include "internal.h"

enum {
  K_SEP,    /* punctuation, symbols: separates, dropped */
  K_SPACE,  /* Z*, controls: separates; also ends a URL */
  K_LETTER, /* L* outside the unspaced scripts */
  K_DIGIT,  /* Nd */
  K_NUM,    /* Nl, No */
  K_MARK,   /* M* */
  K_UNSP,   /* a letter of an unspaced script */
  K_ASCII   /* scanner only: the last character is s[i - 1], an ASCII letter or digit */
};

int tci_is_unspaced_script(int32_t c) {
  if (c < 0x0E00) return 0;
  if (c <= 0x0EFF) return 1;                  /* Thai, Lao */
  if (c >= 0x1000 && c <= 0x109F) return 1;   /* Myanmar */
  if (c >= 0x1780 && c <= 0x17FF) return 1;   /* Khmer */
  if (c >= 0x19E0 && c <= 0x19FF) return 1;   /* Khmer symbols */
  if (c < 0x2E80) return 0;
  if (c <= 0x2FDF) return 1;                  /* CJK and Kangxi radicals */
  if (c >= 0x3005 && c <= 0x3007) return 1;   /* 々 〆 〇 */
  if (c >= 0x3021 && c <= 0x3029) return 1;   /* Hangzhou numerals */
  if (c >= 0x3031 && c <= 0x3035) return 1;   /* kana repeat marks */
  if (c >= 0x3038 && c <= 0x303C) return 1;
  if (c >= 0x3040 && c <= 0x30FF) return 1;   /* Hiragana, Katakana */
  if (c >= 0x31F0 && c <= 0x31FF) return 1;   /* Katakana phonetic extensions */
  if (c >= 0x3400 && c <= 0x4DBF) return 1;   /* CJK extension A */
  if (c >= 0x4E00 && c <= 0x9FFF) return 1;   /* CJK unified ideographs */
  if (c >= 0xA9E0 && c <= 0xA9FF) return 1;   /* Myanmar extended-B */
  if (c >= 0xAA60 && c <= 0xAA7F) return 1;   /* Myanmar extended-A */
  if (c >= 0xF900 && c <= 0xFAFF) return 1;   /* CJK compatibility ideographs */
  if (c >= 0xFF66 && c <= 0xFF9F) return 1;   /* halfwidth Katakana (NFC keeps them) */
  if (c >= 0x1AFF0 && c <= 0x1B16F) return 1; /* Kana supplement and extensions */
  if (c >= 0x20000 && c <= 0x3134F) return 1; /* CJK extensions B.., compatibility supplement */
  if (c >= 0x31350 && c <= 0x323AF) return 1; /* CJK extension H */
  return 0;
}

static int kind_of(int32_t cp) {
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
    return tci_is_unspaced_script(cp) ? K_UNSP : K_LETTER;
  case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
    return K_MARK;
  case UTF8PROC_CATEGORY_ND:
    return K_DIGIT;
  case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
    return K_NUM;
  case UTF8PROC_CATEGORY_ZS: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP:
  case UTF8PROC_CATEGORY_CC:
    return K_SPACE;
  default:
    return K_SEP;
  }
}

/* Kind of the code point at s[i], which is not ASCII (i < n, s valid
 * UTF-8); its length in *cl. */
static int kind_of_multibyte(const unsigned char *s, size_t n, size_t i, size_t *cl,
                             int32_t *cp) {
  int bad;
  *cl = tci_utf8_decode(s + i, n - i, cp, &bad);
  return kind_of(*cp);
}

/* Kind of the code point at s[i] (i < n, s valid UTF-8); its length in
 * *cl. ASCII is decided inline, the rest in a call. */
static TCI_ALWAYS_INLINE int kind_at(const unsigned char *s, size_t n, size_t i, size_t *cl,
                                     int32_t *cp) {
  unsigned b = s[i];
  if (b >= 0x80) return kind_of_multibyte(s, n, i, cl, cp);
  *cl = 1;
  *cp = (int32_t)b;
  if ((unsigned)((b | 0x20u) - 'a') < 26u) return K_LETTER;
  if ((unsigned)(b - '0') < 10u) return K_DIGIT;
  if (b <= 0x20 || b == 0x7F) return K_SPACE;
  return K_SEP;
}

/* ASCII letters (1) and digits (2); 0 for everything else, including every
 * byte >= 0x80, which sends the scanner to kind_at. */
static const unsigned char ascii_word[256] = {
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2,2,2,2,2,2,2,2,2,2,0,0,0,0,0,0,
  0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,
  0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
};

#if defined(__SSE2__)
/* With SSE2 (every x86-64): which of 16 bytes are ASCII letters and
 * digits, as a bit mask. A byte b is in the range [lo, lo + count) when
 * b - lo, as an unsigned byte, is below count, which a signed compare
 * tests once both sides are shifted by 0x80; bytes >= 0x80 are in no range. */
static TCI_ALWAYS_INLINE unsigned ascii_word_mask(__m128i v) {
  __m128i lc = _mm_or_si128(v, _mm_set1_epi8(0x20)); /* upper case to lower case */
  __m128i letter = _mm_cmplt_epi8(_mm_add_epi8(lc, _mm_set1_epi8((char)(0x80 - 'a'))),
                                  _mm_set1_epi8((char)(0x80 + 26)));
  __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))),
                                 _mm_set1_epi8((char)(0x80 + 10)));
  return (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit));
}

static TCI_ALWAYS_INLINE __m128i load16(const unsigned char *p) {
  return _mm_loadu_si128((const __m128i *)(const void *)p);
}
#endif

/* End of the run of ASCII letters and digits starting at s[j]. s[n] is a
 * NUL followed by TCI_NORM_SLACK zero bytes (tci_normalize), so the run
 * stops at n without a bound check, and 16-byte loads from any j <= n stay
 * inside the buffer. With SSE2 the run is found 16 bytes at a time;
 * elsewhere, with 64-bit little-endian loads, 8 bytes at a time: one value
 * with the high bit set in each byte that is an ASCII letter or digit,
 * then the first byte without it. */
static size_t ascii_word_end(const unsigned char *s, size_t j) {
#if defined(__SSE2__)
  unsigned word;
  while ((word = ascii_word_mask(load16(s + j))) == 0xFFFFu) j += 16;
  return j + (size_t)__builtin_ctz(~word);
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const uint64_t L = 0x0101010101010101ull, H = L * 0x80;
  for (;;) {
    uint64_t w, x, lc, letter, digit, m;
    memcpy(&w, s + j, 8);
    x = w & ~H;      /* low 7 bits: the sums below never carry across bytes */
    lc = x | L * 0x20; /* ASCII upper case to lower case */
    letter = (lc + L * (0x80 - 'a')) & ~(lc + L * (0x7F - 'z'));
    digit = (x + L * (0x80 - '0')) & ~(x + L * (0x7F - '9'));
    m = (letter | digit) & ~w & H; /* bytes >= 0x80 are not ASCII words */
    if (m != H) return j + ((size_t)__builtin_ctzll(~m & H) >> 3);
    j += 8;
  }
#else
  while (ascii_word[s[j]]) j++;
  return j;
#endif
}

/* What a byte after a word may do: 1 = join the word to what follows
 * (' - . ,), 2 = end a word that starts a URL or an e-mail address (: @
 * and the local-part bytes . _ % + - '), 4 = start a character that is
 * not ASCII (kind_at decides), 8 = nothing when the byte after it is ASCII,
 * no letter or digit, and 0 here (' - . , _ % +: they join only to a letter
 * or digit, and an e-mail's local part through them would end at that
 * byte, which is not @). 0 for every other ASCII byte, NUL (which ends the
 * text) included: the word ends there, and nothing else is to be checked. */
static const unsigned char after_word[256] = {
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,10,0,11,0,0,0,10,9,11,11,0,0,0,0,0,0,0,0,0,0,0,2,0,0,0,0,0,
  2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,10,
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
  4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,
};

static int is_alnum(int k) { return k == K_LETTER || k == K_DIGIT || k == K_NUM; }
static int is_word(int k) { return is_alnum(k) || k == K_MARK; }

int tci_token_is_unspaced(const char *s, size_t len) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i, cl;
  int32_t cp;
  if (len == 0 || u[0] < 0x80) return 0;
  if (kind_at(u, len, 0, &cl, &cp) != K_UNSP) return 0;
  for (i = cl; i < len; i += cl)
    if (kind_at(u, len, i, &cl, &cp) != K_MARK) return 0;
  return 1;
}

/* ------------------------------------------------------------------
 * URLs and e-mail addresses
 * ------------------------------------------------------------------ */

/* ASCII case-insensitive comparison of s[0..n) with a lower-case word. */
static int word_is(const unsigned char *s, size_t n, const char *w) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned b = s[i];
    if (w[i] == '\0' || (b | (((unsigned)(b - 'A') < 26u) ? 0x20u : 0u)) != (unsigned char)w[i])
      return 0;
  }
  return w[i] == '\0';
}

/* End of the run of host-name characters (letters, marks, numbers, - .)
 * starting at i, stopping at `lim`. */
static size_t host_end(const unsigned char *s, size_t lim, size_t i) {
  while (i < lim) {
    size_t cl;
    int32_t cp;
    int k = kind_at(s, lim, i, &cl, &cp);
    if (!(is_word(k) || k == K_UNSP || cp == '-' || cp == '.')) break;
    i += cl;
  }
  return i;
}

/* Trim a host name [*hs, *he): no leading or trailing - or ., no "www.". */
static void host_trim(const unsigned char *s, size_t *hs, size_t *he) {
  while (*hs < *he && (s[*hs] == '.' || s[*hs] == '-')) (*hs)++;
  while (*he > *hs && (s[*he - 1] == '.' || s[*he - 1] == '-')) (*he)--;
  if (*he - *hs > 4 && word_is(s + *hs, 3, "www") && s[*hs + 3] == '.') *hs += 4;
}

/* Skip to the next space or control (the end of a URL's path). */
static size_t skip_to_space(const unsigned char *s, size_t n, size_t i) {
  while (i < n) {
    size_t cl;
    int32_t cp;
    if (kind_at(s, n, i, &cl, &cp) == K_SPACE) break;
    i += cl;
  }
  return i;
}

/* Can an ASCII byte continue an e-mail local part (a letter, a digit or
 * one of . _ % + - ')? Bytes >= 0x80 are 0 here and go through kind_at. */
static const unsigned char ascii_local[128] = {
  0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,
  0,0,0,0,0,1,0,1,0,0,0,1,0,1,1,0,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,0,
  0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,1,
  0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,0,0,0,0,0,
};

/* A word [start, end) ended at s[end]; `joined` says whether it crossed a
 * joiner. If a URL or an e-mail address starts at `start`, set its host or
 * domain [*hs, *he), where scanning resumes (*next), and return 1.
 * *no_mail keeps the scan linear: when the local-part run from `start`
 * ends at p without giving an address, no word starting before p can give
 * one either (its run ends at the same p), so "a.a.a.a..." is scanned once.
 * A word without a joiner is letters, marks and numbers only, which all
 * continue a local part: its run is not scanned again. */
static int special(const unsigned char *s, size_t n, size_t start, size_t end, int joined,
                   size_t *hs, size_t *he, size_t *next, size_t *no_mail) {
  size_t p, cl;
  int32_t cp;
  if (s[end] == ':' && end + 2 < n && s[end + 1] == '/' && s[end + 2] == '/' &&
      (word_is(s + start, end - start, "http") || word_is(s + start, end - start, "https") ||
       word_is(s + start, end - start, "ftp"))) {
    size_t a = end + 3, a_end = a, h;
    while (a_end < n && s[a_end] != '/' && s[a_end] != '?' && s[a_end] != '#' &&
           s[a_end] != '\\' && kind_at(s, n, a_end, &cl, &cp) != K_SPACE)
      a_end += cl;
    for (p = a, h = a; p < a_end; p++)
      if (s[p] == '@') h = p + 1; /* user:password@host */
    *hs = h;
    *he = host_end(s, a_end, h);
    host_trim(s, hs, he);
    if (*hs == *he) return 0;
    *next = skip_to_space(s, n, a_end);
    return 1;
  }
  if (s[end] == '.' && word_is(s + start, end - start, "www") && end + 1 < n &&
      is_alnum(kind_at(s, n, end + 1, &cl, &cp))) {
    size_t e = host_end(s, n, start);
    *hs = start;
    *he = e;
    host_trim(s, hs, he);
    *next = e;
    if (e < n && (s[e] == '/' || s[e] == ':' || s[e] == '?' || s[e] == '#'))
      *next = skip_to_space(s, n, e);
    return 1;
  }
  /* e-mail: local part, @, a domain with a dot inside */
  if (start < *no_mail) return 0;
  for (p = joined ? start : end; p < n; p += cl) {
    int k;
    if (s[p] < 0x80) {
      if (!ascii_local[s[p]]) break;
      cl = 1;
      continue;
    }
    k = kind_at(s, n, p, &cl, &cp);
    if (!is_word(k)) break;
  }
  *no_mail = p;
  if (p + 1 < n && s[p] == '@' && p > start && s[p + 1] != '.' && s[p + 1] != '-') {
    size_t d = p + 1, e = host_end(s, n, d), q; /* not "a@.b" nor "a@-b" */
    int dot = 0;
    *hs = d;
    *he = e;
    host_trim(s, hs, he);
    for (q = *hs; q < *he; q++)
      if (s[q] == '.') dot = 1;
    if (!dot) return 0;
    *next = e;
    return 1;
  }
  return 0;
}

/* ------------------------------------------------------------------
 * Token output
 * ------------------------------------------------------------------ */

typedef struct emitter {
  tc_workspace *ws;
  const tci_stopset *stop; /* or NULL */
  size_t max_bytes;
  tc_token *next, *end;    /* where the next token goes in ws->tokens, and the end of its room */
} emitter;

/* A stop word? Short tokens are packed with one 8-byte load, which may
 * read past the token but never past ws->norm's TCI_NORM_SLACK zero bytes. */
static TCI_ALWAYS_INLINE int is_stop(const tci_stopset *st, const unsigned char *s, size_t len) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  static const uint64_t keep[9] = { /* the low len bytes */
    0, 0xFFull, 0xFFFFull, 0xFFFFFFull, 0xFFFFFFFFull, 0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull,
    0xFFFFFFFFFFFFFFull, ~0ull};
  if (len <= 8) { /* len >= 1: tokens are never empty */
    uint64_t key, k, diff;
    size_t h;
    memcpy(&key, s, 8);
    key &= keep[len];
    h = TCI_STOP_SLOT(key, st->mask8);
    k = st->keys8[h];
    /* The table is sparse (1/8 full), so the first slot nearly always
     * decides: it holds the key or is empty. Testing that as one value,
     * min(k ^ key, k) == 0, keeps the hit-or-miss outcome (about even in
     * English, so unpredictable) out of the branches. */
    diff = k ^ key;
    if ((diff < k ? diff : k) == 0) return diff == 0;
    for (h = (h + 1) & st->mask8; (k = st->keys8[h]) != 0; h = (h + 1) & st->mask8)
      if (k == key) return 1;
    return 0;
  }
#endif
  if (len > st->max_len) return 0; /* most long tokens: no call */
  return tci_stopset_has(st, (const char *)s, len);
}

/* Room in ws->tokens for at least `count` more tokens. */
static TCI_ALWAYS_INLINE int token_room(emitter *e, size_t count) {
  size_t n;
  int rc;
  if ((size_t)(e->end - e->next) >= count) return TC_OK;
  n = (size_t)(e->next - (tc_token *)e->ws->tokens.p);
  if ((rc = tci_buf_reserve(&e->ws->tokens, n * 2 + 64, sizeof(tc_token)))) return rc;
  e->next = (tc_token *)e->ws->tokens.p + n;
  e->end = (tc_token *)e->ws->tokens.p + e->ws->tokens.cap / sizeof(tc_token);
  return TC_OK;
}

/* Append a token (token_room made room for it) unless it is a stop word:
 * it is always written and the count advanced by "not a stop word",
 * without a branch on it. */
static TCI_ALWAYS_INLINE void put_token(emitter *e, const unsigned char *s, size_t len) {
  tc_token *t = e->next;
  t->text = (const char *)s;
  t->len = len;
  e->next += !(e->stop && is_stop(e->stop, s, len));
}

/* Append a token, cut to max_bytes, unless it is a stop word. */
static TCI_ALWAYS_INLINE int emit(emitter *e, const unsigned char *s, size_t len) {
  int rc;
  if (len > e->max_bytes) {
    len = e->max_bytes; /* >= 4, so at least one code point stays */
    while ((s[len] & 0xC0) == 0x80) len--;
  }
  if ((rc = token_room(e, 1))) return rc;
  put_token(e, s, len);
  return TC_OK;
}

/* ------------------------------------------------------------------
 * The tokeniser
 * ------------------------------------------------------------------ */

/* Is [a, b) exactly one letter? */
static int one_letter(const unsigned char *s, size_t n, size_t a, size_t b) {
  size_t cl;
  int32_t cp;
  return kind_at(s, n, a, &cl, &cp) == K_LETTER && a + cl == b;
}

/* Does the ASCII joiner c = s[i] (' - . ,) join the word before it to
 * what follows? prev is the kind of the word's last non-mark character,
 * seg where its current joined piece began, k2 the kind of the character
 * after the joiner and cl2 its length. */
static int joins(const unsigned char *s, size_t n, size_t i, int c, size_t seg, int prev, int k2,
                 size_t cl2) {
  size_t cl;
  int32_t cp;
  if (c == '\'') return prev == K_LETTER && k2 == K_LETTER;
  if (c == '-') return is_alnum(prev) && is_alnum(k2);
  if (prev == K_LETTER) /* initialisms: "u.s.", "e.g." */
    return c == '.' && k2 == K_LETTER && one_letter(s, n, seg, i) &&
           (i + 1 + cl2 >= n || !is_alnum(kind_at(s, n, i + 1 + cl2, &cl, &cp)));
  return prev == K_DIGIT && k2 == K_DIGIT;
}

/* Does a word of ASCII letters and digits that ends at s[i] take no rule:
 * s[i] is a space or punctuation that neither joins nor starts a URL, or
 * one of ' - . , _ % + followed by such a byte (after_word)? s[i + 1] is at
 * most the first of TCI_NORM_SLACK zero bytes. */
static TCI_ALWAYS_INLINE int plain_end(const unsigned char *s, size_t i) {
  unsigned c = after_word[s[i]];
  return !c || ((c & 8) && !after_word[s[i + 1]] && !ascii_word[s[i + 1]]);
}

/* One step of the common case, one byte or word at a time: skip the
 * separator at *i, or emit the word of ASCII letters and digits at *start
 * (= *i) when it takes no rule (plain_end: a space, most punctuation, NUL
 * at the end, or ", " and the like after them). Returns 0 with *i where
 * the scanner goes on; 1 when the word needs the rules, with *i at the end
 * of its run; or a TC_E* code. */
static TCI_ALWAYS_INLINE int plain_word(emitter *e, const unsigned char *s, size_t *start,
                                        size_t *i) {
  int rc;
  if (!ascii_word[s[*i]]) {
    ++*i;
    return 0;
  }
  *i = ascii_word_end(s, *start);
  if (!plain_end(s, *i)) return 1;
  if ((rc = emit(e, s + *start, *i - *start))) return rc;
  *i += 1;
  return 0;
}

/* The same for every word that starts in 16 bytes read, from the same SSE2
 * load, the separators between them too; a word that runs past them starts
 * the next load, and so do separators, up to a byte that is not ASCII,
 * where *i is left, or the end of the text (n), where *i is left at the end
 * of the last load, up to 15 bytes past n. A run of 16 letters and
 * digits or more goes to the rules with *i at *start. The words are of 15
 * bytes at most, emitted uncut: plain_words comes here only when
 * max_bytes is no shorter. */
#if defined(__SSE2__)
static TCI_ALWAYS_INLINE int plain_words_sse2(emitter *e, const unsigned char *s, size_t n,
                                              size_t *start, size_t *i) {
  size_t j = *i;
  int rc;
  for (;;) { /* a load from a word's start or a separator */
    __m128i v = load16(s + j);
    unsigned word = ascii_word_mask(v), end = ~word;
    /* where a word or a character that is not ASCII starts; bit 16 stands
     * for the first byte not read (the bytes past the text are zeros) */
    unsigned next = word | (unsigned)_mm_movemask_epi8(v) | 0x10000u;
    unsigned a = (unsigned)__builtin_ctz(next), b;
    if ((rc = token_room(e, 8))) return rc; /* 8 words at most start in 16 bytes */
    for (; (word >> a) & 1; a = b + 1 + (unsigned)__builtin_ctz(next >> (b + 1))) {
      b = a + (unsigned)__builtin_ctz(end >> a); /* the word's end, at most 16 */
      if (b == 16) break;
      if (!plain_end(s, j + b)) {
        *start = j + a;
        *i = j + b;
        return 1;
      }
      put_token(e, s + j + a, b - a);
    }
    if (a == 16) { /* separators up to the end of the load */
      if ((j += 16) >= n) {
        *i = j;
        return 0;
      }
      continue;
    }
    if (!((word >> a) & 1)) { /* a character that is not ASCII */
      *i = j + a;
      return 0;
    }
    if (a == 0) { /* a run of 16 letters and digits or more */
      *start = *i = j;
      return 1;
    }
    j += a;
  }
}
#endif

/* The common case: from the ASCII byte at *i (= *start), skip separators
 * and emit the words of ASCII letters and digits that take no rule, with
 * SSE2 16 bytes at a time when max_bytes leaves every word of under 16
 * bytes uncut. Returns 0 with *i where the scanner goes on; 1
 * when the word at *start needs the rules, with *i at the end of its ASCII
 * run or at *start; or a TC_E* code. */
static TCI_ALWAYS_INLINE int plain_words(emitter *e, const unsigned char *s, size_t n,
                                         size_t *start, size_t *i) {
#if defined(__SSE2__)
  if (e->max_bytes >= 15) return plain_words_sse2(e, s, n, start, i);
#endif
  (void)n;
  return plain_word(e, s, start, i);
}

/* The scanner. Each turn of the outer loop starts at a code point that is
 * not part of a token yet: it skips a separator, emits an unspaced-script
 * letter, or scans a word. A word grows over ASCII letters and digits with
 * a table loop, over other word characters one code point at a time, and
 * over a joiner when the characters around it allow (prev = the kind of the
 * last non-mark character, seg = where the current joined piece began). */
static int tokenize_norm(emitter *e, const unsigned char *s, size_t n) {
  size_t i = 0, cl, no_mail = 0, seg;
  int32_t cp;
  int rc;
  while (i < n) {
    size_t start = i, end, hs, he, next;
    int k, prev;
    if (s[i] < 0x80) { /* ASCII: separators and plain words, or a word for the rules */
      if ((rc = plain_words(e, s, n, &start, &i)) <= 0) {
        if (rc) return rc;
        continue;
      }
      k = K_ASCII;
    } else {
      k = kind_at(s, n, i, &cl, &cp);
      i += cl;
      if (k == K_UNSP) {
        while (i < n && kind_at(s, n, i, &cl, &cp) == K_MARK) i += cl;
        if ((rc = emit(e, s + start, i - start))) return rc;
        continue;
      }
      if (!is_word(k)) continue;
    }
    prev = k;
    seg = start;
    for (;;) {
      size_t j = ascii_word_end(s, i); /* the common case: ASCII letters and digits */
      if (j > i) {
        prev = K_ASCII; /* resolved only if a joiner or a mark needs it */
        i = j;
      }
      if (!after_word[s[i]]) break; /* the common end (a space, most punctuation, or NUL at n) */
      if (prev == K_ASCII && (after_word[s[i]] & 5))
        prev = ascii_word[s[i - 1]] == 2 ? K_DIGIT : K_LETTER;
      if (s[i] >= 0x80) {
        k = kind_at(s, n, i, &cl, &cp);
        if (!is_word(k)) break;
        if (k != K_MARK) prev = k;
        i += cl;
        continue;
      }
      cp = s[i];
      /* every joiner needs a letter or a digit after it (s[n] is NUL: none) */
      if ((after_word[cp] & 1) && (s[i + 1] >= 0x80 || ascii_word[s[i + 1]])) {
        size_t cl2;
        int32_t cp2;
        int k2 = kind_at(s, n, i + 1, &cl2, &cp2);
        if (joins(s, n, i, cp, seg, prev, k2, cl2)) {
          seg = i + 1;
          prev = k2;
          i += 1 + cl2;
          continue;
        }
      }
      break;
    }
    end = i;
    if ((after_word[s[i]] & 2) && /* s[n] is NUL: 0 */
        special(s, n, start, end, seg > start, &hs, &he, &next, &no_mail)) {
      if (he > hs && (rc = emit(e, s + hs, he - hs))) return rc;
      i = next;
      continue;
    }
    if (end - start > 2 && s[end - 2] == '\'' && (s[end - 1] == 's' || s[end - 1] == 'S'))
      end -= 2;
    if ((rc = emit(e, s + start, end - start))) return rc;
  }
  return TC_OK;
}

/* How many tokens come before the text's first blank line (a line break,
 * then only spaces, tabs and carriage returns up to the next one): the
 * title's. 0 when there is no blank line: a text without one has no title. */
static size_t title_tokens(const tc_tokens *t, const char *norm, size_t n) {
  const char *p = memchr(norm, '\n', n), *end = norm + n, *q;
  size_t k = 0;
  for (; p; p = memchr(p + 1, '\n', (size_t)(end - p - 1))) {
    for (q = p + 1; q < end && (*q == ' ' || *q == '\t' || *q == '\r'); q++) {}
    if (q < end && *q == '\n') break;
    if (q >= end) return 0;
  }
  if (!p) return 0;
  while (k < t->n && t->tok[k].text < p) k++;
  return k;
}

int tci_tokenize(const tc_options *o, const tci_stopset *stop, tc_workspace *ws,
                 const char *text, size_t len, unsigned flags, tc_tokens *out) {
  const char *norm;
  size_t n, n_invalid = 0;
  emitter e;
  int rc = tci_normalize(o, ws, text, len, flags, &norm, &n, &n_invalid);
  if (rc) return rc;
  e.ws = ws;
  e.stop = stop && stop->n ? stop : NULL;
  e.max_bytes = (size_t)o->max_token_bytes;
  if ((rc = tci_buf_reserve(&ws->tokens, 64, sizeof(tc_token)))) return rc;
  e.next = ws->tokens.p;
  e.end = e.next + ws->tokens.cap / sizeof(tc_token);
  if ((rc = tokenize_norm(&e, (const unsigned char *)norm, n))) return rc;
  out->tok = ws->tokens.p;
  out->n = (size_t)(e.next - out->tok);
  out->n_invalid = n_invalid;
  out->n_title = o->title_terms ? title_tokens(out, norm, n) : 0;
  if (o->stem == TC_STEM_ENGLISH) tci_stem_tokens(ws->tokens.p, out->n);
  return TC_OK;
}

int tc_extractor_tokenize(const tc_extractor *ex, tc_workspace *ws, const char *text,
                          size_t len, tc_tokens *out) {
  if (!ex || !ws || !out || (!text && len)) return TC_EINVAL;
  if (!text) text = "";
  return tci_tokenize(&ex->opt, &ex->stop, ws, text, len, 0, out);
}
