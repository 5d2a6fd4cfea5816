/* test_tokenize.c - the tokeniser's rules, Unicode scripts, limits, and the
 * ASCII fast path against the general path (fixtures and real corpora). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "check.h"
#include "internal.h"
#include "oom.h"

static tc_workspace *ws, *ws2;
static tc_extractor *plain; /* default options, no stop words */

/* Tokens joined by '|' (a byte no token can hold), in a static buffer. */
static const char *joined(const tc_tokens *t) {
  static char buf[4096];
  size_t i, k = 0;
  for (i = 0; i < t->n && k + t->tok[i].len + 2 < sizeof buf; i++) {
    if (i) buf[k++] = '|';
    memcpy(buf + k, t->tok[i].text, t->tok[i].len);
    k += t->tok[i].len;
  }
  buf[k] = '\0';
  return buf;
}

/* Tokens of text joined by '|'. */
static const char *toks(const tc_extractor *ex, const char *text, size_t len) {
  tc_tokens t;
  if (tc_extractor_tokenize(ex, ws, text, len, &t) != TC_OK) return "(error)";
  return joined(&t);
}
#define TOKS(in, want) CHECK_EQ_STR(toks(plain, in, strlen(in)), want)

TEST(words_by_category) {
  TOKS("Hello, world!  Tabs\tand\nnewlines", "hello|world|tabs|and|newlines");
  TOKS("snake_case #tag $5 50% C++ a/b", "snake|case|tag|5|50|c|a|b");
  TOKS("covid19 mp3 x86", "covid19|mp3|x86");
  TOKS("", "");
  TOKS("  ...  ", "");
  TOKS("em\xE2\x80\x94" "dash en\xE2\x80\x93" "dash", "em|dash|en|dash"); /* dashes separate */
  TOKS("non\xC2\xA0" "breaking\xE2\x80\x83space", "non|breaking|space");
}

TEST(apostrophes) {
  TOKS("don't can\xE2\x80\x99t rock'n'roll", "don't|can't|rock'n'roll");
  TOKS("Biden's BBC\xE2\x80\x99S plan", "biden|bbc|plan"); /* trailing 's dropped */
  TOKS("'quoted' students' 'tis", "quoted|students|tis");
  TOKS("1990's x's", "1990|s|x");      /* only between letters */
  TOKS("it''s a'", "it|s|a");
}

TEST(hyphens) {
  TOKS("e-mail COVID-19 state-of-the-art 2020-21", "e-mail|covid-19|state-of-the-art|2020-21");
  TOKS("well--known -5 a - b x-", "well|known|5|a|b|x");
  TOKS("e\xE2\x80\x90mail", "e-mail"); /* U+2010 HYPHEN */
}

TEST(numbers) {
  TOKS("3.5 1,000,000 192.168.0.1 3.5m", "3.5|1,000,000|192.168.0.1|3.5m");
  TOKS("end. ab.c 3.x 3,a 3. ,5", "end|ab|c|3|x|3|a|3|5");
  TOKS("\xD9\xA3.\xD9\xA5", "\xD9\xA3.\xD9\xA5"); /* Arabic-Indic digits are digits */
}

TEST(initialisms) {
  TOKS("The U.S. and U.K. e.g. J.R.R. Tolkien", "the|u.s|and|u.k|e.g|j.r.r|tolkien");
  TOKS("Mr. Smith plan B. Then a.m. vitamin C.The end", "mr|smith|plan|b|then|a.m|vitamin|c|the|end");
  TOKS("a.bc ab.c x.y", "a|bc|ab|c|x.y");
  TOKS("j.s@x.com j.smith@y.org", "x.com|y.org");
}

TEST(urls_and_emails) {
  TOKS("see https://thehackernews.com/2021/03/x.html now", "see|thehackernews.com|now");
  TOKS("HTTP://user:pw@Example.COM:8080/a?b#c", "example.com");
  TOKS("www.bbc.co.uk/news and www.BBC.co.uk.", "bbc.co.uk|and|bbc.co.uk");
  TOKS("(see https://x.org).", "see|x.org");
  TOKS("ftp://files.example.org/pub", "files.example.org");
  TOKS("https:// http:x", "https|http|x");         /* no host: not a URL */
  TOKS("visit www. www", "visit|www|www");
  TOKS("mail John.Smith@BBC.co.uk. Or <j_x+1@mail.example.org>", "mail|bbc.co.uk|or|mail.example.org");
  TOKS("@handle a@b x@.com", "handle|a|b|x|com");    /* not e-mail addresses */
  TOKS("o'neil@x.com", "x.com");
  TOKS("john@www.example.org a@-b.c a@", "example.org|a|b.c|a"); /* regression: www. trimmed */
}

TEST(unspaced_scripts) {
  tc_tokens t;
  size_t i, flagged = 0;
  const char *ja = "東京タワーです。2020年";
  TOKS(ja, "東|京|タ|ワ|ー|で|す|2020|年");
  CHECK_OK(tc_extractor_tokenize(plain, ws, ja, strlen(ja), &t));
  for (i = 0; i < t.n; i++) flagged += (size_t)tci_token_is_unspaced(t.tok[i].text, t.tok[i].len);
  CHECK_EQ_INT(flagged, 8);                      /* all but "2020" */
  TOKS("中文abc", "中|文|abc");
  /* Thai: marks stay with their letter */
  TOKS("ที่นี่", "ที่|นี่");
  CHECK(tci_token_is_unspaced("ที่", strlen("ที่")));
  CHECK(!tci_token_is_unspaced("abc", 3));
  CHECK(!tci_token_is_unspaced("", 0));
  CHECK(!tci_token_is_unspaced("\xC3\xA9", 2));
  CHECK(!tci_token_is_unspaced("東京", strlen("東京")));
  CHECK(tci_is_unspaced_script(0x4E2D) && tci_is_unspaced_script(0x0E17) &&
        tci_is_unspaced_script(0x30BF) && tci_is_unspaced_script(0x3042) &&
        tci_is_unspaced_script(0x0E81) && tci_is_unspaced_script(0x1780) &&
        tci_is_unspaced_script(0x1000) && tci_is_unspaced_script(0x20000));
  CHECK(!tci_is_unspaced_script('a') && !tci_is_unspaced_script(0xAC00) && /* Hangul is spaced */
        !tci_is_unspaced_script(0x0627));
  TOKS("한국어 텍스트", "한국어|텍스트");
}

TEST(other_scripts) {
  TOKS("السلام عليكم", "السلام|عليكم");
  TOKS("مُحَمَّد", "مُحَمَّد");                            /* harakat are marks */
  TOKS("Привет, МИР", "привет|мир");
  TOKS("\xC4\xB0stanbul", "i\xCC\x87stanbul");         /* İ folds to i + U+0307 */
  TOKS("I \xE2\x9D\xA4\xEF\xB8\x8F NY \xF0\x9F\x98\x80\xF0\x9F\x8E\x89 "
       "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x92\xBB ok", "i|ny|ok"); /* emoji separate */
  TOKS("caf\xC3\xA9 cafe\xCC\x81", "caf\xC3\xA9|caf\xC3\xA9");
}

TEST(invalid_and_nul) {
  tc_tokens t;
  CHECK_EQ_STR(toks(plain, "caf\xFF" "e \xC0\xAF ok", 11), "caf|e|ok");
  CHECK_OK(tc_extractor_tokenize(plain, ws, "caf\xFF" "e \xC0\xAF ok", 11, &t));
  CHECK_EQ_INT(t.n_invalid, 3);
  CHECK_EQ_STR(toks(plain, "nul\0byte", 8), "nul|byte");
  CHECK_OK(tc_extractor_tokenize(plain, ws, NULL, 0, &t));
  CHECK_EQ_INT(t.n, 0);
  CHECK_EQ_INT(t.n_invalid, 0);
  CHECK_EQ_INT(tc_extractor_tokenize(plain, ws, NULL, 1, &t), TC_EINVAL);
  CHECK_EQ_INT(tc_extractor_tokenize(NULL, ws, "a", 1, &t), TC_EINVAL);
  CHECK_EQ_INT(tc_extractor_tokenize(plain, NULL, "a", 1, &t), TC_EINVAL);
  CHECK_EQ_INT(tc_extractor_tokenize(plain, ws, "a", 1, NULL), TC_EINVAL);
}

TEST(long_tokens) {
  size_t n = 1u << 20, i;
  char *big = malloc(n + 4);
  tc_tokens t;
  tc_options o;
  tc_extractor *ex = NULL;
  CHECK(big != NULL);
  if (!big) return;
  memset(big, 'A', n);
  memcpy(big + n, " ok", 3);
  CHECK_OK(tc_extractor_tokenize(plain, ws, big, n + 3, &t));
  CHECK_EQ_INT(t.n, 2);
  CHECK_EQ_INT(t.tok[0].len, 64);
  CHECK(t.tok[0].text[0] == 'a' && t.tok[0].text[63] == 'a');
  CHECK_MEM(t.tok[1].text, t.tok[1].len, "ok", 2);
  /* two-byte characters: cut on a character boundary */
  for (i = 0; i + 1 < n; i += 2) {
    big[i] = '\xC3';
    big[i + 1] = '\xA9';
  }
  CHECK_OK(tc_extractor_tokenize(plain, ws, big, n, &t));
  CHECK_EQ_INT(t.n, 1);
  CHECK_EQ_INT(t.tok[0].len, 64);
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_NONE;
  o.max_token_bytes = 5;
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  CHECK_EQ_STR(toks(ex, "\xC3\xA9\xC3\xA9\xC3\xA9 abcdefg a\xE6\x9D\xB1", 17), "\xC3\xA9\xC3\xA9|abcde|a");
  CHECK_EQ_STR(toks(ex, "https://abcdefgh.com/", 21), "abcde");
  CHECK_EQ_STR(toks(ex, "\xF0\x9D\x90\x80\xF0\x9D\x90\x80", 8), "aa"); /* math bold A -> a */
  CHECK_EQ_STR(toks(ex, "\xF0\x90\x90\x80\xF0\x90\x90\x80", 8), "\xF0\x90\x90\xA8"); /* Deseret */
  tc_extractor_free(ex);
  free(big);
}

/* Inputs that made an early version rescan the rest of the text at every
 * word (quadratic: minutes for these 2 MB). They must finish promptly. */
TEST(no_quadratic_rescans) {
  static const char *const units[] = {"ab.", "a.", "b-.", "c'.", "d--", "x@a-", "http://@:"};
  size_t n = 2u << 20, u, i;
  char *big = malloc(n);
  tc_tokens t;
  CHECK(big != NULL);
  if (!big) return;
  for (u = 0; u < sizeof units / sizeof units[0]; u++) {
    size_t k = strlen(units[u]);
    for (i = 0; i + k <= n; i += k) memcpy(big + i, units[u], k);
    CHECK_OK(tc_extractor_tokenize(plain, ws, big, i, &t));
    /* "a.a.a..." is one initialism, cut to 64 bytes; the others are many words */
    CHECK(u == 1 ? t.n == 1 : t.n >= i / k / 2);
    if (u != 1 && t.n < i / k / 2) fprintf(stderr, "  unit %s: %zu tokens\n", units[u], t.n);
  }
  free(big);
}

/* ------------------------------------------------------------------
 * The fast path and the general path agree
 * ------------------------------------------------------------------ */

static size_t n_compared, n_mismatch;

/* Normalise and tokenise text both ways with options o; count mismatches. */
static void compare_paths(const tc_options *o, const char *text, size_t len) {
  const char *a, *b;
  size_t na, nb, ia = 0, ib = 0, i;
  tc_tokens ta, tb;
  tci_stopset stop;
  int same = 1;
  if (tci_normalize(o, ws, text, len, 0, &a, &na, &ia) ||
      tci_normalize(o, ws2, text, len, TCI_TEXT_GENERAL, &b, &nb, &ib)) {
    n_mismatch++;
    return;
  }
  if (na != nb || memcmp(a, b, na) != 0 || ia != ib) same = 0;
  if (tci_stopset_build(&stop, o, ws2, NULL) != TC_OK) {
    n_mismatch++;
    return;
  }
  if (tci_tokenize(o, &stop, ws, text, len, 0, &ta) ||
      tci_tokenize(o, &stop, ws2, text, len, TCI_TEXT_GENERAL, &tb) || ta.n != tb.n ||
      ta.n_invalid != tb.n_invalid)
    same = 0;
  else
    for (i = 0; i < ta.n; i++)
      if (ta.tok[i].len != tb.tok[i].len || memcmp(ta.tok[i].text, tb.tok[i].text, ta.tok[i].len))
        same = 0;
  tci_stopset_free(&stop);
  n_compared++;
  if (!same) {
    if (n_mismatch < 3) fprintf(stderr, "  paths differ on: %.120s\n", text);
    n_mismatch++;
  }
}

static void compare_all_options(const char *text, size_t len) {
  tc_options o;
  tc_options_init(&o);
  compare_paths(&o, text, len);
  o.compat = 0;
  o.strip_accents = 1;
  compare_paths(&o, text, len);
  o.casefold = 0;
  o.stopword_mode = TC_STOPWORDS_NONE;
  compare_paths(&o, text, len);
}

TEST(paths_agree_on_fixtures) {
  static const char *const texts[] = {
    "Plain ASCII news: The U.S. Senate voted 51-49 on Tuesday.",
    ("cafe\xCC\x81 e\xCC\x81 \xCC\x81" "a A\xCC\x8A x\t\xCC\x88y"), /* marks after ASCII */
    "Ｃｙｂｅｒ STRASSE Straße don’t e‐mail",
    "mixed\xFF bytes \xC0\xAF in \xE2\x82 words\xED\xA0\x80",
    "東京タワー ภาษาไทย العربية Привет",
    "\xC2\xA0lead trail\xC2\xA0 \xE2\x80\x8B zero",
    "https://www.Example.com/x ünïcödé@exämple.org",
  };
  size_t i;
  n_compared = n_mismatch = 0;
  for (i = 0; i < sizeof texts / sizeof texts[0]; i++)
    compare_all_options(texts[i], strlen(texts[i]));
  CHECK_EQ_INT(n_mismatch, 0);
  CHECK_EQ_INT(n_compared, 3 * (sizeof texts / sizeof texts[0]));
}

/* Random mixtures of ASCII, whitespace, marks, non-ASCII letters and
 * invalid bytes (xorshift, fixed seed). */
TEST(paths_agree_on_random_text) {
  static const char *const pieces[] = {
    "a", "B", " ", "\t", "\n", "-", "'", ".", ",", "@", ":", "/", "w", "1",
    "\xCC\x81", "\xCC\xA3", "\xC3\xA9", "\xC3\x9F", "\xEF\xBC\xA3", "\xE6\x9D\xB1", "\xE0\xB8\x97",
    "\xE0\xB9\x88", "\xFF", "\xC0", "\xE2\x82", "\xE2\x80\x99", "\xC2\xAD", "\xC2\xA0", "http://",
    /* Hangul L, V, T jamo (compose), ZWJ, ypogegrammeni, ﬁ, ᾼ, a lone E2 */
    "\xE1\x84\x80", "\xE1\x85\xA1", "\xE1\x86\xA8", "\xE2\x80\x8D", "\xCD\x85", "\xEF\xAC\x81",
    "\xE1\xBE\xBC", "\xE2", "e", "E",
  };
  char buf[512];
  uint64_t x = 88172645463325252ull;
  int doc;
  n_compared = n_mismatch = 0;
  for (doc = 0; doc < 2000; doc++) {
    size_t k = 0;
    while (k < sizeof buf - 16) {
      const char *p;
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      p = pieces[x % (sizeof pieces / sizeof pieces[0])];
      memcpy(buf + k, p, strlen(p));
      k += strlen(p);
      if ((x >> 40) % 97 == 0) break;
    }
    compare_all_options(buf, k);
  }
  CHECK_EQ_INT(n_mismatch, 0);
}

/* ------------------------------------------------------------------
 * Real news from the corpora (skipped loudly when absent)
 * ------------------------------------------------------------------ */

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* The "text" string of a JSONL record, decoded into out (cap bytes); its length or -1. */
static long json_text(const char *line, char *out, size_t cap) {
  const char *p = strstr(line, "\"text\": \"");
  size_t k = 0;
  if (!p) p = strstr(line, "\"text\":\"");
  if (!p) return -1;
  p = strchr(p + 6, '"') + 1;
  while (*p && *p != '"' && k + 4 < cap) {
    if (*p != '\\') {
      out[k++] = *p++;
      continue;
    }
    p++;
    switch (*p) {
    case 'n': out[k++] = '\n'; p++; break;
    case 't': out[k++] = '\t'; p++; break;
    case 'r': out[k++] = '\r'; p++; break;
    case 'b': out[k++] = '\b'; p++; break;
    case 'f': out[k++] = '\f'; p++; break;
    case 'u': {
      long cp = 0;
      int i;
      for (i = 1; i <= 4; i++) {
        int h = hexval(p[i]);
        if (h < 0) return -1;
        cp = cp * 16 + h;
      }
      p += 5;
      if (cp >= 0xD800 && cp <= 0xDBFF && p[0] == '\\' && p[1] == 'u') {
        long lo = 0;
        for (i = 2; i <= 5; i++) {
          int h = hexval(p[i]);
          if (h < 0) return -1;
          lo = lo * 16 + h;
        }
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          p += 6;
        }
      }
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
      k += tci_utf8_encode((int32_t)cp, (unsigned char *)out + k);
      break;
    }
    default: out[k++] = *p ? *p++ : '\0'; break;
    }
  }
  return (long)k;
}

static const char *corpora_dir(void) {
  const char *d = getenv("TEXTCLASS_CORPORA");
  FILE *f;
  static char path[1024];
  if (!d) d = "../shared/corpora";
  snprintf(path, sizeof path, "%s/README.md", d);
  f = fopen(path, "r");
  if (!f) return NULL;
  fclose(f);
  return d;
}

TEST(paths_agree_on_corpora) {
  static const char *const files[] = {
    "bbc/train.jsonl", "cyber/train.jsonl", "agnews/test.jsonl",
    "masakhanews_eng/train.jsonl", "newsgroups/train.jsonl",
  };
  const char *dir = corpora_dir();
  size_t line_cap = 1 << 22, fi, docs = 0;
  char *line, *text;
  if (!dir) {
    fprintf(stderr, "SKIPPED paths_agree_on_corpora: no corpora at ../shared/corpora "
                    "(set TEXTCLASS_CORPORA)\n");
    return;
  }
  line = malloc(line_cap);
  text = malloc(line_cap);
  CHECK(line && text);
  n_compared = n_mismatch = 0;
  for (fi = 0; line && text && fi < sizeof files / sizeof files[0]; fi++) {
    char path[1200];
    FILE *f;
    int n = 0;
    snprintf(path, sizeof path, "%s/%s", dir, files[fi]);
    f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) continue;
    while (n < 300 && fgets(line, (int)line_cap, f)) {
      long len = json_text(line, text, line_cap);
      if (len < 0) continue;
      compare_all_options(text, (size_t)len);
      n++;
    }
    docs += (size_t)n;
    fclose(f);
  }
  CHECK(docs >= 1000);
  CHECK_EQ_INT(n_mismatch, 0);
  free(line);
  free(text);
}

/* ------------------------------------------------------------------
 * Size and determinism
 * ------------------------------------------------------------------ */

TEST(fifty_megabytes) {
  /* 14 tokens per sentence after stop words (the, of, and, a, on are dropped) */
  static const char sentence[] =
      "The Senate passed 3.5 billion dollars of e-mail security funding, and Biden's "
      "team praised https://www.whitehouse.gov/briefing a decision on Tuesday.\n";
  size_t slen = sizeof sentence - 1, reps = (50u << 20) / slen, i;
  char *doc = malloc(reps * slen);
  tc_tokens t;
  tc_extractor *ex = NULL;
  tc_options o;
  size_t wrong = 0;
  CHECK(doc != NULL);
  if (!doc) return;
  for (i = 0; i < reps; i++) memcpy(doc + i * slen, sentence, slen);
  tc_options_init(&o);
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  CHECK_OK(tc_extractor_tokenize(ex, ws, doc, reps * slen, &t));
  CHECK_EQ_INT(t.n, reps * 14);
  for (i = 0; i + 13 < t.n; i += 14)
    if (t.tok[i].len != 6 || memcmp(t.tok[i].text, "senate", 6) ||
        t.tok[i + 5].len != 6 || memcmp(t.tok[i + 5].text, "e-mail", 6) ||
        t.tok[i + 11].len != 14 || memcmp(t.tok[i + 11].text, "whitehouse.gov", 14) ||
        t.tok[i + 13].len != 7 || memcmp(t.tok[i + 13].text, "tuesday", 7))
      wrong++;
  CHECK_EQ_INT(wrong, 0);
  tc_extractor_free(ex);
  free(doc);
}

TEST(deterministic) {
  const char *text = "Straße ＣＹＢＥＲ don't 東京 caf\xC3\xA9 \xFF https://a.b/c x@y.z 1,000";
  tc_tokens a, b;
  size_t i;
  int same = 1;
  CHECK_OK(tc_extractor_tokenize(plain, ws, text, strlen(text), &a));
  CHECK_OK(tc_extractor_tokenize(plain, ws2, text, strlen(text), &b));
  CHECK(a.n == b.n && a.n > 5);
  for (i = 0; i < a.n && i < b.n; i++)
    if (a.tok[i].len != b.tok[i].len || memcmp(a.tok[i].text, b.tok[i].text, a.tok[i].len))
      same = 0;
  CHECK(same);
  /* the same workspace, again: identical results */
  {
    char first[256];
    snprintf(first, sizeof first, "%s", toks(plain, text, strlen(text)));
    CHECK_EQ_STR(toks(plain, text, strlen(text)), first);
    CHECK_EQ_STR(first, "strasse|cyber|don't|東|京|café|a.b|y.z|1,000");
  }
}

/* One extractor, four threads, each with its own workspace: every thread
 * gets the tokens a single thread gets (run under -fsanitize=thread or
 * helgrind to see races; here the results are compared). */
typedef struct job {
  const tc_extractor *ex;
  const char *text;
  size_t len;
  size_t n_tokens;
  uint64_t digest; /* over the token bytes, in order */
  int rc;
} job;

static void *tokenize_job(void *arg) {
  job *j = arg;
  tc_workspace *w;
  int round;
  j->rc = tc_workspace_new(&w);
  for (round = 0; j->rc == TC_OK && round < 20; round++) {
    tc_tokens t;
    size_t i;
    uint64_t d = 0;
    j->rc = tc_extractor_tokenize(j->ex, w, j->text, j->len, &t);
    for (i = 0; j->rc == TC_OK && i < t.n; i++)
      d = d * 1099511628211ull ^ tci_hash_bytes(t.tok[i].text, t.tok[i].len);
    if (round > 0 && (d != j->digest || t.n != j->n_tokens)) j->rc = TC_EINVAL;
    j->digest = d;
    j->n_tokens = t.n;
  }
  tc_workspace_free(w);
  return NULL;
}

TEST(threads_share_extractor) {
  static const char unit[] = "Straße ＣＹＢＥＲ don’t 東京 U.S. café \xFF https://a.b/c x@y.z 1,000 ";
  enum { T = 4, REPS = 2000 };
  size_t ul = sizeof unit - 1, i;
  char *text = malloc(ul * REPS);
  pthread_t th[T];
  job jobs[T], one;
  tc_extractor *ex = NULL;
  tc_options o;
  CHECK(text != NULL);
  if (!text) return;
  for (i = 0; i < REPS; i++) memcpy(text + i * ul, unit, ul);
  tc_options_init(&o);
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  memset(&one, 0, sizeof one);
  one.ex = ex;
  one.text = text;
  one.len = ul * REPS;
  tokenize_job(&one);
  CHECK_OK(one.rc);
  CHECK_EQ_INT(one.n_tokens, 9 * REPS);
  for (i = 0; i < T; i++) {
    jobs[i] = one;
    jobs[i].digest = 0;
    jobs[i].n_tokens = 0;
    CHECK(pthread_create(&th[i], NULL, tokenize_job, &jobs[i]) == 0);
  }
  for (i = 0; i < T; i++) {
    pthread_join(th[i], NULL);
    CHECK_OK(jobs[i].rc);
    CHECK(jobs[i].digest == one.digest && jobs[i].n_tokens == one.n_tokens);
  }
  tc_extractor_free(ex);
  free(text);
}

/* Every ASCII byte at every offset of a long word, behind 0-15 spaces (so
 * the word scanner's 8- and 16-byte steps see it at each position): a
 * letter or digit stays in the word, a plain separator cuts it in two. Joiners and
 * the bytes that may start a URL or an e-mail are left to the tests above.
 * With case folding off too, so upper-case letters reach the scanner. */
TEST(ascii_word_boundaries) {
  static const char word[] = "abcdefghijklmnopqrstu0123456789";
  tc_options o;
  tc_extractor *keep_case;
  int fold, c;
  size_t p, pad, i;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_NONE;
  o.casefold = 0;
  CHECK_OK(tc_extractor_new(&o, &keep_case, NULL));
  if (!keep_case) return;
  for (fold = 0; fold < 2; fold++) {
    const tc_extractor *ex = fold ? plain : keep_case;
    for (c = 1; c < 128; c++) {
      int alnum = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
      if (!alnum && strchr("'-.,:@_%+", c)) continue;
      for (pad = 0; pad < 16; pad++) {
        for (p = 0; p < sizeof word - 1; p++) {
          char in[64], want[64];
          size_t k = 0, n = 0;
          for (i = 0; i < pad; i++) in[n++] = ' ';
          for (i = 0; i < sizeof word - 1; i++) {
            char ch = i == p ? (char)c : word[i];
            in[n++] = ch;
            if (i == p && !alnum) {
              if (k > 0 && i + 1 < sizeof word - 1) want[k++] = '|';
              continue;
            }
            want[k++] = fold && ch >= 'A' && ch <= 'Z' ? (char)(ch | 0x20) : ch;
          }
          want[k] = '\0';
          CHECK_EQ_STR(toks(ex, in, n), want);
        }
      }
    }
  }
  tc_extractor_free(keep_case);
}

/* Runs of ASCII separators of every length from 1 to 40 (within and
 * across the 16-byte loads of the word scanner, which goes on to the next
 * load past them) between words, at the start and at the end of the text,
 * and before a character that is not ASCII; with the default
 * max_token_bytes and with 8, under which the scanner takes its words one
 * at a time and cuts the long ones. */
TEST(separator_runs_across_loads) {
  static const char seps[] = " \n\"!(*";
  tc_options o;
  tc_extractor *short_tokens = NULL;
  size_t k, r, sep;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_NONE;
  o.max_token_bytes = 8;
  CHECK_OK(tc_extractor_new(&o, &short_tokens, NULL));
  if (!short_tokens) return;
  for (sep = 0; seps[sep]; sep++)
    for (k = 1; k <= 40; k++) {
      char run[41], in[256];
      int n;
      for (r = 0; r < k; r++) run[r] = seps[(sep + r % 2) % (sizeof seps - 1)];
      run[k] = '\0';
      n = snprintf(in, sizeof in, "%sab%scdefghijklmn%s\xC3\xA9%sxy%s", run, run, run, run, run);
      CHECK_EQ_STR(toks(plain, in, (size_t)n), "ab|cdefghijklmn|\xC3\xA9|xy");
      CHECK_EQ_STR(toks(short_tokens, in, (size_t)n), "ab|cdefghij|\xC3\xA9|xy");
    }
  tc_extractor_free(short_tokens);
}

/* The 16-byte word loop emits its words (15 bytes at most) uncut, so it is
 * taken only when max_token_bytes is 15 or more (tokenize.c, plain_words):
 * words of 12 to 17 bytes, at every offset in a load, are cut at 14 and
 * kept at 15 and 16 as the one-at-a-time path cuts them. */
TEST(max_token_bytes_at_the_word_loops_bound) {
  static const int maxes[] = {14, 15, 16};
  size_t m, len, off;
  for (m = 0; m < sizeof maxes / sizeof maxes[0]; m++) {
    tc_options o;
    tc_extractor *ex = NULL;
    tc_options_init(&o);
    o.stopword_mode = TC_STOPWORDS_NONE;
    o.max_token_bytes = maxes[m];
    CHECK_OK(tc_extractor_new(&o, &ex, NULL));
    if (!ex) return;
    for (len = 12; len <= 17; len++)
      for (off = 0; off < 16; off++) {
        char in[64], want[64];
        size_t keep = len < (size_t)maxes[m] ? len : (size_t)maxes[m];
        memset(in, ' ', off);
        memset(in + off, 'w', len);
        memcpy(in + off + len, " ab", 4);
        memset(want, 'w', keep);
        memcpy(want + keep, "|ab", 4);
        CHECK_EQ_STR(toks(ex, in, off + len + 3), want);
      }
    tc_extractor_free(ex);
  }
}

/* A word of ASCII letters and digits of every length from 2 to 31 (across
 * the 16-byte loads of the word scanner), ended by a byte that may join it
 * or start a URL or an e-mail, then by one of a few bytes: the tokens are
 * those of the same text behind an "é", which sends the word through the
 * general scanner and its rules (plain_words takes only words that start
 * with an ASCII letter or digit, and tries no rule), with the "é" in front
 * of them or, when the word went into an e-mail's local part, not. (A word
 * of one letter is left out: behind the "é" it is no initialism.) */
TEST(plain_words_agree_with_the_rules) {
  static const char word[] = "abcdefghijklmnopqrstu0123456789";
  static const char ends[] = "'-.,:@_%+";
  static const char *const after[] = {" ", "\"", "x", "7", "s ", "@", ":", "//",
                                      ".", "-", "'", ",", "\xC3\xA9", ""};
  size_t e, a, p;
  for (e = 0; ends[e]; e++)
    for (a = 0; a < sizeof after / sizeof after[0]; a++)
      for (p = 2; p < sizeof word; p++) {
        char in[80], general[256], fast[256];
        int n = snprintf(in, sizeof in, "\xC3\xA9%.*s%c%sb.co y", (int)p, word, ends[e], after[a]);
        snprintf(general, sizeof general, "%s", toks(plain, in, (size_t)n));
        snprintf(fast, sizeof fast, "\xC3\xA9%s", toks(plain, in + 2, (size_t)n - 2));
        CHECK_EQ_STR(strcmp(general, fast) ? fast + 2 : fast, general);
      }
}

#ifdef HAVE_OOM_HOOK
/* tc_extractor_tokenize with each allocation failing in turn (oom.h), on a
 * fresh workspace each time: a failure is TC_ENOMEM and leaves the
 * workspace usable (the same call then succeeds on it); a success gives
 * the unhooked tokens. */
static void sweep_tokenize(const tc_extractor *ex, const char *text) {
  char want[4096];
  tc_tokens t;
  oom_sweep s = oom_sweep_start("tc_extractor_tokenize", 1000);
  snprintf(want, sizeof want, "%s", toks(ex, text, strlen(text)));
  while (oom_next(&s)) {
    tc_workspace *fresh;
    int rc;
    if (tc_workspace_new(&fresh) != TC_OK) break;
    oom_arm(&s);
    rc = tc_extractor_tokenize(ex, fresh, text, strlen(text), &t);
    if (oom_failed(&s, rc, NULL)) rc = tc_extractor_tokenize(ex, fresh, text, strlen(text), &t);
    CHECK_OK(rc);
    if (rc == TC_OK) CHECK_EQ_STR(joined(&t), want);
    tc_workspace_free(fresh);
  }
  oom_sweep_finish(&s, 2);
}

TEST(allocation_failures) {
  static const char text[] =
      "The U.S. election's e-mail from www.example.org: don't panic, covid-19 costs 3.5 "
      "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd Caf\xc3\xa9 \xff elections were held";
  tc_extractor *stemming = NULL;
  tc_options o;
  sweep_tokenize(plain, text);
  tc_options_init(&o);
  o.stem = TC_STEM_ENGLISH;
  o.max_token_bytes = 8;
  CHECK_OK(tc_extractor_new(&o, &stemming, NULL));
  if (stemming) sweep_tokenize(stemming, text);
  tc_extractor_free(stemming);
}
#endif

int main(void) {
  tc_options o;
  if (tc_workspace_new(&ws) || tc_workspace_new(&ws2)) return 1;
  tc_options_init(&o);
  o.stopword_mode = TC_STOPWORDS_NONE;
  if (tc_extractor_new(&o, &plain, NULL)) return 1;
  RUN(words_by_category);
  RUN(apostrophes);
  RUN(hyphens);
  RUN(numbers);
  RUN(initialisms);
  RUN(urls_and_emails);
  RUN(unspaced_scripts);
  RUN(other_scripts);
  RUN(invalid_and_nul);
  RUN(long_tokens);
  RUN(ascii_word_boundaries);
  RUN(plain_words_agree_with_the_rules);
  RUN(separator_runs_across_loads);
  RUN(max_token_bytes_at_the_word_loops_bound);
  RUN(no_quadratic_rescans);
  RUN(paths_agree_on_fixtures);
  RUN(paths_agree_on_random_text);
  RUN(paths_agree_on_corpora);
  RUN(fifty_megabytes);
  RUN(deterministic);
  RUN(threads_share_extractor);
#ifdef HAVE_OOM_HOOK
  RUN(allocation_failures);
#endif
  tc_extractor_free(plain);
  tc_workspace_free(ws);
  tc_workspace_free(ws2);
  return check_report();
}
