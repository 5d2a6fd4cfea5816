-- textclass.cli.report - human-readable reports: evaluation figures,
-- cross-validation figures and model descriptions, as aligned tables.

local util = require "textclass.cli.util"
local tables = require "textclass.cli.tables"

local M = {}

local f4 = function(x) return util.fmt_score(x, 4) end

-- The per-label table: label, precision, recall, F1, support.
local function per_label_table(labels, per)
  local rows = { { "label", "precision", "recall", "f1", "support" } }
  for _, l in ipairs(labels) do
    local p = per[l]
    if p then
      rows[#rows + 1] = { l, f4(p.precision or 0), f4(p.recall or 0), f4(p.f1 or 0),
                          p.support and tostring(math.tointeger(p.support) or p.support) or "" }
    end
  end
  return tables.render(rows, { indent = "  " })
end

--- The evaluation report (see textclass.cli.metrics for the figures).
function M.evaluation(r, extra)
  local out = {}
  out[#out + 1] = string.format("documents  %d%s\n", r.documents,
    extra and extra.errors and extra.errors > 0 and string.format(" (%d more could not be read)", extra.errors) or "")
  out[#out + 1] = string.format("accuracy   %s\n", f4(r.accuracy))
  out[#out + 1] = string.format("macro F1   %s\n", f4(r.macro_f1))
  out[#out + 1] = string.format("micro F1   %s\n", f4(r.micro_f1))
  if extra and extra.multilabel then out[#out + 1] = string.format("exact match %s\n", f4(r.exact_match)) end
  out[#out + 1] = "\nper label:\n"
  out[#out + 1] = per_label_table(r.labels, r.per_label)
  out[#out + 1] = "\nconfusion matrix (rows: gold, columns: predicted):\n"
  local rows = { { "gold \\ predicted" } }
  for _, l in ipairs(r.labels) do rows[1][#rows[1] + 1] = l end
  for _, g in ipairs(r.labels) do
    local row = { g }
    for _, p in ipairs(r.labels) do row[#row + 1] = tostring(r.confusion[g][p] or 0) end
    rows[#rows + 1] = row
  end
  out[#out + 1] = tables.render(rows, { indent = "  " })
  return table.concat(out)
end

--- Cross-validation figures from a model's info table. The module stores
-- them either as a `cv` table shaped like tc.cross_validate's result or as
-- flat "cv_*" keys; both are shown.
function M.cv_figures(info, k)
  local out = { string.format("cross-validation (%d folds):\n", k) }
  local cv = type(info) == "table" and info.cv
  local found = false
  if type(cv) == "table" then
    for _, key in ipairs({ "accuracy", "macro_f1", "micro_f1" }) do
      if type(cv[key]) == "number" then
        out[#out + 1] = string.format("  %-10s %s\n", key, f4(cv[key])); found = true
      end
    end
    if type(cv.per_label) == "table" then
      out[#out + 1] = per_label_table(util.sorted_keys(cv.per_label), cv.per_label)
    end
    if type(cv.folds) == "table" and #cv.folds > 0 then
      local parts = {}
      for i, f in ipairs(cv.folds) do
        parts[i] = type(f) == "number" and f4(f) or type(f) == "table" and f4(f.macro_f1 or 0) or "?"
      end
      out[#out + 1] = "  fold macro F1: " .. table.concat(parts, " ") .. "\n"
    end
  end
  if type(info) == "table" then
    for _, key in ipairs(util.sorted_keys(info)) do
      if type(key) == "string" and key:match("^cv_") then
        out[#out + 1] = string.format("  %-14s %s\n", key,
          type(info[key]) == "number" and f4(info[key]) or tostring(info[key]))
        found = true
      end
    end
  end
  if not found then out[#out + 1] = "  (the model stores no figures)\n" end
  return table.concat(out)
end

local function scalar(v)
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    return string.format("%.6g", v)
  end
  if type(v) == "table" then
    local parts, all_scalar = {}, true
    for i, x in ipairs(v) do
      if type(x) == "table" then all_scalar = false; break end
      parts[i] = tostring(x)
    end
    if all_scalar and #parts > 0 then return table.concat(parts, ", ") end
    return nil
  end
  return tostring(v)
end

--- A model description: scalar keys as "key: value", nested tables
-- indented below their key.
function M.info(info, labels)
  local out = {}
  local keys = util.sorted_keys(info)
  local w = 8
  for _, k in ipairs(keys) do if #tostring(k) > w then w = #tostring(k) end end
  if labels and info.labels == nil then
    out[#out + 1] = string.format("%-" .. w .. "s  %s\n", "labels", table.concat(labels, ", "))
  end
  local nested = {}
  for _, k in ipairs(keys) do
    local s = scalar(info[k])
    if s then out[#out + 1] = string.format("%-" .. w .. "s  %s\n", tostring(k), s)
    else nested[#nested + 1] = k end
  end
  for _, k in ipairs(nested) do
    out[#out + 1] = tostring(k) .. ":\n"
    local v = info[k]
    for _, kk in ipairs(util.sorted_keys(v)) do
      local s = scalar(v[kk])
      if s == nil then
        local parts = {}
        for _, k3 in ipairs(util.sorted_keys(v[kk])) do
          parts[#parts + 1] = tostring(k3) .. "=" .. (scalar(v[kk][k3]) or "{...}")
        end
        s = table.concat(parts, " ")
      end
      out[#out + 1] = string.format("  %-12s %s\n", tostring(kk), s)
    end
  end
  return table.concat(out)
end

return M
