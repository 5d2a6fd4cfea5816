/*
 * ltextclass.c - the textclass Lua 5.4 module: `local tc = require "textclass"`.
 *
 * The binding checks arguments, calls the core (core/textclass.h) and
 * pushes results, nothing more. docs/lua-api.md is the reference.
 *
 * Caveats (design decisions):
 *  - Caller mistakes raise, naming the culprit (wrong type, unknown option
 *    key, extra argument, use of a closed model). Expected failures (a
 *    missing or corrupt model file, an unwritable path, unusable training
 *    data) return nil, message, code where code is a short name such as
 *    "EIO" or "EFORMAT" (io.open style: assert(tc.load(path)) works).
 *    Invalid UTF-8 is never an error: the core decodes it with U+FFFD.
 *  - Per-state data (a workspace and the default extractor used by
 *    normalize and tokenize) lives in a userdata that is an upvalue of
 *    every module function; there are no C statics, so any number of Lua
 *    states (one per thread) can use the module at once. (Signals are
 *    the process's: stop_on_signals keeps the one exception, lsignal.c.)
 *  - The binding never mallocs: core objects are held by handles or by
 *    to-be-closed boxes (lbox.c), scratch arrays are userdata.
 *  - Requiring the module touches no globals. load_classifier lives in
 *    lua/textclass/classifier.lua, required on first use.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ltextclass.h"

#define TCL_STATE "textclass.State"

/* ====================================================================
 * Errors
 * ==================================================================== */

const char *tcl_code_name(int code) {
  switch (code) {
  case TC_OK: return "OK";
  case TC_ENOMEM: return "ENOMEM";
  case TC_EINVAL: return "EINVAL";
  case TC_EIO: return "EIO";
  case TC_EFORMAT: return "EFORMAT";
  case TC_EVERSION: return "EVERSION";
  case TC_ECHECKSUM: return "ECHECKSUM";
  case TC_EDATA: return "EDATA";
  case TC_ECANCELED: return "ECANCELED";
  case TC_ELIMIT: return "ELIMIT";
  default: return "EUNKNOWN";
  }
}

int tcl_fail(lua_State *L, int code, const tc_diag *diag, const char *what) {
  const char *msg = (diag && diag->message[0]) ? diag->message : tc_strerror(code);
  luaL_pushfail(L);
  if (what && !strstr(msg, what)) lua_pushfstring(L, "%s: %s", what, msg);
  else lua_pushstring(L, msg);
  lua_pushstring(L, tcl_code_name(code));
  return 3;
}

/* ====================================================================
 * Per-state data
 * ==================================================================== */

typedef struct tcl_state {
  tc_workspace *ws;     /* for normalize and tokenize; created on first use */
  tc_extractor *ex;     /* the default extractor; created on first use */
  unsigned long uses;   /* calls that took ws: one that changed between two
                           points reused it (a finalizer run by an allocation) */
} tcl_state;

static int state_gc(lua_State *L) {
  tcl_state *s = luaL_checkudata(L, 1, TCL_STATE);
  tc_extractor_free(s->ex);
  tc_workspace_free(s->ws);
  s->ex = NULL;
  s->ws = NULL;
  return 0;
}

static tcl_state *get_state(lua_State *L) {
  return lua_touserdata(L, lua_upvalueindex(1));
}

static tc_workspace *state_ws(lua_State *L, tcl_state *s) {
  if (!s->ws && tc_workspace_new(&s->ws) != TC_OK) luaL_error(L, "not enough memory");
  s->uses++;
  return s->ws;
}

/* Raise for a core error that checked options should have ruled out. */
static int core_error(lua_State *L, int rc, const tc_diag *diag) {
  if (rc == TC_ENOMEM) return luaL_error(L, "not enough memory");
  return luaL_error(L, "textclass: %s", diag && diag->message[0] ? diag->message : tc_strerror(rc));
}

/* ====================================================================
 * Text
 * ==================================================================== */

/***
 * Normalise text as the extractor does: invalid UTF-8 replaced by U+FFFD,
 * NFKC, case folding.
 * @function normalize
 * @string text
 * @tab[opt] opts {strip_accents = bool, compat = bool (false: NFC), casefold = bool}
 * @return string
 * @return[2] nil, message, code (a size limit of the core)
 */
static int tcl_normalize(lua_State *L) {
  tcl_state *s = get_state(L);
  size_t len, out_len = 0;
  const char *text = luaL_checklstring(L, 1, &len), *out = NULL;
  tc_options o;
  int rc;
  tc_options_init(&o);
  if (!lua_isnoneornil(L, 2)) {
    tcl_check_keys(L, 2, TCL_OPT_NORMALIZE, "option");
    tcl_read_options(L, 2, 0, TCL_OPT_NORMALIZE, &o);
  }
  tcl_check_nargs(L, 2);
  rc = tc_normalize(&o, state_ws(L, s), text, len, &out, &out_len, NULL);
  if (rc == TC_EINVAL) return core_error(L, rc, NULL);
  if (rc != TC_OK) return tcl_fail(L, rc, NULL, NULL);
  lua_pushlstring(L, out, out_len);
  return 1;
}

/***
 * The text of an HTML page, as a reader sees it: markup, scripts and the
 * site's navigation out, character references decoded, one paragraph a
 * line with a blank line between, the <title> first; a page in a declared
 * charset other than UTF-8 converted to UTF-8 (tc_html_text).
 * @function html_text
 * @string html
 * @return string
 * @return[2] nil, message, code (a size limit of the core)
 */
static int tcl_html_text(lua_State *L) {
  tcl_state *s = get_state(L);
  size_t len, out_len = 0;
  const char *html = luaL_checklstring(L, 1, &len), *out = NULL;
  int rc;
  tcl_check_nargs(L, 1);
  rc = tc_html_text(state_ws(L, s), html, len, &out, &out_len);
  if (rc != TC_OK) return tcl_fail(L, rc, NULL, NULL);
  lua_pushlstring(L, out, out_len);
  return 1;
}

/***
 * The charset an HTML page declares, and what html_text does with its
 * bytes (tc_html_charset): for saying why a page's text is not UTF-8.
 * @function html_charset
 * @string html
 * @return string what is done: "none" (no charset declared), "utf-8"
 *   (UTF-8 or UTF-16 declared, or the page is valid UTF-8), "converted",
 *   "unknown" (a charset that cannot be converted; read as it is), or
 *   "assumed" (none declared, and no UTF-8 in it: read as Windows-1252)
 * @return string|nil the declared name as written (letters, digits and
 *   . _ : - only; at most TC_CHARSET_NAME_MAX bytes), nil when none
 */
static int tcl_html_charset(lua_State *L) {
  static const char *const how_names[] = {"none", "utf-8", "converted", "unknown", "assumed"};
  tcl_state *s = get_state(L);
  size_t len;
  const char *html = luaL_checklstring(L, 1, &len);
  char name[TC_CHARSET_NAME_MAX + 1];
  int rc, how = TC_CHARSET_NONE;
  tcl_check_nargs(L, 1);
  rc = tc_html_charset(state_ws(L, s), html, len, name, sizeof name, &how);
  if (rc != TC_OK) return core_error(L, rc, NULL);
  lua_pushstring(L, how >= 0 && how <= TC_CHARSET_ASSUMED ? how_names[how] : "unknown");
  if (name[0]) lua_pushstring(L, name);
  else lua_pushnil(L);
  return 2;
}

/***
 * Check that text is well-formed UTF-8 (no repair: for callers that refuse
 * invalid text rather than decode it with U+FFFD, as predict does).
 * @function check_utf8
 * @string text
 * @return true
 * @return[2] false, position (1-based byte where the first invalid sequence starts)
 */
static int tcl_check_utf8(lua_State *L) {
  size_t len, at;
  const char *text = luaL_checklstring(L, 1, &len);
  tcl_check_nargs(L, 1);
  at = tc_utf8_check(text, len);
  if (at == len) {
    lua_pushboolean(L, 1);
    return 1;
  }
  lua_pushboolean(L, 0);
  lua_pushinteger(L, (lua_Integer)at + 1);
  return 2;
}

/***
 * Why name cannot be a label name, or nil when it can: the core's one rule
 * (tc_label_name_problem), as words that follow a naming of the label
 * ("label 2 " .. problem): "is empty", "contains a NUL byte", "is not
 * valid UTF-8", "holds a control character (U+001B)" or "holds a comma,
 * which separates labels in TSV and CSV output and in lists of labels".
 * @function label_name_problem
 * @string name
 * @return nil, or the problem
 */
static int tcl_label_name_problem(lua_State *L) {
  size_t len;
  const char *name = luaL_checklstring(L, 1, &len);
  char why[TC_LABEL_PROBLEM_SIZE];
  tcl_check_nargs(L, 1);
  if (tc_label_name_problem(name, len, why)) lua_pushstring(L, why);
  else lua_pushnil(L);
  return 1;
}

/* Terms are collected in two passes over the text: one to size a scratch
 * userdata, one to copy into it. The callback never touches the Lua stack,
 * so no Lua error can unwind through the core. */
typedef struct terms_acc {
  size_t n, bytes;      /* counted (pass 1) or copied (pass 2) */
  char *buf;            /* pass 2: room for `bytes` bytes */
  size_t *ends;         /* pass 2: end offset of each term */
  size_t cap_n, cap_bytes;
} terms_acc;

static int count_term(void *ud, const char *term, size_t len) {
  terms_acc *a = ud;
  (void)term;
  a->n++;
  a->bytes += len;
  return 0;
}

static int copy_term(void *ud, const char *term, size_t len) {
  terms_acc *a = ud;
  /* pass 2 must see what pass 1 counted; if the core ever disagreed, stop
   * rather than write past the scratch */
  if (a->n >= a->cap_n || len > a->cap_bytes - a->bytes) return 1;
  memcpy(a->buf + a->bytes, term, len);
  a->bytes += len;
  a->ends[a->n++] = a->bytes;
  return 0;
}

static int push_terms(lua_State *L, const tc_extractor *ex, tc_workspace *ws, const char *text,
                      size_t len) {
  terms_acc a;
  size_t i, start = 0;
  int rc;
  memset(&a, 0, sizeof a);
  rc = tc_extractor_terms(ex, ws, text, len, count_term, &a);
  if (rc != TC_OK) return tcl_fail(L, rc, NULL, NULL);
  a.cap_n = a.n;
  a.cap_bytes = a.bytes;
  a.ends = tcl_scratch(L, a.n, sizeof *a.ends);
  a.buf = tcl_scratch(L, a.bytes, 1);
  a.n = a.bytes = 0;
  rc = tc_extractor_terms(ex, ws, text, len, copy_term, &a);
  if (rc != TC_OK) return tcl_fail(L, rc, NULL, NULL);
  lua_createtable(L, a.n <= 0x7fffffff ? (int)a.n : 0, 0);
  for (i = 0; i < a.n; i++) {
    lua_pushlstring(L, a.buf + start, a.ends[i] - start);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
    start = a.ends[i];
  }
  return 1;
}

/***
 * Tokens of a text as the default extractor sees them (normalised, stop
 * words removed); with `ngrams` or `char_ngrams` in opts, every term the
 * extractor derives instead (word n-grams joined by a space, character
 * n-grams prefixed "#c ").
 * @function tokenize
 * @string text
 * @tab[opt] opts {stopwords = "english" | "none" | false | {list},
 *   ngrams = {1, 2}, char_ngrams = {3, 5} | false, max_token_bytes = n,
 *   strip_boilerplate = bool, strip_accents = bool, compat = bool, casefold = bool}
 * @return array of strings
 * @return[2] nil, message, code
 */
static int tcl_tokenize(lua_State *L) {
  tcl_state *s = get_state(L);
  size_t len, i;
  const char *text = luaL_checklstring(L, 1, &len);
  const tc_extractor *ex;
  tc_workspace *ws;
  tc_tokens toks;
  unsigned long uses;
  int rc, terms = 0;
  tcl_check_nargs(L, 2);
  ws = state_ws(L, s);
  if (lua_isnoneornil(L, 2)) {
    if (!s->ex) {
      tc_options o;
      tc_diag diag;
      memset(&diag, 0, sizeof diag);
      tc_options_init(&o);
      rc = tc_extractor_new(&o, &s->ex, &diag);
      if (rc != TC_OK) return core_error(L, rc, &diag);
    }
    ex = s->ex;
  } else {
    tc_options o;
    tc_diag diag;
    tcl_box *box;
    memset(&diag, 0, sizeof diag);
    tc_options_init(&o);
    tcl_check_keys(L, 2, TCL_OPT_NORMALIZE | TCL_OPT_TOKENIZE, "option");
    lua_settop(L, 2);
    lua_newtable(L); /* 3: anchor for custom stop words */
    terms = tcl_read_options(L, 2, 3, TCL_OPT_NORMALIZE | TCL_OPT_TOKENIZE, &o);
    tc_extractor *made = NULL;
    box = tcl_box_push(L, tcl_free_extractor);
    rc = tc_extractor_new(&o, &made, &diag);
    box->p = made;
    if (rc == TC_EINVAL)
      return luaL_argerror(L, 2, diag.message[0] ? diag.message : tc_strerror(rc));
    if (rc != TC_OK) return core_error(L, rc, &diag);
    ex = made;
  }
  if (terms) return push_terms(L, ex, ws, text, len);
  rc = tc_extractor_tokenize(ex, ws, text, len, &toks);
  if (rc != TC_OK) return tcl_fail(L, rc, NULL, NULL);
  uses = s->uses;
  lua_createtable(L, toks.n <= 0x7fffffff ? (int)toks.n : 0, 0);
  for (i = 0; i < toks.n; i++) {
    /* The tokens live in the state's workspace: a finalizer run by an
     * allocation here that normalized or tokenized reused it, so they are
     * made again (the same tokens: the same text and extractor). */
    if (s->uses != uses) {
      rc = tc_extractor_tokenize(ex, ws, text, len, &toks);
      if (rc != TC_OK) return tcl_fail(L, rc, NULL, NULL);
      uses = s->uses;
    }
    lua_pushlstring(L, toks.tok[i].text, toks.tok[i].len);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* ====================================================================
 * Result tables
 * ==================================================================== */

void tcl_set_number(lua_State *L, const char *key, double v) {
  lua_pushnumber(L, (lua_Number)v);
  lua_setfield(L, -2, key);
}

void tcl_set_integer(lua_State *L, const char *key, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, key);
}

void tcl_set_boolean(lua_State *L, const char *key, int v) {
  lua_pushboolean(L, v);
  lua_setfield(L, -2, key);
}

void tcl_set_string(lua_State *L, const char *key, const char *v) {
  lua_pushstring(L, v);
  lua_setfield(L, -2, key);
}

/* ====================================================================
 * Loading models
 * ==================================================================== */

/* Push a handle for the model at path, or fail, message, code. */
static int load_path(lua_State *L, const char *path, const char *label) {
  tc_model *m = NULL;
  tc_diag diag;
  int rc;
  tcl_model *h = tcl_model_new(L); /* closed until the core succeeds */
  memset(&diag, 0, sizeof diag);
  rc = tc_model_load(path, &m, &diag);
  if (rc != TC_OK) return tcl_fail(L, rc, &diag, label ? label : path);
  tcl_model_open(L, -1, h, m);
  return 1;
}

/* load_path's results, and the path after a model it pushed. */
static int loaded_from(lua_State *L, int nresults, const char *path) {
  if (nresults != 1) return nresults;
  lua_pushstring(L, path);
  return 2;
}

/***
 * Load a model file.
 * @function load
 * @string path
 * @return model
 * @return[2] nil, message, code (missing, unreadable, corrupt or unknown version)
 */
static int tcl_load(lua_State *L) {
  const char *path = tcl_check_cstring(L, 1, "path");
  tcl_check_nargs(L, 1);
  return load_path(L, path, NULL);
}

/***
 * The shipped news model. Looks at $TEXTCLASS_MODEL when it is set and not
 * empty (and only there: an explicit choice is never silently replaced),
 * else at the installed model, then at this source tree's; the first file
 * that exists is loaded.
 * @function default
 * @return model
 * @return the path it was loaded from (the command line refuses to write there)
 * @return[2] nil, message naming the paths tried, code
 */
static int tcl_default(lua_State *L) {
  static const char *const builtin[] = {
#ifdef TC_INSTALLED_MODEL
    TC_INSTALLED_MODEL,
#endif
#ifdef TC_SOURCE_MODEL
    TC_SOURCE_MODEL,
#endif
    NULL
  };
  const char *env = getenv("TEXTCLASS_MODEL");
  luaL_Buffer tried;
  size_t i;
  tcl_check_nargs(L, 0);
  if (env && *env) {
    lua_pushfstring(L, "TEXTCLASS_MODEL=%s", env);
    return loaded_from(L, load_path(L, env, lua_tostring(L, -1)), env);
  }
  for (i = 0; builtin[i]; i++) {
    struct stat st;
    if (stat(builtin[i], &st) == 0) return loaded_from(L, load_path(L, builtin[i], NULL), builtin[i]);
  }
  luaL_buffinit(L, &tried);
  luaL_addstring(&tried, "no model found (tried");
  for (i = 0; builtin[i]; i++) {
    luaL_addstring(&tried, i ? ", " : " ");
    luaL_addstring(&tried, builtin[i]);
  }
  luaL_addstring(&tried, i ? "; set TEXTCLASS_MODEL)" : " nothing; set TEXTCLASS_MODEL)");
  luaL_pushresult(&tried);
  luaL_pushfail(L);
  lua_insert(L, -2);
  lua_pushstring(L, tcl_code_name(TC_EIO));
  return 3;
}

/***
 * A classifier from a model file or a Lua classifier file (see
 * lua/textclass/classifier.lua), with predict, predict_batch and labels.
 * @function load_classifier
 */
static int tcl_load_classifier(lua_State *L) {
  return tcl_classifier_call(L, "load");
}

int tcl_classifier_call(lua_State *L, const char *name) {
  int n = lua_gettop(L);
  lua_getglobal(L, "require"); /* read only: the module adds no globals */
  lua_pushliteral(L, "textclass.classifier");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, name);
  lua_replace(L, -2);
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/***
 * The extractor options a spec that gives none trains with: the core's
 * defaults (tc_options_init), spelt as model:info().options spells a
 * model's. The command line's --help and messages take their defaults
 * from here.
 * @function default_options
 * @return table: stopwords, min_df, ngrams, ...
 */
static int tcl_default_options(lua_State *L) {
  tc_options o;
  tcl_check_nargs(L, 0);
  tc_options_init(&o);
  tcl_push_options(L, &o);
  return 1;
}

/* ====================================================================
 * Registration
 * ==================================================================== */

void tcl_register_class(lua_State *L, const char *name, const luaL_Reg *meta,
                        const luaL_Reg *methods) {
  luaL_newmetatable(L, name);
  luaL_setfuncs(L, meta, 0);
  lua_newtable(L);
  luaL_setfuncs(L, methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

static const luaL_Reg functions[] = {
  {"normalize", tcl_normalize},
  {"html_text", tcl_html_text},
  {"html_charset", tcl_html_charset},
  {"check_utf8", tcl_check_utf8},
  {"label_name_problem", tcl_label_name_problem},
  {"json_fields", tcl_json_fields},
  {"json_keys", tcl_json_keys},
  {"json_precheck", tcl_json_precheck},
  {"jsonl_documents", tcl_jsonl_documents},
  {"format_scores", tcl_format_scores},
  {"format_field", tcl_format_field},
  {"tokenize", tcl_tokenize},
  {"load", tcl_load},
  {"default", tcl_default},
  {"train", tcl_train},
  {"default_options", tcl_default_options},
  {"default_train_params", tcl_default_train_params},
  {"grid_values", tcl_grid_values},
  {"cross_validate", tcl_cross_validate},
  {"evaluate", tcl_evaluate},
  {"metrics", tcl_metrics},
  {"load_classifier", tcl_load_classifier},
  {"atomic_file", tcl_atomic_file},
  {"stop_on_signals", tcl_stop_on_signals},
  {"stop_signal", tcl_stop_signal},
  {"read_line", tcl_read_line},
  {"read_bom", tcl_read_bom},
  {"utf16_decoder", tcl_utf16_decoder},
  {"decoder", tcl_named_decoder},
  {"encoding_name", tcl_encoding_name},
  {"_VERSION", NULL},
  {NULL, NULL}
};

/* The one symbol the module exports (everything else is hidden by
 * -fvisibility=hidden). Declared just before its definition, as LPeg does. */
#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
int luaopen_textclass(lua_State *L);

int luaopen_textclass(lua_State *L) {
  tcl_state *s;
  tcl_box_register(L);
  tcl_model_register(L);
  tcl_job_register(L);
  tcl_file_register(L);
  tcl_metrics_register(L);
  tcl_decoder_register(L);
  luaL_newlibtable(L, functions);
  s = lua_newuserdatauv(L, sizeof *s, 0);
  s->ws = NULL;
  s->ex = NULL;
  s->uses = 0;
  luaL_newmetatable(L, TCL_STATE);
  lua_pushcfunction(L, state_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  luaL_setfuncs(L, functions, 1);
  lua_pushliteral(L, "textclass " TC_VERSION_STRING);
  lua_setfield(L, -2, "_VERSION");
  return 1;
}
