--- textclass.read: the command line's document readers, for Lua scripts.
--
--     local read = require "textclass.read"
--     for doc in read.documents({ "news.jsonl", "saved-pages/" }) do
--       if doc.error then io.stderr:write(doc.id, ": ", doc.error, "\n")
--       else print(doc.id, #doc.text) end
--     end
--     for doc in read.labelled("train/", { format = "folder" }) do ... end
--
-- `read.documents` reads what `textclass label` reads (text, lines, jsonl,
-- csv, tsv, feed), `read.labelled` what `textclass train` reads (label
-- folders, jsonl, csv, fastText), format by format as they do: UTF-16
-- with a byte order mark, other encodings by name (encoding), HTML pages
-- and their declared charsets, invalid UTF-8, binary files, bounded
-- memory, one record per input, in input order. docs/lua-api.md
-- ("Reading documents") is the reference.
--
-- Caveats (design decisions):
-- * No second reader: the work is done by textclass.cli.inputs and the
--   modules behind it, so a fix there reaches scripts too. This file only
--   checks the options, spells them as the CLI's readers take them, and
--   turns the CLI's failure objects (textclass.cli.util) into strings.
-- * Caller mistakes raise, naming the culprit: a paths argument that is
--   not a string or a list of strings, an unknown option, a bad value,
--   "-" twice, format = "folder" with a path that is not a folder.
-- * What is wrong with an input is not an error but a record's `error`
--   (a missing or unreadable file, a binary file, invalid UTF-8, a line
--   that is not JSON), as the command line reports it, so nothing is
--   dropped silently.
-- * A read error in the middle of a file (an I/O error) raises a string
--   from the iterator: what follows is unknown, so the command line stops
--   there too rather than report fewer records than the input holds.
-- * The iterators return a fourth value, to be closed: a generic `for`
--   left early (break, return, error) closes the file being read. Outside
--   a `for`, call its `close` method, or leave the file to the collector.

local no_more = require("textclass.argcheck").no_more
local csv = require "textclass.cli.csv"
local decode = require "textclass.cli.decode"
local inputs = require "textclass.cli.inputs"
local labelled_reader = require "textclass.cli.labelled"
local records = require "textclass.cli.records"
local stream = require "textclass.cli.stream"
local util = require "textclass.cli.util"

local M = {}

---------------------------------------------------------------------------
-- Options
---------------------------------------------------------------------------

-- Raise a caller mistake as the module's C functions word one: "bad
-- argument #N to 'textclass.read.NAME' (...)", at the caller's line
-- (level 4: raise, the checking function, documents/labelled, caller).
local function raise(fname, argn, fmt, ...)
  error(string.format("bad argument #%d to 'textclass.read.%s' (%s)", argn, fname, string.format(fmt, ...)), 4)
end

local function is_string(v) return type(v) == "string" end

-- Each option's check: nil, or what is wrong with the value (the value
-- converted, for columns and the separator, as a second result).
local CHECKS = {}

function CHECKS.string(v)
  if not is_string(v) then return "string expected, got " .. type(v) end
  if v == "" then return "a non-empty string expected" end
  if v:find("\0", 1, true) then return "a NUL byte in the name" end
  return nil, v
end

function CHECKS.boolean(v)
  if type(v) ~= "boolean" then return "boolean expected, got " .. type(v) end
  return nil, v
end

-- A CSV column: a name, or a 1-based number (an integer or its digits).
function CHECKS.column(v)
  if math.type(v) == "integer" then
    if v < 1 then return "a column number counts from 1, got " .. v end
    return nil, tostring(v)
  end
  if type(v) == "number" then return "a whole column number expected, got " .. tostring(v) end
  return CHECKS.string(v)
end

-- The fields or columns of the text: a comma list ("title,body") or an
-- array of names (which may hold commas), for text_field; for
-- text_column each a name or a number too. Converted to an array of names
-- (column numbers as their digits).
local function text_parts(v, check_one)
  if type(v) ~= "table" then
    local problem, value = check_one(v)
    if problem then return problem end
    v = value
  else
    local names = {}
    for i = 1, #v do
      local problem, value = check_one(v[i])
      if problem then return string.format("name %d: %s", i, problem) end
      names[i] = value
    end
    for k in pairs(v) do
      if math.type(k) ~= "integer" or k < 1 or k > #v then return "an array of names expected" end
    end
    v = names
  end
  local names, problem = records.text_names(v)
  if not names then return problem end
  return nil, names
end

function CHECKS.fields(v) return text_parts(v, CHECKS.string) end

function CHECKS.columns(v) return text_parts(v, CHECKS.column) end

function CHECKS.separator(v)
  if not is_string(v) then return "string expected, got " .. type(v) end
  local sep, err = csv.separator(v)
  if not sep then return err end
  return nil, sep
end

-- An encoding's name, as --encoding takes it (decode.check: a name iconv
-- knows, whose line feed is the byte 0x0A, or UTF-16's).
function CHECKS.encoding(v)
  local problem = CHECKS.string(v)
  if problem then return problem end
  local encoding, err = decode.check(v)
  if not encoding then return err end
  return nil, encoding
end

-- A document size: at most --max-bytes' ceiling (1 TiB), as the command
-- line takes it (the readers' line limit is 8 times it: more overflowed).
function CHECKS.size(v)
  if math.type(v) ~= "integer" then
    return "positive integer expected, got " .. (type(v) == "number" and tostring(v) or type(v))
  end
  if v < 1 then return "positive integer expected, got " .. v end
  if v > inputs.MAX_BYTES_CEILING then
    return string.format("at most %d (1 TiB) expected, got %d", inputs.MAX_BYTES_CEILING, v)
  end
  return nil, v
end

-- The options each function takes, with their check and the name of the
-- CLI reading option they become (textclass.cli.inputs.read_options).
local COMMON = {
  text_field = { "fields" }, id_field = { "string" },
  text_column = { "columns" }, id_column = { "column" },
  separator = { "separator" }, encoding = { "encoding" },
  html = { "boolean" }, no_html = { "boolean" }, replace_invalid = { "boolean" },
  max_bytes = { "size" },
}

local function with(extra)
  local t = {}
  for k, v in pairs(COMMON) do t[k] = v end
  for k, v in pairs(extra) do t[k] = v end
  return t
end

local DOCUMENT_OPTIONS = with { keep_fields = { "boolean" } }
local LABELLED_OPTIONS = with { label_field = { "string" }, label_column = { "column" }, multilabel = { "boolean" } }

local function one_of(v, choices)
  for _, c in ipairs(choices) do if v == c then return true end end
  return false
end

-- The CLI's reading options from a script's opts (argument 2 of fname),
-- every field checked. Returns the table inputs.documents or
-- inputs.labelled takes.
local function convert(fname, opts, known, formats)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then raise(fname, 2, "table expected, got %s", type(opts)) end
  local out = {}
  for k, v in pairs(opts) do
    if k == "format" then
      if not is_string(v) or not one_of(v, formats) then
        raise(fname, 2, "opts.format: one of %s expected, got %s", table.concat(formats, ", "),
              is_string(v) and ("'" .. v .. "'") or type(v))
      end
      out.input = v
    else
      local spec = is_string(k) and known[k]
      if not spec then raise(fname, 2, "unknown option '%s'", tostring(k)) end
      local problem, value = CHECKS[spec[1]](v)
      if problem then raise(fname, 2, "opts.%s: %s", k, problem) end
      out[k] = value
    end
  end
  if out.html and out.no_html then raise(fname, 2, "opts.html and opts.no_html contradict each other") end
  -- an option of one format with opts.format naming another would be
  -- ignored without a word (the command line's usage error too)
  for _, k in ipairs(inputs.READ_KEYS) do
    local format = inputs.FORMAT_OF[k]
    if format and out[k] ~= nil and out.input and out.input ~= "auto" and out.input ~= format then
      raise(fname, 2, "opts.%s applies to the %s format, not '%s'", k, format, out.input)
    end
  end
  return out
end

-- The operands (argument 1): a path, or a list of paths; "-" is stdin.
local function operands(fname, paths)
  if is_string(paths) then paths = { paths } end
  if type(paths) ~= "table" then raise(fname, 1, "string or list of strings expected, got %s", type(paths)) end
  local out, stdin = {}, false
  for i = 1, #paths do
    local p = paths[i]
    if not is_string(p) then raise(fname, 1, "paths[%d]: string expected, got %s", i, type(p)) end
    if p == "" or p:find("\0", 1, true) then raise(fname, 1, "paths[%d]: not a path", i) end
    if p == "-" then
      if stdin then raise(fname, 1, "stdin (-) can be read only once") end
      stdin = true
    end
    out[i] = p
  end
  -- a path under another key (x = "b.txt", or past a hole) would be skipped without a word
  for k in pairs(paths) do
    if math.type(k) ~= "integer" or k < 1 or k > #paths then
      raise(fname, 1, "a list of paths expected, got a key %s", math.type(k) and tostring(k) or ("'" .. tostring(k) .. "'"))
    end
  end
  return out
end

-- Our options by the flag of the CLI's readers each stands for
-- ("--text-field" is opts.text_field): the one table of names that spells
-- the readers' messages and hints as a script gave its options.
local OPTION_OF_FLAG = {}
for _, known in ipairs({ DOCUMENT_OPTIONS, LABELLED_OPTIONS }) do
  for key in pairs(known) do OPTION_OF_FLAG["--" .. key:gsub("_", "-")] = "opts." .. key end
end

-- A message of the CLI's readers with the flags it names spelt as our
-- options: "--input X" as opts.format 'X', "--text-field Text?" as
-- "opts.text_field Text?". Only a whole flag that begins a word is
-- changed: not a flag of another command, nor one in a quoted name or
-- after a slash (a field named '--max-bytes', a path's dir/--x).
local function as_option(msg)
  msg = msg:gsub("%f[%w%-'/]%-%-input (%a+)", "opts.format '%1'")
  return (msg:gsub("%f[%w%-'/]%-%-%l[%w%-]*", OPTION_OF_FLAG))
end

-- Run fn(...), turning a CLI failure object (util.fail, util.usage_error)
-- into a caller mistake of argument argn, spelt as our options; anything
-- else is raised as is.
local function as_argument_error(fname, argn, fn, ...)
  local ok, e = pcall(fn, ...)
  if ok then return e end
  if util.is_failure(e) then raise(fname, argn, "%s", as_option(tostring(e))) end
  error(e, 0)
end

-- The readers' hints on stderr (JSONL read as lines or as one article, a
-- page or a feed piped in as lines), spelt as our options; `textclass run
-- -q` silences them.
local function warn(fmt, ...)
  util.note("%s", as_option(string.format(fmt, ...)))
end

---------------------------------------------------------------------------
-- Iterators
---------------------------------------------------------------------------

-- The iterator over `next_doc` (a CLI iterator over the sources `list`):
-- a step function, then nil, nil and a to-be-closed closer. A CLI failure
-- raised while reading (a read error) becomes a string error; an error
-- or the closer closes the file being read; after either the step
-- function returns nil.
local function iterator(list, next_doc, check)
  local done = false
  local function close()
    if done then return end
    done = true
    for _, src in ipairs(list) do
      if src.opened then stream.close(src, src.opened) end
    end
  end
  local function step()
    if done then return nil end
    local ok, doc = pcall(next_doc)
    if not ok then
      close()
      if util.is_failure(doc) then error(tostring(doc), 0) end
      error(doc, 0)
    end
    if doc == nil then close(); return nil end
    if doc.error then doc.error = as_option(doc.error) end
    if check then check(doc) end
    return doc
  end
  local closer = setmetatable({ close = function() close() end },
                              { __close = close, __name = "textclass.read.closer" })
  return step, nil, nil, closer
end

--- An iterator over the documents in `paths`, as `textclass label` reads
-- them.
-- @param paths a path or a list of paths: files, folders (walked in byte
--   order, hidden entries and saved pages' X_files folders skipped), "-"
--   for stdin (at most once).
-- @param opts optional table: format ("auto", "text", "lines", "jsonl",
--   "csv", "tsv", "feed"), text_field, id_field, text_column, id_column
--   (a name or a 1-based number; text_field and text_column may name
--   several, "title,body" or an array, joined "TITLE\n\nBODY"), separator,
--   encoding, html, no_html, replace_invalid, max_bytes, keep_fields
--   (default true).
-- @return iterator, nil, nil, closer (for a generic `for`): each step
--   gives { id =, text = | error =, fields = }, in input order (feed =
--   true for a feed read whole, with format "text"; unread = true for an
--   input that could not be read, whose error says why).
-- @raise on a caller mistake; on a read error mid-file (a string).
function M.documents(paths, opts, ...)
  no_more("textclass.read.documents", 3, ...) -- more than paths and opts
  local list = operands("documents", paths)
  local checked = convert("documents", opts, DOCUMENT_OPTIONS, inputs.UNLABELLED_FORMATS)
  local read = as_argument_error("documents", 2, inputs.read_options, checked)
  read.keep_fields = checked.keep_fields -- (as checked: opts' own keys only, not its __index)
  -- no format given is "auto", the hints' condition: a wrong turn that the
  -- command line names was read without a word
  read.input, read.warn = read.input or "auto", warn
  local sources = inputs.sources(list, false)
  return iterator(sources, (inputs.documents(sources, read)))
end

--- An iterator over the labelled documents in `paths`, as `textclass
-- train` reads them.
-- @param paths a path or a list of paths: label folders (DIR/LABEL/...),
--   files, "-" for stdin (at most once).
-- @param opts optional table: format ("auto", "jsonl", "csv", "fasttext",
--   "folder"), text_field, id_field, label_field, text_column, id_column,
--   label_column (text_field and text_column as for documents), separator,
--   encoding, html, no_html, replace_invalid, max_bytes, multilabel (default
--   false: a record without exactly one label gets an error, as train
--   says so without --multilabel).
-- @return iterator, nil, nil, closer: each step gives { id =, where =,
--   text =, labels =, operand = } or { id =, where =, error =, operand = }
--   (operand: the path it came from, a label folder's for its files;
--   unread = true for an input that could not be read); blank lines give
--   none.
-- @raise on a caller mistake; on a read error mid-file (a string).
function M.labelled(paths, opts, ...)
  no_more("textclass.read.labelled", 3, ...)
  local list = operands("labelled", paths)
  local read = convert("labelled", opts, LABELLED_OPTIONS, inputs.LABELLED_FORMATS)
  read = as_argument_error("labelled", 2, inputs.read_options, read)
  as_argument_error("labelled", 1, inputs.check_labelled_operands, list, read.input)
  local sources = inputs.sources(list, true)
  local check
  if not read.multilabel then
    -- a multi-class model needs one label a document (train checks it
    -- after reading; here it is the record's error)
    check = function(doc)
      if doc.error then return end
      doc.error = labelled_reader.label_count_problem(doc.labels, "opts.multilabel")
      if doc.error then doc.text = nil end
    end
  end
  return iterator(sources, (inputs.labelled(sources, read)), check)
end

return M
