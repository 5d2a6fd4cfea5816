-- textclass.cli.records - what the readers of labelled and unlabelled
-- documents share: the checks on an article's text, a whole file as one
-- article, a text joined from several fields or columns, and the pieces of
-- a JSONL or CSV record (fields, ids, columns).
--
-- A record that fails a check still becomes a document, carrying an
-- `error` message instead of its text.

local tc = require "textclass"
local csv = require "textclass.cli.csv"
local stream = require "textclass.cli.stream"
local decode = require "textclass.cli.decode"
local util = require "textclass.cli.util"

local byte = string.byte

local M = {}

M.MAX_DOC_BYTES = 16 * 1024 * 1024
-- --max-bytes' own ceiling, 1 TiB: far beyond any article, and eight times
-- it (line_limit) still a small integer.
M.MAX_BYTES_CEILING = 1 << 40

--- Up to n bytes of f, as f:read(n) gives them (nil at the end; nil,
-- message on a read error), asked for in blocks: f:read(n) makes room
-- for all n bytes before it reads, so a --max-bytes of 100 GB failed a
-- 20 KB file (and 1 TiB every feed) with "not enough memory". A short
-- block is the end, as a short f:read(n) is. A block is 256 MiB, so a
-- feed at the default --max-bytes (eight times 16 MiB) is one f:read,
-- whose buffer is freed as it returns (the room it makes costs memory
-- only where bytes are read into it): joined by table.concat, whose own
-- buffer grows to their size before it makes the string, 16 MiB blocks
-- were held three times over, 420 MB for a feed read to its 128 MiB.
local READ_BLOCK = 1 << 28
function M.read_upto(f, n)
  if n <= READ_BLOCK then return f:read(n) end
  local parts = {}
  while n > 0 do
    local want = n < READ_BLOCK and n or READ_BLOCK
    local s, err, code = f:read(want)
    if s == nil then
      if err then return nil, err, code end
      break
    end
    parts[#parts + 1] = s
    n = n - #s
    if #s < want then break end
  end
  if #parts == 0 then return nil end
  return table.concat(parts)
end

--- The longest line (a JSONL record, a CSV record) held in memory: eight
-- times --max-bytes, since a JSONL line may spell its text with escapes
-- ("\u00e9" is 6 bytes for 2). A longer one is read past, not kept, and
-- stands as an error record, so memory stays bounded whatever the input.
function M.line_limit(opts) return 8 * (opts.max_bytes or M.MAX_DOC_BYTES) end

--- "path:line", where a record is and its id when it has none of its own.
function M.where(src, line) return src.path .. ":" .. line end

--- A line without its line break.
function M.strip_eol(line) return (util.split_eol(line)) end

---------------------------------------------------------------------------
-- Checks on one article
---------------------------------------------------------------------------

--- The error of a file with NUL bytes in its head: "binary file", naming
-- a model file, the compression of a compressed file, and UTF-16 when the head looks
-- like it. Text in UTF-16 without a byte order
-- mark is not read (the order of its bytes would be a guess), but it has
-- a tell worth a hint: every space, digit and Latin letter has a NUL byte
-- on the same side of its pair, and no character of the Basic
-- Multilingual Plane's scripts has one on the other side, where binary
-- data has NULs on both (none of 24,000 binary files in /usr was taken
-- for UTF-16; Russian text, with a space in about 1 of 7 characters, is).
-- A compressed file is told by its first bytes: news dumps come as
-- .jsonl.gz and the like, binary data to read as text, and the message
-- names the tool that gives their text.
local COMPRESSED = {
  { "\31\139", "gzip-compressed", "zcat" }, { "BZh", "bzip2-compressed", "bzcat" },
  { "\253" .. "7zXZ\0", "xz-compressed", "xzcat" }, { "\40\181\47\253", "zstd-compressed", "zstdcat" },
  { "PK\3\4", "a zip archive", "unzip -p" },
}
-- A model file (docs/model-format.md: its header begins with this magic)
-- given where data goes, `eval my.model test.jsonl` without -m, which then
-- scores the default model on the rest.
local MODEL_MAGIC = "TEXTCLAS"
function M.binary_file(head)
  if head:sub(1, #MODEL_MAGIC) == MODEL_MAGIC then
    return "binary file (a textclass model: a model is given with -m)"
  end
  for _, c in ipairs(COMPRESSED) do
    if head:sub(1, #c[1]) == c[1] then
      return string.format("binary file (%s: decompress it first, with %s)", c[2], c[3])
    end
  end
  local pairs_n = math.min(#head, stream.HEAD_BYTES) // 2
  local zero_first, zero_second = 0, 0
  for i = 1, 2 * pairs_n, 2 do
    local a, b = byte(head, i, i + 1)
    if a == 0 then zero_first = zero_first + 1 end
    if b == 0 then zero_second = zero_second + 1 end
  end
  -- (at least 4 NULs: a stray one in a short text is binary data)
  local enough = math.max(4, pairs_n / 10)
  local order
  if zero_first == 0 and zero_second >= enough then order = "UTF-16LE"
  elseif zero_second == 0 and zero_first >= enough then order = "UTF-16BE" end
  if not order then return "binary file" end
  return string.format("binary file (it looks like %s without a byte order mark: " ..
                       "convert it to UTF-8, iconv -f %s -t UTF-8)", order, order)
end

--- The error of a record file (JSONL, CSV, TSV, lines, fastText) whose
-- sniffed head shows it is not text, or nil. Only the head's first line
-- with any bytes decides: binary formats, UTF-16 and UTF-32 have NUL bytes
-- there, while a NUL in a later line is one damaged record of a text file
-- (a crash can leave a run of NULs), read as that record's error, as from
-- a pipe, which is not sniffed: the other records are not lost with it.
function M.binary_head(head)
  if head:match("^[\r\n]*([^\n]*)"):find("\0", 1, true) then return M.binary_file(head) end
  return nil
end

--- A text over --max-bytes measured, not decoded (tc.json_fields' kind
-- "large": bytes is its length), which join_fields and take_text take
-- where a text's string goes, and refuse for its size: a JSONL record
-- whose text is 100 MB is refused without its text being made.
local MEASURED = {}
function M.measured(bytes) return setmetatable({ bytes = bytes }, MEASURED) end
local function is_measured(v) return getmetatable(v) == MEASURED end

-- The message of a document of `bytes` bytes, over the limit.
local function too_large(bytes, opts)
  return string.format("document too large (%d bytes, limit %d)", bytes, opts.max_bytes or M.MAX_DOC_BYTES)
end

--- Why these bytes cannot be an article, or nil: binary, or too large
-- (binary data is told as such, whatever its size: what it is says more;
-- a measured text holds no NUL byte: tc.json_fields decodes one that does).
-- `whole_file` words the binary case for a file ("binary file") rather
-- than a record.
local function check_bytes(text, opts, whole_file)
  if is_measured(text) then return too_large(text.bytes, opts) end
  if text:find("\0", 1, true) then
    return whole_file and M.binary_file(text) or "binary data (NUL byte)"
  end
  if #text > (opts.max_bytes or M.MAX_DOC_BYTES) then return too_large(#text, opts) end
  return nil
end

--- Why the text read from a page is not UTF-8, for a page (`what` is
-- "page") or a feed item read in its feed's encoding ("feed", the page
-- being the feed's XML declaration and the item's text): the offset is in
-- the text, not the file, and the page's declared charset says why
-- (tc.html_charset).
function M.page_utf8_error(page, pos, what)
  local how, name = tc.html_charset(page)
  local of = what == "feed" and "the item's text" or "the page's text"
  if how == "unknown" then
    return string.format("the %s declares charset '%s', which cannot be converted; " ..
                         "invalid UTF-8 at byte %d of %s", what, name, pos, of)
  elseif how == "none" then
    return string.format("invalid UTF-8 at byte %d of %s (the %s declares no charset)", pos, of, what)
  end
  return string.format("invalid UTF-8 at byte %d of %s (the %s declares charset '%s')", pos, of, what, name)
end

--- What to add to "invalid UTF-8 at byte pos" of a text that may be in a
-- single-byte encoding, Windows-1252 (Excel's "CSV (Comma delimited)" in
-- the West) or Latin-1: the byte at pos begins no UTF-8 sequence (or one
-- that does not go on), and no character before it took more than a
-- byte. "" otherwise.
local function single_byte_hint(text, pos)
  local b, c = text:byte(pos, pos + 1)
  local lead = text:find("[\194-\244]")
  if lead and lead < pos then return "" end
  -- (a lead byte that ends the text is more likely a cut UTF-8 character)
  if b < 0xC2 or b > 0xF4 or (c and (c < 0x80 or c > 0xBF)) then
    return string.format(" (0x%02X: if the file is Windows-1252, as Excel's \"CSV (Comma delimited)\": " ..
                         "--encoding windows-1252)", b)
  end
  return ""
end

--- Why these bytes' text cannot be classified, or nil: invalid UTF-8, or
-- invalid UTF-16 where it was read (`invalid`, the stream's message; the
-- text holds U+FFFD there), unless --replace-invalid; or nothing but white
-- space. `page` is the page the text was read from, if any
-- (opts.feed_declaration stands for the page of a feed item's text).
local function check_content(text, opts, page, invalid)
  if not opts.replace_invalid then
    if invalid then return invalid end
    local ok, pos = tc.check_utf8(text)
    if not ok then
      if page then return M.page_utf8_error(page, pos, "page") end
      -- (the text's invalid bytes are the item's, read as they are: after
      -- the declaration they stand for the item)
      if opts.feed_declaration then return M.page_utf8_error(opts.feed_declaration .. text, pos, "feed") end
      return string.format("invalid UTF-8 at byte %d", pos) .. single_byte_hint(text, pos)
    end
  end
  if not text:find("%S") then return "empty document" end
  return nil
end

--- A path's extension, lower case, without its dot ("" when none).
function M.extension(path)
  return (path:match("%.([%w]+)$") or ""):lower()
end

--- Is the file at path an HTML page by its extension (.html, .htm, .xhtml)?
function M.is_html_path(path)
  local ext = M.extension(path)
  return ext == "html" or ext == "htm" or ext == "xhtml"
end

-- What an HTML document begins with, lower-cased: the patterns the WHATWG
-- MIME Sniffing Standard gives for telling "text/html" from other bytes
-- (each must be followed by white space or ">").
local PAGE_STARTS = { "<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div",
                      "<font", "<table", "<a", "<style", "<title", "<b", "<body", "<br", "<p",
                      "<!--" }

-- The first bytes a page may have: "<", a byte order mark's, white space.
local MAY_START_PAGE = { [60] = true, [239] = true, [9] = true, [10] = true, [12] = true, [13] = true,
                         [32] = true }

--- Does text begin as an HTML page or fragment does? After a byte order
-- mark, white space and an XML declaration (an XHTML page's first line),
-- one of PAGE_STARTS, whatever its case. A document that opens with a tag
-- and an article that opens with text are told apart by their first bytes.
function M.looks_like_html(text)
  if not MAY_START_PAGE[byte(text, 1)] then return false end
  local i = text:find("^\239\187\191") and 4 or 1
  i = text:find("[^ \t\r\n\f]", i)
  if i and text:find("^<%?xml", i) then
    local close = text:find("?>", i, true)
    i = close and text:find("[^ \t\r\n\f]", close + 2)
  end
  if not (i and byte(text, i) == 60) then return false end -- "<"
  local head = text:sub(i, i + 15):lower()
  for _, start in ipairs(PAGE_STARTS) do
    if head:sub(1, #start) == start and head:find("^[ \t\r\n\f>]", #start + 1) then return true end
  end
  return false
end

--- The first of `names` that the JSON beginning `head` (a JSONL line, an
-- array of articles as news APIs export them, a pretty-printed object)
-- holds as a key with a string value, or nil. A sniff of the first
-- stream.HEAD_BYTES, not a parse: for the hints that JSON is being read as
-- the text of one article.
function M.json_text_field(head, names)
  head = head:sub(1, stream.HEAD_BYTES)
  if not head:find("^\239?\187?\191?%s*[%[{]") then return nil end
  for _, name in ipairs(names) do
    if head:find('"' .. name:gsub("%p", "%%%0") .. '"%s*:%s*"') then return name end
  end
  return nil
end

--- Give doc its text, or the first problem check_bytes and check_content
-- find; returns doc. An HTML page is read for its text (tc.html_text)
-- between the two: with --html every document, with --no-html none, else
-- a file whose extension says so (`path`, when the document is a whole
-- file) and a text whose first bytes do (looks_like_html; its first byte
-- is tested here, as most articles begin with a word: calling it for every
-- document cost 4k instructions, 2% of labelling one). The size and binary
-- checks apply to the page as given, the UTF-8 and emptiness checks to its
-- text (a page converted from its charset may have a longer text), whose
-- UTF-8 error names the page's charset. `invalid` is the stream's message
-- when the record was read from UTF-16 holding invalid input
-- (textclass.cli.stream.lines' third value).
-- `is_page`: a part of a joined text (join_fields) after the first begins
-- as a page does.
function M.take_text(doc, text, opts, whole_file, path, invalid, is_page)
  local page
  doc.error = check_bytes(text, opts, whole_file)
  if not doc.error and not opts.no_html and
     (opts.html or is_page or (path and M.is_html_path(path)) or
      (MAY_START_PAGE[byte(text, 1)] and M.looks_like_html(text))) then
    page = text
    text, doc.error = tc.html_text(text)
  end
  doc.error = doc.error or check_content(text, opts, page, invalid)
  doc.text = not doc.error and text or nil
  return doc
end

--- A source read whole (an article, a feed) after its sniffed head: its
-- bytes, up to limit + 1 of them, so a 2 GB file or an endless pipe costs
-- limit + 1 bytes, not all of it; only the head when that holds a NUL (a
-- binary file, however long). A pipe's head is its first line: its first
-- HEAD_BYTES decide, as a file's, before it is read on. (A short read is
-- the end: reading again would clear a terminal's Ctrl-D and wait for
-- another.)
function M.read_rest(f, head, limit)
  local want = stream.HEAD_BYTES - #head
  if want > 0 and not head:find("\0", 1, true) then
    local more = f:read(want) or ""
    head = head .. more
    if #more < want then return head end
  end
  if head:find("\0", 1, true) or #head > limit then return head end
  return head .. (M.read_upto(f, limit + 1 - #head) or "")
end

--- Is a source to be read whole (an article, a feed) over limit before it
-- is read? A file read as it is, by its size: from UTF-16 or --encoding
-- the limit is on the UTF-8 text, so the file's size says nothing in
-- advance. Binary data is told as such whatever its size (a compressed
-- dump of news is larger than an article, and its head says what it is).
function M.known_too_large(src, f, head, limit)
  return src.size ~= nil and src.size > limit and not decode.is_reader(f) and not head:find("\0", 1, true)
end

--- A whole source as one document (doc gets its text or an error), after
-- its sniffed head (read_rest); closes the source.
function M.read_whole(doc, src, f, head, opts, counter)
  local limit = opts.max_bytes or M.MAX_DOC_BYTES
  local text = head
  local decoded = decode.is_reader(f)
  if M.known_too_large(src, f, head, limit) then
    doc.error = too_large(src.size, opts)
  else
    text = M.read_rest(f, head, limit)
    -- (a file that grew since it was listed, or a pipe)
    if #text > limit and not text:find("\0", 1, true) then
      doc.error = string.format("document too large (over %d bytes)", limit)
    end
  end
  stream.close(src, f)
  counter.bytes = counter.bytes + (src.size or #text)
  if doc.error then return doc end
  return M.take_text(doc, text, opts, true, src.path, decoded and f:invalid(0, #text) or nil)
end

---------------------------------------------------------------------------
-- An article in several fields or columns
---------------------------------------------------------------------------

--- The names of the fields (or columns) an article's text is in, in order:
-- --text-field's or --text-column's comma list ("title,body"), or a list
-- of names already (textclass.read takes a Lua array, whose names may
-- hold commas); or nil and why not (an empty name, a name twice).
function M.text_names(spec)
  local names = spec
  if type(spec) == "string" then
    names = {}
    for name in (spec .. ","):gmatch("([^,]*),") do names[#names + 1] = name end
  end
  if #names == 0 then return nil, "no name given" end
  local seen = {}
  for _, name in ipairs(names) do
    if name == "" then return nil, "an empty name" .. (type(spec) == "string" and " in '" .. spec .. "'" or "") end
    if seen[name] then return nil, "'" .. name .. "' is named twice" end
    seen[name] = true
  end
  return names
end

-- "'a'", "'a' or 'b'", "'a', 'b' or 'c'": the names a message lists.
local function either(names)
  local quoted = {}
  for i, name in ipairs(names) do quoted[i] = "'" .. name .. "'" end
  if #quoted == 1 then return quoted[1] end
  return table.concat(quoted, ", ", 1, #quoted - 1) .. " or " .. quoted[#quoted]
end

-- A text's length in bytes, a measured one's too.
local function size_of(text) return is_measured(text) and text.bytes or #text end

--- The text of an article from the values of the fields or columns it is
-- in (`names`, text_names; values[i] is names[i]'s: nil when absent, a
-- string, a measured text (M.measured: more than white space, too large),
-- or any other value, which is not a string): one field's value as
-- it is (take_text checks it), several fields' parts that hold more than
-- white space, in order, joined by a blank line, as the corpora and feed
-- items hold "TITLE\n\nBODY" (measured when a part is: as large as the
-- join would be, and not made). Returns the text, nil, and true when a part
-- after the first begins as an HTML page does (take_text's is_page: a
-- plain headline before an HTML body); or nil and the problem: a value
-- that is not a string (naming its field), no field there at all, or no
-- part with text.
function M.join_fields(names, values)
  if #names == 1 then
    local v = values[1]
    if type(v) ~= "string" and not is_measured(v) then return nil, M.field_error(v, names[1]) end
    return v
  end
  local text, present, is_page = nil, false, nil
  for i, name in ipairs(names) do
    local v = values[i]
    if v ~= nil then
      if type(v) ~= "string" and not is_measured(v) then return nil, M.field_error(v, name) end
      present = true
      if is_measured(v) or v:find("%S") then
        if not text then text = v
        elseif is_measured(text) or is_measured(v) then
          text = M.measured(size_of(text) + 2 + size_of(v))
        else
          text = text .. "\n\n" .. v   -- (one copy: cheaper than table.concat's buffer)
          if MAY_START_PAGE[byte(v, 1)] and M.looks_like_html(v) then is_page = true end
        end
      end
    end
  end
  if not present then return nil, "no " .. either(names) .. " field" end
  if not text then return nil, "empty document (no text in " .. either(names) .. ")" end
  return text, nil, is_page
end

--- Give doc the text joined from its fields' values (join_fields), or
-- the problem with them, then take_text's; returns doc.
function M.take_fields(doc, names, values, opts, invalid)
  local text, problem, is_page = M.join_fields(names, values)
  if not text then
    doc.error = problem
    return doc
  end
  return M.take_text(doc, text, opts, nil, nil, invalid, is_page)
end

---------------------------------------------------------------------------
-- JSONL records
---------------------------------------------------------------------------

--- The id of a JSONL record that tc.json_fields left to lua-cjson: a
-- string as is; a number as written in the
-- line when the field occurs there once (lua-cjson decodes every number to a
-- double, which would turn the id 1234567890123456789 into
-- 1234567890123456768), else as the double's shortest exact form.
function M.id_value(v, line, field)
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

--- What to add to "no 'NAME' field" for the JSON object obj (nil: the
-- one `line` holds, its names read by tc.json_keys, which leaves the
-- values undecoded, or else by lua-cjson): its field names, sorted, at most 8 (control
-- characters shown as '?', each cut at 40 bytes), and `option` with the
-- name that differs from one of `names` only by case, when there is one:
-- " (its fields: 'Label', 'Text'; --text-field Text?)"; and that without
-- " (its fields: " and ")" (nil when the object has no fields).
function M.missing_field_hint(obj, line, names, option)
  obj = obj or tc.json_keys(line) or M.json_object(line)
  if type(obj) ~= "table" then return "" end
  local keys, like = {}, nil
  for k in pairs(obj) do
    if type(k) == "string" then keys[#keys + 1] = k end
  end
  if #keys == 0 then return " (the object has no fields)" end
  table.sort(keys)
  for _, name in ipairs(names) do
    for _, k in ipairs(keys) do
      if k ~= name and k:lower() == name:lower() and not k:find("[%c\128-\255]") then like = like or k end
    end
  end
  local shown = {}
  for i = 1, math.min(#keys, 8) do
    local k = keys[i]
    if #k > 40 then k = k:sub(1, 40):gsub("[\192-\255][\128-\191]*$", "") .. "..." end
    shown[i] = "'" .. util.escape_controls(k, "?") .. "'"
  end
  if #keys > 8 then shown[#shown + 1] = string.format("... (%d in all)", #keys) end
  local fields = table.concat(shown, ", ") .. (like and ("; " .. option .. " " .. like .. "?") or "")
  return " (its fields: " .. fields .. ")", fields
end

--- The error for a text field that is missing or not a string.
function M.field_error(value, name)
  if value == nil then return "no '" .. name .. "' field" end
  return "field '" .. name .. "' is not a string"
end

-- The line with each \u escape of an unpaired surrogate written \ufffd, or
-- nil when it has none. RFC 8259 allows such an escape (its section 8.2),
-- and JavaScript's JSON.stringify and Python's json.dumps write one for a
-- string cut inside a surrogate pair (a summary cut short in an emoji);
-- lua-cjson refuses the line ("invalid unicode escape code"). Escapes are
-- walked from the left, so "\\ud83d" (a backslash, then text) is none.
local function lone_surrogates_replaced(line)
  local out, from, i = {}, 1, 1
  while true do
    local s = line:find("\\", i, true)
    if not s then break end
    i = s + 2
    if line:sub(s + 1, s + 1) == "u" then
      if line:find("^[dD][89abAB]%x%x\\u[dD][c-fC-F]%x%x", s + 2) then
        i = s + 12   -- a pair
      elseif line:find("^[dD][89a-fA-F]%x%x", s + 2) then
        out[#out + 1], from, i = line:sub(from, s - 1) .. "\\ufffd", s + 6, s + 6
      end
    end
  end
  if #out == 0 then return nil end
  out[#out + 1] = line:sub(from)
  return table.concat(out)
end

-- What lua-cjson found where it expected something else, named by the
-- characters rather than its token types ("Expected value but found T_END"
-- for a line cut short); a second object after the first is most often a
-- record joined to the next (a file's last line without its line feed,
-- concatenated with another file).
local JSON_TOKENS = {
  T_OBJ_BEGIN = "'{'", T_OBJ_END = "'}'", T_ARR_BEGIN = "'['", T_ARR_END = "']'", T_COLON = "':'",
  T_COMMA = "','", T_STRING = "a string", T_NUMBER = "a number", T_BOOLEAN = "true or false",
  T_NULL = "null", T_END = "the end of the line",
}
local function json_problem(jerr)
  -- lua-cjson's depth limit: "Found too many nested data structures (1001) at character 1008"
  local at = tostring(jerr):match("^Found too many nested data structures %(%d+%) at character (%d+)$")
  if at then
    return "JSON nested more than " .. util.JSON_MAX_DEPTH .. " levels deep, the most read (at character " ..
      at .. ")"
  end
  local expected, token, rest = tostring(jerr):match("^(Expected .- but found )(T_[%u_]+)(.*)$")
  if not JSON_TOKENS[token] then return "not JSON: " .. tostring(jerr) end
  local joined = expected == "Expected the end but found " and token == "T_OBJ_BEGIN" and
    " (a second object: two records on one line?)" or ""
  return "not JSON: " .. expected .. JSON_TOKENS[token] .. rest .. joined
end

--- What a line after the first that begins with a UTF-8 byte order mark
-- (dropped at the start of a file) most often is: the first line of a
-- file joined after another (`cat a.jsonl b.jsonl`, b saved by Windows).
M.BOM_INSIDE = "a byte order mark begins the line (a file joined after another?)"

--- One JSONL line as an object, or nil and the problem (a blank line, which
-- still stands for a record, is named as such rather than by the parser,
-- and so is a NUL byte). An unpaired surrogate's \u escape is read as
-- U+FFFD (lone_surrogates_replaced).
-- lua-cjson decodes an array to a table too: only text starting with "{"
-- is an object.
function M.json_object(line)
  if not line:find("%S") then return nil, "empty line (no JSON object)" end
  -- (JSON has no raw NUL: the record is damaged, not misspelt)
  if line:find("\0", 1, true) then return nil, "binary data (NUL byte)" end
  if line:find("^\239\187\191") then return nil, "not JSON: " .. M.BOM_INSIDE end
  local obj, jerr = util.json_decode(line)
  if obj == nil and tostring(jerr):find("invalid unicode escape", 1, true) then
    local replaced = lone_surrogates_replaced(line)
    if replaced then obj, jerr = util.json_decode(replaced) end
  end
  if type(obj) == "table" and line:find("^%s*{") then return obj end
  return nil, obj == nil and json_problem(jerr) or "not a JSON object"
end

-- A member of a JSON object as lua-cjson decodes it, from what
-- tc.json_fields found (a value and its kind): a measured text for one
-- over the limit, false for one that is neither a string nor a number
-- (the readers take it as "not a string", and no id).
local function scanned_member(value, kind)
  if kind == "string" then return value end
  if kind == "number" then return util.json_decode(value) end
  if kind == "large" then return M.measured(value) end
  if kind == "other" then return false end
  return nil
end

-- The top-level members of the JSON object `line` but the fields named
-- (tc.json_fields' `others`), each decoded on its own.
local function other_members(line, names, id_field, max)
  local others, obj = {}, {}
  tc.json_fields(line, names[1], id_field, others, max, table.unpack(names, 2))
  for k, json in pairs(others) do obj[k] = util.json_decode(json) end
  return obj
end

--- The object of a JSONL line longer than --max-bytes whose text (in the
-- fields `names`, text_names) is over the limit or not there at all,
-- without decoding what the reader does not need. A text over the limit
-- is measured, not decoded (M.measured): lua-cjson had decoded a 100 MB
-- text, to refuse it; the other members are decoded from their JSON text,
-- each on its own. Without a text field, each other member's value is
-- true, not decoded: the record is refused whatever they hold, and
-- missing_field_hint tells only their names (lua-cjson had decoded a
-- 100 MB field beside, to list them). The id field's value as lua-cjson's.
-- nil otherwise, or when tc.json_fields does not read the line: decode it
-- with json_object.
function M.measured_object(line, names, id_field, opts)
  local max = opts.max_bytes or M.MAX_DOC_BYTES
  if #line <= max then return nil end   -- (no text in it can be longer)
  local got = { tc.json_fields(line, names[1], id_field, nil, max, table.unpack(names, 2)) }
  if got[1] == false then return nil end
  local large, present = false, false
  for i = 2, #got, 2 do
    if i ~= 4 then   -- (got[4]: the id's kind)
      large, present = large or got[i] == "large", present or got[i] ~= "absent"
    end
  end
  local obj
  if large then obj = other_members(line, names, id_field, max)
  elseif not present then obj = tc.json_keys(line)
  else return nil end
  obj[id_field] = scanned_member(got[3], got[4])
  for i, name in ipairs(names) do
    local at = i == 1 and 1 or 2 * i + 1
    obj[name] = scanned_member(got[at], got[at + 1])
  end
  return obj
end

--- tc.jsonl_documents' options for the JSONL source src read with the
-- reading options `opts`, the text in field `text_field` and the id in
-- `id_field`, plus the fields of `extra` (keep_fields, labelled, ...).
function M.jsonl_options(src, opts, text_field, id_field, extra)
  local o = {
    text_field = text_field, id_field = id_field, where = src.path .. ":", line = 1,
    limit = M.line_limit(opts), max_bytes = opts.max_bytes or M.MAX_DOC_BYTES,
    sniff_html = not opts.no_html, check_utf8 = not opts.replace_invalid,
  }
  for k, v in pairs(extra) do o[k] = v end
  return o
end

--- The records of a JSONL source whose lines come from next_line
-- (stream.lines), emitted in order: those tc.jsonl_documents takes from a
-- block's whole lines at once (`fast`, its options, M.jsonl_options, whose
-- `line` is set here; the lines are line:sub(first, last) when next_line
-- gives their place in its block), and every other line through
-- general(line, n, too_long, invalid), which gives its record or nil (a
-- line that holds none). Without `fast`, every line goes through general,
-- one at a time.
function M.jsonl_records(next_line, fast, general, emit)
  local n = 0
  while true do
    local line, too_long, invalid, first, last = next_line(fast and true)
    if not line then break end
    if too_long or not fast or invalid then
      n = n + 1
      local doc = general(line, n, too_long, invalid)
      if doc then emit(doc) end
    else
      fast.line = n + 1
      local docs = tc.jsonl_documents(line, fast, first, last)
      for i = 1, #docs do
        n = n + 1
        local doc = docs[i]
        if type(doc) == "string" then
          doc = general(doc, n, #doc > fast.limit and stream.too_long(#doc, fast.limit) or nil, nil)
        end
        if doc then emit(doc) end
      end
    end
  end
end

---------------------------------------------------------------------------
-- CSV records
---------------------------------------------------------------------------

--- A CSV source's records after its header row: records, header, the
-- header's line number and the field separator; or nil, the place and the
-- problem (no header row, a broken header). The separator is
-- --separator's when given; else the one a first line "sep=;" names (as
-- Excel writes and reads it; the line is skipped either way); else a tab
-- for a .tsv file (tab-separated values have a header row: IANA's
-- text/tab-separated-values); else a comma.
function M.csv_table(src, next_line, limit, opts)
  local sep = opts.separator or (src.path and M.extension(src.path) == "tsv" and "\t") or ","
  local line, problem, bad = next_line()
  local named = line and line:match("^sep=(.)\r?\n?$")
  local skipped = 0
  if named and csv.SEPARATOR_NAMES[named] then
    sep, skipped = opts.separator or named, 1
    line, problem, bad = next_line()
  end
  local pending = line ~= nil
  local records = csv.records(function()
    if pending then
      pending = false
      return line, problem, bad
    end
    return next_line()
  end, limit, sep, skipped)
  local header, first, last = records()
  if header == nil then return nil, src.path, "empty CSV file (no header row)" end
  if header == false then return nil, M.where(src, last), "CSV header: " .. first end
  -- a CR inside an unquoted header field: the file's lines end in CR alone
  -- (classic Mac OS), so it reads as one line; say that, not which column
  -- the header lacks
  for _, name in ipairs(header) do
    if name:find("\r", 1, true) then
      return nil, M.where(src, 1), "CSV lines end in CR alone (classic Mac OS), so the whole file " ..
        "reads as one line; convert its line ends to LF or CRLF"
    end
  end
  return records, header, first, sep
end

--- The index of a header column given by name or by 1-based number ("3"),
-- or nil, why it is not there, and true when the name is there twice
-- (which of the two is meant cannot be guessed: `option`, the command-line
-- option that names the column, then takes its number).
function M.csv_column(header, spec, option)
  if spec:match("^%d+$") then
    local i = math.tointeger(tonumber(spec)) -- nil beyond the integers: no such column either
    if i and i >= 1 and i <= #header then return i end
    return nil, string.format("no column %s (the header has %d)", spec:gsub("^0+(%d)", "%1"), #header)
  end
  local found
  for i, name in ipairs(header) do
    if name == spec then
      if found then
        return nil, string.format("the header has two '%s' columns (%d and %d); say which with %s %d or %s %d",
                                  spec, found, i, option, found, option, i), true
      end
      found = i
    end
  end
  if found then return found end
  return nil, string.format("no '%s' column in the header", spec)
end

--- The indexes of the header columns an article's text is in (`specs`,
-- text_names: names or numbers), or nil, csv_column's problem and twice
-- for the first that is not there, and its spec. A column named twice
-- ("2,headline" for the header's second column, headline) would repeat
-- its text: that is a problem too (with twice, so no hint follows).
function M.csv_columns(header, specs, option)
  local cols, spec_of = {}, {}
  for i, spec in ipairs(specs) do
    local col, problem, twice = M.csv_column(header, spec, option)
    if not col then return nil, problem, twice, spec end
    if spec_of[col] then
      return nil, string.format("%s names column %d twice ('%s' and '%s')", option, col, spec_of[col], spec),
             true, spec
    end
    cols[i], spec_of[col] = col, spec
  end
  return cols
end

--- The set of the text's columns (cols, csv_columns: is_text[i] is true
-- for each) and their names in the header, for join_fields' messages.
function M.column_names(header, cols)
  local is_text, names = {}, {}
  for i, col in ipairs(cols) do
    is_text[col] = true
    names[i] = header[col]
  end
  return is_text, names
end

--- Give a CSV record (`fields`, as many as the header's) its text from the
-- columns `cols` (csv_columns), `names` in the header (take_fields).
function M.take_columns(doc, fields, cols, names, opts, invalid)
  local values = {}
  for i, col in ipairs(cols) do values[i] = fields[col] end
  return M.take_fields(doc, names, values, opts, invalid)
end

-- Plural names of the separators, for the header hint.
local SEPARATOR_PLURALS = { ["\t"] = "tabs", [";"] = "semicolons", ["|"] = "pipes", [","] = "commas" }

--- The separator a header read as one field (no `sep` in it) seems to be
-- written with: the other separator it holds, the most frequent if
-- several ("the header has tabs: --separator tab?"); else nil.
function M.separator_hint(header, sep)
  if #header ~= 1 then return nil end
  local best, most = nil, 0
  for _, other in ipairs({ "\t", ";", "|", "," }) do
    if other ~= sep then
      local _, n = header[1]:gsub(other, "")   -- (none is magic in a pattern)
      if n > most then best, most = other, n end
    end
  end
  return best and string.format("the header has %s: --separator %s?", SEPARATOR_PLURALS[best], csv.SEPARATOR_NAMES[best])
end

--- What to add to a message saying the header lacks a column, when the
-- file seems to be read with the wrong separator: separator_hint's
-- ("; the header has tabs: --separator tab?"). When `tsv_hint`, a tab-separated header of two fields (the
-- first line of ID<TAB>TEXT lines) suggests --input tsv. Else, when
-- `flags` (the options that name the missing columns, "--text-column"),
-- the header's columns, so the user can pick one without opening the file
-- ("; its columns are 'url', 'body': --text-column NAME?"); else "".
local HINT_COLUMNS, HINT_NAME_BYTES = 12, 40
local function quoted_columns(header)
  local names = {}
  for i, name in ipairs(header) do
    if i > HINT_COLUMNS then
      names[#names + 1] = string.format("... (%d in all)", #header)
      break
    end
    if #name > HINT_NAME_BYTES then
      -- cut at a character boundary: back over UTF-8 continuation bytes
      local cut = HINT_NAME_BYTES
      while cut > 0 and (name:byte(cut + 1) or 0) & 0xC0 == 0x80 do cut = cut - 1 end
      name = name:sub(1, cut) .. "..."
    end
    names[#names + 1] = "'" .. name .. "'"
  end
  return table.concat(names, ", ")
end

function M.csv_hint(header, sep, tsv_hint, flags)
  local separator = M.separator_hint(header, sep)
  if separator then
    return "; " .. separator
  elseif tsv_hint and sep == "\t" and #header == 2 then
    return "; if the lines are ID<TAB>TEXT without a header row: --input tsv?"
  end
  if flags and #header > 0 then
    return string.format("; %s %s: %s?", #header == 1 and "its one column is" or "its columns are",
                         quoted_columns(header), flags)
  end
  return ""
end

--- Why a CSV record cannot be read against the header, or nil. A record
-- whose field count differs from the header's is an error either way: too
-- few leaves columns empty, too many is most often an unquoted comma that
-- cut the text short. A blank line (one empty field) is named as such, as a
-- blank JSONL line is. A record that repeats the header (after a byte order
-- mark, too) is a file joined after another (`cat a.csv b.csv`, pandas'
-- to_csv(mode="a")): read as a record, it was an article of the column
-- names, and to train a document of a label named "label".
M.CSV_HEADER_AGAIN = "the header again (a file joined after another?)"
function M.csv_record_problem(fields, header)
  if #fields ~= #header then
    if #fields == 1 and fields[1] == "" then return "empty line (no CSV record)" end
    return string.format("record has %d field%s, the header %d", #fields, #fields == 1 and "" or "s", #header)
  end
  if fields[1]:gsub("^\239\187\191", "") ~= header[1] then return nil end
  for i = 2, #fields do
    if fields[i] ~= header[i] then return nil end
  end
  return M.CSV_HEADER_AGAIN
end

--- A record's id: `id` as read (a string), else `place` (FILE:LINE), for
-- a record without one and for an empty one, which names no record (as a
-- feed item's empty guid gives FILE#N).
function M.id_or_place(id, place)
  if id == nil or id == "" then return place end
  return id
end

--- A CSV record's own id: its id column's value (id_col, nil for none),
-- or nil; `problem` is csv_record_problem's answer, and a record that
-- repeats the header holds the column's name, no id.
function M.csv_record_id(fields, id_col, problem)
  if problem == M.CSV_HEADER_AGAIN then return nil end
  return id_col and fields[id_col]
end

--- Give doc its id: `id` as read, else `place` (id_or_place); a record
-- with an id of its own gets `where = place` too, so that its error can
-- name both (M.named, M.error_text). Returns doc.
function M.set_id(doc, id, place)
  doc.id = M.id_or_place(id, place)
  if doc.id ~= place then doc.where = place end
  return doc
end

--- A record as a message names it: its place (FILE:LINE, FILE#N, FILE),
-- and its id when it has one of its own, "FILE:LINE (id X)" (X as a TSV
-- field, escaped, so the message stays one line). A 50,000-line file's
-- bad record is found by its line, and known by its id.
function M.named(doc)
  local place = doc.where or doc.id
  if doc.id == nil or doc.id == place then return place end
  return string.format("%s (id %s)", place, tc.format_field(tostring(doc.id), "tsv"))
end

--- A failed record's error as label writes it: after its place when its
-- id is its own ("FILE:LINE: problem"; the id is in the record already),
-- else as it is (the id is the place). model:label_records writes it so too.
function M.error_text(doc)
  if doc.where and doc.where ~= doc.id then return doc.where .. ": " .. doc.error end
  return doc.error
end

return M
