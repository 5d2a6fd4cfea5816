-- textclass.cli.writers - one output record per document, as TSV, JSONL or CSV.
--
-- Every format carries the same information, in this order:
--   id      the document's id (JSONL "id" field, CSV id column, or FILE[:LINE])
--   label   the chosen label (empty / null when the document failed)
--   labels  every chosen label, best first (comma-joined in TSV and CSV)
--   scores  label:score pairs, best first (JSONL: an object in that order)
--   error   why the document could not be labelled (empty / absent when fine)
-- JSONL records also carry the input record's other fields (sorted by name;
-- a field whose name clashes with ours is renamed "input_<name>").
--
-- TSV escapes backslash, tab, CR and LF in fields as \\, \t, \r, \n, so each
-- record is exactly one line. CSV follows RFC 4180 (CRLF, quotes doubled).

local csv = require "textclass.cli.csv"
local util = require "textclass.cli.util"

local M = {}

M.FORMATS = { "tsv", "jsonl", "csv" }
local OURS = { id = true, label = true, labels = true, scores = true, error = true }

local function tsv_escape(s)
  return (tostring(s):gsub("[\\\t\r\n]", { ["\\"] = "\\\\", ["\t"] = "\\t", ["\r"] = "\\r", ["\n"] = "\\n" }))
end

local function score_list(ranked)
  local parts = {}
  for i, r in ipairs(ranked) do parts[i] = r[1] .. ":" .. util.fmt_score(r[2]) end
  return table.concat(parts, ",")
end

-- JSON string literal (cjson escapes and validates; a value it refuses,
-- such as invalid UTF-8 in an id, is passed through its own escaping).
local function jstr(s)
  local out = util.json(tostring(s))
  return out or '"?"'
end

local function json_record(doc, res, ranked)
  local parts = { '"id":' .. jstr(doc.id) }
  if doc.fields then
    for _, k in ipairs(util.sorted_keys(doc.fields)) do
      local name = tostring(k)
      if OURS[name] then name = "input_" .. name end
      local v = util.json(doc.fields[k])
      if v then parts[#parts + 1] = jstr(name) .. ":" .. v end
    end
  end
  if res then
    parts[#parts + 1] = '"label":' .. jstr(res.label)
    local ls = {}
    for i, l in ipairs(res.labels) do ls[i] = jstr(l) end
    parts[#parts + 1] = '"labels":[' .. table.concat(ls, ",") .. "]"
    local sc = {}
    for i, r in ipairs(ranked) do sc[i] = jstr(r[1]) .. ":" .. util.fmt_score(r[2]) end
    parts[#parts + 1] = '"scores":{' .. table.concat(sc, ",") .. "}"
  else
    parts[#parts + 1] = '"label":null'
  end
  if doc.error then parts[#parts + 1] = '"error":' .. jstr(doc.error) end
  return "{" .. table.concat(parts, ",") .. "}\n"
end

--- A writer for `format` on file handle `out`. opts.header asks for a
-- header line (CSV: default on; TSV: default off).
function M.new(format, out, opts)
  opts = opts or {}
  local w = { out = out, format = format, n = 0 }
  local header = opts.header
  if header == nil then header = (format == "csv") end

  --- Write one record: `res` is the prediction ({ label, labels }) or nil
  -- when doc.error says why there is none; `ranked` holds { label, score }
  -- pairs best first.
  function w:write(doc, res, ranked)
    self.n = self.n + 1
    ranked = ranked or {}
    if format == "jsonl" then
      util.write_to(self.out, json_record(doc, res, ranked))
    elseif format == "csv" then
      util.write_to(self.out, csv.format({ doc.id, res and res.label or "",
        res and table.concat(res.labels, ",") or "", score_list(ranked), doc.error or "" }))
    else
      util.write_to(self.out, tsv_escape(doc.id), "\t", res and tsv_escape(res.label) or "", "\t",
        res and tsv_escape(table.concat(res.labels, ",")) or "", "\t",
        tsv_escape(score_list(ranked)), "\t", doc.error and tsv_escape(doc.error) or "", "\n")
    end
  end

  --- Flush; a failed write (disk full, closed pipe) is a failure of the
  -- whole run, not of one document (util.write_failed).
  function w:flush() util.flush(self.out) end

  if header then
    if format == "csv" then util.write_to(out, csv.format({ "id", "label", "labels", "scores", "error" }))
    elseif format == "tsv" then util.write_to(out, "id\tlabel\tlabels\tscores\terror\n") end
  end
  return w
end

return M
