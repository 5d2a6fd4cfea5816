/* model_io.c - model (de)serialisation: the bytes of a model file.
 *
 * The layout is documented field by field in docs/model-format.md. In
 * short: a 32-byte header (magic "TEXTCLAS", version, flags, total length,
 * CRC-32 of everything after the header), then five tagged sections in a
 * fixed order: META, LABL, EXTR, LINR or KERN, CALB. All integers and
 * floating-point numbers are little-endian; a linear model's weights are
 * single precision (f32), every other real number double (f64).
 *
 * Caveats
 *  - One set of rules for both directions. Decoding first builds the model
 *    struct with only the structural checks that keep memory safe (every
 *    count against the bytes left before allocating, every read bounded by
 *    tci_reader), then runs validate() for the semantic rules (names,
 *    ranges, finite doubles, ascending indices). Encoding runs the same
 *    validate() first, so we never write a file we would refuse to read.
 *  - The encoding is canonical: a model that decodes re-encodes to the
 *    same bytes (the tests and the fuzz target rely on it).
 *  - Untrusted bytes never reach a kernel walk: the kernel pool is rebuilt
 *    here and checked (tci_kernel_check) before kernel.c ever reads it.
 *  - Loading must be fast. On little-endian hosts the weight matrix is one
 *    memcpy and one finiteness pass, so this file's share of loading a
 *    10 MB model is a millisecond or two; the CRC-32 and the extractor's
 *    vocabulary index take the rest (bench/bench_model.c measures all three).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libsvm/svm.h>

#include "internal.h"

/* 2: the extractor section records the text rules version (extractor
 * format 2). Version 1 files cannot say which rules made their vocabulary.
 * 3: linear weights are f32 (were f64), which halves a model file.
 * 4: LABL holds short_features (the short-story rule) after the fallback.
 * Written only for a model that has the rule, so every other model stays
 * version 3, readable by builds from before it (as extractor format 3).
 * 5: LABL holds short_moderation (f64) after short_features. Written only
 * for a model with the moderation; a version 4 file is read as written,
 * without it. */
#define MODEL_VERSION 5u
#define OLDEST_VERSION 3u
#define SHORT_FEATURES_VERSION 4u
#define SHORT_MODERATION_VERSION 5u

unsigned tc_model_format_version(void) { return MODEL_VERSION; }

unsigned tc_model_file_version(const tc_model *m) {
  if (!m) return 0;
  if (m->short_moderation != 0) return SHORT_MODERATION_VERSION;
  return m->short_features ? SHORT_FEATURES_VERSION : OLDEST_VERSION;
}
#define HEADER_BYTES 32u
#define SECTION_HEAD 12u /* u32 tag + u64 length */

static const unsigned char MAGIC[8] = {'T', 'E', 'X', 'T', 'C', 'L', 'A', 'S'};

#define TAG(a, b, c, d) \
  ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define TAG_META TAG('M', 'E', 'T', 'A')
#define TAG_LABL TAG('L', 'A', 'B', 'L')
#define TAG_EXTR TAG('E', 'X', 'T', 'R')
#define TAG_LINR TAG('L', 'I', 'N', 'R')
#define TAG_KERN TAG('K', 'E', 'R', 'N')
#define TAG_CALB TAG('C', 'A', 'L', 'B')

#define FALLBACK_NONE (-1)

/* The most bytes of a name (a meta key, a label) a message shows. */
#define SHOWN_BYTES 64

static int host_is_little_endian(void) {
  const uint16_t one = 1;
  unsigned char b;
  memcpy(&b, &one, 1);
  return b == 1;
}

/* ======================================================== shared rules */

static int cmp_str_ptr(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first string that occurs twice in names[0..n), or NULL; sorting a
 * copy keeps this O(n log n) even for a hostile count. *err is set to
 * TC_ENOMEM when the copy cannot be made. */
static const char *find_duplicate(char *const *names, size_t n, int *err) {
  char **s;
  const char *dup = NULL;
  size_t i;
  *err = TC_OK;
  if (n < 2) return NULL;
  s = malloc(n * sizeof *s);
  if (!s) { *err = TC_ENOMEM; return NULL; }
  memcpy(s, names, n * sizeof *s);
  qsort(s, n, sizeof *s, cmp_str_ptr);
  for (i = 1; i < n && !dup; i++)
    if (strcmp(s[i - 1], s[i]) == 0) dup = s[i];
  free(s);
  return dup;
}

static int validate_meta(const tc_model *m, int code, tc_diag *diag) {
  size_t i;
  const char *dup;
  int err;
  if (m->n_meta > UINT32_MAX) return tci_fail(diag, code, "meta: %zu entries, more than 2^32-1", m->n_meta);
  for (i = 0; i < m->n_meta; i++) {
    const char *k = m->meta_key[i], *v = m->meta_val[i];
    if (!k || !v) return tci_fail(diag, code, "meta: entry %zu is missing", i);
    if (!*k) return tci_fail(diag, code, "meta: key %zu is empty", i);
    if (!tci_utf8_valid(k, strlen(k)))
      return tci_fail(diag, code, "meta: key %zu is not valid UTF-8", i);
    if (!tci_utf8_valid(v, strlen(v)))
      return tci_fail(diag, code, "meta: value of \"%.*s\" is not valid UTF-8",
                      tci_utf8_head(k, SHOWN_BYTES), k);
  }
  dup = find_duplicate(m->meta_key, m->n_meta, &err);
  if (err) return tci_fail(diag, err, "meta: out of memory");
  if (dup)
    return tci_fail(diag, code, "meta: key \"%.*s\" appears twice", tci_utf8_head(dup, SHOWN_BYTES), dup);
  return TC_OK;
}

static int validate_labels(const tc_model *m, int code, tc_diag *diag) {
  size_t i;
  const char *dup;
  int err;
  char why[TC_LABEL_PROBLEM_SIZE];
  if (m->n_labels == 0 || !m->labels) return tci_fail(diag, code, "labels: the model has no labels");
  if (m->n_labels > INT32_MAX) return tci_fail(diag, code, "labels: %zu labels, more than 2^31-1", m->n_labels);
  for (i = 0; i < m->n_labels; i++) {
    const char *s = m->labels[i];
    if (tc_label_name_problem(s, s ? strlen(s) : 0, why))
      return tci_fail(diag, code, "labels: label %zu %s", i, why);
  }
  dup = find_duplicate(m->labels, m->n_labels, &err);
  if (err) return tci_fail(diag, err, "labels: out of memory");
  if (dup)
    return tci_fail(diag, code, "labels: label \"%.*s\" appears twice", tci_utf8_head(dup, SHOWN_BYTES), dup);
  if (m->kernel != TC_KERNEL_LINEAR && m->kernel != TC_KERNEL_RBF)
    return tci_fail(diag, code, "labels: unknown kernel %d", m->kernel);
  if (!tci_is_flag(m->multilabel))
    return tci_fail(diag, code, "labels: multilabel flag is %d, not 0 or 1", m->multilabel);
  if (!(m->threshold >= 0.0 && m->threshold <= 1.0))
    return tci_fail(diag, code, "labels: threshold %g is not in [0, 1]", m->threshold);
  if (m->fallback < FALLBACK_NONE || (m->fallback >= 0 && (size_t)m->fallback >= m->n_labels))
    return tci_fail(diag, code, "labels: fallback label %d is out of range (%zu labels)",
                    m->fallback, m->n_labels);
  if (m->short_features > INT32_MAX)
    return tci_fail(diag, code, "labels: short_features %lu is more than 2^31-1",
                    (unsigned long)m->short_features);
  /* the rule's square root is about a linear sum over an L2-normalised
   * vector; an RBF decision value does not grow with the features that way */
  if (m->short_features && m->kernel != TC_KERNEL_LINEAR)
    return tci_fail(diag, code, "labels: short_features %lu is set on a kernel model (the rule is "
                    "linear only)", (unsigned long)m->short_features);
  if (!(m->short_moderation >= 0 && m->short_moderation <= 1e6))
    return tci_fail(diag, code, "labels: short_moderation %g is not in [0, 1e6]", m->short_moderation);
  if (m->short_moderation != 0 && !m->short_features)
    return tci_fail(diag, code, "labels: short_moderation %g is set without short_features",
                    m->short_moderation);
  return TC_OK;
}

static int validate_doubles(const double *d, size_t n, int code, tc_diag *diag,
                            const char *section, const char *what) {
  size_t i;
  for (i = 0; i < n; i++)
    if (!isfinite(d[i])) return tci_fail(diag, code, "%s: %s %zu is not finite", section, what, i);
  return TC_OK;
}

/* The weights are millions of floats, so first one branch-free pass that
 * only says whether all are finite, two floats per 64-bit step: a float is
 * NaN or infinite when its exponent bits are all ones, and then adding 1
 * to them carries into its sign bit (which was masked off, so nothing
 * carries into the other float). The search for which one is not finite
 * runs only when one is not. */
static int validate_floats(const float *d, size_t n, int code, tc_diag *diag,
                           const char *section, const char *what) {
  const uint64_t exponents = 0x7f8000007f800000u, one = 0x0080000000800000u;
  uint64_t carries = 0;
  size_t i;
  for (i = 0; i + 2 <= n; i += 2) {
    uint64_t w;
    memcpy(&w, d + i, sizeof w);
    carries |= (w & exponents) + one;
  }
  if (!(carries & 0x8000000080000000u) && (i == n || isfinite(d[i]))) return TC_OK;
  for (i = 0; i < n; i++)
    if (!isfinite(d[i])) return tci_fail(diag, code, "%s: %s %zu is not finite", section, what, i);
  return TC_OK;
}

static int validate_linear(const tc_model *m, size_t nf, int code, tc_diag *diag) {
  int rc;
  if (!m->weights || !m->bias) return tci_fail(diag, code, "linear: weights or biases missing");
  if (nf > SIZE_MAX / sizeof *m->weights / m->n_labels)
    return tci_fail(diag, code, "linear: %zu x %zu weights do not fit in memory", nf, m->n_labels);
  rc = validate_floats(m->weights, nf * m->n_labels, code, diag, "linear", "weight");
  if (rc == TC_OK) rc = validate_doubles(m->bias, m->n_labels, code, diag, "linear", "bias");
  return rc;
}

/* The pool's structure is tci_kernel_check's; what only a file can get
 * wrong (feature indices, non-finite numbers) is checked here. */
static int validate_kernel(const tc_model *m, size_t nf, int code, tc_diag *diag) {
  const tci_kernel *k = m->kern;
  size_t i, l, j;
  int rc;
  if (!k) return tci_fail(diag, code, "kernel: support vectors missing");
  if (k->n_sv > UINT32_MAX) return tci_fail(diag, code, "kernel: %zu support vectors, more than 2^32-1", k->n_sv);
  if ((rc = tci_kernel_check(k, m->n_labels, code, diag)) != TC_OK) return rc;
  for (i = 0; i < k->n_sv; i++) {
    const struct svm_node *x;
    int prev = 0;
    for (x = k->nodes + k->sv_start[i]; x->index != -1; x++) {
      if (x->index <= prev || (size_t)x->index > nf)
        return tci_fail(diag, code,
                        "kernel: support vector %zu: feature index %d is not ascending within [1, %zu]",
                        i, x->index, nf);
      if (!isfinite(x->value))
        return tci_fail(diag, code, "kernel: support vector %zu: value of feature %d is not finite", i, x->index);
      prev = x->index;
    }
  }
  for (l = 0; l < m->n_labels; l++) {
    for (j = 0; j < k->n_label_sv[l]; j++)
      if (!isfinite(k->coef[l][j]))
        return tci_fail(diag, code, "kernel: label %zu: coefficient %zu is not finite", l, j);
    if (!isfinite(k->rho[l])) return tci_fail(diag, code, "kernel: label %zu: rho is not finite", l);
  }
  return TC_OK;
}

/* Every rule a model must satisfy to be written or accepted. `code` is
 * TC_EINVAL when checking a model before writing, TC_EFORMAT when reading. */
static int validate(const tc_model *m, int code, tc_diag *diag) {
  size_t nf;
  int rc;
  if ((rc = validate_meta(m, code, diag)) != TC_OK) return rc;
  if ((rc = validate_labels(m, code, diag)) != TC_OK) return rc;
  if (!m->ex) return tci_fail(diag, code, "extractor: missing");
  nf = tc_extractor_n_features(m->ex);
  if (nf == 0) return tci_fail(diag, code, "extractor: not fitted (no vocabulary)");
  if (nf > (size_t)INT_MAX) return tci_fail(diag, code, "extractor: %zu features, more than 2^31-1", nf);
  rc = m->kernel == TC_KERNEL_LINEAR ? validate_linear(m, nf, code, diag)
                                     : validate_kernel(m, nf, code, diag);
  if (rc != TC_OK) return rc;
  if (!m->platt_a || !m->platt_b) return tci_fail(diag, code, "calibration: missing");
  if ((rc = validate_doubles(m->platt_a, m->n_labels, code, diag, "calibration", "A of label")) != TC_OK)
    return rc;
  return validate_doubles(m->platt_b, m->n_labels, code, diag, "calibration", "B of label");
}

/* ======================================================== writing */

/* Writes the tag and a placeholder length; returns where the length goes. */
static size_t begin_section(tci_writer *w, uint32_t tag) {
  size_t at;
  tci_put_u32(w, tag);
  at = w->len;
  tci_put_u64(w, 0);
  return at;
}

static void end_section(tci_writer *w, size_t at) {
  tci_patch_u64(w, at, (uint64_t)(w->len - at - 8));
}

/* n numbers of `width` bytes (4 or 8) between native and little-endian
 * order, src to dst: a copy on little-endian hosts, each number's bytes
 * reversed on big-endian ones (the same step both ways). */
static void le_copy(unsigned char *dst, const unsigned char *src, size_t n, size_t width) {
  size_t i, k;
  if (host_is_little_endian()) {
    memcpy(dst, src, n * width);
    return;
  }
  for (i = 0; i < n; i++)
    for (k = 0; k < width; k++) dst[i * width + k] = src[i * width + width - 1 - k];
}

/* n native numbers of `width` bytes (doubles, or the f32 weights) as the
 * file stores them: one write of the whole array on little-endian hosts. */
static void put_numbers(tci_writer *w, const void *src, size_t n, size_t width) {
  const unsigned char *s = src;
  unsigned char b[8];
  size_t i;
  if (host_is_little_endian() && n <= SIZE_MAX / width) {
    tci_put_bytes(w, s, n * width);
    return;
  }
  for (i = 0; i < n; i++) {
    le_copy(b, s + i * width, 1, width);
    tci_put_bytes(w, b, width);
  }
}

static void put_cstr(tci_writer *w, const char *s) { tci_put_str(w, s, strlen(s)); }

static void write_meta(tci_writer *w, const tc_model *m) {
  size_t i;
  tci_put_u32(w, (uint32_t)m->n_meta);
  for (i = 0; i < m->n_meta; i++) {
    put_cstr(w, m->meta_key[i]);
    put_cstr(w, m->meta_val[i]);
  }
}

static void write_labels(tci_writer *w, const tc_model *m) {
  size_t i;
  tci_put_u32(w, (uint32_t)m->n_labels);
  tci_put_u32(w, (uint32_t)m->kernel);
  tci_put_u32(w, (uint32_t)m->multilabel);
  tci_put_f64(w, m->threshold);
  tci_put_u32(w, (uint32_t)(int32_t)m->fallback);
  if (tc_model_file_version(m) >= SHORT_FEATURES_VERSION) tci_put_u32(w, m->short_features);
  if (tc_model_file_version(m) >= SHORT_MODERATION_VERSION) tci_put_f64(w, m->short_moderation);
  for (i = 0; i < m->n_labels; i++) put_cstr(w, m->labels[i]);
}

static void write_linear(tci_writer *w, const tc_model *m) {
  size_t nf = tc_extractor_n_features(m->ex);
  tci_put_u64(w, nf);
  tci_put_u32(w, (uint32_t)m->n_labels);
  put_numbers(w, m->weights, nf * m->n_labels, sizeof(float));
  put_numbers(w, m->bias, m->n_labels, sizeof(double));
}

static void write_kernel(tci_writer *w, const tc_model *m) {
  const tci_kernel *k = m->kern;
  size_t i, l, n_nodes = 0;
  const struct svm_node *x;
  for (i = 0; i < k->n_sv; i++) {
    for (x = k->nodes + k->sv_start[i]; x->index != -1; x++) n_nodes++;
    n_nodes++;
  }
  tci_put_f64(w, k->gamma);
  tci_put_u32(w, (uint32_t)m->n_labels);
  tci_put_u64(w, k->n_sv);
  tci_put_u64(w, n_nodes);
  for (i = 0; i < k->n_sv; i++) {
    const struct svm_node *start = k->nodes + k->sv_start[i];
    for (x = start; x->index != -1; x++) {}
    tci_put_u32(w, (uint32_t)(x - start));
    for (x = start; x->index != -1; x++) {
      tci_put_u32(w, (uint32_t)x->index);
      tci_put_f64(w, x->value);
    }
  }
  for (l = 0; l < m->n_labels; l++) {
    size_t n = k->n_label_sv[l], j;
    tci_put_u64(w, n);
    for (j = 0; j < n; j++) tci_put_u32(w, k->sv_idx[l][j]);
    put_numbers(w, k->coef[l], n, sizeof(double));
    tci_put_f64(w, k->rho[l]);
  }
}

static void write_calibration(tci_writer *w, const tc_model *m) {
  size_t i;
  tci_put_u32(w, (uint32_t)m->n_labels);
  for (i = 0; i < m->n_labels; i++) {
    tci_put_f64(w, m->platt_a[i]);
    tci_put_f64(w, m->platt_b[i]);
  }
}

int tci_model_encode(const tc_model *m, unsigned char **out, size_t *len, tc_diag *diag) {
  tci_writer w = {0};
  unsigned char *xb = NULL;
  size_t xn = 0, at;
  int rc;
  if (out) *out = NULL;
  if (len) *len = 0;
  if (!out || !len) return tci_fail(diag, TC_EINVAL, "model: no output given");
  if (!m) return tci_fail(diag, TC_EINVAL, "model: no model given");
  if ((rc = validate(m, TC_EINVAL, diag)) != TC_OK) return rc;
  rc = tc_extractor_to_bytes(m->ex, &xb, &xn);
  if (rc != TC_OK) return tci_fail(diag, rc, "extractor: cannot serialise: %s", tc_strerror(rc));

  tci_put_bytes(&w, MAGIC, sizeof MAGIC);
  tci_put_u32(&w, tc_model_file_version(m));
  tci_put_u32(&w, 0);   /* flags */
  tci_put_u64(&w, 0);   /* total length, patched below */
  tci_put_u32(&w, 0);   /* CRC-32, patched below */
  tci_put_u32(&w, 0);   /* reserved */

  at = begin_section(&w, TAG_META);
  write_meta(&w, m);
  end_section(&w, at);

  at = begin_section(&w, TAG_LABL);
  write_labels(&w, m);
  end_section(&w, at);

  at = begin_section(&w, TAG_EXTR);
  tci_put_bytes(&w, xb, xn);
  end_section(&w, at);
  free(xb);

  if (m->kernel == TC_KERNEL_LINEAR) {
    at = begin_section(&w, TAG_LINR);
    write_linear(&w, m);
  } else {
    at = begin_section(&w, TAG_KERN);
    write_kernel(&w, m);
  }
  end_section(&w, at);

  at = begin_section(&w, TAG_CALB);
  write_calibration(&w, m);
  end_section(&w, at);

  if (w.err) {
    free(w.p);
    return tci_fail(diag, w.err, "model: cannot serialise: %s", tc_strerror(w.err));
  }
  tci_patch_u64(&w, 16, (uint64_t)w.len);
  tci_patch_u32(&w, 24, tci_crc32(0, w.p + HEADER_BYTES, w.len - HEADER_BYTES));
  *out = w.p;
  *len = w.len;
  return TC_OK;
}

int tc_model_to_bytes(const tc_model *m, unsigned char **out, size_t *len) {
  return tci_model_encode(m, out, len, NULL);
}

/* ======================================================== reading */

static const char *tag_name(uint32_t tag, char buf[16]) {
  int i, printable = 1;
  for (i = 0; i < 4; i++) {
    unsigned c = (tag >> (8 * i)) & 0xff;
    if (c < 'A' || c > 'Z') printable = 0;
    buf[i] = (char)c;
  }
  buf[4] = 0;
  if (!printable) {
    static const char hex[] = "0123456789abcdef";
    buf[0] = '0';
    buf[1] = 'x';
    for (i = 0; i < 8; i++) buf[2 + i] = hex[(tag >> (28 - 4 * i)) & 0xf];
    buf[10] = 0;
  }
  return buf;
}

/* Opens the next section, which must carry `tag`, as a reader over exactly
 * its payload. */
static int open_section(tci_reader *file, uint32_t tag, const char *name,
                        tci_reader *sec, tc_diag *diag) {
  char want[16], got[16];
  size_t start = file->pos;
  uint32_t t;
  uint64_t n;
  const unsigned char *p;
  if (tci_left(file) < SECTION_HEAD)
    return tci_fail(diag, TC_EFORMAT, "%s: section %s missing at offset %zu (file ends)",
                    name, tag_name(tag, want), start);
  t = tci_get_u32(file);
  n = tci_get_u64(file);
  if (t != tag)
    return tci_fail(diag, TC_EFORMAT, "%s: expected section %s at offset %zu, found %s",
                    name, tag_name(tag, want), start, tag_name(t, got));
  if (n > tci_left(file))
    return tci_fail(diag, TC_EFORMAT, "%s: section length %llu exceeds the %zu bytes left",
                    name, (unsigned long long)n, tci_left(file));
  p = tci_get_bytes(file, (size_t)n);
  tci_reader_init(sec, p, (size_t)n);
  return TC_OK;
}

/* A section must be consumed exactly: no read past its end, nothing left. */
static int close_section(const tci_reader *sec, const char *name, tc_diag *diag) {
  if (sec->bad) return tci_fail(diag, TC_EFORMAT, "%s: section truncated (%zu bytes)", name, sec->len);
  if (tci_left(sec))
    return tci_fail(diag, TC_EFORMAT, "%s: %zu unused bytes at the end of the section", name, tci_left(sec));
  return TC_OK;
}

/* A u32-length-prefixed string copied to a NUL-terminated one. */
static int read_cstr(tci_reader *r, char **out, const char *section, const char *what,
                     size_t i, tc_diag *diag) {
  size_t n;
  const char *s = tci_get_str(r, &n);
  *out = NULL;
  if (!s) return tci_fail(diag, TC_EFORMAT, "%s: %s %zu runs past the end of the section", section, what, i);
  if (memchr(s, 0, n)) return tci_fail(diag, TC_EFORMAT, "%s: %s %zu contains a NUL byte", section, what, i);
  *out = malloc(n + 1);
  if (!*out) return TC_ENOMEM;
  memcpy(*out, s, n);
  (*out)[n] = 0;
  return TC_OK;
}

/* n numbers of `width` bytes from the section, in native order in new
 * memory (huge pages when `big`: the weights of a big model), or NULL
 * (truncated, or out of memory). The caller has checked n * width
 * against the bytes present. */
static void *read_numbers(tci_reader *r, size_t n, size_t width, int big) {
  const unsigned char *p = tci_get_bytes(r, n * width);
  unsigned char *d;
  if (!p) return NULL;
  d = big ? tci_big_alloc(n * width) : malloc(n ? n * width : 1);
  if (d) le_copy(d, p, n, width);
  return d;
}

static int read_meta(tci_reader *s, tc_model *m, tc_diag *diag) {
  uint32_t n = tci_get_u32(s), i;
  int rc;
  if (!tci_can_hold(s, n, 8))
    return tci_fail(diag, TC_EFORMAT, "meta: %lu entries cannot fit in %zu bytes", (unsigned long)n, tci_left(s));
  m->meta_key = calloc(n ? n : 1, sizeof *m->meta_key);
  m->meta_val = calloc(n ? n : 1, sizeof *m->meta_val);
  if (!m->meta_key || !m->meta_val) return TC_ENOMEM;
  for (i = 0; i < n; i++) {
    char *k, *v;
    if ((rc = read_cstr(s, &k, "meta", "key", i, diag)) != TC_OK) return rc;
    if ((rc = read_cstr(s, &v, "meta", "value", i, diag)) != TC_OK) { free(k); return rc; }
    m->meta_key[i] = k;
    m->meta_val[i] = v;
    m->n_meta = (size_t)i + 1;
  }
  return close_section(s, "meta", diag);
}

/* Kernel and multilabel are u32 on disk; values beyond 1 become -1 so
 * validate() reports them without a narrowing conversion. */
static int small_enum(uint32_t v) { return v > 1 ? -1 : (int)v; }

/* The fallback is an i32 on disk (two's complement, -1 for none), read
 * without C's implementation-defined conversion of a u32 past INT32_MAX. */
static int32_t i32_of_u32(uint32_t v) { return v <= INT32_MAX ? (int32_t)v : -(int32_t)~v - 1; }

/* A version 4 file holds short_features, and only a model with the rule
 * is written as 4: a 0 there would not re-encode to the same bytes. So
 * for version 5's short_moderation. */
static int read_labels(tci_reader *s, tc_model *m, uint32_t version, tc_diag *diag) {
  uint32_t n = tci_get_u32(s), i;
  int rc;
  m->kernel = small_enum(tci_get_u32(s));
  m->multilabel = small_enum(tci_get_u32(s));
  m->threshold = tci_get_f64(s);
  m->fallback = i32_of_u32(tci_get_u32(s));
  if (version >= SHORT_FEATURES_VERSION) m->short_features = tci_get_u32(s);
  if (version >= SHORT_MODERATION_VERSION) m->short_moderation = tci_get_f64(s);
  if (s->bad) return tci_fail(diag, TC_EFORMAT, "labels: section truncated (%zu bytes)", s->len);
  if (version >= SHORT_FEATURES_VERSION && m->short_features == 0)
    return tci_fail(diag, TC_EFORMAT, "labels: short_features is 0 in a version %lu file (a model "
                    "without the rule is version %u)", (unsigned long)version, OLDEST_VERSION);
  if (version >= SHORT_MODERATION_VERSION && m->short_moderation == 0)
    return tci_fail(diag, TC_EFORMAT, "labels: short_moderation is 0 in a version %lu file (a model "
                    "without the moderation is version %u)", (unsigned long)version,
                    SHORT_FEATURES_VERSION);
  if (n == 0) return tci_fail(diag, TC_EFORMAT, "labels: the model has no labels");
  if (!tci_can_hold(s, n, 4))
    return tci_fail(diag, TC_EFORMAT, "labels: %lu labels cannot fit in %zu bytes", (unsigned long)n, tci_left(s));
  m->labels = calloc(n, sizeof *m->labels);
  if (!m->labels) return TC_ENOMEM;
  m->n_labels = n;
  for (i = 0; i < n; i++)
    if ((rc = read_cstr(s, &m->labels[i], "labels", "label", i, diag)) != TC_OK) return rc;
  return close_section(s, "labels", diag);
}

/* The extractor validates its own bytes; its message gets an "extractor: "
 * prefix when it lacks one. Another extractor format or text rules
 * version stays TC_EVERSION: this library cannot use that model. */
static int read_extractor(tci_reader *s, tc_model *m, tc_diag *diag) {
  tc_diag d;
  size_t n = tci_left(s);
  const unsigned char *p = tci_get_bytes(s, n);
  int rc;
  memset(&d, 0, sizeof d);
  rc = tc_extractor_from_bytes(p ? p : (const unsigned char *)"", n, &m->ex, &d);
  if (rc != TC_OK) {
    m->ex = NULL;
    if (rc != TC_ENOMEM && rc != TC_EVERSION) rc = TC_EFORMAT;
    if (strncmp(d.message, "extractor:", 10) == 0) return tci_fail(diag, rc, "%s", d.message);
    return tci_fail(diag, rc, "extractor: %s", d.message[0] ? d.message : tc_strerror(rc));
  }
  return TC_OK;
}

static int read_linear(tci_reader *s, tc_model *m, tc_diag *diag) {
  uint64_t nf = tci_get_u64(s), count;
  uint32_t nl = tci_get_u32(s);
  size_t have = tci_left(s);
  size_t ex_nf = tc_extractor_n_features(m->ex);
  if (s->bad) return tci_fail(diag, TC_EFORMAT, "linear: section truncated (%zu bytes)", s->len);
  if (nf != ex_nf)
    return tci_fail(diag, TC_EFORMAT, "linear: %llu features, but the extractor has %zu",
                    (unsigned long long)nf, ex_nf);
  if (nl != m->n_labels)
    return tci_fail(diag, TC_EFORMAT, "linear: %lu labels, but the model has %zu", (unsigned long)nl, m->n_labels);
  /* nf <= INT_MAX was checked with the extractor, nl < 2^32: no overflow. */
  count = nf * nl;
  if (count > have / sizeof(float) || have - count * sizeof(float) != (uint64_t)nl * sizeof(double))
    return tci_fail(diag, TC_EFORMAT, "linear: expected %llu bytes of weights and %llu of biases, found %zu",
                    (unsigned long long)(count <= UINT64_MAX / 4 ? count * 4 : UINT64_MAX),
                    (unsigned long long)nl * 8, have);
  m->weights = read_numbers(s, (size_t)count, sizeof(float), 1);
  m->bias = read_numbers(s, nl, sizeof(double), 0);
  if (!m->weights || !m->bias) return TC_ENOMEM;
  return close_section(s, "linear", diag);
}

/* The pool is rebuilt compactly: vector i's nodes, then its terminator,
 * in order, so sv_start ascends and n_nodes counts terminators too. */
static int read_pool(tci_reader *s, tci_kernel *k, size_t nf, tc_diag *diag) {
  uint64_t n_sv = tci_get_u64(s), n_nodes = tci_get_u64(s), used = 0, i;
  if (s->bad) return tci_fail(diag, TC_EFORMAT, "kernel: section truncated (%zu bytes)", s->len);
  if (!tci_can_hold(s, n_sv, 4) || n_sv > UINT32_MAX)
    return tci_fail(diag, TC_EFORMAT, "kernel: %llu support vectors cannot fit in %zu bytes",
                    (unsigned long long)n_sv, tci_left(s));
  if (n_nodes < n_sv || !tci_can_hold(s, n_nodes - n_sv, 12))
    return tci_fail(diag, TC_EFORMAT, "kernel: %llu nodes for %llu support vectors cannot fit in %zu bytes",
                    (unsigned long long)n_nodes, (unsigned long long)n_sv, tci_left(s));
  if (n_nodes > SIZE_MAX / sizeof *k->nodes) return TC_ENOMEM; /* only where size_t is 32 bits */
  k->sv_start = malloc((n_sv ? n_sv : 1) * sizeof *k->sv_start);
  k->nodes = malloc((n_nodes ? n_nodes : 1) * sizeof *k->nodes);
  if (!k->sv_start || !k->nodes) return TC_ENOMEM;
  k->n_sv = (size_t)n_sv;
  k->n_nodes = (size_t)n_nodes;
  for (i = 0; i < n_sv; i++) {
    uint32_t c = tci_get_u32(s), j;
    if (s->bad || used >= n_nodes || c > n_nodes - used - 1 || !tci_can_hold(s, c, 12))
      return tci_fail(diag, TC_EFORMAT, "kernel: support vector %llu: %lu nodes do not fit",
                      (unsigned long long)i, (unsigned long)c);
    k->sv_start[i] = (size_t)used;
    for (j = 0; j < c; j++) {
      uint32_t idx = tci_get_u32(s);
      k->nodes[used].index = idx > nf ? INT_MAX : (int)idx;  /* validate() reports it */
      k->nodes[used].value = tci_get_f64(s);
      used++;
    }
    k->nodes[used].index = -1;
    k->nodes[used].value = 0;
    used++;
  }
  if (used != n_nodes)
    return tci_fail(diag, TC_EFORMAT, "kernel: %llu nodes declared, %llu found",
                    (unsigned long long)n_nodes, (unsigned long long)used);
  return TC_OK;
}

static int read_label_svs(tci_reader *s, tci_kernel *k, size_t l, tc_diag *diag) {
  uint64_t n = tci_get_u64(s), j;
  if (s->bad || !tci_can_hold(s, n, 12) || n > INT_MAX)
    return tci_fail(diag, TC_EFORMAT, "kernel: label %zu: %llu support vectors cannot fit in %zu bytes",
                    l, (unsigned long long)n, tci_left(s));
  k->sv_idx[l] = malloc((n ? n : 1) * sizeof **k->sv_idx);
  if (!k->sv_idx[l]) return TC_ENOMEM;
  k->n_label_sv[l] = (size_t)n;
  for (j = 0; j < n; j++) k->sv_idx[l][j] = tci_get_u32(s);
  k->coef[l] = read_numbers(s, (size_t)n, sizeof(double), 0);
  if (!k->coef[l]) return s->bad ? tci_fail(diag, TC_EFORMAT, "kernel: label %zu truncated", l) : TC_ENOMEM;
  k->rho[l] = tci_get_f64(s);
  if (s->bad) return tci_fail(diag, TC_EFORMAT, "kernel: label %zu truncated", l);
  return TC_OK;
}

static int read_kernel(tci_reader *s, tc_model *m, tc_diag *diag) {
  tci_kernel *k;
  uint32_t nl;
  size_t l;
  int rc;
  k = m->kern = calloc(1, sizeof *k);
  if (!k) return TC_ENOMEM;
  k->gamma = tci_get_f64(s);
  nl = tci_get_u32(s);
  if (s->bad) return tci_fail(diag, TC_EFORMAT, "kernel: section truncated (%zu bytes)", s->len);
  if (nl != m->n_labels)
    return tci_fail(diag, TC_EFORMAT, "kernel: %lu labels, but the model has %zu", (unsigned long)nl, m->n_labels);
  k->n_label_sv = calloc(nl, sizeof *k->n_label_sv);
  k->sv_idx = calloc(nl, sizeof *k->sv_idx);
  k->coef = calloc(nl, sizeof *k->coef);
  k->rho = calloc(nl, sizeof *k->rho);
  if (!k->n_label_sv || !k->sv_idx || !k->coef || !k->rho) return TC_ENOMEM;
  if ((rc = read_pool(s, k, tc_extractor_n_features(m->ex), diag)) != TC_OK) return rc;
  for (l = 0; l < nl; l++)
    if ((rc = read_label_svs(s, k, l, diag)) != TC_OK) return rc;
  return close_section(s, "kernel", diag);
}

static int read_calibration(tci_reader *s, tc_model *m, tc_diag *diag) {
  uint32_t nl = tci_get_u32(s), i;
  if (s->bad) return tci_fail(diag, TC_EFORMAT, "calibration: section truncated (%zu bytes)", s->len);
  if (nl != m->n_labels)
    return tci_fail(diag, TC_EFORMAT, "calibration: %lu labels, but the model has %zu",
                    (unsigned long)nl, m->n_labels);
  if (tci_left(s) != (size_t)nl * 16)
    return tci_fail(diag, TC_EFORMAT, "calibration: expected %zu bytes of coefficients, found %zu",
                    (size_t)nl * 16, tci_left(s));
  m->platt_a = malloc(nl * sizeof *m->platt_a);
  m->platt_b = malloc(nl * sizeof *m->platt_b);
  if (!m->platt_a || !m->platt_b) return TC_ENOMEM;
  for (i = 0; i < nl; i++) {
    m->platt_a[i] = tci_get_f64(s);
    m->platt_b[i] = tci_get_f64(s);
  }
  return close_section(s, "calibration", diag);
}

static int readable_version(uint32_t version) {
  return version >= OLDEST_VERSION && version <= MODEL_VERSION;
}

int tci_model_head_ok(const unsigned char *p, size_t n) {
  tci_reader r;
  if (n < sizeof MAGIC) return 1;
  if (memcmp(p, MAGIC, sizeof MAGIC) != 0) return 0;
  if (n < sizeof MAGIC + 4) return 1;
  tci_reader_init(&r, p, n);
  tci_get_bytes(&r, sizeof MAGIC);
  return readable_version(tci_get_u32(&r));
}

uint64_t tci_model_declared_length(const unsigned char *p, size_t n) {
  tci_reader r;
  uint64_t total;
  if (n < HEADER_BYTES || memcmp(p, MAGIC, sizeof MAGIC) != 0) return 0;
  tci_reader_init(&r, p, n);
  tci_get_bytes(&r, sizeof MAGIC);
  if (!readable_version(tci_get_u32(&r))) return 0;
  tci_get_u32(&r); /* flags */
  total = tci_get_u64(&r);
  return total;
}

/* Magic and version first (the only fields every version keeps), so a
 * newer file is refused as TC_EVERSION whatever its layout; then the
 * length, so any truncation is TC_EFORMAT; then the checksum. The
 * version goes to *version. */
static int read_header(const unsigned char *p, size_t len, uint32_t *version_out, tc_diag *diag) {
  tci_reader r;
  uint32_t version, flags, crc, reserved;
  uint64_t total;
  if (len < 12 || memcmp(p, MAGIC, sizeof MAGIC) != 0) {
    if (len >= sizeof MAGIC && memcmp(p, MAGIC, sizeof MAGIC) != 0)
      return tci_fail(diag, TC_EFORMAT, "header: not a textclass model (bad magic)");
    return tci_fail(diag, TC_EFORMAT, "header: too short for a textclass model (%zu byte%s)", len, len == 1 ? "" : "s");
  }
  tci_reader_init(&r, p, len);
  tci_get_bytes(&r, sizeof MAGIC);
  version = tci_get_u32(&r);
  if (version >= 1 && version < OLDEST_VERSION)
    return tci_fail(diag, TC_EVERSION, "header: format version %lu is older than the oldest this library "
                    "reads, %u: retrain", (unsigned long)version, OLDEST_VERSION);
  if (!readable_version(version))
    return tci_fail(diag, TC_EVERSION, "header: format version %lu is not supported (this library reads "
                    "%u to %u)", (unsigned long)version, OLDEST_VERSION, MODEL_VERSION);
  *version_out = version;
  if (len < HEADER_BYTES)
    return tci_fail(diag, TC_EFORMAT, "header: truncated (%zu of %u bytes)", len, HEADER_BYTES);
  flags = tci_get_u32(&r);
  total = tci_get_u64(&r);
  crc = tci_get_u32(&r);
  reserved = tci_get_u32(&r);
  if (flags != 0) return tci_fail(diag, TC_EFORMAT, "header: unknown flags 0x%lx", (unsigned long)flags);
  if (reserved != 0) return tci_fail(diag, TC_EFORMAT, "header: reserved field is not zero");
  if (total != len)
    return tci_fail(diag, TC_EFORMAT, "header: the model is %llu bytes, but %zu are present (%s)",
                    (unsigned long long)total, len, total > len ? "truncated" : "trailing bytes");
  if (tci_crc32(0, p + HEADER_BYTES, len - HEADER_BYTES) != crc)
    return tci_fail(diag, TC_ECHECKSUM, "header: checksum mismatch (the file is corrupted)");
  return TC_OK;
}

static int decode(const unsigned char *p, size_t len, tc_model *m, tc_diag *diag) {
  tci_reader file, s;
  uint32_t version = 0;
  int rc;
  if ((rc = read_header(p, len, &version, diag)) != TC_OK) return rc;
  tci_reader_init(&file, p, len);
  tci_get_bytes(&file, HEADER_BYTES);
  if ((rc = open_section(&file, TAG_META, "meta", &s, diag)) != TC_OK) return rc;
  if ((rc = read_meta(&s, m, diag)) != TC_OK) return rc;
  if ((rc = open_section(&file, TAG_LABL, "labels", &s, diag)) != TC_OK) return rc;
  if ((rc = read_labels(&s, m, version, diag)) != TC_OK) return rc;
  if ((rc = open_section(&file, TAG_EXTR, "extractor", &s, diag)) != TC_OK) return rc;
  if ((rc = read_extractor(&s, m, diag)) != TC_OK) return rc;
  /* checked here as well as in validate(): the sections below need them */
  if (tc_extractor_n_features(m->ex) == 0)
    return tci_fail(diag, TC_EFORMAT, "extractor: not fitted (no vocabulary)");
  if (tc_extractor_n_features(m->ex) > (size_t)INT_MAX)
    return tci_fail(diag, TC_EFORMAT, "extractor: %zu features, more than 2^31-1",
                    tc_extractor_n_features(m->ex));
  if (m->kernel == TC_KERNEL_LINEAR) {
    if ((rc = open_section(&file, TAG_LINR, "linear", &s, diag)) != TC_OK) return rc;
    if ((rc = read_linear(&s, m, diag)) != TC_OK) return rc;
  } else if (m->kernel == TC_KERNEL_RBF) {
    if ((rc = open_section(&file, TAG_KERN, "kernel", &s, diag)) != TC_OK) return rc;
    if ((rc = read_kernel(&s, m, diag)) != TC_OK) return rc;
  } else {
    return tci_fail(diag, TC_EFORMAT, "labels: unknown kernel type");
  }
  if ((rc = open_section(&file, TAG_CALB, "calibration", &s, diag)) != TC_OK) return rc;
  if ((rc = read_calibration(&s, m, diag)) != TC_OK) return rc;
  if (tci_left(&file))
    return tci_fail(diag, TC_EFORMAT, "file: %zu trailing bytes after the last section", tci_left(&file));
  return validate(m, TC_EFORMAT, diag);
}

int tc_model_from_bytes(const unsigned char *p, size_t len, tc_model **out, tc_diag *diag) {
  tc_model *m;
  int rc;
  if (diag) memset(diag, 0, sizeof *diag);
  if (!out) return tci_fail(diag, TC_EINVAL, "model: no output given");
  *out = NULL;
  if (!p && len) return tci_fail(diag, TC_EINVAL, "model: no bytes given");
  if (!p) p = (const unsigned char *)"";
  if ((rc = tci_model_alloc(&m)) != TC_OK) return tci_fail(diag, rc, "model: %s", tc_strerror(rc));
  rc = decode(p, len, m, diag);
  if (rc != TC_OK) {
    if (rc == TC_ENOMEM && diag && diag->code != TC_ENOMEM) tci_fail(diag, rc, "model: out of memory");
    tc_model_free(m);
    return rc;
  }
  *out = m;
  return TC_OK;
}
