/*
 * stem.c - English stems: Snowball's English stemmer ("Porter2"), written
 * from Martin Porter's published description of the algorithm
 * (snowballstem.org/algorithms/english/stemmer.html).
 *
 * Caveats (design decisions):
 *
 *  - Only tokens made of the ASCII letters a-z and apostrophes are
 *    stemmed (tci_stem_tokens); anything else (digits, "covid-19",
 *    "u.s", capitals when case folding is off, other scripts) is left as
 *    it is. The algorithm is defined on those letters alone.
 *
 *  - A stem is never longer than its word, so words are stemmed in place,
 *    in the workspace's normalised text the tokens point into. 'Y' (a y
 *    that acts as a consonant) is marked in place too and turned back into
 *    'y' at the end.
 *
 *  - Each step looks for the longest suffix of its list that the word ends
 *    with, then tests that suffix's condition; when the condition fails
 *    the step does nothing, without trying a shorter suffix. This is how
 *    the description's "search for the longest among the suffixes" reads,
 *    and it matters: in "agreement" step 4 finds "ement", which is not in
 *    R2, so the word stays; "ment", which is, is not tried ("agree").
 *
 *  - Checked against the Snowball project's own English stemmer (Debian's
 *    python3-snowballstemmer 2.2.0) on every distinct word of the corpora
 *    (tests/c/test_stem.c has the cases written from the description and
 *    the command of that check).
 */
#include <string.h>

#include "internal.h"

/* A word being stemmed: its letters, its length, its regions. */
typedef struct word {
  char *s;
  size_t n;
  size_t r1, r2; /* R1 and R2 start here (n when empty) */
} word;

static int vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* Does w end with the n-byte suffix suf? Compared from the end, where
 * most words differ from most suffixes (a call to memcmp costs more than
 * these few bytes). */
static int ends(const word *w, const char *suf, size_t n) {
  const char *end = w->s + w->n;
  size_t i;
  if (w->n < n) return 0;
  for (i = 1; i <= n; i++)
    if (end[-(ptrdiff_t)i] != suf[n - i]) return 0;
  return 1;
}

/* Replace the last `cut` bytes by the k bytes of rep (k <= cut). */
static void replace(word *w, size_t cut, const char *rep, size_t k) {
  memcpy(w->s + w->n - cut, rep, k);
  w->n = w->n - cut + k;
}

/* Does the word's first `end` bytes end in a short syllable: a non-vowel
 * other than w, x or Y after a vowel after a non-vowel, or a vowel then a
 * non-vowel that are the whole of it? */
static int short_syllable(const char *s, size_t end) {
  if (end == 2) return vowel(s[0]) && !vowel(s[1]);
  return end >= 3 && !vowel(s[end - 3]) && vowel(s[end - 2]) && !vowel(s[end - 1]) &&
         s[end - 1] != 'w' && s[end - 1] != 'x' && s[end - 1] != 'Y';
}

/* Is there a vowel in s[0, end)? */
static int has_vowel(const char *s, size_t end) {
  size_t i;
  for (i = 0; i < end; i++)
    if (vowel(s[i])) return 1;
  return 0;
}

/* Where the region after the first non-vowel that follows a vowel, at or
 * after from, starts: n when there is none. */
static size_t region_after(const char *s, size_t n, size_t from) {
  size_t i;
  for (i = from + 1; i < n; i++)
    if (!vowel(s[i]) && vowel(s[i - 1])) return i + 1;
  return n;
}

/* ---------------------------------------------------------------- steps */

/* A suffix, what replaces it, and the condition for doing so. */
enum { IN_R1, IN_R2, AFTER_LI, AFTER_L, AFTER_S_OR_T };

typedef struct rule {
  const char *suffix;
  size_t len;
  const char *replacement;
  size_t replacement_len;
  int condition;
} rule;

#define R(suffix, replacement, condition) \
  {suffix, sizeof suffix - 1, replacement, sizeof replacement - 1, condition}

#define END {NULL, 0, NULL, 0, 0}

/* A step's rules, grouped by the suffix's last letter (the longest suffix
 * a word ends with ends with the word's last letter, so only that group is
 * searched), each group ordered longest first. */
typedef const rule *const step[26];
#define LAST(c) [(c) - 'a']

/* The rule of the longest suffix of the step that w ends with, or NULL. */
static const rule *longest(const word *w, const step rules) {
  const rule *r;
  unsigned char last = w->n ? (unsigned char)w->s[w->n - 1] : 0;
  if (last < 'a' || last > 'z') return NULL; /* an apostrophe */
  for (r = rules[last - 'a']; r && r->suffix; r++)
    if (ends(w, r->suffix, r->len)) return r;
  return NULL;
}

static int li_ending(char c) {
  switch (c) {
    case 'c': case 'd': case 'e': case 'g': case 'h': case 'k': case 'm': case 'n': case 'r': case 't':
      return 1;
    default:
      return 0;
  }
}

/* Apply the step's longest matching rule when its condition holds. */
static void apply(word *w, const step rules) {
  const rule *r = longest(w, rules);
  size_t at;
  int ok;
  if (!r) return;
  at = w->n - r->len;
  switch (r->condition) {
    case IN_R1: ok = at >= w->r1; break;
    case IN_R2: ok = at >= w->r2; break;
    case AFTER_LI: ok = at >= w->r1 && at > 0 && li_ending(w->s[at - 1]); break;
    case AFTER_L: ok = at >= w->r1 && at > 0 && w->s[at - 1] == 'l'; break;
    default: ok = at >= w->r2 && at > 0 && (w->s[at - 1] == 's' || w->s[at - 1] == 't'); break;
  }
  if (ok) replace(w, r->len, r->replacement, r->replacement_len);
}

static const rule step2_i[] = {
  R("biliti", "ble", IN_R1), R("lessli", "less", IN_R1), R("aliti", "al", IN_R1),
  R("entli", "ent", IN_R1),  R("fulli", "ful", IN_R1),   R("iviti", "ive", IN_R1),
  R("ousli", "ous", IN_R1),  R("abli", "able", IN_R1),   R("alli", "al", IN_R1),
  R("anci", "ance", IN_R1),  R("enci", "ence", IN_R1),   R("bli", "ble", IN_R1),
  R("ogi", "og", AFTER_L),   R("li", "", AFTER_LI),      END};
static const rule step2_l[] = {R("ational", "ate", IN_R1), R("tional", "tion", IN_R1), END};
static const rule step2_m[] = {R("alism", "al", IN_R1), END};
static const rule step2_n[] = {R("ization", "ize", IN_R1), R("ation", "ate", IN_R1), END};
static const rule step2_r[] = {R("ator", "ate", IN_R1), R("izer", "ize", IN_R1), END};
static const rule step2_s[] = {
  R("fulness", "ful", IN_R1), R("iveness", "ive", IN_R1), R("ousness", "ous", IN_R1), END};
static step step2 = {LAST('i') = step2_i, LAST('l') = step2_l, LAST('m') = step2_m,
                     LAST('n') = step2_n, LAST('r') = step2_r, LAST('s') = step2_s};

static const rule step3_e[] = {
  R("alize", "al", IN_R1), R("ative", "", IN_R2), R("icate", "ic", IN_R1), END};
static const rule step3_i[] = {R("iciti", "ic", IN_R1), END};
static const rule step3_l[] = {
  R("ational", "ate", IN_R1), R("tional", "tion", IN_R1), R("ical", "ic", IN_R1),
  R("ful", "", IN_R1), END};
static const rule step3_s[] = {R("ness", "", IN_R1), END};
static step step3 = {LAST('e') = step3_e, LAST('i') = step3_i, LAST('l') = step3_l,
                     LAST('s') = step3_s};

static const rule step4_c[] = {R("ic", "", IN_R2), END};
static const rule step4_e[] = {
  R("able", "", IN_R2), R("ance", "", IN_R2), R("ence", "", IN_R2), R("ible", "", IN_R2),
  R("ate", "", IN_R2),  R("ive", "", IN_R2),  R("ize", "", IN_R2),  END};
static const rule step4_i[] = {R("iti", "", IN_R2), END};
static const rule step4_l[] = {R("al", "", IN_R2), END};
static const rule step4_m[] = {R("ism", "", IN_R2), END};
static const rule step4_n[] = {R("ion", "", AFTER_S_OR_T), END};
static const rule step4_r[] = {R("er", "", IN_R2), END};
static const rule step4_s[] = {R("ous", "", IN_R2), END};
static const rule step4_t[] = {
  R("ement", "", IN_R2), R("ment", "", IN_R2), R("ant", "", IN_R2), R("ent", "", IN_R2), END};
static step step4 = {LAST('c') = step4_c, LAST('e') = step4_e, LAST('i') = step4_i,
                     LAST('l') = step4_l, LAST('m') = step4_m, LAST('n') = step4_n,
                     LAST('r') = step4_r, LAST('s') = step4_s, LAST('t') = step4_t};

/* Step 0 and step 1a: apostrophe endings, then plurals. */
static void step1a(word *w) {
  char last = w->n ? w->s[w->n - 1] : 0;
  if (last != 's' && last != 'd' && last != '\'') return; /* most words */
  if (ends(w, "'s'", 3)) w->n -= 3;
  else if (ends(w, "'s", 2)) w->n -= 2;
  else if (ends(w, "'", 1)) w->n -= 1;
  if (ends(w, "sses", 4)) {
    w->n -= 2;
  } else if (ends(w, "ied", 3) || ends(w, "ies", 3)) {
    w->n -= w->n > 4 ? 2 : 1; /* "cries" -> "cri", "ties" -> "tie" */
  } else if (ends(w, "us", 2) || ends(w, "ss", 2)) {
    /* kept */
  } else if (ends(w, "s", 1) && w->n >= 3 && has_vowel(w->s, w->n - 2)) {
    w->n -= 1; /* a vowel not just before the s: "gaps", not "gas" */
  }
}

/* The doubled letters step 1b undoes: bb dd ff gg mm nn pp rr tt. */
static int undoubled(char c) {
  switch (c) {
    case 'b': case 'd': case 'f': case 'g': case 'm': case 'n': case 'p': case 'r': case 't':
      return 1;
    default:
      return 0;
  }
}

/* Step 1b: -eed, -ed, -ing and their -ly forms. */
static void step1b(word *w) {
  static const char *const gone[] = {"ingly", "edly", "ing", "ed"};
  static const size_t gone_len[] = {5, 4, 3, 2};
  size_t i, k = 0;
  char last = w->n ? w->s[w->n - 1] : 0;
  if (last != 'd' && last != 'g' && last != 'y') return; /* most words */
  if (ends(w, "eedly", 5) || ends(w, "eed", 3)) {
    k = ends(w, "eedly", 5) ? 5 : 3;
    if (w->n - k >= w->r1) replace(w, k, "ee", 2);
    return;
  }
  for (i = 0; i < 4; i++) {
    k = gone_len[i];
    if (ends(w, gone[i], k)) break;
  }
  if (i == 4 || !has_vowel(w->s, w->n - k)) return;
  w->n -= k;
  if (ends(w, "at", 2) || ends(w, "bl", 2) || ends(w, "iz", 2)) {
    w->s[w->n++] = 'e';
  } else if (w->n >= 2 && w->s[w->n - 1] == w->s[w->n - 2] && undoubled(w->s[w->n - 1])) {
    w->n--; /* "hopping" -> "hop" */
  } else if (w->n == w->r1 && short_syllable(w->s, w->n)) {
    w->s[w->n++] = 'e'; /* a short word: "hoping" -> "hope" */
  }
}

/* Step 1c: a final y after a consonant that is not the first letter. */
static void step1c(word *w) {
  char c;
  if (w->n < 3) return;
  c = w->s[w->n - 1];
  if ((c == 'y' || c == 'Y') && !vowel(w->s[w->n - 2])) w->s[w->n - 1] = 'i';
}

/* Step 5: a final e or l. */
static void step5(word *w) {
  size_t at;
  if (w->n == 0) return;
  at = w->n - 1;
  if (w->s[at] == 'e') {
    if (at >= w->r2 || (at >= w->r1 && !short_syllable(w->s, at))) w->n--;
  } else if (w->s[at] == 'l') {
    if (at >= w->r2 && at > 0 && w->s[at - 1] == 'l') w->n--;
  }
}

/* ------------------------------------------------------ exceptions */

typedef struct exception {
  const char *word;
  const char *stem; /* NULL: the word is kept as it is */
} exception;

#define LONGEST_EXCEPTION 7 /* "canning", "proceed", ... */

/* Exceptions grouped by length, as the steps' rules are by last letter. */
typedef const exception *const by_length[LONGEST_EXCEPTION + 1];

/* Words with their own stem, and words kept as they are. */
static const exception whole3[] = {{"sky", NULL}, {NULL, NULL}};
static const exception whole4[] = {
  {"skis", "ski"}, {"idly", "idl"}, {"ugly", "ugli"}, {"only", "onli"}, {"news", NULL},
  {"howe", NULL},  {"bias", NULL},  {NULL, NULL}};
static const exception whole5[] = {
  {"skies", "sky"}, {"dying", "die"}, {"lying", "lie"}, {"tying", "tie"}, {"early", "earli"},
  {"atlas", NULL},  {"andes", NULL},  {NULL, NULL}};
static const exception whole6[] = {
  {"gently", "gentl"}, {"singly", "singl"}, {"cosmos", NULL}, {NULL, NULL}};
static by_length whole_words = {[3] = whole3, [4] = whole4, [5] = whole5, [6] = whole6};

/* Words step 1a leaves that the later steps must not touch. */
static const exception kept6[] = {{"inning", NULL}, {"outing", NULL}, {"exceed", NULL}, {NULL, NULL}};
static const exception kept7[] = {
  {"canning", NULL}, {"herring", NULL}, {"earring", NULL}, {"proceed", NULL}, {"succeed", NULL},
  {NULL, NULL}};
static by_length after_step1a = {[6] = kept6, [7] = kept7};

/* The exception that is the whole of the n bytes at s, or NULL. */
static const exception *find(by_length list, const char *s, size_t n) {
  const exception *e;
  if (n > LONGEST_EXCEPTION) return NULL; /* most words: no search */
  for (e = list[n]; e && e->word; e++)
    if (e->word[0] == s[0] && memcmp(e->word, s, n) == 0) return e;
  return NULL;
}

/* ------------------------------------------------------------ driver */

/* Does w begin with the n bytes of p? */
static int begins(const word *w, const char *p, size_t n) {
  return w->n >= n && w->s[0] == p[0] && memcmp(w->s, p, n) == 0;
}

/* Regions: R1 after the first non-vowel following a vowel (or after the
 * prefixes gener, commun, arsen), R2 the same rule applied within R1. */
static void mark_regions(word *w) {
  w->r1 = region_after(w->s, w->n, 0);
  if (begins(w, "gener", 5)) w->r1 = 5;
  else if (begins(w, "commun", 6)) w->r1 = 6;
  else if (begins(w, "arsen", 5)) w->r1 = 5;
  w->r2 = w->r1 >= w->n ? w->n : region_after(w->s, w->n, w->r1);
}

size_t tci_stem_english(char *s, size_t n) {
  const exception *e;
  word w;
  size_t i, k;
  int marked = 0; /* any 'Y' to turn back? */
  if (n < 3) return n;
  if ((e = find(whole_words, s, n)) != NULL) {
    if (!e->stem) return n;
    k = strlen(e->stem);
    memcpy(s, e->stem, k);
    return k;
  }
  w.s = s[0] == '\'' ? s + 1 : s; /* a leading apostrophe goes */
  w.n = n - (size_t)(w.s - s);
  /* y as a consonant: first letter, or after a vowel */
  for (i = 0; i < w.n; i++) {
    if (w.s[i] == 'y' && (i == 0 || vowel(w.s[i - 1]))) {
      w.s[i] = 'Y';
      marked = 1;
    }
  }
  mark_regions(&w);
  step1a(&w);
  if (!find(after_step1a, w.s, w.n)) {
    step1b(&w);
    step1c(&w);
    apply(&w, step2);
    apply(&w, step3);
    apply(&w, step4);
    step5(&w);
  }
  for (i = 0; marked && i < w.n; i++)
    if (w.s[i] == 'Y') w.s[i] = 'y';
  if (w.s != s) memmove(s, w.s, w.n);
  return w.n;
}

/* Is the token made of a-z and apostrophes only? */
static int stemmable(const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if ((s[i] < 'a' || s[i] > 'z') && s[i] != '\'') return 0;
  return 1;
}

void tci_stem_tokens(tc_token *tok, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (stemmable(tok[i].text, tok[i].len))
      tok[i].len = tci_stem_english((char *)tok[i].text, tok[i].len);
}
