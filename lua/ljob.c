/*
 * ljob.c - "textclass.Batch": a predict_batch that runs on a thread of its
 * own while Lua goes on, so a program can read and write the next batch
 * while the core labels this one (`textclass label -j N` does).
 *
 * Caveats (design decisions):
 *  - The thread runs only tcl_batch_run (the core, no Lua): the batch's
 *    strings, text pointers and results live in Lua objects the Batch
 *    keeps in its user values (a private copy of the texts table, so the
 *    caller may change or drop theirs; the scratch userdata; the model
 *    handle), and Lua's collector does not move objects, so nothing the
 *    thread reads or writes can go away before it is joined.
 *  - Only wait() and the finaliser join the thread. wait() pushes the
 *    results (as predict_batch would); a second wait() gives them again.
 *  - The model handle counts its running batches; closing it before they
 *    are waited for raises, instead of freeing memory a thread still reads.
 *    A Batch dropped without wait() is joined when collected (or when its
 *    to-be-closed variable goes out of scope).
 *  - When the thread cannot be started the batch runs at once on the
 *    calling thread: slower, same results.
 */
#include <pthread.h>
#include <string.h>

#include "ltextclass.h"

#define TCL_JOB "textclass.Batch"

enum { UV_MODEL = 1, UV_TEXTS, UV_SCRATCH, UV_COUNT = UV_SCRATCH };

typedef struct tcl_job {
  tcl_model *h;         /* the handle in UV_MODEL; NULL once joined and released */
  tcl_batch b;
  double threshold;
  int threads;
  size_t top;           /* labels per result (opts.top) */
  int thread_started;   /* a thread to join */
  pthread_t tid;
} tcl_job;

static void *job_main(void *arg) {
  tcl_job *j = arg;
  tcl_batch_run(j->h->model, &j->b, j->threshold, j->threads);
  return NULL;
}

/* Join the thread if there is one and let the model go; idempotent. */
static void job_finish(tcl_job *j) {
  if (j->thread_started) {
    pthread_join(j->tid, NULL);
    j->thread_started = 0;
  }
  if (j->h) {
    j->h->running--;
    j->h = NULL;
  }
}

/***
 * Start classifying many texts on a thread of their own.
 * @function model:predict_async
 * @tab texts sequence of strings
 * @tab[opt] opts as predict_batch's: {threads = n, threshold = n, top = n}
 * @return a Batch; batch:wait() returns what predict_batch would have
 */
int tcl_model_predict_async(lua_State *L) {
  tcl_model *h = tcl_check_model(L, 1);
  size_t n, i, top;
  double threshold;
  int threads, idx;
  tcl_job *j;
  tcl_predict_opts(L, 3, &threshold, &threads, &top);
  tcl_check_nargs(L, 3);
  n = tcl_check_texts(L, 2, 2, "texts");
  lua_settop(L, 2);
  j = lua_newuserdatauv(L, sizeof *j, UV_COUNT); /* 3 */
  memset(j, 0, sizeof *j);
  luaL_setmetatable(L, TCL_JOB);
  idx = lua_gettop(L);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, idx, UV_MODEL);
  lua_createtable(L, n <= 0x7fffffff ? (int)n : 0, 0); /* the private copy of texts */
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, 2, (lua_Integer)i);
    lua_rawseti(L, -2, (lua_Integer)i);
  }
  j->b = tcl_batch_prepare(L, h, -1, n);
  lua_setiuservalue(L, idx, UV_SCRATCH);
  lua_setiuservalue(L, idx, UV_TEXTS);
  j->threshold = threshold;
  j->threads = threads;
  j->top = top;
  tcl_still_open(L, h); /* (before j holds it: its finaliser lets it go) */
  j->h = h;
  h->running++;
  if (pthread_create(&j->tid, NULL, job_main, j) == 0) {
    j->thread_started = 1;
  } else {
    tcl_batch_run(h->model, &j->b, threshold, threads);
  }
  return 1;
}

static tcl_job *check_job(lua_State *L) { return luaL_checkudata(L, 1, TCL_JOB); }

/***
 * Wait for the batch and return its results.
 * @function batch:wait
 * @return array of results in input order, as model:predict_batch
 */
static int job_wait(lua_State *L) {
  tcl_job *j = check_job(L);
  const tcl_model *h;
  tcl_check_nargs(L, 1);
  job_finish(j);
  lua_getiuservalue(L, 1, UV_MODEL);
  h = luaL_checkudata(L, -1, TCL_MODEL);
  if (!h->model) return luaL_error(L, "attempt to use a closed model");
  lua_getiuservalue(L, 1, UV_SCRATCH); /* keeps the results alive while pushing */
  tcl_push_results(L, -2, h, j->b.res, j->b.n, j->top);
  return 1;
}

/* __gc and __close: join, so no thread outlives the memory it uses. */
static int job_gc(lua_State *L) {
  job_finish(check_job(L));
  return 0;
}

static int job_tostring(lua_State *L) {
  tcl_job *j = check_job(L);
  lua_pushfstring(L, "textclass.Batch (%I text%s)", (lua_Integer)j->b.n, j->b.n == 1 ? "" : "s");
  return 1;
}

static const luaL_Reg job_meta[] = {
  {"__gc", job_gc},
  {"__close", job_gc},
  {"__tostring", job_tostring},
  {"__index", NULL}, /* placeholder: the methods (tcl_register_class) */
  {NULL, NULL}
};

static const luaL_Reg job_methods[] = {
  {"wait", job_wait},
  {NULL, NULL}
};

void tcl_job_register(lua_State *L) { tcl_register_class(L, TCL_JOB, job_meta, job_methods); }
