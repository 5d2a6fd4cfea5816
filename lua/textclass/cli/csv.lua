-- textclass.cli.csv - RFC 4180 CSV, read as a stream and written safely.
--
-- Reading: fields are separated by commas, records by CRLF or LF; a field
-- in double quotes may hold commas, line breaks and doubled quotes ("").
-- Records are read line by line from a file handle, joining lines while a
-- quoted field is open, so a file of any size streams in constant memory
-- per record. Being lenient where RFC 4180 is silent: a bare LF ends a
-- record like CRLF, and a quote inside an unquoted field is kept as-is.
-- An unterminated quoted field at end of input is an error for that record.

local M = {}

-- Split one complete record (without its line break) into fields.
-- Returns the fields, or nil when a quoted field is still open (the caller
-- appends the next line and tries again).
local function split_record(s)
  local fields, pos, n = {}, 1, #s
  while true do
    if s:sub(pos, pos) == '"' then
      local parts, i = {}, pos + 1
      while true do
        local q = s:find('"', i, true)
        if not q then return nil end               -- still open: needs more lines
        parts[#parts + 1] = s:sub(i, q - 1)
        if s:sub(q + 1, q + 1) == '"' then         -- doubled quote
          parts[#parts + 1] = '"'
          i = q + 2
        else
          pos = q + 1
          break
        end
      end
      -- after the closing quote: tolerate stray text up to the next comma
      local c = s:find(",", pos, true)
      local tail = c and s:sub(pos, c - 1) or s:sub(pos)
      fields[#fields + 1] = table.concat(parts) .. tail
      if not c then return fields end
      pos = c + 1
    else
      local c = s:find(",", pos, true)
      if not c then
        fields[#fields + 1] = s:sub(pos, n)
        return fields
      end
      fields[#fields + 1] = s:sub(pos, c - 1)
      pos = c + 1
    end
  end
end

--- An iterator over the records of a CSV stream.
-- `next_line` returns the next line including its line break (like
-- file:read("L")) or nil at the end. Each call of the iterator returns
-- fields, first_line, last_line; or nil, message, line for a record that
-- cannot be parsed; or nothing at the end.
function M.records(next_line)
  local lineno = 0
  return function()
    local line = next_line()
    if line == nil then return nil end
    lineno = lineno + 1
    local first = lineno
    local buf = line
    while true do
      local body = buf:gsub("\r?\n$", "")
      local fields = split_record(body)
      if fields then return fields, first, lineno end
      local more = next_line()
      if more == nil then
        return false, "unterminated quoted field", first
      end
      lineno = lineno + 1
      buf = buf .. more
    end
  end
end

--- Quote a field for output when it needs it (comma, quote, CR or LF, or
-- leading/trailing space that some readers would trim).
function M.quote(s)
  s = tostring(s)
  if s:find('[,"\r\n]') or s:find("^%s") or s:find("%s$") then
    return '"' .. s:gsub('"', '""') .. '"'
  end
  return s
end

--- One CSV record (CRLF-terminated, as RFC 4180 says) from an array of values.
function M.format(values)
  local out = {}
  for i, v in ipairs(values) do out[i] = M.quote(v) end
  return table.concat(out, ",") .. "\r\n"
end

return M
