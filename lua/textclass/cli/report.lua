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

-- The confusion matrix is printed when it has at most this many columns
-- (labels the classifier predicts): a wider one would not fit a screen,
-- and its cells grow as labels x columns (a model of 5,000 labels printed
-- 25 million, 170 MB). Past it, the report lists the MOST_CONFUSIONS
-- largest cells off the diagonal instead.
local MAX_MATRIX_COLUMNS = 20
local MOST_CONFUSIONS = 20

-- The matrix: a row per label, a column per predicted label.
local function confusion_matrix(r)
  local rows = { { "gold \\ predicted" } }
  for _, l in ipairs(r.predicted_labels) do rows[1][#rows[1] + 1] = l end
  for _, g in ipairs(r.labels) do
    local row = { g }
    for _, p in ipairs(r.predicted_labels) do row[#row + 1] = tostring(r.confusion[g][p]) end
    rows[#rows + 1] = row
  end
  return "\nconfusion matrix (rows: gold, columns: predicted):\n" .. tables.render(rows, { indent = "  " })
end

-- The cells of r.confusion off its diagonal, as { gold, predicted, count },
-- largest first, ties in the order of r.labels (gold, then predicted). The
-- rows hold only the cells that are not 0, so this costs their number.
local function confusions(r)
  local position, cells = {}, {}
  for i, l in ipairs(r.labels) do position[l] = i end
  for g, row in pairs(r.confusion) do
    for p, n in pairs(row) do
      if p ~= g then cells[#cells + 1] = { g, p, n } end
    end
  end
  table.sort(cells, function(a, b)
    if a[3] ~= b[3] then return a[3] > b[3] end
    if a[1] ~= b[1] then return position[a[1]] < position[b[1]] end
    return position[a[2]] < position[b[2]]
  end)
  return cells
end

-- The largest confusions, for a matrix too wide to print.
local function top_confusions(r)
  local cells = confusions(r)
  local out = { string.format("\nconfusion matrix: %d columns, too many to print (more than %d); " ..
                              "the largest cells off its diagonal:\n", #r.predicted_labels, MAX_MATRIX_COLUMNS) }
  if #cells == 0 then
    out[2] = "  none: every top prediction is the first gold label\n"
    return table.concat(out)
  end
  local rows = { { "gold", "predicted", "documents" } }
  for i = 1, math.min(#cells, MOST_CONFUSIONS) do
    local c = cells[i]
    rows[#rows + 1] = { c[1], c[2], tostring(c[3]) }
  end
  out[2] = tables.render(rows, { indent = "  ", left = { true, true } })
  if #cells > MOST_CONFUSIONS then
    out[3] = string.format("  (and %d more: --json gives every cell)\n", #cells - MOST_CONFUSIONS)
  end
  return table.concat(out)
end

-- The records of an evaluation that could not be read or scored
-- (extra.errors) and, apart from them, its inputs that could not be read
-- (extra.unread), as the report's count of documents ends: " (2 more could
-- not be read; 1 input could not be read)"; "" when there are none.
local function documents_left_out(extra)
  local errors, unread = extra and extra.errors or 0, extra and extra.unread or 0
  if errors == 0 and unread == 0 then return "" end
  return " (" .. util.failed_and_unread(errors, string.format("%d more could not be read", errors), unread) .. ")"
end

--- The evaluation report (the figures of tc.metrics' result); `extra`:
-- errors and unread (documents_left_out), multilabel.
function M.evaluation(r, extra)
  local out = {}
  -- the figures' names in one column: "exact match" (multi-label) is the
  -- longest name when there, else "documents"
  local multilabel = extra and extra.multilabel
  local function figure(name, value)
    out[#out + 1] = string.format("%-" .. (multilabel and 11 or 9) .. "s  %s\n", name, value)
  end
  figure("documents", r.documents .. documents_left_out(extra))
  figure("accuracy", f4(r.accuracy))
  figure("macro F1", f4(r.macro_f1))
  figure("micro F1", f4(r.micro_f1))
  if multilabel then figure("exact match", f4(r.exact_match)) end
  out[#out + 1] = "\nper label:\n"
  out[#out + 1] = per_label_table(r.labels, r.per_label)
  out[#out + 1] = #r.predicted_labels <= MAX_MATRIX_COLUMNS and confusion_matrix(r) or top_confusions(r)
  return table.concat(out)
end

--- Cross-validation figures from a model's info table (the module stores
-- them as metadata: cv_accuracy, cv_macro_f1, for a multi-label model
-- cv_micro_f1 and cv_exact_match, cv_fold_macro_f1 as a comma-separated
-- list, and, after --grid, "grid" as "C=x;title_terms=0:f1" items).
function M.cv_figures(info, k)
  info = type(info) == "table" and info or {}
  local out = { string.format("cross-validation (%d folds):\n", math.tointeger(info.cv_folds) or k) }
  local rows = {}
  local named = { cv_accuracy = "accuracy", cv_macro_f1 = "macro F1", cv_micro_f1 = "micro F1",
                  cv_exact_match = "exact match" }
  for _, key in ipairs({ "cv_accuracy", "cv_macro_f1", "cv_micro_f1", "cv_exact_match" }) do
    if type(info[key]) == "number" then rows[#rows + 1] = { named[key], f4(info[key]) } end
  end
  local folds = info.cv_fold_macro_f1
  if folds ~= nil then
    local parts = {}
    for x in tostring(folds):gmatch("[^,%s]+") do parts[#parts + 1] = tonumber(x) and f4(tonumber(x)) or x end
    rows[#rows + 1] = { "fold macro F1", table.concat(parts, " ") }
  end
  for _, key in ipairs(util.sorted_keys(info)) do
    if type(key) == "string" and key:match("^cv_") and not named[key] and
       key ~= "cv_fold_macro_f1" and key ~= "cv_folds" and key ~= "cv_thresholds" then
      rows[#rows + 1] = { key, type(info[key]) == "number" and f4(info[key]) or tostring(info[key]) }
    end
  end
  if info.grid ~= nil then
    local parts = {}
    for item in tostring(info.grid):gmatch("[^,]+") do parts[#parts + 1] = item end
    rows[#rows + 1] = { "grid (param:F1)", table.concat(parts, " ") }
    rows[#rows + 1] = { "chosen C", tostring(info.C) }
    if info.kernel == "rbf" and info.gamma then rows[#rows + 1] = { "chosen gamma", tostring(info.gamma) } end
    if tostring(info.grid):find("title_terms=", 1, true) and type(info.options) == "table" then
      rows[#rows + 1] = { "chosen title terms", info.options.title_terms and "on" or "off" }
    end
  end
  if #rows == 0 then out[#out + 1] = "  (the model stores no figures)\n"
  else out[#out + 1] = tables.render(rows, { indent = "  ", left = { true, true } }) end
  local sweep = M.parse_thresholds(info.cv_thresholds)
  if sweep then
    out[#out + 1] = "\nat each threshold (out-of-fold scores):\n"
    out[#out + 1] = M.thresholds(sweep, { current = info.threshold, chosen = info.threshold_by })
  end
  return table.concat(out)
end

--- A multi-label model's threshold sweep from its metadata cv_thresholds
-- ("0.05:MICRO/MACRO/EXACT,0.1:..."), as M.thresholds' rows; nil when
-- there is none, or it is not in that form (another writer's model).
function M.parse_thresholds(s)
  if type(s) ~= "string" then return nil end
  local rows = {}
  for item in s:gmatch("[^,]+") do
    local t, micro, macro, exact = item:match("^([%d.]+):([%d.]+)/([%d.]+)/([%d.]+)$")
    if not t then return nil end
    rows[#rows + 1] = { threshold = tonumber(t), micro_f1 = tonumber(micro), macro_f1 = tonumber(macro),
                        exact_match = tonumber(exact) }
  end
  return #rows > 0 and rows or nil
end

--- A note when --threshold auto (metadata threshold_by) chose the lowest or
-- highest threshold of the sweep, scoring better than the one next to it:
-- the best may lie beyond, where the sweep does not look. nil otherwise, a
-- tie included (the choice then goes to the threshold nearest the given).
function M.threshold_edge_note(info)
  if info.threshold_by ~= "cv_micro_f1" then return nil end
  local rows = M.parse_thresholds(info.cv_thresholds)
  if not rows or #rows < 2 then return nil end
  local at, beside, side
  if info.threshold == rows[1].threshold then at, beside, side = rows[1], rows[2], "lowest"
  elseif info.threshold == rows[#rows].threshold then at, beside, side = rows[#rows], rows[#rows - 1], "highest"
  else return nil end
  if tonumber(f4(at.micro_f1)) <= tonumber(f4(beside.micro_f1)) then return nil end
  return string.format("--threshold auto chose %s, the %s threshold it tries (micro F1 %s; %s at %s): " ..
                       "a %s one may do better (eval --thresholds on held-out data tells)",
                       util.fmt_score(at.threshold, 2), side, f4(at.micro_f1), f4(beside.micro_f1),
                       util.fmt_score(beside.threshold, 2), side == "lowest" and "lower" or "higher")
end

-- The figures a threshold table compares, and their column names.
local THRESHOLD_FIGURES = { { "micro_f1", "micro F1" }, { "macro_f1", "macro F1" }, { "exact_match", "exact match" } }

-- The row of rows with the highest value of key as printed (4 decimals),
-- ties going to the threshold nearest current (the model's: when it was
-- chosen, by the core's rule, the one chosen).
local function best_row(rows, key, current)
  local best, best_value
  for _, row in ipairs(rows) do
    local v = tonumber(f4(row[key]))
    if not best or v > best_value or
       (v == best_value and current and math.abs(row.threshold - current) < math.abs(best.threshold - current)) then
      best, best_value = row, v
    end
  end
  return best
end

--- Figures at several thresholds (train --cv's sweep, eval --thresholds):
-- rows of { threshold, micro_f1, macro_f1, exact_match, f1 = { label = F1 }
-- (optional) }, one line each, then the best threshold by each figure.
-- opts.labels: the per-label F1 columns (none when nil); opts.current:
-- the model's threshold, its row marked; opts.chosen: set when it was
-- chosen by them (metadata threshold_by), which that row says.
function M.thresholds(rows, opts)
  local header = { "threshold" }
  for _, fig in ipairs(THRESHOLD_FIGURES) do header[#header + 1] = fig[2] end
  for _, l in ipairs(opts.labels or {}) do header[#header + 1] = "F1 " .. l end
  header[#header + 1] = ""
  local lines, left = { header }, { [1] = true, [#header] = true }
  for _, row in ipairs(rows) do
    local line = { util.fmt_score(row.threshold, 2) }
    for _, fig in ipairs(THRESHOLD_FIGURES) do line[#line + 1] = f4(row[fig[1]]) end
    for _, l in ipairs(opts.labels or {}) do line[#line + 1] = f4(row.f1[l] or 0) end
    line[#line + 1] = row.threshold == opts.current and
      (opts.chosen and "the model's (--threshold auto: the best micro F1)" or "the model's") or ""
    lines[#lines + 1] = line
  end
  local best = {}
  for _, fig in ipairs(THRESHOLD_FIGURES) do
    local row = best_row(rows, fig[1], opts.current)
    best[#best + 1] = string.format("%s %s at %s", fig[2], f4(row[fig[1]]), util.fmt_score(row.threshold, 2))
  end
  return tables.render(lines, { indent = "  ", left = left }) .. "  best: " .. table.concat(best, "; ") .. "\n"
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

-- s with its control characters (ESC, tabs, line breaks, C1) shown as
-- \xHH: a model file's metadata is not trusted to drive the terminal or to
-- break the "key  value" lines.
local printable = util.escape_controls

-- An n-gram range of model:info().options ({ lo, hi }, or false when off)
-- in words: "1-2", or "1" for 1-1.
local function range(r)
  return r[1] == r[2] and tostring(r[1]) or r[1] .. "-" .. r[2]
end

-- How a model:info().options weighs its terms: "sublinear TF-IDF,
-- L2-normalised", "raw TF", ...
local function weighting(o)
  return (o.sublinear_tf and "sublinear TF" or "raw TF") .. (o.use_idf and "-IDF" or "") ..
         (o.l2_normalize and ", L2-normalised" or "")
end

local STOPWORDS = { english = "English stop words", custom = "custom stop words", none = "no stop words" }

--- The feature options of a model (model:info().options) in words, as
-- info shows them in place of the features_options metadata (the C core's
-- "word=1-2 char=0-0 min_df=3 ..."): "word n-grams 1-2, English stop
-- words, min_df 3, sublinear TF-IDF, L2-normalised, boilerplate stripped".
function M.feature_options(o)
  local parts = {}
  if o.ngrams then parts[#parts + 1] = "word n-grams " .. range(o.ngrams) end
  if o.char_ngrams then parts[#parts + 1] = "character n-grams " .. range(o.char_ngrams) end
  if o.title_terms then parts[#parts + 1] = "title terms" end
  parts[#parts + 1] = STOPWORDS[o.stopwords] or o.stopwords
  if o.stem == "english" then parts[#parts + 1] = "English stemming" end
  parts[#parts + 1] = "min_df " .. tostring(o.min_df)
  if o.max_df < 1 then parts[#parts + 1] = string.format("max_df %g", o.max_df) end
  if o.max_features > 0 then parts[#parts + 1] = "at most " .. tostring(o.max_features) .. " features" end
  parts[#parts + 1] = weighting(o)
  if o.strip_boilerplate then parts[#parts + 1] = "boilerplate stripped" end
  return table.concat(parts, ", ")
end

--- A model description: scalar keys as aligned "key  value" lines,
-- nested tables (options) indented below their key.
function M.info(info, labels)
  local rows, nested = {}, {}
  if labels and info.labels == nil then rows[#rows + 1] = { "labels", printable(table.concat(labels, ", ")) } end
  for _, k in ipairs(util.sorted_keys(info)) do
    local s = scalar(info[k])
    if s then rows[#rows + 1] = { printable(tostring(k)), printable(s) } else nested[#nested + 1] = k end
  end
  local out = { tables.render(rows, { left = { true, true } }) }
  for _, k in ipairs(nested) do
    out[#out + 1] = printable(tostring(k)) .. ":\n"
    local v, sub = info[k], {}
    for _, kk in ipairs(util.sorted_keys(v)) do
      local s = scalar(v[kk])
      if s == nil then
        local parts = {}
        for _, k3 in ipairs(util.sorted_keys(v[kk])) do
          parts[#parts + 1] = tostring(k3) .. "=" .. (scalar(v[kk][k3]) or "{...}")
        end
        s = table.concat(parts, " ")
      end
      sub[#sub + 1] = { printable(tostring(kk)), printable(s) }
    end
    if #sub > 0 then out[#out + 1] = tables.render(sub, { indent = "  ", left = { true, true } }) end
  end
  return table.concat(out)
end

return M
