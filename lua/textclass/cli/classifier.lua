-- textclass.cli.classifier - one interface over model files and Lua classifiers.
--
-- `-m MODEL` loads a model file with tc.load, `-c FILE.lua` runs a Lua
-- classifier (a file returning a table with predict(text) and optionally
-- predict_batch(texts) and labels()), and neither means tc.default(), the
-- shipped news model. Commands then call classify(texts), which never
-- raises for one bad document: a document whose prediction fails gets
-- { error = message } in its slot and the others go on. Ctrl-C is not a
-- document's failure: it is raised again (util.unless_interrupt).

local util = require "textclass.cli.util"

local M = {}

--- The options naming what classifies: every command taking a model has
-- -m; those that can run a Lua classifier also have -c.
M.MODEL_OPTION = { short = "m", long = "model", arg = "MODEL",
                   help = "model file (default: the shipped news model)" }
--- For the `unknown_hints` of a command that needs a model file (explain,
-- info): -c there says why it is unknown.
function M.model_only_hints(command)
  local hint = "label and eval take a Lua classifier; " .. command .. " needs a model file, -m MODEL"
  return { c = hint, classifier = hint }
end
--- Most threads the module takes (opts.threads and spec.threads are
-- checked against [0, 1024]); --threads is held to it at parse time.
M.MAX_THREADS = 1024

M.CLASSIFIER_OPTION = { short = "c", long = "classifier", arg = "FILE.lua",
                        help = "a Lua classifier instead of a model file" }

local function load_module()
  local ok, tc = pcall(require, "textclass")
  if not ok then util.fail("cannot load the textclass Lua module: %s", tostring(tc)) end
  return tc
end
M.module = load_module

-- A message for a document's failure. A Lua classifier's error keeps its
-- "file:line:", which shows the classifier's author where it failed.
local function clean_message(e)
  if util.is_failure(e) then return e.msg end
  return tostring(e)
end

--- Open the classifier the options name (opts.model, opts.classifier),
-- as a textclass.classifier object (the module's one interface over model
-- files and Lua classifiers). Raises a usage error for both at once, a
-- failure when it cannot be loaded.
function M.open(opts)
  if opts.model and opts.classifier then
    util.usage_error("give either -m MODEL or -c CLASSIFIER.lua, not both")
  end
  util.refuse_stdin_name("-m", opts.model, "a model")
  util.refuse_stdin_name("-c", opts.classifier, "a Lua classifier")
  local tc = load_module()
  local cls = require "textclass.classifier"
  local obj, name, err, path
  if opts.classifier then
    -- -c always means Lua, whatever the file is called
    obj, err = cls.load_lua(opts.classifier)
    if not obj then
      -- read as Lua, a model file is a syntax error that names no mistake
      if tc.load(opts.classifier) then err = err .. " (a model file is given with -m)" end
      util.fail("%s", err)
    end
    name, path = opts.classifier, opts.classifier
  else
    local model
    if opts.model then
      local code
      model, err, code = tc.load(opts.model)
      if not model then
        err = tostring(err)
        if not err:find(opts.model, 1, true) then err = opts.model .. ": " .. err end
        if code == "EFORMAT" and opts.model:match("%.lua$") then
          -- (info and explain take no -c: the hint names who does)
          err = err .. " (a Lua classifier is given with -c, to label and eval)"
        end
        util.fail("%s", err)
      end
      name, path = opts.model, opts.model
    else
      local found
      model, found = tc.default()   -- the model and its path, or nil and why
      if not model then
        util.fail("no model given and the shipped model cannot be loaded (%s); use -m MODEL", tostring(found))
      end
      -- $TEXTCLASS_MODEL may name any model: then its path, not "shipped"
      local env = os.getenv("TEXTCLASS_MODEL")
      name, path = (env and env ~= "") and found or "the shipped news model", found
    end
    obj = cls.wrap(model, name)
  end
  -- path: the file read (the default model's too), which no output may replace
  local c = { obj = obj, model = obj.model, name = name, path = path, lua = obj.kind == "lua" }
  -- a multi-class model always chooses its top label: --threshold would
  -- change nothing, so say so rather than let it look applied
  if opts.threshold and c.model and not c.model:info().multilabel then
    util.note("--threshold has no effect: %s is a multi-class model, which always chooses its top label " ..
              "(thresholds are for models trained with --multilabel)", name)
  end

  --- Label names, in the classifier's order (empty when a Lua classifier
  -- does not say, or says it wrongly: a warning then names the problem,
  -- once, as the answer is asked for once).
  function c:labels()
    if not self.label_names then
      local ok, l = pcall(self.obj.labels, self.obj)
      if not ok then
        util.unless_interrupt(l)
        util.note("%s; the labels are taken from its results", tostring(l))
      end
      self.label_names = ok and type(l) == "table" and l or {}
    end
    return self.label_names
  end

  --- Model metadata (model files only).
  function c:info()
    if self.model then return self.model:info() end
    return nil
  end

  -- Options for predict calls: models apply the threshold and --top
  -- themselves (a result with fewer labels costs less to build); a Lua
  -- classifier gets them too, and chooses its labels itself: they are
  -- not chosen again from its scores, which its rules need not change.
  local function popts(threads, top, threshold)
    local o = {}
    if threads then o.threads = threads end
    o.threshold = threshold or opts.threshold
    o.top = top or opts.top
    return next(o) and o or nil
  end

  -- The module's results are complete (label, labels, scores) or
  -- { error = message }. A Lua classifier may hand back a model's result
  -- with scores it changed, so its `ranked` (the model's order) is not
  -- trusted.
  local function finish(r)
    if r.error then return { error = tostring(r.error) } end
    if c.lua then r.ranked = nil end
    return r
  end

  --- Predict one text: a prediction or { error = message }; never raises.
  function c:predict_one(text)
    local ok, r = pcall(self.obj.predict, self.obj, text, popts(nil))
    if not ok then return { error = clean_message(util.unless_interrupt(r)) } end
    return finish(r)
  end

  -- results[i] for each text: a prediction or { error = message } (a call
  -- that failed as a whole fails each document with its message).
  local function finish_all(n, ok, got)
    if not ok then util.unless_interrupt(got) end
    -- a model's results are complete, and its errors strings: as they are
    if ok and not c.lua then return got end
    local results = {}
    for i = 1, n do
      results[i] = ok and finish(got[i]) or { error = clean_message(got) }
    end
    return results
  end

  --- Predict a batch; results[i] is a prediction or { error = message }
  -- (the module's predict_batch gives a failing Lua prediction its slot).
  -- top (optional): only so many best labels and scores, as --top;
  -- threshold (optional): this one rather than -t's (eval --thresholds).
  function c:classify(texts, threads, top, threshold)
    if #texts == 0 then return {} end
    return finish_all(#texts, pcall(self.obj.predict_batch, self.obj, texts, popts(threads, top, threshold)))
  end

  --- A model file's batch of documents classified and written as TSV or
  -- CSV records by one call (model:label_records: no result table per
  -- document); counts[label] grows. Returns the records and the number of
  -- error records, or nil and why when the call fails as a whole, counts
  -- then as they were (the batch's are counted apart and added after), so
  -- the general path the caller takes then counts the batch only once.
  function c:label_records(docs, counts, format, threads)
    local got = {}
    local ok, records, n_errors = pcall(self.model.label_records, self.model, docs, got, format, popts(threads))
    if not ok then return nil, clean_message(util.unless_interrupt(records)) end
    for label, n in pairs(got) do counts[label] = (counts[label] or 0) + n end
    return records, n_errors
  end

  --- Start predicting a batch; returns an object whose :wait() gives what
  -- classify would have. A model file runs the batch on a thread of its
  -- own (model:predict_async), so the caller can read and write other
  -- batches meanwhile; a Lua classifier runs it now.
  function c:classify_start(texts, threads)
    if self.lua or #texts == 0 then
      local results = self:classify(texts, threads)
      return { wait = function() return results end }
    end
    local ok, job = pcall(self.model.predict_async, self.model, texts, popts(threads))
    if not ok then
      local results = finish_all(#texts, false, job)
      return { wait = function() return results end }
    end
    return { wait = function() return finish_all(#texts, pcall(job.wait, job)) end }
  end

  return c
end

--- The labels of `scores`, best first, ties by name: the order of a model
-- result's `ranked`, for Lua classifiers' results, which have none
-- (textclass.classifier's, which cuts them to opts.top by it).
M.ranked_names = require("textclass.classifier").ranked_names

return M
