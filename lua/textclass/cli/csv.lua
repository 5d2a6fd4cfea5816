-- textclass.cli.csv - RFC 4180 CSV, read as a stream and written safely.
--
-- Reading: fields are separated by commas (or another one-byte separator:
-- a tab, ';' or '|', as spreadsheets export them; M.separator), records
-- by CRLF or LF; a field in double quotes may hold the separator, line
-- breaks and doubled quotes (""). Writing always uses commas.
-- Records are read line by line from a file handle, joining lines while a
-- quoted field is open, so a file of any size streams in constant memory
-- per record. Being lenient where RFC 4180 is silent: a bare LF ends a
-- record like CRLF, and a quote inside an unquoted field is kept as-is.
-- An unterminated quoted field at end of input is an error for that record.

local util = require "textclass.cli.util"

local M = {}

--- The field separators a file may use, by the names --separator takes
-- (tab has to be named: a literal tab is hard to type). Each is one byte
-- that no quoted field or record ending can be mistaken for.
local SEPARATORS = { [","] = ",", comma = ",", [";"] = ";", semicolon = ";", ["|"] = "|", pipe = "|",
                     tab = "\t", ["\\t"] = "\t", ["\t"] = "\t" }

--- Each separator's name in messages (the header hint, --help).
M.SEPARATOR_NAMES = { [","] = "comma", [";"] = "semicolon", ["|"] = "pipe", ["\t"] = "tab" }

--- The separator byte a --separator value names (",", ";", "|", "tab",
-- "\\t" or a tab), or nil and why not: a quote, CR or LF could not be told
-- from the quoting and line breaks around fields, and other bytes are
-- refused rather than guessed at. The value is shown with its control
-- characters escaped (util.escape_controls: "'\\x0D' is not a separator").
function M.separator(name)
  local sep = SEPARATORS[name] or SEPARATORS[name:lower()]
  if sep then return sep end
  return nil, string.format("'%s' is not a separator: give , ; | or tab (or comma, semicolon, pipe)",
                            util.escape_controls(name))
end

-- Add piece s to the pieces of a quoted field, a stack whose strings
-- shrink towards its top: a piece at least as long as the one below is
-- joined to it (Programming in Lua's string buffer), so the stack holds
-- about log2 of the field's size, each byte is copied as often, and
-- memory stays near the field's size (a table slot per line of a field of
-- a million empty lines cost 16 bytes a byte).
local function push(parts, s)
  local n = #parts
  while n > 0 and #parts[n] <= #s do
    s = parts[n] .. s
    parts[n] = nil
    n = n - 1
  end
  parts[n + 1] = s
end

-- The rest of a quoted field, from s[i]: its text goes to parts, doubled
-- quotes undone. Returns the index after the closing quote, or nil when s
-- ends inside the field.
local function quoted(s, i, parts)
  local j = i
  while true do
    local q = s:find('"', j, true)
    if not q or s:byte(q + 1) ~= 34 then           -- the end of the line, or the closing quote
      push(parts, (s:sub(i, q and q - 1 or #s):gsub('""', '"')))
      return q and q + 1
    end
    j = q + 2                                       -- a doubled quote
  end
end

-- Close the quoted field st.parts after its closing quote at s[pos],
-- keeping stray text up to the next separator sep. Returns that
-- separator's index, or nil when the record ends with this field.
local function close_quoted(st, s, pos, sep)
  local c = s:find(sep, pos, true)
  push(st.parts, c and s:sub(pos, c - 1) or s:sub(pos))
  st.fields[#st.fields + 1] = table.concat(st.parts)
  st.parts = nil
  return c
end

-- Add one line (without its line break) to the record being read, its
-- fields separated by sep (one byte, never a quote, CR or LF): st.fields
-- holds the fields so far and st.parts a quoted field left open by the
-- line before. Returns true when the record is complete, false when a
-- quoted field is still open (st.parts) at the end of the line. Each line
-- is scanned once, so a record of many lines costs its length, not the
-- square of it.
local function add_line(st, s, sep)
  local pos = 1
  if st.parts then
    local after = quoted(s, 1, st.parts)
    if not after then return false end
    local c = close_quoted(st, s, after, sep)
    if not c then return true end
    pos = c + 1
  end
  while true do
    if s:sub(pos, pos) == '"' then
      st.parts = {}
      local after = quoted(s, pos + 1, st.parts)
      if not after then return false end
      local c = close_quoted(st, s, after, sep)
      if not c then return true end
      pos = c + 1
    else
      local c = s:find(sep, pos, true)
      if not c then
        st.fields[#st.fields + 1] = s:sub(pos)
        return true
      end
      st.fields[#st.fields + 1] = s:sub(pos, c - 1)
      pos = c + 1
    end
  end
end

--- An iterator over the records of a CSV stream.
-- `next_line` returns the next line including its line break (like
-- file:read("L")) or nil at the end, or "" and a message for a line it
-- could not read; a third value, when given, says what is wrong with the
-- line's text (invalid UTF-16) and comes back with its record. Each call
-- of the iterator returns fields, first_line, last_line and that message
-- (the first of the record's lines); or false, message, line for a record
-- that cannot be read
-- (after which the stream cannot be trusted to be in step); or nothing at
-- the end. A record of more than `limit` bytes (default: no limit) is
-- such a failure, so an unterminated quote cannot pull a whole file into
-- memory. `sep` is the field separator (default ","; one of
-- M.SEPARATORS' values). `skipped` lines were read before the first
-- (Excel's "sep=;" line), so line numbers count them.
function M.records(next_line, limit, sep, skipped)
  local lineno = skipped or 0
  limit = limit or math.huge
  sep = sep or ","
  return function()
    local line, problem, bad = next_line()
    if line == nil then return nil end
    lineno = lineno + 1
    local first, size, invalid = lineno, 0, nil
    local st = { fields = {} }
    while true do
      if problem then return false, problem, lineno end
      invalid = invalid or bad
      size = size + #line
      if size > limit then
        return false, string.format("record longer than %d bytes (an unterminated quote?)", limit), first
      end
      if st.parts and not line:find('"', 1, true) then
        push(st.parts, line)                        -- inside the quotes, line break and all
      else
        local body, eol = util.split_eol(line)
        if add_line(st, body, sep) then return st.fields, first, lineno, invalid end
        push(st.parts, eol)                         -- a line break inside the quotes
      end
      line, problem, bad = next_line()
      if line == nil then
        return false, "unterminated quoted field", first
      end
      lineno = lineno + 1
    end
  end
end

--- Quote a field for output when it needs it (comma, quote, CR or LF, or
-- leading/trailing space that some readers would trim): tc.format_field,
-- in C (string.find's patterns, tried at every byte, cost `label -o csv`
-- 21k instructions per record). The module is required on first use.
local format_field
function M.quote(s)
  format_field = format_field or require("textclass").format_field
  return format_field(tostring(s), "csv")
end

--- One CSV record (CRLF-terminated, as RFC 4180 says) from an array of values.
function M.format(values)
  local out = {}
  for i, v in ipairs(values) do out[i] = M.quote(v) end
  return table.concat(out, ",") .. "\r\n"
end

return M
