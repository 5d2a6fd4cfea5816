/*
 * html.c - the text of an HTML page (tc_html_text): what a reader sees,
 * one paragraph a line, without markup, scripts or the site's navigation.
 *
 * Caveats (design decisions):
 *
 *  - One pass over the bytes, no tree: tags are recognised, not matched.
 *    Every byte is looked at a bounded number of times, so any input takes
 *    linear time, and nothing is read past the end: an unterminated tag,
 *    comment or script simply runs to the end of the input.
 *
 *  - What is dropped: markup, comments, <!...> and <?...> declarations,
 *    the content of script, style, template and noscript (raw text), and
 *    the content of elements that hold a site's furniture rather than its
 *    article: nav, aside, footer, button, select, iframe and svg. (Not
 *    form: some sites wrap the whole page in one.) One left open (a
 *    missing </button>) ends where a CONTAINER opened before it ends (a
 *    div, section, ...: elements whose end tag pages do not leave out), as
 *    browsers close it; its depth among them is kept (out.hidden_at).
 *    A page whose text is all inside those (a page that is only a menu) is
 *    kept with them: dropping never leaves nothing.
 *
 *  - Layout: block elements (p, div, h1-h6, li, tr, article, ...) end a
 *    paragraph, and paragraphs are separated by a blank line, as the
 *    corpora's "title\n\nbody" texts are; <br> ends a line. Other white
 *    space collapses to one space; inside <pre> line breaks and spaces
 *    stay (a run of line breaks as one). So the boilerplate stage
 *    (boilerplate.c) and title terms see the page's lines as they see a
 *    plain text's.
 *
 *  - The <title> comes first, as its own paragraph, only on a page
 *    without an <h1>: a news page's <title> is its headline plus the
 *    site's name ("... | Example News"), and the site's name is house
 *    style, not topic. The <h1> is the article's own headline. Both are
 *    found by the reader of markup the text pass uses (read_markup), so
 *    one in a comment, a script or an attribute value does not count.
 *
 *  - Character references: numeric ones (&#233; &#xE9;, with the HTML
 *    rule that 128-159 mean Windows-1252's characters) and the HTML
 *    Standard's 2,231 named ones (html_entities.h, generated from its
 *    table by scripts/gen_html_entities.py), matched as its "named
 *    character reference state" matches them in text: the longest name
 *    the text starts with, so "&notit;" is &not then "it;", and the
 *    legacy names (&amp, &copy, &eacute: HTML 4's Latin-1 ones) are read
 *    without their ';' before anything ("&pound10" is &pound then "10").
 *    The Standard's exception for attribute values (there "&copy=" and
 *    "&copyx" stay as written) never arises: no attribute's value becomes
 *    text here. An unknown name stays as it is written. NUL, surrogates
 *    and values past U+10FFFF become U+FFFD.
 *    What a reference stands for is page text: white space (&#10;) and
 *    &nbsp; collapse as the page's own spaces do.
 *
 *  - Encoding: a page that declares a charset in its first 1024 bytes
 *    (a leading XML declaration's encoding first, then a <meta>'s charset=, then any
 *    encoding=) and is not valid UTF-8 is converted to UTF-8 before the
 *    pass, as a browser would read it: names are the WHATWG Encoding
 *    Standard's labels (table below: latin1 is Windows-1252, gb2312 GBK,
 *    shift_jis Windows-31J, euc-kr Windows-949, utf-16 on a page of bytes
 *    UTF-8), and a UTF-8 byte order mark overrides them. Windows-1252 has
 *    a built-in table (the common case, and fast); every other charset
 *    goes through glibc's iconv, under a name made of letters, digits and
 *    . _ : - only. Bytes iconv cannot map become U+FFFD one at a time and
 *    conversion goes on, so a converted page's text is always UTF-8 (what
 *    iconv writes is checked, as it passes some charsets' out-of-range
 *    values on). A page that declares nothing and holds bytes past ASCII
 *    but not one multibyte UTF-8 character is read as Windows-1252, the
 *    fallback browsers use for Western pages (old sites saved from a
 *    Latin-1 editor); one UTF-8 character is enough to say it is UTF-8 with
 *    stray bytes, which a single-byte text rarely spells by chance. A page
 *    declaring UTF-8 or a charset iconv does not know, or nothing while
 *    it holds UTF-8, is read as bytes: invalid UTF-8 is repaired by the
 *    text stage, and tc_html_charset lets a caller say why. So is one
 *    declaring a charset in which ASCII is not ASCII (UTF-32, UCS-4,
 *    EBCDIC's IBM037): its declaration was read as ASCII, so it cannot be
 *    in it (the Encoding Standard has no such labels).
 *
 *  - Converters are kept in the workspace (the last four), since opening
 *    one costs glibc a module load; one workspace per thread, as always.
 */
#include <errno.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------ output */

/* Furniture elements whose depth is kept (out.hidden_at); ones nested
 * deeper close at their own end tag only. */
#define HIDDEN_MAX 32

typedef struct out {
  char *p;
  size_t n;
  int space;     /* a space is owed before the next text */
  int breaks;    /* line breaks owed before the next text: 1 (line) or 2 (paragraph) */
  int pre;       /* inside <pre>: spaces and line breaks kept */
  int hidden;    /* inside furniture elements (nav, aside, ...): text not kept */
  size_t depth;  /* open CONTAINER elements (div, section, ...) */
  size_t hidden_at[HIDDEN_MAX]; /* the depth each open furniture element was opened at */
  int drop;      /* drop the furniture elements' text (the first pass) */
  size_t kept;   /* bytes of visible text written */
} out;

/* Write text bytes, with any space or line break owed before them. */
static void put_text(out *o, const char *s, size_t n) {
  if (n == 0 || (o->drop && o->hidden)) return;
  if (o->n > 0) {
    if (o->breaks) {
      memcpy(o->p + o->n, "\n\n", (size_t)o->breaks);
      o->n += (size_t)o->breaks;
    } else if (o->space) {
      o->p[o->n++] = ' ';
    }
  }
  o->breaks = 0;
  o->space = 0;
  memcpy(o->p + o->n, s, n);
  o->n += n;
  o->kept += n;
}

/* A line (1) or paragraph (2) break before the next text. */
static void put_break(out *o, int k) {
  if (o->drop && o->hidden) return;
  if (k > o->breaks) o->breaks = k;
}

/* Text bytes from the page: white space collapses to one space, except
 * inside <pre>, where spaces stay and each line break ends a line. */
static void put_page_text(out *o, const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    if (!o->pre) {
      while (j < n && s[j] != ' ' && s[j] != '\n' && s[j] != '\t' && s[j] != '\r' && s[j] != '\f') j++;
      put_text(o, (const char *)s + i, j - i);
      if (j < n) o->space = 1;
      while (j < n && (s[j] == ' ' || s[j] == '\n' || s[j] == '\t' || s[j] == '\r' || s[j] == '\f')) j++;
    } else {
      while (j < n && s[j] != '\n') j++;
      put_text(o, (const char *)s + i, j - i);
      if (j < n) {
        put_break(o, 1);
        j++;
      }
    }
    i = j;
  }
}

/* ---------------------------------------------------------- elements */

/* CONTAINER: a block element whose end tag is never left out, so it
 * closes what was left open inside it (BLOCK: p, li, ... end implied). */
enum { INLINE = 0, BLOCK, CONTAINER, LINE_BREAK, CELL, RAW, HIDDEN, PRE, TITLE };

typedef struct element {
  const char *name;
  int kind;
} element;

/* Elements with a role here; any other is inline (its tags vanish). */
static const element elements[] = {
  {"p", BLOCK}, {"div", CONTAINER}, {"section", CONTAINER}, {"article", CONTAINER}, {"main", CONTAINER},
  {"header", CONTAINER}, {"h1", BLOCK}, {"h2", BLOCK}, {"h3", BLOCK}, {"h4", BLOCK}, {"h5", BLOCK},
  {"h6", BLOCK}, {"li", BLOCK}, {"ul", CONTAINER}, {"ol", CONTAINER}, {"dl", CONTAINER}, {"dt", BLOCK},
  {"dd", BLOCK}, {"tr", BLOCK}, {"table", CONTAINER}, {"blockquote", CONTAINER}, {"figure", CONTAINER},
  {"figcaption", BLOCK}, {"hr", BLOCK}, {"address", BLOCK}, {"details", CONTAINER},
  {"summary", BLOCK}, {"center", CONTAINER}, {"caption", BLOCK}, {"body", BLOCK}, {"html", BLOCK},
  {"br", LINE_BREAK}, {"td", CELL}, {"th", CELL},
  {"script", RAW}, {"style", RAW}, {"template", RAW}, {"noscript", RAW}, {"textarea", RAW},
  {"nav", HIDDEN}, {"aside", HIDDEN}, {"footer", HIDDEN}, {"button", HIDDEN},
  {"select", HIDDEN}, {"iframe", HIDDEN}, {"svg", HIDDEN},
  {"pre", PRE}, {"title", TITLE},
  {NULL, 0}};

static int name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == ':' || c == '_';
}

static int kind_of(const unsigned char *name, size_t n) {
  const element *e;
  char buf[16];
  size_t i;
  if (n >= sizeof buf) return INLINE;
  for (i = 0; i < n; i++) buf[i] = (char)tci_ascii_lower(name[i]);
  buf[n] = '\0';
  for (e = elements; e->name; e++)
    if (e->name[0] == buf[0] && strcmp(e->name, buf) == 0) return e->kind;
  return INLINE;
}

/* Where the first occurrence of needle (ASCII, compared case-blind) in
 * [p, end) starts, or end. */
static const unsigned char *find_ci(const unsigned char *p, const unsigned char *end, const char *needle) {
  size_t n = strlen(needle), i;
  for (; (size_t)(end - p) >= n; p++) {
    if (tci_ascii_lower(*p) != (unsigned char)needle[0]) continue;
    for (i = 1; i < n && tci_ascii_lower(p[i]) == (unsigned char)needle[i]; i++) {}
    if (i == n) return p;
  }
  return end;
}

/* The end of a tag whose attributes start at p: just past its '>' (a
 * quoted attribute value may hold '>'), or end. *self_closing tells "/>". */
static const unsigned char *tag_end(const unsigned char *p, const unsigned char *end, int *self_closing) {
  unsigned char quote = 0, last = 0; /* last: the last byte outside quotes and spaces */
  for (; p < end; p++) {
    if (quote) {
      if (*p == quote) quote = 0;
    } else if ((*p == '"' || *p == '\'') && last == '=') { /* a quote opens a value after '=' */
      quote = *p;
    } else if (*p == '>') {
      *self_closing = last == '/';
      return p + 1;
    } else if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
      last = *p;
    }
  }
  *self_closing = 0;
  return end;
}

/* ---------------------------------------------------------- entities */

#include "html_entities.h" /* generated by scripts/gen_html_entities.py */

/* Windows-1252's characters at 0x80-0x9F (0: unassigned). */
static const unsigned short cp1252_high[32] = {
  0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
  0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

/* How a named reference's name (NUL-terminated) sorts against key[0, n)
 * (letters, digits and ';'): by bytes, a prefix first. */
static int compare_name(const char *name, const unsigned char *key, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if ((unsigned char)name[i] != key[i]) return (unsigned char)name[i] < key[i] ? -1 : 1;
  return name[n] != '\0';
}

/* The named reference spelled key[0, n) (with its ';', if it has one), or
 * NULL: a binary search of the sorted names that start with key[0]. */
static const named_reference *find_named(const unsigned char *key, size_t n) {
  size_t lo, hi;
  if (n == 0 || key[0] > 127) return NULL;
  lo = named_reference_from[key[0]];
  hi = named_reference_from[key[0] + 1];
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = compare_name(named_reference_name(&named_references[mid]) + 1, key + 1, n - 1); /* byte 0 is equal */
    if (c == 0) return &named_references[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

/* The longest named reference q starts with (q is just past a '&'), as
 * the HTML Standard matches them: the letters and digits there with the
 * ';' after them, else the longest legacy name they start with (&amp,
 * &copy, &not in "&notit;"). Its name's length in *n, or NULL. */
static const named_reference *longest_named(const unsigned char *q, const unsigned char *end, size_t *n) {
  const named_reference *r;
  size_t run = 0, k;
  while (q + run < end && run < NAMED_REFERENCE_LONGEST && tci_ascii_alnum(q[run])) run++;
  if (q + run < end && q[run] == ';' && (r = find_named(q, run + 1)) != NULL) {
    *n = run + 1;
    return r;
  }
  for (k = run < NAMED_REFERENCE_LONGEST_LEGACY ? run : NAMED_REFERENCE_LONGEST_LEGACY; k > 0; k--) {
    if ((r = find_named(q, k)) != NULL) {
      *n = k;
      return r;
    }
  }
  return NULL;
}

/* A character reference at p (p[0] == '&'): the code points it stands
 * for (one, or two for a few named ones; cp[1] is then not 0) and its
 * length, or 0 when it is not one (the '&' is then text). */
static size_t reference(const unsigned char *p, const unsigned char *end, unsigned cp[2]) {
  const unsigned char *q = p + 1;
  cp[1] = 0;
  if (q < end && *q == '#') {
    unsigned long v = 0;
    int hex = q + 1 < end && (q[1] == 'x' || q[1] == 'X'), digits = 0;
    q += hex ? 2 : 1;
    for (; q < end; q++, digits++) {
      unsigned d;
      if (*q >= '0' && *q <= '9') d = *q - '0';
      else if (hex && tci_ascii_lower(*q) >= 'a' && tci_ascii_lower(*q) <= 'f')
        d = tci_ascii_lower(*q) - 'a' + 10;
      else break;
      if (v <= 0x10FFFF) v = v * (hex ? 16 : 10) + d; /* saturates past the range */
    }
    if (digits == 0) return 0;
    if (q < end && *q == ';') q++;
    if (v >= 0x80 && v <= 0x9F && cp1252_high[v - 0x80]) v = cp1252_high[v - 0x80];
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
    cp[0] = (unsigned)v;
    return (size_t)(q - p);
  } else {
    size_t n;
    const named_reference *r = longest_named(q, end, &n);
    if (!r) return 0;
    cp[0] = r->cp;
    cp[1] = r->cp2;
    return 1 + n;
  }
}

/* ---------------------------------------------------------- encoding */

/* How a page's bytes are read. */
enum { AS_IS, AS_CP1252, AS_ICONV };

/* The WHATWG Encoding Standard's encodings: each one's labels (lower case,
 * each between spaces, so a label is found as " label ") and how it is
 * read: by iconv under the name given (the name glibc reads the way
 * browsers do: its SHIFT_JIS lacks Windows-31J's NEC and IBM rows, and its
 * EUC-KR is not Windows-949), built in (Windows-1252), or as it is (UTF-8;
 * a page of bytes that says UTF-16 is UTF-8, as the Standard's meta
 * prescan decides). Labels not here go to iconv as written. Every entry
 * names its encoding as iconv does, for tc_encoding_name (a stream of
 * bytes, which tc_decoder_new reads, may be UTF-16).
 * seven_bit: an ISO-2022 encoding, whose pages are valid UTF-8 (ASCII
 * bytes with escape sequences): converted when they hold an escape byte. */
typedef struct encoding {
  const char *labels;
  int as;                /* AS_* */
  const char *iconv_name;
  int seven_bit;
} encoding;

static const encoding encodings[] = {
  {" utf-8 utf8 unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8 ", AS_IS, "UTF-8", 0},
  {" utf-16 utf-16le unicode unicodefeff csunicode iso-10646-ucs-2 ucs-2 ", AS_IS, "UTF-16LE", 0},
  {" utf-16be unicodefffe ", AS_IS, "UTF-16BE", 0},
  {" windows-1252 iso-8859-1 latin1 us-ascii ascii cp1252 x-cp1252 iso8859-1 iso88591 iso_8859-1"
   " iso_8859-1:1987 iso-ir-100 l1 cp819 ibm819 csisolatin1 ansi_x3.4-1968 ", AS_CP1252, "CP1252", 0},
  {" windows-1251 cp1251 x-cp1251 ", AS_ICONV, "CP1251", 0},
  {" koi8-r koi8_r koi8 koi cskoi8r ", AS_ICONV, "KOI8-R", 0},
  {" koi8-u koi8-ru ", AS_ICONV, "KOI8-U", 0},
  {" ibm866 cp866 866 csibm866 ", AS_ICONV, "IBM866", 0},
  {" iso-8859-5 iso8859-5 iso88595 iso_8859-5 iso_8859-5:1988 iso-ir-144 cyrillic"
   " csisolatincyrillic ", AS_ICONV, "ISO-8859-5", 0},
  {" x-mac-cyrillic x-mac-ukrainian ", AS_ICONV, "MAC-CYRILLIC", 0},
  {" windows-1250 cp1250 x-cp1250 ", AS_ICONV, "CP1250", 0},
  {" iso-8859-2 iso8859-2 iso88592 iso_8859-2 iso_8859-2:1987 iso-ir-101 l2 latin2 csisolatin2 ",
   AS_ICONV, "ISO-8859-2", 0},
  {" iso-8859-3 iso8859-3 iso88593 iso_8859-3 iso_8859-3:1988 iso-ir-109 l3 latin3 csisolatin3 ",
   AS_ICONV, "ISO-8859-3", 0},
  {" iso-8859-4 iso8859-4 iso88594 iso_8859-4 iso_8859-4:1988 iso-ir-110 l4 latin4 csisolatin4 ",
   AS_ICONV, "ISO-8859-4", 0},
  {" iso-8859-10 iso8859-10 iso885910 iso-ir-157 l6 latin6 csisolatin6 ", AS_ICONV, "ISO-8859-10", 0},
  {" iso-8859-13 iso8859-13 iso885913 ", AS_ICONV, "ISO-8859-13", 0},
  {" iso-8859-14 iso8859-14 iso885914 ", AS_ICONV, "ISO-8859-14", 0},
  {" iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9 csisolatin9 ", AS_ICONV, "ISO-8859-15", 0},
  {" iso-8859-16 ", AS_ICONV, "ISO-8859-16", 0},
  {" windows-1253 cp1253 x-cp1253 ", AS_ICONV, "CP1253", 0},
  {" iso-8859-7 iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 iso-ir-126 greek greek8 ecma-118"
   " elot_928 sun_eu_greek csisolatingreek ", AS_ICONV, "ISO-8859-7", 0},
  {" windows-1254 cp1254 x-cp1254 iso-8859-9 iso8859-9 iso88599 iso_8859-9 iso_8859-9:1989"
   " iso-ir-148 l5 latin5 csisolatin5 ", AS_ICONV, "CP1254", 0},
  {" windows-1255 cp1255 x-cp1255 ", AS_ICONV, "CP1255", 0},
  {" iso-8859-8 iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 iso-ir-138 iso-8859-8-e csiso88598e"
   " hebrew csisolatinhebrew visual iso-8859-8-i csiso88598i logical ", AS_ICONV, "ISO-8859-8", 0},
  {" windows-1256 cp1256 x-cp1256 ", AS_ICONV, "CP1256", 0},
  {" iso-8859-6 iso8859-6 iso88596 iso_8859-6 iso_8859-6:1987 iso-ir-127 iso-8859-6-e"
   " iso-8859-6-i csiso88596e csiso88596i arabic asmo-708 ecma-114 csisolatinarabic ",
   AS_ICONV, "ISO-8859-6", 0},
  {" windows-1257 cp1257 x-cp1257 ", AS_ICONV, "CP1257", 0},
  {" windows-1258 cp1258 x-cp1258 ", AS_ICONV, "CP1258", 0},
  {" windows-874 dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 ", AS_ICONV, "CP874", 0},
  {" macintosh mac x-mac-roman csmacintosh ", AS_ICONV, "MACINTOSH", 0},
  {" gbk gb2312 gb_2312 gb_2312-80 x-gbk chinese csgb2312 csiso58gb231280 iso-ir-58 ",
   AS_ICONV, "GBK", 0},
  {" gb18030 ", AS_ICONV, "GB18030", 0},
  {" big5 big5-hkscs cn-big5 csbig5 x-x-big5 ", AS_ICONV, "BIG5-HKSCS", 0},
  {" shift_jis shift-jis sjis x-sjis ms932 ms_kanji windows-31j csshiftjis ", AS_ICONV, "CP932", 0},
  {" euc-jp x-euc-jp cseucpkdfmtjapanese ", AS_ICONV, "EUC-JP", 0},
  {" euc-kr windows-949 ks_c_5601-1987 ks_c_5601-1989 ksc5601 ksc_5601 korean iso-ir-149"
   " cseuckr csksc56011987 ", AS_ICONV, "CP949", 0},
  {" iso-2022-jp csiso2022jp ", AS_ICONV, "ISO-2022-JP", 1},
  /* the Standard reads these as one U+FFFD (a defence against scripts
   * hidden from filters); their text is worth more to us */
  {" iso-2022-kr csiso2022kr ", AS_ICONV, "ISO-2022-KR", 1},
  {" iso-2022-cn ", AS_ICONV, "ISO-2022-CN", 1},
  {" iso-2022-cn-ext ", AS_ICONV, "ISO-2022-CN-EXT", 1},
  /* not the Standard's, but iconv's, and as 7-bit */
  {" iso-2022-jp-2 csiso2022jp2 ", AS_ICONV, "ISO-2022-JP-2", 1},
  {" iso-2022-jp-3 ", AS_ICONV, "ISO-2022-JP-3", 1},
  {NULL, 0, NULL, 0}};

/* A page's declared charset. */
typedef struct charset {
  char name[TC_CHARSET_NAME_MAX + 1]; /* as written ("" when none) */
  size_t len;                         /* its length; above TC_CHARSET_NAME_MAX: too long */
  const encoding *enc;                /* its table entry, or NULL */
  char lower[TC_CHARSET_NAME_MAX + 3]; /* " name " in lower case, for the table */
} charset;

static int label_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

static int blank(unsigned char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

/* The value after a "charset" or "encoding" keyword that ends at p: after
 * blanks, '=', blanks, an optional quote and blanks, the run of label
 * characters there (at most TC_CHARSET_NAME_MAX + 1 of them looked at).
 * 0 when no '=' follows or the run is empty. */
static size_t keyword_value(const unsigned char *p, const unsigned char *end, charset *cs) {
  size_t n = 0;
  while (p < end && blank(*p)) p++;
  if (p == end || *p != '=') return 0;
  for (p++; p < end && blank(*p); p++) {}
  if (p < end && (*p == '"' || *p == '\'')) p++;
  while (p < end && blank(*p)) p++;
  while (p + n < end && n <= TC_CHARSET_NAME_MAX && label_char(p[n])) n++;
  if (n == 0) return 0;
  cs->len = n;
  if (n > TC_CHARSET_NAME_MAX) n = TC_CHARSET_NAME_MAX;
  memcpy(cs->name, p, n);
  cs->name[n] = '\0';
  return cs->len;
}

/* The first keyword=value in [p, stop) with a non-empty value; the value
 * may run past stop up to end. */
static int find_value(const unsigned char *p, const unsigned char *stop, const unsigned char *end,
                      const char *keyword, charset *cs) {
  size_t k = strlen(keyword);
  while ((p = find_ci(p, stop, keyword)) < stop) {
    if (keyword_value(p + k, end, cs)) return 1;
    p++;
  }
  return 0;
}

/* The first charset=value inside a <meta> tag that starts in [p, stop)
 * (its keyword before stop, the value perhaps past it). Only a <meta> declares the
 * page's charset, as browsers prescan it: a <script charset> or <link
 * charset> names the encoding of the file it loads. */
static int find_meta_charset(const unsigned char *p, const unsigned char *stop, const unsigned char *end,
                             charset *cs) {
  while ((p = find_ci(p, stop, "<meta")) < stop) {
    const unsigned char *close = memchr(p, '>', (size_t)(stop - p));
    p += 5;
    if (p < end && (blank(*p) || *p == '/') && find_value(p, close ? close : stop, end, "charset", cs)) return 1;
  }
  return 0;
}

/* The table's entry for the label name[0..len) (label characters only,
 * at most TC_CHARSET_NAME_MAX of them), or NULL; lower receives
 * " label " in lower case, as the table is searched. */
static const encoding *find_encoding(const char *name, size_t len, char lower[TC_CHARSET_NAME_MAX + 3]) {
  const encoding *e;
  size_t i;
  lower[0] = ' ';
  for (i = 0; i < len; i++) lower[i + 1] = (char)tci_ascii_lower((unsigned char)name[i]);
  lower[len + 1] = ' ';
  lower[len + 2] = '\0';
  for (e = encodings; e->labels; e++)
    if (strstr(e->labels, lower)) return e;
  return NULL;
}

const char *tc_encoding_name(const char *label) {
  char lower[TC_CHARSET_NAME_MAX + 3];
  const encoding *e;
  size_t n = label ? strlen(label) : 0, i;
  if (n == 0 || n > TC_CHARSET_NAME_MAX) return NULL;
  for (i = 0; i < n; i++)
    if (!label_char((unsigned char)label[i])) return NULL;
  e = find_encoding(label, n, lower);
  return e ? e->iconv_name : NULL;
}

/* Find the charset the page declares in its first 1024 bytes (the order
 * is tc_html_charset's, in textclass.h) and its table entry. */
static void find_charset(const unsigned char *p, size_t n, charset *cs) {
  const unsigned char *end = p + n, *stop = p + (n < 1024 ? n : 1024), *q = p;
  memset(cs, 0, sizeof *cs);
  if (stop - q >= 3 && memcmp(q, "\xEF\xBB\xBF", 3) == 0) q += 3;
  while (q < stop && blank(*q)) q++;
  if (stop - q >= 5 && memcmp(q, "<?xml", 5) == 0) { /* an XML declaration: its encoding */
    const unsigned char *close = memchr(q, '>', (size_t)(stop - q));
    if (find_value(q + 5, close ? close : stop, end, "encoding", cs)) goto found;
  }
  if (find_meta_charset(p, stop, end, cs) || find_value(p, stop, end, "encoding", cs)) goto found;
  return;
found:
  if (cs->len > TC_CHARSET_NAME_MAX) return; /* no charset's name */
  cs->enc = find_encoding(cs->name, cs->len, cs->lower);
}

/* The page as UTF-8 from Windows-1252 into dst (3 bytes a byte at most). */
static size_t from_cp1252(const unsigned char *p, size_t n, char *dst) {
  size_t i, k = 0;
  for (i = 0; i < n; i++) {
    unsigned c = p[i];
    if (c >= 0x80 && c <= 0x9F) c = cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : 0xFFFD;
    k += tci_utf8_encode((int32_t)c, (unsigned char *)dst + k);
  }
  return k;
}

/* Markup as a page declares its charset: bytes that were read as ASCII to
 * find the declaration, so a charset reading them otherwise (UTF-32,
 * EBCDIC: iconv knows them, the Encoding Standard does not) cannot be the
 * page's, whose text it would make U+FFFD after U+FFFD. */
static const char DECLARATION[] = "<?xml version=\"1.0\" encoding='x'?><meta charset=x>\n";

/* A converter from `from` to UTF-8 in *cd: one the workspace keeps (reset
 * to its initial state), else a new one, kept in place of the least
 * recently used. TC_OK, 1 when iconv knows no such charset or it does
 * not read DECLARATION as it is, or TC_ENOMEM. */
static int open_converter(tc_workspace *ws, const char *from, iconv_t *cd) {
  tci_converter *c, *old = &ws->conv[0];
  iconv_t fresh;
  for (c = ws->conv; c < ws->conv + TCI_CONVERTERS; c++) {
    if (c->from[0] && strcmp(c->from, from) == 0) {
      iconv(c->cd, NULL, NULL, NULL, NULL);
      c->used = ++ws->conv_clock;
      *cd = c->cd;
      return TC_OK;
    }
    if (!c->from[0] || (old->from[0] && c->used < old->used)) old = c;
  }
  errno = 0;
  fresh = iconv_open("UTF-8", from);
  if (fresh == (iconv_t)-1) return errno == ENOMEM ? TC_ENOMEM : 1;
  if (!tci_iconv_reads_as_is(fresh, DECLARATION, sizeof DECLARATION - 1)) {
    iconv_close(fresh);
    return 1;
  }
  if (old->from[0]) iconv_close(old->cd);
  old->cd = fresh;
  memcpy(old->from, from, strlen(from) + 1); /* from is at most TC_CHARSET_NAME_MAX bytes */
  old->used = ++ws->conv_clock;
  *cd = fresh;
  return TC_OK;
}

/* Does p hold at least one well-formed multibyte UTF-8 character? */
static int has_utf8_character(const unsigned char *p, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    size_t k = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : p[i] >= 0xC2 ? 2 : 0;
    if (k && k <= n - i && tc_utf8_check((const char *)p + i, k) == k) return 1;
  }
  return 0;
}

/* How tc_html_text reads the page: *how (TC_CHARSET_*) and *as (AS_*);
 * for AS_ICONV, *cd is ready. TC_OK or TC_ENOMEM. */
static int decide(tc_workspace *ws, const unsigned char *p, size_t n, charset *cs, int *how, int *as,
                  iconv_t *cd) {
  const char *from;
  int rc;
  *as = AS_IS;
  find_charset(p, n, cs);
  if (cs->len == 0) {
    *how = TC_CHARSET_NONE;
    if (tc_utf8_check((const char *)p, n) < n && !has_utf8_character(p, n)) {
      *how = TC_CHARSET_ASSUMED;
      *as = AS_CP1252;
    }
    return TC_OK;
  }
  *how = TC_CHARSET_UTF8;
  if (cs->enc && cs->enc->as == AS_IS) return TC_OK;
  if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) return TC_OK; /* a byte order mark says UTF-8 */
  if (tc_utf8_check((const char *)p, n) == n && !(cs->enc && cs->enc->seven_bit && memchr(p, 0x1B, n)))
    return TC_OK;
  *how = TC_CHARSET_UNKNOWN;
  if (cs->len > TC_CHARSET_NAME_MAX) return TC_OK;
  if (cs->enc && cs->enc->as == AS_CP1252) {
    *how = TC_CHARSET_CONVERTED;
    *as = AS_CP1252;
    return TC_OK;
  }
  from = cs->enc ? cs->enc->iconv_name : cs->lower + 1;
  if (!cs->enc) cs->lower[cs->len + 1] = '\0'; /* drop the closing space */
  if ((rc = open_converter(ws, from, cd)) < 0) return rc;
  if (rc == TC_OK) {
    *how = TC_CHARSET_CONVERTED;
    *as = AS_ICONV;
  }
  return TC_OK;
}

/* Make room for `more` bytes after the first `used` of b: TC_ELIMIT past
 * a converted page's limit. */
static int room_for(tci_buf *b, size_t used, size_t more) {
  if (used > PTRDIFF_MAX / 4 || more > PTRDIFF_MAX / 4 - used) return TC_ELIMIT;
  return tci_buf_reserve(b, used + more, 1);
}

/* The page as UTF-8 through cd into ws->decoded; *out_n its length.
 * A byte iconv cannot read (EILSEQ) becomes U+FFFD and conversion goes on
 * at the next byte; a sequence the page's end cuts short (EINVAL) becomes
 * one U+FFFD. iconv may read an invalid sequence before failing, at the
 * next byte or with none left (glibc's CP949, a Korean page's euc-kr,
 * reads A2 E8 so; ISO-2022-CN-EXT a lone SO): then the U+FFFD stands for
 * what it read, and the byte it failed at is stepped over only when the
 * next call fails there at once (stepping at once dropped a good byte, or
 * stepped past the page's end, and iconv was given 2^64 - 1 bytes to read).
 * Every call consumes input or grows the buffer (which is bounded), so the
 * loop ends; the output starts at twice the page and doubles when iconv
 * runs out of room (E2BIG). */
static int from_iconv(tc_workspace *ws, iconv_t cd, const unsigned char *p, size_t n, size_t *out_n) {
  tci_buf *b = &ws->decoded;
  char *in = (char *)p;
  size_t left = n, used = 0;
  int rc, flushing = 0, marked = 0; /* marked: a U+FFFD written for a failure at `in` */
  if ((rc = room_for(b, 0, 2 * n + 16)) != TC_OK) return rc;
  for (;;) {
    char *dst = (char *)b->p + used, *from = in;
    size_t room = b->cap - used, before = room, r;
    int err;
    errno = 0;
    r = flushing ? iconv(cd, NULL, NULL, &dst, &room) : iconv(cd, &in, &left, &dst, &room);
    err = errno;
    used += before - room;
    if (in != from) marked = 0; /* read on: the U+FFFD stood for what was read before */
    if (r != (size_t)-1) {
      if (flushing) break;
      flushing = 1; /* all read: end in the initial state (stateful charsets) */
      continue;
    }
    if (err == E2BIG || (!flushing && room < 3)) {
      if ((rc = room_for(b, used, b->cap - used + 64)) != TC_OK) return rc;
      continue;
    }
    if (flushing) break;
    if (!marked) {
      memcpy((char *)b->p + used, "\xEF\xBF\xBD", 3);
      used += 3;
    }
    if (err == EINVAL) { /* cut short by the end */
      in += left;
      left = 0;
    } else if (in == from && left > 0) { /* EILSEQ at this byte (or anything else: never stall) */
      in++;
      left--;
      marked = 0;
    } else { /* read before failing: the next call tells whether the byte is bad */
      marked = 1;
    }
  }
  *out_n = used;
  return TC_OK;
}

/* Converted text that is not valid UTF-8 (iconv passes some charsets'
 * values above U+10FFFF on as 5- and 6-byte forms): each invalid sequence
 * as U+FFFD, into ws->html, which then trades places with ws->decoded. */
static int repair(tc_workspace *ws, size_t *n) {
  const unsigned char *s = ws->decoded.p;
  size_t i = 0, k = 0;
  tci_buf t;
  int rc;
  if ((rc = room_for(&ws->html, 0, 3 * *n)) != TC_OK) return rc;
  while (i < *n) {
    int32_t cp;
    int invalid;
    i += tci_utf8_decode(s + i, *n - i, &cp, &invalid);
    k += tci_utf8_encode(invalid ? 0xFFFD : cp, (unsigned char *)ws->html.p + k);
  }
  t = ws->decoded;
  ws->decoded = ws->html;
  ws->html = t;
  *n = k;
  return TC_OK;
}

/* ---------------------------------------------------------- the pass */

/* The character a reference stands for, as page text: white space
 * (&#10; &Tab;) collapses as the page's own does, and a no-break space is
 * a space. */
static void put_character(out *o, unsigned cp) {
  unsigned char b[4];
  if (cp == 0xA0) cp = ' ';
  put_page_text(o, b, tci_utf8_encode((int32_t)cp, b));
}

/* The character reference at amp (a '&') as page text, or the '&' when
 * none starts there; returns where the text goes on. Out of line, so text
 * without references does not pay its register saves. */
static TCI_NOINLINE const unsigned char *put_reference(out *o, const unsigned char *amp,
                                                       const unsigned char *stop) {
  unsigned cp[2];
  size_t k = reference(amp, stop, cp);
  if (k == 0) {
    put_page_text(o, amp, 1);
    return amp + 1;
  }
  put_character(o, cp[0]);
  if (cp[1]) put_character(o, cp[1]);
  return amp + k;
}

/* Page text [p, stop) with its character references decoded. */
static void put_run(out *o, const unsigned char *p, const unsigned char *stop) {
  const unsigned char *amp;
  while ((amp = memchr(p, '&', (size_t)(stop - p))) != NULL) {
    put_page_text(o, p, (size_t)(amp - p));
    p = put_reference(o, amp, stop);
  }
  put_page_text(o, p, (size_t)(stop - p));
}

/* One piece of markup at a '<' (what read_markup found). */
typedef struct markup {
  int kind;                     /* an element's kind (INLINE, BLOCK, ...), or NOT_A_TAG */
  int closing;                  /* </name> */
  int self_closing;             /* <name ... /> */
  const unsigned char *name;    /* the element's name (kind >= 0) */
  size_t name_len;
  const unsigned char *content; /* an opening RAW or TITLE tag: its content, skipped */
  const unsigned char *content_end;
} markup;

enum { NOT_A_TAG = -1, COMMENT = -2 }; /* COMMENT: also <!...> and <?...> declarations */

/* Read the markup at lt (a '<'): a comment or declaration, a tag, or a
 * '<' that starts no tag (page text). Returns where the walk goes on: past
 * the markup, and past the content of a raw-text or title element, which
 * runs to its closing tag. The one reader of markup, so the title found
 * first (find_title) is the one the text pass skips. */
static const unsigned char *read_markup(const unsigned char *lt, const unsigned char *end, markup *m) {
  const unsigned char *p = lt, *q;
  int ignored;
  m->content = m->content_end = NULL;
  if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) { /* a comment */
    const unsigned char *c;
    m->kind = COMMENT;
    /* "<!-->" and "<!--->" are whole (empty) comments, as HTML parses them */
    if (end - p >= 5 && p[4] == '>') return p + 5;
    if (end - p >= 6 && p[4] == '-' && p[5] == '>') return p + 6;
    c = find_ci(p + 4, end, "-->");
    return c < end ? c + 3 : end;
  }
  if (end - p >= 2 && (p[1] == '!' || p[1] == '?')) { /* a declaration */
    const unsigned char *c = memchr(p, '>', (size_t)(end - p));
    m->kind = COMMENT;
    return c ? c + 1 : end;
  }
  m->closing = end - p >= 2 && p[1] == '/';
  m->self_closing = 0;
  m->name = q = p + 1 + m->closing;
  while (q < end && name_char(*q)) q++;
  m->name_len = (size_t)(q - m->name);
  if (q == m->name || !((*m->name >= 'a' && *m->name <= 'z') || (*m->name >= 'A' && *m->name <= 'Z'))) {
    m->kind = NOT_A_TAG;
    return p + 1;
  }
  m->kind = kind_of(m->name, m->name_len);
  p = tag_end(q, end, &m->self_closing);
  if ((m->kind == RAW || m->kind == TITLE) && !m->closing && !m->self_closing) {
    char close[24] = "</"; /* RAW and TITLE names are at most 8 bytes */
    size_t k;
    memcpy(close + 2, m->name, m->name_len);
    close[2 + m->name_len] = '\0';
    for (k = 2; close[k]; k++) close[k] = (char)tci_ascii_lower((unsigned char)close[k]);
    m->content = p;
    m->content_end = p = find_ci(p, end, close);
    if (p < end) p = tag_end(p + strlen(close), end, &ignored);
  }
  return p;
}

/* One pass over the page into o. */
static void convert(out *o, const unsigned char *p, const unsigned char *end, const unsigned char *title,
                    size_t title_len) {
  if (title_len) { /* the <title> first, as a paragraph of its own */
    put_run(o, title, title + title_len);
    put_break(o, 2);
  }
  while (p < end) {
    const unsigned char *lt = memchr(p, '<', (size_t)(end - p)), *stop = lt ? lt : end;
    markup m;
    put_run(o, p, stop); /* text up to the next tag */
    if (!lt) break;
    p = read_markup(lt, end, &m);
    switch (m.kind) {
    case NOT_A_TAG: put_page_text(o, lt, 1); break;
    case BLOCK: put_break(o, 2); break;
    case CONTAINER: /* its end tag also closes furniture left open inside it */
      put_break(o, 2);
      if (!m.closing) o->depth += !m.self_closing;
      else if (o->depth > 0) o->depth--;
      while (o->hidden > 0 && o->hidden <= HIDDEN_MAX && o->hidden_at[o->hidden - 1] > o->depth) o->hidden--;
      break;
    case LINE_BREAK: put_break(o, 1); break;
    case CELL: o->space = 1; break;
    case PRE:
      put_break(o, 2);
      if (m.closing) o->pre = o->pre > 0 ? o->pre - 1 : 0;
      else if (!m.self_closing) o->pre++;
      break;
    case HIDDEN:
      if (m.closing) o->hidden = o->hidden > 0 ? o->hidden - 1 : 0;
      else if (!m.self_closing && o->hidden++ < HIDDEN_MAX) o->hidden_at[o->hidden - 1] = o->depth;
      put_break(o, 2);
      break;
    case TITLE: put_break(o, 2); break; /* its content was skipped: it comes first, or not at all */
    default: break;
    }
  }
}

/* The content of the page's first <title> element, or NULL when there is
 * none or the page has an <h1> (found as the text pass finds tags: not in
 * comments, scripts or attribute values). A <title> inside an <svg> is the
 * drawing's (an icon's "Search"), not the page's. */
static const unsigned char *find_title(const unsigned char *p, const unsigned char *end, size_t *len) {
  const unsigned char *title = NULL, *lt;
  size_t svg = 0; /* open <svg> elements */
  *len = 0;
  while (p < end && (lt = memchr(p, '<', (size_t)(end - p))) != NULL) {
    markup m;
    p = read_markup(lt, end, &m);
    if (m.kind == HIDDEN && m.name_len == 3 && tci_ascii_lower(m.name[0]) == 's' &&
        tci_ascii_lower(m.name[1]) == 'v' && tci_ascii_lower(m.name[2]) == 'g' && !m.self_closing) {
      if (!m.closing) svg++;
      else if (svg > 0) svg--;
    } else if (m.kind == TITLE && m.content && !title && svg == 0) {
      title = m.content;
      *len = (size_t)(m.content_end - m.content);
    } else if (m.kind == BLOCK && !m.closing && m.name_len == 2 && tci_ascii_lower(m.name[0]) == 'h' &&
               m.name[1] == '1') {
      *len = 0;
      return NULL; /* the page's own heading says it */
    }
  }
  return title;
}

int tc_html_text(tc_workspace *ws, const char *html, size_t len, const char **out_text, size_t *out_len) {
  const unsigned char *p = (const unsigned char *)html, *end, *title;
  size_t title_len;
  charset cs;
  out o;
  iconv_t cd;
  int rc, how, as = AS_IS;
  if (!ws || !out_text || !out_len || (!html && len)) return TC_EINVAL;
  if (len > PTRDIFF_MAX / 16) return TC_ELIMIT;
  if (len && (rc = decide(ws, p, len, &cs, &how, &as, &cd)) != TC_OK) return rc;
  if (as == AS_CP1252) { /* 3 bytes a byte at most */
    if ((rc = tci_buf_reserve(&ws->decoded, 3 * len, 1)) != TC_OK) return rc;
    len = from_cp1252(p, len, ws->decoded.p);
  } else if (as == AS_ICONV) {
    if ((rc = from_iconv(ws, cd, p, len, &len)) != TC_OK) return rc;
    if (tc_utf8_check(ws->decoded.p, len) < len && (rc = repair(ws, &len)) != TC_OK) return rc;
  }
  if (as != AS_IS) p = (const unsigned char *)ws->decoded.p;
  /* Room for the text: never more than twice the page (every separator it
   * writes stands for at least as many bytes of markup or white space; the
   * title is written first and skipped where it stands) plus a paragraph
   * break and the NUL. (A converted page is at most PTRDIFF_MAX / 4.) */
  if ((rc = tci_buf_reserve(&ws->html, 2 * len + 3, 1)) != TC_OK) return rc;
  end = p + len;
  title = find_title(p, end, &title_len);
  memset(&o, 0, sizeof o);
  o.p = ws->html.p;
  o.drop = 1;
  convert(&o, p, end, title, title_len);
  if (o.kept == 0) { /* only furniture: keep it rather than nothing */
    char *start = o.p;
    memset(&o, 0, sizeof o);
    o.p = start;
    convert(&o, p, end, title, title_len);
  }
  o.p[o.n] = '\0';
  *out_text = o.p;
  *out_len = o.n;
  return TC_OK;
}

int tc_html_charset(tc_workspace *ws, const char *html, size_t len, char *name, size_t cap, int *how) {
  charset cs;
  iconv_t cd;
  int rc, as;
  if (!ws || !how || (!html && len) || (!name && cap)) return TC_EINVAL;
  *how = TC_CHARSET_NONE;
  if (cap) name[0] = '\0';
  if (len == 0) return TC_OK;
  if ((rc = decide(ws, (const unsigned char *)html, len, &cs, how, &as, &cd)) != TC_OK) return rc;
  if (cap) {
    size_t n = strlen(cs.name) < cap ? strlen(cs.name) : cap - 1;
    memcpy(name, cs.name, n);
    name[n] = '\0';
  }
  return TC_OK;
}
