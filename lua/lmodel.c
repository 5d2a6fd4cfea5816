/*
 * lmodel.c - the "textclass.Model" handle: a userdata owning one tc_model.
 *
 * Caveats (design decisions):
 *  - A handle is created closed (model NULL) and opened once the core has
 *    produced a model, so an error at any step leaves a valid, closed
 *    handle the collector can finalise (liolib's newprefile does the same).
 *  - __gc and __close are one idempotent function; :close() frees now and
 *    marks the handle closed; every other method raises "attempt to use a
 *    closed model" afterwards.
 *  - Scratch memory is owned by the handle: the core workspace (created on
 *    first use, freed with the model, or after a call on a text over 16 MiB:
 *    release_huge_ws) and, in a user value, a userdata with
 *    room for one document's scores and label indices. Batches and
 *    explanations use scratch userdata that live on the stack for the call.
 *    The binding never mallocs, so a raised error cannot leak.
 *  - Results are built from the label names kept in a Lua array (a user
 *    value, made when the handle opens): rawgeti instead of pushing and
 *    hashing each name again, which mattered for 20-label models. Each
 *    result also carries `ranked`, every label best first (ties by name),
 *    sorted here in C, so the command line prints scores without sorting
 *    in Lua.
 *  - A finalizer (__gc of some other object) that predicts with the same
 *    model while one of its methods is pushing results is not supported
 *    (the handle's scratch is shared), as with Lua's own file handles. One
 *    that closes it makes the method raise: no method holds the model, or
 *    anything it owns, across an allocation (tcl_still_open).
 */
#include <limits.h>
#include <string.h>

#include "ltextclass.h"

/* The user values of a handle. */
enum {
  UV_SCRATCH = 1,  /* one document's scores and label indices (model_result) */
  UV_NAMES,        /* the label names, a Lua array: pushed without rehashing */
  UV_NAME_RANK,    /* uint32 per label: its place in byte order of names */
  UV_COUNT = UV_NAME_RANK
};

/* ====================================================================
 * Handle life cycle
 * ==================================================================== */

tcl_model *tcl_model_new(lua_State *L) {
  tcl_model *h = lua_newuserdatauv(L, sizeof *h, UV_COUNT);
  h->model = NULL;
  h->ws = NULL;
  h->n_labels = 0;
  h->running = 0;
  luaL_setmetatable(L, TCL_MODEL);
  return h;
}

/* Put indices 0..n-1 in order: i goes before j when before(ctx, i, j).
 * A stable merge sort on `order`, with `tmp` (n entries) as scratch; it
 * serves both the name order of a model's labels and the ranking of a
 * document's labels when there are more than tcl_rank_labels sorts by
 * insertion, so a model with thousands of labels costs n log n, not n^2. */
static void sort_indices(uint32_t *order, uint32_t *tmp, size_t n,
                         int (*before)(const void *ctx, uint32_t i, uint32_t j), const void *ctx) {
  size_t width, lo, i;
  for (i = 0; i < n; i++) order[i] = (uint32_t)i;
  for (width = 1; width < n; width *= 2) {
    for (lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t a = lo, b = mid, k = lo;
      while (a < mid && b < hi) tmp[k++] = before(ctx, order[b], order[a]) ? order[b++] : order[a++];
      while (a < mid) tmp[k++] = order[a++];
      while (b < hi) tmp[k++] = order[b++];
    }
    memcpy(order, tmp, n * sizeof *order);
  }
}

static int name_before(const void *ctx, uint32_t i, uint32_t j) {
  const tc_model *m = ctx;
  return strcmp(tc_model_label(m, i), tc_model_label(m, j)) < 0;
}

void tcl_model_open(lua_State *L, int idx, tcl_model *h, tc_model *m) {
  size_t i, n = tc_model_n_labels(m);
  uint32_t *by_name, *rank;
  idx = lua_absindex(L, idx);
  h->model = m; /* owned from here: an error below leaves it to __gc */
  h->n_labels = n;
  tcl_push_label_names(L, h);
  lua_setiuservalue(L, idx, UV_NAMES);
  by_name = tcl_scratch(L, n, 2 * sizeof *by_name);
  rank = lua_newuserdatauv(L, (n ? n : 1) * sizeof *rank, 0);
  sort_indices(by_name, by_name + n, n, name_before, m);
  for (i = 0; i < n; i++) rank[by_name[i]] = (uint32_t)i;
  lua_setiuservalue(L, idx, UV_NAME_RANK);
  lua_pop(L, 1);
}

const tc_model *tcl_still_open(lua_State *L, const tcl_model *h) {
  if (!h->model) luaL_error(L, "attempt to use a closed model (it was closed during the call)");
  return h->model;
}

tcl_model *tcl_check_model(lua_State *L, int i) {
  tcl_model *h = luaL_checkudata(L, i, TCL_MODEL);
  if (!h->model) luaL_error(L, "attempt to use a closed model");
  return h;
}

/* Free what the handle owns; safe to call any number of times. */
static void model_release(tcl_model *h) {
  tc_model *m = h->model;
  tc_workspace *ws = h->ws;
  h->model = NULL;
  h->ws = NULL;
  tc_workspace_free(ws);
  tc_model_free(m);
}

/* __gc and __close. A background batch holds its handle, so the
 * collector never finalises a handle one is using; a to-be-closed handle
 * that goes out of scope while one runs is an error, as is close(). */
static int model_gc(lua_State *L) {
  tcl_model *h = luaL_checkudata(L, 1, TCL_MODEL);
  if (h->running) return luaL_error(L, "attempt to close a model while a batch runs on it (wait for it first)");
  model_release(h);
  return 0;
}

/***
 * Free the model now.
 * @function model:close
 * @return true
 */
static int model_close(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  tcl_check_nargs(L, 1);
  if (h->running) return luaL_error(L, "attempt to close a model while a batch runs on it (wait for it first)");
  model_release(h);
  lua_pushboolean(L, 1);
  return 1;
}

static const char *kernel_name(int kernel) {
  return kernel == TC_KERNEL_RBF ? "rbf" : "linear";
}

static int model_tostring(lua_State *L) {
  tcl_model *h = luaL_checkudata(L, 1, TCL_MODEL);
  if (!h->model) {
    lua_pushliteral(L, "textclass.Model (closed)");
  } else {
    size_t nf = tc_extractor_n_features(tc_model_extractor(h->model));
    lua_pushfstring(L, "textclass.Model (%I label%s, %s, %I feature%s)",
                    (lua_Integer)h->n_labels, h->n_labels == 1 ? "" : "s",
                    kernel_name(tc_model_kernel(h->model)), (lua_Integer)nf,
                    nf == 1 ? "" : "s");
  }
  return 1;
}

/* The handle's workspace, created on first use; NULL when out of memory. */
static tc_workspace *handle_ws(tcl_model *h) {
  if (!h->ws && tc_workspace_new(&h->ws) != TC_OK) return NULL;
  return h->ws;
}

/* The handle's workspace, created on first use (raises when out of memory). */
static tc_workspace *model_ws(lua_State *L, tcl_model *h) {
  tc_workspace *ws = handle_ws(h);
  if (!ws) luaL_error(L, "not enough memory");
  return ws;
}

/* The longest text whose scratch space the handle keeps after a call
 * (the command line's default --max-bytes, 16 MiB). */
#define KEPT_WS_TEXT ((size_t)16 << 20)

/* After a call on texts of which the longest had len bytes: the
 * workspace, which grows to a text (2.8 bytes a byte of prose), is freed
 * when that was over KEPT_WS_TEXT, so one huge text does not hold its
 * scratch until the model is closed (a 210 MB text's 770 MB had). */
static void release_huge_ws(tcl_model *h, size_t len) {
  if (len <= KEPT_WS_TEXT) return;
  tc_workspace_free(h->ws);
  h->ws = NULL;
}

/* A tc_result whose arrays are the handle's scratch (user value 1). */
static void model_result(lua_State *L, int idx, tcl_model *h, tc_result *r) {
  unsigned char *p;
  idx = lua_absindex(L, idx);
  if (lua_getiuservalue(L, idx, UV_SCRATCH) != LUA_TUSERDATA) {
    lua_pop(L, 1);
    tcl_scratch(L, h->n_labels, sizeof(double) + sizeof(uint32_t));
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, idx, UV_SCRATCH);
  }
  p = lua_touserdata(L, -1);
  lua_pop(L, 1); /* still referenced by the handle */
  memset(r, 0, sizeof *r);
  r->scores = (double *)(void *)p;
  r->labels = (uint32_t *)(void *)(p + h->n_labels * sizeof(double));
}

/* ====================================================================
 * Results
 * ==================================================================== */

void tcl_ranker_push(lua_State *L, int hidx, const tcl_model *h, tcl_ranker *k) {
  hidx = lua_absindex(L, hidx);
  lua_getiuservalue(L, hidx, UV_NAME_RANK);
  k->name_rank = lua_touserdata(L, -1);
  lua_pop(L, 1); /* still referenced by the handle */
  lua_getiuservalue(L, hidx, UV_NAMES);
  k->names = lua_gettop(L);
  k->order = tcl_scratch(L, h->n_labels, 2 * sizeof *k->order);
  k->tmp = k->order + h->n_labels;
}

/* Higher score first; equal scores by label name (byte order), as the
 * command line prints them. */
static int score_before(const void *ctx, uint32_t i, uint32_t j) {
  const tcl_ranker *k = ctx;
  double a = k->scores[i], b = k->scores[j];
  if (a != b) return a > b;
  return k->name_rank[i] < k->name_rank[j];
}

/* Push the name of label l (from the names table, no rehashing). */
static void push_name(lua_State *L, const tcl_ranker *k, uint32_t l) {
  lua_rawgeti(L, k->names, (lua_Integer)l + 1);
}

/* Above this many labels to rank, a merge sort; up to it, insertion (its
 * comparisons inlined), which is linear for the one best. */
#define INSERTION_MAX 32

/* The best `top` labels of the document in k->scores, best first, into
 * k->order; returns how many. */
size_t tcl_rank_labels(tcl_ranker *k, size_t nl, size_t top) {
  size_t n = 0, i, l;
  if (top >= nl && nl > INSERTION_MAX) {
    sort_indices(k->order, k->tmp, nl, score_before, k);
    return nl;
  }
  for (l = 0; l < nl; l++) {
    if (n == top && !score_before(k, (uint32_t)l, k->order[n - 1])) continue;
    if (n < top) n++;
    for (i = n - 1; i > 0 && score_before(k, (uint32_t)l, k->order[i - 1]); i--) k->order[i] = k->order[i - 1];
    k->order[i] = (uint32_t)l;
  }
  return n;
}

/* Push one document's result table: {label=, labels=, ranked=, scores=,
 * invalid=}, or {error = message} when r->status is an error. With `top`
 * below the model's label count, ranked and scores hold only the top best
 * labels and labels at most its first top (label stays labels[1]). */
static void push_result(lua_State *L, const tcl_model *h, const tc_result *r, tcl_ranker *k, size_t top) {
  size_t i, n = 0, nl = h->n_labels, nr;
  int cap;
  if (r->status != TC_OK) {
    lua_createtable(L, 0, 1);
    lua_pushstring(L, tc_strerror(r->status));
    lua_setfield(L, -2, "error");
    return;
  }
  lua_createtable(L, 0, 5);
  lua_createtable(L, (int)(r->n_labels < 64 ? r->n_labels : 64), 0);
  for (i = 0; i < r->n_labels && n < top; i++) {
    if (r->labels[i] >= nl) continue; /* an index out of range: never from a sound core */
    push_name(L, k, r->labels[i]);
    if (n == 0) {
      lua_pushvalue(L, -1);
      lua_setfield(L, -4, "label");
    }
    lua_rawseti(L, -2, (lua_Integer)++n);
  }
  lua_setfield(L, -2, "labels");
  k->scores = r->scores;
  nr = tcl_rank_labels(k, nl, top);
  cap = nr < 64 ? (int)nr : 64;
  lua_createtable(L, cap, 0);
  for (i = 0; i < nr; i++) {
    push_name(L, k, k->order[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "ranked");
  lua_createtable(L, 0, cap);
  for (i = 0; i < nr; i++) {
    push_name(L, k, k->order[i]);
    lua_pushnumber(L, (lua_Number)r->scores[k->order[i]]);
    lua_rawset(L, -3);
  }
  lua_setfield(L, -2, "scores");
  lua_pushinteger(L, (lua_Integer)r->n_invalid);
  lua_setfield(L, -2, "invalid");
}

void tcl_predict_opts(lua_State *L, int arg, double *threshold, int *threads, size_t *top) {
  int t = INT_MAX; /* every label */
  *threshold = -1.0;
  *threads = 1;
  *top = (size_t)t;
  if (lua_isnoneornil(L, arg)) return;
  tcl_check_keys(L, arg, TCL_OPT_PREDICT | TCL_OPT_RESULTS, "option");
  tcl_opt_num(L, arg, TCL_OPT_PREDICT, "threshold", 0.0, 0, 1.0, threshold);
  tcl_opt_int(L, arg, TCL_OPT_PREDICT, "threads", 0, 1024, threads);
  tcl_opt_int(L, arg, TCL_OPT_RESULTS, "top", 1, INT_MAX, &t);
  *top = (size_t)t;
}

/***
 * Classify one text.
 * @function model:predict
 * @string text any bytes (invalid UTF-8 is decoded with replacement)
 * @tab[opt] opts {threshold = n}: overrides the model's multi-label threshold;
 *   {top = n}: ranked and scores hold only the n best labels, labels at most n
 * @return {label =, labels = {...}, ranked = {...}, scores = {[label] = score},
 *   invalid = n}
 * @return[2] nil, message, code when the core fails (e.g. out of memory)
 */
static int model_predict(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  size_t len;
  const char *text = luaL_checklstring(L, 2, &len);
  double threshold;
  int threads, rc;
  size_t top;
  tc_result r;
  tcl_ranker k;
  tcl_predict_opts(L, 3, &threshold, &threads, &top);
  tcl_check_nargs(L, 3);
  model_result(L, 1, h, &r);
  rc = tc_model_predict(tcl_still_open(L, h), model_ws(L, h), text, len, threshold, &r);
  release_huge_ws(h, len);
  if (rc != TC_OK) return tcl_fail(L, rc, NULL, NULL);
  tcl_ranker_push(L, 1, h, &k);
  push_result(L, h, &r, &k, top);
  return 1;
}

/* Scratch for a batch, one userdata: results, text pointers, lengths,
 * then the score and label arrays of every result. */
tcl_batch tcl_batch_alloc(lua_State *L, const tcl_model *h, size_t n) {
  size_t per_doc, i, nl = h->n_labels ? h->n_labels : 1;
  unsigned char *p;
  tcl_batch b;
  double *scores;
  uint32_t *labels;
  if (nl > ((size_t)-1 >> 2) / (sizeof(double) + sizeof(uint32_t)))
    luaL_error(L, "textclass: model has too many labels");
  per_doc = sizeof *b.res + sizeof *b.texts + sizeof *b.lens + nl * (sizeof *scores + sizeof *labels);
  p = tcl_scratch(L, n, per_doc);
  b.n = n;
  b.res = (tc_result *)(void *)p;
  b.texts = (const char **)(void *)(b.res + n);
  b.lens = (size_t *)(void *)(b.texts + n);
  scores = (double *)(void *)(b.lens + n);
  labels = (uint32_t *)(void *)(scores + n * nl);
  for (i = 0; i < n; i++) {
    memset(&b.res[i], 0, sizeof b.res[i]);
    b.res[i].scores = scores + i * nl;
    b.res[i].labels = labels + i * nl;
  }
  return b;
}

tcl_batch tcl_batch_prepare(lua_State *L, const tcl_model *h, int arg, size_t n) {
  size_t i;
  tcl_batch b;
  arg = lua_absindex(L, arg);
  b = tcl_batch_alloc(L, h, n);
  for (i = 0; i < n; i++) {
    /* checked by tcl_check_texts, but an allocation since may have run a
     * __gc that changed the table: checked again. Nothing allocates from
     * here to tcl_batch_run, so the table keeps the strings. */
    if (lua_rawgeti(L, arg, (lua_Integer)i + 1) != LUA_TSTRING)
      luaL_error(L, "texts[%I]: string expected, got %s", (lua_Integer)i + 1, luaL_typename(L, -1));
    b.texts[i] = lua_tolstring(L, -1, &b.lens[i]);
    lua_pop(L, 1);
  }
  return b;
}

void tcl_batch_run(const tc_model *m, tcl_batch *b, double threshold, int threads) {
  size_t i;
  int rc = tc_model_predict_batch(m, b->n, b->texts, b->lens, threshold, threads, b->res);
  /* A document the core never reached (a failure before it started) keeps
   * n_labels == 0 with status OK: give it the batch's code. */
  for (i = 0; i < b->n; i++) {
    if (b->res[i].status == TC_OK && b->res[i].n_labels == 0)
      b->res[i].status = rc != TC_OK ? rc : TC_EINVAL;
  }
}

void tcl_batch_run_here(lua_State *L, tcl_model *h, tcl_batch *b, double threshold, int threads) {
  const tc_model *m = tcl_still_open(L, h);
  tc_workspace *ws = threads == 1 ? handle_ws(h) : NULL;
  size_t i, longest = 0;
  if (!ws) {
    tcl_batch_run(m, b, threshold, threads);
    return;
  }
  for (i = 0; i < b->n; i++) {
    tc_model_predict(m, ws, b->texts[i], b->lens[i], threshold, &b->res[i]);
    if (b->lens[i] > longest) longest = b->lens[i];
  }
  release_huge_ws(h, longest);
}

tc_result *tcl_predict_texts(lua_State *L, tcl_model *h, int arg, size_t n, double threshold,
                             int threads) {
  tcl_batch b = tcl_batch_prepare(L, h, arg, n);
  tcl_batch_run_here(L, h, &b, threshold, threads);
  return b.res;
}

void tcl_push_results(lua_State *L, int hidx, const tcl_model *h, const tc_result *res, size_t n,
                      size_t top) {
  tcl_ranker k;
  size_t i;
  tcl_ranker_push(L, hidx, h, &k);
  lua_createtable(L, n <= 0x7fffffff ? (int)n : 0, 0);
  for (i = 0; i < n; i++) {
    push_result(L, h, &res[i], &k, top);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  /* the array over the ranker's two slots */
  lua_replace(L, -3);
  lua_pop(L, 1);
}

/***
 * Classify many texts, on threads.
 * @function model:predict_batch
 * @tab texts sequence of strings
 * @tab[opt] opts {threads = n (0: one per core; default 1), threshold = n, top = n}
 * @return array of results in input order; a failed document's slot is
 *   {error = message}
 */
static int model_predict_batch(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  size_t n, top;
  double threshold;
  int threads;
  tc_result *res;
  tcl_predict_opts(L, 3, &threshold, &threads, &top);
  tcl_check_nargs(L, 3);
  n = tcl_check_texts(L, 2, 2, "texts");
  res = tcl_predict_texts(L, h, 2, n, threshold, threads);
  tcl_push_results(L, 1, h, res, n, top);
  return 1;
}

/* Fill r->scores from the table at arg, {[label] = score} for each of the
 * model's labels (a result's scores): raises when one has none. */
static void check_scores(lua_State *L, int arg, int hidx, const tcl_model *h, tc_result *r) {
  size_t l;
  luaL_checktype(L, arg, LUA_TTABLE);
  tcl_check_plain(L, arg, arg, "scores");
  lua_getiuservalue(L, hidx, UV_NAMES);
  for (l = 0; l < h->n_labels; l++) {
    lua_rawgeti(L, -1, (lua_Integer)l + 1);
    if (lua_rawget(L, arg) != LUA_TNUMBER) {
      lua_rawgeti(L, -2, (lua_Integer)l + 1);
      luaL_argerror(L, arg, lua_pushfstring(L, "scores['%s']: number expected, got %s (a result's scores "
                                            "without top: one for each label)", lua_tostring(L, -1),
                                            luaL_typename(L, -2)));
    }
    r->scores[l] = (double)lua_tonumber(L, -1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/***
 * The labels the model chooses from a document's scores at a threshold:
 * predict's rule (every label at the threshold or above, best first,
 * else the fallback or the top label; a multi-class model's top label),
 * so a text classified once is labelled at many thresholds.
 * @function model:choose_labels
 * @tab scores {[label] = score} for every label: a result's scores (not
 *   cut by top)
 * @number[opt] threshold in [0, 1] (default: the model's)
 * @return array of label names, best first: the labels predict gives at
 *   that threshold
 */
static int model_choose_labels(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  double threshold = -1.0;
  tc_result r;
  size_t i;
  if (!lua_isnoneornil(L, 3)) {
    threshold = (double)luaL_checknumber(L, 3);
    if (!(threshold >= 0 && threshold <= 1)) /* NaN fails too */
      luaL_argerror(L, 3, lua_pushfstring(L, "threshold: number in [0, 1] expected, got %f", (lua_Number)threshold));
  }
  tcl_check_nargs(L, 3);
  model_result(L, 1, h, &r);
  check_scores(L, 2, 1, h, &r);
  tc_model_choose_labels(tcl_still_open(L, h), threshold, &r);
  lua_getiuservalue(L, 1, UV_NAMES);
  lua_createtable(L, (int)(r.n_labels < 64 ? r.n_labels : 64), 0);
  for (i = 0; i < r.n_labels; i++) {
    lua_rawgeti(L, -2, (lua_Integer)r.labels[i] + 1);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  return 1;
}

/* A label argument: a name of the model's labels (raises otherwise). */
static size_t check_label(lua_State *L, int arg, const tcl_model *h) {
  const char *name = tcl_check_cstring(L, arg, "label");
  int i = tc_model_label_index(h->model, name);
  if (i < 0) luaL_argerror(L, arg, lua_pushfstring(L, "unknown label '%s'", name));
  return (size_t)i;
}

/* Push an array of {feature =, weight =} for n contributions. */
static void push_contributions(lua_State *L, const tcl_model *h, const tc_contribution *c,
                               size_t n) {
  size_t i, k = 0;
  lua_createtable(L, n <= 0x7fffffff ? (int)n : 0, 0);
  for (i = 0; i < n; i++) {
    size_t len;
    const char *name;
    lua_createtable(L, 0, 2);
    /* (the name is read after the allocation, and copied before the next) */
    name = tc_extractor_feature_name(tc_model_extractor(tcl_still_open(L, h)), c[i].feature, &len);
    if (!name) { /* out of range: never from a sound core */
      lua_pop(L, 1);
      continue;
    }
    lua_pushlstring(L, name, len);
    lua_setfield(L, -2, "feature");
    lua_pushnumber(L, (lua_Number)c[i].weight);
    lua_setfield(L, -2, "weight");
    lua_rawseti(L, -2, (lua_Integer)++k);
  }
}

/* How many contributions to ask for: n (default 10), at most the vocabulary. */
static size_t check_count(lua_State *L, int arg, const tcl_model *h) {
  lua_Integer n = luaL_optinteger(L, arg, 10);
  size_t nf = tc_extractor_n_features(tc_model_extractor(h->model));
  luaL_argcheck(L, n >= 1, arg, "count must be >= 1");
  return (lua_Unsigned)n < nf ? (size_t)n : nf;
}

/***
 * The features of a text that pushed a label's score most.
 * @function model:explain
 * @string text
 * @string[opt] label a label name (default: the predicted label)
 * @int[opt=10] n how many
 * @return array of {feature = "data breach", weight = 0.42}, strongest first
 * @return[2] nil, message, code
 */
static int model_explain(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  size_t len, label, cap, n = 0;
  const char *text = luaL_checklstring(L, 2, &len);
  tc_contribution *out;
  int rc;
  label = lua_isnoneornil(L, 3) ? (size_t)-1 : check_label(L, 3, h);
  cap = check_count(L, 4, h);
  tcl_check_nargs(L, 4);
  /* the allocations first: the model and its workspace are read after them */
  out = tcl_scratch(L, cap, sizeof *out);
  if (label == (size_t)-1) {
    tc_result r;
    model_result(L, 1, h, &r);
    rc = tc_model_predict(tcl_still_open(L, h), model_ws(L, h), text, len, -1.0, &r);
    if (rc != TC_OK) {
      release_huge_ws(h, len);
      return tcl_fail(L, rc, NULL, NULL);
    }
    label = r.n_labels > 0 ? r.labels[0] : 0;
  }
  rc = tc_model_explain(tcl_still_open(L, h), model_ws(L, h), text, len, label, out, cap, &n);
  release_huge_ws(h, len);
  if (rc != TC_OK) return tcl_fail(L, rc, NULL, NULL);
  push_contributions(L, h, out, n < cap ? n : cap);
  return 1;
}

/***
 * A linear model's strongest features for a label.
 * @function model:top_features
 * @string label
 * @int[opt=10] n
 * @return array of {feature =, weight =}, most positive first
 * @return[2] nil, message, code (kernel models have no per-feature weights)
 */
static int model_top_features(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  size_t label = check_label(L, 2, h), cap = check_count(L, 3, h), n = 0;
  tc_contribution *out;
  int rc;
  tcl_check_nargs(L, 3);
  if (tc_model_kernel(h->model) != TC_KERNEL_LINEAR) {
    luaL_pushfail(L);
    lua_pushliteral(L, "top_features needs a linear model (this one uses the rbf kernel)");
    lua_pushstring(L, tcl_code_name(TC_EINVAL));
    return 3;
  }
  out = tcl_scratch(L, cap, sizeof *out);
  rc = tc_model_top_features(tcl_still_open(L, h), label, out, cap, &n);
  if (rc != TC_OK) return tcl_fail(L, rc, NULL, NULL);
  push_contributions(L, h, out, n < cap ? n : cap);
  return 1;
}

/***
 * @function model:labels
 * @return array of label names, in the model's order
 */
void tcl_push_label_names(lua_State *L, const tcl_model *h) {
  size_t i;
  lua_createtable(L, h->n_labels <= 0x7fffffff ? (int)h->n_labels : 0, 0);
  for (i = 0; i < h->n_labels; i++) {
    lua_pushstring(L, tc_model_label(tcl_still_open(L, h), i));
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static int model_labels(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  tcl_check_nargs(L, 1);
  tcl_push_label_names(L, h);
  return 1;
}

static void set_range(lua_State *L, const char *name, int lo, int hi) {
  if (lo == 0 && hi == 0) {
    lua_pushboolean(L, 0);
  } else {
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, lo);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, hi);
    lua_rawseti(L, -2, 2);
  }
  lua_setfield(L, -2, name);
}

void tcl_push_options(lua_State *L, const tc_options *o) {
  static const char *const stop[] = {"none", "english", "custom"};
  lua_createtable(L, 0, 18);
  tcl_set_boolean(L, "strip_boilerplate", o->strip_boilerplate);
  tcl_set_boolean(L, "compat", o->compat);
  tcl_set_boolean(L, "casefold", o->casefold);
  tcl_set_boolean(L, "strip_accents", o->strip_accents);
  tcl_set_integer(L, "max_token_bytes", o->max_token_bytes);
  tcl_set_string(L, "stopwords",
                 o->stopword_mode >= 0 && o->stopword_mode <= 2 ? stop[o->stopword_mode] : "?");
  tcl_set_string(L, "stem", o->stem == TC_STEM_ENGLISH ? "english" : "none");
  set_range(L, "ngrams", o->word_ngram_min, o->word_ngram_max);
  set_range(L, "char_ngrams", o->char_ngram_min, o->char_ngram_max);
  tcl_set_boolean(L, "title_terms", o->title_terms);
  tcl_set_integer(L, "min_df", o->min_df);
  tcl_set_number(L, "max_df", o->max_df);
  tcl_set_integer(L, "max_features", o->max_features);
  tcl_set_boolean(L, "sublinear_tf", o->sublinear_tf);
  tcl_set_boolean(L, "use_idf", o->use_idf);
  tcl_set_boolean(L, "l2_normalize", o->l2_normalize);
}

/***
 * What the model is and how it was made.
 * @function model:info
 * @return table: every metadata pair the model file holds (numbers
 *   converted), then format_version, kernel, labels, multilabel, threshold, fallback,
 *   short_features, short_moderation, features and options (these last win over metadata of the
 *   same name)
 */
static int model_info(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  size_t i, n = tc_model_meta_count(h->model);
  tc_options o;
  int fb;
  tcl_check_nargs(L, 1);
  /* (each value is read from the model after the allocation before it:
   * see tcl_still_open) */
  lua_createtable(L, 0, (int)(n < 64 ? n : 64) + 8);
  for (i = 0; i < n; i++) {
    const char *key, *value;
    if (tc_model_meta_at(tcl_still_open(L, h), i, &key, &value) != TC_OK || !key || !value) continue;
    lua_pushstring(L, key);
    tc_model_meta_at(tcl_still_open(L, h), i, &key, &value);
    if (lua_stringtonumber(L, value) == 0) lua_pushstring(L, value);
    lua_rawset(L, -3);
  }
  tcl_set_integer(L, "format_version", (lua_Integer)tc_model_file_version(tcl_still_open(L, h)));
  tcl_set_string(L, "kernel", kernel_name(tc_model_kernel(tcl_still_open(L, h))));
  tcl_push_label_names(L, h);
  lua_setfield(L, -2, "labels");
  tcl_set_boolean(L, "multilabel", tc_model_multilabel(tcl_still_open(L, h)));
  tcl_set_number(L, "threshold", tc_model_threshold(tcl_still_open(L, h)));
  fb = tc_model_fallback(tcl_still_open(L, h));
  if (fb >= 0 && tc_model_label(h->model, (size_t)fb)) tcl_set_string(L, "fallback", tc_model_label(h->model, (size_t)fb));
  else tcl_set_boolean(L, "fallback", 0);
  tcl_set_integer(L, "short_features", (lua_Integer)tc_model_short_features(tcl_still_open(L, h)));
  tcl_set_number(L, "short_moderation", tc_model_short_moderation(tcl_still_open(L, h)));
  tcl_set_integer(L, "features", (lua_Integer)tc_extractor_n_features(tc_model_extractor(tcl_still_open(L, h))));
  o = *tc_extractor_options(tc_model_extractor(tcl_still_open(L, h))); /* (its scalars: a copy) */
  tcl_push_options(L, &o);
  lua_setfield(L, -2, "options");
  return 1;
}

/***
 * Save the model atomically (temporary file, fsync, rename).
 * @function model:save
 * @string path
 * @return true
 * @return[2] nil, message, code
 */
static int model_save(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  const char *path = tcl_check_cstring(L, 2, "path");
  tc_diag diag;
  int rc;
  tcl_check_nargs(L, 2);
  memset(&diag, 0, sizeof diag);
  rc = tc_model_save(h->model, path, &diag);
  if (rc != TC_OK) return tcl_fail(L, rc, &diag, path);
  lua_pushboolean(L, 1);
  return 1;
}

/* ====================================================================
 * Registration
 * ==================================================================== */

static const luaL_Reg model_meta[] = {
  {"__gc", model_gc},
  {"__close", model_gc},
  {"__tostring", model_tostring},
  {"__index", NULL}, /* placeholder: the methods (tcl_register_class) */
  {NULL, NULL}
};

static const luaL_Reg model_methods[] = {
  {"predict", model_predict},
  {"predict_batch", model_predict_batch},
  {"predict_async", tcl_model_predict_async},
  {"choose_labels", model_choose_labels},
  {"label_records", tcl_model_label_records},
  {"explain", model_explain},
  {"top_features", model_top_features},
  {"labels", model_labels},
  {"info", model_info},
  {"save", model_save},
  {"close", model_close},
  {NULL, NULL}
};

void tcl_model_register(lua_State *L) { tcl_register_class(L, TCL_MODEL, model_meta, model_methods); }
