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
 *    form: some sites wrap the whole page in one.)
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
 *    style, not topic. The <h1> is the article's own headline.
 *
 *  - Character references: numeric ones (&#233; &#xE9;, with the HTML
 *    rule that 128-159 mean Windows-1252's characters) and the named ones
 *    news pages use (entity table below; the Latin-1 ones also without
 *    their ';', as old pages write "&nbsp"); an unknown name stays as it
 *    is written. NUL, surrogates and values past U+10FFFF become U+FFFD.
 *
 *  - Encoding: a page that declares windows-1252, iso-8859-1, latin1 or
 *    us-ascii in its first 1024 bytes and is not valid UTF-8 is read as
 *    Windows-1252 (a superset of Latin-1, as browsers do). Anything else is
 *    passed through as bytes; invalid UTF-8 is repaired by the text stage.
 */
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------ output */

typedef struct out {
  char *p;
  size_t n;
  int space;     /* a space is owed before the next text */
  int breaks;    /* line breaks owed before the next text: 1 (line) or 2 (paragraph) */
  int pre;       /* inside <pre>: spaces and line breaks kept */
  int hidden;    /* inside furniture elements (nav, aside, ...): text not kept */
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

enum { INLINE = 0, BLOCK, LINE_BREAK, CELL, RAW, HIDDEN, PRE, TITLE };

typedef struct element {
  const char *name;
  int kind;
} element;

/* Elements with a role here; any other is inline (its tags vanish). */
static const element elements[] = {
  {"p", BLOCK}, {"div", BLOCK}, {"section", BLOCK}, {"article", BLOCK}, {"main", BLOCK},
  {"header", BLOCK}, {"h1", BLOCK}, {"h2", BLOCK}, {"h3", BLOCK}, {"h4", BLOCK}, {"h5", BLOCK},
  {"h6", BLOCK}, {"li", BLOCK}, {"ul", BLOCK}, {"ol", BLOCK}, {"dl", BLOCK}, {"dt", BLOCK},
  {"dd", BLOCK}, {"tr", BLOCK}, {"table", BLOCK}, {"blockquote", BLOCK}, {"figure", BLOCK},
  {"figcaption", BLOCK}, {"hr", BLOCK}, {"address", BLOCK}, {"details", BLOCK},
  {"summary", BLOCK}, {"center", BLOCK}, {"caption", BLOCK}, {"body", BLOCK}, {"html", BLOCK},
  {"br", LINE_BREAK}, {"td", CELL}, {"th", CELL},
  {"script", RAW}, {"style", RAW}, {"template", RAW}, {"noscript", RAW}, {"textarea", RAW},
  {"nav", HIDDEN}, {"aside", HIDDEN}, {"footer", HIDDEN}, {"button", HIDDEN},
  {"select", HIDDEN}, {"iframe", HIDDEN}, {"svg", HIDDEN},
  {"pre", PRE}, {"title", TITLE},
  {NULL, 0}};

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

static int name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == ':' || c == '_';
}

static int kind_of(const unsigned char *name, size_t n) {
  const element *e;
  char buf[16];
  size_t i;
  if (n >= sizeof buf) return INLINE;
  for (i = 0; i < n; i++) buf[i] = (char)lower(name[i]);
  buf[n] = '\0';
  for (e = elements; e->name; e++)
    if (strcmp(e->name, buf) == 0) return e->kind;
  return INLINE;
}

/* Where the first occurrence of needle (ASCII, compared case-blind) in
 * [p, end) starts, or end. */
static const unsigned char *find_ci(const unsigned char *p, const unsigned char *end, const char *needle) {
  size_t n = strlen(needle), i;
  for (; (size_t)(end - p) >= n; p++) {
    if (lower(*p) != (unsigned char)needle[0]) continue;
    for (i = 1; i < n && lower(p[i]) == (unsigned char)needle[i]; i++) {}
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

typedef struct entity {
  const char *name;
  unsigned cp;
} entity;

/* The named references of news pages: markup, spaces, quotes and dashes,
 * symbols, and the Latin-1 letters. */
static const entity entities[] = {
  {"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}, {"nbsp", 0xA0},
  {"ensp", 0x2002}, {"emsp", 0x2003}, {"thinsp", 0x2009}, {"zwnj", 0x200C}, {"zwj", 0x200D},
  {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"sbquo", 0x201A}, {"ldquo", 0x201C}, {"rdquo", 0x201D},
  {"bdquo", 0x201E}, {"laquo", 0xAB}, {"raquo", 0xBB}, {"lsaquo", 0x2039}, {"rsaquo", 0x203A},
  {"ndash", 0x2013}, {"mdash", 0x2014}, {"hellip", 0x2026}, {"bull", 0x2022}, {"middot", 0xB7},
  {"prime", 0x2032}, {"Prime", 0x2033}, {"dagger", 0x2020}, {"Dagger", 0x2021}, {"permil", 0x2030},
  {"copy", 0xA9}, {"reg", 0xAE}, {"trade", 0x2122}, {"deg", 0xB0}, {"plusmn", 0xB1},
  {"times", 0xD7}, {"divide", 0xF7}, {"frac12", 0xBD}, {"frac14", 0xBC}, {"frac34", 0xBE},
  {"sup1", 0xB9}, {"sup2", 0xB2}, {"sup3", 0xB3}, {"micro", 0xB5}, {"para", 0xB6}, {"sect", 0xA7},
  {"cent", 0xA2}, {"pound", 0xA3}, {"euro", 0x20AC}, {"yen", 0xA5}, {"curren", 0xA4},
  {"iexcl", 0xA1}, {"iquest", 0xBF}, {"brvbar", 0xA6}, {"uml", 0xA8}, {"ordf", 0xAA},
  {"ordm", 0xBA}, {"not", 0xAC}, {"shy", 0xAD}, {"macr", 0xAF}, {"acute", 0xB4}, {"cedil", 0xB8},
  {"Agrave", 0xC0}, {"Aacute", 0xC1}, {"Acirc", 0xC2}, {"Atilde", 0xC3}, {"Auml", 0xC4},
  {"Aring", 0xC5}, {"AElig", 0xC6}, {"Ccedil", 0xC7}, {"Egrave", 0xC8}, {"Eacute", 0xC9},
  {"Ecirc", 0xCA}, {"Euml", 0xCB}, {"Igrave", 0xCC}, {"Iacute", 0xCD}, {"Icirc", 0xCE},
  {"Iuml", 0xCF}, {"ETH", 0xD0}, {"Ntilde", 0xD1}, {"Ograve", 0xD2}, {"Oacute", 0xD3},
  {"Ocirc", 0xD4}, {"Otilde", 0xD5}, {"Ouml", 0xD6}, {"Oslash", 0xD8}, {"Ugrave", 0xD9},
  {"Uacute", 0xDA}, {"Ucirc", 0xDB}, {"Uuml", 0xDC}, {"Yacute", 0xDD}, {"THORN", 0xDE},
  {"szlig", 0xDF}, {"agrave", 0xE0}, {"aacute", 0xE1}, {"acirc", 0xE2}, {"atilde", 0xE3},
  {"auml", 0xE4}, {"aring", 0xE5}, {"aelig", 0xE6}, {"ccedil", 0xE7}, {"egrave", 0xE8},
  {"eacute", 0xE9}, {"ecirc", 0xEA}, {"euml", 0xEB}, {"igrave", 0xEC}, {"iacute", 0xED},
  {"icirc", 0xEE}, {"iuml", 0xEF}, {"eth", 0xF0}, {"ntilde", 0xF1}, {"ograve", 0xF2},
  {"oacute", 0xF3}, {"ocirc", 0xF4}, {"otilde", 0xF5}, {"ouml", 0xF6}, {"oslash", 0xF8},
  {"ugrave", 0xF9}, {"uacute", 0xFA}, {"ucirc", 0xFB}, {"uuml", 0xFC}, {"yacute", 0xFD},
  {"thorn", 0xFE}, {"yuml", 0xFF}, {"OElig", 0x152}, {"oelig", 0x153}, {"Scaron", 0x160},
  {"scaron", 0x161}, {"Yuml", 0x178}, {"Zcaron", 0x17D}, {"zcaron", 0x17E}, {"fnof", 0x192},
  {NULL, 0}};

/* Windows-1252's characters at 0x80-0x9F (0: unassigned). */
static const unsigned short cp1252_high[32] = {
  0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
  0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
  0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};

/* A character reference at p (p[0] == '&'): its code point and length,
 * or 0 when it is not one (the '&' is then text). */
static size_t reference(const unsigned char *p, const unsigned char *end, unsigned *cp) {
  const unsigned char *q = p + 1;
  if (q < end && *q == '#') {
    unsigned long v = 0;
    int hex = q + 1 < end && (q[1] == 'x' || q[1] == 'X'), digits = 0;
    q += hex ? 2 : 1;
    for (; q < end; q++, digits++) {
      unsigned d;
      if (*q >= '0' && *q <= '9') d = *q - '0';
      else if (hex && lower(*q) >= 'a' && lower(*q) <= 'f') d = lower(*q) - 'a' + 10;
      else break;
      if (v <= 0x10FFFF) v = v * (hex ? 16 : 10) + d; /* saturates past the range */
    }
    if (digits == 0) return 0;
    if (q < end && *q == ';') q++;
    if (v >= 0x80 && v <= 0x9F && cp1252_high[v - 0x80]) v = cp1252_high[v - 0x80];
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) v = 0xFFFD;
    *cp = (unsigned)v;
    return (size_t)(q - p);
  } else {
    const entity *e;
    size_t n = 0;
    int semicolon;
    while (q + n < end && n < 8 && ((q[n] >= 'a' && q[n] <= 'z') || (q[n] >= 'A' && q[n] <= 'Z') ||
                                    (q[n] >= '0' && q[n] <= '9')))
      n++;
    semicolon = q + n < end && q[n] == ';';
    if (n == 0 || (!semicolon && q + n < end && (name_char(q[n]) || q[n] == '='))) return 0;
    for (e = entities; e->name; e++)
      if (strlen(e->name) == n && memcmp(e->name, q, n) == 0) break;
    /* without its ';', only a Latin-1 name is a reference, as old pages
     * write them (&nbsp &amp &copy; browsers read these so too) */
    if (!e->name || (!semicolon && e->cp >= 0x100)) return 0;
    *cp = e->cp;
    return n + 1 + (size_t)semicolon;
  }
}

/* ---------------------------------------------------------- encoding */

/* Does the page declare a Latin-1 family charset in its first 1024 bytes
 * (<meta charset=...>, <meta http-equiv ... content="...; charset=...">,
 * or an XML declaration's encoding="...")? */
static int declares_latin1(const unsigned char *p, size_t n) {
  static const char *const names[] = {"windows-1252", "iso-8859-1", "latin1", "us-ascii", "cp1252", NULL};
  const unsigned char *end = p + (n < 1024 ? n : 1024), *at = find_ci(p, end, "charset");
  const char *const *name;
  if (at < end) {
    at += 7;
  } else if ((at = find_ci(p, end, "encoding")) < end) {
    at += 8;
  } else {
    return 0;
  }
  while (at < end && (*at == ' ' || *at == '=' || *at == '"' || *at == '\'')) at++;
  for (name = names; *name; name++) {
    size_t k = strlen(*name);
    if ((size_t)(end - at) >= k && find_ci(at, at + k, *name) == at) return 1;
  }
  return 0;
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

/* ---------------------------------------------------------- the pass */

/* Page text [p, stop) with its character references decoded. */
static void put_run(out *o, const unsigned char *p, const unsigned char *stop) {
  const unsigned char *amp;
  while ((amp = memchr(p, '&', (size_t)(stop - p))) != NULL) {
    unsigned cp;
    size_t k;
    put_page_text(o, p, (size_t)(amp - p));
    k = reference(amp, stop, &cp);
    if (k == 0) {
      put_page_text(o, amp, 1);
      p = amp + 1;
    } else {
      unsigned char b[4];
      if (cp == 0xA0 || cp == ' ') o->space = 1; /* a no-break space is a space */
      else put_text(o, (const char *)b, tci_utf8_encode((int32_t)cp, b));
      p = amp + k;
    }
  }
  put_page_text(o, p, (size_t)(stop - p));
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
    put_run(o, p, stop); /* text up to the next tag */
    if (!lt) break;
    p = lt;
    if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) { /* a comment */
      const unsigned char *c = find_ci(p + 4, end, "-->");
      p = c < end ? c + 3 : end;
    } else if (end - p >= 2 && (p[1] == '!' || p[1] == '?')) { /* a declaration */
      const unsigned char *c = memchr(p, '>', (size_t)(end - p));
      p = c ? c + 1 : end;
    } else {
      int closing = end - p >= 2 && p[1] == '/', self_closing, kind;
      const unsigned char *name = p + 1 + closing, *q = name;
      while (q < end && name_char(*q)) q++;
      if (q == name || !((*name >= 'a' && *name <= 'z') || (*name >= 'A' && *name <= 'Z'))) {
        put_page_text(o, p, 1); /* a '<' that starts no tag: text */
        p++;
        continue;
      }
      kind = kind_of(name, (size_t)(q - name));
      p = tag_end(q, end, &self_closing);
      switch (kind) {
      case BLOCK: put_break(o, 2); break;
      case LINE_BREAK: put_break(o, 1); break;
      case CELL: o->space = 1; break;
      case PRE:
        put_break(o, 2);
        if (closing) o->pre = o->pre > 0 ? o->pre - 1 : 0;
        else if (!self_closing) o->pre++;
        break;
      case HIDDEN:
        if (closing) o->hidden = o->hidden > 0 ? o->hidden - 1 : 0;
        else if (!self_closing) o->hidden++;
        put_break(o, 2);
        break;
      case RAW:
      case TITLE:
        if (!closing && !self_closing) { /* skip to the closing tag (the title is taken apart) */
          char close[24] = "</"; /* RAW and TITLE names are at most 8 bytes */
          size_t k = (size_t)(q - name);
          memcpy(close + 2, name, k);
          close[2 + k] = '\0';
          for (k = 2; close[k]; k++) close[k] = (char)lower((unsigned char)close[k]);
          p = find_ci(p, end, close);
          if (p < end) p = tag_end(p + strlen(close), end, &self_closing);
        }
        if (kind == TITLE) put_break(o, 2);
        break;
      default: break;
      }
    }
  }
}

/* The text of the page's first <title>, or NULL. */
static const unsigned char *find_title(const unsigned char *p, const unsigned char *end, size_t *len) {
  const unsigned char *t = find_ci(p, end, "<title"), *body, *close;
  int self_closing;
  *len = 0;
  if (t == end || (t + 6 < end && name_char(t[6]))) return NULL;
  body = tag_end(t + 6, end, &self_closing);
  if (self_closing || body >= end) return NULL;
  close = find_ci(body, end, "</title");
  *len = (size_t)(close - body);
  return body;
}

int tc_html_text(tc_workspace *ws, const char *html, size_t len, const char **out_text, size_t *out_len) {
  const unsigned char *p = (const unsigned char *)html, *end, *title;
  size_t copy = 0, title_len;
  out o;
  int rc;
  if (!ws || !out_text || !out_len || (!html && len)) return TC_EINVAL;
  if (len > PTRDIFF_MAX / 16) return TC_ELIMIT;
  if (len && declares_latin1(p, len) && tc_utf8_check(html, len) < len) copy = 3 * len;
  /* Room: the UTF-8 copy of a Windows-1252 page (3 bytes a byte at most),
   * then the text: never more than twice the page (every separator it
   * writes stands for at least as many bytes of markup or white space; the
   * title is written first and skipped where it stands) plus a paragraph
   * break and the NUL. */
  if ((rc = tci_buf_reserve(&ws->html, copy + 2 * (copy ? copy : len) + 3, 1)) != TC_OK) return rc;
  if (copy) {
    len = from_cp1252(p, len, ws->html.p);
    p = (const unsigned char *)ws->html.p;
  }
  end = p + len;
  title = find_title(p, end, &title_len);
  if (title && find_ci(p, end, "<h1") < end) title_len = 0; /* the page's own heading says it */
  memset(&o, 0, sizeof o);
  o.p = (char *)ws->html.p + (copy ? len : 0);
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
