/*
 * lformat.c - textclass.format_scores: a result's "label:score" list;
 * textclass.format_field: one field of a TSV or CSV record (or a JSON
 * string); and the same
 * two as pieces for C (tcl_format_score, tcl_add_field), with which
 * model:label_records writes label's records.
 *
 * `textclass label` writes every document's scores, best first, as
 * "politics:0.9812,sport:0.0311,...": with 20 labels that is 20 numbers per
 * document, and string.format's "%.4f" (glibc's exact, multiprecision
 * printf) cost as much per document as the Lua that reads and writes it.
 * Here a score is printed exactly as "%.4f" prints it, by integer
 * arithmetic when that is provably the same, else by snprintf:
 *
 *   For 0 <= x < 1000, y = x * 10000 is rounded once, so it is within
 *   2^-30 of the exact product (y < 2^24, half an ulp). Its integer part k
 *   and fraction f = y - k are exact. Unless f is within 1e-8 of 0.5, the
 *   exact product rounds to the same integer as y does: k, or k + 1 when
 *   f > 0.5. Near 0.5 (a decimal tie, or nearly one), and for negative,
 *   large or infinite numbers, snprintf decides. NaN is "nan", whatever
 *   its sign bit, as util.fmt_score spells it.
 *
 * tests/lua/format_scores_spec.lua holds it to string.format on 200,000
 * random scores, 120,000 decimal ties and their neighbours, and specials.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ltextclass.h"

size_t tcl_format_score(double x, char *out) {
  if (x != x) {
    memcpy(out, "nan", 3);
    return 3;
  }
  if (x >= 0 && x < 1000 && !signbit(x)) {
    double y = x * 10000.0;
    unsigned long k = (unsigned long)y; /* y >= 0: truncation is floor */
    double f = y - (double)k;
    if (fabs(f - 0.5) > 1e-8) {
      unsigned long v = k + (f > 0.5), ip = v / 10000, fp = v % 10000; /* ip <= 1000 */
      size_t n = 0;
      if (ip >= 1000) out[n++] = (char)('0' + ip / 1000);
      if (ip >= 100) out[n++] = (char)('0' + ip / 100 % 10);
      if (ip >= 10) out[n++] = (char)('0' + ip / 10 % 10);
      out[n++] = (char)('0' + ip % 10);
      out[n++] = '.';
      out[n++] = (char)('0' + fp / 1000);
      out[n++] = (char)('0' + fp / 100 % 10);
      out[n++] = (char)('0' + fp / 10 % 10);
      out[n++] = (char)('0' + fp % 10);
      return n;
    }
  }
  {
    int n = snprintf(out, TCL_SCORE_MAX, "%.4f", x);
    return n < 0 ? 0 : (size_t)n < TCL_SCORE_MAX ? (size_t)n : TCL_SCORE_MAX - 1;
  }
}

/* textclass.format_scores(names, scores [, quoted]) -> string
 * names: an array of label names, in the order to print; scores: name ->
 * number; quoted (optional): name -> the form to print instead (read with
 * metamethods, so a memo table with __index works). Pairs are joined by
 * ",", name and score by ":". A score that is not a number is an error,
 * and so is a name, or its quoted form, that is neither a string nor a
 * number (which would print as "nil", "true" or "table: 0x..."). */
int tcl_format_scores(lua_State *L) {
  lua_Integer i, n;
  int quoted;
  luaL_Buffer b;
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  quoted = !lua_isnoneornil(L, 3);
  if (quoted) luaL_checktype(L, 3, LUA_TTABLE);
  tcl_check_nargs(L, 3);
  lua_settop(L, 3);
  n = luaL_len(L, 1);
  luaL_buffinit(L, &b);
  for (i = 1; i <= n; i++) {
    char num[TCL_SCORE_MAX + 1];
    double x;
    int isnum;
    if (i > 1) luaL_addchar(&b, ',');
    lua_geti(L, 1, i);                 /* name */
    lua_pushvalue(L, -1);
    lua_gettable(L, 2);                /* name, score */
    x = lua_tonumberx(L, -1, &isnum);
    if (!isnum) {
      const char *type = luaL_typename(L, -1), *name = luaL_tolstring(L, -2, NULL);
      return luaL_error(L, "format_scores: the score of label '%s' is %s, not a number", name, type);
    }
    lua_pop(L, 1);                     /* name */
    if (quoted) lua_gettable(L, 3);    /* its printed form */
    if (lua_type(L, -1) != LUA_TSTRING) {
      if (lua_type(L, -1) != LUA_TNUMBER) { /* (nil: a name quoted lacks) */
        const char *type = luaL_typename(L, -1);
        if (!quoted) return luaL_error(L, "format_scores: names[%I] is %s, not a string", i, type);
        lua_geti(L, 1, i);
        return luaL_error(L, "format_scores: the quoted form of label '%s' is %s, not a string",
                          luaL_tolstring(L, -1, NULL), type);
      }
      luaL_tolstring(L, -1, NULL);     /* a number name, as tostring gives it */
      lua_remove(L, -2);
    }
    luaL_addvalue(&b);
    num[0] = ':';
    luaL_addlstring(&b, num, tcl_format_score(x, num + 1) + 1);
  }
  luaL_pushresult(&b);
  return 1;
}

/* textclass.format_field(s, format) -> string
 * s as a field of `textclass label`'s records in format "tsv" (backslash,
 * tab, CR, LF and NUL written \\, \t, \r, \n, \0) or "csv" (RFC 4180: in
 * double quotes, quotes doubled, when it holds a comma, quote, CR or LF or
 * begins or ends with white space, which some readers trim); s itself when
 * it needs neither. The writers did this with string.find's patterns,
 * which try a bracket class at every byte: 3k instructions for an id of a
 * dozen bytes, 2% of labelling a news article. In format "json", s as a
 * JSON string literal (tcl_add_json_string), util.json's: lua-cjson's
 * encode had written it, which first grows its buffer to six times the
 * string and, when it cannot, exits the process (status 255). */
static const char TSV_ESCAPE[256] = { ['\\'] = '\\', ['\t'] = 't', ['\r'] = 'r', ['\n'] = 'n', [0] = '0' };
static const unsigned char CSV_QUOTE[256] = { [','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1 };

/* Does s hold a byte TSV escapes? */
static int tsv_needs_escapes(const char *s, size_t len) {
  size_t i;
  for (i = 0; i < len; i++)
    if (TSV_ESCAPE[(unsigned char)s[i]]) return 1;
  return 0;
}

/* White space as Lua's %s sees it in the C locale. */
static int is_space(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* Does s need CSV's quotes? */
static int csv_needs_quotes(const unsigned char *s, size_t len) {
  size_t i = 0;
  while (i < len && !CSV_QUOTE[s[i]]) i++;
  return i < len || (len > 0 && (is_space(s[0]) || is_space(s[len - 1])));
}

void tcl_add_field(luaL_Buffer *b, const char *field, size_t len, int csv) {
  const unsigned char *s = (const unsigned char *)field;
  size_t i, run = 0;
  if (csv) {
    if (!csv_needs_quotes(s, len)) {
      luaL_addlstring(b, field, len);
      return;
    }
    luaL_addchar(b, '"');
    for (i = 0; i < len; i++) {
      if (s[i] != '"') continue;
      luaL_addlstring(b, field + run, i + 1 - run);
      luaL_addchar(b, '"');
      run = i + 1;
    }
    luaL_addlstring(b, field + run, len - run);
    luaL_addchar(b, '"');
    return;
  }
  for (i = 0; i < len; i++) {
    if (!TSV_ESCAPE[s[i]]) continue;
    luaL_addlstring(b, field + run, i - run);
    luaL_addchar(b, '\\');
    luaL_addchar(b, TSV_ESCAPE[s[i]]);
    run = i + 1;
  }
  luaL_addlstring(b, field + run, len - run);
}

int tcl_format_field(lua_State *L) {
  static const char *const formats[] = { "tsv", "csv", "json", NULL };
  size_t len;
  const char *s = luaL_checklstring(L, 1, &len);
  int format = luaL_checkoption(L, 2, NULL, formats);
  luaL_Buffer b;
  tcl_check_nargs(L, 2);
  lua_settop(L, 1);
  if (format == 2) { /* (a JSON string always has its quotes) */
    luaL_buffinit(L, &b);
    tcl_add_json_string(&b, s, len);
    luaL_pushresult(&b);
    return 1;
  }
  /* (s itself when it needs no change: no copy) */
  if (format == 1 ? !csv_needs_quotes((const unsigned char *)s, len) : !tsv_needs_escapes(s, len)) return 1;
  luaL_buffinit(L, &b);
  tcl_add_field(&b, s, len, format == 1);
  luaL_pushresult(&b);
  return 1;
}

/* The length of the UTF-8 sequence at s[0] (n >= 1 bytes left) if Lua's
 * utf8.len takes it (strict: no overlong forms, surrogates or code points
 * past U+10FFFF), else 0. Written after lutf8lib.c's utf8_decode, so
 * util.utf8_safe and tcl_add_json_string replace the same bytes. */
static size_t lua_utf8_length(const unsigned char *s, size_t n) {
  static const uint32_t limits[] = { ~(uint32_t)0, 0x80, 0x800, 0x10000u, 0x200000u, 0x4000000u };
  unsigned c = s[0];
  uint32_t res = 0;
  size_t count = 0;
  if (c < 0x80) return 1;
  for (; c & 0x40; c <<= 1) {
    unsigned cc;
    if (++count >= n || count > 5) return 0;
    cc = s[count];
    if ((cc & 0xC0) != 0x80) return 0;
    res = (res << 6) | (cc & 0x3F);
  }
  res |= (uint32_t)(c & 0x7F) << (count * 5);
  if (res < limits[count] || res > 0x10FFFFu || (res >= 0xD800u && res <= 0xDFFFu)) return 0;
  return count + 1;
}

void tcl_add_json_string(luaL_Buffer *b, const char *str, size_t len) {
  static const char hex[] = "0123456789abcdef";
  const unsigned char *s = (const unsigned char *)str;
  int valid = tc_utf8_check(str, len) == len;
  size_t i = 0, run = 0;
  luaL_addchar(b, '"');
  while (i < len) {
    unsigned c = s[i];
    if (c >= 0x80) {
      size_t k = valid ? 1 : lua_utf8_length(s + i, len - i);
      if (k) {
        i += k;
        continue;
      }
      luaL_addlstring(b, str + run, i - run);
      luaL_addstring(b, "\xEF\xBF\xBD"); /* U+FFFD */
      run = ++i;
      continue;
    }
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F) {
      i++;
      continue;
    }
    luaL_addlstring(b, str + run, i - run);
    luaL_addchar(b, '\\');
    switch (c) {
    case '"': case '\\': luaL_addchar(b, (char)c); break;
    case '\b': luaL_addchar(b, 'b'); break;
    case '\f': luaL_addchar(b, 'f'); break;
    case '\n': luaL_addchar(b, 'n'); break;
    case '\r': luaL_addchar(b, 'r'); break;
    case '\t': luaL_addchar(b, 't'); break;
    default:
      luaL_addstring(b, "u00");
      luaL_addchar(b, hex[c >> 4]);
      luaL_addchar(b, hex[c & 15]);
    }
    run = ++i;
  }
  luaL_addlstring(b, str + run, len - run);
  luaL_addchar(b, '"');
}

void tcl_add_utf8_safe(luaL_Buffer *b, const char *str, size_t len) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0, run = 0;
  if (tc_utf8_check(str, len) == len) {
    luaL_addlstring(b, str, len);
    return;
  }
  while (i < len) {
    size_t k = lua_utf8_length(s + i, len - i);
    if (k) {
      i += k;
      continue;
    }
    luaL_addlstring(b, str + run, i - run);
    luaL_addstring(b, "\xEF\xBF\xBD");
    run = ++i;
  }
  luaL_addlstring(b, str + run, len - run);
}
