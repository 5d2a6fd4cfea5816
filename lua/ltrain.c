/*
 * ltrain.c - tc.train, tc.cross_validate, tc.default_train_params and tc.grid_values: specs,
 * datasets, progress.
 *
 * Caveats (design decisions):
 *  - A spec is checked in full before training starts: unknown fields,
 *    wrong types, a label list whose length differs from the texts, an
 *    empty or repeated label in a document, a fallback or class weight
 *    naming a label the data does not have. These raise, naming the field.
 *    What only training can find (one class only, no term surviving
 *    min_df, a progress callback asking to stop) returns nil, message, code.
 *  - multilabel defaults to true when some spec.labels entry is a list.
 *  - The progress callback runs inside lua_pcall from a C thunk, so neither
 *    a Lua error nor a memory error can unwind through the core (which may
 *    hold memory or threads). An error cancels training (the callback
 *    returns non-zero to the core); once the core has returned and the
 *    boxes are closed, the error is raised again with its original value.
 *    Returning false from the callback cancels quietly: nil, "canceled".
 */
#include <string.h>

#include "ltextclass.h"

/* ====================================================================
 * Progress callbacks
 * ==================================================================== */

typedef struct progress_ctx {
  lua_State *L;
  int fn;       /* stack index of the Lua function, 0 for none */
  int err;      /* stack index of a slot receiving the callback's error */
  int failed;   /* the callback raised; its error is at err */
} progress_ctx;

/* Runs under lua_pcall: (fn, stage lightuserdata, done, total) -> fn's result. */
static int progress_thunk(lua_State *L) {
  const char *stage = lua_touserdata(L, 2);
  lua_pushstring(L, stage ? stage : "");
  lua_replace(L, 2);
  lua_call(L, 3, 1);
  return 1;
}

/* The tc_progress_fn: nothing here can raise (pushing a C function, a
 * light userdata, integers and a copy of a stack value allocates nothing). */
static int call_progress(void *ud, const char *stage, size_t done, size_t total) {
  progress_ctx *c = ud;
  lua_State *L = c->L;
  int cancel;
  if (c->failed) return 1;
  if (!lua_checkstack(L, 6)) return 1; /* cannot call it: stop rather than crash */
  lua_pushcfunction(L, progress_thunk);
  lua_pushvalue(L, c->fn);
  lua_pushlightuserdata(L, (void *)stage);
  lua_pushinteger(L, (lua_Integer)done);
  lua_pushinteger(L, (lua_Integer)total);
  if (lua_pcall(L, 4, 1, 0) != LUA_OK) {
    lua_replace(L, c->err);
    c->failed = 1;
    return 1;
  }
  cancel = lua_type(L, -1) == LUA_TBOOLEAN && !lua_toboolean(L, -1);
  lua_pop(L, 1);
  return cancel;
}

/* After the core returned: re-raise the callback's error (boxes close on
 * the way out), or push fail for rc. */
static int train_failure(lua_State *L, const progress_ctx *c, int rc, const tc_diag *diag) {
  if (c->failed) {
    lua_pushvalue(L, c->err);
    return lua_error(L);
  }
  if (rc == TC_ENOMEM) return luaL_error(L, "not enough memory");
  return tcl_fail(L, rc, diag, NULL);
}

/* ====================================================================
 * Specs
 * ==================================================================== */

/* Stack layout of a call after read_spec (spec is argument 1). */
typedef struct spec_slots {
  int anchor;   /* table keeping borrowed strings and arrays alive */
  int texts, labels;
  tc_dataset *ds;  /* in a to-be-closed box */
} spec_slots;

/* Spec names, indexed by their TC_KERNEL_* and TC_SOLVER_* constants. */
static const char *const KERNELS[] = { "linear", "rbf", NULL };
static const char *const SOLVERS[] = { "auto", "liblinear", "libsvm", "dcd", NULL };

/* The index of s in names (NULL-ended), or -1. */
static int name_index(const char *const *names, const char *s) {
  int i;
  for (i = 0; names[i]; i++) {
    if (strcmp(names[i], s) == 0) return i;
  }
  return -1;
}

static int kernel_of(lua_State *L, const char *s) {
  int i = name_index(KERNELS, s);
  if (i >= 0) return i;
  return luaL_argerror(L, 1, lua_pushfstring(L, "spec.kernel: \"linear\" or \"rbf\" expected, got \"%s\"", s));
}

static int solver_of(lua_State *L, const char *s) {
  int i = name_index(SOLVERS, s);
  if (i >= 0) return i;
  return luaL_argerror(L, 1, lua_pushfstring(L, "spec.solver: \"auto\", \"dcd\", \"liblinear\" or \"libsvm\" expected, got \"%s\"", s));
}

/* A string field mapped through conv, or the default when nil. */
static int opt_enum(lua_State *L, const char *name, int (*conv)(lua_State *, const char *), int dflt) {
  int t = tcl_rawfield(L, 1, name), v = dflt;
  if (t == LUA_TSTRING) v = conv(L, lua_tostring(L, -1));
  else if (t != LUA_TNIL) tcl_bad_field(L, 1, TCL_OPT_TRAIN, name, "string");
  lua_pop(L, 1);
  return v;
}

/* The index of the dataset's label `name`, or its number of labels when
 * it has none of that name. */
static size_t dataset_label_index(const tc_dataset *ds, const char *name) {
  size_t nl = tc_dataset_n_labels(ds), i;
  for (i = 0; i < nl; i++) {
    if (strcmp(tc_dataset_label(ds, i), name) == 0) break;
  }
  return i;
}

/* Raise spec.<field>'s error when the string at stack index idx cannot be
 * a label name (tc_label_name_problem, the one rule, as spec.labels is
 * checked): "spec.fallback: label name holds a control character
 * (U+001B)". So a name is known to be one before a message shows it. */
static void check_label_name(lua_State *L, int idx, const char *field) {
  char why[TC_LABEL_PROBLEM_SIZE];
  size_t len;
  const char *name = lua_tolstring(L, idx, &len);
  if (tc_label_name_problem(name, len, why))
    luaL_argerror(L, 1, lua_pushfstring(L, "spec.%s: label name %s", field, why));
}

/* spec.class_weight = "balanced" | "none" | {label = weight}; needs the
 * dataset's labels, so it is read after the dataset is built. */
static void read_class_weight(lua_State *L, const spec_slots *s, tc_train_params *p) {
  int t = tcl_rawfield(L, 1, "class_weight");
  if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "balanced") == 0) {
    p->class_weight = TC_WEIGHT_BALANCED;
  } else if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "none") == 0) {
    p->class_weight = TC_WEIGHT_NONE;
  } else if (t == LUA_TTABLE) {
    size_t nl = tc_dataset_n_labels(s->ds), i;
    double *w;
    tcl_check_plain(L, 1, -1, "spec.class_weight");
    w = tcl_scratch(L, nl, sizeof *w);
    tcl_anchor(L, s->anchor);
    for (i = 0; i < nl; i++) w[i] = 1.0;
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      const char *name;
      double v = 0.0;
      if (lua_type(L, -2) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "spec.class_weight: label names expected as keys, got %s",
                                            luaL_typename(L, -2)));
      check_label_name(L, -2, "class_weight");
      name = lua_tostring(L, -2);
      /* the core's bounds (tc_train_params_check), as for spec.C: a weight
       * above them returned nil, "label_weights: ...", "EDATA" */
      if (lua_type(L, -1) != LUA_TNUMBER || !((v = (double)lua_tonumber(L, -1)) > 0) || v > 1e6)
        luaL_argerror(L, 1, lua_pushfstring(L, "spec.class_weight.%s: positive number up to 1e6 expected",
                                            name));
      i = dataset_label_index(s->ds, name);
      if (i == nl)
        luaL_argerror(L, 1, lua_pushfstring(L, "spec.class_weight: unknown label '%s' (not in spec.labels)", name));
      w[i] = v;
      lua_pop(L, 1);
    }
    p->class_weight = TC_WEIGHT_CUSTOM;
    p->label_weights = w;
  } else if (t != LUA_TNIL) {
    tcl_bad_field(L, 1, TCL_OPT_TRAIN, "class_weight", "\"balanced\", \"none\" or {label = weight}");
  }
  lua_pop(L, 1);
}

/* spec.threshold: a number in [0, 1], or "auto": chosen by
 * cross-validation (threshold_auto). */
static void read_threshold(lua_State *L, tc_train_params *p) {
  if (tcl_rawfield(L, 1, "threshold") == LUA_TSTRING) {
    if (strcmp(lua_tostring(L, -1), "auto") != 0)
      tcl_bad_field(L, 1, TCL_OPT_TRAIN, "threshold", "number or \"auto\"");
    p->threshold_auto = 1;
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  tcl_opt_num(L, 1, TCL_OPT_TRAIN, "threshold", 0.0, 0, 1.0, &p->threshold);
}

/* spec.kernel and spec.solver; a solver that trains linear kernels only
 * is refused with kernel = "rbf". */
static void read_kernel_and_solver(lua_State *L, tc_train_params *p) {
  p->kernel = opt_enum(L, "kernel", kernel_of, p->kernel);
  p->solver = opt_enum(L, "solver", solver_of, p->solver);
  /* (the core's message names its C constants, TC_SOLVER_LIBSVM) */
  if (p->kernel == TC_KERNEL_RBF && (p->solver == TC_SOLVER_DCD || p->solver == TC_SOLVER_LIBLINEAR))
    luaL_argerror(L, 1, lua_pushfstring(L, "spec.solver: \"%s\" trains linear kernels only (\"libsvm\" or "
                                        "\"auto\" train kernel = \"rbf\")",
                                        p->solver == TC_SOLVER_DCD ? "dcd" : "liblinear"));
}

/* spec.cv: 0 (none) or [2, 100] folds; spec.grid, which needs them. */
static void read_cv_and_grid(lua_State *L, tc_train_params *p) {
  tcl_opt_int(L, 1, TCL_OPT_TRAIN, "cv", 0, 100, &p->cv_folds);
  if (p->cv_folds == 1)
    luaL_argerror(L, 1, "spec.cv: 0 (no cross-validation) or an integer in [2, 100] expected, got 1");
  tcl_opt_bool(L, 1, TCL_OPT_TRAIN, "grid", &p->grid);
  if (p->grid && p->cv_folds < 2) /* (the core's message names its own field, cv_folds) */
    luaL_argerror(L, 1, "spec.grid needs spec.cv >= 2 (the folds it chooses by)");
}

/* spec.seed: a non-negative integer. */
static void read_seed(lua_State *L, tc_train_params *p) {
  lua_Integer seed = -1;
  if (tcl_rawfield(L, 1, "seed") != LUA_TNIL) {
    int ok = 0;
    if (lua_type(L, -1) == LUA_TNUMBER) seed = lua_tointegerx(L, -1, &ok);
    if (!ok || seed < 0) tcl_bad_field(L, 1, TCL_OPT_TRAIN, "seed", "non-negative integer");
    p->seed = (uint64_t)seed;
  }
  lua_pop(L, 1);
}

/* spec.fallback: a label name, kept in the anchor; whether the data has
 * that label is checked once the dataset is built (check_fallback). */
static void read_fallback(lua_State *L, const spec_slots *s, tc_train_params *p) {
  int t = tcl_rawfield(L, 1, "fallback");
  if (t == LUA_TSTRING) {
    check_label_name(L, -1, "fallback");
    p->fallback = lua_tostring(L, -1);
    lua_pushvalue(L, -1);
    tcl_anchor(L, s->anchor);
  } else if (t != LUA_TNIL) {
    tcl_bad_field(L, 1, TCL_OPT_TRAIN, "fallback", "label name");
  }
  lua_pop(L, 1);
}

/* The training fields that need neither each other's nor the data's
 * checks later: kernel to fallback, into *p. */
static void read_training_fields(lua_State *L, const spec_slots *s, tc_train_params *p) {
  read_kernel_and_solver(L, p);
  tcl_opt_num(L, 1, TCL_OPT_TRAIN, "C", 0.0, 1, 1e6, &p->C); /* the core's bounds */
  tcl_opt_num(L, 1, TCL_OPT_TRAIN, "gamma", 0.0, 1, 1e6, &p->gamma);
  tcl_opt_num(L, 1, TCL_OPT_TRAIN, "tolerance", 0.0, 1, 1e6, &p->tolerance);
  tcl_opt_bool(L, 1, TCL_OPT_TRAIN, "calibrate", &p->calibrate);
  read_threshold(L, p);
  tcl_opt_int(L, 1, TCL_OPT_TRAIN, "short_features", 0, INT32_MAX, &p->short_features);
  tcl_opt_num(L, 1, TCL_OPT_TRAIN, "short_moderation", 0.0, 0, 1e6, &p->short_moderation);
  read_cv_and_grid(L, p);
  tcl_opt_int(L, 1, TCL_OPT_TRAIN, "threads", 0, 1024, &p->threads);
  tcl_opt_num(L, 1, TCL_OPT_TRAIN, "cache_mb", 0.0, 1, 1e6, &p->cache_mb);
  read_seed(L, p);
  read_fallback(L, s, p);
}

/* Pushes the error slot (nil) and spec.progress (or nil), c set up for
 * them; p->progress calls the function when there is one. */
static void read_progress(lua_State *L, tc_train_params *p, progress_ctx *c) {
  int t;
  lua_pushnil(L);
  c->L = L;
  c->err = lua_gettop(L);
  c->failed = 0;
  t = tcl_rawfield(L, 1, "progress");
  c->fn = lua_gettop(L);
  if (t == LUA_TFUNCTION) {
    p->progress = call_progress;
    p->progress_ud = c;
  } else if (t != LUA_TNIL) {
    tcl_bad_field(L, 1, TCL_OPT_TRAIN, "progress", "function");
  }
}

/* Pushes spec.texts and spec.labels (s->texts, s->labels), checked, the
 * number of texts in *n; sets p->multilabel (multilabel, or when unset,
 * -1: whether some entry is a list) and refuses a single-label entry that
 * is not one label. Returns the most labels an entry has. */
static size_t read_texts_and_labels(lua_State *L, spec_slots *s, int multilabel, tc_train_params *p, size_t *n) {
  size_t most;
  int any_list;
  lua_Integer bad_single;
  if (tcl_rawfield(L, 1, "texts") == LUA_TNIL) luaL_argerror(L, 1, "spec.texts: missing");
  s->texts = lua_gettop(L);
  *n = tcl_check_texts(L, 1, s->texts, "spec.texts");
  if (tcl_rawfield(L, 1, "labels") == LUA_TNIL) luaL_argerror(L, 1, "spec.labels: missing");
  s->labels = lua_gettop(L);
  most = tcl_check_labels(L, 1, s->labels, *n, "spec.labels", "spec.texts", &any_list, &bad_single);
  p->multilabel = multilabel < 0 ? any_list : multilabel;
  if (!p->multilabel && bad_single) {
    luaL_argerror(L, 1, lua_pushfstring(L, "spec.labels[%I]: exactly one label expected "
                                        "(set spec.multilabel = true for documents with several or none)",
                                        bad_single));
  }
  return most;
}

/* The training fields' checks that need p->multilabel, then the core's
 * (tc_train_params_check without the data). */
static void check_training_fields(lua_State *L, const tc_train_params *p) {
  const char *msg;
  /* (the core's messages name its own fields, threshold_auto and cv_folds) */
  if (p->threshold_auto && !p->multilabel)
    luaL_argerror(L, 1, "spec.threshold = \"auto\" applies to multi-label models only");
  if (p->threshold_auto && p->cv_folds < 2)
    luaL_argerror(L, 1, "spec.threshold = \"auto\" needs spec.cv >= 2 (the folds it is chosen by)");
  if (p->grid && p->features.title_terms)
    luaL_argerror(L, 1, "spec.grid chooses title_terms itself (it tries them off and on): leave spec.title_terms out");
  msg = tc_train_params_check(p, NULL);
  if (msg) luaL_argerror(L, 1, lua_pushfstring(L, "spec: %s", msg));
}

/* Document i (1-based) of spec.texts and spec.labels added to s->ds, its
 * names read into names (room for `most`). */
static void add_document(lua_State *L, const spec_slots *s, lua_Integer i, const char **names, size_t most) {
  size_t len, k;
  const char *text;
  int rc;
  /* checked, but an allocation since may have run a __gc that changed them */
  if (lua_rawgeti(L, s->texts, i) != LUA_TSTRING) luaL_error(L, "spec.texts[%I] changed during the call", i);
  text = lua_tolstring(L, -1, &len);
  lua_rawgeti(L, s->labels, i);
  k = tcl_entry_names(L, names, most);
  rc = tc_dataset_add(s->ds, text, len, names, k);
  if (rc == TC_ENOMEM) luaL_error(L, "not enough memory");
  /* check_entry has refused empty and repeated names: what is left is UTF-8 */
  if (rc == TC_EINVAL) luaL_argerror(L, 1, lua_pushfstring(L, "spec.labels[%I]: label name is not valid UTF-8", i));
  if (rc != TC_OK) luaL_argerror(L, 1, lua_pushfstring(L, "spec.labels[%I]: %s", i, tc_strerror(rc)));
  lua_pop(L, 2);
}

/* Pushes names' scratch and the dataset's box, and builds s->ds from the
 * n checked texts and labels (at most `most` labels an entry). */
static void build_dataset(lua_State *L, spec_slots *s, size_t n, size_t most) {
  const char **names = tcl_scratch(L, most, sizeof *names);
  tcl_box *box = tcl_box_push(L, tcl_free_dataset);
  tc_dataset *ds = NULL;
  int rc = tc_dataset_new(&ds);
  size_t i;
  box->p = ds;
  if (rc != TC_OK) luaL_error(L, "not enough memory");
  s->ds = ds;
  for (i = 1; i <= n; i++) add_document(L, s, (lua_Integer)i, names, most);
}

/* spec.sources, when given: each text's source (its publisher, site or
 * corpus: a string or an integer), numbered for the core in order of first
 * appearance (tc_dataset_set_source). Leaves the stack as it was. */
static void read_sources(lua_State *L, const spec_slots *s, size_t n) {
  int t = tcl_rawfield(L, 1, "sources"), sources = lua_gettop(L), numbers;
  lua_Integer i, count = 0;
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return;
  }
  if (t != LUA_TTABLE) tcl_bad_field(L, 1, TCL_OPT_TRAIN, "sources", "table of strings");
  tcl_check_plain(L, 1, sources, "spec.sources");
  if (lua_rawlen(L, sources) != n) {
    luaL_argerror(L, 1, lua_pushfstring(L, "spec.sources: %I entries for %I texts (one source per text)",
                                        (lua_Integer)lua_rawlen(L, sources), (lua_Integer)n));
  }
  lua_newtable(L);
  numbers = lua_gettop(L);
  for (i = 1; i <= (lua_Integer)n; i++) {
    lua_Integer number;
    if (lua_rawgeti(L, sources, i) != LUA_TSTRING && !lua_isinteger(L, -1)) {
      luaL_argerror(L, 1, lua_pushfstring(L, "spec.sources[%I]: string or integer expected, got %s", i,
                                          luaL_typename(L, -1)));
    }
    lua_pushvalue(L, -1);
    if (lua_rawget(L, numbers) == LUA_TNIL) {
      lua_pushvalue(L, -2);
      lua_pushinteger(L, ++count);
      lua_rawset(L, numbers);
      number = count;
    } else {
      number = lua_tointeger(L, -1);
    }
    if (tc_dataset_set_source(s->ds, (size_t)i - 1, (uint32_t)number) != TC_OK) luaL_error(L, "not enough memory");
    lua_pop(L, 2);
  }
  lua_pop(L, 2);
}

/* spec.fallback, when given, is a label the data has. */
static void check_fallback(lua_State *L, const spec_slots *s, const tc_train_params *p) {
  if (p->fallback && dataset_label_index(s->ds, p->fallback) == tc_dataset_n_labels(s->ds))
    luaL_argerror(L, 1, lua_pushfstring(L, "spec.fallback: unknown label '%s' (not in spec.labels)", p->fallback));
}

/* Check spec (argument 1) in full and build its dataset. Pushes the anchor,
 * the error slot, the progress function (or nil), texts, labels and the
 * dataset box; fills *p and *c. Raises for any malformed field. */
static void read_spec(lua_State *L, spec_slots *s, tc_train_params *p, progress_ctx *c) {
  size_t n, most;
  int multilabel = -1; /* unset: whether some entry is a list */
  tcl_check_keys(L, 1, TCL_OPT_ALL, "spec field");
  tc_train_params_init(p);
  lua_newtable(L);
  s->anchor = lua_gettop(L);
  tcl_read_options(L, 1, s->anchor, TCL_OPT_ALL, &p->features);
  read_training_fields(L, s, p);
  read_progress(L, p, c);
  tcl_opt_bool(L, 1, TCL_OPT_TRAIN, "multilabel", &multilabel);
  /* texts and labels, after every other field */
  most = read_texts_and_labels(L, s, multilabel, p, &n);
  check_training_fields(L, p);
  build_dataset(L, s, n, most);
  read_sources(L, s, n);
  /* fields that name labels */
  read_class_weight(L, s, p);
  check_fallback(L, s, p);
}


/* ====================================================================
 * train, cross_validate
 * ==================================================================== */

/* t[key] = an array of the n values, t at the top of the stack. */
static void set_numbers(lua_State *L, const char *key, const double *values, size_t n) {
  size_t i;
  lua_createtable(L, (int)n, 0);
  for (i = 0; i < n; i++) {
    lua_pushnumber(L, values[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, key);
}

/***
 * The training fields a spec that gives none trains with: the core's
 * defaults (tc_train_params_init, which read_spec starts from), spelt as
 * spec fields. The command line's train --help takes its defaults from here.
 * @function default_train_params
 * @return table: kernel, solver, C, gamma, class_weight, threshold, ...
 */
int tcl_default_train_params(lua_State *L) {
  tc_train_params p;
  tcl_check_nargs(L, 0);
  tc_train_params_init(&p);
  lua_createtable(L, 0, 14);
  tcl_set_string(L, "kernel", KERNELS[p.kernel]);
  tcl_set_string(L, "solver", SOLVERS[p.solver]);
  tcl_set_number(L, "C", p.C);
  tcl_set_number(L, "gamma", tc_train_params_gamma(&p));
  tcl_set_string(L, "class_weight", p.class_weight == TC_WEIGHT_BALANCED ? "balanced" : "none");
  tcl_set_number(L, "threshold", p.threshold);
  tcl_set_integer(L, "short_features", p.short_features);
  tcl_set_number(L, "short_moderation", p.short_moderation);
  tcl_set_boolean(L, "calibrate", p.calibrate);
  tcl_set_integer(L, "cv", p.cv_folds);
  tcl_set_boolean(L, "grid", p.grid);
  tcl_set_integer(L, "seed", (lua_Integer)p.seed);
  tcl_set_integer(L, "threads", p.threads);
  tcl_set_number(L, "cache_mb", p.cache_mb);
  return 1;
}

/***
 * The values a spec with grid = true tries, in the order it tries them:
 * C for every kernel, gamma for an RBF kernel (tc_grid_C_values,
 * tc_grid_gamma_values). The command line's messages take theirs from here.
 * @function grid_values
 * @return table: { C = { 0.1, ... }, gamma = { 0.3, ... } }
 */
int tcl_grid_values(lua_State *L) {
  const double *values;
  size_t n;
  tcl_check_nargs(L, 0);
  lua_createtable(L, 0, 2);
  n = tc_grid_C_values(&values);
  set_numbers(L, "C", values, n);
  n = tc_grid_gamma_values(&values);
  set_numbers(L, "gamma", values, n);
  return 1;
}

/***
 * Train a model.
 * @function train
 * @tab spec see docs/lua-api.md
 * @return model
 * @return[2] nil, message, code (unusable data, canceled)
 */
int tcl_train(lua_State *L) {
  spec_slots s;
  tc_train_params p;
  progress_ctx c;
  tc_model *m = NULL;
  tc_diag diag;
  tcl_model *h;
  const char *msg;
  int rc, hi;
  tcl_check_nargs(L, 1);
  read_spec(L, &s, &p, &c);
  if (p.cv_folds > 1 && (size_t)p.cv_folds > tc_dataset_size(s.ds)) /* (as above) */
    return tcl_fail(L, TC_EDATA, NULL,
                    lua_pushfstring(L, "spec.cv: %d folds need at least %d documents (there are %d)",
                                    p.cv_folds, p.cv_folds, (int)tc_dataset_size(s.ds)));
  msg = tc_train_params_check(&p, s.ds);
  if (msg) return tcl_fail(L, TC_EDATA, NULL, msg);
  h = tcl_model_new(L); /* closed until training succeeds */
  hi = lua_gettop(L);
  memset(&diag, 0, sizeof diag);
  rc = tc_model_train(s.ds, &p, &m, &diag);
  if (rc == TC_OK && c.failed) { /* the core did not honour the cancel */
    tc_model_free(m);
    rc = TC_ECANCELED;
  }
  if (rc == TC_EINVAL && !c.failed)
    return luaL_argerror(L, 1, lua_pushfstring(L, "spec: %s", diag.message[0] ? diag.message : tc_strerror(rc)));
  if (rc != TC_OK) return train_failure(L, &c, rc, &diag);
  tcl_model_open(L, hi, h, m);
  lua_pushvalue(L, hi);
  return 1;
}

/***
 * k-fold cross-validation of a spec.
 * @function cross_validate
 * @tab spec as for train
 * @int[opt] k folds in [2, 100] (default spec.cv, else 5)
 * @return {accuracy, macro_f1, micro_f1, exact_match, documents,
 *   per_label = {[label] = {precision, recall, f1, support, tp, fp, fn}},
 *   folds = {{macro_f1 =}, ...}}
 * @return[2] nil, message, code
 */
int tcl_cross_validate(lua_State *L) {
  spec_slots s;
  tc_train_params p;
  progress_ctx c;
  tc_diag diag;
  tcl_box *box;
  double *folds;
  const char *msg;
  lua_Integer k = luaL_optinteger(L, 2, 0);
  int rc, i, names;
  tcl_check_nargs(L, 2);
  lua_settop(L, 2);
  read_spec(L, &s, &p, &c);
  if (k == 0) k = p.cv_folds > 1 ? p.cv_folds : 5;
  luaL_argcheck(L, k >= 2 && k <= 100, 2, "folds must be in [2, 100]");
  if ((size_t)k > tc_dataset_size(s.ds)) /* as train says it (the core's EINVAL blamed the call) */
    return tcl_fail(L, TC_EDATA, NULL,
                    lua_pushfstring(L, "%d folds need at least %d documents (there are %d)", (int)k, (int)k,
                                    (int)tc_dataset_size(s.ds)));
  msg = tc_train_params_check(&p, s.ds);
  if (msg) return tcl_fail(L, TC_EDATA, NULL, msg);
  folds = tcl_scratch(L, (size_t)k, sizeof *folds);
  box = tcl_box_push(L, tcl_free_metrics);
  {
    tc_metrics *mt = NULL;
    rc = tc_metrics_new(tc_dataset_n_labels(s.ds), &mt);
    box->p = mt;
    if (rc != TC_OK) return train_failure(L, &c, rc, NULL);
  }
  memset(&diag, 0, sizeof diag);
  rc = tc_cross_validate(s.ds, &p, (int)k, box->p, folds, &diag);
  if (rc == TC_OK && c.failed) rc = TC_ECANCELED;
  if (rc != TC_OK) return train_failure(L, &c, rc, &diag);
  names = tcl_push_dataset_labels(L, s.ds);
  tcl_push_metrics(L, box->p, names, tc_dataset_n_labels(s.ds));
  lua_createtable(L, (int)k, 0);
  for (i = 0; i < (int)k; i++) {
    lua_createtable(L, 0, 1);
    tcl_set_number(L, "macro_f1", folds[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "folds");
  return 1;
}
