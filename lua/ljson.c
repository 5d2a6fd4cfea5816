/*
 * ljson.c - textclass.json_fields: two top-level fields of a JSON object
 * (or a few more), without decoding the rest (and, on request, the others'
 * JSON text).
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
 *    ("te\u0078t" is "text"); only such a key is decoded, on the Lua stack.
 *  - With a table for the other members, `label -o jsonl` copies them to
 *    its output as written: no decode and re-encode, which turned [] into
 *    {} and rounded numbers past 2^53.
 */
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ltextclass.h"

#define MAX_DEPTH 1000 /* lua-cjson's default decode_max_depth */
#define MAX_FIELDS 32  /* the names container() can match: the bits of its `hits` */

typedef struct scan {
  const unsigned char *p, *end;
  int depth;
  lua_State *L;   /* with others: where the other top-level members go */
  int others;     /* stack index of that table, or 0 */
} scan;

/* What a wanted field was found to be. */
enum { ABSENT = 0, STRING, NUMBER, OTHER };

typedef struct field {
  const char *name;
  size_t name_len;
  int kind;
  const unsigned char *at;  /* the value's first byte (a string: after the quote) */
  size_t len;               /* its bytes (a string: up to the closing quote) */
  int escaped;              /* a string holding backslash escapes */
} field;

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

/* p moved past the plain bytes of [p, end) (no quote, backslash or control
 * byte), stopping at the first byte that needs a look or within 7 bytes
 * of the end. With SSE2 (part of x86-64) 16 bytes per step: three byte
 * compares (unsigned v <= 0x1F is max(v, 0x1F) == 0x1F) and the lowest
 * bit of their mask; else 8 per step (plain8). */
static const unsigned char *skip_plain(const unsigned char *p, const unsigned char *end) {
  size_t k;
#if defined(__SSE2__) && defined(__GNUC__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1F);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                               _mm_cmpeq_epi8(_mm_max_epu8(v, ctl), ctl));
    unsigned m = (unsigned)_mm_movemask_epi8(hit);
    if (m) return p + __builtin_ctz(m);
    p += 16;
  }
#endif
  while (end - p >= 8) {
    if ((k = plain8(p)) < 8) return p + k;
    p += 8;
  }
  return p;
}

/* A string at s->p (just after its opening quote): moves past the closing
 * quote; *escaped tells whether it holds escapes. 0 when invalid. */
static int string_body(scan *s, int *escaped) {
  const unsigned char *p = s->p, *end = s->end;
  *escaped = 0;
  for (;;) {
    p = skip_plain(p, end);
    while (p < end && *p != '"' && *p != '\\' && *p >= 0x20) p++;
    if (p >= end || *p < 0x20) return 0;
    if (*p == '"') break;
    *escaped = 1;
    if (end - p < 2) return 0;
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
      p += 2;
      break;
    case 'u': {
      unsigned cp;
      size_t n = unicode_escape(p + 1, end, &cp);
      if (!n) return 0;
      p += 1 + n;
      break;
    }
    default:
      return 0;
    }
  }
  s->p = p + 1;
  return 1;
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
static void push_unescaped(lua_State *L, const unsigned char *p, size_t len);

/* An object or array at s->p (its opening bracket); fields (of which nf)
 * are filled from the keys of this level when f is not NULL. */
static int container(scan *s, field *f, size_t nf) {
  int is_object = *s->p == '{';
  unsigned char close = is_object ? '}' : ']';
  if (++s->depth > MAX_DEPTH) return 0;
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
    size_t key_len = 0;
    int decoded = 0; /* the key, its escapes decoded, is on the Lua stack */
    if (is_object) {
      int escaped;
      size_t i;
      if (s->p >= s->end || *s->p != '"') return 0;
      key = ++s->p;
      if (!string_body(s, &escaped)) return 0;
      key_len = (size_t)(s->p - 1 - key);
      if (escaped) { /* compared and stored as lua-cjson would see it */
        luaL_checkstack(s->L, 3, "JSON keys nested too deep");
        push_unescaped(s->L, key, key_len);
        key = (const unsigned char *)lua_tolstring(s->L, -1, &key_len);
        decoded = 1;
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
    /* (a failure below leaves a decoded key on the stack: the call
     * returns false at once, and Lua drops the stack with the call) */
    if (hits) {
      const unsigned char *start = s->p;
      field got;
      size_t i;
      got.escaped = 0;
      if (s->p < s->end && *s->p == '"') {
        s->p++;
        if (!string_body(s, &got.escaped)) return 0;
        got.kind = STRING;
        got.at = start + 1;
        got.len = (size_t)(s->p - 1 - got.at);
      } else {
        if (!value(s, NULL, 0)) return 0;
        got.kind = (*start == '-' || (*start >= '0' && *start <= '9')) ? NUMBER : OTHER;
        got.at = start;
        got.len = (size_t)(s->p - start);
      }
      for (i = 0; i < nf; i++) {
        if (!(hits & ((uint32_t)1 << i))) continue;
        f[i].kind = got.kind;
        f[i].at = got.at;
        f[i].len = got.len;
        f[i].escaped = got.escaped;
      }
      if (decoded) lua_pop(s->L, 1);
    } else {
      const unsigned char *start = s->p;
      if (!value(s, NULL, 0)) return 0;
      if (s->others && s->depth == 1 && is_object) { /* t[key] = the value's JSON text, as written */
        if (!decoded) lua_pushlstring(s->L, (const char *)key, key_len);
        lua_pushlstring(s->L, (const char *)start, (size_t)(s->p - start));
        lua_rawset(s->L, s->others);
      } else if (decoded) {
        lua_pop(s->L, 1);
      }
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
  int escaped;
  if (s->p >= s->end) return 0;
  switch (*s->p) {
  case '{': case '[': return container(s, f, nf);
  case '"': s->p++; return string_body(s, &escaped);
  case 't': return literal(s, "true");
  case 'f': return literal(s, "false");
  case 'n': return literal(s, "null");
  default: return number(s);
  }
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

/* The plain bytes of [p, end) up to the first backslash, copied to *o;
 * returns where the copy stopped in the input (end, or a backslash) and
 * moves *o as far. With SSE2, 16 bytes per step: each block is stored
 * whole and the output moved by its bytes before the backslash (the output
 * is never ahead of the input, so a block stored from 16 bytes of input
 * fits the buffer); else memchr and memcpy, a call each per escape (a news
 * article has dozens: 500 instructions per document more). */
static const unsigned char *copy_plain(const unsigned char *p, const unsigned char *end, char **o) {
#if defined(__SSE2__) && defined(__GNUC__)
  const __m128i backslash = _mm_set1_epi8('\\');
  char *out = *o;
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash));
    _mm_storeu_si128((__m128i *)(void *)out, v);
    if (m) {
      unsigned k = (unsigned)__builtin_ctz(m);
      *o = out + k;
      return p + k;
    }
    p += 16;
    out += 16;
  }
  while (p < end && *p != '\\') *out++ = (char)*p++;
  *o = out;
  return p;
#else
  const unsigned char *stop = memchr(p, '\\', (size_t)(end - p));
  if (!stop) stop = end;
  memcpy(*o, p, (size_t)(stop - p));
  *o += stop - p;
  return stop;
#endif
}

/* Push a validated string body with its escapes decoded. Decoding never
 * lengthens it (an escape of k bytes gives at most k bytes: \uXXXX at
 * most 3, a surrogate pair's 12 bytes 4), so it is written straight into
 * a buffer of len bytes. */
static void push_unescaped(lua_State *L, const unsigned char *p, size_t len) {
  const unsigned char *end = p + len;
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, len), *o = out;
  static const char simple[] = { ['b'] = '\b', ['f'] = '\f', ['n'] = '\n', ['r'] = '\r', ['t'] = '\t',
                                 ['"'] = '"', ['\\'] = '\\', ['/'] = '/' };
  while (p < end) {
    p = copy_plain(p, end, &o);
    if (p >= end) break;
    if (p[1] == 'u') {
      unsigned cp = 0;
      p += 1 + unicode_escape(p + 1, end, &cp); /* validated: never 0 */
      o += put_utf8(o, cp);
    } else { /* validated: one of simple's */
      *o++ = simple[p[1]];
      p += 2;
    }
  }
  luaL_pushresultsize(&b, (size_t)(o - out));
}

static const char *const KIND_NAMES[] = { "absent", "string", "number", "other" };

/***
 * Two top-level fields of a JSON object (or more), without decoding the rest.
 * @function json_fields
 * @string line one JSON text (surrounding whitespace allowed)
 * @string name1
 * @string name2
 * @tparam[opt] table others gets every other top-level member, key =
 *   its JSON text exactly as written ([] stays [], 12345678901234567890
 *   keeps its digits); filled as the scan goes, so drop it when the call
 *   returns false
 * @string[opt] ... more names (after others, which may then be nil), up
 *   to 32 names in all: the fields of a text in several (title, body)
 * @return v1, kind1, v2, kind2, ...: for each name in order, a string
 *   field's value (escapes decoded), a number's token as written, nil
 *   otherwise; kind "string", "number", "other" (true, false, null, an
 *   object or array) or "absent"
 * @return[2] false when the line is not an object this scanner handles
 *   (then decode it with lua-cjson, whose verdict stands)
 */
int tcl_json_fields(lua_State *L) {
  size_t len, i, nf;
  const char *line = luaL_checklstring(L, 1, &len);
  int top = lua_gettop(L);
  field f[MAX_FIELDS];
  scan s;
  nf = top > 4 ? (size_t)top - 2 : 2;
  if (nf > MAX_FIELDS) luaL_argerror(L, MAX_FIELDS + 3, "at most 32 field names");
  for (i = 0; i < nf; i++) {
    f[i].name = luaL_checklstring(L, i < 2 ? (int)i + 2 : (int)i + 3, &f[i].name_len);
    f[i].kind = ABSENT;
    f[i].at = NULL;
    f[i].len = 0;
    f[i].escaped = 0;
  }
  s.p = (const unsigned char *)line;
  s.end = s.p + len;
  s.depth = 0;
  s.L = L;
  s.others = 0;
  if (!lua_isnoneornil(L, 4)) {
    luaL_checktype(L, 4, LUA_TTABLE);
    luaL_checkstack(L, 3, NULL);
    s.others = 4;
  }
  skip_ws(&s);
  if (s.p >= s.end || *s.p != '{' || !container(&s, f, nf)) {
    lua_pushboolean(L, 0);
    return 1;
  }
  skip_ws(&s);
  if (s.p != s.end) {
    lua_pushboolean(L, 0);
    return 1;
  }
  luaL_checkstack(L, 2 * (int)nf + 1, NULL);
  for (i = 0; i < nf; i++) {
    if (f[i].kind == STRING && f[i].escaped) push_unescaped(L, f[i].at, f[i].len);
    else if (f[i].kind == STRING || f[i].kind == NUMBER) lua_pushlstring(L, (const char *)f[i].at, f[i].len);
    else lua_pushnil(L);
    lua_pushstring(L, KIND_NAMES[f[i].kind]);
  }
  return 2 * (int)nf;
}
