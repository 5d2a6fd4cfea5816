-- textclass.cli.classifier - one interface over model files and Lua classifiers.
--
-- `-m MODEL` loads a model file with tc.load, `-c FILE.lua` runs a Lua
-- classifier (a file returning a table with predict(text) and optionally
-- predict_batch(texts) and labels()), and neither means tc.default(), the
-- shipped news model. Commands then call classify(texts), which never
-- raises for one bad document: a document whose prediction fails gets
-- { error = message } in its slot and the others go on.

local util = require "textclass.cli.util"

local M = {}

local function load_module()
  local ok, tc = pcall(require, "textclass")
  if not ok then util.fail("cannot load the textclass Lua module: %s", tostring(tc)) end
  return tc
end
M.module = load_module

local function clean_message(e)
  if util.is_failure(e) then return e.msg end
  return (tostring(e):gsub("^[^:\n]*:%d+: ", ""))
end

-- A result slot: a prediction, or { error = message }.
local function check_result(r)
  if type(r) == "table" and r.error ~= nil then return { error = tostring(r.error) } end
  if type(r) ~= "table" or type(r.label) ~= "string" then
    return { error = "the classifier returned no label" }
  end
  if type(r.labels) ~= "table" then r.labels = { r.label } end
  if type(r.scores) ~= "table" then r.scores = {} end
  return r
end

--- Open the classifier the options name (opts.model, opts.classifier),
-- as a textclass.classifier object (the module's one interface over model
-- files and Lua classifiers). Raises a usage error for both at once, a
-- failure when it cannot be loaded.
function M.open(opts)
  if opts.model and opts.classifier then
    util.usage_error("give either -m MODEL or -c CLASSIFIER.lua, not both")
  end
  local tc = load_module()
  local wrap = require("textclass.classifier").wrap
  local obj, name, err
  if opts.classifier then
    -- -c always means Lua, whatever the file is called
    local chunk, lerr = loadfile(opts.classifier, "t")
    if not chunk then util.fail("%s", lerr) end
    local ok, impl = pcall(chunk, opts.classifier)
    if not ok then util.fail("%s: %s", opts.classifier, clean_message(impl)) end
    obj, err = wrap(impl, opts.classifier)
    if not obj then util.fail("%s", err) end
    name = opts.classifier
  else
    local model
    if opts.model then
      model, err = tc.load(opts.model)
      if not model then
        err = tostring(err)
        if not err:find(opts.model, 1, true) then err = opts.model .. ": " .. err end
        util.fail("%s", err)
      end
      name = opts.model
    else
      model, err = tc.default()
      if not model then
        util.fail("no model given and the shipped model cannot be loaded (%s); use -m MODEL", tostring(err))
      end
      name = "the shipped news model"
    end
    obj = wrap(model, name)
  end
  local c = { obj = obj, model = obj.model, name = name, lua = obj.kind == "lua" }

  --- Label names, in the classifier's order (empty when a Lua classifier
  -- does not say).
  function c:labels()
    local ok, l = pcall(self.obj.labels, self.obj)
    return ok and type(l) == "table" and l or {}
  end

  --- Model metadata (model files only).
  function c:info()
    if self.model then return self.model:info() end
    return nil
  end

  -- Options for predict calls: models apply the threshold themselves; a
  -- Lua classifier gets it too, and apply_threshold re-chooses after it.
  local function popts(threads)
    local o = {}
    if threads then o.threads = threads end
    if opts.threshold then o.threshold = opts.threshold end
    return next(o) and o or nil
  end

  local function finish(r)
    r = check_result(r)
    if not r.error and c.lua and opts.threshold then M.apply_threshold(r, opts.threshold) end
    return r
  end

  --- Predict one text: a prediction or { error = message }; never raises.
  function c:predict_one(text)
    local ok, r = pcall(self.obj.predict, self.obj, text, popts(nil))
    if not ok then return { error = clean_message(r) } end
    return finish(r)
  end

  --- Predict a batch; results[i] is a prediction or { error = message }.
  function c:classify(texts, threads)
    if #texts == 0 then return {} end
    local ok, results = pcall(self.obj.predict_batch, self.obj, texts, popts(threads))
    if not ok or type(results) ~= "table" then
      -- the batch call itself failed: one at a time, so only the culprit
      -- gets the error
      results = {}
      for i, t in ipairs(texts) do results[i] = self:predict_one(t) end
      return results
    end
    for i = 1, #texts do results[i] = finish(results[i]) end
    return results
  end

  return c
end

--- Re-choose labels with a threshold, for Lua classifiers (models do it
-- in the core): every label scoring at least t, best first; when none
-- does, the top label. Same rule as tc_model_predict for multi-label
-- models without a fallback.
function M.apply_threshold(res, t, fallback)
  local ranked = {}
  for l, s in pairs(res.scores) do ranked[#ranked + 1] = { l, s } end
  table.sort(ranked, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end)
  local labels = {}
  for _, r in ipairs(ranked) do if r[2] >= t then labels[#labels + 1] = r[1] end end
  if #labels == 0 then
    if fallback then labels[1] = fallback
    elseif ranked[1] then labels[1] = ranked[1][1]
    else labels[1] = res.label end
  end
  res.labels = labels
  res.label = labels[1]
  return res
end

--- { label, score } pairs, best first, ties by name; at most `top`.
function M.ranked(res, top)
  local ranked = {}
  for l, s in pairs(res.scores or {}) do ranked[#ranked + 1] = { l, s } end
  table.sort(ranked, function(a, b) if a[2] ~= b[2] then return a[2] > b[2] end return a[1] < b[1] end)
  if top then for i = #ranked, top + 1, -1 do ranked[i] = nil end end
  return ranked
end

return M
