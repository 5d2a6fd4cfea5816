/*
 * ldecoder.c - textclass.utf16_decoder and textclass.decoder: UTF-16, or
 * text in a named encoding (Windows-1252, Shift_JIS, ...: iconv's, through
 * tc_decoder_convert), read as UTF-8, block by block or line by line
 * ("textclass.Decoder", on tc_utf16_to_utf8 and tc_decoder_convert).
 *
 * The command line reads a file that begins with a UTF-16 byte order mark,
 * or any input given --encoding, through one of these
 * (lua/textclass/cli/decode.lua), so everything after the reader sees UTF-8
 * and a multi-GB file streams in bounded memory. One decoder, two
 * converters: the carrying, the notes and the line reading are the same.
 *
 * Caveats (design decisions):
 *  - The decoder keeps what a block could not finish (a lone byte, a high
 *    surrogate waiting for its low half, a multibyte character cut short:
 *    at most TC_DECODER_CARRY_MAX bytes) and puts it before the next
 *    block, so blocks may be cut anywhere.
 *  - Invalid input (an unpaired surrogate, a lone last byte, a byte the
 *    encoding does not map) is written as U+FFFD, and noted: where it was
 *    in the input and in the output, so the reader can fail the record
 *    that holds it unless --replace-invalid, as it fails invalid UTF-8.
 *    Only the first in each output line is noted: a long line of garbage
 *    costs one note, not one per unit.
 *  - read_line is tc.read_line for these: it reads a code unit at a time
 *    (two bytes of UTF-16, a byte of the others, whose line feed is the
 *    byte 0x0A: tc_decoder_new refuses any other) and stops after the
 *    line feed, so a pipe is never read past the line it delivers; it
 *    keeps at most `limit` bytes of UTF-8 and counts the rest. The FILE is
 *    locked only while bytes are copied.
 *  - Asked to cut (a pipe's first line, sniffed for U+0000), it reads no
 *    more input than the room left can hold (3 bytes of UTF-8 a UTF-16
 *    unit, 4 a byte of the others, with those carried), so no text is
 *    converted that it could not return: the line stops a few bytes short
 *    of `limit` rather than on it, and the rest is left unread. (A rare
 *    encoding that writes more than 4 bytes for a byte, TSCII's ligatures
 *    12, may pass the limit, up to 3 times over; nothing is dropped.)
 *  - read is f:read(n) for these (a file read as one article, a feed):
 *    it reads blocks and adds each one's text to one buffer, so the text
 *    is held once as it grows, and once more only as the string is made
 *    (converted in Lua and joined by table.concat, the block texts,
 *    concat's buffer and the string were held together). What the last
 *    block converted past n is handed back for the next read. Only the
 *    first note is kept: the text is asked about as a whole.
 */
#include <stdio.h>
#include <string.h>

#include "ltextclass.h"

#define TCL_DECODER "textclass.Decoder"

typedef struct tcl_decoder {
  tc_decoder *conv;        /* the named encoding's converter; NULL: UTF-16 */
  unsigned flags;          /* UTF-16: TC_UTF16_BE or 0 */
  char name[TC_CHARSET_NAME_MAX + 1]; /* the encoding, for tostring */
  unsigned char carry[TC_DECODER_CARRY_MAX]; /* input the last call could not finish */
  size_t ncarry;           /* its length */
  size_t in, out;          /* input bytes converted, output bytes written, so far */
  int noted;               /* the output line being written has a note already */
  int closed;              /* its __gc ran (conv is freed: it must not read as UTF-16) */
} tcl_decoder;

/* A new decoder, pushed. */
static tcl_decoder *push_decoder(lua_State *L) {
  tcl_decoder *d = lua_newuserdatauv(L, sizeof *d, 1);
  memset(d, 0, sizeof *d);
  luaL_setmetatable(L, TCL_DECODER);
  return d;
}

/***
 * A decoder of UTF-16 in the given byte order, after its byte order mark.
 * @function utf16_decoder
 * @string order "le" or "be"
 * @return a Decoder
 */
int tcl_utf16_decoder(lua_State *L) {
  static const char *const orders[] = {"le", "be", NULL};
  int be = luaL_checkoption(L, 1, NULL, orders);
  tcl_decoder *d;
  tcl_check_nargs(L, 1);
  d = push_decoder(L);
  d->flags = be ? TC_UTF16_BE : 0;
  strcpy(d->name, be ? "UTF-16BE" : "UTF-16LE");
  return 1;
}

/***
 * A decoder of text in a named encoding (tc_decoder_new: a WHATWG label
 * reads as on a page, latin1 as Windows-1252; any other name as iconv
 * reads it; only encodings whose line feed is the byte 0x0A).
 * @function decoder
 * @string encoding its name
 * @return a Decoder, or fail, a message and "EINVAL" for a name iconv
 *   does not know or an encoding that cannot be read so
 */
int tcl_named_decoder(lua_State *L) {
  size_t len;
  const char *name = luaL_checklstring(L, 1, &len);
  const char *known = tc_encoding_name(name);
  tcl_decoder *d;
  tc_diag diag;
  int rc;
  tcl_check_nargs(L, 1);
  luaL_argcheck(L, strlen(name) == len, 1, "a NUL byte in the name");
  d = push_decoder(L);
  diag.message[0] = '\0';
  rc = tc_decoder_new(name, &d->conv, &diag);
  if (rc != TC_OK) return tcl_fail(L, rc, &diag, NULL);
  if (!known) known = name;
  len = strlen(known) < TC_CHARSET_NAME_MAX ? strlen(known) : TC_CHARSET_NAME_MAX;
  memcpy(d->name, known, len);
  d->name[len] = '\0';
  return 1;
}

/***
 * The encoding textclass reads under a label, as iconv names it
 * (tc_encoding_name: latin1 is "CP1252", utf-16 "UTF-16LE").
 * @function encoding_name
 * @string label an encoding's name
 * @return its name, or nil when it is not one of the WHATWG labels
 */
int tcl_encoding_name(lua_State *L) {
  size_t len;
  const char *label = luaL_checklstring(L, 1, &len);
  const char *name = strlen(label) == len ? tc_encoding_name(label) : NULL;
  tcl_check_nargs(L, 1);
  if (name) lua_pushstring(L, name);
  else luaL_pushfail(L);
  return 1;
}

/* The code unit of two bytes, a first and b second, in the decoder's order. */
static unsigned unit_of(const tcl_decoder *d, unsigned a, unsigned b) {
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

/* One conversion step of buf[0..len) into out[0..cap), by the decoder's
 * converter: tc_decoder_convert, or tc_utf16_to_utf8 (whose output, sized
 * by its bound, never fills). */
static void step(tcl_decoder *d, const unsigned char *buf, size_t len, int last, char *out, size_t cap,
                 tc_decoder_result *r) {
  tc_utf16_result u;
  if (d->conv) {
    tc_decoder_convert(d->conv, (const char *)buf, len, last ? TC_DECODER_LAST : 0, out, cap, r);
    return;
  }
  tc_utf16_to_utf8((const char *)buf, len, d->flags | (last ? TC_UTF16_LAST : 0), out, cap, &u);
  r->used = u.used;
  r->written = u.written;
  r->invalid = u.invalid;
  r->invalid_at = u.invalid_at;
  r->full = 0;
}

/* Output bytes that hold the conversion of len input bytes: UTF-16's
 * bound; 4 bytes a byte of the others (the most the common encodings
 * make; their converter says when a rare one needs more, r.full, and
 * convert grows the buffer). */
static size_t room_for(const tcl_decoder *d, size_t len) {
  return d->conv ? 4 * len + 16 : TC_UTF16_UTF8_MAX(len);
}

/* Convert buf[0..len) (in a loop, past each U+FFFD) into the buffer *out
 * from *w on (*cap bytes; grown in b when the converter fills it, when b
 * is given), noting invalid input; returns how much of buf was used. d->in
 * is where buf starts in the whole input. */
static size_t convert(lua_State *L, tcl_decoder *d, int ud, const unsigned char *buf, size_t len,
                      int last, luaL_Buffer *b, char **out, size_t *cap, size_t *w) {
  size_t used = 0;
  for (;;) {
    tc_decoder_result r;
    const char *seg = *out + *w;
    step(d, buf + used, len - used, last, *out + *w, *cap - *w, &r);
    /* any line end in this stretch comes before its U+FFFD: a new line */
    if (d->noted && memchr(seg, '\n', r.written)) d->noted = 0;
    if (r.invalid && !d->noted) {
      const unsigned char *u = buf + used + r.invalid_at;
      lua_Integer unit = -1;
      if (d->conv) unit = u[0];
      else if (r.used - r.invalid_at == 2) unit = unit_of(d, u[0], u[1]);
      note(L, ud, d->in + r.invalid_at, d->out + r.written - 3, unit);
      d->noted = 1;
    }
    d->in += r.used;
    d->out += r.written;
    *w += r.written;
    used += r.used;
    if (r.full) {
      if (!b) luaL_error(L, "decoder: output buffer too small"); /* a bug */
      luaL_addsize(b, *w);
      *out = luaL_prepbuffsize(b, room_for(d, len - used));
      *cap = room_for(d, len - used);
      *w = 0;
      continue;
    }
    if (!r.invalid) return used;
  }
}

/* Convert the carry, then in[0..len), into the buffer *out (*cap bytes,
 * at least room_for(len + TC_DECODER_CARRY_MAX); grown in b, when given,
 * if a converter needs more); keeps what is left as the carry and returns
 * the bytes written to the buffer last used (*out). The carry goes through
 * a few bytes of its own, so a block is never copied to be joined to it. */
static size_t decode(lua_State *L, tcl_decoder *d, int ud, const unsigned char *in, size_t len,
                     int last, luaL_Buffer *b, char **out, size_t *cap) {
  size_t w = 0, used;
  if (d->ncarry > 0) {
    unsigned char tmp[2 * TC_DECODER_CARRY_MAX];
    size_t k = len < TC_DECODER_CARRY_MAX ? len : TC_DECODER_CARRY_MAX, n = d->ncarry + k;
    memcpy(tmp, d->carry, d->ncarry);
    memcpy(tmp + d->ncarry, in, k);
    used = convert(L, d, ud, tmp, n, last && k == len, b, out, cap, &w);
    if (used < d->ncarry) { /* too little input to finish the carry */
      d->ncarry = n - used;
      memmove(d->carry, tmp + used, d->ncarry);
      return w;
    }
    in += used - d->ncarry;
    len -= used - d->ncarry;
    d->ncarry = 0;
  }
  used = convert(L, d, ud, in, len, last, b, out, cap, &w);
  if (len - used > TC_DECODER_CARRY_MAX) luaL_error(L, "decoder: more left than a carry"); /* a bug */
  d->ncarry = len - used;
  memcpy(d->carry, in + used, d->ncarry);
  return w;
}

/* The decoder at index 1; raises when its __gc ran (a finalizer of another
 * object collected with it can still reach it). */
static tcl_decoder *check_decoder(lua_State *L) {
  tcl_decoder *d = luaL_checkudata(L, 1, TCL_DECODER);
  if (d->closed) luaL_error(L, "attempt to use a closed decoder");
  return d;
}

/***
 * Convert the next bytes of the input.
 * @function decoder:convert
 * @string bytes the next bytes (cut anywhere)
 * @bool[opt] last true when the input ends with them: what is unfinished
 *   (a lone byte, half a surrogate pair, a character cut short) becomes
 *   U+FFFD instead of waiting
 * @return the UTF-8 text they finish
 */
static int decoder_convert(lua_State *L) {
  tcl_decoder *d = check_decoder(L);
  size_t len, w, cap;
  const char *s = luaL_checklstring(L, 2, &len);
  int last = lua_toboolean(L, 3);
  luaL_Buffer b;
  char *out;
  tcl_check_nargs(L, 3);
  luaL_argcheck(L, len <= (SIZE_MAX - 64) / 4 - TC_DECODER_CARRY_MAX, 2, "too long");
  luaL_buffinit(L, &b);
  cap = room_for(d, len + TC_DECODER_CARRY_MAX);
  out = luaL_prepbuffsize(&b, cap);
  w = decode(L, d, 1, (const unsigned char *)s, len, last, &b, &out, &cap);
  luaL_addsize(&b, w);
  luaL_pushresult(&b);
  return 1;
}

/* Bytes read per lock in read_line (a quarter of them from a named
 * encoding), and the room their UTF-8 may take: 16 bytes a byte of a
 * named encoding (4 characters of 4 bytes; the common ones take 4 at
 * most), the carry's too. */
enum { RAW = 1024, OUT = 16 * (RAW / 4 + TC_DECODER_CARRY_MAX) + 16 };

/***
 * Read one line of the decoder's encoding from a file as UTF-8, keeping at most `limit`
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
  tcl_decoder *d = check_decoder(L);
  luaL_Stream *s = luaL_checkudata(L, 2, LUA_FILEHANDLE);
  lua_Integer limit = luaL_checkinteger(L, 3);
  int cut = lua_toboolean(L, 4);
  int ended = 0, eof = 0;
  /* UTF-16: the first byte of a unit, read; the others' units are bytes */
  int half = !d->conv && d->ncarry % 2 ? d->carry[d->ncarry - 1] : -1;
  /* input read per lock, and the most UTF-8 a byte of it makes when cut */
  size_t chunk = d->conv ? RAW / 4 : RAW, per_byte = d->conv ? 4 : 2;
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
    char out[OUT], *o = out;
    size_t nraw = 0, want = chunk, n, cap = sizeof out;
    if (cut) { /* a UTF-16 unit makes at most 3 bytes (a pair 4, a lone last byte 3); a byte 4 */
      size_t room = len < max ? max - len : 0; /* (a rare encoding may have passed it) */
      size_t bytes = d->conv ? room / per_byte : room / 3 * 2;
      if (bytes <= d->ncarry) break;
      if (bytes - d->ncarry < want) want = bytes - d->ncarry;
    }
    flockfile(s->f);
    while (nraw < want) {
      int c = getc_unlocked(s->f);
      if (c == EOF) {
        eof = 1;
        break;
      }
      raw[nraw++] = (unsigned char)c;
      if (d->conv) {
        if (c == '\n') {
          ended = 1;
          break;
        }
      } else if (half < 0) {
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
    n = decode(L, d, 1, raw, nraw, eof, NULL, &o, &cap);
    if (cut) luaL_addlstring(&b, out, n); /* (all of it: nothing converted is dropped) */
    else if (len < max) luaL_addlstring(&b, out, n < max - len ? n : max - len);
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
  return tcl_push_line(L, &b, len, cut && len > max ? len : max);
}

/* Forget every note in the decoder's list (at stack index ud) but the
 * first: a text read whole is asked about once, all of it, and a note a
 * line held 50 bytes for each byte read. */
static void keep_first_note(lua_State *L, int ud) {
  if (lua_getiuservalue(L, ud, 1) == LUA_TTABLE) {
    lua_Integer i;
    for (i = (lua_Integer)lua_rawlen(L, -1); i > 1; i--) {
      lua_pushnil(L);
      lua_rawseti(L, -2, i);
    }
  }
  lua_pop(L, 1);
}

/* The most input read's blocks may hold (its scratch room, 17 times a
 * block, must not overflow). */
#define READ_BLOCK_MAX ((lua_Integer)1 << 24)

/***
 * Read a file on, a block at a time, to n bytes of UTF-8 after `prefix`
 * (text converted before), in one buffer: each block's text is added to it
 * as it is converted. Of the notes of invalid input not yet taken by
 * invalid(), only the first is kept: the text is asked about as a whole.
 * @function decoder:read
 * @tparam file file an open Lua file handle, past the byte order mark
 * @int n the bytes of text wanted (at least #prefix)
 * @string prefix the text to begin with (what the last read converted past its n)
 * @int block input bytes read at a time (1 to 16 MiB)
 * @return the text: n bytes, fewer only when the input ends
 * @return what the last block converted past n ("" when nothing), for the next read
 * @return the input bytes read
 * @return true when the input ended (what it left unfinished became U+FFFD)
 * @return[2] nil, message, errno on a read error
 */
static int decoder_read(lua_State *L) {
  tcl_decoder *d = check_decoder(L);
  luaL_Stream *s = luaL_checkudata(L, 2, LUA_FILEHANDLE);
  lua_Integer n = luaL_checkinteger(L, 3);
  size_t plen, want, room, w = 0, kept = 0, consumed = 0;
  const char *prefix = luaL_checklstring(L, 4, &plen);
  lua_Integer block = luaL_checkinteger(L, 5);
  int ended = 0;
  unsigned char *raw;
  char *scratch;
  luaL_Buffer b;
  luaL_argcheck(L, n >= 0 && (lua_Unsigned)n >= plen, 3, "n must be at least the prefix's length");
  luaL_argcheck(L, block >= 1 && block <= READ_BLOCK_MAX, 5, "block out of range");
  tcl_check_nargs(L, 5);
  if (s->closef == NULL) return luaL_error(L, "attempt to use a closed file");
  want = (lua_Unsigned)n < SIZE_MAX ? (size_t)n : SIZE_MAX;
  /* a block's text, as read_line's room: 16 bytes a byte of a named
   * encoding, so the rare ones that pass 4 fit too */
  room = (size_t)block + TC_DECODER_CARRY_MAX;
  room = d->conv ? 16 * room + 16 : room_for(d, room);
  raw = lua_newuserdatauv(L, (size_t)block + room, 0);
  scratch = (char *)raw + block;
  luaL_buffinit(L, &b);
  luaL_addlstring(&b, prefix, plen);
  clearerr(s->f); /* as f:read: a terminal read after Ctrl-D reads on */
  while (luaL_bufflen(&b) < want && !ended) {
    size_t got = fread(raw, 1, (size_t)block, s->f), cap = room;
    char *out = scratch;
    if (ferror(s->f)) return luaL_fileresult(L, 0, NULL); /* errno is the read's */
    ended = got < (size_t)block;
    consumed += got;
    w = decode(L, d, 1, raw, got, ended, NULL, &out, &cap);
    keep_first_note(L, 1);
    kept = w < want - luaL_bufflen(&b) ? w : want - luaL_bufflen(&b);
    luaL_addlstring(&b, scratch, kept);
  }
  luaL_pushresult(&b);
  lua_pushlstring(L, scratch + kept, w - kept);
  lua_pushinteger(L, (lua_Integer)consumed);
  lua_pushboolean(L, ended);
  return 4;
}

/***
 * The invalid input found since the last call, and forget it: the first
 * unpaired surrogate or lone last byte (a byte the encoding does not map,
 * or a character the end cut short) of each output line, each as
 * {input = offset in the bytes given (0-based), output = offset of its
 * U+FFFD in the text returned (0-based), unit = the surrogate (absent for
 * a lone byte of UTF-16; a named encoding's: the first byte)}.
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
  tcl_decoder *d = luaL_checkudata(L, 1, TCL_DECODER);
  lua_pushfstring(L, "textclass.Decoder (%s)", d->name);
  return 1;
}

/* __gc: the converter is freed, and the decoder closed. */
static int decoder_gc(lua_State *L) {
  tcl_decoder *d = luaL_checkudata(L, 1, TCL_DECODER);
  tc_decoder_free(d->conv);
  d->conv = NULL;
  d->closed = 1;
  return 0;
}

void tcl_decoder_register(lua_State *L) {
  static const luaL_Reg meta[] = {
    {"__tostring", decoder_tostring},
    {"__gc", decoder_gc},
    {"__index", NULL}, /* placeholder: the methods */
    {NULL, NULL}
  };
  static const luaL_Reg methods[] = {
    {"convert", decoder_convert},
    {"read_line", decoder_read_line},
    {"read", decoder_read},
    {"invalid", decoder_invalid},
    {NULL, NULL}
  };
  tcl_register_class(L, TCL_DECODER, meta, methods);
}
