/*
 * lrecords.c - model:label_records: the records `textclass label` prints
 * for a batch of documents (TSV, CSV or JSONL), made from the core's
 * results without a Lua table per result.
 *
 * Caveats (design decisions):
 *  - It is a fast path beside the command line's Lua writers
 *    (textclass.cli.writers), which Lua classifiers and label's
 *    overlapped batches still use: its records are theirs byte for byte,
 *    and tests/lua/label_records_spec.lua holds the two to each other.
 *  - Everything is read from the Lua tables first, raw (no metamethod
 *    runs: see ltextclass.h), each string we keep a pointer to anchored
 *    in a table of this call, then written into one buffer, since nothing
 *    may be pushed above a luaL_Buffer while it grows.
 *  - counts is updated last, raw, once each count it adds to is checked
 *    to be a number: then nothing but memory can fail.
 */
#include <stdlib.h>
#include <string.h>

#include "ltextclass.h"

/* An input field of a document, for -o jsonl: its name as printed (an
 * input field named as one of ours is printed input_<name>) and its JSON
 * text as read. */
typedef struct record_field {
  const char *key, *name, *value;
  size_t key_len, name_len, value_len;
} record_field;

/* A carried cell of a document, for -o csv: an input column's value. */
typedef struct record_cell {
  const char *s;
  size_t len;
} record_cell;

/* One document of a batch, as model:label_records reads it. */
typedef struct record_doc {
  const char *id, *where, *text, *error; /* where: NULL but beside an id of its own */
  size_t id_len, where_len, text_len, error_len;
  record_field *fields; /* -o jsonl: in byte order of their keys */
  size_t n_fields;
  record_cell *cells; /* -o csv: in their order, then n_empty empty ones */
  size_t n_cells, n_empty;
} record_doc;

/* The formats, in the order model:label_records' format names them. */
enum { FORMAT_TSV, FORMAT_CSV, FORMAT_JSONL };

/* The model's labels as the records name them, and the room a record's
 * labels are gathered and listed in (scratch of the call). */
typedef struct record_labels {
  size_t n, top;         /* the model's labels; the most a record lists */
  const char **name;     /* kept by the ranker's names table */
  size_t *name_len;
  tcl_ranker rk;
  uint32_t *chosen;      /* a record's labels, best first */
  uint32_t *counted;     /* how many records each label is the label of */
  char *list;            /* room for the longest name_list */
} record_labels;

/* Byte order (a shorter key first when one begins the other), as Lua's
 * table.sort orders strings in the C locale. */
static int field_order(const void *pa, const void *pb) {
  const record_field *a = pa, *b = pb;
  size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
  int c = memcmp(a->key, b->key, n);
  if (c) return c;
  return (a->key_len > b->key_len) - (a->key_len < b->key_len);
}

/* The names label's records give their own fields (writers.lua's OURS). */
static int is_ours(const char *k, size_t n) {
  static const char *const ours[] = { "id", "label", "labels", "scores", "error" };
  size_t i;
  for (i = 0; i < sizeof ours / sizeof *ours; i++)
    if (strlen(ours[i]) == n && memcmp(ours[i], k, n) == 0) return 1;
  return 0;
}

/* doc.fields (table at `fields`) read into d for -o jsonl, sorted; its
 * keys and values, and the names made here, are kept in `anchor` from
 * slot *slot on. Raises when a key or value is not a string (the caller
 * then takes the Lua writers). */
static void read_fields(lua_State *L, int fields, record_doc *d, int anchor, lua_Integer *slot) {
  size_t n = 0, i;
  lua_pushnil(L);
  while (lua_next(L, fields)) {
    n++;
    lua_pop(L, 1);
  }
  d->fields = tcl_scratch(L, n, sizeof *d->fields);
  lua_rawseti(L, anchor, ++*slot);
  i = 0;
  lua_pushnil(L);
  while (lua_next(L, fields)) {
    record_field *f;
    if (i == n) /* a __gc run by an allocation since the count added one */
      luaL_error(L, "label_records: a document's fields changed during the call");
    f = &d->fields[i++];
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
      luaL_error(L, "label_records: a field name or value is not a string");
    f->key = lua_tolstring(L, -2, &f->key_len);
    f->value = lua_tolstring(L, -1, &f->value_len);
    f->name = f->key;
    f->name_len = f->key_len;
    lua_pushvalue(L, -2);
    lua_rawseti(L, anchor, ++*slot); /* the key */
    lua_rawseti(L, anchor, ++*slot); /* the value */
  }
  n = d->n_fields = i;
  qsort(d->fields, n, sizeof *d->fields, field_order);
  for (i = 0; i < n; i++) {
    record_field *f = &d->fields[i];
    if (!is_ours(f->key, f->key_len)) continue;
    lua_pushlstring(L, f->key, f->key_len);
    do { /* "input_<name>", prefixed again while an input field holds that name */
      lua_pushliteral(L, "input_");
      lua_insert(L, -2);
      lua_concat(L, 2);
      lua_pushvalue(L, -1);
    } while (lua_rawget(L, fields) != LUA_TNIL && (lua_pop(L, 1), 1));
    lua_pop(L, 1);
    f->name = lua_tolstring(L, -1, &f->name_len);
    lua_rawseti(L, anchor, ++*slot);
  }
}

/* The most cells a document may have (cells.n): a byte each at least. */
#define MAX_CELLS 0x7fffffff

/* doc.cells (table at `cells`) read into d for -o csv: its items 1 to its
 * raw length, kept in `anchor` from slot *slot on, and as many empty ones
 * after them as cells.n counts more (table.pack's n; none without it).
 * Raises when an item is not a string or n is not a count from the raw
 * length to MAX_CELLS (the caller then takes the Lua writers). */
static void read_cells(lua_State *L, int cells, record_doc *d, int anchor, lua_Integer *slot) {
  size_t n = (size_t)lua_rawlen(L, cells), i;
  lua_Integer total = (lua_Integer)n;
  int t = tcl_rawfield(L, cells, "n");
  if (t != LUA_TNIL) {
    int exact = 0;
    total = lua_tointegerx(L, -1, &exact);
    if (t != LUA_TNUMBER || !exact || total < (lua_Integer)n || total > MAX_CELLS)
      luaL_error(L, "label_records: a document's cells.n must be a count from #cells (%I) to %I",
                 (lua_Integer)n, (lua_Integer)MAX_CELLS);
  }
  lua_pop(L, 1);
  d->n_empty = (size_t)(total - (lua_Integer)n);
  d->cells = tcl_scratch(L, n, sizeof *d->cells);
  lua_rawseti(L, anchor, ++*slot);
  for (i = 0; i < n; i++) {
    if (lua_rawgeti(L, cells, (lua_Integer)i + 1) != LUA_TSTRING)
      luaL_error(L, "label_records: a document's cell %I is a %s, not a string", (lua_Integer)i + 1,
                 luaL_typename(L, -1));
    d->cells[i].s = lua_tolstring(L, -1, &d->cells[i].len);
    lua_rawseti(L, anchor, ++*slot);
  }
  d->n_cells = n;
}

/* doc[key] as a string (a number as tostring gives it), kept in `anchor`
 * at `slot`, or NULL when nil or false; anything else raises. */
static const char *doc_string(lua_State *L, int doc, const char *key, size_t *len, int anchor, lua_Integer slot) {
  const char *s = NULL;
  int t = tcl_rawfield(L, doc, key);
  *len = 0;
  if (t == LUA_TSTRING) {
    s = lua_tolstring(L, -1, len);
    lua_pushvalue(L, -1);
    lua_rawseti(L, anchor, slot);
  } else if (t == LUA_TNUMBER) {
    s = luaL_tolstring(L, -1, len);
    lua_rawseti(L, anchor, slot);
  } else if (t != LUA_TNIL && !(t == LUA_TBOOLEAN && !lua_toboolean(L, -1))) {
    luaL_error(L, "label_records: a document's %s must be a string, not %s", key, luaL_typename(L, -1));
  }
  lua_pop(L, 1);
  return s;
}

/* doc.fields (-o jsonl) or doc.cells (-o csv) of document `at` (table at
 * `doc`) read into d, kept in `anchor` from slot *slot on; -o tsv reads
 * neither. */
static void read_doc_inputs(lua_State *L, int doc, lua_Integer at, int format, record_doc *d, int anchor,
                            lua_Integer *slot) {
  const char *key = format == FORMAT_JSONL ? "fields" : "cells";
  int t;
  if (format == FORMAT_TSV) return;
  t = tcl_rawfield(L, doc, key);
  if (t == LUA_TTABLE) {
    if (format == FORMAT_JSONL) read_fields(L, lua_gettop(L), d, anchor, slot);
    else read_cells(L, lua_gettop(L), d, anchor, slot);
  } else if (t != LUA_TNIL) { /* (they would be dropped without a word) */
    luaL_error(L, "label_records: document %I's %s is a %s, not a table", at, key, lua_typename(L, t));
  }
  lua_pop(L, 1);
}

/* Document `at` of docs (argument 2) read into d, its strings kept in
 * `anchor` from slot *slot on. Raises when it is not one
 * model:label_records takes. */
static void read_doc(lua_State *L, lua_Integer at, int format, record_doc *d, int anchor, lua_Integer *slot) {
  int doc;
  if (lua_rawgeti(L, 2, at) != LUA_TTABLE) luaL_error(L, "label_records: document %I is not a table", at);
  doc = lua_gettop(L);
  d->id = doc_string(L, doc, "id", &d->id_len, anchor, ++*slot);
  d->where = doc_string(L, doc, "where", &d->where_len, anchor, ++*slot);
  d->error = doc_string(L, doc, "error", &d->error_len, anchor, ++*slot);
  d->text = d->error ? NULL : doc_string(L, doc, "text", &d->text_len, anchor, ++*slot);
  d->fields = NULL;
  d->n_fields = 0;
  d->cells = NULL;
  d->n_cells = d->n_empty = 0;
  read_doc_inputs(L, doc, at, format, d, anchor, slot);
  lua_pop(L, 1);
  if (!d->id) luaL_error(L, "label_records: document %I has no id", at);
  if (!d->error && !d->text) luaL_error(L, "label_records: document %I has neither a text nor an error", at);
}

/* The n documents of docs (argument 2) read into docs, and the texts to
 * classify (at most one a document) into batch, batch->n their number. */
static void read_docs(lua_State *L, size_t n, int format, record_doc *docs, tcl_batch *batch, int anchor,
                      lua_Integer *slot) {
  size_t i, n_text = 0;
  for (i = 0; i < n; i++) {
    read_doc(L, (lua_Integer)i + 1, format, &docs[i], anchor, slot);
    if (docs[i].text) {
      batch->texts[n_text] = docs[i].text;
      batch->lens[n_text++] = docs[i].text_len;
    }
  }
  batch->n = n_text;
}

/* Did the core choose a label for r (one of the model's nl)? */
static int has_label(const tc_result *r, size_t nl) {
  size_t j;
  if (r->status != TC_OK) return 0;
  for (j = 0; j < r->n_labels; j++)
    if (r->labels[j] < nl) return 1; /* (never out of range from a sound core) */
  return 0;
}

/* Each document's error (its own, or for one the core chose no label for,
 * the core's), after its place when its id is its own, as the Lua writers
 * write it (records.error_text): "FILE:LINE: problem". The strings made
 * are kept in `anchor` from slot *slot on. */
static void record_errors(lua_State *L, record_doc *docs, size_t n, const tc_result *res, size_t nl, int anchor,
                          lua_Integer *slot) {
  size_t i, k = 0;
  for (i = 0; i < n; i++) {
    record_doc *d = &docs[i];
    const tc_result *r = d->text ? &res[k++] : NULL;
    if (r && has_label(r, nl)) continue;
    if (r) {
      d->error = tc_strerror(r->status != TC_OK ? r->status : TC_EINVAL);
      d->error_len = strlen(d->error);
    }
    if (!d->where || (d->where_len == d->id_len && memcmp(d->where, d->id, d->id_len) == 0)) continue;
    lua_pushlstring(L, d->where, d->where_len);
    lua_pushliteral(L, ": ");
    lua_pushlstring(L, d->error, d->error_len);
    lua_concat(L, 3);
    d->error = lua_tolstring(L, -1, &d->error_len);
    lua_rawseti(L, anchor, ++*slot);
  }
}

/* lb for the model (argument 1, h) and top: its ranker (pushed), the
 * label names (kept by the ranker's names table), their counts at zero,
 * and room for the longest list of them. */
static void read_label_names(lua_State *L, const tcl_model *h, size_t top, record_labels *lb) {
  size_t k, list_cap = 0;
  lb->n = h->n_labels;
  lb->top = top;
  tcl_ranker_push(L, 1, h, &lb->rk);
  lb->name = tcl_scratch(L, lb->n, sizeof *lb->name);
  lb->name_len = tcl_scratch(L, lb->n, sizeof *lb->name_len);
  lb->chosen = tcl_scratch(L, lb->n, 2 * sizeof *lb->chosen);
  lb->counted = lb->chosen + lb->n;
  for (k = 0; k < lb->n; k++) {
    lua_rawgeti(L, lb->rk.names, (lua_Integer)k + 1);
    lb->name[k] = lua_tolstring(L, -1, &lb->name_len[k]);
    lua_pop(L, 1); /* the names table keeps it */
    list_cap += lb->name_len[k] + 2 + TCL_SCORE_MAX;
    lb->counted[k] = 0;
  }
  lb->list = tcl_scratch(L, list_cap, 1);
}

/* Label names joined with "," into out, raw (the caller escapes the whole
 * list, as escaping each name would): "a,b", or with scores
 * "a:0.9812,b:0.0311". Returns the length. */
static size_t name_list(char *out, const char *const *names, const size_t *lens, const uint32_t *which,
                        size_t n, const double *scores) {
  size_t i, at = 0;
  for (i = 0; i < n; i++) {
    uint32_t l = which[i];
    if (i > 0) out[at++] = ',';
    memcpy(out + at, names[l], lens[l]);
    at += lens[l];
    if (scores) {
      out[at++] = ':';
      at += tcl_format_score(scores[l], out + at);
    }
  }
  return at;
}

/* The labels of r the core chose among the model's, at most lb->top of
 * them, into lb->chosen: how many. */
static size_t choose_labels(const tc_result *r, record_labels *lb) {
  size_t j, nc = 0;
  for (j = 0; j < r->n_labels && nc < lb->top; j++)
    if (r->labels[j] < lb->n) lb->chosen[nc++] = r->labels[j];
  return nc;
}

/* One -o jsonl record, as writers.lua's json_record writes it: the id,
 * the input fields, then the label, labels (lb->chosen, nc of them) and
 * scores of r (NULL: a null label and the error). */
static void json_record(luaL_Buffer *b, const record_doc *d, const tc_result *r, size_t nc, record_labels *lb) {
  size_t j, nr;
  luaL_addstring(b, "{\"id\":");
  tcl_add_json_string(b, d->id, d->id_len);
  for (j = 0; j < d->n_fields; j++) {
    luaL_addchar(b, ',');
    tcl_add_json_string(b, d->fields[j].name, d->fields[j].name_len);
    luaL_addchar(b, ':');
    tcl_add_utf8_safe(b, d->fields[j].value, d->fields[j].value_len);
  }
  if (!r) {
    luaL_addstring(b, ",\"label\":null");
    if (d->error) {
      luaL_addstring(b, ",\"error\":");
      tcl_add_json_string(b, d->error, d->error_len);
    }
    luaL_addstring(b, "}\n");
    return;
  }
  luaL_addstring(b, ",\"label\":");
  tcl_add_json_string(b, lb->name[lb->chosen[0]], lb->name_len[lb->chosen[0]]);
  luaL_addstring(b, ",\"labels\":[");
  for (j = 0; j < nc; j++) {
    if (j > 0) luaL_addchar(b, ',');
    tcl_add_json_string(b, lb->name[lb->chosen[j]], lb->name_len[lb->chosen[j]]);
  }
  luaL_addstring(b, "],\"scores\":{");
  lb->rk.scores = r->scores;
  nr = tcl_rank_labels(&lb->rk, lb->n, lb->top);
  for (j = 0; j < nr; j++) {
    char num[TCL_SCORE_MAX];
    uint32_t l = lb->rk.order[j];
    if (j > 0) luaL_addchar(b, ',');
    tcl_add_json_string(b, lb->name[l], lb->name_len[l]);
    luaL_addchar(b, ':');
    luaL_addlstring(b, num, tcl_format_score(r->scores[l], num));
  }
  luaL_addstring(b, "}}\n");
}

/* A -o tsv or -o csv record's first fields: the id, then the carried
 * cells and the empty ones after them, each after sep. */
static void add_id_and_cells(luaL_Buffer *b, const record_doc *d, char sep, int csv) {
  size_t j;
  tcl_add_field(b, d->id, d->id_len, csv);
  for (j = 0; j < d->n_cells; j++) {
    luaL_addchar(b, sep);
    tcl_add_field(b, d->cells[j].s, d->cells[j].len, csv);
  }
  if (d->n_empty) {
    memset(luaL_prepbuffsize(b, d->n_empty), sep, d->n_empty);
    luaL_addsize(b, d->n_empty);
  }
}

/* A -o tsv or -o csv record's label fields, each after sep: the label,
 * the labels (lb->chosen, nc of them) and the scores of r, then the empty
 * error field's sep. */
static void add_label_fields(luaL_Buffer *b, const tc_result *r, size_t nc, char sep, int csv, record_labels *lb) {
  size_t len;
  luaL_addchar(b, sep);
  tcl_add_field(b, lb->name[lb->chosen[0]], lb->name_len[lb->chosen[0]], csv);
  luaL_addchar(b, sep);
  len = name_list(lb->list, lb->name, lb->name_len, lb->chosen, nc, NULL);
  tcl_add_field(b, lb->list, len, csv);
  luaL_addchar(b, sep);
  lb->rk.scores = r->scores;
  len = name_list(lb->list, lb->name, lb->name_len, lb->rk.order, tcl_rank_labels(&lb->rk, lb->n, lb->top),
                  r->scores);
  tcl_add_field(b, lb->list, len, csv);
  luaL_addchar(b, sep);
}

/* One -o tsv or -o csv record, as writers.lua writes them: the id, the
 * carried cells, then the label, labels (lb->chosen, nc of them) and
 * scores of r (NULL: four empty fields and the error). */
static void delimited_record(luaL_Buffer *b, const record_doc *d, const tc_result *r, size_t nc, int csv,
                             record_labels *lb) {
  char sep = csv ? ',' : '\t';
  add_id_and_cells(b, d, sep, csv);
  if (r) {
    add_label_fields(b, r, nc, sep, csv, lb);
  } else {
    luaL_addlstring(b, csv ? ",,,," : "\t\t\t\t", 4);
    tcl_add_field(b, d->error, d->error_len, csv);
  }
  if (csv) luaL_addchar(b, '\r');
  luaL_addchar(b, '\n');
}

/* The records of the n documents in docs (res: the results of those with
 * a text, in order), pushed as one string; each record's label counted in
 * lb->counted. Returns the number of error records. */
static size_t push_records(lua_State *L, const record_doc *docs, size_t n, const tc_result *res, int format,
                           record_labels *lb) {
  luaL_Buffer b;
  size_t i, k = 0, n_errors = 0;
  /* nothing is pushed above the buffer from here on */
  luaL_buffinit(L, &b);
  for (i = 0; i < n; i++) {
    const tc_result *r = docs[i].text ? &res[k++] : NULL;
    /* (record_errors gave a document the core chose no label for its error) */
    size_t nc = docs[i].error ? 0 : choose_labels(r, lb);
    if (format == FORMAT_JSONL) json_record(&b, &docs[i], nc > 0 ? r : NULL, nc, lb);
    else delimited_record(&b, &docs[i], nc > 0 ? r : NULL, nc, format == FORMAT_CSV, lb);
    if (nc > 0) lb->counted[lb->chosen[0]]++;
    else n_errors++;
  }
  luaL_pushresult(&b);
  return n_errors;
}

/* Raises, before any count changes, when a count of counts (argument 3)
 * that lb->counted adds to is not a number, as (counts[l] or 0) + n would. */
static void check_counts(lua_State *L, const record_labels *lb) {
  size_t k;
  for (k = 0; k < lb->n; k++) {
    int t;
    if (!lb->counted[k]) continue;
    lua_pushlstring(L, lb->name[k], lb->name_len[k]);
    t = lua_rawget(L, 3);
    if (t != LUA_TNIL && t != LUA_TNUMBER)
      luaL_error(L, "label_records: counts['%s'] is a %s, not a number", lb->name[k], lua_typename(L, t));
    lua_pop(L, 1);
  }
}

/* lb->counted added to counts (argument 3, checked), raw, as Lua adds (an
 * integer wraps, a float stays a float). */
static void add_counts(lua_State *L, const record_labels *lb) {
  size_t k;
  for (k = 0; k < lb->n; k++) {
    if (!lb->counted[k]) continue;
    lua_pushlstring(L, lb->name[k], lb->name_len[k]);
    lua_pushvalue(L, -1);
    lua_rawget(L, 3);
    if (lua_isinteger(L, -1) || lua_isnil(L, -1))
      lua_pushinteger(L, (lua_Integer)((lua_Unsigned)lua_tointeger(L, -1) + lb->counted[k]));
    else
      lua_pushnumber(L, lua_tonumber(L, -1) + (lua_Number)lb->counted[k]);
    lua_remove(L, -2);
    lua_rawset(L, 3);
  }
}

/***
 * Classify a batch of documents and make their output records as
 * `textclass label` prints them: what the command line's writers make of
 * predict_batch's results, without a Lua table per result
 * (textclass.cli.label uses it for model files).
 * @function model:label_records
 * @tab docs array of {id = string, where = string | nil, text = string | nil,
 *   error = string | nil, fields = table | nil} (an id may be a number;
 *   fields, for jsonl: name = JSON text, both strings; cells = table | nil,
 *   for csv: an array of strings written after the id, and cells.n - #cells
 *   empty ones after them when it has an n): a document with an
 *   error gets its error record, one with a text is classified; an error
 *   is written after `where` and ": " when where is not the id
 * @tab counts label -> how many documents it was the label of; increased
 *   (raw) once the records are made
 * @string format "tsv", "csv" or "jsonl"
 * @tab[opt] opts {threshold =, threads =, top =}, as predict_batch
 * @return the records, one line each, in order; the number of error
 *   records (a document's own error, or the core's)
 */
int tcl_model_label_records(lua_State *L) {
  static const char *const formats[] = { "tsv", "csv", "jsonl", NULL };
  tcl_model *h = tcl_check_model(L, 1);
  size_t n, top, n_errors;
  int format, threads, anchor;
  lua_Integer slot = 0;
  double threshold;
  record_doc *docs;
  tcl_batch batch;
  record_labels lb;
  luaL_checktype(L, 2, LUA_TTABLE);
  luaL_checktype(L, 3, LUA_TTABLE);
  format = luaL_checkoption(L, 4, NULL, formats);
  tcl_predict_opts(L, 5, &threshold, &threads, &top);
  tcl_check_nargs(L, 5);
  lua_settop(L, 3);
  tcl_check_plain(L, 2, 2, "docs");
  if (h->n_labels == 0) return luaL_error(L, "label_records: the model has no labels");
  n = (size_t)lua_rawlen(L, 2);
  lua_createtable(L, n < 0x7fffffff / 3 ? 3 * (int)n : 0, 0); /* most documents' id, text, error */
  anchor = lua_gettop(L);
  docs = tcl_scratch(L, n ? n : 1, sizeof *docs);
  batch = tcl_batch_alloc(L, h, n);
  read_docs(L, n, format, docs, &batch, anchor, &slot);
  if (batch.n) tcl_batch_run_here(L, h, &batch, threshold, threads);
  record_errors(L, docs, n, batch.res, h->n_labels, anchor, &slot);
  read_label_names(L, h, top, &lb);
  n_errors = push_records(L, docs, n, batch.res, format, &lb);
  check_counts(L, &lb);
  add_counts(L, &lb);
  lua_pushinteger(L, (lua_Integer)n_errors);
  return 2;
}
