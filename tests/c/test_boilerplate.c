/* test_boilerplate.c - page furniture removal (tci_strip_boilerplate).
 *
 * Pages are composed from small articles written for these tests, with
 * furniture (menus, cookie banners, "Recent Posts" lists, share buttons,
 * bylines, copyright lines) put before, after and inside the article. Each
 * test checks both sides: every article sentence survives and every piece
 * of furniture is gone. */
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "internal.h"
#include "oom.h"
#include "page_text.h"

/* A politics article: title, then one paragraph per line (as scrapers emit). */
#define TITLE "Parliament passes the budget after a late-night vote"
#define P1 "Members of parliament approved the government's spending plan by 312 votes to 298 after a debate that ran past midnight."
#define P2 "The opposition said the plan would raise taxes for working families, while ministers argued that it protects public services."
#define P3 "The finance minister told reporters that the vote showed the coalition could still govern despite its slim majority."

/* Other stories' headlines: sport results under a politics story. */
#define H1 "United beat City 3-1 in the derby"
#define H2 "Champion retires after Wimbledon defeat"
#define H3 "Five things we learned from the cup final"
#define H4 "Coach sacked after seven straight losses"

static tc_workspace *ws;

/* Run the stripper; the result as a NUL-terminated malloc'ed copy; *same:
 * every line kept. */
static char *strip(const char *text, size_t len, size_t *out_len, int *same) {
  tci_page page;
  size_t n = 0;
  char *copy;
  CHECK_OK(tci_strip_boilerplate(ws, text, len, &page));
  CHECK(page.kept_len <= len);
  if (same) *same = page.kept == NULL;
  copy = page_text(&page, &n);
  CHECK_EQ_INT(n, page.kept_len);
  if (out_len) *out_len = n;
  return copy;
}

/* memmem is a GNU extension: the bytes of needle in hay, or NULL. */
static const char *find(const char *hay, size_t n, const char *needle, size_t m) {
  size_t i;
  if (m == 0) return hay;
  for (i = 0; i + m <= n; i++)
    if (hay[i] == needle[0] && memcmp(hay + i, needle, m) == 0) return hay + i;
  return NULL;
}

static int has(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }

#define ARTICLE_KEPT(s)                                                        \
  do {                                                                         \
    CHECK(has(s, TITLE));                                                      \
    CHECK(has(s, P1));                                                         \
    CHECK(has(s, P2));                                                         \
    CHECK(has(s, P3));                                                         \
  } while (0)

#define HEADLINES_GONE(s)                                                      \
  do {                                                                         \
    CHECK(!has(s, H1));                                                        \
    CHECK(!has(s, H2));                                                        \
    CHECK(!has(s, H3));                                                        \
    CHECK(!has(s, H4));                                                        \
  } while (0)

TEST(clean_article_is_returned_as_is) {
  const char *page = TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n";
  int same = 0;
  char *s = strip(page, strlen(page), NULL, &same);
  CHECK(same); /* nothing removed: no copy */
  ARTICLE_KEPT(s);
  free(s);
}

TEST(furniture_after_the_article) {
  const char *page = TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n"
                     "Share this article\n"
                     "Recent Posts\n" H1 "\n" H2 "\n" H3 "\n" H4 "\n"
                     "Read More\n"
                     "Copyright 2024 Daily Example Ltd. All rights reserved.\n";
  char *s = strip(page, strlen(page), NULL, NULL);
  ARTICLE_KEPT(s);
  HEADLINES_GONE(s);
  CHECK(!has(s, "Recent Posts"));
  CHECK(!has(s, "Read More"));
  CHECK(!has(s, "Share this"));
  CHECK(!has(s, "Copyright"));
  CHECK_EQ_STR(s, TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n");
  free(s);
}

TEST(furniture_before_the_article) {
  const char *page = "Home\nNews\nSport\nBusiness\n"
                     "We use cookies to give you the best experience on our website. "
                     "By continuing you agree to our cookie policy.\n"
                     "Accept all cookies\n\n"
                     TITLE "\nBy Jane Doe\n\n" P1 "\n" P2 "\n" P3 "\n";
  char *s = strip(page, strlen(page), NULL, NULL);
  ARTICLE_KEPT(s);
  CHECK(!has(s, "cookie"));
  CHECK(!has(s, "Jane Doe"));
  CHECK(!has(s, "Sport"));
  CHECK(!has(s, "Business"));
  free(s);
}

TEST(furniture_in_the_middle) {
  const char *page = TITLE "\n\n" P1 "\n\n"
                     "Related articles\n\n" H1 "\n\n" H2 "\n\n" H3 "\n\n"
                     P2 "\n"
                     "Sign up for our daily newsletter and get the top stories in your inbox.\n"
                     P3 "\n";
  char *s = strip(page, strlen(page), NULL, NULL);
  ARTICLE_KEPT(s);
  HEADLINES_GONE(s);
  CHECK(!has(s, "Related"));
  CHECK(!has(s, "newsletter"));
  free(s);
}

TEST(two_headline_lines_are_not_a_list) {
  /* A subheading, or two short lines, inside the article stay. */
  const char *page = TITLE "\n\n" P1 "\nWhat happens next\n" P2 "\n" H1 "\n" H2 "\n" P3 "\n";
  int same = 0;
  char *s = strip(page, strlen(page), NULL, &same);
  CHECK(same);
  free(s);
}

TEST(short_sentences_are_not_headlines) {
  /* Lines ending in a full stop are prose, however short. */
  const char *page = TITLE "\n\n" P1 "\nHe declined to comment.\nShe left.\n"
                     "The vote was close.\nIt passed.\n" P2 "\n";
  int same = 0;
  char *s = strip(page, strlen(page), NULL, &same);
  CHECK(same);
  free(s);
}

/* The phrase tests take 16 bytes at a step with SSE2, the last step
 * overlapping: a phrase is found at every offset of a line, after a
 * non-letter, and U+00A9 even straight after a letter; a phrase glued to
 * the letter before it is no phrase. */
TEST(phrases_found_at_every_offset) {
  static const char *const phrases[] = {"Read more at the Daily Example",
                                        "\xc2\xa9 2024 Daily Example"};
  char page[512], line[128];
  size_t p, off, k, i;
  for (p = 0; p < 2; p++)
    for (off = 0; off < 48; off++)
      for (k = 0; k < 2; k++) {
        int glued = k == 1 && off > 0, same = 0;
        char *s;
        memset(line, 0, sizeof line);
        for (i = 0; i < off; i++) line[i] = "ab-"[i % 3]; /* one word */
        if (off > 0) line[off - 1] = glued ? 'x' : '(';
        strcat(line, phrases[p]);
        snprintf(page, sizeof page, "%s\n%s\n%s\n", P1, line, P2);
        s = strip(page, strlen(page), NULL, &same);
        if (glued && p == 0) {
          CHECK(same);
        } else {
          CHECK_EQ_STR(s, P1 "\n" P2 "\n");
        }
        free(s);
      }
}

/* Words are counted 16 bytes at a step with SSE2: a line of eight words is
 * prose and turns rule 2 on, one of seven is not, however many blanks
 * (spaces, tabs) put its words across the steps. */
TEST(words_counted_across_16_byte_steps) {
  static const char *const words[] = {"Officials", "said", "the", "vote", "would", "be",
                                      "held", "soon."};
  char page[1024], line[512];
  size_t gap, w, n, g;
  for (gap = 1; gap <= 20; gap++)
    for (n = 7; n <= 8; n++) {
      int same = 0;
      char *s;
      line[0] = '\0';
      for (w = 0; w < n; w++) {
        if (w > 0)
          for (g = 0; g < gap; g++) strcat(line, g % 2 ? "\t" : " ");
        strcat(line, words[w]);
      }
      if (n == 7) strcat(line, ".");
      snprintf(page, sizeof page, "%s\n%s\n%s\n%s\n%s\n", H1, H2, H3, H4, line);
      s = strip(page, strlen(page), NULL, &same);
      if (n == 7) {
        CHECK(same);
      } else {
        CHECK(!has(s, H1) && !has(s, H2) && has(s, H3) && !has(s, H4) && has(s, line));
      }
      free(s);
    }
}

TEST(furniture_words_in_prose_are_kept) {
  const char *page =
      "By-election called after minister resigns\n\n"
      "Attackers stole session cookies and urged victims to sign up for a fake newsletter to subscribe to updates.\n"
      "Shares fell sharply.\n"
      "Readers who subscribe to the paper can share their views, the editor said in a statement on Monday.\n"
      "Related work by the committee will be published on Friday, officials said.\n";
  int same = 0;
  char *s = strip(page, strlen(page), NULL, &same);
  CHECK(same);
  free(s);
}

TEST(lists_marked_as_lists_are_kept) {
  const char *page = TITLE "\n\n" P1 "\nThe main measures:\n"
                     "- Higher spending on schools\n- A new tax band\n- Cheaper rail fares\n"
                     "> Quoted reply line one\n> Quoted reply line two\n> Quoted reply three\n" P2 "\n";
  int same = 0;
  char *s = strip(page, strlen(page), NULL, &same);
  CHECK(same);
  free(s);
}

TEST(hard_wrapped_text_is_kept) {
  /* Usenet-style text cut at 72 columns: lines look like headlines, but
   * the lower-case continuations show the wrapping. */
  const char *page =
      "Re: Key escrow and the Clipper chip\n\n"
      "In my view the Clipper proposal is a bad idea because the government\n"
      "would hold the keys to every conversation made with the chip, and the\n"
      "Escrow Agents named so far are both part of the executive branch\n"
      "which means there is no real separation of powers in the scheme\n"
      "Anyone who thinks otherwise should read the announcement again\n"
      "and ask who audits the agents when a warrant is presented to them\n";
  int same = 0;
  char *s = strip(page, strlen(page), NULL, &same);
  CHECK(same);
  free(s);
}

TEST(lead_title_after_a_menu_is_kept) {
  const char *page = "Menu\nWorld\nSport\nWeather\n" TITLE "\n" P1 "\n" P2 "\n" P3 "\n";
  char *s = strip(page, strlen(page), NULL, NULL);
  ARTICLE_KEPT(s);
  CHECK(!has(s, "Sport"));
  CHECK(!has(s, "Weather"));
  free(s);
}

TEST(title_is_the_longest_headline_before_the_prose) {
  /* A kicker, the title, a date and a byline: only the title stays. */
  const char *page = "Politics\n" TITLE "\n12 March 2024\nBy Jane Doe and John Smith\n\n" P1 "\n" P2 "\n" P3 "\n";
  char *s = strip(page, strlen(page), NULL, NULL);
  CHECK_EQ_STR(s, TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n");
  free(s);
}

TEST(names_in_lower_case_start_headlines) {
  /* "iOS", "eBay": headlines, not wrapped continuations, so the list goes. */
  const char *page = TITLE "\n" P1 "\nMost popular\niOS update fixes a Safari flaw\n"
                     "eBay shares jump after results\ne-Commerce sites hit by skimmers\n" P2 "\n";
  char *s = strip(page, strlen(page), NULL, NULL);
  CHECK_EQ_STR(s, TITLE "\n" P1 "\n" P2 "\n");
  free(s);
}

TEST(crlf_lines) {
  const char *page = TITLE "\r\n\r\n" P1 "\r\n" P2 "\r\n" P3 "\r\n"
                     "Recent Posts\r\n" H1 "\r\n" H2 "\r\n" H3 "\r\n" H4 "\r\n"
                     "Read more\r\n";
  char *s = strip(page, strlen(page), NULL, NULL);
  CHECK_EQ_STR(s, TITLE "\r\n\r\n" P1 "\r\n" P2 "\r\n" P3 "\r\n");
  free(s);
}

TEST(empty_and_one_line) {
  tci_page page;
  size_t n = 99;
  int same = 0;
  char *s;
  CHECK_OK(tci_strip_boilerplate(ws, NULL, 0, &page));
  CHECK(page.text == NULL && page.kept == NULL);
  CHECK_EQ_INT(page.kept_len, 0);
  CHECK_OK(tci_strip_boilerplate(ws, "", 0, &page));
  CHECK_EQ_INT(page.kept_len, 0);
  s = strip("Read more", 9, &n, &same); /* no newline: the whole text is one line */
  CHECK(same);
  CHECK_EQ_INT(n, 9);
  free(s);
  s = strip("\n\n\r\n \t\n", 6, &n, &same); /* only blank lines */
  CHECK(same);
  free(s);
}

TEST(only_furniture_is_kept_whole) {
  const char *page = "Read more\nSubscribe\nCookie policy\nShare this story\nAll rights reserved\n";
  const char *list = H1 "\n" H2 "\n" H3 "\n" H4 "\n"; /* headlines, no prose */
  int same = 0;
  char *s = strip(page, strlen(page), NULL, &same);
  CHECK(same);
  free(s);
  s = strip(list, strlen(list), NULL, &same);
  CHECK(same);
  free(s);
}

TEST(invalid_utf8_and_nul_bytes) {
  /* Invalid bytes and NULs are ordinary bytes: the headline-shaped lines
   * with them still go, the prose with them stays, nothing is read past
   * the end (the sanitizers and valgrind check that). */
  static const char page[] = TITLE "\n" P1 " \xff\xfe\xc3\n" P2 "\0" P3 "\n"
                             "Recent \xc0\xaf Posts\n\xed\xa0\x80 " H1 "\n" H2 "\x80\n" H3 "\n";
  size_t len = sizeof page - 1, n = 0;
  char *s = strip(page, len, &n, NULL);
  CHECK(n < len);
  CHECK(find(s, n, P1 " \xff\xfe\xc3\n", strlen(P1) + 5) != NULL);
  CHECK(find(s, n, P3, strlen(P3)) != NULL);
  CHECK(find(s, n, H1, strlen(H1)) == NULL);
  CHECK(find(s, n, H3, strlen(H3)) == NULL);
  free(s);
  /* Truncated in the middle of a multi-byte sequence at the very end. */
  s = strip(page, strlen(TITLE) + 1 + strlen(P1) + 3, &n, NULL);
  free(s);
}

/* The kept lines are read where they are, a run of them at a time: no
 * copy (a 100 MB text had cost 100 MB more), and the cursor walks them
 * once. A page whose candidate lines all stay is the text itself. */
TEST(kept_lines_are_read_in_place) {
  const char *page = TITLE "\n" P1 "\n" H1 "\n" H2 "\n" H3 "\n" P2 "\n";
  const char *clean = TITLE "\n\n" P1 "\n" H1 "\n" H2 "\n" P2 "\n" H3 "\n" H4 "\n" P3 "\n";
  size_t first = strlen(TITLE) + strlen(P1) + 2, n;
  const char *s;
  tci_page pg;
  CHECK_OK(tci_strip_boilerplate(ws, page, strlen(page), &pg));
  CHECK(pg.kept != NULL);
  CHECK_EQ_INT(pg.kept_len, first + strlen(P2) + 1);
  CHECK(tci_page_next(&pg, &s, &n));
  CHECK(s == page && n == first);
  CHECK(tci_page_next(&pg, &s, &n));
  CHECK(s == strstr(page, P2) && n == strlen(P2) + 1);
  CHECK(!tci_page_next(&pg, &s, &n));
  CHECK(!tci_page_next(&pg, &s, &n));
  CHECK_OK(tci_strip_boilerplate(ws, clean, strlen(clean), &pg));
  CHECK(pg.kept == NULL && pg.kept_len == strlen(clean));
  CHECK(tci_page_next(&pg, &s, &n));
  CHECK(s == clean && n == strlen(clean));
  CHECK(!tci_page_next(&pg, &s, &n));
}

TEST(bad_arguments) {
  tci_page page;
  CHECK_EQ_INT(tci_strip_boilerplate(NULL, "a\nb", 3, &page), TC_EINVAL);
  CHECK_EQ_INT(tci_strip_boilerplate(ws, NULL, 3, &page), TC_EINVAL);
  CHECK_EQ_INT(tci_strip_boilerplate(ws, "a\nb", 3, NULL), TC_EINVAL);
}

/* Does the token list hold this (normalised) word? */
static int has_token(const tc_tokens *t, const char *w) {
  size_t i;
  for (i = 0; i < t->n; i++)
    if (t->tok[i].len == strlen(w) && memcmp(t->tok[i].text, w, t->tok[i].len) == 0) return 1;
  return 0;
}

/* Prose furniture: other stories' teasers (a headline and the story's
 * first sentence), reader comments, a newsletter blurb. Their lines end
 * like sentences, so only their structure tells them from the article. */
#define T1 "United beat City 3-1 in a derby full of late drama"
#define S1 "A stoppage-time winner settled a derby that City had led until the last ten minutes."
#define T2 "Champion retires after Wimbledon defeat"
#define S2 "The two-time winner said she would play no more after losing in the second round. \"It is time,\" she said."
#define T3 "Ransomware gang leaks data stolen from a hospital"
#define S3 "Criminals published patient records after the hospital refused to pay the ransom they demanded."

#define TEASERS_GONE(s)                                                        \
  do {                                                                         \
    CHECK(!has(s, T1));                                                        \
    CHECK(!has(s, S1));                                                        \
    CHECK(!has(s, T2));                                                        \
    CHECK(!has(s, S2));                                                        \
    CHECK(!has(s, T3));                                                        \
    CHECK(!has(s, S3));                                                        \
  } while (0)

TEST(teaser_list_after_the_article) {
  const char *page = TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n\n"
                     "More from News\n" T1 "\n" S1 "\n" T2 "\n" S2 "\n" T3 "\n" S3 "\n";
  char *s = strip(page, strlen(page), NULL, NULL);
  ARTICLE_KEPT(s);
  TEASERS_GONE(s);
  CHECK(!has(s, "More from News"));
  free(s);
}

TEST(teaser_shapes) {
  /* A date line, "Read more", blank lines between (as tc_html_text gives
   * cards), a newsletter blurb right after the list. */
  static const char *const pages[] = {
      TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n\nLatest stories\n" T1 "\n2 hours ago\n" S1 "\n" T2
      "\nYesterday\n" S2 "\n" T3 "\n12 March 2024\n" S3 "\n",
      TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n\nEditor's picks\n" T1 "\n" S1 "\nRead more\n" T2 "\n" S2
      "\nRead more\n" T3 "\n" S3 "\nRead more\n",
      TITLE "\n\n" P1 "\n\n" P2 "\n\n" P3 "\n\nAround the site\n\n" T1 "\n\n" S1 "\n\n" T2 "\n\n" S2
      "\n\n" T3 "\n\n" S3 "\n\nThe Morning Briefing\n\nIn today's edition: " T2 "; and " T3 ". Get it free.\n",
  };
  size_t i;
  for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    char *s = strip(pages[i], strlen(pages[i]), NULL, NULL);
    ARTICLE_KEPT(s);
    TEASERS_GONE(s);
    CHECK(!has(s, "ago"));
    CHECK(!has(s, "Read more"));
    CHECK(!has(s, "edition"));
    free(s);
  }
}

TEST(two_teasers_are_not_a_list) {
  const char *page = TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n" T1 "\n" S1 "\n" T2 "\n" S2 "\n";
  int same = 0;
  char *s = strip(page, strlen(page), NULL, &same);
  CHECK(same);
  free(s);
}

/* A question or a two-word headline (is_doubtful_heading) heads a teaser
 * inside a list of three plain ones; it no longer cuts the list short. */
#define TQ "What now for British tennis?"
#define SQ "Without a top-100 player for the first time in years, the sport looks to its juniors."
#define TW "Derby joy"
#define SW "Fans celebrated into the night after the first home win over their rivals since 2009."

TEST(questions_and_two_word_headlines_join_a_teaser_list) {
  static const char *const pages[] = {
      TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n\nMore from News\n" T1 "\n" S1 "\n" TQ "\n" SQ "\n" T2 "\n" S2
      "\n" TW "\n" SW "\n" T3 "\n" S3 "\n",
      TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n\nLatest stories\n" TQ "\n2 hours ago\n" SQ "\n" T1 "\n" S1 "\n" T2
      "\n" S2 "\n" T3 "\n" S3 "\n\nMorning Briefing\nIn today's edition: " T2 "; and " T3 ". Get it free.\n",
  };
  size_t i;
  for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    char *s = strip(pages[i], strlen(pages[i]), NULL, NULL);
    ARTICLE_KEPT(s);
    TEASERS_GONE(s);
    CHECK(!has(s, TQ));
    CHECK(!has(s, SQ));
    CHECK(!has(s, "Briefing"));
    CHECK(!has(s, "edition"));
    free(s);
  }
}

TEST(doubtful_headlines_make_no_teaser_list) {
  /* Questions and two-word headlines with two plain teasers are no list. */
  const char *page = TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n" TQ "\n" SQ "\n" T1 "\n" S1 "\n" TW "\n" SW
                     "\n" T2 "\n" S2 "\n";
  int same = 0;
  char *s = strip(page, strlen(page), NULL, &same);
  CHECK(same);
  free(s);
}

/* A paragraph of more than 80 words: what an article has and a teaser
 * does not. */
#define LONG_P                                                                                                  \
  "The finance minister told reporters that the vote showed the coalition could still govern despite its slim "  \
  "majority, and that the government would now turn to the health bill, which has been delayed twice since the "  \
  "spring because of disagreements between the two parties over how much the plan would cost, how it would be "  \
  "paid for and whether the regions or the national government should run the new clinics that it promises. "   \
  "The opposition said it would vote against the bill again."

TEST(article_sections_are_not_teasers) {
  /* Subheadings over short paragraphs are the article's own until its last
   * long paragraph; and its first paragraph always is. */
  static const char *const pages[] = {
      TITLE "\n\n" P1 "\nA late vote in a tired chamber\n" P2 "\nWhat the opposition said\n" P3
      "\nA narrow win for the coalition\n" P1 "\n" LONG_P "\n",
      TITLE "\n" P1 "\nA late vote in a tired chamber\n" P2 "\nWhat the opposition said\n" P3 "\n",
  };
  size_t i;
  for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    int same = 0;
    char *s = strip(pages[i], strlen(pages[i]), NULL, &same);
    CHECK(same);
    free(s);
  }
}

TEST(questions_lists_and_live_blogs_are_not_teasers) {
  /* After the last long paragraph: an interview's questions, a listicle's
   * numbered items, a live blog's times, short subheadings, lead-ins ending
   * in ':' are the article's own. */
  static const char *const pages[] = {
      TITLE "\n\n" LONG_P "\nWhy did the vote take so long?\n" P1 "\nWhat happens next?\n" P2
      "\nWill the coalition last?\n" P3 "\n",
      TITLE "\n\n" LONG_P "\n1. The coalition held\n" P1 "\n2. The opposition split\n" P2
      "\n3) The minister won the night\n" P3 "\n",
      TITLE "\n\n" LONG_P "\n10:42 GMT\n" P1 "\n10:35\n" P2 "\n09:58 Budget debate begins\n" P3 "\n",
      TITLE "\n\n" LONG_P "\nThe vote\n" P1 "\nThe opposition\n" P2 "\nNext steps\n" P3 "\n",
      TITLE "\n\n" LONG_P "\nThe three measures the budget brings in\n"
      "Ministers listed the measures that the plan would bring in over the next financial year in this order:\n"
      "A higher rate for the richest earners\n"
      "The rate rises from 45 to 50 pence in the pound for incomes above the new threshold, they said:\n"
      "More money for schools in poorer areas\n"
      "Spending on schools in the poorest areas will rise by a tenth over the next three years, it says:\n",
  };
  size_t i;
  for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    int same = 0;
    char *s = strip(pages[i], strlen(pages[i]), NULL, &same);
    CHECK(same);
    free(s);
  }
}

/* A post as comment systems print it: name, date, text, "Reply". */
#define POST(name, when, text, reply) name "\n" when "\n" text "\n" reply "\n"

TEST(comments_section) {
  static const char *const headings[] = {"Comments (23)", "Join the conversation", "Have your say",
                                         "Discussion (4)", "12 responses"};
  size_t i;
  for (i = 0; i < sizeof headings / sizeof headings[0]; i++) {
    char page[2048];
    char *s;
    snprintf(page, sizeof page, "%s", TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n\n");
    strcat(page, headings[i]);
    strcat(page, "\n" POST("Dave_R", "3 hours ago", "Typical. " S1, "Reply")
                     POST("Margaret T.", "12 March 2024 at 10:42", "Spot on.\n" S3, "12 likes \xc2\xb7 Reply \xc2\xb7 Report")
                     POST("anon1987", "5h", "Who cares? " S2, "Reply | Report abuse"));
    s = strip(page, strlen(page), NULL, NULL);
    ARTICLE_KEPT(s);
    CHECK(!has(s, headings[i]));
    CHECK(!has(s, S1));
    CHECK(!has(s, S2));
    CHECK(!has(s, S3));
    CHECK(!has(s, "Dave_R"));
    CHECK(!has(s, "Reply"));
    CHECK(!has(s, "Spot on"));
    free(s);
  }
}

TEST(what_is_not_a_comments_section) {
  /* One "Reply"; a "45 comments" link under the title far from any Reply
   * line; a "Reply" that is a word of a longer line; no heading. */
  static const char *const pages[] = {
      TITLE "\n\n" P1 "\n" P2 "\n\nComments (1)\n" POST("Dave_R", "3 hours ago", "Typical. " S1, "Reply") P3 "\n",
      TITLE "\n45 comments\n" P1 "\n" P2 "\n" P3 "\n" P1 "\n" P2 "\n" P3 "\n" P1 "\n" P2 "\n"
      POST("Dave_R", "3 hours ago", "Typical. " S1, "Reply") POST("Dave_R", "3 hours ago", "Typical. " S2, "Reply"),
      TITLE "\n\n" P1 "\nJoin the conversation\n" P2 "\nReply to the minister\n" P3 "\nReply all\n" S1 "\n",
      TITLE "\n\n" P1 "\n" P2 "\n" POST("Dave_R", "3 hours ago", "Typical. " S1, "Reply")
      POST("Dave_R", "3 hours ago", "Typical. " S2, "Reply") P3 "\n",
  };
  size_t i;
  for (i = 0; i < sizeof pages / sizeof pages[0]; i++) {
    char *s = strip(pages[i], strlen(pages[i]), NULL, NULL);
    ARTICLE_KEPT(s);
    CHECK(has(s, S1));
    free(s);
  }
}

TEST(html_teaser_cards_and_comments) {
  /* Through tc_html_text: cards of <h3> links and <p>s, a comments
   * <section> of posts with a <time> and a "Reply" link. */
  const char *html =
      "<!DOCTYPE html><html><body><article><h1>" TITLE "</h1><p>" P1 "</p><p>" P2 "</p><p>" P3 "</p></article>"
      "<section class=\"more\"><h2>Don't miss</h2>"
      "<div class=\"card\"><h3><a href=\"/a\">" T1 "</a></h3><time>2 hours ago</time><p>" S1 "</p></div>"
      "<div class=\"card\"><h3><a href=\"/b\">" T2 "</a></h3><time>Yesterday</time><p>" S2 "</p></div>"
      "<div class=\"card\"><h3><a href=\"/c\">" T3 "</a></h3><time>3 days ago</time><p>" S3 "</p></div></section>"
      "<section id=\"comments\"><h2>Comments (2)</h2>"
      "<div class=\"comment\"><p class=\"author\">Dave_R</p><time>5h</time><p>Typical. " S1 "</p><a href=\"#\">Reply</a></div>"
      "<div class=\"comment\"><p class=\"author\">K. Osei</p><time>1 day ago</time><p>Well said. " S3 "</p>"
      "<a href=\"#\">Reply</a></div></section></body></html>";
  const char *text = NULL;
  size_t n = 0;
  CHECK_OK(tc_html_text(ws, html, strlen(html), &text, &n));
  if (text) {
    char *copy = malloc(n + 1), *s;
    if (!copy) { CHECK(copy != NULL); return; }
    memcpy(copy, text, n + 1);
    s = strip(copy, n, NULL, NULL);
    ARTICLE_KEPT(s);
    TEASERS_GONE(s);
    CHECK(!has(s, "Typical"));
    CHECK(!has(s, "Reply"));
    free(s);
    free(copy);
  }
}

/* The option end to end: the text stage calls the stripper before
 * normalising, so the extractor never sees the headline list's words. */
TEST(extractor_option_drops_furniture_tokens) {
  const char *page = TITLE "\n" P1 "\nRecent Posts\n" H1 "\n" H2 "\n" H3 "\n" P2 "\n";
  tc_options o;
  tc_extractor *ex = NULL;
  tc_tokens t;
  tc_options_init(&o);
  CHECK_EQ_INT(o.strip_boilerplate, 0); /* off by default */
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  if (ex) {
    CHECK_OK(tc_extractor_tokenize(ex, ws, page, strlen(page), &t));
    CHECK(has_token(&t, "wimbledon"));
    tc_extractor_free(ex);
    ex = NULL;
  }
  o.strip_boilerplate = 1;
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  if (ex) {
    CHECK_OK(tc_extractor_tokenize(ex, ws, page, strlen(page), &t));
    CHECK(!has_token(&t, "wimbledon"));
    CHECK(!has_token(&t, "derby"));
    CHECK(has_token(&t, "parliament"));
    CHECK(has_token(&t, "midnight"));
    tc_extractor_free(ex);
  }
}

/* A 10 MB page: blocks of prose and headline lists. The exact output size
 * is known, for a tenth of the page and for the whole. (No timing here: a
 * timed check fails on a loaded machine; bench/ measures speed.) */
TEST(ten_megabyte_page) {
  static const char block[] = P1 "\n" H1 "\n" H2 "\n" H3 "\n" P2 "\n";
  size_t bl = sizeof block - 1, keep = strlen(P1) + strlen(P2) + 2, head = strlen(TITLE) + 1;
  size_t blocks = 10u * 1024 * 1024 / bl, len = head + blocks * bl, i, n = 0;
  int same = 0;
  char *page = malloc(len), *p;
  char *out;
  if (!page) { CHECK(page != NULL); return; }
  memcpy(page, TITLE "\n", head);
  for (i = 0, p = page + head; i < blocks; i++, p += bl) memcpy(p, block, bl);
  free(strip(page, head + blocks / 10 * bl, &n, NULL));
  CHECK_EQ_INT(n, head + blocks / 10 * keep);
  out = strip(page, len, &n, NULL);
  CHECK_EQ_INT(n, head + blocks * keep);
  CHECK(out && find(out, n, H2, strlen(H2)) == NULL);
  free(out);
  /* One 10 MB line, and 10 MB of newlines: nothing to remove. */
  memset(page, 'x', len);
  free(strip(page, len, &n, &same));
  CHECK(same);
  memset(page, '\n', len);
  free(strip(page, len, &n, &same));
  CHECK(same);
  free(page);
}

#ifdef HAVE_OOM_HOOK
/* tc_normalize and tc_extractor_tokenize with strip_boilerplate, each
 * allocation failing in turn (oom.h), on a fresh workspace each time: a
 * failure is TC_ENOMEM and leaves the workspace usable (the call then
 * succeeds on it); a success gives the unhooked text or tokens, the
 * furniture gone. */
TEST(allocation_failures) {
  const char *page = "Home\nNews\nSport\n" TITLE "\n\n" P1 "\n" P2 "\n" P3 "\n"
                     "Share this article\n"
                     "Recent Posts\n" H1 "\n" H2 "\n" H3 "\n" H4 "\n"
                     "More from News\n" T1 "\n" S1 "\n" T2 "\n" S2 "\n" T3 "\n" S3 "\n"
                     "Copyright 2024 Daily Example Ltd. All rights reserved.\n";
  size_t len = strlen(page), want_n, n, want_tokens, i;
  const char *out;
  char *want;
  tc_options o;
  tc_extractor *ex = NULL;
  tc_tokens t;
  oom_sweep s = oom_sweep_start("tc_normalize, strip_boilerplate", 1000);
  tc_options_init(&o);
  o.strip_boilerplate = 1;
  CHECK_OK(tc_normalize(&o, ws, page, len, &out, &want_n, NULL));
  if (!(want = malloc(want_n + 1))) return;
  memcpy(want, out, want_n + 1);
  CHECK(!has(want, "recent posts") && has(want, "parliament passes the budget"));
  while (oom_next(&s)) {
    tc_workspace *fresh;
    int rc;
    if (tc_workspace_new(&fresh) != TC_OK) break;
    oom_arm(&s);
    rc = tc_normalize(&o, fresh, page, len, &out, &n, NULL);
    if (oom_failed(&s, rc, NULL)) CHECK_OK(rc = tc_normalize(&o, fresh, page, len, &out, &n, NULL));
    if (rc == TC_OK) CHECK_MEM(out, n, want, want_n);
    tc_workspace_free(fresh);
  }
  oom_sweep_finish(&s, 2);
  free(want);
  CHECK_OK(tc_extractor_new(&o, &ex, NULL));
  if (!ex) return;
  CHECK_OK(tc_extractor_tokenize(ex, ws, page, len, &t));
  want_tokens = t.n;
  s = oom_sweep_start("tc_extractor_tokenize, strip_boilerplate", 1000);
  while (oom_next(&s)) {
    tc_workspace *fresh, *again;
    tc_tokens u;
    int rc;
    if (tc_workspace_new(&fresh) != TC_OK) break;
    oom_arm(&s);
    rc = tc_extractor_tokenize(ex, fresh, page, len, &u);
    if (oom_failed(&s, rc, NULL)) CHECK_OK(rc = tc_extractor_tokenize(ex, fresh, page, len, &u));
    /* the unhooked tokens again, in a workspace of their own */
    if (rc == TC_OK && tc_workspace_new(&again) == TC_OK) {
      CHECK_OK(tc_extractor_tokenize(ex, again, page, len, &t));
      CHECK_EQ_INT(u.n, want_tokens);
      for (i = 0; i < u.n && i < t.n; i++) CHECK_MEM(u.tok[i].text, u.tok[i].len, t.tok[i].text, t.tok[i].len);
      tc_workspace_free(again);
    }
    tc_workspace_free(fresh);
  }
  oom_sweep_finish(&s, 3);
  tc_extractor_free(ex);
}
#endif

int main(void) {
  if (tc_workspace_new(&ws) != TC_OK) return 1;
  RUN(clean_article_is_returned_as_is);
  RUN(furniture_after_the_article);
  RUN(furniture_before_the_article);
  RUN(furniture_in_the_middle);
  RUN(two_headline_lines_are_not_a_list);
  RUN(short_sentences_are_not_headlines);
  RUN(phrases_found_at_every_offset);
  RUN(words_counted_across_16_byte_steps);
  RUN(furniture_words_in_prose_are_kept);
  RUN(lists_marked_as_lists_are_kept);
  RUN(hard_wrapped_text_is_kept);
  RUN(lead_title_after_a_menu_is_kept);
  RUN(title_is_the_longest_headline_before_the_prose);
  RUN(names_in_lower_case_start_headlines);
  RUN(crlf_lines);
  RUN(empty_and_one_line);
  RUN(only_furniture_is_kept_whole);
  RUN(invalid_utf8_and_nul_bytes);
  RUN(kept_lines_are_read_in_place);
  RUN(bad_arguments);
  RUN(teaser_list_after_the_article);
  RUN(teaser_shapes);
  RUN(two_teasers_are_not_a_list);
  RUN(questions_and_two_word_headlines_join_a_teaser_list);
  RUN(doubtful_headlines_make_no_teaser_list);
  RUN(article_sections_are_not_teasers);
  RUN(questions_lists_and_live_blogs_are_not_teasers);
  RUN(comments_section);
  RUN(what_is_not_a_comments_section);
  RUN(html_teaser_cards_and_comments);
  RUN(extractor_option_drops_furniture_tokens);
  RUN(ten_megabyte_page);
#ifdef HAVE_OOM_HOOK
  RUN(allocation_failures);
#endif
  tc_workspace_free(ws);
  return check_report();
}
