/*
 * decode.c - text in a named encoding to UTF-8, block by block, through
 * the C library's iconv (tc_decoder_*).
 *
 * Newsrooms get Excel's "CSV (Comma delimited)" in Windows-1252 and old
 * archives in Latin-1, Shift_JIS or GB18030; the command line's
 * --encoding reads them through one of these as it reads a UTF-16 file
 * (lua/ldecoder.c holds both kinds of decoder), so a multi-GB file streams.
 *
 * Caveats (design decisions):
 *  - Names: a WHATWG label means what it means in a page's declaration
 *    (tc_encoding_name, html.c's table): latin1 and iso-8859-1 are
 *    Windows-1252, whose printable characters are Latin-1's plus smart
 *    quotes, dashes and the euro sign where Latin-1 has control
 *    characters, so a "Latin-1" file written on Windows reads right;
 *    shift_jis is Windows-31J. Any other name goes to iconv as written.
 *  - Only encodings in which the byte 0x0A is a line feed and nothing else
 *    (every ASCII-based one: the single-byte ones, Shift_JIS, GB18030,
 *    Big5, EUC, ISO-2022): a pipe is read a line at a time and a line cut
 *    before it is converted, so the line end must be seen in the raw bytes.
 *    A new converter is tried on "\n" and refused unless it gives "\n".
 *  - Stateful: the converter's shift state (ISO-2022-JP's escapes) runs on
 *    from one call to the next, so one decoder reads one stream. A
 *    sequence that ends a block unfinished is left unused for the caller
 *    to hand back with the next, as tc_utf16_to_utf8 leaves its half units.
 *  - Invalid input: a byte iconv cannot read (EILSEQ) becomes U+FFFD and
 *    the conversion goes on at the next byte (as `iconv -c` would drop
 *    it), stopping just after the U+FFFD so the caller can say where it
 *    was; at the end, an unfinished sequence is one U+FFFD. A sequence
 *    a line feed cuts short is invalid too, its first byte one U+FFFD:
 *    the line feed is never left unused (a line reader needs it now).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct tc_decoder {
  iconv_t cd;
};

int tci_iconv_reads_as_is(iconv_t cd, const char *p, size_t n) {
  char in[64], out[64];
  char *ip = in, *op = out;
  size_t il = n, ol = sizeof out, r;
  int ok;
  if (n > sizeof in) return 0;
  memcpy(in, p, n);
  r = iconv(cd, &ip, &il, &op, &ol);
  ok = r != (size_t)-1 && il == 0 && (size_t)(op - out) == n && memcmp(out, p, n) == 0;
  iconv(cd, NULL, NULL, NULL, NULL);
  return ok;
}

/* Does the name name a charset? glibc's iconv drops from a name what is
 * not a letter, digit or one of "_-.:/" and reads what is left empty
 * before its options ("//IGNORE") as the locale's charset (ASCII in the C
 * locale): so "", " ", "!!!", "é" and "//" were decoders, of nothing the
 * caller chose. A charset's name has a letter or digit before any '/'. */
static int names_a_charset(const char *encoding) {
  const char *c;
  for (c = encoding; *c && *c != '/'; c++)
    if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')) return 1;
  return 0;
}

static int unknown_encoding(tc_diag *diag, const char *encoding) {
  return tci_fail(diag, TC_EINVAL, "unknown encoding '%.64s' (iconv -l lists the names it knows)", encoding);
}

int tc_decoder_new(const char *encoding, tc_decoder **out, tc_diag *diag) {
  const char *name;
  tc_decoder *d;
  int err;
  if (!out) return tci_fail(diag, TC_EINVAL, "decoder: no output given");
  *out = NULL;
  if (!encoding) return tci_fail(diag, TC_EINVAL, "decoder: no encoding given");
  if (!names_a_charset(encoding)) return unknown_encoding(diag, encoding);
  name = tc_encoding_name(encoding);
  d = malloc(sizeof *d);
  if (!d) return tci_fail(diag, TC_ENOMEM, "decoder: out of memory");
  errno = 0;
  d->cd = iconv_open("UTF-8", name ? name : encoding);
  err = errno;
  if (d->cd == (iconv_t)-1) {
    free(d);
    if (err == ENOMEM) return tci_fail(diag, TC_ENOMEM, "decoder: out of memory");
    return unknown_encoding(diag, encoding);
  }
  if (!tci_iconv_reads_as_is(d->cd, "\n", 1)) { /* and so every line end as the byte */
    tc_decoder_free(d);
    return tci_fail(diag, TC_EINVAL,
                    "'%.64s' cannot be read: its line feed is not the byte 0x0A (UTF-16, UTF-32 "
                    "and EBCDIC are not read so)", encoding);
  }
  *out = d;
  return TC_OK;
}

void tc_decoder_free(tc_decoder *d) {
  if (!d) return;
  iconv_close(d->cd);
  free(d);
}

/* The most UTF-8 bytes glibc's converters write for one input byte
 * (TSCII's 0x82 is four 3-byte letters: 12). */
enum { MOST_PER_BYTE = 16 };

/* convert_lines' answer for a sequence a line feed cuts short (not an errno) */
enum { CUT_BY_LINE_FEED = -1 };

/* iconv on the n bytes at *ip (no line feed but the last) a slice at a
 * time, each no longer than the room left holds at MOST_PER_BYTE bytes a
 * byte, so iconv is never stopped part way for want of room while the
 * caller's room lasts (glibc's TSCII then gives other letters: see
 * tests/fuzz/fuzz_decoder.c). Once something is written in this call
 * (*op past out), too little room for one byte is E2BIG at once (the
 * caller comes again with more); before, a byte is tried. Returns the
 * bytes left unconverted, iconv's errno in *err (0: none left). */
static size_t convert_slices(iconv_t cd, const char *out, char **ip, size_t n, char **op, size_t *ol,
                             int *err) {
  size_t least = 1; /* more than a sequence the last slice cut short */
  *err = 0;
  while (n > 0) {
    size_t take = *ol / MOST_PER_BYTE, left;
    if (take == 0 && *op > out) {
      *err = E2BIG;
      break;
    }
    if (take < least) take = least;
    if (take > n) take = n;
    left = take;
    errno = 0;
    if (iconv(cd, ip, &left, op, ol) != (size_t)-1) {
      least = 1;
    } else if (errno == EINVAL && take < n) {
      least = left + 1;
    } else {
      *err = errno;
      return n - (take - left);
    }
    n -= take - left;
  }
  return n;
}

/* iconv on (*ip, *il) a line at a time: no call reads past a line feed,
 * so every conversion, in one block or many, sees a line end where it is
 * and a sequence a line feed cuts short is invalid, never unfinished (iconv
 * waits for more after GB18030's "\x81\x30" or ISO-2022-JP's ESC, but no
 * character holds the byte 0x0A). 0 when all is converted, else iconv's
 * errno, or CUT_BY_LINE_FEED for such a sequence. */
static int convert_lines(iconv_t cd, const char *out, char **ip, size_t *il, char **op, size_t *ol) {
  while (*il > 0) {
    const char *lf = memchr(*ip, '\n', *il);
    size_t line = lf ? (size_t)(lf - *ip) + 1 : *il, rest = *il - line;
    int err;
    *il = convert_slices(cd, out, ip, line, op, ol, &err) + rest;
    if (err) return err == EINVAL && lf ? CUT_BY_LINE_FEED : err;
  }
  return 0;
}

/* After EILSEQ at *ip: does iconv fail there again, asked with no room
 * for output (so the byte at *ip is the invalid one)? glibc's CP949 reads
 * 0xA2 0xE8 and only then fails, at the next byte, valid or none (plain
 * iconv on "a\xa2\xe8": EILSEQ, no byte left): stepping over that byte
 * would drop it, or step past the end. Input that writes nothing (an
 * escape) the question reads stays read. */
static int fails_here(iconv_t cd, char **ip, size_t *il) {
  char *at = *ip, none[1], *op = none;
  size_t ol = 0;
  if (*il == 0) return 0;
  errno = 0;
  return iconv(cd, ip, il, &op, &ol) == (size_t)-1 && errno == EILSEQ && *ip == at;
}

/* Back to the initial state, writing what the state still holds (TSCII's
 * last characters), all of it or nothing: when the room is short, glibc
 * restores the state yet leaves the bytes it wrote, which would come again
 * (and again, for ever, given the same room). */
static void flush(iconv_t cd, char **op, size_t *ol, tc_decoder_result *r) {
  char *start = *op;
  size_t room = *ol;
  if (iconv(cd, NULL, NULL, op, ol) != (size_t)-1) return;
  *op = start;
  *ol = room;
  r->full = 1;
}

int tc_decoder_convert(tc_decoder *d, const char *in, size_t len, unsigned flags, char *out,
                       size_t cap, tc_decoder_result *r) {
  char *ip = (char *)in, *op = out;
  size_t il = len, ol = cap;
  int last = (flags & TC_DECODER_LAST) != 0, err = 0;
  if (!r) return TC_EINVAL;
  memset(r, 0, sizeof *r);
  if (!d || (flags & ~(unsigned)TC_DECODER_LAST) != 0 || (!in && len > 0) || (!out && cap > 0))
    return TC_EINVAL;
  if (il > 0) err = convert_lines(d->cd, out, &ip, &il, &op, &ol);
  if (err == 0) {
    /* all read: at the end, back to the initial state (what a stateful
     * encoding owes is written) */
    if (last) flush(d->cd, &op, &ol, r);
  } else if (err == EINVAL && !last && il <= TC_DECODER_CARRY_MAX) {
    /* a sequence the block cuts short: left for the next block */
  } else if (err == E2BIG || ol < 3) {
    r->full = 1;
  } else { /* EILSEQ (or anything else: never stall), or cut short */
    char *bad = ip;
    if (err == EINVAL && last) ip += il;
    else if (err != EILSEQ || bad == in || fails_here(d->cd, &ip, &il)) ip++;
    else bad--; /* the sequence iconv read before failing: its last byte */
    memcpy(op, "\xEF\xBF\xBD", 3);
    op += 3;
    r->invalid = 1;
    r->invalid_at = (size_t)(bad - in);
  }
  r->used = (size_t)(ip - in);
  r->written = (size_t)(op - out);
  return TC_OK;
}
