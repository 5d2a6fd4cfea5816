/*
 * internal.h - cross-file internals of libtextclass (never installed).
 *
 * Everything here is prefixed tci_ and hidden from the shared library's
 * symbol table. Sections follow the pipeline: buffers and bytes, text,
 * extractor, model.
 */
#ifndef TEXTCLASS_INTERNAL_H
#define TEXTCLASS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "textclass.h"

#if defined(__GNUC__)
#define TCI_FUNC __attribute__((visibility("hidden"))) extern
#else
#define TCI_FUNC extern
#endif

struct svm_model;
struct svm_node;

/* ====================================================================
 * Errors (errors.c)
 * ==================================================================== */

/* Fill diag (if not NULL) with code and a printf-style message; returns code,
 * so callers write `return tci_fail(diag, TC_EFORMAT, "labels: ...")`. */
TCI_FUNC int tci_fail(tc_diag *diag, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* ====================================================================
 * Growable buffers (workspace.c)
 * ==================================================================== */

typedef struct tci_buf {
  void *p;
  size_t cap;   /* bytes */
} tci_buf;

/* Make b->p hold at least `bytes` bytes (contents kept). TC_ENOMEM or
 * TC_ELIMIT (when n * size overflows) on failure, with b unchanged. */
TCI_FUNC int tci_buf_reserve(tci_buf *b, size_t n, size_t size);
TCI_FUNC void tci_buf_free(tci_buf *b);

/* Per-thread scratch. Each stage owns its fields; results a public
 * function hands out "in the workspace" live here. */
struct tc_workspace {
  /* text stage (utf8.c, normalize.c, tokenize.c) */
  tci_buf valid;      /* char: input with invalid sequences replaced */
  tci_buf cps;        /* int32_t: code points for utf8proc */
  tci_buf norm;       /* char: normalised UTF-8 */
  tci_buf tokens;     /* tc_token */
  tci_buf tokbuf;     /* char: token bytes that differ from norm (joins, cuts) */
  tci_buf page;       /* char: text with boilerplate lines removed (boilerplate.c) */
  /* feature stage (terms.c, vectorize.c) */
  tci_buf hashes;     /* uint64_t: per-token hashes */
  tci_buf ids;        /* int: feature ids found in a document */
  tci_buf counts;     /* uint32_t: dense per-feature counts, zero between calls */
  size_t counts_n;    /* how many entries of counts are zeroed and usable */
  tci_buf features;   /* tc_feature: the output vector */
  tci_buf term;       /* char: scratch for building one term */
  /* model stage (predict.c, explain.c) */
  tci_buf decision;   /* double: per-label decision values */
  tci_buf nodes;      /* struct svm_node: a document for libsvm */
  tci_buf scratch;    /* anything else a model-stage function needs */
};

/* ====================================================================
 * Bytes in and out, little-endian (bytes.c)
 * ==================================================================== */

/* Appends to a growing malloc'ed buffer. The first failure sticks in err;
 * later calls do nothing, so a writer is checked once at the end. */
typedef struct tci_writer {
  unsigned char *p;
  size_t len, cap;
  int err;            /* TC_OK or the first error */
} tci_writer;

TCI_FUNC void tci_put_bytes(tci_writer *w, const void *src, size_t n);
TCI_FUNC void tci_put_u8(tci_writer *w, uint8_t v);
TCI_FUNC void tci_put_u32(tci_writer *w, uint32_t v);
TCI_FUNC void tci_put_u64(tci_writer *w, uint64_t v);
TCI_FUNC void tci_put_f64(tci_writer *w, double v);
/* u32 length, then the bytes. */
TCI_FUNC void tci_put_str(tci_writer *w, const char *s, size_t n);
/* Overwrite 4 bytes at offset `at` (for lengths written after the fact). */
TCI_FUNC void tci_patch_u32(tci_writer *w, size_t at, uint32_t v);

/* Reads from [p, p+len). A read past the end sets `bad` and yields zeroes;
 * after that every read yields zeroes, so a parser checks `bad` at its
 * checkpoints and never touches memory outside the buffer. */
typedef struct tci_reader {
  const unsigned char *p;
  size_t len, pos;
  int bad;
} tci_reader;

TCI_FUNC void tci_reader_init(tci_reader *r, const void *p, size_t len);
TCI_FUNC size_t tci_left(const tci_reader *r);
TCI_FUNC uint8_t tci_get_u8(tci_reader *r);
TCI_FUNC uint32_t tci_get_u32(tci_reader *r);
TCI_FUNC uint64_t tci_get_u64(tci_reader *r);
TCI_FUNC double tci_get_f64(tci_reader *r);
/* Pointer to the next n bytes (not copied), or NULL (and bad) when fewer are left. */
TCI_FUNC const unsigned char *tci_get_bytes(tci_reader *r, size_t n);
/* A u32-length-prefixed string: pointer into the buffer and its length. */
TCI_FUNC const char *tci_get_str(tci_reader *r, size_t *n);
/* True when `count` items of at least `min_size` bytes each can still fit:
 * check this before allocating count items from untrusted input. */
TCI_FUNC int tci_can_hold(const tci_reader *r, uint64_t count, size_t min_size);

/* CRC-32 (IEEE 802.3 polynomial, as zlib); crc = 0 to start. */
TCI_FUNC uint32_t tci_crc32(uint32_t crc, const void *p, size_t n);

/* ====================================================================
 * Hashing (hash.c)
 * ==================================================================== */

/* 64-bit hash of bytes, stable across platforms and versions (it decides
 * nothing stored in files, but tests compare runs). */
TCI_FUNC uint64_t tci_hash_bytes(const void *p, size_t n);

/* ====================================================================
 * Text (utf8.c, normalize.c, tokenize.c, stopwords.c)
 * ==================================================================== */

/* Compiled stop word set: sorted, normalised words for binary search (or a
 * hash set: the text stage decides). */
typedef struct tci_stopset {
  char **words;       /* owned */
  size_t n;
} tci_stopset;

TCI_FUNC int tci_stopset_build(tci_stopset *s, const tc_options *o, tc_workspace *ws);
TCI_FUNC void tci_stopset_free(tci_stopset *s);
TCI_FUNC int tci_stopset_has(const tci_stopset *s, const char *w, size_t n);

/* Page clean-up (boilerplate.c): the text without page furniture (headline
 * lists, "Read more" links, cookie notices). *out is either `text` itself
 * (nothing removed) or points into ws->page. */
TCI_FUNC int tci_strip_boilerplate(tc_workspace *ws, const char *text, size_t len,
                                   const char **out, size_t *out_len);

/* ====================================================================
 * Extractor (extractor.c, terms.c, vocab.c, vectorize.c, extractor_io.c)
 * ==================================================================== */

/* The fitted vocabulary: term bytes, document frequencies, idf weights and
 * a hash index from term to feature id. Defined by vocab.c's needs. */
typedef struct tci_vocab tci_vocab;

TCI_FUNC void tci_vocab_free(tci_vocab *v);

struct tc_extractor {
  tc_options opt;           /* copy; opt.stopwords points into stop.words */
  tci_stopset stop;
  tci_vocab *vocab;         /* NULL until fitted */
};

/* ====================================================================
 * Model (model.c, kernel.c, model_io.c, model_file.c; train*.c, predict.c)
 * ==================================================================== */

/* Support vectors of an RBF model, pooled across the one-vs-rest labels. */
typedef struct tci_kernel {
  double gamma;
  size_t n_sv;
  struct svm_node *nodes;   /* all SVs, each ended by index -1 (owned) */
  size_t n_nodes;
  size_t *sv_start;         /* n_sv: offset of each SV in nodes (owned) */
  /* per label l, its decision function sum_k coef[l][k] K(x, sv[idx[l][k]]) - rho[l] */
  size_t *n_label_sv;       /* n_labels */
  uint32_t **sv_idx;        /* n_labels arrays of pool indices (owned) */
  double **coef;            /* n_labels arrays (owned) */
  double *rho;              /* n_labels */
  struct svm_model **svm;   /* n_labels libsvm models assembled over the pool by
                               tci_kernel_assemble; positive decision = has label */
} tci_kernel;

/* Build kern->svm (and what it points to) from the validated fields above.
 * Both training and loading go through here, so libsvm only ever sees
 * models whose counts agree with each other. */
TCI_FUNC int tci_kernel_assemble(tci_kernel *kern, size_t n_labels);
TCI_FUNC void tci_kernel_free(tci_kernel *kern, size_t n_labels);

struct tc_model {
  tc_extractor *ex;         /* owned, fitted */
  size_t n_labels;
  char **labels;            /* owned */
  int kernel;               /* TC_KERNEL_* */
  int multilabel;
  double threshold;
  int fallback;             /* label index or -1 */
  /* linear models: decision_l(x) = sum_j x_j weights[(j-1)*n_labels + l] + bias[l]
   * (feature-major, so one document touches one cache line per feature) */
  double *weights;          /* n_features * n_labels, or NULL (owned) */
  double *bias;             /* n_labels (owned) */
  /* kernel models */
  tci_kernel *kern;         /* or NULL (owned) */
  /* calibration: score_l = 1 / (1 + exp(platt_a[l] * decision_l + platt_b[l])) */
  double *platt_a, *platt_b; /* n_labels (owned) */
  /* training metadata, ordered */
  size_t n_meta;
  char **meta_key, **meta_val; /* owned */
};

/* An empty model (all pointers NULL, fallback -1) to be filled in. */
TCI_FUNC int tci_model_alloc(tc_model **out);
/* Append a metadata pair (copied); an existing key has its value replaced
 * in place (keys are unique in a model file). */
TCI_FUNC int tci_model_set_meta(tc_model *m, const char *key, const char *value);
/* tc_model_to_bytes with a diag: checks the model by the same rules the
 * loader applies (docs/model-format.md), TC_EINVAL naming the bad field. */
TCI_FUNC int tci_model_encode(const tc_model *m, unsigned char **out, size_t *len,
                              tc_diag *diag);

/* ====================================================================
 * Threads (parallel.c)
 * ==================================================================== */

/* Run task(ud, i) for i in [0, n) on up to `threads` threads (<= 0: one per
 * core). The calling thread only waits and, when progress is given, reports
 * (stage, done, n) after each completed task; a non-zero return cancels the
 * tasks not yet started and makes the call return TC_ECANCELED. */
TCI_FUNC int tci_parallel_for(size_t n, int threads,
                              void (*task)(void *ud, size_t i), void *ud,
                              tc_progress_fn progress, void *pud, const char *stage);

#endif /* TEXTCLASS_INTERNAL_H */
