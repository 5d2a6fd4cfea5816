/*
 * lfile.c - textclass.atomic_file: an output file that appears whole or
 * not at all ("textclass.AtomicFile", on the core's tc_outfile).
 *
 * Caveats (design decisions):
 *  - Until commit() the text goes to a temporary file beside the path; a
 *    program that stops early leaves any previous file intact. A file
 *    neither committed nor discarded is discarded when it is collected or
 *    its to-be-closed variable goes out of scope (an error unwinding, or
 *    Ctrl-C in lua5.4). A process killed outright leaves nothing on Linux
 *    (the temporary has no name until the commit, see core/outfile.c),
 *    elsewhere its temporary "<path>.tmp-*"; never a partial file at the
 *    path.
 *  - write() hands its strings to one write(2) each; callers that write
 *    many small records gather them first (eval --errors writes per batch).
 *  - Errors are returned as fail, message, code (as model:save), not
 *    raised: running out of disk space is an outcome to report, not a bug.
 *    Using the file after commit() or discard() raises.
 */
#include <string.h>

#include "ltextclass.h"

#define TCL_FILE "textclass.AtomicFile"

typedef struct tcl_file {
  tc_outfile *f;        /* NULL once committed or discarded */
} tcl_file;

static tcl_file *check_open(lua_State *L) {
  tcl_file *h = luaL_checkudata(L, 1, TCL_FILE);
  if (!h->f) luaL_error(L, "attempt to use a committed or discarded file");
  return h;
}

/***
 * Start writing a file atomically.
 * @function atomic_file
 * @string path
 * @return an AtomicFile
 * @return[2] nil, message, code
 */
int tcl_atomic_file(lua_State *L) {
  const char *path = tcl_check_cstring(L, 1, "path");
  tcl_file *h;
  tc_diag diag;
  int rc;
  tcl_check_nargs(L, 1);
  h = lua_newuserdatauv(L, sizeof *h, 0);
  h->f = NULL;
  luaL_setmetatable(L, TCL_FILE);
  memset(&diag, 0, sizeof diag);
  rc = tc_outfile_open(path, &h->f, &diag);
  if (rc != TC_OK) return tcl_fail(L, rc, &diag, path);
  return 1;
}

/***
 * Append strings (or numbers), like file:write.
 * @function file:write
 * @param ... strings
 * @return the file
 * @return[2] nil, message, code
 */
static int file_write(lua_State *L) {
  tcl_file *h = check_open(L);
  int i, n = lua_gettop(L);
  for (i = 2; i <= n; i++) {
    size_t len;
    const char *s = luaL_checklstring(L, i, &len);
    tc_diag diag;
    int rc;
    memset(&diag, 0, sizeof diag);
    rc = tc_outfile_write(h->f, s, len, &diag);
    if (rc != TC_OK) return tcl_fail(L, rc, &diag, NULL);
  }
  lua_settop(L, 1);
  return 1;
}

/***
 * Put the file at its path (fsync, rename, fsync of the directory).
 * @function file:commit
 * @return true
 * @return[2] nil, message, code
 */
static int file_commit(lua_State *L) {
  tcl_file *h = check_open(L);
  tc_outfile *f = h->f;
  tc_diag diag;
  int rc;
  tcl_check_nargs(L, 1);
  h->f = NULL; /* freed by the commit, whatever its outcome */
  memset(&diag, 0, sizeof diag);
  rc = tc_outfile_commit(f, &diag);
  if (rc != TC_OK) return tcl_fail(L, rc, &diag, NULL);
  lua_pushboolean(L, 1);
  return 1;
}

/***
 * Drop what was written; any previous file at the path stays. Idempotent.
 * @function file:discard
 */
static int file_discard(lua_State *L) {
  tcl_file *h = luaL_checkudata(L, 1, TCL_FILE);
  tc_outfile_discard(h->f);
  h->f = NULL;
  return 0;
}

static int file_tostring(lua_State *L) {
  tcl_file *h = luaL_checkudata(L, 1, TCL_FILE);
  lua_pushfstring(L, "textclass.AtomicFile (%s)", h->f ? "open" : "closed");
  return 1;
}

void tcl_file_register(lua_State *L) {
  static const luaL_Reg meta[] = {
    {"__gc", file_discard},
    {"__close", file_discard},
    {"__tostring", file_tostring},
    {"__index", NULL}, /* placeholder: the methods */
    {NULL, NULL}
  };
  static const luaL_Reg methods[] = {
    {"write", file_write},
    {"commit", file_commit},
    {"discard", file_discard},
    {NULL, NULL}
  };
  tcl_register_class(L, TCL_FILE, meta, methods);
}
