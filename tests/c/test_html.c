/* test_html.c - tc_html_text: the text of HTML pages (core/html.c). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"
#include "oom.h"
#include "html_entities.h"

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
  /* empty comments end where they start (HTML's abrupt closing); they hid
   * the text up to the next "-->" */
  HTML("a<!-->b<!-- c -->d", "abd");
  HTML("a<!--->b<!-- c -->d", "abd");
  HTML("a<!---->b", "ab");
  HTML("<!--[if !IE]><!-->b<!--<![endif]-->", "b");
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
  /* furniture left open ends with the element that holds it, as browsers
   * close it (regression: a missing </button> or </aside> hid the rest of
   * the page, the article with it) */
  HTML("<div id=\"consent\"><p>We use cookies</p><button>Accept<button>Settings</button></div><p>Story</p>",
       "We use cookies\n\nStory");
  HTML("<div class=\"side\"><aside><ul><li>Most read</li></ul></div><p>Story</p>", "Story");
  HTML("<header><nav><button>Menu</nav></header><main><p>Story</p></main>", "Story");
  HTML("<section><aside><div>x</div>y</section>z", "z"); /* a closed <div> inside closes nothing */
  HTML("<aside><div><nav>a</div>b</aside>c", "c");
  HTML("<p><aside>x</p>y</aside>z", "z"); /* </p> (an end tag browsers may imply) closes nothing */
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
  /* regression: the title and the <h1> were found by a plain search, so a
   * <title> or <h1> in a comment, a script or an attribute value counted */
  HTML("<html><!-- <title>Old title</title> --><p>Body text here.</p>", "Body text here.");
  HTML("<script>var t = \"<title>football results</title>\";</script><p>Body</p>", "Body");
  HTML("<a href=<title>Breaking story</title>link</a>", "Breaking story\n\nlink"); /* once */
  /* an <svg>'s <title> is the drawing's, not the page's */
  HTML("<body><SVG><title>Search</title><path/></SVG><p>The striker scored.</p></body>", "The striker scored.");
  HTML("<svg><title>Menu</title></svg><title>Cup final</title><p>Body</p>", "Cup final\n\nBody");
  HTML("<svg><svg><title>a</title></svg><title>b</title></svg><p>Body</p>", "Body");
  HTML("<titlebar x>menu</titlebar><title>Real</title><p>b</p>", "Real\n\nmenu\n\nb");
  HTML("<title>Story | Site</title><!-- <h1>x</h1> --><p>Body</p>", "Story | Site\n\nBody");
  HTML("<title/><title>Second</title><p>b</p>", "Second\n\nb");
}

TEST(character_references) {
  HTML("caf&eacute; &amp; &lt;tag&gt; &quot;q&quot; &apos;", "caf\xc3\xa9 & <tag> \"q\" '");
  HTML("&#233;&#xE9;&#XE9;", "\xc3\xa9\xc3\xa9\xc3\xa9");
  HTML("it&rsquo;s &ldquo;x&rdquo; &mdash; 5&nbsp;km", "it\xe2\x80\x99s \xe2\x80\x9cx\xe2\x80\x9d \xe2\x80\x94 5 km");
  HTML("&#150; &#128;", "\xe2\x80\x93 \xe2\x82\xac"); /* 128-159: Windows-1252 */
  HTML("&#0;&#xD800;&#1114112;&#99999999999;", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  HTML("&bogus; &; &#; &#x;", "&bogus; &; &#; &#x;");
  HTML("&#233", "\xc3\xa9"); /* a numeric reference may end without ';' */
  /* white space a reference stands for is the page's: it collapses, and
   * breaks a line only inside <pre> (regression: &#10; wrote a line break
   * into a paragraph, where a browser shows a space) */
  HTML("a&#10;b &#9;&#13;&#32;&#12;c&nbsp;&nbsp;d", "a b c d");
  HTML("<pre>a&#10;b&nbsp;&nbsp;c</pre>", "a\nb  c");
  /* the rest of HTML 4's names: Greek, marks, arrows, mathematics, shapes */
  HTML("&Alpha;&Omega;&alpha;&sigmaf;&omega;&thetasym;", "\xce\x91\xce\xa9\xce\xb1\xcf\x82\xcf\x89\xcf\x91");
  HTML("&minus;5 &rarr; &hArr; &le;&ne;&infin; &lang;x&rang; &hearts;",
       "\xe2\x88\x92" "5 \xe2\x86\x92 \xe2\x87\x94 \xe2\x89\xa4\xe2\x89\xa0\xe2\x88\x9e \xe2\x9f\xa8x\xe2\x9f\xa9 \xe2\x99\xa5");
  HTML("a&lrm;b&rlm;c &circ;&tilde;", "a\xe2\x80\x8e" "b\xe2\x80\x8f" "c \xcb\x86\xcb\x9c");
}

/* The HTML Standard's named character references: all 2,231 of its table
 * (each one checked in tests/lua/html_spec.lua against Python's copy),
 * matched as its "named character reference state" matches them. */
TEST(longest_names) {
  /* HTML 5's names, not only HTML 4's (regression: these stayed as written) */
  HTML("&hyphen;&check;&bigstar; &Zopf;&frac13; &nbump;", "\xe2\x80\x90\xe2\x9c\x93\xe2\x98\x85 "
       "\xe2\x84\xa4\xe2\x85\x93 \xe2\x89\x8e\xcc\xb8"); /* &nbump; is two code points */
  HTML("&nvlt;&fjlig;&ThickSpace;.", "<\xe2\x83\x92" "fj\xe2\x81\x9f\xe2\x80\x8a.");
  HTML("a&NewLine;b&Tab;c&NonBreakingSpace;d", "a b c d"); /* white space, as &#10; */
  HTML("&CounterClockwiseContourIntegral;", "\xe2\x88\xb3"); /* the longest name */
  HTML("&AMP;&Amp;", "&&Amp;"); /* case matters */
  /* the longest name the text starts with: its letters and digits with
   * their ';', else the longest legacy name, which may be a prefix */
  HTML("&notin; &notit; &notinva;", "\xe2\x88\x89 \xc2\xacit; \xe2\x88\x89");
  HTML("&not &notin &notx &noti;", "\xc2\xac \xc2\xacin \xc2\xacx \xc2\xaci;");
  /* the legacy names (HTML 4's Latin-1 ones, &amp &lt &gt &quot and their
   * capitals) without ';', followed by anything: in text, as here,
   * browsers read "&pound10" as "\xc2\xa3" "10" (regression: these stayed as written
   * unless the name ended at a space or punctuation) */
  HTML("&pound10 &copy 2024 &copy2024 AT&ampT 5&nbspkm &eacuteclair &frac12x &AMP=1 &ltp",
       "\xc2\xa3" "10 \xc2\xa9 2024 \xc2\xa9" "2024 AT&T 5 km \xc3\xa9" "clair \xc2\xbd" "x &=1 <p");
  HTML("&COPY&REG&QUOT&GT&LT", "\xc2\xa9\xc2\xae\"><");
  /* other names need their ';' */
  HTML("&mdash &minus &hellip &alpha &apos &Zcaron", "&mdash &minus &hellip &alpha &apos &Zcaron");
  /* unknown names stay as written, however long */
  HTML("AT&T &bogus; &nbs &zzzz; &Amp; &amp_x", "AT&T &bogus; &nbs &zzzz; &Amp; &_x");
  HTML("&CounterClockwiseContourIntegralX; &xCounterClockwiseContourIntegral;",
       "&CounterClockwiseContourIntegralX; &xCounterClockwiseContourIntegral;");
  HTML("&copyCounterClockwiseContourIntegralCounterClockwise;",
       "\xc2\xa9" "CounterClockwiseContourIntegralCounterClockwise;");
}

/* The text of a page held in exactly its own bytes (so the sanitizers see
 * a read past it), as text_of gives it. */
static const char *text_of_bytes(const char *page, size_t len) {
  char *copy = malloc(len ? len : 1);
  const char *text;
  if (!copy) return "(error)";
  memcpy(copy, page, len);
  text = text_of(copy, len);
  free(copy);
  return text;
}

/* A reference cut short at every byte: each piece reads as much of a
 * reference as it holds, and nothing past its end (ASan). */
TEST(cut_references) {
  static const char *const notin[] = {"&", "&n", "&no", "\xc2\xac", "\xc2\xaci", "\xc2\xacin", "\xe2\x88\x89"};
  static const char *const numeric[] = {"&", "&#", "&#x", "\x02", "\"", "\xc8\xa0", "\xe2\x88\x89",
                                        "\xe2\x88\x89"};
  size_t k;
  for (k = 1; k <= strlen("&notin;"); k++) CHECK_EQ_STR(text_of_bytes("&notin;", k), notin[k - 1]);
  for (k = 1; k <= strlen("&#x2209;"); k++) CHECK_EQ_STR(text_of_bytes("&#x2209;", k), numeric[k - 1]);
}

/* A decoded character as the text shows it: a no-break space and ASCII
 * white space as a space. */
static size_t shown(unsigned cp, unsigned char *out) {
  if (cp == 0xA0 || (cp < 0x80 && strchr(" \t\n\r\f", (int)cp))) cp = ' ';
  return tci_utf8_encode((int32_t)cp, out);
}

/* Every name of the table: read in full ("x&name." and "x&name;." for a
 * legacy one), it is the code points the table gives, so the binary search
 * finds each; cut at every byte, it reads as valid UTF-8 without a read
 * past the piece (ASan). */
TEST(every_named_reference) {
  size_t i, k, wrong = 0, invalid = 0;
  for (i = 0; i < NAMED_REFERENCES; i++) {
    const named_reference *r = &named_references[i];
    const char *name = named_reference_name(r);
    char page[sizeof "x&." + NAMED_REFERENCE_LONGEST], want[16] = "x";
    size_t n = (size_t)sprintf(page, "x&%s.", name), m = 1;
    m += shown(r->cp, (unsigned char *)want + m);
    if (r->cp2) m += shown(r->cp2, (unsigned char *)want + m);
    memcpy(want + m, ".", 2);
    if (strcmp(text_of(page, n), want) != 0) wrong++;
    for (k = 1; k <= n; k++) {
      const char *t = text_of_bytes(page, k);
      if (tc_utf8_check(t, strlen(t)) != strlen(t)) invalid++;
    }
  }
  CHECK_EQ_INT(wrong, 0);
  CHECK_EQ_INT(invalid, 0);
}

TEST(windows_1252_pages) {
  const char page[] = "<meta charset=\"windows-1252\"><p>Caf\xe9 \x93q\x94 \x80</p>";
  const char utf8[] = "<meta charset=\"windows-1252\"><p>Caf\xc3\xa9</p>";
  const char undeclared[] = "<p>Caf\xe9</p>";
  const char undeclared_cut[] = "<p>Caf\xe9 \xe2\x80</p>"; /* the start of a UTF-8 character is none */
  const char undeclared_utf8[] = "<p>Caf\xc3\xa9 \xe9t\xe9</p>";
  const char http_equiv[] = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\"><p>Caf\xe9</p>";
  const char xml[] = "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><p>Caf\xe9</p>";
  const char other[] = "<meta charset=\"shift_jis\"><p>Caf\xe9</p>";
  CHECK_EQ_STR(text_of(page, sizeof page - 1), "Caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d \xe2\x82\xac");
  /* valid UTF-8 is kept as it is whatever the page says */
  CHECK_EQ_STR(text_of(utf8, sizeof utf8 - 1), "Caf\xc3\xa9");
  /* no declaration and no UTF-8 in it: Windows-1252, as browsers read it */
  CHECK_EQ_STR(text_of(undeclared, sizeof undeclared - 1), "Caf\xc3\xa9");
  CHECK_EQ_STR(text_of(undeclared_cut, sizeof undeclared_cut - 1), "Caf\xc3\xa9 \xc3\xa2\xe2\x82\xac");
  /* one well-formed UTF-8 character: UTF-8 with a stray byte, which passes
   * through (the text stage repairs it) */
  CHECK_EQ_STR(text_of(undeclared_utf8, sizeof undeclared_utf8 - 1), "Caf\xc3\xa9 \xe9t\xe9");
  CHECK_EQ_STR(text_of(http_equiv, sizeof http_equiv - 1), "Caf\xc3\xa9");
  CHECK_EQ_STR(text_of(xml, sizeof xml - 1), "Caf\xc3\xa9");
  /* Shift_JIS: E9 needs a second byte, and '<' is none */
  CHECK_EQ_STR(text_of(other, sizeof other - 1), "Caf\xef\xbf\xbd");
  {
    /* a <script charset> or <link charset> names its file's encoding, not
     * the page's: only a <meta> declares that (regression: the first
     * charset= anywhere was taken, so this page "declared" UTF-8) */
    const char script[] = "<script src=\"a.js\" charset=\"utf-8\"></script><link href=\"a.css\" charset=utf-8>"
                          "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\"><p>Caf\xe9</p>";
    const char script_only[] = "<script charset=\"shift_jis\" src=\"a.js\"></script><p>Caf\xe9</p>";
    const char metadata[] = "<metadata charset=\"shift_jis\"><p>Caf\xe9</p>";
    char name[TC_CHARSET_NAME_MAX + 1];
    int how;
    CHECK_EQ_STR(text_of(script, sizeof script - 1), "Caf\xc3\xa9");
    CHECK(tc_html_charset(ws, script, sizeof script - 1, name, sizeof name, &how) == TC_OK);
    CHECK_EQ_STR(name, "iso-8859-1");
    CHECK_EQ_STR(text_of(script_only, sizeof script_only - 1), "Caf\xc3\xa9"); /* none declared */
    CHECK_EQ_STR(text_of(metadata, sizeof metadata - 1), "Caf\xc3\xa9");
  }
}

/* ------------------------------------------------- declared charsets
 * Each page's bytes, and the UTF-8 expected of them, are what the iconv
 * command line gives for the text (iconv -f UTF-8 -t CHARSET). */

#define FFFD "\xef\xbf\xbd"

/* What tc_html_charset says of a page: its TC_CHARSET_* value (-1 on
 * error), the name in *name. */
static int charset_of(const char *page, size_t len, char *name, size_t cap) {
  int how = -1;
  if (tc_html_charset(ws, page, len, name, cap, &how) != TC_OK) return -1;
  return how;
}

#define PAGE(in, want)                                                       \
  do {                                                                      \
    CHECK_EQ_STR(text_of(in, sizeof in - 1), want);                         \
    CHECK_EQ_INT(charset_of(in, sizeof in - 1, NULL, 0), TC_CHARSET_CONVERTED); \
  } while (0)

TEST(declared_charsets) {
  /* "Хакеры атаковали больницу" */
  static const char cp1251[] = "<meta charset=\"windows-1251\"><p>"
    "\xd5\xe0\xea\xe5\xf0\xfb\x20\xe0\xf2\xe0\xea\xee\xe2\xe0\xeb\xe8\x20\xe1\xee\xeb\xfc\xed\xe8\xf6\xf3"
    "</p>";
  /* "Zażółć gęślą jaźń", declared in <meta http-equiv> */
  static const char latin2[] = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-2\">"
    "<p>\x5a\x61\xbf\xf3\xb3\xe6\x20\x67\xea\xb6\x6c\xb1\x20\x6a\x61\xbc\xf1</p>";
  /* "Привет, мир", declared by an XML declaration */
  static const char koi8r[] = "<?xml version=\"1.0\" encoding='KOI8-R'?><p>"
    "\xf0\xd2\xc9\xd7\xc5\xd4\x2c\x20\xcd\xc9\xd2</p>";
  /* "日本語のニュース①": ① (87 40) is a Windows-31J (CP932) character, not
   * Shift_JIS's; browsers read shift_jis as Windows-31J */
  static const char sjis[] = "<meta charset=shift_jis><p>"
    "\x93\xfa\x96\x7b\x8c\xea\x82\xcc\x83\x6a\x83\x85\x81\x5b\x83\x58\x87\x40</p>";
  static const char x_sjis[] = "<meta charset=x-sjis><p>\x93\xfa\x96\x7b</p>";
  /* "한국어 뉴스 똠": 똠 (8C 63) is Windows-949's, not EUC-KR's */
  static const char euckr[] = "<meta charset=\"euc-kr\"><p>"
    "\xc7\xd1\xb1\xb9\xbe\xee\x20\xb4\xba\xbd\xba\x20\x8c\x63</p>";
  /* "你好世界镕€": 镕 (E9 46) and € (80) are GBK's, not GB2312's */
  static const char gb2312[] = "<meta charset=\"gb2312\"><p>\xc4\xe3\xba\xc3\xca\xc0\xbd\xe7\xe9\x46\x80</p>";
  /* "中文新聞" */
  static const char big5[] = "<meta charset=\"big5\"><p>\xa4\xa4\xa4\xe5\xb7\x73\xbb\x44</p>";
  /* "Prix 5€ œuvre" */
  static const char latin9[] = "<meta charset=\"iso-8859-15\"><p>Prix 5\xa4 \xbduvre</p>";
  /* "日本語" */
  static const char eucjp[] = "<meta charset=\"EUC-JP\"><p>\xc6\xfc\xcb\xdc\xb8\xec</p>";
  PAGE(cp1251, "\xd0\xa5\xd0\xb0\xd0\xba\xd0\xb5\xd1\x80\xd1\x8b\x20\xd0\xb0\xd1\x82\xd0\xb0\xd0\xba\xd0\xbe"
               "\xd0\xb2\xd0\xb0\xd0\xbb\xd0\xb8\x20\xd0\xb1\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xbd\xd0\xb8\xd1\x86\xd1\x83");
  PAGE(latin2, "\x5a\x61\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87\x20\x67\xc4\x99\xc5\x9b\x6c\xc4\x85\x20\x6a\x61\xc5\xba\xc5\x84");
  PAGE(koi8r, "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\x2c\x20\xd0\xbc\xd0\xb8\xd1\x80");
  PAGE(sjis, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe3\x83\x8b\xe3\x83\xa5\xe3\x83\xbc\xe3\x82\xb9\xe2\x91\xa0");
  PAGE(x_sjis, "\xe6\x97\xa5\xe6\x9c\xac");
  PAGE(euckr, "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4\x20\xeb\x89\xb4\xec\x8a\xa4\x20\xeb\x98\xa0");
  PAGE(gb2312, "\xe4\xbd\xa0\xe5\xa5\xbd\xe4\xb8\x96\xe7\x95\x8c\xe9\x95\x95\xe2\x82\xac");
  PAGE(big5, "\xe4\xb8\xad\xe6\x96\x87\xe6\x96\xb0\xe8\x81\x9e");
  PAGE(latin9, "Prix 5\xe2\x82\xac \xc5\x93uvre");
  PAGE(eucjp, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
}

/* ISO-2022-JP is 7-bit, so its pages are valid UTF-8: converted when they
 * hold an escape byte. */
TEST(iso_2022_pages) {
  static const char jis[] = "<meta charset=\"iso-2022-jp\"><p>\x1b\x24\x42\x46\x7c\x4b\x5c\x38\x6c\x1b\x28\x42 news</p>";
  static const char plain[] = "<meta charset=\"iso-2022-jp\"><p>news</p>";
  PAGE(jis, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e news");
  CHECK_EQ_STR(text_of(plain, sizeof plain - 1), "news");
  CHECK_EQ_INT(charset_of(plain, sizeof plain - 1, NULL, 0), TC_CHARSET_UTF8);
}

TEST(unconvertible_bytes) {
  /* Shift_JIS 81 needs a second byte: ' ' is none, so U+FFFD and the space */
  static const char sjis_mid[] = "<meta charset=shift_jis><p>\x93\xfa\x81 \x96\x7b</p>";
  /* ISO-8859-3 leaves A5 unassigned */
  static const char latin3[] = "<meta charset=iso-8859-3><p>a\xa5""b\xa5\xa5</p>";
  /* a lead byte at the very end: one U+FFFD; and a 4-byte GB18030
   * sequence cut after 2 bytes */
  static const char sjis_end[] = "<meta charset=shift_jis><p>\x93\xfa\x93";
  static const char gb18030_end[] = "<meta charset=gb18030><p>\xc4\xe3\x81\x30";
  /* EUC-KR: FF is no lead byte */
  static const char euckr[] = "<meta charset=euc-kr><p>\xc7\xd1\xff\xc7\xd1</p>";
  PAGE(sjis_mid, "\xe6\x97\xa5" FFFD " \xe6\x9c\xac");
  PAGE(latin3, "a" FFFD "b" FFFD FFFD);
  PAGE(sjis_end, "\xe6\x97\xa5" FFFD);
  PAGE(gb18030_end, "\xe4\xbd\xa0" FFFD);
  PAGE(euckr, "\xed\x95\x9c" FFFD "\xed\x95\x9c");
}

/* glibc's CP949 (euc-kr) reads A2 E8 and fails only at the next byte, or
 * at the end with no byte left, and ISO-2022-CN-EXT so reads a lone SO
 * (0E): the conversion stepped over the byte after them, dropping it, or
 * past the page's end, where iconv was then given 2^64 - 1 bytes to read
 * (a crash, or the heap's bytes in the text). */
TEST(regression_invalid_sequence_read_before_failing) {
  static const char euckr_mid[] = "<meta charset=euc-kr><p>\xc7\xd1 a\xa2\xe8 b</p>";
  static const char euckr_end[] = "<meta charset=euc-kr><p>\xc7\xd1 a\xa2\xe8";
  static const char cn_ext_end[] = "<meta charset=iso-2022-cn-ext><p>\xff vote \x0e";
  static const char latin3[] = "<meta charset=iso-8859-3><p>ab\xa5\xa5 cd</p>";
  PAGE(euckr_mid, "\xed\x95\x9c a" FFFD " b");
  PAGE(euckr_end, "\xed\x95\x9c a" FFFD);
  PAGE(cn_ext_end, FFFD " vote " FFFD);
  PAGE(latin3, "ab" FFFD FFFD " cd"); /* a byte failed at once: one U+FFFD each */
}

/* What a page declares and what is done with it (tc_html_charset). */
TEST(charset_reports) {
  static const char unknown[] = "<meta charset=\"x-foo\"><p>\xd5\xe0\xea</p>";
  static const char valid[] = "<meta charset=\"windows-1251\"><p>\xd0\xa5\xd0\xb0</p>"; /* "Ха" in UTF-8 */
  static const char utf16[] = "<meta charset=\"UTF-16LE\"><p>caf\xe9</p>";
  static const char utf8[] = "<meta charset=\"utf-8\"><p>caf\xe9</p>";
  static const char none[] = "<p>caf\xe9</p>";
  static const char none_utf8[] = "<p>caf\xc3\xa9</p>";
  static const char none_stray[] = "<p>caf\xc3\xa9 \xff</p>";
  static const char translit[] = "<meta charset=\"koi8-r//TRANSLIT\"><p>\xf0\xd2</p>";
  static const char path[] = "<meta charset=\"../../x\"><p>\xf0\xd2</p>";
  static const char too_long[] = "<meta charset=\"iso-8859-5-but-a-name-longer-than-forty-bytes\"><p>\xf0\xd2</p>";
  static const char xml_first[] = " \n<?xml version=\"1.0\" encoding=\"koi8-r\"?>"
                                  "<meta charset=\"windows-1251\"><p>\xf0\xd2</p>";
  /* a UTF-8 byte order mark says UTF-8 whatever is declared (as browsers read it) */
  static const char bom[] = "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"koi8-r\"?><p>\xf0\xd2</p>";
  static const char not_a_declaration[] = "<p>The charset is ours.</p><meta charset = 'koi8-r' ><p>\xf0\xd2</p>";
  static const char empty[] = "<meta charset=\"\"><p>\xf0\xd2</p>";
  char name[TC_CHARSET_NAME_MAX + 1], small[4];
  int how;
  /* an unknown charset: read as it is, and said so */
  CHECK_EQ_STR(text_of(unknown, sizeof unknown - 1), "\xd5\xe0\xea");
  CHECK_EQ_INT(charset_of(unknown, sizeof unknown - 1, name, sizeof name), TC_CHARSET_UNKNOWN);
  CHECK_EQ_STR(name, "x-foo");
  /* a page of valid UTF-8 stays as it is whatever it declares */
  CHECK_EQ_STR(text_of(valid, sizeof valid - 1), "\xd0\xa5\xd0\xb0");
  CHECK_EQ_INT(charset_of(valid, sizeof valid - 1, name, sizeof name), TC_CHARSET_UTF8);
  CHECK_EQ_STR(name, "windows-1251");
  /* UTF-16 on a page of bytes means UTF-8; UTF-8 pages are not converted */
  CHECK_EQ_STR(text_of(utf16, sizeof utf16 - 1), "caf\xe9");
  CHECK_EQ_INT(charset_of(utf16, sizeof utf16 - 1, name, sizeof name), TC_CHARSET_UTF8);
  CHECK_EQ_STR(name, "UTF-16LE");
  CHECK_EQ_STR(text_of(utf8, sizeof utf8 - 1), "caf\xe9");
  CHECK_EQ_INT(charset_of(utf8, sizeof utf8 - 1, name, sizeof name), TC_CHARSET_UTF8);
  /* nothing declared (charset="" is nothing): Windows-1252 assumed unless
   * the page is UTF-8, or holds a UTF-8 character */
  CHECK_EQ_INT(charset_of(none, sizeof none - 1, name, sizeof name), TC_CHARSET_ASSUMED);
  CHECK_EQ_STR(name, "");
  CHECK_EQ_INT(charset_of(empty, sizeof empty - 1, name, sizeof name), TC_CHARSET_ASSUMED);
  CHECK_EQ_STR(text_of(empty, sizeof empty - 1), "\xc3\xb0\xc3\x92");
  CHECK_EQ_INT(charset_of(none_utf8, sizeof none_utf8 - 1, name, sizeof name), TC_CHARSET_NONE);
  CHECK_EQ_INT(charset_of(none_stray, sizeof none_stray - 1, name, sizeof name), TC_CHARSET_NONE);
  CHECK_EQ_INT(charset_of("<p>ascii</p>", 12, name, sizeof name), TC_CHARSET_NONE);
  /* the name is its letters, digits and . _ : - only: iconv never sees
   * "//TRANSLIT" or a path */
  CHECK_EQ_STR(text_of(translit, sizeof translit - 1), "\xd0\x9f\xd1\x80");
  CHECK_EQ_INT(charset_of(translit, sizeof translit - 1, name, sizeof name), TC_CHARSET_CONVERTED);
  CHECK_EQ_STR(name, "koi8-r");
  CHECK_EQ_INT(charset_of(path, sizeof path - 1, name, sizeof name), TC_CHARSET_UNKNOWN);
  CHECK_EQ_STR(name, "..");
  CHECK_EQ_INT(charset_of(too_long, sizeof too_long - 1, name, sizeof name), TC_CHARSET_UNKNOWN);
  CHECK_EQ_INT(strlen(name), TC_CHARSET_NAME_MAX);
  CHECK_EQ_STR(text_of(too_long, sizeof too_long - 1), "\xf0\xd2");
  /* a leading XML declaration comes first; "charset" without '=' is no declaration */
  CHECK_EQ_INT(charset_of(xml_first, sizeof xml_first - 1, name, sizeof name), TC_CHARSET_CONVERTED);
  CHECK_EQ_STR(name, "koi8-r");
  CHECK_EQ_STR(text_of(xml_first, sizeof xml_first - 1), "\xd0\x9f\xd1\x80");
  CHECK_EQ_INT(charset_of(bom, sizeof bom - 1, name, sizeof name), TC_CHARSET_UTF8);
  CHECK_EQ_STR(name, "koi8-r");
  CHECK_EQ_STR(text_of(bom, sizeof bom - 1), "\xef\xbb\xbf\n\n\xf0\xd2");
  CHECK_EQ_INT(charset_of(not_a_declaration, sizeof not_a_declaration - 1, name, sizeof name),
               TC_CHARSET_CONVERTED);
  CHECK_EQ_STR(name, "koi8-r");
  /* a charset iconv knows that does not read the declaration's ASCII as
   * ASCII (UTF-32, UCS-4, EBCDIC) cannot be the page's: not converted, its
   * text was U+FFFD after U+FFFD, labelled without a word */
  {
    static const char *const not_ascii[] = {"utf-32", "UTF-32LE", "ucs-4", "wchar_t", "ibm037"};
    char page[96];
    size_t i;
    for (i = 0; i < sizeof not_ascii / sizeof *not_ascii; i++) {
      int n = snprintf(page, sizeof page, "<meta charset=\"%s\"><p>caf\xe9 vote</p>", not_ascii[i]);
      CHECK_EQ_INT(charset_of(page, (size_t)n, name, sizeof name), TC_CHARSET_UNKNOWN);
      CHECK_EQ_STR(name, not_ascii[i]);
      CHECK_EQ_STR(text_of(page, (size_t)n), "caf\xe9 vote");
    }
  }
  /* the name cut to fit; arguments */
  CHECK_EQ_INT(charset_of(unknown, sizeof unknown - 1, small, sizeof small), TC_CHARSET_UNKNOWN);
  CHECK_EQ_STR(small, "x-f");
  CHECK_EQ_INT(tc_html_charset(NULL, "x", 1, name, sizeof name, &how), TC_EINVAL);
  CHECK_EQ_INT(tc_html_charset(ws, NULL, 1, name, sizeof name, &how), TC_EINVAL);
  CHECK_EQ_INT(tc_html_charset(ws, "x", 1, NULL, 1, &how), TC_EINVAL);
  CHECK_EQ_INT(tc_html_charset(ws, "x", 1, name, sizeof name, NULL), TC_EINVAL);
  CHECK_OK(tc_html_charset(ws, NULL, 0, NULL, 0, &how));
  CHECK_EQ_INT(how, TC_CHARSET_NONE);
}

/* iconv passes values above U+10FFFF on as 4- to 6-byte forms (its UTF-8
 * under another name, ISO-IR-193, which is no Encoding Standard label):
 * they are repaired, so a converted page's text is always UTF-8. */
TEST(converted_text_is_utf8) {
  static const char page[] = "<meta charset=iso-ir-193>\xf4\x90\x80\x80 \xf8\x88\x80\x80\x80";
  const char *out;
  size_t n;
  CHECK_EQ_INT(charset_of(page, sizeof page - 1, NULL, 0), TC_CHARSET_CONVERTED);
  CHECK_OK(tc_html_text(ws, page, sizeof page - 1, &out, &n));
  CHECK(n > 0 && tc_utf8_check(out, n) == n);
  CHECK(strstr(out, FFFD) != NULL);
}

/* The workspace keeps one converter: pages in turns of charsets read the
 * same as each alone. */
TEST(converter_reuse) {
  static const char a[] = "<meta charset=koi8-r><p>\xf0\xd2</p>";
  static const char b[] = "<meta charset=cp1251><p>\xd5\xe0</p>";
  static const char c[] = "<meta charset=shift_jis><p>\x93\xfa\x93"; /* ends cut short */
  int i;
  for (i = 0; i < 3; i++) {
    CHECK_EQ_STR(text_of(a, sizeof a - 1), "\xd0\x9f\xd1\x80");
    CHECK_EQ_STR(text_of(c, sizeof c - 1), "\xe6\x97\xa5" FFFD);
    CHECK_EQ_STR(text_of(c, sizeof c - 1), "\xe6\x97\xa5" FFFD); /* no state left from the cut */
    CHECK_EQ_STR(text_of(b, sizeof b - 1), "\xd0\xa5\xd0\xb0");
  }
}

/* Threads, each with its own workspace, converting pages at once. */
static void *convert_pages(void *arg) {
  static const char cp1251[] = "<meta charset=windows-1251><p>\xd5\xe0\xea\xe5\xf0\xfb</p>";
  static const char sjis[] = "<meta charset=shift_jis><p>\x93\xfa\x96\x7b\x87\x40</p>";
  static const char want1[] = "\xd0\xa5\xd0\xb0\xd0\xba\xd0\xb5\xd1\x80\xd1\x8b";
  static const char want2[] = "\xe6\x97\xa5\xe6\x9c\xac\xe2\x91\xa0";
  tc_workspace *w;
  int i, *bad = arg;
  if (tc_workspace_new(&w) != TC_OK) {
    (*bad)++;
    return NULL;
  }
  for (i = 0; i < 2000; i++) {
    const char *out;
    size_t n;
    int k = (i + *bad) % 2; /* (each thread starts on its own page) */
    const char *page = k ? cp1251 : sjis, *want = k ? want1 : want2;
    size_t len = k ? sizeof cp1251 - 1 : sizeof sjis - 1;
    if (tc_html_text(w, page, len, &out, &n) != TC_OK || n != strlen(want) || memcmp(out, want, n) != 0)
      (*bad) += 1000;
  }
  tc_workspace_free(w);
  return NULL;
}

TEST(threads) {
  pthread_t t[4];
  int bad[4] = {0, 1, 2, 3}, i, started[4];
  for (i = 0; i < 4; i++) started[i] = pthread_create(&t[i], NULL, convert_pages, &bad[i]) == 0;
  for (i = 0; i < 4; i++) {
    if (started[i]) pthread_join(t[i], NULL);
    CHECK(started[i]);
    CHECK_EQ_INT(bad[i], i);
  }
}

/* Random bytes after a charset declaration: never an error, a converted
 * page's text is UTF-8, and the same page gives the same text again. */
TEST(random_declared_pages) {
  static const char *const heads[] = {"<meta charset=shift_jis>", "<meta charset=euc-kr>", "<meta charset=gbk>",
                                      "<meta charset=big5>", "<meta charset=koi8-r>", "<meta charset=iso-2022-jp>",
                                      "<meta charset=euc-jp>", "<meta charset=gb18030>", "<meta charset=utf-7>",
                                      "<meta charset=iso-8859-3>", "<meta charset=x-nothing>",
                                      "<meta charset=windows-1252>"};
  static const char bytes[] = "<>/p&#;\x1b$B(\x80\x81\x8e\x8f\x93\xa1\xa4\xc4\xe3\xfe\xff+-abc \n";
  unsigned seed = 11;
  char page[512];
  int i, bad = 0;
  for (i = 0; i < 20000; i++) {
    const char *head, *out;
    size_t n, k, m, m2;
    char first[4096];
    int how, count;
    seed = seed * 1103515245u + 12345u;
    head = heads[(seed >> 16) % (sizeof heads / sizeof heads[0])];
    n = strlen(head);
    memcpy(page, head, n);
    seed = seed * 1103515245u + 12345u;
    count = (int)((seed >> 16) % 200);
    while (count-- > 0 && n < sizeof page) {
      seed = seed * 1103515245u + 12345u;
      page[n++] = bytes[(seed >> 16) % (sizeof bytes - 1)];
    }
    if (tc_html_charset(ws, page, n, NULL, 0, &how) != TC_OK || tc_html_text(ws, page, n, &out, &m) != TC_OK) {
      bad++;
      continue;
    }
    if (m >= sizeof first || (how == TC_CHARSET_CONVERTED && tc_utf8_check(out, m) != m)) {
      bad++;
      continue;
    }
    memcpy(first, out, m);
    k = n;
    if (tc_html_text(ws, page, k, &out, &m2) != TC_OK || m2 != m || memcmp(out, first, m) != 0) bad++;
  }
  CHECK_EQ_INT(bad, 0);
}

/* A large page in a declared charset: converted whole, in linear time,
 * including one whose UTF-8 is three times its bytes (the converter's
 * output grows as it goes) and one that is all unmapped bytes. */
TEST(large_declared_pages) {
  size_t reps = 100000, i, n, m;
  static const char head[] = "<meta charset=\"iso-8859-15\">";
  char *page = malloc(sizeof head + reps * 12), *p;
  const char *out;
  if (!page) { CHECK(page != NULL); return; }
  /* 1.1 MB of "<p>\xd5\xe0\xea</p>" in windows-1251: "Хак" a paragraph */
  memcpy(page, "<meta charset=cp1251>", 21);
  for (n = 21, i = 0; i < reps; i++, n += 10) memcpy(page + n, "<p>\xd5\xe0\xea</p>", 10);
  CHECK_OK(tc_html_text(ws, page, n, &out, &m));
  CHECK_EQ_INT(m, reps * 6 + (reps - 1) * 2);
  CHECK(memcmp(out, "\xd0\xa5\xd0\xb0\xd0\xba\n\n\xd0\xa5", 10) == 0);
  /* € is A4 in ISO-8859-15 and three bytes in UTF-8 */
  memcpy(page, head, sizeof head - 1);
  p = page + sizeof head - 1;
  memset(p, 0xA4, reps * 10);
  n = sizeof head - 1 + reps * 10;
  CHECK_OK(tc_html_text(ws, page, n, &out, &m));
  CHECK_EQ_INT(m, reps * 10 * 3);
  CHECK(memcmp(out + m - 3, "\xe2\x82\xac", 3) == 0);
  /* ISO-8859-3 leaves A5 unassigned: every byte a U+FFFD */
  memcpy(page, "<meta charset=\"iso-8859-3\"> ", 28);
  memset(page + 28, 0xA5, reps * 10);
  n = 28 + reps * 10;
  CHECK_OK(tc_html_text(ws, page, n, &out, &m));
  CHECK_EQ_INT(m, reps * 10 * 3);
  CHECK(tc_utf8_check(out, m) == m);
  free(page);
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

#ifdef HAVE_OOM_HOOK
/* tc_html_text and tc_html_charset with each allocation failing in turn
 * (oom.h), on a fresh workspace each time: a failure is TC_ENOMEM and
 * leaves the workspace usable (the call then succeeds on it); a success
 * gives the unhooked text and charset, converters opened by iconv or
 * not. */
static void sweep_page(const char *page, size_t len) {
  char want[8192], name[TC_CHARSET_NAME_MAX + 1], want_name[TC_CHARSET_NAME_MAX + 1];
  const char *out;
  size_t n;
  int how, want_how = -1;
  oom_sweep s = oom_sweep_start("tc_html_text", 1000);
  snprintf(want, sizeof want, "%s", text_of(page, len));
  CHECK(strcmp(want, "(error)") != 0);
  while (oom_next(&s)) {
    tc_workspace *fresh;
    int rc;
    if (tc_workspace_new(&fresh) != TC_OK) break;
    oom_arm(&s);
    rc = tc_html_text(fresh, page, len, &out, &n);
    if (oom_failed(&s, rc, NULL)) CHECK_OK(rc = tc_html_text(fresh, page, len, &out, &n));
    if (rc == TC_OK) CHECK_EQ_STR(out, want);
    tc_workspace_free(fresh);
  }
  oom_sweep_finish(&s, 1);
  CHECK_OK(tc_html_charset(ws, page, len, want_name, sizeof want_name, &want_how));
  s = oom_sweep_start("tc_html_charset", 1000);
  while (oom_next(&s)) {
    tc_workspace *fresh;
    int rc;
    if (tc_workspace_new(&fresh) != TC_OK) break;
    oom_arm(&s);
    rc = tc_html_charset(fresh, page, len, name, sizeof name, &how);
    if (oom_failed(&s, rc, NULL)) CHECK_OK(rc = tc_html_charset(fresh, page, len, name, sizeof name, &how));
    if (rc == TC_OK) {
      CHECK_EQ_STR(name, want_name);
      CHECK_EQ_INT(how, want_how);
    }
    tc_workspace_free(fresh);
  }
  oom_sweep_finish(&s, 0);
}

TEST(allocation_failures) {
  static const char utf8[] =
      "<html><head><title>Site | News</title></head><body><nav><a href=/>Home</a></nav>"
      "<h1>Caf&eacute; prices</h1><p>Prices rose &amp; fell&#8217;s <b>twice</b>.</p>"
      "<pre>  kept\n  lines</pre><script>var x = '<p>';</script><footer>(c)</footer></body></html>";
  static const char cp1251[] = "<meta charset=windows-1251><p>\xd5\xe0\xea\xe5\xf0\xfb</p>";
  static const char sjis[] = "<meta charset=shift_jis><p>\x93\xfa\x96\x7b\x87\x40</p>";
  static const char latin1[] = "<meta charset=latin1><p>caf\xe9 \x93quoted\x94</p>";
  static const char undeclared[] = "<p>caf\xe9</p>";
  sweep_page(utf8, sizeof utf8 - 1);
  sweep_page(cp1251, sizeof cp1251 - 1);
  sweep_page(sjis, sizeof sjis - 1);
  sweep_page(latin1, sizeof latin1 - 1);
  sweep_page(undeclared, sizeof undeclared - 1);
}
#endif

int main(void) {
  if (tc_workspace_new(&ws)) return 1;
  RUN(markup_goes_text_stays);
  RUN(scripts_comments_declarations);
  RUN(furniture_elements);
  RUN(title_comes_first);
  RUN(character_references);
  RUN(longest_names);
  RUN(cut_references);
  RUN(every_named_reference);
  RUN(windows_1252_pages);
  RUN(declared_charsets);
  RUN(iso_2022_pages);
  RUN(unconvertible_bytes);
  RUN(regression_invalid_sequence_read_before_failing);
  RUN(charset_reports);
  RUN(converted_text_is_utf8);
  RUN(converter_reuse);
  RUN(threads);
  RUN(random_declared_pages);
  RUN(large_declared_pages);
  RUN(arguments);
  RUN(random_markup);
  RUN(large_page);
#ifdef HAVE_OOM_HOOK
  RUN(allocation_failures);
#endif
  tc_workspace_free(ws);
  return check_report();
}
