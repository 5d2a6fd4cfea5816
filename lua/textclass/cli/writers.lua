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
      local name = tostring(k)
      if OURS[name] then
        -- "input_<name>", prefixed again while an input field holds that name
        repeat name = "input_" .. name until fields[name] == nil
      end
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

--- A writer for `format` on file handle `out`. opts.header asks for a
-- header line (CSV: default on; TSV: default off). Records are gathered
-- and written with one call at each flush.
function M.new(format, out, opts)
  opts = opts or {}
  local w = { out = out }
  local buf, nbuf = {}, 0
  local header = opts.header
  if header == nil then header = (format == "csv") end

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
      if res then
        rec = quote(doc.id) .. "," .. quote(res.label) .. "," .. quote(table.concat(res.labels, ",")) .. "," ..
          quote(score_list(names, res.scores)) .. "," .. quote(doc.error and records.error_text(doc) or "") .. "\r\n"
      else
        rec = quote(doc.id) .. ",,,," .. quote(doc.error and records.error_text(doc) or "") .. "\r\n"
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

  if header then
    if format == "csv" then util.write_to(out, csv.format({ "id", "label", "labels", "scores", "error" }))
    elseif format == "tsv" then util.write_to(out, "id\tlabel\tlabels\tscores\terror\n") end
  end
  return w
end

return M
