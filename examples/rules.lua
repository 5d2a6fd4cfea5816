-- examples/rules.lua - a Lua classifier: keyword rules around a model.
--
-- The model decides, except where a rule knows better:
--   * override: a word or phrase that settles the topic on its own
--     ("ransomware", "zero-day") forces that label;
--   * veto: a word that rules a label out ("parliament" in a story the
--     model calls sport: a sports minister's budget is politics) makes the
--     next best label win.
-- Rules match the text's normalised terms (tc.tokenize with word 1- and
-- 2-grams), so "Zero-Day", "zero-day" and "ZERO-DAY" all match.
--
-- Load it with tc.load_classifier, or give it to `textclass label` or `eval` with -c:
--     local c = assert(tc.load_classifier("examples/rules.lua"))
--     print(c:predict("Ransomware gang hits the football club").label)  --> cyber
-- The model is tc.default() ($TEXTCLASS_MODEL, else the shipped one).
local tc = require "textclass"

local model = assert(tc.default())

local override = {
  cyber = { "ransomware", "malware", "phishing", "zero-day", "botnet", "data breach", "spyware" },
}

local veto = {
  sport = { "parliament", "senate", "minister", "election" },
  other = { "ransomware", "malware" },
}

-- The first of `words` found among the text's terms, or nil.
local function find_any(terms, words)
  for _, w in ipairs(words) do
    if terms[w] then return w end
  end
  return nil
end

local M = {}

function M.labels()
  return model:labels()
end

-- opts: the caller's options (the command line's -t, --top, -j). The
-- model gets the threshold; --top is left out, since the veto compares
-- every label's score: the classifier object (tc.load_classifier, and
-- label -c) cuts the result to opts.top once the rules have chosen.
function M.predict(text, opts)
  local r = model:predict(text, opts and opts.threshold and { threshold = opts.threshold } or nil)
  local terms = {}
  for _, t in ipairs(tc.tokenize(text, { ngrams = { 1, 2 } })) do terms[t] = true end
  for label, words in pairs(override) do
    local w = find_any(terms, words)
    if w then
      r.label, r.labels, r.rule = label, { label }, "override: " .. w
      return r
    end
  end
  local words = veto[r.label]
  local w = words and find_any(terms, words)
  if w then
    -- the best-scoring label that is not vetoed by the text
    local best
    for _, label in ipairs(model:labels()) do
      local v = veto[label]
      if label ~= r.label and not (v and find_any(terms, v))
          and (not best or r.scores[label] > r.scores[best]) then
        best = label
      end
    end
    if best then
      r.rule = "veto " .. r.label .. ": " .. w
      r.label, r.labels = best, { best }
    end
  end
  return r
end

return M
