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
 *    and it matters: "national" is not reduced by its "al" in step 4
 *    when "ational" (step 2's suffix) is not in R1.
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

/* Does w end with the n-byte suffix suf? */
static int ends(const word *w, const char *suf, size_t n) {
  return w->n >= n && memcmp(w->s + w->n - n, suf, n) == 0;
}

/* Replace the last `cut` bytes by rep (never longer than cut). */
static void replace(word *w, size_t cut, const char *rep) {
  size_t k = strlen(rep);
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
enum { ALWAYS, IN_R1, IN_R2, AFTER_LI, AFTER_L, AFTER_S_OR_T };

typedef struct rule {
  const char *suffix;
  const char *replacement;
  int condition;
} rule;

/* The rule of the longest suffix in rules (ordered longest first) that w
 * ends with, or NULL. */
static const rule *longest(const word *w, const rule *rules) {
  for (; rules->suffix; rules++)
    if (ends(w, rules->suffix, strlen(rules->suffix))) return rules;
  return NULL;
}

/* Apply the longest matching rule when its condition holds. */
static void apply(word *w, const rule *rules) {
  const rule *r = longest(w, rules);
  size_t k, at;
  int ok;
  if (!r) return;
  k = strlen(r->suffix);
  at = w->n - k;
  switch (r->condition) {
    case ALWAYS: ok = 1; break;
    case IN_R1: ok = at >= w->r1; break;
    case IN_R2: ok = at >= w->r2; break;
    case AFTER_LI: ok = at >= w->r1 && at > 0 && strchr("cdeghkmnrt", w->s[at - 1]); break;
    case AFTER_L: ok = at >= w->r1 && at > 0 && w->s[at - 1] == 'l'; break;
    default: ok = at >= w->r2 && at > 0 && (w->s[at - 1] == 's' || w->s[at - 1] == 't'); break;
  }
  if (ok) replace(w, k, r->replacement);
}

static const rule step2[] = {
  {"ational", "ate", IN_R1}, {"fulness", "ful", IN_R1}, {"iveness", "ive", IN_R1},
  {"ization", "ize", IN_R1}, {"ousness", "ous", IN_R1}, {"biliti", "ble", IN_R1},
  {"lessli", "less", IN_R1}, {"tional", "tion", IN_R1}, {"alism", "al", IN_R1},
  {"aliti", "al", IN_R1},    {"ation", "ate", IN_R1},    {"entli", "ent", IN_R1},
  {"fulli", "ful", IN_R1},   {"iviti", "ive", IN_R1},    {"ousli", "ous", IN_R1},
  {"abli", "able", IN_R1},   {"alli", "al", IN_R1},      {"anci", "ance", IN_R1},
  {"ator", "ate", IN_R1},    {"enci", "ence", IN_R1},    {"izer", "ize", IN_R1},
  {"bli", "ble", IN_R1},     {"ogi", "og", AFTER_L},     {"li", "", AFTER_LI},
  {NULL, NULL, 0}};

static const rule step3[] = {
  {"ational", "ate", IN_R1}, {"tional", "tion", IN_R1}, {"alize", "al", IN_R1},
  {"ative", "", IN_R2},      {"icate", "ic", IN_R1},    {"iciti", "ic", IN_R1},
  {"ical", "ic", IN_R1},     {"ness", "", IN_R1},       {"ful", "", IN_R1},
  {NULL, NULL, 0}};

static const rule step4[] = {
  {"ement", "", IN_R2}, {"able", "", IN_R2}, {"ance", "", IN_R2}, {"ence", "", IN_R2},
  {"ible", "", IN_R2},  {"ment", "", IN_R2}, {"ant", "", IN_R2},  {"ate", "", IN_R2},
  {"ent", "", IN_R2},   {"ion", "", AFTER_S_OR_T}, {"ism", "", IN_R2}, {"iti", "", IN_R2},
  {"ive", "", IN_R2},   {"ize", "", IN_R2},  {"ous", "", IN_R2},  {"al", "", IN_R2},
  {"er", "", IN_R2},    {"ic", "", IN_R2},   {NULL, NULL, 0}};

/* Step 0 and step 1a: apostrophe endings, then plurals. */
static void step1a(word *w) {
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

/* Step 1b: -eed, -ed, -ing and their -ly forms. */
static void step1b(word *w) {
  static const char *const gone[] = {"ingly", "edly", "ing", "ed"};
  size_t i, k;
  if (ends(w, "eedly", 5) || ends(w, "eed", 3)) {
    k = ends(w, "eedly", 5) ? 5 : 3;
    if (w->n - k >= w->r1) replace(w, k, "ee");
    return;
  }
  for (i = 0; i < 4; i++) {
    k = strlen(gone[i]);
    if (ends(w, gone[i], k)) break;
  }
  if (i == 4 || !has_vowel(w->s, w->n - k)) return;
  w->n -= k;
  if (ends(w, "at", 2) || ends(w, "bl", 2) || ends(w, "iz", 2)) {
    w->s[w->n++] = 'e';
  } else if (w->n >= 2 && w->s[w->n - 1] == w->s[w->n - 2] &&
             strchr("bdfgmnprt", w->s[w->n - 1])) {
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
  size_t at = w->n - 1;
  if (w->n == 0) return;
  if (w->s[at] == 'e') {
    if (at >= w->r2 || (at >= w->r1 && !short_syllable(w->s, at))) w->n--;
  } else if (w->s[at] == 'l') {
    if (at >= w->r2 && at > 0 && w->s[at - 1] == 'l') w->n--;
  }
}

/* ------------------------------------------------------ exceptions */

typedef struct exception {
  const char *word, *stem;
} exception;

/* Words with their own stem, and words kept as they are (stem NULL). */
static const exception whole_words[] = {
  {"skis", "ski"},   {"skies", "sky"},  {"dying", "die"},   {"lying", "lie"},
  {"tying", "tie"},  {"idly", "idl"},   {"gently", "gentl"}, {"ugly", "ugli"},
  {"early", "earli"}, {"only", "onli"}, {"singly", "singl"}, {"sky", NULL},
  {"news", NULL},    {"howe", NULL},    {"atlas", NULL},    {"cosmos", NULL},
  {"bias", NULL},    {"andes", NULL},   {NULL, NULL}};

/* Words step 1a leaves that the later steps must not touch. */
static const char *const after_step1a[] = {
  "inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed", NULL};

static const exception *whole_word(const char *s, size_t n) {
  const exception *e;
  for (e = whole_words; e->word; e++)
    if (strlen(e->word) == n && memcmp(e->word, s, n) == 0) return e;
  return NULL;
}

static int kept_after_step1a(const word *w) {
  const char *const *k;
  for (k = after_step1a; *k; k++)
    if (strlen(*k) == w->n && memcmp(*k, w->s, w->n) == 0) return 1;
  return 0;
}

/* ------------------------------------------------------------ driver */

/* Regions: R1 after the first non-vowel following a vowel (or after the
 * prefixes gener, commun, arsen), R2 the same rule applied within R1. */
static void mark_regions(word *w) {
  static const char *const prefixes[] = {"gener", "commun", "arsen", NULL};
  const char *const *p;
  w->r1 = w->n + 1; /* not found yet */
  for (p = prefixes; *p; p++)
    if (w->n >= strlen(*p) && memcmp(w->s, *p, strlen(*p)) == 0) w->r1 = strlen(*p);
  if (w->r1 > w->n) w->r1 = region_after(w->s, w->n, 0);
  w->r2 = w->r1 >= w->n ? w->n : region_after(w->s, w->n, w->r1);
}

size_t tci_stem_english(char *s, size_t n) {
  const exception *e;
  word w;
  size_t i;
  if (n < 3) return n;
  if ((e = whole_word(s, n)) != NULL) {
    if (!e->stem) return n;
    memcpy(s, e->stem, strlen(e->stem));
    return strlen(e->stem);
  }
  w.s = s[0] == '\'' ? s + 1 : s; /* a leading apostrophe goes */
  w.n = n - (size_t)(w.s - s);
  /* y as a consonant: first letter, or after a vowel */
  if (w.n > 0 && w.s[0] == 'y') w.s[0] = 'Y';
  for (i = 1; i < w.n; i++)
    if (w.s[i] == 'y' && vowel(w.s[i - 1])) w.s[i] = 'Y';
  mark_regions(&w);
  step1a(&w);
  if (!kept_after_step1a(&w)) {
    step1b(&w);
    step1c(&w);
    apply(&w, step2);
    apply(&w, step3);
    apply(&w, step4);
    step5(&w);
  }
  for (i = 0; i < w.n; i++)
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
