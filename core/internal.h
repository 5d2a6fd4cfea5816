/*
 * internal.h - cross-file internals of libtextclass (never installed).
 *
 * Everything here is prefixed tci_ and hidden from the shared library's
 * symbol table. Sections follow the pipeline: buffers and bytes, text,
 * extractor, model.
 */
#ifndef TEXTCLASS_INTERNAL_H
#define TEXTCLASS_INTERNAL_H

#include <iconv.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "textclass.h"

#if defined(__GNUC__)
#define TCI_FUNC __attribute__((visibility("hidden"))) extern
/* Start loading the cache line at p (a hint: no effect on results). */
#define TCI_PREFETCH(p) __builtin_prefetch(p)
/* Inline this function wherever it is called: for small functions on the
 * per-term or per-token path, where a call costs as much as the work. */
#define TCI_ALWAYS_INLINE __attribute__((always_inline)) inline
/* Never inline this function: a rarer path whose register saves would
 * otherwise be paid on its caller's common one. */
#define TCI_NOINLINE __attribute__((noinline))
#else
#define TCI_FUNC extern
#define TCI_PREFETCH(p) ((void)0)
#define TCI_ALWAYS_INLINE inline
#define TCI_NOINLINE
#endif

struct svm_model;
struct svm_node;

/* ====================================================================
 * Errors (errors.c)
 * ==================================================================== */

/* Fill diag (if not NULL) with code, line 0 and a printf-style message; returns code,
 * so callers write `return tci_fail(diag, TC_EFORMAT, "labels: ...")`. */
TCI_FUNC int tci_fail(tc_diag *diag, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* tci_fail with "WHAT PATH: strerror(err)", for system call failures. */
TCI_FUNC int tci_io_fail(tc_diag *diag, int code, const char *what, const char *path, int err);

/* ====================================================================
 * Files written atomically (outfile.c)
 * ==================================================================== */

/* tc_outfile_open with a named temporary from the start, as on systems
 * without O_TMPFILE (for the tests of that path). */
TCI_FUNC int tci_outfile_open_named(const char *path, tc_outfile **out, tc_diag *diag);

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

/* An iconv converter to UTF-8 a workspace keeps (html.c): opening one
 * costs more than converting a page (glibc loads its module each time). */
#define TCI_CONVERTERS 4
typedef struct tci_converter {
  iconv_t cd;                           /* valid when from[0] != '\0' */
  char from[TC_CHARSET_NAME_MAX + 1];   /* the charset it converts from */
  unsigned long used;                   /* conv_clock at its last use: the least
                                           recently used one makes way */
} tci_converter;

/* Feature indices below this are counted in a workspace's tally, not
 * sorted with their repeats (vectorize.c). */
#define TCI_TALLY_IDS 16384

/* Per-thread scratch. Each stage owns its fields; results a public
 * function hands out "in the workspace" live here. */
struct tc_workspace {
  /* text stage (normalize.c, tokenize.c) */
  tci_buf cps;        /* int32_t: code points for utf8proc */
  tci_buf norm;       /* char: normalised UTF-8 */
  tci_buf tokens;     /* tc_token */
  tci_buf page;       /* char: a class, then kept or not, per line of a page (boilerplate.c) */
  tci_buf html;       /* char: the text of an HTML page (html.c) */
  tci_buf decoded;    /* char: an HTML page converted to UTF-8 (html.c) */
  tci_converter conv[TCI_CONVERTERS]; /* the converters html.c opened last, kept for
                                         the next pages (closed by tc_workspace_free) */
  unsigned long conv_clock;           /* counts converter uses, for conv[].used */
  /* feature stage (terms.c, vectorize.c) */
  tci_buf hashes;     /* uint64_t: per-token hashes */
  tci_buf ids;        /* int: feature ids found in a document, with repeats */
  tci_buf counts;     /* int: scratch of the sort of ids (vectorize.c) */
  tci_buf distinct;   /* int: the tallied ids of a document, once each (vectorize.c) */
  tci_buf tally;      /* uint32_t: a count per feature index below TCI_TALLY_IDS, all 0
                         between calls (vectorize.c) */
  tci_buf features;   /* tc_feature: the output vector */
  tci_buf term;       /* char: scratch for building one term */
  /* model stage (predict.c, explain.c) */
  tci_buf decision;   /* double: per-label decision values */
  tci_buf nodes;      /* struct svm_node: a document for a kernel model (kernel.c) */
  tci_buf kvalues;    /* double: K(document, sv) per pooled support vector (kernel.c) */
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
TCI_FUNC void tci_put_u32(tci_writer *w, uint32_t v);
TCI_FUNC void tci_put_u64(tci_writer *w, uint64_t v);
TCI_FUNC void tci_put_f64(tci_writer *w, double v);
/* u32 length, then the bytes. */
TCI_FUNC void tci_put_str(tci_writer *w, const char *s, size_t n);
/* Overwrite 4 or 8 bytes at offset `at` (for lengths and checksums written
 * after the fact); nothing when they were not written. */
TCI_FUNC void tci_patch_u32(tci_writer *w, size_t at, uint32_t v);
TCI_FUNC void tci_patch_u64(tci_writer *w, size_t at, uint64_t v);

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

/* An ASCII letter in lower case; any other byte as it is. */
static inline unsigned char tci_ascii_lower(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Is c an ASCII letter or digit? */
static inline int tci_ascii_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Is v a valid on/off option (0 or 1)? */
static inline int tci_is_flag(int v) { return v == 0 || v == 1; }

/* Compiled stop word set: the normalised words, sorted (a stable order to
 * save), and two hash indexes for the lookup each token makes (stopwords.c,
 * "Caveats"). */
typedef struct tci_stopset {
  char **words;       /* owned: normalised, distinct, sorted by bytes */
  size_t n;
  size_t *lens;       /* n byte lengths (owned) */
  uint32_t *slots;    /* open-addressing index of the words over 8 bytes: word index + 1, 0 = empty (owned) */
  size_t mask;        /* slot count - 1 (a power of two minus one), 0 when n == 0 */
  size_t max_len;     /* longest word: longer tokens skip the lookup */
  uint64_t *keys8;    /* the words of at most 8 bytes, each packed little-endian
                         into one integer (zero-padded: tokens hold no NUL), at
                         TCI_STOP_SLOT; 0 = empty slot (owned) */
  size_t mask8;       /* keys8 slot count - 1 */
  char **given;       /* TC_STOPWORDS_CUSTOM: copies of the caller's words as given
                         (owned), so a saved extractor rebuilds the very same set */
  size_t n_given;
} tci_stopset;

/* Where a packed short word starts probing in tci_stopset.keys8. */
#define TCI_STOP_SLOT(key, mask) ((size_t)(((key) * 0x9E3779B97F4A7C15ull) >> 32) & (mask))

/* The set o asks for (none, English or o's custom words), each word put
 * through the tokeniser with o. diag (may be NULL) names the problem: a
 * word that is not valid UTF-8 or not exactly one token, or words made to
 * collide in the index (TC_EINVAL). */
TCI_FUNC int tci_stopset_build(tci_stopset *s, const tc_options *o, tc_workspace *ws,
                               tc_diag *diag);
TCI_FUNC void tci_stopset_free(tci_stopset *s);
TCI_FUNC int tci_stopset_has(const tci_stopset *s, const char *w, size_t n);

/* UTF-8 (utf8.c). Decode one code point from s[0..n), n >= 1, and return
 * the bytes used (1..4). An ill-formed sequence yields U+FFFD for each of
 * its maximal subparts (Unicode ch. 3 "U+FFFD substitution of maximal
 * subparts", as Python's errors="replace" and WHATWG decoders) and sets
 * *invalid to 1; otherwise *invalid is 0. */
TCI_FUNC size_t tci_utf8_decode(const unsigned char *s, size_t n, int32_t *cp, int *invalid);
/* Encode a valid scalar value (not a surrogate, <= U+10FFFF) into out[0..4);
 * returns the bytes written. */
TCI_FUNC size_t tci_utf8_encode(int32_t cp, unsigned char *out);
/* 1 when p[0..n) is well-formed UTF-8 (no overlong forms, surrogates or
 * values above U+10FFFF: what tci_utf8_decode accepts without replacing),
 * else 0. Loaders check untrusted strings with it. */
TCI_FUNC int tci_utf8_valid(const void *p, size_t n);
/* The bytes of the NUL-terminated valid UTF-8 s to print when a message
 * shows at most max of them ("%.*s"): all of a shorter s, else max less
 * those of a character cut at the end. max is at most INT_MAX. */
TCI_FUNC int tci_utf8_head(const char *s, size_t max);

/* Does the iconv converter cd (to UTF-8) read the n bytes p as
 * themselves, and leave its initial state as it found it (decode.c)?
 * Telling an ASCII-compatible encoding from UTF-16, UTF-32 and EBCDIC: a
 * decoder needs its line feed ("\n"), a page's declared charset its
 * markup (html.c). */
TCI_FUNC int tci_iconv_reads_as_is(iconv_t cd, const char *p, size_t n);

/* The text rules version: bump it whenever normalisation, tokenisation or
 * a built-in stop word list changes the tokens of any text. Saved
 * extractors store it and loading refuses another one (TC_EVERSION), since
 * a vocabulary of tokens made by other rules would silently give other
 * features (docs/text-processing.md, "Changing the rules").
 *   1  the first rules
 *   2  apostrophes and hyphens lumped after decomposition too (U+0149) */
#define TCI_TEXT_RULES 2u

/* Snowball's English stem of the n bytes at s (the letters a-z and
 * apostrophes), written in place; returns its length, at most n (stem.c). */
TCI_FUNC size_t tci_stem_english(char *s, size_t n);

/* Stem every token made of a-z and apostrophes only, in place. */
TCI_FUNC void tci_stem_tokens(tc_token *tok, size_t n);

/* Flags of tci_normalize / tci_tokenize. */
#define TCI_TEXT_GENERAL 1u        /* skip the ASCII fast path (tests compare both) */
#define TCI_TEXT_NO_BOILERPLATE 2u /* ignore opt.strip_boilerplate (stop word lists) */

/* tc_normalize with flags; ws->norm holds the result, then a NUL and
 * TCI_NORM_SLACK more zero bytes, so the text can be read 16 bytes at a time
 * up to its NUL, and a token 8 bytes at a time. */
#define TCI_NORM_SLACK 16
TCI_FUNC int tci_normalize(const tc_options *o, tc_workspace *ws, const char *text,
                           size_t len, unsigned flags, const char **out,
                           size_t *out_len, size_t *n_invalid);
/* tc_extractor_tokenize with explicit options, stop set (NULL: keep every
 * token) and flags. Tokens point into ws->norm; the array is ws->tokens. */
TCI_FUNC int tci_tokenize(const tc_options *o, const tci_stopset *stop, tc_workspace *ws,
                          const char *text, size_t len, unsigned flags, tc_tokens *out);
/* 1 when cp is a letter of a script written without spaces between words
 * (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar): the tokeniser makes
 * each such letter (with its combining marks) a token of its own. */
TCI_FUNC int tci_is_unspaced_script(int32_t cp);
/* 1 when a token made by the tokeniser is one such letter (plus marks), so
 * the n-gram stage can join neighbours into character bigrams. */
TCI_FUNC int tci_token_is_unspaced(const char *s, size_t len);

/* A text as the lines page clean-up keeps of it, not copied: `kept` has
 * a byte per line, 1 for a line kept, or is NULL when every line is;
 * kept_len is their bytes in all. tci_page_next reads them from the
 * cursor (at, line), a run of lines at a time. */
typedef struct tci_page {
  const char *text;
  size_t len, kept_len;
  const unsigned char *kept;
  size_t at, line; /* the next line's offset and number */
} tci_page;

/* The whole of text[0..len) kept, the cursor at its start. */
TCI_FUNC void tci_page_whole(tci_page *p, const char *text, size_t len);
/* The next run of kept lines from the cursor, [*s, *s + *n), moving the
 * cursor past it; 0 when none is left. */
TCI_FUNC int tci_page_next(tci_page *p, const char **s, size_t *n);
/* Page clean-up (boilerplate.c): the text without page furniture (headline
 * lists, "Read more" links, cookie notices), as the lines it keeps (the
 * line bytes in ws->page), the cursor at the start. */
TCI_FUNC int tci_strip_boilerplate(tc_workspace *ws, const char *text, size_t len, tci_page *out);

/* ====================================================================
 * Extractor (extractor.c, terms.c, vocab.c, vectorize.c, extractor_io.c)
 * ==================================================================== */

/* The fitted vocabulary: term bytes, document frequencies, idf weights and
 * a hash index from term to feature id. Defined by vocab.c's needs. */
typedef struct tci_vocab tci_vocab;

TCI_FUNC void tci_vocab_free(tci_vocab *v);

struct tc_extractor {
  tc_options opt;           /* copy; opt.stopwords points into stop.given */
  tci_stopset stop;
  tci_vocab *vocab;         /* NULL until fitted */
};

/* Terms (terms.c). The iterator describes each term instead of building
 * its string, so the vectoriser can look terms up without copying bytes.
 * `hash` is tci_term_hash of the bytes the term stands for, computed
 * piecewise from per-token hashes. */
enum {
  TCI_TERM_WORDS = 0,   /* tok[0..n) joined by one space */
  TCI_TERM_JOINED = 1,  /* tok[0..n) joined by nothing (bigrams of unspaced scripts) */
  TCI_TERM_CHARS = 2,   /* "#c ", a space if lead, chars[0..n), a space if trail */
  TCI_TERM_TITLE = 3    /* "#t ", then tok[0..n) joined by one space (title_terms) */
};

/* The flags are bytes, packed last: 48 bytes, not 56, to copy into the
 * lookup batch (tci_collector) for each term the filter lets through
 * (measured with the ring before it: 0.6% fewer instructions per news4
 * article in bench_predict). */
typedef struct tci_term {
  uint64_t hash;        /* tci_term_hash(bytes, len) */
  size_t len;           /* bytes of the term */
  const tc_token *tok;  /* WORDS, JOINED, TITLE: the first of n consecutive tokens */
  size_t n;             /* WORDS, JOINED, TITLE: tokens; CHARS: bytes at chars */
  const char *chars;    /* CHARS: the n-gram's bytes inside its token */
  unsigned char kind;   /* TCI_TERM_* */
  unsigned char lead, trail; /* CHARS: the n-gram includes the padding space before/after */
} tci_term;

/* Spread all 64 bits of a (polynomial, weak low bits) term hash: the hash
 * tables of vocab.c take a term's home slot from the low bits of this and
 * its tag from the top 24. Here so that tests can place terms. */
static inline uint64_t tci_mix(uint64_t h) {
  h ^= h >> 31;
  h *= 0xBF58476D1CE4E5B9ull;
  h ^= h >> 29;
  h *= 0x94D049BB133111EBull;
  h ^= h >> 32;
  return h;
}

/* Visitor of tci_terms_each: non-zero stops the walk and is returned. */
typedef int (*tci_term_visit)(void *ud, const tci_term *t);

/* a[0..n) == b[0..n), reading nothing outside either: whole words, the
 * last one overlapping the one before. Terms are short (a word is 5-8
 * bytes), where a call to memcmp costs more than the comparison. Inline
 * (here, not in terms.c) because the vocabulary's lookup compares in its
 * loop. */
static inline int tci_same_bytes(const char *a, const char *b, size_t n) {
  uint64_t x, y;
  uint32_t u, v;
  size_t i;
  if (n >= 8) {
    for (i = 0; i + 8 <= n; i += 8) {
      memcpy(&x, a + i, 8);
      memcpy(&y, b + i, 8);
      if (x != y) return 0;
    }
    if (i == n) return 1;
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    memcpy(&u, a, 4);
    memcpy(&v, b, 4);
    if (u != v) return 0;
    memcpy(&u, a + n - 4, 4);
    memcpy(&v, b + n - 4, 4);
    return u == v;
  }
  for (i = 0; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* Hash of a term's bytes: polynomial, so it composes piecewise. Mix it
 * before using its low bits (vocab.c does). */
TCI_FUNC uint64_t tci_term_hash(const void *p, size_t n);
/* True when the term's bytes equal s[0..n). */
TCI_FUNC int tci_term_equal(const tci_term *t, const char *s, size_t n);
/* Write the term's t->len bytes to dst (no NUL). */
TCI_FUNC void tci_term_copy(const tci_term *t, char *dst);
/* Visit every term of a token sequence, in the order tc_extractor_terms
 * documents. Uses ws->hashes and nothing else of the workspace, so toks
 * may live in the same workspace. */
TCI_FUNC int tci_terms_each(const tc_extractor *ex, tc_workspace *ws,
                            const tc_tokens *toks, tci_term_visit fn, void *ud);
/* An upper bound on the number of terms tci_terms_each visits. */
TCI_FUNC size_t tci_terms_bound(const tc_extractor *ex, const tc_tokens *toks);

/* The vocabulary (vocab.c). Feature index i+1 is term i. Lookups are
 * memory-latency bound (a large random-access table), so the index slot
 * points straight at the term's pool entry, which holds its feature index
 * and length beside its bytes: a hit touches two cache lines. */
struct tci_vocab {
  size_t n;             /* terms, >= 1 */
  uint64_t n_docs;      /* documents it was fitted on, N */
  char *pool;           /* per term: u32 feature index, u32 length, bytes, NUL (owned) */
  size_t *off;          /* n: offset in pool of term i's bytes (owned) */
  uint32_t *df;         /* n document frequencies in [1, N] (owned) */
  double *idf;          /* n smoothed idf: ln((1+N)/(1+df)) + 1 (owned) */
  uint64_t *slots;      /* hash index: tag << 40 | (pool entry offset + 1), 0 = empty (owned) */
  size_t mask;          /* slot count - 1, a power of two minus one */
  uint64_t *filter;     /* Bloom filter of the terms' mixed hashes in 64-bit blocks (owned) */
  size_t filter_mask;   /* block count - 1, a power of two minus one */
  uint64_t filter_pattern[256]; /* three bits each: a term sets or tests two of them in its block */
};

/* A term handed to tci_vocab_build: bytes (borrowed) and document frequency. */
typedef struct tci_vterm {
  const char *p;
  uint32_t len, df;
} tci_vterm;

/* Build a vocabulary of t[0..n) in that order (feature index i+1 is t[i])
 * with idf from df and n_docs. TC_EFORMAT (diag names the terms) when a
 * term appears twice, or when terms made to collide exceed the bounds
 * against hash flooding (vocab.c); TC_ELIMIT beyond INT32_MAX - 1 terms. */
TCI_FUNC int tci_vocab_build(const tci_vterm *t, size_t n, uint64_t n_docs, tci_vocab **out,
                             tc_diag *diag);
/* tc_extractor_fit, with diag naming the problem when the fit fails
 * after its arguments were accepted: TC_EDATA when no term survives, or
 * when the texts hold terms made to collide in the hash table (more than
 * vocab.c's bounds allow; "training data: ... (texts made to collide?)"). */
TCI_FUNC int tci_extractor_fit(tc_extractor *ex, size_t n, const char *const *texts, const size_t *lens,
                               tc_progress_fn progress, void *ud, tc_diag *diag);
/* Term i (0-based) of v: its bytes (NUL-terminated) and length. */
TCI_FUNC const char *tci_vocab_term(const tci_vocab *v, size_t i, size_t *len);
/* The 1-based feature index of a term, or 0 when it is not in v. */
TCI_FUNC int tci_vocab_find(const tci_vocab *v, const tci_term *t);
/* v's filter (vocab.c, "Caveats"): a term with the mixed hash m (tci_mix
 * of its hash) sets or tests tci_filter_bits in its tci_filter_block. */
static TCI_ALWAYS_INLINE uint64_t tci_filter_bits(const tci_vocab *v, uint64_t m) {
  return v->filter_pattern[m & 255] | v->filter_pattern[m >> 8 & 255];
}
static TCI_ALWAYS_INLINE uint64_t *tci_filter_block(const tci_vocab *v, uint64_t m) {
  return &v->filter[(size_t)(m >> 32) & v->filter_mask];
}
/* 0 when no term of v has the mixed hash m, 1 when one may have: what
 * tci_collect_term asks before a lookup. Inline, as that visitor is. */
static TCI_ALWAYS_INLINE int tci_vocab_may_hold(const tci_vocab *v, uint64_t m) {
  uint64_t bits = tci_filter_bits(v, m);
  return (*tci_filter_block(v, m) & bits) == bits;
}

/* The vectoriser's lookups, in batches of TCI_BATCH terms: a
 * tci_terms_each visitor (ud: a tci_collector) asks the vocabulary's
 * filter (tci_vocab_may_hold), and appends a term it lets through to the
 * batch, its slot prefetched. A full batch is resolved in two passes
 * (tci_collect_flush): the first reads every term's home slot, by then
 * arrived, and prefetches the pool entry it points at; the second
 * compares each term with its entry (the rest of the probe out of line,
 * for the few terms the home slot does not answer), appending the feature
 * index of each term found to ids (room for every term), with
 * idf[index - 1] prefetched for the pass that reads it. So a term costs
 * no call and no ring bookkeeping: it is copied once, found in a tight
 * loop (measured, callgrind, `label -q --top 1 -j 1` on 3,000 news4
 * articles: 134.7k -> 128.3k instructions per article with a default
 * news4 model, 190.3k -> 186.7k with the shipped model, against a ring
 * resolved by an out-of-line call per term the filter lets through; the
 * two passes, against one pass prefetching each entry 8 terms ahead and
 * probing from the home slot again: 127.13k -> 124.12k with the news4
 * model, 138.51k -> 136.62k with the shipped one). tci_terms_collect
 * visits with the visitor inlined; tci_collect_flush resolves the last
 * batch too. Hits come out in visiting order. */
#define TCI_BATCH 64
typedef struct tci_candidate {
  uint64_t m;               /* mixed hash */
  tci_term t;               /* a copy: its pointers stay valid until the batch is resolved */
  const char *entry;        /* tci_collect_flush's first pass: the pool entry its home slot points at, or NULL */
} tci_candidate;
typedef struct tci_collector {
  const tci_vocab *v;
  int *ids;
  size_t n_ids;
  size_t n_batch;
  tci_candidate batch[TCI_BATCH];
} tci_collector;
/* An empty collector appending to ids. */
TCI_FUNC void tci_collect_init(tci_collector *c, const tci_vocab *v, int *ids);
/* Resolve the batch (when it is full, and after the last term); out of
 * line, as it runs once per TCI_BATCH terms. */
TCI_FUNC void tci_collect_flush(tci_collector *c);
static TCI_ALWAYS_INLINE int tci_collect_term(void *ud, const tci_term *t) {
  tci_collector *c = ud;
  const tci_vocab *v = c->v;
  uint64_t m = tci_mix(t->hash);
  if (tci_vocab_may_hold(v, m)) {
    tci_candidate *e = &c->batch[c->n_batch];
    TCI_PREFETCH(&v->slots[(size_t)m & v->mask]);
    e->m = m;
    e->t = *t;
    if (++c->n_batch == TCI_BATCH) tci_collect_flush(c);
  }
  return 0;
}
/* tci_terms_each(ex, ws, toks, tci_collect_term, c), the visitor inlined. */
TCI_FUNC int tci_terms_collect(const tc_extractor *ex, tc_workspace *ws, const tc_tokens *toks,
                               tci_collector *c);

/* ====================================================================
 * Model (model.c, kernel.c, model_io.c, model_file.c; train*.c, predict.c)
 * ==================================================================== */

/* Support vectors of an RBF model, pooled across the one-vs-rest labels. */
typedef struct tci_kernel {
  double gamma;
  size_t n_sv;
  struct svm_node *nodes;   /* all SVs, each ended by index -1 (owned) */
  size_t n_nodes;           /* the whole nodes array, terminators included */
  size_t *sv_start;         /* n_sv: offset of each SV in nodes (owned) */
  /* per label l, its decision function sum_k coef[l][k] K(x, sv[idx[l][k]]) - rho[l] */
  size_t *n_label_sv;       /* n_labels */
  uint32_t **sv_idx;        /* n_labels arrays of pool indices (owned) */
  double **coef;            /* n_labels arrays (owned) */
  double *rho;              /* n_labels; positive decision = has label */
} tci_kernel;

/* The checks that keep a kernel walk inside the pool, for the loader: the
 * arrays exist, gamma is a positive number, counts fit libsvm's int (what
 * training makes; the file format's bound), every start and index is in
 * range and the pool ends with a terminator, so no walk can run off its
 * end. Fails with `code` and a message naming the problem (diag may be
 * NULL). */
TCI_FUNC int tci_kernel_check(const tci_kernel *kern, size_t n_labels, int code, tc_diag *diag);
/* Writes f[0..n) to dst as libsvm's node list, ended by index -1; returns
 * the n + 1 nodes written. */
TCI_FUNC size_t tci_svm_nodes(struct svm_node *dst, const tc_feature *f, size_t n);
/* Copies v into ws->nodes as a node list (*x) and makes room in
 * ws->kvalues for one kernel value per pooled vector (*kv): TC_ENOMEM
 * when either cannot grow. */
TCI_FUNC int tci_kernel_prepare(const tci_kernel *kern, tc_workspace *ws, const tc_vector *v,
                                struct svm_node **x, double **kv);
/* Every label's decision value of x into dec[0..n_labels), libsvm's bits:
 * K(x, sv) once per pooled vector into kv, then each label's sum. */
TCI_FUNC void tci_kernel_decide(const tci_kernel *kern, size_t n_labels, const struct svm_node *x,
                                double *kv, double *dec);
/* Label l's decision value of x alone: only its own vectors' kernels are
 * computed (into kv at their pool indices). */
TCI_FUNC double tci_kernel_decide_label(const tci_kernel *kern, size_t l, const struct svm_node *x,
                                        double *kv);
/* Frees every array above and kern itself (always heap-allocated, owned by
 * its tc_model); accepts NULL and partly filled kernels (NULL arrays or
 * per-label entries). */
TCI_FUNC void tci_kernel_free(tci_kernel *kern, size_t n_labels);

struct tc_model {
  tc_extractor *ex;         /* owned, fitted */
  size_t n_labels;
  char **labels;            /* owned */
  int kernel;               /* TC_KERNEL_* */
  int multilabel;
  double threshold;
  int fallback;             /* label index or -1 */
  /* linear models: 0, or n0 of the short-story rule (tc_train_params.
   * short_features): a story with 0 < n < n0 features has each label's
   * decision value moved from its bias by sqrt(n0 / n) before calibration */
  uint32_t short_features;
  /* 0, or c of the rule's moderation (tc_train_params.short_moderation):
   * below n0 features the log-odds are divided by sqrt(1 + c (n0 / n - 1)) */
  double short_moderation;
  /* linear models: decision_l(x) = sum_j x_j weights[(j-1)*n_labels + l] + bias[l]
   * (feature-major, so one document touches one run of n_labels floats per
   * feature). Single precision: a weight's 24 bits are far finer than what
   * the SVM fit determines, and half the bytes halve what prediction reads
   * at random and what loading copies (the sums are still in double). */
  float *weights;           /* n_features * n_labels, or NULL (owned) */
  double *bias;             /* n_labels (owned) */
  /* kernel models */
  tci_kernel *kern;         /* or NULL (owned) */
  /* calibration: score_l = 1 / (1 + exp(platt_a[l] * decision_l + platt_b[l])) */
  double *platt_a, *platt_b; /* n_labels (owned) */
  /* training metadata, ordered */
  size_t n_meta;
  char **meta_key, **meta_val; /* owned */
};

/* Memory for a big table read at random while predicting (weights, the
 * vocabulary's index and pool): as malloc, but asks for transparent huge
 * pages on Linux when bytes >= 2 MiB, so lookups do not also miss the
 * TLB. Free with free(). NULL when out of memory (or n * size overflows). */
TCI_FUNC void *tci_big_alloc(size_t bytes);
TCI_FUNC void *tci_big_calloc(size_t n, size_t size);

/* An empty model (all pointers NULL, fallback -1) to be filled in. */
TCI_FUNC int tci_model_alloc(tc_model **out);
/* Append a metadata pair (copied); an existing key has its value replaced
 * in place (keys are unique in a model file). */
TCI_FUNC int tci_model_set_meta(tc_model *m, const char *key, const char *value);
/* tc_model_to_bytes with a diag: checks the model by the same rules the
 * loader applies (docs/model-format.md), TC_EINVAL naming the bad field. */
TCI_FUNC int tci_model_encode(const tc_model *m, unsigned char **out, size_t *len,
                              tc_diag *diag);
/* Can bytes beginning with p[0..n) be a model file this library reads?
 * 0 once n covers the magic and it differs, or covers the format version
 * and it is not one read here, else 1; the loader stops reading a stream
 * that cannot be one (/dev/zero) instead of buffering it to the size limit. */
TCI_FUNC int tci_model_head_ok(const unsigned char *p, size_t n);
/* The length field of a header in p[0..n) of this library's format
 * version, or 0 while n does not cover it (or the magic or version is not
 * ours): the loader refuses a stream declaring more than the size limit at
 * once, instead of buffering it to the limit first. */
TCI_FUNC uint64_t tci_model_declared_length(const unsigned char *p, size_t n);

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
/* The processors online, 1 to 256 (the most threads tci_parallel_for
 * starts): what a thread count <= 0 stands for. */
TCI_FUNC int tci_cores(void);

/* ====================================================================
 * Training data and training (dataset.c, train*.c, calibrate.c,
 * crossval.c)
 * ==================================================================== */

struct tc_dataset {
  size_t n, cap;            /* documents */
  char **text;              /* n texts (owned unless `borrowed`) */
  size_t *len;              /* n lengths */
  size_t *lab_off;          /* n+1: labels of doc i are lab[lab_off[i] .. lab_off[i+1]) */
  uint32_t *lab;            /* label indices, first label first */
  size_t n_lab, lab_cap;
  char **names;             /* label names in order of first appearance (owned) */
  size_t n_names, names_cap;
  uint32_t *slots;          /* open-addressing index over names: name index + 1, 0 = empty */
  size_t n_slots;           /* a power of two, or 0 */
  uint32_t *source;         /* cap: each document's source, or NULL while none was set
                               (tc_dataset_set_source; every document is then source 0) */
  int borrowed;             /* 1: texts belong to another dataset (tci_dataset_subset) */
};

/* A view of documents idx[0..n) of ds (texts borrowed, so ds must outlive
 * it) with the same label names in the same order, even those no chosen
 * document carries. Free with tc_dataset_free. */
TCI_FUNC int tci_dataset_subset(const tc_dataset *ds, const size_t *idx, size_t n,
                                tc_dataset **out);

/* splitmix64: the library's only PRNG (never rand(), whose state is global). */
TCI_FUNC uint64_t tci_splitmix64(uint64_t *state);
/* Fisher-Yates: a[0..n) in an order drawn from the splitmix64 stream
 * *state (n < 2^32). */
TCI_FUNC void tci_shuffle(size_t *a, size_t n, uint64_t *state);

/* Assign each document of ds to one of k folds: stratified by first label
 * (documents without labels form their own stratum), shuffled by seed.
 * TC_OK or TC_ENOMEM. */
TCI_FUNC int tci_folds(const tc_dataset *ds, int k, uint64_t seed, uint32_t *fold);

/* Platt's sigmoid score = 1/(1+exp(A f + B)) fitted to decision values f
 * and outcomes pos (1 = positive) by Newton's method with backtracking and
 * Platt's smoothed targets, point i weighing w[i] (finite, above 0) in the
 * loss, or 1 when w is NULL (the targets and the smallest-class rule count
 * points, not weights). Returns TCI_PLATT_CONVERGED, or
 * TCI_PLATT_STOPPED at the iteration limit or a failed line search (A, B
 * are then the best values found, still usable). A is always < 0, so the
 * score rises with f: with too few positives or negatives, a non-finite f
 * or a weight not above 0, or a fit with A >= 0 or no significant gain over the base rate, it
 * returns TCI_PLATT_FALLBACK with A = -1, B = 0, the logistic of the
 * margin (calibrate.c, "Caveats"). */
enum { TCI_PLATT_STOPPED = 0, TCI_PLATT_CONVERGED = 1, TCI_PLATT_FALLBACK = 2 };
TCI_FUNC int tci_platt_fit(size_t n, const double *f, const unsigned char *pos,
                           const double *w, double *A, double *B);
/* The score of decision value f, computed without overflow. */
TCI_FUNC double tci_platt_score(double A, double B, double f);

/* tc_model_predict's rule (predict.c): the labels chosen from the scores
 * s[0..L) into out (room for L), best first, and how many. Multi-class:
 * the top label; multi-label: every label scoring >= thr, else fallback
 * (a label index, or -1: the top label). */
TCI_FUNC size_t tci_choose_labels(const double *s, size_t L, int multilabel, double thr,
                                  int fallback, uint32_t *out);

/* A cross-validation's figures over all its folds (crossval.c). */
typedef struct tci_cv_figures {
  double accuracy, macro_f1, micro_f1, exact_match;
} tci_cv_figures;
TCI_FUNC void tci_cv_figures_of(const tc_metrics *m, tci_cv_figures *f);

/* Out-of-fold scores (crossval.c): each document's calibrated scores from
 * the fold's model that did not train on it, and its fold. */
typedef struct tci_oof {
  int k;               /* folds */
  double *scores;      /* ds->n rows of ds->n_names scores */
  uint32_t *fold;      /* each document's fold, 0..k-1 */
} tci_oof;
/* k-fold cross-validation with p (checked as tc_cross_validate checks
 * it) into *oof; free it with tci_oof_free (nothing to free on failure).
 * Errors as tc_cross_validate's. */
TCI_FUNC int tci_cv_scores(const tc_dataset *ds, const tc_train_params *p, int k, tci_oof *oof,
                           tc_diag *diag);
TCI_FUNC void tci_oof_free(tci_oof *oof);
/* Add to m the documents of fold f (-1: every fold), their labels chosen
 * from their out-of-fold scores at threshold as a model trained with p
 * chooses them (multilabel, fallback). TC_OK or tc_metrics_add's code. */
TCI_FUNC int tci_oof_metrics(const tc_dataset *ds, const tci_oof *oof, const tc_train_params *p,
                             double threshold, int f, tc_metrics *m);
/* The figures over every fold at threshold into *fig, or each fold's
 * macro-F1 into fold_f1[0..k). TC_OK or TC_ENOMEM. */
TCI_FUNC int tci_oof_figures(const tc_dataset *ds, const tci_oof *oof, const tc_train_params *p,
                             double threshold, tci_cv_figures *fig);
TCI_FUNC int tci_oof_fold_macro_f1(const tc_dataset *ds, const tci_oof *oof,
                                   const tc_train_params *p, double threshold, double *fold_f1);
/* A multi-label model's figures at each of tc_threshold_values' thresholds
 * from *oof: *sweep (malloc'ed; free() it) lists them as
 * "0.05:MICRO/MACRO/EXACT,0.1:...", each figure to 4 decimals, and *best
 * (unless NULL) is the threshold of the highest micro-F1 (ties: the one
 * nearest p->threshold). TC_OK or TC_ENOMEM (*sweep then NULL). */
TCI_FUNC int tci_threshold_sweep(const tc_dataset *ds, const tci_oof *oof, const tc_train_params *p,
                                 char **sweep, double *best);

/* Grid search by k-fold macro-F1 (at p->threshold): C, gamma for an RBF
 * kernel, and title terms off then on where word n-grams are on. Leaves
 * the best point's C, gamma and features.title_terms in *chosen (ties keep
 * the earlier point: title terms off, the smaller value), its out-of-fold
 * scores in *best_oof (tci_oof_free it), and a summary such as
 * "C=0.1;title_terms=0:0.91,C=1;title_terms=0:0.93,..." in *grid
 * (malloc'ed; free() it). */
TCI_FUNC int tci_grid_search(const tc_dataset *ds, const tc_train_params *p, int k,
                             tc_train_params *chosen, tci_oof *best_oof, char **grid,
                             tc_diag *diag);

/* The label count a tc_metrics was made with (metrics.c). */
TCI_FUNC size_t tci_metrics_n_labels(const tc_metrics *m);

/* The TF-IDF vectors of a training set, one row per document (built by
 * train_ovr.c). */
typedef struct tci_matrix {
  size_t n_rows;
  int n_features;           /* the extractor's; indices are 1..n_features */
  size_t *off;              /* n_rows + 1: row r is f[off[r] .. off[r+1]) */
  tc_feature *f;
} tci_matrix;

/* w.x_r + w[n_features]: row r's decision value under the linear
 * solution w (bias last). Inline: the DCD solver calls it per step. */
static inline double tci_row_decision(const tci_matrix *X, const double *w, size_t r) {
  double d = w[X->n_features];
  size_t j;
  for (j = X->off[r]; j < X->off[r + 1]; j++) d += X->f[j].value * w[X->f[j].index - 1];
  return d;
}

/* One binary problem over some rows of a matrix. */
typedef struct tci_binary {
  const uint32_t *rows;     /* the rows used, in order; rows[0] is a positive one */
  size_t n;
  const signed char *y;     /* indexed by matrix row: +1 has the label, -1 not */
  double C_pos, C_neg;      /* C times the class weights */
  uint64_t seed;            /* for solvers that shuffle (train_dcd.c) */
} tci_binary;

/* A solved binary problem: decision(x) = w.x + w[n_features] for linear
 * solutions; for RBF, sign * libsvm's decision value of svm (whose SV
 * pointers point into the solver's rows, so it lives as long as they). */
typedef struct tci_binsol {
  double *w;                /* n_features + 1, bias last; NULL for RBF (owned) */
  struct svm_model *svm;    /* RBF, or NULL (owned) */
  double sign;              /* RBF: +1 or -1 so that positive means "has the label" */
} tci_binsol;

/* The training rows laid out for one backend, behind two hooks. */
typedef struct tci_solver tci_solver;
struct tci_solver {
  const tci_matrix *X;      /* borrowed */
  int (*solve)(const tci_solver *s, const tci_binary *b, double eps, const double *init,
               tci_binsol *out);
  void (*destroy)(tci_solver *s);
  const struct svm_node *const *rows; /* libsvm backend: row r as libsvm nodes; else NULL */
};

/* The backend p trains with: TC_SOLVER_LIBSVM for an RBF kernel or when
 * p asks for it, else TC_SOLVER_LIBLINEAR when p asks for it, else
 * TC_SOLVER_DCD (what TC_SOLVER_AUTO means for a linear kernel). */
TCI_FUNC int tci_solver_of(const tc_train_params *p);
/* liblinear, L2-regularised L2-loss primal (train_linear.c): deterministic,
 * warm-startable from init (n_features + 1 values, or NULL). */
TCI_FUNC int tci_liblinear_new(const tci_matrix *X, tci_solver **out);
/* Our dual coordinate descent for the same problem as liblinear's solver
 * 2, shuffling with splitmix64(b->seed) (train_dcd.c); ignores init. */
TCI_FUNC int tci_dcd_new(const tci_matrix *X, tci_solver **out);
/* libsvm C-SVC with a linear (collapsed to w) or RBF kernel (train_kernel.c). */
TCI_FUNC int tci_libsvm_new(const tci_matrix *X, const tc_train_params *p, tci_solver **out);
TCI_FUNC void tci_solver_free(tci_solver *s);
/* Solve b; `eps` <= 0 means the backend's default; init may be NULL. */
TCI_FUNC int tci_solver_solve(const tci_solver *s, const tci_binary *b, double eps,
                              const double *init, tci_binsol *out);
/* decision value of matrix row r under sol. */
TCI_FUNC double tci_binsol_decision(const tci_solver *s, const tci_binsol *sol, size_t r);
TCI_FUNC void tci_binsol_free(tci_binsol *sol);

/* TC_EDATA (diag names the document or label) when ds cannot train a
 * model with p: multi-class documents without exactly one label, a single
 * class, a label every document has. */
TCI_FUNC int tci_check_data(const tc_dataset *ds, const tc_train_params *p, tc_diag *diag);

/* Decision values of an already vectorised document (predict.c): linear
 * models walk the weights, kernel models go through tci_kernel_decide
 * with the vector copied into ws->nodes. dec has room for m->n_labels. */
TCI_FUNC int tci_model_decide(const tc_model *m, tc_workspace *ws, const tc_vector *v,
                              double *dec);

/* Train a model on ds with checked params (train_ovr.c): extractor,
 * one-vs-rest SVMs, calibration; no metadata but "calibration_fallback"
 * (when calibration fell back), no CV or grid (tc_model_train adds
 * those). cv = 0 runs tci_check_data first; cv = 1 (the folds of
 * cross-validation) skips it and tolerates labels with no positives or no
 * negatives in ds, which get a constant score. */
TCI_FUNC int tci_train(const tc_dataset *ds, const tc_train_params *p, int cv,
                       tc_model **out, tc_diag *diag);

#endif /* TEXTCLASS_INTERNAL_H */
