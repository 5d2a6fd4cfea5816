/*
 * leval.c - tc.metrics (the "textclass.Metrics" accumulator of evaluation
 * figures over label names), tc.evaluate on top of it, and the metrics
 * tables shared with cross_validate.
 *
 * Caveats (design decisions):
 *  - Label names are numbered as they come: the labels given to
 *    tc.metrics (a model's, for evaluate) first, in their order, then any
 *    other name in order of appearance; the core's tc_metrics grows with
 *    them. Gold labels outside the given ones are `unknown_labels`: a
 *    model never predicts them, so each such document is an error for
 *    accuracy and a false negative (recall 0) that lowers macro-F1.
 *  - The confusion table has a row for every label and a column for each
 *    label given or ever predicted. Columns of gold labels nobody predicts
 *    would hold only zeros, and with many such labels (a text field taken
 *    for labels) a square table would not fit in memory.
 *  - Its rows hold only the cells that are not 0 (tc_metrics_confusion_next
 *    walks them); a shared metatable reads a column's other cells as 0.
 *    Every cell made, zeros included, cost labels x columns: 25 million
 *    for a model of 5,000 labels, whatever the number of documents.
 *  - evaluate: a document the core fails on (out of memory, a size
 *    limit) makes the whole evaluation return nil, message, code naming
 *    it: figures over the other documents would look complete and not be.
 *  - evaluate of a textclass.Classifier (tc.load_classifier's, told by
 *    its metatable's __name) checks the arguments as a model's, then
 *    hands them to lua/textclass/classifier.lua's evaluate: a model
 *    file's comes back here with its model, a Lua classifier's
 *    predictions are counted there by a tc.metrics.
 */
#include <string.h>

#include "ltextclass.h"

#define TCL_METRICS "textclass.Metrics"

/* User values of a metrics object. */
enum { UV_NAMES = 1, /* the label names, an array */
       UV_INDEX,     /* name -> its 0-based index */
       UV_IDS,       /* scratch: one document's gold, then predicted, indices */
       N_UV };

typedef struct metrics_obj {
  tc_metrics *m;    /* NULL only if making it failed */
  size_t n_given;   /* labels given when it was made */
  size_t n_names;   /* labels named so far */
  uint32_t *ids;    /* UV_IDS's memory, ids_cap entries */
  size_t ids_cap;
} metrics_obj;

/* ====================================================================
 * Metrics tables
 * ==================================================================== */

/* Push {accuracy, macro_f1, micro_f1, exact_match, documents, per_label}
 * for metrics over the nn label names in the array at `names`. */
void tcl_push_metrics(lua_State *L, const tc_metrics *m, int names, size_t nn) {
  size_t i;
  lua_createtable(L, 0, 8);
  tcl_set_number(L, "accuracy", tc_metrics_accuracy(m));
  tcl_set_number(L, "macro_f1", tc_metrics_macro_f1(m));
  tcl_set_number(L, "micro_f1", tc_metrics_micro_f1(m));
  tcl_set_number(L, "exact_match", tc_metrics_exact_match(m));
  tcl_set_integer(L, "documents", (lua_Integer)tc_metrics_count(m));
  lua_createtable(L, 0, (int)(nn < 256 ? nn : 256));
  for (i = 0; i < nn; i++) {
    tc_label_metrics lm;
    memset(&lm, 0, sizeof lm);
    if (tc_metrics_label(m, i, &lm) != TC_OK) continue;
    lua_rawgeti(L, names, (lua_Integer)i + 1);
    lua_createtable(L, 0, 7);
    tcl_set_number(L, "precision", lm.precision);
    tcl_set_number(L, "recall", lm.recall);
    tcl_set_number(L, "f1", lm.f1);
    tcl_set_integer(L, "support", (lua_Integer)lm.support);
    tcl_set_integer(L, "tp", (lua_Integer)lm.tp);
    tcl_set_integer(L, "fp", (lua_Integer)lm.fp);
    tcl_set_integer(L, "fn", (lua_Integer)lm.fn);
    lua_rawset(L, -3);
  }
  lua_setfield(L, -2, "per_label");
}

/* Push an array of the dataset's label names. */
int tcl_push_dataset_labels(lua_State *L, const tc_dataset *ds) {
  size_t i, nl = tc_dataset_n_labels(ds);
  lua_createtable(L, (int)(nl < 1024 ? nl : 1024), 0);
  for (i = 0; i < nl; i++) {
    lua_pushstring(L, tc_dataset_label(ds, i));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return lua_gettop(L);
}

/* ====================================================================
 * Metrics objects
 * ==================================================================== */

static int metrics_gc(lua_State *L) {
  metrics_obj *x = luaL_checkudata(L, 1, TCL_METRICS);
  tc_metrics_free(x->m);
  x->m = NULL;
  return 0;
}

static metrics_obj *check_metrics(lua_State *L, int i) {
  metrics_obj *x = luaL_checkudata(L, i, TCL_METRICS);
  if (!x->m) luaL_argerror(L, i, "unusable metrics object");
  return x;
}

/* Room for n indices in x->ids (the object at stack index obj), keeping
 * those already there. */
static void ids_room(lua_State *L, metrics_obj *x, int obj, size_t n) {
  uint32_t *ids;
  if (n <= x->ids_cap) return;
  n = n < 2 * x->ids_cap ? 2 * x->ids_cap : n;
  ids = tcl_scratch(L, n, sizeof *ids);
  if (x->ids_cap) memcpy(ids, x->ids, x->ids_cap * sizeof *ids);
  x->ids = ids;
  x->ids_cap = n;
  lua_setiuservalue(L, obj, UV_IDS);
}

/* The index of the label name on top of the stack (popped), numbered
 * next when new. names and index: the object's user values, on the stack.
 * A new name is counted once both tables hold it: a memory error storing
 * it leaves the object as it was (a names entry past n_names is the next
 * name's to overwrite). */
static uint32_t name_index(lua_State *L, metrics_obj *x, int names, int index) {
  uint32_t id;
  int rc;
  lua_pushvalue(L, -1);
  if (lua_rawget(L, index) == LUA_TNUMBER) {
    id = (uint32_t)lua_tointeger(L, -1);
    lua_pop(L, 2);
    return id;
  }
  lua_pop(L, 1);
  id = (uint32_t)x->n_names;
  rc = tc_metrics_grow(x->m, (size_t)id + 1);
  if (rc != TC_OK) luaL_error(L, "textclass: metrics: %s", tc_strerror(rc));
  lua_pushvalue(L, -1);
  lua_rawseti(L, names, (lua_Integer)id + 1);
  lua_pushinteger(L, (lua_Integer)id);
  lua_rawset(L, index);
  x->n_names++;
  return id;
}

/* Raise for an entry that is not what its check found: a __gc run by an
 * allocation since may have changed it. */
static void changed_entry(lua_State *L) {
  luaL_error(L, "a label entry changed during the call: string expected, got %s", luaL_typename(L, -1));
}

/* The indices of a checked label entry (a name or a list of names, on top
 * of the stack, left there) into x->ids from `at`; returns how many. */
static size_t entry_ids(lua_State *L, metrics_obj *x, int obj, int names, int index, size_t at) {
  size_t k, j;
  if (lua_type(L, -1) == LUA_TSTRING) {
    ids_room(L, x, obj, at + 1);
    lua_pushvalue(L, -1);
    x->ids[at] = name_index(L, x, names, index);
    return 1;
  }
  if (lua_type(L, -1) != LUA_TTABLE) changed_entry(L);
  k = (size_t)lua_rawlen(L, -1);
  ids_room(L, x, obj, at + k);
  for (j = 0; j < k; j++) {
    if (lua_rawgeti(L, -1, (lua_Integer)j + 1) != LUA_TSTRING) changed_entry(L);
    x->ids[at + j] = name_index(L, x, names, index);
  }
  return k;
}

/* Count one document whose gold and predicted indices are x->ids[0, n_gold)
 * and the n_predicted after them. */
static void add_ids(lua_State *L, metrics_obj *x, size_t n_gold, size_t n_predicted) {
  int rc = tc_metrics_add(x->m, x->ids, n_gold, x->ids + n_gold, n_predicted);
  if (rc != TC_OK) luaL_error(L, "textclass: metrics: %s", tc_strerror(rc));
}

/* Push a new metrics object whose given labels are the array at stack
 * index `given` (checked: distinct non-empty names). */
static metrics_obj *metrics_push(lua_State *L, int given) {
  size_t n = (size_t)lua_rawlen(L, given), i;
  int obj, names, index, rc;
  metrics_obj *x = lua_newuserdatauv(L, sizeof *x, N_UV - 1);
  memset(x, 0, sizeof *x);
  luaL_setmetatable(L, TCL_METRICS);
  obj = lua_gettop(L);
  rc = tc_metrics_new(n > 0 ? n : 1, &x->m);  /* with none given, the first name grows it to 1 */
  if (rc != TC_OK) luaL_error(L, "textclass: metrics: %s", tc_strerror(rc));
  lua_createtable(L, (int)(n < 1024 ? n : 1024), 0);
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, obj, UV_NAMES);
  names = lua_gettop(L);
  lua_createtable(L, 0, (int)(n < 1024 ? n : 1024));
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, obj, UV_INDEX);
  index = lua_gettop(L);
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, given, (lua_Integer)i);
    name_index(L, x, names, index);
  }
  x->n_given = n;
  lua_settop(L, obj);
  return x;
}

/* Push the user values names and index of the object at obj. */
static void push_names(lua_State *L, int obj, int *names, int *index) {
  lua_getiuservalue(L, obj, UV_NAMES);
  *names = lua_gettop(L);
  lua_getiuservalue(L, obj, UV_INDEX);
  *index = lua_gettop(L);
}

/* Push an array of the names whose indices are idx[0, n). */
static void push_name_list(lua_State *L, int names, const size_t *idx, size_t n) {
  size_t i;
  lua_createtable(L, (int)(n < 1024 ? n : 1024), 0);
  for (i = 0; i < n; i++) {
    lua_rawgeti(L, names, (lua_Integer)idx[i] + 1);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

/* Push the metatable of the confusion rows: its __index holds a 0 for
 * each of the n_columns column names, so that an absent cell of a column
 * reads 0 and any other name nil. */
static void push_row_metatable(lua_State *L, int names, const size_t *column, size_t n_columns) {
  size_t c;
  lua_createtable(L, 0, 1);
  lua_createtable(L, 0, (int)(n_columns < 1024 ? n_columns : 1024));
  for (c = 0; c < n_columns; c++) {
    lua_rawgeti(L, names, (lua_Integer)column[c] + 1);
    lua_pushinteger(L, 0);
    lua_rawset(L, -3);
  }
  lua_setfield(L, -2, "__index");
}

/* Push the confusion table of the object: a row for each label name
 * (with the metatable on top of the stack, which it pops), holding only
 * the cells that are not 0: O(labels + cells), not labels x columns. */
static void push_confusion(lua_State *L, const metrics_obj *x, int names) {
  size_t i, cursor = 0, gold, predicted, count;
  int row_meta = lua_gettop(L), confusion;
  lua_createtable(L, 0, (int)(x->n_names < 256 ? x->n_names : 256));
  confusion = lua_gettop(L);
  for (i = 0; i < x->n_names; i++) {
    lua_rawgeti(L, names, (lua_Integer)i + 1);
    lua_newtable(L);
    lua_pushvalue(L, row_meta);
    lua_setmetatable(L, -2);
    lua_rawset(L, confusion);
  }
  while ((count = tc_metrics_confusion_next(x->m, &cursor, &gold, &predicted)) > 0) {
    lua_rawgeti(L, names, (lua_Integer)gold + 1);
    lua_rawget(L, confusion);
    lua_rawgeti(L, names, (lua_Integer)predicted + 1);
    lua_pushinteger(L, (lua_Integer)count);
    lua_rawset(L, -3);
    lua_pop(L, 1);
  }
  lua_remove(L, row_meta);
}

/* Push the figures of the object at obj (see metrics:result). */
static void push_result(lua_State *L, const metrics_obj *x, int obj) {
  int names;
  size_t i, n_columns = 0, n_unknown = 0;
  size_t *column = tcl_scratch(L, x->n_names, sizeof *column);
  size_t *unknown = tcl_scratch(L, x->n_names, sizeof *unknown);
  lua_getiuservalue(L, obj, UV_NAMES);
  names = lua_gettop(L);
  for (i = 0; i < x->n_names; i++) {
    tc_label_metrics lm;
    memset(&lm, 0, sizeof lm);
    tc_metrics_label(x->m, i, &lm);
    /* a column: a label given, or one predicted at least once */
    if (i < x->n_given || lm.tp + lm.fp > 0) column[n_columns++] = i;
    /* unknown: a gold label outside the given ones, if any were given */
    if (x->n_given > 0 && i >= x->n_given && lm.support > 0) unknown[n_unknown++] = i;
  }
  tcl_push_metrics(L, x->m, names, x->n_names);
  push_row_metatable(L, names, column, n_columns);
  push_confusion(L, x, names);
  lua_setfield(L, -2, "confusion");
  lua_createtable(L, (int)(x->n_names < 1024 ? x->n_names : 1024), 0);
  for (i = 0; i < x->n_names; i++) {
    lua_rawgeti(L, names, (lua_Integer)i + 1);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "labels");
  push_name_list(L, names, column, n_columns);
  lua_setfield(L, -2, "predicted_labels");
  push_name_list(L, names, unknown, n_unknown);
  lua_setfield(L, -2, "unknown_labels");
}

/***
 * A new evaluation accumulator.
 * @function metrics
 * @tab[opt] labels the classifier's label names, in order (the first
 *   confusion columns; gold labels outside them are unknown_labels)
 * @return a textclass.Metrics object
 */
int tcl_metrics(lua_State *L) {
  int is_list;
  tcl_check_nargs(L, 1);
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  } else {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 1);
    lua_pushvalue(L, 1);
    tcl_check_label_entry(L, 1, "labels", 0, &is_list);
    lua_pop(L, 1);
  }
  metrics_push(L, 1);
  return 1;
}

/***
 * Count one document.
 * @function metrics:add
 * @param gold a label name or a list of distinct names (may be empty)
 * @param predicted likewise; predicted[1] is the primary prediction
 */
static int metrics_add(lua_State *L) {
  metrics_obj *x = check_metrics(L, 1);
  int is_list, names, index;
  size_t n_gold;
  tcl_check_nargs(L, 3);
  lua_settop(L, 3);
  lua_pushvalue(L, 2);
  tcl_check_label_entry(L, 2, "gold", 0, &is_list);
  lua_pushvalue(L, 3);
  tcl_check_label_entry(L, 3, "predicted", 0, &is_list);
  lua_settop(L, 3);
  push_names(L, 1, &names, &index);
  lua_pushvalue(L, 2);
  n_gold = entry_ids(L, x, 1, names, index, 0);
  lua_pushvalue(L, 3);
  add_ids(L, x, n_gold, entry_ids(L, x, 1, names, index, n_gold));
  return 0;
}

/***
 * The figures so far.
 * @function metrics:result
 * @return the tc.evaluate shape (see docs/lua-api.md)
 */
static int metrics_result(lua_State *L) {
  metrics_obj *x = check_metrics(L, 1);
  tcl_check_nargs(L, 1);
  push_result(L, x, 1);
  return 1;
}

static int metrics_tostring(lua_State *L) {
  metrics_obj *x = luaL_checkudata(L, 1, TCL_METRICS);
  lua_pushfstring(L, "textclass.Metrics (%I documents, %I labels)",
                  (lua_Integer)tc_metrics_count(x->m), (lua_Integer)x->n_names);
  return 1;
}

void tcl_metrics_register(lua_State *L) {
  static const luaL_Reg meta[] = {
    {"__gc", metrics_gc},
    {"__tostring", metrics_tostring},
    {"__index", NULL}, /* placeholder: the methods */
    {NULL, NULL}
  };
  static const luaL_Reg methods[] = {
    {"add", metrics_add},
    {"result", metrics_result},
    {NULL, NULL}
  };
  tcl_register_class(L, TCL_METRICS, meta, methods);
}

/* ====================================================================
 * evaluate
 * ==================================================================== */

#define TCL_CLASSIFIER "textclass.Classifier" /* the __name of lua/textclass/classifier.lua's objects */

/* Is the value at i what tc.load_classifier returns? */
static int is_classifier(lua_State *L, int i) {
  int yes;
  if (!lua_istable(L, i) || luaL_getmetafield(L, i, "__name") == LUA_TNIL) return 0;
  yes = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), TCL_CLASSIFIER) == 0;
  lua_pop(L, 1);
  return yes;
}

/***
 * Score a model, or a classifier (tc.load_classifier's), on labelled texts.
 * @function evaluate
 * @param model a textclass.Model or a textclass.Classifier
 * @tab texts
 * @tab labels labels[i]: a string or a list of strings
 * @tab[opt] opts {threads = n, threshold = n}
 * @return metrics:result()'s table for a tc.metrics(model:labels())
 *   given every document
 * @return[2] nil, message, code (a document failed in the core; a Lua
 *   classifier's failure: nil, message)
 */
int tcl_evaluate(lua_State *L) {
  tcl_model *h;
  size_t n, i, j;
  int any_list, threads = 1, obj, names, index;
  lua_Integer bad_single;
  double threshold = -1.0;
  tc_result *res;
  metrics_obj *x;
  if (!luaL_testudata(L, 1, TCL_MODEL) && !is_classifier(L, 1))
    luaL_typeerror(L, 1, TCL_MODEL " or " TCL_CLASSIFIER);
  if (!lua_isnoneornil(L, 4)) {
    tcl_check_keys(L, 4, TCL_OPT_PREDICT, "option");
    tcl_opt_num(L, 4, TCL_OPT_PREDICT, "threshold", 0.0, 0, 1.0, &threshold);
    tcl_opt_int(L, 4, TCL_OPT_PREDICT, "threads", 0, 1024, &threads);
  }
  tcl_check_nargs(L, 4);
  lua_settop(L, 4);
  n = tcl_check_texts(L, 2, 2, "texts");
  tcl_check_labels(L, 3, 3, n, "labels", "texts", &any_list, &bad_single);
  if (!luaL_testudata(L, 1, TCL_MODEL)) { /* a classifier: its arguments, checked as a model's */
    lua_settop(L, 4);
    return tcl_classifier_call(L, "evaluate");
  }

  h = tcl_check_model(L, 1);
  tcl_push_label_names(L, h);
  x = metrics_push(L, 5); /* the model's labels are indices 0..n_labels-1 */
  obj = lua_gettop(L);
  res = tcl_predict_texts(L, h, 2, n, threshold, threads);
  push_names(L, obj, &names, &index);
  for (i = 0; i < n; i++) {
    size_t n_gold;
    if (res[i].status != TC_OK) {
      lua_pushfstring(L, "texts[%I]", (lua_Integer)i + 1);
      return tcl_fail(L, res[i].status, NULL, lua_tostring(L, -1));
    }
    lua_rawgeti(L, 3, (lua_Integer)i + 1);
    n_gold = entry_ids(L, x, obj, names, index, 0);
    lua_pop(L, 1);
    ids_room(L, x, obj, n_gold + res[i].n_labels);
    for (j = 0; j < res[i].n_labels; j++) x->ids[n_gold + j] = res[i].labels[j];
    add_ids(L, x, n_gold, res[i].n_labels);
  }
  push_result(L, x, obj);
  return 1;
}
