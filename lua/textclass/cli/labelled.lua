-- textclass.cli.labelled - the labelled documents `train` and `eval` read
-- from one source, in each of their formats (folder, jsonl, fasttext, csv).
--
-- A document is { id, where = "file:line", text, labels = { ... }, error },
-- and unread = true for an input that could not be read (opened).
-- Blank lines are skipped (they hold no record).

local tc = require "textclass"
local records = require "textclass.cli.records"
local stream = require "textclass.cli.stream"
local util = require "textclass.cli.util"

local M = {}

--- Read JSONL a block at a time with tc.jsonl_documents where it can (off
-- only for tests/lua/jsonl_documents_spec.lua, which holds it to the
-- line-at-a-time path).
M.fast_jsonl = true

local where, take_text = records.where, records.take_text

-- What a JSON label may be, for the messages that refuse another value.
local JSON_LABELS = "a label is a string or an integer, or an array of them"

-- The label of a JSON number: an integer, as its decimal digits, as an
-- id's are read ({"label": 0}, as HuggingFace datasets export a class: the
-- label "0", as a CSV cell 0 is). lua-cjson reads a number as a double,
-- its value: 1.0 and 1e3 are the integers 1 and 1000 (as JSON Schema
-- counts them); one with a fraction (1.5), or of magnitude 2^53 or more,
-- whose digits a double does not keep, is refused: nil and the problem.
local function integer_label(v)
  if math.abs(v) >= 2^53 then
    return nil, "a number of magnitude 2^53 or more is not read exactly (write the label as a string)"
  end
  if v % 1 ~= 0 then return nil, util.json_number(v) .. " is not an integer (" .. JSON_LABELS .. ")" end
  return string.format("%d", v)
end

-- A label value from JSON: a string, an integer (integer_label), or an
-- array of them; nil and the problem for another. Each string is trimmed
-- of white space, as CSV's labels are ("sport " is "sport", and "  " is
-- empty, which labels_problem refuses; each was a label of its own,
-- printed as the other or as nothing).
local function json_label(v)
  if type(v) == "number" then return integer_label(v) end
  if type(v) ~= "string" then
    local what = v == util.json_null and "null" or type(v) == "boolean" and tostring(v) or "an object or array"
    return nil, what .. " is not a label (" .. JSON_LABELS .. ")"
  end
  return util.trim(v)
end

-- The labels of a JSON label field: its value's (json_label), or those of
-- the array it holds; nil and the first problem.
local function json_labels(v)
  -- (an object is a table without an array part: no label)
  if type(v) ~= "table" or (next(v) ~= nil and #v == 0) then
    local label, problem = json_label(v)
    return label and { label }, problem
  end
  local out = {}
  for i = 1, #v do
    local label, problem = json_label(v[i])
    if not label then return nil, problem end
    out[i] = label
  end
  return out
end

-- The labels of a CSV cell: comma-separated, each trimmed of white space
-- ("sport, politics"); none for an empty cell (a document without a label:
-- multi-label training, eval). Or nil and the problem: an empty label
-- beside others ("sport,,politics", "sport,") or a cell of white space
-- only, as an empty label is in JSONL (["sport", ""], "  "), where it was
-- dropped without a word. The message shows a cell of several labels
-- (not one in invalid UTF-8, which no terminal could show).
local function csv_labels(cell)
  if cell == "" then return {} end
  local labels = {}
  for item in (cell .. ","):gmatch("([^,]*),") do
    local label = util.trim(item)
    if label == "" then
      local show = cell:find(",", 1, true) and tc.check_utf8(cell)
      return nil, show and "a label is empty in '" .. util.escape_controls(cell) .. "'" or "a label is empty"
    end
    labels[#labels + 1] = label
  end
  return labels
end

-- A label as a message names it: "label 'sport'", its name shown, or "a
-- label" for one that shows nothing (empty) or that no terminal could
-- show (invalid UTF-8).
local function label_named(l)
  return (l ~= "" and tc.check_utf8(l)) and "label '" .. util.escape_controls(l) .. "'" or "a label"
end

-- Why a document's labels cannot be used, or nil: one that cannot be a
-- label name (tc.label_name_problem: an empty one, fastText's `__label__`
-- alone; a NUL byte, invalid UTF-8, a control character, a comma), a
-- label given twice, or one that holds the U+FFFD read for invalid UTF-16
-- (`invalid`: the record's, from stream.lines). --replace-invalid accepts
-- such text, never such a label.
local function labels_problem(labels, invalid)
  local seen = {}
  for _, l in ipairs(labels) do
    local problem = tc.label_name_problem(l)
    if problem then return label_named(l) .. " " .. problem end
    if invalid and l:find("\239\191\189", 1, true) then return "a label is not valid UTF-16" end
    if seen[l] then return "label '" .. l .. "' given twice" end
    seen[l] = true
  end
  return nil
end

--- Why a document's labels do not suit a multi-class model (which needs
-- exactly one label a document), or nil; `flag` names the option that
-- would allow several ("--multilabel" for train).
function M.label_count_problem(labels, flag)
  if #labels == 1 then return nil end
  return string.format("%d labels; without %s each document needs exactly one", #labels, flag)
end

-- The one document of a folder's file (src): its label is its
-- sub-folder, checked as the other formats' labels are (a comma, invalid
-- UTF-8).
local function read_folder_file(src, opts, emit, counter)
  local problem = labels_problem({ src.label })
  if problem then emit({ id = src.path, where = src.path, error = problem }); return end
  local f, head = stream.open(src, opts.encoding)
  if not f then emit({ id = src.path, where = src.path, error = head, unread = true }); return end
  emit(records.read_whole({ id = src.path, where = src.path, labels = { src.label } }, src, f, head, opts, counter))
end

-- Why the JSONL text fields `names` cannot be read, or nil: one that is
-- the label field would train on (and score) the answer, every record
-- right, the model worthless.
local function text_field_problem(names, opts)
  for _, name in ipairs(names) do
    if name == opts.label_field or (not opts.label_field and (name == "label" or name == "labels")) then
      return string.format("the text field '%s' is also the label field (--text-field, --label-field)", name)
    end
  end
  return nil
end

-- The name and value of a JSON object's label field: --label-field's,
-- else "label" when it has one, else "labels".
local function label_field(obj, opts)
  if opts.label_field then return opts.label_field, obj[opts.label_field] end
  if obj.label ~= nil then return "label", obj.label end
  return "labels", obj.labels
end

-- What a record lacks (doc.missing), for the closing line of train and
-- eval: `what` ("no 'label' field"), the options that name the fields or
-- columns (`kind`) of `roles` ("text", "label") in `fix`, and the record's
-- fields as records.missing_field_hint lists them (nil when not known).
local HOLDING = { text = "the text", label = "the labels" }
local function missing(what, kind, roles, fields)
  local flags, holding = {}, {}
  for i, role in ipairs(roles) do
    flags[i] = "--" .. role .. "-" .. kind .. " NAME"
    holding[i] = HOLDING[role]
  end
  local fix = table.concat(flags, " and ") ..
    (#roles == 1 and " names the " .. kind or " name the " .. kind .. "s") .. " holding " .. table.concat(holding, " and ")
  return { what = what, fix = fix, fields = fields }
end

--- A count of the bad records that lack the same field or column
-- (doc.missing): add(doc) for each bad record; then note(n_bad, n_read)
-- says, when more than half of the n_read records lack one, which and the
-- option that names it: "all with no 'label' field; --label-field NAME
-- names the field holding the labels (the first one's fields: 'category',
-- 'text')"; else nil. Train's and eval's closing line says it in place of
-- --skip-bad, which would leave no record, or few.
function M.missing_tally()
  local count, first, tally = {}, {}, {}
  function tally.add(doc)
    local m = doc.missing
    if m then
      local key = m.what .. "\0" .. m.fix
      if not count[key] then count[key], first[key] = 0, m end
      count[key] = count[key] + 1
    end
  end
  function tally.note(n_bad, n_read)
    for key, n in pairs(count) do   -- (only one can be more than half)
      if n > n_read / 2 then
        local m = first[key]
        return string.format("%swith %s; %s%s", n < n_bad and n .. " " or n > 1 and "all " or "", m.what, m.fix,
                             m.fields and " (the first one's fields: " .. m.fields .. ")" or "")
      end
    end
    return nil
  end
  return tally
end

-- The error of a JSON object without its label field (lname), with a hint
-- of the fields it has; and what it lacks (doc.missing).
local function no_label_field(obj, opts, lname)
  local what = opts.label_field and ("no '" .. lname .. "' field") or "no 'label' or 'labels' field"
  local hint, fields =
    records.missing_field_hint(obj, nil, opts.label_field and { lname } or { "label", "labels" }, "--label-field")
  return what .. hint, missing(what, "field", { "label" }, fields)
end

-- The document of JSONL line n of src (nil for a blank line, which holds
-- none): its text from the fields `names` (their values gathered in
-- `values`), its labels from the label field. A text over --max-bytes is
-- measured, not decoded (records.measured_object), and refused.
local function jsonl_document(line, n, too_long, invalid, src, opts, names, values)
  local doc = { id = where(src, n), where = where(src, n) }
  if too_long then
    doc.error = too_long
    return doc
  end
  if not line:find("%S") then return nil end
  local obj, jerr = records.measured_object(line, names, opts.id_field or "id", opts)
  if not obj then obj, jerr = records.json_object(line) end
  if not obj then
    doc.error = jerr
    return doc
  end
  doc.id = records.id_or_place(records.id_value(obj[opts.id_field or "id"], line, opts.id_field or "id"), doc.id)
  local lname, lv = label_field(obj, opts)
  for i, name in ipairs(names) do values[i] = obj[name] end
  local text, problem, is_page = records.join_fields(names, values)
  if not text then
    doc.error = problem
    if problem:find("^no '") then
      local hint, fields = records.missing_field_hint(obj, nil, names, "--text-field")
      doc.error, doc.missing = problem .. hint, missing(problem, "field", { "text" }, fields)
    end
  elseif lv == nil then
    doc.error, doc.missing = no_label_field(obj, opts, lname)
  else
    local labels, lerr = json_labels(lv)
    if labels then lerr = labels_problem(labels, invalid) else lerr = "'" .. lname .. "': " .. lerr end
    if lerr then doc.error = lerr
    else
      doc.labels = labels
      take_text(doc, text, opts, nil, nil, invalid, is_page)
    end
  end
  return doc
end

-- The documents of a JSONL source, from its lines (next_line); or, when
-- its text fields cannot be read, nil for them and the source's error
-- document.
local function read_jsonl(src, next_line, opts, emit)
  local names, values = assert(records.text_names(opts.text_field or "text")), {}
  local problem = text_field_problem(names, opts)
  if problem then return { id = src.path, where = src.path, error = problem } end
  src.label_key = opts.label_field   -- (else "label" or "labels", record by record)
  -- A text in one field, a string id or none, one label in a string: the
  -- lines of a block are read by tc.jsonl_documents at once, and only
  -- those it leaves by jsonl_document (as textclass.cli.unlabelled does).
  local fast = M.fast_jsonl and #names == 1 and not opts.html and
    records.jsonl_options(src, opts, names[1], opts.id_field or "id",
                          { labelled = true, label_field = opts.label_field })
  records.jsonl_records(next_line, fast, function(line, n, too_long, invalid)
    return jsonl_document(line, n, too_long, invalid, src, opts, names, values)
  end, emit)
  return nil
end

-- The labels at the start of a fastText line (each "__label__NAME"), and
-- where the rest begins.
local function fasttext_labels(line)
  local labels, pos = {}, 1
  while true do
    local s, e, label = line:find("^%s*__label__(%S*)", pos)
    if not s then break end
    labels[#labels + 1] = label
    pos = e + 1
  end
  return labels, pos
end

-- Why a fastText line's labels (of the rest, `text`) cannot be used, or
-- nil. fastText is the format of any extension not known (.json, .txt):
-- a line without labels that is a JSON object is JSONL in a file named
-- otherwise (or read with --input fasttext, which the hint then names:
-- `input`, opts.input), and one whose labels follow a byte order mark was
-- joined after another file.
local function fasttext_problem(labels, text, invalid, input)
  local problem = #labels == 0 and "no __label__ at the start of the line" or labels_problem(labels, invalid)
  if #labels == 0 and text:find("^{") and records.json_object(text) then
    problem = string.format("%s (the line is a JSON object, read as fastText for %s: --input jsonl?)", problem,
                            input == "fasttext" and "--input fasttext" or "the file's extension")
  elseif #labels == 0 and text:find("^\239\187\191%s*__label__") then
    problem = problem .. ": " .. records.BOM_INSIDE
  end
  return problem
end

-- The document of fastText line n of src (not blank, its end of line
-- stripped).
local function fasttext_document(line, n, invalid, src, opts)
  local labels, pos = fasttext_labels(line)
  local doc = { id = where(src, n), where = where(src, n), labels = labels }
  local text = util.trim(line:sub(pos))
  local problem = fasttext_problem(labels, text, invalid, opts.input)
  if problem then doc.error = problem
  else
    take_text(doc, text, opts, nil, nil, invalid)
  end
  return doc
end

-- The documents of a fastText source, from its lines (next_line).
local function read_fasttext(src, next_line, opts, emit)
  local n = 0
  for line, too_long, invalid in next_line do
    n = n + 1
    line = records.strip_eol(line)
    if too_long then
      emit({ id = where(src, n), where = where(src, n), error = too_long })
    elseif line:find("%S") then
      emit(fasttext_document(line, n, invalid, src, opts))
    end
  end
end

-- The label column of a CSV header: --label-column's, else "label", else
-- "labels"; as records.csv_column gives it (nil, the problem and whether
-- the name is there twice when there is none).
local function label_column(header, opts)
  local col, problem, twice = records.csv_column(header, opts.label_column or "label", "--label-column")
  if not col and not twice and not opts.label_column then
    col, problem, twice = records.csv_column(header, "labels", "--label-column")
  end
  return col, problem, twice
end

-- Why a CSV header without the text columns (text.cols nil) or the label
-- column (label.col nil) cannot be read: the missing ones by name ("no
-- 'label' or 'labels' column in the header", the names label_column looks
-- for, as JSONL's "no 'label' or 'labels' field"; a column given by
-- number as csv_column says it), then read with the wrong separator?
-- else which columns there are, and the options that name the missing
-- ones; and, when they are missing by name, what it lacks (doc.missing),
-- the separator its fix when the header seems read with the wrong one.
local function missing_columns_problem(header, sep, opts, text, label)
  local flags, roles, names = {}, {}, {}
  if not text.cols then
    flags[#flags + 1], roles[#roles + 1] = "--text-column NAME", "text"
    names[#names + 1] = "'" .. (text.missing or table.concat(text.specs, ",")) .. "'"
  end
  if not label.col then
    flags[#flags + 1], roles[#roles + 1] = "--label-column NAME", "label"
    if opts.label_column then
      names[#names + 1] = "'" .. opts.label_column .. "'"
    else
      names[#names + 1], names[#names + 2] = "'label'", "'labels'"
    end
  end
  -- (a column given by number is named as such, as label's message does:
  -- "a '5' column" read as a column named 5)
  local numbered = (not text.cols and text.missing and text.missing:match("^%d+$") and text.problem) or
                   (not label.col and opts.label_column and opts.label_column:match("^%d+$") and label.problem)
  local last = table.remove(names)
  local what = "no " .. (#names > 0 and table.concat(names, ", ") .. " or " or "") .. last .. " column"
  local problem = (numbered or what .. " in the header") .. records.csv_hint(header, sep, false, table.concat(flags, ", "))
  if numbered then return problem, nil end
  local separator = records.separator_hint(header, sep)
  return problem, separator and { what = what, fix = separator } or missing(what, "column", roles)
end

-- Why a text column that is the label column cannot be: it would train
-- on (and score) the answer; or nil.
local function text_column_problem(header, text_cols, label_col)
  local problem
  for _, col in ipairs(text_cols) do
    if col == label_col then
      problem = string.format("column %d ('%s') is both a text column and the label column " ..
                              "(--text-column, --label-column)", col, header[col])
    end
  end
  return problem
end

-- The columns a labelled CSV source's records are read by, from its
-- header (fields separated by sep): { text =, text_names =, label =, id = }
-- (the id column is optional unless named); or nil, the problem and what
-- the header lacks (doc.missing, or nil).
local function csv_layout(header, sep, opts)
  local text, label = { specs = assert(records.text_names(opts.text_column or "text")) }, {}
  text.cols, text.problem, text.twice, text.missing = records.csv_columns(header, text.specs, "--text-column")
  label.col, label.problem, label.twice = label_column(header, opts)
  local id_col, id_problem, id_twice = records.csv_column(header, opts.id_column or "id", "--id-column")
  local problem = (opts.id_column or id_twice) and id_problem   -- the id column is optional unless named
  local lacks
  if text.twice or label.twice then
    problem = text.twice and text.problem or label.problem
  elseif not text.cols or not label.col then
    problem, lacks = missing_columns_problem(header, sep, opts, text, label)
  end
  problem = problem or text_column_problem(header, text.cols, label.col)
  if problem then return nil, problem, lacks end
  local _, text_names = records.column_names(header, text.cols)
  return { text = text.cols, text_names = text_names, label = label.col, id = id_col }
end

-- The document of a CSV record (not blank: fields, from line `first`,
-- `invalid` as stream.lines gives it) read by the columns of `layout`.
local function csv_document(fields, first, invalid, header, layout, src, opts)
  local doc = { where = where(src, first), error = records.csv_record_problem(fields, header) }
  doc.id = records.id_or_place(records.csv_record_id(fields, layout.id, doc.error), doc.where)
  if not doc.error then
    local labels, problem = csv_labels(fields[layout.label])
    if labels then
      problem = #labels == 0 and not opts.multilabel and "a label is empty" or labels_problem(labels, invalid)
    end
    if problem then doc.error = problem
    else
      doc.labels = labels
      records.take_columns(doc, fields, layout.text, layout.text_names, opts, invalid)
    end
  end
  return doc
end

-- The documents of a CSV source, from its lines (next_line); or, when its
-- header cannot be read, nil for them and the source's error document.
local function read_csv(src, next_line, opts, emit)
  local rows, header, header_line, sep = records.csv_table(src, next_line, records.line_limit(opts), opts)
  if not rows then   -- (then nil, the place and the problem)
    return { id = header, where = header, error = header_line }
  end
  local layout, problem, lacks = csv_layout(header, sep, opts)
  if not layout then
    return { id = where(src, header_line), where = where(src, header_line), error = problem, missing = lacks }
  end
  src.label_key = header[layout.label]
  while true do
    local fields, first, last, invalid = rows()
    if fields == nil then break end
    if fields == false then
      emit({ id = where(src, last), where = where(src, last), error = "CSV: " .. first })
      break
    end
    if #fields > 1 or fields[1] ~= "" then   -- a blank line holds no record
      emit(csv_document(fields, first, invalid, header, layout, src, opts))
    end
  end
  return nil
end

--- Produce the labelled documents of one source, read as format `fmt`,
-- with `emit(doc)`; `counter.bytes` grows by the bytes read. A source that
-- cannot be read (opened) is one record, with `unread` true. A CSV
-- source's label column by its name in the header, and JSONL's
-- --label-field, are noted in src.label_key (textclass.cli.sources).
function M.read(src, fmt, opts, emit, counter)
  if fmt == "folder" then
    read_folder_file(src, opts, emit, counter)
    return
  end
  local f, head = stream.open(src, opts.encoding)
  if not f then emit({ id = src.path, where = src.path, error = head, unread = true }); return end
  local binary = records.binary_head(head)
  if binary then
    stream.close(src, f)
    emit({ id = src.path, where = src.path, error = binary })
    return
  end
  local next_line = stream.lines(f, head, counter, src, records.line_limit(opts))
  -- (a reader that reads no document returns the source's error, said
  -- once the source is closed)
  local failed
  if fmt == "jsonl" then
    failed = read_jsonl(src, next_line, opts, emit)
  elseif fmt == "fasttext" then
    read_fasttext(src, next_line, opts, emit)
  elseif fmt == "csv" then
    failed = read_csv(src, next_line, opts, emit)
  end
  stream.close(src, f)
  if failed then emit(failed) end
end

return M
