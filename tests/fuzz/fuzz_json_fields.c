/* fuzz_json_fields.c - libFuzzer target for textclass.json_fields,
 * textclass.json_keys and textclass.jsonl_documents (lua/ljson.c), the
 * JSONL fast paths of the command line's readers.
 *
 *   make fuzz FUZZ_SECONDS=60
 *
 * Any bytes go in as the line; the field names are "text" and "id", and
 * for a line of odd length a limit of its length modulo 16 and "title"
 * after the others table (a text in several fields, as --text-field
 * title,body reads it, longer ones measured).
 * Beyond what the sanitizers catch (every read stays inside the line, the
 * depth limit holds the recursion), it checks the function's promises and
 * aborts when one breaks:
 *  - it never raises on a string line;
 *  - it returns either false alone or a (value, kind) pair for each
 *    name, whose kind is "string", "number", "large" (with a limit),
 *    "other" or "absent", with a value exactly for strings, numbers and
 *    large strings (their length: over the limit, at most the line's);
 *  - a decoded string is never longer than the line (escapes only shrink)
 *    and a number token is a substring of the line;
 *  - the table of other members holds string keys other than the names
 *    (a piece of the line, or decoded from escapes), each with a
 *    non-empty piece of the line as its value.
 * json_keys of the same bytes never raises and returns false exactly
 * when json_fields does, else a table of string keys, each no longer than
 * the line, each = true.
 * json_precheck of the same bytes never raises and returns nothing, or
 * the place of a '[' or '{' in them (the bracket that opens level 1001),
 * and nothing when json_fields read them.
 * The same bytes then go to jsonl_documents as a chunk of lines, read for
 * `label` (fields kept) and for `train` (labelled): it never raises, and
 * gives one entry per line, either the line itself or a record whose
 * text is a non-empty piece of at most the line's length (or whose error
 * says its text is too large, of at most the line's length) and whose id
 * is a string; once of the two, the bytes are given as the lines first to
 * last of a longer string, whose other lines must not be read.
 * With FUZZ_EXPAND set in its environment, as make fuzz's second run of
 * this target sets it, every input goes in expanded (expand): its middle
 * third repeated until the line passes ROOM, 64 KB, by up to 16 KB more
 * as its last byte says. Past ROOM a line's decoded strings get a buffer
 * of their own and the strings not wanted are measured, not decoded (as
 * stream.lua's block is 64 KB, the longest chunk of lines is), a path the
 * inputs of `make fuzz` (-max_len=65536) never reached: a long string (the
 * third inside one), deep nesting (inside brackets), many members. A run
 * of its own: an expanded input takes some 25 times as long, and mixed
 * into one run (one input size in 64) they cut its runs a second from
 * 21,000 to 4,300 and its edges after 25 s from 815 to 793.
 * Agreement with lua-cjson is checked by tests/lua/json_fields_spec.lua,
 * and with the readers' line-at-a-time path by jsonl_documents_spec.lua.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua.h"
#include "lauxlib.h"

int tcl_json_fields(lua_State *L);
int tcl_json_keys(lua_State *L);
int tcl_json_precheck(lua_State *L);
int tcl_jsonl_documents(lua_State *L);
void tcl_check_nargs(lua_State *L, int max);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* lspec.c's, which brings the whole module along: the same rule. */
void tcl_check_nargs(lua_State *L, int max) {
  if (lua_gettop(L) > max) luaL_argerror(L, max + 1, "unexpected argument");
}

static lua_State *state;

#define ROOM 65536 /* lua/ljson.c's: the largest scan buffer kept from call to call */

/* The input with its middle third repeated until it is more than ROOM +
 * 64 x its last byte long (see the top), line feeds in the repeats made
 * spaces: a long line, not many short ones (a third of line feeds made
 * 20,000 lines, 40 ms a run); malloc'd, its size in *len. The input has
 * a third: at least 3 bytes. */
static uint8_t *expand(const uint8_t *data, size_t size, size_t *len) {
  size_t from = size / 3, piece = size / 3, want = ROOM + 1 + 64 * (size_t)data[size - 1], copies, i;
  uint8_t *out, *p;
  copies = size - piece >= want ? 1 : (want - (size - piece) + piece - 1) / piece;
  *len = size - piece + copies * piece;
  out = malloc(*len);
  if (!out) abort();
  memcpy(out, data, from);
  for (i = 0, p = out + from; i < copies; i++, p += piece) {
    size_t j;
    memcpy(p, data + from, piece);
    for (j = 0; i > 0 && j < piece; j++)
      if (p[j] == '\n') p[j] = ' ';
  }
  memcpy(p, data + from + piece, size - from - piece);
  return out;
}

static int contains(const uint8_t *hay, size_t n, const char *needle, size_t len) {
  size_t i;
  for (i = 0; i + len <= n; i++)
    if (memcmp(hay + i, needle, len) == 0) return 1;
  return 0;
}

/* A (value, kind) pair at v, k; `limit` is the call's (-1: none). */
static void check_pair(lua_State *L, int v, int k, const uint8_t *data, size_t size, lua_Integer limit) {
  const char *kind = lua_tostring(L, k);
  size_t len;
  const char *s;
  if (!kind) abort();
  if (strcmp(kind, "large") == 0) {
    if (limit < 0 || !lua_isinteger(L, v) || lua_tointeger(L, v) <= limit ||
        lua_tointeger(L, v) > (lua_Integer)size)
      abort();
  } else if (strcmp(kind, "string") == 0 || strcmp(kind, "number") == 0) {
    if (lua_type(L, v) != LUA_TSTRING) abort();
    s = lua_tolstring(L, v, &len);
    if (len > size) abort();
    if (strcmp(kind, "number") == 0 && (len == 0 || !contains(data, size, s, len))) abort();
  } else if (strcmp(kind, "other") == 0 || strcmp(kind, "absent") == 0) {
    if (!lua_isnil(L, v)) abort();
  } else {
    abort();
  }
}

/* The other members (table at index 1): string keys other than "text",
 * "id" and (when `more`) "title", each value a non-empty piece of the line, as written; each key a
 * piece of the line too, unless the line holds escapes (a key with escapes
 * is stored decoded, never longer than as written). */
static void check_others(lua_State *L, const uint8_t *data, size_t size, int more) {
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    size_t klen, vlen;
    const char *k, *v;
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING) abort();
    k = lua_tolstring(L, -2, &klen);
    v = lua_tolstring(L, -1, &vlen);
    if ((klen == 4 && memcmp(k, "text", 4) == 0) || (klen == 2 && memcmp(k, "id", 2) == 0)) abort();
    if (more && klen == 5 && memcmp(k, "title", 5) == 0) abort();
    if (vlen == 0 || !contains(data, size, v, vlen) || klen > size) abort();
    if (!contains(data, size, k, klen) && !memchr(data, '\\', size)) abort();
    lua_pop(L, 1);
  }
}

/* json_keys of the bytes, which json_fields read (`read`) or not. */
static void check_keys(lua_State *L, const uint8_t *data, size_t size, int read) {
  lua_settop(L, 0);
  lua_pushcfunction(L, tcl_json_keys);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, LUA_MULTRET, 0) != LUA_OK || lua_gettop(L) != 1) abort();
  if (!read) {
    if (!lua_isboolean(L, 1) || lua_toboolean(L, 1)) abort();
    return;
  }
  if (!lua_istable(L, 1)) abort();
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_rawlen(L, -2) > size || lua_type(L, -1) != LUA_TBOOLEAN ||
        !lua_toboolean(L, -1))
      abort();
    lua_pop(L, 1);
  }
}

/* json_precheck of the bytes, which json_fields read (`read`) or not. */
static void check_precheck(lua_State *L, const uint8_t *data, size_t size, int read) {
  lua_Integer at;
  lua_settop(L, 0);
  lua_pushcfunction(L, tcl_json_precheck);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, LUA_MULTRET, 0) != LUA_OK || lua_gettop(L) > 1) abort();
  if (lua_gettop(L) == 0) return;
  if (read || !lua_isinteger(L, 1)) abort();
  at = lua_tointeger(L, 1);
  if (at < 1 || (size_t)at > size || (data[at - 1] != '[' && data[at - 1] != '{')) abort();
  lua_settop(L, 0);
}

/* Lines around the bytes when jsonl_documents is given their place in a
 * block (first, last): read, they would change the count of records. */
static const char BEFORE[] = "{\"text\":\"before\"}\n", AFTER[] = "\n{\"text\":\"after\"}\n";

/* The bytes as one chunk of lines through jsonl_documents; `in_block`:
 * as the lines first to last of a longer string. */
static void check_documents(lua_State *L, const uint8_t *data, size_t size, int labelled, int in_block) {
  const uint8_t *p = data, *end = data + size;
  lua_Integer lines = 0, i;
  while (p < end) {
    const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
    lines++;
    p = nl ? nl + 1 : end;
  }
  lua_settop(L, 0);
  lua_pushcfunction(L, tcl_jsonl_documents);
  if (in_block) {
    lua_pushlstring(L, BEFORE, sizeof BEFORE - 1);
    lua_pushlstring(L, (const char *)data, size);
    lua_pushlstring(L, AFTER, sizeof AFTER - 1);
    lua_concat(L, 3);
  } else {
    lua_pushlstring(L, (const char *)data, size);
  }
  lua_createtable(L, 0, 12);
  lua_pushliteral(L, "text");
  lua_setfield(L, -2, "text_field");
  lua_pushliteral(L, "id");
  lua_setfield(L, -2, "id_field");
  lua_pushliteral(L, "in.jsonl:");
  lua_setfield(L, -2, "where");
  lua_pushinteger(L, 1);
  lua_setfield(L, -2, "line");
  lua_pushinteger(L, 4096);
  lua_setfield(L, -2, "limit");
  lua_pushinteger(L, 512);
  lua_setfield(L, -2, "max_bytes");
  lua_pushboolean(L, !labelled);
  lua_setfield(L, -2, "keep_fields");
  lua_pushboolean(L, (int)(size % 3 != 0));
  lua_setfield(L, -2, "sniff_html");
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, "check_utf8");
  lua_pushboolean(L, labelled);
  lua_setfield(L, -2, "labelled");
  if (in_block) {
    lua_pushinteger(L, (lua_Integer)sizeof BEFORE);
    lua_pushinteger(L, (lua_Integer)(sizeof BEFORE - 1 + size));
  }
  if (lua_pcall(L, in_block ? 4 : 2, 1, 0) != LUA_OK || !lua_istable(L, 1)) abort();
  if ((lua_Integer)lua_rawlen(L, 1) != lines) abort();
  for (i = 1; i <= lines; i++) {
    int t = lua_rawgeti(L, 1, i);
    if (t == LUA_TTABLE) {
      size_t len;
      if (lua_getfield(L, -1, "text") == LUA_TSTRING) {
        len = lua_rawlen(L, -1);
        if (len == 0 || len > size || len > 512) abort();
      } else {
        /* a text over max_bytes, measured: no longer than the line */
        unsigned long got;
        lua_pop(L, 1);
        if (lua_getfield(L, -1, "error") != LUA_TSTRING ||
            sscanf(lua_tostring(L, -1), "document too large (%lu bytes, limit 512)", &got) != 1 || got <= 512 ||
            got > size)
          abort();
      }
      lua_pop(L, 1);
      if (lua_getfield(L, -1, "id") != LUA_TSTRING) abort();
      lua_pop(L, 1);
      if (labelled && lua_getfield(L, -1, "labels") != LUA_TTABLE) abort();
      if (labelled) lua_pop(L, 1);
    } else if (t != LUA_TSTRING || lua_rawlen(L, -1) == 0 || lua_rawlen(L, -1) > size) {
      abort();
    }
    lua_pop(L, 1);
  }
  lua_settop(L, 0);
}

/* The checks above, on the line `data`. */
static void check_line(const uint8_t *data, size_t size) {
  lua_State *L;
  int n, more = (int)(size % 2);
  lua_Integer limit = (lua_Integer)(size % 16);
  if (!state) state = luaL_newstate();
  L = state;
  lua_settop(L, 0);
  lua_pushcfunction(L, tcl_json_fields);
  lua_pushlstring(L, (const char *)data, size);
  lua_pushliteral(L, "text");
  lua_pushliteral(L, "id");
  lua_newtable(L);
  lua_pushvalue(L, -1);
  lua_insert(L, 1); /* the others table, kept below the call */
  if (more) {
    lua_pushinteger(L, limit);
    lua_pushliteral(L, "title");
  }
  if (lua_pcall(L, 4 + 2 * more, LUA_MULTRET, 0) != LUA_OK) abort();
  n = lua_gettop(L) - 1;
  if (n == 1) {
    if (!lua_isboolean(L, 2) || lua_toboolean(L, 2)) abort();
  } else if (n == 4 + 2 * more) {
    check_pair(L, 2, 3, data, size, more ? limit : -1);
    check_pair(L, 4, 5, data, size, -1); /* (the id is never measured) */
    if (more) check_pair(L, 6, 7, data, size, limit);
    check_others(L, data, size, more);
  } else {
    abort();
  }
  check_keys(L, data, size, n != 1);
  check_precheck(L, data, size, n != 1);
  check_documents(L, data, size, 0, more);
  check_documents(L, data, size, 1, !more);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int expanding = -1;
  if (expanding < 0) expanding = getenv("FUZZ_EXPAND") != NULL;
  if (expanding && size >= 3) {
    size_t len;
    uint8_t *line = expand(data, size, &len);
    check_line(line, len);
    free(line);
  } else {
    check_line(data, size);
  }
  return 0;
}
