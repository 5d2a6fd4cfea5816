-- textclass.cli.metrics - evaluation figures accumulated one document at a time.
--
-- Same definitions as the core's tc_metrics (core/textclass.h), so `textclass
-- eval` agrees with tc.evaluate, but streaming and usable with Lua
-- classifiers too:
--   accuracy     documents whose primary prediction is among their gold labels
--   exact_match  documents whose predicted label set equals the gold set
--   per label    tp, fp, fn, support (gold documents with the label);
--                precision, recall, F1 are 0 when undefined
--   macro F1     mean F1 over labels with support or predictions
--   micro F1     F1 of the summed tp, fp, fn
--   confusion    first gold label x primary prediction: a row for every
--                label, a column for each the classifier can predict (its
--                own, and any other it did predict). A gold label it never
--                predicts would be a column of zeros; a file may hold
--                thousands (fastText tags), and a square of them costs
--                the square of the input.

local M = {}

--- A new accumulator; `labels` (optional) fixes the order of known labels
-- (the classifier's), others are appended as they appear.
function M.new(labels)
  local m = { labels = {}, index = {}, stats = {}, confusion = {}, n = 0, correct = 0, exact = 0,
              column = {} }  -- column[l]: the classifier's label, or one it predicted first

  local function intern(l)
    if not m.index[l] then
      m.labels[#m.labels + 1] = l
      m.index[l] = #m.labels
      m.stats[l] = { tp = 0, fp = 0, fn = 0, support = 0 }
      m.confusion[l] = {}
    end
    return l
  end
  for _, l in ipairs(labels or {}) do m.column[intern(l)] = true end

  --- Record one document: gold and predicted label arrays (predicted[1]
  -- is the primary prediction).
  function m:add(gold, predicted)
    self.n = self.n + 1
    local g, p = {}, {}
    for _, l in ipairs(gold) do g[intern(l)] = true end
    for _, l in ipairs(predicted) do p[intern(l)] = true end
    if predicted[1] and g[predicted[1]] then self.correct = self.correct + 1 end
    local same = true
    for l in pairs(g) do
      self.stats[l].support = self.stats[l].support + 1
      if p[l] then self.stats[l].tp = self.stats[l].tp + 1
      else self.stats[l].fn = self.stats[l].fn + 1; same = false end
    end
    for l in pairs(p) do
      if not g[l] then self.stats[l].fp = self.stats[l].fp + 1; same = false end
    end
    if same then self.exact = self.exact + 1 end
    if gold[1] and predicted[1] then
      local row = self.confusion[gold[1]]
      row[predicted[1]] = (row[predicted[1]] or 0) + 1
      self.column[predicted[1]] = true
    end
  end

  --- The figures, in the shape tc.evaluate returns, but for the confusion
  -- matrix's columns: `predicted_labels`, in the order of `labels`.
  function m:result()
    local per, sum_f1, n_f1, tp, fp, fn = {}, 0, 0, 0, 0, 0
    for _, l in ipairs(self.labels) do
      local s = self.stats[l]
      local prec = (s.tp + s.fp) > 0 and s.tp / (s.tp + s.fp) or 0
      local rec = (s.tp + s.fn) > 0 and s.tp / (s.tp + s.fn) or 0
      local f1 = (prec + rec) > 0 and 2 * prec * rec / (prec + rec) or 0
      per[l] = { precision = prec, recall = rec, f1 = f1, support = s.support,
                 tp = s.tp, fp = s.fp, fn = s.fn }
      if s.support > 0 or (s.tp + s.fp) > 0 then sum_f1 = sum_f1 + f1; n_f1 = n_f1 + 1 end
      tp, fp, fn = tp + s.tp, fp + s.fp, fn + s.fn
    end
    local micro = (2 * tp + fp + fn) > 0 and 2 * tp / (2 * tp + fp + fn) or 0
    local columns, confusion = {}, {}
    for _, l in ipairs(self.labels) do
      if self.column[l] then columns[#columns + 1] = l end
    end
    for _, g in ipairs(self.labels) do
      confusion[g] = {}
      for _, p in ipairs(columns) do confusion[g][p] = self.confusion[g][p] or 0 end
    end
    return {
      documents = self.n,
      accuracy = self.n > 0 and self.correct / self.n or 0,
      exact_match = self.n > 0 and self.exact / self.n or 0,
      macro_f1 = n_f1 > 0 and sum_f1 / n_f1 or 0,
      micro_f1 = micro,
      per_label = per,
      labels = self.labels,
      predicted_labels = columns,
      confusion = confusion,
    }
  end

  return m
end

return M
