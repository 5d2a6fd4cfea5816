-- textclass.cli.writers - one output record per document, as TSV, JSONL or CSV.
--
-- Every format carries the same information, in this order:
--   id      the document's id (JSONL "id" field, CSV id column, or FILE[:LINE])
--   label   the chosen label (empty / null when the document failed)
--   labels  every chosen label, best first (comma-joined in TSV and CSV)
--   scores  label:score pairs, best first (JSONL: an object in that order)
--   error   why the document could not be labelled (empty / absent when fine),
--           after its place (FILE:LINE: ...) when the id is the record's own
-- JSONL records also carry the input record's other fields (sorted by name;
-- a field whose name clashes with ours is renamed "input_<name>", or
-- "input_input_<name>" when the input has an "input_<name>" too, and so on).
-- CSV records carry a CSV input's columns, text columns too, in its order,
-- between the id and the label (renamed as JSONL's fields are). A CSV
-- header is written once, before the first record, so the columns are the
-- first input's (none when it is not a CSV file, or fails before its
-- header); a later CSV file's are matched to them by name, its others left
-- out with a warning; a record of an input without columns has them empty.
--
-- TSV escapes backslash, tab, CR, LF and NUL in fields as \\, \t, \r, \n, \0, so each
-- record is exactly one line. CSV follows RFC 4180 (CRLF, quotes doubled).

local csv = require "textclass.cli.csv"
local records = require "textclass.cli.records"
local util = require "textclass.cli.util"

local M = {}

M.FORMATS = { "tsv", "jsonl", "csv" }
--- Does `format` carry the input records' other fields (JSONL only)?
function M.shows_fields(format) return format == "jsonl" end
--- Does `format` carry a CSV input's columns (CSV only)?
function M.carries_columns(format) return format == "csv" end

local OURS = { id = true, label = true, labels = true, scores = true, error = true }

-- Speed matters here: label writes one record per document, so the
-- per-record work avoids building tables and format strings it can reuse.

-- TSV's escapes (tc.format_field, in C: string.find's pattern, tried at
-- every byte, cost 3k instructions for an id of a dozen bytes). The module
-- is required on first use, as for format_scores below.
local format_field
local function tsv_escape(s)
  format_field = format_field or require("textclass").format_field
  return format_field(tostring(s), "tsv")
end

-- JSON string literal (util.json: bytes that are not UTF-8, which an id
-- read from a JSONL line may hold, become U+FFFD).
local function jstr(s)
  local out = util.json(tostring(s))
  return out or '"?"'
end

-- Label and field names in their output form: names[s] is quote(s),
-- computed once per string, for names recur in every record. The memo
-- stops growing at MAX_NAMES (input field names are not bounded); other
-- values are not kept (1 and 1.0 share a key). A table rather than a
-- function, so tc.format_scores can read it from C.
local MAX_NAMES = 4096
local function memo(quote)
  local n = 0
  return setmetatable({}, { __index = function(t, s)
    local q = quote(s)
    if type(s) == "string" and n < MAX_NAMES then rawset(t, s, q); n = n + 1 end
    return q
  end })
end
local json_names = memo(jstr)
local tsv_names = memo(tsv_escape)

-- Labels joined with "," (TSV: escaped; escaping each name is escaping the
-- joined text, as "," needs none).
local function label_list(labels, quoted)
  local n = #labels
  if n == 1 then return quoted[labels[1]] end
  local parts = {}
  for i = 1, n do parts[i] = quoted[labels[i]] end
  return table.concat(parts, ",")
end

-- "label:score" pairs, best first, joined with ","; names are the ranked
-- labels, scores maps each to its score, quoted (may be nil) gives a
-- label's output form. Scores as "%.4f", NaN as "nan" (util.fmt_score's
-- spelling), formatted in C: with 20 labels, string.format's "%.4f" cost
-- as much as the rest of a record.
local format_scores
local function score_list(names, scores, quoted)
  format_scores = format_scores or require("textclass").format_scores
  return format_scores(names, scores, quoted)
end

--- A result's scores as a JSON object, as label's JSONL records give
-- them (eval --errors writes its records' so): `names`, the labels to
-- print, best first, each score as "%.4f".
function M.json_scores(names, scores)
  return "{" .. score_list(names, scores, json_names) .. "}"
end

-- A name of ours taken by an input field or column: "input_<name>",
-- prefixed again while the input has that name too (`taken`: its names).
local function renamed(name, taken)
  if not OURS[name] then return name end
  repeat name = "input_" .. name until not taken[name]
  return name
end

-- One JSONL record, appended to buf after buf[n] in a few pieces (the
-- id, each field, the rest), each made by one `..`, which copies its
-- operands once; returns the new count. The writer concatenates its
-- buffer at each flush: a table and a table.concat of the record's own
-- cost 8.8k instructions more per record, one buffer entry per operand
-- 2.5k more (news4, 3,000 records of 3 fields).
local function json_record(buf, n, doc, res, names)
  buf[n + 1] = '{"id":' .. jstr(doc.id)
  n = n + 1
  local fields = doc.fields
  if fields then -- name = JSON text, as read (inputs.documents)
    for _, k in ipairs(util.sorted_keys(fields)) do
      local name = renamed(tostring(k), fields)
      buf[n + 1] = "," .. json_names[name] .. ":" .. util.utf8_safe(fields[k])
      n = n + 1
    end
  end
  local err = doc.error and ',"error":' .. jstr(records.error_text(doc)) or ""
  if res then
    buf[n + 1] = ',"label":' .. json_names[res.label] .. ',"labels":[' .. label_list(res.labels, json_names) ..
      '],"scores":' .. M.json_scores(names, res.scores) .. err .. "}\n"
  else
    buf[n + 1] = ',"label":null' .. err .. "}\n"
  end
  return n + 1
end

local NO_NAMES = {}

-- The columns a CSV output carries, from the first input's header
-- (`columns`, unlabelled.read's; nil: none): each one's name in the
-- input and in the output (all but the id column, in the file's order).
local function carried_layout(columns)
  local layout = { names = {}, out_names = {} }
  if not columns then return layout end
  local taken = {}
  for i, name in ipairs(columns.names) do
    if i ~= columns.id then taken[name] = true end
  end
  for i, name in ipairs(columns.names) do
    if i ~= columns.id then
      local n = #layout.names + 1
      layout.names[n], layout.out_names[n] = name, renamed(name, taken)
    end
  end
  return layout
end

-- Where a CSV file's columns (`columns`) go among the carried ones:
-- at[i] is the carried column of the file's ith (the one of the same
-- name; the kth of a name repeated, the kth), or false (its id column,
-- or one the output has not). The first file's go to their own places.
-- Returns at and the names of the columns left out.
local function positions(layout, columns)
  local carried = {} -- name -> its carried columns, in order
  for n, name in ipairs(layout.names) do
    carried[name] = carried[name] or {}
    table.insert(carried[name], n)
  end
  local at, seen, left_out = {}, {}, {}
  for i, name in ipairs(columns.names) do
    at[i] = false
    if i ~= columns.id then
      seen[name] = (seen[name] or 0) + 1
      at[i] = carried[name] and carried[name][seen[name]] or false
      if not at[i] then left_out[#left_out + 1] = "'" .. name .. "'" end
    end
  end
  return at, left_out
end

--- A writer for `format` on file handle `out`. opts.header asks for a
-- header line (CSV: default on; TSV: default off). Records are gathered
-- and written with one call at each flush.
--
-- CSV output carries a CSV input's columns (M.carries_columns): when
-- opts.first_is_csv (the first input is read as CSV), the header waits for
-- its columns (w:columns) or its first record (w:fit: it failed before its
-- header); else it has none and is written at once. opts.first names the
-- first input in the warnings.
function M.new(format, out, opts)
  opts = opts or {}
  local w = { out = out }
  local buf, nbuf = {}, 0
  local header = opts.header
  if header == nil then header = (format == "csv") end
  local carry = M.carries_columns(format)
  local layout      -- the carried columns, once fixed (carried_layout)
  local places = {} -- a CSV file's columns -> where they go (positions)
  local no_cells    -- the cells of a record without columns

  -- Fix the carried columns (those of `columns`, or none) and write the
  -- header line.
  local function fix_layout(columns)
    layout = carried_layout(columns)
    if columns then places[columns] = positions(layout, columns) end
    no_cells = { n = #layout.names }
    if not header then return end
    if format == "csv" then
      util.write_to(out, csv.format(util.concat({ "id" }, layout.out_names, { "label", "labels", "scores", "error" })))
    elseif format == "tsv" then util.write_to(out, "id\tlabel\tlabels\tscores\terror\n") end
  end

  --- A CSV file's header (unlabelled.read's columns), read before its
  -- records: the first input's fixes the carried columns; a later file's
  -- are matched to them, and those left out named in a warning.
  function w:columns(columns)
    if not layout then fix_layout(columns); return end
    local at, left_out = positions(layout, columns)
    places[columns] = at
    if #left_out == 0 then return end
    local first = "(" .. opts.first .. (#layout.names > 0 and "'s)" or " has none)")
    util.note("%s: column%s %s left out: a CSV output's header is written once, with the first input's " ..
              "columns %s; label %s on its own to keep them", columns.path, #left_out == 1 and "" or "s",
              util.name_list(left_out, 8), first, columns.path)
  end

  --- Give doc its carried cells from its row: doc.cells holds the
  -- carried columns' values in their order up to the last the row fills,
  -- and cells.n counts them all (the rest are empty), so a short record
  -- under a header of many columns costs its own length, not the header's
  -- (a 100,000-column header over 1,000 one-field lines: 48 s and 865 MB
  -- with every cell stored). A record without columns (not from a CSV
  -- file, or a file-wide error) has none filled.
  function w:fit(doc)
    if not carry then return end
    if not layout then fix_layout(nil) end
    local at = doc.columns and places[doc.columns]
    if not at then doc.cells = no_cells; return end
    local row, cells, last = doc.row, { n = #layout.names }, 0
    for i = 1, math.min(#row, #at) do
      local p = at[i]
      if p then
        cells[p] = row[i]
        if p > last then last = p end
      end
    end
    for p = 1, last do cells[p] = cells[p] or "" end
    doc.cells, doc.row = cells, nil
  end

  --- Queue one record: `res` is the prediction ({ label, labels, scores })
  -- or nil when doc.error says why there is none; `names` holds the
  -- labels whose scores are printed, best first.
  function w:write(doc, res, names)
    names = names or NO_NAMES
    local rec
    if format == "jsonl" then
      nbuf = json_record(buf, nbuf, doc, res, names)
      return
    elseif format == "csv" then
      -- (csv.format's record, without its two tables and concatenations)
      local quote = csv.quote
      local id = quote(doc.id)
      local cells = doc.cells
      if cells then
        local quoted = { id }
        for i = 1, #cells do quoted[i + 1] = quote(cells[i]) end
        id = table.concat(quoted, ",") .. string.rep(",", (cells.n or #cells) - #cells)
      end
      if res then
        rec = id .. "," .. quote(res.label) .. "," .. quote(table.concat(res.labels, ",")) .. "," ..
          quote(score_list(names, res.scores)) .. "," .. quote(doc.error and records.error_text(doc) or "") .. "\r\n"
      else
        rec = id .. ",,,," .. quote(doc.error and records.error_text(doc) or "") .. "\r\n"
      end
    else
      -- (scores need no escaping, so escaping the names escapes the list;
      -- one `..`: one buffer entry per operand cost 2.8k instructions more)
      if res then
        rec = tsv_escape(doc.id) .. "\t" .. tsv_names[res.label] .. "\t" .. label_list(res.labels, tsv_names) ..
          "\t" .. score_list(names, res.scores, tsv_names) .. "\t" ..
          (doc.error and tsv_escape(records.error_text(doc)) or "") .. "\n"
      else
        rec = tsv_escape(doc.id) .. "\t\t\t\t" .. (doc.error and tsv_escape(records.error_text(doc)) or "") .. "\n"
      end
    end
    nbuf = nbuf + 1
    buf[nbuf] = rec
  end

  --- Queue records made whole elsewhere (model:label_records).
  function w:write_records(text)
    nbuf = nbuf + 1
    buf[nbuf] = text
  end

  --- Write the queued records and flush; a failed write (disk full,
  -- closed pipe) is a failure of the whole run, not of one document
  -- (util.write_failed).
  function w:flush()
    if nbuf > 0 then
      local text = table.concat(buf, "", 1, nbuf)
      buf, nbuf = {}, 0
      util.write_to(self.out, text)
    end
    util.flush(self.out)
  end

  if not (carry and opts.first_is_csv) then fix_layout(nil) end
  return w
end

return M
