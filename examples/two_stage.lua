-- examples/two_stage.lua - a Lua classifier in two stages: the topic model
-- first, then, for sport only, a sub-topic model ("sport/football",
-- "sport/tennis", ...).
--
-- The sub-topic model is any model trained on sport texts, e.g. with
--     bin/textclass run examples/train_folder.lua tests/data/lua/sport sport.model
-- and named by $TEXTCLASS_SPORT_MODEL. The topic model is tc.default().
--     TEXTCLASS_SPORT_MODEL=sport.model textclass label -c examples/two_stage.lua ...
-- Scores: a sub-topic's score is the sport score times the sub-model's.
local tc = require "textclass"

local topics = assert(tc.default())
local sub_path = os.getenv("TEXTCLASS_SPORT_MODEL")
if not sub_path or sub_path == "" then
  error("set TEXTCLASS_SPORT_MODEL to a sport sub-topic model " ..
        "(textclass run examples/train_folder.lua FOLDER sport.model makes one)", 0)
end
local sport = assert(tc.load(sub_path))

local M = {}

function M.labels()
  local out = {}
  for _, l in ipairs(topics:labels()) do
    if l ~= "sport" then out[#out + 1] = l end
  end
  for _, s in ipairs(sport:labels()) do out[#out + 1] = "sport/" .. s end
  return out
end

-- Refine a topic result r with the sub-topic result s.
local function refine(r, s)
  local label = "sport/" .. s.label
  for name, score in pairs(s.scores) do
    r.scores["sport/" .. name] = r.scores.sport * score
  end
  r.label, r.labels = label, { label }
  return r
end

function M.predict(text, opts)
  local r = topics:predict(text, opts)
  if r.label == "sport" then return refine(r, sport:predict(text, opts)) end
  return r
end

-- Batches stay batches: one call per model, sport texts only in the second.
function M.predict_batch(texts, opts)
  local results = topics:predict_batch(texts, opts)
  local idx, sub = {}, {}
  for i, r in ipairs(results) do
    if r.label == "sport" then
      idx[#idx + 1] = i
      sub[#sub + 1] = texts[i]
    end
  end
  for k, s in ipairs(sport:predict_batch(sub, opts)) do
    if not s.error then refine(results[idx[k]], s) end
  end
  return results
end

return M
