/*
 * oom.h - allocation failures on demand, for the C tests.
 *
 * A test program that includes this header has its own malloc, calloc and
 * realloc, of which the Nth from now can be made to fail (docs/HACKING.md,
 * "Tests": allocation failures). The library is linked statically into
 * the program, so its calls land here, and so do those the C library
 * makes inside the calls (fopen, iconv_open,
 * pthread_create, ...) and libutf8proc's; everything goes on to glibc's
 * allocator, still watched by valgrind (make valgrind tells it to leave
 * these functions in place: --soname-synonyms=somalloc=nouserintercepts).
 * The allocations of libsvm,
 * liblinear and the C++ runtime (their malloc and C++ new) are never
 * failed: those libraries do not survive it (docs/engine.md, "Known
 * limits"); oom_exempt_made counts what they allocate while the hook is
 * armed, so a test can show a call makes no such allocation.
 * posix_memalign is not hooked: tci_big_alloc uses it for
 * tables of 2 MiB or more, which the sweeps' fixtures never reach. Under
 * AddressSanitizer, and off glibc, the hook is left out
 * (HAVE_OOM_HOOK undefined), so ASan keeps seeing every allocation of the
 * library.
 *
 * The countdown is atomic: whichever thread makes the allocation, exactly
 * one fails. The sweeps run their calls on one thread all the same
 * (threads = 1), so the allocation failing at step k is the same in every
 * run; a training and tc_model_predict_batch are also swept on two
 * threads.
 *
 * A sweep makes each allocation of a call fail in turn, until the call
 * makes all of them without the hook firing:
 *
 *   oom_sweep s = oom_sweep_start("tc_normalize", 500);
 *   while (oom_next(&s)) {
 *     ws = a fresh workspace...
 *     oom_arm(&s);                 (allocation s.step from here on fails)
 *     rc = tc_normalize(...);
 *     if (oom_failed(&s, rc, NULL)) { ...the objects are as they were... }
 *     else { ...the output equals the unhooked one... }
 *   }
 *   oom_sweep_finish(&s, 1);       (checks the sweep got to its end, after
 *                                   at least 1 failed call)
 *
 * oom_failed disarms the hook, then checks a failed call returned TC_ENOMEM
 * (and that its diag message, when given, says so); a call that succeeds
 * although an allocation failed (it had another way) must give the same
 * output as any other success.
 */
#ifndef TC_OOM_H
#define TC_OOM_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#if defined(__SANITIZE_ADDRESS__) /* GCC's -fsanitize=address */
#define OOM_UNDER_ASAN 1
#elif defined(__has_feature) /* clang's */
#if __has_feature(address_sanitizer)
#define OOM_UNDER_ASAN 1
#endif
#endif

#if defined(__GLIBC__) && !defined(OOM_UNDER_ASAN)
#define HAVE_OOM_HOOK 1

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);

static long oom_countdown = -1; /* allocations to let through; -1: off */

/* Whose allocation the armed countdown failed: */
enum {
  OOM_NOT_FIRED = 0,
  OOM_BY_PROGRAM = 1, /* the test program's code: the library under test */
  OOM_BY_SHARED = 2   /* a shared library's: the C library inside iconv_open, ... */
};
static int oom_fired;

/* The test program's code (GNU ld's symbols). */
extern const char __executable_start[], etext[];

/* The code of the libraries whose allocations are never failed, read from
 * /proc/self/maps before the first sweep arms the hook. */
#define OOM_MAX_EXEMPT 16
static struct { unsigned long lo, hi; } oom_exempt[OOM_MAX_EXEMPT];
static int oom_n_exempt = -1; /* -1: not read yet */

static int oom_exempt_library(const char *maps_line) {
  return strstr(maps_line, "/libsvm.so") || strstr(maps_line, "/liblinear.so") ||
         strstr(maps_line, "/libstdc++.so");
}

static void oom_read_exempt_code(void) {
  FILE *f = fopen("/proc/self/maps", "r");
  char line[1024];
  oom_n_exempt = 0;
  if (!f) return;
  while (fgets(line, sizeof line, f) && oom_n_exempt < OOM_MAX_EXEMPT) {
    unsigned long lo, hi;
    char perms[5];
    if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && perms[2] == 'x' &&
        oom_exempt_library(line)) {
      oom_exempt[oom_n_exempt].lo = lo;
      oom_exempt[oom_n_exempt].hi = hi;
      oom_n_exempt++;
    }
  }
  fclose(f);
}

/* Allocations the exempt libraries made while the hook was armed: a test
 * that a call allocates nothing unchecked arms it and reads this. */
static long oom_exempt_made;

static int oom_exempt_caller(const void *caller) {
  unsigned long a = (unsigned long)caller;
  int i;
  for (i = 0; i < oom_n_exempt; i++)
    if (a >= oom_exempt[i].lo && a < oom_exempt[i].hi) return 1;
  return 0;
}

/* Whether the allocation asked for by code at `caller` fails; if so errno
 * is ENOMEM, as glibc's allocator leaves it (iconv_open reports it so). */
static int oom_now(const void *caller) {
  if (__atomic_load_n(&oom_countdown, __ATOMIC_SEQ_CST) < 0) return 0;
  if (oom_exempt_caller(caller)) {
    __atomic_fetch_add(&oom_exempt_made, 1, __ATOMIC_SEQ_CST);
    return 0;
  }
  if (__atomic_fetch_sub(&oom_countdown, 1, __ATOMIC_SEQ_CST) != 0) return 0;
  __atomic_store_n(&oom_fired, (const char *)caller >= __executable_start && (const char *)caller < etext
                                  ? OOM_BY_PROGRAM : OOM_BY_SHARED, __ATOMIC_SEQ_CST);
  errno = ENOMEM;
  return 1;
}

/* Exported (the tests are built with -fvisibility=hidden), so the C
 * library's own calls inside iconv_open or pthread_create land here too. */
#define OOM_EXPORTED __attribute__((visibility("default")))

OOM_EXPORTED void *malloc(size_t n) {
  return oom_now(__builtin_return_address(0)) ? NULL : __libc_malloc(n);
}
OOM_EXPORTED void *calloc(size_t n, size_t size) {
  return oom_now(__builtin_return_address(0)) ? NULL : __libc_calloc(n, size);
}
OOM_EXPORTED void *realloc(void *p, size_t n) {
  return oom_now(__builtin_return_address(0)) ? NULL : __libc_realloc(p, n);
}

/* Allocation k from now (0: the next) fails; the others succeed. */
static void oom_fail_at(long k) {
  if (oom_n_exempt < 0) oom_read_exempt_code();
  __atomic_store_n(&oom_fired, OOM_NOT_FIRED, __ATOMIC_SEQ_CST);
  __atomic_store_n(&oom_countdown, k, __ATOMIC_SEQ_CST);
}

/* Every allocation succeeds again; whose allocation failed (OOM_*). */
static int oom_disarm(void) {
  __atomic_store_n(&oom_countdown, -1, __ATOMIC_SEQ_CST);
  return __atomic_load_n(&oom_fired, __ATOMIC_SEQ_CST);
}

typedef struct oom_sweep {
  const char *what;   /* the call swept, for messages */
  long step;          /* the allocation failing in the current attempt */
  long max_steps;     /* attempts before the sweep gives up (and fails) */
  int fired;          /* whose allocation failed in the last attempt (OOM_*) */
  int shared_code;    /* a code a call may return instead of TC_ENOMEM when a shared
                         library's allocation failed (it reported it its own way) */
  int done;           /* an attempt ran without the hook firing */
  long n_failed;      /* attempts the call failed */
  int reported;       /* wrong outcomes printed (at most 5 a sweep) */
} oom_sweep;

static oom_sweep oom_sweep_start(const char *what, long max_steps) {
  oom_sweep s;
  memset(&s, 0, sizeof s);
  s.what = what;
  s.step = -1;
  s.max_steps = max_steps;
  return s;
}

/* Goes on to the next attempt: 0 once an attempt has run without the hook
 * firing, or after max_steps attempts. */
static int oom_next(oom_sweep *s) {
  if (s->done || s->step + 1 >= s->max_steps) return 0;
  s->step++;
  return 1;
}

/* Arms the hook for the attempt: its allocation s->step fails. Whatever the
 * attempt needs made first (a fresh workspace, a copy) is made before. */
static void oom_arm(const oom_sweep *s) { oom_fail_at(s->step); }

static void oom_report(oom_sweep *s, int rc, const char *message) {
  check_failed++;
  if (s->reported++ < 5)
    fprintf(stderr, "%s: %s, allocation %ld failing: returned %d (%s)%s%s\n", check_current, s->what,
            s->step, rc, tc_strerror(rc), message ? ", diag: " : "", message ? message : "");
}

/* Disarms the hook and judges the attempt: 1 when the call failed, 0 when
 * it succeeded (then the caller compares its output with the unhooked
 * one). A failed call must have returned TC_ENOMEM, with a message that
 * says memory ran out when one is given (message: the call's diag
 * message, or NULL for a call without one), or s->shared_code when it is
 * set and a shared library's allocation failed. */
static int oom_failed(oom_sweep *s, int rc, const char *message) {
  int as_said;
  s->fired = oom_disarm();
  if (!s->fired) s->done = 1;
  if (rc == TC_OK) return 0;
  s->n_failed++;
  as_said = rc == TC_ENOMEM ? !message || strstr(message, "memory") != NULL
                            : s->shared_code && rc == s->shared_code && s->fired == OOM_BY_SHARED;
  if (s->fired && as_said) check_passed++;
  else oom_report(s, rc, message);
  return 1;
}

/* Checks the sweep ran to its end (an attempt in which no allocation
 * failed succeeded) after at least min_failed failed calls, and says how
 * far it went; returns the number of allocations swept. */
static long oom_sweep_finish(const oom_sweep *s, long min_failed) {
  if (s->done && s->n_failed >= min_failed) {
    check_passed++;
    printf("allocation failures: %s: %ld allocations failed in turn, %ld calls failed\n",
           s->what, s->step, s->n_failed);
  } else {
    check_failed++;
    fprintf(stderr, "%s: %s: sweep %s after %ld allocations, %ld calls failed (at least %ld wanted)\n",
            check_current, s->what, s->done ? "ended" : "gave up", s->step + 1, s->n_failed, min_failed);
  }
  return s->step;
}

#endif /* HAVE_OOM_HOOK */
#endif /* TC_OOM_H */
