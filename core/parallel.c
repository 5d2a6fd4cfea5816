/* parallel.c - run independent tasks on a few POSIX threads.
 *
 * Caveats:
 *  - Tasks are handed out in index order from a shared counter, so which
 *    thread runs which task varies; callers make results independent of
 *    that by writing task i's result to slot i only.
 *  - The calling thread runs no task when workers exist: it waits and
 *    calls the progress callback, so callbacks (Lua, a progress bar) only
 *    ever run on the caller's thread.
 *  - With one thread, or when no thread can be created, the caller runs
 *    the tasks itself, reporting between tasks: same results, same
 *    callback thread.
 *  - Cancelling stops handing out tasks; tasks already running finish
 *    (there is no way to interrupt libsvm or liblinear), then the call
 *    returns TC_ECANCELED. A cancel always wins, even when every task had
 *    finished by then: the caller asked to stop, so it gets no result.
 *  - The callback is called at least once (with done == n on success). */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "internal.h"

#define MAX_THREADS 256

typedef struct pool {
  pthread_mutex_t mu;
  pthread_cond_t cv;       /* signalled when a task completes */
  size_t n, next, done;
  int cancel;
  void (*task)(void *ud, size_t i);
  void *ud;
} pool;

static void *worker(void *arg) {
  pool *p = arg;
  for (;;) {
    size_t i;
    pthread_mutex_lock(&p->mu);
    if (p->cancel || p->next >= p->n) {
      pthread_mutex_unlock(&p->mu);
      return NULL;
    }
    i = p->next++;
    pthread_mutex_unlock(&p->mu);
    p->task(p->ud, i);
    pthread_mutex_lock(&p->mu);
    p->done++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
  }
}

int tci_cores(void) {
  long c = sysconf(_SC_NPROCESSORS_ONLN);
  return c < 1 ? 1 : c > MAX_THREADS ? MAX_THREADS : (int)c;
}

static int run_inline(size_t n, void (*task)(void *, size_t), void *ud,
                      tc_progress_fn progress, void *pud, const char *stage) {
  size_t i;
  for (i = 0; i < n; i++) {
    task(ud, i);
    if (progress && progress(pud, stage, i + 1, n)) return TC_ECANCELED;
  }
  return TC_OK;
}

/* The caller's part while workers run: wait for tasks to complete and
 * report each new count (with the lock released), until every task is
 * done or, after a cancel, the running ones have finished. */
static int wait_reporting(pool *p, tc_progress_fn progress, void *pud, const char *stage) {
  size_t reported = 0;
  int rc = TC_OK;
  pthread_mutex_lock(&p->mu);
  while (p->done < p->n && !(p->cancel && p->done == p->next)) {
    if (p->done == reported) {
      pthread_cond_wait(&p->cv, &p->mu);
      continue;
    }
    reported = p->done;
    if (progress && !p->cancel) {
      int stop;
      pthread_mutex_unlock(&p->mu);
      stop = progress(pud, stage, reported, p->n);
      pthread_mutex_lock(&p->mu);
      if (stop) {
        p->cancel = 1;
        rc = TC_ECANCELED;
      }
    }
  }
  /* Report the final count once if the loop ended before reporting it. */
  if (!p->cancel && progress && reported < p->n) {
    pthread_mutex_unlock(&p->mu);
    if (progress(pud, stage, p->n, p->n)) rc = TC_ECANCELED;
    pthread_mutex_lock(&p->mu);
  }
  pthread_mutex_unlock(&p->mu);
  return rc;
}

int tci_parallel_for(size_t n, int threads, void (*task)(void *ud, size_t i), void *ud,
                     tc_progress_fn progress, void *pud, const char *stage) {
  pool p;
  pthread_t tid[MAX_THREADS];
  int t, started = 0, rc;
  if (!task) return TC_EINVAL;
  if (n == 0) return TC_OK;
  if (threads <= 0) threads = tci_cores();
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if ((size_t)threads > n) threads = (int)n;
  if (threads == 1) return run_inline(n, task, ud, progress, pud, stage);

  p.n = n;
  p.next = p.done = 0;
  p.cancel = 0;
  p.task = task;
  p.ud = ud;
  if (pthread_mutex_init(&p.mu, NULL)) return run_inline(n, task, ud, progress, pud, stage);
  if (pthread_cond_init(&p.cv, NULL)) {
    pthread_mutex_destroy(&p.mu);
    return run_inline(n, task, ud, progress, pud, stage);
  }
  for (t = 0; t < threads; t++) {
    if (pthread_create(&tid[t], NULL, worker, &p)) break;
    started++;
  }
  if (started == 0) {
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    return run_inline(n, task, ud, progress, pud, stage);
  }

  rc = wait_reporting(&p, progress, pud, stage);
  for (t = 0; t < started; t++) pthread_join(tid[t], NULL);
  pthread_cond_destroy(&p.cv);
  pthread_mutex_destroy(&p.mu);
  return rc;
}
