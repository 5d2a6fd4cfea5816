/* test_decode.c - tc_encoding_name and tc_decoder_*: names, each kind of
 * input, where it stops, blocks of every size giving the whole conversion
 * (a caller's carry, as lua/ldecoder.c keeps it), and the refusals. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "oom.h"

/* Convert all of in through a new decoder of `name`, `block` bytes at a
 * time, carrying what a block leaves and going on after each U+FFFD, into
 * out (cap bytes); returns the bytes written, the invalid stops in
 * *n_invalid and their offsets in the input in at[] (up to 8). */
static size_t convert_all(const char *name, const char *in, size_t len, size_t block, char *out,
                          size_t cap, size_t *n_invalid, size_t *at) {
  tc_decoder *d;
  char carry[TC_DECODER_CARRY_MAX + 64];
  size_t i = 0, w = 0, ncarry = 0, base = 0;
  *n_invalid = 0;
  if (tc_decoder_new(name, &d, NULL) != TC_OK) return (size_t)-1;
  for (;;) {
    size_t k = len - i < block ? len - i : block, used = 0;
    int last = i + k == len;
    memcpy(carry + ncarry, in + i, k);
    ncarry += k;
    i += k;
    for (;;) {
      tc_decoder_result r;
      if (tc_decoder_convert(d, carry + used, ncarry - used, last ? TC_DECODER_LAST : 0, out + w,
                             cap - w, &r) != TC_OK || r.full) {
        tc_decoder_free(d);
        return (size_t)-1;
      }
      w += r.written;
      if (r.invalid && *n_invalid < 8) at[*n_invalid] = base + used + r.invalid_at;
      *n_invalid += (size_t)r.invalid;
      used += r.used;
      if (!r.invalid) break;
    }
    if (ncarry - used > TC_DECODER_CARRY_MAX) break;
    memmove(carry, carry + used, ncarry - used);
    base += used;
    ncarry -= used;
    if (last) break;
  }
  tc_decoder_free(d);
  return ncarry == 0 ? w : (size_t)-1;
}

TEST(names_labels_as_pages_do) {
  CHECK_EQ_STR(tc_encoding_name("latin1"), "CP1252");
  CHECK_EQ_STR(tc_encoding_name("Windows-1252"), "CP1252");
  CHECK_EQ_STR(tc_encoding_name("sjis"), "CP932");
  CHECK_EQ_STR(tc_encoding_name("gb2312"), "GBK");
  CHECK_EQ_STR(tc_encoding_name("UTF8"), "UTF-8");
  CHECK_EQ_STR(tc_encoding_name("unicode"), "UTF-16LE");
  CHECK(tc_encoding_name("cp437") == NULL);
  CHECK(tc_encoding_name("utf-8 latin1") == NULL); /* two labels: neither */
  CHECK(tc_encoding_name("") == NULL);
  CHECK(tc_encoding_name(NULL) == NULL);
}

/* Windows-1252 (through latin1), Shift_JIS (Windows-31J: ① is an NEC
 * row) and GB18030 (a 4-byte emoji) give the same UTF-8 in blocks of
 * every size. */
TEST(converts_in_blocks_of_every_size) {
  static const struct { const char *name, *in, *want; } cases[] = {
    {"latin1", "caf\xe9 \x93q\x94 \x80\n", "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d \xe2\x82\xac\n"},
    {"shift_jis", "\x93\x8c\x8b\x9e\n\x87\x40", "\xe6\x9d\xb1\xe4\xba\xac\n\xe2\x91\xa0"},
    {"gb18030", "\xd6\xd0 \x94\x39\xfc\x36!", "\xe4\xb8\xad \xf0\x9f\x98\x80!"},
  };
  size_t c, block;
  for (c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (block = 1; block <= 9; block++) {
      char out[64];
      size_t bad, at[8];
      size_t n = convert_all(cases[c].name, cases[c].in, strlen(cases[c].in), block, out, sizeof out,
                             &bad, at);
      CHECK_MEM(out, n == (size_t)-1 ? 0 : n, cases[c].want, strlen(cases[c].want));
      CHECK_EQ_INT(bad, 0);
    }
}

/* An unmapped byte is one U+FFFD, and the conversion stops after it; a
 * character cut short by the end (TC_DECODER_LAST) is one U+FFFD too. */
TEST(stops_after_invalid_input) {
  char out[64];
  size_t bad, at[8], block;
  for (block = 1; block <= 5; block++) {
    size_t n = convert_all("shift_jis", "a\x82 b\x81", 5, block, out, sizeof out, &bad, at);
    CHECK_MEM(out, n == (size_t)-1 ? 0 : n, "a\xef\xbf\xbd b\xef\xbf\xbd", 9);
    CHECK_EQ_INT(bad, 2);
    CHECK_EQ_INT(at[0], 1);
    CHECK_EQ_INT(at[1], 4);
  }
}

/* glibc's CP949 reads 0xA2 0xE8 whole before it fails, at the byte after
 * it (or with none left): that byte is kept, and nothing is read past the
 * end; the offset is the pair's last byte. */
TEST(keeps_the_byte_after_a_sequence_iconv_read_before_failing) {
  static const struct { const char *in, *want; } cases[] = {
    {"a\xa2\xe8xyz", "a\xef\xbf\xbdxyz"},
    {"a\xa2\xe8", "a\xef\xbf\xbd"},
  };
  size_t c, block;
  for (c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (block = 1; block <= 6; block++) {
      char out[64];
      size_t bad, at[8];
      size_t n = convert_all("CP949", cases[c].in, strlen(cases[c].in), block, out, sizeof out, &bad,
                             at);
      CHECK_MEM(out, n == (size_t)-1 ? 0 : n, cases[c].want, strlen(cases[c].want));
      CHECK_EQ_INT(bad, 1);
      CHECK_EQ_INT(at[0], 2);
    }
}

/* Without TC_DECODER_LAST a cut sequence is left for the next block; a
 * full output stops before the character that does not fit. */
TEST(leaves_a_cut_character_and_stops_when_full) {
  tc_decoder *d;
  tc_decoder_result r;
  char out[32];
  CHECK_OK(tc_decoder_new("gb18030", &d, NULL));
  CHECK_OK(tc_decoder_convert(d, "a\x94\x39\xfc", 4, 0, out, sizeof out, &r));
  CHECK_EQ_INT(r.used, 1);
  CHECK_EQ_INT(r.written, 1);
  CHECK_EQ_INT(r.invalid + r.full, 0);
  CHECK_OK(tc_decoder_convert(d, "\x94\x39\xfc\x36", 4, TC_DECODER_LAST, out, 3, &r));
  CHECK_EQ_INT(r.used, 0);
  CHECK_EQ_INT(r.full, 1);
  CHECK_OK(tc_decoder_convert(d, "\x94\x39\xfc\x36", 4, TC_DECODER_LAST, out, 4, &r));
  CHECK_EQ_INT(r.used, 4);
  CHECK_MEM(out, r.written, "\xf0\x9f\x98\x80", 4);
  CHECK_OK(tc_decoder_convert(d, "\x81", 1, TC_DECODER_LAST, out, 2, &r)); /* no room for U+FFFD */
  CHECK_EQ_INT(r.used, 0);
  CHECK_EQ_INT(r.full, 1);
  CHECK_EQ_INT(r.invalid, 0);
  tc_decoder_free(d);
}

/* No character holds the byte 0x0A, so a sequence a line feed cuts short
 * (iconv would wait for more after GB18030's "\x81\x30" or ISO-2022-JP's
 * ESC) is invalid: the line feed is never left unused, as a line reader
 * needs it, nor lost at the end, and a block that ends with it converts
 * the same as the whole. */
TEST(a_line_feed_ends_any_sequence) {
  static const struct { const char *name, *in, *want; size_t at; } cases[] = {
    {"gb18030", "a\x81\x30\nb", "a\xef\xbf\xbd" "0\nb", 1},
    {"gb18030", "\x81\x30\n", "\xef\xbf\xbd" "0\n", 0}, /* at the end */
    {"ISO-2022-JP", "x\x1b\ny", "x\xef\xbf\xbd\ny", 1},
  };
  size_t c, block;
  for (c = 0; c < sizeof cases / sizeof cases[0]; c++)
    for (block = 1; block <= 5; block++) {
      char out[64];
      size_t bad, at[8];
      size_t n = convert_all(cases[c].name, cases[c].in, strlen(cases[c].in), block, out, sizeof out,
                             &bad, at);
      CHECK_MEM(out, n == (size_t)-1 ? 0 : n, cases[c].want, strlen(cases[c].want));
      CHECK_EQ_INT(bad, 1);
      CHECK_EQ_INT(at[0], cases[c].at);
    }
}

/* A line's block, the line feed last, is used up without TC_DECODER_LAST. */
TEST(leaves_no_line_feed_unused) {
  tc_decoder *d;
  tc_decoder_result r;
  char out[32];
  CHECK_OK(tc_decoder_new("gb18030", &d, NULL));
  CHECK_OK(tc_decoder_convert(d, "\x81\x30\n", 3, 0, out, sizeof out, &r));
  CHECK_EQ_INT(r.used, 1);
  CHECK_EQ_INT(r.invalid, 1);
  CHECK_OK(tc_decoder_convert(d, "\x30\n", 2, 0, out, sizeof out, &r));
  CHECK_EQ_INT(r.used, 2);
  CHECK_MEM(out, r.written, "0\n", 2);
  tc_decoder_free(d);
}

/* TSCII's 0x82 is four characters, the last three held in iconv's state
 * until the end: too little room for them writes none (glibc would give
 * the first again on the next call), then more room writes them once. */
TEST(writes_what_the_state_holds_whole_or_not_at_all) {
  tc_decoder *d;
  tc_decoder_result r;
  char out[32];
  size_t w;
  CHECK_OK(tc_decoder_new("TSCII", &d, NULL));
  CHECK_OK(tc_decoder_convert(d, "\x82", 1, TC_DECODER_LAST, out, 3, &r));
  CHECK_EQ_INT(r.used, 1);
  CHECK_EQ_INT(r.full, 1);
  w = r.written;
  CHECK_OK(tc_decoder_convert(d, NULL, 0, TC_DECODER_LAST, out + w, 4, &r));
  CHECK_EQ_INT(r.full, 1);
  CHECK_EQ_INT(r.written, 0);
  w += r.written;
  CHECK_OK(tc_decoder_convert(d, NULL, 0, TC_DECODER_LAST, out + w, sizeof out - w, &r));
  CHECK_EQ_INT(r.full, 0);
  w += r.written;
  CHECK_MEM(out, w, "\xe0\xae\xb8\xe0\xaf\x8d\xe0\xae\xb0\xe0\xaf\x80", 12); /* U+0BB8 U+0BCD U+0BB0 U+0BC0 */
  tc_decoder_free(d);
}

/* Given 4 bytes of room a byte, as lua/ldecoder.c gives, and more when
 * full, TSCII's 0x82 (four letters, 12 bytes) comes out right every time:
 * iconv is never stopped part way for want of room, where glibc's TSCII
 * writes another letter. */
TEST(never_stops_iconv_part_way_while_the_room_lasts) {
  static const char letters[] = "\xe0\xae\xb8\xe0\xaf\x8d\xe0\xae\xb0\xe0\xaf\x80";
  char in[30], out[30 * 12], want[30 * 12];
  size_t i = 0, w = 0, k;
  tc_decoder *d;
  tc_decoder_result r;
  memset(in, 0x82, sizeof in);
  for (k = 0; k < sizeof in; k++) memcpy(want + 12 * k, letters, 12);
  CHECK_OK(tc_decoder_new("TSCII", &d, NULL));
  do {
    size_t room = 4 * (sizeof in - i) + 16;
    if (room > sizeof out - w) room = sizeof out - w;
    CHECK_OK(tc_decoder_convert(d, in + i, sizeof in - i, TC_DECODER_LAST, out + w, room, &r));
    CHECK(r.used > 0 || r.written > 0 || !r.full);
    i += r.used;
    w += r.written;
  } while (r.full);
  CHECK_MEM(out, w, want, sizeof want);
  tc_decoder_free(d);
}

TEST(refuses_names_and_arguments) {
  tc_decoder *d = (tc_decoder *)&d;
  tc_decoder_result r;
  tc_diag diag;
  char out[4];
  CHECK(tc_decoder_new("no-such-charset", &d, &diag) == TC_EINVAL);
  CHECK(d == NULL);
  CHECK_EQ_STR(diag.message, "unknown encoding 'no-such-charset' (iconv -l lists the names it knows)");
  CHECK(tc_decoder_new("UTF-16LE", &d, &diag) == TC_EINVAL);
  CHECK(strstr(diag.message, "its line feed is not the byte 0x0A") != NULL);
  CHECK(tc_decoder_new("UCS-4", &d, NULL) == TC_EINVAL);
  { /* names iconv reads as the locale's charset: no charset named */
    static const char *const none[] = {"", " ", "!!!", "\xc3\xa9", "//", "//IGNORE", " //TRANSLIT"};
    size_t i;
    for (i = 0; i < sizeof none / sizeof *none; i++) {
      d = (tc_decoder *)&d;
      CHECK(tc_decoder_new(none[i], &d, &diag) == TC_EINVAL);
      CHECK(d == NULL);
      CHECK(strstr(diag.message, "unknown encoding '") == diag.message);
    }
  }
  CHECK(tc_decoder_new(NULL, &d, &diag) == TC_EINVAL);
  CHECK_EQ_STR(diag.message, "decoder: no encoding given");
  CHECK(tc_decoder_new("latin1", NULL, &diag) == TC_EINVAL);
  CHECK_EQ_STR(diag.message, "decoder: no output given");
  CHECK_OK(tc_decoder_new("latin1", &d, NULL));
  CHECK(tc_decoder_convert(d, "a", 1, 2, out, sizeof out, &r) == TC_EINVAL);
  CHECK(tc_decoder_convert(d, NULL, 1, 0, out, sizeof out, &r) == TC_EINVAL);
  CHECK(tc_decoder_convert(d, "a", 1, 0, NULL, 4, &r) == TC_EINVAL);
  CHECK(tc_decoder_convert(d, "a", 1, 0, out, sizeof out, NULL) == TC_EINVAL);
  CHECK(tc_decoder_convert(NULL, "a", 1, 0, out, sizeof out, &r) == TC_EINVAL);
  CHECK_OK(tc_decoder_convert(d, NULL, 0, TC_DECODER_LAST, out, sizeof out, &r));
  CHECK_EQ_INT(r.used + r.written + (size_t)r.invalid + (size_t)r.full, 0);
  tc_decoder_free(d);
  tc_decoder_free(NULL);
}

#ifdef HAVE_OOM_HOOK
/* tc_decoder_new with each allocation failing in turn (oom.h), iconv_open's
 * own included: TC_ENOMEM with *out NULL and the diag saying memory ran
 * out, or, when glibc's failed while iconv_open loaded the converter
 * module (it reports that as a name it does not know: docs/engine.md,
 * "Known limits"), TC_EINVAL saying the encoding is unknown; once it
 * succeeds the decoder converts as any other. tc_decoder_convert then
 * allocates nothing. */
static void sweep_decoder(const char *name, const char *in, const char *want) {
  tc_decoder *d;
  tc_decoder_result r;
  tc_diag dg;
  char out[64];
  oom_sweep s = oom_sweep_start("tc_decoder_new", 1000);
  s.shared_code = TC_EINVAL;
  while (oom_next(&s)) {
    int rc;
    d = (tc_decoder *)&dg; /* not NULL: a failure must set it */
    memset(&dg, 0, sizeof dg);
    oom_arm(&s);
    rc = tc_decoder_new(name, &d, &dg);
    if (oom_failed(&s, rc, dg.message)) {
      CHECK(d == NULL && dg.code == rc);
      if (rc == TC_EINVAL) CHECK(strstr(dg.message, "unknown encoding") != NULL);
      continue;
    }
    CHECK_OK(tc_decoder_convert(d, in, strlen(in), TC_DECODER_LAST, out, sizeof out, &r));
    CHECK_MEM(out, r.written, want, strlen(want));
    tc_decoder_free(d);
  }
  oom_sweep_finish(&s, 2);
  if (tc_decoder_new(name, &d, NULL) != TC_OK) { CHECK(0); return; }
  s = oom_sweep_start("tc_decoder_convert", 10);
  while (oom_next(&s)) {
    int rc;
    oom_arm(&s);
    rc = tc_decoder_convert(d, in, strlen(in), TC_DECODER_LAST, out, sizeof out, &r);
    oom_failed(&s, rc, NULL);
    CHECK_MEM(out, r.written, want, strlen(want));
  }
  CHECK_EQ_INT(oom_sweep_finish(&s, 0), 0);
  tc_decoder_free(d);
}

TEST(allocation_failures) {
  sweep_decoder("latin1", "caf\xe9 \x93q\x94 \x80\n", "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d \xe2\x82\xac\n");
  sweep_decoder("shift_jis", "\x93\x8c\x8b\x9e\n\x87\x40", "\xe6\x9d\xb1\xe4\xba\xac\n\xe2\x91\xa0");
  sweep_decoder("iso-2022-jp", "\x1b$B\x46\x7c\x1b(B!", "\xe6\x97\xa5!");
}
#endif

int main(void) {
  RUN(names_labels_as_pages_do);
  RUN(converts_in_blocks_of_every_size);
  RUN(stops_after_invalid_input);
  RUN(keeps_the_byte_after_a_sequence_iconv_read_before_failing);
  RUN(leaves_a_cut_character_and_stops_when_full);
  RUN(a_line_feed_ends_any_sequence);
  RUN(leaves_no_line_feed_unused);
  RUN(writes_what_the_state_holds_whole_or_not_at_all);
  RUN(never_stops_iconv_part_way_while_the_room_lasts);
  RUN(refuses_names_and_arguments);
#ifdef HAVE_OOM_HOOK
  RUN(allocation_failures);
#endif
  return check_report();
}
