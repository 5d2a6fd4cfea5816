/* fuzz_lines.c - libFuzzer target for the command line's line reader,
 * lua/textclass/cli/stream.lua, which is Lua: it runs tests/fuzz/fuzz_lines.lua
 * (the checks) in a Lua state that loads the module from the build
 * (TEXTCLASS_BUILD, make's BUILD) and the Lua files from lua/.
 *
 *   make fuzz FUZZ_SECONDS=60
 *
 * The input's first byte says how to read the rest, the file:
 *  - bits 0-2: the length the file is grown to, its middle third repeated
 *    (expand): none, or just under or past the 8 KB sniffed head, the
 *    64 KB block, the 256 KB a line is gathered up to (GATHERED_MOST; a
 *    longer one is read again from its start), or well past it. make
 *    fuzz's inputs are 64 KB at most (-max_len): only grown do they reach
 *    the paths of lines longer than a block;
 *  - bits 3-4: the longest line kept (limit);
 *  - bit 5: whether every other call asks for a chunk of whole lines.
 * A file that would begin with a byte order mark (EF, FE, FF or 00 first)
 * begins with an "x" before it.
 * Coverage: libFuzzer sees none of Lua's own (liblua and the module are
 * not instrumented), so a line hook counts the Lua lines run, each in one
 * of libFuzzer's extra counters, by its number alone (the lines of
 * stream.lua, the checks' and a few of util.lua's share them). The hook
 * doubles a run's time: 15 to 30 ms for a file of 2,700 short lines, some
 * 30 runs a second in all. make fuzz gives it a third of FUZZ_SECONDS
 * (ten more seconds in CI, beside nine targets of thirty): the paths are
 * few, and its seeds lead to each (seeds/fuzz_lines).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

#ifndef TEXTCLASS_BUILD
#define TEXTCLASS_BUILD "build"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The Lua lines run, by number, in libFuzzer's extra counters (a section
 * it finds by name). */
#define LINE_COUNTERS 4096
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t lua_lines[LINE_COUNTERS];

static void count_line(lua_State *L, lua_Debug *ar) {
  (void)L;
  lua_lines[(unsigned)ar->currentline % LINE_COUNTERS]++;
}

static const size_t LENGTHS[8] = {0, 8191, 8193, 65535, 65537, 262143, 262145, 300000};
static const lua_Integer LIMITS[4] = {64, 8192, 70000, (lua_Integer)1 << 40};

static lua_State *state;

/* Call fuzz_lines.lua's function `name` with the n values on the stack;
 * a failure aborts (a broken promise, or the harness's own). */
static void call(lua_State *L, const char *name, int n) {
  lua_getglobal(L, "fuzz_lines");
  lua_getfield(L, -1, name);
  lua_replace(L, -2);
  lua_insert(L, -n - 1);
  if (lua_pcall(L, n, 0, 0) != LUA_OK) {
    fprintf(stderr, "fuzz_lines: %s\n", lua_tostring(L, -1));
    abort();
  }
}

/* At exit: the file of the checks removed. */
static void remove_file(void) { call(state, "remove", 0); }

/* A state with the checks (global fuzz_lines), the line hook set. */
static lua_State *open_state(void) {
  lua_State *L = luaL_newstate();
  if (!L) abort();
  luaL_openlibs(L);
  if (luaL_dostring(L, "package.path = 'lua/?.lua;lua/?/init.lua;' .. package.path\n"
                       "package.cpath = '" TEXTCLASS_BUILD "/?.so;' .. package.cpath\n"
                       "fuzz_lines = dofile('tests/fuzz/fuzz_lines.lua')") != LUA_OK) {
    fprintf(stderr, "fuzz_lines: %s (run from the top of the tree, after make)\n", lua_tostring(L, -1));
    abort();
  }
  lua_sethook(L, count_line, LUA_MASKLINE, 0);
  return L;
}

/* The file's bytes: body with its middle third repeated until it is at
 * least `length` long (when it is shorter and has a third), after an "x"
 * when it would begin with a byte order mark's first byte; malloc'd. */
static uint8_t *file_bytes(const uint8_t *body, size_t size, size_t length, size_t *len) {
  size_t from = size / 3, piece = size / 3, copies = 1, i;
  int mark = size > 0 && (body[0] == 0xEF || body[0] == 0xFE || body[0] == 0xFF || body[0] == 0);
  uint8_t *out, *p;
  if (piece > 0 && size < length) copies = (length - (size - piece) + piece - 1) / piece;
  *len = (size_t)mark + size - piece + copies * piece;
  out = malloc(*len ? *len : 1);
  if (!out) abort();
  p = out;
  if (mark) *p++ = 'x';
  memcpy(p, body, from);
  p += from;
  for (i = 0; i < copies; i++, p += piece) memcpy(p, body + from, piece);
  memcpy(p, body + from + piece, size - from - piece);
  return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t len;
  uint8_t *bytes;
  if (size == 0) return 0;
  if (!state) {
    state = open_state();
    atexit(remove_file);
  }
  bytes = file_bytes(data + 1, size - 1, LENGTHS[data[0] & 7], &len);
  lua_settop(state, 0);
  lua_pushlstring(state, (const char *)bytes, len);
  free(bytes);
  lua_pushinteger(state, LIMITS[(data[0] >> 3) & 3]);
  lua_pushboolean(state, (data[0] >> 5) & 1);
  call(state, "check", 3);
  return 0;
}
