/*
 * lsignal.c - textclass.stop_on_signals and textclass.stop_signal: SIGTERM
 * and SIGHUP stop a program the way lua5.4 stops it on Ctrl-C, so the
 * command line ends on a whole record and discards what it was writing
 * atomically, whoever stops it (timeout, kill, systemd, a closed terminal).
 *
 * Caveats (design decisions):
 *  - lua5.4 catches SIGINT itself: its handler sets a hook that raises
 *    "interrupted!" at the next Lua instruction. This handler does the
 *    same, so every pcall that raises Ctrl-C again (is_interrupt) raises
 *    these too, and notes the signal, for stop_signal to tell which came.
 *    C code running (a batch on the core's threads, libsvm training)
 *    finishes its call first, as it does on Ctrl-C.
 *  - As lua5.4's, the handler is installed without SA_RESTART: a read
 *    waiting for input (a pipe, a terminal) returns at once, and the hook
 *    stops the program before Lua sees the failed read. A write waiting
 *    on a full pipe goes on once part of it is out, but one interrupted
 *    before its first byte fails, and stdio drops what it held: so the
 *    command line hands each batch of records to one write(2) (label's
 *    stdout is unbuffered), and atomic files retry (core/outfile.c).
 *  - A second signal, of either kind, has the default action (the process
 *    ends at once), as a second Ctrl-C does: a program stuck in C code or
 *    in a write to a pipe nobody reads can still be stopped.
 *  - A signal ignored when stop_on_signals is called (nohup's SIGHUP, a
 *    parent's `trap '' TERM`) stays ignored.
 *  - A signal is the process's, so the handler's state is the module's
 *    only C statics: the main thread of the Lua state that called
 *    stop_on_signals, the system thread it runs on, and the signal
 *    caught. One state per process calls it. When that state is closed
 *    (os.exit(code, true) closes it), a sentinel in its registry gives
 *    the signals their default action again, so the handler never
 *    touches a closed state.
 *  - A signal delivered to another thread (predict_async's, the core's
 *    pool) is passed on to the Lua state's thread, so that the hook is only
 *    ever set by a handler interrupting that thread, as lua5.4's is.
 */
#include <pthread.h>
#include <signal.h>

#include "ltextclass.h"

#define TCL_CATCHER "textclass.SignalCatcher"

static lua_State *volatile stopping_state; /* NULL once that state is closing */
static pthread_t lua_thread;
static volatile sig_atomic_t caught; /* the signal that asked to stop, or 0 */

static const int stop_signals[] = {SIGTERM, SIGHUP};
#define N_STOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])

/* The hook the handler sets: it clears itself and raises the message
 * lua5.4 raises on Ctrl-C, which is_interrupt recognises. */
static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

static void on_stop_signal(int sig) {
  if (!pthread_equal(pthread_self(), lua_thread)) {
    pthread_kill(lua_thread, sig);
    return;
  }
  if (caught || !stopping_state) { /* the second, or no state to stop: end now */
    signal(sig, SIG_DFL);
    raise(sig); /* (blocked until this handler returns) */
    return;
  }
  caught = sig;
  lua_sethook(stopping_state, stop_hook, LUA_MASKCALL | LUA_MASKRET | LUA_MASKCOUNT, 1);
}

/* Catch sig unless it is ignored; both signals are blocked while the
 * handler runs, so one never interrupts the other's. */
static void catch_unless_ignored(int sig) {
  struct sigaction old, sa;
  size_t i;
  if (sigaction(sig, NULL, &old) != 0 || old.sa_handler == SIG_IGN) return;
  sa.sa_handler = on_stop_signal;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  for (i = 0; i < N_STOP_SIGNALS; i++) sigaddset(&sa.sa_mask, stop_signals[i]);
  sigaction(sig, &sa, NULL);
}

/* __gc of the registry's sentinel: the state is being closed, so the
 * signals this module caught get their default action again. */
static int release_signals(lua_State *L) {
  size_t i;
  (void)L;
  stopping_state = NULL;
  for (i = 0; i < N_STOP_SIGNALS; i++) {
    struct sigaction cur;
    if (sigaction(stop_signals[i], NULL, &cur) == 0 && cur.sa_handler == on_stop_signal)
      signal(stop_signals[i], SIG_DFL);
  }
  return 0;
}

/* Put the sentinel in the registry, once: everything that can raise (a
 * memory error) is done before a handler is installed. */
static void keep_sentinel(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, TCL_CATCHER) != LUA_TNIL) return;
  lua_newuserdatauv(L, 0, 0);
  if (luaL_newmetatable(L, TCL_CATCHER)) {
    lua_pushcfunction(L, release_signals);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, TCL_CATCHER);
}

/***
 * Make SIGTERM and SIGHUP stop the program as Ctrl-C does under lua5.4:
 * an "interrupted!" error at the next Lua instruction.
 * @function stop_on_signals
 */
int tcl_stop_on_signals(lua_State *L) {
  size_t i;
  tcl_check_nargs(L, 0);
  keep_sentinel(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  stopping_state = lua_tothread(L, -1);
  lua_thread = pthread_self();
  for (i = 0; i < N_STOP_SIGNALS; i++) catch_unless_ignored(stop_signals[i]);
  return 0;
}

/***
 * The signal that stopped the program through stop_on_signals.
 * @function stop_signal
 * @return its number (15 for SIGTERM, 1 for SIGHUP), or nil when none came
 */
int tcl_stop_signal(lua_State *L) {
  tcl_check_nargs(L, 0);
  if (caught) lua_pushinteger(L, caught);
  else luaL_pushfail(L);
  return 1;
}
