/*
 * lread.c - textclass.read_line: one line of a Lua file handle, kept only
 * up to a byte limit; textclass.read_bom: a UTF-16 byte order mark at the
 * start of a pipe, read without reading past the first line.
 *
 * `textclass label` reads a pipe or terminal line by line, because a
 * producer may write one line and wait for its answer. Lua's f:read("L")
 * holds the whole line before the caller can see its size, so one 600 MB
 * line took over 1 GB; this reads the same way but keeps at most `limit`
 * bytes, then goes on to the end of the line without keeping it and
 * reports its length; or, asked to cut, leaves the rest of the line unread
 * (a pipe's first bytes are sniffed for NULs so: an endless line of them
 * must not be read to its end).
 *
 * Caveats (design decisions):
 *  - It reads with getc_unlocked, as liolib's read_line does, and stops at
 *    the newline: nothing past the line is asked of the stream, so an
 *    interactive producer is answered line by line. It shares the FILE's
 *    buffer with f:read, so the two can be mixed on one handle.
 *  - A line's bytes are its own: NUL bytes are kept; the newline is part
 *    of the line and of its length, as with f:read("L"); the last line may
 *    have none.
 *  - A read error returns fail, message, errno (luaL_fileresult, as
 *    f:read does), never a shorter line: what follows is unknown.
 *  - The FILE is locked only while bytes are copied, never while the Lua
 *    buffer grows (which may raise a memory error).
 */
#include <stdio.h>

#include "ltextclass.h"

/* Add up to `room` bytes of the current line to b; returns the last byte
 * read, '\n' when the line ended, EOF at the end of input or on error. */
static int keep_bytes(FILE *f, luaL_Buffer *b, size_t room, size_t *len) {
  char *p = luaL_prepbuffsize(b, room);
  size_t i = 0;
  int c = 0;
  flockfile(f);
  while (i < room && (c = getc_unlocked(f)) != EOF) {
    p[i++] = (char)c;
    if (c == '\n') break;
  }
  funlockfile(f);
  luaL_addsize(b, i);
  *len += i;
  return c;
}

/* Read the rest of the current line without keeping it; returns '\n' or
 * EOF as keep_bytes does. */
static int skip_bytes(FILE *f, size_t *len) {
  int c;
  flockfile(f);
  while ((c = getc_unlocked(f)) != EOF) {
    ++*len;
    if (c == '\n') break;
  }
  funlockfile(f);
  return c;
}

int tcl_push_line(lua_State *L, luaL_Buffer *b, size_t len, size_t max) {
  if (len > max) {
    lua_pushboolean(L, 0);
    lua_pushinteger(L, (lua_Integer)len);
    return 2;
  }
  if (len == 0) {
    luaL_pushfail(L);
    return 1;
  }
  luaL_pushresult(b);
  return 1;
}

/***
 * Read one line of a file, keeping at most `limit` bytes of it.
 * @function read_line
 * @tparam file file an open Lua file handle (io.stdin, io.open, io.popen)
 * @int limit the longest line returned, newline included (>= 0)
 * @bool[opt] cut true: a longer line's first `limit` bytes are returned,
 *   and the rest is left unread (what a pipe's sniffed head needs)
 * @return the line, with its "\n" unless it is the last and has none
 * @return[2] false, length: the line is longer than limit; it was read to
 *   its end (newline included in length) and dropped
 * @return[3] nil at the end of input
 * @return[4] nil, message, errno on a read error
 */
int tcl_read_line(lua_State *L) {
  luaL_Stream *s = luaL_checkudata(L, 1, LUA_FILEHANDLE);
  lua_Integer limit = luaL_checkinteger(L, 2);
  int cut = lua_toboolean(L, 3);
  luaL_Buffer b;
  size_t len = 0, max;
  int c;
  luaL_argcheck(L, limit >= 0, 2, "limit must not be negative");
  if (!lua_isnoneornil(L, 3)) luaL_checktype(L, 3, LUA_TBOOLEAN);
  tcl_check_nargs(L, 3);
  if (s->closef == NULL) return luaL_error(L, "attempt to use a closed file");
  max = (lua_Unsigned)limit < SIZE_MAX ? (size_t)limit : SIZE_MAX;
  clearerr(s->f); /* as f:read: a terminal read after Ctrl-D reads on */
  if (cut && max == 0) { /* a line's first 0 bytes: "", unless the input has ended */
    c = getc(s->f);
    if (c != EOF) ungetc(c, s->f);
    if (ferror(s->f)) return luaL_fileresult(L, 0, NULL);
    if (c == EOF) luaL_pushfail(L);
    else lua_pushliteral(L, "");
    return 1;
  }
  luaL_buffinit(L, &b);
  do {
    if (len < max) {
      size_t room = max - len < LUAL_BUFFERSIZE ? max - len : LUAL_BUFFERSIZE;
      c = keep_bytes(s->f, &b, room, &len);
    } else if (cut) {
      break;
    } else {
      c = skip_bytes(s->f, &len);
    }
  } while (c != EOF && c != '\n');
  if (ferror(s->f)) return luaL_fileresult(L, 0, NULL); /* errno is the read's */
  return tcl_push_line(L, &b, len, max);
}

/***
 * Read a UTF-16 (or UTF-32 little-endian) byte order mark at the start of
 * a stream, never reading past its first line: a pipe's producer may wait
 * for the answer to that line. A first byte that is neither FF nor FE is
 * pushed back unread (ungetc); after FF or FE the line goes on, so the
 * next byte may be read; after FF FE the next two bytes are (the first
 * code unit, which a UTF-16 line has unless the input ends there): 00 00
 * there makes it UTF-32LE.
 * @function read_bom
 * @tparam file file an open Lua file handle, at its start
 * @return "UTF-16LE", "UTF-16BE" or "UTF-32LE", and the bytes read past
 *   the mark ("", or the first UTF-16LE code unit, whole or not)
 * @return[2] false, and the bytes read that start no mark ("" or one byte,
 *   which come first in the stream)
 * @return[3] nil, message, errno on a read error
 */
int tcl_read_bom(lua_State *L) {
  luaL_Stream *s = luaL_checkudata(L, 1, LUA_FILEHANDLE);
  char rest[2];
  size_t n = 0;
  int c, c2;
  tcl_check_nargs(L, 1);
  if (s->closef == NULL) return luaL_error(L, "attempt to use a closed file");
  clearerr(s->f);
  c = getc(s->f);
  if (c != 0xFF && c != 0xFE) {
    if (c != EOF) ungetc(c, s->f);
    if (ferror(s->f)) return luaL_fileresult(L, 0, NULL);
    lua_pushboolean(L, 0);
    lua_pushliteral(L, "");
    return 2;
  }
  c2 = getc(s->f);
  if (c2 != (c ^ 1)) { /* FF FE or FE FF */
    if (c2 != EOF) ungetc(c2, s->f); /* one byte of push-back: all C promises */
    if (ferror(s->f)) return luaL_fileresult(L, 0, NULL);
    lua_pushboolean(L, 0);
    rest[0] = (char)c;
    lua_pushlstring(L, rest, 1);
    return 2;
  }
  if (c == 0xFE) {
    lua_pushliteral(L, "UTF-16BE");
    lua_pushliteral(L, "");
    return 2;
  }
  while (n < 2 && (c = getc(s->f)) != EOF) rest[n++] = (char)c;
  if (ferror(s->f)) return luaL_fileresult(L, 0, NULL);
  if (n == 2 && rest[0] == 0 && rest[1] == 0) {
    lua_pushliteral(L, "UTF-32LE");
    lua_pushliteral(L, "");
    return 2;
  }
  lua_pushliteral(L, "UTF-16LE");
  lua_pushlstring(L, rest, n);
  return 2;
}
