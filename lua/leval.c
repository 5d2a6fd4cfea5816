/*
 * leval.c - tc.evaluate and the metrics tables shared with cross_validate.
 *
 * Caveats (design decisions):
 *  - evaluate counts gold labels the model does not know as labels of
 *    their own: the model can never predict them, so each such document
 *    is an error for accuracy and a false negative for that label (recall
 *    0), which lowers macro-F1. They are listed in `unknown_labels`.
 *  - A document the core fails on (out of memory, a size limit) makes the
 *    whole evaluation return nil, message, code naming it: figures over
 *    the other documents would look complete and not be.
 */
#include <string.h>

#include "ltextclass.h"

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

/* Add confusion = {[gold] = {[predicted] = count}} to the table on top:
 * a row for each of the nn labels, a column for each of the first
 * n_predicted (the labels a model can predict), zeros too. Columns for
 * gold labels the model does not know would hold only zeros, and with
 * many such labels (a text field taken for labels) a square table would
 * not fit in memory. */
static void set_confusion(lua_State *L, const tc_metrics *m, int names, size_t nn, size_t n_predicted) {
  size_t g, p;
  lua_createtable(L, 0, (int)(nn < 256 ? nn : 256));
  for (g = 0; g < nn; g++) {
    lua_rawgeti(L, names, (lua_Integer)g + 1);
    lua_createtable(L, 0, (int)(n_predicted < 256 ? n_predicted : 256));
    for (p = 0; p < n_predicted; p++) {
      lua_rawgeti(L, names, (lua_Integer)p + 1);
      lua_pushinteger(L, (lua_Integer)tc_metrics_confusion(m, g, p));
      lua_rawset(L, -3);
    }
    lua_rawset(L, -3);
  }
  lua_setfield(L, -2, "confusion");
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
 * evaluate
 * ==================================================================== */

/***
 * Score a model on labelled texts.
 * @function evaluate
 * @param model
 * @tab texts
 * @tab labels labels[i]: a string or a list of strings
 * @tab[opt] opts {threads = n, threshold = n}
 * @return the cross_validate shape (without folds) plus
 *   confusion = {[gold] = {[predicted] = count}} (a row per gold label, a
 *   column per model label) and unknown_labels
 * @return[2] nil, message, code (a document failed in the core)
 */
int tcl_evaluate(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  size_t n = tcl_check_texts(L, 2, 2, "texts"), most, i, total = 0, nn, n_unknown = 0;
  int any_list, threads, names, unknown, unknown_list;
  lua_Integer bad_single;
  double threshold = -1.0;
  const char **entry;
  uint32_t *gold;
  size_t *start;
  tc_result *res;
  tcl_box *box;
  threads = 1;
  if (!lua_isnoneornil(L, 4)) {
    tcl_check_keys(L, 4, TCL_OPT_PREDICT, "option");
    tcl_opt_num(L, 4, TCL_OPT_PREDICT, "threshold", 0.0, 0, 1.0, &threshold);
    tcl_opt_int(L, 4, TCL_OPT_PREDICT, "threads", 0, 1024, &threads);
  }
  tcl_check_nargs(L, 4);
  lua_settop(L, 4);
  most = tcl_check_labels(L, 3, 3, n, "labels", "texts", &any_list, &bad_single);

  /* names: the model's labels, then gold labels it does not know */
  lua_createtable(L, (int)(h->n_labels < 1024 ? h->n_labels : 1024), 0);
  names = lua_gettop(L);
  for (i = 0; i < h->n_labels; i++) {
    lua_pushstring(L, tc_model_label(h->model, i));
    lua_rawseti(L, names, (lua_Integer)i + 1);
  }
  lua_newtable(L); /* unknown name -> index */
  unknown = lua_gettop(L);
  lua_newtable(L); /* unknown names, in order of appearance */
  unknown_list = lua_gettop(L);
  entry = tcl_scratch(L, most, sizeof *entry);
  start = tcl_scratch(L, n + 1, sizeof *start);
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, 3, (lua_Integer)i);
    total += tcl_entry_names(L, entry);
    lua_pop(L, 1);
  }
  gold = tcl_scratch(L, total, sizeof *gold);
  total = 0;
  for (i = 1; i <= n; i++) {
    size_t k, j;
    lua_rawgeti(L, 3, (lua_Integer)i);
    k = tcl_entry_names(L, entry);
    start[i - 1] = total;
    for (j = 0; j < k; j++) {
      int idx = tc_model_label_index(h->model, entry[j]);
      if (idx < 0) {
        if (lua_getfield(L, unknown, entry[j]) == LUA_TNIL) {
          idx = (int)(h->n_labels + n_unknown++);
          lua_pushinteger(L, idx);
          lua_setfield(L, unknown, entry[j]);
          lua_pushstring(L, entry[j]);
          lua_rawseti(L, unknown_list, (lua_Integer)n_unknown);
          lua_pushstring(L, entry[j]);
          lua_rawseti(L, names, (lua_Integer)idx + 1);
        } else {
          idx = (int)lua_tointeger(L, -1);
        }
        lua_pop(L, 1);
      }
      gold[total++] = (uint32_t)idx;
    }
    lua_pop(L, 1);
  }
  start[n] = total;
  nn = h->n_labels + n_unknown;

  res = tcl_predict_texts(L, h, 2, n, threshold, threads);
  box = tcl_box_push(L, tcl_free_metrics);
  {
    tc_metrics *mt = NULL;
    int rc = tc_metrics_new(nn, &mt);
    box->p = mt;
    if (rc != TC_OK) return luaL_error(L, "not enough memory");
  }
  for (i = 0; i < n; i++) {
    int rc;
    if (res[i].status != TC_OK) {
      lua_pushfstring(L, "texts[%I]", (lua_Integer)i + 1);
      return tcl_fail(L, res[i].status, NULL, lua_tostring(L, -1));
    }
    rc = tc_metrics_add(box->p, gold + start[i], start[i + 1] - start[i], res[i].labels,
                        res[i].n_labels);
    if (rc == TC_ENOMEM) return luaL_error(L, "not enough memory");
    if (rc != TC_OK) return luaL_error(L, "textclass: metrics rejected document %I: %s",
                                       (lua_Integer)i + 1, tc_strerror(rc));
  }
  tcl_push_metrics(L, box->p, names, nn);
  set_confusion(L, box->p, names, nn, h->n_labels);
  lua_pushvalue(L, unknown_list);
  lua_setfield(L, -2, "unknown_labels");
  return 1;
}
