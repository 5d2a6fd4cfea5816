-- textclass.cli.unlabelled - the documents `label` reads from one source,
-- in each of its formats (text, lines, tsv, jsonl, csv, feed).
--
-- A document is { id = string, where = string | nil, text = string | nil,
-- error = string | nil, fields = table | nil }: one per article, or one
-- carrying the error that stands for it; `where` (FILE:LINE, FILE#N) is
-- set beside an id that is the record's own (records.set_id). With
-- opts.on_csv_header (label -o csv), a CSV file's header is handed to it
-- as { names = the header's columns, id = the id column's index | nil,
-- path = the file, "stdin" } before its records, each of which gets
-- row = its fields (as many as it has) and columns = that table.

local tc = require "textclass"
local feed = require "textclass.cli.feed"
local records = require "textclass.cli.records"
local stream = require "textclass.cli.stream"
local decode = require "textclass.cli.decode"
local util = require "textclass.cli.util"

local M = {}

--- Read JSONL a block at a time with tc.jsonl_documents where it can (off
-- only for tests/lua/jsonl_documents_spec.lua, which holds it to the
-- line-at-a-time path).
M.fast_jsonl = true

local where, take_text = records.where, records.take_text
local unpack = table.unpack

-- What tc.json_fields found for a field, as records.join_fields takes it:
-- a string, a measured text (records.measured) when over the limit, nil
-- when absent, false when not a string.
local function scanned(value, kind)
  if kind == "string" then return value end
  if kind == "large" then return records.measured(value) end
  if kind ~= "absent" then return false end
  return nil
end

-- One JSONL record (line n of src) as a document: its id and text, or the
-- error that stands for it; opts.keep_fields adds the other fields, each
-- as its JSON text. The text and id are read straight from the line
-- (tc.json_fields), so a numeric id is the token as written, and the other
-- fields are copied as written ([] stays [], long numbers keep their
-- digits). A line that scanner does not handle (not strict JSON, or nested
-- 1000 deep) is decoded by lua-cjson, whose verdict stands (id_value then
-- recovers the id's token; the other fields are then lua-cjson's values
-- encoded again). `invalid`: the line held invalid UTF-16 (stream.lines).
-- The text is in the fields `names` (records.text_names; `is_text`, their
-- set). One field's value is the text as it is; with several, `parts` (a
-- table to reuse) gets their values for records.take_fields. A text over
-- --max-bytes is measured, not decoded (records.measured), and refused.
local function jsonl_document(line, src, n, opts, names, is_text, id_field, parts, invalid)
  -- (the fields named, though nil, so the table is made with room for
  -- them: grown key by key it was reallocated twice per record)
  local doc = { id = nil, where = nil, text = nil, error = nil, fields = nil }
  local fields = opts.keep_fields ~= false and {} or nil
  local max = opts.max_bytes or records.MAX_DOC_BYTES
  local text, text_kind, id, id_kind, obj
  if parts then
    local got = { tc.json_fields(line, names[1], id_field, fields, max, unpack(names, 2)) }
    text, text_kind, id, id_kind = got[1], got[2], got[3], got[4]
    if text ~= false then
      parts[1] = scanned(text, text_kind)
      for i = 2, #names do parts[i] = scanned(got[2 * i + 1], got[2 * i + 2]) end
    end
  else
    text, text_kind, id, id_kind = tc.json_fields(line, names[1], id_field, fields, max)
    if text_kind == "large" then text = scanned(text, text_kind) end
  end
  if text == false then
    local jerr
    obj, jerr = records.json_object(line)
    if not obj then
      doc.id = where(src, n)
      doc.error = jerr
      return doc
    end
    if fields then
      fields = {}
      for k, v in pairs(obj) do
        if not is_text[k] and k ~= id_field then fields[k] = util.json(v) end
      end
    end
    id, text = records.id_value(obj[id_field], line, id_field), obj[names[1]]
    text_kind = type(text) == "string" and "string" or text == nil and "absent" or "other"
    if parts then
      for i, name in ipairs(names) do parts[i] = obj[name] end
    end
  elseif id_kind ~= "string" and id_kind ~= "number" then
    id = nil
  end
  doc.fields = fields
  records.set_id(doc, id, where(src, n))
  if parts then
    records.take_fields(doc, names, parts, opts, invalid)
    if doc.error and doc.error:find("^no '") then
      doc.error = doc.error .. records.missing_field_hint(obj, line, names, "--text-field")
    end
    return doc
  end
  if text_kind ~= "string" and text_kind ~= "large" then
    doc.error = records.field_error(text_kind ~= "absent" or nil, names[1])
    if text_kind == "absent" then
      doc.error = doc.error .. records.missing_field_hint(obj, line, names, "--text-field")
    end
    return doc
  end
  return take_text(doc, text, opts, nil, nil, invalid)
end

-- The items of a news feed (src, open as f after its sniffed head), one
-- document each: "TITLE\n\nCONTENT" (the content, else the summary, read
-- as HTML), with its link, date and title as fields. Its id is the item's
-- guid or id, else its link, else "PATH#N" for the feed's Nth item. The
-- feed is read whole, up to the line limit, as an article is (not past a
-- head holding a NUL: records.read_rest; not at all when a file's size is
-- over the limit); a feed that cannot be read is one error (invalid
-- UTF-16 too, unless --replace-invalid: which item holds it is not known).
local function read_feed(src, f, head, opts, emit, counter)
  local limit = records.line_limit(opts)
  local too_large = records.known_too_large(src, f, head, limit)
  local xml = too_large and head or records.read_rest(f, head, limit)
  local invalid = decode.is_reader(f) and f:invalid(0, #xml) or nil
  stream.close(src, f)
  counter.bytes = counter.bytes + (src.size or #xml)
  local items, problem
  if too_large then problem = string.format("feed too large (%d bytes, limit %d)", src.size, limit)
  elseif xml:find("\0", 1, true) then problem = records.binary_file(xml)
  elseif #xml > limit then problem = string.format("feed too large (over %d bytes)", limit)
  elseif invalid and not opts.replace_invalid then problem = invalid
  else
    items, problem = feed.items(xml)
    problem = problem and "feed: " .. problem
  end
  if not items then emit({ id = src.path, error = problem }); return end
  local declaration = feed.declaration(xml)
  -- read as HTML here already, in the encoding the declaration names
  local as_text = setmetatable({ no_html = true, feed_declaration = declaration }, { __index = opts })
  for n, item in ipairs(items) do
    local link = feed.plain(item.link)
    local doc = records.set_id({}, feed.plain(item.id) or link, src.path .. "#" .. n)
    local title, title_error = feed.text(item.title, declaration, item.plain.title)
    local body_field = item.content and "content" or "summary"
    local body, body_error = feed.text(item[body_field], declaration, item.plain[body_field])
    if opts.keep_fields ~= false then
      doc.fields = {}
      local date = feed.plain(item.date)
      if link then doc.fields.link = util.json(link) end
      if date then doc.fields.date = util.json(date) end
      if title and title ~= "" then doc.fields.title = util.json(title) end
    end
    doc.error = title_error or body_error
    if not doc.error then take_text(doc, title .. "\n\n" .. body, as_text) end
    emit(doc)
  end
end

-- The hints below go to opts.warn (textclass.read's, which spells the
-- command line's flags as a script's options) or, for the command line,
-- to util.note (which -q silences).
local function hint(opts, fmt, ...)
  (opts.warn or util.note)(fmt, ...)
end

-- JSONL read as text by default (stdin's lines, a .json file whole) is
-- labelled as its JSON, keys and all, with no error to show for it: when
-- the format was not given (--input auto) and the first line is a JSON
-- object with the text field, say so on stderr, once per source.
local function warn_if_jsonl(src, fmt, line, opts, names)
  if opts.input ~= "auto" or not line:find("^%s*{") then return end
  local obj = records.json_object(line)
  if not obj then return end
  for _, name in ipairs(names) do
    if type(obj[name]) == "string" then
      hint(opts, "%s: line 1 is a JSON object with a '%s' field, but %s: --input jsonl?",
           src.stdin and "stdin" or src.path, name,
           fmt == "lines" and "stdin is read as lines of text by default"
             or "the file is read as one article (its name does not end in .jsonl)")
      return true
    end
  end
end

-- A JSON file that is not JSONL (an array of articles, as news APIs and
-- CMS exports give them, or a pretty-printed object) is read whole, one
-- article of JSON: when the format was not given and the file's head
-- begins with '[' or '{' and holds the text field as a key with a string
-- value, say so on stderr (warn_if_jsonl's case, line 1 an object, aside).
local function warn_if_json(src, head, opts, names)
  local name = opts.input == "auto" and records.json_text_field(head, names)
  if name then
    hint(opts, "%s: the file is JSON with '%s' fields, but it is read as one article (its name does not " ..
         "end in .jsonl): convert it to JSONL, one object a line (jq -c '.[]' %s, for an array)?",
         src.path, name, src.path)
  end
end

-- A web page or a feed piped in (`curl URL | textclass label`) is read as
-- lines too, each line of markup an article: when the format was not
-- given and stdin's first line begins a page that it does not end (a page
-- a line is what the lines format is for) or begins a feed, say so on
-- stderr. A first line that is only an XML declaration decides nothing:
-- it is returned, to be given again with the second line (`after`).
local function warn_if_page(src, line, opts, after)
  if opts.input ~= "auto" then return nil end
  if not after and line:find("^\239?\187?\191?%s*<%?xml[^>]*%?>%s*$") then return line end
  local head = after and line .. "\n" .. after or line
  local what, option
  if feed.looks_like_feed(head) then what, option = "a news feed", "feed"
  elseif not opts.no_html and records.looks_like_html(head) and not head:lower():find("</html", 1, true) then
    what, option = "an HTML page", "text"
  end
  if what then
    hint(opts, "%s: line 1 begins %s, but stdin is read as lines of text by default, each line an " ..
         "article: --input %s?", src.stdin and "stdin" or src.path, what, option)
  end
  return nil
end

--- Produce the documents of one source, read as format `fmt`, with
-- `emit(doc)`; `counter.bytes` grows by the bytes read. A source that
-- cannot be read (opened) is one record, with `unread` true.
function M.read(src, fmt, opts, emit, counter)
  local f, head = stream.open(src, opts.encoding)
  if not f then emit({ id = src.path, error = head, unread = true }); return end
  local id_field = opts.id_field or "id"
  local names = assert(records.text_names(opts.text_field or "text"))

  if fmt == "feed" or (fmt == "text" and opts.input ~= "text" and feed.looks_like_feed(head)) then
    read_feed(src, f, head, opts, emit, counter)
    return
  end
  if fmt == "text" then
    if not warn_if_jsonl(src, fmt, head:match("^[^\n]*"), opts, names) then warn_if_json(src, head, opts, names) end
    -- (a feed read whole, with --input text: explain says what it is)
    emit(records.read_whole({ id = src.path, feed = feed.looks_like_feed(head) or nil }, src, f, head, opts, counter))
    return
  end

  local binary = records.binary_head(head)
  if binary then
    stream.close(src, f)
    counter.bytes = counter.bytes + (src.size or #head)
    emit({ id = src.path, error = binary })
    return
  end
  local next_line = stream.lines(f, head, counter, src, records.line_limit(opts))

  if fmt == "lines" or fmt == "tsv" then
    local n, declaration = 0, nil
    for line, too_long, invalid in next_line do
      n = n + 1
      line = records.strip_eol(line)
      if n == 1 and fmt == "lines" then
        warn_if_jsonl(src, fmt, line, opts, names)
        declaration = warn_if_page(src, line, opts)
      elseif n == 2 and declaration then
        warn_if_page(src, declaration, opts, line)
      end
      local place, id, text = where(src, n), nil, line
      if too_long then
        emit({ id = place, error = too_long })
      else
        if fmt == "tsv" then
          local tab = line:find("\t", 1, true)
          if tab then id, text = line:sub(1, tab - 1), line:sub(tab + 1) end
        end
        emit(take_text(records.set_id({}, id, place), text, opts, nil, nil, invalid))
      end
    end
  elseif fmt == "jsonl" then
    local is_text, parts = {}, #names > 1 and {} or nil
    for _, name in ipairs(names) do is_text[name] = true end
    -- A text in one field, not read as a page whatever its first bytes:
    -- the lines of a block are read by tc.jsonl_documents at once, and
    -- only those it leaves (a line that is not plain JSON, a text that
    -- fails a check or may be a page) by jsonl_document, one by one.
    local fast = M.fast_jsonl and not parts and not opts.html and
      records.jsonl_options(src, opts, names[1], id_field, { keep_fields = opts.keep_fields ~= false })
    records.jsonl_records(next_line, fast, function(line, n, too_long, invalid)
      if too_long then return { id = where(src, n), error = too_long } end
      return jsonl_document(line, src, n, opts, names, is_text, id_field, parts, invalid)
    end, emit)
  elseif fmt == "csv" then
    local rows, header, header_line, sep = records.csv_table(src, next_line, records.line_limit(opts), opts)
    -- (when it fails: nil, the place and the problem)
    local place = rows and where(src, header_line) or header
    local problem = not rows and header_line or nil
    local text_cols, id_col
    if rows then
      local twice
      text_cols, problem, twice = records.csv_columns(header, assert(records.text_names(opts.text_column or "text")),
                                                      "--text-column")
      if text_cols then
        local id_problem
        id_col, id_problem, twice = records.csv_column(header, opts.id_column or "id", "--id-column")
        if opts.id_column or twice then problem = id_problem end   -- optional unless named
      elseif not twice then
        -- read with the wrong separator? else which columns there are
        problem = problem .. records.csv_hint(header, sep, true, "--text-column NAME")
      end
    end
    if problem then
      stream.close(src, f)
      emit({ id = place, error = problem })
      return
    end
    local is_text, text_names = records.column_names(header, text_cols)
    -- -o csv carries the columns: each record keeps its row, and the
    -- writer hears of the file's header before any of its records
    local columns = opts.on_csv_header and { names = header, id = id_col, path = src.stdin and "stdin" or src.path }
    if columns then opts.on_csv_header(columns) end
    while true do
      local fields, first, last, invalid = rows()
      if fields == nil then break end
      if fields == false then
        emit({ id = where(src, last), error = "CSV: " .. first })
        break
      end
      local doc = {}
      if columns then doc.row, doc.columns = fields, columns end
      if opts.keep_fields ~= false then
        -- (over the record's fields, not the header's: a header of 100,000
        -- columns over short lines cost their product, minutes)
        doc.fields = {}
        for i = 1, math.min(#fields, #header) do
          if not is_text[i] and i ~= id_col then doc.fields[header[i]] = util.json(fields[i]) end
        end
      end
      doc.error = records.csv_record_problem(fields, header)
      records.set_id(doc, records.csv_record_id(fields, id_col, doc.error), where(src, first))
      if not doc.error then records.take_columns(doc, fields, text_cols, text_names, opts, invalid) end
      emit(doc)
    end
  end
  stream.close(src, f)
end

return M
