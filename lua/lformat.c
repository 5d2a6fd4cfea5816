/*
 * lformat.c - textclass.format_scores: a result's "label:score" list.
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

/* Longest "%.4f" of a double: 309 digits, the point, four decimals, a sign. */
#define SCORE_MAX 320

/* Writes x as "%.4f" does into out (SCORE_MAX bytes); returns the length. */
static size_t format_4f(double x, char *out) {
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
    int n = snprintf(out, SCORE_MAX, "%.4f", x);
    return n < 0 ? 0 : (size_t)n < SCORE_MAX ? (size_t)n : SCORE_MAX - 1;
  }
}

/* textclass.format_scores(names, scores [, quoted]) -> string
 * names: an array of label names, in the order to print; scores: name ->
 * number; quoted (optional): name -> the form to print instead (read with
 * metamethods, so a memo table with __index works). Pairs are joined by
 * ",", name and score by ":". A score that is not a number is an error. */
int tcl_format_scores(lua_State *L) {
  lua_Integer i, n;
  int quoted;
  luaL_Buffer b;
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  quoted = !lua_isnoneornil(L, 3);
  if (quoted) luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  n = luaL_len(L, 1);
  luaL_buffinit(L, &b);
  for (i = 1; i <= n; i++) {
    char num[SCORE_MAX + 1];
    size_t len;
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
      luaL_tolstring(L, -1, NULL);     /* a number name, as tostring gives it */
      lua_remove(L, -2);
    }
    luaL_addvalue(&b);
    num[0] = ':';
    len = format_4f(x, num + 1);
    luaL_addlstring(&b, num, len + 1);
  }
  luaL_pushresult(&b);
  return 1;
}
