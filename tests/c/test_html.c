/* test_html.c - tc_html_text: the text of HTML pages (core/html.c). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"

static tc_workspace *ws;

/* The text of html, as a string (static; "(error)" on failure). */
static const char *text_of(const char *html, size_t len) {
  static char buf[8192];
  const char *out = NULL;
  size_t n = 0;
  if (tc_html_text(ws, html, len, &out, &n) != TC_OK || n >= sizeof buf || out[n] != '\0') return "(error)";
  memcpy(buf, out, n + 1);
  return buf;
}
#define HTML(in, want) CHECK_EQ_STR(text_of(in, strlen(in)), want)

TEST(markup_goes_text_stays) {
  HTML("", "");
  HTML("plain text, no tags", "plain text, no tags");
  HTML("<b>bold</b> and <a href=\"/x\">a link</a>", "bold and a link");
  HTML("<p>One.</p><p>Two.</p>", "One.\n\nTwo.");
  HTML("<div><h1>Title</h1><p>Body   text\n  wraps\there.</p></div>", "Title\n\nBody text wraps here.");
  HTML("<p>line<br>next<br/>last</p>", "line\nnext\nlast");
  HTML("<ul><li>a</li><li>b</li></ul>", "a\n\nb");
  HTML("<table><tr><td>x</td><td>y</td></tr></table>", "x y");
  HTML("<pre>keep\n  this</pre>", "keep\n  this");
  HTML("<P CLASS=x>Upper</P><DIV>case</DIV>", "Upper\n\ncase");
  HTML("a <custom-tag x=1>inline</custom-tag> b", "a inline b");
}

TEST(scripts_comments_declarations) {
  HTML("<script>var politics = 'sport'; if (a < b) {}</script><p>news</p>", "news");
  HTML("<style>p > a { color: red }</style>news", "news");
  HTML("<SCRIPT type=x>x</SCRIPT >after", "after");
  HTML("a<!-- <p>hidden</p> -->b", "ab");
  HTML("<!DOCTYPE html><?xml version=\"1.0\"?>text", "text");
  HTML("<noscript>Enable JavaScript</noscript><template><p>t</p></template>ok", "ok");
  /* unterminated: runs to the end */
  HTML("text<script>never closed", "text");
  HTML("text<!-- never closed", "text");
  HTML("text<p class=\"never closed>more", "text");
}

TEST(furniture_elements) {
  HTML("<nav><a>Home</a> <a>Sport</a></nav><article><p>Story</p></article><footer>(c) 2024</footer>",
       "Story");
  HTML("<aside><ul><li>Most read</li></ul></aside><p>Story</p><form><button>Go</button></form>", "Story");
  /* a page wrapped in a form (as some sites' are) keeps its text, not its menu */
  HTML("<form id=\"page\"><nav>Home</nav><p>Story</p></form>", "Story");
  HTML("<nav><nav>a</nav>b</nav>c", "c"); /* nested */
  HTML("</nav></nav>stray closings<nav>x</nav>", "stray closings");
  /* a page that is only furniture keeps it */
  HTML("<nav><a>Home</a> <a>Sport</a></nav>", "Home Sport");
}

TEST(title_comes_first) {
  HTML("<html><head><title>Page &amp; title</title></head><body><p>Body</p></body></html>",
       "Page & title\n\nBody");
  HTML("<title>Only</title>", "Only");
  /* a page with its own heading: the <title> (headline | site name) is not used */
  HTML("<title>Story | Example News</title><h1>Story</h1><p>Body</p>", "Story\n\nBody");
  HTML("<title>t</title><title>second</title><p>b</p>", "t\n\nb");
  HTML("<titles>not a title</titles>", "not a title");
}

TEST(character_references) {
  HTML("caf&eacute; &amp; &lt;tag&gt; &quot;q&quot; &apos;", "caf\xc3\xa9 & <tag> \"q\" '");
  HTML("&#233;&#xE9;&#XE9;", "\xc3\xa9\xc3\xa9\xc3\xa9");
  HTML("it&rsquo;s &ldquo;x&rdquo; &mdash; 5&nbsp;km", "it\xe2\x80\x99s \xe2\x80\x9cx\xe2\x80\x9d \xe2\x80\x94 5 km");
  HTML("&#150; &#128;", "\xe2\x80\x93 \xe2\x82\xac"); /* 128-159: Windows-1252 */
  HTML("&#0;&#xD800;&#1114112;&#99999999999;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  HTML("&bogus; &; &#; &#x;", "&bogus; &; &#; &#x;");
  /* Latin-1 names also without ';', when the name ends there */
  HTML("AT&T &amp Co &copy 2024 5&nbspkm &eacute", "AT&T & Co \xc2\xa9 2024 5&nbspkm \xc3\xa9");
  HTML("&mdash &amp= &ampx", "&mdash &amp= &ampx"); /* not Latin-1; followed by = or a letter */
  HTML("&#233", "\xc3\xa9"); /* a numeric reference may end without ';' */
}

TEST(windows_1252_pages) {
  const char page[] = "<meta charset=\"windows-1252\"><p>Caf\xe9 \x93q\x94 \x80</p>";
  const char utf8[] = "<meta charset=\"windows-1252\"><p>Caf\xc3\xa9</p>";
  const char undeclared[] = "<p>Caf\xe9</p>";
  const char http_equiv[] = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><p>Caf\xe9</p>";
  const char xml[] = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><p>Caf\xe9</p>";
  const char other[] = "<meta charset=\"shift_jis\"><p>Caf\xe9</p>";
  CHECK_EQ_STR(text_of(page, sizeof page - 1), "Caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d \xe2\x82\xac");
  /* valid UTF-8 is kept as it is whatever the page says */
  CHECK_EQ_STR(text_of(utf8, sizeof utf8 - 1), "Caf\xc3\xa9");
  /* no declaration: bytes pass through (the text stage repairs them) */
  CHECK_EQ_STR(text_of(undeclared, sizeof undeclared - 1), "Caf\xe9");
  CHECK_EQ_STR(text_of(http_equiv, sizeof http_equiv - 1), "Caf\xc3\xa9");
  CHECK_EQ_STR(text_of(xml, sizeof xml - 1), "Caf\xc3\xa9");
  /* Shift_JIS: E9 needs a second byte, and '<' is none */
  CHECK_EQ_STR(text_of(other, sizeof other - 1), "Caf\xef\xbf\xbd");
}

TEST(arguments) {
  const char *out;
  size_t n;
  CHECK_EQ_INT(tc_html_text(NULL, "x", 1, &out, &n), TC_EINVAL);
  CHECK_EQ_INT(tc_html_text(ws, NULL, 1, &out, &n), TC_EINVAL);
  CHECK_EQ_INT(tc_html_text(ws, "x", 1, NULL, &n), TC_EINVAL);
  CHECK_OK(tc_html_text(ws, NULL, 0, &out, &n));
  CHECK_EQ_INT(n, 0);
}

/* Random bytes drawn from markup's alphabet: never an error, never longer
 * than twice the input plus 2 (sanitizers watch the reads), valid UTF-8 in
 * gives valid UTF-8 out, and the same input gives the same text. */
TEST(random_markup) {
  static const char *const pieces[] = {"<", ">", "</", "/>", "<p>", "</p>", "<br>", "<nav>", "</nav>",
                                       "<script>", "</script>", "<!--", "-->", "<title>", "</title>",
                                       "&", "&amp;", "&#", "&#x", ";", "233", "\"", "'", "=", " ", "\n",
                                       "a", "word", "\xc3\xa9", "<pre>", "</pre>", "<td>", "&nbsp;"};
  unsigned seed = 7;
  char page[400];
  int i, bad = 0;
  for (i = 0; i < 20000; i++) {
    size_t n = 0, k, m;
    const char *out;
    char first[1024];
    int count;
    seed = seed * 1103515245u + 12345u;
    count = (int)((seed >> 16) % 24);
    while (count-- > 0) {
      const char *s;
      seed = seed * 1103515245u + 12345u;
      s = pieces[(seed >> 16) % (sizeof pieces / sizeof pieces[0])];
      k = strlen(s);
      if (n + k >= sizeof page) break;
      memcpy(page + n, s, k);
      n += k;
    }
    if (tc_html_text(ws, page, n, &out, &m) != TC_OK) { bad++; continue; }
    if (m > 2 * n + 2 || tc_utf8_check(out, m) != m || m >= sizeof first) { bad++; continue; }
    memcpy(first, out, m);
    if (tc_html_text(ws, page, n, &out, &k) != TC_OK || k != m || memcmp(out, first, m) != 0) bad++;
  }
  CHECK_EQ_INT(bad, 0);
}

/* A long page: linear, and the text is all there. */
TEST(large_page) {
  size_t reps = 200000, i, n = 0, m;
  char *page = malloc(reps * 16 + 1);
  const char *out;
  if (!page) { CHECK(page != NULL); return; }
  for (i = 0; i < reps; i++) {
    memcpy(page + n, "<p>word</p><br>", 15);
    n += 15;
  }
  CHECK_OK(tc_html_text(ws, page, n, &out, &m));
  CHECK_EQ_INT(m, reps * 4 + (reps - 1) * 2);
  free(page);
}

int main(void) {
  if (tc_workspace_new(&ws)) return 1;
  RUN(markup_goes_text_stays);
  RUN(scripts_comments_declarations);
  RUN(furniture_elements);
  RUN(title_comes_first);
  RUN(character_references);
  RUN(windows_1252_pages);
  RUN(arguments);
  RUN(random_markup);
  RUN(large_page);
  tc_workspace_free(ws);
  return check_report();
}
