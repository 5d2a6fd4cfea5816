-- textclass.cli.inputs - turn command-line operands into a stream of documents.
--
-- Operands are files, folders (walked recursively, entries in byte order,
-- hidden entries skipped, symlink loops cut) and "-" for stdin. Each file
-- has a format, from --input or its extension:
--
--   text   the whole file is one article                 (any other extension)
--   lines  one article per line                           (stdin's default)
--   jsonl  one JSON object per line                       (.jsonl, .ndjson)
--   csv    RFC 4180 with a header row                     (.csv)
--   tsv    ID<TAB>TEXT per line                           (--input tsv only)
--
-- Labelled data (train, eval) reads jsonl, csv, fastText "__label__x text"
-- lines (any other extension) and folders with one sub-folder per label.
--
-- Promises: documents come out in input order, one per article, streamed
-- (a file is never read whole unless it is one article). Anything wrong
-- with an input - missing, unreadable, binary, empty, invalid UTF-8, a
-- line that is not JSON - still yields exactly one record carrying an
-- `error` message, so callers can keep the one-in, one-out contract.

local tc = require "textclass"
local lfs = require "lfs"
local csv = require "textclass.cli.csv"
local util = require "textclass.cli.util"

local M = {}

M.HEAD_BYTES = 8192              -- how much of a file is sniffed for NUL bytes
M.MAX_DOC_BYTES = 16 * 1024 * 1024

-- The longest line (a JSONL record, a CSV record) held in memory: eight
-- times --max-bytes, since a JSONL line may spell its text with escapes
-- ("\u00e9" is 6 bytes for 2). A longer one is read past, not kept, and
-- stands as an error record, so memory stays bounded whatever the input.
local function line_limit(opts) return 8 * (opts.max_bytes or M.MAX_DOC_BYTES) end

local EXT_UNLABELLED = { jsonl = "jsonl", ndjson = "jsonl", csv = "csv" }
local EXT_LABELLED = { jsonl = "jsonl", ndjson = "jsonl", csv = "csv" }

M.UNLABELLED_FORMATS = { "auto", "text", "lines", "jsonl", "csv", "tsv" }
M.LABELLED_FORMATS = { "auto", "jsonl", "csv", "fasttext", "folder" }

--- Options every command reading documents shares (label, train, eval):
-- where the text and id are in JSONL and CSV, and what text is accepted.
M.TEXT_OPTIONS = {
  { long = "text-field", arg = "NAME", default = "text", help = "JSONL field holding the text" },
  { long = "id-field", arg = "NAME", default = "id", help = "JSONL field holding the id" },
  { long = "text-column", arg = "NAME|N", default = "text", help = "CSV column holding the text" },
  { long = "id-column", arg = "NAME|N", help = "CSV column holding the id [id, when present]" },
  { long = "replace-invalid", help = "accept text with invalid UTF-8 (decoded with U+FFFD) instead of failing it" },
  { long = "max-bytes", arg = "N", type = "integer", min = 1, default = M.MAX_DOC_BYTES,
    help = "longest document accepted, in bytes" },
}

local READ_KEYS = { "input", "text_field", "id_field", "label_field", "text_column", "id_column",
                    "label_column", "replace_invalid", "max_bytes", "multilabel" }

--- The reading options (for documents and labelled) out of a command's
-- parsed options, so a flag added to TEXT_OPTIONS reaches every reader.
function M.read_options(opts)
  local out = {}
  for _, k in ipairs(READ_KEYS) do out[k] = opts[k] end
  return out
end

--- Raise a usage error when "-" (stdin) is given more than once; returns
-- how many times it is given (0 or 1).
function M.count_stdin(operands)
  local n = 0
  for _, p in ipairs(operands) do if p == "-" then n = n + 1 end end
  if n > 1 then util.usage_error("stdin (-) can be read only once") end
  return n
end

local function extension(path)
  return (path:match("%.([%w]+)$") or ""):lower()
end

---------------------------------------------------------------------------
-- Operands -> sources
---------------------------------------------------------------------------

-- Walk a folder, appending { path =, size = } for every regular file and
-- { path =, error = } for entries that cannot be read.
local function walk(dir, out, seen, label)
  local attr = lfs.attributes(dir)
  if attr then
    local key = attr.dev .. ":" .. attr.ino
    if seen[key] then return end               -- a symlink loop
    seen[key] = true
  end
  local ok, iter, state = pcall(lfs.dir, dir)
  if not ok then
    out[#out + 1] = { path = dir, error = tostring(iter):gsub("^.-: ", ""), label = label }
    return
  end
  local names = {}
  for name in iter, state do
    if name:sub(1, 1) ~= "." then names[#names + 1] = name end
  end
  table.sort(names)
  for _, name in ipairs(names) do
    local path = dir:sub(-1) == "/" and (dir .. name) or (dir .. "/" .. name)
    local mode = lfs.attributes(path, "mode")
    if mode == "directory" then
      walk(path, out, seen, label)
    elseif mode == "file" then
      out[#out + 1] = { path = path, size = lfs.attributes(path, "size"), label = label }
    elseif mode == nil then
      out[#out + 1] = { path = path, error = "cannot read (dangling link?)", label = label }
    end
    -- sockets, fifos and devices inside folders are skipped
  end
end

--- Expand operands into sources: { path, stdin = bool, size = bytes|nil,
-- error = message|nil, folder = root|nil }. `labelled` folders become
-- label folders (one sub-folder per label).
function M.sources(operands, labelled)
  local out = {}
  for _, p in ipairs(operands) do
    if p == "-" then
      out[#out + 1] = { path = "-", stdin = true }
    else
      local attr, err = lfs.attributes(p)
      if not attr then
        out[#out + 1] = { path = p, error = (err or "cannot read"):gsub("^.-: ", "") }
      elseif attr.mode == "directory" then
        if labelled then
          local subs, files = {}, {}
          walk(p, files, {}, nil)
          -- label = first path component below the root
          local root = p:sub(-1) == "/" and p or (p .. "/")
          for _, f in ipairs(files) do
            local rel = f.path:sub(#root + 1)
            local label = rel:match("^([^/]+)/")
            f.folder = p
            if label then f.label = label
            else f.error = f.error or "not inside a label sub-folder" end
            subs[#subs + 1] = f
          end
          for _, f in ipairs(subs) do out[#out + 1] = f end
        else
          walk(p, out, {}, nil)
        end
      else
        out[#out + 1] = { path = p, size = attr.mode == "file" and attr.size or nil }
      end
    end
  end
  return out
end

--- Total bytes of the sources, or nil when any size is unknown (stdin from
-- a pipe, a fifo).
function M.total_size(sources)
  local total = 0
  for _, s in ipairs(sources) do
    if s.error then
      total = total + 0   -- an input that cannot be read counts as nothing
    elseif s.stdin then
      local mode = lfs.attributes("/dev/stdin", "mode")
      if mode ~= "file" then return nil end
      local cur = io.stdin:seek("cur")
      local size = cur and io.stdin:seek("end")
      if not size or not io.stdin:seek("set", cur) then return nil end
      total = total + size - cur
    elseif s.size then
      total = total + s.size
    else
      return nil
    end
  end
  return total
end

--- Is stdin a stream whose end we cannot see coming (a pipe or terminal)?
function M.stdin_is_stream()
  local mode = lfs.attributes("/dev/stdin", "mode")
  return mode ~= "file"
end

---------------------------------------------------------------------------
-- Checks on one article
---------------------------------------------------------------------------

local BOM = "\239\187\191"

--- Why this text cannot be classified, or nil. `whole_file` words the
-- binary case for a file ("binary file") rather than a record.
function M.check_text(text, opts, whole_file)
  if #text > (opts.max_bytes or M.MAX_DOC_BYTES) then
    return string.format("document too large (%d bytes, limit %d)", #text, opts.max_bytes or M.MAX_DOC_BYTES)
  end
  if text:find("\0", 1, true) then
    return whole_file and "binary file" or "binary data (NUL byte)"
  end
  if not opts.replace_invalid then
    local ok, pos = tc.check_utf8(text)
    if not ok then return string.format("invalid UTF-8 at byte %d", pos) end
  end
  if not text:find("%S") then return "empty document" end
  return nil
end

-- Give doc its text, or the error check_text finds in it; returns doc.
local function take_text(doc, text, opts, whole_file)
  doc.error = M.check_text(text, opts, whole_file)
  doc.text = not doc.error and text or nil
  return doc
end

-- A line iterator over `head` (already read) followed by the rest of f.
-- Lines keep their "\n"; `counter.bytes` grows by each line's size. A line
-- longer than `limit` comes back as "" and a second value saying so.
-- A byte order mark at the start of the first line is dropped (the head
-- of a sniffed file has lost it already; a pipe's first line has not).
--
-- `blocks` (for files, never for a pipe or terminal) reads BLOCK bytes at a
-- time and cuts lines out of them: Lua's f:read("L") fetches a line byte by
-- byte, which costs more than the JSON decoding of the line. A pipe is
-- read line by line because a block read waits for a whole block, which
-- would hold back the records of a slow producer.
local BLOCK = 65536
local function line_reader(f, head, counter, path, blocks, limit)
  local buf, pos, first, eof = head, 1, true, false
  -- a read error is not an end of file: what follows is unknown, so the
  -- run stops rather than report fewer records than the input holds
  local function read(what)
    local data, err = f:read(what)
    if data == nil and err then util.fail("%s: read error: %s", path, err) end
    return data
  end
  -- The rest of a line that goes past the buffer, read in blocks (gathered
  -- in a table: appending each block to a string would make a long line
  -- cost the square of its length, and dropped once the line passes
  -- limit); buf then holds what follows the line. Returns the line (nil
  -- at the end), or "" and its size when it is too long.
  local function rest_by_blocks()
    local parts = { buf:sub(pos) }
    local size = #parts[1]
    buf, pos = "", 1
    while not eof do
      local data = read(BLOCK)
      if not data then eof = true; break end
      local nl = data:find("\n", 1, true)
      local piece = nl and data:sub(1, nl) or data
      size = size + #piece
      if size > limit then parts = nil elseif parts then parts[#parts + 1] = piece end
      if nl then
        buf, pos = data, nl + 1
        break
      end
    end
    if not parts then return "", size end
    local line = table.concat(parts)
    if line ~= "" then return line end
    return nil
  end
  return function()
    local line, size
    local nl = buf and buf:find("\n", pos, true)
    if nl then
      line = buf:sub(pos, nl)
      pos = nl + 1
    elseif blocks then
      line, size = rest_by_blocks()
    elseif buf then
      local rest = buf:sub(pos)
      buf = nil
      local more = read("L")
      if more then line = rest .. more
      elseif rest ~= "" then line = rest end
    else
      line = read("L")
    end
    if not line then return nil end
    size = size or #line -- (a pipe's line is read whole: over the limit, it is dropped now)
    counter.bytes = counter.bytes + size
    local at_start = first
    first = false
    if size > limit then
      return "", string.format("line too long (%d bytes; lines are read up to %d, 8 x --max-bytes)", size, limit)
    end
    if at_start and line:sub(1, 3) == BOM then line = line:sub(4) end
    return line
  end
end

local function strip_eol(line) return (util.split_eol(line)) end

-- Open a source; returns f, head or nil, message.
local function open_source(src)
  if src.error then return nil, src.error end
  local f, err
  -- a closed stdin (`<&-`) reads as empty; say so instead
  if src.stdin and not lfs.attributes("/dev/stdin") then return nil, "stdin is closed" end
  if src.stdin then f = io.stdin
  else
    f, err = io.open(src.path, "rb")
    if not f then return nil, (err or "cannot open"):gsub("^.-: ", "") end
  end
  -- A pipe or terminal is not sniffed: reading 8 KB ahead would hold back
  -- the first records of a slow producer (tail -f | textclass label).
  if src.stdin and M.stdin_is_stream() then return f, "" end
  local head, rerr = f:read(M.HEAD_BYTES)
  if head == nil and rerr then
    if not src.stdin then f:close() end
    return nil, rerr:gsub("^.-: ", "")
  end
  head = head or ""
  if head:sub(1, 3) == BOM then head = head:sub(4) end
  return f, head
end

-- Can the source be read a block at a time (a regular file, or stdin
-- redirected from one), rather than line by line as a pipe must be?
local function reads_in_blocks(src)
  if src.stdin then return not M.stdin_is_stream() end
  return src.size ~= nil
end

local function close_source(src, f)
  if f and not src.stdin then f:close() end
end

-- A whole source as one document (doc gets its text or an error), after
-- its sniffed head. A binary file is not read past its head, and no more
-- than the size limit is ever read: a 2 GB file or an endless pipe given
-- as one article costs limit + 1 bytes, not all of it.
local function read_whole(doc, src, f, head, opts, counter)
  local limit = opts.max_bytes or M.MAX_DOC_BYTES
  local text = head
  if src.size and src.size > limit then
    doc.error = string.format("document too large (%d bytes, limit %d)", src.size, limit)
  else
    if not head:find("\0", 1, true) and #head <= limit then
      text = head .. (f:read(limit + 1 - #head) or "")
    end
    -- (a file that grew since it was listed, or a pipe)
    if #text > limit then doc.error = string.format("document too large (over %d bytes)", limit) end
  end
  close_source(src, f)
  counter.bytes = counter.bytes + (src.size or #text)
  if doc.error then return doc end
  return take_text(doc, text, opts, true)
end

-- The id of a JSONL record that tc.json_fields left to lua-cjson: a
-- string as is; a number as written in the
-- line when the field occurs there once (lua-cjson decodes every number to a
-- double, which would turn the id 1234567890123456789 into
-- 1234567890123456768), else as the double's shortest exact form.
local function id_value(v, line, field)
  if type(v) == "string" then return v end
  if type(v) ~= "number" then return nil end
  local key = '"' .. field:gsub("%p", "%%%0") .. '"%s*:%s*(%-?%d[%d%.eE%+%-]*)'
  local raw, n = nil, 0
  for token in line:gmatch(key) do raw, n = token, n + 1 end
  if n == 1 and tonumber(raw) + 0.0 == v then return raw end
  local i = math.tointeger(v)
  if i then return string.format("%d", i) end
  for digits = 15, 17 do
    local s = string.format("%." .. digits .. "g", v)
    if tonumber(s) == v then return s end
  end
end

local function where(src, line) return src.path .. ":" .. line end

-- The error for a text field that is missing or not a string.
local function field_error(value, name)
  if value == nil then return "no '" .. name .. "' field" end
  return "field '" .. name .. "' is not a string"
end

-- One JSONL line as an object, or nil and the problem (a blank line, which
-- still stands for a record, is named as such rather than by the parser).
local function json_object(line)
  if not line:find("%S") then return nil, "empty line (no JSON object)" end
  local obj, jerr = util.json_decode(line)
  if type(obj) == "table" then return obj end
  return nil, obj == nil and ("not JSON: " .. tostring(jerr)) or "not a JSON object"
end

-- A CSV source's records after its header row: records, header; or nil,
-- the place and the problem (no header row, a broken header).
local function csv_table(src, next_line, limit)
  local records = csv.records(next_line, limit)
  local header, first, last = records()
  if header == nil then return nil, src.path, "empty CSV file (no header row)" end
  if header == false then return nil, where(src, last), "CSV header: " .. first end
  return records, header
end

-- The index of a header column given by name or by 1-based number ("3"),
-- or nil and why it is not there.
local function csv_column(header, spec)
  if spec:match("^%d+$") then
    local i = tonumber(spec)
    if i >= 1 and i <= #header then return i end
    return nil, string.format("no column %d (the header has %d)", i, #header)
  end
  for i, name in ipairs(header) do if name == spec then return i end end
  return nil, string.format("no '%s' column in the header", spec)
end

-- A record whose field count differs from the header's is an error either
-- way: too few leaves columns empty, too many is most often an unquoted
-- comma that cut the text short.
local function csv_ragged(fields, header)
  if #fields == #header then return nil end
  return string.format("record has %d field%s, the header %d", #fields, #fields == 1 and "" or "s", #header)
end

-- An iterator over the documents `read(src, fmt, opts, emit, counter)`
-- emits for each source, in order, the format of each chosen by
-- format_of(src, opts.input); returns it and the byte counter.
local function iterate(sources, opts, counter, read, format_of)
  counter = counter or { bytes = 0 }
  return coroutine.wrap(function()
    for _, src in ipairs(sources) do
      read(src, format_of(src, opts.input), opts, coroutine.yield, counter)
    end
  end), counter
end

-- One JSONL record (line n of src) as a document: its id and text, or the
-- error that stands for it; opts.keep_fields adds the other fields, each
-- as its JSON text. The text and id are read straight from the line
-- (tc.json_fields), so a numeric id is the token as written, and the other
-- fields are copied as written ([] stays [], long numbers keep their
-- digits). A line that scanner does not handle is decoded by lua-cjson,
-- whose verdict stands (id_value then recovers the id's token; the other
-- fields are then lua-cjson's values encoded again).
local function jsonl_document(line, src, n, opts, text_field, id_field)
  local doc = {}
  local fields = opts.keep_fields ~= false and {} or nil
  local text, text_kind, id, id_kind = tc.json_fields(line, text_field, id_field, fields)
  if text == false then
    local obj, jerr = json_object(line)
    if not obj then
      doc.id = where(src, n)
      doc.error = jerr
      return doc
    end
    if fields then
      fields = {}
      for k, v in pairs(obj) do
        if k ~= text_field and k ~= id_field then fields[k] = util.json(v) end
      end
    end
    id, text = id_value(obj[id_field], line, id_field), obj[text_field]
    text_kind = type(text) == "string" and "string" or text == nil and "absent" or "other"
  elseif id_kind ~= "string" and id_kind ~= "number" then
    id = nil
  end
  doc.fields = fields
  doc.id = id or where(src, n)
  if text_kind ~= "string" then
    doc.error = field_error(text_kind ~= "absent" or nil, text_field)
    return doc
  end
  return take_text(doc, text, opts)
end

---------------------------------------------------------------------------
-- Unlabelled documents (label)
---------------------------------------------------------------------------

-- Produce the documents of one source with `emit(doc)`.
local function read_unlabelled(src, fmt, opts, emit, counter)
  local f, head = open_source(src)
  if not f then emit({ id = src.path, error = head }); return end
  local text_field, id_field = opts.text_field or "text", opts.id_field or "id"

  if fmt == "text" then
    emit(read_whole({ id = src.path }, src, f, head, opts, counter))
    return
  end

  if head:find("\0", 1, true) then
    close_source(src, f)
    counter.bytes = counter.bytes + (src.size or #head)
    emit({ id = src.path, error = "binary file" })
    return
  end
  local next_line = line_reader(f, head, counter, src.path, reads_in_blocks(src), line_limit(opts))

  if fmt == "lines" or fmt == "tsv" then
    local n = 0
    for line, too_long in next_line do
      n = n + 1
      line = strip_eol(line)
      local id, text = where(src, n), line
      if too_long then
        emit({ id = id, error = too_long })
      else
        if fmt == "tsv" then
          local tab = line:find("\t", 1, true)
          if tab then id, text = line:sub(1, tab - 1), line:sub(tab + 1) end
        end
        emit(take_text({ id = id }, text, opts))
      end
    end
  elseif fmt == "jsonl" then
    local n = 0
    for line, too_long in next_line do
      n = n + 1
      if too_long then emit({ id = where(src, n), error = too_long })
      else emit(jsonl_document(line, src, n, opts, text_field, id_field)) end
    end
  elseif fmt == "csv" then
    local records, header, problem = csv_table(src, next_line, line_limit(opts))
    local place = records and where(src, 1) or header
    local text_col, id_col
    if records then
      text_col, problem = csv_column(header, opts.text_column or "text")
      if text_col then
        local id_problem
        id_col, id_problem = csv_column(header, opts.id_column or "id")
        if opts.id_column then problem = id_problem end   -- optional unless named
      end
    end
    if problem then
      close_source(src, f)
      emit({ id = place, error = problem })
      return
    end
    while true do
      local fields, first, last = records()
      if fields == nil then break end
      if fields == false then
        emit({ id = where(src, last), error = "CSV: " .. first })
        break
      end
      local doc = { id = where(src, first) }
      if opts.keep_fields ~= false then
        doc.fields = {}
        for i, name in ipairs(header) do
          if i ~= text_col and i ~= id_col and fields[i] ~= nil then doc.fields[name] = util.json(fields[i]) end
        end
      end
      if id_col and fields[id_col] and fields[id_col] ~= "" then doc.id = fields[id_col] end
      doc.error = csv_ragged(fields, header)
      if not doc.error then take_text(doc, fields[text_col], opts) end
      emit(doc)
    end
  end
  close_source(src, f)
end

--- An iterator over the documents of the sources, in order. Each document
-- is { id = string, text = string | nil, error = string | nil,
-- fields = table | nil (JSONL/CSV pass-through: name = the value's JSON
-- text, unless opts.keep_fields is false: a caller that prints no fields
-- saves their copy) }. `counter.bytes` tracks
-- how many input bytes have been consumed (for progress bars).
function M.documents(sources, opts, counter)
  return iterate(sources, opts, counter, read_unlabelled, function(src, fmt)
    if fmt ~= nil and fmt ~= "auto" then return fmt end
    return src.stdin and "lines" or (EXT_UNLABELLED[extension(src.path)] or "text")
  end)
end

---------------------------------------------------------------------------
-- Labelled documents (train, eval)
---------------------------------------------------------------------------

-- A label value from JSON: a string, or an array of strings.
local function json_labels(v)
  if type(v) == "string" then
    if v == "" then return nil, "empty label" end
    return { v }
  end
  if type(v) == "table" then
    local out = {}
    for i = 1, #v do
      if type(v[i]) ~= "string" or v[i] == "" then return nil, "labels must be non-empty strings" end
      out[i] = v[i]
    end
    if next(v) ~= nil and #out == 0 then return nil, "labels must be a string or an array of strings" end
    return out
  end
  return nil, "labels must be a string or an array of strings"
end

local function read_labelled(src, fmt, opts, emit, counter)
  if fmt == "folder" then
    -- one file, one document; its label is its sub-folder
    local f, head = open_source(src)
    if not f then emit({ id = src.path, where = src.path, error = head }); return end
    emit(read_whole({ id = src.path, where = src.path, labels = { src.label } }, src, f, head, opts, counter))
    return
  end

  local f, head = open_source(src)
  if not f then emit({ id = src.path, where = src.path, error = head }); return end
  if head:find("\0", 1, true) then
    close_source(src, f)
    emit({ id = src.path, where = src.path, error = "binary file" })
    return
  end
  local next_line = line_reader(f, head, counter, src.path, reads_in_blocks(src), line_limit(opts))
  local text_field = opts.text_field or "text"

  if fmt == "jsonl" then
    local n = 0
    for line, too_long in next_line do
      n = n + 1
      local doc = { id = where(src, n), where = where(src, n) }
      if too_long then
        doc.error = too_long
        emit(doc)
      elseif line:find("%S") then
        local obj, jerr = json_object(line)
        if not obj then
          doc.error = jerr
        else
          doc.id = id_value(obj[opts.id_field or "id"], line, opts.id_field or "id") or doc.id
          local lv, lname
          if opts.label_field then lname = opts.label_field; lv = obj[lname]
          elseif obj.label ~= nil then lname = "label"; lv = obj.label
          else lname = "labels"; lv = obj.labels end
          local text = obj[text_field]
          if type(text) ~= "string" then
            doc.error = field_error(text, text_field)
          elseif lv == nil or lv == util.json_null then
            doc.error = opts.label_field and ("no '" .. lname .. "' field") or "no 'label' or 'labels' field"
          else
            local labels, lerr = json_labels(lv)
            if not labels then doc.error = "'" .. lname .. "': " .. lerr
            else
              doc.labels = labels
              take_text(doc, text, opts)
            end
          end
        end
        emit(doc)
      end
    end
  elseif fmt == "fasttext" then
    local n = 0
    for line, too_long in next_line do
      n = n + 1
      line = strip_eol(line)
      if too_long then
        emit({ id = where(src, n), where = where(src, n), error = too_long })
      elseif line:find("%S") then
        local doc = { id = where(src, n), where = where(src, n), labels = {} }
        local pos = 1
        while true do
          local s, e, label = line:find("^%s*__label__(%S+)", pos)
          if not s then break end
          doc.labels[#doc.labels + 1] = label
          pos = e + 1
        end
        local text = util.trim(line:sub(pos))
        if #doc.labels == 0 then doc.error = "no __label__ at the start of the line"
        else
          take_text(doc, text, opts)
        end
        emit(doc)
      end
    end
  elseif fmt == "csv" then
    local records, header, problem = csv_table(src, next_line, line_limit(opts))
    if not records then
      close_source(src, f)
      emit({ id = src.path, where = header, error = problem })
      return
    end
    local text_col = csv_column(header, opts.text_column or "text")
    local label_col = csv_column(header, opts.label_column or "label")
    if not label_col and not opts.label_column then label_col = csv_column(header, "labels") end
    local id_col, id_problem = csv_column(header, opts.id_column or "id")
    problem = opts.id_column and id_problem   -- the id column is optional unless named
    if not text_col or not label_col then
      problem = string.format("the header needs a '%s' and a '%s' column",
                              opts.text_column or "text", opts.label_column or "label")
    end
    if problem then
      close_source(src, f)
      emit({ id = src.path, where = where(src, 1), error = problem })
      return
    end
    while true do
      local fields, first, last = records()
      if fields == nil then break end
      if fields == false then
        emit({ id = where(src, last), where = where(src, last), error = "CSV: " .. first })
        break
      end
      if #fields > 1 or fields[1] ~= "" then   -- a blank line holds no record
        local doc = { id = where(src, first), where = where(src, first) }
        if id_col and fields[id_col] and fields[id_col] ~= "" then doc.id = fields[id_col] end
        doc.error = csv_ragged(fields, header)
        if not doc.error then
          doc.labels = util.split_list(fields[label_col], opts.label_sep or ",")
          if #doc.labels == 0 and not opts.multilabel then doc.error = "empty label"
          else take_text(doc, fields[text_col], opts) end
        end
        emit(doc)
      end
    end
  end
  close_source(src, f)
end

--- An iterator over labelled documents: { id, where = "file:line", text,
-- labels = { ... }, error }. Blank lines are skipped (they hold no record).
function M.labelled(sources, opts, counter)
  return iterate(sources, opts, counter, read_labelled, function(src, fmt)
    if src.folder then return "folder" end
    if fmt ~= nil and fmt ~= "auto" and fmt ~= "folder" then return fmt end
    return src.stdin and "jsonl" or (EXT_LABELLED[extension(src.path)] or "fasttext")
  end)
end

return M
