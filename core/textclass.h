/*
 * textclass.h - the one public header of libtextclass.
 *
 * libtextclass turns text into topic labels:
 *
 *   bytes --normalise--> NFKC, case-folded UTF-8 --tokenise--> tokens
 *         --extract----> word/char n-grams --vectorise--> TF-IDF sparse vector
 *         --classify---> one-vs-rest SVM decision values --calibrate--> scores in [0,1]
 *
 * This header is the reference manual. Conventions used throughout:
 *
 *  - Every fallible function returns int: TC_OK (0) or a negative TC_E* code.
 *    Results go through out-parameters. tc_strerror() names a code.
 *  - Functions whose failures need explaining (parsing, training, files,
 *    the decoder) take an optional tc_diag * (may be NULL), filled when they
 *    fail: the code and a one-line message "WHAT: detail", WHAT naming the
 *    operation or the part of the data at fault ("load: news.model: header:
 *    ...", "train: no dataset, parameters or output given", "vocabulary:
 *    out of memory"). After a success its contents are unspecified.
 *  - Functions that only read an object (counts, names, figures) take a
 *    NULL one as empty: they give 0, NULL or -1 (TC_EINVAL where they
 *    return a code).
 *  - Text is always (const char *text, size_t len): NUL bytes are ordinary
 *    characters, no terminator is needed. Invalid UTF-8 is never an error:
 *    each maximal invalid sequence is decoded as U+FFFD and counted.
 *  - Every tc_x_new / tc_x_load has a tc_x_free that accepts NULL.
 *  - Objects that have been built (tc_extractor after fitting, tc_model) are
 *    read-only: any number of threads may use one at once, each with its own
 *    tc_workspace. Creating, fitting, loading and freeing are not thread-safe
 *    with respect to the same object. Objects that change as they are used
 *    (tc_workspace, tc_dataset, tc_metrics, tc_decoder, tc_outfile) serve one
 *    thread at a time.
 *  - The library never prints, never exits and never aborts. Out of memory
 *    is reported as TC_ENOMEM.
 *  - Feature indices are 1-based (as libsvm and liblinear expect).
 */
#ifndef TEXTCLASS_H
#define TEXTCLASS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) && !defined(TC_STATIC)
#define TC_API __attribute__((visibility("default")))
#else
#define TC_API
#endif

#define TC_VERSION_MAJOR 0
#define TC_VERSION_MINOR 1
#define TC_VERSION_PATCH 0
#define TC_VERSION_STRING "0.1.0"

/* ====================================================================
 * Errors
 * ==================================================================== */

enum {
  TC_OK = 0,
  TC_ENOMEM = -1,    /* an allocation failed */
  TC_EINVAL = -2,    /* a caller error: bad argument or option */
  TC_EIO = -3,       /* reading or writing a file failed (diag says why) */
  TC_EFORMAT = -4,   /* bytes are not a valid model/extractor: truncated, corrupt */
  TC_EVERSION = -5,  /* a model file of a format version we do not know */
  TC_ECHECKSUM = -6, /* a model file whose checksum does not match its bytes */
  TC_EDATA = -7,     /* training data unusable (empty, one class only, ...) */
  TC_ECANCELED = -8, /* a progress callback asked to stop */
  TC_ELIMIT = -9     /* a size limit of the library was exceeded */
};

/* A static, English description of an error code; never NULL. */
TC_API const char *tc_strerror(int code);

/* Detail for an error: filled by functions that take one (may be NULL). */
typedef struct tc_diag {
  int code;           /* the TC_E* code returned */
  long line;          /* the 1-based document tc_model_train or tc_cross_validate
                         refused (multi-class, without exactly one label); else 0 */
  char message[256];  /* NUL-terminated (cut to 255 bytes), e.g.
                         "vocabulary: term 17 runs past the end" */
} tc_diag;

/* Progress callback used by long operations. `stage` is a short static
 * string ("vocabulary", "train", "calibrate", "cv", "grid");
 * done/total count units of that stage (total may be 0 when unknown).
 * It is always called from the thread that called the library function.
 * Return non-zero to cancel: the operation then stops with TC_ECANCELED. */
typedef int (*tc_progress_fn)(void *ud, const char *stage, size_t done, size_t total);

/* Silences libsvm's and liblinear's diagnostic printing (which would go to
 * stdout). Called automatically by every function that trains; idempotent
 * and thread-safe. */
TC_API void tc_init(void);

/* ====================================================================
 * Options: normalisation, tokenisation and features
 * ==================================================================== */

enum {
  TC_STOPWORDS_NONE = 0,    /* keep every token */
  TC_STOPWORDS_ENGLISH = 1, /* the built-in English list (tc_stopwords_english) */
  TC_STOPWORDS_CUSTOM = 2   /* the list in tc_options.stopwords */
};

enum {
  TC_STEM_NONE = 0,         /* words as they are */
  TC_STEM_ENGLISH = 1       /* Snowball's English stems ("Porter2"): "elections",
                               "elected" -> "elect" */
};

typedef struct tc_options {
  /* page clean-up */
  int strip_boilerplate; /* 1: drop page furniture before tokenising: runs of short
                            headline-like lines ("Recent Posts" lists), "Read more"
                            links, cookie and subscription notices; default 0 */
  /* normalisation */
  int compat;           /* 1: NFKC (default); 0: NFC */
  int casefold;         /* 1: Unicode case folding (default) */
  int strip_accents;    /* 1: remove combining marks (e -> e from e-acute); default 0 */
  /* tokenisation */
  int max_token_bytes;  /* longer tokens are cut on a character boundary; default 64 */
  int stopword_mode;    /* TC_STOPWORDS_*; default TC_STOPWORDS_ENGLISH */
  const char *const *stopwords; /* TC_STOPWORDS_CUSTOM: the words (borrowed; copied and
                                   normalised by tc_extractor_new), each valid UTF-8
                                   and one token; up to 1,000,000 (TC_MAX_STOPWORDS);
                                   a list of which more than 64 crowd one run of the
                                   stop word index (words made to collide) is refused */
  size_t n_stopwords;
  int stem;             /* TC_STEM_*: words made of a-z and apostrophes only are
                           stemmed, after stop words are removed; default
                           TC_STEM_NONE */
  /* features */
  int word_ngram_min;   /* word n-gram lengths; default 1..2; 0..0 disables word features */
  int word_ngram_max;
  int char_ngram_min;   /* character n-grams inside each token, padded with spaces
                           (" data "); default 0..0 = off, e.g. 3..5 */
  int char_ngram_max;
  int title_terms;      /* 1: the title's word n-grams count once more, as terms of
                           their own prefixed "#t " ("#t election"); the title is the
                           text before its first blank line; default 0 */
  /* vocabulary (used by tc_extractor_fit) */
  int min_df;           /* keep terms in at least this many documents; default 2 */
  double max_df;        /* drop terms in more than this fraction of documents; default 1.0 */
  int max_features;     /* keep the most frequent terms only; 0 = no limit; default 0 */
  /* weighting */
  int sublinear_tf;     /* 1: tf = 1 + ln(count) (default); 0: raw count */
  int use_idf;          /* 1: multiply by smoothed idf = ln((1+N)/(1+df)) + 1 (default) */
  int l2_normalize;     /* 1: scale each vector to unit length (default) */
} tc_options;

/* Limits tc_options_check enforces. */
#define TC_MIN_TOKEN_BYTES 4      /* one UTF-8 character always fits */
#define TC_MAX_TOKEN_BYTES 1024
#define TC_MAX_WORD_NGRAM 6
#define TC_MAX_CHAR_NGRAM 10
#define TC_MAX_STOPWORDS 1000000

/* Fill *o with the defaults documented above. */
TC_API void tc_options_init(tc_options *o);

/* NULL when *o is usable, otherwise a static message naming the bad field:
 * flags must be 0 or 1; max_token_bytes within the limits above;
 * stopword_mode one of TC_STOPWORDS_* and, unless it is CUSTOM, no
 * stopwords given; CUSTOM needs non-NULL words (an empty list is allowed)
 * and at most TC_MAX_STOPWORDS; stem one of TC_STEM_*; n-gram ranges either 0..0 (off) or
 * 1 <= min <= max <= the limit, with at least one kind on; title_terms a
 * flag, and only with word n-grams on; min_df >= 1;
 * 0 < max_df <= 1; max_features >= 0. */
TC_API const char *tc_options_check(const tc_options *o);

/* The built-in English stop word list, NULL-terminated, already normalised. */
TC_API const char *const *tc_stopwords_english(void);

/* ====================================================================
 * Workspace: per-thread scratch memory
 * ==================================================================== */

/* Scratch buffers for normalising, tokenising, vectorising and predicting.
 * Reuse one per thread: after warming up, the hot paths allocate nothing.
 * Results handed out "in the workspace" stay valid until the next call
 * that uses the same workspace. */
typedef struct tc_workspace tc_workspace;

/* A new, empty workspace in *out: TC_ENOMEM (*out NULL), TC_EINVAL for a
 * NULL out. Free it with tc_workspace_free (NULL: nothing). A workspace
 * holds no state between calls but buffers (and tc_html_text's cached
 * iconv converters), so one may serve any number of extractors and
 * models in turn, on one thread at a time. */
TC_API int tc_workspace_new(tc_workspace **out);
TC_API void tc_workspace_free(tc_workspace *ws);

/* ====================================================================
 * Normalisation
 * ==================================================================== */

/* Normalise text as the extractor would before tokenising
 * (docs/text-processing.md): page clean-up when o->strip_boilerplate; each
 * maximal invalid UTF-8 subpart replaced by U+FFFD; ’ and ʼ mapped to ',
 * U+2010/U+2011 to -; then NFKC (or NFC), case folding, optional accent
 * stripping per *o, and default-ignorable code points (soft hyphen, zero
 * width space) removed. Only compat, casefold, strip_accents and
 * strip_boilerplate are read (TC_EINVAL when not 0/1). *out points into the
 * workspace (NUL-terminated for convenience, *out_len excludes it; inner NUL
 * bytes are kept). *n_invalid (may be NULL) receives the number of invalid
 * sequences replaced. text may be NULL when len is 0. TC_EINVAL also for a
 * NULL o, ws, out or out_len; TC_ENOMEM, or TC_ELIMIT for a text above
 * PTRDIFF_MAX / 32 bytes. */
TC_API int tc_normalize(const tc_options *o, tc_workspace *ws,
                        const char *text, size_t len,
                        const char **out, size_t *out_len, size_t *n_invalid);

/* The text of an HTML page, as a reader sees it (docs/boilerplate.md,
 * "HTML pages"): tags, comments, scripts and styles go, and so does the
 * content of nav, aside, footer, button, select, iframe and svg
 * elements, unless nothing else is left; character references are decoded
 * (&#8217;, and the HTML Standard's 2,231 names as it matches them: &amp;
 * &eacute;, and &pound10 as &pound then "10"); block elements (p, div, h1,
 * li, ...) end paragraphs, written with a blank line between them, and on
 * a page without an <h1> the <title> comes first as a paragraph of its own
 * (a <title> holds the site's name too; an <svg>'s <title> is not the
 * page's); other white space, that of references (&#10; &nbsp;) too,
 * collapses to one space (inside <pre>, spaces and line breaks stay).
 *
 * Encoding: a page that declares a charset other than UTF-8 (see
 * tc_html_charset) and is not valid UTF-8 is converted to UTF-8 from it
 * first: Windows-1252 and its labels (iso-8859-1, latin1, us-ascii: the
 * WHATWG Encoding Standard reads them all as Windows-1252) by a built-in
 * table, any other charset by the C library's iconv. Bytes the charset
 * does not map, and a multibyte sequence cut short by the end, become
 * U+FFFD; a converted page's text is always valid UTF-8. A page that
 * declares nothing and is not valid UTF-8 is read as Windows-1252, as
 * browsers read Western pages without a declaration, unless it holds a
 * well-formed multibyte UTF-8 character (then it is UTF-8 with stray
 * bytes). A page that declares UTF-8 or a charset iconv does not know, or
 * nothing while it holds UTF-8, is read as it is: its invalid UTF-8 is
 * repaired by the text stage.
 *
 * Linear time on any bytes; *out (NUL-terminated, *out_len without it) is
 * in the workspace until its next use for HTML. Thread-safe with one
 * workspace per thread (each workspace keeps the last four iconv
 * converters it opened, for the next pages in their charsets; closed by
 * tc_workspace_free). A UTF-8 byte order mark at the start says UTF-8
 * whatever is declared, as browsers read it. TC_EINVAL for a NULL ws, out
 * or out_len, TC_ENOMEM, or TC_ELIMIT above PTRDIFF_MAX / 16 bytes (or a
 * converted page above PTRDIFF_MAX / 4). html may be NULL when len is 0. */
TC_API int tc_html_text(tc_workspace *ws, const char *html, size_t len,
                        const char **out, size_t *out_len);

/* What tc_html_text does with a page's bytes (tc_html_charset's *how). */
enum {
  TC_CHARSET_NONE = 0,      /* no charset declared: read as they are */
  TC_CHARSET_UTF8 = 1,      /* UTF-8 declared (or UTF-16, which on a page of bytes
                               means UTF-8), or valid UTF-8 whatever is declared:
                               read as they are */
  TC_CHARSET_CONVERTED = 2, /* converted to UTF-8 from the declared charset */
  TC_CHARSET_UNKNOWN = 3,   /* a charset declared that cannot be converted (not a
                               name iconv knows), and not valid UTF-8: read as
                               they are */
  TC_CHARSET_ASSUMED = 4    /* no charset declared, not valid UTF-8 and no
                               multibyte UTF-8 character in it: converted from
                               Windows-1252, the browsers' fallback */
};

/* The longest charset name tc_html_charset reports; a longer one is no
 * charset's name (TC_CHARSET_UNKNOWN). */
#define TC_CHARSET_NAME_MAX 40

/* The charset a page declares, and what tc_html_text does with it: for
 * telling a user why a page's text is not UTF-8 ("the page declares
 * charset 'x-foo', which cannot be converted").
 *
 * The declaration is the first found in the page's first 1024 bytes of:
 * an XML declaration's encoding="..." when the page begins with one (after
 * a byte order mark and white space; so a feed item read with its feed's
 * declaration before it is read in the feed's encoding), a charset=...
 * in a <meta> tag (<meta charset>, or <meta http-equiv>'s content="...;
 * charset=..."; not a <script charset> or <link charset>, which names
 * the encoding of the file it loads),
 * any other encoding=... . Its name is the run of letters, digits and
 * . _ : - after the '=' and an optional quote: nothing else ever reaches
 * iconv_open. Names are matched without regard to case, as the WHATWG
 * Encoding Standard's labels: utf8 and unicode-1-1-utf-8 are UTF-8;
 * utf-16, utf-16le, utf-16be and unicode are UTF-8 too (a page of bytes
 * cannot be UTF-16); iso-8859-1, latin1, us-ascii and ascii are
 * Windows-1252; gb2312 and chinese are GBK; shift_jis, sjis, x-sjis and
 * ms932 are Windows-31J (iconv's CP932); euc-kr and ks_c_5601-1987 are
 * Windows-949 (CP949); big5 is Big5-HKSCS; iso-8859-9 is Windows-1254 and
 * iso-8859-11 and tis-620 Windows-874; x-cp1251, x-mac-cyrillic, koi,
 * iso-8859-8-i and the Standard's other labels as it says. A name that is
 * none of its labels goes to iconv as written (cp437, ibm850, ...). A
 * page in a 7-bit ISO-2022 encoding (iso-2022-jp, iso-2022-kr,
 * iso-2022-cn and their variants) is converted when it holds an escape
 * byte, valid UTF-8 or not.
 *
 * name (may be NULL when cap is 0) receives the declared name as written,
 * NUL-terminated and cut to cap - 1 bytes ("" when none): room for
 * TC_CHARSET_NAME_MAX + 1 bytes takes any name. *how receives a
 * TC_CHARSET_* value (a page that begins with a UTF-8 byte order mark is
 * TC_CHARSET_UTF8). Linear in len. Uses the workspace's
 * converters only: the text tc_html_text left there stays valid.
 * TC_EINVAL (ws, how, or html when len > 0 is NULL; name NULL with cap >
 * 0) or TC_ENOMEM. */
TC_API int tc_html_charset(tc_workspace *ws, const char *html, size_t len,
                           char *name, size_t cap, int *how);

/* Where text stops being well-formed UTF-8: the byte offset of the first
 * invalid sequence (an overlong form, a surrogate, a value above U+10FFFF,
 * a stray or truncated byte), or len when all of it is valid. For callers
 * that want to refuse, not repair, invalid text. Checks ASCII 64 bytes at
 * a time with SSE2, else eight. A NULL text gives 0 (valid only when len
 * is 0). */
TC_API size_t tc_utf8_check(const char *text, size_t len);

/* The first control character of text, C0 (U+0000 to U+001F), DEL (U+007F)
 * or C1 (U+0080 to U+009F, C2 80 to C2 9F in UTF-8), as its code point,
 * with its byte offset in *at when at is not NULL; -1 when there is none
 * (or text is NULL). Label names may hold none (tc_label_name_problem).
 * Linear in len. */
TC_API long tc_utf8_control(const char *text, size_t len, size_t *at);

/* How tc_utf16_to_utf8 reads its input (flags, or-ed). */
enum {
  TC_UTF16_BE = 1,   /* big-endian code units (without it: little-endian) */
  TC_UTF16_LAST = 2  /* the input ends here: nothing is left for a next block */
};

/* What one tc_utf16_to_utf8 call did. */
typedef struct tc_utf16_result {
  size_t used;       /* input bytes converted (the caller goes on from in + used) */
  size_t written;    /* output bytes written */
  int invalid;       /* 1: it stopped just after writing U+FFFD for invalid input */
  size_t invalid_at; /* then: where that input starts (a surrogate's two bytes, or
                        with TC_UTF16_LAST one lone last byte) */
} tc_utf16_result;

/* Output bytes that always hold the conversion of len input bytes. */
#define TC_UTF16_UTF8_MAX(len) (3 * (((len) + 1) / 2))

/* Convert UTF-16 (little-endian, or big-endian with TC_UTF16_BE) to UTF-8,
 * in one pass and without allocating, for reading a file block by block.
 * Each unpaired surrogate becomes U+FFFD, as does with TC_UTF16_LAST a
 * lone last byte; U+FEFF (a byte order mark: strip it first) and U+0000
 * are converted like any other character. The output is always valid
 * UTF-8 and a character is never split. It stops at the first of:
 *  - the end of in. Without TC_UTF16_LAST, a lone last byte and a high
 *    surrogate ending in are left unused (r->used < len, at most 3 bytes):
 *    put them before the next block;
 *  - out has no room for the next character (TC_UTF16_UTF8_MAX(len) bytes
 *    always suffice);
 *  - just after a U+FFFD written for invalid input: r->invalid is 1 and
 *    r->invalid_at says where, so a caller can report it; call again with
 *    in + r->used to go on.
 * r receives the counts in every case. in may be NULL when len is 0, out
 * when cap is 0. TC_EINVAL for unknown flags or a NULL r. Reentrant. */
TC_API int tc_utf16_to_utf8(const char *in, size_t len, unsigned flags, char *out, size_t cap,
                            tc_utf16_result *r);

/* The encoding textclass reads under the name `label`, as iconv names it,
 * when label is one of the WHATWG Encoding Standard's labels (matched
 * without regard to case, as tc_html_charset matches a page's
 * declaration): "UTF-8" for utf8 and its other labels, "UTF-16LE" for
 * utf-16 and unicode, "UTF-16BE" for utf-16be, "CP1252" for latin1,
 * iso-8859-1 and ascii, "CP932" for shift_jis, "GBK" for gb2312, and so
 * on. NULL for any other name (iconv may still know it: tc_decoder_new
 * takes it as written). A static string; reentrant. */
TC_API const char *tc_encoding_name(const char *label);

/* Text in a named encoding read as UTF-8, block by block, through the C
 * library's iconv (for a file in Windows-1252, Latin-1, Shift_JIS,
 * GB18030, ... read without converting it first). */
typedef struct tc_decoder tc_decoder;

/* How tc_decoder_convert reads its input (flags). */
enum { TC_DECODER_LAST = 1 }; /* the input ends here: nothing is left for a next block */

/* The most input bytes tc_decoder_convert leaves unused at a block's end
 * (an unfinished multibyte sequence) for the caller to hand back. */
#define TC_DECODER_CARRY_MAX 16

/* What one tc_decoder_convert call did. */
typedef struct tc_decoder_result {
  size_t used;       /* input bytes converted (the caller goes on from in + used) */
  size_t written;    /* output bytes written */
  int invalid;       /* 1: it stopped just after writing U+FFFD for invalid input */
  size_t invalid_at; /* then: where that byte (or, with TC_DECODER_LAST, the
                        sequence the end cut short) starts in in; for a
                        sequence iconv read whole before failing (glibc's
                        CP949 0xA2 0xE8), where its last byte is */
  int full;          /* 1: it stopped for want of room in out */
} tc_decoder_result;

/* A decoder from `encoding` to UTF-8 in *out: a label tc_encoding_name
 * knows reads as the encoding it names there (latin1 as Windows-1252,
 * shift_jis as Windows-31J), any other name as iconv_open reads it
 * (`iconv -l` lists them). Only an encoding in which the byte 0x0A is a
 * line feed, and never part of another character, can be read so (lines
 * are cut before they are converted): UTF-16, UTF-32 and EBCDIC are
 * refused. TC_EINVAL (diag says why: a name iconv does not know, one
 * with no letter or digit before any '/', which iconv would read as the
 * locale's charset ("", "//IGNORE"), or such an encoding; or a NULL
 * argument), TC_ENOMEM; *out is NULL on failure.
 * Free it with tc_decoder_free (NULL: nothing). One decoder reads one
 * stream: it keeps iconv's shift state (ISO-2022-JP) from one block to the
 * next. */
TC_API int tc_decoder_new(const char *encoding, tc_decoder **out, tc_diag *diag);
TC_API void tc_decoder_free(tc_decoder *d);

/* Convert the next bytes of the stream to UTF-8. Bytes invalid in the
 * encoding become U+FFFD, one byte at a time, and so does (with
 * TC_DECODER_LAST) a sequence the end cuts short; a sequence a line feed
 * cuts short is invalid (its first byte), so a line feed is never left
 * unused nor lost. The output is UTF-8
 * (iconv's: a few charsets map values past U+10FFFF, which come out as
 * invalid UTF-8) and a character is never split. It stops at the first of:
 *  - the end of in. Without TC_DECODER_LAST a multibyte sequence that
 *    ends in is left unused (r->used < len, at most TC_DECODER_CARRY_MAX
 *    bytes): put it before the next block;
 *  - out has no room for the next character, or, once this call has
 *    written something, less than 16 bytes (the most a byte makes) are
 *    left (r->full: call again with more room; 4 bytes a byte suffice
 *    for every common encoding);
 *  - just after a U+FFFD written for invalid input: r->invalid is 1 and
 *    r->invalid_at says where, so a caller can report it; call again with
 *    in + r->used to go on.
 * r receives the counts in every case. in may be NULL when len is 0, out
 * when cap is 0. TC_EINVAL for a NULL d or r or unknown flags. */
TC_API int tc_decoder_convert(tc_decoder *d, const char *in, size_t len, unsigned flags, char *out,
                              size_t cap, tc_decoder_result *r);

/* ====================================================================
 * Extractor: tokens, terms and TF-IDF vectors
 * ==================================================================== */

/* An extractor holds the options, the compiled stop word set and, once
 * fitted, the vocabulary with document frequencies. */
typedef struct tc_extractor tc_extractor;

typedef struct tc_token {
  const char *text;     /* normalised UTF-8, in the workspace */
  size_t len;           /* bytes */
} tc_token;

typedef struct tc_tokens {
  const tc_token *tok;  /* in the workspace */
  size_t n;
  size_t n_invalid;     /* invalid UTF-8 sequences replaced by U+FFFD */
  size_t n_title;       /* title_terms: the first n_title tokens are the title's
                           (before the text's first blank line; 0 without one);
                           always 0 when title_terms is off */
} tc_tokens;

typedef struct tc_feature {
  int index;            /* 1-based vocabulary index, strictly ascending in a vector */
  double value;
} tc_feature;

typedef struct tc_vector {
  const tc_feature *f;  /* in the workspace */
  size_t n;
  size_t n_tokens;      /* tokens seen (after stop words) */
  size_t n_invalid;     /* invalid UTF-8 sequences replaced by U+FFFD */
} tc_vector;

/* Called once per term by tc_extractor_terms; return non-zero to stop early.
 * The term bytes are only valid during the call. */
typedef int (*tc_term_fn)(void *ud, const char *term, size_t len);

/* Create an unfitted extractor from checked options: TC_EINVAL for a NULL
 * o or out, options that fail tc_options_check (diag names the field) or a
 * custom stop word that is not one valid token (diag names the word);
 * TC_ENOMEM. *out is NULL on failure. It can tokenise and enumerate terms
 * at once; it needs tc_extractor_fit before it can vectorise. */
TC_API int tc_extractor_new(const tc_options *o, tc_extractor **out, tc_diag *diag);
TC_API void tc_extractor_free(tc_extractor *ex);

/* The options the extractor was made with (belongs to the extractor). */
TC_API const tc_options *tc_extractor_options(const tc_extractor *ex);

/* Learn the vocabulary and document frequencies from n documents, applying
 * min_df, max_df and max_features. A term's document frequency (df) counts
 * the documents it occurs in; terms with df < min_df or df > max_df * n
 * are dropped, then the rest are ordered by descending df, ties by term
 * bytes (memcmp order, a prefix first), the first max_features kept (0:
 * all) and numbered 1, 2, ... in that order: the same input gives the same
 * indices whatever the document order. idf = ln((1 + n) / (1 + df)) + 1.
 * texts[i] may be NULL when lens[i] is 0; lens is required. progress (may
 * be NULL) is called as ("vocabulary", done, n) with done = 0, 256, 512,
 * ... and finally n. Replaces any earlier vocabulary on success only: on
 * any error (TC_EINVAL for a NULL ex, a NULL texts or lens when n > 0, or
 * a NULL texts[i] with lens[i] > 0; TC_EDATA when n is 0, when no term survives, or when the texts
 * hold terms made to collide in the hash table: more than 8 of one hash, or
 * a run of more than 1024; TC_ECANCELED, TC_ENOMEM, TC_ELIMIT beyond
 * 2^32 - 2 documents) the extractor is unchanged.
 * Memory while fitting: 25-35 bytes plus the term's bytes per distinct
 * term seen, freed on return (docs/features.md has measured figures). */
TC_API int tc_extractor_fit(tc_extractor *ex, size_t n, const char *const *texts,
                            const size_t *lens, tc_progress_fn progress, void *ud);

/* Tokens of a text after normalisation and stop word removal. Rules
 * (docs/text-processing.md): runs of letters, marks and numbers form words
 * (by Unicode category; everything else, emoji included, separates); an
 * apostrophe between letters joins ("don't"), a trailing "'s" is dropped
 * ("biden's" -> "biden"); a hyphen between letters or digits joins
 * ("e-mail", "covid-19"); "." and "," between digits join ("3.5", "1,000");
 * "." joins single letters ("U.S." -> "u.s"); http(s)/ftp URLs and www. names become their host without "www."
 * ("thehackernews.com"), e-mail addresses their domain; letters of scripts
 * written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer,
 * Myanmar) are one token each, with their combining marks. A token longer
 * than max_token_bytes is cut on a code point boundary (the rest dropped).
 * Stop words are removed, then with stem = TC_STEM_ENGLISH each token made
 * of the letters a-z and apostrophes only becomes its stem ("elections" ->
 * "elect"; docs/text-processing.md); other tokens are kept as they are.
 * Every token is non-empty valid UTF-8 pointing into the workspace, valid
 * until the next call on ws. text may be NULL when len is 0. TC_EINVAL for
 * a NULL ex, ws or out, or a NULL text with len > 0; TC_ELIMIT for a text
 * above PTRDIFF_MAX / 32 bytes (tc_normalize's limit); TC_ENOMEM. */
TC_API int tc_extractor_tokenize(const tc_extractor *ex, tc_workspace *ws,
                                 const char *text, size_t len, tc_tokens *out);

/* Every term the extractor derives from a text, with repetitions,
 * independent of any vocabulary (docs/features.md). For each token i in
 * order: the word n-grams starting at i (word_ngram_min..max tokens joined
 * by one space, shortest first); then, with title_terms and i a title
 * token, those of them inside the title again, prefixed "#t " ("#t data",
 * "#t data breach"); then, when word n-grams are on and tokens
 * i and i+1 are both single characters of scripts written without spaces,
 * the two joined with no space ("中国"); then the character n-grams of
 * token i padded with a space on each side (char_ngram_min..max code
 * points, by length then position, prefixed "#c ": "#c  da"; a padded
 * token shorter than n gives itself once). A non-zero return from fn stops
 * the walk and the call returns TC_OK. TC_EINVAL for a NULL fn and as
 * tc_extractor_tokenize, TC_ELIMIT and TC_ENOMEM as it. */
TC_API int tc_extractor_terms(const tc_extractor *ex, tc_workspace *ws,
                              const char *text, size_t len,
                              tc_term_fn fn, void *ud);

/* The TF-IDF vector of a text over the fitted vocabulary; terms outside it
 * are ignored. Each feature's value is tf (1 + ln count when sublinear_tf,
 * else the count) times idf when use_idf, the vector then scaled to unit
 * length when l2_normalize. Indices strictly ascending; an empty or
 * unknown text gives n = 0. The result lives in ws until its next use.
 * The extractor is only read: threads may share it, one ws each; after a
 * workspace has seen a text as long, nothing is allocated.
 * TC_EINVAL if the extractor is not fitted and as tc_extractor_tokenize,
 * TC_ELIMIT and TC_ENOMEM as it. */
TC_API int tc_extractor_vectorize(const tc_extractor *ex, tc_workspace *ws,
                                  const char *text, size_t len, tc_vector *out);

/* Vocabulary size (0 before fitting). */
TC_API size_t tc_extractor_n_features(const tc_extractor *ex);

/* The term of a 1-based feature index (belongs to the extractor; also
 * NUL-terminated), or NULL (and *len = 0) when out of range. len may be NULL. */
TC_API const char *tc_extractor_feature_name(const tc_extractor *ex, int index, size_t *len);

/* Serialise a fitted extractor (options, custom stop words, document
 * count, terms and df; docs/features.md has the layout): *out is malloc'ed
 * (free() it); on failure it is NULL and *len 0. TC_EINVAL when not
 * fitted, TC_ENOMEM, TC_ELIMIT beyond 2^32 - 1 terms or stop words. */
TC_API int tc_extractor_to_bytes(const tc_extractor *ex, unsigned char **out, size_t *len);

/* Rebuild an extractor from bytes made by tc_extractor_to_bytes. Every size,
 * count and index is checked against the bytes present, and the content
 * must be what fitting could have made (options pass tc_options_check,
 * terms non-empty valid UTF-8 in fitting's order without repeats, df
 * within 1..N and min_df/max_df, no trailing bytes); TC_EVERSION for a
 * format version this library does not read or text rules (tokenisation,
 * docs/text-processing.md section 9) other than this build's, with diag
 * saying to retrain; TC_EFORMAT (with diag naming
 * the field) for anything else; TC_EINVAL for a NULL out, or a NULL p with
 * len > 0; TC_ENOMEM. *out is NULL on any failure. Never reads outside
 * [p, p+len) and never allocates more than a small multiple of len. A
 * loaded extractor gives vectors identical to the one saved. */
TC_API int tc_extractor_from_bytes(const unsigned char *p, size_t len,
                                   tc_extractor **out, tc_diag *diag);

/* ====================================================================
 * Training data
 * ==================================================================== */

/* A set of labelled documents. Texts are copied. Label names are interned
 * in order of first appearance (label index 0, 1, ...). */
typedef struct tc_dataset tc_dataset;

/* A new, empty dataset in *out: TC_EINVAL for a NULL out, TC_ENOMEM. */
TC_API int tc_dataset_new(tc_dataset **out);
TC_API void tc_dataset_free(tc_dataset *ds);

/* Room for any description tc_label_name_problem writes, its NUL included. */
#define TC_LABEL_PROBLEM_SIZE 96

/* Why name (len bytes) cannot be a label name, or NULL when it can: the one
 * rule for label names, which tc_dataset_add, model files and the Lua
 * module all apply. A name is non-empty, holds no NUL byte (C strings
 * carry names), is valid UTF-8 (tc_utf8_check) and holds no control
 * character (tc_utf8_control: a tab or line break would split the tables
 * and lines that print it, an escape would drive the terminal) and no
 * comma (commas separate labels in lists of them and in the command
 * line's TSV and CSV output). The first of these it breaks is described,
 * written into buf (TC_LABEL_PROBLEM_SIZE bytes) and buf returned, as
 * words that follow the caller's naming of the label ("label 2 " ...):
 * "is empty", "contains a NUL byte", "is not valid UTF-8", "holds a
 * control character (U+001B)" or "holds a comma, which separates labels
 * in TSV and CSV output and in lists of labels". A NULL name is empty.
 * Linear in len. */
TC_API const char *tc_label_name_problem(const char *name, size_t len, char *buf);

/* Add a document with n_labels labels (1 for multi-class data; 0 allowed
 * for multi-label data, meaning "none of the labels"). TC_EINVAL for a
 * NULL ds, a NULL text with len > 0, a NULL labels with n_labels > 0, a
 * label name tc_label_name_problem refuses (a model file could not hold
 * it) or a label repeated within the document; TC_ELIMIT
 * for a text above PTRDIFF_MAX / 32 bytes (tc_normalize's limit) or
 * beyond 2^32 - 2 documents or label names; TC_ENOMEM. A refused document
 * leaves the dataset as it was, but that after TC_ENOMEM, or TC_ELIMIT for
 * the label names, some of its label names may have been interned. */
TC_API int tc_dataset_add(tc_dataset *ds, const char *text, size_t len,
                          const char *const *labels, size_t n_labels);

/* Say where document `doc` (0-based, in order of tc_dataset_add) came
 * from: its publisher, site or corpus, as a number the caller chooses. A
 * document never given one is source 0. Sources change one thing: when the
 * documents come from two or more, calibration weighs every source the
 * same (a document weighs n / (sources x its source's documents) in each
 * label's Platt fit), so that the scores of a mix dominated by one source
 * are not that source's alone (docs/engine.md, "Calibration by source").
 * The SVMs, the vocabulary and cross-validation's folds ignore them.
 * TC_EINVAL for a NULL ds or doc >= tc_dataset_size(ds); TC_ENOMEM. */
TC_API int tc_dataset_set_source(tc_dataset *ds, size_t doc, uint32_t source);
/* Document doc's source; 0 for one never set or out of range. */
TC_API uint32_t tc_dataset_source(const tc_dataset *ds, size_t doc);

/* Documents added, and label names interned, so far. */
TC_API size_t tc_dataset_size(const tc_dataset *ds);
TC_API size_t tc_dataset_n_labels(const tc_dataset *ds);
/* Name of label i (belongs to the dataset), NULL when out of range. */
TC_API const char *tc_dataset_label(const tc_dataset *ds, size_t i);

/* ====================================================================
 * Training
 * ==================================================================== */

enum { TC_KERNEL_LINEAR = 0, TC_KERNEL_RBF = 1 };

enum {
  TC_SOLVER_AUTO = 0,      /* DCD for linear kernels, libsvm for RBF */
  TC_SOLVER_LIBLINEAR = 1, /* linear only: liblinear's primal trust-region Newton
                              solver (L2R_L2LOSS_SVC), which uses no rand() */
  TC_SOLVER_LIBSVM = 2,    /* any kernel; linear models are collapsed to w, b */
  TC_SOLVER_DCD = 3        /* linear only: the library's own dual coordinate descent
                              for liblinear's problem, shuffled from `seed`: the
                              method of liblinear-train's default solver, 2-4x faster
                              than the primal one here (docs/engine.md) */
};

enum {
  TC_WEIGHT_NONE = 0,      /* every document weighs the same */
  TC_WEIGHT_BALANCED = 1,  /* per binary problem, positives and negatives weigh
                              n/(2*n_class) (default) */
  TC_WEIGHT_CUSTOM = 2     /* label_weights[label] scales C for that label's positives */
};

typedef struct tc_train_params {
  tc_options features;     /* extractor options */
  int multilabel;          /* 0: one label per document, the top label wins;
                              1: every label whose score passes the threshold */
  int kernel;              /* TC_KERNEL_*; default linear */
  int solver;              /* TC_SOLVER_*; default auto */
  double C;                /* default 1.0 */
  double gamma;            /* RBF kernel width; <= 0: 1.0 (suits L2-normalised vectors);
                              must be finite */
  int class_weight;        /* TC_WEIGHT_*; default balanced */
  const double *label_weights; /* TC_WEIGHT_CUSTOM: one per dataset label (borrowed) */
  double tolerance;        /* solver stopping tolerance; <= 0: the solver's default */
  int calibrate;           /* 1: Platt scaling from internal cross-validation (default) */
  double threshold;        /* score a label needs (multi-label); default 0.5 */
  int threshold_auto;      /* 1 (multilabel, cv_folds > 1): the threshold is
                              chosen by cross-validation instead: of
                              tc_threshold_values', the one whose out-of-fold
                              micro-F1 is highest (ties: the one nearest
                              `threshold`), stored with metadata
                              "threshold_by" = "cv_micro_f1"; default 0 */
  const char *fallback;    /* label for documents passing no threshold, or NULL
                              (borrowed: the model keeps its index) */
  int short_features;      /* linear only; 0 (default): off. Else n0: a story
                              whose vector has n features, 0 < n < n0, has each
                              label's decision value f scored as bias + (f - bias)
                              * sqrt(n0 / n). Vectors are L2-normalised, so a sum
                              over n features of like weights grows as sqrt(n)
                              and a short story's margins are held back; this
                              gives it the evidence an n0-feature story with the
                              same words per feature would have. The Platt fit
                              is unchanged, so a short story's scores move toward
                              0 and 1, overconfident at the top; decision values
                              and explanations stay raw (models/README.md, design
                              study step 9) */
  double short_moderation; /* needs short_features; 0 (default): off. Else c:
                              below n0 features each label's log-odds z (after
                              the evidence is scaled) becomes z / sqrt(1 + c
                              (n0 / n - 1)), moderated toward a score of 0.5 as
                              a noisy log-odds is, the noise growing with the
                              extrapolation n0 / n. The sign of z stays, so the
                              labels at threshold 0.5 and each story's order of
                              labels do; the scores of the shortest stories are
                              no longer near-certain (models/README.md, design
                              study step 10). Finite, in [0, 1e6] */
  int cv_folds;            /* > 1: run k-fold CV and store the figures in the
                              model (at the model's threshold; a multi-label
                              model's at each of tc_threshold_values' too) */
  int grid;                /* 1: pick C (and gamma) by cv_folds-fold CV macro-F1,
                              each without and then with features.title_terms
                              when word n-grams are on (it must be 0 then: the
                              search sets it); ties keep the earlier point */
  uint64_t seed;           /* fold assignment and solver seeds; default 1 */
  int threads;             /* binary problems trained in parallel; <= 0: one per
                              core; at most 1024; default 1 */
  double cache_mb;         /* libsvm kernel cache; default 200 */
  tc_progress_fn progress; /* optional */
  void *progress_ud;
} tc_train_params;

/* Every field of *p at its default (the comments above give them;
 * features as tc_options_init sets them). */
TC_API void tc_train_params_init(tc_train_params *p);

/* The RBF kernel width training uses with *p: p->gamma when above 0, else
 * 1.0 (the default tc_train_params_init leaves as 0). */
TC_API double tc_train_params_gamma(const tc_train_params *p);

/* The values grid search (tc_train_params.grid) tries, in the order it
 * tries them: C for every kernel, gamma for an RBF kernel only (and
 * title terms off, then on, where word n-grams are on). Each
 * sets *values to a static array and returns its length. */
TC_API size_t tc_grid_C_values(const double **values);
TC_API size_t tc_grid_gamma_values(const double **values);

/* The thresholds a multi-label model's cross-validation measures (its
 * metadata "cv_thresholds") and threshold_auto chooses from, ascending:
 * 0.05 to 0.95 by 0.05. Sets *values to a static array and returns its
 * length. */
TC_API size_t tc_threshold_values(const double **values);

/* NULL when *p is usable with *ds (ds may be NULL to skip data checks),
 * otherwise a static message naming the bad field: features pass
 * tc_options_check; flags are 0 or 1; kernel, solver and class_weight one
 * of their constants (the liblinear and dcd solvers linear only); C in
 * (0, 1e6]; gamma finite and <= 1e6; tolerance finite and < 1; threshold
 * in [0, 1] (NaN is refused everywhere); cache_mb in (0, 1e6]; cv_folds 0
 * or 2..100, and grid only with cv_folds and title_terms 0; threads <= 1024; label_weights
 * given exactly when class_weight is TC_WEIGHT_CUSTOM; threshold_auto
 * only with multilabel and cv_folds; fallback NULL or a non-empty name;
 * short_features >= 0, and 0 for an RBF kernel;
 * short_moderation in [0, 1e6], and 0 without short_features. With
 * ds: each label weight in (0, 1e6] (label_weights must hold
 * tc_dataset_n_labels(ds) numbers), fallback one of ds's labels, cv_folds
 * at most the number of documents. */
TC_API const char *tc_train_params_check(const tc_train_params *p, const tc_dataset *ds);

typedef struct tc_model tc_model;

/* Fit the extractor on the dataset's texts, then train one binary SVM per
 * label (one-vs-rest), calibrate, and return a self-contained model
 * (*out; NULL on any failure). TC_EINVAL for a NULL ds, p or out, or
 * params that fail tc_train_params_check (diag: the field); TC_EDATA for
 * unusable data, diag naming the document or label (no documents; without
 * multilabel, a document with other than one label (diag->line is its
 * number) or a single label; a label every document has; no term left by
 * min_df/max_df/max_features; texts made to collide in the hash table);
 * TC_ECANCELED when p->progress asks to stop at any stage; TC_ELIMIT (diag
 * says which size) and TC_ENOMEM.
 * Deterministic: equal data and params give byte-identical saved models,
 * whatever the thread count, once the "created" metadata is fixed: it is
 * $SOURCE_DATE_EPOCH when set, else the current time. */
TC_API int tc_model_train(const tc_dataset *ds, const tc_train_params *p,
                          tc_model **out, tc_diag *diag);

/* ====================================================================
 * Evaluation
 * ==================================================================== */

/* Per-label counts and figures. Precision, recall and F1 are 0 when
 * undefined (no predictions / no gold documents). */
typedef struct tc_label_metrics {
  size_t tp, fp, fn, support;  /* support = gold documents with the label */
  double precision, recall, f1;
} tc_label_metrics;

/* Metrics accumulator over a fixed label set. Accuracy counts documents
 * whose primary predicted label is among their gold labels; exact_match
 * counts documents whose predicted label set equals the gold set.
 * macro_f1 averages the F1 of labels with support or predictions. */
typedef struct tc_metrics tc_metrics;

/* TC_EINVAL for no labels or a NULL out, TC_ELIMIT for more labels than
 * uint32_t indices number, TC_ENOMEM; *out is NULL on failure. Memory
 * grows with the labels and the (gold, predicted) pairs seen, not with
 * the square of the labels. */
TC_API int tc_metrics_new(size_t n_labels, tc_metrics **out);
TC_API void tc_metrics_free(tc_metrics *m);
/* Raise the label count to n_labels, the new labels' counts at zero: for
 * label sets found while evaluating (gold labels a model does not know,
 * a Lua classifier's labels). Never shrinks; TC_EINVAL for a NULL m,
 * TC_ELIMIT and TC_ENOMEM as for tc_metrics_new, and then nothing
 * changes. Growing one label at a time is amortised O(1) a label. */
TC_API int tc_metrics_grow(tc_metrics *m, size_t n_labels);
/* Record one document: gold and predicted label indices (< n_labels);
 * predicted[0] is the primary prediction. Either list may be empty (NULL
 * with a count of 0). TC_EINVAL for an index out of range or repeated
 * within its list, TC_ENOMEM; a refused document changes nothing. */
TC_API int tc_metrics_add(tc_metrics *m, const uint32_t *gold, size_t n_gold,
                          const uint32_t *predicted, size_t n_predicted);
/* Documents recorded, and the figures over them (defined above). */
TC_API size_t tc_metrics_count(const tc_metrics *m);
TC_API double tc_metrics_accuracy(const tc_metrics *m);
TC_API double tc_metrics_exact_match(const tc_metrics *m);
TC_API double tc_metrics_macro_f1(const tc_metrics *m);
TC_API double tc_metrics_micro_f1(const tc_metrics *m);
/* Figures for label i; TC_EINVAL when out of range. */
TC_API int tc_metrics_label(const tc_metrics *m, size_t i, tc_label_metrics *out);
/* Documents whose first gold label is `gold` and primary prediction `predicted`. */
TC_API size_t tc_metrics_confusion(const tc_metrics *m, size_t gold, size_t predicted);
/* The confusion cells that are not 0, one a call, in no set order: with
 * *cursor 0 for the first call, each call sets *gold and *predicted to
 * one cell's labels and returns its count, then 0 once every cell was
 * given (and for a NULL argument). The whole walk costs O(cells), not
 * O(labels^2); counting a document meanwhile may skip or repeat cells. */
TC_API size_t tc_metrics_confusion_next(const tc_metrics *m, size_t *cursor, size_t *gold, size_t *predicted);

/* k-fold cross-validation (stratified by first label, folds from p->seed):
 * trains k models and accumulates predictions on held-out folds into *out,
 * which must have been made with tc_dataset_n_labels(ds) labels (else
 * TC_EINVAL, nothing counted). k is 2..tc_dataset_size(ds) (TC_EINVAL
 * otherwise, as for a NULL ds, p or out); p must pass
 * tc_train_params_check(p, ds), but its cv_folds, grid and threshold_auto play no part
 * here; data tc_model_train would refuse is TC_EDATA, with diag; a fold's
 * failure is its code with diag naming the fold; TC_ECANCELED, TC_ENOMEM.
 * fold_macro_f1 (may be NULL) receives k per-fold macro-F1 figures. On an
 * error or a cancel, *out and fold_macro_f1 may hold the folds done so far. */
TC_API int tc_cross_validate(const tc_dataset *ds, const tc_train_params *p, int k,
                             tc_metrics *out, double *fold_macro_f1, tc_diag *diag);

/* ====================================================================
 * Models: prediction and explanation
 * ==================================================================== */

TC_API void tc_model_free(tc_model *m);

/* How many labels the model has. */
TC_API size_t tc_model_n_labels(const tc_model *m);
/* Name of label i (belongs to the model), NULL when out of range. */
TC_API const char *tc_model_label(const tc_model *m, size_t i);
/* Index of a label name, or -1. */
TC_API int tc_model_label_index(const tc_model *m, const char *name);
/* TC_KERNEL_LINEAR or TC_KERNEL_RBF; 1 for a multi-label model, else 0;
 * the score a label needs to be chosen by a multi-label model. */
TC_API int tc_model_kernel(const tc_model *m);
TC_API int tc_model_multilabel(const tc_model *m);
TC_API double tc_model_threshold(const tc_model *m);
/* Fallback label index, or -1 when the model names none. */
TC_API int tc_model_fallback(const tc_model *m);
/* n0 of the short-story rule (tc_train_params.short_features), 0 when off. */
TC_API unsigned tc_model_short_features(const tc_model *m);
/* c of the rule's moderation (tc_train_params.short_moderation), 0 when off. */
TC_API double tc_model_short_moderation(const tc_model *m);
/* The model's extractor (belongs to the model). */
TC_API const tc_extractor *tc_model_extractor(const tc_model *m);

/* Training metadata as ordered key/value pairs ("created", "documents",
 * "C", "cv_macro_f1", ...). Strings belong to the model. */
TC_API size_t tc_model_meta_count(const tc_model *m);
/* Pair i in *key and *value (either may be NULL); TC_EINVAL when i is out
 * of range, the pointers then untouched. */
TC_API int tc_model_meta_at(const tc_model *m, size_t i, const char **key, const char **value);
/* Value for a key, or NULL. */
TC_API const char *tc_model_meta(const tc_model *m, const char *key);

/* One document's outcome. The arrays are the caller's, with room for
 * tc_model_n_labels(m) entries each. */
typedef struct tc_result {
  double *scores;       /* in: caller array; out: calibrated score of each label, in [0,1] */
  uint32_t *labels;     /* in: caller array; out: chosen label indices, best first */
  size_t n_labels;      /* out: how many were chosen (>= 1 on success) */
  int status;           /* out: TC_OK, or this document's error */
  size_t n_invalid;     /* out: invalid UTF-8 sequences replaced */
} tc_result;

/* Classify one text. Scores are the calibrated decision values, a short
 * story's first moved by the model's short-story rule (short_features)
 * and its log-odds then moderated (short_moderation).
 * Labels are chosen as follows: multi-class models
 * choose the top-scoring label; multi-label models choose every label with
 * score >= threshold, best first; when none passes, the fallback label if
 * the model has one, else the top-scoring label. `threshold` < 0 means the
 * model's own. Returns and stores in r->status the same code: TC_EINVAL
 * for a NULL m, ws, r->scores or r->labels, a NULL text with len > 0, or
 * a threshold that is NaN or above 1 (r NULL: TC_EINVAL, nothing stored);
 * TC_ELIMIT for a text above PTRDIFF_MAX / 32 bytes; TC_ENOMEM. On
 * failure r->n_labels and r->n_invalid are 0 and the arrays' contents
 * are unspecified. Any workspace will do, whichever model it served
 * before. */
TC_API int tc_model_predict(const tc_model *m, tc_workspace *ws,
                            const char *text, size_t len, double threshold,
                            tc_result *r);

/* Choose r's labels again from its scores (r->scores, as tc_model_predict
 * left them) at another threshold, by tc_model_predict's rule (above):
 * r->labels and r->n_labels as tc_model_predict at that threshold would
 * have made them, since a document's scores do not depend on the
 * threshold. So a text classified once is labelled at many thresholds.
 * `threshold` < 0 means the model's own. r->scores must hold
 * tc_model_n_labels(m) scores; r->status and r->n_invalid are left as they
 * were. TC_EINVAL (r untouched) for a NULL m, r, r->scores or r->labels,
 * or a threshold that is NaN or above 1. */
TC_API int tc_model_choose_labels(const tc_model *m, double threshold, tc_result *r);

/* Classify n texts on `threads` threads (<= 0: one per core) sharing the
 * model. results[i] belongs to texts[i] whatever happens; a document that
 * fails gets its own status and the others go on. Returns TC_OK when every
 * document succeeded, else the first error code found (in input order).
 * A NULL m, texts or lens (with n > 0) gives every result TC_EINVAL;
 * results may be NULL only when n is 0 (else TC_EINVAL, nothing stored).
 * The documents are cut into contiguous chunks, a few per thread (of 16
 * documents or more, but the last), and each chunk gets a workspace of its
 * own. */
TC_API int tc_model_predict_batch(const tc_model *m, size_t n,
                                  const char *const *texts, const size_t *lens,
                                  double threshold, int threads, tc_result *results);

/* Raw decision values (before calibration, and before the short-story
 * rule: tc_train_params.short_features) of each label: the caller's
 * array of tc_model_n_labels(m) doubles. TC_EINVAL for a NULL m, ws or
 * values or a NULL text with len > 0; TC_ELIMIT and TC_ENOMEM as
 * tc_model_predict (values then unspecified). */
TC_API int tc_model_decision_values(const tc_model *m, tc_workspace *ws,
                                    const char *text, size_t len, double *values);

typedef struct tc_contribution {
  int feature;          /* 1-based feature index */
  double weight;        /* how much the feature moved the label's decision value */
} tc_contribution;

/* The features of a text that pushed label `label`'s decision value most,
 * strongest (most positive) first, ties by feature index; up to `cap`
 * entries into out[] (NULL when cap is 0), count in *n (0 on failure).
 * Linear models: x_j * w_j (raw: a short story's are not scaled by the
 * short-story rule). Kernel models: f(x) - f(x without j), one
 * kernel evaluation per support vector of the label per feature of the
 * text.
 * TC_EINVAL for a NULL m, ws or n, a label >= tc_model_n_labels(m), a
 * NULL text with len > 0; TC_ELIMIT and TC_ENOMEM as tc_model_predict. */
TC_API int tc_model_explain(const tc_model *m, tc_workspace *ws,
                            const char *text, size_t len, size_t label,
                            tc_contribution *out, size_t cap, size_t *n);

/* Linear models only: the features with the largest weights for a label,
 * most positive first, ties by feature index; features whose weight is 0
 * are left out, so *n may be below cap. TC_EINVAL for kernel models, for
 * a label out of range, a NULL m or n, or a NULL out with cap > 0 (*n
 * then 0). */
TC_API int tc_model_top_features(const tc_model *m, size_t label,
                                 tc_contribution *out, size_t cap, size_t *n);

/* ====================================================================
 * Model files (docs/model-format.md)
 * ==================================================================== */

/* The newest model file format version this library writes and reads (5).
 * It reads 3 and 4 as well, and writes 3 for a model without
 * short_features, 4 for one without short_moderation: version 4 only adds
 * the one field, 5 the other (docs/model-format.md). */
TC_API unsigned tc_model_format_version(void);
/* The format version tc_model_to_bytes writes for m, the one it was read
 * from: 5 when it has short_moderation, else 4 when it has short_features,
 * else 3; 0 for NULL. */
TC_API unsigned tc_model_file_version(const tc_model *m);

/* Serialise: *out is malloc'ed (free() it); on failure it is NULL and *len
 * 0. The model is first checked by the rules the loader applies: TC_EINVAL
 * for a model that could not be read back (an empty, repeated or
 * non-UTF-8 label, a NaN weight, ...) and for a NULL argument; TC_ELIMIT
 * for counts the format cannot hold; TC_ENOMEM.
 * Equal models give equal bytes, and loading then saving gives the same
 * bytes. */
TC_API int tc_model_to_bytes(const tc_model *m, unsigned char **out, size_t *len);

/* Rebuild a model from untrusted bytes. Checks the format name, version,
 * checksum, and every count, size and index against the bytes present;
 * TC_EFORMAT / TC_EVERSION / TC_ECHECKSUM with diag naming the problem
 * (docs/model-format.md, "Errors"); TC_EINVAL for a NULL out, or a NULL p
 * with len > 0; TC_ENOMEM.
 * Never reads outside [p, p+len), never allocates more than the bytes can
 * justify, and never hands unchecked data to libsvm. *out is NULL on
 * failure. Touches no global state: safe to call from any thread. */
TC_API int tc_model_from_bytes(const unsigned char *p, size_t len,
                               tc_model **out, tc_diag *diag);

/* Save atomically: write a temporary file beside `path`, fsync, rename,
 * fsync the directory (as tc_outfile_commit). On failure the previous file
 * at `path` is intact and the temporary file removed, except after an
 * error syncing the directory, which comes after the rename. An existing
 * file's permission bits are kept; a directory, device or FIFO at `path`
 * is refused. TC_EINVAL for a NULL m or a NULL or empty path, and as
 * tc_model_to_bytes; TC_EIO (diag says why); TC_ELIMIT and
 * TC_ENOMEM as tc_model_to_bytes. Every message begins "save: ". */
TC_API int tc_model_save(const tc_model *m, const char *path, tc_diag *diag);

/* ------------------------------------------------------------------
 * Files written atomically
 *
 * What tc_model_save writes models with, for callers' own outputs (the
 * command line's `eval --errors`): the bytes go to a temporary file beside
 * `path`, and only tc_outfile_commit puts them at `path` (fsync, rename,
 * fsync of the directory). Until the commit, and after a failure or
 * tc_outfile_discard, a previous file at `path` is intact and the
 * temporary removed (the one exception is in tc_outfile_commit). On Linux
 * the temporary has no name until the commit links it in as
 * "<path>.tmp-*" for the rename (O_TMPFILE), so a process killed outright
 * leaves nothing; elsewhere it is named from the start. An existing
 * file's permission bits are kept; a directory, device or FIFO at `path`
 * is refused. One tc_outfile is used by one thread at a time.
 * ------------------------------------------------------------------ */
typedef struct tc_outfile tc_outfile;

/* Create the temporary file. TC_EINVAL (a NULL or empty path, or a NULL
 * out), TC_EIO (diag: the system's message, or that `path` is not a
 * regular file), TC_ENOMEM; *out is NULL on failure. */
TC_API int tc_outfile_open(const char *path, tc_outfile **out, tc_diag *diag);

/* Append n bytes (an unbuffered write: write sizeable pieces). TC_EINVAL
 * for a NULL f, or a NULL p with n > 0. TC_EIO on failure, which sticks:
 * part of the bytes may have been written, so later writes and
 * tc_outfile_commit fail too (TC_EIO, the old file intact); the file still
 * needs tc_outfile_discard or that commit. */
TC_API int tc_outfile_write(tc_outfile *f, const void *p, size_t n, tc_diag *diag);

/* Put the file at `path`. Frees f, whether it succeeds or not (TC_EIO or
 * TC_ENOMEM; TC_EINVAL for a NULL f).
 * The directory is opened for its fsync before the rename, so one that
 * cannot be opened (no read permission) fails with the old file intact;
 * only an error of that fsync itself, after the rename, returns TC_EIO
 * with the new file already at `path`. */
TC_API int tc_outfile_commit(tc_outfile *f, tc_diag *diag);

/* Drop the temporary file and free f (NULL: nothing). */
TC_API void tc_outfile_discard(tc_outfile *f);

/* Load a model file (tc_model_from_bytes on its contents, its message
 * then prefixed "load: PATH: "; TC_EIO for a missing or unreadable file or
 * a directory, with the system's message in diag; TC_ELIMIT for a file
 * over 1 GiB, or whose header says it is; TC_EINVAL for a NULL out or a
 * NULL or empty path; TC_ENOMEM). A FIFO or character device is
 * read to its end, or until its bytes show it is no model (TC_EFORMAT:
 * /dev/zero is refused at once, and so is a model followed by more bytes
 * than its header gives, `cat m /dev/zero`, once they begin; TC_EVERSION
 * once the version is read); a FIFO without a writer blocks in open, as
 * for any reader. *out is NULL on failure. Safe to call from any thread. */
TC_API int tc_model_load(const char *path, tc_model **out, tc_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* TEXTCLASS_H */
