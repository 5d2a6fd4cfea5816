/* fuzz_decoder.c - libFuzzer target for tc_decoder_convert.
 *
 *   make fuzz FUZZ_SECONDS=60
 *
 * Any bytes go in; the first byte picks an encoding (bits 0-3: one of the
 * sixteen in ENCODINGS: single-byte ones, TSCII, whose bytes make up to 4
 * characters, multibyte ones with GB18030's 4-byte sequences and
 * Big5-HKSCS's pairs of code points, and the stateful ISO-2022 ones; not
 * UTF-8, which --encoding reads without a decoder and whose glibc
 * converter passes 4-byte values past U+10FFFF through), a block size
 * (bits 4-5: 1, 2, 3 or 7 bytes) and a first output room (bits 6-7: 1, 2,
 * 4 or 6 bytes), and the rest is the input. Beyond what the sanitizers
 * catch, it checks the decoder's promises and aborts when one breaks:
 *  - one call per invalid stop converts all of it, within 16 bytes a byte,
 *    into valid UTF-8 (none of these maps a value past U+10FFFF), every
 *    `used` and `written` within what the call was given;
 *  - blocks of the chosen size, each's unused tail (at most
 *    TC_DECODER_CARRY_MAX bytes, none after the last, never a line feed:
 *    a line reader needs it at once) put before the next, give the same
 *    bytes and the same invalid offsets in the input;
 *  - a small output filled call after call gives the same bytes; a call
 *    that does nothing for want of room is repeated with twice the room
 *    (as a caller would), which must make it go on by 64 bytes, and the
 *    output stays within the whole conversion's bound: progress always.
 * TSCII is not held to the small-output check's bytes: glibc's converter
 * itself gives other characters when stopped part-way for want of room
 * (plain iconv, TSCII to UTF-8, 0x80 0x82 into 6 bytes a call: U+0BCD
 * where all at once gives U+0BB0).
 * Nor is CP949 input (euc-kr's) holding 0xA2 0xE8 held to the same
 * invalid stops: glibc's CP949 reads that pair whole and fails only at
 * the next byte (plain iconv on "a\xa2\xe8z": EILSEQ at the z), so when
 * that byte is invalid too, one U+FFFD stands for both, unless a block
 * ends between them (tc_decoder_convert then sees the pair fail alone:
 * two).
 * glibc's converters are not instrumented, so coverage leads the fuzzer
 * through ours only: fuzz_decoder.dict gives it their escapes and
 * multibyte characters.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_runs.h"
#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Names as a user gives them to --encoding (labels go through
 * tc_encoding_name: latin1 is CP1252, shift_jis CP932). */
static const char *const ENCODINGS[16] = {
  "latin1",  "koi8-r", "TSCII",      "shift_jis",  "euc-jp", "ISO-2022-JP", "ISO-2022-JP-2",
  "gb18030", "gbk",    "big5",       "BIG5-HKSCS", "euc-kr", "JOHAB",       "ISO-2022-KR",
  "EUC-TW",  "ISO-2022-CN",
};

enum { PER_BYTE = 16, MAX_ROOM = 64 };

static tc_decoder *open_decoder(const char *name) {
  tc_decoder *d;
  if (tc_decoder_new(name, &d, NULL) != TC_OK) abort(); /* each of ENCODINGS reads "\n" */
  return d;
}

/* One call into out + r->w (room bytes), its promises checked; the
 * result's counts added to r (invalid offsets from `base`). */
static void call(tc_decoder *d, const char *in, size_t len, unsigned flags, size_t room, size_t base,
                 run *r, tc_decoder_result *res) {
  if (tc_decoder_convert(d, in, len, flags, r->out + r->w, room, res) != TC_OK) abort();
  if (res->used > len || res->written > room) abort();
  if (res->invalid && (res->full || res->invalid_at >= res->used || res->written < 3)) abort();
  r->w += res->written;
  if (res->invalid) note(r, base + res->invalid_at);
}

/* All of in, in one block, going on after each invalid stop. */
static void whole(const char *name, const char *in, size_t len, run *r) {
  tc_decoder *d = open_decoder(name);
  size_t i = 0, cap = PER_BYTE * len + PER_BYTE;
  for (;;) {
    tc_decoder_result res;
    call(d, in + i, len - i, TC_DECODER_LAST, cap - r->w, i, r, &res);
    if (res.full) abort();
    i += res.used;
    if (!res.invalid) break;
  }
  if (i != len) abort();
  tc_decoder_free(d);
}

/* In blocks of `block` bytes, the unused tail carried over. */
static void blocks(const char *name, const char *in, size_t len, size_t block, run *r) {
  tc_decoder *d = open_decoder(name);
  char buf[TC_DECODER_CARRY_MAX + 8];
  size_t i = 0, ncarry = 0, base = 0; /* base: where buf starts in the input */
  size_t cap = PER_BYTE * len + PER_BYTE;
  do {
    size_t take = len - i < block ? len - i : block, m, used = 0;
    int last = i + take == len;
    memcpy(buf + ncarry, in + i, take);
    m = ncarry + take;
    i += take;
    for (;;) {
      tc_decoder_result res;
      call(d, buf + used, m - used, last ? TC_DECODER_LAST : 0, cap - r->w, base + used, r, &res);
      if (res.full) abort();
      used += res.used;
      if (!res.invalid) break;
    }
    ncarry = m - used;
    if (ncarry > TC_DECODER_CARRY_MAX || (last && ncarry != 0) || memchr(buf + used, '\n', ncarry))
      abort();
    memmove(buf, buf + used, ncarry);
    base += used;
  } while (i < len);
  tc_decoder_free(d);
}

/* Into an output of `room` bytes at a time, doubled for a call that
 * cannot go on without more; no more than cap bytes in all (a converter
 * writing the same bytes again, call after call, would pass it). */
static void small_out(const char *name, const char *in, size_t len, size_t room, size_t cap, run *r) {
  tc_decoder *d = open_decoder(name);
  size_t i = 0;
  for (;;) {
    tc_decoder_result res;
    size_t grown = room;
    for (;;) {
      if (r->w + grown > cap) abort();
      call(d, in + i, len - i, TC_DECODER_LAST, grown, i, r, &res);
      if (res.used > 0 || res.written > 0 || !res.full) break;
      grown *= 2;
      if (grown > MAX_ROOM) abort(); /* no progress */
    }
    i += res.used;
    if (i == len && !res.full && !res.invalid) break;
  }
  tc_decoder_free(d);
}

/* Does a known glibc bug (above) make the runs differ: TSCII's in small
 * outputs, CP949's (euc-kr's) 0xA2 0xE8 in any? */
static int glibc_bug(const char *name, const char *in, size_t len, int small) {
  const char *known = tc_encoding_name(name);
  size_t i;
  if (known) name = known;
  if (small && strcmp(name, "TSCII") == 0) return 1;
  if (strcmp(name, "CP949") != 0) return 0;
  for (i = 0; i + 1 < len; i++)
    if (in[i] == '\xa2' && in[i + 1] == '\xe8') return 1;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const size_t block_sizes[4] = {1, 2, 3, 7}, rooms[4] = {1, 2, 4, 6};
  run a, b, c;
  const char *in, *name;
  size_t len, cap;
  if (size == 0) return 0;
  name = ENCODINGS[data[0] & 15];
  in = (const char *)data + 1;
  len = size - 1;
  cap = PER_BYTE * len + PER_BYTE + MAX_ROOM;
  run_start(&a, cap);
  run_start(&b, cap);
  run_start(&c, cap);
  whole(name, in, len, &a);
  if (!tci_utf8_valid(a.out, a.w)) abort();
  blocks(name, in, len, block_sizes[data[0] >> 4 & 3], &b);
  small_out(name, in, len, rooms[data[0] >> 6 & 3], cap, &c);
  if (!glibc_bug(name, in, len, 0) && !same(&a, &b)) abort();
  if (!glibc_bug(name, in, len, 1) && !same(&a, &c)) abort();
  free(a.out);
  free(b.out);
  free(c.out);
  return 0;
}
