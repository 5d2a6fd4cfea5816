-- textclass.cli.utf16 - a source that begins with a UTF-16 byte order
-- mark, read as UTF-8.
--
-- Windows tools write UTF-16: Notepad's "Unicode", Windows PowerShell 5's
-- `>`, Excel's "Unicode Text". textclass.cli.stream hands such a source to
-- a reader from here, which its readers use as they use a file: r:read(n)
-- and r:close() (a file, or stdin redirected from one, read in blocks;
-- r:next_block() for stream.lines), r:read_line(limit [, cut]) (a pipe,
-- line by line as tc.read_line reads it). All
-- they see is UTF-8 (tc.utf16_decoder converts), so lines are counted,
-- FILE:LINE ids given and --max-bytes applied in UTF-8.
--
-- Invalid UTF-16 (an unpaired surrogate, an odd number of bytes) reads as
-- U+FFFD, and the decoder notes where; r:invalid(from, to) names the
-- first note in a stretch of the text, so the record holding it can fail
-- as invalid UTF-8 does (unless --replace-invalid). Without a byte order
-- mark nothing is UTF-16: its NUL bytes make it a binary file, as before.

local tc = require "textclass"

local M = {}

M.BLOCK = 65536  -- bytes of UTF-16 read at a time (a field, so tests can cut blocks small)

M.UTF32 = "UTF-32 is not supported: convert the file to UTF-8 (iconv -f UTF-32 -t UTF-8)"

--- The encoding a byte order mark at the start of head names: "UTF-16LE",
-- "UTF-16BE", "UTF-32LE", "UTF-32BE", or nil. (FF FE 00 00 is UTF-32LE's
-- mark; UTF-16 text cannot begin with U+0000 after its own.)
function M.encoding(head)
  local b4 = head:sub(1, 4)
  if b4 == "\255\254\0\0" then return "UTF-32LE" end
  if b4 == "\0\0\254\255" then return "UTF-32BE" end
  local b2 = head:sub(1, 2)
  if b2 == "\255\254" then return "UTF-16LE" end
  if b2 == "\254\255" then return "UTF-16BE" end
  return nil
end

local Reader = {}
Reader.__index = Reader

--- Is f one of our readers (rather than a Lua file)?
function M.is_reader(f) return getmetatable(f) == Reader end

-- Move the decoder's notes to the queue r:invalid reads.
function Reader:collect()
  local notes = self.dec:invalid()
  if not notes then return end
  local q = self.notes
  for _, n in ipairs(notes) do
    q.last = q.last + 1
    q[q.last] = n
  end
  self.pending = q.last - q.first + 1
end

-- Convert the next raw bytes (nil: the end of input); returns the text.
function Reader:convert(data)
  local text = self.dec:convert(data or "", data == nil)
  if data then self.raw = self.raw + #data else self.eof = true end
  self:collect()
  return text
end

-- Forget every note but the first.
function Reader:keep_first_note()
  local q = self.notes
  for i = q.first + 1, q.last do q[i] = nil end
  q.last = math.min(q.last, q.first)
  self.pending = q.last - q.first + 1
end

--- Up to n bytes of text, as file:read(n) gives them: fewer only at the
-- end, nil when nothing is left; nil, message on a read error. Its
-- callers take the text whole (a file as one article, a feed) and ask
-- r:invalid once, about all of it: only the first note is kept (one a
-- line of a file of invalid lines held 50 bytes for each byte read).
function Reader:read(n)
  local parts, have = {}, #self.buf - self.pos + 1
  if have > 0 then parts[1] = self.pos == 1 and self.buf or self.buf:sub(self.pos) end
  self.buf, self.pos = "", 1
  self:keep_first_note()
  while have < n and not self.eof do
    local data, err = self.f:read(M.BLOCK)
    if data == nil and err then return nil, err end
    local text = self:convert(data)
    self:keep_first_note()
    parts[#parts + 1] = text
    have = have + #text
  end
  local all = table.concat(parts)
  if all == "" then return nil end
  if #all > n then
    self.buf, self.pos = all, n + 1
    return all:sub(1, n)
  end
  return all
end

--- The next stretch of text, whatever its length (what one block of
-- UTF-16 makes), for a reader that cuts lines itself: nil at the end; nil,
-- message on a read error. Cheaper than r:read(n), which must cut and
-- join blocks to give n bytes.
function Reader:next_block()
  if self.pos <= #self.buf then
    local rest = self.pos == 1 and self.buf or self.buf:sub(self.pos)
    self.buf, self.pos = "", 1
    return rest
  end
  while not self.eof do
    local data, err = self.f:read(M.BLOCK)
    if data == nil and err then return nil, err end
    local text = self:convert(data)
    if text ~= "" then return text end
  end
  return nil
end

--- One line of a pipe, as tc.read_line returns it (at most limit bytes of
-- UTF-8 kept; with cut, a longer line's first bytes, the rest left
-- unread), never reading past it.
function Reader:read_line(limit, cut)
  local line, len_or_err, errno = self.dec:read_line(self.f, limit, cut)
  self:collect()
  return line, len_or_err, errno
end

--- Raw bytes read since the last call (for the progress bar, which counts
-- the file's bytes).
function Reader:take_bytes()
  local n = self.raw - self.counted
  self.counted = self.raw
  return n
end

--- Why text[from, to) (0-based offsets in the whole text, to exclusive)
-- is not valid UTF-16, or nil. Stretches must be asked for in order: the
-- notes before `to` are forgotten. (r.pending counts the notes not yet
-- forgotten: with none, a caller may skip the call, as stream.lines does
-- for each line.)
function Reader:invalid(from, to)
  local q, found = self.notes, nil
  while q.first <= q.last and q[q.first].output < to do
    local n = q[q.first]
    q[q.first] = nil
    q.first = q.first + 1
    if not found and n.output >= from then found = n end
  end
  self.pending = q.last - q.first + 1
  if not found then return nil end
  local at = found.input + 2 + 1  -- after the byte order mark, 1-based
  local where = self.stdin and "stdin" or "the file"
  if found.unit then
    return string.format("invalid UTF-16 at byte %d of %s: unpaired surrogate %04X", at, where, found.unit)
  end
  return string.format("invalid UTF-16 at byte %d of %s: an odd number of bytes, the last code unit cut short",
                       at, where)
end

--- Close the file (stdin stays open).
function Reader:close()
  if not self.stdin then self.f:close() end
end

--- A reader of f, whose byte order mark (2 bytes) says `encoding`, with
-- `rest` the bytes already read past the mark; returns it and the text
-- those bytes make (the sniffed head, which a split last unit or pair
-- may leave short).
function M.reader(f, encoding, src, rest)
  local r = setmetatable({
    f = f, stdin = src.stdin, dec = tc.utf16_decoder(encoding == "UTF-16BE" and "be" or "le"),
    buf = "", pos = 1, eof = false, raw = 2, counted = 0, notes = { first = 1, last = 0 }, pending = 0,
  }, Reader)
  return r, r:convert(rest)
end

return M
