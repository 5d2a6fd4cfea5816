/*
 * ljson.c - textclass.json_fields: two top-level fields of a JSON object
 * (or a few more), without making Lua values of the rest (and, on
 * request, the others' JSON text); textclass.json_keys: the names of its
 * top-level members alone; textclass.jsonl_documents: the records
 * of a block's JSONL lines read with the same scanner, one call for all
 * of them; textclass.json_precheck: what the same scanner tells of a text
 * before lua-cjson decodes it (nested too deep: lua-cjson's verdict
 * without it), and lua-cjson's scratch made sure of.
 *
 * `textclass label` reads JSONL and needs only each record's text and id
 * (the text may be in several fields: --text-field title,body).
 * Decoding the whole record with lua-cjson (every field a Lua value, then
 * garbage) cost more than half of the command line's own time per
 * document; this scanner validates the line and copies out just the two
 * values, about 1-2 instructions per byte of text.
 *
 * Caveats (design decisions):
 *  - It is a fast path, not a second JSON library: it accepts RFC 8259
 *    JSON only, and says "not handled" for anything else, including what
 *    lua-cjson is lenient about (a raw tab inside a string, the number
 *    `1.`) and nesting 1000 levels deep: it returns false. The caller then decodes the line with
 *    lua-cjson, whose verdict and message stand. So a line is never
 *    accepted here that lua-cjson would refuse, and never refused here
 *    with a message of our own. tests/lua/json_fields_spec.lua holds it to
 *    lua-cjson on fixtures and on thousands of generated lines.
 *  - Bytes inside strings are passed through as they are, invalid UTF-8
 *    included, as lua-cjson does: the caller checks the text's UTF-8.
 *  - A number is returned as its token, exactly as written (an id such as
 *    1234567890123456789 keeps every digit).
 *  - A repeated key: the last occurrence wins, as with lua-cjson's table.
 *    Keys are compared with their escapes decoded, as lua-cjson sees them
 *    ("te\u0078t" is "text"), decoded into the scan's buffer (below).
 *  - With a table for the other members, `label -o jsonl` copies them to
 *    its output as written: no decode and re-encode, which turned [] into
 *    {} and rounded numbers past 2^53.
 *  - A wanted string is validated and decoded in one pass, into a buffer
 *    of the line's size (per chunk for jsonl_documents; up to 64 KB, one
 *    kept from call to call: room_for), and pushed from there. Scanning
 *    it, then scanning it again to decode it into a luaL_Buffer of its own, cost 2.5k
 *    instructions more per news article (`label --top 1`, news4's first
 *    3,000 test articles: 163.7k per article, 161.2k after). The buffer
 *    holds every key too, so a key's escapes are decoded there, not on
 *    the Lua stack. A string that is not wanted is decoded there too,
 *    where the next would go, and not kept: one way through the scanner,
 *    without a test per step of whether to copy, and the block loop
 *    counted in whole blocks, saved 0.5k instructions per news article
 *    (`label --top 1`, news4's first 3,000 test articles: 127.15k per
 *    article, 126.64k after; the shipped model 138.56k, 138.04k;
 *    callgrind).
 *  - jsonl_documents' text over max_bytes is measured, not decoded
 *    (measure_string), and its record is the reader's error: decoded, then
 *    handed back with a copy of its line, and decoded again by the
 *    reader to be refused, a 100 MB text had cost 400 MB (`label` on it
 *    peaked at 410 MB, 312 MB after; 2026-11-28). Only a string with more
 *    than max_bytes of its line left can be that long, so only such a
 *    line's text is scanned twice when it is not (many escapes).
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ltextclass.h"

#define MAX_DEPTH 1000 /* lua-cjson's default decode_max_depth */
#define MAX_FIELDS 32  /* the names container() can match: the bits of its `hits` */
#define ROOM 65536     /* the largest scan.decoded kept from call to call (room_for) */

typedef struct scan {
  const unsigned char *p, *end;
  int depth;
  lua_State *L;   /* with others: where the other top-level members go */
  int others;     /* stack index of that table, or 0 */
  int names_only; /* others gets each member's name = true, not its JSON text */
  int measure;    /* a string that is not wanted is measured, not decoded: with names_only
                     (a name is all json_keys needs), and in a line over ROOM, whose
                     `decoded` is a buffer of its own, each of whose pages a string written
                     there would take: a 100 MB field beside a missing text was 100 MB more
                     at the peak (`label` on it, 410 MB; 210 MB measured; 2026-11-28) */
  char *decoded;  /* keys and wanted strings, escapes decoded (an unwanted string is decoded
                     at `used` too, and not kept, unless measured): as many bytes as the line;
                     NULL when nothing is wanted (json_precheck: keys measured too) */
  size_t used;    /* how many of them are taken */
  const unsigned char *too_deep; /* the bracket that opened level MAX_DEPTH + 1, or NULL */
} scan;

/* What a wanted field was found to be: LARGE is a string longer than the
 * field's `max`, measured and not decoded (at is NULL, len its length). */
enum { ABSENT = 0, STRING, NUMBER, OTHER, LARGE };

typedef struct field {
  const char *name;
  size_t name_len;
  size_t max;               /* the longest string to decode: longer is LARGE (SIZE_MAX: none) */
  int kind;
  const unsigned char *at;  /* the value: a string's bytes decoded (in scan.decoded), else as written
                               (LARGE: the string as written, after its opening quote) */
  size_t len;
  int nul;                  /* LARGE: a \u0000 escape is among its bytes */
} field;

/* Is c white space as Lua's %s sees it (space, \t \n \v \f \r)? */
static int is_space(unsigned c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static void skip_ws(scan *s) {
  while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) s->p++;
}

static int hex4(const unsigned char *p, unsigned *v) {
  int i;
  *v = 0;
  for (i = 0; i < 4; i++) {
    unsigned c = p[i], d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return 0;
    *v = *v * 16 + d;
  }
  return 1;
}

/* A \u escape at p (p[0] == 'u'): its code point; surrogates must come in
 * pairs. Returns the bytes consumed after the backslash, or 0. */
static size_t unicode_escape(const unsigned char *p, const unsigned char *end, unsigned *cp) {
  unsigned hi, lo;
  if (end - p < 5 || !hex4(p + 1, &hi)) return 0;
  if (hi >= 0xDC00 && hi <= 0xDFFF) return 0;
  if (hi < 0xD800 || hi > 0xDBFF) {
    *cp = hi;
    return 5;
  }
  if (end - p < 11 || p[5] != '\\' || p[6] != 'u' || !hex4(p + 7, &lo) || lo < 0xDC00 || lo > 0xDFFF)
    return 0;
  *cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
  return 11;
}

/* Which of the 8 bytes of w need a look: a quote, a backslash or a
 * control character? (The zero-byte test of each, eight lanes at once.)
 * The high bit of each such byte's lane is set; a lane above a set one
 * may be set falsely (a borrow), never a lane below, so the lowest set
 * bit is exact. */
#define ONES ((uint64_t)0x0101010101010101ull)
#define HIGHS ((uint64_t)0x8080808080808080ull)
static uint64_t special8(uint64_t w) {
  uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
  return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w)) & HIGHS;
}

/* How many of the 8 bytes at p come before the first that needs a look
 * (8: none does). Little-endian hosts count the mask's trailing zeros;
 * others look byte by byte. */
static size_t plain8(const unsigned char *p) {
  uint64_t w, m;
  memcpy(&w, p, 8);
  m = special8(w);
  if (!m) return 8;
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return (size_t)__builtin_ctzll(m) >> 3;
#else
  {
    size_t i = 0;
    while (p[i] != '"' && p[i] != '\\' && p[i] >= 0x20) i++;
    return i;
  }
#endif
}

/* The first byte of [p, end) that needs a look (a quote, a backslash or a
 * control byte), or end: 8 bytes per step. */
static const unsigned char *plain_end(const unsigned char *p, const unsigned char *end) {
  while (end - p >= 8 && plain8(p) == 8) p += 8;
  while (p < end && *p != '"' && *p != '\\' && *p >= 0x20) p++;
  return p;
}

/* p moved past the plain bytes of [p, end) (no quote, backslash or control
 * byte), to the first byte that needs a look or the end; the bytes passed
 * are copied to out. With SSE2 (part of x86-64) 16 bytes per step, as
 * many steps as there are whole blocks: three byte compares (unsigned
 * v <= 0x1F is max(v, 0x1F) == 0x1F) and the lowest bit of their mask,
 * each block stored whole (the output is never ahead of the input's place
 * in the line, and holds as many bytes as the line: see scan.decoded);
 * else 8 per step (plain8). */
static const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end, char *out) {
  const unsigned char *start;
#if defined(__SSE2__) && defined(__GNUC__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1F);
  size_t blocks;
  for (blocks = (size_t)(end - p) / 16; blocks > 0; blocks--, p += 16, out += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                               _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
    unsigned m = (unsigned)_mm_movemask_epi8(hit);
    _mm_storeu_si128((__m128i *)(void *)out, v);
    if (m) return p + __builtin_ctz(m);
  }
#endif
  start = p;
  p = plain_end(p, end);
  memcpy(out, start, (size_t)(p - start));
  return p;
}

/* Writes code point cp as UTF-8 at out; returns the bytes written. */
static size_t put_utf8(char *out, unsigned cp) {
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) { out[0] = (char)(0xC0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | cp >> 12); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | cp >> 18); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* The byte each escape of one letter stands for (0: no such escape). */
static const char SIMPLE_ESCAPES[256] = { ['b'] = '\b', ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
                                          ['"'] = '"', ['\\'] = '\\', ['/'] = '/' };

/* The escape at p (its backslash) decoded at out: returns how many bytes
 * of the line it takes, 0 when invalid, and sets *n to the bytes written
 * (at most 4). */
static size_t escape(const unsigned char *p, const unsigned char *end, char *out, size_t *n) {
  if (end - p < 2) return 0;
  if (p[1] == 'u') {
    unsigned cp;
    size_t k = unicode_escape(p + 1, end, &cp);
    if (!k) return 0;
    *n = put_utf8(out, cp);
    return 1 + k;
  }
  if (!SIMPLE_ESCAPES[p[1]]) return 0;
  *out = SIMPLE_ESCAPES[p[1]];
  *n = 1;
  return 2;
}

/* A string at s->p (just after its opening quote): moves past the closing
 * quote; 0 when invalid. Its bytes with their escapes decoded are written
 * to out and *len is their count: decoding never lengthens a
 * string (an escape of k bytes gives at most k bytes: \uXXXX at most 3, a
 * surrogate pair's 12 bytes 4), so out needs no more than the string's
 * bytes as written. Validating and decoding in one pass saved a second
 * scan of the text and a buffer per string (see decode_string). */
static int string_body(scan *s, char *out, size_t *len) {
  const unsigned char *p = s->p, *end = s->end;
  char *o = out;
  for (;;) {
    const unsigned char *plain = p;
    size_t k, n;
    p = skip_plain(p, end, o);
    o += p - plain;
    if (p >= end || *p < 0x20) return 0;
    if (*p == '"') break;
    if (!(k = escape(p, end, o, &n))) return 0;
    o += n;
    p += k;
  }
  s->p = p + 1;
  *len = (size_t)(o - out);
  return 1;
}

/* A string at s->p (just after its opening quote) measured, not decoded:
 * moves past the closing quote, sets *len to its length with its escapes
 * decoded and *nul to whether a \u0000 is among them; 0 when invalid, as
 * string_body. */
static int measure_string(scan *s, size_t *len, int *nul) {
  const unsigned char *p = s->p, *end = s->end;
  size_t total = 0;
  *nul = 0;
  for (;;) {
    const unsigned char *plain = p;
    char bytes[4];
    size_t k, n;
    p = plain_end(p, end);
    total += (size_t)(p - plain);
    if (p >= end || *p < 0x20) return 0;
    if (*p == '"') break;
    if (!(k = escape(p, end, bytes, &n))) return 0;
    *nul |= bytes[0] == '\0';
    total += n;
    p += k;
  }
  s->p = p + 1;
  *len = total;
  return 1;
}

/* Is the string at p (just after its opening quote; valid, as
 * measure_string found it) nothing but white space with its escapes
 * decoded? Stops at the first byte that is not, so a text's costs a few
 * steps. */
static int blank_string(const unsigned char *p, const unsigned char *end) {
  for (;;) {
    char bytes[4];
    size_t n = 0;
    if (*p == '"') return 1;
    if (*p == '\\') {
      p += escape(p, end, bytes, &n);
      if (n != 1 || !is_space((unsigned char)bytes[0])) return 0;
    } else if (is_space(*p)) {
      p++;
    } else {
      return 0;
    }
  }
}

/* A string at s->p (just after its opening quote) decoded into the scan's
 * buffer: moves past it and sets *at and *len to its decoded bytes there;
 * 0 when invalid. */
static int decode_string(scan *s, const unsigned char **at, size_t *len) {
  char *out = s->decoded + s->used;
  if (!string_body(s, out, len)) return 0;
  *at = (const unsigned char *)out;
  s->used += *len;
  return 1;
}

/* The least `max` of the fields f whose bits are set in hits. */
static size_t least_max(const field *f, size_t nf, uint32_t hits) {
  size_t i, max = SIZE_MAX;
  for (i = 0; i < nf; i++)
    if ((hits & ((uint32_t)1 << i)) && f[i].max < max) max = f[i].max;
  return max;
}

/* A wanted string at s->p (just after its opening quote) into got:
 * decoded into the scan's buffer (STRING), or, when its bytes decoded
 * are more than max, only measured (LARGE), so that a text refused for
 * its size is never copied. Only a string with more than max bytes of
 * the line left can be that long: such a one is measured before it is
 * decoded, the others decoded at once. 0 when invalid. */
static int wanted_string(scan *s, size_t max, field *got) {
  const unsigned char *start = s->p;
  got->nul = 0;
  if ((size_t)(s->end - s->p) > max) {
    if (!measure_string(s, &got->len, &got->nul)) return 0;
    if (got->len > max) {
      got->kind = LARGE;
      got->at = start;
      return 1;
    }
    s->p = start;
  }
  got->kind = STRING;
  return decode_string(s, &got->at, &got->len);
}

static int number(scan *s) {
  const unsigned char *p = s->p, *end = s->end;
  if (p < end && *p == '-') p++;
  if (p >= end) return 0;
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9') while (p < end && *p >= '0' && *p <= '9') p++;
  else return 0;
  if (p < end && *p == '.') {
    p++;
    if (p >= end || *p < '0' || *p > '9') return 0;
    while (p < end && *p >= '0' && *p <= '9') p++;
  }
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '+' || *p == '-')) p++;
    if (p >= end || *p < '0' || *p > '9') return 0;
    while (p < end && *p >= '0' && *p <= '9') p++;
  }
  s->p = p;
  return 1;
}

static int literal(scan *s, const char *word) {
  size_t n = strlen(word);
  if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) return 0;
  s->p += n;
  return 1;
}

static int value(scan *s, field *f, size_t nf);

/* An object or array at s->p (its opening bracket); fields (of which nf)
 * are filled from the keys of this level when f is not NULL. A key is
 * decoded into the scan's buffer (compared and stored as lua-cjson would
 * see it: "te\u0078t" is "text"), and given back with its value unless
 * the value is a wanted string, which the field points to. */
static int container(scan *s, field *f, size_t nf) {
  int is_object = *s->p == '{';
  unsigned char close = is_object ? '}' : ']';
  if (++s->depth > MAX_DEPTH) {
    s->too_deep = s->p;
    return 0;
  }
  s->p++;
  skip_ws(s);
  if (s->p < s->end && *s->p == close) {
    s->p++;
    s->depth--;
    return 1;
  }
  for (;;) {
    uint32_t hits = 0; /* bit i: the key is f[i].name (several bits when names are equal) */
    const unsigned char *key = NULL;
    size_t key_len = 0, mark = s->used;
    if (is_object) {
      size_t i;
      if (s->p >= s->end || *s->p != '"') return 0;
      s->p++;
      if (s->decoded) {
        if (!decode_string(s, &key, &key_len)) return 0;
      } else {
        int nul;
        if (!measure_string(s, &key_len, &nul)) return 0;
      }
      for (i = 0; f && i < nf; i++) {
        if (key_len == f[i].name_len && memcmp(key, f[i].name, f[i].name_len) == 0)
          hits |= (uint32_t)1 << i;
      }
      skip_ws(s);
      if (s->p >= s->end || *s->p != ':') return 0;
      s->p++;
      skip_ws(s);
    }
    if (hits) {
      const unsigned char *start = s->p;
      field got;
      size_t i;
      if (s->p < s->end && *s->p == '"') {
        s->p++;
        if (!wanted_string(s, least_max(f, nf, hits), &got)) return 0;
      } else {
        if (!value(s, NULL, 0)) return 0;
        got.kind = (*start == '-' || (*start >= '0' && *start <= '9')) ? NUMBER : OTHER;
        got.at = start;
        got.len = (size_t)(s->p - start);
        got.nul = 0;
        s->used = mark;
      }
      for (i = 0; i < nf; i++) {
        if (!(hits & ((uint32_t)1 << i))) continue;
        f[i].kind = got.kind;
        f[i].at = got.at;
        f[i].len = got.len;
        f[i].nul = got.nul;
      }
    } else {
      const unsigned char *start = s->p;
      if (!value(s, NULL, 0)) return 0;
      if (s->others && s->depth == 1 && is_object) { /* t[key] = the value's JSON text, as written */
        lua_pushlstring(s->L, (const char *)key, key_len);
        if (s->names_only) lua_pushboolean(s->L, 1);
        else lua_pushlstring(s->L, (const char *)start, (size_t)(s->p - start));
        lua_rawset(s->L, s->others);
      }
      s->used = mark;
    }
    skip_ws(s);
    if (s->p >= s->end) return 0;
    if (*s->p == ',') {
      s->p++;
      skip_ws(s);
      continue;
    }
    if (*s->p != close) return 0;
    s->p++;
    s->depth--;
    return 1;
  }
}

static int value(scan *s, field *f, size_t nf) {
  if (s->p >= s->end) return 0;
  switch (*s->p) {
  case '{': case '[': return container(s, f, nf);
  case '"': {
    size_t len; /* (decoded where the next kept string would go, and not kept; or measured) */
    int nul;
    s->p++;
    return s->measure ? measure_string(s, &len, &nul) : string_body(s, s->decoded + s->used, &len);
  }
  case 't': return literal(s, "true");
  case 'f': return literal(s, "false");
  case 'n': return literal(s, "null");
  default: return number(s);
  }
}

/* *s at the start of text, len bytes (past leading white space), with
 * the options scan_object and json_precheck give it (struct scan). */
static void scan_start(scan *s, lua_State *L, const unsigned char *text, size_t len, int others,
                       int names_only, int measure, char *decoded) {
  s->p = text;
  s->end = text + len;
  s->depth = 0;
  s->L = L;
  s->others = others;
  s->names_only = names_only;
  s->measure = measure;
  s->decoded = decoded;
  s->used = 0;
  s->too_deep = NULL;
  skip_ws(s);
}

/* Scan one JSON text (a line) for the fields f (their names set): 1 when it
 * is an object this scanner handles, with each f[i] filled (ABSENT when
 * not there); 0 otherwise. `others`: stack index of a table for the other
 * top-level members, or 0; `names_only`: their names only (scan.names_only).
 * `decoded`: room for len bytes, where the strings found go (scan.decoded). */
static int scan_object(lua_State *L, const unsigned char *line, size_t len, field *f, size_t nf, int others,
                       int names_only, char *decoded) {
  scan s;
  size_t i;
  for (i = 0; i < nf; i++) {
    f[i].kind = ABSENT;
    f[i].at = NULL;
    f[i].len = 0;
  }
  scan_start(&s, L, line, len, others, names_only, names_only || len > ROOM, decoded);
  if (s.p >= s.end || *s.p != '{' || !container(&s, f, nf)) return 0;
  skip_ws(&s);
  return s.p == s.end;
}

/* Room for the decoded strings of a line or chunk of len bytes
 * (scan.decoded), pushed on the stack. Up to ROOM bytes (a block's lines:
 * stream.lua reads 64 KB blocks) it is a buffer kept in the registry from
 * one call to the next, taken out while in use, so a call made meanwhile
 * (by a finalizer a collection runs) makes its own: a new one for each
 * block was garbage the size of the input, and 0.9k instructions per news
 * article (`label --top 1` on news4's first 3,000 test articles: 157.1k
 * per article, 156.2k with it kept; callgrind), its allocation and its
 * share of the collector's work. room_back puts it back. */
static const char ROOM_KEY = 0; /* (its address is the registry's key) */

static char *room_for(lua_State *L, size_t len) {
  if (len > ROOM) return lua_newuserdatauv(L, len, 0);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &ROOM_KEY) != LUA_TUSERDATA) {
    lua_pop(L, 1);
    return lua_newuserdatauv(L, ROOM, 0);
  }
  lua_pushnil(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &ROOM_KEY);
  return lua_touserdata(L, -1);
}

/* Keep the room at stack index `at` (room_for's) for the next call. */
static void room_back(lua_State *L, int at) {
  if (lua_rawlen(L, at) != ROOM) return;
  lua_pushvalue(L, at);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &ROOM_KEY);
}

/* Push a found field's value: a string with its escapes decoded, a
 * number's token, a LARGE string's length, or nil. */
static void push_value(lua_State *L, const field *f) {
  if (f->kind == STRING || f->kind == NUMBER) lua_pushlstring(L, (const char *)f->at, f->len);
  else if (f->kind == LARGE) lua_pushinteger(L, (lua_Integer)f->len);
  else lua_pushnil(L);
}

static const char *const KIND_NAMES[] = { "absent", "string", "number", "other", "large" };

/* Let the strings found LARGE that must be read after all be decoded
 * (their fields' max SIZE_MAX, and of the fields sharing the string):
 * one the reader would not refuse for its size (check_bytes tells a NUL
 * byte first; a text of several fields drops a part of white space
 * only), and one that is also a field without a limit (the id named as a
 * text field). Returns whether there was one. */
static int read_after_all(field *f, size_t nf, const unsigned char *end) {
  size_t i, j;
  int any = 0;
  for (i = 0; i < nf; i++) {
    if (f[i].kind != LARGE || !(f[i].nul || f[i].max == SIZE_MAX || blank_string(f[i].at, end))) continue;
    for (j = 0; j < nf; j++)
      if (f[j].kind == LARGE && f[j].at == f[i].at) f[j].max = SIZE_MAX;
    any = 1;
  }
  return any;
}

/***
 * Two top-level fields of a JSON object (or more), without making Lua values
 * of the rest.
 * @function json_fields
 * @string line one JSON text (surrounding whitespace allowed)
 * @string name1
 * @string name2
 * @tparam[opt] table others gets every other top-level member, key =
 *   its JSON text exactly as written ([] stays [], 12345678901234567890
 *   keeps its digits); filled as the scan goes, so drop it when the call
 *   returns false
 * @int[opt] max the longest string of a text field (name1, name3, ...)
 *   to decode: a longer one is measured, not decoded (kind "large"),
 *   unless it holds a \u0000 or nothing but white space
 * @string[opt] ... more names (after others and max, which may then be
 *   nil), up to 32 names in all: the fields of a text in several (title,
 *   body)
 * @return v1, kind1, v2, kind2, ...: for each name in order, a string
 *   field's value (escapes decoded), a number's token as written, a large
 *   string's length in bytes (escapes decoded), nil otherwise; kind
 *   "string", "number", "large", "other" (true, false, null, an object or
 *   array) or "absent"
 * @return[2] false when the line is not an object this scanner handles
 *   (then decode it with lua-cjson, whose verdict stands)
 */
int tcl_json_fields(lua_State *L) {
  size_t len, i, nf, max;
  const unsigned char *line = (const unsigned char *)luaL_checklstring(L, 1, &len);
  int top = lua_gettop(L), others, room, ok;
  field f[MAX_FIELDS];
  char *decoded;
  nf = top > 5 ? (size_t)top - 3 : 2;
  if (nf > MAX_FIELDS) luaL_argerror(L, MAX_FIELDS + 4, "at most 32 field names");
  max = SIZE_MAX;
  if (!lua_isnoneornil(L, 5)) {
    lua_Integer m = luaL_checkinteger(L, 5);
    luaL_argcheck(L, m >= 0, 5, "must be >= 0");
    max = (size_t)m;
  }
  for (i = 0; i < nf; i++) {
    f[i].name = luaL_checklstring(L, i < 2 ? (int)i + 2 : (int)i + 4, &f[i].name_len);
    f[i].max = i == 1 ? SIZE_MAX : max; /* (the id is never measured) */
  }
  others = lua_isnoneornil(L, 4) ? 0 : 4;
  if (others) {
    luaL_checktype(L, others, LUA_TTABLE);
    luaL_checkstack(L, 3, NULL);
  }
  decoded = room_for(L, len);
  room = lua_gettop(L);
  ok = scan_object(L, line, len, f, nf, others, 0, decoded);
  if (ok && read_after_all(f, nf, line + len)) ok = scan_object(L, line, len, f, nf, others, 0, decoded);
  if (!ok) {
    room_back(L, room);
    lua_pushboolean(L, 0);
    return 1;
  }
  luaL_checkstack(L, 2 * (int)nf + 1, NULL);
  for (i = 0; i < nf; i++) {
    push_value(L, &f[i]);
    lua_pushstring(L, KIND_NAMES[f[i].kind]);
  }
  room_back(L, room);
  return 2 * (int)nf;
}

/***
 * The names of a JSON object's top-level members, its values only checked
 * to be JSON: a string is measured, not decoded, so the hint "its fields:
 * ..." of a record without its text field costs no copy of a 100 MB
 * field beside it (lua-cjson's whole decode had: `label --text-field body`
 * on a 100 MB line without `body` peaked at 610 MB, 410 MB after, 210 MB
 * with scan.measure; 2026-11-28).
 * @function json_keys
 * @string line one JSON text (surrounding whitespace allowed)
 * @return a table, each name = true
 * @return[2] false when the line is not an object this scanner handles
 *   (as json_fields)
 */
int tcl_json_keys(lua_State *L) {
  size_t len;
  const unsigned char *line = (const unsigned char *)luaL_checklstring(L, 1, &len);
  int keys, room, ok;
  char *decoded;
  tcl_check_nargs(L, 1);
  lua_newtable(L);
  keys = lua_gettop(L);
  luaL_checkstack(L, 3, NULL);
  decoded = room_for(L, len); /* (the names only: the pages a value's bytes would fill are never touched) */
  room = lua_gettop(L);
  ok = scan_object(L, line, len, NULL, 0, keys, 1, decoded);
  room_back(L, room);
  if (!ok) lua_pushboolean(L, 0);
  else lua_settop(L, keys);
  return 1;
}

/* Make sure lua-cjson can have the scratch its decode of len bytes asks
 * for first: it mallocs len + 1 bytes (and a header) before it parses, and
 * when malloc fails it prints "Out of memory" and exits the process with
 * status 255 (its strbuf's die()): no Lua error, nothing a pcall catches,
 * and the output of the records before was lost. The bytes are asked of
 * Lua's allocator and given back at once, so they are there when lua-cjson
 * asks; when they cannot be had, even after a full collection (the rooms
 * of earlier scans of a long line are garbage Lua's collector has no
 * reason to free for a malloc it does not see), Lua's memory error is
 * raised instead, as for any allocation of the module's. */
#define CJSON_HEADER 64 /* strbuf_new's struct and the buffer's + 1, rounded up */

static void cjson_room(lua_State *L, size_t len) {
  void *ud;
  lua_Alloc alloc = lua_getallocf(L, &ud);
  size_t n = len + CJSON_HEADER;
  void *p = alloc(ud, NULL, 0, n);
  if (!p) {
    lua_gc(L, LUA_GCCOLLECT);
    p = alloc(ud, NULL, 0, n);
  }
  if (!p) {
    lua_newuserdatauv(L, n, 0); /* raises (unless memory came free meanwhile: then it is garbage) */
    return;
  }
  alloc(ud, p, n, 0);
}

/***
 * What to know of a JSON text before lua-cjson decodes it (the command
 * line's readers ask for every text they decode with it): whether it
 * nests deeper than lua-cjson reads, and that lua-cjson can have the
 * scratch its decode asks for (cjson_room). The text is scanned as
 * strict JSON, strings measured, not copied, as far as it is that:
 * lua-cjson reads such a text token for token as this scanner does, so
 * when the scan opens level 1001 lua-cjson refuses the text there too
 * ("Found too many nested data structures (1001) at character N"), and
 * it need not be given the text: a 100 MB line of '[' had lua-cjson
 * malloc 100 MB to say so, and exit the process when it could not
 * (`label` under `ulimit -v 300000`: "Out of memory", status 255).
 * @function json_precheck
 * @string text
 * @return the character (from 1) of the bracket that opens level 1001,
 *   or nothing: lua-cjson's scratch for the text is there
 * @raise not enough memory, when the scratch cannot be had
 */
int tcl_json_precheck(lua_State *L) {
  size_t len;
  const unsigned char *text = (const unsigned char *)luaL_checklstring(L, 1, &len);
  scan s;
  tcl_check_nargs(L, 1);
  scan_start(&s, L, text, len, 0, 0, 1, NULL);
  (void)value(&s, NULL, 0);
  if (s.too_deep) {
    lua_pushinteger(L, (lua_Integer)(s.too_deep - text) + 1);
    return 1;
  }
  cjson_room(L, len);
  return 0;
}

/* What textclass.jsonl_documents reads of its options table. */
typedef struct reading {
  field f[4];              /* the text field, the id field, then a label's fields */
  size_t nf;               /* 2, or with labels 3 (label_field) or 4 ("label", "labels") */
  const char *where;       /* an id's prefix for a record without one ("path:") */
  size_t where_len;
  lua_Integer line;        /* the number of the chunk's first line */
  size_t limit, max_bytes; /* longest line, longest text */
  int keep_fields, sniff_html, check_utf8, labelled;
  char *decoded;           /* room for the chunk's bytes: scan.decoded */
} reading;

/* The options are read raw (see ltextclass.h); a string is left on the
 * stack, which keeps it for the call whatever happens to the table. */
static const char *opt_string(lua_State *L, int opts, const char *key, size_t *len) {
  if (tcl_rawfield(L, opts, key) != LUA_TSTRING) luaL_error(L, "jsonl_documents: '%s' must be a string", key);
  return lua_tolstring(L, -1, len);
}

static lua_Integer opt_integer(lua_State *L, int opts, const char *key, lua_Integer min) {
  int isnum;
  lua_Integer v;
  tcl_rawfield(L, opts, key);
  v = lua_tointegerx(L, -1, &isnum);
  if (!isnum || v < min) luaL_error(L, "jsonl_documents: '%s' must be an integer >= %d", key, (int)min);
  lua_pop(L, 1);
  return v;
}

static int opt_flag(lua_State *L, int opts, const char *key) {
  int v;
  tcl_rawfield(L, opts, key);
  v = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* The first bytes a page may begin with (records.lua's MAY_START_PAGE:
 * "<", a byte order mark's first byte, white space): a text beginning
 * with one is left to the reader, which sniffs it for HTML. */
static const unsigned char MAY_START_PAGE[256] = { ['<'] = 1, [0xEF] = 1, ['\t'] = 1, ['\n'] = 1,
                                                   ['\f'] = 1, ['\r'] = 1, [' '] = 1 };

/* Does s hold a byte that is not white space as Lua's %s sees it? */
static int has_non_space(const unsigned char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (!is_space(s[i])) return 1;
  return 0;
}

/* Does s hold a control character (C0, DEL, or C1 in UTF-8)? */
static int has_control(const unsigned char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++)
    if (s[i] < 0x20 || s[i] == 0x7F || (s[i] == 0xC2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9F))
      return 1;
  return 0;
}

/* Is the number token at p (n bytes, checked by number()) an integer the
 * reader takes as written (labelled.lua's integer_label): digits, at most
 * 15 (below 2^53, so the double lua-cjson reads prints back as they are),
 * a minus sign before any but 0 (-0 reads 0)? */
static int plain_integer(const unsigned char *p, size_t n) {
  size_t i = p[0] == '-';
  if ((i && p[1] == '0') || n - i > 15) return 0;
  for (; i < n; i++)
    if (p[i] < '0' || p[i] > '9') return 0;
  return 1;
}

/* Push a line's place, where .. line ("path:12"): without pushfstring's
 * format parsing, as every record with an id of its own (and every
 * labelled one) has one. */
static void push_place(lua_State *L, const reading *r, lua_Integer line) {
  char digits[3 * sizeof line];
  size_t n = 0;
  lua_Unsigned v = (lua_Unsigned)line; /* (line >= 1) */
  luaL_Buffer b;
  do {
    digits[sizeof digits - ++n] = (char)('0' + v % 10);
  } while ((v /= 10) != 0);
  luaL_buffinit(L, &b);
  luaL_addlstring(&b, r->where, r->where_len);
  luaL_addlstring(&b, digits + sizeof digits - n, n);
  luaL_pushresult(&b);
}

/* Push the document of one line (n bytes with its line break), number
 * `line`, and return 1; or push nothing and return 0 when the reader's
 * general path must read it: not an object this scanner handles, no
 * string text, or a text that check_bytes, the page sniff or
 * check_content (records.lua) would look at twice. */
static int line_document(lua_State *L, reading *r, const unsigned char *p, size_t n, lua_Integer line) {
  int base = lua_gettop(L), fields = 0, own_id;
  size_t tlen;
  const unsigned char *text;
  const field *label = NULL;
  if (n > r->limit) return 0;
  if (r->keep_fields) {
    lua_newtable(L);
    fields = lua_gettop(L);
  }
  /* (a text that is also the id, and too large, is left to the general path) */
  if (!scan_object(L, p, n, r->f, r->nf, fields, 0, r->decoded) || (r->f[0].kind != STRING && r->f[0].kind != LARGE) ||
      r->f[1].kind == LARGE)
    goto general;
  if (r->labelled) {
    /* the label's field: label_field, else "label" when present, else "labels" */
    label = r->nf == 3 || r->f[2].kind != ABSENT ? &r->f[2] : &r->f[3];
    if (r->f[1].kind == NUMBER) goto general;
    if (label->kind == NUMBER ? !plain_integer(label->at, label->len) : label->kind != STRING || label->len == 0)
      goto general;
  }
  text = r->f[0].at;
  tlen = r->f[0].len;
  /* a text over max_bytes is LARGE: check_bytes' error, unless a NUL byte
   * makes it binary data, which check_bytes tells first */
  if (r->f[0].kind == LARGE ? r->f[0].nul
                            : tlen > r->max_bytes || memchr(text, '\0', tlen) ||
                                  (r->sniff_html && tlen > 0 && MAY_START_PAGE[text[0]]) ||
                                  (r->check_utf8 && tc_utf8_check((const char *)text, tlen) != tlen) ||
                                  !has_non_space(text, tlen))
    goto general;
  if (label && label->kind == STRING) { /* one label: labels_problem's checks (labelled.lua) */
    size_t llen = label->len;
    const char *l = (const char *)label->at;
    /* (white space around it: the reader trims it) */
    if (memchr(l, ',', llen) || has_control((const unsigned char *)l, llen) || tc_utf8_check(l, llen) != llen ||
        !has_non_space((const unsigned char *)l, 1) || !has_non_space((const unsigned char *)l + llen - 1, 1))
      goto general;
  }
  /* (an empty id names no record: the place, as records.id_or_place gives it) */
  own_id = (r->f[1].kind == STRING && r->f[1].len > 0) || r->f[1].kind == NUMBER;
  lua_createtable(L, 0, 4);
  if (r->f[0].kind == LARGE) { /* (records.lua's check_bytes says it so) */
    lua_pushfstring(L, "document too large (%I bytes, limit %I)", (lua_Integer)tlen, (lua_Integer)r->max_bytes);
    lua_setfield(L, -2, "error");
  } else {
    push_value(L, &r->f[0]);
    lua_setfield(L, -2, "text");
  }
  if (label) {
    lua_createtable(L, 1, 0);
    push_value(L, label);
    lua_rawseti(L, -2, 1);
    lua_setfield(L, -2, "labels");
  }
  /* the place: a labelled record's always, another's beside an id of its
   * own (records.set_id), which is the place otherwise */
  push_place(L, r, line);
  if (own_id) {
    lua_setfield(L, -2, "where");
    push_value(L, &r->f[1]);
  } else if (label) {
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "where");
  }
  lua_setfield(L, -2, "id");
  if (fields) {
    lua_pushvalue(L, fields);
    lua_setfield(L, -2, "fields");
    lua_remove(L, fields);
  }
  return 1;
general:
  lua_settop(L, base);
  return 0;
}

/***
 * The documents of a chunk of JSONL lines, each read as the command line's
 * readers read a record (textclass.cli.unlabelled, .labelled), without a
 * Lua call per line: their fast path.
 * @function jsonl_documents
 * @string chunk whole lines, each with its "\n" (the last may lack it)
 *   (from byte `first` to byte `last`, as chunk:sub(first, last) gives
 *   them: the lines of a block read from a file, not copied out of it)
 * @tab opts {text_field =, id_field =, where = "PATH:" (an id is where ..
 *   line number when the record has none), line = the chunk's first line
 *   number, limit = longest line, max_bytes = longest text, keep_fields =
 *   bool (fields = the other members, each as its JSON text),
 *   sniff_html = bool (not --no-html), check_utf8 = bool (not
 *   --replace-invalid),
 *   labelled = bool, label_field = name or nil: train's records, below}
 * @int[opt=1] first
 * @int[opt=#chunk] last
 * @return an array, one entry per line: {id =, text = [, where =]
 *   [, fields =]} for a record with a text the reader would take as it
 *   is (where = its place, beside an id of its own), else the line
 *   itself (a string) for the reader's general path, which says what is
 *   wrong with it or reads it as a page. With labelled, {id =, where =,
 *   text =, labels = {label}} (textclass.cli.labelled) for a record whose
 *   label (label_field's, else "label"'s when present, else "labels"'s) is
 *   one string the reader would take, or an integer of at most 15 digits
 *   (as written: 0, -3, not -0), and whose id is a string or absent
 *   (the reader recovers a number id from lua-cjson's value otherwise)
 */
int tcl_jsonl_documents(lua_State *L) {
  size_t len, whole;
  const unsigned char *chunk = (const unsigned char *)luaL_checklstring(L, 1, &whole), *p = chunk, *end;
  reading r;
  int room;
  lua_Integer i = 0, first, last;
  luaL_checktype(L, 2, LUA_TTABLE);
  first = luaL_optinteger(L, 3, 1);
  last = luaL_optinteger(L, 4, (lua_Integer)whole);
  luaL_argcheck(L, first >= 1 && first <= (lua_Integer)whole + 1, 3, "out of the chunk");
  luaL_argcheck(L, last >= first - 1 && last <= (lua_Integer)whole, 4, "out of the chunk, or before first");
  tcl_check_nargs(L, 4);
  end = p + last;
  p += first - 1;
  len = (size_t)(end - p);
  r.f[0].name = opt_string(L, 2, "text_field", &r.f[0].name_len);
  r.f[1].name = opt_string(L, 2, "id_field", &r.f[1].name_len);
  r.where = opt_string(L, 2, "where", &r.where_len);
  if (strlen(r.where) != r.where_len) return luaL_error(L, "jsonl_documents: 'where' contains a NUL byte");
  r.line = opt_integer(L, 2, "line", 1);
  /* a line is a byte at least: the chunk's last line number must be an integer too */
  if ((lua_Unsigned)r.line > (lua_Unsigned)LUA_MAXINTEGER - len)
    return luaL_error(L, "jsonl_documents: 'line' %I is too large for a chunk of %I bytes", r.line,
                      (lua_Integer)len);
  r.limit = (size_t)opt_integer(L, 2, "limit", 0);
  r.max_bytes = (size_t)opt_integer(L, 2, "max_bytes", 0);
  r.keep_fields = opt_flag(L, 2, "keep_fields");
  r.sniff_html = opt_flag(L, 2, "sniff_html");
  r.check_utf8 = opt_flag(L, 2, "check_utf8");
  r.labelled = opt_flag(L, 2, "labelled");
  r.f[0].max = r.max_bytes; /* a longer text is measured, not decoded */
  r.f[1].max = r.f[2].max = r.f[3].max = SIZE_MAX;
  r.nf = 2;
  if (r.labelled) {
    if (r.keep_fields) return luaL_error(L, "jsonl_documents: labelled records keep no fields");
    if (tcl_rawfield(L, 2, "label_field") == LUA_TNIL) {
      r.f[2].name = "label";
      r.f[2].name_len = 5;
      r.f[3].name = "labels";
      r.f[3].name_len = 6;
      r.nf = 4;
    } else {
      r.f[2].name = opt_string(L, 2, "label_field", &r.f[2].name_len);
      r.nf = 3;
    }
  }
  luaL_checkstack(L, 8, NULL);
  r.decoded = room_for(L, len);
  room = lua_gettop(L);
  lua_newtable(L);
  while (p < end) {
    const unsigned char *nl = memchr(p, '\n', (size_t)(end - p)), *next = nl ? nl + 1 : end;
    /* a line left to the reader is handed back as a string: the chunk
     * itself when it is all of it (a line longer than a block, read on its
     * own), not a copy, which had held a 100 MB line twice more */
    if (!line_document(L, &r, p, (size_t)(next - p), r.line + i)) {
      if (p == chunk && next == chunk + whole) lua_pushvalue(L, 1);
      else lua_pushlstring(L, (const char *)p, (size_t)(next - p));
    }
    lua_rawseti(L, -2, ++i);
    p = next;
  }
  room_back(L, room);
  return 1;
}
