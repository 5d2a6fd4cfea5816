-- textclass.cli.inputs - turn command-line operands into a stream of documents.
--
-- Operands are files, folders (walked recursively, entries in byte order,
-- hidden entries skipped, symlink loops cut) and "-" for stdin. Each file
-- has a format, from --input or its extension:
--
--   text   the whole file is one article                 (any other extension)
--   lines  one article per line                           (stdin's default)
--   jsonl  one JSON object per line                       (.jsonl, .ndjson)
--   csv    RFC 4180 with a header row                     (.csv; .tsv, its
--          fields separated by tabs; --separator for any)
--   tsv    ID<TAB>TEXT per line                           (--input tsv only)
--   feed   each item of an RSS or Atom feed               (.rss, .atom, and
--          files that begin as a feed does: textclass.cli.feed)
--
-- Labelled data (train, eval) reads jsonl, csv (.csv, .tsv), fastText "__label__x text"
-- lines (any other extension) and folders with one sub-folder per label.
--
-- Files and stdin are UTF-8, or UTF-16 with a byte order mark, or in the
-- encoding --encoding names, converted as they are read
-- (textclass.cli.stream, .decode).
--
-- A document that is an HTML page is read for its text (tc.html_text): a
-- .html, .htm or .xhtml file, a document whose first bytes are a page's
-- (records.looks_like_html), or every document with --html; none with
-- --no-html.
--
-- Promises: documents come out in input order, one per article, streamed
-- (a file is never read whole unless it is one article). Anything wrong
-- with an input - missing, unreadable, binary, empty, invalid UTF-8 or UTF-16, a
-- line that is not JSON - still yields exactly one record carrying an
-- `error` message, so callers can keep the one-in, one-out contract.
--
-- This module is what the commands use; the work is done by
-- textclass.cli.sources (operands -> sources), .stream (opening a source,
-- bounded lines), .records (text checks, JSONL and CSV fields),
-- .unlabelled (label's formats) and .labelled (train's and eval's).

local csv = require "textclass.cli.csv"
local decode = require "textclass.cli.decode"
local args = require "textclass.cli.args"
local records = require "textclass.cli.records"
local util = require "textclass.cli.util"
local sources = require "textclass.cli.sources"
local unlabelled = require "textclass.cli.unlabelled"
local labelled = require "textclass.cli.labelled"

local M = {}

M.MAX_DOC_BYTES = records.MAX_DOC_BYTES
M.MAX_BYTES_CEILING = records.MAX_BYTES_CEILING
M.count_stdin = sources.count_stdin
M.sources = sources.sources
M.total_size = sources.total_size
M.stdin_is_stream = sources.stdin_is_stream
M.IS_OUTPUT = sources.IS_OUTPUT

--- Say (unless -q) that stdin, when it is among the operands and a
-- terminal, is read until Ctrl-D, as `what` ("articles"), `each` ("one
-- per line") if given: a command waiting on a terminal without a word
-- looks hung.
function M.note_terminal_stdin(operands, what, each)
  for _, p in ipairs(operands) do
    if p == "-" and util.isatty(io.stdin) then
      util.note("reading %s from the terminal%s; Ctrl-D ends", what, each and ", " .. each or "")
    end
  end
end

-- (a .tsv file is csv with tabs between fields: records.csv_table)
local EXT_UNLABELLED = { jsonl = "jsonl", ndjson = "jsonl", csv = "csv", tsv = "csv", rss = "feed", atom = "feed" }
local EXT_LABELLED = { jsonl = "jsonl", ndjson = "jsonl", csv = "csv", tsv = "csv" }

M.UNLABELLED_FORMATS = { "auto", "text", "lines", "jsonl", "csv", "tsv", "feed" }
M.LABELLED_FORMATS = { "auto", "jsonl", "csv", "fasttext", "folder" }

-- --text-field's and --text-column's check: the value as given, or nil
-- and why its comma list of names cannot be (records.text_names).
local function text_names(v)
  local names, problem = records.text_names(v)
  return names and v, problem
end

--- --encoding, which explain takes too.
M.ENCODING_OPTION = { long = "encoding", arg = "NAME", check = decode.check,
  help = "the input's encoding, converted to UTF-8 as it is read: windows-1252, latin1, shift_jis, gb18030, " ..
         "utf-16le, ... (iconv -l lists the names) [utf-8; a byte order mark wins]" }

--- Options every command reading documents shares (label, train, eval):
-- where the text and id are in JSONL and CSV, and what text is accepted.
M.TEXT_OPTIONS = {
  { long = "text-field", arg = "NAME[,NAME...]", default = "text", check = text_names,
    help = "JSONL field holding the text; several (title,body) are joined with a blank line" },
  { long = "id-field", arg = "NAME", default = "id", help = "JSONL field holding the id" },
  { long = "text-column", arg = "NAME|N[,...]", default = "text", check = text_names,
    help = "CSV column holding the text; several (headline,body or 2,5) are joined with a blank line" },
  { long = "id-column", arg = "NAME|N", help = "CSV column holding the id [id, when present]" },
  { long = "separator", arg = "CHAR", check = csv.separator,
    help = "CSV field separator: , ; | or tab (also comma, semicolon, pipe) [comma; tab for .tsv files]" },
  M.ENCODING_OPTION,
  { long = "replace-invalid", help = "accept text with invalid UTF-8, UTF-16 or --encoding input (read as U+FFFD) instead of failing it" },
  { long = "html", help = "every document is an HTML page, read for its text (by default: .html, .htm, .xhtml files and documents that begin like a page)" },
  { long = "no-html", help = "no document is an HTML page: markup is read as text" },
  { long = "max-bytes", arg = "N", type = "integer", min = 1, max = records.MAX_BYTES_CEILING, default = M.MAX_DOC_BYTES,
    help = "longest document accepted, in bytes (of UTF-8, for UTF-16 input too)" },
}

-- The reading options that belong to one input format.
local FORMAT_OF = { text_field = "jsonl", id_field = "jsonl", label_field = "jsonl", text_column = "csv",
                    id_column = "csv", label_column = "csv", separator = "csv" }

local READ_KEYS = { "input", "text_field", "id_field", "label_field", "text_column", "id_column",
                    "label_column", "separator", "encoding", "replace_invalid", "html", "no_html", "max_bytes",
                    "multilabel" }
M.FORMAT_OF, M.READ_KEYS = FORMAT_OF, READ_KEYS -- (textclass.read checks its options by them)

--- The reading options (for documents and labelled) out of a command's
-- parsed options, so a flag added to TEXT_OPTIONS reaches every reader.
function M.read_options(opts)
  if opts.html and opts.no_html then util.usage_error("--html and --no-html contradict each other") end
  -- an option of one format given with --input naming another would be
  -- ignored without a word (with --input auto, files of several formats
  -- may each take theirs)
  local given = opts[args.GIVEN] or {}
  for _, k in ipairs(READ_KEYS) do -- (in this order, so the first such option is named)
    local format = FORMAT_OF[k]
    if format and given[k] and opts.input and opts.input ~= "auto" and opts.input ~= format then
      util.usage_error("--%s applies to %s input, not --input %s", (k:gsub("_", "-")), format, opts.input)
    end
  end
  local out = {}
  for _, k in ipairs(READ_KEYS) do out[k] = opts[k] end
  return out
end

-- An iterator over the documents `read(src, fmt, opts, emit, counter)`
-- emits for each source, in order, the format of each chosen by
-- format_of(src, opts.input); returns it and the byte counter.
-- (A coroutine switch per document: handing `label` a block's JSONL
-- records per switch instead saved 0.36k of 157.1k instructions per news4
-- article, callgrind's count, under 0.3%: not worth a second way to emit.)
local function iterate(list, opts, counter, read, format_of)
  counter = counter or { bytes = 0 }
  return coroutine.wrap(function()
    for _, src in ipairs(list) do
      read(src, format_of(src, opts.input), opts, coroutine.yield, counter)
    end
  end), counter
end

--- An iterator over the documents of the sources, in order. Each document
-- is { id = string, text = string | nil, error = string | nil,
-- fields = table | nil (JSONL/CSV pass-through: name = the value's JSON
-- text, unless opts.keep_fields is false: a caller that prints no fields
-- saves their copy), and, when opts.on_csv_header is set, a CSV record's
-- row = its fields and columns = its file's (unlabelled.read) }. `counter.bytes` tracks
-- how many input bytes have been consumed (for progress bars).
function M.documents(list, opts, counter)
  return iterate(list, opts, counter, unlabelled.read, M.unlabelled_format)
end

--- The format `documents` reads source `src` in, given --input `input`
-- (feeds found by their first bytes aside: "text" then).
function M.unlabelled_format(src, input)
  if input ~= nil and input ~= "auto" then return input end
  return src.stdin and "lines" or (EXT_UNLABELLED[records.extension(src.path)] or "text")
end

--- Refuse labelled-data operands that --input cannot mean: with
-- `--input folder`, stdin or a path that is not a folder (it would
-- otherwise be read by its extension, the flag ignored); with another
-- format, a folder (read as a label folder, the flag ignored: each file
-- under DIR/LABEL/, JSONL and all, was one document labelled LABEL).
function M.check_labelled_operands(operands, input)
  if input == nil or input == "auto" then return end
  local lfs = require "lfs"
  for _, p in ipairs(operands) do
    local mode = p ~= "-" and lfs.attributes(p, "mode")
    if input == "folder" then
      if p == "-" then util.usage_error("--input folder needs folders, not stdin") end
      if mode and mode ~= "directory" then util.usage_error("--input folder needs folders: %s is a %s", p, mode) end
    elseif mode == "directory" then
      util.usage_error("--input %s reads files, not folders: %s is a folder (a folder is a label folder, " ..
                       "DIR/LABEL/FILE; name the %s files instead)", input, p, input)
    end
  end
end

--- Raise a usage error when the labelled sources read one file twice (by
-- any spelling or hard link, stdin redirected from it too; in a label
-- folder, under the same label): its documents would count twice, in the
-- training data or the figures, and a document and its copy in different
-- cross-validation folds would make the figures too good.
function M.check_repeated_sources(list)
  local lfs = require "lfs"
  local seen = {}
  for _, src in ipairs(list) do
    local a = src
    if src.stdin then
      a = not util.stdin_closed() and lfs.attributes("/dev/stdin")
      if a and a.mode ~= "file" then a = nil end
    end
    if a and a.ino and not src.error then
      local key = a.dev .. ":" .. a.ino .. ":" .. (src.label or "")
      local first = seen[key]
      if first then
        util.usage_error("the DATA reads one file twice (%s and %s): its documents would count twice",
                         first.stdin and "stdin (-)" or first.path, src.stdin and "stdin (-)" or src.path)
      end
      seen[key] = src
    end
  end
end

-- labelled.read, each document told its DATA operand (the folder a
-- label folder's file was found in, else the path).
local function read_labelled(src, fmt, opts, emit, counter)
  local operand = src.folder or src.path
  labelled.read(src, fmt, opts, function(doc)
    doc.operand = operand
    return emit(doc)
  end, counter)
end

--- An iterator over labelled documents: { id, where = "file:line", text,
-- labels = { ... }, error, unread (labelled.read), operand = the DATA
-- operand it came from }. Blank lines are skipped (they hold no record).
function M.labelled(list, opts, counter)
  return iterate(list, opts, counter, read_labelled, function(src, fmt)
    if src.folder then return "folder" end
    if fmt ~= nil and fmt ~= "auto" and fmt ~= "folder" then return fmt end
    return src.stdin and "jsonl" or (EXT_LABELLED[records.extension(src.path)] or "fasttext")
  end)
end

return M
