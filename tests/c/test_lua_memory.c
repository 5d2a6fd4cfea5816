/* test_lua_memory.c - the Lua module under memory errors.
 *
 * Any Lua API call that allocates can raise a memory error, by longjmp,
 * in the middle of a binding function. Each case of
 * tests/c/test_lua_memory.lua (module functions, model methods, readers)
 * runs in a lua_State whose allocator refuses the Nth allocation made
 * while the case runs, for N = 0, 1, 2, ... until the case completes;
 * twice over: refusing every allocation after it too (nothing can be
 * made on the way out), then only that one (and Lua's second try of it,
 * after the collection it runs first), so that the code that catches the
 * error has memory to go on with. Each sweep checks that:
 *   - every refusal ends the call as a Lua error that says "not enough
 *     memory", or not at all (never a crash, an abort, or a memory error
 *     turned into another outcome: nil, an error record, a wrong result);
 *   - a full collection after it (the finalisers of whatever the call had
 *     half made) and the next runs on the same state are sound: a case
 *     checks its results, and its objects carry over from run to run;
 *   - it refused at least one allocation and then completed (a sweep that
 *     tested nothing fails);
 *   - lua_close leaves no byte of Lua's allocated, and no file descriptor
 *     open that the case opened.
 * A C resource the binding held when the error struck and did not own
 * through a userdata with a finaliser is leaked: `make valgrind` and
 * `make SANITIZE=address test` (LeakSanitizer) report it, whose stack
 * names the call.
 *
 * Run from the source tree's root (make test does). With a case name as
 * argument, runs that case only.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#include "check.h"

#define CASES "tests/c/test_lua_memory.lua"
#define MAX_RUNS 100000 /* allocations a case may make: a runaway sweep stops */

int luaopen_textclass(lua_State *L);

/* How a sweep refuses: every allocation from the Nth on, or the Nth only
 * (and the next, Lua's second try of it after an emergency collection). */
enum { FROM_N_ON, N_ONLY };

/* What the allocator grants, and what it refuses while armed. */
typedef struct budget {
  size_t in_use;         /* bytes Lua holds */
  int armed;             /* a case is running: count its allocations */
  int mode;              /* FROM_N_ON or N_ONLY */
  unsigned long left;    /* allocations still granted while armed */
  unsigned long refused; /* allocations refused since armed */
} budget;

/* A lua_Alloc that refuses growing once `left` is spent (Lua counts on
 * shrinking never failing, so a shrink is always granted). */
static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  budget *b = ud;
  void *p;
  if (!ptr) osize = 0; /* (osize then names the kind of object) */
  if (nsize == 0) {
    free(ptr);
    b->in_use -= osize;
    return NULL;
  }
  if (b->armed && nsize > osize) {
    if (b->left == 0) {
      if (++b->refused == 2 && b->mode == N_ONLY) b->left = (unsigned long)-1;
      return NULL;
    }
    b->left--;
  }
  p = realloc(ptr, nsize);
  if (p) b->in_use = b->in_use - osize + nsize;
  return p;
}

/* Where the sweep is, for messages and a panic (an error outside any
 * pcall); the case's name is copied, as its state is closed before the
 * last checks. */
static char current_case[128];
static unsigned long current_n;

static int panic(lua_State *L) {
  fprintf(stderr, "%s: N = %lu: unprotected error: %s\n", current_case, current_n,
          lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(not a string)");
  abort();
}

/* Is the error on top of the stack (status from lua_pcall) a memory error,
 * raised as one or carried in a message (a progress callback's, re-raised;
 * a reader's "PATH: not enough memory"; lua-cjson.safe's own words for
 * one, which the readers' JSON writer raises as they come)? */
static int is_memory_error(lua_State *L, int status) {
  const char *msg = lua_tostring(L, -1);
  return status == LUA_ERRMEM ||
         (msg && (strstr(msg, "not enough memory") || strstr(msg, "Memory allocation error in CJSON")));
}

static void print_error(lua_State *L, const char *what, unsigned long n) {
  const char *msg = lua_tostring(L, -1);
  fprintf(stderr, "%s: N = %lu: %s: %s\n", current_case, n, what, msg ? msg : luaL_typename(L, -1));
}

/* A state with the standard libraries, this tree's Lua files and the
 * module (linked in), and the cases table on its stack (index 1). */
static lua_State *new_state(budget *b, const char *dir) {
  luaL_Buffer warm;
  lua_State *L = lua_newstate(budget_alloc, b);
  if (!L) return NULL;
  lua_atpanic(L, panic);
  luaL_openlibs(L);
  lua_getglobal(L, "package");
  lua_pushliteral(L, "lua/?.lua;lua/?/init.lua;");
  lua_getfield(L, -2, "path");
  lua_concat(L, 2);
  lua_setfield(L, -2, "path");
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, luaopen_textclass);
  lua_setfield(L, -2, "textclass");
  lua_pop(L, 2);
  /* Lua 5.4's lauxlib makes the metatable of a luaL_Buffer's box (with
   * its __close) when a state first needs a box: a memory error between
   * registering the table and filling it leaves every later box
   * unclosable ("got a non-closable value"), which is lauxlib's to fix,
   * not the module's. A long buffer made here registers it whole. */
  luaL_buffinitsize(L, &warm, 2 * LUAL_BUFFERSIZE);
  luaL_pushresultsize(&warm, 0);
  lua_pop(L, 1);
  if (luaL_loadfile(L, CASES) != LUA_OK) {
    fprintf(stderr, "%s\n", lua_tostring(L, -1));
    lua_close(L);
    return NULL;
  }
  lua_pushstring(L, dir);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    fprintf(stderr, "%s: %s\n", CASES, lua_tostring(L, -1));
    lua_close(L);
    return NULL;
  }
  return L;
}

/* Sweep the run function at index `run` with its context at `ctx`, in
 * mode b->mode: N = 0, 1, ... allocations granted until a run completes
 * with nothing refused. */
static void sweep_runs(lua_State *L, budget *b, int run, int ctx) {
  unsigned long n, other_errors = 0, raised = 0;
  int completed = 0;
  for (n = 0; n < MAX_RUNS; n++) {
    int status;
    current_n = n;
    lua_gc(L, LUA_GCCOLLECT); /* the finalisers of the last run's objects, half made or not */
    lua_pushvalue(L, run);
    lua_pushvalue(L, ctx);
    b->left = n;
    b->refused = 0;
    b->armed = 1;
    status = lua_pcall(L, 1, 0, 0);
    b->armed = 0;
    if (status == LUA_OK) {
      if (b->refused == 0) {
        completed = 1;
        break;
      }
      continue;
    }
    if (b->refused == 0) { /* the run failed on its own: its check, or a bug */
      print_error(L, "failed with every allocation granted", n);
      break;
    }
    raised++;
    if (!is_memory_error(L, status) && other_errors++ < 3) print_error(L, "not a memory error", n);
    lua_pop(L, 1);
  }
  fprintf(stderr, "%s %s after %lu allocations; ", b->mode == N_ONLY ? "N only:" : "from N on:",
          completed ? "completed" : "never completed", n);
  CHECK(completed);
  CHECK(raised > 0); /* it allocated: the sweep tested something */
  CHECK_EQ_INT(other_errors, 0);
}

/* Sweep case i of the cases table at index 1: its setup, unlimited, then
 * its run, in each mode. */
static void sweep(lua_State *L, budget *b, int i) {
  int run, ctx;
  lua_rawgeti(L, 1, i);
  lua_getfield(L, -1, "name");
  snprintf(current_case, sizeof current_case, "%s", lua_tostring(L, -1));
  check_current = current_case;
  fprintf(stderr, "%s: ", current_case); /* (shown only when the program fails: which case crashed) */
  lua_getfield(L, -2, "run");
  run = lua_gettop(L);
  lua_getfield(L, -3, "setup");
  if (lua_pcall(L, 0, 1, 0) != LUA_OK) {
    print_error(L, "setup", 0);
    CHECK(!"the case's setup ran");
    return;
  }
  ctx = lua_gettop(L);
  for (b->mode = FROM_N_ON; b->mode <= N_ONLY; b->mode++) sweep_runs(L, b, run, ctx);
  fputc('\n', stderr);
  lua_settop(L, 1);
}

/* How many file descriptors the process has open (Linux's /proc), or -1
 * when that cannot be told. */
static int open_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  int entries = 0;
  if (!d) return -1;
  while (readdir(d)) entries++;
  closedir(d);
  return entries - 3; /* ".", ".." and the directory's own descriptor */
}

/* Run case i (1-based) in a state of its own; 0 when there is none. */
static int run_case(int i, const char *only, const char *dir) {
  budget b;
  lua_State *L;
  int exists, selected, fds = open_fds();
  memset(&b, 0, sizeof b);
  L = new_state(&b, dir);
  if (!L) {
    CHECK(!"the cases load");
    return 0;
  }
  exists = lua_rawgeti(L, 1, i) == LUA_TTABLE;
  if (exists) {
    lua_getfield(L, -1, "name");
    selected = !only || strcmp(lua_tostring(L, -1), only) == 0;
    lua_pop(L, 2);
    if (selected) sweep(L, &b, i);
    lua_getfield(L, 1, "cleanup");
    if (lua_pcall(L, 0, 0, 0) != LUA_OK) print_error(L, "cleanup", 0);
  }
  lua_close(L);
  CHECK_EQ_INT(b.in_use, 0);
  if (fds >= 0) CHECK_EQ_INT(open_fds(), fds);
  return exists;
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : NULL;
  char dir[] = "/tmp/tc_lua_memory.XXXXXX";
  int i;
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  for (i = 1; run_case(i, only, dir); i++) continue;
  CHECK(i > 1);
  CHECK(rmdir(dir) == 0); /* each case removes the files it made */
  return check_report();
}
