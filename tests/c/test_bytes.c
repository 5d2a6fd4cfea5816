/* test_bytes.c - bounds-checked reader/writer, CRC-32, hashing, buffers. */
#include <stdlib.h>

#include "check.h"
#include "internal.h"

TEST(round_trip) {
  tci_writer w = {0};
  tci_reader r;
  size_t n;
  const char *s;
  tci_put_u32(&w, 0xDEADBEEFu);
  tci_put_u64(&w, 0x0102030405060708ull);
  tci_put_f64(&w, -1.5);
  tci_put_str(&w, "news", 4);
  CHECK_EQ_INT(w.err, TC_OK);
  CHECK_EQ_INT(w.len, 4 + 8 + 8 + 4 + 4);
  CHECK_EQ_INT(w.p[0], 0xEF); /* little-endian */
  CHECK_MEM(w.p, 12, "\xEF\xBE\xAD\xDE\x08\x07\x06\x05\x04\x03\x02\x01", 12);
  tci_patch_u32(&w, 4, 0x0A0B0C0Du); /* the low half of the u64 */
  CHECK_MEM(w.p + 4, 8, "\x0D\x0C\x0B\x0A\x04\x03\x02\x01", 8);
  tci_patch_u64(&w, 4, 0x1112131415161718ull);
  CHECK_MEM(w.p + 4, 8, "\x18\x17\x16\x15\x14\x13\x12\x11", 8);
  tci_patch_u64(&w, 4, 0x0102030405060708ull);
  tci_patch_u32(&w, w.len - 3, 0xFFFFFFFFu); /* would pass the end: ignored */
  tci_patch_u64(&w, w.len - 7, ~0ull);
  CHECK_MEM(w.p + w.len - 4, 4, "news", 4);
  tci_reader_init(&r, w.p, w.len);
  CHECK(tci_get_u32(&r) == 0xDEADBEEFu);
  CHECK(tci_get_u64(&r) == 0x0102030405060708ull);
  CHECK(tci_get_f64(&r) == -1.5);
  s = tci_get_str(&r, &n);
  CHECK_MEM(s, n, "news", 4);
  CHECK_EQ_INT(tci_left(&r), 0);
  CHECK(!r.bad);
  free(w.p);
}

TEST(reads_past_the_end_are_sticky_and_zero) {
  unsigned char b[6] = {1, 0, 0, 0, 0xff, 0xff};
  tci_reader r;
  size_t n = 99;
  tci_reader_init(&r, b, sizeof b);
  CHECK_EQ_INT(tci_get_u32(&r), 1);
  CHECK_EQ_INT(tci_get_u32(&r), 0); /* only 2 bytes left */
  CHECK(r.bad);
  CHECK(tci_get_bytes(&r, 1) == NULL); /* sticky, even though a byte remains */
  CHECK(tci_get_str(&r, &n) == NULL);
  CHECK_EQ_INT(n, 0);
  CHECK_EQ_INT(tci_left(&r), 0);
}

TEST(string_length_beyond_buffer) {
  unsigned char b[8] = {0xff, 0xff, 0xff, 0x7f, 'a', 'b', 'c', 'd'};
  tci_reader r;
  size_t n;
  tci_reader_init(&r, b, sizeof b);
  CHECK(tci_get_str(&r, &n) == NULL);
  CHECK(r.bad);
}

TEST(can_hold_guards_allocations) {
  unsigned char b[16] = {0};
  tci_reader r;
  tci_reader_init(&r, b, sizeof b);
  CHECK(tci_can_hold(&r, 2, 8));
  CHECK(!tci_can_hold(&r, 3, 8));
  CHECK(!tci_can_hold(&r, UINT64_MAX, 1));
  CHECK(tci_can_hold(&r, 16, 0));
}

TEST(crc32_known_values) {
  /* The standard check value of CRC-32/ISO-HDLC. */
  CHECK(tci_crc32(0, "123456789", 9) == 0xCBF43926u);
  CHECK(tci_crc32(0, "", 0) == 0);
  /* Incremental equals one-shot. */
  CHECK(tci_crc32(tci_crc32(0, "12345", 5), "6789", 4) == 0xCBF43926u);
}

TEST(hash_is_stable_and_spreads) {
  CHECK(tci_hash_bytes("cyber", 5) == tci_hash_bytes("cyber", 5));
  CHECK(tci_hash_bytes("cyber", 5) != tci_hash_bytes("cyber", 4));
  CHECK(tci_hash_bytes("", 0) != tci_hash_bytes("\0", 1));
  CHECK(tci_hash_bytes("abcdefgh1", 9) != tci_hash_bytes("abcdefgh2", 9));
}

TEST(buffers_grow_and_refuse_overflow) {
  tci_buf b = {0};
  CHECK_OK(tci_buf_reserve(&b, 10, 8));
  CHECK(b.cap >= 80);
  CHECK_EQ_INT(tci_buf_reserve(&b, SIZE_MAX / 2, 4), TC_ELIMIT);
  CHECK(b.cap >= 80);
  tci_buf_free(&b);
  CHECK(b.p == NULL);
}

TEST(strerror_names_every_code) {
  int c;
  for (c = TC_ELIMIT; c <= TC_OK; c++) CHECK(strcmp(tc_strerror(c), "unknown error") != 0);
  CHECK_EQ_STR(tc_strerror(12345), "unknown error");
}

int main(void) {
  RUN(round_trip);
  RUN(reads_past_the_end_are_sticky_and_zero);
  RUN(string_length_beyond_buffer);
  RUN(can_hold_guards_allocations);
  RUN(crc32_known_values);
  RUN(hash_is_stable_and_spreads);
  RUN(buffers_grow_and_refuse_overflow);
  RUN(strerror_names_every_code);
  return check_report();
}
