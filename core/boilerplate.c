/*
 * boilerplate.c - page furniture removal (tc_options.strip_boilerplate).
 *
 * A page scraped from a news site carries the site's furniture around the
 * article: "Recent Posts" / "Most read" lists of other headlines, "Read
 * more" links, cookie notices, newsletter prompts, share buttons, bylines,
 * copyright lines. Their words belong to other stories (sport results under
 * a politics story), so they must not vote on the label.
 *
 * The heuristic works on lines (split at '\n'; a '\r' before it and ASCII
 * blanks around the line are ignored). Each line is classified once:
 *
 *   blank      only ASCII white space
 *   furniture  contains a phrase of the list below and is short enough
 *   headline   short and headline-like: 1..MAX_HEAD_WORDS words, at most
 *              MAX_HEAD_BYTES bytes, does not start with an all-lower-case
 *              ASCII word (a wrapped continuation; "iOS" is a name), does
 *              not end with '.', ',' or ';' (closing quotes and brackets
 *              skipped), has no sentence break inside ("word. Next"), and is
 *              not a quoted reply or list item ("> ", "- ")
 *   prose      anything else with at least MIN_PROSE_WORDS words
 *   other      anything else (short sentences such as "He denied it.")
 *
 * Then:
 *   1. furniture lines are dropped wherever they are;
 *   2. a run of >= MIN_RUN headline and furniture lines, with only blank
 *      lines between them, is dropped, except for the title: the headline
 *      line with the most words before the first prose line (the last of
 *      equals), which beats menu items, section names and dates. This
 *      rule only applies when the page has at least one prose line (a page
 *      made only of short lines is not an article with furniture around it)
 *      and is not hard-wrapped (see survey());
 *   3. if nothing with a non-blank byte would be left, the text is kept as
 *      it is: the heuristic never removes everything;
 *   4. teaser lists (mark_teasers): after the article, three or more other
 *      stories, each a headline (maybe with a date or "Read more") over a
 *      one- or two-sentence summary, become furniture;
 *   5. comments sections (mark_comments): a comments heading over two or
 *      more short posts that each end with a "Reply" line become furniture.
 *   Rules 4 and 5 run before rule 1 and apply where rule 2 does: they
 *   reclassify lines, which rules 1 and 2 then remove. Summaries and
 *   posts end like sentences, so only this structure tells them from the
 *   article's own paragraphs; the article's sections under subheadings are
 *   the risk, and the guards are in mark_teasers' comments.
 *
 * Caveats (design decisions):
 * - Phrases are English and matched case-insensitively on ASCII only, at
 *   word boundaries (an optional plural 's' allowed), and each only in lines
 *   of at most its number of words: "Share" (a button) goes, "Readers can
 *   share their views, the editor said" stays. Other languages keep their
 *   furniture unless it is headline-shaped, which rule 2 catches in any
 *   script.
 * - A list of results inside a sport story ("Arsenal 2-1 Chelsea" x 3) is
 *   headline-shaped and goes too; the story's prose still carries the label.
 * - Hard-wrapped text (Usenet) has lines without final punctuation that
 *   look like headlines; the page-level test in survey() turns rule 2 off
 *   for it, and the continuation and sentence-break tests keep the rest.
 * - Bytes are bytes: invalid UTF-8 and NULs are ordinary non-blank bytes.
 *   Each line is read a bounded number of times (classification; its flags
 *   for rules 4 and 5; the pass that decides; once more when a run is
 *   flushed), and phrase matching only looks at word starts of lines within
 *   MAX_FURN_BYTES and MAX_FURN_WORDS, so time is linear. A word start is
 *   tried only against the phrases that share its first two bytes' key (a
 *   chain per key, built per call): walking the whole table there made this
 *   file half the instructions of a prediction with strip_boilerplate on.
 * - Most articles have no furniture, and their lines are what costs: so the
 *   survey classifies without flags, which only pages where rules 4 and 5
 *   run get (flag_lines: 653 of the first 3,000 news4 test articles), a
 *   page where nothing could go is returned after the survey
 *   (keeps_everything: 2,347 of them), and with SSE2 the per-byte work goes
 *   16 bytes at a step: words counted from a mask of blanks, the places
 *   where a phrase may begin (a letter after no letter or digit, or U+00A9's
 *   first byte) from a mask of letters, each tried at its third byte before
 *   phrase_at, and has_sentence_break jumps between stops with memchr. On
 *   those 3,000 articles this file went from 83.8k to 37.0k instructions per
 *   article (a driver calling it on each text; callgrind), and a `label
 *   --top 1 -j 1` run with models/news.model from 196.1k to 149.2k; over
 *   all 17,094 news4 test articles, 10 alternated pairs against a53dc9c:
 *   median CPU time ratio 0.73, 10 pairs faster (a busy machine).
 */
#include <string.h>

#include "internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define MAX_HEAD_WORDS 14    /* headlines: "Ukraine war: ..." rarely exceed this */
#define MAX_HEAD_BYTES 160
#define MIN_PROSE_WORDS 8
#define MIN_RUN 3            /* headline lists have at least three entries */
#define MAX_FURN_BYTES 400   /* longer lines are never furniture */
#define MAX_FURN_WORDS 40    /* nor are lines with more words (the largest phrase limit) */
#define MAX_LEAD 3           /* lines before a teaser's summary: headline, date, "Read more" */
#define MAX_SUMMARY_WORDS 80 /* a teaser's summary: a story's first sentence or two */
#define MIN_TEASER_WORDS 3   /* a teaser's headline; subheadings are often shorter */
#define MIN_DOUBTFUL_WORDS 2 /* a two-word headline heads a teaser inside a list only */
#define MAX_MARKER_WORDS 8   /* "Reply" lines are short ("12 likes · Reply · Report") */
#define MAX_HEADING_WORDS 6  /* so are comments headings ("Join the conversation") */
#define MAX_POST_LINES 8     /* a post: name, date, a few paragraphs, before its "Reply" */
#define MIN_REPLIES 2        /* a comments section has at least two posts */
#define WRAP_MIN 40          /* hard-wrapped lines are cut at 60..80 columns */
#define WRAP_MAX 100

enum { L_BLANK, L_FURNITURE, L_HEADLINE, L_PROSE, L_OTHER };
/* Flags a line's class byte may carry besides its class (the low bits). */
#define L_CLASS 0x07
#define L_DOUBTFUL 0x08      /* a headline that is a question or of two words (is_doubtful_heading) */
#define L_SUMMARY 0x10       /* prose or other, short, ends a sentence (not ':'): a teaser's summary? */
#define L_COMMENTS 0x20      /* a comments heading ("Comments (12)", "Join the conversation") */
#define L_REPLY 0x40         /* a comment system's "Reply" line */
#define L_OWN 0x80           /* a headline of the article's own structure (is_own_heading) */

/* ====================================================================
 * Furniture phrases
 * ==================================================================== */

/* A phrase marks a line as furniture when the line has at most max_words
 * words. Strong phrases ("all rights reserved") hardly occur in articles,
 * so they allow cookie banners of a few sentences; weak ones ("subscribe")
 * do occur in stories and only mark very short lines (buttons, labels).
 * `start`: the phrase must begin the line (bylines: "By Jane Doe"). */
typedef struct phrase {
  const char *text;   /* lower-case ASCII */
  unsigned char max_words;
  unsigned char start;
} phrase;

static const phrase phrases[] = {
    /* never article prose: whole banners of a few sentences */
    {"all rights reserved", 40, 0}, {"read more", 40, 0},
    {"continue reading", 40, 0}, {"cookie policy", 40, 0},
    {"cookie settings", 40, 0},  {"cookie preferences", 40, 0},
    {"accept cookies", 40, 0},   {"accept all cookies", 40, 0},
    {"we use cookies", 40, 0},   {"site uses cookies", 40, 0},
    {"our newsletter", 40, 0},   {"sign up for our", 40, 0},
    {"subscribe to our", 40, 0}, {"you may also like", 40, 0},
    {"you might also like", 40, 0}, {"recommended for you", 40, 0},
    {"skip to content", 40, 0},  {"skip to main", 40, 0},
    /* rare in prose, but possible in a long sentence: short lines only */
    {"click here", 12, 0},       {"read next", 12, 0},
    {"recent posts", 12, 0},     {"related posts", 12, 0},
    {"related articles", 12, 0}, {"related stories", 12, 0},
    {"related news", 12, 0},     {"related topics", 12, 0},
    {"more stories", 12, 0},     {"more on this story", 12, 0},
    {"most read", 12, 0},        {"most popular", 12, 0},
    {"most viewed", 12, 0},      {"trending now", 12, 0},
    {"top stories", 8, 0},       {"use cookies", 12, 0},
    {"privacy policy", 12, 0},   {"terms of use", 12, 0},
    {"terms of service", 12, 0}, {"subscribe now", 12, 0},
    {"share this", 12, 0},       {"share on", 12, 0},
    {"follow us", 12, 0},        {"leave a comment", 12, 0},
    {"post a comment", 12, 0},   {"back to top", 12, 0},
    {"see also", 6, 0},
    /* words of stories too: only buttons and labels (a few words) */
    {"related", 4, 0},           {"subscribe", 6, 0},
    {"sign up", 6, 0},           {"newsletter", 6, 0},
    {"log in", 4, 0},            {"sign in", 4, 0},
    {"register", 1, 0},          {"share", 2, 0},
    {"comments", 4, 0},          {"advertisement", 6, 0},
    {"sponsored", 2, 0},
    {"\xc2\xa9", 15, 0},         /* U+00A9 COPYRIGHT SIGN */
    /* bylines, datelines, credits (at the start of a short line only) */
    {"copyright", 15, 1},        {"by", 8, 1},
    {"posted by", 8, 1},         {"written by", 8, 1},
    {"posted on", 8, 1},         {"published on", 8, 1},
    {"published:", 8, 1},        {"updated:", 8, 1},
    {"last updated", 10, 1},     {"image:", 12, 1},
    {"photo:", 12, 1},           {"image caption", 30, 1},
    {"media caption", 30, 1},    {"tags:", 30, 1},
    {"filed under", 30, 1},
};

static int is_blank(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}
static int is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
static int is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }

#if defined(__SSE2__)
/* Which of the 16 bytes at p are not blank (is_blank), as a bit mask. A
 * byte b is in [lo, lo + count) when b - lo, as an unsigned byte, is below
 * count: a signed compare once both sides are shifted by 0x80. */
static unsigned nonblank_mask(const unsigned char *p) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  /* '\t' '\v' '\f' '\r': 9..13 but '\n' */
  __m128i control = _mm_andnot_si128(
      _mm_cmpeq_epi8(v, _mm_set1_epi8('\n')),
      _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '\t'))),
                     _mm_set1_epi8((char)(0x80 + 5))));
  __m128i blank = _mm_or_si128(control, _mm_cmpeq_epi8(v, _mm_set1_epi8(' ')));
  return ~(unsigned)_mm_movemask_epi8(blank) & 0xFFFFu;
}

/* The bits set in a 16-bit mask (no popcnt instruction in plain x86-64). */
static unsigned bits16(unsigned x) {
  x -= (x >> 1) & 0x5555u;
  x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
  x = (x + (x >> 4)) & 0x0F0Fu;
  return (x + (x >> 8)) & 0x1Fu;
}
#endif

/* Does phrase p occur at s[i] (within [s, s+n)), case-insensitively, ending
 * at a word boundary (an optional plural 's' allowed before it)? The start
 * boundary is the caller's business. */
static int phrase_at(const unsigned char *s, size_t n, size_t i, const char *p) {
  size_t k = 0;
  for (; p[k]; k++, i++)
    if (i >= n || tci_ascii_lower(s[i]) != (unsigned char)p[k]) return 0;
  if (!tci_ascii_alnum((unsigned char)p[k - 1])) return 1; /* "tags:" ends itself */
  if (i < n && tci_ascii_lower(s[i]) == 's') i++;
  return i >= n || (!tci_ascii_alnum(s[i]) && s[i] != '-'); /* "by-election" is no byline */
}

/* The phrases by their first two bytes, over 32 x 32 keys (the low five
 * bits of each byte, the same for both cases of an ASCII letter and
 * distinct across a..z; other bytes share them): a chain per key through
 * `next`, so a word start is tried only against the phrases that can match
 * there (most word starts, "th", "an", "of", have none) instead of the
 * whole table. A match has its phrase's key; a phrase of the chain may not
 * match (phrase_starts compares). Built per call (the table is constant;
 * core/ keeps no mutable statics beyond what pthread_once fills once:
 * tc_init's, vectorize.c's table of 1 + log). */
#define PREFIX_KEYS (32 * 32)
#define N_PHRASES (sizeof phrases / sizeof phrases[0])
#define NO_PHRASE 0xFF
typedef char phrase_index_fits[N_PHRASES < NO_PHRASE ? 1 : -1]; /* indexes are bytes */
typedef struct prefixes {
  unsigned char head[PREFIX_KEYS]; /* first phrase of each key, or NO_PHRASE */
  unsigned char next[N_PHRASES];   /* the next phrase with the same key */
} prefixes;

static unsigned prefix_key(unsigned char a, unsigned char b) {
  return (a & 31u) << 5 | (b & 31u);
}

static void prefixes_init(prefixes *px) {
  size_t j = N_PHRASES;
  memset(px->head, NO_PHRASE, sizeof px->head);
  while (j-- > 0) { /* backwards, so each chain is in table order */
    unsigned k = prefix_key((unsigned char)phrases[j].text[0], (unsigned char)phrases[j].text[1]);
    px->next[j] = px->head[k];
    px->head[k] = (unsigned char)j;
  }
}

/* Does a phrase that a line of `words` words may hold begin at s[i], a
 * word start of the trimmed line [s, s+n) (i + 1 < n)? Only the phrases of
 * the chain of s[i]'s prefix key are tried, from phrase j on (every phrase
 * has two bytes or more). */
static int phrase_starts(unsigned j, const prefixes *px, const unsigned char *s, size_t n,
                         size_t i, size_t words) {
  for (; j != NO_PHRASE; j = px->next[j]) {
    const phrase *ph = &phrases[j];
    if (ph->start && i != 0) continue;
    if (words > ph->max_words) continue;
    if (ph->text[2] && (i + 2 == n || tci_ascii_lower(s[i + 2]) != (unsigned char)ph->text[2]))
      continue; /* most of a chain's tries end at the third byte: no call */
    if (phrase_at(s, n, i, ph->text)) return 1;
  }
  return 0;
}

#if defined(__SSE2__)
/* Where a phrase may begin among the 16 bytes at p, as a bit mask: an ASCII
 * letter after a byte that is no ASCII letter or digit, or a 0xC2 (the
 * first byte of U+00A9): the word starts of is_furniture's scalar loop
 * that begin as a phrase can. Bit 0 is the byte after one that is no
 * letter or digit when `after_word` is 0. */
static unsigned phrase_start_mask(const unsigned char *p, unsigned after_word) {
  __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
  __m128i letter = _mm_cmplt_epi8(
      _mm_add_epi8(_mm_or_si128(v, _mm_set1_epi8(0x20)), _mm_set1_epi8((char)(0x80 - 'a'))),
      _mm_set1_epi8((char)(0x80 + 26)));
  __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8((char)(0x80 - '0'))),
                                 _mm_set1_epi8((char)(0x80 + 10)));
  unsigned letters = (unsigned)_mm_movemask_epi8(letter);
  unsigned alnums = letters | (unsigned)_mm_movemask_epi8(digit);
  unsigned c2 = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8((char)0xC2)));
  return (letters & ~(alnums << 1 | after_word)) | c2;
}
#endif

/* Is the trimmed line [s, s+n) with `words` words furniture? Tried at each
 * word start only (and at each byte of a non-ASCII run, for U+00A9), with
 * the phrases whose first two bytes match (phrase_starts): a bounded
 * amount of work per byte. With SSE2, lines of 16 bytes or more find the
 * places where a phrase may begin 16 bytes at a step (phrase_start_mask;
 * the last, partial step loads the 16 bytes that end the line and shifts
 * out those already seen). */
static int is_furniture(const prefixes *px, const unsigned char *s, size_t n, size_t words) {
  size_t i = 0;
  if (n > MAX_FURN_BYTES || words > MAX_FURN_WORDS) return 0;
#if defined(__SSE2__)
  if (n >= 16) {
    unsigned starts, after_word = 0;
    for (; i < n; i += 16) {
      if (i + 16 <= n) {
        starts = phrase_start_mask(s + i, after_word);
        after_word = tci_ascii_alnum(s[i + 15]);
      } else {
        starts = phrase_start_mask(s + n - 16, 0) >> (16 - (n - i));
      }
      for (; starts; starts &= starts - 1) {
        size_t at = i + (size_t)__builtin_ctz(starts);
        unsigned j;
        if (at + 1 >= n) break;
        j = px->head[prefix_key(s[at], s[at + 1])];
        if (j != NO_PHRASE && phrase_starts(j, px, s, n, at, words)) return 1;
      }
    }
    return 0;
  }
#endif
  for (; i + 1 < n; i++) {
    if (i > 0 && tci_ascii_alnum(s[i - 1]) && s[i] < 0x80) continue; /* not a word start */
    if (phrase_starts(px->head[prefix_key(s[i], s[i + 1])], px, s, n, i, words)) return 1;
  }
  return 0;
}

/* Does a word of `words` (lower-case ASCII) start at s[i] of [s, s+n),
 * where a word starts? (The first letter is compared here: most words
 * of a line start none of them.) */
static int word_at(const unsigned char *s, size_t n, size_t i, const char *const *words) {
  unsigned char c = tci_ascii_lower(s[i]);
  for (; *words; words++)
    if (c == (unsigned char)**words && phrase_at(s, n, i, *words)) return 1;
  return 0;
}

/* What comments sections are headed by: "Comments (12)", "Join the
 * conversation", "Discussion", "Have your say", "3 responses". */
static const char *const comments_words[] = {"comment", "conversation", "discussion",
                                             "have your say", "response", NULL};

/* Is the line [s, s+n), with `words` words, a comments heading? */
static int is_comments_heading(const unsigned char *s, size_t n, size_t words) {
  size_t i;
  if (words > MAX_HEADING_WORDS) return 0;
  for (i = 0; i < n; i++) /* the words begin with letters */
    if ((i == 0 || !tci_ascii_alnum(s[i - 1])) && is_lower(tci_ascii_lower(s[i])) &&
        word_at(s, n, i, comments_words))
      return 1;
  return 0;
}

/* The words a comment system prints around a post ("Reply", "12 likes ·
 * Reply · Report", "Reply | Report abuse"). */
static const char *const reply_words[] = {"reply", "report", "like", "abuse", "flag",
                                          "upvote", "downvote", "permalink", "share", NULL};
static const char *const reply_word[] = {"reply", NULL};

/* Is the line [s, s+n) a "Reply" line: "reply" and otherwise only such
 * words, numbers and punctuation (non-ASCII bytes count as punctuation:
 * "·", "•")? */
static int is_reply_line(const unsigned char *s, size_t n, size_t words) {
  size_t i = 0, b;
  int reply = 0;
  if (words > MAX_MARKER_WORDS) return 0;
  while (i < n) {
    for (; i < n && !tci_ascii_alnum(s[i]); i++) {}
    if (i == n) break;
    for (b = i; b < n && tci_ascii_alnum(s[b]); b++) {}
    if (word_at(s, b, i, reply_word)) reply = 1;
    else if (!word_at(s, b, i, reply_words) && !(s[i] >= '0' && s[i] <= '9')) return 0;
    i = b;
  }
  return reply;
}

/* ====================================================================
 * Line classification
 * ==================================================================== */

/* The line starting at `at`: content [*cs, *ce) trimmed of ASCII blanks,
 * returns the offset of the next line (after the '\n', or len). */
static size_t next_line(const char *text, size_t len, size_t at, size_t *cs, size_t *ce) {
  const char *nl = memchr(text + at, '\n', len - at);
  size_t end = nl ? (size_t)(nl - text) : len;
  size_t a = at, b = end;
  while (a < b && is_blank((unsigned char)text[a])) a++;
  while (b > a && is_blank((unsigned char)text[b - 1])) b--;
  *cs = a;
  *ce = b;
  return nl ? end + 1 : len;
}

/* Does the line end like a sentence or a clause (., ;), after skipping
 * closing quotes and brackets, ASCII or U+2019/U+201D? */
static int ends_clause(const unsigned char *s, size_t n) {
  while (n > 0) {
    unsigned char c = s[n - 1];
    if (c == '"' || c == '\'' || c == ')' || c == ']') { n--; continue; }
    if (n >= 3 && s[n - 3] == 0xE2 && s[n - 2] == 0x80 && (c == 0x99 || c == 0x9D)) {
      n -= 3;
      continue;
    }
    return c == '.' || c == ',' || c == ';';
  }
  return 0;
}

/* Does the line end a sentence (. ! ? :), closing quotes skipped? */
static int ends_sentence(const unsigned char *s, size_t n) {
  while (n > 0 && (s[n - 1] == '"' || s[n - 1] == '\'' || s[n - 1] == ')')) n--;
  return n > 0 && (s[n - 1] == '.' || s[n - 1] == '!' || s[n - 1] == '?' || s[n - 1] == ':');
}

/* "word. Next" inside the line: two sentences, so not a headline. The
 * word before the stop must be lower-case (two letters or more), so "U.S.
 * Open", "St. Louis" and "J. Smith" do not count; nor do '?' and '!', which
 * headlines use ("Beware! New malware ..."). */
static int has_sentence_break(const unsigned char *s, size_t n) {
  const unsigned char *stop;
  size_t i, j, k;
  for (i = 2; i + 2 < n && (stop = memchr(s + i, '.', n - 2 - i)) != NULL; i++) {
    i = (size_t)(stop - s); /* memchr: most lines have one stop or none */
    if (s[i + 1] != ' ') continue;
    k = (s[i - 1] == '"' || s[i - 1] == '\'' || s[i - 1] == ')') ? i - 1 : i;
    for (j = k; j > 0 && is_lower(s[j - 1]); j--) {}
    if (k - j < 2 || (j > 0 && tci_ascii_alnum(s[j - 1]))) continue;
    for (j = i + 1; j < n && s[j] == ' '; j++) {}
    if (j < n && (is_upper(s[j]) || s[j] == '"')) return 1;
  }
  return 0;
}

/* Quoted replies ("> text") and list items ("- item", "* item") are the
 * article's own content, never a list of other stories' headlines. */
static int is_marked(const unsigned char *s, size_t n) {
  unsigned char c = s[0];
  if (c == '>' || c == '|') return 1;
  if ((c == '-' || c == '*') && n > 1 && s[1] == ' ') return 1;
  return n >= 3 && c == 0xE2 && s[1] == 0x80 && s[2] == 0xA2; /* U+2022 BULLET */
}

/* Does the line start like a wrapped sentence's continuation: a first word
 * all in lower-case ASCII ("and the next...")? Names such as "iOS",
 * "eBay" or "e-Commerce" start headlines, not continuations. */
static int starts_lower(const unsigned char *s, size_t n) {
  size_t i;
  if (n == 0 || !is_lower(s[0])) return 0;
  for (i = 1; i < n && !is_blank(s[i]); i++)
    if (is_upper(s[i]) || (s[i] >= '0' && s[i] <= '9')) return 0;
  return 1;
}

/* A short line that belongs to the article's own structure, never a
 * teaser's headline: a subheading of fewer than MIN_DOUBTFUL_WORDS words,
 * a lead-in (ending in ':', as in explainers), a numbered item ("1. ",
 * "2) ": listicles) or a clock time ("10:42": live blogs). */
static int is_own_heading(const unsigned char *s, size_t n, size_t words) {
  size_t i = 0;
  if (words < MIN_DOUBTFUL_WORDS || s[n - 1] == ':') return 1;
  while (i < n && s[i] >= '0' && s[i] <= '9') i++;
  if (i == 0 || i + 1 >= n) return 0;
  if (s[i] == ':') return s[i + 1] >= '0' && s[i + 1] <= '9';
  return (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ';
}

/* A headline that may be the article's own or another story's: a question
 * (an interview's, "What now for British tennis?") or a subheading of
 * fewer than MIN_TEASER_WORDS words ("Slight limitations", "Let basketball").
 * It heads a teaser only inside a list of other teasers (mark_teasers). */
static int is_doubtful_heading(const unsigned char *s, size_t n, size_t words) {
  return words < MIN_TEASER_WORDS || s[n - 1] == '?';
}

/* Words (runs of non-blank bytes) of [s, s+n), at most `cap`. With SSE2,
 * lines of 16 bytes or more go 16 bytes at a step: the word starts are the
 * non-blank bytes after a blank one (or at 0), counted in the mask; the
 * last, partial step loads the 16 bytes that end the line and shifts out
 * those already counted. */
static size_t count_words(const unsigned char *s, size_t n, size_t cap) {
  size_t i = 0, words = 0;
#if defined(__SSE2__)
  if (n >= 16) {
    unsigned word, prev = 0; /* bit 0: the byte before is not blank */
    for (; i + 16 <= n && words < cap; i += 16) {
      word = nonblank_mask(s + i);
      words += bits16(word & ~(word << 1 | prev));
      prev = word >> 15;
    }
    if (i < n && words < cap) {
      word = nonblank_mask(s + n - 16) >> (16 - (n - i));
      words += bits16(word & ~(word << 1 | prev));
    }
    return words < cap ? words : cap;
  }
#endif
  for (; i < n && words < cap; i++)
    if (!is_blank(s[i]) && (i == 0 || is_blank(s[i - 1]))) words++;
  return words < cap ? words : cap;
}

/* line_words counts a headline's words whole (the survey's title needs them) */
typedef char head_fits_furniture[MAX_HEAD_BYTES <= MAX_FURN_BYTES ? 1 : -1];

/* The words of the line [s, s+n), as classify and line_flags need them: a
 * line too long to be furniture or a headline only needs to know whether
 * it is short enough to be a summary, so paragraphs are counted no further. */
static size_t line_words(const unsigned char *s, size_t n) {
  return count_words(s, n, n > MAX_FURN_BYTES ? MAX_SUMMARY_WORDS + 1 : (size_t)-1);
}

/* The class of the line [s, s+n), with `words` words (line_words). */
static int classify(const prefixes *px, const unsigned char *s, size_t n, size_t words) {
  if (n == 0) return L_BLANK;
  if (is_furniture(px, s, n, words)) return L_FURNITURE;
  if (words <= MAX_HEAD_WORDS && n <= MAX_HEAD_BYTES && !starts_lower(s, n) &&
      !is_marked(s, n) && !ends_clause(s, n) && !has_sentence_break(s, n))
    return L_HEADLINE;
  return words >= MIN_PROSE_WORDS ? L_PROSE : L_OTHER;
}

/* The flags of the non-blank line [s, s+n) of class k, with `words` words
 * (line_words): L_SUMMARY, L_COMMENTS, L_REPLY, L_OWN, L_DOUBTFUL. */
static int line_flags(const unsigned char *s, size_t n, size_t words, int k) {
  int flags = 0;
  if (k == L_HEADLINE || k == L_FURNITURE) {
    if (is_own_heading(s, n, words)) flags |= L_OWN;
    else if (is_doubtful_heading(s, n, words)) flags |= L_DOUBTFUL;
    if (is_comments_heading(s, n, words)) flags |= L_COMMENTS;
    if (is_reply_line(s, n, words)) flags |= L_REPLY;
  } else if (words <= MAX_SUMMARY_WORDS && ends_sentence(s, n) && s[n - 1] != ':') {
    flags |= L_SUMMARY;
  }
  return flags;
}

/* ====================================================================
 * Removal
 * ==================================================================== */

typedef struct page {
  const char *text;
  size_t len;
  unsigned char *cls;  /* class of each line, from the survey */
  prefixes px;         /* phrase prefixes */
  size_t title;        /* start offset of the protected title (or len) */
  size_t title_line;   /* its line number (or SIZE_MAX) */
  size_t lines;        /* number of lines, blank ones included */
  int runs;            /* rule 2 applies */
  size_t furniture;    /* furniture lines, from the survey */
  size_t listed;       /* headline and furniture lines, from the survey */
  size_t kept_len;     /* the kept lines' bytes */
  size_t removed;      /* lines dropped */
  int kept_text;       /* a non-blank line was kept (rule 3) */
} page;

/* Line li, [at, next), decided: its class byte, read no more, becomes
 * whether it is kept (tci_page.kept). */
static void keep(page *pg, size_t li, size_t at, size_t next, int blank) {
  pg->cls[li] = 1;
  pg->kept_len += next - at;
  if (!blank) pg->kept_text = 1;
}

static void drop(page *pg, size_t li) {
  pg->cls[li] = 0;
  pg->removed++;
}

/* Emit the lines of [from, to), numbered from line `li`: a span holding one
 * run of headline and furniture lines (and blanks). All but furniture when
 * the run is short; only the protected lines when it is long enough to be a
 * list. */
static void flush_run(page *pg, size_t from, size_t to, size_t li, size_t count) {
  size_t at = from, next, cs, ce;
  for (; at < to; at = next, li++) {
    int k = pg->cls[li] & L_CLASS;
    next = next_line(pg->text, to, at, &cs, &ce);
    if (k == L_FURNITURE) drop(pg, li);
    else if (count < MIN_RUN || k == L_BLANK || at == pg->title)
      keep(pg, li, at, next, k == L_BLANK);
    else drop(pg, li);
  }
}

/* First pass: classify every line into pg->cls (the class only: the flags
 * wait for flag_lines), find the title, count what could go
 * (keeps_everything), and decide whether rule 2 applies. It does when the
 * page has a prose line and is not hard-wrapped. Hard-wrapped text (Usenet,
 * e-mail, plain-text archives) cuts sentences into lines of
 * WRAP_MIN..WRAP_MAX bytes that look like headlines; its tell is a line
 * starting in lower case right after such a cut line. Paragraph-per-line
 * pages (what scrapers produce) almost never show it. */
static void survey(page *pg) {
  size_t at = 0, next, cs, ce, li = 0, title_words = 0;
  size_t lines = 0, wraps = 0;
  int prev_cut = 0, seen_prose = 0;
  pg->title = pg->len;
  pg->title_line = SIZE_MAX;
  for (; at < pg->len; at = next, li++) {
    const unsigned char *s;
    size_t n, words;
    int k;
    next = next_line(pg->text, pg->len, at, &cs, &ce);
    s = (const unsigned char *)pg->text + cs;
    n = ce - cs;
    words = line_words(s, n);
    k = classify(&pg->px, s, n, words);
    pg->cls[li] = (unsigned char)k;
    if (k != L_BLANK) {
      lines++;
      if (prev_cut && starts_lower(s, n)) wraps++;
      prev_cut = n >= WRAP_MIN && n <= WRAP_MAX && !ends_sentence(s, n);
    } else {
      prev_cut = 0;
    }
    if (k == L_HEADLINE && !seen_prose && words >= title_words) { /* uncapped: n <= MAX_HEAD_BYTES */
      title_words = words;
      pg->title = at;
      pg->title_line = li;
    }
    if (k == L_PROSE) seen_prose = 1;
    if (k == L_FURNITURE) pg->furniture++;
    if (k == L_FURNITURE || k == L_HEADLINE) pg->listed++;
  }
  pg->lines = li;
  pg->runs = seen_prose && !(wraps >= 2 && wraps * 10 >= lines);
}

/* Second pass, for rules 4 and 5 only: add each line's flags to its class. */
static void flag_lines(page *pg) {
  size_t at = 0, next, cs, ce, li = 0;
  for (; at < pg->len; at = next, li++) {
    const unsigned char *s;
    int k = pg->cls[li] & L_CLASS;
    size_t n;
    next = next_line(pg->text, pg->len, at, &cs, &ce);
    if (k == L_BLANK) continue;
    s = (const unsigned char *)pg->text + cs;
    n = ce - cs;
    pg->cls[li] |= (unsigned char)line_flags(s, n, line_words(s, n), k);
  }
}

/* Can nothing go? Rule 1 needs a furniture line; rules 2, 4 and 5 need
 * MIN_RUN headline and furniture lines (a run, MIN_RUN plain teasers' heads,
 * a comments heading and MIN_REPLIES "Reply" lines). Most articles have
 * neither, and then the text is kept without the pass that decides each line. */
static int keeps_everything(const page *pg) {
  return pg->furniture == 0 && (!pg->runs || pg->listed < MIN_RUN);
}
typedef char comments_need_a_run[MIN_REPLIES + 1 >= MIN_RUN ? 1 : -1]; /* heading and replies */

/* Lines [from, to] become furniture, but for blank lines and the title. */
static void mark_furniture(page *pg, size_t from, size_t to) {
  size_t li;
  for (li = from; li <= to; li++)
    if ((pg->cls[li] & L_CLASS) != L_BLANK && li != pg->title_line) pg->cls[li] = L_FURNITURE;
}

/* Where teasers may start: after the page's last long paragraph (a prose
 * line that is no summary), where the article ends, and after its first
 * prose line, so that an article of short paragraphs under subheadings
 * keeps at least its lead and its first sections. */
static size_t teasers_from(const page *pg) {
  size_t end = pg->lines, first = 0;
  while (end > 0 && !((pg->cls[end - 1] & L_CLASS) == L_PROSE && !(pg->cls[end - 1] & L_SUMMARY))) end--;
  while (first < pg->lines && (pg->cls[first] & L_CLASS) != L_PROSE) first++;
  return first < end ? end : first + 1;
}

enum { NO_TEASER, DOUBTFUL_TEASER, PLAIN_TEASER };

/* What the lead lines head: a PLAIN_TEASER when one of them is a headline
 * of no article structure (is_own_heading) and no doubt
 * (is_doubtful_heading), else a DOUBTFUL_TEASER when one is a doubtful
 * headline, else NO_TEASER. */
static int teaser_head(const page *pg, const size_t *lead, size_t leads) {
  size_t j;
  int head = NO_TEASER;
  for (j = 0; j < leads; j++) {
    if (pg->cls[lead[j]] == L_HEADLINE) return PLAIN_TEASER; /* no flags */
    if (pg->cls[lead[j]] == (L_HEADLINE | L_DOUBTFUL)) head = DOUBTFUL_TEASER;
  }
  return head;
}

/* A run of teasers: its first and last lines, how many of its teasers are
 * plain. */
typedef struct {
  size_t from, to, teasers, plain;
} teaser_run;

/* The run ends: a list of other stories when MIN_RUN of its teasers are
 * plain (doubtful ones only join a list, never make one). */
static void end_run(page *pg, teaser_run *run) {
  if (run->plain >= MIN_RUN) mark_furniture(pg, run->from, run->to);
  run->teasers = run->plain = 0;
}

/* Rule 4, teaser lists: after the article (teasers_from), a run of
 * teasers, each up to MAX_LEAD headline and furniture lines, one of them a
 * headline that is no one-word line, lead-in, numbered item or clock time
 * (the story's headline; then maybe a date, "Read more"), then one summary
 * line (the story's first sentence or two), with only blank lines between,
 * is a list of other stories when at least MIN_RUN of its headlines are no
 * question and of three words or more (end_run). lead[] holds the lines
 * since the last summary (the last MAX_LEAD of them). */
static void mark_teasers(page *pg) {
  size_t li, lead[MAX_LEAD], leads = 0;
  teaser_run run = {0, 0, 0, 0};
  for (li = teasers_from(pg); li < pg->lines; li++) {
    int c = pg->cls[li], k = c & L_CLASS, head;
    if (k == L_BLANK) continue;
    if (k == L_HEADLINE || k == L_FURNITURE) {
      if (leads == MAX_LEAD) { /* too many for one teaser: the run ends */
        end_run(pg, &run);
        memmove(lead, lead + 1, (MAX_LEAD - 1) * sizeof lead[0]);
        leads--;
      }
      lead[leads++] = li;
      continue;
    }
    head = c & L_SUMMARY ? teaser_head(pg, lead, leads) : NO_TEASER;
    if (head != NO_TEASER) {
      if (run.teasers++ == 0) run.from = lead[0];
      if (head == PLAIN_TEASER) run.plain++;
      run.to = li;
    } else {
      end_run(pg, &run);
    }
    leads = 0;
  }
  end_run(pg, &run);
}

/* Rule 5, reader comments: a comments heading, then at least MIN_REPLIES
 * posts, each at most MAX_POST_LINES non-blank lines ending with a "Reply"
 * line, is a comments section, from the heading to the last "Reply" line.
 * A heading with no "Reply" line close after it (a "12 comments" link
 * under the byline) starts nothing; a longer gap ends the section. */
static void mark_comments(page *pg) {
  size_t li, head = 0, from = 0, last = 0, since = 0, replies = 0;
  int headed = 0, open = 0;
  for (li = 0; li < pg->lines; li++) {
    int c = pg->cls[li];
    if ((c & L_CLASS) == L_BLANK) continue;
    if ((c & L_REPLY) && (open || (headed && since <= MAX_POST_LINES))) {
      if (!open) {
        open = 1;
        from = head;
        replies = 0;
      }
      replies++;
      last = li;
      since = 0;
      continue;
    }
    if (++since > MAX_POST_LINES && open) {
      if (replies >= MIN_REPLIES) mark_furniture(pg, from, last);
      open = headed = 0;
    }
    if ((c & L_COMMENTS) && !open) {
      head = li;
      headed = 1;
      since = 0;
    }
  }
  if (open && replies >= MIN_REPLIES) mark_furniture(pg, from, last);
}

void tci_page_whole(tci_page *p, const char *text, size_t len) {
  p->text = text;
  p->len = p->kept_len = len;
  p->kept = NULL;
  p->at = p->line = 0;
}

/* Past line p->line, which starts at p->at. */
static void next_page_line(tci_page *p) {
  const char *nl = memchr(p->text + p->at, '\n', p->len - p->at);
  p->at = nl ? (size_t)(nl - p->text) + 1 : p->len;
  p->line++;
}

int tci_page_next(tci_page *p, const char **s, size_t *n) {
  size_t from;
  if (!p->kept) {
    *s = p->text + p->at;
    *n = p->len - p->at;
    p->at = p->len;
    return *n > 0;
  }
  while (p->at < p->len && !p->kept[p->line]) next_page_line(p);
  from = p->at;
  while (p->at < p->len && p->kept[p->line]) next_page_line(p);
  *s = p->text + from;
  *n = p->at - from;
  return *n > 0;
}

/* The page's class bytes go to ws->page, one per line (at most len + 1
 * lines, since a line is at least its '\n' except the last), and become
 * whether each line is kept: the kept lines are not copied (a 100 MB
 * text had cost 100 MB more as the copy the text stage read). */
int tci_strip_boilerplate(tc_workspace *ws, const char *text, size_t len, tci_page *out) {
  page pg;
  size_t at = 0, next, cs, ce, li = 0, run_from = 0, run_line = 0, run_count = 0;
  int rc;
  if (!ws || !out || (!text && len)) return TC_EINVAL;
  tci_page_whole(out, text, len);
  if (len == 0 || !memchr(text, '\n', len)) {
    /* One line: furniture only if the whole text is, and then rule 3 keeps it. */
    return TC_OK;
  }
  if (len == SIZE_MAX) return TC_ELIMIT;
  rc = tci_buf_reserve(&ws->page, len + 1, 1);
  if (rc != TC_OK) return rc;
  memset(&pg, 0, sizeof pg);
  pg.text = text;
  pg.len = len;
  pg.cls = ws->page.p;
  prefixes_init(&pg.px);
  survey(&pg);
  if (keeps_everything(&pg)) return TC_OK;
  if (pg.runs) {
    flag_lines(&pg);
    mark_comments(&pg); /* first: a long post would hide the teasers before it */
    mark_teasers(&pg);
  }

  for (; at < len; at = next, li++) {
    int k = pg.cls[li] & L_CLASS;
    next = next_line(text, len, at, &cs, &ce);
    if (pg.runs && (k == L_HEADLINE || k == L_FURNITURE)) {
      if (run_count == 0) {
        run_from = at;
        run_line = li;
      }
      run_count++;
    } else if (k == L_BLANK && run_count > 0) {
      /* blanks inside a run stay in its span */
    } else {
      if (run_count > 0) flush_run(&pg, run_from, at, run_line, run_count);
      run_count = 0;
      if (k == L_FURNITURE) drop(&pg, li);
      else keep(&pg, li, at, next, k == L_BLANK);
    }
  }
  if (run_count > 0) flush_run(&pg, run_from, len, run_line, run_count);

  if (pg.removed == 0 || !pg.kept_text) return TC_OK; /* rule 3 */
  out->kept = pg.cls;
  out->kept_len = pg.kept_len;
  return TC_OK;
}
