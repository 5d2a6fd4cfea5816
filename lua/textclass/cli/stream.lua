-- textclass.cli.stream - the bytes of one source: opening it (with a
-- sniffed head), closing it, and reading it line by line in bounded memory.
--
-- A file's first HEAD_BYTES are read at once, so its readers can tell a
-- binary file by a NUL byte before reading on. A pipe or terminal on stdin
-- is never read ahead of what its reader asks for: a producer that writes
-- one line and waits for the answer (tail -f | textclass label) must get it
-- (a pipe's first line is sniffed, up to HEAD_BYTES of it).
--
-- A source that begins with a UTF-16 byte order mark (FF FE or FE FF), or
-- any source given --encoding (other than UTF-8), is read through a
-- textclass.cli.decode reader in place of the file: from the head on, its
-- readers see UTF-8. A UTF-32 mark is refused. A byte order mark wins over
-- --encoding (a UTF-8 one too: the source is then read as UTF-8).

local tc = require "textclass"
local lfs = require "lfs"
local sources = require "textclass.cli.sources"
local decode = require "textclass.cli.decode"
local util = require "textclass.cli.util"

local M = {}

M.HEAD_BYTES = 8192              -- how much of a file is sniffed for NUL bytes

local BOM = "\239\187\191"

-- A pipe's first bytes (up to 3, never past its first line, after what
-- tc.read_bom read: "" here) when --encoding is given: a UTF-8 byte order
-- mark there wins (the pipe is read as UTF-8, as it is), else f becomes a
-- reader of `encoding`. Returns f and the head so far, or nil, message.
local function pipe_in(f, encoding, src)
  local start, err = tc.read_line(f, 3, true)
  if start == nil and err then return nil, util.sys_message(err) end
  start = start or ""
  if start == BOM then return f, start end
  return decode.reader(f, encoding, src, start, 0, encoding)
end

-- Open a source; see M.open.
local function open(src, encoding)
  local converts = encoding and encoding ~= "UTF-8"
  if src.error then return nil, src.error end
  local f, err
  -- a closed stdin (`<&-`) reads as empty; say so instead
  if src.stdin and util.stdin_closed() then return nil, "stdin is closed" end
  if src.stdin then f = io.stdin
  else
    f, err = io.open(src.path, "rb")
    if not f then return nil, util.sys_message(err or "cannot open") end
  end
  -- A pipe or terminal is not sniffed: reading 8 KB ahead would hold back
  -- the first records of a slow producer (tail -f | textclass label). A
  -- pipe's first bytes are, when they may be a UTF-16 mark (tc.read_bom
  -- reads nothing past the first line). A terminal's are not: nobody types
  -- UTF-16, and a Ctrl-D read there would be cleared by the next read,
  -- which would wait for a second one.
  -- Its head is then its first line with any bytes, up to HEAD_BYTES in
  -- all (with the blank lines before it), read up to the newline and no
  -- further, so NUL bytes there make it a binary file as they do a file,
  -- not an endless line read on (cat /dev/zero | textclass label). From
  -- UTF-16 the head is UTF-8, as a file's is, so a U+0000 there is a NUL
  -- (the decoder's cut may stop a few bytes short of HEAD_BYTES). What
  -- read_bom read may be the line's start (a UTF-16LE first unit, a byte
  -- that began no mark): its line is read on.
  -- With --encoding, a terminal is read through a reader of the encoding
  -- too, and a pipe's first bytes are looked at for a UTF-8 mark.
  if src.stdin and sources.stdin_is_stream() then
    if util.isatty(f) then
      if converts then return decode.reader(f, encoding, src, "", 0, encoding) end
      return f, ""
    end
    local enc, head = tc.read_bom(f)
    if enc == nil then return nil, util.sys_message(head) end
    if enc == "UTF-32LE" then return nil, decode.UTF32 end
    if enc then f, head = decode.reader(f, enc, src, head, 2)
    elseif converts and head == "" then
      f, head = pipe_in(f, encoding, src)
      if not f then return nil, head end
    elseif converts then -- (a byte FF or FE that began no mark)
      f, head = decode.reader(f, encoding, src, head, 0, encoding)
    end
    local decoded = decode.is_reader(f)
    while #head < M.HEAD_BYTES and (head:sub(-1) ~= "\n" or not head:find("[^\r\n]")) do
      local line, rerr
      if decoded then line, rerr = f:read_line(M.HEAD_BYTES - #head, true)
      else line, rerr = tc.read_line(f, M.HEAD_BYTES - #head, true) end
      if line == nil and rerr then return nil, util.sys_message(rerr) end
      if not line then break end
      head = head .. line
      if line:sub(-1) ~= "\n" then break end  -- cut, or the end
    end
    return f, head
  end
  local head, rerr = f:read(M.HEAD_BYTES)
  if head == nil and rerr then
    if not src.stdin then f:close() end
    return nil, util.sys_message(rerr)
  end
  head = head or ""
  local enc = decode.encoding(head)
  if enc == "UTF-32LE" or enc == "UTF-32BE" then
    if not src.stdin then f:close() end
    return nil, decode.UTF32
  end
  if enc then return decode.reader(f, enc, src, head:sub(3), 2) end
  if head:sub(1, 3) == BOM then return f, head:sub(4) end
  if converts then return decode.reader(f, encoding, src, head, 0, encoding) end
  return f, head
end

--- Open a source; returns f, head (the sniffed first bytes, without a byte
-- order mark; for a pipe, its first line's (with a UTF-8 mark); "" for a
-- terminal) or nil, message. `encoding` is --encoding's value
-- (decode.check's answer; nil or "UTF-8": UTF-8). For UTF-16 and
-- --encoding, f is a textclass.cli.decode reader and head is UTF-8.
-- Until M.close, src.opened
-- is f, so a reader abandoned half way (textclass.read, when a script
-- breaks out of its loop) can still be closed by whoever holds the source.
function M.open(src, encoding)
  local f, head = open(src, encoding)
  if f then src.opened = f end
  return f, head
end

--- Close what M.open opened (stdin stays open).
function M.close(src, f)
  src.opened = nil
  if f and not src.stdin then f:close() end
end

-- Can the source be read a block at a time (a regular file, or stdin
-- redirected from one), rather than line by line as a pipe must be?
local function reads_in_blocks(src)
  if src.stdin then return not sources.stdin_is_stream() end
  return src.size ~= nil
end

--- A line iterator over `head` (already read) followed by the rest of f.
-- Lines keep their "\n"; `counter.bytes` grows by each line's size (for
-- UTF-16 and --encoding, by the file's bytes read). A line longer than
-- `limit` comes back as "" and a second value saying so. From UTF-16 or
-- --encoding, a line holding invalid input comes back with U+FFFD in its
-- place and a third value saying where (a record holding it fails unless
-- --replace-invalid).
-- A byte order mark at the start of the first line is dropped (the head
-- of a sniffed file has lost it already; a pipe's first line has not).
-- Called with `many` true, it may return every whole line left in the
-- current block at once (a chunk, which may pass `limit`: its caller
-- checks each line), except the first line and lines read through a
-- decoder (UTF-16, --encoding): the block and the positions of the
-- chunk's first and last bytes in it (block, nil, nil, first, last),
-- not a copy of them (a 64 KB copy a block, 3.3k instructions per news
-- article by callgrind's count, most of them `rep movsb` counted a byte
-- each, and garbage for the collector).
--
-- A regular file is read BLOCK bytes at a time and its lines cut out of
-- the blocks: reading a line byte by byte costs more than the JSON
-- decoding of the line. A pipe is read line by line (tc.read_line, which
-- stops at the newline and keeps at most `limit` bytes) because a block
-- read waits for a whole block, which would hold back the records of a
-- slow producer.
local BLOCK = 65536
-- The longest line of a file rest_by_blocks gathers; a longer one it reads again.
local GATHERED_MOST = 4 * BLOCK

-- The position of the last "\n" of s, which has one at `from` or after:
-- the last of those in a tail of s, searched forward (string.find's plain
-- search is memchr), the tail made longer until it holds one. A pattern
-- anchored at the end, as "\n[^\n]*$", is tried at every position of s,
-- and cost more per block than reading its records; a reversed copy of
-- the last 4 KB, 7 instructions a byte, cost 2.3k more per news article
-- than this (callgrind, `label` on news4's first 3,000 test articles).
local function last_newline(s, from)
  local n, width = #s, 128
  while true do
    local i = s:find("\n", math.max(n - width + 1, from), true)
    if i then
      local next_nl = s:find("\n", i + 1, true)
      while next_nl do
        i = next_nl
        next_nl = s:find("\n", i + 1, true)
      end
      return i
    end
    width = width * 4
  end
end

--- The message of a line longer than `limit` bytes.
function M.too_long(size, limit)
  return string.format("line too long (%d bytes; lines are read up to %d, 8 x --max-bytes)", size, limit)
end

function M.lines(f, head, counter, src, limit)
  local blocks = reads_in_blocks(src)
  local decoded = decode.is_reader(f)
  local buf, pos, first, eof = head, 1, true, false
  local at = 0  -- where the next line starts in the text (decoded: as converted)
  -- a read error is not an end of file: what follows is unknown, so the
  -- run stops rather than report fewer records than the input holds
  local function read(what)
    local data, err
    if decoded then
      data, err = f:next_block()
      counter.bytes = counter.bytes + f:take_bytes()  -- the file's bytes, a block at a time
    else
      data, err = f:read(what)
    end
    if data == nil and err then util.fail("%s: read error: %s", src.path, err) end
    return data
  end
  -- The rest of a line that goes past the buffer, read in blocks; buf then
  -- holds what follows the line. Returns the line (nil at the end), or ""
  -- and its size when it is too long. The blocks are gathered in a table
  -- (appending each to a string would make a long line cost the square of
  -- its length), dropped once the line passes limit. A file's line longer
  -- than GATHERED_MOST is not gathered: its blocks are only searched for
  -- its end, and the line then read again from its start, at once
  -- (reread): gathered and joined, a 100 MB line had cost three times its
  -- size (the blocks, table.concat's buffer, its string), one read of it
  -- costs two (f:read's buffer, its string). A short line is never read
  -- again: every line that crosses a block's end comes here, and reading
  -- each again (a seek, and the block after it dropped) had made labelling
  -- a JSONL file twice as slow. A decoder cannot go back, so its lines
  -- are always gathered.
  -- The read's buffer is lauxlib's, which asks for its memory without the
  -- full collection Lua makes before it says "not enough memory" for its
  -- own objects: garbage the line before left (a long line and the
  -- readers' scratch for it, as large) made a file of an 80 MB bad line
  -- after another fail under `ulimit -v 260000` and pass under 170000. So
  -- the garbage goes first (a collection per line over 256 KB: labelling
  -- 200 lines of 300 KB was no slower).
  local function reread(size, past)
    local here = f:seek("cur")
    if not here or not f:seek("set", here - past - size) then
      util.fail("%s: cannot seek back to a long line", src.path)
    end
    buf, pos = "", 1
    collectgarbage()
    return read(size)
  end
  local function rest_by_blocks()
    local rest = buf:sub(pos)
    local parts = { rest }
    local size, past = #rest, 0  -- past: the bytes read after the line
    buf, pos = "", 1
    while not eof do
      local data = read(BLOCK)
      if not data then eof = true; break end
      local nl = data:find("\n", 1, true)
      local piece_size = nl or #data
      size = size + piece_size
      if size > limit or (not decoded and size > GATHERED_MOST) then parts = nil
      elseif parts then parts[#parts + 1] = data:sub(1, piece_size) end
      if nl then
        buf, pos, past = data, nl + 1, #data - nl
        break
      end
    end
    if size > limit then return "", size end
    if size == 0 then return nil end
    if parts then return table.concat(parts) end
    return reread(size, past)
  end
  -- The rest of a line from a pipe, terminal or FIFO, after what is left
  -- of the head (a FIFO named as an operand was sniffed); returns as
  -- rest_by_blocks does. Its buffer is not one Lua collects garbage for
  -- before it gives up either (reread): after a line over GATHERED_MOST,
  -- whose string and the readers' scratch are garbage by then, the next
  -- is read after a full collection (two 80 MB bad lines on a pipe ran out
  -- of memory under `ulimit -v 300000`).
  local after_long = false
  local function rest_by_line()
    local rest = buf and buf:sub(pos) or ""
    buf = nil
    if after_long then collectgarbage() end
    local more, len_or_err
    if decoded then more, len_or_err = f:read_line(math.max(limit - #rest, 0))
    else more, len_or_err = tc.read_line(f, math.max(limit - #rest, 0)) end
    if more == false then
      after_long = true
      return "", #rest + len_or_err
    end
    if more == nil and len_or_err then util.fail("%s: read error: %s", src.path, len_or_err) end
    after_long = more ~= nil and #rest + #more > GATHERED_MOST
    if more then return rest .. more end
    if rest ~= "" then return rest end
    return nil
  end
  return function(many)
    local line, size
    local nl = buf and buf:find("\n", pos, true)
    if nl then
      -- every whole line left in the block, when asked and they are
      -- plain UTF-8 (each stands for itself: not the first line, which
      -- may lose a mark, nor a decoder's, whose invalid input is placed)
      if many and not first and not decoded then
        local start, last = pos, last_newline(buf, nl)
        pos = last + 1
        at = at + (last - start + 1)
        counter.bytes = counter.bytes + (last - start + 1)
        return buf, nil, nil, start, last
      end
      line = buf:sub(pos, nl)
      pos = nl + 1
    elseif blocks then
      line, size = rest_by_blocks()
    else
      line, size = rest_by_line()
    end
    if not line then return nil end
    size = size or #line
    local from = at
    at = at + size
    if not (decoded and blocks) then counter.bytes = counter.bytes + size end
    local bad = decoded and f.pending > 0 and f:invalid(from, at) or nil
    local at_start = first
    first = false
    if size > limit then return "", M.too_long(size, limit) end
    if at_start and line:sub(1, 3) == BOM then line = line:sub(4) end
    return line, nil, bad
  end
end

return M
