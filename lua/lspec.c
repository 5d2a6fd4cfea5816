/*
 * lspec.c - option and spec tables: checked, then copied into the core's
 * structs.
 *
 * Every table a caller hands us is checked in full before any work is
 * done: unknown keys are rejected by name (a typo such as `stopword = false`
 * would otherwise be silently ignored), and every field is type- and
 * range-checked so the error names it: "bad argument #1 to 'train'
 * (spec.C: positive number expected, got string)". Only raw accesses
 * are used, on option tables as on sequences (texts, labels), so no
 * metamethod runs while we hold pointers into Lua strings, and a field is
 * read from the table whose keys tcl_check_keys checked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ltextclass.h"

/* ====================================================================
 * Keys
 * ==================================================================== */

static const struct {
  const char *name;
  int kind;     /* mask of the TCL_OPT_* tables that may hold the key */
} known_keys[] = {
  {"strip_accents", TCL_OPT_NORMALIZE},
  {"compat", TCL_OPT_NORMALIZE},
  {"casefold", TCL_OPT_NORMALIZE},
  {"strip_boilerplate", TCL_OPT_TOKENIZE},
  {"stopwords", TCL_OPT_TOKENIZE},
  {"stem", TCL_OPT_TOKENIZE},
  {"max_token_bytes", TCL_OPT_TOKENIZE},
  {"ngrams", TCL_OPT_TOKENIZE},
  {"char_ngrams", TCL_OPT_TOKENIZE},
  {"title_terms", TCL_OPT_TOKENIZE},
  {"min_df", TCL_OPT_FEATURES},
  {"max_df", TCL_OPT_FEATURES},
  {"max_features", TCL_OPT_FEATURES},
  {"sublinear_tf", TCL_OPT_FEATURES},
  {"use_idf", TCL_OPT_FEATURES},
  {"l2_normalize", TCL_OPT_FEATURES},
  {"texts", TCL_OPT_TRAIN},
  {"labels", TCL_OPT_TRAIN},
  {"sources", TCL_OPT_TRAIN},
  {"multilabel", TCL_OPT_TRAIN},
  {"kernel", TCL_OPT_TRAIN},
  {"solver", TCL_OPT_TRAIN},
  {"C", TCL_OPT_TRAIN},
  {"gamma", TCL_OPT_TRAIN},
  {"class_weight", TCL_OPT_TRAIN},
  {"tolerance", TCL_OPT_TRAIN},
  {"calibrate", TCL_OPT_TRAIN},
  {"threshold", TCL_OPT_TRAIN | TCL_OPT_PREDICT},
  {"fallback", TCL_OPT_TRAIN},
  {"short_features", TCL_OPT_TRAIN},
  {"short_moderation", TCL_OPT_TRAIN},
  {"cv", TCL_OPT_TRAIN},
  {"grid", TCL_OPT_TRAIN},
  {"seed", TCL_OPT_TRAIN},
  {"threads", TCL_OPT_TRAIN | TCL_OPT_PREDICT},
  {"top", TCL_OPT_RESULTS},
  {"cache_mb", TCL_OPT_TRAIN},
  {"progress", TCL_OPT_TRAIN},
};

static const char *prefix_of(int kinds) {
  return (kinds & TCL_OPT_TRAIN) ? "spec" : "opts";
}

void tcl_check_keys(lua_State *L, int arg, int kinds, const char *what) {
  luaL_checktype(L, arg, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, arg)) {
    size_t i;
    const char *key;
    if (lua_type(L, -2) != LUA_TSTRING) {
      luaL_argerror(L, arg, lua_pushfstring(L, "%s keys must be strings, got %s",
                                            what, luaL_typename(L, -2)));
    }
    key = lua_tostring(L, -2);
    for (i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++) {
      if (strcmp(known_keys[i].name, key) == 0) break;
    }
    if (i == sizeof known_keys / sizeof known_keys[0] || !(known_keys[i].kind & kinds)) {
      luaL_argerror(L, arg, lua_pushfstring(L, "unknown %s '%s'", what, key));
    }
    lua_pop(L, 1);
  }
}

/* ====================================================================
 * Fields
 * ==================================================================== */

/* Raise for the value on top of the stack, read from field `name`. */
int tcl_bad_field(lua_State *L, int arg, int kinds, const char *name, const char *expected) {
  return luaL_argerror(L, arg, lua_pushfstring(L, "%s.%s: %s expected, got %s",
                                               prefix_of(kinds), name, expected,
                                               luaL_typename(L, -1)));
}

/* Each reader pushes the field, converts it and pops it again; a nil
 * value keeps the default already in *dst. */
void tcl_opt_bool(lua_State *L, int arg, int kinds, const char *name, int *dst) {
  int t = tcl_rawfield(L, arg, name);
  if (t == LUA_TBOOLEAN) *dst = lua_toboolean(L, -1);
  else if (t != LUA_TNIL) tcl_bad_field(L, arg, kinds, name, "boolean");
  lua_pop(L, 1);
}

/* An integer in [lo, hi]; floats with an exact integer value are accepted,
 * strings are not. */
static int get_int(lua_State *L, int arg, int kinds, const char *name, lua_Integer lo,
                   lua_Integer hi, lua_Integer *out) {
  int ok = 0;
  lua_Integer v = 0;
  if (lua_type(L, -1) == LUA_TNUMBER) v = lua_tointegerx(L, -1, &ok);
  if (!ok || v < lo || v > hi) {
    char expected[96];
    if (hi >= 0x7fffffff && !(ok && v > hi)) /* "no upper limit" in practice, unless passed */
      snprintf(expected, sizeof expected, "integer >= " LUA_INTEGER_FMT, lo);
    else
      snprintf(expected, sizeof expected, "integer in [" LUA_INTEGER_FMT ", " LUA_INTEGER_FMT "]",
               lo, hi);
    if (lua_type(L, -1) == LUA_TNUMBER) {
      return luaL_argerror(L, arg, lua_pushfstring(L, "%s.%s: %s expected, got %s",
                                                   prefix_of(kinds), name, expected,
                                                   lua_tostring(L, -1)));
    }
    return tcl_bad_field(L, arg, kinds, name, expected);
  }
  *out = v;
  return 1;
}

void tcl_opt_int(lua_State *L, int arg, int kinds, const char *name, lua_Integer lo,
                 lua_Integer hi, int *dst) {
  lua_Integer v;
  if (tcl_rawfield(L, arg, name) != LUA_TNIL && get_int(L, arg, kinds, name, lo, hi, &v))
    *dst = (int)v; /* lo..hi lie within int: callers pass int limits */
  lua_pop(L, 1);
}

void tcl_opt_num(lua_State *L, int arg, int kinds, const char *name, double lo, int open_lo,
                 double hi, double *dst) {
  int t = tcl_rawfield(L, arg, name);
  if (t == LUA_TNUMBER) {
    double v = (double)lua_tonumber(L, -1);
    if (!(open_lo ? v > lo : v >= lo) || !(v <= hi)) { /* NaN fails too */
      luaL_argerror(L, arg, lua_pushfstring(L, "%s.%s: number in %c%f, %f] expected, got %f",
                                            prefix_of(kinds), name, open_lo ? '(' : '[',
                                            (lua_Number)lo, (lua_Number)hi, (lua_Number)v));
    }
    *dst = v;
  } else if (t != LUA_TNIL) {
    tcl_bad_field(L, arg, kinds, name, "number");
  }
  lua_pop(L, 1);
}

/* ngrams = {min, max} | n | false (false: 0..0, off), lengths in [1, most]
 * (the core's TC_MAX_WORD_NGRAM or TC_MAX_CHAR_NGRAM, so a length it would
 * refuse is named as this field). Returns 1 when given. */
static int opt_range(lua_State *L, int arg, int kinds, const char *name, lua_Integer most, int *lo,
                     int *hi) {
  int t = tcl_rawfield(L, arg, name);
  lua_Integer a, b;
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
    *lo = *hi = 0;
  } else if (t == LUA_TNUMBER) {
    get_int(L, arg, kinds, name, 1, most, &a);
    *lo = *hi = (int)a;
  } else if (t == LUA_TTABLE && lua_rawlen(L, -1) == 2) {
    lua_rawgeti(L, -1, 1);
    get_int(L, arg, kinds, name, 1, most, &a);
    lua_pop(L, 1);
    lua_rawgeti(L, -1, 2);
    get_int(L, arg, kinds, name, 1, most, &b);
    lua_pop(L, 1);
    if (a > b) {
      luaL_argerror(L, arg, lua_pushfstring(L, "%s.%s: {min, max} with min <= max expected, got {%I, %I}",
                                            prefix_of(kinds), name, a, b));
    }
    *lo = (int)a;
    *hi = (int)b;
  } else {
    tcl_bad_field(L, arg, kinds, name, "{min, max}, integer or false");
  }
  lua_pop(L, 1);
  return 1;
}

/* stopwords = "english" | "none" | false | {"word", ...} */
static void opt_stopwords(lua_State *L, int arg, int anchor, int kinds, tc_options *o) {
  int t = tcl_rawfield(L, arg, "stopwords");
  if (t == LUA_TNIL) {
    /* default */
  } else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
    o->stopword_mode = TC_STOPWORDS_NONE;
  } else if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "english") == 0) {
    o->stopword_mode = TC_STOPWORDS_ENGLISH;
  } else if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "none") == 0) {
    o->stopword_mode = TC_STOPWORDS_NONE;
  } else if (t == LUA_TTABLE) {
    size_t n, i;
    const char **words;
    tcl_check_plain(L, arg, -2, lua_pushfstring(L, "%s.stopwords", prefix_of(kinds)));
    lua_pop(L, 1);
    n = (size_t)lua_rawlen(L, -1);
    words = tcl_scratch(L, n, sizeof *words);
    tcl_anchor(L, anchor);  /* the pointer array */
    lua_newtable(L);        /* our own copy of the list keeps the strings alive */
    for (i = 0; i < n; i++) {
      if (lua_rawgeti(L, -2, (lua_Integer)i + 1) != LUA_TSTRING) {
        luaL_argerror(L, arg, lua_pushfstring(L, "%s.stopwords[%I]: string expected, got %s",
                                              prefix_of(kinds), (lua_Integer)i + 1,
                                              luaL_typename(L, -1)));
      }
      words[i] = lua_tostring(L, -1);
      if (strlen(words[i]) != (size_t)lua_rawlen(L, -1)) {
        luaL_argerror(L, arg, lua_pushfstring(L, "%s.stopwords[%I]: word contains a NUL byte",
                                              prefix_of(kinds), (lua_Integer)i + 1));
      }
      lua_rawseti(L, -2, (lua_Integer)i + 1);
    }
    tcl_anchor(L, anchor);
    o->stopword_mode = TC_STOPWORDS_CUSTOM;
    o->stopwords = words;
    o->n_stopwords = n;
  } else {
    tcl_bad_field(L, arg, kinds, "stopwords", "\"english\", \"none\", false or a list of words");
  }
  lua_pop(L, 1);
}

/* stem = "english" | "none" | false */
static void opt_stem(lua_State *L, int arg, int kinds, tc_options *o) {
  int t = tcl_rawfield(L, arg, "stem");
  if (t == LUA_TNIL) {
    /* default */
  } else if ((t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) ||
             (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "none") == 0)) {
    o->stem = TC_STEM_NONE;
  } else if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "english") == 0) {
    o->stem = TC_STEM_ENGLISH;
  } else {
    tcl_bad_field(L, arg, kinds, "stem", "\"english\", \"none\" or false");
  }
  lua_pop(L, 1);
}

void tcl_anchor(lua_State *L, int anchor) {
  lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
}

int tcl_read_options(lua_State *L, int arg, int anchor, int kinds, tc_options *o) {
  int explicit_ngrams = 0;
  const char *msg;
  if (arg == 0) goto check;
  tcl_opt_bool(L, arg, kinds, "strip_accents", &o->strip_accents);
  tcl_opt_bool(L, arg, kinds, "compat", &o->compat);
  tcl_opt_bool(L, arg, kinds, "casefold", &o->casefold);
  if (kinds & TCL_OPT_TOKENIZE) {
    tcl_opt_bool(L, arg, kinds, "strip_boilerplate", &o->strip_boilerplate);
    tcl_opt_int(L, arg, kinds, "max_token_bytes", 4, TC_MAX_TOKEN_BYTES, &o->max_token_bytes);
    opt_stopwords(L, arg, anchor, kinds, o);
    opt_stem(L, arg, kinds, o);
    explicit_ngrams |= opt_range(L, arg, kinds, "ngrams", TC_MAX_WORD_NGRAM, &o->word_ngram_min,
                                 &o->word_ngram_max);
    explicit_ngrams |= opt_range(L, arg, kinds, "char_ngrams", TC_MAX_CHAR_NGRAM, &o->char_ngram_min,
                                 &o->char_ngram_max);
    tcl_opt_bool(L, arg, kinds, "title_terms", &o->title_terms);
  }
  if (kinds & TCL_OPT_FEATURES) {
    tcl_opt_int(L, arg, kinds, "min_df", 1, 0x7fffffff, &o->min_df);
    tcl_opt_num(L, arg, kinds, "max_df", 0.0, 1, 1.0, &o->max_df);
    tcl_opt_int(L, arg, kinds, "max_features", 0, 0x7fffffff, &o->max_features);
    tcl_opt_bool(L, arg, kinds, "sublinear_tf", &o->sublinear_tf);
    tcl_opt_bool(L, arg, kinds, "use_idf", &o->use_idf);
    tcl_opt_bool(L, arg, kinds, "l2_normalize", &o->l2_normalize);
  }
check:
  msg = tc_options_check(o);
  if (msg) {
    if (arg == 0) luaL_error(L, "textclass: default options rejected: %s", msg);
    luaL_argerror(L, arg, lua_pushfstring(L, "%s: %s", prefix_of(kinds), msg));
  }
  return explicit_ngrams;
}

/* ====================================================================
 * Sequences
 * ==================================================================== */

void tcl_check_plain(lua_State *L, int arg, int idx, const char *what) {
  int proxy;
  if (!lua_getmetatable(L, idx)) return;
  tcl_rawfield(L, -1, "__index");
  tcl_rawfield(L, -2, "__len");
  proxy = !lua_isnil(L, -1) || !lua_isnil(L, -2);
  lua_pop(L, 3);
  if (proxy) {
    luaL_argerror(L, arg, lua_pushfstring(L, "%s: a table with an __index or __len metamethod, "
                                          "whose elements a raw read would not see: pass a plain "
                                          "table", what));
  }
}

/* The sequence at idx (n texts) replaced on the stack by a copy in which
 * each number is its string, as lua_tolstring makes it; the caller's table
 * is left as it was. */
static void texts_as_strings(lua_State *L, int idx, size_t n) {
  size_t i;
  lua_createtable(L, n <= 0x7fffffff ? (int)n : 0, 0);
  for (i = 1; i <= n; i++) {
    if (lua_rawgeti(L, idx, (lua_Integer)i) == LUA_TNUMBER) lua_tolstring(L, -1, NULL);
    lua_rawseti(L, -2, (lua_Integer)i);
  }
  lua_replace(L, idx);
}

size_t tcl_check_texts(lua_State *L, int arg, int idx, const char *what) {
  size_t n, i;
  int numbers = 0;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE) {
    luaL_argerror(L, arg, lua_pushfstring(L, "%s: table of strings expected, got %s", what,
                                          luaL_typename(L, idx)));
  }
  tcl_check_plain(L, arg, idx, what);
  n = (size_t)lua_rawlen(L, idx);
  for (i = 1; i <= n; i++) {
    int t = lua_rawgeti(L, idx, (lua_Integer)i);
    if (t == LUA_TNUMBER) numbers = 1;
    else if (t != LUA_TSTRING) {
      luaL_argerror(L, arg, lua_pushfstring(L, "%s[%I]: string expected, got %s", what,
                                            (lua_Integer)i, luaL_typename(L, -1)));
    }
    lua_pop(L, 1);
  }
  if (numbers) texts_as_strings(L, idx, n);
  return n;
}

void tcl_check_nargs(lua_State *L, int max) {
  if (lua_gettop(L) > max) luaL_argerror(L, max + 1, "unexpected argument");
}

/* ====================================================================
 * Label lists
 * ==================================================================== */

/* Raise argument arg's error "<what>[i]<fmt...>", or "<what><fmt...>" for
 * i 0 (a lone entry, not one of a table's). */
static void entry_error(lua_State *L, int arg, const char *what, lua_Integer i, const char *fmt, ...) {
  va_list ap;
  if (i > 0) lua_pushfstring(L, "%s[%I]", what, i);
  else lua_pushstring(L, what);
  va_start(ap, fmt);
  lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  lua_concat(L, 2);
  luaL_argerror(L, arg, lua_tostring(L, -1));
}

size_t tcl_check_label_entry(lua_State *L, int arg, const char *what, lua_Integer i, int *is_list) {
  int t = lua_type(L, -1);
  size_t k, j, l;
  char why[TC_LABEL_PROBLEM_SIZE];
  if (t == LUA_TSTRING) {
    const char *s = lua_tolstring(L, -1, &l);
    if (tc_label_name_problem(s, l, why)) entry_error(L, arg, what, i, ": label name %s", why);
    *is_list = 0;
    return 1;
  }
  if (t != LUA_TTABLE) {
    entry_error(L, arg, what, i, ": string or list of strings expected, got %s", luaL_typename(L, -1));
  }
  *is_list = 1;
  if (i > 0) {
    const char *at = lua_pushfstring(L, "%s[%I]", what, i);
    tcl_check_plain(L, arg, -2, at);
    lua_pop(L, 1);
  } else {
    tcl_check_plain(L, arg, -1, what);
  }
  k = (size_t)lua_rawlen(L, -1);
  /* the names seen, as a set: a Lua classifier may return any number of
   * labels, and comparing each with every earlier one took minutes for a
   * million (eval -c) */
  lua_createtable(L, 0, k < 64 ? (int)k : 64);
  for (j = 1; j <= k; j++) {
    const char *s;
    if (lua_rawgeti(L, -2, (lua_Integer)j) != LUA_TSTRING) {
      entry_error(L, arg, what, i, "[%I]: string expected, got %s", (lua_Integer)j, luaL_typename(L, -1));
    }
    s = lua_tolstring(L, -1, &l);
    if (tc_label_name_problem(s, l, why)) entry_error(L, arg, what, i, "[%I]: label name %s", (lua_Integer)j, why);
    lua_pushvalue(L, -1);
    if (lua_rawget(L, -3) != LUA_TNIL) entry_error(L, arg, what, i, ": label '%s' repeated", s);
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3); /* seen[name] = true, popping both */
  }
  lua_pop(L, 1);
  return k;
}

/* Check the labels table at `li` against n texts: same length, every entry
 * valid. Returns the most labels any document has; *any_list when some
 * entry is a table; *bad_single: first entry (1-based) not naming exactly
 * one label, or 0. */
size_t tcl_check_labels(lua_State *L, int arg, int li, size_t n, const char *what,
                           const char *texts_what, int *any_list, lua_Integer *bad_single) {
  size_t i, most = 0, len;
  if (lua_type(L, li) != LUA_TTABLE) {
    luaL_argerror(L, arg, lua_pushfstring(L, "%s: table expected, got %s", what,
                                          luaL_typename(L, li)));
  }
  tcl_check_plain(L, arg, li, what);
  len = (size_t)lua_rawlen(L, li);
  if (len != n) {
    luaL_argerror(L, arg, lua_pushfstring(L, "%s has %I entries but %s has %I", what,
                                          (lua_Integer)len, texts_what, (lua_Integer)n));
  }
  *any_list = 0;
  *bad_single = 0;
  for (i = 1; i <= n; i++) {
    int is_list;
    size_t k;
    lua_rawgeti(L, li, (lua_Integer)i);
    k = tcl_check_label_entry(L, arg, what, (lua_Integer)i, &is_list);
    lua_pop(L, 1);
    if (k > most) most = k;
    *any_list |= is_list;
    if (k != 1 && *bad_single == 0) *bad_single = (lua_Integer)i;
  }
  return most;
}

/* The label names of the entry on top of the stack into names[]. The
 * strings are kept alive by the labels table on the stack. The entry was
 * checked, but an allocation since may have run a __gc that changed it:
 * its shape is checked again (the names' contents are the core's to
 * refuse). */
size_t tcl_entry_names(lua_State *L, const char **names, size_t most) {
  int t = lua_type(L, -1);
  size_t k = t == LUA_TSTRING ? 1 : t == LUA_TTABLE ? (size_t)lua_rawlen(L, -1) : most + 1, j;
  if (k > most) luaL_error(L, "a label entry changed during the call");
  if (t == LUA_TSTRING) {
    names[0] = lua_tostring(L, -1);
    return 1;
  }
  for (j = 0; j < k; j++) {
    if (lua_rawgeti(L, -1, (lua_Integer)j + 1) != LUA_TSTRING)
      luaL_error(L, "a label entry changed during the call");
    names[j] = lua_tostring(L, -1);
    lua_pop(L, 1);
  }
  return k;
}

const char *tcl_check_cstring(lua_State *L, int arg, const char *what) {
  size_t len;
  const char *s = luaL_checklstring(L, arg, &len);
  if (strlen(s) != len)
    luaL_argerror(L, arg, lua_pushfstring(L, "%s contains a NUL byte", what));
  return s;
}
