/*
 * check.h - the tiny harness of the C tests.
 *
 *   CHECK(cond)               counts a pass, or prints file:line and the condition
 *   CHECK_EQ_INT(a, b)        the same, printing both values
 *   CHECK_EQ_STR(a, b)        NUL-terminated strings
 *   CHECK_MEM(a, alen, b, blen)
 *   CHECK_OK(call)            call must return TC_OK; prints tc_strerror otherwise
 *   TEST(name) { ... }        a test function; RUN(name) calls it
 *   return check_report();    prints "N passed, N failed", exit status 1 on failure
 *
 * Header-only so each test program is one file.
 */
#ifndef TC_CHECK_H
#define TC_CHECK_H

#include <stdio.h>
#include <string.h>

#include "textclass.h"

static int check_passed, check_failed;
static const char *check_current = "";

#define TEST(name) static void name(void)
#define RUN(name) (check_current = #name, name())

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) check_passed++;                                                  \
    else {                                                                     \
      check_failed++;                                                          \
      fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__,     \
              check_current, #cond);                                           \
    }                                                                          \
  } while (0)

#define CHECK_EQ_INT(a, b)                                                     \
  do {                                                                         \
    long long check_a_ = (long long)(a), check_b_ = (long long)(b);           \
    if (check_a_ == check_b_) check_passed++;                                  \
    else {                                                                     \
      check_failed++;                                                          \
      fprintf(stderr, "%s:%d: %s: %s == %s failed: %lld != %lld\n", __FILE__,  \
              __LINE__, check_current, #a, #b, check_a_, check_b_);            \
    }                                                                          \
  } while (0)

#define CHECK_EQ_STR(a, b)                                                     \
  do {                                                                         \
    const char *check_a_ = (a), *check_b_ = (b);                               \
    if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) check_passed++; \
    else {                                                                     \
      check_failed++;                                                          \
      fprintf(stderr, "%s:%d: %s: %s == %s failed: \"%s\" != \"%s\"\n",       \
              __FILE__, __LINE__, check_current, #a, #b,                       \
              check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); \
    }                                                                          \
  } while (0)

#define CHECK_MEM(a, alen, b, blen)                                            \
  do {                                                                         \
    size_t check_al_ = (alen), check_bl_ = (blen);                             \
    if (check_al_ == check_bl_ && memcmp((a), (b), check_al_) == 0)            \
      check_passed++;                                                          \
    else {                                                                     \
      check_failed++;                                                          \
      fprintf(stderr, "%s:%d: %s: %s == %s failed: \"%.*s\" != \"%.*s\"\n",   \
              __FILE__, __LINE__, check_current, #a, #b, (int)check_al_,       \
              (const char *)(a), (int)check_bl_, (const char *)(b));           \
    }                                                                          \
  } while (0)

#define CHECK_OK(call)                                                         \
  do {                                                                         \
    int check_rc_ = (call);                                                    \
    if (check_rc_ == TC_OK) check_passed++;                                    \
    else {                                                                     \
      check_failed++;                                                          \
      fprintf(stderr, "%s:%d: %s: %s returned %d (%s)\n", __FILE__, __LINE__,  \
              check_current, #call, check_rc_, tc_strerror(check_rc_));        \
    }                                                                          \
  } while (0)

static int check_report(void) {
  printf("%d passed, %d failed\n", check_passed, check_failed);
  return check_failed ? 1 : 0;
}

#endif /* TC_CHECK_H */
