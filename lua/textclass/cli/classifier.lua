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

-- Check one prediction's shape; returns it normalised, or nil, message.
local function check_result(r)
  if type(r) ~= "table" then return nil, "classifier returned " .. type(r) .. ", not a table" end
  if type(r.label) ~= "string" then return nil, "classifier returned no label" end
  if r.labels == nil then r.labels = { r.label } end
  if type(r.labels) ~= "table" then return nil, "classifier returned a bad 'labels' field" end
  if r.scores == nil then r.scores = {} end
  if type(r.scores) ~= "table" then return nil, "classifier returned a bad 'scores' field" end
  return r
end

local function clean_message(e)
  if util.is_failure(e) then return e.msg end
  return (tostring(e):gsub("^[^:\n]*:%d+: ", ""))
end

--- Open the classifier the options name. opts.model, opts.classifier.
-- Raises a usage error for both at once, a failure when it cannot be
-- loaded.
function M.open(opts)
  if opts.model and opts.classifier then
    util.usage_error("give either -m MODEL or -c CLASSIFIER.lua, not both")
  end
  local c = { threshold = opts.threshold }
  if opts.classifier then
    local chunk, err = loadfile(opts.classifier)
    if not chunk then util.fail("%s", err) end
    local ok, obj = pcall(chunk, opts.classifier)
    if not ok then util.fail("%s: %s", opts.classifier, clean_message(obj)) end
    if type(obj) ~= "table" or type(obj.predict) ~= "function" then
      util.fail("%s: a Lua classifier must return a table with a predict(text) function", opts.classifier)
    end
    c.name = opts.classifier
    c.obj = obj
    c.lua = true
  else
    local tc = load_module()
    local model, err
    if opts.model then
      model, err = tc.load(opts.model)
      if not model then
        err = tostring(err)
        if not err:find(opts.model, 1, true) then err = opts.model .. ": " .. err end
        util.fail("%s", err)
      end
      c.name = opts.model
    else
      model, err = tc.default()
      if not model then
        util.fail("no model given and the shipped model cannot be loaded (%s); use -m MODEL", tostring(err))
      end
      c.name = "the shipped news model"
    end
    c.obj = model
    c.model = model
  end

  --- Label names, in the classifier's order (may be empty for a Lua
  -- classifier without labels()).
  function c:labels()
    if self.model then return self.model:labels() end
    if type(self.obj.labels) == "function" then
      local ok, l = pcall(self.obj.labels)
      if ok and type(l) == "table" then return l end
    end
    return {}
  end

  --- Model metadata (model files only).
  function c:info()
    if self.model then return self.model:info() end
    return nil
  end

  -- Predict one text, isolating failures.
  function c:predict_one(text)
    local ok, r
    if self.model then ok, r = pcall(self.model.predict, self.model, text)
    else ok, r = pcall(self.obj.predict, text) end
    if not ok then return { error = clean_message(r) } end
    local res, err = check_result(r)
    return res or { error = err }
  end

  --- Predict a batch; results[i] is a prediction or { error = message }.
  function c:classify(texts, threads)
    if #texts == 0 then return {} end
    local ok, results
    if self.model then
      ok, results = pcall(self.model.predict_batch, self.model, texts, threads and { threads = threads } or nil)
    elseif type(self.obj.predict_batch) == "function" then
      ok, results = pcall(self.obj.predict_batch, texts)
    end
    if not ok or type(results) ~= "table" or #results ~= #texts then
      -- no batch entry point, or it failed: one at a time, so only the
      -- culprit gets the error
      results = {}
      for i, t in ipairs(texts) do results[i] = self:predict_one(t) end
      return results
    end
    for i = 1, #texts do
      local res, err = check_result(results[i])
      results[i] = res or { error = err }
    end
    return results
  end

  return c
end

--- Re-choose labels with a threshold: every label scoring at least t, best
-- first; when none does, the fallback (if any) or the top label. For
-- multi-class models only the top label is chosen, as the core does, but
-- labels below t are dropped from `labels`.
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
