/*
 * ltextclass.h - internals shared by the C files in lua/ of the textclass
 * Lua module (never installed; luaopen_textclass is the module's one entry point).
 *
 * The files:
 *   ltextclass.c  luaopen_textclass, per-state data, normalize, html_text,
 *                 html_charset, check_utf8, tokenize, load, default,
 *                 load_classifier
 *   lmodel.c      the "textclass.Model" handle and its methods
 *   lspec.c       option tables -> tc_options, text and label lists
 *   ljson.c       json_fields: two fields (or more) of a JSON object, the rest unread;
 *                 json_keys: the names of its members, their values unread;
 *                 jsonl_documents: the documents of a chunk of JSONL lines
 *   lformat.c     format_scores: a result's "label:score" list, as "%.4f";
 *                 format_field: a TSV or CSV record's field, escaped or quoted
 *   ljob.c        model:predict_async and its "textclass.Batch" (a thread per batch)
 *   lrecords.c    model:label_records: label's records of a batch, made in C
 *   ltrain.c      train, cross_validate (specs, datasets, progress callbacks)
 *   leval.c       metrics (an evaluation accumulator), evaluate, and the
 *                 metrics tables
 *   lfile.c       atomic_file: an output file that appears whole or not at all
 *   lread.c       read_line: one line of a file, kept up to a byte limit;
 *                 read_bom: a UTF-16 byte order mark at the start of a pipe
 *   ldecoder.c    utf16_decoder, decoder: UTF-16 or a named encoding (iconv's)
 *                 read as UTF-8, by blocks or lines; encoding_name
 *   lbox.c        boxes: userdata that own a core object and free it on
 *                 __close/__gc, so an error raised mid-call leaks nothing
 *
 * Tables a caller hands us (option and spec tables, jsonl_documents'
 * options, texts, labels, label_records' documents and counts) are read
 * and written raw (lua_rawget, lua_rawgeti, lua_rawlen, lua_rawset),
 * never through metamethods: no Lua code of the caller's runs while we
 * hold pointers into Lua strings, and an option is read from the table
 * whose keys tcl_check_keys saw. A sequence whose metatable has __index or
 * __len raises (tcl_check_plain) instead of reading as empty or short.
 * (format_scores is the one exception, by design, so that `quoted` may be
 * a memo table: it keeps each value it reads on the stack while it uses
 * it.) Options are read before the
 * sequences are checked. A __gc metamethod run by an allocation may still
 * change a caller's table after its check, so what is read from one again
 * after an allocation is checked again (tcl_batch_prepare,
 * tcl_entry_names, train's texts, leval.c's entry_ids).
 */
#ifndef LTEXTCLASS_H
#define LTEXTCLASS_H

#include <stddef.h>
#include <stdint.h>

#include "lua.h"
#include "lauxlib.h"

#include "textclass.h"

#define TCL_MODEL "textclass.Model" /* metatable name of model handles */
#define TCL_BOX "textclass.box"     /* metatable name of resource boxes */

#if LUA_VERSION_NUM != 504
#error "the textclass module needs Lua 5.4"
#endif

/* ====================================================================
 * Boxes (lbox.c)
 * ==================================================================== */

/* A box owns one core object through a free function. Freeing is
 * idempotent: __close and __gc both run it, and it clears p. */
typedef struct tcl_box {
  void *p;                  /* the object, or NULL */
  void (*free)(void *p);    /* how to free it (never NULL) */
} tcl_box;

/* Register the box metatable (luaopen_textclass calls it once). */
void tcl_box_register(lua_State *L);

/* Push an empty box that frees its contents with fn and mark its stack slot
 * to-be-closed: the object is freed when the calling C function returns or
 * when an error unwinds through it, before the error reaches any handler.
 * So never lua_remove/lua_replace a slot below a box; return results from
 * the top of the stack. */
tcl_box *tcl_box_push(lua_State *L, void (*fn)(void *p));

/* Free functions for the core objects boxes hold. */
void tcl_free_dataset(void *p);
void tcl_free_metrics(void *p);
void tcl_free_extractor(void *p);

/* Raw scratch memory owned by the collector (a plain userdata, pushed):
 * n items of `size` bytes; raises an error when n * size overflows. */
void *tcl_scratch(lua_State *L, size_t n, size_t size);

/* ====================================================================
 * Errors (ltextclass.c)
 * ==================================================================== */

/* Push fail, "<what>: <message>" and the code's short name ("EIO", ...);
 * returns 3, so callers write `return tcl_fail(L, code, diag, path)`.
 * The message is diag->message when diag is given and filled, otherwise
 * tc_strerror(code). `what` may be NULL. */
int tcl_fail(lua_State *L, int code, const tc_diag *diag, const char *what);

/* Short name of a TC_E* code, e.g. "EFORMAT". */
const char *tcl_code_name(int code);

/* ====================================================================
 * Result tables (ltextclass.c): t[key] = v for the table on top
 * ==================================================================== */

void tcl_set_number(lua_State *L, const char *key, double v);
void tcl_set_integer(lua_State *L, const char *key, lua_Integer v);
void tcl_set_boolean(lua_State *L, const char *key, int v);
void tcl_set_string(lua_State *L, const char *key, const char *v);

/* ====================================================================
 * Option and spec tables (lspec.c)
 * ==================================================================== */

/* Which keys an option table may hold; checked before anything is read. */
enum {
  TCL_OPT_NORMALIZE = 1, /* strip_accents, compat, casefold */
  TCL_OPT_TOKENIZE = 2,  /* + strip_boilerplate, stopwords, stem, max_token_bytes,
                            ngrams, char_ngrams, title_terms */
  TCL_OPT_FEATURES = 4,  /* + min_df, max_df, max_features, sublinear_tf,
                            use_idf, l2_normalize */
  TCL_OPT_TRAIN = 8,     /* + texts, labels, multilabel, kernel, ... progress */
  TCL_OPT_ALL = 15,      /* train's spec: all of the above */
  TCL_OPT_PREDICT = 16,  /* predict, predict_batch, evaluate: threshold, threads */
  TCL_OPT_RESULTS = 32   /* predict, predict_batch, predict_async: + top */
};

/* Raise "bad argument #arg to 'f' (unknown option 'key')" for the first key
 * of the table at `arg` that is not allowed for `kinds` (a mask of
 * TCL_OPT_*). Non-string keys are rejected too. */
void tcl_check_keys(lua_State *L, int arg, int kinds, const char *what);

/* Read the text and feature options of the table at `arg` (0: none) into
 * *o, which holds defaults. Strings the options borrow (custom stop words)
 * are kept alive in the table at `anchor`. Raises naming the bad field;
 * also runs tc_options_check. Returns 1 when the table asked for word or
 * character n-grams explicitly (tokenize then returns terms). */
int tcl_read_options(lua_State *L, int arg, int anchor, int kinds, tc_options *o);

/* Raise "bad argument #(max+1) ... (unexpected argument)" when the call
 * has more than max arguments (a misplaced option table, a typo'd call). */
void tcl_check_nargs(lua_State *L, int max);

/* Push t[key], read raw (the table at index t); returns its type. */
static inline int tcl_rawfield(lua_State *L, int t, const char *key) {
  t = lua_absindex(L, t);
  lua_pushstring(L, key);
  return lua_rawget(L, t);
}

/* Single fields of the option table at `arg`: a nil value keeps *dst.
 * Errors name "<spec|opts>.<name>" (spec when kinds has TCL_OPT_TRAIN). */
void tcl_opt_bool(lua_State *L, int arg, int kinds, const char *name, int *dst);
/* An integer in [lo, hi] (limits within int); exact floats accepted. */
void tcl_opt_int(lua_State *L, int arg, int kinds, const char *name, lua_Integer lo,
                 lua_Integer hi, int *dst);
/* A number in (lo, hi] when open_lo, else [lo, hi]. */
void tcl_opt_num(lua_State *L, int arg, int kinds, const char *name, double lo, int open_lo,
                 double hi, double *dst);
/* Raise "<prefix>.<name>: <expected> expected, got <type of stack top>". */
int tcl_bad_field(lua_State *L, int arg, int kinds, const char *name, const char *expected);

/* Raise argument arg's error when the table at stack index idx has an
 * __index or __len metamethod: read raw, such a proxy would look empty or
 * short, and its elements be silently missed. `what` names it. */
void tcl_check_plain(lua_State *L, int arg, int idx, const char *what);

/* Check that the table at stack index idx (from argument arg) is a
 * sequence of strings and return its length; `what` names it in errors
 * ("texts", "spec.texts"). A number is taken as its string, as
 * luaL_checkstring takes one (predict(42) classifies "42"): a table
 * holding one is replaced at idx by a copy holding the strings. */
size_t tcl_check_texts(lua_State *L, int arg, int idx, const char *what);

/* Check one document's labels, on top of the stack (from argument arg): a
 * string, or a sequence of distinct strings, each a label name
 * (tc_label_name_problem; errors name `what`[i], or `what` for i 0). Returns how many labels it names;
 * *is_list for a table. */
size_t tcl_check_label_entry(lua_State *L, int arg, const char *what, lua_Integer i, int *is_list);

/* Check the labels table at stack index li (from argument arg) against n
 * texts: the same length, and each entry a non-empty string or a sequence
 * of distinct non-empty strings (errors name `what`[i]). Returns the most
 * labels any entry has; *any_list when some entry is a table; *bad_single
 * receives the first (1-based) entry not naming exactly one label, or 0. */
size_t tcl_check_labels(lua_State *L, int arg, int li, size_t n, const char *what,
                        const char *texts_what, int *any_list, lua_Integer *bad_single);

/* The label names of a checked entry (on top of the stack) into names[]
 * (room for `most`, what tcl_check_labels returned); returns how many.
 * Raises when the entry is no longer a string or a list of at most `most`
 * strings. The strings stay valid while the labels table is on the stack. */
size_t tcl_entry_names(lua_State *L, const char **names, size_t most);

/* luaL_checkstring for strings the core takes NUL-terminated (paths,
 * label names): raises "<what> contains a NUL byte" rather than letting
 * the core see a shorter string. */
const char *tcl_check_cstring(lua_State *L, int arg, const char *what);

/* Keep the value on top of the stack alive in the anchor table (popped). */
void tcl_anchor(lua_State *L, int anchor);

/* Call the function `name` of lua/textclass/classifier.lua (required on
 * first use) with every value on the stack; returns its results' count,
 * the results then the whole stack: `return tcl_classifier_call(L, name)`. */
int tcl_classifier_call(lua_State *L, const char *name);

/* ====================================================================
 * Model handles (lmodel.c)
 * ==================================================================== */

typedef struct tcl_model {
  tc_model *model;        /* NULL when closed */
  tc_workspace *ws;       /* created on first use; freed on close */
  size_t n_labels;        /* cached tc_model_n_labels */
  size_t running;         /* background batches using model (ljob.c) */
} tcl_model;

/* Register metatable `name` with the metamethods `meta` (which must list
 * "__index" with NULL) and `methods` as its __index table. */
void tcl_register_class(lua_State *L, const char *name, const luaL_Reg *meta,
                        const luaL_Reg *methods);

/* Register the "textclass.Model" metatable and its methods. */
void tcl_model_register(lua_State *L);

/* Push a new, closed handle (its user values hold per-model scratch and
 * the label names, set by tcl_model_open). */
tcl_model *tcl_model_new(lua_State *L);

/* Make the closed handle h, at stack index idx, own m (not NULL). */
void tcl_model_open(lua_State *L, int idx, tcl_model *h, tc_model *m);

/* Push a new array of the model's label names, in its order (model:labels,
 * evaluate's metrics, and the array tcl_model_open keeps). */
void tcl_push_label_names(lua_State *L, const tcl_model *h);

/* Push a new table of the extractor options o as train's spec spells them
 * (model:info().options, tc.default_options). */
void tcl_push_options(lua_State *L, const tc_options *o);

/* The open handle at index i; raises for other values and closed handles. */
tcl_model *tcl_check_model(lua_State *L, int i);

/* The handle's model, read after an allocation of a method that checked
 * it: a finalizer run by the allocation may have closed it, so nothing the
 * model owns is held across one (raises "closed during the call" then,
 * instead of reading freed memory or handing the core a NULL model). */
const tc_model *tcl_still_open(lua_State *L, const tcl_model *h);

/* Options of predict, predict_batch and predict_async at `arg` (may be
 * absent): threshold (-1: the model's), threads (default 1) and top (how
 * many of the best labels a result carries; default every label). */
void tcl_predict_opts(lua_State *L, int arg, double *threshold, int *threads, size_t *top);

/* A batch's arrays, all in one scratch userdata. */
typedef struct tcl_batch {
  size_t n;
  tc_result *res;        /* n results, their score and label arrays set */
  const char **texts;    /* the strings of the texts table */
  size_t *lens;
} tcl_batch;

/* Push the scratch userdata of a batch of n texts, its results ready for
 * tcl_batch_run; the caller sets b.texts and b.lens (and may lower b.n). */
tcl_batch tcl_batch_alloc(lua_State *L, const tcl_model *h, size_t n);

/* Push the scratch userdata of a batch over the texts table at `arg`
 * (checked, n entries: checked again, raising for an entry that is no
 * longer a string). The text pointers stay valid while that table holds
 * the strings. */
tcl_batch tcl_batch_prepare(lua_State *L, const tcl_model *h, int arg, size_t n);

/* Run tc_model_predict_batch on b; touches no Lua state, so it may run on
 * another thread. Every result gets a status. */
void tcl_batch_run(const tc_model *m, tcl_batch *b, double threshold, int threads);

/* tcl_batch_run for a call on the Lua state's thread: with threads == 1
 * the documents are predicted one by one with the handle's workspace,
 * which is kept from call to call (tc_model_predict_batch makes one per
 * call, whose buffers grow again, and whose vectorize.c tally is cleared
 * again, every batch), else (or when that workspace cannot be made) as
 * tcl_batch_run. Every result gets a status. Not for a batch on another
 * thread (ljob.c): the handle's workspace is this thread's. Raises when
 * the model was closed since the caller checked it (tcl_still_open). */
void tcl_batch_run_here(lua_State *L, tcl_model *h, tcl_batch *b, double threshold, int threads);

/* tcl_batch_prepare and tcl_batch_run_here in one: pushes the scratch userdata
 * that owns the results, which stay valid while it is on the stack. */
tc_result *tcl_predict_texts(lua_State *L, tcl_model *h, int arg, size_t n,
                             double threshold, int threads);

/* Push the array of result tables of n results of the handle at hidx,
 * each with its `top` best labels (see push_result in lmodel.c). */
void tcl_push_results(lua_State *L, int hidx, const tcl_model *h, const tc_result *res, size_t n,
                      size_t top);

/* textclass.json_fields, textclass.json_keys, textclass.jsonl_documents (ljson.c). */
int tcl_json_fields(lua_State *L);
int tcl_json_keys(lua_State *L);
int tcl_json_precheck(lua_State *L);
int tcl_jsonl_documents(lua_State *L);

/* textclass.format_scores and textclass.format_field (lformat.c). */
int tcl_format_scores(lua_State *L);
int tcl_format_field(lua_State *L);

/* Append field to b as a field of label's records: TSV-escaped, or (csv)
 * in CSV's quotes when it needs them, as format_field writes it. */
void tcl_add_field(luaL_Buffer *b, const char *field, size_t len, int csv);

/* Append str as a JSON string literal as the command line's util.json
 * writes one: lua-cjson's escapes ("/" left as it is), each byte that is
 * not UTF-8 as Lua's utf8.len sees it written as U+FFFD. */
void tcl_add_json_string(luaL_Buffer *b, const char *str, size_t len);

/* Append str with those bytes as U+FFFD, and nothing else changed
 * (util.utf8_safe). */
void tcl_add_utf8_safe(luaL_Buffer *b, const char *str, size_t len);

/* Longest score tcl_format_score writes: "%.4f" of a double (309 digits,
 * the point, four decimals, a sign), with room to spare. */
#define TCL_SCORE_MAX 320

/* Write x into out (TCL_SCORE_MAX bytes) as "%.4f" prints it ("nan" for
 * NaN), as format_scores does; returns the length. */
size_t tcl_format_score(double x, char *out);

/* textclass.atomic_file and the "textclass.AtomicFile" metatable (lfile.c). */
int tcl_atomic_file(lua_State *L);
void tcl_file_register(lua_State *L);

/* textclass.stop_on_signals and textclass.stop_signal (lsignal.c). */
int tcl_stop_on_signals(lua_State *L);
int tcl_stop_signal(lua_State *L);

/* textclass.read_line and textclass.read_bom (lread.c). */
int tcl_read_line(lua_State *L);
int tcl_read_bom(lua_State *L);
/* What a read_line returns for a line of `len` bytes whose first `max` at
 * most are in b: the line, false and len when it is longer than max, or
 * fail (nil) at the end of input (len 0). */
int tcl_push_line(lua_State *L, luaL_Buffer *b, size_t len, size_t max);

/* textclass.utf16_decoder, textclass.decoder and the "textclass.Decoder"
 * metatable (ldecoder.c). */
int tcl_utf16_decoder(lua_State *L);
int tcl_named_decoder(lua_State *L);
int tcl_encoding_name(lua_State *L);
void tcl_decoder_register(lua_State *L);

/* Register the "textclass.Batch" metatable (background batches). */
void tcl_job_register(lua_State *L);
int tcl_model_predict_async(lua_State *L);

/* What ranking a document's labels needs besides the handle: the names
 * table (at a stack index), the labels' name order, and room for one
 * document (lmodel.c). */
typedef struct tcl_ranker {
  int names;                 /* stack index of the handle's label names */
  const uint32_t *name_rank; /* each label's place in byte order of names */
  const double *scores;      /* the document being ranked */
  uint32_t *order, *tmp;     /* n_labels each */
} tcl_ranker;

/* Push the handle's (at hidx) names table and a ranking scratch; fill k.
 * The two stack slots stay until the ranking is done. */
void tcl_ranker_push(lua_State *L, int hidx, const tcl_model *h, tcl_ranker *k);

/* The best `top` labels of the document in k->scores, best first (equal
 * scores by name), into k->order; returns how many. */
size_t tcl_rank_labels(tcl_ranker *k, size_t nl, size_t top);

/* model:label_records (lrecords.c). */
int tcl_model_label_records(lua_State *L);

/* ====================================================================
 * Training (ltrain.c) and evaluation (leval.c)
 * ==================================================================== */

int tcl_train(lua_State *L);
int tcl_default_train_params(lua_State *L);
int tcl_grid_values(lua_State *L);
int tcl_cross_validate(lua_State *L);
int tcl_evaluate(lua_State *L);
/* textclass.metrics and the "textclass.Metrics" metatable. */
int tcl_metrics(lua_State *L);
void tcl_metrics_register(lua_State *L);

/* Push {accuracy, macro_f1, micro_f1, exact_match, documents, per_label}
 * for metrics over the nn label names in the array at stack index names. */
void tcl_push_metrics(lua_State *L, const tc_metrics *m, int names, size_t nn);

/* Push an array of a dataset's label names; returns its stack index. */
int tcl_push_dataset_labels(lua_State *L, const tc_dataset *ds);

#endif /* LTEXTCLASS_H */
