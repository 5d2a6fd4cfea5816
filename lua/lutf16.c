/*
 * lutf16.c - textclass.utf16_decoder: UTF-16 read as UTF-8, block by block
 * or line by line ("textclass.UTF16Decoder", on tc_utf16_to_utf8).
 *
 * The command line reads a file that begins with a UTF-16 byte order mark
 * through one of these (lua/textclass/cli/utf16.lua), so everything after
 * the reader sees UTF-8 and a multi-GB file streams in bounded memory.
 *
 * Caveats (design decisions):
 *  - The decoder keeps what a block could not finish (a lone byte, a high
 *    surrogate waiting for its low half: at most 3 bytes) and puts it
 *    before the next block, so blocks may be cut anywhere.
 *  - Invalid input (an unpaired surrogate, a lone last byte) is written as
 *    U+FFFD, and noted: where it was in the input and in the output, so the
 *    reader can fail the record that holds it unless --replace-invalid,
 *    as it fails invalid UTF-8. Only the first in each output line is
 *    noted: a long line of garbage costs one note, not one per unit.
 *  - read_line is tc.read_line for UTF-16: it reads two bytes at a time
 *    and stops after the code unit U+000A, so a pipe is never read past
 *    the line it delivers; it keeps at most `limit` bytes of UTF-8 and
 *    counts the rest. The FILE is locked only while bytes are copied.
 *  - Asked to cut (a pipe's first line, sniffed for U+0000), it reads no
 *    more code units than the room left can hold whatever they are (3
 *    bytes of UTF-8 each, with those carried), so no text is converted
 *    that it could not return: the line stops a few bytes short of
 *    `limit` (at most 5) rather than on it, and the rest is left unread.
 */
#include <stdio.h>
#include <string.h>

#include "ltextclass.h"

#define TCL_UTF16 "textclass.UTF16Decoder"

typedef struct tcl_utf16 {
  unsigned flags;          /* TC_UTF16_BE or 0 */
  unsigned char carry[4];  /* input the last call could not finish */
  size_t ncarry;           /* its length (at most 3) */
  size_t in, out;          /* input bytes converted, output bytes written, so far */
  int noted;               /* the output line being written has a note already */
} tcl_utf16;

/***
 * A decoder of UTF-16 in the given byte order, after its byte order mark.
 * @function utf16_decoder
 * @string order "le" or "be"
 * @return a UTF16Decoder
 */
int tcl_utf16_decoder(lua_State *L) {
  static const char *const orders[] = {"le", "be", NULL};
  int be = luaL_checkoption(L, 1, NULL, orders);
  tcl_utf16 *d;
  tcl_check_nargs(L, 1);
  d = lua_newuserdatauv(L, sizeof *d, 1);
  memset(d, 0, sizeof *d);
  d->flags = be ? TC_UTF16_BE : 0;
  luaL_setmetatable(L, TCL_UTF16);
  return 1;
}

/* The code unit of two bytes, a first and b second, in the decoder's order. */
static unsigned unit_of(const tcl_utf16 *d, unsigned a, unsigned b) {
  return (d->flags & TC_UTF16_BE) ? (a << 8 | b) : (b << 8 | a);
}

/* Append a note {input =, output =, unit =} to the list in the decoder's
 * user value (made on first use); the decoder is at stack index ud. */
static void note(lua_State *L, int ud, size_t in, size_t out, lua_Integer unit) {
  if (lua_getiuservalue(L, ud, 1) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setiuservalue(L, ud, 1);
  }
  lua_createtable(L, 0, 3);
  tcl_set_integer(L, "input", (lua_Integer)in);
  tcl_set_integer(L, "output", (lua_Integer)out);
  if (unit >= 0) tcl_set_integer(L, "unit", unit);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  lua_pop(L, 1);
}

/* Convert buf[0..len) (in a loop, past each U+FFFD) into out[*w..cap),
 * noting invalid input; returns how much of buf was used. d->in is where
 * buf starts in the whole input. */
static size_t convert(lua_State *L, tcl_utf16 *d, int ud, const unsigned char *buf, size_t len,
                      int last, char *out, size_t cap, size_t *w) {
  size_t used = 0;
  for (;;) {
    tc_utf16_result r;
    const char *seg = out + *w;
    tc_utf16_to_utf8((const char *)buf + used, len - used, d->flags | (last ? TC_UTF16_LAST : 0),
                     out + *w, cap - *w, &r);
    /* any line end in this stretch comes before its U+FFFD: a new line */
    if (d->noted && memchr(seg, '\n', r.written)) d->noted = 0;
    if (r.invalid && !d->noted) {
      const unsigned char *u = buf + used + r.invalid_at;
      lua_Integer unit = -1;
      if (r.used - r.invalid_at == 2) unit = unit_of(d, u[0], u[1]);
      note(L, ud, d->in + r.invalid_at, d->out + r.written - 3, unit);
      d->noted = 1;
    }
    d->in += r.used;
    d->out += r.written;
    *w += r.written;
    used += r.used;
    if (!r.invalid) return used;
  }
}

/* Convert the carry, then in[0..len), into out (cap bytes, at least
 * TC_UTF16_UTF8_MAX(len + 3): the carry is at most 3 bytes); keeps what
 * is left as the carry and returns the bytes written. The carry goes
 * through a few bytes of its own, so a block is never copied to be
 * joined to it. */
static size_t decode(lua_State *L, tcl_utf16 *d, int ud, const unsigned char *in, size_t len,
                     int last, char *out, size_t cap) {
  size_t w = 0, used;
  if (d->ncarry > 0) {
    unsigned char tmp[8];
    size_t k = len < 4 ? len : 4, n = d->ncarry + k;
    memcpy(tmp, d->carry, d->ncarry);
    memcpy(tmp + d->ncarry, in, k);
    used = convert(L, d, ud, tmp, n, last && k == len, out, cap, &w);
    if (used < d->ncarry) { /* too little input to finish the carry */
      d->ncarry = n - used;
      memmove(d->carry, tmp + used, d->ncarry);
      return w;
    }
    in += used - d->ncarry;
    len -= used - d->ncarry;
    d->ncarry = 0;
  }
  used = convert(L, d, ud, in, len, last, out, cap, &w);
  if (len - used > 3) luaL_error(L, "UTF-16 decoder: output buffer too small"); /* a bug */
  d->ncarry = len - used;
  memcpy(d->carry, in + used, d->ncarry);
  return w;
}

static tcl_utf16 *check_decoder(lua_State *L) { return luaL_checkudata(L, 1, TCL_UTF16); }

/***
 * Convert the next bytes of the input.
 * @function decoder:convert
 * @string bytes the next bytes (cut anywhere)
 * @bool[opt] last true when the input ends with them: what is unfinished
 *   (a lone byte, half a surrogate pair) becomes U+FFFD instead of waiting
 * @return the UTF-8 text they finish
 */
static int decoder_convert(lua_State *L) {
  tcl_utf16 *d = check_decoder(L);
  size_t len, w;
  const char *s = luaL_checklstring(L, 2, &len);
  int last = lua_toboolean(L, 3);
  luaL_Buffer b;
  char *out;
  tcl_check_nargs(L, 3);
  luaL_argcheck(L, len <= (SIZE_MAX - 16) / 2, 2, "too long");
  luaL_buffinit(L, &b);
  out = luaL_prepbuffsize(&b, TC_UTF16_UTF8_MAX(len + 3));
  w = decode(L, d, 1, (const unsigned char *)s, len, last, out, TC_UTF16_UTF8_MAX(len + 3));
  luaL_addsize(&b, w);
  luaL_pushresult(&b);
  return 1;
}

enum { RAW = 1024 }; /* bytes read per lock in read_line */

/***
 * Read one line of UTF-16 from a file as UTF-8, keeping at most `limit`
 * bytes of it (tc.read_line's contract, in UTF-8 bytes).
 * @function decoder:read_line
 * @tparam file file an open Lua file handle, past the byte order mark
 * @int limit the longest line returned, newline included (>= 0)
 * @bool[opt] cut true: a longer line's first bytes (up to limit, at most
 *   5 short of it: no character is split; "" when no more can surely
 *   fit) are returned, and the rest is left unread (what a pipe's sniffed
 *   head needs)
 * @return the line, with its "\n" unless it is the last and has none
 * @return[2] false, length: longer than limit; read to its end and dropped
 * @return[3] nil at the end of input
 * @return[4] nil, message, errno on a read error
 */
static int decoder_read_line(lua_State *L) {
  tcl_utf16 *d = check_decoder(L);
  luaL_Stream *s = luaL_checkudata(L, 2, LUA_FILEHANDLE);
  lua_Integer limit = luaL_checkinteger(L, 3);
  int cut = lua_toboolean(L, 4);
  int ended = 0, eof = 0;
  int half = d->ncarry % 2 ? d->carry[d->ncarry - 1] : -1; /* first byte of a unit, read */
  size_t len = 0, max;
  luaL_Buffer b;
  luaL_argcheck(L, limit >= 0, 3, "limit must not be negative");
  if (!lua_isnoneornil(L, 4)) luaL_checktype(L, 4, LUA_TBOOLEAN);
  tcl_check_nargs(L, 4);
  if (s->closef == NULL) return luaL_error(L, "attempt to use a closed file");
  max = (lua_Unsigned)limit < SIZE_MAX ? (size_t)limit : SIZE_MAX;
  clearerr(s->f); /* as f:read: a terminal read after Ctrl-D reads on */
  luaL_buffinit(L, &b);
  while (!ended && !eof) {
    unsigned char raw[RAW];
    char out[TC_UTF16_UTF8_MAX(RAW + 3)];
    size_t nraw = 0, want = RAW, n;
    if (cut) { /* each unit makes at most 3 bytes (a pair 4, a lone last byte 3) */
      size_t units = (max - len) / 3;
      if (units * 2 <= d->ncarry) break;
      if (units * 2 - d->ncarry < want) want = units * 2 - d->ncarry;
    }
    flockfile(s->f);
    while (nraw < want) {
      int c = getc_unlocked(s->f);
      if (c == EOF) {
        eof = 1;
        break;
      }
      raw[nraw++] = (unsigned char)c;
      if (half < 0) {
        half = c;
      } else {
        unsigned u = unit_of(d, (unsigned)half, (unsigned)c);
        half = -1;
        if (u == '\n') {
          ended = 1;
          break;
        }
      }
    }
    funlockfile(s->f);
    if (ferror(s->f)) return luaL_fileresult(L, 0, NULL); /* errno is the read's */
    n = decode(L, d, 1, raw, nraw, eof, out, sizeof out);
    if (len < max) luaL_addlstring(&b, out, n < max - len ? n : max - len);
    len += n;
  }
  if (cut && len == 0 && !eof) { /* no room for a unit (or what it finishes): not the end, */
    int c = d->ncarry ? 0 : getc(s->f);        /* unless nothing is left ("" for ever hung a loop) */
    if (c != EOF) {
      if (!d->ncarry) ungetc(c, s->f);
      lua_pushliteral(L, "");
      return 1;
    }
    if (ferror(s->f)) return luaL_fileresult(L, 0, NULL);
  }
  return tcl_push_line(L, &b, len, max);
}

/***
 * The invalid input found since the last call, and forget it: the first
 * unpaired surrogate or lone last byte of each output line, each as
 * {input = offset in the bytes given (0-based), output = offset of its
 * U+FFFD in the text returned (0-based), unit = the surrogate (absent for
 * a lone byte)}.
 * @function decoder:invalid
 * @return a list, or nil when there is none
 */
static int decoder_invalid(lua_State *L) {
  check_decoder(L);
  tcl_check_nargs(L, 1);
  if (lua_getiuservalue(L, 1, 1) != LUA_TTABLE) {
    luaL_pushfail(L);
    return 1;
  }
  lua_pushnil(L);
  lua_setiuservalue(L, 1, 1);
  return 1;
}

static int decoder_tostring(lua_State *L) {
  tcl_utf16 *d = check_decoder(L);
  lua_pushfstring(L, "textclass.UTF16Decoder (%s)", (d->flags & TC_UTF16_BE) ? "be" : "le");
  return 1;
}

void tcl_utf16_register(lua_State *L) {
  static const luaL_Reg meta[] = {
    {"__tostring", decoder_tostring},
    {"__index", NULL}, /* placeholder: the methods */
    {NULL, NULL}
  };
  static const luaL_Reg methods[] = {
    {"convert", decoder_convert},
    {"read_line", decoder_read_line},
    {"invalid", decoder_invalid},
    {NULL, NULL}
  };
  tcl_register_class(L, TCL_UTF16, meta, methods);
}
