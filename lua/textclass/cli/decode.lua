-- textclass.cli.decode - a source read as UTF-8 from another encoding:
-- UTF-16 (a file that begins with its byte order mark, or --encoding
-- utf-16le) or any encoding given --encoding (windows-1252, shift_jis,
-- gb18030: iconv's, through tc.decoder).
--
-- Windows tools write UTF-16: Notepad's "Unicode", Windows PowerShell 5's
-- `>`, Excel's "Unicode Text"; Excel's "CSV (Comma delimited)" is
-- Windows-1252 in the West, and archives hold Latin-1, Shift_JIS and
-- GB18030. textclass.cli.stream hands such a source to a reader from here,
-- which its readers use as they use a file: r:read(n) and r:close() (a
-- file, or stdin redirected from one, read in blocks; r:next_block() for
-- stream.lines), r:read_line(limit [, cut]) (a pipe, line by line as
-- tc.read_line reads it). All they see is UTF-8 (the decoder converts),
-- so lines are counted, FILE:LINE ids given and --max-bytes applied in
-- UTF-8. One reader for every encoding: only the decoder differs.
--
-- Invalid input (an unpaired surrogate, an odd number of bytes, a byte the
-- encoding does not map) reads as U+FFFD, and the decoder notes where;
-- r:invalid(from, to) names the first note in a stretch of the text, with
-- its offset in the file's bytes, so the record holding it can fail as
-- invalid UTF-8 does (unless --replace-invalid). Without a byte order
-- mark or --encoding nothing is UTF-16: its NUL bytes make it a binary
-- file, as before.
--
-- Precedence, as browsers have it: a byte order mark wins (UTF-16's, or
-- UTF-8's: such a file is read as UTF-8 whatever --encoding says), then
-- --encoding, then what a page or feed declares (its text is valid UTF-8
-- once converted, and a page's declaration only matters to bytes that are
-- not: tc.html_text).

local tc = require "textclass"

local M = {}

M.BLOCK = 65536  -- bytes read at a time (a field, so tests can cut blocks small)

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

--- What --encoding NAME reads as: "UTF-8" (the default: no conversion),
-- "UTF-16LE" or "UTF-16BE" (the UTF-16 decoder), or NAME itself (for
-- tc.decoder); or nil and why not (a name iconv does not know, an
-- encoding whose line feed is not the byte 0x0A). WHATWG labels read as
-- a page's declaration does: latin1 as Windows-1252, shift_jis as
-- Windows-31J (tc.encoding_name).
function M.check(name)
  local known = tc.encoding_name(name)
  if known == "UTF-8" or known == "UTF-16LE" or known == "UTF-16BE" then return known end
  local d, err = tc.decoder(name)
  if not d then return nil, err end
  return name
end

--- A new decoder for `encoding` (M.check's answer).
local function decoder(encoding)
  if encoding == "UTF-16LE" then return tc.utf16_decoder("le") end
  if encoding == "UTF-16BE" then return tc.utf16_decoder("be") end
  return assert(tc.decoder(encoding))
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
-- The decoder reads the blocks and adds each one's text to one buffer
-- (decoder:read): converted by the block here and joined by table.concat,
-- the text was held three times over, the blocks, concat's buffer and the
-- string it made (reading a UTF-16 article of 15 MB of UTF-8 peaked at
-- 61 MB RSS, now 34 MB, as a UTF-8 one does). What the last block
-- converted past n is kept for the next read.
function Reader:read(n)
  local text, rest = self.buf, ""
  self:keep_first_note()
  if #text < n and not self.eof then
    local bytes, ended
    text, rest, bytes, ended = self.dec:read(self.f, n, text, M.BLOCK)
    if not text then return nil, rest end
    self.raw, self.eof = self.raw + bytes, ended
    self:collect()
    self:keep_first_note()
  elseif #text > n then
    text, rest = text:sub(1, n), text:sub(n + 1)
  end
  self.buf = rest
  if text == "" then return nil end
  return text
end

--- The next stretch of text, whatever its length (what one block of
-- input makes), for a reader that cuts lines itself: nil at the end; nil,
-- message on a read error. Cheaper than r:read(n), which gathers blocks
-- into one buffer (decoder:read) and cuts the last to give n bytes.
function Reader:next_block()
  if self.buf ~= "" then
    local rest = self.buf
    self.buf = ""
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
-- is not valid in the encoding, or nil. Stretches must be asked for in order: the
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
  local at = found.input + self.skipped + 1  -- after any byte order mark, 1-based
  local where = self.stdin and "stdin" or "the file"
  if self.name then
    return string.format("invalid %s at byte %d of %s (0x%02X)", self.name, at, where, found.unit)
  end
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

--- A reader of f in `encoding` (M.check's answer, or the one a byte
-- order mark names), with `rest` the bytes already read past the mark, if
-- any (`skipped` bytes: 2, or 0 without one); returns it and the text
-- those bytes make (the sniffed head, which a character cut at its end
-- may leave short). `name` is --encoding's value as given, for messages.
function M.reader(f, encoding, src, rest, skipped, name)
  local r = setmetatable({
    f = f, stdin = src.stdin, dec = decoder(encoding), skipped = skipped,
    name = not encoding:find("^UTF%-16") and name or nil,
    buf = "", eof = false, raw = skipped, counted = 0, notes = { first = 1, last = 0 }, pending = 0,
  }, Reader)
  return r, r:convert(rest)
end

return M
