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
--- Does `format` carry the input records' other fields (JSONL only)?
function M.shows_fields(format) return format == "jsonl" end

local OURS = { id = true, label = true, labels = true, scores = true, error = true }

-- Speed matters here: label writes one record per document, so the
-- per-record work avoids building tables and format strings it can reuse.

local TSV_ESCAPES = { ["\\"] = "\\\\", ["\t"] = "\\t", ["\r"] = "\\r", ["\n"] = "\\n" }
local function tsv_escape(s)
  s = tostring(s)
  if not s:find("[\\\t\r\n]") then return s end
  return (s:gsub("[\\\t\r\n]", TSV_ESCAPES))
end

-- "label:score" pairs, best first, joined with ","; names are the ranked
-- labels, scores maps each to its score. `quote` (may be nil) turns a
-- label into its output form.
local SCORE = "%s:%.4f"
local pair_formats = setmetatable({}, { __index = function(t, n)
  local f = string.rep(SCORE, n, ",")
  t[n] = f
  return f
end })
local scratch = {}   -- the arguments of one string.format call, reused
local MAX_ONE_CALL = 64
local function score_list(names, scores, quote)
  local n = #names
  if n == 0 then return "" end
  if n <= MAX_ONE_CALL then
    -- one string.format for the whole list, unless a score is NaN (which
    -- util.fmt_score spells "nan", whatever its sign bit)
    local k = 0
    for i = 1, n do
      local name, x = names[i], scores[names[i]]
      if x ~= x then k = -1; break end
      scratch[k + 1] = quote and quote(name) or name
      scratch[k + 2] = x
      k = k + 2
    end
    if k > 0 then return string.format(pair_formats[n], table.unpack(scratch, 1, k)) end
  end
  local parts = {}
  for i = 1, n do
    local name = names[i]
    parts[i] = (quote and quote(name) or name) .. ":" .. util.fmt_score(scores[name])
  end
  return table.concat(parts, ",")
end

-- JSON string literal (cjson escapes and validates; a value it refuses,
-- such as invalid UTF-8 in an id, is passed through its own escaping).
local function jstr(s)
  local out = util.json(tostring(s))
  return out or '"?"'
end

-- `quote` memoised for strings, for label and field names, which recur in
-- every record; a cache stops growing at MAX_NAMES (input field names are
-- not bounded). Other values are not cached: 1 and 1.0 share a key.
local MAX_NAMES = 4096
local function memoised(quote)
  local cache, n = {}, 0
  return function(s)
    if type(s) ~= "string" then return quote(s) end
    local q = cache[s]
    if q then return q end
    q = quote(s)
    if n < MAX_NAMES then cache[s] = q; n = n + 1 end
    return q
  end
end
local jname = memoised(jstr)
local tsv_name = memoised(tsv_escape)

-- Labels joined with "," (TSV: escaped; escaping each name is escaping the
-- joined text, as "," needs none).
local function label_list(labels, quote)
  if not quote then return table.concat(labels, ",") end
  local n = #labels
  if n == 1 then return quote(labels[1]) end
  local parts = {}
  for i = 1, n do parts[i] = quote(labels[i]) end
  return table.concat(parts, ",")
end

local function json_record(doc, res, names)
  local parts = { '"id":' .. jstr(doc.id) }
  if doc.fields then
    for _, k in ipairs(util.sorted_keys(doc.fields)) do
      local name = tostring(k)
      if OURS[name] then name = "input_" .. name end
      local v = util.json(doc.fields[k])
      if v then parts[#parts + 1] = jname(name) .. ":" .. v end
    end
  end
  if res then
    parts[#parts + 1] = '"label":' .. jname(res.label)
    parts[#parts + 1] = '"labels":[' .. label_list(res.labels, jname) .. "]"
    parts[#parts + 1] = '"scores":{' .. score_list(names, res.scores, jname) .. "}"
  else
    parts[#parts + 1] = '"label":null'
  end
  if doc.error then parts[#parts + 1] = '"error":' .. jstr(doc.error) end
  return "{" .. table.concat(parts, ",") .. "}\n"
end

local NO_NAMES = {}

--- A writer for `format` on file handle `out`. opts.header asks for a
-- header line (CSV: default on; TSV: default off). Records are gathered
-- and written with one call at each flush.
function M.new(format, out, opts)
  opts = opts or {}
  local w = { out = out, format = format, n = 0 }
  local buf, nbuf = {}, 0
  local header = opts.header
  if header == nil then header = (format == "csv") end

  --- Queue one record: `res` is the prediction ({ label, labels, scores })
  -- or nil when doc.error says why there is none; `names` holds the
  -- labels whose scores are printed, best first.
  function w:write(doc, res, names)
    self.n = self.n + 1
    names = names or NO_NAMES
    local rec
    if format == "jsonl" then
      rec = json_record(doc, res, names)
    elseif format == "csv" then
      rec = csv.format({ doc.id, res and res.label or "",
        res and table.concat(res.labels, ",") or "", res and score_list(names, res.scores) or "",
        doc.error or "" })
    else
      -- (scores need no escaping, so escaping the names escapes the list)
      if res then
        rec = tsv_escape(doc.id) .. "\t" .. tsv_name(res.label) .. "\t" .. label_list(res.labels, tsv_name) ..
          "\t" .. score_list(names, res.scores, tsv_name) .. "\t" ..
          (doc.error and tsv_escape(doc.error) or "") .. "\n"
      else
        rec = tsv_escape(doc.id) .. "\t\t\t\t" .. (doc.error and tsv_escape(doc.error) or "") .. "\n"
      end
    end
    nbuf = nbuf + 1
    buf[nbuf] = rec
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
