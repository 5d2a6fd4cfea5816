/*
 * lbox.c - boxes: userdata that own one core object for the length of a
 * binding call.
 *
 * The binding never calls malloc itself. Core objects a call needs for a
 * while (a dataset, a metrics accumulator, a temporary extractor) are put
 * in a box whose stack slot is to-be-closed, so that however the call ends
 * (return, a raised argument error, a memory error, an error re-raised
 * from a progress callback) the object is freed first: "clean up, then
 * raise" without a cleanup label in every function. Plain scratch arrays
 * are userdata the collector owns (tcl_scratch).
 */
#include "ltextclass.h"

static int box_gc(lua_State *L) {
  tcl_box *b = luaL_checkudata(L, 1, TCL_BOX);
  if (b->p) {
    void *p = b->p;
    b->p = NULL; /* first, so a second call (gc after close) does nothing */
    b->free(p);
  }
  return 0;
}

void tcl_box_register(lua_State *L) {
  static const luaL_Reg meta[] = {
    {"__gc", box_gc},
    {"__close", box_gc},
    {NULL, NULL}
  };
  luaL_newmetatable(L, TCL_BOX);
  luaL_setfuncs(L, meta, 0);
  lua_pushliteral(L, "locked"); /* getmetatable(box) from Lua gives nothing useful */
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
}

tcl_box *tcl_box_push(lua_State *L, void (*fn)(void *p)) {
  tcl_box *b = lua_newuserdatauv(L, sizeof *b, 0);
  b->p = NULL;
  b->free = fn;
  luaL_setmetatable(L, TCL_BOX);
  lua_toclose(L, -1);
  return b;
}

void tcl_free_dataset(void *p) { tc_dataset_free(p); }
void tcl_free_metrics(void *p) { tc_metrics_free(p); }
void tcl_free_extractor(void *p) { tc_extractor_free(p); }

void *tcl_scratch(lua_State *L, size_t n, size_t size) {
  if (size != 0 && n > ((size_t)-1 >> 1) / size)
    luaL_error(L, "textclass: %I items of %I bytes do not fit in memory",
               (lua_Integer)n, (lua_Integer)size);
  return lua_newuserdatauv(L, (n != 0 && size != 0) ? n * size : 1, 0);
}
