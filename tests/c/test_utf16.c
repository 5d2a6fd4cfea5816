/* test_utf16.c - tc_utf16_to_utf8: each kind of input, where it stops,
 * blocks of every size giving the whole conversion, and agreement with
 * iconv(3) on valid text. */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "internal.h"
#include "oom.h"

/* Convert all of in (flags as given, plus LAST), going on after each
 * U+FFFD; out holds TC_UTF16_UTF8_MAX(len). Returns the bytes written and
 * counts the invalid stops in *n_invalid, their offsets in at[] (up to 8). */
static size_t convert_all(const char *in, size_t len, unsigned flags, char *out,
                          size_t *n_invalid, size_t *at) {
  size_t i = 0, w = 0;
  *n_invalid = 0;
  for (;;) {
    tc_utf16_result r;
    if (tc_utf16_to_utf8(in + i, len - i, flags | TC_UTF16_LAST, out + w,
                         TC_UTF16_UTF8_MAX(len) - w, &r) != TC_OK)
      return (size_t)-1;
    w += r.written;
    if (r.invalid && *n_invalid < 8) at[*n_invalid] = i + r.invalid_at;
    *n_invalid += (size_t)r.invalid;
    i += r.used;
    if (!r.invalid) break;
  }
  return i == len ? w : (size_t)-1;
}

/* UTF-16LE of an ASCII string (units a byte wide). */
static size_t le(const char *ascii, char *out) {
  size_t n = strlen(ascii), i;
  for (i = 0; i < n; i++) {
    out[2 * i] = ascii[i];
    out[2 * i + 1] = 0;
  }
  return 2 * n;
}

/* Does `in` (len bytes, LE unless flags say BE) convert to want with
 * n_inv invalid stops, the first at first_at? */
static int converts_to(const char *in, size_t len, unsigned flags, const char *want,
                       size_t n_inv, size_t first_at) {
  char out[256];
  size_t n, at[8], bad;
  n = convert_all(in, len, flags, out, &bad, at);
  if (n == (size_t)-1 || n != strlen(want) || memcmp(out, want, n) != 0) {
    fprintf(stderr, "  got \"%.*s\" (%zu bytes), want \"%s\"\n", n == (size_t)-1 ? 0 : (int)n,
            out, n, want);
    return 0;
  }
  if (bad != n_inv || (n_inv > 0 && at[0] != first_at)) {
    fprintf(stderr, "  %zu invalid (first at %zu), want %zu (at %zu)\n", bad, bad ? at[0] : 0,
            n_inv, first_at);
    return 0;
  }
  return 1;
}

TEST(each_kind) {
  char buf[64];
  size_t n = le("Ransomware\n", buf);
  CHECK(converts_to(buf, n, 0, "Ransomware\n", 0, 0));
  CHECK(converts_to("", 0, 0, "", 0, 0));
  CHECK(converts_to("\0R\0a", 4, TC_UTF16_BE, "Ra", 0, 0));
  CHECK(converts_to("\xe9\x00", 2, 0, "\xc3\xa9", 0, 0));                 /* é */
  CHECK(converts_to("\x00\xe9", 2, TC_UTF16_BE, "\xc3\xa9", 0, 0));
  CHECK(converts_to("\x71\x67", 2, 0, "\xe6\x9d\xb1", 0, 0));             /* 東 U+6771 */
  CHECK(converts_to("\x3d\xd8\x00\xde", 4, 0, "\xf0\x9f\x98\x80", 0, 0)); /* 😀 U+1F600 */
  CHECK(converts_to("\xd8\x3d\xde\x00", 4, TC_UTF16_BE, "\xf0\x9f\x98\x80", 0, 0));
  CHECK(converts_to("\xff\xdb\xff\xdf", 4, 0, "\xf4\x8f\xbf\xbf", 0, 0)); /* U+10FFFF */
  CHECK(converts_to("\xff\xfe", 2, 0, "\xef\xbb\xbf", 0, 0));             /* U+FEFF kept */
  CHECK(converts_to("\xfd\xff", 2, 0, "\xef\xbf\xbd", 0, 0));             /* U+FFFD as written */
}

TEST(nul_is_a_character) {
  char out[16];
  size_t at[8], bad, n = convert_all("a\0\0\0b\0", 6, 0, out, &bad, at);
  CHECK_MEM(out, n, "a\0b", 3);
  CHECK_EQ_INT(bad, 0);
}

TEST(unpaired_surrogates) {
  /* a high surrogate before a letter, a low one alone, a high one last */
  CHECK(converts_to("\x3d\xd8" "a\0", 4, 0, "\xef\xbf\xbd" "a", 1, 0));
  CHECK(converts_to("a\0" "\x00\xde" "b\0", 6, 0, "a\xef\xbf\xbd" "b", 1, 2));
  CHECK(converts_to("a\0" "\x3d\xd8", 4, 0, "a\xef\xbf\xbd", 1, 2));
  CHECK(converts_to("\x3d\xd8\x3d\xd8\x00\xde", 6, 0, "\xef\xbf\xbd\xf0\x9f\x98\x80", 1, 0));
  CHECK(converts_to("\x00\xde\x3d\xd8", 4, 0, "\xef\xbf\xbd\xef\xbf\xbd", 2, 0)); /* reversed pair */
  CHECK(converts_to("\xd8\x3d\x00\x0a", 4, TC_UTF16_BE, "\xef\xbf\xbd\n", 1, 0)); /* before a line end */
}

TEST(odd_byte_count) {
  CHECK(converts_to("a\0b", 3, 0, "a\xef\xbf\xbd", 1, 2));
  CHECK(converts_to("\x3d\xd8" "x", 3, 0, "\xef\xbf\xbd\xef\xbf\xbd", 2, 0));
  CHECK(converts_to("x", 1, TC_UTF16_BE, "\xef\xbf\xbd", 1, 0));
}

/* The four-units-at-a-time ASCII loop stops at any other unit, wherever it
 * lies in the run: one above U+007F in its low byte (U+00E9), or only in
 * its high byte (U+0100, U+4100: their low byte looks like ASCII). */
TEST(ascii_runs_stop_at_any_other_unit) {
  static const unsigned others[] = {0x00E9, 0x0100, 0x4100, 0x0080, 0xFF41};
  int be, wrong = 0;
  size_t at, k;
  for (be = 0; be < 2; be++)
    for (k = 0; k < sizeof others / sizeof *others; k++)
      for (at = 0; at < 24; at++) {
        char in[48], out[80], want[80];
        size_t j, n, bad, pos[8], wn = 0;
        for (j = 0; j < 24; j++) {
          unsigned u = j == at ? others[k] : 'a' + (unsigned)j;
          in[2 * j + (be ? 0 : 1)] = (char)(u >> 8);
          in[2 * j + (be ? 1 : 0)] = (char)(u & 0xFF);
          wn += tci_utf8_encode((int32_t)u, (unsigned char *)want + wn);
        }
        n = convert_all(in, sizeof in, be ? TC_UTF16_BE : 0, out, &bad, pos);
        wrong += n != wn || memcmp(out, want, n) != 0 || bad != 0;
      }
  CHECK_EQ_INT(wrong, 0);
}

/* Without TC_UTF16_LAST what a block cannot finish is left for the next. */
TEST(leaves_a_split_unit_or_pair) {
  char out[16];
  tc_utf16_result r;
  CHECK_OK(tc_utf16_to_utf8("a\0b", 3, 0, out, sizeof out, &r));
  CHECK_EQ_INT(r.used, 2);
  CHECK_EQ_INT(r.written, 1);
  CHECK_EQ_INT(r.invalid, 0);
  CHECK_OK(tc_utf16_to_utf8("a\0\x3d\xd8", 4, 0, out, sizeof out, &r));
  CHECK_EQ_INT(r.used, 2);
  CHECK_OK(tc_utf16_to_utf8("a\0\x3d\xd8\x00", 5, 0, out, sizeof out, &r));
  CHECK_EQ_INT(r.used, 2);
  CHECK_OK(tc_utf16_to_utf8("\xd8\x3d", 2, TC_UTF16_BE, out, sizeof out, &r));
  CHECK_EQ_INT(r.used, 0);
  CHECK_EQ_INT(r.written, 0);
  /* with LAST the same bytes are invalid */
  CHECK_OK(tc_utf16_to_utf8("\xd8\x3d", 2, TC_UTF16_BE | TC_UTF16_LAST, out, sizeof out, &r));
  CHECK_EQ_INT(r.used, 2);
  CHECK_EQ_INT(r.invalid, 1);
  CHECK_EQ_INT(r.invalid_at, 0);
}

/* A full output stops before the character that does not fit, never
 * inside it, and says how far it got. */
TEST(stops_when_out_is_full) {
  char out[8];
  tc_utf16_result r;
  CHECK_OK(tc_utf16_to_utf8("a\0b\0c\0", 6, TC_UTF16_LAST, out, 2, &r));
  CHECK_EQ_INT(r.used, 4);
  CHECK_EQ_INT(r.written, 2);
  CHECK_OK(tc_utf16_to_utf8("a\0\x3d\xd8\x00\xde", 6, TC_UTF16_LAST, out, 4, &r));
  CHECK_EQ_INT(r.used, 2);
  CHECK_EQ_INT(r.written, 1);
  CHECK_OK(tc_utf16_to_utf8("\x71\x67", 2, 0, out, 2, &r));
  CHECK_EQ_INT(r.used, 0);
  CHECK_OK(tc_utf16_to_utf8("\x00\xde", 2, 0, out, 2, &r)); /* no room for its U+FFFD */
  CHECK_EQ_INT(r.used, 0);
  CHECK_EQ_INT(r.invalid, 0);
  CHECK_OK(tc_utf16_to_utf8("x", 1, TC_UTF16_LAST, out, 2, &r));
  CHECK_EQ_INT(r.used, 0);
  CHECK_OK(tc_utf16_to_utf8("a\0", 2, 0, NULL, 0, &r));
  CHECK_EQ_INT(r.used, 0);
}

TEST(refuses_bad_arguments) {
  char out[4];
  tc_utf16_result r;
  CHECK(tc_utf16_to_utf8("a\0", 2, 4, out, sizeof out, &r) == TC_EINVAL);
  CHECK(tc_utf16_to_utf8(NULL, 2, 0, out, sizeof out, &r) == TC_EINVAL);
  CHECK(tc_utf16_to_utf8("a\0", 2, 0, NULL, 4, &r) == TC_EINVAL);
  CHECK(tc_utf16_to_utf8("a\0", 2, 0, out, sizeof out, NULL) == TC_EINVAL);
  CHECK_OK(tc_utf16_to_utf8(NULL, 0, TC_UTF16_LAST, out, sizeof out, &r));
  CHECK_EQ_INT(r.used + r.written + (size_t)r.invalid, 0);
}

/* Random UTF-16 (ASCII, BMP, pairs, and when `junk` lone surrogates) of n
 * units into buf; returns its length in bytes. */
static unsigned long long rng = 88172645463325252ull;
static unsigned next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (unsigned)(rng >> 16);
}
static size_t random_utf16(unsigned char *buf, size_t n, int be, int junk) {
  size_t len = 0, k;
  for (k = 0; k < n; k++) {
    unsigned kind = next_rand() % (junk ? 6 : 5), u[2], m = 1, j;
    switch (kind) {
    case 0: case 1: u[0] = 0x20 + next_rand() % 0x5f; break;
    case 2: u[0] = next_rand() % 2 ? '\n' : 0x80 + next_rand() % 0x780; break;
    case 3: u[0] = 0x800 + next_rand() % (0xD800 - 0x800); break;
    case 4: u[0] = 0xD800 + next_rand() % 0x400; u[1] = 0xDC00 + next_rand() % 0x400; m = 2; break;
    default: u[0] = 0xD800 + next_rand() % 0x800; break;
    }
    for (j = 0; j < m; j++) {
      buf[len + (be ? 0 : 1)] = (unsigned char)(u[j] >> 8);
      buf[len + (be ? 1 : 0)] = (unsigned char)(u[j] & 0xFF);
      len += 2;
    }
  }
  return len;
}

/* Blocks of every size, each's unused tail put before the next, give the
 * bytes one call gives; the output is valid UTF-8 whatever the input. */
TEST(blocks_give_the_whole_conversion) {
  enum { N = 300 };
  static unsigned char in[4 * N + 1];
  static char whole[TC_UTF16_UTF8_MAX(4 * N + 1)], parts[TC_UTF16_UTF8_MAX(4 * N + 1) + 8];
  int round, wrong = 0;
  for (round = 0; round < 200; round++) {
    int be = round % 2, junk = round % 3 == 0;
    size_t len = random_utf16(in, N, be, junk), at[8], bad, n, block = 1 + (size_t)round % 17;
    size_t i = 0, w = 0, bad2 = 0;
    char carry[8];
    size_t ncarry = 0;
    unsigned flags = be ? TC_UTF16_BE : 0;
    if (round % 4 == 1) in[len++] = 'z'; /* an odd byte count */
    n = convert_all((const char *)in, len, flags, whole, &bad, at);
    if (!tci_utf8_valid(whole, n)) wrong++;
    while (i < len || ncarry > 0) {
      /* the block: the last one's tail, then up to `block` new bytes */
      char buf[64];
      size_t take = len - i < block ? len - i : block, used = 0, m;
      int last = i + take == len;
      memcpy(buf, carry, ncarry);
      memcpy(buf + ncarry, in + i, take);
      m = ncarry + take;
      i += take;
      for (;;) {
        tc_utf16_result r;
        tc_utf16_to_utf8(buf + used, m - used, flags | (last ? TC_UTF16_LAST : 0), parts + w,
                         sizeof parts - w, &r);
        used += r.used;
        w += r.written;
        bad2 += (size_t)r.invalid;
        if (!r.invalid) break;
      }
      ncarry = m - used;
      if (ncarry > 3 || (last && ncarry > 0)) {
        wrong++;
        break;
      }
      memcpy(carry, buf + used, ncarry);
    }
    if (w != n || memcmp(whole, parts, n) != 0 || bad != bad2) wrong++;
    if (!junk && round % 4 != 1 && bad != 0) wrong++;
  }
  CHECK_EQ_INT(wrong, 0);
}

/* Valid UTF-16 converts as glibc's iconv converts it. */
TEST(agrees_with_iconv) {
  enum { N = 2000 };
  static unsigned char in[4 * N];
  static char ours[TC_UTF16_UTF8_MAX(4 * N)], theirs[TC_UTF16_UTF8_MAX(4 * N)];
  int be;
  for (be = 0; be < 2; be++) {
    iconv_t cd = iconv_open("UTF-8", be ? "UTF-16BE" : "UTF-16LE");
    size_t len = random_utf16(in, N, be, 0), at[8], bad, n;
    char *ip = (char *)in, *op = theirs;
    size_t il = len, ol = sizeof theirs;
    CHECK(cd != (iconv_t)-1);
    if (cd == (iconv_t)-1) return;
    CHECK(iconv(cd, &ip, &il, &op, &ol) != (size_t)-1);
    iconv_close(cd);
    n = convert_all((const char *)in, len, be ? TC_UTF16_BE : 0, ours, &bad, at);
    CHECK_EQ_INT(bad, 0);
    CHECK(n == (size_t)(op - theirs) && memcmp(ours, theirs, n) == 0);
  }
}

#ifdef HAVE_OOM_HOOK
/* tc_utf16_to_utf8 allocates nothing, as it says: the sweep (oom.h) ends
 * at its first attempt, with the whole conversion. */
TEST(allocates_nothing) {
  static const char want[] = "caf\xc3\xa9 \xf0\x9f\x98\x80 \xef\xbf\xbd";
  char in[64], out[TC_UTF16_UTF8_MAX(64)];
  size_t n = le("caf\xe9 ", in), k = 0, bad, at[8];
  oom_sweep s = oom_sweep_start("tc_utf16_to_utf8", 10);
  memcpy(in + n, "\x3d\xd8\x00\xde\x20\x00\x00\xd8", 8); /* U+1F600, a space, a lone surrogate */
  n += 8;
  while (oom_next(&s)) {
    oom_arm(&s);
    k = convert_all(in, n, 0, out, &bad, at);
    oom_failed(&s, k == (size_t)-1 ? TC_EINVAL : TC_OK, NULL);
  }
  CHECK_EQ_INT(oom_sweep_finish(&s, 0), 0);
  CHECK_MEM(out, k, want, sizeof want - 1);
}
#endif

int main(void) {
  RUN(each_kind);
  RUN(nul_is_a_character);
  RUN(unpaired_surrogates);
  RUN(odd_byte_count);
  RUN(ascii_runs_stop_at_any_other_unit);
  RUN(leaves_a_split_unit_or_pair);
  RUN(stops_when_out_is_full);
  RUN(refuses_bad_arguments);
  RUN(blocks_give_the_whole_conversion);
  RUN(agrees_with_iconv);
#ifdef HAVE_OOM_HOOK
  RUN(allocates_nothing);
#endif
  return check_report();
}
