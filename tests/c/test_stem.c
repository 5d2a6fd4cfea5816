/* test_stem.c - the English stemmer (stem.c) step by step, and stemming in
 * the tokeniser (tc_options.stem).
 *
 * The expected stems are those of the Snowball project's own English
 * stemmer. The whole algorithm was also compared with it, by hand, on every
 * distinct word of the corpora (155,541) and on 227,474 random strings of
 * a-z and apostrophes built around the suffixes below, with no difference:
 * build stem.c into a driver that stems one word per line, then compare
 * with `python3 -c 'import snowballstemmer; ...stemWords(...)'` (Debian's
 * python3-snowballstemmer 2.2.0). tests/lua/stem_spec.lua repeats that
 * comparison on every run where the package is installed. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

static tc_workspace *ws;

/* The stem of word, as a string. */
static const char *stem(const char *word) {
  static char buf[256];
  size_t n = strlen(word);
  memcpy(buf, word, n);
  n = tci_stem_english(buf, n);
  buf[n] = '\0';
  return buf;
}

typedef struct pair {
  const char *word, *stem;
} pair;

static void check_pairs(const pair *p) {
  for (; p->word; p++) {
    const char *got = stem(p->word);
    if (strcmp(got, p->stem) == 0) {
      check_passed++;
    } else {
      check_failed++;
      fprintf(stderr, "%s: stem(\"%s\") = \"%s\", want \"%s\"\n", check_current, p->word, got,
              p->stem);
    }
  }
}

TEST(short_words_and_exceptions) {
  static const pair p[] = {
    /* two letters or fewer stay */
    {"by", "by"}, {"is", "is"}, {"a", "a"}, {"", ""},
    /* whole words with their own stems, and words kept as they are */
    {"skis", "ski"}, {"skies", "sky"}, {"dying", "die"}, {"lying", "lie"}, {"tying", "tie"},
    {"idly", "idl"}, {"gently", "gentl"}, {"ugly", "ugli"}, {"early", "earli"},
    {"only", "onli"}, {"singly", "singl"}, {"sky", "sky"}, {"news", "news"}, {"howe", "howe"},
    {"atlas", "atlas"}, {"cosmos", "cosmos"}, {"bias", "bias"}, {"andes", "andes"},
    /* kept after step 1a: its plural goes, nothing else */
    {"innings", "inning"}, {"outings", "outing"}, {"cannings", "canning"},
    {"herrings", "herring"}, {"earrings", "earring"}, {"proceeds", "proceed"},
    {"exceeds", "exceed"}, {"succeeds", "succeed"}, {"proceed", "proceed"},
    {NULL, NULL}};
  check_pairs(p);
}

TEST(apostrophes_and_plurals) {
  static const pair p[] = {
    {"dog's", "dog"}, {"ladies'", "ladi"}, {"'tis", "tis"}, {"don't", "don't"},
    {"o'brien", "o'brien"},
    {"caresses", "caress"}, {"ponies", "poni"}, {"ties", "tie"}, {"cries", "cri"},
    {"tied", "tie"}, {"cried", "cri"},
    /* -s goes after a vowel that is not just before it */
    {"gas", "gas"}, {"gaps", "gap"}, {"kiwis", "kiwi"}, {"this", "this"},
    {"focus", "focus"}, {"miss", "miss"},
    {NULL, NULL}};
  check_pairs(p);
}

TEST(step1b_ed_and_ing) {
  static const pair p[] = {
    {"agreed", "agre"}, {"feed", "feed"}, {"bleed", "bleed"},
    {"hopping", "hop"}, {"hoping", "hope"}, {"filing", "file"}, {"filed", "file"},
    {"falling", "fall"}, {"hissing", "hiss"}, {"fizzed", "fizz"}, {"failing", "fail"},
    {"luxuriated", "luxuri"}, {"consigned", "consign"}, {"consolingly", "consol"},
    {NULL, NULL}};
  check_pairs(p);
}

TEST(y_as_consonant) {
  static const pair p[] = {
    {"cry", "cri"}, {"say", "say"}, {"saying", "say"}, {"yes", "yes"},
    {"enjoying", "enjoy"}, {"crying", "cri"}, {"yelling", "yell"}, {"bayonet", "bayonet"},
    {"conspiracy", "conspiraci"}, {"consolatory", "consolatori"},
    {NULL, NULL}};
  check_pairs(p);
}

TEST(regions) {
  static const pair p[] = {
    /* R1 after gener, commun, arsen */
    {"generously", "generous"}, {"generate", "generat"}, {"generation", "generat"},
    {"communism", "communism"}, {"communication", "communic"},
    {"arsenal", "arsenal"}, {"arsenic", "arsenic"},
    {NULL, NULL}};
  check_pairs(p);
}

TEST(steps_2_to_5) {
  static const pair p[] = {
    /* step 2 */
    {"relational", "relat"}, {"conditional", "condit"}, {"rational", "ration"},
    {"valenci", "valenc"}, {"hesitanci", "hesit"}, {"digitizer", "digit"},
    {"conformabli", "conform"}, {"radicalli", "radic"}, {"differentli", "differ"},
    {"vileli", "vile"}, {"analogousli", "analog"}, {"vietnamization", "vietnam"},
    {"predication", "predic"}, {"operator", "oper"}, {"feudalism", "feudal"},
    {"decisiveness", "decis"}, {"hopefulness", "hope"}, {"callousness", "callous"},
    {"formaliti", "formal"}, {"sensitiviti", "sensit"}, {"sensibiliti", "sensibl"},
    /* step 3 */
    {"triplicate", "triplic"}, {"formative", "format"}, {"formalize", "formal"},
    {"electriciti", "electr"}, {"electrical", "electr"}, {"hopeful", "hope"},
    {"goodness", "good"},
    /* step 4 */
    {"revival", "reviv"}, {"allowance", "allow"}, {"inference", "infer"},
    {"airliner", "airlin"}, {"gyroscopic", "gyroscop"}, {"adjustable", "adjust"},
    {"defensible", "defens"}, {"irritant", "irrit"}, {"replacement", "replac"},
    {"adjustment", "adjust"}, {"dependent", "depend"}, {"adoption", "adopt"},
    {"agreement", "agreement"}, /* "ement" is not in R2, and "ment" is not tried */
    {"activate", "activ"}, {"angulariti", "angular"}, {"homologous", "homolog"},
    {"effective", "effect"}, {"bowdlerize", "bowdler"},
    /* step 5 */
    {"probate", "probat"}, {"rate", "rate"}, {"cease", "ceas"}, {"controll", "control"},
    {"roll", "roll"},
    /* a family of words, one stem each */
    {"consist", "consist"}, {"consistency", "consist"}, {"consistently", "consist"},
    {"consolidated", "consolid"}, {"consonant", "conson"}, {"conspicuously", "conspicu"},
    {"conspirators", "conspir"}, {"constables", "constabl"}, {"constancy", "constanc"},
    {"constant", "constant"},
    {NULL, NULL}};
  check_pairs(p);
}

/* Random strings of a-z and apostrophes: a stem is never longer than its
 * word, is made of the same letters, and nothing is read or written out of
 * bounds (the sanitizer and valgrind runs watch that). */
TEST(random_words_stay_in_bounds) {
  static const char alphabet[] = "aeiouybcdlnrstgmpwx'";
  unsigned seed = 12345;
  int i, bad = 0;
  for (i = 0; i < 200000; i++) {
    char w[24], *heap;
    size_t n, k, m;
    seed = seed * 1103515245u + 12345u;
    n = (seed >> 16) % 16;
    for (k = 0; k < n; k++) {
      seed = seed * 1103515245u + 12345u;
      w[k] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    heap = malloc(n ? n : 1); /* exactly n bytes: an overrun is reported */
    if (!heap) { CHECK(heap != NULL); return; }
    if (n) memcpy(heap, w, n);
    m = tci_stem_english(heap, n);
    if (m > n) bad++;
    for (k = 0; k < m && k < n; k++)
      if (!strchr(alphabet, heap[k])) bad++;
    free(heap);
  }
  CHECK_EQ_INT(bad, 0);
}

/* Tokens of text with *o, joined by '|'. */
static const char *toks(const tc_options *o, const char *text) {
  static char buf[1024];
  tc_extractor *ex = NULL;
  tc_tokens t;
  size_t i, k = 0;
  if (tc_extractor_new(o, &ex, NULL) != TC_OK) return "(error)";
  if (tc_extractor_tokenize(ex, ws, text, strlen(text), &t) != TC_OK) {
    tc_extractor_free(ex);
    return "(error)";
  }
  for (i = 0; i < t.n && k + t.tok[i].len + 2 < sizeof buf; i++) {
    if (i) buf[k++] = '|';
    memcpy(buf + k, t.tok[i].text, t.tok[i].len);
    k += t.tok[i].len;
  }
  buf[k] = '\0';
  tc_extractor_free(ex);
  return buf;
}

TEST(tokeniser_stems_plain_words_only) {
  static const char *stop[] = {"running", "elections"};
  tc_options o;
  tc_options_init(&o);
  CHECK_EQ_INT(o.stem, TC_STEM_NONE);
  CHECK_EQ_STR(toks(&o, "The elections were elected"), "elections|elected");
  o.stem = TC_STEM_ENGLISH;
  CHECK_EQ_STR(toks(&o, "The elections were elected"), "elect|elect");
  /* digits, hyphens, dots and other letters than a-z: kept as they are */
  CHECK_EQ_STR(toks(&o, "U.S. covid-19 caf\xc3\xa9s ransomware's attackers 2024"),
               "u.s|covid-19|caf\xc3\xa9s|ransomwar|attack|2024");
  /* without case folding, capitals are not a-z: kept */
  o.casefold = 0;
  CHECK_EQ_STR(toks(&o, "Elections RUNNING runs"), "Elections|RUNNING|run");
  o.casefold = 1;
  /* stop words are matched before stemming, and are not stemmed themselves */
  o.stopword_mode = TC_STOPWORDS_CUSTOM;
  o.stopwords = stop;
  o.n_stopwords = 2;
  CHECK_EQ_STR(toks(&o, "The elections running runs elected"), "the|run|elect");
  /* a text with a non-ASCII character (the tokeniser's general path) */
  o.stopword_mode = TC_STOPWORDS_ENGLISH;
  o.stopwords = NULL;
  o.n_stopwords = 0;
  CHECK_EQ_STR(toks(&o, "Hackers stole passwords \xe2\x80\x94 ministers resigned"),
               "hacker|stole|password|minist|resign");
}

TEST(option_is_checked) {
  tc_options o;
  tc_options_init(&o);
  o.stem = 2;
  CHECK(tc_options_check(&o) != NULL && strstr(tc_options_check(&o), "stem") != NULL);
  o.stem = -1;
  CHECK(tc_options_check(&o) != NULL);
  o.stem = TC_STEM_ENGLISH;
  CHECK(tc_options_check(&o) == NULL);
}

int main(void) {
  if (tc_workspace_new(&ws)) return 1;
  RUN(short_words_and_exceptions);
  RUN(apostrophes_and_plurals);
  RUN(step1b_ed_and_ing);
  RUN(y_as_consonant);
  RUN(regions);
  RUN(steps_2_to_5);
  RUN(random_words_stay_in_bounds);
  RUN(tokeniser_stems_plain_words_only);
  RUN(option_is_checked);
  tc_workspace_free(ws);
  return check_report();
}
