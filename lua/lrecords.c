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

/* One -o jsonl record, as writers.lua's json_record writes it: the id,
 * the input fields, then the label, labels and scores of r (NULL: a null
 * label and the error). */
static void json_record(luaL_Buffer *b, const record_doc *d, const tc_result *r, const uint32_t *chosen,
                        size_t nc, tcl_ranker *rk, size_t nl, size_t top, const char *const *name,
                        const size_t *name_len, const char *error, size_t error_len) {
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
    if (error) {
      luaL_addstring(b, ",\"error\":");
      tcl_add_json_string(b, error, error_len);
    }
    luaL_addstring(b, "}\n");
    return;
  }
  luaL_addstring(b, ",\"label\":");
  tcl_add_json_string(b, name[chosen[0]], name_len[chosen[0]]);
  luaL_addstring(b, ",\"labels\":[");
  for (j = 0; j < nc; j++) {
    if (j > 0) luaL_addchar(b, ',');
    tcl_add_json_string(b, name[chosen[j]], name_len[chosen[j]]);
  }
  luaL_addstring(b, "],\"scores\":{");
  rk->scores = r->scores;
  nr = tcl_rank_labels(rk, nl, top);
  for (j = 0; j < nr; j++) {
    char num[TCL_SCORE_MAX];
    uint32_t l = rk->order[j];
    if (j > 0) luaL_addchar(b, ',');
    tcl_add_json_string(b, name[l], name_len[l]);
    luaL_addchar(b, ':');
    luaL_addlstring(b, num, tcl_format_score(r->scores[l], num));
  }
  luaL_addstring(b, "}}\n");
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
  size_t n, i, k, nl = h->n_labels, top, n_text = 0, list_cap = 0, n_errors = 0, *name_len;
  int format, csv, jsonl, threads, anchor;
  lua_Integer slot = 0;
  double threshold;
  record_doc *docs;
  const char **name;
  tcl_batch batch;
  tcl_ranker rk;
  uint32_t *chosen, *counted;
  char *list, sep;
  luaL_Buffer b;
  luaL_checktype(L, 2, LUA_TTABLE);
  luaL_checktype(L, 3, LUA_TTABLE);
  format = luaL_checkoption(L, 4, NULL, formats);
  csv = format == 1;
  jsonl = format == 2;
  tcl_predict_opts(L, 5, &threshold, &threads, &top);
  tcl_check_nargs(L, 5);
  lua_settop(L, 3);
  tcl_check_plain(L, 2, 2, "docs");
  if (nl == 0) return luaL_error(L, "label_records: the model has no labels");
  n = (size_t)lua_rawlen(L, 2);
  lua_createtable(L, n < 0x7fffffff / 3 ? 3 * (int)n : 0, 0); /* most documents' id, text, error */
  anchor = lua_gettop(L);
  /* the documents, and the texts to classify (at most one a document) */
  docs = tcl_scratch(L, n ? n : 1, sizeof *docs);
  batch = tcl_batch_alloc(L, h, n);
  for (i = 0; i < n; i++) {
    lua_Integer at = (lua_Integer)i + 1;
    int doc;
    if (lua_rawgeti(L, 2, at) != LUA_TTABLE) return luaL_error(L, "label_records: document %I is not a table", at);
    doc = lua_gettop(L);
    docs[i].id = doc_string(L, doc, "id", &docs[i].id_len, anchor, ++slot);
    docs[i].where = doc_string(L, doc, "where", &docs[i].where_len, anchor, ++slot);
    docs[i].error = doc_string(L, doc, "error", &docs[i].error_len, anchor, ++slot);
    docs[i].text = docs[i].error ? NULL : doc_string(L, doc, "text", &docs[i].text_len, anchor, ++slot);
    docs[i].fields = NULL;
    docs[i].n_fields = 0;
    docs[i].cells = NULL;
    docs[i].n_cells = docs[i].n_empty = 0;
    if (jsonl || csv) {
      const char *key = jsonl ? "fields" : "cells";
      int t = tcl_rawfield(L, doc, key);
      if (t == LUA_TTABLE) {
        if (jsonl) read_fields(L, lua_gettop(L), &docs[i], anchor, &slot);
        else read_cells(L, lua_gettop(L), &docs[i], anchor, &slot);
      } else if (t != LUA_TNIL) { /* (they would be dropped without a word) */
        return luaL_error(L, "label_records: document %I's %s is a %s, not a table", at, key, lua_typename(L, t));
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
    if (!docs[i].id) return luaL_error(L, "label_records: document %I has no id", at);
    if (!docs[i].error && !docs[i].text) return luaL_error(L, "label_records: document %I has neither a text nor an error", at);
    if (docs[i].text) {
      batch.texts[n_text] = docs[i].text;
      batch.lens[n_text++] = docs[i].text_len;
    }
  }
  /* classify them */
  batch.n = n_text;
  if (n_text) tcl_batch_run_here(L, h, &batch, threshold, threads);
  record_errors(L, docs, n, batch.res, nl, anchor, &slot);
  /* the label names, and room for the longest list of them */
  tcl_ranker_push(L, 1, h, &rk);
  name = tcl_scratch(L, nl, sizeof *name);
  name_len = tcl_scratch(L, nl, sizeof *name_len);
  chosen = tcl_scratch(L, nl, 2 * sizeof *chosen);
  counted = chosen + nl;
  for (k = 0; k < nl; k++) {
    lua_rawgeti(L, rk.names, (lua_Integer)k + 1);
    name[k] = lua_tolstring(L, -1, &name_len[k]);
    lua_pop(L, 1); /* the names table keeps it */
    list_cap += name_len[k] + 2 + TCL_SCORE_MAX;
    counted[k] = 0;
  }
  list = tcl_scratch(L, list_cap, 1);
  sep = csv ? ',' : '\t';
  /* the records: nothing is pushed above the buffer from here on */
  luaL_buffinit(L, &b);
  for (i = 0, k = 0; i < n; i++) {
    const tc_result *r = docs[i].text ? &batch.res[k++] : NULL;
    const char *error = docs[i].error;
    size_t error_len = docs[i].error_len, nc = 0, j;
    if (!error) { /* (record_errors gave a document the core chose no label for its error) */
      for (j = 0; j < r->n_labels && nc < top; j++)
        if (r->labels[j] < nl) chosen[nc++] = r->labels[j];
    }
    if (jsonl) {
      json_record(&b, &docs[i], nc > 0 ? r : NULL, chosen, nc, &rk, nl, top, name, name_len, error, error_len);
      if (nc > 0) counted[chosen[0]]++;
      else n_errors++;
      continue;
    }
    tcl_add_field(&b, docs[i].id, docs[i].id_len, csv);
    for (j = 0; j < docs[i].n_cells; j++) {
      luaL_addchar(&b, sep);
      tcl_add_field(&b, docs[i].cells[j].s, docs[i].cells[j].len, csv);
    }
    if (docs[i].n_empty) {
      memset(luaL_prepbuffsize(&b, docs[i].n_empty), sep, docs[i].n_empty);
      luaL_addsize(&b, docs[i].n_empty);
    }
    if (nc > 0) {
      size_t len;
      luaL_addchar(&b, sep);
      tcl_add_field(&b, name[chosen[0]], name_len[chosen[0]], csv);
      luaL_addchar(&b, sep);
      len = name_list(list, name, name_len, chosen, nc, NULL);
      tcl_add_field(&b, list, len, csv);
      luaL_addchar(&b, sep);
      rk.scores = r->scores;
      len = name_list(list, name, name_len, rk.order, tcl_rank_labels(&rk, nl, top), r->scores);
      tcl_add_field(&b, list, len, csv);
      luaL_addchar(&b, sep);
      counted[chosen[0]]++;
    } else {
      luaL_addlstring(&b, csv ? ",,,," : "\t\t\t\t", 4);
      tcl_add_field(&b, error, error_len, csv);
      n_errors++;
    }
    if (csv) luaL_addchar(&b, '\r');
    luaL_addchar(&b, '\n');
  }
  luaL_pushresult(&b);
  /* counts: each count checked before any changes (one that is not a
   * number raises, as (counts[l] or 0) + n would), then added to as Lua
   * adds (an integer wraps, a float stays a float) */
  for (k = 0; k < nl; k++) {
    int t;
    if (!counted[k]) continue;
    lua_pushlstring(L, name[k], name_len[k]);
    t = lua_rawget(L, 3);
    if (t != LUA_TNIL && t != LUA_TNUMBER)
      return luaL_error(L, "label_records: counts['%s'] is a %s, not a number", name[k], lua_typename(L, t));
    lua_pop(L, 1);
  }
  for (k = 0; k < nl; k++) {
    if (!counted[k]) continue;
    lua_pushlstring(L, name[k], name_len[k]);
    lua_pushvalue(L, -1);
    lua_rawget(L, 3);
    if (lua_isinteger(L, -1) || lua_isnil(L, -1))
      lua_pushinteger(L, (lua_Integer)((lua_Unsigned)lua_tointeger(L, -1) + counted[k]));
    else
      lua_pushnumber(L, lua_tonumber(L, -1) + (lua_Number)counted[k]);
    lua_remove(L, -2);
    lua_rawset(L, 3);
  }
  lua_pushinteger(L, (lua_Integer)n_errors);
  return 2;
}
